//! A cycle's records a batch at a time, in a fixed order each batch
//! continues from: its applications with their review figures and
//! decisions (never demographics), for the applications export; its
//! submitted reviews and its decisions, for the reports; and its
//! applicants for the demographics report, which counts them only in
//! aggregate.

use chrono::{DateTime, Utc};

use super::{DbResult, Exec};
use crate::domain::cycle::CycleId;
use crate::domain::user::UserId;
use crate::domain::workflow::decision::{OfferAnswer, Outcome};
use crate::domain::workflow::scoring::Stats;
use crate::domain::workflow::stage::Stage;

/// One exported application.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Exported {
    pub id: i64,
    pub applicant_name: String,
    pub applicant_email: String,
    pub institution: String,
    pub stage: Stage,
    pub submitted_at: Option<DateTime<Utc>>,
    pub answers_json: String,
    pub screening_reason: String,
    pub assigned: i64,
    pub reviewed: i64,
    pub mean: Option<f64>,
    pub total: Option<f64>,
    pub normalised: Option<f64>,
    pub outcome: Option<Outcome>,
    pub released_at: Option<DateTime<Utc>>,
    pub offer_answer: Option<OfferAnswer>,
}

/// Up to `limit` of the cycle's submitted applications (every stage but
/// draft) with an id above `after`, by id. `scale` is the cycle's
/// [`super::reviews::cycle_scale`], for the normalised score.
#[tracing::instrument(skip_all)]
pub async fn batch(
    ex: Exec<'_>,
    cycle: CycleId,
    hide_applicant: Option<UserId>,
    scale: &Stats,
    after: i64,
    limit: i64,
) -> DbResult<Vec<Exported>> {
    // An integer id, never text: safe to inline.
    let hide = hide_applicant.map_or_else(String::new, |u| format!(" AND a.applicant_id <> {u}"));
    let sql = format!("SELECT a.id, u.name AS applicant_name, u.email AS applicant_email, a.institution, a.stage, \
         a.submitted_at, a.answers_json, a.screening_reason, \
         (SELECT COUNT(*) FROM assignments s WHERE s.application_id = a.id) AS assigned, \
         COALESCE(f.reviewed, 0) AS reviewed, f.mean, f.total, f.normalised, \
         d.outcome, d.released_at, d.offer_answer \
         FROM applications a JOIN users u ON u.id = a.applicant_id \
         LEFT JOIN ( \
           SELECT r.application_id, COUNT(*) AS reviewed, AVG(r.score_mean) AS mean, AVG(r.score_total) AS total, \
           {} AS normalised \
           FROM reviews r WHERE r.cycle_id = $1 AND r.state = 'submitted' AND r.application_id IN ( \
             SELECT id FROM applications WHERE cycle_id = $1 AND stage <> 'draft' AND id > $4 ORDER BY id LIMIT $5) \
           GROUP BY r.application_id \
         ) f ON f.application_id = a.id \
         LEFT JOIN decisions d ON d.application_id = a.id \
         WHERE a.cycle_id = $1 AND a.stage <> 'draft' AND a.id > $4{hide} \
         ORDER BY a.id LIMIT $5",
        super::reviews::normalised_average("$2", "$3"),
    );
    run!(ex, c => sqlx::query_as(&sql)
        .bind(cycle)
        .bind(scale.mean)
        .bind(scale.sd)
        .bind(after)
        .bind(limit)
        .fetch_all(c)
        .await)
}

/// One applicant of the cycle as the demographics report counts them.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Counted {
    pub id: i64,
    pub stage: Stage,
    pub outcome: Option<Outcome>,
    /// Their demographics answers, when they gave any.
    pub demographics_json: Option<String>,
}

/// Up to `limit` of the cycle's submitted applications with an id above
/// `after`, by id, with the applicant's demographics and their released
/// decision (none while it is held).
#[tracing::instrument(skip_all)]
pub async fn demographics_batch(
    ex: Exec<'_>,
    cycle: CycleId,
    after: i64,
    limit: i64,
) -> DbResult<Vec<Counted>> {
    // Held decisions are not counted: toggling one and comparing the page
    // would tell about that one applicant.
    let sql = "SELECT a.id, a.stage, \
         CASE WHEN d.released_at IS NOT NULL THEN d.outcome END AS outcome, \
         g.answers_json AS demographics_json \
         FROM applications a LEFT JOIN demographics g ON g.user_id = a.applicant_id \
         LEFT JOIN decisions d ON d.application_id = a.id \
         WHERE a.cycle_id = $1 AND a.stage <> 'draft' AND a.id > $2 ORDER BY a.id LIMIT $3";
    run!(ex, c => sqlx::query_as(sql)
        .bind(cycle)
        .bind(after)
        .bind(limit)
        .fetch_all(c)
        .await)
}

/// One submitted review, for the reviews report.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReviewRow {
    pub id: i64,
    pub application_id: i64,
    pub applicant_name: String,
    pub applicant_email: String,
    pub institution: String,
    pub reviewer_id: UserId,
    pub reviewer_name: String,
    pub reviewer_email: String,
    pub submitted_at: Option<DateTime<Utc>>,
    pub rubric_version: i64,
    pub scores_json: String,
    pub comments_json: String,
    pub overall_comment: String,
    pub recommendation: String,
    pub confidence: String,
    pub score_mean: Option<f64>,
    pub score_total: Option<f64>,
}

/// Up to `limit` of the cycle's submitted reviews after the review `after`
/// (its application's id, then its own) in that order, leaving out those
/// of `hide_applicant`'s applications. Reads the `reviews_report` index.
#[tracing::instrument(skip_all)]
pub async fn reviews_batch(
    ex: Exec<'_>,
    cycle: CycleId,
    hide_applicant: Option<UserId>,
    after: (i64, i64),
    limit: i64,
) -> DbResult<Vec<ReviewRow>> {
    // An integer id, never text: safe to inline.
    let hide = hide_applicant.map_or_else(String::new, |u| format!(" AND a.applicant_id <> {u}"));
    let sql = format!(
        "SELECT r.id, r.application_id, u.name AS applicant_name, u.email AS applicant_email, a.institution, \
         r.reviewer_id, v.name AS reviewer_name, v.email AS reviewer_email, r.submitted_at, r.rubric_version, \
         r.scores_json, r.comments_json, r.overall_comment, r.recommendation, r.confidence, r.score_mean, r.score_total \
         FROM reviews r JOIN applications a ON a.id = r.application_id JOIN users u ON u.id = a.applicant_id \
         JOIN users v ON v.id = r.reviewer_id \
         WHERE r.cycle_id = $1 AND r.state = 'submitted' \
         AND (r.application_id > $2 OR (r.application_id = $2 AND r.id > $3)){hide} \
         ORDER BY r.application_id, r.id LIMIT $4"
    );
    run!(ex, c => sqlx::query_as(&sql)
        .bind(cycle)
        .bind(after.0)
        .bind(after.1)
        .bind(limit)
        .fetch_all(c)
        .await)
}

/// One recorded decision, for the decisions report.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DecisionRow {
    pub id: i64,
    pub applicant_name: String,
    pub applicant_email: String,
    pub institution: String,
    pub stage: Stage,
    pub outcome: Outcome,
    pub outcome_key: Option<String>,
    pub note: String,
    pub decided_by: Option<String>,
    pub decided_at: DateTime<Utc>,
    pub released_at: Option<DateTime<Utc>>,
    pub offer_deadline: Option<DateTime<Utc>>,
    pub offer_answer: Option<OfferAnswer>,
    pub answered_at: Option<DateTime<Utc>>,
    pub reviewed: i64,
    pub mean: Option<f64>,
    pub total: Option<f64>,
    pub normalised: Option<f64>,
}

/// Up to `limit` of the cycle's decisions (held or released) on
/// applications with an id above `after`, by application id, with the
/// application's review figures from its summary row.
#[tracing::instrument(skip_all)]
pub async fn decisions_batch(
    ex: Exec<'_>,
    cycle: CycleId,
    hide_applicant: Option<UserId>,
    after: i64,
    limit: i64,
) -> DbResult<Vec<DecisionRow>> {
    // An integer id, never text: safe to inline.
    let hide = hide_applicant.map_or_else(String::new, |u| format!(" AND a.applicant_id <> {u}"));
    let sql = format!(
        "SELECT a.id, u.name AS applicant_name, u.email AS applicant_email, a.institution, a.stage, \
         d.outcome, d.outcome_key, d.note, m.name AS decided_by, d.decided_at, d.released_at, \
         d.offer_deadline, d.offer_answer, d.answered_at, \
         CAST(COALESCE(s.reviewed, 0) AS BIGINT) AS reviewed, s.mean, s.total, s.normalised \
         FROM decisions d JOIN applications a ON a.id = d.application_id JOIN users u ON u.id = a.applicant_id \
         LEFT JOIN users m ON m.id = d.decided_by \
         LEFT JOIN application_scores s ON s.application_id = a.id \
         WHERE d.cycle_id = $1 AND d.application_id > $2{hide} \
         ORDER BY d.application_id LIMIT $3"
    );
    run!(ex, c => sqlx::query_as(&sql)
        .bind(cycle)
        .bind(after)
        .bind(limit)
        .fetch_all(c)
        .await)
}
