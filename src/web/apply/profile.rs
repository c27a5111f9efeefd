//! The profile that pre-fills new applications, and the optional
//! demographics page (stored apart from any application).

use std::collections::BTreeMap;

use rocket::form::Form;
use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use rocket::Either;
use rocket::{get, post, routes, FromForm, Route, State};
use rocket_dyn_templates::Template;
use serde::Serialize;

use super::view;
use crate::app;
use crate::app::applying;
use crate::auth::guards::Applicant;
use crate::context::Ctx;
use crate::db::profiles;
use crate::domain::form::Answers;
use crate::domain::profile::Profile;
use crate::domain::user::is_forbidden_in_name;
use crate::web::page::{invalid, render, Chrome, FormErrors};
use crate::web::Result;

pub fn routes() -> Vec<Route> {
    routes![
        show_profile,
        save_profile,
        show_demographics,
        save_demographics
    ]
}

#[derive(Serialize)]
struct ProfilePage {
    profile: Profile,
    errors: FormErrors,
}

#[get("/profile")]
async fn show_profile(who: Applicant, ctx: &State<Ctx>, chrome: Chrome) -> Result<Template> {
    let mut conn = ctx.conn().await?;
    let profile = profiles::get(conn.exec(), who.0.user().id).await?;
    Ok(render(
        "apply/profile",
        &chrome,
        "Your profile",
        ProfilePage {
            profile,
            errors: FormErrors::default(),
        },
    ))
}

#[derive(FromForm)]
struct ProfileForm {
    p: BTreeMap<String, String>,
}

impl ProfileForm {
    /// The profile as sent (kept to show again), and its mistakes.
    fn read(&self) -> (Profile, FormErrors) {
        let mut errors = FormErrors::default();
        let mut profile = Profile::default();
        for (k, v) in &self.p {
            let v = v.trim().to_owned();
            if v.chars().count() > 200 {
                errors.add(k, "Shorten this to 200 characters.");
            }
            if k == "preferred_name" && v.chars().any(is_forbidden_in_name) {
                errors.add(
                    k,
                    "Your preferred name cannot contain invisible control characters.",
                );
            } else if v.chars().any(char::is_control) {
                errors.add(k, "Remove the control characters from this answer.");
            }
            match k.as_str() {
                "preferred_name" => profile.preferred_name = v,
                "pronouns" => profile.pronouns = v,
                "institution" => profile.institution = v,
                "discipline" => profile.discipline = v,
                "degree" => profile.degree = v,
                "expected_graduation" => {
                    if !v.is_empty() && chrono::NaiveDate::parse_from_str(&v, "%Y-%m-%d").is_err() {
                        errors.add(k, "Enter the date as, for example, 2027-05-31.");
                    }
                    profile.expected_graduation = v;
                }
                "phone" => profile.phone = v,
                _ => errors.add(
                    k,
                    "This form sent a field that does not exist. Reload the page and try again.",
                ),
            }
        }
        (profile, errors)
    }
}

#[post("/profile", data = "<form>")]
async fn save_profile(
    who: Applicant,
    ctx: &State<Ctx>,
    chrome: Chrome,
    form: Form<ProfileForm>,
) -> Result<Either<Flash<Redirect>, (Status, Template)>> {
    let (profile, errors) = form.read();
    if !errors.is_empty() {
        return Ok(Either::Right(invalid(
            "apply/profile",
            &chrome,
            "Your profile",
            ProfilePage { profile, errors },
        )));
    }
    applying::save_profile(ctx, &who, &profile).await?;
    Ok(Either::Left(Flash::success(
        Redirect::to("/apply/profile"),
        "Your profile is saved. New applications will start with it.",
    )))
}

#[derive(Serialize)]
struct DemographicsPage {
    questions: Vec<view::QuestionView>,
    errors: FormErrors,
}

fn demographics_page(answers: &Answers, errors: FormErrors) -> DemographicsPage {
    let form = crate::domain::demographics::form();
    let empty = BTreeMap::new();
    let ctx = view::Context {
        form: &form,
        answers,
        documents: &empty,
        reusable: &[],
        referees: &[],
        errors: &errors.fields,
    };
    let questions = form
        .sections
        .iter()
        .flat_map(|s| view::section(s, &ctx))
        .collect();
    DemographicsPage { questions, errors }
}

#[get("/demographics")]
async fn show_demographics(who: Applicant, ctx: &State<Ctx>, chrome: Chrome) -> Result<Template> {
    let answers = applying::demographics(ctx, &who).await?;
    Ok(render(
        "apply/demographics",
        &chrome,
        "About you (optional)",
        demographics_page(&answers, FormErrors::default()),
    ))
}

#[derive(FromForm)]
struct DemographicsForm {
    a: BTreeMap<String, Vec<String>>,
}

#[post("/demographics", data = "<form>")]
async fn save_demographics(
    who: Applicant,
    ctx: &State<Ctx>,
    chrome: Chrome,
    form: Form<DemographicsForm>,
) -> Result<Either<Flash<Redirect>, (Status, Template)>> {
    match applying::save_demographics(ctx, &who, &form.a).await {
        Ok(()) => Ok(Either::Left(Flash::success(
            Redirect::to("/apply/demographics"),
            "Thank you. Your answers are saved; you can change them at any time.",
        ))),
        Err(app::Error::Invalid(errors)) => {
            let answers = applying::demographics(ctx, &who).await?;
            Ok(Either::Right(invalid(
                "apply/demographics",
                &chrome,
                "About you (optional)",
                demographics_page(&answers, errors),
            )))
        }
        Err(e) => Err(e.into()),
    }
}
