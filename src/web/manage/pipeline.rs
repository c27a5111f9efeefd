//! A cycle's applications as a manager works through them: filtered by
//! stage, reviewer, review progress and flags, searched by name, email or
//! institution, sorted and paginated in SQL; and bulk moves or assignment
//! of the selected rows (`app::screening`, `app::assignment`).

use crate::domain::cycle::CycleId;
use rocket::form::Form;
use rocket::response::{Flash, Redirect};
use rocket::{get, post, routes, FromForm, Route, State};
use rocket_dyn_templates::Template;
use serde::Serialize;

use crate::app::access::{cycle_for_manager, review_setup};
use crate::app::assignment::{assign_many, default_due};
use crate::app::screening::{move_many, BulkMove};
use crate::auth::guards::Manager;
use crate::context::Ctx;
use crate::db::applications::{self, PipelineFilter, PipelineSort};
use crate::db::assignments;
use crate::domain::application::ApplicationId;
use crate::domain::user::UserId;
use crate::domain::workflow::stage::Stage;
use crate::web::page::{render, url_encode, Chrome, ClientIp};
use crate::web::pager::{position, Pager};
use crate::web::{told, Result};

/// Rows per page of the list.
pub const PAGE_SIZE: i64 = 50;

pub fn routes() -> Vec<Route> {
    routes![list_applications, bulk_action]
}

#[derive(Serialize)]
struct Choice {
    value: String,
    label: String,
    selected: bool,
}

fn choices(options: &[(&str, &str)], current: &str) -> Vec<Choice> {
    options
        .iter()
        .map(|(v, l)| Choice {
            value: (*v).to_owned(),
            label: (*l).to_owned(),
            selected: *v == current,
        })
        .collect()
}

#[derive(Serialize)]
struct Row {
    id: ApplicationId,
    applicant_name: String,
    applicant_email: String,
    institution: String,
    stage: &'static str,
    submitted: String,
    assigned: i64,
    reviewed: i64,
    overdue: bool,
    conflict: bool,
    disagreement: bool,
}

#[derive(Serialize)]
struct SortLink {
    label: &'static str,
    href: String,
    /// `ascending` / `descending` on the sorted column, for `aria-sort`.
    aria_sort: Option<&'static str>,
}

#[derive(Serialize)]
struct ListPage {
    cycle_id: CycleId,
    cycle_name: String,
    stages: Vec<Choice>,
    reviewers: Vec<Choice>,
    progress: Vec<Choice>,
    flags: Vec<Choice>,
    q: String,
    sorts: Vec<SortLink>,
    rows: Vec<Row>,
    #[serde(flatten)]
    pager: Pager,
    back: String,
    due: String,
    bulk_reviewers: Vec<Choice>,
}

const PROGRESS: [(&str, &str); 4] = [
    ("", "Any"),
    ("unassigned", "No reviewers yet"),
    ("in_progress", "Reviews outstanding"),
    ("complete", "Every review in"),
];
const FLAGS: [(&str, &str); 4] = [
    ("", "Any"),
    ("overdue", "A review is overdue"),
    ("conflict", "A reviewer declared a conflict"),
    ("disagreement", "Reviewers disagree"),
];

/// The list of a cycle's applications.
#[expect(clippy::too_many_arguments, reason = "one per filter in the address")]
#[get("/cycles/<id>/applications?<stage>&<reviewer>&<progress>&<flag>&<q>&<sort>&<dir>&<page>")]
async fn list_applications(
    who: Manager,
    ctx: &State<Ctx>,
    chrome: Chrome,
    id: CycleId,
    stage: Option<String>,
    reviewer: Option<UserId>,
    progress: Option<String>,
    flag: Option<String>,
    q: Option<String>,
    sort: Option<String>,
    dir: Option<String>,
    page: Option<i64>,
) -> Result<Template> {
    let c = cycle_for_manager(ctx, &who, id).await?;
    let setup = review_setup(ctx, id).await?;
    let stage = stage
        .and_then(|s| Stage::parse(&s))
        .filter(|s| *s != Stage::Draft);
    let progress = progress.filter(|p| PROGRESS.iter().any(|(v, _)| v == p));
    let flag = flag.filter(|f| FLAGS.iter().any(|(v, _)| v == f));
    let q = q.unwrap_or_default();
    let sort = sort
        .as_deref()
        .and_then(PipelineSort::parse)
        .unwrap_or(PipelineSort::Submitted);
    let descending = dir.as_deref() == Some("desc");
    let (page, offset) = position(page, PAGE_SIZE);
    let filter = PipelineFilter {
        stage: stage.map(|s| s.as_str().to_owned()).unwrap_or_default(),
        reviewer: reviewer.filter(|r| r.0 > 0),
        progress: progress.clone().unwrap_or_default(),
        flag: flag.clone().unwrap_or_default(),
        search: q.trim().chars().take(200).collect(),
        threshold_squared: setup.settings.disagreement_threshold.powi(2),
        hide_applicant: who.0.user().id,
    };
    let now = ctx.now();
    let mut conn = ctx.conn().await?;
    let (rows, total) = applications::pipeline(
        conn.exec(),
        id,
        &filter,
        sort,
        descending,
        now,
        offset,
        PAGE_SIZE,
    )
    .await?;
    let reviewers = assignments::reviewers_of(conn.exec(), c.cycle.program_id).await?;

    // The address of this list with one thing changed.
    let query = |sort: PipelineSort, desc: bool, page: i64| {
        let mut parts = vec![
            format!("sort={}", sort.as_str()),
            format!("dir={}", if desc { "desc" } else { "asc" }),
        ];
        if !filter.stage.is_empty() {
            parts.push(format!("stage={}", filter.stage));
        }
        if let Some(r) = filter.reviewer {
            parts.push(format!("reviewer={r}"));
        }
        if !filter.progress.is_empty() {
            parts.push(format!("progress={}", filter.progress));
        }
        if !filter.flag.is_empty() {
            parts.push(format!("flag={}", filter.flag));
        }
        if !q.trim().is_empty() {
            parts.push(format!("q={}", url_encode(q.trim())));
        }
        parts.push(format!("page={page}"));
        format!("/manage/cycles/{id}/applications?{}", parts.join("&"))
    };
    let sorts = PipelineSort::ALL
        .iter()
        .map(|s| {
            let current = *s == sort;
            SortLink {
                label: match s {
                    PipelineSort::Submitted => "Submitted",
                    PipelineSort::Name => "Applicant",
                    PipelineSort::Institution => "Institution",
                    PipelineSort::Stage => "Stage",
                },
                href: query(*s, current && !descending, 1),
                aria_sort: current.then_some(if descending {
                    "descending"
                } else {
                    "ascending"
                }),
            }
        })
        .collect();
    let mut stages = vec![Choice {
        value: String::new(),
        label: "Any stage".into(),
        selected: stage.is_none(),
    }];
    stages.extend(
        Stage::ALL
            .iter()
            .filter(|s| **s != Stage::Draft)
            .map(|s| Choice {
                value: s.as_str().to_owned(),
                label: s.label().to_owned(),
                selected: Some(*s) == stage,
            }),
    );
    let mut reviewer_choices = vec![Choice {
        value: String::new(),
        label: "Any reviewer".into(),
        selected: filter.reviewer.is_none(),
    }];
    reviewer_choices.extend(reviewers.iter().map(|r| Choice {
        value: r.id.to_string(),
        label: r.name.clone(),
        selected: filter.reviewer == Some(r.id),
    }));
    let threshold = setup.settings.disagreement_threshold.powi(2);
    let rows = rows
        .into_iter()
        .map(|r| Row {
            id: r.id,
            applicant_name: r.applicant_name,
            applicant_email: r.applicant_email,
            institution: r.institution,
            stage: Stage::parse(&r.stage).map_or("unknown", Stage::label),
            submitted: r.submitted_at.map(|t| c.cycle.show(t)).unwrap_or_default(),
            assigned: r.assigned,
            reviewed: r.reviewed,
            overdue: r.overdue > 0,
            conflict: r.declared_conflicts > 0,
            disagreement: r.variance.is_some_and(|v| v > threshold),
        })
        .collect();
    let back = query(sort, descending, page);
    let list = ListPage {
        cycle_id: id,
        cycle_name: c.cycle.name.clone(),
        stages,
        reviewers: reviewer_choices,
        progress: choices(&PROGRESS, filter.progress.as_str()),
        flags: choices(&FLAGS, filter.flag.as_str()),
        q: q.clone(),
        sorts,
        rows,
        pager: Pager::new(page, total, PAGE_SIZE, |p| query(sort, descending, p)),
        back,
        due: default_due(&c.cycle, now),
        bulk_reviewers: reviewers
            .iter()
            .map(|r| Choice {
                value: r.id.to_string(),
                label: r.name.clone(),
                selected: false,
            })
            .collect(),
    };
    let title = format!("Applications – {}", c.cycle.name);
    Ok(render("manage/applications", &chrome, &title, list))
}

#[derive(FromForm)]
struct BulkForm {
    #[field(default = Vec::new())]
    ids: Vec<ApplicationId>,
    #[field(default = String::new())]
    action: String,
    /// A reviewer's id, or empty when none is chosen.
    #[field(default = String::new())]
    reviewer: String,
    #[field(default = String::new())]
    due: String,
    #[field(default = String::new())]
    back: String,
}

/// Where a bulk action returns: the cycle's list or ranking the form came
/// from (with its filters), read as an address; anything else (another
/// path, `..`, text that is not an address) is the cycle's list.
fn list_to_return_to(back: &str, cycle: CycleId) -> String {
    let list = format!("/manage/cycles/{cycle}/applications");
    let ranking = format!("/manage/cycles/{cycle}/ranking");
    let Ok(origin) = rocket::http::uri::Origin::parse(back) else {
        return list;
    };
    let path = origin.path().as_str();
    if path != list && path != ranking {
        return list;
    }
    match origin.query() {
        Some(q) => format!("{path}?{q}"),
        None => path.to_owned(),
    }
}

/// Applies one action to the selected applications; each that cannot take
/// it is named in the message, and nothing is changed for it.
#[post("/cycles/<id>/applications/bulk", data = "<form>")]
async fn bulk_action(
    who: Manager,
    ctx: &State<Ctx>,
    ip: ClientIp,
    id: CycleId,
    form: Form<BulkForm>,
) -> Result<Flash<Redirect>> {
    let c = cycle_for_manager(ctx, &who, id).await?;
    let back_to = list_to_return_to(&form.back, id);
    let back = || Redirect::to(back_to.clone());
    if form.ids.is_empty() {
        return Ok(Flash::error(
            back(),
            "Select at least one application first.",
        ));
    }
    if form.action == "assign" {
        let reviewer = form.reviewer.trim().parse::<UserId>().ok();
        return match assign_many(ctx, &who, &ip, id, &form.ids, reviewer, &form.due).await {
            Ok(done) if done.is_complete() => Ok(Flash::success(back(), done.message())),
            Ok(done) => Ok(Flash::error(back(), done.message())),
            Err(e) => told(Err(e), back(), |()| String::new()),
        };
    }
    if let Some(outcome) = form
        .action
        .strip_prefix("decide_")
        .and_then(crate::domain::workflow::decision::Outcome::parse)
    {
        let (done, refused) =
            crate::app::decisions::decide_many(ctx, &who, &ip, &c, &form.ids, outcome).await?;
        let labels = crate::app::outcomes::labels(ctx, id).await?;
        let mut message = format!(
            "{done} decision{} recorded ({}), held until you release decisions.",
            if done == 1 { "" } else { "s" },
            labels.label(outcome)
        );
        if refused.is_empty() {
            return Ok(Flash::success(back(), message));
        }
        message.push_str(&format!(" Not recorded: {}", refused.join(" ")));
        return Ok(Flash::error(back(), message));
    }
    let Some(mv) = BulkMove::parse(&form.action) else {
        return Ok(Flash::error(
            back(),
            "Choose what to do with the selected applications.",
        ));
    };
    let done = move_many(ctx, &who, &ip, id, &form.ids, mv).await?;
    Ok(if done.is_complete() {
        Flash::success(back(), done.message())
    } else {
        Flash::error(back(), done.message())
    })
}

#[cfg(test)]
mod tests {
    use super::list_to_return_to;
    use crate::domain::cycle::CycleId;

    #[test]
    fn a_bulk_action_returns_only_to_the_cycles_list_or_ranking() {
        let list = "/manage/cycles/7/applications";
        assert_eq!(
            list_to_return_to(
                "/manage/cycles/7/applications?stage=review&page=2",
                CycleId(7)
            ),
            "/manage/cycles/7/applications?stage=review&page=2"
        );
        assert_eq!(
            list_to_return_to("/manage/cycles/7/ranking?sort=spread", CycleId(7)),
            "/manage/cycles/7/ranking?sort=spread"
        );
        for bad in [
            "/manage/cycles/7/applications/../../../admin/users",
            "/manage/cycles/7/applications/..",
            "/manage/cycles/8/applications",
            "/manage/cycles/7/applicationsx",
            "https://evil.example/",
            "//evil.example/manage/cycles/7/applications",
            "/manage/cycles/7/applications?x=<script>",
            "not an address at all",
            "",
        ] {
            assert_eq!(list_to_return_to(bad, CycleId(7)), list, "{bad}");
        }
    }
}
