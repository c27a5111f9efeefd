//! The reviewers of one application: assign, remove, reassign, record a
//! conflict (which withdraws the assignment), and reopen a submitted
//! review. Every change is audited; z-scores are recomputed whenever a
//! reviewer's submitted reviews change.

use rocket::form::Form;
use rocket::response::{Flash, Redirect};
use rocket::{post, routes, FromForm, Route, State};

use super::application::back;
use super::{audit_action, load_application, read_due};
use crate::auth::guards::Manager;
use crate::db::assignments::{self, ConflictSource};
use crate::db::{reviews, Db};
use crate::mail::Mail;
use crate::web::page::ClientIp;
use crate::web::{Error, Result};

pub fn routes() -> Vec<Route> {
    routes![
        assign_reviewer,
        unassign_reviewer,
        reassign_reviewer,
        record_conflict,
        reopen_review
    ]
}

#[derive(FromForm)]
struct AssignForm {
    /// A reviewer's id, or empty when none is chosen.
    #[field(default = String::new())]
    reviewer: String,
    #[field(default = String::new())]
    due: String,
}

/// Assigns one reviewer to this application.
#[post("/applications/<id>/assign", data = "<form>")]
async fn assign_reviewer(
    who: Manager,
    db: &Db,
    mail: &State<Mail>,
    ip: ClientIp,
    id: i64,
    form: Form<AssignForm>,
) -> Result<Flash<Redirect>> {
    let (_, c) = load_application(&who, db, id).await?;
    let Ok(reviewer) = form.reviewer.trim().parse::<i64>() else {
        return Ok(Flash::error(back(id), "Choose the reviewer to assign."));
    };
    let now = crate::clock::now();
    let due = match read_due(&c.cycle, &form.due, now) {
        Ok(d) => d,
        Err(m) => return Ok(Flash::error(back(id), m)),
    };
    let outcome =
        super::assign::assign_manually(db, mail, &who, &ip, &c, &[id], reviewer, due, now).await?;
    Ok(match outcome {
        Ok(m) => Flash::success(back(id), m),
        Err(m) => Flash::error(back(id), m),
    })
}

#[derive(FromForm)]
struct ReviewerForm {
    /// A reviewer's id, or empty when none is chosen.
    #[field(default = String::new())]
    reviewer: String,
    #[field(default = String::new())]
    reason: String,
}

/// Takes a reviewer off the application, with their review if any.
#[post("/applications/<id>/unassign", data = "<form>")]
async fn unassign_reviewer(
    who: Manager,
    db: &Db,
    ip: ClientIp,
    id: i64,
    form: Form<ReviewerForm>,
) -> Result<Flash<Redirect>> {
    let (_, c) = load_application(&who, db, id).await?;
    let Ok(reviewer) = form.reviewer.trim().parse::<i64>() else {
        return Ok(Flash::error(back(id), "Choose the reviewer to remove."));
    };
    let now = crate::clock::now();
    let mut tx = db.begin().await?;
    if !assignments::remove(tx.exec(), id, reviewer).await? {
        return Ok(Flash::error(
            back(id),
            "That reviewer was not assigned to this application.",
        ));
    }
    reviews::recompute_z(tx.exec(), c.cycle.id, reviewer).await?;
    audit_action(
        tx.exec(),
        &who,
        &ip,
        "assignment.remove",
        &format!("application:{id}"),
        &format!("reviewer {reviewer}"),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Flash::success(
        back(id),
        "The reviewer was taken off this application.",
    ))
}

#[derive(FromForm)]
struct ReassignForm {
    #[field(default = String::new())]
    from: String,
    #[field(default = String::new())]
    to: String,
}

/// Hands one reviewer's assignment to another, keeping the due date. The
/// new reviewer is assigned first (with the same checks as any
/// assignment); only then is the old one taken off.
#[post("/applications/<id>/reassign", data = "<form>")]
async fn reassign_reviewer(
    who: Manager,
    db: &Db,
    mail: &State<Mail>,
    ip: ClientIp,
    id: i64,
    form: Form<ReassignForm>,
) -> Result<Flash<Redirect>> {
    let (_, c) = load_application(&who, db, id).await?;
    let (Ok(from), Ok(to)) = (
        form.from.trim().parse::<i64>(),
        form.to.trim().parse::<i64>(),
    ) else {
        return Ok(Flash::error(
            back(id),
            "Choose who should take over the review.",
        ));
    };
    let current = {
        let mut conn = db.conn().await?;
        assignments::find(conn.exec(), id, from).await?
    };
    let Some(current) = current else {
        return Ok(Flash::error(
            back(id),
            "That reviewer is no longer assigned to this application.",
        ));
    };
    let now = crate::clock::now();
    let due = current.due_at.max(now + chrono::Duration::days(1));
    if let Err(m) =
        super::assign::assign_manually(db, mail, &who, &ip, &c, &[id], to, due, now).await?
    {
        return Ok(Flash::error(back(id), m));
    }
    let mut tx = db.begin().await?;
    if assignments::remove(tx.exec(), id, from).await? {
        reviews::recompute_z(tx.exec(), c.cycle.id, from).await?;
    }
    audit_action(
        tx.exec(),
        &who,
        &ip,
        "assignment.reassign",
        &format!("application:{id}"),
        &format!("reviewer {from} -> {to}"),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Flash::success(back(id), "The review was reassigned."))
}

/// Records that a reviewer must not review this application (withdrawing
/// any assignment).
#[post("/applications/<id>/conflicts", data = "<form>")]
async fn record_conflict(
    who: Manager,
    db: &Db,
    ip: ClientIp,
    id: i64,
    form: Form<ReviewerForm>,
) -> Result<Flash<Redirect>> {
    let (_, c) = load_application(&who, db, id).await?;
    let Ok(reviewer) = form.reviewer.trim().parse::<i64>() else {
        return Ok(Flash::error(back(id), "Choose the reviewer in conflict."));
    };
    let reason = form.reason.trim();
    if reason.is_empty() {
        return Ok(Flash::error(
            back(id),
            "Say what the conflict is; it is recorded.",
        ));
    }
    let now = crate::clock::now();
    let mut tx = db.begin().await?;
    crate::db::applications::lock(tx.exec(), id).await?;
    let reviewers = assignments::reviewers_of(tx.exec(), c.cycle.program_id).await?;
    if !reviewers.iter().any(|r| r.id == reviewer) {
        return Ok(Flash::error(
            back(id),
            "That person is not a reviewer of this program.",
        ));
    }
    assignments::record_conflict(
        tx.exec(),
        id,
        reviewer,
        ConflictSource::Recorded,
        reason,
        who.0.user().id,
        now,
    )
    .await?;
    reviews::recompute_z(tx.exec(), c.cycle.id, reviewer).await?;
    audit_action(
        tx.exec(),
        &who,
        &ip,
        "conflict.record",
        &format!("application:{id}"),
        &format!("reviewer {reviewer}: {reason}"),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Flash::success(
        back(id),
        "Conflict recorded; that reviewer will not see this application.",
    ))
}

/// Turns a submitted review back into a draft its reviewer can change.
#[post("/reviews/<rid>/reopen", data = "<form>")]
async fn reopen_review(
    who: Manager,
    db: &Db,
    ip: ClientIp,
    rid: i64,
    form: Form<ReviewerForm>,
) -> Result<Flash<Redirect>> {
    let review = {
        let mut conn = db.conn().await?;
        reviews::find(conn.exec(), rid)
            .await?
            .ok_or(Error::NotFound)?
    };
    let (_, c) = load_application(&who, db, review.application_id).await?;
    let id = review.application_id;
    let now = crate::clock::now();
    let mut tx = db.begin().await?;
    if !reviews::reopen(tx.exec(), rid, now).await? {
        return Ok(Flash::error(back(id), "That review is not submitted."));
    }
    reviews::recompute_z(tx.exec(), c.cycle.id, review.reviewer_id).await?;
    audit_action(
        tx.exec(),
        &who,
        &ip,
        "review.reopen",
        &format!("application:{id}"),
        &format!(
            "review {rid} by reviewer {}: {}",
            review.reviewer_id,
            form.reason.trim()
        ),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Flash::success(
        back(id),
        format!(
            "{}’s review is open again; they can change and resubmit it.",
            review.reviewer_name
        ),
    ))
}
