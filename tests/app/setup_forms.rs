//! The form builder: adding, changing, moving and removing questions and
//! sections on the Health Justice cycle, versions (a submitted application
//! keeps the version it was answered under; staff see retired questions),
//! the confirmation of a change that would invalidate submitted answers,
//! two managers at once, export and import, the preview, and every bad
//! input with what the manager sees and what is stored.

use fellowship_portal::domain::form::FormDefinition;
use rocket::http::Status;

use crate::apply::{nearly_ready, upload_cv};
use crate::fixtures::Cycle;
use crate::helpers::{Browser, Page, TestApp};

async fn setup() -> (TestApp, Cycle, crate::fixtures::Staff) {
    let app = crate::helpers::spawn().await;
    let c = app.with_cycle().await;
    let mo = app
        .with_manager(&c, "Mo Manager", "mo@alliance.example.org")
        .await;
    (app, c, mo)
}

fn form(c: &Cycle, rest: &str) -> String {
    format!("/manage/cycles/{}/form{rest}", c.id)
}

async fn version(app: &TestApp, c: &Cycle) -> i64 {
    app.count(&format!(
        "SELECT form_version FROM cycles WHERE id = {}",
        c.id
    ))
    .await
}

async fn versions(app: &TestApp, c: &Cycle) -> i64 {
    app.count(&format!(
        "SELECT COUNT(*) FROM form_versions WHERE cycle_id = {}",
        c.id
    ))
    .await
}

async fn stored_form(app: &TestApp, c: &Cycle) -> String {
    app.text(&format!("SELECT form_json FROM cycles WHERE id = {}", c.id))
        .await
}

/// Posts a builder form and follows the redirect to the builder.
async fn post_back(b: &Browser, uri: &str, fields: &[(&str, &str)]) -> Page {
    let page = b.post(uri, fields).await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    b.get(page.location.as_deref().unwrap()).await
}

/// Adds the question "Have you led a community project?" (yes/no) and then
/// a required essay of at most 300 words shown only for "yes", both at the
/// end of the essays section.
async fn add_conditional_essay(mo: &Browser, c: &Cycle) {
    post_back(
        mo,
        &form(c, "/sections/essays/questions"),
        &[
            ("based_on", "1"),
            ("kind", "yes_no"),
            ("label", "Have you led a community project?"),
            ("shown_to_reviewers", "true"),
        ],
    )
    .await
    .assert_contains("Saved as version 2 of the form: Added question “Have you led a community project?” to “Essays”.");
    post_back(
        mo,
        &form(c, "/sections/essays/questions"),
        &[
            ("based_on", "2"),
            ("kind", "long_text"),
            ("label", "Describe the project you led"),
            ("max_words", "300"),
            ("required", "true"),
            ("show_if_question", "have_you_led_a_community_project"),
            ("show_if_values", "Yes"),
            ("shown_to_reviewers", "true"),
        ],
    )
    .await
    .assert_contains("Saved as version 3 of the form");
}

#[rocket::async_test]
async fn a_conditional_essay_appears_only_after_yes_and_keeps_to_its_word_limit() {
    let (app, c, mo) = setup().await;
    let new = mo
        .get(&form(&c, "/sections/essays/questions/new?kind=long_text"))
        .await;
    assert_eq!(new.status, Status::Ok);
    new.assert_contains("Word limit (optional)")
        .assert_contains("Show this question only when an earlier question");
    add_conditional_essay(&mo, &c).await;
    mo.get(&form(&c, ""))
        .await
        .assert_contains("This is version 3 of the form.")
        .assert_contains("Long text (paragraphs), required: up to 300 words.")
        .assert_contains("Shown only if “Have you led a community project?” is “Yes”");
    assert_eq!(version(&app, &c).await, 3);
    assert_eq!(versions(&app, &c).await, 3);
    assert!(stored_form(&app, &c).await.contains("\"max_words\": 300"));

    // The applicant: the essay is asked only after "yes", and its limit holds.
    let (b, id) = nearly_ready(&app, "Ines Ortega", 1).await;
    assert_eq!(upload_cv(&b, id).await.status, Status::SeeOther);
    let essays = format!("/apply/applications/{id}/sections/essays");
    b.get(&essays)
        .await
        .assert_contains("Have you led a community project?")
        .assert_contains("Describe the project you led")
        .assert_contains(
            "Answer this only if you chose “Yes” for “Have you led a community project?”.",
        )
        .assert_contains("data-show-if=\"have_you_led_a_community_project\"");
    let save = |answer: &'static str, essay: String| {
        let b = &b;
        let essays = essays.clone();
        async move {
            let page = b
                .post_multipart(
                    &essays,
                    &[
                        ("a[have_you_led_a_community_project]", answer),
                        ("a[describe_the_project_you_led]", &essay),
                    ],
                    &[],
                )
                .await;
            assert_eq!(page.status, Status::SeeOther, "{}", page.body);
        }
    };
    save("yes", String::new()).await;
    let review = format!("/apply/applications/{id}/review");
    b.get(&review)
        .await
        .assert_contains("Answer “Describe the project you led”.");
    save("yes", "word ".repeat(301)).await;
    b.get(&essays).await.assert_contains(
        "“Describe the project you led” has 301 words; the limit is 300. Shorten it by 1.",
    );
    let submit = b
        .post(&format!("/apply/applications/{id}/submit"), &[])
        .await;
    assert_eq!(submit.status, Status::UnprocessableEntity);
    submit.assert_contains("not complete yet");
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM applications WHERE id = {id} AND stage = 'draft'"
        ))
        .await,
        1
    );
    // "No": the essay is not asked (its words are kept, but not part of it).
    save("no", "word ".repeat(301)).await;
    b.get(&review)
        .await
        .assert_lacks("Describe the project you led");
    let submit = b
        .post(&format!("/apply/applications/{id}/submit"), &[])
        .await;
    assert_eq!(submit.status, Status::SeeOther);
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM applications WHERE id = {id} AND stage = 'submitted' AND form_version = 3"
        ))
        .await,
        1
    );
}

#[rocket::async_test]
async fn questions_and_sections_are_moved_and_removed_in_new_versions() {
    let (app, c, mo) = setup().await;
    post_back(
        &mo,
        &form(&c, "/questions/community_project_essay/move"),
        &[("based_on", "1"), ("to", "up")],
    )
    .await
    .assert_contains("Moved question");
    let stored = stored_form(&app, &c).await;
    assert!(
        stored.find("community_project_essay").unwrap()
            < stored.find("health_equity_essay").unwrap()
    );
    post_back(
        &mo,
        &form(&c, "/questions/anything_else/remove"),
        &[("based_on", "2")],
    )
    .await
    .assert_contains("Saved as version 3 of the form: Removed question");
    assert!(!stored_form(&app, &c).await.contains("anything_else"));
    post_back(
        &mo,
        &form(&c, "/sections/commitment/move"),
        &[("based_on", "3"), ("to", "up")],
    )
    .await
    .assert_contains("Moved section “Commitment and mentoring” up");
    post_back(
        &mo,
        &form(&c, "/sections"),
        &[
            ("based_on", "4"),
            ("title", "Nominee"),
            ("intro", "About the person you nominate."),
        ],
    )
    .await
    .assert_contains("Added section “Nominee”");
    post_back(
        &mo,
        &form(&c, "/sections/nominee/remove"),
        &[("based_on", "5")],
    )
    .await
    .assert_contains("Removed section “Nominee”");
    assert_eq!(versions(&app, &c).await, 6);
    mo.get(&form(&c, ""))
        .await
        .assert_contains("Removed question “Is there anything else you")
        .assert_contains("Mo Manager");
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'cycle.form' AND subject = 'cycle:{}'",
            c.id
        ))
        .await,
        5
    );
}

#[rocket::async_test]
async fn a_submitted_application_keeps_its_version_and_staff_see_retired_questions() {
    let (app, c, mo) = setup().await;
    let early = app
        .submitted_application(&c)
        .by("Ana Early", "ana@student.example.edu")
        .await;
    let (b, id) = nearly_ready(&app, "Bea Late", 2).await;
    assert_eq!(upload_cv(&b, id).await.status, Status::SeeOther);
    let page = b
        .post_multipart(
            &format!("/apply/applications/{id}/sections/commitment"),
            &[("a[anything_else]", "I care for my grandmother on weekends.")],
            &[],
        )
        .await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    // Only a draft answered them: removed at once, the answer and the file
    // kept.
    post_back(
        &mo,
        &form(&c, "/questions/anything_else/remove"),
        &[("based_on", "1")],
    )
    .await
    .assert_contains("Saved as version 2 of the form");
    post_back(&mo, &form(&c, "/questions/cv/remove"), &[("based_on", "2")])
        .await
        .assert_contains("Saved as version 3 of the form");
    // Saving moves the draft to the new version; then it is submitted.
    let page = b
        .post_multipart(
            &format!("/apply/applications/{id}/sections/contact"),
            &[("a[mailing_city]", "Baltimore")],
            &[],
        )
        .await;
    assert_eq!(page.status, Status::SeeOther);
    let submit = b
        .post(&format!("/apply/applications/{id}/submit"), &[])
        .await;
    assert_eq!(submit.status, Status::SeeOther, "{}", submit.body);
    let stored = |id: i64| {
        let app = &app;
        async move {
            app.count(&format!(
                "SELECT form_version FROM applications WHERE id = {id}"
            ))
            .await
        }
    };
    assert_eq!(stored(early).await, 1, "the early one keeps its version");
    assert_eq!(stored(id).await, 3);
    assert!(app
        .text(&format!(
            "SELECT answers_json FROM applications WHERE id = {id}"
        ))
        .await
        .contains("grandmother"));
    let page = mo.get(&format!("/manage/applications/{id}")).await;
    page.assert_contains("Answers as given under version 3 of the application form.")
        .assert_contains("Retired questions")
        .assert_contains("Is there anything else you")
        .assert_contains("I care for my grandmother on weekends.")
        .assert_contains("CV or résumé");
    let marker = format!("/manage/applications/{id}/documents/");
    let at = page.body.find(&marker).expect("a link to the retired CV");
    let href: String = page.body[at..].chars().take_while(|c| *c != '"').collect();
    let file = mo.get(&href).await;
    assert_eq!(file.status, Status::Ok, "{href}");
    mo.get(&format!("/manage/applications/{early}"))
        .await
        .assert_lacks("Retired questions")
        .assert_contains("Clinics close early where buses stop running.");
    // The export keeps the retired answer in a column of its own.
    mo.get(&format!("/manage/cycles/{}/export.csv", c.id))
        .await
        .assert_contains("Is there anything else you'd like us to know? (retired question)")
        .assert_contains("I care for my grandmother on weekends.");
}

/// The value of a hidden input in a page, unescaped.
fn hidden(page: &Page, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = page.body.find(&marker).expect(name) + marker.len();
    let end = start + page.body[start..].find('"').unwrap();
    page.body[start..end]
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#x3D;", "=")
        .replace("&#x60;", "`")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

#[rocket::async_test]
async fn a_change_that_invalidates_submitted_answers_is_explained_and_confirmed() {
    let (app, c, mo) = setup().await;
    let early = app.submitted_application(&c).await;
    app.submitted_application(&c).await;
    // A lower word limit than a submitted answer: explained, then cancelled.
    let fields = [
        ("based_on", "1"),
        ("kind", "long_text"),
        ("label", "Health equity essay"),
        ("max_words", "3"),
        ("required", "true"),
        ("shown_to_reviewers", "true"),
    ];
    let page = mo
        .post(&form(&c, "/questions/health_equity_essay"), &fields)
        .await;
    assert_eq!(page.status, Status::Ok, "{}", page.body);
    page.assert_contains("This change affects submitted applications")
        .assert_contains("2 submitted applications")
        .assert_contains("“Health equity essay” gets a limit that some answers go over (2 submitted applications)")
        .assert_contains("Apply to new answers only")
        .assert_contains("Cancel: keep the form as it is");
    assert_eq!(
        versions(&app, &c).await,
        1,
        "nothing stored before confirming"
    );
    // Removing a question submitted applications answered: retired.
    let page = mo
        .post(
            &form(&c, "/questions/community_project_essay/remove"),
            &[("based_on", "1")],
        )
        .await;
    assert_eq!(page.status, Status::Ok);
    page.assert_contains("is removed (its answers stay, shown to staff as a retired question)");
    let proposed = hidden(&page, "proposed_json");
    let summary = hidden(&page, "summary");
    post_back(
        &mo,
        &form(&c, "/confirm"),
        &[
            ("based_on", "1"),
            ("summary", &summary),
            ("proposed_json", &proposed),
        ],
    )
    .await
    .assert_contains("Saved as version 2 of the form: Removed question")
    .assert_contains("(applied to new answers only)");
    assert!(!stored_form(&app, &c)
        .await
        .contains("community_project_essay"));
    assert_eq!(
        app.count(&format!(
            "SELECT form_version FROM applications WHERE id = {early}"
        ))
        .await,
        1
    );
    // The submitted one is still read against its own version.
    mo.get(&format!("/manage/applications/{early}"))
        .await
        .assert_contains("Answers as given under version 1 of the application form.")
        .assert_contains("A mobile blood-pressure screening day.")
        .assert_lacks("Retired questions");
    // The confirmation posted again, now stale: refused, nothing changed.
    post_back(
        &mo,
        &form(&c, "/confirm"),
        &[("based_on", "1"), ("summary", &summary), ("proposed_json", &proposed)],
    )
    .await
    .assert_contains("Someone else changed this form meanwhile; here it is as it is now; make your change again.");
    assert_eq!(versions(&app, &c).await, 2);
}

#[rocket::async_test]
async fn two_managers_editing_at_once_the_second_is_told_and_nothing_is_half_applied() {
    let (app, c, mo) = setup().await;
    let max = app
        .with_manager(&c, "Max Manager", "max@alliance.example.org")
        .await;
    max.get(&form(&c, ""))
        .await
        .assert_contains("This is version 1 of the form.");
    post_back(
        &mo,
        &form(&c, "/sections"),
        &[("based_on", "1"), ("title", "Portfolio")],
    )
    .await
    .assert_contains("Added section “Portfolio”");
    // Max's page still said version 1.
    post_back(
        &max,
        &form(&c, "/sections/essays/questions"),
        &[("based_on", "1"), ("kind", "email"), ("label", "Supervisor’s email")],
    )
    .await
    .assert_contains("Someone else changed this form meanwhile; here it is as it is now; make your change again.")
    .assert_contains("Portfolio");
    assert_eq!(versions(&app, &c).await, 2);
    assert!(!stored_form(&app, &c).await.contains("Supervisor"));
}

#[rocket::async_test]
async fn a_form_is_exported_and_imported_back_as_a_new_version() {
    let (app, c, mo) = setup().await;
    let exported = mo.get(&format!("/manage/cycles/{}/form.json", c.id)).await;
    assert_eq!(exported.status, Status::Ok);
    let mut json: serde_json::Value = serde_json::from_str(&exported.body).unwrap();
    assert_eq!(
        FormDefinition::parse(&exported.body).unwrap(),
        FormDefinition::parse(&stored_form(&app, &c).await).unwrap(),
        "the download is the current form"
    );
    json["sections"][0]["questions"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({"key": "mobile", "label": "Mobile phone", "type": "phone"}));
    json["sections"][5]["questions"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({"key": "agree", "label": "I confirm that my answers are true.", "type": "consent", "required": true}));
    // Uploaded as a file (the pasted text left empty).
    let upload = mo
        .post_multipart(
            &form(&c, "/import"),
            &[("based_on", "1"), ("json", "")],
            &[("file", "form.json", json.to_string().as_bytes())],
        )
        .await;
    assert_eq!(upload.status, Status::SeeOther, "{}", upload.body);
    mo.get(upload.location.as_deref().unwrap())
        .await
        .assert_contains("Saved as version 2 of the form: Imported a form.");
    let again = mo.get(&format!("/manage/cycles/{}/form.json", c.id)).await;
    assert_eq!(
        FormDefinition::parse(&again.body).unwrap(),
        FormDefinition::parse(&json.to_string()).unwrap(),
        "round trip"
    );
    again.assert_lacks("null");
    // The applicant gets a telephone field and a statement to tick.
    let (b, id) = nearly_ready(&app, "Tomas Reyes", 3).await;
    b.get(&format!("/apply/applications/{id}/sections/contact"))
        .await
        .assert_contains("type=\"tel\" id=\"mobile\"");
    let commitment = format!("/apply/applications/{id}/sections/commitment");
    b.get(&commitment)
        .await
        .assert_contains("type=\"checkbox\" id=\"agree\" name=\"a[agree]\" value=\"yes\"");
    let page = b
        .post_multipart(&commitment, &[("a[agree]", "")], &[])
        .await;
    assert_eq!(page.status, Status::SeeOther);
    b.get(&format!("/apply/applications/{id}/review"))
        .await
        .assert_contains("Tick “I confirm that my answers are true.” to go on: it is required.");
    let page = b
        .post_multipart(
            &format!("/apply/applications/{id}/sections/contact"),
            &[("a[mobile]", "call me maybe")],
            &[],
        )
        .await;
    assert_eq!(page.status, Status::SeeOther);
    b.get(&format!("/apply/applications/{id}/sections/contact"))
        .await
        .assert_contains("Enter “Mobile phone” as a telephone number");
}

#[rocket::async_test]
async fn an_import_that_is_not_a_form_says_why_and_changes_nothing() {
    let (app, c, mo) = setup().await;
    let before = stored_form(&app, &c).await;
    for (json, says) in [
        (
            "Dear committee, here is our form.",
            "This is not a form in the portal",
        ),
        ("{\"rubric\": []}", "This is not a form in the portal"),
        (
            r#"{"sections": [{"key": "a", "title": "A", "questions": [{"key": "essay", "label": "Essay", "type": "long_text", "max_words": 300, "show_if": {"question": "led", "any_of": ["yes"]}}, {"key": "led", "label": "Led?", "type": "yes_no"}]}]}"#,
            "Question “essay” depends on “led”, which is not an earlier question",
        ),
    ] {
        let page = mo
            .post(&form(&c, "/import"), &[("based_on", "1"), ("json", json)])
            .await;
        assert_eq!(page.status, Status::UnprocessableEntity, "{}", page.body);
        page.assert_contains(says)
            .assert_contains("aria-invalid=\"true\"");
    }
    assert_eq!(stored_form(&app, &c).await, before);
    assert_eq!(versions(&app, &c).await, 1);
}

/// Fields typed, what the page says, and the field it says it next to.
type Case<'a> = (&'a [(&'a str, &'a str)], &'a str, &'a str);

#[rocket::async_test]
async fn bad_input_in_the_builder_is_shown_next_to_its_field_and_nothing_is_saved() {
    let (app, c, mo) = setup().await;
    let before = stored_form(&app, &c).await;
    let add = form(&c, "/sections/essays/questions");
    let cases: [Case; 5] = [
        (
            &[
                ("kind", "long_text"),
                ("label", "Your plans"),
                ("max_words", "0"),
            ],
            "A word limit of 0 would refuse every answer",
            "max_words",
        ),
        (
            &[
                ("kind", "document"),
                ("label", "Portfolio"),
                ("accepted", "pdf"),
                ("max_mb", "50"),
            ],
            "The portal accepts files up to 20 MiB; enter 20 or less.",
            "max_mb",
        ),
        (
            &[
                ("kind", "single_choice"),
                ("label", "Year"),
                ("choices", "First\nSecond\nfirst"),
            ],
            "“first” is listed twice; each choice must be different.",
            "choices",
        ),
        (
            &[
                ("kind", "short_text"),
                ("label", "Which clinic"),
                ("show_if_question", "discipline"),
                ("show_if_values", "Astronomy"),
            ],
            "“Astronomy” is not one of the answers offered",
            "show_if_values",
        ),
        (
            &[("kind", "teleportation"), ("label", "Beam me up")],
            "Choose a type of question from the list.",
            "kind",
        ),
    ];
    for (fields, says, field) in cases {
        let mut all = vec![("based_on", "1")];
        all.extend_from_slice(fields);
        let page = mo.post(&add, &all).await;
        assert_eq!(
            page.status,
            Status::UnprocessableEntity,
            "{says}: {}",
            page.body
        );
        page.assert_contains(says)
            .assert_contains(&format!("href=\"#{field}\""))
            .assert_contains(&format!("value=\"{}\"", fields[1].1));
    }
    // A section without a title, an eligibility question allowing nobody.
    let page = mo
        .post(
            &form(&c, "/sections"),
            &[
                ("based_on", "1"),
                ("title", " "),
                ("intro", "Kept as typed."),
            ],
        )
        .await;
    assert_eq!(page.status, Status::UnprocessableEntity);
    page.assert_contains("Give the section a title.")
        .assert_contains("Kept as typed.")
        .assert_contains("This is version 1 of the form.");
    let page = mo
        .post(
            &form(&c, "/eligibility"),
            &[
                ("based_on", "1"),
                ("label", "Do you live in Maryland?"),
                ("options", "Yes\nNo"),
                ("eligible", "Maybe"),
                ("ineligible_message", "Sorry."),
            ],
        )
        .await;
    assert_eq!(page.status, Status::UnprocessableEntity);
    page.assert_contains("“Maybe” is not one of the answers offered (Yes, No).")
        .assert_contains("value=\"Do you live in Maryland?\"");
    // A condition on a later question.
    let page = mo
        .post(
            &form(&c, "/questions/legal_name"),
            &[
                ("based_on", "1"),
                ("kind", "short_text"),
                ("label", "Legal name"),
                ("required", "true"),
                ("show_if_question", "attend_summer_institute"),
                ("show_if_values", "yes"),
            ],
        )
        .await;
    assert_eq!(page.status, Status::UnprocessableEntity);
    page.assert_contains("depends on “attend_summer_institute”, which is not an earlier question");
    // A condition on a deleted question: removing what another depends on.
    post_back(
        &mo,
        &form(&c, "/questions/discipline/remove"),
        &[("based_on", "1")],
    )
    .await
    .assert_contains(
        "Question “discipline_other” depends on “discipline”, which is not a question of this form",
    );
    assert_eq!(stored_form(&app, &c).await, before);
    assert_eq!(versions(&app, &c).await, 1);
}

#[rocket::async_test]
async fn the_preview_shows_the_applicants_pages_and_saves_nothing() {
    let (app, c, mo) = setup().await;
    add_conditional_essay(&mo, &c).await;
    let page = mo.get(&form(&c, "/preview")).await;
    assert_eq!(page.status, Status::Ok, "{}", page.body);
    page.assert_contains("Preview — nothing you type is saved")
        .assert_contains("Are you currently enrolled");
    let page = mo.get(&form(&c, "/preview/essays")).await;
    assert_eq!(page.status, Status::Ok, "{}", page.body);
    page.assert_contains("Preview — nothing you type is saved")
        .assert_contains("Describe the project you led")
        .assert_contains("Answer this only if you chose “Yes”")
        .assert_lacks("action=\"/apply/");
    assert_eq!(app.count("SELECT COUNT(*) FROM applications").await, 0);
}
