//! Invitations to review for or manage a program: where one stands, and
//! who may send one. An invitation is a role offered to an email address;
//! its link works until it expires, is revoked, or is accepted. Imports no
//! rocket or sqlx.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use super::program::ProgramId;
use super::role::Roles;

super::id::id_type!(
    /// Database id of an invitation.
    InvitationId
);

/// Days an invitation's link works after it is sent (or sent again).
pub const VALID_DAYS: i64 = 14;

/// When a link sent at `sent` stops working.
pub fn expires(sent: DateTime<Utc>) -> DateTime<Utc> {
    sent + Duration::days(VALID_DAYS)
}

/// Where an invitation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Standing {
    /// Sent, its link working.
    Waiting,
    /// Sent, its link no longer working; it can be sent again.
    Expired,
    Accepted,
    Revoked,
}

impl Standing {
    /// Where an invitation stands at `now`, from its answer and expiry.
    pub fn at(
        accepted: bool,
        revoked: bool,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Self {
        if accepted {
            Self::Accepted
        } else if revoked {
            Self::Revoked
        } else if now >= expires_at {
            Self::Expired
        } else {
            Self::Waiting
        }
    }

    /// Whether it can still be sent again or revoked.
    pub fn unanswered(self) -> bool {
        matches!(self, Self::Waiting | Self::Expired)
    }

    /// The word shown in lists.
    pub fn label(self) -> &'static str {
        match self {
            Self::Waiting => "Waiting",
            Self::Expired => "Expired",
            Self::Accepted => "Accepted",
            Self::Revoked => "Revoked",
        }
    }
}

/// Whether someone with `roles` may invite people to `program`: an admin
/// to any program, a manager to the programs they manage.
pub fn may_invite(roles: &Roles, program: ProgramId) -> bool {
    roles.can_administer() || roles.can_manage(program)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::role::{Grant, ProgramRole};

    fn at(days: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + days * 86_400, 0).unwrap()
    }

    #[test]
    fn a_link_works_fourteen_days_then_expires() {
        let sent = at(0);
        let ends = expires(sent);
        assert_eq!(Standing::at(false, false, ends, at(13)), Standing::Waiting);
        assert_eq!(Standing::at(false, false, ends, at(14)), Standing::Expired);
        assert!(Standing::Expired.unanswered());
    }

    #[test]
    fn an_answer_outranks_the_expiry() {
        let ends = expires(at(0));
        assert_eq!(Standing::at(true, false, ends, at(30)), Standing::Accepted);
        assert_eq!(Standing::at(false, true, ends, at(1)), Standing::Revoked);
        assert!(!Standing::Accepted.unanswered());
        assert!(!Standing::Revoked.unanswered());
    }

    #[test]
    fn managers_invite_to_their_own_programs_and_admins_to_any() {
        let manager = Roles {
            admin: false,
            grants: vec![Grant {
                program_id: ProgramId(1),
                role: ProgramRole::Manager,
            }],
        };
        assert!(may_invite(&manager, ProgramId(1)));
        assert!(!may_invite(&manager, ProgramId(2)));
        let reviewer = Roles {
            admin: false,
            grants: vec![Grant {
                program_id: ProgramId(1),
                role: ProgramRole::Reviewer,
            }],
        };
        assert!(!may_invite(&reviewer, ProgramId(1)));
        let admin = Roles {
            admin: true,
            grants: vec![],
        };
        assert!(may_invite(&admin, ProgramId(2)));
    }
}
