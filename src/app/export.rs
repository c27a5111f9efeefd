//! A cycle's applications as CSV (see [`crate::export`]), for its
//! managers: written to an unnamed temporary file a batch at a time, so a
//! cycle of any size costs the same memory; every export is audited.
//! Names no page or response type.

use crate::domain::cycle::CycleId;
use tokio::io::AsyncSeekExt;

use super::{access, By, Error, Result};
use crate::auth::guards::{ClientIp, Manager};
use crate::context::Ctx;
use crate::db::programs;

/// A cycle's export, written and rewound, ready to be read.
pub struct CycleCsv {
    pub file: tokio::fs::File,
    /// The file name offered for the download.
    pub file_name: String,
}

/// Writes cycle `id`'s applications (but the manager's own) as CSV to a
/// temporary file and records the export in the audit log.
#[tracing::instrument(skip_all, fields(id = %id))]
pub async fn cycle_csv(ctx: &Ctx, who: &Manager, ip: &ClientIp, id: CycleId) -> Result<CycleCsv> {
    let c = access::cycle_for_manager(ctx, who, id).await?;
    let program = {
        let mut conn = ctx.conn().await?;
        programs::name_of(conn.exec(), c.cycle.program_id).await?
    };
    let temp = tokio::task::spawn_blocking(tempfile::tempfile)
        .await
        .map_err(|e| Error::Internal(e.into()))?
        .map_err(|e| Error::Internal(e.into()))?;
    let me = who.0.user().id;
    let mut file = tokio::io::BufWriter::new(tokio::fs::File::from_std(temp));
    let count = crate::export::write_cycle(&ctx.pool, &c, Some(me), &mut file).await?;
    let mut file = file.into_inner();
    file.rewind().await.map_err(|e| Error::Internal(e.into()))?;
    let mut conn = ctx.conn().await?;
    By::user(me, ip.as_deref())
        .audit(
            conn.exec(),
            "cycle.export",
            &format!("cycle:{id}"),
            &format!("{count} applications as CSV"),
            ctx.now(),
        )
        .await?;
    Ok(CycleCsv {
        file,
        file_name: format!("{program} {} applications.csv", c.cycle.name),
    })
}
