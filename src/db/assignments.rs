//! Reviewer assignments and conflicts. A conflicted reviewer is never
//! assigned: recording a conflict withdraws the assignment (and its draft
//! review) in the same transaction.

use chrono::{DateTime, Utc};

use super::{DbResult, Exec};
use crate::domain::application::ApplicationId;
use crate::domain::cycle::CycleId;
use crate::domain::program::ProgramId;
use crate::domain::user::UserId;
use crate::domain::workflow::review::ReviewState;

/// A reviewer of a program, with what conflict detection needs.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Reviewer {
    pub id: UserId,
    pub name: String,
    pub email: String,
    pub institution: String,
}

/// The reviewers of a program, by name.
#[tracing::instrument(skip_all)]
pub async fn reviewers_of(ex: Exec<'_>, program: ProgramId) -> DbResult<Vec<Reviewer>> {
    let sql = "SELECT u.id, u.name, u.email, COALESCE(p.institution, '') AS institution \
               FROM role_grants g JOIN users u ON u.id = g.user_id LEFT JOIN profiles p ON p.user_id = u.id \
               WHERE g.program_id = $1 AND g.role = 'reviewer' ORDER BY u.name, u.id";
    run!(ex, c => sqlx::query_as(sql).bind(program).fetch_all(c).await)
}

/// An application waiting for reviewers, with what conflict detection needs.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Candidate {
    pub id: ApplicationId,
    pub applicant_id: UserId,
    pub applicant_email: String,
    pub institution: String,
}

/// The applications of a cycle in review, or those of `only` when given.
#[tracing::instrument(skip_all)]
pub async fn candidates(
    ex: Exec<'_>,
    cycle: CycleId,
    only: Option<&[ApplicationId]>,
) -> DbResult<Vec<Candidate>> {
    let restrict = match only {
        Some([]) => return Ok(Vec::new()),
        Some(ids) => format!(" AND a.id IN ({})", join_ids(ids)),
        None => String::new(),
    };
    let sql = format!(
        "SELECT a.id, a.applicant_id, u.email AS applicant_email, a.institution FROM applications a \
         JOIN users u ON u.id = a.applicant_id WHERE a.cycle_id = $1 AND a.stage = 'review'{restrict} ORDER BY a.id"
    );
    run!(ex, c => sqlx::query_as(&sql).bind(cycle).fetch_all(c).await)
}

/// The referees' email addresses of a cycle's applications (of `only`
/// when given), as (application, email) pairs, by application.
#[tracing::instrument(skip_all)]
pub async fn referee_emails(
    ex: Exec<'_>,
    cycle: CycleId,
    only: Option<&[ApplicationId]>,
) -> DbResult<Vec<(ApplicationId, String)>> {
    let restrict = match only {
        Some([]) => return Ok(Vec::new()),
        Some(ids) => format!(" AND a.id IN ({})", join_ids(ids)),
        None => String::new(),
    };
    let sql = format!(
        "SELECT r.application_id, r.email FROM referee_requests r JOIN applications a ON a.id = r.application_id \
         WHERE a.cycle_id = $1{restrict} ORDER BY r.application_id"
    );
    run!(ex, c => sqlx::query_as(&sql).bind(cycle).fetch_all(c).await)
}

/// Ids as a literal SQL list (they are integers, never text).
pub(crate) fn join_ids<T: std::fmt::Display>(ids: &[T]) -> String {
    ids.iter().map(T::to_string).collect::<Vec<_>>().join(",")
}

/// Every (application, reviewer) pair of a cycle.
#[tracing::instrument(skip_all)]
pub async fn pairs_in(ex: Exec<'_>, cycle: CycleId) -> DbResult<Vec<(ApplicationId, UserId)>> {
    let sql = "SELECT application_id, reviewer_id FROM assignments WHERE cycle_id = $1";
    run!(ex, c => sqlx::query_as(sql).bind(cycle).fetch_all(c).await)
}

/// Every recorded conflict of a cycle's applications.
#[tracing::instrument(skip_all)]
pub async fn conflicts_in(ex: Exec<'_>, cycle: CycleId) -> DbResult<Vec<(ApplicationId, UserId)>> {
    let sql = "SELECT k.application_id, k.reviewer_id FROM conflicts k \
               JOIN applications a ON a.id = k.application_id WHERE a.cycle_id = $1";
    run!(ex, c => sqlx::query_as(sql).bind(cycle).fetch_all(c).await)
}

/// Assigns a reviewer; `false` when they already were.
#[tracing::instrument(skip_all)]
pub async fn assign(
    mut ex: Exec<'_>,
    application: ApplicationId,
    reviewer: UserId,
    cycle: CycleId,
    by: UserId,
    due: DateTime<Utc>,
    now: DateTime<Utc>,
) -> DbResult<bool> {
    let sql = "INSERT INTO assignments (application_id, reviewer_id, cycle_id, assigned_by, assigned_at, due_at) \
               VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (application_id, reviewer_id) DO NOTHING";
    let added = execute!(
        ex.reborrow(),
        sqlx::query(sql)
            .bind(application)
            .bind(reviewer)
            .bind(cycle)
            .bind(by)
            .bind(now)
            .bind(due)
    )? == 1;
    if added {
        super::scores::refresh_application(ex.reborrow(), application).await?;
        super::scores::refresh_reviewer(ex, cycle, reviewer).await?;
    }
    Ok(added)
}

/// What removing a reviewer did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Removed {
    /// They were not assigned.
    Nothing,
    /// The assignment (and any draft) is gone.
    Deleted,
    /// They had submitted: the assignment is kept on the record in
    /// `removed_assignments` and the review set aside, counted nowhere.
    KeptOnRecord,
}

/// The reason a review removed with its reviewer is set aside under.
pub const REMOVED_FROM_PANEL: &str = "removed from the panel";

/// Takes a reviewer off an application. A submitted review stays on the
/// record (set aside, out of every figure) and so does the assignment;
/// otherwise the assignment and its draft are deleted. The application's
/// and the reviewer's summaries follow; call `reviews::recompute_z` after.
#[tracing::instrument(skip_all)]
pub async fn remove(
    mut ex: Exec<'_>,
    application: ApplicationId,
    reviewer: UserId,
    by: Option<UserId>,
    now: DateTime<Utc>,
) -> DbResult<Removed> {
    let Some(found) = find(ex.reborrow(), application, reviewer).await? else {
        return Ok(Removed::Nothing);
    };
    let removed = run!(ex.reborrow(), c => {
        let kept = sqlx::query(
            "INSERT INTO set_aside_reviews (application_id, reviewer_id, cycle_id, state, scores_json, \
             comments_json, overall_comment, recommendation, confidence, score_mean, score_total, \
             submitted_at, set_aside_at, why) \
             SELECT application_id, reviewer_id, cycle_id, state, scores_json, comments_json, overall_comment, \
             recommendation, confidence, score_mean, score_total, submitted_at, $2, $3 \
             FROM reviews WHERE assignment_id = $1 AND state = 'submitted'",
        )
        .bind(found.id)
        .bind(now)
        .bind(REMOVED_FROM_PANEL)
        .execute(&mut *c)
        .await?
        .rows_affected();
        if kept > 0 {
            sqlx::query(
                "INSERT INTO removed_assignments (assignment_id, application_id, reviewer_id, cycle_id, assigned_by, \
                 assigned_at, due_at, removed_by, removed_at) \
                 SELECT id, application_id, reviewer_id, cycle_id, assigned_by, assigned_at, due_at, $2, $3 \
                 FROM assignments WHERE id = $1",
            )
            .bind(found.id)
            .bind(by)
            .bind(now)
            .execute(&mut *c)
            .await?;
        }
        sqlx::query("DELETE FROM assignments WHERE id = $1")
            .bind(found.id)
            .execute(&mut *c)
            .await?;
        Ok::<_, sqlx::Error>(if kept > 0 { Removed::KeptOnRecord } else { Removed::Deleted })
    })?;
    super::scores::refresh_application(ex.reborrow(), application).await?;
    super::scores::refresh_reviewer(ex, found.cycle_id, reviewer).await?;
    Ok(removed)
}

/// Whether the reviewer has submitted a review of the application (one a
/// removal would keep on the record).
#[tracing::instrument(skip_all)]
pub async fn has_submitted(
    ex: Exec<'_>,
    application: ApplicationId,
    reviewer: UserId,
) -> DbResult<bool> {
    let sql = "SELECT COUNT(*) FROM reviews WHERE application_id = $1 AND reviewer_id = $2 AND state = 'submitted'";
    let n: i64 =
        run!(ex, c => sqlx::query_scalar(sql).bind(application).bind(reviewer).fetch_one(c).await)?;
    Ok(n > 0)
}

/// One assignment as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Assignment {
    pub id: i64,
    pub application_id: ApplicationId,
    pub reviewer_id: UserId,
    pub cycle_id: CycleId,
    pub assigned_at: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
}

/// The assignment of `reviewer` to `application`, if any.
#[tracing::instrument(skip_all)]
pub async fn find(
    ex: Exec<'_>,
    application: ApplicationId,
    reviewer: UserId,
) -> DbResult<Option<Assignment>> {
    let sql =
        "SELECT id, application_id, reviewer_id, cycle_id, assigned_at, due_at FROM assignments \
               WHERE application_id = $1 AND reviewer_id = $2";
    run!(ex, c => sqlx::query_as(sql).bind(application).bind(reviewer).fetch_optional(c).await)
}

/// An assignment as a manager sees it on the application.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OfApplication {
    pub reviewer_id: UserId,
    pub reviewer_name: String,
    pub reviewer_email: String,
    pub assigned_at: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
    pub review_id: Option<i64>,
    pub review_state: Option<ReviewState>,
}

/// The assignments of an application, by reviewer name.
#[tracing::instrument(skip_all)]
pub async fn of_application(
    ex: Exec<'_>,
    application: ApplicationId,
) -> DbResult<Vec<OfApplication>> {
    let sql = "SELECT s.reviewer_id, u.name AS reviewer_name, u.email AS reviewer_email, s.assigned_at, s.due_at, \
               r.id AS review_id, r.state AS review_state FROM assignments s JOIN users u ON u.id = s.reviewer_id \
               LEFT JOIN reviews r ON r.assignment_id = s.id WHERE s.application_id = $1 ORDER BY u.name, u.id";
    run!(ex, c => sqlx::query_as(sql).bind(application).fetch_all(c).await)
}

/// The condition on `assignments` of one whose review is not submitted,
/// written so that both databases read the partial index of open
/// assignments (`assignments_open_due`, migrations 0019 and 0020): the
/// `review <> 'submitted'` term is the index's own, which SQLite needs to
/// see, and the `IN` term ranges over its two states. Follow it with
/// `AND due_at < …` for the overdue ones.
macro_rules! open_review {
    () => {
        "review IN ('none', 'draft') AND review <> 'submitted'"
    };
}
pub(crate) use open_review;

/// A reviewer's standing in a cycle.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Progress {
    pub reviewer_id: UserId,
    pub name: String,
    pub email: String,
    pub assigned: i64,
    pub submitted: i64,
    pub overdue: i64,
    /// Deactivated: their open reviews must go to someone else.
    pub deactivated: bool,
}

/// Every reviewer of the cycle's program with their counts in the cycle:
/// assigned and submitted from the reviewers' summary rows
/// (`db::scores`), overdue from the partial index of open assignments
/// (migration 0020), which holds only the open ones; neither reads the
/// cycle's assignments or reviews.
#[tracing::instrument(skip_all)]
pub async fn progress(
    mut ex: Exec<'_>,
    cycle: CycleId,
    program: ProgramId,
    now: DateTime<Utc>,
) -> DbResult<Vec<Progress>> {
    let sql = "SELECT u.id AS reviewer_id, u.name, u.email, \
               CAST(COALESCE(k.assigned, 0) AS BIGINT) AS assigned, \
               CAST(COALESCE(k.submitted, 0) AS BIGINT) AS submitted, CAST(0 AS BIGINT) AS overdue, \
               (u.deactivated_at IS NOT NULL) AS deactivated \
               FROM role_grants g JOIN users u ON u.id = g.user_id \
               LEFT JOIN reviewer_scores k ON k.cycle_id = $1 AND k.reviewer_id = u.id \
               WHERE g.program_id = $2 AND g.role = 'reviewer' ORDER BY u.name, u.id";
    let mut rows: Vec<Progress> =
        run!(ex.reborrow(), c => sqlx::query_as(sql).bind(cycle).bind(program).fetch_all(c).await)?;
    // `+reviewer_id`: grouped in a small temporary table after the range
    // of the index, rather than walking the whole cycle in reviewer order.
    let sql = concat!(
        "SELECT +reviewer_id, COUNT(*) FROM assignments WHERE cycle_id = $1 AND ",
        open_review!(),
        " AND due_at < $2 GROUP BY +reviewer_id"
    );
    let overdue: Vec<(UserId, i64)> =
        run!(ex, c => sqlx::query_as(sql).bind(cycle).bind(now).fetch_all(c).await)?;
    for (reviewer, count) in overdue {
        if let Some(row) = rows.iter_mut().find(|r| r.reviewer_id == reviewer) {
            row.overdue = count;
        }
    }
    Ok(rows)
}

/// A reviewer with overdue assignments, for a reminder.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Overdue {
    pub reviewer_id: UserId,
    pub name: String,
    pub email: String,
    pub cycle_id: CycleId,
    pub program_name: String,
    pub cycle_name: String,
    pub overdue: i64,
}

/// Reviewers with overdue, unsubmitted assignments (of one cycle, or all).
#[tracing::instrument(skip_all)]
pub async fn overdue(
    ex: Exec<'_>,
    cycle: Option<CycleId>,
    now: DateTime<Utc>,
    limit: i64,
) -> DbResult<Vec<Overdue>> {
    let sql = "SELECT u.id AS reviewer_id, u.name, u.email, c.id AS cycle_id, p.name AS program_name, \
               c.name AS cycle_name, COUNT(*) AS overdue \
               FROM assignments s JOIN users u ON u.id = s.reviewer_id JOIN cycles c ON c.id = s.cycle_id \
               JOIN programs p ON p.id = c.program_id JOIN applications a ON a.id = s.application_id \
               LEFT JOIN reviews r ON r.assignment_id = s.id \
               WHERE s.due_at < $1 AND (r.state IS NULL OR r.state <> 'submitted') \
               AND a.stage = 'review' AND ($2 = 0 OR s.cycle_id = $2) \
               GROUP BY u.id, u.name, u.email, c.id, p.name, c.name ORDER BY u.id, c.id LIMIT $3";
    run!(ex, c => sqlx::query_as(sql).bind(now).bind(cycle.map_or(0, i64::from)).bind(limit).fetch_all(c).await)
}

/// Who recorded a conflict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConflictSource {
    /// The reviewer declared it.
    Declared,
    /// A manager recorded it.
    Recorded,
}

impl ConflictSource {
    fn as_str(self) -> &'static str {
        match self {
            Self::Declared => "declared",
            Self::Recorded => "recorded",
        }
    }
}

/// Records a conflict and withdraws any assignment of that reviewer to
/// the application; a review they had written is set aside (kept on the
/// record, out of every score). `false` when it was recorded before.
#[tracing::instrument(skip_all)]
pub async fn record_conflict(
    mut ex: Exec<'_>,
    application: ApplicationId,
    reviewer: UserId,
    source: ConflictSource,
    reason: &str,
    by: UserId,
    now: DateTime<Utc>,
) -> DbResult<bool> {
    let cycle: Option<CycleId> = run!(ex.reborrow(), c => sqlx::query_scalar("SELECT cycle_id FROM applications WHERE id = $1").bind(application).fetch_optional(c).await)?;
    let added = run!(ex.reborrow(), c => {
        let added = sqlx::query(
            "INSERT INTO conflicts (application_id, reviewer_id, source, reason, recorded_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (application_id, reviewer_id) DO NOTHING",
        )
        .bind(application)
        .bind(reviewer)
        .bind(source.as_str())
        .bind(reason)
        .bind(by)
        .bind(now)
        .execute(&mut *c)
        .await?
        .rows_affected();
        sqlx::query(
            "INSERT INTO set_aside_reviews (application_id, reviewer_id, cycle_id, state, scores_json, \
             comments_json, overall_comment, recommendation, confidence, score_mean, score_total, \
             submitted_at, set_aside_at, why) \
             SELECT application_id, reviewer_id, cycle_id, state, scores_json, comments_json, overall_comment, \
             recommendation, confidence, score_mean, score_total, submitted_at, $3, $4 \
             FROM reviews WHERE application_id = $1 AND reviewer_id = $2",
        )
        .bind(application)
        .bind(reviewer)
        .bind(now)
        .bind(format!("conflict {}: {reason}", source.as_str()))
        .execute(&mut *c)
        .await?;
        sqlx::query("DELETE FROM assignments WHERE application_id = $1 AND reviewer_id = $2")
            .bind(application)
            .bind(reviewer)
            .execute(&mut *c)
            .await?;
        Ok::<_, sqlx::Error>(added == 1)
    })?;
    super::scores::refresh_application(ex.reborrow(), application).await?;
    if let Some(cycle) = cycle {
        super::scores::refresh_reviewer(ex, cycle, reviewer).await?;
    }
    Ok(added)
}

/// Whether a conflict is recorded between the reviewer and application.
#[tracing::instrument(skip_all)]
pub async fn is_conflicted(
    ex: Exec<'_>,
    application: ApplicationId,
    reviewer: UserId,
) -> DbResult<bool> {
    let sql = "SELECT COUNT(*) FROM conflicts WHERE application_id = $1 AND reviewer_id = $2";
    let n: i64 =
        run!(ex, c => sqlx::query_scalar(sql).bind(application).bind(reviewer).fetch_one(c).await)?;
    Ok(n > 0)
}

/// A recorded conflict as a manager sees it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Conflict {
    pub reviewer_id: UserId,
    pub reviewer_name: String,
    pub source: String,
    pub reason: String,
    pub created_at: DateTime<Utc>,
}

/// The recorded conflicts of an application.
#[tracing::instrument(skip_all)]
pub async fn conflicts_of(ex: Exec<'_>, application: ApplicationId) -> DbResult<Vec<Conflict>> {
    let sql = "SELECT k.reviewer_id, u.name AS reviewer_name, k.source, k.reason, k.created_at \
               FROM conflicts k JOIN users u ON u.id = k.reviewer_id WHERE k.application_id = $1 ORDER BY k.created_at";
    run!(ex, c => sqlx::query_as(sql).bind(application).fetch_all(c).await)
}

/// The managers of a program (to tell them of a declared conflict).
#[tracing::instrument(skip_all)]
pub async fn managers_of(
    ex: Exec<'_>,
    program: ProgramId,
) -> DbResult<Vec<(UserId, String, String)>> {
    let sql = "SELECT u.id, u.name, u.email FROM role_grants g JOIN users u ON u.id = g.user_id \
               WHERE g.program_id = $1 AND g.role = 'manager' ORDER BY u.id";
    run!(ex, c => sqlx::query_as(sql).bind(program).fetch_all(c).await)
}

/// A review set aside: its reviewer had a conflict, or was removed.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SetAside {
    pub reviewer_name: String,
    pub state: ReviewState,
    pub score_total: Option<f64>,
    pub recommendation: String,
    pub submitted_at: Option<DateTime<Utc>>,
    pub set_aside_at: DateTime<Utc>,
    /// Why: a conflict, or [`REMOVED_FROM_PANEL`].
    pub why: String,
}

/// The reviews of an application set aside (after a conflict, or with
/// their reviewer removed from the panel), oldest first.
#[tracing::instrument(skip_all)]
pub async fn set_aside_of(ex: Exec<'_>, application: ApplicationId) -> DbResult<Vec<SetAside>> {
    let sql = "SELECT u.name AS reviewer_name, s.state, s.score_total, s.recommendation, s.submitted_at, \
               s.set_aside_at, s.why FROM set_aside_reviews s JOIN users u ON u.id = s.reviewer_id \
               WHERE s.application_id = $1 ORDER BY s.id";
    run!(ex, c => sqlx::query_as(sql).bind(application).fetch_all(c).await)
}

/// How many reviews assigned to `reviewer` are not yet submitted, in every
/// cycle.
#[tracing::instrument(skip_all)]
pub async fn open_for_reviewer(ex: Exec<'_>, reviewer: UserId) -> DbResult<i64> {
    let sql = concat!(
        "SELECT COUNT(*) FROM assignments WHERE reviewer_id = $1 AND ",
        open_review!()
    );
    run!(ex, c => sqlx::query_scalar(sql).bind(reviewer).fetch_one(c).await)
}

/// How many reviews in `cycle` not yet submitted are assigned to
/// deactivated accounts: they must be given to someone else. The
/// deactivated accounts (few, from their partial index) are read first:
/// with none, nothing else is read; otherwise only their assignments in
/// the cycle are counted (on SQLite the `+` keeps the planner from walking
/// every open assignment of the cycle by its state instead).
#[tracing::instrument(skip_all)]
pub async fn open_for_deactivated(mut ex: Exec<'_>, cycle: CycleId) -> DbResult<i64> {
    let sql = "SELECT id FROM users WHERE deactivated_at IS NOT NULL";
    let gone: Vec<UserId> = run!(ex.reborrow(), c => sqlx::query_scalar(sql).fetch_all(c).await)?;
    if gone.is_empty() {
        return Ok(0);
    }
    let review = if matches!(ex, Exec::Sqlite(_)) {
        "+review"
    } else {
        "review"
    };
    let sql = format!(
        "SELECT COUNT(*) FROM assignments WHERE cycle_id = $1 AND reviewer_id IN ({}) \
         AND {review} IN ('none', 'draft')",
        join_ids(&gone)
    );
    run!(ex, c => sqlx::query_scalar(&sql).bind(cycle).fetch_one(c).await)
}
