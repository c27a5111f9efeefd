//! Accounts.

use chrono::{DateTime, Utc};

use super::{DbResult, Exec};
use crate::domain::user::{User, UserId};

#[derive(sqlx::FromRow)]
struct UserRow {
    id: UserId,
    email: String,
    name: String,
    password_hash: String,
    email_confirmed_at: Option<DateTime<Utc>>,
    is_admin: bool,
    must_change_password: bool,
    created_at: DateTime<Utc>,
    deactivated_at: Option<DateTime<Utc>>,
}

impl From<UserRow> for User {
    fn from(r: UserRow) -> Self {
        User {
            id: r.id,
            email: r.email,
            name: r.name,
            email_confirmed: r.email_confirmed_at.is_some(),
            is_admin: r.is_admin,
            must_change_password: r.must_change_password,
            created_at: r.created_at,
            active: r.deactivated_at.is_none(),
        }
    }
}

const COLUMNS: &str =
    "id, email, name, password_hash, email_confirmed_at, is_admin, must_change_password, created_at, deactivated_at";

/// A new account.
pub struct NewUser<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub password_hash: &'a str,
    pub confirmed: bool,
    pub is_admin: bool,
    pub must_change_password: bool,
}

/// Inserts an account; a taken email is a unique violation
/// (see [`super::is_unique_violation`]).
#[tracing::instrument(skip_all)]
pub async fn insert(ex: Exec<'_>, user: &NewUser<'_>, now: DateTime<Utc>) -> DbResult<UserId> {
    let sql = "INSERT INTO users (email, name, password_hash, email_confirmed_at, is_admin, must_change_password, created_at) \
               VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";
    let confirmed_at = user.confirmed.then_some(now);
    let rows: Result<Vec<UserId>, _> = run!(ex, c => sqlx::query_scalar(sql)
        .bind(user.email)
        .bind(user.name)
        .bind(user.password_hash)
        .bind(confirmed_at)
        .bind(user.is_admin)
        .bind(user.must_change_password)
        .bind(now)
        .fetch_all(c)
        .await);
    super::returned_one(rows)
}

/// The account with this (normalised) email, with its password hash.
#[tracing::instrument(skip_all)]
pub async fn find_by_email(ex: Exec<'_>, email: &str) -> DbResult<Option<(User, String)>> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE email = $1");
    let row: Option<UserRow> =
        run!(ex, c => sqlx::query_as(&sql).bind(email).fetch_optional(c).await)?;
    Ok(row.map(|r| {
        let hash = r.password_hash.clone();
        (User::from(r), hash)
    }))
}

/// The account with this id, with its password hash.
#[tracing::instrument(skip_all)]
pub async fn find_with_hash(ex: Exec<'_>, id: UserId) -> DbResult<Option<(User, String)>> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE id = $1");
    let row: Option<UserRow> =
        run!(ex, c => sqlx::query_as(&sql).bind(id).fetch_optional(c).await)?;
    Ok(row.map(|r| {
        let hash = r.password_hash.clone();
        (User::from(r), hash)
    }))
}

/// The account with this id.
#[tracing::instrument(skip_all)]
pub async fn find(ex: Exec<'_>, id: UserId) -> DbResult<Option<User>> {
    Ok(find_with_hash(ex, id).await?.map(|(u, _)| u))
}

/// Marks the email as confirmed (keeps the first confirmation time).
#[tracing::instrument(skip_all)]
pub async fn confirm_email(ex: Exec<'_>, id: UserId, now: DateTime<Utc>) -> DbResult<()> {
    let sql =
        "UPDATE users SET email_confirmed_at = COALESCE(email_confirmed_at, $1) WHERE id = $2";
    execute!(ex, sqlx::query(sql).bind(now).bind(id))?;
    Ok(())
}

/// Gives account `id` the address `email`, confirmed now (the change was
/// confirmed from it). False when another account has the address (the
/// unique index is the arbiter between two changes at once).
#[tracing::instrument(skip_all)]
pub async fn set_email(
    ex: Exec<'_>,
    id: UserId,
    email: &str,
    now: DateTime<Utc>,
) -> DbResult<bool> {
    let sql = "UPDATE users SET email = $1, email_confirmed_at = $2 WHERE id = $3 \
               AND NOT EXISTS (SELECT 1 FROM users o WHERE o.email = $1 AND o.id <> $3)";
    Ok(execute!(ex, sqlx::query(sql).bind(email).bind(now).bind(id))? == 1)
}

/// Replaces the password hash and clears the must-change flag.
#[tracing::instrument(skip_all)]
pub async fn set_password(ex: Exec<'_>, id: UserId, password_hash: &str) -> DbResult<()> {
    let sql = "UPDATE users SET password_hash = $1, must_change_password = FALSE WHERE id = $2";
    execute!(ex, sqlx::query(sql).bind(password_hash).bind(id))?;
    Ok(())
}

/// Makes an existing account an admin with a one-time password.
#[tracing::instrument(skip_all)]
pub async fn make_admin(
    ex: Exec<'_>,
    id: UserId,
    password_hash: &str,
    now: DateTime<Utc>,
) -> DbResult<()> {
    let sql = "UPDATE users SET is_admin = TRUE, password_hash = $1, must_change_password = TRUE, \
               email_confirmed_at = COALESCE(email_confirmed_at, $2) WHERE id = $3";
    execute!(ex, sqlx::query(sql).bind(password_hash).bind(now).bind(id))?;
    Ok(())
}

/// How many admins exist.
#[tracing::instrument(skip_all)]
pub async fn count_admins(ex: Exec<'_>) -> DbResult<i64> {
    run!(ex, c => sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE is_admin = TRUE").fetch_one(c).await)
}

/// How many admins can log in.
#[tracing::instrument(skip_all)]
pub async fn count_active_admins(ex: Exec<'_>) -> DbResult<i64> {
    run!(ex, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM users WHERE is_admin = TRUE AND deactivated_at IS NULL"
    ).fetch_one(c).await)
}

/// Deactivates (`Some(now)`) or reactivates (`None`) an account; `false`
/// when it already was so.
#[tracing::instrument(skip_all)]
pub async fn set_deactivated(
    ex: Exec<'_>,
    id: UserId,
    at: Option<DateTime<Utc>>,
) -> DbResult<bool> {
    let sql = if at.is_some() {
        "UPDATE users SET deactivated_at = $2 WHERE id = $1 AND deactivated_at IS NULL"
    } else {
        "UPDATE users SET deactivated_at = $2 WHERE id = $1 AND deactivated_at IS NOT NULL"
    };
    Ok(execute!(ex, sqlx::query(sql).bind(id).bind(at))? == 1)
}

/// One page of accounts whose email or name contains `query` (all when
/// empty), ordered by email, and the number that match.
#[tracing::instrument(skip_all)]
pub async fn search(
    ex: Exec<'_>,
    query: &str,
    limit: i64,
    offset: i64,
) -> DbResult<(Vec<User>, i64)> {
    let pattern = format!("%{}%", escape_like(&query.trim().to_lowercase()));
    let filter = "WHERE email LIKE $1 ESCAPE '\\' OR LOWER(name) LIKE $1 ESCAPE '\\'";
    let list_sql =
        format!("SELECT {COLUMNS} FROM users {filter} ORDER BY email LIMIT $2 OFFSET $3");
    let count_sql = format!("SELECT COUNT(*) FROM users {filter}");
    run!(ex, c => {
        let rows: Vec<UserRow> = sqlx::query_as(&list_sql)
            .bind(&pattern)
            .bind(limit)
            .bind(offset)
            .fetch_all(&mut *c)
            .await?;
        let total: i64 = sqlx::query_scalar(&count_sql).bind(&pattern).fetch_one(&mut *c).await?;
        Ok((rows.into_iter().map(User::from).collect(), total))
    })
}

/// Escapes `%`, `_` and `\` for a LIKE pattern with `ESCAPE '\'`.
fn escape_like(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        if matches!(ch, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(ch);
    }
    out
}
