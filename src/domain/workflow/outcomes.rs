//! A cycle's outcomes: the three default outcomes under the labels the
//! cycle's managers give them. The label is what staff and, once
//! released, applicants read; the [`Outcome`] stays the meaning that
//! drives the workflow (offers, waitlist, release counts, letters).
//!
//! Pure rules: imports no database or web code.

use super::decision::Outcome;

/// The longest label an outcome may have, in characters.
pub const MAX_LABEL: usize = 80;

/// One outcome of a cycle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CycleOutcome {
    /// The outcome's name in the cycle (for a default, its meaning's
    /// stored name).
    pub key: String,
    /// What staff and applicants read.
    pub label: String,
    /// What it does in the workflow.
    pub meaning: Outcome,
}

impl CycleOutcome {
    /// A default outcome under the portal's own label.
    pub fn default_for(meaning: Outcome) -> Self {
        Self {
            key: meaning.as_str().to_owned(),
            label: meaning.label().to_owned(),
            meaning,
        }
    }
}

/// A cycle's outcomes, in the order offered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcomes(Vec<CycleOutcome>);

impl Default for Outcomes {
    /// The three defaults under the portal's labels.
    fn default() -> Self {
        Self(
            Outcome::ALL
                .into_iter()
                .map(CycleOutcome::default_for)
                .collect(),
        )
    }
}

impl Outcomes {
    /// The outcomes as stored; a meaning with no row keeps its default
    /// label, so every meaning always has a label.
    pub fn new(stored: Vec<CycleOutcome>) -> Self {
        let mut all = stored;
        for meaning in Outcome::ALL {
            if !all.iter().any(|o| o.key == meaning.as_str()) {
                all.push(CycleOutcome::default_for(meaning));
            }
        }
        Self(all)
    }

    /// Every outcome, in order.
    pub fn all(&self) -> &[CycleOutcome] {
        &self.0
    }

    /// The label of the default outcome with this meaning.
    pub fn label(&self, meaning: Outcome) -> &str {
        self.0
            .iter()
            .find(|o| o.key == meaning.as_str())
            .map_or(meaning.label(), |o| o.label.as_str())
    }
}

/// Why a label is refused, in the manager's words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LabelError {
    #[error("Enter a name for this outcome.")]
    Blank,
    #[error("Shorten the name to {MAX_LABEL} characters or fewer.")]
    TooLong,
    #[error(
        "Another outcome of this cycle is already called “{0}”: give each outcome its own name."
    )]
    Taken(String),
}

/// Reads a label as typed: trimmed, not blank, at most [`MAX_LABEL`]
/// characters.
pub fn read_label(typed: &str) -> Result<String, LabelError> {
    let label = typed.trim();
    if label.is_empty() {
        return Err(LabelError::Blank);
    }
    if label.chars().count() > MAX_LABEL {
        return Err(LabelError::TooLong);
    }
    Ok(label.to_owned())
}

/// Labels read, each with its outcome's key.
pub type Labels = Vec<(String, String)>;

/// Labels refused, each with its outcome's key and why.
pub type Refused = Vec<(String, LabelError)>;

/// Checks new labels for the outcomes `keys` (in the same order): each
/// must read by [`read_label`], and no two may be the same (ignoring
/// case). Returns the labels, or each refused one's key with why.
pub fn read_labels(typed: &[(&str, &str)]) -> Result<Labels, Refused> {
    let mut read = Vec::new();
    let mut errors = Vec::new();
    for (key, label) in typed {
        match read_label(label) {
            Ok(label) => {
                let lower = label.to_lowercase();
                if read
                    .iter()
                    .any(|(_, l): &(String, String)| l.to_lowercase() == lower)
                {
                    errors.push(((*key).to_owned(), LabelError::Taken(label)));
                } else {
                    read.push(((*key).to_owned(), label));
                }
            }
            Err(e) => errors.push(((*key).to_owned(), e)),
        }
    }
    if errors.is_empty() {
        Ok(read)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_carry_todays_labels() {
        let o = Outcomes::default();
        assert_eq!(o.label(Outcome::Accepted), "Accepted");
        assert_eq!(o.label(Outcome::Declined), "Not selected");
        assert_eq!(o.all().len(), 3);
    }

    #[test]
    fn a_renamed_outcome_shows_its_new_label() {
        let mut declined = CycleOutcome::default_for(Outcome::Declined);
        declined.label = "Not this year".into();
        let o = Outcomes::new(vec![declined]);
        assert_eq!(o.label(Outcome::Declined), "Not this year");
        assert_eq!(o.label(Outcome::Waitlisted), "Waitlisted");
    }

    #[test]
    fn labels_are_trimmed_and_checked() {
        assert_eq!(read_label("  Not this year "), Ok("Not this year".into()));
        assert_eq!(read_label("   "), Err(LabelError::Blank));
        assert_eq!(read_label(&"x".repeat(81)), Err(LabelError::TooLong));
        assert!(read_label(&"é".repeat(80)).is_ok());
    }

    #[test]
    fn two_outcomes_cannot_share_a_label() {
        let typed = [
            ("accepted", "Yes"),
            ("waitlisted", "yes "),
            ("declined", ""),
        ];
        let errors = read_labels(&typed).unwrap_err();
        assert_eq!(
            errors,
            vec![
                ("waitlisted".into(), LabelError::Taken("yes".into())),
                ("declined".into(), LabelError::Blank),
            ]
        );
    }
}
