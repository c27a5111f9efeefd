//! A cycle's decisions and offers: the list (best normalised score first),
//! offer counts, and offering a place to the next waitlisted applicant.

use crate::domain::cycle::CycleId;
use rocket::form::Form;
use rocket::response::{Flash, Redirect};
use rocket::{get, post, routes, FromForm, Route, State};
use rocket_dyn_templates::Template;
use serde::Serialize;

use super::pipeline::PAGE_SIZE;
use crate::app::access;
use crate::auth::guards::Manager;
use crate::context::Ctx;
use crate::db::decisions;
use crate::domain::application::ApplicationId;
use crate::domain::workflow::decision::{offer_state, waitlist_order, Outcome};
use crate::web::page::{render, Chrome, ClientIp};
use crate::web::pager::{position, Pager};
use crate::web::{told, Result};

pub fn routes() -> Vec<Route> {
    routes![list_decisions, promote_waitlisted]
}

#[derive(Serialize)]
struct Row {
    id: ApplicationId,
    applicant_name: String,
    outcome: String,
    released: bool,
    offer: Option<&'static str>,
    offer_deadline: String,
    normalised: String,
}

#[derive(Serialize)]
struct Counts {
    open: i64,
    accepted: i64,
    declined: i64,
    lapsed: i64,
    waitlisted: i64,
}

#[derive(Serialize)]
struct DecisionsPage {
    cycle_id: CycleId,
    cycle_name: String,
    filter: String,
    /// One link per outcome, under the cycle's labels.
    filters: Vec<Filter>,
    rows: Vec<Row>,
    #[serde(flatten)]
    pager: Pager,
    offers: Counts,
    next_waitlisted: Option<NextUp>,
    /// The next on the waitlist is the manager's own application.
    next_is_yours: bool,
    unreleased: i64,
    /// Letters released and not yet sent.
    waiting: Option<String>,
}

#[derive(Serialize)]
struct Filter {
    value: &'static str,
    label: String,
    current: bool,
}

#[derive(Serialize)]
struct NextUp {
    id: ApplicationId,
    name: String,
}

#[get("/cycles/<id>/decisions?<outcome>&<page>")]
async fn list_decisions(
    who: Manager,
    ctx: &State<Ctx>,
    chrome: Chrome,
    id: CycleId,
    outcome: Option<String>,
    page: Option<i64>,
) -> Result<Template> {
    let c = access::cycle_for_manager(ctx, &who, id).await?;
    let chosen = outcome.as_deref().and_then(Outcome::parse);
    let filter = chosen.map_or("", Outcome::as_str);
    let (page, offset) = position(page, PAGE_SIZE);
    let now = ctx.now();
    let mut conn = ctx.conn().await?;
    let labels = crate::db::outcomes::list(conn.exec(), id).await?;
    let me = who.0.user().id;
    let (rows, total) = decisions::list(conn.exec(), id, me, chosen, offset, PAGE_SIZE).await?;
    let counts = decisions::offer_counts(conn.exec(), id).await?;
    let unreleased: i64 = decisions::unreleased_counts(conn.exec(), id, me, None)
        .await?
        .iter()
        .map(|(_, n)| n)
        .sum();
    let order = waitlist_order(decisions::waitlisted(conn.exec(), id).await?);
    let next_waitlisted = match order.first() {
        Some(next) => crate::db::applications::find(conn.exec(), *next)
            .await?
            .map(|a| a.applicant_id),
        None => None,
    };
    // The manager's own application is offered a place by another manager.
    let next_is_yours = next_waitlisted == Some(me);
    let next_waitlisted = match (order.first(), next_waitlisted) {
        (Some(app), Some(user)) if user != me => crate::db::users::find(conn.exec(), user)
            .await?
            .map(|u| NextUp {
                id: *app,
                name: u.name,
            }),
        _ => None,
    };
    // The page's own connection goes back to the pool before the notice
    // takes one: holding one while waiting for another starves the pool
    // under load (every request would hold one and wait for a second).
    drop(conn);
    let waiting = super::letters_waiting_notice(ctx, &c).await?;
    let href = |p: i64| format!("/manage/cycles/{id}/decisions?outcome={filter}&page={p}");
    let list = DecisionsPage {
        cycle_id: id,
        cycle_name: c.cycle.name.clone(),
        rows: rows
            .into_iter()
            .map(|d| Row {
                id: d.application_id,
                applicant_name: d.applicant_name,
                outcome: labels.name(d.outcome, d.outcome_key.as_deref()).to_owned(),
                released: d.released_at.is_some(),
                offer: match (d.outcome, d.released_at, d.offer_deadline) {
                    (Outcome::Accepted, Some(_), Some(by)) => {
                        Some(offer_state(d.offer_answer, by, now).label())
                    }
                    _ => None,
                },
                offer_deadline: d
                    .offer_deadline
                    .map(|t| c.cycle.show(t))
                    .unwrap_or_default(),
                normalised: d
                    .normalised
                    .map_or_else(|| "—".into(), |n| format!("{n:.1}")),
            })
            .collect(),
        filter: filter.to_owned(),
        filters: Outcome::ALL
            .into_iter()
            .map(|o| Filter {
                value: o.as_str(),
                label: labels.label(o).to_owned(),
                current: chosen == Some(o),
            })
            .collect(),
        pager: Pager::new(page, total, PAGE_SIZE, href),
        offers: Counts {
            open: counts.open,
            accepted: counts.accepted,
            declined: counts.declined,
            lapsed: counts.lapsed,
            waitlisted: counts.waitlisted,
        },
        next_waitlisted,
        next_is_yours,
        unreleased,
        waiting,
    };
    let title = format!("Decisions – {}", c.cycle.name);
    Ok(render("manage/decisions", &chrome, &title, list))
}

#[derive(FromForm)]
struct PromoteForm {
    #[field(default = String::new())]
    application: String,
}

/// Offers a place to a waitlisted applicant (the suggested next one, or
/// another the manager chose), with an offer letter.
#[post("/cycles/<id>/promote", data = "<form>")]
async fn promote_waitlisted(
    who: Manager,
    ctx: &State<Ctx>,
    ip: ClientIp,
    id: CycleId,
    form: Form<PromoteForm>,
) -> Result<Flash<Redirect>> {
    let list = || Redirect::to(format!("/manage/cycles/{id}/decisions?outcome=waitlisted"));
    let Ok(app_id) = form.application.trim().parse::<ApplicationId>() else {
        // The cycle first: another program's cycle is not found either way.
        access::cycle_for_manager(ctx, &who, id).await?;
        return Ok(Flash::error(list(), "Choose whom to offer the place to."));
    };
    let promoted = crate::app::offers::promote(ctx, &who, &ip, id, app_id).await;
    told(promoted, list(), |p| {
        format!(
            "{} is offered a place until {}; the offer letter is on its way.",
            p.applicant_name, p.deadline
        )
    })
}
