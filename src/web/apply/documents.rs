//! An applicant downloading their own upload (never a letter); every
//! download is logged, whether streamed or sent through a link.

use rocket::response::Redirect;
use rocket::{get, routes, Either, Route, State};

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
) -> Result<Either<Redirect, Download>> {
    let user = who.0.user().id;
    let mut conn = db.conn().await?;
    let doc = documents::find(conn.exec(), id)
        .await?
        .ok_or(Error::NotFound)?;
    let kind = DocumentKind::parse(&doc.kind).ok_or(Error::NotFound)?;
    if !applicant_may_download(doc.owner_id, kind, user) {
        return Err(Error::NotFound);
    }
    // On S3 the browser fetches the bytes itself from a short-lived link;
    // from the local folder they are streamed through here.
    let link = storage
        .link(&doc.storage_key, &doc.original_name, &doc.content_type)
        .await
        .map_err(anyhow::Error::from)?;
    let response = match link {
        Some(url) => Either::Left(Redirect::to(url)),
        None => {
            let reader = match storage.read(&doc.storage_key).await {
                Ok(r) => r,
                Err(StorageError::NotFound) => return Err(Error::NotFound),
                Err(e) => return Err(Error::Internal(e.into())),
            };
            Either::Right(Download {
                reader,
                content_type: doc.content_type.clone(),
                file_name: doc.original_name.clone(),
            })
        }
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
    Ok(response)
}
