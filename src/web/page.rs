//! What every page shares: the chrome (navigation for the signed-in user's
//! roles, the flash message, the CSRF token for forms) and form errors
//! shown both next to each field and in a summary at the top.

use rocket::http::Status;
use rocket::request::{FlashMessage, FromRequest, Outcome, Request};
use rocket_dyn_templates::Template;
use serde::Serialize;

use crate::app::site::Site;
use crate::auth::csrf::CsrfToken;
use crate::auth::guards::SessionUser;
use crate::context::Ctx;
use crate::domain::site::{DEFAULT_BRAND, DEFAULT_FOOTER};

/// The signed-in user as the navigation shows them.
#[derive(Debug, Clone, Serialize)]
pub struct NavUser {
    pub name: String,
    pub is_admin: bool,
    pub is_manager: bool,
    pub is_reviewer: bool,
    pub must_change_password: bool,
}

/// A one-time message carried across a redirect.
#[derive(Debug, Clone, Serialize)]
pub struct FlashView {
    /// `success` or `error`.
    pub kind: String,
    pub message: String,
}

/// The parts of the layout every page fills.
#[derive(Debug, Clone, Serialize)]
pub struct Chrome {
    pub user: Option<NavUser>,
    pub flash: Option<FlashView>,
    pub csrf_token: String,
    /// A staff page (`/manage`, `/admin`, `/review`): laid out wide, for
    /// dense lists and side-by-side reading.
    pub wide: bool,
    /// For a signed-in user, the minutes of inactivity that end a session,
    /// so that the page can warn before (`data-session-idle-minutes`).
    pub idle_minutes: Option<i64>,
    /// The brand, logo, title suffix and footer (the site's settings).
    pub site: Site,
}

impl Chrome {
    fn build(
        req: &Request<'_>,
        session: Option<&SessionUser>,
        flash: Option<FlashView>,
        csrf: CsrfToken,
        site: Site,
    ) -> Self {
        let user = session.map(|s| NavUser {
            name: s.user.name.clone(),
            is_admin: s.roles.admin,
            is_manager: s.roles.is_manager(),
            is_reviewer: s.roles.is_reviewer(),
            must_change_password: s.user.must_change_password,
        });
        Self {
            user,
            flash,
            csrf_token: csrf.0,
            wide: is_staff_path(req.uri().path().as_str()),
            idle_minutes: session.map(|_| {
                req.rocket()
                    .state::<crate::config::PortalConfig>()
                    .map_or(120, |c| c.session_idle_minutes)
            }),
            site,
        }
    }

    /// The chrome of an error page: the session as already loaded, no flash.
    pub fn for_error(req: &Request<'_>) -> Self {
        let session = req.local_cache(|| None::<SessionUser>).as_ref();
        // An error page never waits for the database: the copy held, else
        // the defaults.
        let site = match req.rocket().state::<Ctx>() {
            Some(ctx) => ctx
                .site
                .peek()
                .map_or_else(|| Site::defaults(ctx), |s| (*s).clone()),
            None => Site {
                name: DEFAULT_BRAND.to_owned(),
                contact: String::new(),
                footer: DEFAULT_FOOTER.to_owned(),
                logo_url: None,
            },
        };
        Self::build(req, session, None, CsrfToken::of(req), site)
    }
}

/// Whether `path` is under one of the staff's base paths.
fn is_staff_path(path: &str) -> bool {
    ["/manage", "/admin", "/review"].iter().any(|base| {
        path.strip_prefix(base)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    })
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Chrome {
    type Error = std::convert::Infallible;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let session = SessionUser::of(req).await;
        let flash = req
            .guard::<Option<FlashMessage<'_>>>()
            .await
            .succeeded()
            .flatten()
            .map(|f| FlashView {
                kind: f.kind().to_owned(),
                message: f.message().to_owned(),
            });
        let site = match req.rocket().state::<Ctx>() {
            Some(ctx) => (*crate::app::site::current(ctx).await).clone(),
            None => return Outcome::Success(Self::for_error(req)),
        };
        Outcome::Success(Self::build(req, session, flash, CsrfToken::of(req), site))
    }
}

#[derive(Serialize)]
struct PageContext<'a, T: Serialize> {
    chrome: &'a Chrome,
    title: &'a str,
    /// An empty object. Handlebars gives a partial called with a hash a
    /// copy of the caller's whole context with the hash added, and every
    /// name the partial reads is then copied out of that; on a list page
    /// that is every row, three or four times per field. A partial that
    /// reads only its hash is called as `{{> partials/hint @root.alone
    /// id=… hint=…}}`: its context is then this object plus the hash.
    alone: Alone,
    #[serde(flatten)]
    page: T,
}

/// Serialises as `{}`: see [`PageContext::alone`].
#[derive(Serialize)]
struct Alone {}

/// Renders a page of the base layout.
pub fn render<T: Serialize>(name: &'static str, chrome: &Chrome, title: &str, page: T) -> Template {
    Template::render(
        name,
        PageContext {
            chrome,
            title,
            alone: Alone {},
            page,
        },
    )
}

/// A page showing a form again with its mistakes (422).
pub fn invalid<T: Serialize>(
    name: &'static str,
    chrome: &Chrome,
    title: &str,
    page: T,
) -> (Status, Template) {
    (
        Status::UnprocessableEntity,
        render(name, chrome, &format!("Error: {title}"), page),
    )
}

/// How long a page that must not tell whether an account exists takes at
/// least (asking for a reset link, a new confirmation link): longer than
/// either path's own work, so both answer in the same time.
pub const SAME_TIME: std::time::Duration = std::time::Duration::from_millis(250);

/// Waits until `least` has passed since `started`.
pub async fn no_sooner_than(started: std::time::Instant, least: std::time::Duration) {
    if let Some(rest) = least.checked_sub(started.elapsed()) {
        tokio::time::sleep(rest).await;
    }
}

pub use crate::app::{FieldError, FormErrors};

/// Percent-encodes a value for a query string.
pub fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A local path to return to after logging in; anything else (another
/// site, a scheme, `//host`) becomes the home page.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(p)
            if p.starts_with('/')
                && !p.starts_with("//")
                && !p.starts_with("/\\")
                && !p.contains(['\r', '\n']) =>
        {
            p.to_owned()
        }
        _ => "/".to_owned(),
    }
}

/// The client's address as text, for throttling and the audit log.
pub fn client_ip(req: &Request<'_>) -> Option<String> {
    crate::auth::guards::client_address(req).map(|ip| ip.to_string())
}

pub use crate::auth::guards::ClientIp;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed_after_login() {
        assert_eq!(
            safe_next(Some("/admin/users?page=2")),
            "/admin/users?page=2"
        );
        for bad in [
            "https://evil.example",
            "//evil.example",
            "/\\evil.example",
            "javascript:alert(1)",
            "/a\r\nSet-Cookie: x",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad}");
        }
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn form_errors_keep_the_first_message_per_field_in_order() {
        let mut e = FormErrors::default();
        e.add("email", "Enter your email address.");
        e.add("password", "Too short.");
        e.add("email", "Second message.");
        assert_eq!(e.summary.len(), 2);
        assert_eq!(e.summary[0].field, "email");
        assert_eq!(e.fields["email"], "Enter your email address.");
    }

    #[test]
    fn url_encoding_escapes_query_characters() {
        assert_eq!(url_encode("/a b?c=1&d"), "/a%20b%3Fc%3D1%26d");
    }
}

#[cfg(test)]
mod layout_tests {
    use super::is_staff_path;

    #[test]
    fn staff_paths_are_laid_out_wide_and_others_are_not() {
        for path in [
            "/manage",
            "/manage/cycles/3",
            "/admin/users",
            "/review",
            "/review/12",
        ] {
            assert!(is_staff_path(path), "{path}");
        }
        for path in [
            "/",
            "/apply",
            "/apply/7",
            "/managers",
            "/reviewers",
            "/programs/admin",
        ] {
            assert!(!is_staff_path(path), "{path}");
        }
    }
}
