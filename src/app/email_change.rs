//! Changing an account's email address, confirmed from the new address: a
//! person asks for their own (with their password), or an admin for
//! someone's; a link is mailed to the new address, and following it (within
//! a day) makes the address the account's and tells the old address. The
//! page answers alike whether or not another account has the new address
//! (so that it cannot be used to learn who has an account); the link then
//! says the address is taken. Names no page or response type.

use chrono::{DateTime, Utc};

use super::accounts::LinkOutcome;
use super::{By, Error, FormErrors, Result};
use crate::auth::{password, token};
use crate::context::Ctx;
use crate::db::email_changes;
use crate::db::users;
use crate::domain::email::EmailAddress;
use crate::domain::user::{User, UserId};
use crate::mail::limits::{self, Ask};
use crate::mail::messages;

/// How long the link mailed to the new address works, in hours.
pub const VALID_HOURS: i64 = 24;

/// The mail was sent: to this address, with a link working until then.
#[derive(Debug, Clone)]
pub struct Asked {
    pub to: EmailAddress,
    pub until: DateTime<Utc>,
}

/// The new address as typed, checked against the account's current one.
fn new_address(errors: &mut FormErrors, user: &User, typed: &str) -> Option<EmailAddress> {
    let new = errors.check("email", EmailAddress::parse(typed))?;
    if new.as_str() == user.email {
        errors.add("email", "That is already the account’s address.");
        return None;
    }
    Some(new)
}

/// Asks to change the signed-in `user`'s address to `typed`, proved by
/// their `current_password`.
#[tracing::instrument(skip_all)]
pub async fn ask_own(
    ctx: &Ctx,
    user: &User,
    ip: Option<&str>,
    typed: &str,
    current_password: &str,
) -> Result<Asked> {
    let mut errors = FormErrors::default();
    let new = new_address(&mut errors, user, typed);
    let stored = {
        let mut conn = ctx.conn().await?;
        users::find_with_hash(conn.exec(), user.id)
            .await?
            .map(|(_, h)| h)
    };
    if current_password.is_empty() {
        errors.add("current_password", "Enter your current password.");
    } else if !password::verify(current_password, stored.as_deref()).await? {
        errors.add("current_password", "Your current password is not right.");
    }
    match new {
        Some(new) if errors.is_empty() => ask(ctx, &By::user(user.id, ip), user, new).await,
        _ => Err(Error::Invalid(errors)),
    }
}

/// An admin asks to change account `id`'s address to `typed`.
#[tracing::instrument(skip_all)]
pub async fn ask_for(
    ctx: &Ctx,
    admin: UserId,
    ip: Option<&str>,
    id: UserId,
    typed: &str,
) -> Result<Asked> {
    let user = {
        let mut conn = ctx.conn().await?;
        users::find(conn.exec(), id).await?.ok_or(Error::NotFound)?
    };
    let mut errors = FormErrors::default();
    match new_address(&mut errors, &user, typed) {
        Some(new) => ask(ctx, &By::user(admin, ip), &user, new).await,
        None => Err(Error::Invalid(errors)),
    }
}

/// Records the change waiting, mails the link to the new address and
/// records the request, in one transaction.
async fn ask(ctx: &Ctx, by: &By<'_>, user: &User, new: EmailAddress) -> Result<Asked> {
    let now = ctx.now();
    let until = now + chrono::Duration::hours(VALID_HOURS);
    let mut tx = ctx.begin().await?;
    let asking = Ask {
        recipient: new.as_str(),
        account: by.user,
        address: by.ip,
    };
    if let Err(limit) = limits::take(tx.exec(), &asking, now).await? {
        return Err(Error::OverMailLimit(limit));
    }
    let secret = token::generate();
    let requester = by.user.unwrap_or(user.id);
    let id = email_changes::create(
        tx.exec(),
        user.id,
        new.as_str(),
        &token::hash(&secret),
        requester,
        until,
        now,
    )
    .await?;
    messages::email_change(
        tx.exec(),
        &ctx.mail,
        user,
        new.as_str(),
        &secret,
        id,
        until,
        now,
    )
    .await?;
    by.audit(
        tx.exec(),
        "user.email_ask",
        &format!("user:{}", user.id),
        &format!("to {new}"),
        now,
    )
    .await?;
    tx.commit().await?;
    ctx.wake();
    Ok(Asked { to: new, until })
}

/// What following the link finds: whose account, and the new address.
#[derive(Debug, Clone)]
pub struct Waiting {
    pub name: String,
    pub old_email: String,
    pub new_email: String,
}

/// The change waiting behind link `secret`, if it still works.
#[tracing::instrument(skip_all)]
pub async fn open(ctx: &Ctx, secret: &str) -> LinkOutcome<Waiting> {
    let mut conn = ctx.conn().await?;
    let pending = match email_changes::find(conn.exec(), &token::hash(secret), ctx.now()).await? {
        Ok(p) => p,
        Err(problem) => return Ok(Err(problem)),
    };
    let user = users::find(conn.exec(), pending.user_id)
        .await?
        .ok_or(Error::NotFound)?;
    Ok(Ok(Waiting {
        name: user.name,
        old_email: user.email,
        new_email: pending.new_email,
    }))
}

/// How confirming went, when the link worked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Confirmed {
    /// The account has the new address now.
    Changed { new_email: String },
    /// Another account has the address: nothing changed.
    Taken { new_email: String },
}

/// Applies the change behind link `secret`: the account gets the new
/// address (confirmed), the old address is told, the change is recorded.
#[tracing::instrument(skip_all)]
pub async fn confirm(ctx: &Ctx, ip: Option<&str>, secret: &str) -> LinkOutcome<Confirmed> {
    let now = ctx.now();
    let mut tx = ctx.begin().await?;
    let pending = match email_changes::find(tx.exec(), &token::hash(secret), now).await? {
        Ok(p) => p,
        Err(problem) => return Ok(Err(problem)),
    };
    if !email_changes::mark_used(tx.exec(), pending.id, now).await? {
        return Ok(Err(crate::db::tokens::TokenProblem::Used));
    }
    let user = users::find(tx.exec(), pending.user_id)
        .await?
        .ok_or(Error::NotFound)?;
    if !users::set_email(tx.exec(), user.id, &pending.new_email, now).await? {
        // The link is used up all the same: the address is someone else's.
        tx.commit().await?;
        return Ok(Ok(Confirmed::Taken {
            new_email: pending.new_email,
        }));
    }
    messages::email_changed(tx.exec(), &ctx.mail, &user, &pending.new_email, now).await?;
    // Whoever follows the link proves the new address; the change is the
    // account's own.
    By::user(user.id, ip)
        .audit(
            tx.exec(),
            "user.email",
            &format!("user:{}", user.id),
            &format!("{} → {}", user.email, pending.new_email),
            now,
        )
        .await?;
    tx.commit().await?;
    ctx.wake();
    Ok(Ok(Confirmed::Changed {
        new_email: pending.new_email,
    }))
}
