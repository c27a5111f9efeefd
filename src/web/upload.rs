//! Uploaded files (applicants' documents, referees' letters): checked by
//! their first bytes, size and name before anything is stored, then
//! streamed from Rocket's temporary file into storage.

use rocket::fs::TempFile;
use rocket::http::Status;
use tokio::io::AsyncReadExt;

use crate::domain::document::{check_upload, sanitise_file_name, UploadError, SNIFF_BYTES};
use crate::domain::form::DocumentType;
use crate::storage::{Storage, StorageError, Stored};

/// An upload that passed the checks.
pub struct Checked {
    pub kind: DocumentType,
    /// The file name made safe to store and show.
    pub name: String,
}

/// The file name as the browser sent it ("" when none).
fn raw_name(file: &TempFile<'_>) -> String {
    file.raw_name()
        .map(|n| n.dangerous_unsafe_unsanitized_raw().as_str().to_owned())
        .unwrap_or_default()
}

/// Whether the browser sent a file at all (an untouched file input sends an
/// empty part without a name).
pub fn chosen(file: &TempFile<'_>) -> bool {
    file.len() > 0 || !raw_name(file).is_empty()
}

/// Checks an upload against what a question accepts.
pub async fn check(
    file: &TempFile<'_>,
    accepted: &[DocumentType],
    max_mb: u64,
) -> anyhow::Result<Result<Checked, UploadError>> {
    let name = raw_name(file);
    let mut head = Vec::with_capacity(SNIFF_BYTES);
    if file.len() > 0 {
        file.open()
            .await?
            .take(SNIFF_BYTES as u64)
            .read_to_end(&mut head)
            .await?;
    }
    Ok(
        check_upload(&head, file.len(), &name, accepted, max_mb).map(|kind| Checked {
            kind,
            name: sanitise_file_name(&name, kind.extension()),
        }),
    )
}

/// Puts an upload into storage without holding it in memory: into the
/// local folder by moving Rocket's temporary file (a rename when on the
/// same disk), into S3 in parts read from that file.
pub async fn store(storage: &Storage, file: &mut TempFile<'_>) -> Result<Stored, StorageError> {
    if let Some((key, staged)) = storage.staging() {
        if file.persist_to(&staged).await.is_err() {
            file.move_copy_to(&staged).await?;
        }
        return storage.adopt(key, staged).await;
    }
    match file.path() {
        Some(path) => storage.put_file(path).await,
        None => storage.put(file.open().await?).await,
    }
}

/// What an applicant is told when the document store cannot be reached.
pub const STORAGE_DOWN: &str =
    "Storage is unavailable for a moment; your answers are saved. Try this upload again in a few minutes.";

/// The status of the page that refuses an upload: 413 when too large.
pub fn status_of(e: &UploadError) -> Status {
    if matches!(e, UploadError::TooLarge { .. }) {
        Status::PayloadTooLarge
    } else {
        Status::UnprocessableEntity
    }
}
