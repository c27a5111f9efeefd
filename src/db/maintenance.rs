//! What the operator's commands read and do to the database as a whole:
//! the schema version, the tables and their sizes, the documents a backup
//! must carry, and the consistent snapshot itself.

use super::{Backend, DbResult, Exec, PortalPool, POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS};

/// One migration: its number and what it does (from its file name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Migration {
    pub version: i64,
    pub description: String,
}

impl std::fmt::Display for Migration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04} {}", self.version, self.description)
    }
}

/// The migrations this binary carries for `backend`, oldest first.
pub fn known_migrations(backend: Backend) -> Vec<Migration> {
    let migrator = match backend {
        Backend::Sqlite => &SQLITE_MIGRATIONS,
        Backend::Postgres => &POSTGRES_MIGRATIONS,
    };
    migrator
        .iter()
        .map(|m| Migration {
            version: m.version,
            description: m.description.replace('_', " "),
        })
        .collect()
}

/// The versions of the migrations applied to the database, oldest first;
/// empty for a database never migrated.
#[tracing::instrument(skip_all)]
pub async fn applied_versions(mut ex: Exec<'_>) -> DbResult<Vec<i64>> {
    let present = match ex.reborrow() {
        Exec::Sqlite(c) => sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
        )
        .fetch_one(&mut *c)
        .await?
            > 0,
        Exec::Postgres(c) => {
            sqlx::query_scalar::<_, bool>("SELECT to_regclass('_sqlx_migrations') IS NOT NULL")
                .fetch_one(&mut *c)
                .await?
        }
    };
    if !present {
        return Ok(Vec::new());
    }
    let sql = "SELECT version FROM _sqlx_migrations WHERE success ORDER BY version";
    run!(ex, c => sqlx::query_scalar::<_, i64>(sql).fetch_all(c).await)
}

/// The portal's tables (its migrations' bookkeeping among them), by name.
#[tracing::instrument(skip_all)]
pub async fn tables(ex: Exec<'_>) -> DbResult<Vec<String>> {
    match ex {
        Exec::Sqlite(c) => {
            sqlx::query_scalar(
                "SELECT name FROM sqlite_master WHERE type = 'table' \
                 AND name NOT LIKE 'sqlite_%' ORDER BY name",
            )
            .fetch_all(c)
            .await
        }
        Exec::Postgres(c) => {
            sqlx::query_scalar(
                "SELECT tablename::text FROM pg_tables WHERE schemaname = current_schema() \
                 ORDER BY tablename",
            )
            .fetch_all(c)
            .await
        }
    }
}

/// How many rows `table` holds; `table` must be one [`tables`] named.
#[tracing::instrument(skip_all)]
pub async fn count_rows(ex: Exec<'_>, table: &str) -> DbResult<i64> {
    // A name from the catalogue, quoted as an identifier all the same.
    let sql = format!("SELECT COUNT(*) FROM \"{}\"", table.replace('"', "\"\""));
    run!(ex, c => sqlx::query_scalar::<_, i64>(&sql).fetch_one(c).await)
}

/// A stored document as the database records it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StoredDocument {
    pub storage_key: String,
    pub size_bytes: i64,
    pub sha256: String,
}

/// Every document the database refers to, in the order they were stored.
#[tracing::instrument(skip_all)]
pub async fn documents(ex: Exec<'_>) -> DbResult<Vec<StoredDocument>> {
    let sql = "SELECT storage_key, size_bytes, sha256 FROM documents ORDER BY id";
    run!(ex, c => sqlx::query_as(sql).fetch_all(c).await)
}

/// Writes a consistent copy of a SQLite database to `path` while others
/// keep reading and writing it (`VACUUM INTO`: one read transaction, so
/// the copy is the database as of one instant, compacted).
#[tracing::instrument(skip_all)]
pub async fn sqlite_snapshot(ex: Exec<'_>, path: &std::path::Path) -> DbResult<()> {
    let Exec::Sqlite(c) = ex else {
        return Err(sqlx::Error::Protocol("VACUUM INTO is SQLite's".into()));
    };
    let literal = path.to_string_lossy().replace('\'', "''");
    sqlx::query(&format!("VACUUM INTO '{literal}'"))
        .execute(c)
        .await?;
    Ok(())
}

/// Whether SQLite finds the database file sound (`PRAGMA integrity_check`);
/// its first complaint otherwise. PostgreSQL: always sound.
#[tracing::instrument(skip_all)]
pub async fn integrity(ex: Exec<'_>) -> DbResult<Result<(), String>> {
    match ex {
        Exec::Sqlite(c) => {
            let verdict: String = sqlx::query_scalar("PRAGMA integrity_check")
                .fetch_one(c)
                .await?;
            Ok(if verdict == "ok" {
                Ok(())
            } else {
                Err(verdict)
            })
        }
        Exec::Postgres(_) => Ok(Ok(())),
    }
}

/// A PostgreSQL transaction that sees the database as of one instant and
/// shares that view with `pg_dump --snapshot`, so what a backup counts and
/// what it dumps are the same rows.
pub struct PgSnapshot {
    tx: sqlx::Transaction<'static, sqlx::Postgres>,
    /// The id `pg_dump --snapshot` takes.
    pub id: String,
}

impl PgSnapshot {
    /// Starts the snapshot on a connection of `pool` (PostgreSQL only).
    #[tracing::instrument(skip_all)]
    pub async fn start(pool: &PortalPool) -> DbResult<Self> {
        let PortalPool::Postgres(p) = pool else {
            return Err(sqlx::Error::Protocol("snapshots are PostgreSQL's".into()));
        };
        let mut tx = p.begin().await?;
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            .execute(&mut *tx)
            .await?;
        let id = sqlx::query_scalar("SELECT pg_export_snapshot()")
            .fetch_one(&mut *tx)
            .await?;
        Ok(Self { tx, id })
    }

    /// Borrows the snapshot's transaction for one query.
    pub fn exec(&mut self) -> Exec<'_> {
        Exec::Postgres(&mut self.tx)
    }

    /// Ends the snapshot (it only read).
    #[tracing::instrument(skip_all)]
    pub async fn finish(self) -> DbResult<()> {
        self.tx.rollback().await
    }
}

/// The major version of the PostgreSQL server (e.g. 15), for the message
/// when `pg_dump` is older than the server.
#[tracing::instrument(skip_all)]
pub async fn server_major_version(ex: Exec<'_>) -> DbResult<Option<i64>> {
    match ex {
        Exec::Postgres(c) => {
            let n: String = sqlx::query_scalar("SHOW server_version_num")
                .fetch_one(c)
                .await?;
            Ok(n.parse::<i64>().ok().map(|n| n / 10_000))
        }
        Exec::Sqlite(_) => Ok(None),
    }
}

/// Creates an empty PostgreSQL database `name` (a plain identifier) on the
/// server `ex` is connected to.
#[tracing::instrument(skip_all)]
pub async fn create_database(ex: Exec<'_>, name: &str) -> DbResult<()> {
    let Exec::Postgres(c) = ex else {
        return Err(sqlx::Error::Protocol(
            "databases are created on PostgreSQL".into(),
        ));
    };
    sqlx::query(&format!("CREATE DATABASE \"{name}\""))
        .execute(c)
        .await?;
    Ok(())
}

/// Drops the PostgreSQL database `name`, ending its sessions.
#[tracing::instrument(skip_all)]
pub async fn drop_database(ex: Exec<'_>, name: &str) -> DbResult<()> {
    let Exec::Postgres(c) = ex else {
        return Err(sqlx::Error::Protocol(
            "databases are dropped on PostgreSQL".into(),
        ));
    };
    sqlx::query(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
        .execute(c)
        .await?;
    Ok(())
}

/// Opens a SQLite file read-only and immutable (a backup's snapshot): no
/// journal or lock file appears beside it.
#[tracing::instrument(skip_all)]
pub async fn open_read_only(file: &std::path::Path) -> DbResult<PortalPool> {
    let options = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(file)
        .read_only(true)
        .immutable(true);
    let pool = sqlx::sqlite::SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await?;
    Ok(PortalPool::Sqlite(pool))
}

/// Opens and closes one connection to `url`, for the driver's own reason
/// when the database cannot be reached (a pool only says it timed out).
#[tracing::instrument(skip_all)]
pub async fn reach(url: &str) -> DbResult<()> {
    use sqlx::Connection;
    match Backend::from_url(url) {
        Some(Backend::Postgres) => sqlx::PgConnection::connect(url).await?.close().await,
        Some(Backend::Sqlite) => sqlx::SqliteConnection::connect(url).await?.close().await,
        None => Err(sqlx::Error::Configuration(
            "the address must start with sqlite: or postgres:".into(),
        )),
    }
}

/// The file a `sqlite:` address names (without its options); `None` for
/// any other address.
pub fn sqlite_file(url: &str) -> Option<&std::path::Path> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    Some(std::path::Path::new(rest.split('?').next().unwrap_or(rest)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn a_sqlite_address_names_its_file() {
        assert_eq!(
            sqlite_file("sqlite:///var/lib/portal/portal.sqlite"),
            Some(Path::new("/var/lib/portal/portal.sqlite"))
        );
        assert_eq!(
            sqlite_file("sqlite://data/portal.sqlite?mode=rwc"),
            Some(Path::new("data/portal.sqlite"))
        );
        assert_eq!(
            sqlite_file("sqlite:portal.sqlite"),
            Some(Path::new("portal.sqlite"))
        );
        assert_eq!(sqlite_file("postgres://db/portal"), None);
    }
}
