//! After submitting: the close and extensions, withdrawal, and what the
//! applicant's status page shows and refuses.

use fellowship_portal::domain::cycle::CycleId;
use rocket::http::Status;

use super::ready_to_submit;
use crate::helpers::{spawn, PASSWORD};

#[rocket::async_test]
async fn after_the_close_submission_is_refused_and_the_draft_kept_until_an_extension() {
    let app = spawn().await;
    let id = ready_to_submit(&app).await;
    let cycle = app.cycle_of("health-justice").await;
    let mut conn = app.pool().conn().await.unwrap();
    let closes = fellowship_portal::db::cycles::find(conn.exec(), CycleId(cycle))
        .await
        .unwrap()
        .unwrap()
        .cycle
        .closes_at;
    drop(conn);
    app.advance_past(closes);
    // Logged out meanwhile, idle: back in.
    app.login("maya@example.edu", PASSWORD).await;
    let page = app
        .post(&format!("/apply/applications/{id}/submit"), &[])
        .await;
    assert_eq!(page.status, Status::UnprocessableEntity);
    page.assert_contains("The deadline for this cycle was")
        .assert_contains("Your draft is kept.");
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM applications WHERE id = {id} AND stage = 'draft'"
        ))
        .await,
        1
    );

    // A manager of the program grants this applicant more time.
    let manager = app.another_browser().await;
    let admin = app.another_browser().await;
    let manager_id = app.new_user("Pat Manager", "pat@example.org").await;
    let _ = admin;
    let program = app
        .count("SELECT id FROM programs WHERE slug = 'health-justice'")
        .await;
    app.sql(&format!("INSERT INTO role_grants (user_id, program_id, role, granted_at) VALUES ({manager_id}, {program}, 'manager', '2026-01-01T00:00:00+00:00')")).await;
    manager.login("pat@example.org", PASSWORD).await;
    let future = (app.clock.now() + chrono::Duration::days(3))
        .format("%Y-%m-%d")
        .to_string();
    let no_reason = manager
        .post(
            &format!("/manage/cycles/{cycle}/extensions"),
            &[
                ("email", "maya@example.edu"),
                ("date", &future),
                ("time", "17:00"),
                ("reason", ""),
            ],
        )
        .await;
    assert_eq!(no_reason.status, Status::SeeOther);
    manager
        .get(&format!("/manage/cycles/{cycle}"))
        .await
        .assert_contains("Say why the extension is granted");
    let granted = manager
        .post(
            &format!("/manage/cycles/{cycle}/extensions"),
            &[
                ("email", "maya@example.edu"),
                ("date", &future),
                ("time", "17:00"),
                ("reason", "Hospitalised during the final week"),
            ],
        )
        .await;
    assert_eq!(granted.status, Status::SeeOther);
    manager
        .get(&format!("/manage/cycles/{cycle}"))
        .await
        .assert_contains("Maya Chen (maya@example.edu) may now submit until");
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM application_extensions WHERE application_id = {id} AND granted_by = {manager_id} AND reason = 'Hospitalised during the final week'")).await, 1);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'application.extend'")
            .await,
        1
    );

    let page = app
        .post(&format!("/apply/applications/{id}/submit"), &[])
        .await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM applications WHERE id = {id} AND stage = 'submitted'"
        ))
        .await,
        1
    );

    // A student cannot reach the manager's page; a manager of another program cannot extend.
    assert_eq!(
        app.get(&format!("/manage/cycles/{cycle}")).await.status,
        Status::Forbidden
    );
    let other_cycle = app.cycle_of("summer-internship").await;
    assert_eq!(
        manager
            .get(&format!("/manage/cycles/{other_cycle}"))
            .await
            .status,
        Status::NotFound
    );
}

#[rocket::async_test]
async fn withdrawing_needs_a_confirmation_and_is_recorded() {
    let app = spawn().await;
    app.logged_in_user("Maya Chen", "maya@example.edu").await;
    let id = app.start_health_justice(&app).await;
    app.get(&format!("/apply/applications/{id}/withdraw"))
        .await
        .assert_contains("this cannot be undone");
    let unconfirmed = app
        .post(
            &format!("/apply/applications/{id}/withdraw"),
            &[("reason", "")],
        )
        .await;
    assert_eq!(unconfirmed.status, Status::UnprocessableEntity);
    unconfirmed.assert_contains("Tick the box to confirm");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM applications WHERE stage = 'draft'")
            .await,
        1
    );
    let done = app
        .post(
            &format!("/apply/applications/{id}/withdraw"),
            &[("reason", "Accepted elsewhere"), ("confirm", "true")],
        )
        .await;
    assert_eq!(done.status, Status::SeeOther);
    app.get(&format!("/apply/applications/{id}"))
        .await
        .assert_contains(r#"<strong class="status">Withdrawn</strong>"#)
        .assert_contains("Withdrawn: ")
        .assert_lacks("Withdraw this application");
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM application_events WHERE application_id = {id} AND from_stage = 'draft' AND to_stage = 'withdrawn' AND note = 'Accepted elsewhere'")).await, 1);
    let again = app
        .post(
            &format!("/apply/applications/{id}/withdraw"),
            &[("confirm", "true")],
        )
        .await;
    assert_eq!(again.status, Status::UnprocessableEntity);
    again.assert_contains("cannot be withdrawn now");
}

#[rocket::async_test]
async fn applicants_never_see_staff_stages_or_unreleased_decisions() {
    let app = spawn().await;
    let id = ready_to_submit(&app).await;
    app.post(&format!("/apply/applications/{id}/submit"), &[])
        .await;
    app.sql(&format!(
        "UPDATE applications SET stage = 'decided' WHERE id = {id}"
    ))
    .await;
    app.sql(&format!("INSERT INTO application_events (application_id, from_stage, to_stage, move, actor_role, note, created_at) VALUES ({id}, 'review', 'decided', 'decide', 'manager', 'Strong candidate, top 5', '2026-11-01T00:00:00+00:00')")).await;
    let page = app.get(&format!("/apply/applications/{id}")).await;
    page.assert_contains(r#"<strong class="status">Under review</strong>"#)
        .assert_lacks("Strong candidate")
        .assert_lacks("decided");
    app.get("/apply")
        .await
        .assert_contains("Under review")
        .assert_lacks("Decision available");
}

/// Screened out, not yet told: withdrawing is refused in the words of the
/// status page ("Under review"), never "ineligible".
#[rocket::async_test]
async fn a_refused_withdrawal_says_only_what_the_status_page_says() {
    let app = spawn().await;
    let c = app.with_cycle().await;
    let manager = app.with_manager(&c, "Mo Manager", "mo@alliance.org").await;
    let id = ready_to_submit(&app).await;
    let page = app
        .post(&format!("/apply/applications/{id}/submit"), &[])
        .await;
    assert_eq!(page.status, Status::SeeOther);
    let page = manager
        .post(
            &format!("/manage/applications/{id}/screen"),
            &[
                ("outcome", "ineligible"),
                ("reason", "not_enrolled"),
                ("note", "Graduated in 2019."),
            ],
        )
        .await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    app.get(&format!("/apply/applications/{id}"))
        .await
        .assert_contains(r#"<strong class="status">Under review</strong>"#);
    let page = app
        .post(
            &format!("/apply/applications/{id}/withdraw"),
            &[("confirm", "true"), ("reason", "")],
        )
        .await;
    assert_eq!(page.status, Status::UnprocessableEntity);
    page.assert_contains("This application cannot be withdrawn now: its status is “Under review”.")
        .assert_lacks("ineligible");
    let page = app
        .post(&format!("/apply/applications/{id}/submit"), &[])
        .await;
    page.assert_contains("This application cannot be submitted now: its status is “Under review”.")
        .assert_lacks("ineligible");
}
