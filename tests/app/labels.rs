//! Labels: a cycle's managers make them, put them on applications and
//! filter the list by them; bad names are told next to the field.

use rocket::http::Status;

use crate::fixtures::{manager_elsewhere, mark_eligible, submitted};
use crate::helpers::spawn;

#[rocket::async_test]
async fn managers_label_applications_and_filter_the_list_by_label() {
    let app = spawn().await;
    let c = app.with_cycle().await;
    let mo = app.with_manager(&c, "Mo Manager", "mo@alliance.org").await;
    let a = submitted(
        &app,
        c.id,
        "Ana Rivera",
        "ana@student.edu",
        "Lakeside University",
    )
    .await;
    let b = submitted(
        &app,
        c.id,
        "Ben Okafor",
        "ben@student.edu",
        "Hillcrest College",
    )
    .await;
    for id in [a, b] {
        mark_eligible(&mo, id).await;
    }
    let labels = format!("/manage/cycles/{}/labels", c.id);
    mo.get(&format!("/manage/cycles/{}", c.id))
        .await
        .assert_contains(&format!("href=\"{labels}\""));

    // Bad names are told next to the field; nothing is made.
    let long = "x".repeat(41);
    for (name, message) in [
        ("   ", "Name the label."),
        (
            long.as_str(),
            "A label’s name can be at most 40 characters.",
        ),
    ] {
        let page = mo.post(&labels, &[("name", name)]).await;
        assert_eq!(page.status, Status::UnprocessableEntity);
        page.assert_contains(message)
            .assert_contains("id=\"name-error\"");
    }
    let page = mo.post(&labels, &[("name", "  Rural   clinic ")]).await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    let page = mo.post(&labels, &[("name", "RURAL CLINIC")]).await;
    assert_eq!(page.status, Status::UnprocessableEntity);
    page.assert_contains("This cycle already has the label “RURAL CLINIC”.")
        .assert_contains("value=\"RURAL CLINIC\"");
    assert_eq!(
        mo.post(&labels, &[("name", "Call back")]).await.status,
        Status::SeeOther
    );
    let rural = app
        .count("SELECT id FROM labels WHERE name = 'Rural clinic'")
        .await;
    let call = app
        .count("SELECT id FROM labels WHERE name = 'Call back'")
        .await;

    // On an application from its page; a label of another cycle is ignored.
    let other = app.with_cycle_of("voices-for-change").await;
    app.sql(&format!(
        "INSERT INTO labels (cycle_id, name, created_at) SELECT {}, 'Elsewhere', created_at FROM labels LIMIT 1",
        other.id
    ))
    .await;
    let elsewhere = app
        .count("SELECT id FROM labels WHERE name = 'Elsewhere'")
        .await;
    let page = mo
        .post(
            &format!("/manage/applications/{a}/labels"),
            &[
                ("label", &rural.to_string()),
                ("label", &elsewhere.to_string()),
            ],
        )
        .await;
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    assert_eq!(
        app.texts(&format!(
            "SELECT l.name FROM application_labels x JOIN labels l ON l.id = x.label_id WHERE x.application_id = {a}"
        ))
        .await,
        ["Rural clinic"]
    );
    let page = mo.get(&format!("/manage/applications/{a}")).await;
    page.assert_contains(&format!(
        "id=\"label-{rural}\" name=\"label\" value=\"{rural}\" checked"
    ))
    .assert_contains(&format!(
        "id=\"label-{call}\" name=\"label\" value=\"{call}\">"
    ));

    // The list shows the labels and filters by one.
    let list = format!("/manage/cycles/{}/applications", c.id);
    let page = mo.get(&list).await;
    page.assert_contains("<span class=\"tag tag--label\">Rural clinic</span>")
        .assert_contains("<option value=\"\" selected>Any label</option>");
    let page = mo.get(&format!("{list}?label={rural}")).await;
    page.assert_contains("Ana Rivera")
        .assert_lacks("Ben Okafor");
    page.assert_contains("Matching applications: 1.");
    let page = mo.get(&format!("{list}?label={call}")).await;
    page.assert_lacks("Ana Rivera").assert_lacks("Ben Okafor");
    // Another cycle's label, or nonsense, is no filter.
    for q in [elsewhere.to_string(), "abc".to_owned()] {
        let page = mo.get(&format!("{list}?label={q}")).await;
        page.assert_contains("Ana Rivera")
            .assert_contains("Ben Okafor");
    }
    mo.get(&labels)
        .await
        .assert_contains(&format!("href=\"{list}?label={rural}\">1</a>"));

    // Saving none takes them off; removing a label takes it off everywhere.
    mo.post(
        &format!("/manage/applications/{b}/labels"),
        &[("label", &call.to_string())],
    )
    .await;
    let page = mo.post(&format!("{labels}/{call}/remove"), &[]).await;
    assert_eq!(page.status, Status::SeeOther);
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM application_labels WHERE label_id = {call}"
        ))
        .await,
        0
    );
    mo.post(&format!("/manage/applications/{a}/labels"), &[])
        .await;
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM application_labels WHERE application_id = {a}"
        ))
        .await,
        0
    );
    assert_eq!(
        app.texts("SELECT action || ': ' || detail FROM audit_log WHERE action LIKE 'label.%' ORDER BY id")
            .await,
        [
            "label.create: Rural clinic",
            "label.create: Call back",
            "label.set: Rural clinic",
            "label.set: Call back",
            "label.remove: Call back",
            "label.set: no label",
        ]
    );

    // Nobody else labels: a reviewer (403), another program's manager (404).
    let rev = app
        .with_reviewer(&c, "Rev Reviewer", "rev@faculty.org")
        .await;
    let sam = manager_elsewhere(&app).await;
    let url = format!("/manage/applications/{a}/labels");
    let rural_id = rural.to_string();
    assert_eq!(
        rev.post(&url, &[("label", &rural_id)]).await.status,
        Status::Forbidden
    );
    assert_eq!(
        sam.post(&url, &[("label", &rural_id)]).await.status,
        Status::NotFound
    );
    assert_eq!(sam.get(&labels).await.status, Status::NotFound);
    assert_eq!(
        sam.post(&labels, &[("name", "Mine")]).await.status,
        Status::NotFound
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM application_labels").await,
        0
    );
}

#[rocket::async_test]
async fn the_list_adds_a_label_to_the_selected_applications_in_one_go() {
    let app = spawn().await;
    let c = app.with_cycle().await;
    let mo = app.with_manager(&c, "Mo Manager", "mo@alliance.org").await;
    let a = submitted(
        &app,
        c.id,
        "Ana Rivera",
        "ana@student.edu",
        "Lakeside University",
    )
    .await;
    let b = submitted(
        &app,
        c.id,
        "Ben Okafor",
        "ben@student.edu",
        "Hillcrest College",
    )
    .await;
    let labels = format!("/manage/cycles/{}/labels", c.id);
    let list = format!("/manage/cycles/{}/applications", c.id);
    let bulk = format!("{list}/bulk");
    // Without labels the list offers no label action.
    mo.get(&list).await.assert_lacks("Add a label");
    mo.post(&labels, &[("name", "Rural")]).await;
    let rural = app
        .count("SELECT id FROM labels WHERE name = 'Rural'")
        .await
        .to_string();
    mo.get(&list)
        .await
        .assert_contains("<option value=\"label\">Add a label</option>")
        .assert_contains(&format!("<option value=\"{rural}\">Rural</option>"));
    // No label chosen: told, nothing changed.
    let (a_id, b_id) = (a.to_string(), b.to_string());
    let page = mo
        .post(
            &bulk,
            &[("ids", &a_id), ("action", "label"), ("back", &list)],
        )
        .await;
    assert_eq!(page.location.as_deref(), Some(list.as_str()));
    mo.get(&list)
        .await
        .assert_contains("Choose the label to add.");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM application_labels").await,
        0
    );
    // One has it already; the other gets it.
    mo.post(
        &format!("/manage/applications/{a}/labels"),
        &[("label", &rural)],
    )
    .await;
    let page = mo
        .post(
            &bulk,
            &[
                ("ids", &a_id),
                ("ids", &b_id),
                ("action", "label"),
                ("label", &rural),
                ("back", &list),
            ],
        )
        .await;
    assert_eq!(page.location.as_deref(), Some(list.as_str()));
    mo.get(&list)
        .await
        .assert_contains("“Rural” added to 1 application. 1 had it already.");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM application_labels").await,
        2
    );
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'label.add' AND application_id = {b}"
        ))
        .await,
        1
    );
}
