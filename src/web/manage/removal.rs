//! Removing a reviewer who has submitted a review: a page that says what
//! removal does (the review stays on the record, counted nowhere) before
//! anything changes. Confirming posts to the application's `unassign`
//! with `confirmed=yes` (`reviewers`).

use rocket::response::Redirect;
use rocket::{get, routes, Route, State};
use rocket_dyn_templates::Template;
use serde::Serialize;

use crate::app::access;
use crate::auth::guards::Manager;
use crate::context::Ctx;
use crate::db::{assignments, users};
use crate::domain::application::ApplicationId;
use crate::domain::user::UserId;
use crate::web::page::{render, Chrome};
use crate::web::Result;

pub fn routes() -> Vec<Route> {
    routes![confirm_removal]
}

#[derive(Serialize)]
struct RemovalPage {
    id: ApplicationId,
    applicant_name: String,
    reviewer_id: UserId,
    reviewer_name: String,
}

/// The address of the confirmation for removing `reviewer`.
pub(super) fn confirm_address(id: ApplicationId, reviewer: UserId) -> String {
    format!("/manage/applications/{id}/unassign?reviewer={reviewer}")
}

/// Asks before removing a reviewer who submitted a review of the
/// application; back to the application when they are not assigned or
/// have not submitted (removing them asks nothing).
#[get("/applications/<id>/unassign?<reviewer>")]
async fn confirm_removal(
    who: Manager,
    ctx: &State<Ctx>,
    chrome: Chrome,
    id: ApplicationId,
    reviewer: Option<UserId>,
) -> Result<std::result::Result<Template, Redirect>> {
    let (app, _) = access::application_for_manager(ctx, &who, id).await?;
    let back = Redirect::to(format!("/manage/applications/{id}"));
    let Some(reviewer) = reviewer else {
        return Ok(Err(back));
    };
    let mut conn = ctx.conn().await?;
    let submitted = assignments::find(conn.exec(), id, reviewer)
        .await?
        .is_some()
        && assignments::has_submitted(conn.exec(), id, reviewer).await?;
    if !submitted {
        return Ok(Err(back));
    }
    let name = |u: Option<crate::domain::user::User>| u.map(|u| u.name).unwrap_or_default();
    let reviewer_name = name(users::find(conn.exec(), reviewer).await?);
    let applicant_name = name(users::find(conn.exec(), app.applicant_id).await?);
    let title = format!("Remove {reviewer_name} from application #{id}?");
    let page = RemovalPage {
        id,
        applicant_name,
        reviewer_id: reviewer,
        reviewer_name,
    };
    Ok(Ok(render("manage/remove_reviewer", &chrome, &title, page)))
}
