//! A program's invitations, for its managers: invite reviewers and
//! managers by email, send an invitation again, revoke it. A manager of
//! another program gets 404. The page is `web::invitations`'.

use rocket::form::Form;
use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use rocket::{get, post, routes, Route, State};
use rocket_dyn_templates::Template;

use crate::auth::guards::Manager;
use crate::context::Ctx;
use crate::domain::invitation::InvitationId;
use crate::domain::program::ProgramId;
use crate::web::invitations::{self, BackForm, Desk, InviteForm};
use crate::web::page::{Chrome, ClientIp};
use crate::web::{Error, Result};

pub fn routes() -> Vec<Route> {
    routes![
        show_invitations,
        invite,
        resend_invitation,
        revoke_invitation
    ]
}

/// The desk of program `id`, if `who` manages it.
async fn desk(ctx: &Ctx, who: &Manager, id: ProgramId) -> Result<Desk> {
    if !who.0.roles().can_manage(id) {
        return Err(Error::NotFound);
    }
    let mut conn = ctx.conn().await?;
    let program = crate::db::programs::find(conn.exec(), id)
        .await?
        .ok_or(Error::NotFound)?;
    Ok(Desk {
        program: Some(program),
        base: format!("/manage/programs/{id}/invitations"),
        actions: "/manage/invitations",
    })
}

#[get("/programs/<id>/invitations?<page>")]
async fn show_invitations(
    who: Manager,
    ctx: &State<Ctx>,
    chrome: Chrome,
    id: ProgramId,
    page: Option<i64>,
) -> Result<Template> {
    let desk = desk(ctx, &who, id).await?;
    invitations::show(ctx, &chrome, &desk, page).await
}

#[post("/programs/<id>/invitations", data = "<form>")]
async fn invite(
    who: Manager,
    ctx: &State<Ctx>,
    chrome: Chrome,
    ip: ClientIp,
    id: ProgramId,
    form: Form<InviteForm>,
) -> Result<std::result::Result<Flash<Redirect>, (Status, Template)>> {
    let desk = desk(ctx, &who, id).await?;
    invitations::invite(ctx, &who.0, &ip, &chrome, &desk, &form).await
}

#[post("/invitations/<id>/resend", data = "<form>")]
async fn resend_invitation(
    who: Manager,
    ctx: &State<Ctx>,
    ip: ClientIp,
    id: InvitationId,
    form: Form<BackForm>,
) -> Result<Flash<Redirect>> {
    invitations::answer(ctx, &who.0, &ip, id, &form, true).await
}

#[post("/invitations/<id>/revoke", data = "<form>")]
async fn revoke_invitation(
    who: Manager,
    ctx: &State<Ctx>,
    ip: ClientIp,
    id: InvitationId,
    form: Form<BackForm>,
) -> Result<Flash<Redirect>> {
    invitations::answer(ctx, &who.0, &ip, id, &form, false).await
}
