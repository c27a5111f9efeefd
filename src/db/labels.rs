//! Labels of a cycle and the applications that carry them (migration
//! 0029).

use chrono::{DateTime, Utc};

use super::{DbResult, Exec};
use crate::domain::application::ApplicationId;
use crate::domain::cycle::CycleId;
use crate::domain::user::UserId;

/// A label, with how many applications carry it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Label {
    pub id: i64,
    pub name: String,
    pub applications: i64,
}

/// Cycle `cycle`'s labels by name, each with its count (for the labels
/// page).
#[tracing::instrument(skip_all)]
pub async fn of_cycle(ex: Exec<'_>, cycle: CycleId) -> DbResult<Vec<Label>> {
    let sql = "SELECT l.id, l.name, CAST(COUNT(x.application_id) AS BIGINT) AS applications FROM labels l \
               LEFT JOIN application_labels x ON x.label_id = l.id WHERE l.cycle_id = $1 \
               GROUP BY l.id, l.name ORDER BY lower(l.name)";
    run!(ex, c => sqlx::query_as(sql).bind(cycle).fetch_all(c).await)
}

/// Cycle `cycle`'s labels by name, without counting them (for the pages
/// that only offer them: a few rows, whatever the cycle's size).
#[tracing::instrument(skip_all)]
pub async fn names_of_cycle(ex: Exec<'_>, cycle: CycleId) -> DbResult<Vec<(i64, String)>> {
    let sql = "SELECT id, name FROM labels WHERE cycle_id = $1 ORDER BY lower(name)";
    run!(ex, c => sqlx::query_as(sql).bind(cycle).fetch_all(c).await)
}

/// Makes label `name` in cycle `cycle`; `None` when the cycle has one of
/// that name (whatever its case).
#[tracing::instrument(skip_all)]
pub async fn create(
    ex: Exec<'_>,
    cycle: CycleId,
    name: &str,
    now: DateTime<Utc>,
) -> DbResult<Option<i64>> {
    let sql = "INSERT INTO labels (cycle_id, name, created_at) VALUES ($1, $2, $3) RETURNING id";
    let rows: Result<Vec<i64>, _> =
        run!(ex, c => sqlx::query_scalar(sql).bind(cycle).bind(name).bind(now).fetch_all(c).await);
    match super::returned_one(rows) {
        Ok(id) => Ok(Some(id)),
        Err(e) if super::is_unique_violation(&e) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Removes label `id` of cycle `cycle` (and takes it off every
/// application); its name, or `None` when there was no such label.
#[tracing::instrument(skip_all)]
pub async fn remove(ex: Exec<'_>, cycle: CycleId, id: i64) -> DbResult<Option<String>> {
    let sql = "DELETE FROM labels WHERE id = $1 AND cycle_id = $2 RETURNING name";
    let rows: Result<Vec<String>, _> =
        run!(ex, c => sqlx::query_scalar(sql).bind(id).bind(cycle).fetch_all(c).await);
    super::returned(rows)
}

/// Gives application `id` (of cycle `cycle`) exactly the labels `ids` of
/// its cycle (others are ignored); returns their names.
#[tracing::instrument(skip_all)]
pub async fn set(
    mut ex: Exec<'_>,
    cycle: CycleId,
    id: ApplicationId,
    ids: &[i64],
) -> DbResult<Vec<String>> {
    execute!(
        ex.reborrow(),
        sqlx::query("DELETE FROM application_labels WHERE application_id = $1").bind(id)
    )?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = super::assignments::join_ids(ids);
    let insert = format!(
        "INSERT INTO application_labels (label_id, application_id) \
         SELECT id, $1 FROM labels WHERE cycle_id = $2 AND id IN ({list})"
    );
    execute!(ex.reborrow(), sqlx::query(&insert).bind(id).bind(cycle))?;
    let names = format!(
        "SELECT name FROM labels WHERE cycle_id = $1 AND id IN ({list}) ORDER BY lower(name)"
    );
    run!(ex, c => sqlx::query_scalar(&names).bind(cycle).fetch_all(c).await)
}

/// The labels of the given applications, as (application, label id, name).
#[tracing::instrument(skip_all)]
pub async fn of_applications(
    ex: Exec<'_>,
    ids: &[ApplicationId],
) -> DbResult<Vec<(i64, i64, String)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT x.application_id, l.id, l.name FROM application_labels x JOIN labels l ON l.id = x.label_id \
         WHERE x.application_id IN ({}) ORDER BY lower(l.name)",
        super::assignments::join_ids(ids)
    );
    run!(ex, c => sqlx::query_as(&sql).fetch_all(c).await)
}

/// Puts label `label` of cycle `cycle` on the given applications of that
/// cycle that do not carry it yet, but for `hide_applicant`'s own; returns
/// the ids it was put on (none when the label is not the cycle's).
#[tracing::instrument(skip_all)]
pub async fn add_to(
    ex: Exec<'_>,
    cycle: CycleId,
    label: i64,
    ids: &[ApplicationId],
    hide_applicant: UserId,
) -> DbResult<Vec<i64>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "INSERT INTO application_labels (label_id, application_id) \
         SELECT l.id, a.id FROM labels l JOIN applications a ON a.cycle_id = l.cycle_id \
         WHERE l.id = $1 AND l.cycle_id = $2 AND a.id IN ({}) AND a.applicant_id <> $3 AND a.stage <> 'draft' \
         AND NOT EXISTS (SELECT 1 FROM application_labels x WHERE x.label_id = l.id AND x.application_id = a.id) \
         RETURNING application_id",
        super::assignments::join_ids(ids)
    );
    run!(ex, c => sqlx::query_scalar(&sql).bind(label).bind(cycle).bind(hide_applicant).fetch_all(c).await)
}
