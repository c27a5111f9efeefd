//! A cycle's outcomes page: the default accepted / waitlisted / declined
//! renamed for the cycle. Renaming is `app::outcomes`'s.

use std::collections::HashMap;

use rocket::form::Form;
use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use rocket::{get, post, routes, FromForm, Route, State};
use rocket_dyn_templates::Template;
use serde::Serialize;

use crate::app;
use crate::app::outcomes::{self, label_field};
use crate::auth::guards::Manager;
use crate::context::Ctx;
use crate::domain::cycle::CycleId;
use crate::domain::workflow::decision::Outcome;
use crate::domain::workflow::outcomes::{Outcomes, MAX_LABEL};
use crate::web::page::{invalid, render, Chrome, ClientIp, FormErrors};
use crate::web::Result;

pub fn routes() -> Vec<Route> {
    routes![show_outcomes, rename_outcomes]
}

#[derive(Serialize)]
struct Row {
    /// The field's id.
    id: String,
    /// The field's name in the form.
    field_name: String,
    label: String,
    hint: String,
    value: String,
    error: Option<String>,
}

#[derive(Serialize)]
struct OutcomesPage {
    cycle_id: CycleId,
    cycle_name: String,
    rows: Vec<Row>,
    errors: FormErrors,
}

/// What an outcome of this meaning does, for the manager.
fn does(meaning: Outcome) -> &'static str {
    match meaning {
        Outcome::Accepted => "The applicant is offered a place, to accept or decline.",
        Outcome::Waitlisted => "The applicant may be offered a place that frees up.",
        Outcome::Declined => "The applicant is not offered a place.",
    }
}

fn page(
    id: CycleId,
    name: &str,
    o: &Outcomes,
    typed: Option<&HashMap<String, String>>,
    errors: FormErrors,
) -> OutcomesPage {
    let rows = o
        .all()
        .iter()
        .map(|x| {
            let field = label_field(&x.key);
            Row {
                error: errors.fields.get(&field).cloned(),
                id: field,
                field_name: format!("labels[{}]", x.key),
                label: format!("Name of the {} outcome", x.meaning.as_str()),
                hint: format!(
                    "{} At most {MAX_LABEL} characters; the portal’s own name is “{}”.",
                    does(x.meaning),
                    x.meaning.label()
                ),
                value: typed
                    .and_then(|t| t.get(&x.key).cloned())
                    .unwrap_or_else(|| x.label.clone()),
            }
        })
        .collect();
    OutcomesPage {
        cycle_id: id,
        cycle_name: name.to_owned(),
        rows,
        errors,
    }
}

#[get("/cycles/<id>/outcomes")]
async fn show_outcomes(
    who: Manager,
    ctx: &State<Ctx>,
    chrome: Chrome,
    id: CycleId,
) -> Result<Template> {
    let (c, o) = outcomes::for_manager(ctx, &who, id).await?;
    let title = format!("Outcomes – {}", c.cycle.name);
    Ok(render(
        "manage/outcomes",
        &chrome,
        &title,
        page(id, &c.cycle.name, &o, None, FormErrors::default()),
    ))
}

#[derive(FromForm)]
struct OutcomesForm {
    #[field(default = HashMap::new())]
    labels: HashMap<String, String>,
}

#[post("/cycles/<id>/outcomes", data = "<form>")]
async fn rename_outcomes(
    who: Manager,
    ctx: &State<Ctx>,
    chrome: Chrome,
    ip: ClientIp,
    id: CycleId,
    form: Form<OutcomesForm>,
) -> Result<std::result::Result<Flash<Redirect>, (Status, Template)>> {
    let typed: Vec<(String, String)> = form
        .labels
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let back = Redirect::to(format!("/manage/cycles/{id}/outcomes"));
    match outcomes::rename(ctx, &who, &ip, id, &typed).await {
        Ok(0) => Ok(Ok(Flash::success(back, "Nothing changed."))),
        Ok(_) => Ok(Ok(Flash::success(back, "Outcome names saved."))),
        Err(app::Error::Invalid(errors)) => {
            let (c, o) = outcomes::for_manager(ctx, &who, id).await?;
            let title = format!("Outcomes – {}", c.cycle.name);
            Ok(Err(invalid(
                "manage/outcomes",
                &chrome,
                &title,
                page(id, &c.cycle.name, &o, Some(&form.labels), errors),
            )))
        }
        Err(e) => Err(e.into()),
    }
}
