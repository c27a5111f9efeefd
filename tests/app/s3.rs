//! Documents in an S3-compatible object store (s3s-fs, a real S3 protocol
//! server with signature checks, one per test).

use rand::RngCore;
use rocket::http::Status;
use sha2::{Digest, Sha256};
use tokio::io::AsyncReadExt;

use crate::helpers::{pdf, portal, spawn, spawn_on_s3, S3Server, S3_KEY, S3_SECRET};
use fellowship_portal::jobs;

const NEEDS: &str = "needs s3s-fs: TEST_S3S_BIN (scripts/test-all installs it)";

async fn keys(store: &fellowship_portal::storage::s3::S3Store) -> Vec<String> {
    let out = store
        .client
        .list_objects_v2()
        .bucket(&store.bucket)
        .send()
        .await
        .unwrap();
    out.contents()
        .iter()
        .filter_map(|o| o.key().map(str::to_owned))
        .collect()
}

async fn start_application(app: &crate::helpers::TestApp) -> i64 {
    app.logged_in_user("Maya Chen", "maya@example.edu").await;
    app.start_health_justice(app).await
}

#[rocket::async_test]
#[ignore = "needs s3s-fs: TEST_S3S_BIN (scripts/test-all installs it)"]
async fn documents_upload_download_through_a_signed_link_and_delete() {
    let _ = NEEDS;
    let server = S3Server::start();
    let bucket = server.bucket("portal-docs").await;
    let app = spawn_on_s3(&server, "portal-docs").await;
    let id = start_application(&app).await;
    let url = format!("/apply/applications/{id}/sections/documents");
    let cv = pdf("curriculum vitae");
    let page = app
        .post_multipart(&url, &[], &[("f[cv]", "Maya CV.pdf", &cv)])
        .await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    let stored = keys(&bucket).await;
    assert_eq!(stored.len(), 1);
    let doc = app.count("SELECT id FROM documents").await;

    let r = app
        .client
        .get(format!("/apply/documents/{doc}"))
        .dispatch()
        .await;
    assert_eq!(r.status(), Status::SeeOther);
    let link = r.headers().get_one("Location").unwrap().to_owned();
    assert!(
        link.starts_with(&server.endpoint()) && link.contains("X-Amz-Signature="),
        "{link}"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM document_views").await,
        1,
        "the redirect is logged too"
    );
    let fetched = ureq::get(&link).call().unwrap();
    assert_eq!(
        fetched.header("Content-Disposition"),
        Some("attachment; filename=\"Maya CV.pdf\"; filename*=UTF-8''Maya%20CV.pdf")
    );
    let mut body = Vec::new();
    std::io::Read::read_to_end(&mut fetched.into_reader(), &mut body).unwrap();
    assert_eq!(body, cv);

    // Without the signature the store refuses.
    let unsigned = format!("{}/portal-docs/{}", server.endpoint(), stored[0]);
    assert!(ureq::get(&unsigned).call().is_err());

    app.post_multipart(&url, &[("remove", "cv")], &[]).await;
    assert!(
        keys(&bucket).await.is_empty(),
        "deleting the document deleted its object"
    );
    let (_, health) = app.health_for_admin().await;
    assert_eq!(
        health["storage"],
        serde_json::json!({"backend": "s3", "ok": true}),
        "{health}"
    );
}

/// Checks an object's size and hash, that it went up in four parts (the
/// multipart ETag ends in "-4"), and that it reads back byte-exact.
async fn assert_stored_in_four_parts(
    store: &fellowship_portal::storage::s3::S3Store,
    storage: &fellowship_portal::storage::Storage,
    stored: &fellowship_portal::storage::Stored,
    data: &[u8],
    sha256: &str,
) {
    assert_eq!(
        (stored.size, stored.sha256.as_str()),
        (data.len() as u64, sha256)
    );
    let head = store
        .client
        .head_object()
        .bucket(&store.bucket)
        .key(&stored.key)
        .send()
        .await
        .unwrap();
    assert!(
        head.e_tag().unwrap_or("").trim_matches('"').ends_with("-4"),
        "{:?}",
        head.e_tag()
    );
    let mut back = Vec::new();
    storage
        .read(&stored.key)
        .await
        .unwrap()
        .read_to_end(&mut back)
        .await
        .unwrap();
    assert!(back == data, "read back byte-exact");
}

#[rocket::async_test]
#[ignore = "needs s3s-fs: TEST_S3S_BIN (scripts/test-all installs it)"]
async fn a_30_mb_upload_goes_in_parts_and_reads_back_byte_exact() {
    let server = S3Server::start();
    server.bucket("big-files").await;
    let store = fellowship_portal::storage::s3::S3Store::connect(
        Some(&server.endpoint()),
        "us-east-1",
        "big-files",
        S3_KEY,
        S3_SECRET,
    );
    let storage = fellowship_portal::storage::Storage::new(
        fellowship_portal::storage::Backend::S3(store.clone()),
        Default::default(),
    );
    let mut data = vec![0u8; 30 * 1024 * 1024 + 12345];
    rand::thread_rng().fill_bytes(&mut data);
    let expected: String = Sha256::digest(&data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let stored = storage.put(&data[..]).await.unwrap();
    assert_stored_in_four_parts(&store, &storage, &stored, &data, &expected).await;

    // The same from a file on disk (how uploads arrive): parts streamed from the file.
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), &data).unwrap();
    let from_file = storage.put_file(file.path(), None).await.unwrap();
    assert_stored_in_four_parts(&store, &storage, &from_file, &data, &expected).await;
}

#[rocket::async_test]
#[ignore = "needs s3s-fs: TEST_S3S_BIN (scripts/test-all installs it)"]
async fn expired_or_altered_links_are_refused() {
    let server = S3Server::start();
    server.bucket("links").await;
    let store = fellowship_portal::storage::s3::S3Store::connect(
        Some(&server.endpoint()),
        "us-east-1",
        "links",
        S3_KEY,
        S3_SECRET,
    );
    let storage = fellowship_portal::storage::Storage::new(
        fellowship_portal::storage::Backend::S3(store.clone()),
        Default::default(),
    );
    let stored = storage.put(&pdf("letter")[..]).await.unwrap();
    let good = store
        .link(&stored.key, "attachment", "application/pdf")
        .await
        .unwrap();
    assert!(ureq::get(&good).call().is_ok());
    let sig = good.find("X-Amz-Signature=").unwrap() + "X-Amz-Signature=".len();
    let mut altered = good.clone().into_bytes();
    altered[sig] = if altered[sig] == b'0' { b'1' } else { b'0' };
    let altered = String::from_utf8(altered).unwrap();
    let refused = ureq::get(&altered).call();
    assert!(
        matches!(refused, Err(ureq::Error::Status(403, _))),
        "{refused:?}"
    );
    let other_key = good.replacen(&stored.key, "00000000000000000000000000000000", 1);
    assert!(matches!(
        ureq::get(&other_key).call(),
        Err(ureq::Error::Status(403, _))
    ));
    let short = store
        .link_for(
            &stored.key,
            "attachment",
            "application/pdf",
            std::time::Duration::from_secs(1),
        )
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    let expired = ureq::get(&short).call();
    assert!(
        matches!(expired, Err(ureq::Error::Status(403, _))),
        "{expired:?}"
    );
}

#[rocket::async_test]
#[ignore = "needs s3s-fs: TEST_S3S_BIN (scripts/test-all installs it)"]
async fn an_outage_of_the_store_loses_no_answer() {
    let mut server = S3Server::start();
    let bucket = server.bucket("outage").await;
    let app = spawn_on_s3(&server, "outage").await;
    let id = start_application(&app).await;
    // Logged in before the outage: a new browser is a new instance, and an
    // instance checks its store as it starts.
    let admin = app.admin_browser("health-admin@example.org").await;
    server.stop();
    let url = format!("/apply/applications/{id}/sections/documents");
    let page = app
        .post_multipart(&url, &[], &[("f[cv]", "cv.pdf", &pdf("cv"))])
        .await;
    assert_eq!(page.status, Status::ServiceUnavailable);
    page.assert_contains("Storage is unavailable for a moment; your answers are saved.");
    // The operator sees the failed call in the metrics.
    let metrics = app.ctx().metrics.encode();
    assert!(
        metrics.contains("portal_storage_errors_total{operation=\"put\"} 1"),
        "{metrics}"
    );
    // Everything else keeps working, typed answers included.
    let contact = format!("/apply/applications/{id}/sections/contact");
    let saved = app
        .post_multipart(&contact, &[("a[mailing_city]", "Baltimore")], &[])
        .await;
    assert_eq!(saved.status, Status::SeeOther);
    app.get(&contact)
        .await
        .assert_contains(r#"value="Baltimore""#);
    let (status, health) = app.health_read_by(&admin).await;
    assert_eq!(status, Status::Ok);
    assert_eq!(health["status"], "degraded", "{health}");
    assert_eq!(health["storage"]["backend"], "s3", "{health}");
    assert_eq!(health["storage"]["ok"], false, "{health}");
    assert!(
        health["storage"]["error"]
            .as_str()
            .is_some_and(|e| !e.is_empty()),
        "the admin is told why: {health}"
    );
    let public = app.client.get("/healthz").dispatch().await;
    assert_eq!(
        public.into_string().await.unwrap(),
        r#"{"status":"degraded"}"#,
        "anyone else: no error text"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM documents").await, 0);

    server.resume();
    assert!(keys(&bucket).await.is_empty(), "nothing half-stored");
    let page = app
        .post_multipart(&url, &[], &[("f[cv]", "cv.pdf", &pdf("cv"))])
        .await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    assert_eq!(keys(&bucket).await.len(), 1);
}

#[rocket::async_test]
#[ignore = "needs s3s-fs: TEST_S3S_BIN (scripts/test-all installs it)"]
async fn the_sweeper_removes_orphans_and_keeps_referenced_objects() {
    let server = S3Server::start();
    let bucket = server.bucket("sweep").await;
    let app = spawn_on_s3(&server, "sweep").await;
    let id = start_application(&app).await;
    app.post_multipart(
        &format!("/apply/applications/{id}/sections/documents"),
        &[],
        &[("f[cv]", "cv.pdf", &pdf("cv"))],
    )
    .await;
    let orphan = app.storage().put(&b"left by a crash"[..]).await.unwrap();
    assert_eq!(keys(&bucket).await.len(), 2);
    let ctx = app.ctx();
    assert_eq!(
        jobs::documents::sweep_orphans(&ctx).await.unwrap(),
        0,
        "young objects are left alone"
    );
    app.advance(chrono::Duration::hours(2));
    assert_eq!(jobs::documents::sweep_orphans(&ctx).await.unwrap(), 1);
    let left = keys(&bucket).await;
    assert_eq!(left.len(), 1);
    assert_ne!(left[0], orphan.key);
    let recorded: String = match app.pool() {
        fellowship_portal::db::PortalPool::Sqlite(p) => {
            sqlx::query_scalar("SELECT storage_key FROM documents")
                .fetch_one(p)
                .await
                .unwrap()
        }
        fellowship_portal::db::PortalPool::Postgres(p) => {
            sqlx::query_scalar("SELECT storage_key FROM documents")
                .fetch_one(p)
                .await
                .unwrap()
        }
    };
    assert_eq!(left[0], recorded);
}

#[rocket::async_test]
#[ignore = "needs s3s-fs: TEST_S3S_BIN (scripts/test-all installs it)"]
async fn migrate_storage_copies_every_document_once_and_can_run_again() {
    let server = S3Server::start();
    let bucket = server.bucket("migrated").await;
    let app = spawn().await;
    let id = start_application(&app).await;
    app.post_multipart(
        &format!("/apply/applications/{id}/sections/documents"),
        &[],
        &[("f[cv]", "cv.pdf", &pdf("cv one"))],
    )
    .await;
    let cycle = app.cycle_of("voices-for-change").await;
    let page = app
        .post(
            &format!("/apply/cycles/{cycle}/start"),
            &[("e[student_or_recent_graduate]", "enrolled_student")],
        )
        .await;
    let second: i64 = page
        .location
        .expect("started")
        .split('/')
        .nth(3)
        .unwrap()
        .parse()
        .unwrap();
    app.post_multipart(
        &format!("/apply/applications/{second}/sections/portfolio"),
        &[],
        &[("f[writing_sample]", "sample.pdf", &pdf("writing"))],
    )
    .await;
    assert_eq!(app.count("SELECT COUNT(*) FROM documents").await, 2);

    let run = || {
        portal(app.dir.path(), &app.database_url)
            .args(["migrate-storage", "--from", "local", "--to", "s3"])
            .env("PORTAL_S3_ENDPOINT", server.endpoint())
            .env("PORTAL_S3_BUCKET", "migrated")
            .env("AWS_ACCESS_KEY_ID", S3_KEY)
            .env("AWS_SECRET_ACCESS_KEY", S3_SECRET)
            .output()
            .unwrap()
    };
    let first = run();
    let stdout = String::from_utf8_lossy(&first.stdout);
    let stderr = String::from_utf8_lossy(&first.stderr);
    assert!(first.status.success(), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("Copied 2 document(s); 0 already there; 0 failed."),
        "{stdout}"
    );
    assert!(stderr.contains("2/2"), "a progress bar: {stderr}");
    assert_eq!(keys(&bucket).await.len(), 2);
    let again = run();
    assert!(String::from_utf8_lossy(&again.stdout)
        .contains("Copied 0 document(s); 2 already there; 0 failed."));

    // The same database now serves its documents from S3.
    let moved = crate::helpers::spawn_on_s3_with_database(&server, "migrated", &app).await;
    let doc = app.count("SELECT MIN(id) FROM documents").await;
    moved
        .login("maya@example.edu", crate::helpers::PASSWORD)
        .await;
    let r = moved
        .client
        .get(format!("/apply/documents/{doc}"))
        .dispatch()
        .await;
    assert_eq!(r.status(), Status::SeeOther);
    let link = r.headers().get_one("Location").unwrap().to_owned();
    let mut body = Vec::new();
    std::io::Read::read_to_end(
        &mut ureq::get(&link).call().unwrap().into_reader(),
        &mut body,
    )
    .unwrap();
    assert_eq!(body, pdf("cv one"));
}

#[rocket::async_test]
#[ignore = "needs s3s-fs: TEST_S3S_BIN (scripts/test-all installs it)"]
async fn a_misconfigured_store_is_named_at_start() {
    let server = S3Server::start();
    server.bucket("exists").await;
    let dir = tempfile::tempdir().unwrap();
    let (db_url, _database) = crate::helpers::fresh_database(dir.path()).await;
    let start = |bucket: &str, secret: &str| {
        portal(&dir.path().join("data"), &db_url)
            .arg("migrate")
            .env("PORTAL_STORAGE", "s3")
            .env("PORTAL_S3_ENDPOINT", server.endpoint())
            .env("PORTAL_S3_BUCKET", bucket)
            .env("AWS_ACCESS_KEY_ID", S3_KEY)
            .env("AWS_SECRET_ACCESS_KEY", secret)
            .output()
            .unwrap()
    };
    let missing = start("no-such-bucket", S3_SECRET);
    assert!(!missing.status.success());
    assert!(
        String::from_utf8_lossy(&missing.stderr)
            .contains("the bucket \"no-such-bucket\" does not exist"),
        "{}",
        String::from_utf8_lossy(&missing.stderr)
    );
    let forbidden = start("exists", "wrong-secret");
    assert!(!forbidden.status.success());
    assert!(
        String::from_utf8_lossy(&forbidden.stderr).contains("was refused: check AWS_ACCESS_KEY_ID"),
        "{}",
        String::from_utf8_lossy(&forbidden.stderr)
    );
    let unreachable = portal(&dir.path().join("data"), &db_url)
        .arg("migrate")
        .env("PORTAL_STORAGE", "s3")
        .env(
            "PORTAL_S3_ENDPOINT",
            format!("http://127.0.0.1:{}", crate::helpers::free_port()),
        )
        .env("PORTAL_S3_BUCKET", "exists")
        .env("AWS_ACCESS_KEY_ID", S3_KEY)
        .env("AWS_SECRET_ACCESS_KEY", S3_SECRET)
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&unreachable.stderr).contains("cannot reach the S3 endpoint"),
        "{}",
        String::from_utf8_lossy(&unreachable.stderr)
    );
    assert!(start("exists", S3_SECRET).status.success());
}

/// On S3 the bucket keeps the documents: a backup holds the database, the
/// list of documents and a note saying where they are, and restores.
#[rocket::async_test]
#[ignore = "needs s3s-fs: TEST_S3S_BIN (scripts/test-all installs it)"]
async fn a_backup_on_s3_says_the_bucket_keeps_the_documents_and_restores() {
    use fellowship_portal::ops::backup;
    let server = S3Server::start();
    server.bucket("portal-docs").await;
    let app = spawn_on_s3(&server, "portal-docs").await;
    let id = start_application(&app).await;
    let page = app
        .post_multipart(
            &format!("/apply/applications/{id}/sections/documents"),
            &[],
            &[("f[cv]", "Maya CV.pdf", &pdf("curriculum vitae"))],
        )
        .await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    let ctx = app.ctx();
    let out = app.dir.path().join("backup");
    let manifest = backup::create(
        &backup::Source {
            pool: &ctx.pool,
            database_url: &app.database_url,
            store: &ctx.store,
            data_dir: app.dir.path(),
        },
        &out,
        app.clock.now(),
    )
    .await
    .unwrap();
    assert_eq!(manifest.store, "s3");
    assert!(!manifest.documents_included);
    assert_eq!(manifest.documents, 1);
    assert!(!out.join("documents").exists());
    assert!(
        manifest.notes[0].starts_with(
            "The one document is kept in the S3 bucket and not in this backup: the bucket's own versioning or replication is their backup."
        ),
        "{:?}",
        manifest.notes
    );
    let server_url = std::env::var("TEST_DATABASE_URL").ok();
    let verified = backup::verify(&out, server_url.as_deref().filter(|u| !u.is_empty()))
        .await
        .unwrap();
    assert_eq!(verified.tables, manifest.tables);
    assert_eq!(verified.documents, 0);
}
