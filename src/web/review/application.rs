//! One assigned application as its reviewer reads and scores it: the
//! answers shown to reviewers (without identifying ones in a blind cycle),
//! documents and letters (downloads logged; renamed and cleaned of
//! metadata in a blind cycle), the rubric with its guidance, the review
//! form (draft or submit, which locks), other reviews when the cycle
//! allows, and declaring a conflict.

use crate::domain::document::DocumentId;
use std::collections::BTreeMap;

use rocket::form::Form;
use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use rocket::{get, post, routes, FromForm, Route, State};
use rocket_dyn_templates::Template;
use serde::Serialize;

use super::title_for;
use crate::app;
use crate::app::review::{self as reviewing, open, Opened};
use crate::auth::guards::Reviewer;
use crate::context::Ctx;
use crate::db::{programs, reviews, rubrics, users};
use crate::domain::application::ApplicationId;
use crate::domain::user::UserId;
use crate::domain::workflow::review::{may_see_other_reviews, ReviewState};
use crate::domain::workflow::rubric::{Confidence, Recommendation, Score, Scores, NOT_APPLICABLE};
use crate::web::dossier::{self, Audience, Dossier};
use crate::web::download::Sent;
use crate::web::manage::review_view;
use crate::web::page::{invalid, render, Chrome, ClientIp, FormErrors};
use crate::web::{told, Error, Result};

pub fn routes() -> Vec<Route> {
    routes![
        show_application,
        save_review,
        declare_conflict,
        download_document
    ]
}

#[derive(Serialize)]
struct LevelView {
    score: i32,
    /// What the score means, at the ends of the scale.
    end_label: Option<String>,
    text: String,
    checked: bool,
}

#[derive(Serialize)]
struct CriterionField {
    key: String,
    label: String,
    description: String,
    weight: String,
    levels: Vec<LevelView>,
    allow_na: bool,
    na_checked: bool,
    comment: String,
    error: Option<String>,
    comment_error: Option<String>,
}

#[derive(Serialize)]
struct Choice {
    value: &'static str,
    label: String,
    checked: bool,
}

#[derive(Serialize)]
struct ReviewPage {
    id: ApplicationId,
    heading: String,
    program_name: String,
    cycle_name: String,
    blind: bool,
    due: String,
    state: &'static str,
    locked: bool,
    /// The rubric version the form is built from (sent back with it).
    rubric_version: i64,
    criteria: Vec<CriterionField>,
    /// The rubric's question: the legend of the recommendation's choices.
    recommendation_question: String,
    recommendations: Vec<Choice>,
    confidences: Vec<Choice>,
    overall_comment: String,
    dossier: Dossier,
    others: Vec<crate::web::manage::ReviewView>,
    show_others: bool,
    /// The program team's notes marked for reviewers, newest first.
    notes: Vec<TeamNote>,
    errors: FormErrors,
}

/// A note the program team marked for the application's reviewers.
#[derive(Serialize)]
struct TeamNote {
    when: String,
    body: String,
}

/// What the form shows: typed values after a refused save, else stored.
#[derive(Default)]
struct Entered {
    scores: BTreeMap<String, String>,
    comments: BTreeMap<String, String>,
    overall: String,
    recommendation: String,
    confidence: String,
}

impl Entered {
    fn from_stored(r: &reviews::Review) -> Self {
        let scores: Scores = serde_json::from_str(&r.scores_json).unwrap_or_default();
        Self {
            scores: scores
                .into_iter()
                .map(|(k, s)| {
                    let v = match s {
                        Score::Points(p) => p.to_string(),
                        Score::NotApplicable => NOT_APPLICABLE.to_owned(),
                    };
                    (k, v)
                })
                .collect(),
            comments: serde_json::from_str(&r.comments_json).unwrap_or_default(),
            overall: r.overall_comment.clone(),
            recommendation: r.recommendation.clone(),
            confidence: r.confidence.clone(),
        }
    }
}

impl From<&ReviewForm> for Entered {
    fn from(form: &ReviewForm) -> Self {
        Self {
            scores: form.score.clone(),
            comments: form.comment.clone(),
            overall: form.overall_comment.clone(),
            recommendation: form.recommendation.clone(),
            confidence: form.confidence.clone(),
        }
    }
}

async fn build_page(
    ctx: &Ctx,
    o: &Opened,
    me: UserId,
    entered: Option<Entered>,
    errors: FormErrors,
) -> Result<ReviewPage> {
    let mut conn = ctx.conn().await?;
    let own = reviews::for_assignment(conn.exec(), o.assignment.id).await?;
    let state = ReviewState::of(own.as_ref().map(|r| r.state));
    let entered = entered
        .or_else(|| own.as_ref().map(Entered::from_stored))
        .unwrap_or_default();
    let blind = o.cycle.cycle.blind_review;
    let applicant = users::find(conn.exec(), o.app.applicant_id)
        .await?
        .ok_or(Error::NotFound)?;
    let program = programs::name_of(conn.exec(), o.cycle.cycle.program_id).await?;
    let dossier = dossier::build(
        &mut conn,
        o.app.id,
        o.cycle.cycle.id,
        o.cycle.form_version,
        &o.cycle.form,
        &o.app.answers,
        Audience::Reviewer { blind },
        &format!("/review/applications/{}/documents", o.app.id),
    )
    .await?;
    let notes = crate::db::notes::of_application(conn.exec(), o.app.id, true)
        .await?
        .into_iter()
        .map(|n| TeamNote {
            when: o.cycle.cycle.show(n.created_at),
            body: n.body,
        })
        .collect();
    let show_others = may_see_other_reviews(o.setup.settings.other_reviews, state);
    let others = if show_others {
        let mut submitted: Vec<reviews::Review> = reviews::of_application(conn.exec(), o.app.id)
            .await?
            .into_iter()
            .filter(|r| r.reviewer_id != me && r.state == ReviewState::Submitted)
            .collect();
        // Numbered in the order they came in: numbers given in name order
        // would tell a reader who knows the panel which review is whose.
        submitted.sort_by_key(|r| (r.submitted_at, r.id));
        let versions = rubrics::by_number(conn.exec(), o.app.cycle_id).await?;
        submitted
            .iter()
            .enumerate()
            .map(|(n, r)| {
                let rubric = versions.get(&r.rubric_version).unwrap_or(&o.setup.rubric);
                review_view(r, rubric, format!("Reviewer {}", n + 1))
            })
            .collect()
    } else {
        Vec::new()
    };
    let criteria = o
        .setup
        .rubric
        .criteria
        .iter()
        .map(|c| {
            let value = entered.scores.get(&c.key).map(String::as_str).unwrap_or("");
            CriterionField {
                key: c.key.clone(),
                label: c.label.clone(),
                description: c.description.clone(),
                weight: format!("{}", c.weight),
                levels: c
                    .scores()
                    .map(|s| LevelView {
                        score: s,
                        end_label: c.end_label(s).map(str::to_owned),
                        text: c.guidance(s).unwrap_or("").to_owned(),
                        checked: value == s.to_string(),
                    })
                    .collect(),
                allow_na: c.allow_na,
                na_checked: value.eq_ignore_ascii_case(NOT_APPLICABLE),
                comment: entered.comments.get(&c.key).cloned().unwrap_or_default(),
                error: errors.fields.get(&format!("score-{}", c.key)).cloned(),
                comment_error: errors.fields.get(&format!("comment-{}", c.key)).cloned(),
            }
        })
        .collect();
    Ok(ReviewPage {
        id: o.app.id,
        heading: title_for(o.app.id, blind, &applicant.name),
        program_name: program,
        cycle_name: o.cycle.cycle.name.clone(),
        blind,
        due: o.cycle.cycle.show(o.assignment.due_at),
        state: state.label(),
        locked: state == ReviewState::Submitted,
        rubric_version: o.setup.rubric_version,
        criteria,
        recommendation_question: o.setup.rubric.recommendation_question().to_owned(),
        recommendations: Recommendation::ALL
            .iter()
            .map(|r| Choice {
                value: r.as_str(),
                label: o.setup.rubric.recommendation_label(*r).to_owned(),
                checked: entered.recommendation == r.as_str(),
            })
            .collect(),
        confidences: Confidence::ALL
            .iter()
            .map(|c| Choice {
                value: c.as_str(),
                label: c.label().to_owned(),
                checked: entered.confidence == c.as_str(),
            })
            .collect(),
        overall_comment: entered.overall,
        dossier,
        others,
        show_others,
        notes,
        errors,
    })
}

#[get("/applications/<id>")]
async fn show_application(
    who: Reviewer,
    ctx: &State<Ctx>,
    chrome: Chrome,
    id: ApplicationId,
) -> Result<Template> {
    let o = open(ctx, &who, id).await?;
    let page = build_page(ctx, &o, who.0.user().id, None, FormErrors::default()).await?;
    let title = page.heading.clone();
    Ok(render("review/application", &chrome, &title, page))
}

#[derive(FromForm)]
struct ReviewForm {
    #[field(default = BTreeMap::new())]
    score: BTreeMap<String, String>,
    #[field(default = BTreeMap::new())]
    comment: BTreeMap<String, String>,
    #[field(default = String::new())]
    overall_comment: String,
    #[field(default = String::new())]
    recommendation: String,
    #[field(default = String::new())]
    confidence: String,
    #[field(default = String::new())]
    action: String,
    rubric_version: Option<String>,
}

/// Saves the review as a draft, or submits it (which locks it).
#[post("/applications/<id>", data = "<form>")]
async fn save_review(
    who: Reviewer,
    ctx: &State<Ctx>,
    chrome: Chrome,
    ip: ClientIp,
    id: ApplicationId,
    form: Form<ReviewForm>,
) -> Result<std::result::Result<Flash<Redirect>, (Status, Template)>> {
    let o = open(ctx, &who, id).await?;
    let submit = form.action == "submit";
    let input = reviewing::ReviewForm {
        score: &form.score,
        comment: &form.comment,
        overall_comment: &form.overall_comment,
        recommendation: &form.recommendation,
        confidence: &form.confidence,
        submit,
        rubric_version: form.rubric_version.as_deref(),
    };
    match reviewing::save_review(ctx, &who, &ip, &o, &input).await {
        Ok(()) if submit => Ok(Ok(Flash::success(
            Redirect::to("/review"),
            format!("Your review of application #{id} is submitted. Thank you."),
        ))),
        Ok(()) => Ok(Ok(Flash::success(
            Redirect::to(format!("/review/applications/{id}")),
            "Draft saved. You can come back to it before submitting.",
        ))),
        Err(app::Error::Invalid(errors)) => {
            let entered = Entered::from(&*form);
            let page = build_page(ctx, &o, who.0.user().id, Some(entered), errors).await?;
            let title = page.heading.clone();
            Ok(Err(invalid("review/application", &chrome, &title, page)))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(FromForm)]
struct ConflictForm {
    #[field(default = String::new())]
    reason: String,
}

/// The reviewer steps off an application they have a conflict with; the
/// program's managers are told.
#[post("/applications/<id>/conflict", data = "<form>")]
async fn declare_conflict(
    who: Reviewer,
    ctx: &State<Ctx>,
    ip: ClientIp,
    id: ApplicationId,
    form: Form<ConflictForm>,
) -> Result<Flash<Redirect>> {
    let o = open(ctx, &who, id).await?;
    match reviewing::declare_conflict(ctx, &who, &ip, &o, &form.reason).await {
        Ok(()) => Ok(Flash::success(
            Redirect::to("/review"),
            format!("Thank you. You have been taken off application #{id} and the program team has been told."),
        )),
        Err(e) => told(
            Err(e),
            Redirect::to(format!("/review/applications/{id}#conflict")),
            |()| String::new(),
        ),
    }
}

/// A document or letter of an assigned application (logged); in a blind
/// cycle renamed after its question and cleaned of metadata.
#[get("/applications/<id>/documents/<doc>")]
async fn download_document(
    who: Reviewer,
    ctx: &State<Ctx>,
    ip: ClientIp,
    id: ApplicationId,
    doc: DocumentId,
) -> Result<Sent> {
    let o = open(ctx, &who, id).await?;
    let blind = o.cycle.cycle.blind_review;
    dossier::download(
        ctx,
        id,
        o.cycle.cycle.id,
        &o.cycle.form,
        &o.app.answers,
        Audience::Reviewer { blind },
        doc,
        (who.0.user().id, ip.0.as_deref()),
    )
    .await
}
