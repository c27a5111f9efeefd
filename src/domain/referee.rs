//! Where a referee request stands: asked, answered with a letter, or
//! declined by the referee.

use serde::Serialize;

/// The state of a referee request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestStatus {
    /// Asked; the referee has not answered.
    Requested,
    /// The letter arrived.
    Received,
    /// The referee said they cannot write.
    Declined,
}

impl RequestStatus {
    /// Every state, in the order a request moves through them.
    pub const ALL: [Self; 3] = [Self::Requested, Self::Received, Self::Declined];

    /// The stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Requested => "requested",
            Self::Received => "received",
            Self::Declined => "declined",
        }
    }

    /// Reads the stored form.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// The words shown to the applicant and the staff.
    pub fn label(self) -> &'static str {
        match self {
            Self::Requested => "Requested",
            Self::Received => "Letter received",
            Self::Declined => "Declined to write",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_reads_back_from_its_stored_form() {
        for s in RequestStatus::ALL {
            assert_eq!(RequestStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(RequestStatus::parse("lost"), None);
    }
}
