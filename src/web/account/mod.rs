//! Accounts: registration and email confirmation, logging in and out, and
//! passwords (forgotten, reset, changed). Mounted at `/account`.

mod email;
mod invitation;
mod login;
mod password;
mod register;

use rocket::http::Status;
use rocket::Route;
use rocket_dyn_templates::Template;
use serde::Serialize;

use crate::db::tokens::TokenProblem;
use crate::web::page::{render, Chrome};

/// Routes mounted at `/account`.
pub fn routes() -> Vec<Route> {
    let mut routes = register::routes();
    routes.extend(login::routes());
    routes.extend(password::routes());
    routes.extend(invitation::routes());
    routes.extend(email::routes());
    routes
}

/// What a page says about a link that no longer works.
#[derive(Serialize)]
struct LinkProblem {
    heading: &'static str,
    message: &'static str,
    action_href: &'static str,
    action_label: &'static str,
}

/// What one kind of emailed link says when it does not work: a heading
/// and a message for each problem, and the one way on.
struct LinkWords {
    expired: (&'static str, &'static str),
    used: (&'static str, &'static str),
    unknown: (&'static str, &'static str),
    action_href: &'static str,
    action_label: &'static str,
}

impl LinkWords {
    /// The page for `problem`: 410 for a link that worked once (expired
    /// or used), 404 for one that never did.
    fn page(&self, chrome: &Chrome, problem: TokenProblem) -> (Status, Template) {
        let (status, (heading, message)) = match problem {
            TokenProblem::Expired => (Status::Gone, self.expired),
            TokenProblem::Used => (Status::Gone, self.used),
            TokenProblem::Unknown => (Status::NotFound, self.unknown),
        };
        let page = LinkProblem {
            heading,
            message,
            action_href: self.action_href,
            action_label: self.action_label,
        };
        (
            status,
            render("account/link_problem", chrome, heading, page),
        )
    }
}
