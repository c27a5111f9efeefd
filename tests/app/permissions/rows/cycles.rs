//! The rows of setting cycles up: a new cycle for Health Justice, its
//! name and dates, a copy, and unpublishing and publishing the Summer
//! Internship cycle (Nia, who manages another program, asks for the same
//! ids). They come before the applicants' rows, which apply to Summer
//! Internship.

use super::{get, owned, post, Body, Row};
use crate::permissions::roles::{Audience, Col};
use crate::permissions::world::World;

fn cycle(w: &World, _: Col, rest: &str) -> String {
    format!("/manage/cycles/{}{rest}", w.programs.hj.id)
}

fn new_cycle(w: &World, _: Col) -> String {
    format!("/manage/programs/{}/cycles/new", w.programs.hj.program)
}

/// A cycle's fields, far in the future, named `name`.
fn fields(name: &str) -> Vec<(String, String)> {
    let mut all = owned(&[
        ("time_zone", "America/New_York"),
        ("opens_date", "2099-01-01"),
        ("opens_time", "09:00"),
        ("closes_date", "2099-03-01"),
        ("closes_time", "17:00"),
        ("letters_due_date", "2099-03-15"),
        ("letters_due_time", "17:00"),
        ("decisions_date", "2099-05-01"),
        ("decisions_time", "12:00"),
        ("grace_hours", "72"),
    ]);
    all.push(("name".into(), name.into()));
    all
}

/// The cycle set-up routes.
pub fn rows() -> Vec<Row> {
    use Audience::*;
    use Body::{Empty, Form};
    vec![
        get(
            "/manage/programs/<id>/cycles/new",
            ManagedCycle,
            200,
            new_cycle,
        ),
        post(
            "/manage/programs/<id>/cycles/new",
            ManagedCycle,
            303,
            new_cycle,
            Form(|_| fields("2099 matrix cohort")),
        ),
        get("/manage/cycles/<id>/dates", ManagedCycle, 200, |w, c| {
            cycle(w, c, "/dates")
        }),
        // The values the form showed cannot be known here, so the allowed
        // manager's save is refused for its dates (closing before opening):
        // the page again, 422, nothing stored. Saving is `setup_cycles`'.
        post(
            "/manage/cycles/<id>/dates",
            ManagedCycle,
            422,
            |w, c| cycle(w, c, "/dates"),
            Form(|_| {
                let mut f = fields("2099 matrix dates");
                f.retain(|(k, _)| k != "closes_date");
                f.push(("closes_date".into(), "2098-01-01".into()));
                f
            }),
        ),
        get("/manage/cycles/<id>/copy", ManagedCycle, 200, |w, c| {
            cycle(w, c, "/copy")
        }),
        post(
            "/manage/cycles/<id>/copy",
            ManagedCycle,
            303,
            |w, c| cycle(w, c, "/copy"),
            Form(|_| fields("2099 matrix copy")),
        ),
        // On Summer Internship, before anyone applies to it (these rows run
        // before the applicants'): taken back, then opened again.
        post(
            "/manage/cycles/<id>/unpublish",
            ManagedCycle,
            303,
            |w, _| format!("/manage/cycles/{}/unpublish", w.programs.c3),
            Empty,
        ),
        post(
            "/manage/cycles/<id>/publish",
            ManagedCycle,
            303,
            |w, _| format!("/manage/cycles/{}/publish", w.programs.c3),
            Empty,
        ),
    ]
}
