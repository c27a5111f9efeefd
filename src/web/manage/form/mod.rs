//! The form builder, without JavaScript: `/manage/cycles/<id>/form` lists
//! the eligibility questions and the sections with their questions; each
//! change (add, edit, move, remove) is one small POST carrying the form
//! version it was made on, then a redirect back with a notice. A change
//! that would invalidate submitted answers gets a confirmation page
//! first ([`transfer`]). Question, eligibility and section pages are in
//! [`question`], [`eligibility`] and [`section`]; export, import and the
//! confirmation in [`transfer`]; the preview in [`preview`].
//! Every change is `app::forms::change`.

mod eligibility;
mod preview;
mod question;
mod section;
mod transfer;

use rocket::form::Form;
use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use rocket::{get, post, routes, FromForm, Route, State};
use rocket_dyn_templates::Template;
use serde::Serialize;

use crate::app;
use crate::app::forms::{self, Outcome};
use crate::auth::guards::Manager;
use crate::context::Ctx;
use crate::domain::answers::answer_text;
use crate::domain::cycle::CycleId;
use crate::domain::form::{FormDefinition, Question, QuestionKind};
use crate::domain::form_edit::{Direction, Edit, KINDS};
use crate::web::page::{invalid, render, Chrome, ClientIp, FormErrors};
use crate::web::Result;

/// Routes of the builder, mounted under `/manage`.
pub fn routes() -> Vec<Route> {
    let mut all = routes![
        show_form,
        add_section,
        move_section,
        remove_section,
        move_question,
        remove_question,
        move_eligibility,
        remove_eligibility,
    ];
    all.extend(question::routes());
    all.extend(eligibility::routes());
    all.extend(section::routes());
    all.extend(transfer::routes());
    all.extend(preview::routes());
    all
}

/// The builder's address.
fn builder(id: CycleId) -> Redirect {
    Redirect::to(format!("/manage/cycles/{id}/form"))
}

/// The name of a question type for people.
pub(super) fn kind_label(name: &str) -> &'static str {
    KINDS
        .iter()
        .find(|(k, _)| *k == name)
        .map_or("Question", |(_, l)| l)
}

#[derive(Serialize)]
struct KindOption {
    value: &'static str,
    label: &'static str,
}

fn kinds() -> Vec<KindOption> {
    KINDS
        .iter()
        .map(|(value, label)| KindOption { value, label })
        .collect()
}

#[derive(Serialize)]
struct QuestionRow {
    key: String,
    label: String,
    kind: &'static str,
    required: bool,
    details: String,
    condition: Option<String>,
    answered: bool,
    first: bool,
    last: bool,
}

#[derive(Serialize)]
struct SectionRow {
    key: String,
    title: String,
    intro: Option<String>,
    questions: Vec<QuestionRow>,
    first: bool,
    last: bool,
}

#[derive(Serialize)]
struct EligibilityRow {
    key: String,
    label: String,
    options: String,
    eligible: String,
    first: bool,
    last: bool,
}

#[derive(Serialize)]
struct VersionRow {
    number: i64,
    by: String,
    when: String,
    summary: String,
}

#[derive(Serialize, Default)]
struct SectionValues {
    title: String,
    intro: String,
}

#[derive(Serialize)]
struct BuilderPage {
    cycle_id: CycleId,
    cycle_name: String,
    version: i64,
    eligibility: Vec<EligibilityRow>,
    sections: Vec<SectionRow>,
    kinds: Vec<KindOption>,
    versions: Vec<VersionRow>,
    values: SectionValues,
    errors: FormErrors,
}

/// What a question's limits and choices are, in a few words.
fn details(q: &Question) -> String {
    let labels = |o: &[crate::domain::form::Choice]| {
        o.iter()
            .map(|c| c.label.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    match &q.kind {
        QuestionKind::ShortText {
            max_chars,
            max_words,
        } => match max_words {
            Some(w) => format!("up to {w} words, {max_chars} characters"),
            None => format!("up to {max_chars} characters"),
        },
        QuestionKind::LongText {
            max_words,
            max_chars,
        } => match (max_words, max_chars) {
            (Some(w), Some(c)) => format!("up to {w} words, {c} characters"),
            (Some(w), None) => format!("up to {w} words"),
            (None, Some(c)) => format!("up to {c} characters"),
            (None, None) => String::new(),
        },
        QuestionKind::SingleChoice { options } => labels(options),
        QuestionKind::MultipleChoice { options, max, .. } => match max {
            Some(m) => format!("{} (at most {m})", labels(options)),
            None => labels(options),
        },
        QuestionKind::Document { accepted, max_mb } => format!(
            "{}, up to {max_mb} MiB",
            crate::domain::document::describe_accepted(accepted)
        ),
        QuestionKind::Referees { min, max } => format!("{min} to {max} referees"),
        _ => String::new(),
    }
}

/// "Shown only if …" for a question with a condition.
pub(super) fn condition_text(form: &FormDefinition, q: &Question) -> Option<String> {
    let c = q.show_if.as_ref()?;
    let parent = form.question(&c.question);
    let label = parent.map_or(c.question.as_str(), |p| p.label.as_str());
    let values: Vec<String> = c
        .any_of
        .iter()
        .map(|v| {
            let text = parent
                .map(|p| answer_text(p, Some(&crate::domain::form::Answer::One(v.clone()))))
                .unwrap_or_else(|| v.clone());
            format!("“{text}”")
        })
        .collect();
    Some(format!(
        "Shown only if “{label}” is {}",
        values.join(" or ")
    ))
}

async fn builder_page(
    ctx: &Ctx,
    who: &Manager,
    id: CycleId,
    values: SectionValues,
    errors: FormErrors,
) -> Result<(String, BuilderPage)> {
    let c = app::access::cycle_for_manager(ctx, who, id).await?;
    let b = forms::builder(ctx, who, id).await?;
    let n = b.form.sections.len();
    let sections = b
        .form
        .sections
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let m = s.questions.len();
            SectionRow {
                key: s.key.clone(),
                title: s.title.clone(),
                intro: s.intro.clone(),
                first: i == 0,
                last: i + 1 == n,
                questions: s
                    .questions
                    .iter()
                    .enumerate()
                    .map(|(j, q)| QuestionRow {
                        key: q.key.clone(),
                        label: q.label.clone(),
                        kind: kind_label(q.kind.type_name()),
                        required: q.required,
                        details: details(q),
                        condition: condition_text(&b.form, q),
                        answered: b.answered.contains(&q.key),
                        first: i == 0 && j == 0,
                        last: i + 1 == n && j + 1 == m,
                    })
                    .collect(),
            }
        })
        .collect();
    let e = b.form.eligibility.len();
    let eligibility = b
        .form
        .eligibility
        .iter()
        .enumerate()
        .map(|(i, q)| {
            let label_of = |v: &String| {
                q.options
                    .iter()
                    .find(|o| &o.value == v)
                    .map_or(v.clone(), |o| o.label.clone())
            };
            EligibilityRow {
                key: q.key.clone(),
                label: q.label.clone(),
                options: q
                    .options
                    .iter()
                    .map(|o| o.label.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                eligible: q
                    .eligible
                    .iter()
                    .map(label_of)
                    .collect::<Vec<_>>()
                    .join(", "),
                first: i == 0,
                last: i + 1 == e,
            }
        })
        .collect();
    let versions = b
        .versions
        .iter()
        .map(|v| VersionRow {
            number: v.number,
            by: v.by_name.clone().unwrap_or_else(|| "the portal".into()),
            when: c.cycle.show(v.created_at),
            summary: v.summary.clone(),
        })
        .collect();
    Ok((
        c.cycle.name.clone(),
        BuilderPage {
            cycle_id: id,
            cycle_name: c.cycle.name,
            version: b.version,
            eligibility,
            sections,
            kinds: kinds(),
            versions,
            values,
            errors,
        },
    ))
}

#[get("/cycles/<id>/form")]
async fn show_form(
    who: Manager,
    ctx: &State<Ctx>,
    chrome: Chrome,
    id: CycleId,
) -> Result<Template> {
    let (name, page) = builder_page(
        ctx,
        &who,
        id,
        SectionValues::default(),
        FormErrors::default(),
    )
    .await?;
    Ok(render(
        "manage/form",
        &chrome,
        &format!("Application form – {name}"),
        page,
    ))
}

/// What a builder POST comes to: back to the builder with a notice, a page
/// of its own again with the typed values (422), or the confirmation.
pub(super) enum Answer {
    Back(Flash<Redirect>),
    Page((Status, Template)),
}

impl<'r> rocket::response::Responder<'r, 'static> for Answer {
    fn respond_to(self, req: &'r rocket::Request<'_>) -> rocket::response::Result<'static> {
        match self {
            Self::Back(f) => f.respond_to(req),
            Self::Page(p) => p.respond_to(req),
        }
    }
}

/// Makes the change; on invalid input, `again` renders the page it came
/// from with the errors (or, without one, the notice goes to the builder).
#[expect(clippy::too_many_arguments, reason = "one change has this many parts")]
pub(super) async fn apply<F, Fut>(
    ctx: &Ctx,
    who: &Manager,
    ip: &ClientIp,
    chrome: &Chrome,
    id: CycleId,
    based_on: &str,
    edit: Edit,
    confirmed: bool,
    again: Option<F>,
) -> Result<Answer>
where
    F: FnOnce(FormErrors) -> Fut,
    Fut: std::future::Future<Output = Result<(Status, Template)>>,
{
    let based_on = based_on.trim().parse::<i64>().unwrap_or(0);
    match forms::change(ctx, who, ip, id, based_on, &edit, confirmed).await {
        Ok(Outcome::Saved { version, summary }) => Ok(Answer::Back(Flash::success(
            builder(id),
            format!("Saved as version {version} of the form: {summary}."),
        ))),
        Ok(Outcome::Unchanged) => Ok(Answer::Back(Flash::success(
            builder(id),
            "Nothing changed: the form is as it was.",
        ))),
        Ok(Outcome::Confirm(impact)) => Ok(Answer::Page((
            Status::Ok,
            transfer::confirm_page(ctx, who, chrome, id, impact).await?,
        ))),
        Err(app::Error::Refused(message)) => Ok(Answer::Back(Flash::error(builder(id), message))),
        Err(app::Error::Invalid(errors)) => match again {
            Some(again) if !errors.fields.contains_key("form") => {
                Ok(Answer::Page(again(errors).await?))
            }
            _ => Ok(Answer::Back(Flash::error(builder(id), errors.in_words()))),
        },
        Err(e) => Err(e.into()),
    }
}

/// No page to show again: notices go to the builder.
pub(super) type NoPage = fn(FormErrors) -> std::future::Ready<Result<(Status, Template)>>;

#[derive(FromForm)]
struct SectionForm {
    #[field(default = String::new())]
    based_on: String,
    #[field(default = String::new())]
    title: String,
    #[field(default = String::new())]
    intro: String,
}

#[post("/cycles/<id>/form/sections", data = "<form>")]
async fn add_section(
    who: Manager,
    ctx: &State<Ctx>,
    chrome: Chrome,
    ip: ClientIp,
    id: CycleId,
    form: Form<SectionForm>,
) -> Result<Answer> {
    let edit = Edit::AddSection {
        title: form.title.clone(),
        intro: form.intro.clone(),
    };
    let again = |errors: FormErrors| async {
        let values = SectionValues {
            title: form.title.clone(),
            intro: form.intro.clone(),
        };
        let (name, page) = builder_page(ctx, &who, id, values, errors).await?;
        Ok(invalid(
            "manage/form",
            &chrome,
            &format!("Application form – {name}"),
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

#[derive(FromForm)]
struct MoveForm {
    #[field(default = String::new())]
    based_on: String,
    #[field(default = String::new())]
    to: String,
}

fn direction(to: &str) -> Direction {
    if to == "up" {
        Direction::Up
    } else {
        Direction::Down
    }
}

#[derive(FromForm)]
struct BasedOn {
    #[field(default = String::new())]
    based_on: String,
}

macro_rules! small_post {
    ($name:ident, $uri:literal, $form:ty, |$key:ident, $f:ident| $edit:expr) => {
        #[post($uri, data = "<form>")]
        async fn $name(
            who: Manager,
            ctx: &State<Ctx>,
            chrome: Chrome,
            ip: ClientIp,
            id: CycleId,
            key: &str,
            form: Form<$form>,
        ) -> Result<Answer> {
            let $key = key.to_owned();
            let $f = &*form;
            let edit = $edit;
            apply(
                ctx,
                &who,
                &ip,
                &chrome,
                id,
                &form.based_on,
                edit,
                false,
                None::<NoPage>,
            )
            .await
        }
    };
}

small_post!(
    move_section,
    "/cycles/<id>/form/sections/<key>/move",
    MoveForm,
    |key, f| Edit::MoveSection {
        key,
        to: direction(&f.to)
    }
);
small_post!(
    remove_section,
    "/cycles/<id>/form/sections/<key>/remove",
    BasedOn,
    |key, _f| Edit::RemoveSection { key }
);
small_post!(
    move_question,
    "/cycles/<id>/form/questions/<key>/move",
    MoveForm,
    |key, f| Edit::MoveQuestion {
        key,
        to: direction(&f.to)
    }
);
small_post!(
    remove_question,
    "/cycles/<id>/form/questions/<key>/remove",
    BasedOn,
    |key, _f| Edit::RemoveQuestion { key }
);
small_post!(
    move_eligibility,
    "/cycles/<id>/form/eligibility/<key>/move",
    MoveForm,
    |key, f| Edit::MoveEligibility {
        key,
        to: direction(&f.to)
    }
);
small_post!(
    remove_eligibility,
    "/cycles/<id>/form/eligibility/<key>/remove",
    BasedOn,
    |key, _f| Edit::RemoveEligibility { key }
);
