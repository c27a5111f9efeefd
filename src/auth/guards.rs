//! The ladder of request guards. Each awaits the weaker one and adds one
//! check, so a handler's signature says who may call it:
//!
//! `SessionUser` (signed in) → `CurrentUser` (password need not change) →
//! `Applicant` (every user) / `Reviewer` / `Manager` / `Admin` (holds the role).
//!
//! Without a session the guards fail with 401 (the catcher sends people to
//! the login page, or to the password page when it must change first); a
//! missing role fails with 403.

use std::net::IpAddr;

use rocket::http::Status;
use rocket::outcome::try_outcome;
use rocket::request::{FromRequest, Outcome, Request};

use super::session;
use crate::config::PortalConfig;
use crate::db::{roles, sessions, users, Db};
use crate::domain::forwarded::{self, TrustedProxies};
use crate::domain::role::Roles;
use crate::domain::user::User;

/// Sessions whose last activity was noted less than this long ago are not
/// written again, so browsing costs reads only.
const TOUCH_EVERY: chrono::Duration = chrono::Duration::seconds(60);

/// Someone with a live session.
#[derive(Debug, Clone)]
pub struct SessionUser {
    pub user: User,
    pub roles: Roles,
    pub session_id: i64,
}

impl SessionUser {
    async fn load(req: &Request<'_>) -> anyhow::Result<Option<Self>> {
        let Some(hash) = session::cookie_hash(req.cookies()) else {
            return Ok(None);
        };
        let db = req
            .guard::<&Db>()
            .await
            .succeeded()
            .ok_or_else(|| anyhow::anyhow!("no database"))?;
        let (idle, longest) = req
            .rocket()
            .state::<PortalConfig>()
            .map_or((120, 12), |c| (c.session_idle_minutes, c.session_max_hours));
        let now = req
            .rocket()
            .state::<crate::clock::Clock>()
            .ok_or_else(|| anyhow::anyhow!("no clock"))?
            .now();
        let mut conn = db.conn().await?;
        let Some(s) = sessions::find(conn.exec(), &hash).await? else {
            session::clear_cookie(req.cookies());
            req.local_cache(|| EndedSession(true));
            return Ok(None);
        };
        if s.last_seen_at + chrono::Duration::minutes(idle) <= now
            || s.created_at + chrono::Duration::hours(longest) <= now
        {
            sessions::delete(conn.exec(), s.id).await?;
            session::clear_cookie(req.cookies());
            req.local_cache(|| EndedSession(true));
            return Ok(None);
        }
        let Some(user) = users::find(conn.exec(), s.user_id).await? else {
            return Ok(None);
        };
        if !user.active {
            // Deactivation ends sessions; one begun at that moment ends here.
            sessions::delete(conn.exec(), s.id).await?;
            session::clear_cookie(req.cookies());
            req.local_cache(|| EndedSession(true));
            return Ok(None);
        }
        let grants = roles::for_user(conn.exec(), user.id).await?;
        if now - s.last_seen_at >= TOUCH_EVERY {
            sessions::touch(conn.exec(), s.id, now).await?;
        }
        let roles = Roles {
            admin: user.is_admin,
            grants,
        };
        Ok(Some(Self {
            user,
            roles,
            session_id: s.id,
        }))
    }

    /// The session user of this request, loaded at most once per request.
    pub async fn of<'r>(req: &'r Request<'_>) -> Option<&'r SessionUser> {
        let cached = req
            .local_cache_async(async {
                match Self::load(req).await {
                    Ok(found) => found,
                    Err(e) => {
                        tracing::error!("loading the session failed: {e:#}");
                        None
                    }
                }
            })
            .await;
        cached.as_ref()
    }
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for SessionUser {
    type Error = ();

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, ()> {
        match Self::of(req).await {
            Some(s) => Outcome::Success(s.clone()),
            None => Outcome::Error((Status::Unauthorized, ())),
        }
    }
}

/// Whether the request came with a session cookie the server no longer
/// honours (idled out, too old, ended elsewhere), as opposed to no session
/// cookie at all. Known once the session was loaded.
#[derive(Debug, Clone, Copy)]
pub struct EndedSession(pub bool);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for EndedSession {
    type Error = std::convert::Infallible;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let live = SessionUser::of(req).await.is_some();
        let ended = req.local_cache(|| EndedSession(false)).0;
        Outcome::Success(Self(ended && !live))
    }
}

/// A signed-in user who may use the portal (no pending password change).
#[derive(Debug, Clone)]
pub struct CurrentUser(pub SessionUser);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for CurrentUser {
    type Error = ();

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, ()> {
        let s = try_outcome!(req.guard::<SessionUser>().await);
        if s.user.must_change_password {
            // The 401 catcher sees the session and sends them to change it.
            return Outcome::Error((Status::Unauthorized, ()));
        }
        Outcome::Success(Self(s))
    }
}

impl CurrentUser {
    /// The account.
    pub fn user(&self) -> &User {
        &self.0.user
    }

    /// The roles.
    pub fn roles(&self) -> &Roles {
        &self.0.roles
    }
}

macro_rules! role_guard {
    ($(#[$doc:meta])* $name:ident, $check:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone)]
        pub struct $name(pub CurrentUser);

        #[rocket::async_trait]
        impl<'r> FromRequest<'r> for $name {
            type Error = ();

            async fn from_request(req: &'r Request<'_>) -> Outcome<Self, ()> {
                let current = try_outcome!(req.guard::<CurrentUser>().await);
                if current.roles().$check() {
                    Outcome::Success(Self(current))
                } else {
                    Outcome::Error((Status::Forbidden, ()))
                }
            }
        }
    };
}

/// Every signed-in user may apply.
#[derive(Debug, Clone)]
pub struct Applicant(pub CurrentUser);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Applicant {
    type Error = ();

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, ()> {
        req.guard::<CurrentUser>().await.map(Self)
    }
}

role_guard!(
    /// A reviewer for at least one program; per-program checks go through
    /// `Roles::can_review`.
    Reviewer,
    is_reviewer
);
role_guard!(
    /// A manager of at least one program; per-program checks go through
    /// `Roles::can_manage`.
    Manager,
    is_manager
);
role_guard!(
    /// An administrator.
    Admin,
    can_administer
);

/// A request guard giving the client's address (see [`client_address`]),
/// for throttling, the mail limits and the audit log.
pub struct ClientIp(pub Option<String>);

impl ClientIp {
    /// The address as text, if known.
    pub fn as_deref(&self) -> Option<&str> {
        self.0.as_deref()
    }
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for ClientIp {
    type Error = std::convert::Infallible;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        Outcome::Success(Self(client_address(req).map(|ip| ip.to_string())))
    }
}

/// The client's address. With `trusted_proxies` set, the connection's own
/// address unless it is a trusted proxy, and then the client named in
/// `X-Forwarded-For` (`domain::forwarded::client_address`); Rocket's
/// `ip_header` is not read, so no other header can choose the address.
/// Without trusted proxies, as Rocket tells it: the `ip_header` when one is
/// configured, else the connection's address.
pub fn client_address(req: &Request<'_>) -> Option<IpAddr> {
    match trusted_proxies(req) {
        Some(trusted) => req.remote().map(|peer| {
            forwarded::client_address(peer.ip(), req.headers().get("X-Forwarded-For"), trusted)
        }),
        None => req.client_ip(),
    }
}

/// Whether cookies set in answer to this request are `Secure`: always
/// when `secure_cookies` is on, and also when a trusted proxy says the
/// browser reached it over HTTPS (`X-Forwarded-Proto: https`).
pub fn secure_cookies(req: &Request<'_>) -> bool {
    let configured = req
        .rocket()
        .state::<PortalConfig>()
        .is_some_and(|c| c.secure_cookies);
    configured
        || match (trusted_proxies(req), req.remote()) {
            (Some(trusted), Some(peer)) => forwarded::forwarded_https(
                peer.ip(),
                req.headers().get("X-Forwarded-Proto"),
                trusted,
            )
            .unwrap_or(false),
            _ => false,
        }
}

/// The configured trusted proxies, when there are any.
fn trusted_proxies<'r>(req: &'r Request<'_>) -> Option<&'r TrustedProxies> {
    req.rocket()
        .state::<PortalConfig>()
        .map(|c| &c.trusted_proxies)
        .filter(|t| !t.is_empty())
}

/// A request guard saying whether cookies set now are `Secure` (see
/// [`secure_cookies`]).
pub struct SecureCookies(pub bool);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for SecureCookies {
    type Error = std::convert::Infallible;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        Outcome::Success(Self(secure_cookies(req)))
    }
}
