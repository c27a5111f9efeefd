//! The reviewer's desk (`/review` and `/review/done`): what is still to
//! review and what is submitted, as two lists (links, so they work
//! without JavaScript), each paged, with the progress per cycle, a filter
//! by cycle, due dates said in words in the cycle's zone, and the
//! conflicts the reviewer declared, apart. Counts come from SQL; a page
//! reads only its own rows (`db::desk`).

use rocket::{get, State};
use rocket_dyn_templates::Template;
use serde::Serialize;

use super::title_for;
use crate::auth::guards::Reviewer;
use crate::context::Ctx;
use crate::db::{desk, mail_preferences, profiles};
use crate::domain::application::ApplicationId;
use crate::domain::cycle::{parse_zone, show_in, CycleId};
use crate::domain::workflow::desk::{due_in_words, progress_line, Lane};
use crate::domain::workflow::review::ReviewState;
use crate::web::page::{render, Chrome};
use crate::web::pager::{position, Pager};
use crate::web::Result;

/// Rows a page.
pub const PAGE_SIZE: i64 = 25;
/// The declared conflicts listed at most.
const DECLARED_SHOWN: i64 = 25;

#[derive(Serialize)]
struct RowView {
    application_id: ApplicationId,
    title: String,
    program_name: String,
    cycle_name: String,
    due: String,
    overdue: bool,
    state: &'static str,
    submitted: Option<String>,
}

#[derive(Serialize)]
struct CycleView {
    name: String,
    progress: String,
    to_do: i64,
    done: i64,
    /// The address of this cycle's view of the current list.
    href: String,
    current: bool,
}

#[derive(Serialize)]
struct Tab {
    label: String,
    href: String,
    current: bool,
}

#[derive(Serialize)]
struct DeclaredView {
    application_id: ApplicationId,
    program_name: String,
    cycle_name: String,
    reason: String,
    when: String,
}

#[derive(Serialize)]
struct Reminders {
    link: String,
    on: bool,
}

#[derive(Serialize)]
struct DeskPage {
    done_list: bool,
    tabs: Vec<Tab>,
    progress: String,
    to_do: i64,
    done: i64,
    total: i64,
    cycles: Vec<CycleView>,
    all_cycles_href: String,
    filtered: bool,
    rows: Vec<RowView>,
    pager: Pager,
    declared: Vec<DeclaredView>,
    declared_count: i64,
    declared_more: bool,
    institution: String,
    reminders: Option<Reminders>,
}

fn href(lane: Lane, cycle: Option<CycleId>, page: i64) -> String {
    let base = match lane {
        Lane::ToDo => "/review",
        Lane::Done => "/review/done",
    };
    let mut query = Vec::new();
    if let Some(c) = cycle {
        query.push(format!("cycle={c}"));
    }
    if page > 1 {
        query.push(format!("page={page}"));
    }
    if query.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", query.join("&"))
    }
}

/// What is still to review.
#[get("/?<cycle>&<page>")]
pub async fn show_to_do(
    who: Reviewer,
    ctx: &State<Ctx>,
    chrome: Chrome,
    cycle: Option<i64>,
    page: Option<i64>,
) -> Result<Template> {
    show(who, ctx, chrome, Lane::ToDo, cycle.map(CycleId), page).await
}

/// The reviews already submitted.
#[get("/done?<cycle>&<page>")]
pub async fn show_done(
    who: Reviewer,
    ctx: &State<Ctx>,
    chrome: Chrome,
    cycle: Option<i64>,
    page: Option<i64>,
) -> Result<Template> {
    show(who, ctx, chrome, Lane::Done, cycle.map(CycleId), page).await
}

async fn show(
    who: Reviewer,
    ctx: &Ctx,
    chrome: Chrome,
    lane: Lane,
    cycle: Option<CycleId>,
    page: Option<i64>,
) -> Result<Template> {
    let me = who.0.user().id;
    let now = ctx.now();
    let mut conn = ctx.conn().await?;
    let counts = desk::counts(conn.exec(), me).await?;
    // A cycle the reviewer has nothing in shows everything instead.
    let cycle = cycle.filter(|c| counts.iter().any(|k| k.cycle_id == *c));
    let shown: Vec<&desk::CycleCount> = counts
        .iter()
        .filter(|k| cycle.is_none_or(|c| k.cycle_id == c))
        .collect();
    let to_do: i64 = shown.iter().map(|k| k.to_do).sum();
    let done: i64 = shown.iter().map(|k| k.done).sum();
    let in_list = if lane == Lane::ToDo { to_do } else { done };
    let (page, offset) = position(page, PAGE_SIZE);
    let rows = desk::page(conn.exec(), me, lane, cycle, PAGE_SIZE, offset).await?;
    let (declared_count, declared) = desk::declared(conn.exec(), me, DECLARED_SHOWN).await?;
    let profile = profiles::get(conn.exec(), me).await?;
    let reminders = mail_preferences::review_page(conn.exec(), &who.0.user().email)
        .await?
        .map(|(token, on)| Reminders {
            link: format!("{}/{token}", crate::mail::messages::STOP_PATH),
            on,
        });
    let zone = |name: &str| parse_zone(name).unwrap_or(chrono_tz::UTC);
    let rows = rows
        .into_iter()
        .map(|r| {
            let state = ReviewState::of(r.review_state);
            let submitted = state == ReviewState::Submitted;
            let due = due_in_words(r.due_at, now, zone(&r.time_zone), submitted);
            RowView {
                application_id: r.application_id,
                title: title_for(r.application_id, r.blind_review, &r.applicant_name),
                program_name: r.program_name,
                cycle_name: r.cycle_name,
                due: due.text,
                overdue: due.overdue,
                state: state.label(),
                submitted: r.submitted_at.map(|at| show_in(zone(&r.time_zone), at)),
            }
        })
        .collect();
    let cycles = counts
        .iter()
        .map(|k| CycleView {
            name: format!("{} ({})", k.program_name, k.cycle_name),
            progress: progress_line(k.done, k.to_do),
            to_do: k.to_do,
            done: k.done,
            href: href(lane, Some(k.cycle_id), 1),
            current: cycle == Some(k.cycle_id),
        })
        .collect();
    let tabs = vec![
        Tab {
            label: format!("To review ({to_do})"),
            href: href(Lane::ToDo, cycle, 1),
            current: lane == Lane::ToDo,
        },
        Tab {
            label: format!("Submitted ({done})"),
            href: href(Lane::Done, cycle, 1),
            current: lane == Lane::Done,
        },
    ];
    let declared = declared
        .into_iter()
        .map(|d| DeclaredView {
            application_id: d.application_id,
            when: show_in(zone(&d.time_zone), d.created_at),
            program_name: d.program_name,
            cycle_name: d.cycle_name,
            reason: d.reason,
        })
        .collect();
    let view = DeskPage {
        done_list: lane == Lane::Done,
        tabs,
        progress: progress_line(done, to_do),
        to_do,
        done,
        total: to_do + done,
        cycles,
        all_cycles_href: href(lane, None, 1),
        filtered: cycle.is_some(),
        rows,
        pager: Pager::new(page, in_list, PAGE_SIZE, |p| href(lane, cycle, p)),
        declared,
        declared_count,
        declared_more: declared_count > DECLARED_SHOWN,
        institution: profile.institution,
        reminders,
    };
    let title = if lane == Lane::ToDo {
        "Your reviews"
    } else {
        "Your submitted reviews"
    };
    Ok(render("review/index", &chrome, title, view))
}
