//! The cycle's applications as a CSV download, for the committee's
//! spreadsheet or the program's records (see [`crate::app::export`]):
//! written to a temporary file, then streamed, so a cycle of any size
//! costs the same memory; every download is recorded.

use crate::domain::cycle::CycleId;
use rocket::{get, routes, Route, State};

use crate::auth::guards::Manager;
use crate::context::Ctx;
use crate::web::download::Download;
use crate::web::page::ClientIp;
use crate::web::Result;

pub fn routes() -> Vec<Route> {
    routes![export_cycle]
}

#[get("/cycles/<id>/export.csv")]
async fn export_cycle(
    who: Manager,
    ctx: &State<Ctx>,
    ip: ClientIp,
    id: CycleId,
) -> Result<Download> {
    let csv = crate::app::export::cycle_csv(ctx, &who, &ip, id).await?;
    Ok(Download {
        reader: Box::pin(csv.file),
        content_type: "text/csv; charset=utf-8".into(),
        file_name: csv.file_name,
    })
}
