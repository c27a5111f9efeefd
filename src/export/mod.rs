//! A cycle's applications as CSV (RFC 4180, UTF-8 with a byte-order mark
//! so that spreadsheets read the accents): one row per submitted
//! application with its stage, screening reason, review figures, decision
//! and every answer in words, in the form's order, then the answers to
//! questions removed from the form since (retired questions). Documents and referees
//! are not in it, nor demographics. Written a batch at a time, so a cycle
//! of any size costs the same memory; for the manager's download
//! (`/manage/cycles/<id>/export.csv`) and `fellowship-portal export`.
//!
//! The reports beside it, written the same way: every submitted review,
//! one row per criterion ([`reviews`]), and every decision with its offer
//! ([`decisions`]), each with or without the columns that say who applied
//! ([`Identities`]).

pub mod decisions;
pub mod reviews;

use tokio::io::{AsyncWrite, AsyncWriteExt};

use crate::db::{cycles::CycleWithForm, export, form_versions, PortalPool};
use crate::domain::answers::answer_text;
use crate::domain::form::{Answers, FormDefinition, Question, QuestionKind};
use crate::domain::user::UserId;
use crate::domain::workflow::decision::OfferAnswer;
use crate::domain::workflow::review::IneligibleReason;

/// Applications (or reviews, or decisions) read and written at a time.
const BATCH: i64 = 500;

/// Whose identity a report names. A blind report (`applicants` false)
/// leaves out the applicant's name, email and institution and every text
/// written about them (comments, decision notes), which could name them;
/// the application's number stays, so rows still join up. Reviewers not
/// named are numbered instead ("Reviewer 3", in the order they first
/// appear), so one reviewer's rows still go together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Identities {
    pub applicants: bool,
    pub reviewers: bool,
}

/// The byte-order mark every CSV starts with, so spreadsheets read UTF-8.
pub(crate) const BOM: &str = "\u{feff}";

/// A report's columns, each with its header, those `kept` for the
/// identities asked for written in every line.
struct Columns<C: 'static> {
    all: &'static [(C, &'static str)],
    kept: fn(C, Identities) -> bool,
    who: Identities,
}

impl<C: Copy> Columns<C> {
    /// The byte-order mark and the header line.
    fn header(&self) -> String {
        let mut out = String::from(BOM);
        let heads = self.all.iter().filter(|(c, _)| (self.kept)(*c, self.who));
        line(&mut out, heads.map(|(_, h)| (*h, false)));
        out
    }

    /// One line, each kept column's field from `value` (its text, and
    /// whether it is text a person wrote rather than a figure).
    fn line(&self, out: &mut String, value: impl Fn(C) -> (String, bool)) {
        let fields: Vec<(String, bool)> = self
            .all
            .iter()
            .filter(|(c, _)| (self.kept)(*c, self.who))
            .map(|(c, _)| value(*c))
            .collect();
        line(
            out,
            fields.iter().map(|(t, is_text)| (t.as_str(), *is_text)),
        );
    }
}

/// One CSV field: quoted when it holds a comma, quote or line break. Text
/// a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`,
/// a tab or a carriage return) gets a leading apostrophe, so an applicant's
/// answer can never become a formula on a manager's computer (a plain
/// number, such as `-2`, stays a number).
pub fn field(out: &mut String, text: &str, is_text: bool) {
    let guarded = is_text && text.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let quoted = guarded || text.contains([',', '"', '\n', '\r']);
    if quoted {
        out.push('"');
    }
    if guarded {
        out.push('\'');
    }
    if text.contains('"') {
        out.push_str(&text.replace('"', "\"\""));
    } else {
        out.push_str(text);
    }
    if quoted {
        out.push('"');
    }
}

/// A line of fields, each `(text, is_text)`, ended by CRLF.
pub(crate) fn line<'a>(out: &mut String, fields: impl IntoIterator<Item = (&'a str, bool)>) {
    for (i, (text, is_text)) in fields.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        field(out, text, is_text);
    }
    out.push_str("\r\n");
}

/// The questions with an answer in words (documents and referees are not).
fn answered(c: &CycleWithForm) -> Vec<&Question> {
    c.form
        .questions()
        .filter(|q| {
            !matches!(
                q.kind,
                QuestionKind::Document { .. } | QuestionKind::Referees { .. }
            )
        })
        .collect()
}

const FIXED: [&str; 15] = [
    "Application",
    "Applicant",
    "Email",
    "Institution",
    "Stage",
    "Submitted",
    "Ineligible because",
    "Reviewers assigned",
    "Reviews submitted",
    "Mean score",
    "Weighted total",
    "Normalised score",
    "Decision",
    "Decision released",
    "Offer answer",
];

fn figure(v: Option<f64>) -> String {
    v.map_or_else(String::new, |v| format!("{v:.2}"))
}

/// A question an earlier version of the form had and the current one does
/// not, with the version it is read against (the newest that had it).
struct Retired {
    question: Question,
    form: FormDefinition,
}

fn row(
    out: &mut String,
    c: &CycleWithForm,
    questions: &[&Question],
    retired: &[Retired],
    a: &export::Exported,
) {
    let answers: Answers = serde_json::from_str(&a.answers_json).unwrap_or_default();
    let offer = match a.offer_answer {
        Some(OfferAnswer::Accepted) => "Accepted",
        Some(OfferAnswer::Declined) => "Declined",
        Some(OfferAnswer::Lapsed) => "Lapsed (no answer in time)",
        None => "",
    };
    let fixed: [(String, bool); 15] = [
        (a.id.to_string(), false),
        (a.applicant_name.clone(), true),
        (a.applicant_email.clone(), true),
        (a.institution.clone(), true),
        (a.stage.label().to_owned(), false),
        (
            a.submitted_at.map(|t| c.cycle.show(t)).unwrap_or_default(),
            false,
        ),
        (
            IneligibleReason::parse(&a.screening_reason)
                .map(|r| r.label().to_owned())
                .unwrap_or_default(),
            false,
        ),
        (a.assigned.to_string(), false),
        (a.reviewed.to_string(), false),
        (figure(a.mean), false),
        (figure(a.total), false),
        (figure(a.normalised), false),
        (
            a.outcome.map(|o| o.label().to_owned()).unwrap_or_default(),
            false,
        ),
        (
            a.released_at.map(|t| c.cycle.show(t)).unwrap_or_default(),
            false,
        ),
        (offer.to_owned(), false),
    ];
    // An answer the applicant's own choices hid (kept from before they
    // changed their mind) is not part of the application.
    let texts: Vec<String> = questions
        .iter()
        .map(|q| {
            if c.form.is_shown(q, &answers) {
                answer_text(q, answers.get(&q.key))
            } else {
                String::new()
            }
        })
        .chain(retired.iter().map(|r| {
            if r.form.is_shown(&r.question, &answers) {
                answer_text(&r.question, answers.get(&r.question.key))
            } else {
                String::new()
            }
        }))
        .collect();
    line(
        out,
        fixed
            .iter()
            .map(|(t, is_text)| (t.as_str(), *is_text))
            .chain(
                texts
                    .iter()
                    .map(|t| (t.as_str(), !t.parse::<f64>().is_ok_and(f64::is_finite))),
            ),
    );
}

/// Writes the cycle's CSV to `out`, without the application of
/// `hide_applicant` (a manager's own) when given; returns how many
/// applications it holds.
pub async fn write_cycle(
    pool: &PortalPool,
    c: &CycleWithForm,
    hide_applicant: Option<UserId>,
    out: &mut (impl AsyncWrite + Unpin),
) -> anyhow::Result<u64> {
    write_in_batches(pool, c, hide_applicant, out, BATCH).await
}

/// [`write_cycle`], reading `batch` applications at a time.
pub async fn write_in_batches(
    pool: &PortalPool,
    c: &CycleWithForm,
    hide_applicant: Option<UserId>,
    out: &mut (impl AsyncWrite + Unpin),
    batch_size: i64,
) -> anyhow::Result<u64> {
    let questions = answered(c);
    let mut conn = pool.conn().await?;
    // Answers to questions removed since are kept: each gets a column.
    let mut retired: Vec<Retired> = Vec::new();
    for v in form_versions::all(conn.exec(), c.cycle.id).await? {
        for q in v.form.questions() {
            let asked_now = c.form.question(&q.key).is_some();
            let typed = !matches!(
                q.kind,
                QuestionKind::Document { .. } | QuestionKind::Referees { .. }
            );
            if !asked_now && typed && !retired.iter().any(|r| r.question.key == q.key) {
                retired.push(Retired {
                    question: q.clone(),
                    form: v.form.clone(),
                });
            }
        }
    }
    let headers: Vec<String> = retired
        .iter()
        .map(|r| format!("{} (retired question)", r.question.label))
        .collect();
    let mut text = String::from(BOM);
    line(
        &mut text,
        FIXED
            .iter()
            .map(|h| (*h, false))
            .chain(questions.iter().map(|q| (q.label.as_str(), true)))
            .chain(headers.iter().map(|h| (h.as_str(), true))),
    );
    let scale = crate::db::reviews::cycle_scale(conn.exec(), c.cycle.id).await?;
    let (mut after, mut count) = (0, 0u64);
    loop {
        let batch = export::batch(
            conn.exec(),
            c.cycle.id,
            hide_applicant,
            &scale,
            after,
            batch_size,
        )
        .await?;
        for a in &batch {
            row(&mut text, c, &questions, &retired, a);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str, is_text: bool) -> String {
        let mut out = String::new();
        field(&mut out, text, is_text);
        out
    }

    #[test]
    fn fields_are_quoted_only_when_needed() {
        assert_eq!(one("plain", true), "plain");
        assert_eq!(one("a, b", true), "\"a, b\"");
        assert_eq!(one("say \"hi\"", true), "\"say \"\"hi\"\"\"");
        assert_eq!(one("two\nlines", true), "\"two\nlines\"");
        assert_eq!(one("", true), "");
    }

    #[test]
    fn formulas_in_answers_are_defused() {
        assert_eq!(one("=HYPERLINK(\"x\")", true), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(one("+1 555", true), "\"'+1 555\"");
        assert_eq!(one("@SUM(A1)", true), "\"'@SUM(A1)\"");
        assert_eq!(one("-2", true), "\"'-2\"");
        // Figures the portal writes itself stay numbers.
        assert_eq!(one("-2.50", false), "-2.50");
    }

    #[test]
    fn lines_end_with_crlf() {
        let mut out = String::new();
        line(&mut out, [("a", true), ("b,c", true), ("3", false)]);
        assert_eq!(out, "a,\"b,c\",3\r\n");
    }
}
