//! Multipart forms with files, read by the portal itself.
//!
//! Rocket's own `TempFile` writes every small network chunk to disk on its
//! own (about 120 MB/s here); this guard reads the body 1 MiB at a time and
//! writes and hashes each chunk on a blocking thread while the next one
//! arrives, into a temporary file in Rocket's `temp_dir` (the data folder's
//! disk, so the local store files it by renaming). Nothing of a file is
//! held in memory beyond two chunks. Size limits: the whole form `data-form`,
//! each file `file`, each text field `string` (see `Rocket.toml`).

use rocket::data::{self, Data, FromData, ToByteUnit};
use rocket::http::Status;
use rocket::Request;
use sha2::{Digest, Sha256};
use tokio_util::io::ReaderStream;

/// How much of the body is read at a time.
const READ_CHUNK: usize = 1024 * 1024;

/// Once this much more of a file is written, its writeback to disk is
/// started in the background (one `fdatasync` at a time on a second
/// handle), so the disk works while the upload still arrives and the
/// `fsync` that makes the upload durable has little left to do.
const WRITEBACK_EVERY: u64 = 16 * 1024 * 1024;

/// Hands multer one chunk per poll. multer reads everything a stream has
/// ready into its own buffer; on a fast connection that is far more than
/// the disk has taken yet, so memory would grow with the upload.
struct OneAtATime<S> {
    inner: S,
    rested: bool,
}

impl<S> OneAtATime<S> {
    fn new(inner: S) -> Self {
        Self {
            inner,
            rested: true,
        }
    }
}

impl<S: futures_core::Stream + Unpin> futures_core::Stream for OneAtATime<S> {
    type Item = S::Item;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<S::Item>> {
        if !self.rested {
            // Pause once, waking at once: the reader takes what it has first.
            self.rested = true;
            cx.waker().wake_by_ref();
            return std::task::Poll::Pending;
        }
        let next = std::pin::Pin::new(&mut self.inner).poll_next(cx);
        if matches!(next, std::task::Poll::Ready(Some(_))) {
            self.rested = false;
        }
        next
    }
}

/// A file of the form, in a temporary file (deleted when dropped unless
/// moved away).
pub struct Upload {
    /// The field's name, e.g. `f[cv]`.
    pub field: String,
    /// The file name as the browser sent it (unsafe: sanitise before use).
    pub raw_name: String,
    pub path: tempfile::TempPath,
    pub len: u64,
    /// Hex SHA-256 of the bytes, computed as they arrived.
    pub sha256: String,
}

/// A whole multipart form: text fields in order, and files.
pub struct Multipart {
    pub fields: Vec<(String, String)>,
    pub files: Vec<Upload>,
}

impl Multipart {
    /// The values of text fields `prefix[key]`, by key, in order.
    pub fn indexed(&self, prefix: &str) -> std::collections::BTreeMap<String, Vec<String>> {
        let mut out: std::collections::BTreeMap<String, Vec<String>> = Default::default();
        for (name, value) in &self.fields {
            if let Some(key) = index_of(name, prefix) {
                out.entry(key.to_owned()).or_default().push(value.clone());
            }
        }
        out
    }

    /// The last value of a plain text field.
    pub fn value(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// `key` of a field named `prefix[key]`.
pub fn index_of<'a>(name: &'a str, prefix: &str) -> Option<&'a str> {
    name.strip_prefix(prefix)?
        .strip_prefix('[')?
        .strip_suffix(']')
}

/// Why a form could not be read.
#[derive(Debug)]
pub enum MultipartError {
    NotMultipart,
    TooLarge,
    Malformed(String),
    Io(std::io::Error),
}

fn classify(e: multer::Error) -> (Status, MultipartError) {
    match e {
        multer::Error::StreamSizeExceeded { .. } | multer::Error::FieldSizeExceeded { .. } => {
            (Status::PayloadTooLarge, MultipartError::TooLarge)
        }
        other => (
            Status::BadRequest,
            MultipartError::Malformed(other.to_string()),
        ),
    }
}

/// Writes a file field to `file`, hashing it on the way; the writing and
/// hashing of one chunk run on a blocking thread while the next chunk is
/// received. Returns its size and hex SHA-256.
async fn write_file(
    field: &mut multer::Field<'_>,
    file: std::fs::File,
    limit: u64,
) -> Result<(u64, String), (Status, MultipartError)> {
    use std::io::Write;
    type Written = std::io::Result<(std::fs::File, Sha256)>;
    let io_error = |e: std::io::Error| (Status::InternalServerError, MultipartError::Io(e));
    let joined = |e: tokio::task::JoinError| io_error(std::io::Error::other(e.to_string()));
    let syncer = file.try_clone().map_err(io_error)?;
    let syncer = std::sync::Arc::new(syncer);
    let mut idle = Some((file, Sha256::new()));
    let mut busy: Option<tokio::task::JoinHandle<Written>> = None;
    let mut flushing: Option<tokio::task::JoinHandle<std::io::Result<()>>> = None;
    let mut flushed_at = 0u64;
    let mut len = 0u64;
    loop {
        let chunk = match field.chunk().await {
            Ok(Some(chunk)) => chunk,
            Ok(None) => break,
            Err(e) => return Err(classify(e)),
        };
        len += chunk.len() as u64;
        if len > limit {
            return Err((Status::PayloadTooLarge, MultipartError::TooLarge));
        }
        if let Some(previous) = busy.take() {
            idle = Some(previous.await.map_err(joined)?.map_err(io_error)?);
        }
        let (mut file, mut hasher) = idle.take().expect("the file is idle between chunks");
        busy = Some(tokio::task::spawn_blocking(move || {
            hasher.update(&chunk);
            file.write_all(&chunk)?;
            Ok((file, hasher))
        }));
        if len - flushed_at >= WRITEBACK_EVERY && flushing.as_ref().is_none_or(|f| f.is_finished())
        {
            if let Some(done) = flushing.take() {
                done.await.map_err(joined)?.map_err(io_error)?;
            }
            flushed_at = len;
            let syncer = std::sync::Arc::clone(&syncer);
            flushing = Some(tokio::task::spawn_blocking(move || syncer.sync_data()));
        }
    }
    if let Some(done) = flushing.take() {
        done.await.map_err(joined)?.map_err(io_error)?;
    }
    let (mut file, hasher) = match busy {
        Some(previous) => previous.await.map_err(joined)?.map_err(io_error)?,
        None => idle.expect("the file is idle"),
    };
    file.flush().map_err(io_error)?;
    Ok((
        len,
        hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect(),
    ))
}

#[rocket::async_trait]
impl<'r> FromData<'r> for Multipart {
    type Error = MultipartError;

    async fn from_data(req: &'r Request<'_>, data: Data<'r>) -> data::Outcome<'r, Self> {
        let boundary = req
            .content_type()
            .filter(|ct| ct.is_form_data())
            .and_then(|ct| {
                ct.params()
                    .find(|(k, _)| *k == "boundary")
                    .map(|(_, v)| v.to_owned())
            });
        let Some(boundary) = boundary else {
            return data::Outcome::Error((
                Status::UnsupportedMediaType,
                MultipartError::NotMultipart,
            ));
        };
        let limits = req.limits();
        let whole = limits.get("data-form").unwrap_or(2.mebibytes()).as_u64();
        let per_file = limits.get("file").unwrap_or(1.mebibytes()).as_u64();
        let per_text = limits.get("string").unwrap_or(64.kibibytes()).as_u64();
        // One byte more than the limit lets multer see that it was exceeded.
        let stream = OneAtATime::new(ReaderStream::with_capacity(
            data.open((whole + 1).bytes()),
            READ_CHUNK,
        ));
        let constraints = multer::Constraints::new().size_limit(
            multer::SizeLimit::new()
                .whole_stream(whole)
                .per_field(per_file.max(per_text)),
        );
        let mut form = multer::Multipart::with_constraints(stream, boundary, constraints);
        let temp_dir = req.rocket().config().temp_dir.relative();
        let mut out = Multipart {
            fields: Vec::new(),
            files: Vec::new(),
        };
        loop {
            let mut field = match form.next_field().await {
                Ok(Some(f)) => f,
                Ok(None) => break,
                Err(e) => return data::Outcome::Error(classify(e)),
            };
            let name = field.name().unwrap_or("").to_owned();
            match field.file_name().map(str::to_owned) {
                Some(raw_name) => {
                    let temp = match tempfile::NamedTempFile::new_in(&temp_dir) {
                        Ok(t) => t,
                        Err(e) => {
                            return data::Outcome::Error((
                                Status::InternalServerError,
                                MultipartError::Io(e),
                            ))
                        }
                    };
                    let (std_file, path) = temp.into_parts();
                    let (len, sha256) = match write_file(&mut field, std_file, per_file).await {
                        Ok(done) => done,
                        Err(problem) => return data::Outcome::Error(problem),
                    };
                    out.files.push(Upload {
                        field: name,
                        raw_name,
                        path,
                        len,
                        sha256,
                    });
                }
                None => {
                    let mut text = Vec::new();
                    loop {
                        match field.chunk().await {
                            Ok(Some(chunk)) => {
                                text.extend_from_slice(&chunk);
                                if text.len() as u64 > per_text {
                                    return data::Outcome::Error((
                                        Status::PayloadTooLarge,
                                        MultipartError::TooLarge,
                                    ));
                                }
                            }
                            Ok(None) => break,
                            Err(e) => return data::Outcome::Error(classify(e)),
                        }
                    }
                    match String::from_utf8(text) {
                        Ok(t) => out.fields.push((name, t)),
                        Err(_) => {
                            let problem =
                                MultipartError::Malformed(format!("field {name} is not UTF-8"));
                            return data::Outcome::Error((Status::BadRequest, problem));
                        }
                    }
                }
            }
        }
        data::Outcome::Success(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indexed_names_are_read() {
        assert_eq!(index_of("a[essay]", "a"), Some("essay"));
        assert_eq!(index_of("a[]", "a"), Some(""));
        assert_eq!(index_of("a[essay", "a"), None);
        assert_eq!(index_of("ab[x]", "a"), None);
        let form = Multipart {
            fields: vec![
                ("a[x]".into(), "1".into()),
                ("a[x]".into(), "2".into()),
                ("next".into(), "save".into()),
            ],
            files: vec![],
        };
        assert_eq!(
            form.indexed("a")["x"],
            vec!["1".to_string(), "2".to_string()]
        );
        assert_eq!(form.value("next"), Some("save"));
    }
}
