//! Registration and email confirmation.

use rocket::form::Form;
use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use rocket::Either;
use rocket::{get, post, routes, FromForm, Route, State};
use rocket_dyn_templates::Template;
use serde::Serialize;

use super::LinkWords;
use crate::app;
use crate::app::accounts::{self, check_new_password, Registration};
use crate::context::Ctx;
use crate::domain::email::EmailAddress;
use crate::domain::user::PersonName;
use crate::mail::messages;
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

#[post("/register", data = "<form>")]
async fn register(
    ctx: &State<Ctx>,
    chrome: Chrome,
    ip: ClientIp,
    form: Form<RegisterForm>,
) -> Result<Either<Flash<Redirect>, (Status, Template)>> {
    let mut errors = FormErrors::default();
    let name = errors.check("name", PersonName::parse(&form.name));
    let email = errors.check("email", EmailAddress::parse(&form.email));
    let password = check_new_password(&mut errors, &form.password, &form.password_confirm);
    let again = |status: Status, errors: FormErrors| {
        let page = RegisterPage {
            name: form.name.trim().to_owned(),
            email: form.email.trim().to_owned(),
            errors,
        };
        let (_, template) = invalid("account/register", &chrome, TITLE, page);
        Ok(Either::Right((status, template)))
    };
    let (Some(name), Some(email), Some(password)) = (name, email, password) else {
        return again(Status::UnprocessableEntity, errors);
    };
    let said = format!(
        "We sent an email to {} with a link to activate your account, then log in. \
         The link works for {} hours; if nothing arrives, check your spam folder.",
        email.as_str(),
        messages::CONFIRM_HOURS
    );
    let input = Registration {
        name,
        email,
        password,
    };
    match accounts::register(ctx, &ip, input).await {
        Ok(()) => Ok(Either::Left(Flash::success(
            Redirect::to("/account/login"),
            said,
        ))),
        Err(app::Error::OverMailLimit(limit)) => {
            errors.add("email", limit.message());
            again(Status::TooManyRequests, errors)
        }
        Err(e) => Err(e.into()),
    }
}

#[get("/confirm/<secret>")]
async fn confirm_email(
    ctx: &State<Ctx>,
    chrome: Chrome,
    secret: &str,
) -> Result<Either<Flash<Redirect>, (Status, Template)>> {
    let problem = match accounts::confirm_email(ctx, secret).await? {
        Ok(()) => {
            return Ok(Either::Left(Flash::success(
                Redirect::to("/account/login"),
                "Your email address is confirmed. You can log in now.",
            )))
        }
        Err(p) => p,
    };
    Ok(Either::Right(CONFIRM_LINK.page(&chrome, problem)))
}

/// What a confirmation link says when it does not work.
const CONFIRM_LINK: LinkWords = LinkWords {
    expired: (
        "This confirmation link has expired",
        "Links work for 24 hours. Log in with your email and password and we will offer to send a new one.",
    ),
    used: (
        "This confirmation link has already been used",
        "Each link works once. If you confirmed your email address, you can log in.",
    ),
    unknown: (
        "This confirmation link is not valid",
        "Check that you copied the whole link from the email. You can ask for a new one by logging in.",
    ),
    action_href: "/account/login",
    action_label: "Log in",
};

#[derive(FromForm)]
struct ResendForm {
    #[field(default = String::new())]
    email: String,
}

/// Sends a fresh confirmation link to an unconfirmed account; answers the
/// same whether or not there is one, and in the same time.
#[post("/confirm/resend", data = "<form>")]
async fn resend_confirmation(
    ctx: &State<Ctx>,
    ip: ClientIp,
    form: Form<ResendForm>,
) -> Result<Flash<Redirect>> {
    let started = std::time::Instant::now();
    let outcome = accounts::resend_confirmation(ctx, &ip, &form.email).await;
    no_sooner_than(started, SAME_TIME).await;
    match outcome {
        Ok(()) => Ok(Flash::success(
            Redirect::to("/account/login"),
            "If an unconfirmed account exists for that address, we have sent it a new confirmation link.",
        )),
        Err(app::Error::OverMailLimit(limit)) => Ok(Flash::error(
            Redirect::to("/account/login"),
            limit.message(),
        )),
        Err(e) => Err(e.into()),
    }
}
