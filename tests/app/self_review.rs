//! Nobody reviews, scores or decides their own application, nor reviews
//! one they wrote a letter for: in automatic and manual assignment, on the
//! reviewer's pages, and in every manager page and action.

use fellowship_portal::domain::user::UserId;
use rocket::http::Status;

use crate::fixtures::{mark_eligible, Cycle, Staff, DUE};
use crate::helpers::TestApp;

/// A submitted application of `owner` (an existing account).
async fn application_of(app: &TestApp, c: &Cycle, owner: UserId, email: &str) -> i64 {
    app.submitted_application(c)
        .by("Owner Applicant", &format!("stored-{email}"))
        .of(owner)
        .from("Community College")
        .await
}

/// Names `email` as a referee of `application` (as the applicant's form does).
async fn name_referee(app: &TestApp, application: i64, email: &str) {
    let later = (app.clock.now() + chrono::Duration::days(30)).to_rfc3339();
    let now = app.clock.now().to_rfc3339();
    app.sql(&format!(
        "INSERT INTO referee_requests (application_id, question_key, position, name, email, relationship, waived, \
         token_hash, token_expires_at, status, requested_at) VALUES ({application}, 'referees', 1, 'Dr. Quinn', \
         '{email}', 'Supervisor', TRUE, 'hash-{application}', '{later}', 'requested', '{now}')"
    ))
    .await;
}

#[rocket::async_test]
async fn nobody_reviews_scores_or_decides_their_own_application() {
    let app = crate::helpers::spawn().await;
    let c = app.with_cycle().await;
    let Staff {
        id: manager_id,
        browser: manager,
    } = app.with_manager(&c, "Mo Manager", "mo@gmail.com").await;
    let other_manager = app
        .with_manager(&c, "Nia Manager", "nia@alliance.org")
        .await;
    // Rae reviews for the program and applies to it too (a public mail
    // domain: no institution rule keeps her away).
    let Staff {
        id: rae,
        browser: reviewer,
    } = app.with_reviewer(&c, "Rae Reviewer", "rae@gmail.com").await;
    // Quinn reviews, and is a referee of Ben's application.
    let Staff {
        id: quinn,
        browser: quinn_browser,
    } = app
        .with_reviewer(&c, "Quinn Reviewer", "quinn@gmail.com")
        .await;
    let sam = app
        .with_reviewer(&c, "Sam Reviewer", "sam@gmail.com")
        .await
        .id;
    let raes = application_of(&app, &c, rae, "rae@gmail.com").await;
    let mos = application_of(&app, &c, manager_id, "mo@gmail.com").await;
    let ben = app
        .submitted_application(&c)
        .by("Ben Applicant", "ben@gmail.com")
        .from("Hill College")
        .await;
    name_referee(&app, ben, "quinn@gmail.com").await;
    for a in [raes, ben] {
        mark_eligible(&manager, a).await;
    }
    mark_eligible(&other_manager, mos).await;

    // By hand: refused with the reason, nothing stored.
    for (a, reviewer_id, why) in [
        (raes, rae, "Rae Reviewer is the applicant"),
        (
            ben,
            quinn,
            "Quinn Reviewer is one of the applicant&#x27;s referees",
        ),
    ] {
        let page = manager
            .post(
                &format!("/manage/applications/{a}/assign"),
                &[("reviewer", &reviewer_id.to_string()), ("due", DUE)],
            )
            .await;
        assert_eq!(page.status, Status::SeeOther);
        manager
            .get(&format!("/manage/applications/{a}"))
            .await
            .assert_contains(why);
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM assignments").await, 0);

    // Automatically, with K = 3 of three reviewers: each gets the two who
    // may review it. Mo's own application is left to the other manager.
    app.sql(&format!(
        "UPDATE cycles SET reviewers_per_application = 3 WHERE id = {}",
        c.id
    ))
    .await;
    let page = manager
        .get(&format!("/manage/cycles/{}/assign?due={DUE}", c.id))
        .await;
    let at = page.body.find("name=\"fingerprint\" value=\"").unwrap() + 26;
    let fingerprint = page.body[at..at + 16].to_owned();
    let done = manager
        .post(
            &format!("/manage/cycles/{}/assign", c.id),
            &[("due", DUE), ("fingerprint", &fingerprint)],
        )
        .await;
    assert_eq!(done.status, Status::SeeOther, "{}", done.body);
    let pairs = |a: i64| format!("SELECT COUNT(*) FROM assignments WHERE application_id = {a}");
    assert_eq!(app.count(&pairs(raes)).await, 2);
    assert_eq!(app.count(&pairs(ben)).await, 2);
    assert_eq!(app.count(&pairs(mos)).await, 0, "the manager's own");
    for (a, r) in [(raes, rae), (ben, quinn)] {
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) FROM assignments WHERE application_id = {a} AND reviewer_id = {r}"
            ))
            .await,
            0
        );
    }
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM assignments WHERE application_id = {ben} AND reviewer_id = {sam}"
        ))
        .await,
        1
    );

    // Even an assignment made before (say, before the referee was named)
    // never opens: not listed, "Page not found".
    for (a, r) in [(raes, rae), (ben, quinn)] {
        app.sql(&format!(
            "INSERT INTO assignments (application_id, reviewer_id, cycle_id, assigned_by, assigned_at, due_at) \
             VALUES ({a}, {r}, {}, {manager_id}, '{now}', '{now}')",
            c.id,
            now = app.clock.now().to_rfc3339()
        ))
        .await;
    }
    for (browser, a) in [(&reviewer, raes), (&quinn_browser, ben)] {
        assert_eq!(
            browser
                .get(&format!("/review/applications/{a}"))
                .await
                .status,
            Status::NotFound
        );
        browser
            .get("/review")
            .await
            .assert_lacks(&format!("/review/applications/{a}\""));
    }

    // The manager meets their own application only as its applicant: no
    // page, no action, no row in any list or export.
    let own = format!("/manage/applications/{mos}");
    assert_eq!(manager.get(&own).await.status, Status::NotFound);
    for (action, fields) in [
        ("decide", vec![("outcome", "accepted"), ("version", "")]),
        ("move", vec![("move", "send_to_committee")]),
        ("screen", vec![("outcome", "ineligible")]),
    ] {
        let page = manager.post(&format!("{own}/{action}"), &fields).await;
        assert_eq!(page.status, Status::NotFound, "{action}");
    }
    let bulk = manager
        .post(
            &format!("/manage/cycles/{}/applications/bulk", c.id),
            &[("ids", &mos.to_string()), ("action", "decide_accepted")],
        )
        .await;
    assert_eq!(bulk.status, Status::SeeOther);
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM decisions WHERE application_id = {mos}"
        ))
        .await,
        0
    );
    let row = format!("href=\"/manage/applications/{mos}\"");
    for list in ["applications", "ranking", "decisions"] {
        let page = manager
            .get(&format!("/manage/cycles/{}/{list}", c.id))
            .await;
        assert_eq!(page.status, Status::Ok, "{list}");
        page.assert_lacks(&row);
        // Another manager of the program sees it.
        if list != "decisions" {
            other_manager
                .get(&format!("/manage/cycles/{}/{list}", c.id))
                .await
                .assert_contains(&row);
        }
    }
    let csv = manager
        .get(&format!("/manage/cycles/{}/export.csv", c.id))
        .await;
    assert_eq!(csv.status, Status::Ok);
    assert!(!csv.body.contains("stored-mo@gmail.com"), "{}", csv.body);
    assert!(csv.body.contains("ben@gmail.com"));
    assert_eq!(
        other_manager.get(&own).await.status,
        Status::Ok,
        "another manager decides it"
    );
}

/// A reviewer who declares a conflict after submitting: the review is set
/// aside, on the record (the manager sees it) but out of every score.
#[rocket::async_test]
async fn a_review_submitted_before_a_conflict_is_kept_on_the_record_but_out_of_the_scores() {
    use crate::fixtures::{assign, post_review, review_fields};
    let app = crate::helpers::spawn().await;
    let c = app.with_cycle().await;
    let manager = app.with_manager(&c, "Mo Manager", "mo@alliance.org").await;
    let Staff {
        id: rae,
        browser: reviewer,
    } = app
        .with_reviewer(&c, "Rae Reviewer", "rae@faculty.org")
        .await;
    let Staff {
        id: sam,
        browser: other,
    } = app
        .with_reviewer(&c, "Sam Reviewer", "sam@faculty.org")
        .await;
    let a = app
        .submitted_application(&c)
        .by("Ana Applicant", "ana@student.edu")
        .from("Hill College")
        .await;
    mark_eligible(&manager, a).await;
    assign(&manager, a, rae).await;
    assign(&manager, a, sam).await;
    for (b, score) in [(&reviewer, "5"), (&other, "1")] {
        let page = post_review(b, a, &review_fields(&c, score, "submit")).await;
        assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    }
    let page = reviewer
        .post(
            &format!("/review/applications/{a}/conflict"),
            &[("reason", "She turned out to be my niece.")],
        )
        .await;
    assert_eq!(page.status, Status::SeeOther);
    // Out of the scores: only Sam's review (all 1s: 0 of 100) counts.
    assert_eq!(
        app.count("SELECT COUNT(*) FROM reviews WHERE state = 'submitted'")
            .await,
        1
    );
    let ranking = manager
        .get(&format!("/manage/cycles/{}/ranking", c.id))
        .await;
    ranking.assert_contains("1 of 1");
    // On the record.
    let record = manager.get(&format!("/manage/applications/{a}")).await;
    record
        .assert_contains("Reviews set aside")
        .assert_contains("<th scope=\"row\">Rae Reviewer</th><td>Submitted</td><td>100.0</td>");
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM set_aside_reviews WHERE application_id = {a} AND reviewer_id = {rae} AND score_total = 100"
        ))
        .await,
        1
    );
}

/// A manager who applied gives themselves no more time: the extension form
/// treats their own draft as it treats any other action on it (not found),
/// and another manager of the program can still grant it.
#[rocket::async_test]
async fn a_manager_cannot_give_their_own_draft_more_time() {
    let app = crate::helpers::spawn().await;
    let c = app.with_cycle().await;
    let Staff {
        id: mae,
        browser: manager,
    } = app.with_manager(&c, "Mae Manager", "mae@gmail.com").await;
    let other = app.with_manager(&c, "Nia Manager", "nia@gmail.com").await;
    let draft = app.start_health_justice(&manager).await;
    let uri = format!("/manage/cycles/{}/extensions", c.id);
    let form = [
        ("email", "mae@gmail.com"),
        ("date", "2099-12-31"),
        ("reason", "I was ill."),
    ];
    let page = manager.post(&uri, &form).await;
    assert_eq!(page.status, Status::NotFound);
    let extended = format!(
        "SELECT COUNT(*) FROM applications WHERE id = {draft} AND deadline_extended_to IS NOT NULL"
    );
    assert_eq!(app.count(&extended).await, 0);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM application_extensions")
            .await,
        0
    );
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'application.extend' AND actor_id = {mae}"
        ))
        .await,
        0
    );
    let page = other.post(&uri, &form).await;
    assert_eq!(page.status, Status::SeeOther);
    assert_eq!(app.count(&extended).await, 1, "another manager grants it");
}
