//! Delivering letters: the outbox page, the send rate, a real SMTP server
//! that goes away, two workers on one database.

use std::time::{Duration, Instant};

use fellowship_portal::mail::worker::Worker;
use rocket::http::Status;

use super::release_all;
use crate::fixtures::{submitted, Cycle};
use crate::helpers::{spawn, spawn_with, Browser, TestApp};

#[rocket::async_test]
async fn admins_see_failed_mail_with_its_error_and_resend_it() {
    let app = spawn().await;
    app.logged_in_admin("root@alliance.org").await;
    app.sql("INSERT INTO outbox (message_key, kind, recipient, subject, text_body, html_body, status, attempts, next_attempt_at, last_error, created_at) \
             VALUES ('k1', 'decision_letter', 'x@student.edu', 'Your application', 't', 'h', 'failed', 5, '2026-01-01T00:00:00+00:00', 'SMTP relay: connection refused', '2026-01-01T00:00:00+00:00')").await;
    let page = app.get("/admin/outbox?status=failed").await;
    page.assert_contains("x@student.edu")
        .assert_contains("SMTP relay: connection refused");
    let id = app
        .count("SELECT id FROM outbox WHERE message_key = 'k1'")
        .await;
    let page = app.post(&format!("/admin/outbox/{id}/resend"), &[]).await;
    assert_eq!(page.status, Status::SeeOther);
    assert_eq!(app.count("SELECT COUNT(*) FROM outbox WHERE message_key = 'k1' AND status = 'pending' AND attempts = 0").await, 1);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'outbox.resend'")
            .await,
        1
    );
    // Others may not look.
    let other = app.another_browser().await;
    app.new_user("Sam Student", "sam@student.edu").await;
    other
        .login("sam@student.edu", crate::helpers::PASSWORD)
        .await;
    assert_eq!(other.get("/admin/outbox").await.status, Status::Forbidden);
}

#[rocket::async_test]
async fn the_send_rate_limit_holds_back_what_exceeds_it() {
    let app = spawn_with(|f| f.merge(("portal.mail_per_minute", 3))).await;
    for n in 0..5 {
        app.sql(&format!(
            "INSERT INTO outbox (message_key, kind, recipient, subject, text_body, html_body, status, next_attempt_at, created_at) \
             VALUES ('rate{n}', 'decision_letter', 'r{n}@student.edu', 's', 't', 'h', 'pending', '2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00')"
        ))
        .await;
    }
    let worker = app.worker();
    assert_eq!(worker.deliver_due().await.unwrap(), 3);
    assert_eq!(worker.deliver_due().await.unwrap(), 0);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE status = 'sent'")
            .await,
        3
    );
}

/// Delivers the outbox until nothing is pending (or 60 s pass).
async fn drain(app: &TestApp) {
    let deadline = Instant::now() + Duration::from_secs(60);
    let worker = app.worker();
    while app
        .count("SELECT COUNT(*) FROM outbox WHERE status <> 'sent'")
        .await
        > 0
    {
        assert!(Instant::now() < deadline, "the outbox did not drain");
        worker.deliver_due().await.unwrap();
        // Past the next retry (a second or so in these tests).
        app.advance(chrono::Duration::minutes(1));
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Decides `n` applications through the ranking's bulk form, alternating
/// outcomes; returns (application id, applicant name, outcome).
async fn decide_many(
    app: &TestApp,
    c: &Cycle,
    manager: &Browser,
    n: usize,
) -> Vec<(i64, String, &'static str)> {
    let mut out = Vec::new();
    for i in 0..n {
        let name = format!("Applicant Number{i:03}");
        let id = submitted(
            app,
            c.id,
            &name,
            &format!("n{i}@student.edu"),
            "Hill College",
        )
        .await;
        out.push((id, name, ["accepted", "waitlisted", "declined"][i % 3]));
    }
    let ids: Vec<String> = out.iter().map(|(id, _, _)| id.to_string()).collect();
    let mut fields: Vec<(&str, &str)> = ids.iter().map(|i| ("ids", i.as_str())).collect();
    fields.push(("action", "mark_eligible"));
    manager
        .post(
            &format!("/manage/cycles/{}/applications/bulk", c.id),
            &fields,
        )
        .await;
    for outcome in ["accepted", "waitlisted", "declined"] {
        let chosen: Vec<String> = out
            .iter()
            .filter(|o| o.2 == outcome)
            .map(|o| o.0.to_string())
            .collect();
        let action = format!("decide_{outcome}");
        let mut fields: Vec<(&str, &str)> = chosen.iter().map(|i| ("ids", i.as_str())).collect();
        fields.push(("action", &action));
        let page = manager
            .post(
                &format!("/manage/cycles/{}/applications/bulk", c.id),
                &fields,
            )
            .await;
        assert_eq!(page.status, Status::SeeOther);
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM decisions").await, n as i64);
    out
}

/// The messages in a Maildir's `new` folder, as text.
fn maildir(dir: &std::path::Path) -> Vec<String> {
    std::fs::read_dir(dir.join("new"))
        .map(|d| {
            d.flatten()
                .map(|e| std::fs::read_to_string(e.path()).unwrap_or_default())
                .collect()
        })
        .unwrap_or_default()
}

#[rocket::async_test]
#[ignore = "needs aiosmtpd: TEST_AIOSMTPD names a Python with it (scripts/test-all installs it)"]
async fn releasing_fifty_decisions_delivers_fifty_letters_through_smtp() {
    let smtp = crate::helpers::SmtpServer::start();
    let url = smtp.url();
    let app = spawn_with(move |f| f.merge(("portal.smtp_url", url))).await;
    let c = app.with_cycle().await;
    let manager = app.with_manager(&c, "Mo Manager", "mo@alliance.org").await;
    let decided = decide_many(&app, &c, &manager, 50).await;
    let page = release_all(&manager, c.id).await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    drain(&app).await;
    let letters: Vec<String> = maildir(&smtp.maildir())
        .into_iter()
        .filter(|m| m.contains("Applicant Number"))
        .collect();
    assert_eq!(letters.len(), 50);
    for (_, name, outcome) in &decided {
        let mine: Vec<&String> = letters
            .iter()
            .filter(|m| m.contains(&format!("Dear {name},")))
            .collect();
        assert_eq!(mine.len(), 1, "{name}");
        let expected = match *outcome {
            "accepted" => "offer you a place",
            "waitlisted" => "waitlist",
            _ => "not able to offer you a place",
        };
        assert!(
            mine[0].contains(expected),
            "{name} should read {expected:?}:\n{}",
            mine[0]
        );
    }
}

#[rocket::async_test]
#[ignore = "needs aiosmtpd: TEST_AIOSMTPD names a Python with it (scripts/test-all installs it)"]
async fn letters_released_while_the_mail_server_is_down_arrive_once_it_is_back() {
    let mut smtp = crate::helpers::SmtpServer::start();
    let url = smtp.url();
    let app = spawn_with(move |f| {
        f.merge(("portal.smtp_url", url))
            .merge(("portal.mail_retry_seconds", 1))
            .merge(("portal.mail_max_attempts", 50))
    })
    .await;
    let c = app.with_cycle().await;
    let manager = app.with_manager(&c, "Mo Manager", "mo@alliance.org").await;
    // Staff confirmation mail goes first, while the server is up.
    drain(&app).await;
    let before = maildir(&smtp.maildir()).len();
    let decided = decide_many(&app, &c, &manager, 12).await;
    smtp.stop();
    release_all(&manager, c.id).await;
    let worker = app.worker();
    worker.deliver_due().await.unwrap();
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE status = 'sent' AND kind = 'decision_letter'")
            .await,
        0
    );
    assert!(
        app.count(
            "SELECT COUNT(*) FROM outbox WHERE last_error IS NOT NULL AND kind = 'decision_letter'"
        )
        .await
            > 0
    );
    // The managers are told, on the decisions and release pages.
    for page in ["decisions", "release"] {
        manager
            .get(&format!("/manage/cycles/{}/{page}", c.id))
            .await
            .assert_contains("12 decision letters are still waiting to be sent, the oldest since");
    }
    smtp.resume();
    drain(&app).await;
    manager
        .get(&format!("/manage/cycles/{}/decisions", c.id))
        .await
        .assert_lacks("still waiting to be sent");
    let after = maildir(&smtp.maildir());
    assert_eq!(after.len() - before, 12);
    for (_, name, _) in &decided {
        assert_eq!(
            after
                .iter()
                .filter(|m| m.contains(&format!("Dear {name},")))
                .count(),
            1,
            "{name}"
        );
    }
}

#[rocket::async_test]
async fn two_workers_on_one_database_deliver_each_message_once() {
    let app = spawn().await;
    let now = "2026-01-01T00:00:00+00:00";
    for n in 0..200 {
        app.sql(&format!(
            "INSERT INTO outbox (message_key, kind, recipient, subject, text_body, html_body, status, next_attempt_at, created_at) \
             VALUES ('two{n}', 'decision_letter', 'w{n}@student.edu', 'Letter {n}', 'Body {n}', '<p>Body {n}</p>', 'pending', '{now}', '{now}')"
        ))
        .await;
    }
    let (one, two) = (app.worker(), app.worker());
    let run = |w: Worker| async move {
        let mut sent = 0;
        for _ in 0..100 {
            sent += w.deliver_due().await.unwrap();
        }
        sent
    };
    let (a, b) = tokio::join!(run(one), run(two));
    assert_eq!(a + b, 200, "each message claimed once ({a} + {b})");
    let files: Vec<String> = std::fs::read_dir(app.dir.path().join("mail"))
        .unwrap()
        .flatten()
        .map(|e| std::fs::read_to_string(e.path()).unwrap())
        .collect();
    assert_eq!(files.len(), 200);
    for n in 0..200 {
        assert_eq!(
            files
                .iter()
                .filter(|f| f.contains(&format!("Subject: Letter {n}\r\n")))
                .count(),
            1,
            "letter {n}"
        );
    }
}
