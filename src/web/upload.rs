//! Uploaded files (applicants' documents, referees' letters): checked by
//! their first bytes, size and name before anything is stored, then
//! moved or streamed from their temporary file into storage.

use rocket::http::Status;
use tokio::io::AsyncReadExt;

use crate::domain::document::{check_upload, sanitise_file_name, UploadError, SNIFF_BYTES};
use crate::domain::form::DocumentType;
use crate::storage::{Storage, StorageError, Stored};
use crate::web::multipart::Upload;

/// An upload that passed the checks.
pub struct Checked {
    pub kind: DocumentType,
    /// The file name made safe to store and show.
    pub name: String,
}

/// Whether the browser sent a file at all (an untouched file input sends an
/// empty part without a name).
pub fn chosen(file: &Upload) -> bool {
    file.len > 0 || !file.raw_name.is_empty()
}

/// Checks an upload against what a question accepts.
pub async fn check(
    file: &Upload,
    accepted: &[DocumentType],
    max_mb: u64,
) -> anyhow::Result<Result<Checked, UploadError>> {
    let mut head = Vec::with_capacity(SNIFF_BYTES);
    if file.len > 0 {
        tokio::fs::File::open(&file.path)
            .await?
            .take(SNIFF_BYTES as u64)
            .read_to_end(&mut head)
            .await?;
    }
    Ok(
        check_upload(&head, file.len, &file.raw_name, accepted, max_mb).map(|kind| Checked {
            kind,
            name: sanitise_file_name(&file.raw_name, kind.extension()),
        }),
    )
}

/// Puts an upload into storage without holding it in memory: into the
/// local folder by moving the temporary file (a rename when on the same
/// disk), into S3 in parts read from that file.
pub async fn store(storage: &Storage, file: Upload) -> Result<Stored, StorageError> {
    let known = Some((file.len, file.sha256.clone()));
    if let Some((key, staged)) = storage.staging() {
        if let Err(e) = file.path.persist(&staged) {
            // Another disk: copy (the temporary file is deleted when dropped).
            tokio::fs::copy(&e.path, &staged).await?;
        }
        return storage.adopt(key, staged, known).await;
    }
    storage.put_file(&file.path, known).await
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
