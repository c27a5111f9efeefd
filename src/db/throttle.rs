//! Failed-login counters per key: `account:<email>|address:<ip>`,
//! `address:<ip>` and `account:<email>`, each row naming its account (when
//! it has one) so a password reset can forget them all.

use chrono::{DateTime, Utc};

use super::{returned_one, DbResult, Exec};
use crate::domain::throttle::ThrottleState;

#[derive(sqlx::FromRow)]
struct Row {
    failures: i64,
    last_failure_at: DateTime<Utc>,
    locked_until: Option<DateTime<Utc>>,
}

impl From<Row> for ThrottleState {
    fn from(r: Row) -> Self {
        Self {
            failures: u32::try_from(r.failures).unwrap_or(u32::MAX),
            last_failure_at: r.last_failure_at,
            locked_until: r.locked_until,
        }
    }
}

/// The counter for `key`, created empty if there is none, and locked
/// until the transaction ends (on PostgreSQL a row lock; SQLite's write
/// transactions already hold the database's), so that two attempts at
/// once count one after the other.
#[tracing::instrument(skip_all)]
pub async fn lock(
    ex: Exec<'_>,
    key: &str,
    account: Option<&str>,
    now: DateTime<Utc>,
) -> DbResult<ThrottleState> {
    let sql = "INSERT INTO login_throttle (key, account, failures, last_failure_at, locked_until) \
               VALUES ($1, $2, 0, $3, NULL) \
               ON CONFLICT (key) DO UPDATE SET failures = login_throttle.failures \
               RETURNING failures, last_failure_at, locked_until";
    let rows: Vec<Row> = run!(ex, c => sqlx::query_as(sql)
        .bind(key)
        .bind(account)
        .bind(now)
        .fetch_all(c)
        .await)?;
    returned_one(Ok(rows)).map(ThrottleState::from)
}

/// Stores the counter for `key`.
#[tracing::instrument(skip_all)]
pub async fn put(ex: Exec<'_>, key: &str, state: &ThrottleState) -> DbResult<()> {
    let sql = "UPDATE login_throttle SET failures = $2, last_failure_at = $3, locked_until = $4 \
               WHERE key = $1";
    execute!(
        ex,
        sqlx::query(sql)
            .bind(key)
            .bind(i64::from(state.failures))
            .bind(state.last_failure_at)
            .bind(state.locked_until)
    )?;
    Ok(())
}

/// Takes one failure back from `key` (an attempt counted before the
/// password was checked turned out right), ending its wait if the count
/// falls below `max_failures`.
#[tracing::instrument(skip_all)]
pub async fn take_back(ex: Exec<'_>, key: &str, max_failures: u32) -> DbResult<()> {
    let sql = "UPDATE login_throttle SET failures = failures - 1, \
               locked_until = CASE WHEN failures - 1 < $2 THEN NULL ELSE locked_until END \
               WHERE key = $1 AND failures > 0";
    execute!(ex, sqlx::query(sql).bind(key).bind(i64::from(max_failures)))?;
    Ok(())
}

/// Forgets every counter of an account (after a successful login or a
/// password reset), from every address.
#[tracing::instrument(skip_all)]
pub async fn clear_account(ex: Exec<'_>, account: &str) -> DbResult<()> {
    execute!(
        ex,
        sqlx::query("DELETE FROM login_throttle WHERE account = $1").bind(account)
    )?;
    Ok(())
}

/// Removes counters with no failure since `before` and no wait in force;
/// returns how many.
#[tracing::instrument(skip_all)]
pub async fn sweep(ex: Exec<'_>, before: DateTime<Utc>, now: DateTime<Utc>) -> DbResult<u64> {
    let sql = "DELETE FROM login_throttle WHERE last_failure_at < $1 \
               AND (locked_until IS NULL OR locked_until < $2)";
    execute!(ex, sqlx::query(sql).bind(before).bind(now))
}
