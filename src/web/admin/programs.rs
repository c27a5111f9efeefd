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
use crate::db::cycles;
use crate::domain::program::ProgramId;
use crate::web::page::{invalid, render, Chrome, ClientIp};
use crate::web::program_form::{CycleLine, Details, FormView, ProgramForm};
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

#[derive(Serialize)]
struct ProgramPage {
    program: Details,
    form: FormView,
    errors: crate::web::page::FormErrors,
    cycles: Vec<CycleLine>,
}

async fn program_page(
    ctx: &Ctx,
    who: &Admin,
    id: ProgramId,
    form: impl FnOnce(&crate::domain::program::Program) -> FormView,
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
    who: Admin,
    ctx: &State<Ctx>,
    chrome: Chrome,
    id: ProgramId,
) -> Result<Template> {
    let page = program_page(ctx, &who, id, |p| FormView::stored(p, true)).await?;
    let title = page.program.name.clone();
    Ok(render("admin/program", &chrome, &title, page))
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
    let back = Redirect::to(format!("/admin/programs/{id}"));
    match programs::edit(ctx, &who.0, &ip, id, &form.input()).await {
        Ok((p, true)) => Ok(Ok(Flash::success(
            back,
            format!("The {} is saved.", p.name),
        ))),
        Ok((_, false)) => Ok(Ok(Flash::success(back, "Nothing was changed."))),
        Err(app::Error::Invalid(errors)) => {
            let page =
                program_page(ctx, &who, id, |_| FormView::typed(&form, true, errors)).await?;
            let title = page.program.name.clone();
            Ok(Err(invalid("admin/program", &chrome, &title, page)))
        }
        Err(e) => Err(e.into()),
    }
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
