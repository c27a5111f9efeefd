//! Applying: starting an application after the eligibility questions,
//! saving a section (answers and documents), submitting, withdrawing,
//! answering an offer, the profile and demographics, and downloading
//! one's own uploads. Every use case acts on the applicant's own
//! application only (see [`access::owned_application`]).

use std::collections::BTreeMap;

use crate::auth::guards::{Applicant, ClientIp};
use crate::context::Ctx;
use crate::db::documents::Document;
use crate::db::{self, applications, cycles, decisions, documents, profiles, referees};
use crate::domain::access::{applicant_may_download, DocumentKind};
use crate::domain::answers::{self, Attachments, Problem};
use crate::domain::cycle::CyclePhase;
use crate::domain::form::{Answer, Answers, Eligibility, QuestionKind};
use crate::domain::profile::Profile;
use crate::domain::workflow::decision::{answer_offer as offer_move, offer_state, OfferState};
use crate::domain::workflow::stage::{self, Actor, Move};
use crate::mail::messages;
use crate::storage::{Reader, StorageError, Stored};

use super::access::{self, Owned};
use super::{By, Error, FormErrors, Result};

/// What an applicant is told when their application can no longer be
/// edited.
pub const NOT_EDITABLE: &str =
    "This application has been submitted, so its answers can no longer be changed.";

/// What starting an application came to.
pub enum Started {
    /// The applicant already has an application to this cycle.
    Existing(i64),
    /// The answers say they cannot apply; why, in their words. Nothing is
    /// stored.
    Ineligible(Vec<String>),
    /// A new draft, pre-filled from the profile, and its first section.
    Draft { id: i64, first_section: String },
}

/// Starts an application to cycle `cycle_id` with the eligibility
/// `answers`. Not found for an unknown cycle; refused when the cycle is
/// not open; `Invalid` (field `e-<question>`) for each unanswered
/// question.
pub async fn start(
    ctx: &Ctx,
    who: &Applicant,
    cycle_id: i64,
    answers: &BTreeMap<String, String>,
) -> Result<Started> {
    let now = ctx.now();
    let user = who.0.user();
    let mut conn = ctx.conn().await?;
    let c = cycles::find(conn.exec(), cycle_id)
        .await?
        .ok_or(Error::NotFound)?;
    if let Some(a) = applications::find_for(conn.exec(), cycle_id, user.id).await? {
        return Ok(Started::Existing(a.id));
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

/// An upload already in storage, checked, waiting to be recorded.
pub struct Staged {
    pub stored: Stored,
    /// The file name made safe to store and show.
    pub name: String,
    pub content_type: String,
}

/// A section's changes, their shape already checked against the form.
pub struct SectionSave {
    /// Answers to set (`Some`) or clear (`None`).
    pub accepted: Vec<(String, Option<Answer>)>,
    /// New uploads, by question.
    pub uploads: Vec<(String, Staged)>,
    /// An earlier upload to attach, by question (the document id as sent).
    pub reuse: BTreeMap<String, String>,
    /// The question whose document to remove.
    pub remove: Option<String>,
}

/// Saves a section of a draft in one transaction: the answers are merged
/// into the application as it is inside the transaction, so two sections
/// saved at once from two tabs both keep their answers. Returns the
/// mistakes of reused documents (the rest is saved). Refused with
/// [`NOT_EDITABLE`] when it stopped being a draft meanwhile; on any
/// failure the staged uploads are removed from storage again.
pub async fn save_section(
    ctx: &Ctx,
    who: &Applicant,
    owned: &Owned,
    input: SectionSave,
) -> Result<FormErrors> {
    let mut problems = FormErrors::default();
    let outcome = write_section(ctx, who, owned, &input, &mut problems).await;
    let unreferenced = match outcome {
        Ok(keys) => keys,
        Err(e) => {
            for (_, s) in &input.uploads {
                let _ = ctx.store.delete(&s.stored.key).await;
            }
            return Err(e);
        }
    };
    for key in unreferenced {
        if let Err(e) = ctx.store.delete(&key).await {
            rocket::warn!("could not delete a replaced document: {e}");
        }
    }
    Ok(problems)
}

/// The transaction of [`save_section`]; the storage keys of documents no
/// longer referenced, to delete after commit.
async fn write_section(
    ctx: &Ctx,
    who: &Applicant,
    owned: &Owned,
    input: &SectionSave,
    errors: &mut FormErrors,
) -> Result<Vec<String>> {
    let now = ctx.now();
    let user = who.0.user().id;
    let app = owned.application.id;
    let mut tx = ctx.begin().await?;
    applications::lock(tx.exec(), app).await?;
    let mut merged: Answers = match applications::find(tx.exec(), app).await? {
        Some(a) if a.stage.is_editable() => a.answers,
        _ => return Err(Error::refused(NOT_EDITABLE)),
    };
    for (k, v) in &input.accepted {
        match v {
            Some(v) => merged.insert(k.clone(), v.clone()),
            None => merged.remove(k),
        };
    }
    let mut dropped: Vec<i64> = Vec::new();
    for (k, s) in &input.uploads {
        let doc = documents::NewDocument {
            owner: Some(user),
            kind: "upload",
            storage_key: &s.stored.key,
            original_name: &s.name,
            content_type: &s.content_type,
            size_bytes: i64::try_from(s.stored.size).unwrap_or(i64::MAX),
            sha256: &s.stored.sha256,
        };
        let doc_id = documents::insert(tx.exec(), &doc, now).await?;
        dropped.extend(documents::attach(tx.exec(), app, k, doc_id, now).await?);
    }
    for (k, doc) in &input.reuse {
        if doc.is_empty() || input.uploads.iter().any(|(sk, _)| sk == k) {
            continue;
        }
        let found = match doc.parse::<i64>() {
            Ok(d) => documents::find(tx.exec(), d).await?,
            Err(_) => None,
        };
        let accepted = match owned.cycle.form.question(k).map(|q| &q.kind) {
            Some(QuestionKind::Document { accepted, .. }) => accepted.clone(),
            _ => vec![],
        };
        match found {
            Some(d)
                if applicant_may_download(
                    d.owner_id,
                    DocumentKind::parse(&d.kind).unwrap_or(DocumentKind::Letter),
                    user,
                ) && accepted.iter().any(|t| t.mime() == d.content_type) =>
            {
                dropped.extend(documents::attach(tx.exec(), app, k, d.id, now).await?);
            }
            Some(_) => errors.add(
                k,
                "That earlier file is not of a type this question accepts.",
            ),
            None => errors.add(k, "That earlier file could not be found. Choose another."),
        }
    }
    if let Some(k) = &input.remove {
        dropped.extend(documents::detach(tx.exec(), app, k).await?);
    }
    if !applications::save_answers(tx.exec(), app, &merged, now).await? {
        return Err(Error::refused(NOT_EDITABLE));
    }
    let mut unreferenced = Vec::new();
    for d in dropped {
        if !documents::is_referenced(tx.exec(), d).await? {
            if let Some(doc) = documents::find(tx.exec(), d).await? {
                documents::delete(tx.exec(), d).await?;
                unreferenced.push(doc.storage_key);
            }
        }
    }
    tx.commit().await?;
    Ok(unreferenced)
}

/// What an application still lacks before it can be submitted.
pub async fn problems(ctx: &Ctx, owned: &Owned) -> Result<Vec<Problem>> {
    let mut conn = ctx.conn().await?;
    let id = owned.application.id;
    let documents = documents::attached(conn.exec(), id)
        .await?
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    let mut named: BTreeMap<String, usize> = BTreeMap::new();
    for r in referees::for_application(conn.exec(), id)
        .await?
        .iter()
        .filter(|r| r.status != "declined")
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
pub async fn submit(ctx: &Ctx, who: &Applicant, id: i64) -> Result<()> {
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
pub async fn withdraw(ctx: &Ctx, who: &Applicant, id: i64, reason: &str) -> Result<()> {
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

/// An answer to an offer, as chosen on the page.
pub struct OfferAnswer<'a> {
    /// `accept` or `decline`.
    pub answer: &'a str,
    /// The box confirming that the answer is final.
    pub confirm: bool,
}

/// Accepts or declines the released offer of application `id`, once, by
/// its accept-by date; records it, mails a confirmation and audits it.
/// Returns whether it was accepted. Refused when there is no offer, it is
/// answered or lapsed (also meanwhile); `Invalid` when no answer was
/// chosen (`answer-accept`) or not confirmed (`offer-confirm`).
pub async fn answer_offer(
    ctx: &Ctx,
    who: &Applicant,
    id: i64,
    input: OfferAnswer<'_>,
) -> Result<bool> {
    let o = access::owned_application(ctx, who, id).await?;
    // Nothing about a decision is revealed before it is released.
    let decision = {
        let mut conn = ctx.conn().await?;
        decisions::find(conn.exec(), id)
            .await?
            .filter(|d| d.released_at.is_some() && d.outcome == "accepted")
    };
    let (Some(d), Some(by)) = (
        decision.as_ref(),
        decision.as_ref().and_then(|d| d.offer_deadline),
    ) else {
        return Err(Error::refused("There is no offer to answer."));
    };
    match (input.answer, input.confirm) {
        ("accept" | "decline", true) => {}
        ("accept" | "decline", false) => {
            return Err(Error::invalid(
                "offer-confirm",
                "Tick the box to confirm your answer; it cannot be changed afterwards.",
            ))
        }
        _ => {
            return Err(Error::invalid(
                "answer-accept",
                "Choose whether you accept or decline the offer.",
            ))
        }
    }
    let accept = input.answer == "accept";
    let now = ctx.now();
    let state = offer_state(d.offer_answer.as_deref(), by, now);
    let to = offer_move(state, accept).map_err(|e| Error::refused(e.to_string()))?;
    let user = who.0.user();
    let mut tx = ctx.begin().await?;
    let stored = if to == OfferState::Accepted {
        "accepted"
    } else {
        "declined"
    };
    if !decisions::answer_offer(tx.exec(), id, stored, now).await? {
        return Err(Error::refused(
            "Your answer could not be recorded: the offer was answered or lapsed meanwhile.",
        ));
    }
    decisions::add_event(
        tx.exec(),
        id,
        &format!("offer_{stored}"),
        &d.outcome,
        "",
        Some(user.id),
        now,
    )
    .await?;
    messages::offer_answered(tx.exec(), &ctx.mail, user, id, &o.program.name, accept, now).await?;
    By {
        user: Some(user.id),
        ip: None,
    }
    .audit(
        tx.exec(),
        "offer.answer",
        &format!("application:{id}"),
        stored,
        now,
    )
    .await?;
    tx.commit().await?;
    ctx.wake();
    Ok(accept)
}

/// Saves the profile that pre-fills new applications.
pub async fn save_profile(ctx: &Ctx, who: &Applicant, profile: &Profile) -> Result<()> {
    let mut conn = ctx.conn().await?;
    profiles::put(conn.exec(), who.0.user().id, profile, ctx.now()).await?;
    Ok(())
}

/// The demographic answers `who` gave, if any.
pub async fn demographics(ctx: &Ctx, who: &Applicant) -> Result<Answers> {
    let mut conn = ctx.conn().await?;
    let stored = profiles::demographics(conn.exec(), who.0.user().id).await?;
    Ok(stored
        .and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or_default())
}

/// Merges the demographic answers `sent` into those already given.
/// `Invalid` (nothing saved) when an answer is not one the form offers.
pub async fn save_demographics(
    ctx: &Ctx,
    who: &Applicant,
    sent: &BTreeMap<String, Vec<String>>,
) -> Result<()> {
    let definition = crate::domain::demographics::form();
    let mut answers = demographics(ctx, who).await?;
    match answers::accept_save(&definition, sent) {
        Ok(accepted) => {
            for (k, v) in accepted {
                match v {
                    Some(v) => answers.insert(k, v),
                    None => answers.remove(&k),
                };
            }
        }
        Err(problems) => {
            let mut errors = FormErrors::default();
            for p in problems {
                errors.add(&p.key, p.message);
            }
            return Err(Error::Invalid(errors));
        }
    }
    let json = serde_json::to_string(&answers).map_err(anyhow::Error::from)?;
    let mut conn = ctx.conn().await?;
    profiles::put_demographics(conn.exec(), who.0.user().id, &json, ctx.now()).await?;
    Ok(())
}

/// How a document reaches the browser.
pub enum Fetched {
    /// A short-lived link the browser follows (S3).
    Link(String),
    /// The bytes, streamed through the portal (local folder).
    Stream(Reader),
}

/// Opens `who`'s own upload `id` (never a letter) and logs the download.
/// Not found for anybody else's document or one missing from storage.
pub async fn download_own(
    ctx: &Ctx,
    who: &Applicant,
    ip: &ClientIp,
    id: i64,
) -> Result<(Document, Fetched)> {
    let user = who.0.user().id;
    let mut conn = ctx.conn().await?;
    let doc = documents::find(conn.exec(), id)
        .await?
        .ok_or(Error::NotFound)?;
    let kind = DocumentKind::parse(&doc.kind).ok_or(Error::NotFound)?;
    if !applicant_may_download(doc.owner_id, kind, user) {
        return Err(Error::NotFound);
    }
    // On S3 the browser fetches the bytes itself from a short-lived link;
    // from the local folder they are streamed through the portal.
    let link = ctx
        .store
        .link(&doc.storage_key, &doc.original_name, &doc.content_type)
        .await
        .map_err(anyhow::Error::from)?;
    let fetched = match link {
        Some(url) => Fetched::Link(url),
        None => match ctx.store.read(&doc.storage_key).await {
            Ok(r) => Fetched::Stream(r),
            Err(StorageError::NotFound) => return Err(Error::NotFound),
            Err(e) => return Err(e.into()),
        },
    };
    documents::log_view(
        conn.exec(),
        doc.id,
        Some(user),
        "applicant",
        ip.as_deref(),
        ctx.now(),
    )
    .await?;
    Ok((doc, fetched))
}
