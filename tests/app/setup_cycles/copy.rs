//! Copying a cycle to next year.

use chrono::Datelike;
use fellowship_portal::domain::cycle::CycleId;
use fellowship_portal::domain::schedule::local_fields;
use rocket::http::Status;

use super::*;
use crate::helpers::spawn;

#[rocket::async_test]
async fn a_copy_takes_the_form_rubric_letters_and_settings_and_proposes_the_dates_a_year_on() {
    let app = spawn().await;
    let (c, mo) = health_justice_with_mo(&app).await;
    app.submitted_application(&c).await;
    let settings = mo
        .post(
            &format!("/manage/cycles/{}/settings", c.id),
            &[
                ("reviewers_per_application", "2"),
                ("reviewer_cap", "9"),
                ("other_reviews", "never"),
                ("disagreement_threshold", "12"),
                ("offer_days", "21"),
                ("blind_review", "true"),
            ],
        )
        .await;
    assert_eq!(settings.status, Status::SeeOther, "{}", settings.body);
    let letter = mo
        .post(
            &format!("/manage/cycles/{}/letters/accepted", c.id),
            &[
                ("subject", "A place in the {{program}}"),
                ("body", "Dear {{applicant_name}},\n\nWe are glad to offer you a place. Answer by {{offer_deadline}}: {{status_link}}\n"),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(letter.status, Status::SeeOther, "{}", letter.body);

    let source = {
        let mut conn = app.pool().conn().await.unwrap();
        fellowship_portal::db::cycles::find(conn.exec(), CycleId(c.id))
            .await
            .unwrap()
            .unwrap()
            .cycle
    };
    let page = mo.get(&format!("/manage/cycles/{}/copy", c.id)).await;
    let year: i32 = source.name[..4].parse().unwrap();
    page.assert_contains(&format!("value=\"{} cohort\"", year + 1));
    let (close_date, close_time) = local_fields(source.time_zone, source.closes_at);
    let close_date = chrono::NaiveDate::parse_from_str(&close_date, "%Y-%m-%d").unwrap();
    let next = close_date
        .with_year(close_date.year() + 1)
        .unwrap_or_else(|| {
            close_date
                .with_day(28)
                .unwrap()
                .with_year(close_date.year() + 1)
                .unwrap()
        });
    page.assert_contains(&format!("value=\"{}\"", next.format("%Y-%m-%d")))
        .assert_contains(&format!("value=\"{close_time}\""));

    let copied = post_owned(
        &mo,
        &format!("/manage/cycles/{}/copy", c.id),
        &form_values(&page.body),
    )
    .await;
    let copy = cycle_in(&copied);
    let same = |column: &str| {
        format!(
            "SELECT COUNT(*) FROM cycles a JOIN cycles b ON a.{column} = b.{column} WHERE a.id = {} AND b.id = {copy}",
            c.id
        )
    };
    for column in [
        "form_json",
        "rubric_json",
        "reviewers_per_application",
        "reviewer_cap",
        "show_other_reviews",
        "disagreement_threshold",
        "blind_review",
        "offer_days",
        "time_zone",
        "letters_grace_hours",
        "program_id",
    ] {
        assert_eq!(app.count(&same(column)).await, 1, "{column} is copied");
    }
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM cycles WHERE id = {copy} AND published = FALSE AND reviewers_per_application = 2 \
             AND offer_days = 21 AND blind_review = TRUE AND name = '{} cohort'",
            year + 1
        ))
        .await,
        1
    );
    assert_eq!(
        app.texts(&format!(
            "SELECT subject FROM letter_templates WHERE cycle_id = {copy} AND outcome = 'accepted'"
        ))
        .await,
        ["A place in the {{program}}"]
    );
    for table in ["applications", "assignments", "decisions", "cycle_changes"] {
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) FROM {table} WHERE cycle_id = {copy}"
            ))
            .await,
            0,
            "no {table} are copied"
        );
    }
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'cycle.copy' AND subject = 'cycle:{copy}'"
        ))
        .await,
        1
    );
    mo.get(&format!("/manage/cycles/{copy}"))
        .await
        .assert_contains("is created with this cycle’s form, rubric, letters and review settings");
}

#[rocket::async_test]
async fn a_copy_with_a_bad_date_stores_nothing_and_keeps_the_typed_values() {
    let app = spawn().await;
    let (c, mo) = health_justice_with_mo(&app).await;
    let copy = format!("/manage/cycles/{}/copy", c.id);
    let proposed = form_values(&mo.get(&copy).await.body);
    let cycles = app.count("SELECT COUNT(*) FROM cycles").await;
    let page = post_owned(
        &mo,
        &copy,
        &with(&proposed, &[("decisions_date", "2000-01-01")]),
    )
    .await;
    assert_eq!(page.status, Status::UnprocessableEntity);
    page.assert_contains("Decisions must be expected after applications close.")
        .assert_contains("value=\"2000-01-01\"");
    assert_eq!(app.count("SELECT COUNT(*) FROM cycles").await, cycles);
}
