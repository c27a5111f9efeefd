//! Fixtures of the review and decision workflow: a submitted application
//! stored directly (the applicant's own journey is tested in `apply`),
//! staff with roles on browsers of their own, and the manager's and
//! reviewer's forms.

use fellowship_portal::db::{applications, profiles, roles, users};
use fellowship_portal::domain::form::{Answer, Answers};
use fellowship_portal::domain::role::ProgramRole;
use fellowship_portal::domain::workflow::stage::{Actor, Move, Stage};
use rocket::http::Status;

use crate::helpers::{Browser, Page, TestApp, PASSWORD};

/// The Health Justice cycle, its program, and its rubric's criterion keys.
pub struct Cycle {
    pub id: i64,
    pub program: i64,
    pub criteria: Vec<String>,
}

pub async fn health_justice(app: &TestApp) -> Cycle {
    let id = app.cycle_of("health-justice").await;
    let program = app
        .count("SELECT id FROM programs WHERE slug = 'health-justice'")
        .await;
    let mut conn = app.pool().conn().await.unwrap();
    let setup = fellowship_portal::db::cycles::review_setup(conn.exec(), id)
        .await
        .unwrap()
        .unwrap();
    Cycle {
        id,
        program,
        criteria: setup
            .rubric
            .criteria
            .iter()
            .map(|c| c.key.clone())
            .collect(),
    }
}

/// A submitted application of a new applicant (stored directly: the
/// applicant's own journey is tested elsewhere); returns its id.
pub async fn submitted(
    app: &TestApp,
    cycle: i64,
    name: &str,
    email: &str,
    institution: &str,
) -> i64 {
    let now = chrono::Utc::now();
    let mut conn = app.pool().conn().await.unwrap();
    let user = users::insert(
        conn.exec(),
        &users::NewUser {
            email,
            name,
            password_hash: "!",
            confirmed: true,
            is_admin: false,
            must_change_password: false,
        },
        now,
    )
    .await
    .unwrap();
    drop(conn);
    submitted_by(app, cycle, user, name, email, institution).await
}

/// A submitted application of an existing account `user` (stored directly,
/// as [`submitted`] does); returns its id.
pub async fn submitted_by(
    app: &TestApp,
    cycle: i64,
    user: i64,
    name: &str,
    email: &str,
    institution: &str,
) -> i64 {
    let now = chrono::Utc::now();
    let mut tx = app.pool().begin().await.unwrap();
    let mut answers = Answers::new();
    for (k, v) in [
        ("legal_name", name),
        ("email", email),
        ("institution", institution),
        ("degree", "MPH"),
        (
            "health_equity_essay",
            "Clinics close early where buses stop running.",
        ),
        (
            "community_project_essay",
            "A mobile blood-pressure screening day.",
        ),
    ] {
        answers.insert(k.into(), Answer::One(v.into()));
    }
    let id = applications::create(tx.exec(), cycle, user, &answers, "{}", now)
        .await
        .unwrap();
    assert!(applications::move_stage(
        tx.exec(),
        id,
        Stage::Draft,
        Stage::Submitted,
        Move::Submit,
        Some(user),
        Actor::Applicant,
        "",
        now,
    )
    .await
    .unwrap());
    applications::set_institution(tx.exec(), id, institution)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    id
}

/// A confirmed user with a role in a program, logged in on a browser of
/// their own.
pub async fn staff(
    app: &TestApp,
    name: &str,
    email: &str,
    program: i64,
    role: ProgramRole,
) -> (i64, Browser) {
    let id = app.new_user(name, email).await;
    let mut conn = app.pool().conn().await.unwrap();
    roles::grant(conn.exec(), id, program, role, id, chrono::Utc::now())
        .await
        .unwrap();
    drop(conn);
    let browser = app.another_browser().await;
    let page = browser.login(email, PASSWORD).await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    (id, browser)
}

pub async fn set_institution(app: &TestApp, user: i64, institution: &str) {
    let mut conn = app.pool().conn().await.unwrap();
    let mut p = profiles::get(conn.exec(), user).await.unwrap();
    p.institution = institution.into();
    profiles::put(conn.exec(), user, &p, chrono::Utc::now())
        .await
        .unwrap();
}

/// Moves an application to review through the manager's screening form.
pub async fn mark_eligible(manager: &Browser, id: i64) {
    let page = manager
        .post(
            &format!("/manage/applications/{id}/screen"),
            &[("outcome", "eligible")],
        )
        .await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
}

pub const DUE: &str = "2099-01-31";

pub async fn assign(manager: &Browser, id: i64, reviewer: i64) {
    let page = manager
        .post(
            &format!("/manage/applications/{id}/assign"),
            &[("reviewer", &reviewer.to_string()), ("due", DUE)],
        )
        .await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
}

/// The form fields of a complete review giving every criterion `score`.
pub fn review_fields(c: &Cycle, score: &str, action: &str) -> Vec<(String, String)> {
    let mut f: Vec<(String, String)> = c
        .criteria
        .iter()
        .map(|k| (format!("score[{k}]"), score.to_owned()))
        .collect();
    f.push((
        "overall_comment".into(),
        "Clear plans, strong community ties.".into(),
    ));
    f.push(("recommendation".into(), "support".into()));
    f.push(("confidence".into(), "high".into()));
    f.push(("action".into(), action.into()));
    f
}

pub async fn post_review(b: &Browser, id: i64, fields: &[(String, String)]) -> Page {
    let borrowed: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    b.post(&format!("/review/applications/{id}"), &borrowed)
        .await
}
