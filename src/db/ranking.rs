//! The ranking of a cycle's applications in review, committee or
//! decided, read from the stored summaries (`scores`) in index order: one
//! index per figure, each ordered by (cycle, ranked, group, figure), so a
//! page costs its rows whatever the cycle's size.
//!
//! Groups: complete (every assigned review in), incomplete (some in), and
//! none in. By default the complete ones come first; the incomplete can be
//! put first or shown alone. A page is read group by group, from the
//! groups' counts.

use serde::Serialize;

use super::{DbResult, Exec};
use crate::domain::application::ApplicationId;
use crate::domain::cycle::CycleId;
use crate::domain::user::UserId;
use crate::domain::workflow::stage::Stage;

/// Figures a ranking can be sorted on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RankBy {
    Normalised,
    WeightedTotal,
    Mean,
    Spread,
    Reviews,
}

impl RankBy {
    /// Every figure, in the order offered.
    pub const ALL: [Self; 5] = [
        Self::Normalised,
        Self::WeightedTotal,
        Self::Mean,
        Self::Spread,
        Self::Reviews,
    ];

    /// The name in the address.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Normalised => "normalised",
            Self::WeightedTotal => "total",
            Self::Mean => "mean",
            Self::Spread => "spread",
            Self::Reviews => "reviews",
        }
    }

    /// Reads the name in the address.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// The stored column (each has its index).
    fn column(self) -> &'static str {
        match self {
            Self::Normalised => "normalised",
            Self::WeightedTotal => "total",
            Self::Mean => "mean",
            Self::Spread => "variance",
            Self::Reviews => "reviewed",
        }
    }
}

/// Where the incomplete applications go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Apart {
    /// Complete ones first, then incomplete, then none in (the default).
    CompleteFirst,
    /// Incomplete and none in first, then complete.
    IncompleteFirst,
    /// Only the complete ones.
    CompleteOnly,
    /// Only the incomplete ones (none in included).
    IncompleteOnly,
}

impl Apart {
    /// Every choice, in the order offered.
    pub const ALL: [Self; 4] = [
        Self::CompleteFirst,
        Self::IncompleteFirst,
        Self::CompleteOnly,
        Self::IncompleteOnly,
    ];

    /// The name in the address.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::CompleteFirst => "complete-first",
            Self::IncompleteFirst => "incomplete-first",
            Self::CompleteOnly => "complete",
            Self::IncompleteOnly => "incomplete",
        }
    }

    /// Reads the name in the address.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// The stored groups shown, in order (0 complete, 1 incomplete, 2 none in).
    fn groups(self) -> &'static [i64] {
        match self {
            Self::CompleteFirst => &[0, 1, 2],
            Self::IncompleteFirst => &[1, 2, 0],
            Self::CompleteOnly => &[0],
            Self::IncompleteOnly => &[1, 2],
        }
    }
}

/// One row of the ranking.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Ranked {
    pub id: ApplicationId,
    pub applicant_name: String,
    pub institution: String,
    pub stage: Stage,
    pub assigned: i64,
    pub reviewed: i64,
    pub mean: Option<f64>,
    pub total: Option<f64>,
    pub spread: Option<f64>,
    pub variance: Option<f64>,
    pub normalised: Option<f64>,
}

impl Ranked {
    /// Every assigned review is in (and at least one reviewer assigned).
    pub fn complete(&self) -> bool {
        crate::domain::workflow::summary::is_complete(self.assigned, self.reviewed)
    }
}

/// What page of the ranking to read.
#[derive(Debug, Clone, Copy)]
pub struct RankQuery {
    pub cycle: CycleId,
    /// The reader's own application never shows.
    pub hide_applicant: UserId,
    pub by: RankBy,
    /// Lowest first (ties by id the same way).
    pub ascending: bool,
    pub apart: Apart,
    pub offset: i64,
    pub limit: i64,
}

/// One page of the ranking, and how many rows it has in all.
#[tracing::instrument(skip_all)]
pub async fn ranking(mut ex: Exec<'_>, q: &RankQuery) -> DbResult<(Vec<Ranked>, i64)> {
    let counts = super::summaries::group_counts(ex.reborrow(), q.cycle).await?;
    let hidden: Option<i64> = run!(ex.reborrow(), c => sqlx::query_scalar(
        "SELECT s.grp FROM applications a JOIN application_scores s ON s.application_id = a.id \
         WHERE a.applicant_id = $1 AND a.cycle_id = $2 AND s.ranked = 1"
    ).bind(q.hide_applicant).bind(q.cycle).fetch_optional(c).await)?;
    let count =
        |g: i64| counts.iter().find(|r| r.0 == g).map_or(0, |r| r.1) - i64::from(hidden == Some(g));
    let dir = if q.ascending { "ASC" } else { "DESC" };
    let sql = format!(
        "SELECT s.application_id AS id, u.name AS applicant_name, a.institution, a.stage, s.assigned, s.reviewed, \
         s.mean, s.total, s.spread, s.variance, s.normalised \
         FROM application_scores s JOIN applications a ON a.id = s.application_id JOIN users u ON u.id = a.applicant_id \
         WHERE s.cycle_id = $1 AND s.ranked = 1 AND s.grp = $2 AND s.applicant_id <> $3 \
         ORDER BY s.{column} {dir}, s.application_id {dir} LIMIT $4 OFFSET $5",
        column = q.by.column()
    );
    let total: i64 = q.apart.groups().iter().map(|g| count(*g)).sum();
    let mut rows = Vec::new();
    let mut skip = q.offset.max(0);
    for g in q.apart.groups() {
        let wanted = q.limit - rows.len() as i64;
        if wanted <= 0 {
            break;
        }
        let n = count(*g);
        if skip >= n {
            skip -= n;
            continue;
        }
        let page: Vec<Ranked> = run!(ex.reborrow(), c => sqlx::query_as(&sql)
            .bind(q.cycle)
            .bind(*g)
            .bind(q.hide_applicant)
            .bind(wanted)
            .bind(skip)
            .fetch_all(c)
            .await)?;
        rows.extend(page);
        skip = 0;
    }
    Ok((rows, total))
}

/// Of the given applications of the cycle: how many there are, and how
/// many of them have fewer reviews in than assigned.
#[tracing::instrument(skip_all)]
pub async fn incomplete_among(
    ex: Exec<'_>,
    cycle: CycleId,
    ids: &[ApplicationId],
) -> DbResult<(i64, i64)> {
    if ids.is_empty() {
        return Ok((0, 0));
    }
    let sql = format!(
        "SELECT COUNT(*), COALESCE(SUM(CASE WHEN complete = 1 THEN 0 ELSE 1 END), 0) FROM application_scores \
         WHERE cycle_id = $1 AND application_id IN ({})",
        super::assignments::join_ids(ids)
    );
    run!(ex, c => sqlx::query_as(&sql).bind(cycle).fetch_one(c).await)
}
