//! The real binary, serving on a port, its standard error read whole:
//! JSON lines only, Rocket's own request lines (which print concrete
//! paths) absent even when Rocket's log level asks for them, no secret
//! of the start (the first admin's password, the cookie key) and nothing
//! a request carried.

use std::io::{BufRead, BufReader, Read};
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::assert_no_secrets;
use crate::helpers::{free_port, fresh_database, portal};

const EMAIL: &str = "leak-check@example.org";
const PASSWORD: &str = "violet-anchor-harbor-42";
const LINK_TOKEN: &str = "Zq8tLinkTokenNeverLogged0123456789abcdef";
const QUERY_MARKER: &str = "query-marker-91c2";
/// Digits only, with leading zeros: it must arrive as written.
const METRICS_TOKEN: &str = "0042004200420042";

/// An answer, whatever its status.
fn call(request: ureq::Request) -> ureq::Response {
    match request.call() {
        Ok(r) | Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("request failed: {e}"),
    }
}

#[rocket::async_test]
async fn the_binary_logs_json_request_lines_and_no_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (db_url, _database) = fresh_database(dir.path()).await;
    let port = free_port();
    let stderr = std::fs::File::create(dir.path().join("stderr.log")).unwrap();
    let mut child = portal(&data, &db_url)
        .env("ROCKET_PORT", port.to_string())
        // Rocket is asked for its chattiest log: it must stay off anyway.
        .env("ROCKET_LOG_LEVEL", "debug")
        .env("PORTAL_LOG_FORMAT", "json")
        .env("PORTAL_METRICS_TOKEN", METRICS_TOKEN)
        .env_remove("RUST_LOG")
        .env_remove("PORTAL_LOG_LEVEL")
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut printed = String::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline && !printed.contains("is ready at") {
        if out.read_line(&mut printed).unwrap() == 0 {
            break;
        }
    }
    let base = format!("http://127.0.0.1:{port}");
    let agent = ureq::AgentBuilder::new().redirects(0).build();

    let wrong_link = call(
        agent
            .get(&format!("{base}/referee/{LINK_TOKEN}"))
            .set("X-Request-Id", "proc-link-1"),
    );
    assert_eq!(wrong_link.status(), 404);
    assert_eq!(wrong_link.header("X-Request-Id"), Some("proc-link-1"));
    let login = call(agent.get(&format!("{base}/account/login?next=/apply/{QUERY_MARKER}")));
    assert_eq!(login.status(), 200);
    let own_id = login.header("X-Request-Id").unwrap().to_owned();
    assert_eq!(own_id.len(), 16, "an id of the portal's own: {own_id}");
    let cookies: Vec<String> = login
        .all("Set-Cookie")
        .iter()
        .map(|c| c.split(';').next().unwrap().to_owned())
        .collect();
    let body = login.into_string().unwrap();
    let at = body.find("name=\"csrf_token\" value=\"").unwrap() + 25;
    let csrf = body[at..].split('"').next().unwrap().to_owned();
    let refused = match agent
        .post(&format!("{base}/account/login"))
        .set("Cookie", &cookies.join("; "))
        .set("X-Request-Id", "proc-login-1")
        .send_form(&[
            ("csrf_token", &csrf),
            ("email", EMAIL),
            ("password", PASSWORD),
            ("next", "/"),
        ]) {
        Ok(r) | Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(refused.status(), 422);
    // The real TCP peer is loopback here; through a proxy it is refused.
    assert_eq!(call(agent.get(&format!("{base}/metrics"))).status(), 200);
    let proxied = agent
        .get(&format!("{base}/metrics"))
        .set("X-Forwarded-For", "203.0.113.9");
    assert_eq!(call(proxied).status(), 404);
    let with_token = agent
        .get(&format!("{base}/metrics"))
        .set("X-Forwarded-For", "203.0.113.9")
        .set("Authorization", &format!("Bearer {METRICS_TOKEN}"));
    assert_eq!(call(with_token).status(), 200);

    let _ = child.kill();
    let _ = child.wait();
    let mut rest = String::new();
    let _ = out.read_to_string(&mut rest);
    printed.push_str(&rest);
    let log = std::fs::read_to_string(dir.path().join("stderr.log")).unwrap();

    let otp = printed
        .lines()
        .find_map(|l| l.strip_prefix("One-time password: "))
        .expect("the first admin's password is printed once, on standard output")
        .trim()
        .to_owned();
    let key = std::fs::read_to_string(data.join("secret_key")).unwrap();
    let mut secrets = vec![
        ("email", EMAIL.to_owned()),
        ("password", PASSWORD.to_owned()),
        ("link token", LINK_TOKEN.to_owned()),
        ("query", QUERY_MARKER.to_owned()),
        ("CSRF token", csrf.clone()),
        ("first admin's password", otp),
        ("secret key", key.trim().to_owned()),
        ("metrics token", METRICS_TOKEN.to_owned()),
    ];
    for cookie in &cookies {
        secrets.push(("cookie", cookie.split_once('=').unwrap().1.to_owned()));
    }
    assert_no_secrets(&log, &secrets);
    // Rocket's own logger writes to standard output: it printed nothing.
    let after_ready = printed.split_once("is ready at").unwrap().1;
    assert_no_secrets(after_ready, &secrets);
    for rocket_line in ["Rocket has launched", "Matched", "Configured for"] {
        assert!(!printed.contains(rocket_line), "{printed}");
        assert!(!log.contains(rocket_line), "{log}");
    }
    assert!(!printed.contains("/referee/"), "{printed}");

    let lines: Vec<Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    let request = |id: &str| {
        lines
            .iter()
            .find(|l| l["target"] == "portal::request" && l["fields"]["request_id"] == id)
            .unwrap_or_else(|| panic!("no request line for {id}:\n{log}"))
    };
    let line = request("proc-link-1");
    assert_eq!(line["fields"]["route"], "/referee/<secret>");
    assert_eq!(line["fields"]["status"], 404);
    assert_eq!(line["fields"]["method"], "GET");
    assert!(line["fields"]["ms"].is_u64());
    assert_eq!(request(&own_id)["fields"]["route"], "/account/login");
    assert_eq!(request("proc-login-1")["fields"]["status"], 422);
    let refusal = lines
        .iter()
        .find(|l| {
            l["fields"]["message"]
                .as_str()
                .is_some_and(|m| m.starts_with("login refused"))
        })
        .unwrap_or_else(|| panic!("the refusal is logged:\n{log}"));
    assert_eq!(refusal["spans"][0]["request_id"], "proc-login-1");
    assert_eq!(refusal["span"]["name"], "log_in");
    // What keeps mail from inboxes is said at start, in the same log.
    assert!(
        lines
            .iter()
            .any(|l| l["target"] == "fellowship_portal::mail"
                && l["fields"]["message"]
                    .as_str()
                    .is_some_and(|m| m.starts_with("mail: mail has no Reply-To"))),
        "the mail warnings at start:\n{log}"
    );
}
