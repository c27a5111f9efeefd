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
/// others still run.
pub async fn run_all(ctx: &Ctx, upload_dir: Option<&std::path::Path>) {
    if let Err(e) = sessions::sweep(ctx).await {
        rocket::warn!("clearing idle sessions failed: {e:#}");
    }
    if let Err(e) = documents::sweep_orphans(ctx).await {
        rocket::warn!("removing orphaned documents failed: {e:#}");
    }
    if let Err(e) = documents::sweep_leftovers(ctx, upload_dir).await {
        rocket::warn!("removing unfinished uploads failed: {e:#}");
    }
    if let Err(e) = reminders::remind_referees(ctx).await {
        rocket::warn!("queueing referee reminders failed: {e:#}");
    }
    if let Err(e) = offers::lapse(ctx).await {
        rocket::warn!("marking lapsed offers failed: {e:#}");
    }
    if let Err(e) = reminders::remind_reviewers(ctx).await {
        rocket::warn!("queueing review reminders failed: {e:#}");
    }
}

/// Starts the jobs at liftoff, every [`EVERY`] (the first round one
/// interval after start); they stop when Rocket shuts down.
pub fn fairing() -> impl Fairing {
    AdHoc::on_liftoff("Background jobs", |rocket| {
        Box::pin(async move {
            let Some(ctx) = rocket.state::<Ctx>().cloned() else {
                rocket::error!("the background jobs cannot start: the context is missing");
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
