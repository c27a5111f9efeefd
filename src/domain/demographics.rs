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
/// count of 0 or of 5 and more, hidden so that a small one cannot be
/// worked out).
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

/// One column of counts (each person in exactly one row, so they add up
/// to `total`, which the reader knows) as it may be shown. Every count
/// from 1 to 4 is hidden; then, while the hidden counts could add up to
/// what the total leaves in only one way, the smallest shown count is
/// hidden too (above zero first). A group of fewer than 5 shows no count.
pub fn suppress(counts: &[u64], total: u64) -> Vec<Cell> {
    debug_assert_eq!(counts.iter().sum::<u64>(), total);
    if is_small(total) {
        return vec![Cell::Fewer; counts.len()];
    }
    let mut cells: Vec<Cell> = counts.iter().map(|&n| cell(n)).collect();
    while cells.contains(&Cell::Fewer) {
        let hidden: u64 = counts
            .iter()
            .zip(&cells)
            .filter(|(_, c)| !matches!(c, Cell::Count(_)))
            .map(|(n, _)| n)
            .sum();
        if ways(&cells, hidden) >= 2 {
            break;
        }
        let next = counts
            .iter()
            .enumerate()
            .filter(|(i, _)| matches!(cells[*i], Cell::Count(_)))
            .min_by_key(|(_, &n)| (n == 0, n))
            .map(|(i, _)| i);
        match next {
            Some(i) => cells[i] = Cell::Hidden,
            None => break,
        }
    }
    cells
}

/// In how many ways (0, 1, or 2 for "two or more") the hidden cells could
/// hold `sum` together: "fewer than 5" from 1 to 4 each, "not shown" 0 or
/// 5 and more each.
fn ways(cells: &[Cell], sum: u64) -> u8 {
    let s = usize::try_from(sum).unwrap_or(usize::MAX - 1);
    let mut dp = vec![0u8; s + 1];
    dp[0] = 1;
    for c in cells {
        let next: Vec<u8> = match c {
            Cell::Count(_) => continue,
            Cell::Fewer => (0..=s)
                .map(|t| {
                    (1..SMALL_CELL as usize)
                        .filter(|v| *v <= t)
                        .fold(0u8, |w, v| w.saturating_add(dp[t - v]))
                        .min(2)
                })
                .collect(),
            Cell::Hidden => {
                let mut prefix = Vec::with_capacity(s + 1);
                let mut running = 0u8;
                for d in &dp {
                    running = running.saturating_add(*d).min(2);
                    prefix.push(running);
                }
                let five = SMALL_CELL as usize;
                (0..=s)
                    .map(|t| {
                        let more = if t >= five { prefix[t - five] } else { 0 };
                        dp[t].saturating_add(more).min(2)
                    })
                    .collect()
            }
        };
        dp = next;
    }
    dp[s]
}

/// The groups a report compares, each person in one: applied but never
/// reviewed (still being screened, ineligible, withdrawn), reviewed but not
/// offered a place, offered a place. Apart, so that no count is another's
/// difference.
pub const GROUPS: [&str; 3] = ["Not reviewed", "Reviewed, not offered", "Offered a place"];

/// Counts of one choice question's answers, per group; every person in
/// one row (several choices count as "More than one").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuestionTally {
    pub label: String,
    /// The options' labels, "More than one" for a question with several
    /// choices, then "No answer".
    pub rows: Vec<String>,
    /// `counts[group][row]`.
    pub counts: [Vec<u64>; 3],
    values: Vec<String>,
    key: String,
    several: bool,
}

/// The answers to every choice question of the demographics form, counted
/// per group. Free text (a self-description) is never counted or shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tally {
    pub questions: Vec<QuestionTally>,
    /// People per group.
    pub totals: [u64; 3],
}

impl Tally {
    pub fn new() -> Self {
        let questions = form()
            .questions()
            .filter_map(|q| {
                let (options, several) = match &q.kind {
                    QuestionKind::SingleChoice { options } => (options, false),
                    QuestionKind::MultipleChoice { options, .. } => (options, true),
                    _ => return None,
                };
                let mut rows: Vec<String> = options.iter().map(|o| o.label.clone()).collect();
                if several {
                    rows.push("More than one".into());
                }
                rows.push("No answer".into());
                Some(QuestionTally {
                    label: q.label.clone(),
                    counts: std::array::from_fn(|_| vec![0; rows.len()]),
                    rows,
                    values: options.iter().map(|o| o.value.clone()).collect(),
                    key: q.key.clone(),
                    several,
                })
            })
            .collect();
        Self {
            questions,
            totals: [0; 3],
        }
    }

    /// Counts one person (their answers, if they gave any) in `group`.
    pub fn add(&mut self, answers: Option<&Answers>, group: usize) {
        self.totals[group] += 1;
        for q in &mut self.questions {
            let chosen: Vec<usize> = match answers.and_then(|a| a.get(&q.key)) {
                Some(Answer::One(v)) => q.values.iter().position(|o| o == v).into_iter().collect(),
                Some(Answer::Many(vs)) => {
                    let mut at: Vec<usize> = vs
                        .iter()
                        .filter_map(|v| q.values.iter().position(|o| o == v))
                        .collect();
                    at.sort_unstable();
                    at.dedup();
                    at
                }
                None => Vec::new(),
            };
            let no_answer = q.rows.len() - 1;
            let row = match chosen.as_slice() {
                [] => no_answer,
                [one] => *one,
                _ if q.several => no_answer - 1,
                _ => chosen[0],
            };
            q.counts[group][row] += 1;
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
    fn small_counts_are_hidden_until_none_can_be_worked_out() {
        use Cell::{Count, Fewer, Hidden};
        assert_eq!(
            suppress(&[12, 7, 0], 19),
            vec![Count(12), Count(7), Count(0)]
        );
        // One small count alone would be the total's remainder.
        assert_eq!(
            suppress(&[12, 3, 7, 0], 22),
            vec![Count(12), Fewer, Hidden, Count(0)]
        );
        // Two small counts that can only be 1 and 1 (or 4 and 4) are not
        // enough either.
        assert_eq!(suppress(&[1, 1, 33], 35), vec![Fewer, Fewer, Hidden]);
        assert_eq!(suppress(&[4, 4, 30], 38), vec![Fewer, Fewer, Hidden]);
        assert_eq!(suppress(&[1, 4, 30], 35), vec![Fewer, Fewer, Count(30)]);
        // 1 and 5 would be the only split of 6: the 12 goes too.
        assert_eq!(suppress(&[12, 1, 5], 18), vec![Hidden, Fewer, Hidden]);
        assert_eq!(suppress(&[5, 5, 1], 11), vec![Hidden, Hidden, Fewer]);
        // A group of fewer than 5: nothing shown, its zeros included.
        assert_eq!(suppress(&[2, 0, 0], 2), vec![Fewer; 3]);
        assert_eq!(suppress(&[0, 0], 0), vec![Count(0); 2]);
        assert_eq!((cell(3), cell(0), cell(9)), (Fewer, Count(0), Count(9)));
        assert_eq!(Fewer.text(), "fewer than 5");
    }

    proptest::proptest! {
        /// Whatever the counts, no hidden count is the only way to fill
        /// what the shown ones leave of the total.
        #[test]
        fn no_hidden_count_can_be_worked_out(counts in proptest::collection::vec(0u64..40, 1..8)) {
            let total: u64 = counts.iter().sum();
            let cells = suppress(&counts, total);
            let hidden: u64 = counts.iter().zip(&cells).filter(|(_, c)| !matches!(c, Cell::Count(_))).map(|(n, _)| n).sum();
            for (n, c) in counts.iter().zip(&cells) {
                match c {
                    Cell::Count(shown) => proptest::prop_assert!(*shown == *n && !is_small(*n)),
                    Cell::Fewer => proptest::prop_assert!(*n < SMALL_CELL),
                    Cell::Hidden => proptest::prop_assert!(!is_small(*n)),
                }
            }
            if cells.contains(&Cell::Fewer) && !is_small(total) {
                proptest::prop_assert!(ways(&cells, hidden) >= 2, "{counts:?} -> {cells:?}");
            }
        }
    }

    #[test]
    fn each_person_counts_once_per_question_and_text_never() {
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
        t.add(Some(&a), 0);
        let mut b = Answers::new();
        b.insert("race_ethnicity".into(), Answer::Many(vec!["asian".into()]));
        t.add(Some(&b), 0);
        t.add(None, 1);
        assert_eq!(t.totals, [2, 1, 0]);
        let race = &t.questions[0];
        let row = |label: &str| race.rows.iter().position(|r| r == label).unwrap();
        assert_eq!(race.counts[0][row("Asian")], 1);
        assert_eq!(race.counts[0][row("White")], 0);
        assert_eq!(race.counts[0][row("More than one")], 1);
        assert_eq!(race.counts[1][row("No answer")], 1);
        for q in &t.questions {
            for (g, total) in t.totals.iter().enumerate() {
                assert_eq!(q.counts[g].iter().sum::<u64>(), *total, "{}", q.label);
            }
        }
        let gender = t
            .questions
            .iter()
            .find(|q| q.label == "What is your gender identity?")
            .unwrap();
        assert_eq!(gender.counts[0][0], 1);
        assert!(!gender.rows.contains(&"More than one".to_string()));
    }
}
