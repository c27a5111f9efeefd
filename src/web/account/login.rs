//! Logging in (with throttling per account and address, per address and
//! per account) and out.

use rocket::form::Form;
use rocket::http::{CookieJar, Status};
use rocket::response::{Flash, Redirect};
use rocket::Either;
use rocket::{get, post, routes, FromForm, Route, State};
use rocket_dyn_templates::Template;
use serde::Serialize;

use crate::auth::guards::SessionUser;
use crate::auth::throttle::{self, Attempt, LoginKeys};
use crate::auth::{password, session};
use crate::config::PortalConfig;
use crate::db::{sessions, users, Db};
use crate::domain::email::EmailAddress;
use crate::domain::throttle::describe_wait;
use crate::web::page::{invalid, render, safe_next, Chrome, ClientIp, FormErrors};
use crate::web::Result;

pub fn routes() -> Vec<Route> {
    routes![show_login, login, logout]
}

#[derive(Serialize, Default)]
struct LoginPage {
    email: String,
    next: String,
    errors: FormErrors,
    /// Offer to send a new confirmation link to this address (after any
    /// failed login: whether the account is unconfirmed is not told).
    unconfirmed: bool,
}

const TITLE: &str = "Log in";

#[get("/login?<next>")]
fn show_login(chrome: Chrome, next: Option<&str>) -> Template {
    render(
        "account/login",
        &chrome,
        TITLE,
        LoginPage {
            next: safe_next(next),
            ..LoginPage::default()
        },
    )
}

#[derive(FromForm)]
struct LoginForm {
    #[field(default = String::new())]
    email: String,
    #[field(default = String::new())]
    password: String,
    #[field(default = String::new())]
    next: String,
}

type LoginResult = Result<Either<Redirect, Either<Flash<Redirect>, (Status, Template)>>>;

#[post("/login", data = "<form>")]
async fn login(
    db: &Db,
    config: &State<PortalConfig>,
    cookies: &CookieJar<'_>,
    chrome: Chrome,
    ip: ClientIp,
    form: Form<LoginForm>,
) -> LoginResult {
    let email = EmailAddress::normalise_for_lookup(&form.email);
    let next = safe_next(Some(&form.next));
    let mut page = LoginPage {
        email: form.email.trim().to_owned(),
        next: next.clone(),
        ..LoginPage::default()
    };
    let refuse = |status: Status, page: LoginPage| {
        let (_, template) = invalid("account/login", &chrome, TITLE, page);
        Ok(Either::Right(Either::Right((status, template))))
    };
    if email.is_empty() || form.password.is_empty() {
        if email.is_empty() {
            page.errors.add("email", "Enter your email address.");
        }
        if form.password.is_empty() {
            page.errors.add("password", "Enter your password.");
        }
        return refuse(Status::UnprocessableEntity, page);
    }

    let now = crate::clock::now();
    let known = session::is_known_device(cookies, &email);
    let keys = LoginKeys::new(&email, ip.0.as_deref(), known);
    let wait = match throttle::count_attempt(db, &keys, now).await? {
        Attempt::Refused(until) => {
            page.errors.add("email", too_many(until, now));
            return refuse(Status::TooManyRequests, page);
        }
        Attempt::Counted(wait) => wait,
    };
    let mut conn = db.conn().await?;
    let found = users::find_by_email(conn.exec(), &email).await?;
    let matches = password::verify(&form.password, found.as_ref().map(|(_, h)| h.as_str())).await?;
    // An account not yet confirmed gets the answer (and the count) of a
    // wrong password: it must not tell that a registration made an
    // account, since registering answers a new address and a taken one
    // alike.
    let user = match found {
        Some((user, _)) if matches && user.email_confirmed => user,
        _ => {
            let message = match wait {
                Some(until) => too_many(until, now),
                None => "The email address or password is not right. Check both and try again. \
                         If you have just created your account, open the confirmation link we \
                         sent first (no email? check your spam folder, or ask for a new link \
                         below)."
                    .to_owned(),
            };
            page.errors.add("email", message);
            page.unconfirmed = true;
            return refuse(Status::UnprocessableEntity, page);
        }
    };
    throttle::succeeded(db, &keys).await?;
    session::remember_device(cookies, &user.email, config.secure_cookies);
    session::start(conn.exec(), cookies, user.id, config.secure_cookies, now).await?;
    if user.must_change_password {
        return Ok(Either::Right(Either::Left(Flash::warning(
            Redirect::to("/account/password"),
            "Please choose your own password before you continue.",
        ))));
    }
    Ok(Either::Left(Redirect::to(next)))
}

fn too_many(until: chrono::DateTime<chrono::Utc>, now: chrono::DateTime<chrono::Utc>) -> String {
    format!(
        "Too many failed attempts to log in. Please wait {} and try again, or reset your password.",
        describe_wait(until, now)
    )
}

/// Ends every session of the user, on this device and others.
#[post("/logout")]
async fn logout(
    db: &Db,
    cookies: &CookieJar<'_>,
    session: Option<SessionUser>,
) -> Result<Flash<Redirect>> {
    if let Some(s) = session {
        let mut conn = db.conn().await?;
        sessions::delete_for_user(conn.exec(), s.user.id, None).await?;
    }
    session::clear_cookie(cookies);
    Ok(Flash::success(
        Redirect::to("/"),
        "You have been logged out on every device.",
    ))
}
