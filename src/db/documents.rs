//! Documents (uploads and referee letters), their attachment to
//! applications, and the log of every download.

use chrono::{DateTime, Utc};

use super::{DbResult, Exec};
use crate::domain::application::ApplicationId;
use crate::domain::document::DocumentId;
use crate::domain::user::UserId;

/// A stored document.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Document {
    pub id: DocumentId,
    pub owner_id: Option<UserId>,
    pub kind: String,
    pub storage_key: String,
    pub original_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub created_at: DateTime<Utc>,
}

const COLUMNS: &str =
    "id, owner_id, kind, storage_key, original_name, content_type, size_bytes, sha256, created_at";

/// A document to record once its bytes are stored.
pub struct NewDocument<'a> {
    pub owner: Option<UserId>,
    /// `upload` or `letter`.
    pub kind: &'a str,
    pub storage_key: &'a str,
    pub original_name: &'a str,
    pub content_type: &'a str,
    pub size_bytes: i64,
    pub sha256: &'a str,
}

/// Records a stored document.
#[tracing::instrument(skip_all)]
pub async fn insert(ex: Exec<'_>, d: &NewDocument<'_>, now: DateTime<Utc>) -> DbResult<DocumentId> {
    let sql = "INSERT INTO documents (owner_id, kind, storage_key, original_name, content_type, size_bytes, sha256, created_at) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id";
    let rows: Result<Vec<DocumentId>, _> = run!(ex, c => sqlx::query_scalar(sql)
        .bind(d.owner)
        .bind(d.kind)
        .bind(d.storage_key)
        .bind(d.original_name)
        .bind(d.content_type)
        .bind(d.size_bytes)
        .bind(d.sha256)
        .bind(now)
        .fetch_all(c)
        .await);
    super::returned_one(rows)
}

/// The document with this id.
#[tracing::instrument(skip_all)]
pub async fn find(ex: Exec<'_>, id: DocumentId) -> DbResult<Option<Document>> {
    let sql = format!("SELECT {COLUMNS} FROM documents WHERE id = $1");
    run!(ex, c => sqlx::query_as(&sql).bind(id).fetch_optional(c).await)
}

/// Attaches a document to an application's question, replacing any other;
/// returns the id of the replaced one.
#[tracing::instrument(skip_all)]
pub async fn attach(
    ex: Exec<'_>,
    application: ApplicationId,
    question: &str,
    document: DocumentId,
    now: DateTime<Utc>,
) -> DbResult<Option<DocumentId>> {
    run!(ex, c => {
        let previous: Option<DocumentId> = sqlx::query_scalar(
            "SELECT document_id FROM application_documents WHERE application_id = $1 AND question_key = $2",
        )
        .bind(application)
        .bind(question)
        .fetch_optional(&mut *c)
        .await?;
        sqlx::query(
            "INSERT INTO application_documents (application_id, question_key, document_id, attached_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (application_id, question_key) DO UPDATE SET document_id = excluded.document_id, attached_at = excluded.attached_at",
        )
        .bind(application)
        .bind(question)
        .bind(document)
        .bind(now)
        .execute(&mut *c)
        .await?;
        Ok(previous.filter(|p| *p != document))
    })
}

/// Detaches the document of a question; returns its id.
#[tracing::instrument(skip_all)]
pub async fn detach(
    ex: Exec<'_>,
    application: ApplicationId,
    question: &str,
) -> DbResult<Option<DocumentId>> {
    let sql = "DELETE FROM application_documents WHERE application_id = $1 AND question_key = $2 RETURNING document_id";
    let rows: Result<Vec<DocumentId>, _> =
        run!(ex, c => sqlx::query_scalar(sql).bind(application).bind(question).fetch_all(c).await);
    super::returned(rows)
}

/// The documents attached to an application, by question key.
#[tracing::instrument(skip_all)]
pub async fn attached(
    ex: Exec<'_>,
    application: ApplicationId,
) -> DbResult<Vec<(String, Document)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        question_key: String,
        #[sqlx(flatten)]
        document: Document,
    }
    let sql = "SELECT ad.question_key, d.id, d.owner_id, d.kind, d.storage_key, d.original_name, d.content_type, \
               d.size_bytes, d.sha256, d.created_at FROM application_documents ad JOIN documents d ON d.id = ad.document_id \
               WHERE ad.application_id = $1 ORDER BY ad.question_key";
    let rows: Vec<Row> = run!(ex, c => sqlx::query_as(sql).bind(application).fetch_all(c).await)?;
    Ok(rows
        .into_iter()
        .map(|r| (r.question_key, r.document))
        .collect())
}

/// An applicant's own uploads, newest first, for reuse in another application.
#[tracing::instrument(skip_all)]
pub async fn uploads_of(ex: Exec<'_>, owner: UserId, limit: i64) -> DbResult<Vec<Document>> {
    let sql = format!("SELECT {COLUMNS} FROM documents WHERE owner_id = $1 AND kind = 'upload' ORDER BY id DESC LIMIT $2");
    run!(ex, c => sqlx::query_as(&sql).bind(owner).bind(limit).fetch_all(c).await)
}

/// Whether any application or referee request still refers to a document.
#[tracing::instrument(skip_all)]
pub async fn is_referenced(ex: Exec<'_>, id: DocumentId) -> DbResult<bool> {
    let sql = "SELECT (SELECT COUNT(*) FROM application_documents WHERE document_id = $1) + \
               (SELECT COUNT(*) FROM referee_requests WHERE letter_document_id = $1)";
    let n: i64 = run!(ex, c => sqlx::query_scalar(sql).bind(id).fetch_one(c).await)?;
    Ok(n > 0)
}

/// Deletes a document's row (its bytes are removed by the caller after commit).
#[tracing::instrument(skip_all)]
pub async fn delete(ex: Exec<'_>, id: DocumentId) -> DbResult<()> {
    execute!(
        ex,
        sqlx::query("DELETE FROM documents WHERE id = $1").bind(id)
    )?;
    Ok(())
}

/// Records a download.
#[tracing::instrument(skip_all)]
pub async fn log_view(
    ex: Exec<'_>,
    document: DocumentId,
    viewer: Option<UserId>,
    role: &str,
    ip: Option<&str>,
    now: DateTime<Utc>,
) -> DbResult<()> {
    let sql = "INSERT INTO document_views (document_id, viewer_id, viewer_role, client_ip, viewed_at) VALUES ($1, $2, $3, $4, $5)";
    execute!(
        ex,
        sqlx::query(sql)
            .bind(document)
            .bind(viewer)
            .bind(role)
            .bind(ip)
            .bind(now)
    )?;
    Ok(())
}

/// Which of `keys` name a recorded document.
#[tracing::instrument(skip_all)]
pub async fn existing_keys(
    ex: Exec<'_>,
    keys: &[String],
) -> DbResult<std::collections::HashSet<String>> {
    if keys.is_empty() {
        return Ok(Default::default());
    }
    let placeholders = (1..=keys.len())
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!("SELECT storage_key FROM documents WHERE storage_key IN ({placeholders})");
    let found: Vec<String> = run!(ex, c => {
        let mut q = sqlx::query_scalar(&sql);
        for k in keys {
            q = q.bind(k);
        }
        q.fetch_all(c).await
    })?;
    Ok(found.into_iter().collect())
}

/// One page of documents in id order after `after` (for copying stores).
#[tracing::instrument(skip_all)]
pub async fn page_after(ex: Exec<'_>, after: DocumentId, limit: i64) -> DbResult<Vec<Document>> {
    let sql = format!("SELECT {COLUMNS} FROM documents WHERE id > $1 ORDER BY id LIMIT $2");
    run!(ex, c => sqlx::query_as(&sql).bind(after).bind(limit).fetch_all(c).await)
}

/// How many documents are recorded.
#[tracing::instrument(skip_all)]
pub async fn count(ex: Exec<'_>) -> DbResult<i64> {
    run!(ex, c => sqlx::query_scalar("SELECT COUNT(*) FROM documents").fetch_one(c).await)
}
