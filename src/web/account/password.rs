//! Passwords: forgotten (emailed link), reset through the link, changed by
//! a signed-in user (also the forced change of a one-time password).

use rocket::form::Form;
use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use rocket::Either;
use rocket::{get, post, routes, FromForm, Route, State};
use rocket_dyn_templates::Template;
use serde::Serialize;

use super::LinkWords;
use crate::app;
use crate::app::accounts::{self, check_new_password, PasswordChange};
use crate::auth::guards::SessionUser;
use crate::context::Ctx;
use crate::domain::email::EmailAddress;
use crate::mail::messages;
use crate::web::page::{invalid, no_sooner_than, render, Chrome, ClientIp, FormErrors, SAME_TIME};
use crate::web::Result;

pub fn routes() -> Vec<Route> {
    routes![show_forgot, forgot, show_reset, reset, show_change, change]
}

type PageOr<R> = Result<Either<R, (Status, Template)>>;

#[derive(Serialize, Default)]
struct ForgotPage {
    email: String,
    errors: FormErrors,
}

const FORGOT_TITLE: &str = "Reset your password";

#[get("/forgot")]
fn show_forgot(chrome: Chrome) -> Template {
    render(
        "account/forgot",
        &chrome,
        FORGOT_TITLE,
        ForgotPage::default(),
    )
}

#[derive(FromForm)]
struct ForgotForm {
    #[field(default = String::new())]
    email: String,
}

/// Mails a reset link if the account exists; the answer is the same either
/// way, and comes after the same time.
#[post("/forgot", data = "<form>")]
async fn forgot(
    ctx: &State<Ctx>,
    chrome: Chrome,
    ip: ClientIp,
    form: Form<ForgotForm>,
) -> PageOr<Flash<Redirect>> {
    let started = std::time::Instant::now();
    let refuse = |status: Status, message: String| {
        let mut page = ForgotPage {
            email: form.email.trim().to_owned(),
            ..ForgotPage::default()
        };
        page.errors.add("email", message);
        let (_, template) = invalid("account/forgot", &chrome, FORGOT_TITLE, page);
        Ok(Either::Right((status, template)))
    };
    let email = match EmailAddress::parse(&form.email) {
        Ok(e) => e,
        Err(e) => return refuse(Status::UnprocessableEntity, e.to_string()),
    };
    let outcome = accounts::forgot_password(ctx, &ip, &email).await;
    no_sooner_than(started, SAME_TIME).await;
    match outcome {
        Ok(()) => Ok(Either::Left(Flash::success(
            Redirect::to("/account/login"),
            format!(
                "If an account exists for {email}, we have sent it a link to choose a new password. \
                 The link works for {} minutes; check your spam folder if it does not arrive.",
                messages::RESET_MINUTES
            ),
        ))),
        Err(app::Error::OverMailLimit(limit)) => {
            refuse(Status::TooManyRequests, limit.message().to_owned())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Serialize, Default)]
struct NewPasswordPage {
    action: String,
    /// Whether the current password is asked for (a change, not a reset).
    ask_current: bool,
    errors: FormErrors,
}

const RESET_TITLE: &str = "Choose a new password";

/// What a reset link says when it does not work.
const RESET_LINK: LinkWords = LinkWords {
    expired: (
        "This password reset link has expired",
        "Reset links work for 60 minutes. Ask for a new one.",
    ),
    used: (
        "This password reset link has already been used",
        "Each link works once. If you did not finish, ask for a new one.",
    ),
    unknown: (
        "This password reset link is not valid",
        "Check that you copied the whole link from the email, or ask for a new one.",
    ),
    action_href: "/account/forgot",
    action_label: "Ask for a new link",
};

#[get("/reset/<secret>")]
async fn show_reset(ctx: &State<Ctx>, chrome: Chrome, secret: &str) -> PageOr<Template> {
    match accounts::check_reset_link(ctx, secret).await? {
        Ok(_) => {
            let page = NewPasswordPage {
                action: format!("/account/reset/{secret}"),
                ..NewPasswordPage::default()
            };
            Ok(Either::Left(render(
                "account/password",
                &chrome,
                RESET_TITLE,
                page,
            )))
        }
        Err(problem) => Ok(Either::Right(RESET_LINK.page(&chrome, problem))),
    }
}

#[derive(FromForm)]
struct NewPasswordForm {
    #[field(default = String::new())]
    current_password: String,
    #[field(default = String::new())]
    password: String,
    #[field(default = String::new())]
    password_confirm: String,
}

#[post("/reset/<secret>", data = "<form>")]
async fn reset(
    ctx: &State<Ctx>,
    chrome: Chrome,
    secret: &str,
    form: Form<NewPasswordForm>,
) -> PageOr<Flash<Redirect>> {
    let mut errors = FormErrors::default();
    let Some(new_password) =
        check_new_password(&mut errors, &form.password, &form.password_confirm)
    else {
        let page = NewPasswordPage {
            action: format!("/account/reset/{secret}"),
            ask_current: false,
            errors,
        };
        return Ok(Either::Right(invalid(
            "account/password",
            &chrome,
            RESET_TITLE,
            page,
        )));
    };
    if let Err(problem) = accounts::reset_password(ctx, secret, new_password).await? {
        return Ok(Either::Right(RESET_LINK.page(&chrome, problem)));
    }
    Ok(Either::Left(Flash::success(
        Redirect::to("/account/login"),
        "Your password has been changed. Log in with your new password.",
    )))
}

const CHANGE_TITLE: &str = "Change your password";

#[get("/password")]
fn show_change(chrome: Chrome, _session: SessionUser) -> Template {
    let page = NewPasswordPage {
        action: "/account/password".into(),
        ask_current: true,
        errors: FormErrors::default(),
    };
    render("account/password", &chrome, CHANGE_TITLE, page)
}

/// Changes the password and ends the user's other sessions.
#[post("/password", data = "<form>")]
async fn change(
    ctx: &State<Ctx>,
    chrome: Chrome,
    session: SessionUser,
    form: Form<NewPasswordForm>,
) -> PageOr<Flash<Redirect>> {
    let input = PasswordChange {
        current: &form.current_password,
        password: &form.password,
        confirm: &form.password_confirm,
    };
    match accounts::change_password(ctx, &session, input).await {
        Ok(()) => Ok(Either::Left(Flash::success(
            Redirect::to("/"),
            "Your password has been changed, and you were logged out on every other device.",
        ))),
        Err(app::Error::Invalid(errors)) => {
            let page = NewPasswordPage {
                action: "/account/password".into(),
                ask_current: true,
                errors,
            };
            Ok(Either::Right(invalid(
                "account/password",
                &chrome,
                CHANGE_TITLE,
                page,
            )))
        }
        Err(e) => Err(e.into()),
    }
}
