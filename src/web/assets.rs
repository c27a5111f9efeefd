//! The static files (`PORTAL_STATIC_DIR`), read once at start and served
//! from memory under two names each: `portal.<hash>.css`, whose hash (the
//! first 16 hex digits of the SHA-256 of the bytes) changes with the
//! content, cached for a year as immutable; and the fixed `portal.css`,
//! revalidated on every use by its ETag (304 when unchanged). Texts
//! (CSS, JavaScript, SVG, HTML) are kept gzipped too, sent to clients that
//! accept it. Templates name a file with the `asset` helper
//! (`{{asset "portal.css"}}`), which gives the hashed address.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use rocket::http::{ContentType, Header, Status};
use rocket::request::Request;
use rocket::response::{self, Responder, Response};
use rocket::{get, routes, Route, State};
use rocket_dyn_templates::handlebars::{
    Context, Handlebars, Helper, HelperDef, RenderContext, RenderError, RenderErrorReason,
    ScopedJson,
};
use sha2::{Digest, Sha256};

use super::compress::accepts_gzip;

/// How long a file under its hashed name may be kept: a year.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// A file under its fixed name: kept, but asked about (ETag) before each use.
pub const REVALIDATE: &str = "no-cache";

/// One static file.
pub struct Asset {
    bytes: Vec<u8>,
    gzip: Option<Vec<u8>>,
    content_type: ContentType,
    /// 16 hex digits of the SHA-256 of the bytes.
    hash: String,
    /// `/static/<stem>.<hash>.<ext>`.
    url: String,
}

/// Every static file, by its path under the folder (`portal.css`,
/// `errors/too-large.html`).
#[derive(Default)]
pub struct Assets {
    files: HashMap<String, Asset>,
}

impl Assets {
    /// Reads every file under `dir` (none when it cannot be read: the
    /// pages then link the fixed names, which answer 404).
    pub fn load(dir: &Path) -> Self {
        let mut files = HashMap::new();
        let mut paths = Vec::new();
        collect(dir, &mut paths);
        for path in paths {
            let Ok(rel) = path.strip_prefix(dir) else {
                continue;
            };
            let Some(name) = rel.to_str().map(|s| s.replace('\\', "/")) else {
                continue;
            };
            let Ok(bytes) = std::fs::read(&path) else {
                continue;
            };
            let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
            let content_type = ContentType::from_extension(ext).unwrap_or(ContentType::Binary);
            let hash: String = Sha256::digest(&bytes)
                .iter()
                .take(8)
                .map(|b| format!("{b:02x}"))
                .collect();
            let gzip = compressible(&content_type)
                .then(|| gzip(&bytes, flate2::Compression::best()))
                .filter(|z| z.len() < bytes.len());
            let url = format!("/static/{}", hashed_name(&name, &hash));
            files.insert(
                name,
                Asset {
                    bytes,
                    gzip,
                    content_type,
                    hash,
                    url,
                },
            );
        }
        Self { files }
    }

    /// The address of `name` that changes with its content, or its fixed
    /// address when there is no such file.
    pub fn url(&self, name: &str) -> String {
        self.files
            .get(name)
            .map_or_else(|| format!("/static/{name}"), |a| a.url.clone())
    }

    /// The file a requested name gives, and whether that name carries the
    /// current hash (so the answer may be kept for a year).
    fn find(&self, requested: &str) -> Option<(&Asset, bool)> {
        if let Some(a) = self.files.get(requested) {
            return Some((a, false));
        }
        let (plain, hash) = unhashed_name(requested)?;
        let a = self.files.get(&plain)?;
        // An old hash (a page from before a restart) gets today's file,
        // not to be kept.
        Some((a, a.hash == hash))
    }
}

fn collect(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// `portal.css` → `portal.<hash>.css`; `errors/x.html` → `errors/x.<hash>.html`.
fn hashed_name(name: &str, hash: &str) -> String {
    let (dir, file) = name.rsplit_once('/').map_or(("", name), |(d, f)| (d, f));
    let file = match file.rsplit_once('.') {
        Some((stem, ext)) => format!("{stem}.{hash}.{ext}"),
        None => format!("{file}.{hash}"),
    };
    if dir.is_empty() {
        file
    } else {
        format!("{dir}/{file}")
    }
}

/// `portal.<16 hex>.css` → (`portal.css`, the hash).
fn unhashed_name(name: &str) -> Option<(String, String)> {
    let (rest, ext) = name.rsplit_once('.')?;
    let (stem, hash) = rest.rsplit_once('.')?;
    if hash.len() != 16 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    Some((format!("{stem}.{ext}"), hash.to_owned()))
}

/// Whether a type is text worth compressing.
pub fn compressible(t: &ContentType) -> bool {
    *t == ContentType::HTML
        || *t == ContentType::CSS
        || *t == ContentType::JavaScript
        || *t == ContentType::SVG
        || *t == ContentType::JSON
        || *t == ContentType::Plain
}

/// `bytes` gzipped.
pub fn gzip(bytes: &[u8], level: flate2::Compression) -> Vec<u8> {
    let mut z = flate2::write::GzEncoder::new(Vec::with_capacity(bytes.len() / 3 + 64), level);
    // Writing to a Vec cannot fail.
    let _ = z.write_all(bytes);
    z.finish().unwrap_or_default()
}

/// The routes: the static files at `/static`.
pub fn routes() -> Vec<Route> {
    routes![serve]
}

/// The answer for one static file.
struct Served<'a> {
    asset: &'a Asset,
    current: bool,
}

impl<'r, 'o: 'r> Responder<'r, 'o> for Served<'o> {
    fn respond_to(self, req: &'r Request<'_>) -> response::Result<'o> {
        let a = self.asset;
        let zipped = a.gzip.as_ref().filter(|_| accepts_gzip(req));
        let etag = match zipped {
            Some(_) => format!("\"{}-gz\"", a.hash),
            None => format!("\"{}\"", a.hash),
        };
        let cache = if self.current { IMMUTABLE } else { REVALIDATE };
        let mut res = Response::build();
        res.header(a.content_type.clone())
            .header(Header::new("Cache-Control", cache))
            .header(Header::new("ETag", etag.clone()));
        if a.gzip.is_some() {
            res.header(Header::new("Vary", "Accept-Encoding"));
        }
        let matches = req
            .headers()
            .get("If-None-Match")
            .flat_map(|v| v.split(','))
            .any(|t| {
                let t = t.trim();
                t == "*" || t.trim_start_matches("W/") == etag
            });
        if matches {
            return res.status(Status::NotModified).ok();
        }
        match zipped {
            Some(z) => res
                .header(Header::new("Content-Encoding", "gzip"))
                .sized_body(z.len(), std::io::Cursor::new(z.as_slice())),
            None => res.sized_body(a.bytes.len(), std::io::Cursor::new(a.bytes.as_slice())),
        };
        res.ok()
    }
}

#[get("/<path..>", rank = 20)]
fn serve(assets: &State<Arc<Assets>>, path: std::path::PathBuf) -> Option<Served<'_>> {
    let name = path.to_str()?.replace('\\', "/");
    let (asset, current) = assets.inner().find(&name)?;
    Some(Served { asset, current })
}

/// The `asset` helper: `{{asset "portal.css"}}` gives the file's address
/// that changes with its content.
pub struct AssetHelper(pub Arc<Assets>);

impl HelperDef for AssetHelper {
    fn call_inner<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        _: &'rc Context,
        _: &mut RenderContext<'reg, 'rc>,
    ) -> Result<ScopedJson<'rc>, RenderError> {
        let name = h
            .param(0)
            .and_then(|p| p.value().as_str())
            .ok_or_else(|| RenderErrorReason::ParamNotFoundForIndex("asset", 0))?;
        Ok(ScopedJson::Derived(self.0.url(name).into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_carry_the_hash_before_the_extension() {
        assert_eq!(
            hashed_name("portal.css", "0123456789abcdef"),
            "portal.0123456789abcdef.css"
        );
        assert_eq!(
            hashed_name("errors/too-large.html", "0123456789abcdef"),
            "errors/too-large.0123456789abcdef.html"
        );
        assert_eq!(
            unhashed_name("portal.0123456789abcdef.css"),
            Some(("portal.css".into(), "0123456789abcdef".into()))
        );
        assert_eq!(unhashed_name("portal.css"), None);
        assert_eq!(unhashed_name("jquery.min.js"), None);
    }

    #[test]
    fn files_are_found_by_either_name() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.css"), "body { color: red }".repeat(40)).unwrap();
        let assets = Assets::load(dir.path());
        let url = assets.url("a.css");
        let hashed = url.strip_prefix("/static/").unwrap();
        assert!(matches!(assets.find(hashed), Some((_, true))), "{url}");
        assert!(matches!(assets.find("a.css"), Some((_, false))));
        assert!(matches!(
            assets.find("a.0000000000000000.css"),
            Some((_, false))
        ));
        assert!(assets.find("b.css").is_none());
        assert_eq!(assets.url("b.css"), "/static/b.css");
        assert!(assets.files["a.css"].gzip.is_some());
    }
}
