//! The site's settings: one row (or none, meaning the defaults) and its
//! logo's bytes, read apart so that a page never loads the image.

use chrono::{DateTime, Utc};

use super::{DbResult, Exec};
use crate::domain::email::EmailAddress;
use crate::domain::site::{LogoType, SiteSettings};

/// The saved settings and their logo's description (not its bytes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Saved {
    pub settings: SiteSettings,
    /// The logo's type and hex SHA-256, if there is one.
    pub logo: Option<(LogoType, String)>,
}

type Row = (String, String, String, Option<String>, Option<String>);

/// The settings, if an admin ever saved them.
pub async fn get(ex: Exec<'_>) -> DbResult<Option<Saved>> {
    let sql = "SELECT organisation_name, contact_email, footer_text, logo_type, logo_sha256 \
               FROM site_settings WHERE id = 1";
    let row: Option<Row> = run!(ex, c => sqlx::query_as(sql).fetch_optional(c).await)?;
    // Stored only after parsing: a row whose address no longer reads
    // (edited by hand) counts as none.
    Ok(row.and_then(|(name, email, footer, kind, sha)| {
        Some(Saved {
            settings: SiteSettings {
                organisation_name: name,
                contact_email: EmailAddress::parse(&email).ok()?,
                footer_text: footer,
            },
            logo: kind.as_deref().and_then(LogoType::from_mime).zip(sha),
        })
    }))
}

/// The logo's type, bytes and hex SHA-256.
pub async fn logo(ex: Exec<'_>) -> DbResult<Option<(LogoType, Vec<u8>, String)>> {
    let sql = "SELECT logo_type, logo, logo_sha256 FROM site_settings \
               WHERE id = 1 AND logo IS NOT NULL";
    let row: Option<(String, Vec<u8>, String)> =
        run!(ex, c => sqlx::query_as(sql).fetch_optional(c).await)?;
    Ok(row.and_then(|(kind, bytes, sha)| Some((LogoType::from_mime(&kind)?, bytes, sha))))
}

/// What a save does to the logo.
pub enum LogoChange<'a> {
    Keep,
    Remove,
    /// A checked image, its type and hex SHA-256.
    Set(LogoType, &'a [u8], &'a str),
}

/// Saves the settings (creating the row on the first save).
pub async fn save(
    ex: Exec<'_>,
    s: &SiteSettings,
    logo: LogoChange<'_>,
    now: DateTime<Utc>,
) -> DbResult<()> {
    let mut ex = ex;
    let sql = "INSERT INTO site_settings (id, organisation_name, contact_email, footer_text, updated_at) \
               VALUES (1, $1, $2, $3, $4) ON CONFLICT (id) DO UPDATE SET \
               organisation_name = excluded.organisation_name, contact_email = excluded.contact_email, \
               footer_text = excluded.footer_text, updated_at = excluded.updated_at";
    execute!(
        ex.reborrow(),
        sqlx::query(sql)
            .bind(&s.organisation_name)
            .bind(s.contact_email.as_str())
            .bind(&s.footer_text)
            .bind(now)
    )?;
    match logo {
        LogoChange::Keep => {}
        LogoChange::Remove => {
            let sql = "UPDATE site_settings SET logo = NULL, logo_type = NULL, logo_sha256 = NULL WHERE id = 1";
            execute!(ex, sqlx::query(sql))?;
        }
        LogoChange::Set(kind, bytes, sha) => {
            let sql =
                "UPDATE site_settings SET logo = $1, logo_type = $2, logo_sha256 = $3 WHERE id = 1";
            execute!(ex, sqlx::query(sql).bind(bytes).bind(kind.mime()).bind(sha))?;
        }
    }
    Ok(())
}
