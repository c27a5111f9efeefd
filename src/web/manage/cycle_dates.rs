//! A cycle's name, time zone, dates and grace period, with the history of
//! every change; saving is `app::cycles::save`'s. The form carries the
//! values it showed, so a change another manager made meanwhile is told
//! next to its field instead of being overwritten unseen.

use rocket::form::Form;
use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use rocket::{get, post, routes, FromForm, Route, State};
use rocket_dyn_templates::Template;
use serde::Serialize;

use super::cycle_setup::{CycleFields, FieldsView};
use crate::app::cycles::{self, EditForm, EditView, Saved};
use crate::app::Error as AppError;
use crate::auth::guards::Manager;
use crate::context::Ctx;
use crate::domain::cycle::CycleId;
use crate::domain::schedule::Recorded;
use crate::web::page::{invalid, render, Chrome, ClientIp, FormErrors};
use crate::web::Result;

pub fn routes() -> Vec<Route> {
    routes![show_dates, save_dates]
}

#[derive(Serialize)]
struct Shown {
    name: String,
    value: String,
}

#[derive(Serialize)]
struct DatesPage {
    cycle_id: CycleId,
    cycle_name: String,
    program_name: String,
    fields: FieldsView,
    shown: Vec<Shown>,
    tell_drafts: bool,
    drafts: usize,
    uses_referees: bool,
    history: Vec<String>,
    errors: FormErrors,
}

fn page(view: EditView, typed: &CycleFields, tell_drafts: bool, errors: FormErrors) -> DatesPage {
    let c = &view.cycle.cycle;
    DatesPage {
        cycle_id: c.id,
        cycle_name: c.name.clone(),
        program_name: view.program.name.clone(),
        fields: typed.view(&errors),
        shown: Recorded::ALL
            .into_iter()
            .zip(cycles::shown_values(c))
            .map(|(r, value)| Shown {
                name: format!("shown_{}", r.as_str()),
                value,
            })
            .collect(),
        tell_drafts,
        drafts: view.drafts,
        uses_referees: cycles::uses_referees(&view.cycle.form),
        history: view.history.into_iter().map(|h| h.words).collect(),
        errors,
    }
}

#[get("/cycles/<id>/dates")]
async fn show_dates(
    who: Manager,
    ctx: &State<Ctx>,
    chrome: Chrome,
    id: CycleId,
) -> Result<Template> {
    let view = cycles::edit_view(ctx, &who, id).await?;
    let c = &view.cycle.cycle;
    let typed = CycleFields::of(
        &c.name,
        c.time_zone,
        &cycles::schedule_of(c),
        c.letters_grace.num_hours(),
    );
    let title = format!("Name and dates – {}", c.name);
    Ok(render(
        "manage/cycle_dates",
        &chrome,
        &title,
        page(view, &typed, false, FormErrors::default()),
    ))
}

#[derive(FromForm)]
struct DatesForm {
    #[field(default = String::new())]
    name: String,
    #[field(default = String::new())]
    time_zone: String,
    #[field(default = String::new())]
    opens_date: String,
    #[field(default = String::new())]
    opens_time: String,
    #[field(default = String::new())]
    closes_date: String,
    #[field(default = String::new())]
    closes_time: String,
    #[field(default = String::new())]
    letters_due_date: String,
    #[field(default = String::new())]
    letters_due_time: String,
    #[field(default = String::new())]
    decisions_date: String,
    #[field(default = String::new())]
    decisions_time: String,
    #[field(default = String::new())]
    grace_hours: String,
    #[field(default = String::new())]
    shown_name: String,
    #[field(default = String::new())]
    shown_time_zone: String,
    #[field(default = String::new())]
    shown_opens_at: String,
    #[field(default = String::new())]
    shown_closes_at: String,
    #[field(default = String::new())]
    shown_letters_due_at: String,
    #[field(default = String::new())]
    shown_decision_planned_at: String,
    #[field(default = String::new())]
    shown_letters_grace_hours: String,
    #[field(default = false)]
    tell_drafts: bool,
}

impl DatesForm {
    fn fields(&self) -> CycleFields {
        CycleFields {
            name: self.name.clone(),
            time_zone: self.time_zone.clone(),
            opens_date: self.opens_date.clone(),
            opens_time: self.opens_time.clone(),
            closes_date: self.closes_date.clone(),
            closes_time: self.closes_time.clone(),
            letters_due_date: self.letters_due_date.clone(),
            letters_due_time: self.letters_due_time.clone(),
            decisions_date: self.decisions_date.clone(),
            decisions_time: self.decisions_time.clone(),
            grace_hours: self.grace_hours.clone(),
        }
    }
}

fn said(s: Saved) -> String {
    let mut words = match s.changed {
        0 => "Nothing changed.".to_owned(),
        1 => "Saved: one change is recorded.".to_owned(),
        n => format!("Saved: {n} changes are recorded."),
    };
    match s.told {
        0 => {}
        1 => words.push_str(" One applicant with a draft is told of the new closing date."),
        n => words.push_str(&format!(
            " {n} applicants with a draft are told of the new closing date."
        )),
    }
    words
}

#[post("/cycles/<id>/dates", data = "<form>")]
async fn save_dates(
    who: Manager,
    ctx: &State<Ctx>,
    chrome: Chrome,
    ip: ClientIp,
    id: CycleId,
    form: Form<DatesForm>,
) -> Result<std::result::Result<Flash<Redirect>, (Status, Template)>> {
    let typed = form.fields();
    let input = EditForm {
        cycle: typed.input(),
        shown: [
            &form.shown_name,
            &form.shown_time_zone,
            &form.shown_opens_at,
            &form.shown_closes_at,
            &form.shown_letters_due_at,
            &form.shown_decision_planned_at,
            &form.shown_letters_grace_hours,
        ],
        tell_drafts: form.tell_drafts,
    };
    match cycles::save(ctx, &who, &ip, id, &input).await {
        Ok(saved) => Ok(Ok(Flash::success(
            Redirect::to(format!("/manage/cycles/{id}/dates")),
            said(saved),
        ))),
        Err(AppError::Invalid(errors)) => {
            let view = cycles::edit_view(ctx, &who, id).await?;
            let title = format!("Name and dates – {}", view.cycle.cycle.name);
            Ok(Err(invalid(
                "manage/cycle_dates",
                &chrome,
                &title,
                page(view, &typed, form.tell_drafts, errors),
            )))
        }
        Err(e) => Err(e.into()),
    }
}
