//! Score summaries (migration 0014): per application, per cycle and
//! reviewer, and per cycle, kept up to date in the transaction of every
//! change that moves them, so pages read a few rows instead of
//! aggregating the cycle's reviews.
//!
//! Who keeps them: `applications::create` and `move_stage` (stage counts,
//! whether an application is ranked), `assignments::assign`, `remove`
//! and `record_conflict` (assigned counts, the application's figures),
//! `reviews::save` on submission and `reopen` (the application's
//! figures), and `reviews::recompute_z`, called after every change of a
//! reviewer's submitted reviews (their row, the z sums of the
//! applications they reviewed, and the cycle's scale, which refreshes
//! every stored normalised score of the cycle in one statement).
//!
//! The arithmetic is `domain::workflow::summary`; `tests/app/scores.rs`
//! checks the stored rows against a fresh aggregation.

use super::{DbResult, Exec};
use crate::domain::application::ApplicationId;
use crate::domain::cycle::CycleId;
use crate::domain::user::UserId;
use crate::domain::workflow::scoring::Stats;
use crate::domain::workflow::stage::Stage;
use crate::domain::workflow::summary::{self, Contribution, Sums};

/// Whether an application in `stage` is in the ranking.
pub(crate) fn is_ranked(stage: Stage) -> bool {
    matches!(stage, Stage::Review | Stage::Committee | Stage::Decided)
}

/// Recomputes one application's row from its submitted reviews and its
/// assignments, its normalised score against the cycle's
/// stored scale. Nothing when the application does not exist.
#[tracing::instrument(skip_all)]
pub(crate) async fn refresh_application(ex: Exec<'_>, id: ApplicationId) -> DbResult<()> {
    run!(ex, c => {
        let app: Option<(CycleId, UserId, Stage)> =
            sqlx::query_as("SELECT cycle_id, applicant_id, stage FROM applications WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *c)
                .await?;
        let Some((cycle, applicant, stage)) = app else {
            return Ok(());
        };
        let assigned: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM assignments WHERE application_id = $1",
        )
        .bind(id)
        .fetch_one(&mut *c)
        .await?;
        let reviews: Vec<(Option<f64>, f64, Option<f64>)> = sqlx::query_as(
            "SELECT score_mean, score_total, z FROM reviews \
             WHERE application_id = $1 AND state = 'submitted' AND score_total IS NOT NULL",
        )
        .bind(id)
        .fetch_all(&mut *c)
        .await?;
        let scale: Option<(f64, f64)> =
            sqlx::query_as("SELECT mean, sd FROM cycle_scores WHERE cycle_id = $1")
                .bind(cycle)
                .fetch_optional(&mut *c)
                .await?;
        let (mean, sd) = scale.unwrap_or((0.0, 0.0));
        let scale = Stats { count: 0, mean, sd };
        let contributions: Vec<Contribution> = reviews
            .iter()
            .map(|(m, t, z)| Contribution { mean: m.unwrap_or(*t), total: *t, z: *z })
            .collect();
        let s = Sums::of(assigned, &contributions);
        sqlx::query(
            "INSERT INTO application_scores (application_id, cycle_id, applicant_id, ranked, grp, assigned, reviewed, \
             complete, sum_mean, sum_total, sum_square, raw_sum, z_sum, z_count, mean, total, spread, variance, normalised) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19) \
             ON CONFLICT (application_id) DO UPDATE SET ranked = excluded.ranked, grp = excluded.grp, \
             assigned = excluded.assigned, reviewed = excluded.reviewed, complete = excluded.complete, \
             sum_mean = excluded.sum_mean, sum_total = excluded.sum_total, sum_square = excluded.sum_square, \
             raw_sum = excluded.raw_sum, z_sum = excluded.z_sum, z_count = excluded.z_count, mean = excluded.mean, \
             total = excluded.total, spread = excluded.spread, variance = excluded.variance, \
             normalised = excluded.normalised",
        )
        .bind(id)
        .bind(cycle)
        .bind(applicant)
        .bind(i64::from(is_ranked(stage)))
        .bind(s.group().code())
        .bind(s.assigned)
        .bind(s.reviewed)
        .bind(i64::from(summary::is_complete(s.assigned, s.reviewed)))
        .bind(s.sum_mean)
        .bind(s.sum_total)
        .bind(s.sum_square)
        .bind(s.raw_sum)
        .bind(s.z_sum)
        .bind(s.z_count)
        .bind(s.mean())
        .bind(s.total())
        .bind(s.spread)
        .bind(s.variance())
        .bind(s.normalised(&scale))
        .execute(&mut *c)
        .await?;
        Ok(())
    })
}

/// Recomputes a reviewer's row in a cycle.
#[tracing::instrument(skip_all)]
pub(crate) async fn refresh_reviewer(
    ex: Exec<'_>,
    cycle: CycleId,
    reviewer: UserId,
) -> DbResult<()> {
    run!(ex, c => {
        let (assigned, submitted, reviews, sum, square): (i64, i64, i64, f64, f64) = sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM assignments s WHERE s.cycle_id = $1 AND s.reviewer_id = $2), COUNT(*), COUNT(score_total), COALESCE(SUM(score_total), 0.0), \
             COALESCE(SUM(score_total * score_total), 0.0) FROM reviews \
             WHERE cycle_id = $1 AND reviewer_id = $2 AND state = 'submitted'",
        )
        .bind(cycle)
        .bind(reviewer)
        .fetch_one(&mut *c)
        .await?;
        sqlx::query(
            "INSERT INTO reviewer_scores (cycle_id, reviewer_id, assigned, submitted, reviews, sum_total, sum_square) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (cycle_id, reviewer_id) DO UPDATE SET \
             assigned = excluded.assigned, submitted = excluded.submitted, reviews = excluded.reviews, \
             sum_total = excluded.sum_total, sum_square = excluded.sum_square",
        )
        .bind(cycle)
        .bind(reviewer)
        .bind(assigned)
        .bind(submitted)
        .bind(reviews)
        .bind(sum)
        .bind(square)
        .execute(&mut *c)
        .await?;
        Ok(())
    })
}

/// After a reviewer's z-scores were recomputed: their row, the z sums of
/// every application they reviewed in the cycle, and the cycle's scale
/// (which refreshes every normalised score of the cycle).
#[tracing::instrument(skip_all)]
pub(crate) async fn after_z(mut ex: Exec<'_>, cycle: CycleId, reviewer: UserId) -> DbResult<()> {
    refresh_reviewer(ex.reborrow(), cycle, reviewer).await?;
    let sums = "UPDATE application_scores SET \
        raw_sum = (SELECT COALESCE(SUM(r.score_total), 0.0) FROM reviews r WHERE r.application_id = application_scores.application_id \
                   AND r.state = 'submitted' AND r.z IS NULL), \
        z_sum = (SELECT COALESCE(SUM(r.z), 0.0) FROM reviews r WHERE r.application_id = application_scores.application_id \
                 AND r.state = 'submitted'), \
        z_count = (SELECT COUNT(r.z) FROM reviews r WHERE r.application_id = application_scores.application_id \
                   AND r.state = 'submitted') \
        WHERE application_id IN (SELECT application_id FROM reviews WHERE cycle_id = $1 AND reviewer_id = $2 \
                                 AND state = 'submitted')";
    execute!(ex.reborrow(), sqlx::query(sums).bind(cycle).bind(reviewer))?;
    rescale(ex, cycle).await
}

/// Recomputes the cycle's scale from its submitted totals and refreshes
/// the stored normalised score of every application of the cycle.
#[tracing::instrument(skip_all)]
pub(crate) async fn rescale(ex: Exec<'_>, cycle: CycleId) -> DbResult<()> {
    run!(ex, c => {
        let (n, sum, square): (i64, f64, f64) = sqlx::query_as(
            "SELECT COUNT(score_total), COALESCE(SUM(score_total), 0.0), COALESCE(SUM(score_total * score_total), 0.0) \
             FROM reviews WHERE cycle_id = $1 AND state = 'submitted'",
        )
        .bind(cycle)
        .fetch_one(&mut *c)
        .await?;
        let scale = summary::stats_of_sums(n, sum, square);
        sqlx::query(
            "INSERT INTO cycle_scores (cycle_id, reviews, sum_total, sum_square, mean, sd) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (cycle_id) DO UPDATE SET reviews = excluded.reviews, sum_total = excluded.sum_total, \
             sum_square = excluded.sum_square, mean = excluded.mean, sd = excluded.sd",
        )
        .bind(cycle)
        .bind(n)
        .bind(sum)
        .bind(square)
        .bind(scale.mean)
        .bind(scale.sd)
        .execute(&mut *c)
        .await?;
        // Rows without a z do not move with the scale.
        sqlx::query(
            "UPDATE application_scores SET normalised = (raw_sum + z_count * $2 + $3 * z_sum) / reviewed \
             WHERE cycle_id = $1 AND reviewed > 0 AND z_count > 0",
        )
        .bind(cycle)
        .bind(scale.mean)
        .bind(scale.sd)
        .execute(&mut *c)
        .await?;
        Ok(())
    })
}

/// A new application: counted in its stage, and its row.
#[tracing::instrument(skip_all)]
pub(crate) async fn created(
    mut ex: Exec<'_>,
    id: ApplicationId,
    cycle: CycleId,
    stage: Stage,
) -> DbResult<()> {
    count_stage(ex.reborrow(), cycle, stage, 1).await?;
    refresh_application(ex, id).await
}

/// An application moved from one stage to another.
#[tracing::instrument(skip_all)]
pub(crate) async fn moved(
    mut ex: Exec<'_>,
    id: ApplicationId,
    from: Stage,
    to: Stage,
) -> DbResult<()> {
    let cycle: Option<CycleId> = run!(ex.reborrow(), c => sqlx::query_scalar(
        "SELECT cycle_id FROM applications WHERE id = $1"
    ).bind(id).fetch_optional(c).await)?;
    let Some(cycle) = cycle else {
        return Ok(());
    };
    count_stage(ex.reborrow(), cycle, from, -1).await?;
    count_stage(ex.reborrow(), cycle, to, 1).await?;
    execute!(
        ex,
        sqlx::query("UPDATE application_scores SET ranked = $1 WHERE application_id = $2")
            .bind(i64::from(is_ranked(to)))
            .bind(id)
    )?;
    Ok(())
}

async fn count_stage(ex: Exec<'_>, cycle: CycleId, stage: Stage, by: i64) -> DbResult<()> {
    let sql = "INSERT INTO cycle_stage_counts (cycle_id, stage, applications) VALUES ($1, $2, $3) \
               ON CONFLICT (cycle_id, stage) DO UPDATE SET applications = cycle_stage_counts.applications + excluded.applications";
    execute!(
        ex,
        sqlx::query(sql).bind(cycle).bind(stage.as_str()).bind(by)
    )?;
    Ok(())
}
