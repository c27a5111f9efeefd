//! A cycle's review settings (reviewers per application, cap, blind
//! review, when reviewers see each other's reviews, the disagreement
//! threshold, days to answer an offer). Saving is `app::settings`'s; the
//! rubric has its own builder (`rubric`), which this page links to.

use crate::domain::cycle::CycleId;
use rocket::form::Form;
use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use rocket::{get, post, routes, FromForm, Route, State};
use rocket_dyn_templates::Template;
use serde::Serialize;

use crate::app;
use crate::app::access::{cycle_for_manager, review_setup};
use crate::app::settings::{self, offer_days};
use crate::auth::guards::Manager;
use crate::context::Ctx;
use crate::db::cycles::{CycleWithForm, ReviewSetup};
use crate::domain::workflow::review::OtherReviews;
use crate::web::page::{invalid, render, Chrome, ClientIp, FormErrors};
use crate::web::Result;

pub fn routes() -> Vec<Route> {
    routes![show_settings, save_settings]
}

#[derive(Serialize)]
struct Choice {
    value: &'static str,
    label: &'static str,
    checked: bool,
}

#[derive(Serialize, Default)]
struct Values {
    reviewers_per_application: String,
    reviewer_cap: String,
    disagreement_threshold: String,
    blind_review: bool,
    offer_days: String,
}

#[derive(Serialize)]
struct SettingsPage {
    cycle_id: CycleId,
    cycle_name: String,
    values: Values,
    other_reviews: Vec<Choice>,
    /// How many criteria the current rubric has, and its version.
    criteria: usize,
    rubric_version: i64,
    errors: FormErrors,
}

fn page(
    c: &CycleWithForm,
    setup: &ReviewSetup,
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
        criteria: setup.rubric.criteria.len(),
        rubric_version: setup.rubric_version,
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
    }
}

#[get("/cycles/<id>/settings")]
async fn show_settings(
    who: Manager,
    ctx: &State<Ctx>,
    chrome: Chrome,
    id: CycleId,
) -> Result<Template> {
    let c = cycle_for_manager(ctx, &who, id).await?;
    let setup = review_setup(ctx, id).await?;
    let values = stored_values(&c, &setup, offer_days(ctx, id).await?);
    let chosen = setup.settings.other_reviews.as_str();
    let title = format!("Review settings – {}", c.cycle.name);
    Ok(render(
        "manage/settings",
        &chrome,
        &title,
        page(&c, &setup, values, chosen, FormErrors::default()),
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

/// The settings page again, with `values` and `errors` (422).
async fn refuse(
    ctx: &Ctx,
    who: &Manager,
    chrome: &Chrome,
    id: CycleId,
    values: impl FnOnce(&CycleWithForm, &ReviewSetup, i64) -> Values,
    chosen: Option<&str>,
    errors: FormErrors,
) -> Result<(Status, Template)> {
    let c = cycle_for_manager(ctx, who, id).await?;
    let setup = review_setup(ctx, id).await?;
    let values = values(&c, &setup, offer_days(ctx, id).await?);
    let chosen = chosen.unwrap_or(setup.settings.other_reviews.as_str());
    let title = format!("Review settings – {}", c.cycle.name);
    Ok(invalid(
        "manage/settings",
        chrome,
        &title,
        page(&c, &setup, values, chosen, errors),
    ))
}

#[post("/cycles/<id>/settings", data = "<form>")]
async fn save_settings(
    who: Manager,
    ctx: &State<Ctx>,
    chrome: Chrome,
    ip: ClientIp,
    id: CycleId,
    form: Form<SettingsForm>,
) -> Result<std::result::Result<Flash<Redirect>, (Status, Template)>> {
    let input = settings::SettingsForm {
        reviewers_per_application: &form.reviewers_per_application,
        reviewer_cap: &form.reviewer_cap,
        other_reviews: &form.other_reviews,
        disagreement_threshold: &form.disagreement_threshold,
        blind_review: form.blind_review,
        offer_days: &form.offer_days,
    };
    match settings::save_settings(ctx, &who, &ip, id, &input).await {
        Ok(()) => Ok(Ok(Flash::success(
            Redirect::to(format!("/manage/cycles/{id}/settings")),
            "Review settings saved.",
        ))),
        Err(app::Error::Invalid(errors)) => {
            let values = |_: &CycleWithForm, _: &ReviewSetup, _| Values {
                reviewers_per_application: form.reviewers_per_application.clone(),
                reviewer_cap: form.reviewer_cap.clone(),
                disagreement_threshold: form.disagreement_threshold.clone(),
                blind_review: form.blind_review,
                offer_days: form.offer_days.clone(),
            };
            let chosen = Some(form.other_reviews.as_str());
            Ok(Err(
                refuse(ctx, &who, &chrome, id, values, chosen, errors).await?
            ))
        }
        Err(e) => Err(e.into()),
    }
}
