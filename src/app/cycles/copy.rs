//! Copying a cycle to next year: the name with the year moved on and every
//! date a year later at the same wall-clock time are proposed; the copy
//! takes the form, rubric, letter templates, outcomes and review settings, nothing
//! else (no applications, assignments or decisions), and starts
//! unpublished.

use crate::auth::guards::{ClientIp, Manager};
use crate::context::Ctx;
use crate::db::cycles::CycleWithForm;
use crate::db::{cycle_setup, cycles};
use crate::domain::cycle::CycleId;
use crate::domain::schedule::{self, Schedule};

use super::edit::schedule_of;
use super::{cycle_for_setup, name_taken, read, CycleForm};
use crate::app::{By, Error, Result};

/// What the copy form proposes.
#[derive(Debug, Clone)]
pub struct Proposal {
    pub name: String,
    pub schedule: Schedule,
    pub grace_hours: i64,
}

/// Cycle `id` and the copy proposed for it, if `who` may set it up.
#[tracing::instrument(skip_all, fields(id = %id))]
pub async fn copy_proposal(
    ctx: &Ctx,
    who: &Manager,
    id: CycleId,
) -> Result<(CycleWithForm, Proposal)> {
    let c = cycle_for_setup(ctx, who, id).await?;
    let proposal = Proposal {
        name: schedule::next_name(&c.cycle.name),
        schedule: schedule_of(&c.cycle).a_year_later(c.cycle.time_zone),
        grace_hours: c.cycle.letters_grace.num_hours(),
    };
    Ok((c, proposal))
}

/// Creates a copy of cycle `id` in its program with the typed name, zone,
/// dates and grace period: its current form, rubric, letter templates,
/// review settings, days to answer an offer and reminders. `Invalid` for each mistake
/// and a name the program already uses; nothing is stored then.
#[tracing::instrument(skip_all, fields(id = %id))]
pub async fn copy(
    ctx: &Ctx,
    who: &Manager,
    ip: &ClientIp,
    id: CycleId,
    form: &CycleForm<'_>,
) -> Result<CycleId> {
    let source = cycle_for_setup(ctx, who, id).await?;
    super::refuse_if_archived(ctx, source.cycle.program_id).await?;
    let typed = read(form).map_err(Error::Invalid)?;
    let now = ctx.now();
    let by = who.0.user().id;
    let mut tx = ctx.begin().await?;
    let program = source.cycle.program_id;
    if cycle_setup::name_taken(tx.exec(), program, &typed.name, None).await? {
        return Err(Error::invalid("name", name_taken(&typed.name)));
    }
    let form_json = cycle_setup::form_json(tx.exec(), id).await?;
    let setup = cycles::review_setup(tx.exec(), id)
        .await?
        .ok_or(Error::NotFound)?;
    let offer_days = cycles::offer_days(tx.exec(), id).await?;
    let new = cycles::NewCycle {
        program_id: program,
        name: &typed.name,
        time_zone: typed.zone.name(),
        opens_at: typed.schedule.opens_at,
        closes_at: typed.schedule.closes_at,
        letters_due_at: typed.schedule.letters_due_at,
        letters_grace_hours: typed.grace_hours,
        decision_planned_at: typed.schedule.decision_planned_at,
        blind_review: source.cycle.blind_review,
        form_json: &form_json,
    };
    let copy = cycles::insert(tx.exec(), &new, now).await?;
    cycle_setup::set_published(tx.exec(), copy, false).await?;
    cycles::set_rubric(tx.exec(), copy, &setup.rubric_json).await?;
    cycles::set_review_settings(tx.exec(), copy, &setup.settings, source.cycle.blind_review)
        .await?;
    cycles::set_offer_days(tx.exec(), copy, offer_days).await?;
    let letters = cycle_setup::copy_letter_templates(tx.exec(), id, copy, by, now).await?;
    crate::db::outcomes::copy(tx.exec(), id, copy).await?;
    crate::db::applicant_reminders::copy(tx.exec(), id, copy, by, now).await?;
    let detail = format!(
        "“{}” copied from cycle:{id} “{}” (form, rubric, review settings, {letters} letter templates, reminders)",
        typed.name, source.cycle.name
    );
    By::user(by, ip.as_deref())
        .audit(
            tx.exec(),
            "cycle.copy",
            &format!("cycle:{copy}"),
            &detail,
            now,
        )
        .await?;
    tx.commit().await?;
    Ok(copy)
}
