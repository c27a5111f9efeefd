//! The page behind the link in every reminder: it says which reminders
//! the address gets and turns them off or back on, with no account and no
//! login. Mounted at `/mail`.
//!
//! The POST is the address of the reminders' `List-Unsubscribe` header: a
//! mailbox provider's one-click unsubscribe (RFC 8058) posts
//! `List-Unsubscribe=One-Click` to it with no cookie, so it carries no
//! CSRF token and is authenticated by the unguessable token in its path
//! alone (the CSRF check leaves [`crate::auth::csrf::TOKEN_ONLY_PREFIX`]
//! alone). The page's own buttons post to the same address.

use rocket::form::Form;
use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use rocket::{get, post, routes, FromForm, Route, State};
use rocket_dyn_templates::Template;
use serde::Serialize;

use super::page::{render, Chrome};
use super::Result;
use crate::app;
use crate::context::Ctx;
use crate::db::mail_preferences::Preferences;

/// Routes mounted at `/mail`.
pub fn routes() -> Vec<Route> {
    routes![show_reminders, change_reminders]
}

#[derive(Serialize, Default)]
struct RemindersPage {
    token: String,
    email: String,
    /// Whether any reminder still reaches the address.
    on: bool,
    referee_reminders: bool,
    review_reminders: bool,
    applicant_reminders: bool,
    /// Set when the link cannot be used.
    problem: bool,
}

impl RemindersPage {
    fn of(token: &str, p: Preferences) -> Self {
        Self {
            token: token.to_owned(),
            on: p.referee_reminders || p.review_reminders || p.applicant_reminders,
            email: p.email,
            referee_reminders: p.referee_reminders,
            review_reminders: p.review_reminders,
            applicant_reminders: p.applicant_reminders,
            problem: false,
        }
    }
}

/// The page of a link that does not work (a changed or made-up token).
fn not_valid(chrome: &Chrome) -> (Status, Template) {
    let page = RemindersPage {
        problem: true,
        ..RemindersPage::default()
    };
    (
        Status::NotFound,
        render("public/reminders", chrome, "This link is not valid", page),
    )
}

#[get("/reminders/<token>")]
async fn show_reminders(
    ctx: &State<Ctx>,
    chrome: Chrome,
    token: &str,
) -> Result<(Status, Template)> {
    match app::mail_preferences::reminders(ctx, token).await {
        Ok(p) => {
            let page = RemindersPage::of(token, p);
            let title = if page.on {
                "Stop reminders"
            } else {
                "Reminders are off"
            };
            Ok((Status::Ok, render("public/reminders", &chrome, title, page)))
        }
        Err(app::Error::NotFound) => Ok(not_valid(&chrome)),
        Err(e) => Err(e.into()),
    }
}

/// A one-click unsubscribe from a mailbox provider, or the page's button.
#[derive(FromForm)]
struct Change<'r> {
    /// RFC 8058's `List-Unsubscribe=One-Click`.
    #[field(name = "List-Unsubscribe")]
    one_click: Option<&'r str>,
    /// The page's buttons: `off` or `on`.
    reminders: Option<&'r str>,
}

#[post("/reminders/<token>", data = "<form>")]
async fn change_reminders(
    ctx: &State<Ctx>,
    chrome: Chrome,
    token: &str,
    form: Form<Change<'_>>,
) -> Result<std::result::Result<Flash<Redirect>, (Status, Template)>> {
    let on = match (form.one_click, form.reminders) {
        (Some(_), _) | (None, Some("off")) => false,
        (None, Some("on")) => true,
        _ => {
            return Err(super::Error::Refused(
                Status::UnprocessableEntity,
                "Choose whether to stop reminders or turn them back on.".into(),
            ))
        }
    };
    let back = Redirect::to(format!("{}/{token}", crate::mail::messages::STOP_PATH));
    match app::mail_preferences::set_reminders(ctx, token, on).await {
        Ok(_) if on => Ok(Ok(Flash::success(back, "Reminders are on again."))),
        Ok(_) => Ok(Ok(Flash::success(
            back,
            "Reminders are off: you will get no more of them.",
        ))),
        Err(app::Error::NotFound) => Ok(Err(not_valid(&chrome))),
        Err(e) => Err(e.into()),
    }
}
