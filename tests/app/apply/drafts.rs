//! Drafts: partial answers kept, limits pointed out, tampered sections refused.

use rocket::http::Status;

use crate::helpers::spawn;

#[rocket::async_test]
async fn drafts_keep_partial_answers_and_point_out_limits() {
    let app = spawn().await;
    app.logged_in_user("Maya Chen", "maya@example.edu").await;
    // The profile pre-fills a new application.
    app.post(
        "/apply/profile",
        &[
            ("p[pronouns]", "she/her"),
            ("p[institution]", "Morehouse School of Medicine"),
        ],
    )
    .await;
    let id = app.start_health_justice(&app).await;
    app.get(&format!("/apply/applications/{id}/sections/contact"))
        .await
        .assert_contains(r#"value="Maya Chen""#)
        .assert_contains(r#"value="maya@example.edu""#)
        .assert_contains(r#"value="she/her""#);
    app.get(&format!("/apply/applications/{id}/sections/education"))
        .await
        .assert_contains(r#"value="Morehouse School of Medicine""#);

    let long = "word ".repeat(510);
    let page = app
        .post_multipart(
            &format!("/apply/applications/{id}/sections/essays"),
            &[("a[health_equity_essay]", &long), ("next", "save")],
            &[],
        )
        .await;
    assert_eq!(
        page.location,
        Some(format!("/apply/applications/{id}/sections/essays")),
        "an over-long draft is still saved"
    );
    app.get(&format!("/apply/applications/{id}/sections/essays"))
        .await
        .assert_contains("Your answers are saved.")
        .assert_contains("has 510 words; the limit is 500. Shorten it by 10.")
        .assert_contains("510 of 500 words");
    app.get(&format!("/apply/applications/{id}/review"))
        .await
        .assert_contains("has 510 words; the limit is 500");
    let stored = app
        .count(&format!(
            "SELECT CAST(LENGTH(answers_json) AS BIGINT) FROM applications WHERE id = {id}"
        ))
        .await;
    assert!(stored > 2500, "the whole essay is kept ({stored})");
}

#[rocket::async_test]
async fn a_tampered_section_is_refused_whole_and_nothing_changes() {
    let app = spawn().await;
    app.logged_in_user("Maya Chen", "maya@example.edu").await;
    let id = app.start_health_justice(&app).await;
    let url = format!("/apply/applications/{id}/sections/education");
    app.post_multipart(&url, &[("a[institution]", "Howard University")], &[])
        .await;
    let before = app
        .count(&format!(
            "SELECT CAST(LENGTH(answers_json) AS BIGINT) FROM applications WHERE id = {id}"
        ))
        .await;

    let choice = app
        .post_multipart(
            &url,
            &[
                ("a[institution]", "Changed"),
                ("a[discipline]", "astrology"),
            ],
            &[],
        )
        .await;
    assert_eq!(choice.status, Status::UnprocessableEntity);
    choice
        .assert_contains("Choose one of the options listed.")
        .assert_contains(r##"<a href="#discipline">"##);
    let unknown = app
        .post_multipart(
            &url,
            &[("a[institution]", "Changed"), ("a[salary]", "1000000")],
            &[],
        )
        .await;
    assert_eq!(unknown.status, Status::UnprocessableEntity);
    unknown.assert_contains("does not exist");
    let elsewhere = app
        .post_multipart(
            &url,
            &[
                ("a[institution]", "Changed"),
                ("a[health_equity_essay]", "x"),
            ],
            &[],
        )
        .await;
    assert_eq!(elsewhere.status, Status::UnprocessableEntity);
    elsewhere.assert_contains("not on this page");
    let after = app
        .count(&format!(
            "SELECT CAST(LENGTH(answers_json) AS BIGINT) FROM applications WHERE id = {id}"
        ))
        .await;
    assert_eq!(before, after);
    app.get(&url)
        .await
        .assert_contains(r#"value="Howard University""#)
        .assert_lacks("Changed");
}

#[rocket::async_test]
async fn a_refused_long_answer_comes_back_byte_for_byte() {
    let app = spawn().await;
    app.logged_in_user("Maya Chen", "maya@example.edu").await;
    let id = app.start_health_justice(&app).await;
    // A file sent to a text question refuses the save; the page shows the
    // essay again, its lines with leading spaces and its blank line exactly
    // as typed.
    let essay = "My first paragraph.\n    An indented line.\n\n  Two spaces, then the end.";
    let page = app
        .post_multipart(
            &format!("/apply/applications/{id}/sections/essays"),
            &[("a[health_equity_essay]", essay), ("next", "save")],
            &[("f[health_equity_essay]", "essay.pdf", b"%PDF-1.4 essay")],
        )
        .await;
    assert_eq!(page.status, Status::UnprocessableEntity);
    page.assert_contains("This question does not take a file.")
        .assert_contains(&format!("{essay}</textarea>"));
}
