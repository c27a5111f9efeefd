//! The demographics of a cycle's applicants, counted in aggregate only
//! (see [`crate::domain::demographics`]): read a batch at a time, so the
//! count costs the same memory for any cycle. Nobody's answers leave this
//! module one by one.

use super::{access, Result};
use crate::auth::guards::Manager;
use crate::context::Ctx;
use crate::db::cycles::CycleWithForm;
use crate::db::export;
use crate::domain::cycle::CycleId;
use crate::domain::demographics::Tally;
use crate::domain::form::Answers;
use crate::domain::workflow::decision::Outcome;
use crate::domain::workflow::stage::Stage;

/// Applications read at a time.
const BATCH: i64 = 1000;

/// Cycle `id` and its applicants' demographics per group: not reviewed,
/// reviewed but not offered, and offered a place (a released offer only).
#[tracing::instrument(skip_all, fields(id = %id))]
pub async fn tally(ctx: &Ctx, who: &Manager, id: CycleId) -> Result<(CycleWithForm, Tally)> {
    let c = access::cycle_for_manager(ctx, who, id).await?;
    let mut conn = ctx.conn().await?;
    let mut tally = Tally::new();
    let mut after = 0;
    loop {
        let batch = export::demographics_batch(conn.exec(), id, after, BATCH).await?;
        for a in &batch {
            let answers: Option<Answers> = a
                .demographics_json
                .as_deref()
                .and_then(|j| serde_json::from_str(j).ok());
            let reviewed = matches!(a.stage, Stage::Review | Stage::Committee | Stage::Decided);
            let group = if a.outcome == Some(Outcome::Accepted) {
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
    Ok((c, tally))
}
