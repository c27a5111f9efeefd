//! CSRF protection for every form.
//!
//! A random token lives in a private (encrypted, HttpOnly) cookie; every
//! form carries it as its first field, `csrf_token`. A fairing checks every
//! POST before routing: without a matching token the request is rerouted to
//! a handler that answers 403, so the handler it was meant for never runs
//! and nothing changes. The fairing peeks at the first bytes of the body,
//! which is why the token must come first (the `csrf` partial does that).
//! One path is left alone: [`TOKEN_ONLY_PREFIX`], whose token in the path
//! is the proof.

use rocket::fairing::{Fairing, Info, Kind};
use rocket::http::uri::Origin;
use rocket::http::{CookieJar, Method};
use rocket::request::{FromRequest, Outcome, Request};
use rocket::Data;

use super::{session, token};

/// Name of the CSRF cookie.
pub const COOKIE: &str = "portal_csrf";
/// Name of the form field.
pub const FIELD: &str = "csrf_token";
/// Where rejected requests are sent.
pub const REJECTED_PATH: &str = "/csrf-rejected";
/// The one path whose POSTs are authenticated by the token in the path
/// alone: the reminders page, whose address a mailbox provider posts a
/// one-click unsubscribe to (RFC 8058) without any cookie.
pub const TOKEN_ONLY_PREFIX: &str = "/mail/reminders/";
/// Bytes of the body examined; Rocket's peek buffer holds at most 512.
const PEEK: usize = 512;

/// The token to put in forms; creates the cookie on first use.
#[derive(Debug, Clone)]
pub struct CsrfToken(pub String);

impl CsrfToken {
    /// The request's token, creating it (and its cookie) if absent.
    pub fn of(req: &Request<'_>) -> Self {
        req.local_cache(|| {
            let cookies = req.cookies();
            let existing = cookies.get_private(COOKIE).map(|c| c.value().to_owned());
            Self(existing.unwrap_or_else(|| {
                let secure = super::guards::secure_cookies(req);
                let t = token::generate();
                cookies.add_private(session::cookie(COOKIE, t.clone(), secure));
                t
            }))
        })
        .clone()
    }
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for CsrfToken {
    type Error = std::convert::Infallible;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        Outcome::Success(Self::of(req))
    }
}

/// The fairing that rejects state-changing requests without a valid token.
pub struct CsrfFairing;

#[rocket::async_trait]
impl Fairing for CsrfFairing {
    fn info(&self) -> Info {
        Info {
            name: "CSRF check",
            kind: Kind::Request,
        }
    }

    async fn on_request(&self, req: &mut Request<'_>, data: &mut Data<'_>) {
        if !matches!(
            req.method(),
            Method::Post | Method::Put | Method::Patch | Method::Delete
        ) {
            return;
        }
        if req.uri().path().as_str().starts_with(TOKEN_ONLY_PREFIX) {
            return;
        }
        let expected = expected_token(req.cookies());
        let body = data.peek(PEEK).await;
        let submitted = req.content_type().and_then(|ct| {
            if ct.is_form() {
                token_in_urlencoded(body)
            } else if ct.is_form_data() {
                token_in_multipart(body)
            } else {
                None
            }
        });
        let valid = matches!((&expected, &submitted), (Some(e), Some(s)) if token::same(e, s));
        if !valid {
            req.set_method(Method::Post);
            req.set_uri(Origin::parse(REJECTED_PATH).expect("a valid constant path"));
        }
    }
}

fn expected_token(cookies: &CookieJar<'_>) -> Option<String> {
    cookies.get_private(COOKIE).map(|c| c.value().to_owned())
}

/// The value of a leading `csrf_token=` field of a urlencoded body.
fn token_in_urlencoded(body: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(body).ok().or_else(|| {
        // The peek may cut a multi-byte character far after the token.
        let cut = body.iter().position(|b| *b == b'&').unwrap_or(body.len());
        std::str::from_utf8(&body[..cut]).ok()
    })?;
    let first = text.split('&').next()?;
    let value = first.strip_prefix(FIELD)?.strip_prefix('=')?;
    // Tokens are URL-safe base64: no decoding needed, and anything else is wrong.
    (!value.is_empty() && value.len() <= 64 && !value.contains('%')).then(|| value.to_owned())
}

/// The value of a leading `csrf_token` part of a multipart body.
fn token_in_multipart(body: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(body);
    let marker = format!("name=\"{FIELD}\"");
    let after = &text[text.find(&marker)? + marker.len()..];
    let value_start = after.find("\r\n\r\n")? + 4;
    let value = &after[value_start..];
    let value = &value[..value.find("\r\n")?];
    (!value.is_empty() && value.len() <= 64).then(|| value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_leading_urlencoded_token() {
        assert_eq!(
            token_in_urlencoded(b"csrf_token=abc-_9&email=a%40b").as_deref(),
            Some("abc-_9")
        );
        assert_eq!(token_in_urlencoded(b"csrf_token=abc"), Some("abc".into()));
        assert_eq!(
            token_in_urlencoded(b"email=a&csrf_token=abc"),
            None,
            "must come first"
        );
        assert_eq!(token_in_urlencoded(b"csrf_token=&x=1"), None);
        assert_eq!(token_in_urlencoded(b"csrf_tokenx=abc"), None);
        assert_eq!(token_in_urlencoded(b""), None);
    }

    #[test]
    fn finds_the_leading_multipart_token() {
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\ntok123\r\n--XyZ\r\n";
        assert_eq!(token_in_multipart(body).as_deref(), Some("tok123"));
        assert_eq!(
            token_in_multipart(b"--XyZ\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nx"),
            None
        );
    }
}
