//! What a new cycle starts with: a small, valid form per program kind
//! (`forms/starters/`), and a plain two-criterion rubric for programs the
//! portal did not seed (a seeded program's cycles start with its own).
//! The manager changes both before opening the cycle.

/// The form of a new application-style cycle: contact details and a
/// statement.
pub const APPLICATION_FORM: &str = include_str!("../../forms/starters/application.json");
/// The form of a call for abstracts or proposals: contact details, a
/// title and an abstract.
pub const CALL_FORM: &str = include_str!("../../forms/starters/call.json");
/// The form of a nomination: the nominator (the account holder) and the
/// nominee's name and email.
pub const NOMINATION_FORM: &str = include_str!("../../forms/starters/nomination.json");
/// The rubric of a new cycle of a program without a seeded rubric.
pub const RUBRIC: &str = include_str!("../../forms/starters/rubric.json");

/// The starter form for a program of this kind (its stored name).
pub fn form_for(kind: &str) -> &'static str {
    match kind {
        "nomination" => NOMINATION_FORM,
        "call" => CALL_FORM,
        _ => APPLICATION_FORM,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::form::{FormDefinition, QuestionKind};
    use crate::domain::workflow::rubric::Rubric;

    #[test]
    fn every_starter_form_and_the_rubric_read() {
        for (name, json) in [
            ("application", APPLICATION_FORM),
            ("call", CALL_FORM),
            ("nomination", NOMINATION_FORM),
        ] {
            let form = FormDefinition::parse(json).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(
                form.sections[0].questions[0].profile.as_deref(),
                Some("name"),
                "{name}"
            );
            assert!(
                form.questions()
                    .any(|q| matches!(q.kind, QuestionKind::Email)),
                "{name} asks for an email address"
            );
        }
        Rubric::parse(RUBRIC).expect("the starter rubric reads");
    }

    #[test]
    fn a_nomination_names_the_nominee() {
        let form = FormDefinition::parse(form_for("nomination")).unwrap();
        let nominee = form.sections.iter().find(|s| s.key == "nominee").unwrap();
        let keys: Vec<&str> = nominee.questions.iter().map(|q| q.key.as_str()).collect();
        assert!(keys.contains(&"nominee_name") && keys.contains(&"nominee_email"));
        assert_eq!(form_for("fellowship"), APPLICATION_FORM);
        assert_eq!(form_for("call"), CALL_FORM);
    }
}
