//! Screening an application (eligible to review, or ineligible with a
//! reason the applicant sees only if shared) and the manager's other stage
//! moves: start screening, send to committee. The moves are
//! `app::screening`'s.

use rocket::form::Form;
use rocket::response::{Flash, Redirect};
use rocket::{post, routes, FromForm, Route, State};

use super::application::back;
use crate::app::screening::{self, ManagerMove, Screening, ScreeningForm};
use crate::auth::guards::Manager;
use crate::context::Ctx;
use crate::domain::application::ApplicationId;
use crate::web::page::ClientIp;
use crate::web::{told, Result};

pub fn routes() -> Vec<Route> {
    routes![screen_application, move_application]
}

#[derive(FromForm)]
struct ScreenForm {
    #[field(default = String::new())]
    outcome: String,
    #[field(default = String::new())]
    reason: String,
    #[field(default = String::new())]
    note: String,
    #[field(default = false)]
    share: bool,
}

impl<'a> From<&'a ScreenForm> for ScreeningForm<'a> {
    fn from(f: &'a ScreenForm) -> Self {
        Self {
            outcome: &f.outcome,
            reason: &f.reason,
            note: &f.note,
            share: f.share,
        }
    }
}

/// Eligible moves the application to review; ineligible needs a reason
/// from the list, and the applicant sees the reason only if shared.
#[post("/applications/<id>/screen", data = "<form>")]
async fn screen_application(
    who: Manager,
    ctx: &State<Ctx>,
    ip: ClientIp,
    id: ApplicationId,
    form: Form<ScreenForm>,
) -> Result<Flash<Redirect>> {
    let outcome = screening::screen(ctx, &who, &ip, id, &(&*form).into()).await;
    told(outcome, back(id), |s| {
        match s {
            Screening::Ineligible { .. } => "Marked ineligible.",
            Screening::Eligible => "Marked eligible: the application is now in review.",
        }
        .to_owned()
    })
}

#[derive(FromForm)]
struct MoveForm {
    #[field(default = String::new())]
    r#move: String,
    #[field(default = String::new())]
    note: String,
}

/// Starts screening or sends the application to the committee.
#[post("/applications/<id>/move", data = "<form>")]
async fn move_application(
    who: Manager,
    ctx: &State<Ctx>,
    ip: ClientIp,
    id: ApplicationId,
    form: Form<MoveForm>,
) -> Result<Flash<Redirect>> {
    let mv = ManagerMove::parse(&form.r#move);
    let outcome = screening::move_application(ctx, &who, &ip, id, mv, &form.note).await;
    told(outcome, back(id), |to| format!("Moved to: {}.", to.label()))
}
