//! The mail outbox's rules: which message goes first, how often a failed
//! one is retried, and how much mail anyone may make the portal send.

use chrono::{DateTime, Duration, Utc};

/// Where a queued message stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MailStatus {
    /// Waiting for its next attempt.
    Pending,
    /// Claimed by a worker, which is handing it to the relay.
    Sending,
    Sent,
    /// Every attempt failed; an admin may send it again.
    Failed,
    /// Replaced by a newer message of the same key, never to be sent.
    Superseded,
}

impl MailStatus {
    /// Every status.
    pub const ALL: [Self; 5] = [
        Self::Pending,
        Self::Sending,
        Self::Sent,
        Self::Failed,
        Self::Superseded,
    ];

    /// The stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Sending => "sending",
            Self::Sent => "sent",
            Self::Failed => "failed",
            Self::Superseded => "superseded",
        }
    }

    /// Reads the stored form.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

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

/// Which messages the worker sends first when the outbox is busy: a
/// password reset or a decision letter must not wait behind a thousand
/// reminders.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Priority {
    /// Mail someone is waiting for now: account links, decisions, offers.
    First = 0,
    /// Mail about one person's action: submissions, referee requests.
    Normal = 1,
    /// Reminders and digests sent in bulk.
    Bulk = 2,
}

impl Priority {
    /// The priority of a message kind (its template name).
    pub fn of(kind: &str) -> Self {
        match kind {
            "confirm_email" | "reset_password" | "password_changed" | "account_exists"
            | "email_change" | "email_changed" | "decision_letter" | "offer_answered" => {
                Self::First
            }
            "referee_reminder" | "review_reminder" | "review_assigned" | "applicant_message"
            | "draft_reminder" | "letters_reminder" => Self::Bulk,
            _ => Self::Normal,
        }
    }

    /// The number stored with the message (smaller goes first).
    pub fn rank(self) -> i32 {
        self as i32
    }
}

/// Whose mail a request counts against, each with its hourly limit: mail
/// anyone can make the portal send (confirmations, reset links, referee
/// requests) must not become a way to flood an inbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitScope {
    /// The address the mail goes to.
    Recipient,
    /// The account that asked for it.
    Account,
    /// The client address it was asked from (a campus shares one, so more).
    Address,
}

impl LimitScope {
    /// Requests allowed per clock hour.
    pub fn per_hour(self) -> i64 {
        match self {
            Self::Recipient => 5,
            Self::Account => 10,
            Self::Address => 20,
        }
    }

    /// What the person asking is told when the limit is reached.
    pub fn message(self) -> &'static str {
        match self {
            Self::Recipient => {
                "We have already sent several emails to this address in the last hour. \
                 Please check the inbox (and the spam folder) for them, or try again in an hour."
            }
            Self::Account => {
                "You have asked us to send several emails in the last hour. \
                 Please try again in an hour."
            }
            Self::Address => {
                "We have had many requests to send email from your network in the last hour. \
                 Please try again in an hour."
            }
        }
    }

    /// The prefix of its counters' keys.
    pub fn key(self, who: &str) -> String {
        let scope = match self {
            Self::Recipient => "recipient",
            Self::Account => "account",
            Self::Address => "address",
        };
        format!("{scope}:{who}")
    }
}

/// The start of the clock hour `now` is in: the window limits count in.
pub fn limit_window(now: DateTime<Utc>) -> DateTime<Utc> {
    use chrono::{DurationRound, TimeDelta};
    now.duration_trunc(TimeDelta::hours(1)).unwrap_or(now)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn every_mail_status_reads_back_from_its_stored_form() {
        for s in MailStatus::ALL {
            assert_eq!(MailStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(MailStatus::parse("lost"), None);
    }

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
    fn account_mail_and_decisions_go_before_reminders() {
        assert!(Priority::of("reset_password") < Priority::of("referee_request"));
        assert!(Priority::of("decision_letter") < Priority::of("review_reminder"));
        assert!(Priority::of("application_submitted") < Priority::of("referee_reminder"));
        assert_eq!(Priority::of("confirm_email").rank(), 0);
        assert_eq!(Priority::of("review_assigned").rank(), 2);
    }

    #[test]
    fn limits_count_by_the_clock_hour() {
        let t = DateTime::parse_from_rfc3339("2027-03-01T14:59:59.5Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(limit_window(t).to_rfc3339(), "2027-03-01T14:00:00+00:00");
        assert_eq!(LimitScope::Recipient.key("a@b.org"), "recipient:a@b.org");
        assert!(LimitScope::Recipient.per_hour() <= LimitScope::Address.per_hour());
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
