//! Accounts: registering and confirming the email address, logging in and
//! out (with the throttle), and passwords (forgotten, reset through the
//! emailed link, changed by their owner).
//!
//! Cookies and the timing of answers that must not tell whether an
//! account exists stay with the web layer; what is stored and mailed is
//! decided here.

use chrono::{DateTime, Utc};

use crate::auth::guards::{ClientIp, SessionUser};
use crate::auth::throttle::{self, Attempt, LoginKeys};
use crate::auth::{password, token};
use crate::context::Ctx;
use crate::db::tokens::{Purpose, TokenProblem};
use crate::db::{self, roles, sessions, tokens, users};
use crate::domain::email::EmailAddress;
use crate::domain::password::{NewPassword, PasswordError};
use crate::domain::throttle::describe_wait;
use crate::domain::user::{PersonName, User};
use crate::mail::limits::{self, Ask};
use crate::mail::messages;

use super::{Error, FormErrors, Result};

/// What a link from an email did, or why it did nothing.
pub type LinkOutcome<T> = Result<std::result::Result<T, TokenProblem>>;

/// A registration, its fields already checked.
pub struct Registration {
    pub name: PersonName,
    pub email: EmailAddress,
    pub password: NewPassword,
}

/// Checks a new password and its confirmation, filing the mistake under
/// the field it is about.
pub fn check_new_password(
    errors: &mut FormErrors,
    password: &str,
    confirm: &str,
) -> Option<NewPassword> {
    match NewPassword::parse(password, confirm) {
        Ok(p) => Some(p),
        Err(e @ PasswordError::Mismatch) => {
            errors.add("password_confirm", e);
            None
        }
        Err(e) => {
            errors.add("password", e);
            None
        }
    }
}

/// Registers an account and mails its confirmation link; a taken address
/// gets a mail telling its owner instead, and the answer is the same.
/// Refused when the hourly mail limit of the address or the client is
/// reached.
#[tracing::instrument(skip_all)]
pub async fn register(ctx: &Ctx, ip: &ClientIp, input: Registration) -> Result<()> {
    // Hashed whether or not the address has an account: the same work and
    // the same answer either way.
    let hash = password::hash(input.password.expose()).await?;
    let now = ctx.now();
    let mut tx = ctx.begin().await?;
    let ask = Ask {
        recipient: input.email.as_str(),
        account: None,
        address: ip.as_deref(),
    };
    if let Err(limit) = limits::take(tx.exec(), &ask, now).await? {
        return Err(Error::OverMailLimit(limit));
    }
    match users::find_by_email(tx.exec(), input.email.as_str()).await? {
        // Its owner is told; the page says what it says for a new address.
        Some((owner, _)) => messages::account_exists(tx.exec(), &ctx.mail, &owner, now).await?,
        None => {
            let new_user = users::NewUser {
                email: input.email.as_str(),
                name: input.name.as_str(),
                password_hash: &hash,
                confirmed: false,
                is_admin: false,
                must_change_password: false,
            };
            match users::insert(tx.exec(), &new_user, now).await {
                Ok(id) => {
                    let user = users::find(tx.exec(), id)
                        .await?
                        .ok_or_else(|| anyhow::anyhow!("new user {id} vanished"))?;
                    send_confirmation(ctx, &mut tx, &user, now).await?;
                }
                // Registered by a request at the same moment: theirs stands.
                Err(e) if db::is_unique_violation(&e) => {}
                Err(e) => return Err(e.into()),
            }
        }
    }
    tx.commit().await?;
    ctx.wake();
    Ok(())
}

async fn send_confirmation(
    ctx: &Ctx,
    tx: &mut db::Tx,
    user: &User,
    now: DateTime<Utc>,
) -> Result<()> {
    let secret = token::generate();
    let expires = now + chrono::Duration::hours(messages::CONFIRM_HOURS);
    let token_id = tokens::create(
        tx.exec(),
        user.id,
        Purpose::ConfirmEmail,
        &token::hash(&secret),
        expires,
        now,
    )
    .await?;
    messages::confirm_email(tx.exec(), &ctx.mail, user, &secret, token_id, now).await?;
    Ok(())
}

/// Confirms the email address of the account the link `secret` was sent
/// to; the link works once, until it expires.
#[tracing::instrument(skip_all)]
pub async fn confirm_email(ctx: &Ctx, secret: &str) -> LinkOutcome<()> {
    let now = ctx.now();
    let mut tx = ctx.begin().await?;
    match tokens::consume(tx.exec(), Purpose::ConfirmEmail, &token::hash(secret), now).await? {
        Ok(user) => {
            users::confirm_email(tx.exec(), user, now).await?;
            tx.commit().await?;
            Ok(Ok(()))
        }
        Err(problem) => Ok(Err(problem)),
    }
}

/// Mails a fresh confirmation link if `email` names an account not yet
/// confirmed; does nothing otherwise, without telling which. Refused when
/// an hourly mail limit is reached.
#[tracing::instrument(skip_all)]
pub async fn resend_confirmation(ctx: &Ctx, ip: &ClientIp, email: &str) -> Result<()> {
    let email = EmailAddress::normalise_for_lookup(email);
    let now = ctx.now();
    let mut tx = ctx.begin().await?;
    let ask = Ask {
        recipient: &email,
        account: None,
        address: ip.as_deref(),
    };
    if let Err(limit) = limits::take(tx.exec(), &ask, now).await? {
        return Err(Error::OverMailLimit(limit));
    }
    if let Some((user, _)) = users::find_by_email(tx.exec(), &email).await? {
        if !user.email_confirmed {
            send_confirmation(ctx, &mut tx, &user, now).await?;
        }
    }
    tx.commit().await?;
    ctx.wake();
    Ok(())
}

/// A login attempt: the address as typed, the password, and whether this
/// browser logged in to that address before.
pub struct Credentials<'a> {
    pub email: &'a str,
    pub password: &'a str,
    pub known_device: bool,
}

/// A started session: its secret for the cookie, and whose it is.
pub struct LoggedIn {
    pub token: String,
    pub user: User,
    /// Whether the user is an admin or holds a program role (staff land
    /// where they always did; applicants on their applications).
    pub staff: bool,
}

/// Logs in: counts the attempt against the throttle, checks the password
/// and starts a session. Refused (in the words to show) while a wait is in
/// force; `Invalid` on the `email` field when the address or password is
/// wrong or the account is not confirmed (which is not told apart).
#[tracing::instrument(skip_all)]
pub async fn log_in(ctx: &Ctx, ip: &ClientIp, input: Credentials<'_>) -> Result<LoggedIn> {
    let email = EmailAddress::normalise_for_lookup(input.email);
    let now = ctx.now();
    let keys = LoginKeys::new(&email, ip.as_deref(), input.known_device);
    let wait = match throttle::count_attempt(&ctx.pool, &keys, now).await? {
        Attempt::Refused(until) => {
            ctx.metrics.login_throttled();
            // Neither the address nor the account is named: the request id ties it to the request.
            tracing::warn!("login throttled");
            return Err(Error::refused(too_many(until, now)));
        }
        Attempt::Counted(wait) => wait,
    };
    let mut conn = ctx.conn().await?;
    let found = users::find_by_email(conn.exec(), &email).await?;
    let matches = password::verify(input.password, found.as_ref().map(|(_, h)| h.as_str())).await?;
    // An account not yet confirmed gets the answer (and the count) of a
    // wrong password: it must not tell that a registration made an
    // account, since registering answers a new address and a taken one
    // alike.
    let user = match found {
        Some((user, _)) if matches && user.email_confirmed => user,
        _ => {
            ctx.metrics.login_failed();
            tracing::info!("login refused: wrong email or password, or not confirmed");
            let message = match wait {
                Some(until) => too_many(until, now),
                None => "The email address or password is not right. Check both and try again. \
                         If you have just created your account, open the confirmation link we \
                         sent first (no email? check your spam folder, or ask for a new link \
                         below)."
                    .to_owned(),
            };
            return Err(Error::invalid("email", message));
        }
    };
    if !user.active {
        // Told only to whoever knows the password.
        tracing::info!("login refused: account deactivated");
        return Err(Error::invalid(
            "email",
            "This account has been deactivated. If you need it again, write to the program team.",
        ));
    }
    throttle::succeeded(&ctx.pool, &keys).await?;
    let token = token::generate();
    sessions::create(conn.exec(), &token::hash(&token), user.id, now).await?;
    db::sign_ins::record(conn.exec(), user.id, ip.as_deref(), now).await?;
    let staff = user.is_admin || !roles::for_user(conn.exec(), user.id).await?.is_empty();
    Ok(LoggedIn { token, user, staff })
}

fn too_many(until: DateTime<Utc>, now: DateTime<Utc>) -> String {
    format!(
        "Too many failed attempts to log in. Please wait {} and try again, or reset your password.",
        describe_wait(until, now)
    )
}

/// Ends every session of `who`, on this device and others.
#[tracing::instrument(skip_all)]
pub async fn log_out(ctx: &Ctx, who: &SessionUser) -> Result<()> {
    let mut conn = ctx.conn().await?;
    sessions::delete_for_user(conn.exec(), who.user.id, None).await?;
    Ok(())
}

/// Mails a link to choose a new password if `email` has an active
/// account; does nothing otherwise (a deactivated account could not log in
/// with it), without telling which. Refused when an hourly mail limit is
/// reached.
#[tracing::instrument(skip_all)]
pub async fn forgot_password(ctx: &Ctx, ip: &ClientIp, email: &EmailAddress) -> Result<()> {
    let now = ctx.now();
    let mut tx = ctx.begin().await?;
    let ask = Ask {
        recipient: email.as_str(),
        account: None,
        address: ip.as_deref(),
    };
    if let Err(limit) = limits::take(tx.exec(), &ask, now).await? {
        return Err(Error::OverMailLimit(limit));
    }
    let found = users::find_by_email(tx.exec(), email.as_str()).await?;
    if let Some((user, _)) = found.filter(|(u, _)| u.active) {
        let secret = token::generate();
        let expires = now + chrono::Duration::minutes(messages::RESET_MINUTES);
        let id = tokens::create(
            tx.exec(),
            user.id,
            Purpose::ResetPassword,
            &token::hash(&secret),
            expires,
            now,
        )
        .await?;
        messages::reset_password(tx.exec(), &ctx.mail, &user, &secret, id, now).await?;
    }
    tx.commit().await?;
    ctx.wake();
    Ok(())
}

/// Whether the reset link `secret` still works (without using it up).
#[tracing::instrument(skip_all)]
pub async fn check_reset_link(ctx: &Ctx, secret: &str) -> LinkOutcome<()> {
    let mut conn = ctx.conn().await?;
    let found = tokens::peek(
        conn.exec(),
        Purpose::ResetPassword,
        &token::hash(secret),
        ctx.now(),
    )
    .await?;
    Ok(found.map(|_| ()))
}

/// Sets a new password through the emailed reset link `secret`: it also
/// confirms the address, ends every session, lifts the login wait of the
/// account and mails its owner that the password changed.
#[tracing::instrument(skip_all)]
pub async fn reset_password(ctx: &Ctx, secret: &str, new: NewPassword) -> LinkOutcome<()> {
    let hash = password::hash(new.expose()).await?;
    let now = ctx.now();
    let mut tx = ctx.begin().await?;
    let user_id = match tokens::consume(
        tx.exec(),
        Purpose::ResetPassword,
        &token::hash(secret),
        now,
    )
    .await?
    {
        Ok(id) => id,
        Err(problem) => return Ok(Err(problem)),
    };
    users::set_password(tx.exec(), user_id, &hash).await?;
    // Following the emailed link proves the address.
    users::confirm_email(tx.exec(), user_id, now).await?;
    sessions::delete_for_user(tx.exec(), user_id, None).await?;
    if let Some(user) = users::find(tx.exec(), user_id).await? {
        // Whoever follows the emailed link owns the account: any wait
        // that failed guesses started is over.
        db::throttle::clear_account(tx.exec(), &user.email).await?;
        messages::password_changed(tx.exec(), &ctx.mail, &user, now).await?;
    }
    tx.commit().await?;
    ctx.wake();
    Ok(Ok(()))
}

/// A password change as typed: the current password, the new one twice.
pub struct PasswordChange<'a> {
    pub current: &'a str,
    pub password: &'a str,
    pub confirm: &'a str,
}

/// Changes the password of `who` once the current one is proved, ends
/// their other sessions and mails them. `Invalid` when the current
/// password is missing or wrong, the new one is not acceptable, or it is
/// the current one again.
#[tracing::instrument(skip_all)]
pub async fn change_password(
    ctx: &Ctx,
    who: &SessionUser,
    input: PasswordChange<'_>,
) -> Result<()> {
    let mut errors = FormErrors::default();
    let stored = {
        let mut conn = ctx.conn().await?;
        users::find_with_hash(conn.exec(), who.user.id)
            .await?
            .map(|(_, h)| h)
    };
    if input.current.is_empty() {
        errors.add("current_password", "Enter your current password.");
    } else if !password::verify(input.current, stored.as_deref()).await? {
        errors.add("current_password", "Your current password is not right.");
    }
    let new = check_new_password(&mut errors, input.password, input.confirm);
    if errors.is_empty() && input.password == input.current {
        errors.add(
            "password",
            "Choose a new password that is different from the current one.",
        );
    }
    let (true, Some(new)) = (errors.is_empty(), new) else {
        return Err(Error::Invalid(errors));
    };
    let hash = password::hash(new.expose()).await?;
    let now = ctx.now();
    let mut tx = ctx.begin().await?;
    users::set_password(tx.exec(), who.user.id, &hash).await?;
    sessions::delete_for_user(tx.exec(), who.user.id, Some(who.session_id)).await?;
    messages::password_changed(tx.exec(), &ctx.mail, &who.user, now).await?;
    tx.commit().await?;
    ctx.wake();
    Ok(())
}
