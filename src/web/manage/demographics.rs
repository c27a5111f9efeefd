//! The demographics of a cycle's applicants, in aggregate only: per
//! question, how many were not reviewed, reviewed but not offered, and
//! offered a place (apart, so that no count is another's difference), with
//! small counts hidden so that none can be worked out from a total (see
//! [`suppress`]). Read a batch at a time: the page costs the same memory
//! for any cycle. Nobody's answers are ever shown one by one.

use rocket::{get, routes, Route};
use rocket_dyn_templates::Template;
use serde::Serialize;

use super::load_cycle;
use crate::auth::guards::Manager;
use crate::db::{export, Db};
use crate::domain::demographics::{cell, suppress, Tally, GROUPS, SMALL_CELL};
use crate::domain::form::Answers;
use crate::domain::workflow::stage::Stage;
use crate::web::page::{render, Chrome};
use crate::web::Result;

pub fn routes() -> Vec<Route> {
    routes![show_demographics]
}

/// Applications read at a time.
const BATCH: i64 = 1000;

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
    cycle_id: i64,
    cycle_name: String,
    groups: [&'static str; 3],
    totals: Vec<String>,
    tables: Vec<Table>,
    small_cell: u64,
}

#[get("/cycles/<id>/demographics")]
async fn show_demographics(who: Manager, db: &Db, chrome: Chrome, id: i64) -> Result<Template> {
    let c = load_cycle(&who, db, id).await?;
    let mut conn = db.conn().await?;
    let mut tally = Tally::new();
    let mut after = 0;
    loop {
        let batch = export::demographics_batch(conn.exec(), id, after, BATCH).await?;
        for a in &batch {
            let answers: Option<Answers> = a
                .demographics_json
                .as_deref()
                .and_then(|j| serde_json::from_str(j).ok());
            let reviewed = matches!(
                Stage::parse(&a.stage),
                Some(Stage::Review | Stage::Committee | Stage::Decided)
            );
            let group = if a.outcome.as_deref() == Some("accepted") {
                2
            } else if reviewed {
                1
            } else {
                0
            };
            tally.add(answers.as_ref(), group);
        }
        match batch.last() {
            Some(last) if batch.len() as i64 == BATCH => after = last.id,
            _ => break,
        }
    }
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
