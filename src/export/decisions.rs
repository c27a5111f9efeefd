//! Every decision of a cycle as CSV, held or released: one row per
//! application decided, with the outcome under the cycle's own name and
//! its meaning, who decided and when, the release, the offer and its
//! answer, and the application's review figures. By application number.

use tokio::io::{AsyncWrite, AsyncWriteExt};

use super::{figure, Columns, Identities, BATCH};
use crate::db::{export, outcomes, PortalPool};
use crate::domain::cycle::Cycle;
use crate::domain::user::UserId;
use crate::domain::workflow::decision::OfferAnswer;
use crate::domain::workflow::outcomes::Outcomes;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Application,
    Applicant,
    Email,
    Institution,
    Stage,
    Decision,
    Meaning,
    Note,
    DecidedBy,
    Decided,
    Released,
    OfferDeadline,
    OfferAnswer,
    Answered,
    Reviewed,
    Mean,
    Total,
    Normalised,
}

const COLUMNS: [(Column, &str); 18] = [
    (Column::Application, "Application"),
    (Column::Applicant, "Applicant"),
    (Column::Email, "Email"),
    (Column::Institution, "Institution"),
    (Column::Stage, "Stage"),
    (Column::Decision, "Decision"),
    (Column::Meaning, "Counts as"),
    (Column::Note, "Decision note"),
    (Column::DecidedBy, "Decided by"),
    (Column::Decided, "Decided"),
    (Column::Released, "Released to the applicant"),
    (Column::OfferDeadline, "Offer to be answered by"),
    (Column::OfferAnswer, "Offer answer"),
    (Column::Answered, "Answered"),
    (Column::Reviewed, "Reviews submitted"),
    (Column::Mean, "Mean score (0–100)"),
    (Column::Total, "Weighted total (0–100)"),
    (Column::Normalised, "Normalised score"),
];

/// The report's columns for `who`.
fn columns(who: Identities) -> Columns<Column> {
    Columns {
        all: &COLUMNS,
        kept,
        who,
    }
}

/// Whether column `c` is in a report naming `who`.
fn kept(c: Column, who: Identities) -> bool {
    match c {
        Column::Applicant | Column::Email | Column::Institution | Column::Note => who.applicants,
        _ => true,
    }
}

fn row(
    out: &mut String,
    cycle: &Cycle,
    names: &Outcomes,
    who: Identities,
    d: &export::DecisionRow,
) {
    let when =
        |t: Option<chrono::DateTime<chrono::Utc>>| t.map(|t| cycle.show(t)).unwrap_or_default();
    let value = |c: Column| -> (String, bool) {
        match c {
            Column::Application => (d.id.to_string(), false),
            Column::Applicant => (d.applicant_name.clone(), true),
            Column::Email => (d.applicant_email.clone(), true),
            Column::Institution => (d.institution.clone(), true),
            Column::Stage => (d.stage.label().to_owned(), false),
            Column::Decision => (
                names.name(d.outcome, d.outcome_key.as_deref()).to_owned(),
                true,
            ),
            Column::Meaning => (d.outcome.label().to_owned(), false),
            Column::Note => (d.note.clone(), true),
            Column::DecidedBy => (d.decided_by.clone().unwrap_or_default(), true),
            Column::Decided => (cycle.show(d.decided_at), false),
            Column::Released => (when(d.released_at), false),
            Column::OfferDeadline => (when(d.offer_deadline), false),
            Column::OfferAnswer => (
                match d.offer_answer {
                    Some(OfferAnswer::Accepted) => "Accepted",
                    Some(OfferAnswer::Declined) => "Declined",
                    Some(OfferAnswer::Lapsed) => "Lapsed (no answer in time)",
                    None => "",
                }
                .to_owned(),
                false,
            ),
            Column::Answered => (when(d.answered_at), false),
            Column::Reviewed => (d.reviewed.to_string(), false),
            Column::Mean => (figure(d.mean), false),
            Column::Total => (figure(d.total), false),
            Column::Normalised => (figure(d.normalised), false),
        }
    };
    columns(who).line(out, value);
}

/// Writes cycle `cycle`'s decisions report to `out`, without the decision
/// on `hide_applicant`'s application (a manager's own) when given; returns
/// how many decisions it holds.
pub async fn write(
    pool: &PortalPool,
    cycle: &Cycle,
    hide_applicant: Option<UserId>,
    who: Identities,
    out: &mut (impl AsyncWrite + Unpin),
) -> anyhow::Result<u64> {
    write_in_batches(pool, cycle, hide_applicant, who, out, BATCH).await
}

/// [`write`], reading `batch_size` decisions at a time.
pub async fn write_in_batches(
    pool: &PortalPool,
    cycle: &Cycle,
    hide_applicant: Option<UserId>,
    who: Identities,
    out: &mut (impl AsyncWrite + Unpin),
    batch_size: i64,
) -> anyhow::Result<u64> {
    let mut conn = pool.conn().await?;
    let names = outcomes::list(conn.exec(), cycle.id).await?;
    let mut text = columns(who).header();
    let (mut after, mut count) = (0, 0u64);
    loop {
        let batch =
            export::decisions_batch(conn.exec(), cycle.id, hide_applicant, after, batch_size)
                .await?;
        for d in &batch {
            row(&mut text, cycle, &names, who, d);
        }
        out.write_all(text.as_bytes()).await?;
        text.clear();
        count += batch.len() as u64;
        match batch.last() {
            Some(last) if batch.len() as i64 == batch_size => after = last.id,
            _ => break,
        }
    }
    out.flush().await?;
    Ok(count)
}
