//! The reviewer's desk: the to-do list and the submitted list, each
//! filtered by cycle and paged through its query.

use super::{get, Row};
use crate::permissions::roles::Audience;

/// The desk's routes.
pub fn rows() -> Vec<Row> {
    use Audience::*;
    vec![
        get("/review?<cycle>&<page>", Reviewer, 200, |w, _| {
            format!("/review?cycle={}&page=1", w.programs.hj.id)
        }),
        get("/review/done?<cycle>&<page>", Reviewer, 200, |w, _| {
            format!("/review/done?cycle={}&page=1", w.programs.hj.id)
        }),
    ]
}
