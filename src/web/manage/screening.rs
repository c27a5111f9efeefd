//! Screening an application (eligible to review, or ineligible with a
//! reason the applicant sees only if shared) and the manager's other stage
//! moves: start screening, send to committee. Each move is an event in the
//! same transaction, and audited.

use rocket::form::Form;
use rocket::response::{Flash, Redirect};
use rocket::{post, routes, FromForm, Route};

use super::application::back;
use super::{audit_action, load_application};
use crate::auth::guards::Manager;
use crate::db::{applications, Db};
use crate::domain::workflow::review::IneligibleReason;
use crate::domain::workflow::stage::{apply, Actor, Move};
use crate::web::page::ClientIp;
use crate::web::Result;

pub fn routes() -> Vec<Route> {
    routes![screen_application, move_application]
}

#[derive(FromForm)]
struct ScreenForm {
    #[field(default = String::new())]
    outcome: String,
    #[field(default = String::new())]
    reason: String,
    #[field(default = String::new())]
    note: String,
    #[field(default = false)]
    share: bool,
}

/// Eligible moves the application to review; ineligible needs a reason
/// from the list, and the applicant sees the reason only if shared.
#[post("/applications/<id>/screen", data = "<form>")]
async fn screen_application(
    who: Manager,
    db: &Db,
    ip: ClientIp,
    id: i64,
    form: Form<ScreenForm>,
) -> Result<Flash<Redirect>> {
    let (app, _) = load_application(&who, db, id).await?;
    let note = form.note.trim();
    let (mv, reason) = match form.outcome.as_str() {
        "eligible" => (Move::MarkEligible, None),
        "ineligible" => match IneligibleReason::parse(&form.reason) {
            Some(r) if r != IneligibleReason::Other || !note.is_empty() => {
                (Move::MarkIneligible, Some(r))
            }
            Some(_) => {
                return Ok(Flash::error(
                    back(id),
                    "Say in the note why the application is ineligible when the reason is “Another reason”.",
                ))
            }
            None => {
                return Ok(Flash::error(
                    back(id),
                    "Choose why the application is ineligible.",
                ))
            }
        },
        _ => {
            return Ok(Flash::error(
                back(id),
                "Choose whether the application is eligible.",
            ))
        }
    };
    let to = match apply(app.stage, mv, Actor::Manager) {
        Ok(to) => to,
        Err(e) => return Ok(Flash::error(back(id), e.to_string())),
    };
    let now = crate::clock::now();
    let me = who.0.user().id;
    let mut tx = db.begin().await?;
    if !applications::move_stage(
        tx.exec(),
        id,
        app.stage,
        to,
        mv,
        Some(me),
        Actor::Manager,
        note,
        now,
    )
    .await?
    {
        return Ok(Flash::error(
            back(id),
            "Someone changed this application meanwhile; nothing was saved. Check it and try again.",
        ));
    }
    if let Some(r) = reason {
        applications::set_screening(tx.exec(), id, r.as_str(), note, form.share).await?;
    }
    let detail = match reason {
        Some(r) => format!(
            "ineligible: {}{}",
            r.as_str(),
            if form.share { " (reason shared)" } else { "" }
        ),
        None => "eligible".to_owned(),
    };
    audit_action(
        tx.exec(),
        &who,
        &ip,
        "application.screen",
        &format!("application:{id}"),
        &detail,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Flash::success(
        back(id),
        match reason {
            Some(_) => "Marked ineligible.",
            None => "Marked eligible: the application is now in review.",
        },
    ))
}

#[derive(FromForm)]
struct MoveForm {
    #[field(default = String::new())]
    r#move: String,
    #[field(default = String::new())]
    note: String,
}

/// Starts screening or sends the application to the committee.
#[post("/applications/<id>/move", data = "<form>")]
async fn move_application(
    who: Manager,
    db: &Db,
    ip: ClientIp,
    id: i64,
    form: Form<MoveForm>,
) -> Result<Flash<Redirect>> {
    let (app, _) = load_application(&who, db, id).await?;
    let mv = match form.r#move.as_str() {
        "start_screening" => Move::StartScreening,
        "send_to_committee" => Move::SendToCommittee,
        _ => return Ok(Flash::error(back(id), "Choose a move.")),
    };
    let to = match apply(app.stage, mv, Actor::Manager) {
        Ok(to) => to,
        Err(e) => return Ok(Flash::error(back(id), e.to_string())),
    };
    let now = crate::clock::now();
    let mut tx = db.begin().await?;
    let note = form.note.trim();
    if !applications::move_stage(
        tx.exec(),
        id,
        app.stage,
        to,
        mv,
        Some(who.0.user().id),
        Actor::Manager,
        note,
        now,
    )
    .await?
    {
        return Ok(Flash::error(
            back(id),
            "Someone changed this application meanwhile; nothing was saved. Check it and try again.",
        ));
    }
    let detail = format!("{} -> {}", app.stage.as_str(), to.as_str());
    audit_action(
        tx.exec(),
        &who,
        &ip,
        "application.move",
        &format!("application:{id}"),
        &detail,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Flash::success(
        back(id),
        format!("Moved to: {}.", to.label()),
    ))
}
