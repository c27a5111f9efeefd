//! Roles and the permission questions asked of them.
//!
//! Every registered user is an applicant. Reviewer and manager roles are
//! granted per program; admin is global. Guards and tests ask these
//! functions, never the role list directly.

use super::program::ProgramId;
use serde::Serialize;

/// A role granted for one program.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ProgramRole {
    Reviewer,
    Manager,
}

impl ProgramRole {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Reviewer => "reviewer",
            Self::Manager => "manager",
        }
    }

    /// Reads a stored or submitted name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "reviewer" => Some(Self::Reviewer),
            "manager" => Some(Self::Manager),
            _ => None,
        }
    }

    /// The name shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Self::Reviewer => "Reviewer",
            Self::Manager => "Program manager",
        }
    }
}

/// One role a user holds in one program.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Grant {
    pub program_id: ProgramId,
    pub role: ProgramRole,
}

/// Everything a signed-in user may do beyond applying.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Roles {
    pub admin: bool,
    pub grants: Vec<Grant>,
}

impl Roles {
    /// Whether the user reviews for at least one program.
    pub fn is_reviewer(&self) -> bool {
        self.grants.iter().any(|g| g.role == ProgramRole::Reviewer)
    }

    /// Whether the user manages at least one program.
    pub fn is_manager(&self) -> bool {
        self.grants.iter().any(|g| g.role == ProgramRole::Manager)
    }

    /// Whether the user may manage `program`.
    pub fn can_manage(&self, program: ProgramId) -> bool {
        self.has(program, ProgramRole::Manager)
    }

    /// Whether the user may review for `program`.
    pub fn can_review(&self, program: ProgramId) -> bool {
        self.has(program, ProgramRole::Reviewer)
    }

    /// Whether the user may grant and revoke roles.
    pub fn can_administer(&self) -> bool {
        self.admin
    }

    fn has(&self, program: ProgramId, role: ProgramRole) -> bool {
        self.grants
            .iter()
            .any(|g| g.program_id == program && g.role == role)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grants_are_per_program() {
        let roles = Roles {
            admin: false,
            grants: vec![
                Grant {
                    program_id: ProgramId(1),
                    role: ProgramRole::Manager,
                },
                Grant {
                    program_id: ProgramId(2),
                    role: ProgramRole::Reviewer,
                },
            ],
        };
        assert!(roles.can_manage(ProgramId(1)));
        assert!(!roles.can_manage(ProgramId(2)));
        assert!(roles.can_review(ProgramId(2)));
        assert!(!roles.can_review(ProgramId(1)));
        assert!(roles.is_manager() && roles.is_reviewer());
        assert!(!roles.can_administer());
    }

    #[test]
    fn admin_is_not_implicitly_a_manager() {
        let roles = Roles {
            admin: true,
            grants: vec![],
        };
        assert!(roles.can_administer());
        assert!(!roles.can_manage(ProgramId(1)));
        assert!(!roles.is_reviewer());
    }

    #[test]
    fn role_names_round_trip() {
        for r in [ProgramRole::Reviewer, ProgramRole::Manager] {
            assert_eq!(ProgramRole::parse(r.as_str()), Some(r));
        }
        assert_eq!(ProgramRole::parse("admin"), None);
    }
}
