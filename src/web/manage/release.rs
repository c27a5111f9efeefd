//! Releasing held decisions: the counts per outcome (of the whole cycle
//! or of a selection) are shown and must be confirmed, and still be the
//! counts, before each applicant is sent one letter, in batches.

use rocket::form::Form;
use rocket::response::{Flash, Redirect};
use rocket::{get, post, routes, FromForm, Route, State};
use rocket_dyn_templates::Template;
use serde::Serialize;

use super::decisions::{letter_refusal, offer_deadline, queue_letter};
use super::{audit_action, load_cycle};
use crate::auth::guards::Manager;
use crate::db::cycles::CycleWithForm;
use crate::db::{cycles, decisions, programs, Db};
use crate::domain::user::UserId;
use crate::domain::workflow::decision::Outcome;
use crate::mail::Mail;
use crate::web::page::{render, Chrome, ClientIp, FormErrors};
use crate::web::Result;

pub fn routes() -> Vec<Route> {
    routes![show_release, release_decisions]
}

/// Releases are written in transactions of this many letters.
const RELEASE_BATCH: i64 = 100;

#[derive(Serialize)]
struct OutcomeCount {
    value: &'static str,
    label: &'static str,
    count: i64,
    checked: bool,
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
    /// Letters released earlier and not yet sent.
    waiting: Option<String>,
    errors: FormErrors,
}

/// The held decisions per outcome, but for the manager's own application:
/// another manager releases that one.
async fn counts(
    db: &Db,
    me: UserId,
    cycle: i64,
    only: Option<&[i64]>,
) -> Result<Vec<OutcomeCount>> {
    let mut conn = db.conn().await?;
    let stored = decisions::unreleased_counts(conn.exec(), cycle, me, only).await?;
    Ok(Outcome::ALL
        .iter()
        .map(|o| OutcomeCount {
            value: o.as_str(),
            label: o.label(),
            count: stored
                .iter()
                .find(|(k, _)| k == o.as_str())
                .map_or(0, |(_, n)| *n),
            checked: false,
        })
        .collect())
}

/// The release page; `chosen` keeps the outcomes ticked on a refused
/// form (`None`: every outcome with decisions waiting), and `problem`
/// names the field a refusal is about.
async fn release_page(
    db: &Db,
    me: UserId,
    c: &CycleWithForm,
    ids: &[i64],
    chosen: Option<&[Outcome]>,
    problem: Option<(&str, &str)>,
) -> Result<ReleasePage> {
    let only = (!ids.is_empty()).then_some(ids);
    let mut counts = counts(db, me, c.cycle.id, only).await?;
    for o in &mut counts {
        o.checked = match chosen {
            Some(chosen) => chosen.iter().any(|c| c.as_str() == o.value),
            None => o.count > 0,
        };
    }
    let mut errors = FormErrors::default();
    if let Some((field, message)) = problem {
        errors.add(field, message);
    }
    let now = crate::clock::now();
    Ok(ReleasePage {
        ids: ids.to_vec(),
        cycle_id: c.cycle.id,
        cycle_name: c.cycle.name.clone(),
        total: counts.iter().map(|c| c.count).sum(),
        counts,
        offer_deadline: c.cycle.show(offer_deadline(db, c.cycle.id, now).await?),
        waiting: super::letters_waiting_notice(db, c).await?,
        errors,
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
    let page = release_page(db, who.0.user().id, &c, &ids, None, None).await?;
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
    // The page again with what was chosen, and the problem next to its field.
    let me = who.0.user().id;
    let again = |problem: (&'static str, &str)| {
        let problem = (problem.0, problem.1.to_owned());
        let (c, ids, chosen) = (&c, &form.ids, &chosen);
        async move { release_page(db, me, c, ids, Some(chosen), Some((problem.0, &problem.1))).await }
    };
    let refuse = |page| {
        Ok(Err(crate::web::page::invalid(
            "manage/release",
            &chrome,
            &title,
            page,
        )))
    };
    if chosen.is_empty() {
        return refuse(again(("outcomes", "Choose which decisions to release.")).await?);
    }
    if !form.confirm {
        return refuse(
            again((
                "confirm",
                "Tick the box to confirm the counts before releasing.",
            ))
            .await?,
        );
    }
    let only = (!form.ids.is_empty()).then_some(form.ids.as_slice());
    let now_counts = counts(db, who.0.user().id, id, only).await?;
    let changed = chosen.iter().any(|o| {
        let now = now_counts
            .iter()
            .find(|c| c.value == o.as_str())
            .map_or(0, |c| c.count);
        form.seen.get(o.as_str()).copied() != Some(now)
    });
    if changed {
        return refuse(again(("outcomes", "The decisions changed since you looked, so nothing was released. Check the new counts and confirm again.")).await?);
    }
    // Every letter is checked before the first batch: a template that
    // fails stops the whole release, so no applicant hears and others not.
    for o in &chosen {
        let refusal = {
            let mut conn = db.conn().await?;
            letter_refusal(conn.exec(), id, *o).await?
        };
        if let Some(message) = refusal {
            return refuse(again(("outcomes", &message)).await?);
        }
    }
    let now = crate::clock::now();
    let deadline = offer_deadline(db, id, now).await?;
    let program = {
        let mut conn = db.conn().await?;
        programs::name_of(conn.exec(), c.cycle.program_id).await?
    };
    let outcomes: Vec<&str> = chosen.iter().map(|o| o.as_str()).collect();
    let mut released = 0;
    loop {
        let mut tx = db.begin().await?;
        cycles::lock(tx.exec(), id).await?;
        let batch = decisions::to_release(
            tx.exec(),
            id,
            who.0.user().id,
            &outcomes,
            only,
            RELEASE_BATCH,
        )
        .await?;
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
