//! The rubric builder's rows. Pages are asked on Health Justice; the
//! changes are made on the Summer Internship cycle, which has no reviews
//! (so nothing asks for a confirmation), one after another in the table's
//! order: each names the version the one before it made (the seeded rubric
//! is version 1).

use super::{get, owned, post, Body, Row};
use crate::permissions::roles::{Audience, Col};
use crate::permissions::world::World;

fn hj(w: &World, _: Col, rest: &str) -> String {
    format!("/manage/cycles/{}{rest}", w.programs.hj.id)
}

fn c3(w: &World, rest: &str) -> String {
    format!("/manage/cycles/{}/rubric{rest}", w.programs.c3)
}

/// The criterion the rows add, edit, move and remove (its key comes from
/// its name).
const ADDED: &str = "teamwork";

fn criterion(version: &str, weight: &str) -> Vec<(String, String)> {
    owned(&[
        ("version", version),
        ("name", "Teamwork"),
        ("guidance", "Works well with others."),
        ("min", "1"),
        ("max", "5"),
        ("min_label", "Rarely"),
        ("max_label", "Always"),
        ("weight", weight),
    ])
}

/// The Summer Internship's rubric with its first criterion renamed, to
/// import as version 6.
fn imported(w: &World) -> String {
    let mut rubric: serde_json::Value = serde_json::from_str(&w.targets.rubric_c3).unwrap();
    rubric["criteria"][0]["label"] = "Renamed by an import".into();
    rubric.to_string()
}

/// The rubric builder's routes.
pub fn rows() -> Vec<Row> {
    use Audience::*;
    use Body::Form;
    vec![
        get("/manage/cycles/<id>/rubric", ManagedCycle, 200, |w, c| {
            hj(w, c, "/rubric")
        }),
        get(
            "/manage/cycles/<id>/rubric.json",
            ManagedCycle,
            200,
            |w, c| hj(w, c, "/rubric.json"),
        ),
        get(
            "/manage/cycles/<id>/rubric/criteria/<key>",
            ManagedCycle,
            200,
            |w, c| {
                let key = w.programs.hj.criteria[0].clone();
                hj(w, c, &format!("/rubric/criteria/{key}"))
            },
        ),
        post(
            "/manage/cycles/<id>/rubric/criteria",
            ManagedCycle,
            303,
            |w, _| c3(w, "/criteria"),
            Form(|_| criterion("1", "2")),
        ),
        post(
            "/manage/cycles/<id>/rubric/criteria/<key>",
            ManagedCycle,
            303,
            |w, _| c3(w, &format!("/criteria/{ADDED}")),
            Form(|_| criterion("2", "3")),
        ),
        post(
            "/manage/cycles/<id>/rubric/criteria/<key>/move",
            ManagedCycle,
            303,
            |w, _| c3(w, &format!("/criteria/{ADDED}/move")),
            Form(|_| owned(&[("version", "3"), ("to", "up")])),
        ),
        post(
            "/manage/cycles/<id>/rubric/criteria/<key>/remove",
            ManagedCycle,
            303,
            |w, _| c3(w, &format!("/criteria/{ADDED}/remove")),
            Form(|_| owned(&[("version", "4")])),
        ),
        post(
            "/manage/cycles/<id>/rubric/import",
            ManagedCycle,
            303,
            |w, _| c3(w, "/import"),
            Form(|w| vec![("version".into(), "5".into()), ("json".into(), imported(w))]),
        ),
        post(
            "/manage/cycles/<id>/rubric/recommendation",
            ManagedCycle,
            303,
            |w, _| c3(w, "/recommendation"),
            Form(|_| {
                owned(&[
                    ("version", "6"),
                    ("question", "Should we take this intern?"),
                    ("label_strongly_support", "Yes, gladly"),
                    ("label_support", "Yes"),
                    ("label_neutral", "Undecided"),
                    ("label_do_not_support", "No"),
                ])
            }),
        ),
    ]
}
