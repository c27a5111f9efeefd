//! Decisions: recorded one at a time (with the version the manager saw, so
//! two managers never overwrite each other silently) or in bulk from the
//! ranking, and held until released ([`super::release`]); a change after
//! release sends a replacement letter ([`super::letters`]).

use crate::domain::cycle::CycleId;
use chrono::{DateTime, Utc};

use super::letters::{self, Letter};
use super::{access, By, Error, Result};
use crate::auth::guards::{ClientIp, Manager};
use crate::context::Ctx;
use crate::db::cycles::CycleWithForm;
use crate::db::{applications, cycles, decisions, programs, users, Exec};
use crate::domain::access::manager_may_act_on;
use crate::domain::application::ApplicationId;
use crate::domain::user::UserId;
use crate::domain::workflow::decision::{self, Change, DecisionError, Outcome, Recorded};
use crate::domain::workflow::outcomes::is_default_key;
use crate::domain::workflow::stage::{Actor, Move, Stage};

/// The stored decision in the domain's terms.
fn recorded(d: &decisions::Decision) -> Recorded {
    Recorded {
        outcome: d.outcome,
        version: d.version,
        released: d.released_at.is_some(),
    }
}

/// The accept-by date of an offer of cycle `cycle` released `now`.
pub(super) async fn deadline_in(
    ex: Exec<'_>,
    cycle: CycleId,
    now: DateTime<Utc>,
) -> Result<DateTime<Utc>> {
    let days = cycles::offer_days(ex, cycle).await?;
    Ok(now + chrono::Duration::days(days))
}

/// The accept-by date of an offer of cycle `cycle` released now.
#[tracing::instrument(skip_all, fields(cycle = %cycle))]
pub async fn offer_deadline(ctx: &Ctx, cycle: CycleId) -> Result<DateTime<Utc>> {
    let mut conn = ctx.conn().await?;
    deadline_in(conn.exec(), cycle, ctx.now()).await
}

/// A decision as the manager typed it on the application's page.
#[derive(Debug, Clone)]
pub struct Decision {
    /// The key of the outcome chosen, one of the cycle's (a default
    /// outcome's key is its meaning's name).
    pub outcome: String,
    pub note: String,
    /// The decision's version the manager saw (`None`: there was none).
    pub seen: Option<i64>,
    /// The manager confirmed a change that needs confirming.
    pub confirm: bool,
}

/// What recording a decision did, with the outcome's label in its cycle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decided {
    /// Recorded and held until the manager releases decisions.
    Held(Outcome, String),
    /// Changed after release: the applicant is sent a replacement letter.
    Replaced(Outcome, String),
}

/// Records or changes application `id`'s decision. Refused
/// ([`Error::Invalid`], against the field it is about) when the domain
/// refuses the change, when someone else changed it at the same moment,
/// and when a change after release cannot be sent because the cycle's
/// letter fails the check; nothing is recorded then. Audited.
#[tracing::instrument(skip_all, fields(id = %id))]
pub async fn decide(
    ctx: &Ctx,
    who: &Manager,
    ip: &ClientIp,
    id: ApplicationId,
    input: Decision,
) -> Result<Decided> {
    let (app, c) = access::application_for_manager(ctx, who, id).await?;
    let Decision {
        outcome: chosen,
        note,
        seen,
        confirm,
    } = input;
    let note = note.trim();
    let now = ctx.now();
    let me = who.0.user().id;
    let mut tx = ctx.begin().await?;
    applications::lock(tx.exec(), id).await?;
    let labels = crate::db::outcomes::list(tx.exec(), c.cycle.id).await?;
    let Some(picked) = labels.find(chosen.trim()) else {
        return Err(Error::invalid("decision-outcome", "Choose the decision."));
    };
    let outcome = picked.meaning;
    // A default outcome is stored as its meaning alone.
    let key = (!is_default_key(&picked.key)).then(|| picked.key.clone());
    let key = key.as_deref();
    let current = decisions::find(tx.exec(), id).await?;
    let answered = current.as_ref().is_some_and(|d| d.offer_answer.is_some());
    let change = decision::decide(
        app.stage,
        current.as_ref().map(recorded).as_ref(),
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
    // The same meaning under another of the cycle's outcomes is a change
    // the applicant, once told, is sent a letter about.
    let change = match &current {
        Some(d)
            if change == Change::Unchanged
                && d.outcome_key.as_deref() != key
                && d.released_at.is_some() =>
        {
            if !confirm {
                return Err(Error::invalid(
                    "decision-confirm",
                    DecisionError::NeedsConfirmation {
                        current: d.outcome.label(),
                    },
                ));
            }
            Change::AfterRelease
        }
        _ => change,
    };
    if !decisions::record(tx.exec(), id, c.cycle.id, outcome, key, note, seen, me, now).await? {
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
    decisions::add_event(tx.exec(), id, what, outcome, key, note, Some(me), now).await?;
    let label = labels.name(outcome, key).to_owned();
    let mut decided = Decided::Held(outcome, label.clone());
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
            key,
            note,
            deadline,
            replacement: Some(version),
        };
        letters::queue(tx.exec(), &ctx.mail, &letter, now).await?;
        decisions::mark_released(tx.exec(), id, version, deadline, now).await?;
        decided = Decided::Replaced(outcome, label);
    }
    By::user(me, ip.as_deref())
        .audit(
            tx.exec(),
            "decision.record",
            &format!("application:{id}"),
            &format!("{what}: {}", key.unwrap_or(outcome.as_str())),
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
    id: ApplicationId,
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
#[tracing::instrument(skip_all)]
pub async fn decide_many(
    ctx: &Ctx,
    who: &Manager,
    ip: &ClientIp,
    c: &CycleWithForm,
    ids: &[ApplicationId],
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
            current.as_ref().map(recorded).as_ref(),
            None,
            outcome,
            "",
            false,
            false,
        ) {
            refused.push(format!("#{id}: {e}"));
            continue;
        }
        if !decisions::record(tx.exec(), *id, c.cycle.id, outcome, None, "", None, me, now).await?
            || !move_to_decided(tx.exec(), *id, app.stage, me, now).await?
        {
            refused.push(format!("#{id}: it changed meanwhile"));
            continue;
        }
        decisions::add_event(tx.exec(), *id, "decided", outcome, None, "", Some(me), now).await?;
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
