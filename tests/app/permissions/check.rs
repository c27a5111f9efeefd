//! What every answer of the matrix must carry (the security headers, and
//! cookies the browser keeps only for its session, out of reach of
//! scripts), and a digest of every row of the database, to show that a
//! refused request changed nothing.

use std::collections::{BTreeMap, BTreeSet};

use fellowship_portal::db::PortalPool;
use rocket::http::{Cookie, HeaderMap, SameSite};
use sha2::{Digest, Sha256};

/// Rocket's own flash-message cookie, which the portal does not build.
pub const FLASH: &str = "_flash";

/// The cookies the matrix saw set and removed, by name: the checks below
/// are only as good as the cookies they met.
#[derive(Default)]
pub struct Cookies {
    pub set: BTreeSet<String>,
    pub removed: BTreeSet<String>,
}

/// What is wrong with the headers of one answer.
pub fn headers(h: &HeaderMap<'_>, secure: bool, seen: &mut Cookies) -> Vec<String> {
    let mut problems = Vec::new();
    match h.get_one("Content-Security-Policy") {
        None => problems.push("no Content-Security-Policy".into()),
        Some(csp) if csp.contains("unsafe-inline") => {
            problems.push(format!("the CSP allows inline code: {csp}"));
        }
        Some(csp) if !csp.contains("frame-ancestors 'none'") => {
            problems.push(format!("the CSP allows framing: {csp}"));
        }
        Some(_) => {}
    }
    for (name, want) in [
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "no-referrer"),
        ("X-Frame-Options", "DENY"),
    ] {
        if h.get_one(name) != Some(want) {
            problems.push(format!("{name} is {:?}, not {want}", h.get_one(name)));
        }
    }
    for raw in h.get("Set-Cookie") {
        problems.extend(cookie(raw, secure, seen));
    }
    problems
}

/// What is wrong with one `Set-Cookie`: the portal's cookies last as long
/// as the browser session (but the remembered browser's), are sent to every path, never to scripts or
/// other sites' forms, and only over HTTPS when the portal says so. A
/// removal (`Max-Age=0`) needs only to match the cookie it removes.
fn cookie(raw: &str, secure: bool, seen: &mut Cookies) -> Vec<String> {
    let Ok(c) = Cookie::parse(raw.to_owned()) else {
        return vec![format!("an unreadable Set-Cookie: {raw}")];
    };
    let mut problems = Vec::new();
    if c.path() != Some("/") {
        problems.push(format!("a cookie not on Path=/: {raw}"));
    }
    if c.max_age() == Some(rocket::time::Duration::ZERO) {
        seen.removed.insert(c.name().to_owned());
        return problems;
    }
    seen.set.insert(c.name().to_owned());
    // Rocket's one-time message cookie lives five minutes (its notice is
    // shown on the next page); like the portal's own it is HttpOnly,
    // SameSite=Lax and Secure when asked.
    let short_lived = c.name() == FLASH;
    if c.http_only() != Some(true) {
        problems.push(format!("a cookie readable by scripts: {raw}"));
    }
    if c.same_site() != Some(SameSite::Lax) {
        problems.push(format!("a cookie without SameSite=Lax: {raw}"));
    }
    // The one cookie that outlives the browser session remembers that the
    // account logged in from this browser (for the login throttle); it
    // opens nothing.
    let outlives = c.max_age().is_some() || c.expires().is_some_and(|e| e.is_datetime());
    if outlives && c.name() != fellowship_portal::auth::session::DEVICE_COOKIE && !short_lived {
        problems.push(format!("a cookie that outlives the browser session: {raw}"));
    }
    if secure && c.secure() != Some(true) {
        problems.push(format!("a cookie without Secure: {raw}"));
    }
    problems
}

/// Per table, its row count and a hash of every row written out as text
/// (the sessions' last-seen time left out: reading a page may move it).
pub type Snapshot = BTreeMap<String, (usize, String)>;

const SKIPPED: &[(&str, &str)] = &[("sessions", "last_seen_at")];

/// Every row of every table.
pub async fn digest(pool: &PortalPool) -> Snapshot {
    let mut out = Snapshot::new();
    for table in tables(pool).await {
        let columns: Vec<String> = columns(pool, &table)
            .await
            .into_iter()
            .filter(|c| !SKIPPED.contains(&(table.as_str(), c.as_str())))
            .collect();
        let mut rows = rows(pool, &table, &columns).await;
        rows.sort();
        let mut hash = Sha256::new();
        for r in &rows {
            hash.update(r.as_bytes());
            hash.update(b"\n");
        }
        let hex = hash.finalize().iter().map(|b| format!("{b:02x}")).collect();
        out.insert(table, (rows.len(), hex));
    }
    out
}

/// The tables whose rows differ between two snapshots.
pub fn changed(before: &Snapshot, after: &Snapshot) -> Vec<String> {
    after
        .iter()
        .filter(|(t, v)| before.get(*t) != Some(v))
        .map(|(t, (n, _))| format!("{t} ({} → {n} rows)", before.get(t).map_or(0, |b| b.0)))
        .collect()
}

async fn tables(pool: &PortalPool) -> Vec<String> {
    match pool {
        PortalPool::Sqlite(p) => sqlx::query_scalar(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
             AND name NOT LIKE '_sqlx%' ORDER BY name",
        )
        .fetch_all(p)
        .await
        .unwrap(),
        PortalPool::Postgres(p) => sqlx::query_scalar(
            "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public' \
             AND table_type = 'BASE TABLE' AND table_name NOT LIKE '\\_sqlx%' ORDER BY 1",
        )
        .fetch_all(p)
        .await
        .unwrap(),
    }
}

async fn columns(pool: &PortalPool, table: &str) -> Vec<String> {
    match pool {
        PortalPool::Sqlite(p) => sqlx::query_scalar("SELECT name FROM pragma_table_info($1)")
            .bind(table)
            .fetch_all(p)
            .await
            .unwrap(),
        PortalPool::Postgres(p) => sqlx::query_scalar(
            "SELECT column_name::text FROM information_schema.columns WHERE table_schema = 'public' \
             AND table_name = $1 ORDER BY ordinal_position",
        )
        .bind(table)
        .fetch_all(p)
        .await
        .unwrap(),
    }
}

/// Each row as one line of text, written by the database itself so that
/// every column type reads alike.
async fn rows(pool: &PortalPool, table: &str, columns: &[String]) -> Vec<String> {
    match pool {
        PortalPool::Sqlite(p) => {
            let line: Vec<String> = columns.iter().map(|c| format!("quote(\"{c}\")")).collect();
            let sql = format!("SELECT {} FROM \"{table}\"", line.join(" || '|' || "));
            sqlx::query_scalar(&sql).fetch_all(p).await.unwrap()
        }
        PortalPool::Postgres(p) => {
            let line: Vec<String> = columns
                .iter()
                .map(|c| format!("COALESCE(quote_literal(\"{c}\"), 'NULL')"))
                .collect();
            let sql = format!(
                "SELECT concat_ws('|', {}) FROM \"{table}\"",
                line.join(", ")
            );
            sqlx::query_scalar(&sql).fetch_all(p).await.unwrap()
        }
    }
}
