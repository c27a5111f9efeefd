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
        let mut from: Mailbox = config.mail_from.parse().map_err(|e| {
            anyhow::anyhow!(
                "PORTAL_MAIL_FROM {:?} is not an address: {e}",
                config.mail_from
            )
        })?;
        // "Alliance Name <portal@...>": the reader sees who writes.
        let organisation = config.organisation_name.trim();
        if from.name.as_deref().is_none_or(str::is_empty) && !organisation.is_empty() {
            from.name = Some(organisation.to_owned());
        }
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

    /// The message as it is sent: a Message-ID of its outbox row's own
    /// (kept through retries), marked automatic (RFC 3834) so that no
    /// out-of-office reply answers it, the recipient's name in To, and for
    /// reminders the one-click unsubscribe headers (RFC 8058).
    /// `sender_name`, when given, is the From display name (the
    /// organisation's name an admin saved).
    pub fn build(&self, m: &Queued, sender_name: Option<&str>) -> Result<Message, String> {
        let (Self::File { from, reply_to, .. } | Self::Smtp { from, reply_to, .. }) = self;
        let mut from = from.clone();
        if let Some(name) = sender_name.map(str::trim).filter(|n| !n.is_empty()) {
            from.name = Some(name.to_owned());
        }
        let address: lettre::Address = m
            .recipient
            .trim()
            .parse()
            .map_err(|e| format!("recipient {:?}: {e}", m.recipient))?;
        let name = m
            .recipient_name
            .as_deref()
            .map(|n| n.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|n| !n.is_empty());
        let to = Mailbox::new(name, address);
        let domain = from.email.domain().to_owned();
        // Rows queued before the column existed keep their old id.
        let local = match &m.message_id {
            Some(id) => id.clone(),
            None => crate::auth::token::hash(&m.message_key),
        };
        let mut builder = Message::builder().from(from).to(to);
        if let Some(r) = reply_to {
            builder = builder.reply_to(r.clone());
        }
        builder = builder
            .subject(m.subject.clone())
            .message_id(Some(format!("<{local}@{domain}>")))
            .header(header::MIME_VERSION_1_0)
            .header(AutoSubmitted)
            .header(AutoResponseSuppress);
        if let Some(url) = &m.unsubscribe_url {
            builder = builder
                .header(ListUnsubscribe(format!("<{url}>")))
                .header(ListUnsubscribePost);
        }
        builder
            .multipart(MultiPart::alternative_plain_html(
                m.text_body.clone(),
                m.html_body.clone(),
            ))
            .map_err(|e| format!("building the message: {e}"))
    }

    /// Delivers one queued message; the error text is kept on the outbox row.
    pub async fn send(&self, m: &Queued, sender_name: Option<&str>) -> Result<(), String> {
        let message = self.build(m, sender_name)?;
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

/// A header with one fixed value.
macro_rules! fixed_header {
    ($(#[$doc:meta])* $ty:ident, $name:literal, $value:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy)]
        struct $ty;

        impl header::Header for $ty {
            fn name() -> header::HeaderName {
                header::HeaderName::new_from_ascii_str($name)
            }

            fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
                if s.trim() == $value {
                    Ok(Self)
                } else {
                    Err(format!("{} is not {:?}", $name, $value).into())
                }
            }

            fn display(&self) -> header::HeaderValue {
                header::HeaderValue::new(Self::name(), $value.to_owned())
            }
        }
    };
}

fixed_header!(
    /// RFC 3834: sent by a program, not a person; auto-responders stay quiet.
    AutoSubmitted,
    "Auto-Submitted",
    "auto-generated"
);
fixed_header!(
    /// Asks Exchange and Outlook not to send out-of-office and other
    /// automatic replies.
    AutoResponseSuppress,
    "X-Auto-Response-Suppress",
    "All"
);
fixed_header!(
    /// RFC 8058: the List-Unsubscribe address takes a one-click POST.
    ListUnsubscribePost,
    "List-Unsubscribe-Post",
    "List-Unsubscribe=One-Click"
);

/// RFC 2369: where to stop messages like this one (`<https://...>`).
#[derive(Debug, Clone)]
struct ListUnsubscribe(String);

impl header::Header for ListUnsubscribe {
    fn name() -> header::HeaderName {
        header::HeaderName::new_from_ascii_str("List-Unsubscribe")
    }

    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self(s.trim().to_owned()))
    }

    fn display(&self) -> header::HeaderValue {
        header::HeaderValue::new(Self::name(), self.0.clone())
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

#[cfg(test)]
mod message_tests {
    use super::*;
    use crate::domain::outbox::MailStatus;

    fn transport() -> Transport {
        let mut config =
            PortalConfig::from_figment(&rocket::figment::Figment::new()).expect("defaults");
        // Building a message writes nothing: the folder may go at once.
        let dir = tempfile::tempdir().unwrap();
        config.data_dir = dir.path().to_owned();
        config.mail_from = "portal@alliance.example".into();
        config.organisation_name = "Health Equity Alliance".into();
        config.mail_reply_to = Some("team@alliance.example".into());
        Transport::from_config(&config).expect("a file transport")
    }

    fn queued(key: &str, message_id: Option<&str>) -> Queued {
        Queued {
            id: 1,
            message_key: key.into(),
            kind: "decision_letter".into(),
            recipient: "jose@uni.example".into(),
            subject: "Your application".into(),
            text_body: "Hello".into(),
            html_body: "<p>Hello</p>".into(),
            status: MailStatus::Pending,
            attempts: 0,
            last_error: None,
            message_id: message_id.map(str::to_owned),
            recipient_name: Some("José Núñez".into()),
            unsubscribe_url: None,
        }
    }

    /// The message's headers, unfolded, by lowercase name.
    fn headers(m: &Message) -> Vec<(String, String)> {
        let raw = String::from_utf8(m.formatted()).unwrap();
        let head = raw.split("\r\n\r\n").next().unwrap().replace("\r\n ", " ");
        head.split("\r\n")
            .filter_map(|l| l.split_once(": "))
            .map(|(k, v)| (k.to_ascii_lowercase(), v.to_owned()))
            .collect()
    }

    fn one(h: &[(String, String)], name: &str) -> Option<String> {
        let all: Vec<&String> = h
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v)
            .collect();
        assert!(all.len() <= 1, "{name} twice: {all:?}");
        all.first().map(|v| (*v).clone())
    }

    /// Decodes RFC 2047 encoded words (B or Q) of a header value.
    fn decode_words(v: &str) -> String {
        use base64::Engine;
        let mut out = String::new();
        for part in v.split(' ') {
            let word = part.trim_matches('"');
            let Some(inner) = word.strip_prefix("=?").and_then(|w| w.strip_suffix("?=")) else {
                if !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(part);
                continue;
            };
            let mut pieces = inner.splitn(3, '?');
            let (_, enc, text) = (
                pieces.next(),
                pieces.next().unwrap(),
                pieces.next().unwrap(),
            );
            let bytes = if enc.eq_ignore_ascii_case("b") {
                base64::engine::general_purpose::STANDARD
                    .decode(text)
                    .unwrap()
            } else {
                let mut b = Vec::new();
                let t = text.replace('_', " ");
                let mut i = 0;
                let tb = t.as_bytes();
                while i < tb.len() {
                    if tb[i] == b'=' {
                        b.push(u8::from_str_radix(&t[i + 1..i + 3], 16).unwrap());
                        i += 3;
                    } else {
                        b.push(tb[i]);
                        i += 1;
                    }
                }
                b
            };
            out.push_str(&String::from_utf8(bytes).unwrap());
        }
        out
    }

    #[test]
    fn each_outbox_row_has_its_own_message_id_kept_through_retries() {
        let t = transport();
        // The same key in two databases draws two ids at enqueue.
        let a = t.build(&queued("decision:19", Some("aaaa")), None).unwrap();
        let b = t.build(&queued("decision:19", Some("bbbb")), None).unwrap();
        let id = |m: &Message| one(&headers(m), "message-id").unwrap();
        assert_eq!(id(&a), "<aaaa@alliance.example>");
        assert_ne!(id(&a), id(&b));
        // A retry builds the same row again: the same id.
        let again = t.build(&queued("decision:19", Some("aaaa")), None).unwrap();
        assert_eq!(id(&a), id(&again));
    }

    #[test]
    fn every_message_says_it_is_automatic_and_who_sends_it() {
        let m = transport().build(&queued("k", Some("x")), None).unwrap();
        let h = headers(&m);
        assert_eq!(one(&h, "auto-submitted").as_deref(), Some("auto-generated"));
        assert_eq!(one(&h, "x-auto-response-suppress").as_deref(), Some("All"));
        assert_eq!(
            one(&h, "from").as_deref(),
            Some("\"Health Equity Alliance\" <portal@alliance.example>")
        );
        assert_eq!(
            one(&h, "reply-to").as_deref(),
            Some("team@alliance.example")
        );
        assert_eq!(one(&h, "list-unsubscribe"), None, "not a reminder");
        assert_eq!(one(&h, "list-unsubscribe-post"), None);
    }

    #[test]
    fn to_names_the_recipient_encoded() {
        let m = transport().build(&queued("k", Some("x")), None).unwrap();
        let to = one(&headers(&m), "to").unwrap();
        assert!(to.is_ascii(), "{to}");
        assert!(to.ends_with(" <jose@uni.example>"), "{to}");
        let name = to.trim_end_matches(" <jose@uni.example>");
        assert_eq!(decode_words(name), "José Núñez");
        // No name known: the bare address.
        let mut q = queued("k", Some("x"));
        q.recipient_name = None;
        let to = one(&headers(&transport().build(&q, None).unwrap()), "to").unwrap();
        assert_eq!(to, "jose@uni.example");
    }

    #[test]
    fn reminders_carry_one_click_unsubscribe() {
        let mut q = queued("review_reminder:1:2027-01-01", Some("x"));
        q.unsubscribe_url = Some("https://apply.alliance.example/mail/reminders/tok".into());
        let h = headers(&transport().build(&q, None).unwrap());
        assert_eq!(
            one(&h, "list-unsubscribe").as_deref(),
            Some("<https://apply.alliance.example/mail/reminders/tok>")
        );
        assert_eq!(
            one(&h, "list-unsubscribe-post").as_deref(),
            Some("List-Unsubscribe=One-Click")
        );
    }
}
