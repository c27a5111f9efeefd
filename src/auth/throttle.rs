//! Login attempts, counted before the password is checked: in one
//! transaction each attempt reads the counters, is refused while a wait is
//! in force, and otherwise counts as a failure, so that guesses sent in
//! parallel cannot all pass the check while the first is still being
//! verified. A right password then takes its failure back.

use chrono::{DateTime, Utc};

use crate::db::{throttle, DbResult, PortalPool};
use crate::domain::throttle::{address_bucket, key_part, ThrottlePolicy};

/// The counters one login attempt touches.
pub struct LoginKeys {
    account: String,
    keys: Vec<(String, Option<String>, ThrottlePolicy)>,
}

impl LoginKeys {
    /// The counters for an attempt at `email` (as typed, normalised for
    /// lookup) from `address` (unknown when the server cannot tell). A
    /// browser the account logged in from before (`known_device`) is not
    /// held back by guesses made at the account from elsewhere: only its
    /// own address's counters apply to it.
    pub fn new(email: &str, address: Option<&str>, known_device: bool) -> Self {
        let address = key_part(&address_bucket(address.unwrap_or("unknown")));
        let account = email.to_owned();
        let escaped = key_part(email);
        let mut keys = vec![
            (
                format!("account:{escaped}|address:{address}"),
                Some(account.clone()),
                ThrottlePolicy::ACCOUNT_FROM_ADDRESS,
            ),
            (format!("address:{address}"), None, ThrottlePolicy::ADDRESS),
        ];
        if !known_device {
            keys.push((
                format!("account:{escaped}"),
                Some(account.clone()),
                ThrottlePolicy::ACCOUNT,
            ));
        }
        Self { keys, account }
    }
}

/// What counting an attempt found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    /// A wait is in force until then; nothing was counted and the password
    /// must not be checked.
    Refused(DateTime<Utc>),
    /// Counted as a failure (until the password proves right); with the
    /// wait this failure started, if it started one.
    Counted(Option<DateTime<Utc>>),
}

/// Counts one attempt, or refuses it while any of its counters says wait.
pub async fn count_attempt(
    pool: &PortalPool,
    keys: &LoginKeys,
    now: DateTime<Utc>,
) -> DbResult<Attempt> {
    let mut tx = pool.begin().await?;
    let mut states = Vec::with_capacity(keys.keys.len());
    for (key, account, policy) in &keys.keys {
        let state = throttle::lock(tx.exec(), key, account.as_deref(), now).await?;
        if let Err(until) = policy.check(Some(&state), now) {
            // Dropped without commit: nothing counted.
            return Ok(Attempt::Refused(until));
        }
        states.push(state);
    }
    let mut wait = None;
    for ((key, _, policy), state) in keys.keys.iter().zip(&states) {
        let next = policy.after_failure(Some(state), now);
        throttle::put(tx.exec(), key, &next).await?;
        wait = wait.max(next.locked_until);
    }
    tx.commit().await?;
    Ok(Attempt::Counted(wait))
}

/// The password was right: the account's counters are forgotten, and the
/// address's count takes this attempt back (a right password for one
/// account must not wipe out guesses made at others).
pub async fn succeeded(pool: &PortalPool, keys: &LoginKeys) -> DbResult<()> {
    let mut tx = pool.begin().await?;
    throttle::clear_account(tx.exec(), &keys.account).await?;
    let (key, _, policy) = &keys.keys[1];
    throttle::take_back(tx.exec(), key, policy.max_failures).await?;
    tx.commit().await
}
