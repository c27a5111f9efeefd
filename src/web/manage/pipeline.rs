//! A cycle's applications as a manager works through them: filtered by
//! stage, reviewer, review progress and flags in one bar, searched by
//! name, email or institution through the search index (`db::search`),
//! sorted and paginated in SQL, with each row's score and reviews in
//! computed for the page's rows alone. The address is read by
//! [`super::listing`]; bulk actions are in [`super::bulk`].

use rocket::{get, routes, Route, State};
use rocket_dyn_templates::Template;
use serde::Serialize;

use super::listing::{ListParams, Listing, FLAGS, PROGRESS};
use crate::app::access::{cycle_for_manager, review_setup};
use crate::app::assignment::default_due;
use crate::auth::guards::Manager;
use crate::context::Ctx;
use crate::db::applications::{self, PipelineSort};
use crate::db::assignments;
use crate::domain::application::ApplicationId;
use crate::domain::cycle::CycleId;
use crate::domain::workflow::stage::Stage;
use crate::web::page::{render, Chrome};
use crate::web::pager::Pager;
use crate::web::Result;

/// Rows per page of the list.
pub const PAGE_SIZE: i64 = 50;

pub fn routes() -> Vec<Route> {
    let mut all = routes![list_applications];
    all.extend(super::bulk::routes());
    all
}

/// One option of a select.
#[derive(Serialize)]
pub(super) struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

fn choices(options: &[(&str, &str)], current: &str) -> Vec<Choice> {
    options
        .iter()
        .map(|(v, l)| Choice {
            value: (*v).to_owned(),
            label: (*l).to_owned(),
            selected: *v == current,
        })
        .collect()
}

#[derive(Serialize)]
struct Row {
    id: ApplicationId,
    applicant_name: String,
    applicant_email: String,
    institution: String,
    stage: &'static str,
    submitted: String,
    /// The mean weighted total of the submitted reviews, one decimal.
    score: Option<String>,
    labels: Vec<String>,
    assigned: i64,
    reviewed: i64,
    overdue: bool,
    conflict: bool,
    disagreement: bool,
}

#[derive(Serialize)]
struct SortLink {
    label: &'static str,
    href: String,
    /// `ascending` / `descending` on the sorted column, for `aria-sort`.
    aria_sort: Option<&'static str>,
}

/// A hidden field of a form that keeps the list's query.
#[derive(Serialize)]
pub(super) struct Hidden {
    pub name: String,
    pub value: String,
}

#[derive(Serialize)]
struct ListPage {
    cycle_id: CycleId,
    cycle_name: String,
    /// The cycle's time zone, named once for the list's short dates.
    zone: String,
    stages: Vec<Choice>,
    reviewers: Vec<Choice>,
    progress: Vec<Choice>,
    flags: Vec<Choice>,
    labels: Vec<Choice>,
    q: String,
    /// The order, kept by the filter bar.
    sort: &'static str,
    dir: &'static str,
    waiting: bool,
    sorts: Vec<SortLink>,
    rows: Vec<Row>,
    #[serde(flatten)]
    pager: Pager,
    /// The list's query as the bulk form's hidden `list.*` fields.
    list_fields: Vec<Hidden>,
    /// This list's address, where a bulk action returns.
    back: String,
    /// Rows on this page.
    shown: usize,
    due: String,
    bulk_reviewers: Vec<Choice>,
}

/// The list of a cycle's applications.
#[get("/cycles/<id>/applications?<list..>")]
async fn list_applications(
    who: Manager,
    ctx: &State<Ctx>,
    chrome: Chrome,
    id: CycleId,
    list: ListParams,
) -> Result<Template> {
    let c = cycle_for_manager(ctx, &who, id).await?;
    let setup = review_setup(ctx, id).await?;
    let mut l = Listing::read(list);
    let mut conn = ctx.conn().await?;
    let cycle_labels = crate::db::labels::names_of_cycle(conn.exec(), id).await?;
    // A label of another cycle (or none) is no filter.
    l.label = l
        .label
        .filter(|x| cycle_labels.iter().any(|(id, _)| id == x));
    let threshold = setup.settings.disagreement_threshold.powi(2);
    let filter = l.filter(threshold, who.0.user().id);
    let offset = (l.page - 1).saturating_mul(PAGE_SIZE);
    let now = ctx.now();
    let (rows, matching) = applications::pipeline(
        conn.exec(),
        id,
        &filter,
        l.sort,
        l.descending,
        now,
        offset,
        PAGE_SIZE,
    )
    .await?;
    let reviewers = assignments::reviewers_of(conn.exec(), c.cycle.program_id).await?;
    let ids: Vec<ApplicationId> = rows.iter().map(|r| r.id).collect();
    let row_labels = crate::db::labels::of_applications(conn.exec(), &ids).await?;
    drop(conn);

    let sorts = PipelineSort::ALL
        .iter()
        .map(|s| {
            let current = *s == l.sort;
            SortLink {
                label: match s {
                    PipelineSort::Submitted => "Submitted",
                    PipelineSort::Name => "Applicant",
                    PipelineSort::Institution => "Institution",
                    PipelineSort::Stage => "Stage",
                },
                href: l.href(id, *s, current && !l.descending, 1),
                aria_sort: current.then_some(if l.descending {
                    "descending"
                } else {
                    "ascending"
                }),
            }
        })
        .collect();
    let mut stages = vec![Choice {
        value: String::new(),
        label: "Any stage".into(),
        selected: l.stage.is_none(),
    }];
    stages.extend(
        Stage::ALL
            .iter()
            .filter(|s| **s != Stage::Draft)
            .map(|s| Choice {
                value: s.as_str().to_owned(),
                label: s.label().to_owned(),
                selected: Some(*s) == l.stage,
            }),
    );
    let reviewer_choice = |r: &assignments::Reviewer, selected: bool| Choice {
        value: r.id.to_string(),
        label: r.name.clone(),
        selected,
    };
    let mut reviewer_choices = vec![Choice {
        value: String::new(),
        label: "Any reviewer".into(),
        selected: l.reviewer.is_none(),
    }];
    reviewer_choices.extend(
        reviewers
            .iter()
            .map(|r| reviewer_choice(r, l.reviewer == Some(r.id))),
    );
    let rows: Vec<Row> = rows
        .into_iter()
        .map(|r| Row {
            labels: row_labels
                .iter()
                .filter(|(a, _, _)| *a == r.id.0)
                .map(|(_, _, name)| name.clone())
                .collect(),
            id: r.id,
            applicant_name: r.applicant_name,
            applicant_email: r.applicant_email,
            institution: r.institution,
            stage: Stage::parse(&r.stage).map_or("unknown", Stage::label),
            submitted: r
                .submitted_at
                .map(|t| c.cycle.show_short(t))
                .unwrap_or_default(),
            score: r.score.map(|s| format!("{s:.1}")),
            assigned: r.assigned,
            reviewed: r.reviewed,
            overdue: r.overdue > 0,
            conflict: r.declared_conflicts > 0,
            disagreement: r.variance.is_some_and(|v| v > threshold),
        })
        .collect();
    let list = ListPage {
        cycle_id: id,
        cycle_name: c.cycle.name.clone(),
        zone: c.cycle.time_zone.name().to_owned(),
        stages,
        reviewers: reviewer_choices,
        progress: choices(&PROGRESS, &l.progress),
        flags: choices(&FLAGS, &l.flag),
        labels: std::iter::once(Choice {
            value: String::new(),
            label: "Any label".into(),
            selected: l.label.is_none(),
        })
        .chain(cycle_labels.iter().map(|(lid, name)| Choice {
            value: lid.to_string(),
            label: name.clone(),
            selected: l.label == Some(*lid),
        }))
        .collect(),
        q: l.q.clone(),
        sort: l.sort.as_str(),
        dir: if l.descending { "desc" } else { "asc" },
        waiting: l.waiting,
        sorts,
        shown: rows.len(),
        rows,
        pager: Pager::at_least(l.page, matching.total, matching.more, PAGE_SIZE, |p| {
            l.href(id, l.sort, l.descending, p)
        }),
        list_fields: l
            .pairs()
            .into_iter()
            .map(|(k, v)| Hidden {
                name: format!("list.{k}"),
                value: v,
            })
            .collect(),
        back: l.here(id),
        due: default_due(&c.cycle, now),
        bulk_reviewers: reviewers
            .iter()
            .map(|r| reviewer_choice(r, false))
            .collect(),
    };
    let title = format!("Applications – {}", c.cycle.name);
    Ok(render("manage/applications", &chrome, &title, list))
}
