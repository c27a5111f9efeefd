//! Where the database's schema stands against this binary's migrations:
//! checked at every start (a database a newer release upgraded is refused
//! before anything touches it) and shown by `migrate --dry-run`.

use crate::db::maintenance::{self, Migration};
use crate::db::{DbResult, PortalPool};

/// The database's schema against the migrations this binary carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Schema {
    /// Every migration this binary knows is applied, and no other.
    UpToDate { version: i64 },
    /// These migrations would run (the database is at `version`, or new).
    Behind {
        version: Option<i64>,
        pending: Vec<Migration>,
    },
    /// The database has migrations this binary does not know: a newer
    /// release upgraded it.
    Newer { version: i64, known: i64 },
}

/// Compares the applied versions with the known migrations.
pub fn compare(applied: &[i64], known: &[Migration]) -> Schema {
    let newest_known = known.iter().map(|m| m.version).max().unwrap_or(0);
    if let Some(&unknown) = applied
        .iter()
        .filter(|v| !known.iter().any(|m| m.version == **v))
        .max()
    {
        return Schema::Newer {
            version: applied.iter().copied().max().unwrap_or(unknown),
            known: newest_known,
        };
    }
    let pending: Vec<Migration> = known
        .iter()
        .filter(|m| !applied.contains(&m.version))
        .cloned()
        .collect();
    let version = applied.iter().copied().max();
    match (pending.is_empty(), version) {
        (true, Some(version)) => Schema::UpToDate { version },
        _ => Schema::Behind { version, pending },
    }
}

/// Reads where the database stands.
#[tracing::instrument(skip_all)]
pub async fn status(pool: &PortalPool) -> DbResult<Schema> {
    let mut conn = pool.conn().await?;
    let applied = maintenance::applied_versions(conn.exec()).await?;
    Ok(compare(
        &applied,
        &maintenance::known_migrations(pool.backend()),
    ))
}

/// Why this binary must not open the database, in words; `None` when it may.
pub fn refusal(schema: &Schema) -> Option<String> {
    match schema {
        Schema::Newer { version, known } => Some(format!(
            "the database is at schema version {version}, newer than this fellowship-portal \
             ({}) knows: it knows versions up to {known}. A newer release upgraded this \
             database. Run that release (or a later one), or restore the backup taken before \
             the upgrade; see \"Upgrading\" in the README.",
            env!("CARGO_PKG_VERSION")
        )),
        _ => None,
    }
}

/// What `migrate --dry-run` prints.
pub fn describe(schema: &Schema, backend: &str) -> String {
    match schema {
        Schema::UpToDate { version } => format!(
            "The {backend} database is at schema version {version}, up to date: no migration would run."
        ),
        Schema::Behind { version, pending } => {
            let at = version.map_or_else(
                || "is empty (never migrated)".to_owned(),
                |v| format!("is at schema version {v}"),
            );
            let mut out = format!(
                "The {backend} database {at}. {} migration{} would run, in this order:",
                pending.len(),
                if pending.len() == 1 { "" } else { "s" }
            );
            for m in pending {
                out.push_str(&format!("\n  {m}"));
            }
            out.push_str("\nNothing was changed. Take a backup, then run `fellowship-portal migrate`.");
            out
        }
        Schema::Newer { .. } => format!(
            "Nothing would run: {}",
            refusal(schema).unwrap_or_default()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known(versions: &[i64]) -> Vec<Migration> {
        versions
            .iter()
            .map(|&version| Migration {
                version,
                description: format!("step {version}"),
            })
            .collect()
    }

    #[test]
    fn a_new_database_has_every_migration_to_run() {
        let s = compare(&[], &known(&[1, 2, 3]));
        assert_eq!(
            s,
            Schema::Behind {
                version: None,
                pending: known(&[1, 2, 3])
            }
        );
        assert!(refusal(&s).is_none());
        let words = describe(&s, "sqlite");
        assert!(
            words.contains("is empty (never migrated). 3 migrations would run"),
            "{words}"
        );
        assert!(
            words.contains("\n  0001 step 1\n  0002 step 2\n  0003 step 3"),
            "{words}"
        );
    }

    #[test]
    fn an_older_database_lists_only_what_it_lacks() {
        let s = compare(&[1, 2], &known(&[1, 2, 3]));
        assert_eq!(
            s,
            Schema::Behind {
                version: Some(2),
                pending: known(&[3])
            }
        );
        let words = describe(&s, "postgres");
        assert!(
            words.contains("is at schema version 2. 1 migration would run"),
            "{words}"
        );
        assert!(words.contains("Nothing was changed"), "{words}");
    }

    #[test]
    fn an_up_to_date_database_runs_nothing() {
        let s = compare(&[1, 2, 3], &known(&[1, 2, 3]));
        assert_eq!(s, Schema::UpToDate { version: 3 });
        assert!(describe(&s, "sqlite").contains("up to date: no migration would run"));
    }

    #[test]
    fn a_database_a_newer_release_upgraded_is_refused_with_both_versions() {
        let s = compare(&[1, 2, 3, 4], &known(&[1, 2, 3]));
        assert_eq!(
            s,
            Schema::Newer {
                version: 4,
                known: 3
            }
        );
        let words = refusal(&s).unwrap();
        assert!(words.contains("schema version 4"), "{words}");
        assert!(words.contains("knows versions up to 3"), "{words}");
        assert!(
            words.contains("restore the backup taken before the upgrade"),
            "{words}"
        );
    }
}
