//! Messages to a cycle's applicants (`/manage/cycles/<id>/messages`):
//! write from a template, preview for the first recipient with the count,
//! send, and read what was sent and to whom; and the cycle's automatic
//! reminders. The work is `app::messages`'.

use rocket::form::Form;
use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use rocket::{get, post, routes, Either, FromForm, Route, State};
use rocket_dyn_templates::Template;
use serde::Serialize;

use crate::app;
use crate::app::messages::{self as use_case, Draft, Preview};
use crate::auth::guards::Manager;
use crate::context::Ctx;
use crate::domain::cycle::CycleId;
use crate::domain::message::MAX_REMINDER_DAYS;
use crate::web::page::{invalid, render, Chrome, ClientIp, FormErrors};
use crate::web::Result;

pub fn routes() -> Vec<Route> {
    routes![show_messages, write_message, set_reminders, show_message]
}

/// Messages listed on the page (the newest).
const LISTED: i64 = 20;
/// Recipients a page of a message's record shows.
const RECIPIENTS_PAGE: i64 = 100;

#[derive(Serialize)]
struct Choice {
    value: String,
    label: String,
    selected: bool,
}

#[derive(Serialize)]
struct FieldRow {
    name: &'static str,
    meaning: &'static str,
}

#[derive(Serialize)]
struct PreviewView {
    audience: String,
    count: i64,
    one: bool,
    sample_name: String,
    subject: String,
    text: String,
}

#[derive(Serialize)]
struct SentRow {
    id: i64,
    subject: String,
    audience: String,
    recipients: i64,
    sent_at: String,
    sender: String,
}

#[derive(Serialize, Default)]
struct Typed {
    audience: String,
    subject: String,
    body: String,
    /// The reminder days as typed; `None`: as stored.
    draft_days: Option<String>,
    referee_days: Option<String>,
}

#[derive(Serialize)]
struct MessagesPage {
    cycle_id: CycleId,
    cycle_name: String,
    audiences: Vec<Choice>,
    fields: Vec<FieldRow>,
    typed: Typed,
    preview: Option<PreviewView>,
    max_days: i64,
    sent: Vec<SentRow>,
    errors: FormErrors,
}

async fn page(
    ctx: &Ctx,
    who: &Manager,
    id: CycleId,
    mut typed: Typed,
    preview: Option<Preview>,
    errors: FormErrors,
) -> Result<MessagesPage> {
    let o = use_case::overview(ctx, who, id, LISTED).await?;
    let days = |d: Option<i64>| d.map(|d| d.to_string()).unwrap_or_default();
    typed
        .draft_days
        .get_or_insert_with(|| days(o.reminders.draft_days));
    typed
        .referee_days
        .get_or_insert_with(|| days(o.reminders.referee_days));
    let c = o.cycle;
    Ok(MessagesPage {
        cycle_id: id,
        audiences: o
            .audiences
            .into_iter()
            .map(|(value, label)| Choice {
                selected: value == typed.audience,
                value,
                label,
            })
            .collect(),
        fields: crate::domain::message::fields()
            .into_iter()
            .map(|f| FieldRow {
                name: f.name,
                meaning: f.meaning,
            })
            .collect(),
        preview: preview.map(|p| PreviewView {
            audience: p.audience,
            one: p.count == 1,
            count: p.count,
            sample_name: p.sample_name,
            subject: p.sample.subject,
            text: p.sample.text,
        }),
        max_days: MAX_REMINDER_DAYS,
        sent: o
            .sent
            .into_iter()
            .map(|s| SentRow {
                id: s.message.id,
                subject: s.message.subject,
                audience: s.audience,
                recipients: s.message.recipients,
                sent_at: c.cycle.show_short(s.message.created_at),
                sender: s.message.sender.unwrap_or_else(|| "A former user".into()),
            })
            .collect(),
        cycle_name: c.cycle.name,
        typed,
        errors,
    })
}

fn shown(status: Status, chrome: &Chrome, view: MessagesPage) -> (Status, Template) {
    let title = format!("Messages to applicants – {}", view.cycle_name);
    if status == Status::Ok {
        (status, render("manage/messages", chrome, &title, view))
    } else {
        invalid("manage/messages", chrome, &title, view)
    }
}

#[get("/cycles/<id>/messages?<to>")]
async fn show_messages(
    who: Manager,
    ctx: &State<Ctx>,
    chrome: Chrome,
    id: CycleId,
    to: Option<&str>,
) -> Result<(Status, Template)> {
    let typed = Typed {
        audience: to.unwrap_or_default().to_owned(),
        body: "Dear {{applicant_name}},\n\n".to_owned(),
        ..Typed::default()
    };
    let view = page(ctx, &who, id, typed, None, FormErrors::default()).await?;
    Ok(shown(Status::Ok, &chrome, view))
}

#[derive(FromForm)]
struct MessageForm {
    #[field(default = String::new())]
    audience: String,
    #[field(default = String::new())]
    subject: String,
    #[field(default = String::new())]
    body: String,
    #[field(default = String::new())]
    action: String,
    /// The count the manager saw in the preview (sending only).
    expected: Option<i64>,
}

#[post("/cycles/<id>/messages", data = "<form>")]
async fn write_message(
    who: Manager,
    ctx: &State<Ctx>,
    chrome: Chrome,
    ip: ClientIp,
    id: CycleId,
    form: Form<MessageForm>,
) -> Result<Either<Flash<Redirect>, (Status, Template)>> {
    let draft = Draft {
        audience: &form.audience,
        subject: &form.subject,
        body: &form.body,
    };
    let typed = Typed {
        audience: form.audience.clone(),
        subject: form.subject.clone(),
        body: form.body.clone(),
        ..Typed::default()
    };
    // Sending needs the count seen in a preview; without one it previews.
    let sending = form.action == "send" && form.expected.is_some();
    let mut errors = FormErrors::default();
    if sending {
        let expected = form.expected.unwrap_or_default();
        match use_case::send(ctx, &who, &ip, id, draft, expected).await {
            Ok((message, n)) => {
                let said = format!(
                    "The message is on its way to {n} applicant{}: one email each, sent by the outbox in the next minutes.",
                    if n == 1 { "" } else { "s" }
                );
                return Ok(Either::Left(Flash::success(
                    Redirect::to(format!("/manage/cycles/{id}/messages/{message}")),
                    said,
                )));
            }
            Err(app::Error::Invalid(e)) => errors = e,
            Err(e) => return Err(e.into()),
        }
    }
    // A preview: asked for, or again after a refused send (the count may
    // have changed, and the new one is shown beside the reason).
    let preview = match use_case::preview(ctx, &who, id, draft).await {
        Ok(p) => Some(p),
        Err(app::Error::Invalid(e)) => {
            errors = e;
            None
        }
        Err(e) => return Err(e.into()),
    };
    let status = if errors.is_empty() {
        Status::Ok
    } else {
        Status::UnprocessableEntity
    };
    let view = page(ctx, &who, id, typed, preview, errors).await?;
    Ok(Either::Right(shown(status, &chrome, view)))
}

#[derive(FromForm)]
struct RemindersForm {
    #[field(default = String::new())]
    draft_days: String,
    #[field(default = String::new())]
    referee_days: String,
}

#[post("/cycles/<id>/reminders", data = "<form>")]
async fn set_reminders(
    who: Manager,
    ctx: &State<Ctx>,
    chrome: Chrome,
    ip: ClientIp,
    id: CycleId,
    form: Form<RemindersForm>,
) -> Result<Either<Flash<Redirect>, (Status, Template)>> {
    match use_case::set_reminders(ctx, &who, &ip, id, &form.draft_days, &form.referee_days).await {
        Ok(s) => {
            let said = match (s.draft_days, s.referee_days) {
                (None, None) => "Automatic reminders are off for this cycle.".to_owned(),
                _ => "Automatic reminders are saved. Each applicant gets each reminder once."
                    .to_owned(),
            };
            Ok(Either::Left(Flash::success(
                Redirect::to(format!("/manage/cycles/{id}/messages#reminders-h")),
                said,
            )))
        }
        Err(app::Error::Invalid(errors)) => {
            let typed = Typed {
                body: "Dear {{applicant_name}},\n\n".to_owned(),
                draft_days: Some(form.draft_days.clone()),
                referee_days: Some(form.referee_days.clone()),
                ..Typed::default()
            };
            let view = page(ctx, &who, id, typed, None, errors).await?;
            Ok(Either::Right(shown(
                Status::UnprocessableEntity,
                &chrome,
                view,
            )))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Serialize)]
struct RecipientRow {
    id: i64,
    name: String,
    draft: bool,
}

#[derive(Serialize)]
struct MessagePage {
    cycle_id: CycleId,
    message_id: i64,
    cycle_name: String,
    subject: String,
    body: String,
    audience: String,
    recipients: i64,
    sent_at: String,
    sender: String,
    to: Vec<RecipientRow>,
    next: Option<i64>,
    first_page: bool,
}

#[get("/cycles/<id>/messages/<message>?<after>")]
async fn show_message(
    who: Manager,
    ctx: &State<Ctx>,
    chrome: Chrome,
    id: CycleId,
    message: i64,
    after: Option<i64>,
) -> Result<Template> {
    let after = after.unwrap_or(0).max(0);
    let use_case::Record {
        cycle: c,
        sent: m,
        to,
    } = use_case::record(ctx, &who, id, message, after, RECIPIENTS_PAGE + 1).await?;
    let more = to.len() as i64 > RECIPIENTS_PAGE;
    let to: Vec<RecipientRow> = to
        .into_iter()
        .take(RECIPIENTS_PAGE as usize)
        .map(|r| RecipientRow {
            id: r.application.0,
            name: r.name,
            draft: r.draft,
        })
        .collect();
    let view = MessagePage {
        cycle_id: id,
        message_id: message,
        cycle_name: c.cycle.name.clone(),
        next: if more { to.last().map(|r| r.id) } else { None },
        first_page: after == 0,
        subject: m.message.subject,
        body: m.message.body,
        audience: m.audience,
        recipients: m.message.recipients,
        sent_at: c.cycle.show(m.message.created_at),
        sender: m.message.sender.unwrap_or_else(|| "A former user".into()),
        to,
    };
    let title = format!("Message: {}", view.subject);
    Ok(render("manage/message", &chrome, &title, view))
}
