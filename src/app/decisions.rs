//! Decisions: recorded one at a time (with the version the manager saw, so
//! two managers never overwrite each other silently) or in bulk from the
//! ranking; held until released, when each applicant is sent one letter;
//! a change after release sends a replacement letter; a place offered to
//! a waitlisted applicant. The letters themselves are [`super::letters`].

use chrono::{DateTime, Utc};

use super::letters::{self, Letter};
use super::{access, By, Error, Result};
use crate::auth::guards::{ClientIp, Manager};
use crate::context::Ctx;
use crate::db::cycles::CycleWithForm;
use crate::db::{applications, cycles, decisions, programs, users, Exec};
use crate::domain::access::manager_may_act_on;
use crate::domain::user::UserId;
use crate::domain::workflow::decision::{self, Change, DecisionError, Outcome, Recorded};
use crate::domain::workflow::stage::{Actor, Move, Stage};

/// Releases are written in transactions of this many letters.
const RELEASE_BATCH: i64 = 100;

/// The stored decision in the domain's terms.
fn recorded(d: &decisions::Decision) -> Option<Recorded> {
    Some(Recorded {
        outcome: d.outcome,
        version: d.version,
        released: d.released_at.is_some(),
    })
}

/// The accept-by date of an offer of cycle `cycle` released `now`.
async fn deadline_in(ex: Exec<'_>, cycle: i64, now: DateTime<Utc>) -> Result<DateTime<Utc>> {
    let days = cycles::offer_days(ex, cycle).await?;
    Ok(now + chrono::Duration::days(days))
}

/// The accept-by date of an offer of cycle `cycle` released now.
pub async fn offer_deadline(ctx: &Ctx, cycle: i64) -> Result<DateTime<Utc>> {
    let mut conn = ctx.conn().await?;
    deadline_in(conn.exec(), cycle, ctx.now()).await
}

/// A decision as the manager typed it on the application's page.
#[derive(Debug, Clone)]
pub struct Decision {
    pub outcome: Outcome,
    pub note: String,
    /// The decision's version the manager saw (`None`: there was none).
    pub seen: Option<i64>,
    /// The manager confirmed a change that needs confirming.
    pub confirm: bool,
}

/// What recording a decision did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decided {
    /// Recorded and held until the manager releases decisions.
    Held(Outcome),
    /// Changed after release: the applicant is sent a replacement letter.
    Replaced(Outcome),
}

/// Records or changes application `id`'s decision. Refused
/// ([`Error::Invalid`], against the field it is about) when the domain
/// refuses the change, when someone else changed it at the same moment,
/// and when a change after release cannot be sent because the cycle's
/// letter fails the check; nothing is recorded then. Audited.
pub async fn decide(
    ctx: &Ctx,
    who: &Manager,
    ip: &ClientIp,
    id: i64,
    input: Decision,
) -> Result<Decided> {
    let (app, c) = access::application_for_manager(ctx, who, id).await?;
    let Decision {
        outcome,
        note,
        seen,
        confirm,
    } = input;
    let note = note.trim();
    let now = ctx.now();
    let me = who.0.user().id;
    let mut tx = ctx.begin().await?;
    applications::lock(tx.exec(), id).await?;
    let current = decisions::find(tx.exec(), id).await?;
    let answered = current.as_ref().is_some_and(|d| d.offer_answer.is_some());
    let change = decision::decide(
        app.stage,
        current.as_ref().and_then(recorded).as_ref(),
        seen,
        outcome,
        note,
        confirm,
        answered,
    )
    .map_err(|e| {
        let field = match e {
            DecisionError::NeedsConfirmation { .. } => "decision-confirm",
            DecisionError::NoteTooLong => "decision-note",
            _ => "decision-outcome",
        };
        Error::invalid(field, e)
    })?;
    if !decisions::record(tx.exec(), id, c.cycle.id, outcome, note, seen, me, now).await? {
        return Err(Error::invalid(
            "decision-outcome",
            "Someone else changed this decision at the same moment; nothing was overwritten. Check it and decide again.",
        ));
    }
    if change == Change::First && !move_to_decided(tx.exec(), id, app.stage, me, now).await? {
        return Err(Error::invalid(
            "decision-outcome",
            "The application changed meanwhile; nothing was recorded. Check it and decide again.",
        ));
    }
    let what = match change {
        Change::First => "decided",
        Change::BeforeRelease | Change::Unchanged => "changed",
        Change::AfterRelease => "changed_after_release",
    };
    decisions::add_event(tx.exec(), id, what, outcome.as_str(), note, Some(me), now).await?;
    let mut decided = Decided::Held(outcome);
    if change == Change::AfterRelease {
        // The applicant was told the old decision: send the new one now.
        if let Some(message) = letters::refusal(tx.exec(), c.cycle.id, outcome).await? {
            return Err(Error::invalid("decision-outcome", message));
        }
        let version = current.map_or(1, |d| d.version) + 1;
        let deadline = match outcome {
            Outcome::Accepted => Some(deadline_in(tx.exec(), c.cycle.id, now).await?),
            _ => None,
        };
        let applicant = users::find(tx.exec(), app.applicant_id)
            .await?
            .ok_or(Error::NotFound)?;
        let program = programs::name_of(tx.exec(), c.cycle.program_id).await?;
        let letter = Letter {
            cycle: &c,
            program: &program,
            application: id,
            applicant_name: &applicant.name,
            applicant_email: &applicant.email,
            outcome,
            note,
            deadline,
            replacement: Some(version),
        };
        letters::queue(tx.exec(), &ctx.mail, &letter, now).await?;
        decisions::mark_released(tx.exec(), id, version, deadline, now).await?;
        decided = Decided::Replaced(outcome);
    }
    By::user(me, ip.as_deref())
        .audit(
            tx.exec(),
            "decision.record",
            &format!("application:{id}"),
            &format!("{what}: {}", outcome.as_str()),
            now,
        )
        .await?;
    tx.commit().await?;
    ctx.wake();
    Ok(decided)
}

/// Moves application `id` from `from` to decided; `false` when it changed
/// meanwhile.
async fn move_to_decided(
    ex: Exec<'_>,
    id: i64,
    from: Stage,
    by: UserId,
    now: DateTime<Utc>,
) -> Result<bool> {
    Ok(applications::move_stage(
        ex,
        id,
        from,
        Stage::Decided,
        Move::Decide,
        Some(by),
        Actor::Manager,
        "",
        now,
    )
    .await?)
}

/// Records the same decision for many applications of cycle `c` that have
/// none yet (from the ranking). Decisions already recorded are changed
/// one at a time, on the application's page, so a bulk action never
/// overwrites one. Returns how many were recorded and, for each refused,
/// why (`#id: reason`); an application of another cycle, or the manager's
/// own, is passed over in silence.
pub async fn decide_many(
    ctx: &Ctx,
    who: &Manager,
    ip: &ClientIp,
    c: &CycleWithForm,
    ids: &[i64],
    outcome: Outcome,
) -> Result<(usize, Vec<String>)> {
    let me = who.0.user().id;
    let by = By::user(me, ip.as_deref());
    let now = ctx.now();
    let mut done = 0;
    let mut refused = Vec::new();
    for id in ids {
        let mut tx = ctx.begin().await?;
        applications::lock(tx.exec(), *id).await?;
        let Some(app) = applications::find(tx.exec(), *id).await? else {
            continue;
        };
        if app.cycle_id != c.cycle.id || !manager_may_act_on(app.applicant_id, me) {
            continue;
        }
        let current = decisions::find(tx.exec(), *id).await?;
        if let Err(e) = decision::decide(
            app.stage,
            current.as_ref().and_then(recorded).as_ref(),
            None,
            outcome,
            "",
            false,
            false,
        ) {
            refused.push(format!("#{id}: {e}"));
            continue;
        }
        if !decisions::record(tx.exec(), *id, c.cycle.id, outcome, "", None, me, now).await?
            || !move_to_decided(tx.exec(), *id, app.stage, me, now).await?
        {
            refused.push(format!("#{id}: it changed meanwhile"));
            continue;
        }
        decisions::add_event(
            tx.exec(),
            *id,
            "decided",
            outcome.as_str(),
            "",
            Some(me),
            now,
        )
        .await?;
        by.audit(
            tx.exec(),
            "decision.record",
            &format!("application:{id}"),
            &format!("decided (bulk): {}", outcome.as_str()),
            now,
        )
        .await?;
        tx.commit().await?;
        done += 1;
    }
    Ok((done, refused))
}

/// How many decisions of cycle `cycle` (among `only`, when given) wait
/// for release, per outcome in [`Outcome::ALL`]'s order, but for `me`'s
/// own application: another manager releases that one.
pub async fn held_counts(
    ctx: &Ctx,
    me: UserId,
    cycle: i64,
    only: Option<&[i64]>,
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
    pub ids: Vec<i64>,
}

/// Releases cycle `cycle`'s held decisions of the chosen outcomes, if
/// their counts are still those the manager confirmed: each applicant is
/// sent one letter, in batches. Refused ([`Error::Invalid`], against
/// `outcomes` or `confirm`) when nothing is chosen, the counts are not
/// confirmed or changed since, or a chosen letter fails the check; then
/// nothing is released. Returns how many were released; audited per batch.
pub async fn release(
    ctx: &Ctx,
    who: &Manager,
    ip: &ClientIp,
    cycle: i64,
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
                note: &d.note,
                deadline: offer,
                replacement: None,
            };
            letters::queue(tx.exec(), &ctx.mail, &letter, now).await?;
            decisions::add_event(
                tx.exec(),
                d.application_id,
                "released",
                outcome.as_str(),
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
pub async fn promote(
    ctx: &Ctx,
    who: &Manager,
    ip: &ClientIp,
    cycle: i64,
    application: i64,
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
        Outcome::Accepted.as_str(),
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
