//! Two managers deciding at once never overwrite each other.

use rocket::http::Status;

use super::decide;
use crate::fixtures::mark_eligible;
use crate::helpers::spawn;

#[rocket::async_test]
async fn two_managers_deciding_at_once_never_overwrite_each_other() {
    let app = spawn().await;
    let c = app.with_cycle().await;
    let first = app.with_manager(&c, "Mo Manager", "mo@alliance.org").await;
    let second = app
        .with_manager(&c, "Meg Manager", "meg@alliance.org")
        .await;
    let a = app
        .submitted_application(&c)
        .by("Ana Applicant", "ana@student.edu")
        .from("Lakeside University")
        .await;
    mark_eligible(&first, a).await;
    // Both opened the page when there was no decision.
    let (p1, p2) = tokio::join!(
        decide(&first, a, "accepted", ""),
        decide(&second, a, "declined", "")
    );
    // One is recorded; the other sees why not, next to the decision, with
    // their choice still ticked.
    assert_eq!(app.count("SELECT COUNT(*) FROM decisions").await, 1);
    assert_eq!(app.count("SELECT version FROM decisions").await, 1);
    let kept = app
        .count("SELECT COUNT(*) FROM decisions WHERE outcome = 'accepted'")
        .await;
    let (won, lost, lost_choice) = if kept == 1 {
        (p1, p2, "declined")
    } else {
        (p2, p1, "accepted")
    };
    assert_eq!(won.status, Status::SeeOther);
    assert_eq!(lost.status, Status::UnprocessableEntity);
    lost.assert_contains("Nothing was overwritten")
        .assert_contains("id=\"decision-outcome-error\"")
        .assert_contains(&format!("value=\"{lost_choice}\" checked"));
    // A stale version is refused the same way.
    let page = decide(&first, a, "waitlisted", "7").await;
    assert_eq!(page.status, Status::UnprocessableEntity);
    page.assert_contains("Someone else changed this decision");
    assert_eq!(app.count("SELECT version FROM decisions").await, 1);
    // With the version seen, a change before release is simply recorded.
    let page = decide(&first, a, "waitlisted", "1").await;
    assert_eq!(page.status, Status::SeeOther);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM decisions WHERE outcome = 'waitlisted' AND version = 2")
            .await,
        1
    );
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM decision_events WHERE application_id = {a}"
        ))
        .await,
        2
    );
}
