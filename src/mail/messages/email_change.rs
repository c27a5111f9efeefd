//! The two messages of a change of email address: the link to the new
//! address, and the notice to the old one once the change is made.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{queue, send, Envelope};
use crate::db::Exec;
use crate::domain::user::User;
use crate::mail::Mail;

/// The link, to the new address, that makes it the account's.
#[expect(clippy::too_many_arguments, reason = "one message's facts")]
pub async fn email_change(
    ex: Exec<'_>,
    mail: &Mail,
    user: &User,
    new_email: &str,
    token: &str,
    change_id: i64,
    until: DateTime<Utc>,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    #[derive(Serialize)]
    struct Ctx<'a> {
        name: &'a str,
        old_email: &'a str,
        new_email: &'a str,
        link: String,
        until: String,
    }
    let ctx = Ctx {
        name: &user.name,
        old_email: &user.email,
        new_email,
        link: mail.link(&format!("/account/email/{token}")),
        until: crate::domain::cycle::show_in(chrono_tz::UTC, until),
    };
    let envelope = Envelope {
        key: &format!("email_change:{change_id}"),
        kind: "email_change",
        to: new_email,
        to_name: Some(&user.name),
        secret: Some(token),
        replaces_waiting: true,
        reminder: None,
    };
    send(ex, mail, &envelope, &ctx, now).await?;
    Ok(())
}

/// The notice, to the old address, that the account has a new one, so
/// that an owner who did not ask for it can react.
pub async fn email_changed(
    ex: Exec<'_>,
    mail: &Mail,
    user: &User,
    new_email: &str,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    #[derive(Serialize)]
    struct Ctx<'a> {
        name: &'a str,
        new_email: &'a str,
    }
    let ctx = Ctx {
        name: &user.name,
        new_email,
    };
    let key = format!("email_changed:{}:{}", user.id, now.timestamp_micros());
    queue(
        ex,
        mail,
        &key,
        "email_changed",
        &user.email,
        Some(&user.name),
        &ctx,
        now,
    )
    .await?;
    Ok(())
}
