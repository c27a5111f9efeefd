//! The program manager's area, mounted at `/manage`: the cycles of the
//! programs they manage, each cycle's dashboard ([`dashboard`]) and
//! deadline extensions for one applicant; then, by submodule: the filtered list and
//! bulk actions ([`pipeline`]), one application ([`application`]) with
//! its screening ([`screening`]) and reviewers ([`reviewers`]), automatic
//! assignment ([`assign`]), reviewer progress and reminders
//! ([`progress`]), the ranking ([`ranking`]), review settings
//! ([`settings`]) and the rubric builder ([`rubric`]), decisions ([`decisions`]), their release
//! ([`release`]), offers and the waitlist ([`offers`]), the letter
//! templates ([`letters`]), a program's own page with its details
//! ([`programs`]), and setting cycles up: new, copied, published
//! ([`cycle_setup`]) and their name and dates ([`cycle_dates`]). Every
//! route takes the `Manager` guard and checks the program with
//! `Roles::can_manage`.

mod application;

pub(crate) use application::{review_view, ReviewView};
mod assign;
mod audit;
mod bulk;
mod cycle_dates;
mod cycle_setup;
mod dashboard;
mod decisions;
mod demographics;
mod export;
mod form;
mod invitations;
mod labels;
mod letters;

mod listing;
mod messages;
mod notes;
mod offers;
mod outcomes;
mod pipeline;
mod programs;
mod progress;
mod ranking;
mod release;
mod removal;
mod reviewers;
mod rubric;
mod screening;
mod settings;

use crate::domain::cycle::CycleId;
use crate::domain::program::ProgramId;
use rocket::form::Form;
use rocket::response::{Flash, Redirect};
use rocket::{get, post, routes, FromForm, Route, State};
use rocket_dyn_templates::Template;
use serde::Serialize;

use super::page::{render, Chrome, ClientIp};
use super::{told, Result};
use crate::app::settings::{extend_deadline, ExtensionForm as Extension};
use crate::auth::guards::Manager;
use crate::context::Ctx;
use crate::db::cycles;
use crate::domain::role::ProgramRole;

/// Routes mounted at `/manage`.
pub fn routes() -> Vec<Route> {
    let mut all = routes![index, dashboard::show_cycle, extend];
    all.extend(pipeline::routes());
    all.extend(application::routes());
    all.extend(screening::routes());
    all.extend(reviewers::routes());
    all.extend(removal::routes());
    all.extend(assign::routes());
    all.extend(progress::routes());
    all.extend(ranking::routes());
    all.extend(settings::routes());
    all.extend(rubric::routes());
    all.extend(decisions::routes());
    all.extend(export::routes());
    all.extend(demographics::routes());
    all.extend(release::routes());
    all.extend(offers::routes());
    all.extend(letters::routes());
    all.extend(audit::routes());
    all.extend(invitations::routes());
    all.extend(notes::routes());
    all.extend(labels::routes());
    all.extend(messages::routes());
    all.extend(outcomes::routes());
    all.extend(programs::routes());
    all.extend(cycle_setup::routes());
    all.extend(cycle_dates::routes());
    all.extend(form::routes());
    all
}

#[derive(Serialize)]
struct CycleRow {
    id: CycleId,
    program_name: String,
    name: String,
    closes: String,
    published: bool,
}

/// A program the manager looks after: its page, and a new cycle unless
/// it is archived.
#[derive(Serialize)]
struct ProgramLink {
    id: ProgramId,
    name: String,
    archived: bool,
}

#[derive(Serialize)]
struct IndexPage {
    programs: Vec<ProgramLink>,
    cycles: Vec<CycleRow>,
}

#[get("/")]
async fn index(who: Manager, ctx: &State<Ctx>, chrome: Chrome) -> Result<Template> {
    let programs: Vec<ProgramId> = who
        .0
        .roles()
        .grants
        .iter()
        .filter(|g| g.role == ProgramRole::Manager)
        .map(|g| g.program_id)
        .collect();
    let mut conn = ctx.conn().await?;
    let listed = cycles::for_programs(conn.exec(), &programs).await?;
    let ids: Vec<CycleId> = listed.iter().map(|c| c.id).collect();
    let unpublished = crate::db::cycle_setup::unpublished_among(conn.exec(), &ids).await?;
    let rows = listed
        .into_iter()
        .map(|c| CycleRow {
            closes: crate::domain::cycle::parse_zone(&c.time_zone)
                .map(|tz| crate::domain::cycle::show_in(tz, c.closes_at))
                .unwrap_or_default(),
            published: !unpublished.contains(&c.id),
            id: c.id,
            program_name: c.program_name,
            name: c.name,
        })
        .collect();
    let roles = who.0.roles();
    let managed = crate::db::programs::list(conn.exec())
        .await?
        .into_iter()
        .filter(|p| roles.can_manage(p.id) || roles.can_administer())
        .map(|p| ProgramLink {
            archived: p.is_archived(),
            id: p.id,
            name: p.name,
        })
        .collect();
    Ok(render(
        "manage/index",
        &chrome,
        "Your programs",
        IndexPage {
            programs: managed,
            cycles: rows,
        },
    ))
}

#[derive(FromForm)]
struct ExtensionForm {
    #[field(default = String::new())]
    email: String,
    #[field(default = String::new())]
    date: String,
    #[field(default = String::new())]
    time: String,
    #[field(default = String::new())]
    reason: String,
}

/// Gives one applicant's draft a later deadline, in the cycle's time zone.
#[post("/cycles/<id>/extensions", data = "<form>")]
async fn extend(
    who: Manager,
    ctx: &State<Ctx>,
    ip: ClientIp,
    id: CycleId,
    form: Form<ExtensionForm>,
) -> Result<Flash<Redirect>> {
    let input = Extension {
        email: &form.email,
        date: &form.date,
        time: &form.time,
        reason: &form.reason,
    };
    let outcome = extend_deadline(ctx, &who, &ip, id, &input).await;
    told(outcome, Redirect::to(format!("/manage/cycles/{id}")), |x| {
        format!(
            "{} ({}) may now submit until {}.",
            x.applicant_name, x.email, x.until
        )
    })
}

/// What the decisions and release pages say about letters released but
/// not yet sent (the mail relay down, say): how many, and since when.
async fn letters_waiting_notice(
    ctx: &Ctx,
    c: &crate::db::cycles::CycleWithForm,
) -> Result<Option<String>> {
    let mut conn = ctx.conn().await?;
    let (count, since) = crate::db::outbox::letters_waiting(conn.exec(), c.cycle.id).await?;
    Ok(since.filter(|_| count > 0).map(|since| {
        format!(
            "{count} decision letter{s} {are} still waiting to be sent, the oldest since {when}. \
             Letters are tried again on their own for a while; an admin can see why they wait, \
             and send again any that failed, in the mail outbox.",
            s = if count == 1 { "" } else { "s" },
            are = if count == 1 { "is" } else { "are" },
            when = c.cycle.show(since),
        )
    }))
}
