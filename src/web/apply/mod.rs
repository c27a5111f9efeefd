//! The applicant's area, mounted at `/apply`: open cycles, eligibility,
//! the form section by section, documents, referees, review and submit,
//! status, withdrawal, profile and demographics.
//!
//! Every handler takes the `Applicant` guard and loads applications only
//! through [`crate::app::access::owned_application`], which answers 404
//! for anybody else's.

mod documents;
mod offer;
mod profile;
mod progress;
mod referees;
mod section;
mod start;
pub mod stash;
mod submit;
pub(crate) mod view;

use rocket::Route;

/// Routes mounted at `/apply`.
pub fn routes() -> Vec<Route> {
    let mut routes = start::routes();
    routes.extend(section::routes());
    routes.extend(submit::routes());
    routes.extend(referees::routes());
    routes.extend(documents::routes());
    routes.extend(profile::routes());
    routes.extend(offer::routes());
    routes
}

pub use crate::app::access::Owned;
