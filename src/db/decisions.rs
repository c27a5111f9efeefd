//! Decisions, their release and offers, and the letter templates of a
//! cycle. A decision changes only with the version the manager saw
//! (optimistic concurrency): a stale form changes nothing.

use chrono::{DateTime, Utc};

use super::{DbResult, Exec};
use crate::domain::application::ApplicationId;
use crate::domain::cycle::CycleId;
use crate::domain::user::UserId;
use crate::domain::workflow::decision::{OfferAnswer, Outcome};

/// A decision as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Decision {
    pub application_id: ApplicationId,
    pub cycle_id: CycleId,
    pub outcome: Outcome,
    /// The extra outcome it was recorded as (`None`: the default one).
    pub outcome_key: Option<String>,
    pub note: String,
    pub version: i64,
    pub decided_at: DateTime<Utc>,
    pub released_at: Option<DateTime<Utc>>,
    pub released_version: Option<i64>,
    pub offer_deadline: Option<DateTime<Utc>>,
    pub offer_answer: Option<OfferAnswer>,
    pub answered_at: Option<DateTime<Utc>>,
}

const COLUMNS: &str =
    "application_id, cycle_id, outcome, outcome_key, note, version, decided_at, released_at, released_version, \
                       offer_deadline, offer_answer, answered_at";

/// The decision on an application, if any.
#[tracing::instrument(skip_all)]
pub async fn find(ex: Exec<'_>, application: ApplicationId) -> DbResult<Option<Decision>> {
    let sql = format!("SELECT {COLUMNS} FROM decisions WHERE application_id = $1");
    run!(ex, c => sqlx::query_as(&sql).bind(application).fetch_optional(c).await)
}

/// Records a decision: a new one when `seen_version` is `None` (`false` if
/// one exists by now), else a change of the version seen (`false` if it
/// moved on). Either way the version grows by one.
#[expect(clippy::too_many_arguments, reason = "a decision has this many facts")]
#[tracing::instrument(skip_all)]
pub async fn record(
    ex: Exec<'_>,
    application: ApplicationId,
    cycle: CycleId,
    outcome: Outcome,
    key: Option<&str>,
    note: &str,
    seen_version: Option<i64>,
    by: UserId,
    now: DateTime<Utc>,
) -> DbResult<bool> {
    let n = match seen_version {
        None => execute!(
            ex,
            sqlx::query(
                "INSERT INTO decisions (application_id, cycle_id, outcome, note, version, decided_by, decided_at, outcome_key) \
                 VALUES ($1, $2, $3, $4, 1, $5, $6, $7) ON CONFLICT (application_id) DO NOTHING"
            )
            .bind(application)
            .bind(cycle)
            .bind(outcome)
            .bind(note)
            .bind(by)
            .bind(now)
            .bind(key)
        )?,
        Some(v) => execute!(
            ex,
            sqlx::query(
                "UPDATE decisions SET outcome = $1, note = $2, version = version + 1, decided_by = $3, decided_at = $4, \
                 outcome_key = $7 WHERE application_id = $5 AND version = $6 AND offer_answer IS NULL"
            )
            .bind(outcome)
            .bind(note)
            .bind(by)
            .bind(now)
            .bind(application)
            .bind(v)
            .bind(key)
        )?,
    };
    Ok(n == 1)
}

/// Appends to an application's decision history (`key`: the extra
/// outcome it was recorded as).
#[expect(
    clippy::too_many_arguments,
    reason = "a history entry has this many facts"
)]
#[tracing::instrument(skip_all)]
pub async fn add_event(
    ex: Exec<'_>,
    application: ApplicationId,
    what: &str,
    outcome: Outcome,
    key: Option<&str>,
    note: &str,
    by: Option<UserId>,
    now: DateTime<Utc>,
) -> DbResult<()> {
    let sql =
        "INSERT INTO decision_events (application_id, what, outcome, note, actor_id, created_at, outcome_key) \
               VALUES ($1, $2, $3, $4, $5, $6, $7)";
    execute!(
        ex,
        sqlx::query(sql)
            .bind(application)
            .bind(what)
            .bind(outcome)
            .bind(note)
            .bind(by)
            .bind(now)
            .bind(key)
    )?;
    Ok(())
}

/// One entry of the decision history.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Event {
    pub what: String,
    pub outcome: Outcome,
    pub outcome_key: Option<String>,
    pub note: String,
    pub actor_name: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// The decision history of an application, oldest first.
#[tracing::instrument(skip_all)]
pub async fn events(ex: Exec<'_>, application: ApplicationId) -> DbResult<Vec<Event>> {
    let sql = "SELECT e.what, e.outcome, e.outcome_key, e.note, u.name AS actor_name, e.created_at FROM decision_events e \
               LEFT JOIN users u ON u.id = e.actor_id WHERE e.application_id = $1 ORDER BY e.id";
    run!(ex, c => sqlx::query_as(sql).bind(application).fetch_all(c).await)
}

/// A condition leaving out the decisions of `applicant`'s applications (a
/// manager's own). An integer id, never text: safe to inline.
fn hidden(applicant: UserId) -> String {
    format!(
        " AND application_id NOT IN (SELECT id FROM applications WHERE applicant_id = {applicant})"
    )
}

/// How many decisions of a cycle (among `only`, when given) wait for
/// release, per outcome, but for `hide_applicant`'s own.
#[tracing::instrument(skip_all)]
pub async fn unreleased_counts(
    ex: Exec<'_>,
    cycle: CycleId,
    hide_applicant: UserId,
    only: Option<&[ApplicationId]>,
) -> DbResult<Vec<(Outcome, i64)>> {
    if only.is_some_and(<[ApplicationId]>::is_empty) {
        return Ok(Vec::new());
    }
    let mut restrict = only.map_or_else(String::new, |ids| {
        format!(
            " AND application_id IN ({})",
            super::assignments::join_ids(ids)
        )
    });
    restrict.push_str(&hidden(hide_applicant));
    let sql = format!(
        "SELECT outcome, COUNT(*) FROM decisions WHERE cycle_id = $1 AND released_at IS NULL{restrict} GROUP BY outcome"
    );
    run!(ex, c => sqlx::query_as(&sql).bind(cycle).fetch_all(c).await)
}

/// A decision waiting for release, with what its letter needs.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ToRelease {
    pub application_id: ApplicationId,
    pub applicant_name: String,
    pub applicant_email: String,
    pub outcome: Outcome,
    pub outcome_key: Option<String>,
    pub note: String,
    pub version: i64,
}

/// Up to `limit` unreleased decisions of a cycle with one of `outcomes`
/// (and among `only`, when given), by application.
#[tracing::instrument(skip_all)]
pub async fn to_release(
    ex: Exec<'_>,
    cycle: CycleId,
    hide_applicant: UserId,
    outcomes: &[Outcome],
    only: Option<&[ApplicationId]>,
    limit: i64,
) -> DbResult<Vec<ToRelease>> {
    if outcomes.is_empty() || only.is_some_and(<[ApplicationId]>::is_empty) {
        return Ok(Vec::new());
    }
    // Outcomes come from the fixed list, ids are integers: safe to inline.
    let outcomes = outcomes
        .iter()
        .map(|o| format!("'{}'", o.as_str()))
        .collect::<Vec<_>>()
        .join(",");
    let mut restrict = only.map_or_else(String::new, |ids| {
        format!(
            " AND d.application_id IN ({})",
            super::assignments::join_ids(ids)
        )
    });
    restrict.push_str(&format!(" AND a.applicant_id <> {hide_applicant}"));
    let sql = format!(
        "SELECT d.application_id, u.name AS applicant_name, u.email AS applicant_email, d.outcome, d.outcome_key, d.note, d.version \
         FROM decisions d JOIN applications a ON a.id = d.application_id JOIN users u ON u.id = a.applicant_id \
         WHERE d.cycle_id = $1 AND d.released_at IS NULL AND d.outcome IN ({outcomes}){restrict} \
         ORDER BY d.application_id LIMIT $2"
    );
    run!(ex, c => sqlx::query_as(&sql).bind(cycle).bind(limit).fetch_all(c).await)
}

/// Marks a decision released at the version its letter was written for
/// (with the offer's accept-by date when accepted); `false`, with nothing
/// written, when the decision changed meanwhile.
#[tracing::instrument(skip_all)]
pub async fn mark_released(
    ex: Exec<'_>,
    application: ApplicationId,
    version: i64,
    offer_deadline: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> DbResult<bool> {
    run!(ex, c => {
        let n = sqlx::query(
            "UPDATE decisions SET released_at = $1, released_version = version, offer_deadline = $2 \
             WHERE application_id = $3 AND version = $4",
        )
        .bind(now)
        .bind(offer_deadline)
        .bind(application)
        .bind(version)
        .execute(&mut *c)
        .await?
        .rows_affected();
        if n != 1 {
            return Ok(false);
        }
        sqlx::query("UPDATE applications SET decision_released = TRUE, updated_at = $1 WHERE id = $2")
            .bind(now)
            .bind(application)
            .execute(&mut *c)
            .await?;
        Ok(true)
    })
}

/// Records the applicant's answer to an open offer; `false` when it was
/// answered already or has lapsed.
#[tracing::instrument(skip_all)]
pub async fn answer_offer(
    ex: Exec<'_>,
    application: ApplicationId,
    answer: &str,
    now: DateTime<Utc>,
) -> DbResult<bool> {
    let sql = "UPDATE decisions SET offer_answer = $1, answered_at = $2 \
               WHERE application_id = $3 AND outcome = 'accepted' AND released_at IS NOT NULL \
               AND offer_answer IS NULL AND offer_deadline >= $2";
    Ok(execute!(
        ex,
        sqlx::query(sql).bind(answer).bind(now).bind(application)
    )? == 1)
}

/// Marks every open offer past its date as lapsed; returns how many.
#[tracing::instrument(skip_all)]
pub async fn lapse_offers(ex: Exec<'_>, now: DateTime<Utc>) -> DbResult<u64> {
    let sql = "UPDATE decisions SET offer_answer = 'lapsed', answered_at = $1 \
               WHERE offer_answer IS NULL AND outcome = 'accepted' AND offer_deadline < $1";
    execute!(ex, sqlx::query(sql).bind(now))
}

/// A decision as the cycle's list shows it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Listed {
    pub application_id: ApplicationId,
    pub applicant_name: String,
    pub outcome: Outcome,
    pub outcome_key: Option<String>,
    pub version: i64,
    pub released_at: Option<DateTime<Utc>>,
    pub offer_deadline: Option<DateTime<Utc>>,
    pub offer_answer: Option<OfferAnswer>,
    pub normalised: Option<f64>,
}

/// A page of a cycle's decisions (of one outcome, or all), best
/// normalised score first (the application's summary row, kept up to date
/// by `db::scores`); and how many in all.
#[tracing::instrument(skip_all)]
pub async fn list(
    ex: Exec<'_>,
    cycle: CycleId,
    hide_applicant: crate::domain::user::UserId,
    outcome: Option<Outcome>,
    offset: i64,
    limit: i64,
) -> DbResult<(Vec<Listed>, i64)> {
    let sql = format!("SELECT d.application_id, u.name AS applicant_name, d.outcome, d.outcome_key, d.version, d.released_at, d.offer_deadline, \
               d.offer_answer, s.normalised \
               FROM decisions d JOIN applications a ON a.id = d.application_id JOIN users u ON u.id = a.applicant_id \
               LEFT JOIN application_scores s ON s.application_id = d.application_id \
               WHERE d.cycle_id = $1 AND ($2 = '' OR d.outcome = $2) AND a.applicant_id <> {hide_applicant} \
               ORDER BY s.normalised DESC NULLS LAST, d.application_id LIMIT $3 OFFSET $4");
    let count = format!(
        "SELECT COUNT(*) FROM decisions d JOIN applications a ON a.id = d.application_id \
         WHERE d.cycle_id = $1 AND ($2 = '' OR d.outcome = $2) AND a.applicant_id <> {hide_applicant}"
    );
    // `None` is bound as the empty word, which the query reads as "all".
    let outcome = outcome.map_or("", Outcome::as_str);
    run!(ex, c => {
        let rows: Vec<Listed> = sqlx::query_as(&sql)
            .bind(cycle)
            .bind(outcome)
            .bind(limit)
            .bind(offset)
            .fetch_all(&mut *c)
            .await?;
        let total: i64 = sqlx::query_scalar(&count).bind(cycle).bind(outcome).fetch_one(&mut *c).await?;
        Ok((rows, total))
    })
}

/// How many accepted offers of a cycle are open, accepted, declined and
/// lapsed, and how many applicants are waitlisted (released).
#[derive(Debug, Clone, Copy, Default, sqlx::FromRow)]
pub struct OfferCounts {
    pub open: i64,
    pub accepted: i64,
    pub declined: i64,
    pub lapsed: i64,
    pub waitlisted: i64,
}

/// The offer counts of a cycle.
#[tracing::instrument(skip_all)]
pub async fn offer_counts(ex: Exec<'_>, cycle: CycleId) -> DbResult<OfferCounts> {
    let sql = "SELECT \
               COUNT(CASE WHEN outcome = 'accepted' AND released_at IS NOT NULL AND offer_answer IS NULL THEN 1 END) AS open, \
               COUNT(CASE WHEN offer_answer = 'accepted' THEN 1 END) AS accepted, \
               COUNT(CASE WHEN offer_answer = 'declined' THEN 1 END) AS declined, \
               COUNT(CASE WHEN offer_answer = 'lapsed' THEN 1 END) AS lapsed, \
               COUNT(CASE WHEN outcome = 'waitlisted' AND released_at IS NOT NULL THEN 1 END) AS waitlisted \
               FROM decisions WHERE cycle_id = $1";
    run!(ex, c => sqlx::query_as(sql).bind(cycle).fetch_one(c).await)
}

/// The released waitlisted applications of a cycle with their normalised
/// score from their summary rows (for
/// [`crate::domain::workflow::decision::waitlist_order`]).
#[tracing::instrument(skip_all)]
pub async fn waitlisted(
    ex: Exec<'_>,
    cycle: CycleId,
) -> DbResult<Vec<(ApplicationId, Option<f64>)>> {
    let sql = "SELECT d.application_id, s.normalised FROM decisions d \
               LEFT JOIN application_scores s ON s.application_id = d.application_id \
               WHERE d.cycle_id = $1 AND d.outcome = 'waitlisted' AND d.released_at IS NOT NULL";
    run!(ex, c => sqlx::query_as(sql).bind(cycle).fetch_all(c).await)
}

/// A cycle's letter template for an outcome, if the manager wrote one.
#[tracing::instrument(skip_all)]
pub async fn template(
    ex: Exec<'_>,
    cycle: CycleId,
    outcome: Outcome,
) -> DbResult<Option<(String, String)>> {
    let sql = "SELECT subject, body FROM letter_templates WHERE cycle_id = $1 AND outcome = $2";
    run!(ex, c => sqlx::query_as(sql).bind(cycle).bind(outcome).fetch_optional(c).await)
}

/// Stores a cycle's letter template for an outcome (already checked).
#[tracing::instrument(skip_all)]
pub async fn put_template(
    ex: Exec<'_>,
    cycle: CycleId,
    outcome: &str,
    subject: &str,
    body: &str,
    by: UserId,
    now: DateTime<Utc>,
) -> DbResult<()> {
    let sql = "INSERT INTO letter_templates (cycle_id, outcome, subject, body, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6) \
               ON CONFLICT (cycle_id, outcome) DO UPDATE SET subject = excluded.subject, body = excluded.body, \
               updated_by = excluded.updated_by, updated_at = excluded.updated_at";
    execute!(
        ex,
        sqlx::query(sql)
            .bind(cycle)
            .bind(outcome)
            .bind(subject)
            .bind(body)
            .bind(by)
            .bind(now)
    )?;
    Ok(())
}
