//! An applicant downloading their own upload (never a letter); every
//! download is logged, whether streamed or sent through a link.

use crate::domain::document::DocumentId;
use rocket::response::Redirect;
use rocket::{get, routes, Either, Route, State};

use crate::app::applying::{self, Fetched};
use crate::auth::guards::Applicant;
use crate::context::Ctx;
use crate::web::download::Download;
use crate::web::page::ClientIp;
use crate::web::Result;

pub fn routes() -> Vec<Route> {
    routes![download]
}

#[get("/documents/<id>")]
async fn download(
    who: Applicant,
    ctx: &State<Ctx>,
    ip: ClientIp,
    id: DocumentId,
) -> Result<Either<Redirect, Download>> {
    let (doc, fetched) = applying::download_own(ctx, &who, &ip, id).await?;
    Ok(match fetched {
        Fetched::Link(url) => Either::Left(Redirect::to(url)),
        Fetched::Stream(reader) => Either::Right(Download {
            reader,
            content_type: doc.content_type,
            file_name: doc.original_name,
        }),
    })
}
