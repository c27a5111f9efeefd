//! Changing a rubric one step at a time, as the rubric builder does: a
//! criterion read from a form (each problem tied to its field), its key
//! made from its name, and the edits (add, replace, move, remove), each
//! giving a whole new rubric that passes [`Rubric::check`] or nothing.
//! Also what a change means for the reviews already written.
//!
//! Pure rules over plain data: imports no rocket, sqlx, aws or lettre.

use std::collections::HashSet;

use super::rubric::{
    label_problem, question_problem, Criterion, Level, Recommendation, RecommendationText, Rubric,
    RubricError, MAX_CRITERIA, MAX_END_LABEL_CHARS, MAX_KEY_CHARS, MAX_LABEL_CHARS, MAX_SCALE_SPAN,
    MAX_WEIGHT,
};

/// The longest a criterion's guidance may be, in characters.
pub const MAX_GUIDANCE_CHARS: usize = 2000;

/// A criterion as typed in the builder's form.
#[derive(Debug, Clone, Default)]
pub struct CriterionInput<'a> {
    pub name: &'a str,
    pub guidance: &'a str,
    pub min: &'a str,
    pub max: &'a str,
    pub min_label: &'a str,
    pub max_label: &'a str,
    pub weight: &'a str,
    pub allow_na: bool,
    /// One level a line: the score, a colon, the guidance ("5: Exceptional").
    pub levels: &'a str,
}

/// Problems with a criterion's form, each with its field's name.
pub type FieldErrors = Vec<(&'static str, String)>;

/// A stable key from a criterion's name: lower-case ASCII letters and
/// digits, every other run of characters one `_`, at most 40 characters,
/// `criterion` when nothing is left, and `_2`, `_3`... after it while
/// `taken` says the key is used.
pub fn key_from_name(name: &str, taken: impl Fn(&str) -> bool) -> String {
    let mut key = String::new();
    for ch in name.trim().chars().flat_map(char::to_lowercase) {
        if ch.is_ascii_lowercase() || ch.is_ascii_digit() {
            key.push(ch);
        } else if !key.ends_with('_') && !key.is_empty() {
            key.push('_');
        }
    }
    let mut key: String = key
        .trim_end_matches('_')
        .chars()
        .take(MAX_KEY_CHARS)
        .collect();
    key = key.trim_end_matches('_').to_owned();
    if key.is_empty() {
        key = "criterion".to_owned();
    }
    if !taken(&key) {
        return key;
    }
    (2..)
        .map(|n| {
            let suffix = format!("_{n}");
            let stem: String = key.chars().take(MAX_KEY_CHARS - suffix.len()).collect();
            format!("{}{suffix}", stem.trim_end_matches('_'))
        })
        .find(|k| !taken(k))
        .unwrap_or(key)
}

/// Reads a criterion from its form, with `key`, checking it against the
/// rubric's `others` (the criteria it sits beside; a name may be used
/// once). Every problem is reported, each against its field.
pub fn read_criterion(
    input: &CriterionInput<'_>,
    key: String,
    others: &[Criterion],
) -> Result<Criterion, FieldErrors> {
    let mut errors: FieldErrors = Vec::new();
    let name = input.name.trim();
    if name.is_empty() {
        errors.push((
            "name",
            "Give the criterion a name reviewers will see.".into(),
        ));
    } else if name.chars().count() > MAX_LABEL_CHARS {
        errors.push((
            "name",
            format!("Shorten the name to {MAX_LABEL_CHARS} characters or fewer."),
        ));
    } else if let Some(same) = others
        .iter()
        .find(|c| c.label.trim().to_lowercase() == name.to_lowercase())
    {
        errors.push((
            "name",
            format!(
                "Another criterion is already called \u{201c}{}\u{201d}; give this one its own name.",
                same.label
            ),
        ));
    }
    let guidance = input.guidance.trim();
    if guidance.chars().count() > MAX_GUIDANCE_CHARS {
        errors.push((
            "guidance",
            format!("Shorten the guidance to {MAX_GUIDANCE_CHARS} characters or fewer."),
        ));
    }
    let (min, max) = read_scale(input, &mut errors);
    for (field, label, which) in [
        ("min_label", input.min_label, "lowest"),
        ("max_label", input.max_label, "highest"),
    ] {
        if label.trim().chars().count() > MAX_END_LABEL_CHARS {
            errors.push((
                field,
                format!("Shorten what the {which} score means to {MAX_END_LABEL_CHARS} characters or fewer."),
            ));
        }
    }
    let weight = match input.weight.trim().parse::<f64>() {
        Ok(w) if !w.is_finite() => None,
        Ok(w) if w <= 0.0 || w > MAX_WEIGHT => {
            errors.push((
                "weight",
                "The weight must be above 0 and at most 100.".to_owned(),
            ));
            None
        }
        Ok(w) => Some(w),
        Err(_) => None,
    };
    if weight.is_none() && !errors.iter().any(|(f, _)| *f == "weight") {
        errors.push((
            "weight",
            "The weight must be a number, such as 1 or 2.5.".to_owned(),
        ));
    }
    let levels = read_levels(input.levels, min.zip(max), &mut errors);
    match (min, max, weight, errors.is_empty()) {
        (Some(min), Some(max), Some(weight), true) => Ok(Criterion {
            key,
            label: name.to_owned(),
            description: guidance.to_owned(),
            min,
            max,
            min_label: input.min_label.trim().to_owned(),
            max_label: input.max_label.trim().to_owned(),
            weight,
            allow_na: input.allow_na,
            levels,
        }),
        _ => Err(errors),
    }
}

fn read_scale(input: &CriterionInput<'_>, errors: &mut FieldErrors) -> (Option<i32>, Option<i32>) {
    let min = match input.min.trim().parse::<i32>() {
        Ok(m) if m < 0 => {
            errors.push(("min", "The lowest score may not be below 0.".into()));
            None
        }
        Ok(m) => Some(m),
        Err(_) => {
            errors.push((
                "min",
                "The lowest score must be a whole number, such as 1.".into(),
            ));
            None
        }
    };
    let max = match input.max.trim().parse::<i32>() {
        Ok(m) => Some(m),
        Err(_) => {
            errors.push((
                "max",
                "The highest score must be a whole number, such as 5.".into(),
            ));
            None
        }
    };
    match (min, max) {
        (Some(lo), Some(hi)) if lo >= hi => {
            errors.push((
                "max",
                format!("The highest score must be above the lowest ({lo})."),
            ));
            (Some(lo), None)
        }
        (Some(lo), Some(hi)) if i64::from(hi) - i64::from(lo) > i64::from(MAX_SCALE_SPAN) => {
            errors.push((
                "max",
                format!(
                    "The scale may span at most {MAX_SCALE_SPAN} points: with {lo} as the lowest score, the highest may be at most {}.",
                    lo.saturating_add(MAX_SCALE_SPAN)
                ),
            ));
            (Some(lo), None)
        }
        scale => scale,
    }
}

fn read_levels(text: &str, scale: Option<(i32, i32)>, errors: &mut FieldErrors) -> Vec<Level> {
    let mut levels = Vec::new();
    let mut seen = HashSet::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let parsed = line
            .split_once(':')
            .and_then(|(score, text)| Some((score.trim().parse::<i32>().ok()?, text.trim())));
        let problem = match parsed {
            None => Some(
                "Write each level on its own line as the score, a colon and its guidance, for example \u{201c}5: Exceptional\u{201d}."
                    .to_owned(),
            ),
            Some((score, "")) => Some(format!("The guidance for the score {score} is empty.")),
            Some((score, _)) if !seen.insert(score) => {
                Some(format!("The score {score} has guidance twice; give it once."))
            }
            Some((score, _)) => match scale {
                Some((min, max)) if !(min..=max).contains(&score) => Some(format!(
                    "There is guidance for the score {score}, which is not on the scale from {min} to {max}."
                )),
                _ => {
                    if let Some((score, text)) = parsed {
                        levels.push(Level {
                            score,
                            text: text.to_owned(),
                        });
                    }
                    None
                }
            },
        };
        if let Some(p) = problem {
            errors.push(("levels", p));
            break;
        }
    }
    levels.sort_by_key(|l| l.score);
    levels
}

/// A criterion's level guidance as the builder's text: one `score: text`
/// a line, lowest score first.
pub fn levels_text(c: &Criterion) -> String {
    let mut levels = c.levels.clone();
    levels.sort_by_key(|l| l.score);
    levels
        .iter()
        .map(|l| format!("{}: {}", l.score, l.text))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The builder's field for the label of `level`.
pub fn label_field(level: Recommendation) -> &'static str {
    match level {
        Recommendation::StronglySupport => "label_strongly_support",
        Recommendation::Support => "label_support",
        Recommendation::Neutral => "label_neutral",
        Recommendation::DoNotSupport => "label_do_not_support",
    }
}

/// The overall recommendation's words as typed in the builder (the
/// question, then a label per level in [`Recommendation::ALL`] order),
/// trimmed: `None` when they are the defaults. Every problem is tied to
/// its field (`question`, or [`label_field`]); a label used twice is
/// named against its second use.
pub fn read_recommendation(
    question: &str,
    labels: [&str; 4],
) -> Result<Option<RecommendationText>, FieldErrors> {
    let question = question.trim();
    let labels = labels.map(str::trim);
    let mut errors = FieldErrors::new();
    if let Some(e) = question_problem(question) {
        errors.push(("question", e.to_string()));
    }
    let mut seen = HashSet::new();
    for (level, label) in Recommendation::ALL.into_iter().zip(labels) {
        if let Some(e) = label_problem(level, label) {
            errors.push((label_field(level), e.to_string()));
        } else if !seen.insert(label.to_lowercase()) {
            let e = RubricError::RecommendationLabelTwice(label.to_owned());
            errors.push((label_field(level), e.to_string()));
        }
    }
    if errors.is_empty() {
        Ok(RecommendationText::new(question, labels))
    } else {
        Err(errors)
    }
}

/// Which way a criterion moves in the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Up,
    Down,
}

/// One step of the builder.
#[derive(Debug, Clone)]
pub enum Edit {
    /// A criterion added at the end.
    Add(Criterion),
    /// The criterion with `key` replaced (its key may change).
    Replace { key: String, with: Criterion },
    /// The criterion with `key` moved one place.
    Move { key: String, to: Direction },
    /// The criterion with `key` removed.
    Remove { key: String },
    /// The overall recommendation's words set (`None`: the defaults).
    Recommendation(Option<RecommendationText>),
}

/// Why an edit cannot be made, in a program manager's words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    #[error("The rubric has no criterion {0:?} any more; it may have been changed meanwhile.")]
    NoSuchCriterion(String),
    #[error("The rubric has {MAX_CRITERIA} criteria, the most it may have; remove one before adding another.")]
    TooMany,
    #[error("The rubric needs at least one criterion; add another before removing this one.")]
    LastOne,
    #[error("That criterion is already at that end of the list.")]
    AtTheEnd,
    #[error("{0}")]
    Rule(#[from] RubricError),
}

/// `rubric` with `edit` made, checked whole.
pub fn apply(rubric: &Rubric, edit: Edit) -> Result<Rubric, EditError> {
    let mut next = rubric.clone();
    let find = |key: &str| {
        next_index(rubric, key).ok_or_else(|| EditError::NoSuchCriterion(key.to_owned()))
    };
    match edit {
        Edit::Add(c) => {
            if rubric.criteria.len() >= MAX_CRITERIA {
                return Err(EditError::TooMany);
            }
            next.criteria.push(c);
        }
        Edit::Replace { key, with } => {
            let i = find(&key)?;
            next.criteria[i] = with;
        }
        Edit::Move { key, to } => {
            let i = find(&key)?;
            let j = match to {
                Direction::Up => i.checked_sub(1),
                Direction::Down => Some(i + 1).filter(|j| *j < next.criteria.len()),
            }
            .ok_or(EditError::AtTheEnd)?;
            next.criteria.swap(i, j);
        }
        Edit::Remove { key } => {
            let i = find(&key)?;
            if rubric.criteria.len() == 1 {
                return Err(EditError::LastOne);
            }
            next.criteria.remove(i);
        }
        Edit::Recommendation(text) => next.recommendation = text,
    }
    next.check()?;
    Ok(next)
}

fn next_index(rubric: &Rubric, key: &str) -> Option<usize> {
    rubric.criteria.iter().position(|c| c.key == key)
}

/// What a change does to the reviews already written, when there are any:
/// `started` reviews (drafts and submitted), `submitted` of them submitted.
pub fn change_notice(started: i64, submitted: i64) -> Option<String> {
    let drafts = started - submitted;
    let s = |n: i64| if n == 1 { "" } else { "s" };
    match (started, drafts) {
        (0, _) => None,
        (n, 0) => Some(format!(
            "The {n} review{} already submitted keep{} the rubric {} written under, with {} scores and total{}; new reviews use the changed rubric.",
            s(n),
            if n == 1 { "s" } else { "" },
            if n == 1 { "it was" } else { "they were" },
            if n == 1 { "its" } else { "their" },
            s(n),
        )),
        (n, d) => Some(format!(
            "The {n} review{} already started ({submitted} submitted, {d} draft{}) keep{} the rubric {} started under, with {} scores and total{}; new reviews use the changed rubric.",
            s(n),
            s(d),
            if n == 1 { "s" } else { "" },
            if n == 1 { "it was" } else { "they were" },
            if n == 1 { "its" } else { "their" },
            s(n),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input<'a>(name: &'a str, min: &'a str, max: &'a str, weight: &'a str) -> CriterionInput<'a> {
        CriterionInput {
            name,
            min,
            max,
            weight,
            ..CriterionInput::default()
        }
    }

    fn rubric() -> Rubric {
        Rubric::parse(
            r#"{"criteria": [
                {"key": "impact", "label": "Impact", "min": 1, "max": 5, "weight": 2},
                {"key": "clarity", "label": "Clarity", "min": 1, "max": 5, "weight": 1}
            ]}"#,
        )
        .unwrap()
    }

    fn fields(e: &FieldErrors) -> Vec<&str> {
        e.iter().map(|(f, _)| *f).collect()
    }

    #[test]
    fn keys_come_from_names_and_never_collide() {
        let none = |_: &str| false;
        assert_eq!(key_from_name("Community Impact", none), "community_impact");
        assert_eq!(key_from_name("  Écoute & care!! ", none), "coute_care");
        assert_eq!(key_from_name("???", none), "criterion");
        assert_eq!(key_from_name(&"a".repeat(60), none).len(), 40);
        let taken = |k: &str| ["impact", "impact_2"].contains(&k);
        assert_eq!(key_from_name("Impact", taken), "impact_3");
        let long = "b".repeat(45);
        let taken = |k: &str| k == "b".repeat(40);
        let key = key_from_name(&long, taken);
        assert_eq!(key, format!("{}_2", "b".repeat(38)));
        assert!(Rubric::parse(&format!(
            r#"{{"criteria": [{{"key": "{key}", "label": "B", "min": 1, "max": 5, "weight": 1}}]}}"#
        ))
        .is_ok());
    }

    #[test]
    fn a_criterion_reads_from_its_form() {
        let mut i = input(" Leadership ", "0", "4", "2.5");
        i.guidance = "Has led others";
        i.min_label = " Weak ";
        i.max_label = "Exceptional";
        i.allow_na = true;
        i.levels = "4: Leads a team\n\n0: No sign\n";
        let c = read_criterion(&i, "leadership".into(), &rubric().criteria).unwrap();
        assert_eq!(c.label, "Leadership");
        assert_eq!((c.min, c.max, c.weight), (0, 4, 2.5));
        assert_eq!(
            (c.min_label.as_str(), c.max_label.as_str()),
            ("Weak", "Exceptional")
        );
        assert_eq!(c.end_label(0), Some("Weak"));
        assert_eq!(c.end_label(2), None);
        assert_eq!(c.guidance(4), Some("Leads a team"));
        assert_eq!(levels_text(&c), "0: No sign\n4: Leads a team");
    }

    #[test]
    fn each_bad_input_is_named_against_its_field() {
        let others = rubric().criteria;
        let e = read_criterion(&input("", "x", "5", "heavy"), "k".into(), &others).unwrap_err();
        assert_eq!(fields(&e), ["name", "min", "weight"]);
        assert_eq!(e[2].1, "The weight must be a number, such as 1 or 2.5.");
        for w in ["0", "-1", "100.5"] {
            let e = read_criterion(&input("New", "1", "5", w), "k".into(), &others).unwrap_err();
            assert_eq!(
                e,
                [(
                    "weight",
                    "The weight must be above 0 and at most 100.".to_owned()
                )]
            );
        }
        let e = read_criterion(&input("New", "5", "5", "1"), "k".into(), &others).unwrap_err();
        assert_eq!(
            e,
            [(
                "max",
                "The highest score must be above the lowest (5).".to_owned()
            )]
        );
        let e = read_criterion(&input("New", "1", "12", "1"), "k".into(), &others).unwrap_err();
        assert_eq!(e[0].0, "max");
        assert!(e[0].1.contains("at most 11"));
        let e = read_criterion(&input("New", "-1", "5", "1"), "k".into(), &others).unwrap_err();
        assert_eq!(fields(&e), ["min"]);
        let e = read_criterion(&input(" impact ", "1", "5", "1"), "k".into(), &others).unwrap_err();
        assert_eq!(
            e,
            [("name", "Another criterion is already called \u{201c}Impact\u{201d}; give this one its own name.".to_owned())]
        );
        let long = "n".repeat(121);
        let e = read_criterion(&input(&long, "1", "5", "1"), "k".into(), &others).unwrap_err();
        assert_eq!(fields(&e), ["name"]);
        let mut i = input("New", "1", "5", "1");
        i.min_label = &long;
        assert_eq!(
            fields(&read_criterion(&i, "k".into(), &others).unwrap_err()),
            ["min_label"]
        );
        for (levels, message) in [
            ("5 Exceptional", "Write each level"),
            ("6: Off", "not on the scale from 1 to 5"),
            ("2: a\n2: b", "has guidance twice"),
            ("3:  ", "is empty"),
        ] {
            let mut i = input("New", "1", "5", "1");
            i.levels = levels;
            let e = read_criterion(&i, "k".into(), &others).unwrap_err();
            assert_eq!(fields(&e), ["levels"], "{levels}");
            assert!(e[0].1.contains(message), "{}", e[0].1);
        }
    }

    #[test]
    fn edits_give_a_whole_checked_rubric() {
        let r = rubric();
        let extra =
            read_criterion(&input("Fit", "1", "3", "1"), "fit".into(), &r.criteria).unwrap();
        let added = apply(&r, Edit::Add(extra.clone())).unwrap();
        assert_eq!(added.criteria.len(), 3);
        let moved = apply(
            &added,
            Edit::Move {
                key: "fit".into(),
                to: Direction::Up,
            },
        )
        .unwrap();
        let keys: Vec<&str> = moved.criteria.iter().map(|c| c.key.as_str()).collect();
        assert_eq!(keys, ["impact", "fit", "clarity"]);
        assert_eq!(
            apply(
                &moved,
                Edit::Move {
                    key: "impact".into(),
                    to: Direction::Up
                }
            )
            .unwrap_err(),
            EditError::AtTheEnd
        );
        let removed = apply(&moved, Edit::Remove { key: "fit".into() }).unwrap();
        assert_eq!(removed, r);
        let mut renamed = r.criteria[0].clone();
        renamed.key = "reach".into();
        let replaced = apply(
            &r,
            Edit::Replace {
                key: "impact".into(),
                with: renamed,
            },
        )
        .unwrap();
        assert_eq!(replaced.criteria[0].key, "reach");
        assert!(matches!(
            apply(&r, Edit::Remove { key: "nope".into() }),
            Err(EditError::NoSuchCriterion(_))
        ));
        let one = apply(
            &r,
            Edit::Remove {
                key: "clarity".into(),
            },
        )
        .unwrap();
        assert_eq!(
            apply(
                &one,
                Edit::Remove {
                    key: "impact".into()
                }
            )
            .unwrap_err(),
            EditError::LastOne
        );
        let mut full = r.clone();
        for n in 2..MAX_CRITERIA {
            let mut c = extra.clone();
            c.key = format!("c{n}");
            full.criteria.push(c);
        }
        assert_eq!(full.criteria.len(), MAX_CRITERIA);
        assert_eq!(
            apply(&full, Edit::Add(extra)).unwrap_err(),
            EditError::TooMany
        );
    }

    #[test]
    fn a_duplicate_key_is_caught_by_the_whole_check() {
        let r = rubric();
        let mut dup = r.criteria[0].clone();
        dup.label = "Other".into();
        assert!(matches!(
            apply(&r, Edit::Add(dup)),
            Err(EditError::Rule(RubricError::DuplicateKey(_)))
        ));
    }

    #[test]
    fn the_recommendation_reads_from_its_form() {
        let defaults = ["Strongly support", "Support", "Neutral", "Do not support"];
        assert_eq!(
            read_recommendation(" Your recommendation ", defaults),
            Ok(None)
        );
        let text = read_recommendation(
            "Should we fund this?",
            ["Yes, gladly", "Yes", " Undecided ", "No"],
        )
        .unwrap()
        .unwrap();
        assert_eq!(text.question, "Should we fund this?");
        assert_eq!(text.label(Recommendation::Neutral), "Undecided");
        let next = apply(&rubric(), Edit::Recommendation(Some(text))).unwrap();
        assert_eq!(next.recommendation_label(Recommendation::Support), "Yes");
        assert_eq!(next.criteria, rubric().criteria);
    }

    #[test]
    fn each_bad_recommendation_input_is_named_against_its_field() {
        let long = "x".repeat(61);
        let e = read_recommendation(&"q".repeat(201), ["", "Support", long.as_str(), "support"])
            .unwrap_err();
        assert_eq!(
            e,
            vec![
                (
                    "question",
                    "The question for the overall recommendation may be at most 200 characters long.".to_owned()
                ),
                (
                    "label_strongly_support",
                    "The label for \u{201c}Strongly support\u{201d} is empty; give each level of the recommendation a label.".to_owned()
                ),
                (
                    "label_neutral",
                    "The label for \u{201c}Neutral\u{201d} may be at most 60 characters long.".to_owned()
                ),
                (
                    "label_do_not_support",
                    "Two levels of the recommendation are labelled \"support\"; give each its own label.".to_owned()
                ),
            ]
        );
        let e = read_recommendation("  ", ["A", "B", "C", "D"]).unwrap_err();
        assert_eq!(fields(&e), vec!["question"]);
    }

    #[test]
    fn the_notice_says_what_happens_to_written_reviews() {
        assert_eq!(change_notice(0, 0), None);
        assert_eq!(
            change_notice(12, 12).unwrap(),
            "The 12 reviews already submitted keep the rubric they were written under, with their scores and totals; new reviews use the changed rubric."
        );
        assert_eq!(
            change_notice(1, 0).unwrap(),
            "The 1 review already started (0 submitted, 1 draft) keeps the rubric it was started under, with its scores and total; new reviews use the changed rubric."
        );
    }
}
