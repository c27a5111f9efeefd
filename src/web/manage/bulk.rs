//! Bulk actions on a cycle's applications (`app::screening`,
//! `app::assignment`, `app::decisions`): on the ticked rows, on every row
//! of the page ("select all on this page", which works without
//! JavaScript: the page's ids travel with the form), or on every
//! application the list's filters match ("all N matching", applied only
//! after a confirmation page that names N; if N changed meanwhile, it asks
//! again with the new number).

use rocket::form::Form;
use rocket::response::{Flash, Redirect};
use rocket::{post, routes, Either, FromForm, Route, State};
use rocket_dyn_templates::Template;
use serde::Serialize;

use super::listing::{ListParams, Listing};
use super::pipeline::Hidden;
use crate::app::access::{cycle_for_manager, review_setup};
use crate::app::assignment::assign_many;
use crate::app::screening::{move_many, BulkMove};
use crate::auth::guards::Manager;
use crate::context::Ctx;
use crate::db::applications;
use crate::domain::application::ApplicationId;
use crate::domain::cycle::CycleId;
use crate::domain::user::UserId;
use crate::domain::workflow::decision::Outcome;
use crate::web::page::{render, Chrome, ClientIp};
use crate::web::{told, Result};

pub fn routes() -> Vec<Route> {
    routes![bulk_action]
}

#[derive(FromForm)]
struct BulkForm {
    #[field(default = Vec::new())]
    ids: Vec<ApplicationId>,
    /// Every row shown on the page, for "select all on this page".
    #[field(default = Vec::new())]
    page_ids: Vec<ApplicationId>,
    #[field(default = false)]
    all_page: bool,
    /// `matching`: every application the list's filters match.
    #[field(default = String::new())]
    scope: String,
    /// The number of matching applications the manager confirmed.
    confirm: Option<usize>,
    #[field(default = String::new())]
    action: String,
    /// A reviewer's id, or empty when none is chosen.
    #[field(default = String::new())]
    reviewer: String,
    #[field(default = String::new())]
    due: String,
    /// A label's id, or empty when none is chosen.
    #[field(default = String::new())]
    label: String,
    #[field(default = String::new())]
    back: String,
    /// The list's filters and search, for `scope=matching`.
    list: ListParams,
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

/// The words for an action in the confirmation, or `None` for an action
/// the list does not offer.
fn action_words(action: &str) -> Option<&'static str> {
    Some(match action {
        "start_screening" => "Start screening",
        "mark_eligible" => "Mark eligible (moves to review)",
        "send_to_committee" => "Send to committee",
        "assign" => "Assign the chosen reviewer",
        "label" => "Add the chosen label",
        "decide_accepted" => "Record the decision: accepted",
        "decide_waitlisted" => "Record the decision: waitlisted",
        "decide_declined" => "Record the decision: declined",
        _ => return None,
    })
}

#[derive(Serialize)]
struct ConfirmPage {
    cycle_id: CycleId,
    cycle_name: String,
    count: usize,
    action: &'static str,
    /// The form again, with `confirm` set to the count.
    fields: Vec<Hidden>,
    back: String,
    /// The count changed since the list was shown.
    changed: bool,
}

/// Applies one action to the selected applications; each that cannot take
/// it is named in the message, and nothing is changed for it. For all
/// matching applications, shows the confirmation page first.
#[post("/cycles/<id>/applications/bulk", data = "<form>")]
async fn bulk_action(
    who: Manager,
    ctx: &State<Ctx>,
    chrome: Chrome,
    ip: ClientIp,
    id: CycleId,
    form: Form<BulkForm>,
) -> Result<Either<Flash<Redirect>, Template>> {
    let c = cycle_for_manager(ctx, &who, id).await?;
    let back_to = list_to_return_to(&form.back, id);
    let back = || Redirect::to(back_to.clone());
    let refuse = |message: &str| Ok(Either::Left(Flash::error(back(), message.to_owned())));
    let ids: Vec<ApplicationId> = if form.scope == "matching" {
        let Some(words) = action_words(&form.action) else {
            return refuse("Choose what to do with the matching applications.");
        };
        if form.action == "assign" && form.reviewer.trim().parse::<UserId>().is_err() {
            return refuse("Choose the reviewer to assign.");
        }
        if form.action == "label" && form.label.trim().parse::<i64>().is_err() {
            return refuse("Choose the label to add.");
        }
        let setup = review_setup(ctx, id).await?;
        let l = Listing::read(form.list.clone());
        let filter = l.filter(
            setup.settings.disagreement_threshold.powi(2),
            who.0.user().id,
        );
        let mut conn = ctx.conn().await?;
        let ids = applications::pipeline_ids(conn.exec(), id, &filter, ctx.now()).await?;
        drop(conn);
        if ids.is_empty() {
            return refuse("No application matches the filters; nothing was changed.");
        }
        if form.confirm != Some(ids.len()) {
            let page = confirmation(&c.cycle.name, id, &form, &l, words, ids.len(), &back_to);
            let title = format!("Confirm – {}", c.cycle.name);
            return Ok(Either::Right(render(
                "manage/bulk_confirm",
                &chrome,
                &title,
                page,
            )));
        }
        ids
    } else if form.all_page {
        let mut ids = form.page_ids.clone();
        ids.extend(form.ids.iter().filter(|i| !form.page_ids.contains(i)));
        ids
    } else {
        form.ids.clone()
    };
    if ids.is_empty() {
        return refuse("Select at least one application first.");
    }
    apply(ctx, &who, &ip, &c, &form, &ids, back)
        .await
        .map(Either::Left)
}

/// The confirmation page for `count` matching applications.
fn confirmation(
    cycle_name: &str,
    id: CycleId,
    form: &BulkForm,
    l: &Listing,
    action: &'static str,
    count: usize,
    back: &str,
) -> ConfirmPage {
    let mut fields: Vec<Hidden> = [
        ("scope", "matching".to_owned()),
        ("confirm", count.to_string()),
        ("action", form.action.clone()),
        ("reviewer", form.reviewer.clone()),
        ("due", form.due.clone()),
        ("label", form.label.clone()),
        ("back", back.to_owned()),
    ]
    .into_iter()
    .map(|(name, value)| Hidden {
        name: name.to_owned(),
        value,
    })
    .collect();
    fields.extend(l.filter_pairs().into_iter().map(|(k, v)| Hidden {
        name: format!("list.{k}"),
        value: v,
    }));
    ConfirmPage {
        cycle_id: id,
        cycle_name: cycle_name.to_owned(),
        count,
        action,
        fields,
        back: back.to_owned(),
        changed: form.confirm.is_some(),
    }
}

/// Applies the form's action to `ids`.
async fn apply(
    ctx: &Ctx,
    who: &Manager,
    ip: &ClientIp,
    c: &crate::db::cycles::CycleWithForm,
    form: &BulkForm,
    ids: &[ApplicationId],
    back: impl Fn() -> Redirect,
) -> Result<Flash<Redirect>> {
    let id = c.cycle.id;
    if form.action == "assign" {
        let reviewer = form.reviewer.trim().parse::<UserId>().ok();
        return match assign_many(ctx, who, ip, id, ids, reviewer, &form.due).await {
            Ok(done) if done.is_complete() => Ok(Flash::success(back(), done.message())),
            Ok(done) => Ok(Flash::error(back(), done.message())),
            Err(e) => told(Err(e), back(), |()| String::new()),
        };
    }
    if form.action == "label" {
        let label = form.label.trim().parse::<i64>().ok();
        let outcome = crate::app::labels::add_many(ctx, who, ip, id, ids, label).await;
        return told(outcome, back(), |done| {
            let mut said = format!(
                "“{}” added to {} application{}.",
                done.name,
                done.added,
                if done.added == 1 { "" } else { "s" }
            );
            if done.already > 0 {
                said.push_str(&format!(" {} had it already.", done.already));
            }
            said
        });
    }
    if let Some(outcome) = form.action.strip_prefix("decide_").and_then(Outcome::parse) {
        let (done, refused) =
            crate::app::decisions::decide_many(ctx, who, ip, c, ids, outcome).await?;
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
    let done = move_many(ctx, who, ip, id, ids, mv).await?;
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
