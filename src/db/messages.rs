//! Messages to a cycle's applicants and who got each (migration 0030):
//! the recipients an audience picks, read a batch at a time; the record of
//! what was sent.

use chrono::{DateTime, Utc};

use super::{DbResult, Exec};
use crate::domain::application::ApplicationId;
use crate::domain::cycle::CycleId;
use crate::domain::message::Audience;
use crate::domain::user::UserId;

/// One applicant an audience picks, with what a message may say to them.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Recipient {
    pub application_id: ApplicationId,
    pub name: String,
    pub email: String,
    pub deadline_extended_to: Option<DateTime<Utc>>,
    /// The released decision, if any, and the extra outcome it names.
    pub outcome: Option<String>,
    pub outcome_key: Option<String>,
    pub note: Option<String>,
    pub offer_deadline: Option<DateTime<Utc>>,
}

/// The condition an audience puts on `a` (applications), `d` (their
/// released decision) with `$2` bound to [`value`].
fn condition(a: Audience) -> &'static str {
    match a {
        Audience::Drafts | Audience::Stage(_) => "a.stage = $2",
        Audience::LettersMissing => {
            "a.stage NOT IN ('withdrawn', 'ineligible') AND EXISTS (SELECT 1 FROM referee_requests r \
             WHERE r.application_id = a.id AND r.status <> $2)"
        }
        Audience::Decision(_) => "d.outcome = $2",
    }
}

fn value(a: Audience) -> &'static str {
    match a {
        Audience::Drafts => "draft",
        Audience::Stage(s) => s.as_str(),
        Audience::LettersMissing => "received",
        Audience::Decision(o) => o.as_str(),
    }
}

/// Applications of deactivated accounts get no message.
const FROM: &str = "FROM applications a JOIN users u ON u.id = a.applicant_id \
                    LEFT JOIN decisions d ON d.application_id = a.id AND d.released_at IS NOT NULL \
                    WHERE a.cycle_id = $1 AND u.deactivated_at IS NULL AND ";

/// How many applications of cycle `cycle` audience `a` picks.
#[tracing::instrument(skip_all)]
pub async fn count(ex: Exec<'_>, cycle: CycleId, a: Audience) -> DbResult<i64> {
    let sql = format!("SELECT CAST(COUNT(*) AS BIGINT) {FROM}{}", condition(a));
    run!(ex, c => sqlx::query_scalar(&sql)
        .bind(cycle)
        .bind(value(a))
        .fetch_one(c)
        .await)
}

/// Up to `limit` applicants audience `a` picks in cycle `cycle`, after
/// application `after`, in application order.
#[tracing::instrument(skip_all)]
pub async fn recipients(
    ex: Exec<'_>,
    cycle: CycleId,
    a: Audience,
    after: i64,
    limit: i64,
) -> DbResult<Vec<Recipient>> {
    let sql = format!(
        "SELECT a.id AS application_id, u.name, u.email, a.deadline_extended_to, d.outcome, d.outcome_key, \
         d.note, d.offer_deadline {FROM}{} AND a.id > $3 ORDER BY a.id LIMIT $4",
        condition(a)
    );
    run!(ex, c => sqlx::query_as(&sql)
        .bind(cycle)
        .bind(value(a))
        .bind(after)
        .bind(limit)
        .fetch_all(c)
        .await)
}

/// A message as it is recorded before it is sent.
pub struct NewMessage<'a> {
    pub cycle: CycleId,
    pub by: UserId,
    pub audience: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
}

/// Records a message (its count filled in by [`finish`]); its id.
#[tracing::instrument(skip_all)]
pub async fn insert(ex: Exec<'_>, m: &NewMessage<'_>, now: DateTime<Utc>) -> DbResult<i64> {
    let sql = "INSERT INTO messages (cycle_id, sent_by, audience, subject, body, recipients, created_at) \
               VALUES ($1, $2, $3, $4, $5, 0, $6) RETURNING id";
    let rows: Result<Vec<i64>, _> = run!(ex, c => sqlx::query_scalar(sql)
        .bind(m.cycle)
        .bind(m.by)
        .bind(m.audience)
        .bind(m.subject)
        .bind(m.body)
        .bind(now)
        .fetch_all(c)
        .await);
    super::returned_one(rows)
}

/// Records that message `id` went to each of `applications` (a batch of
/// the send, at most a few hundred).
#[tracing::instrument(skip_all)]
pub async fn add_recipients(ex: Exec<'_>, id: i64, applications: &[ApplicationId]) -> DbResult<()> {
    if applications.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "INSERT INTO message_recipients (message_id, application_id) \
         SELECT $1, id FROM applications WHERE id IN ({})",
        super::assignments::join_ids(applications)
    );
    execute!(ex, sqlx::query(&sql).bind(id))?;
    Ok(())
}

/// Notes how many applicants message `id` went to.
#[tracing::instrument(skip_all)]
pub async fn finish(ex: Exec<'_>, id: i64, recipients: i64) -> DbResult<()> {
    execute!(
        ex,
        sqlx::query("UPDATE messages SET recipients = $2 WHERE id = $1")
            .bind(id)
            .bind(recipients)
    )?;
    Ok(())
}

/// A message as recorded, with who sent it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Sent {
    pub id: i64,
    pub audience: String,
    pub subject: String,
    pub body: String,
    pub recipients: i64,
    pub created_at: DateTime<Utc>,
    pub sender: Option<String>,
}

const SENT: &str =
    "SELECT m.id, m.audience, m.subject, m.body, m.recipients, m.created_at, u.name AS sender \
                    FROM messages m LEFT JOIN users u ON u.id = m.sent_by";

/// The latest `limit` messages of cycle `cycle`, newest first.
#[tracing::instrument(skip_all)]
pub async fn of_cycle(ex: Exec<'_>, cycle: CycleId, limit: i64) -> DbResult<Vec<Sent>> {
    let sql = format!("{SENT} WHERE m.cycle_id = $1 ORDER BY m.id DESC LIMIT $2");
    run!(ex, c => sqlx::query_as(&sql).bind(cycle).bind(limit).fetch_all(c).await)
}

/// Message `id` of cycle `cycle`, if it is one.
#[tracing::instrument(skip_all)]
pub async fn one(ex: Exec<'_>, cycle: CycleId, id: i64) -> DbResult<Option<Sent>> {
    let sql = format!("{SENT} WHERE m.id = $1 AND m.cycle_id = $2");
    run!(ex, c => sqlx::query_as(&sql).bind(id).bind(cycle).fetch_optional(c).await)
}

/// Up to `limit` recipients of message `id` after application `after`:
/// the application, its applicant's name and its stage now.
#[tracing::instrument(skip_all)]
pub async fn sent_to(
    ex: Exec<'_>,
    id: i64,
    after: i64,
    limit: i64,
) -> DbResult<Vec<(ApplicationId, String, String)>> {
    let sql = "SELECT a.id, u.name, a.stage FROM message_recipients r JOIN applications a ON a.id = r.application_id \
               JOIN users u ON u.id = a.applicant_id WHERE r.message_id = $1 AND r.application_id > $2 \
               ORDER BY r.application_id LIMIT $3";
    run!(ex, c => sqlx::query_as(sql).bind(id).bind(after).bind(limit).fetch_all(c).await)
}

/// The messages application `id` was sent, newest first: (message,
/// subject, when).
#[tracing::instrument(skip_all)]
pub async fn of_application(
    ex: Exec<'_>,
    id: ApplicationId,
    limit: i64,
) -> DbResult<Vec<(i64, String, DateTime<Utc>)>> {
    let sql = "SELECT m.id, m.subject, m.created_at FROM message_recipients r JOIN messages m ON m.id = r.message_id \
               WHERE r.application_id = $1 ORDER BY m.id DESC LIMIT $2";
    run!(ex, c => sqlx::query_as(sql).bind(id).bind(limit).fetch_all(c).await)
}
