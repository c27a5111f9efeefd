//! The applicant journey, the review workflow and the decisions (held,
//! letters, release, the offer answered) in headless Chromium, with
//! axe-core on every page (tests/browser/journey.js), against the real
//! binary: documents in the local folder, and in an S3-compatible store.
//! And the program team's set-up of a call (tests/browser/setup.js): a new
//! program, a cycle cloned, its form and rubric changed, opened, and
//! applied to. And the staff workspace on a seeded cycle of real size
//! (tests/browser/workspace.js and its parts in tests/browser/workspace/).

use std::process::Command;

use crate::helpers::{free_port, fresh_database, portal, serve_with, S3Server, S3_KEY, S3_SECRET};

async fn journey(env: &[(&str, String)]) {
    run_script("tests/browser/journey.js", env).await;
}

/// Serves the portal binary on a fresh database and runs the node script
/// against it; the script must pass with no accessibility violation.
async fn run_script(script: &str, env: &[(&str, String)]) {
    run_script_on(script, env, None).await;
}

/// [`run_script`], on a database that `seed-demo` first fills with
/// `applications` demo applications (and reviewers, reviews, a manager):
/// the script gets the demo password and the cycle in `DEMO_PASSWORD` and
/// `DEMO_CYCLE`.
async fn run_script_on(script: &str, env: &[(&str, String)], applications: Option<usize>) {
    let dir = tempfile::tempdir().unwrap();
    let (db_url, _database) = fresh_database(dir.path()).await;
    let data = dir.path().join("data");
    let mut demo: Vec<(&str, String)> = Vec::new();
    if let Some(n) = applications {
        let out = portal(&data, &db_url)
            .args(["seed-demo", "--applications", &n.to_string()])
            .output()
            .expect("seed-demo runs");
        let printed = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "seed-demo failed:\n{printed}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let cycle = printed
            .split("(cycle ")
            .nth(1)
            .and_then(|rest| rest.split(')').next())
            .unwrap_or_else(|| panic!("no cycle in what seed-demo printed:\n{printed}"));
        demo.push(("DEMO_CYCLE", cycle.to_string()));
        demo.push((
            "DEMO_PASSWORD",
            printed_value(&printed, "Password:").to_string(),
        ));
    }
    let port = free_port();
    let (mut child, printed) = serve_with(&data, &db_url, port, env);
    assert!(printed.contains("fellowship-portal is ready"), "{printed}");
    let admin_email = printed_value(&printed, "First admin:");
    let admin_password = printed_value(&printed, "One-time password:");
    // The page a reminder's stop link opens (no reminder is due in the
    // journey, so its token is drawn here, as the first reminder would).
    let reminders = {
        let pool = fellowship_portal::db::PortalPool::connect(
            &db_url,
            1,
            std::time::Duration::from_secs(10),
        )
        .await
        .unwrap();
        let mut conn = pool.conn().await.unwrap();
        let token = fellowship_portal::db::mail_preferences::token_for(
            conn.exec(),
            "rosa.referee@example.org",
            &fellowship_portal::auth::token::generate(),
            chrono::Utc::now(),
        )
        .await
        .unwrap();
        format!("/mail/reminders/{token}")
    };
    let out = Command::new("node")
        .envs(demo)
        .env("JOURNEY_REMINDERS_PATH", reminders)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .arg(script)
        .arg(format!("http://127.0.0.1:{port}"))
        .arg(data.join("mail"))
        .arg(admin_email)
        .arg(admin_password)
        .output()
        .expect("node runs");
    child.kill().unwrap();
    child.wait().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "the browser journey {script} failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("axe found no violations"), "{stdout}");
    // The page count and the time (shown with --nocapture).
    println!("{}", stdout.trim());
}

/// What follows `label` on the line of the start-up message that has it.
fn printed_value<'a>(printed: &'a str, label: &str) -> &'a str {
    printed
        .lines()
        .find_map(|line| line.trim().strip_prefix(label))
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| panic!("no {label:?} line in what the binary printed:\n{printed}"))
}

#[rocket::async_test]
#[ignore = "needs Chromium and the npm packages of package.json (scripts/test-all installs them)"]
async fn the_applicant_journey_works_in_a_browser_without_accessibility_violations() {
    journey(&[]).await;
}

#[rocket::async_test]
#[ignore = "needs Chromium and the npm packages of package.json (scripts/test-all installs them)"]
async fn a_program_team_sets_up_a_call_in_a_browser_without_accessibility_violations() {
    run_script("tests/browser/setup.js", &[]).await;
}

#[rocket::async_test]
#[ignore = "needs Chromium and the npm packages of package.json (scripts/test-all installs them)"]
async fn the_staff_workspace_works_in_a_browser_on_a_cycle_of_real_size() {
    run_script_on("tests/browser/workspace.js", &[], Some(120)).await;
}

#[rocket::async_test]
#[ignore = "needs Chromium, the npm packages and s3s-fs (scripts/test-all installs them)"]
async fn the_applicant_journey_works_with_documents_on_s3() {
    let server = S3Server::start();
    server.bucket("journey").await;
    journey(&[
        ("PORTAL_STORAGE", "s3".into()),
        ("PORTAL_S3_ENDPOINT", server.endpoint()),
        ("PORTAL_S3_BUCKET", "journey".into()),
        ("AWS_ACCESS_KEY_ID", S3_KEY.into()),
        ("AWS_SECRET_ACCESS_KEY", S3_SECRET.into()),
    ])
    .await;
    let store = fellowship_portal::storage::s3::S3Store::connect(
        Some(&server.endpoint()),
        "us-east-1",
        "journey",
        S3_KEY,
        S3_SECRET,
    );
    let objects = store
        .client
        .list_objects_v2()
        .bucket("journey")
        .send()
        .await
        .unwrap();
    assert_eq!(
        objects.contents().len(),
        2,
        "the CV and the referee's letter are in the bucket"
    );
}
