//! The versions of cycles' forms: every change of a form is a numbered
//! version (the form, who, when, a one-line summary); `cycles.form_json`
//! and `cycles.form_version` name the current one. An application is read
//! against the version it was answered under (`applications.form_version`).

use chrono::{DateTime, Utc};

use super::{DbResult, Exec};
use crate::domain::cycle::CycleId;
use crate::domain::form::FormDefinition;
use crate::domain::user::UserId;

/// One version of a cycle's form.
#[derive(Debug, Clone)]
pub struct Version {
    pub number: i64,
    pub form: FormDefinition,
    /// Who made it (none for the first version and seeded forms).
    pub by_name: Option<String>,
    pub created_at: DateTime<Utc>,
    pub summary: String,
}

#[derive(sqlx::FromRow)]
struct Row {
    number: i64,
    form_json: String,
    by_name: Option<String>,
    created_at: DateTime<Utc>,
    summary: String,
}

fn convert(cycle: CycleId, r: Row) -> DbResult<Version> {
    let form = FormDefinition::parse(&r.form_json).map_err(|e| {
        sqlx::Error::Decode(format!("cycle {cycle} form version {}: {e}", r.number).into())
    })?;
    Ok(Version {
        number: r.number,
        form,
        by_name: r.by_name,
        created_at: r.created_at,
        summary: r.summary,
    })
}

/// Records version `number` of cycle `cycle`'s form (call it in the
/// transaction that makes it current).
#[tracing::instrument(skip_all)]
pub async fn insert(
    ex: Exec<'_>,
    cycle: CycleId,
    number: i64,
    form_json: &str,
    by: Option<UserId>,
    summary: &str,
    now: DateTime<Utc>,
) -> DbResult<()> {
    execute!(
        ex,
        sqlx::query(
            "INSERT INTO form_versions (cycle_id, number, form_json, created_by, created_at, summary) \
             VALUES ($1, $2, $3, $4, $5, $6)"
        )
        .bind(cycle)
        .bind(number)
        .bind(form_json)
        .bind(by)
        .bind(now)
        .bind(summary)
    )?;
    Ok(())
}

/// Makes version `number` (with this form) cycle `cycle`'s current form;
/// `false` when the current version is no longer `based_on` (someone else
/// changed the form meanwhile).
#[tracing::instrument(skip_all)]
pub async fn make_current(
    ex: Exec<'_>,
    cycle: CycleId,
    based_on: i64,
    number: i64,
    form_json: &str,
) -> DbResult<bool> {
    let n = execute!(
        ex,
        sqlx::query(
            "UPDATE cycles SET form_json = $1, form_version = $2 WHERE id = $3 AND form_version = $4"
        )
        .bind(form_json)
        .bind(number)
        .bind(cycle)
        .bind(based_on)
    )?;
    Ok(n == 1)
}

/// The newest version number recorded for cycle `cycle` (0 if none).
#[tracing::instrument(skip_all)]
pub async fn latest(ex: Exec<'_>, cycle: CycleId) -> DbResult<i64> {
    let n: Option<i64> = run!(ex, c => sqlx::query_scalar(
        "SELECT MAX(number) FROM form_versions WHERE cycle_id = $1"
    ).bind(cycle).fetch_one(c).await)?;
    Ok(n.unwrap_or(0))
}

const SELECT: &str = "SELECT v.number, v.form_json, u.name AS by_name, v.created_at, v.summary \
                      FROM form_versions v LEFT JOIN users u ON u.id = v.created_by";

/// Version `number` of cycle `cycle`'s form.
#[tracing::instrument(skip_all)]
pub async fn find(ex: Exec<'_>, cycle: CycleId, number: i64) -> DbResult<Option<Version>> {
    let sql = format!("{SELECT} WHERE v.cycle_id = $1 AND v.number = $2");
    let row: Option<Row> =
        run!(ex, c => sqlx::query_as(&sql).bind(cycle).bind(number).fetch_optional(c).await)?;
    row.map(|r| convert(cycle, r)).transpose()
}

/// Every version of cycle `cycle`'s form, newest first.
#[tracing::instrument(skip_all)]
pub async fn all(ex: Exec<'_>, cycle: CycleId) -> DbResult<Vec<Version>> {
    let sql = format!("{SELECT} WHERE v.cycle_id = $1 ORDER BY v.number DESC");
    let rows: Vec<Row> = run!(ex, c => sqlx::query_as(&sql).bind(cycle).fetch_all(c).await)?;
    rows.into_iter().map(|r| convert(cycle, r)).collect()
}
