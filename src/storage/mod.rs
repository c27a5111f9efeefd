//! Where documents live: a local folder by default, an S3-compatible object
//! store at scale. This module opens the configured backend at start and
//! answers whether it is reachable; documents themselves are stored through
//! it by the applicant features.
//!
//! Imports `config`; never `web` or `db`.

#[cfg(feature = "s3")]
mod s3;

use std::path::PathBuf;

use crate::config::{PortalConfig, StorageKind};

/// The configured document store.
#[derive(Clone)]
pub enum Storage {
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
}

impl Storage {
    /// Opens the backend the configuration names.
    pub fn open(config: &PortalConfig) -> Result<Self, StorageError> {
        match config.storage {
            StorageKind::Local => {
                let root = config.documents_dir();
                std::fs::create_dir_all(&root).map_err(|source| StorageError::LocalFolder {
                    path: root.clone(),
                    source,
                })?;
                Ok(Self::Local { root })
            }
            #[cfg(feature = "s3")]
            StorageKind::S3 => Ok(Self::S3(s3::S3Store::open(config)?)),
            #[cfg(not(feature = "s3"))]
            StorageKind::S3 => Err(StorageError::NoS3Support),
        }
    }

    /// `local` or `s3`, for `/healthz`.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Local { .. } => "local",
            #[cfg(feature = "s3")]
            Self::S3(_) => "s3",
        }
    }

    /// Whether documents can be stored now.
    pub async fn check(&self) -> Result<(), StorageError> {
        match self {
            Self::Local { root } => {
                let probe = root.join(".healthz");
                let result = tokio::fs::write(&probe, b"ok").await;
                let _ = tokio::fs::remove_file(&probe).await;
                result.map_err(|source| StorageError::LocalFolder {
                    path: root.clone(),
                    source,
                })
            }
            #[cfg(feature = "s3")]
            Self::S3(store) => store.check().await,
        }
    }
}
