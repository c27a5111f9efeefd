//! Changes of a user's email address waiting for the new address to
//! confirm them (migration 0026): the token is stored as its SHA-256, the
//! change applied once.

use chrono::{DateTime, Utc};

use super::tokens::TokenProblem;
use super::{DbResult, Exec};
use crate::domain::user::UserId;

/// A change of address as asked for.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Pending {
    pub id: i64,
    pub user_id: UserId,
    pub new_email: String,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
}

impl Pending {
    fn standing(self, now: DateTime<Utc>) -> Result<Pending, TokenProblem> {
        if self.used_at.is_some() {
            Err(TokenProblem::Used)
        } else if self.expires_at <= now {
            Err(TokenProblem::Expired)
        } else {
            Ok(self)
        }
    }
}

/// Stores a change of `user`'s address to `new_email` waiting for the
/// token `token_hash`, replacing any change still waiting; returns its id.
#[tracing::instrument(skip_all)]
pub async fn create(
    mut ex: Exec<'_>,
    user: UserId,
    new_email: &str,
    token_hash: &str,
    requested_by: UserId,
    expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> DbResult<i64> {
    execute!(
        ex.reborrow(),
        sqlx::query("UPDATE email_changes SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL")
            .bind(now)
            .bind(user)
    )?;
    let sql = "INSERT INTO email_changes (user_id, new_email, token_hash, requested_by, created_at, expires_at) \
               VALUES ($1, $2, $3, $4, $5, $6) RETURNING id";
    let rows: Result<Vec<i64>, _> = run!(ex, c => sqlx::query_scalar(sql)
        .bind(user)
        .bind(new_email)
        .bind(token_hash)
        .bind(requested_by)
        .bind(now)
        .bind(expires_at)
        .fetch_all(c)
        .await);
    super::returned_one(rows)
}

/// The change waiting for the token `token_hash`, if it still works.
#[tracing::instrument(skip_all)]
pub async fn find(
    ex: Exec<'_>,
    token_hash: &str,
    now: DateTime<Utc>,
) -> DbResult<Result<Pending, TokenProblem>> {
    let sql = "SELECT id, user_id, new_email, expires_at, used_at FROM email_changes WHERE token_hash = $1";
    let row: Option<Pending> =
        run!(ex, c => sqlx::query_as(sql).bind(token_hash).fetch_optional(c).await)?;
    Ok(row.map_or(Err(TokenProblem::Unknown), |p| p.standing(now)))
}

/// Marks change `id` applied; false when it was used meanwhile (two
/// clicks at once apply it once).
#[tracing::instrument(skip_all)]
pub async fn mark_used(ex: Exec<'_>, id: i64, now: DateTime<Utc>) -> DbResult<bool> {
    let sql = "UPDATE email_changes SET used_at = $1 WHERE id = $2 AND used_at IS NULL";
    Ok(execute!(ex, sqlx::query(sql).bind(now).bind(id))? == 1)
}
