//! The reviewer's area, mounted at `/review`: the desk of what is to
//! review and what is done ([`desk`]), their institution (which keeps them away from their own
//! institution's applicants), and each assigned application with the
//! review form ([`application`]). Every route takes the `Reviewer` guard;
//! an application opens only through `reviewer_may_open` (assigned and
//! not conflicted), otherwise 404.

mod application;
mod desk;

use rocket::form::Form;
use rocket::response::{Flash, Redirect};
use rocket::{post, routes, FromForm, Route, State};

use crate::auth::guards::Reviewer;
use crate::context::Ctx;
use crate::domain::application::ApplicationId;
use crate::web::{told, Result};

/// Routes mounted at `/review`.
pub fn routes() -> Vec<Route> {
    let mut all = routes![desk::show_to_do, desk::show_done, save_institution];
    all.extend(application::routes());
    all
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
