//! The ranking of a cycle's reviewed applications, sortable by each
//! figure, aggregated and paginated in SQL.

use crate::domain::cycle::CycleId;
use rocket::{get, routes, Route, State};
use rocket_dyn_templates::Template;
use serde::Serialize;

use super::pipeline::PAGE_SIZE;
use crate::app::access;
use crate::auth::guards::Manager;
use crate::context::Ctx;
use crate::db::reviews::{self, RankBy};
use crate::domain::application::ApplicationId;
use crate::domain::workflow::decision::Outcome;
use crate::domain::workflow::scoring::MIN_REVIEWS_TO_NORMALISE;
use crate::domain::workflow::stage::Stage;
use crate::web::page::{render, Chrome};
use crate::web::pager::{position, Pager};
use crate::web::Result;

pub fn routes() -> Vec<Route> {
    routes![show_ranking]
}

#[derive(Serialize)]
struct Row {
    rank: i64,
    id: ApplicationId,
    applicant_name: String,
    institution: String,
    stage: String,
    /// Whether it can still be sent to committee or decided.
    selectable: bool,
    reviewed: i64,
    assigned: i64,
    complete: bool,
    mean: String,
    total: String,
    spread: String,
    sd: String,
    normalised: String,
    disagreement: bool,
}

#[derive(Serialize)]
struct Column {
    label: &'static str,
    href: String,
    aria_sort: Option<&'static str>,
}

#[derive(Serialize)]
struct RankingPage {
    cycle_id: CycleId,
    cycle_name: String,
    columns: Vec<Column>,
    rows: Vec<Row>,
    threshold: String,
    min_reviews: usize,
    #[serde(flatten)]
    pager: Pager,
    /// This page's address, to come back to after sending to committee.
    back: String,
    /// The outcomes a selection may be decided as, under the cycle's labels.
    outcomes: Vec<OutcomeOption>,
}

#[derive(Serialize)]
struct OutcomeOption {
    value: &'static str,
    label: String,
}

fn figure(v: Option<f64>) -> String {
    v.map_or_else(|| "—".into(), |v| format!("{v:.1}"))
}

#[get("/cycles/<id>/ranking?<sort>&<dir>&<page>")]
async fn show_ranking(
    who: Manager,
    ctx: &State<Ctx>,
    chrome: Chrome,
    id: CycleId,
    sort: Option<String>,
    dir: Option<String>,
    page: Option<i64>,
) -> Result<Template> {
    let c = access::cycle_for_manager(ctx, &who, id).await?;
    let setup = access::review_setup(ctx, id).await?;
    let labels = crate::app::outcomes::labels(ctx, id).await?;
    let by = sort
        .as_deref()
        .and_then(RankBy::parse)
        .unwrap_or(RankBy::Normalised);
    let ascending = dir.as_deref() == Some("asc");
    let (page, offset) = position(page, PAGE_SIZE);
    let mut conn = ctx.conn().await?;
    let scale = reviews::cycle_scale(conn.exec(), id).await?;
    let (rows, total) = reviews::ranking(
        conn.exec(),
        id,
        who.0.user().id,
        by,
        ascending,
        &scale,
        offset,
        PAGE_SIZE,
    )
    .await?;
    let threshold = setup.settings.disagreement_threshold;
    let href = |by: RankBy, asc: bool, page: i64| {
        format!(
            "/manage/cycles/{id}/ranking?sort={}&dir={}&page={page}",
            by.as_str(),
            if asc { "asc" } else { "desc" }
        )
    };
    let columns = RankBy::ALL
        .iter()
        .map(|b| {
            let current = *b == by;
            Column {
                label: match b {
                    RankBy::Normalised => "Normalised",
                    RankBy::WeightedTotal => "Weighted total",
                    RankBy::Mean => "Mean",
                    RankBy::Spread => "Spread (range, sd)",
                    RankBy::Reviews => "Reviews",
                },
                // A second click on the sorted column turns the order round.
                href: href(*b, current && !ascending, 1),
                aria_sort: current.then_some(if ascending { "ascending" } else { "descending" }),
            }
        })
        .collect();
    let rows = rows
        .into_iter()
        .enumerate()
        .map(|(n, r)| {
            let sd = r.variance.map(|v| v.max(0.0).sqrt());
            Row {
                rank: offset + n as i64 + 1,
                id: r.id,
                applicant_name: r.applicant_name,
                institution: r.institution,
                selectable: matches!(r.stage, Stage::Review | Stage::Committee),
                stage: r.stage.label().to_owned(),
                reviewed: r.reviewed,
                assigned: r.assigned,
                complete: r.assigned > 0 && r.reviewed >= r.assigned,
                mean: figure(r.mean),
                total: figure(r.total),
                spread: figure(r.spread),
                sd: figure(sd),
                normalised: figure(r.normalised),
                disagreement: r.reviewed >= 2 && sd.is_some_and(|s| s > threshold),
            }
        })
        .collect();
    let ranking = RankingPage {
        cycle_id: id,
        cycle_name: c.cycle.name.clone(),
        columns,
        rows,
        outcomes: Outcome::ALL
            .into_iter()
            .map(|o| OutcomeOption {
                value: o.as_str(),
                label: labels.label(o).to_owned(),
            })
            .collect(),
        threshold: format!("{threshold:.0}"),
        min_reviews: MIN_REVIEWS_TO_NORMALISE,
        pager: Pager::new(page, total, PAGE_SIZE, |p| href(by, ascending, p)),
        back: href(by, ascending, page),
    };
    let title = format!("Ranking – {}", c.cycle.name);
    Ok(render("manage/ranking", &chrome, &title, ranking))
}
