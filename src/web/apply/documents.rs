//! An applicant downloading their own upload (never a letter); every
//! download is logged.

use rocket::{get, routes, Route, State};

use crate::auth::guards::Applicant;
use crate::db::{documents, Db};
use crate::domain::access::{applicant_may_download, DocumentKind};
use crate::storage::{Storage, StorageError};
use crate::web::download::Download;
use crate::web::page::ClientIp;
use crate::web::{Error, Result};

pub fn routes() -> Vec<Route> {
    routes![download]
}

#[get("/documents/<id>")]
async fn download(
    who: Applicant,
    db: &Db,
    storage: &State<Storage>,
    ip: ClientIp,
    id: i64,
) -> Result<Download> {
    let user = who.0.user().id;
    let mut conn = db.conn().await?;
    let doc = documents::find(conn.exec(), id)
        .await?
        .ok_or(Error::NotFound)?;
    let kind = DocumentKind::parse(&doc.kind).ok_or(Error::NotFound)?;
    if !applicant_may_download(doc.owner_id, kind, user) {
        return Err(Error::NotFound);
    }
    let reader = match storage.read(&doc.storage_key).await {
        Ok(r) => r,
        Err(StorageError::NotFound) => return Err(Error::NotFound),
        Err(e) => return Err(Error::Internal(e.into())),
    };
    documents::log_view(
        conn.exec(),
        doc.id,
        Some(user),
        "applicant",
        ip.0.as_deref(),
        crate::clock::now(),
    )
    .await?;
    Ok(Download {
        reader,
        content_type: doc.content_type,
        file_name: doc.original_name,
    })
}
