//! The links people follow from their mail (a referee's, a confirmation,
//! a reset) and the other objects the public and admin rows aim at. Links
//! are stored with secrets we know: the portal mails them and keeps only
//! their hash.

use fellowship_portal::auth::token;
use fellowship_portal::db::{invitations, outbox, referees, tokens};
use fellowship_portal::domain::application::ApplicationId;
use fellowship_portal::domain::cycle::CycleId;
use fellowship_portal::domain::program::ProgramId;
use fellowship_portal::domain::role::ProgramRole;
use fellowship_portal::domain::user::UserId;
use rocket::http::Status;

use super::applications::Applications;
use super::people::{account, grant};
use super::Programs;
use crate::helpers::TestApp;
use crate::permissions::roles::Col;

/// Referee and account links.
pub struct Links {
    /// Working referee links, one per route that takes one (an answer
    /// spends it).
    pub show: String,
    pub letter: String,
    pub decline: String,
    /// Past the letters deadline and its grace period; already answered;
    /// never sent.
    pub expired: String,
    pub used: String,
    pub wrong: String,
    /// Ana's referee on A, for the other applicant's column.
    pub referee_a: i64,
    /// Account links, one per base column where following it spends it.
    pub confirm: Vec<(Col, String)>,
    pub reset: Vec<(Col, String)>,
    pub reset_peek: String,
    /// Links confirming a new email address: one per base column (each
    /// changes an account of its own), and one only shown.
    pub email_change: Vec<(Col, String)>,
    pub email_change_peek: String,
    /// The token of a referee's page that stops reminders.
    pub stop: String,
    /// Invitation links: to a new address (shown only), to another new
    /// address (the account is made from it), and to Ada, the admin, as a
    /// reviewer of Summer Internship (accepted by her).
    pub invitation_peek: String,
    pub invitation_new: String,
    pub invitation_ada: String,
}

/// What the public and admin rows name.
pub struct Targets {
    /// Logs in at the end (every column, as the same account).
    pub lou_email: String,
    /// Asks for a reset link; Uma for a new confirmation link.
    pub rob_email: String,
    pub uma_email: String,
    /// Gets and loses roles from the admin's rows.
    pub gus: UserId,
    pub failed_message: i64,
    /// The Summer Internship's rubric, which the import row imports changed.
    pub rubric_c3: String,
    /// A label of the Health Justice cycle, which the managers' row removes.
    pub label_hj: i64,
    /// A message sent to Health Justice applicants, whose record the
    /// managers' row reads.
    pub message_hj: i64,
    /// Invitations the managers' and the admin's rows send again and
    /// revoke: to Health Justice, and to Summer Internship.
    pub invitation_hj: [i64; 2],
    pub invitation_p3: [i64; 2],
}

/// A referee request of `application` with a link we know; `live` links
/// work for another month, the others closed yesterday (as after the
/// letters deadline and its grace period).
async fn request(
    app: &TestApp,
    application: i64,
    position: i64,
    email: &str,
    live: bool,
) -> String {
    let secret = token::generate();
    let days = if live { 30 } else { -1 };
    let mut conn = app.pool().conn().await.unwrap();
    let r = referees::NewRequest {
        application_id: ApplicationId(application),
        question_key: "referees",
        position,
        name: "Dr. Lena Ortiz",
        email,
        relationship: "Clinical supervisor",
        waived: true,
        token_hash: &token::hash(&secret),
        token_expires_at: chrono::Utc::now() + chrono::Duration::days(days),
    };
    let stored = referees::put(conn.exec(), &r, chrono::Utc::now()).await;
    stored.unwrap().expect("a new request");
    secret
}

/// An invitation of `email` to review for `program` sent by `by`, with a
/// secret we know: its id and the secret.
async fn invitation(app: &TestApp, email: &str, program: i64, by: UserId) -> (i64, String) {
    let secret = token::generate();
    let now = chrono::Utc::now();
    let mut conn = app.pool().conn().await.unwrap();
    let new = invitations::NewInvitation {
        email,
        program: ProgramId(program),
        role: ProgramRole::Reviewer,
        token_hash: &token::hash(&secret),
        invited_by: by,
        expires_at: now + chrono::Duration::days(14),
    };
    let id = invitations::insert(conn.exec(), &new, now).await.unwrap();
    (id.0, secret)
}

/// A link confirming `user`'s change of address to `to`, with a secret
/// we know.
async fn email_change_link(app: &TestApp, user: UserId, to: &str) -> String {
    let secret = token::generate();
    let now = chrono::Utc::now();
    let expires = now + chrono::Duration::hours(24);
    let mut conn = app.pool().conn().await.unwrap();
    let hash = token::hash(&secret);
    fellowship_portal::db::email_changes::create(conn.exec(), user, to, &hash, user, expires, now)
        .await
        .unwrap();
    secret
}

/// An account link of `user` with a secret we know.
async fn account_link(app: &TestApp, user: UserId, purpose: tokens::Purpose) -> String {
    let secret = token::generate();
    let now = chrono::Utc::now();
    let expires = now + chrono::Duration::minutes(30);
    let mut conn = app.pool().conn().await.unwrap();
    let hash = token::hash(&secret);
    tokens::create(conn.exec(), user, purpose, &hash, expires, now)
        .await
        .unwrap();
    secret
}

pub async fn build(app: &TestApp, p: &Programs, apps: &Applications) -> (Links, Targets) {
    request(app, apps.a, 1, "lena@hill-clinic.example.org", true).await;
    let referee_a = {
        let mut conn = app.pool().conn().await.unwrap();
        referees::for_application(conn.exec(), ApplicationId(apps.a))
            .await
            .unwrap()[0]
            .id
    };
    let refs = apps.refs;
    let show = request(app, refs, 1, "one@clinic.example.org", true).await;
    let letter = request(app, refs, 2, "two@clinic.example.org", true).await;
    let decline = request(app, refs, 3, "three@clinic.example.org", true).await;
    let expired = request(app, refs, 4, "four@clinic.example.org", false).await;
    let used = request(app, refs, 5, "five@clinic.example.org", true).await;
    let page = app
        .post(
            &format!("/referee/{used}/decline"),
            &[("note", "On leave.")],
        )
        .await;
    assert_eq!(page.status, Status::Ok, "{}", page.body);

    // Following one link spends every other link of its account, so each
    // column follows a link to an account of its own.
    let mut confirm = Vec::new();
    let mut reset = Vec::new();
    let mut email_change = Vec::new();
    for col in Col::ALL.into_iter().filter(|c| c.is_base()) {
        let who = col.label().replace(' ', "-");
        let email = format!("una-{who}@student.example.edu");
        let una = account(app, "Una Unconfirmed", &email, false).await;
        confirm.push((
            col,
            account_link(app, una, tokens::Purpose::ConfirmEmail).await,
        ));
        let email = format!("ray-{who}@student.example.edu");
        let ray = account(app, "Ray Forgetful", &email, true).await;
        reset.push((
            col,
            account_link(app, ray, tokens::Purpose::ResetPassword).await,
        ));
        let email = format!("eve-{who}@student.example.edu");
        let eve = account(app, "Eve Moving", &email, true).await;
        email_change.push((
            col,
            email_change_link(app, eve, &format!("eve-{who}@new.example.edu")).await,
        ));
    }
    let rob_email = "rob@student.example.edu".to_owned();
    let rob = account(app, "Rob Forgetful", &rob_email, true).await;
    let reset_peek = account_link(app, rob, tokens::Purpose::ResetPassword).await;
    let email_change_peek = email_change_link(app, rob, "rob@new.example.edu").await;

    let lou_email = "lou@student.example.edu".to_owned();
    app.new_user("Lou Visitor", &lou_email).await;
    let uma_email = "uma@student.example.edu".to_owned();
    account(app, "Uma Unconfirmed", &uma_email, false).await;
    let gus = account(app, "Gus Faculty", "gus@alliance.org", true).await;
    grant(app, gus, p.p2, ProgramRole::Reviewer).await;
    let (_, invitation_peek) = invitation(app, "pia@faculty.example.edu", p.p3, gus).await;
    let (_, invitation_new) = invitation(app, "noor@faculty.example.edu", p.p3, gus).await;
    let (_, invitation_ada) = invitation(app, "ada@alliance.org", p.p3, gus).await;
    let mut invitation_hj = [0; 2];
    let mut invitation_p3 = [0; 2];
    for (i, who) in ["one", "two"].into_iter().enumerate() {
        let email = format!("{who}@faculty.example.edu");
        invitation_hj[i] = invitation(app, &email, p.hj.program, gus).await.0;
        invitation_p3[i] = invitation(app, &email, p.p3, gus).await.0;
    }
    let failed_message = app.count("SELECT MAX(id) FROM outbox").await;
    let label_hj = {
        let mut conn = app.pool().conn().await.unwrap();
        fellowship_portal::db::labels::create(
            conn.exec(),
            fellowship_portal::domain::cycle::CycleId(p.hj.id),
            "To be removed",
            chrono::Utc::now(),
        )
        .await
        .unwrap()
        .unwrap()
    };
    let message_hj = {
        let mut conn = app.pool().conn().await.unwrap();
        let m = fellowship_portal::db::messages::NewMessage {
            cycle: CycleId(p.hj.id),
            by: gus,
            audience: "drafts",
            subject: "Your draft",
            body: "Dear {{applicant_name}},",
        };
        fellowship_portal::db::messages::insert(conn.exec(), &m, chrono::Utc::now())
            .await
            .unwrap()
    };
    let mut conn = app.pool().conn().await.unwrap();
    outbox::mark_failed(conn.exec(), failed_message, "relay refused the message")
        .await
        .unwrap();
    let rubric_c3 = fellowship_portal::db::cycles::review_setup(conn.exec(), CycleId(p.c3))
        .await
        .unwrap()
        .expect("the cycle's review setup")
        .rubric_json;
    let now = chrono::Utc::now();
    let stop = fellowship_portal::db::mail_preferences::token_for(
        conn.exec(),
        "one@clinic.example.org",
        &fellowship_portal::auth::token::generate(),
        now,
    )
    .await
    .unwrap();
    let links = Links {
        show,
        letter,
        decline,
        expired,
        used,
        wrong: token::generate(),
        referee_a,
        confirm,
        reset,
        reset_peek,
        email_change,
        email_change_peek,
        stop,
        invitation_peek,
        invitation_new,
        invitation_ada,
    };
    let targets = Targets {
        lou_email,
        rob_email,
        uma_email,
        gus,
        failed_message,
        rubric_c3,
        label_hj,
        message_hj,
        invitation_hj,
        invitation_p3,
    };
    (links, targets)
}
