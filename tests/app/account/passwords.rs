//! Passwords: reset through a single-use link that expires, changed
//! (ending the other sessions), and chosen first after a one-time one.

use rocket::http::Status;

use crate::helpers::{link_in, spawn, PASSWORD};

#[rocket::async_test]
async fn a_forgotten_password_is_reset_through_a_single_use_link() {
    let app = spawn().await;
    app.new_user("Maya Chen", "maya@example.edu").await;

    let known = app
        .post("/account/forgot", &[("email", "maya@example.edu")])
        .await;
    let known_flash = app.get("/account/login").await;
    let unknown = app
        .post("/account/forgot", &[("email", "nobody@example.edu")])
        .await;
    let unknown_flash = app.get("/account/login").await;
    assert_eq!(known.location, unknown.location);
    known_flash
        .assert_contains("If an account exists for maya@example.edu, we have sent it a link");
    unknown_flash
        .assert_contains("If an account exists for nobody@example.edu, we have sent it a link");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE kind = 'reset_password'")
            .await,
        1
    );

    let bad = app
        .post("/account/forgot", &[("email", "not an email")])
        .await;
    assert_eq!(bad.status, Status::UnprocessableEntity);
    bad.assert_contains("Enter an email address in the form name@example.org.");

    let link = link_in(
        &app.last_mail("maya@example.edu", "reset_password")
            .await
            .text_body,
        "/account/reset/",
    );
    app.get(&link)
        .await
        .assert_contains("Choose a new password");
    // A mistake keeps the link usable.
    let short = app
        .post(&link, &[("password", "tiny"), ("password_confirm", "tiny")])
        .await;
    assert_eq!(short.status, Status::UnprocessableEntity);
    short.assert_contains("Choose a password of at least 12 characters.");

    let new_password = "lantern-meadow-copper-finch";
    let done = app
        .post(
            &link,
            &[
                ("password", new_password),
                ("password_confirm", new_password),
            ],
        )
        .await;
    assert_eq!(done.location.as_deref(), Some("/account/login"));
    app.get("/account/login")
        .await
        .assert_contains("Your password has been changed");
    app.last_mail("maya@example.edu", "password_changed").await;

    assert_eq!(
        app.login("maya@example.edu", PASSWORD).await.status,
        Status::UnprocessableEntity
    );
    assert_eq!(
        app.login("maya@example.edu", new_password).await.status,
        Status::SeeOther
    );

    let reused = app.get(&link).await;
    assert_eq!(reused.status, Status::Gone);
    reused.assert_contains("This password reset link has already been used");
    let reused_post = app
        .post(
            &link,
            &[
                ("password", "yet-another-passphrase"),
                ("password_confirm", "yet-another-passphrase"),
            ],
        )
        .await;
    assert_eq!(reused_post.status, Status::Gone);
}

#[rocket::async_test]
async fn an_expired_reset_link_is_refused() {
    let app = spawn().await;
    app.new_user("Maya Chen", "maya@example.edu").await;
    app.post("/account/forgot", &[("email", "maya@example.edu")])
        .await;
    let link = link_in(
        &app.last_mail("maya@example.edu", "reset_password")
            .await
            .text_body,
        "/account/reset/",
    );
    // Past the link's hour.
    app.advance(chrono::Duration::minutes(61));
    let page = app
        .post(
            &link,
            &[
                ("password", "lantern-meadow-copper-finch"),
                ("password_confirm", "lantern-meadow-copper-finch"),
            ],
        )
        .await;
    assert_eq!(page.status, Status::Gone);
    page.assert_contains("This password reset link has expired");
    assert_eq!(
        app.login("maya@example.edu", PASSWORD).await.status,
        Status::SeeOther,
        "old password unchanged"
    );
}

#[rocket::async_test]
async fn changing_the_password_ends_the_other_sessions() {
    let app = spawn().await;
    app.logged_in_user("Maya Chen", "maya@example.edu").await;
    let phone = app.another_browser().await;
    assert_eq!(
        phone.login("maya@example.edu", PASSWORD).await.status,
        Status::SeeOther
    );
    phone.get("/").await.assert_contains("Welcome, Maya Chen.");

    let wrong = app
        .post(
            "/account/password",
            &[
                ("current_password", "not-my-password-1"),
                ("password", "lantern-meadow-copper-finch"),
                ("password_confirm", "lantern-meadow-copper-finch"),
            ],
        )
        .await;
    assert_eq!(wrong.status, Status::UnprocessableEntity);
    wrong.assert_contains("Your current password is not right.");
    let same = app
        .post(
            "/account/password",
            &[
                ("current_password", PASSWORD),
                ("password", PASSWORD),
                ("password_confirm", PASSWORD),
            ],
        )
        .await;
    same.assert_contains("Choose a new password that is different from the current one.");

    let changed = app
        .post(
            "/account/password",
            &[
                ("current_password", PASSWORD),
                ("password", "lantern-meadow-copper-finch"),
                ("password_confirm", "lantern-meadow-copper-finch"),
            ],
        )
        .await;
    assert_eq!(changed.location.as_deref(), Some("/"));
    app.get("/")
        .await
        .assert_contains("Your password has been changed")
        .assert_contains("Welcome, Maya Chen.");
    let phone_page = phone.get("/account/password").await;
    assert_eq!(phone_page.status, Status::SeeOther);
    assert_eq!(
        phone_page.location.as_deref(),
        Some("/account/login?next=/account/password")
    );
    app.last_mail("maya@example.edu", "password_changed").await;
}

#[rocket::async_test]
async fn an_admin_with_a_one_time_password_must_choose_a_new_one_first() {
    let app = spawn().await;
    let otp = fellowship_portal::seed::create_admin(
        app.pool(),
        "dean@example.edu",
        "Dean Admin",
        app.clock.now(),
    )
    .await
    .unwrap();
    let page = app.login("dean@example.edu", &otp).await;
    assert_eq!(page.location.as_deref(), Some("/account/password"));
    app.get("/account/password")
        .await
        .assert_contains("You logged in with a one-time password");
    let blocked = app.get("/admin/users").await;
    assert_eq!(blocked.location.as_deref(), Some("/account/password"));
    let done = app
        .post(
            "/account/password",
            &[
                ("current_password", &otp),
                ("password", PASSWORD),
                ("password_confirm", PASSWORD),
            ],
        )
        .await;
    assert_eq!(done.status, Status::SeeOther);
    assert_eq!(app.get("/admin/users").await.status, Status::Ok);
}
