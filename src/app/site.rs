//! The site's settings: what every page's brand, title and footer show,
//! read cheaply on every request through [`SiteCache`], and their change
//! by an admin (checked field by field, audited).
//!
//! The cache keeps the settings in memory for [`SITE_TTL`]: the instance
//! that saves forgets its copy at once; other instances (several may run
//! behind one load balancer) read the one row again at most once per TTL.
//! A version number read on every request would still be one query per
//! page; at the home page's rate (about 12 000 a second) that costs more
//! than a few seconds' delay in another instance after a rare change.

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::auth::guards::{Admin, ClientIp};
use crate::context::Ctx;
use crate::db::site::{self, LogoChange, Saved};
use crate::domain::site::{
    check_logo, LogoError, LogoType, SiteInput, SiteSettings, DEFAULT_BRAND, DEFAULT_FOOTER,
};

use super::{By, Error, FormErrors, Result};

/// How long an instance shows settings without reading them again.
pub const SITE_TTL: Duration = Duration::from_secs(5);

/// What pages show of the site.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Site {
    /// The brand, the logo's alt text and the titles' suffix.
    pub name: String,
    /// Where people write with questions (a mailto link in the footer).
    pub contact: String,
    /// The footer's words.
    pub footer: String,
    /// The logo's address, which changes with its content.
    pub logo_url: Option<String>,
}

impl Site {
    /// What an install shows before an admin saves settings: today's
    /// words, and the contact address of the portal's mail.
    pub fn defaults(ctx: &Ctx) -> Self {
        Self {
            name: DEFAULT_BRAND.to_owned(),
            contact: ctx.mail.sender.contact.clone(),
            footer: DEFAULT_FOOTER.to_owned(),
            logo_url: None,
        }
    }

    fn of(ctx: &Ctx, saved: Option<Saved>) -> Self {
        let Some(saved) = saved else {
            return Self::defaults(ctx);
        };
        Self {
            name: saved.settings.organisation_name,
            contact: saved.settings.contact_email.to_string(),
            footer: saved.settings.footer_text,
            logo_url: saved.logo.map(|(kind, sha)| logo_path(kind, &sha)),
        }
    }
}

/// The address of a logo: `/site/logo/<first 16 of its SHA-256>.<ext>`.
pub fn logo_path(kind: LogoType, sha: &str) -> String {
    format!(
        "/site/logo/{}.{}",
        &sha[..sha.len().min(16)],
        kind.extension()
    )
}

/// One instance's copy of the settings.
#[derive(Default)]
pub struct SiteCache {
    held: RwLock<Option<(Instant, Arc<Site>)>>,
    /// Held by the one request that reads the row again; the others go on
    /// with the copy they have.
    refreshing: tokio::sync::Mutex<()>,
}

impl SiteCache {
    fn held(&self) -> Option<(Instant, Arc<Site>)> {
        self.held.read().ok().and_then(|h| h.clone())
    }

    fn put(&self, site: Arc<Site>) {
        if let Ok(mut h) = self.held.write() {
            *h = Some((Instant::now(), site));
        }
    }

    /// Forgets the copy: the next request reads the row.
    pub fn forget(&self) {
        if let Ok(mut h) = self.held.write() {
            *h = None;
        }
    }

    /// The copy held, however old, if any (for error pages, which must
    /// not wait for the database).
    pub fn peek(&self) -> Option<Arc<Site>> {
        self.held().map(|(_, s)| s)
    }
}

/// The site as pages show it: the copy in memory while fresh, else the
/// row read again (by one request at a time; a database that fails gives
/// the old copy, or the defaults).
pub async fn current(ctx: &Ctx) -> Arc<Site> {
    let cache = &ctx.site;
    let stale = match cache.held() {
        Some((at, site)) if at.elapsed() < SITE_TTL => return site,
        Some((_, site)) => Some(site),
        None => None,
    };
    let _guard = match (&stale, cache.refreshing.try_lock()) {
        (_, Ok(g)) => g,
        (Some(site), Err(_)) => return site.clone(),
        (None, Err(_)) => cache.refreshing.lock().await,
    };
    if let Some((at, site)) = cache.held() {
        if at.elapsed() < SITE_TTL {
            return site;
        }
    }
    let read = async {
        let mut conn = ctx.conn().await?;
        site::get(conn.exec()).await
    };
    match read.await {
        Ok(saved) => {
            let site = Arc::new(Site::of(ctx, saved));
            cache.put(site.clone());
            site
        }
        Err(e) => {
            tracing::warn!("site settings unreadable: {e}");
            stale.unwrap_or_else(|| Arc::new(Site::defaults(ctx)))
        }
    }
}

/// The settings as saved, for the admin's form.
#[tracing::instrument(skip_all)]
pub async fn saved(ctx: &Ctx) -> Result<Option<Saved>> {
    let mut conn = ctx.conn().await?;
    Ok(site::get(conn.exec()).await?)
}

/// The logo's type, bytes and hex SHA-256.
#[tracing::instrument(skip_all)]
pub async fn logo(ctx: &Ctx) -> Result<Option<(LogoType, Vec<u8>, String)>> {
    let mut conn = ctx.conn().await?;
    Ok(site::logo(conn.exec()).await?)
}

/// What to do with the logo.
pub enum LogoInput {
    Keep,
    Remove,
    /// The uploaded file's bytes.
    Upload(Vec<u8>),
    /// A file larger than a logo may be, of this many bytes (not read).
    Oversized(u64),
}

/// Saves the settings: refuses, field by field, a missing or too long
/// name, an address that is not one, a too long footer, and a logo that is
/// not a PNG, JPEG or WebP image of at most 512 KiB (SVG refused). Nothing
/// is saved unless everything reads.
#[tracing::instrument(skip_all)]
pub async fn save(
    ctx: &Ctx,
    who: &Admin,
    ip: &ClientIp,
    input: &SiteInput<'_>,
    logo: LogoInput,
) -> Result<()> {
    let mut errors = FormErrors::default();
    let read = SiteSettings::read(input);
    if let Err(list) = &read {
        for (field, message) in list {
            errors.add(field, message);
        }
    }
    let checked = match &logo {
        LogoInput::Upload(bytes) => match check_logo(bytes) {
            Ok(kind) => Some((kind, bytes.as_slice(), hex(&Sha256::digest(bytes)))),
            Err(e) => {
                errors.add("logo", e);
                None
            }
        },
        LogoInput::Oversized(n) => {
            errors.add("logo", LogoError::TooLarge(*n));
            None
        }
        _ => None,
    };
    let settings = match read {
        Ok(s) if errors.summary.is_empty() => s,
        _ => return Err(Error::Invalid(errors)),
    };
    let change = match (&logo, &checked) {
        (LogoInput::Remove, _) => LogoChange::Remove,
        (LogoInput::Upload(_), Some((kind, bytes, sha))) => LogoChange::Set(*kind, bytes, sha),
        _ => LogoChange::Keep,
    };
    let detail = format!(
        "name={:?} contact={} footer={:?} logo={}",
        settings.organisation_name,
        settings.contact_email,
        settings.footer_text,
        match &change {
            LogoChange::Keep => "kept".to_owned(),
            LogoChange::Remove => "removed".to_owned(),
            LogoChange::Set(kind, bytes, sha) =>
                format!("{} {} bytes sha256 {sha}", kind.mime(), bytes.len()),
        }
    );
    let now = ctx.now();
    let mut tx = ctx.begin().await?;
    site::save(tx.exec(), &settings, change, now).await?;
    By::user(who.0.user().id, ip.as_deref())
        .audit(tx.exec(), "site.settings", "site", &detail, now)
        .await?;
    tx.commit().await?;
    ctx.site.forget();
    Ok(())
}

fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}
