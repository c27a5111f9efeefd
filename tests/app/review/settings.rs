//! Cycle settings and the rubric: bad input refused next to the field.

use rocket::http::Status;

use crate::fixtures::{assign, mark_eligible, post_review, Staff};
use crate::helpers::spawn;

#[rocket::async_test]
async fn settings_and_the_rubric_refuse_bad_input_next_to_the_field() {
    let app = spawn().await;
    let c = app.with_cycle().await;
    let manager = app.with_manager(&c, "Mo Manager", "mo@alliance.org").await;
    let settings = format!("/manage/cycles/{}/settings", c.id);
    let page = manager
        .post(
            &settings,
            &[
                ("reviewers_per_application", "0"),
                ("reviewer_cap", "many"),
                ("other_reviews", "after_submit"),
                ("disagreement_threshold", "15"),
            ],
        )
        .await;
    assert_eq!(page.status, Status::UnprocessableEntity);
    page.assert_contains("Reviewers per application must be a whole number from 1 to 10.")
        .assert_contains("The most applications per reviewer must be a whole number")
        .assert_contains("value=\"many\"")
        .assert_contains("Days to answer an offer must be a whole number from 1 to 90.");
    assert_eq!(
        app.count(&format!(
            "SELECT reviewers_per_application FROM cycles WHERE id = {}",
            c.id
        ))
        .await,
        3
    );
    let page = manager
        .post(
            &settings,
            &[
                ("reviewers_per_application", "2"),
                ("reviewer_cap", "4"),
                ("other_reviews", "never"),
                ("disagreement_threshold", "20"),
                ("blind_review", "true"),
                ("offer_days", "21"),
            ],
        )
        .await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    assert_eq!(
        app.count(&format!("SELECT COUNT(*) FROM cycles WHERE id = {} AND reviewers_per_application = 2 AND reviewer_cap = 4 AND show_other_reviews = 'never' AND blind_review = TRUE AND offer_days = 21", c.id)).await,
        1
    );
    // The rubric is the builder's: the settings page links to it, and an
    // import that is not JSON, or breaks a rule, is refused with the reason.
    manager
        .get(&settings)
        .await
        .assert_contains(&format!("/manage/cycles/{}/rubric\"", c.id))
        .assert_lacks("name=\"rubric\"");
    let import = format!("/manage/cycles/{}/rubric/import", c.id);
    let page = manager
        .post(&import, &[("version", "1"), ("json", "{\"criteria\": [")])
        .await;
    assert_eq!(page.status, Status::UnprocessableEntity);
    page.assert_contains("The rubric is not valid JSON");
    let two_keys = r#"{"criteria":[{"key":"a","label":"A","min":1,"max":5,"weight":1},{"key":"a","label":"B","min":1,"max":5,"weight":1}]}"#;
    let page = manager
        .post(&import, &[("version", "1"), ("json", two_keys)])
        .await;
    assert_eq!(page.status, Status::UnprocessableEntity);
    page.assert_contains("Two criteria use the key");
    let good = r#"{"criteria":[{"key":"impact","label":"Impact","min":0,"max":4,"weight":2}]}"#;
    let page = manager
        .post(&import, &[("version", "1"), ("json", good)])
        .await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    manager
        .get(&format!("/manage/cycles/{}/rubric", c.id))
        .await
        .assert_contains("Scale 0 to 4, weight 2");
    // Once a review exists, a change asks for a confirmation first.
    let Staff {
        id: rev,
        browser: reviewer,
    } = app
        .with_reviewer(&c, "Rae Reviewer", "rae@faculty.org")
        .await;
    let a = app
        .submitted_application(&c)
        .by("Ana Applicant", "ana@student.edu")
        .from("Lakeside University")
        .await;
    mark_eligible(&manager, a).await;
    assign(&manager, a, rev).await;
    post_review(
        &reviewer,
        a,
        &[
            ("score[impact]".into(), "2".into()),
            ("action".into(), "save".into()),
        ],
    )
    .await;
    let again = r#"{"criteria":[{"key":"impact","label":"Impact","min":0,"max":6,"weight":2}]}"#;
    let page = manager
        .post(&import, &[("version", "2"), ("json", again)])
        .await;
    assert_eq!(page.status, Status::Ok);
    page.assert_contains("Confirm the change to the rubric");
    assert_eq!(
        app.count(&format!(
            "SELECT rubric_version FROM cycles WHERE id = {}",
            c.id
        ))
        .await,
        2
    );
}
