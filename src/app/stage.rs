//! One stage move of one application, written once: the domain's rule,
//! the move itself (which does nothing if someone changed the stage since
//! it was read) and its audit entry, in the caller's transaction. The
//! caller locks the application, commits, and words a refusal.

use chrono::{DateTime, Utc};

use crate::db::{applications, Tx};
use crate::domain::application::ApplicationId;
use crate::domain::workflow::stage::{apply, Actor, Move, MoveError, Stage};

use super::{By, Result};

/// What to move, by whom, and what the audit log says.
pub struct StageMove<'a> {
    /// The application.
    pub application: ApplicationId,
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
#[tracing::instrument(skip_all)]
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

#[cfg(test)]
mod tests {
    use super::{move_one, NotMoved, StageMove};
    use crate::app::By;
    use crate::db::applications::{self, PipelineFilter, PipelineSort};
    use crate::db::PortalPool;
    use crate::demo::{seed, Options};
    use crate::domain::workflow::stage::{Actor, Move, Stage};

    #[tokio::test]
    async fn a_stage_move_is_refused_by_the_rule_or_a_change_meanwhile_and_otherwise_recorded() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("stage.sqlite").display());
        let pool = PortalPool::connect(&url, 2, std::time::Duration::from_secs(5))
            .await
            .unwrap();
        crate::seed::migrate_and_seed(&pool, chrono::Utc::now())
            .await
            .unwrap();
        let o = Options {
            applications: 20,
            reviewers: 3,
            ..Options::default()
        };
        let report = seed(&pool, &o, chrono::Utc::now()).await.unwrap();
        let now = chrono::Utc::now();
        let in_review = PipelineFilter {
            stage: Stage::Review.as_str().into(),
            reviewer: None,
            progress: String::new(),
            flag: String::new(),
            label: None,
            waiting: false,
            search: String::new(),
            threshold_squared: 1.0,
            hide_applicant: crate::domain::user::UserId(0),
        };
        let mut conn = pool.conn().await.unwrap();
        let (rows, _) = applications::pipeline(
            conn.exec(),
            report.cycle_id,
            &in_review,
            PipelineSort::Submitted,
            false,
            now,
            0,
            1,
        )
        .await
        .unwrap();
        drop(conn);
        let id = rows[0].id;
        let step = |from, mv| StageMove {
            application: id,
            from,
            mv,
            actor: Actor::Manager,
            by: By {
                user: None,
                ip: None,
            },
            note: "",
            action: "application.move",
            now,
        };
        let detail = |from: Stage, to: Stage| format!("{} -> {}", from.as_str(), to.as_str());

        let mut tx = pool.begin().await.unwrap();
        let refused = move_one(&mut tx, &step(Stage::Review, Move::StartScreening), detail)
            .await
            .unwrap();
        assert!(matches!(refused, Err(NotMoved::Rule(_))), "{refused:?}");
        // Read while in screening, but someone has marked it eligible since.
        let stale = move_one(&mut tx, &step(Stage::Screening, Move::MarkEligible), detail)
            .await
            .unwrap();
        assert!(matches!(stale, Err(NotMoved::Changed)), "{stale:?}");
        let moved = move_one(&mut tx, &step(Stage::Review, Move::SendToCommittee), detail)
            .await
            .unwrap();
        assert_eq!(moved.unwrap(), Stage::Committee);
        tx.commit().await.unwrap();

        let mut conn = pool.conn().await.unwrap();
        let app = applications::find(conn.exec(), id).await.unwrap().unwrap();
        assert_eq!(app.stage, Stage::Committee);
        let events = applications::events(conn.exec(), id).await.unwrap();
        let last = events.iter().max_by_key(|e| e.created_at).unwrap();
        assert_eq!(last.to_stage, Stage::Committee.as_str());
    }
}
