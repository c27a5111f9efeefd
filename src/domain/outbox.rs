//! The mail outbox's retry schedule.

use chrono::{DateTime, Duration, Utc};

/// How often and how patiently a message is retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub max_attempts: u32,
    /// Wait after the first failure; it doubles after each further one.
    pub base_delay: Duration,
    /// The longest wait between attempts.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 8,
            base_delay: Duration::seconds(30),
            max_delay: Duration::hours(1),
        }
    }
}

/// What happens to a message whose delivery just failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterFailure {
    /// Try again at this time.
    RetryAt(DateTime<Utc>),
    /// Stop trying: the message is marked failed.
    GiveUp,
}

impl RetryPolicy {
    /// Decides after `attempts` failed attempts (counting the one that just failed).
    pub fn after_failure(&self, attempts: u32, now: DateTime<Utc>) -> AfterFailure {
        if attempts >= self.max_attempts {
            return AfterFailure::GiveUp;
        }
        let doublings = attempts.saturating_sub(1).min(30);
        let delay = self
            .base_delay
            .checked_mul(2_i32.saturating_pow(doublings))
            .unwrap_or(self.max_delay);
        AfterFailure::RetryAt(now + delay.min(self.max_delay))
    }
}

/// A send rate limit: at most `per_minute` messages in any 60 seconds.
/// Keeps the times of recent sends (seconds on any monotonic clock).
#[derive(Debug, Clone, PartialEq)]
pub struct RateLimit {
    pub per_minute: usize,
    sent: std::collections::VecDeque<f64>,
}

impl RateLimit {
    /// A limit of `per_minute` (at least one).
    pub fn new(per_minute: usize) -> Self {
        Self {
            per_minute: per_minute.max(1),
            sent: std::collections::VecDeque::new(),
        }
    }

    /// How many messages may be sent at `now`.
    pub fn allowance(&mut self, now: f64) -> usize {
        while self.sent.front().is_some_and(|t| now - t >= 60.0) {
            self.sent.pop_front();
        }
        self.per_minute.saturating_sub(self.sent.len())
    }

    /// Records a send at `now`.
    pub fn record(&mut self, now: f64) {
        self.sent.push_back(now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn t0() -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).unwrap()
    }

    #[test]
    fn backs_off_exponentially_then_gives_up() {
        let p = RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::seconds(10),
            max_delay: Duration::seconds(25),
        };
        assert_eq!(
            p.after_failure(1, t0()),
            AfterFailure::RetryAt(t0() + Duration::seconds(10))
        );
        assert_eq!(
            p.after_failure(2, t0()),
            AfterFailure::RetryAt(t0() + Duration::seconds(20))
        );
        assert_eq!(
            p.after_failure(3, t0()),
            AfterFailure::RetryAt(t0() + Duration::seconds(25))
        );
        assert_eq!(p.after_failure(4, t0()), AfterFailure::GiveUp);
    }

    proptest! {
        #[test]
        fn delays_stay_within_bounds(attempts in 1u32..100) {
            let p = RetryPolicy::default();
            match p.after_failure(attempts, t0()) {
                AfterFailure::RetryAt(at) => {
                    prop_assert!(attempts < p.max_attempts);
                    prop_assert!(at - t0() >= p.base_delay);
                    prop_assert!(at - t0() <= p.max_delay);
                }
                AfterFailure::GiveUp => prop_assert!(attempts >= p.max_attempts),
            }
        }
    }

    #[test]
    fn the_rate_limit_counts_the_last_minute() {
        let mut r = RateLimit::new(3);
        assert_eq!(r.allowance(0.0), 3);
        r.record(0.0);
        r.record(1.0);
        r.record(2.0);
        assert_eq!(r.allowance(30.0), 0);
        assert_eq!(r.allowance(60.0), 1, "the first send is a minute old");
        assert_eq!(r.allowance(62.0), 3);
    }
}
