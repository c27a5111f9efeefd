//! Invitations to a program role (migration 0022): sent, sent again,
//! revoked, accepted; found by the hash of their link's token.

use chrono::{DateTime, Utc};

use super::{returned, returned_one, DbResult, Exec};
use crate::domain::invitation::{InvitationId, Standing};
use crate::domain::program::ProgramId;
use crate::domain::role::ProgramRole;
use crate::domain::user::UserId;

/// An invitation, with its program's name and its sender's.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Invitation {
    pub id: InvitationId,
    pub email: String,
    pub program_id: ProgramId,
    pub program_name: String,
    role: String,
    pub invited_by: Option<UserId>,
    pub invited_by_name: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: DateTime<Utc>,
    pub sends: i64,
    pub expires_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl Invitation {
    /// The role offered (the column's check allows only the two).
    pub fn role(&self) -> ProgramRole {
        ProgramRole::parse(&self.role).unwrap_or(ProgramRole::Reviewer)
    }

    /// Where it stands at `now`.
    pub fn standing(&self, now: DateTime<Utc>) -> Standing {
        Standing::at(
            self.accepted_at.is_some(),
            self.revoked_at.is_some(),
            self.expires_at,
            now,
        )
    }
}

const SELECT: &str = "SELECT i.id, i.email, i.program_id, p.name AS program_name, i.role, i.invited_by, \
     u.name AS invited_by_name, i.created_at, i.sent_at, i.sends, i.expires_at, i.accepted_at, i.revoked_at \
     FROM invitations i JOIN programs p ON p.id = i.program_id LEFT JOIN users u ON u.id = i.invited_by";

/// Not yet accepted or revoked (expired ones included).
const UNANSWERED: &str = "i.accepted_at IS NULL AND i.revoked_at IS NULL";

/// An invitation to store.
pub struct NewInvitation<'a> {
    /// Normalised (lower case).
    pub email: &'a str,
    pub program: ProgramId,
    pub role: ProgramRole,
    pub token_hash: &'a str,
    pub invited_by: UserId,
    pub expires_at: DateTime<Utc>,
}

/// Stores an invitation; one unanswered invitation for the same address,
/// program and role is a unique violation.
#[tracing::instrument(skip_all)]
pub async fn insert(
    ex: Exec<'_>,
    i: &NewInvitation<'_>,
    now: DateTime<Utc>,
) -> DbResult<InvitationId> {
    let sql = "INSERT INTO invitations (email, program_id, role, token_hash, invited_by, created_at, sent_at, expires_at) \
               VALUES ($1, $2, $3, $4, $5, $6, $6, $7) RETURNING id";
    returned_one(run!(ex, c => sqlx::query_scalar(sql)
        .bind(i.email)
        .bind(i.program)
        .bind(i.role.as_str())
        .bind(i.token_hash)
        .bind(i.invited_by)
        .bind(now)
        .bind(i.expires_at)
        .fetch_all(c)
        .await))
}

/// The invitation with this id.
#[tracing::instrument(skip_all)]
pub async fn find(ex: Exec<'_>, id: InvitationId) -> DbResult<Option<Invitation>> {
    let sql = format!("{SELECT} WHERE i.id = $1");
    run!(ex, c => sqlx::query_as(&sql).bind(id).fetch_optional(c).await)
}

/// The invitation whose link has this token hash.
#[tracing::instrument(skip_all)]
pub async fn find_by_token(ex: Exec<'_>, token_hash: &str) -> DbResult<Option<Invitation>> {
    let sql = format!("{SELECT} WHERE i.token_hash = $1");
    run!(ex, c => sqlx::query_as(&sql).bind(token_hash).fetch_optional(c).await)
}

/// The unanswered invitation of `email` to `role` in `program`, if any.
#[tracing::instrument(skip_all)]
pub async fn find_unanswered(
    ex: Exec<'_>,
    email: &str,
    program: ProgramId,
    role: ProgramRole,
) -> DbResult<Option<Invitation>> {
    let sql = format!(
        "{SELECT} WHERE i.email = $1 AND i.program_id = $2 AND i.role = $3 AND {UNANSWERED}"
    );
    run!(ex, c => sqlx::query_as(&sql)
        .bind(email)
        .bind(program)
        .bind(role.as_str())
        .fetch_optional(c)
        .await)
}

/// Gives an unanswered invitation a new link (the old one stops working)
/// and a new expiry; `false` when it was answered meanwhile.
#[tracing::instrument(skip_all)]
pub async fn renew(
    ex: Exec<'_>,
    id: InvitationId,
    token_hash: &str,
    expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> DbResult<bool> {
    let sql =
        "UPDATE invitations SET token_hash = $2, expires_at = $3, sent_at = $4, sends = sends + 1 \
               WHERE id = $1 AND accepted_at IS NULL AND revoked_at IS NULL";
    let n = execute!(
        ex,
        sqlx::query(sql)
            .bind(id)
            .bind(token_hash)
            .bind(expires_at)
            .bind(now)
    )?;
    Ok(n == 1)
}

/// Revokes an unanswered invitation; `false` when it was answered already.
#[tracing::instrument(skip_all)]
pub async fn revoke(
    ex: Exec<'_>,
    id: InvitationId,
    by: UserId,
    now: DateTime<Utc>,
) -> DbResult<bool> {
    let sql = "UPDATE invitations SET revoked_at = $2, revoked_by = $3 \
               WHERE id = $1 AND accepted_at IS NULL AND revoked_at IS NULL";
    Ok(execute!(ex, sqlx::query(sql).bind(id).bind(now).bind(by))? == 1)
}

/// Records the acceptance of an invitation whose link still works, by
/// account `user`; `false` when it was answered or expired meanwhile.
#[tracing::instrument(skip_all)]
pub async fn accept(
    ex: Exec<'_>,
    id: InvitationId,
    user: UserId,
    now: DateTime<Utc>,
) -> DbResult<bool> {
    let sql = "UPDATE invitations SET accepted_at = $2, accepted_by = $3 \
               WHERE id = $1 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > $2 RETURNING id";
    let rows: Option<InvitationId> = returned(run!(ex, c => sqlx::query_scalar(sql)
        .bind(id)
        .bind(now)
        .bind(user)
        .fetch_all(c)
        .await))?;
    Ok(rows.is_some())
}

/// A page of the unanswered invitations, newest first, of one program or
/// of all, and how many there are.
#[tracing::instrument(skip_all)]
pub async fn unanswered(
    mut ex: Exec<'_>,
    program: Option<ProgramId>,
    offset: i64,
    limit: i64,
) -> DbResult<(Vec<Invitation>, i64)> {
    // An integer id, never text: safe to inline.
    let of_program = program.map_or_else(String::new, |p| format!(" AND i.program_id = {p}"));
    let count_sql = format!("SELECT COUNT(*) FROM invitations i WHERE {UNANSWERED}{of_program}");
    let page_sql = format!(
        "{SELECT} WHERE {UNANSWERED}{of_program} ORDER BY i.created_at DESC, i.id DESC LIMIT $1 OFFSET $2"
    );
    let total: i64 = run!(ex.reborrow(), c => sqlx::query_scalar(&count_sql).fetch_one(c).await)?;
    let rows = run!(ex, c => sqlx::query_as(&page_sql)
        .bind(limit)
        .bind(offset)
        .fetch_all(c)
        .await)?;
    Ok((rows, total))
}
