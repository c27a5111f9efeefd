//! A file of a form on its way to disk: each piece is hashed and written on
//! a blocking thread while the next piece is received, into a temporary file.

use bytes::Bytes;
use sha2::{Digest, Sha256};
use std::io::Write;
use std::sync::Arc;
use tokio::task::JoinHandle;

/// Once this much more of a file is written, its writeback to disk is
/// started in the background (one `fdatasync` at a time on a second
/// handle), so the disk works while the upload still arrives and the
/// `fsync` that makes the upload durable has little left to do.
const WRITEBACK_EVERY: u64 = 16 * 1024 * 1024;

type Written = std::io::Result<(std::fs::File, Sha256)>;

pub use crate::storage::UPLOAD_PREFIX;

/// A temporary file being written; deleted when dropped unless finished
/// and moved away.
pub struct FileSink {
    path: tempfile::TempPath,
    syncer: Arc<std::fs::File>,
    /// The file and hash, when no piece is being written.
    idle: Option<(std::fs::File, Sha256)>,
    busy: Option<JoinHandle<Written>>,
    flushing: Option<JoinHandle<std::io::Result<()>>>,
    flushed_at: u64,
    len: u64,
}

fn joined(e: tokio::task::JoinError) -> std::io::Error {
    std::io::Error::other(e.to_string())
}

impl FileSink {
    /// A new temporary file in `dir`, named `.upload-…` (so that one left
    /// by a crash can be recognised and swept, see [`UPLOAD_PREFIX`]).
    pub fn create(dir: &std::path::Path) -> std::io::Result<Self> {
        let (file, path) = tempfile::Builder::new()
            .prefix(UPLOAD_PREFIX)
            .tempfile_in(dir)?
            .into_parts();
        Ok(Self {
            path,
            syncer: Arc::new(file.try_clone()?),
            idle: Some((file, Sha256::new())),
            busy: None,
            flushing: None,
            flushed_at: 0,
            len: 0,
        })
    }

    /// Bytes written so far (including a piece still being written).
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Waits for the piece before, then hands this one to a blocking thread.
    pub async fn push(&mut self, piece: Bytes) -> std::io::Result<()> {
        self.len += piece.len() as u64;
        if let Some(previous) = self.busy.take() {
            self.idle = Some(previous.await.map_err(joined)??);
        }
        let (mut file, mut hasher) = self.idle.take().expect("the file is idle between pieces");
        self.busy = Some(tokio::task::spawn_blocking(move || {
            hasher.update(&piece);
            file.write_all(&piece)?;
            Ok((file, hasher))
        }));
        let flush_done = self.flushing.as_ref().is_none_or(|f| f.is_finished());
        if self.len - self.flushed_at >= WRITEBACK_EVERY && flush_done {
            if let Some(done) = self.flushing.take() {
                done.await.map_err(joined)??;
            }
            self.flushed_at = self.len;
            let syncer = Arc::clone(&self.syncer);
            self.flushing = Some(tokio::task::spawn_blocking(move || syncer.sync_data()));
        }
        Ok(())
    }

    /// Waits for the last piece: the file's path, size and hex SHA-256.
    pub async fn finish(mut self) -> std::io::Result<(tempfile::TempPath, u64, String)> {
        if let Some(done) = self.flushing.take() {
            done.await.map_err(joined)??;
        }
        let (mut file, hasher) = match self.busy.take() {
            Some(previous) => previous.await.map_err(joined)??,
            None => self.idle.take().expect("the file is idle"),
        };
        file.flush()?;
        let sha256 = hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        Ok((self.path, self.len, sha256))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn pieces_are_written_in_order_and_hashed() {
        let dir = tempfile::tempdir().unwrap();
        let mut sink = FileSink::create(dir.path()).unwrap();
        let mut whole = Vec::new();
        for i in 0..50u8 {
            let piece = vec![i; 1000 + usize::from(i)];
            whole.extend_from_slice(&piece);
            sink.push(Bytes::from(piece)).await.unwrap();
        }
        assert_eq!(sink.len(), whole.len() as u64);
        let (path, len, sha256) = sink.finish().await.unwrap();
        assert!(path
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with(UPLOAD_PREFIX));
        assert_eq!(len, whole.len() as u64);
        assert_eq!(std::fs::read(&path).unwrap(), whole);
        let expected: String = Sha256::digest(&whole)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(sha256, expected);
        let kept = path.to_path_buf();
        drop(path);
        assert!(!kept.exists(), "the temporary file is removed when dropped");
    }

    #[tokio::test]
    async fn an_empty_file_has_the_empty_hash() {
        let dir = tempfile::tempdir().unwrap();
        let sink = FileSink::create(dir.path()).unwrap();
        let (path, len, sha256) = sink.finish().await.unwrap();
        assert_eq!(len, 0);
        assert_eq!(std::fs::metadata(&path).unwrap().len(), 0);
        assert_eq!(
            sha256,
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
