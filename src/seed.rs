//! Start-up data: migrations, the three programs on an empty database, and
//! the first admin (printed once with a one-time password).

use rand::Rng;
use rocket::fairing::{self, AdHoc, Fairing};
use rocket::{Build, Rocket};
use rocket_db_pools::Database;

use crate::clock::Clock;
use crate::config::PortalConfig;
use chrono::{DateTime, Datelike, Duration, Utc};

use crate::db::{audit, cycles, programs, users, Db, PortalPool};
use crate::domain::email::EmailAddress;
use crate::domain::form::FormDefinition;
use crate::domain::program::ProgramKind;
use crate::domain::program::SEEDED_PROGRAMS;
use crate::domain::user::PersonName;

/// Applies migrations and seeds the programs; fails the launch, with the
/// reason logged, when the database cannot be brought up to date.
pub fn migrations() -> impl Fairing {
    AdHoc::try_on_ignite(
        "Migrations and programs",
        |rocket: Rocket<Build>| async move {
            let Some(db) = Db::fetch(&rocket) else {
                return Err(rocket);
            };
            let now = rocket
                .state::<Clock>()
                .map_or_else(|| Clock::system().now(), Clock::now);
            match migrate_and_seed(&db.0, now).await {
                Ok(()) => Ok(rocket),
                Err(e) => fail(rocket, format!("the database could not be prepared: {e:#}")),
            }
        },
    )
}

/// The seeded form of each seeded program, by slug.
/// The default rubric of each seeded program, given to every cycle of the
/// program that has none (a manager can change it before reviewing starts).
pub const SEEDED_RUBRICS: [(&str, &str); 3] = [
    (
        "health-justice",
        include_str!("../rubrics/health-justice.json"),
    ),
    (
        "voices-for-change",
        include_str!("../rubrics/voices-for-change.json"),
    ),
    (
        "summer-internship",
        include_str!("../rubrics/summer-internship.json"),
    ),
];

pub const SEEDED_FORMS: [(&str, &str); 3] = [
    (
        "health-justice",
        include_str!("../forms/health-justice.json"),
    ),
    (
        "voices-for-change",
        include_str!("../forms/voices-for-change.json"),
    ),
    (
        "summer-internship",
        include_str!("../forms/summer-internship.json"),
    ),
];

/// The time zone of seeded cycles.
const SEEDED_ZONE: &str = "America/New_York";

/// Applies pending migrations, inserts any missing seeded program, and
/// gives each seeded program without a cycle an open one with its form.
pub async fn migrate_and_seed(pool: &PortalPool, now: DateTime<Utc>) -> anyhow::Result<()> {
    // A database a newer release upgraded is left as it is.
    if let Some(words) = crate::ops::schema::refusal(&crate::ops::schema::status(pool).await?) {
        anyhow::bail!(words);
    }
    pool.migrate().await?;
    let mut conn = pool.conn().await?;
    for (position, program) in SEEDED_PROGRAMS.iter().enumerate() {
        programs::insert_seed(conn.exec(), program, position as i64).await?;
    }
    for program in programs::list(conn.exec()).await? {
        let Some((_, form)) = SEEDED_FORMS.iter().find(|(slug, _)| *slug == program.slug) else {
            continue;
        };
        if cycles::program_has_cycle(conn.exec(), program.id).await? {
            continue;
        }
        FormDefinition::parse(form)
            .map_err(|e| anyhow::anyhow!("the seeded form of {}: {e}", program.slug))?;
        let dates = seeded_dates(now);
        let name = match program.kind {
            ProgramKind::Internship => format!("Summer {}", dates.cohort_year),
            _ => format!("{} cohort", dates.cohort_year),
        };
        let cycle = cycles::NewCycle {
            program_id: program.id,
            name: &name,
            time_zone: SEEDED_ZONE,
            opens_at: dates.opens_at,
            closes_at: dates.closes_at,
            letters_due_at: dates.letters_due_at,
            letters_grace_hours: 72,
            decision_planned_at: dates.decision_planned_at,
            blind_review: false,
            form_json: form,
        };
        cycles::insert(conn.exec(), &cycle, now).await?;
    }
    for program in programs::list(conn.exec()).await? {
        let Some((_, rubric)) = SEEDED_RUBRICS
            .iter()
            .find(|(slug, _)| *slug == program.slug)
        else {
            continue;
        };
        crate::domain::workflow::rubric::Rubric::parse(rubric)
            .map_err(|e| anyhow::anyhow!("the seeded rubric of {}: {e}", program.slug))?;
        cycles::fill_missing_rubrics(conn.exec(), program.id, rubric).await?;
    }
    Ok(())
}

/// Dates of a seeded cycle: open since 30 days before `now`, closing at
/// 5 pm New York time about 90 days after it, letters two weeks later,
/// decisions two months after the close.
struct SeededDates {
    cohort_year: i32,
    opens_at: DateTime<Utc>,
    closes_at: DateTime<Utc>,
    letters_due_at: DateTime<Utc>,
    decision_planned_at: DateTime<Utc>,
}

fn seeded_dates(now: DateTime<Utc>) -> SeededDates {
    let zone: chrono_tz::Tz = SEEDED_ZONE.parse().expect("a valid zone");
    let at_five = |day: chrono::NaiveDate| {
        day.and_hms_opt(17, 0, 0)
            .and_then(|t| t.and_local_timezone(zone).earliest())
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or(now)
    };
    let today = now.with_timezone(&zone).date_naive();
    let closes_at = at_five(today + Duration::days(90));
    SeededDates {
        cohort_year: closes_at.with_timezone(&zone).year(),
        opens_at: at_five(today - Duration::days(30)),
        closes_at,
        letters_due_at: at_five(today + Duration::days(104)),
        decision_planned_at: at_five(today + Duration::days(150)),
    }
}

/// A one-time password: four groups of four characters from an alphabet
/// without look-alikes (no 0/o, 1/l/i).
pub fn one_time_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut rng = rand::rngs::OsRng;
    (0..4)
        .map(|_| {
            (0..4)
                .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// Why an admin could not be created.
#[derive(Debug, thiserror::Error)]
pub enum CreateAdminError {
    #[error("{0}")]
    Email(#[from] crate::domain::email::EmailError),
    #[error("{0}")]
    Name(#[from] crate::domain::user::NameError),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

/// Makes `email` an admin with a fresh one-time password that must be
/// changed at first login, creating the account if needed. Returns the
/// password, to be shown once.
pub async fn create_admin(
    pool: &PortalPool,
    email: &str,
    name: &str,
    now: DateTime<Utc>,
) -> Result<String, CreateAdminError> {
    let email = EmailAddress::parse(email)?;
    let name = PersonName::parse(name)?;
    let password = one_time_password();
    let hash = crate::auth::password::hash(&password).await?;
    let mut tx = pool.begin().await.map_err(anyhow::Error::from)?;
    let existing = users::find_by_email(tx.exec(), email.as_str())
        .await
        .map_err(anyhow::Error::from)?;
    let id = match existing {
        Some((user, _)) => {
            users::make_admin(tx.exec(), user.id, &hash, now)
                .await
                .map_err(anyhow::Error::from)?;
            user.id
        }
        None => {
            let new_user = users::NewUser {
                email: email.as_str(),
                name: name.as_str(),
                password_hash: &hash,
                confirmed: true,
                is_admin: true,
                must_change_password: true,
            };
            users::insert(tx.exec(), &new_user, now)
                .await
                .map_err(anyhow::Error::from)?
        }
    };
    let entry = audit::Entry {
        actor: None,
        action: "admin.create",
        subject: &format!("user:{id}"),
        detail: email.as_str(),
        client_ip: None,
    };
    audit::record(tx.exec(), &entry, now)
        .await
        .map_err(anyhow::Error::from)?;
    tx.commit().await.map_err(anyhow::Error::from)?;
    Ok(password)
}

/// At liftoff, on a database without any admin, creates the first one and
/// prints the address, the email and the one-time password.
pub fn first_admin() -> impl Fairing {
    AdHoc::on_liftoff("First admin", |rocket| {
        Box::pin(async move {
            let (Some(db), Ok(config)) = (
                Db::fetch(rocket),
                PortalConfig::from_figment(rocket.figment()),
            ) else {
                return;
            };
            let address = format!(
                "http://{}:{}",
                rocket.config().address,
                rocket.config().port
            );
            let result = async {
                let mut conn = db.conn().await?;
                if users::count_admins(conn.exec()).await? > 0 {
                    return anyhow::Ok(None);
                }
                drop(conn);
                let now = rocket
                    .state::<Clock>()
                    .map_or_else(|| Clock::system().now(), Clock::now);
                let password = create_admin(&db.0, &config.admin_email, "Administrator", now)
                    .await
                    .map_err(anyhow::Error::from)?;
                anyhow::Ok(Some(password))
            }
            .await;
            match result {
                Ok(Some(password)) => println!(
                    "\nFirst admin: {}\n\
                     One-time password: {password}\n\
                     (shown only now; you will choose your own password at first login)\n\
                     fellowship-portal is ready at {address}",
                    config.admin_email
                ),
                Ok(None) => println!("fellowship-portal is ready at {address}"),
                Err(e) => tracing::error!("the first admin could not be created: {e:#}"),
            }
        })
    })
}

/// Fails the launch at ignite with a message.
#[expect(clippy::result_large_err, reason = "Rocket's own fairing result type")]
pub fn fail(rocket: Rocket<Build>, message: impl std::fmt::Display) -> fairing::Result {
    // Printed whatever the log level, so an operator always sees why.
    eprintln!("fellowship-portal cannot start: {message}");
    Err(rocket)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_seeded_form_is_coherent() {
        for (slug, json) in SEEDED_FORMS {
            let form = FormDefinition::parse(json).unwrap_or_else(|e| panic!("{slug}: {e}"));
            assert!(form.questions().count() >= 10, "{slug}");
            assert!(!form.eligibility.is_empty(), "{slug}");
        }
    }

    /// A link to the applicant's own work (a podcast, a published piece)
    /// leads to their name: blind review must hide it.
    #[test]
    fn every_seeded_link_shown_to_reviewers_is_identifying() {
        use crate::domain::form::QuestionKind;
        let mut links = 0;
        for (slug, json) in SEEDED_FORMS {
            let form = FormDefinition::parse(json).unwrap_or_else(|e| panic!("{slug}: {e}"));
            for q in form.questions() {
                if matches!(q.kind, QuestionKind::Url) && q.shown_to_reviewers {
                    links += 1;
                    assert!(q.identifying, "{slug}: {} is not identifying", q.key);
                }
            }
        }
        assert!(links > 0, "the Voices for Change form asks for a link");
    }

    #[test]
    fn seeded_cycles_are_open_now() {
        let now = Clock::system().now();
        let d = seeded_dates(now);
        assert!(d.opens_at < now && now < d.closes_at);
        assert!(d.closes_at < d.letters_due_at && d.letters_due_at < d.decision_planned_at);
    }
}
