//! The web layer: routes grouped by audience, each module exposing
//! `routes()`, all mounted here so the URL map reads at a glance; page
//! contexts; the one error type; catchers; security headers.
//!
//! Handlers parse, call the domain, call `db`, then redirect or render.
//! Nothing here writes SQL.

pub mod account;
pub mod admin;
pub mod apply;
pub mod dossier;
pub mod download;
pub mod error;
pub mod headers;
pub mod manage;
pub mod multipart;
pub mod page;
pub mod pager;
pub mod public;
pub mod referee;
pub mod review;
pub mod upload;

use rocket::fairing::AdHoc;
use rocket::fs::FileServer;

pub use error::{Error, Result};

/// The URL map.
pub fn stage(static_dir: std::path::PathBuf) -> AdHoc {
    AdHoc::on_ignite("Web", move |rocket| async move {
        rocket
            .mount("/", public::routes())
            .mount("/account", account::routes())
            .mount("/admin", admin::routes())
            .mount("/apply", apply::routes())
            .mount("/referee", referee::routes())
            .mount("/review", review::routes())
            .mount("/manage", manage::routes())
            .mount("/static", FileServer::from(static_dir).rank(20))
            .register("/", error::catchers())
            .attach(headers::SecurityHeaders)
            .attach(crate::auth::csrf::CsrfFairing)
    })
}
