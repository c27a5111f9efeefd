//! The wall clock, read once per request or task and passed down.

use chrono::{DateTime, SubsecRound, Utc};

/// Now, to the microsecond: what PostgreSQL keeps, so a time read back
/// equals the time written on both backends.
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}
