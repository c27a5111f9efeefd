//! The invitations' rows: a program's managers invite to Health Justice
//! (Nia, who manages another program, asks for the same ids), the admin
//! to any program, and the links the invitations mail: shown to anyone,
//! made into an account by a visitor, accepted by Ada with her own.

use super::{get, owned, post, Body, Row};
use crate::permissions::roles::{Audience, Col};
use crate::permissions::world::World;

fn managed(w: &World, _: Col, rest: &str) -> String {
    format!(
        "/manage/programs/{}/invitations{rest}",
        w.programs.hj.program
    )
}

/// The managers' and the admin's invitation routes.
pub fn rows() -> Vec<Row> {
    use Audience::*;
    use Body::Form;
    vec![
        get(
            "/manage/programs/<id>/invitations?<page>",
            ManagedCycle,
            200,
            |w, c| managed(w, c, ""),
        ),
        post(
            "/manage/programs/<id>/invitations",
            ManagedCycle,
            303,
            |w, c| managed(w, c, ""),
            Form(|_| owned(&[("email", "tam@faculty.example.edu"), ("role", "reviewer")])),
        ),
        post(
            "/manage/invitations/<id>/resend",
            ManagedCycle,
            303,
            |w, _| format!("/manage/invitations/{}/resend", w.targets.invitation_hj[0]),
            Form(|_| owned(&[("back", "/manage")])),
        ),
        post(
            "/manage/invitations/<id>/revoke",
            ManagedCycle,
            303,
            |w, _| format!("/manage/invitations/{}/revoke", w.targets.invitation_hj[1]),
            Form(|_| owned(&[("back", "/manage")])),
        ),
        get("/manage/audit?<q..>", Manager, 200, |_, _| {
            "/manage/audit?kind=decision".into()
        }),
        get("/manage/audit.csv?<q..>", Manager, 200, |_, _| {
            "/manage/audit.csv".into()
        }),
        get("/admin/users/<id>", Admin, 200, |w, _| {
            format!("/admin/users/{}", w.targets.gus)
        }),
        post(
            "/admin/users/<id>/email",
            Admin,
            303,
            |w, _| format!("/admin/users/{}/email", w.targets.gus),
            Form(|_| owned(&[("email", "gus.moved@alliance.example.org")])),
        ),
        get("/admin/audit?<q..>", Admin, 200, |_, _| {
            "/admin/audit".into()
        }),
        get("/admin/audit.csv?<q..>", Admin, 200, |_, _| {
            "/admin/audit.csv?kind=role".into()
        }),
        get("/admin/invitations?<page>", Admin, 200, |_, _| {
            "/admin/invitations".into()
        }),
        post(
            "/admin/invitations",
            Admin,
            303,
            |_, _| "/admin/invitations".into(),
            Form(|w| {
                vec![
                    ("email".into(), "val@faculty.example.edu".into()),
                    ("program".into(), w.programs.p3.to_string()),
                    ("role".into(), "manager".into()),
                ]
            }),
        ),
        post(
            "/admin/invitations/<id>/resend",
            Admin,
            303,
            |w, _| format!("/admin/invitations/{}/resend", w.targets.invitation_p3[0]),
            Form(|_| owned(&[("back", "/admin/invitations")])),
        ),
        post(
            "/admin/invitations/<id>/revoke",
            Admin,
            303,
            |w, _| format!("/admin/invitations/{}/revoke", w.targets.invitation_p3[1]),
            Form(|_| owned(&[("back", "/admin/invitations")])),
        ),
        get("/account/invitation/<secret>", Public, 200, |w, _| {
            format!("/account/invitation/{}", w.links.invitation_peek)
        }),
    ]
}

/// Making an account from a link logs the visitor in as it: the last row
/// of the table, so no row after it expects a visitor. Signed-in people
/// are told to log out first (nothing changes for them).
pub fn new_account() -> Row {
    post(
        "/account/invitation/<secret>",
        Audience::Public,
        303,
        |w, _| format!("/account/invitation/{}", w.links.invitation_new),
        Body::Form(|_| {
            owned(&[
                ("name", "Noor Newfaculty"),
                ("password", crate::helpers::PASSWORD),
                ("password_confirm", crate::helpers::PASSWORD),
            ])
        }),
    )
}

/// Ada, the admin, accepts a reviewer role with her own account; the
/// others are told the invitation is not theirs (nothing changes). Last
/// of the table, since she then reviews for Summer Internship.
pub fn accept() -> Row {
    post(
        "/account/invitation/<secret>/accept",
        Audience::SignedIn,
        303,
        |w, _| format!("/account/invitation/{}/accept", w.links.invitation_ada),
        Body::Empty,
    )
}
