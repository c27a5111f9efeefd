//! Failed logins: the same answer for a wrong password and an unknown
//! email, and waits per account and per address that guessers cannot
//! get past nor turn against the owner.

use rocket::http::Status;

use crate::helpers::{link_in, spawn, PASSWORD};

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
