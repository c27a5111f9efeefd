//! Programs: the fellowships, internships, award nominations and calls an
//! organisation runs, as data: their kinds, the short name in their
//! addresses, what applicants are told (description, eligibility, contact)
//! and whether they are listed, hidden or archived. Also what the public
//! pages say about a program's current call. Imports no rocket or sqlx.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::cycle::{Cycle, CyclePhase};
use super::email::EmailAddress;
use super::role::Roles;

super::id::id_type!(
    /// Database id of a program.
    ProgramId
);

/// What kind of opportunity a program offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ProgramKind {
    Fellowship,
    Internship,
    /// An award nomination: the account holder nominates someone else.
    Nomination,
    /// A call for abstracts or proposals.
    Call,
    Other,
}

impl ProgramKind {
    /// Every kind, in the order forms offer them.
    pub const ALL: [ProgramKind; 5] = [
        Self::Fellowship,
        Self::Internship,
        Self::Nomination,
        Self::Call,
        Self::Other,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Fellowship => "fellowship",
            Self::Internship => "internship",
            Self::Nomination => "nomination",
            Self::Call => "call",
            Self::Other => "other",
        }
    }

    /// Reads the stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The kind in plain words.
    pub fn label(self) -> &'static str {
        match self {
            Self::Fellowship => "Fellowship",
            Self::Internship => "Internship",
            Self::Nomination => "Award nomination",
            Self::Call => "Call for abstracts or proposals",
            Self::Other => "Other",
        }
    }

    /// The word on the button that starts an application: someone is
    /// nominated for an award, and applies to anything else.
    pub fn apply_verb(self) -> &'static str {
        match self {
            Self::Nomination => "Nominate",
            _ => "Apply",
        }
    }
}

/// A program, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Program {
    pub id: ProgramId,
    /// The short name in its addresses (`/programs/<slug>`).
    pub slug: String,
    pub name: String,
    pub kind: ProgramKind,
    pub description: String,
    /// Who may apply, in a few sentences.
    pub eligibility: String,
    /// The address shown to applicants; empty: the portal's own contact.
    pub contact_email: String,
    /// Listed on the home page; a hidden program's page is reachable by
    /// its address only.
    pub public: bool,
    /// When it was archived: not listed, no new applications or cycles.
    pub archived_at: Option<DateTime<Utc>>,
}

impl Program {
    /// Whether it is archived.
    pub fn is_archived(&self) -> bool {
        self.archived_at.is_some()
    }

    /// Whether it takes new applications and new cycles.
    pub fn takes_applications(&self) -> bool {
        !self.is_archived()
    }
}

/// Whether the user with `roles` may change program `id`'s details: an
/// admin, or a manager of that program.
pub fn may_edit(roles: &Roles, id: ProgramId) -> bool {
    roles.admin || roles.can_manage(id)
}

/// The most characters of a program's name.
pub const MAX_NAME: usize = 120;
/// The most characters of a description or an eligibility summary.
pub const MAX_TEXT: usize = 5000;

/// What is wrong with a program's details, each in the words shown next
/// to its field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProgramError {
    #[error("Enter the program’s name.")]
    NameEmpty,
    #[error("The name is too long (at most 120 characters).")]
    NameTooLong,
    #[error("Enter a short name for the program’s address.")]
    SlugEmpty,
    #[error("The short name must be 2 to 40 characters long.")]
    SlugLength,
    #[error("Use only lowercase letters, digits and hyphens in the short name, starting and ending with a letter or digit (for example social-mission-award).")]
    SlugCharacters,
    #[error("Another program already has the short name “{0}”. Choose another.")]
    SlugTaken(String),
    #[error("Choose the kind of program.")]
    Kind,
    #[error("The description is too long (at most 5000 characters).")]
    DescriptionTooLong,
    #[error("The eligibility summary is too long (at most 5000 characters).")]
    EligibilityTooLong,
    #[error("Enter the contact email address in the form name@example.org, or leave it empty to use the portal’s own.")]
    Contact,
    #[error("Choose whether the program is listed on the home page or hidden.")]
    Visibility,
}

/// Checks a short name for addresses: 2 to 40 lowercase letters, digits
/// and hyphens, starting and ending with a letter or digit.
pub fn parse_slug(input: &str) -> Result<String, ProgramError> {
    let s = input.trim();
    if s.is_empty() {
        return Err(ProgramError::SlugEmpty);
    }
    let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-';
    if !s.chars().all(allowed) || s.starts_with('-') || s.ends_with('-') {
        return Err(ProgramError::SlugCharacters);
    }
    if !(2..=40).contains(&s.len()) {
        return Err(ProgramError::SlugLength);
    }
    Ok(s.to_owned())
}

/// A program's details as a form gives them (text as typed).
#[derive(Debug, Clone, Copy, Default)]
pub struct ProgramInput<'a> {
    pub name: &'a str,
    /// `None` when the form has no short name field (a manager's).
    pub slug: Option<&'a str>,
    pub kind: &'a str,
    pub description: &'a str,
    pub eligibility: &'a str,
    pub contact_email: &'a str,
    /// `public` or `hidden`.
    pub visibility: &'a str,
}

/// A program's details, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgramFields {
    pub name: String,
    pub slug: Option<String>,
    pub kind: ProgramKind,
    pub description: String,
    pub eligibility: String,
    /// Lower-cased, or empty.
    pub contact_email: String,
    pub public: bool,
}

impl ProgramFields {
    /// Reads the form; each problem names its field.
    pub fn read(input: &ProgramInput<'_>) -> Result<Self, Vec<(&'static str, ProgramError)>> {
        let mut errors = Vec::new();
        let name = input.name.trim();
        if name.is_empty() {
            errors.push(("name", ProgramError::NameEmpty));
        } else if name.chars().count() > MAX_NAME {
            errors.push(("name", ProgramError::NameTooLong));
        }
        let slug = match input.slug.map(parse_slug) {
            Some(Err(e)) => {
                errors.push(("slug", e));
                None
            }
            Some(Ok(s)) => Some(s),
            None => None,
        };
        let kind = ProgramKind::parse(input.kind.trim());
        if kind.is_none() {
            errors.push(("kind", ProgramError::Kind));
        }
        let description = input.description.trim();
        if description.chars().count() > MAX_TEXT {
            errors.push(("description", ProgramError::DescriptionTooLong));
        }
        let eligibility = input.eligibility.trim();
        if eligibility.chars().count() > MAX_TEXT {
            errors.push(("eligibility", ProgramError::EligibilityTooLong));
        }
        let contact = match input.contact_email.trim() {
            "" => Some(String::new()),
            typed => EmailAddress::parse(typed)
                .ok()
                .map(|e| e.as_str().to_owned()),
        };
        if contact.is_none() {
            errors.push(("contact_email", ProgramError::Contact));
        }
        let public = match input.visibility {
            "public" => Some(true),
            "hidden" => Some(false),
            _ => None,
        };
        if public.is_none() {
            errors.push(("visibility", ProgramError::Visibility));
        }
        match (kind, contact, public) {
            (Some(kind), Some(contact_email), Some(public)) if errors.is_empty() => Ok(Self {
                name: name.to_owned(),
                slug,
                kind,
                description: description.to_owned(),
                eligibility: eligibility.to_owned(),
                contact_email,
                public,
            }),
            _ => Err(errors),
        }
    }

    /// What saving these details over `old` changes, one phrase per field
    /// in words ("kind: Fellowship → Award nomination"), for the audit log.
    pub fn changes_from(&self, old: &Program) -> Vec<String> {
        let mut out = Vec::new();
        let mut text = |what: &str, from: &str, to: &str| {
            if from != to {
                out.push(format!("{what}: “{from}” → “{to}”"));
            }
        };
        text("name", &old.name, &self.name);
        if let Some(slug) = &self.slug {
            text("short name", &old.slug, slug);
        }
        text("description", &old.description, &self.description);
        text("eligibility", &old.eligibility, &self.eligibility);
        text("contact email", &old.contact_email, &self.contact_email);
        if old.kind != self.kind {
            out.push(format!(
                "kind: {} → {}",
                old.kind.label(),
                self.kind.label()
            ));
        }
        if old.public != self.public {
            out.push(format!(
                "listing: {} → {}",
                listing(old.public),
                listing(self.public)
            ));
        }
        out
    }
}

/// Whether a program is listed, in words.
pub fn listing(public: bool) -> &'static str {
    if public {
        "public"
    } else {
        "hidden"
    }
}

/// Where a program's call stands, as the public pages say it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CallState {
    /// A cycle is open: apply until it closes.
    Open,
    /// The next cycle opens later.
    Upcoming,
    /// No cycle open or to come.
    NotAnnounced,
}

/// The state of a program's call given its current or next cycle (open
/// now, else the next to open) at `now`.
pub fn call_state(cycle: Option<&Cycle>, now: DateTime<Utc>) -> CallState {
    match cycle.map(|c| c.phase(now)) {
        Some(CyclePhase::Open) => CallState::Open,
        Some(CyclePhase::NotYetOpen) => CallState::Upcoming,
        Some(CyclePhase::Closed) | None => CallState::NotAnnounced,
    }
}

/// A program the portal seeds on an empty database.
pub struct ProgramSeed {
    pub slug: &'static str,
    pub name: &'static str,
    pub kind: ProgramKind,
    pub description: &'static str,
}

/// The three programs of the health-equity alliance, seeded on first start.
pub const SEEDED_PROGRAMS: [ProgramSeed; 3] = [
    ProgramSeed {
        slug: "health-justice",
        name: "Health Justice Fellowship",
        kind: ProgramKind::Fellowship,
        description: "A year-long fellowship for students in medicine, nursing, public health and the other \
                      health professions who want to tackle the structural causes of health inequity, with \
                      mentoring, a community project and a national cohort.",
    },
    ProgramSeed {
        slug: "voices-for-change",
        name: "Voices for Change Fellowship",
        kind: ProgramKind::Fellowship,
        description: "A fellowship in advocacy and storytelling: fellows learn to turn patients' and \
                      communities' experiences into testimony, writing and media that move health policy.",
    },
    ProgramSeed {
        slug: "summer-internship",
        name: "Summer Internship Program",
        kind: ProgramKind::Internship,
        description: "A paid summer internship with a community health organisation or policy team, for \
                      students exploring a career in health equity.",
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::cycle::CycleId;
    use crate::domain::role::{Grant, ProgramRole};
    use chrono::{Duration, TimeZone};

    fn input() -> ProgramInput<'static> {
        ProgramInput {
            name: " Social Mission Award ",
            slug: Some("social-mission"),
            kind: "nomination",
            description: "Honours a graduate.",
            eligibility: "Nominees work in health.",
            contact_email: "Awards@Alliance.example",
            visibility: "hidden",
        }
    }

    #[test]
    fn kinds_read_back_their_stored_names() {
        for k in ProgramKind::ALL {
            assert_eq!(ProgramKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(ProgramKind::parse("award"), None);
        assert_eq!(ProgramKind::Nomination.apply_verb(), "Nominate");
        assert_eq!(ProgramKind::Call.apply_verb(), "Apply");
    }

    #[test]
    fn short_names_are_lowercase_words_with_hyphens() {
        assert_eq!(
            parse_slug(" social-mission-2027 "),
            Ok("social-mission-2027".into())
        );
        assert_eq!(parse_slug("ab"), Ok("ab".into()));
        assert_eq!(parse_slug(""), Err(ProgramError::SlugEmpty));
        assert_eq!(parse_slug("a"), Err(ProgramError::SlugLength));
        assert_eq!(parse_slug(&"a".repeat(41)), Err(ProgramError::SlugLength));
        for bad in [
            "Social",
            "social mission",
            "-social",
            "social-",
            "sócial",
            "a/b",
        ] {
            assert_eq!(parse_slug(bad), Err(ProgramError::SlugCharacters), "{bad}");
        }
    }

    #[test]
    fn a_good_form_reads_with_the_contact_lowercased() {
        let f = ProgramFields::read(&input()).unwrap();
        assert_eq!(f.name, "Social Mission Award");
        assert_eq!(f.kind, ProgramKind::Nomination);
        assert_eq!(f.contact_email, "awards@alliance.example");
        assert!(!f.public);
        let empty_contact = ProgramInput {
            contact_email: " ",
            ..input()
        };
        assert_eq!(
            ProgramFields::read(&empty_contact).unwrap().contact_email,
            ""
        );
    }

    #[test]
    fn each_mistake_names_its_field() {
        let bad = ProgramInput {
            name: "  ",
            slug: Some("Bad Name"),
            kind: "award",
            description: "",
            eligibility: "",
            contact_email: "not-an-address",
            visibility: "",
        };
        let fields: Vec<&str> = ProgramFields::read(&bad)
            .unwrap_err()
            .into_iter()
            .map(|(f, _)| f)
            .collect();
        assert_eq!(
            fields,
            ["name", "slug", "kind", "contact_email", "visibility"]
        );
    }

    fn stored() -> Program {
        Program {
            id: ProgramId(4),
            slug: "social-mission".into(),
            name: "Social Mission Award".into(),
            kind: ProgramKind::Fellowship,
            description: "Honours a graduate.".into(),
            eligibility: "Nominees work in health.".into(),
            contact_email: "awards@alliance.example".into(),
            public: true,
            archived_at: None,
        }
    }

    #[test]
    fn changes_are_told_in_words_from_old_to_new() {
        let f = ProgramFields::read(&input()).unwrap();
        assert_eq!(
            f.changes_from(&stored()),
            [
                "kind: Fellowship → Award nomination",
                "listing: public → hidden"
            ]
        );
        let same = ProgramFields {
            kind: ProgramKind::Fellowship,
            public: true,
            ..f
        };
        assert!(same.changes_from(&stored()).is_empty());
    }

    #[test]
    fn admins_and_the_programs_managers_may_edit_it() {
        let manager = Roles {
            admin: false,
            grants: vec![Grant {
                program_id: ProgramId(4),
                role: ProgramRole::Manager,
            }],
        };
        assert!(may_edit(&manager, ProgramId(4)));
        assert!(!may_edit(&manager, ProgramId(5)));
        let admin = Roles {
            admin: true,
            grants: vec![],
        };
        assert!(may_edit(&admin, ProgramId(5)));
    }

    #[test]
    fn the_call_is_open_upcoming_or_not_announced() {
        let opens = Utc.with_ymd_and_hms(2027, 1, 10, 5, 0, 0).unwrap();
        let c = Cycle {
            id: CycleId(1),
            program_id: ProgramId(4),
            name: "2027".into(),
            time_zone: chrono_tz::America::New_York,
            opens_at: opens,
            closes_at: opens + Duration::days(30),
            letters_due_at: opens + Duration::days(40),
            letters_grace: Duration::days(3),
            decision_planned_at: opens + Duration::days(90),
            blind_review: false,
            published: true,
        };
        assert_eq!(
            call_state(Some(&c), opens - Duration::days(1)),
            CallState::Upcoming
        );
        assert_eq!(call_state(Some(&c), opens), CallState::Open);
        assert_eq!(
            call_state(Some(&c), opens + Duration::days(30)),
            CallState::NotAnnounced
        );
        assert_eq!(call_state(None, opens), CallState::NotAnnounced);
    }
}
