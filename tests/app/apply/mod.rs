//! The applicant journey: eligibility, drafts, documents, review and
//! submit, status, withdrawal, profile and demographics, and every bad
//! input with what the applicant sees.

mod documents;
mod drafts;
mod profile;
mod status;
mod submitting;

use rocket::http::Status;

use crate::helpers::{pdf, Browser, TestApp, PASSWORD};

/// Answers every Health Justice section but the referees and the CV.
pub(crate) async fn answer_everything(b: &Browser, id: i64) {
    let s = |section: &str| format!("/apply/applications/{id}/sections/{section}");
    for (section, fields) in [
        (
            "contact",
            vec![("a[mailing_city]", "Baltimore"), ("a[mailing_state]", "MD")],
        ),
        (
            "education",
            vec![
                ("a[institution]", "Johns Hopkins School of Nursing"),
                ("a[discipline]", "nursing"),
                ("a[degree]", "BSN"),
                ("a[expected_graduation]", "2027-05-31"),
            ],
        ),
        (
            "essays",
            vec![
                (
                    "a[health_equity_essay]",
                    "Nights in a community clinic taught me that housing is health.",
                ),
                (
                    "a[community_project_essay]",
                    "A bilingual blood-pressure program with neighbourhood barbershops.",
                ),
            ],
        ),
        (
            "commitment",
            vec![
                ("a[attend_summer_institute]", "yes"),
                ("a[mentoring_areas]", ""),
                ("a[mentoring_areas]", "research"),
            ],
        ),
    ] {
        let page = b.post_multipart(&s(section), &fields, &[]).await;
        assert_eq!(page.status, Status::SeeOther, "{section}: {}", page.body);
    }
}

pub(crate) async fn upload_cv(b: &Browser, id: i64) -> crate::helpers::Page {
    b.post_multipart(
        &format!("/apply/applications/{id}/sections/documents"),
        &[],
        &[("f[cv]", "Maya CV.pdf", &pdf("cv"))],
    )
    .await
}

pub(crate) async fn ready_to_submit(app: &TestApp) -> i64 {
    app.logged_in_user("Maya Chen", "maya@example.edu").await;
    let id = app.start_health_justice(app).await;
    answer_everything(app, id).await;
    assert_eq!(upload_cv(app, id).await.status, Status::SeeOther);
    assert_eq!(
        app.name_referee(id, "1", "Dr. Rosa Parks", "rosa@example.org")
            .await
            .status,
        Status::SeeOther
    );
    assert_eq!(
        app.name_referee(id, "2", "Prof. Sam Okafor", "sam@example.org")
            .await
            .status,
        Status::SeeOther
    );
    id
}

/// A new applicant `name` (`applicant{i}@example.edu`), logged in in a
/// browser of their own, with a Health Justice application answered and
/// both referees named (`rosa{i}@`, `sam{i}@example.org`), but no CV yet.
pub(crate) async fn nearly_ready(app: &TestApp, name: &str, i: usize) -> (Browser, i64) {
    let email = format!("applicant{i}@example.edu");
    app.new_user(name, &email).await;
    let b = app.another_browser().await;
    assert_eq!(b.login(&email, PASSWORD).await.status, Status::SeeOther);
    let id = app.start_health_justice(&b).await;
    answer_everything(&b, id).await;
    for (position, referee) in [("1", "rosa"), ("2", "sam")] {
        let page = b
            .name_referee(
                id,
                position,
                "Dr. Referee",
                &format!("{referee}{i}@example.org"),
            )
            .await;
        assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    }
    (b, id)
}
