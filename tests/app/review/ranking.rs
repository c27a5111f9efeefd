//! The ranking's figures against the pure aggregation.

use fellowship_portal::domain::application::ApplicationId;
use fellowship_portal::domain::cycle::CycleId;
use fellowship_portal::domain::role::ProgramRole;
use fellowship_portal::domain::workflow::rubric::Rubric;
use fellowship_portal::domain::workflow::scoring::{aggregate, SubmittedReview};
use rocket::http::Status;

use crate::fixtures::{assign, mark_eligible, post_review, review_fields, staff};
use crate::helpers::spawn;

#[rocket::async_test]
async fn the_ranking_in_sql_agrees_with_the_pure_aggregation() {
    let app = spawn().await;
    let c = app.with_cycle().await;
    let manager = app.with_manager(&c, "Mo Manager", "mo@alliance.org").await;
    let mut reviewers = Vec::new();
    for n in 0..3 {
        reviewers.push(
            staff(
                &app,
                &format!("Rev {n}"),
                &format!("rev{n}@faculty.org"),
                c.program,
                ProgramRole::Reviewer,
            )
            .await,
        );
    }
    let mut apps = Vec::new();
    for n in 0..5 {
        let id = app
            .submitted_application(&c)
            .by(&format!("Applicant {n}"), &format!("a{n}@mail.example"))
            .from("Somewhere")
            .await;
        mark_eligible(&manager, id).await;
        apps.push(id);
    }
    // Reviewer 0 is harsh, 1 lenient; 2 reviews only two (raw totals).
    let scores = |r: usize, a: usize| -> String { (((a + r * 2) % 5) + 1).to_string() };
    for (r, (rid, b)) in reviewers.iter().enumerate() {
        for (n, a) in apps.iter().enumerate() {
            if r == 2 && n >= 2 {
                continue;
            }
            assign(&manager, *a, *rid).await;
            let mut f = review_fields(&c, &scores(r, n), "submit");
            // Vary one criterion so totals differ from means.
            f[1].1 = scores(r, n + 1);
            if c.criteria.len() > 2 {
                f[2].1 = "na".into();
            }
            let page = post_review(b, *a, &f).await;
            // A criterion without "not applicable" refuses it: score it instead.
            if page.status == Status::UnprocessableEntity {
                f[2].1 = "3".into();
                let page = post_review(b, *a, &f).await;
                assert_eq!(page.status, Status::SeeOther, "{}", page.body);
            }
        }
    }
    let mut conn = app.pool().conn().await.unwrap();
    let setup = fellowship_portal::db::cycles::review_setup(conn.exec(), CycleId(c.id))
        .await
        .unwrap()
        .unwrap();
    let stored = fellowship_portal::db::reviews::submitted_of(
        conn.exec(),
        &apps.iter().copied().map(ApplicationId).collect::<Vec<_>>(),
    )
    .await
    .unwrap();
    let reviews: Vec<SubmittedReview> = stored
        .iter()
        .map(|r| SubmittedReview {
            application: r.application_id,
            reviewer: r.reviewer_id,
            scores: serde_json::from_str(&r.scores_json).unwrap(),
            total: r.score_total,
            mean: r.score_mean,
        })
        .collect();
    let rubric: &Rubric = &setup.rubric;
    let expected = aggregate(rubric, setup.settings.disagreement_threshold, &reviews);
    let query = fellowship_portal::db::ranking::RankQuery {
        cycle: CycleId(c.id),
        hide_applicant: fellowship_portal::domain::user::UserId(0),
        by: fellowship_portal::db::ranking::RankBy::Normalised,
        ascending: false,
        apart: fellowship_portal::db::ranking::Apart::CompleteFirst,
        offset: 0,
        limit: 50,
    };
    let (rows, total) = fellowship_portal::db::ranking::ranking(conn.exec(), &query)
        .await
        .unwrap();
    assert_eq!(total, 5);
    let close = |a: f64, b: f64| (a - b).abs() < 1e-6;
    let mut last = f64::INFINITY;
    for r in &rows {
        let e = &expected[&r.id];
        assert_eq!(r.reviewed as usize, e.review_count);
        assert!(
            close(r.mean.unwrap(), e.mean),
            "mean {} vs {}",
            r.mean.unwrap(),
            e.mean
        );
        assert!(close(r.total.unwrap(), e.weighted_total));
        assert!(close(r.spread.unwrap(), e.range));
        assert!(close(r.variance.unwrap().max(0.0).sqrt(), e.sd));
        assert!(
            close(r.normalised.unwrap(), e.normalised),
            "normalised {} vs {}",
            r.normalised.unwrap(),
            e.normalised
        );
        assert!(r.normalised.unwrap() <= last + 1e-9, "sorted highest first");
        last = r.normalised.unwrap();
    }
    // And the page shows them.
    let page = manager
        .get(&format!(
            "/manage/cycles/{}/ranking?sort=total&dir=desc",
            c.id
        ))
        .await;
    assert_eq!(page.status, Status::Ok);
    page.assert_contains(&format!("{:.1}", expected[&rows[0].id].weighted_total));
}
