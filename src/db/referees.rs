//! Referee requests: who was asked, the link they hold (as a hash), and
//! what they answered.

use chrono::{DateTime, Utc};

use super::{DbResult, Exec};
use crate::domain::application::ApplicationId;
use crate::domain::document::DocumentId;
use crate::domain::referee::RequestStatus;

/// A referee request.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Request {
    pub id: i64,
    pub application_id: ApplicationId,
    pub question_key: String,
    pub position: i64,
    pub name: String,
    pub email: String,
    pub relationship: String,
    pub waived: bool,
    pub token_expires_at: DateTime<Utc>,
    pub status: RequestStatus,
    pub decline_note: String,
    pub letter_document_id: Option<DocumentId>,
    pub requested_at: DateTime<Utc>,
    pub responded_at: Option<DateTime<Utc>>,
}

const COLUMNS: &str = "id, application_id, question_key, position, name, email, relationship, waived, token_expires_at, \
                       status, decline_note, letter_document_id, requested_at, responded_at";

/// A referee named by the applicant.
pub struct NewRequest<'a> {
    pub application_id: ApplicationId,
    pub question_key: &'a str,
    pub position: i64,
    pub name: &'a str,
    pub email: &'a str,
    pub relationship: &'a str,
    pub waived: bool,
    pub token_hash: &'a str,
    pub token_expires_at: DateTime<Utc>,
}

/// Names a referee in a slot, or replaces the one named there while no
/// answer has arrived; returns the request id, or `None` when the slot's
/// referee has already answered.
#[tracing::instrument(skip_all)]
pub async fn put(ex: Exec<'_>, r: &NewRequest<'_>, now: DateTime<Utc>) -> DbResult<Option<i64>> {
    let sql = "INSERT INTO referee_requests (application_id, question_key, position, name, email, relationship, waived, \
               token_hash, token_expires_at, status, requested_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'requested', $10) \
               ON CONFLICT (application_id, question_key, position) DO UPDATE SET name = excluded.name, email = excluded.email, \
               relationship = excluded.relationship, waived = excluded.waived, token_hash = excluded.token_hash, \
               token_expires_at = excluded.token_expires_at, requested_at = excluded.requested_at, reminded_at = NULL \
               WHERE referee_requests.status = 'requested' RETURNING id";
    let rows: Result<Vec<i64>, _> = run!(ex, c => sqlx::query_scalar(sql)
        .bind(r.application_id)
        .bind(r.question_key)
        .bind(r.position)
        .bind(r.name)
        .bind(r.email)
        .bind(r.relationship)
        .bind(r.waived)
        .bind(r.token_hash)
        .bind(r.token_expires_at)
        .bind(now)
        .fetch_all(c)
        .await);
    super::returned(rows)
}

/// The requests of an application, by question and position.
#[tracing::instrument(skip_all)]
pub async fn for_application(ex: Exec<'_>, application: ApplicationId) -> DbResult<Vec<Request>> {
    let sql = format!("SELECT {COLUMNS} FROM referee_requests WHERE application_id = $1 ORDER BY question_key, position");
    run!(ex, c => sqlx::query_as(&sql).bind(application).fetch_all(c).await)
}

/// The request with this id.
#[tracing::instrument(skip_all)]
pub async fn find(ex: Exec<'_>, id: i64) -> DbResult<Option<Request>> {
    let sql = format!("SELECT {COLUMNS} FROM referee_requests WHERE id = $1");
    run!(ex, c => sqlx::query_as(&sql).bind(id).fetch_optional(c).await)
}

/// The request a link's token hash names.
#[tracing::instrument(skip_all)]
pub async fn find_by_token(ex: Exec<'_>, token_hash: &str) -> DbResult<Option<Request>> {
    let sql = format!("SELECT {COLUMNS} FROM referee_requests WHERE token_hash = $1");
    run!(ex, c => sqlx::query_as(&sql).bind(token_hash).fetch_optional(c).await)
}

/// Gives a waiting request a new link (the old one stops working).
#[tracing::instrument(skip_all)]
pub async fn renew_token(
    ex: Exec<'_>,
    id: i64,
    token_hash: &str,
    expires: DateTime<Utc>,
    now: DateTime<Utc>,
) -> DbResult<bool> {
    let sql =
        "UPDATE referee_requests SET token_hash = $1, token_expires_at = $2, requested_at = $3 \
               WHERE id = $4 AND status = 'requested'";
    Ok(execute!(
        ex,
        sqlx::query(sql)
            .bind(token_hash)
            .bind(expires)
            .bind(now)
            .bind(id)
    )? == 1)
}

/// Records a received letter; `false` if the request was already answered.
#[tracing::instrument(skip_all)]
pub async fn record_letter(
    ex: Exec<'_>,
    id: i64,
    document: DocumentId,
    now: DateTime<Utc>,
) -> DbResult<bool> {
    let sql = "UPDATE referee_requests SET status = 'received', letter_document_id = $1, responded_at = $2 \
               WHERE id = $3 AND status = 'requested'";
    Ok(execute!(ex, sqlx::query(sql).bind(document).bind(now).bind(id))? == 1)
}

/// Records that the referee declined; `false` if already answered.
#[tracing::instrument(skip_all)]
pub async fn record_decline(
    ex: Exec<'_>,
    id: i64,
    note: &str,
    now: DateTime<Utc>,
) -> DbResult<bool> {
    let sql =
        "UPDATE referee_requests SET status = 'declined', decline_note = $1, responded_at = $2 \
               WHERE id = $3 AND status = 'requested'";
    Ok(execute!(ex, sqlx::query(sql).bind(note).bind(now).bind(id))? == 1)
}

/// Removes a referee who has not answered.
#[tracing::instrument(skip_all)]
pub async fn remove(ex: Exec<'_>, id: i64) -> DbResult<bool> {
    Ok(execute!(
        ex,
        sqlx::query("DELETE FROM referee_requests WHERE id = $1 AND status = 'requested'").bind(id)
    )? == 1)
}

/// A request due a reminder, with what the reminder says.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Due {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub applicant_name: String,
    pub program_name: String,
    /// The program's kind as stored (a nomination asks for letters of
    /// support).
    pub program_kind: String,
    pub letters_due_at: DateTime<Utc>,
    pub time_zone: String,
}

/// Waiting requests of applications still alive whose letters are due
/// before `horizon` (and not yet past), not reminded yet, whose referee
/// has not stopped reminders; at most `limit`.
#[tracing::instrument(skip_all)]
pub async fn due_reminders(
    ex: Exec<'_>,
    now: DateTime<Utc>,
    horizon: DateTime<Utc>,
    limit: i64,
) -> DbResult<Vec<Due>> {
    let sql = "SELECT r.id, r.name, r.email, u.name AS applicant_name, p.name AS program_name, p.kind AS program_kind, \
               c.letters_due_at, c.time_zone \
               FROM referee_requests r JOIN applications a ON a.id = r.application_id JOIN users u ON u.id = a.applicant_id \
               JOIN cycles c ON c.id = a.cycle_id JOIN programs p ON p.id = c.program_id \
               WHERE r.status = 'requested' AND r.reminded_at IS NULL AND c.letters_due_at > $1 AND c.letters_due_at <= $2 \
               AND a.stage <> 'withdrawn' \
               AND NOT EXISTS (SELECT 1 FROM mail_preferences m WHERE m.email = LOWER(r.email) AND m.referee_reminders = FALSE) \
               ORDER BY r.id LIMIT $3";
    run!(ex, c => sqlx::query_as(sql).bind(now).bind(horizon).bind(limit).fetch_all(c).await)
}

/// Notes that a reminder was queued.
#[tracing::instrument(skip_all)]
pub async fn mark_reminded(ex: Exec<'_>, id: i64, now: DateTime<Utc>) -> DbResult<()> {
    execute!(
        ex,
        sqlx::query("UPDATE referee_requests SET reminded_at = $1 WHERE id = $2")
            .bind(now)
            .bind(id)
    )?;
    Ok(())
}
