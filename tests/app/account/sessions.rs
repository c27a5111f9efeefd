//! Sessions end on logging out (on every device), when idle, and twelve
//! hours after logging in.

use crate::helpers::{spawn, PASSWORD};

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
