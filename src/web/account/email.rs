//! Changing one's email address (`/account/email`): the new address and
//! the current password, then a link mailed to the new address, which
//! shows the change and applies it when confirmed (`/account/email/<secret>`,
//! a page with a button, so that a mail scanner opening the link changes
//! nothing). The work is `app::email_change`'s.

use rocket::form::Form;
use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use rocket::Either;
use rocket::{get, post, routes, FromForm, Route, State};
use rocket_dyn_templates::Template;
use serde::Serialize;

use super::{LinkProblem, LinkWords};
use crate::app::email_change::{self, Confirmed, VALID_HOURS};
use crate::app::{self};
use crate::auth::guards::SessionUser;
use crate::context::Ctx;
use crate::web::page::{invalid, render, Chrome, ClientIp, FormErrors};
use crate::web::Result;

pub fn routes() -> Vec<Route> {
    routes![show_change, change, show_confirm, confirm]
}

type PageOr<R> = Result<Either<R, (Status, Template)>>;

const TITLE: &str = "Change your email address";

#[derive(Serialize, Default)]
struct ChangePage {
    current: String,
    email: String,
    hours: i64,
    errors: FormErrors,
}

#[get("/email")]
fn show_change(chrome: Chrome, session: SessionUser) -> Template {
    let page = ChangePage {
        current: session.user.email.clone(),
        hours: VALID_HOURS,
        ..ChangePage::default()
    };
    render("account/email", &chrome, TITLE, page)
}

#[derive(FromForm)]
struct ChangeForm {
    #[field(default = String::new())]
    email: String,
    #[field(default = String::new())]
    current_password: String,
}

/// Mails the link to the new address; the page again with the mistakes
/// next to their fields otherwise.
#[post("/email", data = "<form>")]
async fn change(
    ctx: &State<Ctx>,
    chrome: Chrome,
    session: SessionUser,
    ip: ClientIp,
    form: Form<ChangeForm>,
) -> PageOr<Flash<Redirect>> {
    let asked = email_change::ask_own(
        ctx,
        &session.user,
        ip.as_deref(),
        &form.email,
        &form.current_password,
    )
    .await;
    let refused = |status: Status, errors: FormErrors| {
        let page = ChangePage {
            current: session.user.email.clone(),
            email: form.email.trim().to_owned(),
            hours: VALID_HOURS,
            errors,
        };
        let (_, template) = invalid("account/email", &chrome, TITLE, page);
        Ok(Either::Right((status, template)))
    };
    match asked {
        Ok(a) => Ok(Either::Left(Flash::success(
            Redirect::to("/account/email"),
            format!(
                "We sent a link to {}. Open it within {VALID_HOURS} hours to make it your address; \
                 until then you keep using {}.",
                a.to, session.user.email
            ),
        ))),
        Err(app::Error::Invalid(errors)) => refused(Status::UnprocessableEntity, errors),
        Err(app::Error::OverMailLimit(limit)) => {
            let mut errors = FormErrors::default();
            errors.add("email", limit.message());
            refused(Status::TooManyRequests, errors)
        }
        Err(e) => Err(e.into()),
    }
}

/// What a link confirming a new address says when it does not work.
const CHANGE_LINK: LinkWords = LinkWords {
    expired: (
        "This link has expired",
        "Links to confirm a new email address work for 24 hours. Log in with your current address and ask again.",
    ),
    used: (
        "This link has already been used",
        "Each link works once, and asking again replaces the earlier link. If your address has not changed, ask again.",
    ),
    unknown: (
        "This link is not valid",
        "Check that you copied the whole link from the email, or ask again.",
    ),
    action_href: "/account/email",
    action_label: "Ask again",
};

#[derive(Serialize)]
struct ConfirmPage {
    action: String,
    name: String,
    old_email: String,
    new_email: String,
}

#[get("/email/<secret>")]
async fn show_confirm(ctx: &State<Ctx>, chrome: Chrome, secret: &str) -> PageOr<Template> {
    match email_change::open(ctx, secret).await? {
        Ok(w) => Ok(Either::Left(render(
            "account/email_confirm",
            &chrome,
            "Confirm your new email address",
            ConfirmPage {
                action: format!("/account/email/{secret}"),
                name: w.name,
                old_email: w.old_email,
                new_email: w.new_email,
            },
        ))),
        Err(problem) => Ok(Either::Right(CHANGE_LINK.page(&chrome, problem))),
    }
}

#[post("/email/<secret>")]
async fn confirm(
    ctx: &State<Ctx>,
    chrome: Chrome,
    ip: ClientIp,
    secret: &str,
) -> PageOr<Flash<Redirect>> {
    match email_change::confirm(ctx, ip.as_deref(), secret).await? {
        Ok(Confirmed::Changed { new_email }) => Ok(Either::Left(Flash::success(
            Redirect::to("/"),
            format!("Your email address is now {new_email}. Log in with it from now on."),
        ))),
        Ok(Confirmed::Taken { .. }) => Ok(Either::Right((
            Status::Conflict,
            render(
                "account/link_problem",
                &chrome,
                "This address belongs to another account",
                LinkProblem {
                    heading: "This address belongs to another account",
                    message: "Another account has this email address, so nothing was changed. \
                              Log in with that account, or ask for a different address.",
                    action_href: "/account/email",
                    action_label: "Choose another address",
                },
            ),
        ))),
        Err(problem) => Ok(Either::Right(CHANGE_LINK.page(&chrome, problem))),
    }
}
