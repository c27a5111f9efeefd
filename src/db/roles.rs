//! Reviewer and manager roles per program.

use chrono::{DateTime, Utc};

use super::{DbResult, Exec};
use crate::domain::program::ProgramId;
use crate::domain::role::{Grant, ProgramRole};
use crate::domain::user::UserId;

#[derive(sqlx::FromRow)]
struct GrantRow {
    user_id: UserId,
    program_id: ProgramId,
    role: String,
}

/// The grants of one user.
#[tracing::instrument(skip_all)]
pub async fn for_user(ex: Exec<'_>, user: UserId) -> DbResult<Vec<Grant>> {
    let sql = "SELECT user_id, program_id, role FROM role_grants WHERE user_id = $1 ORDER BY program_id, role";
    let rows: Vec<GrantRow> = run!(ex, c => sqlx::query_as(sql).bind(user).fetch_all(c).await)?;
    Ok(rows
        .into_iter()
        .filter_map(to_grant)
        .map(|(_, g)| g)
        .collect())
}

/// The grants of a page of users, as (user, grant) pairs.
#[tracing::instrument(skip_all)]
pub async fn for_users(ex: Exec<'_>, users: &[UserId]) -> DbResult<Vec<(UserId, Grant)>> {
    if users.is_empty() {
        return Ok(Vec::new());
    }
    // Ids are integers, so listing them inline is safe; a page holds at most a few dozen.
    let ids = users
        .iter()
        .map(UserId::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let sql = format!("SELECT user_id, program_id, role FROM role_grants WHERE user_id IN ({ids}) ORDER BY program_id, role");
    let rows: Vec<GrantRow> = run!(ex, c => sqlx::query_as(&sql).fetch_all(c).await)?;
    Ok(rows.into_iter().filter_map(to_grant).collect())
}

fn to_grant(r: GrantRow) -> Option<(UserId, Grant)> {
    Some((
        r.user_id,
        Grant {
            program_id: r.program_id,
            role: ProgramRole::parse(&r.role)?,
        },
    ))
}

/// Grants a role; `false` when the user already had it.
#[tracing::instrument(skip_all)]
pub async fn grant(
    ex: Exec<'_>,
    user: UserId,
    program: ProgramId,
    role: ProgramRole,
    by: UserId,
    now: DateTime<Utc>,
) -> DbResult<bool> {
    let sql = "INSERT INTO role_grants (user_id, program_id, role, granted_by, granted_at) VALUES ($1, $2, $3, $4, $5) \
               ON CONFLICT (user_id, program_id, role) DO NOTHING";
    let r = execute!(
        ex,
        sqlx::query(sql)
            .bind(user)
            .bind(program)
            .bind(role.as_str())
            .bind(by)
            .bind(now)
    )?;
    Ok(r == 1)
}

/// Revokes a role; `false` when the user did not have it.
#[tracing::instrument(skip_all)]
pub async fn revoke(
    ex: Exec<'_>,
    user: UserId,
    program: ProgramId,
    role: ProgramRole,
) -> DbResult<bool> {
    let sql = "DELETE FROM role_grants WHERE user_id = $1 AND program_id = $2 AND role = $3";
    let r = execute!(
        ex,
        sqlx::query(sql)
            .bind(user)
            .bind(program)
            .bind(role.as_str())
    )?;
    Ok(r == 1)
}
