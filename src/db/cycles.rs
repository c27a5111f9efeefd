//! Cycles and their forms.

use chrono::{DateTime, Duration, Utc};

use super::{DbResult, Exec};
use crate::domain::cycle::{parse_zone, Cycle, CycleId};
use crate::domain::form::FormDefinition;
use crate::domain::program::ProgramId;

#[derive(sqlx::FromRow)]
struct CycleRow {
    id: i64,
    program_id: i64,
    name: String,
    time_zone: String,
    opens_at: DateTime<Utc>,
    closes_at: DateTime<Utc>,
    letters_due_at: DateTime<Utc>,
    letters_grace_hours: i64,
    decision_planned_at: DateTime<Utc>,
    blind_review: bool,
    form_json: String,
}

const COLUMNS: &str =
    "id, program_id, name, time_zone, opens_at, closes_at, letters_due_at, letters_grace_hours, \
                       decision_planned_at, blind_review, form_json";

/// A cycle with its form.
#[derive(Debug, Clone)]
pub struct CycleWithForm {
    pub cycle: Cycle,
    pub form: FormDefinition,
}

fn convert(r: CycleRow) -> DbResult<CycleWithForm> {
    let bad = |what: String| sqlx::Error::Decode(what.into());
    let time_zone = parse_zone(&r.time_zone)
        .ok_or_else(|| bad(format!("cycle {}: unknown time zone {}", r.id, r.time_zone)))?;
    let form =
        FormDefinition::parse(&r.form_json).map_err(|e| bad(format!("cycle {}: {e}", r.id)))?;
    Ok(CycleWithForm {
        cycle: Cycle {
            id: r.id,
            program_id: r.program_id,
            name: r.name,
            time_zone,
            opens_at: r.opens_at,
            closes_at: r.closes_at,
            letters_due_at: r.letters_due_at,
            letters_grace: Duration::hours(r.letters_grace_hours),
            decision_planned_at: r.decision_planned_at,
            blind_review: r.blind_review,
        },
        form,
    })
}

/// The cycle with this id.
pub async fn find(ex: Exec<'_>, id: CycleId) -> DbResult<Option<CycleWithForm>> {
    let sql = format!("SELECT {COLUMNS} FROM cycles WHERE id = $1");
    let row: Option<CycleRow> =
        run!(ex, c => sqlx::query_as(&sql).bind(id).fetch_optional(c).await)?;
    row.map(convert).transpose()
}

/// A cycle as listed: its program's name and its dates (no form).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Listed {
    pub id: i64,
    pub program_id: i64,
    pub program_name: String,
    pub name: String,
    pub time_zone: String,
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
}

/// Cycles open at `now`, by program order.
pub async fn open_at(ex: Exec<'_>, now: DateTime<Utc>) -> DbResult<Vec<Listed>> {
    let sql = "SELECT c.id, c.program_id, p.name AS program_name, c.name, c.time_zone, c.opens_at, c.closes_at \
               FROM cycles c JOIN programs p ON p.id = c.program_id \
               WHERE c.opens_at <= $1 AND c.closes_at > $1 ORDER BY p.position, c.closes_at";
    run!(ex, c => sqlx::query_as(sql).bind(now).fetch_all(c).await)
}

/// Cycles of the given programs, newest first (for managers).
pub async fn for_programs(ex: Exec<'_>, programs: &[ProgramId]) -> DbResult<Vec<Listed>> {
    if programs.is_empty() {
        return Ok(Vec::new());
    }
    let ids = programs
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let sql = format!(
        "SELECT c.id, c.program_id, p.name AS program_name, c.name, c.time_zone, c.opens_at, c.closes_at \
         FROM cycles c JOIN programs p ON p.id = c.program_id WHERE c.program_id IN ({ids}) \
         ORDER BY c.closes_at DESC, p.position"
    );
    run!(ex, c => sqlx::query_as(&sql).fetch_all(c).await)
}

/// Whether a program has any cycle.
pub async fn program_has_cycle(ex: Exec<'_>, program: ProgramId) -> DbResult<bool> {
    let n: i64 = run!(ex, c => sqlx::query_scalar("SELECT COUNT(*) FROM cycles WHERE program_id = $1").bind(program).fetch_one(c).await)?;
    Ok(n > 0)
}

/// A new cycle.
pub struct NewCycle<'a> {
    pub program_id: ProgramId,
    pub name: &'a str,
    pub time_zone: &'a str,
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    pub letters_due_at: DateTime<Utc>,
    pub letters_grace_hours: i64,
    pub decision_planned_at: DateTime<Utc>,
    pub blind_review: bool,
    pub form_json: &'a str,
}

/// Inserts a cycle.
pub async fn insert(ex: Exec<'_>, c: &NewCycle<'_>, now: DateTime<Utc>) -> DbResult<CycleId> {
    let sql = "INSERT INTO cycles (program_id, name, time_zone, opens_at, closes_at, letters_due_at, letters_grace_hours, \
               decision_planned_at, blind_review, form_json, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
               RETURNING id";
    run!(ex, conn => sqlx::query_scalar(sql)
        .bind(c.program_id)
        .bind(c.name)
        .bind(c.time_zone)
        .bind(c.opens_at)
        .bind(c.closes_at)
        .bind(c.letters_due_at)
        .bind(c.letters_grace_hours)
        .bind(c.decision_planned_at)
        .bind(c.blind_review)
        .bind(c.form_json)
        .bind(now)
        .fetch_one(conn)
        .await)
}
