//! Loading what an actor asks for, with the domain's permission questions
//! asked on the way: a manager sees only cycles of programs they manage
//! and never their own application; an applicant only their own. Anything
//! the actor may not see is [`Error::NotFound`], so its existence is not
//! told either.

use crate::auth::guards::{Applicant, Manager};
use crate::context::Ctx;
use crate::db::applications::{self, Application};
use crate::db::cycles::{self, CycleWithForm, ReviewSetup};
use crate::db::{form_versions, programs};
use crate::domain::access::{applicant_may_open, manager_may_act_on};
use crate::domain::application::ApplicationId;
use crate::domain::cycle::CycleId;
use crate::domain::program::Program;
use crate::domain::workflow::stage::Stage;

use super::{Error, Result};

/// Cycle `id` with its form, if `who` manages its program.
#[tracing::instrument(skip_all, fields(id = %id))]
pub async fn cycle_for_manager(ctx: &Ctx, who: &Manager, id: CycleId) -> Result<CycleWithForm> {
    let mut conn = ctx.conn().await?;
    let c = cycles::find(conn.exec(), id)
        .await?
        .ok_or(Error::NotFound)?;
    if !who.0.roles().can_manage(c.cycle.program_id) {
        return Err(Error::NotFound);
    }
    Ok(c)
}

/// Application `id` and its cycle, if `who` manages its program, it is
/// submitted (a draft is the applicant's own) and it is not `who`'s own.
#[tracing::instrument(skip_all, fields(id = %id))]
pub async fn application_for_manager(
    ctx: &Ctx,
    who: &Manager,
    id: ApplicationId,
) -> Result<(Application, CycleWithForm)> {
    let app = {
        let mut conn = ctx.conn().await?;
        applications::find(conn.exec(), id)
            .await?
            .ok_or(Error::NotFound)?
    };
    if app.stage == Stage::Draft || !manager_may_act_on(app.applicant_id, who.0.user().id) {
        return Err(Error::NotFound);
    }
    let mut c = cycle_for_manager(ctx, who, app.cycle_id).await?;
    let mut conn = ctx.conn().await?;
    as_answered(conn.exec(), &app, &mut c).await?;
    Ok((app, c))
}

/// Puts in `c` the form version `app` is read against: the version its
/// answers were given under, except for a draft, which is answered against
/// the current form (and moves to it when its owner saves it).
#[tracing::instrument(skip_all)]
pub async fn as_answered(
    ex: crate::db::Exec<'_>,
    app: &Application,
    c: &mut CycleWithForm,
) -> Result<()> {
    if app.stage == Stage::Draft || app.form_version == c.form_version {
        return Ok(());
    }
    let version = form_versions::find(ex, app.cycle_id, app.form_version)
        .await?
        .ok_or_else(|| {
            anyhow::anyhow!(
                "application {}: form version {} is missing",
                app.id,
                app.form_version
            )
        })?;
    c.form = version.form;
    c.form_version = version.number;
    Ok(())
}

/// The review settings and rubric of cycle `id`.
#[tracing::instrument(skip_all, fields(cycle = %cycle))]
pub async fn review_setup(ctx: &Ctx, cycle: CycleId) -> Result<ReviewSetup> {
    let mut conn = ctx.conn().await?;
    cycles::review_setup(conn.exec(), cycle)
        .await?
        .ok_or(Error::NotFound)
}

/// An application with its cycle, form and program, as its owner sees it.
pub struct Owned {
    pub application: Application,
    pub cycle: CycleWithForm,
    pub program: Program,
}

/// Application `id`, if `who` is its applicant.
#[tracing::instrument(skip_all, fields(id = %id))]
pub async fn owned_application(ctx: &Ctx, who: &Applicant, id: ApplicationId) -> Result<Owned> {
    let mut conn = ctx.conn().await?;
    let application = applications::find(conn.exec(), id)
        .await?
        .ok_or(Error::NotFound)?;
    if !applicant_may_open(application.applicant_id, who.0.user().id) {
        return Err(Error::NotFound);
    }
    let mut cycle = cycles::find(conn.exec(), application.cycle_id)
        .await?
        .ok_or(Error::NotFound)?;
    as_answered(conn.exec(), &application, &mut cycle).await?;
    let program = programs::find(conn.exec(), cycle.cycle.program_id)
        .await?
        .ok_or(Error::NotFound)?;
    Ok(Owned {
        application,
        cycle,
        program,
    })
}
