//! A question's page in the builder (new or changed), with every field of
//! its type. It saves through [`super::apply`] and, on a mistake, is shown
//! again with what was typed and the message next to its field.

use rocket::form::Form;
use rocket::{get, post, routes, FromForm, Route, State};
use rocket_dyn_templates::Template;
use serde::Serialize;

use super::{apply, kind_label, kinds, Answer, KindOption};
use crate::app::forms;
use crate::auth::guards::Manager;
use crate::context::Ctx;
use crate::domain::cycle::CycleId;
use crate::domain::form::{DocumentType, FormDefinition, QuestionKind, MAX_DOCUMENT_MB};
use crate::domain::form_edit::{Edit, QuestionDraft};
use crate::web::page::{invalid, render, Chrome, ClientIp, FormErrors};
use crate::web::{Error, Result};

/// The question pages' routes.
pub fn routes() -> Vec<Route> {
    routes![new_question, add_question, edit_question, save_question]
}

#[derive(Serialize)]
struct Opt {
    value: String,
    label: String,
    selected: bool,
}

/// The typed values of a question, as the page shows them.
#[derive(Serialize, Default)]
struct Values {
    kind: String,
    label: String,
    help: String,
    required: bool,
    key: String,
    max_chars: String,
    max_words: String,
    min: String,
    max: String,
    integer: bool,
    choices: String,
    max_mb: String,
    show_if_values: String,
    identifying: bool,
    shown_to_reviewers: bool,
}

#[derive(Serialize)]
struct QuestionPage {
    cycle_id: CycleId,
    cycle_name: String,
    version: i64,
    action: String,
    is_new: bool,
    section_title: String,
    kind_label: &'static str,
    kinds: Vec<KindOption>,
    values: Values,
    key_fixed: bool,
    earlier: Vec<Opt>,
    /// Each earlier question with the answers it offers, for the hint.
    earlier_answers: Vec<String>,
    doc_types: Vec<Opt>,
    max_mb_cap: u64,
    has_chars: bool,
    has_words: bool,
    has_choices: bool,
    has_number: bool,
    has_choice_limits: bool,
    has_document: bool,
    has_referees: bool,
    errors: FormErrors,
}

fn values(d: &QuestionDraft) -> Values {
    Values {
        kind: d.kind.clone(),
        label: d.label.clone(),
        help: d.help.clone(),
        required: d.required,
        key: d.key.clone(),
        max_chars: d.max_chars.clone(),
        max_words: d.max_words.clone(),
        min: d.min.clone(),
        max: d.max.clone(),
        integer: d.integer,
        choices: d.choices.clone(),
        max_mb: d.max_mb.clone(),
        show_if_values: d.show_if_values.clone(),
        identifying: d.identifying,
        shown_to_reviewers: d.shown_to_reviewers,
    }
}

/// Where a question is: its section's key and title, and the keys of the
/// questions before it (for a new one, every question up to its section's
/// end).
fn place(
    form: &FormDefinition,
    section: &str,
    key: Option<&str>,
) -> Option<(String, String, Vec<String>)> {
    let mut before = Vec::new();
    for s in &form.sections {
        for q in &s.questions {
            if Some(q.key.as_str()) == key {
                return Some((s.key.clone(), s.title.clone(), before));
            }
            before.push(q.key.clone());
        }
        if key.is_none() && s.key == section {
            return Some((s.key.clone(), s.title.clone(), before));
        }
    }
    None
}

#[expect(clippy::too_many_arguments, reason = "the page has this many parts")]
async fn question_page(
    ctx: &Ctx,
    who: &Manager,
    id: CycleId,
    section: &str,
    original: Option<&str>,
    draft: QuestionDraft,
    show_if_question: &str,
    errors: FormErrors,
) -> Result<(String, QuestionPage)> {
    let c = crate::app::access::cycle_for_manager(ctx, who, id).await?;
    let b = forms::builder(ctx, who, id).await?;
    let (section_key, section_title, before) =
        place(&b.form, section, original).ok_or(Error::NotFound)?;
    let with_answers: Vec<&crate::domain::form::Question> = before
        .iter()
        .filter_map(|k| b.form.question(k))
        .filter(|q| {
            matches!(q.kind, QuestionKind::YesNo | QuestionKind::Consent)
                || !q.kind.options().is_empty()
        })
        .collect();
    let earlier = with_answers
        .iter()
        .map(|q| Opt {
            value: q.key.clone(),
            label: q.label.clone(),
            selected: q.key == show_if_question,
        })
        .collect();
    let earlier_answers = with_answers
        .iter()
        .map(|q| {
            let offered = match &q.kind {
                QuestionKind::YesNo => "Yes, No".to_owned(),
                QuestionKind::Consent => "Ticked".to_owned(),
                k => k
                    .options()
                    .iter()
                    .map(|o| o.label.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            };
            format!("{}: {offered}", q.label)
        })
        .collect();
    let doc_types = [
        DocumentType::Pdf,
        DocumentType::Docx,
        DocumentType::Png,
        DocumentType::Jpeg,
    ]
    .iter()
    .map(|t| Opt {
        value: t.as_str().into(),
        label: t.label().into(),
        selected: draft.accepted.iter().any(|a| a == t.as_str()),
    })
    .collect();
    let kind = draft.kind.as_str();
    let key_fixed = original.is_some_and(|k| b.answered.contains(k));
    let action = match original {
        Some(k) => format!("/manage/cycles/{id}/form/questions/{k}"),
        None => format!("/manage/cycles/{id}/form/sections/{section_key}/questions"),
    };
    Ok((
        c.cycle.name.clone(),
        QuestionPage {
            cycle_id: id,
            cycle_name: c.cycle.name,
            version: b.version,
            action,
            is_new: original.is_none(),
            section_title,
            kind_label: kind_label(kind),
            kinds: kinds(),
            key_fixed,
            earlier,
            earlier_answers,
            doc_types,
            max_mb_cap: MAX_DOCUMENT_MB,
            has_chars: matches!(kind, "short_text" | "long_text"),
            has_words: matches!(kind, "short_text" | "long_text"),
            has_choices: matches!(kind, "single_choice" | "multiple_choice"),
            has_number: kind == "number",
            has_choice_limits: kind == "multiple_choice",
            has_document: kind == "document",
            has_referees: kind == "referees",
            values: values(&draft),
            errors,
        },
    ))
}

fn title(page: &QuestionPage, name: &str) -> String {
    if page.is_new {
        format!("New question – {name}")
    } else {
        format!("Question “{}” – {name}", page.values.label)
    }
}

/// A question page, as typed.
#[derive(FromForm)]
struct QuestionForm {
    #[field(default = String::new())]
    based_on: String,
    #[field(default = String::new())]
    kind: String,
    #[field(default = String::new())]
    label: String,
    #[field(default = String::new())]
    help: String,
    #[field(default = false)]
    required: bool,
    #[field(default = String::new())]
    key: String,
    #[field(default = String::new())]
    max_chars: String,
    #[field(default = String::new())]
    max_words: String,
    #[field(default = String::new())]
    min: String,
    #[field(default = String::new())]
    max: String,
    #[field(default = false)]
    integer: bool,
    #[field(default = String::new())]
    choices: String,
    #[field(default = Vec::new())]
    accepted: Vec<String>,
    #[field(default = String::new())]
    max_mb: String,
    #[field(default = String::new())]
    show_if_question: String,
    #[field(default = String::new())]
    show_if_values: String,
    #[field(default = false)]
    identifying: bool,
    #[field(default = false)]
    shown_to_reviewers: bool,
}

impl From<&QuestionForm> for QuestionDraft {
    fn from(f: &QuestionForm) -> Self {
        Self {
            kind: f.kind.clone(),
            label: f.label.clone(),
            help: f.help.clone(),
            required: f.required,
            key: f.key.clone(),
            max_chars: f.max_chars.clone(),
            max_words: f.max_words.clone(),
            min: f.min.clone(),
            max: f.max.clone(),
            integer: f.integer,
            choices: f.choices.clone(),
            accepted: f.accepted.clone(),
            max_mb: f.max_mb.clone(),
            show_if_question: f.show_if_question.clone(),
            show_if_values: f.show_if_values.clone(),
            identifying: f.identifying,
            shown_to_reviewers: f.shown_to_reviewers,
        }
    }
}

#[get("/cycles/<id>/form/sections/<section>/questions/new?<kind>")]
async fn new_question(
    who: Manager,
    ctx: &State<Ctx>,
    chrome: Chrome,
    id: CycleId,
    section: &str,
    kind: Option<&str>,
) -> Result<Template> {
    let kind = kind.filter(|k| crate::domain::form_edit::KINDS.iter().any(|(v, _)| v == k));
    let draft = QuestionDraft {
        kind: kind.unwrap_or("short_text").to_owned(),
        shown_to_reviewers: true,
        max_mb: if kind == Some("document") {
            "5".into()
        } else {
            String::new()
        },
        accepted: if kind == Some("document") {
            vec!["pdf".into()]
        } else {
            vec![]
        },
        ..QuestionDraft::default()
    };
    let (name, page) = question_page(
        ctx,
        &who,
        id,
        section,
        None,
        draft,
        "",
        FormErrors::default(),
    )
    .await?;
    Ok(render(
        "manage/form_question",
        &chrome,
        &title(&page, &name),
        page,
    ))
}

#[post("/cycles/<id>/form/sections/<section>/questions", data = "<form>")]
async fn add_question(
    who: Manager,
    ctx: &State<Ctx>,
    chrome: Chrome,
    ip: ClientIp,
    id: CycleId,
    section: &str,
    form: Form<QuestionForm>,
) -> Result<Answer> {
    let draft = QuestionDraft::from(&*form);
    let edit = Edit::SaveQuestion {
        section: section.to_owned(),
        original: None,
        draft: draft.clone(),
    };
    let again = |errors: FormErrors| async {
        let (name, page) = question_page(
            ctx,
            &who,
            id,
            section,
            None,
            draft,
            &form.show_if_question,
            errors,
        )
        .await?;
        Ok(invalid(
            "manage/form_question",
            &chrome,
            &title(&page, &name),
            page,
        ))
    };
    apply(
        ctx,
        &who,
        &ip,
        &chrome,
        id,
        &form.based_on,
        edit,
        false,
        Some(again),
    )
    .await
}

#[get("/cycles/<id>/form/questions/<key>?<kind>")]
async fn edit_question(
    who: Manager,
    ctx: &State<Ctx>,
    chrome: Chrome,
    id: CycleId,
    key: &str,
    kind: Option<&str>,
) -> Result<Template> {
    let b = forms::builder(ctx, &who, id).await?;
    let q = b.form.question(key).ok_or(Error::NotFound)?;
    let mut draft = QuestionDraft::of(q);
    if let Some(k) = kind.filter(|k| crate::domain::form_edit::KINDS.iter().any(|(v, _)| v == k)) {
        draft.kind = k.to_owned();
    }
    let on = draft.show_if_question.clone();
    let (name, page) = question_page(
        ctx,
        &who,
        id,
        "",
        Some(key),
        draft,
        &on,
        FormErrors::default(),
    )
    .await?;
    Ok(render(
        "manage/form_question",
        &chrome,
        &title(&page, &name),
        page,
    ))
}

#[post("/cycles/<id>/form/questions/<key>", data = "<form>")]
async fn save_question(
    who: Manager,
    ctx: &State<Ctx>,
    chrome: Chrome,
    ip: ClientIp,
    id: CycleId,
    key: &str,
    form: Form<QuestionForm>,
) -> Result<Answer> {
    let draft = QuestionDraft::from(&*form);
    let edit = Edit::SaveQuestion {
        section: String::new(),
        original: Some(key.to_owned()),
        draft: draft.clone(),
    };
    let again = |errors: FormErrors| async {
        let (name, page) = question_page(
            ctx,
            &who,
            id,
            "",
            Some(key),
            draft,
            &form.show_if_question,
            errors,
        )
        .await?;
        Ok(invalid(
            "manage/form_question",
            &chrome,
            &title(&page, &name),
            page,
        ))
    };
    apply(
        ctx,
        &who,
        &ip,
        &chrome,
        id,
        &form.based_on,
        edit,
        false,
        Some(again),
    )
    .await
}
