//! A cycle's labels (`/manage/cycles/<id>/labels`): made, counted and
//! removed there; put on an application from its page. The work is
//! `app::labels`'.

use rocket::form::Form;
use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use rocket::{get, post, routes, Either, FromForm, Route, State};
use rocket_dyn_templates::Template;
use serde::Serialize;

use crate::app::{self, access::cycle_for_manager};
use crate::auth::guards::Manager;
use crate::context::Ctx;
use crate::domain::application::ApplicationId;
use crate::domain::cycle::CycleId;
use crate::web::page::{invalid, render, Chrome, ClientIp, FormErrors};
use crate::web::{told, Result};

pub fn routes() -> Vec<Route> {
    routes![show_labels, create_label, remove_label, set_labels]
}

#[derive(Serialize)]
struct LabelRow {
    id: i64,
    name: String,
    applications: i64,
}

#[derive(Serialize)]
struct LabelsPage {
    cycle_id: CycleId,
    cycle_name: String,
    labels: Vec<LabelRow>,
    name: String,
    max: usize,
    errors: FormErrors,
}

async fn page(
    ctx: &Ctx,
    who: &Manager,
    id: CycleId,
    name: &str,
    errors: FormErrors,
) -> Result<LabelsPage> {
    let c = cycle_for_manager(ctx, who, id).await?;
    let mut conn = ctx.conn().await?;
    let labels = crate::db::labels::of_cycle(conn.exec(), id).await?;
    Ok(LabelsPage {
        cycle_id: id,
        cycle_name: c.cycle.name,
        labels: labels
            .into_iter()
            .map(|l| LabelRow {
                id: l.id,
                name: l.name,
                applications: l.applications,
            })
            .collect(),
        name: name.trim().to_owned(),
        max: app::labels::MAX_NAME_CHARS,
        errors,
    })
}

#[get("/cycles/<id>/labels")]
async fn show_labels(
    who: Manager,
    ctx: &State<Ctx>,
    chrome: Chrome,
    id: CycleId,
) -> Result<Template> {
    let view = page(ctx, &who, id, "", FormErrors::default()).await?;
    let title = format!("Labels – {}", view.cycle_name);
    Ok(render("manage/labels", &chrome, &title, view))
}

#[derive(FromForm)]
struct NameForm {
    #[field(default = String::new())]
    name: String,
}

#[post("/cycles/<id>/labels", data = "<form>")]
async fn create_label(
    who: Manager,
    ctx: &State<Ctx>,
    chrome: Chrome,
    ip: ClientIp,
    id: CycleId,
    form: Form<NameForm>,
) -> Result<Either<Flash<Redirect>, (Status, Template)>> {
    match app::labels::create(ctx, &who, &ip, id, &form.name).await {
        Ok(name) => Ok(Either::Left(Flash::success(
            Redirect::to(format!("/manage/cycles/{id}/labels")),
            format!("The label “{name}” is made. Put it on applications from their pages."),
        ))),
        Err(app::Error::Invalid(errors)) => {
            let view = page(ctx, &who, id, &form.name, errors).await?;
            let title = format!("Labels – {}", view.cycle_name);
            Ok(Either::Right(invalid(
                "manage/labels",
                &chrome,
                &title,
                view,
            )))
        }
        Err(e) => Err(e.into()),
    }
}

#[post("/cycles/<id>/labels/<label>/remove")]
async fn remove_label(
    who: Manager,
    ctx: &State<Ctx>,
    ip: ClientIp,
    id: CycleId,
    label: i64,
) -> Result<Flash<Redirect>> {
    let back = Redirect::to(format!("/manage/cycles/{id}/labels"));
    let outcome = app::labels::remove(ctx, &who, &ip, id, label).await;
    told(outcome, back, |name| {
        format!("The label “{name}” is removed, from every application too.")
    })
}

#[derive(FromForm)]
struct SetForm {
    #[field(default = Vec::new())]
    label: Vec<i64>,
}

#[post("/applications/<id>/labels", data = "<form>")]
async fn set_labels(
    who: Manager,
    ctx: &State<Ctx>,
    ip: ClientIp,
    id: ApplicationId,
    form: Form<SetForm>,
) -> Result<Flash<Redirect>> {
    let back = Redirect::to(format!("/manage/applications/{id}#labels-h"));
    let outcome = app::labels::set(ctx, &who, &ip, id, &form.label).await;
    told(outcome, back, |names| {
        if names.is_empty() {
            "The application has no label now.".to_owned()
        } else {
            format!("Labels saved: {}.", names.join(", "))
        }
    })
}
