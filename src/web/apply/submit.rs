//! An application's own page (status, progress, history), the review page
//! that lists what is missing, submission, withdrawal, and the printable
//! summary.

use rocket::form::Form;
use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use rocket::Either;
use rocket::{get, post, routes, FromForm, Route, State};
use rocket_dyn_templates::Template;
use serde::Serialize;

use super::section::attached;
use super::view::{self, SectionSummary};
use super::Owned;
use crate::app;
use crate::app::access::owned_application;
use crate::app::applying;
use crate::auth::guards::Applicant;
use crate::context::Ctx;
use crate::db::applications;
use crate::domain::answers;
use crate::domain::application::ApplicationId;
use crate::domain::workflow::decision::{offer_state, OfferState, Outcome};
use crate::domain::workflow::review::IneligibleReason;
use crate::domain::workflow::stage::{self, applicant_status, Actor, ApplicantStatus, Move, Stage};
use crate::web::page::{render, Chrome, FormErrors};
use crate::web::Result;

pub fn routes() -> Vec<Route> {
    routes![
        show_application,
        show_review,
        submit,
        show_withdraw,
        withdraw,
        show_summary
    ]
}

#[derive(Serialize)]
struct ProblemView {
    message: String,
    href: String,
}

#[derive(Serialize)]
struct HistoryEntry {
    when: String,
    what: &'static str,
}

#[derive(Serialize)]
struct ApplicationPage {
    id: ApplicationId,
    program_name: String,
    cycle_name: String,
    status: &'static str,
    /// The status as a token, for the shape of its tag.
    status_kind: ApplicantStatus,
    is_draft: bool,
    can_withdraw: bool,
    deadline: String,
    deadline_passed: bool,
    submitted: Option<String>,
    letters_due: String,
    decisions_expected: String,
    sections: Vec<SectionSummary>,
    problems: Vec<ProblemView>,
    problem_count: usize,
    history: Vec<HistoryEntry>,
    message: Option<String>,
    /// "Change" links beside each answer (the review page of a draft).
    change: bool,
    /// Why the application was found ineligible, once released and only
    /// when the program team chose to share it.
    ineligible_reason: Option<&'static str>,
    /// The decision, once released.
    decision: Option<DecisionView>,
    /// A refused answer to the offer: the choice made and the mistakes.
    offer_choice: String,
    offer_errors: FormErrors,
}

/// A released decision as its applicant sees it.
#[derive(Serialize)]
struct DecisionView {
    /// The outcome under the cycle's name for it.
    label: String,
    accepted: bool,
    offer_open: bool,
    offer_state: Option<&'static str>,
    offer_deadline: String,
}

fn deadline(o: &Owned) -> chrono::DateTime<chrono::Utc> {
    o.application
        .deadline_extended_to
        .map_or(o.cycle.cycle.closes_at, |e| e.max(o.cycle.cycle.closes_at))
}

async fn build(
    conn: &mut crate::db::Conn,
    o: &Owned,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<ApplicationPage> {
    let att = attached(conn, o.application.id).await?;
    let problems = answers::check_complete(
        &o.cycle.form,
        &o.application.answers,
        &view::attachments(&att.documents, &att.referees),
    );
    let section_of = |key: &str| {
        o.cycle
            .form
            .sections
            .iter()
            .find(|s| s.questions.iter().any(|q| q.key == key))
            .map(|s| s.key.clone())
            .unwrap_or_default()
    };
    let events = applications::events(conn.exec(), o.application.id).await?;
    let ineligible_reason =
        if o.application.stage == Stage::Ineligible && o.application.decision_released {
            let screening = applications::screening(conn.exec(), o.application.id).await?;
            IneligibleReason::parse(&screening.screening_reason)
                .filter(|_| screening.screening_reason_shared)
                .map(IneligibleReason::label)
        } else {
            None
        };
    let labels = crate::db::outcomes::list(conn.exec(), o.cycle.cycle.id).await?;
    // Only a released decision exists as far as the applicant can tell.
    let decision = crate::db::decisions::find(conn.exec(), o.application.id)
        .await?
        .filter(|d| d.released_at.is_some() && o.application.decision_released)
        .map(|d| {
            let outcome = d.outcome;
            let state = d
                .offer_deadline
                .filter(|_| outcome == Outcome::Accepted)
                .map(|by| offer_state(d.offer_answer, by, now));
            DecisionView {
                label: labels.name(outcome, d.outcome_key.as_deref()).to_owned(),
                accepted: outcome == Outcome::Accepted,
                offer_open: state == Some(OfferState::Open),
                offer_state: state.map(OfferState::label),
                offer_deadline: d
                    .offer_deadline
                    .map(|t| o.cycle.cycle.show(t))
                    .unwrap_or_default(),
            }
        });
    let page = ApplicationPage {
        id: o.application.id,
        program_name: o.program.name.clone(),
        cycle_name: o.cycle.cycle.name.clone(),
        status: applicant_status(o.application.stage, o.application.decision_released).label(),
        status_kind: applicant_status(o.application.stage, o.application.decision_released),
        ineligible_reason,
        decision,
        offer_choice: String::new(),
        offer_errors: FormErrors::default(),
        is_draft: o.application.stage == Stage::Draft,
        can_withdraw: stage::apply(o.application.stage, Move::Withdraw, Actor::Applicant).is_ok(),
        deadline: o.cycle.cycle.show(deadline(o)),
        deadline_passed: now >= deadline(o),
        submitted: o.application.submitted_at.map(|t| o.cycle.cycle.show(t)),
        letters_due: o.cycle.cycle.show(o.cycle.cycle.letters_due_at),
        decisions_expected: o.cycle.cycle.show(o.cycle.cycle.decision_planned_at),
        sections: view::summary(
            &o.cycle.form,
            &o.application.answers,
            &att.documents,
            &att.referees,
            &problems,
        ),
        problems: problems
            .iter()
            .map(|p| {
                let section = section_of(&p.key);
                let href = if o.cycle.form.question(&p.key).is_some_and(|q| {
                    matches!(q.kind, crate::domain::form::QuestionKind::Referees { .. })
                }) {
                    format!("/apply/applications/{}/referees", o.application.id)
                } else {
                    format!(
                        "/apply/applications/{}/sections/{section}#{}",
                        o.application.id, p.key
                    )
                };
                ProblemView {
                    message: p.message.clone(),
                    href,
                }
            })
            .collect(),
        problem_count: problems.len(),
        // Only the applicant's own steps: staff moves are not theirs to see.
        history: events
            .iter()
            .filter_map(|e| {
                let what = match e.move_name.as_str() {
                    "start" => "Started",
                    "submit" => "Submitted",
                    "withdraw" => "Withdrawn",
                    _ => return None,
                };
                Some(HistoryEntry {
                    when: o.cycle.cycle.show(e.created_at),
                    what,
                })
            })
            .collect(),
        message: None,
        change: o.application.stage == Stage::Draft,
    };
    Ok(page)
}

/// The application's page again with a refused answer to the offer: the
/// choice kept, the mistake next to its field (422).
pub(super) async fn refuse_offer_answer(
    ctx: &Ctx,
    o: &Owned,
    chrome: &Chrome,
    choice: &str,
    errors: FormErrors,
) -> Result<(Status, Template)> {
    let mut conn = ctx.conn().await?;
    let mut page = build(&mut conn, o, ctx.now()).await?;
    page.offer_choice = choice.to_owned();
    page.offer_errors = errors;
    let title = format!("Your application to the {}", page.program_name);
    Ok(crate::web::page::invalid(
        "apply/application",
        chrome,
        &title,
        page,
    ))
}

#[get("/applications/<id>")]
async fn show_application(
    who: Applicant,
    ctx: &State<Ctx>,
    chrome: Chrome,
    id: ApplicationId,
) -> Result<Template> {
    let page = page_of(ctx, &who, id).await?;
    let title = format!("Your application to the {}", page.program_name);
    Ok(render("apply/application", &chrome, &title, page))
}

#[get("/applications/<id>/review")]
async fn show_review(
    who: Applicant,
    ctx: &State<Ctx>,
    chrome: Chrome,
    id: ApplicationId,
) -> Result<Either<Flash<Redirect>, Template>> {
    let o = owned_application(ctx, &who, id).await?;
    if o.application.stage != Stage::Draft {
        return Ok(Either::Left(Flash::success(
            Redirect::to(format!("/apply/applications/{id}")),
            "This application has been submitted.",
        )));
    }
    let mut conn = ctx.conn().await?;
    let page = build(&mut conn, &o, ctx.now()).await?;
    Ok(Either::Right(render(
        "apply/review",
        &chrome,
        "Review and submit",
        page,
    )))
}

/// Submits a complete draft before its deadline; otherwise the review page
/// again, saying why, with the draft untouched.
#[post("/applications/<id>/submit")]
async fn submit(
    who: Applicant,
    ctx: &State<Ctx>,
    chrome: Chrome,
    id: ApplicationId,
) -> Result<Either<Flash<Redirect>, (Status, Template)>> {
    match applying::submit(ctx, &who, id).await {
        Ok(()) => Ok(Either::Left(Flash::success(
            Redirect::to(format!("/apply/applications/{id}")),
            format!(
                "Your application is submitted. We sent a confirmation to {}.",
                who.0.user().email
            ),
        ))),
        Err(app::Error::Refused(message)) => {
            let mut page = page_of(ctx, &who, id).await?;
            page.message = Some(message);
            Ok(Either::Right((
                Status::UnprocessableEntity,
                render("apply/review", &chrome, "Error: Review and submit", page),
            )))
        }
        Err(e) => Err(e.into()),
    }
}

#[get("/applications/<id>/withdraw")]
async fn show_withdraw(
    who: Applicant,
    ctx: &State<Ctx>,
    chrome: Chrome,
    id: ApplicationId,
) -> Result<Template> {
    let page = page_of(ctx, &who, id).await?;
    Ok(render(
        "apply/withdraw",
        &chrome,
        "Withdraw your application",
        page,
    ))
}

#[derive(FromForm)]
struct WithdrawForm {
    #[field(default = String::new())]
    reason: String,
    #[field(default = false)]
    confirm: bool,
}

#[post("/applications/<id>/withdraw", data = "<form>")]
async fn withdraw(
    who: Applicant,
    ctx: &State<Ctx>,
    chrome: Chrome,
    id: ApplicationId,
    form: Form<WithdrawForm>,
) -> Result<Either<Flash<Redirect>, (Status, Template)>> {
    let message = if form.confirm {
        match applying::withdraw(ctx, &who, id, &form.reason).await {
            Ok(()) => {
                return Ok(Either::Left(Flash::success(
                    Redirect::to(format!("/apply/applications/{id}")),
                    "Your application is withdrawn.",
                )))
            }
            Err(app::Error::Refused(message)) => message,
            Err(e) => return Err(e.into()),
        }
    } else {
        "Tick the box to confirm that you want to withdraw.".to_owned()
    };
    let mut page = page_of(ctx, &who, id).await?;
    page.message = Some(message);
    Ok(Either::Right((
        Status::UnprocessableEntity,
        render(
            "apply/withdraw",
            &chrome,
            "Error: Withdraw your application",
            page,
        ),
    )))
}

#[get("/applications/<id>/summary")]
async fn show_summary(
    who: Applicant,
    ctx: &State<Ctx>,
    chrome: Chrome,
    id: ApplicationId,
) -> Result<Template> {
    let mut page = page_of(ctx, &who, id).await?;
    // A page to read or print: no links to change answers.
    page.change = false;
    let title = format!("Summary of your application to the {}", page.program_name);
    Ok(render("apply/summary", &chrome, &title, page))
}

/// The application's page as its owner sees it now.
async fn page_of(ctx: &Ctx, who: &Applicant, id: ApplicationId) -> Result<ApplicationPage> {
    let o = owned_application(ctx, who, id).await?;
    let mut conn = ctx.conn().await?;
    build(&mut conn, &o, ctx.now()).await
}
