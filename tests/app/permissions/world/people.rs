//! One logged-in browser per kind of user the matrix has a column for,
//! with their roles granted, and two reviewers without a browser for the
//! manager's forms to name.

use fellowship_portal::db::{roles, users};
use fellowship_portal::domain::program::ProgramId;
use fellowship_portal::domain::role::ProgramRole;
use fellowship_portal::domain::user::UserId;
use rocket::http::Status;

use super::Programs;
use crate::fixtures::staff;
use crate::helpers::{Browser, TestApp, PASSWORD};

/// The users with a browser, and the ids the fixture needs.
pub struct People {
    /// Applicants: Ana (a draft, an offer), Sol (to submit, to withdraw).
    pub ana: Browser,
    pub sol: Browser,
    /// Reviewers of Health Justice; Rex only until his role is revoked.
    pub rae: Browser,
    pub cal: Browser,
    pub oli: Browser,
    pub rex: Browser,
    /// Mo and Mae manage Health Justice (Mo the Summer Internship too),
    /// Nia only Voices for Change.
    pub mo: Browser,
    pub nia: Browser,
    pub mae: Browser,
    pub admin: Browser,
    pub ana_id: UserId,
    pub sol_id: UserId,
    pub rae_id: UserId,
    pub cal_id: UserId,
    pub oli_id: UserId,
    pub rex_id: UserId,
    pub mo_id: UserId,
    pub mae_id: UserId,
    pub sam: UserId,
    pub tia: UserId,
    pub ana_email: String,
}

/// A confirmed account with a browser of its own, logged in.
async fn applicant(app: &TestApp, name: &str, email: &str) -> (UserId, Browser) {
    let id = app.new_user(name, email).await;
    let browser = app.another_browser().await;
    let page = browser.login(email, PASSWORD).await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    (id, browser)
}

/// An account stored directly: it never logs in.
pub async fn account(app: &TestApp, name: &str, email: &str, confirmed: bool) -> UserId {
    let mut conn = app.pool().conn().await.unwrap();
    let user = users::NewUser {
        email,
        name,
        password_hash: "!",
        confirmed,
        is_admin: false,
        must_change_password: false,
    };
    users::insert(conn.exec(), &user, chrono::Utc::now())
        .await
        .unwrap()
}

/// A role granted directly (as the fixtures' `staff` does).
pub async fn grant(app: &TestApp, user: UserId, program: i64, role: ProgramRole) {
    let mut conn = app.pool().conn().await.unwrap();
    roles::grant(
        conn.exec(),
        user,
        ProgramId(program),
        role,
        user,
        chrono::Utc::now(),
    )
    .await
    .unwrap();
}

/// Everyone; staff have addresses at a public mail service, so that no
/// assignment is refused for sharing the applicant's mail domain.
pub async fn build(app: &TestApp, p: &Programs) -> People {
    use ProgramRole::{Manager, Reviewer};
    let p1 = p.hj.program;
    let (mo_id, mo) = staff(app, "Mo Manager", "mo@gmail.com", p1, Manager).await;
    grant(app, mo_id, p.p3, Manager).await;
    let (_, nia) = staff(app, "Nia Manager", "nia@gmail.com", p.p2, Manager).await;
    let (mae_id, mae) = staff(app, "Mae Manager", "mae@gmail.com", p1, Manager).await;
    let (rae_id, rae) = staff(app, "Rae Reviewer", "rae@gmail.com", p1, Reviewer).await;
    let (cal_id, cal) = staff(app, "Cal Reviewer", "cal@gmail.com", p1, Reviewer).await;
    let (oli_id, oli) = staff(app, "Oli Reviewer", "oli@gmail.com", p1, Reviewer).await;
    let (rex_id, rex) = staff(app, "Rex Reviewer", "rex@gmail.com", p1, Reviewer).await;
    grant(app, rex_id, p.p2, Reviewer).await;
    let admin = app.admin_browser("ada@alliance.org").await;
    let ana_email = "ana@student.example.edu".to_owned();
    let (ana_id, ana) = applicant(app, "Ana Applicant", &ana_email).await;
    let (sol_id, sol) = applicant(app, "Sol Applicant", "sol@student.example.edu").await;
    let sam = account(app, "Sam Reviewer", "sam@gmail.com", true).await;
    let tia = account(app, "Tia Reviewer", "tia@gmail.com", true).await;
    for r in [sam, tia] {
        grant(app, r, p1, Reviewer).await;
    }
    People {
        ana,
        sol,
        rae,
        cal,
        oli,
        rex,
        mo,
        nia,
        mae,
        admin,
        ana_id,
        sol_id,
        rae_id,
        cal_id,
        oli_id,
        rex_id,
        mo_id,
        mae_id,
        sam,
        tia,
        ana_email,
    }
}
