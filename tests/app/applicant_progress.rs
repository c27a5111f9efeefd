//! An applicant's sense of progress (section N of M, the section list with
//! each section's state, Change links, dates in words, autocomplete) and
//! answers that survive an ended session: kept while the applicant logs
//! in again, saved for the owner only, discarded after an hour.

use chrono::Duration;
use rocket::http::{ContentType, Status};

use crate::helpers::{multipart, spawn, Browser, TestApp, PASSWORD};

const MAYA: &str = "maya@example.edu";

/// Maya, logged in, with a Health Justice draft; its id.
async fn maya_with_a_draft(app: &TestApp) -> i64 {
    app.logged_in_user("Maya Chen", MAYA).await;
    app.start_health_justice(app).await
}

fn section(id: i64, key: &str) -> String {
    format!("/apply/applications/{id}/sections/{key}")
}

const EDUCATION: [(&str, &str); 4] = [
    ("a[institution]", "Johns Hopkins School of Nursing"),
    ("a[discipline]", "nursing"),
    ("a[degree]", "BSN"),
    ("a[expected_graduation]", "2027-05-31"),
];

/// Lets the idle session end (120 minutes without a request).
fn idle_out(app: &TestApp) {
    app.advance(Duration::minutes(121));
}

async fn stored_answers(app: &TestApp, id: i64) -> String {
    app.text(&format!(
        "SELECT answers_json FROM applications WHERE id = {id}"
    ))
    .await
}

async fn kept(app: &TestApp) -> i64 {
    app.count("SELECT COUNT(*) FROM answer_stashes").await
}

#[rocket::async_test]
async fn each_section_says_where_it_is_and_how_each_section_stands() {
    let app = spawn().await;
    let id = maya_with_a_draft(&app).await;
    let page = app.get(&section(id, "education")).await;
    assert_eq!(page.status, Status::Ok);
    page.assert_contains("Section 2 of 6")
        .assert_contains(r#"<progress id="form-progress" max="6" value="0">"#)
        .assert_contains("0 of 6 sections done")
        .assert_contains(r#"aria-current="page">Your education</a>"#)
        .assert_contains(r#"<span class="tag tag--not_started">Not started</span>"#);

    // Half an answer: the section has problems; a whole one: done.
    app.post_multipart(&section(id, "education"), &[("a[degree]", "BSN")], &[])
        .await;
    app.get(&section(id, "education")).await.assert_contains(
        r#"Your education</a> <span class="tag tag--has_problems">Has problems</span>"#,
    );
    app.post_multipart(&section(id, "education"), &EDUCATION, &[])
        .await;
    app.get(&section(id, "essays"))
        .await
        .assert_contains("Section 3 of 6")
        .assert_contains(r#"Your education</a> <span class="tag tag--done">Done</span>"#)
        .assert_contains(r#"value="1">"#)
        .assert_contains("1 of 6 sections done");
}

#[rocket::async_test]
async fn the_referees_page_lists_the_sections_with_itself_marked() {
    let app = spawn().await;
    let id = maya_with_a_draft(&app).await;
    let page = app.get(&format!("/apply/applications/{id}/referees")).await;
    assert_eq!(page.status, Status::Ok);
    page.assert_contains(r#"<nav aria-label="Sections of the application""#)
        .assert_contains(&format!(
            r#"<a href="/apply/applications/{id}/referees" aria-current="page">Your referees</a>"#
        ))
        .assert_contains(&format!(
            r#"<a href="/apply/applications/{id}/sections/references">Referees</a>"#
        ))
        .assert_contains("of 6 sections done");
    // On a section, the referees page is listed but not current.
    app.get(&section(id, "references"))
        .await
        .assert_contains(&format!(
            r#"<a href="/apply/applications/{id}/referees">Your referees</a>"#
        ));
}

#[rocket::async_test]
async fn the_review_page_has_a_change_link_beside_each_answer_and_dates_in_words() {
    let app = spawn().await;
    let id = maya_with_a_draft(&app).await;
    app.post_multipart(&section(id, "education"), &EDUCATION, &[])
        .await;
    let review = app.get(&format!("/apply/applications/{id}/review")).await;
    review
        .assert_contains(&format!(
            r#"<a href="/apply/applications/{id}/sections/education#q-institution">Change<span class="visually-hidden"> School, college or university</span></a>"#
        ))
        .assert_contains(&format!(
            r#"<a href="/apply/applications/{id}/sections/contact#q-legal_name">Change"#
        ))
        .assert_contains(&format!(
            r#"<a href="/apply/applications/{id}/referees">Change<span class="visually-hidden"> Your two referees"#
        ))
        .assert_contains("31 May 2027")
        .assert_lacks("2027-05-31");
    // The anchor leads to the question in its section.
    app.get(&section(id, "education"))
        .await
        .assert_contains(r#"id="q-institution""#);
    // The printable summary reads the same without links to change.
    app.get(&format!("/apply/applications/{id}/summary"))
        .await
        .assert_contains("31 May 2027")
        .assert_lacks(">Change<");
}

#[rocket::async_test]
async fn details_the_browser_knows_carry_autocomplete_tokens_and_input_types() {
    let app = spawn().await;
    let id = maya_with_a_draft(&app).await;
    let contact = app.get(&section(id, "contact")).await;
    for (key, kind, token) in [
        ("legal_name", "text", "name"),
        ("preferred_name", "text", "nickname"),
        ("email", "email", "email"),
        ("phone", "tel", "tel"),
        ("mailing_city", "text", "address-level2"),
        ("mailing_state", "text", "address-level1"),
    ] {
        contact.assert_contains(&format!(r#"type="{kind}" id="{key}" name="a[{key}]""#));
        let at = contact
            .body
            .find(&format!(r#"id="{key}" name="a[{key}]""#))
            .unwrap();
        let input = &contact.body[at..at + contact.body[at..].find('>').unwrap()];
        assert!(
            input.contains(&format!(r#"autocomplete="{token}""#)),
            "{key}: {input}"
        );
    }
    app.get(&section(id, "education"))
        .await
        .assert_contains(r#"autocomplete="organization""#);
    let profile = app.get("/apply/profile").await;
    profile.assert_contains(r#"name="p[phone]" type="tel" autocomplete="tel""#);
    // A referee is somebody else: the applicant's own details are not offered.
    app.get(&format!("/apply/applications/{id}/referees"))
        .await
        .assert_contains(r#"type="email" autocomplete="off""#);
}

#[rocket::async_test]
async fn status_tags_differ_in_shape_as_well_as_words() {
    let app = spawn().await;
    let id = maya_with_a_draft(&app).await;
    app.get("/apply")
        .await
        .assert_contains(r#"<span class="tag tag--status-draft">Draft</span>"#);
    app.get(&format!("/apply/applications/{id}"))
        .await
        .assert_contains(
            r#"<span class="tag tag--status-draft"><strong class="status">Draft</strong></span>"#,
        )
        .assert_contains(r#"<span class="tag tag--has_problems">"#);
    let css = app.get("/static/portal.css").await.body;
    for shape in [
        ".tag--status-draft::before",
        ".tag--status-under_review::before",
        ".tag--status-decision_available::before",
        ".tag--status-withdrawn::before",
        "border: 2px dashed",
        "border: 2px dotted",
        "border: 4px double",
    ] {
        assert!(css.contains(shape), "{shape}");
    }
}

#[rocket::async_test]
async fn after_logging_in_an_applicant_lands_on_their_applications_unless_next_says_where() {
    let app = spawn().await;
    app.new_user("Maya Chen", MAYA).await;
    let page = app.login(MAYA, PASSWORD).await;
    assert_eq!(page.location.as_deref(), Some("/apply"));
    let b = app.another_browser().await;
    let page = b
        .post(
            "/account/login",
            &[
                ("email", MAYA),
                ("password", PASSWORD),
                ("next", "/apply/profile"),
            ],
        )
        .await;
    assert_eq!(page.location.as_deref(), Some("/apply/profile"));
}

#[rocket::async_test]
async fn the_idle_limit_reaches_the_page_and_staying_logged_in_keeps_the_session() {
    let app = spawn().await;
    maya_with_a_draft(&app).await;
    app.get("/apply")
        .await
        .assert_contains(r#"<body data-session-idle-minutes="120">"#);
    // Nobody signed in: no warning to give.
    let anonymous = app.another_browser().await;
    anonymous
        .get("/")
        .await
        .assert_lacks("data-session-idle-minutes");
    app.advance(Duration::minutes(110));
    assert_eq!(app.get("/account/session").await.status, Status::NoContent);
    app.advance(Duration::minutes(110));
    assert_eq!(
        app.get("/apply").await.status,
        Status::Ok,
        "still logged in"
    );
    app.advance(Duration::minutes(121));
    let page = app.get("/account/session").await;
    assert_eq!(page.status, Status::SeeOther);
    assert_eq!(
        page.location.as_deref(),
        Some("/account/login?next=/account/session")
    );
}

#[rocket::async_test]
async fn a_save_after_the_session_ended_is_kept_and_saved_when_its_owner_logs_in() {
    let app = spawn().await;
    let id = maya_with_a_draft(&app).await;
    idle_out(&app);
    let page = app
        .post_multipart(&section(id, "education"), &EDUCATION, &[])
        .await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    let login = format!("/account/login?next=/apply/applications/{id}/sections/education");
    assert_eq!(page.location.as_deref(), Some(login.as_str()));
    assert_eq!(kept(&app).await, 1);
    assert!(!stored_answers(&app, id).await.contains("Johns Hopkins"));
    app.get(&login)
        .await
        .assert_contains("Your session ended. Log in again and your answers will be saved.");

    let page = app.login(MAYA, PASSWORD).await;
    assert_eq!(
        page.location.as_deref(),
        Some(section(id, "education").as_str())
    );
    app.get(&section(id, "education"))
        .await
        .assert_contains("Your answers were saved.")
        .assert_contains(r#"value="Johns Hopkins School of Nursing""#);
    assert!(stored_answers(&app, id)
        .await
        .contains("Johns Hopkins School of Nursing"));
    assert_eq!(kept(&app).await, 0, "read back once");
    // Logging in again later finds nothing more to save.
    let again = app.another_browser().await;
    assert_eq!(
        again.login(MAYA, PASSWORD).await.location.as_deref(),
        Some("/apply")
    );
}

#[rocket::async_test]
async fn a_kept_save_is_not_given_to_another_user_and_is_discarded() {
    let app = spawn().await;
    app.new_user("Ben Ortiz", "ben@example.edu").await;
    let id = maya_with_a_draft(&app).await;
    idle_out(&app);
    app.post_multipart(&section(id, "education"), &EDUCATION, &[])
        .await;
    assert_eq!(kept(&app).await, 1);
    // Ben logs in on the same browser: he lands on his own applications.
    let page = app.login("ben@example.edu", PASSWORD).await;
    assert_eq!(page.location.as_deref(), Some("/apply"));
    assert_eq!(kept(&app).await, 0, "discarded");
    assert!(!stored_answers(&app, id).await.contains("Johns Hopkins"));
    assert_eq!(
        app.get(&section(id, "education")).await.status,
        Status::NotFound
    );
    // Maya logging in afterwards gets nothing either.
    let b = app.another_browser().await;
    assert_eq!(
        b.login(MAYA, PASSWORD).await.location.as_deref(),
        Some("/apply")
    );
    assert!(!stored_answers(&app, id).await.contains("Johns Hopkins"));
}

#[rocket::async_test]
async fn a_kept_save_older_than_an_hour_is_discarded_and_the_login_says_so() {
    let app = spawn().await;
    let id = maya_with_a_draft(&app).await;
    idle_out(&app);
    app.post_multipart(&section(id, "education"), &EDUCATION, &[])
        .await;
    app.advance(Duration::minutes(61));
    let page = app.login(MAYA, PASSWORD).await;
    assert_eq!(page.location.as_deref(), Some("/apply"));
    app.get("/apply")
        .await
        .assert_contains("kept for one hour only, and that hour has passed");
    assert_eq!(kept(&app).await, 0);
    assert!(!stored_answers(&app, id).await.contains("Johns Hopkins"));
}

#[rocket::async_test]
async fn a_tampered_kept_save_is_refused_whole_after_login() {
    let app = spawn().await;
    let id = maya_with_a_draft(&app).await;
    idle_out(&app);
    let mut fields = EDUCATION.to_vec();
    fields.push(("a[legal_name]", "Somebody Else"));
    app.post_multipart(&section(id, "education"), &fields, &[])
        .await;
    let page = app.login(MAYA, PASSWORD).await;
    assert_eq!(
        page.location.as_deref(),
        Some(section(id, "education").as_str())
    );
    app.get(&section(id, "education"))
        .await
        .assert_contains("Your answers could not be saved: This form sent an answer to a question that is not on this page.");
    let stored = stored_answers(&app, id).await;
    assert!(!stored.contains("Johns Hopkins") && !stored.contains("Somebody Else"));
}

#[rocket::async_test]
async fn an_ended_session_save_without_its_csrf_token_is_refused_and_nothing_is_kept() {
    let app = spawn().await;
    let id = maya_with_a_draft(&app).await;
    idle_out(&app);
    let content_type = ContentType::new("multipart", "form-data")
        .with_params(("boundary", crate::helpers::BOUNDARY));
    let r = app
        .client
        .post(section(id, "education"))
        .header(content_type)
        .body(multipart(&EDUCATION, &[]))
        .dispatch()
        .await;
    assert_eq!(r.status(), Status::Forbidden);
    assert_eq!(kept(&app).await, 0);
}

#[rocket::async_test]
async fn without_any_session_a_save_goes_to_the_login_page_and_keeps_nothing() {
    let app = spawn().await;
    let id = maya_with_a_draft(&app).await;
    let stranger: Browser = app.another_browser().await;
    let page = stranger
        .post_multipart(&section(id, "education"), &EDUCATION, &[])
        .await;
    assert_eq!(page.status, Status::SeeOther);
    assert_eq!(
        page.location,
        Some(format!(
            "/account/login?next=/apply/applications/{id}/sections/education"
        ))
    );
    assert_eq!(kept(&app).await, 0);
}

#[rocket::async_test]
async fn a_referee_named_after_the_session_ended_is_asked_once_the_owner_logs_in() {
    let app = spawn().await;
    let id = maya_with_a_draft(&app).await;
    idle_out(&app);
    let page = app
        .name_referee(id, "1", "Dr. Rosa Parks", "rosa@example.org")
        .await;
    assert_eq!(
        page.location,
        Some(format!(
            "/account/login?next=/apply/applications/{id}/referees"
        ))
    );
    assert_eq!(kept(&app).await, 1);
    let page = app.login(MAYA, PASSWORD).await;
    assert_eq!(
        page.location,
        Some(format!("/apply/applications/{id}/referees"))
    );
    app.get(&format!("/apply/applications/{id}/referees"))
        .await
        .assert_contains("Your answers were saved. We sent Dr. Rosa Parks a request for a letter");
    app.last_mail("rosa@example.org", "referee_request").await;
}
