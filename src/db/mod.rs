//! The database: one pool of whichever backend the URL names (SQLite or
//! PostgreSQL), migrations, and one file per aggregate.
//!
//! Every query is written once, in SQL both backends accept, and run through
//! [`run!`] on the live connection, so both typed drivers are compiled and
//! type-checked and neither can rot. Functions here take an [`Exec`] (a
//! connection or a transaction) and return domain types; they never return
//! JSON or template contexts, and never import the web layer.

use std::str::FromStr;
use std::time::Duration;

use rocket::figment::Figment;
use rocket_db_pools::Database;
use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Postgres, Sqlite};

/// Runs `$body` with `$c` bound to the live backend's connection
/// (`&mut SqliteConnection` or `&mut PgConnection`). The body is compiled
/// once per backend.
macro_rules! run {
    ($exec:expr, $c:ident => $body:expr) => {
        match $exec {
            $crate::db::Exec::Sqlite($c) => $body,
            $crate::db::Exec::Postgres($c) => $body,
        }
    };
}

/// Runs the statement `$query` (built inside, once per backend) and
/// returns how many rows it touched.
macro_rules! execute {
    ($exec:expr, $query:expr) => {
        run!($exec, c => ($query).execute(c).await.map(|r| r.rows_affected()))
    };
}

/// The one row of an `INSERT`, `UPDATE` or `DELETE ... RETURNING`, read to
/// the statement's end. On SQLite, `fetch_one` and `fetch_optional` stop at
/// the first row and leave the statement running, so outside a transaction
/// its write stays uncommitted (unseen by other connections) until the
/// statement happens to be reset (sqlx issue 2099).
pub(crate) fn returned_one<T>(rows: Result<Vec<T>, sqlx::Error>) -> Result<T, sqlx::Error> {
    rows?.into_iter().next().ok_or(sqlx::Error::RowNotFound)
}

/// [`returned_one`] for a statement that may touch no row.
pub(crate) fn returned<T>(rows: Result<Vec<T>, sqlx::Error>) -> Result<Option<T>, sqlx::Error> {
    Ok(rows?.into_iter().next())
}

pub mod applicant_reminders;
pub mod applications;
pub mod assignments;
pub mod audit;
pub mod cycle_setup;
pub mod cycles;
pub mod dashboard;
pub mod decisions;
pub mod desk;
pub mod documents;
pub mod email_changes;
pub mod export;
pub mod form_versions;
mod ids;
pub mod invitations;
pub mod labels;
pub mod limits;
pub mod mail_preferences;
pub mod maintenance;
pub mod messages;
pub mod notes;
pub mod outbox;
pub mod outcomes;
pub mod profiles;
pub mod programs;
pub mod ranking;
pub mod referees;
pub mod reviews;
pub mod roles;
pub mod rubrics;
pub mod scores;
pub mod search;
pub mod sessions;
pub mod sign_ins;
pub mod site;
pub mod stashes;
mod states;
pub mod summaries;
pub mod throttle;
pub mod tokens;
pub mod users;

/// Why a database call failed (the driver's error, named here so that no
/// layer above `db` names the driver).
pub type DbError = sqlx::Error;

/// Result of a database call.
pub type DbResult<T> = Result<T, DbError>;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

/// Which database server is live.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The name reported by `/healthz`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::Postgres => "postgres",
        }
    }

    /// The backend a database URL names, if any.
    pub fn from_url(url: &str) -> Option<Self> {
        if url.starts_with("sqlite:") {
            Some(Self::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Some(Self::Postgres)
        } else {
            None
        }
    }
}

/// The pool of the backend chosen at start.
#[derive(Clone)]
pub enum PortalPool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// The portal's database, managed by rocket_db_pools under the name `portal`
/// (configured as `databases.portal` or through `DATABASE_URL`).
#[derive(Database)]
#[database("portal")]
pub struct Db(pub PortalPool);

/// Why the database could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum DbInitError {
    #[error("database configuration: {0}")]
    Config(#[from] Box<rocket::figment::Error>),
    #[error("DATABASE_URL must start with sqlite: or postgres:, not {0:?}")]
    UnsupportedUrl(String),
    #[error("cannot connect to the database: {0}")]
    Connect(#[from] sqlx::Error),
}

/// A connection taken from the pool.
#[expect(
    clippy::large_enum_variant,
    reason = "short-lived on the stack; boxing would cost an allocation per query"
)]
pub enum Conn {
    Sqlite(PoolConnection<Sqlite>),
    Postgres(PoolConnection<Postgres>),
}

/// An open transaction; dropped without [`Tx::commit`], it rolls back.
#[expect(
    clippy::large_enum_variant,
    reason = "short-lived on the stack; boxing would cost an allocation per query"
)]
pub enum Tx {
    Sqlite(sqlx::Transaction<'static, Sqlite>),
    Postgres(sqlx::Transaction<'static, Postgres>),
}

/// A borrowed connection, either plain or inside a transaction: what every
/// query function takes.
pub enum Exec<'c> {
    Sqlite(&'c mut sqlx::SqliteConnection),
    Postgres(&'c mut sqlx::PgConnection),
}

impl Conn {
    /// Borrows the connection for one query.
    pub fn exec(&mut self) -> Exec<'_> {
        match self {
            Self::Sqlite(c) => Exec::Sqlite(c),
            Self::Postgres(c) => Exec::Postgres(c),
        }
    }
}

impl Exec<'_> {
    /// Borrows this connection again for one more query.
    pub fn reborrow(&mut self) -> Exec<'_> {
        match self {
            Self::Sqlite(c) => Exec::Sqlite(c),
            Self::Postgres(c) => Exec::Postgres(c),
        }
    }
}

impl Tx {
    /// Borrows the transaction for one query.
    pub fn exec(&mut self) -> Exec<'_> {
        match self {
            Self::Sqlite(t) => Exec::Sqlite(t),
            Self::Postgres(t) => Exec::Postgres(t),
        }
    }

    /// Commits the transaction.
    #[tracing::instrument(skip_all)]
    pub async fn commit(self) -> DbResult<()> {
        match self {
            Self::Sqlite(t) => t.commit().await,
            Self::Postgres(t) => t.commit().await,
        }
    }
}

impl PortalPool {
    /// Opens a pool for `url`: SQLite files are created if missing and use
    /// WAL, a busy timeout, foreign keys and one memory budget for every
    /// connection's cache.
    #[tracing::instrument(skip_all)]
    pub async fn connect(
        url: &str,
        max_connections: u32,
        connect_timeout: Duration,
    ) -> Result<Self, DbInitError> {
        match Backend::from_url(url) {
            Some(Backend::Sqlite) => {
                // SQLite runs inside this process, one thread per connection:
                // each connection kept its own 2 MB page cache and sort buffers
                // (in its thread's own allocator arena), so ten connections
                // ranking 10,000 applications at once held 130 MiB. The soft
                // heap limit is one budget for the whole process (it is
                // global, so setting it on every connection is harmless):
                // above it SQLite reuses cache pages and spills sorts to
                // temporary files, and it never fails an allocation. The
                // pages themselves stay in the operating system's cache.
                const SOFT_HEAP_LIMIT: u64 = 16 * 1024 * 1024;
                // Up to this much of the file is mapped (beyond it, pages are
                // read as before).
                const MMAP_SIZE: u64 = 1024 * 1024 * 1024;
                let options = SqliteConnectOptions::from_str(url)?
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .busy_timeout(Duration::from_secs(10))
                    .foreign_keys(true)
                    .pragma("soft_heap_limit", SOFT_HEAP_LIMIT.to_string())
                    // Pages are read through a shared memory map of the file
                    // instead of a `pread` call and a copy into the small
                    // cache for each page a query touches: the map is the
                    // operating system's page cache itself, shared by every
                    // connection, reclaimable, and outside the heap budget.
                    .pragma("mmap_size", MMAP_SIZE.to_string());
                let pool = SqlitePoolOptions::new()
                    .max_connections(max_connections)
                    .acquire_timeout(connect_timeout)
                    .connect_with(options)
                    .await?;
                Ok(Self::Sqlite(pool))
            }
            Some(Backend::Postgres) => {
                // JIT compilation costs more than it saves on the portal's
                // short queries (measured: 20-40 ms on a list page).
                let options = PgConnectOptions::from_str(url)?.options([("jit", "off")]);
                let pool = PgPoolOptions::new()
                    .max_connections(max_connections)
                    .acquire_timeout(connect_timeout)
                    .connect_with(options)
                    .await?;
                Ok(Self::Postgres(pool))
            }
            None => Err(DbInitError::UnsupportedUrl(
                url.split(':').next().unwrap_or("").to_owned(),
            )),
        }
    }

    /// The live backend.
    pub fn backend(&self) -> Backend {
        match self {
            Self::Sqlite(_) => Backend::Sqlite,
            Self::Postgres(_) => Backend::Postgres,
        }
    }

    /// Takes a connection from the pool.
    #[tracing::instrument(skip_all)]
    pub async fn conn(&self) -> DbResult<Conn> {
        Ok(match self {
            Self::Sqlite(p) => Conn::Sqlite(p.acquire().await?),
            Self::Postgres(p) => Conn::Postgres(p.acquire().await?),
        })
    }

    /// Starts a write transaction. On SQLite it takes the database's write
    /// lock at once (waiting up to the busy timeout), as `BEGIN IMMEDIATE`
    /// would: a transaction that reads and then writes would otherwise be
    /// refused when another connection wrote in between, and no caller
    /// should have to remember that. (sqlx 0.7 always sends a plain
    /// `BEGIN`, so the first statement writes to an empty table instead.)
    /// On PostgreSQL, rows a transaction reads before changing are locked
    /// by the caller where it matters (`applications::lock`, `cycles::lock`).
    #[tracing::instrument(skip_all)]
    pub async fn begin(&self) -> DbResult<Tx> {
        Ok(match self {
            Self::Sqlite(p) => {
                let mut tx = p.begin().await?;
                sqlx::query("DELETE FROM write_lock WHERE id = 0")
                    .execute(&mut *tx)
                    .await?;
                Tx::Sqlite(tx)
            }
            Self::Postgres(p) => Tx::Postgres(p.begin().await?),
        })
    }

    /// Connections open, of them idle, and the most the pool may open.
    pub fn usage(&self) -> (u32, usize, u32) {
        match self {
            Self::Sqlite(p) => (p.size(), p.num_idle(), p.options().get_max_connections()),
            Self::Postgres(p) => (p.size(), p.num_idle(), p.options().get_max_connections()),
        }
    }

    /// Applies the migrations of the live backend that are not yet applied.
    #[tracing::instrument(skip_all)]
    pub async fn migrate(&self) -> Result<(), sqlx::migrate::MigrateError> {
        match self {
            Self::Sqlite(p) => SQLITE_MIGRATIONS.run(p).await,
            Self::Postgres(p) => POSTGRES_MIGRATIONS.run(p).await,
        }
    }

    /// Whether the database answers a trivial query.
    #[tracing::instrument(skip_all)]
    pub async fn ping(&self) -> bool {
        let Ok(mut conn) = self.conn().await else {
            return false;
        };
        execute!(conn.exec(), sqlx::query("SELECT 1")).is_ok()
    }
}

#[rocket::async_trait]
impl rocket_db_pools::Pool for PortalPool {
    type Connection = Conn;
    type Error = DbInitError;

    async fn init(figment: &Figment) -> Result<Self, Self::Error> {
        let config: rocket_db_pools::Config = figment.extract().map_err(Box::new)?;
        let max = u32::try_from(config.max_connections)
            .unwrap_or(u32::MAX)
            .max(1);
        Self::connect(
            &config.url,
            max,
            Duration::from_secs(config.connect_timeout),
        )
        .await
    }

    async fn get(&self) -> Result<Self::Connection, Self::Error> {
        Ok(self.conn().await?)
    }

    async fn close(&self) {
        match self {
            Self::Sqlite(p) => p.close().await,
            Self::Postgres(p) => p.close().await,
        }
    }
}

/// Whether an error is a violated unique constraint (e.g. a second account
/// with the same email).
pub fn is_unique_violation(err: &sqlx::Error) -> bool {
    err.as_database_error()
        .is_some_and(|e| e.is_unique_violation())
}

/// The migration versions in a folder's file names, for the test that keeps
/// the two backends' folders in step.
pub fn migration_versions(dir: &std::path::Path) -> std::io::Result<Vec<String>> {
    let mut versions = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if let Some(name) = name.strip_suffix(".sql") {
            versions.push(name.to_owned());
        }
    }
    versions.sort();
    Ok(versions)
}
