//! The ranking's and the removal's rows: the ranking with its grouping in
//! the address; the confirmation step of the ranking's bulk action (a
//! page: nothing changes before its form posts to the bulk action); and the confirmation before removing a
//! reviewer (back to the application when, as here, they have not
//! submitted).

use super::{get, Row};
use crate::permissions::roles::{Audience, Col};
use crate::permissions::world::World;

/// The ranking's and the removal's routes.
pub fn rows() -> Vec<Row> {
    use Audience::*;
    vec![
        get(
            "/manage/cycles/<id>/ranking?<sort>&<dir>&<show>&<page>",
            ManagedCycle,
            200,
            |w, _| {
                format!(
                    "/manage/cycles/{}/ranking?show=incomplete-first",
                    w.programs.hj.id
                )
            },
        ),
        get(
            "/manage/cycles/<id>/ranking/confirm?<form..>",
            ManagedCycle,
            200,
            |w, _| {
                format!(
                    "/manage/cycles/{}/ranking/confirm?ids={}&action=send_to_committee",
                    w.programs.hj.id, w.apps.to_decide
                )
            },
        ),
        get(
            "/manage/applications/<id>/unassign?<reviewer>",
            Managed,
            303,
            |w: &World, c: Col| {
                format!(
                    "/manage/applications/{}/unassign?reviewer={}",
                    w.managed(c, w.apps.to_unassign),
                    w.people.sam
                )
            },
        ),
    ]
}
