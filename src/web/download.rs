//! Sending a stored document to someone allowed to have it: streamed from
//! storage, as an attachment with a safe file name.

use rocket::http::{ContentType, Header, Status};
use rocket::response::{self, Responder, Response};
use rocket::Request;

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
/// a copy with its metadata removed.
pub enum Sent {
    Link(rocket::response::Redirect),
    Stream(Download),
    Cleaned {
        bytes: Vec<u8>,
        content_type: String,
        file_name: String,
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
                    .sized_body(bytes.len(), std::io::Cursor::new(bytes))
                    .ok()
            }
        }
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
/// this server with the document's metadata removed (PDF: info dictionary
/// and XMP); otherwise S3 serves them from a signed link and the local
/// folder streams them.
pub async fn send(
    storage: &crate::storage::Storage,
    doc: &crate::db::documents::Document,
    file_name: &str,
    clean: bool,
) -> Result<Sent, SendError> {
    use crate::storage::StorageError;
    if clean {
        let mut reader = match storage.read(&doc.storage_key).await {
            Err(StorageError::NotFound) => return Err(SendError::Missing),
            r => r?,
        };
        let mut bytes = Vec::with_capacity(usize::try_from(doc.size_bytes).unwrap_or(0));
        tokio::io::AsyncReadExt::read_to_end(&mut reader, &mut bytes).await?;
        // Unpacking and rewriting is CPU work: off the async workers.
        let content_type = doc.content_type.clone();
        let bytes = tokio::task::spawn_blocking(move || {
            crate::domain::metadata::strip(&content_type, bytes)
        })
        .await
        .map_err(|e| std::io::Error::other(e.to_string()))?
        .map_err(|e| SendError::Unclean(e.to_string()))?;
        return Ok(Sent::Cleaned {
            bytes,
            content_type: doc.content_type.clone(),
            file_name: file_name.to_owned(),
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
