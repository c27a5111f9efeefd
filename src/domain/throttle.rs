//! Login throttling: after a few failures, a growing wait, never a lock.
//!
//! The same rule counts failures per account from one client address, per
//! address, and per account from everywhere, each with its own policy; the
//! state lives in the database so that several instances share it.

use chrono::{DateTime, Duration, Utc};

/// How many failures are tolerated and how the wait grows after them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottlePolicy {
    /// Failures allowed before the first wait.
    pub max_failures: u32,
    /// Failures older than this are forgotten.
    pub window: Duration,
    /// The first wait; it doubles with each further failure.
    pub base_delay: Duration,
    /// The longest wait.
    pub max_delay: Duration,
}

impl ThrottlePolicy {
    /// One account from one client address: five failures, then 30 s,
    /// doubling up to 15 min. Someone guessing from elsewhere does not
    /// make the account's owner wait.
    pub const ACCOUNT_FROM_ADDRESS: Self = Self {
        max_failures: 5,
        window: Duration::minutes(15),
        base_delay: Duration::seconds(30),
        max_delay: Duration::minutes(15),
    };

    /// Per client address, across accounts: more generous, since a campus
    /// shares addresses.
    pub const ADDRESS: Self = Self {
        max_failures: 20,
        window: Duration::minutes(15),
        base_delay: Duration::seconds(30),
        max_delay: Duration::minutes(15),
    };

    /// One account from every address together: slows guessing spread over
    /// many addresses, with short waits (at most a minute) so that nobody
    /// can keep the owner out for long; a password reset ends it at once.
    pub const ACCOUNT: Self = Self {
        max_failures: 20,
        window: Duration::hours(1),
        base_delay: Duration::seconds(2),
        max_delay: Duration::minutes(1),
    };

    /// `Err(until)` while a wait is in force.
    pub fn check(
        &self,
        state: Option<&ThrottleState>,
        now: DateTime<Utc>,
    ) -> Result<(), DateTime<Utc>> {
        match state.and_then(|s| s.locked_until) {
            Some(until) if until > now => Err(until),
            _ => Ok(()),
        }
    }

    /// The state after one more failure at `now`.
    pub fn after_failure(
        &self,
        state: Option<&ThrottleState>,
        now: DateTime<Utc>,
    ) -> ThrottleState {
        let previous = match state {
            Some(s) if now - s.last_failure_at <= self.window => s.failures,
            _ => 0,
        };
        let failures = previous.saturating_add(1);
        let locked_until = (failures >= self.max_failures).then(|| {
            let doublings = (failures - self.max_failures).min(20);
            let delay = self.base_delay * 2_i32.pow(doublings);
            now + delay.min(self.max_delay)
        });
        ThrottleState {
            failures,
            last_failure_at: now,
            locked_until,
        }
    }
}

/// The client address as the throttles and limits count it: an IPv4
/// address as it is, an IPv6 address by its /64 network (one connection
/// is given a whole /64, so counting single IPv6 addresses would give
/// anyone endless fresh ones). Anything else is kept as given.
pub fn address_bucket(address: &str) -> String {
    match address.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                let net = std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0);
                format!("{net}/64")
            }
        },
        Ok(v4) => v4.to_string(),
        Err(_) => address.to_owned(),
    }
}

/// One part of a counter's key, escaped so that no text typed into a form
/// (an "email address" holding `|address:…`, say) can spell another
/// counter's key.
pub fn key_part(text: &str) -> String {
    text.replace('%', "%25").replace('|', "%7C")
}

/// What is remembered about recent failures for one key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottleState {
    pub failures: u32,
    pub last_failure_at: DateTime<Utc>,
    pub locked_until: Option<DateTime<Utc>>,
}

/// A wait in words: "30 seconds", "2 minutes".
pub fn describe_wait(until: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let secs = (until - now).num_seconds().max(1);
    if secs < 60 {
        format!("{secs} second{}", if secs == 1 { "" } else { "s" })
    } else {
        let mins = (secs + 59) / 60;
        format!("{mins} minute{}", if mins == 1 { "" } else { "s" })
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
    fn five_failures_then_a_doubling_wait() {
        let p = ThrottlePolicy::ACCOUNT_FROM_ADDRESS;
        let mut state = None;
        let now = t0();
        for i in 1..=4 {
            let s = p.after_failure(state.as_ref(), now);
            assert_eq!(s.failures, i);
            assert_eq!(s.locked_until, None);
            assert!(p.check(Some(&s), now).is_ok());
            state = Some(s);
        }
        let fifth = p.after_failure(state.as_ref(), now);
        assert_eq!(fifth.locked_until, Some(now + Duration::seconds(30)));
        assert_eq!(
            p.check(Some(&fifth), now + Duration::seconds(29)),
            Err(now + Duration::seconds(30))
        );
        assert!(p.check(Some(&fifth), now + Duration::seconds(30)).is_ok());
        let later = now + Duration::seconds(31);
        let sixth = p.after_failure(Some(&fifth), later);
        assert_eq!(sixth.locked_until, Some(later + Duration::seconds(60)));
    }

    #[test]
    fn old_failures_are_forgotten() {
        let p = ThrottlePolicy::ACCOUNT_FROM_ADDRESS;
        let s = ThrottleState {
            failures: 9,
            last_failure_at: t0(),
            locked_until: None,
        };
        let next = p.after_failure(Some(&s), t0() + Duration::minutes(16));
        assert_eq!(next.failures, 1);
        assert_eq!(next.locked_until, None);
    }

    #[test]
    fn addresses_are_counted_by_network_for_ipv6() {
        assert_eq!(address_bucket("203.0.113.7"), "203.0.113.7");
        assert_eq!(
            address_bucket("2001:db8:1:2:aaaa:bbbb:cccc:dddd"),
            "2001:db8:1:2::/64"
        );
        assert_eq!(
            address_bucket("2001:db8:1:2::1"),
            address_bucket("2001:db8:1:2:ffff::9")
        );
        assert_ne!(
            address_bucket("2001:db8:1:2::1"),
            address_bucket("2001:db8:1:3::1")
        );
        assert_eq!(address_bucket("::ffff:198.51.100.2"), "198.51.100.2");
        assert_eq!(address_bucket("unknown"), "unknown");
    }

    #[test]
    fn typed_text_cannot_spell_another_key() {
        assert_eq!(
            key_part("maya@x.edu|address:1.2.3.4"),
            "maya@x.edu%7Caddress:1.2.3.4"
        );
        assert_eq!(key_part("a%7Cb"), "a%257Cb");
    }

    #[test]
    fn waits_are_described_in_words() {
        assert_eq!(
            describe_wait(t0() + Duration::seconds(30), t0()),
            "30 seconds"
        );
        assert_eq!(
            describe_wait(t0() + Duration::seconds(61), t0()),
            "2 minutes"
        );
        assert_eq!(
            describe_wait(t0() + Duration::seconds(60), t0()),
            "1 minute"
        );
    }

    proptest! {
        #[test]
        fn the_wait_never_exceeds_the_maximum_and_never_shrinks(
            gaps in proptest::collection::vec(0i64..120, 1..60),
            which in 0usize..3,
        ) {
            let p = [ThrottlePolicy::ACCOUNT_FROM_ADDRESS, ThrottlePolicy::ADDRESS, ThrottlePolicy::ACCOUNT][which];
            let mut now = t0();
            let mut state: Option<ThrottleState> = None;
            let mut last_delay = Duration::zero();
            for gap in gaps {
                now += Duration::seconds(gap);
                let s = p.after_failure(state.as_ref(), now);
                if let Some(until) = s.locked_until {
                    let delay = until - now;
                    prop_assert!(delay <= p.max_delay);
                    prop_assert!(delay >= last_delay);
                    prop_assert!(s.failures >= p.max_failures);
                    last_delay = delay;
                } else {
                    prop_assert!(s.failures < p.max_failures);
                }
                state = Some(s);
            }
        }
    }
}
