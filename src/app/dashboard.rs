//! A cycle's dashboard, read for its program manager: what needs attention
//! first (applications waiting for screening, reviews overdue, decision
//! letters not delivered, offers about to lapse), then the figures of its
//! charts (the funnel by stage, review progress, the distribution of
//! application scores, each reviewer's leniency).
//!
//! Reads only, through `db::dashboard`; the caller has already checked
//! that the manager may see the cycle. Imports no web layer.

use chrono::{DateTime, Duration, Utc};

use super::Result;
use crate::context::Ctx;
use crate::db::dashboard;
pub use crate::db::dashboard::ReviewProgress;
use crate::domain::cycle::CycleId;
use crate::domain::workflow::scoring::{Stats, MIN_REVIEWS_TO_NORMALISE};
use crate::domain::workflow::stage::Stage;

/// An offer whose accept-by date is this close is "about to lapse".
pub const LAPSE_SOON_DAYS: i64 = 3;

/// What needs the manager's attention, each a count of things to act on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Attention {
    /// Submitted applications not yet screened (submitted, or being screened).
    pub screening: i64,
    /// Of those, the ones whose screening has not started.
    pub not_started: i64,
    /// Assignments past their due date without a submitted review.
    pub overdue: i64,
    /// Decision letters the outbox failed to deliver.
    pub undelivered: i64,
    /// Released offers, unanswered, lapsing within [`LAPSE_SOON_DAYS`].
    pub lapsing: i64,
    /// Reviews not yet submitted whose reviewer was deactivated.
    pub orphaned: i64,
}

impl Attention {
    /// Whether nothing needs attention.
    pub fn is_clear(&self) -> bool {
        self.screening == 0
            && self.overdue == 0
            && self.undelivered == 0
            && self.lapsing == 0
            && self.orphaned == 0
    }
}

/// One column of the score distribution: scores from `from` up to `to`
/// (the last column holds `to` itself).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScoreBin {
    pub from: f64,
    pub to: f64,
    pub count: i64,
}

/// A reviewer's leniency: their mean total against the cycle's.
#[derive(Debug, Clone, PartialEq)]
pub struct Leniency {
    pub name: String,
    /// Their submitted reviews in the cycle.
    pub reviews: i64,
    /// Their mean total (0–100).
    pub mean: f64,
    /// How far their mean stands from the cycle's, in the cycle's standard
    /// deviations: above 0 kinder, below 0 harsher. `None` while they have
    /// fewer than [`MIN_REVIEWS_TO_NORMALISE`] reviews, or the cycle's
    /// totals do not spread.
    pub relative: Option<f64>,
}

/// Everything the dashboard shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Dashboard {
    pub attention: Attention,
    /// Applications in each stage, every stage in pipeline order.
    pub stages: Vec<(Stage, i64)>,
    pub progress: ReviewProgress,
    /// Ranked applications with a review in, by normalised score.
    pub scores: Vec<ScoreBin>,
    /// The cycle's submitted totals: count, mean, spread.
    pub scale: Stats,
    /// Reviewers with a submitted review, by name.
    pub reviewers: Vec<Leniency>,
}

/// Reads the dashboard of `cycle` at `now`.
pub async fn cycle_dashboard(ctx: &Ctx, cycle: CycleId) -> Result<Dashboard> {
    let now = ctx.now();
    let mut conn = ctx.conn().await?;
    let counted = dashboard::stage_counts(conn.exec(), cycle).await?;
    let stages: Vec<(Stage, i64)> = Stage::ALL
        .iter()
        .map(|s| {
            let n = counted.iter().find(|(x, _)| x == s).map_or(0, |(_, n)| *n);
            (*s, n)
        })
        .collect();
    let in_stage = |s: Stage| stages.iter().find(|(x, _)| *x == s).map_or(0, |(_, n)| *n);
    let progress = dashboard::review_progress(conn.exec(), cycle, now).await?;
    let attention = Attention {
        screening: in_stage(Stage::Submitted) + in_stage(Stage::Screening),
        not_started: in_stage(Stage::Submitted),
        overdue: progress.overdue,
        undelivered: dashboard::undelivered_letters(conn.exec(), cycle).await?,
        lapsing: dashboard::offers_lapsing(conn.exec(), cycle, now, lapse_horizon(now)).await?,
        orphaned: crate::db::assignments::open_for_deactivated(conn.exec(), cycle).await?,
    };
    let scores = dashboard::score_bands(conn.exec(), cycle)
        .await?
        .into_iter()
        .map(|b| ScoreBin {
            from: b.from as f64,
            to: b.to as f64,
            count: b.applications,
        })
        .collect();
    let scale = dashboard::cycle_scale(conn.exec(), cycle).await?;
    let reviewers = dashboard::reviewers(conn.exec(), cycle)
        .await?
        .into_iter()
        .filter(|r| r.stats.count > 0)
        .map(|r| Leniency {
            relative: r
                .leniency
                .filter(|_| r.stats.count >= MIN_REVIEWS_TO_NORMALISE),
            reviews: r.stats.count as i64,
            mean: r.stats.mean,
            name: r.name,
        })
        .collect();
    Ok(Dashboard {
        attention,
        stages,
        progress,
        scores,
        scale,
        reviewers,
    })
}

/// Until when an open offer counts as about to lapse.
pub fn lapse_horizon(now: DateTime<Utc>) -> DateTime<Utc> {
    now + Duration::days(LAPSE_SOON_DAYS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_to_do_is_clear() {
        assert!(Attention::default().is_clear());
        let busy = Attention {
            lapsing: 1,
            ..Attention::default()
        };
        assert!(!busy.is_clear());
    }
}
