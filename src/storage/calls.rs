//! The document store's public calls: each runs the backend's call and
//! counts its failure in the instance's metrics (`portal_storage_errors_total`).

use std::path::{Path, PathBuf};

use tokio::io::AsyncRead;

use super::{Listed, Reader, Storage, StorageError, Stored};

impl Storage {
    /// `result`, its failure counted under `operation` (a missing
    /// document is an answer, not a failure of the store).
    fn counted<T>(
        &self,
        operation: &str,
        result: Result<T, StorageError>,
    ) -> Result<T, StorageError> {
        if let Err(e) = &result {
            if !matches!(e, StorageError::NotFound) {
                self.metrics.storage_error(operation);
            }
        }
        result
    }

    /// Stores `source` under a given key (copying between stores keeps keys).
    pub async fn put_as(
        &self,
        key: String,
        source: impl AsyncRead + Unpin + Send,
    ) -> Result<Stored, StorageError> {
        let result = self.put_as_inner(key, source).await;
        self.counted("put", result)
    }

    /// Files a document moved to [`Storage::staging`] (see `adopt_inner`).
    pub async fn adopt(
        &self,
        key: String,
        staged: PathBuf,
        known: Option<(u64, String)>,
    ) -> Result<Stored, StorageError> {
        let result = self.adopt_inner(key, staged, known).await;
        self.counted("put", result)
    }

    /// Stores the file at `path` under a new key, streamed from disk.
    pub async fn put_file(
        &self,
        path: &Path,
        known: Option<(u64, String)>,
    ) -> Result<Stored, StorageError> {
        let result = self.put_file_inner(path, known).await;
        self.counted("put", result)
    }

    /// Reads a stored document.
    pub async fn read(&self, key: &str) -> Result<Reader, StorageError> {
        let result = self.read_inner(key).await;
        self.counted("read", result)
    }

    /// Deletes a stored document (no error when it is already gone).
    pub async fn delete(&self, key: &str) -> Result<(), StorageError> {
        let result = self.delete_inner(key).await;
        self.counted("delete", result)
    }

    /// The size of a stored document, if it exists.
    pub async fn size_of(&self, key: &str) -> Result<Option<u64>, StorageError> {
        let result = self.size_of_inner(key).await;
        self.counted("read", result)
    }

    /// A short-lived link for the browser to download from (S3); `None` when the portal streams it.
    pub async fn link(
        &self,
        key: &str,
        file_name: &str,
        content_type: &str,
    ) -> Result<Option<String>, StorageError> {
        let result = self.link_inner(key, file_name, content_type).await;
        self.counted("link", result)
    }

    /// Every stored document with its last modification time (for the sweeper).
    pub async fn list(&self) -> Result<Vec<Listed>, StorageError> {
        let result = self.list_inner().await;
        self.counted("list", result)
    }

    /// Whether documents can be stored now.
    pub async fn check(&self) -> Result<(), StorageError> {
        let result = self.check_inner().await;
        self.counted("check", result)
    }
}
