//! Documents: uploads checked, stored names, download, replace, remove,
//! reuse, and nobody else's.

use rocket::http::Status;

use super::upload_cv;
use crate::helpers::{link_in, pdf, spawn, PASSWORD};

#[rocket::async_test]
async fn a_broken_multipart_body_is_refused_and_changes_nothing() {
    use rocket::http::ContentType;
    let app = spawn().await;
    app.logged_in_user("Maya Chen", "maya@example.edu").await;
    let id = app.start_health_justice(&app).await;
    let url = format!("/apply/applications/{id}/sections/documents");
    let saved = app
        .post_multipart(&url, &[], &[("f[cv]", "cv.pdf", &pdf("first"))])
        .await;
    assert_eq!(saved.status, Status::SeeOther, "{}", saved.body);
    let token = app.csrf().await;
    let whole = crate::helpers::multipart(
        &[("csrf_token", &token)],
        &[("f[cv]", "cv.pdf", &pdf("second").repeat(50_000))],
    );
    let tmp = app.dir.path().join("tmp");
    let send = |body: Vec<u8>, boundary: &'static str| {
        let content_type =
            ContentType::new("multipart", "form-data").with_params(("boundary", boundary));
        app.client.post(url.clone()).header(content_type).body(body)
    };
    // Cut off before its closing delimiter (a dropped connection), with the
    // wrong boundary, and with a line of garbage after a delimiter.
    let cut = whole[..whole.len() - 100].to_vec();
    let glued = String::from_utf8_lossy(&whole)
        .replacen("7d3f\r\n", "7d3f garbage\r\n", 1)
        .into_bytes();
    for (body, boundary) in [
        (cut, crate::helpers::BOUNDARY),
        (whole.clone(), "another-boundary"),
        (glued, crate::helpers::BOUNDARY),
    ] {
        let page = crate::helpers::Page::from(send(body, boundary).dispatch().await).await;
        assert_eq!(page.status, Status::BadRequest, "{}", page.body);
        page.assert_contains("The request could not be understood");
        assert_eq!(app.count("SELECT COUNT(*) FROM documents").await, 1);
        let left: Vec<_> = std::fs::read_dir(&tmp).unwrap().collect();
        assert!(left.is_empty(), "temporary files left: {left:?}");
    }
    // Thousands of tiny parts, or dozens of files, are refused as too large.
    let many: Vec<(&str, &str)> = std::iter::once(("csrf_token", token.as_str()))
        .chain(std::iter::repeat_n(("a[x]", "1"), 1000))
        .collect();
    let files: Vec<(&str, &str, &[u8])> =
        std::iter::repeat_n(("f[cv]", "cv.pdf", b"%PDF".as_slice()), 51).collect();
    for body in [
        crate::helpers::multipart(&many, &[]),
        crate::helpers::multipart(&[("csrf_token", &token)], &files),
    ] {
        let page =
            crate::helpers::Page::from(send(body, crate::helpers::BOUNDARY).dispatch().await).await;
        assert_eq!(page.status, Status::PayloadTooLarge);
        page.assert_contains("That was too large");
        assert_eq!(std::fs::read_dir(&tmp).unwrap().count(), 0);
    }
    app.get(&url).await.assert_contains(">cv.pdf</a>");
    // The same body whole is stored, byte for byte.
    let page =
        crate::helpers::Page::from(send(whole, crate::helpers::BOUNDARY).dispatch().await).await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    let size = app
        .count("SELECT size_bytes FROM documents ORDER BY id DESC LIMIT 1")
        .await;
    assert_eq!(size, (pdf("second").len() * 50_000) as i64);
}

#[rocket::async_test]
async fn uploads_are_checked_by_content_size_and_name() {
    let app = spawn().await;
    app.logged_in_user("Maya Chen", "maya@example.edu").await;
    let id = app.start_health_justice(&app).await;
    let url = format!("/apply/applications/{id}/sections/documents");
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR rest of an image".to_vec();

    let fake = app
        .post_multipart(&url, &[], &[("f[cv]", "cv.pdf", &png)])
        .await;
    assert_eq!(fake.status, Status::UnprocessableEntity);
    fake.assert_contains("The file is named .pdf but its content is a PNG image.");
    let wrong = app
        .post_multipart(&url, &[], &[("f[cv]", "cv.png", &png)])
        .await;
    wrong.assert_contains(
        "The file is a PNG image; this question accepts PDF or Word (.docx) files.",
    );
    let empty = app
        .post_multipart(&url, &[], &[("f[cv]", "cv.pdf", b"")])
        .await;
    empty.assert_contains("The file you chose is empty.");
    let mut big = pdf("big");
    big.resize(6 * 1024 * 1024, b' ');
    let too_big = app
        .post_multipart(&url, &[], &[("f[cv]", "cv.pdf", &big)])
        .await;
    assert_eq!(too_big.status, Status::PayloadTooLarge);
    too_big.assert_contains("The file is 6.0 MiB; this question accepts files up to 5 MiB.");
    assert_eq!(app.count("SELECT COUNT(*) FROM documents").await, 0);
    // Beyond what any question takes (Rocket.toml's `file` limit): refused whole.
    let mut huge = pdf("huge");
    huge.resize(21 * 1024 * 1024, b' ');
    let refused = app
        .post_multipart(&url, &[], &[("f[cv]", "cv.pdf", &huge)])
        .await;
    assert_eq!(refused.status, Status::PayloadTooLarge);
    refused.assert_contains("That was too large");
    assert_eq!(app.count("SELECT COUNT(*) FROM documents").await, 0);
    let stored_files = walk(app.dir.path().join("documents"));
    assert!(
        stored_files.is_empty(),
        "nothing half-stored: {stored_files:?}"
    );

    // Hostile names are made safe; the document is stored under an opaque key.
    // A NUL in a file name is malformed multipart: the whole request is refused.
    let nul = app
        .post_multipart(&url, &[], &[("f[cv]", "cv\u{0}.pdf", &pdf("ok"))])
        .await;
    assert_eq!(nul.status, Status::BadRequest);
    nul.assert_contains("The request could not be understood");
    assert_eq!(app.count("SELECT COUNT(*) FROM documents").await, 0);
    let long_name = format!("{}.pdf", "n".repeat(300));
    for (name, expected) in [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("cv\tfinal<b>.pdf", "cv_final_b_.pdf"),
        (long_name.as_str(), ""),
    ] {
        let page = app
            .post_multipart(&url, &[], &[("f[cv]", name, &pdf("ok"))])
            .await;
        assert_eq!(page.status, Status::SeeOther, "{name:?}: {}", page.body);
        let shown = app.get(&url).await;
        if expected.is_empty() {
            shown.assert_contains(&format!("{}.pdf", "n".repeat(116)));
        } else {
            shown.assert_contains(&format!(">{expected}</a>"));
        }
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM documents").await,
        1,
        "each replacement removed the previous file"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM documents WHERE original_name LIKE '%/%' OR LENGTH(original_name) > 120").await, 0);
    assert_eq!(walk(app.dir.path().join("documents")).len(), 1);
    let key_len = app
        .count("SELECT CAST(LENGTH(storage_key) AS BIGINT) FROM documents")
        .await;
    assert_eq!(key_len, 32);
}

#[rocket::async_test]
async fn a_stored_name_ends_in_the_type_found_and_hides_no_characters() {
    let app = spawn().await;
    app.logged_in_user("Maya Chen", "maya@example.edu").await;
    let id = app.start_health_justice(&app).await;
    let url = format!("/apply/applications/{id}/sections/documents");
    for (sent, stored) in [
        // Shown as "cvexe.pdf" by the override, but an executable's name.
        ("cv\u{202E}fdp.exe", "cvfdp.exe.pdf"),
        ("cv.exe", "cv.exe.pdf"),
        ("Maya\u{200B} CV", "Maya CV.pdf"),
    ] {
        let page = app
            .post_multipart(&url, &[], &[("f[cv]", sent, &pdf("cv"))])
            .await;
        assert_eq!(page.status, Status::SeeOther, "{sent:?}: {}", page.body);
        app.get(&url)
            .await
            .assert_contains(&format!(">{stored}</a>"));
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) FROM documents WHERE original_name = '{stored}'"
            ))
            .await,
            1,
            "{sent:?}"
        );
        let doc = app.count("SELECT id FROM documents").await;
        let r = app
            .client
            .get(format!("/apply/documents/{doc}"))
            .dispatch()
            .await;
        let disposition = r.headers().get_one("Content-Disposition").unwrap();
        assert!(
            disposition.contains(&format!("filename=\"{stored}\"")),
            "{disposition}"
        );
    }
}

fn walk(dir: std::path::PathBuf) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(d).into_iter().flatten().flatten() {
            if e.path().is_dir() {
                stack.push(e.path());
            } else if !e.file_name().to_string_lossy().starts_with('.') {
                out.push(e.path());
            }
        }
    }
    out
}

#[rocket::async_test]
async fn documents_download_replace_remove_and_reuse() {
    let app = spawn().await;
    app.logged_in_user("Maya Chen", "maya@example.edu").await;
    let id = app.start_health_justice(&app).await;
    let url = format!("/apply/applications/{id}/sections/documents");
    upload_cv(&app, id).await;
    let doc = app.count("SELECT id FROM documents").await;
    let r = app
        .client
        .get(format!("/apply/documents/{doc}"))
        .dispatch()
        .await;
    assert_eq!(r.status(), Status::Ok);
    assert_eq!(r.headers().get_one("Content-Type"), Some("application/pdf"));
    assert!(r
        .headers()
        .get_one("Content-Disposition")
        .unwrap()
        .contains("filename=\"Maya CV.pdf\""));
    assert_eq!(r.into_bytes().await.unwrap(), pdf("cv"));
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM document_views WHERE document_id = {doc} AND viewer_role = 'applicant'")).await, 1);

    // The same CV, reused in an internship application.
    let cycle = app.cycle_of("summer-internship").await;
    let page = app
        .post(
            &format!("/apply/cycles/{cycle}/start"),
            &[
                ("e[enrollment_level]", "undergraduate"),
                ("e[us_work_authorization]", "yes"),
            ],
        )
        .await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    let second: i64 = page
        .location
        .unwrap()
        .split('/')
        .nth(3)
        .unwrap()
        .parse()
        .unwrap();
    let docs = format!("/apply/applications/{second}/sections/documents");
    app.get(&docs)
        .await
        .assert_contains("Or use a file you uploaded before")
        .assert_contains("Maya CV.pdf (1 KiB)");
    let reused = app
        .post_multipart(&docs, &[("reuse[resume]", &doc.to_string())], &[])
        .await;
    assert_eq!(reused.status, Status::SeeOther, "{}", reused.body);
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM application_documents WHERE document_id = {doc}"
        ))
        .await,
        2
    );

    // Removing it from the first keeps it for the second.
    app.post_multipart(&url, &[("remove", "cv")], &[]).await;
    assert_eq!(app.count("SELECT COUNT(*) FROM documents").await, 1);
    app.get(&url).await.assert_lacks("Uploaded:");
    app.post_multipart(&docs, &[("remove", "resume")], &[])
        .await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM documents").await,
        0,
        "no longer used anywhere: deleted"
    );
    assert!(walk(app.dir.path().join("documents")).is_empty());
}

#[rocket::async_test]
async fn another_applicants_application_and_documents_are_not_found() {
    let app = spawn().await;
    app.logged_in_user("Maya Chen", "maya@example.edu").await;
    let id = app.start_health_justice(&app).await;
    upload_cv(&app, id).await;
    let doc = app.count("SELECT id FROM documents").await;
    let other = app.another_browser().await;
    other.login("maya@example.edu", PASSWORD).await;
    other.post("/account/logout", &[]).await;
    app.post("/account/logout", &[]).await;
    let intruder = app.another_browser().await;
    intruder.register("Eve", "eve@example.edu", PASSWORD).await;
    let link = link_in(
        &app.last_mail("eve@example.edu", "confirm_email")
            .await
            .text_body,
        "/account/confirm/",
    );
    intruder.get(&link).await;
    intruder.login("eve@example.edu", PASSWORD).await;
    for uri in [
        format!("/apply/applications/{id}"),
        format!("/apply/applications/{id}/sections/contact"),
        format!("/apply/applications/{id}/review"),
        format!("/apply/applications/{id}/summary"),
        format!("/apply/applications/{id}/referees"),
        format!("/apply/applications/{id}/withdraw"),
        format!("/apply/documents/{doc}"),
        "/apply/applications/999999".to_string(),
    ] {
        let page = intruder.get(&uri).await;
        assert_eq!(page.status, Status::NotFound, "{uri}");
        page.assert_lacks("Maya").assert_lacks("maya@example.edu");
    }
    let post = intruder
        .post_multipart(
            &format!("/apply/applications/{id}/sections/contact"),
            &[("a[mailing_city]", "Hacked")],
            &[],
        )
        .await;
    assert_eq!(post.status, Status::NotFound);
    assert_eq!(
        intruder
            .post(
                &format!("/apply/applications/{id}/withdraw"),
                &[("confirm", "true")]
            )
            .await
            .status,
        Status::NotFound
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM applications WHERE stage = 'draft'")
            .await,
        1
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM document_views").await, 0);
}
