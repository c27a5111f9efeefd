//! The form builder's rows, on the Health Justice cycle (Nia, who manages
//! another program, asks for the same ids). The changes run in the
//! table's order, each on the version the one before made, on a section,
//! a question and an eligibility question added for them (then removed),
//! so that no row changes what another relies on; the import and its
//! confirmation end with the seeded form again.

use super::{get, owned, post, Body, Row};
use crate::permissions::roles::{Audience, Col};
use crate::permissions::world::World;

/// The seeded Health Justice form.
const SEEDED: &str = include_str!("../../../../forms/health-justice.json");

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
        // Each change below is made on the version the one before left.
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
            |w, c| form(w, c, "/sections/portfolio"),
            Form(|_| owned(&[("based_on", "2"), ("title", "Portfolio and links")])),
        ),
        post(
            "/manage/cycles/<id>/form/sections/<key>/move",
            ManagedCycle,
            303,
            |w, c| form(w, c, "/sections/portfolio/move"),
            Form(|_| owned(&[("based_on", "3"), ("to", "up")])),
        ),
        post(
            "/manage/cycles/<id>/form/sections/<section>/questions",
            ManagedCycle,
            303,
            |w, c| form(w, c, "/sections/portfolio/questions"),
            Form(|_| {
                owned(&[
                    ("based_on", "4"),
                    ("kind", "email"),
                    ("label", "Supervisor email"),
                ])
            }),
        ),
        post(
            "/manage/cycles/<id>/form/questions/<key>",
            ManagedCycle,
            303,
            |w, c| form(w, c, "/questions/supervisor_email"),
            Form(|_| {
                owned(&[
                    ("based_on", "5"),
                    ("kind", "email"),
                    ("label", "Supervisor’s email"),
                ])
            }),
        ),
        post(
            "/manage/cycles/<id>/form/questions/<key>/move",
            ManagedCycle,
            303,
            |w, c| form(w, c, "/questions/supervisor_email/move"),
            Form(|_| owned(&[("based_on", "6"), ("to", "up")])),
        ),
        post(
            "/manage/cycles/<id>/form/questions/<key>/remove",
            ManagedCycle,
            303,
            |w, c| form(w, c, "/questions/supervisor_email/remove"),
            Form(|_| owned(&[("based_on", "7")])),
        ),
        post(
            "/manage/cycles/<id>/form/sections/<key>/remove",
            ManagedCycle,
            303,
            |w, c| form(w, c, "/sections/portfolio/remove"),
            Form(|_| owned(&[("based_on", "8")])),
        ),
        post(
            "/manage/cycles/<id>/form/eligibility",
            ManagedCycle,
            303,
            |w, c| form(w, c, "/eligibility"),
            Form(|_| {
                owned(&[
                    ("based_on", "9"),
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
            |w, c| form(w, c, "/eligibility/are_you_18_or_older"),
            Form(|_| {
                owned(&[
                    ("based_on", "10"),
                    ("label", "Are you at least 18 years old?"),
                    ("options", "yes | Yes\nno | No"),
                    ("eligible", "yes"),
                    ("ineligible_message", "You must be 18 or older."),
                ])
            }),
        ),
        post(
            "/manage/cycles/<id>/form/eligibility/<key>/move",
            ManagedCycle,
            303,
            |w, c| form(w, c, "/eligibility/are_you_18_or_older/move"),
            Form(|_| owned(&[("based_on", "11"), ("to", "up")])),
        ),
        post(
            "/manage/cycles/<id>/form/eligibility/<key>/remove",
            ManagedCycle,
            303,
            |w, c| form(w, c, "/eligibility/are_you_18_or_older/remove"),
            Form(|_| owned(&[("based_on", "12")])),
        ),
        post(
            "/manage/cycles/<id>/form/import",
            ManagedCycle,
            303,
            |w, c| form(w, c, "/import"),
            Form(|_| {
                let renamed = SEEDED.replace("\"Pronouns\"", "\"Your pronouns\"");
                owned(&[("based_on", "13"), ("json", &renamed)])
            }),
        ),
        post(
            "/manage/cycles/<id>/form/confirm",
            ManagedCycle,
            303,
            |w, c| form(w, c, "/confirm"),
            Form(|_| {
                owned(&[
                    ("based_on", "14"),
                    ("summary", "Back to the seeded form"),
                    ("proposed_json", SEEDED),
                ])
            }),
        ),
    ]
}
