//! One function per message the portal sends. Each renders its templates
//! and queues the result in the outbox through the caller's transaction;
//! the caller wakes the worker after committing.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::layout::Signed;
use super::Mail;

mod applicants;
mod email_change;
use crate::db::mail_preferences::{self, Reminder};
use crate::db::{outbox, Exec};
use crate::domain::application::ApplicationId;
use crate::domain::user::{User, UserId};
pub use applicants::{applicant_message, applicant_reminder, ReminderFacts};
pub use email_change::{email_change, email_changed};

/// Hours an email confirmation link stays valid.
pub const CONFIRM_HOURS: i64 = 24;
/// Minutes a password reset link stays valid.
pub const RESET_MINUTES: i64 = 60;

#[expect(clippy::too_many_arguments, reason = "a message has this many facts")]
async fn queue(
    ex: Exec<'_>,
    mail: &Mail,
    key: &str,
    kind: &str,
    to: &str,
    to_name: Option<&str>,
    context: &impl Serialize,
    now: DateTime<Utc>,
) -> anyhow::Result<bool> {
    let envelope = Envelope {
        key,
        kind,
        to,
        to_name,
        secret: None,
        replaces_waiting: false,
        reminder: None,
    };
    send(ex, mail, &envelope, context, now).await
}

/// Where a message goes and how it is queued.
struct Envelope<'a> {
    key: &'a str,
    /// The template, and the message's kind in the outbox.
    kind: &'a str,
    to: &'a str,
    /// The recipient's name, when the portal knows it.
    to_name: Option<&'a str>,
    /// A working link's secret in the bodies, removed once sent.
    secret: Option<&'a str>,
    /// Rewrite a message of this kind to this address that is still
    /// waiting, instead of queueing another.
    replaces_waiting: bool,
    /// The kind of reminder this is, which its recipient can stop.
    reminder: Option<Reminder>,
}

/// Renders and queues a message; `false` when nothing new was queued.
async fn send(
    ex: Exec<'_>,
    mail: &Mail,
    e: &Envelope<'_>,
    context: &impl Serialize,
    now: DateTime<Utc>,
) -> anyhow::Result<bool> {
    let mut ex = ex;
    let sender = mail.sender_now(ex.reborrow()).await?;
    // Every template may name the organisation and its contact address.
    let mut context = serde_json::to_value(context)?;
    if let Some(fields) = context.as_object_mut() {
        fields.insert("organisation".into(), sender.organisation.clone().into());
        fields.insert("contact".into(), sender.contact.clone().into());
    }
    let r = mail.templates.render(e.kind, &context)?;
    let unsubscribe = match e.reminder {
        Some(_) => Some(stop_link(ex.reborrow(), mail, e.to, now).await?),
        None => None,
    };
    let (text, html) = mail.finish(
        &sender,
        &r.subject,
        &r.text,
        &r.html,
        Signed::Yes,
        unsubscribe.as_deref(),
    );
    let message = outbox::NewMessage {
        key: e.key,
        kind: e.kind,
        recipient: e.to,
        recipient_name: e.to_name,
        subject: &r.subject,
        text_body: &text,
        html_body: &html,
        secret: e.secret,
        unsubscribe_url: unsubscribe.as_deref(),
    };
    if e.replaces_waiting && outbox::replace_waiting(ex.reborrow(), &message).await? {
        return Ok(false);
    }
    Ok(outbox::enqueue(ex, &message, now).await?)
}

/// The address of the page where `email` stops (or restarts) reminders.
async fn stop_link(
    ex: Exec<'_>,
    mail: &Mail,
    email: &str,
    now: DateTime<Utc>,
) -> anyhow::Result<String> {
    let fresh = crate::auth::token::generate();
    let token = mail_preferences::token_for(ex, email, &fresh, now).await?;
    Ok(mail.link(&format!("{STOP_PATH}/{token}")))
}

/// Where the page that stops reminders is mounted (its token follows).
pub const STOP_PATH: &str = "/mail/reminders";

/// The link that confirms a new account's email address.
pub async fn confirm_email(
    ex: Exec<'_>,
    mail: &Mail,
    user: &User,
    token: &str,
    token_id: i64,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    #[derive(Serialize)]
    struct Ctx<'a> {
        name: &'a str,
        link: String,
        hours: i64,
    }
    let ctx = Ctx {
        name: &user.name,
        link: mail.link(&format!("/account/confirm/{token}")),
        hours: CONFIRM_HOURS,
    };
    let envelope = Envelope {
        key: &format!("confirm_email:{token_id}"),
        kind: "confirm_email",
        to: &user.email,
        to_name: Some(&user.name),
        secret: Some(token),
        replaces_waiting: true,
        reminder: None,
    };
    send(ex, mail, &envelope, &ctx, now).await?;
    Ok(())
}

/// The link that sets a new password.
pub async fn reset_password(
    ex: Exec<'_>,
    mail: &Mail,
    user: &User,
    token: &str,
    token_id: i64,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    #[derive(Serialize)]
    struct Ctx<'a> {
        name: &'a str,
        link: String,
        minutes: i64,
    }
    let ctx = Ctx {
        name: &user.name,
        link: mail.link(&format!("/account/reset/{token}")),
        minutes: RESET_MINUTES,
    };
    let envelope = Envelope {
        key: &format!("reset_password:{token_id}"),
        kind: "reset_password",
        to: &user.email,
        to_name: Some(&user.name),
        secret: Some(token),
        replaces_waiting: true,
        reminder: None,
    };
    send(ex, mail, &envelope, &ctx, now).await?;
    Ok(())
}

/// Tells the owner of an address that someone tried to register it again
/// (the registration page answers the same as for a new address, so that
/// it cannot tell who has an account).
pub async fn account_exists(
    ex: Exec<'_>,
    mail: &Mail,
    user: &User,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    #[derive(Serialize)]
    struct Ctx<'a> {
        name: &'a str,
        login_link: String,
        reset_link: String,
    }
    let ctx = Ctx {
        name: &user.name,
        login_link: mail.link("/account/login"),
        reset_link: mail.link("/account/forgot"),
    };
    let envelope = Envelope {
        key: &format!("account_exists:{}:{}", user.id, now.timestamp_micros()),
        kind: "account_exists",
        to: &user.email,
        to_name: Some(&user.name),
        secret: None,
        replaces_waiting: true,
        reminder: None,
    };
    send(ex, mail, &envelope, &ctx, now).await?;
    Ok(())
}

/// A notice that the password was changed, so that an owner who did not do
/// it can react.
pub async fn password_changed(
    ex: Exec<'_>,
    mail: &Mail,
    user: &User,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    #[derive(Serialize)]
    struct Ctx<'a> {
        name: &'a str,
        reset_link: String,
    }
    let ctx = Ctx {
        name: &user.name,
        reset_link: mail.link("/account/forgot"),
    };
    let key = format!("password_changed:{}:{}", user.id, now.timestamp_micros());
    let to_name = Some(user.name.as_str());
    queue(
        ex,
        mail,
        &key,
        "password_changed",
        &user.email,
        to_name,
        &ctx,
        now,
    )
    .await?;
    Ok(())
}

/// The confirmation that an application was submitted.
pub async fn application_submitted(
    ex: Exec<'_>,
    mail: &Mail,
    user: &User,
    application_id: ApplicationId,
    program: &str,
    cycle: &str,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    #[derive(Serialize)]
    struct Ctx<'a> {
        name: &'a str,
        program: &'a str,
        cycle: &'a str,
        link: String,
    }
    let ctx = Ctx {
        name: &user.name,
        program,
        cycle,
        link: mail.link(&format!("/apply/applications/{application_id}")),
    };
    let key = format!("application_submitted:{application_id}");
    queue(
        ex,
        mail,
        &key,
        "application_submitted",
        &user.email,
        Some(&user.name),
        &ctx,
        now,
    )
    .await?;
    Ok(())
}

/// What a letter request to a referee says.
#[derive(Serialize)]
pub struct RefereeRequest<'a> {
    pub referee_name: &'a str,
    pub applicant_name: &'a str,
    pub program: &'a str,
    /// When letters are due, in the cycle's time zone.
    pub due: &'a str,
    /// A letter of support for a nomination, rather than a letter of
    /// recommendation for the applicant.
    pub support: bool,
}

/// Asks a referee for a letter (or reminds them), with their own link.
#[expect(clippy::too_many_arguments, reason = "one message has this many facts")]
pub async fn referee_request(
    ex: Exec<'_>,
    mail: &Mail,
    kind: RefereeMessage,
    request_id: i64,
    to: &str,
    token: &str,
    ctx: &RefereeRequest<'_>,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    #[derive(Serialize)]
    struct Ctx<'a> {
        #[serde(flatten)]
        request: &'a RefereeRequest<'a>,
        link: String,
    }
    let full = Ctx {
        request: ctx,
        link: mail.link(&format!("/referee/{token}")),
    };
    let (template, key) = match kind {
        RefereeMessage::Request => (
            "referee_request",
            format!(
                "referee_request:{request_id}:{}",
                &crate::auth::token::hash(token)[..16]
            ),
        ),
        RefereeMessage::Reminder => ("referee_reminder", format!("referee_reminder:{request_id}")),
    };
    let envelope = Envelope {
        key: &key,
        kind: template,
        to,
        to_name: Some(ctx.referee_name),
        secret: Some(token),
        replaces_waiting: false,
        // A first request must reach the referee; only reminders can stop.
        reminder: (kind == RefereeMessage::Reminder).then_some(Reminder::Referee),
    };
    send(ex, mail, &envelope, &full, now).await?;
    Ok(())
}

/// Which letter-request message to send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefereeMessage {
    Request,
    Reminder,
}

/// What a thank-you to a referee says.
#[derive(Serialize)]
pub struct RefereeThanks<'a> {
    pub referee_name: &'a str,
    pub applicant_name: &'a str,
    pub program: &'a str,
    pub declined: bool,
}

/// Thanks a referee for their answer.
pub async fn referee_thanks(
    ex: Exec<'_>,
    mail: &Mail,
    request_id: i64,
    to: &str,
    ctx: &RefereeThanks<'_>,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    queue(
        ex,
        mail,
        &format!("referee_thanks:{request_id}"),
        "referee_thanks",
        to,
        Some(ctx.referee_name),
        ctx,
        now,
    )
    .await?;
    Ok(())
}

/// Who a review message is for.
pub struct ReviewerAddress<'a> {
    pub id: UserId,
    pub name: &'a str,
    pub email: &'a str,
}

/// One digest per reviewer and batch of assignments: how many, which
/// (by reference only: never an applicant's name, so blind cycles stay
/// blind in mail too) and when they are due.
#[expect(clippy::too_many_arguments, reason = "one digest has this many facts")]
pub async fn review_assigned(
    ex: Exec<'_>,
    mail: &Mail,
    to: &ReviewerAddress<'_>,
    batch: i64,
    program: &str,
    cycle: &str,
    applications: &[ApplicationId],
    due: &str,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    #[derive(Serialize)]
    struct Ctx<'a> {
        name: &'a str,
        program: &'a str,
        cycle: &'a str,
        count: usize,
        plural: bool,
        references: Vec<String>,
        due: &'a str,
        link: String,
    }
    let ctx = Ctx {
        name: to.name,
        program,
        cycle,
        count: applications.len(),
        plural: applications.len() != 1,
        references: applications.iter().map(|a| format!("#{a}")).collect(),
        due,
        link: mail.link("/review"),
    };
    let key = format!("review_assigned:{}:{batch}", to.id);
    let name = Some(to.name);
    queue(ex, mail, &key, "review_assigned", to.email, name, &ctx, now).await?;
    Ok(())
}

/// Overdue reviews of one cycle, for a reminder.
#[derive(Serialize)]
pub struct OverdueIn {
    pub program: String,
    pub cycle: String,
    pub overdue: i64,
}

/// A reminder of overdue reviews; at most one per reviewer and day (the
/// key names the day), however often it is asked for.
pub async fn review_reminder(
    ex: Exec<'_>,
    mail: &Mail,
    to: &ReviewerAddress<'_>,
    cycles: &[OverdueIn],
    now: DateTime<Utc>,
) -> anyhow::Result<bool> {
    #[derive(Serialize)]
    struct Ctx<'a> {
        name: &'a str,
        count: i64,
        plural: bool,
        cycles: &'a [OverdueIn],
        link: String,
    }
    let count = cycles.iter().map(|c| c.overdue).sum();
    let ctx = Ctx {
        name: to.name,
        count,
        plural: count != 1,
        cycles,
        link: mail.link("/review"),
    };
    let key = format!("review_reminder:{}:{}", to.id, now.format("%Y-%m-%d"));
    let envelope = Envelope {
        key: &key,
        kind: "review_reminder",
        to: to.email,
        to_name: Some(to.name),
        secret: None,
        replaces_waiting: false,
        reminder: Some(Reminder::Review),
    };
    send(ex, mail, &envelope, &ctx, now).await
}

/// What a manager is told when a reviewer declares a conflict.
#[derive(Serialize)]
pub struct ConflictDeclared<'a> {
    pub reviewer: &'a str,
    pub reference: String,
    pub program: &'a str,
    pub cycle: &'a str,
    pub reason: &'a str,
    pub remaining: usize,
    pub one_left: bool,
}

/// Tells one manager of a declared conflict.
pub async fn conflict_declared(
    ex: Exec<'_>,
    mail: &Mail,
    manager: &ReviewerAddress<'_>,
    application: ApplicationId,
    reviewer: UserId,
    facts: &ConflictDeclared<'_>,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    #[derive(Serialize)]
    struct Ctx<'a> {
        name: &'a str,
        link: String,
        #[serde(flatten)]
        facts: &'a ConflictDeclared<'a>,
    }
    let ctx = Ctx {
        name: manager.name,
        link: mail.link(&format!("/manage/applications/{application}")),
        facts,
    };
    let key = format!("conflict_declared:{application}:{reviewer}:{}", manager.id);
    queue(
        ex,
        mail,
        &key,
        "conflict_declared",
        manager.email,
        Some(manager.name),
        &ctx,
        now,
    )
    .await?;
    Ok(())
}

/// A decision letter, rendered from the cycle's template, under `key`
/// (one per application and purpose); `false` when that key was queued
/// before.
pub async fn decision_letter(
    ex: Exec<'_>,
    mail: &Mail,
    key: &str,
    to: &str,
    to_name: &str,
    letter: &crate::domain::letter::Rendered,
    now: DateTime<Utc>,
) -> anyhow::Result<bool> {
    authored(ex, mail, "decision_letter", key, (to, to_name), letter, now).await
}

/// Queues a message a manager wrote (rendered from their template) as
/// `kind` under `key`, signed by its author; `false` when that key was
/// queued before.
async fn authored(
    ex: Exec<'_>,
    mail: &Mail,
    kind: &str,
    key: &str,
    (to, to_name): (&str, &str),
    letter: &crate::domain::letter::Rendered,
    now: DateTime<Utc>,
) -> anyhow::Result<bool> {
    let mut ex = ex;
    let sender = mail.sender_now(ex.reborrow()).await?;
    let (text, html) = mail.finish(
        &sender,
        &letter.subject,
        &letter.text,
        &letter.html,
        Signed::ByItsAuthor,
        None,
    );
    let message = outbox::NewMessage {
        key,
        kind,
        recipient: to,
        recipient_name: Some(to_name),
        subject: &letter.subject,
        text_body: &text,
        html_body: &html,
        secret: None,
        unsubscribe_url: None,
    };
    Ok(outbox::enqueue(ex, &message, now).await?)
}

/// The confirmation of an applicant's answer to an offer.
pub async fn offer_answered(
    ex: Exec<'_>,
    mail: &Mail,
    user: &User,
    application_id: ApplicationId,
    program: &str,
    accepted: bool,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    #[derive(Serialize)]
    struct Ctx<'a> {
        name: &'a str,
        program: &'a str,
        accepted: bool,
        link: String,
    }
    let ctx = Ctx {
        name: &user.name,
        program,
        accepted,
        link: mail.link(&format!("/apply/applications/{application_id}")),
    };
    let key = format!("offer_answered:{application_id}");
    let to_name = Some(user.name.as_str());
    queue(
        ex,
        mail,
        &key,
        "offer_answered",
        &user.email,
        to_name,
        &ctx,
        now,
    )
    .await?;
    Ok(())
}

/// What a message about a moved closing date says.
#[derive(Serialize)]
pub struct ClosingDateMoved<'a> {
    pub name: &'a str,
    pub program: &'a str,
    pub cycle: &'a str,
    /// The old and new closing times, in the cycle's time zone.
    pub old: &'a str,
    pub new: &'a str,
}

/// Tells an applicant with an unsubmitted draft that the cycle's closing
/// date moved; one per application and recorded change (`change_id`).
pub async fn closing_date_moved(
    ex: Exec<'_>,
    mail: &Mail,
    to: &str,
    application_id: ApplicationId,
    change_id: i64,
    facts: &ClosingDateMoved<'_>,
    now: DateTime<Utc>,
) -> anyhow::Result<bool> {
    #[derive(Serialize)]
    struct Ctx<'a> {
        #[serde(flatten)]
        facts: &'a ClosingDateMoved<'a>,
        link: String,
    }
    let ctx = Ctx {
        facts,
        link: mail.link(&format!("/apply/applications/{application_id}")),
    };
    let key = format!("closing_date_moved:{application_id}:{change_id}");
    queue(
        ex,
        mail,
        &key,
        "closing_date_moved",
        to,
        Some(facts.name),
        &ctx,
        now,
    )
    .await
}

/// An invitation to a program role, with its link.
pub struct InvitationMail<'a> {
    pub to: &'a str,
    pub inviter: &'a str,
    pub program: &'a str,
    pub role: crate::domain::role::ProgramRole,
    /// The link's secret.
    pub token: &'a str,
    pub expires_at: DateTime<Utc>,
    /// The invitation's id and how many times it was sent: one message each.
    pub invitation: i64,
    pub sends: i64,
}

/// The invitation to review for or manage a program.
pub async fn invitation(
    ex: Exec<'_>,
    mail: &Mail,
    m: &InvitationMail<'_>,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    use crate::domain::role::ProgramRole;
    #[derive(Serialize)]
    struct Ctx<'a> {
        inviter: &'a str,
        program: &'a str,
        role: String,
        manager: bool,
        link: String,
        expires: String,
    }
    let manager = m.role == ProgramRole::Manager;
    let ctx = Ctx {
        inviter: m.inviter,
        program: m.program,
        role: m.role.label().to_lowercase(),
        manager,
        link: mail.link(&format!("/account/invitation/{}", m.token)),
        expires: crate::domain::cycle::show_in(chrono_tz::UTC, m.expires_at),
    };
    let envelope = Envelope {
        key: &format!("invitation:{}:{}", m.invitation, m.sends),
        kind: "invitation",
        to: m.to,
        to_name: None,
        secret: Some(m.token),
        replaces_waiting: false,
        reminder: None,
    };
    send(ex, mail, &envelope, &ctx, now).await?;
    Ok(())
}
