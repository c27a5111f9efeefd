//! Naming referees: each gets a mail with a private link; the applicant can
//! send it again, change or remove a referee until a letter arrives, and
//! sees only whether each letter was requested, received or declined.

use rocket::form::Form;
use rocket::http::{CookieJar, Status};
use rocket::response::{Flash, Redirect};
use rocket::Either;
use rocket::{get, post, routes, FromForm, Route, State};
use rocket_dyn_templates::Template;
use serde::Serialize;

use super::progress::{progress, Progress};
use super::stash::{self, EndedSession, RefereePayload};
use super::view::RefereeView;
use super::Owned;
use crate::app;
use crate::app::access::owned_application;
use crate::app::referees::{self, may_change_referees, RefereeInput};
use crate::auth::guards::{Applicant, SecureCookies};
use crate::context::Ctx;
use crate::domain::application::ApplicationId;
use crate::domain::form::QuestionKind;
use crate::web::page::{render, Chrome, ClientIp, FormErrors};
use crate::web::{told, Result};

pub fn routes() -> Vec<Route> {
    routes![show_referees, name_referee, resend, remove]
}

#[derive(Serialize, Default, Clone)]
struct SlotView {
    question: String,
    position: usize,
    prefix: String,
    request: Option<RefereeView>,
    name: String,
    email: String,
    relationship: String,
    waived: Option<bool>,
    name_id: String,
    email_id: String,
    relationship_id: String,
    waiver_id: String,
    name_error: Option<String>,
    email_error: Option<String>,
    relationship_error: Option<String>,
    waiver_error: Option<String>,
}

#[derive(Serialize)]
struct QuestionSlots {
    key: String,
    label: String,
    help: Option<String>,
    min: usize,
    slots: Vec<SlotView>,
}

#[derive(Serialize)]
struct RefereesPage {
    application_id: ApplicationId,
    program_name: String,
    letters_due: String,
    open: bool,
    questions: Vec<QuestionSlots>,
    errors: FormErrors,
    /// The section list (the referees page current) and the progress bar.
    #[serde(flatten)]
    progress: Progress,
}

async fn page(
    ctx: &Ctx,
    o: &Owned,
    errors: FormErrors,
    typed: Option<&RefereeForm>,
) -> Result<RefereesPage> {
    let mut conn = ctx.conn().await?;
    let att = super::section::attached(&mut conn, o.application.id).await?;
    let requests = att.referees.clone();
    let questions = o
        .cycle
        .form
        .questions()
        .filter_map(|q| match q.kind {
            QuestionKind::Referees { min, max } => Some((q, min, max)),
            _ => None,
        })
        .map(|(q, min, max)| QuestionSlots {
            key: q.key.clone(),
            label: q.label.clone(),
            help: q.help.clone(),
            min,
            slots: (1..=max)
                .map(|position| {
                    let request = requests
                        .iter()
                        .find(|r| r.question_key == q.key && r.position == position as i64);
                    let prefix = format!("{}-{position}", q.key);
                    let id = |field: &str| format!("{prefix}-{field}");
                    let error = |field: &str| errors.fields.get(&id(field)).cloned();
                    let mut slot = SlotView {
                        question: q.key.clone(),
                        position,
                        name_id: id("name"),
                        email_id: id("email"),
                        relationship_id: id("relationship"),
                        waiver_id: id("waiver-yes"),
                        name_error: error("name"),
                        email_error: error("email"),
                        relationship_error: error("relationship"),
                        waiver_error: error("waiver-yes"),
                        prefix: prefix.clone(),
                        request: request.map(RefereeView::from),
                        name: request.map(|r| r.name.clone()).unwrap_or_default(),
                        email: request.map(|r| r.email.clone()).unwrap_or_default(),
                        relationship: request.map(|r| r.relationship.clone()).unwrap_or_default(),
                        waived: request.map(|r| r.waived),
                    };
                    if let Some(t) = typed.filter(|t| t.question == q.key && t.position == position)
                    {
                        slot.name = t.name.clone();
                        slot.email = t.email.clone();
                        slot.relationship = t.relationship.clone();
                        slot.waived = match t.waiver.as_str() {
                            "yes" => Some(true),
                            "no" => Some(false),
                            _ => None,
                        };
                    }
                    slot
                })
                .collect(),
        })
        .collect();
    Ok(RefereesPage {
        application_id: o.application.id,
        program_name: o.program.name.clone(),
        letters_due: o.cycle.cycle.show(o.cycle.cycle.letters_due_at),
        open: may_change_referees(o, ctx.now()),
        questions,
        errors,
        progress: progress(
            &o.cycle.form,
            &o.application.answers,
            &att.documents,
            &att.referees,
            None,
        ),
    })
}

#[get("/applications/<id>/referees")]
async fn show_referees(
    who: Applicant,
    ctx: &State<Ctx>,
    chrome: Chrome,
    id: ApplicationId,
) -> Result<Template> {
    let o = owned_application(ctx, &who, id).await?;
    let p = page(ctx, &o, FormErrors::default(), None).await?;
    Ok(render("apply/referees", &chrome, "Your referees", p))
}

#[derive(FromForm)]
struct RefereeForm {
    #[field(default = String::new())]
    question: String,
    #[field(default = 0)]
    position: usize,
    #[field(default = String::new())]
    name: String,
    #[field(default = String::new())]
    email: String,
    #[field(default = String::new())]
    relationship: String,
    #[field(default = String::new())]
    waiver: String,
}

/// Names a referee. After the session ended, the form is kept while the
/// applicant logs in again (see [`super::stash`]).
#[expect(clippy::too_many_arguments, reason = "one guard per concern")]
#[post("/applications/<id>/referees", data = "<form>")]
async fn name_referee(
    ended: EndedSession,
    who: std::result::Result<Applicant, ()>,
    ctx: &State<Ctx>,
    chrome: Chrome,
    ip: ClientIp,
    cookies: &CookieJar<'_>,
    secure: SecureCookies,
    id: ApplicationId,
    form: Form<RefereeForm>,
) -> Result<Either<Flash<Redirect>, Either<(Status, Template), Status>>> {
    let who = match who {
        Ok(who) => who,
        Err(()) if ended.0 => {
            let form = form.into_inner();
            let payload = RefereePayload {
                question: form.question,
                position: form.position,
                name: form.name,
                email: form.email,
                relationship: form.relationship,
                waiver: form.waiver,
            };
            let kept = stash::keep_referee(ctx, cookies, secure.0, id, payload).await?;
            return Ok(Either::Left(kept));
        }
        Err(()) => return Ok(Either::Right(Either::Right(Status::Unauthorized))),
    };
    let back = Redirect::to(format!("/apply/applications/{id}/referees"));
    let input = RefereeInput {
        question: &form.question,
        position: form.position,
        name: &form.name,
        email: &form.email,
        relationship: &form.relationship,
        waiver: &form.waiver,
    };
    let (status, errors) = match referees::name_referee(ctx, &who, &ip, id, input).await {
        Ok(r) => {
            return Ok(Either::Left(Flash::success(
                back,
                format!("We sent {} a request for a letter, at {}.", r.name, r.email),
            )))
        }
        Err(app::Error::Refused(message)) => return Ok(Either::Left(Flash::error(back, message))),
        Err(app::Error::Invalid(errors)) => (Status::UnprocessableEntity, errors),
        Err(app::Error::OverMailLimit(limit)) => {
            let mut errors = FormErrors::default();
            let field = format!("{}-{}-email", form.question, form.position);
            errors.add(&field, limit.message());
            (Status::TooManyRequests, errors)
        }
        Err(e) => return Err(e.into()),
    };
    let o = owned_application(ctx, &who, id).await?;
    let p = page(ctx, &o, errors, Some(&form)).await?;
    Ok(Either::Right(Either::Left((
        status,
        render("apply/referees", &chrome, "Error: Your referees", p),
    ))))
}

#[post("/applications/<id>/referees/<rid>/resend")]
async fn resend(
    who: Applicant,
    ctx: &State<Ctx>,
    ip: ClientIp,
    id: ApplicationId,
    rid: i64,
) -> Result<Flash<Redirect>> {
    let back = Redirect::to(format!("/apply/applications/{id}/referees"));
    match referees::resend_request(ctx, &who, &ip, id, rid).await {
        Err(app::Error::OverMailLimit(limit)) => Ok(Flash::error(back, limit.message())),
        outcome => told(outcome, back, |name| {
            format!("We sent {name} a new link. The earlier one no longer works.")
        }),
    }
}

#[post("/applications/<id>/referees/<rid>/remove")]
async fn remove(
    who: Applicant,
    ctx: &State<Ctx>,
    id: ApplicationId,
    rid: i64,
) -> Result<Flash<Redirect>> {
    let back = Redirect::to(format!("/apply/applications/{id}/referees"));
    let outcome = referees::remove_referee(ctx, &who, id, rid).await;
    told(outcome, back, |name| {
        format!("{name} is no longer a referee; their link no longer works.")
    })
}
