//! Creating a cycle for a program: its name, zone, dates and grace period
//! as typed, the starter form of the program's kind, the program's seeded
//! rubric (or the starter rubric), and the default letters and review
//! settings. It starts unpublished.

use crate::auth::guards::{ClientIp, Manager};
use crate::context::Ctx;
use crate::db::{cycle_setup, cycles, programs};
use crate::domain::cycle::CycleId;
use crate::domain::program::{Program, ProgramId};
use crate::domain::starter;

use super::{may_set_up, name_taken, read, CycleForm};
use crate::app::{By, Error, FormErrors, Result};

/// Program `id`, if `who` may set up its cycles.
#[tracing::instrument(skip_all, fields(id = %id))]
pub async fn program_for_setup(ctx: &Ctx, who: &Manager, id: ProgramId) -> Result<Program> {
    if !may_set_up(who, id) {
        return Err(Error::NotFound);
    }
    let mut conn = ctx.conn().await?;
    programs::find(conn.exec(), id)
        .await?
        .ok_or(Error::NotFound)
}

/// The rubric a new cycle of `program` starts with: the one seeding gives
/// the program's cycles, or the starter rubric for a program seeding does
/// not know.
pub fn starter_rubric(program: &Program) -> &'static str {
    crate::seed::SEEDED_RUBRICS
        .iter()
        .find(|(slug, _)| *slug == program.slug)
        .map_or(starter::RUBRIC, |(_, json)| json)
}

/// Creates an unpublished cycle of program `program_id` from the typed
/// form. `Invalid` for each mistake (see [`super::read`]) and for a name
/// the program already uses; nothing is stored then.
#[tracing::instrument(skip_all, fields(program_id = %program_id))]
pub async fn create(
    ctx: &Ctx,
    who: &Manager,
    ip: &ClientIp,
    program_id: ProgramId,
    form: &CycleForm<'_>,
) -> Result<CycleId> {
    let program = program_for_setup(ctx, who, program_id).await?;
    super::refuse_if_archived(ctx, program.id).await?;
    let typed = read(form).map_err(Error::Invalid)?;
    let now = ctx.now();
    let mut tx = ctx.begin().await?;
    if cycle_setup::name_taken(tx.exec(), program.id, &typed.name, None).await? {
        let mut errors = FormErrors::default();
        errors.add("name", name_taken(&typed.name));
        return Err(Error::Invalid(errors));
    }
    let new = cycles::NewCycle {
        program_id: program.id,
        name: &typed.name,
        time_zone: typed.zone.name(),
        opens_at: typed.schedule.opens_at,
        closes_at: typed.schedule.closes_at,
        letters_due_at: typed.schedule.letters_due_at,
        letters_grace_hours: typed.grace_hours,
        decision_planned_at: typed.schedule.decision_planned_at,
        blind_review: false,
        form_json: starter::form_for(program.kind.as_str()),
    };
    let id = cycles::insert(tx.exec(), &new, now).await?;
    cycle_setup::set_published(tx.exec(), id, false).await?;
    cycles::set_rubric(tx.exec(), id, starter_rubric(&program)).await?;
    let detail = format!("“{}” for {}", typed.name, program.name);
    By::user(who.0.user().id, ip.as_deref())
        .audit(
            tx.exec(),
            "cycle.create",
            &format!("cycle:{id}"),
            &detail,
            now,
        )
        .await?;
    tx.commit().await?;
    Ok(id)
}
