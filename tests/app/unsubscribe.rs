//! Mail that reaches inboxes: the link in every reminder to a page that
//! stops them (one-click, RFC 8058, with no cookie), the reminder rounds
//! that then skip the person, and the headers and parts every delivered
//! message carries.

use fellowship_portal::db::{mail_preferences, outbox};
use fellowship_portal::domain::workflow::stage::Stage;
use rocket::http::{ContentType, Status};

use crate::fixtures::{assign, past_due};
use crate::helpers::{spawn, spawn_with, TestApp, PASSWORD};

/// The path of the stop link in a message (its base URL cut off).
fn stop_path(m: &outbox::Message) -> String {
    let url = m
        .unsubscribe_url
        .clone()
        .expect("a reminder names its stop page");
    let at = url.find("/mail/reminders/").expect("the stop page");
    url[at..].to_owned()
}

/// Sends what a mailbox provider sends for a one-click unsubscribe: a
/// form POST with no cookie and no CSRF token.
async fn one_click(app: &TestApp, path: &str) -> crate::helpers::Page {
    let provider = app.another_browser().await;
    let r = provider
        .client
        .post(path.to_owned())
        .header(ContentType::Form)
        .body("List-Unsubscribe=One-Click")
        .dispatch()
        .await;
    crate::helpers::Page::from(r).await
}

async fn review_reminders(app: &TestApp) -> i64 {
    fellowship_portal::jobs::reminders::remind_reviewers(&app.ctx())
        .await
        .unwrap();
    app.count("SELECT COUNT(*) FROM outbox WHERE kind = 'review_reminder'")
        .await
}

/// The headers of the one .eml file of `kind` the worker wrote, by name.
fn delivered(app: &TestApp, subject_starts: &str) -> mailparse::ParsedMail<'static> {
    let dir = app.dir.path().join("mail");
    for e in std::fs::read_dir(&dir).unwrap().flatten() {
        if e.path().extension().is_some_and(|x| x == "eml") {
            let raw: &'static [u8] = Box::leak(std::fs::read(e.path()).unwrap().into_boxed_slice());
            let parsed = mailparse::parse_mail(raw).unwrap();
            let subject = header(&parsed, "Subject").unwrap_or_default();
            if subject.starts_with(subject_starts) {
                return parsed;
            }
        }
    }
    panic!("no message {subject_starts:?} in {}", dir.display());
}

/// The display name and address of a mailbox header (`To`, `From`).
fn mailbox(m: &mailparse::ParsedMail<'_>, name: &str) -> (Option<String>, String) {
    let h = m
        .headers
        .iter()
        .find(|h| h.get_key().eq_ignore_ascii_case(name))
        .expect("the header");
    match &mailparse::addrparse_header(h).unwrap()[0] {
        mailparse::MailAddr::Single(s) => (s.display_name.clone(), s.addr.clone()),
        mailparse::MailAddr::Group(g) => panic!("a group: {g:?}"),
    }
}

fn header(m: &mailparse::ParsedMail<'_>, name: &str) -> Option<String> {
    m.headers
        .iter()
        .find(|h| h.get_key().eq_ignore_ascii_case(name))
        .map(|h| h.get_value())
}

#[rocket::async_test]
async fn a_reviewer_stops_reminders_with_one_click_and_turns_them_back_on() {
    let app = spawn().await;
    let c = app.with_cycle().await;
    let manager = app.with_manager(&c, "Mo Manager", "mo@alliance.org").await;
    let rae = app
        .with_reviewer(&c, "Rae Núñez", "rae@faculty.org")
        .await
        .id;
    let a = app.submitted_application(&c).in_stage(Stage::Review).await;
    assign(&manager, a, rae).await;
    app.advance_past(past_due());
    assert_eq!(review_reminders(&app).await, 1);
    let m = app.last_mail("rae@faculty.org", "review_reminder").await;
    let path = stop_path(&m);
    let url = m.unsubscribe_url.clone().unwrap();
    assert!(m
        .text_body
        .contains(&format!("To stop reminders like this one: {url}")));
    assert!(
        m.html_body.contains(&format!(
            "<a href=\"{url}\">Stop reminders like this one</a>"
        )),
        "{}",
        m.html_body
    );

    // The delivered reminder carries the one-click headers.
    app.worker().deliver_due().await.unwrap();
    let eml = delivered(&app, "Reminder");
    assert_eq!(header(&eml, "List-Unsubscribe"), Some(format!("<{url}>")));
    assert_eq!(
        header(&eml, "List-Unsubscribe-Post").as_deref(),
        Some("List-Unsubscribe=One-Click")
    );
    assert_eq!(
        header(&eml, "Auto-Submitted").as_deref(),
        Some("auto-generated")
    );
    assert_eq!(
        mailbox(&eml, "To"),
        (Some("Rae Núñez".into()), "rae@faculty.org".into()),
        "the name, decoded"
    );

    // The link opens a page, with no login, saying what it stops.
    let visitor = app.another_browser().await;
    visitor
        .get(&path)
        .await
        .assert_contains("Stop reminders")
        .assert_contains("rae@faculty.org")
        .assert_contains("reminders of reviews past their due date: <strong>on</strong>")
        .assert_contains("decisions and letters about your own applications");

    // A provider's one-click POST, with no cookie and no CSRF token.
    let stopped = one_click(&app, &path).await;
    assert_eq!(stopped.status, Status::SeeOther, "{}", stopped.body);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM mail_preferences WHERE review_reminders = FALSE AND referee_reminders = FALSE")
            .await,
        1
    );
    visitor
        .get(&path)
        .await
        .assert_contains("Reminders are off")
        .assert_contains("reminders of reviews past their due date: <strong>off</strong>")
        .assert_contains("Turn reminders back on");

    // Her own review page says so, with the way back.
    let reviewer = app.another_browser().await;
    reviewer.login("rae@faculty.org", PASSWORD).await;
    reviewer
        .get("/review")
        .await
        .assert_contains("Reminders of reviews past their due date are <strong>off</strong>.")
        .assert_contains(&format!("<a href=\"{path}\">Turn them back on</a>"));

    // The next rounds skip her, from the job and from the manager's button.
    app.advance(chrono::Duration::days(1));
    assert_eq!(review_reminders(&app).await, 1, "no second reminder");
    manager
        .post(&format!("/manage/cycles/{}/remind", c.id), &[])
        .await;
    assert_eq!(review_reminders(&app).await, 1);

    // She turns them back on from the same page (its button, no token
    // of a form needed either), and the next round reminds her.
    let on = visitor.post_raw(&path, "reminders=on").await;
    assert_eq!(on.status, Status::SeeOther);
    visitor
        .get(&path)
        .await
        .assert_contains("Reminders are on again.")
        .assert_contains("<strong>on</strong>");
    assert_eq!(review_reminders(&app).await, 2);
    // The same address keeps the same page.
    let again = app.last_mail("rae@faculty.org", "review_reminder").await;
    assert_eq!(stop_path(&again), path);
}

#[rocket::async_test]
async fn a_changed_or_made_up_stop_link_gets_a_clear_not_found_page() {
    let app = spawn().await;
    let token = {
        let mut conn = app.pool().conn().await.unwrap();
        mail_preferences::token_for(
            conn.exec(),
            "rosa@example.org",
            &fellowship_portal::auth::token::generate(),
            app.clock.now(),
        )
        .await
        .unwrap()
    };
    let mut changed = token.clone();
    let last = changed.pop().unwrap();
    changed.push(if last == 'A' { 'B' } else { 'A' });
    for forged in [changed.as_str(), "made-up", "x%27%20OR%201=1"] {
        let path = format!("/mail/reminders/{forged}");
        let page = app.get(&path).await;
        assert_eq!(page.status, Status::NotFound, "{forged}");
        page.assert_contains("This link is not valid")
            .assert_contains("opened the whole link")
            .assert_lacks("rosa@example.org");
        let posted = one_click(&app, &path).await;
        assert_eq!(posted.status, Status::NotFound, "{forged}");
        posted.assert_contains("This link is not valid");
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM mail_preferences WHERE review_reminders = FALSE OR referee_reminders = FALSE")
            .await,
        0,
        "nothing changed"
    );
    // A POST that says neither on nor off is refused in words.
    let odd = app
        .post_raw(&format!("/mail/reminders/{token}"), "reminders=maybe")
        .await;
    assert_eq!(odd.status, Status::UnprocessableEntity);
    odd.assert_contains("Choose whether to stop reminders or turn them back on.");
}

#[rocket::async_test]
async fn a_referee_who_stopped_reminders_gets_the_first_request_but_no_reminder() {
    let app = spawn().await;
    app.logged_in_user("Maya Chen", "maya@example.edu").await;
    let id = app.start_health_justice(&app).await;
    app.name_referee(id, "1", "Dr. José Núñez", "jose@example.org")
        .await;
    let request = app.last_mail("jose@example.org", "referee_request").await;
    assert_eq!(
        request.unsubscribe_url, None,
        "a first request cannot be stopped"
    );
    assert!(!request.text_body.contains("/mail/reminders/"));
    // Signed by the organisation, with a contact address.
    assert!(
        request.text_body.contains("The Fellowship Portal team"),
        "{}",
        request.text_body
    );
    assert!(request.text_body.contains("Questions: portal@localhost"));
    assert!(request.html_body.contains("<meta charset=\"utf-8\">"));

    // He stopped reminders from a reviewer's mail of the same address.
    let token = {
        let mut conn = app.pool().conn().await.unwrap();
        mail_preferences::token_for(
            conn.exec(),
            "JOSE@example.org",
            &fellowship_portal::auth::token::generate(),
            app.clock.now(),
        )
        .await
        .unwrap()
    };
    let path = format!("/mail/reminders/{token}");
    assert_eq!(one_click(&app, &path).await.status, Status::SeeOther);
    let cycle = app.cycle_of("health-justice").await;
    let due: chrono::DateTime<chrono::Utc> = {
        let mut conn = app.pool().conn().await.unwrap();
        fellowship_portal::db::cycles::find(
            conn.exec(),
            fellowship_portal::domain::cycle::CycleId(cycle),
        )
        .await
        .unwrap()
        .unwrap()
        .cycle
        .letters_due_at
    };
    app.advance_past(due - chrono::Duration::days(3));
    let ctx = app.ctx();
    let remind = || fellowship_portal::jobs::reminders::remind_referees(&ctx);
    assert_eq!(remind().await.unwrap(), 0, "no reminder once stopped");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE kind = 'referee_reminder'")
            .await,
        0
    );
    // Back on: the next round reminds him, with the same stop link.
    let on = app
        .another_browser()
        .await
        .post_raw(&path, "reminders=on")
        .await;
    assert_eq!(on.status, Status::SeeOther);
    assert_eq!(remind().await.unwrap(), 1);
    let reminder = app.last_mail("jose@example.org", "referee_reminder").await;
    assert_eq!(stop_path(&reminder), path);
}

/// Outbox keys such as `decision:19` repeat in every database; the
/// Message-ID must not, or a provider that saw one drops the other.
#[rocket::async_test]
async fn the_same_outbox_key_in_two_databases_gets_two_message_ids() {
    let mut ids = Vec::new();
    for _ in 0..2 {
        let app = spawn_with(|f| f.merge(("portal.mail_from", "portal@alliance.org"))).await;
        let m = outbox::NewMessage {
            key: "decision:19",
            kind: "test",
            recipient: "a@example.edu",
            recipient_name: None,
            subject: "Your decision",
            text_body: "t",
            html_body: "h",
            secret: None,
            unsubscribe_url: None,
        };
        let mut conn = app.pool().conn().await.unwrap();
        assert!(outbox::enqueue(conn.exec(), &m, app.clock.now())
            .await
            .unwrap());
        drop(conn);
        app.worker().deliver_due().await.unwrap();
        let eml = delivered(&app, "Your decision");
        let id = header(&eml, "Message-ID").unwrap();
        assert!(id.ends_with("@alliance.org>"), "{id}");
        let stored = app.last_mail("a@example.edu", "test").await;
        assert!(
            id.contains(stored.message_id.as_deref().unwrap()),
            "kept on the row"
        );
        ids.push(id);
    }
    assert_ne!(ids[0], ids[1]);
}

/// Every kind of message names its sender: the organisation in From, its
/// signature and contact address in both parts, and a whole HTML document.
#[rocket::async_test]
async fn account_mail_says_who_writes_and_how_to_reach_them() {
    let app = spawn_with(|f| {
        f.merge(("portal.organisation_name", "Health Equity Alliance"))
            .merge(("portal.contact_email", "team@alliance.org"))
            .merge(("portal.mail_from", "portal@alliance.org"))
    })
    .await;
    app.register("José Núñez", "jose@example.edu", PASSWORD)
        .await;
    let m = app.last_mail("jose@example.edu", "confirm_email").await;
    assert_eq!(m.recipient_name.as_deref(), Some("José Núñez"));
    assert!(m.text_body.contains("The Health Equity Alliance team\n\n-- \nHealth Equity Alliance\nQuestions: team@alliance.org\n"), "{}", m.text_body);
    assert!(m.html_body.contains("<title>"));
    assert!(m.html_body.contains("name=\"viewport\""));
    assert!(m
        .html_body
        .contains("<a href=\"mailto:team@alliance.org\">team@alliance.org</a>"));
    app.worker().deliver_due().await.unwrap();
    let eml = delivered(&app, "Confirm");
    assert_eq!(
        mailbox(&eml, "From"),
        (
            Some("Health Equity Alliance".into()),
            "portal@alliance.org".into()
        )
    );
    assert_eq!(
        mailbox(&eml, "To"),
        (Some("José Núñez".into()), "jose@example.edu".into())
    );
    // Encoded on the wire: a header is ASCII.
    let raw = String::from_utf8_lossy(eml.raw_bytes);
    let to_line = raw.lines().find(|l| l.starts_with("To: ")).unwrap();
    assert!(
        to_line.is_ascii() && to_line.to_ascii_lowercase().contains("=?utf-8?"),
        "{to_line}"
    );
    assert_eq!(
        header(&eml, "X-Auto-Response-Suppress").as_deref(),
        Some("All")
    );
    assert_eq!(
        header(&eml, "List-Unsubscribe"),
        None,
        "account mail cannot be stopped"
    );
}
