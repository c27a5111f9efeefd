//! Messages to a cycle's applicants (previewed with the count, sent one
//! mail each, recorded) and the automatic reminders to applicants; each
//! bad input told next to its field with nothing sent.

use rocket::http::Status;

use crate::decisions::{decide, own_application_in_review, release_all};
use crate::fixtures::{manager_elsewhere, submitted};
use crate::helpers::{spawn, TestApp};
use fellowship_portal::domain::cycle::CycleId;
use fellowship_portal::domain::workflow::stage::Stage;

async fn queued(app: &TestApp, kind: &str) -> i64 {
    app.count(&format!(
        "SELECT COUNT(*) FROM outbox WHERE kind = '{kind}'"
    ))
    .await
}

#[rocket::async_test]
async fn managers_preview_and_send_a_message_to_the_drafts_one_mail_each() {
    let app = spawn().await;
    let c = app.with_cycle().await;
    let mo = app.with_manager(&c, "Mo Manager", "mo@alliance.org").await;
    let ana = app
        .submitted_application(&c)
        .by("Ana Rivera", "ana@student.edu")
        .in_stage(Stage::Draft)
        .await;
    let ben = app
        .submitted_application(&c)
        .by("Ben Okafor", "ben@student.edu")
        .in_stage(Stage::Draft)
        .await;
    submitted(&app, c.id, "Cy Done", "cy@student.edu", "Hillcrest College").await;
    let messages = format!("/manage/cycles/{}/messages", c.id);
    mo.get(&format!("/manage/cycles/{}", c.id))
        .await
        .assert_contains(&format!("href=\"{messages}\""));
    mo.get(&messages)
        .await
        .assert_contains("No message has been sent to this cycle’s applicants yet.")
        .assert_contains("<option value=\"drafts\">Applicants with a draft not submitted</option>")
        .assert_contains("<dt><code>deadline</code></dt>");

    // Each mistake next to its field, what was typed kept, nothing sent.
    let page = mo
        .post(
            &messages,
            &[
                ("audience", ""),
                ("subject", " "),
                ("body", "Dear {{first_name}},"),
                ("action", "preview"),
            ],
        )
        .await;
    assert_eq!(page.status, Status::UnprocessableEntity);
    page.assert_contains("id=\"audience-error\"")
        .assert_contains("Choose who gets the message.")
        .assert_contains("id=\"subject-error\"")
        .assert_contains("The subject is empty.")
        .assert_lacks("id=\"body-error\"")
        .assert_contains("Dear {{first_name}},</textarea>");
    let page = mo
        .post(
            &messages,
            &[
                ("audience", "drafts"),
                ("subject", "Your draft"),
                ("body", "Dear {{first_name}},"),
                ("action", "preview"),
            ],
        )
        .await;
    assert_eq!(page.status, Status::UnprocessableEntity);
    page.assert_contains("id=\"body-error\"")
        .assert_contains("There is no field called {{first_name}} (line 1).")
        .assert_contains("<option value=\"drafts\" selected>");
    for (audience, told) in [
        ("stage:committee", "Nobody in this cycle matches this choice now (Applications at the stage “With the committee”), so the message would reach no one."),
        ("everyone", "Choose who gets the message."),
        ("stage:draft", "Choose who gets the message."),
    ] {
        let page = mo
            .post(
                &messages,
                &[
                    ("audience", audience),
                    ("subject", "Hello"),
                    ("body", "Dear {{applicant_name}},"),
                    ("action", "preview"),
                ],
            )
            .await;
        assert_eq!(page.status, Status::UnprocessableEntity, "{audience}");
        page.assert_contains(told).assert_contains("id=\"audience-error\"");
    }

    // The preview: the count and the first recipient's message.
    let draft = [
        ("audience", "drafts"),
        ("subject", "Your {{program}} draft"),
        (
            "body",
            "Dear {{applicant_name}},\n\nSubmit by {{deadline}}: {{status_link}}",
        ),
    ];
    let with = |extra: &[(&'static str, &'static str)]| {
        let mut all = draft.to_vec();
        all.extend_from_slice(extra);
        all
    };
    let page = mo.post(&messages, &with(&[("action", "preview")])).await;
    assert_eq!(page.status, Status::Ok, "{}", page.body);
    page.assert_contains("2 applicants will get this message")
        .assert_contains("As Ana Rivera will read it")
        .assert_contains("<strong>Subject:</strong> Your Health Justice Fellowship draft")
        .assert_contains(&format!("/apply/applications/{ana}"))
        .assert_contains("name=\"expected\" value=\"2\"")
        .assert_contains("Send to 2 applicants");
    // Sending is only from a preview's count, and only while it holds.
    let page = mo.post(&messages, &with(&[("action", "send")])).await;
    assert_eq!(page.status, Status::Ok);
    page.assert_contains("2 applicants will get this message");
    let page = mo
        .post(&messages, &with(&[("action", "send"), ("expected", "3")]))
        .await;
    assert_eq!(page.status, Status::UnprocessableEntity);
    page.assert_contains(
        "The recipients changed since the preview: 2 now, not 3. Nothing was sent;",
    )
    .assert_contains("2 applicants will get this message");
    assert_eq!(queued(&app, "applicant_message").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM messages").await, 0);

    let page = mo
        .post(&messages, &with(&[("action", "send"), ("expected", "2")]))
        .await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    let message = app.count("SELECT id FROM messages").await;
    let record = format!("{messages}/{message}");
    assert_eq!(page.location.as_deref(), Some(record.as_str()));
    assert_eq!(queued(&app, "applicant_message").await, 2);
    let to_ana = app.last_mail("ana@student.edu", "applicant_message").await;
    assert_eq!(to_ana.subject, "Your Health Justice Fellowship draft");
    assert!(
        to_ana.text_body.starts_with("Dear Ana Rivera,"),
        "{}",
        to_ana.text_body
    );
    assert!(to_ana
        .text_body
        .contains(&format!("/apply/applications/{ana}")));
    let to_ben = app.last_mail("ben@student.edu", "applicant_message").await;
    assert!(to_ben.text_body.starts_with("Dear Ben Okafor,"));
    assert!(to_ben
        .text_body
        .contains(&format!("/apply/applications/{ben}")));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE recipient = 'cy@student.edu'")
            .await,
        0
    );
    assert_eq!(
        app.count(&format!(
            "SELECT recipients FROM messages WHERE id = {message}"
        ))
        .await,
        2
    );
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'message.send' AND cycle_id = {}",
            c.id
        ))
        .await,
        1
    );

    // The record: the template as written and who got it.
    let page = mo.get(&record).await;
    page.assert_contains("<h1>Your {{program}} draft</h1>")
        .assert_contains("Applicants with a draft not submitted: 2 applicants")
        // Drafts are not the team's to open: named, not linked.
        .assert_contains(&format!(
            "<li>Ana Rivera <span class=\"hint\">(#{ana}, a draft not submitted)</span></li>"
        ))
        .assert_contains(&format!(
            "<li>Ben Okafor <span class=\"hint\">(#{ben}, a draft not submitted)</span></li>"
        ))
        .assert_lacks("Cy Done");
    mo.get(&messages).await.assert_contains(&format!(
        "<a href=\"{record}\">Your {{{{program}}}} draft</a>"
    ));
    assert_eq!(
        mo.get(&format!("{messages}/999999")).await.status,
        Status::NotFound
    );

    // Another program's manager reaches none of it.
    let sam = manager_elsewhere(&app).await;
    assert_eq!(sam.get(&messages).await.status, Status::NotFound);
    assert_eq!(sam.get(&record).await.status, Status::NotFound);
    let page = sam
        .post(&messages, &with(&[("action", "send"), ("expected", "2")]))
        .await;
    assert_eq!(page.status, Status::NotFound);
    assert_eq!(queued(&app, "applicant_message").await, 2);
}

#[rocket::async_test]
async fn a_decision_counts_once_released_and_fills_the_message() {
    let app = spawn().await;
    let c = app.with_cycle().await;
    let mo = app.with_manager(&c, "Mo Manager", "mo@alliance.org").await;
    let a = own_application_in_review(&app, &c, &mo, "Ana Applicant", "ana@student.edu").await;
    assert_eq!(
        decide(&mo, a, "accepted", "").await.status,
        Status::SeeOther
    );
    let messages = format!("/manage/cycles/{}/messages", c.id);
    let fields = [
        ("audience", "decision:accepted"),
        ("subject", "Next steps"),
        (
            "body",
            "Dear {{applicant_name}},\n\n{{#if outcome}}Decision: {{outcome}}, answer by {{offer_deadline}}.{{/if}}",
        ),
        ("action", "preview"),
    ];
    // Held: nobody is told, and nobody is picked.
    let page = mo.post(&messages, &fields).await;
    assert_eq!(page.status, Status::UnprocessableEntity);
    page.assert_contains("Nobody in this cycle matches this choice now");
    assert_eq!(release_all(&mo, c.id).await.status, Status::SeeOther);
    let page = mo.post(&messages, &fields).await;
    assert_eq!(page.status, Status::Ok, "{}", page.body);
    page.assert_contains("1 applicant will get this message")
        .assert_contains("Decision: Accepted, answer by ");
    mo.get(&format!("/manage/applications/{a}"))
        .await
        .assert_contains("No message to applicants has reached this one yet.");
    let mut send = fields.to_vec();
    send.retain(|(k, _)| *k != "action");
    send.extend([("action", "send"), ("expected", "1")]);
    let page = mo.post(&messages, &send).await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    let record = page.location.unwrap();
    // The record links the recipient's application, whose page lists it.
    mo.get(&record).await.assert_contains(&format!(
        "<a href=\"/manage/applications/{a}\">Ana Applicant</a>"
    ));
    mo.get(&format!("/manage/applications/{a}"))
        .await
        .assert_contains(&format!("<a href=\"{record}\">Next steps</a>"));
    let mail = app.last_mail("ana@student.edu", "applicant_message").await;
    assert!(
        mail.text_body.contains("Decision: Accepted, answer by "),
        "{}",
        mail.text_body
    );
}

#[rocket::async_test]
async fn applicants_are_reminded_once_of_a_draft_and_of_letters_not_received() {
    let app = spawn().await;
    let c = app.with_cycle().await;
    let mo = app.with_manager(&c, "Mo Manager", "mo@alliance.org").await;
    // Maya's draft has a referee who has not answered.
    app.logged_in_user("Maya Chen", "maya@example.edu").await;
    let maya = app.start_health_justice(&app).await;
    let page = app
        .name_referee(maya, "1", "Dr. Rosa Parks", "rosa@example.org")
        .await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    // Noor's draft: she stopped reminders.
    app.submitted_application(&c)
        .by("Noor Stopped", "noor@student.edu")
        .in_stage(Stage::Draft)
        .await;
    {
        let ctx = app.ctx();
        let mut conn = app.pool().conn().await.unwrap();
        let token = fellowship_portal::db::mail_preferences::token_for(
            conn.exec(),
            "noor@student.edu",
            "noor-token",
            ctx.now(),
        )
        .await
        .unwrap();
        fellowship_portal::db::mail_preferences::set_reminders(
            conn.exec(),
            &token,
            false,
            ctx.now(),
        )
        .await
        .unwrap();
    }

    // The letters-missing audience picks Maya.
    let messages = format!("/manage/cycles/{}/messages", c.id);
    let page = mo
        .post(
            &messages,
            &[
                ("audience", "letters_missing"),
                ("subject", "Letters"),
                ("body", "Dear {{applicant_name}}"),
                ("action", "preview"),
            ],
        )
        .await;
    page.assert_contains("1 applicant will get this message")
        .assert_contains("As Maya Chen will read it");

    // Settings: bad days told next to each field, nothing stored.
    let reminders = format!("/manage/cycles/{}/reminders", c.id);
    let page = mo
        .post(&reminders, &[("draft_days", "0"), ("referee_days", "soon")])
        .await;
    assert_eq!(page.status, Status::UnprocessableEntity);
    page.assert_contains("id=\"draft_days-error\"")
        .assert_contains("The number of days must be between 1 and 90, or empty for no reminder.")
        .assert_contains("id=\"referee_days-error\"")
        .assert_contains("Write the number of days as a whole number, for example 7")
        .assert_contains("value=\"soon\"");
    assert_eq!(app.count("SELECT COUNT(*) FROM cycle_reminders").await, 0);
    // Empty is off.
    let page = mo
        .post(&reminders, &[("draft_days", ""), ("referee_days", "")])
        .await;
    assert_eq!(page.status, Status::SeeOther);
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM cycle_reminders WHERE draft_days IS NULL AND referee_days IS NULL"
        )
        .await,
        1
    );
    let page = mo
        .post(&reminders, &[("draft_days", " 7 "), ("referee_days", "10")])
        .await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    mo.get(&messages)
        .await
        .assert_contains("id=\"draft_days\" name=\"draft_days\" type=\"text\" value=\"7\"")
        .assert_contains("id=\"referee_days\" name=\"referee_days\" type=\"text\" value=\"10\"");

    let ctx = app.ctx();
    let remind = || fellowship_portal::jobs::reminders::remind_applicants(&ctx);
    // Before either window nothing is sent.
    assert_eq!(remind().await.unwrap(), 0);
    let cycle = {
        let mut conn = app.pool().conn().await.unwrap();
        fellowship_portal::db::cycles::find(conn.exec(), CycleId(c.id))
            .await
            .unwrap()
            .unwrap()
            .cycle
    };
    // Five days before the deadline: the draft reminder, once, not to Noor.
    app.advance_past(cycle.closes_at - chrono::Duration::days(5));
    assert_eq!(remind().await.unwrap(), 1);
    assert_eq!(remind().await.unwrap(), 0, "once only");
    let mail = app.last_mail("maya@example.edu", "draft_reminder").await;
    assert_eq!(
        mail.subject,
        "Reminder: your Health Justice Fellowship application is not submitted yet"
    );
    assert!(mail
        .text_body
        .contains(&format!("/apply/applications/{maya}")));
    assert!(mail.text_body.contains("The deadline is "));
    assert!(mail.unsubscribe_url.is_some(), "a reminder can be stopped");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE recipient = 'noor@student.edu'")
            .await,
        0
    );
    assert_eq!(queued(&app, "letters_reminder").await, 0);

    // Three days before letters are due: a draft past its deadline is out
    // of the running and not reminded; once submitted (as the applicant
    // would have), the referees reminder names Rosa.
    app.advance_past(cycle.letters_due_at - chrono::Duration::days(3));
    assert_eq!(remind().await.unwrap(), 0);
    app.sql(&format!(
        "UPDATE applications SET stage = 'submitted' WHERE id = {maya}"
    ))
    .await;
    assert_eq!(remind().await.unwrap(), 1);
    assert_eq!(remind().await.unwrap(), 0, "once only");
    let mail = app.last_mail("maya@example.edu", "letters_reminder").await;
    assert!(
        mail.text_body.contains("  - Dr. Rosa Parks"),
        "{}",
        mail.text_body
    );
    assert!(mail
        .text_body
        .contains(&format!("/apply/applications/{maya}/referees")));
    assert_eq!(queued(&app, "draft_reminder").await, 1);
}
