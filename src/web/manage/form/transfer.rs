//! A form as a file: the current form downloaded as JSON in the format of
//! `forms/*.json`; a form imported by pasting its JSON or uploading the
//! file (checked, with the reason in plain words when it is not a form,
//! then weighed like any change); and the confirmation of a change that
//! would make submitted answers invalid.

use rocket::form::Form;
use rocket::{get, post, routes, FromForm, Route, State};
use rocket_dyn_templates::Template;
use serde::Serialize;

use super::{apply, Answer, NoPage};
use crate::app::forms::Impact;
use crate::auth::guards::Manager;
use crate::context::Ctx;
use crate::domain::cycle::CycleId;
use crate::domain::form_edit::Edit;
use crate::web::download::Download;
use crate::web::page::{invalid, render, Chrome, ClientIp, FormErrors};
use crate::web::Result;

/// The routes of this part of the builder.
pub fn routes() -> Vec<Route> {
    routes![export_form, show_import, import_form, confirm_change]
}

#[get("/cycles/<id>/form.json")]
async fn export_form(who: Manager, ctx: &State<Ctx>, id: CycleId) -> Result<Download> {
    let b = crate::app::forms::builder(ctx, &who, id).await?;
    let json = serde_json::to_string_pretty(&b.form).map_err(anyhow::Error::from)?;
    Ok(Download {
        reader: Box::pin(std::io::Cursor::new(json.into_bytes())),
        content_type: "application/json; charset=utf-8".into(),
        file_name: format!("form-cycle-{id}-version-{}.json", b.version),
    })
}

#[derive(Serialize)]
struct ImportPage {
    cycle_id: CycleId,
    cycle_name: String,
    version: i64,
    json: String,
    errors: FormErrors,
}

async fn import_page(
    ctx: &Ctx,
    who: &Manager,
    id: CycleId,
    json: String,
    errors: FormErrors,
) -> Result<(String, ImportPage)> {
    let c = crate::app::access::cycle_for_manager(ctx, who, id).await?;
    Ok((
        c.cycle.name.clone(),
        ImportPage {
            cycle_id: id,
            cycle_name: c.cycle.name,
            version: c.form_version,
            json,
            errors,
        },
    ))
}

#[get("/cycles/<id>/form/import")]
async fn show_import(
    who: Manager,
    ctx: &State<Ctx>,
    chrome: Chrome,
    id: CycleId,
) -> Result<Template> {
    let (name, page) = import_page(ctx, &who, id, String::new(), FormErrors::default()).await?;
    Ok(render(
        "manage/form_import",
        &chrome,
        &format!("Import a form – {name}"),
        page,
    ))
}

/// The import page, as sent: pasted JSON, or a file (read as text).
#[derive(FromForm)]
struct ImportForm {
    #[field(default = String::new())]
    based_on: String,
    #[field(default = String::new())]
    json: String,
    #[field(default = String::new())]
    file: String,
}

#[post("/cycles/<id>/form/import", data = "<form>")]
async fn import_form(
    who: Manager,
    ctx: &State<Ctx>,
    chrome: Chrome,
    ip: ClientIp,
    id: CycleId,
    form: Form<ImportForm>,
) -> Result<Answer> {
    let json = if form.file.trim().is_empty() {
        form.json.clone()
    } else {
        form.file.clone()
    };
    if json.trim().is_empty() {
        let mut errors = FormErrors::default();
        errors.add("json", "Paste the form’s JSON, or choose a file.");
        let (name, page) = import_page(ctx, &who, id, json, errors).await?;
        return Ok(Answer::Page(invalid(
            "manage/form_import",
            &chrome,
            &format!("Import a form – {name}"),
            page,
        )));
    }
    let edit = Edit::Replace {
        json: json.clone(),
        summary: "Imported a form".into(),
    };
    let again = |errors: FormErrors| async {
        let (name, page) = import_page(ctx, &who, id, json, errors).await?;
        Ok(invalid(
            "manage/form_import",
            &chrome,
            &format!("Import a form – {name}"),
            page,
        ))
    };
    apply(
        ctx,
        &who,
        &ip,
        &chrome,
        id,
        &form.based_on,
        edit,
        false,
        Some(again),
    )
    .await
}

/// The confirmation page of a change that would invalidate answers.
#[derive(Serialize)]
pub struct ConfirmPage {
    cycle_id: CycleId,
    cycle_name: String,
    based_on: i64,
    proposed_json: String,
    summary: String,
    affected: usize,
    one: bool,
    reasons: Vec<Reason>,
}

#[derive(Serialize)]
struct Reason {
    text: String,
    count: usize,
}

/// Renders the confirmation of `impact`.
pub(super) async fn confirm_page(
    ctx: &Ctx,
    who: &Manager,
    chrome: &Chrome,
    id: CycleId,
    impact: Impact,
) -> Result<Template> {
    let c = crate::app::access::cycle_for_manager(ctx, who, id).await?;
    let page = ConfirmPage {
        cycle_id: id,
        cycle_name: c.cycle.name.clone(),
        based_on: impact.based_on,
        proposed_json: impact.proposed_json,
        summary: impact.summary,
        affected: impact.affected,
        one: impact.affected == 1,
        reasons: impact
            .reasons
            .into_iter()
            .map(|(text, count)| Reason { text, count })
            .collect(),
    };
    Ok(render(
        "manage/form_confirm",
        chrome,
        &format!("Confirm the change – {}", c.cycle.name),
        page,
    ))
}

#[derive(FromForm)]
struct ConfirmForm {
    #[field(default = String::new())]
    based_on: String,
    #[field(default = String::new())]
    proposed_json: String,
    #[field(default = String::new())]
    summary: String,
}

#[post("/cycles/<id>/form/confirm", data = "<form>")]
async fn confirm_change(
    who: Manager,
    ctx: &State<Ctx>,
    chrome: Chrome,
    ip: ClientIp,
    id: CycleId,
    form: Form<ConfirmForm>,
) -> Result<Answer> {
    let summary = match form.summary.trim() {
        "" => "Changed the form".to_owned(),
        s => s.chars().take(300).collect(),
    };
    let edit = Edit::Replace {
        json: form.proposed_json.clone(),
        summary,
    };
    apply(
        ctx,
        &who,
        &ip,
        &chrome,
        id,
        &form.based_on,
        edit,
        true,
        None::<NoPage>,
    )
    .await
}
