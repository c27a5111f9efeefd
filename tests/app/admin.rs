//! The admin page for roles.

use rocket::http::Status;

use crate::helpers::spawn;

#[rocket::async_test]
async fn only_admins_reach_the_admin_page() {
    let app = spawn().await;
    let anonymous = app.get("/admin/users").await;
    assert_eq!(anonymous.status, Status::SeeOther);
    assert_eq!(
        anonymous.location.as_deref(),
        Some("/account/login?next=/admin/users")
    );

    app.logged_in_user("Maya Chen", "maya@example.edu").await;
    let page = app.get("/admin/users").await;
    assert_eq!(page.status, Status::Forbidden);
    page.assert_contains("You do not have access to this page");
    let target = app
        .count("SELECT id FROM users WHERE email = 'maya@example.edu'")
        .await;
    let post = app
        .post(
            &format!("/admin/users/{target}/grant"),
            &[("program", "1"), ("role", "manager"), ("back", "/")],
        )
        .await;
    assert_eq!(post.status, Status::Forbidden);
    assert_eq!(app.count("SELECT COUNT(*) FROM role_grants").await, 0);
}

#[rocket::async_test]
async fn an_admin_grants_and_revokes_roles_per_program() {
    let app = spawn().await;
    let student = app.another_browser().await;
    let faculty = app
        .new_user("Dr. Rosa Parks-Lee", "rosa@med.example.edu")
        .await;
    app.logged_in_admin("dean@example.edu").await;
    let program = app
        .count("SELECT id FROM programs WHERE slug = 'health-justice'")
        .await
        .to_string();

    let page = app.get("/admin/users?q=rosa").await;
    page.assert_contains("Dr. Rosa Parks-Lee")
        .assert_contains("1 user matching")
        .assert_lacks("dean@example.edu");

    let granted = app
        .post(
            &format!("/admin/users/{faculty}/grant"),
            &[
                ("program", &program),
                ("role", "reviewer"),
                ("back", "/admin/users?q=rosa"),
            ],
        )
        .await;
    assert_eq!(granted.location.as_deref(), Some("/admin/users?q=rosa"));
    app.get("/admin/users?q=rosa")
        .await
        .assert_contains("Dr. Rosa Parks-Lee (rosa@med.example.edu) is now reviewer of the Health Justice Fellowship.")
        .assert_contains("Reviewer, Health Justice Fellowship");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM role_grants WHERE role = 'reviewer'")
            .await,
        1
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'role.grant'")
            .await,
        1
    );

    // A manager role opens the manager's area, for that program only.
    student
        .login("rosa@med.example.edu", crate::helpers::PASSWORD)
        .await;
    assert_eq!(student.get("/manage/").await.status, Status::Forbidden);
    let as_manager = [
        ("program", program.as_str()),
        ("role", "manager"),
        ("back", "/admin/users"),
    ];
    app.post(&format!("/admin/users/{faculty}/grant"), &as_manager)
        .await;
    student.get("/").await.assert_contains(r#"href="/manage""#);
    student
        .get("/manage/")
        .await
        .assert_contains("Health Justice Fellowship: ")
        .assert_lacks("Summer Internship Program");
    app.post(&format!("/admin/users/{faculty}/revoke"), &as_manager)
        .await;
    student.get("/").await.assert_lacks(r#"href="/manage""#);

    // Granting twice changes nothing.
    app.post(
        &format!("/admin/users/{faculty}/grant"),
        &[
            ("program", &program),
            ("role", "reviewer"),
            ("back", "/admin/users"),
        ],
    )
    .await;
    app.get("/admin/users")
        .await
        .assert_contains("already was reviewer");
    assert_eq!(app.count("SELECT COUNT(*) FROM role_grants").await, 1);

    let revoked = app
        .post(
            &format!("/admin/users/{faculty}/revoke"),
            &[
                ("program", &program),
                ("role", "reviewer"),
                ("back", "/admin/users"),
            ],
        )
        .await;
    assert_eq!(revoked.status, Status::SeeOther);
    app.get("/admin/users")
        .await
        .assert_contains("is no longer reviewer");
    assert_eq!(app.count("SELECT COUNT(*) FROM role_grants").await, 0);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'role.revoke'")
            .await,
        2,
        "the manager role and the reviewer role"
    );
}

#[rocket::async_test]
async fn tampered_role_forms_change_nothing() {
    let app = spawn().await;
    let faculty = app.new_user("Rosa Parks", "rosa@example.edu").await;
    app.logged_in_admin("dean@example.edu").await;
    let bad_role = app
        .post(
            &format!("/admin/users/{faculty}/grant"),
            &[
                ("program", "1"),
                ("role", "admin"),
                ("back", "/admin/users"),
            ],
        )
        .await;
    assert_eq!(bad_role.status, Status::SeeOther);
    app.get("/admin/users")
        .await
        .assert_contains("Choose a role: reviewer or program manager.");
    let bad_program = app
        .post(
            &format!("/admin/users/{faculty}/grant"),
            &[
                ("program", "9999"),
                ("role", "manager"),
                ("back", "/admin/users"),
            ],
        )
        .await;
    assert_eq!(bad_program.status, Status::SeeOther);
    app.get("/admin/users")
        .await
        .assert_contains("Choose one of the programs.");
    let no_user = app
        .post(
            "/admin/users/9999/grant",
            &[
                ("program", "1"),
                ("role", "manager"),
                ("back", "/admin/users"),
            ],
        )
        .await;
    assert_eq!(no_user.status, Status::NotFound);
    let elsewhere = app
        .post(
            &format!("/admin/users/{faculty}/grant"),
            &[
                ("program", "1"),
                ("role", "reviewer"),
                ("back", "https://evil.example/"),
            ],
        )
        .await;
    assert_eq!(elsewhere.location.as_deref(), Some("/"));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM role_grants").await,
        1,
        "only the last, valid grant"
    );
}

#[rocket::async_test]
async fn the_user_list_is_paginated() {
    let app = spawn().await;
    app.logged_in_admin("dean@example.edu").await;
    let hash = fellowship_portal::auth::password::hash("irrelevant-for-this-test")
        .await
        .unwrap();
    let mut conn = app.pool().conn().await.unwrap();
    for i in 0..30 {
        let email = format!("student{i:02}@example.edu");
        let user = fellowship_portal::db::users::NewUser {
            email: &email,
            name: "Student",
            password_hash: &hash,
            confirmed: true,
            is_admin: false,
            must_change_password: false,
        };
        fellowship_portal::db::users::insert(conn.exec(), &user, app.clock.now())
            .await
            .unwrap();
    }
    drop(conn);
    // 30 students, the seeded first admin and the admin: 32 in all.
    let first = app.get("/admin/users").await;
    first
        .assert_contains("32 users. Page 1 of 2.")
        .assert_contains("student00@example.edu")
        .assert_lacks("student29@example.edu");
    // Handlebars escapes `=` in attributes; browsers read it back.
    first.assert_contains(r#"href="/admin/users?q&#x3D;&amp;page&#x3D;2" rel="next""#);
    let second = app.get("/admin/users?page=2").await;
    second
        .assert_contains("student29@example.edu")
        .assert_lacks("student00@example.edu")
        .assert_contains(r#"rel="prev""#)
        .assert_contains("Page 2 of 2")
        .assert_lacks(r#"rel="next""#);
    // A page far beyond the last is empty, not an error, and leads back.
    let beyond = app.get("/admin/users?page=9223372036854775807").await;
    assert_eq!(beyond.status, rocket::http::Status::Ok);
    beyond
        .assert_contains("Page 9223372036854775807 of 2")
        .assert_contains(r#"href="/admin/users?q&#x3D;&amp;page&#x3D;2" rel="prev""#)
        .assert_lacks("student29@example.edu");
    app.get("/admin/users?q=student1")
        .await
        .assert_contains("10 users matching");
    // A percent sign is searched for literally.
    app.get("/admin/users?q=%25")
        .await
        .assert_contains("0 users matching");
}

#[rocket::async_test]
async fn a_deactivated_reviewer_is_logged_out_cannot_log_in_and_their_open_reviews_are_flagged() {
    use crate::fixtures::{assign, mark_eligible};
    let app = spawn().await;
    let c = app.with_cycle().await;
    let mo = app.with_manager(&c, "Mo Manager", "mo@alliance.org").await;
    let rae = app
        .with_reviewer(&c, "Rae Reviewer", "rae@faculty.org")
        .await;
    let a = app.submitted_application(&c).await;
    mark_eligible(&mo, a).await;
    assign(&mo, a, rae.id).await;
    let admin_id = app.logged_in_admin("dean@example.edu").await;
    assert_eq!(rae.get("/review").await.status, Status::Ok);

    let done = app
        .post(
            &format!("/admin/users/{}/deactivate", rae.id),
            &[("back", "/admin/users?q=rae")],
        )
        .await;
    assert_eq!(done.location.as_deref(), Some("/admin/users?q=rae"));
    app.get("/admin/users?q=rae")
        .await
        .assert_contains("Rae Reviewer (rae@faculty.org) is deactivated and logged out everywhere. 1 review assigned to them is not submitted")
        .assert_contains("Deactivated")
        .assert_contains("Reactivate <span class=\"visually-hidden\">Rae Reviewer</span>");
    // Their session ended at once; their password no longer opens it.
    let after = rae.get("/review").await;
    assert_eq!(after.status, Status::SeeOther);
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM sessions WHERE user_id = {}",
            rae.id
        ))
        .await,
        0
    );
    let refused = rae.login("rae@faculty.org", crate::helpers::PASSWORD).await;
    assert_eq!(refused.status, Status::UnprocessableEntity);
    refused.assert_contains("This account has been deactivated.");
    // A wrong password does not tell that the account exists.
    rae.login("rae@faculty.org", "not-the-password-at-all")
        .await
        .assert_lacks("deactivated");
    // Asking for a new password gets the usual answer and sends nothing:
    // a reset would not let them in.
    let asked = rae
        .post("/account/forgot", &[("email", "rae@faculty.org")])
        .await;
    assert_eq!(asked.status, Status::SeeOther, "{}", asked.body);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE kind = 'reset_password' AND recipient = 'rae@faculty.org'")
            .await,
        0
    );

    // The managers see the review to give to someone else.
    mo.get(&format!("/manage/cycles/{}", c.id))
        .await
        .assert_contains("<span class=\"attention__count\">1</span> <span class=\"attention__text\">review assigned to deactivated accounts, to give to someone else</span>");
    mo.get(&format!("/manage/cycles/{}/reviewers", c.id))
        .await
        .assert_contains("Deactivated: reassign");

    // Deactivating twice changes nothing; one's own account and the last
    // admin are refused.
    app.post(
        &format!("/admin/users/{}/deactivate", rae.id),
        &[("back", "/admin/users")],
    )
    .await;
    app.get("/admin/users")
        .await
        .assert_contains("was already deactivated");
    app.post(
        &format!("/admin/users/{admin_id}/deactivate"),
        &[("back", "/admin/users")],
    )
    .await;
    app.get("/admin/users")
        .await
        .assert_contains("You cannot deactivate your own account");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM users WHERE deactivated_at IS NOT NULL")
            .await,
        1
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'user.deactivate'")
            .await,
        1
    );

    // Reactivated, Rae logs in again and the flag goes.
    app.post(
        &format!("/admin/users/{}/reactivate", rae.id),
        &[("back", "/admin/users")],
    )
    .await;
    app.get("/admin/users")
        .await
        .assert_contains("Rae Reviewer (rae@faculty.org) is active again and can log in.");
    assert_eq!(
        rae.login("rae@faculty.org", crate::helpers::PASSWORD)
            .await
            .status,
        Status::SeeOther
    );
    mo.get(&format!("/manage/cycles/{}", c.id))
        .await
        .assert_lacks("deactivated accounts");
}

#[rocket::async_test]
async fn an_admin_reads_an_accounts_page_and_changes_its_email_address() {
    let app = spawn().await;
    let rosa = app.another_browser().await;
    let id = app
        .new_user("Dr. Rosa Parks-Lee", "rosa@med.example.edu")
        .await;
    // Two sign-ins from her browser.
    for _ in 0..2 {
        let page = rosa
            .login("rosa@med.example.edu", crate::helpers::PASSWORD)
            .await;
        assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    }
    app.logged_in_admin("dean@example.edu").await;
    let program = app
        .count("SELECT id FROM programs WHERE slug = 'health-justice'")
        .await
        .to_string();
    let here = format!("/admin/users/{id}");
    let granted = app
        .post(
            &format!("/admin/users/{id}/grant"),
            &[("program", &program), ("role", "reviewer"), ("back", &here)],
        )
        .await;
    assert_eq!(granted.location.as_deref(), Some(here.as_str()));

    // The users list links to the page; it shows roles, sign-ins, actions.
    app.get("/admin/users?q=rosa")
        .await
        .assert_contains(&format!(
            "<a href=\"/admin/users/{id}\">Dr. Rosa Parks-Lee</a>"
        ));
    let page = app.get(&here).await;
    assert_eq!(page.status, Status::Ok);
    page.assert_contains("<dd>rosa@med.example.edu</dd>")
        .assert_contains("Reviewer, Health Justice Fellowship")
        .assert_contains("Deactivate this account")
        .assert_contains("All their actions in the audit log")
        .assert_contains("/admin/audit?who&#x3D;rosa%40med.example.edu");
    assert_eq!(
        page.body.matches(", from ").count(),
        2,
        "two sign-ins: {}",
        page.body
    );
    // Her actions: none yet; the admin's grant is the admin's.
    page.assert_contains("Nothing recorded.");

    // The email address: a bad one is told next to the field, then a link
    // goes to the new address and the change waits for it.
    let page = app
        .post(
            &format!("/admin/users/{id}/email"),
            &[("email", "rosa at med")],
        )
        .await;
    assert_eq!(page.status, Status::UnprocessableEntity);
    page.assert_contains("Enter an email address in the form name@example.org.")
        .assert_contains("value=\"rosa at med\"");
    let page = app
        .post(
            &format!("/admin/users/{id}/email"),
            &[("email", "rosa.parks-lee@clinic.example.org")],
        )
        .await;
    assert_eq!(
        page.location.as_deref(),
        Some(here.as_str()),
        "{}",
        page.body
    );
    app.get(&here)
        .await
        .assert_contains("We sent a link to rosa.parks-lee@clinic.example.org.");
    let link = crate::helpers::link_in(
        &app.last_mail("rosa.parks-lee@clinic.example.org", "email_change")
            .await
            .text_body,
        "/account/email/",
    );
    assert_eq!(
        app.text("SELECT detail FROM audit_log WHERE action = 'user.email_ask'")
            .await,
        "to rosa.parks-lee@clinic.example.org"
    );
    let page = rosa.post(&link, &[]).await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    app.get(&here)
        .await
        .assert_contains("<dd>rosa.parks-lee@clinic.example.org</dd>")
        .assert_contains("changed the email address of Dr. Rosa Parks-Lee");

    // Another account's page that is not there.
    assert_eq!(
        app.get("/admin/users/999999").await.status,
        Status::NotFound
    );
}
