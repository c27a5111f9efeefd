//! Decision letters: a subject and a plain-text body per cycle and
//! outcome, written in handlebars with a fixed set of fields. A template
//! is checked when saved (it must compile and use only known fields), so a
//! broken letter is never sent. The HTML part is the rendered text,
//! escaped, in paragraphs.

use handlebars::Handlebars;
use serde::Serialize;

use super::workflow::decision::Outcome;

/// The fields a letter may use, with what each holds.
pub const FIELDS: [(&str, &str); 6] = [
    ("applicant_name", "the applicant's name"),
    ("program", "the program's name"),
    ("cycle", "the cycle's name"),
    (
        "offer_deadline",
        "the date to answer an offer by (empty unless accepted)",
    ),
    (
        "note",
        "the manager's note with the decision (may be empty)",
    ),
    (
        "status_link",
        "the address of the applicant's application page",
    ),
];

/// What a letter is filled with.
#[derive(Debug, Clone, Serialize)]
pub struct LetterFacts {
    pub applicant_name: String,
    pub program: String,
    pub cycle: String,
    pub offer_deadline: String,
    pub note: String,
    pub status_link: String,
}

impl LetterFacts {
    /// Facts for a preview or a check: every field non-empty.
    pub fn sample(program: &str, cycle: &str) -> Self {
        Self {
            applicant_name: "Jordan Rivera".into(),
            program: program.into(),
            cycle: cycle.into(),
            offer_deadline: "15 April 2027, 5:00 pm EDT (America/New_York)".into(),
            note: "Your community health project impressed the committee.".into(),
            status_link: "https://portal.example.org/apply/applications/123".into(),
        }
    }
}

/// The default subject and body shipped for an outcome.
pub fn default_for(outcome: Outcome) -> (&'static str, &'static str) {
    match outcome {
        Outcome::Accepted => (
            include_str!("../../letters/accepted.subject.hbs"),
            include_str!("../../letters/accepted.body.hbs"),
        ),
        Outcome::Waitlisted => (
            include_str!("../../letters/waitlisted.subject.hbs"),
            include_str!("../../letters/waitlisted.body.hbs"),
        ),
        Outcome::Declined => (
            include_str!("../../letters/declined.subject.hbs"),
            include_str!("../../letters/declined.body.hbs"),
        ),
    }
}

/// Why a letter template is refused, in the manager's words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LetterError {
    #[error("The {part} is empty.")]
    Empty { part: &'static str },
    #[error("The {part} cannot be read as a template: {reason}")]
    Syntax { part: &'static str, reason: String },
    #[error(
        "The {part} uses “{field}”, which is not a field a letter can use. Use one of: {known}."
    )]
    UnknownField {
        part: &'static str,
        field: String,
        known: String,
    },
    #[error("The {part} cannot be filled in: {reason}")]
    Render { part: &'static str, reason: String },
    #[error("The subject must be one line of at most 200 characters.")]
    SubjectShape,
}

/// A rendered letter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

fn registry() -> Handlebars<'static> {
    let mut h = Handlebars::new();
    h.set_strict_mode(true);
    h.register_escape_fn(handlebars::no_escape);
    h
}

fn known_fields() -> String {
    FIELDS
        .iter()
        .map(|(f, _)| *f)
        .collect::<Vec<_>>()
        .join(", ")
}

fn render_part(
    h: &Handlebars<'_>,
    part: &'static str,
    template: &str,
    facts: &LetterFacts,
) -> Result<String, LetterError> {
    if template.trim().is_empty() {
        return Err(LetterError::Empty { part });
    }
    let compiled = handlebars::Template::compile(template).map_err(|e| LetterError::Syntax {
        part,
        reason: e.to_string(),
    })?;
    let mut h = h.clone();
    h.register_template(part, compiled);
    h.render(part, facts).map_err(|e| match e.reason() {
        // Strict mode refuses a variable the facts do not have.
        handlebars::RenderErrorReason::MissingVariable(Some(field)) => LetterError::UnknownField {
            part,
            field: field.clone(),
            known: known_fields(),
        },
        other => LetterError::Render {
            part,
            reason: other.to_string(),
        },
    })
}

/// Renders a letter; the same check a template passes when it is saved
/// (with [`LetterFacts::sample`]), so a saved template always renders.
pub fn render(subject: &str, body: &str, facts: &LetterFacts) -> Result<Rendered, LetterError> {
    let h = registry();
    let subject = render_part(&h, "subject", subject, facts)?;
    let subject = subject.trim().to_owned();
    if subject.contains('\n') || subject.chars().count() > 200 {
        return Err(LetterError::SubjectShape);
    }
    let text = render_part(&h, "letter", body, facts)?;
    Ok(Rendered {
        html: to_html(&text),
        subject,
        text,
    })
}

/// Checks a template before it is saved.
pub fn check(subject: &str, body: &str, program: &str, cycle: &str) -> Result<(), LetterError> {
    render(subject, body, &LetterFacts::sample(program, cycle)).map(|_| ())
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#x27;")
}

/// Plain text as simple HTML: escaped, blank lines as paragraphs, line
/// breaks kept.
fn to_html(text: &str) -> String {
    let paragraphs: Vec<String> = text
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| format!("<p>{}</p>", escape(p).replace('\n', "<br>\n")))
        .collect();
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<body style=\"font-family: Arial, sans-serif; color: #1b1b1b; line-height: 1.5\">\n{}\n</body>\n</html>\n",
        paragraphs.join("\n")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_letters_render_every_field() {
        for o in Outcome::ALL {
            let (subject, body) = default_for(o);
            let r = render(
                subject,
                body,
                &LetterFacts::sample("Health Justice Fellowship", "2027 cohort"),
            )
            .unwrap();
            assert!(r.text.contains("Jordan Rivera"), "{o:?}");
            assert!(r.subject.contains("Health Justice Fellowship"));
            assert!(r.html.contains("<p>Dear Jordan Rivera,</p>"));
        }
        let (_, body) = default_for(Outcome::Accepted);
        let r = render("s", body, &LetterFacts::sample("P", "C")).unwrap();
        assert!(r.text.contains("by 15 April 2027"));
    }

    #[test]
    fn broken_templates_are_refused_with_the_reason() {
        let e = check("Hello", "Dear {{applicant_name}", "P", "C").unwrap_err();
        assert!(
            matches!(e, LetterError::Syntax { part: "letter", .. }),
            "{e}"
        );
        let e = check("Hello", "Dear {{first_name}},", "P", "C").unwrap_err();
        assert_eq!(
            e.to_string(),
            "The letter uses “first_name”, which is not a field a letter can use. Use one of: applicant_name, program, cycle, offer_deadline, note, status_link."
        );
        assert!(matches!(
            check("Hi {{nope}}", "Body", "P", "C").unwrap_err(),
            LetterError::UnknownField {
                part: "subject",
                ..
            }
        ));
        assert_eq!(
            check("", "Body", "P", "C").unwrap_err(),
            LetterError::Empty { part: "subject" }
        );
        assert_eq!(
            check("Two\nlines", "Body", "P", "C").unwrap_err(),
            LetterError::SubjectShape
        );
        assert!(check(
            "Hello {{applicant_name}}",
            "{{#if note}}{{note}}{{/if}}",
            "P",
            "C"
        )
        .is_ok());
    }

    #[test]
    fn user_text_is_escaped_in_html_and_kept_in_text() {
        let mut f = LetterFacts::sample("P", "C");
        f.applicant_name = "<script>alert(1)</script> & Co".into();
        let r = render("Hi", "Dear {{applicant_name}},\n\nBye", &f).unwrap();
        assert!(r.text.contains("<script>alert(1)</script> & Co"));
        assert!(r
            .html
            .contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co"));
        assert!(!r.html.contains("<script>"));
    }
}
