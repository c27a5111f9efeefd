//! Invitations: a manager (for their program) or an admin (for any)
//! invites people by email as reviewers or managers; the link makes a new
//! account or adds the role to the one that has the address; links expire,
//! are sent again (the old one then stops working) or revoked.

use rocket::http::Status;

use crate::helpers::{link_in, spawn, Browser, TestApp, PASSWORD};

/// The invitation link in the newest invitation mail to `to`.
async fn link_to(app: &TestApp, to: &str) -> String {
    let mail = app.last_mail(to, "invitation").await;
    link_in(&mail.text_body, "/account/invitation/")
}

async fn invite(by: &Browser, program: i64, email: &str, role: &str) -> crate::helpers::Page {
    by.post(
        &format!("/manage/programs/{program}/invitations"),
        &[("email", email), ("role", role)],
    )
    .await
}

#[rocket::async_test]
async fn a_new_reviewer_accepts_an_invitation_by_choosing_a_name_and_password() {
    let app = spawn().await;
    let c = app.with_cycle().await;
    let mo = app.with_manager(&c, "Mo Manager", "mo@alliance.org").await;

    let sent = invite(&mo, c.program, "Rosa@Med.example.edu", "reviewer").await;
    assert_eq!(sent.status, Status::SeeOther, "{}", sent.body);
    let page = mo.get(sent.location.as_deref().unwrap()).await;
    page.assert_contains("Invitation sent to rosa@med.example.edu to be a reviewer of the Health Justice Fellowship.")
        .assert_contains("1 invitation not yet accepted or revoked")
        .assert_contains("rosa@med.example.edu");
    let mail = app.last_mail("rosa@med.example.edu", "invitation").await;
    assert!(
        mail.subject
            .contains("Mo Manager invites you to review for the Health Justice Fellowship"),
        "{}",
        mail.subject
    );
    let link = link_to(&app, "rosa@med.example.edu").await;

    let rosa = app.another_browser().await;
    rosa.get(&link)
        .await
        .assert_contains("Join the Health Justice Fellowship as a reviewer")
        .assert_contains("Make my account and accept");

    // Mistakes come back next to their fields; nothing is made.
    let wrong = rosa
        .post(
            &link,
            &[
                ("name", ""),
                ("password", "short"),
                ("password_confirm", "short"),
            ],
        )
        .await;
    assert_eq!(wrong.status, Status::UnprocessableEntity);
    wrong
        .assert_contains("Enter your name.")
        .assert_contains("Choose a password of at least 12 characters.");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM users WHERE email = 'rosa@med.example.edu'")
            .await,
        0
    );

    let made = rosa
        .post(
            &link,
            &[
                ("name", "Dr. Rosa Parks-Lee"),
                ("password", PASSWORD),
                ("password_confirm", PASSWORD),
            ],
        )
        .await;
    assert_eq!(made.status, Status::SeeOther, "{}", made.body);
    assert_eq!(made.location.as_deref(), Some("/review"));
    rosa.get("/review")
        .await
        .assert_contains("Welcome: you are now a reviewer of the Health Justice Fellowship.");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM users u JOIN role_grants g ON g.user_id = u.id \
                   WHERE u.email = 'rosa@med.example.edu' AND g.role = 'reviewer' AND g.program_id = 1 \
                   AND u.email_confirmed_at IS NOT NULL")
            .await,
        1
    );
    for action in ["invitation.send", "account.create", "invitation.accept"] {
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) FROM audit_log WHERE action = '{action}'"
            ))
            .await,
            1,
            "{action}"
        );
    }

    // The link works once; the list no longer shows the invitation.
    let again = app.another_browser().await.get(&link).await;
    assert_eq!(again.status, Status::Gone);
    again.assert_contains("This invitation has already been accepted");
    mo.get(&format!("/manage/programs/{}/invitations", c.program))
        .await
        .assert_contains("No invitation is waiting.");
}

#[rocket::async_test]
async fn an_invitation_to_an_existing_account_adds_the_role_once_its_owner_logs_in() {
    let app = spawn().await;
    let c = app.with_cycle().await;
    app.new_user("Dr. Sam Okafor", "sam@med.example.edu").await;
    let other = app.another_browser().await;
    app.admin_on(&other, "ada@alliance.org").await;
    let sent = other
        .post(
            "/admin/invitations",
            &[
                ("email", "sam@med.example.edu"),
                ("program", &c.program.to_string()),
                ("role", "manager"),
            ],
        )
        .await;
    assert_eq!(sent.status, Status::SeeOther, "{}", sent.body);
    let link = link_to(&app, "sam@med.example.edu").await;

    // Logged in as someone else: told so, and refused.
    other
        .get(&link)
        .await
        .assert_contains("You are logged in as ada@alliance.org");
    let refused = other.post(&format!("{link}/accept"), &[]).await;
    assert_eq!(refused.status, Status::SeeOther);
    other.get(&link).await.assert_contains(
        "This invitation is for sam@med.example.edu, and you are logged in as ada@alliance.org.",
    );
    let making = other
        .post(
            &link,
            &[
                ("name", "Someone"),
                ("password", PASSWORD),
                ("password_confirm", PASSWORD),
            ],
        )
        .await;
    assert_eq!(making.status, Status::SeeOther);
    assert_eq!(app.count("SELECT COUNT(*) FROM role_grants").await, 0);

    // Its owner logs in from the link and accepts.
    let sam = app.another_browser().await;
    let shown = sam.get(&link).await;
    shown.assert_contains("There is an account with this address. Log in with it to accept.");
    // Handlebars writes `=` in an attribute as `&#x3D;`.
    shown.assert_contains(&format!("href=\"/account/login?next&#x3D;{link}\""));
    sam.post(
        "/account/login",
        &[
            ("email", "sam@med.example.edu"),
            ("password", PASSWORD),
            ("next", &link),
        ],
    )
    .await;
    sam.get(&link)
        .await
        .assert_contains("Accept: become a program manager");
    let accepted = sam.post(&format!("{link}/accept"), &[]).await;
    assert_eq!(accepted.location.as_deref(), Some("/manage"));
    sam.get("/manage")
        .await
        .assert_contains("Welcome: you are now a manager of the Health Justice Fellowship.");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM role_grants WHERE role = 'manager'")
            .await,
        1
    );
}

#[rocket::async_test]
async fn bad_invitations_are_refused_in_words_and_store_nothing() {
    let app = spawn().await;
    let c = app.with_cycle().await;
    let mo = app.with_manager(&c, "Mo Manager", "mo@alliance.org").await;
    let reviewer = app
        .with_reviewer(&c, "Rae Reviewer", "rae@alliance.org")
        .await;
    drop(reviewer);
    let stored = || app.count("SELECT COUNT(*) FROM invitations");

    let cases = [
        ("", "reviewer", "Enter the email address of the person to invite."),
        ("not-an-address", "reviewer", "Enter an email address in the form name@example.org."),
        ("kim@alliance.org", "", "Choose a role: reviewer or program manager."),
        ("kim@alliance.org", "owner", "Choose a role: reviewer or program manager."),
        (
            "rae@alliance.org",
            "reviewer",
            "rae@alliance.org is already a reviewer of the Health Justice Fellowship: there is nothing to invite them to.",
        ),
    ];
    for (email, role, said) in cases {
        let page = invite(&mo, c.program, email, role).await;
        assert_eq!(page.status, Status::UnprocessableEntity, "{email} {role}");
        page.assert_contains(said)
            .assert_contains("There is a problem");
        assert_eq!(stored().await, 0, "{email} {role}");
    }

    // The same address twice: the second is refused while the first waits.
    invite(&mo, c.program, "kim@alliance.org", "reviewer").await;
    let twice = invite(&mo, c.program, "kim@alliance.org", "reviewer").await;
    assert_eq!(twice.status, Status::UnprocessableEntity);
    twice.assert_contains("An invitation to kim@alliance.org to be a reviewer of the Health Justice Fellowship is waiting for an answer");
    assert_eq!(stored().await, 1);
    // As a manager it is another invitation.
    let manager = invite(&mo, c.program, "kim@alliance.org", "manager").await;
    assert_eq!(manager.status, Status::SeeOther);

    // Another program's invitations are not Mo's to see or send.
    let other = app
        .count("SELECT id FROM programs WHERE slug = 'voices-for-change'")
        .await;
    assert_eq!(
        mo.get(&format!("/manage/programs/{other}/invitations"))
            .await
            .status,
        Status::NotFound
    );
    let elsewhere = invite(&mo, other, "lee@alliance.org", "reviewer").await;
    assert_eq!(elsewhere.status, Status::NotFound);
    assert_eq!(stored().await, 2);

    // The admin must choose a program.
    let admin = app.admin_browser("ada@alliance.org").await;
    let none = admin
        .post(
            "/admin/invitations",
            &[
                ("email", "lee@alliance.org"),
                ("program", ""),
                ("role", "reviewer"),
            ],
        )
        .await;
    assert_eq!(none.status, Status::UnprocessableEntity);
    none.assert_contains("Choose the program to invite them to.");
    assert_eq!(stored().await, 2);
}

#[rocket::async_test]
async fn a_resent_link_replaces_the_old_and_expired_or_revoked_links_say_why() {
    let app = spawn().await;
    let c = app.with_cycle().await;
    let mo = app.with_manager(&c, "Mo Manager", "mo@alliance.org").await;
    invite(&mo, c.program, "kim@alliance.org", "reviewer").await;
    let first = link_to(&app, "kim@alliance.org").await;
    let id = app.count("SELECT id FROM invitations").await;
    let list = format!("/manage/programs/{}/invitations", c.program);

    let resent = mo
        .post(
            &format!("/manage/invitations/{id}/resend"),
            &[("back", &list)],
        )
        .await;
    assert_eq!(resent.location.as_deref(), Some(list.as_str()));
    mo.get(&list)
        .await
        .assert_contains("Invitation sent again to kim@alliance.org")
        .assert_contains("(2 times)");
    let second = link_to(&app, "kim@alliance.org").await;
    assert_ne!(first, second);
    let old = app.another_browser().await.get(&first).await;
    assert_eq!(old.status, Status::NotFound);
    old.assert_contains("only the newest email");

    // Past 14 days the link has expired; the list says so, and sending
    // again gives a working link.
    app.advance(chrono::Duration::days(15));
    mo.login("mo@alliance.org", PASSWORD).await;
    let expired = app.another_browser().await.get(&second).await;
    assert_eq!(expired.status, Status::Gone);
    expired.assert_contains("This invitation has expired");
    mo.get(&list).await.assert_contains("Expired");
    mo.post(
        &format!("/manage/invitations/{id}/resend"),
        &[("back", &list)],
    )
    .await;
    let third = link_to(&app, "kim@alliance.org").await;
    assert_eq!(
        app.another_browser().await.get(&third).await.status,
        Status::Ok
    );

    // Revoked: the link says so, and it cannot be sent again.
    mo.post(
        &format!("/manage/invitations/{id}/revoke"),
        &[("back", &list)],
    )
    .await;
    mo.get(&list)
        .await
        .assert_contains("The invitation to kim@alliance.org is revoked")
        .assert_contains("No invitation is waiting.");
    let revoked = app.another_browser().await.get(&third).await;
    assert_eq!(revoked.status, Status::Gone);
    revoked.assert_contains("This invitation was withdrawn");
    mo.post(
        &format!("/manage/invitations/{id}/resend"),
        &[("back", &list)],
    )
    .await;
    mo.get(&list)
        .await
        .assert_contains("The invitation to kim@alliance.org was revoked.");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action IN ('invitation.send', 'invitation.resend', 'invitation.revoke')")
            .await,
        4
    );

    // A manager of another program cannot touch it.
    let v = app.with_cycle_of("voices-for-change").await;
    let nia = app
        .with_manager(&v, "Nia Manager", "nia@alliance.org")
        .await;
    let theirs = nia
        .post(
            &format!("/manage/invitations/{id}/resend"),
            &[("back", "/manage")],
        )
        .await;
    assert_eq!(theirs.status, Status::NotFound);
}
