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
    // The recipient's name is in To, and the organisation's in From.
    assert_eq!(
        header("To").as_deref(),
        Some("Maya O'Brien <maya@example.edu>")
    );
    assert_eq!(
        header("Subject").as_deref(),
        Some("Confirm your email address for the application portal")
    );
    assert_eq!(
        header("From").as_deref(),
        Some("\"Fellowship Portal\" <portal@localhost>")
    );
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
        secret: None,
        recipient_name: None,
        unsubscribe_url: None,
    };
    let now = app.clock.now();
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
    assert_eq!(m.status.as_str(), "pending");
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
    assert_eq!(m.status.as_str(), "failed");
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
    // Another instance claims it for five minutes, then dies.
    let mut conn = app.pool().conn().await.unwrap();
    let now = app.clock.now();
    let claimed = outbox::claim_due(conn.exec(), now, now + chrono::Duration::minutes(5), 10)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1);
    drop(conn);
    app.advance(chrono::Duration::minutes(6));
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
    app.sql(&format!(
        "UPDATE outbox SET status = 'sending', sent_at = NULL, lease_until = '{}'",
        (app.clock.now() + chrono::Duration::minutes(5)).to_rfc3339()
    ))
    .await;
    app.advance(chrono::Duration::minutes(6));
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
    assert_eq!(to.as_deref(), Some("\"Maya Chen\" <maya@example.edu>"));
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

/// Nobody can make the portal flood an inbox: five reset links an hour per
/// address (whether or not it has an account, so the limit tells nothing),
/// twenty requests an hour per client address, and a second link replaces
/// the one still waiting instead of adding a message.
#[rocket::async_test]
async fn reset_and_confirmation_mail_is_limited_per_address_and_client() {
    let app = spawn().await;
    app.new_user("Maya Chen", "maya@example.edu").await;
    // Maya's address had its confirmation already: four more.
    for (email, allowed) in [("maya@example.edu", 4), ("nobody@example.edu", 5)] {
        for i in 1..=allowed {
            let page = app
                .post_from("/account/forgot", &[("email", email)], "203.0.113.7:5000")
                .await;
            assert_eq!(
                page.status,
                rocket::http::Status::SeeOther,
                "{email} {i}: {}",
                page.body
            );
        }
        let sixth = app
            .post_from("/account/forgot", &[("email", email)], "203.0.113.7:5000")
            .await;
        assert_eq!(
            sixth.status,
            rocket::http::Status::TooManyRequests,
            "{email}"
        );
        sixth
            .assert_contains("We have already sent several emails to this address in the last hour")
            .assert_contains(&format!(r#"value="{email}""#));
    }
    // Four requests for Maya's address: one message, with the newest link.
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE kind = 'reset_password'")
            .await,
        1
    );
    let mail = app.last_mail("maya@example.edu", "reset_password").await;
    let link = link_in(&mail.text_body, "/account/reset/");
    let newest = app
        .count("SELECT MAX(id) FROM account_tokens WHERE purpose = 'reset_password'")
        .await;
    let newest_hash =
        fellowship_portal::auth::token::hash(link.trim_start_matches("/account/reset/"));
    assert_eq!(
        app.count(&format!(
            "SELECT id FROM account_tokens WHERE token_hash = '{newest_hash}'"
        ))
        .await,
        newest
    );

    // One client address asking for many addresses: twenty (nine so far),
    // then a wait.
    for i in 0..11 {
        let email = format!("someone{i}@example.edu");
        let page = app
            .post_from(
                "/account/confirm/resend",
                &[("email", &email)],
                "203.0.113.7:5001",
            )
            .await;
        assert_eq!(page.status, rocket::http::Status::SeeOther);
    }
    let refused = app
        .post_from(
            "/account/forgot",
            &[("email", "other@example.edu")],
            "203.0.113.7:5002",
        )
        .await;
    assert_eq!(refused.status, rocket::http::Status::TooManyRequests);
    refused.assert_contains("many requests to send email from your network");
    let elsewhere = app
        .post_from(
            "/account/forgot",
            &[("email", "other@example.edu")],
            "198.51.100.2:5000",
        )
        .await;
    assert_eq!(elsewhere.status, rocket::http::Status::SeeOther);
}

/// Asking for a reset link answers in the same time whether or not the
/// address has an account: both wait out the same floor, longer than
/// either path's work.
#[rocket::async_test]
async fn a_reset_request_takes_the_same_time_for_known_and_unknown_addresses() {
    let app = spawn().await;
    app.new_user("Maya Chen", "maya@example.edu").await;
    let mut took = Vec::new();
    for email in ["maya@example.edu", "nobody@example.edu"] {
        let started = Instant::now();
        let page = app.post("/account/forgot", &[("email", email)]).await;
        took.push(started.elapsed());
        assert_eq!(page.status, rocket::http::Status::SeeOther);
    }
    let floor = fellowship_portal::web::page::SAME_TIME;
    assert!(took.iter().all(|t| *t >= floor), "{took:?}");
    // Neither path's own work shows past the floor.
    let gap = took[0].max(took[1]) - took[0].min(took[1]);
    assert!(gap < floor / 2, "{took:?}");
}

/// A referee's address gets at most five requests an hour, however they
/// are asked for.
#[rocket::async_test]
async fn referee_requests_are_limited_per_referee_and_applicant() {
    let app = spawn().await;
    app.logged_in_user("Maya Chen", "maya@example.edu").await;
    let id = app.start_health_justice(&app).await;
    let page = app
        .name_referee(id, "1", "Dr. Rosa Parks", "rosa@example.org")
        .await;
    assert_eq!(page.status, rocket::http::Status::SeeOther);
    let rid = app
        .count(&format!(
            "SELECT id FROM referee_requests WHERE application_id = {id}"
        ))
        .await;
    let resend = format!("/apply/applications/{id}/referees/{rid}/resend");
    for _ in 0..4 {
        assert_eq!(
            app.post(&resend, &[]).await.status,
            rocket::http::Status::SeeOther
        );
    }
    let sixth = app.post(&resend, &[]).await;
    assert_eq!(sixth.status, rocket::http::Status::SeeOther);
    app.get(&format!("/apply/applications/{id}/referees"))
        .await
        .assert_contains("We have already sent several emails to this address in the last hour");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE recipient = 'rosa@example.org'")
            .await,
        5
    );
    // Naming a new referee at that address is refused with the reason
    // next to the field, and nothing is stored.
    let again = app
        .name_referee(id, "2", "Prof. Rosa Parks", "rosa@example.org")
        .await;
    assert_eq!(again.status, rocket::http::Status::TooManyRequests);
    again.assert_contains("We have already sent several emails to this address");
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM referee_requests WHERE application_id = {id}"
        ))
        .await,
        1
    );
}

/// Account mail and decisions go before bulk reminders, and a sent
/// message no longer holds its working link.
#[rocket::async_test]
async fn urgent_mail_goes_first_and_sent_links_are_not_kept() {
    let app = spawn().await;
    let now = app.clock.now();
    let mut conn = app.pool().conn().await.unwrap();
    for i in 0..3 {
        let key = format!("review_reminder:{i}");
        let m = outbox::NewMessage {
            key: &key,
            kind: "review_reminder",
            recipient: "busy@example.edu",
            subject: "s",
            text_body: "t",
            html_body: "h",
            secret: None,
            recipient_name: None,
            unsubscribe_url: None,
        };
        assert!(outbox::enqueue(conn.exec(), &m, now).await.unwrap());
    }
    drop(conn);
    app.register("Maya Chen", "maya@example.edu", PASSWORD)
        .await;
    let queued = app.last_mail("maya@example.edu", "confirm_email").await;
    let link = link_in(&queued.text_body, "/account/confirm/");
    let secret = link.trim_start_matches("/account/confirm/").to_owned();
    assert!(queued.html_body.contains(&secret));

    let mut conn = app.pool().conn().await.unwrap();
    let later = now + chrono::Duration::seconds(1);
    let first = outbox::claim_due(conn.exec(), later, later + chrono::Duration::minutes(5), 1)
        .await
        .unwrap();
    assert_eq!(first.len(), 1);
    assert_eq!(first[0].kind, "confirm_email", "the newest, but first");
    drop(conn);
    app.sql("UPDATE outbox SET status = 'pending', lease_until = NULL")
        .await;
    let w = app.worker();
    while w.deliver_due().await.unwrap() > 0 {}
    let sent = app.last_mail("maya@example.edu", "confirm_email").await;
    assert_eq!(sent.status.as_str(), "sent");
    assert!(!sent.text_body.contains(&secret), "{}", sent.text_body);
    assert!(!sent.html_body.contains(&secret), "{}", sent.html_body);
    assert!(sent
        .text_body
        .contains("/account/confirm/removed-once-sent"));
    // The delivered mail had the working link.
    let delivered: String = std::fs::read_dir(app.dir.path().join("mail"))
        .unwrap()
        .flatten()
        .filter_map(|e| {
            let raw = std::fs::read(e.path()).ok()?;
            let parsed = mailparse::parse_mail(&raw).ok()?;
            parsed.subparts.first()?.get_body().ok()
        })
        .collect();
    assert!(delivered.contains(&secret), "{delivered}");
}

/// A message whose lease ran out while its worker was busy with the rest
/// of a slow batch (a relay that hangs) is taken over by another worker,
/// and then the first one no longer sends it.
#[rocket::async_test]
async fn a_message_taken_over_after_its_lease_is_not_sent_again_by_the_first_worker() {
    let app = spawn().await;
    let now = app.clock.now();
    let m = outbox::NewMessage {
        key: "takeover:1",
        kind: "test",
        recipient: "a@example.edu",
        subject: "s",
        text_body: "t",
        html_body: "h",
        secret: None,
        recipient_name: None,
        unsubscribe_url: None,
    };
    let mut conn = app.pool().conn().await.unwrap();
    assert!(outbox::enqueue(conn.exec(), &m, now).await.unwrap());
    let first_lease = now + chrono::Duration::minutes(5);
    let first = outbox::claim_due(conn.exec(), now, first_lease, 20)
        .await
        .unwrap();
    assert_eq!(first.len(), 1);
    // Six minutes later the lease has run out: another worker takes it.
    let later = now + chrono::Duration::minutes(6);
    let second_lease = later + chrono::Duration::minutes(5);
    let second = outbox::claim_due(conn.exec(), later, second_lease, 20)
        .await
        .unwrap();
    assert_eq!(second.len(), 1);
    let id = first[0].id;
    assert!(!outbox::renew_claim(conn.exec(), id, first_lease, later)
        .await
        .unwrap());
    assert!(outbox::renew_claim(
        conn.exec(),
        id,
        second_lease,
        later + chrono::Duration::minutes(5)
    )
    .await
    .unwrap());
}
