//! The clock: read from the context once per request or job and passed
//! down as `now`. The portal runs on the system clock; tests move it.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, SubsecRound, Utc};

/// The time of the portal: the system clock, moved forward by an offset
/// (tests call [`Clock::advance`]) or held still ([`Clock::freeze`]).
/// Clones share one setting.
#[derive(Clone, Default)]
pub struct Clock {
    setting: Arc<Mutex<Setting>>,
}

#[derive(Default, Clone, Copy)]
struct Setting {
    ahead: Duration,
    frozen: Option<DateTime<Utc>>,
}

impl Clock {
    /// The system clock.
    pub fn system() -> Self {
        Self::default()
    }

    /// Now, to the microsecond: what PostgreSQL keeps, so a time read back
    /// equals the time written on both backends.
    pub fn now(&self) -> DateTime<Utc> {
        let s = *self.setting.lock().unwrap_or_else(|e| e.into_inner());
        s.frozen
            .unwrap_or_else(|| Utc::now() + s.ahead)
            .trunc_subsecs(6)
    }

    /// Moves the clock forward (or back, for a negative duration).
    pub fn advance(&self, by: Duration) {
        let mut s = self.setting.lock().unwrap_or_else(|e| e.into_inner());
        s.ahead += by;
        if let Some(at) = s.frozen.as_mut() {
            *at += by;
        }
    }

    /// Holds the clock at `at` until it is advanced or thawed.
    pub fn freeze(&self, at: DateTime<Utc>) {
        self.setting
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .frozen = Some(at);
    }

    /// Lets a frozen clock run again, from the system time plus the offset.
    pub fn thaw(&self) {
        self.setting
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .frozen = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_advanced_clock_runs_ahead_and_clones_share_it() {
        let clock = Clock::system();
        let other = clock.clone();
        clock.advance(Duration::days(3));
        let ahead = other.now() - Utc::now();
        assert!(ahead > Duration::days(3) - Duration::seconds(5), "{ahead}");
        assert!(ahead < Duration::days(3) + Duration::seconds(5), "{ahead}");
    }

    #[test]
    fn a_frozen_clock_holds_still_until_advanced() {
        let clock = Clock::system();
        let at = Utc::now().trunc_subsecs(6) - Duration::days(10);
        clock.freeze(at);
        assert_eq!(clock.now(), at);
        clock.advance(Duration::minutes(5));
        assert_eq!(clock.now(), at + Duration::minutes(5));
        clock.thaw();
        assert!(clock.now() > at + Duration::days(9));
    }
}
