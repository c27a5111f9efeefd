//! Setting cycles up: a new cycle for a program, a copy of a cycle for next
//! year, and opening a cycle to applicants or taking it back; the use
//! cases are `app::cycles`'. The name, zone and dates fields are shared
//! with the dates page ([`super::cycle_dates`]).

use chrono_tz::Tz;
use rocket::form::Form;
use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use rocket::{get, post, routes, FromForm, Route, State};
use rocket_dyn_templates::Template;
use serde::Serialize;

use crate::app::cycles::{self, CycleForm};
use crate::app::Error as AppError;
use crate::auth::guards::Manager;
use crate::context::Ctx;
use crate::domain::cycle::CycleId;
use crate::domain::program::ProgramId;
use crate::domain::schedule::{local_fields, DateField, Schedule};
use crate::web::page::{invalid, render, Chrome, ClientIp, FormErrors};
use crate::web::{told, Result};

pub fn routes() -> Vec<Route> {
    routes![
        new_cycle,
        create_cycle,
        show_copy,
        copy_cycle,
        publish_cycle,
        unpublish_cycle
    ]
}

/// The name, zone, dates and grace period, as typed (or as proposed).
#[derive(FromForm, Default, Clone)]
pub(super) struct CycleFields {
    #[field(default = String::new())]
    pub name: String,
    #[field(default = String::new())]
    pub time_zone: String,
    #[field(default = String::new())]
    pub opens_date: String,
    #[field(default = String::new())]
    pub opens_time: String,
    #[field(default = String::new())]
    pub closes_date: String,
    #[field(default = String::new())]
    pub closes_time: String,
    #[field(default = String::new())]
    pub letters_due_date: String,
    #[field(default = String::new())]
    pub letters_due_time: String,
    #[field(default = String::new())]
    pub decisions_date: String,
    #[field(default = String::new())]
    pub decisions_time: String,
    #[field(default = String::new())]
    pub grace_hours: String,
}

impl CycleFields {
    /// The fields showing stored or proposed values.
    pub fn of(name: &str, zone: Tz, s: &Schedule, grace_hours: i64) -> Self {
        let (opens_date, opens_time) = local_fields(zone, s.opens_at);
        let (closes_date, closes_time) = local_fields(zone, s.closes_at);
        let (letters_due_date, letters_due_time) = local_fields(zone, s.letters_due_at);
        let (decisions_date, decisions_time) = local_fields(zone, s.decision_planned_at);
        Self {
            name: name.to_owned(),
            time_zone: zone.name().to_owned(),
            opens_date,
            opens_time,
            closes_date,
            closes_time,
            letters_due_date,
            letters_due_time,
            decisions_date,
            decisions_time,
            grace_hours: grace_hours.to_string(),
        }
    }

    fn date(&self, d: DateField) -> (&str, &str) {
        match d {
            DateField::Opens => (&self.opens_date, &self.opens_time),
            DateField::Closes => (&self.closes_date, &self.closes_time),
            DateField::LettersDue => (&self.letters_due_date, &self.letters_due_time),
            DateField::Decisions => (&self.decisions_date, &self.decisions_time),
        }
    }

    /// The use case's input.
    pub fn input(&self) -> CycleForm<'_> {
        CycleForm {
            name: &self.name,
            time_zone: &self.time_zone,
            dates: DateField::ALL.map(|d| self.date(d)),
            grace_hours: &self.grace_hours,
        }
    }

    /// The page's view of the fields, with `errors` next to them.
    pub fn view(&self, errors: &FormErrors) -> FieldsView {
        let error = |id: &str| errors.fields.get(id).cloned();
        FieldsView {
            name: self.name.clone(),
            time_zone: self.time_zone.clone(),
            grace_hours: self.grace_hours.clone(),
            dates: DateField::ALL
                .into_iter()
                .map(|d| {
                    let (date, time) = self.date(d);
                    let (legend, hint) = words(d);
                    DateView {
                        key: d.key(),
                        legend,
                        hint,
                        date: date.to_owned(),
                        time: time.to_owned(),
                        date_error: error(&cycles::date_field(d, false)),
                        time_error: error(&cycles::date_field(d, true)),
                    }
                })
                .collect(),
        }
    }
}

/// A date's legend and hint.
fn words(d: DateField) -> (&'static str, &'static str) {
    match d {
        DateField::Opens => (
            "Opens",
            "Applicants can start from this moment, once the cycle is published.",
        ),
        DateField::Closes => (
            "Closes",
            "Applications must be submitted before this moment. After the opening.",
        ),
        DateField::LettersDue => (
            "Letters due",
            "Referees’ letters are due by this moment: not before the closing. Needed even when the form asks for no referees.",
        ),
        DateField::Decisions => (
            "Decisions expected",
            "Told to applicants. After the closing.",
        ),
    }
}

/// One date's inputs.
#[derive(Serialize)]
pub(super) struct DateView {
    key: &'static str,
    legend: &'static str,
    hint: &'static str,
    date: String,
    time: String,
    date_error: Option<String>,
    time_error: Option<String>,
}

/// The shared fields, for `manage/cycle_fields`.
#[derive(Serialize)]
pub(super) struct FieldsView {
    name: String,
    time_zone: String,
    grace_hours: String,
    dates: Vec<DateView>,
}

#[derive(Serialize)]
struct NewPage {
    program_id: ProgramId,
    program_name: String,
    kind: &'static str,
    fields: FieldsView,
    errors: FormErrors,
}

async fn new_page(
    ctx: &Ctx,
    who: &Manager,
    id: ProgramId,
    typed: &CycleFields,
    errors: FormErrors,
) -> Result<NewPage> {
    let program = cycles::program_for_setup(ctx, who, id).await?;
    Ok(NewPage {
        program_id: id,
        program_name: program.name,
        kind: program.kind.as_str(),
        fields: typed.view(&errors),
        errors,
    })
}

#[get("/programs/<id>/cycles/new")]
async fn new_cycle(
    who: Manager,
    ctx: &State<Ctx>,
    chrome: Chrome,
    id: ProgramId,
) -> Result<Template> {
    let typed = CycleFields {
        time_zone: "America/New_York".into(),
        opens_time: "09:00".into(),
        closes_time: "17:00".into(),
        letters_due_time: "17:00".into(),
        decisions_time: "12:00".into(),
        grace_hours: "72".into(),
        ..CycleFields::default()
    };
    let page = new_page(ctx, &who, id, &typed, FormErrors::default()).await?;
    let title = format!("New cycle – {}", page.program_name);
    Ok(render("manage/cycle_new", &chrome, &title, page))
}

#[post("/programs/<id>/cycles/new", data = "<form>")]
async fn create_cycle(
    who: Manager,
    ctx: &State<Ctx>,
    chrome: Chrome,
    ip: ClientIp,
    id: ProgramId,
    form: Form<CycleFields>,
) -> Result<std::result::Result<Flash<Redirect>, (Status, Template)>> {
    match cycles::create(ctx, &who, &ip, id, &form.input()).await {
        Ok(cycle) => Ok(Ok(Flash::success(
            Redirect::to(format!("/manage/cycles/{cycle}")),
            format!(
                "“{}” is created. It is not published: applicants cannot see it until you open it.",
                form.name.trim()
            ),
        ))),
        Err(AppError::Invalid(errors)) => {
            let page = new_page(ctx, &who, id, &form, errors).await?;
            let title = format!("New cycle – {}", page.program_name);
            Ok(Err(invalid("manage/cycle_new", &chrome, &title, page)))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Serialize)]
struct CopyPage {
    cycle_id: CycleId,
    cycle_name: String,
    fields: FieldsView,
    errors: FormErrors,
}

#[get("/cycles/<id>/copy")]
async fn show_copy(
    who: Manager,
    ctx: &State<Ctx>,
    chrome: Chrome,
    id: CycleId,
) -> Result<Template> {
    let (c, p) = cycles::copy_proposal(ctx, &who, id).await?;
    let typed = CycleFields::of(&p.name, c.cycle.time_zone, &p.schedule, p.grace_hours);
    let page = CopyPage {
        cycle_id: id,
        cycle_name: c.cycle.name.clone(),
        fields: typed.view(&FormErrors::default()),
        errors: FormErrors::default(),
    };
    let title = format!("Copy {}", c.cycle.name);
    Ok(render("manage/cycle_copy", &chrome, &title, page))
}

#[post("/cycles/<id>/copy", data = "<form>")]
async fn copy_cycle(
    who: Manager,
    ctx: &State<Ctx>,
    chrome: Chrome,
    ip: ClientIp,
    id: CycleId,
    form: Form<CycleFields>,
) -> Result<std::result::Result<Flash<Redirect>, (Status, Template)>> {
    match cycles::copy(ctx, &who, &ip, id, &form.input()).await {
        Ok(copy) => Ok(Ok(Flash::success(
            Redirect::to(format!("/manage/cycles/{copy}")),
            format!(
                "“{}” is created with this cycle’s form, rubric, letters and review settings. \
                 It is not published: applicants cannot see it until you open it.",
                form.name.trim()
            ),
        ))),
        Err(AppError::Invalid(errors)) => {
            let c = cycles::cycle_for_setup(ctx, &who, id).await?;
            let page = CopyPage {
                cycle_id: id,
                cycle_name: c.cycle.name.clone(),
                fields: form.view(&errors),
                errors,
            };
            let title = format!("Copy {}", c.cycle.name);
            Ok(Err(invalid("manage/cycle_copy", &chrome, &title, page)))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(FromForm)]
struct PublishForm {
    #[field(default = false)]
    open_now: bool,
}

/// Opens the cycle to applicants (from its opening time, or now).
#[post("/cycles/<id>/publish", data = "<form>")]
async fn publish_cycle(
    who: Manager,
    ctx: &State<Ctx>,
    ip: ClientIp,
    id: CycleId,
    form: Form<PublishForm>,
) -> Result<Flash<Redirect>> {
    let outcome = cycles::publish(ctx, &who, &ip, id, form.open_now).await;
    told(outcome, Redirect::to(format!("/manage/cycles/{id}")), |s| s)
}

/// Takes the cycle back from applicants, while nobody has started.
#[post("/cycles/<id>/unpublish")]
async fn unpublish_cycle(
    who: Manager,
    ctx: &State<Ctx>,
    ip: ClientIp,
    id: CycleId,
) -> Result<Flash<Redirect>> {
    let outcome = cycles::unpublish(ctx, &who, &ip, id).await;
    told(outcome, Redirect::to(format!("/manage/cycles/{id}")), |s| s)
}
