//! The programs' rows: the public program page, the admin's program pages
//! (the new program, the Summer Internship's edit and archive, which come
//! last among the POST rows so nothing after them relies on it being
//! open), and the manager's page of Health Justice (Nia, who manages
//! another program, asks for the same id).

use super::{get, owned, post, Body, Row};
use crate::permissions::roles::{Audience, Col};
use crate::permissions::world::World;
use fellowship_portal::domain::program::SEEDED_PROGRAMS;

fn program(w: &World, _: Col, rest: &str) -> String {
    format!("/admin/programs/{}{rest}", w.programs.p3)
}

/// The programs' routes.
pub fn rows() -> Vec<Row> {
    use Audience::*;
    use Body::Form;
    vec![
        get("/programs/<slug>", Public, 200, |_, _| {
            "/programs/health-justice".into()
        }),
        get("/manage/programs/<id>", ManagedCycle, 200, |w, _| {
            format!("/manage/programs/{}", w.programs.hj.program)
        }),
        post(
            "/manage/programs/<id>",
            ManagedCycle,
            303,
            |w, _| format!("/manage/programs/{}", w.programs.hj.program),
            Form(|_| {
                owned(&[
                    ("name", SEEDED_PROGRAMS[0].name),
                    ("kind", "fellowship"),
                    ("description", SEEDED_PROGRAMS[0].description),
                    (
                        "eligibility",
                        "Students in a US health professions program.",
                    ),
                    ("contact_email", ""),
                    ("visibility", "public"),
                ])
            }),
        ),
        get("/admin/programs", Admin, 200, |_, _| {
            "/admin/programs".into()
        }),
        get("/admin/programs/new", Admin, 200, |_, _| {
            "/admin/programs/new".into()
        }),
        post(
            "/admin/programs",
            Admin,
            303,
            |_, _| "/admin/programs".into(),
            Form(|_| {
                owned(&[
                    ("name", "Social Mission Award"),
                    ("slug", "social-mission"),
                    ("kind", "nomination"),
                    ("visibility", "hidden"),
                ])
            }),
        ),
        get("/admin/programs/<id>", Admin, 200, |w, c| program(w, c, "")),
        post(
            "/admin/programs/<id>",
            Admin,
            303,
            |w, c| program(w, c, ""),
            Form(|_| {
                owned(&[
                    ("name", SEEDED_PROGRAMS[2].name),
                    ("slug", SEEDED_PROGRAMS[2].slug),
                    ("kind", "internship"),
                    ("description", SEEDED_PROGRAMS[2].description),
                    ("eligibility", "Students in their second year or later."),
                    ("visibility", "public"),
                ])
            }),
        ),
        post(
            "/admin/programs/<id>/archive",
            Admin,
            303,
            |w, c| program(w, c, "/archive"),
            Form(|_| owned(&[("archive", "yes")])),
        ),
    ]
}
