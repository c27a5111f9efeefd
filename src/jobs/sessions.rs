//! Ends idle and too old sessions, and forgets counters whose window has
//! passed.

use crate::context::Ctx;
use crate::db;

/// Ends sessions idle longer than the configured idle time or older than
/// the longest session, forgets login counters a day old and mail
/// counters of past hours.
#[tracing::instrument(skip_all)]
pub async fn sweep(ctx: &Ctx) -> anyhow::Result<()> {
    let now = ctx.now();
    let idle = chrono::Duration::minutes(ctx.config.session_idle_minutes);
    let longest = chrono::Duration::hours(ctx.config.session_max_hours);
    let mut conn = ctx.conn().await?;
    db::sessions::delete_expired(conn.exec(), now - idle, now - longest).await?;
    db::throttle::sweep(conn.exec(), now - chrono::Duration::days(1), now).await?;
    db::limits::sweep(conn.exec(), now - chrono::Duration::hours(2)).await?;
    Ok(())
}
