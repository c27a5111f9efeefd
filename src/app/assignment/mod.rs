//! Giving applications to reviewers and taking them back: by hand (one
//! reviewer to one or many applications), automatically ([`auto`]),
//! handing a review to another reviewer, taking a reviewer off, recording
//! a conflict, and reminding overdue reviewers now. Each reviewer gets one
//! digest mail per batch; every change is audited.

pub mod auto;

use crate::domain::cycle::CycleId;
use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};

use crate::auth::guards::{ClientIp, Manager};
use crate::context::Ctx;
use crate::db::assignments::{self, Candidate, ConflictSource, Removed, Reviewer};
use crate::db::cycles::CycleWithForm;
use crate::db::{applications, cycles, programs, reviews, Exec, Tx};
use crate::domain::access::manager_may_act_on;
use crate::domain::application::ApplicationId;
use crate::domain::cycle::Cycle;
use crate::domain::user::UserId;
use crate::domain::workflow::assignment::{detect_conflict, Detected, Person};
use crate::jobs::reminders::remind_overdue_reviewers;
use crate::mail::messages::{review_assigned, ReviewerAddress};

use super::{access, By, Error, Result};

/// A due date typed as YYYY-MM-DD, at 23:59 in the cycle's zone; it must
/// be later than `now`.
pub fn read_due(
    cycle: &Cycle,
    text: &str,
    now: DateTime<Utc>,
) -> std::result::Result<DateTime<Utc>, &'static str> {
    let date = NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| "Enter the due date, for example 2027-04-30.")?;
    let due = cycle
        .time_zone
        .from_local_datetime(&date.and_time(NaiveTime::from_hms_opt(23, 59, 0).unwrap_or_default()))
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .ok_or("That date does not exist in the cycle’s time zone. Choose another.")?;
    if due <= now {
        return Err("The due date must be in the future.");
    }
    Ok(due)
}

/// The due date offered by default: two weeks from now, in the cycle's zone.
pub fn default_due(cycle: &Cycle, now: DateTime<Utc>) -> String {
    (now + chrono::Duration::days(14))
        .with_timezone(&cycle.time_zone)
        .format("%Y-%m-%d")
        .to_string()
}

/// Why `r` must not review `a`, found from who they are: their own
/// application, one they are a referee of, or one from their institution.
fn detected(r: &Reviewer, a: &Candidate, referees: &Referees) -> Option<Detected> {
    let emails: Vec<&str> = referees
        .get(&a.id)
        .map(|v| v.iter().map(String::as_str).collect())
        .unwrap_or_default();
    detect_conflict(
        Person {
            id: r.id,
            email: &r.email,
            institution: &r.institution,
        },
        Person {
            id: a.applicant_id,
            email: &a.applicant_email,
            institution: &a.institution,
        },
        &emails,
    )
}

/// The referees' addresses of each application.
type Referees = BTreeMap<ApplicationId, Vec<String>>;

async fn referees_of(
    ex: Exec<'_>,
    cycle: CycleId,
    only: Option<&[ApplicationId]>,
) -> Result<Referees> {
    let mut map = Referees::new();
    for (app, email) in assignments::referee_emails(ex, cycle, only).await? {
        map.entry(app).or_default().push(email);
    }
    Ok(map)
}

/// One batch of new assignments, as written.
struct Batch<'a> {
    cycle: &'a CycleWithForm,
    /// The manager who assigns.
    manager: UserId,
    by: By<'a>,
    pairs: &'a [(ApplicationId, UserId)],
    reviewers: &'a [Reviewer],
    due: DateTime<Utc>,
    now: DateTime<Utc>,
}

/// Writes new assignments, one audit entry each, and one digest mail per
/// reviewer; returns how many were new.
async fn write_batch(ctx: &Ctx, tx: &mut Tx, b: &Batch<'_>) -> Result<usize> {
    let c = b.cycle;
    let me = b.manager;
    let mut by_reviewer: BTreeMap<UserId, Vec<ApplicationId>> = BTreeMap::new();
    for (app, reviewer) in b.pairs {
        if assignments::assign(tx.exec(), *app, *reviewer, c.cycle.id, me, b.due, b.now).await? {
            by_reviewer.entry(*reviewer).or_default().push(*app);
            let detail = format!("reviewer {reviewer}, due {}", c.cycle.show(b.due));
            b.by.audit(
                tx.exec(),
                "assignment.add",
                &format!("application:{app}"),
                &detail,
                b.now,
            )
            .await?;
        }
    }
    let program = programs::name_of(tx.exec(), c.cycle.program_id).await?;
    let batch = b.now.timestamp_micros();
    for (reviewer, apps) in &by_reviewer {
        let Some(r) = b.reviewers.iter().find(|r| r.id == *reviewer) else {
            continue;
        };
        let to = ReviewerAddress {
            id: r.id,
            name: &r.name,
            email: &r.email,
        };
        review_assigned(
            tx.exec(),
            &ctx.mail,
            &to,
            batch,
            &program,
            &c.cycle.name,
            apps,
            &c.cycle.show(b.due),
            b.now,
        )
        .await?;
    }
    Ok(by_reviewer.values().map(Vec::len).sum())
}

/// What assigning one reviewer by hand did.
#[derive(Debug)]
pub struct Assigned {
    pub reviewer_name: String,
    /// New assignments made.
    pub added: usize,
    /// Applications the reviewer already had.
    pub already: usize,
    /// `#id …why`, one per application left alone.
    pub refused: Vec<String>,
}

impl Assigned {
    /// Whether every application asked for was assigned (or already was).
    pub fn is_complete(&self) -> bool {
        self.refused.is_empty()
    }

    /// What the manager is told.
    pub fn message(&self) -> String {
        let mut message = format!(
            "{} assigned to {} application{}.",
            self.reviewer_name,
            self.added,
            if self.added == 1 { "" } else { "s" }
        );
        if self.already > 0 {
            message.push_str(&format!(
                " {} already had them.",
                if self.already == 1 {
                    "One was"
                } else {
                    "Some were"
                }
            ));
        }
        if !self.refused.is_empty() {
            message.push_str(&format!(" Not assigned: {}.", self.refused.join("; ")));
        }
        message
    }
}

/// Assigns reviewer `reviewer` to `ids` of cycle `c`, due `due`. Each
/// application that is not in review, or with which the reviewer has a
/// recorded or detected conflict, is named and left alone; refuses a
/// person who is not a reviewer of the program.
async fn assign_in(
    ctx: &Ctx,
    who: &Manager,
    ip: &ClientIp,
    c: &CycleWithForm,
    ids: &[ApplicationId],
    reviewer: UserId,
    due: DateTime<Utc>,
) -> Result<Assigned> {
    let now = ctx.now();
    let mut tx = ctx.begin().await?;
    cycles::lock(tx.exec(), c.cycle.id).await?;
    let reviewers = assignments::reviewers_of(tx.exec(), c.cycle.program_id).await?;
    let Some(r) = reviewers.iter().find(|r| r.id == reviewer) else {
        return Err(Error::refused(
            "That person is not a reviewer of this program.",
        ));
    };
    let candidates = assignments::candidates(tx.exec(), c.cycle.id, Some(ids)).await?;
    let recorded: BTreeSet<(ApplicationId, UserId)> =
        assignments::conflicts_in(tx.exec(), c.cycle.id)
            .await?
            .into_iter()
            .collect();
    let referees = referees_of(tx.exec(), c.cycle.id, Some(ids)).await?;
    let mut refused = Vec::new();
    let mut pairs = Vec::new();
    let me = who.0.user().id;
    for app in ids {
        let Some(a) = candidates
            .iter()
            .find(|a| a.id == *app && manager_may_act_on(a.applicant_id, me))
        else {
            refused.push(format!("#{app} is not in review"));
            continue;
        };
        let why = match detected(r, a, &referees) {
            Some(Detected::OwnApplication) => "is the applicant",
            Some(Detected::Referee) => "is one of the applicant's referees",
            _ if recorded.contains(&(a.id, r.id)) => "has a recorded conflict",
            Some(Detected::SameInstitution) => "is at the applicant's institution",
            None => {
                pairs.push((a.id, r.id));
                continue;
            }
        };
        refused.push(format!("#{app}: {} {why}", r.name));
    }
    let batch = Batch {
        cycle: c,
        manager: me,
        by: By::user(me, ip.as_deref()),
        pairs: &pairs,
        reviewers: &reviewers,
        due,
        now,
    };
    let added = write_batch(ctx, &mut tx, &batch).await?;
    tx.commit().await?;
    ctx.wake();
    Ok(Assigned {
        reviewer_name: r.name.clone(),
        added,
        already: pairs.len() - added,
        refused,
    })
}

/// Assigns reviewer `reviewer` (`None`: none chosen) to application `id`,
/// due on the date `due` typed. Refuses a missing reviewer or date, and
/// says which conflict keeps the reviewer away (see [`Assigned`]).
#[tracing::instrument(skip_all, fields(id = %id))]
pub async fn assign_one(
    ctx: &Ctx,
    who: &Manager,
    ip: &ClientIp,
    id: ApplicationId,
    reviewer: Option<UserId>,
    due: &str,
) -> Result<Assigned> {
    let (_, c) = access::application_for_manager(ctx, who, id).await?;
    let reviewer = reviewer.ok_or_else(|| Error::refused("Choose the reviewer to assign."))?;
    let due = read_due(&c.cycle, due, ctx.now()).map_err(Error::refused)?;
    assign_in(ctx, who, ip, &c, &[id], reviewer, due).await
}

/// Assigns reviewer `reviewer` (`None`: none chosen) to the applications
/// `ids` of cycle `cycle`, due on the date `due` typed; as
/// [`assign_one`], for each.
#[tracing::instrument(skip_all, fields(cycle = %cycle))]
pub async fn assign_many(
    ctx: &Ctx,
    who: &Manager,
    ip: &ClientIp,
    cycle: CycleId,
    ids: &[ApplicationId],
    reviewer: Option<UserId>,
    due: &str,
) -> Result<Assigned> {
    let c = access::cycle_for_manager(ctx, who, cycle).await?;
    let reviewer = reviewer.ok_or_else(|| Error::refused("Choose the reviewer to assign."))?;
    let due = read_due(&c.cycle, due, ctx.now()).map_err(Error::refused)?;
    assign_in(ctx, who, ip, &c, ids, reviewer, due).await
}

/// Hands reviewer `from`'s assignment on application `id` to reviewer
/// `to`, keeping the due date (at least a day from now). The new reviewer
/// is assigned first, with the checks of any assignment; only then is the
/// old one taken off. Refuses a missing choice and a `from` who is no
/// longer assigned.
#[tracing::instrument(skip_all, fields(id = %id))]
pub async fn reassign(
    ctx: &Ctx,
    who: &Manager,
    ip: &ClientIp,
    id: ApplicationId,
    from: Option<UserId>,
    to: Option<UserId>,
) -> Result<()> {
    let (_, c) = access::application_for_manager(ctx, who, id).await?;
    let (Some(from), Some(to)) = (from, to) else {
        return Err(Error::refused("Choose who should take over the review."));
    };
    let current = {
        let mut conn = ctx.conn().await?;
        assignments::find(conn.exec(), id, from).await?
    };
    let Some(current) = current else {
        return Err(Error::refused(
            "That reviewer is no longer assigned to this application.",
        ));
    };
    let now = ctx.now();
    let due = current.due_at.max(now + chrono::Duration::days(1));
    let assigned = assign_in(ctx, who, ip, &c, &[id], to, due).await?;
    if !assigned.is_complete() {
        return Err(Error::refused(assigned.message()));
    }
    let mut tx = ctx.begin().await?;
    let me = who.0.user().id;
    if assignments::remove(tx.exec(), id, from, Some(me), now).await? != Removed::Nothing {
        reviews::recompute_z(tx.exec(), c.cycle.id, from).await?;
    }
    By::user(who.0.user().id, ip.as_deref())
        .audit(
            tx.exec(),
            "assignment.reassign",
            &format!("application:{id}"),
            &format!("reviewer {from} -> {to}"),
            now,
        )
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Takes reviewer `reviewer` (`None`: none chosen) off application `id`
/// and recomputes their normalised scores. A reviewer without a
/// submitted review goes with their draft; one who submitted needs
/// `confirmed` (the manager was told the review stays on the record),
/// and then the assignment and the review are kept on the record, out of
/// every figure (`Removal::NeedsConfirmation` without it, nothing
/// changed). Refuses a reviewer who was not assigned.
#[tracing::instrument(skip_all, fields(id = %id))]
pub async fn unassign(
    ctx: &Ctx,
    who: &Manager,
    ip: &ClientIp,
    id: ApplicationId,
    reviewer: Option<UserId>,
    confirmed: bool,
) -> Result<Removal> {
    let (_, c) = access::application_for_manager(ctx, who, id).await?;
    let reviewer = reviewer.ok_or_else(|| Error::refused("Choose the reviewer to remove."))?;
    let now = ctx.now();
    let mut tx = ctx.begin().await?;
    if !confirmed && assignments::has_submitted(tx.exec(), id, reviewer).await? {
        return Ok(Removal::NeedsConfirmation);
    }
    let removed = assignments::remove(tx.exec(), id, reviewer, Some(who.0.user().id), now).await?;
    if removed == Removed::Nothing {
        return Err(Error::refused(
            "That reviewer was not assigned to this application.",
        ));
    }
    reviews::recompute_z(tx.exec(), c.cycle.id, reviewer).await?;
    let kept = removed == Removed::KeptOnRecord;
    By::user(who.0.user().id, ip.as_deref())
        .audit(
            tx.exec(),
            "assignment.remove",
            &format!("application:{id}"),
            &if kept {
                format!("reviewer {reviewer}; submitted review kept on the record, not counted")
            } else {
                format!("reviewer {reviewer}")
            },
            now,
        )
        .await?;
    tx.commit().await?;
    Ok(if kept {
        Removal::KeptOnRecord
    } else {
        Removal::Removed
    })
}

/// What [`unassign`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Removal {
    /// The reviewer submitted a review: nothing changed until the manager
    /// confirms, having been told the review stays on the record.
    NeedsConfirmation,
    /// The reviewer (and any draft) is off the application.
    Removed,
    /// The reviewer is off the panel; their review is kept on the record,
    /// not counted.
    KeptOnRecord,
}

/// Records that reviewer `reviewer` (`None`: none chosen) must not review
/// application `id`, for `reason`, withdrawing any assignment. Refuses a
/// missing reviewer or reason, and a person who is not a reviewer of the
/// program.
#[tracing::instrument(skip_all, fields(id = %id))]
pub async fn record_conflict(
    ctx: &Ctx,
    who: &Manager,
    ip: &ClientIp,
    id: ApplicationId,
    reviewer: Option<UserId>,
    reason: &str,
) -> Result<()> {
    let (_, c) = access::application_for_manager(ctx, who, id).await?;
    let reviewer = reviewer.ok_or_else(|| Error::refused("Choose the reviewer in conflict."))?;
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(Error::refused("Say what the conflict is; it is recorded."));
    }
    let now = ctx.now();
    let mut tx = ctx.begin().await?;
    applications::lock(tx.exec(), id).await?;
    let reviewers = assignments::reviewers_of(tx.exec(), c.cycle.program_id).await?;
    if !reviewers.iter().any(|r| r.id == reviewer) {
        return Err(Error::refused(
            "That person is not a reviewer of this program.",
        ));
    }
    let me = who.0.user().id;
    assignments::record_conflict(
        tx.exec(),
        id,
        reviewer,
        ConflictSource::Recorded,
        reason,
        me,
        now,
    )
    .await?;
    reviews::recompute_z(tx.exec(), c.cycle.id, reviewer).await?;
    By::user(me, ip.as_deref())
        .audit(
            tx.exec(),
            "conflict.record",
            &format!("application:{id}"),
            &format!("reviewer {reviewer}: {reason}"),
            now,
        )
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Queues a reminder to every reviewer with overdue reviews in cycle
/// `cycle` who has not been reminded today; returns how many were.
#[tracing::instrument(skip_all, fields(cycle = %cycle))]
pub async fn remind_overdue(
    ctx: &Ctx,
    who: &Manager,
    ip: &ClientIp,
    cycle: CycleId,
) -> Result<usize> {
    access::cycle_for_manager(ctx, who, cycle).await?;
    let now = ctx.now();
    let mut tx = ctx.begin().await?;
    let queued = remind_overdue_reviewers(tx.exec(), &ctx.mail, Some(cycle), now).await?;
    By::user(who.0.user().id, ip.as_deref())
        .audit(
            tx.exec(),
            "review.remind",
            &format!("cycle:{cycle}"),
            &format!("{queued} reminders"),
            now,
        )
        .await?;
    tx.commit().await?;
    ctx.wake();
    Ok(queued)
}

#[cfg(test)]
mod tests {
    use super::Assigned;

    #[test]
    fn a_manual_assignment_says_what_was_new_had_and_refused() {
        let done = Assigned {
            reviewer_name: "Rui".into(),
            added: 1,
            already: 2,
            refused: vec![
                "#7 is not in review".into(),
                "#8: Rui is the applicant".into(),
            ],
        };
        assert!(!done.is_complete());
        assert_eq!(
            done.message(),
            "Rui assigned to 1 application. Some were already had them. \
             Not assigned: #7 is not in review; #8: Rui is the applicant."
        );
        let all = Assigned {
            reviewer_name: "Rui".into(),
            added: 0,
            already: 1,
            refused: Vec::new(),
        };
        assert!(all.is_complete());
        assert_eq!(
            all.message(),
            "Rui assigned to 0 applications. One was already had them."
        );
    }
}
