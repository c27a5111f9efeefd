//! Programs: the fellowships and internships an organisation runs.

use serde::Serialize;

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
}

impl ProgramKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Fellowship => "fellowship",
            Self::Internship => "internship",
        }
    }

    /// Reads the stored name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "fellowship" => Some(Self::Fellowship),
            "internship" => Some(Self::Internship),
            _ => None,
        }
    }
}

/// A program as listed on the home page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Program {
    pub id: ProgramId,
    pub slug: String,
    pub name: String,
    pub kind: ProgramKind,
    pub description: String,
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
