//! Changing a cycle's name and dates: the history, mail only when asked,
//! and a change another manager made meanwhile.

use chrono::Duration;
use rocket::http::Status;

use super::*;
use crate::helpers::spawn;

#[rocket::async_test]
async fn a_date_change_is_recorded_and_mails_nobody_unless_asked() {
    let app = spawn().await;
    let (c, mo) = health_justice_with_mo(&app).await;
    app.logged_in_user("Dee Drafter", "dee@student.example.edu")
        .await;
    app.start_health_justice(&app).await;
    let dates = format!("/manage/cycles/{}/dates", c.id);
    let page = mo.get(&dates).await;
    page.assert_contains("No changes yet.")
        .assert_contains("(1 now)");
    let shown = form_values(&page.body);
    let closes = |v: &[(String, String)]| {
        v.iter()
            .find(|(k, _)| k == "closes_date")
            .unwrap()
            .1
            .clone()
    };
    let old_close = chrono::NaiveDate::parse_from_str(&closes(&shown), "%Y-%m-%d").unwrap();
    let week_later = (old_close + Duration::days(7))
        .format("%Y-%m-%d")
        .to_string();
    let moved = post_owned(&mo, &dates, &with(&shown, &[("closes_date", &week_later)])).await;
    assert_eq!(moved.status, Status::SeeOther, "{}", moved.body);
    let page = mo.get(&dates).await;
    page.assert_contains("Saved: one change is recorded.")
        .assert_contains("Closing date moved from ")
        .assert_contains("by Mo Manager on");
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM cycle_changes WHERE cycle_id = {} AND field = 'closes_at'",
            c.id
        ))
        .await,
        1
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'cycle.dates'")
            .await,
        1
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE kind = 'closing_date_moved'")
            .await,
        0,
        "nobody is told unless the box is ticked"
    );

    // Ticked: the applicant with a draft is told, once.
    let shown = form_values(&page.body);
    let two_weeks = (old_close + Duration::days(14))
        .format("%Y-%m-%d")
        .to_string();
    let told = post_owned(
        &mo,
        &dates,
        &with(
            &shown,
            &[("closes_date", &two_weeks), ("tell_drafts", "true")],
        ),
    )
    .await;
    assert_eq!(told.status, Status::SeeOther, "{}", told.body);
    mo.get(&dates)
        .await
        .assert_contains("One applicant with a draft is told of the new closing date.");
    let mail = app
        .last_mail("dee@student.example.edu", "closing_date_moved")
        .await;
    assert!(mail.text_body.contains("It is now:"), "{}", mail.text_body);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE kind = 'closing_date_moved'")
            .await,
        1
    );

    // Saving what is shown changes nothing and records nothing.
    let shown = form_values(&mo.get(&dates).await.body);
    post_owned(&mo, &dates, &shown).await;
    mo.get(&dates).await.assert_contains("Nothing changed.");
    assert_eq!(app.count("SELECT COUNT(*) FROM cycle_changes").await, 2);
}

#[rocket::async_test]
async fn a_change_another_manager_made_meanwhile_is_told_and_the_typed_values_kept() {
    let app = spawn().await;
    let (c, mo) = health_justice_with_mo(&app).await;
    let may = app
        .with_manager(&c, "May Manager", "may@alliance.example.org")
        .await;
    let dates = format!("/manage/cycles/{}/dates", c.id);
    let mos_form = form_values(&mo.get(&dates).await.body);
    let mays_form = form_values(&may.get(&dates).await.body);
    let may_saves = post_owned(&may, &dates, &with(&mays_form, &[("grace_hours", "96")])).await;
    assert_eq!(may_saves.status, Status::SeeOther);

    let stale = post_owned(
        &mo,
        &dates,
        &with(
            &mos_form,
            &[("grace_hours", "48"), ("name", "Renamed by Mo")],
        ),
    )
    .await;
    assert_eq!(stale.status, Status::UnprocessableEntity, "{}", stale.body);
    stale
        .assert_contains("id=\"grace_hours-error\"")
        .assert_contains("Another manager changed this to 96 hours while you were editing.")
        .assert_contains("value=\"48\"")
        .assert_contains("value=\"Renamed by Mo\"");
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM cycles WHERE id = {} AND letters_grace_hours = 96 AND name <> 'Renamed by Mo'",
            c.id
        ))
        .await,
        1,
        "May's change stands; Mo's is not stored"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM cycle_changes").await, 1);

    // The page carries the values as they now are: saving again is Mo's choice.
    let again = post_owned(&mo, &dates, &form_values(&stale.body)).await;
    assert_eq!(again.status, Status::SeeOther, "{}", again.body);
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM cycles WHERE id = {} AND letters_grace_hours = 48 AND name = 'Renamed by Mo'",
            c.id
        ))
        .await,
        1
    );
}
