//! Programs.

use super::{DbResult, Exec};
use crate::domain::program::{Program, ProgramId, ProgramKind, ProgramSeed};

#[derive(sqlx::FromRow)]
struct ProgramRow {
    id: ProgramId,
    slug: String,
    name: String,
    kind: String,
    description: String,
}

impl From<ProgramRow> for Program {
    fn from(r: ProgramRow) -> Self {
        Program {
            id: r.id,
            slug: r.slug,
            name: r.name,
            // The CHECK constraint admits only the two kinds.
            kind: ProgramKind::parse(&r.kind).unwrap_or(ProgramKind::Fellowship),
            description: r.description,
        }
    }
}

/// Every program, in display order (a handful per organisation).
#[tracing::instrument(skip_all)]
pub async fn list(ex: Exec<'_>) -> DbResult<Vec<Program>> {
    let sql = "SELECT id, slug, name, kind, description FROM programs ORDER BY position, name";
    let rows: Vec<ProgramRow> = run!(ex, c => sqlx::query_as(sql).fetch_all(c).await)?;
    Ok(rows.into_iter().map(Program::from).collect())
}

/// The name of the program with this id (empty if there is none), for
/// pages and mail that only name it.
#[tracing::instrument(skip_all)]
pub async fn name_of(ex: Exec<'_>, id: ProgramId) -> DbResult<String> {
    let sql = "SELECT name FROM programs WHERE id = $1";
    let name: Option<String> =
        run!(ex, c => sqlx::query_scalar(sql).bind(id).fetch_optional(c).await)?;
    Ok(name.unwrap_or_default())
}

/// The program with this id.
#[tracing::instrument(skip_all)]
pub async fn find(ex: Exec<'_>, id: ProgramId) -> DbResult<Option<Program>> {
    let sql = "SELECT id, slug, name, kind, description FROM programs WHERE id = $1";
    let row: Option<ProgramRow> =
        run!(ex, c => sqlx::query_as(sql).bind(id).fetch_optional(c).await)?;
    Ok(row.map(Program::from))
}

/// Inserts a seeded program unless one with its slug exists.
#[tracing::instrument(skip_all)]
pub async fn insert_seed(ex: Exec<'_>, seed: &ProgramSeed, position: i64) -> DbResult<bool> {
    let sql = "INSERT INTO programs (slug, name, kind, description, position) VALUES ($1, $2, $3, $4, $5) \
               ON CONFLICT (slug) DO NOTHING";
    let r = execute!(
        ex,
        sqlx::query(sql)
            .bind(seed.slug)
            .bind(seed.name)
            .bind(seed.kind.as_str())
            .bind(seed.description)
            .bind(position)
    )?;
    Ok(r == 1)
}
