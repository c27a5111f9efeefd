//! The reviewer's desk as plain rules: which list an assignment sits in,
//! the progress line, and due dates said in words in the cycle's zone.
//! Imports no rocket or sqlx.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

/// One of the desk's lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lane {
    /// No submitted review yet.
    ToDo,
    /// The review is submitted.
    Done,
}

impl Lane {
    /// The stored form (the `assignments.lane` column).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ToDo => "to_do",
            Self::Done => "done",
        }
    }
}

/// "12 of 40 reviewed".
pub fn progress_line(done: i64, to_do: i64) -> String {
    format!("{done} of {} reviewed", done + to_do)
}

/// A due date as the desk says it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueWords {
    /// "Due in 3 days, on Friday 12 March 2027", "Overdue by 2 days: it
    /// was due on Monday 1 March 2027".
    pub text: String,
    /// Past due and not submitted.
    pub overdue: bool,
}

/// Says when a review is due, in the cycle's zone `tz`, as seen at `now`;
/// a submitted review is never overdue.
pub fn due_in_words(due: DateTime<Utc>, now: DateTime<Utc>, tz: Tz, submitted: bool) -> DueWords {
    let local = due.with_timezone(&tz);
    let today = now.with_timezone(&tz).date_naive();
    let days = (local.date_naive() - today).num_days();
    let date = format!("{} {}", local.format("%A %-d"), local.format("%B %Y"));
    let time = format!("{} {}", local.format("%-I:%M %P"), local.format("%Z"));
    let plural = |n: i64| if n == 1 { "day" } else { "days" };
    if submitted {
        return DueWords {
            text: format!("Was due on {date}"),
            overdue: false,
        };
    }
    if due < now {
        let late = -days;
        let text = match late {
            0 => format!("Overdue: it was due today at {time}"),
            1 => format!("Overdue by 1 day: it was due yesterday, {date}"),
            n => format!("Overdue by {n} {}: it was due on {date}", plural(n)),
        };
        return DueWords {
            text,
            overdue: true,
        };
    }
    let text = match days {
        0 => format!("Due today at {time}"),
        1 => format!("Due tomorrow, {date}, at {time}"),
        n => format!("Due in {n} {}, on {date}", plural(n)),
    };
    DueWords {
        text,
        overdue: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap()
    }

    #[test]
    fn due_dates_are_said_in_words_in_the_cycles_zone() {
        let ny: Tz = "America/New_York".parse().unwrap();
        // 23:59 on 12 March in New York is 04:59 UTC on the 13th.
        let due = Utc.with_ymd_and_hms(2027, 3, 13, 4, 59, 0).unwrap();
        let words = |now| due_in_words(due, now, ny, false).text;
        assert_eq!(
            words(at(2027, 3, 9, 15)),
            "Due in 3 days, on Friday 12 March 2027"
        );
        assert_eq!(
            words(at(2027, 3, 11, 15)),
            "Due tomorrow, Friday 12 March 2027, at 11:59 pm EST"
        );
        // Still the 12th in New York, though the 13th in UTC.
        assert_eq!(words(at(2027, 3, 13, 2)), "Due today at 11:59 pm EST");
    }

    #[test]
    fn overdue_is_said_in_words_and_never_once_submitted() {
        let utc = chrono_tz::UTC;
        let due = at(2027, 3, 1, 12);
        let late = due_in_words(due, at(2027, 3, 4, 9), utc, false);
        assert!(late.overdue);
        assert_eq!(
            late.text,
            "Overdue by 3 days: it was due on Monday 1 March 2027"
        );
        assert_eq!(
            due_in_words(due, at(2027, 3, 2, 9), utc, false).text,
            "Overdue by 1 day: it was due yesterday, Monday 1 March 2027"
        );
        assert_eq!(
            due_in_words(due, at(2027, 3, 1, 13), utc, false).text,
            "Overdue: it was due today at 12:00 pm UTC"
        );
        let done = due_in_words(due, at(2027, 3, 4, 9), utc, true);
        assert!(!done.overdue);
    }

    #[test]
    fn progress_counts_both_lists() {
        assert_eq!(progress_line(12, 28), "12 of 40 reviewed");
        assert_eq!(progress_line(0, 0), "0 of 0 reviewed");
    }
}
