//! A manager's stage moves on applications: screening (eligible, or
//! ineligible with a reason the applicant sees only if shared), starting
//! screening, sending to the committee, and the same moves in bulk. Each
//! move is a stage event and an audit entry in one transaction.

use crate::auth::guards::{ClientIp, Manager};
use crate::context::Ctx;
use crate::db::applications;
use crate::domain::access::manager_may_act_on;
use crate::domain::application::ApplicationId;
use crate::domain::cycle::CycleId;
use crate::domain::workflow::review::IneligibleReason;
use crate::domain::workflow::stage::{Actor, Move, Stage};

use super::stage::{move_one, NotMoved, StageMove};
use super::{access, By, Error, Result};

/// What a manager's screening form says, as typed.
pub struct ScreeningForm<'a> {
    /// `eligible` or `ineligible`.
    pub outcome: &'a str,
    /// An [`IneligibleReason`] when ineligible.
    pub reason: &'a str,
    pub note: &'a str,
    /// Whether the applicant sees the reason.
    pub share: bool,
}

/// A screening outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screening {
    Eligible,
    Ineligible {
        reason: IneligibleReason,
        shared: bool,
    },
}

impl TryFrom<&ScreeningForm<'_>> for Screening {
    type Error = &'static str;

    /// Ineligible needs a reason from the list, and a note when the reason
    /// is "another reason".
    fn try_from(form: &ScreeningForm<'_>) -> std::result::Result<Self, Self::Error> {
        match form.outcome {
            "eligible" => Ok(Self::Eligible),
            "ineligible" => match IneligibleReason::parse(form.reason) {
                Some(r) if r != IneligibleReason::Other || !form.note.trim().is_empty() => {
                    Ok(Self::Ineligible {
                        reason: r,
                        shared: form.share,
                    })
                }
                Some(_) => Err("Say in the note why the application is ineligible when the reason is “Another reason”."),
                None => Err("Choose why the application is ineligible."),
            },
            _ => Err("Choose whether the application is eligible."),
        }
    }
}

/// What a manager's own stage move asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ManagerMove {
    StartScreening,
    SendToCommittee,
}

impl ManagerMove {
    /// The move named by a form's value.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "start_screening" => Some(Self::StartScreening),
            "send_to_committee" => Some(Self::SendToCommittee),
            _ => None,
        }
    }

    fn mv(self) -> Move {
        match self {
            Self::StartScreening => Move::StartScreening,
            Self::SendToCommittee => Move::SendToCommittee,
        }
    }
}

/// What a single application's page says when its stage changed while the
/// manager looked at it.
const CHANGED: &str =
    "Someone changed this application meanwhile; nothing was saved. Check it and try again.";

/// Screens application `id` as the form says: eligible moves it to review;
/// ineligible records the reason (shared with the applicant or not).
/// Refuses a form without a valid choice, a move the stage does not allow,
/// and a stage changed meanwhile. Returns the outcome.
#[tracing::instrument(skip_all, fields(id = %id))]
pub async fn screen(
    ctx: &Ctx,
    who: &Manager,
    ip: &ClientIp,
    id: ApplicationId,
    form: &ScreeningForm<'_>,
) -> Result<Screening> {
    let (app, _) = access::application_for_manager(ctx, who, id).await?;
    let screening = Screening::try_from(form).map_err(Error::refused)?;
    let note = form.note.trim();
    let mv = match screening {
        Screening::Eligible => Move::MarkEligible,
        Screening::Ineligible { .. } => Move::MarkIneligible,
    };
    let now = ctx.now();
    let mut tx = ctx.begin().await?;
    applications::lock(tx.exec(), id).await?;
    let step = StageMove {
        application: id,
        from: app.stage,
        mv,
        actor: Actor::Manager,
        by: By::user(who.0.user().id, ip.as_deref()),
        note,
        action: "application.screen",
        now,
    };
    let detail = |_, _| match screening {
        Screening::Ineligible { reason, shared } => format!(
            "ineligible: {}{}",
            reason.as_str(),
            if shared { " (reason shared)" } else { "" }
        ),
        Screening::Eligible => "eligible".to_owned(),
    };
    match move_one(&mut tx, &step, detail).await? {
        Ok(_) => {}
        Err(NotMoved::Rule(e)) => return Err(Error::refused(e.to_string())),
        Err(NotMoved::Changed) => return Err(Error::refused(CHANGED)),
    }
    if let Screening::Ineligible { reason, shared } = screening {
        applications::set_screening(tx.exec(), id, reason.as_str(), note, shared).await?;
    }
    tx.commit().await?;
    Ok(screening)
}

/// Starts screening application `id` or sends it to the committee, with
/// `note` on the stage event. Refuses a missing move (`None`), a move the
/// stage does not allow and a stage changed meanwhile. Returns the new
/// stage.
#[tracing::instrument(skip_all, fields(id = %id))]
pub async fn move_application(
    ctx: &Ctx,
    who: &Manager,
    ip: &ClientIp,
    id: ApplicationId,
    mv: Option<ManagerMove>,
    note: &str,
) -> Result<Stage> {
    let (app, _) = access::application_for_manager(ctx, who, id).await?;
    let mv = mv.ok_or_else(|| Error::refused("Choose a move."))?;
    let now = ctx.now();
    let mut tx = ctx.begin().await?;
    applications::lock(tx.exec(), id).await?;
    let step = StageMove {
        application: id,
        from: app.stage,
        mv: mv.mv(),
        actor: Actor::Manager,
        by: By::user(who.0.user().id, ip.as_deref()),
        note: note.trim(),
        action: "application.move",
        now,
    };
    let detail = |from: Stage, to: Stage| format!("{} -> {}", from.as_str(), to.as_str());
    let to = match move_one(&mut tx, &step, detail).await? {
        Ok(to) => to,
        Err(NotMoved::Rule(e)) => return Err(Error::refused(e.to_string())),
        Err(NotMoved::Changed) => return Err(Error::refused(CHANGED)),
    };
    tx.commit().await?;
    Ok(to)
}

/// A move the pipeline's bulk form offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BulkMove {
    StartScreening,
    MarkEligible,
    SendToCommittee,
}

impl BulkMove {
    /// The move named by the bulk form's action.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "start_screening" => Some(Self::StartScreening),
            "mark_eligible" => Some(Self::MarkEligible),
            "send_to_committee" => Some(Self::SendToCommittee),
            _ => None,
        }
    }

    fn mv(self) -> Move {
        match self {
            Self::StartScreening => Move::StartScreening,
            Self::MarkEligible => Move::MarkEligible,
            Self::SendToCommittee => Move::SendToCommittee,
        }
    }
}

/// What a bulk move did: how many moved, and why each refused one was not.
#[derive(Debug, Default)]
pub struct Moved {
    pub moved: usize,
    /// `#id: why`, one per application not moved.
    pub refused: Vec<String>,
}

impl Moved {
    /// Whether every application asked for moved (or was skipped unseen).
    pub fn is_complete(&self) -> bool {
        self.refused.is_empty()
    }

    /// What the manager is told.
    pub fn message(&self) -> String {
        let mut message = format!(
            "{} application{} moved.",
            self.moved,
            if self.moved == 1 { "" } else { "s" }
        );
        if !self.refused.is_empty() {
            message.push_str(&format!(" Not moved: {}", self.refused.join(" ")));
        }
        message
    }
}

/// Makes one move on each of the applications `ids` of cycle `cycle`, each
/// in its own transaction. Ids outside the cycle, drafts and the manager's
/// own application are skipped without a word (as if absent); each that
/// the stage does not allow, or that changed meanwhile, is named.
#[tracing::instrument(skip_all, fields(cycle = %cycle))]
pub async fn move_many(
    ctx: &Ctx,
    who: &Manager,
    ip: &ClientIp,
    cycle: CycleId,
    ids: &[ApplicationId],
    mv: BulkMove,
) -> Result<Moved> {
    access::cycle_for_manager(ctx, who, cycle).await?;
    let now = ctx.now();
    let me = who.0.user().id;
    let mut done = Moved::default();
    for app_id in ids {
        let mut tx = ctx.begin().await?;
        applications::lock(tx.exec(), *app_id).await?;
        let Some(app) = applications::find(tx.exec(), *app_id).await? else {
            continue;
        };
        if app.cycle_id != cycle
            || app.stage == Stage::Draft
            || !manager_may_act_on(app.applicant_id, me)
        {
            continue;
        }
        let step = StageMove {
            application: app.id,
            from: app.stage,
            mv: mv.mv(),
            actor: Actor::Manager,
            by: By::user(me, ip.as_deref()),
            note: "",
            action: "application.move",
            now,
        };
        let detail =
            |from: Stage, to: Stage| format!("{} -> {} (bulk)", from.as_str(), to.as_str());
        match move_one(&mut tx, &step, detail).await? {
            Ok(_) => {
                tx.commit().await?;
                done.moved += 1;
            }
            Err(NotMoved::Rule(e)) => done.refused.push(format!("#{app_id}: {e}")),
            Err(NotMoved::Changed) => done.refused.push(format!(
                "#{app_id}: it changed meanwhile; reload and try again."
            )),
        }
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::{BulkMove, ManagerMove, Screening, ScreeningForm};
    use crate::domain::workflow::review::IneligibleReason;

    fn form<'a>(outcome: &'a str, reason: &'a str, note: &'a str) -> ScreeningForm<'a> {
        ScreeningForm {
            outcome,
            reason,
            note,
            share: true,
        }
    }

    #[test]
    fn ineligible_needs_a_listed_reason_and_a_note_for_another_reason() {
        assert_eq!(
            Screening::try_from(&form("eligible", "", "")),
            Ok(Screening::Eligible)
        );
        let other = IneligibleReason::Other.as_str();
        assert!(Screening::try_from(&form("ineligible", other, "  ")).is_err());
        assert_eq!(
            Screening::try_from(&form("ineligible", other, "Applied twice.")),
            Ok(Screening::Ineligible {
                reason: IneligibleReason::Other,
                shared: true
            })
        );
        assert_eq!(
            Screening::try_from(&form("ineligible", "because", "")),
            Err("Choose why the application is ineligible.")
        );
        assert_eq!(
            Screening::try_from(&form("", "", "")),
            Err("Choose whether the application is eligible.")
        );
    }

    #[test]
    fn only_the_offered_moves_are_read() {
        assert_eq!(
            ManagerMove::parse("send_to_committee"),
            Some(ManagerMove::SendToCommittee)
        );
        assert_eq!(ManagerMove::parse("mark_eligible"), None);
        assert_eq!(
            BulkMove::parse("mark_eligible"),
            Some(BulkMove::MarkEligible)
        );
        assert_eq!(BulkMove::parse("withdraw"), None);
    }
}
