//! One function per message the portal sends. Each renders its templates
//! and queues the result in the outbox through the caller's transaction;
//! the caller wakes the worker after committing.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::Mail;
use crate::db::{outbox, Exec};
use crate::domain::user::User;

/// Hours an email confirmation link stays valid.
pub const CONFIRM_HOURS: i64 = 24;
/// Minutes a password reset link stays valid.
pub const RESET_MINUTES: i64 = 60;

async fn queue(
    ex: Exec<'_>,
    mail: &Mail,
    key: &str,
    kind: &str,
    to: &str,
    context: &impl Serialize,
    now: DateTime<Utc>,
) -> anyhow::Result<bool> {
    let r = mail.templates.render(kind, context)?;
    let message = outbox::NewMessage {
        key,
        kind,
        recipient: to,
        subject: &r.subject,
        text_body: &r.text,
        html_body: &r.html,
    };
    Ok(outbox::enqueue(ex, &message, now).await?)
}

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
    queue(
        ex,
        mail,
        &format!("confirm_email:{token_id}"),
        "confirm_email",
        &user.email,
        &ctx,
        now,
    )
    .await?;
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
    queue(
        ex,
        mail,
        &format!("reset_password:{token_id}"),
        "reset_password",
        &user.email,
        &ctx,
        now,
    )
    .await?;
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
    queue(ex, mail, &key, "password_changed", &user.email, &ctx, now).await?;
    Ok(())
}
