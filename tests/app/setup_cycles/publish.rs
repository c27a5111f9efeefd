//! Opening a cycle to applicants and taking it back.

use rocket::http::Status;

use super::*;
use crate::helpers::spawn;

#[rocket::async_test]
async fn an_unpublished_cycle_is_not_listed_and_cannot_be_started() {
    let app = spawn().await;
    let (c, mo) = health_justice_with_mo(&app).await;
    // Open since 2020, so only publication keeps applicants out.
    let created = mo
        .post(
            &new_cycle(&c),
            &fields(&[("name", "Spring intake"), ("opens_date", "2020-01-06")]),
        )
        .await;
    let id = cycle_in(&created);
    app.logged_in_user("Ana Applicant", "ana@student.example.edu")
        .await;
    app.get("/apply").await.assert_lacks("Spring intake");
    let unknown = app.get("/apply/cycles/999999").await.status;
    assert_eq!(unknown, Status::NotFound);
    assert_eq!(
        app.get(&format!("/apply/cycles/{id}")).await.status,
        unknown
    );
    let start = app.post(&format!("/apply/cycles/{id}/start"), &[]).await;
    assert_eq!(start.status, unknown, "{}", start.body);
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM applications WHERE cycle_id = {id}"
        ))
        .await,
        0
    );

    let opened = mo.post(&format!("/manage/cycles/{id}/publish"), &[]).await;
    assert_eq!(opened.status, Status::SeeOther);
    mo.get(&format!("/manage/cycles/{id}"))
        .await
        .assert_contains("“Spring intake” is open: applicants can apply until 2 March 2099");
    app.get("/apply").await.assert_contains("Spring intake");
    assert_eq!(
        app.get(&format!("/apply/cycles/{id}")).await.status,
        Status::Ok
    );
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'cycle.publish' AND subject = 'cycle:{id}'"
        ))
        .await,
        1
    );
}

#[rocket::async_test]
async fn a_cycle_opening_later_says_when_and_can_open_now() {
    let app = spawn().await;
    let (c, mo) = health_justice_with_mo(&app).await;
    let later = cycle_in(&mo.post(&new_cycle(&c), &fields(&[("name", "Later")])).await);
    mo.post(&format!("/manage/cycles/{later}/publish"), &[])
        .await;
    mo.get(&format!("/manage/cycles/{later}"))
        .await
        .assert_contains("“Later” is published: it opens on 4 January 2099, 9:00 am EST");
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM cycles WHERE id = {later} AND published = TRUE"
        ))
        .await,
        1
    );

    let now = cycle_in(&mo.post(&new_cycle(&c), &fields(&[("name", "Now")])).await);
    mo.post(
        &format!("/manage/cycles/{now}/publish"),
        &[("open_now", "true")],
    )
    .await;
    mo.get(&format!("/manage/cycles/{now}"))
        .await
        .assert_contains("“Now” is open: applicants can apply until 2 March 2099");
    app.logged_in_user("Ana Applicant", "ana@student.example.edu")
        .await;
    app.get("/apply")
        .await
        .assert_contains("Now")
        .assert_lacks("Later");
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM cycle_changes WHERE cycle_id = {now} AND field = 'opens_at'"
        ))
        .await,
        1,
        "opening now is a recorded date change"
    );
    mo.get(&format!("/manage/cycles/{now}/dates"))
        .await
        .assert_contains(
            "Opening date moved from 4 January 2099, 9:00 am EST (America/New_York) to",
        )
        .assert_contains("by Mo Manager on");
}

#[rocket::async_test]
async fn unpublishing_is_refused_once_an_application_is_started() {
    let app = spawn().await;
    let (c, mo) = health_justice_with_mo(&app).await;
    app.submitted_application(&c).await;
    mo.post(&format!("/manage/cycles/{}/unpublish", c.id), &[])
        .await;
    mo.get(&format!("/manage/cycles/{}", c.id))
        .await
        .assert_contains("This cycle stays published: 1 application has been started in it.");
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM cycles WHERE id = {} AND published = TRUE",
            c.id
        ))
        .await,
        1
    );

    let empty = cycle_in(&mo.post(&new_cycle(&c), &fields(&[])).await);
    mo.post(&format!("/manage/cycles/{empty}/publish"), &[])
        .await;
    mo.post(&format!("/manage/cycles/{empty}/unpublish"), &[])
        .await;
    mo.get(&format!("/manage/cycles/{empty}"))
        .await
        .assert_contains("is unpublished: applicants no longer see it.");
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM cycles WHERE id = {empty} AND published = FALSE"
        ))
        .await,
        1
    );
}
