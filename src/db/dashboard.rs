//! The figures of a cycle's dashboard: what needs attention (applications
//! waiting for screening, reviews overdue, decision letters that failed,
//! offers about to lapse), review progress, application scores and each
//! reviewer's figures for their leniency.
//!
//! Every figure the page shows comes through this file, so where it is read
//! from is decided in one place: the score summaries kept up to date with
//! every review and stage change ([`super::summaries`]: applications per
//! stage, assigned and submitted reviews, the cycle's scale, each
//! reviewer's figures), the counts kept per score band (`score_bands`),
//! and indexed counts of the few rows that need attention. Returns plain figures; never imports
//! the web layer.

use chrono::{DateTime, Utc};

use super::assignments::open_review;
use super::{summaries, DbResult, Exec};
use crate::domain::cycle::CycleId;
use crate::domain::workflow::scoring::Stats;
use crate::domain::workflow::stage::Stage;

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

/// Applications of the cycle in each stage (stages with none left out),
/// from the per-cycle summary.
#[tracing::instrument(skip_all)]
pub async fn stage_counts(ex: Exec<'_>, cycle: CycleId) -> DbResult<Vec<(Stage, i64)>> {
    summaries::stage_counts(ex, cycle).await
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
    // Sums over the reviewers' summary rows (a few dozen per cycle).
    let sql = "SELECT CAST(COALESCE(SUM(assigned), 0) AS BIGINT), \
               CAST(COALESCE(SUM(submitted), 0) AS BIGINT) FROM reviewer_scores \
               WHERE cycle_id = $1";
    let (assigned, submitted): (i64, i64) =
        run!(ex.reborrow(), c => sqlx::query_as(sql).bind(cycle).fetch_one(c).await)?;
    let sql = "SELECT COUNT(*) FROM reviews WHERE cycle_id = $1 AND state = 'draft'";
    let drafts: i64 =
        run!(ex.reborrow(), c => sqlx::query_scalar(sql).bind(cycle).fetch_one(c).await)?;
    let sql = concat!(
        "SELECT COUNT(*), COUNT(CASE WHEN review = 'draft' THEN 1 END) FROM assignments \
         WHERE cycle_id = $1 AND ",
        open_review!(),
        " AND due_at < $2"
    );
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

/// How many of the cycle's ranked applications with a review in fall in
/// each ten-point band of their normalised score (see
/// [`summaries::Bucket`]: the first and last take scores a little outside
/// 0–100), from the counts kept per band by the summary rows'
/// triggers (migration 0021, which names the band width too).
#[tracing::instrument(skip_all)]
pub async fn score_bands(ex: Exec<'_>, cycle: CycleId) -> DbResult<Vec<summaries::Bucket>> {
    let width = summaries::BUCKET_WIDTH;
    let sql = "SELECT CAST(band AS BIGINT), CAST(applications AS BIGINT) FROM score_bands WHERE cycle_id = $1";
    let kept: Vec<(i64, i64)> = run!(ex, c => sqlx::query_as(sql).bind(cycle).fetch_all(c).await)?;
    Ok((0..100 / width)
        .map(|b| summaries::Bucket {
            from: b * width,
            to: (b + 1) * width,
            applications: kept.iter().find(|k| k.0 == b).map_or(0, |k| k.1),
        })
        .collect())
}

/// Every reviewer with an assignment or a review in the cycle, by name,
/// with their figures (count, mean and spread of their totals).
#[tracing::instrument(skip_all)]
pub async fn reviewers(ex: Exec<'_>, cycle: CycleId) -> DbResult<Vec<summaries::ReviewerSummary>> {
    summaries::reviewers(ex, cycle).await
}

/// Count, mean and standard deviation of every submitted total of the
/// cycle, from its summary row.
#[tracing::instrument(skip_all)]
pub async fn cycle_scale(ex: Exec<'_>, cycle: CycleId) -> DbResult<Stats> {
    summaries::scale(ex, cycle).await
}
