//! The log: one `tracing` subscriber, human-readable lines by default or
//! one JSON object per line, filtered by `PORTAL_LOG_LEVEL` (or `RUST_LOG`).
//!
//! The binary installs it once ([`init`]) before it builds the portal;
//! tests build the same subscriber with a writer of their own
//! ([`subscriber`]) and read what it wrote. Rocket's own logger stays off
//! (it prints concrete request paths, which may carry tokens): the portal's
//! request line ([`crate::web::observe`]) replaces its request lines.
//!
//! Nothing logged names a person: spans and events carry ids, route
//! patterns, counts and statuses only.

use serde::Deserialize;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::EnvFilter;

/// What each log line looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// `2026-12-07T06:30:00.123Z  INFO request{...}: message key=value`.
    #[default]
    Text,
    /// One JSON object per line (`timestamp`, `level`, `fields`, `target`,
    /// `span`: the innermost span, `spans`: all of them, outermost first).
    Json,
}

/// The filter used when neither `PORTAL_LOG_LEVEL` nor `RUST_LOG` is set:
/// the portal at info, its libraries at warn.
pub const DEFAULT_FILTER: &str = "warn,fellowship_portal=info,portal=info";

/// The filter directives to use: `level` (from `PORTAL_LOG_LEVEL`) if set,
/// else `RUST_LOG`, else [`DEFAULT_FILTER`].
pub fn filter_directives(level: Option<&str>) -> String {
    level
        .map(str::to_owned)
        .or_else(|| std::env::var("RUST_LOG").ok())
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_FILTER.to_owned())
}

/// Why the log cannot be set up.
#[derive(Debug, thiserror::Error)]
pub enum LogError {
    #[error("PORTAL_LOG_LEVEL (or RUST_LOG) is not a valid filter: {0}")]
    Filter(String),
    #[error("a logger was already installed")]
    AlreadySet,
}

/// The subscriber writing `format` lines filtered by `directives` to `writer`.
pub fn subscriber<W>(
    format: LogFormat,
    directives: &str,
    writer: W,
) -> Result<Box<dyn tracing::Subscriber + Send + Sync>, LogError>
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let filter = EnvFilter::builder()
        .parse(directives)
        .map_err(|e| LogError::Filter(e.to_string()))?;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(false);
    Ok(match format {
        LogFormat::Text => Box::new(builder.finish()),
        LogFormat::Json => Box::new(
            builder
                .json()
                .with_current_span(true)
                .with_span_list(true)
                .finish(),
        ),
    })
}

/// Installs the process's subscriber, writing to standard error.
pub fn init(format: LogFormat, level: Option<&str>) -> Result<(), LogError> {
    let sub = subscriber(format, &filter_directives(level), std::io::stderr)?;
    tracing::subscriber::set_global_default(sub).map_err(|_| LogError::AlreadySet)
}

/// `text` with every word that holds an `@` (an email address, as a mail
/// relay's refusal may quote the recipient) replaced by `<address>`.
pub fn without_addresses(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        if word.contains('@') {
            out.push_str("<address>");
        } else {
            out.push_str(word);
        }
        word.clear();
    };
    for c in text.chars() {
        if c.is_whitespace() || matches!(c, '<' | '>' | '(' | ')' | '"' | '\'' | ',' | ';') {
            flush(&mut word, &mut out);
            out.push(c);
        } else {
            word.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Buffer {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn written(format: LogFormat, directives: &str) -> String {
        let buffer = Buffer::default();
        let sink = buffer.clone();
        let sub = subscriber(format, directives, move || sink.clone()).unwrap();
        tracing::subscriber::with_default(sub, || {
            let span = tracing::info_span!("request", request_id = "r-1");
            let _in = span.enter();
            tracing::info!(target: "portal::request", status = 200, "request");
            tracing::debug!("not shown at info");
        });
        let bytes = buffer.0.lock().unwrap().clone();
        String::from_utf8(bytes).unwrap()
    }

    #[test]
    fn text_lines_carry_the_span_and_fields() {
        let log = written(LogFormat::Text, "info");
        assert!(log.contains("request{request_id=\"r-1\"}"), "{log}");
        assert!(log.contains("status=200"), "{log}");
        assert!(!log.contains("not shown"), "{log}");
    }

    #[test]
    fn json_lines_parse_and_carry_the_span() {
        let log = written(LogFormat::Json, "info");
        let line: serde_json::Value = serde_json::from_str(log.lines().next().unwrap()).unwrap();
        assert_eq!(line["fields"]["status"], 200, "{log}");
        assert_eq!(line["span"]["request_id"], "r-1", "{log}");
        assert_eq!(line["level"], "INFO");
    }

    #[test]
    fn addresses_are_taken_out_of_relay_errors() {
        assert_eq!(
            without_addresses("550 5.1.1 <ana.lopez@example.org>: Recipient rejected, to=bo@x.y"),
            "550 5.1.1 <<address>>: Recipient rejected, <address>"
        );
    }

    #[test]
    fn a_bad_filter_is_named() {
        let err = subscriber(LogFormat::Text, "info,=[", std::io::sink)
            .err()
            .expect("refused");
        assert!(err.to_string().contains("PORTAL_LOG_LEVEL"));
    }
}
