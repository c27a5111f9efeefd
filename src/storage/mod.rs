//! Where documents live: a local folder by default, an S3-compatible object
//! store at scale. Bytes are streamed in and out (never a whole file in
//! memory), stored under opaque random keys, with their SHA-256 and size
//! computed on the way in.
//!
//! Imports `config`; never `web` or `db`.

mod calls;
#[cfg(feature = "s3")]
pub mod s3;

use std::path::{Path, PathBuf};
use std::pin::Pin;

use sha2::{Digest, Sha256};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};

use crate::config::{PortalConfig, StorageKind};

/// The configured document store, counting its failed calls in the
/// instance's metrics.
#[derive(Clone)]
pub struct Storage {
    backend: Backend,
    metrics: std::sync::Arc<crate::metrics::Metrics>,
}

/// Where the documents are.
#[derive(Clone)]
pub enum Backend {
    /// A folder on this machine.
    Local { root: PathBuf },
    /// A bucket of an S3-compatible store.
    #[cfg(feature = "s3")]
    S3(s3::S3Store),
}

/// Why the configured store cannot be opened.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("cannot create the documents folder {path}: {source}")]
    LocalFolder {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("PORTAL_STORAGE=s3 needs {0}")]
    Missing(&'static str),
    #[error("this build has no S3 support (built without the `s3` feature)")]
    NoS3Support,
    #[error("the S3 store is not usable: {0}")]
    S3(String),
    #[error("the document store is unavailable: {0}")]
    Unavailable(String),
    #[error("storing or reading a document: {0}")]
    Io(#[from] std::io::Error),
    #[error("no document is stored under that key")]
    NotFound,
}

/// What a stored document is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub key: String,
    pub size: u64,
    /// Hex SHA-256 of the bytes.
    pub sha256: String,
}

impl StorageError {
    /// Whether the store could not be reached (rather than refusing).
    pub fn is_unavailable(&self) -> bool {
        matches!(self, Self::Unavailable(_))
    }
}

/// A stored object as listed by [`Storage::list`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    pub key: String,
    pub modified: chrono::DateTime<chrono::Utc>,
}

/// A document's bytes, read as they are sent.
pub type Reader = Pin<Box<dyn AsyncRead + Send>>;

/// Uploads arriving in the temporary folder are named with this prefix,
/// so that what a crash left there can be recognised and swept.
pub const UPLOAD_PREFIX: &str = ".upload-";

/// Removes the files directly in `dir` whose names begin with `prefix` and
/// that were last changed before `before`; returns how many.
pub async fn remove_older(
    dir: &std::path::Path,
    prefix: &str,
    before: chrono::DateTime<chrono::Utc>,
) -> std::io::Result<usize> {
    let mut removed = 0;
    let mut entries = match tokio::fs::read_dir(dir).await {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e),
    };
    while let Some(entry) = entries.next_entry().await? {
        if !entry.file_name().to_string_lossy().starts_with(prefix) {
            continue;
        }
        let meta = entry.metadata().await?;
        if meta.is_file() && chrono::DateTime::<chrono::Utc>::from(meta.modified()?) < before {
            tokio::fs::remove_file(entry.path()).await?;
            removed += 1;
        }
    }
    Ok(removed)
}

/// A new opaque key: 32 random hex characters, nothing of the file in it.
fn new_key() -> String {
    let bytes: [u8; 16] = rand::random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Size and SHA-256 of a file, read with large buffers (blocking: call it
/// off the async workers).
fn hash_file(path: &Path) -> std::io::Result<(u64, String)> {
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1024 * 1024];
    let mut size = 0u64;
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        size += n as u64;
    }
    Ok((size, hex(&hasher.finalize())))
}

/// Size and SHA-256 of a file, computed on a blocking thread.
pub async fn hash_file_async(path: &Path) -> std::io::Result<(u64, String)> {
    let path = path.to_owned();
    tokio::task::spawn_blocking(move || hash_file(&path))
        .await
        .map_err(|e| std::io::Error::other(e.to_string()))?
}

/// Copies `source` into a new file at `path` (flushed to disk), returning
/// size and SHA-256.
pub async fn copy_hashing(
    mut source: impl AsyncRead + Unpin,
    path: &Path,
) -> std::io::Result<(u64, String)> {
    let mut file = tokio::fs::File::create(path).await?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut size = 0u64;
    loop {
        let n = source.read(&mut buf).await?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        file.write_all(&buf[..n]).await?;
        size += n as u64;
    }
    file.flush().await?;
    file.sync_all().await?;
    Ok((size, hex(&hasher.finalize())))
}

impl Storage {
    /// Opens the backend the configuration names; its failures are
    /// counted in `metrics`.
    pub fn open(
        config: &PortalConfig,
        metrics: std::sync::Arc<crate::metrics::Metrics>,
    ) -> Result<Self, StorageError> {
        let backend = match config.storage {
            StorageKind::Local => {
                let root = config.documents_dir();
                std::fs::create_dir_all(&root).map_err(|source| StorageError::LocalFolder {
                    path: root.clone(),
                    source,
                })?;
                Backend::Local { root }
            }
            #[cfg(feature = "s3")]
            StorageKind::S3 => Backend::S3(s3::S3Store::open(config)?),
            #[cfg(not(feature = "s3"))]
            StorageKind::S3 => return Err(StorageError::NoS3Support),
        };
        Ok(Self::new(backend, metrics))
    }

    /// A store over `backend`, its failures counted in `metrics`.
    pub fn new(backend: Backend, metrics: std::sync::Arc<crate::metrics::Metrics>) -> Self {
        Self { backend, metrics }
    }

    /// The backend.
    pub fn backend(&self) -> &Backend {
        &self.backend
    }

    /// `local` or `s3`, for `/healthz`.
    pub fn name(&self) -> &'static str {
        match &self.backend {
            Backend::Local { .. } => "local",
            #[cfg(feature = "s3")]
            Backend::S3(_) => "s3",
        }
    }

    /// Stores everything `source` yields under a new key. Nothing is left
    /// behind when it fails.
    pub async fn put(&self, source: impl AsyncRead + Unpin + Send) -> Result<Stored, StorageError> {
        self.put_as(new_key(), source).await
    }

    /// Stores `source` under a given key (copying between stores keeps keys).
    async fn put_as_inner(
        &self,
        key: String,
        source: impl AsyncRead + Unpin + Send,
    ) -> Result<Stored, StorageError> {
        if !valid_key(&key) {
            return Err(StorageError::NotFound);
        }
        match &self.backend {
            Backend::Local { root } => {
                let staging = root.join(format!(".staging-{key}"));
                let result = copy_hashing(source, &staging).await;
                let (size, sha256) = match result {
                    Ok(r) => r,
                    Err(e) => {
                        let _ = tokio::fs::remove_file(&staging).await;
                        return Err(e.into());
                    }
                };
                let final_path = local_path(root, &key);
                if let Some(parent) = final_path.parent() {
                    tokio::fs::create_dir_all(parent).await?;
                }
                tokio::fs::rename(&staging, &final_path).await?;
                Ok(Stored { key, size, sha256 })
            }
            #[cfg(feature = "s3")]
            Backend::S3(store) => {
                store
                    .put(&key, source)
                    .await
                    .map(|(size, sha256)| Stored { key, size, sha256 })
            }
        }
    }

    /// A place where a local upload can be moved (renamed, not copied)
    /// before [`Storage::adopt`] files it; `None` for other stores.
    pub fn staging(&self) -> Option<(String, PathBuf)> {
        match &self.backend {
            Backend::Local { root } => {
                let key = new_key();
                let path = root.join(format!(".staging-{key}"));
                Some((key, path))
            }
            #[cfg(feature = "s3")]
            Backend::S3(_) => None,
        }
    }

    /// Files a document moved to [`Storage::staging`]: hashes it (unless its
    /// size and hash are `known`), flushes it to disk and renames it into
    /// place. The staged file is removed when
    /// this fails.
    async fn adopt_inner(
        &self,
        key: String,
        staged: PathBuf,
        known: Option<(u64, String)>,
    ) -> Result<Stored, StorageError> {
        let Backend::Local { root } = &self.backend else {
            return Err(StorageError::S3(
                "only the local folder adopts files".into(),
            ));
        };
        let hashed = {
            let staged = staged.clone();
            tokio::task::spawn_blocking(move || {
                let digest = match known {
                    Some(k) => k,
                    None => hash_file(&staged)?,
                };
                std::fs::File::open(&staged)?.sync_all()?;
                Ok::<_, std::io::Error>(digest)
            })
            .await
            .map_err(|e| std::io::Error::other(e.to_string()))?
        };
        let result = async {
            let (size, sha256) = hashed?;
            let final_path = local_path(root, &key);
            if let Some(parent) = final_path.parent() {
                tokio::fs::create_dir_all(parent).await?;
            }
            tokio::fs::rename(&staged, &final_path).await?;
            Ok::<_, std::io::Error>(Stored { key, size, sha256 })
        }
        .await;
        if result.is_err() {
            let _ = tokio::fs::remove_file(&staged).await;
        }
        Ok(result?)
    }

    /// Stores the file at `path` under a new key, streamed from disk (its
    /// size and hash computed unless `known`).
    async fn put_file_inner(
        &self,
        path: &Path,
        known: Option<(u64, String)>,
    ) -> Result<Stored, StorageError> {
        match &self.backend {
            Backend::Local { .. } => {
                self.put_as_inner(new_key(), tokio::fs::File::open(path).await?)
                    .await
            }
            #[cfg(feature = "s3")]
            Backend::S3(store) => {
                let key = new_key();
                let (size, sha256) = store.put_file(&key, path, known).await?;
                Ok(Stored { key, size, sha256 })
            }
        }
    }

    /// Reads a stored document.
    async fn read_inner(&self, key: &str) -> Result<Reader, StorageError> {
        match &self.backend {
            Backend::Local { root } => match tokio::fs::File::open(local_path(root, key)).await {
                Ok(f) => Ok(Box::pin(f)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(StorageError::NotFound),
                Err(e) => Err(e.into()),
            },
            #[cfg(feature = "s3")]
            Backend::S3(store) => store.read(key).await,
        }
    }

    /// Deletes a stored document (no error when it is already gone).
    async fn delete_inner(&self, key: &str) -> Result<(), StorageError> {
        match &self.backend {
            Backend::Local { root } => match tokio::fs::remove_file(local_path(root, key)).await {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
                _ => Ok(()),
            },
            #[cfg(feature = "s3")]
            Backend::S3(store) => store.delete(key).await,
        }
    }

    /// The size of a stored document, if it exists.
    async fn size_of_inner(&self, key: &str) -> Result<Option<u64>, StorageError> {
        match &self.backend {
            Backend::Local { root } => match tokio::fs::metadata(local_path(root, key)).await {
                Ok(m) => Ok(Some(m.len())),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(e.into()),
            },
            #[cfg(feature = "s3")]
            Backend::S3(store) => store.size_of(key).await,
        }
    }

    /// A short-lived link from which the browser downloads the document
    /// itself (S3); `None` when the portal streams it (local folder).
    async fn link_inner(
        &self,
        key: &str,
        file_name: &str,
        content_type: &str,
    ) -> Result<Option<String>, StorageError> {
        match &self.backend {
            Backend::Local { .. } => {
                let _ = (key, file_name, content_type);
                Ok(None)
            }
            #[cfg(feature = "s3")]
            Backend::S3(store) => {
                let disposition = crate::domain::document::content_disposition(file_name);
                store.link(key, &disposition, content_type).await.map(Some)
            }
        }
    }

    /// Every stored document with its last modification time (for the
    /// sweeper). Local staging files are not listed.
    async fn list_inner(&self) -> Result<Vec<Listed>, StorageError> {
        match &self.backend {
            Backend::Local { root } => {
                let mut out = Vec::new();
                let mut fans = tokio::fs::read_dir(root).await?;
                while let Some(fan) = fans.next_entry().await? {
                    if !fan.file_type().await?.is_dir() {
                        continue;
                    }
                    let mut files = tokio::fs::read_dir(fan.path()).await?;
                    while let Some(f) = files.next_entry().await? {
                        let key = f.file_name().to_string_lossy().into_owned();
                        if !valid_key(&key) {
                            continue;
                        }
                        let modified = f.metadata().await?.modified()?;
                        out.push(Listed {
                            key,
                            modified: chrono::DateTime::<chrono::Utc>::from(modified),
                        });
                    }
                }
                Ok(out)
            }
            #[cfg(feature = "s3")]
            Backend::S3(store) => store.list().await,
        }
    }

    /// Removes the local folder's staged files (`.staging-…`, a document on
    /// its way into place) last changed before `before`: a crash between
    /// staging and filing leaves them. Returns how many; S3 has none.
    pub async fn sweep_staging(
        &self,
        before: chrono::DateTime<chrono::Utc>,
    ) -> std::io::Result<usize> {
        match &self.backend {
            Backend::Local { root } => remove_older(root, ".staging-", before).await,
            #[cfg(feature = "s3")]
            Backend::S3(_) => Ok(0),
        }
    }

    /// Whether documents can be stored now.
    async fn check_inner(&self) -> Result<(), StorageError> {
        match &self.backend {
            Backend::Local { root } => {
                let probe = root.join(".healthz");
                let result = tokio::fs::write(&probe, b"ok").await;
                let _ = tokio::fs::remove_file(&probe).await;
                result.map_err(|source| StorageError::LocalFolder {
                    path: root.clone(),
                    source,
                })
            }
            #[cfg(feature = "s3")]
            Backend::S3(store) => store.check().await,
        }
    }
}

/// Whether a key is one this module makes: 32 lower-case hex characters.
fn valid_key(key: &str) -> bool {
    key.len() == 32
        && key
            .chars()
            .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
}

/// Where a local key lives: fanned out by its first two characters. Keys
/// are hex made here, so they cannot name anything outside `root`.
fn local_path(root: &Path, key: &str) -> PathBuf {
    let safe: String = key.chars().filter(char::is_ascii_hexdigit).collect();
    let fan = safe.get(..2).unwrap_or("00");
    root.join(fan).join(safe)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn failed_store_calls_are_counted_by_operation() {
        let dir = tempfile::tempdir().unwrap();
        let metrics = std::sync::Arc::new(crate::metrics::Metrics::new());
        // A file where the documents folder should be: every write fails.
        let root = dir.path().join("not-a-folder");
        std::fs::write(&root, b"x").unwrap();
        let store = Storage::new(Backend::Local { root }, metrics.clone());
        assert!(store.put(&b"%PDF-1.4"[..]).await.is_err());
        assert!(store.check().await.is_err());
        assert!(store.list().await.is_err());
        let text = metrics.encode();
        for op in ["put", "check", "list"] {
            let line = format!("portal_storage_errors_total{{operation=\"{op}\"}} 1");
            assert!(text.contains(&line), "{line} in\n{text}");
        }
    }

    #[tokio::test]
    async fn local_documents_stream_in_and_out_with_their_hash() {
        let dir = tempfile::tempdir().unwrap();
        let metrics = std::sync::Arc::new(crate::metrics::Metrics::new());
        let store = Storage::new(
            Backend::Local {
                root: dir.path().to_owned(),
            },
            metrics.clone(),
        );
        let data = vec![7u8; 300_000];
        let stored = store.put(&data[..]).await.unwrap();
        assert_eq!(stored.size, 300_000);
        assert_eq!(stored.sha256, hex(&Sha256::digest(&data)));
        assert_eq!(stored.key.len(), 32);
        let mut back = Vec::new();
        store
            .read(&stored.key)
            .await
            .unwrap()
            .read_to_end(&mut back)
            .await
            .unwrap();
        assert_eq!(back, data);
        store.delete(&stored.key).await.unwrap();
        assert!(matches!(
            store.read(&stored.key).await,
            Err(StorageError::NotFound)
        ));
        store.delete(&stored.key).await.unwrap();
        assert!(matches!(
            store.read("../../etc/passwd").await,
            Err(StorageError::NotFound)
        ));
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with(".staging"))
            .collect();
        assert!(leftovers.is_empty());
        assert!(
            metrics
                .encode()
                .lines()
                .all(|l| !l.starts_with("portal_storage_errors_total")),
            "a missing document is not a failure of the store"
        );

        // An upload moved to a staging place is adopted without another copy.
        let (key, staged) = store.staging().unwrap();
        std::fs::write(&staged, &data).unwrap();
        let adopted = store
            .adopt(key.clone(), staged.clone(), None)
            .await
            .unwrap();
        assert_eq!(
            (adopted.key.as_str(), adopted.size),
            (key.as_str(), 300_000)
        );
        assert_eq!(adopted.sha256, hex(&Sha256::digest(&data)));
        assert!(!staged.exists());
        let mut again = Vec::new();
        store
            .read(&key)
            .await
            .unwrap()
            .read_to_end(&mut again)
            .await
            .unwrap();
        assert_eq!(again, data);
    }
}
