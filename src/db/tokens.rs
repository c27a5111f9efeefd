//! Single-use account tokens (email confirmation, password reset), stored
//! as SHA-256 hashes.

use chrono::{DateTime, Utc};

use super::{DbResult, Exec};
use crate::domain::user::UserId;

/// What a token is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    ConfirmEmail,
    ResetPassword,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Self::ConfirmEmail => "confirm_email",
            Self::ResetPassword => "reset_password",
        }
    }
}

/// Why a token was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenProblem {
    Unknown,
    Expired,
    Used,
}

#[derive(sqlx::FromRow)]
struct TokenRow {
    id: i64,
    user_id: UserId,
    expires_at: DateTime<Utc>,
    used_at: Option<DateTime<Utc>>,
}

/// Stores a token hash; returns its id (used in the mail's outbox key).
#[tracing::instrument(skip_all)]
pub async fn create(
    ex: Exec<'_>,
    user: UserId,
    purpose: Purpose,
    token_hash: &str,
    expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> DbResult<i64> {
    let sql = "INSERT INTO account_tokens (user_id, purpose, token_hash, expires_at, created_at) \
               VALUES ($1, $2, $3, $4, $5) RETURNING id";
    let rows: Result<Vec<i64>, _> = run!(ex, c => sqlx::query_scalar(sql)
        .bind(user)
        .bind(purpose.as_str())
        .bind(token_hash)
        .bind(expires_at)
        .bind(now)
        .fetch_all(c)
        .await);
    super::returned_one(rows)
}

/// The owner of a live token, without using it up (to show a form).
#[tracing::instrument(skip_all)]
pub async fn peek(
    ex: Exec<'_>,
    purpose: Purpose,
    token_hash: &str,
    now: DateTime<Utc>,
) -> DbResult<Result<UserId, TokenProblem>> {
    let sql = "SELECT id, user_id, expires_at, used_at FROM account_tokens WHERE token_hash = $1 AND purpose = $2";
    let row: Option<TokenRow> = run!(ex, c => sqlx::query_as(sql).bind(token_hash).bind(purpose.as_str()).fetch_optional(c).await)?;
    Ok(match row {
        None => Err(TokenProblem::Unknown),
        Some(r) if r.used_at.is_some() => Err(TokenProblem::Used),
        Some(r) if r.expires_at <= now => Err(TokenProblem::Expired),
        Some(r) => Ok(r.user_id),
    })
}

/// Uses a token up: it and every other open token of the same purpose for
/// that user stop working. Two concurrent uses cannot both succeed.
#[tracing::instrument(skip_all)]
pub async fn consume(
    ex: Exec<'_>,
    purpose: Purpose,
    token_hash: &str,
    now: DateTime<Utc>,
) -> DbResult<Result<UserId, TokenProblem>> {
    run!(ex, c => {
        let sql = "SELECT id, user_id, expires_at, used_at FROM account_tokens WHERE token_hash = $1 AND purpose = $2";
        let row: Option<TokenRow> = sqlx::query_as(sql).bind(token_hash).bind(purpose.as_str()).fetch_optional(&mut *c).await?;
        let row = match row {
            None => return Ok(Err(TokenProblem::Unknown)),
            Some(r) if r.used_at.is_some() => return Ok(Err(TokenProblem::Used)),
            Some(r) if r.expires_at <= now => return Ok(Err(TokenProblem::Expired)),
            Some(r) => r,
        };
        let claimed = sqlx::query("UPDATE account_tokens SET used_at = $1 WHERE id = $2 AND used_at IS NULL")
            .bind(now)
            .bind(row.id)
            .execute(&mut *c)
            .await?;
        if claimed.rows_affected() == 0 {
            return Ok(Err(TokenProblem::Used));
        }
        sqlx::query("UPDATE account_tokens SET used_at = $1 WHERE user_id = $2 AND purpose = $3 AND used_at IS NULL")
            .bind(now)
            .bind(row.user_id)
            .bind(purpose.as_str())
            .execute(&mut *c)
            .await?;
        Ok(Ok(row.user_id))
    })
}
