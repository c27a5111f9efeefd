//! What an operator sees: the log (one line per request with its route
//! pattern, status and id, and never a person's data, a password, a token
//! or a document's contents) and `/metrics` (who may read it, and what it
//! counts, read back with Prometheus's own parser).

mod logs;
mod metrics;
mod process;

use std::sync::{Arc, Mutex};

/// A log written into memory, for a test to read.
#[derive(Clone, Default)]
pub struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    /// Everything written so far.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }

    /// The portal's subscriber (as the binary builds it) writing here.
    pub fn dispatch(&self, format: fellowship_portal::logging::LogFormat) -> tracing::Dispatch {
        // With a single registered dispatcher, tracing takes it for the
        // global one and caches each new callsite's interest from the
        // default of whichever thread hits it first: a callsite first hit
        // by another test's thread would never reach this one. A second,
        // silent dispatcher kept for the whole run makes it ask every
        // registered dispatcher instead.
        static SECOND: std::sync::OnceLock<tracing::Dispatch> = std::sync::OnceLock::new();
        SECOND.get_or_init(|| tracing::Dispatch::new(tracing::subscriber::NoSubscriber::default()));
        let sink = self.clone();
        let sub =
            fellowship_portal::logging::subscriber(format, "debug", move || sink.clone()).unwrap();
        tracing::Dispatch::new(sub)
    }
}

/// Fails the test, naming what leaked and the line, if `log` contains any
/// of `secrets` (`(what, value)`).
#[track_caller]
pub fn assert_no_secrets(log: &str, secrets: &[(&str, String)]) {
    for (what, value) in secrets {
        assert!(!value.is_empty(), "{what} was found");
        if let Some(line) = log.lines().find(|l| l.contains(value.as_str())) {
            panic!("the log holds the {what} ({value:?}):\n{line}");
        }
    }
}
