//! Operating the portal: a backup taken while applicants submit restores
//! every acknowledged submission and document; restores refuse what they
//! must; the commands speak in words; a database a newer release upgraded
//! is refused.

use std::cell::RefCell;
use std::path::Path;

use fellowship_portal::ops::backup::{self, Source, Target};
use fellowship_portal::storage::{Backend, Storage};
use rocket::http::Status;
use sha2::{Digest, Sha256};
use tokio::io::AsyncReadExt;

use crate::apply::nearly_ready;
use crate::helpers::{fresh_database, pdf, portal, spawn, spawn_with, TestApp, PASSWORD};

/// The PostgreSQL server the suite runs on, when it does.
fn pg_server() -> Option<String> {
    std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())
}

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

async fn read_all(store: &Storage, key: &str) -> Vec<u8> {
    let mut bytes = Vec::new();
    store
        .read(key)
        .await
        .unwrap()
        .read_to_end(&mut bytes)
        .await
        .unwrap();
    bytes
}

fn source<'a>(
    app: &'a TestApp,
    pool: &'a fellowship_portal::db::PortalPool,
    store: &'a Storage,
) -> Source<'a> {
    Source {
        pool,
        database_url: &app.database_url,
        store,
        data_dir: app.dir.path(),
    }
}

#[rocket::async_test]
async fn a_backup_taken_while_applicants_submit_restores_every_acknowledged_submission_and_document(
) {
    const N: usize = 8;
    let app = spawn().await;
    let mut applicants = Vec::new();
    for i in 0..N {
        applicants.push(nearly_ready(&app, &format!("Applicant {i}"), i).await);
    }
    let ctx = app.ctx();
    let out = app.dir.path().join("backup-under-load");

    // Each applicant uploads a CV of their own and submits, one after the
    // other, while the backup is taken; an acknowledged submission is one
    // the portal answered with the application's page.
    let acknowledged: RefCell<Vec<(i64, Vec<u8>)>> = RefCell::new(Vec::new());
    let writer = async {
        for (i, (b, id)) in applicants.iter().enumerate() {
            let cv = pdf(&format!(
                "the CV of applicant {i}, {}",
                "x".repeat(i * 1000)
            ));
            let page = b
                .post_multipart(
                    &format!("/apply/applications/{id}/sections/documents"),
                    &[],
                    &[("f[cv]", "CV.pdf", &cv)],
                )
                .await;
            assert_eq!(page.status, Status::SeeOther, "{}", page.body);
            let page = b
                .post(&format!("/apply/applications/{id}/submit"), &[])
                .await;
            assert_eq!(
                page.location,
                Some(format!("/apply/applications/{id}")),
                "{}",
                page.body
            );
            acknowledged.borrow_mut().push((*id, cv));
            tokio::task::yield_now().await;
        }
    };
    let backup = async {
        while acknowledged.borrow().len() < 2 {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        let before: Vec<(i64, Vec<u8>)> = acknowledged.borrow().clone();
        let manifest = backup::create(&source(&app, &ctx.pool, &ctx.store), &out, app.clock.now())
            .await
            .unwrap();
        (before, manifest)
    };
    let ((), (before, manifest)) = tokio::join!(writer, backup);
    assert!(before.len() >= 2);
    assert!(
        before.len() < N,
        "submissions went on while the backup was taken"
    );
    assert!(manifest.documents_included);
    assert!(manifest.missing_documents.is_empty());
    assert_eq!(manifest.store, "local");
    let submitted_in_backup = app
        .count("SELECT COUNT(*) FROM applications WHERE stage = 'submitted'")
        .await;
    assert_eq!(
        submitted_in_backup, N as i64,
        "every submission landed in the live database"
    );

    // The backup proves itself in a temporary place.
    let verified = backup::verify(&out, pg_server().as_deref()).await.unwrap();
    assert_eq!(verified.tables, manifest.tables);
    assert_eq!(verified.documents, manifest.documents);

    // Restored into a new, empty database and data folder.
    let place = tempfile::tempdir().unwrap();
    let (url, _guard) = fresh_database(place.path()).await;
    let store = Storage::new(
        Backend::Local {
            root: place.path().join("documents"),
        },
        std::sync::Arc::default(),
    );
    let restored = backup::restore(
        &out,
        &Target {
            database_url: &url,
            store: &store,
            data_dir: place.path(),
        },
    )
    .await
    .unwrap();
    assert_eq!(restored.tables, manifest.tables);
    assert!(restored.secret_key, "the cookie key came back too");

    // The portal serves the restored data: every submission acknowledged
    // before the backup began is there, submitted, with the very CV its
    // applicant uploaded, readable from the restored store.
    let again = spawn_with(|f| {
        f.merge(("portal.data_dir", place.path()))
            .merge(("databases.portal.url", &url))
    })
    .await;
    for (id, cv) in &before {
        assert_eq!(
            again
                .count(&format!(
                    "SELECT COUNT(*) FROM applications WHERE id = {id} AND stage = 'submitted'"
                ))
                .await,
            1,
            "application {id} was acknowledged before the backup began"
        );
        let key = again
            .text(&format!(
                "SELECT d.storage_key FROM application_documents ad JOIN documents d ON d.id = ad.document_id \
                 WHERE ad.application_id = {id} AND ad.question_key = 'cv'"
            ))
            .await;
        let stored = read_all(&again.storage(), &key).await;
        assert_eq!(sha256(&stored), sha256(cv), "the CV of application {id}");
    }
    // Every document the restored database names is in the restored store.
    let keys = again
        .texts("SELECT storage_key FROM documents ORDER BY id")
        .await;
    assert_eq!(keys.len() as u64, manifest.documents);
    for key in keys {
        assert!(
            again.storage().size_of(&key).await.unwrap().is_some(),
            "{key}"
        );
    }
    // And the applicant signs in with their own password and sees it.
    let (first, _) = &before[0];
    let b = again.another_browser().await;
    assert_eq!(
        b.login("applicant0@example.edu", PASSWORD).await.status,
        Status::SeeOther
    );
    b.get(&format!("/apply/applications/{first}"))
        .await
        .assert_contains(r#"<strong class="status">Submitted</strong>"#);
}

#[rocket::async_test]
async fn a_restore_refuses_a_damaged_backup_and_a_target_that_is_not_empty() {
    let app = spawn().await;
    let (b, id) = nearly_ready(&app, "Applicant 1", 1).await;
    let page = b
        .post_multipart(
            &format!("/apply/applications/{id}/sections/documents"),
            &[],
            &[("f[cv]", "CV.pdf", &pdf("cv"))],
        )
        .await;
    assert_eq!(page.status, Status::SeeOther);
    let ctx = app.ctx();
    let out = app.dir.path().join("b");
    let manifest = backup::create(&source(&app, &ctx.pool, &ctx.store), &out, app.clock.now())
        .await
        .unwrap();
    assert_eq!(manifest.documents, 1);

    // A second backup into the same folder is refused.
    let e = backup::create(&source(&app, &ctx.pool, &ctx.store), &out, app.clock.now())
        .await
        .unwrap_err()
        .to_string();
    assert!(
        e.ends_with("is not empty: a backup goes into a new or empty folder"),
        "{e}"
    );

    // Into the live database: refused, and nothing changed.
    let users = app.count("SELECT COUNT(*) FROM users").await;
    let e = backup::restore(
        &out,
        &Target {
            database_url: &app.database_url,
            store: &ctx.store,
            data_dir: app.dir.path(),
        },
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("already holds a database") || e.contains("the target database is not empty"),
        "{e}"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, users);

    // An empty database but a document store with documents: refused.
    let place = tempfile::tempdir().unwrap();
    let (url, _guard) = fresh_database(place.path()).await;
    let e = backup::restore(
        &out,
        &Target {
            database_url: &url,
            store: &ctx.store,
            data_dir: place.path(),
        },
    )
    .await
    .unwrap_err()
    .to_string();
    assert_eq!(
        e,
        "the document store already holds 1 document(s): restore only into an empty data folder (or bucket)"
    );

    // A document changed after the backup: refused before anything is written.
    let document = manifest
        .files
        .iter()
        .find(|f| f.path.starts_with("documents/"))
        .unwrap();
    std::fs::write(out.join(&document.path), b"changed").unwrap();
    let store = Storage::new(
        Backend::Local {
            root: place.path().join("documents"),
        },
        std::sync::Arc::default(),
    );
    let target = Target {
        database_url: &url,
        store: &store,
        data_dir: place.path(),
    };
    let e = backup::restore(&out, &target)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        e.contains(&format!("{}: 7 bytes, the manifest says", document.path)),
        "{e}"
    );
    assert!(e.contains("nothing was restored"), "{e}");
    assert!(!place.path().join("documents").exists() || store.list().await.unwrap().is_empty());
    let e = backup::verify(&out, pg_server().as_deref())
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("fails its checks"), "{e}");
}

/// The output of a command of the binary: exit code, standard output and
/// error together.
fn run(data: &Path, db_url: &str, args: &[&str], env: &[(&str, &str)]) -> (i32, String) {
    let mut cmd = portal(data, db_url);
    cmd.args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let output = cmd.output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.code().unwrap_or(-1), text)
}

#[rocket::async_test]
async fn the_operators_commands_back_up_verify_restore_and_check_in_words() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (url, _guard) = fresh_database(dir.path()).await;

    let (code, text) = run(&data, &url, &["migrate", "--dry-run"], &[]);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("migrations would run, in this order:\n  0001 foundation"),
        "{text}"
    );
    assert!(text.contains("Nothing was changed."), "{text}");
    if url.starts_with("sqlite") {
        assert!(
            !data.join("portal.sqlite").exists(),
            "a dry run creates no database"
        );
    }
    let (code, text) = run(&data, &url, &["migrate"], &[]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("Applied:\n  0001 foundation"), "{text}");
    let (code, text) = run(&data, &url, &["migrate", "--dry-run"], &[]);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("up to date: no migration would run"),
        "{text}"
    );

    let out = dir.path().join("nightly");
    let (code, text) = run(
        &data,
        &url,
        &["backup", "--out", out.to_str().unwrap()],
        &[],
    );
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("Backed up the "), "{text}");
    assert!(text.contains("schema version "), "{text}");
    assert!(text.contains("fellowship-portal verify-backup"), "{text}");
    let (code, text) = run(
        &data,
        &url,
        &["backup", "--out", out.to_str().unwrap()],
        &[],
    );
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("is not empty: a backup goes into a new or empty folder"),
        "{text}"
    );

    let (code, text) = run(&data, &url, &["verify-backup", out.to_str().unwrap()], &[]);
    assert_eq!(code, 0, "{text}");
    if url.starts_with("postgres") {
        // Without PostgreSQL's client programs the backup says what to install.
        let elsewhere = dir.path().join("without-pg-dump");
        let (code, text) = run(
            &data,
            &url,
            &["backup", "--out", elsewhere.to_str().unwrap()],
            &[("PATH", "/nonexistent")],
        );
        assert_eq!(code, 1, "{text}");
        assert!(text.contains("pg_dump is not installed"), "{text}");
        assert!(text.contains("apt-get install postgresql-client"), "{text}");
        assert!(!elsewhere.exists(), "no half backup is left");
    }
    assert!(
        text.contains("restores: every file matches its manifest"),
        "{text}"
    );

    let (code, text) = run(
        &data,
        &url,
        &["restore", "--from", out.to_str().unwrap()],
        &[],
    );
    assert_eq!(code, 1, "{text}");
    assert!(text.starts_with("restore: "), "{text}");
    assert!(text.contains("restore only into"), "{text}");

    let fresh = dir.path().join("fresh");
    let (fresh_url, _fresh_guard) = fresh_database(&fresh).await;
    let (code, text) = run(
        &fresh,
        &fresh_url,
        &["restore", "--from", out.to_str().unwrap()],
        &[],
    );
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("the same counts as the backup"), "{text}");
    assert!(text.contains("The cookie key was restored"), "{text}");
    assert_eq!(
        std::fs::read(fresh.join("secret_key")).unwrap(),
        std::fs::read(data.join("secret_key")).unwrap()
    );
    use std::os::unix::fs::PermissionsExt;
    for file in [
        "database.sqlite",
        "database.pgdump",
        "manifest.json",
        "secret_key",
    ] {
        if let Ok(meta) = std::fs::metadata(out.join(file)) {
            assert_eq!(meta.permissions().mode() & 0o777, 0o600, "{file}");
        }
    }
    let (code, text) = run(&fresh, &fresh_url, &["migrate", "--dry-run"], &[]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("up to date"), "{text}");

    let (code, text) = run(
        &data,
        &url,
        &["verify-backup", dir.path().to_str().unwrap()],
        &[],
    );
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("has no manifest.json: it is not a backup"),
        "{text}"
    );

    // `check`: ready in development, with the warnings in words.
    let (code, text) = run(&data, &url, &["check"], &[]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("ok       database: "), "{text}");
    assert!(
        text.contains("ok       cookie key: generated once and kept in"),
        "{text}"
    );
    assert!(text.contains("up to date"), "{text}");
    assert!(
        text.contains("ok       documents: the local store accepts files"),
        "{text}"
    );
    assert!(
        text.contains("warning  mail: no mail relay is set"),
        "{text}"
    );
    assert!(
        text.contains("warning  mail: mail has no Reply-To"),
        "{text}"
    );
    assert!(text.contains("Ready to serve"), "{text}");
    // In release: a base address that is not https is a problem; so are
    // an unreachable database, a cookie key of the wrong length and a mail
    // relay that refuses.
    let closed = crate::helpers::free_port();
    let (code, text) = run(
        &data,
        &format!("postgres://nobody@127.0.0.1:{closed}/portal"),
        &["check"],
        &[
            ("ROCKET_PROFILE", "release"),
            ("PORTAL_BASE_URL", "http://apply.alliance.org"),
            ("PORTAL_SMTP_URL", &format!("smtp://127.0.0.1:{closed}")),
        ],
    );
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("PROBLEM  database: cannot reach it (postgres://nobody@127.0.0.1:"),
        "{text}"
    );
    assert!(text.contains("Connection refused"), "{text}");
    assert!(
        text.contains("PROBLEM  PORTAL_BASE_URL is http://apply.alliance.org, not https"),
        "{text}"
    );
    assert!(
        text.contains("PROBLEM  mail: the mail relay 127.0.0.1:"),
        "{text}"
    );
    assert!(text.contains("problems to fix before serving"), "{text}");
    let (code, text) = run(
        &data,
        &url,
        &["check"],
        &[("ROCKET_SECRET_KEY", "too-short")],
    );
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("ROCKET_SECRET_KEY is not a usable key"),
        "{text}"
    );
}

#[rocket::async_test]
async fn a_database_a_newer_release_upgraded_is_refused_with_both_versions() {
    let app = spawn().await;
    let future = if app.database_url.starts_with("sqlite") {
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES (9999, 'from the future', 1, X'00', 0)"
    } else {
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES (9999, 'from the future', true, '\\x00'::bytea, 0)"
    };
    app.sql(future).await;
    let data = app.dir.path();
    let (code, text) = run(data, &app.database_url, &["migrate"], &[]);
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("the database is at schema version 9999, newer than this fellowship-portal"),
        "{text}"
    );
    assert!(text.contains("knows versions up to 10"), "{text}");
    let (code, text) = run(data, &app.database_url, &["migrate", "--dry-run"], &[]);
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("Nothing would run: the database is at schema version 9999"),
        "{text}"
    );
    let (code, text) = run(data, &app.database_url, &["check"], &[]);
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("PROBLEM  database: the database is at schema version 9999"),
        "{text}"
    );
    // Serving refuses too, before anything is touched.
    let (code, text) = run(
        data,
        &app.database_url,
        &[],
        &[("ROCKET_PORT", &crate::helpers::free_port().to_string())],
    );
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("fellowship-portal cannot start: the database could not be prepared: the database is at schema version 9999"), "{text}");
}
