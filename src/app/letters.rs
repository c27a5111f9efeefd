//! Decision letters: a cycle's template per outcome (the manager's own or
//! the shipped one), checked on save with the reason tied to its field,
//! previewed for a sample application, and rendered into the outbox when
//! a decision is released or changed after release. Names no page.

use crate::domain::cycle::CycleId;
use chrono::{DateTime, Utc};

use super::{access, By, Error, FormErrors, Result};
use crate::auth::guards::{ClientIp, Manager};
use crate::context::Ctx;
use crate::db::cycles::CycleWithForm;
use crate::db::{decisions, outbox, programs, Exec};
use crate::domain::application::ApplicationId;
use crate::domain::letter::{self, LetterError, LetterFacts, Part, Rendered};
use crate::domain::workflow::decision::Outcome;
use crate::mail::messages::decision_letter;
use crate::mail::Mail;

/// A cycle's letter for one outcome.
#[derive(Debug, Clone)]
pub struct Template {
    pub subject: String,
    pub body: String,
    /// Written by a manager (not the shipped one).
    pub custom: bool,
}

/// The template (subject, body) of cycle `cycle` for `outcome`, in `ex`.
async fn template_in(ex: Exec<'_>, cycle: CycleId, outcome: Outcome) -> Result<Template> {
    Ok(match decisions::template(ex, cycle, outcome).await? {
        Some((subject, body)) => Template {
            subject,
            body,
            custom: true,
        },
        None => {
            let (s, b) = letter::default_for(outcome);
            Template {
                subject: s.to_owned(),
                body: b.to_owned(),
                custom: false,
            }
        }
    })
}

/// The letter of cycle `cycle` for `outcome`: the stored one, or the
/// shipped one when the managers wrote none.
#[tracing::instrument(skip_all, fields(cycle = %cycle))]
pub async fn template(ctx: &Ctx, cycle: CycleId, outcome: Outcome) -> Result<Template> {
    let mut conn = ctx.conn().await?;
    template_in(conn.exec(), cycle, outcome).await
}

/// The name of the program that cycle `c` belongs to.
#[tracing::instrument(skip_all)]
pub async fn program_name(ctx: &Ctx, c: &CycleWithForm) -> Result<String> {
    let mut conn = ctx.conn().await?;
    Ok(programs::name_of(conn.exec(), c.cycle.program_id).await?)
}

/// The field a template problem is shown next to (`subject` or `body`).
pub fn field_of(e: &LetterError) -> &'static str {
    match e.part() {
        Part::Subject => "subject",
        Part::Letter => "body",
    }
}

/// The problem with a template, recorded against its field.
pub fn errors_of(e: LetterError) -> FormErrors {
    let mut errors = FormErrors::default();
    errors.add(field_of(&e), e);
    errors
}

/// A template as typed, rendered for a sample application of cycle `c`;
/// refused ([`Error::Invalid`], against its field) when the letter check
/// finds a problem.
#[tracing::instrument(skip_all)]
pub async fn preview(
    ctx: &Ctx,
    c: &CycleWithForm,
    outcome: Outcome,
    subject: &str,
    body: &str,
) -> Result<Rendered> {
    let program = program_name(ctx, c).await?;
    let label = super::outcomes::labels(ctx, c.cycle.id).await?;
    let facts = LetterFacts::sample(&program, &c.cycle.name, label.label(outcome));
    letter::render(subject, body, &facts).map_err(|e| Error::Invalid(errors_of(e)))
}

/// A letter template as typed on the edit page.
#[derive(Debug, Clone)]
pub struct LetterText {
    pub subject: String,
    pub body: String,
}

/// Stores cycle `cycle`'s letter for `outcome`, used for every letter of
/// that outcome released from then on. Refused ([`Error::Invalid`],
/// against its field) when the letter check finds a problem; audited.
#[tracing::instrument(skip_all, fields(cycle = %cycle))]
pub async fn save(
    ctx: &Ctx,
    who: &Manager,
    ip: &ClientIp,
    cycle: CycleId,
    outcome: Outcome,
    input: LetterText,
) -> Result<()> {
    let c = access::cycle_for_manager(ctx, who, cycle).await?;
    preview(ctx, &c, outcome, &input.subject, &input.body).await?;
    let now = ctx.now();
    let me = who.0.user().id;
    let mut tx = ctx.begin().await?;
    decisions::put_template(
        tx.exec(),
        cycle,
        outcome.as_str(),
        input.subject.trim(),
        &input.body,
        me,
        now,
    )
    .await?;
    By::user(me, ip.as_deref())
        .audit(
            tx.exec(),
            "letter.save",
            &format!("cycle:{cycle}"),
            outcome.as_str(),
            now,
        )
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Why the cycle's letter for `outcome` cannot be sent, in the manager's
/// words, if it cannot: a template stored before a rule of the letter
/// check existed. Asked before anything is recorded or queued, so a bad
/// template stops the action whole and nothing is sent.
pub(crate) async fn refusal(
    mut ex: Exec<'_>,
    cycle: CycleId,
    outcome: Outcome,
) -> Result<Option<String>> {
    let t = template_in(ex.reborrow(), cycle, outcome).await?;
    let labels = crate::db::outcomes::list(ex, cycle).await?;
    Ok(letter::check(&t.subject, &t.body).err().map(|e| {
        format!(
            "The “{}” letter of this cycle cannot be sent: {e} Correct it on the decision letters page; nothing was sent.",
            labels.label(outcome)
        )
    }))
}

/// [`refusal`] as an error, to stop the action with `?`.
pub(crate) async fn sendable(ex: Exec<'_>, cycle: CycleId, outcome: Outcome) -> Result<()> {
    match refusal(ex, cycle, outcome).await? {
        Some(message) => Err(Error::Refused(message)),
        None => Ok(()),
    }
}

/// One application's decision letter, with the facts it is written from.
pub(crate) struct Letter<'a> {
    pub cycle: &'a CycleWithForm,
    pub program: &'a str,
    pub application: ApplicationId,
    pub applicant_name: &'a str,
    pub applicant_email: &'a str,
    pub outcome: Outcome,
    /// The extra outcome the decision was recorded as, named by the
    /// letter's `{{outcome}}` (the letter is its meaning's).
    pub key: Option<&'a str>,
    pub note: &'a str,
    pub deadline: Option<DateTime<Utc>>,
    /// The decision's new version, when this letter replaces one the
    /// applicant was sent (or was about to be).
    pub replacement: Option<i64>,
}

/// Renders and queues an application's decision letter. A replacement
/// rewrites the application's letter if it still waits in the outbox (so
/// only the new one is sent), and otherwise queues it under a key of its
/// own version.
pub(crate) async fn queue(
    mut ex: Exec<'_>,
    mail: &Mail,
    l: &Letter<'_>,
    now: DateTime<Utc>,
) -> Result<()> {
    let c = l.cycle;
    let t = template_in(ex.reborrow(), c.cycle.id, l.outcome).await?;
    let labels = crate::db::outcomes::list(ex.reborrow(), c.cycle.id).await?;
    let facts = LetterFacts {
        applicant_name: l.applicant_name.to_owned(),
        program: l.program.to_owned(),
        cycle: c.cycle.name.clone(),
        outcome: labels.name(l.outcome, l.key).to_owned(),
        offer_deadline: l.deadline.map(|d| c.cycle.show(d)).unwrap_or_default(),
        note: l.note.to_owned(),
        status_link: mail.link(&format!("/apply/applications/{}", l.application)),
    };
    // Every caller asked `refusal` first, in the same transaction; a
    // failure here is a bug, and the transaction is rolled back rather
    // than send a broken letter.
    let rendered = letter::render(&t.subject, &t.body, &facts).map_err(anyhow::Error::from)?;
    let key = format!("decision:{}", l.application);
    match l.replacement {
        None => {
            decision_letter(
                ex,
                mail,
                &key,
                l.applicant_email,
                l.applicant_name,
                &rendered,
                now,
            )
            .await?;
        }
        Some(version) => {
            // A letter being sent now (to a relay that may hang) or failed
            // is never sent again: only the new one goes out.
            outbox::supersede(ex.reborrow(), &key).await?;
            let sender = mail.sender_now(ex.reborrow()).await?;
            let (text, html) = mail.finish(
                &sender,
                &rendered.subject,
                &rendered.text,
                &rendered.html,
                crate::mail::layout::Signed::ByItsAuthor,
                None,
            );
            let replaced = outbox::replace_pending(
                ex.reborrow(),
                &key,
                l.applicant_email,
                &rendered.subject,
                &text,
                &html,
            )
            .await?;
            if !replaced {
                decision_letter(
                    ex,
                    mail,
                    &format!("{key}:v{version}"),
                    l.applicant_email,
                    l.applicant_name,
                    &rendered,
                    now,
                )
                .await?;
            }
        }
    }
    Ok(())
}
