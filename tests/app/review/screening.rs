//! Screening: eligible moves on to review, ineligible records a reason,
//! which the applicant sees only when shared and released.

use rocket::http::Status;

use crate::fixtures::mark_eligible;
use crate::helpers::spawn;

#[rocket::async_test]
async fn screening_moves_to_review_or_records_a_reason() {
    let app = spawn().await;
    let c = app.with_cycle().await;
    let manager = app.with_manager(&c, "Mo Manager", "mo@alliance.org").await;
    let a = app
        .submitted_application(&c)
        .by("Ana Applicant", "ana@student.edu")
        .from("Lakeside University")
        .await;
    let b = app
        .submitted_application(&c)
        .by("Ben Applicant", "ben@student.edu")
        .from("Hill College")
        .await;

    mark_eligible(&manager, a).await;
    // Ineligible without a reason: refused with words, nothing changed.
    let page = manager
        .post(
            &format!("/manage/applications/{b}/screen"),
            &[("outcome", "ineligible")],
        )
        .await;
    assert_eq!(page.status, Status::SeeOther);
    manager
        .get(&format!("/manage/applications/{b}"))
        .await
        .assert_contains("Choose why the application is ineligible.");
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM applications WHERE id = {b} AND stage = 'submitted'"
        ))
        .await,
        1
    );
    let page = manager
        .post(
            &format!("/manage/applications/{b}/screen"),
            &[
                ("outcome", "ineligible"),
                ("reason", "not_enrolled"),
                ("note", "Graduated in 2019."),
                ("share", "true"),
            ],
        )
        .await;
    assert_eq!(page.status, Status::SeeOther);
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM applications WHERE id = {a} AND stage = 'review'"
        ))
        .await,
        1
    );
    assert_eq!(
        app.count(&format!("SELECT COUNT(*) FROM applications WHERE id = {b} AND stage = 'ineligible' AND screening_reason = 'not_enrolled' AND screening_reason_shared = TRUE")).await,
        1
    );
    // Each move is an event, and the last event is the stage.
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM application_events WHERE application_id = {b} AND to_stage = 'ineligible' AND note = 'Graduated in 2019.'")).await, 1);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'application.screen'")
            .await,
        2
    );
    // A move the stage does not allow: a clear message, nothing changed.
    let page = manager
        .post(
            &format!("/manage/applications/{b}/move"),
            &[("move", "send_to_committee")],
        )
        .await;
    assert_eq!(page.status, Status::SeeOther);
    manager
        .get(&format!("/manage/applications/{b}"))
        .await
        .assert_contains(
            "This application cannot be sent to the committee now: it is marked ineligible.",
        );
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM application_events WHERE application_id = {b}"
        ))
        .await,
        3
    );
}

#[rocket::async_test]
async fn the_applicant_sees_a_screening_reason_only_when_shared_and_released() {
    let app = spawn().await;
    let c = app.with_cycle().await;
    let manager = app.with_manager(&c, "Mo Manager", "mo@alliance.org").await;
    // The main browser is the applicant; the application is stored for them.
    let me = app.logged_in_user("Ana Applicant", "ana@student.edu").await;
    let a = app
        .submitted_application(&c)
        .by("Placeholder", "placeholder@student.edu")
        .of(me)
        .from("Lakeside University")
        .await;
    let reason = "Not enrolled in an eligible program";
    manager
        .post(
            &format!("/manage/applications/{a}/screen"),
            &[
                ("outcome", "ineligible"),
                ("reason", "not_enrolled"),
                ("share", "true"),
            ],
        )
        .await;
    let page = app.get(&format!("/apply/applications/{a}")).await;
    page.assert_contains("Under review").assert_lacks(reason);
    app.sql(&format!(
        "UPDATE applications SET decision_released = TRUE WHERE id = {a}"
    ))
    .await;
    app.get(&format!("/apply/applications/{a}"))
        .await
        .assert_contains(reason);
    // Not shared: the outcome, never the reason.
    app.sql(&format!(
        "UPDATE applications SET screening_reason_shared = FALSE WHERE id = {a}"
    ))
    .await;
    app.get(&format!("/apply/applications/{a}"))
        .await
        .assert_contains("Decision available")
        .assert_lacks(reason);
}
