//! Scoring: bad input refused in words, concurrent reviews both kept.

use rocket::http::Status;

use crate::fixtures::{assign, mark_eligible, post_review, review_fields, Cycle, Staff};
use crate::helpers::{spawn, Browser, TestApp};

/// Rae Reviewer assigned by Mo Manager to Ana Applicant's eligible
/// application.
struct Assigned {
    app: TestApp,
    c: Cycle,
    manager: Staff,
    reviewer: Browser,
    a: i64,
}

async fn assigned() -> Assigned {
    let app = spawn().await;
    let c = app.with_cycle().await;
    let manager = app.with_manager(&c, "Mo Manager", "mo@alliance.org").await;
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
    Assigned {
        app,
        c,
        manager,
        reviewer,
        a,
    }
}

#[rocket::async_test]
async fn bad_review_input_is_refused_in_words_and_nothing_changes() {
    let Assigned {
        app,
        c,
        manager,
        reviewer,
        a,
    } = assigned().await;
    let first = &c.criteria[0];

    // An unknown criterion key: the whole save refused.
    let page = post_review(
        &reviewer,
        a,
        &[
            ("score[charisma]".into(), "5".into()),
            ("action".into(), "save".into()),
        ],
    )
    .await;
    assert_eq!(page.status, Status::UnprocessableEntity);
    page.assert_contains("There is no criterion &quot;charisma&quot; in this cycle&#x27;s rubric");
    assert_eq!(app.count("SELECT COUNT(*) FROM reviews").await, 0);
    // A score outside the scale.
    let mut fields = review_fields(&c, "4", "submit");
    fields[0].1 = "9".into();
    let page = post_review(&reviewer, a, &fields).await;
    assert_eq!(page.status, Status::UnprocessableEntity);
    page.assert_contains("Choose a score from 1 to 5 for");
    assert_eq!(app.count("SELECT COUNT(*) FROM reviews").await, 0);
    // An over-long comment: shown next to its field, nothing stored.
    let mut fields = review_fields(&c, "4", "save");
    fields.push((format!("comment[{first}]"), "x".repeat(10_001)));
    let page = post_review(&reviewer, a, &fields).await;
    assert_eq!(page.status, Status::UnprocessableEntity);
    page.assert_contains(&format!("id=\"comment-{first}-error\""))
        .assert_contains("Shorten this comment to 10000 characters or fewer.");
    assert_eq!(app.count("SELECT COUNT(*) FROM reviews").await, 0);
    // A draft may be partial; submitting needs every criterion.
    let page = post_review(
        &reviewer,
        a,
        &[
            (format!("score[{first}]"), "3".into()),
            ("action".into(), "save".into()),
        ],
    )
    .await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM reviews WHERE state = 'draft'")
            .await,
        1
    );
    let mut fields = review_fields(&c, "4", "submit");
    fields.remove(1);
    let page = post_review(&reviewer, a, &fields).await;
    assert_eq!(page.status, Status::UnprocessableEntity);
    page.assert_contains("Give a score for");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM reviews WHERE state = 'draft'")
            .await,
        1
    );
    // Submitting works once; the second time changes nothing.
    let page = post_review(&reviewer, a, &review_fields(&c, "4", "submit")).await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    let page = post_review(&reviewer, a, &review_fields(&c, "1", "submit")).await;
    assert_eq!(page.status, Status::UnprocessableEntity);
    page.assert_contains("This review is already submitted, so it was not changed.");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM reviews WHERE state = 'submitted' AND score_total = 75")
            .await,
        1
    );
    // A manager reopens it (recorded); the reviewer can change it again.
    let rid = app.count("SELECT id FROM reviews").await;
    let page = manager
        .post(
            &format!("/manage/reviews/{rid}/reopen"),
            &[("reason", "Scored the wrong file.")],
        )
        .await;
    assert_eq!(page.status, Status::SeeOther);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'review.reopen'")
            .await,
        1
    );
    let page = post_review(&reviewer, a, &review_fields(&c, "5", "submit")).await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM reviews WHERE state = 'submitted' AND score_total = 100")
            .await,
        1
    );
    // Reviewers cannot make stage moves at all.
    let page = reviewer
        .post(
            &format!("/manage/applications/{a}/move"),
            &[("move", "send_to_committee")],
        )
        .await;
    assert_eq!(page.status, Status::Forbidden);
}

#[rocket::async_test]
async fn two_reviewers_submitting_at_once_are_both_kept() {
    let app = spawn().await;
    let c = app.with_cycle().await;
    let manager = app.with_manager(&c, "Mo Manager", "mo@alliance.org").await;
    let Staff {
        id: r1,
        browser: one,
    } = app
        .with_reviewer(&c, "Rae Reviewer", "rae@faculty.org")
        .await;
    let Staff {
        id: r2,
        browser: two,
    } = app
        .with_reviewer(&c, "Ray Reviewer", "ray@faculty.org")
        .await;
    let a = app
        .submitted_application(&c)
        .by("Ana Applicant", "ana@student.edu")
        .from("Lakeside University")
        .await;
    mark_eligible(&manager, a).await;
    assign(&manager, a, r1).await;
    assign(&manager, a, r2).await;
    let f1 = review_fields(&c, "2", "submit");
    let f2 = review_fields(&c, "5", "submit");
    let (p1, p2) = tokio::join!(post_review(&one, a, &f1), post_review(&two, a, &f2));
    assert_eq!(p1.status, Status::SeeOther, "{}", p1.body);
    assert_eq!(p2.status, Status::SeeOther, "{}", p2.body);
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM reviews WHERE application_id = {a} AND state = 'submitted'"
        ))
        .await,
        2
    );
    // The manager sees both, and the disagreement flag (25 vs 100: sd 37.5 > 15).
    let page = manager.get(&format!("/manage/applications/{a}")).await;
    page.assert_contains("Reviewers disagree")
        .assert_contains("62.5 of 100");
}

#[rocket::async_test]
async fn a_refused_comment_comes_back_byte_for_byte() {
    let Assigned {
        app: _app,
        c,
        manager: _manager,
        reviewer,
        a,
    } = assigned().await;

    // A score outside the scale refuses the form; the overall comment and a
    // criterion's comment, over several lines with leading spaces, come back
    // in their textareas without a space added.
    let overall = "Strong plans.\n    Indented remark.\n\n  Last line.";
    let first = &c.criteria[0];
    let comment = "Line one.\n  Line two, indented.\n      Deeper.";
    let mut fields = review_fields(&c, "4", "save");
    fields[0].1 = "9".into();
    for (k, v) in fields.iter_mut() {
        if k == "overall_comment" {
            *v = overall.into();
        }
    }
    fields.push((format!("comment[{first}]"), comment.into()));
    let page = post_review(&reviewer, a, &fields).await;
    assert_eq!(page.status, Status::UnprocessableEntity);
    page.assert_contains("Choose a score from 1 to 5 for")
        .assert_contains(&format!(">{overall}</textarea>"))
        .assert_contains(&format!(">{comment}</textarea>"));
}
