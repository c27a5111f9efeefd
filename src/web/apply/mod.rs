//! The applicant's area, mounted at `/apply`: open cycles, eligibility,
//! the form section by section, documents, referees, review and submit,
//! status, withdrawal, profile and demographics.
//!
//! Every handler takes the `Applicant` guard and loads applications only
//! through [`load_owned`], which answers 404 for anybody else's.

mod documents;
mod offer;
mod profile;
mod referees;
mod section;
mod start;
mod submit;
pub(crate) mod view;

use rocket::Route;

use crate::auth::guards::Applicant;
use crate::db::applications::{self, Application};
use crate::db::cycles::{self, CycleWithForm};
use crate::db::programs;
use crate::domain::access;
use crate::domain::program::Program;
use crate::web::{Error, Result};

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

/// An application with its cycle, form and program, as its owner sees it.
pub struct Owned {
    pub application: Application,
    pub cycle: CycleWithForm,
    pub program: Program,
}

/// Loads application `id` through `conn` if `who` owns it; 404 otherwise.
pub async fn load_owned(conn: &mut crate::db::Conn, who: &Applicant, id: i64) -> Result<Owned> {
    let application = applications::find(conn.exec(), id)
        .await?
        .ok_or(Error::NotFound)?;
    if !access::applicant_may_open(application.applicant_id, who.0.user().id) {
        return Err(Error::NotFound);
    }
    let cycle = cycles::find(conn.exec(), application.cycle_id)
        .await?
        .ok_or(Error::NotFound)?;
    let program = programs::find(conn.exec(), cycle.cycle.program_id)
        .await?
        .ok_or(Error::NotFound)?;
    Ok(Owned {
        application,
        cycle,
        program,
    })
}
