//! Per-object permission questions, asked by route guards and tests alike.

use super::user::UserId;

/// What kind of document it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentKind {
    /// Uploaded by an applicant.
    Upload,
    /// A referee's letter: confidential, never shown to the applicant.
    Letter,
}

impl DocumentKind {
    /// Reads the stored name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "upload" => Some(Self::Upload),
            "letter" => Some(Self::Letter),
            _ => None,
        }
    }
}

/// Whether `user` may open an application owned by `owner` as its applicant.
pub fn applicant_may_open(owner: UserId, user: UserId) -> bool {
    owner == user
}

/// Whether `user` may download a document as an applicant: only their own
/// uploads, never a letter (whatever they waived).
pub fn applicant_may_download(owner: Option<UserId>, kind: DocumentKind, user: UserId) -> bool {
    kind == DocumentKind::Upload && owner == Some(user)
}

/// Whether a manager may see and act on an application as staff: never on
/// their own (they see it only as its applicant does).
pub fn manager_may_act_on(applicant: UserId, manager: UserId) -> bool {
    applicant != manager
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn applicants_open_only_their_own_and_never_letters() {
        let (u7, u8) = (UserId(7), UserId(8));
        assert!(applicant_may_open(u7, u7));
        assert!(!applicant_may_open(u7, u8));
        assert!(applicant_may_download(Some(u7), DocumentKind::Upload, u7));
        assert!(!applicant_may_download(Some(u7), DocumentKind::Upload, u8));
        assert!(!applicant_may_download(Some(u7), DocumentKind::Letter, u7));
        assert!(!applicant_may_download(None, DocumentKind::Letter, u7));
    }

    #[test]
    fn managers_never_act_on_their_own_application() {
        assert!(manager_may_act_on(UserId(7), UserId(8)));
        assert!(!manager_may_act_on(UserId(7), UserId(7)));
    }
}
