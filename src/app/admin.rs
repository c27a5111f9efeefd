//! Administration: granting and revoking the reviewer and manager roles of
//! a program, and giving a failed mail a fresh round of attempts. Each
//! change is recorded in the audit log.

use crate::auth::guards::{Admin, ClientIp};
use crate::context::Ctx;
use crate::db::{outbox, programs, roles, users};
use crate::domain::program::Program;
use crate::domain::program::ProgramId;
use crate::domain::role::ProgramRole;
use crate::domain::user::{User, UserId};

use super::{By, Error, Result};

/// A role to grant or revoke, in a program.
pub struct RoleChange {
    pub program: ProgramId,
    pub role: ProgramRole,
    /// Granted when true, revoked when false.
    pub grant: bool,
}

/// What a role change found: whose and which program's role it was, and
/// whether anything changed (granting a role already held, or revoking
/// one not held, changes nothing and records nothing).
pub struct RoleChanged {
    pub user: User,
    pub program: Program,
    pub role: ProgramRole,
    pub changed: bool,
}

/// Grants or revokes a program role of user `user_id`. Not found for an
/// unknown user; refused for an unknown program.
#[tracing::instrument(skip_all, fields(user_id = %user_id))]
pub async fn change_role(
    ctx: &Ctx,
    who: &Admin,
    ip: &ClientIp,
    user_id: UserId,
    input: RoleChange,
) -> Result<RoleChanged> {
    let now = ctx.now();
    let mut tx = ctx.begin().await?;
    let user = users::find(tx.exec(), user_id)
        .await?
        .ok_or(Error::NotFound)?;
    let Some(program) = programs::find(tx.exec(), input.program).await? else {
        return Err(Error::refused("Choose one of the programs."));
    };
    let actor = who.0.user().id;
    let role = input.role;
    let changed = if input.grant {
        roles::grant(tx.exec(), user.id, program.id, role, actor, now).await?
    } else {
        roles::revoke(tx.exec(), user.id, program.id, role).await?
    };
    if changed {
        let action = if input.grant {
            "role.grant"
        } else {
            "role.revoke"
        };
        let detail = format!("{} {} for {}", role.as_str(), program.slug, user.email);
        By::user(actor, ip.as_deref())
            .audit(
                tx.exec(),
                action,
                &format!("user:{}", user.id),
                &detail,
                now,
            )
            .await?;
    }
    tx.commit().await?;
    Ok(RoleChanged {
        user,
        program,
        role,
        changed,
    })
}

/// Queues failed message `id` again for a fresh round of attempts.
/// Refused when it is not failed.
#[tracing::instrument(skip_all)]
pub async fn resend_message(ctx: &Ctx, who: &Admin, ip: &ClientIp, id: i64) -> Result<()> {
    let now = ctx.now();
    let mut tx = ctx.begin().await?;
    if !outbox::resend(tx.exec(), id, now).await? {
        return Err(Error::refused(
            "That message is not failed, so it was left as it is.",
        ));
    }
    By::user(who.0.user().id, ip.as_deref())
        .audit(tx.exec(), "outbox.resend", &format!("outbox:{id}"), "", now)
        .await?;
    tx.commit().await?;
    ctx.wake();
    Ok(())
}
