//! Decision letters: a subject and a plain-text body per cycle and
//! outcome, written in handlebars with a fixed set of fields. A template
//! is checked on its parsed tree when saved and again before every
//! rendering (the `check` submodule holds the rules), so a broken or
//! self-including letter is refused with the reason and never sent. The
//! HTML part is the rendered text, escaped, in paragraphs.

mod check;
mod problem;
mod syntax;

use serde::Serialize;

pub use self::check::{MAX_DEPTH, MAX_LETTER_CHARS, MAX_SUBJECT_CHARS};
pub use self::problem::{Place, Problem};
use super::workflow::decision::Outcome;

/// A field a letter may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    pub name: &'static str,
    /// What it holds, for the manager writing the letter.
    pub meaning: &'static str,
    pub kind: FieldKind,
}

/// What a field holds, and so how a template may use it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// Text: shown with `{{name}}`, tested with `{{#if name}}`.
    Text,
    /// A list, gone through with `{{#each name}} … {{/each}}`; inside, the
    /// item's own fields are used, or `{{this}}` when the items are text
    /// (declared with no fields).
    List(&'static [Field]),
}

const fn text(name: &'static str, meaning: &'static str) -> Field {
    Field {
        name,
        meaning,
        kind: FieldKind::Text,
    }
}

/// The fields a letter may use, with what each holds.
pub const FIELDS: &[Field] = &[
    text("applicant_name", "the applicant's name"),
    text("program", "the program's name"),
    text("cycle", "the cycle's name"),
    text(
        "outcome",
        "the decision, under the name this cycle gives it (for example “Accepted”)",
    ),
    text(
        "offer_deadline",
        "the date to answer an offer by (empty unless accepted)",
    ),
    text(
        "note",
        "the manager's note with the decision (may be empty)",
    ),
    text(
        "status_link",
        "the address of the applicant's application page",
    ),
];

/// What a letter is filled with: one value for every field of [`FIELDS`].
#[derive(Debug, Clone, Serialize)]
pub struct LetterFacts {
    pub applicant_name: String,
    pub program: String,
    pub cycle: String,
    /// The decision's label in the cycle.
    pub outcome: String,
    pub offer_deadline: String,
    pub note: String,
    pub status_link: String,
}

impl LetterFacts {
    /// Facts for a preview of the letter for `outcome` (its label): every
    /// field non-empty.
    pub fn sample(program: &str, cycle: &str, outcome: &str) -> Self {
        Self {
            applicant_name: "Jordan Rivera".into(),
            program: program.into(),
            cycle: cycle.into(),
            outcome: outcome.into(),
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

/// The two parts of a letter template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Subject,
    Letter,
}

impl std::fmt::Display for Part {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Part::Subject => "subject",
            Part::Letter => "letter",
        })
    }
}

/// Why a letter template is refused, in the manager's words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LetterError {
    #[error("The {part} is empty.")]
    Empty { part: Part },
    #[error("The {part} is too long: it can have at most {max} characters.")]
    TooLong { part: Part, max: usize },
    #[error("{problem}")]
    Template { part: Part, problem: Problem },
    #[error("The subject must be one line of at most 200 characters.")]
    SubjectShape,
    /// Filling in a checked template failed: a fault of the portal, not of
    /// the template. `reason` is for the log only.
    #[error("The {part} could not be filled in.")]
    Render { part: Part, reason: String },
}

impl LetterError {
    /// The part of the template the problem is in.
    pub fn part(&self) -> Part {
        match self {
            LetterError::Empty { part }
            | LetterError::TooLong { part, .. }
            | LetterError::Template { part, .. }
            | LetterError::Render { part, .. } => *part,
            LetterError::SubjectShape => Part::Subject,
        }
    }
}

/// A rendered letter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Checks a template: both parts parse, and use only what
/// the `check` submodule allows, in every branch.
pub fn check(subject: &str, body: &str) -> Result<(), LetterError> {
    prepare(subject, body, FIELDS).map(|_| ())
}

/// A template checked against its fields, to fill in many times (one
/// check for a message to hundreds of applicants).
pub struct Prepared {
    subject: check::Checked,
    body: check::Checked,
}

/// Checks a template whose parts may use `fields` (the letters' own, or
/// those of a message to applicants).
pub fn prepare(subject: &str, body: &str, fields: &[Field]) -> Result<Prepared, LetterError> {
    Ok(Prepared {
        subject: check::template(Part::Subject, subject, fields)?,
        body: check::template(Part::Letter, body, fields)?,
    })
}

impl Prepared {
    /// Fills the template in with `facts` (a value for each of its
    /// fields). What the facts hold cannot make it fail: a subject is made
    /// one line and cut to [`MAX_SUBJECT_CHARS`]. `status_link`, when the
    /// text holds it, is a link named "Open your application page".
    pub fn render(
        &self,
        facts: &impl Serialize,
        status_link: &str,
    ) -> Result<Rendered, LetterError> {
        let fill = |part, t: &check::Checked| {
            t.fill(facts).map_err(|e| LetterError::Render {
                part,
                reason: e.to_string(),
            })
        };
        let subject = one_line(&fill(Part::Subject, &self.subject)?);
        let text = fill(Part::Letter, &self.body)?;
        let labels = [(status_link, "Open your application page")];
        Ok(Rendered {
            html: to_html(&text, &labels),
            subject,
            text,
        })
    }
}

/// Renders a letter, checking its template first (so a template stored
/// before a rule existed is refused, never run). What the facts hold
/// cannot make a checked letter fail: a subject is made one line and cut
/// to [`MAX_SUBJECT_CHARS`].
pub fn render(subject: &str, body: &str, facts: &LetterFacts) -> Result<Rendered, LetterError> {
    prepare(subject, body, FIELDS)?.render(facts, &facts.status_link)
}

/// A subject as one line: a note with line breaks becomes one line, and
/// control characters (which have no place in a mail header) go.
fn one_line(s: &str) -> String {
    let words: Vec<&str> = s.split_whitespace().collect();
    let line: String = words
        .join(" ")
        .chars()
        .filter(|c| !c.is_control())
        .collect();
    if line.chars().count() > MAX_SUBJECT_CHARS {
        let cut: String = line.chars().take(MAX_SUBJECT_CHARS - 1).collect();
        format!("{}…", cut.trim_end())
    } else {
        line
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#x27;")
}

/// Plain text as the body of an HTML part: escaped, blank lines as
/// paragraphs, line breaks kept, and every web address a real link. The
/// link text is short, so that it wraps on a phone instead of running off
/// the screen: `labels` names known addresses (the application page), and
/// any other shows its host. The mail layer puts it in a whole document.
fn to_html(text: &str, labels: &[(&str, &str)]) -> String {
    let paragraphs: Vec<String> = text
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| {
            let lines: Vec<String> = p.lines().map(|l| linked(l, labels)).collect();
            format!("<p>{}</p>", lines.join("<br>\n"))
        })
        .collect();
    paragraphs.join("\n")
}

/// One line, escaped, its `http(s)://` addresses made links.
fn linked(line: &str, labels: &[(&str, &str)]) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(at) = ["https://", "http://"]
        .iter()
        .filter_map(|scheme| rest.find(scheme))
        .min()
    {
        out.push_str(&escape(&rest[..at]));
        let tail = &rest[at..];
        let end = tail.find(char::is_whitespace).unwrap_or(tail.len());
        // A sentence's closing punctuation is not part of the address.
        let url = tail[..end].trim_end_matches(['.', ',', ';', ':', '!', '?', ')', '"', '\'']);
        let label = labels
            .iter()
            .find(|(known, _)| *known == url)
            .map_or_else(|| host_of(url).to_owned(), |(_, l)| (*l).to_owned());
        out.push_str(&format!(
            "<a href=\"{}\">{}</a>",
            escape(url),
            escape(&label)
        ));
        rest = &tail[url.len()..];
    }
    out.push_str(&escape(rest));
    out
}

/// The host of an address (`https://a.org/x` gives `a.org`).
fn host_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.split(['/', '?', '#']).next().unwrap_or(rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_address_becomes_a_short_link() {
        let html = to_html(
            "See https://a.org/apply/applications/7, or http://b.org/x?y=1&z=2.\nhttps://a.org/me",
            &[("https://a.org/me", "Your page")],
        );
        assert_eq!(
            html,
            "<p>See <a href=\"https://a.org/apply/applications/7\">a.org</a>, or \
             <a href=\"http://b.org/x?y=1&amp;z=2\">b.org</a>.<br>\n\
             <a href=\"https://a.org/me\">Your page</a></p>"
        );
        assert_eq!(to_html("a <b> & c", &[]), "<p>a &lt;b&gt; &amp; c</p>");
    }

    #[test]
    fn the_shipped_letters_render_every_field() {
        for o in Outcome::ALL {
            let (subject, body) = default_for(o);
            let r = render(
                subject,
                body,
                &LetterFacts::sample("Health Justice Fellowship", "2027 cohort", "Accepted"),
            )
            .unwrap();
            assert!(r.text.contains("Jordan Rivera"), "{o:?}");
            assert!(r.subject.contains("Health Justice Fellowship"));
            assert!(r.html.contains("<p>Dear Jordan Rivera,</p>"));
        }
        // The accept or decline address is a link with short text, not a
        // bare address cut off on a phone.
        let facts = LetterFacts::sample("P", "C", "Accepted");
        for o in Outcome::ALL {
            let (subject, body) = default_for(o);
            let r = render(subject, body, &facts).unwrap();
            if r.text.contains(&facts.status_link) {
                let link = format!(
                    "<a href=\"{}\">Open your application page</a>",
                    facts.status_link
                );
                assert!(r.html.contains(&link), "{o:?}: {}", r.html);
                assert!(!r.html.contains(&format!(">{}<", facts.status_link)));
            }
        }
        let (_, body) = default_for(Outcome::Accepted);
        assert!(render("s", body, &facts).unwrap().html.contains("<a href="));
        let (_, body) = default_for(Outcome::Accepted);
        let r = render("s", body, &LetterFacts::sample("P", "C", "Accepted")).unwrap();
        assert!(r.text.contains("by 15 April 2027"));
    }

    #[test]
    fn broken_templates_are_refused_with_the_reason() {
        assert_eq!(
            check("Hello", "Dear {{applicant_name}")
                .unwrap_err()
                .to_string(),
            "A {{ on line 1 is never closed with }}."
        );
        assert_eq!(
            check("Hello", "Dear {{first_name}},").unwrap_err().to_string(),
            "There is no field called {{first_name}} (line 1). The fields you can use are applicant_name, program, cycle, outcome, offer_deadline, note, status_link."
        );
        let e = check("Hi {{nope}}", "Body").unwrap_err();
        assert_eq!(e.part(), Part::Subject);
        assert!(e
            .to_string()
            .starts_with("There is no field called {{nope}} (in the subject)."));
        assert_eq!(
            check("", "Body").unwrap_err(),
            LetterError::Empty {
                part: Part::Subject
            }
        );
        assert_eq!(
            check("Two\nlines", "Body").unwrap_err(),
            LetterError::SubjectShape
        );
        assert_eq!(
            check(&"s".repeat(201), "Body").unwrap_err(),
            LetterError::SubjectShape
        );
        assert_eq!(
            check("Hi", &"b".repeat(MAX_LETTER_CHARS + 1)).unwrap_err(),
            LetterError::TooLong {
                part: Part::Letter,
                max: MAX_LETTER_CHARS
            }
        );
        assert!(check("Hello {{applicant_name}}", "{{#if note}}{{note}}{{/if}}").is_ok());
    }

    #[test]
    fn a_template_stored_before_the_check_is_refused_at_rendering() {
        let facts = LetterFacts::sample("P", "C", "Accepted");
        let e = render(
            "Hi",
            "{{#if note}}{{note}}{{else}}{{> letter}}{{/if}}",
            &facts,
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "Letters cannot include other templates ({{> letter}}, line 1)."
        );
        assert_eq!(e.part(), Part::Letter);
    }

    #[test]
    fn what_the_facts_hold_cannot_break_a_subject() {
        let mut f = LetterFacts::sample("P", "C", "Accepted");
        f.note = "First line\r\nsecond\u{7}line".into();
        let r = render("About {{note}}", "Body", &f).unwrap();
        assert_eq!(r.subject, "About First line secondline");
        f.note = "n".repeat(500);
        let r = render("{{note}}", "Body", &f).unwrap();
        assert_eq!(r.subject.chars().count(), MAX_SUBJECT_CHARS);
        assert!(r.subject.ends_with('…'));
    }

    #[test]
    fn user_text_is_escaped_in_html_and_kept_in_text() {
        let mut f = LetterFacts::sample("P", "C", "Accepted");
        f.applicant_name = "<script>alert(1)</script> & Co".into();
        let r = render("Hi", "Dear {{applicant_name}},\n\nBye", &f).unwrap();
        assert!(r.text.contains("<script>alert(1)</script> & Co"));
        assert!(r
            .html
            .contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co"));
        assert!(!r.html.contains("<script>"));
    }
}
