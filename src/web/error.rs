//! The one error type routes return, and the catchers that turn statuses
//! into pages.
//!
//! Use `NotFound` for anything the caller may not know exists (another
//! user's object included), `Forbidden` when the role is wrong, and
//! `Internal` (through `?` on database or other failures) for the rest;
//! form mistakes are not errors but a 422 page showing the form again.

use rocket::http::Status;
use rocket::response::{Redirect, Responder};
use rocket::{catch, catchers, Catcher, Request};
use rocket_dyn_templates::Template;
use serde::Serialize;

use super::page::Chrome;
use crate::auth::guards::SessionUser;

/// What went wrong in a handler.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    /// The request was understood but cannot be served as things are;
    /// the page says why in the reader's words.
    #[error("refused: {1}")]
    Refused(Status, String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// Result of a handler.
pub type Result<T> = std::result::Result<T, Error>;

impl From<crate::db::DbError> for Error {
    fn from(e: crate::db::DbError) -> Self {
        Self::Internal(e.into())
    }
}

/// What a use case refused becomes the page's error; a handler that can
/// show the form again with the mistakes handles `Invalid` and `Refused`
/// itself before this.
impl From<crate::app::Error> for Error {
    fn from(e: crate::app::Error) -> Self {
        use crate::app::Error as App;
        match e {
            App::NotFound => Self::NotFound,
            App::Forbidden => Self::Forbidden,
            App::Refused(message) => Self::Refused(Status::Conflict, message),
            App::Invalid(errors) => Self::Refused(Status::UnprocessableEntity, errors.in_words()),
            App::Limited => Self::Refused(
                Status::TooManyRequests,
                "Too many attempts. Please wait a few minutes and try again.".into(),
            ),
            App::OverMailLimit(scope) => {
                Self::Refused(Status::TooManyRequests, scope.message().to_owned())
            }
            App::Internal(e) => Self::Internal(e),
        }
    }
}

impl<'r> Responder<'r, 'static> for Error {
    fn respond_to(self, req: &'r Request<'_>) -> rocket::response::Result<'static> {
        match self {
            Self::NotFound => Err(Status::NotFound),
            Self::Forbidden => Err(Status::Forbidden),
            Self::Refused(status, message) => {
                let chrome = Chrome::for_error(req);
                let ctx = ErrorPage {
                    status: status.code,
                    heading: "This cannot be done",
                    message,
                };
                (
                    status,
                    super::page::render("errors/error", &chrome, ctx.heading, ctx),
                )
                    .respond_to(req)
            }
            Self::Internal(e) => {
                // The route's pattern, never the path: a path may hold a token.
                tracing::error!(
                    "{} {}: {e:#}",
                    req.method(),
                    super::observe::route_pattern(req)
                );
                Err(Status::InternalServerError)
            }
        }
    }
}

#[derive(Serialize)]
struct ErrorPage<M: Serialize> {
    status: u16,
    heading: &'static str,
    message: M,
}

/// Renders the error page for `status` with its own words.
pub fn page(req: &Request<'_>, status: Status) -> (Status, Template) {
    let (heading, message) = match status.code {
        400 => ("The request could not be understood", "Something in what was sent was malformed. Go back, check the form and try again."),
        403 => ("You do not have access to this page", "Your account does not have the role this page needs. If you think it should, ask the program team."),
        404 => ("Page not found", "Check the address, or go back to the home page. If you followed a link from the portal, it may have moved or expired."),
        413 => ("That was too large", "What you sent is larger than this page accepts. Go back and send something smaller; what you saved before is kept."),
        415 => (
            "The form could not be read",
            "The form was not sent the way this page expects. Go back, reload the page and try again.",
        ),
        422 => ("The form could not be read", "Some answers were missing or not in the expected form. Go back, reload the page and try again."),
        429 => ("Too many requests", "Please wait a moment before trying again."),
        503 => ("The portal is busy", "The service is briefly unavailable. Please try again in a minute; what you saved is kept."),
        _ => ("Something went wrong on our side", "The problem has been logged. Please try again in a few minutes; what you saved before is kept."),
    };
    let chrome = Chrome::for_error(req);
    let ctx = ErrorPage {
        status: status.code,
        heading,
        message,
    };
    (
        status,
        super::page::render("errors/error", &chrome, heading, ctx),
    )
}

#[catch(default)]
async fn any(status: Status, req: &Request<'_>) -> (Status, Template) {
    SessionUser::of(req).await;
    page(req, status)
}

/// Without a session: to the login page, coming back afterwards. With a
/// session that must change its password first: to the password page.
#[catch(401)]
async fn unauthorized(req: &Request<'_>) -> Redirect {
    if SessionUser::of(req)
        .await
        .is_some_and(|s| s.user.must_change_password)
    {
        return Redirect::to("/account/password");
    }
    let here = req.uri().to_string();
    Redirect::to(format!(
        "/account/login?next={}",
        super::page::url_encode(&here)
    ))
}

/// The catchers mounted at `/`.
pub fn catchers() -> Vec<Catcher> {
    catchers![any, unauthorized]
}
