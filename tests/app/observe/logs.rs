//! A whole journey with the log captured (at debug): nothing a person
//! typed or was sent appears in it; every request has its line.

use fellowship_portal::logging::LogFormat;
use rocket::http::{ContentType, Header, Status};
use tracing::instrument::WithSubscriber;

use super::{assert_no_secrets, Captured};
use crate::apply::answer_everything;
use crate::fixtures::mark_eligible;
use crate::helpers::{encode, link_in, pdf, spawn, TestApp, PASSWORD};

const NAME: &str = "Maya Chen";
const EMAIL: &str = "maya@example.edu";
const NEW_PASSWORD: &str = "lantern-meadow-copper-finch";
const WRONG_PASSWORD: &str = "wrong-orchid-ladder-77";
const LETTER_MARKER: &str = "letter-marker-5e1d9c";

/// The token at the end of a link (`/referee/<token>`).
fn token_of(link: &str) -> String {
    link.rsplit('/').next().unwrap().to_owned()
}

/// Runs the journey; returns what must never be logged.
async fn journey(app: &TestApp) -> Vec<(&'static str, String)> {
    let mut secrets = vec![
        ("applicant's email", EMAIL.to_owned()),
        ("applicant's name", NAME.to_owned()),
        ("password", PASSWORD.to_owned()),
        ("wrong password", WRONG_PASSWORD.to_owned()),
        ("new password", NEW_PASSWORD.to_owned()),
        ("document marker", "cv-marker-3b7a41".to_owned()),
        ("letter marker", LETTER_MARKER.to_owned()),
    ];
    // Registration, the confirmation link, and logging in with a password.
    app.logged_in_user(NAME, EMAIL).await;
    let confirm = app.last_mail(EMAIL, "confirm_email").await;
    secrets.push((
        "confirmation token",
        token_of(&link_in(&confirm.text_body, "/account/confirm/")),
    ));
    let session = app.client.cookies().get_private("portal_session").unwrap();
    secrets.push(("session token", session.value().to_owned()));
    let sealed = app
        .client
        .cookies()
        .get("portal_session")
        .map(|c| c.value().to_owned())
        .unwrap();
    secrets.push(("session cookie as sent", sealed));
    secrets.push(("CSRF token", app.csrf().await));

    // Applying with a document, naming referees, submitting.
    let id = app.start_health_justice(app).await;
    answer_everything(app, id).await;
    let cv = app
        .post_multipart(
            &format!("/apply/applications/{id}/sections/documents"),
            &[],
            &[("f[cv]", "Maya CV.pdf", &pdf("cv-marker-3b7a41"))],
        )
        .await;
    assert_eq!(cv.status, Status::SeeOther, "{}", cv.body);
    for (slot, name, email) in [
        ("1", "Dr. Rosa Parks", "rosa@example.org"),
        ("2", "Prof. Sam Okafor", "sam@example.org"),
    ] {
        let page = app.name_referee(id, slot, name, email).await;
        assert_eq!(page.status, Status::SeeOther, "{}", page.body);
        secrets.push(("referee's email", email.to_owned()));
        secrets.push(("referee's name", name.to_owned()));
    }
    let submitted = app
        .post(&format!("/apply/applications/{id}/submit"), &[])
        .await;
    assert_eq!(submitted.status, Status::SeeOther, "{}", submitted.body);

    // The referee's link, used.
    let request = app.last_mail("rosa@example.org", "referee_request").await;
    let link = link_in(&request.text_body, "/referee/");
    secrets.push(("referee link token", token_of(&link)));
    let referee = app.another_browser().await;
    assert_eq!(referee.get(&link).await.status, Status::Ok);
    let letter = referee
        .post_multipart(
            &format!("{link}/letter"),
            &[],
            &[("letter", "Letter for Maya.pdf", &pdf(LETTER_MARKER))],
        )
        .await;
    assert_eq!(letter.status, Status::Ok, "{}", letter.body);

    // A manager acts on the application.
    let cycle = app.with_cycle().await;
    let manager = app
        .with_manager(&cycle, "Grace Hopper", "grace@example.org")
        .await;
    secrets.push(("manager's email", "grace@example.org".to_owned()));
    mark_eligible(&manager, id).await;
    manager
        .get(&format!("/manage/applications/{id}"))
        .await
        .assert_contains(NAME);

    // A wrong password, with an id of the caller's own.
    let csrf = app.csrf().await;
    let refused = app
        .client
        .post("/account/login")
        .header(ContentType::Form)
        .header(Header::new("X-Request-Id", "journey-login-1"))
        .body(encode(&[
            ("csrf_token", &csrf),
            ("email", EMAIL),
            ("password", WRONG_PASSWORD),
            ("next", "/"),
        ]))
        .dispatch()
        .await;
    assert_eq!(refused.status(), Status::UnprocessableEntity);
    assert_eq!(
        refused.headers().get_one("X-Request-Id"),
        Some("journey-login-1")
    );

    // A forgotten password, reset through its link.
    let forgot = app.post("/account/forgot", &[("email", EMAIL)]).await;
    assert_eq!(forgot.status, Status::SeeOther);
    let reset = app.last_mail(EMAIL, "reset_password").await;
    let link = link_in(&reset.text_body, "/account/reset/");
    secrets.push(("reset token", token_of(&link)));
    let done = app
        .post(
            &link,
            &[
                ("password", NEW_PASSWORD),
                ("password_confirm", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(done.location.as_deref(), Some("/account/login"));
    assert_eq!(
        app.login(EMAIL, NEW_PASSWORD).await.status,
        Status::SeeOther
    );

    // The worker delivers what was queued (to .eml files).
    app.worker().deliver_due().await.unwrap();
    secrets
}

#[rocket::async_test]
async fn a_whole_journey_logs_each_request_and_nothing_personal() {
    let log = Captured::default();
    let (secrets, app) = async {
        let app = spawn().await;
        (journey(&app).await, app)
    }
    .with_subscriber(log.dispatch(LogFormat::Text))
    .await;
    let text = log.text();
    assert_no_secrets(&text, &secrets);

    // One line per request, with the route's pattern, status and id.
    let requests: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("portal::request"))
        .collect();
    assert!(requests.len() > 20, "{text}");
    for line in &requests {
        assert!(line.contains(" request_id="), "{line}");
        assert!(line.contains(" ms="), "{line}");
    }
    let has = |route: &str, status: u16| {
        requests.iter().any(|l| {
            l.contains(&format!("route=\"{route}\"")) && l.contains(&format!("status={status}"))
        })
    };
    for (route, status) in [
        ("/account/register", 303),
        ("/account/confirm/<secret>", 303),
        ("/account/login", 303),
        ("/account/login", 422),
        ("/apply/applications/<id>/sections/<key>", 303),
        ("/apply/applications/<id>/submit", 303),
        ("/referee/<secret>", 200),
        ("/referee/<_>/letter", 200),
        ("/manage/applications/<id>/screen", 303),
        ("/account/reset/<secret>", 303),
    ] {
        assert!(has(route, status), "no {route} {status} line in:\n{text}");
    }
    // What is logged during a request carries its id.
    let refusal = text
        .lines()
        .find(|l| l.contains("login refused"))
        .unwrap_or_else(|| panic!("the refused login is logged:\n{text}"));
    assert!(
        refusal.contains("request_id=journey-login-1"),
        "{refusal}\n{}",
        text.lines()
            .filter(|l| l.contains("request{"))
            .take(5)
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(requests
        .iter()
        .any(|l| l.contains("request_id=journey-login-1") && l.contains("status=422")));
    // And so are the use cases' and database calls' spans.
    assert!(refusal.contains(":log_in"), "{refusal}");
    drop(app);
}
