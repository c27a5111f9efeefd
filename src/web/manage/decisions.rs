//! Recording one application's decision from its page (see
//! [`crate::app::decisions`]): a refusal shows the form again, what was
//! typed kept, the reason next to the field it is about.

use rocket::form::Form;
use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use rocket::{post, routes, FromForm, Route, State};
use rocket_dyn_templates::Template;

use super::application::{refuse_decision, RefusedDecision};
use crate::app::decisions::{Decided, Decision};
use crate::auth::guards::Manager;
use crate::context::Ctx;
use crate::domain::application::ApplicationId;
use crate::web::page::{Chrome, ClientIp, FormErrors};
use crate::web::Result;

pub fn routes() -> Vec<Route> {
    routes![decide_application]
}

fn back(id: ApplicationId) -> Redirect {
    Redirect::to(format!("/manage/applications/{id}#decision"))
}

#[derive(FromForm)]
struct DecideForm {
    #[field(default = String::new())]
    outcome: String,
    #[field(default = String::new())]
    note: String,
    /// The decision's version the manager saw (empty: none).
    #[field(default = String::new())]
    version: String,
    #[field(default = false)]
    confirm: bool,
}

impl TryFrom<&DecideForm> for Decision {
    type Error = FormErrors;

    fn try_from(form: &DecideForm) -> std::result::Result<Self, FormErrors> {
        if form.outcome.trim().is_empty() {
            let mut errors = FormErrors::default();
            errors.add("decision-outcome", "Choose the decision.");
            return Err(errors);
        }
        Ok(Decision {
            outcome: form.outcome.clone(),
            note: form.note.clone(),
            seen: match form.version.trim() {
                "" => None,
                v => v.parse::<i64>().ok(),
            },
            confirm: form.confirm,
        })
    }
}

/// Records or changes one application's decision.
#[post("/applications/<id>/decide", data = "<form>")]
async fn decide_application(
    who: Manager,
    ctx: &State<Ctx>,
    chrome: Chrome,
    ip: ClientIp,
    id: ApplicationId,
    form: Form<DecideForm>,
) -> Result<std::result::Result<Flash<Redirect>, (Status, Template)>> {
    let decided = match Decision::try_from(&*form) {
        Ok(input) => crate::app::decisions::decide(ctx, &who, &ip, id, input).await,
        Err(errors) => Err(crate::app::Error::Invalid(errors)),
    };
    let message = match decided {
        Ok(Decided::Held(_, label)) => {
            format!("Decision recorded: {label}. Held until you release decisions.")
        }
        Ok(Decided::Replaced(_, label)) => {
            format!("Decision changed to {label}; the applicant is sent a replacement letter.")
        }
        Err(crate::app::Error::Invalid(errors)) => {
            let refused = RefusedDecision {
                outcome: form.outcome.clone(),
                note: form.note.clone(),
                errors,
            };
            return Ok(Err(refuse_decision(&who, ctx, &chrome, id, refused).await?));
        }
        Err(e) => return Err(e.into()),
    };
    Ok(Ok(Flash::success(back(id), message)))
}
