//! Background jobs: each a function of the [`Ctx`], run by one loop in every
//! instance and callable alone (tests and the command line do). The outbox
//! worker that delivers mail is [`crate::mail::worker`]; these are the
//! rest: clearing idle sessions and counters, removing what a crash left
//! in the store, lapsing offers past their date, and queueing reminders.

pub mod documents;
pub mod offers;
pub mod reminders;
pub mod sessions;

use std::path::PathBuf;
use std::time::Duration;

use rocket::fairing::{AdHoc, Fairing};

use crate::context::Ctx;

/// How often the jobs run.
pub const EVERY: Duration = Duration::from_secs(600);

/// Runs every job once, in order; a job that fails is logged and the
/// others still run. Each round of each job is counted in the metrics.
#[tracing::instrument(skip_all)]
pub async fn run_all(ctx: &Ctx, upload_dir: Option<&std::path::Path>) {
    let done = sessions::sweep(ctx).await;
    record(ctx, "sessions", "clearing idle sessions", done);
    let done = documents::sweep_orphans(ctx).await;
    record(
        ctx,
        "orphaned_documents",
        "removing orphaned documents",
        done,
    );
    let done = documents::sweep_leftovers(ctx, upload_dir).await;
    record(
        ctx,
        "unfinished_uploads",
        "removing unfinished uploads",
        done,
    );
    let done = reminders::remind_referees(ctx).await;
    record(ctx, "referee_reminders", "queueing referee reminders", done);
    let done = reminders::remind_applicants(ctx).await;
    record(
        ctx,
        "applicant_reminders",
        "queueing reminders to applicants",
        done,
    );
    let done = offers::lapse(ctx).await;
    record(ctx, "lapsed_offers", "marking lapsed offers", done);
    let done = reminders::remind_reviewers(ctx).await;
    record(ctx, "review_reminders", "queueing review reminders", done);
}

/// Counts a job's round and logs its failure.
fn record<T, E: std::fmt::Display>(ctx: &Ctx, job: &str, what: &str, done: Result<T, E>) {
    ctx.metrics.job(job, done.is_ok());
    if let Err(e) = done {
        tracing::warn!(job, "{what} failed: {e:#}");
    }
}

/// Starts the jobs at liftoff, every [`EVERY`] (the first round one
/// interval after start); they stop when Rocket shuts down.
pub fn fairing() -> impl Fairing {
    AdHoc::on_liftoff("Background jobs", |rocket| {
        Box::pin(async move {
            let Some(ctx) = rocket.state::<Ctx>().cloned() else {
                tracing::error!("the background jobs cannot start: the context is missing");
                return;
            };
            let uploads: PathBuf = rocket.config().temp_dir.relative();
            let shutdown = rocket.shutdown();
            tokio::spawn(async move {
                let rounds = async {
                    loop {
                        tokio::time::sleep(EVERY).await;
                        run_all(&ctx, Some(&uploads)).await;
                    }
                };
                tokio::select! {
                    _ = shutdown => {}
                    _ = rounds => {}
                }
            });
        })
    })
}
