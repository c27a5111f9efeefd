//! One application as its manager works on it: the dossier, screening,
//! stage moves, reviewer assignments and conflicts, the reviews with their
//! figures, reopening a review, and the history.

use std::collections::{BTreeMap, BTreeSet};

use rocket::form::Form;
use rocket::response::{Flash, Redirect};
use rocket::{get, post, routes, FromForm, Route, State};
use rocket_dyn_templates::Template;
use serde::Serialize;

use super::{audit_action, default_due, load_application, load_cycle, load_setup, read_due};
use crate::auth::guards::Manager;
use crate::db::assignments::{self, ConflictSource};
use crate::db::{applications, documents, reviews, users, Db};
use crate::domain::workflow::decision::{offer_state, Outcome};
use crate::domain::workflow::review::{is_overdue, IneligibleReason, ReviewState};
use crate::domain::workflow::rubric::{Confidence, Recommendation, Rubric, Score, Scores};
use crate::domain::workflow::scoring::{aggregate_one, SubmittedReview};
use crate::domain::workflow::stage::{apply, Actor, Move, Stage};
use crate::mail::Mail;
use crate::storage::Storage;
use crate::web::dossier::{self, Audience, Dossier};
use crate::web::download::{send, SendError, Sent};
use crate::web::page::{render, Chrome, ClientIp};
use crate::web::{Error, Result};

pub fn routes() -> Vec<Route> {
    routes![
        show_application,
        screen_application,
        move_application,
        assign_reviewer,
        unassign_reviewer,
        reassign_reviewer,
        record_conflict,
        reopen_review,
        download_document
    ]
}

#[derive(Serialize)]
struct Option_ {
    value: String,
    label: String,
}

#[derive(Serialize)]
struct AssignmentView {
    reviewer_id: i64,
    reviewer_name: String,
    due: String,
    state: &'static str,
    overdue: bool,
}

#[derive(Serialize)]
struct ConflictView {
    reviewer_name: String,
    source: &'static str,
    reason: String,
    when: String,
}

#[derive(Serialize)]
pub(crate) struct CriterionScore {
    pub label: String,
    pub score: String,
    pub comment: String,
}

#[derive(Serialize)]
pub(crate) struct ReviewView {
    pub id: i64,
    pub reviewer_name: String,
    pub submitted: bool,
    pub state: &'static str,
    pub recommendation: String,
    pub confidence: String,
    pub overall_comment: String,
    pub total: Option<String>,
    pub criteria: Vec<CriterionScore>,
}

/// A stored review in words, criterion by criterion in rubric order.
pub(crate) fn review_view(
    r: &reviews::Review,
    rubric: &Rubric,
    reviewer_name: String,
) -> ReviewView {
    let scores: Scores = serde_json::from_str(&r.scores_json).unwrap_or_default();
    let comments: BTreeMap<String, String> =
        serde_json::from_str(&r.comments_json).unwrap_or_default();
    ReviewView {
        id: r.id,
        reviewer_name,
        submitted: r.state == "submitted",
        state: ReviewState::from_stored(Some(&r.state)).label(),
        recommendation: Recommendation::parse(&r.recommendation)
            .map(|x| x.label().to_owned())
            .unwrap_or_default(),
        confidence: Confidence::parse(&r.confidence)
            .map(|x| x.label().to_owned())
            .unwrap_or_default(),
        overall_comment: r.overall_comment.clone(),
        total: r.score_total.map(|t| format!("{t:.1}")),
        criteria: rubric
            .criteria
            .iter()
            .map(|c| CriterionScore {
                label: c.label.clone(),
                score: match scores.get(&c.key) {
                    Some(Score::Points(p)) => format!("{p} of {}–{}", c.min, c.max),
                    Some(Score::NotApplicable) => "Not applicable".into(),
                    None => "Not scored".into(),
                },
                comment: comments.get(&c.key).cloned().unwrap_or_default(),
            })
            .collect(),
    }
}

#[derive(Serialize)]
struct FigureRow {
    label: String,
    mean: String,
}

#[derive(Serialize)]
struct Figures {
    review_count: usize,
    mean: String,
    total: String,
    range: String,
    sd: String,
    normalised: String,
    disagreement: bool,
    criteria: Vec<FigureRow>,
}

#[derive(Serialize)]
struct EventView {
    when: String,
    from: String,
    to: String,
    by: String,
    note: String,
}

#[derive(Serialize)]
struct OutcomeChoice {
    value: &'static str,
    label: &'static str,
    checked: bool,
}

#[derive(Serialize)]
struct DecisionView {
    label: &'static str,
    note: String,
    released: bool,
    offer: Option<&'static str>,
    offer_deadline: String,
}

#[derive(Serialize)]
struct ApplicationPage {
    id: i64,
    cycle_id: i64,
    cycle_name: String,
    blind: bool,
    applicant_name: String,
    applicant_email: String,
    institution: String,
    stage: &'static str,
    submitted: String,
    can_screen: bool,
    can_start_screening: bool,
    can_send_to_committee: bool,
    in_review: bool,
    reasons: Vec<Option_>,
    ineligible_reason: Option<String>,
    screening_note: String,
    reason_shared: bool,
    assignments: Vec<AssignmentView>,
    assignable: Vec<Option_>,
    reviewers: Vec<Option_>,
    conflicts: Vec<ConflictView>,
    reviews: Vec<ReviewView>,
    figures: Option<Figures>,
    dossier: Dossier,
    events: Vec<EventView>,
    due: String,
    can_decide: bool,
    decision: Option<DecisionView>,
    /// The decision's version as loaded (empty: none), sent back with the form.
    decision_version: String,
    outcomes: Vec<OutcomeChoice>,
    decision_history: Vec<EventView>,
}

#[get("/applications/<id>")]
async fn show_application(who: Manager, db: &Db, chrome: Chrome, id: i64) -> Result<Template> {
    let (app, c) = load_application(&who, db, id).await?;
    let setup = load_setup(db, c.cycle.id).await?;
    let now = crate::clock::now();
    let mut conn = db.conn().await?;
    let applicant = users::find(conn.exec(), app.applicant_id)
        .await?
        .ok_or(Error::NotFound)?;
    let screening = applications::screening(conn.exec(), id).await?;
    let held = assignments::of_application(conn.exec(), id).await?;
    let reviewers = assignments::reviewers_of(conn.exec(), c.cycle.program_id).await?;
    let conflicts = assignments::conflicts_of(conn.exec(), id).await?;
    let stored_reviews = reviews::of_application(conn.exec(), id).await?;
    let events = applications::events(conn.exec(), id).await?;
    let decision = crate::db::decisions::find(conn.exec(), id).await?;
    let decision_history = crate::db::decisions::events(conn.exec(), id).await?;
    let dossier = dossier::build(
        &mut conn,
        id,
        &c.form,
        &app.answers,
        Audience::Manager,
        &format!("/manage/applications/{id}/documents"),
    )
    .await?;

    // Figures from the submitted reviews, normalised against each
    // reviewer's whole cycle.
    let submitted: Vec<SubmittedReview> = stored_reviews
        .iter()
        .filter(|r| r.state == "submitted")
        .filter_map(|r| {
            Some(SubmittedReview {
                application: id,
                reviewer: r.reviewer_id,
                scores: serde_json::from_str(&r.scores_json).ok()?,
                total: r.score_total?,
                mean: r.score_mean?,
            })
        })
        .collect();
    let reviewer_ids: Vec<i64> = submitted.iter().map(|r| r.reviewer).collect();
    let stats: BTreeMap<i64, _> = reviews::reviewer_stats(conn.exec(), c.cycle.id, &reviewer_ids)
        .await?
        .into_iter()
        .collect();
    let scale = reviews::cycle_scale(conn.exec(), c.cycle.id).await?;
    let figures = aggregate_one(
        &setup.rubric,
        setup.settings.disagreement_threshold,
        &submitted,
        &stats,
        &scale,
    )
    .map(|f| Figures {
        review_count: f.review_count,
        mean: format!("{:.1}", f.mean),
        total: format!("{:.1}", f.weighted_total),
        range: format!("{:.1}", f.range),
        sd: format!("{:.1}", f.sd),
        normalised: format!("{:.1}", f.normalised),
        disagreement: f.disagreement,
        criteria: f
            .criterion_means
            .iter()
            .map(|(key, mean)| FigureRow {
                label: setup
                    .rubric
                    .criterion(key)
                    .map_or_else(|| key.clone(), |c| c.label.clone()),
                mean: mean.map_or_else(|| "—".into(), |m| format!("{m:.2}")),
            })
            .collect(),
    });

    let taken: BTreeSet<i64> = held
        .iter()
        .map(|a| a.reviewer_id)
        .chain(conflicts.iter().map(|k| k.reviewer_id))
        .collect();
    let page = ApplicationPage {
        id,
        cycle_id: c.cycle.id,
        cycle_name: c.cycle.name.clone(),
        blind: c.cycle.blind_review,
        applicant_name: applicant.name,
        applicant_email: applicant.email,
        institution: screening.institution,
        stage: app.stage.label(),
        submitted: app
            .submitted_at
            .map(|t| c.cycle.show(t))
            .unwrap_or_default(),
        can_screen: matches!(app.stage, Stage::Submitted | Stage::Screening),
        can_start_screening: app.stage == Stage::Submitted,
        can_send_to_committee: app.stage == Stage::Review,
        in_review: app.stage == Stage::Review,
        reasons: IneligibleReason::ALL
            .iter()
            .map(|r| Option_ {
                value: r.as_str().into(),
                label: r.label().into(),
            })
            .collect(),
        ineligible_reason: (app.stage == Stage::Ineligible).then(|| {
            IneligibleReason::parse(&screening.screening_reason)
                .map_or_else(String::new, |r| r.label().to_owned())
        }),
        screening_note: screening.screening_note,
        reason_shared: screening.screening_reason_shared,
        assignments: held
            .iter()
            .map(|a| {
                let state = ReviewState::from_stored(a.review_state.as_deref());
                AssignmentView {
                    reviewer_id: a.reviewer_id,
                    reviewer_name: a.reviewer_name.clone(),
                    due: c.cycle.show(a.due_at),
                    state: state.label(),
                    overdue: is_overdue(a.due_at, state, now),
                }
            })
            .collect(),
        assignable: reviewers
            .iter()
            .filter(|r| !taken.contains(&r.id))
            .map(|r| Option_ {
                value: r.id.to_string(),
                label: r.name.clone(),
            })
            .collect(),
        reviewers: reviewers
            .iter()
            .filter(|r| !conflicts.iter().any(|k| k.reviewer_id == r.id))
            .map(|r| Option_ {
                value: r.id.to_string(),
                label: r.name.clone(),
            })
            .collect(),
        conflicts: conflicts
            .iter()
            .map(|k| ConflictView {
                reviewer_name: k.reviewer_name.clone(),
                source: if k.source == "declared" {
                    "Declared by the reviewer"
                } else {
                    "Recorded by a manager"
                },
                reason: k.reason.clone(),
                when: c.cycle.show(k.created_at),
            })
            .collect(),
        reviews: stored_reviews
            .iter()
            .map(|r| review_view(r, &setup.rubric, r.reviewer_name.clone()))
            .collect(),
        figures,
        dossier,
        events: events
            .iter()
            .map(|e| EventView {
                when: c.cycle.show(e.created_at),
                from: e.from_stage.clone().unwrap_or_default(),
                to: e.to_stage.clone(),
                by: e.actor_role.clone(),
                note: e.note.clone(),
            })
            .collect(),
        due: default_due(&c.cycle, now),
        can_decide: matches!(app.stage, Stage::Review | Stage::Committee | Stage::Decided)
            && decision.as_ref().is_none_or(|d| d.offer_answer.is_none()),
        decision_version: decision
            .as_ref()
            .map(|d| d.version.to_string())
            .unwrap_or_default(),
        outcomes: Outcome::ALL
            .iter()
            .map(|o| OutcomeChoice {
                value: o.as_str(),
                label: o.label(),
                checked: decision.as_ref().is_some_and(|d| d.outcome == o.as_str()),
            })
            .collect(),
        decision: decision.as_ref().map(|d| DecisionView {
            label: Outcome::parse(&d.outcome).map_or("", Outcome::label),
            note: d.note.clone(),
            released: d.released_at.is_some(),
            offer: match (d.outcome.as_str(), d.released_at, d.offer_deadline) {
                ("accepted", Some(_), Some(by)) => {
                    Some(offer_state(d.offer_answer.as_deref(), by, now).label())
                }
                _ => None,
            },
            offer_deadline: d
                .offer_deadline
                .map(|t| c.cycle.show(t))
                .unwrap_or_default(),
        }),
        decision_history: decision_history
            .iter()
            .map(|e| EventView {
                when: c.cycle.show(e.created_at),
                from: e.what.replace('_', " "),
                to: Outcome::parse(&e.outcome).map_or_else(String::new, |o| o.label().to_owned()),
                by: e.actor_name.clone().unwrap_or_default(),
                note: e.note.clone(),
            })
            .collect(),
    };
    let title = format!("Application #{id}");
    Ok(render("manage/application", &chrome, &title, page))
}

fn back(id: i64) -> Redirect {
    Redirect::to(format!("/manage/applications/{id}"))
}

#[derive(FromForm)]
struct ScreenForm {
    #[field(default = String::new())]
    outcome: String,
    #[field(default = String::new())]
    reason: String,
    #[field(default = String::new())]
    note: String,
    #[field(default = false)]
    share: bool,
}

/// Eligible moves the application to review; ineligible needs a reason
/// from the list, and the applicant sees the reason only if shared.
#[post("/applications/<id>/screen", data = "<form>")]
async fn screen_application(
    who: Manager,
    db: &Db,
    ip: ClientIp,
    id: i64,
    form: Form<ScreenForm>,
) -> Result<Flash<Redirect>> {
    let (app, _) = load_application(&who, db, id).await?;
    let note = form.note.trim();
    let (mv, reason) = match form.outcome.as_str() {
        "eligible" => (Move::MarkEligible, None),
        "ineligible" => match IneligibleReason::parse(&form.reason) {
            Some(r) if r != IneligibleReason::Other || !note.is_empty() => {
                (Move::MarkIneligible, Some(r))
            }
            Some(_) => {
                return Ok(Flash::error(
                    back(id),
                    "Say in the note why the application is ineligible when the reason is “Another reason”.",
                ))
            }
            None => {
                return Ok(Flash::error(
                    back(id),
                    "Choose why the application is ineligible.",
                ))
            }
        },
        _ => {
            return Ok(Flash::error(
                back(id),
                "Choose whether the application is eligible.",
            ))
        }
    };
    let to = match apply(app.stage, mv, Actor::Manager) {
        Ok(to) => to,
        Err(e) => return Ok(Flash::error(back(id), e.to_string())),
    };
    let now = crate::clock::now();
    let me = who.0.user().id;
    let mut tx = db.begin().await?;
    if !applications::move_stage(
        tx.exec(),
        id,
        app.stage,
        to,
        mv,
        Some(me),
        Actor::Manager,
        note,
        now,
    )
    .await?
    {
        return Ok(Flash::error(
            back(id),
            "Someone changed this application meanwhile; nothing was saved. Check it and try again.",
        ));
    }
    if let Some(r) = reason {
        applications::set_screening(tx.exec(), id, r.as_str(), note, form.share).await?;
    }
    let detail = match reason {
        Some(r) => format!(
            "ineligible: {}{}",
            r.as_str(),
            if form.share { " (reason shared)" } else { "" }
        ),
        None => "eligible".to_owned(),
    };
    audit_action(
        tx.exec(),
        &who,
        &ip,
        "application.screen",
        &format!("application:{id}"),
        &detail,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Flash::success(
        back(id),
        match reason {
            Some(_) => "Marked ineligible.",
            None => "Marked eligible: the application is now in review.",
        },
    ))
}

#[derive(FromForm)]
struct MoveForm {
    #[field(default = String::new())]
    r#move: String,
    #[field(default = String::new())]
    note: String,
}

/// Starts screening or sends the application to the committee.
#[post("/applications/<id>/move", data = "<form>")]
async fn move_application(
    who: Manager,
    db: &Db,
    ip: ClientIp,
    id: i64,
    form: Form<MoveForm>,
) -> Result<Flash<Redirect>> {
    let (app, _) = load_application(&who, db, id).await?;
    let mv = match form.r#move.as_str() {
        "start_screening" => Move::StartScreening,
        "send_to_committee" => Move::SendToCommittee,
        _ => return Ok(Flash::error(back(id), "Choose a move.")),
    };
    let to = match apply(app.stage, mv, Actor::Manager) {
        Ok(to) => to,
        Err(e) => return Ok(Flash::error(back(id), e.to_string())),
    };
    let now = crate::clock::now();
    let mut tx = db.begin().await?;
    let note = form.note.trim();
    if !applications::move_stage(
        tx.exec(),
        id,
        app.stage,
        to,
        mv,
        Some(who.0.user().id),
        Actor::Manager,
        note,
        now,
    )
    .await?
    {
        return Ok(Flash::error(
            back(id),
            "Someone changed this application meanwhile; nothing was saved. Check it and try again.",
        ));
    }
    let detail = format!("{} -> {}", app.stage.as_str(), to.as_str());
    audit_action(
        tx.exec(),
        &who,
        &ip,
        "application.move",
        &format!("application:{id}"),
        &detail,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Flash::success(
        back(id),
        format!("Moved to: {}.", to.label()),
    ))
}

#[derive(FromForm)]
struct AssignForm {
    /// A reviewer's id, or empty when none is chosen.
    #[field(default = String::new())]
    reviewer: String,
    #[field(default = String::new())]
    due: String,
}

/// Assigns one reviewer to this application.
#[post("/applications/<id>/assign", data = "<form>")]
async fn assign_reviewer(
    who: Manager,
    db: &Db,
    mail: &State<Mail>,
    ip: ClientIp,
    id: i64,
    form: Form<AssignForm>,
) -> Result<Flash<Redirect>> {
    let (_, c) = load_application(&who, db, id).await?;
    let Ok(reviewer) = form.reviewer.trim().parse::<i64>() else {
        return Ok(Flash::error(back(id), "Choose the reviewer to assign."));
    };
    let now = crate::clock::now();
    let due = match read_due(&c.cycle, &form.due, now) {
        Ok(d) => d,
        Err(m) => return Ok(Flash::error(back(id), m)),
    };
    let outcome =
        super::assign::assign_manually(db, mail, &who, &ip, &c, &[id], reviewer, due, now).await?;
    Ok(match outcome {
        Ok(m) => Flash::success(back(id), m),
        Err(m) => Flash::error(back(id), m),
    })
}

#[derive(FromForm)]
struct ReviewerForm {
    /// A reviewer's id, or empty when none is chosen.
    #[field(default = String::new())]
    reviewer: String,
    #[field(default = String::new())]
    reason: String,
}

/// Takes a reviewer off the application, with their review if any.
#[post("/applications/<id>/unassign", data = "<form>")]
async fn unassign_reviewer(
    who: Manager,
    db: &Db,
    ip: ClientIp,
    id: i64,
    form: Form<ReviewerForm>,
) -> Result<Flash<Redirect>> {
    let (_, c) = load_application(&who, db, id).await?;
    let Ok(reviewer) = form.reviewer.trim().parse::<i64>() else {
        return Ok(Flash::error(back(id), "Choose the reviewer to remove."));
    };
    let now = crate::clock::now();
    let mut tx = db.begin().await?;
    if !assignments::remove(tx.exec(), id, reviewer).await? {
        return Ok(Flash::error(
            back(id),
            "That reviewer was not assigned to this application.",
        ));
    }
    reviews::recompute_z(tx.exec(), c.cycle.id, reviewer).await?;
    audit_action(
        tx.exec(),
        &who,
        &ip,
        "assignment.remove",
        &format!("application:{id}"),
        &format!("reviewer {reviewer}"),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Flash::success(
        back(id),
        "The reviewer was taken off this application.",
    ))
}

#[derive(FromForm)]
struct ReassignForm {
    #[field(default = String::new())]
    from: String,
    #[field(default = String::new())]
    to: String,
}

/// Hands one reviewer's assignment to another, keeping the due date. The
/// new reviewer is assigned first (with the same checks as any
/// assignment); only then is the old one taken off.
#[post("/applications/<id>/reassign", data = "<form>")]
async fn reassign_reviewer(
    who: Manager,
    db: &Db,
    mail: &State<Mail>,
    ip: ClientIp,
    id: i64,
    form: Form<ReassignForm>,
) -> Result<Flash<Redirect>> {
    let (_, c) = load_application(&who, db, id).await?;
    let (Ok(from), Ok(to)) = (
        form.from.trim().parse::<i64>(),
        form.to.trim().parse::<i64>(),
    ) else {
        return Ok(Flash::error(
            back(id),
            "Choose who should take over the review.",
        ));
    };
    let current = {
        let mut conn = db.conn().await?;
        assignments::find(conn.exec(), id, from).await?
    };
    let Some(current) = current else {
        return Ok(Flash::error(
            back(id),
            "That reviewer is no longer assigned to this application.",
        ));
    };
    let now = crate::clock::now();
    let due = current.due_at.max(now + chrono::Duration::days(1));
    if let Err(m) =
        super::assign::assign_manually(db, mail, &who, &ip, &c, &[id], to, due, now).await?
    {
        return Ok(Flash::error(back(id), m));
    }
    let mut tx = db.begin().await?;
    if assignments::remove(tx.exec(), id, from).await? {
        reviews::recompute_z(tx.exec(), c.cycle.id, from).await?;
    }
    audit_action(
        tx.exec(),
        &who,
        &ip,
        "assignment.reassign",
        &format!("application:{id}"),
        &format!("reviewer {from} -> {to}"),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Flash::success(back(id), "The review was reassigned."))
}

/// Records that a reviewer must not review this application (withdrawing
/// any assignment).
#[post("/applications/<id>/conflicts", data = "<form>")]
async fn record_conflict(
    who: Manager,
    db: &Db,
    ip: ClientIp,
    id: i64,
    form: Form<ReviewerForm>,
) -> Result<Flash<Redirect>> {
    let (_, c) = load_application(&who, db, id).await?;
    let Ok(reviewer) = form.reviewer.trim().parse::<i64>() else {
        return Ok(Flash::error(back(id), "Choose the reviewer in conflict."));
    };
    let reason = form.reason.trim();
    if reason.is_empty() {
        return Ok(Flash::error(
            back(id),
            "Say what the conflict is; it is recorded.",
        ));
    }
    let now = crate::clock::now();
    let mut tx = db.begin().await?;
    let reviewers = assignments::reviewers_of(tx.exec(), c.cycle.program_id).await?;
    if !reviewers.iter().any(|r| r.id == reviewer) {
        return Ok(Flash::error(
            back(id),
            "That person is not a reviewer of this program.",
        ));
    }
    assignments::record_conflict(
        tx.exec(),
        id,
        reviewer,
        ConflictSource::Recorded,
        reason,
        who.0.user().id,
        now,
    )
    .await?;
    reviews::recompute_z(tx.exec(), c.cycle.id, reviewer).await?;
    audit_action(
        tx.exec(),
        &who,
        &ip,
        "conflict.record",
        &format!("application:{id}"),
        &format!("reviewer {reviewer}: {reason}"),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Flash::success(
        back(id),
        "Conflict recorded; that reviewer will not see this application.",
    ))
}

/// Turns a submitted review back into a draft its reviewer can change.
#[post("/reviews/<rid>/reopen", data = "<form>")]
async fn reopen_review(
    who: Manager,
    db: &Db,
    ip: ClientIp,
    rid: i64,
    form: Form<ReviewerForm>,
) -> Result<Flash<Redirect>> {
    let review = {
        let mut conn = db.conn().await?;
        reviews::find(conn.exec(), rid)
            .await?
            .ok_or(Error::NotFound)?
    };
    let (_, c) = load_application(&who, db, review.application_id).await?;
    let id = review.application_id;
    let now = crate::clock::now();
    let mut tx = db.begin().await?;
    if !reviews::reopen(tx.exec(), rid, now).await? {
        return Ok(Flash::error(back(id), "That review is not submitted."));
    }
    reviews::recompute_z(tx.exec(), c.cycle.id, review.reviewer_id).await?;
    audit_action(
        tx.exec(),
        &who,
        &ip,
        "review.reopen",
        &format!("application:{id}"),
        &format!(
            "review {rid} by reviewer {}: {}",
            review.reviewer_id,
            form.reason.trim()
        ),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Flash::success(
        back(id),
        format!(
            "{}’s review is open again; they can change and resubmit it.",
            review.reviewer_name
        ),
    ))
}

/// A document or letter of the application, for its manager (logged).
#[get("/applications/<id>/documents/<doc>")]
async fn download_document(
    who: Manager,
    db: &Db,
    storage: &State<Storage>,
    ip: ClientIp,
    id: i64,
    doc: i64,
) -> Result<Sent> {
    let (app, c) = load_application(&who, db, id).await?;
    let _ = load_cycle(&who, db, c.cycle.id).await?;
    let mut conn = db.conn().await?;
    let (d, name) =
        dossier::find_document(&mut conn, id, &c.form, &app.answers, Audience::Manager, doc)
            .await?
            .ok_or(Error::NotFound)?;
    let sent = match send(storage, &d, &name, false).await {
        Ok(s) => s,
        Err(SendError::Missing) => return Err(Error::NotFound),
        Err(e) => return Err(Error::Internal(e.into())),
    };
    documents::log_view(
        conn.exec(),
        d.id,
        Some(who.0.user().id),
        "manager",
        ip.0.as_deref(),
        crate::clock::now(),
    )
    .await?;
    Ok(sent)
}
