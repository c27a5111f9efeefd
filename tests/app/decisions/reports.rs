//! Reports of a cycle: the CSV exports (applications, reviews, decisions,
//! named and blind) and demographics in aggregate.

use fellowship_portal::domain::cycle::CycleId;
use fellowship_portal::domain::user::UserId;
use fellowship_portal::domain::workflow::stage::Stage;
use rocket::http::Status;

use super::{decide, release_all};
use crate::fixtures::{
    assign, manager_elsewhere, mark_eligible, post_review, review_fields, submitted,
};
use crate::helpers::{spawn, Browser};

/// The CSV's rows, each split into fields (RFC 4180: quotes, doubled
/// quotes and line breaks inside quotes).
fn csv_rows(text: &str) -> Vec<Vec<String>> {
    let (mut rows, mut row, mut field) = (Vec::new(), Vec::new(), String::new());
    let (mut quoted, mut chars) = (false, text.chars().peekable());
    while let Some(ch) = chars.next() {
        match (quoted, ch) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, ch) => field.push(ch),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, ch) => field.push(ch),
        }
    }
    rows
}

#[rocket::async_test]
async fn a_cycle_exports_as_csv_for_its_managers_only() {
    let app = spawn().await;
    let c = app.with_cycle().await;
    let manager = app.with_manager(&c, "Mo Manager", "mo@alliance.org").await;
    let a = submitted(
        &app,
        c.id,
        "Ana, \"Annie\" Rivera",
        "ana@student.edu",
        "Lakeside University",
    )
    .await;
    mark_eligible(&manager, a).await;
    let page = decide(&manager, a, "accepted", "").await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    let b = app
        .submitted_application(&c)
        .by("Ben Okafor", "ben@student.edu")
        .from("Hillcrest College")
        .await;
    // An answer a spreadsheet would run as a formula, and one on two lines.
    app.sql(&format!(
        "UPDATE applications SET answers_json = '{{\"legal_name\":\"Ben Okafor\",\"degree\":\"=HYPERLINK(\\\"http://evil.example\\\")\",\"discipline\":\"pharmacy\",\"discipline_other\":\"OLD-HIDDEN-NOTE\",\"health_equity_essay\":\"Line one.\\nLine two.\"}}' WHERE id = {b}"
    ))
    .await;
    // A draft stays out.
    app.submitted_application(&c)
        .by("Dee Draft", "dee@student.edu")
        .from("Lakeside University")
        .in_stage(Stage::Draft)
        .await;

    let url = format!("/manage/cycles/{}/export.csv", c.id);
    let r = manager.client.get(url.clone()).dispatch().await;
    assert_eq!(r.status(), Status::Ok);
    assert_eq!(
        r.content_type().map(|t| t.to_string()).as_deref(),
        Some("text/csv; charset=utf-8")
    );
    let disposition = r
        .headers()
        .get_one("Content-Disposition")
        .unwrap()
        .to_owned();
    assert!(
        disposition.starts_with("attachment;") && disposition.contains(".csv"),
        "{disposition}"
    );
    let text = r.into_string().await.unwrap();
    let text = text.strip_prefix('\u{feff}').expect("a byte-order mark");
    let rows = csv_rows(text);
    assert_eq!(rows.len(), 3, "a header and two applications: {text}");
    let header = &rows[0];
    let column = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("{name} in {header:?}"))
    };
    assert!(rows.iter().all(|r| r.len() == header.len()));
    let ana = rows.iter().find(|r| r[0] == a.to_string()).unwrap();
    assert_eq!(ana[column("Applicant")], "Ana, \"Annie\" Rivera");
    assert_eq!(ana[column("Stage")], "Decided");
    assert_eq!(ana[column("Decision")], "Accepted");
    assert_eq!(ana[column("Decision released")], "");
    assert_eq!(ana[column("Institution")], "Lakeside University");
    let ben = rows.iter().find(|r| r[0] == b.to_string()).unwrap();
    assert_eq!(ben[column("Stage")], "Submitted");
    assert_eq!(
        ben[column("Degree program")].chars().next(),
        Some('\''),
        "{ben:?}"
    );
    assert!(ben.iter().any(|f| f == "Line one.\nLine two."), "{ben:?}");
    assert!(!text.contains("Dee Draft"));
    // An answer the applicant's own choices hid is not exported.
    assert!(!text.contains("OLD-HIDDEN-NOTE"), "{text}");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'cycle.export'")
            .await,
        1
    );
    // A reviewer, another program's manager and the applicant get nothing.
    let reviewer = app
        .with_reviewer(&c, "Rae Reviewer", "rae@faculty.org")
        .await;
    let stranger = manager_elsewhere(&app).await;
    for (who, status) in [
        (&reviewer.browser, Status::Forbidden),
        (&stranger, Status::NotFound),
    ] {
        let r = who.client.get(url.clone()).dispatch().await;
        assert_eq!(r.status(), status);
    }
    let anonymous = app.another_browser().await;
    let r = anonymous.client.get(url.clone()).dispatch().await;
    assert_ne!(r.status(), Status::Ok);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'cycle.export'")
            .await,
        1
    );

    // In small batches the rows are the same, each once.
    let found = {
        let mut conn = app.pool().conn().await.unwrap();
        fellowship_portal::db::cycles::find(conn.exec(), CycleId(c.id))
            .await
            .unwrap()
            .unwrap()
    };
    let mut small = Vec::new();
    let n = fellowship_portal::export::write_in_batches(app.pool(), &found, None, &mut small, 1)
        .await
        .unwrap();
    assert_eq!(n, 2);
    assert_eq!(
        String::from_utf8(small)
            .unwrap()
            .strip_prefix('\u{feff}')
            .unwrap(),
        text
    );
}

/// A report downloaded by `who`: its rows (header first) and its text.
async fn download(who: &Browser, url: &str) -> (Vec<Vec<String>>, String) {
    let r = who.client.get(url.to_owned()).dispatch().await;
    assert_eq!(r.status(), Status::Ok, "{url}");
    assert_eq!(
        r.content_type().map(|t| t.to_string()).as_deref(),
        Some("text/csv; charset=utf-8")
    );
    let text = r.into_string().await.unwrap();
    let text = text
        .strip_prefix('\u{feff}')
        .expect("a byte-order mark")
        .to_owned();
    let rows = csv_rows(&text);
    assert!(rows.iter().all(|r| r.len() == rows[0].len()), "{text}");
    (rows, text)
}

/// The values of column `name` in `rows` (after the header).
fn column<'a>(rows: &'a [Vec<String>], name: &str) -> Vec<&'a str> {
    let at = rows[0].iter().position(|h| h == name);
    let at = at.unwrap_or_else(|| panic!("{name} in {:?}", rows[0]));
    rows[1..].iter().map(|r| r[at].as_str()).collect()
}

#[rocket::async_test]
async fn reviews_and_decisions_are_reported_named_or_blind() {
    let app = spawn().await;
    let c = app.with_cycle().await;
    let manager = app.with_manager(&c, "Mo Manager", "mo@alliance.org").await;
    let one = app.with_reviewer(&c, "Rev One", "one@faculty.org").await;
    let two = app.with_reviewer(&c, "Rev Two", "two@faculty.org").await;
    let a = submitted(
        &app,
        c.id,
        "Ana Rivera",
        "ana@student.edu",
        "Lakeside University",
    )
    .await;
    let b = submitted(
        &app,
        c.id,
        "Ben Okafor",
        "ben@student.edu",
        "Hillcrest College",
    )
    .await;
    for id in [a, b] {
        mark_eligible(&manager, id).await;
    }
    assign(&manager, a, one.id).await;
    assign(&manager, a, two.id).await;
    assign(&manager, b, one.id).await;
    for (who, score) in [(&two, "3"), (&one, "4")] {
        let page = post_review(who, a, &review_fields(&c, score, "submit")).await;
        assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    }
    // A draft is no review yet.
    let page = post_review(&one, b, &review_fields(&c, "5", "save")).await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    let page = decide(&manager, a, "accepted", "").await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);

    // The reports page offers each download, and the cycle links to it.
    let page = manager
        .get(&format!("/manage/cycles/{}/reports", c.id))
        .await;
    page.assert_contains(&format!(
        "action=\"/manage/cycles/{}/reports/reviews.csv\"",
        c.id
    ))
    .assert_contains(&format!(
        "action=\"/manage/cycles/{}/reports/decisions.csv\"",
        c.id
    ))
    .assert_contains(&format!("href=\"/manage/cycles/{}/export.csv\"", c.id));

    // Named: one row per review and criterion, each review's rows together.
    let criteria = c.criteria.len();
    assert!(criteria >= 2);
    let url = format!("/manage/cycles/{}/reports/reviews.csv", c.id);
    let (rows, text) = download(&manager, &url).await;
    assert_eq!(rows.len(), 1 + 2 * criteria, "{text}");
    assert!(column(&rows, "Application")
        .iter()
        .all(|x| *x == a.to_string()));
    assert!(column(&rows, "Applicant")
        .iter()
        .all(|x| *x == "Ana Rivera"));
    let reviewers = column(&rows, "Reviewer");
    assert_eq!(reviewers[0], "Rev Two", "written first");
    assert_eq!(reviewers[criteria], "Rev One");
    let scores = column(&rows, "Score");
    assert!(scores[..criteria].iter().all(|s| *s == "3"), "{scores:?}");
    assert!(scores[criteria..].iter().all(|s| *s == "4"), "{scores:?}");
    assert_eq!(column(&rows, "Reviewer email")[0], "two@faculty.org");
    assert_eq!(column(&rows, "Recommendation")[0], "Support");
    assert_eq!(column(&rows, "Confidence")[0], "High");
    assert_eq!(
        column(&rows, "Overall comment")[0],
        "Clear plans, strong community ties."
    );
    assert!(
        !text.contains("Ben Okafor"),
        "the draft is left out: {text}"
    );

    // In batches of one the rows are the same, each once.
    let mut small = Vec::new();
    let cycle = {
        let mut conn = app.pool().conn().await.unwrap();
        fellowship_portal::db::cycles::find(conn.exec(), CycleId(c.id))
            .await
            .unwrap()
            .unwrap()
            .cycle
    };
    let named = fellowship_portal::export::Identities {
        applicants: true,
        reviewers: true,
    };
    let n = fellowship_portal::export::reviews::write_in_batches(
        app.pool(),
        &cycle,
        None,
        named,
        &mut small,
        1,
    )
    .await
    .unwrap();
    assert_eq!(n, 2);
    assert_eq!(String::from_utf8(small).unwrap(), format!("\u{feff}{text}"));

    // Blind, reviewers numbered: nothing that names the applicant or the
    // reviewer, and each reviewer's rows still go together.
    let (rows, text) = download(&manager, &format!("{url}?blind=true&number_reviewers=true")).await;
    assert_eq!(rows.len(), 1 + 2 * criteria);
    for gone in [
        "Applicant",
        "Email",
        "Institution",
        "Reviewer email",
        "Overall comment",
    ] {
        assert!(
            !rows[0].iter().any(|h| h == gone),
            "{gone} in {:?}",
            rows[0]
        );
    }
    for name in [
        "Ana",
        "Rivera",
        "Lakeside",
        "Rev One",
        "Rev Two",
        "faculty.org",
        "Clear plans",
    ] {
        assert!(!text.contains(name), "{name} in {text}");
    }
    let reviewers = column(&rows, "Reviewer");
    assert!(
        reviewers[..criteria].iter().all(|r| *r == "Reviewer 1"),
        "{reviewers:?}"
    );
    assert!(
        reviewers[criteria..].iter().all(|r| *r == "Reviewer 2"),
        "{reviewers:?}"
    );
    // A value a checkbox never sends is no choice: the report is named.
    let (rows, _) = download(&manager, &format!("{url}?blind=maybe")).await;
    assert_eq!(column(&rows, "Applicant")[0], "Ana Rivera");

    // Decisions: one row per decision, under the cycle's name for it.
    let url = format!("/manage/cycles/{}/reports/decisions.csv", c.id);
    let (rows, text) = download(&manager, &url).await;
    assert_eq!(rows.len(), 2, "one decision: {text}");
    assert_eq!(column(&rows, "Application"), [a.to_string()]);
    assert_eq!(column(&rows, "Applicant"), ["Ana Rivera"]);
    assert_eq!(column(&rows, "Decision"), ["Accepted"]);
    assert_eq!(column(&rows, "Decided by"), ["Mo Manager"]);
    assert_eq!(
        column(&rows, "Decision note"),
        ["A strong community focus."]
    );
    assert_eq!(column(&rows, "Released to the applicant"), [""]);
    assert_eq!(column(&rows, "Reviews submitted"), ["2"]);
    // In batches of one the file is the same.
    let mut small = Vec::new();
    let n = fellowship_portal::export::decisions::write_in_batches(
        app.pool(),
        &cycle,
        None,
        named,
        &mut small,
        1,
    )
    .await
    .unwrap();
    assert_eq!(n, 1);
    assert_eq!(String::from_utf8(small).unwrap(), format!("\u{feff}{text}"));
    let (rows, text) = download(&manager, &format!("{url}?blind=true")).await;
    assert_eq!(rows.len(), 2);
    for name in ["Ana", "Lakeside", "ana@student.edu", "community focus"] {
        assert!(!text.contains(name), "{name} in {text}");
    }

    // Every download is recorded, with what it left out.
    let details = app
        .texts("SELECT action || ': ' || detail FROM audit_log WHERE action LIKE 'report.%' ORDER BY id")
        .await;
    assert_eq!(
        details,
        [
            "report.reviews: 2 reviews as CSV",
            "report.reviews: 2 reviews as CSV (blind: without who applied; reviewers not named)",
            "report.reviews: 2 reviews as CSV",
            "report.decisions: 1 decision as CSV",
            "report.decisions: 1 decision as CSV (blind: without who applied)",
        ]
    );

    // A reviewer gets no report; nothing more is recorded.
    for path in [
        "reports",
        "reports/reviews.csv",
        "reports/decisions.csv?blind=true",
    ] {
        let r = one
            .client
            .get(format!("/manage/cycles/{}/{path}", c.id))
            .dispatch()
            .await;
        assert_eq!(r.status(), Status::Forbidden, "{path}");
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'report.%'")
            .await,
        5
    );
}

#[rocket::async_test]
async fn demographics_are_reported_in_aggregate_with_small_counts_hidden() {
    let app = spawn().await;
    let c = app.with_cycle().await;
    let manager = app.with_manager(&c, "Mo Manager", "mo@alliance.org").await;
    // 8 women, 6 men, 2 describing themselves, 1 who said nothing.
    let mut people: Vec<(String, &str)> = Vec::new();
    for (n, gender) in [(8, "woman"), (6, "man"), (2, "self_describe")] {
        for i in 0..n {
            people.push((format!("{gender}{i}"), gender));
        }
    }
    people.push(("silent".into(), ""));
    let mut first = None;
    for (who, gender) in &people {
        let a = app
            .submitted_application(&c)
            .by(who, &format!("{who}@student.edu"))
            .from("Lakeside University")
            .await;
        first.get_or_insert(a);
        if gender.is_empty() {
            continue;
        }
        let owner = UserId(
            app.count(&format!(
                "SELECT applicant_id FROM applications WHERE id = {a}"
            ))
            .await,
        );
        let json = format!(
            r#"{{"gender_identity":"{gender}","gender_self_description":"Two-Spirit poet {who}","race_ethnicity":["asian"]}}"#
        );
        let mut conn = app.pool().conn().await.unwrap();
        fellowship_portal::db::profiles::put_demographics(
            conn.exec(),
            owner,
            &json,
            app.clock.now(),
        )
        .await
        .unwrap();
    }
    // One reaches review and is offered a place.
    let a = first.unwrap();
    mark_eligible(&manager, a).await;
    assert_eq!(
        decide(&manager, a, "accepted", "").await.status,
        Status::SeeOther
    );

    let url = format!("/manage/cycles/{}/demographics", c.id);
    // A held decision is not counted: the page must not tell a manager who
    // toggles one what that applicant said.
    let held = manager.get(&url).await;
    assert_eq!(held.status, Status::Ok, "{}", held.body);
    let row_of = |page: &crate::helpers::Page, label: &str| -> Vec<String> {
        let at = page
            .body
            .find(&format!("<th scope=\"row\">{label}</th>"))
            .unwrap_or_else(|| panic!("a row {label}"));
        let end = at + page.body[at..].find("</tr>").unwrap();
        page.body[at..end]
            .split("<td>")
            .skip(1)
            .map(|c| c.trim_end_matches("</td>").to_owned())
            .collect()
    };
    assert_eq!(row_of(&held, "Reviewed, not offered"), vec!["fewer than 5"]);
    assert_eq!(row_of(&held, "Offered a place"), vec!["0"]);
    assert_eq!(release_all(&manager, c.id).await.status, Status::SeeOther);
    let page = manager.get(&url).await;
    assert_eq!(page.status, Status::Ok, "{}", page.body);
    let row = |label: &str| -> Vec<String> {
        let at = page
            .body
            .find(&format!("<th scope=\"row\">{label}</th>"))
            .unwrap_or_else(|| panic!("a row {label}"));
        let end = at + page.body[at..].find("</tr>").unwrap();
        page.body[at..end]
            .split("<td>")
            .skip(1)
            .map(|c| c.trim_end_matches("</td>").to_owned())
            .collect()
    };
    // The groups are apart: 16 not reviewed, none reviewed without an
    // offer, one offered a place (a group of one shows no counts at all).
    assert_eq!(row("Not reviewed"), vec!["16"]);
    assert_eq!(row("Reviewed, not offered"), vec!["0"]);
    assert_eq!(row("Offered a place"), vec!["fewer than 5"]);
    assert_eq!(row("Woman"), vec!["7", "0", "fewer than 5"]);
    assert_eq!(row("Man"), vec!["6", "0", "fewer than 5"]);
    assert_eq!(row("Non-binary"), vec!["0", "0", "fewer than 5"]);
    // Two describing themselves and one silent: both hidden (2 + 1 could
    // be split two ways), never the words.
    assert_eq!(
        row("I prefer to describe it myself"),
        vec!["fewer than 5", "0", "fewer than 5"]
    );
    page.assert_lacks("Two-Spirit");
    page.assert_lacks("woman0");
    // Race, the first table: 15 Asian and one with no answer among those
    // not reviewed; the 1 alone would be the total's remainder, so the 15
    // is not shown either.
    assert_eq!(row("Asian"), vec!["not shown", "0", "fewer than 5"]);
    // Reviewers and other programs' managers get nothing.
    let reviewer = app
        .with_reviewer(&c, "Rae Reviewer", "rae@faculty.org")
        .await;
    assert_eq!(reviewer.get(&url).await.status, Status::Forbidden);
}
