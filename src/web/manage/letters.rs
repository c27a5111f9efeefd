//! Decision letter templates per cycle and outcome: edited in the browser
//! with a preview for a sample application; a template the letter check
//! refuses (see `domain::letter`) is refused on save with the reason next
//! to its field, and a stored one that no longer passes shows the reason
//! when opened (see [`crate::app::letters`]).

use crate::domain::cycle::CycleId;
use rocket::form::Form;
use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use rocket::{get, post, routes, FromForm, Route, State};
use rocket_dyn_templates::Template;
use serde::Serialize;

use crate::app::letters::{self, LetterText};
use crate::app::{access, outcomes, Error as AppError};
use crate::auth::guards::Manager;
use crate::context::Ctx;
use crate::db::cycles::CycleWithForm;
use crate::domain::letter::{Rendered, FIELDS};
use crate::domain::workflow::decision::Outcome;
use crate::web::page::{invalid, render, Chrome, ClientIp, FormErrors};
use crate::web::{Error, Result};

pub fn routes() -> Vec<Route> {
    routes![list_letters, show_letter, save_letter]
}

#[derive(Serialize)]
struct LetterRow {
    outcome: &'static str,
    label: String,
    /// The cycle's extra outcomes of this meaning, which use this letter.
    also: String,
    subject: String,
    custom: bool,
}

#[derive(Serialize)]
struct ListPage {
    cycle_id: CycleId,
    cycle_name: String,
    letters: Vec<LetterRow>,
}

#[get("/cycles/<id>/letters")]
async fn list_letters(
    who: Manager,
    ctx: &State<Ctx>,
    chrome: Chrome,
    id: CycleId,
) -> Result<Template> {
    let c = access::cycle_for_manager(ctx, &who, id).await?;
    let labels = outcomes::labels(ctx, id).await?;
    let mut rows = Vec::new();
    for o in Outcome::ALL {
        let t = letters::template(ctx, id, o).await?;
        rows.push(LetterRow {
            outcome: o.as_str(),
            label: labels.label(o).to_owned(),
            also: labels
                .extras()
                .filter(|x| x.meaning == o)
                .map(|x| format!("“{}”", x.label))
                .collect::<Vec<_>>()
                .join(", "),
            subject: t.subject,
            custom: t.custom,
        });
    }
    let page = ListPage {
        cycle_id: id,
        cycle_name: c.cycle.name.clone(),
        letters: rows,
    };
    let title = format!("Decision letters – {}", c.cycle.name);
    Ok(render("manage/letters", &chrome, &title, page))
}

#[derive(Serialize)]
struct Field {
    name: &'static str,
    meaning: &'static str,
}

#[derive(Serialize)]
struct Preview {
    subject: String,
    text: String,
}

impl From<Rendered> for Preview {
    fn from(r: Rendered) -> Self {
        Preview {
            subject: r.subject,
            text: r.text,
        }
    }
}

#[derive(Serialize)]
struct EditPage {
    cycle_id: CycleId,
    cycle_name: String,
    outcome: &'static str,
    label: String,
    subject: String,
    body: String,
    fields: Vec<Field>,
    preview: Option<Preview>,
    errors: FormErrors,
}

fn edit_page(
    c: &CycleWithForm,
    outcome: Outcome,
    label: &str,
    subject: String,
    body: String,
    preview: Option<Preview>,
    errors: FormErrors,
) -> EditPage {
    EditPage {
        cycle_id: c.cycle.id,
        cycle_name: c.cycle.name.clone(),
        outcome: outcome.as_str(),
        label: label.to_owned(),
        subject,
        body,
        fields: FIELDS
            .iter()
            .map(|f| Field {
                name: f.name,
                meaning: f.meaning,
            })
            .collect(),
        preview,
        errors,
    }
}

#[get("/cycles/<id>/letters/<outcome>")]
async fn show_letter(
    who: Manager,
    ctx: &State<Ctx>,
    chrome: Chrome,
    id: CycleId,
    outcome: &str,
) -> Result<Template> {
    let c = access::cycle_for_manager(ctx, &who, id).await?;
    let outcome = Outcome::parse(outcome).ok_or(Error::NotFound)?;
    let labels = outcomes::labels(ctx, id).await?;
    let label = labels.label(outcome);
    let t = letters::template(ctx, id, outcome).await?;
    // A template stored before a rule existed opens with the reason it
    // would now be refused (and would stop a release).
    let (preview, errors) = match letters::preview(ctx, &c, outcome, &t.subject, &t.body).await {
        Ok(r) => (Some(r.into()), FormErrors::default()),
        Err(AppError::Invalid(errors)) => (None, errors),
        Err(e) => return Err(e.into()),
    };
    let title = format!("{label} letter – {}", c.cycle.name);
    Ok(render(
        "manage/letter",
        &chrome,
        &title,
        edit_page(&c, outcome, label, t.subject, t.body, preview, errors),
    ))
}

#[derive(FromForm)]
struct LetterForm {
    #[field(default = String::new())]
    subject: String,
    #[field(default = String::new())]
    body: String,
    /// `preview` or `save`.
    #[field(default = String::new())]
    action: String,
}

/// Previews a template as typed, or saves it (`action=save`).
#[post("/cycles/<id>/letters/<outcome>", data = "<form>")]
async fn save_letter(
    who: Manager,
    ctx: &State<Ctx>,
    chrome: Chrome,
    ip: ClientIp,
    id: CycleId,
    outcome: &str,
    form: Form<LetterForm>,
) -> Result<std::result::Result<Flash<Redirect>, (Status, Template)>> {
    let c = access::cycle_for_manager(ctx, &who, id).await?;
    let outcome = Outcome::parse(outcome).ok_or(Error::NotFound)?;
    let labels = outcomes::labels(ctx, id).await?;
    let label = labels.label(outcome);
    let title = format!("{label} letter – {}", c.cycle.name);
    let page = |preview: Option<Preview>, errors| {
        let (subject, body) = (form.subject.clone(), form.body.clone());
        edit_page(&c, outcome, label, subject, body, preview, errors)
    };
    let done = if form.action == "save" {
        let input = LetterText {
            subject: form.subject.clone(),
            body: form.body.clone(),
        };
        letters::save(ctx, &who, &ip, id, outcome, input).await
    } else {
        match letters::preview(ctx, &c, outcome, &form.subject, &form.body).await {
            Ok(r) => {
                let shown = render(
                    "manage/letter",
                    &chrome,
                    &title,
                    page(Some(r.into()), FormErrors::default()),
                );
                return Ok(Err((Status::Ok, shown)));
            }
            Err(e) => Err(e),
        }
    };
    match done {
        Ok(()) => Ok(Ok(Flash::success(
            Redirect::to(format!("/manage/cycles/{id}/letters/{}", outcome.as_str())),
            "Letter saved. It is used for every letter of this outcome released from now on.",
        ))),
        Err(AppError::Invalid(errors)) => Ok(Err(invalid(
            "manage/letter",
            &chrome,
            &title,
            page(None, errors),
        ))),
        Err(e) => Err(e.into()),
    }
}
