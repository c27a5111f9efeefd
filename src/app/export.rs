//! A cycle's applications, reviews and decisions as CSV (see
//! [`crate::export`]), for its managers: written to an unnamed temporary
//! file a batch at a time, so a cycle of any size costs the same memory;
//! every download is audited. Names no page or response type.

use crate::domain::cycle::CycleId;
use tokio::io::AsyncSeekExt;

use super::{access, By, Error, Result};
use crate::auth::guards::{ClientIp, Manager};
use crate::context::Ctx;
use crate::db::programs;
use crate::export::Identities;

/// A CSV download, written and rewound, ready to be read.
pub struct CsvFile {
    pub file: tokio::fs::File,
    /// The file name offered for the download.
    pub file_name: String,
}

/// Writes cycle `id`'s applications (but the manager's own) as CSV to a
/// temporary file and records the export in the audit log.
#[tracing::instrument(skip_all, fields(id = %id))]
pub async fn cycle_csv(ctx: &Ctx, who: &Manager, ip: &ClientIp, id: CycleId) -> Result<CsvFile> {
    let c = access::cycle_for_manager(ctx, who, id).await?;
    let program = {
        let mut conn = ctx.conn().await?;
        programs::name_of(conn.exec(), c.cycle.program_id).await?
    };
    let me = who.0.user().id;
    let mut file = temp_file().await?;
    let count = crate::export::write_cycle(&ctx.pool, &c, Some(me), &mut file).await?;
    let file = rewound(file).await?;
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
    Ok(CsvFile {
        file,
        file_name: format!("{program} {} applications.csv", c.cycle.name),
    })
}

/// An unnamed temporary file to write a report to.
pub(crate) async fn temp_file() -> Result<tokio::io::BufWriter<tokio::fs::File>> {
    let temp = tokio::task::spawn_blocking(tempfile::tempfile)
        .await
        .map_err(|e| Error::Internal(e.into()))?
        .map_err(|e| Error::Internal(e.into()))?;
    Ok(tokio::io::BufWriter::new(tokio::fs::File::from_std(temp)))
}

/// The written file, back at its start to be read.
pub(crate) async fn rewound(
    file: tokio::io::BufWriter<tokio::fs::File>,
) -> Result<tokio::fs::File> {
    let mut file = file.into_inner();
    file.rewind().await.map_err(|e| Error::Internal(e.into()))?;
    Ok(file)
}

/// The reports beside the applications export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Report {
    /// Every submitted review, one row per criterion.
    Reviews,
    /// Every decision, with its offer.
    Decisions,
}

impl Report {
    fn noun(self) -> &'static str {
        match self {
            Self::Reviews => "reviews",
            Self::Decisions => "decisions",
        }
    }

    /// "1 review", "2 reviews".
    fn counted(self, n: u64) -> String {
        let noun = self.noun();
        if n == 1 {
            format!("1 {}", noun.trim_end_matches('s'))
        } else {
            format!("{n} {noun}")
        }
    }
}

/// Writes report `report` of cycle `id` (leaving out the manager's own
/// application), naming `names`, and records the download in the audit
/// log with what it left out.
#[tracing::instrument(skip_all, fields(id = %id))]
pub async fn report_csv(
    ctx: &Ctx,
    who: &Manager,
    ip: &ClientIp,
    id: CycleId,
    report: Report,
    names: Identities,
) -> Result<CsvFile> {
    let c = access::cycle_for_manager(ctx, who, id).await?;
    let program = {
        let mut conn = ctx.conn().await?;
        programs::name_of(conn.exec(), c.cycle.program_id).await?
    };
    let me = who.0.user().id;
    let mut file = temp_file().await?;
    let count = match report {
        Report::Reviews => {
            crate::export::reviews::write(&ctx.pool, &c.cycle, Some(me), names, &mut file).await?
        }
        Report::Decisions => {
            crate::export::decisions::write(&ctx.pool, &c.cycle, Some(me), names, &mut file).await?
        }
    };
    let file = rewound(file).await?;
    // Reviewers are named or not only in the reviews report.
    let left_out: Vec<&str> = [
        (!names.applicants).then_some("blind: without who applied"),
        (report == Report::Reviews && !names.reviewers).then_some("reviewers not named"),
    ]
    .into_iter()
    .flatten()
    .collect();
    let mut detail = format!("{} as CSV", report.counted(count));
    if !left_out.is_empty() {
        detail.push_str(&format!(" ({})", left_out.join("; ")));
    }
    let mut conn = ctx.conn().await?;
    By::user(me, ip.as_deref())
        .audit(
            conn.exec(),
            &format!("report.{}", report.noun()),
            &format!("cycle:{id}"),
            &detail,
            ctx.now(),
        )
        .await?;
    let suffix = if names.applicants { "" } else { " (blind)" };
    Ok(CsvFile {
        file,
        file_name: format!("{program} {} {}{suffix}.csv", c.cycle.name, report.noun()),
    })
}
