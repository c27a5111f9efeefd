//! The reviewer's area, mounted at `/review`: their assignments with state
//! and due dates, their institution (which keeps them away from their own
//! institution's applicants), and each assigned application with the
//! review form ([`application`]). Every route takes the `Reviewer` guard;
//! an application opens only through `reviewer_may_open` (assigned and
//! not conflicted), otherwise 404.

mod application;

use rocket::form::Form;
use rocket::response::{Flash, Redirect};
use rocket::{get, post, routes, FromForm, Route, State};
use rocket_dyn_templates::Template;
use serde::Serialize;

use crate::auth::guards::Reviewer;
use crate::context::Ctx;
use crate::db::{assignments, mail_preferences, profiles};
use crate::domain::application::ApplicationId;
use crate::domain::workflow::review::{is_overdue, ReviewState};
use crate::web::page::{render, Chrome};
use crate::web::{told, Result};

/// Routes mounted at `/review`.
pub fn routes() -> Vec<Route> {
    let mut all = routes![index, save_institution];
    all.extend(application::routes());
    all
}

/// The most assignments listed at once.
const LISTED: i64 = 500;

#[derive(Serialize)]
struct Row {
    application_id: ApplicationId,
    title: String,
    program_name: String,
    cycle_name: String,
    due: String,
    state: &'static str,
    overdue: bool,
    submitted: bool,
}

#[derive(Serialize)]
struct IndexPage {
    rows: Vec<Row>,
    to_do: usize,
    institution: String,
    /// The page that stops or restarts reminders of overdue reviews, and
    /// whether they are on; only once a reminder was sent (its link is
    /// that page).
    reminders: Option<Reminders>,
}

#[derive(Serialize)]
struct Reminders {
    link: String,
    on: bool,
}

/// The title of an application as a reviewer sees it: never a name in a
/// blind cycle.
pub(crate) fn title_for(id: ApplicationId, blind: bool, applicant_name: &str) -> String {
    if blind {
        format!("Application #{id}")
    } else {
        format!("Application #{id}: {applicant_name}")
    }
}

#[get("/")]
async fn index(who: Reviewer, ctx: &State<Ctx>, chrome: Chrome) -> Result<Template> {
    let me = who.0.user().id;
    let now = ctx.now();
    let mut conn = ctx.conn().await?;
    let mine = assignments::for_reviewer(conn.exec(), me, LISTED).await?;
    let profile = profiles::get(conn.exec(), me).await?;
    let reminders = mail_preferences::review_page(conn.exec(), &who.0.user().email)
        .await?
        .map(|(token, on)| Reminders {
            link: format!("{}/{token}", crate::mail::messages::STOP_PATH),
            on,
        });
    let rows: Vec<Row> = mine
        .into_iter()
        .map(|a| {
            let tz = crate::domain::cycle::parse_zone(&a.time_zone).unwrap_or(chrono_tz::UTC);
            let state = ReviewState::of(a.review_state);
            Row {
                application_id: a.application_id,
                title: title_for(a.application_id, a.blind_review, &a.applicant_name),
                program_name: a.program_name,
                cycle_name: a.cycle_name,
                due: crate::domain::cycle::show_in(tz, a.due_at),
                state: state.label(),
                overdue: is_overdue(a.due_at, state, now),
                submitted: state == ReviewState::Submitted,
            }
        })
        .collect();
    let page = IndexPage {
        to_do: rows.iter().filter(|r| !r.submitted).count(),
        rows,
        institution: profile.institution,
        reminders,
    };
    Ok(render("review/index", &chrome, "Your reviews", page))
}

#[derive(FromForm)]
struct InstitutionForm {
    #[field(default = String::new())]
    institution: String,
}

/// Keeps the reviewer's institution, so that automatic assignment never
/// gives them an applicant from it.
#[post("/institution", data = "<form>")]
async fn save_institution(
    who: Reviewer,
    ctx: &State<Ctx>,
    form: Form<InstitutionForm>,
) -> Result<Flash<Redirect>> {
    let outcome = crate::app::review::save_institution(ctx, &who, &form.institution).await;
    told(outcome, Redirect::to("/review"), |()| {
        "Your institution is saved.".into()
    })
}
