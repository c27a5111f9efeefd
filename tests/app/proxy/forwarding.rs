//! Which client address login throttling counts, and when cookies are
//! `Secure`, with and without trusted proxies (`PORTAL_TRUSTED_PROXIES`).

use rocket::http::{ContentType, Header, Status};

use crate::helpers::{encode, spawn_with, Browser, Page, TestApp};

/// A failed login for `email` sent from `remote` with `headers`.
async fn fail_login(b: &Browser, email: &str, remote: &str, headers: &[(&str, &str)]) -> Page {
    let token = b.csrf().await;
    let body = encode(&[
        ("csrf_token", token.as_str()),
        ("email", email),
        ("password", "a-wrong-guess-entirely"),
        ("next", "/"),
    ]);
    let mut request = b
        .client
        .post("/account/login")
        .header(ContentType::Form)
        .remote(remote.parse().unwrap())
        .body(body);
    for (name, value) in headers {
        request = request.header(Header::new(name.to_string(), value.to_string()));
    }
    Page::from(request.dispatch().await).await
}

/// The addresses login throttling has counted failures for.
async fn counted_addresses(app: &TestApp) -> Vec<String> {
    let mut found = Vec::new();
    for candidate in [
        "127.0.0.1",
        "127.0.0.2",
        "10.0.0.9",
        "1.2.3.4",
        "198.51.100.7",
        "2001:db8:1:2::/64",
        "203.0.113.5",
    ] {
        let n = app
            .count(&format!(
                "SELECT COUNT(*) FROM login_throttle WHERE key = 'address:{candidate}' AND failures > 0"
            ))
            .await;
        if n > 0 {
            found.push(candidate.to_owned());
        }
    }
    found
}

#[rocket::async_test]
async fn a_trusted_proxy_names_the_client_and_what_the_client_wrote_is_ignored() {
    let app = spawn_with(|f| f.merge(("portal.trusted_proxies", "127.0.0.2/32, 10.0.0.0/8"))).await;
    app.new_user("Maya Chen", "maya@example.edu").await;
    // Through two trusted hops; the client sent "X-Forwarded-For: 1.2.3.4"
    // itself, and the first proxy appended the address it came from.
    let page = fail_login(
        &app,
        "maya@example.edu",
        "127.0.0.2:5000",
        &[("X-Forwarded-For", "1.2.3.4, 198.51.100.7, 10.0.0.9")],
    )
    .await;
    assert_eq!(page.status, Status::UnprocessableEntity, "{}", page.body);
    page.assert_contains("The email address or password is not right.");
    assert_eq!(counted_addresses(&app).await, ["198.51.100.7"]);

    // An IPv6 client counts by its /64 network.
    fail_login(
        &app,
        "maya@example.edu",
        "127.0.0.2:5000",
        &[("X-Forwarded-For", "2001:db8:1:2::99")],
    )
    .await;
    assert_eq!(
        counted_addresses(&app).await,
        ["198.51.100.7", "2001:db8:1:2::/64"]
    );
}

#[rocket::async_test]
async fn forwarded_headers_from_an_untrusted_peer_are_ignored() {
    let app = spawn_with(|f| f.merge(("portal.trusted_proxies", "127.0.0.2"))).await;
    app.new_user("Maya Chen", "maya@example.edu").await;
    fail_login(
        &app,
        "maya@example.edu",
        "203.0.113.5:4000",
        &[
            ("X-Forwarded-For", "1.2.3.4"),
            ("X-Real-IP", "1.2.3.4"),
            ("X-Forwarded-Proto", "https"),
        ],
    )
    .await;
    assert_eq!(counted_addresses(&app).await, ["203.0.113.5"]);
}

#[rocket::async_test]
async fn five_failures_through_the_proxy_lock_out_the_client_not_the_proxy() {
    let app = spawn_with(|f| f.merge(("portal.trusted_proxies", "127.0.0.2"))).await;
    app.new_user("Maya Chen", "maya@example.edu").await;
    // Each guess spoofs another address left of what the proxy appended.
    for i in 1..=5 {
        let spoofed = format!("1.2.3.{i}, 198.51.100.7");
        fail_login(
            &app,
            "maya@example.edu",
            "127.0.0.2:5000",
            &[("X-Forwarded-For", &spoofed)],
        )
        .await;
    }
    let sixth = fail_login(
        &app,
        "maya@example.edu",
        "127.0.0.2:5000",
        &[("X-Forwarded-For", "9.9.9.9, 198.51.100.7")],
    )
    .await;
    assert_eq!(sixth.status, Status::TooManyRequests);
    sixth.assert_contains("Too many failed attempts to log in");
    // Another client behind the same proxy may still try this account.
    let other = fail_login(
        &app,
        "maya@example.edu",
        "127.0.0.2:5000",
        &[("X-Forwarded-For", "203.0.113.5")],
    )
    .await;
    assert_eq!(other.status, Status::UnprocessableEntity, "{}", other.body);
    assert_eq!(
        app.count(
            "SELECT failures FROM login_throttle WHERE key = 'account:maya@example.edu|address:198.51.100.7'"
        )
        .await,
        5
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM login_throttle WHERE key LIKE '%1.2.3.%' OR key LIKE '%127.0.0.2%'")
            .await,
        0
    );
}

#[rocket::async_test]
async fn without_trusted_proxies_the_ip_header_works_as_before() {
    // Rocket's `ip_header` (ROCKET_IP_HEADER) still names the client when
    // no proxy is trusted; X-Forwarded-For is not read.
    let app = spawn_with(|f| f.merge(("ip_header", "X-Real-IP"))).await;
    app.new_user("Maya Chen", "maya@example.edu").await;
    fail_login(
        &app,
        "maya@example.edu",
        "127.0.0.2:5000",
        &[("X-Real-IP", "10.0.0.9"), ("X-Forwarded-For", "1.2.3.4")],
    )
    .await;
    assert_eq!(counted_addresses(&app).await, ["10.0.0.9"]);

    // The default: the connection's own address.
    let plain = crate::helpers::spawn().await;
    plain.new_user("Maya Chen", "maya@example.edu").await;
    fail_login(
        &plain,
        "maya@example.edu",
        "127.0.0.2:5000",
        &[("X-Real-IP", "10.0.0.9"), ("X-Forwarded-For", "1.2.3.4")],
    )
    .await;
    assert_eq!(counted_addresses(&plain).await, ["127.0.0.2"]);
}

#[rocket::async_test]
async fn cookies_are_secure_when_a_trusted_proxy_says_https() {
    let app = spawn_with(|f| f.merge(("portal.trusted_proxies", "127.0.0.2"))).await;
    for (proto, remote, secure) in [
        ("https", "127.0.0.2:5000", true),
        ("https", "203.0.113.5:4000", false),
        ("http", "127.0.0.2:5000", false),
    ] {
        // A fresh browser each time, so the cookie is set anew.
        let b = app.another_browser().await;
        let r = b
            .client
            .get("/account/login")
            .remote(remote.parse().unwrap())
            .header(Header::new("X-Forwarded-Proto", proto))
            .dispatch()
            .await;
        let page = Page::from(r).await;
        let cookie = page
            .cookies
            .iter()
            .find(|c| c.starts_with("portal_csrf="))
            .expect("a CSRF cookie");
        assert_eq!(
            cookie.contains("; Secure"),
            secure,
            "{proto} from {remote}: {cookie}"
        );
    }
}
