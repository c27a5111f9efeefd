//! Releasing held decisions: the counts per outcome (of the whole cycle or
//! of a selection) must be confirmed, and still be the counts, before each
//! applicant is sent one letter, in batches.

use super::decisions::deadline_in;
use super::letters::{self, Letter};
use super::{access, By, Error, Result};
use crate::auth::guards::{ClientIp, Manager};
use crate::context::Ctx;
use crate::db::{cycles, decisions, programs};
use crate::domain::application::ApplicationId;
use crate::domain::cycle::CycleId;
use crate::domain::user::UserId;
use crate::domain::workflow::decision::Outcome;

/// Releases are written in transactions of this many letters.
const RELEASE_BATCH: i64 = 100;

/// How many decisions of cycle `cycle` (among `only`, when given) wait
/// for release, per outcome in [`Outcome::ALL`]'s order, but for `me`'s
/// own application: another manager releases that one.
#[tracing::instrument(skip_all, fields(me = %me, cycle = %cycle))]
pub async fn held_counts(
    ctx: &Ctx,
    me: UserId,
    cycle: CycleId,
    only: Option<&[ApplicationId]>,
) -> Result<Vec<(Outcome, i64)>> {
    let mut conn = ctx.conn().await?;
    let stored = decisions::unreleased_counts(conn.exec(), cycle, me, only).await?;
    Ok(Outcome::ALL
        .iter()
        .map(|o| {
            let n = stored.iter().find(|(k, _)| k == o).map_or(0, |(_, n)| *n);
            (*o, n)
        })
        .collect())
}

/// A release as confirmed on the release page.
#[derive(Debug, Clone, Default)]
pub struct Release {
    /// The outcomes to release.
    pub outcomes: Vec<Outcome>,
    /// The counts the manager confirmed, per outcome.
    pub seen: Vec<(Outcome, i64)>,
    pub confirm: bool,
    /// Only these applications (chosen on the decisions list), if any.
    pub ids: Vec<ApplicationId>,
}

/// Releases cycle `cycle`'s held decisions of the chosen outcomes, if
/// their counts are still those the manager confirmed: each applicant is
/// sent one letter, in batches. Refused ([`Error::Invalid`], against
/// `outcomes` or `confirm`) when nothing is chosen, the counts are not
/// confirmed or changed since, or a chosen letter fails the check; then
/// nothing is released. Returns how many were released; audited per batch.
#[tracing::instrument(skip_all, fields(cycle = %cycle))]
pub async fn release(
    ctx: &Ctx,
    who: &Manager,
    ip: &ClientIp,
    cycle: CycleId,
    input: Release,
) -> Result<usize> {
    let c = access::cycle_for_manager(ctx, who, cycle).await?;
    if input.outcomes.is_empty() {
        return Err(Error::invalid(
            "outcomes",
            "Choose which decisions to release.",
        ));
    }
    if !input.confirm {
        return Err(Error::invalid(
            "confirm",
            "Tick the box to confirm the counts before releasing.",
        ));
    }
    let me = who.0.user().id;
    let only = (!input.ids.is_empty()).then_some(input.ids.as_slice());
    let now_counts = held_counts(ctx, me, cycle, only).await?;
    let count_of = |counts: &[(Outcome, i64)], o: Outcome| {
        counts.iter().find(|(k, _)| *k == o).map(|(_, n)| *n)
    };
    let changed = input
        .outcomes
        .iter()
        .any(|o| count_of(&input.seen, *o) != Some(count_of(&now_counts, *o).unwrap_or(0)));
    if changed {
        return Err(Error::invalid("outcomes", "The decisions changed since you looked, so nothing was released. Check the new counts and confirm again."));
    }
    // Every letter is checked before the first batch: a template that
    // fails stops the whole release, so no applicant hears and others not.
    for o in &input.outcomes {
        let mut conn = ctx.conn().await?;
        if let Some(message) = letters::refusal(conn.exec(), cycle, *o).await? {
            return Err(Error::invalid("outcomes", message));
        }
    }
    let now = ctx.now();
    let (deadline, program) = {
        let mut conn = ctx.conn().await?;
        (
            deadline_in(conn.exec(), cycle, now).await?,
            programs::name_of(conn.exec(), c.cycle.program_id).await?,
        )
    };
    let by = By::user(me, ip.as_deref());
    let mut released = 0;
    loop {
        let mut tx = ctx.begin().await?;
        cycles::lock(tx.exec(), cycle).await?;
        let batch =
            decisions::to_release(tx.exec(), cycle, me, &input.outcomes, only, RELEASE_BATCH)
                .await?;
        if batch.is_empty() {
            break;
        }
        for d in &batch {
            let outcome = d.outcome;
            let offer = (outcome == Outcome::Accepted).then_some(deadline);
            if !decisions::mark_released(tx.exec(), d.application_id, d.version, offer, now).await?
            {
                continue;
            }
            let letter = Letter {
                cycle: &c,
                program: &program,
                application: d.application_id,
                applicant_name: &d.applicant_name,
                applicant_email: &d.applicant_email,
                outcome,
                key: d.outcome_key.as_deref(),
                note: &d.note,
                deadline: offer,
                replacement: None,
            };
            letters::queue(tx.exec(), &ctx.mail, &letter, now).await?;
            decisions::add_event(
                tx.exec(),
                d.application_id,
                "released",
                outcome,
                d.outcome_key.as_deref(),
                "",
                Some(me),
                now,
            )
            .await?;
            released += 1;
        }
        by.audit(
            tx.exec(),
            "decision.release",
            &format!("cycle:{cycle}"),
            &format!("{} letters", batch.len()),
            now,
        )
        .await?;
        tx.commit().await?;
        ctx.wake();
    }
    Ok(released)
}
