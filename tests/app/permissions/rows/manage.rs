//! The manager's rows: cycle routes on Health Justice (Nia, who manages
//! another program, asks for the same ids), and one application per
//! action so that each success changes nothing another row relies on.

use super::{get, owned, post, Body, Row};
use crate::fixtures::DUE;
use crate::permissions::roles::{Audience, Col};
use crate::permissions::world::{settings_fields, World};

/// The pipeline's route, as mounted (with its query).
const LIST: &str = "/manage/cycles/<id>/applications?<list..>";

fn cycle(w: &World, _: Col, rest: &str) -> String {
    format!("/manage/cycles/{}{rest}", w.programs.hj.id)
}

/// The manager's routes: on the Health Justice cycle, one application
/// per action (Mae's own for her column), and the review to reopen.
pub fn rows() -> Vec<Row> {
    use Audience::*;
    use Body::{AutoAssign, Empty, Form, Release};
    vec![
        get("/manage", Manager, 200, |_, _| "/manage".into()),
        get("/manage/cycles/<id>", ManagedCycle, 200, |w, c| {
            cycle(w, c, "")
        }),
        post(
            "/manage/cycles/<id>/extensions",
            ManagedCycle,
            303,
            |w, c| cycle(w, c, "/extensions"),
            Form(|w| {
                vec![
                    ("email".into(), w.people.ana_email.clone()),
                    ("date".into(), "2099-12-31".into()),
                    ("reason".into(), "A family emergency.".into()),
                ]
            }),
        ),
        get(LIST, ManagedCycle, 200, |w, c| cycle(w, c, "/applications")),
        post(
            "/manage/cycles/<id>/applications/bulk",
            ManagedCycle,
            303,
            |w, c| cycle(w, c, "/applications/bulk"),
            Form(|w| {
                vec![
                    ("ids".into(), w.apps.bulk.to_string()),
                    ("action".into(), "start_screening".into()),
                ]
            }),
        ),
        get("/manage/applications/<id>", Managed, 200, |w, c| {
            format!("/manage/applications/{}", w.managed(c, w.apps.a))
        }),
        get(
            "/manage/applications/<id>/documents/<doc>",
            Managed,
            200,
            |w, c| {
                let (a, d) = w.managed_document(c);
                format!("/manage/applications/{a}/documents/{d}")
            },
        ),
        post(
            "/manage/applications/<id>/screen",
            Managed,
            303,
            |w, c| {
                format!(
                    "/manage/applications/{}/screen",
                    w.managed(c, w.apps.screen)
                )
            },
            Form(|_| owned(&[("outcome", "eligible")])),
        ),
        post(
            "/manage/applications/<id>/move",
            Managed,
            303,
            |w, c| format!("/manage/applications/{}/move", w.managed(c, w.apps.mover)),
            Form(|_| owned(&[("move", "start_screening")])),
        ),
        post(
            "/manage/applications/<id>/notes",
            Managed,
            303,
            |w, c| format!("/manage/applications/{}/notes", w.managed(c, w.apps.a)),
            Form(|_| {
                owned(&[
                    ("note", "Checked the transcript."),
                    ("for_reviewers", "true"),
                ])
            }),
        ),
        post(
            "/manage/applications/<id>/assign",
            Managed,
            303,
            |w, c| {
                format!(
                    "/manage/applications/{}/assign",
                    w.managed(c, w.apps.to_assign)
                )
            },
            Form(|w| {
                vec![
                    ("reviewer".into(), w.people.sam.to_string()),
                    ("due".into(), DUE.into()),
                ]
            }),
        ),
        post(
            "/manage/applications/<id>/unassign",
            Managed,
            303,
            |w, c| {
                format!(
                    "/manage/applications/{}/unassign",
                    w.managed(c, w.apps.to_unassign)
                )
            },
            Form(|w| {
                vec![
                    ("reviewer".into(), w.people.sam.to_string()),
                    ("reason".into(), "Too busy.".into()),
                ]
            }),
        ),
        post(
            "/manage/applications/<id>/reassign",
            Managed,
            303,
            |w, c| {
                format!(
                    "/manage/applications/{}/reassign",
                    w.managed(c, w.apps.to_reassign)
                )
            },
            Form(|w| {
                vec![
                    ("from".into(), w.people.sam.to_string()),
                    ("to".into(), w.people.tia.to_string()),
                ]
            }),
        ),
        post(
            "/manage/applications/<id>/conflicts",
            Managed,
            303,
            |w, c| {
                format!(
                    "/manage/applications/{}/conflicts",
                    w.managed(c, w.apps.to_conflict)
                )
            },
            Form(|w| {
                vec![
                    ("reviewer".into(), w.people.sam.to_string()),
                    ("reason".into(), "Same lab.".into()),
                ]
            }),
        ),
        post(
            "/manage/applications/<id>/decide",
            Managed,
            303,
            |w, c| {
                format!(
                    "/manage/applications/{}/decide",
                    w.managed(c, w.apps.to_decide)
                )
            },
            Form(|_| {
                owned(&[
                    ("version", ""),
                    ("outcome", "accepted"),
                    ("note", "A strong plan."),
                ])
            }),
        ),
        post(
            "/manage/reviews/<rid>/reopen",
            Managed,
            303,
            |w, c| format!("/manage/reviews/{}/reopen", w.managed_review(c)),
            Form(|_| owned(&[("reason", "Scores were swapped.")])),
        ),
        get(
            "/manage/cycles/<id>/assign?<due>",
            ManagedCycle,
            200,
            |w, c| cycle(w, c, "/assign"),
        ),
        post(
            "/manage/cycles/<id>/assign",
            ManagedCycle,
            303,
            |w, c| cycle(w, c, "/assign"),
            AutoAssign,
        ),
        get(
            "/manage/cycles/<id>/reviewers",
            ManagedCycle,
            200,
            |w, c| cycle(w, c, "/reviewers"),
        ),
        post(
            "/manage/cycles/<id>/remind",
            ManagedCycle,
            303,
            |w, c| cycle(w, c, "/remind"),
            Empty,
        ),
        get("/manage/cycles/<id>/settings", ManagedCycle, 200, |w, c| {
            cycle(w, c, "/settings")
        }),
        post(
            "/manage/cycles/<id>/settings",
            ManagedCycle,
            303,
            |w, c| cycle(w, c, "/settings"),
            Form(|_| settings_fields()),
        ),
        get(
            "/manage/cycles/<id>/export.csv",
            ManagedCycle,
            200,
            |w, c| cycle(w, c, "/export.csv"),
        ),
        get("/manage/cycles/<id>/labels", ManagedCycle, 200, |w, c| {
            cycle(w, c, "/labels")
        }),
        post(
            "/manage/cycles/<id>/labels",
            ManagedCycle,
            303,
            |w, c| cycle(w, c, "/labels"),
            Form(|_| owned(&[("name", "Rural")])),
        ),
        post(
            "/manage/cycles/<id>/labels/<label>/remove",
            ManagedCycle,
            303,
            |w, c| cycle(w, c, &format!("/labels/{}/remove", w.targets.label_hj)),
            Body::Empty,
        ),
        post(
            "/manage/applications/<id>/labels",
            Managed,
            303,
            |w, c| format!("/manage/applications/{}/labels", w.managed(c, w.apps.a)),
            Form(|w| vec![("label".into(), w.targets.label_hj.to_string())]),
        ),
        get(
            "/manage/cycles/<id>/messages?<to>",
            ManagedCycle,
            200,
            |w, c| cycle(w, c, "/messages?to=drafts"),
        ),
        post(
            "/manage/cycles/<id>/messages",
            ManagedCycle,
            303,
            |w, c| cycle(w, c, "/messages"),
            // Ola's released waitlisted decision is the cycle's only one
            // until the release and promotion rows, which come later.
            Form(|_| {
                owned(&[
                    ("audience", "decision:waitlisted"),
                    ("subject", "Still on the waitlist"),
                    ("body", "Dear {{applicant_name}},"),
                    ("action", "send"),
                    ("expected", "1"),
                ])
            }),
        ),
        get(
            "/manage/cycles/<id>/messages/<message>?<after>",
            ManagedCycle,
            200,
            |w, c| cycle(w, c, &format!("/messages/{}?after=0", w.targets.message_hj)),
        ),
        post(
            "/manage/cycles/<id>/reminders",
            ManagedCycle,
            303,
            |w, c| cycle(w, c, "/reminders"),
            Form(|_| owned(&[("draft_days", "7"), ("referee_days", "")])),
        ),
        get("/manage/cycles/<id>/reports", ManagedCycle, 200, |w, c| {
            cycle(w, c, "/reports")
        }),
        get(
            "/manage/cycles/<id>/reports/reviews.csv?<blind>&<number_reviewers>",
            ManagedCycle,
            200,
            |w, c| {
                cycle(
                    w,
                    c,
                    "/reports/reviews.csv?blind=true&number_reviewers=true",
                )
            },
        ),
        get(
            "/manage/cycles/<id>/reports/decisions.csv?<blind>",
            ManagedCycle,
            200,
            |w, c| cycle(w, c, "/reports/decisions.csv"),
        ),
        get(
            "/manage/cycles/<id>/demographics",
            ManagedCycle,
            200,
            |w, c| cycle(w, c, "/demographics"),
        ),
        get(
            "/manage/cycles/<id>/release?<ids>",
            ManagedCycle,
            200,
            |w, c| cycle(w, c, "/release"),
        ),
        post(
            "/manage/cycles/<id>/release",
            ManagedCycle,
            303,
            |w, c| cycle(w, c, "/release"),
            Release,
        ),
        get(
            "/manage/cycles/<id>/decisions?<outcome>&<page>",
            ManagedCycle,
            200,
            |w, c| cycle(w, c, "/decisions"),
        ),
        post(
            "/manage/cycles/<id>/promote",
            ManagedCycle,
            303,
            |w, c| cycle(w, c, "/promote"),
            Form(|w| vec![("application".into(), w.apps.waitlisted.to_string())]),
        ),
        get("/manage/cycles/<id>/letters", ManagedCycle, 200, |w, c| {
            cycle(w, c, "/letters")
        }),
        get(
            "/manage/cycles/<id>/letters/<outcome>",
            ManagedCycle,
            200,
            |w, c| cycle(w, c, "/letters/accepted"),
        ),
        post(
            "/manage/cycles/<id>/letters/<outcome>",
            ManagedCycle,
            303,
            |w, c| cycle(w, c, "/letters/accepted"),
            Form(|_| {
                owned(&[
                ("subject", "A place in the {{program}}"),
                ("body", "Dear {{applicant_name}},\n\nWe are glad to offer you a place. Answer by {{offer_deadline}}: {{status_link}}\n"),
                ("action", "save"),
            ])
            }),
        ),
    ]
}
