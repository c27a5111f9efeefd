//! The rows of the applicant's session helpers: the "Stay logged in"
//! button's endpoint, which any signed-in user may call.

use super::{get, Row};
use crate::permissions::roles::Audience;

/// Keeping a session alive: 204 for anybody signed in, to the login page
/// without a session.
pub fn rows() -> Vec<Row> {
    vec![get("/account/session", Audience::SignedIn, 204, |_, _| {
        "/account/session".into()
    })]
}
