//! The audit log for managers: the entries filed under the programs they
//! manage (see `web::audit`).

use rocket::http::Status;
use rocket::{get, routes, Either, Route, State};
use rocket_dyn_templates::Template;

use crate::app::audit::Reader;
use crate::auth::guards::Manager;
use crate::context::Ctx;
use crate::domain::role::ProgramRole;
use crate::web::audit::{self, AuditQuery};
use crate::web::download::Download;
use crate::web::page::{Chrome, ClientIp};
use crate::web::Result;

pub fn routes() -> Vec<Route> {
    routes![show_audit, download_audit]
}

/// The manager's programs.
fn reader(who: &Manager) -> Reader {
    Reader::Manager {
        programs: who
            .0
            .roles()
            .grants
            .iter()
            .filter(|g| g.role == ProgramRole::Manager)
            .map(|g| g.program_id)
            .collect(),
        me: who.0.user().id,
    }
}

#[get("/audit?<q..>")]
async fn show_audit(
    who: Manager,
    ctx: &State<Ctx>,
    chrome: Chrome,
    q: AuditQuery,
) -> Result<(Status, Template)> {
    audit::show(ctx, &chrome, &reader(&who), "/manage/audit", &q).await
}

#[get("/audit.csv?<q..>")]
async fn download_audit(
    who: Manager,
    ctx: &State<Ctx>,
    chrome: Chrome,
    ip: ClientIp,
    q: AuditQuery,
) -> Result<Either<Download, (Status, Template)>> {
    let me = who.0.user().id;
    audit::download(ctx, &chrome, &reader(&who), "/manage/audit", me, &ip, &q).await
}
