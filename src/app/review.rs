//! A reviewer's work on an assigned application: opening it (assigned,
//! not conflicted, still a reviewer of the program, the application still
//! in the workflow), saving a draft or submitting the review (which locks
//! it), declaring a conflict (the program's managers are told), and their
//! institution; and a manager reopening a submitted review.

use std::collections::BTreeMap;

use crate::auth::guards::{ClientIp, Manager, Reviewer};
use crate::context::Ctx;
use crate::db::applications::{self, Application};
use crate::db::assignments::{self, Assignment, ConflictSource};
use crate::db::cycles::{self, CycleWithForm, ReviewSetup};
use crate::db::{profiles, programs, reviews, rubrics};
use crate::domain::application::ApplicationId;
use crate::domain::workflow::assignment::{detect_conflict, Detected, Person};
use crate::domain::workflow::review::reviewer_may_open;
use crate::domain::workflow::rubric::{read_scores, Confidence, Recommendation};
use crate::domain::workflow::scoring::review_figures;
use crate::domain::workflow::stage::Stage;
use crate::mail::messages::{conflict_declared, ConflictDeclared, ReviewerAddress};

use super::{access, By, Error, FormErrors, Result};

/// The most characters of a comment.
pub const MAX_COMMENT: usize = 10_000;

/// An application its reviewer may open, with what the review needs.
pub struct Opened {
    pub app: Application,
    pub cycle: CycleWithForm,
    pub assignment: Assignment,
    /// The cycle's review settings, with the rubric this review is
    /// written under: the version its review was started under, or the
    /// cycle's current one when it is not started.
    pub setup: ReviewSetup,
}

/// Application `id`, if `who` may review it: assigned, not conflicted,
/// still a reviewer of the program, never their own application nor one
/// they are a referee of, and the application still in the workflow.
/// Anything else is [`Error::NotFound`].
#[tracing::instrument(skip_all, fields(id = %id))]
pub async fn open(ctx: &Ctx, who: &Reviewer, id: ApplicationId) -> Result<Opened> {
    let me = who.0.user().id;
    let mut conn = ctx.conn().await?;
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
    let mut cycle = cycles::find(conn.exec(), app.cycle_id)
        .await?
        .ok_or(Error::NotFound)?;
    super::access::as_answered(conn.exec(), &app, &mut cycle).await?;
    if !who.0.roles().can_review(cycle.cycle.program_id) {
        return Err(Error::NotFound);
    }
    let mut setup = cycles::review_setup(conn.exec(), app.cycle_id)
        .await?
        .ok_or(Error::NotFound)?;
    let started = reviews::for_assignment(conn.exec(), assignment.id).await?;
    if let Some(own) = started.filter(|r| r.rubric_version != setup.rubric_version) {
        setup.rubric = rubrics::find(conn.exec(), app.cycle_id, own.rubric_version)
            .await?
            .ok_or_else(|| {
                anyhow::anyhow!(
                    "review {} names rubric version {}, which cycle {} lacks",
                    own.id,
                    own.rubric_version,
                    app.cycle_id
                )
            })?;
        setup.rubric_version = own.rubric_version;
    }
    Ok(Opened {
        app,
        cycle,
        assignment,
        setup,
    })
}

/// The review form, as typed.
pub struct ReviewForm<'a> {
    /// Score per criterion key (a level, or "n/a").
    pub score: &'a BTreeMap<String, String>,
    /// Comment per criterion key.
    pub comment: &'a BTreeMap<String, String>,
    pub overall_comment: &'a str,
    pub recommendation: &'a str,
    pub confidence: &'a str,
    /// Submit (which locks the review) rather than keep a draft.
    pub submit: bool,
    /// The rubric version the form was built from, when it says.
    pub rubric_version: Option<&'a str>,
}

/// Saves `who`'s review of the opened application as a draft, or submits
/// it (recomputing their normalised scores). Refuses, field by field,
/// scores the rubric does not allow (all of them, when submitting), a
/// criterion the rubric does not have, over-long comments, a missing
/// recommendation or confidence on submission, a submission with nothing
/// scored, and any change to a review already submitted.
#[tracing::instrument(skip_all)]
pub async fn save_review(
    ctx: &Ctx,
    who: &Reviewer,
    ip: &ClientIp,
    o: &Opened,
    form: &ReviewForm<'_>,
) -> Result<()> {
    let me = who.0.user().id;
    let id = o.app.id;
    let submit = form.submit;
    let rubric = &o.setup.rubric;
    let mut errors = FormErrors::default();
    let shown = form.rubric_version.map(|v| v.trim().parse::<i64>().ok());
    if shown.is_some_and(|v| v != Some(o.setup.rubric_version)) {
        return Err(Error::invalid(
            "review-form",
            "The program team changed this cycle's rubric after you opened this page, so nothing was saved. The form below now shows the rubric your review is scored against; check your scores and save again.",
        ));
    }
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
    let recommendation = Recommendation::parse(form.recommendation);
    if recommendation.is_none() && (submit || !form.recommendation.is_empty()) {
        errors.add("recommendation", "Choose your recommendation.");
    }
    let confidence = Confidence::parse(form.confidence);
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
        return Err(Error::Invalid(errors));
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
        rubric_version: o.setup.rubric_version,
    };
    let now = ctx.now();
    let mut tx = ctx.begin().await?;
    let saved = reviews::save(tx.exec(), &written, figures.map(|f| (f.mean, f.total)), now).await?;
    if !saved {
        return Err(Error::invalid(
            "review-form",
            "This review is already submitted, so it was not changed. Ask the program team to reopen it if you need to change it.",
        ));
    }
    if submit {
        reviews::recompute_z(tx.exec(), o.app.cycle_id, me).await?;
    }
    By::user(me, ip.as_deref())
        .audit(
            tx.exec(),
            if submit {
                "review.submit"
            } else {
                "review.save"
            },
            &format!("application:{id}"),
            &figures.map_or_else(String::new, |f| format!("total {:.1}", f.total)),
            now,
        )
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Takes `who` off the opened application for a conflict in their words
/// (recomputing their normalised scores) and tells the program's
/// managers. Refuses an empty reason or one over 2,000 characters.
#[tracing::instrument(skip_all)]
pub async fn declare_conflict(
    ctx: &Ctx,
    who: &Reviewer,
    ip: &ClientIp,
    o: &Opened,
    reason: &str,
) -> Result<()> {
    let me = who.0.user();
    let id = o.app.id;
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 2000 {
        return Err(Error::refused(
            "Say briefly what the conflict is (up to 2,000 characters); only the program team sees it.",
        ));
    }
    let now = ctx.now();
    let mut tx = ctx.begin().await?;
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
        conflict_declared(tx.exec(), &ctx.mail, &to, id, me.id, &facts, now).await?;
    }
    By::user(me.id, ip.as_deref())
        .audit(
            tx.exec(),
            "conflict.declare",
            &format!("application:{id}"),
            reason,
            now,
        )
        .await?;
    tx.commit().await?;
    ctx.wake();
    Ok(())
}

/// Keeps `who`'s institution, so that automatic assignment never gives
/// them an applicant from it. Refuses a name over 200 characters.
#[tracing::instrument(skip_all)]
pub async fn save_institution(ctx: &Ctx, who: &Reviewer, institution: &str) -> Result<()> {
    let me = who.0.user().id;
    let institution = institution.trim();
    if institution.chars().count() > 200 {
        return Err(Error::refused(
            "Shorten the institution's name to 200 characters or fewer.",
        ));
    }
    let now = ctx.now();
    let mut tx = ctx.begin().await?;
    let mut profile = profiles::get(tx.exec(), me).await?;
    profile.institution = institution.to_owned();
    profiles::put(tx.exec(), me, &profile, now).await?;
    tx.commit().await?;
    Ok(())
}

/// A review a manager may act on, with its application's cycle.
pub struct ManagedReview {
    pub review: reviews::Review,
    pub cycle: CycleWithForm,
}

/// Review `rid`, if `who` may act on its application (see
/// [`access::application_for_manager`]).
#[tracing::instrument(skip_all)]
pub async fn review_for_manager(ctx: &Ctx, who: &Manager, rid: i64) -> Result<ManagedReview> {
    let review = {
        let mut conn = ctx.conn().await?;
        reviews::find(conn.exec(), rid)
            .await?
            .ok_or(Error::NotFound)?
    };
    let (_, cycle) = access::application_for_manager(ctx, who, review.application_id).await?;
    Ok(ManagedReview { review, cycle })
}

/// Turns the submitted review `r` back into a draft its reviewer can
/// change, recording `reason`, and recomputes the reviewer's normalised
/// scores. Refuses a review that is not submitted.
#[tracing::instrument(skip_all)]
pub async fn reopen(
    ctx: &Ctx,
    who: &Manager,
    ip: &ClientIp,
    r: &ManagedReview,
    reason: &str,
) -> Result<()> {
    let review = &r.review;
    let rid = review.id;
    let now = ctx.now();
    let mut tx = ctx.begin().await?;
    if !reviews::reopen(tx.exec(), rid, now).await? {
        return Err(Error::refused("That review is not submitted."));
    }
    reviews::recompute_z(tx.exec(), r.cycle.cycle.id, review.reviewer_id).await?;
    By::user(who.0.user().id, ip.as_deref())
        .audit(
            tx.exec(),
            "review.reopen",
            &format!("application:{}", review.application_id),
            &format!(
                "review {rid} by reviewer {}: {}",
                review.reviewer_id,
                reason.trim()
            ),
            now,
        )
        .await?;
    tx.commit().await?;
    Ok(())
}
