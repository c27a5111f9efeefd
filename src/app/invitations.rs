//! Invitations to review for or manage a program: sending one (an admin to
//! any program, a manager to their own), sending it again, revoking it,
//! and accepting it, either as the account that already has the address
//! or by creating that account from the link. Each step is recorded in the
//! audit log; the mail goes through the outbox.

use chrono::{DateTime, Utc};

use crate::auth::guards::{ClientIp, CurrentUser};
use crate::auth::{password, token};
use crate::context::Ctx;
use crate::db::invitations::{self, Invitation, NewInvitation};
use crate::db::{self, programs, roles, sessions, users};
use crate::domain::email::EmailAddress;
use crate::domain::invitation::{self as rules, InvitationId, Standing};
use crate::domain::password::NewPassword;
use crate::domain::program::ProgramId;
use crate::domain::role::ProgramRole;
use crate::domain::user::{PersonName, User, UserId};
use crate::mail::limits::{self, Ask};
use crate::mail::messages::{self, InvitationMail};

use super::{By, Error, Result};

/// An invitation to send, its fields already checked.
pub struct Invite {
    pub email: EmailAddress,
    pub program: ProgramId,
    pub role: ProgramRole,
}

/// Sends an invitation. Not found when `who` may not invite to the
/// program (a manager of another one) or it does not exist; invalid on
/// `email` when the address already holds the role or has an invitation
/// waiting for it.
#[tracing::instrument(skip_all)]
pub async fn invite(
    ctx: &Ctx,
    who: &CurrentUser,
    ip: &ClientIp,
    input: Invite,
) -> Result<Invitation> {
    if !rules::may_invite(who.roles(), input.program) {
        return Err(Error::NotFound);
    }
    let now = ctx.now();
    let email = input.email.as_str();
    let mut tx = ctx.begin().await?;
    let program = programs::find(tx.exec(), input.program)
        .await?
        .ok_or(Error::NotFound)?;
    let role = input.role;
    if let Some((holder, _)) = users::find_by_email(tx.exec(), email).await? {
        let held = roles::for_user(tx.exec(), holder.id).await?;
        if held
            .iter()
            .any(|g| g.program_id == program.id && g.role == role)
        {
            return Err(Error::invalid(
                "email",
                format!(
                    "{email} is already {} of the {}: there is nothing to invite them to.",
                    article(role),
                    program.name
                ),
            ));
        }
    }
    if let Some(waiting) = invitations::find_unanswered(tx.exec(), email, program.id, role).await? {
        let how = match waiting.standing(now) {
            Standing::Expired => "has expired: send it again from the list of invitations",
            _ => "is waiting for an answer: send it again from the list of invitations if it went astray",
        };
        return Err(Error::invalid(
            "email",
            format!(
                "An invitation to {email} to be {} of the {} {how}.",
                article(role),
                program.name
            ),
        ));
    }
    over_mail_limit(&mut tx, email, now).await?;
    let secret = token::generate();
    let expires_at = rules::expires(now);
    let new = NewInvitation {
        email,
        program: program.id,
        role,
        token_hash: &token::hash(&secret),
        invited_by: who.user().id,
        expires_at,
    };
    let id = match invitations::insert(tx.exec(), &new, now).await {
        Ok(id) => id,
        Err(e) if db::is_unique_violation(&e) => {
            return Err(Error::invalid(
                "email",
                format!("An invitation to {email} was sent a moment ago. It is in the list below."),
            ))
        }
        Err(e) => return Err(e.into()),
    };
    let sent = Sending {
        who,
        ip,
        secret: &secret,
        now,
    };
    sent.finish(ctx, tx, id, "invitation.send").await
}

/// Sends an unanswered invitation again with a new link (the old one stops
/// working) valid for another [`rules::VALID_DAYS`] days. Refused once it
/// was accepted or revoked.
#[tracing::instrument(skip_all, fields(invitation = %id))]
pub async fn resend(
    ctx: &Ctx,
    who: &CurrentUser,
    ip: &ClientIp,
    id: InvitationId,
) -> Result<Invitation> {
    let now = ctx.now();
    let mut tx = ctx.begin().await?;
    let found = reachable(&mut tx, who, id).await?;
    if !found.standing(now).unanswered() {
        return Err(Error::refused(answered(&found, now)));
    }
    over_mail_limit(&mut tx, &found.email, now).await?;
    let secret = token::generate();
    let renewed = invitations::renew(
        tx.exec(),
        id,
        &token::hash(&secret),
        rules::expires(now),
        now,
    )
    .await?;
    if !renewed {
        // Accepted or revoked since it was read: nothing is sent.
        return Err(answered_meanwhile(&mut tx, id, now).await);
    }
    let sent = Sending {
        who,
        ip,
        secret: &secret,
        now,
    };
    sent.finish(ctx, tx, id, "invitation.resend").await
}

/// An invitation's link on its way: who sends it, and its secret.
struct Sending<'a> {
    who: &'a CurrentUser,
    ip: &'a ClientIp,
    secret: &'a str,
    now: DateTime<Utc>,
}

impl Sending<'_> {
    /// Mails invitation `id` as stored now with the link, records `action`
    /// in the audit log, commits and wakes the worker.
    async fn finish(
        &self,
        ctx: &Ctx,
        mut tx: db::Tx,
        id: InvitationId,
        action: &str,
    ) -> Result<Invitation> {
        let i = invitations::find(tx.exec(), id)
            .await?
            .ok_or_else(|| anyhow::anyhow!("invitation {id} vanished"))?;
        let m = InvitationMail {
            to: &i.email,
            inviter: &self.who.user().name,
            program: &i.program_name,
            role: i.role(),
            token: self.secret,
            expires_at: i.expires_at,
            invitation: i.id.0,
            sends: i.sends,
        };
        messages::invitation(tx.exec(), &ctx.mail, &m, self.now).await?;
        By::user(self.who.user().id, self.ip.as_deref())
            .audit(tx.exec(), action, &subject(id), &detail(&i), self.now)
            .await?;
        tx.commit().await?;
        ctx.wake();
        Ok(i)
    }
}

/// Revokes an unanswered invitation: its link stops working. Refused once
/// it was accepted or revoked.
#[tracing::instrument(skip_all, fields(invitation = %id))]
pub async fn revoke(
    ctx: &Ctx,
    who: &CurrentUser,
    ip: &ClientIp,
    id: InvitationId,
) -> Result<Invitation> {
    let now = ctx.now();
    let mut tx = ctx.begin().await?;
    let found = reachable(&mut tx, who, id).await?;
    if !invitations::revoke(tx.exec(), id, who.user().id, now).await? {
        return Err(answered_meanwhile(&mut tx, id, now).await);
    }
    By::user(who.user().id, ip.as_deref())
        .audit(
            tx.exec(),
            "invitation.revoke",
            &subject(id),
            &detail(&found),
            now,
        )
        .await?;
    tx.commit().await?;
    Ok(found)
}

/// Why an invitation's link does not work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkProblem {
    /// No invitation has this link (mistyped, or replaced by a newer one).
    Unknown,
    Expired,
    Revoked,
    Accepted,
}

/// What opening an invitation's link finds.
pub struct Opened {
    pub invitation: Invitation,
    /// The account that has the invited address, if there is one.
    pub account: Option<User>,
}

/// Reads the invitation behind a link, and whether its address has an
/// account.
#[tracing::instrument(skip_all)]
pub async fn open(ctx: &Ctx, secret: &str) -> Result<std::result::Result<Opened, LinkProblem>> {
    let now = ctx.now();
    let mut conn = ctx.conn().await?;
    let invitation = match working(conn.exec(), secret, now).await? {
        Ok(i) => i,
        Err(problem) => return Ok(Err(problem)),
    };
    let account = users::find_by_email(conn.exec(), &invitation.email)
        .await?
        .map(|(u, _)| u);
    Ok(Ok(Opened {
        invitation,
        account,
    }))
}

/// The invitation behind the link `secret` if it can be accepted at
/// `now`, or why not.
async fn working(
    ex: db::Exec<'_>,
    secret: &str,
    now: DateTime<Utc>,
) -> Result<std::result::Result<Invitation, LinkProblem>> {
    let Some(i) = invitations::find_by_token(ex, &token::hash(secret)).await? else {
        return Ok(Err(LinkProblem::Unknown));
    };
    Ok(match i.standing(now) {
        Standing::Waiting => Ok(i),
        Standing::Expired => Err(LinkProblem::Expired),
        Standing::Revoked => Err(LinkProblem::Revoked),
        Standing::Accepted => Err(LinkProblem::Accepted),
    })
}

/// What accepting did: the role now held, and by whom.
pub struct Accepted {
    pub user: UserId,
    pub program: String,
    pub role: ProgramRole,
    /// For an account made from the link: the secret of the session it
    /// starts with (for the cookie).
    pub session: Option<String>,
}

/// Accepts the invitation behind `secret` as the signed-in `who`, whose
/// address must be the invited one (refused otherwise, with the words
/// to show).
#[tracing::instrument(skip_all)]
pub async fn accept(
    ctx: &Ctx,
    who: &CurrentUser,
    ip: &ClientIp,
    secret: &str,
) -> Result<std::result::Result<Accepted, LinkProblem>> {
    let now = ctx.now();
    let mut tx = ctx.begin().await?;
    let invitation = match working(tx.exec(), secret, now).await? {
        Ok(i) => i,
        Err(problem) => return Ok(Err(problem)),
    };
    if who.user().email != invitation.email {
        return Err(Error::refused(format!(
            "This invitation is for {}, and you are logged in as {}. Log out, then open the link again \
             and log in with {}.",
            invitation.email,
            who.user().email,
            invitation.email
        )));
    }
    let accepted = take_up(&mut tx, &invitation, who.user().id, ip, now).await?;
    tx.commit().await?;
    Ok(accepted)
}

/// A new account made from an invitation's link: the address is the
/// invited one, so it counts as confirmed.
pub struct NewAccount {
    pub name: PersonName,
    pub password: NewPassword,
}

/// Creates the invited address's account and accepts the invitation with
/// it. Refused when the address has an account (whose owner logs in and
/// accepts instead).
#[tracing::instrument(skip_all)]
pub async fn accept_with_new_account(
    ctx: &Ctx,
    ip: &ClientIp,
    secret: &str,
    input: NewAccount,
) -> Result<std::result::Result<Accepted, LinkProblem>> {
    let hash = password::hash(input.password.expose()).await?;
    let now = ctx.now();
    let mut tx = ctx.begin().await?;
    let invitation = match working(tx.exec(), secret, now).await? {
        Ok(i) => i,
        Err(problem) => return Ok(Err(problem)),
    };
    let account_exists = || {
        Error::refused(format!(
            "An account with the address {} already exists. Log in with it to accept the invitation.",
            invitation.email
        ))
    };
    if users::find_by_email(tx.exec(), &invitation.email)
        .await?
        .is_some()
    {
        return Err(account_exists());
    }
    let new_user = users::NewUser {
        email: &invitation.email,
        name: input.name.as_str(),
        password_hash: &hash,
        confirmed: true,
        is_admin: false,
        must_change_password: false,
    };
    let user = match users::insert(tx.exec(), &new_user, now).await {
        Ok(id) => id,
        Err(e) if db::is_unique_violation(&e) => return Err(account_exists()),
        Err(e) => return Err(e.into()),
    };
    By::user(user, ip.as_deref())
        .audit(
            tx.exec(),
            "account.create",
            &format!("user:{user}"),
            &format!("{} from invitation {}", invitation.email, invitation.id),
            now,
        )
        .await?;
    let mut accepted = take_up(&mut tx, &invitation, user, ip, now).await?;
    if let Ok(done) = &mut accepted {
        let secret = token::generate();
        sessions::create(tx.exec(), &token::hash(&secret), user, now).await?;
        db::sign_ins::record(tx.exec(), user, ip.as_deref(), now).await?;
        done.session = Some(secret);
    }
    tx.commit().await?;
    Ok(accepted)
}

/// Grants the invited role to `user` and marks the invitation accepted.
async fn take_up(
    tx: &mut db::Tx,
    invitation: &Invitation,
    user: UserId,
    ip: &ClientIp,
    now: DateTime<Utc>,
) -> Result<std::result::Result<Accepted, LinkProblem>> {
    if !invitations::accept(tx.exec(), invitation.id, user, now).await? {
        // Answered or expired between reading and accepting.
        return Ok(Err(LinkProblem::Accepted));
    }
    let role = invitation.role();
    roles::grant(
        tx.exec(),
        user,
        invitation.program_id,
        role,
        invitation.invited_by.unwrap_or(user),
        now,
    )
    .await?;
    By::user(user, ip.as_deref())
        .audit(
            tx.exec(),
            "invitation.accept",
            &subject(invitation.id),
            &detail(invitation),
            now,
        )
        .await?;
    Ok(Ok(Accepted {
        user,
        program: invitation.program_name.clone(),
        role,
        session: None,
    }))
}

/// The invitation `id`, if `who` may act on it (not found otherwise).
async fn reachable(tx: &mut db::Tx, who: &CurrentUser, id: InvitationId) -> Result<Invitation> {
    let found = invitations::find(tx.exec(), id)
        .await?
        .ok_or(Error::NotFound)?;
    if !rules::may_invite(who.roles(), found.program_id) {
        return Err(Error::NotFound);
    }
    Ok(found)
}

/// Refused when one more message to `email` would pass its hourly limit.
/// Only the recipient's limit applies: staff invite many people in an
/// hour (every invitation is audited), but no address is flooded.
async fn over_mail_limit(tx: &mut db::Tx, email: &str, now: DateTime<Utc>) -> Result<()> {
    let ask = Ask {
        recipient: email,
        account: None,
        address: None,
    };
    match limits::take(tx.exec(), &ask, now).await? {
        Ok(()) => Ok(()),
        Err(limit) => Err(Error::OverMailLimit(limit)),
    }
}

/// The refusal for invitation `id`, found answered when it was to be
/// changed: read again, so that it says how it was answered.
async fn answered_meanwhile(tx: &mut db::Tx, id: InvitationId, now: DateTime<Utc>) -> Error {
    match invitations::find(tx.exec(), id).await {
        Ok(Some(i)) => Error::refused(answered(&i, now)),
        Ok(None) => Error::NotFound,
        Err(e) => e.into(),
    }
}

/// What a refused resend or revoke says about an answered invitation.
fn answered(i: &Invitation, now: DateTime<Utc>) -> String {
    match i.standing(now) {
        Standing::Accepted => format!("{} has already accepted this invitation.", i.email),
        _ => format!("The invitation to {} was revoked.", i.email),
    }
}

fn article(role: ProgramRole) -> &'static str {
    match role {
        ProgramRole::Reviewer => "a reviewer",
        ProgramRole::Manager => "a manager",
    }
}

fn subject(id: InvitationId) -> String {
    format!("invitation:{id}")
}

fn detail(i: &Invitation) -> String {
    format!(
        "{} of program {} for {}",
        i.role().as_str(),
        i.program_id,
        i.email
    )
}
