//! The ranking of a cycle's reviewed applications, read in order from the
//! stored summaries (`db::ranking`): sortable by each figure, incomplete
//! applications marked in words and kept apart (complete first by
//! default), and a bulk decision that first says how many of the selected
//! are incomplete and waits for confirmation.

use crate::domain::cycle::CycleId;
use rocket::response::{Flash, Redirect};
use rocket::{get, routes, FromForm, Route, State};
use rocket_dyn_templates::Template;
use serde::Serialize;

use super::pipeline::PAGE_SIZE;
use crate::app::access;
use crate::auth::guards::Manager;
use crate::context::Ctx;
use crate::db::ranking::{self, Apart, RankBy, RankQuery};
use crate::domain::application::ApplicationId;
use crate::domain::workflow::decision::Outcome;
use crate::domain::workflow::scoring::MIN_REVIEWS_TO_NORMALISE;
use crate::domain::workflow::stage::Stage;
use crate::web::page::{render, Chrome};
use crate::web::pager::{position, Pager};
use crate::web::Result;

pub fn routes() -> Vec<Route> {
    routes![show_ranking, confirm_bulk]
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
struct Choice {
    value: &'static str,
    label: &'static str,
    selected: bool,
}

#[derive(Serialize)]
struct RankingPage {
    cycle_id: CycleId,
    cycle_name: String,
    columns: Vec<Column>,
    rows: Vec<Row>,
    threshold: String,
    min_reviews: usize,
    sorts: Vec<Choice>,
    dirs: Vec<Choice>,
    aparts: Vec<Choice>,
    #[serde(flatten)]
    pager: Pager,
    /// This page's address, to come back to after the bulk action.
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

fn sort_label(b: RankBy) -> &'static str {
    match b {
        RankBy::Normalised => "Normalised",
        RankBy::WeightedTotal => "Weighted total",
        RankBy::Mean => "Mean",
        RankBy::Spread => "Spread (range, sd)",
        RankBy::Reviews => "Reviews in",
    }
}

fn apart_label(a: Apart) -> &'static str {
    match a {
        Apart::CompleteFirst => "Complete first, then incomplete",
        Apart::IncompleteFirst => "Incomplete first, then complete",
        Apart::CompleteOnly => "Complete only",
        Apart::IncompleteOnly => "Incomplete only",
    }
}

/// The ranking's address with its sort, order, grouping and page.
fn address(id: CycleId, by: RankBy, asc: bool, apart: Apart, page: i64) -> String {
    format!(
        "/manage/cycles/{id}/ranking?sort={}&dir={}&show={}&page={page}",
        by.as_str(),
        if asc { "asc" } else { "desc" },
        apart.as_str()
    )
}

#[expect(clippy::too_many_arguments, reason = "one per choice in the address")]
#[get("/cycles/<id>/ranking?<sort>&<dir>&<show>&<page>")]
async fn show_ranking(
    who: Manager,
    ctx: &State<Ctx>,
    chrome: Chrome,
    id: CycleId,
    sort: Option<String>,
    dir: Option<String>,
    show: Option<String>,
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
    let apart = show
        .as_deref()
        .and_then(Apart::parse)
        .unwrap_or(Apart::CompleteFirst);
    let (page, offset) = position(page, PAGE_SIZE);
    let mut conn = ctx.conn().await?;
    let query = RankQuery {
        cycle: id,
        hide_applicant: who.0.user().id,
        by,
        ascending,
        apart,
        offset,
        limit: PAGE_SIZE,
    };
    let (rows, total) = ranking::ranking(conn.exec(), &query).await?;
    let threshold = setup.settings.disagreement_threshold;
    let columns = RankBy::ALL
        .iter()
        .map(|b| {
            let current = *b == by;
            Column {
                label: sort_label(*b),
                // A second click on the sorted column turns the order round.
                href: address(id, *b, current && !ascending, apart, 1),
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
                complete: r.complete(),
                id: r.id,
                applicant_name: r.applicant_name,
                institution: r.institution,
                selectable: matches!(r.stage, Stage::Review | Stage::Committee),
                stage: r.stage.label().to_owned(),
                reviewed: r.reviewed,
                assigned: r.assigned,
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
        sorts: RankBy::ALL
            .iter()
            .map(|b| Choice {
                value: b.as_str(),
                label: sort_label(*b),
                selected: *b == by,
            })
            .collect(),
        dirs: vec![
            Choice {
                value: "desc",
                label: "Highest first",
                selected: !ascending,
            },
            Choice {
                value: "asc",
                label: "Lowest first",
                selected: ascending,
            },
        ],
        aparts: Apart::ALL
            .iter()
            .map(|a| Choice {
                value: a.as_str(),
                label: apart_label(*a),
                selected: *a == apart,
            })
            .collect(),
        pager: Pager::new(page, total, PAGE_SIZE, |p| {
            address(id, by, ascending, apart, p)
        }),
        back: address(id, by, ascending, apart, page),
    };
    let title = format!("Ranking – {}", c.cycle.name);
    Ok(render("manage/ranking", &chrome, &title, ranking))
}

#[derive(FromForm)]
struct ConfirmForm {
    #[field(default = Vec::new())]
    ids: Vec<ApplicationId>,
    #[field(default = String::new())]
    action: String,
    #[field(default = String::new())]
    back: String,
}

#[derive(Serialize)]
struct ConfirmPage {
    cycle_id: CycleId,
    cycle_name: String,
    ids: Vec<ApplicationId>,
    action: String,
    /// The action in words.
    doing: String,
    back: String,
    selected: i64,
    incomplete: i64,
    /// "3 of the 20 applications you selected have fewer reviews than assigned."
    summary: String,
}

/// Where the confirmation's "Go back" leads: the ranking address it came
/// from, or the ranking.
fn ranking_back(back: &str, id: CycleId) -> String {
    let ranking = format!("/manage/cycles/{id}/ranking");
    if back == ranking || back.starts_with(&format!("{ranking}?")) {
        back.to_owned()
    } else {
        ranking
    }
}

/// The step between the ranking's bulk action and the action itself: it
/// says how many of the selected applications are incomplete and asks to
/// confirm (its form posts to the cycle's bulk action). A GET: nothing is
/// sent or decided here.
#[get("/cycles/<id>/ranking/confirm?<form..>")]
async fn confirm_bulk(
    who: Manager,
    ctx: &State<Ctx>,
    chrome: Chrome,
    id: CycleId,
    form: ConfirmForm,
) -> Result<std::result::Result<Template, Flash<Redirect>>> {
    let c = access::cycle_for_manager(ctx, &who, id).await?;
    let back = ranking_back(&form.back, id);
    if form.ids.is_empty() {
        return Ok(Err(Flash::error(
            Redirect::to(back),
            "Select at least one application first.",
        )));
    }
    let labels = crate::app::outcomes::labels(ctx, id).await?;
    let doing = if form.action == "send_to_committee" {
        "Send to the committee".to_owned()
    } else if let Some(o) = form.action.strip_prefix("decide_").and_then(Outcome::parse) {
        format!("Decide: {} (held until release)", labels.label(o))
    } else {
        return Ok(Err(Flash::error(
            Redirect::to(back),
            "Choose what to do with the selected applications.",
        )));
    };
    let mut ids = form.ids.clone();
    ids.sort();
    ids.dedup();
    let mut conn = ctx.conn().await?;
    let (selected, incomplete) = ranking::incomplete_among(conn.exec(), id, &ids).await?;
    let summary = incomplete_summary(selected, incomplete);
    let page = ConfirmPage {
        cycle_id: id,
        cycle_name: c.cycle.name.clone(),
        ids,
        action: form.action.clone(),
        doing,
        back,
        selected,
        incomplete,
        summary,
    };
    let title = format!("Confirm – Ranking – {}", c.cycle.name);
    Ok(Ok(render("manage/ranking_confirm", &chrome, &title, page)))
}

/// How many of the selected applications are incomplete, in words.
fn incomplete_summary(selected: i64, incomplete: i64) -> String {
    let apps = |n: i64| {
        if n == 1 {
            "application"
        } else {
            "applications"
        }
    };
    match (selected, incomplete) {
        (1, 1) => "The application you selected has fewer reviews than assigned.".into(),
        (1, _) => "The application you selected has every assigned review in.".into(),
        (n, 0) => format!(
            "All {n} {} you selected have every assigned review in.",
            apps(n)
        ),
        (n, k) => format!(
            "{k} of the {n} {} you selected {} fewer reviews than assigned.",
            apps(n),
            if k == 1 { "has" } else { "have" }
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_confirmation_names_how_many_are_incomplete() {
        assert_eq!(
            incomplete_summary(20, 3),
            "3 of the 20 applications you selected have fewer reviews than assigned."
        );
        assert_eq!(
            incomplete_summary(20, 1),
            "1 of the 20 applications you selected has fewer reviews than assigned."
        );
        assert_eq!(
            incomplete_summary(4, 0),
            "All 4 applications you selected have every assigned review in."
        );
        assert_eq!(
            incomplete_summary(1, 1),
            "The application you selected has fewer reviews than assigned."
        );
    }

    #[test]
    fn going_back_stays_on_the_ranking() {
        let id = CycleId(7);
        assert_eq!(
            ranking_back("/manage/cycles/7/ranking?sort=spread&page=2", id),
            "/manage/cycles/7/ranking?sort=spread&page=2"
        );
        assert_eq!(
            ranking_back("https://evil.example/", id),
            "/manage/cycles/7/ranking"
        );
        assert_eq!(
            ranking_back("/manage/cycles/8/ranking", id),
            "/manage/cycles/7/ranking"
        );
    }
}
