//! Changing one's email address: confirmed from the new address, told to
//! the old one, each bad input answered next to its field.

use rocket::http::Status;

use crate::helpers::{link_in, spawn, PASSWORD};

#[rocket::async_test]
async fn a_new_email_address_is_the_accounts_once_confirmed_from_it() {
    let app = spawn().await;
    let maya = app.logged_in_user("Maya Chen", "maya@example.edu").await;
    let page = app.get("/account/email").await;
    page.assert_contains("Your account’s address is <strong>maya@example.edu</strong>");

    // Each bad input is told next to its field; nothing is sent.
    for (fields, field, message) in [
        (
            [("email", "not an address"), ("current_password", PASSWORD)],
            "email",
            "Enter an email address in the form name@example.org.",
        ),
        (
            [
                ("email", "MAYA@example.edu"),
                ("current_password", PASSWORD),
            ],
            "email",
            "That is already the account’s address.",
        ),
        (
            [
                ("email", "maya.chen@new.example.org"),
                ("current_password", ""),
            ],
            "current_password",
            "Enter your current password.",
        ),
        (
            [
                ("email", "maya.chen@new.example.org"),
                ("current_password", "not-the-password-at-all"),
            ],
            "current_password",
            "Your current password is not right.",
        ),
    ] {
        let page = app.post("/account/email", &fields).await;
        assert_eq!(page.status, Status::UnprocessableEntity, "{fields:?}");
        page.assert_contains(message)
            .assert_contains(&format!("id=\"{field}-error\""));
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE kind = 'email_change'")
            .await,
        0
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM email_changes").await, 0);

    // Asked for: a link to the new address; the account keeps the old one.
    let page = app
        .post(
            "/account/email",
            &[
                ("email", " Maya.Chen@New.Example.org "),
                ("current_password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    app.get("/account/email")
        .await
        .assert_contains("We sent a link to maya.chen@new.example.org.");
    assert_eq!(
        app.text(&format!("SELECT email FROM users WHERE id = {maya}"))
            .await,
        "maya@example.edu"
    );
    let mail = app
        .last_mail("maya.chen@new.example.org", "email_change")
        .await;
    assert!(mail
        .text_body
        .contains("from maya@example.edu to this address"));
    let link = link_in(&mail.text_body, "/account/email/");

    // Opening the link shows the change; only the button makes it.
    let visitor = app.another_browser().await;
    visitor
        .get(&link)
        .await
        .assert_contains("Make maya.chen@new.example.org my address");
    assert_eq!(
        app.text(&format!("SELECT email FROM users WHERE id = {maya}"))
            .await,
        "maya@example.edu"
    );
    let page = visitor.post(&link, &[]).await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    assert_eq!(
        app.text(&format!("SELECT email FROM users WHERE id = {maya}"))
            .await,
        "maya.chen@new.example.org"
    );
    // The old address is told; the change is on the record.
    let told = app.last_mail("maya@example.edu", "email_changed").await;
    assert!(
        told.text_body
            .contains("changed to\nmaya.chen@new.example.org")
            || told.text_body.contains("maya.chen@new.example.org")
    );
    assert_eq!(
        app.text("SELECT detail FROM audit_log WHERE action = 'user.email'")
            .await,
        "maya@example.edu → maya.chen@new.example.org"
    );
    // Logging in goes by the new address.
    let other = app.another_browser().await;
    assert_eq!(
        other.login("maya@example.edu", PASSWORD).await.status,
        Status::UnprocessableEntity
    );
    assert_eq!(
        other
            .login("maya.chen@new.example.org", PASSWORD)
            .await
            .status,
        Status::SeeOther
    );
    // The link works once.
    let page = visitor.post(&link, &[]).await;
    assert_eq!(page.status, Status::Gone);
    page.assert_contains("This link has already been used");
}

#[rocket::async_test]
async fn a_link_that_expired_was_replaced_or_names_a_taken_address_changes_nothing() {
    let app = spawn().await;
    let maya = app.logged_in_user("Maya Chen", "maya@example.edu").await;
    app.new_user("Ben Okafor", "ben@example.edu").await;
    let ask = |to: &'static str| {
        let app = &app;
        async move {
            let page = app
                .post(
                    "/account/email",
                    &[("email", to), ("current_password", PASSWORD)],
                )
                .await;
            assert_eq!(page.status, Status::SeeOther, "{}", page.body);
            link_in(
                &app.last_mail(to, "email_change").await.text_body,
                "/account/email/",
            )
        }
    };
    // Asking again replaces the earlier link.
    let first = ask("maya@one.example.org").await;
    let second = ask("maya@two.example.org").await;
    let page = app.post(&first, &[]).await;
    assert_eq!(page.status, Status::Gone);
    page.assert_contains("This link has already been used");
    app.get(&second)
        .await
        .assert_contains("Make maya@two.example.org my address");
    // An address another account has: asked for alike, refused by the link.
    let taken = ask("ben@example.edu").await;
    let page = app.post(&taken, &[]).await;
    assert_eq!(page.status, Status::Conflict);
    page.assert_contains("Another account has this email address, so nothing was changed.");
    // A link not followed within a day has expired.
    let late = ask("maya@three.example.org").await;
    app.advance(chrono::Duration::hours(25));
    let page = app.get(&late).await;
    assert_eq!(page.status, Status::Gone);
    page.assert_contains("This link has expired");
    let page = app.get("/account/email/not-a-real-token").await;
    assert_eq!(page.status, Status::NotFound);
    page.assert_contains("This link is not valid");
    assert_eq!(
        app.text(&format!("SELECT email FROM users WHERE id = {maya}"))
            .await,
        "maya@example.edu"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'user.email'")
            .await,
        0
    );
    // Signed out, the form is not there.
    let visitor = app.another_browser().await;
    let page = visitor.get("/account/email").await;
    assert_ne!(page.status, Status::Ok);
}
