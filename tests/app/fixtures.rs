//! Fixtures of the review and decision workflow: a builder on [`TestApp`]
//! for a program's cycle, its staff (logged in on browsers of their own)
//! and applications stored directly in a given stage (the applicant's own
//! journey is tested in `apply`), and the manager's and reviewer's forms.

use fellowship_portal::db::{applications, profiles, roles, users};
use fellowship_portal::domain::cycle::CycleId;
use fellowship_portal::domain::form::{Answer, Answers};
use fellowship_portal::domain::program::ProgramId;
use fellowship_portal::domain::role::ProgramRole;
use fellowship_portal::domain::user::UserId;
use fellowship_portal::domain::workflow::stage::{apply, Actor, Move, Stage};
use rocket::http::Status;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::helpers::{Browser, Page, TestApp, PASSWORD};

/// A program's open cycle, its program, and its rubric's criterion keys.
pub struct Cycle {
    pub id: i64,
    pub program: i64,
    pub criteria: Vec<String>,
}

/// The Health Justice cycle (as [`TestApp::with_cycle`]).
pub async fn health_justice(app: &TestApp) -> Cycle {
    app.with_cycle().await
}

/// Staff of a program: their account and a browser logged in as them
/// (a `Staff` is used as that browser).
pub struct Staff {
    pub id: UserId,
    pub browser: Browser,
}

impl std::ops::Deref for Staff {
    type Target = Browser;

    fn deref(&self) -> &Browser {
        &self.browser
    }
}

impl TestApp {
    /// The open cycle of the Health Justice program (seeded).
    pub async fn with_cycle(&self) -> Cycle {
        self.with_cycle_of("health-justice").await
    }

    /// The open cycle of the seeded program `slug`, with its rubric's
    /// criterion keys.
    pub async fn with_cycle_of(&self, slug: &str) -> Cycle {
        let id = self.cycle_of(slug).await;
        let program = self
            .count(&format!("SELECT id FROM programs WHERE slug = '{slug}'"))
            .await;
        let mut conn = self.pool().conn().await.unwrap();
        let setup = fellowship_portal::db::cycles::review_setup(conn.exec(), CycleId(id))
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

    /// A manager of the cycle's program, logged in on a browser of their own.
    pub async fn with_manager(&self, c: &Cycle, name: &str, email: &str) -> Staff {
        let (id, browser) = staff(self, name, email, c.program, ProgramRole::Manager).await;
        Staff { id, browser }
    }

    /// A reviewer of the cycle's program, logged in on a browser of their own.
    pub async fn with_reviewer(&self, c: &Cycle, name: &str, email: &str) -> Staff {
        let (id, browser) = staff(self, name, email, c.program, ProgramRole::Reviewer).await;
        Staff { id, browser }
    }

    /// An application to cycle `c`, submitted now by a new applicant unless
    /// told otherwise; `.await` stores it and gives its id.
    pub fn submitted_application(&self, c: &Cycle) -> NewApplication<'_> {
        NewApplication::new(self, c.id)
    }
}

static APPLICANTS: AtomicU64 = AtomicU64::new(1);

/// An application about to be stored directly, at the app's now: by
/// whom, from which institution, and in which stage. Await it for its id.
pub struct NewApplication<'a> {
    app: &'a TestApp,
    cycle: i64,
    name: String,
    email: String,
    institution: String,
    owner: Option<UserId>,
    stage: Stage,
}

impl<'a> NewApplication<'a> {
    fn new(app: &'a TestApp, cycle: i64) -> Self {
        let n = APPLICANTS.fetch_add(1, Ordering::Relaxed);
        Self {
            app,
            cycle,
            name: format!("Applicant {n}"),
            email: format!("applicant-{n}@student.edu"),
            institution: "Lakeside University".into(),
            owner: None,
            stage: Stage::Submitted,
        }
    }

    /// The applicant's name and email, as answered on the form (and of the
    /// new account, unless [`Self::of`] names one).
    pub fn by(mut self, name: &str, email: &str) -> Self {
        self.name = name.into();
        self.email = email.into();
        self
    }

    /// Owned by the existing account `user` instead of a new one.
    pub fn of(mut self, user: UserId) -> Self {
        self.owner = Some(user);
        self
    }

    /// The applicant's institution.
    pub fn from(mut self, institution: &str) -> Self {
        self.institution = institution.into();
        self
    }

    /// Moved on to `stage` by the program team (or, for `Withdrawn`, by
    /// the applicant), an event per move as the workflow records them; a
    /// `Draft` is never submitted. `Decided` needs a decision: make it
    /// through the manager's form.
    pub fn in_stage(mut self, stage: Stage) -> Self {
        assert_ne!(stage, Stage::Decided, "decide through the manager's form");
        self.stage = stage;
        self
    }

    async fn store(self) -> i64 {
        let now = self.app.clock.now();
        let user = match self.owner {
            Some(user) => user,
            None => {
                let mut conn = self.app.pool().conn().await.unwrap();
                users::insert(
                    conn.exec(),
                    &users::NewUser {
                        email: &self.email,
                        name: &self.name,
                        password_hash: "!",
                        confirmed: true,
                        is_admin: false,
                        must_change_password: false,
                    },
                    now,
                )
                .await
                .unwrap()
            }
        };
        let mut answers = Answers::new();
        for (k, v) in [
            ("legal_name", self.name.as_str()),
            ("email", self.email.as_str()),
            ("institution", self.institution.as_str()),
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
        let moves: &[(Move, Actor)] = match self.stage {
            Stage::Draft => &[],
            Stage::Submitted => &[(Move::Submit, Actor::Applicant)],
            Stage::Screening => &[
                (Move::Submit, Actor::Applicant),
                (Move::StartScreening, Actor::Manager),
            ],
            Stage::Review => &[
                (Move::Submit, Actor::Applicant),
                (Move::MarkEligible, Actor::Manager),
            ],
            Stage::Committee => &[
                (Move::Submit, Actor::Applicant),
                (Move::MarkEligible, Actor::Manager),
                (Move::SendToCommittee, Actor::Manager),
            ],
            Stage::Ineligible => &[
                (Move::Submit, Actor::Applicant),
                (Move::MarkIneligible, Actor::Manager),
            ],
            Stage::Withdrawn => &[
                (Move::Submit, Actor::Applicant),
                (Move::Withdraw, Actor::Applicant),
            ],
            Stage::Decided => unreachable!("refused by in_stage"),
        };
        let mut tx = self.app.pool().begin().await.unwrap();
        let id = applications::create(tx.exec(), CycleId(self.cycle), user, &answers, "{}", now)
            .await
            .unwrap();
        let mut stage = Stage::Draft;
        for &(mv, actor) in moves {
            let to = apply(stage, mv, actor).unwrap();
            let by = (actor == Actor::Applicant).then_some(user);
            assert!(
                applications::move_stage(tx.exec(), id, stage, to, mv, by, actor, "", now)
                    .await
                    .unwrap()
            );
            stage = to;
        }
        applications::set_institution(tx.exec(), id, &self.institution)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        id.0
    }
}

impl<'a> std::future::IntoFuture for NewApplication<'a> {
    type Output = i64;
    type IntoFuture = std::pin::Pin<Box<dyn std::future::Future<Output = i64> + 'a>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.store())
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
    NewApplication::new(app, cycle)
        .by(name, email)
        .from(institution)
        .await
}

/// A submitted application of an existing account `user` (stored directly,
/// as [`submitted`] does); returns its id.
pub async fn submitted_by(
    app: &TestApp,
    cycle: i64,
    user: UserId,
    name: &str,
    email: &str,
    institution: &str,
) -> i64 {
    NewApplication::new(app, cycle)
        .by(name, email)
        .of(user)
        .from(institution)
        .await
}

/// Sam Other, a manager of Voices for Change only (not of the Health
/// Justice cycle the tests work in), logged in on a browser of his own.
pub async fn manager_elsewhere(app: &TestApp) -> Browser {
    let voices = app
        .count("SELECT id FROM programs WHERE slug = 'voices-for-change'")
        .await;
    staff(
        app,
        "Sam Other",
        "sam@alliance.org",
        voices,
        ProgramRole::Manager,
    )
    .await
    .1
}

/// A confirmed user with a role in a program, logged in on a browser of
/// their own.
pub async fn staff(
    app: &TestApp,
    name: &str,
    email: &str,
    program: i64,
    role: ProgramRole,
) -> (UserId, Browser) {
    let id = app.new_user(name, email).await;
    let mut conn = app.pool().conn().await.unwrap();
    roles::grant(
        conn.exec(),
        id,
        ProgramId(program),
        role,
        id,
        app.clock.now(),
    )
    .await
    .unwrap();
    drop(conn);
    let browser = app.another_browser().await;
    let page = browser.login(email, PASSWORD).await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    (id, browser)
}

/// Sets the institution on `user`'s profile (a reviewer is conflicted with
/// applicants of the same institution).
pub async fn set_institution(app: &TestApp, user: UserId, institution: &str) {
    let mut conn = app.pool().conn().await.unwrap();
    let mut p = profiles::get(conn.exec(), user).await.unwrap();
    p.institution = institution.into();
    profiles::put(conn.exec(), user, &p, app.clock.now())
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

/// The due date every assignment made with [`assign`] gets.
pub const DUE: &str = "2099-01-31";

/// A time when every assignment due on [`DUE`] is overdue, in any zone.
pub fn past_due() -> chrono::DateTime<chrono::Utc> {
    chrono::NaiveDate::parse_from_str(DUE, "%Y-%m-%d")
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc()
        + chrono::Duration::days(2)
}

/// Assigns `reviewer` to application `id` through the manager's form, due on [`DUE`].
pub async fn assign(manager: &Browser, id: i64, reviewer: UserId) {
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

/// Posts the reviewer's form of application `id` with `fields`.
pub async fn post_review(b: &Browser, id: i64, fields: &[(String, String)]) -> Page {
    let borrowed: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    b.post(&format!("/review/applications/{id}"), &borrowed)
        .await
}
