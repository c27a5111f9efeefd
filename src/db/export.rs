//! A cycle's applications a batch at a time in id order: for export, with
//! their review figures and decisions (never demographics); and for the
//! demographics report, which counts them only in aggregate.

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
