//! The world every cell of the matrix is asked in, built once: one browser
//! per kind of user ([`people`]), the applications each column aims at
//! ([`applications`]), and the links and other objects of the public and
//! admin rows ([`links`]). Most of it goes through the portal's own forms;
//! what the portal would refuse to make, or only mails, is stored directly,
//! and each place says so. Here too: which object each column aims at.

mod applications;
mod links;
mod people;

pub use applications::{release_fields, settings_fields, Applications};
pub use links::{Links, Targets};
pub use people::People;

use super::roles::Col;
use crate::fixtures::{health_justice, Cycle};
use crate::helpers::{Browser, TestApp};
use fellowship_portal::domain::user::UserId;

/// Whose browser the `own` column uses on an applicant's route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    /// Ana: a draft, a document, referees, an offer to answer.
    Ana,
    /// Sol: a complete draft to submit, and an application to withdraw.
    Sol,
}

/// The new password of every account the password rows change.
pub const NEW_PASSWORD: &str = "lantern-quarry-mosaic-fern";

/// The seeded programs and cycles.
pub struct Programs {
    /// Health Justice: where the staff work.
    pub hj: Cycle,
    /// Voices for Change: Nia's program, and Ana's offer.
    pub c2: i64,
    pub p2: i64,
    /// Summer Internship: nobody has applied; Mo manages it too, and
    /// without reviews its rubric can still change.
    pub c3: i64,
    pub p3: i64,
}

/// Everything the matrix asks about. Ids are whatever the backend gave.
pub struct World {
    pub app: TestApp,
    /// A browser that never logs in (until the last row): the anonymous
    /// visitor, and the referee holding a link.
    pub anon: Browser,
    pub programs: Programs,
    pub people: People,
    pub apps: Applications,
    pub links: Links,
    pub targets: Targets,
}

impl World {
    /// Builds the world on `app`, and checks it is as designed.
    pub async fn build(app: TestApp) -> Self {
        let hj = health_justice(&app).await;
        let program = |slug: &str| format!("SELECT id FROM programs WHERE slug = '{slug}'");
        let programs = Programs {
            hj,
            c2: app.cycle_of("voices-for-change").await,
            p2: app.count(&program("voices-for-change")).await,
            c3: app.cycle_of("summer-internship").await,
            p3: app.count(&program("summer-internship")).await,
        };
        // Its first page sets its CSRF cookie, under the matrix's checks.
        let anon = app.another_browser().await;
        let people = people::build(&app, &programs).await;
        let apps = applications::build(&app, &programs, &people).await;
        let (links, targets) = links::build(&app, &programs, &apps).await;
        let world = World {
            app,
            anon,
            programs,
            people,
            apps,
            links,
            targets,
        };
        world.assert_as_designed().await;
        world
    }

    /// Each column's premise holds, so that a mismatch in the matrix is
    /// the route's doing and not the fixture's.
    async fn assert_as_designed(&self) {
        let (p, a) = (&self.people, &self.apps);
        let (hj, p2) = (self.programs.hj.program, self.programs.p2);
        let assigned = |app: i64, r: UserId| {
            format!("SELECT COUNT(*) FROM assignments WHERE application_id = {app} AND reviewer_id = {r}")
        };
        let role = |u: UserId, program: i64, r: &str| {
            format!("SELECT COUNT(*) FROM role_grants WHERE user_id = {u} AND program_id = {program} AND role = '{r}'")
        };
        let conflict = format!(
            "SELECT COUNT(*) FROM conflicts WHERE application_id = {} AND reviewer_id = {}",
            a.a, p.cal_id
        );
        let nobody = format!(
            "SELECT COUNT(*) FROM assignments WHERE application_id = {}",
            a.auto
        );
        let in_review = format!(
            "SELECT COUNT(*) FROM applications WHERE stage = 'review' AND id IN ({}, {}, {}, {})",
            a.a, a.a2, a.o, a.m
        );
        for (what, sql, want) in [
            ("Rae is assigned to A", assigned(a.a, p.rae_id), 1),
            ("Rae is not assigned to A2", assigned(a.a2, p.rae_id), 0),
            (
                "Cal's assignment to A was withdrawn",
                assigned(a.a, p.cal_id),
                0,
            ),
            ("Cal has a conflict with A", conflict, 1),
            ("Rex is still assigned to A", assigned(a.a, p.rex_id), 1),
            (
                "Rex no longer reviews for A's program",
                role(p.rex_id, hj, "reviewer"),
                0,
            ),
            (
                "Rex reviews another program",
                role(p.rex_id, p2, "reviewer"),
                1,
            ),
            (
                "Oli is assigned his own application",
                assigned(a.o, p.oli_id),
                1,
            ),
            (
                "Mae manages the program she applied to",
                role(p.mae_id, hj, "manager"),
                1,
            ),
            (
                "automatic assignment has an application to staff",
                nobody,
                0,
            ),
            (
                "A, A2, Oli's and Mae's applications are in review",
                in_review,
                4,
            ),
        ] {
            let got = self.app.count(&sql).await;
            assert_eq!(got, want, "the fixture is not as designed: {what}");
        }
    }

    /// The browser that asks for `col` (the `own` column: `by`'s).
    pub fn browser(&self, col: Col, by: Owner) -> &Browser {
        let p = &self.people;
        match col {
            Col::Anonymous | Col::Link | Col::WrongLink | Col::ExpiredLink | Col::UsedLink => {
                &self.anon
            }
            Col::Applicant if by == Owner::Sol => &p.sol,
            Col::Applicant | Col::OtherApplicant => &p.ana,
            Col::Reviewer | Col::Unassigned => &p.rae,
            Col::Conflicted => &p.cal,
            Col::ReviewerOwn => &p.oli,
            Col::Revoked => &p.rex,
            Col::Manager => &p.mo,
            Col::OtherManager => &p.nia,
            Col::ManagerOwn => &p.mae,
            Col::Admin => &p.admin,
        }
    }

    /// On an applicant's route: the owner's `mine` (the anonymous visitor
    /// asks for the same), everyone else A, which is Ben's.
    pub fn owned(&self, col: Col, mine: i64) -> i64 {
        match col {
            Col::Anonymous | Col::Applicant => mine,
            _ => self.apps.a,
        }
    }

    /// [`Self::owned`] for a document.
    pub fn owned_document(&self, col: Col) -> i64 {
        match col {
            Col::Anonymous | Col::Applicant => self.apps.cv_draft,
            _ => self.apps.cv_a,
        }
    }

    /// [`Self::owned`] for a referee: `(application, request)`.
    pub fn owned_referee(&self, col: Col, mine: i64) -> (i64, i64) {
        match col {
            Col::Anonymous | Col::Applicant => (self.apps.draft, mine),
            _ => (self.apps.a, self.links.referee_a),
        }
    }

    /// On a reviewer's route: the application each reviewer column is
    /// about; `mine` for the assigned reviewer (and everyone else).
    pub fn reviewed(&self, col: Col, mine: i64) -> i64 {
        match col {
            Col::Unassigned => self.apps.a2,
            Col::Conflicted | Col::Revoked => self.apps.a,
            Col::ReviewerOwn => self.apps.o,
            _ => mine,
        }
    }

    /// [`Self::reviewed`] for a document of the application.
    pub fn reviewed_document(&self, col: Col) -> (i64, i64) {
        let a = &self.apps;
        match col {
            Col::Unassigned => (a.a2, a.cv_a2),
            Col::ReviewerOwn => (a.o, a.cv_o),
            _ => (a.a, a.cv_a),
        }
    }

    /// On a manager's route: Mae's own application for her, `mine` for
    /// everyone else.
    pub fn managed(&self, col: Col, mine: i64) -> i64 {
        match col {
            Col::ManagerOwn => self.apps.m,
            _ => mine,
        }
    }

    /// [`Self::managed`] for a document.
    pub fn managed_document(&self, col: Col) -> (i64, i64) {
        let a = &self.apps;
        match col {
            Col::ManagerOwn => (a.m, a.cv_m),
            _ => (a.a, a.cv_a),
        }
    }

    /// [`Self::managed`] for a submitted review.
    pub fn managed_review(&self, col: Col) -> i64 {
        match col {
            Col::ManagerOwn => self.apps.review_m,
            _ => self.apps.review,
        }
    }

    /// The referee link a column holds; `right` is the working one.
    pub fn link<'a>(&'a self, col: Col, right: &'a str) -> &'a str {
        let l = &self.links;
        match col {
            Col::WrongLink => &l.wrong,
            Col::ExpiredLink => &l.expired,
            Col::UsedLink => &l.used,
            _ => right,
        }
    }

    /// A column's own account link (following one spends it).
    pub fn account_link(links: &[(Col, String)], col: Col) -> &str {
        links
            .iter()
            .find(|(c, _)| *c == col)
            .map(|(_, s)| s.as_str())
            .expect("a link for each base column")
    }
}
