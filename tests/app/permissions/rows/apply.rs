//! The applicant's rows: each names the owner's object for the `own`
//! column (Ana's draft, unless the row says Sol's), and A, which is Ben's,
//! for every other column.

use super::{get, owned, post, Body, Row};
use crate::permissions::roles::Audience;

/// The applicant's routes: their own applications, documents, referees,
/// profile and the cycles they may start in.
pub fn rows() -> Vec<Row> {
    use Audience::*;
    use Body::{Empty, Form, Multipart};
    vec![
        get("/apply", SignedIn, 200, |_, _| "/apply".into()),
        get("/apply/cycles/<cycle_id>", SignedIn, 200, |w, _| {
            format!("/apply/cycles/{}", w.programs.c3)
        }),
        post(
            "/apply/cycles/<cycle_id>/start",
            SignedIn,
            303,
            |w, _| format!("/apply/cycles/{}/start", w.programs.c3),
            Form(|_| {
                owned(&[
                    ("e[enrollment_level]", "graduate"),
                    ("e[us_work_authorization]", "yes"),
                ])
            }),
        ),
        get("/apply/applications/<id>", Owner, 200, |w, c| {
            format!("/apply/applications/{}", w.owned(c, w.apps.draft))
        }),
        get(
            "/apply/applications/<id>/sections/<key>",
            Owner,
            200,
            |w, c| {
                format!(
                    "/apply/applications/{}/sections/contact",
                    w.owned(c, w.apps.draft)
                )
            },
        ),
        post(
            "/apply/applications/<id>/sections/<key>",
            Owner,
            303,
            |w, c| {
                format!(
                    "/apply/applications/{}/sections/contact",
                    w.owned(c, w.apps.draft)
                )
            },
            Multipart(|_| owned(&[("a[mailing_city]", "Baltimore")]), None),
        ),
        get("/apply/applications/<id>/review", Owner, 200, |w, c| {
            format!("/apply/applications/{}/review", w.owned(c, w.apps.draft))
        }),
        post(
            "/apply/applications/<id>/submit",
            Owner,
            303,
            |w, c| format!("/apply/applications/{}/submit", w.owned(c, w.apps.complete)),
            Empty,
        )
        .by_sol(),
        get("/apply/applications/<id>/withdraw", Owner, 200, |w, c| {
            format!("/apply/applications/{}/withdraw", w.owned(c, w.apps.draft))
        }),
        post(
            "/apply/applications/<id>/withdraw",
            Owner,
            303,
            |w, c| {
                format!(
                    "/apply/applications/{}/withdraw",
                    w.owned(c, w.apps.withdrawable)
                )
            },
            Form(|_| owned(&[("confirm", "true"), ("reason", "I accepted another place.")])),
        )
        .by_sol(),
        get("/apply/applications/<id>/summary", Owner, 200, |w, c| {
            format!("/apply/applications/{}/summary", w.owned(c, w.apps.draft))
        }),
        get("/apply/applications/<id>/referees", Owner, 200, |w, c| {
            format!("/apply/applications/{}/referees", w.owned(c, w.apps.draft))
        }),
        post(
            "/apply/applications/<id>/referees",
            Owner,
            303,
            |w, c| format!("/apply/applications/{}/referees", w.owned(c, w.apps.draft)),
            Form(|_| {
                owned(&[
                    ("question", "referees"),
                    ("position", "1"),
                    ("name", "Dr. Ida Keep"),
                    ("email", "ida.keep@clinic.example.org"),
                    ("relationship", "Supervisor"),
                    ("waiver", "yes"),
                ])
            }),
        ),
        post(
            "/apply/applications/<id>/referees/<rid>/resend",
            Owner,
            303,
            |w, c| {
                let (a, r) = w.owned_referee(c, w.apps.referee_keep);
                format!("/apply/applications/{a}/referees/{r}/resend")
            },
            Empty,
        ),
        post(
            "/apply/applications/<id>/referees/<rid>/remove",
            Owner,
            303,
            |w, c| {
                let (a, r) = w.owned_referee(c, w.apps.referee_drop);
                format!("/apply/applications/{a}/referees/{r}/remove")
            },
            Empty,
        ),
        post(
            "/apply/applications/<id>/offer",
            Owner,
            303,
            |w, c| format!("/apply/applications/{}/offer", w.owned(c, w.apps.offered)),
            Form(|_| owned(&[("answer", "accept"), ("confirm", "true")])),
        ),
        get("/apply/documents/<id>", Owner, 200, |w, c| {
            format!("/apply/documents/{}", w.owned_document(c))
        }),
        get("/apply/profile", SignedIn, 200, |_, _| {
            "/apply/profile".into()
        }),
        post(
            "/apply/profile",
            SignedIn,
            303,
            |_, _| "/apply/profile".into(),
            Form(|_| owned(&[("p[pronouns]", "they/them")])),
        ),
        get("/apply/demographics", SignedIn, 200, |_, _| {
            "/apply/demographics".into()
        }),
        post(
            "/apply/demographics",
            SignedIn,
            303,
            |_, _| "/apply/demographics".into(),
            Form(|_| owned(&[("a[rural_background]", "no")])),
        ),
    ]
}
