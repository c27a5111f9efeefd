//! The running portal: home page, error pages, size limits, `/healthz`,
//! migrations, and the binary's commands.

use rocket::http::{ContentType, Status};

use crate::helpers::{free_port, fresh_database, portal, serve, spawn};

#[rocket::async_test]
async fn the_home_page_lists_the_three_programs() {
    let app = spawn().await;
    let page = app.get("/").await;
    assert_eq!(page.status, Status::Ok);
    page.assert_contains("<html lang=\"en\">")
        .assert_contains(r##"<a class="skip-link" href="#main">"##)
        .assert_contains("<h2>Health Justice Fellowship</h2>")
        .assert_contains("<h2>Voices for Change Fellowship</h2>")
        .assert_contains("<h2>Summer Internship Program</h2>")
        .assert_contains("Create an account");
    assert_eq!(app.count("SELECT COUNT(*) FROM programs").await, 3);
}

#[rocket::async_test]
async fn an_unknown_page_gets_the_404_page() {
    let app = spawn().await;
    let page = app.get("/no/such/page").await;
    assert_eq!(page.status, Status::NotFound);
    page.assert_contains("<h1>Page not found</h1>")
        .assert_contains("Skip to main content");
}

#[rocket::async_test]
async fn an_oversized_form_gets_the_413_page_and_nothing_is_stored() {
    let app = spawn().await;
    let token = app.csrf().await;
    let huge = "x".repeat(200 * 1024);
    let body = crate::helpers::encode(&[
        ("csrf_token", &token),
        ("name", &huge),
        ("email", "maya@example.edu"),
        ("password", "a"),
        ("password_confirm", "a"),
    ]);
    let page = app.post_raw("/account/register", &body).await;
    assert_eq!(page.status, Status::PayloadTooLarge);
    page.assert_contains("That was too large");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM users WHERE is_admin = FALSE")
            .await,
        0
    );
}

#[rocket::async_test]
async fn a_malformed_form_gets_the_422_page() {
    let app = spawn().await;
    app.logged_in_admin("dean@example.edu").await;
    // The program must be a number.
    let r = app
        .post(
            "/admin/users/1/grant",
            &[("program", "abc"), ("role", "manager"), ("back", "/")],
        )
        .await;
    assert_eq!(r.status, Status::UnprocessableEntity);
    r.assert_contains("The form could not be read")
        .assert_contains("Skip to main content");
    assert_eq!(app.count("SELECT COUNT(*) FROM role_grants").await, 0);
    let json = app
        .client
        .post("/account/login")
        .header(ContentType::JSON)
        .body("{}")
        .dispatch()
        .await;
    assert_eq!(
        json.status(),
        Status::Forbidden,
        "a non-form body carries no token"
    );
}

#[rocket::async_test]
async fn healthz_answers_from_the_last_check_and_names_the_backends_to_admins_only() {
    let app = spawn().await;
    async fn health(b: &crate::helpers::Browser) -> (Status, serde_json::Value) {
        let r = b.client.get("/healthz").dispatch().await;
        let status = r.status();
        let v = serde_json::from_str(&r.into_string().await.unwrap()).unwrap();
        (status, v)
    }
    // Anyone: the status alone.
    let (status, v) = health(&app).await;
    assert_eq!(status, Status::Ok);
    assert_eq!(v, serde_json::json!({"status": "ok"}));

    // An admin: every component, and when it was checked.
    let anonymous = app.another_browser().await;
    app.logged_in_admin("dean@example.edu").await;
    let (_, v) = health(&app).await;
    let backend = if app.database_url.starts_with("postgres") {
        "postgres"
    } else {
        "sqlite"
    };
    assert_eq!(v["status"], "ok");
    assert_eq!(v["database"]["backend"], backend);
    assert_eq!(v["database"]["ok"], true);
    assert_eq!(v["storage"]["backend"], "local");
    assert_eq!(v["storage"]["ok"], true);
    assert_eq!(v["mail"]["backend"], "file");
    assert_eq!(v["mail"]["ok"], true);
    assert!(v["checked_at"].as_str().is_some(), "{v}");
    // Someone else meanwhile still gets the status alone.
    assert_eq!(
        health(&anonymous).await.1,
        serde_json::json!({"status": "ok"})
    );

    // With the database gone, polling still costs nothing and says what
    // the last check found; the next check finds it: 503.
    app.check_health().await;
    assert_eq!(health(&app).await.1["database"]["ok"], true);
    match app.pool() {
        fellowship_portal::db::PortalPool::Sqlite(p) => p.close().await,
        fellowship_portal::db::PortalPool::Postgres(p) => p.close().await,
    }
    assert_eq!(health(&app).await.0, Status::Ok);
    app.check_health().await;
    let (status, v) = health(&app).await;
    assert_eq!(status, Status::ServiceUnavailable);
    // (Without a database the session cannot be read: the answer is the public one.)
    assert_eq!(v, serde_json::json!({"status": "down"}));
}

/// The live database has every index the migrations name, and no other,
/// on either backend (a table rebuilt on SQLite must get its indexes back).
#[rocket::async_test]
async fn both_backends_end_with_the_same_indexes() {
    let app = spawn().await;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations/postgres");
    let mut named = std::collections::BTreeSet::new();
    let mut files: Vec<_> = std::fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    for file in files {
        let text = std::fs::read_to_string(file).unwrap();
        for line in text.lines() {
            let words: Vec<&str> = line
                .split_whitespace()
                .map(|w| w.trim_end_matches(';'))
                .collect();
            match words.as_slice() {
                ["CREATE", "INDEX", name, ..] | ["CREATE", "UNIQUE", "INDEX", name, ..] => {
                    named.insert((*name).to_owned());
                }
                ["DROP", "INDEX", "IF", "EXISTS", name, ..] | ["DROP", "INDEX", name, ..] => {
                    named.remove(*name);
                }
                _ => {}
            }
        }
    }
    assert!(named.contains("outbox_status"), "{named:?}");
    let live: std::collections::BTreeSet<String> = match app.pool() {
        fellowship_portal::db::PortalPool::Sqlite(p) => sqlx::query_scalar(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_autoindex%'",
        )
        .fetch_all(p)
        .await
        .unwrap(),
        fellowship_portal::db::PortalPool::Postgres(p) => sqlx::query_scalar(
            "SELECT indexname::text FROM pg_indexes WHERE schemaname = current_schema() \
             AND indexname NOT LIKE '%_pkey' AND indexname NOT LIKE '%_key'",
        )
        .fetch_all(p)
        .await
        .unwrap(),
    }
    .into_iter()
    .collect();
    // The list's search index is a trigram index on PostgreSQL and an
    // FTS5 table (no index of its own) on SQLite.
    if let fellowship_portal::db::PortalPool::Sqlite(p) = app.pool() {
        named.remove("application_search_body");
        let fts: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM sqlite_master WHERE name = 'application_search' AND sql LIKE '%fts5%'",
        )
        .fetch_one(p)
        .await
        .unwrap();
        assert_eq!(fts, 1);
    }
    assert_eq!(live, named);
}

#[rocket::async_test]
async fn an_internal_failure_gets_the_500_page() {
    let app = spawn().await;
    match app.pool() {
        fellowship_portal::db::PortalPool::Sqlite(p) => p.close().await,
        fellowship_portal::db::PortalPool::Postgres(p) => p.close().await,
    }
    let page = app.get("/").await;
    assert_eq!(page.status, Status::InternalServerError);
    page.assert_contains("Something went wrong on our side")
        .assert_contains("what you saved before is kept");
}

#[test]
fn both_backends_have_the_same_migrations() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let sqlite = fellowship_portal::db::migration_versions(&root.join("sqlite")).unwrap();
    let postgres = fellowship_portal::db::migration_versions(&root.join("postgres")).unwrap();
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, postgres);
}

#[rocket::async_test]
async fn the_binary_serves_with_no_setup_and_prints_the_first_admin_once() {
    let dir = tempfile::tempdir().unwrap();
    let (db_url, _database) = fresh_database(dir.path()).await;
    let data = dir.path().join("data");
    let port = free_port();
    let (mut child, printed) = serve(&data, &db_url, port);
    assert!(
        printed.contains(&format!(
            "fellowship-portal is ready at http://127.0.0.1:{port}"
        )),
        "{printed}"
    );
    assert!(
        printed.contains("First admin: first@example.org"),
        "{printed}"
    );
    let password = printed
        .lines()
        .find_map(|l| l.strip_prefix("One-time password: "))
        .unwrap_or_else(|| panic!("no password in {printed}"))
        .trim()
        .to_owned();
    assert_eq!(password.len(), 19);

    let body = ureq::get(&format!("http://127.0.0.1:{port}/healthz"))
        .call()
        .unwrap()
        .into_string()
        .unwrap();
    assert_eq!(body, r#"{"status":"ok"}"#);
    child.kill().unwrap();
    child.wait().unwrap();

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(data.join("secret_key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let key = std::fs::read_to_string(data.join("secret_key")).unwrap();

    // A restart keeps the key and prints no new password.
    let (mut child, printed) = serve(&data, &db_url, port);
    assert!(
        printed.contains("fellowship-portal is ready at"),
        "{printed}"
    );
    assert!(!printed.contains("One-time password"), "{printed}");
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(
        std::fs::read_to_string(data.join("secret_key")).unwrap(),
        key
    );

    // The CLI: migrate, create-admin, and a usage mistake.
    let out = portal(&data, &db_url).arg("migrate").output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("database is up to date"));
    let out = portal(&data, &db_url)
        .args([
            "create-admin",
            "--email",
            "Dean@Example.edu",
            "--name",
            "Dean",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(
        stdout.contains("dean@example.edu is an admin. One-time password: "),
        "{stdout}"
    );
    let out = portal(&data, &db_url)
        .args(["create-admin", "--email", "not-an-email", "--name", "X"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("Enter an email address in the form name@example.org."));
    let out = portal(&data, &db_url).arg("frobnicate").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown command"));
}

/// An insert that returns its id is committed before the id comes back,
/// even outside a transaction: another connection sees it at once. (On
/// SQLite, a statement read only to its first row finished, and committed,
/// a moment after the row came back.)
#[rocket::async_test]
async fn a_returned_insert_is_seen_by_every_connection_at_once() {
    let app = spawn().await;
    let mut writer = app.pool().conn().await.unwrap();
    let mut reader = app.pool().conn().await.unwrap();
    for i in 0..300 {
        let email = format!("seen{i}@example.edu");
        let user = fellowship_portal::db::users::NewUser {
            email: &email,
            name: "Seen At Once",
            password_hash: "!",
            confirmed: true,
            is_admin: false,
            must_change_password: false,
        };
        let id = fellowship_portal::db::users::insert(writer.exec(), &user, chrono::Utc::now())
            .await
            .unwrap();
        let found = fellowship_portal::db::users::find_by_email(reader.exec(), &email)
            .await
            .unwrap();
        assert_eq!(found.map(|(u, _)| u.id), Some(id), "insert {i}");
    }
}

/// What a crash leaves on disk (an upload that never finished arriving, a
/// document staged but never filed) is removed by the worker once an hour
/// old; recent files and anything else in those folders stay.
#[rocket::async_test]
async fn the_worker_sweeps_what_a_crash_left_on_disk() {
    let app = spawn().await;
    let tmp = app.dir.path().join("tmp");
    let documents = app.dir.path().join("documents");
    std::fs::create_dir_all(&documents).unwrap();
    let three_hours_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3 * 3600);
    let make = |path: std::path::PathBuf, old: bool| {
        std::fs::write(&path, b"half a file").unwrap();
        if old {
            std::fs::File::options()
                .write(true)
                .open(&path)
                .unwrap()
                .set_modified(three_hours_ago)
                .unwrap();
        }
        path
    };
    let stale_upload = make(tmp.join(".upload-a1b2c3"), true);
    let fresh_upload = make(tmp.join(".upload-d4e5f6"), false);
    let stale_staged = make(
        documents.join(".staging-0123456789abcdef0123456789abcdef"),
        true,
    );
    let unrelated = make(tmp.join("notes.txt"), true);
    let tmp_dir = app.dir.path().join("tmp");
    let removed = fellowship_portal::jobs::documents::sweep_leftovers(&app.ctx(), Some(&tmp_dir))
        .await
        .unwrap();
    assert_eq!(removed, 2);
    assert!(!stale_upload.exists() && !stale_staged.exists());
    assert!(fresh_upload.exists() && unrelated.exists());
}

/// Many people at once on one database: email confirmations, right and
/// wrong passwords, section saves and submissions, each applicant on a
/// browser (and connection pool) of their own. On SQLite a transaction
/// that has read cannot start writing while another connection writes
/// ("database is locked", whatever the busy timeout), so every write
/// transaction takes the write lock when it begins.
#[rocket::async_test]
async fn many_people_at_once_never_get_a_server_error() {
    use std::future::Future;
    use std::pin::Pin;

    use crate::apply::{nearly_ready, upload_cv};
    use crate::helpers::{link_in, PASSWORD};

    const N: usize = 8;
    let app = spawn().await;
    let mut links = Vec::new();
    for i in 0..N {
        let email = format!("new{i}@example.edu");
        let page = app.register("Nia New", &email, PASSWORD).await;
        assert_eq!(page.status, Status::SeeOther, "{}", page.body);
        let mail = app.last_mail(&email, "confirm_email").await;
        links.push(link_in(&mail.text_body, "/account/confirm/"));
    }
    let mut applicants = Vec::new();
    for i in 0..N {
        let (b, id) = nearly_ready(&app, "Ada Applicant", i).await;
        assert_eq!(upload_cv(&b, id).await.status, Status::SeeOther);
        applicants.push((b, id));
    }
    let logins: Vec<crate::helpers::Browser> = {
        let mut v = Vec::new();
        for _ in 0..N {
            v.push(app.another_browser().await);
        }
        v
    };

    type Request<'a> = Pin<Box<dyn Future<Output = (String, crate::helpers::Page)> + 'a>>;
    let mut all: Vec<Request<'_>> = Vec::new();
    let app = &app;
    for link in &links {
        all.push(Box::pin(async move {
            (format!("GET {link}"), app.get(link).await)
        }));
    }
    for (b, id) in &applicants {
        let essays = format!("/apply/applications/{id}/sections/essays");
        all.push(Box::pin(async move {
            let fields = [("a[health_equity_essay]", "Transport is health care.")];
            (
                format!("save {essays}"),
                b.post_multipart(&essays, &fields, &[]).await,
            )
        }));
        let submit = format!("/apply/applications/{id}/submit");
        all.push(Box::pin(async move {
            (format!("POST {submit}"), b.post(&submit, &[]).await)
        }));
    }
    for (i, b) in logins.iter().enumerate() {
        let email = format!("applicant{i}@example.edu");
        all.push(Box::pin(async move {
            let wrong = b.login(&email, "not the password at all").await;
            let right = b.login(&email, PASSWORD).await;
            assert_eq!(right.status, Status::SeeOther, "{}", right.body);
            (format!("login {email}"), wrong)
        }));
    }
    for (what, page) in futures::future::join_all(all).await {
        assert!(
            page.status.code < 500,
            "{what} answered {}: {}",
            page.status,
            page.body
        );
    }
    // What was acknowledged is stored.
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM users WHERE email LIKE 'new%' AND email_confirmed_at IS NOT NULL"
        )
        .await,
        N as i64
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM applications WHERE stage = 'submitted'")
            .await,
        N as i64
    );
}

/// An id past the 64-bit range is "Page not found", like any unknown id,
/// on every kind of page and form.
#[rocket::async_test]
async fn an_id_past_the_64_bit_range_is_page_not_found() {
    let app = spawn().await;
    let c = app.with_cycle().await;
    let manager = app.with_manager(&c, "Mo Manager", "mo@alliance.org").await;
    let huge = "99999999999999999999";
    for uri in [
        format!("/manage/applications/{huge}"),
        format!("/manage/cycles/{huge}"),
        format!("/manage/cycles/{huge}/applications"),
        format!("/apply/applications/{huge}"),
    ] {
        let page = manager.get(&uri).await;
        assert_eq!(page.status, Status::NotFound, "{uri}");
        page.assert_contains("<h1>Page not found</h1>");
    }
    for uri in [
        format!("/manage/applications/{huge}/decide"),
        format!("/manage/applications/{huge}/move"),
        format!("/apply/applications/{huge}/submit"),
    ] {
        let page = manager.post(&uri, &[("outcome", "accepted")]).await;
        assert_eq!(page.status, Status::NotFound, "{uri}");
    }
    let page = manager
        .get(&format!("/manage/cycles/{}/applications?page={huge}", c.id))
        .await;
    // A page number past the range reads as no page number: the first.
    assert_eq!(page.status, Status::Ok);
    page.assert_lacks("Some answers were missing");
}
