//! Decisions and letters: held until released, released with one letter
//! each, changed safely, offers answered, lapsed and passed to the
//! waitlist; letter templates checked on save; the outbox page, the send
//! rate and delivery through a real SMTP server that goes away.

use std::time::{Duration, Instant};

use fellowship_portal::domain::role::ProgramRole;
use rocket::http::Status;

use crate::fixtures::{health_justice, mark_eligible, staff, submitted, Cycle};
use crate::helpers::{spawn, spawn_with, Browser, TestApp};
use fellowship_portal::mail::worker::Worker;

/// An application in review owned by the main browser's (logged-in) user.
async fn own_application_in_review(
    app: &TestApp,
    c: &Cycle,
    manager: &Browser,
    name: &str,
    email: &str,
) -> i64 {
    let me = app.logged_in_user(name, email).await;
    let a = submitted(
        app,
        c.id,
        name,
        &format!("stored-{email}"),
        "Lakeside University",
    )
    .await;
    app.sql(&format!(
        "UPDATE applications SET applicant_id = {me} WHERE id = {a}"
    ))
    .await;
    mark_eligible(manager, a).await;
    a
}

async fn decide(manager: &Browser, a: i64, outcome: &str, version: &str) -> crate::helpers::Page {
    manager
        .post(
            &format!("/manage/applications/{a}/decide"),
            &[
                ("version", version),
                ("outcome", outcome),
                ("note", "A strong community focus."),
            ],
        )
        .await
}

/// Releases every held decision of the cycle, confirming the counts shown.
async fn release_all(manager: &Browser, cycle: i64) -> crate::helpers::Page {
    let page = manager
        .get(&format!("/manage/cycles/{cycle}/release"))
        .await;
    let mut fields: Vec<(String, String)> = Vec::new();
    for o in ["accepted", "waitlisted", "declined"] {
        let marker = format!("name=\"seen[{o}]\" value=\"");
        let at = page.body.find(&marker).map(|i| i + marker.len());
        let seen = at.map_or("0".to_owned(), |i| {
            page.body[i..].split('"').next().unwrap().to_owned()
        });
        fields.push(("outcome".into(), o.into()));
        fields.push((format!("seen[{o}]"), seen));
    }
    fields.push(("confirm".into(), "true".into()));
    let borrowed: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    manager
        .post(&format!("/manage/cycles/{cycle}/release"), &borrowed)
        .await
}

#[rocket::async_test]
async fn decisions_stay_hidden_until_released_then_the_applicant_answers_the_offer() {
    let app = spawn().await;
    let c = health_justice(&app).await;
    let (_, manager) = staff(
        &app,
        "Mo Manager",
        "mo@alliance.org",
        c.program,
        ProgramRole::Manager,
    )
    .await;
    let a = own_application_in_review(&app, &c, &manager, "Ana Applicant", "ana@student.edu").await;

    let page = decide(&manager, a, "accepted", "").await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM applications WHERE id = {a} AND stage = 'decided'"
        ))
        .await,
        1
    );
    // Held: nothing reaches the applicant, on any page of theirs.
    for path in [
        format!("/apply/applications/{a}"),
        format!("/apply/applications/{a}/summary"),
        "/apply".into(),
    ] {
        let page = app.get(&path).await;
        page.assert_lacks("Accepted")
            .assert_lacks("offer")
            .assert_lacks("A strong community focus");
    }
    app.get(&format!("/apply/applications/{a}"))
        .await
        .assert_contains("Under review");
    let answer = app
        .post(
            &format!("/apply/applications/{a}/offer"),
            &[("answer", "accept"), ("confirm", "true")],
        )
        .await;
    assert_eq!(answer.status, Status::SeeOther);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM decisions WHERE offer_answer IS NOT NULL")
            .await,
        0
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE kind = 'decision_letter'")
            .await,
        0
    );

    // Release: the counts must be confirmed, and still be the counts.
    let release = format!("/manage/cycles/{}/release", c.id);
    manager.get(&release).await.assert_contains("Accepted: 1");
    let page = manager
        .post(
            &release,
            &[("outcome", "accepted"), ("seen[accepted]", "1")],
        )
        .await;
    assert_eq!(page.status, Status::UnprocessableEntity);
    page.assert_contains("Tick the box to confirm the counts");
    let page = manager
        .post(
            &release,
            &[
                ("outcome", "accepted"),
                ("seen[accepted]", "2"),
                ("confirm", "true"),
            ],
        )
        .await;
    assert_eq!(page.status, Status::UnprocessableEntity);
    page.assert_contains("The decisions changed since you looked, so nothing was released.");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM decisions WHERE released_at IS NOT NULL")
            .await,
        0
    );
    let page = release_all(&manager, c.id).await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    let letter = app.last_mail("ana@student.edu", "decision_letter").await;
    assert!(
        letter.text_body.contains("Dear Ana Applicant"),
        "{}",
        letter.text_body
    );
    assert!(letter.text_body.contains("offer you a place"));
    assert!(letter.text_body.contains("A strong community focus."));
    assert!(letter
        .text_body
        .contains(&format!("/apply/applications/{a}")));
    // Releasing again sends nothing more.
    release_all(&manager, c.id).await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE kind = 'decision_letter'")
            .await,
        1
    );

    // The applicant sees the decision and answers once.
    app.get(&format!("/apply/applications/{a}"))
        .await
        .assert_contains("Decision: Accepted")
        .assert_contains("I accept my place");
    let page = app
        .post(
            &format!("/apply/applications/{a}/offer"),
            &[("answer", "accept")],
        )
        .await;
    assert_eq!(page.status, Status::UnprocessableEntity);
    page.assert_contains("Tick the box to confirm your answer")
        .assert_contains("id=\"offer-confirm-error\"")
        .assert_contains("value=\"accept\" checked");
    let page = app
        .post(
            &format!("/apply/applications/{a}/offer"),
            &[("confirm", "true")],
        )
        .await;
    assert_eq!(page.status, Status::UnprocessableEntity);
    page.assert_contains("Choose whether you accept or decline the offer.");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM decisions WHERE offer_answer IS NOT NULL")
            .await,
        0
    );
    let page = app
        .post(
            &format!("/apply/applications/{a}/offer"),
            &[("answer", "accept"), ("confirm", "true")],
        )
        .await;
    assert_eq!(page.status, Status::SeeOther);
    app.get(&format!("/apply/applications/{a}"))
        .await
        .assert_contains("Offer accepted");
    app.last_mail("ana@student.edu", "offer_answered").await;
    let page = app
        .post(
            &format!("/apply/applications/{a}/offer"),
            &[("answer", "decline"), ("confirm", "true")],
        )
        .await;
    assert_eq!(page.status, Status::SeeOther);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM decisions WHERE offer_answer = 'accepted'")
            .await,
        1
    );
    // Once answered, the decision is settled.
    let page = decide(&manager, a, "declined", "1").await;
    assert_eq!(page.status, Status::UnprocessableEntity);
    page.assert_contains("The applicant has already answered the offer");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM decisions WHERE outcome = 'accepted'")
            .await,
        1
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action IN ('decision.record', 'decision.release', 'offer.answer')").await, 3);
}

#[rocket::async_test]
async fn two_managers_deciding_at_once_never_overwrite_each_other() {
    let app = spawn().await;
    let c = health_justice(&app).await;
    let (_, first) = staff(
        &app,
        "Mo Manager",
        "mo@alliance.org",
        c.program,
        ProgramRole::Manager,
    )
    .await;
    let (_, second) = staff(
        &app,
        "Meg Manager",
        "meg@alliance.org",
        c.program,
        ProgramRole::Manager,
    )
    .await;
    let a = submitted(
        &app,
        c.id,
        "Ana Applicant",
        "ana@student.edu",
        "Lakeside University",
    )
    .await;
    mark_eligible(&first, a).await;
    // Both opened the page when there was no decision.
    let (p1, p2) = tokio::join!(
        decide(&first, a, "accepted", ""),
        decide(&second, a, "declined", "")
    );
    // One is recorded; the other sees why not, next to the decision, with
    // their choice still ticked.
    assert_eq!(app.count("SELECT COUNT(*) FROM decisions").await, 1);
    assert_eq!(app.count("SELECT version FROM decisions").await, 1);
    let kept = app
        .count("SELECT COUNT(*) FROM decisions WHERE outcome = 'accepted'")
        .await;
    let (won, lost, lost_choice) = if kept == 1 {
        (p1, p2, "declined")
    } else {
        (p2, p1, "accepted")
    };
    assert_eq!(won.status, Status::SeeOther);
    assert_eq!(lost.status, Status::UnprocessableEntity);
    lost.assert_contains("Nothing was overwritten")
        .assert_contains("id=\"decision-outcome-error\"")
        .assert_contains(&format!("value=\"{lost_choice}\" checked"));
    // A stale version is refused the same way.
    let page = decide(&first, a, "waitlisted", "7").await;
    assert_eq!(page.status, Status::UnprocessableEntity);
    page.assert_contains("Someone else changed this decision");
    assert_eq!(app.count("SELECT version FROM decisions").await, 1);
    // With the version seen, a change before release is simply recorded.
    let page = decide(&first, a, "waitlisted", "1").await;
    assert_eq!(page.status, Status::SeeOther);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM decisions WHERE outcome = 'waitlisted' AND version = 2")
            .await,
        1
    );
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM decision_events WHERE application_id = {a}"
        ))
        .await,
        2
    );
}

#[rocket::async_test]
async fn a_decision_changed_after_release_replaces_the_letter_still_waiting() {
    let app = spawn().await;
    let c = health_justice(&app).await;
    let (_, manager) = staff(
        &app,
        "Mo Manager",
        "mo@alliance.org",
        c.program,
        ProgramRole::Manager,
    )
    .await;
    let a = submitted(
        &app,
        c.id,
        "Ana Applicant",
        "ana@student.edu",
        "Lakeside University",
    )
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
    // Accepts and holds every connection, saying nothing.
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for s in hung.incoming().flatten() {
            held.push(s);
        }
    });
    let app = spawn_with(|f| {
        f.merge(("portal.smtp_url", format!("smtp://127.0.0.1:{port}")))
            .merge(("portal.mail_timeout_seconds", 1))
    })
    .await;
    let c = health_justice(&app).await;
    let (_, manager) = staff(
        &app,
        "Mo Manager",
        "mo@alliance.org",
        c.program,
        ProgramRole::Manager,
    )
    .await;
    let a = submitted(
        &app,
        c.id,
        "Ana Applicant",
        "ana@student.edu",
        "Lakeside University",
    )
    .await;
    mark_eligible(&manager, a).await;
    decide(&manager, a, "waitlisted", "").await;
    release_all(&manager, c.id).await;
    // Only the letter is due (the staff's confirmation mails are sent).
    app.sql("UPDATE outbox SET status = 'sent' WHERE kind <> 'decision_letter'")
        .await;

    let worker = app.worker();
    let started = Instant::now();
    let round = tokio::spawn(async move { worker.deliver_due().await });
    let stuck = format!(
        "SELECT COUNT(*) FROM outbox WHERE message_key = 'decision:{a}' AND status = 'sending'"
    );
    while app.count(&stuck).await == 0 {
        assert!(started.elapsed() < Duration::from_secs(10), "never claimed");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
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
    // The next rounds try the new letter alone, never the old one.
    app.sql(
        "UPDATE outbox SET next_attempt_at = '2000-01-01T00:00:00+00:00' WHERE status = 'pending'",
    )
    .await;
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
async fn letter_templates_are_checked_on_save_and_used_on_release() {
    let app = spawn().await;
    let c = health_justice(&app).await;
    let (_, manager) = staff(
        &app,
        "Mo Manager",
        "mo@alliance.org",
        c.program,
        ProgramRole::Manager,
    )
    .await;
    let letter = format!("/manage/cycles/{}/letters/declined", c.id);
    manager
        .get(&letter)
        .await
        .assert_contains("not able to offer you a place");
    let page = manager
        .post(
            &letter,
            &[
                ("subject", "About {{program}}"),
                ("body", "Dear {{applicant_name}"),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(page.status, Status::UnprocessableEntity);
    page.assert_contains("A {{ on line 1 is never closed with }}.");
    let page = manager
        .post(
            &letter,
            &[
                ("subject", "About {{program}}"),
                ("body", "Dear {{first_name}},"),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(page.status, Status::UnprocessableEntity);
    page.assert_contains("There is no field called {{first_name}} (line 1). The fields you can use are applicant_name, program, cycle, offer_deadline, note, status_link.");
    // Templates that include themselves once crashed the whole server
    // when checked or sent: each is refused on save, in words, next to
    // the letter, and the server goes on answering.
    for (body, message) in [
        (
            "Dear {{applicant_name}},\n{{> letter}}",
            "Letters cannot include other templates ({{&gt; letter}}, line 2).",
        ),
        (
            "Dear {{applicant_name}},\n{{#if note}}{{note}}{{else}}{{> letter}}{{/if}}",
            "Letters cannot include other templates ({{&gt; letter}}, line 2).",
        ),
        (
            "{{#*inline \"me\"}}{{> me}}{{/inline}}{{> me}}",
            "Letters cannot define templates of their own ({{#*inline}}, line 1).",
        ),
        (
            "Dear {{applicant_name}},\n\n{{#if note}}\n{{note}}\n",
            "A {{#if}} opened on line 3 is never closed with {{/if}}.",
        ),
    ] {
        for action in ["preview", "save"] {
            let page = manager
                .post(
                    &letter,
                    &[
                        ("subject", "About {{program}}"),
                        ("body", body),
                        ("action", action),
                    ],
                )
                .await;
            assert_eq!(page.status, Status::UnprocessableEntity, "{body}");
            page.assert_contains(&format!(
                "id=\"body-error\"><span class=\"visually-hidden\">Error:</span> {message}</p>"
            ));
        }
    }
    manager
        .get(&letter)
        .await
        .assert_contains("not able to offer you a place");
    assert_eq!(app.count("SELECT COUNT(*) FROM letter_templates").await, 0);
    // Preview shows a sample letter without saving it.
    let body = "Dear {{applicant_name}},\n\nNot this year for the {{program}}.";
    let page = manager
        .post(
            &letter,
            &[
                ("subject", "About {{program}}"),
                ("body", body),
                ("action", "preview"),
            ],
        )
        .await;
    assert_eq!(page.status, Status::Ok);
    page.assert_contains("Dear Jordan Rivera");
    assert_eq!(app.count("SELECT COUNT(*) FROM letter_templates").await, 0);
    let page = manager
        .post(
            &letter,
            &[
                ("subject", "About {{program}}"),
                ("body", body),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(page.status, Status::SeeOther);
    let a = submitted(
        &app,
        c.id,
        "Ben Applicant",
        "ben@student.edu",
        "Hill College",
    )
    .await;
    mark_eligible(&manager, a).await;
    decide(&manager, a, "declined", "").await;
    release_all(&manager, c.id).await;
    let sent = app.last_mail("ben@student.edu", "decision_letter").await;
    assert_eq!(sent.subject, "About Health Justice Fellowship");
    assert!(sent
        .text_body
        .contains("Dear Ben Applicant,\n\nNot this year for the Health Justice Fellowship."));
    assert!(sent.html_body.contains("<p>Dear Ben Applicant,</p>"));
}

#[rocket::async_test]
async fn a_stored_template_that_includes_itself_stops_the_release_and_sends_nothing() {
    let app = spawn().await;
    let c = health_justice(&app).await;
    let (me, manager) = staff(
        &app,
        "Mo Manager",
        "mo@alliance.org",
        c.program,
        ProgramRole::Manager,
    )
    .await;
    // Stored before templates were checked on their parsed tree: the
    // sample letter has a note, so the old check never saw the else.
    {
        let mut conn = app.pool().conn().await.unwrap();
        fellowship_portal::db::decisions::put_template(
            conn.exec(),
            c.id,
            "declined",
            "About {{program}}",
            "Dear {{applicant_name}},\n{{#if note}}{{note}}{{else}}{{> letter}}{{/if}}",
            me,
            chrono::Utc::now(),
        )
        .await
        .unwrap();
    }
    let a = submitted(
        &app,
        c.id,
        "Ben Applicant",
        "ben@student.edu",
        "Hill College",
    )
    .await;
    mark_eligible(&manager, a).await;
    decide(&manager, a, "declined", "").await;
    let message = "The “Not selected” letter of this cycle cannot be sent: Letters cannot include other templates ({{&gt; letter}}, line 2). Correct it on the decision letters page; nothing was sent.";
    let page = release_all(&manager, c.id).await;
    assert_eq!(page.status, Status::UnprocessableEntity, "{}", page.body);
    page.assert_contains(&format!(
        "id=\"outcomes-error\"><span class=\"visually-hidden\">Error:</span> {message}</p>"
    ));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE kind = 'decision_letter'")
            .await,
        0
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM decisions WHERE released_at IS NOT NULL")
            .await,
        0
    );
    // The server still answers, and the letter's page says what is wrong.
    let letter = format!("/manage/cycles/{}/letters/declined", c.id);
    let page = manager.get(&letter).await;
    assert_eq!(page.status, Status::Ok);
    page.assert_contains(
        "id=\"body-error\"><span class=\"visually-hidden\">Error:</span> Letters cannot include other templates ({{&gt; letter}}, line 2).</p>",
    );
    // Corrected, the release goes through with the corrected letter.
    let page = manager
        .post(
            &letter,
            &[
                ("subject", "About {{program}}"),
                (
                    "body",
                    "Dear {{applicant_name}},\n{{#if note}}{{note}}{{else}}Thank you.{{/if}}",
                ),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    let page = release_all(&manager, c.id).await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    let sent = app.last_mail("ben@student.edu", "decision_letter").await;
    assert_eq!(sent.subject, "About Health Justice Fellowship");
    assert!(sent.text_body.contains("A strong community focus."));
    // A change after release sends a replacement at once: with a broken
    // letter it is refused whole, and the released decision stands.
    {
        let mut conn = app.pool().conn().await.unwrap();
        fellowship_portal::db::decisions::put_template(
            conn.exec(),
            c.id,
            "accepted",
            "{{#*inline \"s\"}}{{> s}}{{/inline}}{{> s}}",
            "Dear {{applicant_name}},",
            me,
            chrono::Utc::now(),
        )
        .await
        .unwrap();
    }
    let version = app
        .count(&format!(
            "SELECT version FROM decisions WHERE application_id = {a}"
        ))
        .await
        .to_string();
    let page = manager
        .post(
            &format!("/manage/applications/{a}/decide"),
            &[
                ("version", &version),
                ("outcome", "accepted"),
                ("note", ""),
                ("confirm", "true"),
            ],
        )
        .await;
    assert_eq!(page.status, Status::UnprocessableEntity, "{}", page.body);
    page.assert_contains("The “Accepted” letter of this cycle cannot be sent: Letters cannot define templates of their own ({{#*inline}}, in the subject).");
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM decisions WHERE application_id = {a} AND outcome = 'declined'"
        ))
        .await,
        1
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE kind = 'decision_letter'")
            .await,
        1
    );
}

#[rocket::async_test]
async fn a_declined_or_lapsed_offer_goes_to_the_best_waitlisted_applicant() {
    let app = spawn().await;
    let c = health_justice(&app).await;
    let (_, manager) = staff(
        &app,
        "Mo Manager",
        "mo@alliance.org",
        c.program,
        ProgramRole::Manager,
    )
    .await;
    let a = own_application_in_review(&app, &c, &manager, "Ana Applicant", "ana@student.edu").await;
    let w1 = submitted(
        &app,
        c.id,
        "Wes Waitlist",
        "wes@student.edu",
        "Hill College",
    )
    .await;
    let w2 = submitted(
        &app,
        c.id,
        "Wren Waitlist",
        "wren@student.edu",
        "Hill College",
    )
    .await;
    for id in [w1, w2] {
        mark_eligible(&manager, id).await;
    }
    // Bulk from the ranking: two waitlisted; Ana accepted on her own.
    let ranking = format!("/manage/cycles/{}/ranking", c.id);
    let (s1, s2) = (w1.to_string(), w2.to_string());
    let page = manager
        .post(
            &format!("/manage/cycles/{}/applications/bulk", c.id),
            &[
                ("back", &ranking),
                ("action", "decide_waitlisted"),
                ("ids", &s1),
                ("ids", &s2),
            ],
        )
        .await;
    assert_eq!(page.location.as_deref(), Some(ranking.as_str()));
    decide(&manager, a, "accepted", "").await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM decisions WHERE outcome = 'waitlisted'")
            .await,
        2
    );
    // Wren has the better reviews.
    insert_review(&app, c.id, w2, 90.0).await;
    insert_review(&app, c.id, w1, 40.0).await;
    release_all(&manager, c.id).await;
    // Ana lets the date pass.
    app.sql("UPDATE decisions SET offer_deadline = '2000-01-01T00:00:00+00:00' WHERE outcome = 'accepted'").await;
    assert_eq!(
        fellowship_portal::jobs::offers::lapse(&app.ctx())
            .await
            .unwrap(),
        1
    );
    let page = app
        .post(
            &format!("/apply/applications/{a}/offer"),
            &[("answer", "accept"), ("confirm", "true")],
        )
        .await;
    assert_eq!(page.status, Status::SeeOther);
    app.get(&format!("/apply/applications/{a}"))
        .await
        .assert_contains("Offer lapsed");
    let list = manager
        .get(&format!("/manage/cycles/{}/decisions", c.id))
        .await;
    list.assert_contains("Lapsed")
        .assert_contains("Offer Wren Waitlist a place");
    let page = manager
        .post(
            &format!("/manage/cycles/{}/promote", c.id),
            &[("application", &s2)],
        )
        .await;
    assert_eq!(page.status, Status::SeeOther);
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM decisions WHERE application_id = {w2} AND outcome = 'accepted' AND offer_deadline IS NOT NULL")).await, 1);
    let offer = app.last_mail("wren@student.edu", "decision_letter").await;
    assert!(
        offer.text_body.contains("offer you a place"),
        "{}",
        offer.text_body
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'decision.promote'")
            .await,
        1
    );
    // Promoting someone who is not waitlisted is refused.
    let page = manager
        .post(
            &format!("/manage/cycles/{}/promote", c.id),
            &[("application", &a.to_string())],
        )
        .await;
    assert_eq!(page.status, Status::SeeOther);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'decision.promote'")
            .await,
        1
    );
}

/// A submitted review with the given total, stored directly.
async fn insert_review(app: &TestApp, cycle: i64, application: i64, total: f64) {
    let reviewer = app.count("SELECT MIN(id) FROM users").await;
    let now = "2026-01-01T00:00:00+00:00";
    app.sql(&format!(
        "INSERT INTO assignments (application_id, reviewer_id, cycle_id, assigned_at, due_at) VALUES ({application}, {reviewer}, {cycle}, '{now}', '{now}')"
    ))
    .await;
    let assignment = app
        .count(&format!(
            "SELECT id FROM assignments WHERE application_id = {application}"
        ))
        .await;
    app.sql(&format!(
        "INSERT INTO reviews (assignment_id, application_id, reviewer_id, cycle_id, state, scores_json, comments_json, score_mean, score_total, created_at, updated_at, submitted_at) \
         VALUES ({assignment}, {application}, {reviewer}, {cycle}, 'submitted', '{{}}', '{{}}', {total}, {total}, '{now}', '{now}', '{now}')"
    ))
    .await;
}

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
        app.sql("UPDATE outbox SET next_attempt_at = '2000-01-01T00:00:00+00:00' WHERE status = 'pending'").await;
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
    let c = health_justice(&app).await;
    let (_, manager) = staff(
        &app,
        "Mo Manager",
        "mo@alliance.org",
        c.program,
        ProgramRole::Manager,
    )
    .await;
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
    let c = health_justice(&app).await;
    let (_, manager) = staff(
        &app,
        "Mo Manager",
        "mo@alliance.org",
        c.program,
        ProgramRole::Manager,
    )
    .await;
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

#[rocket::async_test]
async fn a_selection_of_decisions_can_be_released_alone() {
    let app = spawn().await;
    let c = health_justice(&app).await;
    let (_, manager) = staff(
        &app,
        "Mo Manager",
        "mo@alliance.org",
        c.program,
        ProgramRole::Manager,
    )
    .await;
    let a = submitted(
        &app,
        c.id,
        "Ana Applicant",
        "ana@student.edu",
        "Lakeside University",
    )
    .await;
    let b = submitted(
        &app,
        c.id,
        "Ben Applicant",
        "ben@student.edu",
        "Hill College",
    )
    .await;
    for id in [a, b] {
        mark_eligible(&manager, id).await;
        decide(&manager, id, "declined", "").await;
    }
    let page = manager
        .get(&format!("/manage/cycles/{}/release?ids={a}", c.id))
        .await;
    page.assert_contains("Not selected: 1")
        .assert_contains("among the applications you selected");
    let a_s = a.to_string();
    let page = manager
        .post(
            &format!("/manage/cycles/{}/release", c.id),
            &[
                ("ids", &a_s),
                ("outcome", "declined"),
                ("seen[declined]", "1"),
                ("confirm", "true"),
            ],
        )
        .await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE kind = 'decision_letter'")
            .await,
        1
    );
    app.last_mail("ana@student.edu", "decision_letter").await;
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM decisions WHERE application_id = {b} AND released_at IS NULL"
        ))
        .await,
        1
    );
}

/// The CSV's rows, each split into fields (RFC 4180: quotes, doubled
/// quotes and line breaks inside quotes).
fn csv_rows(text: &str) -> Vec<Vec<String>> {
    let (mut rows, mut row, mut field) = (Vec::new(), Vec::new(), String::new());
    let (mut quoted, mut chars) = (false, text.chars().peekable());
    while let Some(ch) = chars.next() {
        match (quoted, ch) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, ch) => field.push(ch),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, ch) => field.push(ch),
        }
    }
    rows
}

#[rocket::async_test]
async fn a_cycle_exports_as_csv_for_its_managers_only() {
    let app = spawn().await;
    let c = health_justice(&app).await;
    let (_, manager) = staff(
        &app,
        "Mo Manager",
        "mo@alliance.org",
        c.program,
        ProgramRole::Manager,
    )
    .await;
    let a = submitted(
        &app,
        c.id,
        "Ana, \"Annie\" Rivera",
        "ana@student.edu",
        "Lakeside University",
    )
    .await;
    mark_eligible(&manager, a).await;
    let page = decide(&manager, a, "accepted", "").await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    let b = submitted(
        &app,
        c.id,
        "Ben Okafor",
        "ben@student.edu",
        "Hillcrest College",
    )
    .await;
    // An answer a spreadsheet would run as a formula, and one on two lines.
    app.sql(&format!(
        "UPDATE applications SET answers_json = '{{\"legal_name\":\"Ben Okafor\",\"degree\":\"=HYPERLINK(\\\"http://evil.example\\\")\",\"discipline\":\"pharmacy\",\"discipline_other\":\"OLD-HIDDEN-NOTE\",\"health_equity_essay\":\"Line one.\\nLine two.\"}}' WHERE id = {b}"
    ))
    .await;
    // A draft stays out.
    let draft = submitted(
        &app,
        c.id,
        "Dee Draft",
        "dee@student.edu",
        "Lakeside University",
    )
    .await;
    app.sql(&format!(
        "UPDATE applications SET stage = 'draft', submitted_at = NULL WHERE id = {draft}"
    ))
    .await;

    let url = format!("/manage/cycles/{}/export.csv", c.id);
    let r = manager.client.get(url.clone()).dispatch().await;
    assert_eq!(r.status(), Status::Ok);
    assert_eq!(
        r.content_type().map(|t| t.to_string()).as_deref(),
        Some("text/csv; charset=utf-8")
    );
    let disposition = r
        .headers()
        .get_one("Content-Disposition")
        .unwrap()
        .to_owned();
    assert!(
        disposition.starts_with("attachment;") && disposition.contains(".csv"),
        "{disposition}"
    );
    let text = r.into_string().await.unwrap();
    let text = text.strip_prefix('\u{feff}').expect("a byte-order mark");
    let rows = csv_rows(text);
    assert_eq!(rows.len(), 3, "a header and two applications: {text}");
    let header = &rows[0];
    let column = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("{name} in {header:?}"))
    };
    assert!(rows.iter().all(|r| r.len() == header.len()));
    let ana = rows.iter().find(|r| r[0] == a.to_string()).unwrap();
    assert_eq!(ana[column("Applicant")], "Ana, \"Annie\" Rivera");
    assert_eq!(ana[column("Stage")], "Decided");
    assert_eq!(ana[column("Decision")], "Accepted");
    assert_eq!(ana[column("Decision released")], "");
    assert_eq!(ana[column("Institution")], "Lakeside University");
    let ben = rows.iter().find(|r| r[0] == b.to_string()).unwrap();
    assert_eq!(ben[column("Stage")], "Submitted");
    assert_eq!(
        ben[column("Degree program")].chars().next(),
        Some('\''),
        "{ben:?}"
    );
    assert!(ben.iter().any(|f| f == "Line one.\nLine two."), "{ben:?}");
    assert!(!text.contains("Dee Draft"));
    // An answer the applicant's own choices hid is not exported.
    assert!(!text.contains("OLD-HIDDEN-NOTE"), "{text}");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'cycle.export'")
            .await,
        1
    );
    // A reviewer, another program's manager and the applicant get nothing.
    let (_, reviewer) = staff(
        &app,
        "Rae Reviewer",
        "rae@faculty.org",
        c.program,
        ProgramRole::Reviewer,
    )
    .await;
    let other = app
        .count("SELECT id FROM programs WHERE slug = 'voices-for-change'")
        .await;
    let (_, stranger) = staff(
        &app,
        "Sam Other",
        "sam@alliance.org",
        other,
        ProgramRole::Manager,
    )
    .await;
    for (who, status) in [
        (&reviewer, Status::Forbidden),
        (&stranger, Status::NotFound),
    ] {
        let r = who.client.get(url.clone()).dispatch().await;
        assert_eq!(r.status(), status);
    }
    let anonymous = app.another_browser().await;
    let r = anonymous.client.get(url.clone()).dispatch().await;
    assert_ne!(r.status(), Status::Ok);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'cycle.export'")
            .await,
        1
    );

    // In small batches the rows are the same, each once.
    let found = {
        let mut conn = app.pool().conn().await.unwrap();
        fellowship_portal::db::cycles::find(conn.exec(), c.id)
            .await
            .unwrap()
            .unwrap()
    };
    let mut small = Vec::new();
    let n = fellowship_portal::export::write_in_batches(app.pool(), &found, None, &mut small, 1)
        .await
        .unwrap();
    assert_eq!(n, 2);
    assert_eq!(
        String::from_utf8(small)
            .unwrap()
            .strip_prefix('\u{feff}')
            .unwrap(),
        text
    );
}

#[rocket::async_test]
async fn demographics_are_reported_in_aggregate_with_small_counts_hidden() {
    let app = spawn().await;
    let c = health_justice(&app).await;
    let (_, manager) = staff(
        &app,
        "Mo Manager",
        "mo@alliance.org",
        c.program,
        ProgramRole::Manager,
    )
    .await;
    // 8 women, 6 men, 2 describing themselves, 1 who said nothing.
    let mut people: Vec<(String, &str)> = Vec::new();
    for (n, gender) in [(8, "woman"), (6, "man"), (2, "self_describe")] {
        for i in 0..n {
            people.push((format!("{gender}{i}"), gender));
        }
    }
    people.push(("silent".into(), ""));
    let mut first = None;
    for (who, gender) in &people {
        let a = submitted(
            &app,
            c.id,
            who,
            &format!("{who}@student.edu"),
            "Lakeside University",
        )
        .await;
        first.get_or_insert(a);
        if gender.is_empty() {
            continue;
        }
        let owner = app
            .count(&format!(
                "SELECT applicant_id FROM applications WHERE id = {a}"
            ))
            .await;
        let json = format!(
            r#"{{"gender_identity":"{gender}","gender_self_description":"Two-Spirit poet {who}","race_ethnicity":["asian"]}}"#
        );
        let mut conn = app.pool().conn().await.unwrap();
        fellowship_portal::db::profiles::put_demographics(
            conn.exec(),
            owner,
            &json,
            chrono::Utc::now(),
        )
        .await
        .unwrap();
    }
    // One reaches review and is offered a place.
    let a = first.unwrap();
    mark_eligible(&manager, a).await;
    assert_eq!(
        decide(&manager, a, "accepted", "").await.status,
        Status::SeeOther
    );

    let url = format!("/manage/cycles/{}/demographics", c.id);
    // A held decision is not counted: the page must not tell a manager who
    // toggles one what that applicant said.
    let held = manager.get(&url).await;
    assert_eq!(held.status, Status::Ok, "{}", held.body);
    let row_of = |page: &crate::helpers::Page, label: &str| -> Vec<String> {
        let at = page
            .body
            .find(&format!("<th scope=\"row\">{label}</th>"))
            .unwrap_or_else(|| panic!("a row {label}"));
        let end = at + page.body[at..].find("</tr>").unwrap();
        page.body[at..end]
            .split("<td>")
            .skip(1)
            .map(|c| c.trim_end_matches("</td>").to_owned())
            .collect()
    };
    assert_eq!(row_of(&held, "Reviewed, not offered"), vec!["fewer than 5"]);
    assert_eq!(row_of(&held, "Offered a place"), vec!["0"]);
    assert_eq!(release_all(&manager, c.id).await.status, Status::SeeOther);
    let page = manager.get(&url).await;
    assert_eq!(page.status, Status::Ok, "{}", page.body);
    let row = |label: &str| -> Vec<String> {
        let at = page
            .body
            .find(&format!("<th scope=\"row\">{label}</th>"))
            .unwrap_or_else(|| panic!("a row {label}"));
        let end = at + page.body[at..].find("</tr>").unwrap();
        page.body[at..end]
            .split("<td>")
            .skip(1)
            .map(|c| c.trim_end_matches("</td>").to_owned())
            .collect()
    };
    // The groups are apart: 16 not reviewed, none reviewed without an
    // offer, one offered a place (a group of one shows no counts at all).
    assert_eq!(row("Not reviewed"), vec!["16"]);
    assert_eq!(row("Reviewed, not offered"), vec!["0"]);
    assert_eq!(row("Offered a place"), vec!["fewer than 5"]);
    assert_eq!(row("Woman"), vec!["7", "0", "fewer than 5"]);
    assert_eq!(row("Man"), vec!["6", "0", "fewer than 5"]);
    assert_eq!(row("Non-binary"), vec!["0", "0", "fewer than 5"]);
    // Two describing themselves and one silent: both hidden (2 + 1 could
    // be split two ways), never the words.
    assert_eq!(
        row("I prefer to describe it myself"),
        vec!["fewer than 5", "0", "fewer than 5"]
    );
    page.assert_lacks("Two-Spirit");
    page.assert_lacks("woman0");
    // Race, the first table: 15 Asian and one with no answer among those
    // not reviewed; the 1 alone would be the total's remainder, so the 15
    // is not shown either.
    assert_eq!(row("Asian"), vec!["not shown", "0", "fewer than 5"]);
    // Reviewers and other programs' managers get nothing.
    let (_, reviewer) = staff(
        &app,
        "Rae Reviewer",
        "rae@faculty.org",
        c.program,
        ProgramRole::Reviewer,
    )
    .await;
    assert_eq!(reviewer.get(&url).await.status, Status::Forbidden);
}
