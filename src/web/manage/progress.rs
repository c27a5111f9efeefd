//! Reviewer progress in a cycle, and reminding every overdue reviewer
//! (at most one mail per reviewer and day).

use rocket::response::{Flash, Redirect};
use rocket::{get, post, routes, Route, State};
use rocket_dyn_templates::Template;
use serde::Serialize;

use super::{audit_action, load_cycle};
use crate::auth::guards::Manager;
use crate::db::{assignments, Db};
use crate::jobs::reminders::remind_overdue_reviewers;
use crate::mail::Mail;
use crate::web::page::{render, Chrome, ClientIp};
use crate::web::Result;

pub fn routes() -> Vec<Route> {
    routes![show_progress, remind_overdue]
}

#[derive(Serialize)]
struct Row {
    id: i64,
    name: String,
    email: String,
    assigned: i64,
    submitted: i64,
    outstanding: i64,
    overdue: i64,
}

#[derive(Serialize)]
struct ProgressPage {
    cycle_id: i64,
    cycle_name: String,
    rows: Vec<Row>,
    any_overdue: bool,
}

#[get("/cycles/<id>/reviewers")]
async fn show_progress(who: Manager, db: &Db, chrome: Chrome, id: i64) -> Result<Template> {
    let c = load_cycle(&who, db, id).await?;
    let mut conn = db.conn().await?;
    let rows: Vec<Row> =
        assignments::progress(conn.exec(), id, c.cycle.program_id, crate::clock::now())
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
    db: &Db,
    mail: &State<Mail>,
    ip: ClientIp,
    id: i64,
) -> Result<Flash<Redirect>> {
    load_cycle(&who, db, id).await?;
    let now = crate::clock::now();
    let mut tx = db.begin().await?;
    let queued = remind_overdue_reviewers(tx.exec(), mail, Some(id), now).await?;
    audit_action(
        tx.exec(),
        &who,
        &ip,
        "review.remind",
        &format!("cycle:{id}"),
        &format!("{queued} reminders"),
        now,
    )
    .await?;
    tx.commit().await?;
    mail.wake();
    let back = Redirect::to(format!("/manage/cycles/{id}/reviewers"));
    Ok(Flash::success(
        back,
        match queued {
            0 => "Nobody needed a reminder: every overdue reviewer has had one today.".to_owned(),
            1 => "One reviewer was reminded.".to_owned(),
            n => format!("{n} reviewers were reminded."),
        },
    ))
}
