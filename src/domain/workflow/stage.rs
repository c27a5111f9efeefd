//! Stages of an application and the moves each role may make.
//!
//! ```text
//! draft -> submitted -> screening -> review -> committee -> decided
//!              \-> ineligible           any stage before decided -> withdrawn
//! ```
//!
//! Every move is recorded as an event (from, to, actor, note, time) in the
//! same transaction as the stage change; [`apply`] is the only way to
//! compute the next stage.

use serde::Serialize;

/// Where an application is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Draft,
    Submitted,
    Screening,
    Review,
    Committee,
    Decided,
    Ineligible,
    Withdrawn,
}

impl Stage {
    /// Every stage.
    pub const ALL: [Stage; 8] = [
        Self::Draft,
        Self::Submitted,
        Self::Screening,
        Self::Review,
        Self::Committee,
        Self::Decided,
        Self::Ineligible,
        Self::Withdrawn,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Submitted => "submitted",
            Self::Screening => "screening",
            Self::Review => "review",
            Self::Committee => "committee",
            Self::Decided => "decided",
            Self::Ineligible => "ineligible",
            Self::Withdrawn => "withdrawn",
        }
    }

    /// Reads the stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// The words staff see.
    pub fn label(self) -> &'static str {
        match self {
            Self::Draft => "Draft",
            Self::Submitted => "Submitted",
            Self::Screening => "Being screened",
            Self::Review => "In review",
            Self::Committee => "With the committee",
            Self::Decided => "Decided",
            Self::Ineligible => "Ineligible",
            Self::Withdrawn => "Withdrawn",
        }
    }

    /// Whether the applicant may still edit answers.
    pub fn is_editable(self) -> bool {
        self == Self::Draft
    }

    /// Whether the application is finished with (no further moves but reopening by staff).
    pub fn is_final(self) -> bool {
        matches!(self, Self::Decided | Self::Withdrawn | Self::Ineligible)
    }
}

/// Who makes a move.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Actor {
    Applicant,
    Manager,
}

impl Actor {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Applicant => "applicant",
            Self::Manager => "manager",
        }
    }
}

/// A change of stage someone asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Move {
    Submit,
    Withdraw,
    StartScreening,
    MarkEligible,
    MarkIneligible,
    SendToCommittee,
    Decide,
}

/// Why a move is refused, in words for the person who tried.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MoveError {
    #[error("This application cannot be {verb} now: it is {stage}.", verb = .1.past(), stage = .0.describe())]
    NotFrom(Stage, Move),
    #[error("Only {who} can do that.", who = .0)]
    NotAllowed(&'static str),
}

impl Move {
    fn past(self) -> &'static str {
        match self {
            Self::Submit => "submitted",
            Self::Withdraw => "withdrawn",
            Self::StartScreening => "screened",
            Self::MarkEligible => "marked eligible",
            Self::MarkIneligible => "marked ineligible",
            Self::SendToCommittee => "sent to the committee",
            Self::Decide => "decided",
        }
    }

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Submit => "submit",
            Self::Withdraw => "withdraw",
            Self::StartScreening => "start_screening",
            Self::MarkEligible => "mark_eligible",
            Self::MarkIneligible => "mark_ineligible",
            Self::SendToCommittee => "send_to_committee",
            Self::Decide => "decide",
        }
    }
}

impl Stage {
    fn describe(self) -> &'static str {
        match self {
            Self::Draft => "a draft",
            Self::Submitted => "submitted",
            Self::Screening => "being screened",
            Self::Review => "in review",
            Self::Committee => "with the committee",
            Self::Decided => "decided",
            Self::Ineligible => "marked ineligible",
            Self::Withdrawn => "withdrawn",
        }
    }
}

/// The stage after `mv` by `actor` from `from`, or why not.
pub fn apply(from: Stage, mv: Move, actor: Actor) -> Result<Stage, MoveError> {
    use Move::*;
    use Stage::*;
    let allowed = match mv {
        Submit | Withdraw => actor == Actor::Applicant,
        _ => actor == Actor::Manager,
    };
    if !allowed {
        return Err(MoveError::NotAllowed(if actor == Actor::Applicant {
            "the program team"
        } else {
            "the applicant"
        }));
    }
    let to = match (mv, from) {
        (Submit, Draft) => Submitted,
        (Withdraw, s) if !s.is_final() => Withdrawn,
        (StartScreening, Submitted) => Screening,
        (MarkEligible, Submitted | Screening) => Review,
        (MarkIneligible, Submitted | Screening) => Ineligible,
        (SendToCommittee, Review) => Committee,
        (Decide, Review | Committee) => Decided,
        _ => return Err(MoveError::NotFrom(from, mv)),
    };
    Ok(to)
}

/// What an applicant is told about their application; never screening
/// notes, assignments or scores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplicantStatus {
    Draft,
    Submitted,
    UnderReview,
    DecisionAvailable,
    Withdrawn,
}

impl ApplicantStatus {
    /// The words shown.
    pub fn label(self) -> &'static str {
        match self {
            Self::Draft => "Draft",
            Self::Submitted => "Submitted",
            Self::UnderReview => "Under review",
            Self::DecisionAvailable => "Decision available",
            Self::Withdrawn => "Withdrawn",
        }
    }
}

/// The applicant-facing status of a stage; decisions (and ineligibility)
/// show only once released.
pub fn applicant_status(stage: Stage, decision_released: bool) -> ApplicantStatus {
    match stage {
        Stage::Draft => ApplicantStatus::Draft,
        Stage::Submitted => ApplicantStatus::Submitted,
        Stage::Screening | Stage::Review | Stage::Committee => ApplicantStatus::UnderReview,
        Stage::Decided | Stage::Ineligible if decision_released => {
            ApplicantStatus::DecisionAvailable
        }
        Stage::Decided | Stage::Ineligible => ApplicantStatus::UnderReview,
        Stage::Withdrawn => ApplicantStatus::Withdrawn,
    }
}

/// Why an applicant cannot make `mv`, in the words of their status page:
/// never the stage behind it (an application screened out or decided,
/// not yet released, reads "Under review" there, and so here).
pub fn refusal_for_applicant(mv: Move, status: ApplicantStatus) -> String {
    format!(
        "This application cannot be {} now: its status is “{}”.",
        mv.past(),
        status.label()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn applicants_are_refused_in_the_words_of_their_status() {
        for stage in [Stage::Ineligible, Stage::Decided] {
            let status = applicant_status(stage, false);
            let said = refusal_for_applicant(Move::Withdraw, status);
            assert_eq!(
                said,
                "This application cannot be withdrawn now: its status is “Under review”."
            );
            assert!(!said.contains("ineligible") && !said.contains("decided"));
        }
        assert_eq!(
            refusal_for_applicant(Move::Submit, applicant_status(Stage::Submitted, false)),
            "This application cannot be submitted now: its status is “Submitted”."
        );
    }

    #[test]
    fn applicants_submit_and_withdraw() {
        assert_eq!(
            apply(Stage::Draft, Move::Submit, Actor::Applicant),
            Ok(Stage::Submitted)
        );
        assert_eq!(
            apply(Stage::Review, Move::Withdraw, Actor::Applicant),
            Ok(Stage::Withdrawn)
        );
        let twice = apply(Stage::Submitted, Move::Submit, Actor::Applicant).unwrap_err();
        assert_eq!(
            twice.to_string(),
            "This application cannot be submitted now: it is submitted."
        );
        assert!(apply(Stage::Decided, Move::Withdraw, Actor::Applicant).is_err());
        assert!(apply(Stage::Withdrawn, Move::Withdraw, Actor::Applicant).is_err());
    }

    #[test]
    fn roles_make_only_their_own_moves() {
        assert_eq!(
            apply(Stage::Submitted, Move::MarkEligible, Actor::Applicant),
            Err(MoveError::NotAllowed("the program team"))
        );
        assert_eq!(
            apply(Stage::Draft, Move::Submit, Actor::Manager),
            Err(MoveError::NotAllowed("the applicant"))
        );
    }

    #[test]
    fn applicants_never_see_an_unreleased_decision() {
        assert_eq!(
            applicant_status(Stage::Decided, false),
            ApplicantStatus::UnderReview
        );
        assert_eq!(
            applicant_status(Stage::Ineligible, false),
            ApplicantStatus::UnderReview
        );
        assert_eq!(
            applicant_status(Stage::Decided, true),
            ApplicantStatus::DecisionAvailable
        );
        assert_eq!(
            applicant_status(Stage::Screening, true),
            ApplicantStatus::UnderReview
        );
    }

    fn any_move() -> impl Strategy<Value = (Move, Actor)> {
        let moves = prop_oneof![
            Just(Move::Submit),
            Just(Move::Withdraw),
            Just(Move::StartScreening),
            Just(Move::MarkEligible),
            Just(Move::MarkIneligible),
            Just(Move::SendToCommittee),
            Just(Move::Decide),
        ];
        (
            moves,
            prop_oneof![Just(Actor::Applicant), Just(Actor::Manager)],
        )
    }

    proptest! {
        #[test]
        fn random_moves_keep_the_stage_equal_to_the_last_event(moves in proptest::collection::vec(any_move(), 0..40)) {
            let mut stage = Stage::Draft;
            let mut events: Vec<(Stage, Stage)> = Vec::new();
            for (mv, actor) in moves {
                if let Ok(to) = apply(stage, mv, actor) {
                    events.push((stage, to));
                    stage = to;
                }
            }
            prop_assert_eq!(events.last().map_or(Stage::Draft, |e| e.1), stage);
            // Events chain: each starts where the previous ended.
            for pair in events.windows(2) {
                prop_assert_eq!(pair[0].1, pair[1].0);
            }
            // Nothing leaves a final stage, and nothing reaches decided without review.
            for (from, to) in &events {
                prop_assert!(!from.is_final());
                if *to == Stage::Decided {
                    prop_assert!(matches!(from, Stage::Review | Stage::Committee));
                }
            }
        }
    }
}
