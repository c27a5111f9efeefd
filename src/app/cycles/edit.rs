//! Changing a cycle's name, time zone, dates and grace period. Every
//! changed field is recorded (who, when, old and new) and audited; nobody
//! is mailed unless the manager asks for applicants with a draft to be
//! told of a new closing date. The form carries the values it showed: if
//! another manager changed one meanwhile, the change is refused against
//! that field and the typed values are kept.

use chrono_tz::Tz;

use crate::auth::guards::{ClientIp, Manager};
use crate::context::Ctx;
use crate::db::{cycle_setup, cycles, programs};
use crate::domain::cycle::{show_in, Cycle, CycleId};
use crate::domain::program::Program;
use crate::domain::schedule::{self, Recorded, Schedule};
use crate::mail::messages;

use super::{cycle_for_setup, date_field, name_taken, read, CycleForm, ReadCycle};
use crate::app::{By, Error, FormErrors, Result};
use crate::db::cycles::CycleWithForm;

/// A cycle's dates.
pub fn schedule_of(c: &Cycle) -> Schedule {
    Schedule {
        opens_at: c.opens_at,
        closes_at: c.closes_at,
        letters_due_at: c.letters_due_at,
        decision_planned_at: c.decision_planned_at,
    }
}

/// A recorded field's value as stored in the history.
fn stored_value(c: &Cycle, r: Recorded) -> String {
    match r {
        Recorded::Name => c.name.clone(),
        Recorded::TimeZone => c.time_zone.name().to_owned(),
        Recorded::Date(d) => schedule::stored(schedule_of(c).get(d)),
        Recorded::Grace => c.letters_grace.num_hours().to_string(),
    }
}

/// A recorded field's value as typed, in the history's form.
fn typed_value(t: &ReadCycle, r: Recorded) -> String {
    match r {
        Recorded::Name => t.name.clone(),
        Recorded::TimeZone => t.zone.name().to_owned(),
        Recorded::Date(d) => schedule::stored(t.schedule.get(d)),
        Recorded::Grace => t.grace_hours.to_string(),
    }
}

/// The values the edit form shows and carries back, in the order of
/// [`Recorded::ALL`].
pub fn shown_values(c: &Cycle) -> [String; 7] {
    Recorded::ALL.map(|r| stored_value(c, r))
}

/// The form's field id for a recorded field.
fn field_of(r: Recorded) -> String {
    match r {
        Recorded::Name => "name".into(),
        Recorded::TimeZone => "time_zone".into(),
        Recorded::Date(d) => date_field(d, false),
        Recorded::Grace => "grace_hours".into(),
    }
}

/// A stored value in words.
fn in_words(c: &Cycle, r: Recorded) -> String {
    match r {
        Recorded::Name => format!("“{}”", c.name),
        Recorded::TimeZone => c.time_zone.name().to_owned(),
        Recorded::Date(d) => c.show(schedule_of(c).get(d)),
        Recorded::Grace => format!("{} hours", c.letters_grace.num_hours()),
    }
}

/// One line of a cycle's history.
#[derive(Debug, Clone)]
pub struct HistoryLine {
    /// "Closing date moved from … to … by Mo Manager on …".
    pub words: String,
}

/// What the edit page shows besides the form.
pub struct EditView {
    pub cycle: CycleWithForm,
    pub program: Program,
    pub history: Vec<HistoryLine>,
    /// Applicants with an unsubmitted draft (who may be told of a new
    /// closing date).
    pub drafts: usize,
}

/// Cycle `id` with its history, if `who` may set it up.
#[tracing::instrument(skip_all, fields(id = %id))]
pub async fn edit_view(ctx: &Ctx, who: &Manager, id: CycleId) -> Result<EditView> {
    let cycle = cycle_for_setup(ctx, who, id).await?;
    let mut conn = ctx.conn().await?;
    let program = programs::find(conn.exec(), cycle.cycle.program_id)
        .await?
        .ok_or(Error::NotFound)?;
    let history = cycle_setup::changes(conn.exec(), id)
        .await?
        .into_iter()
        .map(|h| {
            let tz: Tz = h.time_zone.parse().unwrap_or(cycle.cycle.time_zone);
            let by = if h.by.is_empty() {
                "a former user".to_owned()
            } else {
                h.by
            };
            HistoryLine {
                words: format!(
                    "{} by {by} on {}.",
                    h.field.sentence(&h.old, &h.new, tz),
                    show_in(tz, h.at)
                ),
            }
        })
        .collect();
    let drafts = cycle_setup::draft_holders(conn.exec(), id).await?.len();
    Ok(EditView {
        cycle,
        program,
        history,
        drafts,
    })
}

/// The edit form as typed: the cycle's fields, the values the page showed
/// (in the order of [`Recorded::ALL`], see [`shown_values`]), and whether
/// to tell applicants with a draft about a new closing date.
pub struct EditForm<'a> {
    pub cycle: CycleForm<'a>,
    pub shown: [&'a str; 7],
    pub tell_drafts: bool,
}

/// What saving changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Saved {
    /// Fields changed (each recorded).
    pub changed: usize,
    /// Applicants told of the new closing date.
    pub told: usize,
}

/// Saves cycle `id`'s name, zone, dates and grace period. `Invalid` for
/// each mistake, a name the program already uses, and each field another
/// manager changed since the form was shown (saving again then replaces
/// their value); nothing is stored then.
#[tracing::instrument(skip_all, fields(id = %id))]
pub async fn save(
    ctx: &Ctx,
    who: &Manager,
    ip: &ClientIp,
    id: CycleId,
    form: &EditForm<'_>,
) -> Result<Saved> {
    cycle_for_setup(ctx, who, id).await?;
    let typed = read(&form.cycle);
    let now = ctx.now();
    let mut tx = ctx.begin().await?;
    cycles::lock(tx.exec(), id).await?;
    let c = cycles::find(tx.exec(), id)
        .await?
        .ok_or(Error::NotFound)?
        .cycle;
    let mut errors = FormErrors::default();
    for (r, shown) in Recorded::ALL.into_iter().zip(form.shown) {
        if stored_value(&c, r) != shown {
            errors.add(
                &field_of(r),
                format!(
                    "Another manager changed this to {} while you were editing. Your value is \
                     kept here: save again to use it.",
                    in_words(&c, r)
                ),
            );
        }
    }
    let typed = match typed {
        Ok(t) if errors.is_empty() => t,
        Ok(_) => return Err(Error::Invalid(errors)),
        Err(mistakes) => {
            for e in mistakes.summary {
                errors.add(&e.field, e.message);
            }
            return Err(Error::Invalid(errors));
        }
    };
    if cycle_setup::name_taken(tx.exec(), c.program_id, &typed.name, Some(id)).await? {
        return Err(Error::invalid("name", name_taken(&typed.name)));
    }
    let changes: Vec<(Recorded, String, String)> = Recorded::ALL
        .into_iter()
        .map(|r| (r, stored_value(&c, r), typed_value(&typed, r)))
        .filter(|(_, old, new)| old != new)
        .collect();
    if changes.is_empty() {
        return Ok(Saved {
            changed: 0,
            told: 0,
        });
    }
    let update = cycle_setup::ScheduleUpdate {
        name: &typed.name,
        time_zone: typed.zone.name(),
        schedule: typed.schedule,
        letters_grace_hours: typed.grace_hours,
    };
    cycle_setup::update_schedule(tx.exec(), id, &update).await?;
    let by = who.0.user().id;
    let mut closing_change = None;
    let mut sentences = Vec::new();
    for (field, old, new) in &changes {
        let change = cycle_setup::NewChange {
            cycle: id,
            field: *field,
            old,
            new,
            time_zone: typed.zone.name(),
            by,
        };
        let change_id = cycle_setup::record_change(tx.exec(), &change, now).await?;
        if *field == Recorded::Date(schedule::DateField::Closes) {
            closing_change = Some(change_id);
        }
        sentences.push(field.sentence(old, new, typed.zone));
    }
    By::user(by, ip.as_deref())
        .audit(
            tx.exec(),
            "cycle.dates",
            &format!("cycle:{id}"),
            &sentences.join("; "),
            now,
        )
        .await?;
    let mut told = 0;
    if let (true, Some(change_id)) = (form.tell_drafts, closing_change) {
        let program = programs::name_of(tx.exec(), c.program_id).await?;
        let old = show_in(typed.zone, c.closes_at);
        let new = show_in(typed.zone, typed.schedule.closes_at);
        for holder in cycle_setup::draft_holders(tx.exec(), id).await? {
            let facts = messages::ClosingDateMoved {
                name: &holder.name,
                program: &program,
                cycle: &typed.name,
                old: &old,
                new: &new,
            };
            messages::closing_date_moved(
                tx.exec(),
                &ctx.mail,
                &holder.email,
                holder.application_id,
                change_id,
                &facts,
                now,
            )
            .await?;
            told += 1;
        }
    }
    tx.commit().await?;
    if told > 0 {
        ctx.wake();
    }
    Ok(Saved {
        changed: changes.len(),
        told,
    })
}
