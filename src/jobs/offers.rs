//! Offers not answered by their accept-by date lapse.

use crate::context::Ctx;
use crate::db;

/// Marks offers past their accept-by date as lapsed; returns how many.
#[tracing::instrument(skip_all)]
pub async fn lapse(ctx: &Ctx) -> anyhow::Result<u64> {
    let mut conn = ctx.conn().await?;
    Ok(db::decisions::lapse_offers(conn.exec(), ctx.now()).await?)
}
