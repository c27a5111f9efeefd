//! The review workflow: screening, assignment (manual and automatic),
//! conflicts, the reviewer's area with blind review, scoring, reminders,
//! the ranking's figures against the pure aggregation, and who may reach
//! what.

use fellowship_portal::db::{documents, profiles};
use fellowship_portal::domain::role::ProgramRole;
use fellowship_portal::domain::workflow::rubric::Rubric;
use fellowship_portal::domain::workflow::scoring::{aggregate, SubmittedReview};
use rocket::http::Status;

use crate::fixtures::{
    assign, health_justice, mark_eligible, post_review, review_fields, set_institution, staff,
    submitted, DUE,
};
use crate::helpers::{spawn, TestApp, PASSWORD};

#[rocket::async_test]
async fn screening_moves_to_review_or_records_a_reason() {
    let app = spawn().await;
    let c = health_justice(&app).await;
    let (_, manager) = staff(
        &app,
        "Mo Manager",
        "mo@alliance.org",
        c.program,
        ProgramRole::Manager,
    )
    .await;
    let a = submitted(
        &app,
        c.id,
        "Ana Applicant",
        "ana@student.edu",
        "Lakeside University",
    )
    .await;
    let b = submitted(
        &app,
        c.id,
        "Ben Applicant",
        "ben@student.edu",
        "Hill College",
    )
    .await;

    mark_eligible(&manager, a).await;
    // Ineligible without a reason: refused with words, nothing changed.
    let page = manager
        .post(
            &format!("/manage/applications/{b}/screen"),
            &[("outcome", "ineligible")],
        )
        .await;
    assert_eq!(page.status, Status::SeeOther);
    manager
        .get(&format!("/manage/applications/{b}"))
        .await
        .assert_contains("Choose why the application is ineligible.");
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM applications WHERE id = {b} AND stage = 'submitted'"
        ))
        .await,
        1
    );
    let page = manager
        .post(
            &format!("/manage/applications/{b}/screen"),
            &[
                ("outcome", "ineligible"),
                ("reason", "not_enrolled"),
                ("note", "Graduated in 2019."),
                ("share", "true"),
            ],
        )
        .await;
    assert_eq!(page.status, Status::SeeOther);
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM applications WHERE id = {a} AND stage = 'review'"
        ))
        .await,
        1
    );
    assert_eq!(
        app.count(&format!("SELECT COUNT(*) FROM applications WHERE id = {b} AND stage = 'ineligible' AND screening_reason = 'not_enrolled' AND screening_reason_shared = TRUE")).await,
        1
    );
    // Each move is an event, and the last event is the stage.
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM application_events WHERE application_id = {b} AND to_stage = 'ineligible' AND note = 'Graduated in 2019.'")).await, 1);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'application.screen'")
            .await,
        2
    );
    // A move the stage does not allow: a clear message, nothing changed.
    let page = manager
        .post(
            &format!("/manage/applications/{b}/move"),
            &[("move", "send_to_committee")],
        )
        .await;
    assert_eq!(page.status, Status::SeeOther);
    manager
        .get(&format!("/manage/applications/{b}"))
        .await
        .assert_contains(
            "This application cannot be sent to the committee now: it is marked ineligible.",
        );
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM application_events WHERE application_id = {b}"
        ))
        .await,
        3
    );
}

#[rocket::async_test]
async fn automatic_assignment_is_previewed_balanced_and_never_conflicted() {
    let app = spawn().await;
    let c = health_justice(&app).await;
    let (_, manager) = staff(
        &app,
        "Mo Manager",
        "mo@alliance.org",
        c.program,
        ProgramRole::Manager,
    )
    .await;
    let mut reviewers = Vec::new();
    for (n, inst) in [
        "Lakeside University",
        "Hill College",
        "River Institute",
        "Bay School of Public Health",
    ]
    .iter()
    .enumerate()
    {
        let (id, _) = staff(
            &app,
            &format!("Rev {n}"),
            &format!("rev{n}@faculty.org"),
            c.program,
            ProgramRole::Reviewer,
        )
        .await;
        set_institution(&app, id, inst).await;
        reviewers.push(id);
    }
    let mut apps = Vec::new();
    for n in 0..6 {
        // Two applicants study at Lakeside, where reviewer 0 teaches.
        let inst = if n < 2 {
            "Lakeside University"
        } else {
            "Elsewhere College"
        };
        let id = submitted(
            &app,
            c.id,
            &format!("Applicant {n}"),
            &format!("a{n}@mail.example"),
            inst,
        )
        .await;
        mark_eligible(&manager, id).await;
        apps.push(id);
    }
    // The preview stores nothing.
    let page = manager
        .get(&format!("/manage/cycles/{}/assign?due={DUE}", c.id))
        .await;
    page.assert_contains("New assignments: 18.");
    assert_eq!(app.count("SELECT COUNT(*) FROM assignments").await, 0);
    let fingerprint = {
        let at = page.body.find("name=\"fingerprint\" value=\"").unwrap() + 26;
        page.body[at..at + 16].to_owned()
    };
    // A stale preview applies nothing.
    let page = manager
        .post(
            &format!("/manage/cycles/{}/assign", c.id),
            &[("due", DUE), ("fingerprint", "0000000000000000")],
        )
        .await;
    assert_eq!(page.status, Status::SeeOther);
    assert_eq!(app.count("SELECT COUNT(*) FROM assignments").await, 0);
    let page = manager
        .post(
            &format!("/manage/cycles/{}/assign", c.id),
            &[("due", DUE), ("fingerprint", &fingerprint)],
        )
        .await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    // K = 3 each, never reviewer 0 on a Lakeside applicant, loads level.
    for a in &apps {
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) FROM assignments WHERE application_id = {a}"
            ))
            .await,
            3
        );
    }
    for a in &apps[..2] {
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) FROM assignments WHERE application_id = {a} AND reviewer_id = {}",
                reviewers[0]
            ))
            .await,
            0
        );
    }
    let loads: Vec<i64> = {
        let mut v = Vec::new();
        for r in &reviewers {
            v.push(
                app.count(&format!(
                    "SELECT COUNT(*) FROM assignments WHERE reviewer_id = {r}"
                ))
                .await,
            );
        }
        v
    };
    assert!(
        loads.iter().max().unwrap() - loads.iter().min().unwrap() <= 1,
        "{loads:?}"
    );
    // One digest per reviewer, naming no applicant.
    for (n, r) in reviewers.iter().enumerate() {
        let digests = app.count(&format!("SELECT COUNT(*) FROM outbox WHERE kind = 'review_assigned' AND recipient = 'rev{n}@faculty.org'")).await;
        assert_eq!(digests, 1, "reviewer {r}");
        let mail = app
            .last_mail(&format!("rev{n}@faculty.org"), "review_assigned")
            .await;
        assert!(!mail.text_body.contains("Applicant "), "{}", mail.text_body);
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'assignment.add'")
            .await,
        18
    );
    // Running it again finds nothing to do.
    manager
        .get(&format!("/manage/cycles/{}/assign?due={DUE}", c.id))
        .await
        .assert_contains("New assignments: 0.");
}

#[rocket::async_test]
async fn reviewers_reach_only_what_is_assigned_and_unconflicted() {
    let app = spawn().await;
    let c = health_justice(&app).await;
    let (_, manager) = staff(
        &app,
        "Mo Manager",
        "mo@alliance.org",
        c.program,
        ProgramRole::Manager,
    )
    .await;
    let (rev, reviewer) = staff(
        &app,
        "Rae Reviewer",
        "rae@faculty.org",
        c.program,
        ProgramRole::Reviewer,
    )
    .await;
    let a = submitted(
        &app,
        c.id,
        "Ana Applicant",
        "ana@student.edu",
        "Lakeside University",
    )
    .await;
    let b = submitted(
        &app,
        c.id,
        "Ben Applicant",
        "ben@student.edu",
        "Hill College",
    )
    .await;
    mark_eligible(&manager, a).await;
    mark_eligible(&manager, b).await;
    assign(&manager, a, rev).await;

    assert_eq!(
        reviewer
            .get(&format!("/review/applications/{a}"))
            .await
            .status,
        Status::Ok
    );
    assert_eq!(
        reviewer
            .get(&format!("/review/applications/{b}"))
            .await
            .status,
        Status::NotFound
    );
    // Declaring a conflict: off the application, the managers told, and 404 after.
    let page = reviewer
        .post(
            &format!("/review/applications/{a}/conflict"),
            &[("reason", "I supervised her thesis.")],
        )
        .await;
    assert_eq!(page.status, Status::SeeOther);
    assert_eq!(
        reviewer
            .get(&format!("/review/applications/{a}"))
            .await
            .status,
        Status::NotFound
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM assignments").await, 0);
    let told = app.last_mail("mo@alliance.org", "conflict_declared").await;
    assert!(told.text_body.contains("I supervised her thesis."));
    // A conflicted reviewer cannot be assigned again, by hand either.
    let page = manager
        .post(
            &format!("/manage/applications/{a}/assign"),
            &[("reviewer", &rev.to_string()), ("due", DUE)],
        )
        .await;
    assert_eq!(page.status, Status::SeeOther);
    assert_eq!(app.count("SELECT COUNT(*) FROM assignments").await, 0);
    // Same institution (by email domain here) is detected too.
    let (rev2, _) = staff(
        &app,
        "Sam Student-Dean",
        "sam@student.edu",
        c.program,
        ProgramRole::Reviewer,
    )
    .await;
    manager
        .post(
            &format!("/manage/applications/{b}/assign"),
            &[("reviewer", &rev2.to_string()), ("due", DUE)],
        )
        .await;
    manager
        .get(&format!("/manage/applications/{b}"))
        .await
        .assert_contains("is at the applicant&#x27;s institution");
    assert_eq!(app.count("SELECT COUNT(*) FROM assignments").await, 0);
}

#[rocket::async_test]
async fn a_reviewer_whose_role_is_revoked_no_longer_sees_that_programs_assignments() {
    let app = spawn().await;
    let c = health_justice(&app).await;
    let (_, manager) = staff(
        &app,
        "Mo Manager",
        "mo@alliance.org",
        c.program,
        ProgramRole::Manager,
    )
    .await;
    let (rev, reviewer) = staff(
        &app,
        "Rae Reviewer",
        "rae@faculty.org",
        c.program,
        ProgramRole::Reviewer,
    )
    .await;
    // Rae keeps reviewing for the internship, so /review stays open to her.
    let summer = app
        .count("SELECT id FROM programs WHERE slug = 'summer-internship'")
        .await;
    let mut conn = app.pool().conn().await.unwrap();
    fellowship_portal::db::roles::grant(
        conn.exec(),
        rev,
        summer,
        ProgramRole::Reviewer,
        rev,
        chrono::Utc::now(),
    )
    .await
    .unwrap();
    drop(conn);
    let a = submitted(
        &app,
        c.id,
        "Ana Applicant",
        "ana@student.edu",
        "Lakeside University",
    )
    .await;
    mark_eligible(&manager, a).await;
    assign(&manager, a, rev).await;
    let link = format!(r#"href="/review/applications/{a}""#);
    reviewer
        .get("/review")
        .await
        .assert_contains(&link)
        .assert_contains("1 still to submit");

    let admin = app.admin_browser("ada@alliance.org").await;
    let page = admin
        .post(
            &format!("/admin/users/{rev}/revoke"),
            &[
                ("program", &c.program.to_string()),
                ("role", "reviewer"),
                ("back", "/admin/users"),
            ],
        )
        .await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);

    let dashboard = reviewer.get("/review").await;
    assert_eq!(dashboard.status, Status::Ok);
    dashboard
        .assert_lacks(&link)
        .assert_lacks("Health Justice Fellowship")
        .assert_contains("0 still to submit")
        .assert_contains("Nothing is assigned to you yet.");
    assert_eq!(
        reviewer
            .get(&format!("/review/applications/{a}"))
            .await
            .status,
        Status::NotFound
    );
    // The assignment stays on the record for the program team.
    assert_eq!(app.count("SELECT COUNT(*) FROM assignments").await, 1);
}

#[rocket::async_test]
async fn applicants_and_other_programs_managers_are_kept_out() {
    let app = spawn().await;
    let c = health_justice(&app).await;
    let (_, manager) = staff(
        &app,
        "Mo Manager",
        "mo@alliance.org",
        c.program,
        ProgramRole::Manager,
    )
    .await;
    let other_program = app
        .count("SELECT id FROM programs WHERE slug = 'voices-for-change'")
        .await;
    let (_, stranger) = staff(
        &app,
        "Val Voices",
        "val@alliance.org",
        other_program,
        ProgramRole::Manager,
    )
    .await;
    let a = submitted(
        &app,
        c.id,
        "Ana Applicant",
        "ana@student.edu",
        "Lakeside University",
    )
    .await;
    mark_eligible(&manager, a).await;
    let applicant = app.another_browser().await;
    app.new_user("Ann Other", "ann@student.edu").await;
    applicant.login("ann@student.edu", PASSWORD).await;
    let cycle = c.id;
    let pages = [
        "/review".to_owned(),
        format!("/review/applications/{a}"),
        format!("/manage/cycles/{cycle}/applications"),
        format!("/manage/cycles/{cycle}/ranking"),
        format!("/manage/cycles/{cycle}/assign"),
        format!("/manage/cycles/{cycle}/reviewers"),
        format!("/manage/cycles/{cycle}/settings"),
        format!("/manage/applications/{a}"),
    ];
    for p in &pages {
        assert_eq!(applicant.get(p).await.status, Status::Forbidden, "{p}");
    }
    // Another program's manager: "Page not found", as for an id that does
    // not exist, so ids cannot be probed.
    for p in &pages[2..] {
        assert_eq!(stranger.get(p).await.status, Status::NotFound, "{p}");
    }
    // Nor can they change anything.
    let page = stranger
        .post(
            &format!("/manage/applications/{a}/move"),
            &[("move", "send_to_committee")],
        )
        .await;
    assert_eq!(page.status, Status::NotFound);
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM applications WHERE id = {a} AND stage = 'review'"
        ))
        .await,
        1
    );
}

/// A PDF whose document information names `author` (classic xref).
fn pdf_by(author: &str) -> Vec<u8> {
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>".to_owned(),
        {
            let text = "BT /F1 12 Tf 72 720 Td (Community health work) Tj ET";
            format!("<< /Length {} >>\nstream\n{text}\nendstream", text.len())
        },
        format!("<< /Author ({author}) /Title (CV of {author}) >>"),
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (n, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", n + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R /Info 5 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

/// Stores `bytes` as a CV of `owner` and attaches it to `application`
/// (as the applicant's upload would be); returns the document id.
pub(crate) async fn attach_cv(
    app: &TestApp,
    application: i64,
    owner: i64,
    bytes: Vec<u8>,
    name: &str,
) -> i64 {
    let stored = app
        .storage()
        .put(std::io::Cursor::new(bytes))
        .await
        .unwrap();
    let mut tx = app.pool().begin().await.unwrap();
    let now = chrono::Utc::now();
    let id = documents::insert(
        tx.exec(),
        &documents::NewDocument {
            owner: Some(owner),
            kind: "upload",
            storage_key: &stored.key,
            original_name: name,
            content_type: "application/pdf",
            size_bytes: stored.size as i64,
            sha256: &stored.sha256,
        },
        now,
    )
    .await
    .unwrap();
    documents::attach(tx.exec(), application, "cv", id, now)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    id
}

#[rocket::async_test]
async fn a_blind_cycle_never_shows_a_reviewer_who_applied() {
    let app = spawn().await;
    let c = health_justice(&app).await;
    app.sql(&format!(
        "UPDATE cycles SET blind_review = TRUE, show_other_reviews = 'always' WHERE id = {}",
        c.id
    ))
    .await;
    let (_, manager) = staff(
        &app,
        "Mo Manager",
        "mo@alliance.org",
        c.program,
        ProgramRole::Manager,
    )
    .await;
    let (rev, reviewer) = staff(
        &app,
        "Rae Reviewer",
        "rae@faculty.org",
        c.program,
        ProgramRole::Reviewer,
    )
    .await;
    let (rev2, second) = staff(
        &app,
        "Ray Second",
        "ray@faculty.org",
        c.program,
        ProgramRole::Reviewer,
    )
    .await;
    let name = "Zenobia Quarrington";
    let email = "zenobia.q@student.edu";
    let institution = "Marlowe Institute of Nursing";
    let a = submitted(&app, c.id, name, email, institution).await;
    let owner = app
        .count(&format!(
            "SELECT applicant_id FROM applications WHERE id = {a}"
        ))
        .await;
    let doc = attach_cv(&app, a, owner, pdf_by(name), &format!("{name} CV.pdf")).await;
    // Demographics are stored apart and must never reach a reviewer.
    let mut conn = app.pool().conn().await.unwrap();
    profiles::put_demographics(
        conn.exec(),
        owner,
        r#"{"race_ethnicity":["Pacific Islander descent marker"]}"#,
        chrono::Utc::now(),
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
    let (rev3, third) = staff(
        &app,
        "Aaron First",
        "aaron@faculty.org",
        c.program,
        ProgramRole::Reviewer,
    )
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
    let now = chrono::Utc::now();
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
    app.sql(&format!(
        "UPDATE assignments SET due_at = '2000-01-01T00:00:00+00:00' WHERE reviewer_id = {rev}"
    ))
    .await;
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
    reviewer
        .get(&format!("/review/applications/{a}"))
        .await
        .assert_contains(name);
}

#[rocket::async_test]
async fn bad_review_input_is_refused_in_words_and_nothing_changes() {
    let app = spawn().await;
    let c = health_justice(&app).await;
    let (_, manager) = staff(
        &app,
        "Mo Manager",
        "mo@alliance.org",
        c.program,
        ProgramRole::Manager,
    )
    .await;
    let (rev, reviewer) = staff(
        &app,
        "Rae Reviewer",
        "rae@faculty.org",
        c.program,
        ProgramRole::Reviewer,
    )
    .await;
    let a = submitted(
        &app,
        c.id,
        "Ana Applicant",
        "ana@student.edu",
        "Lakeside University",
    )
    .await;
    mark_eligible(&manager, a).await;
    assign(&manager, a, rev).await;
    let first = &c.criteria[0];

    // An unknown criterion key: the whole save refused.
    let page = post_review(
        &reviewer,
        a,
        &[
            ("score[charisma]".into(), "5".into()),
            ("action".into(), "save".into()),
        ],
    )
    .await;
    assert_eq!(page.status, Status::UnprocessableEntity);
    page.assert_contains("There is no criterion &quot;charisma&quot; in this cycle&#x27;s rubric");
    assert_eq!(app.count("SELECT COUNT(*) FROM reviews").await, 0);
    // A score outside the scale.
    let mut fields = review_fields(&c, "4", "submit");
    fields[0].1 = "9".into();
    let page = post_review(&reviewer, a, &fields).await;
    assert_eq!(page.status, Status::UnprocessableEntity);
    page.assert_contains("Choose a score from 1 to 5 for");
    assert_eq!(app.count("SELECT COUNT(*) FROM reviews").await, 0);
    // An over-long comment: shown next to its field, nothing stored.
    let mut fields = review_fields(&c, "4", "save");
    fields.push((format!("comment[{first}]"), "x".repeat(10_001)));
    let page = post_review(&reviewer, a, &fields).await;
    assert_eq!(page.status, Status::UnprocessableEntity);
    page.assert_contains(&format!("id=\"comment-{first}-error\""))
        .assert_contains("Shorten this comment to 10000 characters or fewer.");
    assert_eq!(app.count("SELECT COUNT(*) FROM reviews").await, 0);
    // A draft may be partial; submitting needs every criterion.
    let page = post_review(
        &reviewer,
        a,
        &[
            (format!("score[{first}]"), "3".into()),
            ("action".into(), "save".into()),
        ],
    )
    .await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM reviews WHERE state = 'draft'")
            .await,
        1
    );
    let mut fields = review_fields(&c, "4", "submit");
    fields.remove(1);
    let page = post_review(&reviewer, a, &fields).await;
    assert_eq!(page.status, Status::UnprocessableEntity);
    page.assert_contains("Give a score for");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM reviews WHERE state = 'draft'")
            .await,
        1
    );
    // Submitting works once; the second time changes nothing.
    let page = post_review(&reviewer, a, &review_fields(&c, "4", "submit")).await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    let page = post_review(&reviewer, a, &review_fields(&c, "1", "submit")).await;
    assert_eq!(page.status, Status::UnprocessableEntity);
    page.assert_contains("This review is already submitted, so it was not changed.");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM reviews WHERE state = 'submitted' AND score_total = 75")
            .await,
        1
    );
    // A manager reopens it (recorded); the reviewer can change it again.
    let rid = app.count("SELECT id FROM reviews").await;
    let page = manager
        .post(
            &format!("/manage/reviews/{rid}/reopen"),
            &[("reason", "Scored the wrong file.")],
        )
        .await;
    assert_eq!(page.status, Status::SeeOther);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'review.reopen'")
            .await,
        1
    );
    let page = post_review(&reviewer, a, &review_fields(&c, "5", "submit")).await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM reviews WHERE state = 'submitted' AND score_total = 100")
            .await,
        1
    );
    // Reviewers cannot make stage moves at all.
    let page = reviewer
        .post(
            &format!("/manage/applications/{a}/move"),
            &[("move", "send_to_committee")],
        )
        .await;
    assert_eq!(page.status, Status::Forbidden);
}

#[rocket::async_test]
async fn two_reviewers_submitting_at_once_are_both_kept() {
    let app = spawn().await;
    let c = health_justice(&app).await;
    let (_, manager) = staff(
        &app,
        "Mo Manager",
        "mo@alliance.org",
        c.program,
        ProgramRole::Manager,
    )
    .await;
    let (r1, one) = staff(
        &app,
        "Rae Reviewer",
        "rae@faculty.org",
        c.program,
        ProgramRole::Reviewer,
    )
    .await;
    let (r2, two) = staff(
        &app,
        "Ray Reviewer",
        "ray@faculty.org",
        c.program,
        ProgramRole::Reviewer,
    )
    .await;
    let a = submitted(
        &app,
        c.id,
        "Ana Applicant",
        "ana@student.edu",
        "Lakeside University",
    )
    .await;
    mark_eligible(&manager, a).await;
    assign(&manager, a, r1).await;
    assign(&manager, a, r2).await;
    let f1 = review_fields(&c, "2", "submit");
    let f2 = review_fields(&c, "5", "submit");
    let (p1, p2) = tokio::join!(post_review(&one, a, &f1), post_review(&two, a, &f2));
    assert_eq!(p1.status, Status::SeeOther, "{}", p1.body);
    assert_eq!(p2.status, Status::SeeOther, "{}", p2.body);
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM reviews WHERE application_id = {a} AND state = 'submitted'"
        ))
        .await,
        2
    );
    // The manager sees both, and the disagreement flag (25 vs 100: sd 37.5 > 15).
    let page = manager.get(&format!("/manage/applications/{a}")).await;
    page.assert_contains("Reviewers disagree")
        .assert_contains("62.5 of 100");
}

#[rocket::async_test]
async fn the_ranking_in_sql_agrees_with_the_pure_aggregation() {
    let app = spawn().await;
    let c = health_justice(&app).await;
    let (_, manager) = staff(
        &app,
        "Mo Manager",
        "mo@alliance.org",
        c.program,
        ProgramRole::Manager,
    )
    .await;
    let mut reviewers = Vec::new();
    for n in 0..3 {
        reviewers.push(
            staff(
                &app,
                &format!("Rev {n}"),
                &format!("rev{n}@faculty.org"),
                c.program,
                ProgramRole::Reviewer,
            )
            .await,
        );
    }
    let mut apps = Vec::new();
    for n in 0..5 {
        let id = submitted(
            &app,
            c.id,
            &format!("Applicant {n}"),
            &format!("a{n}@mail.example"),
            "Somewhere",
        )
        .await;
        mark_eligible(&manager, id).await;
        apps.push(id);
    }
    // Reviewer 0 is harsh, 1 lenient; 2 reviews only two (raw totals).
    let scores = |r: usize, a: usize| -> String { (((a + r * 2) % 5) + 1).to_string() };
    for (r, (rid, b)) in reviewers.iter().enumerate() {
        for (n, a) in apps.iter().enumerate() {
            if r == 2 && n >= 2 {
                continue;
            }
            assign(&manager, *a, *rid).await;
            let mut f = review_fields(&c, &scores(r, n), "submit");
            // Vary one criterion so totals differ from means.
            f[1].1 = scores(r, n + 1);
            if c.criteria.len() > 2 {
                f[2].1 = "na".into();
            }
            let page = post_review(b, *a, &f).await;
            // A criterion without "not applicable" refuses it: score it instead.
            if page.status == Status::UnprocessableEntity {
                f[2].1 = "3".into();
                let page = post_review(b, *a, &f).await;
                assert_eq!(page.status, Status::SeeOther, "{}", page.body);
            }
        }
    }
    let mut conn = app.pool().conn().await.unwrap();
    let setup = fellowship_portal::db::cycles::review_setup(conn.exec(), c.id)
        .await
        .unwrap()
        .unwrap();
    let stored = fellowship_portal::db::reviews::submitted_of(conn.exec(), &apps)
        .await
        .unwrap();
    let reviews: Vec<SubmittedReview> = stored
        .iter()
        .map(|r| SubmittedReview {
            application: r.application_id,
            reviewer: r.reviewer_id,
            scores: serde_json::from_str(&r.scores_json).unwrap(),
            total: r.score_total,
            mean: r.score_mean,
        })
        .collect();
    let rubric: &Rubric = &setup.rubric;
    let expected = aggregate(rubric, setup.settings.disagreement_threshold, &reviews);
    let scale = fellowship_portal::db::reviews::cycle_scale(conn.exec(), c.id)
        .await
        .unwrap();
    let (rows, total) = fellowship_portal::db::reviews::ranking(
        conn.exec(),
        c.id,
        0,
        fellowship_portal::db::reviews::RankBy::Normalised,
        false,
        &scale,
        0,
        50,
    )
    .await
    .unwrap();
    assert_eq!(total, 5);
    let close = |a: f64, b: f64| (a - b).abs() < 1e-6;
    let mut last = f64::INFINITY;
    for r in &rows {
        let e = &expected[&r.id];
        assert_eq!(r.reviewed as usize, e.review_count);
        assert!(
            close(r.mean.unwrap(), e.mean),
            "mean {} vs {}",
            r.mean.unwrap(),
            e.mean
        );
        assert!(close(r.total.unwrap(), e.weighted_total));
        assert!(close(r.spread.unwrap(), e.range));
        assert!(close(r.variance.unwrap().max(0.0).sqrt(), e.sd));
        assert!(
            close(r.normalised.unwrap(), e.normalised),
            "normalised {} vs {}",
            r.normalised.unwrap(),
            e.normalised
        );
        assert!(r.normalised.unwrap() <= last + 1e-9, "sorted highest first");
        last = r.normalised.unwrap();
    }
    // And the page shows them.
    let page = manager
        .get(&format!(
            "/manage/cycles/{}/ranking?sort=total&dir=desc",
            c.id
        ))
        .await;
    assert_eq!(page.status, Status::Ok);
    page.assert_contains(&format!("{:.1}", expected[&rows[0].id].weighted_total));
}

#[rocket::async_test]
async fn the_pipeline_filters_searches_and_pages_in_sql() {
    let app = spawn().await;
    let c = health_justice(&app).await;
    let (_, manager) = staff(
        &app,
        "Mo Manager",
        "mo@alliance.org",
        c.program,
        ProgramRole::Manager,
    )
    .await;
    let (rev, _) = staff(
        &app,
        "Rae Reviewer",
        "rae@faculty.org",
        c.program,
        ProgramRole::Reviewer,
    )
    .await;
    let mut ids = Vec::new();
    for n in 0..55 {
        ids.push(
            submitted(
                &app,
                c.id,
                &format!("Person {n:02}"),
                &format!("p{n}@mail.example"),
                if n == 7 {
                    "Quillfeather College"
                } else {
                    "Common University"
                },
            )
            .await,
        );
    }
    let list = format!("/manage/cycles/{}/applications", c.id);
    let page = manager.get(&list).await;
    page.assert_contains("Matching applications: 55.")
        .assert_contains("Page 1 of 2");
    let page = manager.get(&format!("{list}?page=2")).await;
    page.assert_contains("Page 2 of 2")
        .assert_contains(r#"rel="prev">Previous page</a>"#)
        .assert_lacks("Next page");
    let page = manager
        .get(&format!("{list}?page=9223372036854775807"))
        .await;
    assert_eq!(page.status, Status::Ok);
    page.assert_contains("Matching applications: 55.")
        .assert_lacks("Person 07");
    // Search by institution, any case.
    let page = manager.get(&format!("{list}?q=quillFEATHER")).await;
    page.assert_contains("Matching applications: 1.")
        .assert_contains("Person 07");
    // A wildcard in the search is taken literally.
    manager
        .get(&format!("{list}?q=%25"))
        .await
        .assert_contains("Matching applications: 0.");
    // Bulk: mark three eligible, then assign the reviewer to two of them.
    let three: Vec<String> = ids[..3].iter().map(i64::to_string).collect();
    let mut fields: Vec<(&str, &str)> = three.iter().map(|i| ("ids", i.as_str())).collect();
    fields.push(("action", "mark_eligible"));
    let page = manager.post(&format!("{list}/bulk"), &fields).await;
    assert_eq!(page.status, Status::SeeOther);
    manager
        .get(&format!("{list}?stage=review"))
        .await
        .assert_contains("Matching applications: 3.");
    let rev_s = rev.to_string();
    let fields = [
        ("ids", three[0].as_str()),
        ("ids", three[1].as_str()),
        ("ids", &*ids[10].to_string()),
        ("action", "assign"),
        ("reviewer", &rev_s),
        ("due", DUE),
    ];
    manager.post(&format!("{list}/bulk"), &fields).await;
    // The one not in review is named and left alone.
    manager
        .get(&list)
        .await
        .assert_contains(&format!("#{} is not in review", ids[10]));
    assert_eq!(app.count("SELECT COUNT(*) FROM assignments").await, 2);
    manager
        .get(&format!("{list}?reviewer={rev}"))
        .await
        .assert_contains("Matching applications: 2.");
    manager
        .get(&format!("{list}?progress=unassigned&stage=review"))
        .await
        .assert_contains("Matching applications: 1.");
    manager
        .get(&format!("{list}?progress=in_progress"))
        .await
        .assert_contains("Matching applications: 2.");
    manager
        .get(&format!("{list}?progress=complete"))
        .await
        .assert_contains("Matching applications: 0.");
    // One digest for the batch of two.
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE kind = 'review_assigned'")
            .await,
        1
    );
    // Overdue: flagged, and reminders go out once a day however often asked.
    app.sql("UPDATE assignments SET due_at = '2000-01-01T00:00:00+00:00'")
        .await;
    manager
        .get(&format!("{list}?flag=overdue"))
        .await
        .assert_contains("Matching applications: 2.");
    let remind = format!("/manage/cycles/{}/remind", c.id);
    manager.post(&remind, &[]).await;
    manager.post(&remind, &[]).await;
    fellowship_portal::jobs::reminders::remind_reviewers(&app.ctx())
        .await
        .unwrap();
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE kind = 'review_reminder'")
            .await,
        1
    );
    manager
        .get(&format!("/manage/cycles/{}/reviewers", c.id))
        .await
        .assert_contains("Remind all overdue reviewers");
}

#[rocket::async_test]
async fn the_applicant_sees_a_screening_reason_only_when_shared_and_released() {
    let app = spawn().await;
    let c = health_justice(&app).await;
    let (_, manager) = staff(
        &app,
        "Mo Manager",
        "mo@alliance.org",
        c.program,
        ProgramRole::Manager,
    )
    .await;
    // The main browser is the applicant; the application is stored for them.
    let me = app.logged_in_user("Ana Applicant", "ana@student.edu").await;
    let a = submitted(
        &app,
        c.id,
        "Placeholder",
        "placeholder@student.edu",
        "Lakeside University",
    )
    .await;
    app.sql(&format!(
        "UPDATE applications SET applicant_id = {me} WHERE id = {a}"
    ))
    .await;
    let reason = "Not enrolled in an eligible program";
    manager
        .post(
            &format!("/manage/applications/{a}/screen"),
            &[
                ("outcome", "ineligible"),
                ("reason", "not_enrolled"),
                ("share", "true"),
            ],
        )
        .await;
    let page = app.get(&format!("/apply/applications/{a}")).await;
    page.assert_contains("Under review").assert_lacks(reason);
    app.sql(&format!(
        "UPDATE applications SET decision_released = TRUE WHERE id = {a}"
    ))
    .await;
    app.get(&format!("/apply/applications/{a}"))
        .await
        .assert_contains(reason);
    // Not shared: the outcome, never the reason.
    app.sql(&format!(
        "UPDATE applications SET screening_reason_shared = FALSE WHERE id = {a}"
    ))
    .await;
    app.get(&format!("/apply/applications/{a}"))
        .await
        .assert_contains("Decision available")
        .assert_lacks(reason);
}

#[rocket::async_test]
async fn settings_and_the_rubric_refuse_bad_input_next_to_the_field() {
    let app = spawn().await;
    let c = health_justice(&app).await;
    let (_, manager) = staff(
        &app,
        "Mo Manager",
        "mo@alliance.org",
        c.program,
        ProgramRole::Manager,
    )
    .await;
    let settings = format!("/manage/cycles/{}/settings", c.id);
    let page = manager
        .post(
            &settings,
            &[
                ("reviewers_per_application", "0"),
                ("reviewer_cap", "many"),
                ("other_reviews", "after_submit"),
                ("disagreement_threshold", "15"),
            ],
        )
        .await;
    assert_eq!(page.status, Status::UnprocessableEntity);
    page.assert_contains("Reviewers per application must be a whole number from 1 to 10.")
        .assert_contains("The most applications per reviewer must be a whole number")
        .assert_contains("value=\"many\"")
        .assert_contains("Days to answer an offer must be a whole number from 1 to 90.");
    assert_eq!(
        app.count(&format!(
            "SELECT reviewers_per_application FROM cycles WHERE id = {}",
            c.id
        ))
        .await,
        3
    );
    let page = manager
        .post(
            &settings,
            &[
                ("reviewers_per_application", "2"),
                ("reviewer_cap", "4"),
                ("other_reviews", "never"),
                ("disagreement_threshold", "20"),
                ("blind_review", "true"),
                ("offer_days", "21"),
            ],
        )
        .await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    assert_eq!(
        app.count(&format!("SELECT COUNT(*) FROM cycles WHERE id = {} AND reviewers_per_application = 2 AND reviewer_cap = 4 AND show_other_reviews = 'never' AND blind_review = TRUE AND offer_days = 21", c.id)).await,
        1
    );
    // A rubric that is not JSON, or breaks a rule, is refused with the reason.
    let rubric = format!("/manage/cycles/{}/rubric", c.id);
    let page = manager
        .post(&rubric, &[("rubric", "{\"criteria\": [")])
        .await;
    assert_eq!(page.status, Status::UnprocessableEntity);
    page.assert_contains("The rubric is not valid JSON");
    let two_keys = r#"{"criteria":[{"key":"a","label":"A","min":1,"max":5,"weight":1},{"key":"a","label":"B","min":1,"max":5,"weight":1}]}"#;
    let page = manager.post(&rubric, &[("rubric", two_keys)]).await;
    assert_eq!(page.status, Status::UnprocessableEntity);
    page.assert_contains("Two criteria use the key");
    let good = r#"{"criteria":[{"key":"impact","label":"Impact","min":0,"max":4,"weight":2}]}"#;
    let page = manager.post(&rubric, &[("rubric", good)]).await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    manager
        .get(&settings)
        .await
        .assert_contains("Scale 0 to 4, weight 2");
    // Once a review exists, the rubric is locked.
    let (rev, reviewer) = staff(
        &app,
        "Rae Reviewer",
        "rae@faculty.org",
        c.program,
        ProgramRole::Reviewer,
    )
    .await;
    let a = submitted(
        &app,
        c.id,
        "Ana Applicant",
        "ana@student.edu",
        "Lakeside University",
    )
    .await;
    mark_eligible(&manager, a).await;
    assign(&manager, a, rev).await;
    post_review(
        &reviewer,
        a,
        &[
            ("score[impact]".into(), "2".into()),
            ("action".into(), "save".into()),
        ],
    )
    .await;
    let page = manager.post(&rubric, &[("rubric", good)]).await;
    assert_eq!(page.status, Status::UnprocessableEntity);
    page.assert_contains("The rubric cannot change now");
}

#[rocket::async_test]
async fn reviews_are_reassigned_and_the_strongest_go_to_committee_from_the_ranking() {
    let app = spawn().await;
    let c = health_justice(&app).await;
    let (_, manager) = staff(
        &app,
        "Mo Manager",
        "mo@alliance.org",
        c.program,
        ProgramRole::Manager,
    )
    .await;
    let (r1, _) = staff(
        &app,
        "Rae Reviewer",
        "rae@faculty.org",
        c.program,
        ProgramRole::Reviewer,
    )
    .await;
    let (r2, second) = staff(
        &app,
        "Ray Reviewer",
        "ray@faculty.org",
        c.program,
        ProgramRole::Reviewer,
    )
    .await;
    let a = submitted(
        &app,
        c.id,
        "Ana Applicant",
        "ana@student.edu",
        "Lakeside University",
    )
    .await;
    mark_eligible(&manager, a).await;
    assign(&manager, a, r1).await;
    let page = manager
        .post(
            &format!("/manage/applications/{a}/reassign"),
            &[("from", &r1.to_string()), ("to", &r2.to_string())],
        )
        .await;
    assert_eq!(page.status, Status::SeeOther);
    assert_eq!(
        app.count(&format!(
            "SELECT reviewer_id FROM assignments WHERE application_id = {a}"
        ))
        .await,
        r2
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM assignments").await, 1);
    let page = post_review(&second, a, &review_fields(&c, "5", "submit")).await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    let ranking = format!("/manage/cycles/{}/ranking", c.id);
    manager.get(&ranking).await.assert_contains("1 of 1");
    let id = a.to_string();
    let page = manager
        .post(
            &format!("/manage/cycles/{}/applications/bulk", c.id),
            &[
                ("back", &ranking),
                ("action", "send_to_committee"),
                ("ids", &id),
            ],
        )
        .await;
    assert_eq!(page.location.as_deref(), Some(ranking.as_str()));
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM applications WHERE id = {a} AND stage = 'committee'"
        ))
        .await,
        1
    );
}

#[rocket::async_test]
async fn the_demo_manager_can_assign_demo_reviewers() {
    use fellowship_portal::demo;
    let app = spawn().await;
    let report = demo::seed(
        app.pool(),
        &demo::Options {
            applications: 30,
            reviewers: 6,
            program: "health-justice".into(),
        },
    )
    .await
    .unwrap();
    let c = report.cycle_id;
    // One reviewer more per application than the demo assigned.
    app.sql(&format!(
        "UPDATE cycles SET reviewers_per_application = reviewers_per_application + 1 WHERE id = {c}"
    ))
    .await;
    let before = app.count("SELECT COUNT(*) FROM assignments").await;
    assert_eq!(before, report.assignments as i64);
    let manager = app.another_browser().await;
    let page = manager.login(demo::MANAGER_EMAIL, &report.password).await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    // Every demo address shares one domain: that alone is no conflict.
    let page = manager
        .get(&format!("/manage/cycles/{c}/assign?due={DUE}"))
        .await;
    let new: i64 = {
        let at = page.body.find("New assignments: ").expect("a preview") + 17;
        let digits: String = page.body[at..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        digits.parse().unwrap()
    };
    let in_review = app
        .count(&format!(
            "SELECT COUNT(*) FROM applications WHERE cycle_id = {c} AND stage = 'review'"
        ))
        .await;
    assert!(
        new * 2 > in_review,
        "{new} new assignments for {in_review} applications in review"
    );
    let fingerprint = {
        let at = page.body.find("name=\"fingerprint\" value=\"").unwrap() + 26;
        page.body[at..at + 16].to_owned()
    };
    let page = manager
        .post(
            &format!("/manage/cycles/{c}/assign"),
            &[("due", DUE), ("fingerprint", &fingerprint)],
        )
        .await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM assignments").await,
        before + new
    );
}

/// A bulk action's way back is the cycle's list or ranking: a `back` that
/// is not an address, or leads elsewhere, still applies the action and
/// returns to the list (it was a 500 page).
#[rocket::async_test]
async fn a_bulk_action_with_a_broken_way_back_applies_and_returns_to_the_list() {
    let app = spawn().await;
    let c = health_justice(&app).await;
    let (_, manager) = staff(
        &app,
        "Mo Manager",
        "mo@alliance.org",
        c.program,
        ProgramRole::Manager,
    )
    .await;
    let list = format!("/manage/cycles/{}/applications", c.id);
    for (n, back) in [
        format!("{list}?q=a b"),
        format!("{list}/../../../../admin/users"),
        "http://evil.example/".to_owned(),
    ]
    .iter()
    .enumerate()
    {
        let a = submitted(
            &app,
            c.id,
            &format!("Applicant {n}"),
            &format!("a{n}@student.edu"),
            "Hill College",
        )
        .await;
        let page = manager
            .post(
                &format!("{list}/bulk"),
                &[
                    ("ids", &a.to_string()),
                    ("action", "start_screening"),
                    ("back", back),
                ],
            )
            .await;
        assert_eq!(page.status, Status::SeeOther, "{back}: {}", page.body);
        assert_eq!(page.location.as_deref(), Some(list.as_str()), "{back}");
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) FROM applications WHERE id = {a} AND stage = 'screening'"
            ))
            .await,
            1
        );
    }
}
