//! Removes what a crash can leave behind in the document store and the
//! upload folder.

use std::path::Path;

use crate::context::Ctx;
use crate::db;

/// Stored objects that no document names are removed once this old (left
/// by a crash between storing and committing).
pub const ORPHAN_AGE: chrono::Duration = chrono::Duration::hours(1);

/// Removes stored objects older than [`ORPHAN_AGE`] that no document row
/// names; returns how many. Recent objects are left alone: their upload
/// may still be committing.
#[tracing::instrument(skip_all)]
pub async fn sweep_orphans(ctx: &Ctx) -> anyhow::Result<usize> {
    let now = ctx.now();
    let old: Vec<String> = ctx
        .store
        .list()
        .await?
        .into_iter()
        .filter(|o| now - o.modified > ORPHAN_AGE)
        .map(|o| o.key)
        .collect();
    let mut removed = 0;
    for chunk in old.chunks(500) {
        let known = {
            let mut conn = ctx.conn().await?;
            db::documents::existing_keys(conn.exec(), chunk).await?
        };
        for key in chunk.iter().filter(|k| !known.contains(*k)) {
            ctx.store.delete(key).await?;
            removed += 1;
        }
    }
    if removed > 0 {
        tracing::info!("removed {removed} orphaned document(s)");
    }
    Ok(removed)
}

/// Removes, once older than [`ORPHAN_AGE`], uploads that never finished
/// arriving (in `upload_dir`, named with [`crate::storage::UPLOAD_PREFIX`])
/// and documents staged but never filed (in the local store). Returns how
/// many files.
#[tracing::instrument(skip_all)]
pub async fn sweep_leftovers(ctx: &Ctx, upload_dir: Option<&Path>) -> anyhow::Result<usize> {
    let before = ctx.now() - ORPHAN_AGE;
    let mut removed = ctx.store.sweep_staging(before).await?;
    if let Some(dir) = upload_dir {
        removed += crate::storage::remove_older(dir, crate::storage::UPLOAD_PREFIX, before).await?;
    }
    if removed > 0 {
        tracing::info!("removed {removed} unfinished upload(s)");
    }
    Ok(removed)
}
