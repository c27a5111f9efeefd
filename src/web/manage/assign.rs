//! Assigning reviewers automatically (K per application, loads level, the
//! cap kept, never a conflicted reviewer), previewed before it is applied;
//! the plan and its application are `app::assignment`'s.

use crate::domain::cycle::CycleId;
use std::collections::BTreeMap;

use rocket::form::Form;
use rocket::response::{Flash, Redirect};
use rocket::{get, post, routes, FromForm, Route, State};
use rocket_dyn_templates::Template;
use serde::Serialize;

use crate::app::access::{cycle_for_manager, review_setup};
use crate::app::assignment::auto::{apply_plan, propose};
use crate::app::assignment::{default_due, read_due};
use crate::auth::guards::Manager;
use crate::context::Ctx;
use crate::domain::application::ApplicationId;
use crate::domain::user::UserId;
use crate::web::page::{render, Chrome, ClientIp};
use crate::web::{told, Result};

pub fn routes() -> Vec<Route> {
    routes![show_auto_assign, apply_auto_assign]
}

#[derive(Serialize)]
struct LoadRow {
    name: String,
    before: usize,
    added: usize,
    after: usize,
}

#[derive(Serialize)]
struct ShortRow {
    id: ApplicationId,
    have: usize,
}

#[derive(Serialize)]
struct AutoPage {
    cycle_id: CycleId,
    cycle_name: String,
    per_application: u32,
    cap: Option<u32>,
    applications: usize,
    reviewers: usize,
    due: String,
    due_error: Option<String>,
    preview: bool,
    fingerprint: String,
    new_assignments: usize,
    loads: Vec<LoadRow>,
    short: Vec<ShortRow>,
    short_more: usize,
}

/// The automatic assignment form and, with a due date, its preview.
#[get("/cycles/<id>/assign?<due>")]
async fn show_auto_assign(
    who: Manager,
    ctx: &State<Ctx>,
    chrome: Chrome,
    id: CycleId,
    due: Option<String>,
) -> Result<Template> {
    let c = cycle_for_manager(ctx, &who, id).await?;
    let setup = review_setup(ctx, id).await?;
    let now = ctx.now();
    let proposal = propose(ctx, &who, &c).await?;
    let (due_text, due_error) = match &due {
        Some(d) => match read_due(&c.cycle, d, now) {
            Ok(_) => (d.trim().to_owned(), None),
            Err(m) => (d.clone(), Some(m.to_owned())),
        },
        None => (default_due(&c.cycle, now), None),
    };
    let preview = due.is_some() && due_error.is_none();
    let mut added: BTreeMap<UserId, usize> = BTreeMap::new();
    for (_, r) in &proposal.plan.assign {
        *added.entry(*r).or_default() += 1;
    }
    let loads = proposal
        .reviewers
        .iter()
        .map(|r| {
            let after = proposal.plan.loads.get(&r.id).copied().unwrap_or(0);
            let new = added.get(&r.id).copied().unwrap_or(0);
            LoadRow {
                name: r.name.clone(),
                before: after - new,
                added: new,
                after,
            }
        })
        .collect();
    const SHOWN: usize = 50;
    let page = AutoPage {
        cycle_id: id,
        cycle_name: c.cycle.name.clone(),
        per_application: setup.settings.reviewers_per_application,
        cap: setup.settings.reviewer_cap,
        applications: proposal.applications,
        reviewers: proposal.reviewers.len(),
        due: due_text,
        due_error,
        preview,
        fingerprint: proposal.fingerprint,
        new_assignments: proposal.plan.assign.len(),
        loads,
        short: proposal
            .plan
            .short
            .iter()
            .take(SHOWN)
            .map(|(id, have)| ShortRow {
                id: *id,
                have: *have,
            })
            .collect(),
        short_more: proposal.plan.short.len().saturating_sub(SHOWN),
    };
    let title = format!("Assign reviewers – {}", c.cycle.name);
    Ok(render("manage/assign", &chrome, &title, page))
}

#[derive(FromForm)]
struct ApplyForm {
    #[field(default = String::new())]
    due: String,
    #[field(default = String::new())]
    fingerprint: String,
}

/// Applies the previewed plan, if it is still the plan.
#[post("/cycles/<id>/assign", data = "<form>")]
async fn apply_auto_assign(
    who: Manager,
    ctx: &State<Ctx>,
    ip: ClientIp,
    id: CycleId,
    form: Form<ApplyForm>,
) -> Result<Flash<Redirect>> {
    let preview = Redirect::to(format!(
        "/manage/cycles/{id}/assign?due={}",
        crate::web::page::url_encode(form.due.trim())
    ));
    match apply_plan(ctx, &who, &ip, id, &form.due, &form.fingerprint).await {
        Ok(done) => Ok(Flash::success(
            Redirect::to(format!("/manage/cycles/{id}/applications?stage=review")),
            done.message(),
        )),
        Err(e) => told(Err(e), preview, |()| String::new()),
    }
}
