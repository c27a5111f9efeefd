//! Registration and email confirmation.

use rocket::form::Form;
use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use rocket::Either;
use rocket::{get, post, routes, FromForm, Route, State};
use rocket_dyn_templates::Template;
use serde::Serialize;

use super::LinkProblem;
use crate::auth::{password, token};
use crate::db::tokens::{Purpose, TokenProblem};
use crate::db::{self, tokens, users, Db};
use crate::domain::email::EmailAddress;
use crate::domain::password::{NewPassword, PasswordError};
use crate::domain::user::PersonName;
use crate::mail::limits::{self, Ask};
use crate::mail::{messages, Mail};
use crate::web::page::{invalid, no_sooner_than, render, Chrome, ClientIp, FormErrors, SAME_TIME};
use crate::web::Result;

pub fn routes() -> Vec<Route> {
    routes![show_register, register, confirm_email, resend_confirmation]
}

#[derive(FromForm)]
struct RegisterForm {
    #[field(default = String::new())]
    name: String,
    #[field(default = String::new())]
    email: String,
    #[field(default = String::new())]
    password: String,
    #[field(default = String::new())]
    password_confirm: String,
}

#[derive(Serialize, Default)]
struct RegisterPage {
    name: String,
    email: String,
    errors: FormErrors,
}

const TITLE: &str = "Create an account";

#[get("/register")]
fn show_register(chrome: Chrome) -> Template {
    render("account/register", &chrome, TITLE, RegisterPage::default())
}

/// Checks a new password and files its mistake under the right field.
pub(super) fn check_new_password(
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

#[post("/register", data = "<form>")]
async fn register(
    db: &Db,
    mail: &State<Mail>,
    chrome: Chrome,
    ip: ClientIp,
    form: Form<RegisterForm>,
) -> Result<Either<Flash<Redirect>, (Status, Template)>> {
    let mut errors = FormErrors::default();
    let name = errors.check("name", PersonName::parse(&form.name));
    let email = errors.check("email", EmailAddress::parse(&form.email));
    let new_password = check_new_password(&mut errors, &form.password, &form.password_confirm);
    let again = |status: Status, errors: FormErrors| {
        let page = RegisterPage {
            name: form.name.trim().to_owned(),
            email: form.email.trim().to_owned(),
            errors,
        };
        let (_, template) = invalid("account/register", &chrome, TITLE, page);
        Ok(Either::Right((status, template)))
    };
    let (Some(name), Some(email), Some(new_password)) = (name, email, new_password) else {
        return again(Status::UnprocessableEntity, errors);
    };
    // Hashed whether or not the address has an account: the same work and
    // the same answer either way.
    let hash = password::hash(new_password.expose()).await?;
    let now = crate::clock::now();
    let mut tx = db.begin().await?;
    let ask = Ask {
        recipient: email.as_str(),
        account: None,
        address: ip.0.as_deref(),
    };
    if let Err(limit) = limits::take(tx.exec(), &ask, now).await? {
        errors.add("email", limit.message());
        return again(Status::TooManyRequests, errors);
    }
    match users::find_by_email(tx.exec(), email.as_str()).await? {
        // Its owner is told; the page says what it says for a new address.
        Some((owner, _)) => messages::account_exists(tx.exec(), mail, &owner, now).await?,
        None => {
            let new_user = users::NewUser {
                email: email.as_str(),
                name: name.as_str(),
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
                    send_confirmation(&mut tx, mail, &user, now).await?;
                }
                // Registered by a request at the same moment: theirs stands.
                Err(e) if db::is_unique_violation(&e) => {}
                Err(e) => return Err(e.into()),
            }
        }
    }
    tx.commit().await?;
    mail.wake();
    Ok(Either::Left(Flash::success(
        Redirect::to("/account/login"),
        format!(
            "We sent an email to {} with a link to activate your account, then log in. \
             The link works for {} hours; if nothing arrives, check your spam folder.",
            email.as_str(),
            messages::CONFIRM_HOURS
        ),
    )))
}

async fn send_confirmation(
    tx: &mut db::Tx,
    mail: &Mail,
    user: &crate::domain::user::User,
    now: chrono::DateTime<chrono::Utc>,
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
    messages::confirm_email(tx.exec(), mail, user, &secret, token_id, now).await?;
    Ok(())
}

#[get("/confirm/<secret>")]
async fn confirm_email(
    db: &Db,
    chrome: Chrome,
    secret: &str,
) -> Result<Either<Flash<Redirect>, (Status, Template)>> {
    let now = crate::clock::now();
    let mut tx = db.begin().await?;
    let problem =
        match tokens::consume(tx.exec(), Purpose::ConfirmEmail, &token::hash(secret), now).await? {
            Ok(user) => {
                users::confirm_email(tx.exec(), user, now).await?;
                tx.commit().await?;
                return Ok(Either::Left(Flash::success(
                    Redirect::to("/account/login"),
                    "Your email address is confirmed. You can log in now.",
                )));
            }
            Err(p) => p,
        };
    let (status, page) = match problem {
        TokenProblem::Expired => (
            Status::Gone,
            LinkProblem {
                heading: "This confirmation link has expired",
                message: "Links work for 24 hours. Log in with your email and password and we will offer to send a new one.",
                action_href: "/account/login",
                action_label: "Log in",
            },
        ),
        TokenProblem::Used => (
            Status::Gone,
            LinkProblem {
                heading: "This confirmation link has already been used",
                message: "Each link works once. If you confirmed your email address, you can log in.",
                action_href: "/account/login",
                action_label: "Log in",
            },
        ),
        TokenProblem::Unknown => (
            Status::NotFound,
            LinkProblem {
                heading: "This confirmation link is not valid",
                message: "Check that you copied the whole link from the email. You can ask for a new one by logging in.",
                action_href: "/account/login",
                action_label: "Log in",
            },
        ),
    };
    Ok(Either::Right((
        status,
        render("account/link_problem", &chrome, page.heading, page),
    )))
}

#[derive(FromForm)]
struct ResendForm {
    #[field(default = String::new())]
    email: String,
}

/// Sends a fresh confirmation link to an unconfirmed account; answers the
/// same whether or not there is one, and in the same time.
#[post("/confirm/resend", data = "<form>")]
async fn resend_confirmation(
    db: &Db,
    mail: &State<Mail>,
    ip: ClientIp,
    form: Form<ResendForm>,
) -> Result<Flash<Redirect>> {
    let started = std::time::Instant::now();
    let email = EmailAddress::normalise_for_lookup(&form.email);
    let now = crate::clock::now();
    let mut tx = db.begin().await?;
    let ask = Ask {
        recipient: &email,
        account: None,
        address: ip.0.as_deref(),
    };
    if let Err(limit) = limits::take(tx.exec(), &ask, now).await? {
        drop(tx);
        no_sooner_than(started, SAME_TIME).await;
        return Ok(Flash::error(
            Redirect::to("/account/login"),
            limit.message(),
        ));
    }
    if let Some((user, _)) = users::find_by_email(tx.exec(), &email).await? {
        if !user.email_confirmed {
            send_confirmation(&mut tx, mail, &user, now).await?;
        }
    }
    tx.commit().await?;
    mail.wake();
    no_sooner_than(started, SAME_TIME).await;
    Ok(Flash::success(
        Redirect::to("/account/login"),
        "If an unconfirmed account exists for that address, we have sent it a new confirmation link.",
    ))
}
