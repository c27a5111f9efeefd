//! The rubric builder, without JavaScript: the criteria of the cycle's
//! current rubric with a form per change (add, edit, move, remove; the
//! overall recommendation's question and level names), each one POST that
//! redirects back with a notice; import by paste or file,
//! export as JSON; earlier versions listed. Every form carries the
//! version it was based on. Once reviews exist, a change goes through a
//! confirmation page saying what it does to them. The rules and the
//! versions are `app::rubric`'s; the criterion forms are in [`criteria`].

use rocket::form::Form;
use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use rocket::{get, post, routes, FromForm, Route, State};
use rocket_dyn_templates::Template;
use serde::Serialize;

use crate::app;
use crate::app::rubric::{self as building, Builder, Change, Outcome};
use crate::auth::guards::Manager;
use crate::context::Ctx;
use crate::domain::cycle::CycleId;
use crate::domain::workflow::rubric::Rubric;
use crate::domain::workflow::rubric::{Criterion, Recommendation};
use crate::domain::workflow::rubric_edit::{label_field, levels_text};
use crate::web::download::Download;
use crate::web::page::{invalid, render, Chrome, ClientIp, FormErrors};
use crate::web::Result;

mod criteria;

pub fn routes() -> Vec<Route> {
    let mut all = routes![
        show_rubric,
        export_rubric,
        import_rubric,
        save_recommendation
    ];
    all.extend(criteria::routes());
    all
}

/// A page, or the same page again with its mistakes (422), or a
/// confirmation to give.
type Answer = std::result::Result<Flash<Redirect>, (Status, Template)>;

fn back(id: CycleId) -> Redirect {
    Redirect::to(format!("/manage/cycles/{id}/rubric"))
}

#[derive(Serialize)]
struct LevelView {
    score: i32,
    text: String,
}

#[derive(Serialize)]
struct CriterionRow {
    key: String,
    label: String,
    description: String,
    min: i32,
    max: i32,
    min_label: String,
    max_label: String,
    weight: String,
    allow_na: bool,
    levels: Vec<LevelView>,
    first: bool,
    last: bool,
}

/// A criterion's form, as typed or as stored.
#[derive(Serialize, Clone)]
struct Values {
    name: String,
    guidance: String,
    min: String,
    max: String,
    min_label: String,
    max_label: String,
    weight: String,
    allow_na: bool,
    levels: String,
}

impl Values {
    fn blank() -> Self {
        Self {
            name: String::new(),
            guidance: String::new(),
            min: "1".into(),
            max: "5".into(),
            min_label: String::new(),
            max_label: String::new(),
            weight: "1".into(),
            allow_na: false,
            levels: String::new(),
        }
    }

    fn of(c: &Criterion) -> Self {
        Self {
            name: c.label.clone(),
            guidance: c.description.clone(),
            min: c.min.to_string(),
            max: c.max.to_string(),
            min_label: c.min_label.clone(),
            max_label: c.max_label.clone(),
            weight: format!("{}", c.weight),
            allow_na: c.allow_na,
            levels: levels_text(c),
        }
    }
}

/// The overall recommendation's form, as typed or as stored.
#[derive(Serialize, Clone)]
struct RecValues {
    question: String,
    labels: Vec<RecLabel>,
}

/// One level's label field.
#[derive(Serialize, Clone)]
struct RecLabel {
    /// The field's name and id.
    field: &'static str,
    /// The level's default name, which the field's label gives.
    default: &'static str,
    value: String,
    error: Option<String>,
}

impl RecValues {
    fn of(r: &Rubric) -> Self {
        Self::typed(
            r.recommendation_question(),
            Recommendation::ALL.map(|l| r.recommendation_label(l)),
            &FormErrors::default(),
        )
    }

    fn typed(question: &str, labels: [&str; 4], errors: &FormErrors) -> Self {
        Self {
            question: question.to_owned(),
            labels: Recommendation::ALL
                .into_iter()
                .zip(labels)
                .map(|(level, value)| RecLabel {
                    field: label_field(level),
                    default: level.label(),
                    value: value.to_owned(),
                    error: errors.fields.get(label_field(level)).cloned(),
                })
                .collect(),
        }
    }
}

#[derive(Serialize)]
struct VersionRow {
    number: i64,
    by: String,
    when: String,
    criteria: usize,
    current: bool,
}

#[derive(Serialize)]
struct RubricPage {
    cycle_id: CycleId,
    cycle_name: String,
    version: i64,
    notice: Option<String>,
    keys_fixed: bool,
    criteria: Vec<CriterionRow>,
    full: bool,
    rec: RecValues,
    add: Values,
    json: String,
    versions: Vec<VersionRow>,
    errors: FormErrors,
}

fn rubric_page(b: &Builder, add: Values, json: String, errors: FormErrors) -> RubricPage {
    let n = b.rubric.criteria.len();
    RubricPage {
        cycle_id: b.cycle.cycle.id,
        cycle_name: b.cycle.cycle.name.clone(),
        version: b.version,
        notice: b.notice.clone(),
        keys_fixed: b.keys_fixed(),
        criteria: b
            .rubric
            .criteria
            .iter()
            .enumerate()
            .map(|(i, c)| CriterionRow {
                key: c.key.clone(),
                label: c.label.clone(),
                description: c.description.clone(),
                min: c.min,
                max: c.max,
                min_label: c.min_label.clone(),
                max_label: c.max_label.clone(),
                weight: format!("{}", c.weight),
                allow_na: c.allow_na,
                levels: c
                    .levels
                    .iter()
                    .map(|l| LevelView {
                        score: l.score,
                        text: l.text.clone(),
                    })
                    .collect(),
                first: i == 0,
                last: i + 1 == n,
            })
            .collect(),
        full: n >= crate::domain::workflow::rubric::MAX_CRITERIA,
        rec: RecValues::of(&b.rubric),
        add,
        json,
        versions: b
            .versions
            .iter()
            .map(|v| VersionRow {
                number: v.number,
                by: v
                    .by_name
                    .clone()
                    .unwrap_or_else(|| "the portal (set up with the cycle)".into()),
                when: b.cycle.cycle.show(v.created_at),
                criteria: v.rubric.criteria.len(),
                current: v.number == b.version,
            })
            .collect(),
        errors,
    }
}

fn title(b: &Builder) -> String {
    format!("Rubric – {}", b.cycle.cycle.name)
}

#[get("/cycles/<id>/rubric")]
async fn show_rubric(
    who: Manager,
    ctx: &State<Ctx>,
    chrome: Chrome,
    id: CycleId,
) -> Result<Template> {
    let b = building::builder(ctx, &who, id).await?;
    let page = rubric_page(&b, Values::blank(), String::new(), FormErrors::default());
    Ok(render("manage/rubric", &chrome, &title(&b), page))
}

#[get("/cycles/<id>/rubric.json")]
async fn export_rubric(who: Manager, ctx: &State<Ctx>, id: CycleId) -> Result<Download> {
    let e = building::export(ctx, &who, id).await?;
    Ok(Download {
        reader: Box::pin(std::io::Cursor::new(e.json.into_bytes())),
        content_type: "application/json; charset=utf-8".into(),
        file_name: e.file_name,
    })
}

/// The confirmation page: what the change does to the reviews already
/// written, and the same form again with `confirm` set.
#[derive(Serialize)]
struct ConfirmPage {
    cycle_id: CycleId,
    cycle_name: String,
    notice: String,
    action: String,
    fields: Vec<(String, String)>,
}

fn confirm_page(
    chrome: &Chrome,
    b: &Builder,
    notice: String,
    action: String,
    fields: Vec<(String, String)>,
) -> (Status, Template) {
    let page = ConfirmPage {
        cycle_id: b.cycle.cycle.id,
        cycle_name: b.cycle.cycle.name.clone(),
        notice,
        action,
        fields,
    };
    let t = render(
        "manage/rubric_confirm",
        chrome,
        &format!("Confirm the change – {}", title(b)),
        page,
    );
    (Status::Ok, t)
}

#[expect(
    clippy::too_many_arguments,
    reason = "the change's outcome with how to show each answer"
)]
/// Where a change leads: back to the builder with `said`, the
/// confirmation page, or `refused` (a page again with its mistakes).
async fn answer(
    ctx: &Ctx,
    who: &Manager,
    chrome: &Chrome,
    id: CycleId,
    outcome: app::Result<Outcome>,
    action: String,
    fields: impl FnOnce() -> Vec<(String, String)>,
    refused: impl FnOnce(&Builder, FormErrors) -> (Status, Template),
) -> Result<Answer> {
    match outcome {
        Ok(Outcome::Applied { said, .. }) => Ok(Ok(Flash::success(back(id), said))),
        Ok(Outcome::Unchanged) => Ok(Ok(Flash::success(
            back(id),
            "Nothing changed: the rubric is already like that.",
        ))),
        Ok(Outcome::Confirm { notice }) => {
            let b = building::builder(ctx, who, id).await?;
            Ok(Err(confirm_page(chrome, &b, notice, action, fields())))
        }
        Err(app::Error::Invalid(errors)) => {
            let b = building::builder(ctx, who, id).await?;
            Ok(Err(refused(&b, errors)))
        }
        Err(app::Error::Refused(words)) => Ok(Ok(Flash::error(back(id), words))),
        Err(e) => Err(e.into()),
    }
}

/// The import form: pasted JSON, or a file (multipart), the file winning
/// when one is chosen.
#[derive(FromForm)]
struct ImportForm {
    #[field(default = String::new())]
    version: String,
    #[field(default = String::new())]
    json: String,
    #[field(default = String::new())]
    file: String,
    #[field(default = false)]
    confirm: bool,
}

#[post("/cycles/<id>/rubric/import", data = "<form>")]
async fn import_rubric(
    who: Manager,
    ctx: &State<Ctx>,
    chrome: Chrome,
    ip: ClientIp,
    id: CycleId,
    form: Form<ImportForm>,
) -> Result<Answer> {
    let json = if form.file.trim().is_empty() {
        form.json.clone()
    } else {
        form.file.clone()
    };
    let change = Change::Import(&json);
    let outcome = building::change(ctx, &who, &ip, id, &form.version, form.confirm, change).await;
    let action = format!("/manage/cycles/{id}/rubric/import");
    let fields = || {
        vec![
            ("version".into(), form.version.clone()),
            ("json".into(), json.clone()),
        ]
    };
    answer(
        ctx,
        &who,
        &chrome,
        id,
        outcome,
        action,
        fields,
        |b, errors| {
            let page = rubric_page(b, Values::blank(), json.clone(), errors);
            invalid("manage/rubric", &chrome, &title(b), page)
        },
    )
    .await
}

/// The overall recommendation's form: the question and a label per level.
#[derive(FromForm)]
struct RecommendationForm {
    #[field(default = String::new())]
    version: String,
    #[field(default = String::new())]
    question: String,
    #[field(default = String::new())]
    label_strongly_support: String,
    #[field(default = String::new())]
    label_support: String,
    #[field(default = String::new())]
    label_neutral: String,
    #[field(default = String::new())]
    label_do_not_support: String,
    #[field(default = false)]
    confirm: bool,
}

impl RecommendationForm {
    fn labels(&self) -> [&str; 4] {
        [
            &self.label_strongly_support,
            &self.label_support,
            &self.label_neutral,
            &self.label_do_not_support,
        ]
    }
}

#[post("/cycles/<id>/rubric/recommendation", data = "<form>")]
async fn save_recommendation(
    who: Manager,
    ctx: &State<Ctx>,
    chrome: Chrome,
    ip: ClientIp,
    id: CycleId,
    form: Form<RecommendationForm>,
) -> Result<Answer> {
    let change = Change::Recommendation {
        question: &form.question,
        labels: form.labels(),
    };
    let outcome = building::change(ctx, &who, &ip, id, &form.version, form.confirm, change).await;
    let action = format!("/manage/cycles/{id}/rubric/recommendation");
    let fields = || {
        let mut f = vec![
            ("version".to_owned(), form.version.clone()),
            ("question".to_owned(), form.question.clone()),
        ];
        for (level, label) in Recommendation::ALL.into_iter().zip(form.labels()) {
            f.push((label_field(level).to_owned(), label.to_owned()));
        }
        f
    };
    answer(
        ctx,
        &who,
        &chrome,
        id,
        outcome,
        action,
        fields,
        |b, errors| {
            let mut page = rubric_page(b, Values::blank(), String::new(), FormErrors::default());
            page.rec = RecValues::typed(&form.question, form.labels(), &errors);
            page.errors = errors;
            invalid("manage/rubric", &chrome, &title(b), page)
        },
    )
    .await
}
