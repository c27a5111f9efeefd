//! The demographics of a cycle's applicants, in aggregate only: per
//! question, how many were not reviewed, reviewed but not offered, and
//! offered a place (apart, so that no count is another's difference), with
//! small counts hidden so that none can be worked out from a total (see
//! [`suppress`]). Counted by [`crate::app::demographics::tally`]. Nobody's
//! answers are ever shown one by one.

use crate::domain::cycle::CycleId;
use rocket::{get, routes, Route, State};
use rocket_dyn_templates::Template;
use serde::Serialize;

use crate::auth::guards::Manager;
use crate::context::Ctx;
use crate::domain::demographics::{cell, suppress, GROUPS, SMALL_CELL};
use crate::web::page::{render, Chrome};
use crate::web::Result;

pub fn routes() -> Vec<Route> {
    routes![show_demographics]
}

#[derive(Serialize)]
struct Row {
    label: String,
    cells: Vec<String>,
}

#[derive(Serialize)]
struct Table {
    label: String,
    rows: Vec<Row>,
}

#[derive(Serialize)]
struct DemographicsPage {
    cycle_id: CycleId,
    cycle_name: String,
    groups: [&'static str; 3],
    totals: Vec<String>,
    tables: Vec<Table>,
    small_cell: u64,
}

#[get("/cycles/<id>/demographics")]
async fn show_demographics(
    who: Manager,
    ctx: &State<Ctx>,
    chrome: Chrome,
    id: CycleId,
) -> Result<Template> {
    let (c, tally) = crate::app::demographics::tally(ctx, &who, id).await?;
    let tables = tally
        .questions
        .iter()
        .map(|q| {
            let columns: Vec<Vec<String>> = q
                .counts
                .iter()
                .zip(tally.totals)
                .map(|(column, total)| {
                    suppress(column, total)
                        .into_iter()
                        .map(|c| c.text())
                        .collect()
                })
                .collect();
            Table {
                label: q.label.clone(),
                rows: q
                    .rows
                    .iter()
                    .enumerate()
                    .map(|(r, label)| Row {
                        label: label.clone(),
                        cells: columns.iter().map(|col| col[r].clone()).collect(),
                    })
                    .collect(),
            }
        })
        .collect();
    let page = DemographicsPage {
        cycle_id: id,
        cycle_name: c.cycle.name.clone(),
        groups: GROUPS,
        totals: tally.totals.iter().map(|&n| cell(n).text()).collect(),
        tables,
        small_cell: SMALL_CELL,
    };
    let title = format!("Demographics – {}", c.cycle.name);
    Ok(render("manage/demographics", &chrome, &title, page))
}
