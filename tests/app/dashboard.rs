//! The cycle dashboard (`/manage/cycles/<id>`): what needs attention, each
//! count with the link to its list; the charts' figures against what is
//! stored; a cycle with no applications; the cycle's other pages still
//! reachable from it.

use fellowship_portal::domain::workflow::scoring::stats;
use fellowship_portal::domain::workflow::stage::Stage;

use crate::decisions::{decide, release_all};
use crate::fixtures::{assign, mark_eligible, past_due, post_review, review_fields};
use crate::helpers::{spawn, Page, TestApp, PASSWORD};

/// The page's HTML with handlebars' escaping of `=` undone, so links read
/// as written.
fn html(page: &Page) -> String {
    page.body.replace("&#x3D;", "=")
}

#[rocket::async_test]
async fn the_dashboard_lists_what_needs_attention_with_links_to_each_list() {
    let app = spawn().await;
    let c = app.with_cycle().await;
    let mo = app.with_manager(&c, "Mo Manager", "mo@alliance.org").await;
    let rev = app
        .with_reviewer(&c, "Rae Reviewer", "rae@faculty.org")
        .await;
    for _ in 0..2 {
        app.submitted_application(&c).await;
    }
    app.submitted_application(&c)
        .in_stage(Stage::Screening)
        .await;
    let mut in_review = Vec::new();
    for _ in 0..2 {
        let a = app.submitted_application(&c).await;
        mark_eligible(&mo, a).await;
        assign(&mo, a, rev.id).await;
        in_review.push(a);
    }
    let page = post_review(&rev, in_review[0], &review_fields(&c, "4", "submit")).await;
    assert_eq!(page.status.code, 303, "{}", page.body);
    let offered = app.submitted_application(&c).await;
    mark_eligible(&mo, offered).await;
    assert_eq!(decide(&mo, offered, "accepted", "").await.status.code, 303);
    assert_eq!(release_all(&mo, c.id).await.status.code, 303);
    // The relay refused the letter every time: the outbox gave up on it.
    app.sql(&format!(
        "UPDATE outbox SET status = 'failed', last_error = 'relay refused' \
         WHERE message_key LIKE 'decision:{offered}%'"
    ))
    .await;

    let url = format!("/manage/cycles/{}", c.id);
    let page = mo.get(&url).await;
    let body = html(&page);
    let cycle = c.id;
    // Submitted or being screened: three wait for screening.
    assert!(body.contains(&format!(
        "<a href=\"/manage/cycles/{cycle}/applications?waiting=screening\"><span class=\"attention__count\">3</span> <span class=\"attention__text\">applications waiting for screening (1 being screened)</span></a>"
    )), "{body}");
    assert!(body.contains(&format!(
        "<a href=\"/manage/cycles/{cycle}/release\"><span class=\"attention__count\">1</span> <span class=\"attention__text\">decision letter not delivered</span></a>"
    )));
    // The review is not due yet, and the offer has 14 days to run.
    page.assert_lacks("overdue</span>")
        .assert_lacks("about to lapse")
        .assert_lacks("Nothing needs your attention");
    // The filtered list the link opens shows exactly those three.
    let list = mo
        .get(&format!(
            "/manage/cycles/{cycle}/applications?waiting=screening"
        ))
        .await;
    assert_eq!(list.status.code, 200);

    // Twelve days on, the offer lapses within three days.
    app.advance(chrono::Duration::days(12));
    // Logged out meanwhile, idle: back in.
    mo.login("mo@alliance.org", PASSWORD).await;
    let body = html(&mo.get(&url).await);
    assert!(body.contains(&format!(
        "<a href=\"/manage/cycles/{cycle}/decisions?outcome=accepted\"><span class=\"attention__count\">1</span> <span class=\"attention__text\">offer about to lapse (within 3 days)</span></a>"
    )), "{body}");

    // Past the due date, the review not submitted is overdue; the offer's
    // date has gone by, so it is no longer "about to" lapse.
    app.advance_past(past_due());
    mo.login("mo@alliance.org", PASSWORD).await;
    let body = html(&mo.get(&url).await);
    assert!(body.contains(&format!(
        "<a href=\"/manage/cycles/{cycle}/reviewers\"><span class=\"attention__count\">1</span> <span class=\"attention__text\">review overdue</span></a>"
    )), "{body}");
    assert!(!body.contains("about to lapse"));
    let progress = mo.get(&format!("/manage/cycles/{cycle}/reviewers")).await;
    assert_eq!(progress.status.code, 200);
    progress.assert_contains("Rae Reviewer");
}

#[rocket::async_test]
async fn the_charts_show_the_figures_that_are_stored() {
    let app = spawn().await;
    let c = app.with_cycle().await;
    let mo = app.with_manager(&c, "Mo Manager", "mo@alliance.org").await;
    let harsh = app
        .with_reviewer(&c, "Dr <Kim> & Co", "kim@faculty.org")
        .await;
    let kind = app.with_reviewer(&c, "Lee Kind", "lee@faculty.org").await;
    let mut apps = Vec::new();
    for _ in 0..4 {
        let a = app.submitted_application(&c).await;
        mark_eligible(&mo, a).await;
        assign(&mo, a, harsh.id).await;
        assign(&mo, a, kind.id).await;
        apps.push(a);
    }
    app.submitted_application(&c).await;
    for (n, a) in apps.iter().enumerate() {
        let low = if n % 2 == 0 { "2" } else { "3" };
        let page = post_review(&harsh, *a, &review_fields(&c, low, "submit")).await;
        assert_eq!(page.status.code, 303, "{}", page.body);
        // The kind reviewer submits three and keeps one as a draft.
        let action = if n == 3 { "save" } else { "submit" };
        let high = if n % 2 == 0 { "5" } else { "4" };
        let page = post_review(&kind, *a, &review_fields(&c, high, action)).await;
        assert_eq!(page.status.code, 303, "{}", page.body);
    }

    let page = mo.get(&format!("/manage/cycles/{}", c.id)).await;
    let body = html(&page);
    // The funnel: one submitted, four in review, as stored.
    let stored = |stage: &str| {
        format!(
            "SELECT COUNT(*) FROM applications WHERE cycle_id = {} AND stage = '{stage}'",
            c.id
        )
    };
    assert_eq!(app.count(&stored("submitted")).await, 1);
    assert_eq!(app.count(&stored("review")).await, 4);
    assert!(body.contains(&format!("<th scope=\"row\"><a href=\"/manage/cycles/{}/applications?stage=submitted\">Submitted</a></th><td data-label=\"Applications\">1</td>", c.id)), "{body}");
    assert!(body.contains(&format!("<th scope=\"row\"><a href=\"/manage/cycles/{}/applications?stage=review\">In review</a></th><td data-label=\"Applications\">4</td>", c.id)));
    page.assert_contains("5 applications: Submitted 1, In review 4.");
    // Review progress: 7 of 8 submitted, one draft, none overdue yet.
    page.assert_contains("7 of 8 reviews submitted (88%); 0 overdue, 1 in draft, 0 not started.")
        .assert_contains("<th scope=\"row\">Reviews submitted</th><td data-label=\"Number\">7</td><td data-label=\"Share\">88%</td>")
        .assert_contains("<th scope=\"row\">In draft</th><td data-label=\"Number\">1</td><td data-label=\"Share\">13%</td>");
    // Every chart is an image named by its title, described in words.
    for id in ["funnel", "progress", "scores", "leniency"] {
        page.assert_contains(&format!(
            "role=\"img\" aria-labelledby=\"{id}-title\" aria-describedby=\"{id}-desc\""
        ));
    }
    assert_eq!(
        body.matches("<summary>Show the figures</summary>").count(),
        3
    );

    // The score distribution: each application's normalised score, as stored.
    let means = app
        .texts(&format!(
            "SELECT CAST(normalised AS TEXT) FROM application_scores WHERE cycle_id = {} \
             AND ranked = 1 AND normalised IS NOT NULL",
            c.id
        ))
        .await;
    assert_eq!(means.len(), 4);
    let mut bins = [0; 10];
    for m in &means {
        let v: f64 = m.parse().unwrap();
        bins[((v / 10.0).floor() as usize).min(9)] += 1;
    }
    for (i, n) in bins.iter().enumerate() {
        let (from, to) = (i * 10, i * 10 + 10);
        let head = if i == 9 {
            format!("{from} to {to}")
        } else {
            format!("{from} to under {to}")
        };
        page.assert_contains(&format!(
            "<th scope=\"row\">{head}</th><td data-label=\"Applications\">{n}</td>"
        ));
    }

    // Leniency: each reviewer's mean against the cycle's, as stored.
    let (h, k) = (
        totals(&app, c.id, harsh.id.0).await,
        totals(&app, c.id, kind.id.0).await,
    );
    let all: Vec<f64> = h.iter().chain(&k).copied().collect();
    let cycle = stats(&all);
    for (name, mine) in [("Dr &lt;Kim&gt; &amp; Co", &h), ("Lee Kind", &k)] {
        let s = stats(mine);
        let rel = (s.mean - cycle.mean) / cycle.sd;
        let shown = if rel > 0.0 {
            format!("+{rel:.2}")
        } else {
            format!("−{:.2}", -rel)
        };
        page.assert_contains(&format!(
            "<th scope=\"row\">{name}</th><td data-label=\"Reviews submitted\">{}</td><td data-label=\"Mean total\">{:.1}</td><td data-label=\"Against the cycle\">{shown}</td>",
            mine.len(),
            s.mean
        ));
        // The chart writes the same figure beside the reviewer's bar.
        page.assert_contains(&format!(">{shown}</text>"));
    }
    // The reviewer's name is text in the chart, never markup.
    assert!(!body.contains("<Kim>"));
    page.assert_contains(">Dr &lt;Kim&gt; &amp; Co</text>");
    page.assert_contains(
        "1 of 2 reviewers score above the cycle’s mean (kinder), 1 below it (harsher)",
    );
}

#[rocket::async_test]
async fn a_cycle_with_no_applications_needs_no_attention_and_keeps_its_pages() {
    let app = spawn().await;
    let c = app.with_cycle().await;
    let mo = app.with_manager(&c, "Mo Manager", "mo@alliance.org").await;
    let page = mo.get(&format!("/manage/cycles/{}", c.id)).await;
    assert_eq!(page.status.code, 200);
    page.assert_contains("Nothing needs your attention.")
        .assert_contains("No applications yet.")
        .assert_contains("No reviewer is assigned yet.")
        .assert_contains("No application in review has a submitted review yet.")
        .assert_contains("No reviewer has submitted enough reviews to compare yet.")
        .assert_contains("<summary>Give one applicant more time</summary>")
        .assert_lacks("NaN");
    // Every page of the cycle is one link away, in the cycle's menu.
    let nav_at = page.body.find("<nav aria-label=\"This cycle\"").unwrap();
    let nav = &page.body[nav_at..page.body[nav_at..].find("</nav>").unwrap() + nav_at];
    for rest in [
        "applications",
        "assign",
        "reviewers",
        "ranking",
        "reports",
        "decisions",
        "release",
        "letters",
        "demographics",
        "form",
        "settings",
        "rubric",
        "outcomes",
        "dates",
        "copy",
    ] {
        assert!(
            nav.contains(&format!("href=\"/manage/cycles/{}/{rest}\"", c.id)),
            "{rest} in {nav}"
        );
    }
}

/// A reviewer's submitted totals in the cycle, as stored.
async fn totals(app: &TestApp, cycle: i64, reviewer: i64) -> Vec<f64> {
    app.texts(&format!(
        "SELECT CAST(score_total AS TEXT) FROM reviews WHERE cycle_id = {cycle} \
         AND state = 'submitted' AND reviewer_id = {reviewer}"
    ))
    .await
    .iter()
    .map(|t| t.parse::<f64>().unwrap())
    .collect()
}

#[rocket::async_test]
async fn reviews_overdue_follow_submission_and_reopening() {
    let app = spawn().await;
    let c = app.with_cycle().await;
    let mo = app.with_manager(&c, "Mo Manager", "mo@alliance.org").await;
    let rae = app
        .with_reviewer(&c, "Rae Reviewer", "rae@faculty.org")
        .await;
    let sam = app.with_reviewer(&c, "Sam Second", "sam@faculty.org").await;
    let a = app.submitted_application(&c).await;
    mark_eligible(&mo, a).await;
    assign(&mo, a, rae.id).await;
    assign(&mo, a, sam.id).await;
    // Rae keeps a draft, Sam submits.
    post_review(&rae, a, &review_fields(&c, "3", "save")).await;
    post_review(&sam, a, &review_fields(&c, "4", "submit")).await;
    app.advance_past(past_due());
    mo.login("mo@alliance.org", PASSWORD).await;
    let url = format!("/manage/cycles/{}", c.id);
    mo.get(&url)
        .await
        .assert_contains("<span class=\"attention__count\">1</span> <span class=\"attention__text\">review overdue</span>")
        .assert_contains("1 of 2 reviews submitted (50%); 1 overdue, 0 in draft, 0 not started.");
    // The manager reopens Sam's review: it is a draft again, and overdue.
    let rid = app
        .count(&format!(
            "SELECT id FROM reviews WHERE application_id = {a} AND reviewer_id = {}",
            sam.id.0
        ))
        .await;
    let page = mo
        .post(
            &format!("/manage/reviews/{rid}/reopen"),
            &[("reason", "Scored the wrong file.")],
        )
        .await;
    assert_eq!(page.status.code, 303, "{}", page.body);
    mo.get(&url)
        .await
        .assert_contains("<span class=\"attention__count\">2</span> <span class=\"attention__text\">reviews overdue</span>")
        .assert_contains("0 of 2 reviews submitted (0%); 2 overdue, 0 in draft, 0 not started.");
    // Both submit: nothing is overdue any more.
    for (r, email) in [(&rae, "rae@faculty.org"), (&sam, "sam@faculty.org")] {
        r.login(email, PASSWORD).await;
        let page = post_review(r, a, &review_fields(&c, "4", "submit")).await;
        assert_eq!(page.status.code, 303, "{}", page.body);
    }
    mo.get(&url)
        .await
        .assert_lacks("overdue</span>")
        .assert_contains("2 of 2 reviews submitted (100%); 0 overdue, 0 in draft, 0 not started.");
}
