//! The dense applications list: filters, sort and paging that keep each
//! other; the score and "reviews in" columns; select all on the page and
//! all N matching (with the confirmation naming N); bad bulk input; and
//! the search through its index (part of a name, email or institution;
//! any text gives a result page; the plan scans no table).

use fellowship_portal::domain::workflow::stage::Stage;
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;
use rocket::http::Status;

use crate::fixtures::{assign, mark_eligible, post_review, review_fields, Cycle, Staff};
use crate::helpers::{spawn, TestApp};

/// The list's address for cycle `c`.
fn list(c: &Cycle) -> String {
    format!("/manage/cycles/{}/applications", c.id)
}

/// `text` as the page shows it in an attribute (`&` and `=` escaped).
fn html(text: &str) -> String {
    text.replace('&', "&amp;").replace('=', "&#x3D;")
}

/// `n` submitted applications named "Person NN", all from "Common
/// University"; returns their ids.
async fn people(app: &TestApp, c: &Cycle, n: usize) -> Vec<i64> {
    let mut ids = Vec::new();
    for i in 0..n {
        ids.push(
            app.submitted_application(c)
                .by(&format!("Person {i:02}"), &format!("p{i}@mail.example"))
                .from("Common University")
                .await,
        );
    }
    ids
}

async fn manager_of(app: &TestApp, c: &Cycle) -> Staff {
    app.with_manager(c, "Mo Manager", "mo@alliance.org").await
}

#[rocket::async_test]
async fn filters_sort_search_and_paging_keep_each_other() {
    let app = spawn().await;
    let c = app.with_cycle().await;
    let manager = manager_of(&app, &c).await;
    people(&app, &c, 53).await;
    let l = list(&c);
    // Sorted by name, descending, searched and filtered by stage: the
    // sorted header says so, and every link keeps the rest.
    let page = manager
        .get(&format!("{l}?q=person&stage=submitted&sort=name&dir=desc"))
        .await;
    assert_eq!(page.status, Status::Ok);
    page.assert_contains("Matching applications: 53.")
        .assert_contains("Page 1 of 2")
        .assert_contains(r#"<th scope="col" aria-sort="descending"><a href="#)
        .assert_contains(&html(&format!(
            "{l}?stage=submitted&q=person&sort=name&dir=asc&page=1"
        )))
        .assert_contains(&html(&format!(
            "{l}?stage=submitted&q=person&sort=institution&dir=asc&page=1"
        )))
        .assert_contains(&html(&format!(
            "{l}?stage=submitted&q=person&sort=name&dir=desc&page=2"
        )))
        // The filter bar keeps the order; one Apply button.
        .assert_contains(r#"<input type="hidden" name="sort" value="name">"#)
        .assert_contains(r#"<input type="hidden" name="dir" value="desc">"#)
        .assert_contains(">Apply</button>");
    // Descending by name: Person 52 first, Person 02 on page 2.
    let first = page.body.find("Person 52").expect("Person 52 on page 1");
    assert!(first < page.body.find("Person 51").unwrap());
    page.assert_lacks("Person 02");
    let two = manager
        .get(&format!(
            "{l}?stage=submitted&q=person&sort=name&dir=desc&page=2"
        ))
        .await;
    two.assert_contains("Person 02")
        .assert_contains("Page 2 of 2")
        .assert_contains(&html(&format!(
            "{l}?stage=submitted&q=person&sort=name&dir=desc&page=1"
        )));
    // Short dates in the cycle's zone, the zone named once in the header.
    let zone = app
        .text(&format!("SELECT time_zone FROM cycles WHERE id = {}", c.id))
        .await;
    assert_eq!(page.body.matches(&zone).count(), 1, "{zone}");
    page.assert_contains(&format!("Times in {zone}."));
    // `waiting=screening`: submitted or in screening, kept by the links.
    app.submitted_application(&c)
        .by("Sam Screened", "sam@mail.example")
        .in_stage(Stage::Screening)
        .await;
    app.submitted_application(&c)
        .by("Rae Reviewed", "rae@mail.example")
        .in_stage(Stage::Review)
        .await;
    manager
        .get(&format!("{l}?waiting=screening"))
        .await
        .assert_contains("Matching applications: 54.")
        .assert_contains(r#"<input type="hidden" name="waiting" value="screening">"#)
        .assert_contains(&html("waiting=screening&sort=name"));
    // Unknown values are ignored, never an error.
    manager
        .get(&format!(
            "{l}?stage=nope&sort=nope&dir=up&page=x&reviewer=y"
        ))
        .await
        .assert_contains("Matching applications: 55.");
}

#[rocket::async_test]
async fn score_and_reviews_in_are_shown_for_each_row() {
    let app = spawn().await;
    let c = app.with_cycle().await;
    let manager = manager_of(&app, &c).await;
    let one = app.with_reviewer(&c, "Rev One", "one@faculty.org").await;
    let two = app.with_reviewer(&c, "Rev Two", "two@faculty.org").await;
    let id = app
        .submitted_application(&c)
        .by("Ada Okafor", "ada@mail.example")
        .await;
    let other = app
        .submitted_application(&c)
        .by("Bo Unreviewed", "bo@mail.example")
        .await;
    mark_eligible(&manager, id).await;
    mark_eligible(&manager, other).await;
    assign(&manager, id, one.id).await;
    assign(&manager, id, two.id).await;
    let page = post_review(&one.browser, id, &review_fields(&c, "4", "submit")).await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    let total: f64 = app
        .text(&format!(
            "SELECT CAST(score_total AS TEXT) FROM reviews WHERE application_id = {id}"
        ))
        .await
        .parse()
        .unwrap();
    let page = manager.get(&format!("{}?sort=name", list(&c))).await;
    page.assert_contains(r#"<th scope="col">Score</th>"#)
        .assert_contains(r#"<th scope="col">Reviews in</th>"#)
        .assert_contains(&format!(r#"<td data-label="Score">{total:.1}</td>"#))
        .assert_contains(r#"<td data-label="Reviews in">1 of 2</td>"#)
        .assert_contains(r#"<td data-label="Reviews in">0 of 0</td>"#);
}

#[rocket::async_test]
async fn select_all_on_the_page_works_without_javascript() {
    let app = spawn().await;
    let c = app.with_cycle().await;
    let manager = manager_of(&app, &c).await;
    let ids = people(&app, &c, 55).await;
    let l = list(&c);
    let page = manager.get(&l).await;
    page.assert_contains("Select all 50 on this page")
        .assert_contains(r#"name="all_page""#)
        .assert_contains("Apply to all 55 matching");
    // The box is sent with the page's ids (as the page carries them).
    let shown: Vec<String> = ids[..50].iter().map(i64::to_string).collect();
    let mut fields: Vec<(&str, &str)> = shown.iter().map(|i| ("page_ids", i.as_str())).collect();
    fields.extend([
        ("all_page", "true"),
        ("action", "start_screening"),
        ("back", l.as_str()),
    ]);
    let done = manager.post(&format!("{l}/bulk"), &fields).await;
    assert_eq!(done.status, Status::SeeOther);
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM applications WHERE cycle_id = {} AND stage = 'screening'",
            c.id
        ))
        .await,
        50
    );
}

#[rocket::async_test]
async fn all_n_matching_asks_first_naming_n_and_then_applies_to_every_one() {
    let app = spawn().await;
    let c = app.with_cycle().await;
    let manager = manager_of(&app, &c).await;
    people(&app, &c, 60).await;
    for n in 0..3 {
        app.submitted_application(&c)
            .by(&format!("Kim Other{n}"), &format!("kim{n}@mail.example"))
            .from("Far College")
            .await;
    }
    let l = list(&c);
    let bulk = format!("{l}/bulk");
    let ask = [
        ("scope", "matching"),
        ("action", "start_screening"),
        ("list.q", "person"),
        ("back", "/manage/cycles/0/elsewhere"),
    ];
    // First the confirmation, naming N; nothing changes yet.
    let page = manager.post(&bulk, &ask).await;
    assert_eq!(page.status, Status::Ok);
    page.assert_contains("Apply to all 60 matching applications?")
        .assert_contains("Start screening")
        .assert_contains(r#"name="confirm" value="60""#)
        .assert_contains(r#"name="list.q" value="person""#)
        .assert_contains("Yes, apply to all 60");
    let screening = format!(
        "SELECT COUNT(*) FROM applications WHERE cycle_id = {} AND stage = 'screening'",
        c.id
    );
    assert_eq!(app.count(&screening).await, 0);
    // A count that no longer holds asks again, with the new number.
    let mut stale = ask.to_vec();
    stale.push(("confirm", "59"));
    manager
        .post(&bulk, &stale)
        .await
        .assert_contains("The number of matching applications changed")
        .assert_contains("Apply to all 60 matching applications?");
    assert_eq!(app.count(&screening).await, 0);
    // Confirmed: every matching one, on every page, and no other.
    let mut confirmed = ask.to_vec();
    confirmed.push(("confirm", "60"));
    let done = manager.post(&bulk, &confirmed).await;
    assert_eq!(done.status, Status::SeeOther);
    assert_eq!(app.count(&screening).await, 60);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM applications WHERE stage = 'submitted'")
            .await,
        3
    );
}

#[rocket::async_test]
async fn bad_bulk_input_gets_a_clear_message_and_keeps_the_list() {
    let app = spawn().await;
    let c = app.with_cycle().await;
    let manager = manager_of(&app, &c).await;
    let ids = people(&app, &c, 3).await;
    let l = list(&c);
    let bulk = format!("{l}/bulk");
    let back = format!("{l}?q=person&sort=name&dir=desc&page=1");
    // No selection: the message, back on the same filtered list.
    let page = manager
        .post(&bulk, &[("action", "start_screening"), ("back", &back)])
        .await;
    assert_eq!(page.location.as_deref(), Some(back.as_str()));
    manager
        .get(&back)
        .await
        .assert_contains("Select at least one application first.");
    // All matching with no action: asked to choose one, nothing confirmed.
    let page = manager
        .post(&bulk, &[("scope", "matching"), ("back", &back)])
        .await;
    assert_eq!(page.location.as_deref(), Some(back.as_str()));
    manager
        .get(&back)
        .await
        .assert_contains("Choose what to do with the matching applications.");
    // Assign to all matching with no reviewer: asked to choose one.
    manager
        .post(
            &bulk,
            &[("scope", "matching"), ("action", "assign"), ("back", &back)],
        )
        .await;
    manager
        .get(&back)
        .await
        .assert_contains("Choose the reviewer to assign.");
    // Nothing matches: said so.
    manager
        .post(
            &bulk,
            &[
                ("scope", "matching"),
                ("action", "start_screening"),
                ("list.q", "nobody-by-this-name"),
                ("back", &back),
            ],
        )
        .await;
    manager
        .get(&back)
        .await
        .assert_contains("No application matches the filters; nothing was changed.");
    // An action some cannot take: those are named, the others done.
    let first = ids[0].to_string();
    manager
        .post(
            &bulk,
            &[
                ("ids", &first),
                ("action", "start_screening"),
                ("back", &back),
            ],
        )
        .await;
    let all: Vec<String> = ids.iter().map(i64::to_string).collect();
    let mut fields: Vec<(&str, &str)> = all.iter().map(|i| ("ids", i.as_str())).collect();
    fields.extend([("action", "start_screening"), ("back", back.as_str())]);
    manager.post(&bulk, &fields).await;
    manager
        .get(&back)
        .await
        .assert_contains(&format!("#{}", ids[0]));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM applications WHERE stage = 'screening'")
            .await,
        3
    );
}

#[rocket::async_test]
async fn search_finds_part_of_a_name_an_email_or_an_institution() {
    let app = spawn().await;
    let c = app.with_cycle().await;
    let manager = manager_of(&app, &c).await;
    people(&app, &c, 5).await;
    let ada = app
        .submitted_application(&c)
        .by("Adaeze Okafor", "adaeze.o@lagos-mail.example")
        .from("University of Ibadan")
        .await;
    let l = list(&c);
    for q in [
        "Oka",
        "okafor",
        "adaeze.o",
        "lagos-mail",
        "Ibad",
        "univ ibadan",
    ] {
        manager
            .get(&format!("{l}?q={}", q.replace(' ', "+")))
            .await
            .assert_contains("Matching applications: 1.")
            .assert_contains("Adaeze Okafor");
    }
    // Kept up to date: a changed name and institution are found at once.
    app.sql(&format!(
        "UPDATE users SET name = 'Adaeze Mensah' WHERE id = (SELECT applicant_id FROM applications WHERE id = {ada})"
    ))
    .await;
    app.sql(&format!(
        "UPDATE applications SET institution = 'Makerere University' WHERE id = {ada}"
    ))
    .await;
    manager
        .get(&format!("{l}?q=mensah"))
        .await
        .assert_contains("Matching applications: 1.");
    manager
        .get(&format!("{l}?q=makerere"))
        .await
        .assert_contains("Matching applications: 1.");
    manager
        .get(&format!("{l}?q=okafor"))
        .await
        .assert_contains("Matching applications: 0.");
}

/// Any text in the search gives a result page, never an error: FTS5
/// syntax, `LIKE` wildcards, quotes, control characters and random text.
#[rocket::async_test]
async fn any_search_text_shows_a_result_page() {
    let app = spawn().await;
    let c = app.with_cycle().await;
    let manager = manager_of(&app, &c).await;
    app.submitted_application(&c)
        .by("Ada O'Neil-Okafor", "ada@mail.example")
        .from("100% College_of \"Health\"")
        .await;
    let l = list(&c);
    let odd = [
        "%22",
        "*",
        "%25",
        "NEAR(",
        "NEAR(a%20b)",
        "a%20OR",
        "AND",
        "NOT%20b",
        "(",
        ")",
        "^a",
        "-a",
        "a:b",
        "body:ada",
        "%5C",
        "_",
        "%27",
        "%00",
        "ada%22*",
        "%22%22%22",
        "%E2%80%8B",
        "%F0%9F%98%80",
        "{a}",
        "a+OR+b",
        "100%25",
    ];
    for q in odd {
        let page = manager.get(&format!("{l}?q={q}")).await;
        assert_eq!(page.status, Status::Ok, "q={q}: {}", page.body);
        page.assert_contains("Matching applications:");
    }
    manager
        .get(&format!("{l}?q=O%27Neil"))
        .await
        .assert_contains("Matching applications: 1.");
    // Random text, percent-encoded whole.
    let mut runner = TestRunner::deterministic();
    let text = proptest::string::string_regex("[\\PC\"*%_()^:+\\-]{0,24}").unwrap();
    for _ in 0..48 {
        let q = text.new_tree(&mut runner).unwrap().current();
        let encoded: String = q.bytes().map(|b| format!("%{b:02X}")).collect();
        let page = manager.get(&format!("{l}?q={encoded}")).await;
        assert_eq!(page.status, Status::Ok, "q={q:?}: {}", page.body);
        page.assert_contains("Matching applications:");
    }
    // The same text through the bulk form's "all matching" never fails.
    let page = manager
        .post(
            &format!("{l}/bulk"),
            &[
                ("scope", "matching"),
                ("action", "start_screening"),
                ("list.q", "NEAR(\"*%"),
            ],
        )
        .await;
    assert_eq!(page.status, Status::SeeOther);
}

/// On SQLite the search reads the FTS5 index and looks applications up by
/// id: no table is scanned whole.
#[rocket::async_test]
async fn the_search_reads_its_index_and_scans_no_table() {
    let app = spawn().await;
    let c = app.with_cycle().await;
    people(&app, &c, 3).await;
    let mut conn = app.pool().conn().await.unwrap();
    let postgres = app.database_url.starts_with("postgres");
    let plan = fellowship_portal::db::search::explain(conn.exec(), c.id, "oka")
        .await
        .unwrap();
    drop(conn);
    if postgres {
        // Tiny tables are read whole by the planner's choice; the index
        // exists and is used at size (see the benchmark).
        assert_eq!(
            app.count(
                "SELECT COUNT(*) FROM pg_indexes WHERE indexname = 'application_search_body'"
            )
            .await,
            1
        );
        return;
    }
    assert!(
        plan.iter().any(|l| l.contains("VIRTUAL TABLE INDEX")),
        "{plan:#?}"
    );
    for line in &plan {
        let scan = line.starts_with("SCAN ") && !line.contains("VIRTUAL TABLE");
        assert!(!scan, "a table scan in the search's plan: {plan:#?}");
    }
}
