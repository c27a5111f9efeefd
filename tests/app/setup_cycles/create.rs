//! Creating a cycle: the starter form and the program's rubric, each bad
//! input told next to its field, and nobody else's program.

use rocket::http::Status;

use super::*;
use crate::helpers::spawn;

#[rocket::async_test]
async fn a_manager_creates_an_unpublished_cycle_with_the_starter_form_and_the_programs_rubric() {
    let app = spawn().await;
    let (c, mo) = health_justice_with_mo(&app).await;
    mo.get("/manage")
        .await
        .assert_contains(&format!("href=\"{}\"", new_cycle(&c)));
    mo.get(&new_cycle(&c))
        .await
        .assert_contains("New cycle of Health Justice Fellowship");
    let page = mo.post(&new_cycle(&c), &fields(&[])).await;
    let id = cycle_in(&page);
    mo.get(&format!("/manage/cycles/{id}"))
        .await
        .assert_contains("“2099 cohort” is created. It is not published")
        .assert_contains("Closes 2 March 2099, 5:00 pm EST (America/New_York)")
        .assert_contains("Letters due 16 March 2099, 5:00 pm EDT (America/New_York) (the form asks for no referees)")
        .assert_contains("This cycle is not published")
        .assert_contains("Open it now instead");
    mo.get("/manage").await.assert_contains(
        "2099 cohort</a> (closes 2 March 2099, 5:00 pm EST (America/New_York)), not published",
    );
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM cycles WHERE id = {id} AND name = '2099 cohort' AND published = FALSE \
             AND time_zone = 'America/New_York' AND letters_grace_hours = 72 AND program_id = {}",
            c.program
        ))
        .await,
        1
    );
    let form = app
        .text(&format!("SELECT form_json FROM cycles WHERE id = {id}"))
        .await;
    assert_eq!(form, fellowship_portal::domain::starter::APPLICATION_FORM);
    let rubric = app
        .text(&format!("SELECT rubric_json FROM cycles WHERE id = {id}"))
        .await;
    let seeded = app
        .text(&format!(
            "SELECT rubric_json FROM cycles WHERE id = {}",
            c.id
        ))
        .await;
    assert_eq!(
        rubric, seeded,
        "the program's own rubric, as seeding gives it"
    );
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM letter_templates WHERE cycle_id = {id}"
        ))
        .await,
        0,
        "the default letters"
    );
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'cycle.create' AND subject = 'cycle:{id}'"
        ))
        .await,
        1
    );
}

#[rocket::async_test]
async fn each_bad_input_is_told_next_to_its_field_and_nothing_is_stored() {
    let app = spawn().await;
    let (c, mo) = health_justice_with_mo(&app).await;
    let taken = app
        .text(&format!("SELECT name FROM cycles WHERE id = {}", c.id))
        .await;
    let cases: Vec<(Changes, &str, &str)> = vec![
        (
            vec![("closes_date", "2098-12-01")],
            "closes_date-error",
            "The closing date must be after the opening date.",
        ),
        (
            vec![("letters_due_date", "2099-03-01")],
            "letters_due_date-error",
            "Letters cannot be due before applications close.",
        ),
        (
            vec![
                ("decisions_date", "2099-03-02"),
                ("decisions_time", "16:00"),
            ],
            "decisions_date-error",
            "Decisions must be expected after applications close.",
        ),
        (
            vec![("time_zone", "Mars/Olympus")],
            "time_zone-error",
            "is not a time zone we know",
        ),
        (
            vec![("closes_date", "")],
            "closes_date-error",
            "Enter the closing date.",
        ),
        (
            vec![("closes_date", "2099-03-08"), ("closes_time", "02:30")],
            "closes_time-error",
            "the clocks go forward then",
        ),
        (
            vec![
                ("closes_date", "2099-11-01"),
                ("closes_time", "01:30"),
                ("letters_due_date", "2099-11-02"),
                ("decisions_date", "2099-12-01"),
            ],
            "closes_time-error",
            "happens twice",
        ),
        (
            vec![("grace_hours", "-3")],
            "grace_hours-error",
            "Enter the grace period as a whole number of hours",
        ),
        (vec![("name", "  ")], "name-error", "Give the cycle a name"),
        (
            vec![("name", taken.as_str())],
            "name-error",
            "This program already has a cycle called",
        ),
    ];
    let cycles = app.count("SELECT COUNT(*) FROM cycles").await;
    for (changes, id, words) in cases {
        let page = mo.post(&new_cycle(&c), &fields(&changes)).await;
        assert_eq!(
            page.status,
            Status::UnprocessableEntity,
            "{changes:?}: {}",
            page.body
        );
        page.assert_contains(&format!("id=\"{id}\""))
            .assert_contains(words)
            .assert_contains("There is a problem")
            .assert_contains("aria-invalid=\"true\"");
        // The typed values are shown again.
        if let Some((_, v)) = changes.iter().find(|(k, _)| k.ends_with("_date")) {
            page.assert_contains(&format!("value=\"{v}\""));
        }
        assert_eq!(
            app.count("SELECT COUNT(*) FROM cycles").await,
            cycles,
            "{changes:?}"
        );
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'cycle.create'")
            .await,
        0
    );
}

#[rocket::async_test]
async fn a_manager_of_another_program_cannot_set_up_its_cycles() {
    let app = spawn().await;
    let (c, _mo) = health_justice_with_mo(&app).await;
    let other = app.with_cycle_of("summer-internship").await;
    let nia = app
        .with_manager(&other, "Nia Manager", "nia@alliance.example.org")
        .await;
    let cycles = app.count("SELECT COUNT(*) FROM cycles").await;
    for (uri, status) in [
        (
            new_cycle(&c),
            nia.post(&new_cycle(&c), &fields(&[])).await.status,
        ),
        (
            format!("/manage/cycles/{}/copy", c.id),
            nia.post(&format!("/manage/cycles/{}/copy", c.id), &fields(&[]))
                .await
                .status,
        ),
        (
            format!("/manage/cycles/{}/dates", c.id),
            nia.get(&format!("/manage/cycles/{}/dates", c.id))
                .await
                .status,
        ),
    ] {
        assert_eq!(status, Status::NotFound, "{uri}");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM cycles").await, cycles);
}
