//! The applicant journey in headless Chromium, with axe-core on every page
//! (tests/browser/journey.js), against the real binary.

use std::process::Command;

use crate::helpers::{free_port, fresh_database, serve};

#[rocket::async_test]
#[ignore = "needs Chromium and the npm packages of package.json (scripts/test-all installs them)"]
async fn the_applicant_journey_works_in_a_browser_without_accessibility_violations() {
    let dir = tempfile::tempdir().unwrap();
    let (db_url, _database) = fresh_database(dir.path()).await;
    let data = dir.path().join("data");
    let port = free_port();
    let (mut child, printed) = serve(&data, &db_url, port);
    assert!(printed.contains("fellowship-portal is ready"), "{printed}");
    let out = Command::new("node")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .arg("tests/browser/journey.js")
        .arg(format!("http://127.0.0.1:{port}"))
        .arg(data.join("mail"))
        .output()
        .expect("node runs");
    child.kill().unwrap();
    child.wait().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "the browser journey failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("axe found no violations"), "{stdout}");
}
