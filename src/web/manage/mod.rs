//! The program manager's area, mounted at `/manage`: the cycles of the
//! programs they manage with the pipeline (counts per stage) and deadline
//! extensions for one applicant; then, by submodule: the filtered list and
//! bulk actions ([`pipeline`]), one application ([`application`]) with
//! its screening ([`screening`]) and reviewers ([`reviewers`]), automatic
//! assignment ([`assign`]), reviewer progress and reminders
//! ([`progress`]), the ranking ([`ranking`]), review settings and the
//! rubric ([`settings`]), decisions ([`decisions`]), their release
//! ([`release`]), offers and the waitlist ([`offers`]) and the letter
//! templates ([`letters`]). Every route takes the `Manager` guard and
//! checks the program with `Roles::can_manage`.

mod application;

pub(crate) use application::{review_view, ReviewView};
mod assign;
mod decisions;
mod demographics;
mod export;
mod letters;
mod offers;
mod pipeline;
mod progress;
mod ranking;
mod release;
mod reviewers;
mod screening;
mod settings;

use chrono::{NaiveDate, NaiveTime, TimeZone};
use rocket::form::Form;
use rocket::response::{Flash, Redirect};
use rocket::{get, post, routes, FromForm, Route};
use rocket_dyn_templates::Template;
use serde::Serialize;

use super::page::{render, Chrome, ClientIp};
use super::{Error, Result};
use crate::auth::guards::Manager;
use crate::db::{applications, audit, cycles, users, Db};
use crate::domain::access::manager_may_act_on;
use crate::domain::email::EmailAddress;
use crate::domain::role::ProgramRole;
use crate::domain::workflow::stage::Stage;

/// Routes mounted at `/manage`.
pub fn routes() -> Vec<Route> {
    let mut all = routes![index, show_cycle, extend];
    all.extend(pipeline::routes());
    all.extend(application::routes());
    all.extend(screening::routes());
    all.extend(reviewers::routes());
    all.extend(assign::routes());
    all.extend(progress::routes());
    all.extend(ranking::routes());
    all.extend(settings::routes());
    all.extend(decisions::routes());
    all.extend(export::routes());
    all.extend(demographics::routes());
    all.extend(release::routes());
    all.extend(offers::routes());
    all.extend(letters::routes());
    all
}

#[derive(Serialize)]
struct CycleRow {
    id: i64,
    program_name: String,
    name: String,
    closes: String,
}

#[derive(Serialize)]
struct IndexPage {
    cycles: Vec<CycleRow>,
}

#[get("/")]
async fn index(who: Manager, db: &Db, chrome: Chrome) -> Result<Template> {
    let programs: Vec<i64> = who
        .0
        .roles()
        .grants
        .iter()
        .filter(|g| g.role == ProgramRole::Manager)
        .map(|g| g.program_id)
        .collect();
    let mut conn = db.conn().await?;
    let rows = cycles::for_programs(conn.exec(), &programs)
        .await?
        .into_iter()
        .map(|c| CycleRow {
            closes: crate::domain::cycle::parse_zone(&c.time_zone)
                .map(|tz| crate::domain::cycle::show_in(tz, c.closes_at))
                .unwrap_or_default(),
            id: c.id,
            program_name: c.program_name,
            name: c.name,
        })
        .collect();
    Ok(render(
        "manage/index",
        &chrome,
        "Your programs",
        IndexPage { cycles: rows },
    ))
}

#[derive(Serialize)]
struct StageCount {
    stage: &'static str,
    label: &'static str,
    count: i64,
    /// Whether the list can show this stage (drafts stay the applicant's).
    link: bool,
}

#[derive(Serialize)]
struct CyclePage {
    id: i64,
    program_name: String,
    name: String,
    opens: String,
    closes: String,
    letters_due: String,
    time_zone: String,
    counts: Vec<StageCount>,
}

/// The cycle, if the manager manages its program: 404 when it does not
/// exist and when it is another program's alike, so that ids cannot be
/// probed.
async fn load_cycle(who: &Manager, db: &Db, id: i64) -> Result<crate::db::cycles::CycleWithForm> {
    let mut conn = db.conn().await?;
    let c = cycles::find(conn.exec(), id)
        .await?
        .ok_or(Error::NotFound)?;
    if !who.0.roles().can_manage(c.cycle.program_id) {
        return Err(Error::NotFound);
    }
    Ok(c)
}

#[get("/cycles/<id>")]
async fn show_cycle(who: Manager, db: &Db, chrome: Chrome, id: i64) -> Result<Template> {
    let c = load_cycle(&who, db, id).await?;
    let mut conn = db.conn().await?;
    let program = crate::db::programs::find(conn.exec(), c.cycle.program_id)
        .await?
        .ok_or(Error::NotFound)?;
    let counted = applications::count_by_stage(conn.exec(), id).await?;
    let counts = Stage::ALL
        .iter()
        .map(|s| StageCount {
            link: *s != Stage::Draft,
            stage: s.as_str(),
            label: s.label(),
            count: counted
                .iter()
                .find(|(n, _)| n == s.as_str())
                .map_or(0, |(_, c)| *c),
        })
        .collect();
    let page = CyclePage {
        id,
        program_name: program.name,
        name: c.cycle.name.clone(),
        opens: c.cycle.show(c.cycle.opens_at),
        closes: c.cycle.show(c.cycle.closes_at),
        letters_due: c.cycle.show(c.cycle.letters_due_at),
        time_zone: c.cycle.time_zone.name().to_owned(),
        counts,
    };
    let title = format!("{} – {}", page.program_name, page.name);
    Ok(render("manage/cycle", &chrome, &title, page))
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
    db: &Db,
    ip: ClientIp,
    id: i64,
    form: Form<ExtensionForm>,
) -> Result<Flash<Redirect>> {
    let c = load_cycle(&who, db, id).await?;
    let back = Redirect::to(format!("/manage/cycles/{id}"));
    let err = |m: &str| {
        Ok(Flash::error(
            Redirect::to(format!("/manage/cycles/{id}")),
            m.to_owned(),
        ))
    };
    let Ok(email) = EmailAddress::parse(&form.email) else {
        return err("Enter the applicant’s email address.");
    };
    let Ok(date) = NaiveDate::parse_from_str(form.date.trim(), "%Y-%m-%d") else {
        return err("Enter the new deadline’s date, for example 2027-03-15.");
    };
    let time = if form.time.trim().is_empty() {
        NaiveTime::from_hms_opt(23, 59, 0)
    } else {
        NaiveTime::parse_from_str(form.time.trim(), "%H:%M").ok()
    };
    let Some(time) = time else {
        return err("Enter the time as hours and minutes, for example 17:00.");
    };
    let Some(deadline) = c
        .cycle
        .time_zone
        .from_local_datetime(&date.and_time(time))
        .earliest()
        .map(|t| t.with_timezone(&chrono::Utc))
    else {
        return err(
            "That time does not exist in the cycle’s time zone (a clock change). Choose another.",
        );
    };
    let reason = form.reason.trim();
    if reason.is_empty() {
        return err("Say why the extension is granted; it is recorded.");
    }
    let now = crate::clock::now();
    if deadline <= now || deadline <= c.cycle.closes_at {
        return err("The new deadline must be later than both now and the cycle’s own deadline.");
    }
    let mut tx = db.begin().await?;
    let Some((user, _)) = users::find_by_email(tx.exec(), email.as_str()).await? else {
        return err("No applicant has an account with that email address.");
    };
    let Some(app) = applications::find_for(tx.exec(), id, user.id).await? else {
        return err("That applicant has not started an application in this cycle.");
    };
    if !manager_may_act_on(app.applicant_id, who.0.user().id) {
        return Err(Error::NotFound);
    }
    if app.stage != Stage::Draft {
        return err(
            "That application is already submitted (or withdrawn), so it needs no extension.",
        );
    }
    let manager = who.0.user().id;
    applications::extend(tx.exec(), app.id, deadline, reason, manager, now).await?;
    let detail = format!("until {} for {}: {reason}", c.cycle.show(deadline), email);
    let entry = audit::Entry {
        actor: Some(manager),
        action: "application.extend",
        subject: &format!("application:{}", app.id),
        detail: &detail,
        client_ip: ip.0.as_deref(),
    };
    audit::record(tx.exec(), &entry, now).await?;
    tx.commit().await?;
    Ok(Flash::success(
        back,
        format!(
            "{} ({}) may now submit until {}.",
            user.name,
            email,
            c.cycle.show(deadline)
        ),
    ))
}

/// An application and its cycle, if the manager manages the program.
async fn load_application(
    who: &Manager,
    db: &Db,
    id: i64,
) -> Result<(applications::Application, crate::db::cycles::CycleWithForm)> {
    let app = {
        let mut conn = db.conn().await?;
        applications::find(conn.exec(), id)
            .await?
            .ok_or(Error::NotFound)?
    };
    // Drafts are the applicant's own until submitted; a manager's own
    // application is theirs only as its applicant.
    if app.stage == Stage::Draft || !manager_may_act_on(app.applicant_id, who.0.user().id) {
        return Err(Error::NotFound);
    }
    let c = load_cycle(who, db, app.cycle_id).await?;
    Ok((app, c))
}

/// The review settings and rubric of a cycle.
async fn load_setup(db: &Db, cycle: i64) -> Result<crate::db::cycles::ReviewSetup> {
    let mut conn = db.conn().await?;
    cycles::review_setup(conn.exec(), cycle)
        .await?
        .ok_or(Error::NotFound)
}

/// Records a manager's action in the audit log.
async fn audit_action(
    ex: crate::db::Exec<'_>,
    who: &Manager,
    ip: &ClientIp,
    action: &str,
    subject: &str,
    detail: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<()> {
    let entry = audit::Entry {
        actor: Some(who.0.user().id),
        action,
        subject,
        detail,
        client_ip: ip.0.as_deref(),
    };
    audit::record(ex, &entry, now).await?;
    Ok(())
}

/// A due date typed as YYYY-MM-DD, at 23:59 in the cycle's zone; it must
/// be later than `now`.
fn read_due(
    cycle: &crate::domain::cycle::Cycle,
    text: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> std::result::Result<chrono::DateTime<chrono::Utc>, &'static str> {
    let date = NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| "Enter the due date, for example 2027-04-30.")?;
    let due = cycle
        .time_zone
        .from_local_datetime(&date.and_time(NaiveTime::from_hms_opt(23, 59, 0).unwrap_or_default()))
        .earliest()
        .map(|t| t.with_timezone(&chrono::Utc))
        .ok_or("That date does not exist in the cycle’s time zone. Choose another.")?;
    if due <= now {
        return Err("The due date must be in the future.");
    }
    Ok(due)
}

/// The due date offered by default: two weeks from now, in the cycle's zone.
fn default_due(cycle: &crate::domain::cycle::Cycle, now: chrono::DateTime<chrono::Utc>) -> String {
    (now + chrono::Duration::days(14))
        .with_timezone(&cycle.time_zone)
        .format("%Y-%m-%d")
        .to_string()
}

/// What the decisions and release pages say about letters released but
/// not yet sent (the mail relay down, say): how many, and since when.
async fn letters_waiting_notice(
    db: &Db,
    c: &crate::db::cycles::CycleWithForm,
) -> Result<Option<String>> {
    let mut conn = db.conn().await?;
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
