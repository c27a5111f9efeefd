//! A cycle's review settings (reviewers per application, cap, blind
//! review, when reviewers see each other's reviews, the disagreement
//! threshold) and its rubric, which may change only before the first
//! review is started.

use rocket::form::Form;
use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use rocket::{get, post, routes, FromForm, Route};
use rocket_dyn_templates::Template;
use serde::Serialize;

use super::{audit_action, load_cycle, load_setup};
use crate::auth::guards::Manager;
use crate::db::cycles::{self, CycleWithForm, ReviewSetup};
use crate::db::{reviews, Db};
use crate::domain::workflow::review::{OtherReviews, ReviewSettings};
use crate::domain::workflow::rubric::Rubric;
use crate::web::page::{invalid, render, Chrome, ClientIp, FormErrors};
use crate::web::Result;

pub fn routes() -> Vec<Route> {
    routes![show_settings, save_settings, save_rubric]
}

#[derive(Serialize)]
struct Choice {
    value: &'static str,
    label: &'static str,
    checked: bool,
}

#[derive(Serialize)]
struct LevelView {
    score: i32,
    text: String,
}

#[derive(Serialize)]
struct CriterionView {
    key: String,
    label: String,
    description: String,
    scale: String,
    weight: String,
    allow_na: bool,
    levels: Vec<LevelView>,
}

#[derive(Serialize, Default)]
struct Values {
    reviewers_per_application: String,
    reviewer_cap: String,
    disagreement_threshold: String,
    blind_review: bool,
    rubric: String,
    offer_days: String,
}

#[derive(Serialize)]
struct SettingsPage {
    cycle_id: i64,
    cycle_name: String,
    values: Values,
    other_reviews: Vec<Choice>,
    criteria: Vec<CriterionView>,
    rubric_locked: bool,
    errors: FormErrors,
}

fn page(
    c: &CycleWithForm,
    setup: &ReviewSetup,
    locked: bool,
    values: Values,
    chosen: &str,
    errors: FormErrors,
) -> SettingsPage {
    SettingsPage {
        cycle_id: c.cycle.id,
        cycle_name: c.cycle.name.clone(),
        values,
        other_reviews: OtherReviews::ALL
            .iter()
            .map(|o| Choice {
                value: o.as_str(),
                label: o.label(),
                checked: o.as_str() == chosen,
            })
            .collect(),
        criteria: setup
            .rubric
            .criteria
            .iter()
            .map(|k| CriterionView {
                key: k.key.clone(),
                label: k.label.clone(),
                description: k.description.clone(),
                scale: format!("{} to {}", k.min, k.max),
                weight: format!("{}", k.weight),
                allow_na: k.allow_na,
                levels: k
                    .levels
                    .iter()
                    .map(|l| LevelView {
                        score: l.score,
                        text: l.text.clone(),
                    })
                    .collect(),
            })
            .collect(),
        rubric_locked: locked,
        errors,
    }
}

fn stored_values(c: &CycleWithForm, setup: &ReviewSetup, offer_days: i64) -> Values {
    let s = &setup.settings;
    Values {
        offer_days: offer_days.to_string(),
        reviewers_per_application: s.reviewers_per_application.to_string(),
        reviewer_cap: s.reviewer_cap.map(|c| c.to_string()).unwrap_or_default(),
        disagreement_threshold: format!("{}", s.disagreement_threshold),
        blind_review: c.cycle.blind_review,
        rubric: setup.rubric_json.clone(),
    }
}

async fn offer_days(db: &Db, id: i64) -> Result<i64> {
    let mut conn = db.conn().await?;
    Ok(cycles::offer_days(conn.exec(), id).await?)
}

/// The longest time an applicant may be given to answer an offer.
const MAX_OFFER_DAYS: i64 = 90;

async fn locked(db: &Db, id: i64) -> Result<bool> {
    let mut conn = db.conn().await?;
    Ok(reviews::count_in_cycle(conn.exec(), id).await? > 0)
}

#[get("/cycles/<id>/settings")]
async fn show_settings(who: Manager, db: &Db, chrome: Chrome, id: i64) -> Result<Template> {
    let c = load_cycle(&who, db, id).await?;
    let setup = load_setup(db, id).await?;
    let locked = locked(db, id).await?;
    let values = stored_values(&c, &setup, offer_days(db, id).await?);
    let chosen = setup.settings.other_reviews.as_str();
    let title = format!("Review settings – {}", c.cycle.name);
    Ok(render(
        "manage/settings",
        &chrome,
        &title,
        page(&c, &setup, locked, values, chosen, FormErrors::default()),
    ))
}

#[derive(FromForm)]
struct SettingsForm {
    #[field(default = String::new())]
    reviewers_per_application: String,
    #[field(default = String::new())]
    reviewer_cap: String,
    #[field(default = String::new())]
    other_reviews: String,
    #[field(default = String::new())]
    disagreement_threshold: String,
    #[field(default = false)]
    blind_review: bool,
    #[field(default = String::new())]
    offer_days: String,
}

#[post("/cycles/<id>/settings", data = "<form>")]
async fn save_settings(
    who: Manager,
    db: &Db,
    chrome: Chrome,
    ip: ClientIp,
    id: i64,
    form: Form<SettingsForm>,
) -> Result<std::result::Result<Flash<Redirect>, (Status, Template)>> {
    let c = load_cycle(&who, db, id).await?;
    let setup = load_setup(db, id).await?;
    let read = ReviewSettings::read(
        &form.reviewers_per_application,
        &form.reviewer_cap,
        &form.other_reviews,
        &form.disagreement_threshold,
    );
    let days = form
        .offer_days
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|d| (1..=MAX_OFFER_DAYS).contains(d));
    let settings = match (read, days) {
        (Ok(s), Some(days)) => (s, days),
        (read, _) => {
            let mut errors = FormErrors::default();
            for (field, e) in read.err().unwrap_or_default() {
                errors.add(field, e);
            }
            if days.is_none() {
                errors.add(
                    "offer_days",
                    format!("Days to answer an offer must be a whole number from 1 to {MAX_OFFER_DAYS}."),
                );
            }
            let values = Values {
                reviewers_per_application: form.reviewers_per_application.clone(),
                reviewer_cap: form.reviewer_cap.clone(),
                disagreement_threshold: form.disagreement_threshold.clone(),
                blind_review: form.blind_review,
                rubric: setup.rubric_json.clone(),
                offer_days: form.offer_days.clone(),
            };
            let locked = locked(db, id).await?;
            let title = format!("Review settings – {}", c.cycle.name);
            return Ok(Err(invalid(
                "manage/settings",
                &chrome,
                &title,
                page(&c, &setup, locked, values, &form.other_reviews, errors),
            )));
        }
    };
    let now = crate::clock::now();
    let mut tx = db.begin().await?;
    let (settings, days) = settings;
    cycles::set_review_settings(tx.exec(), id, &settings, form.blind_review).await?;
    cycles::set_offer_days(tx.exec(), id, days).await?;
    let detail = format!(
        "K={} cap={:?} others={} threshold={} blind={} offer_days={days}",
        settings.reviewers_per_application,
        settings.reviewer_cap,
        settings.other_reviews.as_str(),
        settings.disagreement_threshold,
        form.blind_review
    );
    audit_action(
        tx.exec(),
        &who,
        &ip,
        "cycle.review_settings",
        &format!("cycle:{id}"),
        &detail,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Ok(Flash::success(
        Redirect::to(format!("/manage/cycles/{id}/settings")),
        "Review settings saved.",
    )))
}

#[derive(FromForm)]
struct RubricForm {
    #[field(default = String::new())]
    rubric: String,
}

#[post("/cycles/<id>/rubric", data = "<form>")]
async fn save_rubric(
    who: Manager,
    db: &Db,
    chrome: Chrome,
    ip: ClientIp,
    id: i64,
    form: Form<RubricForm>,
) -> Result<std::result::Result<Flash<Redirect>, (Status, Template)>> {
    let c = load_cycle(&who, db, id).await?;
    let setup = load_setup(db, id).await?;
    let is_locked = locked(db, id).await?;
    let mut errors = FormErrors::default();
    if is_locked {
        errors.add(
            "rubric",
            "The rubric cannot change now: reviewers have started scoring against it.",
        );
    } else if let Err(e) = Rubric::parse(&form.rubric) {
        errors.add("rubric", e);
    }
    if !errors.is_empty() {
        let mut values = stored_values(&c, &setup, offer_days(db, id).await?);
        values.rubric = form.rubric.clone();
        let title = format!("Review settings – {}", c.cycle.name);
        let chosen = setup.settings.other_reviews.as_str();
        return Ok(Err(invalid(
            "manage/settings",
            &chrome,
            &title,
            page(&c, &setup, is_locked, values, chosen, errors),
        )));
    }
    let now = crate::clock::now();
    let mut tx = db.begin().await?;
    cycles::set_rubric(tx.exec(), id, &form.rubric).await?;
    audit_action(
        tx.exec(),
        &who,
        &ip,
        "cycle.rubric",
        &format!("cycle:{id}"),
        "rubric replaced",
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Ok(Flash::success(
        Redirect::to(format!("/manage/cycles/{id}/settings")),
        "Rubric saved.",
    )))
}
