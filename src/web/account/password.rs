//! Passwords: forgotten (emailed link), reset through the link, changed by
//! a signed-in user (also the forced change of a one-time password).

use rocket::form::Form;
use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use rocket::Either;
use rocket::{get, post, routes, FromForm, Route, State};
use rocket_dyn_templates::Template;
use serde::Serialize;

use super::register::check_new_password;
use super::LinkProblem;
use crate::auth::guards::SessionUser;
use crate::auth::{password, token};
use crate::db::tokens::{Purpose, TokenProblem};
use crate::db::{sessions, throttle, tokens, users, Db};
use crate::domain::email::EmailAddress;
use crate::mail::limits::{self, Ask};
use crate::mail::{messages, Mail};
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
    db: &Db,
    mail: &State<Mail>,
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
    let now = crate::clock::now();
    let mut tx = db.begin().await?;
    let ask = Ask {
        recipient: email.as_str(),
        account: None,
        address: ip.0.as_deref(),
    };
    if let Err(limit) = limits::take(tx.exec(), &ask, now).await? {
        drop(tx);
        no_sooner_than(started, SAME_TIME).await;
        return refuse(Status::TooManyRequests, limit.message().to_owned());
    }
    if let Some((user, _)) = users::find_by_email(tx.exec(), email.as_str()).await? {
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
        messages::reset_password(tx.exec(), mail, &user, &secret, id, now).await?;
    }
    tx.commit().await?;
    mail.wake();
    no_sooner_than(started, SAME_TIME).await;
    Ok(Either::Left(Flash::success(
        Redirect::to("/account/login"),
        format!(
            "If an account exists for {email}, we have sent it a link to choose a new password. \
             The link works for {} minutes; check your spam folder if it does not arrive.",
            messages::RESET_MINUTES
        ),
    )))
}

#[derive(Serialize, Default)]
struct NewPasswordPage {
    action: String,
    /// Whether the current password is asked for (a change, not a reset).
    ask_current: bool,
    errors: FormErrors,
}

const RESET_TITLE: &str = "Choose a new password";

fn link_problem(chrome: &Chrome, problem: TokenProblem) -> (Status, Template) {
    let (status, page) = match problem {
        TokenProblem::Expired => (
            Status::Gone,
            LinkProblem {
                heading: "This password reset link has expired",
                message: "Reset links work for 60 minutes. Ask for a new one.",
                action_href: "/account/forgot",
                action_label: "Ask for a new link",
            },
        ),
        TokenProblem::Used => (
            Status::Gone,
            LinkProblem {
                heading: "This password reset link has already been used",
                message: "Each link works once. If you did not finish, ask for a new one.",
                action_href: "/account/forgot",
                action_label: "Ask for a new link",
            },
        ),
        TokenProblem::Unknown => (
            Status::NotFound,
            LinkProblem {
                heading: "This password reset link is not valid",
                message:
                    "Check that you copied the whole link from the email, or ask for a new one.",
                action_href: "/account/forgot",
                action_label: "Ask for a new link",
            },
        ),
    };
    (
        status,
        render("account/link_problem", chrome, page.heading, page),
    )
}

#[get("/reset/<secret>")]
async fn show_reset(db: &Db, chrome: Chrome, secret: &str) -> PageOr<Template> {
    let mut conn = db.conn().await?;
    match tokens::peek(
        conn.exec(),
        Purpose::ResetPassword,
        &token::hash(secret),
        crate::clock::now(),
    )
    .await?
    {
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
        Err(problem) => Ok(Either::Right(link_problem(&chrome, problem))),
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
    db: &Db,
    mail: &State<Mail>,
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
    let hash = password::hash(new_password.expose()).await?;
    let now = crate::clock::now();
    let mut tx = db.begin().await?;
    let user_id = match tokens::consume(
        tx.exec(),
        Purpose::ResetPassword,
        &token::hash(secret),
        now,
    )
    .await?
    {
        Ok(id) => id,
        Err(problem) => return Ok(Either::Right(link_problem(&chrome, problem))),
    };
    users::set_password(tx.exec(), user_id, &hash).await?;
    // Following the emailed link proves the address.
    users::confirm_email(tx.exec(), user_id, now).await?;
    sessions::delete_for_user(tx.exec(), user_id, None).await?;
    if let Some(user) = users::find(tx.exec(), user_id).await? {
        // Whoever follows the emailed link owns the account: any wait
        // that failed guesses started is over.
        throttle::clear_account(tx.exec(), &user.email).await?;
        messages::password_changed(tx.exec(), mail, &user, now).await?;
    }
    tx.commit().await?;
    mail.wake();
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
    db: &Db,
    mail: &State<Mail>,
    chrome: Chrome,
    session: SessionUser,
    form: Form<NewPasswordForm>,
) -> PageOr<Flash<Redirect>> {
    let mut errors = FormErrors::default();
    let mut conn = db.conn().await?;
    let stored = users::find_with_hash(conn.exec(), session.user.id)
        .await?
        .map(|(_, h)| h);
    drop(conn);
    if form.current_password.is_empty() {
        errors.add("current_password", "Enter your current password.");
    } else if !password::verify(&form.current_password, stored.as_deref()).await? {
        errors.add("current_password", "Your current password is not right.");
    }
    let new_password = check_new_password(&mut errors, &form.password, &form.password_confirm);
    if errors.is_empty() && form.password == form.current_password {
        errors.add(
            "password",
            "Choose a new password that is different from the current one.",
        );
    }
    let (true, Some(new_password)) = (errors.is_empty(), new_password) else {
        let page = NewPasswordPage {
            action: "/account/password".into(),
            ask_current: true,
            errors,
        };
        return Ok(Either::Right(invalid(
            "account/password",
            &chrome,
            CHANGE_TITLE,
            page,
        )));
    };
    let hash = password::hash(new_password.expose()).await?;
    let now = crate::clock::now();
    let mut tx = db.begin().await?;
    users::set_password(tx.exec(), session.user.id, &hash).await?;
    sessions::delete_for_user(tx.exec(), session.user.id, Some(session.session_id)).await?;
    messages::password_changed(tx.exec(), mail, &session.user, now).await?;
    tx.commit().await?;
    mail.wake();
    Ok(Either::Left(Flash::success(
        Redirect::to("/"),
        "Your password has been changed, and you were logged out on every other device.",
    )))
}
