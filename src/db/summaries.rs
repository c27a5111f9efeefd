//! Reading the score summaries kept by `scores`: a cycle's scale, its
//! applications per stage, review progress, reviewers' progress and
//! leniency, the width of the score distribution's bars, and one
//! application's figures. Each reads a handful of rows or one index.

use serde::Serialize;

use super::{DbResult, Exec};
use crate::domain::application::ApplicationId;
use crate::domain::cycle::CycleId;
use crate::domain::user::UserId;
use crate::domain::workflow::scoring::Stats;
use crate::domain::workflow::stage::Stage;
use crate::domain::workflow::summary;

/// The cycle's scale: count, mean and standard deviation of every
/// submitted total (what `reviews::cycle_scale` aggregates), from one row.
#[tracing::instrument(skip_all)]
pub async fn scale(ex: Exec<'_>, cycle: CycleId) -> DbResult<Stats> {
    let sql = "SELECT reviews, mean, sd FROM cycle_scores WHERE cycle_id = $1";
    let row: Option<(i64, f64, f64)> =
        run!(ex, c => sqlx::query_as(sql).bind(cycle).fetch_optional(c).await)?;
    Ok(row.map_or_else(Stats::default, |(n, mean, sd)| Stats {
        count: usize::try_from(n).unwrap_or(0),
        mean,
        sd,
    }))
}

/// How many applications of the cycle are in each stage (stages without
/// any are left out), in the order of [`Stage::ALL`].
#[tracing::instrument(skip_all)]
pub async fn stage_counts(ex: Exec<'_>, cycle: CycleId) -> DbResult<Vec<(Stage, i64)>> {
    let sql = "SELECT stage, applications FROM cycle_stage_counts WHERE cycle_id = $1 AND applications > 0";
    let rows: Vec<(Stage, i64)> =
        run!(ex, c => sqlx::query_as(sql).bind(cycle).fetch_all(c).await)?;
    Ok(Stage::ALL
        .iter()
        .filter_map(|s| rows.iter().find(|r| r.0 == *s).copied())
        .collect())
}

/// Review progress of a cycle.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Progress {
    /// Reviewers assigned, over all applications (removed ones not counted).
    pub assigned: i64,
    /// Reviews submitted (and counted).
    pub submitted: i64,
    /// Applications in the ranking (review, committee or decided).
    pub ranked: i64,
    /// Of those: with every review in.
    pub complete: i64,
    /// Of those: some reviews in, fewer than assigned.
    pub incomplete: i64,
    /// Of those: no review in.
    pub none_in: i64,
}

/// The cycle's review progress: sums of the reviewers' rows, and the
/// ranked applications per group (the counts kept per cycle and group).
#[tracing::instrument(skip_all)]
pub async fn progress(mut ex: Exec<'_>, cycle: CycleId) -> DbResult<Progress> {
    let totals = "SELECT COALESCE(SUM(assigned), 0), COALESCE(SUM(submitted), 0) FROM reviewer_scores WHERE cycle_id = $1";
    let (assigned, submitted): (i64, i64) =
        run!(ex.reborrow(), c => sqlx::query_as(totals).bind(cycle).fetch_one(c).await)?;
    let groups = group_counts(ex, cycle).await?;
    let of = |g: i64| groups.iter().find(|r| r.0 == g).map_or(0, |r| r.1);
    Ok(Progress {
        assigned,
        submitted,
        ranked: groups.iter().map(|r| r.1).sum(),
        complete: of(0),
        incomplete: of(1),
        none_in: of(2),
    })
}

/// How many ranked applications of the cycle are in each group (0
/// complete, 1 incomplete, 2 none in), from the counts the summary rows'
/// triggers keep (migration 0021).
pub(crate) async fn group_counts(ex: Exec<'_>, cycle: CycleId) -> DbResult<Vec<(i64, i64)>> {
    let sql = "SELECT CAST(grp AS BIGINT), CAST(applications AS BIGINT) FROM ranking_counts WHERE cycle_id = $1 ORDER BY grp";
    run!(ex, c => sqlx::query_as(sql).bind(cycle).fetch_all(c).await)
}

/// One reviewer's progress and habits in a cycle.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReviewerSummary {
    pub reviewer_id: UserId,
    pub name: String,
    /// Assignments (removed ones not counted).
    pub assigned: i64,
    /// Reviews submitted.
    pub submitted: i64,
    /// Count, mean and sd of their submitted totals.
    pub stats: Stats,
    /// Their mean total's distance from the cycle's mean, in the cycle's
    /// standard deviations (`None` without reviews); above 0 is lenient.
    pub leniency: Option<f64>,
}

/// Every reviewer with an assignment or a review in the cycle, by name.
#[tracing::instrument(skip_all)]
pub async fn reviewers(mut ex: Exec<'_>, cycle: CycleId) -> DbResult<Vec<ReviewerSummary>> {
    let scale = scale(ex.reborrow(), cycle).await?;
    let sql = "SELECT k.reviewer_id, u.name, k.assigned, k.submitted, k.reviews, k.sum_total, k.sum_square \
               FROM reviewer_scores k JOIN users u ON u.id = k.reviewer_id \
               WHERE k.cycle_id = $1 AND (k.assigned > 0 OR k.submitted > 0) ORDER BY u.name, u.id";
    let rows: Vec<(UserId, String, i64, i64, i64, f64, f64)> =
        run!(ex, c => sqlx::query_as(sql).bind(cycle).fetch_all(c).await)?;
    Ok(rows
        .into_iter()
        .map(|(reviewer_id, name, assigned, submitted, n, sum, square)| {
            let stats = summary::stats_of_sums(n, sum, square);
            ReviewerSummary {
                reviewer_id,
                name,
                assigned,
                submitted,
                leniency: summary::leniency(&stats, &scale),
                stats,
            }
        })
        .collect())
}

/// One bar of the score distribution: applications whose normalised
/// score is at least `from` and below `to` (the last bar includes 100;
/// scores a little outside 0–100 count in the end bars).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Bucket {
    pub from: i64,
    pub to: i64,
    pub applications: i64,
}

/// The width of a bar of the score distribution: ten bars of ten points
/// over 0–100. The counts kept per band (table `score_bands`, migration
/// 0021) use the same width: change both.
pub const BUCKET_WIDTH: i64 = 10;

/// One application's stored figures.
#[derive(Debug, Clone, Copy, PartialEq, sqlx::FromRow)]
pub struct ApplicationSummary {
    pub application_id: ApplicationId,
    pub assigned: i64,
    pub reviewed: i64,
    pub complete: bool,
    pub mean: Option<f64>,
    pub total: Option<f64>,
    pub spread: Option<f64>,
    pub variance: Option<f64>,
    pub normalised: Option<f64>,
}

/// The stored figures of one application, if it has a row.
#[tracing::instrument(skip_all)]
pub async fn application(ex: Exec<'_>, id: ApplicationId) -> DbResult<Option<ApplicationSummary>> {
    let sql = "SELECT application_id, assigned, reviewed, complete = 1 AS complete, mean, total, spread, variance, \
               normalised FROM application_scores WHERE application_id = $1";
    run!(ex, c => sqlx::query_as(sql).bind(id).fetch_optional(c).await)
}

/// The stored figures of every application of a cycle (for checking the
/// summaries against a fresh aggregation; never on a page).
#[tracing::instrument(skip_all)]
pub async fn all_of_cycle(ex: Exec<'_>, cycle: CycleId) -> DbResult<Vec<ApplicationSummary>> {
    let sql = "SELECT application_id, assigned, reviewed, complete = 1 AS complete, mean, total, spread, variance, \
               normalised FROM application_scores WHERE cycle_id = $1 ORDER BY application_id";
    run!(ex, c => sqlx::query_as(sql).bind(cycle).fetch_all(c).await)
}

/// Count, mean and standard deviation of each given reviewer's submitted
/// totals in the cycle, from their rows (what `reviews::reviewer_stats`
/// aggregates).
#[tracing::instrument(skip_all)]
pub async fn reviewer_stats(
    ex: Exec<'_>,
    cycle: CycleId,
    reviewers: &[UserId],
) -> DbResult<Vec<(UserId, Stats)>> {
    if reviewers.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT reviewer_id, reviews, sum_total, sum_square FROM reviewer_scores \
         WHERE cycle_id = $1 AND reviewer_id IN ({})",
        super::assignments::join_ids(reviewers)
    );
    let rows: Vec<(UserId, i64, f64, f64)> =
        run!(ex, c => sqlx::query_as(&sql).bind(cycle).fetch_all(c).await)?;
    Ok(rows
        .into_iter()
        .map(|(id, n, sum, square)| (id, summary::stats_of_sums(n, sum, square)))
        .collect())
}
