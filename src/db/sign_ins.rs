//! The sign-in log (migration 0027): each login, and each account made
//! from an invitation, with the address it came from.

use chrono::{DateTime, Utc};

use super::{DbResult, Exec};
use crate::domain::user::UserId;

/// Records that `user` signed in from `ip`.
#[tracing::instrument(skip_all)]
pub async fn record(
    ex: Exec<'_>,
    user: UserId,
    ip: Option<&str>,
    now: DateTime<Utc>,
) -> DbResult<()> {
    let sql = "INSERT INTO sign_ins (user_id, signed_in_at, client_ip) VALUES ($1, $2, $3)";
    execute!(ex, sqlx::query(sql).bind(user).bind(now).bind(ip))?;
    Ok(())
}

/// One sign-in.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SignIn {
    pub signed_in_at: DateTime<Utc>,
    pub client_ip: Option<String>,
}

/// `user`'s latest `limit` sign-ins, newest first.
#[tracing::instrument(skip_all)]
pub async fn latest(ex: Exec<'_>, user: UserId, limit: i64) -> DbResult<Vec<SignIn>> {
    let sql =
        "SELECT signed_in_at, client_ip FROM sign_ins WHERE user_id = $1 ORDER BY id DESC LIMIT $2";
    run!(ex, c => sqlx::query_as(sql).bind(user).bind(limit).fetch_all(c).await)
}
