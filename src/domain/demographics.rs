//! Optional, self-identified demographics: asked on their own page, stored
//! apart from applications, never shown to reviewers, reported only in
//! aggregate.

use super::form::FormDefinition;

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

#[cfg(test)]
mod tests {
    #[test]
    fn the_demographics_form_is_coherent_and_optional() {
        let f = super::form();
        assert!(f.questions().all(|q| !q.required && !q.shown_to_reviewers));
        assert!(f.questions().count() >= 6);
    }
}
