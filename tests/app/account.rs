//! Registering, confirming, logging in and out, passwords, sessions.

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
    assert_eq!(page.location.as_deref(), Some("/"));
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
async fn a_wrong_password_and_an_unknown_email_get_the_same_answer() {
    let app = spawn().await;
    app.new_user("Maya Chen", "maya@example.edu").await;
    let wrong = app
        .login("maya@example.edu", "not-the-password-at-all")
        .await;
    let unknown = app.login("nobody@example.edu", PASSWORD).await;
    for page in [&wrong, &unknown] {
        assert_eq!(page.status, Status::UnprocessableEntity);
        page.assert_contains("The email address or password is not right.");
    }
    let empty = app.login("", "").await;
    empty
        .assert_contains("Enter your email address.")
        .assert_contains("Enter your password.");
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 0);
}

#[rocket::async_test]
async fn five_failed_logins_make_the_account_wait() {
    let app = spawn().await;
    app.new_user("Maya Chen", "maya@example.edu").await;
    for attempt in 1..=4 {
        let page = app
            .login("maya@example.edu", "guess-number-something")
            .await;
        assert_eq!(
            page.status,
            Status::UnprocessableEntity,
            "attempt {attempt}"
        );
        page.assert_contains("The email address or password is not right.");
    }
    let fifth = app
        .login("maya@example.edu", "guess-number-something")
        .await;
    fifth.assert_contains("Too many failed attempts to log in. Please wait 30 seconds");
    // Even the right password waits.
    let page = app.login("maya@example.edu", PASSWORD).await;
    assert_eq!(page.status, Status::TooManyRequests);
    page.assert_contains("Too many failed attempts")
        .assert_contains("reset your password");
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 0);

    // When the wait is over, the right password works and the count starts again.
    app.advance(chrono::Duration::minutes(1));
    let page = app.login("maya@example.edu", PASSWORD).await;
    assert_eq!(page.status, Status::SeeOther);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM login_throttle WHERE key = 'account:maya@example.edu'")
            .await,
        0
    );
}

#[rocket::async_test]
async fn many_failures_from_one_address_make_that_address_wait() {
    let app = spawn().await;
    app.new_user("Maya Chen", "maya@example.edu").await;
    let token = app.csrf().await;
    let attempt = |email: String, password: &'static str, from: &'static str| {
        let body = crate::helpers::encode(&[
            ("csrf_token", &token),
            ("email", &email),
            ("password", password),
            ("next", "/"),
        ]);
        let client = &app.client;
        async move {
            let r = client
                .post("/account/login")
                .header(rocket::http::ContentType::Form)
                .remote(from.parse().unwrap())
                .body(body)
                .dispatch()
                .await;
            (r.status(), r.into_string().await.unwrap_or_default())
        }
    };
    // Twenty guesses, each at a different account, from one address.
    for i in 0..20 {
        attempt(
            format!("guess{i}@example.edu"),
            "not-the-password-1",
            "203.0.113.7:5000",
        )
        .await;
    }
    let (status, body) = attempt("maya@example.edu".into(), PASSWORD, "203.0.113.7:5001").await;
    assert_eq!(status, Status::TooManyRequests);
    assert!(body.contains("Too many failed attempts"), "{body}");
    // Another address is not affected.
    let (status, _) = attempt("maya@example.edu".into(), PASSWORD, "198.51.100.2:5000").await;
    assert_eq!(status, Status::SeeOther);
}

/// Guesses sent all at once are counted before any password is checked:
/// no more than five are ever tried before the wait.
#[rocket::async_test]
async fn parallel_guesses_cannot_get_past_the_count() {
    let app = spawn().await;
    app.new_user("Maya Chen", "maya@example.edu").await;
    let guesses = (0..20).map(|i| {
        let app = &app;
        async move {
            let guess = format!("guess-number-{i}-wrong");
            app.login_from("maya@example.edu", &guess, "203.0.113.7:5000")
                .await
        }
    });
    let answers = futures::future::join_all(guesses).await;
    let tried = answers
        .iter()
        .filter(|p| p.status == Status::UnprocessableEntity)
        .count();
    let refused = answers
        .iter()
        .filter(|p| {
            p.status == Status::TooManyRequests && p.body.contains("Too many failed attempts")
        })
        .count();
    assert_eq!((tried, refused), (5, 15));
    assert_eq!(
        app.count("SELECT failures FROM login_throttle WHERE key = 'account:maya@example.edu|address:203.0.113.7'")
            .await,
        5
    );
}

/// Someone guessing from elsewhere makes only their own address wait: the
/// owner logs in from theirs, and a reset link ends any wait at once.
#[rocket::async_test]
async fn guesses_from_another_address_never_lock_the_owner_out() {
    let app = spawn().await;
    app.new_user("Maya Chen", "maya@example.edu").await;
    for i in 0..30 {
        let guess = format!("wrong-{i}-guess");
        app.login_from("maya@example.edu", &guess, "203.0.113.7:5000")
            .await;
    }
    let page = app
        .login_from("maya@example.edu", PASSWORD, "203.0.113.7:5001")
        .await;
    assert_eq!(page.status, Status::TooManyRequests, "{}", page.body);
    let page = app
        .login_from("maya@example.edu", PASSWORD, "198.51.100.2:5000")
        .await;
    assert_eq!(
        page.status,
        Status::SeeOther,
        "the owner, at another address, gets in"
    );

    // The guesser's address waits until the owner resets the password.
    app.post("/account/forgot", &[("email", "maya@example.edu")])
        .await;
    let link = link_in(
        &app.last_mail("maya@example.edu", "reset_password")
            .await
            .text_body,
        "/account/reset/",
    );
    let fresh = "a brand new passphrase here";
    let page = app
        .post(&link, &[("password", fresh), ("password_confirm", fresh)])
        .await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM login_throttle WHERE account = 'maya@example.edu'")
            .await,
        0
    );
    let page = app
        .login_from("maya@example.edu", fresh, "203.0.113.7:5002")
        .await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
}

/// An "email address" typed to spell another counter's key counts as
/// itself: guesses at `maya@…|address:<her address>` never make Maya wait.
#[rocket::async_test]
async fn a_typed_address_cannot_spell_the_owners_counter() {
    let app = spawn().await;
    app.new_user("Maya Chen", "maya@example.edu").await;
    // Enough, from as many addresses, for that spelled key's own wait.
    for i in 0..21 {
        let guess = format!("wrong-{i}-guess");
        app.login_from(
            "maya@example.edu|address:198.51.100.2",
            &guess,
            &format!("203.0.113.{i}:5000"),
        )
        .await;
    }
    let page = app
        .login_from("maya@example.edu", PASSWORD, "198.51.100.2:5000")
        .await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
}

/// Guesses spread over many addresses slow the account down for every new
/// browser, but never the owner's own: a browser the account logged in
/// from before gets in with the right password.
#[rocket::async_test]
async fn guesses_from_many_addresses_never_lock_out_the_owners_browser() {
    let app = spawn().await;
    app.new_user("Maya Chen", "maya@example.edu").await;
    let page = app
        .login_from("maya@example.edu", PASSWORD, "198.51.100.2:5000")
        .await;
    assert_eq!(page.status, Status::SeeOther);
    let device = page
        .cookies
        .iter()
        .find(|c| c.starts_with("portal_device="))
        .expect("the browser is remembered")
        .clone();
    assert!(
        device.contains("HttpOnly") && device.contains("Max-Age="),
        "{device}"
    );
    let attacker = app.another_browser().await;
    for i in 0..25 {
        let guess = format!("wrong-{i}-guess");
        attacker
            .login_from("maya@example.edu", &guess, &format!("203.0.113.{i}:5000"))
            .await;
    }
    let stranger = app.another_browser().await;
    let page = stranger
        .login_from("maya@example.edu", PASSWORD, "192.0.2.9:5000")
        .await;
    assert_eq!(page.status, Status::TooManyRequests, "{}", page.body);
    page.assert_contains("Too many failed attempts");
    let page = app
        .login_from("maya@example.edu", PASSWORD, "198.51.100.77:5000")
        .await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
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
async fn logging_out_ends_the_sessions_on_every_device() {
    let app = spawn().await;
    app.logged_in_user("Maya Chen", "maya@example.edu").await;
    let phone = app.another_browser().await;
    phone.login("maya@example.edu", PASSWORD).await;
    app.post("/account/logout", &[]).await;
    phone.get("/").await.assert_lacks("Welcome, Maya Chen");
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 0);
}

#[rocket::async_test]
async fn an_idle_session_ends() {
    let app = spawn().await;
    app.logged_in_user("Maya Chen", "maya@example.edu").await;
    app.get("/").await.assert_contains("Welcome, Maya Chen.");
    // Three hours without a request: longer than the two allowed.
    app.advance(chrono::Duration::hours(3));
    let page = app.get("/account/password").await;
    assert_eq!(
        page.location.as_deref(),
        Some("/account/login?next=/account/password")
    );
    app.get("/").await.assert_lacks("Welcome, Maya Chen");
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 0);
}

/// However active, a session ends 12 hours after logging in (a shared
/// computer left logged in all day).
#[rocket::async_test]
async fn a_session_ends_twelve_hours_after_logging_in() {
    let app = spawn().await;
    app.logged_in_user("Maya Chen", "maya@example.edu").await;
    // A request every hour for eleven hours: never idle, still logged in.
    for _ in 0..11 {
        app.advance(chrono::Duration::hours(1));
        app.get("/").await.assert_contains("Welcome, Maya Chen.");
    }
    app.advance(chrono::Duration::hours(1));
    let page = app.get("/account/password").await;
    assert_eq!(
        page.location.as_deref(),
        Some("/account/login?next=/account/password")
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 0);
}

#[rocket::async_test]
async fn an_admin_with_a_one_time_password_must_choose_a_new_one_first() {
    let app = spawn().await;
    let otp = fellowship_portal::seed::create_admin(app.pool(), "dean@example.edu", "Dean Admin")
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
