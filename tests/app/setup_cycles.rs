//! Setting cycles up in the browser: creating a cycle for a program (each
//! bad input told next to its field, nothing stored), publishing it (an
//! unpublished cycle is unknown to applicants), changing its dates (each
//! change recorded, mail only when asked, a concurrent change told), and
//! copying it to next year (exactly the form, rubric, letters and review
//! settings).

use chrono::{Datelike, Duration};
use fellowship_portal::domain::cycle::CycleId;
use fellowship_portal::domain::schedule::local_fields;
use rocket::http::Status;

use crate::fixtures::Staff;
use crate::helpers::{spawn, Browser, Page, TestApp};

/// Fields to change in a form, by name.
type Changes<'a> = Vec<(&'a str, &'a str)>;

/// A cycle's fields, far in the future, with `changes` applied.
fn fields<'a>(changes: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut all = vec![
        ("name", "2099 cohort"),
        ("time_zone", "America/New_York"),
        ("opens_date", "2099-01-04"),
        ("opens_time", "09:00"),
        ("closes_date", "2099-03-02"),
        ("closes_time", "17:00"),
        ("letters_due_date", "2099-03-16"),
        ("letters_due_time", "17:00"),
        ("decisions_date", "2099-05-01"),
        ("decisions_time", "12:00"),
        ("grace_hours", "72"),
    ];
    for (k, v) in changes {
        match all.iter_mut().find(|(n, _)| n == k) {
            Some(field) => field.1 = v,
            None => all.push((k, v)),
        }
    }
    all
}

/// The values of a page's form inputs (text, date, time, hidden), by
/// name, HTML escapes undone.
fn form_values(body: &str) -> Vec<(String, String)> {
    let attr = |tag: &str, name: &str| {
        let key = format!(" {name}=\"");
        tag.find(&key).map(|i| {
            let rest = &tag[i + key.len()..];
            unescape(&rest[..rest.find('"').unwrap_or(rest.len())])
        })
    };
    body.split("<input")
        .skip(1)
        .filter_map(|t| {
            let tag = &t[..t.find('>').unwrap_or(t.len())];
            let kind = attr(tag, "type").unwrap_or_default();
            if kind == "checkbox" || kind == "radio" {
                return None;
            }
            let name = attr(tag, "name")?;
            (name != "csrf_token").then(|| (name, attr(tag, "value").unwrap_or_default()))
        })
        .collect()
}

fn unescape(s: &str) -> String {
    s.replace("&#x2F;", "/")
        .replace("&#x3D;", "=")
        .replace("&#x27;", "'")
        .replace("&#x60;", "`")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// `values` with `changes` applied.
fn with(values: &[(String, String)], changes: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut all = values.to_vec();
    for (k, v) in changes {
        match all.iter_mut().find(|(n, _)| n == k) {
            Some(field) => field.1 = (*v).to_owned(),
            None => all.push(((*k).to_owned(), (*v).to_owned())),
        }
    }
    all
}

async fn post_owned(b: &Browser, uri: &str, fields: &[(String, String)]) -> Page {
    let borrowed: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    b.post(uri, &borrowed).await
}

/// The id a redirect to `/manage/cycles/<id>` names.
fn cycle_in(page: &Page) -> i64 {
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    let to = page.location.clone().unwrap();
    to.trim_start_matches("/manage/cycles/").parse().unwrap()
}

/// Health Justice's cycle and Mo, who manages the program.
async fn health_justice_with_mo(app: &TestApp) -> (crate::fixtures::Cycle, Staff) {
    let c = app.with_cycle().await;
    let mo = app
        .with_manager(&c, "Mo Manager", "mo@alliance.example.org")
        .await;
    (c, mo)
}

fn new_cycle(c: &crate::fixtures::Cycle) -> String {
    format!("/manage/programs/{}/cycles/new", c.program)
}

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
