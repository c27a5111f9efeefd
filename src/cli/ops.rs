//! The operator's commands: `backup`, `restore`, `verify-backup`,
//! `migrate --dry-run` and `check`. Each opens only what it needs (never
//! the whole application, so a backup or a dry run migrates nothing).

use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use rocket::figment::Figment;
use rocket_db_pools::Pool as _;

use crate::clock::Clock;
use crate::config::PortalConfig;
use crate::db::maintenance::{sqlite_file, Migration};
use crate::db::{Backend, PortalPool};
use crate::ops::backup::{self, Manifest, Restored, Source, Target};
use crate::ops::schema::{self, Schema};
use crate::storage::Storage;

/// The database address the settings name.
fn database_url(figment: &Figment) -> Result<String, String> {
    figment
        .extract_inner::<String>("databases.portal.url")
        .map_err(|e| format!("the database address (DATABASE_URL) cannot be read: {e}"))
}

fn portal_config(figment: &Figment) -> Result<PortalConfig, String> {
    PortalConfig::from_figment(figment).map_err(|e| e.to_string())
}

/// The database address, the settings and the document store they name.
fn database_and_store(figment: &Figment) -> Result<(String, PortalConfig, Storage), String> {
    let url = database_url(figment)?;
    let config = portal_config(figment)?;
    let store = Storage::open(&config, std::sync::Arc::default()).map_err(|e| e.to_string())?;
    Ok((url, config, store))
}

/// Opens the live database without migrating it; a SQLite file that does
/// not exist is not created.
async fn open_existing(url: &str) -> Result<PortalPool, String> {
    if let Some(file) = sqlite_file(url) {
        if !file.exists() {
            return Err(format!(
                "there is no database at {} (are PORTAL_DATA_DIR and DATABASE_URL right?)",
                file.display()
            ));
        }
    }
    PortalPool::connect(url, 2, Duration::from_secs(10))
        .await
        .map_err(|e| e.to_string())
}

fn failed(command: &str, e: impl std::fmt::Display) -> ExitCode {
    eprintln!("{command}: {e}");
    ExitCode::FAILURE
}

/// The migrations `migrate` is about to apply (`None` when that cannot be
/// read; `migrate` itself then says why).
pub async fn schema_before_migrating(figment: &Figment) -> Option<Vec<Migration>> {
    let url = database_url(figment).ok()?;
    if sqlite_file(&url).is_some_and(|f| !f.exists()) {
        return Some(crate::db::maintenance::known_migrations(Backend::Sqlite));
    }
    let pool = open_existing(&url).await.ok()?;
    let status = schema::status(&pool).await.ok();
    pool.close().await;
    match status? {
        Schema::Behind { pending, .. } => Some(pending),
        _ => Some(Vec::new()),
    }
}

/// `migrate --dry-run`: what would run, changing nothing.
pub async fn migrate_dry_run(figment: &Figment) -> ExitCode {
    let url = match database_url(figment) {
        Ok(u) => u,
        Err(e) => return failed("migrate", e),
    };
    if let Some(file) = sqlite_file(&url).filter(|f| !f.exists()) {
        let pending = crate::db::maintenance::known_migrations(Backend::Sqlite);
        let words = schema::describe(
            &Schema::Behind {
                version: None,
                pending,
            },
            "sqlite",
        );
        println!("There is no database at {} yet.\n{words}", file.display());
        return ExitCode::SUCCESS;
    }
    let pool = match open_existing(&url).await {
        Ok(p) => p,
        Err(e) => return failed("migrate", e),
    };
    let status = schema::status(&pool).await;
    let backend = pool.backend().as_str();
    pool.close().await;
    match status {
        Ok(s) => {
            println!("{}", schema::describe(&s, backend));
            if schema::refusal(&s).is_some() {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(e) => failed("migrate", e),
    }
}

/// `backup --out DIR`.
pub async fn backup(figment: &Figment, out: &Path) -> ExitCode {
    let started = Instant::now();
    let (url, config, store) = match database_and_store(figment) {
        Ok(found) => found,
        Err(e) => return failed("backup", e),
    };
    let pool = match open_existing(&url).await {
        Ok(p) => p,
        Err(e) => return failed("backup", e),
    };
    let source = Source {
        pool: &pool,
        database_url: &url,
        store: &store,
        data_dir: &config.data_dir,
    };
    let made = backup::create(&source, out, Clock::system().now()).await;
    pool.close().await;
    let manifest = match made {
        Ok(m) => m,
        Err(e) => return failed("backup", e),
    };
    println!(
        "Backed up {} into {} in {:.1} s.",
        summary(&manifest),
        out.display(),
        started.elapsed().as_secs_f64()
    );
    for note in &manifest.notes {
        println!("Note: {note}");
    }
    println!(
        "Prove it restores with: fellowship-portal verify-backup {}",
        out.display()
    );
    if manifest.missing_documents.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// `restore --from DIR`.
pub async fn restore(figment: &Figment, from: &Path) -> ExitCode {
    let (url, config, store) = match database_and_store(figment) {
        Ok(found) => found,
        Err(e) => return failed("restore", e),
    };
    let target = Target {
        database_url: &url,
        store: &store,
        data_dir: &config.data_dir,
    };
    match backup::restore(from, &target).await {
        Ok(r) => {
            println!("Restored {}.", restored(&r));
            if r.secret_key {
                println!("The cookie key was restored into the data folder: sessions of the backup's time stay valid.");
            }
            for note in &r.manifest.notes {
                println!("Note: {note}");
            }
            println!("Start the portal: it applies any migration newer than the backup.");
            ExitCode::SUCCESS
        }
        Err(e) => failed("restore", e),
    }
}

/// `verify-backup DIR`.
pub async fn verify(figment: &Figment, from: &Path) -> ExitCode {
    let url = database_url(figment).ok();
    match backup::verify(from, url.as_deref()).await {
        Ok(r) => {
            println!(
                "The backup in {} restores: every file matches its manifest, and {}.",
                from.display(),
                restored(&r)
            );
            ExitCode::SUCCESS
        }
        Err(e) => failed("verify-backup", e),
    }
}

/// "the sqlite database (schema version 6; 23 tables, 1,204 rows, 45
/// applications) and 67 documents (12.3 MB)".
fn summary(m: &Manifest) -> String {
    let rows: i64 = m.tables.values().sum();
    let applications = m.tables.get("applications").copied().unwrap_or(0);
    let version = m
        .schema_version
        .map_or_else(|| "no schema".to_owned(), |v| format!("schema version {v}"));
    let documents = if m.documents_included {
        format!(
            "{} documents ({})",
            m.documents,
            crate::domain::document::human_size(m.document_bytes)
        )
    } else {
        format!("the list of its {} documents (kept on S3)", m.documents)
    };
    format!(
        "the {} database ({version}; {} tables, {rows} rows, {applications} applications) and {documents}",
        m.backend,
        m.tables.len()
    )
}

fn restored(r: &Restored) -> String {
    let rows: i64 = r.tables.values().sum();
    format!(
        "the {} database of {} ({} tables, {rows} rows, the same counts as the backup) and {} documents",
        r.manifest.backend,
        r.manifest.created_at.format("%Y-%m-%d %H:%M UTC"),
        r.tables.len(),
        r.documents
    )
}

/// One finding of `check`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    Ok(String),
    Warning(String),
    Problem(String),
}

/// `check`: reads the configuration and tries every outside part, saying
/// what is wrong in words, before anything is served.
pub async fn check(figment: &Figment) -> ExitCode {
    let findings = findings(figment).await;
    for f in &findings {
        match f {
            Finding::Ok(s) => println!("ok       {s}"),
            Finding::Warning(s) => println!("warning  {s}"),
            Finding::Problem(s) => println!("PROBLEM  {s}"),
        }
    }
    let problems = findings
        .iter()
        .filter(|f| matches!(f, Finding::Problem(_)))
        .count();
    let warnings = findings
        .iter()
        .filter(|f| matches!(f, Finding::Warning(_)))
        .count();
    if problems == 0 {
        println!(
            "\nReady to serve ({warnings} warning{}).",
            if warnings == 1 { "" } else { "s" }
        );
        ExitCode::SUCCESS
    } else {
        println!(
            "\n{problems} problem{} to fix before serving ({warnings} warning{}).",
            if problems == 1 { "" } else { "s" },
            if warnings == 1 { "" } else { "s" }
        );
        ExitCode::FAILURE
    }
}

/// Everything `check` finds, in order.
pub async fn findings(figment: &Figment) -> Vec<Finding> {
    let mut out = Vec::new();
    let release = figment.profile() == "release";
    let config = match portal_config(figment) {
        Ok(c) => c,
        Err(e) => {
            out.push(Finding::Problem(format!("the portal's settings: {e}")));
            return out;
        }
    };
    out.push(Finding::Ok(format!(
        "settings read (profile {}, data folder {})",
        figment.profile(),
        config.data_dir.display()
    )));

    // The database, and where its schema stands.
    match database_url(figment) {
        Err(e) => out.push(Finding::Problem(e)),
        Ok(url) => match sqlite_file(&url) {
            Some(file) if !file.exists() => out.push(Finding::Ok(format!(
                "database: no SQLite file at {} yet; the first start creates it",
                file.display()
            ))),
            _ => {
                let reached = tokio::time::timeout(
                    Duration::from_secs(15),
                    crate::db::maintenance::reach(&url),
                )
                .await
                .map_err(|_| "no answer within 15 seconds".to_owned())
                .and_then(|r| r.map_err(|e| e.to_string()));
                let opened = match reached {
                    Ok(()) => open_existing(&url).await,
                    Err(e) => Err(e),
                };
                match opened {
                    Err(e) => out.push(Finding::Problem(format!(
                        "database: cannot reach it ({}): {e}",
                        redacted(&url)
                    ))),
                    Ok(pool) => {
                        let backend = pool.backend().as_str();
                        out.push(match schema::status(&pool).await {
                            Err(e) => Finding::Problem(format!("database: {e}")),
                            Ok(s @ Schema::Newer { .. }) => Finding::Problem(format!(
                                "database: {}",
                                schema::refusal(&s).unwrap_or_default()
                            )),
                            Ok(Schema::UpToDate { version }) => Finding::Ok(format!(
                                "database: {backend} answers, schema version {version}, up to date"
                            )),
                            Ok(Schema::Behind { version, pending }) => Finding::Warning(format!(
                                "database: {backend} answers, schema version {}; {} migration(s) \
                                 will run at the next start (take a backup first; \
                                 `migrate --dry-run` lists them)",
                                version.map_or_else(|| "none".to_owned(), |v| v.to_string()),
                                pending.len()
                            )),
                        });
                        pool.close().await;
                    }
                }
            }
        },
    }

    // The cookie key.
    out.push(secret_key_finding(figment, &config));

    // The document store.
    match Storage::open(&config, std::sync::Arc::default()) {
        Err(e) => out.push(Finding::Problem(format!("documents: {e}"))),
        Ok(store) => {
            let checked = tokio::time::timeout(Duration::from_secs(15), store.check()).await;
            out.push(match checked {
                Ok(Ok(())) => Finding::Ok(format!(
                    "documents: the {} store accepts files",
                    store.name()
                )),
                Ok(Err(e)) => Finding::Problem(format!("documents: {e}")),
                Err(_) => Finding::Problem(format!(
                    "documents: the {} store did not answer within 15 seconds",
                    store.name()
                )),
            });
        }
    }

    // Mail.
    match crate::mail::transport::Transport::from_config(&config) {
        Err(e) => out.push(Finding::Problem(format!("mail: {e}"))),
        Ok(transport) => {
            let probed = tokio::time::timeout(Duration::from_secs(20), transport.probe()).await;
            out.push(match (probed, transport.name()) {
                (Ok(Ok(())), "file") => Finding::Ok(format!(
                    "mail: written as files in {}",
                    config.mail_dir().display()
                )),
                (Ok(Ok(())), _) => Finding::Ok("mail: the relay answers".into()),
                (Ok(Err(e)), _) => Finding::Problem(format!("mail: {e}")),
                (Err(_), _) => {
                    Finding::Problem("mail: the relay did not answer within 20 seconds".into())
                }
            });
        }
    }

    // What keeps mail from reaching inboxes (the start-up log says the same).
    let base = config.base();
    let insecure = !base.starts_with("https://");
    for warning in crate::mail::warnings(&config) {
        // In release a base address that is not https is a problem, below.
        if release && insecure && warning.starts_with("links in mail use plain HTTP") {
            continue;
        }
        out.push(Finding::Warning(format!("mail: {warning}")));
    }

    // Addresses people will see.
    if release && insecure {
        let words = format!(
            "PORTAL_BASE_URL is {base}, not https: links in mail would send people's passwords \
             and private links unencrypted"
        );
        out.push(Finding::Problem(words));
    }
    out
}

/// The cookie key as the settings give it.
fn secret_key_finding(figment: &Figment, config: &PortalConfig) -> Finding {
    let kept = config.data_dir.join("secret_key");
    if figment.find_value("secret_key").is_err() {
        return Finding::Ok(format!(
            "cookie key: generated once and kept in {}",
            kept.display()
        ));
    }
    let generated = std::fs::read_to_string(&kept)
        .ok()
        .zip(figment.extract_inner::<String>("secret_key").ok())
        .is_some_and(|(kept, given)| kept.trim() == given);
    match figment.extract_inner::<rocket::config::SecretKey>("secret_key") {
        Err(_) => Finding::Problem(crate::config::BAD_SECRET_KEY.into()),
        Ok(_) if generated => Finding::Ok(format!(
            "cookie key: generated once and kept in {} (back it up with the data folder)",
            kept.display()
        )),
        Ok(_) => Finding::Ok("cookie key: set by ROCKET_SECRET_KEY".into()),
    }
}

/// A database address without its password.
fn redacted(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_owned(),
    }
}
