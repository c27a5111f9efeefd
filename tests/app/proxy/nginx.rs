//! The real binary behind a real nginx (`TEST_NGINX`) with TLS from a
//! certificate made for the test, configured by `deploy/nginx.conf` itself
//! (its placeholders filled), so the README's configuration is the one
//! tried: secure cookies and login over HTTPS, redirects and mail links at
//! the public address, the client address from `X-Forwarded-For` only as
//! the trusted proxy wrote it, and uploads up to the portal's limits.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::helpers::{free_port, fresh_database, multipart, pdf, serve_with, BOUNDARY, PASSWORD};

/// The address nginx connects to the portal from (`proxy_bind`), so that
/// the portal can tell the proxy (trusted) from the test's own client at
/// 127.0.0.1 (not trusted).
const PROXY_ADDRESS: &str = "127.0.0.2";

/// nginx in the foreground with its own configuration, pid file,
/// temporary folders and error log; stopped when dropped.
struct Nginx {
    bin: String,
    child: Child,
    prefix: PathBuf,
}

impl Drop for Nginx {
    fn drop(&mut self) {
        // The master stops its workers; killed outright it would leave them running.
        let _ = Command::new(&self.bin)
            .arg("-c")
            .arg(self.prefix.join("nginx.conf"))
            .arg("-p")
            .arg(&self.prefix)
            .args(["-s", "stop"])
            .stderr(Stdio::null())
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The portal's process, killed when dropped (also when a check fails).
struct Portal(Child);

impl Drop for Portal {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Nginx {
    fn error_log(&self) -> String {
        std::fs::read_to_string(self.prefix.join("error.log")).unwrap_or_default()
    }
}

/// Ports and files of one proxied portal.
struct Setup {
    backend: u16,
    https: u16,
    http: u16,
    cert: PathBuf,
    key: PathBuf,
}

/// A self-signed certificate for 127.0.0.1 and localhost, made with
/// openssl; returns the certificate in DER for the client to trust.
fn self_signed(dir: &Path) -> (PathBuf, PathBuf, Vec<u8>) {
    let cert = dir.join("cert.pem");
    let key = dir.join("key.pem");
    let der = dir.join("cert.der");
    let made = Command::new("openssl")
        .args([
            "req", "-x509", "-nodes", "-newkey", "rsa:2048", "-days", "2",
        ])
        .args(["-subj", "/CN=localhost"])
        .args(["-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"])
        .args(["-addext", "basicConstraints=critical,CA:FALSE"])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("openssl runs");
    assert!(made.success(), "openssl made no certificate");
    let converted = Command::new("openssl")
        .args(["x509", "-outform", "DER", "-in"])
        .arg(&cert)
        .arg("-out")
        .arg(&der)
        .status()
        .expect("openssl runs");
    assert!(converted.success());
    (cert, key, std::fs::read(der).unwrap())
}

/// `deploy/nginx.conf` with its placeholders filled for this test.
fn site_config(s: &Setup) -> String {
    let template = include_str!("../../../deploy/nginx.conf");
    let filled = template
        .replace("@PORTAL@", &format!("127.0.0.1:{}", s.backend))
        .replace("@LISTEN@", &format!("127.0.0.1:{}", s.https))
        .replace("@HTTP_LISTEN@", &format!("127.0.0.1:{}", s.http))
        .replace("@SERVER_NAME@", "localhost 127.0.0.1")
        .replace("@BASE_URL@", &format!("https://127.0.0.1:{}", s.https))
        .replace("@CERT@", &s.cert.display().to_string())
        .replace("@KEY@", &s.key.display().to_string());
    let left: Vec<&str> = filled
        .lines()
        .filter(|l| !l.trim_start().starts_with('#') && l.contains('@'))
        .collect();
    assert!(left.is_empty(), "placeholders left unfilled: {left:?}");
    filled
}

/// Starts nginx on `deploy/nginx.conf`, wrapped in a main configuration of
/// the test's own (everything under `prefix`, listening on 127.0.0.1 only).
fn start_nginx(prefix: &Path, s: &Setup) -> Nginx {
    let bin = std::env::var("TEST_NGINX")
        .expect("TEST_NGINX names the nginx binary (scripts/test-all installs it)");
    std::fs::create_dir_all(prefix).unwrap();
    // nginx's workers may run as another user: let them into the folder.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for dir in [prefix, prefix.parent().unwrap()] {
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
    }
    std::fs::write(prefix.join("portal.conf"), site_config(s)).unwrap();
    let p = prefix.display();
    let main = format!(
        "worker_processes 1;\n\
         pid {p}/nginx.pid;\n\
         error_log {p}/error.log warn;\n\
         events {{ worker_connections 64; }}\n\
         http {{\n\
           access_log off;\n\
           client_body_temp_path {p}/client_body;\n\
           proxy_temp_path {p}/proxy;\n\
           fastcgi_temp_path {p}/fastcgi;\n\
           uwsgi_temp_path {p}/uwsgi;\n\
           scgi_temp_path {p}/scgi;\n\
           proxy_bind {PROXY_ADDRESS};\n\
           include {p}/portal.conf;\n\
         }}\n"
    );
    std::fs::write(prefix.join("nginx.conf"), main).unwrap();
    let child = Command::new(&bin)
        .arg("-c")
        .arg(prefix.join("nginx.conf"))
        .arg("-p")
        .arg(prefix)
        .arg("-e")
        .arg(prefix.join("error.log"))
        .args(["-g", "daemon off;"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("nginx starts");
    let mut nginx = Nginx {
        bin,
        child,
        prefix: prefix.to_owned(),
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", s.https)).is_err() {
        if let Ok(Some(status)) = nginx.child.try_wait() {
            panic!("nginx stopped ({status}):\n{}", nginx.error_log());
        }
        assert!(
            Instant::now() < deadline,
            "nginx did not listen:\n{}",
            nginx.error_log()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    nginx
}

/// An HTTPS client trusting only the test's certificate, with a cookie
/// jar of its own; it follows no redirect.
struct Client {
    agent: ureq::Agent,
    base: String,
    cookies: BTreeMap<String, String>,
}

/// What one request answered.
#[derive(Debug)]
struct Answer {
    status: u16,
    location: Option<String>,
    set_cookies: Vec<String>,
    csp: Option<String>,
    body: String,
}

impl Answer {
    #[track_caller]
    fn assert_contains(&self, text: &str) -> &Self {
        assert!(
            self.body.contains(text),
            "expected {text:?} in the page ({}):\n{}",
            self.status,
            self.body
        );
        self
    }

    fn cookie(&self, name: &str) -> &str {
        self.set_cookies
            .iter()
            .find(|c| c.starts_with(&format!("{name}=")))
            .unwrap_or_else(|| panic!("no {name} cookie in {:?}", self.set_cookies))
    }

    /// The CSRF token of the page's forms.
    fn csrf(&self) -> String {
        let marker = "name=\"csrf_token\" value=\"";
        let at = self.body.find(marker).expect("a form with a CSRF token") + marker.len();
        self.body[at..].split('"').next().unwrap().to_owned()
    }
}

impl Client {
    fn new(base: String, trusted_der: &[u8]) -> Self {
        let mut roots = rustls::RootCertStore::empty();
        roots
            .add(rustls::pki_types::CertificateDer::from(
                trusted_der.to_vec(),
            ))
            .unwrap();
        let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
        let agent = ureq::AgentBuilder::new()
            .tls_config(Arc::new(tls))
            .redirects(0)
            .timeout(Duration::from_secs(120))
            .build();
        Self {
            agent,
            base,
            cookies: BTreeMap::new(),
        }
    }

    fn send(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<(&str, Vec<u8>)>,
    ) -> Answer {
        let mut request = self.agent.request(method, &format!("{}{path}", self.base));
        if !self.cookies.is_empty() {
            let jar: Vec<String> = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            request = request.set("Cookie", &jar.join("; "));
        }
        for (k, v) in headers {
            request = request.set(k, v);
        }
        let result = match body {
            Some((content_type, bytes)) => {
                request.set("Content-Type", content_type).send_bytes(&bytes)
            }
            None => request.call(),
        };
        let response = match result {
            Ok(r) | Err(ureq::Error::Status(_, r)) => r,
            Err(e) => panic!("{method} {path}: {e}"),
        };
        let set_cookies: Vec<String> = response
            .all("set-cookie")
            .into_iter()
            .map(str::to_owned)
            .collect();
        for c in &set_cookies {
            let pair = c.split(';').next().unwrap_or("");
            if let Some((name, value)) = pair.split_once('=') {
                if value.is_empty() || c.contains("Max-Age=0") {
                    self.cookies.remove(name);
                } else {
                    self.cookies.insert(name.to_owned(), value.to_owned());
                }
            }
        }
        Answer {
            status: response.status(),
            location: response.header("location").map(str::to_owned),
            csp: response
                .header("content-security-policy")
                .map(str::to_owned),
            set_cookies,
            body: response.into_string().unwrap_or_default(),
        }
    }

    fn get(&mut self, path: &str) -> Answer {
        self.send("GET", path, &[], None)
    }

    /// A form as a browser posts it, the CSRF token (from `token`) first.
    fn post(
        &mut self,
        path: &str,
        token: &str,
        fields: &[(&str, &str)],
        headers: &[(&str, &str)],
    ) -> Answer {
        let mut all = vec![("csrf_token", token)];
        all.extend_from_slice(fields);
        let body = crate::helpers::encode(&all);
        self.send(
            "POST",
            path,
            headers,
            Some(("application/x-www-form-urlencoded", body.into_bytes())),
        )
    }

    fn post_file(
        &mut self,
        path: &str,
        token: &str,
        field: &str,
        name: &str,
        bytes: &[u8],
    ) -> Answer {
        let body = multipart(&[("csrf_token", token)], &[(field, name, bytes)]);
        let content_type = format!("multipart/form-data; boundary={BOUNDARY}");
        self.send("POST", path, &[], Some((&content_type, body)))
    }
}

/// Waits for the outbox worker's .eml to `to` and returns its text part.
fn mail_to(data: &Path, to: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let found = std::fs::read_dir(data.join("mail")).ok().and_then(|dir| {
            dir.flatten().find_map(|e| {
                let raw = std::fs::read(e.path()).ok()?;
                let parsed = mailparse::parse_mail(&raw).ok()?;
                let addressed = parsed
                    .headers
                    .iter()
                    .any(|h| h.get_key().eq_ignore_ascii_case("To") && h.get_value().contains(to));
                addressed.then(|| parsed.subparts.first()?.get_body().ok())?
            })
        });
        if let Some(text) = found {
            return text;
        }
        assert!(Instant::now() < deadline, "no mail to {to}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// One number from the portal's database.
async fn count(db_url: &str, sql: &str) -> i64 {
    use sqlx::Connection;
    if db_url.starts_with("sqlite") {
        let mut c = sqlx::SqliteConnection::connect(db_url).await.unwrap();
        sqlx::query_scalar(sql).fetch_one(&mut c).await.unwrap()
    } else {
        let mut c = sqlx::PgConnection::connect(db_url).await.unwrap();
        sqlx::query_scalar(sql).fetch_one(&mut c).await.unwrap()
    }
}

/// Where a redirect leads, as a browser at `base` resolves it.
fn resolved(location: &str, base: &str) -> String {
    if location.starts_with('/') {
        format!("{base}{location}")
    } else {
        location.to_owned()
    }
}

#[rocket::async_test]
#[ignore = "needs nginx (TEST_NGINX) and openssl (scripts/test-all installs nginx)"]
async fn the_portal_works_behind_nginx_with_tls() {
    let dir = tempfile::tempdir().unwrap();
    let (db_url, _database) = fresh_database(dir.path()).await;
    let data = dir.path().join("data");
    let (cert, key, der) = self_signed(dir.path());
    let s = Setup {
        backend: free_port(),
        https: free_port(),
        http: free_port(),
        cert,
        key,
    };
    let public = format!("https://127.0.0.1:{}", s.https);
    let backend = format!("http://127.0.0.1:{}", s.backend);
    // The debug profile: `secure_cookies` is off, so `Secure` below comes
    // from the trusted proxy saying the browser used HTTPS.
    let (portal, printed) = serve_with(
        &data,
        &db_url,
        s.backend,
        &[
            ("PORTAL_BASE_URL", public.clone()),
            ("PORTAL_TRUSTED_PROXIES", format!("{PROXY_ADDRESS}/32")),
            ("PORTAL_MAIL_POLL_MS", "200".into()),
        ],
    );
    let _portal = Portal(portal);
    assert!(printed.contains("fellowship-portal is ready"), "{printed}");
    let nginx = start_nginx(&dir.path().join("nginx"), &s);
    let mut browser = Client::new(public.clone(), &der);

    // Plain HTTP only redirects to the public HTTPS address.
    let mut plain = Client::new(format!("http://127.0.0.1:{}", s.http), &der);
    let moved = plain.get("/account/login");
    assert_eq!(moved.status, 301);
    assert_eq!(
        moved.location.as_deref(),
        Some(format!("{public}/account/login").as_str())
    );

    // Over HTTPS the cookies are Secure; straight to the portal, a
    // client claiming HTTPS is not believed.
    let login_page = browser.get("/account/login");
    assert_eq!(login_page.status, 200, "{}", nginx.error_log());
    assert!(
        login_page.cookie("portal_csrf").contains("; Secure"),
        "{:?}",
        login_page.set_cookies
    );
    let mut direct = Client::new(backend.clone(), &der);
    let spoofed = direct.send(
        "GET",
        "/account/login",
        &[("X-Forwarded-Proto", "https")],
        None,
    );
    assert!(
        !spoofed.cookie("portal_csrf").contains("Secure"),
        "{:?}",
        spoofed.set_cookies
    );

    // Registration: the redirect stays on the public address, and the
    // confirmation link in the mail is at PORTAL_BASE_URL.
    let token = login_page.csrf();
    let email = "maya@example.edu";
    let registered = browser.post(
        "/account/register",
        &token,
        &[
            ("name", "Maya Chen"),
            ("email", email),
            ("password", PASSWORD),
            ("password_confirm", PASSWORD),
        ],
        &[],
    );
    assert_eq!(registered.status, 303, "{}", registered.body);
    let to = resolved(registered.location.as_deref().unwrap(), &public);
    assert!(to.starts_with(&format!("{public}/")), "{to}");
    let text = mail_to(&data, email);
    let link = crate::helpers::link_in(&text, "/account/confirm/");
    assert!(text.contains(&format!("{public}{link}")), "{text}");
    assert!(!text.contains(&format!(":{}", s.backend)), "{text}");
    let confirmed = browser.get(&link);
    assert_eq!(confirmed.status, 303, "{}", confirmed.body);

    // Logging in over HTTPS: a Secure session cookie, a redirect on the
    // public address, and the session works through the proxy.
    let logged_in = browser.post(
        "/account/login",
        &token,
        &[("email", email), ("password", PASSWORD), ("next", "/apply")],
        &[],
    );
    assert_eq!(logged_in.status, 303, "{}", logged_in.body);
    assert_eq!(
        resolved(logged_in.location.as_deref().unwrap(), &public),
        format!("{public}/apply")
    );
    assert!(logged_in.cookie("portal_session").contains("; Secure"));
    assert!(logged_in.cookie("portal_session").contains("HttpOnly"));
    let home = browser.get("/apply");
    assert_eq!(home.status, 200);
    home.assert_contains("Log out");

    // A 9 MB document reaches the portal whole through nginx.
    let cycle = count(
        &db_url,
        "SELECT c.id FROM cycles c JOIN programs p ON p.id = c.program_id WHERE p.slug = 'voices-for-change'",
    )
    .await;
    let started = browser.post(
        &format!("/apply/cycles/{cycle}/start"),
        &token,
        &[("e[student_or_recent_graduate]", "enrolled_student")],
        &[],
    );
    assert_eq!(started.status, 303, "{}", started.body);
    let location = started.location.unwrap();
    let id: i64 = location
        .trim_start_matches(&public)
        .split('/')
        .nth(3)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no application in {location}"));
    let section = format!("/apply/applications/{id}/sections/portfolio");
    let mut sample = pdf("writing sample");
    sample.resize(9 * 1024 * 1024, b' ');
    let uploaded = browser.post_file(&section, &token, "f[writing_sample]", "sample.pdf", &sample);
    assert_eq!(
        uploaded.status,
        303,
        "{}\n{}",
        uploaded.body,
        nginx.error_log()
    );
    assert_eq!(count(&db_url, "SELECT COUNT(*) FROM documents").await, 1);
    assert_eq!(
        count(&db_url, "SELECT MAX(size_bytes) FROM documents").await,
        i64::try_from(sample.len()).unwrap()
    );

    // Over the question's 10 MB: the portal's own words next to the field.
    let mut over = pdf("too long");
    over.resize(11 * 1024 * 1024, b' ');
    let refused = browser.post_file(&section, &token, "f[writing_sample]", "long.pdf", &over);
    assert_eq!(refused.status, 413);
    refused.assert_contains("this question accepts files up to 10 MiB");
    // Over the portal's 21 MiB for a whole form: nginx refuses it, with
    // the portal's page in words rather than nginx's bare one.
    let mut huge = pdf("huge");
    huge.resize(22 * 1024 * 1024, b' ');
    let too_large = browser.post_file(&section, &token, "f[writing_sample]", "huge.pdf", &huge);
    assert_eq!(too_large.status, 413);
    too_large
        .assert_contains("That was too large")
        .assert_contains("at most 21 MB");
    assert!(!too_large.body.contains("nginx"), "{}", too_large.body);
    assert!(
        too_large.csp.is_some(),
        "served by the portal, with its headers"
    );
    assert_eq!(count(&db_url, "SELECT COUNT(*) FROM documents").await, 1);

    // Throttling counts the client nginx saw (127.0.0.1), whatever it
    // claims in X-Forwarded-For, and neither the claim nor the proxy.
    let other = "someone@example.edu";
    let guess = |browser: &mut Client, claim: &str| {
        browser.post(
            "/account/login",
            &token,
            &[
                ("email", other),
                ("password", "a-wrong-guess-entirely"),
                ("next", "/"),
            ],
            &[("X-Forwarded-For", claim)],
        )
    };
    for i in 1..=4 {
        let page = guess(&mut browser, &format!("1.2.3.{i}"));
        assert_eq!(page.status, 422, "attempt {i}: {}", page.body);
        page.assert_contains("The email address or password is not right.");
    }
    // The fifth failure starts the wait; the next attempt is refused unread.
    let fifth = guess(&mut browser, "1.2.3.5");
    fifth.assert_contains("Too many failed attempts to log in. Please wait 30 seconds");
    let sixth = guess(&mut browser, "1.2.3.99");
    assert_eq!(sixth.status, 429, "{}", sixth.body);
    let key = format!("account:{other}|address:127.0.0.1");
    assert_eq!(
        count(
            &db_url,
            &format!("SELECT failures FROM login_throttle WHERE key = '{key}'")
        )
        .await,
        5
    );
    assert_eq!(
        count(
            &db_url,
            "SELECT COUNT(*) FROM login_throttle WHERE key LIKE '%1.2.3.%' OR key LIKE '%127.0.0.2%'"
        )
        .await,
        0
    );
    // Straight to the portal (not through the trusted proxy) the header is
    // not read either: the same address, still waiting.
    let direct_token = spoofed.csrf();
    let direct_locked = direct.post(
        "/account/login",
        &direct_token,
        &[
            ("email", other),
            ("password", "a-wrong-guess-entirely"),
            ("next", "/"),
        ],
        &[("X-Forwarded-For", "5.6.7.8")],
    );
    assert_eq!(direct_locked.status, 429, "{}", direct_locked.body);

    // Besides the refused body, nginx logged no error: no upstream
    // failure, no certificate or temporary-file trouble.
    let log = nginx.error_log();
    let errors: Vec<&str> = log
        .lines()
        .filter(|l| {
            ["[error]", "[crit]", "[alert]", "[emerg]"]
                .iter()
                .any(|level| l.contains(level))
        })
        .filter(|l| !l.contains("client intended to send too large body"))
        .collect();
    assert!(errors.is_empty(), "{log}");
}

#[test]
fn nginx_takes_exactly_what_the_portal_reads_in_one_form() {
    // deploy/nginx.conf refuses bodies over its client_max_body_size with
    // the portal's page; the portal refuses forms over its data-form
    // limit. Equal, every upload the portal would judge reaches it.
    let conf = include_str!("../../../deploy/nginx.conf");
    let nginx_mib: u64 = conf
        .lines()
        .find_map(|l| l.trim().strip_prefix("client_max_body_size "))
        .and_then(|v| v.trim_end_matches(';').strip_suffix('m'))
        .and_then(|v| v.parse().ok())
        .expect("client_max_body_size in MiB in deploy/nginx.conf");
    use rocket::figment::providers::{Format, Toml};
    let toml = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("Rocket.toml");
    let limits: rocket::data::Limits = rocket::figment::Figment::from(Toml::file(toml))
        .extract_inner("default.limits")
        .unwrap();
    let portal = limits.get("data-form").expect("a data-form limit");
    assert_eq!(portal.as_u64(), nginx_mib * 1024 * 1024);
}
