//! The mail outbox: rows written in the transaction of the change they
//! report, claimed and delivered by the worker.

use chrono::{DateTime, Utc};

use super::{DbResult, Exec};
use crate::domain::outbox::{MailStatus, Priority};

/// A rendered message to queue.
pub struct NewMessage<'a> {
    /// Unique per message: a second insert with the same key is ignored.
    pub key: &'a str,
    pub kind: &'a str,
    pub recipient: &'a str,
    /// The recipient's name for the To header, when the portal knows it.
    pub recipient_name: Option<&'a str>,
    pub subject: &'a str,
    pub text_body: &'a str,
    pub html_body: &'a str,
    /// The secret of a working link in the bodies (a token), removed from
    /// them once the message is sent.
    pub secret: Option<&'a str>,
    /// The page that stops messages like this one (reminders only).
    pub unsubscribe_url: Option<&'a str>,
}

/// What stands in a sent message's bodies where its working link's secret
/// was.
pub const SECRET_REMOVED: &str = "removed-once-sent";

/// A queued message.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Message {
    pub id: i64,
    pub message_key: String,
    pub kind: String,
    pub recipient: String,
    pub subject: String,
    pub text_body: String,
    pub html_body: String,
    pub status: MailStatus,
    pub attempts: i64,
    pub last_error: Option<String>,
    /// The random part of the Message-ID, drawn at enqueue (NULL on rows
    /// queued before it existed).
    pub message_id: Option<String>,
    pub recipient_name: Option<String>,
    pub unsubscribe_url: Option<String>,
}

const COLUMNS: &str =
    "id, message_key, kind, recipient, subject, text_body, html_body, status, attempts, \
                       last_error, message_id, recipient_name, unsubscribe_url";

/// Queues a message (its priority from its kind) with a Message-ID part
/// of its own, drawn now and kept through every retry; `false` when its
/// key was queued before.
#[tracing::instrument(skip_all)]
pub async fn enqueue(ex: Exec<'_>, m: &NewMessage<'_>, now: DateTime<Utc>) -> DbResult<bool> {
    let sql = "INSERT INTO outbox (message_key, kind, recipient, subject, text_body, html_body, secret, priority, \
               status, next_attempt_at, created_at, message_id, recipient_name, unsubscribe_url) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', $9, $9, $10, $11, $12) \
               ON CONFLICT (message_key) DO NOTHING";
    // Random, not derived from the key: keys such as `decision:19` repeat
    // in every database, and a provider drops a Message-ID it has seen.
    let message_id: String = rand::random::<[u8; 16]>()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let r = execute!(
        ex,
        sqlx::query(sql)
            .bind(m.key)
            .bind(m.kind)
            .bind(m.recipient)
            .bind(m.subject)
            .bind(m.text_body)
            .bind(m.html_body)
            .bind(m.secret)
            .bind(Priority::of(m.kind).rank())
            .bind(now)
            .bind(&message_id)
            .bind(m.recipient_name)
            .bind(m.unsubscribe_url)
    )?;
    Ok(r == 1)
}

/// Rewrites the message of the same kind to the same recipient that is
/// still waiting to be sent (a second reset link replaces the first
/// instead of adding a message); `false` when there is none.
#[tracing::instrument(skip_all)]
pub async fn replace_waiting(ex: Exec<'_>, m: &NewMessage<'_>) -> DbResult<bool> {
    let sql = "UPDATE outbox SET subject = $3, text_body = $4, html_body = $5, secret = $6 \
               WHERE recipient = $1 AND kind = $2 AND status = 'pending'";
    let n = execute!(
        ex,
        sqlx::query(sql)
            .bind(m.recipient)
            .bind(m.kind)
            .bind(m.subject)
            .bind(m.text_body)
            .bind(m.html_body)
            .bind(m.secret)
    )?;
    Ok(n > 0)
}

/// Claims up to `limit` due messages (pending and due, or sending with an
/// expired lease) until `lease_until`, counting the attempt. On PostgreSQL
/// rows locked by another instance are skipped.
#[tracing::instrument(skip_all)]
pub async fn claim_due(
    ex: Exec<'_>,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: i64,
) -> DbResult<Vec<Message>> {
    let due = "SELECT id FROM outbox WHERE (status = 'pending' AND next_attempt_at <= $2) \
               OR (status = 'sending' AND lease_until < $2) ORDER BY priority, id LIMIT $3";
    let update = "UPDATE outbox SET status = 'sending', lease_until = $1, attempts = attempts + 1 WHERE id IN";
    match ex {
        Exec::Sqlite(c) => {
            let sql = format!("{update} ({due}) RETURNING {COLUMNS}");
            sqlx::query_as(&sql)
                .bind(lease_until)
                .bind(now)
                .bind(limit)
                .fetch_all(c)
                .await
        }
        Exec::Postgres(c) => {
            let sql = format!("{update} ({due} FOR UPDATE SKIP LOCKED) RETURNING {COLUMNS}");
            sqlx::query_as(&sql)
                .bind(lease_until)
                .bind(now)
                .bind(limit)
                .fetch_all(c)
                .await
        }
    }
}

/// Marks a message delivered, and removes its working link's secret from
/// the stored bodies: whoever reads the outbox later cannot use the link.
#[tracing::instrument(skip_all)]
pub async fn mark_sent(ex: Exec<'_>, id: i64, now: DateTime<Utc>) -> DbResult<()> {
    let sql = "UPDATE outbox SET status = 'sent', sent_at = $1, lease_until = NULL, last_error = NULL, \
               text_body = CASE WHEN secret IS NULL THEN text_body ELSE REPLACE(text_body, secret, $3) END, \
               html_body = CASE WHEN secret IS NULL THEN html_body ELSE REPLACE(html_body, secret, $3) END, \
               secret = NULL WHERE id = $2";
    execute!(ex, sqlx::query(sql).bind(now).bind(id).bind(SECRET_REMOVED))?;
    Ok(())
}

/// Puts a message back in the queue after a failed attempt, keeping the
/// error (a message a newer letter superseded meanwhile stays superseded).
#[tracing::instrument(skip_all)]
pub async fn mark_retry(ex: Exec<'_>, id: i64, at: DateTime<Utc>, error: &str) -> DbResult<()> {
    let sql = "UPDATE outbox SET status = CASE WHEN status = 'superseded' THEN status ELSE 'pending' END, \
               next_attempt_at = $1, lease_until = NULL, last_error = $2 \
               WHERE id = $3 AND status IN ('sending', 'superseded')";
    execute!(ex, sqlx::query(sql).bind(at).bind(error).bind(id))?;
    Ok(())
}

/// Gives up on a message, keeping the last error (a superseded one keeps
/// that status, with the error).
#[tracing::instrument(skip_all)]
pub async fn mark_failed(ex: Exec<'_>, id: i64, error: &str) -> DbResult<()> {
    let sql = "UPDATE outbox SET status = CASE WHEN status = 'superseded' THEN status ELSE 'failed' END, \
               lease_until = NULL, last_error = $1 WHERE id = $2";
    execute!(ex, sqlx::query(sql).bind(error).bind(id))?;
    Ok(())
}

/// Renews this worker's claim on a message just before it is sent, from
/// the lease it claimed it with to `until`; `false` when the message is no
/// longer its own: a newer letter superseded it, or its lease ran out
/// (earlier messages of the batch took long) and another worker took it.
#[tracing::instrument(skip_all)]
pub async fn renew_claim(
    ex: Exec<'_>,
    id: i64,
    lease: DateTime<Utc>,
    until: DateTime<Utc>,
) -> DbResult<bool> {
    let sql = "UPDATE outbox SET lease_until = $3 WHERE id = $1 AND status = 'sending' AND lease_until = $2";
    Ok(execute!(ex, sqlx::query(sql).bind(id).bind(lease).bind(until))? == 1)
}

/// Marks every message of `key` (or of a key starting with `key:`) that
/// is not confirmed sent and is not waiting to be rewritten — being sent
/// now, or failed — as superseded: never retried or resent. Returns how
/// many.
#[tracing::instrument(skip_all)]
pub async fn supersede(ex: Exec<'_>, key: &str) -> DbResult<u64> {
    let sql = "UPDATE outbox SET status = 'superseded', lease_until = NULL \
               WHERE (message_key = $1 OR message_key LIKE $2) AND status IN ('sending', 'failed')";
    execute!(ex, sqlx::query(sql).bind(key).bind(format!("{key}:%")))
}

/// The newest message to `recipient` (of `kind`, when given).
#[tracing::instrument(skip_all)]
pub async fn latest_to(
    ex: Exec<'_>,
    recipient: &str,
    kind: Option<&str>,
) -> DbResult<Option<Message>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM outbox WHERE recipient = $1 AND ($2 = '' OR kind = $2) ORDER BY id DESC LIMIT 1"
    );
    run!(ex, c => sqlx::query_as(&sql).bind(recipient).bind(kind.unwrap_or("")).fetch_optional(c).await)
}

/// Rewrites a message of `key` (or of a key starting with `key:`) that is
/// still waiting to be sent; `false` when there is none (it was sent, is
/// being sent, or was never queued).
#[tracing::instrument(skip_all)]
pub async fn replace_pending(
    ex: Exec<'_>,
    key: &str,
    recipient: &str,
    subject: &str,
    text_body: &str,
    html_body: &str,
) -> DbResult<bool> {
    let sql = "UPDATE outbox SET recipient = $2, subject = $3, text_body = $4, html_body = $5 \
               WHERE (message_key = $1 OR message_key LIKE $6) AND status = 'pending'";
    let n = execute!(
        ex,
        sqlx::query(sql)
            .bind(key)
            .bind(recipient)
            .bind(subject)
            .bind(text_body)
            .bind(html_body)
            .bind(format!("{key}:%"))
    )?;
    Ok(n > 0)
}

/// A page of messages in one status (or all), newest first, and how many
/// in all.
#[tracing::instrument(skip_all)]
pub async fn page(
    ex: Exec<'_>,
    status: &str,
    offset: i64,
    limit: i64,
) -> DbResult<(Vec<Listed>, i64)> {
    let sql = "SELECT id, kind, recipient, subject, status, attempts, last_error, created_at, sent_at FROM outbox \
               WHERE ($1 = '' OR status = $1) ORDER BY id DESC LIMIT $2 OFFSET $3";
    let count = "SELECT COUNT(*) FROM outbox WHERE ($1 = '' OR status = $1)";
    run!(ex, c => {
        let rows: Vec<Listed> = sqlx::query_as(sql).bind(status).bind(limit).bind(offset).fetch_all(&mut *c).await?;
        let total: i64 = sqlx::query_scalar(count).bind(status).fetch_one(&mut *c).await?;
        Ok((rows, total))
    })
}

/// A message as the admin's outbox page lists it (no bodies).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Listed {
    pub id: i64,
    pub kind: String,
    pub recipient: String,
    pub subject: String,
    pub status: MailStatus,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

/// Puts a failed message back in the queue for a fresh round of attempts;
/// `false` when it is not failed.
#[tracing::instrument(skip_all)]
pub async fn resend(ex: Exec<'_>, id: i64, now: DateTime<Utc>) -> DbResult<bool> {
    let sql = "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = $1, lease_until = NULL \
               WHERE id = $2 AND status = 'failed'";
    Ok(execute!(ex, sqlx::query(sql).bind(now).bind(id))? == 1)
}

/// How many decision letters of a cycle are released but not yet sent
/// (waiting, being sent, or failed after every attempt, e.g. while the
/// mail relay is down), and since when the oldest waits.
#[tracing::instrument(skip_all)]
pub async fn letters_waiting(
    ex: Exec<'_>,
    cycle: crate::domain::cycle::CycleId,
) -> DbResult<(i64, Option<DateTime<Utc>>)> {
    // Few rows wait at any time: the status index finds them first. A
    // letter that failed every attempt still has not reached anyone.
    let sql = "SELECT COUNT(*), MIN(o.created_at) FROM outbox o \
               WHERE o.status IN ('pending', 'sending', 'failed') AND o.kind = 'decision_letter' \
               AND EXISTS (SELECT 1 FROM decisions d WHERE d.cycle_id = $1 \
                 AND (o.message_key = 'decision:' || d.application_id \
                      OR o.message_key LIKE 'decision:' || d.application_id || ':%'))";
    run!(ex, c => sqlx::query_as(sql).bind(cycle).fetch_one(c).await)
}

/// Undelivered messages of one state, and when the oldest was queued.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Depth {
    pub status: String,
    pub n: i64,
    pub oldest: Option<DateTime<Utc>>,
}

/// The outbox's depth: messages waiting, being sent or failed, per state,
/// with the oldest of each (one aggregate for the metrics scrape; the
/// status index finds the few undelivered rows without reading the sent ones).
#[tracing::instrument(skip_all)]
pub async fn depth(ex: Exec<'_>) -> DbResult<Vec<Depth>> {
    let sql = "SELECT status, COUNT(*) AS n, MIN(created_at) AS oldest FROM outbox \
               WHERE status IN ('pending', 'sending', 'failed') GROUP BY status";
    run!(ex, c => sqlx::query_as(sql).fetch_all(c).await)
}
