//! Mail to applicants about their applications that is not a decision: a
//! message a manager wrote to many, and the automatic reminders (a draft
//! not submitted, letters not received), which the applicant can stop.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{authored, send, Envelope};
use crate::db::mail_preferences::Reminder;
use crate::db::Exec;
use crate::domain::application::ApplicationId;
use crate::domain::letter::Rendered;
use crate::domain::message::ReminderKind;
use crate::mail::Mail;

/// A manager's message to one applicant, queued once per message and
/// application (`message`); `false` when it was queued before.
pub async fn applicant_message(
    ex: Exec<'_>,
    mail: &Mail,
    message: i64,
    application: ApplicationId,
    (to, to_name): (&str, &str),
    rendered: &Rendered,
    now: DateTime<Utc>,
) -> anyhow::Result<bool> {
    let key = format!("message:{message}:{application}");
    authored(
        ex,
        mail,
        "applicant_message",
        &key,
        (to, to_name),
        rendered,
        now,
    )
    .await
}

/// What an automatic reminder to an applicant says.
#[derive(Serialize)]
pub struct ReminderFacts<'a> {
    pub name: &'a str,
    pub program: &'a str,
    pub cycle: &'a str,
    /// The deadline it is about, in the cycle's time zone.
    pub deadline: &'a str,
    /// The referees who have not answered (letters reminder only).
    pub referees: &'a [String],
}

/// Queues an automatic reminder of `kind` (once per application): the
/// draft reminder links to the application, the letters reminder to its
/// referees page.
pub async fn applicant_reminder(
    ex: Exec<'_>,
    mail: &Mail,
    kind: ReminderKind,
    application: ApplicationId,
    to: &str,
    facts: &ReminderFacts<'_>,
    now: DateTime<Utc>,
) -> anyhow::Result<bool> {
    #[derive(Serialize)]
    struct Ctx<'a> {
        #[serde(flatten)]
        facts: &'a ReminderFacts<'a>,
        link: String,
    }
    let (template, path) = match kind {
        ReminderKind::Draft => ("draft_reminder", ""),
        ReminderKind::Referees => ("letters_reminder", "/referees"),
    };
    let ctx = Ctx {
        facts,
        link: mail.link(&format!("/apply/applications/{application}{path}")),
    };
    let key = format!("{template}:{application}");
    let envelope = Envelope {
        key: &key,
        kind: template,
        to,
        to_name: Some(facts.name),
        secret: None,
        replaces_waiting: false,
        reminder: Some(Reminder::Applicant),
    };
    send(ex, mail, &envelope, &ctx, now).await
}
