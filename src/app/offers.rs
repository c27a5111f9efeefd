//! Offers: a place offered to a waitlisted applicant who was told, with
//! an offer letter (an offer declined or lapsed frees a place).

use super::decisions::deadline_in;
use super::letters::{self, Letter};
use super::{access, By, Error, Result};
use crate::auth::guards::{ClientIp, Manager};
use crate::context::Ctx;
use crate::db::{applications, decisions, programs, users};
use crate::domain::access::manager_may_act_on;
use crate::domain::application::ApplicationId;
use crate::domain::cycle::CycleId;
use crate::domain::workflow::decision::Outcome;

/// A place offered to a waitlisted applicant.
#[derive(Debug, Clone)]
pub struct Promoted {
    pub applicant_name: String,
    /// The accept-by date, in the cycle's time zone.
    pub deadline: String,
}

/// Offers a place to waitlisted application `application` of cycle
/// `cycle` (the suggested next one, or another the manager chose), with an
/// offer letter. Refused when it has no decision, is not a waitlisted one
/// already told, changed meanwhile, or the offer letter fails the check.
/// Audited.
#[tracing::instrument(skip_all, fields(cycle = %cycle, application = %application))]
pub async fn promote(
    ctx: &Ctx,
    who: &Manager,
    ip: &ClientIp,
    cycle: CycleId,
    application: ApplicationId,
) -> Result<Promoted> {
    let c = access::cycle_for_manager(ctx, who, cycle).await?;
    let now = ctx.now();
    let me = who.0.user().id;
    let mut tx = ctx.begin().await?;
    let deadline = deadline_in(tx.exec(), cycle, now).await?;
    applications::lock(tx.exec(), application).await?;
    let current = decisions::find(tx.exec(), application)
        .await?
        .ok_or_else(|| Error::refused("That applicant has no decision."))?;
    let app = applications::find(tx.exec(), application)
        .await?
        .ok_or(Error::NotFound)?;
    if !manager_may_act_on(app.applicant_id, me) {
        return Err(Error::NotFound);
    }
    if current.cycle_id != cycle
        || current.outcome != Outcome::Waitlisted
        || current.released_at.is_none()
    {
        return Err(Error::refused(
            "Only a waitlisted applicant who has been told can be offered a place this way.",
        ));
    }
    if !decisions::record(
        tx.exec(),
        application,
        cycle,
        Outcome::Accepted,
        None,
        &current.note,
        Some(current.version),
        me,
        now,
    )
    .await?
    {
        return Err(Error::refused(
            "That decision changed meanwhile; nothing was done.",
        ));
    }
    let applicant = users::find(tx.exec(), app.applicant_id)
        .await?
        .ok_or(Error::NotFound)?;
    let program = programs::name_of(tx.exec(), c.cycle.program_id).await?;
    let version = current.version + 1;
    letters::sendable(tx.exec(), cycle, Outcome::Accepted).await?;
    let letter = Letter {
        cycle: &c,
        program: &program,
        application,
        applicant_name: &applicant.name,
        applicant_email: &applicant.email,
        outcome: Outcome::Accepted,
        key: None,
        note: &current.note,
        deadline: Some(deadline),
        replacement: Some(version),
    };
    letters::queue(tx.exec(), &ctx.mail, &letter, now).await?;
    decisions::mark_released(tx.exec(), application, version, Some(deadline), now).await?;
    decisions::add_event(
        tx.exec(),
        application,
        "promoted",
        Outcome::Accepted,
        None,
        "",
        Some(me),
        now,
    )
    .await?;
    By::user(me, ip.as_deref())
        .audit(
            tx.exec(),
            "decision.promote",
            &format!("application:{application}"),
            "waitlisted -> accepted",
            now,
        )
        .await?;
    tx.commit().await?;
    ctx.wake();
    Ok(Promoted {
        applicant_name: applicant.name,
        deadline: c.cycle.show(deadline),
    })
}
