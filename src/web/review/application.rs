//! One assigned application as its reviewer reads and scores it: the
//! answers shown to reviewers (without identifying ones in a blind cycle),
//! documents and letters (downloads logged; renamed and cleaned of
//! metadata in a blind cycle), the rubric with its guidance, the review
//! form (draft or submit, which locks), other reviews when the cycle
//! allows, and declaring a conflict.

use std::collections::BTreeMap;

use rocket::form::Form;
use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use rocket::{get, post, routes, FromForm, Route, State};
use rocket_dyn_templates::Template;
use serde::Serialize;

use super::title_for;
use crate::auth::guards::Reviewer;
use crate::db::applications::{self, Application};
use crate::db::assignments::{self, Assignment, ConflictSource};
use crate::db::cycles::{self, CycleWithForm, ReviewSetup};
use crate::db::{audit, programs, reviews, users, Db};
use crate::domain::workflow::assignment::{detect_conflict, Detected, Person};
use crate::domain::workflow::review::{may_see_other_reviews, reviewer_may_open, ReviewState};
use crate::domain::workflow::rubric::{
    read_scores, Confidence, Recommendation, Score, Scores, NOT_APPLICABLE,
};
use crate::domain::workflow::scoring::review_figures;
use crate::domain::workflow::stage::Stage;
use crate::mail::messages::{conflict_declared, ConflictDeclared, ReviewerAddress};
use crate::mail::Mail;
use crate::storage::Storage;
use crate::web::dossier::{self, Audience, Dossier};
use crate::web::download::Sent;
use crate::web::manage::review_view;
use crate::web::page::{invalid, render, Chrome, ClientIp, FormErrors};
use crate::web::{Error, Result};

pub fn routes() -> Vec<Route> {
    routes![
        show_application,
        save_review,
        declare_conflict,
        download_document
    ]
}

/// The most characters of a comment.
const MAX_COMMENT: usize = 10_000;

/// What a reviewer may open, or 404: assigned, not conflicted, still a
/// reviewer of the program, and the application still in the workflow.
struct Opened {
    app: Application,
    cycle: CycleWithForm,
    assignment: Assignment,
    setup: ReviewSetup,
}

async fn open(who: &Reviewer, db: &Db, id: i64) -> Result<Opened> {
    let me = who.0.user().id;
    let mut conn = db.conn().await?;
    let assignment = assignments::find(conn.exec(), id, me).await?;
    let conflicted = assignments::is_conflicted(conn.exec(), id, me).await?;
    if !reviewer_may_open(assignment.is_some(), conflicted) {
        return Err(Error::NotFound);
    }
    let assignment = assignment.ok_or(Error::NotFound)?;
    let app = applications::find(conn.exec(), id)
        .await?
        .ok_or(Error::NotFound)?;
    if !matches!(app.stage, Stage::Review | Stage::Committee | Stage::Decided) {
        return Err(Error::NotFound);
    }
    // Whenever they were assigned: never their own application, nor one
    // they are a referee of.
    let referees = crate::db::referees::for_application(conn.exec(), id).await?;
    let emails: Vec<&str> = referees.iter().map(|r| r.email.as_str()).collect();
    let me_as = Person {
        id: me,
        email: &who.0.user().email,
        institution: "",
    };
    let applicant = Person {
        id: app.applicant_id,
        email: "",
        institution: "",
    };
    if detect_conflict(me_as, applicant, &emails).is_some_and(Detected::is_absolute) {
        return Err(Error::NotFound);
    }
    let cycle = cycles::find(conn.exec(), app.cycle_id)
        .await?
        .ok_or(Error::NotFound)?;
    if !who.0.roles().can_review(cycle.cycle.program_id) {
        return Err(Error::NotFound);
    }
    let setup = cycles::review_setup(conn.exec(), app.cycle_id)
        .await?
        .ok_or(Error::NotFound)?;
    Ok(Opened {
        app,
        cycle,
        assignment,
        setup,
    })
}

#[derive(Serialize)]
struct LevelView {
    score: i32,
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
    label: &'static str,
    checked: bool,
}

#[derive(Serialize)]
struct ReviewPage {
    id: i64,
    heading: String,
    program_name: String,
    cycle_name: String,
    blind: bool,
    due: String,
    state: &'static str,
    locked: bool,
    criteria: Vec<CriterionField>,
    recommendations: Vec<Choice>,
    confidences: Vec<Choice>,
    overall_comment: String,
    dossier: Dossier,
    others: Vec<crate::web::manage::ReviewView>,
    show_others: bool,
    errors: FormErrors,
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

async fn build_page(
    db: &Db,
    o: &Opened,
    me: i64,
    entered: Option<Entered>,
    errors: FormErrors,
) -> Result<ReviewPage> {
    let mut conn = db.conn().await?;
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
        &o.cycle.form,
        &o.app.answers,
        Audience::Reviewer { blind },
        &format!("/review/applications/{}/documents", o.app.id),
    )
    .await?;
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
        submitted
            .iter()
            .enumerate()
            .map(|(n, r)| review_view(r, &o.setup.rubric, format!("Reviewer {}", n + 1)))
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
        criteria,
        recommendations: Recommendation::ALL
            .iter()
            .map(|r| Choice {
                value: r.as_str(),
                label: r.label(),
                checked: entered.recommendation == r.as_str(),
            })
            .collect(),
        confidences: Confidence::ALL
            .iter()
            .map(|c| Choice {
                value: c.as_str(),
                label: c.label(),
                checked: entered.confidence == c.as_str(),
            })
            .collect(),
        overall_comment: entered.overall,
        dossier,
        others,
        show_others,
        errors,
    })
}

#[get("/applications/<id>")]
async fn show_application(who: Reviewer, db: &Db, chrome: Chrome, id: i64) -> Result<Template> {
    let o = open(&who, db, id).await?;
    let page = build_page(db, &o, who.0.user().id, None, FormErrors::default()).await?;
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
}

/// Saves the review as a draft, or submits it (which locks it).
#[post("/applications/<id>", data = "<form>")]
async fn save_review(
    who: Reviewer,
    db: &Db,
    chrome: Chrome,
    ip: ClientIp,
    id: i64,
    form: Form<ReviewForm>,
) -> Result<std::result::Result<Flash<Redirect>, (Status, Template)>> {
    let o = open(&who, db, id).await?;
    let me = who.0.user().id;
    let submit = form.action == "submit";
    let rubric = &o.setup.rubric;
    let mut errors = FormErrors::default();
    // Blank radio groups are simply absent; keep only what was chosen.
    let raw: BTreeMap<String, String> = form
        .score
        .iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let scores = match read_scores(rubric, &raw, submit) {
        Ok(s) => Some(s),
        Err(e) => {
            for (key, message) in e.messages() {
                let field = if key.is_empty() {
                    "review-form".to_owned()
                } else {
                    format!("score-{key}")
                };
                errors.add(&field, message);
            }
            None
        }
    };
    let comments: BTreeMap<String, String> = form
        .comment
        .iter()
        .filter(|(k, v)| rubric.criterion(k).is_some() && !v.trim().is_empty())
        .map(|(k, v)| (k.clone(), v.trim().to_owned()))
        .collect();
    if form.comment.keys().any(|k| rubric.criterion(k).is_none()) {
        errors.add(
            "review-form",
            "The form names a criterion this cycle's rubric does not have; reload the page and try again.",
        );
    }
    for (k, v) in &comments {
        if v.chars().count() > MAX_COMMENT {
            errors.add(
                &format!("comment-{k}"),
                format!("Shorten this comment to {MAX_COMMENT} characters or fewer."),
            );
        }
    }
    let overall = form.overall_comment.trim();
    if overall.chars().count() > MAX_COMMENT {
        errors.add(
            "overall_comment",
            format!("Shorten the overall comment to {MAX_COMMENT} characters or fewer."),
        );
    }
    let recommendation = Recommendation::parse(&form.recommendation);
    if recommendation.is_none() && (submit || !form.recommendation.is_empty()) {
        errors.add("recommendation", "Choose your recommendation.");
    }
    let confidence = Confidence::parse(&form.confidence);
    if confidence.is_none() && (submit || !form.confidence.is_empty()) {
        errors.add("confidence", "Choose how confident you are in this review.");
    }
    let figures = match (&scores, submit) {
        (Some(s), true) => review_figures(rubric, s),
        _ => None,
    };
    if submit && scores.is_some() && figures.is_none() && errors.is_empty() {
        errors.add(
            "review-form",
            "Score at least one criterion; they cannot all be \u{201c}not applicable\u{201d}.",
        );
    }
    let Some(scores) = scores.filter(|_| errors.is_empty()) else {
        return refuse(db, &o, me, &form, errors, &chrome).await;
    };
    let scores_json = serde_json::to_string(&scores).map_err(anyhow::Error::from)?;
    let comments_json = serde_json::to_string(&comments).map_err(anyhow::Error::from)?;
    let written = reviews::Written {
        assignment_id: o.assignment.id,
        application_id: id,
        reviewer_id: me,
        cycle_id: o.app.cycle_id,
        scores_json: &scores_json,
        comments_json: &comments_json,
        overall_comment: overall,
        recommendation: recommendation.map_or("", Recommendation::as_str),
        confidence: confidence.map_or("", Confidence::as_str),
    };
    let now = crate::clock::now();
    let mut tx = db.begin().await?;
    let saved = reviews::save(tx.exec(), &written, figures.map(|f| (f.mean, f.total)), now).await?;
    if !saved {
        drop(tx);
        let mut errors = FormErrors::default();
        errors.add(
            "review-form",
            "This review is already submitted, so it was not changed. Ask the program team to reopen it if you need to change it.",
        );
        return refuse(db, &o, me, &form, errors, &chrome).await;
    }
    if submit {
        reviews::recompute_z(tx.exec(), o.app.cycle_id, me).await?;
    }
    let entry = audit::Entry {
        actor: Some(me),
        action: if submit {
            "review.submit"
        } else {
            "review.save"
        },
        subject: &format!("application:{id}"),
        detail: &figures.map_or_else(String::new, |f| format!("total {:.1}", f.total)),
        client_ip: ip.0.as_deref(),
    };
    audit::record(tx.exec(), &entry, now).await?;
    tx.commit().await?;
    Ok(Ok(if submit {
        Flash::success(
            Redirect::to("/review"),
            format!("Your review of application #{id} is submitted. Thank you."),
        )
    } else {
        Flash::success(
            Redirect::to(format!("/review/applications/{id}")),
            "Draft saved. You can come back to it before submitting.",
        )
    }))
}

/// The review page again with what was typed and why it was refused.
async fn refuse(
    db: &Db,
    o: &Opened,
    me: i64,
    form: &ReviewForm,
    errors: FormErrors,
    chrome: &Chrome,
) -> Result<std::result::Result<Flash<Redirect>, (Status, Template)>> {
    let entered = Entered {
        scores: form.score.clone(),
        comments: form.comment.clone(),
        overall: form.overall_comment.clone(),
        recommendation: form.recommendation.clone(),
        confidence: form.confidence.clone(),
    };
    let page = build_page(db, o, me, Some(entered), errors).await?;
    let title = page.heading.clone();
    Ok(Err(invalid("review/application", chrome, &title, page)))
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
    db: &Db,
    mail: &State<Mail>,
    ip: ClientIp,
    id: i64,
    form: Form<ConflictForm>,
) -> Result<Flash<Redirect>> {
    let o = open(&who, db, id).await?;
    let me = who.0.user();
    let reason = form.reason.trim();
    if reason.is_empty() || reason.chars().count() > 2000 {
        return Ok(Flash::error(
            Redirect::to(format!("/review/applications/{id}#conflict")),
            "Say briefly what the conflict is (up to 2,000 characters); only the program team sees it.",
        ));
    }
    let now = crate::clock::now();
    let mut tx = db.begin().await?;
    assignments::record_conflict(
        tx.exec(),
        id,
        me.id,
        ConflictSource::Declared,
        reason,
        me.id,
        now,
    )
    .await?;
    reviews::recompute_z(tx.exec(), o.app.cycle_id, me.id).await?;
    let remaining = assignments::of_application(tx.exec(), id).await?.len();
    let program = programs::name_of(tx.exec(), o.cycle.cycle.program_id).await?;
    let facts = ConflictDeclared {
        reviewer: &me.name,
        reference: format!("#{id}"),
        program: &program,
        cycle: &o.cycle.cycle.name,
        reason,
        remaining,
        one_left: remaining == 1,
    };
    for (mid, name, email) in assignments::managers_of(tx.exec(), o.cycle.cycle.program_id).await? {
        let to = ReviewerAddress {
            id: mid,
            name: &name,
            email: &email,
        };
        conflict_declared(tx.exec(), mail, &to, id, me.id, &facts, now).await?;
    }
    let entry = audit::Entry {
        actor: Some(me.id),
        action: "conflict.declare",
        subject: &format!("application:{id}"),
        detail: reason,
        client_ip: ip.0.as_deref(),
    };
    audit::record(tx.exec(), &entry, now).await?;
    tx.commit().await?;
    mail.wake();
    Ok(Flash::success(
        Redirect::to("/review"),
        format!("Thank you. You have been taken off application #{id} and the program team has been told."),
    ))
}

/// A document or letter of an assigned application (logged); in a blind
/// cycle renamed after its question and cleaned of metadata.
#[get("/applications/<id>/documents/<doc>")]
async fn download_document(
    who: Reviewer,
    db: &Db,
    storage: &State<Storage>,
    ip: ClientIp,
    id: i64,
    doc: i64,
) -> Result<Sent> {
    let o = open(&who, db, id).await?;
    let blind = o.cycle.cycle.blind_review;
    let mut conn = db.conn().await?;
    dossier::download(
        &mut conn,
        storage,
        id,
        &o.cycle.form,
        &o.app.answers,
        Audience::Reviewer { blind },
        doc,
        (who.0.user().id, ip.0.as_deref()),
    )
    .await
}
