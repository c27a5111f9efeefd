//! Security headers on every response.

use rocket::fairing::{Fairing, Info, Kind};
use rocket::http::{ContentType, Cookie, Header, SameSite};
use rocket::{Request, Response};

/// No inline script or style, no framing, no sniffing, no referrer (links
/// carry tokens), and no caching of pages that may hold personal data
/// (unless the response set its own `Cache-Control`).
pub struct SecurityHeaders;

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

#[rocket::async_trait]
impl Fairing for SecurityHeaders {
    fn info(&self) -> Info {
        Info {
            name: "Security headers",
            kind: Kind::Response,
        }
    }

    async fn on_response<'r>(&self, req: &'r Request<'_>, res: &mut Response<'r>) {
        res.set_header(Header::new("Content-Security-Policy", CSP));
        res.set_header(Header::new("X-Content-Type-Options", "nosniff"));
        res.set_header(Header::new("X-Frame-Options", "DENY"));
        res.set_header(Header::new("Referrer-Policy", "no-referrer"));
        res.set_header(Header::new(
            "Permissions-Policy",
            "camera=(), microphone=(), geolocation=()",
        ));
        res.set_header(Header::new("Cross-Origin-Opener-Policy", "same-origin"));
        // A response that says how it may be kept (a static file, the
        // logo: public, named by their content) keeps it.
        if !req.uri().path().starts_with("/static/")
            && res.content_type() != Some(ContentType::CSS)
            && !res.headers().contains("Cache-Control")
        {
            res.set_header(Header::new("Cache-Control", "no-store"));
        }
        let secure = crate::auth::guards::secure_cookies(req);
        harden_flash_cookie(res, secure);
    }
}

/// Rocket's one-time message cookie (`_flash`, the notice shown after a
/// form) is made like the portal's own: out of scripts' reach, `Secure`
/// when the portal's cookies are, `SameSite=Lax`. Rocket builds it
/// readable by scripts and never `Secure`; it carries the notice's words,
/// which may name an email address.
fn harden_flash_cookie(res: &mut Response<'_>, secure: bool) {
    let set: Vec<String> = res.headers().get("Set-Cookie").map(str::to_owned).collect();
    if !set.iter().any(|c| c.starts_with("_flash=")) {
        return;
    }
    res.remove_header("Set-Cookie");
    for raw in set {
        let value = match Cookie::parse(raw.clone()) {
            Ok(mut c) if c.name() == "_flash" => {
                c.set_http_only(true);
                c.set_same_site(SameSite::Lax);
                c.set_secure(secure);
                c.to_string()
            }
            _ => raw,
        };
        res.adjoin_header(Header::new("Set-Cookie", value));
    }
}
