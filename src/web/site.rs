//! The site's own files outside `/static`: the logo an admin uploaded
//! (`/site/logo/<hash>.<ext>`, kept for a year: its address changes with
//! it) and `/favicon.ico` for clients that ask for it by that name (a
//! redirect to the drawn SVG icon the layout links).

use std::sync::Arc;

use rocket::http::{ContentType, Header};
use rocket::response::{Redirect, Responder};
use rocket::{get, routes, Route, State};

use super::assets::{Assets, IMMUTABLE};
use super::Result;
use crate::app::site::{self, logo_path};
use crate::context::Ctx;

/// Routes mounted at `/`.
pub fn routes() -> Vec<Route> {
    routes![show_logo, favicon]
}

/// The logo's bytes, with its type and cache headers; served as an image
/// only (no sniffing, no script: the security headers' CSP applies).
#[derive(Responder)]
struct Logo {
    bytes: Vec<u8>,
    kind: ContentType,
    cache: Header<'static>,
}

#[get("/site/logo/<name>")]
async fn show_logo(ctx: &State<Ctx>, name: &str) -> Result<Option<Logo>> {
    let Some((kind, bytes, sha)) = site::logo(ctx).await? else {
        return Ok(None);
    };
    // Only the current logo's address answers: an old one is gone.
    if logo_path(kind, &sha) != format!("/site/logo/{name}") {
        return Ok(None);
    }
    let mime = ContentType::parse_flexible(kind.mime()).unwrap_or(ContentType::Binary);
    Ok(Some(Logo {
        bytes,
        kind: mime,
        cache: Header::new("Cache-Control", IMMUTABLE),
    }))
}

#[get("/favicon.ico")]
fn favicon(assets: &State<Arc<Assets>>) -> Redirect {
    Redirect::moved(assets.url("favicon.svg"))
}
