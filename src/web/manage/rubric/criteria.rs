//! The rubric builder's criterion forms: add one, edit one on its own
//! page, move one up or down, remove one. Each answers as
//! [`super::answer`] says.

use rocket::form::Form;
use rocket::http::Status;
use rocket::{get, post, routes, FromForm, Route, State};
use rocket_dyn_templates::Template;
use serde::Serialize;

use super::{answer, back, rubric_page, title, Answer, Values};
use crate::app;
use crate::app::rubric::{self as building, Builder, Change};
use crate::auth::guards::Manager;
use crate::context::Ctx;
use crate::domain::cycle::CycleId;
use crate::domain::workflow::rubric_edit::{CriterionInput, Direction};
use crate::web::page::{invalid, render, Chrome, ClientIp, FormErrors};
use crate::web::{told, Error, Result};

pub(super) fn routes() -> Vec<Route> {
    routes![
        add_criterion,
        show_criterion,
        save_criterion,
        move_criterion,
        remove_criterion
    ]
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
