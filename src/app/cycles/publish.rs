//! Opening a cycle to applicants (publishing it, optionally with its
//! opening time moved to now) and taking it back while nobody has started
//! an application in it.

use crate::auth::guards::{ClientIp, Manager};
use crate::context::Ctx;
use crate::db::{cycle_setup, cycles};
use crate::domain::cycle::CycleId;
use crate::domain::schedule::{self, DateField, Recorded};

use super::cycle_for_setup;
use crate::app::{By, Error, Result};

/// Publishes cycle `id`; with `open_now`, its opening time becomes now
/// (recorded as a date change). Returns what to tell the manager: when
/// it opens, or until when it is open. Refused when already published,
/// and when opening now would leave it past its closing date.
#[tracing::instrument(skip_all, fields(id = %id))]
pub async fn publish(
    ctx: &Ctx,
    who: &Manager,
    ip: &ClientIp,
    id: CycleId,
    open_now: bool,
) -> Result<String> {
    let found = cycle_for_setup(ctx, who, id).await?;
    super::refuse_if_archived(ctx, found.cycle.program_id).await?;
    let now = ctx.now();
    let by = who.0.user().id;
    let mut tx = ctx.begin().await?;
    cycles::lock(tx.exec(), id).await?;
    let mut c = cycles::find(tx.exec(), id)
        .await?
        .ok_or(Error::NotFound)?
        .cycle;
    if c.published {
        return Err(Error::refused("This cycle is already published."));
    }
    if open_now && c.opens_at > now {
        if c.closes_at <= now {
            return Err(Error::refused(
                "The closing date has passed: move it on the dates page first.",
            ));
        }
        let change = cycle_setup::NewChange {
            cycle: id,
            field: Recorded::Date(DateField::Opens),
            old: &schedule::stored(c.opens_at),
            new: &schedule::stored(now),
            time_zone: c.time_zone.name(),
            by,
        };
        cycle_setup::record_change(tx.exec(), &change, now).await?;
        cycle_setup::set_opens_at(tx.exec(), id, now).await?;
        c.opens_at = now;
    }
    cycle_setup::set_published(tx.exec(), id, true).await?;
    let said = if c.opens_at > now {
        format!(
            "“{}” is published: it opens on {} and applicants see it from then.",
            c.name,
            c.show(c.opens_at)
        )
    } else if c.closes_at > now {
        format!(
            "“{}” is open: applicants can apply until {}.",
            c.name,
            c.show(c.closes_at)
        )
    } else {
        format!(
            "“{}” is published, but it closed on {}.",
            c.name,
            c.show(c.closes_at)
        )
    };
    let detail = if open_now { "opened now" } else { "published" };
    By::user(by, ip.as_deref())
        .audit(
            tx.exec(),
            "cycle.publish",
            &format!("cycle:{id}"),
            detail,
            now,
        )
        .await?;
    tx.commit().await?;
    Ok(said)
}

/// Takes cycle `id` back from applicants. Refused once anyone has started
/// an application in it, and when it is not published.
#[tracing::instrument(skip_all, fields(id = %id))]
pub async fn unpublish(ctx: &Ctx, who: &Manager, ip: &ClientIp, id: CycleId) -> Result<String> {
    cycle_for_setup(ctx, who, id).await?;
    let now = ctx.now();
    let mut tx = ctx.begin().await?;
    cycles::lock(tx.exec(), id).await?;
    let c = cycles::find(tx.exec(), id)
        .await?
        .ok_or(Error::NotFound)?
        .cycle;
    if !c.published {
        return Err(Error::refused("This cycle is not published."));
    }
    let started = cycle_setup::application_count(tx.exec(), id).await?;
    if started > 0 {
        return Err(Error::refused(format!(
            "This cycle stays published: {started} application{s} {have} been started in it. \
             To stop new applications, move the closing date instead.",
            s = if started == 1 { "" } else { "s" },
            have = if started == 1 { "has" } else { "have" },
        )));
    }
    cycle_setup::set_published(tx.exec(), id, false).await?;
    By::user(who.0.user().id, ip.as_deref())
        .audit(
            tx.exec(),
            "cycle.unpublish",
            &format!("cycle:{id}"),
            "",
            now,
        )
        .await?;
    tx.commit().await?;
    Ok(format!(
        "“{}” is unpublished: applicants no longer see it.",
        c.name
    ))
}
