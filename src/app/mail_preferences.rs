//! Stopping and restarting reminders, by the holder of the link every
//! reminder carries (no account: referees have none). The link's token is
//! the only proof, as a mailbox provider's one-click unsubscribe (RFC 8058)
//! carries no cookie. Mail a person must get (decision letters, account
//! mail, a referee's first request) cannot be stopped.

use super::{Error, Result};
use crate::context::Ctx;
use crate::db::mail_preferences::{self, Preferences};

/// The reminders the token's address gets.
pub async fn reminders(ctx: &Ctx, token: &str) -> Result<Preferences> {
    let mut conn = ctx.conn().await?;
    mail_preferences::by_token(conn.exec(), token)
        .await?
        .ok_or(Error::NotFound)
}

/// Turns every reminder of the token's address off (`on: false`) or back
/// on; returns what it gets now.
pub async fn set_reminders(ctx: &Ctx, token: &str, on: bool) -> Result<Preferences> {
    let mut tx = ctx.begin().await?;
    if !mail_preferences::set_reminders(tx.exec(), token, on, ctx.now()).await? {
        return Err(Error::NotFound);
    }
    let now = mail_preferences::by_token(tx.exec(), token)
        .await?
        .ok_or(Error::NotFound)?;
    tx.commit().await?;
    Ok(now)
}
