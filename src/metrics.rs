//! The instance's metrics, in the Prometheus (OpenMetrics) text format:
//! requests and their latency by route pattern, background jobs, login
//! failures and throttles, document store errors, and the gauges read at
//! scrape time (outbox depth, the database pool).
//!
//! One [`Metrics`] per application instance, kept in the context and in
//! Rocket's state, never in a global: tests run many instances in one
//! process and each must count only its own. Labels hold route patterns,
//! job names and states, never anything a person typed.
//!
//! Imports nothing of the portal.

use std::sync::atomic::AtomicU64;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

/// The `Content-Type` of [`Metrics::encode`]'s text.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// The names of the background jobs, as labelled.
pub const JOBS: [&str; 8] = [
    "sessions",
    "orphaned_documents",
    "unfinished_uploads",
    "referee_reminders",
    "applicant_reminders",
    "lapsed_offers",
    "review_reminders",
    "outbox",
];

/// The outbox states counted as its depth: messages not yet delivered.
pub const OUTBOX_STATES: [&str; 3] = ["pending", "sending", "failed"];

/// A request's labels.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: String,
}

/// A route's labels (for the latency histogram).
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: String,
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct JobLabels {
    job: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StateLabels {
    state: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OperationLabels {
    operation: String,
}

type Latency = Family<RouteLabels, Histogram, fn() -> Histogram>;

/// Latency buckets: 5 ms doubling up to about 10 s.
fn latency_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.005, 2.0, 12))
}

/// One instance's registry and the series it holds.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Latency,
    outbox: Family<StateLabels, Gauge>,
    outbox_oldest: Gauge<f64, AtomicU64>,
    job_runs: Family<JobLabels, Counter>,
    job_failures: Family<JobLabels, Counter>,
    pool_size: Gauge,
    pool_idle: Gauge,
    pool_max: Gauge,
    storage_errors: Family<OperationLabels, Counter>,
    login_failures: Counter,
    login_throttled: Counter,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

impl Metrics {
    /// A registry with every series registered (counters at zero).
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("portal");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "http_requests",
            "Requests answered, by method, route pattern and status",
            requests.clone(),
        );
        let latency: Latency = Family::new_with_constructor(latency_histogram);
        registry.register(
            "http_request_duration_seconds",
            "Time from receiving a request to its response, by method and route pattern",
            latency.clone(),
        );
        let outbox = Family::<StateLabels, Gauge>::default();
        registry.register(
            "outbox_messages",
            "Messages in the outbox not yet delivered, by state (read at scrape)",
            outbox.clone(),
        );
        let outbox_oldest = Gauge::<f64, AtomicU64>::default();
        registry.register(
            "outbox_oldest_pending_age_seconds",
            "Age of the oldest message waiting to be sent (0 when none waits)",
            outbox_oldest.clone(),
        );
        let job_runs = Family::<JobLabels, Counter>::default();
        registry.register(
            "job_runs",
            "Rounds of each background job (the outbox worker's rounds included)",
            job_runs.clone(),
        );
        let job_failures = Family::<JobLabels, Counter>::default();
        registry.register(
            "job_failures",
            "Rounds of each background job that failed",
            job_failures.clone(),
        );
        for job in JOBS {
            let labels = JobLabels { job: job.into() };
            let _ = job_runs.get_or_create(&labels);
            let _ = job_failures.get_or_create(&labels);
        }
        let pool_size = Gauge::default();
        registry.register(
            "db_pool_connections",
            "Connections the database pool holds open (read at scrape)",
            pool_size.clone(),
        );
        let pool_idle = Gauge::default();
        registry.register(
            "db_pool_idle_connections",
            "Open connections of the pool not in use (read at scrape)",
            pool_idle.clone(),
        );
        let pool_max = Gauge::default();
        registry.register(
            "db_pool_max_connections",
            "The most connections the pool may open",
            pool_max.clone(),
        );
        let storage_errors = Family::<OperationLabels, Counter>::default();
        registry.register(
            "storage_errors",
            "Document store calls that failed, by operation",
            storage_errors.clone(),
        );
        let login_failures = Counter::default();
        registry.register(
            "login_failures",
            "Logins refused for a wrong email or password",
            login_failures.clone(),
        );
        let login_throttled = Counter::default();
        registry.register(
            "login_throttled",
            "Logins refused because too many attempts came from the address or for the account",
            login_throttled.clone(),
        );
        Self {
            registry,
            requests,
            latency,
            outbox,
            outbox_oldest,
            job_runs,
            job_failures,
            pool_size,
            pool_idle,
            pool_max,
            storage_errors,
            login_failures,
            login_throttled,
        }
    }

    /// Counts an answered request and its duration. `route` is the
    /// pattern (`/manage/applications/<id>`), never the concrete path.
    pub fn request(&self, method: &str, route: &str, status: u16, seconds: f64) {
        self.requests
            .get_or_create(&RequestLabels {
                method: method.into(),
                route: route.into(),
                status: status.to_string(),
            })
            .inc();
        self.latency
            .get_or_create(&RouteLabels {
                method: method.into(),
                route: route.into(),
            })
            .observe(seconds);
    }

    /// Counts a round of `job`, and whether it failed.
    pub fn job(&self, job: &str, ok: bool) {
        let labels = JobLabels { job: job.into() };
        self.job_runs.get_or_create(&labels).inc();
        if !ok {
            self.job_failures.get_or_create(&labels).inc();
        }
    }

    /// Counts a failed document store call.
    pub fn storage_error(&self, operation: &str) {
        self.storage_errors
            .get_or_create(&OperationLabels {
                operation: operation.into(),
            })
            .inc();
    }

    /// Counts a login refused for a wrong email or password.
    pub fn login_failed(&self) {
        self.login_failures.inc();
    }

    /// Counts a login refused by the throttle.
    pub fn login_throttled(&self) {
        self.login_throttled.inc();
    }

    /// Sets the outbox gauges: undelivered messages per state (states
    /// not given are 0) and the age of the oldest pending one.
    pub fn set_outbox(&self, counts: &[(String, i64)], oldest_pending_seconds: f64) {
        for state in OUTBOX_STATES {
            let n = counts
                .iter()
                .find(|(s, _)| s == state)
                .map_or(0, |(_, n)| *n);
            self.outbox
                .get_or_create(&StateLabels {
                    state: state.into(),
                })
                .set(n);
        }
        self.outbox_oldest.set(oldest_pending_seconds.max(0.0));
    }

    /// Sets the pool gauges.
    pub fn set_pool(&self, size: u32, idle: usize, max: u32) {
        self.pool_size.set(i64::from(size));
        self.pool_idle.set(i64::try_from(idle).unwrap_or(i64::MAX));
        self.pool_max.set(i64::from(max));
    }

    /// Every series in the OpenMetrics text format ([`CONTENT_TYPE`]).
    pub fn encode(&self) -> String {
        let mut text = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut text, &self.registry);
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_per_instance_and_encoded() {
        let a = Metrics::new();
        let b = Metrics::new();
        a.login_failed();
        a.request("GET", "/apply/applications/<id>", 200, 0.012);
        a.job("sessions", false);
        let text = a.encode();
        assert!(text.contains("portal_login_failures_total 1"), "{text}");
        assert!(text.contains(
            "portal_http_requests_total{method=\"GET\",route=\"/apply/applications/<id>\",status=\"200\"} 1"
        ), "{text}");
        assert!(
            text.contains("portal_job_failures_total{job=\"sessions\"} 1"),
            "{text}"
        );
        assert!(text.ends_with("# EOF\n"), "{text}");
        assert!(b.encode().contains("portal_login_failures_total 0"));
    }
}
