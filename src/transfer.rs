//! Copying every document from one store to another (`migrate-storage`):
//! keys are kept, each copy's SHA-256 is checked against the one recorded
//! when it was uploaded, and documents already in the target (same size)
//! are skipped, so a run can be repeated or resumed after an interruption.

use crate::db::{documents, PortalPool};
use crate::domain::document::DocumentId;
use crate::storage::{Storage, StorageError};

/// What a run did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Report {
    pub copied: u64,
    pub already_there: u64,
    /// Document id and what went wrong.
    pub failed: Vec<(DocumentId, String)>,
}

/// Copies every recorded document from `from` to `to`, calling `progress`
/// with (done, total) after each.
pub async fn copy_all(
    pool: &PortalPool,
    from: &Storage,
    to: &Storage,
    mut progress: impl FnMut(u64, u64),
) -> anyhow::Result<Report> {
    let total = {
        let mut conn = pool.conn().await?;
        u64::try_from(documents::count(conn.exec()).await?).unwrap_or(0)
    };
    let mut report = Report::default();
    let mut after = DocumentId(0);
    let mut done = 0;
    loop {
        let page = {
            let mut conn = pool.conn().await?;
            documents::page_after(conn.exec(), after, 200).await?
        };
        let Some(last) = page.last() else { break };
        after = last.id;
        for doc in &page {
            let expected = u64::try_from(doc.size_bytes).unwrap_or(0);
            match to.size_of(&doc.storage_key).await? {
                Some(size) if size == expected => report.already_there += 1,
                _ => match copy_one(from, to, &doc.storage_key, &doc.sha256).await {
                    Ok(()) => report.copied += 1,
                    Err(problem) => report.failed.push((doc.id, problem)),
                },
            }
            done += 1;
            progress(done, total);
        }
    }
    Ok(report)
}

async fn copy_one(from: &Storage, to: &Storage, key: &str, sha256: &str) -> Result<(), String> {
    let reader = match from.read(key).await {
        Ok(r) => r,
        Err(StorageError::NotFound) => return Err("missing from the source store".into()),
        Err(e) => return Err(e.to_string()),
    };
    let stored = to
        .put_as(key.to_owned(), reader)
        .await
        .map_err(|e| e.to_string())?;
    if stored.sha256 != sha256 {
        let _ = to.delete(key).await;
        return Err(format!(
            "checksum differs (recorded {sha256}, copied {})",
            stored.sha256
        ));
    }
    Ok(())
}

/// A one-line progress bar: `[#########...........]  45/100`.
pub fn progress_bar(done: u64, total: u64) -> String {
    const WIDTH: u64 = 30;
    // Nothing to copy counts as done.
    let filled = (done.min(total) * WIDTH)
        .checked_div(total)
        .unwrap_or(WIDTH);
    format!(
        "[{}{}] {done:>width$}/{total}",
        "#".repeat(filled as usize),
        ".".repeat((WIDTH - filled) as usize),
        width = total.to_string().len()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_progress_bar_fills_in_proportion() {
        assert_eq!(progress_bar(0, 10), format!("[{}]  0/10", ".".repeat(30)));
        assert_eq!(
            progress_bar(5, 10),
            format!("[{}{}]  5/10", "#".repeat(15), ".".repeat(15))
        );
        assert_eq!(progress_bar(10, 10), format!("[{}] 10/10", "#".repeat(30)));
        assert_eq!(progress_bar(0, 0), format!("[{}] 0/0", "#".repeat(30)));
    }
}
