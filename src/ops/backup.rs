//! `backup`, `restore` and `verify-backup`: a consistent snapshot of the
//! database taken while the portal serves, the documents of the local store
//! beside it, and a manifest with every file's size and SHA-256 and every
//! table's row count, so that a restore can prove it brought back what was
//! saved.
//!
//! A backup folder holds:
//! - `manifest.json`, written last (a folder without one is unfinished);
//! - `database.sqlite` (SQLite, from `VACUUM INTO`) or `database.pgdump`
//!   (PostgreSQL, `pg_dump --format=custom` of the same snapshot the
//!   counts were read in);
//! - `documents/<fan>/<key>`, every document the snapshot refers to, when
//!   documents are kept in the local folder;
//! - `secret_key`, the cookie key kept in the data folder, when there is one.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, Utc};
use rocket_db_pools::Pool as _;
use serde::{Deserialize, Serialize};
use tokio::io::AsyncWriteExt;

use crate::db::maintenance::{self, PgSnapshot, StoredDocument};
use crate::db::{Backend as Database, PortalPool};
use crate::storage::{self, Backend, Storage};

/// The manifest's file name.
pub const MANIFEST: &str = "manifest.json";
/// The SQLite snapshot's file name.
pub const SQLITE_FILE: &str = "database.sqlite";
/// The PostgreSQL dump's file name.
pub const POSTGRES_FILE: &str = "database.pgdump";
/// The folder of copied documents.
pub const DOCUMENTS: &str = "documents";
/// The copied cookie key.
pub const SECRET_KEY: &str = "secret_key";

/// The manifest's layout version.
const FORMAT: u32 = 1;

/// What a backup holds, written as `manifest.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    /// The release that took it.
    pub portal_version: String,
    pub created_at: DateTime<Utc>,
    /// `sqlite` or `postgres`.
    pub backend: String,
    /// The newest migration applied when it was taken.
    pub schema_version: Option<i64>,
    /// Rows per table, as of the snapshot.
    pub tables: BTreeMap<String, i64>,
    /// `local` or `s3`: where the documents were kept.
    pub store: String,
    /// How many documents the snapshot refers to, and their bytes.
    pub documents: u64,
    pub document_bytes: u64,
    /// Whether the documents are in this backup (`documents/`).
    pub documents_included: bool,
    /// Documents the database refers to that the store did not have.
    #[serde(default)]
    pub missing_documents: Vec<String>,
    /// For the operator, in words (e.g. where documents on S3 are kept).
    #[serde(default)]
    pub notes: Vec<String>,
    /// Every file of the backup but the manifest.
    pub files: Vec<FileEntry>,
}

/// One file of a backup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    /// Relative to the backup folder, with `/`.
    pub path: String,
    pub size: u64,
    /// Hex SHA-256.
    pub sha256: String,
}

/// Why a backup, restore or verification stopped, in words for the
/// operator.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{0}")]
    Refused(String),
    #[error("the database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("{what}: {source}")]
    Io {
        what: String,
        source: std::io::Error,
    },
    #[error("the document store: {0}")]
    Storage(#[from] crate::storage::StorageError),
    #[error("{0}")]
    Tool(String),
}

type Result<T> = std::result::Result<T, BackupError>;

fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> BackupError {
    let what = what.into();
    move |source| BackupError::Io { what, source }
}

fn refused(words: impl Into<String>) -> BackupError {
    BackupError::Refused(words.into())
}

/// Where to take a backup from: the live database (by address and by an
/// open pool), the document store and the data folder.
pub struct Source<'a> {
    pub pool: &'a PortalPool,
    pub database_url: &'a str,
    pub store: &'a Storage,
    pub data_dir: &'a Path,
}

/// Takes a backup into `out` (a new or empty folder) while the portal
/// keeps serving.
#[tracing::instrument(skip_all)]
pub async fn create(source: &Source<'_>, out: &Path, now: DateTime<Utc>) -> Result<Manifest> {
    prepare_empty_folder(out)?;
    let result = write_backup(source, out, now).await;
    if result.is_err() {
        // Half a backup must not pass for one: without its manifest it
        // never would, but the copied personal data goes too.
        let _ = std::fs::remove_dir_all(out);
    }
    result
}

async fn write_backup(source: &Source<'_>, out: &Path, now: DateTime<Utc>) -> Result<Manifest> {
    let backend = source.pool.backend();
    let (tables, schema_version, documents) = match backend {
        Database::Sqlite => {
            let file = out.join(SQLITE_FILE);
            {
                let mut conn = source.pool.conn().await?;
                maintenance::sqlite_snapshot(conn.exec(), &file).await?;
            }
            restrict(&file)?;
            read_sqlite_file(&file).await?
        }
        Database::Postgres => {
            let mut snapshot = PgSnapshot::start(source.pool).await?;
            let (tables, schema_version) = counts(snapshot.exec()).await?;
            let documents = maintenance::documents(snapshot.exec()).await?;
            let dumped = pg_dump(source.database_url, &snapshot.id, &out.join(POSTGRES_FILE)).await;
            let major = maintenance::server_major_version(snapshot.exec())
                .await
                .ok()
                .flatten();
            snapshot.finish().await?;
            dumped.map_err(|e| match major {
                Some(major) if e.to_string().contains("server version") => BackupError::Tool(format!(
                    "{e} (the server is PostgreSQL {major}: install the postgresql-client package of version {major} or later)"
                )),
                _ => e,
            })?;
            (tables, schema_version, documents)
        }
    };

    let database = match backend {
        Database::Sqlite => SQLITE_FILE,
        Database::Postgres => POSTGRES_FILE,
    };
    let mut files = vec![entry(out, database).await?];
    let mut notes = Vec::new();
    let mut missing = Vec::new();
    let included = matches!(source.store.backend(), Backend::Local { .. });
    if included {
        for doc in &documents {
            match copy_document(source.store, doc, out).await? {
                Some(copied) => files.push(copied),
                None => missing.push(doc.storage_key.clone()),
            }
        }
    } else {
        let these = match documents.len() {
            1 => "The one document is".to_owned(),
            n => format!("The {n} documents are"),
        };
        notes.push(format!(
            "{these} kept in the S3 bucket and not in this backup: the bucket's own \
             versioning or replication is their backup. Restore the bucket (or keep it) \
             alongside this database."
        ));
    }
    if !missing.is_empty() {
        notes.push(format!(
            "{} document(s) the database refers to were not in the store when the backup \
             was taken; their keys are listed under missing_documents.",
            missing.len()
        ));
    }
    let key = source.data_dir.join(SECRET_KEY);
    if key.exists() {
        let target = out.join(SECRET_KEY);
        tokio::fs::copy(&key, &target)
            .await
            .map_err(io(format!("copying {}", key.display())))?;
        restrict(&target)?;
        files.push(entry(out, SECRET_KEY).await?);
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let manifest = Manifest {
        format: FORMAT,
        portal_version: env!("CARGO_PKG_VERSION").to_owned(),
        created_at: now,
        backend: backend.as_str().to_owned(),
        schema_version,
        tables,
        store: source.store.name().to_owned(),
        documents: documents.len() as u64,
        document_bytes: documents
            .iter()
            .map(|d| u64::try_from(d.size_bytes).unwrap_or(0))
            .sum(),
        documents_included: included,
        missing_documents: missing,
        notes,
        files,
    };
    let path = out.join(MANIFEST);
    let text =
        serde_json::to_string_pretty(&manifest).map_err(|e| BackupError::Tool(e.to_string()))?;
    write_synced(&path, text.as_bytes()).await?;
    Ok(manifest)
}

/// Where to restore into: an empty database (by address) and an empty
/// document store, with the data folder for the cookie key.
pub struct Target<'a> {
    pub database_url: &'a str,
    pub store: &'a Storage,
    pub data_dir: &'a Path,
}

/// What a restore brought back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Restored {
    pub manifest: Manifest,
    /// Rows per table in the restored database.
    pub tables: BTreeMap<String, i64>,
    pub documents: u64,
    pub secret_key: bool,
}

/// Restores the backup in `from` into `target`, which must be empty: every
/// file is checked against the manifest before anything is written, and
/// the restored tables are counted against it afterwards.
#[tracing::instrument(skip_all)]
pub async fn restore(from: &Path, target: &Target<'_>) -> Result<Restored> {
    let manifest = read_checked(from).await?;
    let backend = Database::from_url(target.database_url).ok_or_else(|| {
        refused("DATABASE_URL must start with sqlite: or postgres: to restore into it")
    })?;
    if backend.as_str() != manifest.backend {
        return Err(refused(format!(
            "this backup is of a {} database and the portal is configured for {}: set \
             DATABASE_URL to an empty {} database to restore it",
            manifest.backend,
            backend.as_str(),
            manifest.backend
        )));
    }
    let known = maintenance::known_migrations(backend)
        .iter()
        .map(|m| m.version)
        .max()
        .unwrap_or(0);
    if let Some(v) = manifest.schema_version.filter(|v| *v > known) {
        return Err(refused(format!(
            "this backup was taken by fellowship-portal {} at schema version {v}; this \
             release ({}) knows versions up to {known}: restore it with that release or a later one",
            manifest.portal_version,
            env!("CARGO_PKG_VERSION")
        )));
    }
    // Everything is checked before anything is written.
    match backend {
        Database::Sqlite => sqlite_target_is_empty(target.database_url).await?,
        Database::Postgres => {
            let pool = PortalPool::connect(target.database_url, 1, Duration::from_secs(10))
                .await
                .map_err(|e| refused(format!("cannot open the target database: {e}")))?;
            let mut conn = pool.conn().await?;
            let tables = maintenance::tables(conn.exec()).await?;
            drop(conn);
            pool.close().await;
            if !tables.is_empty() {
                return Err(refused(format!(
                    "the target database is not empty (it has {} tables, among them {}): \
                     restore only into a new, empty database",
                    tables.len(),
                    tables[0]
                )));
            }
        }
    }
    if let Backend::Local { root } = target.store.backend() {
        tokio::fs::create_dir_all(root)
            .await
            .map_err(io(format!("creating {}", root.display())))?;
    }
    if manifest.documents_included {
        let present = target.store.list().await?;
        if !present.is_empty() {
            return Err(refused(format!(
                "the document store already holds {} document(s): restore only into an empty \
                 data folder (or bucket)",
                present.len()
            )));
        }
    }

    match backend {
        Database::Sqlite => {
            let path = sqlite_path(target.database_url).to_path_buf();
            let partial = path.with_extension("restoring");
            tokio::fs::copy(from.join(SQLITE_FILE), &partial)
                .await
                .map_err(io(format!("writing {}", partial.display())))?;
            restrict(&partial)?;
            tokio::fs::rename(&partial, &path)
                .await
                .map_err(io(format!("moving the database into {}", path.display())))?;
        }
        Database::Postgres => pg_restore(target.database_url, &from.join(POSTGRES_FILE)).await?,
    }

    let mut documents = 0;
    if manifest.documents_included {
        for entry in manifest
            .files
            .iter()
            .filter(|f| f.path.starts_with(&format!("{DOCUMENTS}/")))
        {
            let key = entry.path.rsplit('/').next().unwrap_or_default().to_owned();
            let file = tokio::fs::File::open(from.join(&entry.path))
                .await
                .map_err(io(format!("reading {}", entry.path)))?;
            let stored = target.store.put_as(key, file).await?;
            if stored.sha256 != entry.sha256 {
                return Err(BackupError::Tool(format!(
                    "the document {} changed while it was restored",
                    entry.path
                )));
            }
            documents += 1;
        }
    }

    // The target was empty, so a key already in its data folder (made at
    // the command's start) guards no session: the backup's replaces it.
    let mut secret_key = false;
    let key = from.join(SECRET_KEY);
    let kept = target.data_dir.join(SECRET_KEY);
    if key.exists() {
        tokio::fs::create_dir_all(target.data_dir)
            .await
            .map_err(io(format!("creating {}", target.data_dir.display())))?;
        tokio::fs::copy(&key, &kept)
            .await
            .map_err(io(format!("writing {}", kept.display())))?;
        restrict(&kept)?;
        secret_key = true;
    }

    // Counted again from what was written.
    let pool = PortalPool::connect(target.database_url, 1, Duration::from_secs(10))
        .await
        .map_err(|e| BackupError::Tool(format!("cannot open the restored database: {e}")))?;
    let checked = async {
        let mut conn = pool.conn().await?;
        if let Err(problem) = maintenance::integrity(conn.exec()).await? {
            return Err(BackupError::Tool(format!(
                "the restored database is damaged: {problem}"
            )));
        }
        let (tables, _) = counts(conn.exec()).await?;
        Ok(tables)
    }
    .await;
    pool.close().await;
    let tables = checked?;
    if let Some(difference) = difference(&manifest.tables, &tables) {
        return Err(BackupError::Tool(format!(
            "the restored database does not match the backup: {difference}"
        )));
    }
    Ok(Restored {
        manifest,
        tables,
        documents,
        secret_key,
    })
}

/// Restores the backup into a temporary place (a folder, and for a
/// PostgreSQL backup a temporary database on the server `server_url`
/// names) and compares what came back with the manifest; removes it all.
#[tracing::instrument(skip_all)]
pub async fn verify(from: &Path, server_url: Option<&str>) -> Result<Restored> {
    let manifest = read_manifest(from).await?;
    let place = tempfile::Builder::new()
        .prefix("fellowship-portal-verify-")
        .tempdir()
        .map_err(io("creating a temporary folder"))?;
    let store = Storage::new(
        Backend::Local {
            root: place.path().join(DOCUMENTS),
        },
        std::sync::Arc::default(),
    );
    match manifest.backend.as_str() {
        "sqlite" => {
            let url = format!("sqlite://{}", place.path().join("portal.sqlite").display());
            restore(
                from,
                &Target {
                    database_url: &url,
                    store: &store,
                    data_dir: place.path(),
                },
            )
            .await
        }
        "postgres" => {
            let server = server_url
                .filter(|u| Database::from_url(u) == Some(Database::Postgres))
                .ok_or_else(|| {
                    refused(
                    "this backup is of a PostgreSQL database: verify-backup restores it into a \
                     temporary database, so DATABASE_URL must name a PostgreSQL server where \
                     it may create one",
                )
                })?;
            let name = format!("portal_verify_{:08x}", rand::random::<u32>());
            let url = with_database(server, &name)?;
            let admin = PortalPool::connect(server, 1, Duration::from_secs(10))
                .await
                .map_err(|e| refused(format!("cannot reach the PostgreSQL server: {e}")))?;
            {
                let mut conn = admin.conn().await?;
                maintenance::create_database(conn.exec(), &name)
                    .await
                    .map_err(|e| {
                        refused(format!(
                            "cannot create the temporary database {name} to verify into: {e}"
                        ))
                    })?;
            }
            let result = restore(
                from,
                &Target {
                    database_url: &url,
                    store: &store,
                    data_dir: place.path(),
                },
            )
            .await;
            if let Ok(mut conn) = admin.conn().await {
                let _ = maintenance::drop_database(conn.exec(), &name).await;
            }
            admin.close().await;
            result
        }
        other => Err(refused(format!(
            "the manifest names an unknown database kind {other:?}"
        ))),
    }
}

/// The manifest of the backup in `from`, with every file it lists checked
/// (present, same size, same SHA-256) and no file missing from it.
#[tracing::instrument(skip_all)]
pub async fn read_checked(from: &Path) -> Result<Manifest> {
    let manifest = read_manifest(from).await?;
    let mut problems = Vec::new();
    for entry in &manifest.files {
        if entry
            .path
            .split('/')
            .any(|part| part == ".." || part.is_empty())
        {
            problems.push(format!("{}: not a path inside the backup", entry.path));
            continue;
        }
        match storage::hash_file_async(&from.join(&entry.path)).await {
            Ok((size, sha256)) if size == entry.size && sha256 == entry.sha256 => {}
            Ok((size, _)) if size != entry.size => problems.push(format!(
                "{}: {size} bytes, the manifest says {}",
                entry.path, entry.size
            )),
            Ok(_) => problems.push(format!(
                "{}: its SHA-256 differs from the manifest's (the file changed or is damaged)",
                entry.path
            )),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                problems.push(format!("{}: missing", entry.path));
            }
            Err(e) => problems.push(format!("{}: cannot be read ({e})", entry.path)),
        }
    }
    let database = match manifest.backend.as_str() {
        "postgres" => POSTGRES_FILE,
        _ => SQLITE_FILE,
    };
    if !manifest.files.iter().any(|f| f.path == database) {
        problems.push(format!("{database}: not listed in the manifest"));
    }
    if problems.is_empty() {
        Ok(manifest)
    } else {
        Err(refused(format!(
            "the backup in {} fails its checks, so nothing was restored:\n  {}",
            from.display(),
            problems.join("\n  ")
        )))
    }
}

async fn read_manifest(from: &Path) -> Result<Manifest> {
    let path = from.join(MANIFEST);
    let text = match tokio::fs::read_to_string(&path).await {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(refused(format!(
                "{} has no {MANIFEST}: it is not a backup, or the backup did not finish",
                from.display()
            )))
        }
        Err(e) => return Err(io(format!("reading {}", path.display()))(e)),
    };
    let manifest: Manifest = serde_json::from_str(&text)
        .map_err(|e| refused(format!("{} cannot be read: {e}", path.display())))?;
    if manifest.format != FORMAT {
        return Err(refused(format!(
            "{} is of layout {}, this release reads layout {FORMAT}",
            path.display(),
            manifest.format
        )));
    }
    Ok(manifest)
}

/// What differs between two sets of table counts, in words; `None` when
/// they agree.
pub fn difference(
    expected: &BTreeMap<String, i64>,
    found: &BTreeMap<String, i64>,
) -> Option<String> {
    let mut out = Vec::new();
    for (table, n) in expected {
        match found.get(table) {
            Some(m) if m == n => {}
            Some(m) => out.push(format!("{table} has {m} rows, the backup {n}")),
            None => out.push(format!("{table} is missing")),
        }
    }
    for table in found.keys().filter(|t| !expected.contains_key(*t)) {
        out.push(format!("{table} is not in the backup"));
    }
    (!out.is_empty()).then(|| out.join("; "))
}

async fn counts(mut ex: crate::db::Exec<'_>) -> Result<(BTreeMap<String, i64>, Option<i64>)> {
    let mut tables = BTreeMap::new();
    for table in maintenance::tables(ex.reborrow()).await? {
        let n = maintenance::count_rows(ex.reborrow(), &table).await?;
        tables.insert(table, n);
    }
    let version = maintenance::applied_versions(ex).await?.into_iter().max();
    Ok((tables, version))
}

/// Counts and documents of a SQLite snapshot file, opened read-only (no
/// journal or lock files appear beside it).
async fn read_sqlite_file(
    file: &Path,
) -> Result<(BTreeMap<String, i64>, Option<i64>, Vec<StoredDocument>)> {
    let pool = maintenance::open_read_only(file).await?;
    let read = async {
        let mut conn = pool.conn().await?;
        let (tables, version) = counts(conn.exec()).await?;
        let documents = maintenance::documents(conn.exec()).await?;
        Ok::<_, BackupError>((tables, version, documents))
    }
    .await;
    pool.close().await;
    let (tables, version, documents) = read?;
    Ok((tables, version, documents))
}

async fn sqlite_target_is_empty(url: &str) -> Result<()> {
    let path = sqlite_path(url);
    match tokio::fs::metadata(&path).await {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(io(format!("reading {}", path.display()))(e)),
        Ok(m) if m.len() == 0 => {}
        Ok(_) => {
            return Err(refused(format!(
                "{} already holds a database: restore only into an empty data folder (move \
                 the old database away first if you mean to replace it)",
                path.display()
            )))
        }
    }
    if let Some(parent) = path.parent() {
        tokio::fs::create_dir_all(parent)
            .await
            .map_err(io(format!("creating {}", parent.display())))?;
    }
    Ok(())
}

/// The file of a `sqlite:` address (the callers have read the backend
/// from it already).
fn sqlite_path(url: &str) -> &Path {
    maintenance::sqlite_file(url).unwrap_or(Path::new(url))
}

/// `url` with its database name replaced by `name`.
fn with_database(url: &str, name: &str) -> Result<String> {
    let mut parsed = url::Url::parse(url)
        .map_err(|e| refused(format!("DATABASE_URL is not a valid address: {e}")))?;
    parsed.set_path(&format!("/{name}"));
    Ok(parsed.to_string())
}

/// Copies one document into the backup, checking it against what the
/// database recorded; `None` when the store does not have it.
async fn copy_document(
    store: &Storage,
    doc: &StoredDocument,
    out: &Path,
) -> Result<Option<FileEntry>> {
    let mut reader = match store.read(&doc.storage_key).await {
        Ok(r) => r,
        Err(storage::StorageError::NotFound) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let key = &doc.storage_key;
    let relative = format!("{DOCUMENTS}/{}/{key}", key.get(..2).unwrap_or("00"));
    let path = out.join(&relative);
    if let Some(parent) = path.parent() {
        tokio::fs::create_dir_all(parent)
            .await
            .map_err(io(format!("creating {}", parent.display())))?;
    }
    let (size, sha256) = storage::copy_hashing(&mut reader, &path)
        .await
        .map_err(io(format!("copying document {key} into {relative}")))?;
    if sha256 != doc.sha256 {
        return Err(BackupError::Tool(format!(
            "document {key} in the store differs from what the database recorded (SHA-256)"
        )));
    }
    Ok(Some(FileEntry {
        path: relative,
        size,
        sha256,
    }))
}

/// The file `relative` (with `/`) of the backup in `root`, with its size
/// and SHA-256.
async fn entry(root: &Path, relative: &str) -> Result<FileEntry> {
    let (size, sha256) = storage::hash_file_async(&root.join(relative))
        .await
        .map_err(io(format!("reading {relative}")))?;
    Ok(FileEntry {
        path: relative.to_owned(),
        size,
        sha256,
    })
}

/// Creates `out` (readable by its owner only), or accepts it when it is an
/// empty folder.
fn prepare_empty_folder(out: &Path) -> Result<()> {
    match std::fs::read_dir(out) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                return Err(refused(format!(
                    "{} is not empty: a backup goes into a new or empty folder",
                    out.display()
                )));
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(out).map_err(io(format!("creating {}", out.display())))?;
        }
        Err(e) => return Err(io(format!("opening {}", out.display()))(e)),
    }
    restrict_dir(out)
}

/// Personal data: the owner alone may read it.
fn restrict(path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
        .map_err(io(format!("protecting {}", path.display())))
}

fn restrict_dir(path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o700))
        .map_err(io(format!("protecting {}", path.display())))
}

async fn write_synced(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut file = tokio::fs::File::create(path)
        .await
        .map_err(io(format!("writing {}", path.display())))?;
    file.write_all(bytes)
        .await
        .map_err(io(format!("writing {}", path.display())))?;
    file.sync_all()
        .await
        .map_err(io(format!("writing {}", path.display())))?;
    restrict(path)
}

/// Runs `pg_dump` of the exported snapshot into `file`.
async fn pg_dump(url: &str, snapshot: &str, file: &Path) -> Result<()> {
    let output = tokio::process::Command::new("pg_dump")
        .arg("--format=custom")
        .arg("--no-owner")
        .arg("--no-privileges")
        .arg(format!("--snapshot={snapshot}"))
        .arg(format!("--file={}", file.display()))
        .arg(format!("--dbname={url}"))
        .output()
        .await
        .map_err(|e| tool_missing("pg_dump", &e))?;
    if !output.status.success() {
        return Err(BackupError::Tool(format!(
            "pg_dump failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    restrict(file)
}

/// Runs `pg_restore` of `file` into the database `url` names, in one
/// transaction (all or nothing).
async fn pg_restore(url: &str, file: &Path) -> Result<()> {
    let output = tokio::process::Command::new("pg_restore")
        .arg("--no-owner")
        .arg("--no-privileges")
        .arg("--exit-on-error")
        .arg("--single-transaction")
        .arg(format!("--dbname={url}"))
        .arg(file)
        .output()
        .await
        .map_err(|e| tool_missing("pg_restore", &e))?;
    if !output.status.success() {
        return Err(BackupError::Tool(format!(
            "pg_restore failed (nothing was restored): {}",
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    Ok(())
}

fn tool_missing(tool: &str, e: &std::io::Error) -> BackupError {
    if e.kind() == std::io::ErrorKind::NotFound {
        BackupError::Tool(format!(
            "{tool} is not installed, and the PostgreSQL database is backed up and restored \
             with it: install PostgreSQL's client programs (on Debian or Ubuntu `apt-get \
             install postgresql-client`, of the server's major version or later) and run \
             this again"
        ))
    } else {
        BackupError::Tool(format!("cannot run {tool}: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_counts_are_compared_in_words() {
        let a: BTreeMap<String, i64> = [("applications".into(), 3), ("users".into(), 5)].into();
        assert_eq!(difference(&a, &a.clone()), None);
        let b: BTreeMap<String, i64> = [("applications".into(), 2), ("documents".into(), 1)].into();
        assert_eq!(
            difference(&a, &b).unwrap(),
            "applications has 2 rows, the backup 3; users is missing; documents is not in the backup"
        );
    }

    #[test]
    fn a_temporary_database_keeps_the_server_and_credentials() {
        assert_eq!(
            with_database(
                "postgres://portal:secret@db.internal:5433/portal?sslmode=require",
                "portal_verify_1"
            )
            .unwrap(),
            "postgres://portal:secret@db.internal:5433/portal_verify_1?sslmode=require"
        );
    }

    #[tokio::test]
    async fn a_backup_goes_only_into_a_new_or_empty_folder() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("old.txt"), "x").unwrap();
        let e = prepare_empty_folder(dir.path()).unwrap_err().to_string();
        assert!(
            e.ends_with("is not empty: a backup goes into a new or empty folder"),
            "{e}"
        );
        let fresh = dir.path().join("new");
        prepare_empty_folder(&fresh).unwrap();
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&fresh).unwrap().permissions().mode() & 0o777,
            0o700
        );
    }

    #[tokio::test]
    async fn a_changed_missing_or_unlisted_file_refuses_the_restore_naming_each() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(SQLITE_FILE), b"database bytes").unwrap();
        std::fs::create_dir_all(dir.path().join("documents/ab")).unwrap();
        std::fs::write(dir.path().join("documents/ab/abcd"), b"a letter").unwrap();
        let files = vec![
            entry(dir.path(), "documents/ab/abcd").await.unwrap(),
            entry(dir.path(), SQLITE_FILE).await.unwrap(),
        ];
        let manifest = Manifest {
            format: FORMAT,
            portal_version: "0".into(),
            created_at: Utc::now(),
            backend: "sqlite".into(),
            schema_version: Some(1),
            tables: BTreeMap::new(),
            store: "local".into(),
            documents: 1,
            document_bytes: 8,
            documents_included: true,
            missing_documents: vec![],
            notes: vec![],
            files: files.clone(),
        };
        std::fs::write(
            dir.path().join(MANIFEST),
            serde_json::to_string(&manifest).unwrap(),
        )
        .unwrap();
        assert_eq!(read_checked(dir.path()).await.unwrap(), manifest);

        std::fs::write(dir.path().join("documents/ab/abcd"), b"a LETTER").unwrap();
        let e = read_checked(dir.path()).await.unwrap_err().to_string();
        assert!(
            e.contains("documents/ab/abcd: its SHA-256 differs from the manifest's"),
            "{e}"
        );
        assert!(e.contains("nothing was restored"), "{e}");

        std::fs::remove_file(dir.path().join("documents/ab/abcd")).unwrap();
        let e = read_checked(dir.path()).await.unwrap_err().to_string();
        assert!(e.contains("documents/ab/abcd: missing"), "{e}");

        std::fs::write(dir.path().join(SQLITE_FILE), b"database bytes, longer").unwrap();
        let e = read_checked(dir.path()).await.unwrap_err().to_string();
        assert!(
            e.contains("database.sqlite: 22 bytes, the manifest says 14"),
            "{e}"
        );

        std::fs::remove_file(dir.path().join(MANIFEST)).unwrap();
        let e = read_checked(dir.path()).await.unwrap_err().to_string();
        assert!(
            e.contains("has no manifest.json: it is not a backup, or the backup did not finish"),
            "{e}"
        );
    }
}
