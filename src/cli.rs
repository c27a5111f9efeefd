//! The command line of the one binary: `serve` (the default), `migrate`,
//! `create-admin`, `migrate-storage`, `seed-demo`, `export`, `backup`,
//! `restore`, `verify-backup`, `check`.

use crate::domain::cycle::CycleId;
use std::process::ExitCode;

use rocket_db_pools::Database;

use crate::clock::Clock;

mod ops;
use crate::config::{PortalConfig, StorageKind};
use crate::db::Db;
use crate::storage::Storage;

/// What the operator asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Serve,
    Migrate { dry_run: bool },
    CreateAdmin { email: String, name: String },
    MigrateStorage { from: StorageKind, to: StorageKind },
    SeedDemo(crate::demo::Options),
    Export { cycle: CycleId, out: Option<String> },
    Backup { out: String },
    Restore { from: String },
    VerifyBackup { from: String },
    Check,
    Help,
}

/// The text `help` prints.
pub const USAGE: &str = "\
fellowship-portal: application portal for fellowships and internships

Usage:
  fellowship-portal [serve]                                serve the portal (the default)
  fellowship-portal migrate [--dry-run]                    apply database migrations and exit
                                                           (--dry-run: list what would run, change nothing)
  fellowship-portal create-admin --email EMAIL --name NAME make EMAIL an admin with a one-time password
  fellowship-portal migrate-storage --from local --to s3   copy every document to another store (repeatable)
  fellowship-portal seed-demo [--applications N] [--reviewers R] [--program SLUG]
                                                           fill a program's seeded cycle with demo data
                                                           (defaults: 200, 12, health-justice)
  fellowship-portal export --cycle ID [--out FILE]          write a cycle's submitted applications as CSV
                                                           (to FILE, or to standard output)
  fellowship-portal backup --out DIR                       a consistent backup while the portal serves:
                                                           database, local documents, manifest
  fellowship-portal restore --from DIR                     restore a backup into an empty database and
                                                           data folder, checking every file
  fellowship-portal verify-backup DIR                      restore a backup into a temporary place and
                                                           compare it with its manifest
  fellowship-portal check                                  check the configuration, database, store and
                                                           mail relay, and say what is wrong
  fellowship-portal help                                   show this text

Settings come from Rocket.toml and the environment (DATABASE_URL, PORTAL_DATA_DIR, ...): see the README.";

/// Parses the arguments after the program name.
pub fn parse<I: IntoIterator<Item = String>>(args: I) -> Result<Command, String> {
    let mut args = args.into_iter();
    let command = match args.next().as_deref() {
        None | Some("serve") => Command::Serve,
        Some("migrate") => match args.next().as_deref() {
            None => Command::Migrate { dry_run: false },
            Some("--dry-run") => Command::Migrate { dry_run: true },
            Some(other) => return Err(format!("migrate: unknown option {other:?}")),
        },
        Some("check") => Command::Check,
        Some("backup") => {
            let [out] = flags("backup", &mut args, ["--out"])?;
            Command::Backup {
                out: out.ok_or("backup: --out is required (a new or empty folder)")?,
            }
        }
        Some("restore") => {
            let [from] = flags("restore", &mut args, ["--from"])?;
            Command::Restore {
                from: from.ok_or("restore: --from is required (the backup's folder)")?,
            }
        }
        Some("verify-backup") => Command::VerifyBackup {
            from: args
                .next()
                .ok_or("verify-backup: name the backup's folder")?,
        },
        Some("help" | "--help" | "-h") => Command::Help,
        Some("create-admin") => {
            let [email, name] = flags("create-admin", &mut args, ["--email", "--name"])?;
            let email = email.ok_or("create-admin: --email is required")?;
            let name = name.ok_or("create-admin: --name is required")?;
            Command::CreateAdmin { email, name }
        }
        Some("migrate-storage") => {
            let [from, to] = flags("migrate-storage", &mut args, ["--from", "--to"])?;
            let kind = |flag: &str, value: Option<String>| match value.as_deref() {
                Some("local") => Ok(StorageKind::Local),
                Some("s3") => Ok(StorageKind::S3),
                Some(other) => Err(format!(
                    "migrate-storage: {flag} must be local or s3, not {other:?}"
                )),
                None => Err(format!("migrate-storage: {flag} is required")),
            };
            let (from, to) = (kind("--from", from)?, kind("--to", to)?);
            if from == to {
                return Err("migrate-storage: --from and --to must differ".into());
            }
            Command::MigrateStorage { from, to }
        }
        Some("seed-demo") => return parse_seed_demo(args).map(Command::SeedDemo),
        Some("export") => {
            let [cycle, out] = flags("export", &mut args, ["--cycle", "--out"])?;
            let cycle =
                cycle.ok_or("export: --cycle is required (its number, as in /manage/cycles/3)")?;
            let cycle = cycle
                .parse()
                .map_err(|_| format!("export: --cycle takes a number, not {cycle:?}"))?;
            Command::Export { cycle, out }
        }
        Some(other) => return Err(format!("unknown command {other:?}")),
    };
    match args.next() {
        Some(extra) => Err(format!("unexpected argument {extra:?}")),
        None => Ok(command),
    }
}

/// The options of `seed-demo`.
/// The values of a command's `--flag value` options, in the order of
/// `names`; every remaining argument must be one of them.
fn flags<const N: usize>(
    command: &str,
    args: &mut impl Iterator<Item = String>,
    names: [&str; N],
) -> Result<[Option<String>; N], String> {
    let mut values: [Option<String>; N] = std::array::from_fn(|_| None);
    while let Some(flag) = args.next() {
        let at = names
            .iter()
            .position(|n| *n == flag)
            .ok_or_else(|| format!("{command}: unknown option {flag:?}"))?;
        values[at] = Some(
            args.next()
                .ok_or_else(|| format!("{command}: {flag} needs a value"))?,
        );
    }
    Ok(values)
}

fn parse_seed_demo(mut args: impl Iterator<Item = String>) -> Result<crate::demo::Options, String> {
    let mut o = crate::demo::Options::default();
    while let Some(flag) = args.next() {
        let value = match flag.as_str() {
            "--applications" | "--reviewers" | "--program" => args
                .next()
                .ok_or_else(|| format!("seed-demo: {flag} needs a value"))?,
            other => return Err(format!("seed-demo: unknown option {other:?}")),
        };
        let count = |max: usize| {
            value
                .parse::<usize>()
                .ok()
                .filter(|n| (1..=max).contains(n))
                .ok_or_else(|| {
                    format!(
                        "seed-demo: {flag} must be a whole number from 1 to {max}, not {value:?}"
                    )
                })
        };
        match flag.as_str() {
            "--applications" => o.applications = count(100_000)?,
            "--reviewers" => o.reviewers = count(1_000)?,
            _ => o.program = value.clone(),
        }
    }
    Ok(o)
}

/// Runs the command line; the exit code is 2 for a usage mistake, 1 for a
/// failure.
pub async fn main<I: IntoIterator<Item = String>>(args: I) -> ExitCode {
    let command = match parse(args) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    if command == Command::Help {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let figment = match crate::config::load(crate::config::figment()) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let figment = match start_log(figment) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    match command {
        Command::Serve => match crate::build(figment).launch().await {
            Ok(_) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("the portal stopped: {e}");
                ExitCode::FAILURE
            }
        },
        Command::Migrate { dry_run: true } => ops::migrate_dry_run(&figment).await,
        Command::Migrate { dry_run: false } => {
            let before = ops::schema_before_migrating(&figment).await;
            let rocket = match ignite(figment, "migration failed").await {
                Ok(r) => r,
                Err(code) => return code,
            };
            let backend = Db::fetch(&rocket)
                .map(|d| d.backend().as_str())
                .unwrap_or("unknown");
            if let Some(pending) = before.filter(|p| !p.is_empty()) {
                println!("Applied:");
                for m in pending {
                    println!("  {m}");
                }
            }
            println!("The {backend} database is up to date.");
            ExitCode::SUCCESS
        }
        Command::CreateAdmin { email, name } => {
            let rocket = match ignite(figment, "cannot open the database").await {
                Ok(r) => r,
                Err(code) => return code,
            };
            let Some(db) = Db::fetch(&rocket) else {
                return ExitCode::FAILURE;
            };
            match crate::seed::create_admin(&db.0, &email, &name, Clock::system().now()).await {
                Ok(password) => {
                    println!(
                        "{} is an admin. One-time password: {password}\n(it must be changed at first login)",
                        email.trim().to_lowercase()
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("create-admin: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        Command::MigrateStorage { from, to } => migrate_storage(figment, from, to).await,
        Command::SeedDemo(options) => seed_demo(figment, &options).await,
        Command::Export { cycle, out } => export(figment, cycle, out.as_deref()).await,
        Command::Backup { out } => ops::backup(&figment, out.as_ref()).await,
        Command::Restore { from } => ops::restore(&figment, from.as_ref()).await,
        Command::VerifyBackup { from } => ops::verify(&figment, from.as_ref()).await,
        Command::Check => ops::check(&figment).await,
        Command::Help => ExitCode::SUCCESS,
    }
}

/// Installs the portal's log (format and filter from the configuration)
/// and turns Rocket's own logger off: it prints each request's concrete
/// path, which may carry a token, and the portal logs its own request
/// line instead.
fn start_log(figment: rocket::figment::Figment) -> Result<rocket::figment::Figment, String> {
    let config = PortalConfig::from_figment(&figment).map_err(|e| e.to_string())?;
    crate::logging::init(config.log_format, config.log_level.as_deref())
        .map_err(|e| e.to_string())?;
    Ok(figment.merge(("log_level", rocket::config::LogLevel::Off)))
}

/// The application ignited without serving (migrations applied, database
/// open), quietly; on failure the reason is printed after `failure`.
async fn ignite(
    figment: rocket::figment::Figment,
    failure: &str,
) -> Result<rocket::Rocket<rocket::Ignite>, ExitCode> {
    crate::build(figment.merge(("log_level", "critical")))
        .ignite()
        .await
        .map_err(|e| {
            eprintln!("{failure}: {e}");
            ExitCode::FAILURE
        })
}

async fn export(figment: rocket::figment::Figment, cycle: CycleId, out: Option<&str>) -> ExitCode {
    let rocket = match ignite(figment, "cannot open the database").await {
        Ok(r) => r,
        Err(code) => return code,
    };
    let Some(db) = Db::fetch(&rocket) else {
        return ExitCode::FAILURE;
    };
    let found = match db.0.conn().await {
        Ok(mut conn) => crate::db::cycles::find(conn.exec(), cycle).await,
        Err(e) => Err(e),
    };
    let c = match found {
        Ok(Some(c)) => c,
        Ok(None) => {
            eprintln!("export: there is no cycle {cycle}");
            return ExitCode::FAILURE;
        }
        Err(e) => {
            eprintln!("export: {e}");
            return ExitCode::FAILURE;
        }
    };
    let written = match out {
        Some(path) => {
            // Names, emails and answers: readable by the owner alone.
            use std::os::unix::fs::OpenOptionsExt;
            let opened = std::fs::OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(true)
                .mode(0o600)
                .open(path);
            let file = match opened {
                Ok(f) => f,
                Err(e) => {
                    eprintln!("export: cannot write {path}: {e}");
                    return ExitCode::FAILURE;
                }
            };
            let mut file = tokio::io::BufWriter::new(tokio::fs::File::from_std(file));
            let written = crate::export::write_cycle(&db.0, &c, None, &mut file).await;
            if written.is_err() {
                // Half a file is worse than none.
                let _ = std::fs::remove_file(path);
            }
            written
        }
        None => crate::export::write_cycle(&db.0, &c, None, &mut tokio::io::stdout()).await,
    };
    match written {
        Ok(n) => {
            // Recorded as the managers' downloads are, without a person.
            let entry = crate::db::audit::Entry {
                actor: None,
                action: "cycle.export",
                subject: &format!("cycle:{cycle}"),
                detail: &format!("{n} applications as CSV, from the command line"),
                client_ip: None,
            };
            let recorded = match db.0.conn().await {
                Ok(mut conn) => {
                    crate::db::audit::record(conn.exec(), &entry, Clock::system().now()).await
                }
                Err(e) => Err(e),
            };
            if let Err(e) = recorded {
                eprintln!("export: the export was written but could not be recorded: {e}");
            }
            eprintln!(
                "Exported {n} applications of {} (cycle {cycle}).",
                c.cycle.name
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("export: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn seed_demo(figment: rocket::figment::Figment, options: &crate::demo::Options) -> ExitCode {
    let rocket = match ignite(figment, "cannot open the database").await {
        Ok(r) => r,
        Err(code) => return code,
    };
    let Some(db) = Db::fetch(&rocket) else {
        return ExitCode::FAILURE;
    };
    let started = std::time::Instant::now();
    let r = match crate::demo::seed(&db.0, options, Clock::system().now()).await {
        Ok(r) => r,
        Err(e) => {
            eprintln!("seed-demo: {e:#}");
            return ExitCode::FAILURE;
        }
    };
    let stages: Vec<String> = r
        .stages
        .iter()
        .map(|(stage, n)| format!("{n} {}", stage.as_str()))
        .collect();
    let (n, k) = (options.applications, options.reviewers);
    println!(
        "Seeded {} – {} (cycle {}) in {:.1} s:\n  \
         {n} applications: {}\n  \
         {} reviewer assignments, {} reviews submitted, {} drafts\n\
         Demo accounts, all with one password (shown only now):\n  \
         program manager  manager@demo.example\n  \
         reviewers        reviewer1@demo.example to reviewer{k}@demo.example\n  \
         applicants       applicant1@demo.example to applicant{n}@demo.example\n\
         Password: {}",
        r.program_name,
        r.cycle_name,
        r.cycle_id,
        started.elapsed().as_secs_f64(),
        stages.join(", "),
        r.assignments,
        r.submitted_reviews,
        r.draft_reviews,
        r.password
    );
    ExitCode::SUCCESS
}

async fn migrate_storage(
    figment: rocket::figment::Figment,
    from: StorageKind,
    to: StorageKind,
) -> ExitCode {
    let config = match PortalConfig::from_figment(&figment) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let metrics = std::sync::Arc::new(crate::metrics::Metrics::new());
    let open = |kind: StorageKind| {
        Storage::open(
            &PortalConfig {
                storage: kind,
                ..config.clone()
            },
            metrics.clone(),
        )
    };
    let (source, target) = match (open(from), open(to)) {
        (Ok(s), Ok(t)) => (s, t),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("migrate-storage: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Err(e) = target.check().await {
        eprintln!("migrate-storage: the target store is not usable: {e}");
        return ExitCode::FAILURE;
    }
    let rocket = match ignite(figment, "cannot open the database").await {
        Ok(r) => r,
        Err(code) => return code,
    };
    let Some(db) = Db::fetch(&rocket) else {
        return ExitCode::FAILURE;
    };
    let progress = |done, total| {
        use std::io::Write;
        eprint!(
            "\rCopying documents {}",
            crate::transfer::progress_bar(done, total)
        );
        let _ = std::io::stderr().flush();
    };
    match crate::transfer::copy_all(&db.0, &source, &target, progress).await {
        Ok(report) => {
            eprintln!();
            println!(
                "Copied {} document(s); {} already there; {} failed.",
                report.copied,
                report.already_there,
                report.failed.len()
            );
            for (id, problem) in &report.failed {
                println!("  document {id}: {problem}");
            }
            if report.failed.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(e) => {
            eprintln!("\nmigrate-storage stopped: {e:#} (run it again to resume)");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn parses_each_command() {
        assert_eq!(parse(args("")), Ok(Command::Serve));
        assert_eq!(parse(args("serve")), Ok(Command::Serve));
        assert_eq!(
            parse(args("migrate")),
            Ok(Command::Migrate { dry_run: false })
        );
        assert_eq!(
            parse(args("migrate --dry-run")),
            Ok(Command::Migrate { dry_run: true })
        );
        assert_eq!(
            parse(args("backup --out /srv/backups/2027-01-05")),
            Ok(Command::Backup {
                out: "/srv/backups/2027-01-05".into()
            })
        );
        assert_eq!(
            parse(args("restore --from b")),
            Ok(Command::Restore { from: "b".into() })
        );
        assert_eq!(
            parse(args("verify-backup b")),
            Ok(Command::VerifyBackup { from: "b".into() })
        );
        assert_eq!(parse(args("check")), Ok(Command::Check));
        assert_eq!(
            parse(args("create-admin --name Ada --email ada@example.org")),
            Ok(Command::CreateAdmin {
                email: "ada@example.org".into(),
                name: "Ada".into()
            })
        );
        assert_eq!(
            parse(args("migrate-storage --from local --to s3")),
            Ok(Command::MigrateStorage {
                from: StorageKind::Local,
                to: StorageKind::S3
            })
        );
        assert_eq!(
            parse(args("seed-demo")),
            Ok(Command::SeedDemo(crate::demo::Options::default()))
        );
        assert_eq!(
            parse(args(
                "seed-demo --applications 10000 --reviewers 40 --program summer-internship"
            )),
            Ok(Command::SeedDemo(crate::demo::Options {
                applications: 10_000,
                reviewers: 40,
                program: "summer-internship".into()
            }))
        );
        assert_eq!(
            parse(args("export --cycle 3")),
            Ok(Command::Export {
                cycle: CycleId(3),
                out: None
            })
        );
        assert_eq!(
            parse(args("export --out hj.csv --cycle 3")),
            Ok(Command::Export {
                cycle: CycleId(3),
                out: Some("hj.csv".into())
            })
        );
    }

    #[test]
    fn explains_usage_mistakes() {
        assert!(parse(args("frobnicate"))
            .unwrap_err()
            .contains("unknown command"));
        assert_eq!(
            parse(args("migrate now")).unwrap_err(),
            "migrate: unknown option \"now\""
        );
        assert!(parse(args("migrate --dry-run now"))
            .unwrap_err()
            .contains("unexpected argument"));
        assert_eq!(
            parse(args("backup")).unwrap_err(),
            "backup: --out is required (a new or empty folder)"
        );
        assert_eq!(
            parse(args("restore --from")).unwrap_err(),
            "restore: --from needs a value"
        );
        assert_eq!(
            parse(args("verify-backup")).unwrap_err(),
            "verify-backup: name the backup's folder"
        );
        assert!(parse(args("check --fix"))
            .unwrap_err()
            .contains("unexpected argument"));
        assert!(parse(args("create-admin --email a@b.org"))
            .unwrap_err()
            .contains("--name is required"));
        assert!(parse(args("create-admin --email"))
            .unwrap_err()
            .contains("needs a value"));
        assert!(parse(args("create-admin --mail a@b.org"))
            .unwrap_err()
            .contains("unknown option"));
        for (line, expected) in [
            ("migrate-storage --from local --to local", "must differ"),
            (
                "migrate-storage --from local --to ftp",
                "must be local or s3",
            ),
            ("migrate-storage --from s3", "--to is required"),
            ("migrate-storage --to s3 --speed fast", "unknown option"),
            ("seed-demo --applications 0", "from 1 to 100000"),
            ("seed-demo --reviewers many", "whole number"),
            ("seed-demo --program", "needs a value"),
            ("seed-demo --seed 4", "unknown option"),
            ("export", "--cycle is required"),
            ("export --cycle three", "takes a number"),
            ("export --cycle 3 --format xlsx", "unknown option"),
        ] {
            assert!(parse(args(line)).unwrap_err().contains(expected), "{line}");
        }
    }
}
