//! Delivery: .eml files in the data folder by default, SMTP when
//! `PORTAL_SMTP_URL` is set.

use lettre::message::{header, Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::config::PortalConfig;
use crate::db::outbox::Message as Queued;

/// Where mail goes.
#[derive(Clone)]
pub enum Transport {
    /// One `<SHA-256 of the message key>.eml` file per message in a folder.
    File {
        dir: std::path::PathBuf,
        from: Mailbox,
        reply_to: Option<Mailbox>,
    },
    /// A real relay.
    Smtp {
        transport: AsyncSmtpTransport<Tokio1Executor>,
        from: Mailbox,
        reply_to: Option<Mailbox>,
        host: String,
    },
}

impl Transport {
    /// The transport the configuration asks for.
    pub fn from_config(config: &PortalConfig) -> anyhow::Result<Self> {
        let from: Mailbox = config.mail_from.parse().map_err(|e| {
            anyhow::anyhow!(
                "PORTAL_MAIL_FROM {:?} is not an address: {e}",
                config.mail_from
            )
        })?;
        let reply_to: Option<Mailbox> = match config
            .mail_reply_to
            .as_deref()
            .filter(|r| !r.trim().is_empty())
        {
            Some(r) => Some(r.trim().parse().map_err(|e| {
                anyhow::anyhow!("PORTAL_MAIL_REPLY_TO {r:?} is not an address: {e}")
            })?),
            None => None,
        };
        match config.smtp_url.as_deref().filter(|u| !u.trim().is_empty()) {
            None => {
                let dir = config.mail_dir();
                std::fs::create_dir_all(&dir)?;
                Ok(Self::File {
                    dir,
                    from,
                    reply_to,
                })
            }
            Some(url) => {
                let url = with_opportunistic_tls(url.trim());
                let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&url)
                    .map_err(|e| anyhow::anyhow!("PORTAL_SMTP_URL is not usable: {e}"))?
                    .timeout(Some(std::time::Duration::from_secs(
                        config.mail_timeout_seconds.max(1),
                    )))
                    .build();
                let host = host_of(&url);
                Ok(Self::Smtp {
                    transport,
                    from,
                    reply_to,
                    host,
                })
            }
        }
    }

    /// `file` or `smtp`, for `/healthz`.
    pub fn name(&self) -> &'static str {
        match self {
            Self::File { .. } => "file",
            Self::Smtp { .. } => "smtp",
        }
    }

    /// Whether mail can be delivered now: the folder is writable, or the
    /// relay answers NOOP.
    pub async fn check(&self) -> bool {
        match self {
            Self::File { dir, .. } => {
                let probe = dir.join(".healthz");
                let ok = tokio::fs::write(&probe, b"ok").await.is_ok();
                let _ = tokio::fs::remove_file(&probe).await;
                ok
            }
            Self::Smtp { transport, .. } => transport.test_connection().await.unwrap_or(false),
        }
    }

    /// Why mail cannot be delivered now, in words; `Ok` when it can (for
    /// `fellowship-portal check`).
    pub async fn probe(&self) -> Result<(), String> {
        match self {
            Self::File { dir, .. } => {
                let probe = dir.join(".check");
                let written = tokio::fs::write(&probe, b"ok").await;
                let _ = tokio::fs::remove_file(&probe).await;
                written.map_err(|e| format!("cannot write mail files in {}: {e}", dir.display()))
            }
            Self::Smtp {
                transport, host, ..
            } => match transport.test_connection().await {
                Ok(true) => Ok(()),
                Ok(false) => Err(format!("the mail relay {host} did not accept a connection")),
                Err(e) => Err(format!("the mail relay {host} refused: {e}")),
            },
        }
    }

    /// Delivers one queued message; the error text is kept on the outbox row.
    pub async fn send(&self, m: &Queued) -> Result<(), String> {
        let (Self::File { from, reply_to, .. } | Self::Smtp { from, reply_to, .. }) = self;
        let to: Mailbox = m
            .recipient
            .parse()
            .map_err(|e| format!("recipient {:?}: {e}", m.recipient))?;
        let domain = from.email.domain().to_owned();
        let mut builder = Message::builder().from(from.clone()).to(to);
        if let Some(r) = reply_to {
            builder = builder.reply_to(r.clone());
        }
        let message = builder
            .subject(m.subject.clone())
            .message_id(Some(format!(
                "<{}@{}>",
                crate::auth::token::hash(&m.message_key),
                domain
            )))
            .header(header::MIME_VERSION_1_0)
            .multipart(MultiPart::alternative_plain_html(
                m.text_body.clone(),
                m.html_body.clone(),
            ))
            .map_err(|e| format!("building the message: {e}"))?;
        match self {
            Self::File { dir, .. } => write_eml(dir, &m.message_key, message.formatted()).await,
            Self::Smtp {
                transport, host, ..
            } => transport
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| format!("SMTP {host}: {e}")),
        }
    }
}

/// Writes a message as `<SHA-256 of its key>.eml` in `dir`, through a
/// temporary file renamed into place. A message is delivered again when its
/// instance died after writing it but before recording it as sent; under
/// its own name it then replaces its first copy instead of adding a second
/// (lettre's file transport names each file by a new random id), and a
/// reader never sees half a message. Both steps run in one blocking task,
/// as lettre's single write did.
async fn write_eml(dir: &std::path::Path, key: &str, bytes: Vec<u8>) -> Result<(), String> {
    let name = crate::auth::token::hash(key);
    let partial = dir.join(format!(".{name}.eml.partial"));
    let done = dir.join(format!("{name}.eml"));
    tokio::task::spawn_blocking(move || {
        std::fs::write(&partial, bytes)
            .and_then(|()| std::fs::rename(&partial, &done))
            .map_err(|e| format!("writing {}: {e}", done.display()))
    })
    .await
    .map_err(|e| format!("writing a mail file: {e}"))?
}

/// The `host:port` of a relay URL, for error messages (never the password).
fn host_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?']).next().unwrap_or("");
    authority
        .rsplit_once('@')
        .map_or(authority, |(_, h)| h)
        .to_owned()
}

/// `smtp://` URLs use STARTTLS when the relay offers it (lettre's plain
/// `smtp://` never does); an explicit `tls=` parameter is kept.
fn with_opportunistic_tls(url: &str) -> String {
    if !url.starts_with("smtp://") || url.contains("tls=") {
        url.to_owned()
    } else if url.contains('?') {
        format!("{url}&tls=opportunistic")
    } else {
        format!("{url}?tls=opportunistic")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smtp_urls_get_starttls_when_offered() {
        assert_eq!(
            with_opportunistic_tls("smtp://h:25"),
            "smtp://h:25?tls=opportunistic"
        );
        assert_eq!(
            with_opportunistic_tls("smtp://h:25?x=1"),
            "smtp://h:25?x=1&tls=opportunistic"
        );
        assert_eq!(
            with_opportunistic_tls("smtp://h?tls=required"),
            "smtp://h?tls=required"
        );
        assert_eq!(with_opportunistic_tls("smtps://h"), "smtps://h");
    }

    #[test]
    fn error_messages_name_the_relay_without_its_password() {
        assert_eq!(
            host_of("smtp://user:s3cret@relay.example.org:587?tls=required"),
            "relay.example.org:587"
        );
        assert_eq!(
            host_of("smtp://127.0.0.1:2525?tls=opportunistic"),
            "127.0.0.1:2525"
        );
        assert_eq!(host_of("smtps://relay"), "relay");
    }
}
