//! Reviewer progress in a cycle, and reminding every overdue reviewer
//! (at most one mail per reviewer and day, through `app::assignment`).

use crate::domain::cycle::CycleId;
use rocket::response::{Flash, Redirect};
use rocket::{get, post, routes, Route, State};
use rocket_dyn_templates::Template;
use serde::Serialize;

use crate::app::access::cycle_for_manager;
use crate::app::assignment;
use crate::auth::guards::Manager;
use crate::context::Ctx;
use crate::db::assignments;
use crate::domain::user::UserId;
use crate::web::page::{render, Chrome, ClientIp};
use crate::web::{told, Result};

pub fn routes() -> Vec<Route> {
    routes![show_progress, remind_overdue]
}

#[derive(Serialize)]
struct Row {
    id: UserId,
    name: String,
    email: String,
    assigned: i64,
    submitted: i64,
    outstanding: i64,
    overdue: i64,
    deactivated: bool,
}

#[derive(Serialize)]
struct ProgressPage {
    cycle_id: CycleId,
    cycle_name: String,
    rows: Vec<Row>,
    any_overdue: bool,
}

#[get("/cycles/<id>/reviewers")]
async fn show_progress(
    who: Manager,
    ctx: &State<Ctx>,
    chrome: Chrome,
    id: CycleId,
) -> Result<Template> {
    let c = cycle_for_manager(ctx, &who, id).await?;
    let mut conn = ctx.conn().await?;
    let rows: Vec<Row> = assignments::progress(conn.exec(), id, c.cycle.program_id, ctx.now())
        .await?
        .into_iter()
        .map(|p| Row {
            id: p.reviewer_id,
            name: p.name,
            email: p.email,
            assigned: p.assigned,
            submitted: p.submitted,
            outstanding: p.assigned - p.submitted,
            overdue: p.overdue,
            deactivated: p.deactivated,
        })
        .collect();
    let page = ProgressPage {
        cycle_id: id,
        cycle_name: c.cycle.name.clone(),
        any_overdue: rows.iter().any(|r| r.overdue > 0),
        rows,
    };
    let title = format!("Reviewers – {}", c.cycle.name);
    Ok(render("manage/progress", &chrome, &title, page))
}

/// Queues a reminder to every reviewer with overdue reviews in the cycle
/// who has not been reminded today.
#[post("/cycles/<id>/remind")]
async fn remind_overdue(
    who: Manager,
    ctx: &State<Ctx>,
    ip: ClientIp,
    id: CycleId,
) -> Result<Flash<Redirect>> {
    let outcome = assignment::remind_overdue(ctx, &who, &ip, id).await;
    let back = Redirect::to(format!("/manage/cycles/{id}/reviewers"));
    told(outcome, back, |queued| match queued {
        0 => "Nobody needed a reminder: every overdue reviewer has had one today.".to_owned(),
        1 => "One reviewer was reminded.".to_owned(),
        n => format!("{n} reviewers were reminded."),
    })
}
