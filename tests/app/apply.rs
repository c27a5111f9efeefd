//! The applicant journey: eligibility, drafts, documents, review and
//! submit, status, withdrawal, profile and demographics, and every bad
//! input with what the applicant sees.

use rocket::http::Status;

use crate::helpers::{link_in, pdf, spawn, Browser, TestApp, PASSWORD};

/// Answers every Health Justice section but the referees and the CV.
pub(crate) async fn answer_everything(b: &Browser, id: i64) {
    let s = |section: &str| format!("/apply/applications/{id}/sections/{section}");
    for (section, fields) in [
        (
            "contact",
            vec![("a[mailing_city]", "Baltimore"), ("a[mailing_state]", "MD")],
        ),
        (
            "education",
            vec![
                ("a[institution]", "Johns Hopkins School of Nursing"),
                ("a[discipline]", "nursing"),
                ("a[degree]", "BSN"),
                ("a[expected_graduation]", "2027-05-31"),
            ],
        ),
        (
            "essays",
            vec![
                (
                    "a[health_equity_essay]",
                    "Nights in a community clinic taught me that housing is health.",
                ),
                (
                    "a[community_project_essay]",
                    "A bilingual blood-pressure program with neighbourhood barbershops.",
                ),
            ],
        ),
        (
            "commitment",
            vec![
                ("a[attend_summer_institute]", "yes"),
                ("a[mentoring_areas]", ""),
                ("a[mentoring_areas]", "research"),
            ],
        ),
    ] {
        let page = b.post_multipart(&s(section), &fields, &[]).await;
        assert_eq!(page.status, Status::SeeOther, "{section}: {}", page.body);
    }
}

pub(crate) async fn upload_cv(b: &Browser, id: i64) -> crate::helpers::Page {
    b.post_multipart(
        &format!("/apply/applications/{id}/sections/documents"),
        &[],
        &[("f[cv]", "Maya CV.pdf", &pdf("cv"))],
    )
    .await
}

async fn ready_to_submit(app: &TestApp) -> i64 {
    app.logged_in_user("Maya Chen", "maya@example.edu").await;
    let id = app.start_health_justice(app).await;
    answer_everything(app, id).await;
    assert_eq!(upload_cv(app, id).await.status, Status::SeeOther);
    assert_eq!(
        app.name_referee(id, "1", "Dr. Rosa Parks", "rosa@example.org")
            .await
            .status,
        Status::SeeOther
    );
    assert_eq!(
        app.name_referee(id, "2", "Prof. Sam Okafor", "sam@example.org")
            .await
            .status,
        Status::SeeOther
    );
    id
}

#[rocket::async_test]
async fn a_student_applies_and_submits_and_gets_a_confirmation() {
    let app = spawn().await;
    let id = ready_to_submit(&app).await;
    app.get(&format!("/apply/applications/{id}/review"))
        .await
        .assert_contains("Everything is complete")
        .assert_contains("Submit my application");
    let page = app
        .post(&format!("/apply/applications/{id}/submit"), &[])
        .await;
    assert_eq!(page.location, Some(format!("/apply/applications/{id}")));
    let status = app.get(&format!("/apply/applications/{id}")).await;
    status
        .assert_contains(
            "Your application is submitted. We sent a confirmation to maya@example.edu.",
        )
        .assert_contains(r#"<strong class="status">Submitted</strong>"#)
        .assert_contains("Dr. Rosa Parks (Clinical supervisor): <strong>Requested</strong>");
    let mail = app
        .last_mail("maya@example.edu", "application_submitted")
        .await;
    assert_eq!(
        mail.subject,
        "Your application to the Health Justice Fellowship was submitted"
    );
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM application_events WHERE application_id = {id} AND to_stage = 'submitted' AND move = 'submit'")).await, 1);
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM applications WHERE id = {id} AND stage = 'submitted' AND submitted_at IS NOT NULL")).await, 1);

    // Read-only afterwards: the sections send the applicant back, with a reason.
    let section = app
        .get(&format!("/apply/applications/{id}/sections/essays"))
        .await;
    assert_eq!(section.status, Status::SeeOther);
    let save = app
        .post_multipart(
            &format!("/apply/applications/{id}/sections/essays"),
            &[("a[health_equity_essay]", "changed")],
            &[],
        )
        .await;
    assert_eq!(save.status, Status::SeeOther);
    app.get(&format!("/apply/applications/{id}"))
        .await
        .assert_contains("can no longer be changed");
    app.get(&format!("/apply/applications/{id}/summary"))
        .await
        .assert_contains("Nights in a community clinic taught me that housing is health.")
        .assert_lacks("changed");
    // Submitting twice is refused.
    let twice = app
        .post(&format!("/apply/applications/{id}/submit"), &[])
        .await;
    assert_eq!(twice.status, Status::UnprocessableEntity);
    twice.assert_contains("This application cannot be submitted now: its status is “Submitted”.");
}

#[rocket::async_test]
async fn the_review_page_lists_every_missing_answer_with_a_link() {
    let app = spawn().await;
    app.logged_in_user("Maya Chen", "maya@example.edu").await;
    let id = app.start_health_justice(&app).await;
    let review = app.get(&format!("/apply/applications/{id}/review")).await;
    review
        .assert_contains(&format!(r#"<a href="/apply/applications/{id}/sections/contact#mailing_city">Answer “Mailing address: city”.</a>"#))
        .assert_contains(&format!(r#"<a href="/apply/applications/{id}/sections/documents#cv">Upload a file for “CV or résumé”.</a>"#))
        .assert_contains(&format!(r#"href="/apply/applications/{id}/referees">Name 2 referees"#))
        .assert_lacks("Submit my application");
    let refused = app
        .post(&format!("/apply/applications/{id}/submit"), &[])
        .await;
    assert_eq!(refused.status, Status::UnprocessableEntity);
    refused
        .assert_contains("Your application is not complete yet")
        .assert_contains("Answer “Mailing address: city”.");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM applications WHERE stage = 'draft'")
            .await,
        1
    );
}

#[rocket::async_test]
async fn an_ineligible_student_is_told_why_and_nothing_is_stored() {
    let app = spawn().await;
    app.logged_in_user("Maya Chen", "maya@example.edu").await;
    let cycle = app.cycle_of("health-justice").await;
    app.get(&format!("/apply/cycles/{cycle}"))
        .await
        .assert_contains("First, can you apply?");
    let page = app
        .post(
            &format!("/apply/cycles/{cycle}/start"),
            &[
                ("e[enrolled_us_health_program]", "no"),
                ("e[can_commit_time]", "yes"),
            ],
        )
        .await;
    assert_eq!(page.status, Status::Ok);
    page.assert_contains("You cannot apply to the Health Justice Fellowship this time")
        .assert_contains("open only to students who are currently enrolled")
        .assert_contains("Nothing has been saved.");
    let missing = app
        .post(
            &format!("/apply/cycles/{cycle}/start"),
            &[("e[enrolled_us_health_program]", "yes")],
        )
        .await;
    assert_eq!(missing.status, Status::UnprocessableEntity);
    missing.assert_contains("Answer “Can you commit about 5 hours");
    let tampered = app
        .post(
            &format!("/apply/cycles/{cycle}/start"),
            &[
                ("e[enrolled_us_health_program]", "perhaps"),
                ("e[can_commit_time]", "yes"),
            ],
        )
        .await;
    assert_eq!(tampered.status, Status::UnprocessableEntity);
    assert_eq!(app.count("SELECT COUNT(*) FROM applications").await, 0);
}

#[rocket::async_test]
async fn a_second_start_resumes_the_first_application() {
    let app = spawn().await;
    app.logged_in_user("Maya Chen", "maya@example.edu").await;
    let first = app.start_health_justice(&app).await;
    let cycle = app.cycle_of("health-justice").await;
    let again = app
        .post(
            &format!("/apply/cycles/{cycle}/start"),
            &[
                ("e[enrolled_us_health_program]", "yes"),
                ("e[can_commit_time]", "yes"),
            ],
        )
        .await;
    assert_eq!(again.location, Some(format!("/apply/applications/{first}")));
    let page = app.get(&format!("/apply/cycles/{cycle}")).await;
    assert_eq!(page.location, Some(format!("/apply/applications/{first}")));
    assert_eq!(app.count("SELECT COUNT(*) FROM applications").await, 1);
}

#[rocket::async_test]
async fn drafts_keep_partial_answers_and_point_out_limits() {
    let app = spawn().await;
    app.logged_in_user("Maya Chen", "maya@example.edu").await;
    // The profile pre-fills a new application.
    app.post(
        "/apply/profile",
        &[
            ("p[pronouns]", "she/her"),
            ("p[institution]", "Morehouse School of Medicine"),
        ],
    )
    .await;
    let id = app.start_health_justice(&app).await;
    app.get(&format!("/apply/applications/{id}/sections/contact"))
        .await
        .assert_contains(r#"value="Maya Chen""#)
        .assert_contains(r#"value="maya@example.edu""#)
        .assert_contains(r#"value="she/her""#);
    app.get(&format!("/apply/applications/{id}/sections/education"))
        .await
        .assert_contains(r#"value="Morehouse School of Medicine""#);

    let long = "word ".repeat(510);
    let page = app
        .post_multipart(
            &format!("/apply/applications/{id}/sections/essays"),
            &[("a[health_equity_essay]", &long), ("next", "save")],
            &[],
        )
        .await;
    assert_eq!(
        page.location,
        Some(format!("/apply/applications/{id}/sections/essays")),
        "an over-long draft is still saved"
    );
    app.get(&format!("/apply/applications/{id}/sections/essays"))
        .await
        .assert_contains("Your answers are saved.")
        .assert_contains("has 510 words; the limit is 500. Shorten it by 10.")
        .assert_contains("510 of 500 words");
    app.get(&format!("/apply/applications/{id}/review"))
        .await
        .assert_contains("has 510 words; the limit is 500");
    let stored = app
        .count(&format!(
            "SELECT CAST(LENGTH(answers_json) AS BIGINT) FROM applications WHERE id = {id}"
        ))
        .await;
    assert!(stored > 2500, "the whole essay is kept ({stored})");
}

#[rocket::async_test]
async fn a_tampered_section_is_refused_whole_and_nothing_changes() {
    let app = spawn().await;
    app.logged_in_user("Maya Chen", "maya@example.edu").await;
    let id = app.start_health_justice(&app).await;
    let url = format!("/apply/applications/{id}/sections/education");
    app.post_multipart(&url, &[("a[institution]", "Howard University")], &[])
        .await;
    let before = app
        .count(&format!(
            "SELECT CAST(LENGTH(answers_json) AS BIGINT) FROM applications WHERE id = {id}"
        ))
        .await;

    let choice = app
        .post_multipart(
            &url,
            &[
                ("a[institution]", "Changed"),
                ("a[discipline]", "astrology"),
            ],
            &[],
        )
        .await;
    assert_eq!(choice.status, Status::UnprocessableEntity);
    choice
        .assert_contains("Choose one of the options listed.")
        .assert_contains(r##"<a href="#discipline">"##);
    let unknown = app
        .post_multipart(
            &url,
            &[("a[institution]", "Changed"), ("a[salary]", "1000000")],
            &[],
        )
        .await;
    assert_eq!(unknown.status, Status::UnprocessableEntity);
    unknown.assert_contains("does not exist");
    let elsewhere = app
        .post_multipart(
            &url,
            &[
                ("a[institution]", "Changed"),
                ("a[health_equity_essay]", "x"),
            ],
            &[],
        )
        .await;
    assert_eq!(elsewhere.status, Status::UnprocessableEntity);
    elsewhere.assert_contains("not on this page");
    let after = app
        .count(&format!(
            "SELECT CAST(LENGTH(answers_json) AS BIGINT) FROM applications WHERE id = {id}"
        ))
        .await;
    assert_eq!(before, after);
    app.get(&url)
        .await
        .assert_contains(r#"value="Howard University""#)
        .assert_lacks("Changed");
}

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

#[rocket::async_test]
async fn after_the_close_submission_is_refused_and_the_draft_kept_until_an_extension() {
    let app = spawn().await;
    let id = ready_to_submit(&app).await;
    let cycle = app.cycle_of("health-justice").await;
    app.sql(&format!(
        "UPDATE cycles SET closes_at = '2020-01-01T00:00:00+00:00' WHERE id = {cycle}"
    ))
    .await;
    let page = app
        .post(&format!("/apply/applications/{id}/submit"), &[])
        .await;
    assert_eq!(page.status, Status::UnprocessableEntity);
    page.assert_contains("The deadline for this cycle was")
        .assert_contains("Your draft is kept.");
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM applications WHERE id = {id} AND stage = 'draft'"
        ))
        .await,
        1
    );

    // A manager of the program grants this applicant more time.
    let manager = app.another_browser().await;
    let admin = app.another_browser().await;
    let manager_id = app.new_user("Pat Manager", "pat@example.org").await;
    let _ = admin;
    let program = app
        .count("SELECT id FROM programs WHERE slug = 'health-justice'")
        .await;
    app.sql(&format!("INSERT INTO role_grants (user_id, program_id, role, granted_at) VALUES ({manager_id}, {program}, 'manager', '2026-01-01T00:00:00+00:00')")).await;
    manager.login("pat@example.org", PASSWORD).await;
    let future = (chrono::Utc::now() + chrono::Duration::days(3))
        .format("%Y-%m-%d")
        .to_string();
    let no_reason = manager
        .post(
            &format!("/manage/cycles/{cycle}/extensions"),
            &[
                ("email", "maya@example.edu"),
                ("date", &future),
                ("time", "17:00"),
                ("reason", ""),
            ],
        )
        .await;
    assert_eq!(no_reason.status, Status::SeeOther);
    manager
        .get(&format!("/manage/cycles/{cycle}"))
        .await
        .assert_contains("Say why the extension is granted");
    let granted = manager
        .post(
            &format!("/manage/cycles/{cycle}/extensions"),
            &[
                ("email", "maya@example.edu"),
                ("date", &future),
                ("time", "17:00"),
                ("reason", "Hospitalised during the final week"),
            ],
        )
        .await;
    assert_eq!(granted.status, Status::SeeOther);
    manager
        .get(&format!("/manage/cycles/{cycle}"))
        .await
        .assert_contains("Maya Chen (maya@example.edu) may now submit until");
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM application_extensions WHERE application_id = {id} AND granted_by = {manager_id} AND reason = 'Hospitalised during the final week'")).await, 1);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'application.extend'")
            .await,
        1
    );

    let page = app
        .post(&format!("/apply/applications/{id}/submit"), &[])
        .await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM applications WHERE id = {id} AND stage = 'submitted'"
        ))
        .await,
        1
    );

    // A student cannot reach the manager's page; a manager of another program cannot extend.
    assert_eq!(
        app.get(&format!("/manage/cycles/{cycle}")).await.status,
        Status::Forbidden
    );
    let other_cycle = app.cycle_of("summer-internship").await;
    assert_eq!(
        manager
            .get(&format!("/manage/cycles/{other_cycle}"))
            .await
            .status,
        Status::NotFound
    );
}

#[rocket::async_test]
async fn withdrawing_needs_a_confirmation_and_is_recorded() {
    let app = spawn().await;
    app.logged_in_user("Maya Chen", "maya@example.edu").await;
    let id = app.start_health_justice(&app).await;
    app.get(&format!("/apply/applications/{id}/withdraw"))
        .await
        .assert_contains("this cannot be undone");
    let unconfirmed = app
        .post(
            &format!("/apply/applications/{id}/withdraw"),
            &[("reason", "")],
        )
        .await;
    assert_eq!(unconfirmed.status, Status::UnprocessableEntity);
    unconfirmed.assert_contains("Tick the box to confirm");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM applications WHERE stage = 'draft'")
            .await,
        1
    );
    let done = app
        .post(
            &format!("/apply/applications/{id}/withdraw"),
            &[("reason", "Accepted elsewhere"), ("confirm", "true")],
        )
        .await;
    assert_eq!(done.status, Status::SeeOther);
    app.get(&format!("/apply/applications/{id}"))
        .await
        .assert_contains(r#"<strong class="status">Withdrawn</strong>"#)
        .assert_contains("Withdrawn: ")
        .assert_lacks("Withdraw this application");
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM application_events WHERE application_id = {id} AND from_stage = 'draft' AND to_stage = 'withdrawn' AND note = 'Accepted elsewhere'")).await, 1);
    let again = app
        .post(
            &format!("/apply/applications/{id}/withdraw"),
            &[("confirm", "true")],
        )
        .await;
    assert_eq!(again.status, Status::UnprocessableEntity);
    again.assert_contains("cannot be withdrawn now");
}

#[rocket::async_test]
async fn applicants_never_see_staff_stages_or_unreleased_decisions() {
    let app = spawn().await;
    let id = ready_to_submit(&app).await;
    app.post(&format!("/apply/applications/{id}/submit"), &[])
        .await;
    app.sql(&format!(
        "UPDATE applications SET stage = 'decided' WHERE id = {id}"
    ))
    .await;
    app.sql(&format!("INSERT INTO application_events (application_id, from_stage, to_stage, move, actor_role, note, created_at) VALUES ({id}, 'review', 'decided', 'decide', 'manager', 'Strong candidate, top 5', '2026-11-01T00:00:00+00:00')")).await;
    let page = app.get(&format!("/apply/applications/{id}")).await;
    page.assert_contains(r#"<strong class="status">Under review</strong>"#)
        .assert_lacks("Strong candidate")
        .assert_lacks("decided");
    app.get("/apply")
        .await
        .assert_contains("Under review")
        .assert_lacks("Decision available");
}

#[rocket::async_test]
async fn demographics_are_optional_stored_apart_and_validated() {
    let app = spawn().await;
    app.logged_in_user("Maya Chen", "maya@example.edu").await;
    app.get("/apply/demographics")
        .await
        .assert_contains("never shown to reviewers")
        .assert_contains("Prefer not to say");
    let saved = app
        .post(
            "/apply/demographics",
            &[
                ("a[race_ethnicity]", ""),
                ("a[race_ethnicity]", "asian"),
                ("a[race_ethnicity]", "white"),
                ("a[first_generation]", "yes"),
            ],
        )
        .await;
    assert_eq!(saved.status, Status::SeeOther);
    app.get("/apply/demographics")
        .await
        .assert_contains("Your answers are saved");
    assert_eq!(app.count("SELECT COUNT(*) FROM demographics").await, 1);
    let tampered = app
        .post("/apply/demographics", &[("a[disability]", "sometimes")])
        .await;
    assert_eq!(tampered.status, Status::UnprocessableEntity);
    tampered.assert_contains("Choose one of the options listed.");
    let id = app.start_health_justice(&app).await;
    app.get(&format!("/apply/applications/{id}/summary"))
        .await
        .assert_lacks("Asian")
        .assert_lacks("first in your family");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM applications WHERE answers_json LIKE '%asian%'")
            .await,
        0
    );
}

#[rocket::async_test]
async fn a_preferred_name_with_a_bidirectional_override_is_refused_and_nothing_saved() {
    let app = spawn().await;
    app.logged_in_user("Maya Chen", "maya@example.edu").await;
    let page = app
        .post(
            "/apply/profile",
            &[
                ("p[preferred_name]", "Ma\u{2067}ya"),
                ("p[institution]", "Howard"),
            ],
        )
        .await;
    assert_eq!(page.status, Status::UnprocessableEntity);
    page.assert_contains("Your preferred name cannot contain invisible control characters.");
    assert_eq!(app.count("SELECT COUNT(*) FROM profiles").await, 0);
}

#[rocket::async_test]
async fn a_bad_profile_date_is_explained_and_nothing_saved() {
    let app = spawn().await;
    app.logged_in_user("Maya Chen", "maya@example.edu").await;
    let page = app
        .post(
            "/apply/profile",
            &[
                ("p[institution]", "Howard"),
                ("p[expected_graduation]", "next spring"),
            ],
        )
        .await;
    assert_eq!(page.status, Status::UnprocessableEntity);
    page.assert_contains("Enter the date as, for example, 2027-05-31.")
        .assert_contains(r#"value="Howard""#);
    assert_eq!(app.count("SELECT COUNT(*) FROM profiles").await, 0);
}

/// Screened out, not yet told: withdrawing is refused in the words of the
/// status page ("Under review"), never "ineligible".
#[rocket::async_test]
async fn a_refused_withdrawal_says_only_what_the_status_page_says() {
    use fellowship_portal::domain::role::ProgramRole;
    let app = spawn().await;
    let c = crate::fixtures::health_justice(&app).await;
    let (_, manager) = crate::fixtures::staff(
        &app,
        "Mo Manager",
        "mo@alliance.org",
        c.program,
        ProgramRole::Manager,
    )
    .await;
    let id = ready_to_submit(&app).await;
    let page = app
        .post(&format!("/apply/applications/{id}/submit"), &[])
        .await;
    assert_eq!(page.status, Status::SeeOther);
    let page = manager
        .post(
            &format!("/manage/applications/{id}/screen"),
            &[
                ("outcome", "ineligible"),
                ("reason", "not_enrolled"),
                ("note", "Graduated in 2019."),
            ],
        )
        .await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    app.get(&format!("/apply/applications/{id}"))
        .await
        .assert_contains(r#"<strong class="status">Under review</strong>"#);
    let page = app
        .post(
            &format!("/apply/applications/{id}/withdraw"),
            &[("confirm", "true"), ("reason", "")],
        )
        .await;
    assert_eq!(page.status, Status::UnprocessableEntity);
    page.assert_contains("This application cannot be withdrawn now: its status is “Under review”.")
        .assert_lacks("ineligible");
    let page = app
        .post(&format!("/apply/applications/{id}/submit"), &[])
        .await;
    page.assert_contains("This application cannot be submitted now: its status is “Under review”.")
        .assert_lacks("ineligible");
}
