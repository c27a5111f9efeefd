//! The outbox worker: claims due messages, delivers them, and records the
//! outcome with retries and backoff. One runs in every instance; on
//! PostgreSQL claims skip rows another instance holds.
//!
//! The other background work (sweeps, lapses, reminders) lives in
//! [`crate::jobs`].

use std::time::Duration;

use rocket::fairing::{AdHoc, Fairing};

use super::Mail;
use crate::clock::Clock;
use crate::context::Ctx;
use crate::db::{self, PortalPool};
use crate::domain::outbox::AfterFailure;

/// How long a claimed message stays claimed if its instance dies mid-send.
const LEASE: chrono::Duration = chrono::Duration::minutes(5);
/// Messages claimed per round.
const BATCH: i64 = 20;

/// Starts the worker at liftoff; it stops when Rocket shuts down.
pub fn fairing(poll: Duration) -> impl Fairing {
    AdHoc::on_liftoff("Outbox worker", move |rocket| {
        Box::pin(async move {
            let Some(ctx) = rocket.state::<Ctx>() else {
                tracing::error!("the outbox worker cannot start: the context is missing");
                return;
            };
            let worker = Worker::new(ctx);
            let shutdown = rocket.shutdown();
            tokio::spawn(async move {
                tokio::select! {
                    _ = shutdown => {}
                    _ = worker.run(poll) => {}
                }
            });
        })
    })
}

/// One instance's worker.
#[derive(Clone)]
pub struct Worker {
    metrics: std::sync::Arc<crate::metrics::Metrics>,
    pool: PortalPool,
    mail: Mail,
    clock: Clock,
}

impl Worker {
    /// The worker of the context's database, mailer and clock.
    pub fn new(ctx: &Ctx) -> Self {
        Self {
            metrics: ctx.metrics.clone(),
            pool: ctx.pool.clone(),
            mail: ctx.mail.clone(),
            clock: ctx.clock.clone(),
        }
    }

    async fn run(self, poll: Duration) {
        loop {
            let round = self.deliver_due().await;
            self.metrics.job("outbox", round.is_ok());
            match round {
                // A full batch means more may be waiting: go again at once.
                Ok(n) if n as i64 == BATCH => continue,
                Ok(_) => {}
                Err(e) => tracing::warn!("outbox round failed: {e:#}"),
            }
            tokio::select! {
                _ = self.mail.wake.notified() => {}
                _ = tokio::time::sleep(poll) => {}
            }
        }
    }

    /// Delivers every message due now; returns how many were attempted.
    #[tracing::instrument(name = "outbox_round", skip_all)]
    pub async fn deliver_due(&self) -> anyhow::Result<usize> {
        let now = self.clock.now();
        let limit = match self.allowance() {
            Some(0) => return Ok(0),
            Some(n) => BATCH.min(n as i64),
            None => BATCH,
        };
        // Every message of the batch is claimed with this lease.
        let lease = now + LEASE;
        let (claimed, site) = {
            let mut conn = self.pool.conn().await?;
            let claimed = db::outbox::claim_due(conn.exec(), now, lease, limit).await?;
            // The From name an admin saved, read once per round with mail.
            let site = match claimed.is_empty() {
                true => None,
                false => db::site::get(conn.exec()).await?,
            };
            (claimed, site)
        };
        let sender_name = site.as_ref().map(|s| s.settings.organisation_name.as_str());
        for message in &claimed {
            // Each message's lease is renewed as its turn comes, so that
            // a slow batch cannot let another worker take and send it too.
            let renewed = self.clock.now() + LEASE;
            {
                let mut conn = self.pool.conn().await?;
                if !db::outbox::renew_claim(conn.exec(), message.id, lease, renewed).await? {
                    continue;
                }
            }
            // A relay that accepts the connection and then hangs must not
            // hold the worker (and every message after this one).
            let limit = self.mail.send_timeout;
            let outcome =
                match tokio::time::timeout(limit, self.mail.transport.send(message, sender_name))
                    .await
                {
                    Ok(outcome) => outcome,
                    Err(_) => Err(format!(
                        "the mail relay did not finish within {} seconds",
                        limit.as_secs()
                    )),
                };
            self.record_send();
            let now = self.clock.now();
            let mut conn = self.pool.conn().await?;
            match outcome {
                Ok(()) => db::outbox::mark_sent(conn.exec(), message.id, now).await?,
                Err(error) => {
                    let attempts = u32::try_from(message.attempts).unwrap_or(u32::MAX);
                    match self.mail.retry.after_failure(attempts, now) {
                        AfterFailure::RetryAt(at) => {
                            tracing::warn!(
                                "mail {} failed on attempt {attempts}, will retry: {}",
                                message.id,
                                crate::logging::without_addresses(&error)
                            );
                            db::outbox::mark_retry(conn.exec(), message.id, at, &error).await?
                        }
                        AfterFailure::GiveUp => {
                            tracing::error!(
                                "mail {} failed after {attempts} attempts: {}",
                                message.id,
                                crate::logging::without_addresses(&error)
                            );
                            db::outbox::mark_failed(conn.exec(), message.id, &error).await?
                        }
                    }
                }
            }
        }
        Ok(claimed.len())
    }

    /// Seconds on the process's monotonic clock, for the rate limit.
    fn clock() -> f64 {
        static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
        START
            .get_or_init(std::time::Instant::now)
            .elapsed()
            .as_secs_f64()
    }

    /// How many messages the rate limit lets through now (`None`: no limit).
    fn allowance(&self) -> Option<usize> {
        let rate = self.mail.rate.as_ref()?;
        let mut rate = rate
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        Some(rate.allowance(Self::clock()))
    }

    fn record_send(&self) {
        if let Some(rate) = &self.mail.rate {
            rate.lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .record(Self::clock());
        }
    }
}
