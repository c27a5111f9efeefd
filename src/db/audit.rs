//! The audit log of privileged actions: append-only. Each entry is filed
//! under the program, cycle and application its subject concerns when it
//! is recorded ([`Subject`]), and read back a page at a time, newest
//! first, by whoever may read it (an admin everything, a manager their
//! programs'), filtered.

use chrono::{DateTime, Utc};

use super::{DbResult, Exec};
use crate::domain::application::ApplicationId;
use crate::domain::audit::Subject;
use crate::domain::program::ProgramId;
use crate::domain::user::UserId;

/// One privileged action.
pub struct Entry<'a> {
    pub actor: Option<UserId>,
    pub action: &'a str,
    pub subject: &'a str,
    pub detail: &'a str,
    pub client_ip: Option<&'a str>,
}

/// Appends an entry; call it in the transaction of the action it records.
#[tracing::instrument(skip_all)]
pub async fn record(ex: Exec<'_>, e: &Entry<'_>, now: DateTime<Utc>) -> DbResult<()> {
    // Program, cycle and application, each found from `$7` (the subject's
    // number) by what the subject is.
    let (scope, id) = match Subject::parse(e.subject) {
        Subject::Application(id) => (
            "(SELECT c.program_id FROM applications a JOIN cycles c ON c.id = a.cycle_id WHERE a.id = $7), \
             (SELECT a.cycle_id FROM applications a WHERE a.id = $7), $7",
            Some(id),
        ),
        Subject::Cycle(id) => (
            "(SELECT c.program_id FROM cycles c WHERE c.id = $7), $7, NULL",
            Some(id),
        ),
        Subject::Program(id) => ("$7, NULL, NULL", Some(id)),
        Subject::Invitation(id) => (
            "(SELECT i.program_id FROM invitations i WHERE i.id = $7), NULL, NULL",
            Some(id),
        ),
        Subject::User(_) | Subject::Other => ("NULL, NULL, NULL", None),
    };
    let sql = format!(
        "INSERT INTO audit_log (actor_id, action, subject, detail, client_ip, created_at, program_id, cycle_id, application_id) \
         VALUES ($1, $2, $3, $4, $5, $6, {scope})"
    );
    run!(ex, c => {
        let q = sqlx::query(&sql)
            .bind(e.actor)
            .bind(e.action)
            .bind(e.subject)
            .bind(e.detail)
            .bind(e.client_ip)
            .bind(now);
        let q = match id {
            Some(id) => q.bind(id),
            None => q,
        };
        q.execute(c).await.map(|_| ())
    })?;
    Ok(())
}

/// Which entries a reader asks for. Every part is optional but `scope`.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// The programs the reader may see (a manager's); `None`: every entry
    /// (an admin).
    pub scope: Option<Vec<ProgramId>>,
    /// Leaves out the entries about this person's own applications.
    pub hide_applicant: Option<UserId>,
    pub program: Option<ProgramId>,
    pub actor: Option<UserId>,
    /// The kind of action: the part before the dot (`decision`).
    pub kind: Option<String>,
    pub application: Option<ApplicationId>,
    /// From this time on.
    pub from: Option<DateTime<Utc>>,
    /// Before this time.
    pub until: Option<DateTime<Utc>>,
}

/// An entry as read, with the names of who did it and what it concerns.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Row {
    pub id: i64,
    pub created_at: DateTime<Utc>,
    pub actor_id: Option<UserId>,
    pub actor_name: Option<String>,
    pub actor_email: Option<String>,
    pub action: String,
    pub subject: String,
    pub detail: String,
    pub client_ip: Option<String>,
    pub program_name: Option<String>,
    pub cycle_name: Option<String>,
    pub application_id: Option<i64>,
    pub applicant_name: Option<String>,
}

/// Up to `limit` entries matching `f` older than entry `before` (all when
/// `None`), newest first. Each filter walks an index by id (program,
/// application, actor) and stops at the page's end.
#[tracing::instrument(skip_all)]
pub async fn page(ex: Exec<'_>, f: &Filter, before: Option<i64>, limit: i64) -> DbResult<Vec<Row>> {
    let mut conditions: Vec<String> = Vec::new();
    let mut texts: Vec<String> = Vec::new();
    let mut times: Vec<DateTime<Utc>> = Vec::new();
    match &f.scope {
        Some(programs) if programs.is_empty() => conditions.push("1 = 0".into()),
        Some(programs) => conditions.push(format!(
            "l.program_id IN ({})",
            super::assignments::join_ids(programs)
        )),
        None => {}
    }
    if let Some(me) = f.hide_applicant {
        conditions.push(format!(
            "(l.application_id IS NULL OR a.applicant_id <> {me})"
        ));
    }
    if let Some(p) = f.program {
        conditions.push(format!("l.program_id = {p}"));
    }
    if let Some(a) = f.actor {
        conditions.push(format!("l.actor_id = {a}"));
    }
    if let Some(a) = f.application {
        conditions.push(format!("l.application_id = {a}"));
    }
    if let Some(b) = before {
        conditions.push(format!("l.id < {b}"));
    }
    // Text and times as parameters, numbered in order: texts first.
    if let Some(kind) = &f.kind {
        texts.push(format!("{kind}.%"));
        conditions.push(format!("l.action LIKE ${}", texts.len()));
    }
    for (time, op) in [(f.from, ">="), (f.until, "<")] {
        if let Some(t) = time {
            times.push(t);
            conditions.push(format!("l.created_at {op} ${}", texts.len() + times.len()));
        }
    }
    let filter = if conditions.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conditions.join(" AND "))
    };
    let sql = format!(
        "SELECT l.id, l.created_at, l.actor_id, u.name AS actor_name, u.email AS actor_email, l.action, l.subject,          l.detail, l.client_ip, p.name AS program_name, c.name AS cycle_name, l.application_id,          ap.name AS applicant_name          FROM audit_log l LEFT JOIN users u ON u.id = l.actor_id          LEFT JOIN programs p ON p.id = l.program_id LEFT JOIN cycles c ON c.id = l.cycle_id          LEFT JOIN applications a ON a.id = l.application_id LEFT JOIN users ap ON ap.id = a.applicant_id          {filter} ORDER BY l.id DESC LIMIT {limit}"
    );
    run!(ex, c => {
        let mut q = sqlx::query_as(&sql);
        for t in &texts {
            q = q.bind(t);
        }
        for t in &times {
            q = q.bind(*t);
        }
        q.fetch_all(c).await
    })
}

/// The names of the accounts with these ids (the subjects of a page's
/// entries about accounts), by id.
#[tracing::instrument(skip_all)]
pub async fn user_names(ex: Exec<'_>, users: &[UserId]) -> DbResult<Vec<(UserId, String)>> {
    if users.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT id, name FROM users WHERE id IN ({})",
        super::assignments::join_ids(users)
    );
    run!(ex, c => sqlx::query_as(&sql).fetch_all(c).await)
}

/// One download of one of an application's documents.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Download {
    pub viewed_at: DateTime<Utc>,
    pub viewer_name: Option<String>,
    pub viewer_role: String,
    pub document_name: String,
    /// The question the document answers; `None` for a referee's letter.
    pub question_key: Option<String>,
    pub referee_name: Option<String>,
}

/// The latest `limit` downloads of application `id`'s documents (its
/// uploads and its referees' letters), newest first.
#[tracing::instrument(skip_all)]
pub async fn downloads(ex: Exec<'_>, id: ApplicationId, limit: i64) -> DbResult<Vec<Download>> {
    let sql = "SELECT v.viewed_at, u.name AS viewer_name, v.viewer_role, d.original_name AS document_name,          w.question_key, w.referee_name FROM document_views v          JOIN (            SELECT document_id, question_key, NULL AS referee_name FROM application_documents WHERE application_id = $1            UNION ALL            SELECT letter_document_id, NULL, name FROM referee_requests            WHERE application_id = $1 AND letter_document_id IS NOT NULL          ) w ON w.document_id = v.document_id          JOIN documents d ON d.id = v.document_id LEFT JOIN users u ON u.id = v.viewer_id          ORDER BY v.viewed_at DESC, v.id DESC LIMIT $2";
    run!(ex, c => sqlx::query_as(sql).bind(id).bind(limit).fetch_all(c).await)
}
