//! Compression of pages: an HTML, CSS, JavaScript, SVG, JSON or plain
//! text response whose whole body is already in memory (a rendered page)
//! and between [`MIN_BYTES`] and [`MAX_BYTES`] is gzipped when the client
//! accepts gzip. Nothing else is touched: a body of unknown size (a
//! stream) is never read here, so document downloads stay streamed;
//! images, PDFs and attachments are sent as they are; a response already
//! encoded (the static files, gzipped at start) is left alone.
//!
//! Brotli would save a little more, but no brotli encoder is in the
//! dependency tree; gzip at a fast level costs little per page.

use rocket::fairing::{Fairing, Info, Kind};
use rocket::http::Header;
use rocket::{Request, Response};

use super::assets::{compressible, gzip};

/// Bodies smaller than this are sent as they are (gzip would save little).
pub const MIN_BYTES: usize = 1024;
/// Bodies larger than this are sent as they are (never a page).
pub const MAX_BYTES: usize = 4 * 1024 * 1024;

/// The response fairing.
pub struct Compression;

/// Whether the client accepts gzip (`gzip` or `*`, with a non-zero q).
pub fn accepts_gzip(req: &Request<'_>) -> bool {
    req.headers()
        .get("Accept-Encoding")
        .flat_map(|v| v.split(','))
        .any(|coding| {
            let mut parts = coding.split(';').map(str::trim);
            let name = parts.next().unwrap_or("");
            let refused = parts.any(|p| {
                p.strip_prefix("q=")
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    .is_some_and(|q| q <= 0.0)
            });
            (name.eq_ignore_ascii_case("gzip") || name == "*") && !refused
        })
}

#[rocket::async_trait]
impl Fairing for Compression {
    fn info(&self) -> Info {
        Info {
            name: "Compression",
            kind: Kind::Response,
        }
    }

    async fn on_response<'r>(&self, req: &'r Request<'_>, res: &mut Response<'r>) {
        if res.headers().contains("Content-Encoding")
            || res.headers().contains("Content-Disposition")
            || !res.content_type().is_some_and(|t| compressible(&t))
        {
            return;
        }
        let Some(size) = res.body().preset_size() else {
            return;
        };
        if !(MIN_BYTES..=MAX_BYTES).contains(&size) {
            return;
        }
        res.adjoin_header(Header::new("Vary", "Accept-Encoding"));
        if !accepts_gzip(req) {
            return;
        }
        let Ok(body) = res.body_mut().to_bytes().await else {
            return;
        };
        let zipped = gzip(&body, flate2::Compression::fast());
        res.set_header(Header::new("Content-Encoding", "gzip"));
        res.set_sized_body(zipped.len(), std::io::Cursor::new(zipped));
    }
}
