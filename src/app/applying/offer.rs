//! Answering an offer: accept or decline, once, by the accept-by date.

use crate::auth::guards::Applicant;
use crate::context::Ctx;
use crate::db::decisions;
use crate::domain::application::ApplicationId;
use crate::domain::workflow::decision::{
    answer_offer as offer_move, offer_state, OfferState, Outcome,
};
use crate::mail::messages;

use super::super::access;
use super::super::{By, Error, Result};

/// An answer to an offer, as chosen on the page.
pub struct OfferAnswer<'a> {
    /// `accept` or `decline`.
    pub answer: &'a str,
    /// The box confirming that the answer is final.
    pub confirm: bool,
}

/// Accepts or declines the released offer of application `id`, once, by
/// its accept-by date; records it, mails a confirmation and audits it.
/// Returns whether it was accepted. Refused when there is no offer, it is
/// answered or lapsed (also meanwhile); `Invalid` when no answer was
/// chosen (`answer-accept`) or not confirmed (`offer-confirm`).
#[tracing::instrument(skip_all, fields(id = %id))]
pub async fn answer_offer(
    ctx: &Ctx,
    who: &Applicant,
    id: ApplicationId,
    input: OfferAnswer<'_>,
) -> Result<bool> {
    let o = access::owned_application(ctx, who, id).await?;
    // Nothing about a decision is revealed before it is released.
    let decision = {
        let mut conn = ctx.conn().await?;
        decisions::find(conn.exec(), id)
            .await?
            .filter(|d| d.released_at.is_some() && d.outcome == Outcome::Accepted)
    };
    let (Some(d), Some(by)) = (
        decision.as_ref(),
        decision.as_ref().and_then(|d| d.offer_deadline),
    ) else {
        return Err(Error::refused("There is no offer to answer."));
    };
    match (input.answer, input.confirm) {
        ("accept" | "decline", true) => {}
        ("accept" | "decline", false) => {
            return Err(Error::invalid(
                "offer-confirm",
                "Tick the box to confirm your answer; it cannot be changed afterwards.",
            ))
        }
        _ => {
            return Err(Error::invalid(
                "answer-accept",
                "Choose whether you accept or decline the offer.",
            ))
        }
    }
    let accept = input.answer == "accept";
    let now = ctx.now();
    let state = offer_state(d.offer_answer, by, now);
    let to = offer_move(state, accept).map_err(|e| Error::refused(e.to_string()))?;
    let user = who.0.user();
    let mut tx = ctx.begin().await?;
    let stored = if to == OfferState::Accepted {
        "accepted"
    } else {
        "declined"
    };
    if !decisions::answer_offer(tx.exec(), id, stored, now).await? {
        return Err(Error::refused(
            "Your answer could not be recorded: the offer was answered or lapsed meanwhile.",
        ));
    }
    decisions::add_event(
        tx.exec(),
        id,
        &format!("offer_{stored}"),
        d.outcome,
        d.outcome_key.as_deref(),
        "",
        Some(user.id),
        now,
    )
    .await?;
    messages::offer_answered(tx.exec(), &ctx.mail, user, id, &o.program.name, accept, now).await?;
    By {
        user: Some(user.id),
        ip: None,
    }
    .audit(
        tx.exec(),
        "offer.answer",
        &format!("application:{id}"),
        stored,
        now,
    )
    .await?;
    tx.commit().await?;
    ctx.wake();
    Ok(accept)
}
