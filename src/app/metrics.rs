//! Reading the metrics: the counters kept as things happen, plus the
//! gauges read now (the outbox's depth with one aggregate query, the
//! database pool's use).

use crate::context::Ctx;
use crate::db;

/// Every series of this instance in the OpenMetrics text format, after
/// reading the outbox and the pool.
#[tracing::instrument(skip_all)]
pub async fn read(ctx: &Ctx) -> super::Result<String> {
    let depth = {
        let mut conn = ctx.conn().await?;
        db::outbox::depth(conn.exec()).await?
    };
    let now = ctx.now();
    let counts: Vec<(String, i64)> = depth.iter().map(|d| (d.status.clone(), d.n)).collect();
    let oldest_pending = depth
        .iter()
        .find(|d| d.status == "pending")
        .and_then(|d| d.oldest)
        .map_or(0.0, |at| (now - at).num_milliseconds() as f64 / 1000.0);
    ctx.metrics.set_outbox(&counts, oldest_pending);
    let (size, idle, max) = ctx.pool.usage();
    ctx.metrics.set_pool(size, idle, max);
    Ok(ctx.metrics.encode())
}
