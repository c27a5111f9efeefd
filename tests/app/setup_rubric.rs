//! The rubric builder: criteria added, edited, moved and removed as new
//! rubric versions; reviews kept on the version they were started under;
//! confirmation once reviews exist; stale pages refused; import and
//! export; bad input refused next to its field with nothing stored.

use rocket::http::Status;

use crate::fixtures::{assign, mark_eligible, post_review, review_fields, Cycle, Staff};
use crate::helpers::{spawn, Browser, Page, TestApp};

fn builder(c: &Cycle) -> String {
    format!("/manage/cycles/{}/rubric", c.id)
}

/// The add form's fields for a criterion, based on `version`.
fn criterion<'a>(version: &'a str, name: &'a str, weight: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("version", version),
        ("name", name),
        ("guidance", "Partners named, with their part in the work."),
        ("min", "0"),
        ("max", "4"),
        ("min_label", "None"),
        ("max_label", "Sustained"),
        ("weight", weight),
    ]
}

/// A criterion's fields, the message they get and a typed value kept.
type Case<'a> = (Vec<(&'a str, &'a str)>, &'a str, &'a str);

async fn version_of(app: &TestApp, c: &Cycle) -> i64 {
    app.count(&format!(
        "SELECT rubric_version FROM cycles WHERE id = {}",
        c.id
    ))
    .await
}

async fn rubric_of(app: &TestApp, c: &Cycle) -> String {
    app.text(&format!(
        "SELECT rubric_json FROM cycles WHERE id = {}",
        c.id
    ))
    .await
}

/// An application in review with `reviewer` assigned.
async fn in_review(app: &TestApp, c: &Cycle, manager: &Browser, reviewer: i64, who: &str) -> i64 {
    let a = app
        .submitted_application(c)
        .by(
            who,
            &format!("{}@student.edu", who.to_lowercase().replace(' ', ".")),
        )
        .from("Lakeside University")
        .await;
    mark_eligible(manager, a).await;
    assign(
        manager,
        a,
        fellowship_portal::domain::user::UserId(reviewer),
    )
    .await;
    a
}

/// Posts `fields`, expects the confirmation page (nothing stored), then
/// confirms.
async fn confirmed(
    app: &TestApp,
    c: &Cycle,
    b: &Browser,
    uri: &str,
    fields: &[(&str, &str)],
) -> Page {
    let before = version_of(app, c).await;
    let page = b.post(uri, fields).await;
    assert_eq!(page.status, Status::Ok, "{}", page.body);
    page.assert_contains("Confirm the change to the rubric")
        .assert_contains("Nothing is changed yet.")
        .assert_contains("name=\"confirm\" value=\"true\"");
    for (name, value) in fields {
        page.assert_contains(&format!("name=\"{name}\" value=\"{value}\""));
    }
    assert_eq!(version_of(app, c).await, before);
    let mut with = fields.to_vec();
    with.push(("confirm", "true"));
    b.post(uri, &with).await
}

#[rocket::async_test]
async fn a_criterion_added_with_a_weight_is_on_the_review_form_and_in_the_weighted_total() {
    let app = spawn().await;
    let c = app.with_cycle().await;
    let manager = app.with_manager(&c, "Mo Manager", "mo@alliance.org").await;
    let page = manager.get(&builder(&c)).await;
    assert_eq!(page.status, Status::Ok);
    page.assert_contains("version 1 of this cycle")
        .assert_contains("Understanding of health equity")
        .assert_contains("“Strongly support”");
    let page = manager
        .post(
            &format!("{}/criteria", builder(&c)),
            &criterion("1", "Community partnership", "3"),
        )
        .await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    manager
        .get(&builder(&c))
        .await
        .assert_contains(
            "Criterion “Community partnership” added. This is version 2 of the rubric.",
        )
        .assert_contains("Scale 0 (None) to 4 (Sustained), weight 3")
        .assert_contains("<code>community_partnership</code>");
    assert_eq!(version_of(&app, &c).await, 2);
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM rubric_versions WHERE cycle_id = {}",
            c.id
        ))
        .await,
        2
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'cycle.rubric'")
            .await,
        1
    );

    let Staff {
        id: rev,
        browser: reviewer,
    } = app
        .with_reviewer(&c, "Rae Reviewer", "rae@faculty.org")
        .await;
    let a = in_review(&app, &c, &manager, rev.0, "Ana Applicant").await;
    reviewer
        .get(&format!("/review/applications/{a}"))
        .await
        .assert_contains("Community partnership")
        .assert_contains("name=\"score[community_partnership]\"")
        .assert_contains("<strong>0</strong> (None)")
        .assert_contains("<strong>4</strong> (Sustained)")
        .assert_contains("name=\"rubric_version\" value=\"2\"");
    // Every criterion of the seeded rubric at 3 of 1–5 (50 points, weights
    // 3+3+2+1+2 = 11) and the new one at 4 of 0–4 (100 points, weight 3):
    // (11 × 50 + 3 × 100) / 14 = 60.71…
    let mut fields = review_fields(&c, "3", "submit");
    fields.push(("score[community_partnership]".into(), "4".into()));
    fields.push(("rubric_version".into(), "2".into()));
    let page = post_review(&reviewer, a, &fields).await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM reviews WHERE application_id = {a} AND rubric_version = 2 \
             AND score_total > 60.71 AND score_total < 60.72"
        ))
        .await,
        1
    );
    manager
        .get(&format!("/manage/cycles/{}/ranking?sort=total", c.id))
        .await
        .assert_contains("60.7");
}

#[rocket::async_test]
async fn a_review_keeps_the_version_it_was_written_under_and_its_scores() {
    let app = spawn().await;
    let c = app.with_cycle().await;
    let manager = app.with_manager(&c, "Mo Manager", "mo@alliance.org").await;
    let Staff {
        id: rae,
        browser: rae_b,
    } = app
        .with_reviewer(&c, "Rae Reviewer", "rae@faculty.org")
        .await;
    let Staff {
        id: dev,
        browser: dev_b,
    } = app
        .with_reviewer(&c, "Dev Reviewer", "dev@faculty.org")
        .await;
    let Staff {
        id: kim,
        browser: kim_b,
    } = app
        .with_reviewer(&c, "Kim Reviewer", "kim@faculty.org")
        .await;
    let a = in_review(&app, &c, &manager, rae.0, "Ana Applicant").await;
    assign(&manager, a, dev).await;
    assign(&manager, a, kim).await;
    // Rae submits under version 1 (every criterion 3 of 1–5: 50 points);
    // Dev keeps a draft under it.
    let page = post_review(&rae_b, a, &review_fields(&c, "3", "submit")).await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    let draft = vec![
        ("score[prior_advocacy]".to_owned(), "5".to_owned()),
        ("action".to_owned(), "save".to_owned()),
    ];
    assert_eq!(
        post_review(&dev_b, a, &draft).await.status,
        Status::SeeOther
    );

    // The manager removes a criterion: reviews exist, so it asks first.
    let remove = format!("{}/criteria/prior_advocacy/remove", builder(&c));
    manager
        .get(&builder(&c))
        .await
        .assert_contains("The 2 reviews already started (1 submitted, 1 draft) keep the rubric they were started under");
    let page = confirmed(&app, &c, &manager, &remove, &[("version", "1")]).await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    assert_eq!(version_of(&app, &c).await, 2);
    assert!(!rubric_of(&app, &c).await.contains("prior_advocacy"));

    // Rae's review: still version 1, still 50 points, shown with the
    // removed criterion to the manager and to Rae.
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM reviews WHERE application_id = {a} AND reviewer_id = {rae} \
             AND rubric_version = 1 AND score_total = 50"
        ))
        .await,
        1
    );
    manager
        .get(&format!("/manage/applications/{a}"))
        .await
        .assert_contains("Prior advocacy or community experience")
        .assert_contains("Version 1")
        .assert_contains("50.0");
    rae_b
        .get(&format!("/review/applications/{a}"))
        .await
        .assert_contains("Prior advocacy or community experience");
    // Dev's draft stays on version 1 too, and is submitted against it.
    dev_b
        .get(&format!("/review/applications/{a}"))
        .await
        .assert_contains("name=\"score[prior_advocacy]\"")
        .assert_contains("name=\"rubric_version\" value=\"1\"");
    let mut fields = review_fields(&c, "5", "submit");
    fields.push(("rubric_version".into(), "1".into()));
    let page = post_review(&dev_b, a, &fields).await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    // Kim starts after the change: version 2, without the criterion.
    kim_b
        .get(&format!("/review/applications/{a}"))
        .await
        .assert_lacks("score[prior_advocacy]")
        .assert_contains("name=\"rubric_version\" value=\"2\"");
    let fields: Vec<(String, String)> = review_fields(&c, "1", "submit")
        .into_iter()
        .filter(|(k, _)| k != "score[prior_advocacy]")
        .collect();
    let page = post_review(&kim_b, a, &fields).await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    assert_eq!(
        app.texts(&format!(
            "SELECT CAST(rubric_version AS TEXT) || ':' || CAST(CAST(score_total AS INTEGER) AS TEXT) \
             FROM reviews WHERE application_id = {a} ORDER BY reviewer_id"
        ))
        .await,
        ["1:50", "1:100", "2:0"]
    );
    // Totals of both versions count together; the figures say so.
    manager
        .get(&format!("/manage/applications/{a}"))
        .await
        .assert_contains("<dt>Weighted total</dt><dd>50.0 of 100</dd>")
        .assert_contains(
            "under rubric version 2 only (reviews written under an earlier version: 2",
        );
}

#[rocket::async_test]
async fn a_page_based_on_an_older_version_changes_nothing() {
    let app = spawn().await;
    let c = app.with_cycle().await;
    let mo = app.with_manager(&c, "Mo Manager", "mo@alliance.org").await;
    let lee = app
        .with_manager(&c, "Lee Manager", "lee@alliance.org")
        .await;
    // Both have the builder open at version 1; Mo adds first.
    let add = format!("{}/criteria", builder(&c));
    let page = mo
        .post(&add, &criterion("1", "Community partnership", "3"))
        .await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    let stored = rubric_of(&app, &c).await;
    let page = lee
        .post(&add, &criterion("1", "Lee's criterion", "2"))
        .await;
    assert_eq!(page.status, Status::UnprocessableEntity);
    page.assert_contains(
        "Someone changed the rubric while you had this page open (it is now version 2)",
    )
    .assert_contains("value=\"Lee&#x27;s criterion\"")
    .assert_contains("href=\"#version\"");
    for (uri, fields) in [
        (
            format!("{}/criteria/equity_understanding/move", builder(&c)),
            vec![("version", "1"), ("to", "down")],
        ),
        (
            format!("{}/criteria/equity_understanding/remove", builder(&c)),
            vec![("version", "1")],
        ),
        (
            format!("{}/import", builder(&c)),
            vec![
                ("version", "1"),
                (
                    "json",
                    r#"{"criteria":[{"key":"a","label":"A","min":1,"max":5,"weight":1}]}"#,
                ),
            ],
        ),
    ] {
        let page = lee.post(&uri, &fields).await;
        assert_eq!(page.status, Status::UnprocessableEntity, "{uri}");
        page.assert_contains("it is now version 2");
    }
    assert_eq!(version_of(&app, &c).await, 2);
    assert_eq!(rubric_of(&app, &c).await, stored);

    // A reviewer's form built from version 2 is refused once the rubric is
    // version 3, before anything is stored.
    let Staff {
        id: rev,
        browser: reviewer,
    } = app
        .with_reviewer(&c, "Rae Reviewer", "rae@faculty.org")
        .await;
    let a = in_review(&app, &c, &mo, rev.0, "Ana Applicant").await;
    reviewer.get(&format!("/review/applications/{a}")).await;
    let page = mo
        .post(
            &format!("{}/criteria/community_partnership/remove", builder(&c)),
            &[("version", "2")],
        )
        .await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    let mut fields = review_fields(&c, "3", "save");
    fields.push(("rubric_version".into(), "2".into()));
    let page = post_review(&reviewer, a, &fields).await;
    assert_eq!(page.status, Status::UnprocessableEntity);
    page.assert_contains(
        "changed this cycle&#x27;s rubric after you opened this page, so nothing was saved",
    )
    .assert_contains("name=\"rubric_version\" value=\"3\"");
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM reviews WHERE application_id = {a}"
        ))
        .await,
        0
    );
}

#[rocket::async_test]
async fn a_rubric_exported_imports_back_the_same() {
    let app = spawn().await;
    let c = app.with_cycle().await;
    let other = app.with_cycle_of("voices-for-change").await;
    let manager = app.with_manager(&c, "Mo Manager", "mo@alliance.org").await;
    let staff = crate::fixtures::staff(
        &app,
        "Mo Again",
        "mo2@alliance.org",
        other.program,
        fellowship_portal::domain::role::ProgramRole::Manager,
    )
    .await;
    let r = manager
        .client
        .get(format!("{}.json", builder(&c)))
        .dispatch()
        .await;
    assert_eq!(r.status(), Status::Ok);
    let disposition = r
        .headers()
        .get_one("Content-Disposition")
        .unwrap()
        .to_owned();
    assert!(
        disposition.contains("attachment") && disposition.contains(".json"),
        "{disposition}"
    );
    let json = r.into_string().await.unwrap();
    use fellowship_portal::domain::workflow::rubric::Rubric;
    let exported = Rubric::parse(&json).unwrap();
    assert_eq!(exported, Rubric::parse(&rubric_of(&app, &c).await).unwrap());
    assert_eq!(exported.criteria.len(), 5);
    // Into another cycle, by file upload: the same rubric, as version 2.
    let page = staff
        .1
        .post_multipart(
            &format!("/manage/cycles/{}/rubric/import", other.id),
            &[("version", "1"), ("json", "")],
            &[("file", "rubric.json", json.as_bytes())],
        )
        .await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    assert_eq!(version_of(&app, &other).await, 2);
    assert_eq!(
        Rubric::parse(&rubric_of(&app, &other).await).unwrap(),
        exported
    );
    // Back into the first, pasted: nothing changes, and no version is made.
    let page = manager
        .post(
            &format!("{}/import", builder(&c)),
            &[("version", "1"), ("json", &json)],
        )
        .await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    manager
        .get(&builder(&c))
        .await
        .assert_contains("Nothing changed: the rubric is already like that.");
    assert_eq!(version_of(&app, &c).await, 1);
    // An application form is not a rubric, and says so.
    let form = include_str!("../../forms/health-justice.json");
    let page = manager
        .post(
            &format!("{}/import", builder(&c)),
            &[("version", "1"), ("json", form)],
        )
        .await;
    assert_eq!(page.status, Status::UnprocessableEntity);
    page.assert_contains("This is not a rubric: a rubric is a JSON object with a list of");
    assert_eq!(version_of(&app, &c).await, 1);
}

#[rocket::async_test]
async fn each_bad_criterion_is_refused_next_to_its_field_and_nothing_is_stored() {
    let app = spawn().await;
    let c = app.with_cycle().await;
    let manager = app.with_manager(&c, "Mo Manager", "mo@alliance.org").await;
    let stored = rubric_of(&app, &c).await;
    let add = format!("{}/criteria", builder(&c));
    let cases: Vec<Case> = vec![
        (
            criterion("1", "Reach", "heavy"),
            "The weight must be a number, such as 1 or 2.5.",
            "value=\"heavy\"",
        ),
        (
            criterion("1", "Reach", "0"),
            "The weight must be above 0 and at most 100.",
            "value=\"0\"",
        ),
        (
            criterion("1", "Reach", "101"),
            "The weight must be above 0 and at most 100.",
            "value=\"101\"",
        ),
        (
            criterion("1", "", "1"),
            "Give the criterion a name reviewers will see.",
            "Partners named, with their part in the work.</textarea>",
        ),
        (
            criterion("1", "Community project plan", "1"),
            "Another criterion is already called “Community project plan”",
            "value=\"Community project plan\"",
        ),
        (
            vec![
                ("version", "1"),
                ("name", "Reach"),
                ("min", "3"),
                ("max", "3"),
                ("weight", "1"),
            ],
            "The highest score must be above the lowest (3).",
            "value=\"Reach\"",
        ),
        (
            vec![
                ("version", "1"),
                ("name", "Reach"),
                ("min", "0"),
                ("max", "11"),
                ("weight", "1"),
            ],
            "The scale may span at most 10 points",
            "value=\"11\"",
        ),
        (
            vec![
                ("version", "1"),
                ("name", "Reach"),
                ("min", "1"),
                ("max", "5"),
                ("weight", "1"),
                ("levels", "7: Off the scale"),
            ],
            "There is guidance for the score 7, which is not on the scale from 1 to 5.",
            "7: Off the scale",
        ),
    ];
    for (fields, message, kept) in cases {
        let page = manager.post(&add, &fields).await;
        assert_eq!(page.status, Status::UnprocessableEntity, "{message}");
        page.assert_contains("There is a problem")
            .assert_contains(message)
            .assert_contains(kept);
        assert_eq!(rubric_of(&app, &c).await, stored, "{message}");
        assert_eq!(version_of(&app, &c).await, 1, "{message}");
    }
    // The same on a criterion's own page, with the typed values kept.
    let edit = format!("{}/criteria/fellowship_fit", builder(&c));
    manager
        .get(&edit)
        .await
        .assert_contains("value=\"What the fellowship would add\"");
    let page = manager
        .post(
            &edit,
            &[
                ("version", "1"),
                ("name", "Fit"),
                ("min", "1"),
                ("max", "5"),
                ("weight", "lots"),
            ],
        )
        .await;
    assert_eq!(page.status, Status::UnprocessableEntity);
    page.assert_contains("The weight must be a number")
        .assert_contains("value=\"lots\"");
    assert_eq!(rubric_of(&app, &c).await, stored);
    // Too many criteria: a rubric of 20, then one more.
    let twenty: Vec<String> = (1..=20)
        .map(|i| format!(r#"{{"key":"c{i}","label":"Criterion {i}","min":1,"max":5,"weight":1}}"#))
        .collect();
    let json = format!(r#"{{"criteria":[{}]}}"#, twenty.join(","));
    let page = manager
        .post(
            &format!("{}/import", builder(&c)),
            &[("version", "1"), ("json", &json)],
        )
        .await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    let full = rubric_of(&app, &c).await;
    let page = manager.post(&add, &criterion("2", "Reach", "1")).await;
    assert_eq!(page.status, Status::UnprocessableEntity);
    page.assert_contains("The rubric has 20 criteria, the most it may have");
    assert_eq!(rubric_of(&app, &c).await, full);
    // Removing the last criterion is refused in words.
    let one = r#"{"criteria":[{"key":"only","label":"Only","min":1,"max":5,"weight":1}]}"#;
    manager
        .post(
            &format!("{}/import", builder(&c)),
            &[("version", "2"), ("json", one)],
        )
        .await;
    let page = manager
        .post(
            &format!("{}/criteria/only/remove", builder(&c)),
            &[("version", "3")],
        )
        .await;
    assert_eq!(page.status, Status::SeeOther);
    manager
        .get(&builder(&c))
        .await
        .assert_contains("The rubric needs at least one criterion");
    assert_eq!(version_of(&app, &c).await, 3);
}

#[rocket::async_test]
async fn criteria_are_edited_and_moved_with_keys_from_their_names() {
    let app = spawn().await;
    let c = app.with_cycle().await;
    let manager = app.with_manager(&c, "Mo Manager", "mo@alliance.org").await;
    let add = format!("{}/criteria", builder(&c));
    assert_eq!(
        manager
            .post(&add, &criterion("1", "Reach", "1"))
            .await
            .status,
        Status::SeeOther
    );
    // Renamed before any review: the key follows the name.
    let page = manager
        .post(
            &format!("{}/criteria/reach", builder(&c)),
            &[
                ("version", "2"),
                ("name", "Reach and scale"),
                ("min", "1"),
                ("max", "3"),
                ("weight", "1.5"),
                ("allow_na", "true"),
            ],
        )
        .await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    let rubric = rubric_of(&app, &c).await;
    assert!(rubric.contains("\"reach_and_scale\""), "{rubric}");
    let page = manager
        .post(
            &format!("{}/criteria/reach_and_scale/move", builder(&c)),
            &[("version", "3"), ("to", "up")],
        )
        .await;
    assert_eq!(page.status, Status::SeeOther);
    let keys: Vec<String> =
        fellowship_portal::domain::workflow::rubric::Rubric::parse(&rubric_of(&app, &c).await)
            .unwrap()
            .criteria
            .into_iter()
            .map(|k| k.key)
            .collect();
    assert_eq!(keys[4], "reach_and_scale");
    assert_eq!(keys[5], "fellowship_fit");
    assert_eq!(version_of(&app, &c).await, 4);
}

#[rocket::async_test]
async fn once_reviews_exist_a_renamed_criterion_keeps_its_key() {
    let app = spawn().await;
    let c = app.with_cycle().await;
    let manager = app.with_manager(&c, "Mo Manager", "mo@alliance.org").await;
    let Staff {
        id: rev,
        browser: reviewer,
    } = app
        .with_reviewer(&c, "Rae Reviewer", "rae@faculty.org")
        .await;
    let a = in_review(&app, &c, &manager, rev.0, "Ana Applicant").await;
    let draft = vec![
        ("score[fellowship_fit]".to_owned(), "4".to_owned()),
        ("action".to_owned(), "save".to_owned()),
    ];
    assert_eq!(
        post_review(&reviewer, a, &draft).await.status,
        Status::SeeOther
    );
    let edit = format!("{}/criteria/fellowship_fit", builder(&c));
    manager
        .get(&edit)
        .await
        .assert_contains(
            "The criterion keeps its key (<code>fellowship_fit</code>) if you rename it.",
        )
        .assert_contains("You will be asked to confirm.");
    let fields = [
        ("version", "1"),
        ("name", "Fit with the fellowship"),
        ("min", "1"),
        ("max", "5"),
        ("weight", "2"),
        ("allow_na", "true"),
    ];
    let page = confirmed(&app, &c, &manager, &edit, &fields).await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    let rubric =
        fellowship_portal::domain::workflow::rubric::Rubric::parse(&rubric_of(&app, &c).await)
            .unwrap();
    let fit = rubric.criterion("fellowship_fit").expect("the key is kept");
    assert_eq!(
        (fit.label.as_str(), fit.allow_na),
        ("Fit with the fellowship", true)
    );
    assert_eq!(version_of(&app, &c).await, 2);
    // The draft is still on version 1, with the old name.
    reviewer
        .get(&format!("/review/applications/{a}"))
        .await
        .assert_contains("What the fellowship would add")
        .assert_lacks("Fit with the fellowship");
}

#[rocket::async_test]
async fn setting_a_rubric_for_a_cycle_records_a_version() {
    // What seeding and a cloned cycle call: the rubric and its version row
    // in one go, numbered on.
    let app = spawn().await;
    let c = app.with_cycle().await;
    let json = r#"{"criteria":[{"key":"a","label":"A","min":1,"max":5,"weight":1}]}"#;
    let mut conn = app.pool().conn().await.unwrap();
    let cycle = fellowship_portal::domain::cycle::CycleId(c.id);
    let n = fellowship_portal::db::cycles::set_rubric(conn.exec(), cycle, json)
        .await
        .unwrap();
    assert_eq!(n, 2);
    let versions = fellowship_portal::db::rubrics::of_cycle(conn.exec(), cycle)
        .await
        .unwrap();
    let numbers: Vec<i64> = versions.iter().map(|v| v.number).collect();
    assert_eq!(numbers, [2, 1]);
    assert_eq!(versions[0].by_name, None);
    assert_eq!(versions[0].rubric.criteria[0].key, "a");
    assert_eq!(rubric_of(&app, &c).await, json);
    manager_sees_the_portal_as_author(&app, &c).await;
}

async fn manager_sees_the_portal_as_author(app: &TestApp, c: &Cycle) {
    let manager = app.with_manager(c, "Mo Manager", "mo@alliance.org").await;
    manager
        .get(&builder(c))
        .await
        .assert_contains("the portal (set up with the cycle)")
        .assert_contains("2 (current)");
}

/// The overall recommendation's form: the question and the four labels,
/// strongest support first, based on `version`.
fn recommendation<'a>(
    version: &'a str,
    question: &'a str,
    labels: [&'a str; 4],
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("version", version),
        ("question", question),
        ("label_strongly_support", labels[0]),
        ("label_support", labels[1]),
        ("label_neutral", labels[2]),
        ("label_do_not_support", labels[3]),
    ]
}

const REWORDED: [&str; 4] = ["Strongly support", "Support", "Undecided", "Do not support"];

#[rocket::async_test]
async fn the_recommendation_is_reworded_and_each_review_keeps_its_words() {
    let app = spawn().await;
    let c = app.with_cycle().await;
    let manager = app.with_manager(&c, "Mo Manager", "mo@alliance.org").await;
    let Staff {
        id: rae,
        browser: rae_b,
    } = app
        .with_reviewer(&c, "Rae Reviewer", "rae@faculty.org")
        .await;
    let Staff {
        id: kim,
        browser: kim_b,
    } = app
        .with_reviewer(&c, "Kim Reviewer", "kim@faculty.org")
        .await;
    let a = in_review(&app, &c, &manager, rae.0, "Ana Applicant").await;
    assign(&manager, a, kim).await;
    let neutral = |mut fields: Vec<(String, String)>| {
        for (k, v) in &mut fields {
            if k == "recommendation" {
                *v = "neutral".into();
            }
        }
        fields
    };
    // Rae submits under version 1, with today's words.
    rae_b
        .get(&format!("/review/applications/{a}"))
        .await
        .assert_contains("<legend>Your recommendation")
        .assert_contains("<label for=\"rec-neutral\">Neutral</label>");
    let page = post_review(&rae_b, a, &neutral(review_fields(&c, "3", "submit"))).await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);

    // The manager rewords: reviews exist, so it asks first.
    let uri = format!("{}/recommendation", builder(&c));
    let fields = recommendation("1", "Should we fund this fellow?", REWORDED);
    let page = confirmed(&app, &c, &manager, &uri, &fields).await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    assert_eq!(version_of(&app, &c).await, 2);
    let stored = rubric_of(&app, &c).await;
    assert!(stored.contains("Undecided") && stored.contains("Should we fund this fellow?"));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'cycle.rubric'")
            .await,
        1
    );
    manager
        .get(&builder(&c))
        .await
        .assert_contains("The overall recommendation saved. This is version 2 of the rubric.")
        .assert_contains("value=\"Should we fund this fellow?\"")
        .assert_contains("value=\"Undecided\"");

    // Kim starts under version 2: the new question and label.
    kim_b
        .get(&format!("/review/applications/{a}"))
        .await
        .assert_contains("<legend>Should we fund this fellow?")
        .assert_contains("<label for=\"rec-neutral\">Undecided</label>")
        .assert_lacks(">Neutral</label>");
    let mut fields = neutral(review_fields(&c, "4", "submit"));
    fields.push(("rubric_version".into(), "2".into()));
    let page = post_review(&kim_b, a, &fields).await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    // Both stored the same level; each is shown in its version's words.
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM reviews WHERE application_id = {a} AND recommendation = 'neutral'"
        ))
        .await,
        2
    );
    // Rae's own form keeps version 1's words; the other reviewer's review
    // (shown once one's own is submitted) has its own version's.
    rae_b
        .get(&format!("/review/applications/{a}"))
        .await
        .assert_contains("<legend>Your recommendation")
        .assert_contains("<label for=\"rec-neutral\">Neutral</label>")
        .assert_contains("<dt>Recommendation</dt><dd>Undecided</dd>");
    kim_b
        .get(&format!("/review/applications/{a}"))
        .await
        .assert_contains("<dt>Recommendation</dt><dd>Neutral</dd>");
    manager
        .get(&format!("/manage/applications/{a}"))
        .await
        .assert_contains("<dt>Recommendation</dt><dd>Neutral</dd>")
        .assert_contains("<dt>Recommendation</dt><dd>Undecided</dd>");
}

#[rocket::async_test]
async fn each_bad_recommendation_word_is_refused_next_to_its_field_and_nothing_is_stored() {
    let app = spawn().await;
    let c = app.with_cycle().await;
    let manager = app.with_manager(&c, "Mo Manager", "mo@alliance.org").await;
    let stored = rubric_of(&app, &c).await;
    let uri = format!("{}/recommendation", builder(&c));
    let long_label = "x".repeat(61);
    let long_question = "q".repeat(201);
    // Each: the fields, the message and a typed value kept (as for a
    // criterion), and the field the message is next to.
    let cases: Vec<(Case, &str)> = vec![
        (
            (
                recommendation("1", "Fund it?", ["Strongly support", "  ", "Kept typed", "No"]),
                "The label for “Support” is empty; give each level of the recommendation a label.",
                "value=\"Kept typed\"",
            ),
            "label_support",
        ),
        (
            (
                recommendation("1", "Fund it?", ["Yes", "Yes", "Kept typed", "No"]),
                "Two levels of the recommendation are labelled &quot;Yes&quot;; give each its own label.",
                "value=\"Kept typed\"",
            ),
            "label_support",
        ),
        (
            (
                recommendation("1", "Fund it?", ["Yes", "Maybe", &long_label, "No"]),
                "The label for “Neutral” may be at most 60 characters long.",
                "value=\"Maybe\"",
            ),
            "label_neutral",
        ),
        (
            (
                recommendation("1", &long_question, REWORDED),
                "The question for the overall recommendation may be at most 200 characters long.",
                "value=\"Undecided\"",
            ),
            "question",
        ),
        (
            (
                recommendation("1", " ", REWORDED),
                "The question for the overall recommendation is empty; write what reviewers are asked.",
                "value=\"Undecided\"",
            ),
            "question",
        ),
    ];
    for ((fields, message, kept), field) in cases {
        let page = manager.post(&uri, &fields).await;
        assert_eq!(page.status, Status::UnprocessableEntity, "{message}");
        page.assert_contains("There is a problem")
            .assert_contains(message)
            .assert_contains(kept)
            .assert_contains(&format!("href=\"#{field}\""))
            .assert_contains(&format!("id=\"{field}-error\""));
        assert_eq!(rubric_of(&app, &c).await, stored, "{message}");
        assert_eq!(version_of(&app, &c).await, 1, "{message}");
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'cycle.rubric'")
            .await,
        0
    );
}

/// Cycle `c`'s rubric as `b` downloads it.
async fn exported(b: &Browser, c: &Cycle) -> String {
    let r = b
        .client
        .get(format!("{}.json", builder(c)))
        .dispatch()
        .await;
    assert_eq!(r.status(), Status::Ok);
    r.into_string().await.unwrap()
}

#[rocket::async_test]
async fn reworded_recommendation_travels_with_an_exported_rubric() {
    let app = spawn().await;
    let c = app.with_cycle().await;
    let other = app.with_cycle_of("voices-for-change").await;
    let manager = app.with_manager(&c, "Mo Manager", "mo@alliance.org").await;
    // A seeded rubric exports as before, without the default words.
    let json = exported(&manager, &c).await;
    assert!(!json.contains("\"recommendation\""), "{json}");
    let page = manager
        .post(
            &format!("{}/recommendation", builder(&c)),
            &recommendation("1", "Should we fund this fellow?", REWORDED),
        )
        .await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    let json = exported(&manager, &c).await;
    assert!(json.contains("\"Undecided\""), "{json}");
    // Into another cycle: the same words, as its version 2.
    let staff = crate::fixtures::staff(
        &app,
        "Mo Again",
        "mo2@alliance.org",
        other.program,
        fellowship_portal::domain::role::ProgramRole::Manager,
    )
    .await;
    let page = staff
        .1
        .post(
            &format!("/manage/cycles/{}/rubric/import", other.id),
            &[("version", "1"), ("json", &json)],
        )
        .await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    assert_eq!(version_of(&app, &other).await, 2);
    use fellowship_portal::domain::workflow::rubric::{Recommendation, Rubric};
    let imported = Rubric::parse(&rubric_of(&app, &other).await).unwrap();
    assert_eq!(
        imported.recommendation_question(),
        "Should we fund this fellow?"
    );
    assert_eq!(
        imported.recommendation_label(Recommendation::Neutral),
        "Undecided"
    );
    assert_eq!(imported, Rubric::parse(&json).unwrap());
    staff
        .1
        .get(&format!("/manage/cycles/{}/rubric", other.id))
        .await
        .assert_contains("value=\"Undecided\"");
}
