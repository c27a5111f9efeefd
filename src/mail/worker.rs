//! The outbox worker: claims due messages, delivers them, and records the
//! outcome with retries and backoff. One runs in every instance; on
//! PostgreSQL claims skip rows another instance holds.
//!
//! It also clears sessions that have idled out, removes stored documents
//! that no row names (left by a crash), and queues reminders to referees
//! whose letters are due soon.

use std::time::Duration;

use rocket::fairing::{AdHoc, Fairing};
use rocket_db_pools::Database;

use super::Mail;
use crate::config::PortalConfig;
use crate::db::{self, Db, PortalPool};
use crate::domain::outbox::AfterFailure;
use crate::storage::Storage;

/// How long a claimed message stays claimed if its instance dies mid-send.
const LEASE: chrono::Duration = chrono::Duration::minutes(5);
/// Messages claimed per round.
const BATCH: i64 = 20;
/// Referees who have not answered are reminded this long before letters are due.
pub const REMINDER_AHEAD: chrono::Duration = chrono::Duration::days(7);
/// How often idle sessions and orphaned documents are cleared and referee
/// reminders queued.
const SESSION_SWEEP: Duration = Duration::from_secs(600);

/// Starts the worker at liftoff; it stops when Rocket shuts down.
pub fn fairing(poll: Duration) -> impl Fairing {
    AdHoc::on_liftoff("Outbox worker", move |rocket| {
        Box::pin(async move {
            let (Some(db), Some(mail), Some(storage), Ok(config)) = (
                Db::fetch(rocket),
                rocket.state::<Mail>(),
                rocket.state::<Storage>(),
                PortalConfig::from_figment(rocket.figment()),
            ) else {
                rocket::error!("the outbox worker cannot start: database, mail or storage missing");
                return;
            };
            let worker = Worker {
                pool: db.0.clone(),
                mail: mail.clone(),
                storage: storage.clone(),
                idle: chrono::Duration::minutes(config.session_idle_minutes),
                session_max: chrono::Duration::hours(config.session_max_hours),
                temp_dir: Some(rocket.config().temp_dir.relative()),
            };
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
pub struct Worker {
    pub pool: PortalPool,
    pub mail: Mail,
    pub storage: Storage,
    pub idle: chrono::Duration,
    /// Sessions end this long after they began, however active.
    pub session_max: chrono::Duration,
    /// Where uploads arrive (Rocket's `temp_dir`), to sweep what a crash
    /// left there.
    pub temp_dir: Option<std::path::PathBuf>,
}

/// Stored objects that no document names are removed once this old (left
/// by a crash between storing and committing).
pub const ORPHAN_AGE: chrono::Duration = chrono::Duration::hours(1);

impl Worker {
    async fn run(self, poll: Duration) {
        let mut last_sweep = tokio::time::Instant::now();
        loop {
            match self.deliver_due().await {
                // A full batch means more may be waiting: go again at once.
                Ok(n) if n as i64 == BATCH => continue,
                Ok(_) => {}
                Err(e) => rocket::warn!("outbox round failed: {e:#}"),
            }
            if last_sweep.elapsed() >= SESSION_SWEEP {
                last_sweep = tokio::time::Instant::now();
                if let Err(e) = self.sweep_sessions().await {
                    rocket::warn!("clearing idle sessions failed: {e:#}");
                }
                if let Err(e) = self.sweep_orphans(crate::clock::now()).await {
                    rocket::warn!("removing orphaned documents failed: {e:#}");
                }
                if let Err(e) = self.sweep_leftovers(crate::clock::now()).await {
                    rocket::warn!("removing unfinished uploads failed: {e:#}");
                }
                match self.remind_referees(crate::clock::now()).await {
                    Ok(n) if n > 0 => self.mail.wake(),
                    Ok(_) => {}
                    Err(e) => rocket::warn!("queueing referee reminders failed: {e:#}"),
                }
                if let Err(e) = self.lapse_offers(crate::clock::now()).await {
                    rocket::warn!("marking lapsed offers failed: {e:#}");
                }
                match self.remind_reviewers(crate::clock::now()).await {
                    Ok(n) if n > 0 => self.mail.wake(),
                    Ok(_) => {}
                    Err(e) => rocket::warn!("queueing review reminders failed: {e:#}"),
                }
            }
            tokio::select! {
                _ = self.mail.wake.notified() => {}
                _ = tokio::time::sleep(poll) => {}
            }
        }
    }

    /// Delivers every message due now; returns how many were attempted.
    pub async fn deliver_due(&self) -> anyhow::Result<usize> {
        let now = crate::clock::now();
        let limit = match self.allowance() {
            Some(0) => return Ok(0),
            Some(n) => BATCH.min(n as i64),
            None => BATCH,
        };
        // Every message of the batch is claimed with this lease.
        let lease = now + LEASE;
        let claimed = {
            let mut conn = self.pool.conn().await?;
            db::outbox::claim_due(conn.exec(), now, lease, limit).await?
        };
        for message in &claimed {
            // Each message's lease is renewed as its turn comes, so that
            // a slow batch cannot let another worker take and send it too.
            let renewed = crate::clock::now() + LEASE;
            {
                let mut conn = self.pool.conn().await?;
                if !db::outbox::renew_claim(conn.exec(), message.id, lease, renewed).await? {
                    continue;
                }
            }
            // A relay that accepts the connection and then hangs must not
            // hold the worker (and every message after this one).
            let limit = self.mail.send_timeout;
            let outcome = match tokio::time::timeout(limit, self.mail.transport.send(message)).await
            {
                Ok(outcome) => outcome,
                Err(_) => Err(format!(
                    "the mail relay did not finish within {} seconds",
                    limit.as_secs()
                )),
            };
            self.record_send();
            let now = crate::clock::now();
            let mut conn = self.pool.conn().await?;
            match outcome {
                Ok(()) => db::outbox::mark_sent(conn.exec(), message.id, now).await?,
                Err(error) => {
                    let attempts = u32::try_from(message.attempts).unwrap_or(u32::MAX);
                    match self.mail.retry.after_failure(attempts, now) {
                        AfterFailure::RetryAt(at) => {
                            rocket::warn!(
                                "mail {} failed on attempt {attempts}, will retry: {error}",
                                message.id
                            );
                            db::outbox::mark_retry(conn.exec(), message.id, at, &error).await?
                        }
                        AfterFailure::GiveUp => {
                            rocket::error!(
                                "mail {} failed after {attempts} attempts: {error}",
                                message.id
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

    /// Marks offers past their accept-by date as lapsed; returns how many.
    pub async fn lapse_offers(&self, now: chrono::DateTime<chrono::Utc>) -> anyhow::Result<u64> {
        let mut conn = self.pool.conn().await?;
        Ok(db::decisions::lapse_offers(conn.exec(), now).await?)
    }

    /// Queues one reminder, with a fresh link, to each referee who has not
    /// answered and whose letter is due within [`REMINDER_AHEAD`]; returns
    /// how many were queued. Each referee is reminded once.
    pub async fn remind_referees(
        &self,
        now: chrono::DateTime<chrono::Utc>,
    ) -> anyhow::Result<usize> {
        let due = {
            let mut conn = self.pool.conn().await?;
            db::referees::due_reminders(conn.exec(), now, now + REMINDER_AHEAD, BATCH).await?
        };
        for r in &due {
            let tz = crate::domain::cycle::parse_zone(&r.time_zone).unwrap_or(chrono_tz::UTC);
            let when = crate::domain::cycle::show_in(tz, r.letters_due_at);
            let secret = crate::auth::token::generate();
            let mut tx = self.pool.begin().await?;
            let expires = {
                let found = db::referees::find(tx.exec(), r.id).await?;
                match found {
                    Some(f) => f.token_expires_at,
                    None => continue,
                }
            };
            if !db::referees::renew_token(
                tx.exec(),
                r.id,
                &crate::auth::token::hash(&secret),
                expires,
                now,
            )
            .await?
            {
                continue;
            }
            let ctx = crate::mail::messages::RefereeRequest {
                referee_name: &r.name,
                applicant_name: &r.applicant_name,
                program: &r.program_name,
                due: &when,
            };
            crate::mail::messages::referee_request(
                tx.exec(),
                &self.mail,
                crate::mail::messages::RefereeMessage::Reminder,
                r.id,
                &r.email,
                &secret,
                &ctx,
                now,
            )
            .await?;
            db::referees::mark_reminded(tx.exec(), r.id, now).await?;
            tx.commit().await?;
        }
        Ok(due.len())
    }

    /// Queues today's reminder for every reviewer with overdue reviews
    /// (once a day each, however often it runs); returns how many.
    pub async fn remind_reviewers(
        &self,
        now: chrono::DateTime<chrono::Utc>,
    ) -> anyhow::Result<usize> {
        let mut tx = self.pool.begin().await?;
        let n = remind_overdue_reviewers(tx.exec(), &self.mail, None, now).await?;
        tx.commit().await?;
        Ok(n)
    }

    /// Removes stored objects older than [`ORPHAN_AGE`] that no document
    /// row names; returns how many. Recent objects are left alone: their
    /// upload may still be committing.
    pub async fn sweep_orphans(&self, now: chrono::DateTime<chrono::Utc>) -> anyhow::Result<usize> {
        let old: Vec<String> = self
            .storage
            .list()
            .await?
            .into_iter()
            .filter(|o| now - o.modified > ORPHAN_AGE)
            .map(|o| o.key)
            .collect();
        let mut removed = 0;
        for chunk in old.chunks(500) {
            let known = {
                let mut conn = self.pool.conn().await?;
                db::documents::existing_keys(conn.exec(), chunk).await?
            };
            for key in chunk.iter().filter(|k| !known.contains(*k)) {
                self.storage.delete(key).await?;
                removed += 1;
            }
        }
        if removed > 0 {
            rocket::info!("removed {removed} orphaned document(s)");
        }
        Ok(removed)
    }

    /// Removes what a crash can leave on disk, once older than
    /// [`ORPHAN_AGE`]: uploads that never finished arriving (in the
    /// temporary folder) and documents staged but never filed (in the local
    /// store). Returns how many files.
    pub async fn sweep_leftovers(
        &self,
        now: chrono::DateTime<chrono::Utc>,
    ) -> anyhow::Result<usize> {
        let before = now - ORPHAN_AGE;
        let mut removed = self.storage.sweep_staging(before).await?;
        if let Some(dir) = &self.temp_dir {
            removed +=
                crate::storage::remove_older(dir, crate::web::multipart::UPLOAD_PREFIX, before)
                    .await?;
        }
        if removed > 0 {
            rocket::info!("removed {removed} unfinished upload(s)");
        }
        Ok(removed)
    }

    /// Ends idle and too old sessions, forgets login counters a day old
    /// and mail counters of past hours.
    async fn sweep_sessions(&self) -> anyhow::Result<()> {
        let now = crate::clock::now();
        let mut conn = self.pool.conn().await?;
        db::sessions::delete_expired(conn.exec(), now - self.idle, now - self.session_max).await?;
        db::throttle::sweep(conn.exec(), now - chrono::Duration::days(1), now).await?;
        db::limits::sweep(conn.exec(), now - chrono::Duration::hours(2)).await?;
        Ok(())
    }
}

/// Reminds each reviewer with overdue reviews (in `cycle`, or anywhere),
/// one mail listing them per cycle; a reviewer already reminded today is
/// not mailed again. Returns how many mails were queued.
pub async fn remind_overdue_reviewers(
    ex: crate::db::Exec<'_>,
    mail: &Mail,
    cycle: Option<i64>,
    now: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<usize> {
    use crate::mail::messages::{review_reminder, OverdueIn, ReviewerAddress};
    let mut ex = ex;
    let rows = db::assignments::overdue(ex.reborrow(), cycle, now, 10_000).await?;
    let mut queued = 0;
    let mut i = 0;
    while i < rows.len() {
        let reviewer = rows[i].reviewer_id;
        let mine: Vec<&db::assignments::Overdue> = rows[i..]
            .iter()
            .take_while(|r| r.reviewer_id == reviewer)
            .collect();
        i += mine.len();
        let first = mine[0];
        let cycles: Vec<OverdueIn> = mine
            .iter()
            .map(|r| OverdueIn {
                program: r.program_name.clone(),
                cycle: r.cycle_name.clone(),
                overdue: r.overdue,
            })
            .collect();
        let to = ReviewerAddress {
            id: reviewer,
            name: &first.name,
            email: &first.email,
        };
        if review_reminder(ex.reborrow(), mail, &to, &cycles, now).await? {
            queued += 1;
        }
    }
    Ok(queued)
}
