//! The manager's pipeline: filters, search, paging, overdue flags and
//! reminders, bulk actions.

use rocket::http::Status;

use crate::fixtures::{past_due, DUE};
use crate::helpers::{spawn, PASSWORD};

#[rocket::async_test]
async fn the_pipeline_filters_searches_and_pages_in_sql() {
    let app = spawn().await;
    let c = app.with_cycle().await;
    let manager = app.with_manager(&c, "Mo Manager", "mo@alliance.org").await;
    let rev = app
        .with_reviewer(&c, "Rae Reviewer", "rae@faculty.org")
        .await
        .id;
    let mut ids = Vec::new();
    for n in 0..55 {
        ids.push(
            app.submitted_application(&c)
                .by(&format!("Person {n:02}"), &format!("p{n}@mail.example"))
                .from(if n == 7 {
                    "Quillfeather College"
                } else {
                    "Common University"
                })
                .await,
        );
    }
    let list = format!("/manage/cycles/{}/applications", c.id);
    let page = manager.get(&list).await;
    page.assert_contains("Matching applications: 55.")
        .assert_contains("Page 1 of 2");
    let page = manager.get(&format!("{list}?page=2")).await;
    page.assert_contains("Page 2 of 2")
        .assert_contains(r#"rel="prev">Previous page</a>"#)
        .assert_lacks("Next page");
    let page = manager
        .get(&format!("{list}?page=9223372036854775807"))
        .await;
    assert_eq!(page.status, Status::Ok);
    page.assert_contains("Matching applications: 55.")
        .assert_lacks("Person 07");
    // Search by institution, any case.
    let page = manager.get(&format!("{list}?q=quillFEATHER")).await;
    page.assert_contains("Matching applications: 1.")
        .assert_contains("Person 07");
    // A wildcard in the search is taken literally.
    manager
        .get(&format!("{list}?q=%25"))
        .await
        .assert_contains("Matching applications: 0.");
    // Bulk: mark three eligible, then assign the reviewer to two of them.
    let three: Vec<String> = ids[..3].iter().map(i64::to_string).collect();
    let mut fields: Vec<(&str, &str)> = three.iter().map(|i| ("ids", i.as_str())).collect();
    fields.push(("action", "mark_eligible"));
    let page = manager.post(&format!("{list}/bulk"), &fields).await;
    assert_eq!(page.status, Status::SeeOther);
    manager
        .get(&format!("{list}?stage=review"))
        .await
        .assert_contains("Matching applications: 3.");
    let rev_s = rev.to_string();
    let fields = [
        ("ids", three[0].as_str()),
        ("ids", three[1].as_str()),
        ("ids", &*ids[10].to_string()),
        ("action", "assign"),
        ("reviewer", &rev_s),
        ("due", DUE),
    ];
    manager.post(&format!("{list}/bulk"), &fields).await;
    // The one not in review is named and left alone.
    manager
        .get(&list)
        .await
        .assert_contains(&format!("#{} is not in review", ids[10]));
    assert_eq!(app.count("SELECT COUNT(*) FROM assignments").await, 2);
    manager
        .get(&format!("{list}?reviewer={rev}"))
        .await
        .assert_contains("Matching applications: 2.");
    manager
        .get(&format!("{list}?progress=unassigned&stage=review"))
        .await
        .assert_contains("Matching applications: 1.");
    manager
        .get(&format!("{list}?progress=in_progress"))
        .await
        .assert_contains("Matching applications: 2.");
    manager
        .get(&format!("{list}?progress=complete"))
        .await
        .assert_contains("Matching applications: 0.");
    // One digest for the batch of two.
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE kind = 'review_assigned'")
            .await,
        1
    );
    // Overdue: flagged, and reminders go out once a day however often asked.
    app.advance_past(past_due());
    // Logged out meanwhile, idle: back in.
    manager.login("mo@alliance.org", PASSWORD).await;
    manager
        .get(&format!("{list}?flag=overdue"))
        .await
        .assert_contains("Matching applications: 2.");
    let remind = format!("/manage/cycles/{}/remind", c.id);
    manager.post(&remind, &[]).await;
    manager.post(&remind, &[]).await;
    fellowship_portal::jobs::reminders::remind_reviewers(&app.ctx())
        .await
        .unwrap();
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE kind = 'review_reminder'")
            .await,
        1
    );
    manager
        .get(&format!("/manage/cycles/{}/reviewers", c.id))
        .await
        .assert_contains("Remind all overdue reviewers");
}

/// A bulk action's way back is the cycle's list or ranking: a `back` that
/// is not an address, or leads elsewhere, still applies the action and
/// returns to the list (it was a 500 page).
#[rocket::async_test]
async fn a_bulk_action_with_a_broken_way_back_applies_and_returns_to_the_list() {
    let app = spawn().await;
    let c = app.with_cycle().await;
    let manager = app.with_manager(&c, "Mo Manager", "mo@alliance.org").await;
    let list = format!("/manage/cycles/{}/applications", c.id);
    for (n, back) in [
        format!("{list}?q=a b"),
        format!("{list}/../../../../admin/users"),
        "http://evil.example/".to_owned(),
    ]
    .iter()
    .enumerate()
    {
        let a = app
            .submitted_application(&c)
            .by(&format!("Applicant {n}"), &format!("a{n}@student.edu"))
            .from("Hill College")
            .await;
        let page = manager
            .post(
                &format!("{list}/bulk"),
                &[
                    ("ids", &a.to_string()),
                    ("action", "start_screening"),
                    ("back", back),
                ],
            )
            .await;
        assert_eq!(page.status, Status::SeeOther, "{back}: {}", page.body);
        assert_eq!(page.location.as_deref(), Some(list.as_str()), "{back}");
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) FROM applications WHERE id = {a} AND stage = 'screening'"
            ))
            .await,
            1
        );
    }
}
