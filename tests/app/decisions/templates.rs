//! Letter templates: checked on save, used on release, and a broken stored
//! one stops the release.

use fellowship_portal::domain::cycle::CycleId;
use rocket::http::Status;

use super::{decide, release_all};
use crate::fixtures::{mark_eligible, Staff};
use crate::helpers::spawn;

#[rocket::async_test]
async fn letter_templates_are_checked_on_save_and_used_on_release() {
    let app = spawn().await;
    let c = app.with_cycle().await;
    let manager = app.with_manager(&c, "Mo Manager", "mo@alliance.org").await;
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
    page.assert_contains("There is no field called {{first_name}} (line 1). The fields you can use are applicant_name, program, cycle, outcome, offer_deadline, note, status_link.");
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
    let a = app
        .submitted_application(&c)
        .by("Ben Applicant", "ben@student.edu")
        .from("Hill College")
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
    let c = app.with_cycle().await;
    let Staff {
        id: me,
        browser: manager,
    } = app.with_manager(&c, "Mo Manager", "mo@alliance.org").await;
    // Stored before templates were checked on their parsed tree: the
    // sample letter has a note, so the old check never saw the else.
    {
        let mut conn = app.pool().conn().await.unwrap();
        fellowship_portal::db::decisions::put_template(
            conn.exec(),
            CycleId(c.id),
            "declined",
            "About {{program}}",
            "Dear {{applicant_name}},\n{{#if note}}{{note}}{{else}}{{> letter}}{{/if}}",
            me,
            app.clock.now(),
        )
        .await
        .unwrap();
    }
    let a = app
        .submitted_application(&c)
        .by("Ben Applicant", "ben@student.edu")
        .from("Hill College")
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
            CycleId(c.id),
            "accepted",
            "{{#*inline \"s\"}}{{> s}}{{/inline}}{{> s}}",
            "Dear {{applicant_name}},",
            me,
            app.clock.now(),
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
