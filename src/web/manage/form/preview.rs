//! The preview of a cycle's current form: the applicant's own pages (the
//! eligibility questions, then each section), drawn by the applicant's
//! templates from the same question views, under a banner saying nothing
//! typed is saved, with no working submit.

use std::collections::BTreeMap;

use rocket::{get, routes, Route, State};
use rocket_dyn_templates::Template;
use serde::Serialize;

use crate::auth::guards::Manager;
use crate::context::Ctx;
use crate::domain::cycle::{CycleId, CyclePhase};
use crate::domain::form::Answers;
use crate::web::apply::view;
use crate::web::page::{render, Chrome, FormErrors};
use crate::web::{Error, Result};

/// The routes of this part of the builder.
pub fn routes() -> Vec<Route> {
    routes![preview_start, preview_section]
}

#[derive(Serialize)]
struct EligibilityQuestionView {
    key: String,
    label: String,
    help: Option<String>,
    options: Vec<(String, String, bool)>,
    error: Option<String>,
}

/// The fields of the applicant's start page, and the preview's own.
#[derive(Serialize)]
struct StartPreview {
    preview: bool,
    builder: String,
    first_section: Option<String>,
    cycle_id: CycleId,
    program_name: String,
    cycle_name: String,
    description: String,
    opens: String,
    closes: String,
    decisions_expected: String,
    phase: CyclePhase,
    questions: Vec<EligibilityQuestionView>,
    errors: FormErrors,
    ineligible: Vec<String>,
}

#[derive(Serialize)]
struct SectionLink {
    key: String,
    title: String,
    current: bool,
}

/// The fields of the applicant's section page, and the preview's own.
#[derive(Serialize)]
struct SectionPreview {
    preview: bool,
    builder: String,
    preview_base: String,
    application_id: i64,
    program_name: String,
    cycle_name: String,
    closes: String,
    section_key: String,
    section_title: String,
    intro: Option<String>,
    sections: Vec<SectionLink>,
    questions: Vec<view::QuestionView>,
    errors: FormErrors,
    has_files: bool,
    is_last: bool,
}

#[get("/cycles/<id>/form/preview")]
async fn preview_start(
    who: Manager,
    ctx: &State<Ctx>,
    chrome: Chrome,
    id: CycleId,
) -> Result<Template> {
    let c = crate::app::access::cycle_for_manager(ctx, &who, id).await?;
    let program = {
        let mut conn = ctx.conn().await?;
        crate::db::programs::find(conn.exec(), c.cycle.program_id)
            .await?
            .ok_or(Error::NotFound)?
    };
    let page = StartPreview {
        preview: true,
        builder: format!("/manage/cycles/{id}/form"),
        first_section: c.form.sections.first().map(|s| s.key.clone()),
        cycle_id: id,
        program_name: program.name.clone(),
        cycle_name: c.cycle.name.clone(),
        description: program.description,
        opens: c.cycle.show(c.cycle.opens_at),
        closes: c.cycle.show(c.cycle.closes_at),
        decisions_expected: c.cycle.show(c.cycle.decision_planned_at),
        phase: CyclePhase::Open,
        questions: c
            .form
            .eligibility
            .iter()
            .map(|q| EligibilityQuestionView {
                key: q.key.clone(),
                label: q.label.clone(),
                help: q.help.clone(),
                options: q
                    .options
                    .iter()
                    .map(|o| (o.value.clone(), o.label.clone(), false))
                    .collect(),
                error: None,
            })
            .collect(),
        errors: FormErrors::default(),
        ineligible: vec![],
    };
    let title = format!("Preview: apply to the {}", program.name);
    Ok(render("apply/start", &chrome, &title, page))
}

#[get("/cycles/<id>/form/preview/<key>")]
async fn preview_section(
    who: Manager,
    ctx: &State<Ctx>,
    chrome: Chrome,
    id: CycleId,
    key: &str,
) -> Result<Template> {
    let c = crate::app::access::cycle_for_manager(ctx, &who, id).await?;
    let program = {
        let mut conn = ctx.conn().await?;
        crate::db::programs::find(conn.exec(), c.cycle.program_id)
            .await?
            .ok_or(Error::NotFound)?
    };
    let form = &c.form;
    let at = form
        .sections
        .iter()
        .position(|s| s.key == key)
        .ok_or(Error::NotFound)?;
    let section = &form.sections[at];
    let answers = Answers::new();
    let none = BTreeMap::new();
    let errors = BTreeMap::new();
    let vctx = view::Context {
        form,
        answers: &answers,
        documents: &none,
        reusable: &[],
        referees: &[],
        errors: &errors,
    };
    let page = SectionPreview {
        preview: true,
        builder: format!("/manage/cycles/{id}/form"),
        preview_base: format!("/manage/cycles/{id}/form/preview"),
        application_id: 0,
        program_name: program.name,
        cycle_name: c.cycle.name.clone(),
        closes: c.cycle.show(c.cycle.closes_at),
        section_key: section.key.clone(),
        section_title: section.title.clone(),
        intro: section.intro.clone(),
        sections: form
            .sections
            .iter()
            .map(|s| SectionLink {
                key: s.key.clone(),
                title: s.title.clone(),
                current: s.key == section.key,
            })
            .collect(),
        questions: view::section(section, &vctx),
        errors: FormErrors::default(),
        has_files: false,
        is_last: at + 1 == form.sections.len(),
    };
    let title = format!("Preview: {}", section.title);
    Ok(render("apply/section", &chrome, &title, page))
}
