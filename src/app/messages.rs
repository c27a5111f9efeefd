//! Messages to a cycle's applicants: written from a template with the
//! letters' fields, sent to those an audience picks (previewed first for
//! one of them, with the count), one mail each through the outbox, and
//! recorded with who got it. Also each cycle's automatic reminders to
//! applicants (the sending is `jobs::reminders`'). Names no page.

use super::{access, By, Error, FormErrors, Result};
use crate::auth::guards::{ClientIp, Manager};
use crate::context::Ctx;
use crate::db::applicant_reminders::{self, Settings};
use crate::db::cycles::CycleWithForm;
use crate::db::messages::{self, Recipient};
use crate::db::{programs, Exec};
use crate::domain::cycle::CycleId;
use crate::domain::letter::{self, Prepared, Rendered};
use crate::domain::message::{self, Audience, MessageFacts};
use crate::domain::workflow::decision::Outcome;
use crate::domain::workflow::outcomes::Outcomes;

/// Recipients read, rendered and queued at a time.
const BATCH: i64 = 500;

/// A message as the manager typed it.
#[derive(Debug, Clone, Copy)]
pub struct Draft<'a> {
    /// An [`Audience`]'s key.
    pub audience: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
}

/// What the manager sees before sending.
#[derive(Debug, Clone)]
pub struct Preview {
    /// The audience in words.
    pub audience: String,
    /// How many applicants get the message.
    pub count: i64,
    /// The first of them, and the message as they get it.
    pub sample_name: String,
    pub sample: Rendered,
}

fn words(a: Audience, outcomes: &Outcomes) -> String {
    a.words(|o| outcomes.label(o).to_owned())
}

/// Everything a message is filled in from, but the recipient.
struct Setting<'a> {
    c: &'a CycleWithForm,
    program: String,
    outcomes: Outcomes,
}

impl Setting<'_> {
    fn facts(&self, ctx: &Ctx, r: &Recipient) -> MessageFacts {
        let cycle = &self.c.cycle;
        let outcome = r.outcome.as_deref().and_then(Outcome::parse);
        MessageFacts {
            applicant_name: r.name.clone(),
            program: self.program.clone(),
            cycle: cycle.name.clone(),
            outcome: outcome
                .map(|o| self.outcomes.name(o, r.outcome_key.as_deref()).to_owned())
                .unwrap_or_default(),
            offer_deadline: r.offer_deadline.map(|d| cycle.show(d)).unwrap_or_default(),
            note: r.note.clone().unwrap_or_default(),
            status_link: ctx
                .mail
                .link(&format!("/apply/applications/{}", r.application_id)),
            deadline: cycle.show(r.deadline_extended_to.unwrap_or(cycle.closes_at)),
        }
    }

    fn render(&self, ctx: &Ctx, t: &Prepared, r: &Recipient) -> Result<Rendered> {
        let facts = self.facts(ctx, r);
        // The template was checked against these fields; filling it in
        // cannot fail but by a fault of the portal.
        t.render(&facts, &facts.status_link)
            .map_err(|e| Error::Internal(anyhow::Error::from(e)))
    }
}

/// Checks a draft: who it goes to, and its template, each mistake against
/// its field; then that it reaches someone. The audience, the template and
/// how many it reaches.
async fn check(
    mut ex: Exec<'_>,
    s: &Setting<'_>,
    d: &Draft<'_>,
) -> Result<(Audience, Prepared, i64)> {
    let mut errors = FormErrors::default();
    let audience = Audience::parse(d.audience);
    if audience.is_none() {
        errors.add("audience", "Choose who gets the message.");
    }
    let template = match letter::prepare(d.subject.trim(), d.body, &message::fields()) {
        Ok(t) => Some(t),
        Err(e) => {
            errors.add(super::letters::field_of(&e), e);
            None
        }
    };
    let (Some(audience), Some(template)) = (audience, template) else {
        return Err(Error::Invalid(errors));
    };
    let count = messages::count(ex.reborrow(), s.c.cycle.id, audience).await?;
    if count == 0 {
        return Err(Error::invalid(
            "audience",
            format!(
                "Nobody in this cycle matches this choice now ({}), so the message would reach no one. Choose other recipients.",
                words(audience, &s.outcomes)
            ),
        ));
    }
    Ok((audience, template, count))
}

async fn setting<'c>(ctx: &Ctx, c: &'c CycleWithForm) -> Result<Setting<'c>> {
    let mut conn = ctx.conn().await?;
    Ok(Setting {
        c,
        program: programs::name_of(conn.exec(), c.cycle.program_id).await?,
        outcomes: crate::db::outcomes::list(conn.exec(), c.cycle.id).await?,
    })
}

/// The message as the first recipient would get it, with how many would;
/// `Invalid` (against its field) for each mistake, and when nobody would.
#[tracing::instrument(skip_all, fields(cycle = %cycle))]
pub async fn preview(ctx: &Ctx, who: &Manager, cycle: CycleId, d: Draft<'_>) -> Result<Preview> {
    let c = access::cycle_for_manager(ctx, who, cycle).await?;
    let s = setting(ctx, &c).await?;
    let mut conn = ctx.conn().await?;
    let (audience, template, count) = check(conn.exec(), &s, &d).await?;
    let first = messages::recipients(conn.exec(), cycle, audience, 0, 1)
        .await?
        .into_iter()
        .next()
        .ok_or(Error::Refused(
            "The recipients changed while the preview was made. Preview it again.".into(),
        ))?;
    Ok(Preview {
        audience: words(audience, &s.outcomes),
        count,
        sample: s.render(ctx, &template, &first)?,
        sample_name: first.name,
    })
}

/// Sends a message to everyone its audience picks now, one mail each
/// through the outbox, and records it; its id and how many it went to.
/// `Invalid` as [`preview`], and on `audience` when the count is no longer
/// `expected` (the number the manager saw): nothing is sent then.
#[tracing::instrument(skip_all, fields(cycle = %cycle))]
pub async fn send(
    ctx: &Ctx,
    who: &Manager,
    ip: &ClientIp,
    cycle: CycleId,
    d: Draft<'_>,
    expected: i64,
) -> Result<(i64, i64)> {
    let c = access::cycle_for_manager(ctx, who, cycle).await?;
    let s = setting(ctx, &c).await?;
    let now = ctx.now();
    let me = who.0.user().id;
    let mut tx = ctx.begin().await?;
    let (audience, template, count) = check(tx.exec(), &s, &d).await?;
    if count != expected {
        return Err(Error::invalid(
            "audience",
            format!(
                "The recipients changed since the preview: {count} now, not {expected}. Nothing was sent; check the preview below and send again."
            ),
        ));
    }
    let key = audience.key();
    let record = messages::NewMessage {
        cycle,
        by: me,
        audience: &key,
        subject: d.subject.trim(),
        body: d.body,
    };
    let id = messages::insert(tx.exec(), &record, now).await?;
    let mut sent = 0;
    let mut after = 0;
    loop {
        let batch = messages::recipients(tx.exec(), cycle, audience, after, BATCH).await?;
        let Some(last) = batch.last() else { break };
        after = last.application_id.0;
        let mut ids = Vec::with_capacity(batch.len());
        for r in &batch {
            let rendered = s.render(ctx, &template, r)?;
            crate::mail::messages::applicant_message(
                tx.exec(),
                &ctx.mail,
                id,
                r.application_id,
                (&r.email, &r.name),
                &rendered,
                now,
            )
            .await?;
            ids.push(r.application_id);
        }
        messages::add_recipients(tx.exec(), id, &ids).await?;
        sent += ids.len() as i64;
    }
    messages::finish(tx.exec(), id, sent).await?;
    let detail = format!(
        "“{}” to {sent} applicant{} ({})",
        d.subject.trim(),
        if sent == 1 { "" } else { "s" },
        words(audience, &s.outcomes)
    );
    By::user(me, ip.as_deref())
        .audit(
            tx.exec(),
            "message.send",
            &format!("cycle:{cycle}"),
            &detail,
            now,
        )
        .await?;
    tx.commit().await?;
    ctx.wake();
    Ok((id, sent))
}

/// A recorded message, with its audience in words.
#[derive(Debug, Clone)]
pub struct SentMessage {
    pub message: messages::Sent,
    pub audience: String,
}

/// What the messages page shows of a cycle: the audiences to pick from,
/// its reminder settings and its latest messages.
#[derive(Debug, Clone)]
pub struct Overview {
    pub cycle: CycleWithForm,
    /// (key, words) of each audience.
    pub audiences: Vec<(String, String)>,
    pub reminders: Settings,
    /// The latest messages, newest first.
    pub sent: Vec<SentMessage>,
}

/// Cycle `cycle`'s [`Overview`], with its latest `limit` messages.
#[tracing::instrument(skip_all, fields(cycle = %cycle))]
pub async fn overview(ctx: &Ctx, who: &Manager, cycle: CycleId, limit: i64) -> Result<Overview> {
    let c = access::cycle_for_manager(ctx, who, cycle).await?;
    let mut conn = ctx.conn().await?;
    let outcomes = crate::db::outcomes::list(conn.exec(), cycle).await?;
    let reminders = applicant_reminders::settings(conn.exec(), cycle).await?;
    let sent = messages::of_cycle(conn.exec(), cycle, limit).await?;
    Ok(Overview {
        cycle: c,
        audiences: Audience::all()
            .into_iter()
            .map(|a| (a.key(), words(a, &outcomes)))
            .collect(),
        reminders,
        sent: sent
            .into_iter()
            .map(|m| SentMessage {
                audience: described(&m.audience, &outcomes),
                message: m,
            })
            .collect(),
    })
}

fn described(key: &str, outcomes: &Outcomes) -> String {
    Audience::parse(key).map_or_else(|| key.to_owned(), |a| words(a, outcomes))
}

/// One recipient of a sent message.
#[derive(Debug, Clone)]
pub struct SentTo {
    pub application: crate::domain::application::ApplicationId,
    pub name: String,
    /// Still a draft: the program team cannot open it.
    pub draft: bool,
}

/// A sent message as its record page shows it.
#[derive(Debug, Clone)]
pub struct Record {
    pub cycle: CycleWithForm,
    pub sent: SentMessage,
    /// A page of its recipients.
    pub to: Vec<SentTo>,
}

/// Message `id` of cycle `cycle` and up to `limit` of its recipients after
/// application `after`.
#[tracing::instrument(skip_all, fields(cycle = %cycle))]
pub async fn record(
    ctx: &Ctx,
    who: &Manager,
    cycle: CycleId,
    id: i64,
    after: i64,
    limit: i64,
) -> Result<Record> {
    let c = access::cycle_for_manager(ctx, who, cycle).await?;
    let mut conn = ctx.conn().await?;
    let m = messages::one(conn.exec(), cycle, id)
        .await?
        .ok_or(Error::NotFound)?;
    let outcomes = crate::db::outcomes::list(conn.exec(), cycle).await?;
    let to = messages::sent_to(conn.exec(), id, after, limit)
        .await?
        .into_iter()
        .map(|(application, name, stage)| SentTo {
            application,
            name,
            draft: stage == crate::domain::workflow::stage::Stage::Draft.as_str(),
        })
        .collect();
    Ok(Record {
        cycle: c,
        sent: SentMessage {
            audience: described(&m.audience, &outcomes),
            message: m,
        },
        to,
    })
}

/// The field ids of the reminder settings.
pub const DRAFT_DAYS: &str = "draft_days";
pub const REFEREE_DAYS: &str = "referee_days";

/// Sets cycle `cycle`'s automatic reminders from the typed days (empty:
/// off); `Invalid` against each field that is not a number of days from 1
/// to 90, and nothing is changed then. Audited.
#[tracing::instrument(skip_all, fields(cycle = %cycle))]
pub async fn set_reminders(
    ctx: &Ctx,
    who: &Manager,
    ip: &ClientIp,
    cycle: CycleId,
    draft_days: &str,
    referee_days: &str,
) -> Result<Settings> {
    access::cycle_for_manager(ctx, who, cycle).await?;
    let mut errors = FormErrors::default();
    let mut read = |field: &str, typed: &str| {
        message::parse_days(typed).unwrap_or_else(|e| {
            errors.add(field, e);
            None
        })
    };
    let s = Settings {
        draft_days: read(DRAFT_DAYS, draft_days),
        referee_days: read(REFEREE_DAYS, referee_days),
    };
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    let now = ctx.now();
    let me = who.0.user().id;
    let mut tx = ctx.begin().await?;
    applicant_reminders::set(tx.exec(), cycle, s, me, now).await?;
    let days = |d: Option<i64>| d.map_or_else(|| "off".to_owned(), |d| format!("{d} days"));
    let detail = format!(
        "drafts: {}; letters not received: {}",
        days(s.draft_days),
        days(s.referee_days)
    );
    By::user(me, ip.as_deref())
        .audit(
            tx.exec(),
            "reminders.set",
            &format!("cycle:{cycle}"),
            &detail,
            now,
        )
        .await?;
    tx.commit().await?;
    Ok(s)
}
