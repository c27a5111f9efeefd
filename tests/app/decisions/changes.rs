//! A decision changed after release: the letter still waiting is replaced,
//! even one stuck on a hung relay.

use std::time::{Duration, Instant};

use rocket::http::Status;

use super::{decide, release_all};
use crate::fixtures::mark_eligible;
use crate::helpers::{spawn, spawn_with};

#[rocket::async_test]
async fn a_decision_changed_after_release_replaces_the_letter_still_waiting() {
    let app = spawn().await;
    let c = app.with_cycle().await;
    let manager = app.with_manager(&c, "Mo Manager", "mo@alliance.org").await;
    let a = app
        .submitted_application(&c)
        .by("Ana Applicant", "ana@student.edu")
        .from("Lakeside University")
        .await;
    mark_eligible(&manager, a).await;
    decide(&manager, a, "waitlisted", "").await;
    release_all(&manager, c.id).await;
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM outbox WHERE kind = 'decision_letter' AND status = 'pending'"
        )
        .await,
        1
    );
    // Without the confirmation: refused with the reason, nothing changed.
    let page = decide(&manager, a, "accepted", "1").await;
    assert_eq!(page.status, Status::UnprocessableEntity);
    page.assert_contains("Changing it sends them a replacement letter")
        .assert_contains("id=\"decision-confirm-error\"")
        .assert_contains("A strong community focus.");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM decisions WHERE outcome = 'waitlisted'")
            .await,
        1
    );
    let page = manager
        .post(
            &format!("/manage/applications/{a}/decide"),
            &[
                ("version", "1"),
                ("outcome", "accepted"),
                ("note", ""),
                ("confirm", "true"),
            ],
        )
        .await;
    assert_eq!(page.status, Status::SeeOther);
    // The waiting letter was rewritten: one message, the new decision.
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE kind = 'decision_letter'")
            .await,
        1
    );
    app.worker().deliver_due().await.unwrap();
    let files: Vec<String> = std::fs::read_dir(app.dir.path().join("mail"))
        .unwrap()
        .flatten()
        .map(|e| std::fs::read_to_string(e.path()).unwrap())
        .filter(|t| t.contains("ana@student.edu"))
        .collect();
    assert_eq!(files.len(), 1);
    assert!(files[0].contains("an offer"), "{}", files[0]);
    assert!(!files[0].contains("waitlist"));
    // Once delivered, a further change queues a letter of its own.
    manager
        .post(
            &format!("/manage/applications/{a}/decide"),
            &[
                ("version", "2"),
                ("outcome", "declined"),
                ("note", ""),
                ("confirm", "true"),
            ],
        )
        .await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE kind = 'decision_letter'")
            .await,
        2
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM outbox WHERE kind = 'decision_letter' AND status = 'pending'"
        )
        .await,
        1
    );
}

/// A relay that takes the connection and then never answers: the worker
/// gives up on it after the send timeout, and a decision changed while
/// the letter was stuck "being sent" supersedes it, so only the new letter
/// is ever tried again.
#[rocket::async_test]
async fn a_letter_stuck_on_a_hung_relay_is_superseded_by_the_changed_decision() {
    let hung = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = hung.local_addr().unwrap().port();
    let accepted = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let seen = accepted.clone();
    // Accepts and holds every connection, saying nothing.
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for s in hung.incoming().flatten() {
            held.push(s);
            seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
    });
    let app = spawn_with(|f| {
        f.merge(("portal.smtp_url", format!("smtp://127.0.0.1:{port}")))
            .merge(("portal.mail_timeout_seconds", 3))
            // Only the check at start connects to the relay besides the worker.
            .merge(("portal.health_seconds", 3600))
    })
    .await;
    let c = app.with_cycle().await;
    let manager = app.with_manager(&c, "Mo Manager", "mo@alliance.org").await;
    let a = app
        .submitted_application(&c)
        .by("Ana Applicant", "ana@student.edu")
        .from("Lakeside University")
        .await;
    mark_eligible(&manager, a).await;
    decide(&manager, a, "waitlisted", "").await;
    release_all(&manager, c.id).await;
    // Only the letter is due (the staff's confirmation mails are sent).
    app.sql("UPDATE outbox SET status = 'sent' WHERE kind <> 'decision_letter'")
        .await;

    let worker = app.worker();
    // The health check has connected to the relay already (at start):
    // only a connection after these is the worker's.
    let before = accepted.load(std::sync::atomic::Ordering::SeqCst);
    let started = Instant::now();
    let round = tokio::spawn(async move { worker.deliver_due().await });
    // The letter is stuck once the relay holds the worker's connection
    // (before that, the worker has claimed it but not begun to send it).
    while accepted.load(std::sync::atomic::Ordering::SeqCst) == before {
        assert!(started.elapsed() < Duration::from_secs(10), "never sent");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let stuck = format!(
        "SELECT COUNT(*) FROM outbox WHERE message_key = 'decision:{a}' AND status = 'sending'"
    );
    assert_eq!(app.count(&stuck).await, 1);
    let page = manager
        .post(
            &format!("/manage/applications/{a}/decide"),
            &[
                ("version", "1"),
                ("outcome", "accepted"),
                ("note", ""),
                ("confirm", "true"),
            ],
        )
        .await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    assert_eq!(round.await.unwrap().unwrap(), 1);
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "the worker gave up on the hung relay: {:?}",
        started.elapsed()
    );
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM outbox WHERE message_key = 'decision:{a}' AND status = 'superseded' \
             AND attempts = 1 AND last_error IS NOT NULL"
        ))
        .await,
        1
    );
    // The managers see that it waits.
    for page in ["decisions", "release"] {
        manager
            .get(&format!("/manage/cycles/{}/{page}", c.id))
            .await
            .assert_contains("1 decision letter is still waiting to be sent, the oldest since");
    }
    // The next rounds, past any retry's wait, try the new letter alone,
    // never the old one.
    app.advance(chrono::Duration::hours(1));
    assert_eq!(app.worker().deliver_due().await.unwrap(), 1);
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM outbox WHERE message_key = 'decision:{a}:v2' AND attempts = 1"
        ))
        .await,
        1
    );
    assert_eq!(
        app.count(&format!(
            "SELECT attempts FROM outbox WHERE message_key = 'decision:{a}'"
        ))
        .await,
        1
    );
}

#[rocket::async_test]
async fn a_refused_decision_note_comes_back_byte_for_byte() {
    let app = spawn().await;
    let c = app.with_cycle().await;
    let manager = app.with_manager(&c, "Mo Manager", "mo@alliance.org").await;
    let a = app
        .submitted_application(&c)
        .by("Ana Applicant", "ana@student.edu")
        .from("Lakeside University")
        .await;
    mark_eligible(&manager, a).await;
    // No outcome chosen: refused, and the note over several lines with
    // leading spaces comes back in its textarea without a space added.
    let note = "For the letter:\n    an indented line,\n\n  and a last one.";
    let page = manager
        .post(
            &format!("/manage/applications/{a}/decide"),
            &[("version", ""), ("outcome", ""), ("note", note)],
        )
        .await;
    assert_eq!(page.status, Status::UnprocessableEntity);
    page.assert_contains("Choose the decision.")
        .assert_contains(&format!(">{note}</textarea>"));
    assert_eq!(app.count("SELECT COUNT(*) FROM decisions").await, 0);
}
