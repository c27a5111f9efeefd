//! Staff notes on an application: its program's managers add them (kept
//! as written, never edited), each for the program team only or for the
//! application's reviewers too. Names no page or response type.

use super::{access, By, Error, FormErrors, Result};
use crate::auth::guards::{ClientIp, Manager};
use crate::context::Ctx;
use crate::db::notes;
use crate::domain::application::ApplicationId;

/// The longest note, in characters.
pub const MAX_CHARS: usize = 4000;

/// Adds a note to application `id` (which `who` must manage); `Invalid`
/// on the `note` field when it is empty or too long.
#[tracing::instrument(skip_all, fields(id = %id))]
pub async fn add(
    ctx: &Ctx,
    who: &Manager,
    ip: &ClientIp,
    id: ApplicationId,
    body: &str,
    for_reviewers: bool,
) -> Result<()> {
    access::application_for_manager(ctx, who, id).await?;
    let body = body.trim();
    let mut errors = FormErrors::default();
    if body.is_empty() {
        errors.add("note", "Write the note before adding it.");
    } else if body.chars().count() > MAX_CHARS {
        errors.add(
            "note",
            format!(
                "A note can be at most {MAX_CHARS} characters; this one has {}.",
                body.chars().count()
            ),
        );
    }
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    let now = ctx.now();
    let me = who.0.user().id;
    let mut tx = ctx.begin().await?;
    notes::add(tx.exec(), id, me, body, for_reviewers, now).await?;
    let shown = if for_reviewers {
        "for the program team and the reviewers"
    } else {
        "for the program team"
    };
    By::user(me, ip.as_deref())
        .audit(
            tx.exec(),
            "note.add",
            &format!("application:{id}"),
            shown,
            now,
        )
        .await?;
    tx.commit().await?;
    Ok(())
}
