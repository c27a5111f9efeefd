//! Decisions: recorded one at a time (with the version the manager saw,
//! so two managers never overwrite each other silently) or in bulk from
//! the ranking; held until the manager releases them (all, or a selection,
//! after confirming the counts), which queues one letter per application;
//! offers, their answers and lapses; promoting the next waitlisted
//! applicant.

use chrono::{DateTime, Utc};
use rocket::form::Form;
use rocket::response::{Flash, Redirect};
use rocket::{get, post, routes, FromForm, Route, State};
use rocket_dyn_templates::Template;
use serde::Serialize;

use super::pipeline::PAGE_SIZE;
use super::{audit_action, load_application, load_cycle};
use crate::auth::guards::Manager;
use crate::db::cycles::CycleWithForm;
use crate::db::{applications, decisions, outbox, programs, reviews, Db, Exec};
use crate::domain::letter::{self, LetterFacts};
use crate::domain::workflow::decision::{
    decide, offer_state, waitlist_order, Change, Outcome, Recorded,
};
use crate::domain::workflow::stage::{Actor, Move, Stage};
use crate::mail::messages::decision_letter;
use crate::mail::Mail;
use crate::web::page::{render, Chrome, ClientIp};
use crate::web::{Error, Result};

pub fn routes() -> Vec<Route> {
    routes![
        decide_application,
        list_decisions,
        show_release,
        release_decisions,
        promote_waitlisted
    ]
}

/// Releases are written in transactions of this many letters.
const RELEASE_BATCH: i64 = 100;

/// The stored decision in the domain's terms.
pub(super) fn recorded(d: &decisions::Decision) -> Option<Recorded> {
    Some(Recorded {
        outcome: Outcome::parse(&d.outcome)?,
        version: d.version,
        released: d.released_at.is_some(),
    })
}

/// The accept-by date of an offer released `now`.
async fn offer_deadline(db: &Db, cycle: i64, now: DateTime<Utc>) -> Result<DateTime<Utc>> {
    let mut conn = db.conn().await?;
    let days = crate::db::cycles::offer_days(conn.exec(), cycle).await?;
    Ok(now + chrono::Duration::days(days))
}

/// Renders and queues an application's decision letter. A `replacement`
/// rewrites the application's letter if it still waits in the outbox (so
/// only the new one is sent), and otherwise queues it under a key of its
/// own version.
#[expect(clippy::too_many_arguments, reason = "a letter has this many facts")]
pub(super) async fn queue_letter(
    mut ex: Exec<'_>,
    mail: &Mail,
    c: &CycleWithForm,
    program: &str,
    application: i64,
    to: (&str, &str),
    outcome: Outcome,
    note: &str,
    deadline: Option<DateTime<Utc>>,
    replacement: Option<i64>,
    now: DateTime<Utc>,
) -> Result<()> {
    let (subject, body) =
        match decisions::template(ex.reborrow(), c.cycle.id, outcome.as_str()).await? {
            Some(t) => t,
            None => {
                let (s, b) = letter::default_for(outcome);
                (s.to_owned(), b.to_owned())
            }
        };
    let facts = LetterFacts {
        applicant_name: to.0.to_owned(),
        program: program.to_owned(),
        cycle: c.cycle.name.clone(),
        offer_deadline: deadline.map(|d| c.cycle.show(d)).unwrap_or_default(),
        note: note.to_owned(),
        status_link: mail.link(&format!("/apply/applications/{application}")),
    };
    // Templates are checked when saved; a failure here is a bug, and the
    // transaction (with the release) is rolled back rather than send a
    // broken letter.
    let rendered = letter::render(&subject, &body, &facts).map_err(anyhow::Error::from)?;
    let key = format!("decision:{application}");
    match replacement {
        None => {
            decision_letter(ex, &key, to.1, &rendered, now).await?;
        }
        Some(version) => {
            let replaced = outbox::replace_pending(
                ex.reborrow(),
                &key,
                to.1,
                &rendered.subject,
                &rendered.text,
                &rendered.html,
            )
            .await?;
            if !replaced {
                decision_letter(ex, &format!("{key}:v{version}"), to.1, &rendered, now).await?;
            }
        }
    }
    Ok(())
}

fn back(id: i64) -> Redirect {
    Redirect::to(format!("/manage/applications/{id}#decision"))
}

#[derive(FromForm)]
struct DecideForm {
    #[field(default = String::new())]
    outcome: String,
    #[field(default = String::new())]
    note: String,
    /// The decision's version the manager saw (empty: none).
    #[field(default = String::new())]
    version: String,
    #[field(default = false)]
    confirm: bool,
}

/// Records or changes one application's decision.
#[post("/applications/<id>/decide", data = "<form>")]
async fn decide_application(
    who: Manager,
    db: &Db,
    mail: &State<Mail>,
    ip: ClientIp,
    id: i64,
    form: Form<DecideForm>,
) -> Result<Flash<Redirect>> {
    let (app, c) = load_application(&who, db, id).await?;
    let Some(outcome) = Outcome::parse(&form.outcome) else {
        return Ok(Flash::error(back(id), "Choose the decision."));
    };
    let seen = match form.version.trim() {
        "" => None,
        v => v.parse::<i64>().ok(),
    };
    let note = form.note.trim();
    let now = crate::clock::now();
    let me = who.0.user().id;
    let mut tx = db.begin().await?;
    let current = decisions::find(tx.exec(), id).await?;
    let answered = current.as_ref().is_some_and(|d| d.offer_answer.is_some());
    let change = match decide(
        app.stage,
        current.as_ref().and_then(recorded).as_ref(),
        seen,
        outcome,
        note,
        form.confirm,
        answered,
    ) {
        Ok(c) => c,
        Err(e) => return Ok(Flash::error(back(id), e.to_string())),
    };
    if !decisions::record(
        tx.exec(),
        id,
        c.cycle.id,
        outcome.as_str(),
        note,
        seen,
        me,
        now,
    )
    .await?
    {
        return Ok(Flash::error(
            back(id),
            "Someone else changed this decision at the same moment; nothing was overwritten. Check it and decide again.",
        ));
    }
    if change == Change::First
        && !applications::move_stage(
            tx.exec(),
            id,
            app.stage,
            Stage::Decided,
            Move::Decide,
            Some(me),
            Actor::Manager,
            "",
            now,
        )
        .await?
    {
        return Ok(Flash::error(
            back(id),
            "The application changed meanwhile; nothing was recorded. Check it and decide again.",
        ));
    }
    let what = match change {
        Change::First => "decided",
        Change::BeforeRelease | Change::Unchanged => "changed",
        Change::AfterRelease => "changed_after_release",
    };
    decisions::add_event(tx.exec(), id, what, outcome.as_str(), note, Some(me), now).await?;
    let mut message = format!(
        "Decision recorded: {}. Held until you release decisions.",
        outcome.label()
    );
    if change == Change::AfterRelease {
        // The applicant was told the old decision: send the new one now.
        let version = current.map_or(1, |d| d.version) + 1;
        let deadline = match outcome {
            Outcome::Accepted => Some(offer_deadline(db, c.cycle.id, now).await?),
            _ => None,
        };
        let applicant = crate::db::users::find(tx.exec(), app.applicant_id)
            .await?
            .ok_or(Error::NotFound)?;
        let program = programs::find(tx.exec(), c.cycle.program_id)
            .await?
            .map(|p| p.name)
            .unwrap_or_default();
        queue_letter(
            tx.exec(),
            mail,
            &c,
            &program,
            id,
            (&applicant.name, &applicant.email),
            outcome,
            note,
            deadline,
            Some(version),
            now,
        )
        .await?;
        decisions::mark_released(tx.exec(), id, version, deadline, now).await?;
        message = format!(
            "Decision changed to {}; the applicant is sent a replacement letter.",
            outcome.label()
        );
    }
    audit_action(
        tx.exec(),
        &who,
        &ip,
        "decision.record",
        &format!("application:{id}"),
        &format!("{what}: {}", outcome.as_str()),
        now,
    )
    .await?;
    tx.commit().await?;
    mail.wake();
    Ok(Flash::success(back(id), message))
}

/// Records the same decision for many applications that have none yet
/// (from the ranking). Decisions already recorded are changed one at a
/// time, on the application's page, so a bulk action never overwrites one.
pub(super) async fn decide_many(
    db: &Db,
    who: &Manager,
    ip: &ClientIp,
    c: &CycleWithForm,
    ids: &[i64],
    outcome: Outcome,
    now: DateTime<Utc>,
) -> Result<(usize, Vec<String>)> {
    let me = who.0.user().id;
    let mut done = 0;
    let mut refused = Vec::new();
    for id in ids {
        let mut tx = db.begin().await?;
        let Some(app) = applications::find(tx.exec(), *id).await? else {
            continue;
        };
        if app.cycle_id != c.cycle.id {
            continue;
        }
        let current = decisions::find(tx.exec(), *id).await?;
        if let Err(e) = decide(
            app.stage,
            current.as_ref().and_then(recorded).as_ref(),
            None,
            outcome,
            "",
            false,
            false,
        ) {
            refused.push(format!("#{id}: {e}"));
            continue;
        }
        if !decisions::record(
            tx.exec(),
            *id,
            c.cycle.id,
            outcome.as_str(),
            "",
            None,
            me,
            now,
        )
        .await?
            || !applications::move_stage(
                tx.exec(),
                *id,
                app.stage,
                Stage::Decided,
                Move::Decide,
                Some(me),
                Actor::Manager,
                "",
                now,
            )
            .await?
        {
            refused.push(format!("#{id}: it changed meanwhile"));
            continue;
        }
        decisions::add_event(
            tx.exec(),
            *id,
            "decided",
            outcome.as_str(),
            "",
            Some(me),
            now,
        )
        .await?;
        audit_action(
            tx.exec(),
            who,
            ip,
            "decision.record",
            &format!("application:{id}"),
            &format!("decided (bulk): {}", outcome.as_str()),
            now,
        )
        .await?;
        tx.commit().await?;
        done += 1;
    }
    Ok((done, refused))
}

#[derive(Serialize)]
struct Row {
    id: i64,
    applicant_name: String,
    outcome: &'static str,
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
    cycle_id: i64,
    cycle_name: String,
    filter: String,
    rows: Vec<Row>,
    total: i64,
    page: i64,
    pages: i64,
    previous: Option<String>,
    next: Option<String>,
    offers: Counts,
    next_waitlisted: Option<NextUp>,
    unreleased: i64,
}

#[derive(Serialize)]
struct NextUp {
    id: i64,
    name: String,
}

#[get("/cycles/<id>/decisions?<outcome>&<page>")]
async fn list_decisions(
    who: Manager,
    db: &Db,
    chrome: Chrome,
    id: i64,
    outcome: Option<String>,
    page: Option<i64>,
) -> Result<Template> {
    let c = load_cycle(&who, db, id).await?;
    let filter = outcome
        .as_deref()
        .and_then(Outcome::parse)
        .map(|o| o.as_str().to_owned())
        .unwrap_or_default();
    let page = page.unwrap_or(1).max(1);
    let now = crate::clock::now();
    let mut conn = db.conn().await?;
    let scale = reviews::cycle_scale(conn.exec(), id).await?;
    let (rows, total) = decisions::list(
        conn.exec(),
        id,
        &filter,
        scale.mean,
        scale.sd,
        (page - 1) * PAGE_SIZE,
        PAGE_SIZE,
    )
    .await?;
    let counts = decisions::offer_counts(conn.exec(), id).await?;
    let unreleased: i64 = decisions::unreleased_counts(conn.exec(), id, None)
        .await?
        .iter()
        .map(|(_, n)| n)
        .sum();
    let order = waitlist_order(decisions::waitlisted(conn.exec(), id, scale.mean, scale.sd).await?);
    let next_waitlisted = match order.first() {
        Some(next) => crate::db::applications::find(conn.exec(), *next)
            .await?
            .map(|a| a.applicant_id),
        None => None,
    };
    let next_waitlisted = match (order.first(), next_waitlisted) {
        (Some(app), Some(user)) => {
            crate::db::users::find(conn.exec(), user)
                .await?
                .map(|u| NextUp {
                    id: *app,
                    name: u.name,
                })
        }
        _ => None,
    };
    let href = |p: i64| format!("/manage/cycles/{id}/decisions?outcome={filter}&page={p}");
    let pages = ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    let list = DecisionsPage {
        cycle_id: id,
        cycle_name: c.cycle.name.clone(),
        rows: rows
            .into_iter()
            .map(|d| Row {
                id: d.application_id,
                applicant_name: d.applicant_name,
                outcome: Outcome::parse(&d.outcome).map_or("", Outcome::label),
                released: d.released_at.is_some(),
                offer: match (Outcome::parse(&d.outcome), d.released_at, d.offer_deadline) {
                    (Some(Outcome::Accepted), Some(_), Some(by)) => {
                        Some(offer_state(d.offer_answer.as_deref(), by, now).label())
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
        filter: filter.clone(),
        total,
        page,
        pages,
        previous: (page > 1).then(|| href(page - 1)),
        next: (page < pages).then(|| href(page + 1)),
        offers: Counts {
            open: counts.open,
            accepted: counts.accepted,
            declined: counts.declined,
            lapsed: counts.lapsed,
            waitlisted: counts.waitlisted,
        },
        next_waitlisted,
        unreleased,
    };
    let title = format!("Decisions – {}", c.cycle.name);
    Ok(render("manage/decisions", &chrome, &title, list))
}

#[derive(Serialize)]
struct OutcomeCount {
    value: &'static str,
    label: &'static str,
    count: i64,
}

#[derive(Serialize)]
struct ReleasePage {
    /// The applications chosen on the decisions list (empty: all).
    ids: Vec<i64>,
    cycle_id: i64,
    cycle_name: String,
    counts: Vec<OutcomeCount>,
    total: i64,
    offer_deadline: String,
    message: Option<String>,
}

async fn counts(db: &Db, cycle: i64, only: Option<&[i64]>) -> Result<Vec<OutcomeCount>> {
    let mut conn = db.conn().await?;
    let stored = decisions::unreleased_counts(conn.exec(), cycle, only).await?;
    Ok(Outcome::ALL
        .iter()
        .map(|o| OutcomeCount {
            value: o.as_str(),
            label: o.label(),
            count: stored
                .iter()
                .find(|(k, _)| k == o.as_str())
                .map_or(0, |(_, n)| *n),
        })
        .collect())
}

async fn release_page(
    db: &Db,
    c: &CycleWithForm,
    ids: &[i64],
    message: Option<String>,
) -> Result<ReleasePage> {
    let only = (!ids.is_empty()).then_some(ids);
    let counts = counts(db, c.cycle.id, only).await?;
    let now = crate::clock::now();
    Ok(ReleasePage {
        ids: ids.to_vec(),
        cycle_id: c.cycle.id,
        cycle_name: c.cycle.name.clone(),
        total: counts.iter().map(|c| c.count).sum(),
        counts,
        offer_deadline: c.cycle.show(offer_deadline(db, c.cycle.id, now).await?),
        message,
    })
}

#[get("/cycles/<id>/release?<ids>")]
async fn show_release(
    who: Manager,
    db: &Db,
    chrome: Chrome,
    id: i64,
    ids: Vec<i64>,
) -> Result<Template> {
    let c = load_cycle(&who, db, id).await?;
    let page = release_page(db, &c, &ids, None).await?;
    let title = format!("Release decisions – {}", c.cycle.name);
    Ok(render("manage/release", &chrome, &title, page))
}

#[derive(FromForm)]
struct ReleaseForm {
    /// The outcomes to release.
    #[field(default = Vec::new())]
    outcome: Vec<String>,
    /// The counts the manager confirmed, per outcome (`seen[accepted]`).
    #[field(default = std::collections::BTreeMap::new())]
    seen: std::collections::BTreeMap<String, i64>,
    #[field(default = false)]
    confirm: bool,
    /// Only these applications (chosen on the decisions list), if any.
    #[field(default = Vec::new())]
    ids: Vec<i64>,
}

/// Releases the held decisions of the chosen outcomes, if their counts are
/// still those the manager confirmed: each applicant gets one letter.
#[post("/cycles/<id>/release", data = "<form>")]
async fn release_decisions(
    who: Manager,
    db: &Db,
    mail: &State<Mail>,
    chrome: Chrome,
    ip: ClientIp,
    id: i64,
    form: Form<ReleaseForm>,
) -> Result<std::result::Result<Flash<Redirect>, (rocket::http::Status, Template)>> {
    let c = load_cycle(&who, db, id).await?;
    let chosen: Vec<Outcome> = form
        .outcome
        .iter()
        .filter_map(|o| Outcome::parse(o))
        .collect();
    let title = format!("Release decisions – {}", c.cycle.name);
    let refuse = |page| {
        Ok(Err(crate::web::page::invalid(
            "manage/release",
            &chrome,
            &title,
            page,
        )))
    };
    if chosen.is_empty() {
        return refuse(
            release_page(
                db,
                &c,
                &form.ids,
                Some("Choose which decisions to release.".into()),
            )
            .await?,
        );
    }
    if !form.confirm {
        return refuse(
            release_page(
                db,
                &c,
                &form.ids,
                Some("Tick the box to confirm the counts before releasing.".into()),
            )
            .await?,
        );
    }
    let only = (!form.ids.is_empty()).then_some(form.ids.as_slice());
    let now_counts = counts(db, id, only).await?;
    let changed = chosen.iter().any(|o| {
        let now = now_counts
            .iter()
            .find(|c| c.value == o.as_str())
            .map_or(0, |c| c.count);
        form.seen.get(o.as_str()).copied() != Some(now)
    });
    if changed {
        return refuse(
            release_page(
                db,
                &c,
                &form.ids,
                Some("The decisions changed since you looked, so nothing was released. Check the new counts and confirm again.".into()),
            )
            .await?,
        );
    }
    let now = crate::clock::now();
    let deadline = offer_deadline(db, id, now).await?;
    let program = {
        let mut conn = db.conn().await?;
        programs::find(conn.exec(), c.cycle.program_id)
            .await?
            .map(|p| p.name)
            .unwrap_or_default()
    };
    let outcomes: Vec<&str> = chosen.iter().map(|o| o.as_str()).collect();
    let mut released = 0;
    loop {
        let mut tx = db.begin().await?;
        let batch = decisions::to_release(tx.exec(), id, &outcomes, only, RELEASE_BATCH).await?;
        if batch.is_empty() {
            break;
        }
        for d in &batch {
            let Some(outcome) = Outcome::parse(&d.outcome) else {
                continue;
            };
            let offer = (outcome == Outcome::Accepted).then_some(deadline);
            if !decisions::mark_released(tx.exec(), d.application_id, d.version, offer, now).await?
            {
                continue;
            }
            queue_letter(
                tx.exec(),
                mail,
                &c,
                &program,
                d.application_id,
                (&d.applicant_name, &d.applicant_email),
                outcome,
                &d.note,
                offer,
                None,
                now,
            )
            .await?;
            decisions::add_event(
                tx.exec(),
                d.application_id,
                "released",
                &d.outcome,
                "",
                Some(who.0.user().id),
                now,
            )
            .await?;
            released += 1;
        }
        audit_action(
            tx.exec(),
            &who,
            &ip,
            "decision.release",
            &format!("cycle:{id}"),
            &format!("{} letters", batch.len()),
            now,
        )
        .await?;
        tx.commit().await?;
        mail.wake();
    }
    Ok(Ok(Flash::success(
        Redirect::to(format!("/manage/cycles/{id}/decisions")),
        format!(
            "{released} decision{} released; each applicant is sent one letter.",
            if released == 1 { "" } else { "s" }
        ),
    )))
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
    db: &Db,
    mail: &State<Mail>,
    ip: ClientIp,
    id: i64,
    form: Form<PromoteForm>,
) -> Result<Flash<Redirect>> {
    let c = load_cycle(&who, db, id).await?;
    let list = Redirect::to(format!("/manage/cycles/{id}/decisions?outcome=waitlisted"));
    let Ok(app_id) = form.application.trim().parse::<i64>() else {
        return Ok(Flash::error(list, "Choose whom to offer the place to."));
    };
    let now = crate::clock::now();
    let deadline = offer_deadline(db, id, now).await?;
    let me = who.0.user().id;
    let mut tx = db.begin().await?;
    let Some(current) = decisions::find(tx.exec(), app_id).await? else {
        return Ok(Flash::error(list, "That applicant has no decision."));
    };
    if current.cycle_id != id || current.outcome != "waitlisted" || current.released_at.is_none() {
        return Ok(Flash::error(
            list,
            "Only a waitlisted applicant who has been told can be offered a place this way.",
        ));
    }
    if !decisions::record(
        tx.exec(),
        app_id,
        id,
        "accepted",
        &current.note,
        Some(current.version),
        me,
        now,
    )
    .await?
    {
        return Ok(Flash::error(
            list,
            "That decision changed meanwhile; nothing was done.",
        ));
    }
    let app = applications::find(tx.exec(), app_id)
        .await?
        .ok_or(Error::NotFound)?;
    let applicant = crate::db::users::find(tx.exec(), app.applicant_id)
        .await?
        .ok_or(Error::NotFound)?;
    let program = programs::find(tx.exec(), c.cycle.program_id)
        .await?
        .map(|p| p.name)
        .unwrap_or_default();
    let version = current.version + 1;
    queue_letter(
        tx.exec(),
        mail,
        &c,
        &program,
        app_id,
        (&applicant.name, &applicant.email),
        Outcome::Accepted,
        &current.note,
        Some(deadline),
        Some(version),
        now,
    )
    .await?;
    decisions::mark_released(tx.exec(), app_id, version, Some(deadline), now).await?;
    decisions::add_event(tx.exec(), app_id, "promoted", "accepted", "", Some(me), now).await?;
    audit_action(
        tx.exec(),
        &who,
        &ip,
        "decision.promote",
        &format!("application:{app_id}"),
        "waitlisted -> accepted",
        now,
    )
    .await?;
    tx.commit().await?;
    mail.wake();
    Ok(Flash::success(
        list,
        format!(
            "{} is offered a place until {}; the offer letter is on its way.",
            applicant.name,
            c.cycle.show(deadline)
        ),
    ))
}
