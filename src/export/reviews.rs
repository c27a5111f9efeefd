//! Every submitted review of a cycle as CSV: one row per review and
//! criterion, in the rubric version the review was written under, with
//! the review's recommendation, confidence and figures repeated on each of
//! its rows (so a spreadsheet can filter by criterion or pivot by
//! reviewer). Reviews by application, then as written. Drafts, and
//! reviews set aside when their reviewer was removed, count in no figure
//! and are not in it.

use std::collections::{BTreeMap, HashMap};

use tokio::io::{AsyncWrite, AsyncWriteExt};

use super::{figure, Columns, Identities, BATCH};
use crate::db::{export, rubrics, PortalPool};
use crate::domain::cycle::Cycle;
use crate::domain::user::UserId;
use crate::domain::workflow::rubric::{
    Confidence, Criterion, Recommendation, Rubric, Score, Scores,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Application,
    Applicant,
    Email,
    Institution,
    Reviewer,
    ReviewerEmail,
    Submitted,
    RubricVersion,
    Criterion,
    Score,
    Lowest,
    Highest,
    Weight,
    CriterionComment,
    Recommendation,
    Confidence,
    Mean,
    Total,
    OverallComment,
}

const COLUMNS: [(Column, &str); 19] = [
    (Column::Application, "Application"),
    (Column::Applicant, "Applicant"),
    (Column::Email, "Email"),
    (Column::Institution, "Institution"),
    (Column::Reviewer, "Reviewer"),
    (Column::ReviewerEmail, "Reviewer email"),
    (Column::Submitted, "Submitted"),
    (Column::RubricVersion, "Rubric version"),
    (Column::Criterion, "Criterion"),
    (Column::Score, "Score"),
    (Column::Lowest, "Lowest score"),
    (Column::Highest, "Highest score"),
    (Column::Weight, "Weight"),
    (Column::CriterionComment, "Comment on the criterion"),
    (Column::Recommendation, "Recommendation"),
    (Column::Confidence, "Confidence"),
    (Column::Mean, "Review mean (0–100)"),
    (Column::Total, "Review weighted total (0–100)"),
    (Column::OverallComment, "Overall comment"),
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
        Column::Applicant
        | Column::Email
        | Column::Institution
        | Column::CriterionComment
        | Column::OverallComment => who.applicants,
        Column::ReviewerEmail => who.reviewers,
        _ => true,
    }
}

/// The names reviewers go by in a report that does not name them:
/// "Reviewer 1", "Reviewer 2", … in the order they first appear.
#[derive(Default)]
struct Numbering(HashMap<UserId, usize>);

impl Numbering {
    fn of(&mut self, reviewer: UserId) -> String {
        let next = self.0.len() + 1;
        format!("Reviewer {}", *self.0.entry(reviewer).or_insert(next))
    }
}

/// One review's rows, one per criterion of its rubric version.
fn rows(
    out: &mut String,
    cycle: &Cycle,
    who: Identities,
    rubric: Option<&Rubric>,
    reviewer: &str,
    r: &export::ReviewRow,
) {
    let scores: Scores = serde_json::from_str(&r.scores_json).unwrap_or_default();
    let comments: BTreeMap<String, String> =
        serde_json::from_str(&r.comments_json).unwrap_or_default();
    let recommendation = match (Recommendation::parse(&r.recommendation), rubric) {
        (Some(level), Some(rubric)) => rubric.recommendation_label(level).to_owned(),
        _ => String::new(),
    };
    let confidence = Confidence::parse(&r.confidence).map_or("", Confidence::label);
    let criteria: &[Criterion] = rubric.map_or(&[], |r| &r.criteria);
    for criterion in criteria {
        let value = |c: Column| -> (String, bool) {
            match c {
                Column::Application => (r.application_id.to_string(), false),
                Column::Applicant => (r.applicant_name.clone(), true),
                Column::Email => (r.applicant_email.clone(), true),
                Column::Institution => (r.institution.clone(), true),
                Column::Reviewer => (reviewer.to_owned(), true),
                Column::ReviewerEmail => (r.reviewer_email.clone(), true),
                Column::Submitted => (
                    r.submitted_at.map(|t| cycle.show(t)).unwrap_or_default(),
                    false,
                ),
                Column::RubricVersion => (r.rubric_version.to_string(), false),
                Column::Criterion => (criterion.label.clone(), true),
                Column::Score => (
                    match scores.get(&criterion.key) {
                        Some(Score::Points(p)) => p.to_string(),
                        Some(Score::NotApplicable) => "Not applicable".to_owned(),
                        None => String::new(),
                    },
                    false,
                ),
                Column::Lowest => (criterion.min.to_string(), false),
                Column::Highest => (criterion.max.to_string(), false),
                Column::Weight => (criterion.weight.to_string(), false),
                Column::CriterionComment => (
                    comments.get(&criterion.key).cloned().unwrap_or_default(),
                    true,
                ),
                Column::Recommendation => (recommendation.clone(), false),
                Column::Confidence => (confidence.to_owned(), false),
                Column::Mean => (figure(r.score_mean), false),
                Column::Total => (figure(r.score_total), false),
                Column::OverallComment => (r.overall_comment.clone(), true),
            }
        };
        columns(who).line(out, value);
    }
}

/// Writes cycle `cycle`'s reviews report to `out`, without the reviews of
/// `hide_applicant`'s application (a manager's own) when given; returns
/// how many reviews it holds.
pub async fn write(
    pool: &PortalPool,
    cycle: &Cycle,
    hide_applicant: Option<UserId>,
    who: Identities,
    out: &mut (impl AsyncWrite + Unpin),
) -> anyhow::Result<u64> {
    write_in_batches(pool, cycle, hide_applicant, who, out, BATCH).await
}

/// [`write`], reading `batch_size` reviews at a time.
pub async fn write_in_batches(
    pool: &PortalPool,
    cycle: &Cycle,
    hide_applicant: Option<UserId>,
    who: Identities,
    out: &mut (impl AsyncWrite + Unpin),
    batch_size: i64,
) -> anyhow::Result<u64> {
    let mut conn = pool.conn().await?;
    // A cycle has a handful of rubric versions.
    let versions = rubrics::by_number(conn.exec(), cycle.id).await?;
    let mut text = columns(who).header();
    let mut numbering = Numbering::default();
    let (mut after, mut count) = ((0, 0), 0u64);
    loop {
        let batch =
            export::reviews_batch(conn.exec(), cycle.id, hide_applicant, after, batch_size).await?;
        for r in &batch {
            let reviewer = if who.reviewers {
                r.reviewer_name.clone()
            } else {
                numbering.of(r.reviewer_id)
            };
            rows(
                &mut text,
                cycle,
                who,
                versions.get(&r.rubric_version),
                &reviewer,
                r,
            );
        }
        out.write_all(text.as_bytes()).await?;
        text.clear();
        count += batch.len() as u64;
        match batch.last() {
            Some(last) if batch.len() as i64 == batch_size => {
                after = (last.application_id, last.id)
            }
            _ => break,
        }
    }
    out.flush().await?;
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reviewers_are_numbered_in_the_order_they_appear() {
        let mut n = Numbering::default();
        assert_eq!(n.of(UserId(40)), "Reviewer 1");
        assert_eq!(n.of(UserId(7)), "Reviewer 2");
        assert_eq!(n.of(UserId(40)), "Reviewer 1");
        assert_eq!(n.of(UserId(9)), "Reviewer 3");
    }

    #[test]
    fn a_blind_report_leaves_out_what_names_the_applicant() {
        let blind = Identities {
            applicants: false,
            reviewers: true,
        };
        let kept_names: Vec<&str> = COLUMNS
            .iter()
            .filter(|(c, _)| kept(*c, blind))
            .map(|(_, h)| *h)
            .collect();
        for gone in [
            "Applicant",
            "Email",
            "Institution",
            "Comment on the criterion",
            "Overall comment",
        ] {
            assert!(!kept_names.contains(&gone), "{gone}");
        }
        assert!(kept_names.contains(&"Reviewer email"));
        let unnamed = Identities {
            applicants: true,
            reviewers: false,
        };
        assert!(!kept(Column::ReviewerEmail, unnamed));
        assert!(kept(Column::Applicant, unnamed));
    }
}
