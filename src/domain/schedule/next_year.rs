//! Next year's copy of a cycle: the name with the year moved on, and each
//! date a year later at the same wall-clock time in the cycle's zone.

use chrono::{
    DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, TimeZone, Timelike, Utc,
};
use chrono_tz::Tz;

/// The same day a year on (29 February becomes 28 February).
fn next_year(date: NaiveDate) -> NaiveDate {
    let year = date.year() + 1;
    NaiveDate::from_ymd_opt(year, date.month(), date.day())
        .or_else(|| NaiveDate::from_ymd_opt(year, date.month(), 28))
        .unwrap_or(date)
}

/// `at` a year later at the same wall-clock time in `tz`. Where that time
/// does not exist (the clocks go forward), the first moment after the gap;
/// where it happens twice, the first of the two. So dates in order stay in
/// order, and a manager sees the time they chose last year.
pub fn a_year_later(tz: Tz, at: DateTime<Utc>) -> DateTime<Utc> {
    let local = at.with_timezone(&tz).naive_local();
    let wanted = next_year(local.date()).and_time(local.time());
    resolve_forward(tz, wanted)
}

/// `local` in `tz`, or the first existing moment after it when it falls in
/// a gap (gaps are whole minutes, at most a few hours).
fn resolve_forward(tz: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => t.with_timezone(&Utc),
        LocalResult::None => {
            // Step forward by minutes to the end of the gap.
            let start = local.with_second(0).unwrap_or(local);
            (1..=24 * 60)
                .map(|m| start + Duration::minutes(m))
                .find_map(|t| tz.from_local_datetime(&t).earliest())
                .map_or_else(|| Utc.from_utc_datetime(&local), |t| t.with_timezone(&Utc))
        }
    }
}

/// The name proposed for next year's copy: every year in it (a number
/// from 1900 to 2999 standing alone) moved on by one ("2027 cohort" →
/// "2028 cohort"), or "… (copy)" when it names none.
pub fn next_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 7);
    let mut moved = false;
    let chars: Vec<char> = name.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() {
            let start = i;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            let digits: String = chars[start..i].iter().collect();
            let alone = start == 0 || !chars[start - 1].is_alphanumeric();
            let alone = alone && (i == chars.len() || !chars[i].is_alphanumeric());
            match digits.parse::<u32>() {
                Ok(year) if digits.len() == 4 && alone && (1900..=2999).contains(&year) => {
                    out.push_str(&(year + 1).to_string());
                    moved = true;
                }
                _ => out.push_str(&digits),
            }
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    if moved {
        out
    } else {
        format!("{} (copy)", name.trim())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::America::New_York;
    use proptest::prelude::*;

    fn at(tz: Tz, y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        tz.with_ymd_and_hms(y, m, d, h, min, 0)
            .single()
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn a_year_later_keeps_the_wall_clock_time() {
        let close = at(New_York, 2027, 3, 1, 17, 0);
        assert_eq!(
            a_year_later(New_York, close),
            at(New_York, 2028, 3, 1, 17, 0)
        );
        // Summer time then, winter time now: still 9:00 local.
        let open = at(New_York, 2026, 11, 2, 9, 0);
        assert_eq!(
            a_year_later(New_York, open),
            at(New_York, 2027, 11, 2, 9, 0)
        );
    }

    #[test]
    fn the_29th_of_february_becomes_the_28th() {
        let leap = at(New_York, 2028, 2, 29, 17, 0);
        assert_eq!(
            a_year_later(New_York, leap),
            at(New_York, 2029, 2, 28, 17, 0)
        );
    }

    #[test]
    fn a_skipped_time_moves_to_the_end_of_the_gap() {
        // 14 March 2027 is the day the clocks go forward: 2:30 am is skipped.
        let before = at(New_York, 2026, 3, 14, 2, 30);
        assert_eq!(
            a_year_later(New_York, before),
            at(New_York, 2027, 3, 14, 3, 0)
        );
    }

    #[test]
    fn the_year_in_the_name_moves_on() {
        assert_eq!(next_name("2027 cohort"), "2028 cohort");
        assert_eq!(next_name("Summer 2027"), "Summer 2028");
        assert_eq!(next_name("2027-2028 fellows"), "2028-2029 fellows");
        assert_eq!(next_name("Spring intake"), "Spring intake (copy)");
        assert_eq!(next_name("Cohort 12345"), "Cohort 12345 (copy)");
        assert_eq!(next_name("Room 101"), "Room 101 (copy)");
    }

    fn zones() -> impl Strategy<Value = Tz> {
        prop::sample::select(vec![
            chrono_tz::America::New_York,
            chrono_tz::Europe::London,
            chrono_tz::Australia::Sydney,
            chrono_tz::Asia::Kolkata,
            chrono_tz::America::Santiago,
            chrono_tz::UTC,
        ])
    }

    proptest! {
        /// Dates at least two days apart stay in order a year later, and a
        /// date whose wall-clock time exists once next year keeps it.
        #[test]
        fn a_year_later_keeps_order_and_wall_time(
            tz in zones(),
            a in 1_700_000_000i64..2_100_000_000,
            gap in (2 * 86_400i64)..(400 * 86_400),
        ) {
            let a = DateTime::from_timestamp(a, 0).unwrap();
            let b = a + Duration::seconds(gap);
            let (a2, b2) = (a_year_later(tz, a), a_year_later(tz, b));
            prop_assert!(a2 < b2);
            let local = a.with_timezone(&tz).naive_local();
            let wanted = next_year(local.date()).and_time(local.time());
            if let LocalResult::Single(_) = tz.from_local_datetime(&wanted) {
                prop_assert_eq!(a2.with_timezone(&tz).naive_local(), wanted);
            }
            prop_assert!(a2 > a);
        }
    }
}
