//! Decisions and letters: held until released, released with one letter
//! each, changed safely, offers answered, lapsed and passed to the
//! waitlist; letter templates checked on save; the outbox page, the send
//! rate and delivery through a real SMTP server that goes away.

mod changes;
mod concurrency;
mod delivery;
mod offers;
mod release;
mod reports;
mod templates;

use crate::fixtures::{mark_eligible, Cycle};
use crate::helpers::{Browser, TestApp};

/// An application in review owned by the main browser's (logged-in) user.
pub(crate) async fn own_application_in_review(
    app: &TestApp,
    c: &Cycle,
    manager: &Browser,
    name: &str,
    email: &str,
) -> i64 {
    let me = app.logged_in_user(name, email).await;
    let a = app
        .submitted_application(c)
        .by(name, &format!("stored-{email}"))
        .of(me)
        .from("Lakeside University")
        .await;
    mark_eligible(manager, a).await;
    a
}

pub(crate) async fn decide(
    manager: &Browser,
    a: i64,
    outcome: &str,
    version: &str,
) -> crate::helpers::Page {
    manager
        .post(
            &format!("/manage/applications/{a}/decide"),
            &[
                ("version", version),
                ("outcome", outcome),
                ("note", "A strong community focus."),
            ],
        )
        .await
}

/// Releases every held decision of the cycle, confirming the counts shown.
pub(crate) async fn release_all(manager: &Browser, cycle: i64) -> crate::helpers::Page {
    let page = manager
        .get(&format!("/manage/cycles/{cycle}/release"))
        .await;
    let mut fields: Vec<(String, String)> = Vec::new();
    for o in ["accepted", "waitlisted", "declined"] {
        let marker = format!("name=\"seen[{o}]\" value=\"");
        let at = page.body.find(&marker).map(|i| i + marker.len());
        let seen = at.map_or("0".to_owned(), |i| {
            page.body[i..].split('"').next().unwrap().to_owned()
        });
        fields.push(("outcome".into(), o.into()));
        fields.push((format!("seen[{o}]"), seen));
    }
    fields.push(("confirm".into(), "true".into()));
    let borrowed: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    manager
        .post(&format!("/manage/cycles/{cycle}/release"), &borrowed)
        .await
}
