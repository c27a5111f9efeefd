//! The applicant's home (open cycles, own applications) and starting an
//! application: eligibility questions first, then a draft pre-filled from
//! the profile.

use crate::domain::cycle::CycleId;
use std::collections::BTreeMap;

use rocket::form::Form;
use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use rocket::Either;
use rocket::{get, post, routes, FromForm, Route, State};
use rocket_dyn_templates::Template;
use serde::Serialize;

use crate::app;
use crate::app::applying::{self, Started};
use crate::auth::guards::Applicant;
use crate::context::Ctx;
use crate::db::{applications, cycles, programs};
use crate::domain::application::ApplicationId;
use crate::domain::cycle::{show_in, CyclePhase};
use crate::domain::workflow::stage::{applicant_status, ApplicantStatus, Stage};
use crate::web::page::{invalid, render, Chrome, FormErrors};
use crate::web::{Error, Result};

pub fn routes() -> Vec<Route> {
    routes![home, show_cycle, start]
}

#[derive(Serialize)]
struct OpenCycle {
    id: CycleId,
    program_name: String,
    name: String,
    closes: String,
    application_id: Option<ApplicationId>,
}

#[derive(Serialize)]
struct MyApplication {
    id: ApplicationId,
    program_name: String,
    cycle_name: String,
    status: &'static str,
    /// The status as a token, for the shape of its tag.
    status_kind: ApplicantStatus,
    is_draft: bool,
}

#[derive(Serialize)]
struct HomePage {
    open: Vec<OpenCycle>,
    mine: Vec<MyApplication>,
}

#[get("/")]
async fn home(who: Applicant, ctx: &State<Ctx>, chrome: Chrome) -> Result<Template> {
    let now = ctx.now();
    let mut conn = ctx.conn().await?;
    let mine = applications::for_applicant(conn.exec(), who.0.user().id).await?;
    let open = cycles::open_at(conn.exec(), now)
        .await?
        .into_iter()
        .map(|c| OpenCycle {
            application_id: mine.iter().find(|a| a.cycle_id == c.id).map(|a| a.id),
            closes: crate::domain::cycle::parse_zone(&c.time_zone)
                .map(|tz| show_in(tz, c.closes_at))
                .unwrap_or_default(),
            id: c.id,
            program_name: c.program_name,
            name: c.name,
        })
        .collect();
    let mine = mine
        .into_iter()
        .map(|a| {
            let stage = Stage::parse(&a.stage).unwrap_or(Stage::Draft);
            MyApplication {
                id: a.id,
                program_name: a.program_name,
                cycle_name: a.cycle_name,
                status: applicant_status(stage, a.decision_released).label(),
                status_kind: applicant_status(stage, a.decision_released),
                is_draft: stage == Stage::Draft,
            }
        })
        .collect();
    Ok(render(
        "apply/home",
        &chrome,
        "Your applications",
        HomePage { open, mine },
    ))
}

#[derive(Serialize)]
struct EligibilityQuestionView {
    key: String,
    label: String,
    help: Option<String>,
    options: Vec<(String, String, bool)>,
    error: Option<String>,
}

#[derive(Serialize)]
struct StartPage {
    cycle_id: CycleId,
    program_name: String,
    cycle_name: String,
    description: String,
    opens: String,
    closes: String,
    decisions_expected: String,
    phase: CyclePhase,
    /// The program is archived: it takes no new applications.
    archived: bool,
    questions: Vec<EligibilityQuestionView>,
    errors: FormErrors,
    /// Messages for someone who cannot apply.
    ineligible: Vec<String>,
}

async fn start_page(
    ctx: &Ctx,
    cycle_id: CycleId,
    answers: &BTreeMap<String, String>,
) -> Result<StartPage> {
    let mut conn = ctx.conn().await?;
    let c = cycles::find(conn.exec(), cycle_id)
        .await?
        .filter(|c| c.cycle.published)
        .ok_or(Error::NotFound)?;
    let program = programs::find(conn.exec(), c.cycle.program_id)
        .await?
        .ok_or(Error::NotFound)?;
    let now = ctx.now();
    Ok(StartPage {
        cycle_id,
        archived: program.is_archived(),
        program_name: program.name,
        cycle_name: c.cycle.name.clone(),
        description: program.description,
        opens: c.cycle.show(c.cycle.opens_at),
        closes: c.cycle.show(c.cycle.closes_at),
        decisions_expected: c.cycle.show(c.cycle.decision_planned_at),
        phase: c.cycle.phase(now),
        questions: c
            .form
            .eligibility
            .iter()
            .map(|q| EligibilityQuestionView {
                key: q.key.clone(),
                label: q.label.clone(),
                help: q.help.clone(),
                options: q
                    .options
                    .iter()
                    .map(|o| {
                        (
                            o.value.clone(),
                            o.label.clone(),
                            answers.get(&q.key) == Some(&o.value),
                        )
                    })
                    .collect(),
                error: None,
            })
            .collect(),
        errors: FormErrors::default(),
        ineligible: vec![],
    })
}

/// The cycle's page: the applicant's own application if it exists,
/// otherwise the eligibility questions.
#[get("/cycles/<cycle_id>")]
async fn show_cycle(
    who: Applicant,
    ctx: &State<Ctx>,
    chrome: Chrome,
    cycle_id: CycleId,
) -> Result<Either<Redirect, Template>> {
    let mut conn = ctx.conn().await?;
    if let Some(a) = applications::find_for(conn.exec(), cycle_id, who.0.user().id).await? {
        return Ok(Either::Left(Redirect::to(format!(
            "/apply/applications/{}",
            a.id
        ))));
    }
    drop(conn);
    let page = start_page(ctx, cycle_id, &BTreeMap::new()).await?;
    let title = format!("Apply to the {}", page.program_name);
    Ok(Either::Right(render("apply/start", &chrome, &title, page)))
}

#[derive(FromForm)]
struct StartForm {
    e: BTreeMap<String, String>,
}

/// Judges the eligibility answers; an eligible applicant gets a draft
/// pre-filled from their profile. Nothing is stored for someone who
/// cannot apply.
#[post("/cycles/<cycle_id>/start", data = "<form>")]
async fn start(
    who: Applicant,
    ctx: &State<Ctx>,
    chrome: Chrome,
    cycle_id: CycleId,
    form: Form<StartForm>,
) -> Result<Either<Flash<Redirect>, (Status, Template)>> {
    let outcome = applying::start(ctx, &who, cycle_id, &form.e).await;
    let errors = match outcome {
        Ok(Started::Existing(id)) => {
            return Ok(Either::Left(Flash::success(
                Redirect::to(format!("/apply/applications/{id}")),
                "You already have an application to this cycle; here it is.",
            )))
        }
        Ok(Started::Draft { id, first_section }) => {
            return Ok(Either::Left(Flash::success(
                Redirect::to(format!("/apply/applications/{id}/sections/{first_section}")),
                "You can apply. Your answers are saved each time you press Save, so you can come back at any time.",
            )))
        }
        Ok(Started::Ineligible(messages)) => {
            let mut page = start_page(ctx, cycle_id, &form.e).await?;
            page.ineligible = messages;
            let title = format!("You cannot apply to the {} this time", page.program_name);
            return Ok(Either::Right((
                Status::Ok,
                render("apply/ineligible", &chrome, &title, page),
            )));
        }
        Err(app::Error::Invalid(errors)) => errors,
        Err(e) => return Err(e.into()),
    };
    let mut page = start_page(ctx, cycle_id, &form.e).await?;
    let title = format!("Apply to the {}", page.program_name);
    for q in &mut page.questions {
        if errors.fields.contains_key(&format!("e-{}", q.key)) {
            q.error = Some("Choose an answer.".into());
        }
    }
    page.errors = errors;
    Ok(Either::Right(invalid("apply/start", &chrome, &title, page)))
}
