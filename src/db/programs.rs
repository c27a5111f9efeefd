//! Programs: their details, the admin's overview, and the public calls
//! (each listed program with its current or next cycle, in one query).

use chrono::{DateTime, Duration, Utc};

use super::{DbResult, Exec};
use crate::domain::cycle::{parse_zone, Cycle, CycleId};
use crate::domain::program::{Program, ProgramFields, ProgramId, ProgramKind, ProgramSeed};

#[derive(sqlx::FromRow)]
struct ProgramRow {
    id: ProgramId,
    slug: String,
    name: String,
    kind: String,
    description: String,
    eligibility: String,
    contact_email: String,
    is_public: bool,
    archived_at: Option<DateTime<Utc>>,
}

const COLUMNS: &str =
    "p.id, p.slug, p.name, p.kind, p.description, p.eligibility, p.contact_email, p.is_public, p.archived_at";

fn convert(r: ProgramRow) -> DbResult<Program> {
    // The CHECK constraint admits only the known kinds; anything else is
    // a database this binary does not understand.
    let kind = ProgramKind::parse(&r.kind).ok_or_else(|| {
        sqlx::Error::Decode(format!("program {}: unknown kind {}", r.id, r.kind).into())
    })?;
    Ok(Program {
        id: r.id,
        slug: r.slug,
        name: r.name,
        kind,
        description: r.description,
        eligibility: r.eligibility,
        contact_email: r.contact_email,
        public: r.is_public,
        archived_at: r.archived_at,
    })
}

/// Every program, archived ones too, in display order (a handful per
/// organisation).
#[tracing::instrument(skip_all)]
pub async fn list(ex: Exec<'_>) -> DbResult<Vec<Program>> {
    let sql = format!("SELECT {COLUMNS} FROM programs p ORDER BY p.position, p.name");
    let rows: Vec<ProgramRow> = run!(ex, c => sqlx::query_as(&sql).fetch_all(c).await)?;
    rows.into_iter().map(convert).collect()
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
    let sql = format!("SELECT {COLUMNS} FROM programs p WHERE p.id = $1");
    let row: Option<ProgramRow> =
        run!(ex, c => sqlx::query_as(&sql).bind(id).fetch_optional(c).await)?;
    row.map(convert).transpose()
}

/// A program and how many cycles it has, for the admin's list.
#[derive(Debug, Clone)]
pub struct Overview {
    pub program: Program,
    pub cycles: i64,
}

#[derive(sqlx::FromRow)]
struct OverviewRow {
    #[sqlx(flatten)]
    program: ProgramRow,
    cycles: i64,
}

/// Every program with its number of cycles, in display order.
#[tracing::instrument(skip_all)]
pub async fn overview(ex: Exec<'_>) -> DbResult<Vec<Overview>> {
    let sql = format!(
        "SELECT {COLUMNS}, (SELECT COUNT(*) FROM cycles c WHERE c.program_id = p.id) AS cycles \
         FROM programs p ORDER BY p.archived_at IS NOT NULL, p.position, p.name"
    );
    let rows: Vec<OverviewRow> = run!(ex, c => sqlx::query_as(&sql).fetch_all(c).await)?;
    rows.into_iter()
        .map(|r| {
            Ok(Overview {
                cycles: r.cycles,
                program: convert(r.program)?,
            })
        })
        .collect()
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

/// Inserts a program after the others, with the slug `slug`; a slug
/// taken is a unique violation ([`super::is_unique_violation`]).
#[tracing::instrument(skip_all)]
pub async fn insert(ex: Exec<'_>, slug: &str, f: &ProgramFields) -> DbResult<ProgramId> {
    let sql = "INSERT INTO programs (slug, name, kind, description, eligibility, contact_email, is_public, position) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, (SELECT COALESCE(MAX(position), -1) + 1 FROM programs)) \
               RETURNING id";
    let rows: Result<Vec<ProgramId>, _> = run!(ex, c => sqlx::query_scalar(sql)
        .bind(slug)
        .bind(f.name.as_str())
        .bind(f.kind.as_str())
        .bind(f.description.as_str())
        .bind(f.eligibility.as_str())
        .bind(f.contact_email.as_str())
        .bind(f.public)
        .fetch_all(c)
        .await);
    super::returned_one(rows)
}

/// Stores program `id`'s details; the slug too when `f.slug` is given (a
/// slug taken is a unique violation).
#[tracing::instrument(skip_all)]
pub async fn update(ex: Exec<'_>, id: ProgramId, f: &ProgramFields) -> DbResult<()> {
    let sql = "UPDATE programs SET name = $1, kind = $2, description = $3, eligibility = $4, \
               contact_email = $5, is_public = $6, slug = COALESCE($7, slug) WHERE id = $8";
    execute!(
        ex,
        sqlx::query(sql)
            .bind(f.name.as_str())
            .bind(f.kind.as_str())
            .bind(f.description.as_str())
            .bind(f.eligibility.as_str())
            .bind(f.contact_email.as_str())
            .bind(f.public)
            .bind(f.slug.as_deref())
            .bind(id)
    )?;
    Ok(())
}

/// Archives program `id` at `at`, or brings it back with `None`.
#[tracing::instrument(skip_all)]
pub async fn set_archived(ex: Exec<'_>, id: ProgramId, at: Option<DateTime<Utc>>) -> DbResult<()> {
    execute!(
        ex,
        sqlx::query("UPDATE programs SET archived_at = $1 WHERE id = $2")
            .bind(at)
            .bind(id)
    )?;
    Ok(())
}

/// Takes the write lock on program `id` before reading what a change
/// compares against (on SQLite the transaction holds it already).
#[tracing::instrument(skip_all)]
pub async fn lock(ex: Exec<'_>, id: ProgramId) -> DbResult<()> {
    execute!(
        ex,
        sqlx::query("UPDATE programs SET name = name WHERE id = $1").bind(id)
    )?;
    Ok(())
}

/// A program with its current call: the cycle open now (the one closing
/// first), else the next to open, else none.
#[derive(Debug, Clone)]
pub struct Call {
    pub program: Program,
    pub cycle: Option<Cycle>,
}

#[derive(sqlx::FromRow)]
struct CallRow {
    #[sqlx(flatten)]
    program: ProgramRow,
    cycle_id: Option<CycleId>,
    cycle_name: Option<String>,
    time_zone: Option<String>,
    opens_at: Option<DateTime<Utc>>,
    closes_at: Option<DateTime<Utc>>,
    letters_due_at: Option<DateTime<Utc>>,
    letters_grace_hours: Option<i64>,
    decision_planned_at: Option<DateTime<Utc>>,
    blind_review: Option<bool>,
}

/// What makes a cycle one the public may see, on the cycle `x`: appended
/// to both of [`calls`]' choices of cycle (the one place to add it).
const SHOWN_CYCLE: &str = " AND x.published";

/// The programs matching `filter` (SQL on `p`, parameters from `$2`)
/// with their current call at `$1`, in one query.
fn calls(filter: &str) -> String {
    format!(
        "SELECT {COLUMNS}, c.id AS cycle_id, c.name AS cycle_name, c.time_zone, c.opens_at, c.closes_at, \
         c.letters_due_at, c.letters_grace_hours, c.decision_planned_at, c.blind_review \
         FROM programs p LEFT JOIN cycles c ON c.id = COALESCE( \
           (SELECT x.id FROM cycles x WHERE x.program_id = p.id AND x.opens_at <= $1 AND x.closes_at > $1{SHOWN_CYCLE} \
            ORDER BY x.closes_at, x.id LIMIT 1), \
           (SELECT x.id FROM cycles x WHERE x.program_id = p.id AND x.opens_at > $1{SHOWN_CYCLE} \
            ORDER BY x.opens_at, x.id LIMIT 1)) \
         WHERE {filter} ORDER BY p.position, p.name"
    )
}

fn convert_call(r: CallRow) -> DbResult<Call> {
    let program = convert(r.program)?;
    let cycle = match (
        r.cycle_id,
        r.cycle_name,
        r.time_zone,
        r.opens_at,
        r.closes_at,
        r.letters_due_at,
        r.letters_grace_hours,
        r.decision_planned_at,
    ) {
        (
            Some(id),
            Some(name),
            Some(zone),
            Some(opens),
            Some(closes),
            Some(due),
            Some(grace),
            Some(decided),
        ) => {
            let time_zone = parse_zone(&zone).ok_or_else(|| {
                sqlx::Error::Decode(format!("cycle {id}: unknown time zone {zone}").into())
            })?;
            Some(Cycle {
                id,
                program_id: program.id,
                name,
                time_zone,
                opens_at: opens,
                closes_at: closes,
                letters_due_at: due,
                letters_grace: Duration::hours(grace),
                decision_planned_at: decided,
                blind_review: r.blind_review.unwrap_or(false),
                // Only published cycles are chosen (SHOWN_CYCLE).
                published: true,
            })
        }
        _ => None,
    };
    Ok(Call { program, cycle })
}

/// The public calls at `now`: every listed, unarchived program with its
/// current or next cycle, in display order. One query, however many
/// programs.
#[tracing::instrument(skip_all)]
pub async fn public_calls(ex: Exec<'_>, now: DateTime<Utc>) -> DbResult<Vec<Call>> {
    let sql = calls("p.is_public AND p.archived_at IS NULL");
    let rows: Vec<CallRow> = run!(ex, c => sqlx::query_as(&sql).bind(now).fetch_all(c).await)?;
    rows.into_iter().map(convert_call).collect()
}

/// The program whose short name is `slug` (listed, hidden or archived)
/// with its current or next cycle at `now`.
#[tracing::instrument(skip_all)]
pub async fn call_by_slug(ex: Exec<'_>, slug: &str, now: DateTime<Utc>) -> DbResult<Option<Call>> {
    let sql = calls("p.slug = $2");
    let row: Option<CallRow> =
        run!(ex, c => sqlx::query_as(&sql).bind(now).bind(slug).fetch_optional(c).await)?;
    row.map(convert_call).transpose()
}
