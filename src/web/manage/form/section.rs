//! A section's page in the builder: its title and introduction.

use rocket::form::Form;
use rocket::http::Status;
use rocket::{get, post, routes, FromForm, Route, State};
use rocket_dyn_templates::Template;
use serde::Serialize;

use super::{apply, Answer};
use crate::auth::guards::Manager;
use crate::context::Ctx;
use crate::domain::cycle::CycleId;
use crate::domain::form_edit::Edit;
use crate::web::page::{invalid, render, Chrome, ClientIp, FormErrors};
use crate::web::{Error, Result};

/// The section page's routes.
pub fn routes() -> Vec<Route> {
    routes![edit_section, save_section]
}

#[derive(Serialize)]
struct SectionPage {
    cycle_id: CycleId,
    cycle_name: String,
    version: i64,
    key: String,
    values: super::SectionValues,
    errors: FormErrors,
}

#[derive(FromForm)]
struct SectionForm {
    #[field(default = String::new())]
    based_on: String,
    #[field(default = String::new())]
    title: String,
    #[field(default = String::new())]
    intro: String,
}

#[get("/cycles/<id>/form/sections/<key>")]
async fn edit_section(
    who: Manager,
    ctx: &State<Ctx>,
    chrome: Chrome,
    id: CycleId,
    key: &str,
) -> Result<Template> {
    let c = crate::app::access::cycle_for_manager(ctx, &who, id).await?;
    let s = c
        .form
        .sections
        .iter()
        .find(|s| s.key == key)
        .ok_or(Error::NotFound)?;
    let page = SectionPage {
        cycle_id: id,
        cycle_name: c.cycle.name.clone(),
        version: c.form_version,
        key: key.to_owned(),
        values: super::SectionValues {
            title: s.title.clone(),
            intro: s.intro.clone().unwrap_or_default(),
        },
        errors: FormErrors::default(),
    };
    Ok(render(
        "manage/form_section",
        &chrome,
        &format!("Section – {}", c.cycle.name),
        page,
    ))
}

#[post("/cycles/<id>/form/sections/<key>", data = "<form>")]
async fn save_section(
    who: Manager,
    ctx: &State<Ctx>,
    chrome: Chrome,
    ip: ClientIp,
    id: CycleId,
    key: &str,
    form: Form<SectionForm>,
) -> Result<Answer> {
    let edit = Edit::EditSection {
        key: key.to_owned(),
        title: form.title.clone(),
        intro: form.intro.clone(),
    };
    let again = |errors: FormErrors| async {
        let c = crate::app::access::cycle_for_manager(ctx, &who, id).await?;
        let page = SectionPage {
            cycle_id: id,
            cycle_name: c.cycle.name.clone(),
            version: c.form_version,
            key: key.to_owned(),
            values: super::SectionValues {
                title: form.title.clone(),
                intro: form.intro.clone(),
            },
            errors,
        };
        Ok::<(Status, Template), Error>(invalid(
            "manage/form_section",
            &chrome,
            &format!("Section – {}", c.cycle.name),
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
