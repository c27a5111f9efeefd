//! Automatic assignment: K reviewers per application in review, loads
//! levelled, the cap kept, never a conflicted reviewer (recorded, or found
//! from who they are); previewed first, and applied only while the plan
//! is still the one previewed.

use crate::domain::cycle::CycleId;
use std::collections::BTreeSet;

use sha2::{Digest, Sha256};

use crate::auth::guards::{ClientIp, Manager};
use crate::context::Ctx;
use crate::db::assignments::{self, Candidate, Reviewer};
use crate::db::cycles::CycleWithForm;
use crate::domain::access::manager_may_act_on;
use crate::domain::application::ApplicationId;
use crate::domain::user::UserId;
use crate::domain::workflow::assignment::{plan, Input, Plan};

use super::{detected, read_due, referees_of, write_batch, Batch};
use crate::app::{access, By, Error, Result};

/// The automatic plan for a cycle as things stand, with its inputs.
pub struct Proposal {
    pub plan: Plan,
    pub reviewers: Vec<Reviewer>,
    /// How many applications the plan staffs.
    pub applications: usize,
    /// Names this plan, so that applying it can check nothing changed.
    pub fingerprint: String,
}

/// The plan for cycle `c`'s applications in review, but for the manager's
/// own (if they applied): another manager staffs that one.
#[tracing::instrument(skip_all)]
pub async fn propose(ctx: &Ctx, who: &Manager, c: &CycleWithForm) -> Result<Proposal> {
    let setup = access::review_setup(ctx, c.cycle.id).await?;
    let mut conn = ctx.conn().await?;
    let reviewers = assignments::reviewers_of(conn.exec(), c.cycle.program_id).await?;
    let me = who.0.user().id;
    let candidates: Vec<Candidate> = assignments::candidates(conn.exec(), c.cycle.id, None)
        .await?
        .into_iter()
        .filter(|a| manager_may_act_on(a.applicant_id, me))
        .collect();
    let referees = referees_of(conn.exec(), c.cycle.id, None).await?;
    let existing: BTreeSet<(ApplicationId, UserId)> =
        assignments::pairs_in(conn.exec(), c.cycle.id)
            .await?
            .into_iter()
            .collect();
    let mut conflicts: BTreeSet<(ApplicationId, UserId)> =
        assignments::conflicts_in(conn.exec(), c.cycle.id)
            .await?
            .into_iter()
            .collect();
    for a in &candidates {
        for r in &reviewers {
            if detected(r, a, &referees).is_some() {
                conflicts.insert((a.id, r.id));
            }
        }
    }
    let input = Input {
        applications: candidates.iter().map(|a| a.id).collect(),
        reviewers: reviewers.iter().map(|r| r.id).collect(),
        per_application: setup.settings.reviewers_per_application as usize,
        cap: setup.settings.reviewer_cap.map(|c| c as usize),
        conflicts,
        existing,
    };
    let plan = plan(&input);
    let mut hash = Sha256::new();
    for (a, r) in &plan.assign {
        hash.update(format!("{a}:{r};"));
    }
    let fingerprint = hash
        .finalize()
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok(Proposal {
        plan,
        reviewers,
        applications: candidates.len(),
        fingerprint,
    })
}

/// What applying the automatic plan did.
#[derive(Debug)]
pub struct AutoAssigned {
    /// New assignments made.
    pub added: usize,
    /// Applications still short of reviewers.
    pub short: usize,
}

impl AutoAssigned {
    /// What the manager is told.
    pub fn message(&self) -> String {
        let mut message = format!(
            "{} assignment{} made; each reviewer was sent one mail.",
            self.added,
            if self.added == 1 { "" } else { "s" }
        );
        if self.short > 0 {
            message.push_str(&format!(
                " {} application{} still short of reviewers.",
                self.short,
                if self.short == 1 { " is" } else { "s are" }
            ));
        }
        message
    }
}

/// Applies the automatic plan of cycle `cycle`, due on the date `due`
/// typed, if it is still the plan previewed (`fingerprint`). Refuses a bad
/// date, a changed plan and an empty one.
#[tracing::instrument(skip_all, fields(cycle = %cycle))]
pub async fn apply_plan(
    ctx: &Ctx,
    who: &Manager,
    ip: &ClientIp,
    cycle: CycleId,
    due: &str,
    fingerprint: &str,
) -> Result<AutoAssigned> {
    let c = access::cycle_for_manager(ctx, who, cycle).await?;
    let now = ctx.now();
    let due = read_due(&c.cycle, due, now).map_err(Error::refused)?;
    let proposal = propose(ctx, who, &c).await?;
    if proposal.fingerprint != fingerprint {
        return Err(Error::refused(
            "Applications or reviewers changed since the preview, so nothing was assigned. Check the new preview below.",
        ));
    }
    if proposal.plan.assign.is_empty() {
        return Err(Error::refused("There is nothing to assign."));
    }
    let mut tx = ctx.begin().await?;
    let batch = Batch {
        cycle: &c,
        manager: who.0.user().id,
        by: By::user(who.0.user().id, ip.as_deref()),
        pairs: &proposal.plan.assign,
        reviewers: &proposal.reviewers,
        due,
        now,
    };
    let added = write_batch(ctx, &mut tx, &batch).await?;
    tx.commit().await?;
    ctx.wake();
    Ok(AutoAssigned {
        added,
        short: proposal.plan.short.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::AutoAssigned;

    #[test]
    fn applying_the_plan_counts_what_is_still_short() {
        let done = AutoAssigned { added: 3, short: 1 };
        assert_eq!(
            done.message(),
            "3 assignments made; each reviewer was sent one mail. 1 application is still short of reviewers."
        );
    }
}
