//! Assignment: automatic (previewed, balanced, never conflicted), by
//! the demo manager, and reassignment on the way to the committee.

use rocket::http::Status;

use crate::fixtures::{
    assign, mark_eligible, post_review, review_fields, set_institution, Staff, DUE,
};
use crate::helpers::spawn;

#[rocket::async_test]
async fn automatic_assignment_is_previewed_balanced_and_never_conflicted() {
    let app = spawn().await;
    let c = app.with_cycle().await;
    let manager = app.with_manager(&c, "Mo Manager", "mo@alliance.org").await;
    let mut reviewers = Vec::new();
    for (n, inst) in [
        "Lakeside University",
        "Hill College",
        "River Institute",
        "Bay School of Public Health",
    ]
    .iter()
    .enumerate()
    {
        let id = app
            .with_reviewer(&c, &format!("Rev {n}"), &format!("rev{n}@faculty.org"))
            .await
            .id;
        set_institution(&app, id, inst).await;
        reviewers.push(id);
    }
    let mut apps = Vec::new();
    for n in 0..6 {
        // Two applicants study at Lakeside, where reviewer 0 teaches.
        let inst = if n < 2 {
            "Lakeside University"
        } else {
            "Elsewhere College"
        };
        let id = app
            .submitted_application(&c)
            .by(&format!("Applicant {n}"), &format!("a{n}@mail.example"))
            .from(inst)
            .await;
        mark_eligible(&manager, id).await;
        apps.push(id);
    }
    // The preview stores nothing.
    let page = manager
        .get(&format!("/manage/cycles/{}/assign?due={DUE}", c.id))
        .await;
    page.assert_contains("New assignments: 18.");
    assert_eq!(app.count("SELECT COUNT(*) FROM assignments").await, 0);
    let fingerprint = {
        let at = page.body.find("name=\"fingerprint\" value=\"").unwrap() + 26;
        page.body[at..at + 16].to_owned()
    };
    // A stale preview applies nothing.
    let page = manager
        .post(
            &format!("/manage/cycles/{}/assign", c.id),
            &[("due", DUE), ("fingerprint", "0000000000000000")],
        )
        .await;
    assert_eq!(page.status, Status::SeeOther);
    assert_eq!(app.count("SELECT COUNT(*) FROM assignments").await, 0);
    let page = manager
        .post(
            &format!("/manage/cycles/{}/assign", c.id),
            &[("due", DUE), ("fingerprint", &fingerprint)],
        )
        .await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    // K = 3 each, never reviewer 0 on a Lakeside applicant, loads level.
    for a in &apps {
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) FROM assignments WHERE application_id = {a}"
            ))
            .await,
            3
        );
    }
    for a in &apps[..2] {
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) FROM assignments WHERE application_id = {a} AND reviewer_id = {}",
                reviewers[0]
            ))
            .await,
            0
        );
    }
    let loads: Vec<i64> = {
        let mut v = Vec::new();
        for r in &reviewers {
            v.push(
                app.count(&format!(
                    "SELECT COUNT(*) FROM assignments WHERE reviewer_id = {r}"
                ))
                .await,
            );
        }
        v
    };
    assert!(
        loads.iter().max().unwrap() - loads.iter().min().unwrap() <= 1,
        "{loads:?}"
    );
    // One digest per reviewer, naming no applicant.
    for (n, r) in reviewers.iter().enumerate() {
        let digests = app.count(&format!("SELECT COUNT(*) FROM outbox WHERE kind = 'review_assigned' AND recipient = 'rev{n}@faculty.org'")).await;
        assert_eq!(digests, 1, "reviewer {r}");
        let mail = app
            .last_mail(&format!("rev{n}@faculty.org"), "review_assigned")
            .await;
        assert!(!mail.text_body.contains("Applicant "), "{}", mail.text_body);
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'assignment.add'")
            .await,
        18
    );
    // Running it again finds nothing to do.
    manager
        .get(&format!("/manage/cycles/{}/assign?due={DUE}", c.id))
        .await
        .assert_contains("New assignments: 0.");
}

#[rocket::async_test]
async fn reviews_are_reassigned_and_the_strongest_go_to_committee_from_the_ranking() {
    let app = spawn().await;
    let c = app.with_cycle().await;
    let manager = app.with_manager(&c, "Mo Manager", "mo@alliance.org").await;
    let r1 = app
        .with_reviewer(&c, "Rae Reviewer", "rae@faculty.org")
        .await
        .id;
    let Staff {
        id: r2,
        browser: second,
    } = app
        .with_reviewer(&c, "Ray Reviewer", "ray@faculty.org")
        .await;
    let a = app
        .submitted_application(&c)
        .by("Ana Applicant", "ana@student.edu")
        .from("Lakeside University")
        .await;
    mark_eligible(&manager, a).await;
    assign(&manager, a, r1).await;
    let page = manager
        .post(
            &format!("/manage/applications/{a}/reassign"),
            &[("from", &r1.to_string()), ("to", &r2.to_string())],
        )
        .await;
    assert_eq!(page.status, Status::SeeOther);
    assert_eq!(
        app.count(&format!(
            "SELECT reviewer_id FROM assignments WHERE application_id = {a}"
        ))
        .await,
        r2.0
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM assignments").await, 1);
    let page = post_review(&second, a, &review_fields(&c, "5", "submit")).await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    let ranking = format!("/manage/cycles/{}/ranking", c.id);
    manager.get(&ranking).await.assert_contains("1 of 1");
    let id = a.to_string();
    let page = manager
        .post(
            &format!("/manage/cycles/{}/applications/bulk", c.id),
            &[
                ("back", &ranking),
                ("action", "send_to_committee"),
                ("ids", &id),
            ],
        )
        .await;
    assert_eq!(page.location.as_deref(), Some(ranking.as_str()));
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM applications WHERE id = {a} AND stage = 'committee'"
        ))
        .await,
        1
    );
}

#[rocket::async_test]
async fn the_demo_manager_can_assign_demo_reviewers() {
    use fellowship_portal::demo;
    let app = spawn().await;
    let report = demo::seed(
        app.pool(),
        &demo::Options {
            applications: 30,
            reviewers: 6,
            program: "health-justice".into(),
        },
        app.clock.now(),
    )
    .await
    .unwrap();
    let c = report.cycle_id;
    // One reviewer more per application than the demo assigned.
    app.sql(&format!(
        "UPDATE cycles SET reviewers_per_application = reviewers_per_application + 1 WHERE id = {c}"
    ))
    .await;
    let before = app.count("SELECT COUNT(*) FROM assignments").await;
    assert_eq!(before, report.assignments as i64);
    let manager = app.another_browser().await;
    let page = manager.login(demo::MANAGER_EMAIL, &report.password).await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    // Every demo address shares one domain: that alone is no conflict.
    let page = manager
        .get(&format!("/manage/cycles/{c}/assign?due={DUE}"))
        .await;
    let new: i64 = {
        let at = page.body.find("New assignments: ").expect("a preview") + 17;
        let digits: String = page.body[at..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        digits.parse().unwrap()
    };
    let in_review = app
        .count(&format!(
            "SELECT COUNT(*) FROM applications WHERE cycle_id = {c} AND stage = 'review'"
        ))
        .await;
    assert!(
        new * 2 > in_review,
        "{new} new assignments for {in_review} applications in review"
    );
    let fingerprint = {
        let at = page.body.find("name=\"fingerprint\" value=\"").unwrap() + 26;
        page.body[at..at + 16].to_owned()
    };
    let page = manager
        .post(
            &format!("/manage/cycles/{c}/assign"),
            &[("due", DUE), ("fingerprint", &fingerprint)],
        )
        .await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM assignments").await,
        before + new
    );
}
