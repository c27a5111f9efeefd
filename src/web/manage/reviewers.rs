//! The reviewers of one application: assign, remove, reassign, record a
//! conflict (which withdraws the assignment), and reopen a submitted
//! review. The changes are `app::assignment`'s and `app::review`'s.

use rocket::form::Form;
use rocket::response::{Flash, Redirect};
use rocket::{post, routes, FromForm, Route, State};

use super::application::back;
use super::removal::confirm_address;
use crate::app::assignment::Removal;
use crate::app::{assignment, review};
use crate::auth::guards::Manager;
use crate::context::Ctx;
use crate::domain::application::ApplicationId;
use crate::domain::user::UserId;
use crate::web::page::ClientIp;
use crate::web::{told, Result};

pub fn routes() -> Vec<Route> {
    routes![
        assign_reviewer,
        unassign_reviewer,
        reassign_reviewer,
        record_conflict,
        reopen_review
    ]
}

/// A chosen person's id; empty (none chosen) or not a number is `None`.
fn chosen(field: &str) -> Option<UserId> {
    field.trim().parse().ok()
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
    ctx: &State<Ctx>,
    ip: ClientIp,
    id: ApplicationId,
    form: Form<AssignForm>,
) -> Result<Flash<Redirect>> {
    let reviewer = chosen(&form.reviewer);
    match assignment::assign_one(ctx, &who, &ip, id, reviewer, &form.due).await {
        Ok(done) if done.is_complete() => Ok(Flash::success(back(id), done.message())),
        Ok(done) => Ok(Flash::error(back(id), done.message())),
        Err(e) => told(Err(e), back(id), |()| String::new()),
    }
}

#[derive(FromForm)]
struct ReviewerForm {
    /// A reviewer's id, or empty when none is chosen.
    #[field(default = String::new())]
    reviewer: String,
    #[field(default = String::new())]
    reason: String,
}

#[derive(FromForm)]
struct UnassignForm {
    /// A reviewer's id, or empty when none is chosen.
    #[field(default = String::new())]
    reviewer: String,
    /// `yes` once the manager was told a submitted review stays on the record.
    #[field(default = String::new())]
    confirmed: String,
}

/// Takes a reviewer off the application. One who submitted a review is
/// first sent to the confirmation page (`removal`), nothing changed.
#[post("/applications/<id>/unassign", data = "<form>")]
async fn unassign_reviewer(
    who: Manager,
    ctx: &State<Ctx>,
    ip: ClientIp,
    id: ApplicationId,
    form: Form<UnassignForm>,
) -> Result<Flash<Redirect>> {
    let reviewer = chosen(&form.reviewer);
    let confirmed = form.confirmed == "yes";
    let outcome = assignment::unassign(ctx, &who, &ip, id, reviewer, confirmed).await;
    if let (Ok(Removal::NeedsConfirmation), Some(r)) = (&outcome, reviewer) {
        return Ok(Flash::warning(
            Redirect::to(confirm_address(id, r)),
            "This reviewer submitted a review: confirm before they are removed.",
        ));
    }
    told(outcome, back(id), |done| {
        match done {
        Removal::KeptOnRecord => {
            "The reviewer was removed from the panel; their review stays on the record, not counted.".into()
        }
        _ => "The reviewer was taken off this application.".into(),
    }
    })
}

#[derive(FromForm)]
struct ReassignForm {
    #[field(default = String::new())]
    from: String,
    #[field(default = String::new())]
    to: String,
}

/// Hands one reviewer's assignment to another, keeping the due date.
#[post("/applications/<id>/reassign", data = "<form>")]
async fn reassign_reviewer(
    who: Manager,
    ctx: &State<Ctx>,
    ip: ClientIp,
    id: ApplicationId,
    form: Form<ReassignForm>,
) -> Result<Flash<Redirect>> {
    let (from, to) = (chosen(&form.from), chosen(&form.to));
    let outcome = assignment::reassign(ctx, &who, &ip, id, from, to).await;
    told(outcome, back(id), |()| "The review was reassigned.".into())
}

/// Records that a reviewer must not review this application (withdrawing
/// any assignment).
#[post("/applications/<id>/conflicts", data = "<form>")]
async fn record_conflict(
    who: Manager,
    ctx: &State<Ctx>,
    ip: ClientIp,
    id: ApplicationId,
    form: Form<ReviewerForm>,
) -> Result<Flash<Redirect>> {
    let reviewer = chosen(&form.reviewer);
    let outcome = assignment::record_conflict(ctx, &who, &ip, id, reviewer, &form.reason).await;
    told(outcome, back(id), |()| {
        "Conflict recorded; that reviewer will not see this application.".into()
    })
}

/// Turns a submitted review back into a draft its reviewer can change.
#[post("/reviews/<rid>/reopen", data = "<form>")]
async fn reopen_review(
    who: Manager,
    ctx: &State<Ctx>,
    ip: ClientIp,
    rid: i64,
    form: Form<ReviewerForm>,
) -> Result<Flash<Redirect>> {
    let r = review::review_for_manager(ctx, &who, rid).await?;
    let outcome = review::reopen(ctx, &who, &ip, &r, &form.reason).await;
    told(outcome, back(r.review.application_id), |()| {
        format!(
            "{}’s review is open again; they can change and resubmit it.",
            r.review.reviewer_name
        )
    })
}
