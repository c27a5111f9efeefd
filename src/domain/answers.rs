//! Judging answers against a form: what a save accepts (the shape: known
//! questions, offered choices) and what a submission needs (everything
//! required, every answer in its limits).

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::email::EmailAddress;
use super::form::{Answer, Answers, FormDefinition, Question, QuestionKind};
use super::user::is_forbidden_in_name;

/// A problem with one answer, in the words shown next to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub key: String,
    pub message: String,
}

fn problem(key: &str, message: impl Into<String>) -> Problem {
    Problem {
        key: key.to_owned(),
        message: message.into(),
    }
}

/// Values as submitted by a section's form: question key → values.
pub type Submitted = BTreeMap<String, Vec<String>>;

/// Checks the shape of a save: every key is a question of the form that
/// takes typed answers, and every choice is one the question offers.
/// Returns the answers to store (blank answers clear the stored one), or
/// every problem; a save with problems stores nothing.
pub fn accept_save(
    form: &FormDefinition,
    submitted: &Submitted,
) -> Result<Vec<(String, Option<Answer>)>, Vec<Problem>> {
    let mut accepted = Vec::new();
    let mut problems = Vec::new();
    for (key, values) in submitted {
        let Some(q) = form.question(key) else {
            problems.push(problem(key, "This form sent an answer to a question that does not exist. Reload the page and try again."));
            continue;
        };
        let values: Vec<String> = values.iter().map(|v| v.replace("\r\n", "\n")).collect();
        match &q.kind {
            QuestionKind::Document { .. } | QuestionKind::Referees { .. } => {
                problems.push(problem(key, "Files and referees are not sent as text."));
            }
            QuestionKind::SingleChoice { options } => {
                let v = values.last().map(|s| s.trim()).unwrap_or("");
                if v.is_empty() {
                    accepted.push((key.clone(), None));
                } else if options.iter().any(|o| o.value == v) {
                    accepted.push((key.clone(), Some(Answer::One(v.to_owned()))));
                } else {
                    problems.push(problem(key, "Choose one of the options listed."));
                }
            }
            QuestionKind::Consent => {
                // A hidden empty value comes before the box's own, so that
                // unticking clears the answer.
                let ticked = values.iter().any(|v| v.trim() == "yes");
                let other = values.iter().any(|v| !matches!(v.trim(), "" | "yes"));
                if other {
                    problems.push(problem(key, "Tick the box or leave it empty."));
                } else {
                    accepted.push((key.clone(), ticked.then(|| Answer::One("yes".into()))));
                }
            }
            QuestionKind::YesNo => {
                let v = values.last().map(|s| s.trim()).unwrap_or("");
                match v {
                    "" => accepted.push((key.clone(), None)),
                    "yes" | "no" => accepted.push((key.clone(), Some(Answer::One(v.to_owned())))),
                    _ => problems.push(problem(key, "Choose yes or no.")),
                }
            }
            QuestionKind::MultipleChoice { options, .. } => {
                let chosen: Vec<String> = values
                    .iter()
                    .map(|v| v.trim().to_owned())
                    .filter(|v| !v.is_empty())
                    .collect();
                if chosen.iter().all(|v| options.iter().any(|o| &o.value == v)) {
                    // In the order of the options, once each.
                    let ordered: Vec<String> = options
                        .iter()
                        .filter(|o| chosen.contains(&o.value))
                        .map(|o| o.value.clone())
                        .collect();
                    accepted.push((
                        key.clone(),
                        (!ordered.is_empty()).then_some(Answer::Many(ordered)),
                    ));
                } else {
                    problems.push(problem(key, "Choose from the options listed."));
                }
            }
            _ => {
                let v = values.last().cloned().unwrap_or_default();
                if let Some(message) = name_problem(q, &v) {
                    problems.push(problem(key, message));
                } else if v.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
                    problems.push(problem(
                        key,
                        "Remove the control characters from this answer.",
                    ));
                } else if v.chars().count() > 50_000 {
                    problems.push(problem(key, "This answer is far too long to save."));
                } else {
                    let trimmed = v.trim();
                    accepted.push((
                        key.clone(),
                        (!trimmed.is_empty()).then(|| Answer::One(trimmed.to_owned())),
                    ));
                }
            }
        }
    }
    if problems.is_empty() {
        Ok(accepted)
    } else {
        Err(problems)
    }
}

/// Why an answer that holds a person's name (pre-filled from the account's
/// name or the profile's preferred name) cannot be that name, if it cannot:
/// the same characters are refused as in an account's name.
fn name_problem(q: &Question, value: &str) -> Option<&'static str> {
    let message = match q.profile.as_deref() {
        Some("name") => "Your name cannot contain invisible control characters.",
        Some("preferred_name") => {
            "Your preferred name cannot contain invisible control characters."
        }
        _ => return None,
    };
    value
        .trim()
        .chars()
        .any(is_forbidden_in_name)
        .then_some(message)
}

/// What an application has besides typed answers.
#[derive(Debug, Clone, Default)]
pub struct Attachments {
    /// Question keys with a document attached.
    pub documents: Vec<String>,
    /// Referees named per question key.
    pub referees: BTreeMap<String, usize>,
}

/// Every problem that stands between the answers and a submission, in the
/// order of the form. Questions hidden by their condition are skipped.
pub fn check_complete(
    form: &FormDefinition,
    answers: &Answers,
    attached: &Attachments,
) -> Vec<Problem> {
    let mut problems = Vec::new();
    for q in form.questions() {
        if !form.is_shown(q, answers) {
            continue;
        }
        if let Some(p) = check_one(q, answers.get(&q.key), attached) {
            problems.push(p);
        }
    }
    problems
}

/// Words in a text, as a reader counts them.
pub fn word_count(text: &str) -> usize {
    text.split_whitespace().count()
}

/// The problem with one answer, if any (also used to warn at save time).
pub fn check_one(q: &Question, answer: Option<&Answer>, attached: &Attachments) -> Option<Problem> {
    let key = q.key.as_str();
    let text = match answer {
        Some(Answer::One(s)) => Some(s.as_str()),
        _ => None,
    };
    match &q.kind {
        QuestionKind::Document { .. } => {
            return (q.required && !attached.documents.iter().any(|d| d == key))
                .then(|| problem(key, format!("Upload a file for “{}”.", q.label)));
        }
        QuestionKind::Referees { min, .. } => {
            let named = attached.referees.get(key).copied().unwrap_or(0);
            return (q.required && named < *min).then(|| {
                let n = if *min == 1 {
                    "one referee".to_owned()
                } else {
                    format!("{min} referees")
                };
                problem(
                    key,
                    format!("Name {n} for “{}” ({named} named so far).", q.label),
                )
            });
        }
        QuestionKind::MultipleChoice { min, max, .. } => {
            let n = match answer {
                Some(Answer::Many(v)) => v.len(),
                _ => 0,
            };
            if n == 0 {
                return q.required.then(|| {
                    problem(
                        key,
                        format!("Choose at least one option for “{}”.", q.label),
                    )
                });
            }
            if let Some(lo) = min.filter(|lo| n < *lo) {
                return Some(problem(
                    key,
                    format!("Choose at least {lo} options for “{}”.", q.label),
                ));
            }
            if let Some(hi) = max.filter(|hi| n > *hi) {
                return Some(problem(
                    key,
                    format!("Choose at most {hi} options for “{}”.", q.label),
                ));
            }
            return None;
        }
        QuestionKind::Consent => {
            let ticked = text == Some("yes");
            return (q.required && !ticked)
                .then(|| problem(key, format!("Tick “{}” to go on: it is required.", q.label)));
        }
        _ => {}
    }
    let Some(text) = text.filter(|t| !t.trim().is_empty()) else {
        let verb = match q.kind {
            QuestionKind::SingleChoice { .. } | QuestionKind::YesNo => "Choose an answer for",
            _ => "Answer",
        };
        return q
            .required
            .then(|| problem(key, format!("{verb} “{}”.", q.label)));
    };
    match &q.kind {
        QuestionKind::ShortText {
            max_chars,
            max_words,
        } => too_long(q, text, Some(*max_chars), *max_words),
        QuestionKind::LongText {
            max_words,
            max_chars,
        } => too_long(q, text, *max_chars, *max_words),
        QuestionKind::Phone => (!is_phone(text)).then(|| {
            problem(
                key,
                format!(
                    "Enter “{}” as a telephone number, for example +1 505 555 0100.",
                    q.label
                ),
            )
        }),
        QuestionKind::Email => EmailAddress::parse(text)
            .err()
            .map(|e| problem(key, e.to_string())),
        QuestionKind::Url => {
            let ok = (text.starts_with("https://") || text.starts_with("http://"))
                && !text.contains(char::is_whitespace)
                && text
                    .split("://")
                    .nth(1)
                    .is_some_and(|rest| rest.split('/').next().is_some_and(|h| h.contains('.')));
            (!ok).then(|| {
                problem(
                    key,
                    format!(
                        "Enter a full web address for “{}”, starting with https://.",
                        q.label
                    ),
                )
            })
        }
        QuestionKind::Date => NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .is_err()
            .then(|| {
                problem(
                    key,
                    format!("Enter “{}” as a date, for example 2027-05-31.", q.label),
                )
            }),
        QuestionKind::Number { min, max, integer } => match text.parse::<f64>() {
            Err(_) => Some(problem(key, format!("Enter “{}” as a number.", q.label))),
            Ok(n) if *integer && n.fract() != 0.0 => Some(problem(
                key,
                format!("Enter “{}” as a whole number.", q.label),
            )),
            Ok(n) if min.is_some_and(|m| n < m) || max.is_some_and(|m| n > m) => {
                let range = match (min, max) {
                    (Some(a), Some(b)) => format!("between {a} and {b}"),
                    (Some(a), None) => format!("at least {a}"),
                    (None, Some(b)) => format!("at most {b}"),
                    (None, None) => String::new(),
                };
                Some(problem(
                    key,
                    format!("Enter a number {range} for “{}”.", q.label),
                ))
            }
            Ok(_) => None,
        },
        _ => None,
    }
}

/// The problem with a text over its word or character limit, if any.
fn too_long(
    q: &Question,
    text: &str,
    max_chars: Option<usize>,
    max_words: Option<usize>,
) -> Option<Problem> {
    let key = q.key.as_str();
    if let Some(max_words) = max_words {
        let n = word_count(text);
        if n > max_words {
            return Some(problem(
                key,
                format!(
                    "“{}” has {n} words; the limit is {max_words}. Shorten it by {}.",
                    q.label,
                    n - max_words
                ),
            ));
        }
    }
    if let Some(max_chars) = max_chars {
        let n = text.chars().count();
        if n > max_chars {
            return Some(problem(
                key,
                format!(
                    "Shorten “{}” to {max_chars} characters (it has {n}).",
                    q.label
                ),
            ));
        }
    }
    None
}

/// Whether `text` reads as a telephone number: digits with the usual
/// separators, an optional leading `+`, and 7 to 15 digits.
pub fn is_phone(text: &str) -> bool {
    let t = text.trim();
    let body = t.strip_prefix('+').unwrap_or(t);
    let digits = body.chars().filter(char::is_ascii_digit).count();
    body.chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '(' | ')' | '.'))
        && (7..=15).contains(&digits)
}

/// An answer in words: option labels for choices, "Yes"/"No", the text
/// otherwise; empty when unanswered.
pub fn answer_text(q: &Question, answer: Option<&Answer>) -> String {
    let label = |opts: &[super::form::Choice], v: &str| {
        opts.iter()
            .find(|o| o.value == v)
            .map(|o| o.label.clone())
            .unwrap_or_else(|| v.to_owned())
    };
    match (&q.kind, answer) {
        (_, None) => String::new(),
        (QuestionKind::SingleChoice { options }, Some(Answer::One(v))) => label(options, v),
        (QuestionKind::MultipleChoice { options, .. }, Some(Answer::Many(vs))) => vs
            .iter()
            .map(|v| label(options, v))
            .collect::<Vec<_>>()
            .join("; "),
        (QuestionKind::Consent, Some(Answer::One(v))) if v == "yes" => "Ticked".into(),
        (QuestionKind::YesNo, Some(Answer::One(v))) => {
            if v == "yes" {
                "Yes".into()
            } else {
                "No".into()
            }
        }
        (_, Some(Answer::One(s))) => s.clone(),
        (_, Some(Answer::Many(v))) => v.join(", "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::form::FormDefinition;

    fn form() -> FormDefinition {
        FormDefinition::parse(
            r#"{"sections": [{"key": "s", "title": "S", "questions": [
                {"key": "name", "label": "Name", "type": "short_text", "max_chars": 10, "required": true},
                {"key": "essay", "label": "Essay", "type": "long_text", "max_words": 5, "required": true},
                {"key": "email", "label": "Email", "type": "email"},
                {"key": "site", "label": "Site", "type": "url"},
                {"key": "born", "label": "Date", "type": "date"},
                {"key": "hours", "label": "Hours", "type": "number", "min": 10, "max": 40, "integer": true},
                {"key": "discipline", "label": "Discipline", "type": "single_choice", "required": true, "options": [{"value": "medicine", "label": "Medicine"}, {"value": "other", "label": "Other"}]},
                {"key": "other", "label": "Which other", "type": "short_text", "required": true, "show_if": {"question": "discipline", "any_of": ["other"]}},
                {"key": "areas", "label": "Areas", "type": "multiple_choice", "min": 1, "max": 2, "options": [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}, {"value": "c", "label": "C"}]},
                {"key": "cv", "label": "CV", "type": "document", "accepted": ["pdf"], "max_mb": 5, "required": true},
                {"key": "refs", "label": "Referees", "type": "referees", "min": 2, "max": 2, "required": true}
            ]}]}"#,
        )
        .unwrap()
    }

    fn sub(pairs: &[(&str, &[&str])]) -> Submitted {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.iter().map(|s| s.to_string()).collect()))
            .collect()
    }

    #[test]
    fn a_save_accepts_anything_well_shaped_even_if_incomplete() {
        let f = form();
        let saved = accept_save(
            &f,
            &sub(&[
                ("name", &["  Ana  "]),
                ("essay", &["one two three four five six"]),
                ("areas", &["c", "a"]),
                ("email", &[""]),
            ]),
        )
        .unwrap();
        assert!(saved.contains(&("name".into(), Some(Answer::One("Ana".into())))));
        assert!(
            saved.contains(&(
                "areas".into(),
                Some(Answer::Many(vec!["a".into(), "c".into()]))
            )),
            "in option order"
        );
        assert!(
            saved.contains(&("email".into(), None)),
            "a blank answer clears"
        );
    }

    #[test]
    fn a_tampered_save_is_refused_whole() {
        let f = form();
        let unknown = accept_save(&f, &sub(&[("name", &["Ana"]), ("salary", &["1"])])).unwrap_err();
        assert_eq!(unknown.len(), 1);
        assert_eq!(unknown[0].key, "salary");
        assert!(unknown[0].message.contains("does not exist"));
        let choice = accept_save(&f, &sub(&[("discipline", &["astrology"])])).unwrap_err();
        assert_eq!(choice[0].message, "Choose one of the options listed.");
        assert!(accept_save(&f, &sub(&[("areas", &["a", "z"])])).is_err());
        assert!(accept_save(&f, &sub(&[("cv", &["x"])])).is_err());
        assert!(accept_save(&f, &sub(&[("name", &["a\u{0}b"])])).is_err());
    }

    #[test]
    fn an_answer_that_holds_a_name_refuses_bidirectional_overrides() {
        let f = FormDefinition::parse(
            r#"{"sections": [{"key": "s", "title": "S", "questions": [
                {"key": "full_name", "label": "Full name", "type": "short_text", "profile": "name"},
                {"key": "called", "label": "Preferred name", "type": "short_text", "profile": "preferred_name"},
                {"key": "city", "label": "City", "type": "short_text"}
            ]}]}"#,
        )
        .unwrap();
        let refused = accept_save(
            &f,
            &sub(&[
                ("full_name", &["Ana\u{202E}zeroP"]),
                ("called", &["A\u{2066}na"]),
            ]),
        )
        .unwrap_err();
        assert_eq!(
            refused,
            vec![
                problem(
                    "called",
                    "Your preferred name cannot contain invisible control characters."
                ),
                problem(
                    "full_name",
                    "Your name cannot contain invisible control characters."
                ),
            ]
        );
        // Other answers keep the rules they had.
        let saved = accept_save(
            &f,
            &sub(&[("city", &["Tel Aviv \u{200F}"]), ("full_name", &["Zoë"])]),
        )
        .unwrap();
        assert_eq!(saved.len(), 2);
    }

    #[test]
    fn completeness_lists_every_problem_in_form_order() {
        let f = form();
        let mut answers = Answers::new();
        answers.insert(
            "essay".into(),
            Answer::One("one two three four five six seven".into()),
        );
        answers.insert("email".into(), Answer::One("nope".into()));
        answers.insert("site".into(), Answer::One("example.org".into()));
        answers.insert("born".into(), Answer::One("31/05/2027".into()));
        answers.insert("hours".into(), Answer::One("8.5".into()));
        answers.insert("discipline".into(), Answer::One("other".into()));
        answers.insert(
            "areas".into(),
            Answer::Many(vec!["a".into(), "b".into(), "c".into()]),
        );
        let attached = Attachments {
            documents: vec![],
            referees: [("refs".to_string(), 1)].into(),
        };
        let problems = check_complete(&f, &answers, &attached);
        let keys: Vec<&str> = problems.iter().map(|p| p.key.as_str()).collect();
        assert_eq!(
            keys,
            ["name", "essay", "email", "site", "born", "hours", "other", "areas", "cv", "refs"]
        );
        assert_eq!(
            problems[1].message,
            "“Essay” has 7 words; the limit is 5. Shorten it by 2."
        );
        assert_eq!(problems[5].message, "Enter “Hours” as a whole number.");
        assert_eq!(
            problems[9].message,
            "Name 2 referees for “Referees” (1 named so far)."
        );
    }

    #[test]
    fn a_complete_application_has_no_problems() {
        let f = form();
        let mut a = Answers::new();
        a.insert("name".into(), Answer::One("Ana".into()));
        a.insert("essay".into(), Answer::One("short and sweet".into()));
        a.insert("site".into(), Answer::One("https://example.org/me".into()));
        a.insert("hours".into(), Answer::One("20".into()));
        a.insert("discipline".into(), Answer::One("medicine".into()));
        a.insert("other".into(), Answer::One("left over from before".into()));
        let attached = Attachments {
            documents: vec!["cv".into()],
            referees: [("refs".to_string(), 2)].into(),
        };
        assert_eq!(check_complete(&f, &a, &attached), vec![]);
        a.insert("hours".into(), Answer::One("41".into()));
        assert_eq!(
            check_complete(&f, &a, &attached)[0].message,
            "Enter a number between 10 and 40 for “Hours”."
        );
    }

    mod fuzz {
        //! The validator on answers no browser would send, against the
        //! shipped forms and forms at the edges of their limits.

        use super::*;
        use proptest::prelude::*;

        /// Parsed once: every case judges answers against one of them.
        fn forms() -> &'static [FormDefinition] {
            static FORMS: std::sync::OnceLock<Vec<FormDefinition>> = std::sync::OnceLock::new();
            FORMS.get_or_init(parsed_forms)
        }

        fn parsed_forms() -> Vec<FormDefinition> {
            let mut forms: Vec<FormDefinition> = [
                include_str!("../../forms/health-justice.json"),
                include_str!("../../forms/summer-internship.json"),
                include_str!("../../forms/voices-for-change.json"),
            ]
            .iter()
            .map(|f| FormDefinition::parse(f).unwrap())
            .collect();
            forms.push(form());
            // Limits that no answer, or every answer, meets (refused by the
            // builder and by `FormDefinition::check` now, but the validator
            // must still judge them without panicking).
            forms.push(
                serde_json::from_str::<FormDefinition>(
                    r#"{"sections": [{"key": "s", "title": "S", "questions": [
                        {"key": "none", "label": "N", "type": "short_text", "max_chars": 0, "required": true},
                        {"key": "one", "label": "O", "type": "long_text", "max_words": 1},
                        {"key": "n", "label": "N", "type": "number", "min": 5, "max": -5, "integer": true},
                        {"key": "huge", "label": "H", "type": "number", "min": -1e308, "max": 1e308},
                        {"key": "all", "label": "A", "type": "multiple_choice", "min": 2, "max": 2, "options": [{"value": "x", "label": "X"}, {"value": "y", "label": "Y"}]},
                        {"key": "zero", "label": "Z", "type": "multiple_choice", "max": 0, "options": [{"value": "x", "label": "X"}]},
                        {"key": "refs", "label": "R", "type": "referees", "min": 0, "max": 1, "required": true},
                        {"key": "when", "label": "W", "type": "yes_no", "show_if": {"question": "all", "any_of": ["x"]}},
                        {"key": "deep", "label": "D", "type": "date", "required": true, "show_if": {"question": "when", "any_of": ["yes"]}}
                    ]}]}"#,
                )
                .unwrap(),
            );
            forms
        }

        /// Text as a person, a broken browser or an attacker could send it.
        fn text() -> impl Strategy<Value = String> {
            prop_oneof![
                2 => any::<String>(),
                1 => "[ \\r\\n\\t]{0,4}",
                2 => prop::sample::select(vec![
                    "", " ", "yes", "no", "x", "other", "medicine", "1e309", "-1e309", "NaN", "inf",
                    "-0", "0x10", "99999999999999999999999", "5.5", "2027-02-30", "+002027-05-31",
                    "2027-05-31", "https://", "http://.", "https://a.b/c d", "a@b", "a@b.c", "@",
                    "\u{0}", "\r\n", "Ana\u{202E}zeroP", "\u{FEFF}",
                ]).prop_map(str::to_owned),
                1 => (1usize..3000).prop_map(|n| "word ".repeat(n)),
            ]
        }

        fn answer() -> impl Strategy<Value = Answer> {
            prop_oneof![
                text().prop_map(Answer::One),
                prop::collection::vec(text(), 0..5).prop_map(Answer::Many),
            ]
        }

        /// A question key of `form` most of the time, any key otherwise.
        fn key(form: &FormDefinition, pick: prop::sample::Index, own: bool) -> String {
            let keys: Vec<&str> = form.questions().map(|q| q.key.as_str()).collect();
            if own && !keys.is_empty() {
                keys[pick.index(keys.len())].to_owned()
            } else {
                format!("k{}", pick.index(1000))
            }
        }

        proptest! {
            #[test]
            fn fuzz_answer_validator_never_panics(
                which in any::<prop::sample::Index>(),
                submitted in prop::collection::vec(
                    (any::<prop::sample::Index>(), prop::bool::weighted(0.9), prop::collection::vec(text(), 0..4)),
                    0..12,
                ),
                stored in prop::collection::vec(
                    (any::<prop::sample::Index>(), prop::bool::weighted(0.9), answer()),
                    0..12,
                ),
                documents in prop::collection::vec(any::<prop::sample::Index>(), 0..3),
                referees in prop::collection::vec((any::<prop::sample::Index>(), 0usize..5), 0..3),
            ) {
                let forms = forms();
                let form = &forms[which.index(forms.len())];
                let submitted: Submitted = submitted
                    .into_iter()
                    .map(|(k, own, v)| (key(form, k, own), v))
                    .collect();
                match accept_save(form, &submitted) {
                    Ok(accepted) => {
                        prop_assert_eq!(accepted.len(), submitted.len());
                        for (k, a) in &accepted {
                            prop_assert!(submitted.contains_key(k));
                            if let Some(Answer::One(v)) = a {
                                prop_assert_eq!(v.trim(), v.as_str());
                                prop_assert!(!v.is_empty());
                            }
                        }
                    }
                    Err(problems) => {
                        prop_assert!(!problems.is_empty());
                        for p in &problems {
                            prop_assert!(submitted.contains_key(&p.key));
                            prop_assert!(!p.message.is_empty());
                        }
                    }
                }
                let answers: Answers = stored
                    .into_iter()
                    .map(|(k, own, a)| (key(form, k, own), a))
                    .collect();
                let attached = Attachments {
                    documents: documents.into_iter().map(|k| key(form, k, true)).collect(),
                    referees: referees.into_iter().map(|(k, n)| (key(form, k, true), n)).collect(),
                };
                let problems = check_complete(form, &answers, &attached);
                prop_assert!(problems.len() <= form.questions().count());
                for p in &problems {
                    prop_assert!(form.question(&p.key).is_some());
                    prop_assert!(!p.message.is_empty());
                }
                for q in form.questions() {
                    if let Some(p) = check_one(q, answers.get(&q.key), &attached) {
                        prop_assert_eq!(&p.key, &q.key);
                    }
                    let _ = answer_text(q, answers.get(&q.key));
                }
            }
        }
    }

    #[test]
    fn phone_consent_and_both_limits_are_judged() {
        let f = FormDefinition::parse(
            r#"{"sections": [{"key": "s", "title": "S", "questions": [
                {"key": "tel", "label": "Phone", "type": "phone"},
                {"key": "agree", "label": "I agree", "type": "consent", "required": true},
                {"key": "motto", "label": "Motto", "type": "short_text", "max_words": 3},
                {"key": "bio", "label": "Bio", "type": "long_text", "max_chars": 10}
            ]}]}"#,
        )
        .unwrap();
        let q = |k: &str| f.question(k).unwrap();
        let one = |s: &str| Answer::One(s.into());
        let none = Attachments::default();
        assert!(check_one(q("tel"), Some(&one("+1 (505) 555-0100")), &none).is_none());
        assert!(check_one(q("tel"), Some(&one("call me")), &none).is_some());
        assert!(check_one(q("tel"), Some(&one("12")), &none).is_some());
        assert!(check_one(q("agree"), None, &none)
            .unwrap()
            .message
            .contains("Tick “I agree”"));
        assert!(check_one(q("agree"), Some(&one("yes")), &none).is_none());
        assert!(
            check_one(q("motto"), Some(&one("one two three four")), &none)
                .unwrap()
                .message
                .contains("has 4 words; the limit is 3")
        );
        assert!(check_one(q("bio"), Some(&one("eleven char")), &none)
            .unwrap()
            .message
            .contains("to 10 characters"));
        // A consent box sends a hidden empty value before its own.
        let saved = accept_save(&f, &sub(&[("agree", &["", "yes"])])).unwrap();
        assert_eq!(saved, vec![("agree".to_owned(), Some(one("yes")))]);
        let cleared = accept_save(&f, &sub(&[("agree", &[""])])).unwrap();
        assert_eq!(cleared, vec![("agree".to_owned(), None)]);
        assert!(accept_save(&f, &sub(&[("agree", &["maybe"])])).is_err());
        assert_eq!(answer_text(q("agree"), Some(&one("yes"))), "Ticked");
    }
}
