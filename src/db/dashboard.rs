//! The figures of a cycle's dashboard: what needs attention (applications
//! waiting for screening, reviews overdue, decision letters that failed,
//! offers about to lapse), review progress, application scores and each
//! reviewer's figures for their leniency.
//!
//! Every figure the page shows comes through this file, so where it is read
//! from (the cycle's own rows, or summaries kept up to date) is decided in
//! one place. Counts of what needs attention are indexed counts of the few
//! rows in that state. Returns plain figures; never imports the web layer.

use chrono::{DateTime, Utc};

use super::{DbResult, Exec};
use crate::domain::cycle::CycleId;
use crate::domain::user::UserId;

/// How many assignments of a cycle stand where, each counted once: a
/// review submitted; otherwise overdue (its due date passed); otherwise a
/// draft; otherwise not started.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct ReviewProgress {
    pub submitted: i64,
    pub draft: i64,
    pub not_started: i64,
    pub overdue: i64,
}

impl ReviewProgress {
    /// Every assignment of the cycle.
    pub fn assigned(&self) -> i64 {
        self.submitted + self.draft + self.not_started + self.overdue
    }
}

/// Applications of the cycle in each stage (stages with none left out).
#[tracing::instrument(skip_all)]
pub async fn stage_counts(ex: Exec<'_>, cycle: CycleId) -> DbResult<Vec<(String, i64)>> {
    super::applications::count_by_stage(ex, cycle).await
}

/// The cycle's assignments by where their review stands (see
/// [`ReviewProgress`]): how many are assigned and submitted, then counts
/// of the few rows that are open: drafts (an index of reviews by state)
/// and overdue assignments (the partial index of open ones), with how
/// many of those have a draft.
#[tracing::instrument(skip_all)]
pub async fn review_progress(
    mut ex: Exec<'_>,
    cycle: CycleId,
    now: DateTime<Utc>,
) -> DbResult<ReviewProgress> {
    let (assigned, submitted) = assigned_and_submitted(ex.reborrow(), cycle).await?;
    let sql = "SELECT COUNT(*) FROM reviews WHERE cycle_id = $1 AND state = 'draft'";
    let drafts: i64 =
        run!(ex.reborrow(), c => sqlx::query_scalar(sql).bind(cycle).fetch_one(c).await)?;
    let sql = "SELECT COUNT(*), COUNT(CASE WHEN review = 'draft' THEN 1 END) FROM assignments \
               WHERE cycle_id = $1 AND review IN ('none', 'draft') AND review <> 'submitted' AND due_at < $2";
    let (overdue, overdue_drafts): (i64, i64) =
        run!(ex, c => sqlx::query_as(sql).bind(cycle).bind(now).fetch_one(c).await)?;
    let draft = (drafts - overdue_drafts).max(0);
    Ok(ReviewProgress {
        submitted,
        draft,
        not_started: (assigned - submitted - overdue - draft).max(0),
        overdue,
    })
}

/// How many assignments the cycle has, and how many have a submitted review.
async fn assigned_and_submitted(ex: Exec<'_>, cycle: CycleId) -> DbResult<(i64, i64)> {
    let sql = "SELECT COUNT(*), COUNT(CASE WHEN review = 'submitted' THEN 1 END) FROM assignments WHERE cycle_id = $1";
    run!(ex, c => sqlx::query_as(sql).bind(cycle).fetch_one(c).await)
}

/// Assignments of the cycle past their due date without a submitted
/// review: a range of the partial index of open assignments (migration
/// 0019; the `review <> 'submitted'` term lets SQLite use it), so it reads the overdue ones only.
#[tracing::instrument(skip_all)]
pub async fn overdue_reviews(ex: Exec<'_>, cycle: CycleId, now: DateTime<Utc>) -> DbResult<i64> {
    let sql = "SELECT COUNT(*) FROM assignments \
               WHERE cycle_id = $1 AND review IN ('none', 'draft') AND review <> 'submitted' AND due_at < $2";
    run!(ex, c => sqlx::query_scalar(sql).bind(cycle).bind(now).fetch_one(c).await)
}

/// Decision letters of the cycle that the outbox gave up sending (every
/// attempt failed): the status index finds the few failed messages first.
#[tracing::instrument(skip_all)]
pub async fn undelivered_letters(ex: Exec<'_>, cycle: CycleId) -> DbResult<i64> {
    let sql = "SELECT COUNT(*) FROM outbox o \
               WHERE o.status = 'failed' AND o.kind = 'decision_letter' \
               AND EXISTS (SELECT 1 FROM decisions d WHERE d.cycle_id = $1 \
                 AND (o.message_key = 'decision:' || d.application_id \
                      OR o.message_key LIKE 'decision:' || d.application_id || ':%'))";
    run!(ex, c => sqlx::query_scalar(sql).bind(cycle).fetch_one(c).await)
}

/// Released offers of the cycle still unanswered whose accept-by date
/// falls between `now` and `until`: the open-offers index holds only
/// unanswered offers.
#[tracing::instrument(skip_all)]
pub async fn offers_lapsing(
    ex: Exec<'_>,
    cycle: CycleId,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> DbResult<i64> {
    let sql = "SELECT COUNT(*) FROM decisions d WHERE d.offer_answer IS NULL \
               AND d.offer_deadline >= $2 AND d.offer_deadline < $3 \
               AND d.cycle_id = $1 AND d.released_at IS NOT NULL";
    run!(ex, c => sqlx::query_scalar(sql).bind(cycle).bind(now).bind(until).fetch_one(c).await)
}

/// Each application's score: the mean of its submitted reviews' totals
/// (0–100), for those with at least one.
#[tracing::instrument(skip_all)]
pub async fn application_scores(ex: Exec<'_>, cycle: CycleId) -> DbResult<Vec<f64>> {
    let sql = "SELECT AVG(score_total) FROM reviews WHERE cycle_id = $1 AND state = 'submitted' \
               AND score_total IS NOT NULL GROUP BY application_id";
    run!(ex, c => sqlx::query_scalar(sql).bind(cycle).fetch_all(c).await)
}

/// A reviewer's submitted totals in a cycle: how many, their mean.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ReviewerTotals {
    pub reviewer_id: UserId,
    pub name: String,
    pub reviews: i64,
    pub mean: f64,
}

/// Every reviewer with a submitted review in the cycle, by name.
#[tracing::instrument(skip_all)]
pub async fn reviewer_totals(ex: Exec<'_>, cycle: CycleId) -> DbResult<Vec<ReviewerTotals>> {
    let sql = "SELECT u.id AS reviewer_id, u.name, t.reviews, t.mean FROM \
               (SELECT reviewer_id, COUNT(*) AS reviews, AVG(score_total) AS mean FROM reviews \
                WHERE cycle_id = $1 AND state = 'submitted' AND score_total IS NOT NULL \
                GROUP BY reviewer_id) t \
               JOIN users u ON u.id = t.reviewer_id ORDER BY u.name, u.id";
    run!(ex, c => sqlx::query_as(sql).bind(cycle).fetch_all(c).await)
}

/// Count, mean and standard deviation of every submitted total of the cycle.
#[tracing::instrument(skip_all)]
pub async fn cycle_scale(
    ex: Exec<'_>,
    cycle: CycleId,
) -> DbResult<crate::domain::workflow::scoring::Stats> {
    super::reviews::cycle_scale(ex, cycle).await
}
