//! The applications the columns aim at, moved through the workflow by the
//! portal's own forms (screening, assignment, a recorded conflict, a role
//! revoked, reviews, decisions and releases), with their documents and
//! referees. Applicants who never log in have theirs stored directly
//! (`fixtures::submitted`).

use fellowship_portal::db::{assignments, documents, referees};
use fellowship_portal::domain::application::ApplicationId;
use fellowship_portal::domain::cycle::CycleId;
use fellowship_portal::domain::user::UserId;
use rocket::http::Status;

use super::people::People;
use super::Programs;
use crate::apply::{answer_everything, upload_cv};
use crate::fixtures::{assign, mark_eligible, post_review, review_fields, submitted, submitted_by};
use crate::helpers::{pdf, Browser, TestApp};
use crate::review::attach_cv;

/// Every application of the world, with what hangs on it.
pub struct Applications {
    /// In review: assigned to Rae and Rex; Cal's recorded conflict.
    pub a: i64,
    /// In review, assigned to Sam only.
    pub a2: i64,
    /// Oli's own and Mae's own, in review.
    pub o: i64,
    pub m: i64,
    /// One application per manager's or reviewer's action, so that each
    /// allowed request changes only its own.
    pub declare: i64,
    pub screen: i64,
    pub mover: i64,
    pub bulk: i64,
    pub to_assign: i64,
    pub to_unassign: i64,
    pub to_reassign: i64,
    pub to_conflict: i64,
    pub to_decide: i64,
    pub waitlisted: i64,
    /// In review with nobody assigned: automatic assignment always has
    /// something to do.
    pub auto: i64,
    /// Where the referee links point.
    pub refs: i64,
    /// The applicants' own: Ana's draft and accepted offer, Sol's complete
    /// draft and submitted application.
    pub draft: i64,
    pub offered: i64,
    pub complete: i64,
    pub withdrawable: i64,
    pub cv_a: i64,
    pub cv_a2: i64,
    pub cv_o: i64,
    pub cv_m: i64,
    pub cv_draft: i64,
    /// Ana's referees: one to send again, one to remove.
    pub referee_keep: i64,
    pub referee_drop: i64,
    /// Submitted reviews by Rae: on an application of the program, and on
    /// Mae's own.
    pub review: i64,
    pub review_m: i64,
}

/// A POST of the fixture that must succeed with a redirect.
pub async fn done(b: &Browser, uri: &str, fields: &[(String, String)]) {
    let borrowed: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (&**k, &**v)).collect();
    let page = b.post(uri, &borrowed).await;
    assert_eq!(page.status, Status::SeeOther, "{uri}: {}", page.body);
}

fn fields(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// The settings every manager's settings row sends (and the fixture sets
/// first): one reviewer per application, so that automatic assignment
/// gives nobody a second reviewer, and never Rae one she should not have.
pub fn settings_fields() -> Vec<(String, String)> {
    fields(&[
        ("reviewers_per_application", "1"),
        ("reviewer_cap", ""),
        ("other_reviews", "never"),
        ("disagreement_threshold", "15"),
        ("offer_days", "14"),
    ])
}

/// The release form of a cycle, confirming the counts its page shows now.
pub async fn release_fields(manager: &Browser, cycle: i64) -> Vec<(String, String)> {
    let page = manager
        .get(&format!("/manage/cycles/{cycle}/release"))
        .await;
    assert_eq!(page.status, Status::Ok, "{}", page.body);
    let mut out = Vec::new();
    for o in ["accepted", "waitlisted", "declined"] {
        let marker = format!("name=\"seen[{o}]\" value=\"");
        let seen = page.body.find(&marker).map_or("0".to_owned(), |i| {
            let rest = &page.body[i + marker.len()..];
            rest.split('"').next().unwrap().to_owned()
        });
        out.push(("outcome".into(), o.into()));
        out.push((format!("seen[{o}]"), seen));
    }
    out.push(("confirm".into(), "true".into()));
    out
}

async fn release(manager: &Browser, cycle: i64) {
    let form = release_fields(manager, cycle).await;
    done(manager, &format!("/manage/cycles/{cycle}/release"), &form).await;
}

async fn decide(manager: &Browser, a: i64, outcome: &str) {
    let uri = format!("/manage/applications/{a}/decide");
    done(
        manager,
        &uri,
        &fields(&[("version", ""), ("outcome", outcome)]),
    )
    .await;
}

/// The document attached to `question` of `application`.
async fn attached(app: &TestApp, application: i64, question: &str) -> i64 {
    let mut conn = app.pool().conn().await.unwrap();
    documents::attached(conn.exec(), ApplicationId(application))
        .await
        .unwrap()
        .into_iter()
        .find(|(k, _)| k == question)
        .map(|(_, d)| d.id.0)
        .expect("an attached document")
}

/// A CV attached to `application`, owned by its applicant.
async fn cv(app: &TestApp, application: i64) -> i64 {
    let sql = format!("SELECT applicant_id FROM applications WHERE id = {application}");
    let owner = UserId(app.count(&sql).await);
    attach_cv(app, application, owner, pdf("a CV"), "CV.pdf").await
}

async fn names_two_referees(b: &Browser, application: i64, who: [(&str, &str); 2]) {
    for (position, (name, email)) in ["1", "2"].into_iter().zip(who) {
        let page = b.name_referee(application, position, name, email).await;
        assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    }
}

pub async fn build(app: &TestApp, p: &Programs, people: &People) -> Applications {
    let hj = p.hj.id;
    let mo = &people.mo;
    done(
        mo,
        &format!("/manage/cycles/{hj}/settings"),
        &settings_fields(),
    )
    .await;
    let stored = |name: &'static str| async move {
        let email = format!("{}@hill.example.edu", name.to_lowercase());
        let full = format!("{name} Applicant");
        submitted(app, hj, &full, &email, "Hill College").await
    };
    let a = stored("Ben").await;
    let a2 = stored("Dee").await;
    let declare = stored("Eve").await;
    let screen = stored("Fay").await;
    let mover = stored("Gil").await;
    let bulk = stored("Hal").await;
    let to_assign = stored("Ivy").await;
    let to_unassign = stored("Jo").await;
    let to_reassign = stored("Kit").await;
    let to_conflict = stored("Lee").await;
    let to_decide = stored("Max").await;
    let reviewed = stored("Ned").await;
    let waitlisted = stored("Ola").await;
    let held = stored("Pia").await;
    let refs = stored("Rhea").await;
    let auto = stored("Quin").await;
    let own = |user: UserId, cycle: i64, name: &'static str, email: String| async move {
        submitted_by(app, cycle, user, name, &email, "Lake College").await
    };
    let o = own(people.oli_id, hj, "Oli Reviewer", "oli@gmail.com".into()).await;
    let m = own(people.mae_id, hj, "Mae Manager", "mae@gmail.com".into()).await;
    let offered = own(
        people.ana_id,
        p.c2,
        "Ana Applicant",
        people.ana_email.clone(),
    )
    .await;
    let withdrawable = own(
        people.sol_id,
        p.c2,
        "Sol Applicant",
        "sol@student.example.edu".into(),
    )
    .await;

    for id in [
        a,
        a2,
        declare,
        to_assign,
        to_unassign,
        to_reassign,
        to_conflict,
        to_decide,
        reviewed,
        waitlisted,
        held,
        auto,
        o,
        m,
    ] {
        mark_eligible(mo, id).await;
    }
    for (id, reviewer) in [
        (a, people.rae_id),
        (a, people.rex_id),
        (a, people.cal_id),
        (a2, people.sam),
        (declare, people.rae_id),
        (m, people.rae_id),
        (reviewed, people.rae_id),
        (to_unassign, people.sam),
        (to_reassign, people.sam),
    ] {
        assign(mo, id, reviewer).await;
    }
    let conflict = fields(&[
        ("reviewer", &people.cal_id.to_string()),
        ("reason", "Her former supervisor."),
    ]);
    done(
        mo,
        &format!("/manage/applications/{a}/conflicts"),
        &conflict,
    )
    .await;
    let revoke = fields(&[
        ("program", &p.hj.program.to_string()),
        ("role", "reviewer"),
        ("back", "/admin/users"),
    ]);
    let uri = format!("/admin/users/{}/revoke", people.rex_id);
    done(&people.admin, &uri, &revoke).await;
    {
        // The portal never assigns a reviewer their own application, by
        // hand or automatically: the matrix checks that one made anyway
        // still does not open.
        let now = chrono::Utc::now();
        let due = now + chrono::Duration::days(30);
        let mut conn = app.pool().conn().await.unwrap();
        let made = assignments::assign(
            conn.exec(),
            ApplicationId(o),
            people.oli_id,
            CycleId(hj),
            people.mo_id,
            due,
            now,
        );
        assert!(made.await.unwrap());
    }
    for id in [m, reviewed] {
        let page = post_review(&people.rae, id, &review_fields(&p.hj, "4", "submit")).await;
        assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    }
    let review_of = |id: i64| format!("SELECT id FROM reviews WHERE application_id = {id}");
    let review = app.count(&review_of(reviewed)).await;
    let review_m = app.count(&review_of(m)).await;

    // A waitlisted decision already told; an accepted one still held, so
    // that a release has something to release; Ana's accepted offer in
    // another program.
    decide(mo, waitlisted, "waitlisted").await;
    release(mo, hj).await;
    decide(mo, held, "accepted").await;
    mark_eligible(&people.nia, offered).await;
    decide(&people.nia, offered, "accepted").await;
    release(&people.nia, p.c2).await;

    let (cv_a, cv_a2, cv_o, cv_m) = (
        cv(app, a).await,
        cv(app, a2).await,
        cv(app, o).await,
        cv(app, m).await,
    );

    // Ana's draft, her CV and two referees, through her own pages.
    let ana = &people.ana;
    let draft = app.start_health_justice(ana).await;
    assert_eq!(upload_cv(ana, draft).await.status, Status::SeeOther);
    let cv_draft = attached(app, draft, "cv").await;
    let keep = ("Dr. Ida Keep", "ida@clinic.example.org");
    names_two_referees(
        ana,
        draft,
        [keep, ("Dr. Drew Drop", "drew@clinic.example.org")],
    )
    .await;
    let (referee_keep, referee_drop) = {
        let mut conn = app.pool().conn().await.unwrap();
        let named = referees::for_application(conn.exec(), ApplicationId(draft))
            .await
            .unwrap();
        let at = |p: i64| named.iter().find(|r| r.position == p).unwrap().id;
        (at(1), at(2))
    };
    // Sol's draft, complete and ready to submit.
    let sol = &people.sol;
    let complete = app.start_health_justice(sol).await;
    answer_everything(sol, complete).await;
    assert_eq!(upload_cv(sol, complete).await.status, Status::SeeOther);
    let two = [
        ("Dr. Uri Vance", "uri@clinic.example.org"),
        ("Dr. Vi Wells", "vi@clinic.example.org"),
    ];
    names_two_referees(sol, complete, two).await;
    sol.get(&format!("/apply/applications/{complete}/review"))
        .await
        .assert_contains("Everything is complete");

    Applications {
        a,
        a2,
        o,
        m,
        declare,
        screen,
        mover,
        bulk,
        to_assign,
        to_unassign,
        to_reassign,
        to_conflict,
        to_decide,
        waitlisted,
        auto,
        refs,
        draft,
        offered,
        complete,
        withdrawable,
        cv_a,
        cv_a2,
        cv_o,
        cv_m,
        cv_draft,
        referee_keep,
        referee_drop,
        review,
        review_m,
    }
}
