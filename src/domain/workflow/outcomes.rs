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

impl Outcomes {
    /// The outcome with key `key`.
    pub fn find(&self, key: &str) -> Option<&CycleOutcome> {
        self.0.iter().find(|o| o.key == key)
    }

    /// The name of a decision of meaning `meaning` recorded as outcome
    /// `key` (`None`: the meaning's default outcome). A key the cycle no
    /// longer has, or one of another meaning, reads as the default.
    pub fn name(&self, meaning: Outcome, key: Option<&str>) -> &str {
        key.and_then(|k| self.find(k))
            .filter(|o| o.meaning == meaning)
            .map_or_else(|| self.label(meaning), |o| o.label.as_str())
    }

    /// The outcomes a cycle added to the three defaults.
    pub fn extras(&self) -> impl Iterator<Item = &CycleOutcome> {
        self.0.iter().filter(|o| !is_default_key(&o.key))
    }
}

/// Whether `key` names one of the three default outcomes.
pub fn is_default_key(key: &str) -> bool {
    Outcome::parse(key).is_some()
}

/// The most outcomes a cycle may add to the three defaults.
pub const MAX_EXTRAS: usize = 10;

/// Why an extra outcome is refused, in the manager's words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExtraError {
    #[error("Choose what this outcome does.")]
    NoMeaning,
    #[error("This cycle already has {MAX_EXTRAS} outcomes of its own: remove one before adding another.")]
    TooMany,
}

/// Checks a new extra outcome against the cycle's outcomes `o`: its
/// label (read by [`read_label`], not another outcome's, ignoring case)
/// and its meaning as typed. Returns the label and meaning, or each
/// refused part: the label's error and the meaning's error.
pub fn read_extra(
    o: &Outcomes,
    label: &str,
    meaning: &str,
) -> Result<(String, Outcome), (Option<LabelError>, Option<ExtraError>)> {
    let label = read_label(label).and_then(|l| {
        let lower = l.to_lowercase();
        if o.all().iter().any(|x| x.label.to_lowercase() == lower) {
            Err(LabelError::Taken(l))
        } else {
            Ok(l)
        }
    });
    let meaning = if o.extras().count() >= MAX_EXTRAS {
        Err(ExtraError::TooMany)
    } else {
        Outcome::parse(meaning.trim()).ok_or(ExtraError::NoMeaning)
    };
    match (label, meaning) {
        (Ok(l), Ok(m)) => Ok((l, m)),
        (l, m) => Err((l.err(), m.err())),
    }
}

/// The key of a new extra outcome: `extra-N`, N one more than the largest
/// in use.
pub fn next_extra_key(o: &Outcomes) -> String {
    let n = o
        .extras()
        .filter_map(|x| x.key.strip_prefix("extra-")?.parse::<u32>().ok())
        .max()
        .unwrap_or(0);
    format!("extra-{}", n + 1)
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

    fn poster() -> CycleOutcome {
        CycleOutcome {
            key: "extra-1".into(),
            label: "Accepted as poster".into(),
            meaning: Outcome::Accepted,
        }
    }

    #[test]
    fn an_extra_names_its_decisions() {
        let o = Outcomes::new(vec![poster()]);
        assert_eq!(
            o.name(Outcome::Accepted, Some("extra-1")),
            "Accepted as poster"
        );
        assert_eq!(o.name(Outcome::Accepted, None), "Accepted");
        assert_eq!(o.name(Outcome::Declined, Some("extra-1")), "Not selected");
        assert_eq!(o.name(Outcome::Accepted, Some("gone")), "Accepted");
        assert_eq!(o.extras().count(), 1);
        assert_eq!(next_extra_key(&o), "extra-2");
        assert_eq!(next_extra_key(&Outcomes::default()), "extra-1");
    }

    #[test]
    fn an_extra_needs_its_own_name_a_meaning_and_room() {
        let o = Outcomes::new(vec![poster()]);
        assert_eq!(
            read_extra(&o, " Oral talk ", "accepted"),
            Ok(("Oral talk".into(), Outcome::Accepted))
        );
        assert_eq!(
            read_extra(&o, "accepted AS poster", "maybe"),
            Err((
                Some(LabelError::Taken("accepted AS poster".into())),
                Some(ExtraError::NoMeaning)
            ))
        );
        assert_eq!(
            read_extra(&o, "", "declined"),
            Err((Some(LabelError::Blank), None))
        );
        let full = Outcomes::new(
            (1..=MAX_EXTRAS)
                .map(|i| CycleOutcome {
                    key: format!("extra-{i}"),
                    label: format!("Extra {i}"),
                    meaning: Outcome::Waitlisted,
                })
                .collect(),
        );
        assert_eq!(
            read_extra(&full, "One more", "accepted"),
            Err((None, Some(ExtraError::TooMany)))
        );
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
