//! The outcomes page's rows: renaming the Health Justice cycle's
//! outcomes (the same names each time, so every column sees the same
//! page); adding "Accepted as poster" there, then removing it (no
//! decision uses it).

use super::{get, owned, post, Body, Row};
use crate::permissions::roles::{Audience, Col};
use crate::permissions::world::World;

fn outcomes(w: &World, _: Col) -> String {
    format!("/manage/cycles/{}/outcomes", w.programs.hj.id)
}

/// The outcomes page's routes.
pub fn rows() -> Vec<Row> {
    use Audience::*;
    use Body::Form;
    vec![
        get("/manage/cycles/<id>/outcomes", ManagedCycle, 200, outcomes),
        post(
            "/manage/cycles/<id>/outcomes",
            ManagedCycle,
            303,
            outcomes,
            Form(|_| {
                owned(&[
                    ("labels[accepted]", "Accepted"),
                    ("labels[waitlisted]", "Waitlisted"),
                    ("labels[declined]", "Not this year"),
                ])
            }),
        ),
        post(
            "/manage/cycles/<id>/outcomes/add",
            ManagedCycle,
            303,
            |w, c| format!("{}/add", outcomes(w, c)),
            Form(|_| owned(&[("label", "Accepted as poster"), ("meaning", "accepted")])),
        ),
        post(
            "/manage/cycles/<id>/outcomes/<key>/remove",
            ManagedCycle,
            303,
            |w, c| format!("{}/extra-1/remove", outcomes(w, c)),
            Body::Empty,
        ),
    ]
}
