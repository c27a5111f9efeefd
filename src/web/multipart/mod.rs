//! Multipart forms with files, read by the portal itself.
//!
//! Rocket's own `TempFile` writes every small network chunk to disk on its
//! own (about 120 MB/s here). This guard reads the body about 1 MiB at a
//! time into one buffer, finds the parts in place ([`scan`]) and hands each
//! piece of a file, without copying it, to a blocking thread that hashes
//! and writes it while the next piece arrives ([`sink`]), into a temporary
//! file in Rocket's `temp_dir` (the data folder's disk, so the local store
//! files it by renaming). Nothing of a file is held in memory beyond a few
//! pieces. Size limits: the whole form `data-form`, each file `file`, each
//! text field `string` (see `Rocket.toml`).

mod scan;
mod sink;

pub use sink::UPLOAD_PREFIX;

use bytes::BytesMut;
use rocket::data::{self, Data, DataStream, FromData, ToByteUnit};
use rocket::http::Status;
use rocket::Request;
use tokio::io::AsyncReadExt;

use scan::{Event, Scanner};
use sink::FileSink;

/// How much of the body is read before its parts are looked at.
const READ_CHUNK: usize = 1024 * 1024;

/// The most parts, and of them files, one form may have: far more than any
/// page of the portal sends, few enough that a crafted form of tiny parts
/// cannot make thousands of temporary files.
const MAX_PARTS: usize = 1000;
const MAX_FILES: usize = 50;

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

type Refusal = (Status, MultipartError);

fn too_large() -> Refusal {
    (Status::PayloadTooLarge, MultipartError::TooLarge)
}

fn malformed(why: impl ToString) -> Refusal {
    (
        Status::BadRequest,
        MultipartError::Malformed(why.to_string()),
    )
}

fn io_failed(e: std::io::Error) -> Refusal {
    (Status::InternalServerError, MultipartError::Io(e))
}

/// The body as it arrives, with what is read but not yet taken.
struct Body<'r> {
    stream: DataStream<'r>,
    buf: BytesMut,
    read: u64,
    limit: u64,
    eof: bool,
}

impl Body<'_> {
    /// Reads at least once, until the buffer holds `READ_CHUNK` bytes or
    /// the body ends.
    async fn fill(&mut self) -> Result<(), Refusal> {
        self.buf.reserve(READ_CHUNK);
        loop {
            // A client that stops sending mid-form has nothing to be told.
            let n = self
                .stream
                .read_buf(&mut self.buf)
                .await
                .map_err(|e| malformed(format!("the form stopped arriving: {e}")))?;
            self.read += n as u64;
            if self.read > self.limit {
                return Err(too_large());
            }
            if n == 0 {
                self.eof = true;
            }
            if n == 0 || self.buf.len() >= READ_CHUNK {
                return Ok(());
            }
        }
    }
}

/// The part being read.
enum Current {
    Text {
        name: String,
        value: Vec<u8>,
    },
    File {
        name: String,
        raw_name: String,
        sink: FileSink,
    },
}

async fn read_form(
    req: &Request<'_>,
    data: Data<'_>,
    boundary: &str,
) -> Result<Multipart, Refusal> {
    let limits = req.limits();
    let whole = limits.get("data-form").unwrap_or(2.mebibytes()).as_u64();
    let per_file = limits.get("file").unwrap_or(1.mebibytes()).as_u64();
    let per_text = limits.get("string").unwrap_or(64.kibibytes()).as_u64();
    let temp_dir = req.rocket().config().temp_dir.relative();
    // One byte more than the limit shows that it was exceeded.
    let mut body = Body {
        stream: data.open(whole.saturating_add(1).bytes()),
        buf: BytesMut::new(),
        read: 0,
        limit: whole,
        eof: false,
    };
    let mut scanner = Scanner::new(boundary);
    let mut out = Multipart {
        fields: Vec::new(),
        files: Vec::new(),
    };
    let mut current: Option<Current> = None;
    let mut parts = 0;
    loop {
        let event = match scanner.next(&mut body.buf, body.eof).map_err(malformed)? {
            Some(event) => event,
            None => {
                body.fill().await?;
                continue;
            }
        };
        match (event, &mut current) {
            (Event::Part { name, file_name }, _) => {
                parts += 1;
                if parts > MAX_PARTS || (file_name.is_some() && out.files.len() >= MAX_FILES) {
                    return Err(too_large());
                }
                current = Some(match file_name {
                    Some(raw_name) => Current::File {
                        name,
                        raw_name,
                        sink: FileSink::create(&temp_dir).map_err(io_failed)?,
                    },
                    None => Current::Text {
                        name,
                        value: Vec::new(),
                    },
                });
            }
            (Event::Data(piece), Some(Current::Text { value, .. })) => {
                value.extend_from_slice(&piece);
                if value.len() as u64 > per_text {
                    return Err(too_large());
                }
            }
            (Event::Data(piece), Some(Current::File { sink, .. })) => {
                if sink.len() + piece.len() as u64 > per_file {
                    return Err(too_large());
                }
                sink.push(piece).await.map_err(io_failed)?;
            }
            (Event::End, _) => match current.take() {
                Some(Current::Text { name, value }) => match String::from_utf8(value) {
                    Ok(text) => out.fields.push((name, text)),
                    Err(_) => return Err(malformed(format!("field {name} is not UTF-8"))),
                },
                Some(Current::File {
                    name,
                    raw_name,
                    sink,
                }) => {
                    let (path, len, sha256) = sink.finish().await.map_err(io_failed)?;
                    out.files.push(Upload {
                        field: name,
                        raw_name,
                        path,
                        len,
                        sha256,
                    });
                }
                None => unreachable!("the scanner ends only parts it began"),
            },
            (Event::Data(_), None) => unreachable!("the scanner gives content only inside a part"),
            (Event::Done, _) => return Ok(out),
        }
    }
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
            })
            .filter(|b| !b.is_empty() && b.len() <= 70);
        let Some(boundary) = boundary else {
            return data::Outcome::Error((
                Status::UnsupportedMediaType,
                MultipartError::NotMultipart,
            ));
        };
        match read_form(req, data, &boundary).await {
            Ok(form) => data::Outcome::Success(form),
            Err(refusal) => data::Outcome::Error(refusal),
        }
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
