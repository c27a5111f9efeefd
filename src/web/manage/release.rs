//! Releasing held decisions: the counts per outcome (of the whole cycle
//! or of a selection) are shown and must be confirmed, and still be the
//! counts, before each applicant is sent one letter, in batches.

use crate::domain::cycle::CycleId;
use rocket::form::Form;
use rocket::response::{Flash, Redirect};
use rocket::{get, post, routes, FromForm, Route, State};
use rocket_dyn_templates::Template;
use serde::Serialize;

use crate::app::release::{self, Release};
use crate::app::{access, decisions};
use crate::auth::guards::Manager;
use crate::context::Ctx;
use crate::db::cycles::CycleWithForm;
use crate::domain::application::ApplicationId;
use crate::domain::user::UserId;
use crate::domain::workflow::decision::Outcome;
use crate::web::page::{render, Chrome, ClientIp, FormErrors};
use crate::web::Result;

pub fn routes() -> Vec<Route> {
    routes![show_release, release_decisions]
}

#[derive(Serialize)]
struct OutcomeCount {
    value: &'static str,
    label: String,
    count: i64,
    checked: bool,
}

#[derive(Serialize)]
struct ReleasePage {
    /// The applications chosen on the decisions list (empty: all).
    ids: Vec<ApplicationId>,
    cycle_id: CycleId,
    cycle_name: String,
    counts: Vec<OutcomeCount>,
    total: i64,
    offer_deadline: String,
    /// Letters released earlier and not yet sent.
    waiting: Option<String>,
    errors: FormErrors,
}

/// The release page; `chosen` keeps the outcomes ticked on a refused
/// form (`None`: every outcome with decisions waiting), and `errors` are
/// what was refused, by field.
async fn release_page(
    ctx: &Ctx,
    me: UserId,
    c: &CycleWithForm,
    ids: &[ApplicationId],
    chosen: Option<&[Outcome]>,
    errors: FormErrors,
) -> Result<ReleasePage> {
    let only = (!ids.is_empty()).then_some(ids);
    let labels = crate::app::outcomes::labels(ctx, c.cycle.id).await?;
    let counts: Vec<OutcomeCount> = release::held_counts(ctx, me, c.cycle.id, only)
        .await?
        .into_iter()
        .map(|(o, count)| OutcomeCount {
            value: o.as_str(),
            label: labels.label(o).to_owned(),
            count,
            checked: match chosen {
                Some(chosen) => chosen.contains(&o),
                None => count > 0,
            },
        })
        .collect();
    Ok(ReleasePage {
        ids: ids.to_vec(),
        cycle_id: c.cycle.id,
        cycle_name: c.cycle.name.clone(),
        total: counts.iter().map(|c| c.count).sum(),
        counts,
        offer_deadline: c
            .cycle
            .show(decisions::offer_deadline(ctx, c.cycle.id).await?),
        waiting: super::letters_waiting_notice(ctx, c).await?,
        errors,
    })
}

#[get("/cycles/<id>/release?<ids>")]
async fn show_release(
    who: Manager,
    ctx: &State<Ctx>,
    chrome: Chrome,
    id: CycleId,
    ids: Vec<ApplicationId>,
) -> Result<Template> {
    let c = access::cycle_for_manager(ctx, &who, id).await?;
    let me = who.0.user().id;
    let page = release_page(ctx, me, &c, &ids, None, FormErrors::default()).await?;
    let title = format!("Release decisions – {}", c.cycle.name);
    Ok(render("manage/release", &chrome, &title, page))
}

#[derive(FromForm)]
struct ReleaseForm {
    /// The outcomes to release.
    #[field(default = Vec::new())]
    outcome: Vec<String>,
    /// The counts the manager confirmed, per outcome (`seen[accepted]`).
    #[field(default = std::collections::BTreeMap::new())]
    seen: std::collections::BTreeMap<String, i64>,
    #[field(default = false)]
    confirm: bool,
    /// Only these applications (chosen on the decisions list), if any.
    #[field(default = Vec::new())]
    ids: Vec<ApplicationId>,
}

impl From<&ReleaseForm> for Release {
    fn from(form: &ReleaseForm) -> Self {
        Release {
            outcomes: form
                .outcome
                .iter()
                .filter_map(|o| Outcome::parse(o))
                .collect(),
            seen: Outcome::ALL
                .iter()
                .filter_map(|o| Some((*o, *form.seen.get(o.as_str())?)))
                .collect(),
            confirm: form.confirm,
            ids: form.ids.clone(),
        }
    }
}

/// Releases the held decisions of the chosen outcomes, if their counts are
/// still those the manager confirmed: each applicant gets one letter.
#[post("/cycles/<id>/release", data = "<form>")]
async fn release_decisions(
    who: Manager,
    ctx: &State<Ctx>,
    chrome: Chrome,
    ip: ClientIp,
    id: CycleId,
    form: Form<ReleaseForm>,
) -> Result<std::result::Result<Flash<Redirect>, (rocket::http::Status, Template)>> {
    let input = Release::from(&*form);
    let chosen = input.outcomes.clone();
    let released = match release::release(ctx, &who, &ip, id, input).await {
        Ok(n) => n,
        // The page again with what was chosen, the problem next to its field.
        Err(crate::app::Error::Invalid(errors)) => {
            let c = access::cycle_for_manager(ctx, &who, id).await?;
            let me = who.0.user().id;
            let page = release_page(ctx, me, &c, &form.ids, Some(&chosen), errors).await?;
            let title = format!("Release decisions – {}", c.cycle.name);
            return Ok(Err(crate::web::page::invalid(
                "manage/release",
                &chrome,
                &title,
                page,
            )));
        }
        Err(e) => return Err(e.into()),
    };
    Ok(Ok(Flash::success(
        Redirect::to(format!("/manage/cycles/{id}/decisions")),
        format!(
            "{released} decision{} released; each applicant is sent one letter.",
            if released == 1 { "" } else { "s" }
        ),
    )))
}
