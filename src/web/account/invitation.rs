//! The page an invitation's link opens: a new person chooses their name
//! and password (the account is made and the role taken in one step); the
//! owner of an account with the invited address accepts once logged in
//! with it. A link that no longer works says why and what to do.

use rocket::form::Form;
use rocket::http::{CookieJar, Status};
use rocket::response::{Flash, Redirect};
use rocket::{get, post, routes, FromForm, Route, State};
use rocket_dyn_templates::Template;
use serde::Serialize;

use super::LinkProblem;
use crate::app;
use crate::app::accounts::check_new_password;
use crate::app::invitations::{self, Accepted, LinkProblem as Problem, NewAccount, Opened};
use crate::auth::guards::{CurrentUser, SecureCookies};
use crate::auth::session;
use crate::context::Ctx;
use crate::domain::role::ProgramRole;
use crate::domain::user::PersonName;
use crate::web::page::{invalid, render, url_encode, Chrome, ClientIp, FormErrors};
use crate::web::Result;

pub fn routes() -> Vec<Route> {
    routes![show_invitation, accept_with_new_account, accept_invitation]
}

/// What the person opening the link can do.
#[derive(Serialize, Default)]
struct InvitationPage {
    program: String,
    role: String,
    email: String,
    inviter: String,
    /// The address's account does not exist yet: the form to make it.
    new_account: bool,
    /// Logged in as the invited account: the button to accept.
    signed_in: bool,
    /// Logged in as another account.
    other_account: Option<String>,
    /// The address of the log-in page, coming back here.
    login: String,
    action: String,
    name: String,
    errors: FormErrors,
}

fn page_of(opened: &Opened, who: Option<&CurrentUser>, secret: &str) -> InvitationPage {
    let i = &opened.invitation;
    let here = format!("/account/invitation/{secret}");
    let me = who.map(|w| w.user().email.clone());
    InvitationPage {
        program: i.program_name.clone(),
        role: i.role().label().to_lowercase(),
        email: i.email.clone(),
        inviter: i.invited_by_name.clone().unwrap_or_default(),
        new_account: opened.account.is_none() && me.is_none(),
        signed_in: opened.account.is_some() && me.as_deref() == Some(i.email.as_str()),
        other_account: me.filter(|m| *m != i.email),
        login: format!("/account/login?next={}", url_encode(&here)),
        action: here,
        name: String::new(),
        errors: FormErrors::default(),
    }
}

const TITLE: &str = "Your invitation";

#[get("/invitation/<secret>")]
async fn show_invitation(
    ctx: &State<Ctx>,
    chrome: Chrome,
    who: Option<CurrentUser>,
    secret: &str,
) -> Result<(Status, Template)> {
    match invitations::open(ctx, secret).await? {
        Ok(opened) => Ok((
            Status::Ok,
            render(
                "account/invitation",
                &chrome,
                TITLE,
                page_of(&opened, who.as_ref(), secret),
            ),
        )),
        Err(problem) => Ok(problem_page(&chrome, &problem)),
    }
}

#[derive(FromForm)]
struct NewAccountForm {
    #[field(default = String::new())]
    name: String,
    #[field(default = String::new())]
    password: String,
    #[field(default = String::new())]
    password_confirm: String,
}

type Answer = Result<std::result::Result<Flash<Redirect>, (Status, Template)>>;

/// Makes the invited address's account and accepts: the person is then
/// logged in, on their new desk. Someone logged in is asked to log out
/// first (their session is not replaced behind their back).
#[expect(
    clippy::too_many_arguments,
    reason = "the guards of a form that logs in"
)]
#[post("/invitation/<secret>", data = "<form>")]
async fn accept_with_new_account(
    who: Option<CurrentUser>,
    ctx: &State<Ctx>,
    chrome: Chrome,
    ip: ClientIp,
    cookies: &CookieJar<'_>,
    secure: SecureCookies,
    secret: &str,
    form: Form<NewAccountForm>,
) -> Answer {
    if let Some(who) = who {
        return Ok(Ok(Flash::error(
            Redirect::to(format!("/account/invitation/{secret}")),
            format!(
                "You are logged in as {}. Log out first to make an account from this invitation.",
                who.user().email
            ),
        )));
    }
    let opened = match invitations::open(ctx, secret).await? {
        Ok(o) => o,
        Err(problem) => return Ok(Err(problem_page(&chrome, &problem))),
    };
    let mut errors = FormErrors::default();
    let name = errors.check("name", PersonName::parse(&form.name));
    let password = check_new_password(&mut errors, &form.password, &form.password_confirm);
    let again = |errors: FormErrors| {
        let mut page = page_of(&opened, None, secret);
        page.name = form.name.trim().to_owned();
        page.errors = errors;
        Ok(Err(invalid("account/invitation", &chrome, TITLE, page)))
    };
    let (Some(name), Some(password)) = (name, password) else {
        return again(errors);
    };
    let input = NewAccount { name, password };
    match invitations::accept_with_new_account(ctx, &ip, secret, input).await {
        Ok(Ok(done)) => {
            if let Some(token) = &done.session {
                cookies.add_private(session::cookie(session::COOKIE, token.clone(), secure.0));
            }
            Ok(Ok(welcome(&done)))
        }
        Ok(Err(problem)) => Ok(Err(problem_page(&chrome, &problem))),
        Err(app::Error::Refused(message)) => {
            errors.add("name", message);
            again(errors)
        }
        Err(e) => Err(e.into()),
    }
}

/// Accepts as the logged-in owner of the invited address.
#[post("/invitation/<secret>/accept")]
async fn accept_invitation(
    who: CurrentUser,
    ctx: &State<Ctx>,
    chrome: Chrome,
    ip: ClientIp,
    secret: &str,
) -> Answer {
    match invitations::accept(ctx, &who, &ip, secret).await {
        Ok(Ok(done)) => Ok(Ok(welcome(&done))),
        Ok(Err(problem)) => Ok(Err(problem_page(&chrome, &problem))),
        Err(app::Error::Refused(message)) => Ok(Ok(Flash::error(
            Redirect::to(format!("/account/invitation/{secret}")),
            message,
        ))),
        Err(e) => Err(e.into()),
    }
}

/// To the desk of the new role, saying what changed.
fn welcome(done: &Accepted) -> Flash<Redirect> {
    let (to, what) = match done.role {
        ProgramRole::Reviewer => ("/review", "a reviewer"),
        ProgramRole::Manager => ("/manage", "a manager"),
    };
    Flash::success(
        Redirect::to(to),
        format!("Welcome: you are now {what} of the {}.", done.program),
    )
}

fn problem_page(chrome: &Chrome, problem: &Problem) -> (Status, Template) {
    let (status, page) = match problem {
        Problem::Unknown => (
            Status::NotFound,
            LinkProblem {
                heading: "This invitation link is not valid",
                message: "Check that you copied the whole link from the email. If the invitation was \
                          sent to you again, only the newest email's link works.",
                action_href: "/",
                action_label: "Go to the home page",
            },
        ),
        Problem::Expired => (
            Status::Gone,
            LinkProblem {
                heading: "This invitation has expired",
                message: "Invitation links work for 14 days. Ask the person who invited you to send it again.",
                action_href: "/",
                action_label: "Go to the home page",
            },
        ),
        Problem::Revoked => (
            Status::Gone,
            LinkProblem {
                heading: "This invitation was withdrawn",
                message: "The program team withdrew it. If you think this is a mistake, write to them.",
                action_href: "/",
                action_label: "Go to the home page",
            },
        ),
        Problem::Accepted => (
            Status::Gone,
            LinkProblem {
                heading: "This invitation has already been accepted",
                message: "Each invitation works once. Log in to reach your desk.",
                action_href: "/account/login",
                action_label: "Log in",
            },
        ),
    };
    (
        status,
        render("account/link_problem", chrome, page.heading, page),
    )
}
