//! `/metrics`: who may read it, and what it says after some traffic, read
//! with the Prometheus project's own parser (Python `prometheus-client`).

use rocket::http::{Header, Status};
use serde_json::Value;

use crate::helpers::{spawn, spawn_with, Browser};

/// The status and body of `/metrics` asked from `remote` with `headers`.
async fn scrape(b: &Browser, remote: Option<&str>, headers: &[(&str, &str)]) -> (Status, String) {
    let mut request = b.client.get("/metrics");
    if let Some(remote) = remote {
        request = request.remote(remote.parse().unwrap());
    }
    for (name, value) in headers {
        request = request.header(Header::new(name.to_string(), value.to_string()));
    }
    let response = request.dispatch().await;
    let status = response.status();
    let content_type = response.content_type().map(|c| c.to_string());
    let body = response.into_string().await.unwrap_or_default();
    if status == Status::Ok {
        assert_eq!(
            content_type.as_deref(),
            Some("application/openmetrics-text; version=1.0.0; charset=utf-8")
        );
    }
    (status, body)
}

#[rocket::async_test]
async fn metrics_answer_only_this_machine_or_the_token() {
    const TOKEN: &str = "scrape-4c1f9e0b7d2a";
    let app = spawn_with(|f| f.merge(("portal.metrics_token", TOKEN))).await;
    let elsewhere = Some("10.1.2.3:40000");
    let here = Some("127.0.0.1:40000");
    let bearer = format!("Bearer {TOKEN}");

    let (status, body) = scrape(&app, elsewhere, &[]).await;
    assert_eq!(status, Status::NotFound);
    assert!(!body.contains("portal_"), "{body}");
    // The answer is the unknown page's: nothing says a metrics page is there.
    assert_eq!(body, app.get("/no-such-page").await.body);
    let wrong = [("Authorization", "Bearer scrape-4c1f9e0b7d2b")];
    assert_eq!(scrape(&app, elsewhere, &wrong).await.0, Status::NotFound);
    let basic = [("Authorization", "Basic c2NyYXBlOnNjcmFwZQ==")];
    assert_eq!(scrape(&app, elsewhere, &basic).await.0, Status::NotFound);
    // A request with no known peer is not from this machine.
    assert_eq!(scrape(&app, None, &[]).await.0, Status::NotFound);

    let (status, body) = scrape(&app, elsewhere, &[("Authorization", &bearer)]).await;
    assert_eq!(status, Status::Ok);
    assert!(
        body.contains("# TYPE portal_http_requests counter"),
        "{body}"
    );
    assert!(body.ends_with("# EOF\n"), "{body}");

    assert_eq!(scrape(&app, here, &[]).await.0, Status::Ok);
    // Through a reverse proxy on this machine the peer is loopback, but
    // the caller is not: the proxy's header gives it away.
    for header in ["X-Forwarded-For", "Forwarded", "X-Real-IP"] {
        let (status, _) = scrape(&app, here, &[(header, "203.0.113.9")]).await;
        assert_eq!(status, Status::NotFound, "through a proxy ({header})");
    }
    let (status, _) = scrape(
        &app,
        here,
        &[
            ("X-Forwarded-For", "203.0.113.9"),
            ("Authorization", &bearer),
        ],
    )
    .await;
    assert_eq!(status, Status::Ok, "the token works through a proxy");

    // Without a configured token no bearer opens it from elsewhere.
    let plain = spawn().await;
    let any = [("Authorization", "Bearer ")];
    assert_eq!(scrape(&plain, elsewhere, &any).await.0, Status::NotFound);
    assert_eq!(scrape(&plain, here, &[]).await.0, Status::Ok);
}

/// One sample as the parser read it.
struct Sample {
    name: String,
    labels: serde_json::Map<String, Value>,
    value: f64,
}

/// Parses `text` with Python's `prometheus_client` (its strict
/// OpenMetrics parser, and its classic text parser must read it too).
fn parse(text: &str) -> Vec<Sample> {
    let python = std::env::var("TEST_PROMETHEUS_PYTHON")
        .expect("TEST_PROMETHEUS_PYTHON names a Python with prometheus-client (scripts/test-all)");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("metrics.txt");
    std::fs::write(&file, text).unwrap();
    let script = r#"
import json, sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families as openmetrics
from prometheus_client.parser import text_string_to_metric_families as classic
text = open(sys.argv[1]).read()
out = []
for family in openmetrics(text):
    for s in family.samples:
        out.append({"family": family.name, "type": family.type, "name": s.name, "labels": s.labels, "value": s.value})
assert list(classic(text)), "the classic parser read nothing"
print(json.dumps(out))
"#;
    let output = std::process::Command::new(python)
        .arg("-c")
        .arg(script)
        .arg(&file)
        .output()
        .expect("python runs");
    assert!(
        output.status.success(),
        "the parser refused the metrics: {}\n{text}",
        String::from_utf8_lossy(&output.stderr)
    );
    let parsed: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap();
    parsed
        .into_iter()
        .map(|s| Sample {
            name: s["name"].as_str().unwrap().to_owned(),
            labels: s["labels"].as_object().unwrap().clone(),
            value: s["value"].as_f64().unwrap(),
        })
        .collect()
}

/// The value of the sample `name` with (at least) `labels`.
#[track_caller]
fn value(samples: &[Sample], name: &str, labels: &[(&str, &str)]) -> f64 {
    samples
        .iter()
        .find(|s| {
            s.name == name
                && labels
                    .iter()
                    .all(|(k, v)| s.labels.get(*k).and_then(Value::as_str) == Some(*v))
        })
        .unwrap_or_else(|| panic!("no {name} {labels:?}"))
        .value
}

#[rocket::async_test]
#[ignore = "needs python prometheus-client: TEST_PROMETHEUS_PYTHON (scripts/test-all installs it)"]
async fn metrics_count_requests_logins_mail_and_the_pool() {
    let app = spawn().await;
    let here = Some("127.0.0.1:40000");
    // Traffic: a page view, an account (its confirmation mail queued), a wrong password.
    assert_eq!(app.get("/").await.status, Status::Ok);
    app.new_user("Maya Chen", "maya@example.edu").await;
    let wrong = app.login("maya@example.edu", "not-her-password-1").await;
    assert_eq!(wrong.status, Status::UnprocessableEntity);
    app.advance(chrono::Duration::seconds(90));

    let (status, text) = scrape(&app, here, &[]).await;
    assert_eq!(status, Status::Ok);
    let m = parse(&text);
    assert_eq!(value(&m, "portal_login_failures_total", &[]), 1.0);
    assert_eq!(value(&m, "portal_login_throttled_total", &[]), 0.0);
    let home = [("method", "GET"), ("route", "/"), ("status", "200")];
    assert_eq!(value(&m, "portal_http_requests_total", &home), 1.0);
    let refused = [
        ("method", "POST"),
        ("route", "/account/login"),
        ("status", "422"),
    ];
    assert_eq!(value(&m, "portal_http_requests_total", &refused), 1.0);
    // The confirmation link's route is counted by its pattern, not its token.
    let confirm = [("route", "/account/confirm/<secret>"), ("status", "303")];
    assert_eq!(value(&m, "portal_http_requests_total", &confirm), 1.0);
    assert!(!text.contains("/account/confirm/") || text.contains("<secret>"));
    // The latency histogram: every bucket, the count and the sum.
    let route = [("method", "GET"), ("route", "/")];
    let buckets: Vec<&Sample> = m
        .iter()
        .filter(|s| {
            s.name == "portal_http_request_duration_seconds_bucket"
                && s.labels.get("route").and_then(Value::as_str) == Some("/")
        })
        .collect();
    assert_eq!(buckets.len(), 13, "12 bounds and +Inf");
    assert!(buckets
        .iter()
        .any(|b| b.labels["le"] == "+Inf" && b.value == 1.0));
    assert_eq!(
        value(&m, "portal_http_request_duration_seconds_count", &route),
        1.0
    );
    assert!(value(&m, "portal_http_request_duration_seconds_sum", &route) > 0.0);
    // The outbox as the table has it, and how long its oldest has waited.
    let pending = app
        .count("SELECT COUNT(*) FROM outbox WHERE status = 'pending'")
        .await;
    assert!(pending >= 1);
    assert_eq!(
        value(&m, "portal_outbox_messages", &[("state", "pending")]),
        pending as f64
    );
    assert_eq!(
        value(&m, "portal_outbox_messages", &[("state", "failed")]),
        0.0
    );
    let age = value(&m, "portal_outbox_oldest_pending_age_seconds", &[]);
    assert!((90.0..120.0).contains(&age), "{age}");
    // The pool (the tests' pool holds at most 5).
    assert_eq!(value(&m, "portal_db_pool_max_connections", &[]), 5.0);
    let open = value(&m, "portal_db_pool_connections", &[]);
    assert!((1.0..=5.0).contains(&open), "{open}");
    assert!(value(&m, "portal_db_pool_idle_connections", &[]) <= open);
    assert_eq!(
        value(&m, "portal_job_runs_total", &[("job", "sessions")]),
        0.0
    );

    // Four more wrong passwords, then one refused by the throttle.
    for _ in 0..4 {
        app.login("maya@example.edu", "not-her-password-1").await;
    }
    app.login("maya@example.edu", "plum-kettle-orbit-sage")
        .await
        .assert_contains("Too many failed attempts");
    // The background jobs run once (the sessions sweep among them).
    fellowship_portal::jobs::run_all(&app.ctx(), None).await;
    app.worker().deliver_due().await.unwrap();
    let m = parse(&scrape(&app, here, &[]).await.1);
    assert_eq!(value(&m, "portal_login_failures_total", &[]), 5.0);
    assert_eq!(value(&m, "portal_login_throttled_total", &[]), 1.0);
    for job in ["sessions", "lapsed_offers", "review_reminders"] {
        assert_eq!(value(&m, "portal_job_runs_total", &[("job", job)]), 1.0);
        assert_eq!(value(&m, "portal_job_failures_total", &[("job", job)]), 0.0);
    }
    assert_eq!(
        value(&m, "portal_outbox_messages", &[("state", "pending")]),
        app.count("SELECT COUNT(*) FROM outbox WHERE status = 'pending'")
            .await as f64
    );
}

#[rocket::async_test]
async fn a_failing_job_and_store_are_counted() {
    let app = spawn().await;
    // The documents folder replaced by a file: listing the store fails.
    let documents = app.dir.path().join("documents");
    std::fs::remove_dir_all(&documents).unwrap();
    std::fs::write(&documents, b"not a folder").unwrap();
    fellowship_portal::jobs::run_all(&app.ctx(), None).await;
    let text = app.ctx().metrics.encode();
    for line in [
        "portal_job_runs_total{job=\"orphaned_documents\"} 1",
        "portal_job_failures_total{job=\"orphaned_documents\"} 1",
        "portal_storage_errors_total{operation=\"list\"} 1",
        "portal_job_runs_total{job=\"sessions\"} 1",
        "portal_job_failures_total{job=\"sessions\"} 0",
    ] {
        assert!(text.contains(line), "{line} in:\n{text}");
    }
    // Read through /metrics as a scraper does.
    let (status, body) = scrape(&app, Some("127.0.0.1:40000"), &[]).await;
    assert_eq!(status, Status::Ok);
    assert!(body.contains("portal_job_failures_total{job=\"orphaned_documents\"} 1"));
}
