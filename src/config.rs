//! Configuration: `Rocket.toml` profiles, `ROCKET_...` variables for Rocket's
//! own keys, `PORTAL_...` variables for the portal's keys (the `portal`
//! table), and `DATABASE_URL` for the database.
//!
//! [`load`] fills what an operator left unset: the data folder, a SQLite
//! file in it, and a secret key generated once and kept there.

use std::io::Write;
use std::path::{Path, PathBuf};

use rand::RngCore;
use rocket::figment::providers::{Env, Serialized};
use rocket::figment::Figment;
use serde::Deserialize;

use crate::domain::forwarded::TrustedProxies;

/// Where documents are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum StorageKind {
    #[default]
    Local,
    S3,
}

/// The portal's own settings (`[default.portal]` in Rocket.toml, or
/// `PORTAL_<KEY>` in the environment).
#[derive(Debug, Clone, Deserialize)]
pub struct PortalConfig {
    /// SQLite file, local documents, mail files and the generated secret key.
    #[serde(default = "default_data_dir")]
    pub data_dir: PathBuf,
    /// `local` or `s3`.
    #[serde(default)]
    pub storage: StorageKind,
    pub s3_endpoint: Option<String>,
    pub s3_bucket: Option<String>,
    pub s3_region: Option<String>,
    /// S3 credentials; when unset, `AWS_ACCESS_KEY_ID` and
    /// `AWS_SECRET_ACCESS_KEY` from the environment.
    pub s3_access_key_id: Option<String>,
    pub s3_secret_access_key: Option<String>,
    /// `smtp://user:pass@host:port` or `smtps://...`; unset writes .eml files.
    pub smtp_url: Option<String>,
    /// Sender of every message.
    #[serde(default = "default_mail_from")]
    pub mail_from: String,
    /// Where replies to the portal's mail go (e.g. the program team's
    /// inbox); unset: no Reply-To header.
    pub mail_reply_to: Option<String>,
    /// The organisation that sends the mail: the From display name, and
    /// the footer of every message.
    #[serde(default = "default_organisation_name")]
    pub organisation_name: String,
    /// The address people write to with questions, in every message's
    /// footer; unset: the Reply-To address, else the From address.
    pub contact_email: Option<String>,
    /// The signature above the footer of every message; unset: "The
    /// <organisation> team".
    pub mail_signature: Option<String>,
    /// The most messages sent per minute by this instance (for relays that
    /// throttle); unset: no limit.
    pub mail_per_minute: Option<u32>,
    /// Start of absolute links in mail.
    #[serde(default = "default_base_url")]
    pub base_url: String,
    /// Minutes of inactivity after which a session ends.
    #[serde(default = "default_session_idle_minutes")]
    pub session_idle_minutes: i64,
    /// Hours after logging in at which a session ends, however active.
    #[serde(default = "default_session_max_hours")]
    pub session_max_hours: i64,
    /// Send cookies only over HTTPS (on in the release profile).
    #[serde(default)]
    pub secure_cookies: bool,
    /// Run the outbox worker in this process.
    #[serde(default = "yes")]
    pub mail_worker: bool,
    /// How often the worker looks for due mail when nobody wakes it.
    #[serde(default = "default_mail_poll_ms")]
    pub mail_poll_ms: u64,
    /// Delivery attempts before a message is marked failed.
    #[serde(default = "default_mail_max_attempts")]
    pub mail_max_attempts: u32,
    /// Seconds before the first retry; doubles with each further one.
    #[serde(default = "default_mail_retry_seconds")]
    pub mail_retry_seconds: i64,
    /// Seconds one delivery (and each exchange with the relay) may take
    /// before it counts as failed and is retried.
    #[serde(default = "default_mail_timeout_seconds")]
    pub mail_timeout_seconds: u64,
    /// Email of the admin created on an empty database.
    #[serde(default = "default_admin_email")]
    pub admin_email: String,
    /// Seconds between the background health checks `/healthz` reports.
    #[serde(default = "default_health_seconds")]
    pub health_seconds: u64,
    /// `text` (the default) or `json`: what each log line looks like.
    #[serde(default)]
    pub log_format: crate::logging::LogFormat,
    /// Which lines are logged (`info`, `warn`, or `tracing` filter
    /// directives); unset: `RUST_LOG`, else the portal at info.
    pub log_level: Option<String>,
    /// A bearer token that lets a scraper read `/metrics` from another
    /// machine; unset: only this machine (loopback, no proxy) may.
    pub metrics_token: Option<String>,
    /// Reverse proxies whose `X-Forwarded-For` and `X-Forwarded-Proto` are
    /// believed (addresses or networks, separated by commas); empty: none.
    #[serde(default, deserialize_with = "trusted_proxies")]
    pub trusted_proxies: TrustedProxies,
}

/// Reads the trusted proxies from one text (`127.0.0.1/32,::1`, as an
/// environment variable gives it) or a list of texts (as `Rocket.toml`
/// may), naming a bad entry in words.
fn trusted_proxies<'de, D: serde::Deserializer<'de>>(d: D) -> Result<TrustedProxies, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Given {
        One(String),
        Many(Vec<String>),
    }
    let given = Given::deserialize(d).map_err(|_| {
        serde::de::Error::custom(
            "trusted_proxies: expected addresses or networks separated by commas, e.g. 127.0.0.1/32,::1",
        )
    })?;
    let parsed = match &given {
        Given::One(text) => TrustedProxies::parse(text),
        Given::Many(list) => TrustedProxies::from_entries(list.iter().map(String::as_str)),
    };
    parsed.map_err(|e| serde::de::Error::custom(format!("trusted_proxies: {e}")))
}

fn default_data_dir() -> PathBuf {
    PathBuf::from("data")
}
fn default_mail_from() -> String {
    "portal@localhost".into()
}
/// The organisation's name when an operator gave none.
pub const DEFAULT_ORGANISATION_NAME: &str = "Fellowship Portal";
fn default_organisation_name() -> String {
    DEFAULT_ORGANISATION_NAME.into()
}
fn default_base_url() -> String {
    "http://127.0.0.1:8000".into()
}
fn default_session_idle_minutes() -> i64 {
    120
}
fn default_session_max_hours() -> i64 {
    12
}
fn yes() -> bool {
    true
}
fn default_mail_poll_ms() -> u64 {
    2000
}
fn default_mail_max_attempts() -> u32 {
    8
}
fn default_mail_retry_seconds() -> i64 {
    30
}
fn default_health_seconds() -> u64 {
    10
}
fn default_mail_timeout_seconds() -> u64 {
    30
}
fn default_admin_email() -> String {
    "admin@example.org".into()
}

impl PortalConfig {
    /// Reads the `portal` table of a figment.
    pub fn from_figment(figment: &Figment) -> Result<Self, Box<rocket::figment::Error>> {
        // An absent table means every default.
        let with_table = figment
            .clone()
            .join(Serialized::global("portal", serde_json::Map::new()));
        with_table.extract_inner("portal").map_err(Box::new)
    }

    /// Folder of the local document store.
    pub fn documents_dir(&self) -> PathBuf {
        self.data_dir.join("documents")
    }

    /// Folder of the .eml files written when no SMTP relay is configured.
    pub fn mail_dir(&self) -> PathBuf {
        self.data_dir.join("mail")
    }

    /// `base_url` without a trailing slash.
    pub fn base(&self) -> &str {
        self.base_url.trim_end_matches('/')
    }
}

/// What is wrong with a cookie key that is not one.
pub const BAD_SECRET_KEY: &str = "ROCKET_SECRET_KEY is not a usable key: it must be 256 or 512 \
     random bits, written as 44 or 88 base64 characters or 64 hexadecimal ones (make one with \
     `openssl rand -base64 32`), or left unset so that one is generated and kept in the data folder";

/// Why the configuration cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration: {0}")]
    Figment(#[from] Box<rocket::figment::Error>),
    #[error("cannot create the data folder {path}: {source}")]
    DataDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}", BAD_SECRET_KEY)]
    BadSecretKey,
    #[error("cannot read or write the secret key file {path}: {source}")]
    SecretKey {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Settings taken from the environment exactly as written: figment reads
/// other variables as values, so a token of digits would become a number
/// (and lose its leading zeros), `true` a boolean.
const RAW_SETTINGS: [&str; 1] = ["metrics_token"];

/// `figment` with each of [`RAW_SETTINGS`] that `lookup` finds (as
/// `PORTAL_<KEY>`) set to its text as written.
fn with_raw_settings(mut figment: Figment, lookup: impl Fn(&str) -> Option<String>) -> Figment {
    for key in RAW_SETTINGS {
        if let Some(value) = lookup(&format!("PORTAL_{}", key.to_uppercase())) {
            figment = figment.merge(Serialized::global(&format!("portal.{key}"), value));
        }
    }
    figment
}

/// Rocket's figment plus the portal's environment variables.
pub fn figment() -> Figment {
    with_raw_settings(figment_parsed(), |name| std::env::var(name).ok())
}

fn figment_parsed() -> Figment {
    rocket::Config::figment()
        .merge(
            Env::prefixed("PORTAL_")
                .map(|k| format!("portal.{k}").into())
                .global(),
        )
        .merge(
            Env::raw()
                .only(&["DATABASE_URL"])
                .map(|_| "databases.portal.url".into())
                .global(),
        )
}

/// Fills the defaults that depend on the data folder, creating it (and the
/// secret key file) when missing.
pub fn load(figment: Figment) -> Result<Figment, ConfigError> {
    let portal = PortalConfig::from_figment(&figment)?;
    let dir = &portal.data_dir;
    std::fs::create_dir_all(dir).map_err(|source| ConfigError::DataDir {
        path: dir.clone(),
        source,
    })?;
    // Uploads arrive in temporary files on the data folder's disk, so that
    // the local store files them by renaming.
    let temp_dir = dir.join("tmp");
    std::fs::create_dir_all(&temp_dir).map_err(|source| ConfigError::DataDir {
        path: temp_dir.clone(),
        source,
    })?;
    let default_url = format!("sqlite://{}", dir.join("portal.sqlite").display());
    let mut figment = figment.join(Serialized::default("databases.portal.url", default_url));
    // Unless an operator chose a temporary folder, uploads land in the data folder.
    let chosen_temp = figment
        .extract_inner::<rocket::figment::value::magic::RelativePathBuf>("temp_dir")
        .map(|p| p.relative());
    if chosen_temp.map_or(true, |p| p == std::env::temp_dir()) {
        figment = figment.merge(Serialized::global("temp_dir", temp_dir));
    }
    // Rocket's own defaults hold a random, unstable key; only an operator's
    // counts. A key the operator gave that cannot be a key stops the start
    // (replacing it silently would end every session at each restart of a
    // fleet that shares it).
    let given = figment.extract_inner::<rocket::config::SecretKey>("secret_key");
    if given.is_err() && figment.find_value("secret_key").is_ok() {
        return Err(ConfigError::BadSecretKey);
    }
    let provided = given.is_ok_and(|k| k.is_provided());
    if !provided {
        let key = secret_key(dir)?;
        figment = figment.merge(Serialized::global("secret_key", key));
    }
    Ok(figment)
}

/// The key kept in `<data>/secret_key`, generated (mode 0600) on first use.
fn secret_key(dir: &Path) -> Result<String, ConfigError> {
    let path = dir.join("secret_key");
    let err = |source| ConfigError::SecretKey {
        path: path.clone(),
        source,
    };
    match std::fs::read_to_string(&path) {
        Ok(existing) if !existing.trim().is_empty() => return Ok(existing.trim().to_owned()),
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(err(e)),
    }
    let mut bytes = [0u8; 64];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let key = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, bytes);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&path).map_err(err)?;
    file.write_all(key.as_bytes()).map_err(err)?;
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn load_fills_defaults_and_keeps_the_generated_key() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("nested/data");
        let base = Figment::from(Serialized::defaults(
            serde_json::json!({"portal": {"data_dir": data}}),
        ));
        let f = load(base.clone()).unwrap();
        let url: String = f.extract_inner("databases.portal.url").unwrap();
        assert_eq!(
            url,
            format!("sqlite://{}", data.join("portal.sqlite").display())
        );
        let temp: std::path::PathBuf = f.extract_inner("temp_dir").unwrap();
        assert_eq!(
            temp,
            data.join("tmp"),
            "uploads land on the data folder's disk"
        );
        assert!(temp.is_dir());
        let key: String = f.extract_inner("secret_key").unwrap();
        assert_eq!(
            base64::Engine::decode(&base64::engine::general_purpose::STANDARD, &key)
                .unwrap()
                .len(),
            64
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(data.join("secret_key"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let again: String = load(base).unwrap().extract_inner("secret_key").unwrap();
        assert_eq!(again, key, "the key survives a restart");
    }

    #[test]
    fn log_and_metrics_settings_are_read_as_the_environment_gives_them() {
        use rocket::figment::value::Value;
        // Values as the `PORTAL_` variables arrive: parsed from text.
        let env = |pairs: &[(&str, &str)]| {
            let mut map = rocket::figment::value::Dict::new();
            for (k, v) in pairs {
                map.insert((*k).into(), v.parse::<Value>().unwrap());
            }
            Figment::from(Serialized::defaults(serde_json::json!({ "portal": {} })))
                .merge(Serialized::global("portal", map))
        };
        let given = env(&[
            ("log_format", "json"),
            ("log_level", "warn,fellowship_portal=debug"),
            ("metrics_token", "0123456789"),
        ]);
        // A token of digits only is still the token, leading zero and all.
        let raw = |name: &str| (name == "PORTAL_METRICS_TOKEN").then(|| "0123456789".to_owned());
        let c = PortalConfig::from_figment(&with_raw_settings(given, raw)).unwrap();
        assert_eq!(c.log_format, crate::logging::LogFormat::Json);
        assert_eq!(c.log_level.as_deref(), Some("warn,fellowship_portal=debug"));
        assert_eq!(c.metrics_token.as_deref(), Some("0123456789"));
        let e = PortalConfig::from_figment(&env(&[("log_format", "xml")])).unwrap_err();
        assert!(e.to_string().contains("xml"), "{e}");
    }

    const GIVEN_KEY: &str =
        "hPRYyVRiMyxpw5sBB1XeCMN1kFsDCqKvBi2QJxBVHQk+kMgqaBZ4fo9SVG8kLNFmEbkXwW5UJ1VJPx7bCYk4nA==";

    #[test]
    fn a_given_key_that_cannot_be_a_key_stops_the_start_in_words() {
        let dir = tempfile::tempdir().unwrap();
        for bad in ["too-short", "c2VjcmV0", &"a".repeat(63)] {
            let base = Figment::from(Serialized::defaults(serde_json::json!({
                "portal": {"data_dir": dir.path()},
                "secret_key": bad,
            })));
            let e = load(base).unwrap_err().to_string();
            assert!(
                e.starts_with("ROCKET_SECRET_KEY is not a usable key"),
                "{bad}: {e}"
            );
            assert!(e.contains("openssl rand -base64 32"), "{e}");
        }
        // Nothing was generated in its place.
        assert!(!dir.path().join("secret_key").exists());
    }

    #[test]
    fn an_explicit_url_and_key_win() {
        let dir = tempfile::tempdir().unwrap();
        let base = Figment::from(Serialized::defaults(serde_json::json!({
            "portal": {"data_dir": dir.path()},
            "databases": {"portal": {"url": "postgres://db/x"}},
            "secret_key": GIVEN_KEY,
        })));
        let f = load(base).unwrap();
        assert_eq!(
            f.extract_inner::<String>("databases.portal.url").unwrap(),
            "postgres://db/x"
        );
        assert_eq!(f.extract_inner::<String>("secret_key").unwrap(), GIVEN_KEY);
        assert!(!dir.path().join("secret_key").exists());
    }

    #[test]
    fn trusted_proxies_are_read_from_a_text_or_a_list_and_a_bad_one_is_named() {
        let read = |value: serde_json::Value| {
            PortalConfig::from_figment(&Figment::from(Serialized::defaults(
                serde_json::json!({"portal": {"trusted_proxies": value}}),
            )))
        };
        let from_text = read(serde_json::json!("127.0.0.1/32, ::1")).unwrap();
        assert!(from_text.trusted_proxies.trusts("::1".parse().unwrap()));
        assert!(!from_text
            .trusted_proxies
            .trusts("127.0.0.2".parse().unwrap()));
        let from_list = read(serde_json::json!(["10.0.0.0/8"])).unwrap();
        assert!(from_list
            .trusted_proxies
            .trusts("10.9.8.7".parse().unwrap()));
        let bad = read(serde_json::json!("127.0.0.1,10.0.0.0/40")).unwrap_err();
        assert!(
            bad.to_string()
                .contains("\"10.0.0.0/40\" is not an IP address or network"),
            "{bad}"
        );
        let unset = PortalConfig::from_figment(&Figment::new()).unwrap();
        assert!(unset.trusted_proxies.is_empty());
    }
}
