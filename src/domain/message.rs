//! Messages a manager writes to a cycle's applicants: who they go to (an
//! [`Audience`]), the fields their template may use (the letters' own and
//! the applicant's deadline) and the days before a deadline that the
//! automatic reminders are sent. Plain rules; imports no database or web.

use serde::Serialize;

use super::letter::{Field, FieldKind, FIELDS as LETTER_FIELDS};
use super::workflow::decision::Outcome;
use super::workflow::stage::Stage;

/// Who a message goes to, among a cycle's applications.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Drafts not submitted.
    Drafts,
    /// Applications (not withdrawn or ineligible) with a letter asked for
    /// and not received.
    LettersMissing,
    /// Applications at a stage.
    Stage(Stage),
    /// Applications whose released decision is this one.
    Decision(Outcome),
}

impl Audience {
    /// The stored and submitted name: `drafts`, `letters_missing`,
    /// `stage:review`, `decision:accepted`.
    pub fn key(self) -> String {
        match self {
            Self::Drafts => "drafts".to_owned(),
            Self::LettersMissing => "letters_missing".to_owned(),
            Self::Stage(s) => format!("stage:{}", s.as_str()),
            Self::Decision(o) => format!("decision:{}", o.as_str()),
        }
    }

    /// Reads a stored or submitted name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "drafts" => Some(Self::Drafts),
            "letters_missing" => Some(Self::LettersMissing),
            _ => {
                if let Some(stage) = s.strip_prefix("stage:") {
                    // Drafts have their own choice.
                    Stage::parse(stage)
                        .filter(|s| *s != Stage::Draft)
                        .map(Self::Stage)
                } else {
                    s.strip_prefix("decision:")
                        .and_then(Outcome::parse)
                        .map(Self::Decision)
                }
            }
        }
    }

    /// Every audience a manager can pick, in the order offered.
    pub fn all() -> Vec<Self> {
        let mut all = vec![Self::Drafts, Self::LettersMissing];
        all.extend(
            Stage::ALL
                .into_iter()
                .filter(|s| *s != Stage::Draft)
                .map(Self::Stage),
        );
        all.extend(Outcome::ALL.into_iter().map(Self::Decision));
        all
    }

    /// The audience in the manager's words; `outcome` names a decision
    /// the way the cycle does.
    pub fn words(self, outcome: impl Fn(Outcome) -> String) -> String {
        match self {
            Self::Drafts => "Applicants with a draft not submitted".to_owned(),
            Self::LettersMissing => {
                "Applicants with a letter of recommendation not yet received".to_owned()
            }
            Self::Stage(s) => format!("Applications at the stage “{}”", s.label()),
            Self::Decision(o) => format!(
                "Applicants told the decision “{}” (released decisions only)",
                outcome(o)
            ),
        }
    }
}

const fn text(name: &'static str, meaning: &'static str) -> Field {
    Field {
        name,
        meaning,
        kind: FieldKind::Text,
    }
}

/// The field only messages have: the applicant's own deadline.
const DEADLINE: Field = text(
    "deadline",
    "the applicant's deadline to submit, in the cycle's time zone (an extension counts)",
);

/// The fields a message may use: the letters' own (a decision's only once
/// it is released to the applicant, empty before) and the deadline.
pub fn fields() -> Vec<Field> {
    let mut all: Vec<Field> = LETTER_FIELDS
        .iter()
        .map(|f| match f.name {
            "outcome" => text(
                "outcome",
                "the decision released to the applicant, under this cycle's name for it (empty when none is released)",
            ),
            "offer_deadline" => text(
                "offer_deadline",
                "the date to answer an offer by (empty unless an offer was released)",
            ),
            "note" => text(
                "note",
                "the manager's note with the released decision (may be empty)",
            ),
            _ => *f,
        })
        .collect();
    all.push(DEADLINE);
    all
}

/// What a message is filled with for one applicant.
#[derive(Debug, Clone, Serialize)]
pub struct MessageFacts {
    pub applicant_name: String,
    pub program: String,
    pub cycle: String,
    pub outcome: String,
    pub offer_deadline: String,
    pub note: String,
    pub status_link: String,
    pub deadline: String,
}

/// The most days ahead of a deadline a reminder can be set for.
pub const MAX_REMINDER_DAYS: i64 = 90;

/// Why a number of days for a reminder is refused, in the manager's words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DaysError {
    #[error("Write the number of days as a whole number, for example 7, or leave it empty for no reminder.")]
    NotANumber,
    #[error(
        "The number of days must be between 1 and {MAX_REMINDER_DAYS}, or empty for no reminder."
    )]
    OutOfRange,
}

/// Reads the days before a deadline that a reminder is sent: empty is no
/// reminder.
pub fn parse_days(typed: &str) -> Result<Option<i64>, DaysError> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Ok(None);
    }
    let n: i64 = typed.parse().map_err(|_| DaysError::NotANumber)?;
    if (1..=MAX_REMINDER_DAYS).contains(&n) {
        Ok(Some(n))
    } else {
        Err(DaysError::OutOfRange)
    }
}

/// The kinds of automatic reminder to applicants, as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReminderKind {
    /// A draft not submitted, days before the deadline.
    Draft,
    /// Letters not received, days before letters are due.
    Referees,
}

impl ReminderKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Referees => "referees",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::letter;

    #[test]
    fn every_audience_reads_back_from_its_key() {
        for a in Audience::all() {
            assert_eq!(Audience::parse(&a.key()), Some(a), "{a:?}");
        }
        assert_eq!(Audience::all().len(), 2 + 7 + 3);
        for bad in [
            "",
            "stage:draft",
            "stage:nope",
            "decision:",
            "all",
            "Drafts",
        ] {
            assert_eq!(Audience::parse(bad), None, "{bad}");
        }
        assert_eq!(
            Audience::Decision(Outcome::Accepted).words(|_| "Offered a place".into()),
            "Applicants told the decision “Offered a place” (released decisions only)"
        );
    }

    #[test]
    fn a_message_has_the_letters_fields_and_the_deadline() {
        let f = fields();
        for l in LETTER_FIELDS {
            assert!(f.iter().any(|m| m.name == l.name), "{}", l.name);
        }
        assert!(f.iter().any(|m| m.name == "deadline"));
        assert!(letter::prepare("Hi {{applicant_name}}", "Due {{deadline}}", &f).is_ok());
        // A letter cannot use the deadline, and a message no unknown name.
        assert!(letter::check("Hi", "Due {{deadline}}").is_err());
        let e = letter::prepare("Hi", "Dear {{first_name}}", &f)
            .err()
            .unwrap()
            .to_string();
        assert!(
            e.starts_with("There is no field called {{first_name}} (line 1)."),
            "{e}"
        );
        assert!(e.ends_with("status_link, deadline."), "{e}");
    }

    #[test]
    fn days_are_a_whole_number_from_one_to_ninety_or_nothing() {
        assert_eq!(parse_days(""), Ok(None));
        assert_eq!(parse_days("  "), Ok(None));
        assert_eq!(parse_days(" 7 "), Ok(Some(7)));
        assert_eq!(parse_days("90"), Ok(Some(90)));
        assert_eq!(parse_days("0"), Err(DaysError::OutOfRange));
        assert_eq!(parse_days("-3"), Err(DaysError::OutOfRange));
        assert_eq!(parse_days("91"), Err(DaysError::OutOfRange));
        assert_eq!(parse_days("seven"), Err(DaysError::NotANumber));
        assert_eq!(parse_days("1.5"), Err(DaysError::NotANumber));
        assert_eq!(
            parse_days("99999999999999999999"),
            Err(DaysError::NotANumber)
        );
    }
}
