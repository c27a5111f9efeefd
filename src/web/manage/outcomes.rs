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
use crate::app::outcomes::{self, label_field, NEW_LABEL, NEW_MEANING};
use crate::auth::guards::Manager;
use crate::context::Ctx;
use crate::domain::cycle::CycleId;
use crate::domain::workflow::decision::Outcome;
use crate::domain::workflow::outcomes::{is_default_key, Outcomes, MAX_EXTRAS, MAX_LABEL};
use crate::web::page::{invalid, render, Chrome, ClientIp, FormErrors};
use crate::web::told;
use crate::web::Result;

pub fn routes() -> Vec<Route> {
    routes![show_outcomes, rename_outcomes, add_outcome, remove_outcome]
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
    /// An extra outcome's key, for its remove button (a default has none).
    extra_key: Option<String>,
}

/// A meaning to choose for a new extra outcome.
#[derive(Serialize)]
struct MeaningChoice {
    value: &'static str,
    label: String,
    checked: bool,
}

/// The form adding an extra outcome, as typed.
#[derive(Serialize)]
struct NewOutcome {
    label: String,
    label_error: Option<String>,
    meanings: Vec<MeaningChoice>,
    meaning_error: Option<String>,
    room: bool,
}

#[derive(Serialize)]
struct OutcomesPage {
    cycle_id: CycleId,
    cycle_name: String,
    rows: Vec<Row>,
    new: NewOutcome,
    max_extras: usize,
    errors: FormErrors,
}

/// What an extra outcome of this meaning does, in the words of its radio.
fn acts_as(meaning: Outcome, o: &Outcomes) -> String {
    let name = o.label(meaning);
    match meaning {
        Outcome::Accepted => {
            format!("Acts as “{name}”: the applicant is offered a place")
        }
        Outcome::Waitlisted => {
            format!("Acts as “{name}”: the applicant may be offered a place that frees up")
        }
        Outcome::Declined => format!("Acts as “{name}”: the applicant is not offered a place"),
    }
}

/// What an outcome of this meaning does, for the manager.
fn does(meaning: Outcome) -> &'static str {
    match meaning {
        Outcome::Accepted => "The applicant is offered a place, to accept or decline.",
        Outcome::Waitlisted => "The applicant may be offered a place that frees up.",
        Outcome::Declined => "The applicant is not offered a place.",
    }
}

/// The new outcome as typed (empty when none was).
#[derive(Default)]
struct TypedNew {
    label: String,
    meaning: String,
}

fn page(
    id: CycleId,
    name: &str,
    o: &Outcomes,
    typed: Option<&HashMap<String, String>>,
    new: &TypedNew,
    errors: FormErrors,
) -> OutcomesPage {
    let rows = o
        .all()
        .iter()
        .map(|x| {
            let field = label_field(&x.key);
            let default = is_default_key(&x.key);
            Row {
                error: errors.fields.get(&field).cloned(),
                id: field,
                field_name: format!("labels[{}]", x.key),
                label: if default {
                    format!("Name of the {} outcome", x.meaning.as_str())
                } else {
                    format!("Name of the added outcome “{}”", x.label)
                },
                hint: if default {
                    format!(
                        "{} At most {MAX_LABEL} characters; the portal’s own name is “{}”.",
                        does(x.meaning),
                        x.meaning.label()
                    )
                } else {
                    format!(
                        "{}. It is sent the letter of “{}”. At most {MAX_LABEL} characters.",
                        acts_as(x.meaning, o),
                        o.label(x.meaning)
                    )
                },
                extra_key: (!default).then(|| x.key.clone()),
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
        new: NewOutcome {
            label: new.label.clone(),
            label_error: errors.fields.get(NEW_LABEL).cloned(),
            meanings: Outcome::ALL
                .into_iter()
                .map(|m| MeaningChoice {
                    value: m.as_str(),
                    label: acts_as(m, o),
                    checked: new.meaning == m.as_str(),
                })
                .collect(),
            meaning_error: errors.fields.get(NEW_MEANING).cloned(),
            room: o.extras().count() < MAX_EXTRAS,
        },
        max_extras: MAX_EXTRAS,
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
        page(
            id,
            &c.cycle.name,
            &o,
            None,
            &TypedNew::default(),
            FormErrors::default(),
        ),
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
                page(
                    id,
                    &c.cycle.name,
                    &o,
                    Some(&form.labels),
                    &TypedNew::default(),
                    errors,
                ),
            )))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(FromForm)]
struct NewOutcomeForm {
    #[field(default = String::new())]
    label: String,
    #[field(default = String::new())]
    meaning: String,
}

/// Adds an outcome of the cycle's own, acting as one of the three.
#[post("/cycles/<id>/outcomes/add", data = "<form>")]
async fn add_outcome(
    who: Manager,
    ctx: &State<Ctx>,
    chrome: Chrome,
    ip: ClientIp,
    id: CycleId,
    form: Form<NewOutcomeForm>,
) -> Result<std::result::Result<Flash<Redirect>, (Status, Template)>> {
    let back = Redirect::to(format!("/manage/cycles/{id}/outcomes"));
    match outcomes::add_extra(ctx, &who, &ip, id, &form.label, &form.meaning).await {
        Ok(label) => Ok(Ok(Flash::success(
            back,
            format!("Outcome “{label}” added."),
        ))),
        Err(app::Error::Invalid(errors)) => {
            let (c, o) = outcomes::for_manager(ctx, &who, id).await?;
            let title = format!("Outcomes – {}", c.cycle.name);
            let typed = TypedNew {
                label: form.label.clone(),
                meaning: form.meaning.clone(),
            };
            Ok(Err(invalid(
                "manage/outcomes",
                &chrome,
                &title,
                page(id, &c.cycle.name, &o, None, &typed, errors),
            )))
        }
        Err(e) => Err(e.into()),
    }
}

/// Removes an outcome the cycle added, while no decision uses it.
#[post("/cycles/<id>/outcomes/<key>/remove")]
async fn remove_outcome(
    who: Manager,
    ctx: &State<Ctx>,
    ip: ClientIp,
    id: CycleId,
    key: &str,
) -> Result<Flash<Redirect>> {
    let back = Redirect::to(format!("/manage/cycles/{id}/outcomes"));
    told(
        outcomes::remove_extra(ctx, &who, &ip, id, key).await,
        back,
        |label| format!("Outcome “{label}” removed."),
    )
}
