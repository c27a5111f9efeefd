//! The program details form, shared by the admin's pages (with the short
//! name) and the manager's (without): the fields as posted, the view that
//! shows them, stored or as typed, with their mistakes, and the program's
//! page with its cycles, shown and saved the same way for both.

use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use rocket::FromForm;
use rocket_dyn_templates::Template;
use serde::Serialize;

use crate::app::{self, programs};
use crate::auth::guards::CurrentUser;
use crate::context::Ctx;
use crate::db::cycles;
use crate::domain::program::{Program, ProgramId, ProgramInput, ProgramKind};
use crate::web::page::{invalid, render, Chrome, ClientIp, FormErrors};
use crate::web::Result;

/// Whose page of a program: the admin's (with the short name) or its
/// managers'.
#[derive(Clone, Copy)]
pub struct Editor {
    /// The page's template.
    pub template: &'static str,
    /// Where the program's pages are, before its id.
    pub base: &'static str,
    /// Whether the short name may be changed.
    pub slug_editable: bool,
}

/// A program's page: its details, the form to edit them, its cycles.
#[derive(Serialize)]
struct ProgramPage {
    program: Details,
    form: FormView,
    errors: FormErrors,
    cycles: Vec<CycleLine>,
}

async fn program_page(
    ctx: &Ctx,
    who: &CurrentUser,
    id: ProgramId,
    form: impl FnOnce(&Program) -> FormView,
) -> Result<ProgramPage> {
    let p = programs::program_for_editor(ctx, who, id).await?;
    let mut conn = ctx.conn().await?;
    let cycles = cycles::for_programs(conn.exec(), &[id])
        .await?
        .into_iter()
        .map(CycleLine::of)
        .collect();
    let form = form(&p);
    Ok(ProgramPage {
        program: Details::of(&p),
        errors: form.errors.clone(),
        form,
        cycles,
    })
}

/// Program `id`'s page for `who` (404 unless they may edit it).
pub async fn show(
    ctx: &Ctx,
    who: &CurrentUser,
    chrome: &Chrome,
    id: ProgramId,
    editor: Editor,
) -> Result<Template> {
    let page = program_page(ctx, who, id, |p| FormView::stored(p, editor.slug_editable)).await?;
    let title = page.program.name.clone();
    Ok(render(editor.template, chrome, &title, page))
}

/// Saves program `id`'s details as posted: back to its page with what was
/// done, or the page again with each mistake next to its field.
pub async fn save(
    ctx: &Ctx,
    who: &CurrentUser,
    ip: &ClientIp,
    chrome: &Chrome,
    id: ProgramId,
    form: &ProgramForm,
    editor: Editor,
) -> Result<std::result::Result<Flash<Redirect>, (Status, Template)>> {
    let back = Redirect::to(format!("{}/{id}", editor.base));
    match programs::edit(ctx, who, ip, id, &form.input()).await {
        Ok((p, true)) => Ok(Ok(Flash::success(
            back,
            format!("The {} is saved.", p.name),
        ))),
        Ok((_, false)) => Ok(Ok(Flash::success(back, "Nothing was changed."))),
        Err(app::Error::Invalid(errors)) => {
            let page = program_page(ctx, who, id, |_| {
                FormView::typed(form, editor.slug_editable, errors)
            })
            .await?;
            let title = page.program.name.clone();
            Ok(Err(invalid(editor.template, chrome, &title, page)))
        }
        Err(e) => Err(e.into()),
    }
}

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
