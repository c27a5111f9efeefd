//! Failed-login counters per key (`account:<email>`, `address:<ip>`).

use chrono::{DateTime, Utc};

use super::{DbResult, Exec};
use crate::domain::throttle::ThrottleState;

#[derive(sqlx::FromRow)]
struct Row {
    failures: i64,
    last_failure_at: DateTime<Utc>,
    locked_until: Option<DateTime<Utc>>,
}

/// The counter for `key`, if any.
pub async fn get(ex: Exec<'_>, key: &str) -> DbResult<Option<ThrottleState>> {
    let sql = "SELECT failures, last_failure_at, locked_until FROM login_throttle WHERE key = $1";
    let row: Option<Row> = run!(ex, c => sqlx::query_as(sql).bind(key).fetch_optional(c).await)?;
    Ok(row.map(|r| ThrottleState {
        failures: u32::try_from(r.failures).unwrap_or(u32::MAX),
        last_failure_at: r.last_failure_at,
        locked_until: r.locked_until,
    }))
}

/// Stores the counter for `key`.
pub async fn put(ex: Exec<'_>, key: &str, state: &ThrottleState) -> DbResult<()> {
    let sql = "INSERT INTO login_throttle (key, failures, last_failure_at, locked_until) VALUES ($1, $2, $3, $4) \
               ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, \
               last_failure_at = excluded.last_failure_at, locked_until = excluded.locked_until";
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

/// Forgets the counter for `key` (after a successful login).
pub async fn clear(ex: Exec<'_>, key: &str) -> DbResult<()> {
    execute!(
        ex,
        sqlx::query("DELETE FROM login_throttle WHERE key = $1").bind(key)
    )?;
    Ok(())
}
