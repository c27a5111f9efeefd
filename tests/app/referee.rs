//! Referee letters: requests with private links, uploads without an
//! account, declines, reminders, and what the applicant may see.

use fellowship_portal::domain::application::ApplicationId;
use fellowship_portal::domain::cycle::CycleId;
use rocket::http::Status;

use crate::helpers::{link_in, pdf, spawn, TestApp};

async fn applicant_with_referee(app: &TestApp) -> (i64, String) {
    app.logged_in_user("Maya Chen", "maya@example.edu").await;
    let id = app.start_health_justice(app).await;
    let page = app
        .name_referee(id, "1", "Dr. Rosa Parks", "rosa@example.org")
        .await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    let mail = app.last_mail("rosa@example.org", "referee_request").await;
    (id, link_in(&mail.text_body, "/referee/"))
}

#[rocket::async_test]
async fn a_referee_uploads_a_letter_that_the_applicant_never_sees() {
    let app = spawn().await;
    let (id, link) = applicant_with_referee(&app).await;
    let mail = app.last_mail("rosa@example.org", "referee_request").await;
    assert_eq!(
        mail.subject,
        "Maya Chen asks you for a letter of recommendation (Health Justice Fellowship)"
    );
    app.get(&format!("/apply/applications/{id}/referees"))
        .await
        .assert_contains("We sent Dr. Rosa Parks a request for a letter, at rosa@example.org.")
        .assert_contains(
            r#"Status: <span class="tag tag--letter-requested"><strong>Requested</strong></span>"#,
        );

    // Letters may arrive after the application is submitted.
    app.sql(&format!(
        "UPDATE applications SET stage = 'submitted' WHERE id = {id}"
    ))
    .await;
    let referee = app.another_browser().await;
    let page = referee.get(&link).await;
    assert_eq!(page.status, Status::Ok);
    page.assert_contains("A letter for Maya Chen")
        .assert_contains("Health Justice Fellowship")
        .assert_lacks("Log out");
    let upload = referee
        .post_multipart(
            &format!("{link}/letter"),
            &[],
            &[("letter", "Letter for Maya.pdf", &pdf("a strong letter"))],
        )
        .await;
    assert_eq!(upload.status, Status::Ok, "{}", upload.body);
    upload.assert_contains("Your letter for Maya Chen has arrived");
    let thanks = app.last_mail("rosa@example.org", "referee_thanks").await;
    assert!(thanks
        .text_body
        .contains("Thank you for your letter for Maya Chen"));

    app.get(&format!("/apply/applications/{id}"))
        .await
        .assert_contains("<strong>Letter received</strong>");
    let letter = app
        .count("SELECT id FROM documents WHERE kind = 'letter'")
        .await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM documents WHERE kind = 'letter' AND owner_id IS NULL")
            .await,
        1
    );
    let attempt = app.get(&format!("/apply/documents/{letter}")).await;
    assert_eq!(
        attempt.status,
        Status::NotFound,
        "an applicant never downloads a letter, waived or not"
    );
    app.get(&format!("/apply/applications/{id}/summary"))
        .await
        .assert_lacks("Letter for Maya.pdf");
    assert_eq!(app.count("SELECT COUNT(*) FROM document_views").await, 0);

    // The link is spent.
    let again = referee.get(&link).await;
    assert_eq!(again.status, Status::Gone);
    again.assert_contains("We already have your letter");
    let second = referee
        .post_multipart(
            &format!("{link}/letter"),
            &[],
            &[("letter", "again.pdf", &pdf("again"))],
        )
        .await;
    assert_eq!(second.status, Status::Gone);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM documents WHERE kind = 'letter'")
            .await,
        1
    );
    // A referee who answered can no longer be changed.
    let change = app
        .name_referee(id, "1", "Someone Else", "else@example.org")
        .await;
    assert_eq!(change.status, Status::SeeOther);
    app.get(&format!("/apply/applications/{id}/referees"))
        .await
        .assert_contains("already answered");
    assert_eq!(app.count("SELECT COUNT(*) FROM referee_requests WHERE email = 'rosa@example.org' AND status = 'received'").await, 1);
}

#[rocket::async_test]
async fn a_manager_downloads_a_letter_named_after_its_referee_as_a_pdf() {
    let app = spawn().await;
    let (id, link) = applicant_with_referee(&app).await;
    app.sql(&format!(
        "UPDATE applications SET stage = 'submitted' WHERE id = {id}"
    ))
    .await;
    let referee = app.another_browser().await;
    let upload = referee
        .post_multipart(
            &format!("{link}/letter"),
            &[],
            &[("letter", "letter", &pdf("a strong letter"))],
        )
        .await;
    assert_eq!(upload.status, Status::Ok, "{}", upload.body);
    let letter = app
        .count("SELECT id FROM documents WHERE kind = 'letter'")
        .await;
    let cycle = app.with_cycle().await;
    let manager = app
        .with_manager(&cycle, "Mo Manager", "mo@alliance.org")
        .await;
    manager
        .get(&format!("/manage/applications/{id}"))
        .await
        .assert_contains("Letter from Dr. Rosa Parks.pdf");
    let r = manager
        .client
        .get(format!("/manage/applications/{id}/documents/{letter}"))
        .dispatch()
        .await;
    assert_eq!(r.status(), Status::Ok);
    assert_eq!(
        r.headers().get_one("Content-Disposition"),
        Some("attachment; filename=\"Letter from Dr. Rosa Parks.pdf\"; filename*=UTF-8''Letter%20from%20Dr.%20Rosa%20Parks.pdf")
    );
    assert_eq!(r.into_bytes().await.unwrap(), pdf("a strong letter"));
}

#[rocket::async_test]
async fn referee_links_that_are_wrong_expired_or_misused_are_explained() {
    let app = spawn().await;
    let (id, link) = applicant_with_referee(&app).await;
    let referee = app.another_browser().await;
    let wrong = referee.get("/referee/not-a-real-token").await;
    assert_eq!(wrong.status, Status::NotFound);
    wrong.assert_contains("This link is not valid");

    let png = referee
        .post_multipart(
            &format!("{link}/letter"),
            &[],
            &[("letter", "letter.png", b"\x89PNG\r\n\x1a\n\0\0")],
        )
        .await;
    assert_eq!(png.status, Status::UnprocessableEntity);
    png.assert_contains("The file is a PNG image; this question accepts a PDF file.");
    let docx = referee
        .post_multipart(
            &format!("{link}/letter"),
            &[],
            &[(
                "letter",
                "letter.docx",
                b"PK\x03\x04\x14\0[Content_Types].xml",
            )],
        )
        .await;
    docx.assert_contains("this question accepts a PDF file");
    let renamed = referee
        .post_multipart(
            &format!("{link}/letter"),
            &[],
            &[(
                "letter",
                "letter.pdf",
                b"PK\x03\x04\x14\0[Content_Types].xml",
            )],
        )
        .await;
    renamed.assert_contains("The file is named .pdf but its content is a Word (.docx).");
    let none = referee
        .post_multipart(&format!("{link}/letter"), &[], &[])
        .await;
    none.assert_contains("Choose your letter (a PDF file) to upload.");
    assert_eq!(app.count("SELECT COUNT(*) FROM documents").await, 0);

    // Past the cycle's close of letters, when the link expires.
    let mut conn = app.pool().conn().await.unwrap();
    let request = fellowship_portal::db::referees::for_application(conn.exec(), ApplicationId(id))
        .await
        .unwrap();
    drop(conn);
    app.advance_past(request[0].token_expires_at);
    let expired = referee.get(&link).await;
    assert_eq!(expired.status, Status::Gone);
    expired.assert_contains("Letters for this cycle are closed");
    let late = referee
        .post_multipart(
            &format!("{link}/letter"),
            &[],
            &[("letter", "late.pdf", &pdf("late"))],
        )
        .await;
    assert_eq!(late.status, Status::Gone);
    assert_eq!(app.count("SELECT COUNT(*) FROM documents").await, 0);
}

#[rocket::async_test]
async fn a_referee_can_decline_with_a_note() {
    let app = spawn().await;
    let (id, link) = applicant_with_referee(&app).await;
    let referee = app.another_browser().await;
    let page = referee
        .post(
            &format!("{link}/decline"),
            &[("note", "I am on leave until June; please ask Dr. Okafor.")],
        )
        .await;
    assert_eq!(page.status, Status::Ok);
    page.assert_contains("Thank you for letting us know");
    app.get(&format!("/apply/applications/{id}/referees"))
        .await
        .assert_contains("Declined to write")
        .assert_contains("I am on leave until June; please ask Dr. Okafor.");
    let thanks = app.last_mail("rosa@example.org", "referee_thanks").await;
    assert!(thanks.text_body.contains("cannot write a letter"));
    assert_eq!(referee.get(&link).await.status, Status::Gone);
}

#[rocket::async_test]
async fn links_are_resent_and_referees_changed_until_they_answer() {
    let app = spawn().await;
    let (id, first_link) = applicant_with_referee(&app).await;
    let request = app.count("SELECT id FROM referee_requests").await;
    let resent = app
        .post(
            &format!("/apply/applications/{id}/referees/{request}/resend"),
            &[],
        )
        .await;
    assert_eq!(resent.status, Status::SeeOther);
    app.get(&format!("/apply/applications/{id}/referees"))
        .await
        .assert_contains("We sent Dr. Rosa Parks a new link. The earlier one no longer works.");
    let second_link = link_in(
        &app.last_mail("rosa@example.org", "referee_request")
            .await
            .text_body,
        "/referee/",
    );
    assert_ne!(first_link, second_link);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE kind = 'referee_request'")
            .await,
        2
    );
    let referee = app.another_browser().await;
    assert_eq!(referee.get(&first_link).await.status, Status::NotFound);
    assert_eq!(referee.get(&second_link).await.status, Status::Ok);

    // Changing the referee: the new one is asked, the old link stops working.
    let changed = app
        .name_referee(id, "1", "Prof. Sam Okafor", "sam@example.org")
        .await;
    assert_eq!(changed.status, Status::SeeOther);
    assert_eq!(referee.get(&second_link).await.status, Status::NotFound);
    let sam_link = link_in(
        &app.last_mail("sam@example.org", "referee_request")
            .await
            .text_body,
        "/referee/",
    );
    referee
        .get(&sam_link)
        .await
        .assert_contains("Dear Prof. Sam Okafor");
    assert_eq!(app.count("SELECT COUNT(*) FROM referee_requests").await, 1);

    let removed = app
        .post(
            &format!("/apply/applications/{id}/referees/{request}/remove"),
            &[],
        )
        .await;
    assert_eq!(removed.status, Status::SeeOther);
    assert_eq!(app.count("SELECT COUNT(*) FROM referee_requests").await, 0);
    assert_eq!(referee.get(&sam_link).await.status, Status::NotFound);
}

#[rocket::async_test]
async fn naming_a_referee_explains_each_mistake() {
    let app = spawn().await;
    app.logged_in_user("Maya Chen", "maya@example.edu").await;
    let id = app.start_health_justice(&app).await;
    let page = app
        .post(
            &format!("/apply/applications/{id}/referees"),
            &[
                ("question", "referees"),
                ("position", "2"),
                ("name", ""),
                ("email", "maya@example.edu"),
                ("relationship", ""),
                ("waiver", ""),
            ],
        )
        .await;
    assert_eq!(page.status, Status::UnprocessableEntity);
    page.assert_contains(r##"<a href="#referees-2-name">Enter the referee’s full name.</a>"##)
        .assert_contains("A referee must be someone else")
        .assert_contains("Say how you know this referee")
        .assert_contains(r##"<a href="#referees-2-waiver-yes">Choose whether you waive your right to read this letter.</a>"##)
        .assert_contains(r#"value="maya@example.edu""#);
    let no_email = app.name_referee(id, "1", "Dr. Rosa Parks", "").await;
    assert_eq!(no_email.status, Status::UnprocessableEntity);
    no_email
        .assert_contains("Enter the referee’s email address.")
        .assert_contains(r#"value="Dr. Rosa Parks""#);
    // A name that would read backwards in the referee's mail.
    let reversed = app
        .name_referee(id, "1", "Dr. Rosa\u{202E}skraP", "rosa@example.org")
        .await;
    assert_eq!(reversed.status, Status::UnprocessableEntity);
    reversed.assert_contains(
        r##"<a href="#referees-1-name">The referee’s name cannot contain invisible control characters.</a>"##,
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM referee_requests").await, 0);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE kind = 'referee_request'")
            .await,
        0
    );
    let bad_slot = app
        .post(
            &format!("/apply/applications/{id}/referees"),
            &[
                ("question", "referees"),
                ("position", "3"),
                ("name", "A B"),
                ("email", "a@b.org"),
                ("relationship", "x"),
                ("waiver", "yes"),
            ],
        )
        .await;
    assert_eq!(bad_slot.status, Status::NotFound);
    let bad_question = app
        .post(
            &format!("/apply/applications/{id}/referees"),
            &[
                ("question", "cv"),
                ("position", "1"),
                ("name", "A B"),
                ("email", "a@b.org"),
                ("relationship", "x"),
                ("waiver", "yes"),
            ],
        )
        .await;
    assert_eq!(bad_question.status, Status::NotFound);
    assert_eq!(app.count("SELECT COUNT(*) FROM referee_requests").await, 0);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE kind = 'referee_request'")
            .await,
        0
    );
}

#[rocket::async_test]
async fn referees_who_have_not_answered_are_reminded_once_before_the_deadline() {
    let app = spawn().await;
    let (_, link) = applicant_with_referee(&app).await;
    let cycle = app.cycle_of("health-justice").await;
    // Three days before letters are due.
    let mut conn = app.pool().conn().await.unwrap();
    let due = fellowship_portal::db::cycles::find(conn.exec(), CycleId(cycle))
        .await
        .unwrap()
        .unwrap()
        .cycle
        .letters_due_at;
    drop(conn);
    app.advance_past(due - chrono::Duration::days(3));
    let ctx = app.ctx();
    assert_eq!(
        fellowship_portal::jobs::reminders::remind_referees(&ctx)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        fellowship_portal::jobs::reminders::remind_referees(&ctx)
            .await
            .unwrap(),
        0,
        "once only"
    );
    let reminder = app.last_mail("rosa@example.org", "referee_reminder").await;
    assert!(reminder
        .subject
        .starts_with("Reminder: a letter for Maya Chen is due soon"));
    let fresh = link_in(&reminder.text_body, "/referee/");
    let referee = app.another_browser().await;
    assert_eq!(referee.get(&fresh).await.status, Status::Ok);
    assert_eq!(
        referee.get(&link).await.status,
        Status::NotFound,
        "the reminder's link replaces the first"
    );
    // Answered referees get no reminder.
    referee
        .post_multipart(
            &format!("{fresh}/letter"),
            &[],
            &[("letter", "l.pdf", &pdf("letter"))],
        )
        .await;
    app.sql("UPDATE referee_requests SET reminded_at = NULL")
        .await;
    assert_eq!(
        fellowship_portal::jobs::reminders::remind_referees(&ctx)
            .await
            .unwrap(),
        0
    );
}

/// A letter sent to a link that does not work is refused before it is
/// read: the portal answers after the first kilobyte of a 20 MiB upload,
/// instead of taking in all of it first.
#[test]
fn a_letter_to_a_dead_link_is_refused_before_it_is_read() {
    use std::io::{Read, Write};
    use std::net::TcpStream;
    use std::time::Duration;

    let data = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (db_url, _guard) = rt.block_on(crate::helpers::fresh_database(data.path()));
    let port = crate::helpers::free_port();
    let (mut child, _) = crate::helpers::serve(data.path(), &db_url, port);
    let connect = || {
        let s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        s
    };
    // A CSRF cookie and its token, as a browser gets them.
    let mut s = connect();
    write!(
        s,
        "GET /account/login HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut page = String::new();
    s.read_to_string(&mut page).unwrap();
    let cookie = page
        .lines()
        .find_map(|l| {
            l.strip_prefix("set-cookie: ")
                .or_else(|| l.strip_prefix("Set-Cookie: "))
        })
        .and_then(|c| c.split(';').next())
        .expect("a CSRF cookie")
        .to_owned();
    let marker = "name=\"csrf_token\" value=\"";
    let at = page.find(marker).unwrap() + marker.len();
    let token = page[at..].split('"').next().unwrap().to_owned();

    let boundary = "----dead-link-boundary";
    let start = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{token}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"letter\"; filename=\"letter.pdf\"\r\n\
         Content-Type: application/pdf\r\n\r\n%PDF-1.7\n"
    );
    let mut s = connect();
    write!(
        s,
        "POST /referee/no-such-link/letter HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookie}\r\n\
         Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {}\r\n\r\n{start}",
        20 * 1024 * 1024
    )
    .unwrap();
    s.write_all(&vec![b'x'; 1024]).unwrap();
    s.flush().unwrap();
    // Nothing more is sent: the answer must come anyway.
    let mut answer = vec![0u8; 64 * 1024];
    let mut got = 0;
    loop {
        match s.read(&mut answer[got..]) {
            Ok(0) => break,
            Ok(n) => {
                got += n;
                if String::from_utf8_lossy(&answer[..got]).contains("</html>") {
                    break;
                }
            }
            Err(e) => panic!("no answer while the letter was not sent: {e}"),
        }
    }
    let answer = String::from_utf8_lossy(&answer[..got]).into_owned();
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(answer.starts_with("HTTP/1.1 404"), "{answer}");
    assert!(answer.contains("This link is not valid"), "{answer}");
}
