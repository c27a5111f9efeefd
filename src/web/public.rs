//! Pages for everyone: the home page with the programs' calls, a program's
//! page, `/healthz`, and the answer to a form without a valid CSRF token.

use rocket::http::Status;
use rocket::serde::json::Json;
use rocket::{get, post, routes, Route, State};
use rocket_dyn_templates::Template;
use serde::Serialize;

use super::page::{render, Chrome};
use super::Result;
use crate::app::programs;
use crate::auth::guards::Admin;
use crate::context::Ctx;
use crate::db::programs::Call;
use crate::domain::cycle::Cycle;
use crate::domain::program::{call_state, CallState};
use crate::health::{Monitor, Status as HealthStatus};

/// Routes mounted at `/`.
pub fn routes() -> Vec<Route> {
    routes![
        home,
        show_program,
        healthz,
        csrf_rejected,
        unknown_get,
        unknown_post
    ]
}

/// A program's call as the public pages show it.
#[derive(Serialize)]
struct CallView {
    name: String,
    slug: String,
    kind: &'static str,
    description: String,
    state: CallState,
    cycle_name: String,
    /// Times in the cycle's zone, named (empty without a cycle).
    opens: String,
    closes: String,
    letters_due: String,
    decisions_expected: String,
    /// Where the Apply (or Nominate) button leads: the cycle's start page.
    apply_url: String,
    /// "Apply", or "Nominate" for an award nomination.
    verb: &'static str,
}

impl CallView {
    fn of(call: Call, now: chrono::DateTime<chrono::Utc>) -> Self {
        let state = call_state(call.cycle.as_ref(), now);
        let p = call.program;
        let c = call.cycle.as_ref();
        let show = |at: fn(&Cycle) -> chrono::DateTime<chrono::Utc>| {
            c.map(|c| c.show(at(c))).unwrap_or_default()
        };
        Self {
            cycle_name: c.map(|c| c.name.clone()).unwrap_or_default(),
            opens: show(|c| c.opens_at),
            closes: show(|c| c.closes_at),
            letters_due: show(|c| c.letters_due_at),
            decisions_expected: show(|c| c.decision_planned_at),
            apply_url: c
                .map(|c| format!("/apply/cycles/{}", c.id))
                .unwrap_or_default(),
            verb: p.kind.apply_verb(),
            kind: p.kind.label(),
            state,
            name: p.name,
            slug: p.slug,
            description: p.description,
        }
    }
}

#[derive(Serialize)]
struct HomePage {
    calls: Vec<CallView>,
}

#[get("/")]
async fn home(ctx: &State<Ctx>, chrome: Chrome) -> Result<Template> {
    let now = ctx.now();
    let calls = programs::public_calls(ctx)
        .await?
        .into_iter()
        .map(|c| CallView::of(c, now))
        .collect();
    Ok(render(
        "public/home",
        &chrome,
        "Fellowships and internships in health equity",
        HomePage { calls },
    ))
}

#[derive(Serialize)]
struct ProgramPage {
    #[serde(flatten)]
    call: CallView,
    eligibility: String,
    contact_email: String,
    archived: bool,
}

/// A program's public page: what it offers, who may apply, its current
/// or next cycle's dates, whom to write to, and the button to apply.
/// Hidden programs are reached here by their address.
#[get("/programs/<slug>")]
async fn show_program(ctx: &State<Ctx>, chrome: Chrome, slug: &str) -> Result<Template> {
    let (call, contact_email) = programs::public_program(ctx, slug).await?;
    let archived = call.program.is_archived();
    let eligibility = call.program.eligibility.clone();
    let page = ProgramPage {
        call: CallView::of(call, ctx.now()),
        eligibility,
        contact_email,
        archived,
    };
    let title = page.call.name.clone();
    Ok(render("public/program", &chrome, &title, page))
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
