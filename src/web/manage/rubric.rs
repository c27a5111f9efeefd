//! The rubric builder, without JavaScript: the criteria of the cycle's
//! current rubric with a form per change (add, edit, move, remove), each
//! one POST that redirects back with a notice; import by paste or file,
//! export as JSON; earlier versions listed. Every form carries the
//! version it was based on. Once reviews exist, a change goes through a
//! confirmation page saying what it does to them. The rules and the
//! versions are `app::rubric`'s.

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
use crate::domain::workflow::rubric::{Criterion, Recommendation};
use crate::domain::workflow::rubric_edit::{levels_text, CriterionInput, Direction};
use crate::web::download::Download;
use crate::web::page::{invalid, render, Chrome, ClientIp, FormErrors};
use crate::web::{told, Error, Result};

pub fn routes() -> Vec<Route> {
    routes![
        show_rubric,
        export_rubric,
        add_criterion,
        show_criterion,
        save_criterion,
        move_criterion,
        remove_criterion,
        import_rubric
    ]
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
    recommendations: Vec<&'static str>,
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
        recommendations: Recommendation::ALL.iter().map(|r| r.label()).collect(),
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

#[derive(FromForm)]
struct CriterionForm {
    #[field(default = String::new())]
    version: String,
    #[field(default = String::new())]
    name: String,
    #[field(default = String::new())]
    guidance: String,
    #[field(default = String::new())]
    min: String,
    #[field(default = String::new())]
    max: String,
    #[field(default = String::new())]
    min_label: String,
    #[field(default = String::new())]
    max_label: String,
    #[field(default = String::new())]
    weight: String,
    #[field(default = false)]
    allow_na: bool,
    #[field(default = String::new())]
    levels: String,
    #[field(default = false)]
    confirm: bool,
}

impl CriterionForm {
    fn input(&self) -> CriterionInput<'_> {
        CriterionInput {
            name: &self.name,
            guidance: &self.guidance,
            min: &self.min,
            max: &self.max,
            min_label: &self.min_label,
            max_label: &self.max_label,
            weight: &self.weight,
            allow_na: self.allow_na,
            levels: &self.levels,
        }
    }

    fn values(&self) -> Values {
        Values {
            name: self.name.clone(),
            guidance: self.guidance.clone(),
            min: self.min.clone(),
            max: self.max.clone(),
            min_label: self.min_label.clone(),
            max_label: self.max_label.clone(),
            weight: self.weight.clone(),
            allow_na: self.allow_na,
            levels: self.levels.clone(),
        }
    }

    /// The fields again, for the confirmation page.
    fn fields(&self) -> Vec<(String, String)> {
        let mut f: Vec<(String, String)> = [
            ("version", &self.version),
            ("name", &self.name),
            ("guidance", &self.guidance),
            ("min", &self.min),
            ("max", &self.max),
            ("min_label", &self.min_label),
            ("max_label", &self.max_label),
            ("weight", &self.weight),
            ("levels", &self.levels),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).clone()))
        .collect();
        if self.allow_na {
            f.push(("allow_na".into(), "true".into()));
        }
        f
    }
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

#[post("/cycles/<id>/rubric/criteria", data = "<form>")]
async fn add_criterion(
    who: Manager,
    ctx: &State<Ctx>,
    chrome: Chrome,
    ip: ClientIp,
    id: CycleId,
    form: Form<CriterionForm>,
) -> Result<Answer> {
    let change = Change::Add(form.input());
    let outcome = building::change(ctx, &who, &ip, id, &form.version, form.confirm, change).await;
    let action = format!("/manage/cycles/{id}/rubric/criteria");
    answer(
        ctx,
        &who,
        &chrome,
        id,
        outcome,
        action,
        || form.fields(),
        |b, errors| {
            let page = rubric_page(b, form.values(), String::new(), errors);
            invalid("manage/rubric", &chrome, &title(b), page)
        },
    )
    .await
}

#[derive(Serialize)]
struct CriterionPage {
    cycle_id: CycleId,
    cycle_name: String,
    version: i64,
    key: String,
    label: String,
    notice: Option<String>,
    keys_fixed: bool,
    values: Values,
    errors: FormErrors,
}

fn criterion_page(
    b: &Builder,
    key: &str,
    values: Values,
    errors: FormErrors,
) -> Result<CriterionPage> {
    let c = b.rubric.criterion(key).ok_or(Error::NotFound)?;
    Ok(CriterionPage {
        cycle_id: b.cycle.cycle.id,
        cycle_name: b.cycle.cycle.name.clone(),
        version: b.version,
        key: c.key.clone(),
        label: c.label.clone(),
        notice: b.notice.clone(),
        keys_fixed: b.keys_fixed(),
        values,
        errors,
    })
}

#[get("/cycles/<id>/rubric/criteria/<key>")]
async fn show_criterion(
    who: Manager,
    ctx: &State<Ctx>,
    chrome: Chrome,
    id: CycleId,
    key: &str,
) -> Result<Template> {
    let b = building::builder(ctx, &who, id).await?;
    let c = b.rubric.criterion(key).ok_or(Error::NotFound)?;
    let page = criterion_page(&b, key, Values::of(c), FormErrors::default())?;
    let t = format!("{} – {}", c.label, title(&b));
    Ok(render("manage/rubric_criterion", &chrome, &t, page))
}

#[post("/cycles/<id>/rubric/criteria/<key>", data = "<form>")]
async fn save_criterion(
    who: Manager,
    ctx: &State<Ctx>,
    chrome: Chrome,
    ip: ClientIp,
    id: CycleId,
    key: &str,
    form: Form<CriterionForm>,
) -> Result<Answer> {
    let change = Change::Edit {
        key,
        input: form.input(),
    };
    let outcome = building::change(ctx, &who, &ip, id, &form.version, form.confirm, change).await;
    let action = format!("/manage/cycles/{id}/rubric/criteria/{key}");
    answer(ctx, &who, &chrome, id, outcome, action, || form.fields(), |b, errors| {
        match criterion_page(b, key, form.values(), errors) {
            Ok(page) => invalid("manage/rubric_criterion", &chrome, &title(b), page),
            // The criterion is gone (renamed or removed meanwhile): say so
            // on the builder, keeping nothing to lose but the typed form.
            Err(_) => {
                let mut e = FormErrors::default();
                e.add("version", "That criterion is no longer in the rubric; someone changed it while you had the page open. Your change was not made.");
                invalid("manage/rubric", &chrome, &title(b), rubric_page(b, Values::blank(), String::new(), e))
            }
        }
    })
    .await
}

#[derive(FromForm)]
struct StepForm {
    #[field(default = String::new())]
    version: String,
    #[field(default = String::new())]
    to: String,
    #[field(default = false)]
    confirm: bool,
}

impl StepForm {
    fn fields(&self) -> Vec<(String, String)> {
        vec![
            ("version".into(), self.version.clone()),
            ("to".into(), self.to.clone()),
        ]
    }
}

/// The builder again with the mistakes of a one-button form (only the
/// stale version can be one).
fn builder_again(chrome: &Chrome, b: &Builder, errors: FormErrors) -> (Status, Template) {
    let page = rubric_page(b, Values::blank(), String::new(), errors);
    invalid("manage/rubric", chrome, &title(b), page)
}

#[post("/cycles/<id>/rubric/criteria/<key>/move", data = "<form>")]
async fn move_criterion(
    who: Manager,
    ctx: &State<Ctx>,
    chrome: Chrome,
    ip: ClientIp,
    id: CycleId,
    key: &str,
    form: Form<StepForm>,
) -> Result<Answer> {
    let to = match form.to.as_str() {
        "up" => Direction::Up,
        "down" => Direction::Down,
        _ => {
            return told::<()>(
                Err(app::Error::refused(
                    "Choose to move the criterion up or down.",
                )),
                back(id),
                |_| String::new(),
            )
            .map(Ok)
        }
    };
    let change = Change::Move { key, to };
    let outcome = building::change(ctx, &who, &ip, id, &form.version, form.confirm, change).await;
    let action = format!("/manage/cycles/{id}/rubric/criteria/{key}/move");
    answer(
        ctx,
        &who,
        &chrome,
        id,
        outcome,
        action,
        || form.fields(),
        |b, e| builder_again(&chrome, b, e),
    )
    .await
}

#[post("/cycles/<id>/rubric/criteria/<key>/remove", data = "<form>")]
async fn remove_criterion(
    who: Manager,
    ctx: &State<Ctx>,
    chrome: Chrome,
    ip: ClientIp,
    id: CycleId,
    key: &str,
    form: Form<StepForm>,
) -> Result<Answer> {
    let change = Change::Remove { key };
    let outcome = building::change(ctx, &who, &ip, id, &form.version, form.confirm, change).await;
    let action = format!("/manage/cycles/{id}/rubric/criteria/{key}/remove");
    answer(
        ctx,
        &who,
        &chrome,
        id,
        outcome,
        action,
        || form.fields(),
        |b, e| builder_again(&chrome, b, e),
    )
    .await
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
