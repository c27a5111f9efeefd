//! A cycle's outcomes renamed by its managers: the new name is what staff
//! read on every decision page and what the letter says, the meaning (an
//! offer, the waitlist) stays; a copy of the cycle keeps the names; bad
//! names are told next to their field and nothing is stored.

use rocket::http::Status;

use crate::decisions::{decide, own_application_in_review, release_all};
use crate::helpers::{spawn, TestApp};
use crate::setup_cycles::{cycle_in, form_values, health_justice_with_mo, post_owned};

fn outcomes_of(cycle: i64) -> String {
    format!("/manage/cycles/{cycle}/outcomes")
}

async fn labels(app: &TestApp, cycle: i64) -> Vec<String> {
    app.texts(&format!(
        "SELECT label FROM cycle_outcomes WHERE cycle_id = {cycle} ORDER BY position"
    ))
    .await
}

fn named(accepted: &str, waitlisted: &str, declined: &str) -> Vec<(&'static str, String)> {
    vec![
        ("labels[accepted]", accepted.to_owned()),
        ("labels[waitlisted]", waitlisted.to_owned()),
        ("labels[declined]", declined.to_owned()),
    ]
}

async fn rename(
    b: &crate::helpers::Browser,
    cycle: i64,
    fields: &[(&'static str, String)],
) -> crate::helpers::Page {
    let borrowed: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    b.post(&outcomes_of(cycle), &borrowed).await
}

#[rocket::async_test]
async fn a_renamed_outcome_is_what_staff_read_and_what_the_letter_says() {
    let app = spawn().await;
    let (c, mo) = health_justice_with_mo(&app).await;
    let a = own_application_in_review(&app, &c, &mo, "Ana Applicant", "ana@student.edu").await;

    // Every cycle starts with the three defaults under the portal's names.
    assert_eq!(
        labels(&app, c.id).await,
        ["Accepted", "Waitlisted", "Not selected"]
    );
    mo.get(&format!("/manage/cycles/{}", c.id))
        .await
        .assert_contains(&format!("href=\"{}\"", outcomes_of(c.id)));
    mo.get(&outcomes_of(c.id))
        .await
        .assert_contains("<label for=\"label-declined\">Name of the declined outcome</label>")
        .assert_contains("name=\"labels[declined]\" type=\"text\" value=\"Not selected\"");

    let page = rename(&mo, c.id, &named("Accepted", "Waitlisted", "Not this year")).await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    assert_eq!(page.location.as_deref(), Some(outcomes_of(c.id).as_str()));
    assert_eq!(
        labels(&app, c.id).await,
        ["Accepted", "Waitlisted", "Not this year"]
    );
    assert_eq!(
        app.text(&format!(
            "SELECT detail FROM audit_log WHERE action = 'cycle.outcomes' AND subject = 'cycle:{}'",
            c.id
        ))
        .await,
        "declined: “Not selected” → “Not this year”"
    );
    // Saving the same names again changes and records nothing.
    rename(&mo, c.id, &named("Accepted", "Waitlisted", "Not this year")).await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'cycle.outcomes'")
            .await,
        1
    );

    // The decision form, the ranking and the letters page.
    mo.get(&format!("/manage/applications/{a}"))
        .await
        .assert_contains("Not this year")
        .assert_lacks("Not selected");
    mo.get(&format!("/manage/cycles/{}/ranking", c.id))
        .await
        .assert_contains("Decide: Not this year (held until release)");
    mo.get(&format!("/manage/cycles/{}/letters", c.id))
        .await
        .assert_contains(">Not this year</a>");
    let letter = mo
        .post(
            &format!("/manage/cycles/{}/letters/declined", c.id),
            &[
                ("subject", "{{program}}: {{outcome}}"),
                (
                    "body",
                    "Dear {{applicant_name}},\n\nOur decision: {{outcome}}.\n\n{{status_link}}\n",
                ),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(letter.status, Status::SeeOther, "{}", letter.body);

    // Decided: the message, the decisions list (row and filter) and the
    // release counts say the cycle's name; the stored meaning is unchanged.
    let page = decide(&mo, a, "declined", "").await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM decisions WHERE outcome = 'declined'")
            .await,
        1
    );
    mo.get(&format!("/manage/applications/{a}"))
        .await
        .assert_contains("Decision recorded: Not this year. Held until you release decisions.");
    mo.get(&format!("/manage/cycles/{}/decisions", c.id))
        .await
        .assert_contains("<td data-label=\"Decision\">Not this year</td>")
        .assert_contains("?outcome=declined\">Not this year</a>");
    mo.get(&format!("/manage/cycles/{}/release", c.id))
        .await
        .assert_contains("Not this year: 1");

    let page = release_all(&mo, c.id).await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    let letter = app.last_mail("ana@student.edu", "decision_letter").await;
    assert_eq!(letter.subject, "Health Justice Fellowship: Not this year");
    assert!(
        letter.text_body.contains("Our decision: Not this year."),
        "{}",
        letter.text_body
    );
    // The applicant's own page names the decision as the cycle does.
    app.get(&format!("/apply/applications/{a}"))
        .await
        .assert_contains("Decision: Not this year")
        .assert_lacks("Not selected");
}

#[rocket::async_test]
async fn two_outcomes_may_swap_names() {
    let app = spawn().await;
    let (c, mo) = health_justice_with_mo(&app).await;
    let page = rename(&mo, c.id, &named("Waitlisted", "Accepted", "Not selected")).await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    assert_eq!(
        labels(&app, c.id).await,
        ["Waitlisted", "Accepted", "Not selected"]
    );
}

#[rocket::async_test]
async fn bad_names_are_told_next_to_their_field_and_nothing_is_stored() {
    let app = spawn().await;
    let (c, mo) = health_justice_with_mo(&app).await;
    let long = "x".repeat(81);
    for (fields, field, message) in [
        (named("Offered", "Waitlisted", "  "), "label-declined", "Enter a name for this outcome."),
        (named("Offered", "Waitlisted", &long), "label-declined", "Shorten the name to 80 characters or fewer."),
        (
            named("Offered", "offered ", "Declined"),
            "label-waitlisted",
            "Another outcome of this cycle is already called “offered”: give each outcome its own name.",
        ),
    ] {
        let page = rename(&mo, c.id, &fields).await;
        assert_eq!(page.status, Status::UnprocessableEntity, "{}", page.body);
        page.assert_contains("There is a problem")
            .assert_contains(&format!("href=\"#{field}\""))
            .assert_contains(&format!("id=\"{field}-error\""))
            .assert_contains(&format!("aria-describedby=\"{field}-hint {field}-error\""))
            .assert_contains(message)
            // What was typed is shown again.
            .assert_contains("value=\"Offered\"");
        assert_eq!(labels(&app, c.id).await, ["Accepted", "Waitlisted", "Not selected"]);
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'cycle.outcomes'")
            .await,
        0
    );
}

#[rocket::async_test]
async fn a_copy_of_a_cycle_keeps_its_outcome_names() {
    let app = spawn().await;
    let (c, mo) = health_justice_with_mo(&app).await;
    rename(
        &mo,
        c.id,
        &named("Offered a place", "Waitlisted", "Not this year"),
    )
    .await;
    let page = mo.get(&format!("/manage/cycles/{}/copy", c.id)).await;
    let copied = post_owned(
        &mo,
        &format!("/manage/cycles/{}/copy", c.id),
        &form_values(&page.body),
    )
    .await;
    let copy = cycle_in(&copied);
    assert_eq!(
        labels(&app, copy).await,
        ["Offered a place", "Waitlisted", "Not this year"]
    );
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM cycle_outcomes WHERE cycle_id = {copy} AND key = meaning"
        ))
        .await,
        3
    );
    // The copy's names are its own from then on.
    rename(
        &mo,
        copy,
        &named("Offered a place", "Waitlisted", "Declined"),
    )
    .await;
    assert_eq!(labels(&app, c.id).await[2], "Not this year");
}

fn add_outcome_of(cycle: i64) -> String {
    format!("/manage/cycles/{cycle}/outcomes/add")
}

async fn add_outcome(
    b: &crate::helpers::Browser,
    cycle: i64,
    label: &str,
    meaning: &str,
) -> crate::helpers::Page {
    b.post(
        &add_outcome_of(cycle),
        &[("label", label), ("meaning", meaning)],
    )
    .await
}

#[rocket::async_test]
async fn an_outcome_added_as_accepted_makes_an_offer_and_says_its_name() {
    let app = spawn().await;
    let (c, mo) = health_justice_with_mo(&app).await;
    let a = own_application_in_review(&app, &c, &mo, "Ana Applicant", "ana@student.edu").await;

    mo.get(&outcomes_of(c.id))
        .await
        .assert_contains("<legend>What it does</legend>")
        .assert_contains(
            "<label for=\"new-meaning-accepted\">Acts as “Accepted”: the applicant is offered a place</label>",
        );
    let page = add_outcome(&mo, c.id, " Accepted as poster ", "accepted").await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    assert_eq!(
        app.texts(&format!(
            "SELECT key || ' ' || meaning || ' ' || label FROM cycle_outcomes WHERE cycle_id = {} ORDER BY position",
            c.id
        ))
        .await,
        [
            "accepted accepted Accepted",
            "waitlisted waitlisted Waitlisted",
            "declined declined Not selected",
            "extra-1 accepted Accepted as poster"
        ]
    );
    assert_eq!(
        app.text("SELECT detail FROM audit_log WHERE action = 'cycle.outcome_add'")
            .await,
        "extra-1: “Accepted as poster”, acts as accepted"
    );
    mo.get(&outcomes_of(c.id))
        .await
        .assert_contains("Outcome “Accepted as poster” added.")
        .assert_contains("name=\"labels[extra-1]\" type=\"text\" value=\"Accepted as poster\"")
        .assert_contains("Remove “Accepted as poster”");
    mo.get(&format!("/manage/cycles/{}/letters", c.id))
        .await
        .assert_contains("Also for “Accepted as poster”");
    // The accepted letter says the decision's name.
    let letter = mo
        .post(
            &format!("/manage/cycles/{}/letters/accepted", c.id),
            &[
                ("subject", "{{program}}: {{outcome}}"),
                (
                    "body",
                    "Dear {{applicant_name}},\n\nOur decision: {{outcome}}. Please answer by {{offer_deadline}}.\n\n{{status_link}}\n",
                ),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(letter.status, Status::SeeOther, "{}", letter.body);

    // The decision form offers it after the defaults; deciding it stores
    // the meaning and the key.
    mo.get(&format!("/manage/applications/{a}"))
        .await
        .assert_contains("value=\"extra-1\"")
        .assert_contains("Accepted as poster");
    let page = decide(&mo, a, "extra-1", "").await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    assert_eq!(
        app.text(&format!(
            "SELECT outcome || ' ' || outcome_key FROM decisions WHERE application_id = {a}"
        ))
        .await,
        "accepted extra-1"
    );
    mo.get(&format!("/manage/applications/{a}"))
        .await
        .assert_contains(
            "Decision recorded: Accepted as poster. Held until you release decisions.",
        );
    mo.get(&format!("/manage/cycles/{}/decisions", c.id))
        .await
        .assert_contains("<td data-label=\"Decision\">Accepted as poster</td>");
    // Filtering by meaning finds it.
    mo.get(&format!(
        "/manage/cycles/{}/decisions?outcome=accepted",
        c.id
    ))
    .await
    .assert_contains("<td data-label=\"Decision\">Accepted as poster</td>");
    // Removing it is refused while a decision uses it.
    let page = mo
        .post(&format!("{}/extra-1/remove", outcomes_of(c.id)), &[])
        .await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    mo.get(&outcomes_of(c.id)).await.assert_contains(
        "“Accepted as poster” cannot be removed: 1 decision is recorded as it. Change it to another outcome first.",
    );
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM cycle_outcomes WHERE cycle_id = {} AND key = 'extra-1'",
            c.id
        ))
        .await,
        1
    );

    // Released: an offer like any accepted one, and the accepted letter.
    let page = release_all(&mo, c.id).await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM decisions WHERE application_id = {a} AND released_at IS NOT NULL AND offer_deadline IS NOT NULL"
        ))
        .await,
        1
    );
    let letter = app.last_mail("ana@student.edu", "decision_letter").await;
    assert_eq!(
        letter.subject,
        "Health Justice Fellowship: Accepted as poster"
    );
    assert!(
        letter
            .text_body
            .contains("Our decision: Accepted as poster. Please answer by"),
        "{}",
        letter.text_body
    );
    app.get(&format!("/apply/applications/{a}"))
        .await
        .assert_contains("Decision: Accepted as poster");
    mo.get(&format!("/manage/applications/{a}"))
        .await
        .assert_contains("Accepted as poster");

    // Once no decision uses it, it may go.
    let v = app
        .text(&format!(
            "SELECT CAST(version AS TEXT) FROM decisions WHERE application_id = {a}"
        ))
        .await;
    let page = mo
        .post(
            &format!("/manage/applications/{a}/decide"),
            &[
                ("version", v.as_str()),
                ("outcome", "accepted"),
                ("note", ""),
                ("confirm", "true"),
            ],
        )
        .await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM decisions WHERE application_id = {a} AND outcome = 'accepted' AND outcome_key IS NULL"
        ))
        .await,
        1
    );
    let page = mo
        .post(&format!("{}/extra-1/remove", outcomes_of(c.id)), &[])
        .await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    mo.get(&outcomes_of(c.id))
        .await
        .assert_contains("Outcome “Accepted as poster” removed.");
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM cycle_outcomes WHERE cycle_id = {}",
            c.id
        ))
        .await,
        3
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'cycle.outcome_remove'")
            .await,
        1
    );
    // A default outcome cannot be removed.
    let page = mo
        .post(&format!("{}/accepted/remove", outcomes_of(c.id)), &[])
        .await;
    assert_eq!(page.status, Status::NotFound);
}

#[rocket::async_test]
async fn a_bad_added_outcome_is_told_next_to_its_field_and_nothing_is_stored() {
    let app = spawn().await;
    let (c, mo) = health_justice_with_mo(&app).await;
    let stored = format!(
        "SELECT COUNT(*) FROM cycle_outcomes WHERE cycle_id = {}",
        c.id
    );
    for (label, meaning, field, message, kept) in [
        (
            "   ",
            "accepted",
            "new-label",
            "Enter a name for this outcome.",
            "id=\"new-meaning-accepted\" name=\"meaning\" value=\"accepted\" checked",
        ),
        (
            "not SELECTED",
            "declined",
            "new-label",
            "Another outcome of this cycle is already called “not SELECTED”: give each outcome its own name.",
            "value=\"not SELECTED\"",
        ),
        ("Oral talk", "maybe", "new-meaning", "Choose what this outcome does.", "value=\"Oral talk\""),
        ("Oral talk", "", "new-meaning", "Choose what this outcome does.", "value=\"Oral talk\""),
    ] {
        let page = add_outcome(&mo, c.id, label, meaning).await;
        assert_eq!(page.status, Status::UnprocessableEntity, "{}", page.body);
        page.assert_contains("There is a problem")
            .assert_contains(&format!("href=\"#{field}\""))
            .assert_contains(&format!("id=\"{field}-error\""))
            .assert_contains(message);
        // What was typed is shown again.
        page.assert_contains(kept);
        assert_eq!(app.count(&stored).await, 3);
    }
    // Ten extras at most.
    for i in 1..=10 {
        let page = add_outcome(&mo, c.id, &format!("Extra {i}"), "waitlisted").await;
        assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    }
    mo.get(&outcomes_of(c.id))
        .await
        .assert_contains("the most it may have")
        .assert_lacks("Add the outcome");
    let page = add_outcome(&mo, c.id, "Eleventh", "accepted").await;
    assert_eq!(page.status, Status::UnprocessableEntity, "{}", page.body);
    page.assert_contains(
        "This cycle already has 10 outcomes of its own: remove one before adding another.",
    )
    .assert_contains("href=\"#new-meaning\"");
    assert_eq!(app.count(&stored).await, 13);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'cycle.outcome_add'")
            .await,
        10
    );
}

#[rocket::async_test]
async fn a_copy_of_a_cycle_keeps_its_added_outcomes() {
    let app = spawn().await;
    let (c, mo) = health_justice_with_mo(&app).await;
    add_outcome(&mo, c.id, "Accepted as poster", "accepted").await;
    let page = mo.get(&format!("/manage/cycles/{}/copy", c.id)).await;
    let copied = post_owned(
        &mo,
        &format!("/manage/cycles/{}/copy", c.id),
        &form_values(&page.body),
    )
    .await;
    let copy = cycle_in(&copied);
    assert_eq!(
        app.texts(&format!(
            "SELECT key || ' ' || meaning || ' ' || label FROM cycle_outcomes WHERE cycle_id = {copy} ORDER BY position"
        ))
        .await[3],
        "extra-1 accepted Accepted as poster"
    );
    mo.get(&outcomes_of(copy))
        .await
        .assert_contains("Remove “Accepted as poster”");
}
