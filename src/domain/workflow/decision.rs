//! Decisions and offers as pure rules: what a decision may be recorded
//! on, when a change needs a confirmation, what the applicant may do with
//! an offer and when it lapses, and the order in which the waitlist is
//! offered places.
//!
//! A decision is recorded (stage to `decided`), may change freely until it
//! is released, and after release only with an explicit confirmation,
//! because the change sends the applicant a replacement letter.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::stage::Stage;
use crate::domain::application::ApplicationId;

/// What the committee decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Accepted,
    Waitlisted,
    Declined,
}

impl Outcome {
    /// Every outcome, in the order offered.
    pub const ALL: [Self; 3] = [Self::Accepted, Self::Waitlisted, Self::Declined];

    /// The stored name (also the letter template's name).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Accepted => "accepted",
            Self::Waitlisted => "waitlisted",
            Self::Declined => "declined",
        }
    }

    /// Reads the stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.as_str() == s)
    }

    /// The words shown to staff and, once released, to the applicant.
    pub fn label(self) -> &'static str {
        match self {
            Self::Accepted => "Accepted",
            Self::Waitlisted => "Waitlisted",
            Self::Declined => "Not selected",
        }
    }
}

/// The longest note kept with a decision.
pub const MAX_NOTE: usize = 4000;

/// A decision as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    pub outcome: Outcome,
    pub version: i64,
    /// Whether the applicant has been told.
    pub released: bool,
}

/// What recording a decision does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// The first decision: the application moves to `decided`.
    First,
    /// A change before release: nobody has been told yet.
    BeforeRelease,
    /// A change after release, confirmed: a replacement letter goes out.
    AfterRelease,
    /// The same outcome again: only the note may differ; no letter.
    Unchanged,
}

/// Why a decision is refused, in the manager's words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecisionError {
    #[error("A decision can be recorded only for an application in review or with the committee; this one is {0}.")]
    Stage(&'static str),
    #[error("Someone else changed this decision while you were looking at it; it is now “{current}”. Nothing was overwritten: check it and decide again.")]
    Conflict { current: &'static str },
    #[error("The applicant has already been told “{current}”. Changing it sends them a replacement letter: tick the confirmation to go ahead.")]
    NeedsConfirmation { current: &'static str },
    #[error("The applicant has already answered the offer, so the decision can no longer change.")]
    Answered,
    #[error("Shorten the note to {MAX_NOTE} characters or fewer.")]
    NoteTooLong,
}

/// Checks a decision `to` on an application in `stage` whose stored
/// decision is `current`, as seen by a manager who loaded version
/// `seen_version` (`None`: they saw no decision). `answered`: the applicant
/// has accepted or declined an offer.
pub fn decide(
    stage: Stage,
    current: Option<&Recorded>,
    seen_version: Option<i64>,
    to: Outcome,
    note: &str,
    confirmed: bool,
    answered: bool,
) -> Result<Change, DecisionError> {
    if note.chars().count() > MAX_NOTE {
        return Err(DecisionError::NoteTooLong);
    }
    match (stage, current) {
        (Stage::Review | Stage::Committee, None) => {
            if seen_version.is_some() {
                // They saw a decision that has since gone: refuse.
                return Err(DecisionError::Conflict {
                    current: "no decision",
                });
            }
            Ok(Change::First)
        }
        (Stage::Decided, Some(d)) => {
            if seen_version != Some(d.version) {
                return Err(DecisionError::Conflict {
                    current: d.outcome.label(),
                });
            }
            if answered {
                return Err(DecisionError::Answered);
            }
            if d.outcome == to {
                return Ok(Change::Unchanged);
            }
            if !d.released {
                return Ok(Change::BeforeRelease);
            }
            if !confirmed {
                return Err(DecisionError::NeedsConfirmation {
                    current: d.outcome.label(),
                });
            }
            Ok(Change::AfterRelease)
        }
        (Stage::Decided, None) | (_, Some(_)) => Err(DecisionError::Conflict {
            current: current.map_or("no decision", |d| d.outcome.label()),
        }),
        (other, None) => Err(DecisionError::Stage(stage_words(other))),
    }
}

fn stage_words(s: Stage) -> &'static str {
    match s {
        Stage::Draft => "a draft",
        Stage::Submitted => "not yet screened",
        Stage::Screening => "being screened",
        Stage::Ineligible => "marked ineligible",
        Stage::Withdrawn => "withdrawn",
        Stage::Review => "in review",
        Stage::Committee => "with the committee",
        Stage::Decided => "decided",
    }
}

/// Where an offer stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OfferState {
    /// Waiting for the applicant's answer until the accept-by date.
    Open,
    Accepted,
    Declined,
    /// The accept-by date passed without an answer.
    Lapsed,
}

/// An offer's answer as stored: the applicant's, or lapsed when the
/// accept-by date passed without one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OfferAnswer {
    Accepted,
    Declined,
    Lapsed,
}

impl OfferAnswer {
    /// The stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Accepted => "accepted",
            Self::Declined => "declined",
            Self::Lapsed => "lapsed",
        }
    }

    /// Reads the stored form.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Accepted, Self::Declined, Self::Lapsed]
            .into_iter()
            .find(|a| a.as_str() == s)
    }
}

impl OfferState {
    /// The answer to store, if any.
    pub fn answer(self) -> Option<OfferAnswer> {
        match self {
            Self::Open => None,
            Self::Accepted => Some(OfferAnswer::Accepted),
            Self::Declined => Some(OfferAnswer::Declined),
            Self::Lapsed => Some(OfferAnswer::Lapsed),
        }
    }

    /// The stored answer, if any.
    pub fn as_stored(self) -> Option<&'static str> {
        self.answer().map(OfferAnswer::as_str)
    }

    /// The words shown.
    pub fn label(self) -> &'static str {
        match self {
            Self::Open => "Waiting for the applicant’s answer",
            Self::Accepted => "Offer accepted",
            Self::Declined => "Offer declined",
            Self::Lapsed => "Offer lapsed (no answer in time)",
        }
    }
}

/// The state of an offer from its stored answer and accept-by date.
pub fn offer_state(
    answer: Option<OfferAnswer>,
    accept_by: DateTime<Utc>,
    now: DateTime<Utc>,
) -> OfferState {
    match answer {
        Some(OfferAnswer::Accepted) => OfferState::Accepted,
        Some(OfferAnswer::Declined) => OfferState::Declined,
        Some(OfferAnswer::Lapsed) => OfferState::Lapsed,
        None if now > accept_by => OfferState::Lapsed,
        None => OfferState::Open,
    }
}

/// Why an applicant's answer to an offer is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum OfferError {
    #[error("You have already answered this offer.")]
    Answered,
    #[error("The date to answer this offer has passed. Please write to the program team.")]
    Lapsed,
}

/// The answer an applicant may give now: only to an open offer.
pub fn answer_offer(state: OfferState, accept: bool) -> Result<OfferState, OfferError> {
    match state {
        OfferState::Open if accept => Ok(OfferState::Accepted),
        OfferState::Open => Ok(OfferState::Declined),
        OfferState::Lapsed => Err(OfferError::Lapsed),
        OfferState::Accepted | OfferState::Declined => Err(OfferError::Answered),
    }
}

/// Waitlisted applications in the order they are offered a place: highest
/// normalised score first, unscored last, then by id (earlier first).
pub fn waitlist_order(mut waitlisted: Vec<(ApplicationId, Option<f64>)>) -> Vec<ApplicationId> {
    waitlisted.sort_by(|a, b| {
        let score = |x: &Option<f64>| x.unwrap_or(f64::NEG_INFINITY);
        score(&b.1)
            .partial_cmp(&score(&a.1))
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(a.0.cmp(&b.0))
    });
    waitlisted.into_iter().map(|(id, _)| id).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn every_offer_answer_reads_back_and_is_the_state_it_records() {
        for a in [
            OfferAnswer::Accepted,
            OfferAnswer::Declined,
            OfferAnswer::Lapsed,
        ] {
            assert_eq!(OfferAnswer::parse(a.as_str()), Some(a));
        }
        assert_eq!(OfferAnswer::parse("open"), None);
        for s in [
            OfferState::Accepted,
            OfferState::Declined,
            OfferState::Lapsed,
        ] {
            let by = Utc.with_ymd_and_hms(2027, 5, 1, 12, 0, 0).unwrap();
            assert_eq!(offer_state(s.answer(), by, by), s);
        }
        assert_eq!(OfferState::Open.answer(), None);
    }

    fn recorded(outcome: Outcome, version: i64, released: bool) -> Recorded {
        Recorded {
            outcome,
            version,
            released,
        }
    }

    #[test]
    fn the_first_decision_needs_review_or_committee() {
        assert_eq!(
            decide(
                Stage::Committee,
                None,
                None,
                Outcome::Accepted,
                "",
                false,
                false
            ),
            Ok(Change::First)
        );
        assert_eq!(
            decide(
                Stage::Review,
                None,
                None,
                Outcome::Declined,
                "",
                false,
                false
            ),
            Ok(Change::First)
        );
        let e = decide(
            Stage::Screening,
            None,
            None,
            Outcome::Accepted,
            "",
            false,
            false,
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "A decision can be recorded only for an application in review or with the committee; this one is being screened."
        );
        assert!(decide(
            Stage::Withdrawn,
            None,
            None,
            Outcome::Accepted,
            "",
            false,
            false
        )
        .is_err());
    }

    #[test]
    fn changes_before_release_are_free_and_after_release_need_confirmation() {
        let held = recorded(Outcome::Waitlisted, 2, false);
        assert_eq!(
            decide(
                Stage::Decided,
                Some(&held),
                Some(2),
                Outcome::Accepted,
                "",
                false,
                false
            ),
            Ok(Change::BeforeRelease)
        );
        assert_eq!(
            decide(
                Stage::Decided,
                Some(&held),
                Some(2),
                Outcome::Waitlisted,
                "new note",
                false,
                false
            ),
            Ok(Change::Unchanged)
        );
        let told = recorded(Outcome::Waitlisted, 3, true);
        assert_eq!(
            decide(
                Stage::Decided,
                Some(&told),
                Some(3),
                Outcome::Accepted,
                "",
                false,
                false
            ),
            Err(DecisionError::NeedsConfirmation {
                current: "Waitlisted"
            })
        );
        assert_eq!(
            decide(
                Stage::Decided,
                Some(&told),
                Some(3),
                Outcome::Accepted,
                "",
                true,
                false
            ),
            Ok(Change::AfterRelease)
        );
        assert_eq!(
            decide(
                Stage::Decided,
                Some(&told),
                Some(3),
                Outcome::Declined,
                "",
                true,
                true
            ),
            Err(DecisionError::Answered)
        );
    }

    #[test]
    fn a_stale_page_never_overwrites_a_newer_decision() {
        let d = recorded(Outcome::Accepted, 4, false);
        assert_eq!(
            decide(
                Stage::Decided,
                Some(&d),
                Some(3),
                Outcome::Declined,
                "",
                false,
                false
            ),
            Err(DecisionError::Conflict {
                current: "Accepted"
            })
        );
        // Two managers both saw "no decision": the second finds one.
        assert_eq!(
            decide(
                Stage::Decided,
                Some(&d),
                None,
                Outcome::Declined,
                "",
                false,
                false
            ),
            Err(DecisionError::Conflict {
                current: "Accepted"
            })
        );
        let long = "x".repeat(MAX_NOTE + 1);
        assert_eq!(
            decide(
                Stage::Review,
                None,
                None,
                Outcome::Accepted,
                &long,
                false,
                false
            ),
            Err(DecisionError::NoteTooLong)
        );
    }

    #[test]
    fn offers_open_answer_once_and_lapse() {
        let by = Utc.with_ymd_and_hms(2027, 5, 1, 12, 0, 0).unwrap();
        let before = by - chrono::Duration::hours(1);
        let after = by + chrono::Duration::seconds(1);
        assert_eq!(offer_state(None, by, before), OfferState::Open);
        assert_eq!(offer_state(None, by, by), OfferState::Open);
        assert_eq!(offer_state(None, by, after), OfferState::Lapsed);
        assert_eq!(
            offer_state(Some(OfferAnswer::Accepted), by, after),
            OfferState::Accepted
        );
        assert_eq!(
            answer_offer(OfferState::Open, true),
            Ok(OfferState::Accepted)
        );
        assert_eq!(
            answer_offer(OfferState::Open, false),
            Ok(OfferState::Declined)
        );
        assert_eq!(
            answer_offer(OfferState::Accepted, false),
            Err(OfferError::Answered)
        );
        assert_eq!(
            answer_offer(OfferState::Lapsed, true),
            Err(OfferError::Lapsed)
        );
    }

    #[test]
    fn the_waitlist_is_offered_by_score_then_age() {
        let order = waitlist_order(
            [(5, Some(60.0)), (3, None), (9, Some(72.5)), (2, Some(60.0))]
                .into_iter()
                .map(|(id, score)| (ApplicationId(id), score))
                .collect(),
        );
        assert_eq!(order, [9, 2, 5, 3].map(ApplicationId).to_vec());
    }
}
