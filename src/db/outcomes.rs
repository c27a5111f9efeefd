//! A cycle's outcomes (`cycle_outcomes`): the default accepted /
//! waitlisted / declined under the labels the cycle's managers gave them.
//! [`insert_defaults`] runs inside `cycles::insert`, so every cycle,
//! however made, has them.

use super::{DbResult, Exec};
use crate::domain::cycle::CycleId;
use crate::domain::workflow::decision::Outcome;
use crate::domain::workflow::outcomes::{CycleOutcome, Outcomes};

#[derive(sqlx::FromRow)]
struct Row {
    key: String,
    label: String,
    meaning: String,
}

/// Cycle `cycle`'s outcomes, in order (the defaults when it has none).
#[tracing::instrument(skip_all)]
pub async fn list(ex: Exec<'_>, cycle: CycleId) -> DbResult<Outcomes> {
    let sql =
        "SELECT key, label, meaning FROM cycle_outcomes WHERE cycle_id = $1 ORDER BY position, key";
    let rows: Vec<Row> = run!(ex, c => sqlx::query_as(sql).bind(cycle).fetch_all(c).await)?;
    let stored = rows
        .into_iter()
        .map(|r| {
            let meaning = Outcome::parse(&r.meaning).ok_or_else(|| {
                sqlx::Error::Decode(format!("cycle {cycle}: outcome meaning {}", r.meaning).into())
            })?;
            Ok(CycleOutcome {
                key: r.key,
                label: r.label,
                meaning,
            })
        })
        .collect::<DbResult<Vec<_>>>()?;
    Ok(Outcomes::new(stored))
}

/// Gives cycle `cycle` the three default outcomes under the portal's
/// labels.
#[tracing::instrument(skip_all)]
pub async fn insert_defaults(mut ex: Exec<'_>, cycle: CycleId) -> DbResult<()> {
    let sql = "INSERT INTO cycle_outcomes (cycle_id, key, label, meaning, position) VALUES ($1, $2, $3, $4, $5)";
    for (position, o) in Outcomes::default().all().iter().enumerate() {
        execute!(
            ex.reborrow(),
            sqlx::query(sql)
                .bind(cycle)
                .bind(&o.key)
                .bind(&o.label)
                .bind(o.meaning.as_str())
                .bind(position as i64 + 1)
        )?;
    }
    Ok(())
}

/// Renames outcome `key` of cycle `cycle`; returns whether it exists.
#[tracing::instrument(skip_all)]
pub async fn set_label(ex: Exec<'_>, cycle: CycleId, key: &str, label: &str) -> DbResult<bool> {
    let sql = "UPDATE cycle_outcomes SET label = $1 WHERE cycle_id = $2 AND key = $3";
    let n = execute!(ex, sqlx::query(sql).bind(label).bind(cycle).bind(key))?;
    Ok(n == 1)
}

/// Makes cycle `to`'s outcomes a copy of cycle `from`'s (replacing the
/// defaults it was made with). Returns how many were copied.
#[tracing::instrument(skip_all)]
pub async fn copy(mut ex: Exec<'_>, from: CycleId, to: CycleId) -> DbResult<u64> {
    execute!(
        ex.reborrow(),
        sqlx::query("DELETE FROM cycle_outcomes WHERE cycle_id = $1").bind(to)
    )?;
    let sql = "INSERT INTO cycle_outcomes (cycle_id, key, label, meaning, position) \
               SELECT $1, key, label, meaning, position FROM cycle_outcomes WHERE cycle_id = $2";
    execute!(ex, sqlx::query(sql).bind(to).bind(from))
}

/// Adds outcome `key` to cycle `cycle`, after its others.
#[tracing::instrument(skip_all)]
pub async fn insert_extra(
    ex: Exec<'_>,
    cycle: CycleId,
    key: &str,
    label: &str,
    meaning: Outcome,
) -> DbResult<()> {
    let sql = "INSERT INTO cycle_outcomes (cycle_id, key, label, meaning, position) \
               SELECT $1, $2, $3, $4, COALESCE(MAX(position), 0) + 1 FROM cycle_outcomes WHERE cycle_id = $1";
    execute!(
        ex,
        sqlx::query(sql)
            .bind(cycle)
            .bind(key)
            .bind(label)
            .bind(meaning.as_str())
    )?;
    Ok(())
}

/// How many decisions of cycle `cycle` were recorded as outcome `key`.
#[tracing::instrument(skip_all)]
pub async fn decisions_using(ex: Exec<'_>, cycle: CycleId, key: &str) -> DbResult<i64> {
    let sql = "SELECT COUNT(*) FROM decisions WHERE cycle_id = $1 AND outcome_key = $2";
    run!(ex, c => sqlx::query_scalar(sql).bind(cycle).bind(key).fetch_one(c).await)
}

/// Removes outcome `key` from cycle `cycle`; returns whether it existed.
#[tracing::instrument(skip_all)]
pub async fn remove(ex: Exec<'_>, cycle: CycleId, key: &str) -> DbResult<bool> {
    let sql = "DELETE FROM cycle_outcomes WHERE cycle_id = $1 AND key = $2";
    let n = execute!(ex, sqlx::query(sql).bind(cycle).bind(key))?;
    Ok(n == 1)
}
