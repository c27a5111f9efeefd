//! Staff notes on an application: managers add them, for the team or for
//! the reviewers too; bad notes are told next to the field and nothing is
//! stored; nobody else writes or reads them.

use rocket::http::Status;

use crate::fixtures::{assign, manager_elsewhere, mark_eligible, submitted};
use crate::helpers::spawn;

#[rocket::async_test]
async fn managers_add_notes_and_reviewers_read_only_those_marked_for_them() {
    let app = spawn().await;
    let c = app.with_cycle().await;
    let mo = app.with_manager(&c, "Mo Manager", "mo@alliance.org").await;
    let rev = app
        .with_reviewer(&c, "Rev Reviewer", "rev@faculty.org")
        .await;
    let a = submitted(
        &app,
        c.id,
        "Ana Rivera",
        "ana@student.edu",
        "Lakeside University",
    )
    .await;
    mark_eligible(&mo, a).await;
    assign(&mo, a, rev.id).await;
    let url = format!("/manage/applications/{a}/notes");

    // Bad notes: told next to the field, what was typed kept, nothing stored.
    let long = "x".repeat(4001);
    for (note, message) in [
        ("   ", "Write the note before adding it."),
        (
            long.as_str(),
            "A note can be at most 4000 characters; this one has 4001.",
        ),
    ] {
        let page = mo
            .post(&url, &[("note", note), ("for_reviewers", "true")])
            .await;
        assert_eq!(page.status, Status::UnprocessableEntity);
        page.assert_contains(message)
            .assert_contains("id=\"note-error\"")
            .assert_contains("id=\"for_reviewers\" name=\"for_reviewers\" value=\"true\" checked");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM application_notes").await, 0);

    // One for the team, one for the reviewers too.
    let page = mo
        .post(
            &url,
            &[("note", "Her referee called: letter coming Friday.")],
        )
        .await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    let page = mo
        .post(
            &url,
            &[
                (
                    "note",
                    "Read the essay <b>with</b> the project plan in mind.",
                ),
                ("for_reviewers", "true"),
            ],
        )
        .await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    let page = mo.get(&format!("/manage/applications/{a}")).await;
    page.assert_contains("Her referee called: letter coming Friday.")
        .assert_contains("Read the essay &lt;b&gt;with&lt;/b&gt; the project plan in mind.")
        .assert_contains("Reviewers see it")
        .assert_contains("<strong>Mo Manager</strong>");
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'note.add' AND application_id = {a}"
        ))
        .await,
        2
    );

    // The reviewer reads only the note marked for them.
    let page = rev.get(&format!("/review/applications/{a}")).await;
    assert_eq!(page.status, Status::Ok);
    page.assert_contains("Notes from the program team")
        .assert_contains("the project plan in mind")
        .assert_lacks("Her referee called");

    // Nobody else writes one: a reviewer (403), another program's
    // manager (404), the applicant (403).
    let sam = manager_elsewhere(&app).await;
    assert_eq!(
        rev.post(&url, &[("note", "mine")]).await.status,
        Status::Forbidden
    );
    assert_eq!(
        sam.post(&url, &[("note", "mine")]).await.status,
        Status::NotFound
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM application_notes").await, 2);
}
