//! The audit log of privileged actions: append-only.

use chrono::{DateTime, Utc};

use super::{DbResult, Exec};
use crate::domain::user::UserId;

/// One privileged action.
pub struct Entry<'a> {
    pub actor: Option<UserId>,
    pub action: &'a str,
    pub subject: &'a str,
    pub detail: &'a str,
    pub client_ip: Option<&'a str>,
}

/// Appends an entry; call it in the transaction of the action it records.
#[tracing::instrument(skip_all)]
pub async fn record(ex: Exec<'_>, e: &Entry<'_>, now: DateTime<Utc>) -> DbResult<()> {
    let sql = "INSERT INTO audit_log (actor_id, action, subject, detail, client_ip, created_at) VALUES ($1, $2, $3, $4, $5, $6)";
    execute!(
        ex,
        sqlx::query(sql)
            .bind(e.actor)
            .bind(e.action)
            .bind(e.subject)
            .bind(e.detail)
            .bind(e.client_ip)
            .bind(now)
    )?;
    Ok(())
}
