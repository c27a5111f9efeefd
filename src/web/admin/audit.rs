//! The audit log for admins: every entry (see `web::audit`).

use rocket::http::Status;
use rocket::{get, routes, Either, Route, State};
use rocket_dyn_templates::Template;

use crate::app::audit::Reader;
use crate::auth::guards::Admin;
use crate::context::Ctx;
use crate::web::audit::{self, AuditQuery};
use crate::web::download::Download;
use crate::web::page::{Chrome, ClientIp};
use crate::web::Result;

pub fn routes() -> Vec<Route> {
    routes![show_audit, download_audit]
}

#[get("/audit?<q..>")]
async fn show_audit(
    _admin: Admin,
    ctx: &State<Ctx>,
    chrome: Chrome,
    q: AuditQuery,
) -> Result<(Status, Template)> {
    audit::show(ctx, &chrome, &Reader::Admin, "/admin/audit", &q).await
}

#[get("/audit.csv?<q..>")]
async fn download_audit(
    admin: Admin,
    ctx: &State<Ctx>,
    chrome: Chrome,
    ip: ClientIp,
    q: AuditQuery,
) -> Result<Either<Download, (Status, Template)>> {
    let me = admin.0.user().id;
    audit::download(ctx, &chrome, &Reader::Admin, "/admin/audit", me, &ip, &q).await
}
