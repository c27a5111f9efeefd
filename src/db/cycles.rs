//! Cycles and their forms.

use chrono::{DateTime, Duration, Utc};

use super::{DbResult, Exec};
use crate::domain::cycle::{parse_zone, Cycle, CycleId};
use crate::domain::form::FormDefinition;
use crate::domain::program::ProgramId;
use crate::domain::workflow::review::{OtherReviews, ReviewSettings};
use crate::domain::workflow::rubric::Rubric;

#[derive(sqlx::FromRow)]
struct CycleRow {
    id: CycleId,
    program_id: ProgramId,
    name: String,
    time_zone: String,
    opens_at: DateTime<Utc>,
    closes_at: DateTime<Utc>,
    letters_due_at: DateTime<Utc>,
    letters_grace_hours: i64,
    decision_planned_at: DateTime<Utc>,
    blind_review: bool,
    published: bool,
    form_json: String,
    form_version: i64,
}

const COLUMNS: &str =
    "id, program_id, name, time_zone, opens_at, closes_at, letters_due_at, letters_grace_hours, \
                       decision_planned_at, blind_review, published, form_json, form_version";

/// A cycle with its form.
#[derive(Debug, Clone)]
pub struct CycleWithForm {
    pub cycle: Cycle,
    pub form: FormDefinition,
    /// The number of the form's current version.
    pub form_version: i64,
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
            published: r.published,
        },
        form,
        form_version: r.form_version,
    })
}

/// The cycle with this id.
#[tracing::instrument(skip_all)]
pub async fn find(ex: Exec<'_>, id: CycleId) -> DbResult<Option<CycleWithForm>> {
    let sql = format!("SELECT {COLUMNS} FROM cycles WHERE id = $1");
    let row: Option<CycleRow> =
        run!(ex, c => sqlx::query_as(&sql).bind(id).fetch_optional(c).await)?;
    row.map(convert).transpose()
}

/// A cycle as listed: its program's name and its dates (no form).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Listed {
    pub id: CycleId,
    pub program_id: ProgramId,
    pub program_name: String,
    pub name: String,
    pub time_zone: String,
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
}

/// Published cycles open at `now` of listed, unarchived programs, by program order
/// (a hidden program's cycle is reached from its page).
#[tracing::instrument(skip_all)]
pub async fn open_at(ex: Exec<'_>, now: DateTime<Utc>) -> DbResult<Vec<Listed>> {
    let sql = "SELECT c.id, c.program_id, p.name AS program_name, c.name, c.time_zone, c.opens_at, c.closes_at \
               FROM cycles c JOIN programs p ON p.id = c.program_id \
               WHERE c.published AND c.opens_at <= $1 AND c.closes_at > $1 AND p.is_public AND p.archived_at IS NULL \
               ORDER BY p.position, c.closes_at";
    run!(ex, c => sqlx::query_as(sql).bind(now).fetch_all(c).await)
}

/// Cycles of the given programs, newest first (for managers).
#[tracing::instrument(skip_all)]
pub async fn for_programs(ex: Exec<'_>, programs: &[ProgramId]) -> DbResult<Vec<Listed>> {
    if programs.is_empty() {
        return Ok(Vec::new());
    }
    let ids = programs
        .iter()
        .map(ProgramId::to_string)
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
#[tracing::instrument(skip_all)]
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

/// Inserts a cycle, published (seeding's cycles are open at once; the
/// set-up use cases unpublish theirs in the same transaction), with its
/// form as the form's first version and the three default outcomes (call
/// it in a transaction, so that all are written or none).
#[tracing::instrument(skip_all)]
pub async fn insert(mut ex: Exec<'_>, c: &NewCycle<'_>, now: DateTime<Utc>) -> DbResult<CycleId> {
    let sql = "INSERT INTO cycles (program_id, name, time_zone, opens_at, closes_at, letters_due_at, letters_grace_hours, \
               decision_planned_at, blind_review, form_json, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
               RETURNING id";
    let rows: Result<Vec<CycleId>, _> = run!(ex.reborrow(), conn => sqlx::query_scalar(sql)
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
        .fetch_all(conn)
        .await);
    let id = super::returned_one(rows)?;
    super::form_versions::insert(
        ex.reborrow(),
        id,
        1,
        c.form_json,
        None,
        "First version",
        now,
    )
    .await?;
    super::outcomes::insert_defaults(ex, id).await?;
    Ok(id)
}

/// How a cycle is reviewed: its settings and its rubric as stored.
#[derive(Debug, Clone)]
pub struct ReviewSetup {
    pub settings: ReviewSettings,
    pub rubric: Rubric,
    /// The rubric's JSON as stored (what the manager edits).
    pub rubric_json: String,
    /// The current rubric's version number.
    pub rubric_version: i64,
}

#[derive(sqlx::FromRow)]
struct ReviewRow {
    reviewers_per_application: i64,
    reviewer_cap: Option<i64>,
    show_other_reviews: String,
    disagreement_threshold: f64,
    rubric_json: String,
    rubric_version: i64,
}

/// The review settings and rubric of a cycle.
#[tracing::instrument(skip_all)]
pub async fn review_setup(ex: Exec<'_>, id: CycleId) -> DbResult<Option<ReviewSetup>> {
    let sql = "SELECT reviewers_per_application, reviewer_cap, show_other_reviews, disagreement_threshold, rubric_json, \
               rubric_version FROM cycles WHERE id = $1";
    let row: Option<ReviewRow> =
        run!(ex, c => sqlx::query_as(sql).bind(id).fetch_optional(c).await)?;
    let Some(r) = row else { return Ok(None) };
    let bad = |what: String| sqlx::Error::Decode(what.into());
    let rubric = Rubric::parse(&r.rubric_json).map_err(|e| bad(format!("cycle {id}: {e}")))?;
    Ok(Some(ReviewSetup {
        settings: ReviewSettings {
            reviewers_per_application: u32::try_from(r.reviewers_per_application).unwrap_or(3),
            reviewer_cap: r.reviewer_cap.and_then(|c| u32::try_from(c).ok()),
            other_reviews: OtherReviews::parse(&r.show_other_reviews)
                .ok_or_else(|| bad(format!("cycle {id}: {}", r.show_other_reviews)))?,
            disagreement_threshold: r.disagreement_threshold,
        },
        rubric,
        rubric_json: r.rubric_json,
        rubric_version: r.rubric_version,
    }))
}

/// Stores a cycle's review settings and blind flag.
#[tracing::instrument(skip_all)]
pub async fn set_review_settings(
    ex: Exec<'_>,
    id: CycleId,
    s: &ReviewSettings,
    blind_review: bool,
) -> DbResult<()> {
    let sql = "UPDATE cycles SET reviewers_per_application = $1, reviewer_cap = $2, show_other_reviews = $3, \
               disagreement_threshold = $4, blind_review = $5 WHERE id = $6";
    execute!(
        ex,
        sqlx::query(sql)
            .bind(i64::from(s.reviewers_per_application))
            .bind(s.reviewer_cap.map(i64::from))
            .bind(s.other_reviews.as_str())
            .bind(s.disagreement_threshold)
            .bind(blind_review)
            .bind(id)
    )?;
    Ok(())
}

/// Sets a cycle's rubric (already checked by [`Rubric::parse`]) as its
/// next version, by the portal (seeding, a new or cloned cycle), dated
/// with the cycle's creation; a manager's change goes through
/// [`super::rubrics::record`] with who and when. Returns the version's
/// number.
#[tracing::instrument(skip_all)]
pub async fn set_rubric(ex: Exec<'_>, id: CycleId, rubric_json: &str) -> DbResult<i64> {
    super::rubrics::record(ex, id, rubric_json, None, None).await
}

/// Gives every cycle of `program` without a rubric this one (as its first
/// version); returns how many.
#[tracing::instrument(skip_all)]
pub async fn fill_missing_rubrics(
    mut ex: Exec<'_>,
    program: ProgramId,
    rubric_json: &str,
) -> DbResult<u64> {
    let sql = "SELECT id FROM cycles WHERE program_id = $1 AND rubric_json = '' ORDER BY id";
    let ids: Vec<CycleId> =
        run!(ex.reborrow(), c => sqlx::query_scalar(sql).bind(program).fetch_all(c).await)?;
    for id in &ids {
        set_rubric(ex.reborrow(), *id, rubric_json).await?;
    }
    Ok(ids.len() as u64)
}

/// Sets the days an accepted applicant has to answer an offer.
#[tracing::instrument(skip_all)]
pub async fn set_offer_days(ex: Exec<'_>, id: CycleId, days: i64) -> DbResult<()> {
    execute!(
        ex,
        sqlx::query("UPDATE cycles SET offer_days = $1 WHERE id = $2")
            .bind(days)
            .bind(id)
    )?;
    Ok(())
}

/// Days an accepted applicant has to answer an offer.
#[tracing::instrument(skip_all)]
pub async fn offer_days(ex: Exec<'_>, id: CycleId) -> DbResult<i64> {
    run!(ex, c => sqlx::query_scalar("SELECT offer_days FROM cycles WHERE id = $1").bind(id).fetch_one(c).await)
}

/// Takes the write lock for a change across a cycle (assigning reviewers,
/// releasing decisions), before reading what it depends on; see
/// [`super::applications::lock`].
#[tracing::instrument(skip_all)]
pub async fn lock(ex: Exec<'_>, id: CycleId) -> DbResult<()> {
    execute!(
        ex,
        sqlx::query("UPDATE cycles SET name = name WHERE id = $1").bind(id)
    )?;
    Ok(())
}
