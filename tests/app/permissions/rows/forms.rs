//! The form builder's rows, on the Health Justice cycle (Nia, who manages
//! another program, asks for the same ids). The first change adds a
//! section on version 1; every later one is made on version 1 too, so it
//! is refused as made on an old version: each allowed caller gets the
//! redirect back to the builder, and no row changes what another relies on.

use super::{get, owned, post, Body, Row};
use crate::permissions::roles::{Audience, Col};
use crate::permissions::world::World;

fn form(w: &World, _: Col, rest: &str) -> String {
    format!("/manage/cycles/{}/form{rest}", w.programs.hj.id)
}

/// The builder's routes.
pub fn rows() -> Vec<Row> {
    use Audience::ManagedCycle;
    use Body::Form;
    vec![
        get("/manage/cycles/<id>/form", ManagedCycle, 200, |w, c| {
            form(w, c, "")
        }),
        get(
            "/manage/cycles/<id>/form.json",
            ManagedCycle,
            200,
            |w, _| format!("/manage/cycles/{}/form.json", w.programs.hj.id),
        ),
        get(
            "/manage/cycles/<id>/form/sections/<key>",
            ManagedCycle,
            200,
            |w, c| form(w, c, "/sections/essays"),
        ),
        get(
            "/manage/cycles/<id>/form/sections/<section>/questions/new?<kind>",
            ManagedCycle,
            200,
            |w, c| form(w, c, "/sections/essays/questions/new?kind=long_text"),
        ),
        get(
            "/manage/cycles/<id>/form/questions/<key>?<kind>",
            ManagedCycle,
            200,
            |w, c| form(w, c, "/questions/legal_name"),
        ),
        get(
            "/manage/cycles/<id>/form/eligibility/new",
            ManagedCycle,
            200,
            |w, c| form(w, c, "/eligibility/new"),
        ),
        get(
            "/manage/cycles/<id>/form/eligibility/<key>",
            ManagedCycle,
            200,
            |w, c| form(w, c, "/eligibility/can_commit_time"),
        ),
        get(
            "/manage/cycles/<id>/form/import",
            ManagedCycle,
            200,
            |w, c| form(w, c, "/import"),
        ),
        get(
            "/manage/cycles/<id>/form/preview",
            ManagedCycle,
            200,
            |w, c| form(w, c, "/preview"),
        ),
        get(
            "/manage/cycles/<id>/form/preview/<key>",
            ManagedCycle,
            200,
            |w, c| form(w, c, "/preview/essays"),
        ),
        post(
            "/manage/cycles/<id>/form/sections",
            ManagedCycle,
            303,
            |w, c| form(w, c, "/sections"),
            Form(|_| owned(&[("based_on", "1"), ("title", "Portfolio")])),
        ),
        post(
            "/manage/cycles/<id>/form/sections/<key>",
            ManagedCycle,
            303,
            |w, c| form(w, c, "/sections/essays"),
            Form(|_| owned(&[("based_on", "1"), ("title", "Essays")])),
        ),
        post(
            "/manage/cycles/<id>/form/sections/<key>/move",
            ManagedCycle,
            303,
            |w, c| form(w, c, "/sections/essays/move"),
            Form(|_| owned(&[("based_on", "1"), ("to", "up")])),
        ),
        post(
            "/manage/cycles/<id>/form/sections/<key>/remove",
            ManagedCycle,
            303,
            |w, c| form(w, c, "/sections/essays/remove"),
            Form(|_| owned(&[("based_on", "1")])),
        ),
        post(
            "/manage/cycles/<id>/form/sections/<section>/questions",
            ManagedCycle,
            303,
            |w, c| form(w, c, "/sections/essays/questions"),
            Form(|_| {
                owned(&[
                    ("based_on", "1"),
                    ("kind", "email"),
                    ("label", "Supervisor"),
                ])
            }),
        ),
        post(
            "/manage/cycles/<id>/form/questions/<key>",
            ManagedCycle,
            303,
            |w, c| form(w, c, "/questions/pronouns"),
            Form(|_| {
                owned(&[
                    ("based_on", "1"),
                    ("kind", "short_text"),
                    ("label", "Pronouns"),
                ])
            }),
        ),
        post(
            "/manage/cycles/<id>/form/questions/<key>/move",
            ManagedCycle,
            303,
            |w, c| form(w, c, "/questions/pronouns/move"),
            Form(|_| owned(&[("based_on", "1"), ("to", "down")])),
        ),
        post(
            "/manage/cycles/<id>/form/questions/<key>/remove",
            ManagedCycle,
            303,
            |w, c| form(w, c, "/questions/pronouns/remove"),
            Form(|_| owned(&[("based_on", "1")])),
        ),
        post(
            "/manage/cycles/<id>/form/eligibility",
            ManagedCycle,
            303,
            |w, c| form(w, c, "/eligibility"),
            Form(|_| {
                owned(&[
                    ("based_on", "1"),
                    ("label", "Are you 18 or older?"),
                    ("options", "Yes\nNo"),
                    ("eligible", "Yes"),
                    ("ineligible_message", "You must be 18 or older."),
                ])
            }),
        ),
        post(
            "/manage/cycles/<id>/form/eligibility/<key>",
            ManagedCycle,
            303,
            |w, c| form(w, c, "/eligibility/can_commit_time"),
            Form(|_| {
                owned(&[
                    ("based_on", "1"),
                    ("label", "Can you commit the time?"),
                    ("options", "yes | Yes\nno | No"),
                    ("eligible", "yes"),
                    ("ineligible_message", "The fellowship needs the time."),
                ])
            }),
        ),
        post(
            "/manage/cycles/<id>/form/eligibility/<key>/move",
            ManagedCycle,
            303,
            |w, c| form(w, c, "/eligibility/can_commit_time/move"),
            Form(|_| owned(&[("based_on", "1"), ("to", "up")])),
        ),
        post(
            "/manage/cycles/<id>/form/eligibility/<key>/remove",
            ManagedCycle,
            303,
            |w, c| form(w, c, "/eligibility/can_commit_time/remove"),
            Form(|_| owned(&[("based_on", "1")])),
        ),
        post(
            "/manage/cycles/<id>/form/import",
            ManagedCycle,
            303,
            |w, c| form(w, c, "/import"),
            Form(|_| owned(&[("based_on", "1"), ("json", "{\"sections\": []}")])),
        ),
        post(
            "/manage/cycles/<id>/form/confirm",
            ManagedCycle,
            303,
            |w, c| form(w, c, "/confirm"),
            Form(|_| owned(&[("based_on", "1"), ("proposed_json", "{\"sections\": []}")])),
        ),
    ]
}
