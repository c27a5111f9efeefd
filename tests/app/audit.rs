//! The audit log, readable: entries in words for admins (everything) and
//! managers (their programs), filtered, paged and downloaded as CSV; the
//! application page's own record and document downloads.

use rocket::http::Status;

use crate::decisions::{decide, release_all};
use crate::fixtures::{assign, manager_elsewhere, mark_eligible, submitted};
use crate::helpers::{spawn, Browser, Page};

/// How many entries the page lists.
fn entries(page: &Page) -> usize {
    let body = &page.body;
    match body.find("<tbody>") {
        Some(start) => body[start..body.find("</tbody>").unwrap()]
            .matches("<tr>")
            .count(),
        None => 0,
    }
}

async fn csv(who: &Browser, url: &str) -> String {
    let r = who.client.get(url.to_owned()).dispatch().await;
    assert_eq!(r.status(), Status::Ok, "{url}");
    assert_eq!(
        r.content_type().map(|t| t.to_string()).as_deref(),
        Some("text/csv; charset=utf-8")
    );
    r.into_string().await.unwrap()
}

#[rocket::async_test]
async fn the_audit_log_reads_in_words_for_admins_and_for_managers_their_programs() {
    let app = spawn().await;
    let c = app.with_cycle().await;
    let mo = app.with_manager(&c, "Mo Manager", "mo@alliance.org").await;
    let rev = app
        .with_reviewer(&c, "Rev Reviewer", "rev@faculty.org")
        .await;
    let sam = manager_elsewhere(&app).await;
    let voices = app
        .count("SELECT id FROM programs WHERE slug = 'voices-for-change'")
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
    let page = decide(&mo, a, "accepted", "").await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    let page = release_all(&mo, c.id).await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    let cycle_name = app
        .text(&format!("SELECT name FROM cycles WHERE id = {}", c.id))
        .await;
    let program_name = app
        .text(&format!(
            "SELECT name FROM programs WHERE id = {}",
            c.program
        ))
        .await;

    // Each entry is filed under its program, cycle and application.
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'decision.record' AND application_id = {a} \
             AND cycle_id = {} AND program_id = {}",
            c.id, c.program
        ))
        .await,
        1
    );

    // The manager reads their program's entries in words, newest first.
    let page = mo.get("/manage/audit").await;
    assert_eq!(page.status, Status::Ok);
    let released = format!("released decisions for {cycle_name} ({program_name})");
    let recorded = format!("recorded a decision on application #{a} (Ana Rivera)");
    page.assert_contains(&released)
        .assert_contains(&recorded)
        .assert_contains(&format!(
            "assigned a reviewer to application #{a} (Ana Rivera)"
        ))
        .assert_contains("<th scope=\"row\" data-label=\"Who\">Mo Manager</th>")
        .assert_lacks("From address");
    assert!(
        page.body.find(&released).unwrap() < page.body.find(&recorded).unwrap(),
        "newest first"
    );
    // Another program's manager sees none of it; an admin sees it all,
    // with the addresses.
    let page = sam.get("/manage/audit").await;
    page.assert_lacks("Ana Rivera")
        .assert_lacks("released decisions")
        .assert_contains("Nothing has been recorded yet.");
    let admin = app.another_browser().await;
    app.admin_on(&admin, "ada@alliance.org").await;
    let page = admin.get("/admin/audit").await;
    page.assert_contains(&released)
        .assert_contains("From address");

    // Filters: a kind of action, a person, an application, dates.
    let page = mo.get("/manage/audit?kind=decision").await;
    page.assert_contains(&recorded)
        .assert_lacks("assigned a reviewer");
    let page = mo
        .get("/manage/audit?who=mo%40alliance.org&kind=assignment")
        .await;
    page.assert_contains("assigned a reviewer")
        .assert_lacks("recorded a decision")
        .assert_contains("Clear the filters");
    let page = mo
        .get(&format!("/manage/audit?application=%23{a}&kind=decision"))
        .await;
    assert_eq!(entries(&page), 1, "one decision on it: {}", page.body);
    let yesterday = (app.clock.now() - chrono::Duration::days(1)).format("%Y-%m-%d");
    let today = app.clock.now().format("%Y-%m-%d");
    let page = mo.get(&format!("/manage/audit?until={yesterday}")).await;
    page.assert_contains("No entries match these filters.");
    let page = mo
        .get(&format!("/manage/audit?from={today}&until={today}"))
        .await;
    page.assert_contains(&released);

    // Each wrong filter is told next to its field, and nothing is listed.
    for (query, field, message) in [
        (
            "who=nobody%40nowhere.org",
            "who",
            "No account has the address nobody@nowhere.org.",
        ),
        (
            "who=mo",
            "who",
            "Enter the person’s email address, such as mo@alliance.org.",
        ),
        (
            "kind=everything",
            "kind",
            "Choose a kind of action from the list.",
        ),
        (
            "application=abc",
            "application",
            "Enter an application’s number, such as 12",
        ),
        (
            "from=2027-13-01",
            "from",
            "Enter a date such as 2027-05-31.",
        ),
        (
            "from=2027-06-02&until=2027-06-01",
            "until",
            "The last day is before the first day.",
        ),
        (
            &format!("program={voices}") as &str,
            "program",
            "Choose one of the programs in the list.",
        ),
    ] {
        let page = mo.get(&format!("/manage/audit?{query}")).await;
        assert_eq!(page.status, Status::UnprocessableEntity, "{query}");
        page.assert_contains(message)
            .assert_contains(&format!("id=\"{field}-error\""))
            .assert_lacks("Ana Rivera");
        // The download says the same, and nothing is downloaded.
        let r = mo
            .client
            .get(format!("/manage/audit.csv?{query}"))
            .dispatch()
            .await;
        assert_eq!(r.status(), Status::UnprocessableEntity, "{query}");
    }
    // A program they manage is a filter like any other.
    let page = mo
        .get(&format!("/manage/audit?program={}", c.program))
        .await;
    page.assert_contains(&released);

    // The manager's own application stays out of their log.
    let own = app
        .submitted_application(&c)
        .by("Mo Manager", "mo-applies@alliance.org")
        .of(mo.id)
        .await;
    app.sql(&format!(
        "INSERT INTO audit_log (actor_id, action, subject, detail, created_at, program_id, cycle_id, application_id) \
         SELECT {}, 'review.submit', 'application:{own}', 'OWN-REVIEWED', created_at, {}, {}, {own} FROM audit_log LIMIT 1",
        rev.id, c.program, c.id
    ))
    .await;
    mo.get("/manage/audit").await.assert_lacks("OWN-REVIEWED");
    admin
        .get("/admin/audit")
        .await
        .assert_contains("OWN-REVIEWED");

    // Fifty a page; "Older entries" goes on from the page's last.
    app.sql(&format!(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 60) \
         INSERT INTO audit_log (actor_id, action, subject, detail, created_at, program_id) \
         SELECT {}, 'program.edit', 'program:{}', 'FILLER ' || i, (SELECT MIN(created_at) FROM audit_log), {} FROM n",
        mo.id, c.program, c.program
    ))
    .await;
    let total = app
        .count(&format!(
            "SELECT COUNT(*) FROM audit_log l WHERE program_id = {} AND NOT EXISTS \
             (SELECT 1 FROM applications x WHERE x.id = l.application_id AND x.applicant_id = {})",
            c.program, mo.id
        ))
        .await as usize;
    let page = mo.get("/manage/audit").await;
    assert_eq!(entries(&page), 50);
    // Handlebars writes `=` in an attribute as `&#x3D;`.
    let marker = "href=\"/manage/audit?before&#x3D;";
    let at = page.body.find(marker).expect("a link to older entries") + 6;
    let older = page.body[at..]
        .split('"')
        .next()
        .unwrap()
        .replace("&#x3D;", "=");
    let page = mo.get(&older).await;
    assert_eq!(entries(&page), total - 50);
    page.assert_contains("Newest entries")
        .assert_lacks("Older entries");

    // The matching entries as CSV; the download is recorded too.
    let text = csv(&mo, "/manage/audit.csv?kind=decision").await;
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].starts_with("\u{feff}When (UTC),Who,Email,What,Action,Program,Application,Detail"),
        "{text}"
    );
    assert!(!lines[0].contains("From address"));
    assert_eq!(lines.len(), 3, "the decision and its release: {text}");
    assert!(
        text.contains(&format!(
            ",Mo Manager,mo@alliance.org,{recorded},decision.record,"
        )),
        "{text}"
    );
    assert_eq!(
        app.text("SELECT detail FROM audit_log WHERE action = 'audit.export'")
            .await,
        "2 entries as CSV; filter kind=decision"
    );
    let text = csv(&admin, "/admin/audit.csv?kind=audit").await;
    assert!(
        text.lines().next().unwrap().ends_with(",From address"),
        "{text}"
    );
    assert!(text.contains("downloaded the audit log"), "{text}");

    // A reviewer and an applicant read no log.
    for path in ["/manage/audit", "/manage/audit.csv", "/admin/audit"] {
        let r = rev.client.get(path).dispatch().await;
        assert_eq!(r.status(), Status::Forbidden, "{path}");
    }
}

#[rocket::async_test]
async fn an_application_page_shows_its_record_and_who_downloaded_its_documents() {
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
    let page = mo.get(&format!("/manage/applications/{a}")).await;
    page.assert_contains("On the record")
        .assert_contains("Nothing recorded yet.")
        .assert_contains("Nobody has downloaded its documents yet.");
    mark_eligible(&mo, a).await;
    assign(&mo, a, rev.id).await;
    // A document of the application, downloaded by the reviewer.
    app.sql(&format!(
        "INSERT INTO documents (id, owner_id, kind, storage_key, original_name, content_type, size_bytes, sha256, created_at) \
         SELECT 9001, applicant_id, 'upload', 'k9001', 'cv-ana.pdf', 'application/pdf', 10, 'x', submitted_at FROM applications WHERE id = {a}"
    ))
    .await;
    app.sql(&format!(
        "INSERT INTO application_documents (application_id, question_key, document_id, attached_at) \
         SELECT {a}, 'cv', 9001, submitted_at FROM applications WHERE id = {a}"
    ))
    .await;
    app.sql(&format!(
        "INSERT INTO document_views (document_id, viewer_id, viewer_role, client_ip, viewed_at) \
         SELECT 9001, {}, 'reviewer', '127.0.0.1', submitted_at FROM applications WHERE id = {a}",
        rev.id
    ))
    .await;
    let page = mo.get(&format!("/manage/applications/{a}")).await;
    page.assert_contains(&format!(
        "<strong>Mo Manager</strong> assigned a reviewer to application #{a} (Ana Rivera)"
    ))
    .assert_contains("<strong>Rev Reviewer</strong> (reviewer) downloaded cv-ana.pdf")
    .assert_contains(&format!("href=\"/manage/audit?application={a}\""));
}
