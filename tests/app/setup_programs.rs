//! Programs as data: an admin creates, edits and archives programs; a
//! manager edits their own; the home page lists the public calls and a
//! program's page shows its dates; an applicant lands on their
//! applications after logging in.

use chrono::{DateTime, Duration, Utc};
use fellowship_portal::db::cycles::{self, NewCycle};
use fellowship_portal::domain::cycle::{show_in, CycleId};
use fellowship_portal::domain::program::ProgramId;
use rocket::http::Status;

use crate::helpers::{spawn, Browser, Page, TestApp, PASSWORD};

/// The admin's form for the Social Mission Award, hidden at first.
fn award(visibility: &'static str) -> Vec<(&'static str, &'static str)> {
    vec![
        ("name", "Social Mission Award"),
        ("slug", "social-mission"),
        ("kind", "nomination"),
        (
            "description",
            "Honours a graduate whose work brings care to those left without it.",
        ),
        (
            "eligibility",
            "Anyone may nominate a graduate of an alliance program.",
        ),
        ("contact_email", "Awards@Alliance.example"),
        ("visibility", visibility),
    ]
}

/// Creates the award as `admin`; returns its id.
async fn create_award(app: &TestApp, admin: &Browser) -> i64 {
    let page = admin.post("/admin/programs", &award("hidden")).await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    let id = app
        .count("SELECT id FROM programs WHERE slug = 'social-mission'")
        .await;
    assert_eq!(
        page.location.as_deref(),
        Some(format!("/admin/programs/{id}").as_str())
    );
    id
}

/// A cycle of program `program` in Madrid's zone, opening at `opens`
/// (stored directly: making cycles is the cycles pages' own business).
async fn madrid_cycle(app: &TestApp, program: i64, opens: DateTime<Utc>) -> CycleId {
    madrid_cycle_with(
        app,
        program,
        opens,
        fellowship_portal::seed::SEEDED_FORMS[0].1,
    )
    .await
}

/// [`madrid_cycle`] with the form `form`.
async fn madrid_cycle_with(
    app: &TestApp,
    program: i64,
    opens: DateTime<Utc>,
    form: &str,
) -> CycleId {
    let c = NewCycle {
        program_id: ProgramId(program),
        name: "2027 award",
        time_zone: "Europe/Madrid",
        opens_at: opens,
        closes_at: opens + Duration::days(40),
        letters_due_at: opens + Duration::days(50),
        letters_grace_hours: 72,
        decision_planned_at: opens + Duration::days(90),
        blind_review: false,
        form_json: form,
    };
    let mut conn = app.pool().conn().await.unwrap();
    cycles::insert(conn.exec(), &c, app.clock.now())
        .await
        .unwrap()
}

/// In Madrid's zone, as the pages show it.
fn madrid(at: DateTime<Utc>) -> String {
    show_in(chrono_tz::Europe::Madrid, at)
}

#[rocket::async_test]
async fn an_admin_creates_the_social_mission_award_listed_when_public_with_its_call() {
    let app = spawn().await;
    let admin = app.admin_browser("dean@example.edu").await;
    admin
        .get("/admin/users")
        .await
        .assert_contains(r#"<a href="/admin/programs">Set up programs</a>"#);
    admin
        .get("/admin/programs")
        .await
        .assert_contains(r#"href="/admin/programs/new""#)
        .assert_contains("Health Justice Fellowship");
    admin
        .get("/admin/programs/new")
        .await
        .assert_contains(r#"<legend>Kind of program"#)
        .assert_contains(r#"value="nomination""#);
    let id = create_award(&app, &admin).await;
    assert_eq!(
        app.text(&format!("SELECT kind FROM programs WHERE id = {id}"))
            .await,
        "nomination"
    );
    assert_eq!(
        app.text(&format!(
            "SELECT contact_email FROM programs WHERE id = {id}"
        ))
        .await,
        "awards@alliance.example"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'program.create'")
            .await,
        1
    );
    admin
        .get("/admin/programs")
        .await
        .assert_contains("Social Mission Award")
        .assert_contains("<td data-label=\"Kind\">Award nomination</td>")
        .assert_contains("<td data-label=\"Listing\">Hidden</td>");
    // A new program can be given managers at once.
    admin.get("/admin/users").await.assert_contains(&format!(
        r#"<option value="{id}">Social Mission Award</option>"#
    ));

    // Hidden: not listed, but its page is reached by its address.
    app.get("/").await.assert_lacks("Social Mission Award");
    app.get("/programs/social-mission")
        .await
        .assert_contains("<h1>Social Mission Award</h1>")
        .assert_contains("Anyone may nominate a graduate of an alliance program.")
        .assert_contains(r#"href="mailto:awards@alliance.example""#)
        .assert_contains("Next call not announced.");

    // Public: listed, with no call yet.
    let public = admin
        .post(&format!("/admin/programs/{id}"), &award("public"))
        .await;
    assert_eq!(
        public.location,
        Some(format!("/admin/programs/{id}")),
        "{}",
        public.body
    );
    assert_eq!(
        app.text("SELECT detail FROM audit_log WHERE action = 'program.edit'")
            .await,
        "listing: hidden → public"
    );
    let home = app.get("/").await;
    home.assert_contains("<h2>Social Mission Award</h2>")
        .assert_contains(r#"<a href="/programs/social-mission">"#)
        .assert_contains("Next call not announced.");
    assert!(!home.body.contains(">Nominate "));

    // A call to come, then open: "Nominate", not "Apply".
    let opens = app.clock.now() + Duration::days(10);
    let cycle = madrid_cycle(&app, id, opens).await;
    app.get("/")
        .await
        .assert_contains(&format!("2027 award: opens on {}.", madrid(opens)));
    app.advance(Duration::days(11));
    let home = app.get("/").await;
    home.assert_contains(&format!(
        "2027 award: open until {}.",
        madrid(opens + Duration::days(40))
    ))
    .assert_contains(&format!(
        r#"<a class="button" href="/apply/cycles/{cycle}">Nominate <span class="visually-hidden">to the Social Mission Award</span></a>"#
    ))
    .assert_contains(r#"href="/apply/cycles/"#);
    assert_eq!(
        home.body.matches(">Apply <span").count(),
        3,
        "the two fellowships and the internship say Apply"
    );

    // Hidden again: off the home page, but nominators given its address
    // still find the button.
    // (Eleven days on, the first admin's session has ended.)
    let admin = app.admin_browser("registrar@example.edu").await;
    let hidden = admin
        .post(&format!("/admin/programs/{id}"), &award("hidden"))
        .await;
    assert_eq!(
        hidden.location,
        Some(format!("/admin/programs/{id}")),
        "{}",
        hidden.body
    );
    app.get("/").await.assert_lacks("Social Mission Award");
    app.get("/programs/social-mission")
        .await
        .assert_contains(&format!(
            r#"<a class="button" href="/apply/cycles/{cycle}">Nominate</a>"#
        ));
}

#[rocket::async_test]
async fn a_manager_edits_their_own_program_and_gets_404_on_another() {
    let app = spawn().await;
    let c = app.with_cycle().await;
    let mo = app
        .with_manager(&c, "Mo Manager", "mo@alliance.example")
        .await;
    let hj = c.program;
    let p2 = app
        .count("SELECT id FROM programs WHERE slug = 'voices-for-change'")
        .await;
    mo.get("/manage").await.assert_contains(&format!(
        r#"<li>Health Justice Fellowship: <a href="/manage/programs/{hj}">details and cycles</a> · <a href="/manage/programs/{hj}/cycles/new">New cycle of Health Justice Fellowship</a></li>"#
    ));
    mo.get(&format!("/manage/programs/{hj}"))
        .await
        .assert_contains(&format!(r#"href="/manage/cycles/{}""#, c.id))
        .assert_contains(r#"id="eligibility""#)
        .assert_lacks(r#"id="slug""#);
    let fields = [
        ("name", "Health Justice Fellowship"),
        ("kind", "fellowship"),
        (
            "description",
            "A year of mentoring and a community project.",
        ),
        (
            "eligibility",
            "Students in a US health professions program.",
        ),
        ("contact_email", ""),
        ("visibility", "public"),
    ];
    let saved = mo.post(&format!("/manage/programs/{hj}"), &fields).await;
    assert_eq!(
        saved.location,
        Some(format!("/manage/programs/{hj}")),
        "{}",
        saved.body
    );
    mo.get(&format!("/manage/programs/{hj}"))
        .await
        .assert_contains("The Health Justice Fellowship is saved.");
    assert_eq!(
        app.text(&format!("SELECT eligibility FROM programs WHERE id = {hj}"))
            .await,
        "Students in a US health professions program."
    );
    let detail = app
        .text("SELECT detail FROM audit_log WHERE action = 'program.edit'")
        .await;
    assert!(
        detail.contains("eligibility: “” → “Students in a US health professions program.”"),
        "{detail}"
    );
    app.get("/programs/health-justice")
        .await
        .assert_contains("Students in a US health professions program.");

    // Another program's page and form: as if it did not exist.
    assert_eq!(
        mo.get(&format!("/manage/programs/{p2}")).await.status,
        Status::NotFound
    );
    let other = mo.post(&format!("/manage/programs/{p2}"), &fields).await;
    assert_eq!(other.status, Status::NotFound);
    assert_eq!(
        app.text(&format!("SELECT name FROM programs WHERE id = {p2}"))
            .await,
        "Voices for Change Fellowship"
    );
    // The short name is an admin's to change.
    let mut with_slug = fields.to_vec();
    with_slug.push(("slug", "justice"));
    let refused = mo.post(&format!("/manage/programs/{hj}"), &with_slug).await;
    assert_eq!(refused.status, Status::UnprocessableEntity);
    refused.assert_contains("Only an admin can change the short name.");
    assert_eq!(
        app.text(&format!("SELECT slug FROM programs WHERE id = {hj}"))
            .await,
        "health-justice"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'program.edit'")
            .await,
        1
    );
}

/// The message next to field `id`, as the shared partial writes it.
fn next_to(id: &str, message: &str) -> String {
    format!(
        r#"<p class="error-message" id="{id}-error"><span class="visually-hidden">Error:</span> {message}</p>"#
    )
}

#[track_caller]
fn assert_refused(page: &Page, field: &str, message: &str) {
    assert_eq!(page.status, Status::UnprocessableEntity, "{}", page.body);
    page.assert_contains(&next_to(field, message))
        .assert_contains(&format!(r##"<a href="#{field}">{message}</a>"##));
}

#[rocket::async_test]
async fn each_bad_program_input_is_told_next_to_its_field_and_nothing_is_stored() {
    let app = spawn().await;
    let admin = app.admin_browser("dean@example.edu").await;
    let with = |field: &'static str, value: &'static str| {
        let mut f = award("public");
        f.retain(|(k, _)| *k != field);
        f.push((field, value));
        f
    };
    let cases = [
        ("name", "  ", "name", "Enter the program’s name."),
        (
            "slug",
            "Social Mission",
            "slug",
            "Use only lowercase letters, digits and hyphens in the short name, starting and ending with a letter or digit (for example social-mission-award).",
        ),
        ("slug", "s", "slug", "The short name must be 2 to 40 characters long."),
        (
            "slug",
            "health-justice",
            "slug",
            "Another program already has the short name “health-justice”. Choose another.",
        ),
        (
            "contact_email",
            "awards at alliance",
            "contact_email",
            "Enter the contact email address in the form name@example.org, or leave it empty to use the portal’s own.",
        ),
        ("kind", "award", "kind", "Choose the kind of program."),
    ];
    for (field, value, shown_at, message) in cases {
        let page = admin.post("/admin/programs", &with(field, value)).await;
        assert_refused(&page, shown_at, message);
        // What was typed is shown again.
        if field != "kind" && field != "name" {
            page.assert_contains(&format!(r#"value="{value}""#));
        }
        page.assert_contains("Honours a graduate whose work brings care to those left without it.");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM programs").await, 3);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'program.%'")
            .await,
        0
    );

    // Editing: a short name taken, or a bad contact, keeps what was stored.
    let hj = app
        .count("SELECT id FROM programs WHERE slug = 'health-justice'")
        .await;
    let taken = admin
        .post(
            &format!("/admin/programs/{hj}"),
            &[
                ("name", "Renamed"),
                ("slug", "voices-for-change"),
                ("kind", "fellowship"),
                ("visibility", "public"),
            ],
        )
        .await;
    assert_refused(
        &taken,
        "slug",
        "Another program already has the short name “voices-for-change”. Choose another.",
    );
    taken.assert_contains(r#"value="Renamed""#);
    let hidden_kind = admin
        .post(
            &format!("/admin/programs/{hj}"),
            &[
                ("name", "Renamed"),
                ("slug", "health-justice"),
                ("visibility", "public"),
            ],
        )
        .await;
    assert_refused(&hidden_kind, "kind", "Choose the kind of program.");
    assert_eq!(
        app.text(&format!(
            "SELECT name || ' ' || slug FROM programs WHERE id = {hj}"
        ))
        .await,
        "Health Justice Fellowship health-justice"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'program.%'")
            .await,
        0
    );
}

#[rocket::async_test]
async fn archiving_takes_a_program_off_the_home_page_and_stops_new_applications() {
    let app = spawn().await;
    let c = app.with_cycle().await;
    let admin = app.admin_browser("dean@example.edu").await;
    // Maya has a draft; Nell has none yet.
    app.logged_in_user("Maya Chen", "maya@example.edu").await;
    let draft = app.start_health_justice(&app).await;
    let nell = app.another_browser().await;
    app.new_user("Nell Newcomer", "nell@example.edu").await;
    nell.login("nell@example.edu", PASSWORD).await;

    let archived = admin
        .post(
            &format!("/admin/programs/{}/archive", c.program),
            &[("archive", "yes")],
        )
        .await;
    assert_eq!(
        archived.location,
        Some(format!("/admin/programs/{}", c.program))
    );
    admin
        .get(&format!("/admin/programs/{}", c.program))
        .await
        .assert_contains("The Health Justice Fellowship is archived")
        .assert_contains("Bring the program back");
    assert_eq!(
        app.text("SELECT detail FROM audit_log WHERE action = 'program.archive'")
            .await,
        "archived: no → yes"
    );
    admin.get("/admin/programs").await.assert_contains(
        "<td data-label=\"Listing\">Public</td>\n      <td data-label=\"Archived\">Archived</td>",
    );
    app.get("/").await.assert_lacks("Health Justice Fellowship");
    app.get("/programs/health-justice")
        .await
        .assert_contains("This program is archived: it takes no new applications.")
        .assert_lacks(&format!("/apply/cycles/{}", c.id));
    nell.get("/apply")
        .await
        .assert_lacks(&format!("/apply/cycles/{}", c.id));
    nell.get(&format!("/apply/cycles/{}", c.id))
        .await
        .assert_contains("This program is archived and takes no new applications.")
        .assert_lacks("First, can you apply?");
    let start = nell
        .post(
            &format!("/apply/cycles/{}/start", c.id),
            &[
                ("e[enrolled_us_health_program]", "yes"),
                ("e[can_commit_time]", "yes"),
            ],
        )
        .await;
    assert_eq!(start.status, Status::UnprocessableEntity);
    start.assert_contains("This program is archived and takes no new applications.");
    assert_eq!(app.count("SELECT COUNT(*) FROM applications").await, 1);
    // The owner still sees the application made before.
    app.get("/apply")
        .await
        .assert_contains(&format!("/apply/applications/{draft}"));

    // Archiving twice changes nothing; bringing it back lists it again.
    let again = admin
        .post(
            &format!("/admin/programs/{}/archive", c.program),
            &[("archive", "yes")],
        )
        .await;
    assert_eq!(again.status, Status::SeeOther);
    admin
        .get(&format!("/admin/programs/{}", c.program))
        .await
        .assert_contains("That program is already archived.");
    admin
        .post(
            &format!("/admin/programs/{}/archive", c.program),
            &[("archive", "no")],
        )
        .await;
    app.get("/")
        .await
        .assert_contains("Health Justice Fellowship");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action IN ('program.archive', 'program.unarchive')")
            .await,
        2
    );
}

#[rocket::async_test]
async fn the_program_page_shows_the_cycle_dates_in_its_zone() {
    let app = spawn().await;
    let c = app.with_cycle().await;
    let stored = {
        let mut conn = app.pool().conn().await.unwrap();
        cycles::find(conn.exec(), CycleId(c.id))
            .await
            .unwrap()
            .unwrap()
            .cycle
    };
    let contact = fellowship_portal::mail::layout::Sender::from_config(&app.ctx().config).contact;
    let page = app.get("/programs/health-justice").await;
    assert_eq!(page.status, Status::Ok);
    for at in [
        stored.opens_at,
        stored.closes_at,
        stored.letters_due_at,
        stored.decision_planned_at,
    ] {
        page.assert_contains(&format!("<dd>{}</dd>", stored.show(at)));
    }
    page.assert_contains("(America/New_York)")
        .assert_contains(&format!(
            r#"<a class="button" href="/apply/cycles/{}">Apply</a>"#,
            c.id
        ))
        .assert_contains(&format!(r#"href="mailto:{contact}""#));
    app.get("/")
        .await
        .assert_contains(&format!("open until {}.", stored.show(stored.closes_at)));
    assert_eq!(
        app.get("/programs/no-such-program").await.status,
        Status::NotFound
    );
}

#[rocket::async_test]
async fn login_lands_an_applicant_on_their_applications_and_staff_where_they_did() {
    let app = spawn().await;
    app.new_user("Maya Chen", "maya@example.edu").await;
    let page = app.login("maya@example.edu", PASSWORD).await;
    assert_eq!(page.location.as_deref(), Some("/apply"));
    app.post("/account/logout", &[]).await;
    let page = app
        .post(
            "/account/login",
            &[
                ("email", "maya@example.edu"),
                ("password", PASSWORD),
                ("next", "/apply/profile"),
            ],
        )
        .await;
    assert_eq!(page.location.as_deref(), Some("/apply/profile"));

    let c = app.with_cycle().await;
    let mo = app
        .with_manager(&c, "Mo Manager", "mo@alliance.example")
        .await;
    mo.post("/account/logout", &[]).await;
    let page = mo.login("mo@alliance.example", PASSWORD).await;
    assert_eq!(page.location.as_deref(), Some("/"));
}

/// Counts the spans of the database layer's calls (each query function is
/// instrumented), by name.
#[derive(Clone, Default)]
struct DbCalls(std::sync::Arc<std::sync::Mutex<Vec<&'static str>>>);

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for DbCalls {
    fn on_new_span(
        &self,
        attrs: &tracing::span::Attributes<'_>,
        _: &tracing::span::Id,
        _: tracing_subscriber::layer::Context<'_, S>,
    ) {
        let m = attrs.metadata();
        if m.target().starts_with("fellowship_portal::db") {
            self.0.lock().unwrap().push(m.name());
        }
    }
}

/// The database calls the home page makes for an anonymous visitor.
async fn home_page_calls(app: &TestApp) -> Vec<&'static str> {
    use tracing::instrument::WithSubscriber;
    use tracing_subscriber::layer::SubscriberExt;
    // A second dispatcher for the whole run, so that tracing asks every
    // registered one about each callsite instead of caching the first
    // answer (see `observe::Captured::dispatch`).
    static SECOND: std::sync::OnceLock<tracing::Dispatch> = std::sync::OnceLock::new();
    SECOND.get_or_init(|| tracing::Dispatch::new(tracing::subscriber::NoSubscriber::default()));
    let calls = DbCalls::default();
    let subscriber = tracing_subscriber::registry().with(calls.clone());
    let page = app.get("/").with_subscriber(subscriber).await;
    assert_eq!(page.status, Status::Ok);
    let seen = calls.0.lock().unwrap().clone();
    seen
}

#[rocket::async_test]
async fn the_home_page_costs_the_same_queries_however_many_programs() {
    let app = spawn().await;
    // The site's settings are read once and then held for a few seconds:
    // the first page pays for them, so it is not the one counted.
    app.get("/").await;
    let three = home_page_calls(&app).await;
    assert_eq!(
        three.iter().filter(|n| **n == "public_calls").count(),
        1,
        "{three:?}"
    );
    let admin = app.admin_browser("dean@example.edu").await;
    for (name, slug) in [
        ("Social Mission Award", "social-mission"),
        ("Community Abstracts", "abstracts"),
        ("Rural Health Internship", "rural-health"),
    ] {
        let page = admin
            .post(
                "/admin/programs",
                &[
                    ("name", name),
                    ("slug", slug),
                    ("kind", "call"),
                    ("visibility", "public"),
                ],
            )
            .await;
        assert_eq!(page.status, Status::SeeOther, "{}", page.body);
        let id = app
            .count(&format!("SELECT id FROM programs WHERE slug = '{slug}'"))
            .await;
        madrid_cycle(&app, id, app.clock.now() - Duration::days(1)).await;
    }
    let page = app.get("/").await;
    page.assert_contains("Rural Health Internship");
    assert_eq!(page.body.matches(">Apply <span").count(), 6);
    // Named queries alike; connections alike, or one more when the held
    // settings ran out while the programs were being created.
    let six = home_page_calls(&app).await;
    let named = |calls: &[&'static str]| {
        calls
            .iter()
            .filter(|c| **c != "conn")
            .copied()
            .collect::<Vec<_>>()
    };
    let conns = |calls: &[&'static str]| calls.iter().filter(|c| **c == "conn").count();
    assert_eq!(named(&six), named(&three), "{six:?} against {three:?}");
    assert!(
        conns(&six) <= conns(&three) + 1,
        "{six:?} against {three:?}"
    );
}

#[rocket::async_test]
async fn the_home_page_and_the_program_page_leave_out_an_unpublished_cycle() {
    let app = spawn().await;
    let admin = app.admin_browser("dean@example.edu").await;
    let id = create_award(&app, &admin).await;
    let page = admin
        .post(&format!("/admin/programs/{id}"), &award("public"))
        .await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    let opens = app.clock.now() - Duration::days(1);
    let cycle = madrid_cycle(&app, id, opens).await;
    app.sql(&format!(
        "UPDATE cycles SET published = FALSE WHERE id = {cycle}"
    ))
    .await;

    let visitor = app.another_browser().await;
    let home = visitor.get("/").await;
    home.assert_contains("Social Mission Award")
        .assert_contains("Next call not announced")
        .assert_lacks("2027 award");
    visitor
        .get("/programs/social-mission")
        .await
        .assert_contains("Next call not announced")
        .assert_lacks("2027 award");

    app.sql(&format!(
        "UPDATE cycles SET published = TRUE WHERE id = {cycle}"
    ))
    .await;
    visitor
        .get("/")
        .await
        .assert_contains("2027 award: open until")
        .assert_contains("Nominate");
}

#[rocket::async_test]
async fn an_archived_program_gets_no_new_cycle_and_cannot_open_one() {
    let app = spawn().await;
    let c = app.with_cycle().await;
    let mo = app
        .with_manager(&c, "Mo Manager", "mo@alliance.example.org")
        .await;
    let admin = app.admin_browser("dean@example.edu").await;
    let copied = mo
        .post(
            &format!("/manage/cycles/{}/copy", c.id),
            &crate::setup_cycles::fields(&[("name", "2099 intake")]),
        )
        .await;
    let copy = crate::setup_cycles::cycle_in(&copied);
    admin
        .post(
            &format!("/admin/programs/{}/archive", c.program),
            &[("archive", "yes")],
        )
        .await;
    let cycles_before = app.count("SELECT COUNT(*) FROM cycles").await;

    let refused =
        "This program is archived: an admin must bring it back before it runs a new cycle.";
    let created = mo
        .post(
            &crate::setup_cycles::new_cycle(&c),
            &crate::setup_cycles::fields(&[("name", "Autumn intake")]),
        )
        .await;
    follow(&mo, created).await.assert_contains(refused);
    let again = mo
        .post(
            &format!("/manage/cycles/{}/copy", c.id),
            &crate::setup_cycles::fields(&[("name", "2100 intake")]),
        )
        .await;
    follow(&mo, again).await.assert_contains(refused);
    let opened = mo
        .post(&format!("/manage/cycles/{copy}/publish"), &[])
        .await;
    follow(&mo, opened).await.assert_contains(refused);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM cycles").await,
        cycles_before
    );
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM cycles WHERE id = {copy} AND published = FALSE"
        ))
        .await,
        1,
        "the copy stays unpublished"
    );
}

/// The page a refused form lands on: the redirect followed, or the page
/// shown again.
async fn follow(who: &Browser, page: Page) -> Page {
    match (page.status, &page.location) {
        (Status::SeeOther, Some(to)) => who.get(to).await,
        _ => page,
    }
}

#[rocket::async_test]
async fn a_nomination_asks_the_people_it_names_for_letters_of_support() {
    let app = spawn().await;
    let admin = app.admin_browser("dean@example.edu").await;
    let award = create_award(&app, &admin).await;
    let opens = app.clock.now() - Duration::days(1);
    let cycle = madrid_cycle_with(
        &app,
        award,
        opens,
        fellowship_portal::domain::starter::NOMINATION_FORM,
    )
    .await;
    app.logged_in_user("Maya Chen", "maya@example.edu").await;
    let started = app.post(&format!("/apply/cycles/{cycle}/start"), &[]).await;
    assert_eq!(started.status, Status::SeeOther, "{}", started.body);
    let id: i64 = started
        .location
        .unwrap()
        .split('/')
        .nth(3)
        .unwrap()
        .parse()
        .unwrap();
    let named = app
        .post(
            &format!("/apply/applications/{id}/referees"),
            &[
                ("question", "support_letters"),
                ("position", "1"),
                ("name", "Dr. Lucia Ramos"),
                ("email", "lucia@clinic.example.org"),
                ("relationship", "The nominee's colleague"),
                ("waiver", "yes"),
            ],
        )
        .await;
    assert_eq!(named.status, Status::SeeOther, "{}", named.body);

    let mail = app
        .last_mail("lucia@clinic.example.org", "referee_request")
        .await;
    assert_eq!(
        mail.subject,
        "Maya Chen asks you for a letter of support (Social Mission Award)"
    );
    assert!(
        mail.text_body
            .contains("Maya Chen is making a nomination for the Social Mission Award"),
        "{}",
        mail.text_body
    );
    assert!(
        !mail.text_body.contains("recommendation"),
        "{}",
        mail.text_body
    );
    let link = crate::helpers::link_in(&mail.text_body, "/referee/");
    app.another_browser()
        .await
        .get(&link)
        .await
        .assert_contains("has asked you for a letter of support")
        .assert_lacks("letter of recommendation");

    // A fellowship's referee is still asked for a recommendation.
    let nell = app.another_browser().await;
    app.new_user("Nell Newcomer", "nell@example.edu").await;
    nell.login("nell@example.edu", PASSWORD).await;
    let draft = app.start_health_justice(&nell).await;
    nell.name_referee(draft, "1", "Prof. Sam Okafor", "sam@uni.example.edu")
        .await;
    let other = app
        .last_mail("sam@uni.example.edu", "referee_request")
        .await;
    assert!(
        other.subject.contains("letter of recommendation"),
        "{}",
        other.subject
    );
}
