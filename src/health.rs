//! Whether this instance can serve: the database, the document store and
//! mail, checked by a background task every few seconds. `/healthz`
//! answers from the last check, so a load balancer polling it costs no
//! database query, probe file or SMTP connection.
//!
//! Imports no web layer: the page reads [`Monitor::snapshot`].

use std::sync::{Arc, RwLock};
use std::time::Duration;

use chrono::{DateTime, SubsecRound, Utc};
use rocket::fairing::{AdHoc, Fairing};
use rocket_db_pools::Database;

use crate::db::{Db, PortalPool};
use crate::mail::Mail;
use crate::storage::Storage;

/// How long one component's check may take before it counts as down.
const CHECK_LIMIT: Duration = Duration::from_secs(3);

/// One component as last checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Component {
    /// `sqlite`, `postgres`, `local`, `s3`, `file`, `smtp`.
    pub backend: &'static str,
    pub ok: bool,
    /// Why it is down, for admins only (may name hosts and folders).
    pub error: Option<String>,
}

/// The last check of every component.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    pub database: Component,
    pub storage: Component,
    pub mail: Component,
    pub checked_at: DateTime<Utc>,
}

/// What a health answer says overall.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Everything answers.
    Ok,
    /// The database answers; storage or mail does not (the instance still
    /// serves most pages, so it stays in the load balancer).
    Degraded,
    /// The database does not answer, or the checks stopped running.
    Down,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Degraded => "degraded",
            Self::Down => "down",
        }
    }
}

impl Snapshot {
    /// The overall status at `now`: a check older than three intervals
    /// means the background task is stuck, which is itself a failure.
    pub fn status(&self, now: DateTime<Utc>, interval: Duration) -> Status {
        let stale = chrono::Duration::from_std(interval * 3).unwrap_or(chrono::Duration::MAX);
        if !self.database.ok || now - self.checked_at > stale {
            Status::Down
        } else if self.storage.ok && self.mail.ok {
            Status::Ok
        } else {
            Status::Degraded
        }
    }
}

/// The checks and their last result, shared by the background task and
/// every request.
#[derive(Clone)]
pub struct Monitor {
    pool: PortalPool,
    storage: Storage,
    mail: Mail,
    /// How often the background task checks.
    pub interval: Duration,
    last: Arc<RwLock<Snapshot>>,
}

impl Monitor {
    /// Checks every component once, now.
    async fn check(pool: &PortalPool, storage: &Storage, mail: &Mail) -> Snapshot {
        let (db_ok, storage_result, mail_ok) = tokio::join!(
            tokio::time::timeout(CHECK_LIMIT, pool.ping()),
            tokio::time::timeout(CHECK_LIMIT, storage.check()),
            tokio::time::timeout(CHECK_LIMIT, mail.transport.check()),
        );
        let storage_error = match storage_result {
            Ok(Ok(())) => None,
            Ok(Err(e)) => Some(e.to_string()),
            Err(_) => Some("no answer within 3 seconds".into()),
        };
        let mail_ok = mail_ok.unwrap_or(false);
        Snapshot {
            database: Component {
                backend: pool.backend().as_str(),
                ok: db_ok.unwrap_or(false),
                error: None,
            },
            storage: Component {
                backend: storage.name(),
                ok: storage_error.is_none(),
                error: storage_error,
            },
            mail: Component {
                backend: mail.transport.name(),
                ok: mail_ok,
                error: (!mail_ok).then(|| "the mail folder or relay does not answer".into()),
            },
            checked_at: chrono::Utc::now().trunc_subsecs(6),
        }
    }

    /// A monitor whose first check is done.
    pub async fn start(pool: PortalPool, storage: Storage, mail: Mail, interval: Duration) -> Self {
        let first = Self::check(&pool, &storage, &mail).await;
        Self {
            pool,
            storage,
            mail,
            interval,
            last: Arc::new(RwLock::new(first)),
        }
    }

    /// Checks again now and keeps the result.
    pub async fn refresh(&self) -> Snapshot {
        let fresh = Self::check(&self.pool, &self.storage, &self.mail).await;
        *self
            .last
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = fresh.clone();
        fresh
    }

    /// The last check.
    pub fn snapshot(&self) -> Snapshot {
        self.last
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }
}

/// Checks once at liftoff, manages the [`Monitor`], and refreshes it every
/// `interval` until shutdown.
pub fn fairing(interval: Duration) -> impl Fairing {
    AdHoc::on_ignite("Health checks", move |rocket| async move {
        let (Some(db), Some(storage), Some(mail)) = (
            Db::fetch(&rocket),
            rocket.state::<Storage>(),
            rocket.state::<Mail>(),
        ) else {
            return rocket;
        };
        let monitor = Monitor::start(db.0.clone(), storage.clone(), mail.clone(), interval).await;
        let background = monitor.clone();
        rocket.manage(monitor).attach(AdHoc::on_liftoff(
            "Health checks in the background",
            move |rocket| {
                Box::pin(async move {
                    let shutdown = rocket.shutdown();
                    tokio::spawn(async move {
                        tokio::select! {
                            _ = shutdown => {}
                            _ = async {
                                loop {
                                    tokio::time::sleep(background.interval).await;
                                    background.refresh().await;
                                }
                            } => {}
                        }
                    });
                })
            },
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snapshot(db: bool, storage: bool, mail: bool, at: DateTime<Utc>) -> Snapshot {
        let c = |ok| Component {
            backend: "x",
            ok,
            error: None,
        };
        Snapshot {
            database: c(db),
            storage: c(storage),
            mail: c(mail),
            checked_at: at,
        }
    }

    #[test]
    fn the_status_follows_the_database_first_and_a_stale_check_is_down() {
        let t = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let every = Duration::from_secs(10);
        assert_eq!(snapshot(true, true, true, t).status(t, every), Status::Ok);
        assert_eq!(
            snapshot(true, false, true, t).status(t, every),
            Status::Degraded
        );
        assert_eq!(
            snapshot(true, true, false, t).status(t, every),
            Status::Degraded
        );
        assert_eq!(
            snapshot(false, true, true, t).status(t, every),
            Status::Down
        );
        let later = t + chrono::Duration::seconds(29);
        assert_eq!(
            snapshot(true, true, true, t).status(later, every),
            Status::Ok
        );
        let stuck = t + chrono::Duration::seconds(31);
        assert_eq!(
            snapshot(true, true, true, t).status(stuck, every),
            Status::Down
        );
    }
}
