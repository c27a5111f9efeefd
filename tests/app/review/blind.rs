//! Blind review: nothing a reviewer is shown or sent names the applicant.

use fellowship_portal::db::profiles;
use fellowship_portal::domain::user::UserId;
use rocket::http::Status;

use super::{attach_cv, pdf_by};
use crate::fixtures::{assign, mark_eligible, past_due, post_review, review_fields, Staff};
use crate::helpers::{spawn, PASSWORD};

#[rocket::async_test]
async fn a_blind_cycle_never_shows_a_reviewer_who_applied() {
    let app = spawn().await;
    let c = app.with_cycle().await;
    app.sql(&format!(
        "UPDATE cycles SET blind_review = TRUE, show_other_reviews = 'always' WHERE id = {}",
        c.id
    ))
    .await;
    let manager = app.with_manager(&c, "Mo Manager", "mo@alliance.org").await;
    let Staff {
        id: rev,
        browser: reviewer,
    } = app
        .with_reviewer(&c, "Rae Reviewer", "rae@faculty.org")
        .await;
    let Staff {
        id: rev2,
        browser: second,
    } = app.with_reviewer(&c, "Ray Second", "ray@faculty.org").await;
    let name = "Zenobia Quarrington";
    let email = "zenobia.q@student.edu";
    let institution = "Marlowe Institute of Nursing";
    let a = app
        .submitted_application(&c)
        .by(name, email)
        .from(institution)
        .await;
    let owner = UserId(
        app.count(&format!(
            "SELECT applicant_id FROM applications WHERE id = {a}"
        ))
        .await,
    );
    let doc = attach_cv(&app, a, owner, pdf_by(name), &format!("{name} CV.pdf")).await;
    // Demographics are stored apart and must never reach a reviewer.
    let mut conn = app.pool().conn().await.unwrap();
    profiles::put_demographics(
        conn.exec(),
        owner,
        r#"{"race_ethnicity":["Pacific Islander descent marker"]}"#,
        app.clock.now(),
    )
    .await
    .unwrap();
    drop(conn);
    mark_eligible(&manager, a).await;
    assign(&manager, a, rev).await;
    assign(&manager, a, rev2).await;
    // The second reviewer submits, so the first can see another review;
    // then a third, whose name comes first in the alphabet.
    let page = post_review(&second, a, &review_fields(&c, "4", "submit")).await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    let Staff {
        id: rev3,
        browser: third,
    } = app
        .with_reviewer(&c, "Aaron First", "aaron@faculty.org")
        .await;
    assign(&manager, a, rev3).await;
    let mut later = review_fields(&c, "2", "submit");
    for (k, v) in &mut later {
        if k == "overall_comment" {
            *v = "This review arrived second.".into();
        }
    }
    assert_eq!(
        post_review(&third, a, &later).await.status,
        Status::SeeOther
    );
    // A referee whose relationship names the applicant and her school.
    let now = app.clock.now();
    app.sql(&format!(
        "INSERT INTO referee_requests (application_id, question_key, position, name, email, relationship, waived, \
         token_hash, token_expires_at, status, requested_at) VALUES ({a}, 'referees', 1, 'Dr. Quill', \
         'quill@clinic.org', 'Zenobia''s aunt, and her teacher at Marlowe', TRUE, 'blind-hash', '{}', 'requested', '{}')",
        (now + chrono::Duration::days(30)).to_rfc3339(),
        now.to_rfc3339()
    ))
    .await;

    let secrets = [
        name,
        "Zenobia",
        "Quarrington",
        email,
        institution,
        "Marlowe",
        "Pacific Islander descent marker",
    ];
    let check = |what: &str, text: &str| {
        for s in secrets {
            assert!(
                !text.to_lowercase().contains(&s.to_lowercase()),
                "{what} shows {s:?}:\n{text}"
            );
        }
    };
    for path in ["/review".to_owned(), format!("/review/applications/{a}")] {
        let page = reviewer.get(&path).await;
        assert_eq!(page.status, Status::Ok, "{path}");
        check(&path, &page.body);
    }
    // The other reviews are numbered in the order they came in, not by
    // their reviewers' names.
    let page = reviewer.get(&format!("/review/applications/{a}")).await;
    let at = |text: &str| {
        page.body
            .find(text)
            .unwrap_or_else(|| panic!("{text:?} in the page"))
    };
    assert!(at("Reviewer 1") < at("Clear plans, strong community ties."));
    assert!(at("Clear plans, strong community ties.") < at("Reviewer 2"));
    assert!(at("Reviewer 2") < at("This review arrived second."));
    page.assert_contains("Referee 1");
    // A refused save shows the page again: still blind.
    let page = post_review(
        &reviewer,
        a,
        &[
            ("score[nonsense]".into(), "3".into()),
            ("action".into(), "save".into()),
        ],
    )
    .await;
    assert_eq!(page.status, Status::UnprocessableEntity);
    check("the refused save", &page.body);
    // The document: renamed after its question, metadata removed.
    let r = reviewer
        .client
        .get(format!("/review/applications/{a}/documents/{doc}"))
        .dispatch()
        .await;
    assert_eq!(r.status(), Status::Ok);
    let disposition = r
        .headers()
        .get_one("Content-Disposition")
        .unwrap()
        .to_owned();
    check("the file name", &disposition);
    assert!(disposition.contains("CV or r"), "{disposition}");
    let bytes = r.into_bytes().await.unwrap();
    check("the document", &String::from_utf8_lossy(&bytes));
    assert!(bytes.starts_with(b"%PDF"));
    assert!(String::from_utf8_lossy(&bytes).contains("Community health work"));
    // A photo in its place: its EXIF and comment named the applicant.
    let segment = |marker: u8, payload: &[u8]| {
        let mut out = vec![0xFF, marker];
        out.extend_from_slice(&u16::try_from(payload.len() + 2).unwrap().to_be_bytes());
        out.extend_from_slice(payload);
        out
    };
    let picture = [
        segment(0xC0, &[8, 0, 1, 0, 1, 1, 1, 0x11, 0]),
        segment(0xDA, &[1, 1, 0, 0, 63, 0]),
        vec![0x12, 0xFF, 0x00, 0x34],
    ]
    .concat();
    let photo = [
        vec![0xFF, 0xD8],
        segment(
            0xE1,
            format!("Exif\0\0II*\0\x08\0\0\0\0\0Artist {name}").as_bytes(),
        ),
        segment(0xFE, format!("{name}, {institution}").as_bytes()),
        picture.clone(),
        vec![0xFF, 0xD9],
    ]
    .concat();
    let stored = app
        .storage()
        .put(std::io::Cursor::new(photo.clone()))
        .await
        .unwrap();
    app.sql(&format!(
        "UPDATE documents SET storage_key = '{}', content_type = 'image/jpeg', size_bytes = {}, sha256 = '{}' WHERE id = {doc}",
        stored.key, stored.size, stored.sha256
    ))
    .await;
    let r = reviewer
        .client
        .get(format!("/review/applications/{a}/documents/{doc}"))
        .dispatch()
        .await;
    assert_eq!(r.status(), Status::Ok);
    assert_eq!(r.content_type(), Some(rocket::http::ContentType::JPEG));
    let bytes = r.into_bytes().await.unwrap();
    check("the photo", &String::from_utf8_lossy(&bytes));
    assert_eq!(
        bytes,
        [vec![0xFF, 0xD8], picture, vec![0xFF, 0xD9]].concat()
    );
    // Mail to reviewers names no applicant either.
    for to in ["rae@faculty.org", "ray@faculty.org"] {
        let m = app.last_mail(to, "review_assigned").await;
        check(
            "the digest",
            &format!("{}{}{}", m.subject, m.text_body, m.html_body),
        );
    }
    app.advance_past(past_due());
    fellowship_portal::jobs::reminders::remind_reviewers(&app.ctx())
        .await
        .unwrap();
    let m = app.last_mail("rae@faculty.org", "review_reminder").await;
    check(
        "the reminder",
        &format!("{}{}{}", m.subject, m.text_body, m.html_body),
    );
    // The downloads are logged as a reviewer's.
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM document_views WHERE document_id = {doc} AND viewer_role = 'reviewer'")).await, 2);
    // Outside a blind cycle the same reviewer sees the name.
    app.sql(&format!(
        "UPDATE cycles SET blind_review = FALSE WHERE id = {}",
        c.id
    ))
    .await;
    // Logged out meanwhile, idle: back in.
    reviewer.login("rae@faculty.org", PASSWORD).await;
    reviewer
        .get(&format!("/review/applications/{a}"))
        .await
        .assert_contains(name);
}
