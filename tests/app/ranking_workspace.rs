//! The ranking that protects the decision, and the summaries it reads:
//! incomplete applications apart (complete first by default), the
//! confirmation that names how many of a selection are incomplete,
//! removing a reviewer who submitted (asked first, the review kept on the
//! record and out of every figure), and the stored summaries against a
//! fresh aggregation after a random run of submissions, reopenings,
//! removals and assignments.

use std::collections::BTreeMap;

use fellowship_portal::db::{reviews, summaries};
use fellowship_portal::domain::application::ApplicationId;
use fellowship_portal::domain::cycle::CycleId;
use fellowship_portal::domain::user::UserId;
use fellowship_portal::domain::workflow::scoring::{aggregate, SubmittedReview};
use fellowship_portal::domain::workflow::stage::Stage;
use rocket::http::Status;

use crate::fixtures::{assign, post_review, review_fields, Cycle, Staff};
use crate::helpers::{spawn, TestApp};

/// A cycle with a manager, `reviewers` reviewers and `apps` applications
/// in review.
async fn panel(
    app: &TestApp,
    reviewers: usize,
    apps: usize,
) -> (Cycle, Staff, Vec<Staff>, Vec<i64>) {
    let c = app.with_cycle().await;
    let manager = app.with_manager(&c, "Mo Manager", "mo@alliance.org").await;
    let mut panel = Vec::new();
    for n in 0..reviewers {
        panel.push(
            app.with_reviewer(&c, &format!("Rev {n}"), &format!("rev{n}@faculty.org"))
                .await,
        );
    }
    let mut ids = Vec::new();
    for n in 0..apps {
        ids.push(
            app.submitted_application(&c)
                .by(&format!("Applicant {n}"), &format!("a{n}@mail.example"))
                .in_stage(Stage::Review)
                .await,
        );
    }
    (c, manager, panel, ids)
}

async fn submit(c: &Cycle, reviewer: &Staff, id: i64, score: &str) {
    let page = post_review(reviewer, id, &review_fields(c, score, "submit")).await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
}

/// The position of `needle` in `page`, which must contain it.
fn at(body: &str, needle: &str) -> usize {
    body.find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not on the page"))
}

#[rocket::async_test]
async fn incomplete_applications_come_after_the_complete_ones_and_are_marked_in_words() {
    let app = spawn().await;
    let (c, manager, panel, ids) = panel(&app, 3, 3).await;
    let (high, low, middle) = (ids[0], ids[1], ids[2]);
    for id in &ids {
        for r in &panel {
            assign(&manager, *id, r.id).await;
        }
    }
    // `high` has one review of three in, the best; the others all three.
    submit(&c, &panel[0], high, "5").await;
    for r in &panel {
        submit(&c, r, low, "2").await;
        submit(&c, r, middle, "3").await;
    }
    let ranking = format!("/manage/cycles/{}/ranking", c.id);
    let page = manager.get(&ranking).await;
    assert_eq!(page.status, Status::Ok);
    // Complete first (middle above low), then the incomplete one, marked
    // in words with its reviews in.
    let b = &page.body;
    assert!(at(b, &format!("#{middle} ")) < at(b, &format!("#{low} ")));
    assert!(at(b, &format!("#{low} ")) < at(b, &format!("#{high} ")));
    page.assert_contains("Incomplete: 1 of 3 reviews in");
    page.assert_contains("3 of 3");
    // Incomplete first, on request; the choice stays in the sort links and pages.
    let page = manager
        .get(&format!(
            "{ranking}?sort=spread&dir=asc&show=incomplete-first"
        ))
        .await;
    let b = &page.body;
    assert!(at(b, &format!("#{high} ")) < at(b, &format!("#{middle} ")));
    page.assert_contains(
        "sort&#x3D;normalised&amp;dir&#x3D;desc&amp;show&#x3D;incomplete-first&amp;page&#x3D;1",
    );
    // Or alone.
    let page = manager.get(&format!("{ranking}?show=incomplete")).await;
    page.assert_contains(&format!("#{high} "));
    page.assert_lacks(&format!("#{low} "));
    page.assert_contains("Applications in review, committee or decided: 1.");
}

#[rocket::async_test]
async fn a_bulk_decision_names_how_many_are_incomplete_and_waits_for_confirmation() {
    let app = spawn().await;
    let (c, manager, panel, ids) = panel(&app, 2, 3).await;
    for id in &ids {
        for r in &panel {
            assign(&manager, *id, r.id).await;
        }
    }
    // ids[0] complete; ids[1] one of two; ids[2] none in.
    for r in &panel {
        submit(&c, r, ids[0], "4").await;
    }
    submit(&c, &panel[0], ids[1], "4").await;
    let confirm = format!("/manage/cycles/{}/ranking/confirm", c.id);
    let (a, b, d) = (ids[0].to_string(), ids[1].to_string(), ids[2].to_string());
    let back = format!(
        "/manage/cycles/{}/ranking?sort=spread&dir=desc&show=complete-first&page=1",
        c.id
    );
    let page = manager
        .get(&format!(
            "{confirm}?{}",
            crate::helpers::encode(&[
                ("ids", &a),
                ("ids", &b),
                ("ids", &d),
                ("action", "send_to_committee"),
                ("back", &back),
            ])
        ))
        .await;
    assert_eq!(page.status, Status::Ok);
    page.assert_contains("2 of the 3 applications you selected have fewer reviews than assigned.");
    page.assert_contains("Nothing has been sent or decided yet.");
    page.assert_contains("Go back to the ranking");
    page.assert_contains(&back.replace('&', "&amp;").replace('=', "&#x3D;"));
    // Nothing moved before the confirmation.
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM applications WHERE cycle_id = {} AND stage = 'committee'",
            c.id
        ))
        .await,
        0
    );
    // Confirming (the page's own form) sends all three.
    let page = manager
        .post(
            &format!("/manage/cycles/{}/applications/bulk", c.id),
            &[
                ("ids", &a),
                ("ids", &b),
                ("ids", &d),
                ("action", "send_to_committee"),
                ("back", &back),
            ],
        )
        .await;
    assert_eq!(page.status, Status::SeeOther);
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM applications WHERE cycle_id = {} AND stage = 'committee'",
            c.id
        ))
        .await,
        3
    );
    // Bad inputs are refused with a message, nothing decided: no selection, no action.
    let page = manager
        .get(&format!("{confirm}?action=send_to_committee"))
        .await;
    assert_eq!(page.status, Status::SeeOther);
    let page = manager
        .get(&format!("/manage/cycles/{}/ranking", c.id))
        .await;
    page.assert_contains("Select at least one application first.");
    let page = manager.get(&format!("{confirm}?ids={a}&action=burn")).await;
    assert_eq!(page.status, Status::SeeOther);
    let page = manager
        .get(&format!("/manage/cycles/{}/ranking", c.id))
        .await;
    page.assert_contains("Choose what to do with the selected applications.");
}

#[rocket::async_test]
async fn removing_a_reviewer_who_submitted_asks_first_and_keeps_the_review_out_of_every_figure() {
    let app = spawn().await;
    let (c, manager, panel, ids) = panel(&app, 2, 1).await;
    let id = ids[0];
    for r in &panel {
        assign(&manager, id, r.id).await;
    }
    submit(&c, &panel[0], id, "5").await;
    submit(&c, &panel[1], id, "1").await;
    let (ana, ben) = (&panel[0], &panel[1]);
    let unassign = format!("/manage/applications/{id}/unassign");
    // Without confirmation: sent to the confirmation page, nothing changed.
    let page = manager
        .post(&unassign, &[("reviewer", &ana.id.to_string())])
        .await;
    assert_eq!(page.status, Status::SeeOther);
    assert_eq!(
        page.location.as_deref(),
        Some(format!("{unassign}?reviewer={}", ana.id).as_str())
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM reviews WHERE state = 'submitted'")
            .await,
        2
    );
    let page = manager
        .get(&format!("{unassign}?reviewer={}", ana.id))
        .await;
    assert_eq!(page.status, Status::Ok);
    page.assert_contains("Remove Rev 0 from this application?");
    page.assert_contains("their review stays on the record");
    page.assert_contains("Go back: keep Rev 0 on the panel");
    // Confirmed: the assignment and the review stay on the record.
    let page = manager
        .post(
            &unassign,
            &[("reviewer", &ana.id.to_string()), ("confirmed", "yes")],
        )
        .await;
    assert_eq!(page.status, Status::SeeOther);
    assert_eq!(app.count("SELECT COUNT(*) FROM reviews").await, 1);
    assert_eq!(
        app.count(&format!("SELECT COUNT(*) FROM removed_assignments WHERE application_id = {id} AND reviewer_id = {}", ana.id))
            .await,
        1
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM set_aside_reviews WHERE why = 'removed from the panel' AND score_total = 100")
            .await,
        1
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'assignment.remove' AND detail LIKE '%kept on the record%'")
            .await,
        1
    );
    let page = manager.get(&format!("/manage/applications/{id}")).await;
    page.assert_contains("Removed from the panel, not counted");
    page.assert_contains(
        "The reviewer was removed from the panel; their review stays on the record, not counted.",
    );
    // Out of every figure: the application counts Ben's review alone.
    let mut conn = app.pool().conn().await.unwrap();
    let s = summaries::application(conn.exec(), ApplicationId(id))
        .await
        .unwrap()
        .unwrap();
    assert_eq!((s.assigned, s.reviewed, s.complete), (1, 1, true));
    assert_eq!(s.total, Some(0.0));
    let scale = summaries::scale(conn.exec(), CycleId(c.id)).await.unwrap();
    assert_eq!((scale.count, scale.mean), (1, 0.0));
    let people = summaries::reviewers(conn.exec(), CycleId(c.id))
        .await
        .unwrap();
    assert_eq!(people.len(), 1, "only Ben has an assignment or review");
    assert_eq!(people[0].reviewer_id, ben.id);
    drop(conn);
    // A reviewer without a submitted review goes at once, as before.
    assign(&manager, id, ana.id).await;
    let page = manager
        .post(&unassign, &[("reviewer", &ana.id.to_string())])
        .await;
    assert_eq!(
        page.location.as_deref(),
        Some(format!("/manage/applications/{id}").as_str())
    );
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM assignments WHERE application_id = {id}"
        ))
        .await,
        1
    );
}

/// A tiny deterministic generator for the random run.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

/// Every stored summary of the cycle against a fresh aggregation of its rows.
async fn assert_summaries_fresh(app: &TestApp, cycle: i64, step: &str) {
    let close = |a: f64, b: f64| (a - b).abs() < 1e-6;
    let mut conn = app.pool().conn().await.unwrap();
    let cid = CycleId(cycle);
    let setup = fellowship_portal::db::cycles::review_setup(conn.exec(), cid)
        .await
        .unwrap()
        .unwrap();
    let ids: Vec<ApplicationId> = app
        .texts(&format!(
            "SELECT CAST(id AS TEXT) FROM applications WHERE cycle_id = {cycle} ORDER BY id"
        ))
        .await
        .iter()
        .map(|s| ApplicationId(s.parse().unwrap()))
        .collect();
    let stored = reviews::submitted_of(conn.exec(), &ids).await.unwrap();
    let submitted: Vec<SubmittedReview> = stored
        .iter()
        .map(|r| SubmittedReview {
            application: r.application_id,
            reviewer: r.reviewer_id,
            scores: serde_json::from_str(&r.scores_json).unwrap(),
            total: r.score_total,
            mean: r.score_mean,
        })
        .collect();
    let expected = aggregate(
        &setup.rubric,
        setup.settings.disagreement_threshold,
        &submitted,
    );
    let rows = summaries::all_of_cycle(conn.exec(), cid).await.unwrap();
    assert_eq!(rows.len(), ids.len(), "{step}: a row per application");
    for s in &rows {
        let assigned = app
            .count(&format!(
                "SELECT COUNT(*) FROM assignments WHERE application_id = {}",
                s.application_id
            ))
            .await;
        assert_eq!(
            s.assigned, assigned,
            "{step}: assigned of {}",
            s.application_id
        );
        match expected.get(&s.application_id) {
            None => assert_eq!(
                (s.reviewed, s.total, s.normalised),
                (0, None, None),
                "{step}"
            ),
            Some(e) => {
                assert_eq!(s.reviewed as usize, e.review_count, "{step}");
                assert!(close(s.mean.unwrap(), e.mean), "{step}: mean");
                assert!(close(s.total.unwrap(), e.weighted_total), "{step}: total");
                assert!(close(s.spread.unwrap(), e.range), "{step}: spread");
                assert!(close(s.variance.unwrap().sqrt(), e.sd), "{step}: sd");
                assert!(
                    close(s.normalised.unwrap(), e.normalised),
                    "{step}: normalised {} vs {}",
                    s.normalised.unwrap(),
                    e.normalised
                );
            }
        }
        assert_eq!(
            s.complete,
            s.assigned > 0 && s.reviewed >= s.assigned,
            "{step}"
        );
    }
    let fresh = reviews::cycle_scale(conn.exec(), cid).await.unwrap();
    let kept = summaries::scale(conn.exec(), cid).await.unwrap();
    assert_eq!(fresh.count, kept.count, "{step}: scale count");
    assert!(
        close(fresh.mean, kept.mean) && close(fresh.sd, kept.sd),
        "{step}: scale"
    );
    let people = summaries::reviewers(conn.exec(), cid).await.unwrap();
    let ids_of: Vec<UserId> = people.iter().map(|p| p.reviewer_id).collect();
    let fresh: BTreeMap<UserId, _> = reviews::reviewer_stats(conn.exec(), cid, &ids_of)
        .await
        .unwrap()
        .into_iter()
        .collect();
    for p in &people {
        let f = fresh.get(&p.reviewer_id).copied().unwrap_or_default();
        assert_eq!(p.stats.count, f.count, "{step}: reviewer count");
        assert!(
            close(p.stats.mean, f.mean) && close(p.stats.sd, f.sd),
            "{step}: reviewer stats"
        );
        assert_eq!(p.submitted as usize, f.count, "{step}: submitted");
    }
    let counted: i64 = app
        .count(&format!(
            "SELECT COUNT(*) FROM applications WHERE cycle_id = {cycle} AND stage = 'review'"
        ))
        .await;
    let stages = summaries::stage_counts(conn.exec(), cid).await.unwrap();
    assert_eq!(
        stages
            .iter()
            .find(|s| s.0 == Stage::Review)
            .map_or(0, |s| s.1),
        counted,
        "{step}: stage counts"
    );
}

#[rocket::async_test]
async fn the_summaries_equal_a_fresh_aggregation_after_a_random_run() {
    let app = spawn().await;
    let (c, manager, panel, ids) = panel(&app, 4, 4).await;
    assert_summaries_fresh(&app, c.id, "start").await;
    let mut rng = Lcg(15);
    for step in 0..40 {
        let a = ids[rng.below(ids.len())];
        let r = &panel[rng.below(panel.len())];
        let assigned = app
            .count(&format!(
                "SELECT COUNT(*) FROM assignments WHERE application_id = {a} AND reviewer_id = {}",
                r.id
            ))
            .await
            == 1;
        let review = app
            .count(&format!(
                "SELECT COALESCE(MAX(id), 0) FROM reviews WHERE application_id = {a} AND reviewer_id = {} AND state = 'submitted'",
                r.id
            ))
            .await;
        let what = match (assigned, review, rng.below(4)) {
            (false, _, _) => {
                assign(&manager, a, r.id).await;
                "assign"
            }
            (true, 0, 0) => {
                manager
                    .post(
                        &format!("/manage/applications/{a}/unassign"),
                        &[("reviewer", &r.id.to_string())],
                    )
                    .await;
                "remove a reviewer without a review"
            }
            (true, 0, _) => {
                let score = (1 + rng.below(5)).to_string();
                let mut f = review_fields(&c, &score, "submit");
                f[0].1 = (1 + rng.below(5)).to_string();
                let page = post_review(r, a, &f).await;
                assert_eq!(page.status, Status::SeeOther, "{}", page.body);
                "submit"
            }
            (true, rid, 0 | 1) => {
                let page = manager
                    .post(
                        &format!("/manage/reviews/{rid}/reopen"),
                        &[("reason", "Scored the wrong file.")],
                    )
                    .await;
                assert_eq!(page.status, Status::SeeOther);
                "reopen"
            }
            (true, _, _) => {
                let page = manager
                    .post(
                        &format!("/manage/applications/{a}/unassign"),
                        &[("reviewer", &r.id.to_string()), ("confirmed", "yes")],
                    )
                    .await;
                assert_eq!(page.status, Status::SeeOther);
                "remove a reviewer who submitted"
            }
        };
        assert_summaries_fresh(&app, c.id, &format!("step {step}: {what} ({a}, {})", r.id)).await;
    }
    assert!(
        app.count("SELECT COUNT(*) FROM set_aside_reviews").await > 0,
        "the run removed a reviewer who submitted"
    );
}
