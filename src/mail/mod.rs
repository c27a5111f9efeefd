//! Mail: templates (text and HTML parts), transports (.eml files or SMTP),
//! one function per message, and the outbox worker.
//!
//! Mail is never sent inside a request: a request queues a rendered message
//! in the outbox in the transaction of the change it reports, and the
//! worker delivers it with retries. Imports `db`, `domain` and `config`;
//! never `web`.

pub mod layout;
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
    /// Who the mail comes from, as every message's footer says.
    pub sender: Arc<layout::Sender>,
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
            sender: Arc::new(layout::Sender::from_config(config)),
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

    /// Who the mail comes from now: the configuration's sender under the
    /// site settings an admin saved, read in the caller's transaction.
    pub async fn sender_now(&self, ex: crate::db::Exec<'_>) -> anyhow::Result<Arc<layout::Sender>> {
        Ok(match crate::db::site::get(ex).await? {
            Some(saved) => Arc::new(self.sender.with_site(&saved.settings)),
            None => self.sender.clone(),
        })
    }

    /// A message's parts as sent: the text with `sender`'s footer, and the
    /// HTML body (a template's fragment) in the common document with its
    /// footer, signed unless its author signed it; `unsubscribe` is the
    /// page that stops reminders like it.
    pub fn finish(
        &self,
        sender: &layout::Sender,
        subject: &str,
        text: &str,
        html: &str,
        signed: layout::Signed,
        unsubscribe: Option<&str>,
    ) -> (String, String) {
        (
            layout::text(text, sender, signed, unsubscribe),
            layout::html(subject, html, sender, signed, unsubscribe),
        )
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
                // Said when the portal starts serving (the commands that
                // only open the database have no mail to send). In release
                // each problem is a warning; in development the defaults
                // are expected, and said once as information.
                let release = rocket.figment().profile() == rocket::Config::RELEASE_PROFILE;
                let found = warnings(&config);
                let rocket =
                    rocket
                        .manage(mail)
                        .attach(AdHoc::on_liftoff("Mail warnings", move |_| {
                            Box::pin(async move {
                                for w in found {
                                    if release {
                                        tracing::warn!("mail: {w}");
                                    } else {
                                        tracing::info!("mail: {w}");
                                    }
                                }
                            })
                        }));
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

/// What in the configuration keeps the portal's mail from reaching
/// inboxes, or sends readers to the wrong place: each problem in words
/// with the setting that changes it. Pure (no I/O), so the start-up log
/// and the `check` command say the same.
pub fn warnings(config: &PortalConfig) -> Vec<String> {
    let mut out = Vec::new();
    let from = config.mail_from.trim();
    let from_domain = from
        .parse::<lettre::message::Mailbox>()
        .map(|m| m.email.domain().to_ascii_lowercase())
        .unwrap_or_default();
    if from_domain.is_empty() {
        out.push(format!(
            "PORTAL_MAIL_FROM {from:?} is not an email address: no message can be sent; set PORTAL_MAIL_FROM to an address of your organisation's domain"
        ));
    } else if is_local_host(&from_domain) || from_domain.ends_with(".local") {
        out.push(format!(
            "mail is sent from {from:?}, a domain nobody else can reach: mailbox providers reject or hide such mail; set PORTAL_MAIL_FROM to an address of your organisation's domain (whose SPF and DKIM the relay passes)"
        ));
    } else if matches!(
        from_domain.as_str(),
        "example.org" | "example.com" | "example.net"
    ) || from_domain.ends_with(".example")
    {
        out.push(format!(
            "mail is sent from {from:?}, an example domain: set PORTAL_MAIL_FROM to an address of your organisation's domain"
        ));
    }
    let base = config.base();
    let host = url::Url::parse(base).ok().and_then(|u| {
        u.host().map(|h| match h {
            url::Host::Domain(d) => d.to_ascii_lowercase(),
            url::Host::Ipv4(ip) => ip.to_string(),
            url::Host::Ipv6(ip) => ip.to_string(),
        })
    });
    if host.as_deref().is_some_and(is_local_host) {
        out.push(format!(
            "links in mail point to {base}, which only this machine can open: set PORTAL_BASE_URL to the portal's public address (e.g. https://apply.your-organisation.org)"
        ));
    } else if base.starts_with("http://") {
        out.push(format!(
            "links in mail use plain HTTP ({base}): set PORTAL_BASE_URL to the portal's https:// address"
        ));
    }
    let unset = |v: &Option<String>| v.as_deref().is_none_or(|v| v.trim().is_empty());
    if unset(&config.mail_reply_to) {
        out.push(
            "mail has no Reply-To: replies go to the sending address, which may be read by nobody; set PORTAL_MAIL_REPLY_TO to the program team's inbox"
                .into(),
        );
    }
    if config.organisation_name.trim().is_empty()
        || config.organisation_name.trim() == crate::config::DEFAULT_ORGANISATION_NAME
    {
        out.push(format!(
            "mail is signed by {:?}, not your organisation: set PORTAL_ORGANISATION_NAME (and PORTAL_CONTACT_EMAIL, PORTAL_MAIL_SIGNATURE)",
            crate::config::DEFAULT_ORGANISATION_NAME
        ));
    }
    if unset(&config.smtp_url) {
        out.push(format!(
            "no mail relay is set: messages are written as files in {} and reach nobody; set PORTAL_SMTP_URL",
            config.mail_dir().display()
        ));
    }
    out
}

/// Whether a host name or address is this machine's own.
fn is_local_host(host: &str) -> bool {
    let host = host.trim_end_matches('.');
    host == "localhost"
        || host.ends_with(".localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback() || ip.is_unspecified())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(json: serde_json::Value) -> PortalConfig {
        let f = rocket::figment::Figment::from(rocket::figment::providers::Serialized::defaults(
            serde_json::json!({ "portal": json }),
        ));
        PortalConfig::from_figment(&f).unwrap()
    }

    #[test]
    fn the_defaults_get_a_warning_each_naming_the_setting() {
        let w = warnings(&config(serde_json::json!({})));
        let all = w.join("\n");
        for setting in [
            "PORTAL_MAIL_FROM",
            "PORTAL_BASE_URL",
            "PORTAL_MAIL_REPLY_TO",
            "PORTAL_ORGANISATION_NAME",
            "PORTAL_SMTP_URL",
        ] {
            assert_eq!(
                w.iter().filter(|l| l.contains(setting)).count(),
                1,
                "{setting} in {all}"
            );
        }
        assert!(all.contains("\"portal@localhost\""), "{all}");
        assert!(all.contains("http://127.0.0.1:8000"), "{all}");
    }

    #[test]
    fn a_production_configuration_has_no_warnings() {
        let c = config(serde_json::json!({
            "mail_from": "Alliance <portal@alliance.org>",
            "mail_reply_to": "team@alliance.org",
            "base_url": "https://apply.alliance.org/",
            "organisation_name": "Health Equity Alliance",
            "smtp_url": "smtps://relay.alliance.org",
        }));
        assert_eq!(warnings(&c), Vec::<String>::new());
    }

    #[test]
    fn local_addresses_in_every_spelling_are_caught() {
        for base in [
            "http://localhost:8000",
            "https://[::1]:8443/x",
            "https://0.0.0.0",
            "https://portal.localhost",
        ] {
            let w = warnings(&config(serde_json::json!({ "base_url": base })));
            assert!(
                w.iter().any(|l| l.contains("only this machine")),
                "{base}: {w:?}"
            );
        }
        let w = warnings(&config(
            serde_json::json!({ "base_url": "http://apply.alliance.org" }),
        ));
        assert!(w.iter().any(|l| l.contains("plain HTTP")), "{w:?}");
        let w = warnings(&config(
            serde_json::json!({ "mail_from": "portal@127.0.0.1" }),
        ));
        assert!(
            w.iter().any(|l| l.contains("nobody else can reach")),
            "{w:?}"
        );
    }
}
