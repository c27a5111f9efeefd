//! Saving a section of a draft: answers, new uploads, reused and removed
//! documents, in one transaction.

use crate::domain::document::DocumentId;
use std::collections::BTreeMap;

use crate::auth::guards::Applicant;
use crate::context::Ctx;
use crate::db::{applications, documents};
use crate::domain::access::{applicant_may_download, DocumentKind};
use crate::domain::form::{Answer, Answers, QuestionKind};

use super::super::access::Owned;
use super::super::{Error, FormErrors, Result};
use super::Staged;

/// What an applicant is told when their application can no longer be
/// edited.
pub const NOT_EDITABLE: &str =
    "This application has been submitted, so its answers can no longer be changed.";
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
#[tracing::instrument(skip_all)]
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
            tracing::warn!("could not delete a replaced document: {e}");
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
    let mut dropped: Vec<DocumentId> = Vec::new();
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
        let found = match doc.parse::<DocumentId>() {
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
    if !applications::save_answers(tx.exec(), app, &merged, owned.cycle.form_version, now).await? {
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
