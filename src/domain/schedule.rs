//! A cycle's schedule as a manager sets it: its name, time zone, the four
//! dates typed as a local date and time read in that zone, and the letters'
//! grace period; the order the dates must keep; next year's copy (the name
//! with the year moved on, every date a year later at the same wall-clock
//! time); and the words of the history of changes.
//!
//! Pure rules: no database, no web, no clock.

use chrono::{DateTime, LocalResult, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

use super::cycle::show_in;

mod next_year;

pub use next_year::{a_year_later, next_name};

/// The longest grace period for referee letters, in hours (30 days).
pub const MAX_GRACE_HOURS: i64 = 720;

/// The longest cycle name, in characters.
pub const MAX_NAME_CHARS: usize = 100;

/// One of a cycle's four dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateField {
    Opens,
    Closes,
    LettersDue,
    Decisions,
}

impl DateField {
    /// In the order of the form.
    pub const ALL: [DateField; 4] = [
        DateField::Opens,
        DateField::Closes,
        DateField::LettersDue,
        DateField::Decisions,
    ];

    /// The form's name for it: fields `<key>_date` and `<key>_time`.
    pub fn key(self) -> &'static str {
        match self {
            Self::Opens => "opens",
            Self::Closes => "closes",
            Self::LettersDue => "letters_due",
            Self::Decisions => "decisions",
        }
    }

    /// The stored column, and the history's name for it.
    pub fn column(self) -> &'static str {
        match self {
            Self::Opens => "opens_at",
            Self::Closes => "closes_at",
            Self::LettersDue => "letters_due_at",
            Self::Decisions => "decision_planned_at",
        }
    }

    /// Its name in a sentence ("the closing date").
    pub fn words(self) -> &'static str {
        match self {
            Self::Opens => "opening date",
            Self::Closes => "closing date",
            Self::LettersDue => "letters due date",
            Self::Decisions => "date decisions are expected",
        }
    }
}

/// A cycle's four dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schedule {
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    pub letters_due_at: DateTime<Utc>,
    pub decision_planned_at: DateTime<Utc>,
}

impl Schedule {
    /// One of the dates.
    pub fn get(&self, field: DateField) -> DateTime<Utc> {
        match field {
            DateField::Opens => self.opens_at,
            DateField::Closes => self.closes_at,
            DateField::LettersDue => self.letters_due_at,
            DateField::Decisions => self.decision_planned_at,
        }
    }

    /// Each date a year later at the same wall-clock time in `tz` (see
    /// [`a_year_later`]).
    pub fn a_year_later(&self, tz: Tz) -> Schedule {
        Schedule {
            opens_at: a_year_later(tz, self.opens_at),
            closes_at: a_year_later(tz, self.closes_at),
            letters_due_at: a_year_later(tz, self.letters_due_at),
            decision_planned_at: a_year_later(tz, self.decision_planned_at),
        }
    }

    /// The order rules, each broken one against the later field's date:
    /// closing after opening, letters due not before closing, decisions
    /// expected after closing.
    pub fn order_problems(&self) -> Vec<(DateField, &'static str)> {
        let mut problems = Vec::new();
        if self.closes_at <= self.opens_at {
            problems.push((
                DateField::Closes,
                "The closing date must be after the opening date.",
            ));
        }
        if self.letters_due_at < self.closes_at {
            problems.push((
                DateField::LettersDue,
                "Letters cannot be due before applications close.",
            ));
        }
        if self.decision_planned_at <= self.closes_at {
            problems.push((
                DateField::Decisions,
                "Decisions must be expected after applications close.",
            ));
        }
        problems
    }
}

/// Why a typed date and time could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LocalTimeError {
    #[error("Enter the {0}.")]
    MissingDate(&'static str),
    #[error("Enter the {0} as year-month-day, for example 2027-03-01.")]
    BadDate(&'static str),
    #[error("Enter the time as hours and minutes, for example 17:00.")]
    BadTime,
    #[error("{0} does not exist in {1}: the clocks go forward then. Choose another time.")]
    Skipped(String, String),
    #[error("{0} happens twice in {1}: the clocks go back then. Choose another time.")]
    Twice(String, String),
}

impl LocalTimeError {
    /// Whether the message belongs next to the time (not the date).
    pub fn is_about_time(&self) -> bool {
        !matches!(self, Self::MissingDate(_) | Self::BadDate(_))
    }
}

/// Reads a date (`YYYY-MM-DD`) and a time (`HH:MM`, empty for midnight)
/// typed in zone `tz`; a time a clock change skips or repeats is refused.
pub fn read_local(
    tz: Tz,
    what: DateField,
    date: &str,
    time: &str,
) -> Result<DateTime<Utc>, LocalTimeError> {
    let date = date.trim();
    if date.is_empty() {
        return Err(LocalTimeError::MissingDate(what.words()));
    }
    let date = NaiveDate::parse_from_str(date, "%Y-%m-%d")
        .map_err(|_| LocalTimeError::BadDate(what.words()))?;
    let time = match time.trim() {
        "" => NaiveTime::MIN,
        t => NaiveTime::parse_from_str(t, "%H:%M")
            .or_else(|_| NaiveTime::parse_from_str(t, "%H:%M:%S"))
            .map_err(|_| LocalTimeError::BadTime)?,
    };
    let local = date.and_time(time);
    let said = || {
        format!(
            "{} on {}",
            local.format("%-I:%M %P"),
            local.format("%-d %B %Y")
        )
    };
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => Ok(t.with_timezone(&Utc)),
        LocalResult::None => Err(LocalTimeError::Skipped(said(), tz.name().to_owned())),
        LocalResult::Ambiguous(..) => Err(LocalTimeError::Twice(said(), tz.name().to_owned())),
    }
}

/// A date as the form shows it: `YYYY-MM-DD` and `HH:MM` in `tz`.
pub fn local_fields(tz: Tz, at: DateTime<Utc>) -> (String, String) {
    let local = at.with_timezone(&tz);
    (
        local.format("%Y-%m-%d").to_string(),
        local.format("%H:%M").to_string(),
    )
}

/// Reads a cycle's name: trimmed, not empty, at most [`MAX_NAME_CHARS`].
pub fn read_name(name: &str) -> Result<String, &'static str> {
    let name = name.trim();
    if name.is_empty() {
        Err("Give the cycle a name, for example “2028 cohort”.")
    } else if name.chars().count() > MAX_NAME_CHARS {
        Err("Keep the name to 100 characters or fewer.")
    } else {
        Ok(name.to_owned())
    }
}

/// Reads an IANA time-zone name.
pub fn read_zone(name: &str) -> Result<Tz, String> {
    let name = name.trim();
    if name.is_empty() {
        return Err("Enter the cycle’s time zone, for example America/New_York.".into());
    }
    name.parse::<Tz>().map_err(|_| {
        format!(
            "“{name}” is not a time zone we know. Use a name like America/New_York or Europe/London."
        )
    })
}

/// Reads the letters' grace period: whole hours from 0 to [`MAX_GRACE_HOURS`].
pub fn read_grace(hours: &str) -> Result<i64, String> {
    hours
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|h| (0..=MAX_GRACE_HOURS).contains(h))
        .ok_or_else(|| {
            format!(
                "Enter the grace period as a whole number of hours from 0 to {MAX_GRACE_HOURS}."
            )
        })
}

/// A field of a cycle whose every change is recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    Name,
    TimeZone,
    Date(DateField),
    Grace,
}

impl Recorded {
    /// Every recorded field, in the form's order.
    pub const ALL: [Recorded; 7] = [
        Recorded::Name,
        Recorded::TimeZone,
        Recorded::Date(DateField::Opens),
        Recorded::Date(DateField::Closes),
        Recorded::Date(DateField::LettersDue),
        Recorded::Date(DateField::Decisions),
        Recorded::Grace,
    ];

    /// The stored name of the field.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::TimeZone => "time_zone",
            Self::Date(d) => d.column(),
            Self::Grace => "letters_grace_hours",
        }
    }

    /// Reads the stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// One change in words: "Closing date moved from 1 March 2027,
    /// 5:00 pm EST (America/New_York) to 8 March 2027, 5:00 pm EST
    /// (America/New_York)". Dates are stored as RFC 3339 and shown in `tz`.
    pub fn sentence(self, old: &str, new: &str, tz: Tz) -> String {
        let when = |v: &str| {
            DateTime::parse_from_rfc3339(v)
                .map(|t| show_in(tz, t.with_timezone(&Utc)))
                .unwrap_or_else(|_| v.to_owned())
        };
        match self {
            Self::Name => format!("Name changed from “{old}” to “{new}”"),
            Self::TimeZone => format!("Time zone changed from {old} to {new}"),
            Self::Grace => {
                format!("Letters grace period changed from {old} to {new} hours")
            }
            Self::Date(d) => {
                let mut words = d.words().to_owned();
                if let Some(first) = words.get(0..1) {
                    words.replace_range(0..1, &first.to_uppercase());
                }
                format!("{words} moved from {} to {}", when(old), when(new))
            }
        }
    }
}

/// A date as the history stores it.
pub fn stored(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;
    use chrono_tz::America::New_York;

    fn at(tz: Tz, y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        tz.with_ymd_and_hms(y, m, d, h, min, 0)
            .single()
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn local_times_are_read_in_the_zone() {
        let t = read_local(New_York, DateField::Closes, "2027-03-01", "17:00").unwrap();
        assert_eq!(t, Utc.with_ymd_and_hms(2027, 3, 1, 22, 0, 0).unwrap());
        let midnight = read_local(New_York, DateField::Opens, "2027-07-01", "").unwrap();
        assert_eq!(midnight, Utc.with_ymd_and_hms(2027, 7, 1, 4, 0, 0).unwrap());
        assert_eq!(
            local_fields(New_York, t),
            ("2027-03-01".into(), "17:00".into())
        );
    }

    #[test]
    fn missing_and_malformed_dates_are_named() {
        assert_eq!(
            read_local(New_York, DateField::Closes, " ", "17:00")
                .unwrap_err()
                .to_string(),
            "Enter the closing date."
        );
        let bad = read_local(New_York, DateField::Opens, "2027-02-30", "").unwrap_err();
        assert!(!bad.is_about_time());
        assert!(bad.to_string().contains("opening date as year-month-day"));
        let bad = read_local(New_York, DateField::Opens, "2027-02-01", "5pm").unwrap_err();
        assert!(bad.is_about_time());
    }

    #[test]
    fn a_time_the_clocks_skip_or_repeat_is_refused() {
        let gap = read_local(New_York, DateField::Closes, "2027-03-14", "02:30").unwrap_err();
        assert_eq!(
            gap.to_string(),
            "2:30 am on 14 March 2027 does not exist in America/New_York: the clocks go forward then. Choose another time."
        );
        let twice = read_local(New_York, DateField::Closes, "2027-11-07", "01:30").unwrap_err();
        assert!(twice.to_string().contains("happens twice"), "{twice}");
        assert!(twice.is_about_time());
    }

    #[test]
    fn dates_out_of_order_are_told_against_the_later_field() {
        let close = at(New_York, 2027, 3, 1, 17, 0);
        let s = Schedule {
            opens_at: close,
            closes_at: close,
            letters_due_at: close - Duration::hours(1),
            decision_planned_at: close,
        };
        let fields: Vec<DateField> = s.order_problems().iter().map(|(f, _)| *f).collect();
        assert_eq!(
            fields,
            [
                DateField::Closes,
                DateField::LettersDue,
                DateField::Decisions
            ]
        );
        let ok = Schedule {
            opens_at: close - Duration::days(90),
            letters_due_at: close,
            decision_planned_at: close + Duration::days(60),
            ..s
        };
        assert!(
            ok.order_problems().is_empty(),
            "letters may be due at the close"
        );
    }

    #[test]
    fn names_zones_and_grace_are_read() {
        assert_eq!(read_name("  2028 cohort "), Ok("2028 cohort".into()));
        assert!(read_name("  ").is_err());
        assert!(read_name(&"x".repeat(101)).is_err());
        assert_eq!(read_zone("Europe/London").unwrap().name(), "Europe/London");
        assert!(read_zone("Mars/Olympus")
            .unwrap_err()
            .contains("Mars/Olympus"));
        assert_eq!(read_grace("72"), Ok(72));
        assert!(read_grace("-1").is_err());
        assert!(read_grace("721").is_err());
        assert!(read_grace("two").is_err());
    }

    #[test]
    fn changes_are_told_in_words_in_the_zone() {
        let old = stored(at(New_York, 2027, 3, 1, 17, 0));
        let new = stored(at(New_York, 2027, 3, 8, 17, 0));
        assert_eq!(
            Recorded::Date(DateField::Closes).sentence(&old, &new, New_York),
            "Closing date moved from 1 March 2027, 5:00 pm EST (America/New_York) to \
             8 March 2027, 5:00 pm EST (America/New_York)"
        );
        for r in Recorded::ALL {
            assert_eq!(Recorded::parse(r.as_str()), Some(r));
        }
    }
}
