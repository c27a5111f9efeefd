//! The applications list's address: the filters, search, order and page
//! as read from the query (any value the list does not know is ignored,
//! never an error), the [`PipelineFilter`] they make, and the address of
//! the same list with one thing changed, so that sorting, paging, the
//! filter bar and bulk actions each keep everything else.

use rocket::FromForm;

use crate::db::applications::{PipelineFilter, PipelineSort};
use crate::domain::cycle::CycleId;
use crate::domain::user::UserId;
use crate::domain::workflow::stage::Stage;
use crate::web::page::url_encode;

/// Review-progress filters: value in the address, label.
pub const PROGRESS: [(&str, &str); 4] = [
    ("", "Any"),
    ("unassigned", "No reviewers yet"),
    ("in_progress", "Reviews outstanding"),
    ("complete", "Every review in"),
];

/// Flag filters: value in the address, label.
pub const FLAGS: [(&str, &str); 4] = [
    ("", "Any"),
    ("overdue", "A review is overdue"),
    ("conflict", "A reviewer declared a conflict"),
    ("disagreement", "Reviewers disagree"),
];

/// The list's query as sent: every field text, read leniently by
/// [`Listing::read`]. Also the hidden `list.*` fields of the bulk form.
#[derive(Debug, Default, Clone, FromForm)]
pub struct ListParams {
    pub stage: Option<String>,
    pub waiting: Option<String>,
    pub reviewer: Option<String>,
    pub progress: Option<String>,
    pub flag: Option<String>,
    pub label: Option<String>,
    pub q: Option<String>,
    pub sort: Option<String>,
    pub dir: Option<String>,
    pub page: Option<String>,
}

/// The list's query, understood.
#[derive(Debug, Clone, PartialEq)]
pub struct Listing {
    pub stage: Option<Stage>,
    /// `waiting=screening`: submitted or in screening.
    pub waiting: bool,
    pub reviewer: Option<UserId>,
    pub progress: String,
    pub flag: String,
    /// Only applications with this label (an id; the page checks it is
    /// one of the cycle's).
    pub label: Option<i64>,
    /// The search text, trimmed, without control characters, cut to 200
    /// characters.
    pub q: String,
    pub sort: PipelineSort,
    pub descending: bool,
    pub page: i64,
}

fn known(value: Option<String>, options: &[(&str, &str)]) -> String {
    value
        .filter(|v| options.iter().any(|(o, _)| o == v))
        .unwrap_or_default()
}

impl Listing {
    /// Reads the query; what it does not know it leaves out.
    pub fn read(p: ListParams) -> Self {
        Self {
            stage: p
                .stage
                .as_deref()
                .and_then(Stage::parse)
                .filter(|s| *s != Stage::Draft),
            waiting: p.waiting.as_deref() == Some("screening"),
            reviewer: p
                .reviewer
                .and_then(|r| r.trim().parse::<i64>().ok())
                .filter(|r| *r > 0)
                .map(UserId),
            progress: known(p.progress, &PROGRESS),
            flag: known(p.flag, &FLAGS),
            label: p
                .label
                .and_then(|l| l.trim().parse::<i64>().ok())
                .filter(|l| *l > 0),
            q: p.q
                .unwrap_or_default()
                .trim()
                .chars()
                .filter(|c| !c.is_control())
                .take(200)
                .collect(),
            sort: p
                .sort
                .as_deref()
                .and_then(PipelineSort::parse)
                .unwrap_or(PipelineSort::Submitted),
            descending: p.dir.as_deref() == Some("desc"),
            page: p
                .page
                .and_then(|n| n.trim().parse::<i64>().ok())
                .unwrap_or(1)
                .max(1),
        }
    }

    /// The filter of the database's list.
    pub fn filter(&self, threshold_squared: f64, hide_applicant: UserId) -> PipelineFilter {
        PipelineFilter {
            stage: self
                .stage
                .map(|s| s.as_str().to_owned())
                .unwrap_or_default(),
            reviewer: self.reviewer,
            progress: self.progress.clone(),
            flag: self.flag.clone(),
            label: self.label,
            waiting: self.waiting,
            search: self.q.clone(),
            threshold_squared,
            hide_applicant,
        }
    }

    /// The filters and search as (name, value) pairs, only those set.
    pub fn filter_pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        if let Some(s) = self.stage {
            pairs.push(("stage", s.as_str().to_owned()));
        }
        if self.waiting {
            pairs.push(("waiting", "screening".to_owned()));
        }
        if let Some(r) = self.reviewer {
            pairs.push(("reviewer", r.to_string()));
        }
        if !self.progress.is_empty() {
            pairs.push(("progress", self.progress.clone()));
        }
        if !self.flag.is_empty() {
            pairs.push(("flag", self.flag.clone()));
        }
        if let Some(l) = self.label {
            pairs.push(("label", l.to_string()));
        }
        if !self.q.is_empty() {
            pairs.push(("q", self.q.clone()));
        }
        pairs
    }

    /// Everything in the query as (name, value) pairs: the filters, the
    /// order and the page.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = self.filter_pairs();
        pairs.push(("sort", self.sort.as_str().to_owned()));
        pairs.push(("dir", dir(self.descending).to_owned()));
        pairs.push(("page", self.page.to_string()));
        pairs
    }

    /// The list's address with this query, ordered by `sort` and at `page`.
    pub fn href(&self, cycle: CycleId, sort: PipelineSort, descending: bool, page: i64) -> String {
        let mut parts: Vec<String> = self
            .filter_pairs()
            .into_iter()
            .map(|(k, v)| format!("{k}={}", url_encode(&v)))
            .collect();
        parts.push(format!("sort={}", sort.as_str()));
        parts.push(format!("dir={}", dir(descending)));
        parts.push(format!("page={page}"));
        format!("/manage/cycles/{cycle}/applications?{}", parts.join("&"))
    }

    /// This very list's address.
    pub fn here(&self, cycle: CycleId) -> String {
        self.href(cycle, self.sort, self.descending, self.page)
    }
}

fn dir(descending: bool) -> &'static str {
    if descending {
        "desc"
    } else {
        "asc"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_values_are_left_out_and_known_ones_kept_in_every_link() {
        let l = Listing::read(ListParams {
            stage: Some("review".into()),
            waiting: Some("screening".into()),
            reviewer: Some("x".into()),
            progress: Some("bogus".into()),
            flag: Some("overdue".into()),
            label: Some("x7".into()),
            q: Some("  Ada & Oka ".into()),
            sort: Some("name".into()),
            dir: Some("desc".into()),
            page: Some("-3".into()),
        });
        assert_eq!(l.reviewer, None);
        assert_eq!(l.label, None);
        assert_eq!(l.progress, "");
        assert_eq!(l.page, 1);
        assert_eq!(
            l.href(CycleId(4), PipelineSort::Stage, false, 2),
            "/manage/cycles/4/applications?stage=review&waiting=screening&flag=overdue\
             &q=Ada%20%26%20Oka&sort=stage&dir=asc&page=2"
        );
        let plain = Listing::read(ListParams::default());
        assert_eq!(
            plain.here(CycleId(4)),
            "/manage/cycles/4/applications?sort=submitted&dir=asc&page=1"
        );
    }
}
