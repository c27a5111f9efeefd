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

/// The cookie naming the account last logged in from this browser (a
/// private cookie: it cannot be made up). It opens nothing; it only lets
/// the browser past the wait that guesses at the account from elsewhere
/// start, so that nobody can keep an owner out of their account.
pub const DEVICE_COOKIE: &str = "portal_device";

/// How long a browser is remembered after a login.
const DEVICE_DAYS: i64 = 180;

/// Remembers that `email` logged in from this browser.
pub fn remember_device(cookies: &CookieJar<'_>, email: &str, secure: bool) {
    let cookie = Cookie::build((DEVICE_COOKIE, email.to_owned()))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .max_age(rocket::time::Duration::days(DEVICE_DAYS))
        .build();
    cookies.add_private(cookie);
}

/// Whether `email` logged in from this browser before.
pub fn is_known_device(cookies: &CookieJar<'_>, email: &str) -> bool {
    cookies
        .get_private(DEVICE_COOKIE)
        .is_some_and(|c| c.value() == email)
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
