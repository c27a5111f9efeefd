//! Sessions: a private browser-session cookie carrying a random token
//! whose hash names a row in `sessions`. Sessions end when idle and, in
//! any case, some hours after they began; logging out or changing the
//! password ends a user's other sessions.

use chrono::{DateTime, Utc};
use rocket::http::{Cookie, CookieJar, SameSite};

use super::token;
use crate::db::{sessions, DbResult, Exec};
use crate::domain::user::UserId;

/// Name of the session cookie.
pub const COOKIE: &str = "portal_session";

/// Cookie attributes shared by the portal's cookies. They last as long as
/// the browser session (no `Expires`: private cookies would otherwise get
/// a week); the server ends sessions on its own clock.
pub fn cookie(name: &'static str, value: String, secure: bool) -> Cookie<'static> {
    Cookie::build((name, value))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .expires(None::<rocket::time::OffsetDateTime>)
        .build()
}

/// Starts a session for `user` and sets its cookie.
pub async fn start(
    ex: Exec<'_>,
    cookies: &CookieJar<'_>,
    user: UserId,
    secure: bool,
    now: DateTime<Utc>,
) -> DbResult<()> {
    let token = token::generate();
    sessions::create(ex, &token::hash(&token), user, now).await?;
    cookies.add_private(cookie(COOKIE, token, secure));
    Ok(())
}

/// The token hash in the request's session cookie, if any.
pub fn cookie_hash(cookies: &CookieJar<'_>) -> Option<String> {
    cookies.get_private(COOKIE).map(|c| token::hash(c.value()))
}

/// Removes the session cookie.
pub fn clear_cookie(cookies: &CookieJar<'_>) {
    cookies.remove_private(Cookie::build(COOKIE).path("/"));
}
