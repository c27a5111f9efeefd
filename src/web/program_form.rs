//! The program details form, shared by the admin's pages (with the short
//! name) and the manager's (without): the fields as posted, and the view
//! that shows them, stored or as typed, with their mistakes.

use rocket::FromForm;
use serde::Serialize;

use crate::domain::program::{Program, ProgramInput, ProgramKind};
use crate::web::page::FormErrors;

/// The form as posted.
#[derive(FromForm)]
pub struct ProgramForm {
    #[field(default = String::new())]
    pub name: String,
    /// Absent from a manager's form.
    pub slug: Option<String>,
    #[field(default = String::new())]
    pub kind: String,
    #[field(default = String::new())]
    pub description: String,
    #[field(default = String::new())]
    pub eligibility: String,
    #[field(default = String::new())]
    pub contact_email: String,
    #[field(default = String::new())]
    pub visibility: String,
}

impl ProgramForm {
    /// The use case's input.
    pub fn input(&self) -> ProgramInput<'_> {
        ProgramInput {
            name: &self.name,
            slug: self.slug.as_deref(),
            kind: &self.kind,
            description: &self.description,
            eligibility: &self.eligibility,
            contact_email: &self.contact_email,
            visibility: &self.visibility,
        }
    }
}

/// One radio of a group.
#[derive(Serialize)]
pub struct Choice {
    value: &'static str,
    label: &'static str,
    checked: bool,
}

#[derive(Serialize, Default)]
struct Values {
    name: String,
    slug: String,
    description: String,
    eligibility: String,
    contact_email: String,
}

/// The form on a page: values, the kind and listing choices, mistakes.
#[derive(Serialize)]
pub struct FormView {
    values: Values,
    kinds: Vec<Choice>,
    visibility: Vec<Choice>,
    /// Whether the short name is a field (admins only).
    slug_editable: bool,
    pub errors: FormErrors,
}

impl FormView {
    fn build(values: Values, kind: &str, visibility: &str, slug_editable: bool) -> Self {
        Self {
            values,
            kinds: ProgramKind::ALL
                .iter()
                .map(|k| Choice {
                    value: k.as_str(),
                    label: k.label(),
                    checked: k.as_str() == kind,
                })
                .collect(),
            visibility: [
                ("public", "Public: listed on the home page"),
                (
                    "hidden",
                    "Hidden: not listed; its page is reached by its address only",
                ),
            ]
            .into_iter()
            .map(|(value, label)| Choice {
                value,
                label,
                checked: value == visibility,
            })
            .collect(),
            slug_editable,
            errors: FormErrors::default(),
        }
    }

    /// An empty form for a new program (listed, no kind chosen).
    pub fn blank() -> Self {
        Self::build(Values::default(), "", "public", true)
    }

    /// The form filled with `p` as stored.
    pub fn stored(p: &Program, slug_editable: bool) -> Self {
        let values = Values {
            name: p.name.clone(),
            slug: p.slug.clone(),
            description: p.description.clone(),
            eligibility: p.eligibility.clone(),
            contact_email: p.contact_email.clone(),
        };
        let visibility = if p.public { "public" } else { "hidden" };
        Self::build(values, p.kind.as_str(), visibility, slug_editable)
    }

    /// The form as typed, with its mistakes.
    pub fn typed(f: &ProgramForm, slug_editable: bool, errors: FormErrors) -> Self {
        let values = Values {
            name: f.name.clone(),
            slug: f.slug.clone().unwrap_or_default(),
            description: f.description.clone(),
            eligibility: f.eligibility.clone(),
            contact_email: f.contact_email.clone(),
        };
        Self {
            errors,
            ..Self::build(values, &f.kind, &f.visibility, slug_editable)
        }
    }
}

/// A program's cycle as its page lists it.
#[derive(Serialize)]
pub struct CycleLine {
    pub id: crate::domain::cycle::CycleId,
    pub name: String,
    pub opens: String,
    pub closes: String,
}

impl CycleLine {
    /// The line of a listed cycle, its times in its zone.
    pub fn of(c: crate::db::cycles::Listed) -> Self {
        let show = |at| {
            crate::domain::cycle::parse_zone(&c.time_zone)
                .map(|tz| crate::domain::cycle::show_in(tz, at))
                .unwrap_or_default()
        };
        Self {
            opens: show(c.opens_at),
            closes: show(c.closes_at),
            id: c.id,
            name: c.name,
        }
    }
}

/// A program's details as its pages show them.
#[derive(Serialize)]
pub struct Details {
    pub id: crate::domain::program::ProgramId,
    pub name: String,
    pub slug: String,
    pub kind: &'static str,
    pub public: bool,
    pub archived: bool,
}

impl Details {
    /// The details of `p`.
    pub fn of(p: &Program) -> Self {
        Self {
            id: p.id,
            name: p.name.clone(),
            slug: p.slug.clone(),
            kind: p.kind.label(),
            public: p.public,
            archived: p.is_archived(),
        }
    }
}
