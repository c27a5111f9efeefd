//! The web layer: routes grouped by audience, each module exposing
//! `routes()`, all mounted here so the URL map reads at a glance; page
//! contexts; the one error type; catchers; security headers.
//!
//! A handler parses the request into a typed input, calls one use case of
//! [`crate::app`] (or, to show a page, reads through it), then redirects
//! or renders. Nothing here opens a transaction or writes SQL.

pub mod account;
pub mod admin;
pub mod apply;
pub mod assets;
pub mod audit;
pub mod chart;
pub mod compress;
pub mod dossier;
pub mod download;
pub mod error;
pub mod headers;
mod ids;
pub mod invitations;
pub mod manage;
pub mod multipart;
pub mod observe;
pub mod page;
pub mod pager;
pub mod program_form;
pub mod public;
pub mod referee;
pub mod reminders;
pub mod review;
pub mod site;
pub mod templates;
pub mod upload;

use rocket::fairing::AdHoc;

pub use error::{Error, Result};

/// The redirect after a use case: to `to` with the success message made
/// from its result, or with what it refused in the person's words; any
/// other error becomes the error page.
pub fn told<T>(
    outcome: crate::app::Result<T>,
    to: rocket::response::Redirect,
    said: impl FnOnce(T) -> String,
) -> Result<rocket::response::Flash<rocket::response::Redirect>> {
    use rocket::response::Flash;
    match outcome {
        Ok(done) => Ok(Flash::success(to, said(done))),
        Err(crate::app::Error::Refused(message)) => Ok(Flash::error(to, message)),
        Err(crate::app::Error::Invalid(errors)) => Ok(Flash::error(to, errors.in_words())),
        Err(e) => Err(e.into()),
    }
}

/// The URL map.
pub fn stage(assets: std::sync::Arc<assets::Assets>) -> AdHoc {
    AdHoc::on_ignite("Web", move |rocket| async move {
        rocket
            .manage(assets)
            .mount("/", observe::traced(public::routes()))
            .mount("/", observe::traced(site::routes()))
            .mount("/account", observe::traced(account::routes()))
            .mount("/admin", observe::traced(admin::routes()))
            .mount("/apply", observe::traced(apply::routes()))
            .mount("/referee", observe::traced(referee::routes()))
            .mount("/mail", observe::traced(reminders::routes()))
            .mount("/review", observe::traced(review::routes()))
            .mount("/manage", observe::traced(manage::routes()))
            .mount("/", observe::traced(observe::routes()))
            .mount("/static", assets::routes())
            .register("/", error::catchers())
            .attach(observe::RequestLog)
            .attach(headers::SecurityHeaders)
            .attach(crate::auth::csrf::CsrfFairing)
            .attach(compress::Compression)
    })
}
