//! Where an applicant stands in their form, for the section list beside
//! every section (and the referees page): each section's state in words,
//! the current one, and how many are done.

use std::collections::BTreeMap;

use serde::Serialize;

use super::view::{attachments, DocumentView};
use crate::db::referees::Request;
use crate::domain::answers;
use crate::domain::form::{Answers, FormDefinition, QuestionKind};

/// A section's state, as its tag shows it (in words and in shape).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SectionState {
    Done,
    NotStarted,
    HasProblems,
}

impl SectionState {
    /// The words shown.
    pub fn label(self) -> &'static str {
        match self {
            Self::Done => "Done",
            Self::NotStarted => "Not started",
            Self::HasProblems => "Has problems",
        }
    }
}

/// One entry of the section list.
#[derive(Serialize)]
pub struct SectionLink {
    pub key: String,
    pub title: String,
    pub current: bool,
    pub state: SectionState,
    pub state_label: &'static str,
    /// The section asks for referees: the referees page is listed under it.
    pub has_referees: bool,
}

/// The section list and the figures of the progress bar.
#[derive(Serialize)]
pub struct Progress {
    pub sections: Vec<SectionLink>,
    /// 1-based position of the current section (0 on the referees page).
    pub position: usize,
    pub count: usize,
    pub done: usize,
    /// The referees page is the current page.
    pub on_referees: bool,
}

/// Where the application stands, seen from section `current` (`None` on
/// the referees page).
pub fn progress(
    form: &FormDefinition,
    given: &Answers,
    documents: &BTreeMap<String, DocumentView>,
    referees: &[Request],
    current: Option<&str>,
) -> Progress {
    let problems = answers::check_complete(form, given, &attachments(documents, referees));
    let sections: Vec<SectionLink> = form
        .sections
        .iter()
        .map(|s| {
            let has_problems = problems
                .iter()
                .any(|p| s.questions.iter().any(|q| q.key == p.key));
            let started = s.questions.iter().any(|q| {
                given.contains_key(&q.key)
                    || documents.contains_key(&q.key)
                    || referees.iter().any(|r| r.question_key == q.key)
            });
            let state = match (has_problems, started) {
                (false, _) => SectionState::Done,
                (true, false) => SectionState::NotStarted,
                (true, true) => SectionState::HasProblems,
            };
            SectionLink {
                key: s.key.clone(),
                title: s.title.clone(),
                current: current == Some(s.key.as_str()),
                state,
                state_label: state.label(),
                has_referees: s
                    .questions
                    .iter()
                    .any(|q| matches!(q.kind, QuestionKind::Referees { .. })),
            }
        })
        .collect();
    Progress {
        position: sections.iter().position(|s| s.current).map_or(0, |p| p + 1),
        count: sections.len(),
        done: sections
            .iter()
            .filter(|s| s.state == SectionState::Done)
            .count(),
        on_referees: current.is_none(),
        sections,
    }
}
