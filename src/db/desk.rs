//! The reviewer's desk: counts per cycle and list, one page of a list, and
//! the conflicts a reviewer declared. A page is read through the
//! `assignments_desk` index (reviewer, lane, due date), so it costs its
//! rows; the counts come from the counts kept per reviewer, cycle and lane
//! (`desk_counts`, migration 0021), whatever the cycle's size.
//! Imports no web or app module.

use chrono::{DateTime, Utc};

use super::{DbResult, Exec};
use crate::domain::application::ApplicationId;
use crate::domain::cycle::CycleId;
use crate::domain::user::UserId;
use crate::domain::workflow::desk::Lane;
use crate::domain::workflow::review::ReviewState;

/// The applications a reviewer (`$1`) applied to or referees.
macro_rules! mine {
    () => {
        "SELECT id FROM applications WHERE applicant_id = $1 \
         UNION SELECT q.application_id FROM referee_requests q \
         WHERE LOWER(q.email) = (SELECT LOWER(email) FROM users WHERE id = $1)"
    };
}

/// The applications never on a reviewer's desk whatever is stored: their
/// own, and those they are a referee of (an assignment made before the
/// referee was named). A small set, read once per query.
const NOT_MINE: &str = concat!("application_id NOT IN (", mine!(), ")");

/// A cycle the reviewer has assignments in, with their counts.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CycleCount {
    pub cycle_id: CycleId,
    pub program_name: String,
    pub cycle_name: String,
    pub time_zone: String,
    pub to_do: i64,
    pub done: i64,
}

/// The reviewer's to-do and done counts per cycle, in the programs they
/// still review for, newest cycle first.
#[tracing::instrument(skip_all)]
pub async fn counts(mut ex: Exec<'_>, reviewer: UserId) -> DbResult<Vec<CycleCount>> {
    // The counts kept per reviewer, cycle and lane (migration 0021)...
    let sql = "SELECT k.cycle_id, p.name AS program_name, c.name AS cycle_name, c.time_zone, \
         CAST(COALESCE(SUM(CASE WHEN k.lane = 'to_do' THEN k.assignments END), 0) AS BIGINT) AS to_do, \
         CAST(COALESCE(SUM(CASE WHEN k.lane = 'done' THEN k.assignments END), 0) AS BIGINT) AS done \
         FROM desk_counts k JOIN cycles c ON c.id = k.cycle_id JOIN programs p ON p.id = c.program_id \
         WHERE k.reviewer_id = $1 AND k.lane IN ('to_do', 'done') \
         AND EXISTS (SELECT 1 FROM role_grants g WHERE g.user_id = $1 AND g.program_id = c.program_id \
                     AND g.role = 'reviewer') \
         GROUP BY k.cycle_id, p.name, c.name, c.time_zone ORDER BY k.cycle_id DESC";
    let mut counts: Vec<CycleCount> =
        run!(ex.reborrow(), c => sqlx::query_as(sql).bind(reviewer).fetch_all(c).await)?;
    // ... less the reviewer's own applications and those they referee,
    // looked up from those few applications (the `+` keeps SQLite from
    // reading all the reviewer's assignments instead).
    let sql = concat!(
        "SELECT cycle_id, lane, COUNT(*) FROM assignments WHERE application_id IN (",
        mine!(),
        ") AND +reviewer_id = $1 AND lane IN ('to_do', 'done') GROUP BY cycle_id, lane"
    );
    let mine: Vec<(CycleId, String, i64)> =
        run!(ex, c => sqlx::query_as(sql).bind(reviewer).fetch_all(c).await)?;
    for (cycle, lane, n) in mine {
        if let Some(k) = counts.iter_mut().find(|k| k.cycle_id == cycle) {
            if lane == Lane::ToDo.as_str() {
                k.to_do -= n;
            } else {
                k.done -= n;
            }
        }
    }
    counts.retain(|k| k.to_do > 0 || k.done > 0);
    Ok(counts)
}

/// One row of a desk list.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Row {
    pub application_id: ApplicationId,
    pub cycle_id: CycleId,
    pub program_name: String,
    pub cycle_name: String,
    pub time_zone: String,
    pub blind_review: bool,
    pub applicant_name: String,
    pub due_at: DateTime<Utc>,
    pub review_state: Option<ReviewState>,
    pub submitted_at: Option<DateTime<Utc>>,
}

/// One page of the reviewer's `lane` list (of one cycle, or all), soonest
/// due first: only the page's assignments are joined to their details.
#[tracing::instrument(skip_all)]
pub async fn page(
    ex: Exec<'_>,
    reviewer: UserId,
    lane: Lane,
    cycle: Option<CycleId>,
    limit: i64,
    offset: i64,
) -> DbResult<Vec<Row>> {
    let sql = format!(
        "SELECT s.application_id, s.cycle_id, p.name AS program_name, c.name AS cycle_name, c.time_zone, \
         c.blind_review, u.name AS applicant_name, s.due_at, r.state AS review_state, r.submitted_at \
         FROM (SELECT id, application_id, cycle_id, due_at FROM assignments \
               WHERE reviewer_id = $1 AND lane = $2 AND ($3 = 0 OR cycle_id = $3) AND {NOT_MINE} \
               AND cycle_id IN (SELECT c2.id FROM cycles c2 JOIN role_grants g ON g.program_id = c2.program_id \
                                WHERE g.user_id = $1 AND g.role = 'reviewer') \
               ORDER BY due_at, application_id LIMIT $4 OFFSET $5) s \
         JOIN applications a ON a.id = s.application_id JOIN users u ON u.id = a.applicant_id \
         JOIN cycles c ON c.id = s.cycle_id JOIN programs p ON p.id = c.program_id \
         LEFT JOIN reviews r ON r.assignment_id = s.id \
         ORDER BY s.due_at, s.application_id"
    );
    run!(ex, c => sqlx::query_as(&sql)
        .bind(reviewer)
        .bind(lane.as_str())
        .bind(cycle.map_or(0, i64::from))
        .bind(limit)
        .bind(offset)
        .fetch_all(c)
        .await)
}

/// A conflict the reviewer declared (they stepped off the application).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Declared {
    pub application_id: ApplicationId,
    pub program_name: String,
    pub cycle_name: String,
    pub time_zone: String,
    pub reason: String,
    pub created_at: DateTime<Utc>,
}

/// How many conflicts the reviewer declared, and the latest `limit`.
#[tracing::instrument(skip_all)]
pub async fn declared(
    ex: Exec<'_>,
    reviewer: UserId,
    limit: i64,
) -> DbResult<(i64, Vec<Declared>)> {
    let count = "SELECT COUNT(*) FROM conflicts WHERE reviewer_id = $1 AND source = 'declared'";
    let sql = "SELECT k.application_id, p.name AS program_name, c.name AS cycle_name, c.time_zone, k.reason, \
               k.created_at FROM conflicts k JOIN applications a ON a.id = k.application_id \
               JOIN cycles c ON c.id = a.cycle_id JOIN programs p ON p.id = c.program_id \
               WHERE k.reviewer_id = $1 AND k.source = 'declared' ORDER BY k.created_at DESC, k.application_id \
               LIMIT $2";
    run!(ex, c => {
        let n: i64 = sqlx::query_scalar(count).bind(reviewer).fetch_one(&mut *c).await?;
        if n == 0 {
            return Ok((0, Vec::new()));
        }
        let rows = sqlx::query_as(sql).bind(reviewer).bind(limit).fetch_all(&mut *c).await?;
        Ok((n, rows))
    })
}
