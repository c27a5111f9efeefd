//! A program's page for its managers: its details with the form to edit
//! them (not the short name, which is an admin's), and its cycles with
//! links to each. A manager of another program gets 404. Saving is
//! `app::programs`'s.

use rocket::form::Form;
use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use rocket::{get, post, routes, Route, State};
use rocket_dyn_templates::Template;
use serde::Serialize;

use crate::app::{self, programs};
use crate::auth::guards::Manager;
use crate::context::Ctx;
use crate::db::cycles;
use crate::domain::program::{Program, ProgramId};
use crate::web::page::{invalid, render, Chrome, ClientIp, FormErrors};
use crate::web::program_form::{CycleLine, Details, FormView, ProgramForm};
use crate::web::Result;

pub fn routes() -> Vec<Route> {
    routes![show_program, edit_program]
}

#[derive(Serialize)]
struct ProgramPage {
    program: Details,
    form: FormView,
    errors: FormErrors,
    cycles: Vec<CycleLine>,
}

async fn program_page(
    ctx: &Ctx,
    who: &Manager,
    id: ProgramId,
    form: impl FnOnce(&Program) -> FormView,
) -> Result<ProgramPage> {
    let p = programs::program_for_editor(ctx, &who.0, id).await?;
    let mut conn = ctx.conn().await?;
    let cycles = cycles::for_programs(conn.exec(), &[id])
        .await?
        .into_iter()
        .map(CycleLine::of)
        .collect();
    let form = form(&p);
    Ok(ProgramPage {
        program: Details::of(&p),
        errors: form.errors.clone(),
        form,
        cycles,
    })
}

#[get("/programs/<id>")]
async fn show_program(
    who: Manager,
    ctx: &State<Ctx>,
    chrome: Chrome,
    id: ProgramId,
) -> Result<Template> {
    let page = program_page(ctx, &who, id, |p| FormView::stored(p, false)).await?;
    let title = page.program.name.clone();
    Ok(render("manage/program", &chrome, &title, page))
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
    let back = Redirect::to(format!("/manage/programs/{id}"));
    match programs::edit(ctx, &who.0, &ip, id, &form.input()).await {
        Ok((p, true)) => Ok(Ok(Flash::success(
            back,
            format!("The {} is saved.", p.name),
        ))),
        Ok((_, false)) => Ok(Ok(Flash::success(back, "Nothing was changed."))),
        Err(app::Error::Invalid(errors)) => {
            let page =
                program_page(ctx, &who, id, |_| FormView::typed(&form, false, errors)).await?;
            let title = page.program.name.clone();
            Ok(Err(invalid("manage/program", &chrome, &title, page)))
        }
        Err(e) => Err(e.into()),
    }
}
