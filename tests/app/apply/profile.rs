//! The profile and demographics: optional, stored apart, validated.

use rocket::http::Status;

use crate::helpers::spawn;

#[rocket::async_test]
async fn demographics_are_optional_stored_apart_and_validated() {
    let app = spawn().await;
    app.logged_in_user("Maya Chen", "maya@example.edu").await;
    app.get("/apply/demographics")
        .await
        .assert_contains("never shown to reviewers")
        .assert_contains("Prefer not to say");
    let saved = app
        .post(
            "/apply/demographics",
            &[
                ("a[race_ethnicity]", ""),
                ("a[race_ethnicity]", "asian"),
                ("a[race_ethnicity]", "white"),
                ("a[first_generation]", "yes"),
            ],
        )
        .await;
    assert_eq!(saved.status, Status::SeeOther);
    app.get("/apply/demographics")
        .await
        .assert_contains("Your answers are saved");
    assert_eq!(app.count("SELECT COUNT(*) FROM demographics").await, 1);
    let tampered = app
        .post("/apply/demographics", &[("a[disability]", "sometimes")])
        .await;
    assert_eq!(tampered.status, Status::UnprocessableEntity);
    tampered.assert_contains("Choose one of the options listed.");
    let id = app.start_health_justice(&app).await;
    app.get(&format!("/apply/applications/{id}/summary"))
        .await
        .assert_lacks("Asian")
        .assert_lacks("first in your family");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM applications WHERE answers_json LIKE '%asian%'")
            .await,
        0
    );
}

#[rocket::async_test]
async fn a_preferred_name_with_a_bidirectional_override_is_refused_and_nothing_saved() {
    let app = spawn().await;
    app.logged_in_user("Maya Chen", "maya@example.edu").await;
    let page = app
        .post(
            "/apply/profile",
            &[
                ("p[preferred_name]", "Ma\u{2067}ya"),
                ("p[institution]", "Howard"),
            ],
        )
        .await;
    assert_eq!(page.status, Status::UnprocessableEntity);
    page.assert_contains("Your preferred name cannot contain invisible control characters.");
    assert_eq!(app.count("SELECT COUNT(*) FROM profiles").await, 0);
}

#[rocket::async_test]
async fn a_bad_profile_date_is_explained_and_nothing_saved() {
    let app = spawn().await;
    app.logged_in_user("Maya Chen", "maya@example.edu").await;
    let page = app
        .post(
            "/apply/profile",
            &[
                ("p[institution]", "Howard"),
                ("p[expected_graduation]", "next spring"),
            ],
        )
        .await;
    assert_eq!(page.status, Status::UnprocessableEntity);
    page.assert_contains("Enter the date as, for example, 2027-05-31.")
        .assert_contains(r#"value="Howard""#);
    assert_eq!(app.count("SELECT COUNT(*) FROM profiles").await, 0);
}
