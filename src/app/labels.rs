//! Labels: a cycle's managers make them, put them on applications and
//! filter the list by them. Names no page or response type.

use super::{access, By, Error, FormErrors, Result};
use crate::auth::guards::{ClientIp, Manager};
use crate::context::Ctx;
use crate::db::labels;
use crate::domain::application::ApplicationId;
use crate::domain::cycle::CycleId;

/// The longest label name, in characters.
pub const MAX_NAME_CHARS: usize = 40;

/// Makes label `name` in cycle `id`; `Invalid` on the `name` field when it
/// is empty, too long or the cycle has it already.
#[tracing::instrument(skip_all, fields(id = %id))]
pub async fn create(
    ctx: &Ctx,
    who: &Manager,
    ip: &ClientIp,
    id: CycleId,
    name: &str,
) -> Result<String> {
    access::cycle_for_manager(ctx, who, id).await?;
    let name: String = name.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut errors = FormErrors::default();
    if name.is_empty() {
        errors.add("name", "Name the label.");
    } else if name.chars().count() > MAX_NAME_CHARS {
        errors.add(
            "name",
            format!("A label’s name can be at most {MAX_NAME_CHARS} characters."),
        );
    } else if name.chars().any(char::is_control) {
        errors.add("name", "A label’s name cannot hold control characters.");
    }
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    let now = ctx.now();
    let mut tx = ctx.begin().await?;
    if labels::create(tx.exec(), id, &name, now).await?.is_none() {
        errors.add(
            "name",
            format!("This cycle already has the label “{name}”."),
        );
        return Err(Error::Invalid(errors));
    }
    By::user(who.0.user().id, ip.as_deref())
        .audit(
            tx.exec(),
            "label.create",
            &format!("cycle:{id}"),
            &name,
            now,
        )
        .await?;
    tx.commit().await?;
    Ok(name)
}

/// Removes label `label` of cycle `id` from the cycle and every
/// application; its name.
#[tracing::instrument(skip_all, fields(id = %id))]
pub async fn remove(
    ctx: &Ctx,
    who: &Manager,
    ip: &ClientIp,
    id: CycleId,
    label: i64,
) -> Result<String> {
    access::cycle_for_manager(ctx, who, id).await?;
    let now = ctx.now();
    let mut tx = ctx.begin().await?;
    let name = labels::remove(tx.exec(), id, label)
        .await?
        .ok_or(Error::NotFound)?;
    By::user(who.0.user().id, ip.as_deref())
        .audit(
            tx.exec(),
            "label.remove",
            &format!("cycle:{id}"),
            &name,
            now,
        )
        .await?;
    tx.commit().await?;
    Ok(name)
}

/// Gives application `id` exactly the labels `chosen` of its cycle;
/// returns their names.
#[tracing::instrument(skip_all, fields(id = %id))]
pub async fn set(
    ctx: &Ctx,
    who: &Manager,
    ip: &ClientIp,
    id: ApplicationId,
    chosen: &[i64],
) -> Result<Vec<String>> {
    let (app, _) = access::application_for_manager(ctx, who, id).await?;
    let now = ctx.now();
    let mut tx = ctx.begin().await?;
    let names = labels::set(tx.exec(), app.cycle_id, id, chosen).await?;
    let detail = if names.is_empty() {
        "no label".to_owned()
    } else {
        names.join(", ")
    };
    By::user(who.0.user().id, ip.as_deref())
        .audit(
            tx.exec(),
            "label.set",
            &format!("application:{id}"),
            &detail,
            now,
        )
        .await?;
    tx.commit().await?;
    Ok(names)
}

/// What a bulk labelling did: the label's name, how many applications
/// got it, and how many did not (they had it already).
pub struct Added {
    pub name: String,
    pub added: usize,
    pub already: usize,
}

/// Puts label `label` on the applications `ids` of cycle `id` (the
/// manager's own left out), each recorded on its application.
#[tracing::instrument(skip_all, fields(id = %id))]
pub async fn add_many(
    ctx: &Ctx,
    who: &Manager,
    ip: &ClientIp,
    id: CycleId,
    ids: &[ApplicationId],
    label: Option<i64>,
) -> Result<Added> {
    access::cycle_for_manager(ctx, who, id).await?;
    let me = who.0.user().id;
    let now = ctx.now();
    let mut tx = ctx.begin().await?;
    let names = labels::names_of_cycle(tx.exec(), id).await?;
    let Some((label, name)) = label.and_then(|l| names.into_iter().find(|(x, _)| *x == l)) else {
        return Err(Error::refused("Choose the label to add."));
    };
    let added = labels::add_to(tx.exec(), id, label, ids, me).await?;
    for a in &added {
        By::user(me, ip.as_deref())
            .audit(
                tx.exec(),
                "label.add",
                &format!("application:{a}"),
                &name,
                now,
            )
            .await?;
    }
    tx.commit().await?;
    Ok(Added {
        name,
        already: ids.len() - added.len(),
        added: added.len(),
    })
}
