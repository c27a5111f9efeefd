//! Mail: queued with the change it reports, delivered by the worker as
//! .eml files or through a real SMTP server, retried, never duplicated.

use std::time::{Duration, Instant};

use fellowship_portal::db::outbox;

use crate::helpers::{link_in, spawn, spawn_with, PASSWORD};

async fn wait_for_status(app: &crate::helpers::TestApp, status: &str, n: i64) {
    let deadline = Instant::now() + Duration::from_secs(20);
    let sql = format!("SELECT COUNT(*) FROM outbox WHERE status = '{status}'");
    while app.count(&sql).await < n {
        assert!(
            Instant::now() < deadline,
            "no {n} {status} message(s) within 20 s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[rocket::async_test]
async fn the_worker_writes_each_message_once_as_an_eml_file() {
    let app = spawn_with(|f| {
        f.merge(("portal.mail_worker", true))
            .merge(("portal.mail_poll_ms", 100))
    })
    .await;
    app.register("Maya O'Brien", "maya@example.edu", PASSWORD)
        .await;
    wait_for_status(&app, "sent", 1).await;

    let files: Vec<_> = std::fs::read_dir(app.dir.path().join("mail"))
        .unwrap()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
        .collect();
    assert_eq!(files.len(), 1);
    let raw = std::fs::read(files[0].path()).unwrap();
    let parsed = mailparse::parse_mail(&raw).unwrap();
    let header = |name: &str| {
        parsed
            .headers
            .iter()
            .find(|h| h.get_key().eq_ignore_ascii_case(name))
            .map(|h| h.get_value())
    };
    assert_eq!(header("To").as_deref(), Some("maya@example.edu"));
    assert_eq!(
        header("Subject").as_deref(),
        Some("Confirm your email address for the application portal")
    );
    assert_eq!(header("From").as_deref(), Some("portal@localhost"));
    assert_eq!(parsed.subparts.len(), 2, "text and HTML parts");
    let text = parsed.subparts[0].get_body().unwrap();
    let html = parsed.subparts[1].get_body().unwrap();
    assert!(text.contains("Hello Maya O'Brien"), "{text}");
    assert!(html.contains("Hello Maya O&#x27;Brien"), "{html}");
    let link = link_in(&text, "/account/confirm/");
    assert!(text.contains(&format!("http://127.0.0.1:8000{link}")));

    // The link from the delivered mail works.
    assert_eq!(app.get(&link).await.status, rocket::http::Status::SeeOther);
}

#[rocket::async_test]
async fn a_message_key_is_queued_only_once() {
    let app = spawn().await;
    let mut conn = app.pool().conn().await.unwrap();
    let m = outbox::NewMessage {
        key: "decision:42",
        kind: "test",
        recipient: "a@example.edu",
        subject: "s",
        text_body: "t",
        html_body: "h",
    };
    let now = fellowship_portal::clock::now();
    assert!(outbox::enqueue(conn.exec(), &m, now).await.unwrap());
    assert!(!outbox::enqueue(conn.exec(), &m, now).await.unwrap());
    drop(conn);
    assert_eq!(app.count("SELECT COUNT(*) FROM outbox").await, 1);
    let w = app.worker();
    assert_eq!(w.deliver_due().await.unwrap(), 1);
    assert_eq!(
        w.deliver_due().await.unwrap(),
        0,
        "a sent message is not claimed again"
    );
    assert_eq!(
        std::fs::read_dir(app.dir.path().join("mail"))
            .unwrap()
            .count(),
        1
    );
}

#[rocket::async_test]
async fn failed_deliveries_back_off_then_fail_with_the_error_kept() {
    let dead = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let app = spawn_with(|f| {
        f.merge(("portal.smtp_url", format!("smtp://127.0.0.1:{dead}")))
            .merge(("portal.mail_max_attempts", 2))
            .merge(("portal.mail_retry_seconds", 1))
    })
    .await;
    app.register("Maya Chen", "maya@example.edu", PASSWORD)
        .await;
    let w = app.worker();
    assert_eq!(w.deliver_due().await.unwrap(), 1);
    let m = app.last_mail("maya@example.edu", "confirm_email").await;
    assert_eq!(m.status, "pending");
    assert_eq!(m.attempts, 1);
    assert!(
        m.last_error
            .as_deref()
            .unwrap_or("")
            .contains("SMTP 127.0.0.1"),
        "{:?}",
        m.last_error
    );
    assert_eq!(
        w.deliver_due().await.unwrap(),
        0,
        "not due before the backoff"
    );
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(w.deliver_due().await.unwrap(), 1);
    let m = app.last_mail("maya@example.edu", "confirm_email").await;
    assert_eq!(m.status, "failed");
    assert_eq!(m.attempts, 2);
    assert!(m.last_error.is_some());
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(
        w.deliver_due().await.unwrap(),
        0,
        "failed messages stay failed"
    );
}

#[rocket::async_test]
async fn a_message_claimed_by_a_dead_instance_is_taken_over_after_its_lease() {
    let app = spawn().await;
    app.register("Maya Chen", "maya@example.edu", PASSWORD)
        .await;
    app.sql("UPDATE outbox SET status = 'sending', lease_until = '2000-01-01T00:00:00+00:00'")
        .await;
    assert_eq!(app.worker().deliver_due().await.unwrap(), 1);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE status = 'sent'")
            .await,
        1
    );
}

#[rocket::async_test]
async fn a_message_written_again_after_a_crash_is_still_one_file() {
    let app = spawn().await;
    app.register("Maya Chen", "maya@example.edu", PASSWORD)
        .await;
    let w = app.worker();
    assert_eq!(w.deliver_due().await.unwrap(), 1);
    let folder = app.dir.path().join("mail");
    let files = || {
        let mut names: Vec<String> = std::fs::read_dir(&folder)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    let first = files();
    assert_eq!(first.len(), 1, "{first:?}");
    // What an instance killed after writing the file, before recording the
    // message as sent, leaves behind: a claim whose lease runs out.
    app.sql("UPDATE outbox SET status = 'sending', sent_at = NULL, lease_until = '2000-01-01T00:00:00+00:00'")
        .await;
    assert_eq!(w.deliver_due().await.unwrap(), 1, "delivered again");
    assert_eq!(
        files(),
        first,
        "the same one file, nothing left half-written"
    );
    let raw = std::fs::read(folder.join(&first[0])).unwrap();
    let parsed = mailparse::parse_mail(&raw).unwrap();
    let to = parsed
        .headers
        .iter()
        .find(|h| h.get_key().eq_ignore_ascii_case("To"))
        .map(|h| h.get_value());
    assert_eq!(to.as_deref(), Some("maya@example.edu"));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE status = 'sent'")
            .await,
        1
    );
}

/// Delivers through the SMTP server named by `TEST_SMTP_URL`, which writes
/// each message to the Maildir `TEST_SMTP_MAILDIR` (aiosmtpd, started by
/// `scripts/test-all`).
#[rocket::async_test]
#[ignore = "needs an SMTP server: TEST_SMTP_URL and TEST_SMTP_MAILDIR (scripts/test-all starts aiosmtpd)"]
async fn mail_is_delivered_through_a_real_smtp_server() {
    let url = std::env::var("TEST_SMTP_URL").expect("TEST_SMTP_URL");
    let maildir =
        std::path::PathBuf::from(std::env::var("TEST_SMTP_MAILDIR").expect("TEST_SMTP_MAILDIR"))
            .join("new");
    let recipient = format!("smtp-{}@example.edu", rand::random::<u32>());
    let app = spawn_with(move |f| {
        f.merge(("portal.smtp_url", url))
            .merge(("portal.mail_worker", true))
            .merge(("portal.mail_poll_ms", 100))
            .merge((
                "portal.mail_from",
                "Health Equity Alliance <apply@alliance.example.org>",
            ))
    })
    .await;
    app.register("Maya Chen", &recipient, PASSWORD).await;
    wait_for_status(&app, "sent", 1).await;

    let deadline = Instant::now() + Duration::from_secs(10);
    let found = loop {
        let hit = std::fs::read_dir(&maildir)
            .ok()
            .into_iter()
            .flatten()
            .flatten()
            .find_map(|e| {
                let raw = std::fs::read(e.path()).ok()?;
                String::from_utf8_lossy(&raw)
                    .contains(&recipient)
                    .then_some(raw)
            });
        if let Some(raw) = hit {
            break raw;
        }
        assert!(
            Instant::now() < deadline,
            "no message to {recipient} in {}",
            maildir.display()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let parsed = mailparse::parse_mail(&found).unwrap();
    let header = |name: &str| {
        parsed
            .headers
            .iter()
            .find(|h| h.get_key().eq_ignore_ascii_case(name))
            .map(|h| h.get_value())
    };
    assert_eq!(
        header("Subject").as_deref(),
        Some("Confirm your email address for the application portal")
    );
    assert!(header("From")
        .unwrap_or_default()
        .contains("apply@alliance.example.org"));
    let text = parsed.subparts[0].get_body().unwrap();
    let link = link_in(&text, "/account/confirm/");
    assert_eq!(app.get(&link).await.status, rocket::http::Status::SeeOther);
    let m = app.last_mail(&recipient, "confirm_email").await;
    assert_eq!((m.status.as_str(), m.attempts), ("sent", 1));
}
