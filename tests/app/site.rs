//! The site: an admin's settings (name, contact, footer, logo) in pages and
//! mail, each bad input's message, static files under names that change
//! with their content, revalidation, compression, and downloads left as
//! they are.

use std::io::Read;

use rocket::http::{Header, Status};

use crate::helpers::{pdf, spawn, PASSWORD};

/// The smallest valid PNG: one transparent pixel.
pub const TINY_PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE,
    0x42, 0x60, 0x82,
];

fn settings<'a>(name: &'a str, email: &'a str, footer: &'a str) -> [(&'a str, &'a str); 3] {
    [
        ("organisation_name", name),
        ("contact_email", email),
        ("footer_text", footer),
    ]
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .expect("a gzip body");
    out
}

#[rocket::async_test]
async fn an_install_without_settings_shows_the_old_words_and_the_portals_contact() {
    let app = spawn().await;
    let home = app.get("/").await;
    home.assert_contains("<title>")
        .assert_contains(" – Application portal</title>")
        .assert_contains("class=\"brand\" href=\"/\">Application portal</a>")
        .assert_contains("Fellowships and internships in health equity.")
        // The configured sender, as every message's footer gives it.
        .assert_contains(
            "Questions? Write to <a href=\"mailto:portal@localhost\">portal@localhost</a>.",
        );
}

#[rocket::async_test]
async fn settings_saved_by_an_admin_show_in_pages_and_in_mail() {
    let app = spawn().await;
    let admin = app.admin_browser("site-admin@example.org").await;
    let form = admin.get("/admin/site").await;
    assert_eq!(form.status, Status::Ok);
    form.assert_contains("Organisation’s name")
        .assert_contains("value=\"Application portal\"");
    let saved = admin
        .post_multipart(
            "/admin/site",
            &settings(
                "Health Equity <Alliance>",
                "Team@Alliance.example",
                "Trains health professionals since 1999.",
            ),
            &[("logo", "logo.png", TINY_PNG)],
        )
        .await;
    assert_eq!(saved.status, Status::SeeOther, "{}", saved.body);
    assert_eq!(saved.location.as_deref(), Some("/admin/site"));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'site.settings'")
            .await,
        1
    );

    // Every page: the logo with the name as its text, titles, the footer.
    let home = app.get("/").await;
    home.assert_contains("Health Equity &lt;Alliance&gt;</title>")
        .assert_contains("alt=\"Health Equity &lt;Alliance&gt;\"")
        .assert_contains("Trains health professionals since 1999.")
        .assert_contains("<a href=\"mailto:team@alliance.example\">team@alliance.example</a>")
        .assert_lacks("Application portal</a>");
    let start = home.body.find("src=\"/site/logo/").expect("the logo") + 5;
    let logo_url = &home.body[start..start + home.body[start..].find('"').unwrap()];
    let logo = app.client.get(logo_url.to_owned()).dispatch().await;
    assert_eq!(logo.status(), Status::Ok);
    assert_eq!(logo.content_type().unwrap().to_string(), "image/png");
    assert_eq!(
        logo.headers().get_one("Cache-Control"),
        Some("public, max-age=31536000, immutable")
    );
    assert_eq!(logo.into_bytes().await.unwrap(), TINY_PNG);
    assert_eq!(
        app.get("/site/logo/0000000000000000.png").await.status,
        Status::NotFound
    );

    // Mail queued after the change: the name in the signature and footer,
    // the contact address where it says to write.
    app.register("Maya Chen", "maya@example.edu", PASSWORD)
        .await;
    let mail = app.last_mail("maya@example.edu", "confirm_email").await;
    assert!(
        mail.text_body.contains("The Health Equity <Alliance> team"),
        "{}",
        mail.text_body
    );
    assert!(
        mail.text_body.contains("Questions: team@alliance.example"),
        "{}",
        mail.text_body
    );
    assert!(
        mail.html_body
            .contains("Health Equity &lt;Alliance&gt;<br>"),
        "{}",
        mail.html_body
    );

    // The form shows what is saved; removing the logo brings the name back.
    admin
        .get("/admin/site")
        .await
        .assert_contains("value=\"team@alliance.example\"")
        .assert_contains("The current logo");
    let mut fields = settings("Health Equity Alliance", "team@alliance.example", "").to_vec();
    fields.push(("remove_logo", "true"));
    let saved = admin.post_multipart("/admin/site", &fields, &[]).await;
    assert_eq!(saved.status, Status::SeeOther, "{}", saved.body);
    // At once on the instance that saved (another instance, such as the
    // first browser's, reads the row again within its cache's 5 seconds).
    admin
        .get("/")
        .await
        .assert_contains("class=\"brand\" href=\"/\">Health Equity Alliance</a>")
        .assert_lacks("/site/logo/")
        .assert_lacks("Trains health professionals");
    assert_eq!(app.get(logo_url).await.status, Status::NotFound);
}

#[rocket::async_test]
async fn each_bad_input_gets_its_message_and_nothing_is_saved_or_lost() {
    let app = spawn().await;
    let admin = app.admin_browser("site-admin@example.org").await;
    let long_footer = "word ".repeat(70);
    let svg = b"<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>";
    // An empty name, an address that is not one, a footer of 349
    // characters, an SVG logo: each named next to its field.
    let page = admin
        .post_multipart(
            "/admin/site",
            &settings("  ", "team at alliance", &long_footer),
            &[("logo", "logo.svg", svg)],
        )
        .await;
    assert_eq!(page.status, Status::UnprocessableEntity);
    page.assert_contains("<title>Error: Site settings")
        .assert_contains("There is a problem")
        .assert_contains("id=\"organisation_name-error\"><span class=\"visually-hidden\">Error:</span> Enter the organisation’s name.")
        .assert_contains("id=\"contact_email-error\"><span class=\"visually-hidden\">Error:</span> Enter the contact address as an email address, like team@example.org.")
        .assert_contains("The footer text must be at most 300 characters (it has 349).")
        .assert_contains("id=\"logo-error\"><span class=\"visually-hidden\">Error:</span> SVG logos are not accepted (an SVG can carry scripts).")
        // What was typed is kept.
        .assert_contains("value=\"team at alliance\"")
        .assert_contains("word word word");
    // A name of 101 characters; a PDF named .png; a logo over 512 KiB.
    let long_name = "N".repeat(101);
    let page = admin
        .post_multipart(
            "/admin/site",
            &settings(&long_name, "team@alliance.example", ""),
            &[("logo", "logo.png", &pdf("not an image"))],
        )
        .await;
    assert_eq!(page.status, Status::UnprocessableEntity);
    page.assert_contains("The organisation’s name must be at most 100 characters (it has 101).")
        .assert_contains("The logo must be a PNG, JPEG or WebP image; this file is not one.");
    let mut big = TINY_PNG.to_vec();
    big.resize(600 * 1024, 0);
    let page = admin
        .post_multipart(
            "/admin/site",
            &settings("Alliance", "team@alliance.example", ""),
            &[("logo", "logo.png", &big)],
        )
        .await;
    assert_eq!(page.status, Status::PayloadTooLarge);
    page.assert_contains("The logo is 600 KiB; it must be at most 512 KiB.");
    assert_eq!(app.count("SELECT COUNT(*) FROM site_settings").await, 0);
    app.get("/")
        .await
        .assert_contains(" – Application portal</title>");
}

#[rocket::async_test]
async fn only_an_admin_sees_or_changes_the_site_settings() {
    let app = spawn().await;
    assert_eq!(
        app.get("/admin/site").await.location.as_deref(),
        Some("/account/login?next=/admin/site")
    );
    app.logged_in_user("Maya Chen", "maya@example.edu").await;
    assert_eq!(app.get("/admin/site").await.status, Status::Forbidden);
    let page = app
        .post_multipart(
            "/admin/site",
            &settings("Mine now", "maya@example.edu", ""),
            &[],
        )
        .await;
    assert_eq!(page.status, Status::Forbidden);
    assert_eq!(app.count("SELECT COUNT(*) FROM site_settings").await, 0);
}

#[rocket::async_test]
async fn static_files_are_named_by_their_content_and_revalidated_by_etag() {
    let app = spawn().await;
    let home = app.get("/").await;
    let start = home
        .body
        .find("href=\"/static/portal.")
        .expect("the stylesheet")
        + 6;
    let css_url = &home.body[start..start + home.body[start..].find('"').unwrap()];
    assert!(
        css_url.ends_with(".css") && css_url.len() == "/static/portal.css".len() + 17,
        "{css_url}"
    );
    home.assert_contains("<link rel=\"icon\" href=\"/static/favicon.")
        .assert_contains("<script src=\"/static/portal.");

    let hashed = app.client.get(css_url.to_owned()).dispatch().await;
    assert_eq!(hashed.status(), Status::Ok);
    assert_eq!(
        hashed.headers().get_one("Cache-Control"),
        Some("public, max-age=31536000, immutable")
    );
    let body = hashed.into_bytes().await.unwrap();
    assert_eq!(body, std::fs::read("static/portal.css").unwrap());

    let fixed = app.client.get("/static/portal.css").dispatch().await;
    assert_eq!(fixed.headers().get_one("Cache-Control"), Some("no-cache"));
    let etag = fixed.headers().get_one("ETag").unwrap().to_owned();
    assert_eq!(fixed.into_bytes().await.unwrap(), body);
    let again = app
        .client
        .get("/static/portal.css")
        .header(Header::new("If-None-Match", etag.clone()))
        .dispatch()
        .await;
    assert_eq!(again.status(), Status::NotModified);
    assert!(again.into_bytes().await.unwrap_or_default().is_empty());
    // An old hash (a page from before a restart) gets today's file, to be
    // asked about again.
    let old = app
        .client
        .get("/static/portal.0000000000000000.css")
        .dispatch()
        .await;
    assert_eq!(old.status(), Status::Ok);
    assert_eq!(old.headers().get_one("Cache-Control"), Some("no-cache"));

    let icon = app.get("/favicon.ico").await;
    assert_eq!(icon.status, Status::MovedPermanently);
    let svg = app.client.get(icon.location.unwrap()).dispatch().await;
    assert_eq!(svg.status(), Status::Ok);
    assert_eq!(svg.content_type().unwrap().to_string(), "image/svg+xml");
    assert_eq!(
        svg.headers().get_one("Cache-Control"),
        Some("public, max-age=31536000, immutable")
    );
    assert_eq!(
        app.get("/static/no-such-file.css").await.status,
        Status::NotFound
    );
}

#[rocket::async_test]
async fn pages_and_stylesheets_are_gzipped_for_clients_that_accept_it() {
    let app = spawn().await;
    let plain = app.client.get("/").dispatch().await;
    assert!(plain.headers().get_one("Content-Encoding").is_none());
    assert_eq!(plain.headers().get_one("Vary"), Some("Accept-Encoding"));
    let plain = plain.into_bytes().await.unwrap();
    let zipped = app
        .client
        .get("/")
        .header(Header::new("Accept-Encoding", "gzip, deflate, br"))
        .dispatch()
        .await;
    assert_eq!(zipped.headers().get_one("Content-Encoding"), Some("gzip"));
    assert_eq!(zipped.headers().get_one("Cache-Control"), Some("no-store"));
    let zipped = zipped.into_bytes().await.unwrap();
    assert!(
        zipped.len() < plain.len() / 2,
        "{} of {}",
        zipped.len(),
        plain.len()
    );
    // The same page (the CSRF token of the form aside, none on the home page).
    assert_eq!(gunzip(&zipped), plain);

    let css = app
        .client
        .get("/static/portal.css")
        .header(Header::new("Accept-Encoding", "gzip"))
        .dispatch()
        .await;
    assert_eq!(css.headers().get_one("Content-Encoding"), Some("gzip"));
    let etag = css.headers().get_one("ETag").unwrap().to_owned();
    assert!(etag.ends_with("-gz\""), "{etag}");
    let css = css.into_bytes().await.unwrap();
    assert_eq!(gunzip(&css), std::fs::read("static/portal.css").unwrap());
    // Refused gzip (q=0) gets the plain file.
    let refused = app
        .client
        .get("/static/portal.css")
        .header(Header::new("Accept-Encoding", "gzip;q=0, identity"))
        .dispatch()
        .await;
    assert!(refused.headers().get_one("Content-Encoding").is_none());
}

#[rocket::async_test]
async fn a_document_download_is_not_compressed_and_arrives_whole() {
    let app = spawn().await;
    app.logged_in_user("Maya Chen", "maya@example.edu").await;
    let id = app.start_health_justice(&app).await;
    let url = format!("/apply/applications/{id}/sections/documents");
    // A PDF of text (which gzip would shrink a lot) of about 1.5 MB.
    let cv = pdf(&"lorem ipsum dolor sit amet ".repeat(60_000));
    let saved = app
        .post_multipart(&url, &[], &[("f[cv]", "cv.pdf", &cv)])
        .await;
    assert_eq!(saved.status, Status::SeeOther, "{}", saved.body);
    let doc = app.count("SELECT id FROM documents").await;
    let r = app
        .client
        .get(format!("/apply/documents/{doc}"))
        .header(Header::new("Accept-Encoding", "gzip"))
        .dispatch()
        .await;
    assert_eq!(r.status(), Status::Ok);
    assert!(r.headers().get_one("Content-Encoding").is_none());
    assert_eq!(r.into_bytes().await.unwrap(), cv);
}
