//! One stage move of one application, written once: the domain's rule,
//! the move itself (which does nothing if someone changed the stage since
//! it was read) and its audit entry, in the caller's transaction. The
//! caller locks the application, commits, and words a refusal.

use chrono::{DateTime, Utc};

use crate::db::{applications, Tx};
use crate::domain::workflow::stage::{apply, Actor, Move, MoveError, Stage};

use super::{By, Result};

/// What to move, by whom, and what the audit log says.
pub struct StageMove<'a> {
    /// The application.
    pub application: i64,
    /// Its stage as the caller read it.
    pub from: Stage,
    pub mv: Move,
    /// The role the move is made in, for the domain's rule.
    pub actor: Actor,
    /// Who did it, and from where.
    pub by: By<'a>,
    /// The note kept with the stage event.
    pub note: &'a str,
    /// The audit action, e.g. `application.move`.
    pub action: &'a str,
    pub now: DateTime<Utc>,
}

/// Why a move was not made; nothing was written.
#[derive(Debug)]
pub enum NotMoved {
    /// The domain's rule refuses it from the stage read.
    Rule(MoveError),
    /// The stage changed since it was read.
    Changed,
}

/// Makes the move in `tx` and records it in the audit log with the detail
/// `detail(from, to)` returns; returns the new stage, or why it was not
/// made.
pub async fn move_one(
    tx: &mut Tx,
    step: &StageMove<'_>,
    detail: impl FnOnce(Stage, Stage) -> String,
) -> Result<std::result::Result<Stage, NotMoved>> {
    let to = match apply(step.from, step.mv, step.actor) {
        Ok(to) => to,
        Err(e) => return Ok(Err(NotMoved::Rule(e))),
    };
    let now_moved = applications::move_stage(
        tx.exec(),
        step.application,
        step.from,
        to,
        step.mv,
        step.by.user,
        step.actor,
        step.note,
        step.now,
    )
    .await?;
    if !now_moved {
        return Ok(Err(NotMoved::Changed));
    }
    step.by
        .audit(
            tx.exec(),
            step.action,
            &format!("application:{}", step.application),
            &detail(step.from, to),
            step.now,
        )
        .await?;
    Ok(Ok(to))
}
