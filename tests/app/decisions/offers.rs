//! Offers declined or lapsed pass to the best waitlisted applicant.

use fellowship_portal::domain::application::ApplicationId;
use rocket::http::Status;

use super::{decide, own_application_in_review, release_all};
use crate::fixtures::mark_eligible;
use crate::helpers::{spawn, TestApp, PASSWORD};

#[rocket::async_test]
async fn a_declined_or_lapsed_offer_goes_to_the_best_waitlisted_applicant() {
    let app = spawn().await;
    let c = app.with_cycle().await;
    let manager = app.with_manager(&c, "Mo Manager", "mo@alliance.org").await;
    let a = own_application_in_review(&app, &c, &manager, "Ana Applicant", "ana@student.edu").await;
    let w1 = app
        .submitted_application(&c)
        .by("Wes Waitlist", "wes@student.edu")
        .from("Hill College")
        .await;
    let w2 = app
        .submitted_application(&c)
        .by("Wren Waitlist", "wren@student.edu")
        .from("Hill College")
        .await;
    for id in [w1, w2] {
        mark_eligible(&manager, id).await;
    }
    // Bulk from the ranking: two waitlisted; Ana accepted on her own.
    let ranking = format!("/manage/cycles/{}/ranking", c.id);
    let (s1, s2) = (w1.to_string(), w2.to_string());
    let page = manager
        .post(
            &format!("/manage/cycles/{}/applications/bulk", c.id),
            &[
                ("back", &ranking),
                ("action", "decide_waitlisted"),
                ("ids", &s1),
                ("ids", &s2),
            ],
        )
        .await;
    assert_eq!(page.location.as_deref(), Some(ranking.as_str()));
    decide(&manager, a, "accepted", "").await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM decisions WHERE outcome = 'waitlisted'")
            .await,
        2
    );
    // Wren has the better reviews.
    insert_review(&app, c.id, w2, 90.0).await;
    insert_review(&app, c.id, w1, 40.0).await;
    release_all(&manager, c.id).await;
    // Ana lets the date pass.
    let mut conn = app.pool().conn().await.unwrap();
    let offer = fellowship_portal::db::decisions::find(conn.exec(), ApplicationId(a))
        .await
        .unwrap()
        .unwrap();
    drop(conn);
    app.advance_past(offer.offer_deadline.unwrap());
    assert_eq!(
        fellowship_portal::jobs::offers::lapse(&app.ctx())
            .await
            .unwrap(),
        1
    );
    // Days have passed: both log in again.
    app.login("ana@student.edu", PASSWORD).await;
    manager.login("mo@alliance.org", PASSWORD).await;
    let page = app
        .post(
            &format!("/apply/applications/{a}/offer"),
            &[("answer", "accept"), ("confirm", "true")],
        )
        .await;
    assert_eq!(page.status, Status::SeeOther);
    app.get(&format!("/apply/applications/{a}"))
        .await
        .assert_contains("Offer lapsed");
    let list = manager
        .get(&format!("/manage/cycles/{}/decisions", c.id))
        .await;
    list.assert_contains("Lapsed")
        .assert_contains("Offer Wren Waitlist a place");
    let page = manager
        .post(
            &format!("/manage/cycles/{}/promote", c.id),
            &[("application", &s2)],
        )
        .await;
    assert_eq!(page.status, Status::SeeOther);
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM decisions WHERE application_id = {w2} AND outcome = 'accepted' AND offer_deadline IS NOT NULL")).await, 1);
    let offer = app.last_mail("wren@student.edu", "decision_letter").await;
    assert!(
        offer.text_body.contains("offer you a place"),
        "{}",
        offer.text_body
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'decision.promote'")
            .await,
        1
    );
    // Promoting someone who is not waitlisted is refused.
    let page = manager
        .post(
            &format!("/manage/cycles/{}/promote", c.id),
            &[("application", &a.to_string())],
        )
        .await;
    assert_eq!(page.status, Status::SeeOther);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'decision.promote'")
            .await,
        1
    );
}

/// A submitted review with the given total, stored directly.
async fn insert_review(app: &TestApp, cycle: i64, application: i64, total: f64) {
    let reviewer = app.count("SELECT MIN(id) FROM users").await;
    let now = "2026-01-01T00:00:00+00:00";
    app.sql(&format!(
        "INSERT INTO assignments (application_id, reviewer_id, cycle_id, assigned_at, due_at) VALUES ({application}, {reviewer}, {cycle}, '{now}', '{now}')"
    ))
    .await;
    let assignment = app
        .count(&format!(
            "SELECT id FROM assignments WHERE application_id = {application}"
        ))
        .await;
    app.sql(&format!(
        "INSERT INTO reviews (assignment_id, application_id, reviewer_id, cycle_id, state, scores_json, comments_json, score_mean, score_total, created_at, updated_at, submitted_at) \
         VALUES ({assignment}, {application}, {reviewer}, {cycle}, 'submitted', '{{}}', '{{}}', {total}, {total}, '{now}', '{now}', '{now}')"
    ))
    .await;
    // The application's summary row as scoring keeps it (`db::scores`) for
    // one submitted review whose reviewer has too few reviews for a z: the
    // decisions page and the waitlist read the normalised score from it.
    app.sql(&format!(
        "UPDATE application_scores SET assigned = 1, reviewed = 1, complete = 1, grp = 0, \
         sum_mean = {total}, sum_total = {total}, sum_square = {total} * {total}, raw_sum = {total}, \
         mean = {total}, total = {total}, spread = 0, variance = 0, normalised = {total} \
         WHERE application_id = {application}"
    ))
    .await;
}
