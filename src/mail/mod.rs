//! Mail: templates (text and HTML parts), transports (.eml files or SMTP),
//! one function per message, and the outbox worker.
//!
//! Mail is never sent inside a request: a request queues a rendered message
//! in the outbox in the transaction of the change it reports, and the
//! worker delivers it with retries. Imports `db`, `domain` and `config`;
//! never `web`.

pub mod limits;
pub mod messages;
pub mod templates;
pub mod transport;
pub mod worker;

use std::path::Path;
use std::sync::Arc;

use rocket::fairing::{AdHoc, Fairing};
use tokio::sync::Notify;

use crate::config::PortalConfig;
use crate::domain::outbox::{RateLimit, RetryPolicy};
pub use templates::MailTemplates;
pub use transport::Transport;

/// Everything needed to queue and deliver mail, managed as Rocket state;
/// cheap to clone (the worker holds a clone).
#[derive(Clone)]
pub struct Mail {
    pub templates: Arc<MailTemplates>,
    pub transport: Transport,
    pub base_url: String,
    pub retry: RetryPolicy,
    /// The send rate limit of this instance, if any.
    pub rate: Option<Arc<std::sync::Mutex<RateLimit>>>,
    /// The longest one delivery may take before it counts as failed.
    pub send_timeout: std::time::Duration,
    wake: Arc<Notify>,
}

impl Mail {
    /// Builds the templates and transport from the configuration.
    pub fn new(config: &PortalConfig, template_dir: &Path) -> anyhow::Result<Self> {
        Ok(Self {
            templates: Arc::new(MailTemplates::load(&template_dir.join("email"))?),
            transport: Transport::from_config(config)?,
            base_url: config.base().to_owned(),
            retry: RetryPolicy {
                max_attempts: config.mail_max_attempts.max(1),
                base_delay: chrono::Duration::seconds(config.mail_retry_seconds.max(1)),
                ..RetryPolicy::default()
            },
            rate: config
                .mail_per_minute
                .map(|n| Arc::new(std::sync::Mutex::new(RateLimit::new(n as usize)))),
            send_timeout: std::time::Duration::from_secs(config.mail_timeout_seconds.max(1)),
            wake: Arc::new(Notify::new()),
        })
    }

    /// Tells the worker that a message was committed to the outbox.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// An absolute link to a path of the portal.
    pub fn link(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path)
    }
}

/// The fairing that builds [`Mail`] at ignite and starts the worker at liftoff.
pub fn stage() -> impl Fairing {
    AdHoc::on_ignite("Mail", |rocket| async move {
        let built = PortalConfig::from_figment(rocket.figment())
            .map_err(anyhow::Error::from)
            .and_then(|config| {
                let template_dir: std::path::PathBuf = rocket
                    .figment()
                    .extract_inner("template_dir")
                    .unwrap_or_else(|_| "templates".into());
                Ok((Mail::new(&config, &template_dir)?, config))
            });
        match built {
            Ok((mail, config)) => {
                let rocket = rocket.manage(mail);
                if config.mail_worker {
                    rocket.attach(worker::fairing(std::time::Duration::from_millis(
                        config.mail_poll_ms.max(50),
                    )))
                } else {
                    rocket
                }
            }
            Err(e) => {
                eprintln!("fellowship-portal cannot start: mail is not set up: {e:#}");
                rocket.attach(AdHoc::try_on_ignite("Mail failed", |r| async { Err(r) }))
            }
        }
    })
}
