//! The referee's side, reached through the private link in their mail
//! (no account): what the link opens, the letter, or a "cannot write".

use crate::auth::token;
use crate::context::Ctx;
use crate::db::referees::{self, Request};
use crate::db::{applications, cycles, documents, programs, users};
use crate::domain::cycle::Cycle;
use crate::domain::form::DocumentType;
use crate::domain::workflow::stage::Stage;
use crate::mail::messages;

use super::super::applying::Staged;
use super::super::{Error, Result};

/// A request that a referee's link opens and that can still be answered,
/// with what their page shows.
pub struct OpenRequest {
    pub request: Request,
    pub applicant_name: String,
    pub program_name: String,
    /// A letter of support for a nomination, rather than a letter of
    /// recommendation.
    pub support: bool,
    pub cycle: Cycle,
}

/// Why a referee's link cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Closed {
    /// No request has this link.
    Unknown,
    /// The application it was for no longer exists.
    Gone,
    /// The letter arrived.
    Received,
    /// The referee declined.
    Declined,
    /// The application was withdrawn.
    Withdrawn,
    /// The deadline for letters has passed.
    Expired,
}

/// The request the link `secret` names, if it can still be answered.
#[tracing::instrument(skip_all)]
pub async fn open_request(
    ctx: &Ctx,
    secret: &str,
) -> Result<std::result::Result<OpenRequest, Closed>> {
    let mut conn = ctx.conn().await?;
    let Some(r) = referees::find_by_token(conn.exec(), &token::hash(secret)).await? else {
        return Ok(Err(Closed::Unknown));
    };
    let Some(app) = applications::find(conn.exec(), r.application_id).await? else {
        return Ok(Err(Closed::Gone));
    };
    let c = cycles::find(conn.exec(), app.cycle_id)
        .await?
        .ok_or(Error::NotFound)?;
    let program = programs::find(conn.exec(), c.cycle.program_id)
        .await?
        .ok_or(Error::NotFound)?;
    let applicant = users::find(conn.exec(), app.applicant_id)
        .await?
        .ok_or(Error::NotFound)?;
    match r.status.as_str() {
        "received" => return Ok(Err(Closed::Received)),
        "declined" => return Ok(Err(Closed::Declined)),
        _ => {}
    }
    if app.stage == Stage::Withdrawn {
        return Ok(Err(Closed::Withdrawn));
    }
    if ctx.now() >= r.token_expires_at {
        return Ok(Err(Closed::Expired));
    }
    Ok(Ok(OpenRequest {
        request: r,
        applicant_name: applicant.name,
        program_name: program.name,
        support: program.kind == crate::domain::program::ProgramKind::Nomination,
        cycle: c.cycle,
    }))
}

/// What a referee is told when their request was answered meanwhile.
pub const ANSWERED: &str = "Thank you: this request was already answered.";

/// Records the referee's letter (already checked and staged) and thanks
/// them by mail. Refused with [`ANSWERED`] when the request was answered
/// meanwhile; on any failure the staged letter is removed from storage.
#[tracing::instrument(skip_all)]
pub async fn upload_letter(ctx: &Ctx, open: &OpenRequest, letter: Staged) -> Result<()> {
    let outcome = record_letter(ctx, open, &letter).await;
    if outcome.is_err() {
        let _ = ctx.store.delete(&letter.stored.key).await;
    }
    outcome?;
    ctx.wake();
    Ok(())
}

async fn record_letter(ctx: &Ctx, open: &OpenRequest, letter: &Staged) -> Result<()> {
    let now = ctx.now();
    let request = &open.request;
    let mut tx = ctx.begin().await?;
    let doc = documents::NewDocument {
        owner: None,
        kind: "letter",
        storage_key: &letter.stored.key,
        original_name: &letter.name,
        content_type: DocumentType::Pdf.mime(),
        size_bytes: i64::try_from(letter.stored.size).unwrap_or(i64::MAX),
        sha256: &letter.stored.sha256,
    };
    let doc_id = documents::insert(tx.exec(), &doc, now).await?;
    if !referees::record_letter(tx.exec(), request.id, doc_id, now).await? {
        return Err(Error::refused(ANSWERED));
    }
    thank(&mut tx, ctx, open, false, now).await?;
    tx.commit().await?;
    Ok(())
}

/// Queues the referee's thanks for a letter or a decline, in `tx`.
async fn thank(
    tx: &mut crate::db::Tx,
    ctx: &Ctx,
    open: &OpenRequest,
    declined: bool,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<()> {
    let request = &open.request;
    let thanks = messages::RefereeThanks {
        referee_name: &request.name,
        applicant_name: &open.applicant_name,
        program: &open.program_name,
        declined,
    };
    messages::referee_thanks(
        tx.exec(),
        &ctx.mail,
        request.id,
        &request.email,
        &thanks,
        now,
    )
    .await?;
    Ok(())
}

/// Records that the referee cannot write, with their note, and thanks
/// them by mail. `Invalid` (field `note`) for a note over 2000
/// characters; refused with [`ANSWERED`] when the request was answered
/// meanwhile.
#[tracing::instrument(skip_all)]
pub async fn decline(ctx: &Ctx, open: &OpenRequest, note: &str) -> Result<()> {
    let note = note.trim();
    if note.chars().count() > 2000 {
        return Err(Error::invalid(
            "note",
            "Shorten your note to 2000 characters.",
        ));
    }
    let now = ctx.now();
    let request = &open.request;
    let mut tx = ctx.begin().await?;
    if !referees::record_decline(tx.exec(), request.id, note, now).await? {
        return Err(Error::refused(ANSWERED));
    }
    thank(&mut tx, ctx, open, true, now).await?;
    tx.commit().await?;
    ctx.wake();
    Ok(())
}
