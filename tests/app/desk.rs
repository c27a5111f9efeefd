//! The reviewer's desk (`/review`, `/review/done`): to-do and done apart
//! with counts from the database, paging, due dates and overdue in words,
//! declared conflicts apart; the review page with the application beside
//! the rubric and a draft kept after a refused submission; the manager's
//! application page with the answers before the actions.

use fellowship_portal::db::assignments;
use fellowship_portal::domain::application::ApplicationId;
use fellowship_portal::domain::cycle::CycleId;
use fellowship_portal::domain::workflow::stage::Stage;
use rocket::http::Status;

use crate::fixtures::{assign, mark_eligible, past_due, post_review, review_fields, Cycle, Staff};
use crate::helpers::{TestApp, PASSWORD};

/// A cycle with a manager and a reviewer, and `n` applications in review
/// assigned to the reviewer through the manager's form.
async fn desk_of(n: usize) -> (TestApp, Cycle, Staff, Staff, Vec<i64>) {
    let app = crate::helpers::spawn().await;
    let c = app.with_cycle().await;
    let manager = app
        .with_manager(&c, "Mia Manager", "mia@alliance.org")
        .await;
    let reviewer = app
        .with_reviewer(&c, "Rae Reviewer", "rae@faculty.org")
        .await;
    let mut ids = Vec::new();
    for _ in 0..n {
        let a = app.submitted_application(&c).await;
        mark_eligible(&manager, a).await;
        assign(&manager, a, reviewer.id).await;
        ids.push(a);
    }
    (app, c, manager, reviewer, ids)
}

fn link(a: i64) -> String {
    format!("href=\"/review/applications/{a}\"")
}

#[rocket::async_test]
async fn the_desk_keeps_to_do_and_done_apart_with_their_counts() {
    let (_app, c, _manager, reviewer, ids) = desk_of(3).await;
    let page = post_review(&reviewer, ids[0], &review_fields(&c, "4", "submit")).await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    let draft = post_review(&reviewer, ids[1], &review_fields(&c, "3", "save")).await;
    assert_eq!(draft.status, Status::SeeOther, "{}", draft.body);

    let to_do = reviewer.get("/review").await;
    assert_eq!(to_do.status, Status::Ok);
    to_do
        .assert_contains("1 of 3 reviewed")
        .assert_contains("2 still to submit")
        .assert_contains("To review (2)")
        .assert_contains("Submitted (1)")
        .assert_contains(&link(ids[1]))
        .assert_contains(&link(ids[2]))
        .assert_lacks(&link(ids[0]))
        .assert_contains("Draft saved")
        .assert_contains("Not started")
        .assert_contains("Due in ");
    let done = reviewer.get("/review/done").await;
    assert_eq!(done.status, Status::Ok);
    done.assert_contains(&link(ids[0]))
        .assert_lacks(&link(ids[1]))
        .assert_lacks(&link(ids[2]))
        .assert_contains(
            "aria-current=\"page\" class=\"desk-tab desk-tab--current\">Submitted (1)",
        );
}

#[rocket::async_test]
async fn a_reopened_review_goes_back_to_the_to_do_list() {
    let (app, c, manager, reviewer, ids) = desk_of(1).await;
    post_review(&reviewer, ids[0], &review_fields(&c, "4", "submit")).await;
    reviewer
        .get("/review")
        .await
        .assert_contains("1 of 1 reviewed");
    let rid = app.count("SELECT id FROM reviews").await;
    let page = manager
        .post(
            &format!("/manage/reviews/{rid}/reopen"),
            &[("reason", "Wrong file.")],
        )
        .await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    reviewer
        .get("/review")
        .await
        .assert_contains("0 of 1 reviewed")
        .assert_contains(&link(ids[0]));
    reviewer
        .get("/review/done")
        .await
        .assert_lacks(&link(ids[0]));
}

#[rocket::async_test]
async fn the_desk_pages_its_lists_25_at_a_time() {
    let (app, c, _manager, reviewer, ids) = desk_of(0).await;
    let _ = ids;
    // 27 assignments stored directly (the form is tested above).
    let mut made = Vec::new();
    for _ in 0..27 {
        let a = app.submitted_application(&c).in_stage(Stage::Review).await;
        let mut conn = app.pool().conn().await.unwrap();
        let now = app.clock.now();
        let due = now + chrono::Duration::days(made.len() as i64 + 1);
        assignments::assign(
            conn.exec(),
            ApplicationId(a),
            reviewer.id,
            CycleId(c.id),
            reviewer.id,
            due,
            now,
        )
        .await
        .unwrap();
        made.push(a);
    }
    let first = reviewer.get("/review").await;
    first
        .assert_contains("0 of 27 reviewed")
        .assert_contains("Page 1 of 2")
        .assert_contains("href=\"/review?page&#x3D;2\"")
        .assert_contains(&link(made[24]))
        .assert_lacks(&link(made[25]));
    assert_eq!(
        first.body.matches("href=\"/review/applications/").count(),
        25
    );
    let second = reviewer.get("/review?page=2").await;
    second
        .assert_contains("Page 2 of 2")
        .assert_contains(&link(made[25]))
        .assert_contains(&link(made[26]))
        .assert_lacks(&link(made[0]));
    assert_eq!(
        second.body.matches("href=\"/review/applications/").count(),
        2
    );
    // Filtered by the cycle, the links keep the filter; an unknown cycle
    // shows every cycle.
    reviewer
        .get(&format!("/review?cycle={}", c.id))
        .await
        .assert_contains(&format!(
            "href=\"/review?cycle&#x3D;{}&amp;page&#x3D;2\"",
            c.id
        ))
        .assert_contains("in this cycle");
    reviewer
        .get("/review?cycle=999999")
        .await
        .assert_lacks("in this cycle")
        .assert_contains("Page 1 of 2");
}

#[rocket::async_test]
async fn overdue_is_said_in_words_on_the_desk() {
    let (app, _c, _manager, reviewer, ids) = desk_of(1).await;
    reviewer.get("/review").await.assert_lacks("Overdue");
    app.advance_past(past_due());
    // So much later the session has expired: log in again.
    reviewer.login("rae@faculty.org", PASSWORD).await;
    reviewer
        .get("/review")
        .await
        .assert_contains(&link(ids[0]))
        .assert_contains("<strong class=\"desk-overdue\">Overdue by ")
        .assert_contains("it was due");
}

#[rocket::async_test]
async fn declared_conflicts_are_listed_apart_from_the_lists() {
    let (_app, _c, _manager, reviewer, ids) = desk_of(2).await;
    let page = reviewer
        .post(
            &format!("/review/applications/{}/conflict", ids[0]),
            &[("reason", "I supervised the applicant.")],
        )
        .await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    let desk = reviewer.get("/review").await;
    desk.assert_contains("Conflicts you declared (1)")
        .assert_contains("I supervised the applicant.")
        .assert_contains("0 of 1 reviewed")
        .assert_lacks(&link(ids[0]))
        .assert_contains(&link(ids[1]));
}

#[rocket::async_test]
async fn the_review_page_sets_the_application_beside_the_rubric() {
    let (_app, _c, _manager, reviewer, ids) = desk_of(1).await;
    let page = reviewer
        .get(&format!("/review/applications/{}", ids[0]))
        .await;
    assert_eq!(page.status, Status::Ok);
    page.assert_contains("<a href=\"#scoring\">Go to scoring</a>")
        .assert_contains("<a href=\"#application\">Back to the application</a>")
        .assert_contains("class=\"desk-score\" id=\"scoring\"");
    let at = |text: &str| {
        page.body
            .find(text)
            .unwrap_or_else(|| panic!("{text:?} in the page"))
    };
    // The answers come first, in the reading column; the form beside them.
    assert!(at("class=\"desk-read\" id=\"application\"") < at("class=\"answers\""));
    assert!(at("class=\"answers\"") < at("id=\"review-form\""));
    assert!(at("Go to scoring") < at("class=\"answers\""));
}

#[rocket::async_test]
async fn a_refused_submission_keeps_what_was_typed_and_the_saved_draft() {
    let (app, c, _manager, reviewer, ids) = desk_of(1).await;
    let a = ids[0];
    let first = c.criteria[0].clone();
    let mut draft = review_fields(&c, "3", "save");
    draft.retain(|(k, _)| k != "recommendation");
    draft[c.criteria.len()].1 = "First thoughts: strong plan.".into();
    let page = post_review(&reviewer, a, &draft).await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);

    // A score off the scale and no recommendation: each told next to its
    // field; what was typed is on the page again; the draft is untouched.
    let mut bad = review_fields(&c, "4", "submit");
    bad[0].1 = "9".into();
    bad.retain(|(k, _)| k != "recommendation");
    bad[c.criteria.len()].1 = "Second thoughts, typed but refused.".into();
    let page = post_review(&reviewer, a, &bad).await;
    assert_eq!(page.status, Status::UnprocessableEntity);
    page.assert_contains(&format!("id=\"score-{first}-error\""))
        .assert_contains("Choose a score from 1 to 5 for")
        .assert_contains("id=\"recommendation-error\"")
        .assert_contains("Choose your recommendation.")
        .assert_contains("Second thoughts, typed but refused.");
    assert_eq!(
        app.text("SELECT overall_comment FROM reviews WHERE state = 'draft'")
            .await,
        "First thoughts: strong plan."
    );
    reviewer
        .get(&format!("/review/applications/{a}"))
        .await
        .assert_contains("First thoughts: strong plan.")
        .assert_contains("Status: Draft saved.");
    reviewer.get("/review").await.assert_contains("Draft saved");
}

#[rocket::async_test]
async fn the_managers_application_page_puts_the_answers_before_the_actions() {
    let (_app, _c, manager, _reviewer, ids) = desk_of(1).await;
    let a = ids[0];
    let page = manager.get(&format!("/manage/applications/{a}")).await;
    assert_eq!(page.status, Status::Ok);
    let at = |text: &str| {
        page.body
            .find(text)
            .unwrap_or_else(|| panic!("{text:?} in the page"))
    };
    let answers = at("class=\"answers\"");
    assert!(answers < at("class=\"case-actions\""));
    for form in ["/assign\"", "/unassign\"", "/conflicts\""] {
        assert!(
            answers < at(form),
            "the answers come before the {form} form"
        );
    }
    page.assert_contains("aria-label=\"Actions on this application\"")
        .assert_contains("Remove <span class=\"visually-hidden\">Rae Reviewer</span>");
}
