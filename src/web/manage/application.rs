//! One application as its manager sees it: the dossier, the screening
//! outcome, reviewers and conflicts, the reviews with their figures, the
//! decision and the history; and its documents. The forms on the page post
//! to `screening`, `reviewers` and `decisions`.

use crate::domain::cycle::CycleId;
use crate::domain::document::DocumentId;
use std::collections::{BTreeMap, BTreeSet};

use rocket::response::Redirect;
use rocket::{get, routes, Route, State};
use rocket_dyn_templates::Template;
use serde::Serialize;

use crate::app::access::{application_for_manager, review_setup};
use crate::app::assignment::default_due;
use crate::auth::guards::Manager;
use crate::context::Ctx;
use crate::db::applications::Application;
use crate::db::assignments;
use crate::db::cycles::{CycleWithForm, ReviewSetup};
use crate::db::{applications, reviews, rubrics, summaries, users, PortalPool};
use crate::domain::application::ApplicationId;
use crate::domain::user::UserId;
use crate::domain::workflow::decision::{offer_state, Outcome};
use crate::domain::workflow::review::{is_overdue, IneligibleReason, ReviewState};
use crate::domain::workflow::rubric::{Confidence, Recommendation, Rubric, Score, Scores};
use crate::domain::workflow::scoring::{aggregate_one, SubmittedReview};
use crate::domain::workflow::stage::Stage;
use crate::web::dossier::{self, Audience, Dossier};
use crate::web::download::Sent;
use crate::web::page::{invalid, render, Chrome, ClientIp, FormErrors};
use crate::web::{Error, Result};

pub fn routes() -> Vec<Route> {
    routes![show_application, download_document]
}

#[derive(Serialize)]
struct Option_ {
    value: String,
    label: String,
}

#[derive(Serialize)]
struct AssignmentView {
    reviewer_id: UserId,
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

/// A review set aside (after a conflict, or with its reviewer removed from
/// the panel), as the record shows it.
#[derive(Serialize)]
struct SetAsideView {
    reviewer_name: String,
    /// Why it is set aside, in words.
    why: String,
    state: &'static str,
    total: String,
    recommendation: String,
    set_aside: String,
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
    /// The rubric version the review was written under (and is shown in).
    pub rubric_version: i64,
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
        submitted: r.state == ReviewState::Submitted,
        state: r.state.label(),
        recommendation: Recommendation::parse(&r.recommendation)
            .map(|x| rubric.recommendation_label(x).to_owned())
            .unwrap_or_default(),
        confidence: Confidence::parse(&r.confidence)
            .map(|x| x.label().to_owned())
            .unwrap_or_default(),
        overall_comment: r.overall_comment.clone(),
        total: r.score_total.map(|t| format!("{t:.1}")),
        rubric_version: r.rubric_version,
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
    /// The current rubric's number, and how many submitted reviews were
    /// written under an earlier one (their totals count; their criteria
    /// are left out of the per-criterion means).
    version: i64,
    earlier: usize,
}

/// One of the cycle's labels, and whether the application carries it.
#[derive(Serialize)]
struct LabelChoice {
    id: i64,
    name: String,
    on: bool,
}

/// A staff note.
#[derive(Serialize)]
pub(crate) struct NoteView {
    pub when: String,
    pub author: String,
    pub body: String,
    pub for_reviewers: bool,
}

/// An entry of the audit log about the application.
#[derive(Serialize)]
struct RecordView {
    when: String,
    who: String,
    what: String,
    detail: String,
}

/// A download of one of the application's documents.
#[derive(Serialize)]
struct DownloadView {
    when: String,
    who: String,
    role: String,
    document: String,
}

/// A message to applicants that reached this application.
#[derive(Serialize)]
struct MessageView {
    message: i64,
    subject: String,
    when: String,
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
    value: String,
    label: String,
    checked: bool,
}

#[derive(Serialize)]
struct DecisionView {
    label: String,
    note: String,
    released: bool,
    offer: Option<&'static str>,
    offer_deadline: String,
}

#[derive(Serialize)]
struct ApplicationPage {
    id: ApplicationId,
    cycle_id: CycleId,
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
    set_aside: Vec<SetAsideView>,
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
    /// The latest entries of the audit log about it, and downloads of its
    /// documents.
    recorded: Vec<RecordView>,
    recorded_more: bool,
    /// Staff notes, newest first, and the note form (as typed when it was
    /// refused).
    notes: Vec<NoteView>,
    /// The cycle's labels, each ticked when the application carries it.
    labels: Vec<LabelChoice>,
    note_body: String,
    note_for_reviewers: bool,
    note_errors: FormErrors,
    downloads: Vec<DownloadView>,
    /// The latest messages to applicants that reached this one.
    messages: Vec<MessageView>,
    /// The note in the decision form: as typed when the form was refused
    /// (unless empty), otherwise the recorded decision's.
    decision_note: Option<String>,
    /// Why the decision form was refused.
    decision_errors: FormErrors,
}

/// A form of the page that was refused, shown again with its mistakes.
pub(super) enum Refused {
    Decision(RefusedDecision),
    Note(RefusedNote),
}

/// A note that was refused: what was typed and why.
pub(super) struct RefusedNote {
    pub body: String,
    pub for_reviewers: bool,
    pub errors: FormErrors,
}

/// A decision form that was refused: what was typed and the reasons.
pub(super) struct RefusedDecision {
    pub outcome: String,
    pub note: String,
    pub errors: FormErrors,
}

#[get("/applications/<id>")]
async fn show_application(
    who: Manager,
    ctx: &State<Ctx>,
    chrome: Chrome,
    id: ApplicationId,
) -> Result<Template> {
    let page = page_for(ctx, &who, id, None).await?;
    let title = format!("Application #{id}");
    Ok(render("manage/application", &chrome, &title, page))
}

/// Application `id`'s page as `who` may see it now, with a refused
/// decision form if any.
async fn page_for(
    ctx: &Ctx,
    who: &Manager,
    id: ApplicationId,
    refused: Option<Refused>,
) -> Result<ApplicationPage> {
    let (app, c) = application_for_manager(ctx, who, id).await?;
    let setup = review_setup(ctx, c.cycle.id).await?;
    let shown = Shown {
        app,
        c,
        setup,
        now: ctx.now(),
    };
    application_page(&ctx.pool, shown, refused).await
}

/// The decision form again with its mistakes next to the fields (422).
/// (On the web's loaders and clock until the decisions pass the context;
/// then it is `page_for(ctx, who, id, Some(refused))`.)
pub(super) async fn refuse_decision(
    who: &Manager,
    ctx: &Ctx,
    chrome: &Chrome,
    id: ApplicationId,
    refused: RefusedDecision,
) -> Result<(rocket::http::Status, Template)> {
    let page = page_for(ctx, who, id, Some(Refused::Decision(refused))).await?;
    let title = format!("Application #{id}");
    Ok(invalid("manage/application", chrome, &title, page))
}

/// The page again with the refused note's mistake next to it (422).
pub(super) async fn refuse_note(
    who: &Manager,
    ctx: &Ctx,
    chrome: &Chrome,
    id: ApplicationId,
    refused: RefusedNote,
) -> Result<(rocket::http::Status, Template)> {
    let page = page_for(ctx, who, id, Some(Refused::Note(refused))).await?;
    let title = format!("Application #{id}");
    Ok(invalid("manage/application", chrome, &title, page))
}

/// What the page shows: the application as its manager may see it, its
/// cycle's review settings, and the time it is shown at.
struct Shown {
    app: Application,
    c: CycleWithForm,
    setup: ReviewSetup,
    now: chrono::DateTime<chrono::Utc>,
}

async fn application_page(
    pool: &PortalPool,
    shown: Shown,
    refused: Option<Refused>,
) -> Result<ApplicationPage> {
    let Shown { app, c, setup, now } = shown;
    let (refused, note_refused) = match refused {
        Some(Refused::Decision(d)) => (Some(d), None),
        Some(Refused::Note(n)) => (None, Some(n)),
        None => (None, None),
    };
    let id = app.id;
    let mut conn = pool.conn().await?;
    let applicant = users::find(conn.exec(), app.applicant_id)
        .await?
        .ok_or(Error::NotFound)?;
    let screening = applications::screening(conn.exec(), id).await?;
    let held = assignments::of_application(conn.exec(), id).await?;
    let reviewers = assignments::reviewers_of(conn.exec(), c.cycle.program_id).await?;
    let conflicts = assignments::conflicts_of(conn.exec(), id).await?;
    let set_aside = assignments::set_aside_of(conn.exec(), id).await?;
    let labels = crate::db::outcomes::list(conn.exec(), c.cycle.id).await?;
    let stored_reviews = reviews::of_application(conn.exec(), id).await?;
    let events = applications::events(conn.exec(), id).await?;
    let decision = crate::db::decisions::find(conn.exec(), id).await?;
    let decision_history = crate::db::decisions::events(conn.exec(), id).await?;
    let (recorded, downloads) = crate::app::audit::history(&mut conn, id).await?;
    let messages = crate::db::messages::of_application(conn.exec(), id, 10).await?;
    let notes = crate::db::notes::of_application(conn.exec(), id, false).await?;
    let cycle_labels = crate::db::labels::names_of_cycle(conn.exec(), c.cycle.id).await?;
    let carried = crate::db::labels::of_applications(conn.exec(), &[id]).await?;
    let dossier = dossier::build(
        &mut conn,
        id,
        c.cycle.id,
        c.form_version,
        &c.form,
        &app.answers,
        Audience::Manager,
        &format!("/manage/applications/{id}/documents"),
    )
    .await?;

    // Figures from the submitted reviews, normalised against each
    // reviewer's whole cycle. Each review's total (0-100) was computed
    // against its own rubric version, so totals of every version count
    // together; per-criterion means only over the current version.
    let versions = rubrics::by_number(conn.exec(), c.cycle.id).await?;
    let current = setup.rubric_version;
    let submitted: Vec<(i64, SubmittedReview)> = stored_reviews
        .iter()
        .filter(|r| r.state == ReviewState::Submitted)
        .filter_map(|r| {
            Some((
                r.rubric_version,
                SubmittedReview {
                    application: id,
                    reviewer: r.reviewer_id,
                    scores: serde_json::from_str(&r.scores_json).ok()?,
                    total: r.score_total?,
                    mean: r.score_mean?,
                },
            ))
        })
        .collect();
    let earlier = submitted.iter().filter(|(v, _)| *v != current).count();
    let of_current: Vec<SubmittedReview> = submitted
        .iter()
        .filter(|(v, _)| *v == current)
        .map(|(_, r)| r.clone())
        .collect();
    let submitted: Vec<SubmittedReview> = submitted.into_iter().map(|(_, r)| r).collect();
    let reviewer_ids: Vec<UserId> = submitted.iter().map(|r| r.reviewer).collect();
    let stats: BTreeMap<UserId, _> =
        summaries::reviewer_stats(conn.exec(), c.cycle.id, &reviewer_ids)
            .await?
            .into_iter()
            .collect();
    // The cycle's scale from its stored summary, never the whole cycle.
    let scale = summaries::scale(conn.exec(), c.cycle.id).await?;
    let threshold = setup.settings.disagreement_threshold;
    let means = aggregate_one(&setup.rubric, threshold, &of_current, &stats, &scale)
        .map(|f| f.criterion_means)
        .unwrap_or_else(|| {
            let none = setup.rubric.criteria.iter().map(|k| (k.key.clone(), None));
            none.collect()
        });
    let figures =
        aggregate_one(&setup.rubric, threshold, &submitted, &stats, &scale).map(|f| Figures {
            review_count: f.review_count,
            mean: format!("{:.1}", f.mean),
            total: format!("{:.1}", f.weighted_total),
            range: format!("{:.1}", f.range),
            sd: format!("{:.1}", f.sd),
            normalised: format!("{:.1}", f.normalised),
            disagreement: f.disagreement,
            criteria: means
                .iter()
                .map(|(key, mean)| FigureRow {
                    label: setup
                        .rubric
                        .criterion(key)
                        .map_or_else(|| key.clone(), |c| c.label.clone()),
                    mean: mean.map_or_else(|| "—".into(), |m| format!("{m:.2}")),
                })
                .collect(),
            version: current,
            earlier,
        });

    let taken: BTreeSet<UserId> = held
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
                let state = ReviewState::of(a.review_state);
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
        set_aside: set_aside
            .iter()
            .map(|r| SetAsideView {
                reviewer_name: r.reviewer_name.clone(),
                why: if r.why == assignments::REMOVED_FROM_PANEL {
                    "Removed from the panel, not counted".to_owned()
                } else {
                    "A conflict, not counted".to_owned()
                },
                state: r.state.label(),
                total: r
                    .score_total
                    .map_or_else(|| "—".into(), |t| format!("{t:.1}")),
                // A set-aside review keeps no rubric version: it is named
                // in the words of the current one.
                recommendation: Recommendation::parse(&r.recommendation)
                    .map_or("—", |x| setup.rubric.recommendation_label(x))
                    .to_owned(),
                set_aside: c.cycle.show(r.set_aside_at),
            })
            .collect(),
        reviews: stored_reviews
            .iter()
            .map(|r| {
                let rubric = versions.get(&r.rubric_version).unwrap_or(&setup.rubric);
                review_view(r, rubric, r.reviewer_name.clone())
            })
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
        outcomes: labels
            .all()
            .iter()
            .map(|o| OutcomeChoice {
                value: o.key.clone(),
                label: o.label.clone(),
                checked: match &refused {
                    Some(r) => r.outcome == o.key,
                    None => decision.as_ref().is_some_and(|d| {
                        d.outcome == o.meaning
                            && d.outcome_key.as_deref().unwrap_or(d.outcome.as_str()) == o.key
                    }),
                },
            })
            .collect(),
        decision: decision.as_ref().map(|d| DecisionView {
            label: labels.name(d.outcome, d.outcome_key.as_deref()).to_owned(),
            note: d.note.clone(),
            released: d.released_at.is_some(),
            offer: match (d.outcome, d.released_at, d.offer_deadline) {
                (Outcome::Accepted, Some(_), Some(by)) => {
                    Some(offer_state(d.offer_answer, by, now).label())
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
                to: labels.name(e.outcome, e.outcome_key.as_deref()).to_owned(),
                by: e.actor_name.clone().unwrap_or_default(),
                note: e.note.clone(),
            })
            .collect(),
        labels: cycle_labels
            .into_iter()
            .map(|(lid, name)| LabelChoice {
                on: carried.iter().any(|(_, on, _)| *on == lid),
                id: lid,
                name,
            })
            .collect(),
        notes: notes
            .iter()
            .map(|n| NoteView {
                when: c.cycle.show(n.created_at),
                author: n
                    .author_name
                    .clone()
                    .unwrap_or_else(|| "A deleted account".to_owned()),
                body: n.body.clone(),
                for_reviewers: n.for_reviewers,
            })
            .collect(),
        note_body: note_refused
            .as_ref()
            .map(|n| n.body.clone())
            .unwrap_or_default(),
        note_for_reviewers: note_refused.as_ref().is_some_and(|n| n.for_reviewers),
        note_errors: note_refused.map(|n| n.errors).unwrap_or_default(),
        recorded_more: recorded.older.is_some(),
        recorded: recorded
            .lines
            .iter()
            .map(|l| RecordView {
                when: c.cycle.show(l.at),
                who: l.who.clone(),
                what: l.what.clone(),
                detail: l.detail.clone(),
            })
            .collect(),
        downloads: downloads
            .iter()
            .map(|d| DownloadView {
                when: c.cycle.show(d.viewed_at),
                who: d
                    .viewer_name
                    .clone()
                    .unwrap_or_else(|| "A deleted account".to_owned()),
                role: d.viewer_role.clone(),
                document: match &d.referee_name {
                    Some(referee) => format!("{} (letter from {referee})", d.document_name),
                    None => d.document_name.clone(),
                },
            })
            .collect(),
        messages: messages
            .into_iter()
            .map(|(message, subject, at)| MessageView {
                message,
                subject,
                when: c.cycle.show(at),
            })
            .collect(),
        decision_note: refused
            .as_ref()
            .map(|r| r.note.clone())
            .filter(|n| !n.is_empty())
            .or_else(|| decision.as_ref().map(|d| d.note.clone())),
        decision_errors: refused.map(|r| r.errors).unwrap_or_default(),
    };
    Ok(page)
}

/// Back to the application's page.
pub(super) fn back(id: ApplicationId) -> Redirect {
    Redirect::to(format!("/manage/applications/{id}"))
}

/// A document or letter of the application, for its manager (logged).
#[get("/applications/<id>/documents/<doc>")]
async fn download_document(
    who: Manager,
    ctx: &State<Ctx>,
    ip: ClientIp,
    id: ApplicationId,
    doc: DocumentId,
) -> Result<Sent> {
    let (app, c) = application_for_manager(ctx, &who, id).await?;
    dossier::download(
        ctx,
        id,
        c.cycle.id,
        &c.form,
        &app.answers,
        Audience::Manager,
        doc,
        (who.0.user().id, ip.0.as_deref()),
    )
    .await
}
