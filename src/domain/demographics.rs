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

/// A count as reported: the number, "fewer than 5", or "not shown".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cell {
    Count(u64),
    /// A count from 1 to 4.
    Fewer,
    /// A count of 0 or of 5 and more, hidden so that a small one cannot
    /// be worked out.
    Hidden,
    /// Any count: the whole column is held back, because no choice of
    /// hidden counts would keep its small ones from being worked out.
    Withheld,
}

impl Cell {
    /// The words shown.
    pub fn text(self) -> String {
        match self {
            Self::Count(n) => n.to_string(),
            Self::Fewer => format!("fewer than {SMALL_CELL}"),
            Self::Hidden | Self::Withheld => "not shown".into(),
        }
    }

    /// Whether the count is not shown as a number.
    fn is_concealed(self) -> bool {
        !matches!(self, Self::Count(_))
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
/// from 1 to 4 is hidden ("fewer than 5"); then, while any of them could
/// be worked out exactly from what the shown counts leave of the total,
/// the smallest shown count is hidden too (above zero first). If even
/// that leaves one that can be worked out, no count of the column is
/// shown. A group of fewer than 5 shows no count.
pub fn suppress(counts: &[u64], total: u64) -> Vec<Cell> {
    debug_assert_eq!(counts.iter().sum::<u64>(), total);
    if is_small(total) {
        return vec![Cell::Fewer; counts.len()];
    }
    let mut cells: Vec<Cell> = counts.iter().map(|&n| cell(n)).collect();
    loop {
        let hidden: u64 = counts
            .iter()
            .zip(&cells)
            .filter(|(_, c)| c.is_concealed())
            .map(|(n, _)| n)
            .sum();
        if (0..cells.len()).all(|i| cells[i] != Cell::Fewer || !is_determined(&cells, hidden, i)) {
            return cells;
        }
        let next = counts
            .iter()
            .enumerate()
            .filter(|(i, _)| matches!(cells[*i], Cell::Count(_)))
            .min_by_key(|(_, &n)| (n == 0, n))
            .map(|(i, _)| i);
        match next {
            Some(i) => cells[i] = Cell::Hidden,
            None => return vec![Cell::Withheld; counts.len()],
        }
    }
}

/// The counts a concealed cell may hold: "fewer than 5" 1 to 4, "not
/// shown" 0 or 5 and more (up to `sum`), "withheld" anything up to `sum`.
fn may_hold(c: Cell, v: u64) -> bool {
    match c {
        Cell::Count(_) => false,
        Cell::Fewer => is_small(v),
        Cell::Hidden => !is_small(v),
        Cell::Withheld => true,
    }
}

/// The totals reachable with one more concealed cell, given those
/// reachable without it (linear in the sum: ranges through prefix sets).
fn add_cell(reachable: &[bool], c: Cell) -> Vec<bool> {
    let small = SMALL_CELL as usize;
    // below[t]: some total up to t is reachable.
    let below: Vec<bool> = reachable
        .iter()
        .scan(false, |any, &r| {
            *any |= r;
            Some(*any)
        })
        .collect();
    (0..reachable.len())
        .map(|t| match c {
            Cell::Count(_) => reachable[t],
            Cell::Fewer => (1..small).any(|v| v <= t && reachable[t - v]),
            Cell::Hidden => reachable[t] || (t >= small && below[t - small]),
            Cell::Withheld => below[t],
        })
        .collect()
}

/// Whether the concealed cell `at` can hold only one count, given that
/// the concealed cells hold `sum` together: the reader could work it out.
fn is_determined(cells: &[Cell], sum: u64, at: usize) -> bool {
    let s = usize::try_from(sum).unwrap_or(usize::MAX - 1);
    // reachable[t]: the other concealed cells can hold t together.
    let mut reachable = vec![false; s + 1];
    reachable[0] = true;
    for (i, &c) in cells.iter().enumerate() {
        if i == at || !c.is_concealed() {
            continue;
        }
        reachable = add_cell(&reachable, c);
    }
    let possible = (0..=s)
        .filter(|&v| may_hold(cells[at], v as u64) && reachable[s - v])
        .take(2)
        .count();
    possible < 2
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
        use Cell::{Count, Fewer, Hidden, Withheld};
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
        // A group of 6 split 1 and 5: "fewer than 5" and "not shown"
        // could only be 1 and 5, so the column shows nothing.
        assert_eq!(suppress(&[1, 5], 6), vec![Withheld, Withheld]);
        assert_eq!(suppress(&[5, 1], 6), vec![Withheld, Withheld]);
        // Two ways to fill the hidden cells are not enough when the small
        // count is the same in both (1 + 5 + 0 or 1 + 0 + 5).
        assert_eq!(suppress(&[1, 5, 0], 6), vec![Withheld; 3]);
        // 2 + 5 could as well be 1 + 6.
        assert_eq!(
            suppress(&[2, 5, 0, 9], 16),
            vec![Fewer, Hidden, Count(0), Count(9)]
        );
        assert_eq!(suppress(&[1, 5, 9], 15), vec![Fewer, Hidden, Hidden]);
        assert_eq!(Withheld.text(), "not shown");
        // A group of fewer than 5: nothing shown, its zeros included.
        assert_eq!(suppress(&[2, 0, 0], 2), vec![Fewer; 3]);
        assert_eq!(suppress(&[0, 0], 0), vec![Count(0); 2]);
        assert_eq!((cell(3), cell(0), cell(9)), (Fewer, Count(0), Count(9)));
        assert_eq!(Fewer.text(), "fewer than 5");
    }

    /// Every count the concealed cell `at` could hold, found by trying
    /// each filling of the others (a plain search, apart from the rule's
    /// own arithmetic).
    fn could_hold(cells: &[Cell], sum: u64, at: usize) -> Vec<u64> {
        fn fill(
            cells: &[Cell],
            skip: usize,
            from: usize,
            left: u64,
            memo: &mut std::collections::HashMap<(usize, u64), bool>,
        ) -> bool {
            if from == cells.len() {
                return left == 0;
            }
            if from == skip || matches!(cells[from], Cell::Count(_)) {
                return fill(cells, skip, from + 1, left, memo);
            }
            if let Some(&known) = memo.get(&(from, left)) {
                return known;
            }
            let found = (0..=left)
                .any(|v| may_hold(cells[from], v) && fill(cells, skip, from + 1, left - v, memo));
            memo.insert((from, left), found);
            found
        }
        let mut memo = std::collections::HashMap::new();
        (0..=sum)
            .filter(|&v| may_hold(cells[at], v) && fill(cells, at, 0, sum - v, &mut memo))
            .collect()
    }

    proptest::proptest! {
        /// Whatever the counts, every count shown is the true one and not
        /// small, and every small one could be at least two numbers given
        /// the shown counts and the group's size.
        #[test]
        fn no_hidden_count_can_be_worked_out(counts in proptest::collection::vec(0u64..40, 1..8)) {
            let total: u64 = counts.iter().sum();
            let cells = suppress(&counts, total);
            let hidden: u64 = counts.iter().zip(&cells).filter(|(_, c)| c.is_concealed()).map(|(n, _)| n).sum();
            for (i, (n, c)) in counts.iter().zip(&cells).enumerate() {
                match c {
                    Cell::Count(shown) => proptest::prop_assert!(*shown == *n && !is_small(*n)),
                    Cell::Fewer => proptest::prop_assert!(*n < SMALL_CELL),
                    Cell::Hidden => proptest::prop_assert!(!is_small(*n)),
                    Cell::Withheld => proptest::prop_assert!(cells.iter().all(|c| *c == Cell::Withheld)),
                }
                if *c != Cell::Count(*n) && is_small(*n) && !is_small(total) {
                    let could = could_hold(&cells, hidden, i);
                    proptest::prop_assert!(could.contains(n), "{counts:?} -> {cells:?}: cell {i} cannot be {n}");
                    proptest::prop_assert!(could.len() >= 2, "{counts:?} -> {cells:?}: cell {i} can only be {could:?}");
                }
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
