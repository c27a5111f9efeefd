//! Optional, self-identified demographics: asked on their own page, stored
//! apart from applications, never shown to reviewers, reported only in
//! aggregate.

use super::form::{Answer, Answers, FormDefinition, QuestionKind};

const FORM: &str = r#"{
  "sections": [{
    "key": "demographics",
    "title": "About you (optional)",
    "questions": [
      {"key": "race_ethnicity", "label": "How do you describe your race or ethnicity?", "help": "Choose all that apply.", "type": "multiple_choice", "options": [
        {"value": "american_indian_alaska_native", "label": "American Indian or Alaska Native"},
        {"value": "asian", "label": "Asian"},
        {"value": "black_african_american", "label": "Black or African American"},
        {"value": "hispanic_latine", "label": "Hispanic or Latino/a/x/e"},
        {"value": "middle_eastern_north_african", "label": "Middle Eastern or North African"},
        {"value": "native_hawaiian_pacific_islander", "label": "Native Hawaiian or Pacific Islander"},
        {"value": "white", "label": "White"},
        {"value": "not_listed", "label": "A race or ethnicity not listed here"},
        {"value": "prefer_not_to_say", "label": "Prefer not to say"}
      ]},
      {"key": "gender_identity", "label": "What is your gender identity?", "type": "single_choice", "options": [
        {"value": "woman", "label": "Woman"},
        {"value": "man", "label": "Man"},
        {"value": "non_binary", "label": "Non-binary"},
        {"value": "self_describe", "label": "I prefer to describe it myself"},
        {"value": "prefer_not_to_say", "label": "Prefer not to say"}
      ]},
      {"key": "gender_self_description", "label": "Your gender identity, in your words", "type": "short_text", "max_chars": 100, "show_if": {"question": "gender_identity", "any_of": ["self_describe"]}},
      {"key": "transgender", "label": "Do you identify as transgender?", "type": "single_choice", "options": [
        {"value": "yes", "label": "Yes"}, {"value": "no", "label": "No"}, {"value": "prefer_not_to_say", "label": "Prefer not to say"}
      ]},
      {"key": "first_generation", "label": "Are you the first in your family to attend college or university?", "type": "single_choice", "options": [
        {"value": "yes", "label": "Yes"}, {"value": "no", "label": "No"}, {"value": "prefer_not_to_say", "label": "Prefer not to say"}
      ]},
      {"key": "rural_background", "label": "Did you grow up in a rural area?", "type": "single_choice", "options": [
        {"value": "yes", "label": "Yes"}, {"value": "no", "label": "No"}, {"value": "prefer_not_to_say", "label": "Prefer not to say"}
      ]},
      {"key": "disability", "label": "Do you identify as a person with a disability?", "type": "single_choice", "options": [
        {"value": "yes", "label": "Yes"}, {"value": "no", "label": "No"}, {"value": "prefer_not_to_say", "label": "Prefer not to say"}
      ]}
    ]
  }]
}"#;

/// The demographics questions, as a form (every answer optional).
pub fn form() -> FormDefinition {
    FormDefinition::parse(FORM).expect("the demographics form is valid")
}

/// Counts from 1 to this less are never shown.
pub const SMALL_CELL: u64 = 5;

/// A count as reported: the number, "fewer than 5", or "not shown" (a
/// larger count hidden so that a small one cannot be worked out).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cell {
    Count(u64),
    Fewer,
    Hidden,
}

impl Cell {
    /// The words shown.
    pub fn text(self) -> String {
        match self {
            Self::Count(n) => n.to_string(),
            Self::Fewer => format!("fewer than {SMALL_CELL}"),
            Self::Hidden => "not shown".into(),
        }
    }
}

/// Whether a count is too small to show (zero tells of nobody).
pub fn is_small(n: u64) -> bool {
    (1..SMALL_CELL).contains(&n)
}

/// A count as it may be shown on its own.
pub fn cell(n: u64) -> Cell {
    if is_small(n) {
        Cell::Fewer
    } else {
        Cell::Count(n)
    }
}

/// One column of counts of a group of `total` people, as it may be shown.
/// Every count from 1 to 4 is hidden; when that hides exactly one, the
/// smallest other count above zero is hidden too, so that no hidden count
/// can be worked out from the total. A group of fewer than 5 shows no
/// count at all: its zeros would tell what the rest of it chose.
pub fn suppress(counts: &[u64], total: u64) -> Vec<Cell> {
    let small = is_small;
    if small(total) {
        return vec![Cell::Fewer; counts.len()];
    }
    let mut cells: Vec<Cell> = counts
        .iter()
        .map(|&n| {
            if small(n) {
                Cell::Fewer
            } else {
                Cell::Count(n)
            }
        })
        .collect();
    if counts.iter().filter(|&&n| small(n)).count() == 1 {
        let next = counts
            .iter()
            .enumerate()
            .filter(|(_, &n)| n >= SMALL_CELL)
            .min_by_key(|(_, &n)| n)
            .map(|(i, _)| i);
        if let Some(i) = next {
            cells[i] = Cell::Hidden;
        }
    }
    cells
}

/// The stages of a cycle a report compares.
pub const GROUPS: [&str; 3] = ["Applied", "Reached review", "Offered a place"];

/// Counts of one choice question's answers, per group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuestionTally {
    pub label: String,
    /// The options' labels, then "No answer".
    pub rows: Vec<String>,
    /// `counts[group][row]`.
    pub counts: [Vec<u64>; 3],
    values: Vec<String>,
    key: String,
}

/// The answers to every choice question of the demographics form, counted
/// per group. Free text (a self-description) is never counted or shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tally {
    pub questions: Vec<QuestionTally>,
    /// Applicants per group.
    pub totals: [u64; 3],
}

impl Tally {
    pub fn new() -> Self {
        let questions = form()
            .questions()
            .filter_map(|q| match &q.kind {
                QuestionKind::SingleChoice { options }
                | QuestionKind::MultipleChoice { options, .. } => {
                    let mut rows: Vec<String> = options.iter().map(|o| o.label.clone()).collect();
                    rows.push("No answer".into());
                    Some(QuestionTally {
                        label: q.label.clone(),
                        counts: std::array::from_fn(|_| vec![0; rows.len()]),
                        rows,
                        values: options.iter().map(|o| o.value.clone()).collect(),
                        key: q.key.clone(),
                    })
                }
                _ => None,
            })
            .collect();
        Self {
            questions,
            totals: [0; 3],
        }
    }

    /// Counts one applicant (their answers, if they gave any) in each
    /// group they belong to.
    pub fn add(&mut self, answers: Option<&Answers>, groups: [bool; 3]) {
        for (g, _) in groups.iter().enumerate().filter(|(_, &in_group)| in_group) {
            self.totals[g] += 1;
            for q in &mut self.questions {
                let chosen: Vec<&str> = match answers.and_then(|a| a.get(&q.key)) {
                    Some(Answer::One(v)) => vec![v.as_str()],
                    Some(Answer::Many(vs)) => vs.iter().map(String::as_str).collect(),
                    None => Vec::new(),
                };
                let rows: Vec<usize> = chosen
                    .iter()
                    .filter_map(|v| q.values.iter().position(|o| o == v))
                    .collect();
                if rows.is_empty() {
                    q.counts[g][q.values.len()] += 1;
                }
                for r in rows {
                    q.counts[g][r] += 1;
                }
            }
        }
    }
}

impl Default for Tally {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_demographics_form_is_coherent_and_optional() {
        let f = super::form();
        assert!(f.questions().all(|q| !q.required && !q.shown_to_reviewers));
        assert!(f.questions().count() >= 6);
    }

    use super::*;

    #[test]
    fn small_counts_are_hidden_with_a_partner() {
        use Cell::{Count, Fewer, Hidden};
        assert_eq!(
            suppress(&[12, 7, 0], 19),
            vec![Count(12), Count(7), Count(0)]
        );
        // One small count alone could be worked out from the total: the
        // next smallest goes too.
        assert_eq!(
            suppress(&[12, 3, 7, 0], 22),
            vec![Count(12), Fewer, Hidden, Count(0)]
        );
        assert_eq!(suppress(&[1, 4, 30], 35), vec![Fewer, Fewer, Count(30)]);
        assert_eq!(suppress(&[5, 5, 1], 11), vec![Hidden, Count(5), Fewer]);
        // A group of fewer than 5: nothing shown, its zeros included.
        assert_eq!(suppress(&[2, 0, 0], 2), vec![Fewer; 3]);
        assert_eq!(suppress(&[0, 0], 0), vec![Count(0); 2]);
        assert_eq!((cell(3), cell(0), cell(9)), (Fewer, Count(0), Count(9)));
        assert_eq!(Fewer.text(), "fewer than 5");
    }

    #[test]
    fn answers_are_counted_per_group_and_text_never() {
        let mut t = Tally::new();
        assert!(t
            .questions
            .iter()
            .all(|q| q.label != "Your gender identity, in your words"));
        let mut a = Answers::new();
        a.insert(
            "race_ethnicity".into(),
            Answer::Many(vec!["asian".into(), "white".into()]),
        );
        a.insert("gender_identity".into(), Answer::One("woman".into()));
        t.add(Some(&a), [true, true, false]);
        t.add(None, [true, false, false]);
        assert_eq!(t.totals, [2, 1, 0]);
        let race = &t.questions[0];
        let row = |label: &str| race.rows.iter().position(|r| r == label).unwrap();
        assert_eq!(race.counts[0][row("Asian")], 1);
        assert_eq!(race.counts[0][row("White")], 1);
        assert_eq!(race.counts[0][row("No answer")], 1);
        assert_eq!(race.counts[1][row("No answer")], 0);
        assert_eq!(race.counts[2].iter().sum::<u64>(), 0);
        let gender = t
            .questions
            .iter()
            .find(|q| q.label == "What is your gender identity?")
            .unwrap();
        assert_eq!(gender.counts[0][0], 1);
    }
}
