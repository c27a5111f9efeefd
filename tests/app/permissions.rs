//! The permission matrix, generated from the mounted application: every
//! route Rocket has mounted is asked by every column that applies to it
//! (anonymous, applicants, referee links, reviewers, managers, an admin,
//! each on the object that makes the column what it is), and must answer
//! what its row in [`rows`] says. A route without a row fails the test by
//! name. Every POST is also sent by an allowed user without a CSRF token
//! and with a wrong one (403, nothing changed), refusals must leave the
//! database as it was, and every answer must carry the security headers,
//! its cookies only for the browser session and out of scripts' reach
//! ([`check`]). The answers are the README's table "Who may do what",
//! rewritten with `UPDATE_PERMISSIONS=1`.
//!
//! Routes run once each against one world ([`world`]): the GET rows first,
//! then the POST rows in the table's order, then the rows that end
//! sessions. Each allowed POST works on an object of its own, so what it
//! changes is nobody else's premise.

mod check;
mod readme;
mod roles;
mod rows;
mod world;

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use rocket::http::{ContentType, Method};

use crate::fixtures::DUE;
use crate::helpers::{encode, multipart, spawn_with, Browser, BOUNDARY};
use roles::{Cell, Col};
use rows::{Body, Row};
use world::World;

/// How a request carries its CSRF token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    Valid,
    Missing,
    /// A well-formed token that is not the browser's.
    Wrong,
}

/// A POST body, its fields computed.
enum Prepared {
    Empty,
    Form(Vec<(String, String)>),
    Multipart(Vec<(String, String)>, Option<&'static str>),
}

/// What one request got, and what was wrong with its headers.
struct Answer {
    cell: Cell,
    problems: Vec<String>,
}

/// Sends one request as `b` and reads what it got; the cookies it sets
/// are noted in `seen`.
async fn send(
    b: &Browser,
    (method, path): (Method, &str),
    body: &Prepared,
    token: Token,
    seen: &mut check::Cookies,
) -> Answer {
    let request = if method == Method::Get {
        b.client.get(path.to_owned())
    } else {
        let mut fields: Vec<(String, String)> = match token {
            Token::Valid => vec![("csrf_token".into(), b.csrf().await)],
            Token::Wrong => vec![(
                "csrf_token".into(),
                fellowship_portal::auth::token::generate(),
            )],
            Token::Missing => vec![],
        };
        let request = b.client.post(path.to_owned());
        match body {
            Prepared::Multipart(more, file) => {
                fields.extend(more.iter().cloned());
                let borrowed: Vec<(&str, &str)> =
                    fields.iter().map(|(k, v)| (&**k, &**v)).collect();
                let letter = rows::letter();
                let files: Vec<(&str, &str, &[u8])> = file
                    .iter()
                    .map(|f| (*f, "Letter.pdf", &letter[..]))
                    .collect();
                let content_type =
                    ContentType::new("multipart", "form-data").with_params(("boundary", BOUNDARY));
                request
                    .header(content_type)
                    .body(multipart(&borrowed, &files))
            }
            Prepared::Empty | Prepared::Form(_) => {
                if let Prepared::Form(more) = body {
                    fields.extend(more.iter().cloned());
                }
                let borrowed: Vec<(&str, &str)> =
                    fields.iter().map(|(k, v)| (&**k, &**v)).collect();
                request.header(ContentType::Form).body(encode(&borrowed))
            }
        }
    };
    let r = request.dispatch().await;
    let status = r.status().code;
    let location = r.headers().get_one("Location").map(str::to_owned);
    let mut problems = check::headers(r.headers(), true, seen);
    // Read to the end, as a browser would: a download streams.
    let _ = r.into_bytes().await;
    let login = location
        .as_deref()
        .filter(|l| status == 303 && l.starts_with("/account/login?next="));
    let cell = match login {
        Some(l) => {
            let back = format!(
                "/account/login?next={}",
                fellowship_portal::web::page::url_encode(path)
            );
            if l != back {
                problems.push(format!("the login page would not lead back: {l}"));
            }
            Cell::Login
        }
        None => Cell::Status(status),
    };
    Answer { cell, problems }
}

/// The matrix being filled in.
struct Run<'w> {
    w: &'w World,
    got: BTreeMap<(String, Col), Cell>,
    mismatches: Vec<String>,
    problems: Vec<String>,
    cookies: check::Cookies,
    requests: usize,
}

impl Run<'_> {
    async fn ask(&mut self, row: &Row, col: Col, want: Cell, body: &Prepared) {
        let path = (row.path)(self.w, col);
        let b = self.w.browser(col, row.by);
        let a = send(
            b,
            (row.method, &path),
            body,
            Token::Valid,
            &mut self.cookies,
        )
        .await;
        self.requests += 1;
        for p in a.problems {
            self.problems
                .push(format!("{} as {}: {p}", row.key(), col.label()));
        }
        if a.cell != want {
            self.mismatches.push(format!(
                "| {} | {} | {} | {} | {path} |",
                row.key(),
                col.label(),
                want.show(),
                a.cell.show()
            ));
        }
        self.got.insert((row.key(), col), a.cell);
    }

    /// The row's POST body, the same for every column.
    async fn prepare(&self, body: Body) -> Prepared {
        let w = self.w;
        match body {
            Body::Empty => Prepared::Empty,
            Body::Form(f) => Prepared::Form(f(w)),
            Body::Multipart(f, file) => Prepared::Multipart(f(w), file),
            Body::Release => {
                Prepared::Form(world::release_fields(&w.people.mo, w.programs.hj.id).await)
            }
            Body::AutoAssign => {
                let page = w
                    .people
                    .mo
                    .get(&format!(
                        "/manage/cycles/{}/assign?due={DUE}",
                        w.programs.hj.id
                    ))
                    .await;
                let marker = "name=\"fingerprint\" value=\"";
                let at = page.body.find(marker).expect("a preview") + marker.len();
                let fingerprint = page.body[at..].split('"').next().unwrap().to_owned();
                Prepared::Form(vec![
                    ("due".into(), DUE.into()),
                    ("fingerprint".into(), fingerprint),
                ])
            }
        }
    }

    /// Asks every column of `row`: refusals first, which must change
    /// nothing; for a POST, the CSRF checks; then the allowed columns,
    /// whose POSTs must change something.
    async fn row(&mut self, row: &Row) {
        let cols: Vec<(Col, Cell)> = Col::ALL
            .into_iter()
            .filter_map(|c| row.who.expect(row.ok, c).map(|e| (c, e)))
            .collect();
        let (refusals, allowed): (Vec<_>, Vec<_>) = cols.iter().partition(|(_, e)| e.is_refusal());
        let post = row.method == Method::Post;
        let body = if post {
            self.prepare(row.body).await
        } else {
            Prepared::Empty
        };
        let pool = self.w.app.pool();
        let key = row.key();
        let before = check::digest(pool).await;
        for (col, want) in &refusals {
            self.ask(row, *col, *want, &body).await;
        }
        let refused = check::digest(pool).await;
        let changed = check::changed(&before, &refused);
        if !changed.is_empty() {
            self.problems
                .push(format!("{key}: refused requests changed {changed:?}"));
        }
        if !post {
            for (col, want) in &allowed {
                self.ask(row, *col, *want, &body).await;
            }
            return;
        }
        let forged = if row.token_only {
            // The token in the path is the proof: a POST with no CSRF
            // token (a provider's one-click) does what the row does.
            self.without_csrf(row, &cols, &body).await;
            refused.clone()
        } else {
            self.forge(row, &cols, &body).await;
            let forged = check::digest(pool).await;
            let changed = check::changed(&refused, &forged);
            if !changed.is_empty() {
                self.problems.push(format!(
                    "{key}: requests without a valid CSRF token changed {changed:?}"
                ));
            }
            forged
        };
        for (col, want) in &allowed {
            self.ask(row, *col, *want, &body).await;
        }
        // The digest sees what an allowed POST writes, so it would see a
        // refused one write too.
        let after = check::digest(pool).await;
        if !allowed.is_empty() && check::changed(&forged, &after).is_empty() {
            self.problems
                .push(format!("{key}: the allowed requests changed nothing"));
        }
    }

    /// Sends a token-only `row` as the first allowed column without a CSRF
    /// token: it must get what an allowed caller gets.
    async fn without_csrf(&mut self, row: &Row, cols: &[(Col, Cell)], body: &Prepared) {
        let Some(&(col, want)) = cols.iter().find(|(_, e)| !e.is_refusal()) else {
            return;
        };
        let path = (row.path)(self.w, col);
        let b = self.w.browser(col, row.by);
        let a = send(
            b,
            (row.method, &path),
            body,
            Token::Missing,
            &mut self.cookies,
        )
        .await;
        self.requests += 1;
        let key = row.key();
        self.problems
            .extend(a.problems.into_iter().map(|p| format!("{key}: {p}")));
        if a.cell != want {
            self.problems.push(format!(
                "{key} as {} without a CSRF token: {} instead of {}",
                col.label(),
                a.cell.show(),
                want.show()
            ));
        }
    }

    /// Sends `row` as an allowed user (signed in if one is) without a CSRF
    /// token and with a wrong one: each must be answered 403.
    async fn forge(&mut self, row: &Row, cols: &[(Col, Cell)], body: &Prepared) {
        let allowed = || cols.iter().filter(|(_, e)| !e.is_refusal());
        let Some(&(col, _)) = allowed()
            .find(|(c, _)| *c != Col::Anonymous)
            .or_else(|| allowed().next())
            .or(cols.first())
        else {
            return;
        };
        let path = (row.path)(self.w, col);
        for token in [Token::Missing, Token::Wrong] {
            let b = self.w.browser(col, row.by);
            let a = send(b, (row.method, &path), body, token, &mut self.cookies).await;
            self.requests += 1;
            let key = row.key();
            self.problems
                .extend(a.problems.into_iter().map(|p| format!("{key}: {p}")));
            if a.cell != Cell::Status(403) {
                self.problems.push(format!(
                    "{key} as {} with the CSRF token {token:?}: {} instead of 403",
                    col.label(),
                    a.cell.show()
                ));
            }
        }
    }
}

/// Fails, naming them, if a mounted route has no row or a row no route.
fn assert_every_route_has_a_row(mounted: &[String], rows: &[Row]) {
    let keys: BTreeSet<String> = rows.iter().map(Row::key).collect();
    assert_eq!(
        keys.len(),
        rows.len(),
        "two rows of the matrix name one route"
    );
    let unique: BTreeSet<&String> = mounted.iter().collect();
    assert_eq!(
        unique.len(),
        mounted.len(),
        "two mounted routes share a method and URI; key the matrix by rank too"
    );
    let missing: Vec<&String> = mounted.iter().filter(|k| !keys.contains(*k)).collect();
    assert!(
        missing.is_empty(),
        "routes without a row in the permission matrix (tests/app/permissions/rows.rs): \
         {missing:#?}\nadd each with who it is for and how to fill its segments"
    );
    let stale: Vec<&String> = keys.iter().filter(|k| !mounted.contains(k)).collect();
    assert!(
        stale.is_empty(),
        "rows for routes no longer mounted: {stale:#?}"
    );
}

#[rocket::async_test]
async fn every_route_answers_each_role_as_the_permission_matrix_says() {
    let started = Instant::now();
    let app = spawn_with(|f| f.merge(("portal.secure_cookies", true))).await;
    let table = rows::rows();
    let mounted: Vec<String> = app
        .client
        .rocket()
        .routes()
        .map(|r| format!("{} {}", r.method, r.uri))
        .collect();
    assert_every_route_has_a_row(&mounted, &table);
    let w = World::build(app).await;
    let built = started.elapsed();

    let mut run = Run {
        w: &w,
        got: BTreeMap::new(),
        mismatches: Vec::new(),
        problems: Vec::new(),
        cookies: check::Cookies::default(),
        requests: 0,
    };
    let mut order: Vec<&Row> = table.iter().collect();
    order.sort_by_key(|r| (r.turn, r.method != Method::Get));
    for row in order {
        run.row(row).await;
    }

    let mut failures = String::new();
    if !run.mismatches.is_empty() {
        failures.push_str(&format!(
            "{} cells differ from the matrix:\n| route | column | expected | got | asked |\n|---|---|---|---|---|\n{}\n",
            run.mismatches.len(),
            run.mismatches.join("\n")
        ));
    }
    if !run.problems.is_empty() {
        failures.push_str(&format!("\n{}\n", run.problems.join("\n")));
    }
    // The cookie checks met the portal's own cookies: set (the CSRF token
    // on the anonymous visitor's first page, sessions on logging in) and
    // removed (on logging out).
    for name in ["portal_csrf", "portal_session"] {
        if !run.cookies.set.contains(name) {
            failures.push_str(&format!("\nno answer of the matrix set {name}\n"));
        }
    }
    if !run.cookies.removed.contains("portal_session") {
        failures.push_str("\nno answer of the matrix removed the session cookie\n");
    }
    assert!(failures.is_empty(), "{failures}");

    let rendered: Vec<(String, Vec<Option<String>>)> = table
        .iter()
        .map(|r| {
            let cells = Col::ALL
                .iter()
                .map(|c| run.got.get(&(r.key(), *c)).map(|cell| cell.show()))
                .collect();
            (r.key(), cells)
        })
        .collect();
    if let Err(e) = readme::sync(&readme::render(&rendered)) {
        panic!("{e}");
    }
    println!(
        "{} routes, {} cells asked, {} requests; fixture {built:?}, whole test {:?}",
        table.len(),
        run.got.len(),
        run.requests,
        started.elapsed()
    );
}
