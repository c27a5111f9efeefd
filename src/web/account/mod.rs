//! Accounts: registration and email confirmation, logging in and out, and
//! passwords (forgotten, reset, changed). Mounted at `/account`.

mod email;
mod invitation;
mod login;
mod password;
mod register;

use rocket::Route;
use serde::Serialize;

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
