//! Recording decisions: one at a time (with the version the manager saw,
//! so two managers never overwrite each other silently) or in bulk from
//! the ranking; held until released ([`super::release`]); a change after
//! release sends a replacement letter. Also the letter queueing that
//! release and offers share.

use chrono::{DateTime, Utc};
use rocket::form::Form;
use rocket::response::{Flash, Redirect};
use rocket::{post, routes, FromForm, Route, State};

use super::{audit_action, load_application};
use crate::auth::guards::Manager;
use crate::db::cycles::CycleWithForm;
use crate::db::{applications, decisions, outbox, programs, Db, Exec};
use crate::domain::access::manager_may_act_on;
use crate::domain::letter::{self, LetterFacts};
use crate::domain::workflow::decision::{decide, Change, DecisionError, Outcome, Recorded};
use crate::domain::workflow::stage::{Actor, Move, Stage};
use crate::mail::messages::decision_letter;
use crate::mail::Mail;
use crate::web::page::{Chrome, ClientIp, FormErrors};
use rocket::http::Status;
use rocket_dyn_templates::Template;

use super::application::{refuse_decision, RefusedDecision};
use crate::web::{Error, Result};

pub fn routes() -> Vec<Route> {
    routes![decide_application]
}

/// The stored decision in the domain's terms.
pub(super) fn recorded(d: &decisions::Decision) -> Option<Recorded> {
    Some(Recorded {
        outcome: Outcome::parse(&d.outcome)?,
        version: d.version,
        released: d.released_at.is_some(),
    })
}

/// The accept-by date of an offer released `now`.
pub(super) async fn offer_deadline(
    db: &Db,
    cycle: i64,
    now: DateTime<Utc>,
) -> Result<DateTime<Utc>> {
    let mut conn = db.conn().await?;
    let days = crate::db::cycles::offer_days(conn.exec(), cycle).await?;
    Ok(now + chrono::Duration::days(days))
}

/// The cycle's template (subject, body) for an outcome, or the shipped one.
async fn letter_template(ex: Exec<'_>, cycle: i64, outcome: Outcome) -> Result<(String, String)> {
    Ok(
        match decisions::template(ex, cycle, outcome.as_str()).await? {
            Some(t) => t,
            None => {
                let (s, b) = letter::default_for(outcome);
                (s.to_owned(), b.to_owned())
            }
        },
    )
}

/// Why the cycle's letter for `outcome` cannot be sent, in the manager's
/// words, if it cannot: a template stored before a rule of the letter
/// check existed. Asked before anything is recorded or queued, so a bad
/// template stops the action whole and nothing is sent.
pub(super) async fn letter_refusal(
    ex: Exec<'_>,
    cycle: i64,
    outcome: Outcome,
) -> Result<Option<String>> {
    let (subject, body) = letter_template(ex, cycle, outcome).await?;
    Ok(letter::check(&subject, &body).err().map(|e| {
        format!(
            "The “{}” letter of this cycle cannot be sent: {e} Correct it on the decision letters page; nothing was sent.",
            outcome.label()
        )
    }))
}

/// Renders and queues an application's decision letter. A `replacement`
/// rewrites the application's letter if it still waits in the outbox (so
/// only the new one is sent), and otherwise queues it under a key of its
/// own version.
#[expect(clippy::too_many_arguments, reason = "a letter has this many facts")]
pub(super) async fn queue_letter(
    mut ex: Exec<'_>,
    mail: &Mail,
    c: &CycleWithForm,
    program: &str,
    application: i64,
    to: (&str, &str),
    outcome: Outcome,
    note: &str,
    deadline: Option<DateTime<Utc>>,
    replacement: Option<i64>,
    now: DateTime<Utc>,
) -> Result<()> {
    let (subject, body) = letter_template(ex.reborrow(), c.cycle.id, outcome).await?;
    let facts = LetterFacts {
        applicant_name: to.0.to_owned(),
        program: program.to_owned(),
        cycle: c.cycle.name.clone(),
        offer_deadline: deadline.map(|d| c.cycle.show(d)).unwrap_or_default(),
        note: note.to_owned(),
        status_link: mail.link(&format!("/apply/applications/{application}")),
    };
    // Every caller asked `letter_refusal` first, in the same transaction;
    // a failure here is a bug, and the transaction is rolled back rather
    // than send a broken letter.
    let rendered = letter::render(&subject, &body, &facts).map_err(anyhow::Error::from)?;
    let key = format!("decision:{application}");
    match replacement {
        None => {
            decision_letter(ex, &key, to.1, &rendered, now).await?;
        }
        Some(version) => {
            // A letter being sent now (to a relay that may hang) or failed
            // is never sent again: only the new one goes out.
            outbox::supersede(ex.reborrow(), &key).await?;
            let replaced = outbox::replace_pending(
                ex.reborrow(),
                &key,
                to.1,
                &rendered.subject,
                &rendered.text,
                &rendered.html,
            )
            .await?;
            if !replaced {
                decision_letter(ex, &format!("{key}:v{version}"), to.1, &rendered, now).await?;
            }
        }
    }
    Ok(())
}

fn back(id: i64) -> Redirect {
    Redirect::to(format!("/manage/applications/{id}#decision"))
}

#[derive(FromForm)]
struct DecideForm {
    #[field(default = String::new())]
    outcome: String,
    #[field(default = String::new())]
    note: String,
    /// The decision's version the manager saw (empty: none).
    #[field(default = String::new())]
    version: String,
    #[field(default = false)]
    confirm: bool,
}

/// Records or changes one application's decision.
#[post("/applications/<id>/decide", data = "<form>")]
async fn decide_application(
    who: Manager,
    db: &Db,
    mail: &State<Mail>,
    chrome: Chrome,
    ip: ClientIp,
    id: i64,
    form: Form<DecideForm>,
) -> Result<std::result::Result<Flash<Redirect>, (Status, Template)>> {
    let (app, c) = load_application(&who, db, id).await?;
    // A refusal shows the form again, what was typed kept, the reason
    // next to the field it is about.
    let refuse = |field: &str, message: String| {
        let mut errors = FormErrors::default();
        errors.add(field, message);
        RefusedDecision {
            outcome: form.outcome.clone(),
            note: form.note.clone(),
            errors,
        }
    };
    let Some(outcome) = Outcome::parse(&form.outcome) else {
        let r = refuse("decision-outcome", "Choose the decision.".into());
        return Ok(Err(refuse_decision(&who, db, &chrome, id, r).await?));
    };
    let seen = match form.version.trim() {
        "" => None,
        v => v.parse::<i64>().ok(),
    };
    let note = form.note.trim();
    let now = crate::clock::now();
    let me = who.0.user().id;
    let mut tx = db.begin().await?;
    applications::lock(tx.exec(), id).await?;
    let current = decisions::find(tx.exec(), id).await?;
    let answered = current.as_ref().is_some_and(|d| d.offer_answer.is_some());
    let change = match decide(
        app.stage,
        current.as_ref().and_then(recorded).as_ref(),
        seen,
        outcome,
        note,
        form.confirm,
        answered,
    ) {
        Ok(c) => c,
        Err(e) => {
            drop(tx);
            let field = match e {
                DecisionError::NeedsConfirmation { .. } => "decision-confirm",
                DecisionError::NoteTooLong => "decision-note",
                _ => "decision-outcome",
            };
            let r = refuse(field, e.to_string());
            return Ok(Err(refuse_decision(&who, db, &chrome, id, r).await?));
        }
    };
    if !decisions::record(
        tx.exec(),
        id,
        c.cycle.id,
        outcome.as_str(),
        note,
        seen,
        me,
        now,
    )
    .await?
    {
        drop(tx);
        let r = refuse(
            "decision-outcome",
            "Someone else changed this decision at the same moment; nothing was overwritten. Check it and decide again.".into(),
        );
        return Ok(Err(refuse_decision(&who, db, &chrome, id, r).await?));
    }
    if change == Change::First
        && !applications::move_stage(
            tx.exec(),
            id,
            app.stage,
            Stage::Decided,
            Move::Decide,
            Some(me),
            Actor::Manager,
            "",
            now,
        )
        .await?
    {
        drop(tx);
        let r = refuse(
            "decision-outcome",
            "The application changed meanwhile; nothing was recorded. Check it and decide again."
                .into(),
        );
        return Ok(Err(refuse_decision(&who, db, &chrome, id, r).await?));
    }
    let what = match change {
        Change::First => "decided",
        Change::BeforeRelease | Change::Unchanged => "changed",
        Change::AfterRelease => "changed_after_release",
    };
    decisions::add_event(tx.exec(), id, what, outcome.as_str(), note, Some(me), now).await?;
    let mut message = format!(
        "Decision recorded: {}. Held until you release decisions.",
        outcome.label()
    );
    if change == Change::AfterRelease {
        // The applicant was told the old decision: send the new one now.
        if let Some(message) = letter_refusal(tx.exec(), c.cycle.id, outcome).await? {
            drop(tx);
            let r = refuse("decision-outcome", message);
            return Ok(Err(refuse_decision(&who, db, &chrome, id, r).await?));
        }
        let version = current.map_or(1, |d| d.version) + 1;
        let deadline = match outcome {
            Outcome::Accepted => Some(offer_deadline(db, c.cycle.id, now).await?),
            _ => None,
        };
        let applicant = crate::db::users::find(tx.exec(), app.applicant_id)
            .await?
            .ok_or(Error::NotFound)?;
        let program = programs::name_of(tx.exec(), c.cycle.program_id).await?;
        queue_letter(
            tx.exec(),
            mail,
            &c,
            &program,
            id,
            (&applicant.name, &applicant.email),
            outcome,
            note,
            deadline,
            Some(version),
            now,
        )
        .await?;
        decisions::mark_released(tx.exec(), id, version, deadline, now).await?;
        message = format!(
            "Decision changed to {}; the applicant is sent a replacement letter.",
            outcome.label()
        );
    }
    audit_action(
        tx.exec(),
        &who,
        &ip,
        "decision.record",
        &format!("application:{id}"),
        &format!("{what}: {}", outcome.as_str()),
        now,
    )
    .await?;
    tx.commit().await?;
    mail.wake();
    Ok(Ok(Flash::success(back(id), message)))
}

/// Records the same decision for many applications that have none yet
/// (from the ranking). Decisions already recorded are changed one at a
/// time, on the application's page, so a bulk action never overwrites one.
pub(super) async fn decide_many(
    db: &Db,
    who: &Manager,
    ip: &ClientIp,
    c: &CycleWithForm,
    ids: &[i64],
    outcome: Outcome,
    now: DateTime<Utc>,
) -> Result<(usize, Vec<String>)> {
    let me = who.0.user().id;
    let mut done = 0;
    let mut refused = Vec::new();
    for id in ids {
        let mut tx = db.begin().await?;
        applications::lock(tx.exec(), *id).await?;
        let Some(app) = applications::find(tx.exec(), *id).await? else {
            continue;
        };
        if app.cycle_id != c.cycle.id || !manager_may_act_on(app.applicant_id, me) {
            continue;
        }
        let current = decisions::find(tx.exec(), *id).await?;
        if let Err(e) = decide(
            app.stage,
            current.as_ref().and_then(recorded).as_ref(),
            None,
            outcome,
            "",
            false,
            false,
        ) {
            refused.push(format!("#{id}: {e}"));
            continue;
        }
        if !decisions::record(
            tx.exec(),
            *id,
            c.cycle.id,
            outcome.as_str(),
            "",
            None,
            me,
            now,
        )
        .await?
            || !applications::move_stage(
                tx.exec(),
                *id,
                app.stage,
                Stage::Decided,
                Move::Decide,
                Some(me),
                Actor::Manager,
                "",
                now,
            )
            .await?
        {
            refused.push(format!("#{id}: it changed meanwhile"));
            continue;
        }
        decisions::add_event(
            tx.exec(),
            *id,
            "decided",
            outcome.as_str(),
            "",
            Some(me),
            now,
        )
        .await?;
        audit_action(
            tx.exec(),
            who,
            ip,
            "decision.record",
            &format!("application:{id}"),
            &format!("decided (bulk): {}", outcome.as_str()),
            now,
        )
        .await?;
        tx.commit().await?;
        done += 1;
    }
    Ok((done, refused))
}
