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
    // A rubric that is not JSON, or breaks a rule, is refused with the reason.
    let rubric = format!("/manage/cycles/{}/rubric", c.id);
    let page = manager
        .post(&rubric, &[("rubric", "{\"criteria\": [")])
        .await;
    assert_eq!(page.status, Status::UnprocessableEntity);
    page.assert_contains("The rubric is not valid JSON");
    let two_keys = r#"{"criteria":[{"key":"a","label":"A","min":1,"max":5,"weight":1},{"key":"a","label":"B","min":1,"max":5,"weight":1}]}"#;
    let page = manager.post(&rubric, &[("rubric", two_keys)]).await;
    assert_eq!(page.status, Status::UnprocessableEntity);
    page.assert_contains("Two criteria use the key");
    let good = r#"{"criteria":[{"key":"impact","label":"Impact","min":0,"max":4,"weight":2}]}"#;
    let page = manager.post(&rubric, &[("rubric", good)]).await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    manager
        .get(&settings)
        .await
        .assert_contains("Scale 0 to 4, weight 2");
    // Once a review exists, the rubric is locked.
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
    let page = manager.post(&rubric, &[("rubric", good)]).await;
    assert_eq!(page.status, Status::UnprocessableEntity);
    page.assert_contains("The rubric cannot change now");
}
