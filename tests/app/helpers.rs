//! Spawning the app on a fresh database, and speaking to it as a browser.

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use fellowship_portal::db::{outbox, Db, PortalPool};
use fellowship_portal::domain::user::UserId;
use rocket::figment::Figment;
use rocket::http::{ContentType, Status};
use rocket::local::asynchronous::{Client, LocalResponse};
use rocket_db_pools::Database;

/// A password that meets the rules, used by default.
pub const PASSWORD: &str = "plum-kettle-orbit-sage";

/// The app on its own database and data folder, seen through one browser
/// (more with [`TestApp::another_browser`]).
pub struct TestApp {
    pub browser: Browser,
    pub dir: tempfile::TempDir,
    pub database_url: String,
    /// The clock every browser of this app shares.
    pub clock: fellowship_portal::clock::Clock,
    figment: Figment,
    _database: DatabaseGuard,
}

/// Drops a per-test PostgreSQL database when the test ends.
pub struct DatabaseGuard(Option<(String, String)>);

/// One browser: a client with its own cookie jar.
pub struct Browser {
    pub client: Client,
}

impl std::ops::Deref for TestApp {
    type Target = Browser;

    fn deref(&self) -> &Browser {
        &self.browser
    }
}

/// What a request answered.
pub struct Page {
    pub status: Status,
    pub location: Option<String>,
    /// The `Set-Cookie` headers, as sent.
    pub cookies: Vec<String>,
    pub body: String,
}

impl Page {
    pub async fn from(r: LocalResponse<'_>) -> Self {
        let status = r.status();
        let location = r.headers().get_one("Location").map(str::to_owned);
        let cookies = r.headers().get("Set-Cookie").map(str::to_owned).collect();
        let body = r.into_string().await.unwrap_or_default();
        Self {
            status,
            cookies,
            location,
            body,
        }
    }

    /// Fails the test unless the body contains `text`.
    #[track_caller]
    pub fn assert_contains(&self, text: &str) -> &Self {
        assert!(
            self.body.contains(text),
            "expected {text:?} in the page ({}):\n{}",
            self.status,
            self.body
        );
        self
    }

    /// Fails the test if the body contains `text`.
    #[track_caller]
    pub fn assert_lacks(&self, text: &str) -> &Self {
        assert!(
            !self.body.contains(text),
            "did not expect {text:?} in the page:\n{}",
            self.body
        );
        self
    }
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A fresh, unique database URL: a SQLite file in `dir`, or a new database
/// on the server of `TEST_DATABASE_URL` (returned as `(admin_url, name)` for
/// dropping).
pub async fn fresh_database(dir: &std::path::Path) -> (String, DatabaseGuard) {
    match std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())
    {
        None => (
            format!("sqlite://{}", dir.join("portal.sqlite").display()),
            DatabaseGuard(None),
        ),
        Some(admin_url) => {
            use sqlx::Connection;
            let name = format!(
                "t_{}_{}_{}",
                std::process::id(),
                COUNTER.fetch_add(1, Ordering::SeqCst),
                rand::random::<u32>()
            );
            let mut conn = sqlx::PgConnection::connect(&admin_url)
                .await
                .expect("TEST_DATABASE_URL reachable");
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&mut conn)
                .await
                .unwrap();
            let (base, _) = admin_url
                .rsplit_once('/')
                .expect("TEST_DATABASE_URL names a database");
            (
                format!("{base}/{name}"),
                DatabaseGuard(Some((admin_url, name))),
            )
        }
    }
}

/// The app with the default test settings.
pub async fn spawn() -> TestApp {
    spawn_with(|f| f).await
}

/// The app with settings changed by `customize`.
pub async fn spawn_with(customize: impl FnOnce(Figment) -> Figment) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let (database_url, database) = fresh_database(dir.path()).await;
    let figment = rocket::Config::figment()
        .merge(("log_level", "off"))
        .merge(("portal.data_dir", dir.path()))
        .merge(("portal.mail_worker", false))
        .merge(("portal.admin_email", "first-admin@example.org"))
        .merge(("databases.portal.url", &database_url))
        .merge(("databases.portal.max_connections", 5));
    let figment = fellowship_portal::config::load(customize(figment)).unwrap();
    let clock = fellowship_portal::clock::Clock::system();
    let client = Client::tracked(fellowship_portal::build_with_clock(
        figment.clone(),
        clock.clone(),
    ))
    .await
    .expect("the app ignites");
    TestApp {
        clock,
        browser: Browser { client },
        dir,
        database_url,
        figment,
        _database: database,
    }
}

impl Drop for DatabaseGuard {
    fn drop(&mut self) {
        if let Some((admin_url, name)) = self.0.take() {
            // Drop runs inside the test's runtime; a thread with its own runtime may block.
            std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                rt.block_on(async {
                    use sqlx::Connection;
                    if let Ok(mut conn) = sqlx::PgConnection::connect(&admin_url).await {
                        let _ =
                            sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                                .execute(&mut conn)
                                .await;
                    }
                });
            })
            .join()
            .unwrap();
        }
    }
}

/// Encodes form fields as `application/x-www-form-urlencoded`.
pub fn encode(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(k, v)| {
            format!(
                "{}={}",
                fellowship_portal::web::page::url_encode(k),
                fellowship_portal::web::page::url_encode(v)
            )
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// The first link in `text` that contains `path`.
pub fn link_in(text: &str, path: &str) -> String {
    let start = text.find("http").map(|_| ()).and_then(|_| {
        text.match_indices("http").map(|(i, _)| i).find(|i| {
            text[*i..]
                .split_whitespace()
                .next()
                .unwrap_or("")
                .contains(path)
        })
    });
    let start = start.unwrap_or_else(|| panic!("no link to {path} in:\n{text}"));
    let link = text[start..].split_whitespace().next().unwrap();
    let at = link.find(path).unwrap();
    link[at..].to_owned()
}

impl TestApp {
    /// A second browser (its own cookies) on the same database and data.
    pub async fn another_browser(&self) -> Browser {
        let client = Client::tracked(fellowship_portal::build_with_clock(
            self.figment.clone(),
            self.clock.clone(),
        ))
        .await
        .expect("the app ignites");
        Browser { client }
    }

    /// An outbox worker of this app, to run its rounds by hand.
    pub fn worker(&self) -> fellowship_portal::mail::worker::Worker {
        fellowship_portal::mail::worker::Worker::new(&self.ctx())
    }

    /// The context every use case and job of this app works with.
    pub fn ctx(&self) -> fellowship_portal::context::Ctx {
        self.client
            .rocket()
            .state::<fellowship_portal::context::Ctx>()
            .expect("the context")
            .clone()
    }

    /// Moves this app's time forward: sessions, due dates, deadlines and
    /// jobs all see the later time.
    pub fn advance(&self, by: chrono::Duration) {
        self.clock.advance(by);
    }

    /// Moves this app's time to just after `at` (a due date, a deadline, a
    /// link's expiry); a time already past leaves the clock as it is.
    pub fn advance_past(&self, at: chrono::DateTime<chrono::Utc>) {
        let by = at - self.clock.now() + chrono::Duration::seconds(1);
        if by > chrono::Duration::zero() {
            self.advance(by);
        }
    }

    /// The document store.
    pub fn storage(&self) -> fellowship_portal::storage::Storage {
        self.client
            .rocket()
            .state::<fellowship_portal::storage::Storage>()
            .expect("storage")
            .clone()
    }

    /// Runs the background health check now (it runs every few seconds),
    /// as if its interval had passed.
    pub async fn check_health(&self) {
        self.client
            .rocket()
            .state::<fellowship_portal::health::Monitor>()
            .expect("health monitor")
            .refresh()
            .await;
    }

    /// The live pool.
    pub fn pool(&self) -> &PortalPool {
        &Db::fetch(self.client.rocket()).expect("database").0
    }
}

impl Browser {
    /// GET as the browser.
    pub async fn get(&self, uri: &str) -> Page {
        Page::from(self.client.get(uri.to_owned()).dispatch().await).await
    }

    /// The CSRF token the browser's cookie holds (visiting a page first if it has none).
    pub async fn csrf(&self) -> String {
        if self.client.cookies().get_private("portal_csrf").is_none() {
            self.get("/account/login").await;
        }
        self.client
            .cookies()
            .get_private("portal_csrf")
            .expect("CSRF cookie set")
            .value()
            .to_owned()
    }

    /// POSTs a form as the browser does: the CSRF token first.
    pub async fn post(&self, uri: &str, fields: &[(&str, &str)]) -> Page {
        let token = self.csrf().await;
        let mut all = vec![("csrf_token", token.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(uri, &encode(&all)).await
    }

    /// POSTs a form as a browser at `remote` (address and port) does: the
    /// CSRF token first.
    pub async fn post_from(&self, uri: &str, fields: &[(&str, &str)], remote: &str) -> Page {
        let token = self.csrf().await;
        let mut all = vec![("csrf_token", token.as_str())];
        all.extend_from_slice(fields);
        let r = self
            .client
            .post(uri.to_owned())
            .header(ContentType::Form)
            .remote(remote.parse().expect("an address and port"))
            .body(encode(&all))
            .dispatch()
            .await;
        Page::from(r).await
    }

    /// Logs in from `remote` (address and port); returns the answer.
    pub async fn login_from(&self, email: &str, password: &str, remote: &str) -> Page {
        self.post_from(
            "/account/login",
            &[("email", email), ("password", password), ("next", "/")],
            remote,
        )
        .await
    }

    /// POSTs a body exactly as given.
    pub async fn post_raw(&self, uri: &str, body: &str) -> Page {
        let r = self
            .client
            .post(uri.to_owned())
            .header(ContentType::Form)
            .body(body)
            .dispatch()
            .await;
        Page::from(r).await
    }

    /// Registers an account through the form.
    pub async fn register(&self, name: &str, email: &str, password: &str) -> Page {
        self.post(
            "/account/register",
            &[
                ("name", name),
                ("email", email),
                ("password", password),
                ("password_confirm", password),
            ],
        )
        .await
    }

    /// Logs in through the form; returns the answer.
    pub async fn login(&self, email: &str, password: &str) -> Page {
        self.post(
            "/account/login",
            &[("email", email), ("password", password), ("next", "/")],
        )
        .await
    }
}

impl TestApp {
    /// The newest queued message to `to`, of `kind` when given.
    pub async fn last_mail(&self, to: &str, kind: &str) -> outbox::Message {
        let mut conn = self.pool().conn().await.unwrap();
        outbox::latest_to(conn.exec(), to, Some(kind))
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("no {kind} mail to {to}"))
    }

    /// Registers and confirms an account; returns its id.
    pub async fn new_user(&self, name: &str, email: &str) -> UserId {
        let page = self.register(name, email, PASSWORD).await;
        assert_eq!(
            page.status,
            Status::SeeOther,
            "registration failed: {}",
            page.body
        );
        let mail = self.last_mail(email, "confirm_email").await;
        let link = link_in(&mail.text_body, "/account/confirm/");
        let page = self.get(&link).await;
        assert_eq!(
            page.status,
            Status::SeeOther,
            "confirmation failed: {}",
            page.body
        );
        let mut conn = self.pool().conn().await.unwrap();
        let (user, _) = fellowship_portal::db::users::find_by_email(conn.exec(), email)
            .await
            .unwrap()
            .unwrap();
        user.id
    }

    /// A new confirmed user, logged in.
    pub async fn logged_in_user(&self, name: &str, email: &str) -> UserId {
        let id = self.new_user(name, email).await;
        let page = self.login(email, PASSWORD).await;
        assert_eq!(page.status, Status::SeeOther, "login failed: {}", page.body);
        id
    }

    /// An admin (created as the CLI does), logged in with a password of their own.
    pub async fn logged_in_admin(&self, email: &str) -> UserId {
        self.admin_on(self, email).await
    }

    /// A browser of its own, logged in as a new admin.
    pub async fn admin_browser(&self, email: &str) -> Browser {
        let b = self.another_browser().await;
        self.admin_on(&b, email).await;
        b
    }

    /// `/healthz` as an admin reads it, after a fresh check.
    pub async fn health_for_admin(&self) -> (Status, serde_json::Value) {
        let admin = self.admin_browser("health-admin@example.org").await;
        self.health_read_by(&admin).await
    }

    /// `/healthz` as `admin` (a browser logged in as an admin) reads it,
    /// after a fresh check of this app and of the admin's. A second browser
    /// is a second app instance, which checks the store as it starts: for
    /// an outage, log the admin in before it begins.
    pub async fn health_read_by(&self, admin: &Browser) -> (Status, serde_json::Value) {
        // Each instance keeps its own check: refresh both.
        self.check_health().await;
        admin
            .client
            .rocket()
            .state::<fellowship_portal::health::Monitor>()
            .expect("health monitor")
            .refresh()
            .await;
        let r = admin.client.get("/healthz").dispatch().await;
        let status = r.status();
        let body = r.into_string().await.unwrap();
        (status, serde_json::from_str(&body).unwrap())
    }

    /// Makes `email` an admin (as the CLI does) and logs `b` in with a
    /// password of their own.
    pub async fn admin_on(&self, b: &Browser, email: &str) -> UserId {
        let otp = fellowship_portal::seed::create_admin(
            self.pool(),
            email,
            "Ada Admin",
            self.clock.now(),
        )
        .await
        .unwrap();
        let page = b.login(email, &otp).await;
        assert_eq!(page.location.as_deref(), Some("/account/password"));
        let page = b
            .post(
                "/account/password",
                &[
                    ("current_password", &otp),
                    ("password", PASSWORD),
                    ("password_confirm", PASSWORD),
                ],
            )
            .await;
        assert_eq!(page.status, Status::SeeOther, "{}", page.body);
        let mut conn = self.pool().conn().await.unwrap();
        fellowship_portal::db::users::find_by_email(conn.exec(), email)
            .await
            .unwrap()
            .unwrap()
            .0
            .id
    }

    /// Runs one SQL statement with a text and a number parameter (for
    /// moving stored times into the past).
    pub async fn sql(&self, sql: &str) {
        match self.pool() {
            PortalPool::Sqlite(p) => {
                sqlx::query(sql).execute(p).await.unwrap();
            }
            PortalPool::Postgres(p) => {
                sqlx::query(sql).execute(p).await.unwrap();
            }
        }
    }

    /// A count from one SQL query.
    pub async fn count(&self, sql: &str) -> i64 {
        match self.pool() {
            PortalPool::Sqlite(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
            PortalPool::Postgres(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
        }
    }

    /// The one text value of one SQL query.
    pub async fn text(&self, sql: &str) -> String {
        match self.pool() {
            PortalPool::Sqlite(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
            PortalPool::Postgres(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
        }
    }

    /// The text values of one SQL query's rows.
    pub async fn texts(&self, sql: &str) -> Vec<String> {
        match self.pool() {
            PortalPool::Sqlite(p) => sqlx::query_scalar(sql).fetch_all(p).await.unwrap(),
            PortalPool::Postgres(p) => sqlx::query_scalar(sql).fetch_all(p).await.unwrap(),
        }
    }
}

/// A port nobody listens on right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub fn portal(data: &std::path::Path, db_url: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_fellowship-portal"));
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("PORTAL_DATA_DIR", data)
        .env("DATABASE_URL", db_url)
        .env("PORTAL_ADMIN_EMAIL", "first@example.org")
        .env_remove("ROCKET_SECRET_KEY")
        .env("ROCKET_LOG_LEVEL", "critical");
    cmd
}

/// Starts `serve`, waits for its ready line, and returns the child with
/// everything it printed until then.
pub fn serve(data: &std::path::Path, db_url: &str, port: u16) -> (std::process::Child, String) {
    serve_with(data, db_url, port, &[])
}

/// [`serve`] with more environment variables.
pub fn serve_with(
    data: &std::path::Path,
    db_url: &str,
    port: u16,
    env: &[(&str, String)],
) -> (std::process::Child, String) {
    let mut command = portal(data, db_url);
    for (k, v) in env {
        command.env(k, v);
    }
    let mut child = command
        .env("ROCKET_PORT", port.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut printed = String::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        let mut line = String::new();
        if out.read_line(&mut line).unwrap() == 0 {
            break;
        }
        printed.push_str(&line);
        if line.contains("fellowship-portal is ready at") {
            break;
        }
    }
    std::thread::spawn(move || {
        let mut sink = String::new();
        let _ = out.read_to_string(&mut sink);
    });
    (child, printed)
}

/// The boundary of multipart bodies built here.
pub const BOUNDARY: &str = "----portal-test-boundary-7d3f";

/// A `multipart/form-data` body: the fields, then the files
/// (`(field, file name, bytes)`), as a browser sends them.
pub fn multipart(fields: &[(&str, &str)], files: &[(&str, &str, &[u8])]) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes());
    }
    for (name, file_name, bytes) in files {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// A small but real-looking PDF.
pub fn pdf(text: &str) -> Vec<u8> {
    format!("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% {text}\ntrailer << /Root 1 0 R >>\n%%EOF\n").into_bytes()
}

impl Browser {
    /// POSTs a multipart form as the browser does: the CSRF token first.
    pub async fn post_multipart(
        &self,
        uri: &str,
        fields: &[(&str, &str)],
        files: &[(&str, &str, &[u8])],
    ) -> Page {
        let token = self.csrf().await;
        let mut all = vec![("csrf_token", token.as_str())];
        all.extend_from_slice(fields);
        let content_type =
            ContentType::new("multipart", "form-data").with_params(("boundary", BOUNDARY));
        let r = self
            .client
            .post(uri.to_owned())
            .header(content_type)
            .body(multipart(&all, files))
            .dispatch()
            .await;
        Page::from(r).await
    }
}

impl Browser {
    /// Names a referee of the Health Justice form (slot `position`), waiving the right to read.
    pub async fn name_referee(&self, id: i64, position: &str, name: &str, email: &str) -> Page {
        let fields = [
            ("question", "referees"),
            ("position", position),
            ("name", name),
            ("email", email),
            ("relationship", "Clinical supervisor"),
            ("waiver", "yes"),
        ];
        self.post(&format!("/apply/applications/{id}/referees"), &fields)
            .await
    }
}

impl TestApp {
    /// The id of the seeded cycle of a program.
    pub async fn cycle_of(&self, slug: &str) -> i64 {
        self.count(&format!("SELECT c.id FROM cycles c JOIN programs p ON p.id = c.program_id WHERE p.slug = '{slug}'")).await
    }

    /// Starts a Health Justice application as the logged-in browser; returns its id.
    pub async fn start_health_justice(&self, browser: &Browser) -> i64 {
        let cycle = self.cycle_of("health-justice").await;
        let page = browser
            .post(
                &format!("/apply/cycles/{cycle}/start"),
                &[
                    ("e[enrolled_us_health_program]", "yes"),
                    ("e[can_commit_time]", "yes"),
                ],
            )
            .await;
        assert_eq!(page.status, Status::SeeOther, "{}", page.body);
        let location = page.location.unwrap();
        location.split('/').nth(3).unwrap().parse().unwrap()
    }
}

/// An S3-compatible server (s3s-fs) of the test's own, on a free port,
/// over a folder of its own; stopped when dropped.
pub struct S3Server {
    child: Option<std::process::Child>,
    pub port: u16,
    pub dir: tempfile::TempDir,
}

/// The credentials every test S3 server accepts.
pub const S3_KEY: &str = "testkey";
pub const S3_SECRET: &str = "testsecret";

impl S3Server {
    /// Starts s3s-fs from `TEST_S3S_BIN`.
    pub fn start() -> Self {
        let mut server = Self {
            child: None,
            port: free_port(),
            dir: tempfile::tempdir().unwrap(),
        };
        server.resume();
        server
    }

    /// The endpoint URL.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Stops the server (an outage).
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Starts it again on the same port and folder.
    pub fn resume(&mut self) {
        let bin = std::env::var("TEST_S3S_BIN")
            .expect("TEST_S3S_BIN names the s3s-fs binary (scripts/test-all installs it)");
        let child = Command::new(bin)
            .args([
                "--host",
                "127.0.0.1",
                "--port",
                &self.port.to_string(),
                "--access-key",
                S3_KEY,
                "--secret-key",
                S3_SECRET,
            ])
            .arg(self.dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("s3s-fs starts");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "s3s-fs did not listen on {}",
                self.port
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// A client of a new, empty bucket.
    pub async fn bucket(&self, name: &str) -> fellowship_portal::storage::s3::S3Store {
        let store = fellowship_portal::storage::s3::S3Store::connect(
            Some(&self.endpoint()),
            "us-east-1",
            name,
            S3_KEY,
            S3_SECRET,
        );
        store
            .client
            .create_bucket()
            .bucket(name)
            .send()
            .await
            .expect("bucket created");
        store
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The app storing documents in `bucket` of `server`.
pub async fn spawn_on_s3(server: &S3Server, bucket: &str) -> TestApp {
    let endpoint = server.endpoint();
    let bucket = bucket.to_owned();
    spawn_with(move |f| {
        f.merge(("portal.storage", "s3"))
            .merge(("portal.s3_endpoint", endpoint))
            .merge(("portal.s3_bucket", bucket))
            .merge(("portal.s3_access_key_id", S3_KEY))
            .merge(("portal.s3_secret_access_key", S3_SECRET))
    })
    .await
}

/// A second app on `other`'s database and data folder, storing documents
/// in `bucket` of `server`.
pub async fn spawn_on_s3_with_database(
    server: &S3Server,
    bucket: &str,
    other: &TestApp,
) -> Browser {
    let figment = other
        .figment
        .clone()
        .merge(("portal.storage", "s3"))
        .merge(("portal.s3_endpoint", server.endpoint()))
        .merge(("portal.s3_bucket", bucket))
        .merge(("portal.s3_access_key_id", S3_KEY))
        .merge(("portal.s3_secret_access_key", S3_SECRET));
    Browser {
        client: Client::tracked(fellowship_portal::build_with_clock(
            figment,
            other.clock.clone(),
        ))
        .await
        .expect("the app ignites"),
    }
}

/// An SMTP server of the test's own (aiosmtpd, from the Python named by
/// `TEST_AIOSMTPD`) on a free port, writing a Maildir; it can be stopped
/// and started again on the same port to play an outage.
pub struct SmtpServer {
    child: Option<std::process::Child>,
    pub port: u16,
    pub dir: tempfile::TempDir,
}

impl SmtpServer {
    /// Starts the server and waits until it listens.
    pub fn start() -> Self {
        let mut s = Self {
            child: None,
            port: free_port(),
            dir: tempfile::tempdir().unwrap(),
        };
        s.resume();
        s
    }

    /// `smtp://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// The Maildir it writes (created by aiosmtpd itself on start).
    pub fn maildir(&self) -> std::path::PathBuf {
        self.dir.path().join("maildir")
    }

    /// Stops the server; connections are refused until [`Self::resume`].
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the server (again) on the same port.
    pub fn resume(&mut self) {
        let python =
            std::env::var("TEST_AIOSMTPD").expect("TEST_AIOSMTPD names a Python with aiosmtpd");
        let child = Command::new(python)
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{}", self.port))
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(self.maildir())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("aiosmtpd starts");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "aiosmtpd did not listen on {}",
                self.port
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.stop();
    }
}
