//! Who is asking: password hashing, random tokens, server-side sessions,
//! CSRF protection and the ladder of role guards.
//!
//! Imports `db` and `domain`; never the page modules of `web`.

pub mod csrf;
pub mod guards;
pub mod password;
pub mod session;
pub mod throttle;
pub mod token;
