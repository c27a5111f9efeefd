//! A cycle's downloads, for its managers (see [`crate::app::export`]): the
//! reports page, the applications as CSV, every review (one row per
//! criterion) and every decision, each of the last two with or without
//! who applied, the reviews with or without the reviewers' names. Written
//! to a temporary file, then streamed, so a cycle of any size costs the
//! same memory; every download is recorded.

use rocket::{get, routes, Route, State};
use rocket_dyn_templates::Template;
use serde::Serialize;

use crate::app::export::{CsvFile, Report};
use crate::auth::guards::Manager;
use crate::context::Ctx;
use crate::domain::cycle::CycleId;
use crate::export::Identities;
use crate::web::download::Download;
use crate::web::page::{render, Chrome, ClientIp};
use crate::web::Result;

pub fn routes() -> Vec<Route> {
    routes![show_reports, export_cycle, reviews_report, decisions_report]
}

#[derive(Serialize)]
struct ReportsPage {
    cycle_id: CycleId,
    cycle_name: String,
}

#[get("/cycles/<id>/reports")]
async fn show_reports(
    who: Manager,
    ctx: &State<Ctx>,
    chrome: Chrome,
    id: CycleId,
) -> Result<Template> {
    let c = crate::app::access::cycle_for_manager(ctx, &who, id).await?;
    let title = format!("Reports – {}", c.cycle.name);
    let page = ReportsPage {
        cycle_id: id,
        cycle_name: c.cycle.name,
    };
    Ok(render("manage/reports", &chrome, &title, page))
}

fn csv(file: CsvFile) -> Download {
    Download {
        reader: Box::pin(file.file),
        content_type: "text/csv; charset=utf-8".into(),
        file_name: file.file_name,
    }
}

/// Whether a checkbox of the reports page was ticked: it sends `true`;
/// anything else (or nothing) is the report's default.
fn ticked(value: Option<&str>) -> bool {
    value == Some("true")
}

#[get("/cycles/<id>/export.csv")]
async fn export_cycle(
    who: Manager,
    ctx: &State<Ctx>,
    ip: ClientIp,
    id: CycleId,
) -> Result<Download> {
    Ok(csv(crate::app::export::cycle_csv(ctx, &who, &ip, id).await?))
}

#[get("/cycles/<id>/reports/reviews.csv?<blind>&<number_reviewers>")]
async fn reviews_report(
    who: Manager,
    ctx: &State<Ctx>,
    ip: ClientIp,
    id: CycleId,
    blind: Option<&str>,
    number_reviewers: Option<&str>,
) -> Result<Download> {
    let names = Identities {
        applicants: !ticked(blind),
        reviewers: !ticked(number_reviewers),
    };
    Ok(csv(crate::app::export::report_csv(
        ctx,
        &who,
        &ip,
        id,
        Report::Reviews,
        names,
    )
    .await?))
}

#[get("/cycles/<id>/reports/decisions.csv?<blind>")]
async fn decisions_report(
    who: Manager,
    ctx: &State<Ctx>,
    ip: ClientIp,
    id: CycleId,
    blind: Option<&str>,
) -> Result<Download> {
    let names = Identities {
        applicants: !ticked(blind),
        reviewers: true,
    };
    Ok(csv(crate::app::export::report_csv(
        ctx,
        &who,
        &ip,
        id,
        Report::Decisions,
        names,
    )
    .await?))
}
