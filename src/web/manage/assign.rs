//! Assigning reviewers: by hand (one reviewer to one or many applications)
//! and automatically (K per application, loads level, the cap kept, never
//! a conflicted reviewer), previewed before it is applied. Each reviewer
//! gets one digest mail per batch.

use std::collections::{BTreeMap, BTreeSet};

use rocket::form::Form;
use rocket::response::{Flash, Redirect};
use rocket::{get, post, routes, FromForm, Route};
use rocket_dyn_templates::Template;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{audit_action, default_due, load_cycle, load_setup, read_due};
use crate::auth::guards::Manager;
use crate::db::assignments::{self, Candidate, Reviewer};
use crate::db::cycles::CycleWithForm;
use crate::db::{programs, Db, Tx};
use crate::domain::access::manager_may_act_on;
use crate::domain::workflow::assignment::{detect_conflict, plan, Detected, Input, Person, Plan};
use crate::mail::messages::{review_assigned, ReviewerAddress};
use crate::mail::Mail;
use crate::web::page::{render, Chrome, ClientIp};
use crate::web::Result;
use rocket::State;

pub fn routes() -> Vec<Route> {
    routes![show_auto_assign, apply_auto_assign]
}

/// Why `r` must not review `a`, found from who they are: their own
/// application, one they are a referee of, or one from their institution.
fn detected(r: &Reviewer, a: &Candidate, referees: &Referees) -> Option<Detected> {
    let emails: Vec<&str> = referees
        .get(&a.id)
        .map(|v| v.iter().map(String::as_str).collect())
        .unwrap_or_default();
    detect_conflict(
        Person {
            id: r.id,
            email: &r.email,
            institution: &r.institution,
        },
        Person {
            id: a.applicant_id,
            email: &a.applicant_email,
            institution: &a.institution,
        },
        &emails,
    )
}

/// The referees' addresses of each application.
type Referees = BTreeMap<i64, Vec<String>>;

async fn referees_of(
    ex: crate::db::Exec<'_>,
    cycle: i64,
    only: Option<&[i64]>,
) -> Result<Referees> {
    let mut map = Referees::new();
    for (app, email) in assignments::referee_emails(ex, cycle, only).await? {
        map.entry(app).or_default().push(email);
    }
    Ok(map)
}

/// Writes new assignments, one audit entry each, and one digest mail per
/// reviewer; returns how many were new.
#[expect(clippy::too_many_arguments, reason = "a batch has this many facts")]
async fn write_batch(
    tx: &mut Tx,
    mail: &Mail,
    who: &Manager,
    ip: &ClientIp,
    c: &CycleWithForm,
    pairs: &[(i64, i64)],
    reviewers: &[Reviewer],
    due: chrono::DateTime<chrono::Utc>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<usize> {
    let me = who.0.user().id;
    let mut by_reviewer: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for (app, reviewer) in pairs {
        if assignments::assign(tx.exec(), *app, *reviewer, c.cycle.id, me, due, now).await? {
            by_reviewer.entry(*reviewer).or_default().push(*app);
            let detail = format!("reviewer {reviewer}, due {}", c.cycle.show(due));
            audit_action(
                tx.exec(),
                who,
                ip,
                "assignment.add",
                &format!("application:{app}"),
                &detail,
                now,
            )
            .await?;
        }
    }
    let program = programs::name_of(tx.exec(), c.cycle.program_id).await?;
    let batch = now.timestamp_micros();
    for (reviewer, apps) in &by_reviewer {
        let Some(r) = reviewers.iter().find(|r| r.id == *reviewer) else {
            continue;
        };
        let to = ReviewerAddress {
            id: r.id,
            name: &r.name,
            email: &r.email,
        };
        review_assigned(
            tx.exec(),
            mail,
            &to,
            batch,
            &program,
            &c.cycle.name,
            apps,
            &c.cycle.show(due),
            now,
        )
        .await?;
    }
    Ok(by_reviewer.values().map(Vec::len).sum())
}

/// Assigns one reviewer to the given applications. Each application that
/// is not in review, or with which the reviewer has a recorded or detected
/// conflict, is named in the answer and left alone.
#[expect(clippy::too_many_arguments, reason = "called from two forms")]
pub(super) async fn assign_manually(
    db: &Db,
    mail: &Mail,
    who: &Manager,
    ip: &ClientIp,
    c: &CycleWithForm,
    applications: &[i64],
    reviewer: i64,
    due: chrono::DateTime<chrono::Utc>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<std::result::Result<String, String>> {
    let mut tx = db.begin().await?;
    crate::db::cycles::lock(tx.exec(), c.cycle.id).await?;
    let reviewers = assignments::reviewers_of(tx.exec(), c.cycle.program_id).await?;
    let Some(r) = reviewers.iter().find(|r| r.id == reviewer) else {
        return Ok(Err("That person is not a reviewer of this program.".into()));
    };
    let candidates = assignments::candidates(tx.exec(), c.cycle.id, Some(applications)).await?;
    let recorded: BTreeSet<(i64, i64)> = assignments::conflicts_in(tx.exec(), c.cycle.id)
        .await?
        .into_iter()
        .collect();
    let referees = referees_of(tx.exec(), c.cycle.id, Some(applications)).await?;
    let mut refused = Vec::new();
    let mut pairs = Vec::new();
    let me = who.0.user().id;
    for app in applications {
        let Some(a) = candidates
            .iter()
            .find(|a| a.id == *app && manager_may_act_on(a.applicant_id, me))
        else {
            refused.push(format!("#{app} is not in review"));
            continue;
        };
        let why = match detected(r, a, &referees) {
            Some(Detected::OwnApplication) => "is the applicant",
            Some(Detected::Referee) => "is one of the applicant's referees",
            _ if recorded.contains(&(a.id, r.id)) => "has a recorded conflict",
            Some(Detected::SameInstitution) => "is at the applicant's institution",
            None => {
                pairs.push((a.id, r.id));
                continue;
            }
        };
        refused.push(format!("#{app}: {} {why}", r.name));
    }
    let added = write_batch(&mut tx, mail, who, ip, c, &pairs, &reviewers, due, now).await?;
    tx.commit().await?;
    mail.wake();
    let mut message = format!(
        "{} assigned to {added} application{}.",
        r.name,
        if added == 1 { "" } else { "s" }
    );
    if added < pairs.len() {
        message.push_str(&format!(
            " {} already had them.",
            if pairs.len() - added == 1 {
                "One was"
            } else {
                "Some were"
            }
        ));
    }
    if refused.is_empty() {
        Ok(Ok(message))
    } else {
        message.push_str(&format!(" Not assigned: {}.", refused.join("; ")));
        Ok(Err(message))
    }
}

/// The automatic plan for a cycle as things stand, with its inputs.
struct Proposal {
    plan: Plan,
    reviewers: Vec<Reviewer>,
    applications: usize,
    fingerprint: String,
}

/// The plan for the applications in review, but for the manager's own (if
/// they applied): another manager staffs that one.
async fn propose(db: &Db, who: &Manager, c: &CycleWithForm) -> Result<Proposal> {
    let setup = load_setup(db, c.cycle.id).await?;
    let mut conn = db.conn().await?;
    let reviewers = assignments::reviewers_of(conn.exec(), c.cycle.program_id).await?;
    let me = who.0.user().id;
    let candidates: Vec<Candidate> = assignments::candidates(conn.exec(), c.cycle.id, None)
        .await?
        .into_iter()
        .filter(|a| manager_may_act_on(a.applicant_id, me))
        .collect();
    let referees = referees_of(conn.exec(), c.cycle.id, None).await?;
    let existing: BTreeSet<(i64, i64)> = assignments::pairs_in(conn.exec(), c.cycle.id)
        .await?
        .into_iter()
        .collect();
    let mut conflicts: BTreeSet<(i64, i64)> = assignments::conflicts_in(conn.exec(), c.cycle.id)
        .await?
        .into_iter()
        .collect();
    for a in &candidates {
        for r in &reviewers {
            if detected(r, a, &referees).is_some() {
                conflicts.insert((a.id, r.id));
            }
        }
    }
    let input = Input {
        applications: candidates.iter().map(|a| a.id).collect(),
        reviewers: reviewers.iter().map(|r| r.id).collect(),
        per_application: setup.settings.reviewers_per_application as usize,
        cap: setup.settings.reviewer_cap.map(|c| c as usize),
        conflicts,
        existing,
    };
    let plan = plan(&input);
    let mut hash = Sha256::new();
    for (a, r) in &plan.assign {
        hash.update(format!("{a}:{r};"));
    }
    let fingerprint = hash
        .finalize()
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok(Proposal {
        plan,
        reviewers,
        applications: candidates.len(),
        fingerprint,
    })
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
    id: i64,
    have: usize,
}

#[derive(Serialize)]
struct AutoPage {
    cycle_id: i64,
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
    db: &Db,
    chrome: Chrome,
    id: i64,
    due: Option<String>,
) -> Result<Template> {
    let c = load_cycle(&who, db, id).await?;
    let setup = load_setup(db, id).await?;
    let now = crate::clock::now();
    let proposal = propose(db, &who, &c).await?;
    let (due_text, due_error) = match &due {
        Some(d) => match read_due(&c.cycle, d, now) {
            Ok(_) => (d.trim().to_owned(), None),
            Err(m) => (d.clone(), Some(m.to_owned())),
        },
        None => (default_due(&c.cycle, now), None),
    };
    let preview = due.is_some() && due_error.is_none();
    let mut added: BTreeMap<i64, usize> = BTreeMap::new();
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
    db: &Db,
    mail: &State<Mail>,
    ip: ClientIp,
    id: i64,
    form: Form<ApplyForm>,
) -> Result<Flash<Redirect>> {
    let c = load_cycle(&who, db, id).await?;
    let now = crate::clock::now();
    let preview = Redirect::to(format!(
        "/manage/cycles/{id}/assign?due={}",
        crate::web::page::url_encode(form.due.trim())
    ));
    let due = match read_due(&c.cycle, &form.due, now) {
        Ok(d) => d,
        Err(m) => return Ok(Flash::error(preview, m)),
    };
    let proposal = propose(db, &who, &c).await?;
    if proposal.fingerprint != form.fingerprint {
        return Ok(Flash::error(
            preview,
            "Applications or reviewers changed since the preview, so nothing was assigned. Check the new preview below.",
        ));
    }
    if proposal.plan.assign.is_empty() {
        return Ok(Flash::error(preview, "There is nothing to assign."));
    }
    let mut tx = db.begin().await?;
    let added = write_batch(
        &mut tx,
        mail,
        &who,
        &ip,
        &c,
        &proposal.plan.assign,
        &proposal.reviewers,
        due,
        now,
    )
    .await?;
    tx.commit().await?;
    mail.wake();
    let short = proposal.plan.short.len();
    let mut message = format!(
        "{added} assignment{} made; each reviewer was sent one mail.",
        if added == 1 { "" } else { "s" }
    );
    if short > 0 {
        message.push_str(&format!(
            " {short} application{} still short of reviewers.",
            if short == 1 { " is" } else { "s are" }
        ));
    }
    Ok(Flash::success(
        Redirect::to(format!("/manage/cycles/{id}/applications?stage=review")),
        message,
    ))
}
