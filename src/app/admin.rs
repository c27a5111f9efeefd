//! Administration: granting and revoking the reviewer and manager roles of
//! a program, and giving a failed mail a fresh round of attempts. Each
//! change is recorded in the audit log.

use crate::auth::guards::{Admin, ClientIp};
use crate::context::Ctx;
use crate::db::{assignments, outbox, programs, roles, sessions, users};
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

/// What deactivating or reactivating found.
pub struct ActiveChanged {
    pub user: User,
    /// Whether anything changed (deactivating an account already
    /// deactivated changes nothing and records nothing).
    pub changed: bool,
    /// Reviews assigned to the account and not yet submitted.
    pub open_reviews: i64,
}

/// Deactivates (`active` false) or reactivates an account. Deactivating
/// ends its sessions at once; its reviews not yet submitted stay assigned
/// and are shown to the managers to give to someone else. Refused for the
/// admin's own account and for the last active admin.
#[tracing::instrument(skip_all, fields(user_id = %user_id))]
pub async fn set_active(
    ctx: &Ctx,
    who: &Admin,
    ip: &ClientIp,
    user_id: UserId,
    active: bool,
) -> Result<ActiveChanged> {
    let now = ctx.now();
    let actor = who.0.user().id;
    let mut tx = ctx.begin().await?;
    let user = users::find(tx.exec(), user_id)
        .await?
        .ok_or(Error::NotFound)?;
    if !active && user.id == actor {
        return Err(Error::refused(
            "You cannot deactivate your own account: ask another admin.",
        ));
    }
    if !active && user.is_admin && user.active && users::count_active_admins(tx.exec()).await? <= 1
    {
        return Err(Error::refused(
            "This is the only active admin: make someone else an admin first.",
        ));
    }
    let changed = users::set_deactivated(tx.exec(), user.id, (!active).then_some(now)).await?;
    let open_reviews = assignments::open_for_reviewer(tx.exec(), user.id).await?;
    if changed {
        if !active {
            sessions::delete_for_user(tx.exec(), user.id, None).await?;
        }
        let action = if active {
            "user.reactivate"
        } else {
            "user.deactivate"
        };
        let detail = format!("{} ({open_reviews} reviews not yet submitted)", user.email);
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
    let user = User { active, ..user };
    Ok(ActiveChanged {
        user,
        changed,
        open_reviews,
    })
}
