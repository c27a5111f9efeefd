//! Adding a staff note to an application (see `app::notes`): back to the
//! application's page, or the page again with the mistake next to the
//! note (422), what was typed kept.

use rocket::form::Form;
use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use rocket::{post, routes, Either, FromForm, Route, State};
use rocket_dyn_templates::Template;

use super::application::{refuse_note, RefusedNote};
use crate::app;
use crate::auth::guards::Manager;
use crate::context::Ctx;
use crate::domain::application::ApplicationId;
use crate::web::page::{Chrome, ClientIp};
use crate::web::Result;

pub fn routes() -> Vec<Route> {
    routes![add_note]
}

#[derive(FromForm)]
struct NoteForm {
    #[field(default = String::new())]
    note: String,
    #[field(default = false)]
    for_reviewers: bool,
}

#[post("/applications/<id>/notes", data = "<form>")]
async fn add_note(
    who: Manager,
    ctx: &State<Ctx>,
    chrome: Chrome,
    ip: ClientIp,
    id: ApplicationId,
    form: Form<NoteForm>,
) -> Result<Either<Flash<Redirect>, (Status, Template)>> {
    match app::notes::add(ctx, &who, &ip, id, &form.note, form.for_reviewers).await {
        Ok(()) => Ok(Either::Left(Flash::success(
            Redirect::to(format!("/manage/applications/{id}#notes-h")),
            if form.for_reviewers {
                "The note is added; the application's reviewers see it too."
            } else {
                "The note is added, for the program team only."
            },
        ))),
        Err(app::Error::Invalid(errors)) => {
            let refused = RefusedNote {
                body: form.note.clone(),
                for_reviewers: form.for_reviewers,
                errors,
            };
            Ok(Either::Right(
                refuse_note(&who, ctx, &chrome, id, refused).await?,
            ))
        }
        Err(e) => Err(e.into()),
    }
}
