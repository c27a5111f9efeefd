//! Review rules that are not scores: a cycle's review settings, the
//! screening reasons, the state of an assignment, and who may see what.
//!
//! Imports no database or web code; guards, handlers and tests ask these
//! functions.

use chrono::{DateTime, Utc};
use serde::Serialize;

/// When a reviewer may read the other reviews of an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OtherReviews {
    /// Never: every review stays independent.
    Never,
    /// Once their own review of it is submitted.
    AfterSubmit,
    /// Always, even before writing their own.
    Always,
}

impl OtherReviews {
    /// Every setting, in the order offered.
    pub const ALL: [Self; 3] = [Self::Never, Self::AfterSubmit, Self::Always];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Never => "never",
            Self::AfterSubmit => "after_submit",
            Self::Always => "always",
        }
    }

    /// Reads the stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.as_str() == s)
    }

    /// The words shown to a manager.
    pub fn label(self) -> &'static str {
        match self {
            Self::Never => "Never",
            Self::AfterSubmit => "After they submit their own review",
            Self::Always => "Always",
        }
    }
}

/// How a cycle is reviewed.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ReviewSettings {
    /// Reviewers each application gets from automatic assignment (K).
    pub reviewers_per_application: u32,
    /// The most applications one reviewer holds in the cycle, if limited.
    pub reviewer_cap: Option<u32>,
    /// When reviewers see each other's reviews.
    pub other_reviews: OtherReviews,
    /// Standard deviation of the totals (0-100 points) above which the
    /// reviewers of an application are flagged as disagreeing.
    pub disagreement_threshold: f64,
}

/// The largest K a cycle may ask for.
pub const MAX_REVIEWERS_PER_APPLICATION: u32 = 10;

/// Why settings are refused, in a manager's words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingsError {
    #[error("Reviewers per application must be a whole number from 1 to {MAX_REVIEWERS_PER_APPLICATION}.")]
    PerApplication,
    #[error("The most applications per reviewer must be a whole number of at least 1, or left empty for no limit.")]
    Cap,
    #[error("The disagreement threshold must be a number of points from 1 to 100.")]
    Threshold,
    #[error("Choose when reviewers see each other's reviews.")]
    OtherReviews,
}

impl ReviewSettings {
    /// Reads the settings form (text as typed); each problem names its field.
    pub fn read(
        per_application: &str,
        cap: &str,
        other_reviews: &str,
        threshold: &str,
    ) -> Result<Self, Vec<(&'static str, SettingsError)>> {
        let mut errors = Vec::new();
        let k = per_application
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|k| (1..=MAX_REVIEWERS_PER_APPLICATION).contains(k));
        if k.is_none() {
            errors.push(("reviewers_per_application", SettingsError::PerApplication));
        }
        let cap = match cap.trim() {
            "" => Some(None),
            c => c.parse::<u32>().ok().filter(|c| *c >= 1).map(Some),
        };
        if cap.is_none() {
            errors.push(("reviewer_cap", SettingsError::Cap));
        }
        let other = OtherReviews::parse(other_reviews);
        if other.is_none() {
            errors.push(("other_reviews", SettingsError::OtherReviews));
        }
        let threshold = threshold
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|t| t.is_finite() && (1.0..=100.0).contains(t));
        if threshold.is_none() {
            errors.push(("disagreement_threshold", SettingsError::Threshold));
        }
        match (k, cap, other, threshold) {
            (Some(k), Some(cap), Some(other), Some(threshold)) => Ok(Self {
                reviewers_per_application: k,
                reviewer_cap: cap,
                other_reviews: other,
                disagreement_threshold: threshold,
            }),
            _ => Err(errors),
        }
    }
}

/// Why a manager marks an application ineligible.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IneligibleReason {
    NotEnrolled,
    OutsideDates,
    Incomplete,
    Duplicate,
    Other,
}

impl IneligibleReason {
    /// Every reason, in the order offered.
    pub const ALL: [Self; 5] = [
        Self::NotEnrolled,
        Self::OutsideDates,
        Self::Incomplete,
        Self::Duplicate,
        Self::Other,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotEnrolled => "not_enrolled",
            Self::OutsideDates => "outside_dates",
            Self::Incomplete => "incomplete",
            Self::Duplicate => "duplicate",
            Self::Other => "other",
        }
    }

    /// Reads the stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// The words shown to the manager, and to the applicant when shared.
    pub fn label(self) -> &'static str {
        match self {
            Self::NotEnrolled => "Not enrolled in an eligible program",
            Self::OutsideDates => "Outside the program's graduation or age window",
            Self::Incomplete => "Required material is missing",
            Self::Duplicate => "A duplicate of another application",
            Self::Other => "Another reason",
        }
    }
}

/// How far a reviewer has got with one assignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewState {
    NotStarted,
    Draft,
    Submitted,
}

impl ReviewState {
    /// Reads the stored review state (`None` for no review row).
    pub fn from_stored(s: Option<&str>) -> Self {
        match s {
            Some("submitted") => Self::Submitted,
            Some(_) => Self::Draft,
            None => Self::NotStarted,
        }
    }

    /// The stored form (a review row is a draft or submitted; not started
    /// is no row at all).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotStarted => "not_started",
            Self::Draft => "draft",
            Self::Submitted => "submitted",
        }
    }

    /// Reads a review row's stored state.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "draft" => Some(Self::Draft),
            "submitted" => Some(Self::Submitted),
            _ => None,
        }
    }

    /// The state of an assignment whose review row, if any, is in `stored`.
    pub fn of(stored: Option<Self>) -> Self {
        stored.unwrap_or(Self::NotStarted)
    }

    /// The words shown.
    pub fn label(self) -> &'static str {
        match self {
            Self::NotStarted => "Not started",
            Self::Draft => "Draft saved",
            Self::Submitted => "Submitted",
        }
    }
}

/// Whether an assignment is overdue at `now`: due and not submitted.
pub fn is_overdue(due: DateTime<Utc>, state: ReviewState, now: DateTime<Utc>) -> bool {
    state != ReviewState::Submitted && due < now
}

/// Whether a reviewer may open an application: only when assigned to it
/// and not in conflict with it.
pub fn reviewer_may_open(assigned: bool, conflicted: bool) -> bool {
    assigned && !conflicted
}

/// Whether a reviewer sees the other reviews of an application.
pub fn may_see_other_reviews(setting: OtherReviews, own: ReviewState) -> bool {
    match setting {
        OtherReviews::Never => false,
        OtherReviews::AfterSubmit => own == ReviewState::Submitted,
        OtherReviews::Always => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_review_row_is_a_draft_or_submitted_and_no_row_is_not_started() {
        for s in [ReviewState::Draft, ReviewState::Submitted] {
            assert_eq!(ReviewState::parse(s.as_str()), Some(s));
        }
        assert_eq!(ReviewState::parse("not_started"), None);
        assert_eq!(ReviewState::of(None), ReviewState::NotStarted);
    }

    #[test]
    fn settings_are_read_with_each_problem_named() {
        let ok = ReviewSettings::read("3", "", "after_submit", "15").unwrap();
        assert_eq!(ok.reviewers_per_application, 3);
        assert_eq!(ok.reviewer_cap, None);
        assert_eq!(ok.other_reviews, OtherReviews::AfterSubmit);
        assert_eq!(
            ReviewSettings::read("2", "12", "never", "20.5")
                .unwrap()
                .reviewer_cap,
            Some(12)
        );
        let bad = ReviewSettings::read("0", "-1", "sometimes", "abc").unwrap_err();
        let fields: Vec<&str> = bad.iter().map(|(f, _)| *f).collect();
        assert_eq!(
            fields,
            [
                "reviewers_per_application",
                "reviewer_cap",
                "other_reviews",
                "disagreement_threshold"
            ]
        );
        assert_eq!(
            bad[0].1.to_string(),
            "Reviewers per application must be a whole number from 1 to 10."
        );
        assert!(ReviewSettings::read("11", "", "never", "15").is_err());
        assert!(ReviewSettings::read("3", "", "never", "0").is_err());
    }

    #[test]
    fn reasons_and_settings_round_trip() {
        for r in IneligibleReason::ALL {
            assert_eq!(IneligibleReason::parse(r.as_str()), Some(r));
        }
        for o in OtherReviews::ALL {
            assert_eq!(OtherReviews::parse(o.as_str()), Some(o));
        }
        assert_eq!(IneligibleReason::parse("because"), None);
    }

    #[test]
    fn overdue_means_due_and_not_submitted() {
        let due = Utc.with_ymd_and_hms(2027, 3, 1, 12, 0, 0).unwrap();
        let after = due + chrono::Duration::minutes(1);
        assert!(is_overdue(due, ReviewState::NotStarted, after));
        assert!(is_overdue(due, ReviewState::Draft, after));
        assert!(!is_overdue(due, ReviewState::Submitted, after));
        assert!(!is_overdue(due, ReviewState::Draft, due));
    }

    #[test]
    fn reviewers_open_only_assigned_unconflicted_applications() {
        assert!(reviewer_may_open(true, false));
        assert!(!reviewer_may_open(false, false));
        assert!(!reviewer_may_open(true, true));
    }

    #[test]
    fn other_reviews_follow_the_cycle_setting() {
        use ReviewState::*;
        assert!(!may_see_other_reviews(OtherReviews::Never, Submitted));
        assert!(!may_see_other_reviews(OtherReviews::AfterSubmit, Draft));
        assert!(may_see_other_reviews(OtherReviews::AfterSubmit, Submitted));
        assert!(may_see_other_reviews(OtherReviews::Always, NotStarted));
    }
}
