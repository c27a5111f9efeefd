//! Applications, their stage events and deadline extensions. A stage
//! changes only through [`move_stage`], which writes the event in the same
//! transaction and refuses if the stage moved meanwhile.

use chrono::{DateTime, Utc};

use super::{search, DbResult, Exec};
use crate::domain::application::ApplicationId;
use crate::domain::cycle::CycleId;
use crate::domain::form::Answers;
use crate::domain::user::UserId;
use crate::domain::workflow::stage::{Actor, Move, Stage};

#[derive(sqlx::FromRow)]
struct Row {
    id: ApplicationId,
    cycle_id: CycleId,
    applicant_id: UserId,
    stage: String,
    answers_json: String,
    form_version: i64,
    deadline_extended_to: Option<DateTime<Utc>>,
    decision_released: bool,
    submitted_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

/// An application as stored.
#[derive(Debug, Clone)]
pub struct Application {
    pub id: ApplicationId,
    pub cycle_id: CycleId,
    pub applicant_id: UserId,
    pub stage: Stage,
    pub answers: Answers,
    /// The version of the cycle's form the answers were given under.
    pub form_version: i64,
    pub deadline_extended_to: Option<DateTime<Utc>>,
    pub decision_released: bool,
    pub submitted_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const COLUMNS: &str =
    "id, cycle_id, applicant_id, stage, answers_json, form_version, deadline_extended_to, decision_released, \
                       submitted_at, created_at, updated_at";

fn convert(r: Row) -> DbResult<Application> {
    let bad = |what: String| sqlx::Error::Decode(what.into());
    Ok(Application {
        id: r.id,
        cycle_id: r.cycle_id,
        applicant_id: r.applicant_id,
        stage: Stage::parse(&r.stage)
            .ok_or_else(|| bad(format!("application {}: stage {}", r.id, r.stage)))?,
        answers: serde_json::from_str(&r.answers_json)
            .map_err(|e| bad(format!("application {}: {e}", r.id)))?,
        form_version: r.form_version,
        deadline_extended_to: r.deadline_extended_to,
        decision_released: r.decision_released,
        submitted_at: r.submitted_at,
        created_at: r.created_at,
        updated_at: r.updated_at,
    })
}

fn to_json(answers: &Answers) -> String {
    serde_json::to_string(answers).unwrap_or_else(|_| "{}".into())
}

/// Creates a draft and its first event (call it in a transaction); a
/// second one for the same applicant and cycle is a unique violation.
#[tracing::instrument(skip_all)]
pub async fn create(
    mut ex: Exec<'_>,
    cycle: CycleId,
    applicant: UserId,
    answers: &Answers,
    eligibility_json: &str,
    now: DateTime<Utc>,
) -> DbResult<ApplicationId> {
    let id = run!(ex.reborrow(), c => {
        let id: Result<Vec<ApplicationId>, _> = sqlx::query_scalar(
            "INSERT INTO applications (cycle_id, applicant_id, stage, answers_json, eligibility_json, created_at, updated_at, form_version) \
             VALUES ($1, $2, 'draft', $3, $4, $5, $5, (SELECT form_version FROM cycles WHERE id = $1)) RETURNING id",
        )
        .bind(cycle)
        .bind(applicant)
        .bind(to_json(answers))
        .bind(eligibility_json)
        .bind(now)
        .fetch_all(&mut *c)
        .await;
        let id = super::returned_one(id)?;
        sqlx::query(
            "INSERT INTO application_events (application_id, from_stage, to_stage, move, actor_id, actor_role, note, created_at) \
             VALUES ($1, NULL, 'draft', 'start', $2, 'applicant', '', $3)",
        )
        .bind(id)
        .bind(applicant)
        .bind(now)
        .execute(&mut *c)
        .await?;
        Ok::<_, sqlx::Error>(id)
    })?;
    super::scores::created(ex, id, cycle, Stage::Draft).await?;
    Ok(id)
}

/// The application with this id.
#[tracing::instrument(skip_all)]
pub async fn find(ex: Exec<'_>, id: ApplicationId) -> DbResult<Option<Application>> {
    let sql = format!("SELECT {COLUMNS} FROM applications WHERE id = $1");
    let row: Option<Row> = run!(ex, c => sqlx::query_as(&sql).bind(id).fetch_optional(c).await)?;
    row.map(convert).transpose()
}

/// The applicant's application to a cycle, if any.
#[tracing::instrument(skip_all)]
pub async fn find_for(
    ex: Exec<'_>,
    cycle: CycleId,
    applicant: UserId,
) -> DbResult<Option<Application>> {
    let sql =
        format!("SELECT {COLUMNS} FROM applications WHERE cycle_id = $1 AND applicant_id = $2");
    let row: Option<Row> =
        run!(ex, c => sqlx::query_as(&sql).bind(cycle).bind(applicant).fetch_optional(c).await)?;
    row.map(convert).transpose()
}

/// An application as listed on the applicant's own page.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Listed {
    pub id: ApplicationId,
    pub cycle_id: CycleId,
    pub program_name: String,
    pub cycle_name: String,
    pub stage: String,
    pub decision_released: bool,
    pub updated_at: DateTime<Utc>,
}

/// The applicant's applications, newest first (a handful per person).
#[tracing::instrument(skip_all)]
pub async fn for_applicant(ex: Exec<'_>, applicant: UserId) -> DbResult<Vec<Listed>> {
    let sql = "SELECT a.id, a.cycle_id, p.name AS program_name, c.name AS cycle_name, a.stage, a.decision_released, a.updated_at \
               FROM applications a JOIN cycles c ON c.id = a.cycle_id JOIN programs p ON p.id = c.program_id \
               WHERE a.applicant_id = $1 ORDER BY a.created_at DESC";
    run!(ex, c => sqlx::query_as(sql).bind(applicant).fetch_all(c).await)
}

/// Stores the answers of a draft, now given under form version
/// `form_version`; `false` when it is no longer a draft.
#[tracing::instrument(skip_all)]
pub async fn save_answers(
    ex: Exec<'_>,
    id: ApplicationId,
    answers: &Answers,
    form_version: i64,
    now: DateTime<Utc>,
) -> DbResult<bool> {
    let sql = "UPDATE applications SET answers_json = $1, updated_at = $2, form_version = $4 \
               WHERE id = $3 AND stage = 'draft'";
    Ok(execute!(
        ex,
        sqlx::query(sql)
            .bind(to_json(answers))
            .bind(now)
            .bind(id)
            .bind(form_version)
    )? == 1)
}

/// Records that a draft's answers were checked (and are submitted) under
/// form version `form_version`.
#[tracing::instrument(skip_all)]
pub async fn set_form_version(ex: Exec<'_>, id: ApplicationId, form_version: i64) -> DbResult<()> {
    execute!(
        ex,
        sqlx::query("UPDATE applications SET form_version = $1 WHERE id = $2")
            .bind(form_version)
            .bind(id)
    )?;
    Ok(())
}

/// A submitted application's answers as a form change weighs them.
#[derive(Debug, Clone)]
pub struct Answered {
    pub id: ApplicationId,
    pub form_version: i64,
    pub answers: Answers,
}

/// How many submitted applications a form change weighs at a time.
pub const ANSWERED_BATCH: i64 = 200;

/// The answers of up to [`ANSWERED_BATCH`] applications to cycle `cycle`
/// past the draft stage, with ids above `after`, in id order: a form
/// change weighs a cycle a batch at a time.
#[tracing::instrument(skip_all)]
pub async fn submitted_answers_after(
    ex: Exec<'_>,
    cycle: CycleId,
    after: ApplicationId,
) -> DbResult<Vec<Answered>> {
    let rows: Vec<(ApplicationId, i64, String)> = run!(ex, c => sqlx::query_as(
        "SELECT id, form_version, answers_json FROM applications \
         WHERE cycle_id = $1 AND stage <> 'draft' AND id > $2 ORDER BY id LIMIT $3"
    ).bind(cycle).bind(after).bind(ANSWERED_BATCH).fetch_all(c).await)?;
    rows.into_iter()
        .map(|(id, form_version, answers)| {
            Ok(Answered {
                id,
                form_version,
                answers: serde_json::from_str(&answers)
                    .map_err(|e| sqlx::Error::Decode(format!("application {id}: {e}").into()))?,
            })
        })
        .collect()
}

/// The question keys answered in some application of cycle `cycle`,
/// drafts included, gathered by the database from the stored answers
/// (each backend reads JSON with its own functions).
#[tracing::instrument(skip_all)]
pub async fn answered_keys(ex: Exec<'_>, cycle: CycleId) -> DbResult<Vec<String>> {
    match ex {
        Exec::Sqlite(c) => {
            sqlx::query_scalar(
                "SELECT DISTINCT j.key FROM applications a, json_each(a.answers_json) j \
                 WHERE a.cycle_id = $1",
            )
            .bind(cycle)
            .fetch_all(c)
            .await
        }
        Exec::Postgres(c) => sqlx::query_scalar(
            "SELECT DISTINCT k FROM applications a, jsonb_object_keys(a.answers_json::jsonb) k \
                 WHERE a.cycle_id = $1",
        )
        .bind(cycle)
        .fetch_all(c)
        .await,
    }
}

/// The question keys of cycle `cycle` that hold an attached document or a
/// named referee in some application.
#[tracing::instrument(skip_all)]
pub async fn attached_keys(ex: Exec<'_>, cycle: CycleId) -> DbResult<Vec<String>> {
    run!(ex, c => sqlx::query_scalar(
        "SELECT d.question_key FROM application_documents d JOIN applications a ON a.id = d.application_id \
         WHERE a.cycle_id = $1 \
         UNION SELECT r.question_key FROM referee_requests r JOIN applications a ON a.id = r.application_id \
         WHERE a.cycle_id = $1"
    ).bind(cycle).fetch_all(c).await)
}

/// Moves an application from `from` to `to` and records the event; `false`
/// (nothing written) when the stage is no longer `from`.
#[expect(clippy::too_many_arguments, reason = "one event has this many facts")]
#[tracing::instrument(skip_all)]
pub async fn move_stage(
    mut ex: Exec<'_>,
    id: ApplicationId,
    from: Stage,
    to: Stage,
    mv: Move,
    actor: Option<UserId>,
    role: Actor,
    note: &str,
    now: DateTime<Utc>,
) -> DbResult<bool> {
    let moved = run!(ex.reborrow(), c => {
        let changed = sqlx::query(
            "UPDATE applications SET stage = $1, updated_at = $2, \
             submitted_at = CASE WHEN $1 = 'submitted' THEN $2 ELSE submitted_at END \
             WHERE id = $3 AND stage = $4",
        )
        .bind(to.as_str())
        .bind(now)
        .bind(id)
        .bind(from.as_str())
        .execute(&mut *c)
        .await?;
        if changed.rows_affected() != 1 {
            return Ok(false);
        }
        if [from, to].iter().any(|s| matches!(s, Stage::Withdrawn | Stage::Ineligible)) {
            // Off the reviewers' desks while withdrawn or ineligible.
            sqlx::query(
                "UPDATE assignments SET lane = CASE WHEN $2 IN ('withdrawn', 'ineligible') THEN 'off' \
                 WHEN EXISTS (SELECT 1 FROM reviews r WHERE r.assignment_id = assignments.id \
                 AND r.state = 'submitted') THEN 'done' ELSE 'to_do' END WHERE application_id = $1",
            )
            .bind(id)
            .bind(to.as_str())
            .execute(&mut *c)
            .await?;
        }
        sqlx::query(
            "INSERT INTO application_events (application_id, from_stage, to_stage, move, actor_id, actor_role, note, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(id)
        .bind(from.as_str())
        .bind(to.as_str())
        .bind(mv.as_str())
        .bind(actor)
        .bind(role.as_str())
        .bind(note)
        .bind(now)
        .execute(&mut *c)
        .await?;
        Ok::<_, sqlx::Error>(true)
    })?;
    if moved {
        super::scores::moved(ex, id, from, to).await?;
    }
    Ok(moved)
}

/// One recorded change of stage.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Event {
    pub from_stage: Option<String>,
    pub to_stage: String,
    pub move_name: String,
    pub actor_role: String,
    pub note: String,
    pub created_at: DateTime<Utc>,
}

/// The events of an application, oldest first.
#[tracing::instrument(skip_all)]
pub async fn events(ex: Exec<'_>, id: ApplicationId) -> DbResult<Vec<Event>> {
    let sql = "SELECT from_stage, to_stage, move AS move_name, actor_role, note, created_at FROM application_events \
               WHERE application_id = $1 ORDER BY id";
    run!(ex, c => sqlx::query_as(sql).bind(id).fetch_all(c).await)
}

/// Gives one application a later deadline, recording who, when and why.
#[tracing::instrument(skip_all)]
pub async fn extend(
    ex: Exec<'_>,
    id: ApplicationId,
    new_deadline: DateTime<Utc>,
    reason: &str,
    by: UserId,
    now: DateTime<Utc>,
) -> DbResult<()> {
    run!(ex, c => {
        sqlx::query("UPDATE applications SET deadline_extended_to = $1, updated_at = $2 WHERE id = $3")
            .bind(new_deadline)
            .bind(now)
            .bind(id)
            .execute(&mut *c)
            .await?;
        sqlx::query(
            "INSERT INTO application_extensions (application_id, new_deadline, reason, granted_by, granted_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(new_deadline)
        .bind(reason)
        .bind(by)
        .bind(now)
        .execute(&mut *c)
        .await?;
        Ok(())
    })
}

/// How many applications of a cycle are in each stage.
#[tracing::instrument(skip_all)]
pub async fn count_by_stage(ex: Exec<'_>, cycle: CycleId) -> DbResult<Vec<(String, i64)>> {
    let sql = "SELECT stage, COUNT(*) FROM applications WHERE cycle_id = $1 GROUP BY stage";
    run!(ex, c => sqlx::query_as(sql).bind(cycle).fetch_all(c).await)
}

/// Keeps the institution the applicant gave (for search and conflict
/// detection); called when the application is submitted.
#[tracing::instrument(skip_all)]
pub async fn set_institution(ex: Exec<'_>, id: ApplicationId, institution: &str) -> DbResult<()> {
    execute!(
        ex,
        sqlx::query("UPDATE applications SET institution = $1 WHERE id = $2")
            .bind(institution)
            .bind(id)
    )?;
    Ok(())
}

/// The screening outcome stored with an application.
#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub struct Screening {
    pub institution: String,
    pub screening_reason: String,
    pub screening_note: String,
    pub screening_reason_shared: bool,
}

/// The institution and screening outcome of an application.
#[tracing::instrument(skip_all)]
pub async fn screening(ex: Exec<'_>, id: ApplicationId) -> DbResult<Screening> {
    let sql = "SELECT institution, screening_reason, screening_note, screening_reason_shared FROM applications WHERE id = $1";
    let row: Option<Screening> =
        run!(ex, c => sqlx::query_as(sql).bind(id).fetch_optional(c).await)?;
    Ok(row.unwrap_or_default())
}

/// Records why an application was found ineligible (call it in the
/// transaction of the stage move).
#[tracing::instrument(skip_all)]
pub async fn set_screening(
    ex: Exec<'_>,
    id: ApplicationId,
    reason: &str,
    note: &str,
    shared: bool,
) -> DbResult<()> {
    let sql = "UPDATE applications SET screening_reason = $1, screening_note = $2, screening_reason_shared = $3 WHERE id = $4";
    execute!(
        ex,
        sqlx::query(sql)
            .bind(reason)
            .bind(note)
            .bind(shared)
            .bind(id)
    )?;
    Ok(())
}

/// What the manager's list of a cycle is narrowed to.
#[derive(Debug, Clone)]
pub struct PipelineFilter {
    /// One stage's stored name, or empty for every stage but draft.
    pub stage: String,
    /// Only applications assigned to this reviewer.
    pub reviewer: Option<UserId>,
    /// `unassigned`, `in_progress` (assigned, not every review in) or
    /// `complete` (every assigned review submitted), or empty.
    pub progress: String,
    /// `overdue`, `conflict` (declared by a reviewer) or `disagreement`, or empty.
    pub flag: String,
    /// Only applications with this label.
    pub label: Option<i64>,
    /// Only applications waiting for screening (submitted or in screening).
    pub waiting: bool,
    /// Text searched for in the applicant's name, email and institution.
    pub search: String,
    /// Squared disagreement threshold (points squared), for the flag.
    pub threshold_squared: f64,
    /// Leave out this applicant's application (the manager's own).
    pub hide_applicant: UserId,
}

/// Orders the manager's list can take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PipelineSort {
    Submitted,
    Name,
    Institution,
    Stage,
}

impl PipelineSort {
    /// Every order, in the order offered.
    pub const ALL: [Self; 4] = [Self::Submitted, Self::Name, Self::Institution, Self::Stage];

    /// The name in the address.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Submitted => "submitted",
            Self::Name => "name",
            Self::Institution => "institution",
            Self::Stage => "stage",
        }
    }

    /// Reads the name in the address.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.as_str() == s)
    }

    fn column(self) -> &'static str {
        match self {
            Self::Submitted => "a.submitted_at",
            Self::Name => "LOWER(u.name)",
            Self::Institution => "LOWER(a.institution)",
            Self::Stage => "a.stage",
        }
    }
}

/// One row of the manager's list.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PipelineRow {
    pub id: ApplicationId,
    pub applicant_name: String,
    pub applicant_email: String,
    pub institution: String,
    pub stage: String,
    pub submitted_at: Option<DateTime<Utc>>,
    pub assigned: i64,
    pub reviewed: i64,
    pub overdue: i64,
    pub declared_conflicts: i64,
    pub variance: Option<f64>,
    /// The mean weighted total of the submitted reviews.
    pub score: Option<f64>,
}

/// A value bound to a statement built from the filters that are set.
enum Param {
    Int(i64),
    Text(String),
    Real(f64),
    Time(DateTime<Utc>),
}

/// Binds `params` in order to `query` (a `query`, `query_as` or
/// `query_scalar` of either backend).
macro_rules! bind_all {
    ($query:expr, $params:expr) => {{
        let mut q = $query;
        for p in $params {
            q = match p {
                Param::Int(v) => q.bind(*v),
                Param::Text(v) => q.bind(v.clone()),
                Param::Real(v) => q.bind(*v),
                Param::Time(v) => q.bind(*v),
            };
        }
        q
    }};
}

/// The list's filters as SQL: the conditions other than the cycle's, and
/// the parameters of all of them (`$1` the cycle).
struct ListFilter {
    rest: String,
    params: Vec<Param>,
    /// A search the backend reads from a full-text index whose matches
    /// can drive the query (SQLite's FTS5).
    full_text: bool,
}

impl ListFilter {
    /// The `WHERE` clause. `from_matches` (for a search on SQLite): the `+`
    /// keeps SQLite from walking the cycle's index in list order and
    /// testing every application against the matches; it starts from the
    /// matches (ids from the full-text index) and sorts those, cheaper for
    /// a word few applications have. For a common word walking the index
    /// is cheaper: a page of matches comes early.
    fn sql(&self, from_matches: bool) -> String {
        let cycle = if from_matches && self.full_text {
            "+a.cycle_id = $1"
        } else {
            "a.cycle_id = $1"
        };
        format!("{cycle} AND {}", self.rest)
    }
}

/// The list's filters with only those that are set, each a condition on
/// indexed columns or a set computed once for the cycle (never a subquery
/// per row); a search goes through the backend's index (`db::search`).
fn pipeline_filter(
    cycle: CycleId,
    f: &PipelineFilter,
    now: DateTime<Utc>,
    syntax: search::Syntax,
) -> ListFilter {
    let mut params = vec![Param::Int(cycle.0)];
    let next = |params: &mut Vec<Param>, p: Param| {
        params.push(p);
        format!("${}", params.len())
    };
    let mut conditions = vec![
        "a.stage <> 'draft'".to_owned(),
        // An integer id, never text: safe to inline.
        format!("a.applicant_id <> {}", f.hide_applicant),
    ];
    if !f.stage.is_empty() {
        let n = next(&mut params, Param::Text(f.stage.clone()));
        conditions.push(format!("a.stage = {n}"));
    }
    if f.waiting {
        conditions.push("a.stage IN ('submitted', 'screening')".to_owned());
    }
    if let Some(r) = f.reviewer {
        let n = next(&mut params, Param::Int(r.0));
        conditions.push(format!(
            "a.id IN (SELECT application_id FROM assignments WHERE cycle_id = $1 AND reviewer_id = {n})"
        ));
    }
    // Review progress and disagreement from the applications' summary rows
    // (`db::scores`): an assignment is open while its application has
    // fewer submitted reviews than live assignments.
    let scores = "SELECT application_id FROM application_scores WHERE cycle_id = $1";
    match f.progress.as_str() {
        "unassigned" => conditions.push(format!("a.id NOT IN ({scores} AND assigned > 0)")),
        "in_progress" => conditions.push(format!("a.id IN ({scores} AND assigned > reviewed)")),
        "complete" => conditions.push(format!(
            "a.id IN ({scores} AND assigned > 0 AND reviewed >= assigned)"
        )),
        _ => {}
    }
    match f.flag.as_str() {
        "overdue" => {
            // The partial index of open assignments holds only these.
            let n = next(&mut params, Param::Time(now));
            conditions.push(format!(
                "a.id IN (SELECT application_id FROM assignments WHERE cycle_id = $1 AND {} AND due_at < {n})",
                super::assignments::open_review!()
            ));
        }
        "conflict" => conditions.push(
            "a.id IN (SELECT application_id FROM conflicts WHERE source = 'declared')".to_owned(),
        ),
        "disagreement" => {
            let n = next(&mut params, Param::Real(f.threshold_squared));
            conditions.push(format!(
                "a.id IN ({scores} AND reviewed >= 2 AND variance > {n})"
            ));
        }
        _ => {}
    }
    if let Some(l) = f.label {
        // An integer id, never text: safe to inline.
        conditions.push(format!(
            "a.id IN (SELECT application_id FROM application_labels WHERE label_id = {l})"
        ));
    }
    if !f.search.trim().is_empty() {
        match syntax.value(&f.search) {
            Some(value) => {
                let n = next(&mut params, Param::Text(value));
                conditions.push(syntax.condition(&n));
            }
            // Nothing in the text can match (only punctuation).
            None => conditions.push("1 = 0".to_owned()),
        }
    }
    ListFilter {
        rest: conditions.join(" AND "),
        params,
        full_text: !f.search.trim().is_empty() && syntax == search::Syntax::Fts5,
    }
}

/// How far a search counts its matches past the page asked for: a search
/// matching more says "more than" (the bulk action's confirmation still
/// counts them all).
pub const SEARCH_COUNT_AHEAD: i64 = 500;

/// How many applications a list matches: all of them, or, for a search
/// that matches more than [`SEARCH_COUNT_AHEAD`] past its page, at least
/// `total`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Matching {
    pub total: i64,
    pub more: bool,
}

/// One page of a cycle's applications (drafts excluded) as filtered and
/// sorted, and how many match (see [`Matching`]). The page is chosen first
/// (ids only, from indexes); its figures are then read for those rows
/// alone, from their summary rows.
#[expect(
    clippy::too_many_arguments,
    reason = "filter, order and page of one list"
)]
#[tracing::instrument(skip_all)]
pub async fn pipeline(
    ex: Exec<'_>,
    cycle: CycleId,
    f: &PipelineFilter,
    sort: PipelineSort,
    descending: bool,
    now: DateTime<Utc>,
    offset: i64,
    limit: i64,
) -> DbResult<(Vec<PipelineRow>, Matching)> {
    let searching = !f.search.trim().is_empty();
    let list = pipeline_filter(cycle, f, now, search::Syntax::of(&ex));
    let (filter, from_matches, params) = (list.sql(false), list.sql(true), list.params);
    let from = if sort == PipelineSort::Name {
        "applications a JOIN users u ON u.id = a.applicant_id"
    } else {
        "applications a"
    };
    let dir = if descending { "DESC" } else { "ASC" };
    let page_sql = |filter: &str| {
        format!(
            "SELECT a.id FROM {from} WHERE {filter} ORDER BY {} {dir}, a.id {dir} LIMIT {limit} OFFSET {offset}",
            sort.column()
        )
    };
    // A search whose matches were all counted reads its page from them;
    // one with more walks the list's order (a page of matches comes early).
    let (walk_sql, matches_sql) = (page_sql(&filter), page_sql(&from_matches));
    let count_sql = if f.reviewer.is_none()
        && f.label.is_none()
        && f.progress.is_empty()
        && f.flag.is_empty()
        && !searching
    {
        // Narrowed by stage at most: the cycle's counts per stage (kept
        // with every stage change), less the manager's own application.
        let mut stage = "stage <> 'draft'".to_owned();
        if !f.stage.is_empty() {
            stage.push_str(" AND stage = $2");
        }
        if f.waiting {
            stage.push_str(" AND stage IN ('submitted', 'screening')");
        }
        format!(
            "SELECT CAST(COALESCE(SUM(applications), 0) AS BIGINT) - (SELECT COUNT(*) FROM applications \
             WHERE cycle_id = $1 AND applicant_id = {} AND {stage}) FROM cycle_stage_counts \
             WHERE cycle_id = $1 AND {stage}",
            f.hide_applicant
        )
    } else if searching {
        // Counted from the matches (see `ListFilter::sql`), and no further
        // than needed to say "more than".
        format!(
            "SELECT COUNT(*) FROM (SELECT 1 FROM applications a WHERE {from_matches} LIMIT {}) m",
            offset.saturating_add(SEARCH_COUNT_AHEAD) + 1
        )
    } else {
        format!("SELECT COUNT(*) FROM applications a WHERE {filter}")
    };
    let counted_up_to = if !searching {
        i64::MAX
    } else {
        offset.saturating_add(SEARCH_COUNT_AHEAD)
    };
    let figures_sql = |ids: &[ApplicationId]| {
        format!(
            "SELECT a.id, u.name AS applicant_name, u.email AS applicant_email, a.institution, a.stage, a.submitted_at, \
             CAST(COALESCE(s.assigned, 0) AS BIGINT) AS assigned, CAST(COALESCE(s.reviewed, 0) AS BIGINT) AS reviewed, \
             (SELECT COUNT(*) FROM assignments o WHERE o.application_id = a.id AND o.review <> 'submitted' AND o.due_at < $1) AS overdue, \
             (SELECT COUNT(*) FROM conflicts k WHERE k.application_id = a.id AND k.source = 'declared') AS declared_conflicts, \
             CASE WHEN s.reviewed >= 2 THEN s.variance END AS variance, s.total AS score \
             FROM applications a JOIN users u ON u.id = a.applicant_id \
             LEFT JOIN application_scores s ON s.application_id = a.id WHERE a.id IN ({})",
            super::assignments::join_ids(ids)
        )
    };
    run!(ex, c => {
        let total: i64 = bind_all!(sqlx::query_scalar(&count_sql), &params)
            .fetch_one(&mut *c)
            .await?;
        let page_sql = if searching && total <= counted_up_to { &matches_sql } else { &walk_sql };
        let ids: Vec<ApplicationId> = bind_all!(sqlx::query_scalar(page_sql), &params)
            .fetch_all(&mut *c)
            .await?;
        let mut rows: Vec<PipelineRow> = if ids.is_empty() {
            Vec::new()
        } else {
            sqlx::query_as(&figures_sql(&ids)).bind(now).fetch_all(&mut *c).await?
        };
        // Back in the page's order.
        rows.sort_by_key(|r| ids.iter().position(|id| *id == r.id));
        Ok((rows, Matching { total: total.min(counted_up_to), more: total > counted_up_to }))
    })
}

/// Every application of `cycle` the list's filters match (the bulk
/// action's "all N matching"), in id order: ids only, from the indexes.
#[tracing::instrument(skip_all)]
pub async fn pipeline_ids(
    ex: Exec<'_>,
    cycle: CycleId,
    f: &PipelineFilter,
    now: DateTime<Utc>,
) -> DbResult<Vec<ApplicationId>> {
    let list = pipeline_filter(cycle, f, now, search::Syntax::of(&ex));
    let (filter, params) = (list.sql(false), list.params);
    let sql = format!("SELECT a.id FROM applications a WHERE {filter} ORDER BY a.id");
    run!(ex, c => {
        let ids: Vec<ApplicationId> = bind_all!(sqlx::query_scalar(&sql), &params)
            .fetch_all(&mut *c)
            .await?;
        Ok(ids)
    })
}

/// Takes the write lock for a change to one application, before reading
/// what the change depends on: on PostgreSQL the row is locked until the
/// transaction ends (a second change waits, then sees the first); on
/// SQLite the write transaction starts here, so a reader that writes later
/// cannot find its snapshot stale.
#[tracing::instrument(skip_all)]
pub async fn lock(ex: Exec<'_>, id: ApplicationId) -> DbResult<()> {
    execute!(
        ex,
        sqlx::query("UPDATE applications SET updated_at = updated_at WHERE id = $1").bind(id)
    )?;
    Ok(())
}
