//! Rubric versions: every rubric a cycle has had, numbered from 1.
//!
//! `cycles.rubric_json` is the current rubric and `cycles.rubric_version`
//! its number; [`record`] changes both and writes the version row in one
//! statement pair, so whoever sets a rubric (seeding, a new or cloned
//! cycle through `cycles::set_rubric`, the builder) gets a version. A
//! review keeps the number it was started under (`reviews.rubric_version`).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::{DbResult, Exec};
use crate::domain::cycle::CycleId;
use crate::domain::user::UserId;
use crate::domain::workflow::rubric::Rubric;

/// Makes `rubric_json` (already checked by [`Rubric::parse`]) cycle `id`'s
/// rubric as its next version, by `by` at `at` (`None`: the portal, dated
/// with the cycle's creation). Returns the new version's number.
#[tracing::instrument(skip_all)]
pub async fn record(
    ex: Exec<'_>,
    id: CycleId,
    rubric_json: &str,
    by: Option<UserId>,
    at: Option<DateTime<Utc>>,
) -> DbResult<i64> {
    let update =
        "UPDATE cycles SET rubric_json = $1, rubric_version = rubric_version + 1 WHERE id = $2 \
                  RETURNING rubric_version";
    let insert = "INSERT INTO rubric_versions (cycle_id, number, rubric_json, created_by, created_at) \
                  SELECT id, rubric_version, rubric_json, $2, COALESCE($3, created_at) FROM cycles WHERE id = $1";
    run!(ex, c => {
        let rows: Result<Vec<i64>, _> = sqlx::query_scalar(update)
            .bind(rubric_json)
            .bind(id)
            .fetch_all(&mut *c)
            .await;
        let number = super::returned_one(rows)?;
        sqlx::query(insert).bind(id).bind(by).bind(at).execute(&mut *c).await?;
        Ok(number)
    })
}

/// The number of cycle `id`'s current rubric (0 when it has none yet).
#[tracing::instrument(skip_all)]
pub async fn current(ex: Exec<'_>, id: CycleId) -> DbResult<i64> {
    run!(ex, c => sqlx::query_scalar("SELECT rubric_version FROM cycles WHERE id = $1")
        .bind(id)
        .fetch_one(c)
        .await)
}

/// One version of a cycle's rubric.
#[derive(Debug, Clone)]
pub struct Version {
    pub number: i64,
    pub rubric: Rubric,
    /// Who made it (`None`: the portal).
    pub by_name: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct VersionRow {
    number: i64,
    rubric_json: String,
    by_name: Option<String>,
    created_at: DateTime<Utc>,
}

fn convert(id: CycleId, r: VersionRow) -> DbResult<Version> {
    let rubric = Rubric::parse(&r.rubric_json).map_err(|e| {
        sqlx::Error::Decode(format!("cycle {id} rubric version {}: {e}", r.number).into())
    })?;
    Ok(Version {
        number: r.number,
        rubric,
        by_name: r.by_name,
        created_at: r.created_at,
    })
}

/// Every version of cycle `id`'s rubric, newest first.
#[tracing::instrument(skip_all)]
pub async fn of_cycle(ex: Exec<'_>, id: CycleId) -> DbResult<Vec<Version>> {
    let sql = "SELECT v.number, v.rubric_json, u.name AS by_name, v.created_at FROM rubric_versions v \
               LEFT JOIN users u ON u.id = v.created_by WHERE v.cycle_id = $1 ORDER BY v.number DESC";
    let rows: Vec<VersionRow> = run!(ex, c => sqlx::query_as(sql).bind(id).fetch_all(c).await)?;
    rows.into_iter().map(|r| convert(id, r)).collect()
}

/// Every version of cycle `id`'s rubric by number (for showing reviews
/// written under different versions side by side).
#[tracing::instrument(skip_all)]
pub async fn by_number(ex: Exec<'_>, id: CycleId) -> DbResult<BTreeMap<i64, Rubric>> {
    Ok(of_cycle(ex, id)
        .await?
        .into_iter()
        .map(|v| (v.number, v.rubric))
        .collect())
}

/// Version `number` of cycle `id`'s rubric, if it exists.
#[tracing::instrument(skip_all)]
pub async fn find(ex: Exec<'_>, id: CycleId, number: i64) -> DbResult<Option<Rubric>> {
    let sql =
        "SELECT v.number, v.rubric_json, NULL AS by_name, v.created_at FROM rubric_versions v \
               WHERE v.cycle_id = $1 AND v.number = $2";
    let row: Option<VersionRow> =
        run!(ex, c => sqlx::query_as(sql).bind(id).bind(number).fetch_optional(c).await)?;
    Ok(row.map(|r| convert(id, r)).transpose()?.map(|v| v.rubric))
}

/// How many reviews of cycle `id` are started (drafts and submitted) and
/// how many of those are submitted.
#[tracing::instrument(skip_all)]
pub async fn reviews_written(ex: Exec<'_>, id: CycleId) -> DbResult<(i64, i64)> {
    let sql = "SELECT COUNT(*), COALESCE(SUM(CASE WHEN state = 'submitted' THEN 1 ELSE 0 END), 0) \
               FROM reviews WHERE cycle_id = $1";
    run!(ex, c => sqlx::query_as(sql).bind(id).fetch_one(c).await)
}
