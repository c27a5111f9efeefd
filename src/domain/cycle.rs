//! Cycles: one round of applications to a program ("2027 cohort"), with its
//! dates. Times are stored in UTC and shown in the cycle's time zone, named.

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use super::program::ProgramId;

super::id::id_type!(
    /// Database id of a cycle.
    CycleId
);

/// A cycle and its dates.
#[derive(Debug, Clone, PartialEq)]
pub struct Cycle {
    pub id: CycleId,
    pub program_id: ProgramId,
    pub name: String,
    pub time_zone: Tz,
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    /// Referee letters are due by this time...
    pub letters_due_at: DateTime<Utc>,
    /// ...and still accepted for this long after it.
    pub letters_grace: Duration,
    pub decision_planned_at: DateTime<Utc>,
    pub blind_review: bool,
    /// Listed and open to applicants (new and copied cycles start
    /// unpublished; an unpublished cycle is unknown to applicants).
    pub published: bool,
}

/// Where a cycle stands at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CyclePhase {
    NotYetOpen,
    Open,
    Closed,
}

impl Cycle {
    /// The phase at `now`.
    pub fn phase(&self, now: DateTime<Utc>) -> CyclePhase {
        if now < self.opens_at {
            CyclePhase::NotYetOpen
        } else if now < self.closes_at {
            CyclePhase::Open
        } else {
            CyclePhase::Closed
        }
    }

    /// Whether an application may still be submitted at `now`, given its
    /// own extended deadline if a manager granted one.
    pub fn accepts_submission(
        &self,
        now: DateTime<Utc>,
        extended_to: Option<DateTime<Utc>>,
    ) -> bool {
        now >= self.opens_at && now < extended_to.map_or(self.closes_at, |e| e.max(self.closes_at))
    }

    /// The last moment a referee letter is accepted.
    pub fn letters_close_at(&self) -> DateTime<Utc> {
        self.letters_due_at + self.letters_grace
    }

    /// A time shown in the cycle's zone, with the zone named:
    /// "1 March 2027, 5:00 pm EST (America/New_York)".
    pub fn show(&self, at: DateTime<Utc>) -> String {
        show_in(self.time_zone, at)
    }

    /// A time shown short in the cycle's zone, for dense lists whose page
    /// names the zone once: "31 May 14:05".
    pub fn show_short(&self, at: DateTime<Utc>) -> String {
        at.with_timezone(&self.time_zone)
            .format("%-d %b %H:%M")
            .to_string()
    }
}

/// A time in `tz`, with the zone named (once, when its abbreviation is
/// its name, as for UTC).
pub fn show_in(tz: Tz, at: DateTime<Utc>) -> String {
    let local = at.with_timezone(&tz);
    let hour = local.format("%-I:%M %P");
    let abbreviation = local.format("%Z").to_string();
    let zone = if abbreviation == tz.name() {
        abbreviation
    } else {
        format!("{abbreviation} ({})", tz.name())
    };
    format!(
        "{} {}, {hour} {zone}",
        local.format("%-d"),
        local.format("%B %Y"),
    )
}

/// Parses an IANA time-zone name.
pub fn parse_zone(name: &str) -> Option<Tz> {
    name.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn cycle() -> Cycle {
        Cycle {
            id: CycleId(1),
            program_id: ProgramId(1),
            name: "2027 cohort".into(),
            time_zone: chrono_tz::America::New_York,
            opens_at: Utc.with_ymd_and_hms(2026, 9, 1, 4, 0, 0).unwrap(),
            closes_at: Utc.with_ymd_and_hms(2027, 3, 1, 22, 0, 0).unwrap(),
            letters_due_at: Utc.with_ymd_and_hms(2027, 3, 15, 22, 0, 0).unwrap(),
            letters_grace: Duration::days(3),
            decision_planned_at: Utc.with_ymd_and_hms(2027, 5, 1, 16, 0, 0).unwrap(),
            blind_review: false,
            published: true,
        }
    }

    #[test]
    fn times_are_shown_in_the_cycle_zone_with_its_name() {
        let c = cycle();
        assert_eq!(
            c.show(c.closes_at),
            "1 March 2027, 5:00 pm EST (America/New_York)"
        );
        assert_eq!(
            c.show(c.opens_at),
            "1 September 2026, 12:00 am EDT (America/New_York)"
        );
        // A zone whose abbreviation is its name is named once.
        assert_eq!(
            show_in(chrono_tz::UTC, c.closes_at),
            "1 March 2027, 10:00 pm UTC"
        );
    }

    #[test]
    fn short_times_are_in_the_cycle_zone_without_its_name() {
        let c = cycle();
        assert_eq!(c.show_short(c.closes_at), "1 Mar 17:00");
        assert_eq!(c.show_short(c.opens_at), "1 Sep 00:00");
    }

    #[test]
    fn phases_and_deadlines() {
        let c = cycle();
        assert_eq!(
            c.phase(c.opens_at - Duration::seconds(1)),
            CyclePhase::NotYetOpen
        );
        assert_eq!(c.phase(c.opens_at), CyclePhase::Open);
        assert_eq!(c.phase(c.closes_at), CyclePhase::Closed);
        assert!(c.accepts_submission(c.closes_at - Duration::seconds(1), None));
        assert!(!c.accepts_submission(c.closes_at, None));
        let extension = c.closes_at + Duration::days(2);
        assert!(c.accepts_submission(c.closes_at + Duration::days(1), Some(extension)));
        assert!(!c.accepts_submission(extension, Some(extension)));
        assert!(
            !c.accepts_submission(c.closes_at, Some(c.closes_at - Duration::days(5))),
            "an extension never shortens"
        );
        assert_eq!(c.letters_close_at(), c.letters_due_at + Duration::days(3));
    }
}
