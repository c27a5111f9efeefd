//! The cycle's applications as a CSV download, for the committee's
//! spreadsheet or the program's records (see [`crate::export`]). Written
//! to an unnamed temporary file a batch at a time, then streamed, so a
//! cycle of any size costs the same memory; every download is recorded.

use rocket::{get, routes, Route};
use tokio::io::AsyncSeekExt;

use super::{audit_action, load_cycle};
use crate::auth::guards::Manager;
use crate::db::Db;
use crate::web::download::Download;
use crate::web::page::ClientIp;
use crate::web::{Error, Result};

pub fn routes() -> Vec<Route> {
    routes![export_cycle]
}

#[get("/cycles/<id>/export.csv")]
async fn export_cycle(who: Manager, db: &Db, ip: ClientIp, id: i64) -> Result<Download> {
    let c = load_cycle(&who, db, id).await?;
    let program = {
        let mut conn = db.conn().await?;
        crate::db::programs::name_of(conn.exec(), c.cycle.program_id).await?
    };
    let temp = tokio::task::spawn_blocking(tempfile::tempfile)
        .await
        .map_err(|e| Error::Internal(e.into()))?
        .map_err(|e| Error::Internal(e.into()))?;
    let mut file = tokio::io::BufWriter::new(tokio::fs::File::from_std(temp));
    let count = crate::export::write_cycle(&db.0, &c, Some(who.0.user().id), &mut file)
        .await
        .map_err(Error::Internal)?;
    let mut file = file.into_inner();
    file.rewind().await.map_err(|e| Error::Internal(e.into()))?;
    let mut conn = db.conn().await?;
    audit_action(
        conn.exec(),
        &who,
        &ip,
        "cycle.export",
        &format!("cycle:{id}"),
        &format!("{count} applications as CSV"),
        crate::clock::now(),
    )
    .await?;
    Ok(Download {
        reader: Box::pin(file),
        content_type: "text/csv; charset=utf-8".into(),
        file_name: format!("{program} {} applications.csv", c.cycle.name),
    })
}
