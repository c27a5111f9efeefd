//! Answers kept while their applicant logs in again (see
//! `web::apply::stash`): one row per save that arrived after the session
//! ended, found by the hash of the token in the browser's cookie.

use chrono::{DateTime, Utc};

use super::{returned, DbResult, Exec};
use crate::domain::application::ApplicationId;

/// A kept save.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Stash {
    pub application_id: ApplicationId,
    /// `section` or `referee`.
    pub kind: String,
    /// The section's key (a section save) or empty (a referee form).
    pub target: String,
    /// The typed fields as sent, as JSON.
    pub payload_json: String,
    pub created_at: DateTime<Utc>,
}

/// A save to keep.
pub struct NewStash<'a> {
    pub token_hash: &'a str,
    pub application: ApplicationId,
    pub kind: &'a str,
    pub target: &'a str,
    pub payload_json: &'a str,
}

/// Keeps a save.
#[tracing::instrument(skip_all)]
pub async fn insert(ex: Exec<'_>, s: &NewStash<'_>, now: DateTime<Utc>) -> DbResult<()> {
    let sql = "INSERT INTO answer_stashes \
               (token_hash, application_id, kind, target, payload_json, created_at) \
               VALUES ($1, $2, $3, $4, $5, $6)";
    execute!(
        ex,
        sqlx::query(sql)
            .bind(s.token_hash)
            .bind(s.application)
            .bind(s.kind)
            .bind(s.target)
            .bind(s.payload_json)
            .bind(now)
    )?;
    Ok(())
}

/// Takes the save with this token hash: returns it and deletes it, so it
/// is read back at most once.
#[tracing::instrument(skip_all)]
pub async fn take(ex: Exec<'_>, token_hash: &str) -> DbResult<Option<Stash>> {
    let sql = "DELETE FROM answer_stashes WHERE token_hash = $1 \
               RETURNING application_id, kind, target, payload_json, created_at";
    run!(ex, c => returned(sqlx::query_as(sql).bind(token_hash).fetch_all(c).await))
}

/// Forgets saves kept since before `older_than`.
#[tracing::instrument(skip_all)]
pub async fn purge(ex: Exec<'_>, older_than: DateTime<Utc>) -> DbResult<u64> {
    execute!(
        ex,
        sqlx::query("DELETE FROM answer_stashes WHERE created_at < $1").bind(older_than)
    )
}
