//! Sending a stored document to someone allowed to have it: streamed from
//! storage, as an attachment with a safe file name, or (for blind review)
//! cleaned in memory, within a budget shared by all cleanings at once.

use std::io::Cursor;
use std::pin::Pin;
use std::sync::{Arc, LazyLock};
use std::task::{Context, Poll};

use rocket::http::{ContentType, Header, Status};
use rocket::response::{self, Responder, Response};
use rocket::Request;
use tokio::io::{AsyncRead, AsyncSeek, ReadBuf};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::domain::document::content_disposition;
use crate::storage::Reader;

/// A document being downloaded.
pub struct Download {
    pub reader: Reader,
    pub content_type: String,
    pub file_name: String,
}

impl<'r> Responder<'r, 'static> for Download {
    fn respond_to(self, _: &'r Request<'_>) -> response::Result<'static> {
        let content_type =
            ContentType::parse_flexible(&self.content_type).unwrap_or(ContentType::Binary);
        Response::build()
            .status(Status::Ok)
            .header(content_type)
            .header(Header::new(
                "Content-Disposition",
                content_disposition(&self.file_name),
            ))
            .streamed_body(self.reader)
            .ok()
    }
}

/// A document on its way to a reader with access: a short-lived link to
/// the object store, a stream from the local folder, or (for blind review)
/// a copy with its metadata removed, which holds its share of the cleaning
/// budget until it has been sent.
pub enum Sent {
    Link(rocket::response::Redirect),
    Stream(Download),
    Cleaned {
        bytes: Vec<u8>,
        content_type: String,
        file_name: String,
        held: OwnedSemaphorePermit,
    },
}

impl<'r> Responder<'r, 'static> for Sent {
    fn respond_to(self, req: &'r Request<'_>) -> response::Result<'static> {
        match self {
            Self::Link(r) => r.respond_to(req),
            Self::Stream(d) => d.respond_to(req),
            Self::Cleaned {
                bytes,
                content_type,
                file_name,
                held,
            } => {
                let content_type =
                    ContentType::parse_flexible(&content_type).unwrap_or(ContentType::Binary);
                Response::build()
                    .status(Status::Ok)
                    .header(content_type)
                    .header(Header::new(
                        "Content-Disposition",
                        content_disposition(&file_name),
                    ))
                    .sized_body(
                        bytes.len(),
                        Held {
                            bytes: Cursor::new(bytes),
                            _held: held,
                        },
                    )
                    .ok()
            }
        }
    }
}

/// A cleaned copy being sent, with the budget its bytes take.
struct Held {
    bytes: Cursor<Vec<u8>>,
    _held: OwnedSemaphorePermit,
}

impl AsyncRead for Held {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.bytes).poll_read(cx, buf)
    }
}

impl AsyncSeek for Held {
    fn start_seek(mut self: Pin<&mut Self>, position: std::io::SeekFrom) -> std::io::Result<()> {
        Pin::new(&mut self.bytes).start_seek(position)
    }

    fn poll_complete(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<u64>> {
        Pin::new(&mut self.bytes).poll_complete(cx)
    }
}

/// The memory that cleanings for blind review may hold at once, in MiB.
///
/// Cleaning is the one place a request holds a whole document, and its
/// worst cases are large ([`crate::domain::metadata::memory_bound`]: a Word
/// file may unpack to 256 MiB, a parsed PDF takes many times its size),
/// while the portal is meant to run on a small server of a few GiB shared
/// with its database. 1 GiB lets several photos, or one document of any
/// kind, be cleaned at a time, and leaves the rest to everything else.
const CLEANING_BUDGET_MIB: u32 = 1024;

/// The budget of every cleaning in this process.
static CLEANING: LazyLock<CleaningBudget> =
    LazyLock::new(|| CleaningBudget::new(CLEANING_BUDGET_MIB));

const MIB: u64 = 1 << 20;

/// Memory shared by the cleanings running at once, one permit a MiB. A
/// cleaning reserves its worst case before it reads the document and
/// waits (never fails) until that much is free; one whose worst case is
/// larger than the whole budget waits until it can run alone. Waiters are
/// served in turn, so a large cleaning is not passed over by small ones.
pub struct CleaningBudget {
    permits: Arc<Semaphore>,
    total_mib: u32,
}

impl CleaningBudget {
    /// A budget of `total_mib` MiB (at least one).
    pub fn new(total_mib: u32) -> Self {
        let total_mib = total_mib.max(1);
        Self {
            permits: Arc::new(Semaphore::new(total_mib as usize)),
            total_mib,
        }
    }

    /// The permits a cleaning that may take `bound` bytes reserves: whole
    /// MiB rounded up, at least one, at most the whole budget.
    pub fn permits_for(&self, bound: u64) -> u32 {
        let mib = bound.div_ceil(MIB).max(1);
        u32::try_from(mib).unwrap_or(u32::MAX).min(self.total_mib)
    }

    /// Waits until `bound` bytes of the budget are free and holds them
    /// until the permit is dropped.
    pub async fn reserve(&self, bound: u64) -> Result<OwnedSemaphorePermit, SendError> {
        let permits = self.permits_for(bound);
        // Only a closed semaphore fails, and this one is never closed.
        Arc::clone(&self.permits)
            .acquire_many_owned(permits)
            .await
            .map_err(|e| SendError::Io(std::io::Error::other(e)))
    }

    /// Permits free now.
    pub fn available_mib(&self) -> usize {
        self.permits.available_permits()
    }
}

/// Keeps of `held` what `bytes` take, returning the rest to the budget.
fn keep_for(mut held: OwnedSemaphorePermit, bytes: usize) -> OwnedSemaphorePermit {
    let mib = u64::try_from(bytes)
        .unwrap_or(u64::MAX)
        .div_ceil(MIB)
        .max(1);
    let mib = usize::try_from(mib).unwrap_or(usize::MAX);
    match held.split(mib) {
        // `held`, now the rest, is dropped here.
        Some(kept) => kept,
        None => held,
    }
}

/// Why a document cannot be sent.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error("the stored object is missing")]
    Missing,
    #[error("its metadata cannot be removed: {0}")]
    Unclean(String),
    #[error(transparent)]
    Storage(#[from] crate::storage::StorageError),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// Sends `doc` under `file_name`. With `clean`, the bytes pass through
/// this server with the document's metadata removed
/// ([`crate::domain::metadata`]), once the cleaning budget has room for
/// the worst case of a file of its type and size; otherwise S3 serves them
/// from a signed link and the local folder streams them.
pub async fn send(
    storage: &crate::storage::Storage,
    doc: &crate::db::documents::Document,
    file_name: &str,
    clean: bool,
) -> Result<Sent, SendError> {
    use crate::storage::StorageError;
    if clean {
        let size = u64::try_from(doc.size_bytes).unwrap_or(0);
        let bound = crate::domain::metadata::memory_bound(&doc.content_type, size);
        let held = CLEANING.reserve(bound).await?;
        let mut reader = match storage.read(&doc.storage_key).await {
            Err(StorageError::NotFound) => return Err(SendError::Missing),
            r => r?,
        };
        let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
        // The bound holds for the size on record, so no more is read.
        let mut reader = tokio::io::AsyncReadExt::take(&mut reader, size.saturating_add(1));
        tokio::io::AsyncReadExt::read_to_end(&mut reader, &mut bytes).await?;
        if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > size {
            return Err(SendError::Unclean(
                "the stored file is larger than recorded".into(),
            ));
        }
        // Unpacking and rewriting is CPU work: off the async workers. The
        // budget goes with it, as the work goes on should this request end.
        let content_type = doc.content_type.clone();
        let (bytes, held) = tokio::task::spawn_blocking(move || {
            let cleaned = crate::domain::metadata::strip(&content_type, bytes);
            (cleaned, held)
        })
        .await
        .map_err(|e| std::io::Error::other(e.to_string()))?;
        let bytes = bytes.map_err(|e| SendError::Unclean(e.to_string()))?;
        let held = keep_for(held, bytes.len());
        return Ok(Sent::Cleaned {
            bytes,
            content_type: doc.content_type.clone(),
            file_name: file_name.to_owned(),
            held,
        });
    }
    if let Some(url) = storage
        .link(&doc.storage_key, file_name, &doc.content_type)
        .await?
    {
        return Ok(Sent::Link(rocket::response::Redirect::to(url)));
    }
    let reader = match storage.read(&doc.storage_key).await {
        Err(StorageError::NotFound) => return Err(SendError::Missing),
        r => r?,
    };
    Ok(Sent::Stream(Download {
        reader,
        content_type: doc.content_type.clone(),
        file_name: file_name.to_owned(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_cleaning_reserves_its_worst_case_in_whole_mib_within_the_budget() {
        let budget = CleaningBudget::new(1024);
        assert_eq!(budget.permits_for(0), 1);
        assert_eq!(budget.permits_for(1), 1);
        assert_eq!(budget.permits_for(MIB), 1);
        assert_eq!(budget.permits_for(MIB + 1), 2);
        let word = crate::domain::metadata::memory_bound(
            crate::domain::form::DocumentType::Docx.mime(),
            5 * MIB,
        );
        assert_eq!(budget.permits_for(word), 773);
        assert_eq!(budget.permits_for(u64::MAX), 1024, "at most all of it");
        assert_eq!(CleaningBudget::new(0).permits_for(10 * MIB), 1);
    }

    fn soon<F: std::future::Future>(what: F) -> tokio::time::Timeout<F> {
        tokio::time::timeout(Duration::from_secs(5), what)
    }

    #[rocket::async_test]
    async fn a_second_large_cleaning_waits_for_the_first_and_then_runs() {
        let budget = Arc::new(CleaningBudget::new(1024));
        let word = crate::domain::metadata::memory_bound(
            crate::domain::form::DocumentType::Docx.mime(),
            MIB,
        );
        let first = soon(budget.reserve(word))
            .await
            .expect("at once")
            .expect("reserved");
        // A photo still fits beside it.
        let photo = soon(budget.reserve(4 * MIB))
            .await
            .expect("at once")
            .expect("reserved");
        assert_eq!(budget.available_mib(), 1024 - 769 - 4);
        let waiting = {
            let budget = Arc::clone(&budget);
            tokio::spawn(async move { budget.reserve(word).await.map(|p| p.num_permits()) })
        };
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(!waiting.is_finished(), "the second cleaning went ahead");
        // The first is sent, keeping only what its cleaned copy takes.
        let sent = keep_for(first, 300 << 10);
        assert_eq!(sent.num_permits(), 1);
        let second = soon(waiting)
            .await
            .expect("the second cleaning ran once the first was done")
            .expect("joins");
        assert_eq!(second.expect("reserved"), 769);
        drop((sent, photo));
        assert_eq!(budget.available_mib(), 1024, "all given back");
    }
}
