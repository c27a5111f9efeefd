//! Setting cycles up in the browser: creating one for a program
//! ([`create`]), changing its name, zone, dates and grace period with the
//! history of changes ([`edit`]), copying it to next year ([`copy`]), and
//! opening it to applicants or taking it back ([`publish`]).
//!
//! Who may: a manager of the cycle's program, or an admin. Anyone else
//! gets [`Error::NotFound`], as for a cycle that does not exist.

mod copy;
mod create;
mod edit;
mod publish;

pub use copy::{copy, copy_proposal, Proposal};
pub use create::{create, program_for_setup, starter_rubric};
pub use edit::{edit_view, save, schedule_of, shown_values, EditForm, EditView, Saved};
pub use publish::{publish, unpublish};

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::auth::guards::Manager;
use crate::context::Ctx;
use crate::db::cycles::{self, CycleWithForm};
use crate::domain::form::{FormDefinition, QuestionKind};
use crate::domain::program::ProgramId;
use crate::domain::schedule::{self, DateField, Schedule};

use super::{Error, FormErrors, Result};
use crate::domain::cycle::CycleId;

/// Whether `who` may set up cycles of `program`.
fn may_set_up(who: &Manager, program: ProgramId) -> bool {
    let roles = who.0.roles();
    roles.can_manage(program) || roles.can_administer()
}

/// Cycle `id` with its form, if `who` may set it up.
#[tracing::instrument(skip_all, fields(id = %id))]
pub async fn cycle_for_setup(ctx: &Ctx, who: &Manager, id: CycleId) -> Result<CycleWithForm> {
    let mut conn = ctx.conn().await?;
    let c = cycles::find(conn.exec(), id)
        .await?
        .ok_or(Error::NotFound)?;
    if !may_set_up(who, c.cycle.program_id) {
        return Err(Error::NotFound);
    }
    Ok(c)
}

/// Refuses a new or reopened cycle of an archived program: an archived
/// program takes no new applications.
async fn refuse_if_archived(ctx: &Ctx, program: ProgramId) -> Result<()> {
    let mut conn = ctx.conn().await?;
    let found = crate::db::programs::find(conn.exec(), program)
        .await?
        .ok_or(Error::NotFound)?;
    if found.takes_applications() {
        Ok(())
    } else {
        Err(Error::refused(
            "This program is archived: an admin must bring it back before it runs a new cycle.",
        ))
    }
}

/// Whether the form asks for referees (so letters are used).
pub fn uses_referees(form: &FormDefinition) -> bool {
    form.questions()
        .any(|q| matches!(q.kind, QuestionKind::Referees { .. }))
}

/// A cycle's name, zone, dates and grace period, as typed. Dates are in
/// the order of [`DateField::ALL`], each a `YYYY-MM-DD` date and an
/// `HH:MM` time in the typed zone.
pub struct CycleForm<'a> {
    pub name: &'a str,
    pub time_zone: &'a str,
    pub dates: [(&'a str, &'a str); 4],
    pub grace_hours: &'a str,
}

/// A cycle's name, zone, dates and grace period, read.
#[derive(Debug, Clone)]
pub struct ReadCycle {
    pub name: String,
    pub zone: Tz,
    pub schedule: Schedule,
    pub grace_hours: i64,
}

/// The form's field id for a date's date (or time) input.
pub fn date_field(d: DateField, time: bool) -> String {
    format!("{}_{}", d.key(), if time { "time" } else { "date" })
}

/// Reads the typed cycle; each mistake against its field: `name`,
/// `time_zone`, `<date>_date` / `<date>_time`, `grace_hours`.
pub fn read(form: &CycleForm<'_>) -> std::result::Result<ReadCycle, FormErrors> {
    let mut errors = FormErrors::default();
    let name = errors.check("name", schedule::read_name(form.name));
    let zone = errors.check("time_zone", schedule::read_zone(form.time_zone));
    // With an unknown zone the dates are still checked for their shape.
    let reading_zone = zone.unwrap_or(chrono_tz::UTC);
    let mut at: Vec<Option<DateTime<Utc>>> = Vec::new();
    for (d, (date, time)) in DateField::ALL.into_iter().zip(form.dates) {
        match schedule::read_local(reading_zone, d, date, time) {
            Ok(t) => at.push(Some(t)),
            Err(e) => {
                errors.add(&date_field(d, e.is_about_time()), e);
                at.push(None);
            }
        }
    }
    let grace = errors.check("grace_hours", schedule::read_grace(form.grace_hours));
    let schedule = match at.as_slice() {
        [Some(o), Some(c), Some(l), Some(d)] => Some(Schedule {
            opens_at: *o,
            closes_at: *c,
            letters_due_at: *l,
            decision_planned_at: *d,
        }),
        _ => None,
    };
    if let (Some(s), Some(_)) = (&schedule, zone) {
        for (d, words) in s.order_problems() {
            errors.add(&date_field(d, false), words);
        }
    }
    match (name, zone, schedule, grace) {
        (Some(name), Some(zone), Some(schedule), Some(grace_hours)) if errors.is_empty() => {
            Ok(ReadCycle {
                name,
                zone,
                schedule,
                grace_hours,
            })
        }
        _ => Err(errors),
    }
}

/// The message for a name the program already uses.
fn name_taken(name: &str) -> String {
    format!("This program already has a cycle called “{name}”. Choose another name.")
}
