//! The automatic reminders to applicants (migration 0030): each cycle's
//! days before a deadline, the applications due one, and the record that
//! makes each reminder go once per application and kind.

use chrono::{DateTime, Utc};

use super::{DbResult, Exec};
use crate::domain::application::ApplicationId;
use crate::domain::cycle::CycleId;
use crate::domain::message::ReminderKind;
use crate::domain::user::UserId;

/// A cycle's reminder settings: days before the deadline for drafts, and
/// before letters are due for referees who have not answered (`None`: off).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct Settings {
    pub draft_days: Option<i64>,
    pub referee_days: Option<i64>,
}

/// Cycle `cycle`'s settings (both off when never set).
#[tracing::instrument(skip_all)]
pub async fn settings(ex: Exec<'_>, cycle: CycleId) -> DbResult<Settings> {
    let sql = "SELECT draft_days, referee_days FROM cycle_reminders WHERE cycle_id = $1";
    let found: Option<Settings> =
        run!(ex, c => sqlx::query_as(sql).bind(cycle).fetch_optional(c).await)?;
    Ok(found.unwrap_or_default())
}

/// Stores cycle `cycle`'s settings.
#[tracing::instrument(skip_all)]
pub async fn set(
    ex: Exec<'_>,
    cycle: CycleId,
    s: Settings,
    by: UserId,
    now: DateTime<Utc>,
) -> DbResult<()> {
    let sql =
        "INSERT INTO cycle_reminders (cycle_id, draft_days, referee_days, updated_by, updated_at) \
               VALUES ($1, $2, $3, $4, $5) ON CONFLICT (cycle_id) DO UPDATE SET draft_days = $2, \
               referee_days = $3, updated_by = $4, updated_at = $5";
    execute!(
        ex,
        sqlx::query(sql)
            .bind(cycle)
            .bind(s.draft_days)
            .bind(s.referee_days)
            .bind(by)
            .bind(now)
    )?;
    Ok(())
}

/// Gives cycle `to` the settings of cycle `from`.
#[tracing::instrument(skip_all)]
pub async fn copy(
    ex: Exec<'_>,
    from: CycleId,
    to: CycleId,
    by: UserId,
    now: DateTime<Utc>,
) -> DbResult<u64> {
    let sql = "INSERT INTO cycle_reminders (cycle_id, draft_days, referee_days, updated_by, updated_at) \
               SELECT $1, draft_days, referee_days, $2, $3 FROM cycle_reminders WHERE cycle_id = $4";
    execute!(ex, sqlx::query(sql).bind(to).bind(by).bind(now).bind(from))
}

/// A cycle with a reminder set, with what its reminders say.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReminderCycle {
    pub cycle_id: CycleId,
    pub draft_days: Option<i64>,
    pub referee_days: Option<i64>,
    pub cycle_name: String,
    pub program_name: String,
    pub time_zone: String,
    pub letters_due_at: DateTime<Utc>,
}

/// Every cycle with a reminder set (a handful: one per program and year).
#[tracing::instrument(skip_all)]
pub async fn cycles(ex: Exec<'_>) -> DbResult<Vec<ReminderCycle>> {
    let sql = "SELECT r.cycle_id, r.draft_days, r.referee_days, c.name AS cycle_name, p.name AS program_name, \
               c.time_zone, c.letters_due_at FROM cycle_reminders r JOIN cycles c ON c.id = r.cycle_id \
               JOIN programs p ON p.id = c.program_id \
               WHERE r.draft_days IS NOT NULL OR r.referee_days IS NOT NULL ORDER BY r.cycle_id";
    run!(ex, c => sqlx::query_as(sql).fetch_all(c).await)
}

/// An application due a reminder, and its applicant.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Due {
    pub application_id: ApplicationId,
    pub name: String,
    pub email: String,
    /// The applicant's deadline to submit (an extension counts).
    pub deadline: DateTime<Utc>,
}

/// Who still wants applicant reminders, and has an account in use.
const WANTED: &str = "u.deactivated_at IS NULL AND NOT EXISTS (SELECT 1 FROM mail_preferences m \
                      WHERE m.email = LOWER(u.email) AND m.applicant_reminders = FALSE)";

/// Up to `limit` drafts of cycle `cycle` whose deadline is after `now`
/// and no later than `horizon`, not reminded yet.
#[tracing::instrument(skip_all)]
pub async fn drafts_due(
    ex: Exec<'_>,
    cycle: CycleId,
    now: DateTime<Utc>,
    horizon: DateTime<Utc>,
    limit: i64,
) -> DbResult<Vec<Due>> {
    let sql = format!(
        "SELECT a.id AS application_id, u.name, u.email, COALESCE(a.deadline_extended_to, c.closes_at) AS deadline \
         FROM applications a JOIN cycles c ON c.id = a.cycle_id JOIN users u ON u.id = a.applicant_id \
         WHERE a.cycle_id = $1 AND a.stage = 'draft' \
         AND COALESCE(a.deadline_extended_to, c.closes_at) > $2 AND COALESCE(a.deadline_extended_to, c.closes_at) <= $3 \
         AND NOT EXISTS (SELECT 1 FROM applicant_reminders x WHERE x.application_id = a.id AND x.kind = 'draft') \
         AND {WANTED} ORDER BY a.id LIMIT $4"
    );
    run!(ex, c => sqlx::query_as(&sql)
        .bind(cycle)
        .bind(now)
        .bind(horizon)
        .bind(limit)
        .fetch_all(c)
        .await)
}

/// Up to `limit` applications of cycle `cycle` still in the running with
/// a referee who has not answered, not reminded of it yet. A draft past
/// its deadline at `now` is out of the running.
#[tracing::instrument(skip_all)]
pub async fn referees_due(
    ex: Exec<'_>,
    cycle: CycleId,
    now: DateTime<Utc>,
    limit: i64,
) -> DbResult<Vec<Due>> {
    let sql = format!(
        "SELECT a.id AS application_id, u.name, u.email, COALESCE(a.deadline_extended_to, c.closes_at) AS deadline \
         FROM applications a JOIN cycles c ON c.id = a.cycle_id JOIN users u ON u.id = a.applicant_id \
         WHERE a.cycle_id = $1 AND a.stage NOT IN ('withdrawn', 'ineligible', 'decided') \
         AND (a.stage <> 'draft' OR COALESCE(a.deadline_extended_to, c.closes_at) > $3) \
         AND EXISTS (SELECT 1 FROM referee_requests r WHERE r.application_id = a.id AND r.status = 'requested') \
         AND NOT EXISTS (SELECT 1 FROM applicant_reminders x WHERE x.application_id = a.id AND x.kind = 'referees') \
         AND {WANTED} ORDER BY a.id LIMIT $2"
    );
    run!(ex, c => sqlx::query_as(&sql).bind(cycle).bind(limit).bind(now).fetch_all(c).await)
}

/// The names of application `id`'s referees who have not answered.
#[tracing::instrument(skip_all)]
pub async fn waiting_referees(ex: Exec<'_>, id: ApplicationId) -> DbResult<Vec<String>> {
    let sql =
        "SELECT name FROM referee_requests WHERE application_id = $1 AND status = 'requested' \
               ORDER BY question_key, position";
    run!(ex, c => sqlx::query_scalar(sql).bind(id).fetch_all(c).await)
}

/// Records that application `id` got its reminder of `kind`; `false` when
/// it had it already (another instance sent it first).
#[tracing::instrument(skip_all)]
pub async fn mark(
    ex: Exec<'_>,
    id: ApplicationId,
    kind: ReminderKind,
    now: DateTime<Utc>,
) -> DbResult<bool> {
    let sql =
        "INSERT INTO applicant_reminders (application_id, kind, sent_at) VALUES ($1, $2, $3) \
               ON CONFLICT (application_id, kind) DO NOTHING";
    Ok(execute!(ex, sqlx::query(sql).bind(id).bind(kind.as_str()).bind(now))? == 1)
}
