//! An accepted applicant's answer to their offer: accept or decline, once,
//! by the accept-by date, with a confirmation mail.

use rocket::form::Form;
use rocket::response::{Flash, Redirect};
use rocket::{post, routes, FromForm, Route, State};

use super::load_owned;
use super::submit::refuse_offer_answer;
use crate::auth::guards::Applicant;
use crate::db::{audit, decisions, Db};
use crate::domain::workflow::decision::{answer_offer, offer_state, OfferState, Outcome};
use crate::mail::{messages, Mail};
use crate::web::page::Chrome;
use crate::web::Result;
use rocket::http::Status;
use rocket_dyn_templates::Template;

pub fn routes() -> Vec<Route> {
    routes![answer]
}

#[derive(FromForm)]
struct AnswerForm {
    /// `accept` or `decline`.
    #[field(default = String::new())]
    answer: String,
    #[field(default = false)]
    confirm: bool,
}

#[post("/applications/<id>/offer", data = "<form>")]
async fn answer(
    who: Applicant,
    db: &Db,
    mail: &State<Mail>,
    chrome: Chrome,
    id: i64,
    form: Form<AnswerForm>,
) -> Result<std::result::Result<Flash<Redirect>, (Status, Template)>> {
    let back = || Redirect::to(format!("/apply/applications/{id}#offer"));
    let mut conn = db.conn().await?;
    let o = load_owned(&mut conn, &who, id).await?;
    // Nothing about a decision is revealed before it is released.
    let decision = decisions::find(conn.exec(), id)
        .await?
        .filter(|d| d.released_at.is_some() && d.outcome == Outcome::Accepted);
    let (Some(d), Some(by)) = (
        decision.as_ref(),
        decision.as_ref().and_then(|d| d.offer_deadline),
    ) else {
        return Ok(Ok(Flash::error(back(), "There is no offer to answer.")));
    };
    // Mistakes are shown next to their field, the choice kept.
    let (field, problem) = match (form.answer.as_str(), form.confirm) {
        ("accept" | "decline", true) => ("", ""),
        ("accept" | "decline", false) => (
            "offer-confirm",
            "Tick the box to confirm your answer; it cannot be changed afterwards.",
        ),
        _ => (
            "answer-accept",
            "Choose whether you accept or decline the offer.",
        ),
    };
    if !problem.is_empty() {
        let page =
            refuse_offer_answer(&mut conn, &o, &chrome, &form.answer, field, problem).await?;
        return Ok(Err(page));
    }
    let accept = form.answer == "accept";
    let now = crate::clock::now();
    let state = offer_state(d.offer_answer, by, now);
    let to = match answer_offer(state, accept) {
        Ok(to) => to,
        Err(e) => return Ok(Ok(Flash::error(back(), e.to_string()))),
    };
    drop(conn);
    let user = who.0.user();
    let mut tx = db.begin().await?;
    let stored = if to == OfferState::Accepted {
        "accepted"
    } else {
        "declined"
    };
    if !decisions::answer_offer(tx.exec(), id, stored, now).await? {
        return Ok(Ok(Flash::error(
            back(),
            "Your answer could not be recorded: the offer was answered or lapsed meanwhile.",
        )));
    }
    decisions::add_event(
        tx.exec(),
        id,
        &format!("offer_{stored}"),
        d.outcome,
        "",
        Some(user.id),
        now,
    )
    .await?;
    messages::offer_answered(tx.exec(), mail, user, id, &o.program.name, accept, now).await?;
    let entry = audit::Entry {
        actor: Some(user.id),
        action: "offer.answer",
        subject: &format!("application:{id}"),
        detail: stored,
        client_ip: None,
    };
    audit::record(tx.exec(), &entry, now).await?;
    tx.commit().await?;
    mail.wake();
    Ok(Ok(Flash::success(
        back(),
        if accept {
            "Thank you: you have accepted your place. A confirmation is on its way to your email."
        } else {
            "You have declined the offer. A confirmation is on its way to your email."
        },
    )))
}
