//! Logging in (with throttling per account and address, per address and
//! per account) and out.

use rocket::form::Form;
use rocket::http::{CookieJar, Status};
use rocket::response::{Flash, Redirect};
use rocket::Either;
use rocket::{get, post, routes, FromForm, Route, State};
use rocket_dyn_templates::Template;
use serde::Serialize;

use crate::app;
use crate::app::accounts::{self, Credentials, LoggedIn};
use crate::auth::guards::{SecureCookies, SessionUser};
use crate::auth::session;
use crate::context::Ctx;
use crate::domain::email::EmailAddress;
use crate::web::apply::stash::{self, Restored};
use crate::web::page::{invalid, render, safe_next, Chrome, ClientIp, FormErrors};
use crate::web::Result;

pub fn routes() -> Vec<Route> {
    routes![show_login, login, logout, keep_session]
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
    ctx: &State<Ctx>,
    cookies: &CookieJar<'_>,
    chrome: Chrome,
    ip: ClientIp,
    secure: SecureCookies,
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
    let input = Credentials {
        email: &email,
        password: &form.password,
        known_device: session::is_known_device(cookies, &email),
    };
    let LoggedIn { token, user, staff } = match accounts::log_in(ctx, &ip, input).await {
        Ok(done) => done,
        Err(app::Error::Refused(message)) => {
            page.errors.add("email", message);
            return refuse(Status::TooManyRequests, page);
        }
        Err(app::Error::Invalid(errors)) => {
            page.errors = errors;
            page.unconfirmed = true;
            return refuse(Status::UnprocessableEntity, page);
        }
        Err(e) => return Err(e.into()),
    };
    let SecureCookies(secure) = secure;
    session::remember_device(cookies, &user.email, secure);
    cookies.add_private(session::cookie(session::COOKIE, token.clone(), secure));
    if user.must_change_password {
        return Ok(Either::Right(Either::Left(Flash::warning(
            Redirect::to("/account/password"),
            "Please choose your own password before you continue.",
        ))));
    }
    // A save kept while the session had ended is saved now, for its owner.
    match stash::restore(ctx, cookies, &ip, &user, &token).await? {
        Some(Restored::Saved { to, message }) => {
            return Ok(Either::Right(Either::Left(Flash::success(
                Redirect::to(to),
                message,
            ))))
        }
        Some(Restored::Refused { to, message }) => {
            return Ok(Either::Right(Either::Left(Flash::error(
                Redirect::to(to),
                message,
            ))))
        }
        Some(Restored::TooLate) => {
            return Ok(Either::Right(Either::Left(Flash::warning(
                Redirect::to(landing(&next, staff).to_owned()),
                stash::TOO_LATE,
            ))))
        }
        None => {}
    }
    Ok(Either::Left(Redirect::to(landing(&next, staff).to_owned())))
}

/// Where a login leads: to `next`, except that without one (the login
/// page's own `/`) an applicant lands on their applications; staff on
/// the home page, as before.
fn landing(next: &str, staff: bool) -> &str {
    if next == "/" && !staff {
        "/apply"
    } else {
        next
    }
}

/// Keeps the session alive (the "Stay logged in" button of the warning
/// `static/portal.js` shows before the session idles out): loading the
/// session notes the activity. 204; without a session, to log in.
#[get("/session")]
fn keep_session(_who: SessionUser) -> Status {
    Status::NoContent
}

/// Ends every session of the user, on this device and others.
#[post("/logout")]
async fn logout(
    ctx: &State<Ctx>,
    cookies: &CookieJar<'_>,
    session: Option<SessionUser>,
) -> Result<Flash<Redirect>> {
    if let Some(s) = session {
        accounts::log_out(ctx, &s).await?;
    }
    session::clear_cookie(cookies);
    Ok(Flash::success(
        Redirect::to("/"),
        "You have been logged out on every device.",
    ))
}

#[cfg(test)]
mod tests {
    use super::landing;

    #[test]
    fn applicants_without_a_next_land_on_their_applications() {
        assert_eq!(landing("/", false), "/apply");
        assert_eq!(landing("/", true), "/");
        assert_eq!(landing("/apply/profile", false), "/apply/profile");
        assert_eq!(landing("/manage", true), "/manage");
    }
}
