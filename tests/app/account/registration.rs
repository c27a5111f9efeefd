//! Registering and confirming an account: mistakes explained, a taken
//! address answered as a new one, links that expire and work once.

use rocket::http::Status;

use crate::helpers::{link_in, spawn, PASSWORD};

#[rocket::async_test]
async fn a_student_registers_confirms_logs_in_and_out() {
    let app = spawn().await;
    let page = app
        .register("Maya Chen", "Maya.Chen@Example.edu", PASSWORD)
        .await;
    assert_eq!(page.status, Status::SeeOther);
    assert_eq!(page.location.as_deref(), Some("/account/login"));
    app.get("/account/login").await.assert_contains(
        "We sent an email to maya.chen@example.edu with a link to activate your account",
    );

    // Not before the email is confirmed: the answer of a wrong password
    // (so a login cannot tell that the registration made an account),
    // with the way to a new confirmation link.
    let page = app.login("maya.chen@example.edu", PASSWORD).await;
    let wrong = app
        .login("maya.chen@example.edu", "not-her-password-at-all")
        .await;
    assert_eq!(page.status, Status::UnprocessableEntity);
    assert_eq!(page.body, wrong.body);
    page.assert_contains("The email address or password is not right.")
        .assert_contains("If you have just created your account, open the confirmation link")
        .assert_contains("Send me a new confirmation link");
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 0);

    let mail = app
        .last_mail("maya.chen@example.edu", "confirm_email")
        .await;
    assert_eq!(
        mail.subject,
        "Confirm your email address for the application portal"
    );
    assert!(mail.text_body.contains("Hello Maya Chen"));
    let link = link_in(&mail.text_body, "/account/confirm/");
    let page = app.get(&link).await;
    assert_eq!(page.location.as_deref(), Some("/account/login"));
    app.get("/account/login")
        .await
        .assert_contains("Your email address is confirmed");

    let page = app.login("MAYA.CHEN@example.edu ", PASSWORD).await;
    assert_eq!(page.status, Status::SeeOther);
    assert_eq!(page.location.as_deref(), Some("/apply"));
    app.get("/")
        .await
        .assert_contains("Welcome, Maya Chen.")
        .assert_contains("Log out");
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 1);

    let page = app.post("/account/logout", &[]).await;
    assert_eq!(page.location.as_deref(), Some("/"));
    app.get("/")
        .await
        .assert_contains("You have been logged out")
        .assert_lacks("Welcome, Maya Chen");
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 0);
}

#[rocket::async_test]
async fn a_name_with_a_bidirectional_override_is_refused_and_nothing_is_stored() {
    let app = spawn().await;
    // U+202E shows what follows reversed: "AnaPorez" in a referee's inbox.
    let page = app
        .register("Ana\u{202E}zeroP", "ana@example.edu", PASSWORD)
        .await;
    assert_eq!(page.status, Status::UnprocessableEntity);
    page.assert_contains(
        r##"<a href="#name">Your name cannot contain invisible control characters.</a>"##,
    )
    .assert_contains(r#"id="name-error"><span class="visually-hidden">Error:</span> Your name cannot contain invisible control characters."#);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM users WHERE is_admin = FALSE")
            .await,
        0
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM outbox").await, 0);
    // The same name without it is welcome.
    let page = app.register("Ana Perez", "ana@example.edu", PASSWORD).await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM users WHERE name = 'Ana Perez'")
            .await,
        1
    );
}

#[rocket::async_test]
async fn registration_explains_each_mistake_and_keeps_what_was_typed() {
    let app = spawn().await;
    let page = app
        .post(
            "/account/register",
            &[
                ("name", "  "),
                ("email", "maya@"),
                ("password", "short"),
                ("password_confirm", "short"),
            ],
        )
        .await;
    assert_eq!(page.status, Status::UnprocessableEntity);
    page.assert_contains("<title>Error: Create an account")
        .assert_contains("There is a problem")
        .assert_contains(r##"<a href="#name">Enter your name.</a>"##)
        .assert_contains(
            r##"<a href="#email">Enter an email address in the form name@example.org.</a>"##,
        )
        .assert_contains(
            r##"<a href="#password">Choose a password of at least 12 characters.</a>"##,
        )
        .assert_contains(r#"id="email" name="email" type="email" value="maya@""#)
        .assert_contains(r#"aria-invalid="true""#)
        .assert_lacks("value=\"short\"");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM users WHERE is_admin = FALSE")
            .await,
        0
    );

    let page = app
        .post(
            "/account/register",
            &[
                ("name", "Maya"),
                ("email", "maya@example.edu"),
                ("password", "Password2024!"),
                ("password_confirm", "Password2024!"),
            ],
        )
        .await;
    assert_eq!(page.status, Status::UnprocessableEntity);
    page.assert_contains("That password is too common and easy to guess");

    let page = app
        .post(
            "/account/register",
            &[
                ("name", "Maya"),
                ("email", "maya@example.edu"),
                ("password", PASSWORD),
                ("password_confirm", "plum-kettle-orbit-sagE"),
            ],
        )
        .await;
    assert_eq!(page.status, Status::UnprocessableEntity);
    page.assert_contains(r##"<a href="#password_confirm">The two passwords do not match.</a>"##)
        .assert_contains(r#"value="Maya""#);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM users WHERE is_admin = FALSE")
            .await,
        0
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM outbox").await, 0);
}

/// Registering an address that has an account answers as for a new one
/// (the page must not tell who has an account); its owner is told by mail.
#[rocket::async_test]
async fn registering_a_taken_address_answers_as_for_a_new_one_and_tells_its_owner() {
    let app = spawn().await;
    app.new_user("Maya Chen", "maya@example.edu").await;
    let fresh = app
        .register("Sam Okafor", "sam@example.edu", "another-long-passphrase")
        .await;
    let taken = app
        .register(
            "Someone Else",
            "MAYA@example.edu",
            "another-long-passphrase",
        )
        .await;
    assert_eq!(taken.status, Status::SeeOther);
    assert_eq!(taken.location, fresh.location);
    let said = |email: &str| {
        format!("We sent an email to {email} with a link to activate your account, then log in.")
    };
    app.get("/account/login")
        .await
        .assert_contains(&said("maya@example.edu"));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM users WHERE is_admin = FALSE")
            .await,
        2
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM users WHERE name = 'Maya Chen'")
            .await,
        1
    );
    let notice = app.last_mail("maya@example.edu", "account_exists").await;
    assert_eq!(
        notice.subject,
        "You already have an application portal account"
    );
    assert!(
        notice.text_body.contains("/account/forgot"),
        "{}",
        notice.text_body
    );
    // Her password still works.
    assert_eq!(
        app.login("maya@example.edu", PASSWORD).await.status,
        Status::SeeOther
    );
}

#[rocket::async_test]
async fn confirmation_links_expire_and_work_once() {
    let app = spawn().await;
    app.register("Maya Chen", "maya@example.edu", PASSWORD)
        .await;
    let link = link_in(
        &app.last_mail("maya@example.edu", "confirm_email")
            .await
            .text_body,
        "/account/confirm/",
    );

    // A day and an hour later: past the link's 24 hours.
    app.advance(chrono::Duration::hours(25));
    let page = app.get(&link).await;
    assert_eq!(page.status, Status::Gone);
    page.assert_contains("This confirmation link has expired");
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM users WHERE email_confirmed_at IS NOT NULL AND is_admin = FALSE"
        )
        .await,
        0
    );

    // A new link, asked for from the login page.
    let page = app
        .post("/account/confirm/resend", &[("email", "maya@example.edu")])
        .await;
    assert_eq!(page.status, Status::SeeOther);
    let fresh = link_in(
        &app.last_mail("maya@example.edu", "confirm_email")
            .await
            .text_body,
        "/account/confirm/",
    );
    assert_ne!(fresh, link);
    assert_eq!(app.get(&fresh).await.status, Status::SeeOther);
    let again = app.get(&fresh).await;
    assert_eq!(again.status, Status::Gone);
    again.assert_contains("already been used");
    let bogus = app.get("/account/confirm/not-a-real-token").await;
    assert_eq!(bogus.status, Status::NotFound);
    bogus.assert_contains("This confirmation link is not valid");
}
