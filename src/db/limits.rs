//! Counters of mail anyone can make the portal send, per key and clock
//! hour (see `domain::outbox::LimitScope`).

use chrono::{DateTime, Utc};

use super::{returned_one, DbResult, Exec};

/// Counts one more request for `key` in the hour starting at `window`
/// and returns the count with it. The counter row is locked until the
/// transaction ends, so requests at once are counted one after the other.
#[tracing::instrument(skip_all)]
pub async fn count(ex: Exec<'_>, key: &str, window: DateTime<Utc>) -> DbResult<i64> {
    let sql = "INSERT INTO mail_limits (key, window_start, count) VALUES ($1, $2, 1) \
               ON CONFLICT (key, window_start) DO UPDATE SET count = mail_limits.count + 1 \
               RETURNING count";
    let rows: Vec<(i64,)> =
        run!(ex, c => sqlx::query_as(sql).bind(key).bind(window).fetch_all(c).await)?;
    returned_one(Ok(rows)).map(|(n,)| n)
}

/// Removes the counters of hours before `before`; returns how many.
#[tracing::instrument(skip_all)]
pub async fn sweep(ex: Exec<'_>, before: DateTime<Utc>) -> DbResult<u64> {
    execute!(
        ex,
        sqlx::query("DELETE FROM mail_limits WHERE window_start < $1").bind(before)
    )
}
