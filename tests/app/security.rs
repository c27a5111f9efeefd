//! CSRF, escaping, cookies, headers, redirects.

use rocket::http::Status;

use crate::helpers::{encode, spawn, spawn_with, PASSWORD};

#[rocket::async_test]
async fn a_form_without_a_valid_csrf_token_is_refused_and_changes_nothing() {
    let app = spawn().await;
    app.get("/account/register").await;
    let fields = [
        ("name", "Maya"),
        ("email", "maya@example.edu"),
        ("password", PASSWORD),
        ("password_confirm", PASSWORD),
    ];

    let missing = app.post_raw("/account/register", &encode(&fields)).await;
    assert_eq!(missing.status, Status::Forbidden);
    missing
        .assert_contains("This form has expired")
        .assert_contains("Nothing was changed.");

    let mut wrong = vec![("csrf_token", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")];
    wrong.extend_from_slice(&fields);
    assert_eq!(
        app.post_raw("/account/register", &encode(&wrong))
            .await
            .status,
        Status::Forbidden
    );

    // The right token, but not first: refused too (the check reads the start of the body).
    let token = app.csrf().await;
    let mut late = fields.to_vec();
    late.push(("csrf_token", &token));
    assert_eq!(
        app.post_raw("/account/register", &encode(&late))
            .await
            .status,
        Status::Forbidden
    );

    // Another browser's valid token does not work in this one.
    let other = app.another_browser().await;
    let foreign = other.csrf().await;
    let mut stolen = vec![("csrf_token", foreign.as_str())];
    stolen.extend_from_slice(&fields);
    assert_eq!(
        app.post_raw("/account/register", &encode(&stolen))
            .await
            .status,
        Status::Forbidden
    );

    assert_eq!(
        app.count("SELECT COUNT(*) FROM users WHERE email = 'maya@example.edu'")
            .await,
        0
    );
    assert_eq!(
        app.register("Maya", "maya@example.edu", PASSWORD)
            .await
            .status,
        Status::SeeOther,
        "with the token it works"
    );
}

#[rocket::async_test]
async fn logging_out_without_a_token_does_not_log_out() {
    let app = spawn().await;
    app.logged_in_user("Maya Chen", "maya@example.edu").await;
    let page = app.post_raw("/account/logout", "").await;
    assert_eq!(page.status, Status::Forbidden);
    app.get("/").await.assert_contains("Welcome, Maya Chen.");
}

#[rocket::async_test]
async fn every_form_sends_its_csrf_token_first() {
    // The fairing reads only the start of a body, so each template's forms
    // must begin with the token partial.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    let mut checked = 0;
    let mut stack = vec![dir];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(d).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for (i, _) in text.match_indices(r#"<form method="post""#) {
                let after = &text[i..];
                let body = &after[after.find('>').unwrap() + 1..];
                assert!(
                    body.trim_start().starts_with("{{> partials/csrf}}"),
                    "a POST form in {} does not start with the CSRF partial",
                    path.display()
                );
                checked += 1;
            }
        }
    }
    assert!(checked >= 8, "found only {checked} forms");
}

#[rocket::async_test]
async fn user_text_is_escaped_everywhere_it_is_shown() {
    let app = spawn().await;
    app.logged_in_user("<script>alert('x')</script>", "maya@example.edu")
        .await;
    app.get("/")
        .await
        .assert_contains("Welcome, &lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;.")
        .assert_lacks("<script>alert");
    let page = app
        .post(
            "/account/register",
            &[("name", "\"><b>x</b>"), ("email", "\"><i>y")],
        )
        .await;
    page.assert_contains("value=\"&quot;&gt;&lt;b&gt;x&lt;/b&gt;\"")
        .assert_lacks("<b>x</b>")
        .assert_lacks("<i>y");
}

#[rocket::async_test]
async fn cookies_are_private_http_only_and_same_site_lax() {
    let app = spawn_with(|f| f.merge(("portal.secure_cookies", true))).await;
    app.new_user("Maya Chen", "maya@example.edu").await;
    let r = app
        .client
        .post("/account/login")
        .header(rocket::http::ContentType::Form)
        .body(encode(&[
            ("csrf_token", &app.csrf().await),
            ("email", "maya@example.edu"),
            ("password", PASSWORD),
            ("next", "/"),
        ]))
        .dispatch()
        .await;
    let set_cookie: Vec<String> = r.headers().get("Set-Cookie").map(str::to_owned).collect();
    let session = set_cookie
        .iter()
        .find(|c| c.starts_with("portal_session="))
        .expect("session cookie");
    for part in ["HttpOnly", "SameSite=Lax", "Secure", "Path=/"] {
        assert!(session.contains(part), "{part} missing in {session}");
    }
    // A browser-session cookie: gone when the browser closes.
    for part in ["Expires", "Max-Age"] {
        assert!(!session.contains(part), "{part} in {session}");
    }
    for c in set_cookie.iter().filter(|c| !c.contains("Max-Age=0")) {
        for part in ["HttpOnly", "SameSite=Lax", "Secure", "Path=/"] {
            assert!(c.contains(part), "{part} missing in {c}");
        }
        // Only the cookie that remembers the browser for the login
        // throttle outlives the browser session; it opens nothing.
        if !c.starts_with("portal_device=") {
            assert!(!c.contains("Expires") && !c.contains("Max-Age"), "{c}");
        }
    }
    assert!(set_cookie.iter().any(|c| c.starts_with("portal_device=")));
    // The cookie is encrypted: the raw token is not in it, and the database keeps only a hash.
    let stored: i64 = app
        .count("SELECT COUNT(*) FROM sessions WHERE LENGTH(token_hash) = 64")
        .await;
    assert_eq!(stored, 1);
}

#[rocket::async_test]
async fn security_headers_are_on_every_response() {
    let app = spawn().await;
    for uri in [
        "/",
        "/account/login",
        "/no-such-page",
        "/static/portal.css",
        "/healthz",
    ] {
        let r = app.client.get(uri).dispatch().await;
        let h = r.headers();
        let csp = h
            .get_one("Content-Security-Policy")
            .unwrap_or_else(|| panic!("no CSP on {uri}"));
        assert!(
            csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"),
            "{uri}: {csp}"
        );
        assert!(!csp.contains("unsafe-inline"), "{uri}");
        assert_eq!(
            h.get_one("X-Content-Type-Options"),
            Some("nosniff"),
            "{uri}"
        );
        assert_eq!(h.get_one("Referrer-Policy"), Some("no-referrer"), "{uri}");
        assert_eq!(h.get_one("X-Frame-Options"), Some("DENY"), "{uri}");
    }
    let page = app.client.get("/account/login").dispatch().await;
    assert_eq!(page.headers().get_one("Cache-Control"), Some("no-store"));
}

#[rocket::async_test]
async fn login_returns_only_to_local_pages() {
    let app = spawn().await;
    app.new_user("Maya Chen", "maya@example.edu").await;
    app.get("/account/login?next=https://evil.example/")
        .await
        .assert_contains(r#"name="next" value="/""#);
    let page = app
        .post(
            "/account/login",
            &[
                ("email", "maya@example.edu"),
                ("password", PASSWORD),
                ("next", "//evil.example"),
            ],
        )
        .await;
    // Another site's address is dropped: an applicant lands on their
    // applications, as without a `next`.
    assert_eq!(page.location.as_deref(), Some("/apply"));
    app.post("/account/logout", &[]).await;
    let page = app
        .post(
            "/account/login",
            &[
                ("email", "maya@example.edu"),
                ("password", PASSWORD),
                ("next", "/account/password"),
            ],
        )
        .await;
    assert_eq!(page.location.as_deref(), Some("/account/password"));
}
