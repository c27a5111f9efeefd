//! Staff notes on an application (migration 0028).

use chrono::{DateTime, Utc};

use super::{DbResult, Exec};
use crate::domain::application::ApplicationId;
use crate::domain::user::UserId;

/// A note as stored, with its author's name.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Note {
    pub id: i64,
    pub author_name: Option<String>,
    pub body: String,
    pub for_reviewers: bool,
    pub created_at: DateTime<Utc>,
}

/// Adds a note to application `id`; returns its id.
#[tracing::instrument(skip_all)]
pub async fn add(
    ex: Exec<'_>,
    id: ApplicationId,
    author: UserId,
    body: &str,
    for_reviewers: bool,
    now: DateTime<Utc>,
) -> DbResult<i64> {
    let sql = "INSERT INTO application_notes (application_id, author_id, body, for_reviewers, created_at) \
               VALUES ($1, $2, $3, $4, $5) RETURNING id";
    let rows: Result<Vec<i64>, _> = run!(ex, c => sqlx::query_scalar(sql)
        .bind(id)
        .bind(author)
        .bind(body)
        .bind(for_reviewers)
        .bind(now)
        .fetch_all(c)
        .await);
    super::returned_one(rows)
}

/// Application `id`'s notes, newest first: all of them, or only those
/// marked for its reviewers.
#[tracing::instrument(skip_all)]
pub async fn of_application(
    ex: Exec<'_>,
    id: ApplicationId,
    reviewers_only: bool,
) -> DbResult<Vec<Note>> {
    let only = if reviewers_only {
        " AND n.for_reviewers"
    } else {
        ""
    };
    let sql = format!(
        "SELECT n.id, u.name AS author_name, n.body, n.for_reviewers, n.created_at FROM application_notes n \
         LEFT JOIN users u ON u.id = n.author_id WHERE n.application_id = $1{only} ORDER BY n.id DESC"
    );
    run!(ex, c => sqlx::query_as(&sql).bind(id).fetch_all(c).await)
}
