//! Applicant profiles (reused across applications) and self-identified
//! demographics (kept apart from applications).

use chrono::{DateTime, Utc};

use super::{DbResult, Exec};
use crate::domain::profile::Profile;
use crate::domain::user::UserId;

#[derive(sqlx::FromRow)]
struct Row {
    preferred_name: String,
    pronouns: String,
    institution: String,
    discipline: String,
    degree: String,
    expected_graduation: String,
    phone: String,
}

/// The user's profile (empty when never saved).
#[tracing::instrument(skip_all)]
pub async fn get(ex: Exec<'_>, user: UserId) -> DbResult<Profile> {
    let sql = "SELECT preferred_name, pronouns, institution, discipline, degree, expected_graduation, phone \
               FROM profiles WHERE user_id = $1";
    let row: Option<Row> = run!(ex, c => sqlx::query_as(sql).bind(user).fetch_optional(c).await)?;
    Ok(row.map_or_else(Profile::default, |r| Profile {
        preferred_name: r.preferred_name,
        pronouns: r.pronouns,
        institution: r.institution,
        discipline: r.discipline,
        degree: r.degree,
        expected_graduation: r.expected_graduation,
        phone: r.phone,
    }))
}

/// Stores the user's profile.
#[tracing::instrument(skip_all)]
pub async fn put(ex: Exec<'_>, user: UserId, p: &Profile, now: DateTime<Utc>) -> DbResult<()> {
    let sql = "INSERT INTO profiles (user_id, preferred_name, pronouns, institution, discipline, degree, expected_graduation, phone, updated_at) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (user_id) DO UPDATE SET \
               preferred_name = excluded.preferred_name, pronouns = excluded.pronouns, institution = excluded.institution, \
               discipline = excluded.discipline, degree = excluded.degree, expected_graduation = excluded.expected_graduation, \
               phone = excluded.phone, updated_at = excluded.updated_at";
    execute!(
        ex,
        sqlx::query(sql)
            .bind(user)
            .bind(&p.preferred_name)
            .bind(&p.pronouns)
            .bind(&p.institution)
            .bind(&p.discipline)
            .bind(&p.degree)
            .bind(&p.expected_graduation)
            .bind(&p.phone)
            .bind(now)
    )?;
    Ok(())
}

/// The user's demographic answers as stored JSON, if any.
#[tracing::instrument(skip_all)]
pub async fn demographics(ex: Exec<'_>, user: UserId) -> DbResult<Option<String>> {
    let sql = "SELECT answers_json FROM demographics WHERE user_id = $1";
    run!(ex, c => sqlx::query_scalar(sql).bind(user).fetch_optional(c).await)
}

/// Stores the user's demographic answers.
#[tracing::instrument(skip_all)]
pub async fn put_demographics(
    ex: Exec<'_>,
    user: UserId,
    json: &str,
    now: DateTime<Utc>,
) -> DbResult<()> {
    let sql = "INSERT INTO demographics (user_id, answers_json, updated_at) VALUES ($1, $2, $3) \
               ON CONFLICT (user_id) DO UPDATE SET answers_json = excluded.answers_json, updated_at = excluded.updated_at";
    execute!(ex, sqlx::query(sql).bind(user).bind(json).bind(now))?;
    Ok(())
}
