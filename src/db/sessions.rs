//! Server-side sessions: the cookie holds a random token, the table its
//! SHA-256, so a stolen database cannot be replayed as cookies and a session
//! can be revoked.

use chrono::{DateTime, Utc};

use super::{DbResult, Exec};
use crate::domain::user::UserId;

/// A live session and its owner.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRow {
    pub id: i64,
    pub user_id: UserId,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
}

/// Records a new session.
#[tracing::instrument(skip_all)]
pub async fn create(
    ex: Exec<'_>,
    token_hash: &str,
    user: UserId,
    now: DateTime<Utc>,
) -> DbResult<()> {
    let sql = "INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at) VALUES ($1, $2, $3, $3)";
    execute!(ex, sqlx::query(sql).bind(token_hash).bind(user).bind(now))?;
    Ok(())
}

/// The session with this token hash.
#[tracing::instrument(skip_all)]
pub async fn find(ex: Exec<'_>, token_hash: &str) -> DbResult<Option<SessionRow>> {
    let sql = "SELECT id, user_id, created_at, last_seen_at FROM sessions WHERE token_hash = $1";
    run!(ex, c => sqlx::query_as(sql).bind(token_hash).fetch_optional(c).await)
}

/// Notes activity on a session (keeps it from idling out).
#[tracing::instrument(skip_all)]
pub async fn touch(ex: Exec<'_>, id: i64, now: DateTime<Utc>) -> DbResult<()> {
    execute!(
        ex,
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id = $2")
            .bind(now)
            .bind(id)
    )?;
    Ok(())
}

/// Ends one session.
#[tracing::instrument(skip_all)]
pub async fn delete(ex: Exec<'_>, id: i64) -> DbResult<()> {
    execute!(
        ex,
        sqlx::query("DELETE FROM sessions WHERE id = $1").bind(id)
    )?;
    Ok(())
}

/// Ends every session of a user except `keep` (all when `None`).
#[tracing::instrument(skip_all)]
pub async fn delete_for_user(ex: Exec<'_>, user: UserId, keep: Option<i64>) -> DbResult<u64> {
    let sql = "DELETE FROM sessions WHERE user_id = $1 AND id <> $2";
    let r = execute!(ex, sqlx::query(sql).bind(user).bind(keep.unwrap_or(-1)))?;
    Ok(r)
}

/// Removes sessions idle since before `idle_cutoff` or started before
/// `started_cutoff`.
#[tracing::instrument(skip_all)]
pub async fn delete_expired(
    ex: Exec<'_>,
    idle_cutoff: DateTime<Utc>,
    started_cutoff: DateTime<Utc>,
) -> DbResult<u64> {
    let sql = "DELETE FROM sessions WHERE last_seen_at < $1 OR created_at < $2";
    execute!(ex, sqlx::query(sql).bind(idle_cutoff).bind(started_cutoff))
}
