//! An applicant's documents: uploads staged for recording, and
//! downloading their own.

use crate::auth::guards::{Applicant, ClientIp};
use crate::context::Ctx;
use crate::db::documents::{self, Document};
use crate::domain::access::{applicant_may_download, DocumentKind};
use crate::domain::document::DocumentId;
use crate::storage::{Reader, StorageError, Stored};

use super::super::{Error, Result};

/// An upload already in storage, checked, waiting to be recorded.
pub struct Staged {
    pub stored: Stored,
    /// The file name made safe to store and show.
    pub name: String,
    pub content_type: String,
}
/// How a document reaches the browser.
pub enum Fetched {
    /// A short-lived link the browser follows (S3).
    Link(String),
    /// The bytes, streamed through the portal (local folder).
    Stream(Reader),
}

/// Opens `who`'s own upload `id` (never a letter) and logs the download.
/// Not found for anybody else's document or one missing from storage.
#[tracing::instrument(skip_all, fields(id = %id))]
pub async fn download_own(
    ctx: &Ctx,
    who: &Applicant,
    ip: &ClientIp,
    id: DocumentId,
) -> Result<(Document, Fetched)> {
    let user = who.0.user().id;
    let mut conn = ctx.conn().await?;
    let doc = documents::find(conn.exec(), id)
        .await?
        .ok_or(Error::NotFound)?;
    let kind = DocumentKind::parse(&doc.kind).ok_or(Error::NotFound)?;
    if !applicant_may_download(doc.owner_id, kind, user) {
        return Err(Error::NotFound);
    }
    // On S3 the browser fetches the bytes itself from a short-lived link;
    // from the local folder they are streamed through the portal.
    let link = ctx
        .store
        .link(&doc.storage_key, &doc.original_name, &doc.content_type)
        .await
        .map_err(anyhow::Error::from)?;
    let fetched = match link {
        Some(url) => Fetched::Link(url),
        None => match ctx.store.read(&doc.storage_key).await {
            Ok(r) => Fetched::Stream(r),
            Err(StorageError::NotFound) => return Err(Error::NotFound),
            Err(e) => return Err(e.into()),
        },
    };
    documents::log_view(
        conn.exec(),
        doc.id,
        Some(user),
        "applicant",
        ip.as_deref(),
        ctx.now(),
    )
    .await?;
    Ok((doc, fetched))
}
