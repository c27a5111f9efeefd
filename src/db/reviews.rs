//! Reviews: drafts, submission (which locks), reopening, and the figures
//! the ranking is sorted on, aggregated in SQL.
//!
//! On submission a review stores its mean and weighted total (0-100, from
//! `domain::workflow::scoring`), and the reviewer's z-scores in the cycle
//! are recomputed ([`recompute_z`]) so that the normalised score of every
//! application is one `AVG` in SQL: raw totals where the reviewer has
//! fewer than three reviews, otherwise the cycle's mean plus its standard
//! deviation times the stored z. Each change here keeps the score
//! summaries (`scores`) in the same transaction; the ranking reads those
//! (`ranking`). `tests/app/review.rs` checks the SQL against the pure
//! aggregation.
//!
//! A review keeps the rubric version it was started under
//! (`rubric_version`, see `rubrics`): its mean and total were computed
//! against that version, so totals written under different versions are
//! ranked together without being recomputed.

use chrono::{DateTime, Utc};

use super::{DbResult, Exec};
use crate::domain::application::ApplicationId;
use crate::domain::cycle::CycleId;
use crate::domain::user::UserId;
use crate::domain::workflow::review::ReviewState;
use crate::domain::workflow::scoring::{self, Stats};

/// A review as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Review {
    pub id: i64,
    pub assignment_id: i64,
    pub application_id: ApplicationId,
    pub reviewer_id: UserId,
    pub reviewer_name: String,
    pub state: ReviewState,
    pub scores_json: String,
    pub comments_json: String,
    pub overall_comment: String,
    pub recommendation: String,
    pub confidence: String,
    pub score_mean: Option<f64>,
    pub score_total: Option<f64>,
    pub version: i64,
    /// The rubric version the review was started under, and is scored against.
    pub rubric_version: i64,
    pub updated_at: DateTime<Utc>,
    pub submitted_at: Option<DateTime<Utc>>,
}

const COLUMNS: &str = "r.id, r.assignment_id, r.application_id, r.reviewer_id, u.name AS reviewer_name, r.state, \
     r.scores_json, r.comments_json, r.overall_comment, r.recommendation, r.confidence, r.score_mean, \
     r.score_total, r.version, r.rubric_version, r.updated_at, r.submitted_at";

/// The review written for an assignment, if any.
#[tracing::instrument(skip_all)]
pub async fn for_assignment(ex: Exec<'_>, assignment: i64) -> DbResult<Option<Review>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM reviews r JOIN users u ON u.id = r.reviewer_id WHERE r.assignment_id = $1"
    );
    run!(ex, c => sqlx::query_as(&sql).bind(assignment).fetch_optional(c).await)
}

/// The review with this id, if any.
#[tracing::instrument(skip_all)]
pub async fn find(ex: Exec<'_>, id: i64) -> DbResult<Option<Review>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM reviews r JOIN users u ON u.id = r.reviewer_id WHERE r.id = $1"
    );
    run!(ex, c => sqlx::query_as(&sql).bind(id).fetch_optional(c).await)
}

/// Every review of an application (drafts too), by reviewer name.
#[tracing::instrument(skip_all)]
pub async fn of_application(ex: Exec<'_>, application: ApplicationId) -> DbResult<Vec<Review>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM reviews r JOIN users u ON u.id = r.reviewer_id \
         WHERE r.application_id = $1 ORDER BY u.name, r.id"
    );
    run!(ex, c => sqlx::query_as(&sql).bind(application).fetch_all(c).await)
}

/// What a reviewer writes.
pub struct Written<'a> {
    pub assignment_id: i64,
    pub application_id: ApplicationId,
    pub reviewer_id: UserId,
    pub cycle_id: CycleId,
    pub scores_json: &'a str,
    pub comments_json: &'a str,
    pub overall_comment: &'a str,
    pub recommendation: &'a str,
    pub confidence: &'a str,
    /// The rubric version the scores were given under: kept from the
    /// review's start, so an existing review's is never changed.
    pub rubric_version: i64,
}

/// Saves a draft, or submits with the review's figures (`Some((mean,
/// total))`). `false`, with nothing written, when the review was already
/// submitted: a submitted review changes only after a manager reopens it.
#[tracing::instrument(skip_all)]
pub async fn save(
    mut ex: Exec<'_>,
    w: &Written<'_>,
    submit: Option<(f64, f64)>,
    now: DateTime<Utc>,
) -> DbResult<bool> {
    let state = if submit.is_some() {
        ReviewState::Submitted
    } else {
        ReviewState::Draft
    };
    let submitted_at = submit.map(|_| now);
    let sql = "INSERT INTO reviews (assignment_id, application_id, reviewer_id, cycle_id, state, scores_json, comments_json, \
               overall_comment, recommendation, confidence, score_mean, score_total, created_at, updated_at, submitted_at, \
               rubric_version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13, $14, $15) \
               ON CONFLICT (assignment_id) DO UPDATE SET state = excluded.state, scores_json = excluded.scores_json, \
               comments_json = excluded.comments_json, overall_comment = excluded.overall_comment, \
               recommendation = excluded.recommendation, confidence = excluded.confidence, \
               score_mean = excluded.score_mean, score_total = excluded.score_total, \
               updated_at = excluded.updated_at, submitted_at = excluded.submitted_at, version = reviews.version + 1 \
               WHERE reviews.state = 'draft'";
    let n = execute!(
        ex.reborrow(),
        sqlx::query(sql)
            .bind(w.assignment_id)
            .bind(w.application_id)
            .bind(w.reviewer_id)
            .bind(w.cycle_id)
            .bind(state)
            .bind(w.scores_json)
            .bind(w.comments_json)
            .bind(w.overall_comment)
            .bind(w.recommendation)
            .bind(w.confidence)
            .bind(submit.map(|s| s.0))
            .bind(submit.map(|s| s.1))
            .bind(now)
            .bind(submitted_at)
            .bind(w.rubric_version)
    )?;
    if n == 1 && submit.is_some() {
        super::scores::refresh_application(ex, w.application_id).await?;
    }
    Ok(n == 1)
}

/// Turns a submitted review back into a draft; `false` when it was not
/// submitted (reopened already, or never sent).
#[tracing::instrument(skip_all)]
pub async fn reopen(mut ex: Exec<'_>, id: i64, now: DateTime<Utc>) -> DbResult<bool> {
    let sql = "UPDATE reviews SET state = 'draft', submitted_at = NULL, score_mean = NULL, score_total = NULL, z = NULL, \
               updated_at = $1, version = version + 1 WHERE id = $2 AND state = 'submitted'";
    let reopened = execute!(ex.reborrow(), sqlx::query(sql).bind(now).bind(id))? == 1;
    if reopened {
        let application: ApplicationId = run!(ex.reborrow(), c => sqlx::query_scalar(
            "SELECT application_id FROM reviews WHERE id = $1"
        ).bind(id).fetch_one(c).await)?;
        super::scores::refresh_application(ex, application).await?;
    }
    Ok(reopened)
}

/// Recomputes the z-score of each of the reviewer's submitted reviews in
/// the cycle, and with them the summaries they move (the reviewer's row,
/// their applications' sums, the cycle's scale and every normalised
/// score); call it in the transaction that changed one of them. On
/// PostgreSQL the reviewer's row is locked first, so two of their
/// submissions at once cannot each miss the other.
#[tracing::instrument(skip_all)]
pub async fn recompute_z(ex: Exec<'_>, cycle: CycleId, reviewer: UserId) -> DbResult<()> {
    let mut ex = match ex {
        Exec::Postgres(c) => {
            sqlx::query("SELECT id FROM users WHERE id = $1 FOR UPDATE")
                .bind(reviewer)
                .execute(&mut *c)
                .await?;
            Exec::Postgres(c)
        }
        sqlite => sqlite,
    };
    let select = "SELECT id, score_total FROM reviews \
                  WHERE cycle_id = $1 AND reviewer_id = $2 AND state = 'submitted' AND score_total IS NOT NULL";
    let update = "UPDATE reviews SET z = $1 WHERE id = $2";
    run!(ex.reborrow(), c => {
        let rows: Vec<(i64, f64)> = sqlx::query_as(select)
            .bind(cycle)
            .bind(reviewer)
            .fetch_all(&mut *c)
            .await?;
        let totals: Vec<f64> = rows.iter().map(|r| r.1).collect();
        let stats = scoring::stats(&totals);
        for (id, total) in &rows {
            let z = scoring::z_score(*total, &stats);
            sqlx::query(update).bind(z).bind(id).execute(&mut *c).await?;
        }
        Ok::<_, sqlx::Error>(())
    })?;
    super::scores::after_z(ex, cycle, reviewer).await
}

/// Count, mean and standard deviation of every submitted total in a cycle.
#[tracing::instrument(skip_all)]
pub async fn cycle_scale(ex: Exec<'_>, cycle: CycleId) -> DbResult<Stats> {
    let sql =
        "SELECT COUNT(score_total), AVG(score_total), AVG(score_total * score_total) FROM reviews \
               WHERE cycle_id = $1 AND state = 'submitted'";
    let (n, mean, square): (i64, Option<f64>, Option<f64>) =
        run!(ex, c => sqlx::query_as(sql).bind(cycle).fetch_one(c).await)?;
    Ok(stats_of(n, mean.unwrap_or(0.0), square.unwrap_or(0.0)))
}

/// Population statistics from SQL's count, mean and mean of squares
/// (SQLite has no square root; rounding can make the variance a hair below 0).
/// The SQL of an application's normalised score over its submitted
/// reviews `r`: each review's `cycle mean + cycle sd × z`, or its raw
/// total while its reviewer has too few reviews for a z (see
/// [`scoring::normalised`]); `mean` and `sd` name the parameters holding
/// the cycle's scale (`$2`, `$3`...).
pub(crate) fn normalised_average(mean: &str, sd: &str) -> String {
    format!("AVG(CASE WHEN r.z IS NULL THEN r.score_total ELSE {mean} + {sd} * r.z END)")
}

fn stats_of(count: i64, mean: f64, mean_of_squares: f64) -> Stats {
    Stats {
        count: usize::try_from(count).unwrap_or(0),
        mean,
        sd: (mean_of_squares - mean * mean).max(0.0).sqrt(),
    }
}

/// A submitted review's figures, for checking the SQL against the pure
/// aggregation and for an application's detail page.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Submitted {
    pub application_id: ApplicationId,
    pub reviewer_id: UserId,
    pub scores_json: String,
    pub score_mean: f64,
    pub score_total: f64,
}

/// The submitted reviews of the given applications.
#[tracing::instrument(skip_all)]
pub async fn submitted_of(
    ex: Exec<'_>,
    applications: &[ApplicationId],
) -> DbResult<Vec<Submitted>> {
    if applications.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT application_id, reviewer_id, scores_json, score_mean, score_total FROM reviews \
         WHERE state = 'submitted' AND application_id IN ({}) ORDER BY application_id, reviewer_id",
        super::assignments::join_ids(applications)
    );
    run!(ex, c => sqlx::query_as(&sql).fetch_all(c).await)
}

/// Count, mean and standard deviation of each given reviewer's submitted
/// totals in the cycle (for normalising one application's reviews).
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
        "SELECT reviewer_id, COUNT(*), AVG(score_total), AVG(score_total * score_total) FROM reviews \
         WHERE cycle_id = $1 AND state = 'submitted' AND reviewer_id IN ({}) GROUP BY reviewer_id",
        super::assignments::join_ids(reviewers)
    );
    let rows: Vec<(UserId, i64, f64, f64)> =
        run!(ex, c => sqlx::query_as(&sql).bind(cycle).fetch_all(c).await)?;
    Ok(rows
        .into_iter()
        .map(|(id, n, mean, square)| (id, stats_of(n, mean, square)))
        .collect())
}

/// How many reviews (drafts included) a cycle has.
#[tracing::instrument(skip_all)]
pub async fn count_in_cycle(ex: Exec<'_>, cycle: CycleId) -> DbResult<i64> {
    run!(ex, c => sqlx::query_scalar("SELECT COUNT(*) FROM reviews WHERE cycle_id = $1").bind(cycle).fetch_one(c).await)
}
