//! Every program's invitations, for the admin: invite reviewers and
//! managers of any program by email, send an invitation again, revoke
//! it. The page is `web::invitations`'.

use rocket::form::Form;
use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use rocket::{get, post, routes, Route, State};
use rocket_dyn_templates::Template;

use crate::auth::guards::Admin;
use crate::context::Ctx;
use crate::domain::invitation::InvitationId;
use crate::web::invitations::{self, BackForm, Desk, InviteForm};
use crate::web::page::{Chrome, ClientIp};
use crate::web::Result;

pub fn routes() -> Vec<Route> {
    routes![
        show_invitations,
        invite,
        resend_invitation,
        revoke_invitation
    ]
}

/// The admin's desk: every program.
fn desk() -> Desk {
    Desk {
        program: None,
        base: "/admin/invitations".into(),
        actions: "/admin/invitations",
    }
}

#[get("/invitations?<page>")]
async fn show_invitations(
    _admin: Admin,
    ctx: &State<Ctx>,
    chrome: Chrome,
    page: Option<i64>,
) -> Result<Template> {
    invitations::show(ctx, &chrome, &desk(), page).await
}

#[post("/invitations", data = "<form>")]
async fn invite(
    who: Admin,
    ctx: &State<Ctx>,
    chrome: Chrome,
    ip: ClientIp,
    form: Form<InviteForm>,
) -> Result<std::result::Result<Flash<Redirect>, (Status, Template)>> {
    invitations::invite(ctx, &who.0, &ip, &chrome, &desk(), &form).await
}

#[post("/invitations/<id>/resend", data = "<form>")]
async fn resend_invitation(
    who: Admin,
    ctx: &State<Ctx>,
    ip: ClientIp,
    id: InvitationId,
    form: Form<BackForm>,
) -> Result<Flash<Redirect>> {
    invitations::answer(ctx, &who.0, &ip, id, &form, true).await
}

#[post("/invitations/<id>/revoke", data = "<form>")]
async fn revoke_invitation(
    who: Admin,
    ctx: &State<Ctx>,
    ip: ClientIp,
    id: InvitationId,
    form: Form<BackForm>,
) -> Result<Flash<Redirect>> {
    invitations::answer(ctx, &who.0, &ip, id, &form, false).await
}
