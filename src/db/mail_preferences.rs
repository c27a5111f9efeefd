//! Which reminders an address still wants, and the token of the page
//! (linked from every reminder) where its owner says so without logging
//! in. Per address, lowercase: referees have no account.

use chrono::{DateTime, Utc};

use super::{returned_one, DbResult, Exec};

/// One address's choices.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Preferences {
    pub email: String,
    pub referee_reminders: bool,
    pub review_reminders: bool,
    pub applicant_reminders: bool,
}

/// The reminders a person can stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reminder {
    /// To a referee who has not yet answered a letter request.
    Referee,
    /// To a reviewer with reviews past their due date.
    Review,
    /// To an applicant: a draft not submitted, letters not received.
    Applicant,
}

/// The token of `email`'s page: `fresh` (a new random token) on first
/// use, kept ever after.
pub async fn token_for(
    ex: Exec<'_>,
    email: &str,
    fresh: &str,
    now: DateTime<Utc>,
) -> DbResult<String> {
    // The DO UPDATE (that changes nothing) makes RETURNING give the row
    // that was there as well as a new one.
    let sql = "INSERT INTO mail_preferences (email, token, updated_at) VALUES ($1, $2, $3) \
               ON CONFLICT (email) DO UPDATE SET token = mail_preferences.token RETURNING token";
    let email = email.trim().to_lowercase();
    let rows: Vec<(String,)> = run!(ex, c => sqlx::query_as(sql)
        .bind(&email)
        .bind(fresh)
        .bind(now)
        .fetch_all(c)
        .await)?;
    returned_one(Ok(rows)).map(|(t,)| t)
}

/// The choices the token is for, if it is one.
pub async fn by_token(ex: Exec<'_>, token: &str) -> DbResult<Option<Preferences>> {
    let sql =
        "SELECT email, referee_reminders, review_reminders, applicant_reminders FROM mail_preferences WHERE token = $1";
    run!(ex, c => sqlx::query_as(sql).bind(token).fetch_optional(c).await)
}

/// Turns every reminder of the token's address on or off; `false` when the
/// token is none.
pub async fn set_reminders(
    ex: Exec<'_>,
    token: &str,
    on: bool,
    now: DateTime<Utc>,
) -> DbResult<bool> {
    let sql = "UPDATE mail_preferences SET referee_reminders = $2, review_reminders = $2, applicant_reminders = $2, updated_at = $3 \
               WHERE token = $1";
    Ok(execute!(ex, sqlx::query(sql).bind(token).bind(on).bind(now))? == 1)
}

/// Whether `email` stopped reminders of this kind.
pub async fn stopped(ex: Exec<'_>, email: &str, kind: Reminder) -> DbResult<bool> {
    let column = match kind {
        Reminder::Referee => "referee_reminders",
        Reminder::Review => "review_reminders",
        Reminder::Applicant => "applicant_reminders",
    };
    let sql =
        format!("SELECT COUNT(*) FROM mail_preferences WHERE email = $1 AND {column} = FALSE");
    let email = email.trim().to_lowercase();
    let n: i64 = run!(ex, c => sqlx::query_scalar(&sql).bind(&email).fetch_one(c).await)?;
    Ok(n > 0)
}

/// The token of `email`'s page and whether review reminders are on, if
/// the address was ever sent a reminder (only then has it a page).
pub async fn review_page(ex: Exec<'_>, email: &str) -> DbResult<Option<(String, bool)>> {
    let sql = "SELECT token, review_reminders FROM mail_preferences WHERE email = $1";
    let email = email.trim().to_lowercase();
    run!(ex, c => sqlx::query_as(sql).bind(&email).fetch_optional(c).await)
}
