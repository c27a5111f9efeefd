//! A cycle's outcomes as its managers name them: the default accepted /
//! waitlisted / declined keep their meaning in the workflow and take the
//! labels given here, which every page and letter shows.

use crate::auth::guards::{ClientIp, Manager};
use crate::context::Ctx;
use crate::db::cycles::CycleWithForm;
use crate::db::outcomes;
use crate::domain::cycle::CycleId;
use crate::domain::workflow::outcomes::{
    is_default_key, next_extra_key, read_extra, read_labels, Outcomes,
};

use super::{access, By, Error, FormErrors, Result};

/// The ids of the fields of a new extra outcome: its name and meaning.
pub const NEW_LABEL: &str = "new-label";
pub const NEW_MEANING: &str = "new-meaning";

/// The id of the field holding outcome `key`'s label.
pub fn label_field(key: &str) -> String {
    format!("label-{key}")
}

/// Cycle `cycle`'s outcomes, for a page that has already checked who may
/// see the cycle.
#[tracing::instrument(skip_all, fields(cycle = %cycle))]
pub async fn labels(ctx: &Ctx, cycle: CycleId) -> Result<Outcomes> {
    let mut conn = ctx.conn().await?;
    Ok(outcomes::list(conn.exec(), cycle).await?)
}

/// Cycle `id` and its outcomes, if `who` manages its program.
#[tracing::instrument(skip_all, fields(id = %id))]
pub async fn for_manager(
    ctx: &Ctx,
    who: &Manager,
    id: CycleId,
) -> Result<(CycleWithForm, Outcomes)> {
    let c = access::cycle_for_manager(ctx, who, id).await?;
    let o = labels(ctx, id).await?;
    Ok((c, o))
}

/// Gives cycle `id`'s outcomes the labels `typed` (outcome key, label as
/// typed), every outcome at once. Refuses, next to its field, a blank
/// label, one over the length limit and one another outcome already has;
/// then nothing is stored. Returns how many labels changed (nothing is
/// written or audited when none did).
#[tracing::instrument(skip_all, fields(id = %id))]
pub async fn rename(
    ctx: &Ctx,
    who: &Manager,
    ip: &ClientIp,
    id: CycleId,
    typed: &[(String, String)],
) -> Result<usize> {
    access::cycle_for_manager(ctx, who, id).await?;
    let now = ctx.now();
    let mut tx = ctx.begin().await?;
    let current = outcomes::list(tx.exec(), id).await?;
    // Every outcome of the cycle, with its typed label (or its own when
    // the form left it out).
    let wanted: Vec<(&str, &str)> = current
        .all()
        .iter()
        .map(|o| {
            let label = typed
                .iter()
                .find(|(k, _)| *k == o.key)
                .map_or(o.label.as_str(), |(_, l)| l.as_str());
            (o.key.as_str(), label)
        })
        .collect();
    let read = match read_labels(&wanted) {
        Ok(read) => read,
        Err(refused) => {
            let mut errors = FormErrors::default();
            for (key, e) in refused {
                errors.add(&label_field(&key), e);
            }
            return Err(Error::Invalid(errors));
        }
    };
    let changed: Vec<(&str, &str, &str)> = current
        .all()
        .iter()
        .zip(&read)
        .filter(|(o, (_, label))| o.label != *label)
        .map(|(o, (key, label))| (key.as_str(), o.label.as_str(), label.as_str()))
        .collect();
    if changed.is_empty() {
        return Ok(0);
    }
    // Two outcomes may swap labels: move the changed ones out of the way
    // first so that no label is held twice between the two steps.
    for (key, _, _) in &changed {
        outcomes::set_label(tx.exec(), id, key, &format!("\u{1}{key}")).await?;
    }
    for (key, _, label) in &changed {
        if !outcomes::set_label(tx.exec(), id, key, label).await? {
            return Err(Error::NotFound);
        }
    }
    let detail = changed
        .iter()
        .map(|(key, from, to)| format!("{key}: “{from}” → “{to}”"))
        .collect::<Vec<_>>()
        .join("; ");
    By::user(who.0.user().id, ip.as_deref())
        .audit(
            tx.exec(),
            "cycle.outcomes",
            &format!("cycle:{id}"),
            &detail,
            now,
        )
        .await?;
    tx.commit().await?;
    Ok(changed.len())
}

/// Adds to cycle `id` an outcome of its own named `label` that acts as
/// the meaning `meaning` (as typed: accepted, waitlisted or declined).
/// Refuses, next to its field, a blank or over-long name, one another
/// outcome of the cycle has (ignoring case), an unknown meaning, and an
/// outcome beyond the tenth extra; then nothing is stored. Audited.
/// Returns the name stored.
#[tracing::instrument(skip_all, fields(id = %id))]
pub async fn add_extra(
    ctx: &Ctx,
    who: &Manager,
    ip: &ClientIp,
    id: CycleId,
    label: &str,
    meaning: &str,
) -> Result<String> {
    access::cycle_for_manager(ctx, who, id).await?;
    let now = ctx.now();
    let mut tx = ctx.begin().await?;
    let current = outcomes::list(tx.exec(), id).await?;
    let (label, meaning) = read_extra(&current, label, meaning).map_err(|(l, m)| {
        let mut errors = FormErrors::default();
        if let Some(e) = l {
            errors.add(NEW_LABEL, e);
        }
        if let Some(e) = m {
            errors.add(NEW_MEANING, e);
        }
        Error::Invalid(errors)
    })?;
    let key = next_extra_key(&current);
    outcomes::insert_extra(tx.exec(), id, &key, &label, meaning).await?;
    By::user(who.0.user().id, ip.as_deref())
        .audit(
            tx.exec(),
            "cycle.outcome_add",
            &format!("cycle:{id}"),
            &format!("{key}: “{label}”, acts as {}", meaning.as_str()),
            now,
        )
        .await?;
    tx.commit().await?;
    Ok(label)
}

/// Removes cycle `id`'s extra outcome `key`. Refused while a decision of
/// the cycle was recorded as it; a default outcome cannot be removed
/// (not found). Audited. Returns the name it had.
#[tracing::instrument(skip_all, fields(id = %id))]
pub async fn remove_extra(
    ctx: &Ctx,
    who: &Manager,
    ip: &ClientIp,
    id: CycleId,
    key: &str,
) -> Result<String> {
    access::cycle_for_manager(ctx, who, id).await?;
    if is_default_key(key) {
        return Err(Error::NotFound);
    }
    let now = ctx.now();
    let mut tx = ctx.begin().await?;
    let current = outcomes::list(tx.exec(), id).await?;
    let label = current.find(key).ok_or(Error::NotFound)?.label.clone();
    let used = outcomes::decisions_using(tx.exec(), id, key).await?;
    if used > 0 {
        return Err(Error::refused(format!(
            "“{label}” cannot be removed: {used} decision{} {} recorded as it. Change {} to another outcome first.",
            if used == 1 { "" } else { "s" },
            if used == 1 { "is" } else { "are" },
            if used == 1 { "it" } else { "them" },
        )));
    }
    if !outcomes::remove(tx.exec(), id, key).await? {
        return Err(Error::NotFound);
    }
    By::user(who.0.user().id, ip.as_deref())
        .audit(
            tx.exec(),
            "cycle.outcome_remove",
            &format!("cycle:{id}"),
            &format!("{key}: “{label}”"),
            now,
        )
        .await?;
    tx.commit().await?;
    Ok(label)
}
