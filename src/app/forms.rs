//! Changing a cycle's form while applications come in: each change is a
//! new version of the form, made in one transaction with the audit entry,
//! only from the version the manager saw (two managers editing at once:
//! the second is told and nothing of theirs is half-applied), and never
//! silently invalidating a submitted answer (such a change needs the
//! manager's confirmation; submitted applications keep their version).

use std::collections::{BTreeMap, HashSet};

use crate::auth::guards::{ClientIp, Manager};
use crate::context::Ctx;
use crate::db::form_versions::{self, Version};
use crate::db::{applications, cycles};
use crate::domain::application::ApplicationId;
use crate::domain::cycle::CycleId;
use crate::domain::form::FormDefinition;
use crate::domain::form_change::breaks;
use crate::domain::form_edit::Edit;

use super::{access, By, Error, FormErrors, Result};

/// What a manager is told when the form changed since they loaded it.
pub const CHANGED_MEANWHILE: &str =
    "Someone else changed this form meanwhile; here it is as it is now; make your change again.";

/// What the builder shows: the current form, its version, the question
/// keys that have answers, and the history.
pub struct Builder {
    pub form: FormDefinition,
    pub version: i64,
    /// Question keys answered (or with documents or referees) in some
    /// application: fixed.
    pub answered: HashSet<String>,
    pub versions: Vec<Version>,
}

/// The builder's view of cycle `id`'s form.
#[tracing::instrument(skip_all, fields(id = %id))]
pub async fn builder(ctx: &Ctx, who: &Manager, id: CycleId) -> Result<Builder> {
    let c = access::cycle_for_manager(ctx, who, id).await?;
    let mut conn = ctx.conn().await?;
    let answered = answered_keys(conn.exec(), id).await?;
    let versions = form_versions::all(conn.exec(), id).await?;
    Ok(Builder {
        form: c.form,
        version: c.form_version,
        answered,
        versions,
    })
}

async fn answered_keys(mut ex: crate::db::Exec<'_>, id: CycleId) -> Result<HashSet<String>> {
    let mut keys: HashSet<String> = applications::answered_keys(ex.reborrow(), id)
        .await?
        .into_iter()
        .collect();
    keys.extend(applications::attached_keys(ex, id).await?);
    Ok(keys)
}

/// A change that would make submitted answers invalid, for the manager to
/// confirm: the whole new form, and what it does.
#[derive(Debug, Clone)]
pub struct Impact {
    /// The version the change was made on.
    pub based_on: i64,
    /// The new form, as JSON to post back with the confirmation.
    pub proposed_json: String,
    pub summary: String,
    /// Submitted applications with an answer the change makes invalid.
    pub affected: usize,
    /// Each reason, with how many submitted applications it concerns.
    pub reasons: Vec<(String, usize)>,
}

/// What a change came to.
#[derive(Debug)]
pub enum Outcome {
    /// A new version, with its number and summary.
    Saved { version: i64, summary: String },
    /// The form is as it was: nothing stored.
    Unchanged,
    /// It would invalidate submitted answers: nothing stored; confirm.
    Confirm(Impact),
}

/// Applies `edit` to cycle `id`'s form, made on version `based_on`.
/// Refused with [`CHANGED_MEANWHILE`] when the form moved on since;
/// `Invalid` (by field) when the edit does not make a coherent form;
/// [`Outcome::Confirm`] (nothing stored) when, not yet `confirmed`, it
/// would make answers of submitted applications invalid.
#[tracing::instrument(skip_all, fields(id = %id))]
pub async fn change(
    ctx: &Ctx,
    who: &Manager,
    ip: &ClientIp,
    id: CycleId,
    based_on: i64,
    edit: &Edit,
    confirmed: bool,
) -> Result<Outcome> {
    access::cycle_for_manager(ctx, who, id).await?;
    let now = ctx.now();
    let mut tx = ctx.begin().await?;
    cycles::lock(tx.exec(), id).await?;
    let c = cycles::find(tx.exec(), id).await?.ok_or(Error::NotFound)?;
    if c.form_version != based_on {
        return Err(Error::refused(CHANGED_MEANWHILE));
    }
    let fixed = answered_keys(tx.exec(), id).await?;
    let (new, summary) = edit.apply(&c.form, &fixed).map_err(|problems| {
        let mut errors = FormErrors::default();
        for (field, message) in problems {
            errors.add(&field, message);
        }
        Error::Invalid(errors)
    })?;
    if new == c.form {
        return Ok(Outcome::Unchanged);
    }
    let json = serde_json::to_string_pretty(&new).map_err(anyhow::Error::from)?;
    if !confirmed {
        // On one line: it travels back in a hidden field.
        let compact = serde_json::to_string(&new).map_err(anyhow::Error::from)?;
        let versions: BTreeMap<i64, FormDefinition> = form_versions::all(tx.exec(), id)
            .await?
            .into_iter()
            .map(|v| (v.number, v.form))
            .collect();
        let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
        let mut affected = 0;
        let mut after = ApplicationId(0);
        loop {
            let batch = applications::submitted_answers_after(tx.exec(), id, after).await?;
            let Some(last) = batch.last() else { break };
            after = last.id;
            for a in &batch {
                let old = versions.get(&a.form_version).unwrap_or(&c.form);
                let found = breaks(old, &new, &a.answers);
                if !found.is_empty() {
                    affected += 1;
                }
                for r in found {
                    *reasons.entry(r).or_default() += 1;
                }
            }
        }
        if affected > 0 {
            return Ok(Outcome::Confirm(Impact {
                based_on,
                proposed_json: compact,
                summary,
                affected,
                reasons: reasons.into_iter().collect(),
            }));
        }
    }
    let number = form_versions::latest(tx.exec(), id).await?.max(based_on) + 1;
    let by = who.0.user().id;
    let recorded = if confirmed {
        format!("{summary} (applied to new answers only)")
    } else {
        summary.clone()
    };
    form_versions::insert(tx.exec(), id, number, &json, Some(by), &recorded, now).await?;
    if !form_versions::make_current(tx.exec(), id, based_on, number, &json).await? {
        return Err(Error::refused(CHANGED_MEANWHILE));
    }
    By::user(by, ip.as_deref())
        .audit(
            tx.exec(),
            "cycle.form",
            &format!("cycle:{id}"),
            &format!("version {number}: {recorded}"),
            now,
        )
        .await?;
    tx.commit().await?;
    Ok(Outcome::Saved {
        version: number,
        summary: recorded,
    })
}
