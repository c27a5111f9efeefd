//! What a changed form would do to answers already given: which answers it
//! would make invalid, and why, in plain words, so that no change of a form
//! invalidates a submitted answer silently. Pure: the caller weighs each
//! submitted application against the version it was answered under.

use super::answers::{check_one, Attachments};
use super::form::{Answer, Answers, FormDefinition, QuestionKind};

/// Why `new` would make answers given under `old` invalid, one reason per
/// question, in plain words (empty when it would not). Documents and
/// referees are taken as given (they are kept apart from the answers).
pub fn breaks(old: &FormDefinition, new: &FormDefinition, answers: &Answers) -> Vec<String> {
    let mut reasons = Vec::new();
    for (key, answer) in answers {
        let Some(before) = old.question(key) else {
            continue;
        };
        match new.question(key) {
            None => reasons.push(format!(
                "“{}” is removed (its answers stay, shown to staff as a retired question)",
                before.label
            )),
            Some(after) if after.kind.type_name() != before.kind.type_name() => {
                reasons.push(format!(
                    "“{}” changes type, from {} to {}",
                    after.label,
                    before.kind.type_name(),
                    after.kind.type_name()
                ))
            }
            Some(after) => {
                let offered = after.kind.options();
                let chosen: Vec<&String> = match answer {
                    Answer::One(v) => vec![v],
                    Answer::Many(vs) => vs.iter().collect(),
                };
                if !offered.is_empty()
                    && chosen
                        .iter()
                        .any(|v| !offered.iter().any(|o| &o.value == *v))
                {
                    reasons.push(format!(
                        "“{}” no longer offers a choice that was chosen",
                        after.label
                    ));
                }
            }
        }
    }
    let all = Attachments {
        documents: new.questions().map(|q| q.key.clone()).collect(),
        referees: new
            .questions()
            .filter_map(|q| match q.kind {
                QuestionKind::Referees { max, .. } => Some((q.key.clone(), max)),
                _ => None,
            })
            .collect(),
    };
    for after in new.questions() {
        if !new.is_shown(after, answers)
            || reasons
                .iter()
                .any(|r| r.starts_with(&format!("“{}”", after.label)))
        {
            continue;
        }
        if check_one(after, answers.get(&after.key), &all).is_none() {
            continue;
        }
        let fine_before = match old.question(&after.key) {
            Some(before) => {
                !old.is_shown(before, answers)
                    || check_one(before, answers.get(&before.key), &all).is_none()
            }
            None => true,
        };
        if fine_before {
            let why = if answers.get(&after.key).is_none() {
                "becomes required, and some answers leave it empty"
            } else {
                "gets a limit that some answers go over"
            };
            reasons.push(format!("“{}” {why}", after.label));
        }
    }
    reasons
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::form::Choice;
    use crate::domain::form_edit::{Edit, QuestionDraft};
    use std::collections::HashSet;

    fn form() -> FormDefinition {
        FormDefinition::parse(
            r#"{"sections": [{"key": "about", "title": "About", "questions": [
                {"key": "project", "label": "Do you have a project?", "type": "yes_no", "required": true},
                {"key": "name", "label": "Name", "type": "short_text"},
                {"key": "area", "label": "Area", "type": "single_choice", "options": [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}]}
            ]}]}"#,
        )
        .unwrap()
    }

    fn essay() -> QuestionDraft {
        QuestionDraft {
            kind: "long_text".into(),
            label: "Describe your project".into(),
            max_words: "300".into(),
            required: true,
            show_if_question: "project".into(),
            show_if_values: "Yes".into(),
            ..QuestionDraft::default()
        }
    }

    fn save(f: &FormDefinition, d: QuestionDraft) -> FormDefinition {
        Edit::SaveQuestion {
            section: "about".into(),
            original: None,
            draft: d,
        }
        .apply(f, &HashSet::new())
        .unwrap()
        .0
    }

    #[test]
    fn changes_that_invalidate_answers_are_named() {
        let old = form();
        let mut answers = Answers::new();
        answers.insert("project".into(), Answer::One("yes".into()));
        answers.insert("area".into(), Answer::One("b".into()));
        answers.insert("name".into(), Answer::One("Ana Lopez".into()));
        assert!(breaks(&old, &old, &answers).is_empty());
        let mut new = old.clone();
        new.sections[0].questions[2].kind = QuestionKind::SingleChoice {
            options: vec![Choice {
                value: "a".into(),
                label: "A".into(),
            }],
        };
        new.sections[0].questions[1].kind = QuestionKind::ShortText {
            max_chars: 3,
            max_words: None,
        };
        let with_essay = save(&new, essay());
        let reasons = breaks(&old, &with_essay, &answers);
        assert_eq!(reasons.len(), 3, "{reasons:?}");
        assert!(reasons.iter().any(|r| r.contains("no longer offers")));
        assert!(reasons.iter().any(|r| r.contains("limit")));
        assert!(reasons.iter().any(|r| r.contains("becomes required")));
        let (removed, _) = Edit::RemoveQuestion { key: "name".into() }
            .apply(&old, &HashSet::new())
            .unwrap();
        assert!(breaks(&old, &removed, &answers)[0].contains("retired"));
    }
}
