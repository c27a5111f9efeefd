//! Reminders: to referees whose letters are due soon, and to reviewers
//! whose reviews are overdue.

use crate::context::Ctx;
use crate::db;
use crate::domain::cycle::CycleId;
use crate::mail::Mail;

/// Referees who have not answered are reminded this long before letters are due.
pub const REMINDER_AHEAD: chrono::Duration = chrono::Duration::days(7);
/// Referees reminded per round.
const BATCH: i64 = 20;

/// Queues one reminder, with a fresh link, to each referee who has not
/// answered and whose letter is due within [`REMINDER_AHEAD`]; returns how
/// many were queued. Each referee is reminded once, unless they stopped
/// reminders.
#[tracing::instrument(skip_all)]
pub async fn remind_referees(ctx: &Ctx) -> anyhow::Result<usize> {
    let now = ctx.now();
    let due = {
        let mut conn = ctx.conn().await?;
        db::referees::due_reminders(conn.exec(), now, now + REMINDER_AHEAD, BATCH).await?
    };
    let mut queued = 0;
    for r in &due {
        let tz = crate::domain::cycle::parse_zone(&r.time_zone).unwrap_or(chrono_tz::UTC);
        let when = crate::domain::cycle::show_in(tz, r.letters_due_at);
        let secret = crate::auth::token::generate();
        let mut tx = ctx.begin().await?;
        let expires = match db::referees::find(tx.exec(), r.id).await? {
            Some(f) => f.token_expires_at,
            None => continue,
        };
        if !db::referees::renew_token(
            tx.exec(),
            r.id,
            &crate::auth::token::hash(&secret),
            expires,
            now,
        )
        .await?
        {
            continue;
        }
        let message = crate::mail::messages::RefereeRequest {
            referee_name: &r.name,
            applicant_name: &r.applicant_name,
            program: &r.program_name,
            due: &when,
            support: crate::domain::program::ProgramKind::parse(&r.program_kind)
                == Some(crate::domain::program::ProgramKind::Nomination),
        };
        crate::mail::messages::referee_request(
            tx.exec(),
            &ctx.mail,
            crate::mail::messages::RefereeMessage::Reminder,
            r.id,
            &r.email,
            &secret,
            &message,
            now,
        )
        .await?;
        db::referees::mark_reminded(tx.exec(), r.id, now).await?;
        tx.commit().await?;
        queued += 1;
    }
    if queued > 0 {
        ctx.wake();
    }
    Ok(due.len())
}

/// Queues today's reminder for every reviewer with overdue reviews (once
/// a day each, however often it runs); returns how many.
#[tracing::instrument(skip_all)]
pub async fn remind_reviewers(ctx: &Ctx) -> anyhow::Result<usize> {
    let mut tx = ctx.begin().await?;
    let n = remind_overdue_reviewers(tx.exec(), &ctx.mail, None, ctx.now()).await?;
    tx.commit().await?;
    if n > 0 {
        ctx.wake();
    }
    Ok(n)
}

/// Reminds each reviewer with overdue reviews (in `cycle`, or anywhere),
/// one mail listing them per cycle; a reviewer already reminded today, or
/// who stopped reminders, is not mailed. Returns how many mails were queued.
#[tracing::instrument(skip_all)]
pub async fn remind_overdue_reviewers(
    ex: db::Exec<'_>,
    mail: &Mail,
    cycle: Option<CycleId>,
    now: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<usize> {
    use crate::mail::messages::{review_reminder, OverdueIn, ReviewerAddress};
    let mut ex = ex;
    let rows = db::assignments::overdue(ex.reborrow(), cycle, now, 10_000).await?;
    let mut queued = 0;
    let mut i = 0;
    while i < rows.len() {
        let reviewer = rows[i].reviewer_id;
        let mine: Vec<&db::assignments::Overdue> = rows[i..]
            .iter()
            .take_while(|r| r.reviewer_id == reviewer)
            .collect();
        i += mine.len();
        let first = mine[0];
        // A reviewer who stopped reminders (from the link in one) gets none.
        if db::mail_preferences::stopped(
            ex.reborrow(),
            &first.email,
            db::mail_preferences::Reminder::Review,
        )
        .await?
        {
            continue;
        }
        let cycles: Vec<OverdueIn> = mine
            .iter()
            .map(|r| OverdueIn {
                program: r.program_name.clone(),
                cycle: r.cycle_name.clone(),
                overdue: r.overdue,
            })
            .collect();
        let to = ReviewerAddress {
            id: reviewer,
            name: &first.name,
            email: &first.email,
        };
        if review_reminder(ex.reborrow(), mail, &to, &cycles, now).await? {
            queued += 1;
        }
    }
    Ok(queued)
}

/// Applications reminded per cycle, kind and round.
const APPLICANT_BATCH: i64 = 50;

/// Queues the automatic reminders to applicants that each cycle asks for
/// (see `db::applicant_reminders`): to a draft not submitted when its
/// deadline is within the cycle's days, and to an application whose
/// referees have not answered when letters are due within its days. Each
/// goes once per application and kind, and never to an address that
/// stopped reminders. Returns how many were queued.
#[tracing::instrument(skip_all)]
pub async fn remind_applicants(ctx: &Ctx) -> anyhow::Result<usize> {
    use crate::db::applicant_reminders as reminders;
    use crate::domain::message::ReminderKind;
    let now = ctx.now();
    let cycles = {
        let mut conn = ctx.conn().await?;
        reminders::cycles(conn.exec()).await?
    };
    let mut queued = 0;
    for c in &cycles {
        if let Some(days) = c.draft_days {
            let due = {
                let mut conn = ctx.conn().await?;
                let horizon = now + chrono::Duration::days(days);
                reminders::drafts_due(conn.exec(), c.cycle_id, now, horizon, APPLICANT_BATCH)
                    .await?
            };
            queued += remind_each(ctx, c, ReminderKind::Draft, &due).await?;
        }
        let letters_window = c.referee_days.is_some_and(|days| {
            c.letters_due_at - chrono::Duration::days(days) <= now && now < c.letters_due_at
        });
        if letters_window {
            let due = {
                let mut conn = ctx.conn().await?;
                reminders::referees_due(conn.exec(), c.cycle_id, now, APPLICANT_BATCH).await?
            };
            queued += remind_each(ctx, c, ReminderKind::Referees, &due).await?;
        }
    }
    if queued > 0 {
        ctx.wake();
    }
    Ok(queued)
}

/// Queues reminder `kind` to each application of `due` (of cycle `c`)
/// not reminded of it yet, each in its own transaction with the record
/// that it was; returns how many were queued.
async fn remind_each(
    ctx: &Ctx,
    c: &db::applicant_reminders::ReminderCycle,
    kind: crate::domain::message::ReminderKind,
    due: &[db::applicant_reminders::Due],
) -> anyhow::Result<usize> {
    use crate::db::applicant_reminders as reminders;
    use crate::domain::message::ReminderKind;
    let now = ctx.now();
    let tz = crate::domain::cycle::parse_zone(&c.time_zone).unwrap_or(chrono_tz::UTC);
    let mut queued = 0;
    for d in due {
        let mut tx = ctx.begin().await?;
        if !reminders::mark(tx.exec(), d.application_id, kind, now).await? {
            continue;
        }
        // A draft is due by its own deadline; letters by the cycle's.
        let (deadline, referees) = match kind {
            ReminderKind::Draft => (d.deadline, Vec::new()),
            ReminderKind::Referees => (
                c.letters_due_at,
                reminders::waiting_referees(tx.exec(), d.application_id).await?,
            ),
        };
        let deadline = crate::domain::cycle::show_in(tz, deadline);
        let facts = crate::mail::messages::ReminderFacts {
            name: &d.name,
            program: &c.program_name,
            cycle: &c.cycle_name,
            deadline: &deadline,
            referees: &referees,
        };
        crate::mail::messages::applicant_reminder(
            tx.exec(),
            &ctx.mail,
            kind,
            d.application_id,
            &d.email,
            &facts,
            now,
        )
        .await?;
        tx.commit().await?;
        queued += 1;
    }
    Ok(queued)
}
