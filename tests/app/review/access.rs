//! Who may reach what: reviewers only their unconflicted assignments,
//! no longer once their role is revoked; applicants and other programs' managers never.

use fellowship_portal::domain::program::ProgramId;
use fellowship_portal::domain::role::ProgramRole;
use rocket::http::Status;

use crate::fixtures::{assign, mark_eligible, staff, Staff, DUE};
use crate::helpers::{spawn, PASSWORD};

#[rocket::async_test]
async fn reviewers_reach_only_what_is_assigned_and_unconflicted() {
    let app = spawn().await;
    let c = app.with_cycle().await;
    let manager = app.with_manager(&c, "Mo Manager", "mo@alliance.org").await;
    let Staff {
        id: rev,
        browser: reviewer,
    } = app
        .with_reviewer(&c, "Rae Reviewer", "rae@faculty.org")
        .await;
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
    mark_eligible(&manager, b).await;
    assign(&manager, a, rev).await;

    assert_eq!(
        reviewer
            .get(&format!("/review/applications/{a}"))
            .await
            .status,
        Status::Ok
    );
    assert_eq!(
        reviewer
            .get(&format!("/review/applications/{b}"))
            .await
            .status,
        Status::NotFound
    );
    // Declaring a conflict: off the application, the managers told, and 404 after.
    let page = reviewer
        .post(
            &format!("/review/applications/{a}/conflict"),
            &[("reason", "I supervised her thesis.")],
        )
        .await;
    assert_eq!(page.status, Status::SeeOther);
    assert_eq!(
        reviewer
            .get(&format!("/review/applications/{a}"))
            .await
            .status,
        Status::NotFound
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM assignments").await, 0);
    let told = app.last_mail("mo@alliance.org", "conflict_declared").await;
    assert!(told.text_body.contains("I supervised her thesis."));
    // A conflicted reviewer cannot be assigned again, by hand either.
    let page = manager
        .post(
            &format!("/manage/applications/{a}/assign"),
            &[("reviewer", &rev.to_string()), ("due", DUE)],
        )
        .await;
    assert_eq!(page.status, Status::SeeOther);
    assert_eq!(app.count("SELECT COUNT(*) FROM assignments").await, 0);
    // Same institution (by email domain here) is detected too.
    let rev2 = app
        .with_reviewer(&c, "Sam Student-Dean", "sam@student.edu")
        .await
        .id;
    manager
        .post(
            &format!("/manage/applications/{b}/assign"),
            &[("reviewer", &rev2.to_string()), ("due", DUE)],
        )
        .await;
    manager
        .get(&format!("/manage/applications/{b}"))
        .await
        .assert_contains("is at the applicant&#x27;s institution");
    assert_eq!(app.count("SELECT COUNT(*) FROM assignments").await, 0);
}

#[rocket::async_test]
async fn a_reviewer_whose_role_is_revoked_no_longer_sees_that_programs_assignments() {
    let app = spawn().await;
    let c = app.with_cycle().await;
    let manager = app.with_manager(&c, "Mo Manager", "mo@alliance.org").await;
    let Staff {
        id: rev,
        browser: reviewer,
    } = app
        .with_reviewer(&c, "Rae Reviewer", "rae@faculty.org")
        .await;
    // Rae keeps reviewing for the internship, so /review stays open to her.
    let summer = app
        .count("SELECT id FROM programs WHERE slug = 'summer-internship'")
        .await;
    let mut conn = app.pool().conn().await.unwrap();
    fellowship_portal::db::roles::grant(
        conn.exec(),
        rev,
        ProgramId(summer),
        ProgramRole::Reviewer,
        rev,
        app.clock.now(),
    )
    .await
    .unwrap();
    drop(conn);
    let a = app
        .submitted_application(&c)
        .by("Ana Applicant", "ana@student.edu")
        .from("Lakeside University")
        .await;
    mark_eligible(&manager, a).await;
    assign(&manager, a, rev).await;
    let link = format!(r#"href="/review/applications/{a}""#);
    reviewer
        .get("/review")
        .await
        .assert_contains(&link)
        .assert_contains("1 still to submit");

    let admin = app.admin_browser("ada@alliance.org").await;
    let page = admin
        .post(
            &format!("/admin/users/{rev}/revoke"),
            &[
                ("program", &c.program.to_string()),
                ("role", "reviewer"),
                ("back", "/admin/users"),
            ],
        )
        .await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);

    let dashboard = reviewer.get("/review").await;
    assert_eq!(dashboard.status, Status::Ok);
    dashboard
        .assert_lacks(&link)
        .assert_lacks("Health Justice Fellowship")
        .assert_contains("0 still to submit")
        .assert_contains("Nothing is assigned to you yet.");
    assert_eq!(
        reviewer
            .get(&format!("/review/applications/{a}"))
            .await
            .status,
        Status::NotFound
    );
    // The assignment stays on the record for the program team.
    assert_eq!(app.count("SELECT COUNT(*) FROM assignments").await, 1);
}

#[rocket::async_test]
async fn applicants_and_other_programs_managers_are_kept_out() {
    let app = spawn().await;
    let c = app.with_cycle().await;
    let manager = app.with_manager(&c, "Mo Manager", "mo@alliance.org").await;
    let other_program = app
        .count("SELECT id FROM programs WHERE slug = 'voices-for-change'")
        .await;
    let (_, stranger) = staff(
        &app,
        "Val Voices",
        "val@alliance.org",
        other_program,
        ProgramRole::Manager,
    )
    .await;
    let a = app
        .submitted_application(&c)
        .by("Ana Applicant", "ana@student.edu")
        .from("Lakeside University")
        .await;
    mark_eligible(&manager, a).await;
    let applicant = app.another_browser().await;
    app.new_user("Ann Other", "ann@student.edu").await;
    applicant.login("ann@student.edu", PASSWORD).await;
    let cycle = c.id;
    let pages = [
        "/review".to_owned(),
        format!("/review/applications/{a}"),
        format!("/manage/cycles/{cycle}/applications"),
        format!("/manage/cycles/{cycle}/ranking"),
        format!("/manage/cycles/{cycle}/assign"),
        format!("/manage/cycles/{cycle}/reviewers"),
        format!("/manage/cycles/{cycle}/settings"),
        format!("/manage/applications/{a}"),
    ];
    for p in &pages {
        assert_eq!(applicant.get(p).await.status, Status::Forbidden, "{p}");
    }
    // Another program's manager: "Page not found", as for an id that does
    // not exist, so ids cannot be probed.
    for p in &pages[2..] {
        assert_eq!(stranger.get(p).await.status, Status::NotFound, "{p}");
    }
    // Nor can they change anything.
    let page = stranger
        .post(
            &format!("/manage/applications/{a}/move"),
            &[("move", "send_to_committee")],
        )
        .await;
    assert_eq!(page.status, Status::NotFound);
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM applications WHERE id = {a} AND stage = 'review'"
        ))
        .await,
        1
    );
}
