//! What an operator sees of the requests: a request id on every request
//! (sent back as `X-Request-Id`), a span around every handler carrying it,
//! one log line per request with the route pattern (never the concrete
//! path, which may hold a token), and `GET /metrics` for Prometheus.
//!
//! `/metrics` answers only a TCP peer on the loopback interface that came
//! through no proxy, or a caller with the configured token
//! (`PORTAL_METRICS_TOKEN`, as `Authorization: Bearer ...`); anyone else
//! gets the same 404 as an unknown page.

use std::net::SocketAddr;
use std::time::Instant;

use rocket::fairing::{Fairing, Info, Kind};
use rocket::http::{ContentType, Header, Status};
use rocket::outcome::Outcome;
use rocket::request::{self, FromRequest};
use rocket::route::{self, Handler};
use rocket::{get, routes, Data, Request, Response, Route, State};
use tracing::Instrument;

use crate::context::Ctx;

/// The header that carries the request id, both ways.
pub const REQUEST_ID: &str = "X-Request-Id";

/// The longest incoming request id taken as it is.
const MAX_ID_LEN: usize = 64;

/// When a request arrived and the id it goes by.
struct Started {
    id: String,
    at: Instant,
}

/// An incoming id is kept only when it is short and plain (letters,
/// digits, `-`, `_`, `.`); anything else gets an id of our own.
fn acceptable_id(given: &str) -> bool {
    !given.is_empty()
        && given.len() <= MAX_ID_LEN
        && given
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

fn new_id() -> String {
    let bytes: [u8; 8] = rand::random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn started<'r>(req: &'r Request<'_>) -> &'r Started {
    req.local_cache(|| {
        let id = req
            .headers()
            .get_one(REQUEST_ID)
            .filter(|id| acceptable_id(id))
            .map_or_else(new_id, str::to_owned);
        Started {
            id,
            at: Instant::now(),
        }
    })
}

/// The request's id (the same for every call during one request).
pub fn request_id<'r>(req: &'r Request<'_>) -> &'r str {
    &started(req).id
}

/// The pattern of the route that answered (`/manage/applications/<id>`),
/// without its query part; `none` when no route matched.
pub fn route_pattern<'r>(req: &'r Request<'_>) -> &'r str {
    req.route().map_or("none", |r| r.uri.path())
}

/// Stamps each request with its id and start, and logs and counts it
/// when its response leaves.
pub struct RequestLog;

#[rocket::async_trait]
impl Fairing for RequestLog {
    fn info(&self) -> Info {
        Info {
            name: "Request log and metrics",
            kind: Kind::Request | Kind::Response,
        }
    }

    async fn on_request(&self, req: &mut Request<'_>, _: &mut Data<'_>) {
        started(req);
    }

    async fn on_response<'r>(&self, req: &'r Request<'_>, res: &mut Response<'r>) {
        let start = started(req);
        let elapsed = start.at.elapsed();
        let route = route_pattern(req);
        let status = res.status().code;
        let method = req.method().as_str();
        tracing::info!(
            target: "portal::request",
            method,
            route,
            status,
            ms = u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX),
            request_id = %start.id,
            "request"
        );
        if let Some(ctx) = req.rocket().state::<Ctx>() {
            ctx.metrics
                .request(method, route, status, elapsed.as_secs_f64());
        }
        res.set_header(Header::new(REQUEST_ID, start.id.clone()));
    }
}

/// A route's handler run inside the request's span, so that every line
/// logged while it (and its guards) run carries the request id.
#[derive(Clone)]
struct Traced(Box<dyn Handler>);

#[rocket::async_trait]
impl Handler for Traced {
    async fn handle<'r>(&self, req: &'r Request<'_>, data: Data<'r>) -> route::Outcome<'r> {
        let span = tracing::info_span!(
            "request",
            request_id = %request_id(req),
            method = %req.method(),
            route = %route_pattern(req),
        );
        self.0.handle(req, data).instrument(span).await
    }
}

/// `routes` with each handler run inside the request's span.
pub fn traced(routes: impl Into<Vec<Route>>) -> Vec<Route> {
    routes
        .into()
        .into_iter()
        .map(|mut route| {
            route.handler = Box::new(Traced(route.handler.clone()));
            route
        })
        .collect()
}

/// A caller allowed to read `/metrics`.
pub struct MetricsReader;

/// Headers a reverse proxy adds: a request carrying one came from
/// further away than its loopback peer.
const FORWARDED: [&str; 3] = ["Forwarded", "X-Forwarded-For", "X-Real-IP"];

/// Whether the TCP peer is this machine, with no proxy in between.
fn from_loopback(req: &Request<'_>) -> bool {
    let peer_is_local = req
        .remote()
        .as_ref()
        .map(SocketAddr::ip)
        .is_some_and(|ip| ip.is_loopback());
    let configured = req.rocket().config().ip_header.clone();
    let forwarded = FORWARDED.iter().any(|h| req.headers().contains(*h))
        || configured.is_some_and(|h| req.headers().contains(h.as_str()));
    peer_is_local && !forwarded
}

/// Whether the request's bearer token is `expected`, compared in constant time.
fn has_token(req: &Request<'_>, expected: &str) -> bool {
    use sha2::{Digest, Sha256};
    use subtle::ConstantTimeEq;
    let Some(given) = req
        .headers()
        .get_one("Authorization")
        .and_then(|h| h.strip_prefix("Bearer "))
    else {
        return false;
    };
    // Equal-length digests: the comparison says nothing of the token's length.
    let (a, b) = (Sha256::digest(given.trim()), Sha256::digest(expected));
    a.ct_eq(&b).into()
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for MetricsReader {
    type Error = ();

    async fn from_request(req: &'r Request<'_>) -> request::Outcome<Self, ()> {
        let token = req
            .rocket()
            .state::<Ctx>()
            .and_then(|ctx| ctx.config.metrics_token.clone())
            .filter(|t| !t.is_empty());
        let allowed = match token {
            Some(token) => has_token(req, &token) || from_loopback(req),
            None => from_loopback(req),
        };
        if allowed {
            Outcome::Success(Self)
        } else {
            Outcome::Error((Status::NotFound, ()))
        }
    }
}

/// Routes mounted at `/`.
pub fn routes() -> Vec<Route> {
    routes![metrics]
}

/// Every series, read now.
#[get("/metrics")]
async fn metrics(_reader: MetricsReader, ctx: &State<Ctx>) -> super::Result<(ContentType, String)> {
    let text = crate::app::metrics::read(ctx).await?;
    let content_type = ContentType::new("application", "openmetrics-text")
        .with_params([("version", "1.0.0"), ("charset", "utf-8")]);
    Ok((content_type, text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_short_plain_ids_are_taken() {
        assert!(acceptable_id("abc-123_X.y"));
        assert!(!acceptable_id(""));
        assert!(!acceptable_id("a b"));
        assert!(!acceptable_id("ana@example.org"));
        assert!(!acceptable_id(&"a".repeat(65)));
        assert_eq!(new_id().len(), 16);
    }
}
