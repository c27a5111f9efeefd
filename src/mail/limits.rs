//! How much mail anyone may make the portal send: each request that
//! queues a confirmation, a reset link or a referee request counts
//! against the hourly limit of its recipient, of the account asking (if
//! any) and of the client address (see `domain::outbox::LimitScope`).

use chrono::{DateTime, Utc};

use crate::db::{limits, DbResult, Exec};
use crate::domain::outbox::{limit_window, LimitScope};
use crate::domain::throttle::address_bucket;
use crate::domain::user::UserId;

/// Who a request for mail counts against.
pub struct Ask<'a> {
    /// Where the mail goes (an email address, as typed and normalised).
    pub recipient: &'a str,
    /// The account asking, when someone is logged in.
    pub account: Option<UserId>,
    /// The client address (`None` only when the server cannot tell, as in
    /// tests without a socket: then no address limit applies).
    pub address: Option<&'a str>,
}

/// Counts one request in the caller's transaction; `Ok(Err(scope))` names
/// the first limit it would exceed, and the caller must then drop the
/// transaction (so nothing is counted or queued) and show
/// [`LimitScope::message`].
pub async fn take(
    ex: Exec<'_>,
    ask: &Ask<'_>,
    now: DateTime<Utc>,
) -> DbResult<Result<(), LimitScope>> {
    let mut ex = ex;
    let window = limit_window(now);
    let account = ask.account.map(|id| id.to_string());
    let address = ask.address.map(address_bucket);
    let scopes = [
        (LimitScope::Recipient, Some(ask.recipient)),
        (LimitScope::Account, account.as_deref()),
        (LimitScope::Address, address.as_deref()),
    ];
    for (scope, who) in scopes {
        let Some(who) = who else { continue };
        let n = limits::count(ex.reborrow(), &scope.key(who), window).await?;
        if n > scope.per_hour() {
            return Ok(Err(scope));
        }
    }
    Ok(Ok(()))
}
