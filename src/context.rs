//! What every use case and job works with: the database pool, the document
//! store, the mailer and the clock, assembled once at start.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::clock::Clock;
use crate::config::PortalConfig;
use crate::db::{Conn, DbResult, PortalPool, Tx};
use crate::mail::Mail;
use crate::metrics::Metrics;
use crate::storage::Storage;

/// The portal's context; cheap to clone (each part is shared).
#[derive(Clone)]
pub struct Ctx {
    pub pool: PortalPool,
    pub store: Storage,
    pub mail: Mail,
    pub clock: Clock,
    pub config: Arc<PortalConfig>,
    /// This instance's metrics.
    pub metrics: Arc<Metrics>,
    /// This instance's copy of the site's settings.
    pub site: Arc<crate::app::site::SiteCache>,
}

impl Ctx {
    /// The time now, by the context's clock.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// A connection for reading.
    pub async fn conn(&self) -> DbResult<Conn> {
        self.pool.conn().await
    }

    /// A write transaction (on SQLite, holding the write lock).
    pub async fn begin(&self) -> DbResult<Tx> {
        self.pool.begin().await
    }

    /// Tells the outbox worker that mail was committed.
    pub fn wake(&self) {
        self.mail.wake();
    }

    /// Assembles the context from Rocket's managed state, once every part
    /// is built; `None` names nothing, as the fairing that built a missing
    /// part has already said what failed.
    pub fn from_rocket<P: rocket::Phase>(rocket: &rocket::Rocket<P>) -> Option<Self> {
        use rocket_db_pools::Database;
        Some(Self {
            pool: crate::db::Db::fetch(rocket)?.0.clone(),
            store: rocket.state::<Storage>()?.clone(),
            mail: rocket.state::<Mail>()?.clone(),
            clock: rocket.state::<Clock>()?.clone(),
            config: Arc::new(rocket.state::<PortalConfig>()?.clone()),
            metrics: rocket.state::<Arc<Metrics>>()?.clone(),
            site: Arc::default(),
        })
    }
}
