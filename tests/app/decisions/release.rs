//! Decisions held until released, released all at once or a selection,
//! and the applicant answering the offer.

use rocket::http::Status;

use super::{decide, own_application_in_review, release_all};
use crate::fixtures::mark_eligible;
use crate::helpers::spawn;

#[rocket::async_test]
async fn decisions_stay_hidden_until_released_then_the_applicant_answers_the_offer() {
    let app = spawn().await;
    let c = app.with_cycle().await;
    let manager = app.with_manager(&c, "Mo Manager", "mo@alliance.org").await;
    let a = own_application_in_review(&app, &c, &manager, "Ana Applicant", "ana@student.edu").await;

    let page = decide(&manager, a, "accepted", "").await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM applications WHERE id = {a} AND stage = 'decided'"
        ))
        .await,
        1
    );
    // Held: nothing reaches the applicant, on any page of theirs.
    for path in [
        format!("/apply/applications/{a}"),
        format!("/apply/applications/{a}/summary"),
        "/apply".into(),
    ] {
        let page = app.get(&path).await;
        page.assert_lacks("Accepted")
            .assert_lacks("offer")
            .assert_lacks("A strong community focus");
    }
    app.get(&format!("/apply/applications/{a}"))
        .await
        .assert_contains("Under review");
    let answer = app
        .post(
            &format!("/apply/applications/{a}/offer"),
            &[("answer", "accept"), ("confirm", "true")],
        )
        .await;
    assert_eq!(answer.status, Status::SeeOther);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM decisions WHERE offer_answer IS NOT NULL")
            .await,
        0
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE kind = 'decision_letter'")
            .await,
        0
    );

    // Release: the counts must be confirmed, and still be the counts.
    let release = format!("/manage/cycles/{}/release", c.id);
    manager.get(&release).await.assert_contains("Accepted: 1");
    let page = manager
        .post(
            &release,
            &[("outcome", "accepted"), ("seen[accepted]", "1")],
        )
        .await;
    assert_eq!(page.status, Status::UnprocessableEntity);
    page.assert_contains("Tick the box to confirm the counts");
    let page = manager
        .post(
            &release,
            &[
                ("outcome", "accepted"),
                ("seen[accepted]", "2"),
                ("confirm", "true"),
            ],
        )
        .await;
    assert_eq!(page.status, Status::UnprocessableEntity);
    page.assert_contains("The decisions changed since you looked, so nothing was released.");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM decisions WHERE released_at IS NOT NULL")
            .await,
        0
    );
    let page = release_all(&manager, c.id).await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    let letter = app.last_mail("ana@student.edu", "decision_letter").await;
    assert!(
        letter.text_body.contains("Dear Ana Applicant"),
        "{}",
        letter.text_body
    );
    assert!(letter.text_body.contains("offer you a place"));
    assert!(letter.text_body.contains("A strong community focus."));
    assert!(letter
        .text_body
        .contains(&format!("/apply/applications/{a}")));
    // Releasing again sends nothing more.
    release_all(&manager, c.id).await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE kind = 'decision_letter'")
            .await,
        1
    );

    // The applicant sees the decision and answers once.
    app.get(&format!("/apply/applications/{a}"))
        .await
        .assert_contains("Decision: Accepted")
        .assert_contains("I accept my place");
    let page = app
        .post(
            &format!("/apply/applications/{a}/offer"),
            &[("answer", "accept")],
        )
        .await;
    assert_eq!(page.status, Status::UnprocessableEntity);
    page.assert_contains("Tick the box to confirm your answer")
        .assert_contains("id=\"offer-confirm-error\"")
        .assert_contains("value=\"accept\" checked");
    let page = app
        .post(
            &format!("/apply/applications/{a}/offer"),
            &[("confirm", "true")],
        )
        .await;
    assert_eq!(page.status, Status::UnprocessableEntity);
    page.assert_contains("Choose whether you accept or decline the offer.");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM decisions WHERE offer_answer IS NOT NULL")
            .await,
        0
    );
    let page = app
        .post(
            &format!("/apply/applications/{a}/offer"),
            &[("answer", "accept"), ("confirm", "true")],
        )
        .await;
    assert_eq!(page.status, Status::SeeOther);
    app.get(&format!("/apply/applications/{a}"))
        .await
        .assert_contains("Offer accepted");
    app.last_mail("ana@student.edu", "offer_answered").await;
    let page = app
        .post(
            &format!("/apply/applications/{a}/offer"),
            &[("answer", "decline"), ("confirm", "true")],
        )
        .await;
    assert_eq!(page.status, Status::SeeOther);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM decisions WHERE offer_answer = 'accepted'")
            .await,
        1
    );
    // Once answered, the decision is settled.
    let page = decide(&manager, a, "declined", "1").await;
    assert_eq!(page.status, Status::UnprocessableEntity);
    page.assert_contains("The applicant has already answered the offer");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM decisions WHERE outcome = 'accepted'")
            .await,
        1
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action IN ('decision.record', 'decision.release', 'offer.answer')").await, 3);
}

#[rocket::async_test]
async fn a_selection_of_decisions_can_be_released_alone() {
    let app = spawn().await;
    let c = app.with_cycle().await;
    let manager = app.with_manager(&c, "Mo Manager", "mo@alliance.org").await;
    let a = app
        .submitted_application(&c)
        .by("Ana Applicant", "ana@student.edu")
        .from("Lakeside University")
        .await;
    let b = app
        .submitted_application(&c)
        .by("Ben Applicant", "ben@student.edu")
        .from("Hill College")
        .await;
    for id in [a, b] {
        mark_eligible(&manager, id).await;
        decide(&manager, id, "declined", "").await;
    }
    let page = manager
        .get(&format!("/manage/cycles/{}/release?ids={a}", c.id))
        .await;
    page.assert_contains("Not selected: 1")
        .assert_contains("among the applications you selected");
    let a_s = a.to_string();
    let page = manager
        .post(
            &format!("/manage/cycles/{}/release", c.id),
            &[
                ("ids", &a_s),
                ("outcome", "declined"),
                ("seen[declined]", "1"),
                ("confirm", "true"),
            ],
        )
        .await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE kind = 'decision_letter'")
            .await,
        1
    );
    app.last_mail("ana@student.edu", "decision_letter").await;
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM decisions WHERE application_id = {b} AND released_at IS NULL"
        ))
        .await,
        1
    );
}
