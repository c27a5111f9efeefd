//! The admin's programs: the list (kind, cycles, listing, archived), a new
//! program, a program's page with its details to edit (the short name
//! too), its cycles, and archiving. Saving is `app::programs`'s.

use rocket::form::Form;
use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use rocket::{get, post, routes, FromForm, Route, State};
use rocket_dyn_templates::Template;
use serde::Serialize;

use crate::app::{self, programs};
use crate::auth::guards::Admin;
use crate::context::Ctx;
use crate::domain::program::ProgramId;
use crate::web::page::{invalid, render, Chrome, ClientIp};
use crate::web::program_form::{self, Details, Editor, FormView, ProgramForm};
use crate::web::{told, Result};

/// Routes mounted at `/admin`.
pub fn routes() -> Vec<Route> {
    routes![
        list_programs,
        new_program,
        create_program,
        show_program,
        edit_program,
        archive_program
    ]
}

#[derive(Serialize)]
struct ProgramLine {
    #[serde(flatten)]
    details: Details,
    cycles: i64,
}

#[derive(Serialize)]
struct ListPage {
    programs: Vec<ProgramLine>,
}

#[get("/programs")]
async fn list_programs(who: Admin, ctx: &State<Ctx>, chrome: Chrome) -> Result<Template> {
    let programs = programs::overview(ctx, &who)
        .await?
        .into_iter()
        .map(|o| ProgramLine {
            details: Details::of(&o.program),
            cycles: o.cycles,
        })
        .collect();
    Ok(render(
        "admin/programs",
        &chrome,
        "Programs",
        ListPage { programs },
    ))
}

#[derive(Serialize)]
struct NewPage {
    form: FormView,
    errors: crate::web::page::FormErrors,
}

#[get("/programs/new")]
fn new_program(_who: Admin, chrome: Chrome) -> Template {
    render(
        "admin/program_new",
        &chrome,
        "New program",
        NewPage {
            form: FormView::blank(),
            errors: Default::default(),
        },
    )
}

#[post("/programs", data = "<form>")]
async fn create_program(
    who: Admin,
    ctx: &State<Ctx>,
    chrome: Chrome,
    ip: ClientIp,
    form: Form<ProgramForm>,
) -> Result<std::result::Result<Flash<Redirect>, (Status, Template)>> {
    match programs::create(ctx, &who, &ip, &form.input()).await {
        Ok(p) => Ok(Ok(Flash::success(
            Redirect::to(format!("/admin/programs/{}", p.id)),
            format!(
                "The {} is created. Grant its managers on the users and roles page.",
                p.name
            ),
        ))),
        Err(app::Error::Invalid(errors)) => {
            let page = NewPage {
                form: FormView::typed(&form, true, errors.clone()),
                errors,
            };
            Ok(Err(invalid(
                "admin/program_new",
                &chrome,
                "New program",
                page,
            )))
        }
        Err(e) => Err(e.into()),
    }
}

/// The admin's page of a program.
const EDITOR: Editor = Editor {
    template: "admin/program",
    base: "/admin/programs",
    slug_editable: true,
};

#[get("/programs/<id>")]
async fn show_program(
    who: Admin,
    ctx: &State<Ctx>,
    chrome: Chrome,
    id: ProgramId,
) -> Result<Template> {
    program_form::show(ctx, &who.0, &chrome, id, EDITOR).await
}

#[post("/programs/<id>", data = "<form>")]
async fn edit_program(
    who: Admin,
    ctx: &State<Ctx>,
    chrome: Chrome,
    ip: ClientIp,
    id: ProgramId,
    form: Form<ProgramForm>,
) -> Result<std::result::Result<Flash<Redirect>, (Status, Template)>> {
    program_form::save(ctx, &who.0, &ip, &chrome, id, &form, EDITOR).await
}

#[derive(FromForm)]
struct ArchiveForm {
    /// `yes` to archive, `no` to bring back.
    #[field(default = String::new())]
    archive: String,
}

#[post("/programs/<id>/archive", data = "<form>")]
async fn archive_program(
    who: Admin,
    ctx: &State<Ctx>,
    ip: ClientIp,
    id: ProgramId,
    form: Form<ArchiveForm>,
) -> Result<Flash<Redirect>> {
    let archive = form.archive != "no";
    let outcome = programs::set_archived(ctx, &who, &ip, id, archive).await;
    told(
        outcome,
        Redirect::to(format!("/admin/programs/{id}")),
        |p| {
            if archive {
                format!(
                    "The {} is archived: it is no longer listed and takes no new applications.",
                    p.name
                )
            } else {
                format!("The {} is back: it takes applications again.", p.name)
            }
        },
    )
}
