//! Starting and submitting: eligibility, resuming, the review page and
//! the confirmation.

use rocket::http::Status;

use super::ready_to_submit;
use crate::helpers::spawn;

#[rocket::async_test]
async fn a_student_applies_and_submits_and_gets_a_confirmation() {
    let app = spawn().await;
    let id = ready_to_submit(&app).await;
    app.get(&format!("/apply/applications/{id}/review"))
        .await
        .assert_contains("Everything is complete")
        .assert_contains("Submit my application");
    let page = app
        .post(&format!("/apply/applications/{id}/submit"), &[])
        .await;
    assert_eq!(page.location, Some(format!("/apply/applications/{id}")));
    let status = app.get(&format!("/apply/applications/{id}")).await;
    status
        .assert_contains(
            "Your application is submitted. We sent a confirmation to maya@example.edu.",
        )
        .assert_contains(r#"<strong class="status">Submitted</strong>"#)
        .assert_contains("Dr. Rosa Parks (Clinical supervisor): <span class=\"tag tag--letter-requested\"><strong>Requested</strong></span>");
    let mail = app
        .last_mail("maya@example.edu", "application_submitted")
        .await;
    assert_eq!(
        mail.subject,
        "Your application to the Health Justice Fellowship was submitted"
    );
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM application_events WHERE application_id = {id} AND to_stage = 'submitted' AND move = 'submit'")).await, 1);
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM applications WHERE id = {id} AND stage = 'submitted' AND submitted_at IS NOT NULL")).await, 1);

    // Read-only afterwards: the sections send the applicant back, with a reason.
    let section = app
        .get(&format!("/apply/applications/{id}/sections/essays"))
        .await;
    assert_eq!(section.status, Status::SeeOther);
    let save = app
        .post_multipart(
            &format!("/apply/applications/{id}/sections/essays"),
            &[("a[health_equity_essay]", "changed")],
            &[],
        )
        .await;
    assert_eq!(save.status, Status::SeeOther);
    app.get(&format!("/apply/applications/{id}"))
        .await
        .assert_contains("can no longer be changed");
    app.get(&format!("/apply/applications/{id}/summary"))
        .await
        .assert_contains("Nights in a community clinic taught me that housing is health.")
        .assert_lacks("changed");
    // Submitting twice is refused.
    let twice = app
        .post(&format!("/apply/applications/{id}/submit"), &[])
        .await;
    assert_eq!(twice.status, Status::UnprocessableEntity);
    twice.assert_contains("This application cannot be submitted now: its status is “Submitted”.");
}

#[rocket::async_test]
async fn the_review_page_lists_every_missing_answer_with_a_link() {
    let app = spawn().await;
    app.logged_in_user("Maya Chen", "maya@example.edu").await;
    let id = app.start_health_justice(&app).await;
    let review = app.get(&format!("/apply/applications/{id}/review")).await;
    review
        .assert_contains(&format!(r#"<a href="/apply/applications/{id}/sections/contact#mailing_city">Answer “Mailing address: city”.</a>"#))
        .assert_contains(&format!(r#"<a href="/apply/applications/{id}/sections/documents#cv">Upload a file for “CV or résumé”.</a>"#))
        .assert_contains(&format!(r#"href="/apply/applications/{id}/referees">Name 2 referees"#))
        .assert_lacks("Submit my application");
    let refused = app
        .post(&format!("/apply/applications/{id}/submit"), &[])
        .await;
    assert_eq!(refused.status, Status::UnprocessableEntity);
    refused
        .assert_contains("Your application is not complete yet")
        .assert_contains("Answer “Mailing address: city”.");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM applications WHERE stage = 'draft'")
            .await,
        1
    );
}

#[rocket::async_test]
async fn an_ineligible_student_is_told_why_and_nothing_is_stored() {
    let app = spawn().await;
    app.logged_in_user("Maya Chen", "maya@example.edu").await;
    let cycle = app.cycle_of("health-justice").await;
    app.get(&format!("/apply/cycles/{cycle}"))
        .await
        .assert_contains("First, can you apply?");
    let page = app
        .post(
            &format!("/apply/cycles/{cycle}/start"),
            &[
                ("e[enrolled_us_health_program]", "no"),
                ("e[can_commit_time]", "yes"),
            ],
        )
        .await;
    assert_eq!(page.status, Status::Ok);
    page.assert_contains("You cannot apply to the Health Justice Fellowship this time")
        .assert_contains("open only to students who are currently enrolled")
        .assert_contains("Nothing has been saved.");
    let missing = app
        .post(
            &format!("/apply/cycles/{cycle}/start"),
            &[("e[enrolled_us_health_program]", "yes")],
        )
        .await;
    assert_eq!(missing.status, Status::UnprocessableEntity);
    missing.assert_contains("Answer “Can you commit about 5 hours");
    let tampered = app
        .post(
            &format!("/apply/cycles/{cycle}/start"),
            &[
                ("e[enrolled_us_health_program]", "perhaps"),
                ("e[can_commit_time]", "yes"),
            ],
        )
        .await;
    assert_eq!(tampered.status, Status::UnprocessableEntity);
    assert_eq!(app.count("SELECT COUNT(*) FROM applications").await, 0);
}

#[rocket::async_test]
async fn a_second_start_resumes_the_first_application() {
    let app = spawn().await;
    app.logged_in_user("Maya Chen", "maya@example.edu").await;
    let first = app.start_health_justice(&app).await;
    let cycle = app.cycle_of("health-justice").await;
    let again = app
        .post(
            &format!("/apply/cycles/{cycle}/start"),
            &[
                ("e[enrolled_us_health_program]", "yes"),
                ("e[can_commit_time]", "yes"),
            ],
        )
        .await;
    assert_eq!(again.location, Some(format!("/apply/applications/{first}")));
    let page = app.get(&format!("/apply/cycles/{cycle}")).await;
    assert_eq!(page.location, Some(format!("/apply/applications/{first}")));
    assert_eq!(app.count("SELECT COUNT(*) FROM applications").await, 1);
}
