//! A program's page for its managers: its details with the form to edit
//! them (not the short name, which is an admin's), and its cycles with
//! links to each. A manager of another program gets 404. Saving is
//! `app::programs`'s.

use rocket::form::Form;
use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use rocket::{get, post, routes, Route, State};
use rocket_dyn_templates::Template;

use crate::auth::guards::Manager;
use crate::context::Ctx;
use crate::domain::program::ProgramId;
use crate::web::page::{Chrome, ClientIp};
use crate::web::program_form::{self, Editor, ProgramForm};
use crate::web::Result;

pub fn routes() -> Vec<Route> {
    routes![show_program, edit_program]
}

/// The managers' page of a program.
const EDITOR: Editor = Editor {
    template: "manage/program",
    base: "/manage/programs",
    slug_editable: false,
};

#[get("/programs/<id>")]
async fn show_program(
    who: Manager,
    ctx: &State<Ctx>,
    chrome: Chrome,
    id: ProgramId,
) -> Result<Template> {
    program_form::show(ctx, &who.0, &chrome, id, EDITOR).await
}

#[post("/programs/<id>", data = "<form>")]
async fn edit_program(
    who: Manager,
    ctx: &State<Ctx>,
    chrome: Chrome,
    ip: ClientIp,
    id: ProgramId,
    form: Form<ProgramForm>,
) -> Result<std::result::Result<Flash<Redirect>, (Status, Template)>> {
    program_form::save(ctx, &who.0, &ip, &chrome, id, &form, EDITOR).await
}
