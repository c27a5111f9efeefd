//! Applying: starting an application after the eligibility questions,
//! saving a section (answers and documents), submitting, withdrawing,
//! answering an offer, the profile and demographics, and downloading
//! one's own uploads. Every use case acts on the applicant's own
//! application only (see [`access::owned_application`]).

mod documents;
mod offer;
mod profile;
mod section;

pub use documents::{download_own, Fetched, Staged};
pub use offer::{answer_offer, OfferAnswer};
pub use profile::{demographics, save_demographics, save_profile};
pub use section::{save_section, SectionSave, NOT_EDITABLE};

use crate::domain::cycle::CycleId;
use std::collections::BTreeMap;

use crate::auth::guards::Applicant;
use crate::context::Ctx;
use crate::db::{self, applications, cycles, documents as docs, profiles, referees};
use crate::domain::answers::{self, Attachments, Problem};
use crate::domain::application::ApplicationId;
use crate::domain::cycle::CyclePhase;
use crate::domain::form::{Answer, Answers, Eligibility};
use crate::domain::referee::RequestStatus;
use crate::domain::workflow::stage::{self, Actor, Move};
use crate::mail::messages;

use super::access::{self, Owned};
use super::{Error, FormErrors, Result};

/// What starting an application came to.
pub enum Started {
    /// The applicant already has an application to this cycle.
    Existing(ApplicationId),
    /// The answers say they cannot apply; why, in their words. Nothing is
    /// stored.
    Ineligible(Vec<String>),
    /// A new draft, pre-filled from the profile, and its first section.
    Draft {
        id: ApplicationId,
        first_section: String,
    },
}

/// Starts an application to cycle `cycle_id` with the eligibility
/// `answers`. Not found for an unknown or unpublished cycle; refused when
/// the cycle is not open or its program is archived; `Invalid` (field
/// `e-<question>`) for each unanswered question.
#[tracing::instrument(skip_all, fields(cycle_id = %cycle_id))]
pub async fn start(
    ctx: &Ctx,
    who: &Applicant,
    cycle_id: CycleId,
    answers: &BTreeMap<String, String>,
) -> Result<Started> {
    let now = ctx.now();
    let user = who.0.user();
    let mut conn = ctx.conn().await?;
    // An unpublished cycle is unknown to applicants.
    let c = cycles::find(conn.exec(), cycle_id)
        .await?
        .filter(|c| c.cycle.published)
        .ok_or(Error::NotFound)?;
    if let Some(a) = applications::find_for(conn.exec(), cycle_id, user.id).await? {
        return Ok(Started::Existing(a.id));
    }
    let archived = db::programs::find(conn.exec(), c.cycle.program_id)
        .await?
        .is_none_or(|p| !p.takes_applications());
    if archived {
        return Err(Error::invalid(
            "eligibility",
            "This program is archived and takes no new applications.",
        ));
    }
    if c.cycle.phase(now) != CyclePhase::Open {
        return Err(Error::invalid(
            "eligibility",
            "This cycle is not open for applications now.",
        ));
    }
    match c.form.judge_eligibility(answers) {
        Eligibility::Incomplete(keys) => {
            let mut errors = FormErrors::default();
            for key in keys {
                let label = c
                    .form
                    .eligibility
                    .iter()
                    .find(|q| q.key == key)
                    .map(|q| q.label.clone())
                    .unwrap_or_default();
                errors.add(&format!("e-{key}"), format!("Answer “{label}”."));
            }
            Err(Error::Invalid(errors))
        }
        Eligibility::Ineligible(messages) => Ok(Started::Ineligible(messages)),
        Eligibility::Eligible => {
            let profile = profiles::get(conn.exec(), user.id).await?;
            let mut prefilled = Answers::new();
            for q in c.form.questions() {
                if let Some(value) = q
                    .profile
                    .as_deref()
                    .and_then(|f| profile.prefill(f, &user.name, &user.email))
                {
                    prefilled.insert(q.key.clone(), Answer::One(value.to_owned()));
                }
            }
            let eligibility = serde_json::to_string(answers).unwrap_or_else(|_| "{}".into());
            // The draft and its first event are written together.
            let mut tx = ctx.begin().await?;
            let created =
                applications::create(tx.exec(), cycle_id, user.id, &prefilled, &eligibility, now)
                    .await;
            let id = match created {
                Ok(id) => {
                    tx.commit().await?;
                    id
                }
                // Started at the same moment from another tab: that one stands.
                Err(e) if db::is_unique_violation(&e) => {
                    drop(tx);
                    applications::find_for(conn.exec(), cycle_id, user.id)
                        .await?
                        .ok_or(Error::NotFound)?
                        .id
                }
                Err(e) => return Err(e.into()),
            };
            let first_section = c
                .form
                .sections
                .first()
                .map(|s| s.key.clone())
                .unwrap_or_default();
            Ok(Started::Draft { id, first_section })
        }
    }
}
/// What an application still lacks before it can be submitted.
#[tracing::instrument(skip_all)]
pub async fn problems(ctx: &Ctx, owned: &Owned) -> Result<Vec<Problem>> {
    let mut conn = ctx.conn().await?;
    let id = owned.application.id;
    let documents = docs::attached(conn.exec(), id)
        .await?
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    let mut named: BTreeMap<String, usize> = BTreeMap::new();
    for r in referees::for_application(conn.exec(), id)
        .await?
        .iter()
        .filter(|r| r.status != RequestStatus::Declined)
    {
        *named.entry(r.question_key.clone()).or_default() += 1;
    }
    let attachments = Attachments {
        documents,
        referees: named,
    };
    Ok(answers::check_complete(
        &owned.cycle.form,
        &owned.application.answers,
        &attachments,
    ))
}

/// Why the applicant cannot make `mv`, as their status page would put it.
pub fn applicant_refusal(owned: &Owned, mv: Move) -> String {
    stage::refusal_for_applicant(
        mv,
        stage::applicant_status(owned.application.stage, owned.application.decision_released),
    )
}

/// Submits draft `id` and mails the applicant a confirmation. Refused
/// (in the words for the review page) when it is not a draft, its
/// deadline has passed, it is incomplete, or it changed meanwhile.
#[tracing::instrument(skip_all, fields(id = %id))]
pub async fn submit(ctx: &Ctx, who: &Applicant, id: ApplicationId) -> Result<()> {
    let o = access::owned_application(ctx, who, id).await?;
    let to = stage::apply(o.application.stage, Move::Submit, Actor::Applicant)
        .map_err(|_| Error::refused(applicant_refusal(&o, Move::Submit)))?;
    let now = ctx.now();
    let cycle = &o.cycle.cycle;
    if !cycle.accepts_submission(now, o.application.deadline_extended_to) {
        let deadline = o
            .application
            .deadline_extended_to
            .map_or(cycle.closes_at, |e| e.max(cycle.closes_at));
        return Err(Error::refused(format!(
            "The deadline for this cycle was {}, so the application can no longer be submitted. \
             Your draft is kept. If something prevented you from submitting in time, write to the program team.",
            cycle.show(deadline)
        )));
    }
    let n = problems(ctx, &o).await?.len();
    if n > 0 {
        return Err(Error::refused(format!(
            "Your application is not complete yet: {n} answer{} still need{} attention.",
            if n == 1 { "" } else { "s" },
            if n == 1 { "s" } else { "" }
        )));
    }
    let user = who.0.user();
    let mut tx = ctx.begin().await?;
    if !applications::move_stage(
        tx.exec(),
        id,
        o.application.stage,
        to,
        Move::Submit,
        Some(user.id),
        Actor::Applicant,
        "",
        now,
    )
    .await?
    {
        return Err(Error::refused(
            "This application changed while you were submitting it. Reload the page and try again.",
        ));
    }
    // Kept apart from the answers for search and conflict detection.
    let institution = o
        .cycle
        .form
        .questions()
        .find(|q| q.profile.as_deref() == Some("institution"))
        .map(|q| answers::answer_text(q, o.application.answers.get(&q.key)))
        .unwrap_or_default();
    applications::set_institution(tx.exec(), id, institution.trim()).await?;
    // Checked complete against this version: it is the one answered under.
    applications::set_form_version(tx.exec(), id, o.cycle.form_version).await?;
    messages::application_submitted(
        tx.exec(),
        &ctx.mail,
        user,
        id,
        &o.program.name,
        &cycle.name,
        now,
    )
    .await?;
    tx.commit().await?;
    ctx.wake();
    Ok(())
}

/// Withdraws application `id`, keeping the first 2000 characters of the
/// reason. Refused (in the words for the withdrawal page) when its stage
/// does not allow it.
#[tracing::instrument(skip_all, fields(id = %id))]
pub async fn withdraw(ctx: &Ctx, who: &Applicant, id: ApplicationId, reason: &str) -> Result<()> {
    let o = access::owned_application(ctx, who, id).await?;
    let to = stage::apply(o.application.stage, Move::Withdraw, Actor::Applicant)
        .map_err(|_| Error::refused(applicant_refusal(&o, Move::Withdraw)))?;
    let reason: String = reason.trim().chars().take(2000).collect();
    let now = ctx.now();
    let mut tx = ctx.begin().await?;
    if !applications::move_stage(
        tx.exec(),
        id,
        o.application.stage,
        to,
        Move::Withdraw,
        Some(who.0.user().id),
        Actor::Applicant,
        &reason,
        now,
    )
    .await?
    {
        return Err(anyhow::anyhow!("application {id} changed during withdrawal").into());
    }
    tx.commit().await?;
    Ok(())
}
