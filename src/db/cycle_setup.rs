//! Setting cycles up: whether a name is taken in a program, the schedule
//! and publication of a cycle, the history of its changes, and what a copy
//! takes from its source besides the form and rubric (letter templates,
//! offer days). Creating a cycle is [`super::cycles::insert`]'s.

use chrono::{DateTime, Utc};

use super::{DbResult, Exec};
use crate::domain::application::ApplicationId;
use crate::domain::cycle::CycleId;
use crate::domain::program::ProgramId;
use crate::domain::schedule::{Recorded, Schedule};
use crate::domain::user::UserId;

/// Whether program `program` has a cycle called `name` (other than `except`).
#[tracing::instrument(skip_all)]
pub async fn name_taken(
    ex: Exec<'_>,
    program: ProgramId,
    name: &str,
    except: Option<CycleId>,
) -> DbResult<bool> {
    let sql = "SELECT COUNT(*) FROM cycles WHERE program_id = $1 AND name = $2 AND id <> $3";
    let n: i64 = run!(ex, c => sqlx::query_scalar(sql)
        .bind(program)
        .bind(name)
        .bind(except.unwrap_or(CycleId(0)))
        .fetch_one(c)
        .await)?;
    Ok(n > 0)
}

/// A cycle's name, zone, dates and grace period, as stored.
pub struct ScheduleUpdate<'a> {
    pub name: &'a str,
    pub time_zone: &'a str,
    pub schedule: Schedule,
    pub letters_grace_hours: i64,
}

/// Stores cycle `id`'s name, zone, dates and grace period.
#[tracing::instrument(skip_all)]
pub async fn update_schedule(ex: Exec<'_>, id: CycleId, u: &ScheduleUpdate<'_>) -> DbResult<()> {
    let sql = "UPDATE cycles SET name = $1, time_zone = $2, opens_at = $3, closes_at = $4, letters_due_at = $5, \
               decision_planned_at = $6, letters_grace_hours = $7 WHERE id = $8";
    execute!(
        ex,
        sqlx::query(sql)
            .bind(u.name)
            .bind(u.time_zone)
            .bind(u.schedule.opens_at)
            .bind(u.schedule.closes_at)
            .bind(u.schedule.letters_due_at)
            .bind(u.schedule.decision_planned_at)
            .bind(u.letters_grace_hours)
            .bind(id)
    )?;
    Ok(())
}

/// Moves cycle `id`'s opening to `at`.
#[tracing::instrument(skip_all)]
pub async fn set_opens_at(ex: Exec<'_>, id: CycleId, at: DateTime<Utc>) -> DbResult<()> {
    execute!(
        ex,
        sqlx::query("UPDATE cycles SET opens_at = $1 WHERE id = $2")
            .bind(at)
            .bind(id)
    )?;
    Ok(())
}

/// Publishes or unpublishes cycle `id`.
#[tracing::instrument(skip_all)]
pub async fn set_published(ex: Exec<'_>, id: CycleId, published: bool) -> DbResult<()> {
    execute!(
        ex,
        sqlx::query("UPDATE cycles SET published = $1 WHERE id = $2")
            .bind(published)
            .bind(id)
    )?;
    Ok(())
}

/// Which of `ids` are not published.
#[tracing::instrument(skip_all)]
pub async fn unpublished_among(ex: Exec<'_>, ids: &[CycleId]) -> DbResult<Vec<CycleId>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = ids
        .iter()
        .map(CycleId::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let sql = format!("SELECT id FROM cycles WHERE id IN ({list}) AND NOT published");
    run!(ex, c => sqlx::query_scalar(&sql).fetch_all(c).await)
}

/// How many applications (drafts included) cycle `id` has.
#[tracing::instrument(skip_all)]
pub async fn application_count(ex: Exec<'_>, id: CycleId) -> DbResult<i64> {
    run!(ex, c => sqlx::query_scalar("SELECT COUNT(*) FROM applications WHERE cycle_id = $1")
        .bind(id)
        .fetch_one(c)
        .await)
}

/// A cycle's form as stored (what a copy starts from).
#[tracing::instrument(skip_all)]
pub async fn form_json(ex: Exec<'_>, id: CycleId) -> DbResult<String> {
    run!(ex, c => sqlx::query_scalar("SELECT form_json FROM cycles WHERE id = $1")
        .bind(id)
        .fetch_one(c)
        .await)
}

/// Gives cycle `to` a copy of every letter template of cycle `from`;
/// returns how many.
#[tracing::instrument(skip_all)]
pub async fn copy_letter_templates(
    ex: Exec<'_>,
    from: CycleId,
    to: CycleId,
    by: UserId,
    now: DateTime<Utc>,
) -> DbResult<u64> {
    let sql =
        "INSERT INTO letter_templates (cycle_id, outcome, subject, body, updated_by, updated_at) \
               SELECT $1, outcome, subject, body, $2, $3 FROM letter_templates WHERE cycle_id = $4";
    execute!(ex, sqlx::query(sql).bind(to).bind(by).bind(now).bind(from))
}

/// One recorded change of a cycle's field.
pub struct NewChange<'a> {
    pub cycle: CycleId,
    pub field: Recorded,
    pub old: &'a str,
    pub new: &'a str,
    /// The zone dates are shown in (the cycle's, after the change).
    pub time_zone: &'a str,
    pub by: UserId,
}

/// Records a change; returns its id.
#[tracing::instrument(skip_all)]
pub async fn record_change(ex: Exec<'_>, c: &NewChange<'_>, now: DateTime<Utc>) -> DbResult<i64> {
    let sql = "INSERT INTO cycle_changes (cycle_id, field, old_value, new_value, time_zone, actor_id, created_at) \
               VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";
    let rows: Result<Vec<i64>, _> = run!(ex, conn => sqlx::query_scalar(sql)
        .bind(c.cycle)
        .bind(c.field.as_str())
        .bind(c.old)
        .bind(c.new)
        .bind(c.time_zone)
        .bind(c.by)
        .bind(now)
        .fetch_all(conn)
        .await);
    super::returned_one(rows)
}

#[derive(sqlx::FromRow)]
struct ChangeRow {
    field: String,
    old_value: String,
    new_value: String,
    time_zone: String,
    actor_name: Option<String>,
    created_at: DateTime<Utc>,
}

/// A recorded change, as the history shows it.
#[derive(Debug, Clone)]
pub struct Change {
    pub field: Recorded,
    pub old: String,
    pub new: String,
    pub time_zone: String,
    /// Empty when the account is gone.
    pub by: String,
    pub at: DateTime<Utc>,
}

/// Cycle `id`'s changes, newest first.
#[tracing::instrument(skip_all)]
pub async fn changes(ex: Exec<'_>, id: CycleId) -> DbResult<Vec<Change>> {
    let sql = "SELECT h.field, h.old_value, h.new_value, h.time_zone, u.name AS actor_name, h.created_at \
               FROM cycle_changes h LEFT JOIN users u ON u.id = h.actor_id WHERE h.cycle_id = $1 \
               ORDER BY h.id DESC";
    let rows: Vec<ChangeRow> = run!(ex, c => sqlx::query_as(sql).bind(id).fetch_all(c).await)?;
    rows.into_iter()
        .map(|r| {
            let field = Recorded::parse(&r.field)
                .ok_or_else(|| sqlx::Error::Decode(format!("cycle change {}", r.field).into()))?;
            Ok(Change {
                field,
                old: r.old_value,
                new: r.new_value,
                time_zone: r.time_zone,
                by: r.actor_name.unwrap_or_default(),
                at: r.created_at,
            })
        })
        .collect()
}

/// Someone with a draft in a cycle.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DraftHolder {
    pub application_id: ApplicationId,
    pub name: String,
    pub email: String,
}

/// The applicants with an unsubmitted draft in cycle `id`.
#[tracing::instrument(skip_all)]
pub async fn draft_holders(ex: Exec<'_>, id: CycleId) -> DbResult<Vec<DraftHolder>> {
    let sql = "SELECT a.id AS application_id, u.name, u.email FROM applications a \
               JOIN users u ON u.id = a.applicant_id WHERE a.cycle_id = $1 AND a.stage = 'draft' ORDER BY a.id";
    run!(ex, c => sqlx::query_as(sql).bind(id).fetch_all(c).await)
}
