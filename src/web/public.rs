//! Pages for everyone: the home page with the programs, `/healthz`, and the
//! answer to a form without a valid CSRF token.

use rocket::http::Status;
use rocket::serde::json::Json;
use rocket::{get, post, routes, Route, State};
use rocket_dyn_templates::Template;
use serde::Serialize;

use super::page::{render, Chrome};
use super::Result;
use crate::auth::guards::Admin;
use crate::db::{programs, Db};
use crate::domain::program::Program;
use crate::health::{Monitor, Status as HealthStatus};

/// Routes mounted at `/`.
pub fn routes() -> Vec<Route> {
    routes![home, healthz, csrf_rejected, unknown_get, unknown_post]
}

#[derive(Serialize)]
struct HomePage {
    programs: Vec<Program>,
}

#[get("/")]
async fn home(db: &Db, chrome: Chrome) -> Result<Template> {
    let mut conn = db.conn().await?;
    let programs = programs::list(conn.exec()).await?;
    Ok(render(
        "public/home",
        &chrome,
        "Fellowships and internships in health equity",
        HomePage { programs },
    ))
}

#[derive(Serialize)]
struct Component {
    backend: &'static str,
    ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

impl From<crate::health::Component> for Component {
    fn from(c: crate::health::Component) -> Self {
        Self {
            backend: c.backend,
            ok: c.ok,
            error: c.error,
        }
    }
}

/// What `/healthz` tells an admin: every component with the reason it is
/// down, and when it was checked.
#[derive(Serialize)]
struct Details {
    database: Component,
    storage: Component,
    mail: Component,
    checked_at: String,
}

#[derive(Serialize)]
struct Health {
    status: &'static str,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    details: Option<Details>,
}

/// 200 while the database answers (storage or mail trouble is reported as
/// `degraded` but does not take the instance out of a load balancer), 503
/// when it does not. Answered from the last background check, so polling
/// costs nothing; only an admin sees the components and their errors.
#[get("/healthz")]
fn healthz(monitor: &State<Monitor>, admin: Option<Admin>) -> (Status, Json<Health>) {
    let last = monitor.snapshot();
    // The checks run on the wall clock, whatever time the portal keeps.
    let status = last.status(chrono::Utc::now(), monitor.interval);
    let details = admin.map(|_| Details {
        checked_at: last.checked_at.to_rfc3339(),
        database: last.database.into(),
        storage: last.storage.into(),
        mail: last.mail.into(),
    });
    let code = if status == HealthStatus::Down {
        Status::ServiceUnavailable
    } else {
        Status::Ok
    };
    (
        code,
        Json(Health {
            status: status.as_str(),
            details,
        }),
    )
}

#[derive(Serialize)]
struct Rejected {}

/// Where the CSRF fairing sends a state-changing request without a valid
/// token: nothing has been done.
#[post("/csrf-rejected")]
fn csrf_rejected(chrome: Chrome) -> (Status, Template) {
    (
        Status::Forbidden,
        render("errors/csrf", &chrome, "This form has expired", Rejected {}),
    )
}

/// Any address no route takes. A route whose number cannot be read (an id
/// past the 64-bit range, say) forwards here too, so it is "Page not
/// found" like any unknown address, not "the form could not be read".
#[get("/<_..>", rank = 100)]
fn unknown_get() -> Status {
    Status::NotFound
}

/// [`unknown_get`] for forms sent to an address no route takes.
#[post("/<_..>", rank = 100)]
fn unknown_post() -> Status {
    Status::NotFound
}
