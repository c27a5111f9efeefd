//! The matrix's columns (who asks, about what) and its audiences (who a
//! route is for), with the status each column must get from each
//! audience's routes. These are the rules the guards and handlers are
//! read against; a route that answers otherwise is a mismatch.

/// One column: a browser (or a referee link) and the object it aims at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Col {
    Anonymous,
    Applicant,
    OtherApplicant,
    Link,
    WrongLink,
    ExpiredLink,
    UsedLink,
    Reviewer,
    Unassigned,
    Conflicted,
    ReviewerOwn,
    Revoked,
    Manager,
    OtherManager,
    ManagerOwn,
    Admin,
}

impl Col {
    /// Every column, in the table's order.
    pub const ALL: [Col; 16] = [
        Col::Anonymous,
        Col::Applicant,
        Col::OtherApplicant,
        Col::Link,
        Col::WrongLink,
        Col::ExpiredLink,
        Col::UsedLink,
        Col::Reviewer,
        Col::Unassigned,
        Col::Conflicted,
        Col::ReviewerOwn,
        Col::Revoked,
        Col::Manager,
        Col::OtherManager,
        Col::ManagerOwn,
        Col::Admin,
    ];

    /// The column's heading in the README.
    pub fn label(self) -> &'static str {
        match self {
            Col::Anonymous => "anon",
            Col::Applicant => "own",
            Col::OtherApplicant => "other's",
            Col::Link => "link",
            Col::WrongLink => "wrong",
            Col::ExpiredLink => "expired",
            Col::UsedLink => "used",
            Col::Reviewer => "rev",
            Col::Unassigned => "unassigned",
            Col::Conflicted => "conflict",
            Col::ReviewerOwn => "rev's own",
            Col::Revoked => "revoked",
            Col::Manager => "mgr",
            Col::OtherManager => "other mgr",
            Col::ManagerOwn => "mgr's own",
            Col::Admin => "admin",
        }
    }

    /// What the column stands for, for the legend.
    pub fn meaning(self) -> &'static str {
        match self {
            Col::Anonymous => "no session",
            Col::Applicant => "an applicant, on their own application, document or referee",
            Col::OtherApplicant => "an applicant, on another applicant's",
            Col::Link => "a referee's link that still works",
            Col::WrongLink => "a link that was never sent",
            Col::ExpiredLink => "a link past the letters deadline and its grace period",
            Col::UsedLink => "a link whose referee has already answered",
            Col::Reviewer => "a reviewer, on an application assigned to them",
            Col::Unassigned => "the same reviewer, on an application in review not assigned to them",
            Col::Conflicted => "a reviewer who was assigned, then given a conflict by a manager",
            Col::ReviewerOwn => "a reviewer who applied, on their own application (an assignment planted, since the portal refuses to make it)",
            Col::Revoked => "a reviewer assigned before their reviewer role for the program was revoked (they still review another program)",
            Col::Manager => "a manager of the program",
            Col::OtherManager => "a manager of another program only",
            Col::ManagerOwn => "a manager of the program who applied to it, on their own application",
            Col::Admin => "an admin (who holds no program role)",
        }
    }

    /// The columns every route without an object of its own is asked of:
    /// one browser per kind of user.
    pub fn is_base(self) -> bool {
        matches!(
            self,
            Col::Anonymous | Col::Applicant | Col::Reviewer | Col::Manager | Col::Admin
        )
    }
}

/// What a column gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cell {
    /// A status code, and for a redirect whether it is to the login page
    /// (the 401 catcher's answer to a request without a session).
    Status(u16),
    Login,
}

impl Cell {
    /// How the README shows it.
    pub fn show(self) -> String {
        match self {
            Cell::Status(s) => s.to_string(),
            Cell::Login => "303 login".into(),
        }
    }

    /// Whether this is a refusal: such a request must change nothing.
    pub fn is_refusal(self) -> bool {
        match self {
            Cell::Status(s) => s >= 400,
            Cell::Login => true,
        }
    }
}

/// Who a route is for, and so which columns it is asked of and what each
/// must get. `ok` is what an allowed caller gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Everyone, signed in or not: the same answer for each.
    Public,
    /// Anyone signed in.
    SignedIn,
    /// The applicant who owns the application (or document, or referee).
    Owner,
    /// Whoever holds the referee's link; no account.
    Referee,
    /// A link that cannot take a letter (the route a working link never reaches).
    DeadLink,
    /// Any reviewer.
    Reviewer,
    /// A reviewer, on one application.
    Reviewed,
    /// Any manager.
    Manager,
    /// A manager, on one cycle of a program.
    ManagedCycle,
    /// A manager, on one application (or its document, or review).
    Managed,
    /// An admin.
    Admin,
}

impl Audience {
    /// What `col` must get from a route for this audience; `None` where the
    /// column does not apply (shown as —, and never asked).
    pub fn expect(self, ok: u16, col: Col) -> Option<Cell> {
        use Audience as A;
        use Cell::{Login, Status};
        let allowed = Status(ok);
        let lacks_role = Status(403);
        let not_theirs = Status(404);
        let is_link = matches!(
            col,
            Col::Link | Col::WrongLink | Col::ExpiredLink | Col::UsedLink
        );
        match self {
            A::Referee | A::DeadLink => {
                return match col {
                    Col::Link if self == A::Referee => Some(allowed),
                    Col::WrongLink => Some(not_theirs),
                    Col::ExpiredLink | Col::UsedLink => Some(Status(410)),
                    _ => None,
                }
            }
            _ if is_link => return None,
            _ => {}
        }
        let applies = col.is_base()
            || match self {
                A::Owner => col == Col::OtherApplicant,
                A::Reviewed => matches!(
                    col,
                    Col::Unassigned | Col::Conflicted | Col::ReviewerOwn | Col::Revoked
                ),
                A::ManagedCycle => col == Col::OtherManager,
                A::Managed => matches!(col, Col::OtherManager | Col::ManagerOwn),
                _ => false,
            };
        if !applies {
            return None;
        }
        Some(match (self, col) {
            (A::Public, _) => allowed,
            (_, Col::Anonymous) => Login,
            (A::SignedIn, _) => allowed,
            (A::Owner, Col::Applicant) => allowed,
            (A::Owner, _) => not_theirs,
            (A::Reviewer | A::Reviewed, Col::Reviewer) => allowed,
            (A::Reviewed, Col::Unassigned | Col::Conflicted | Col::ReviewerOwn | Col::Revoked) => {
                not_theirs
            }
            (A::Manager | A::ManagedCycle | A::Managed, Col::Manager) => allowed,
            (A::ManagedCycle | A::Managed, Col::OtherManager | Col::ManagerOwn) => not_theirs,
            (A::Admin, Col::Admin) => allowed,
            _ => lacks_role,
        })
    }
}
