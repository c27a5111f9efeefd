//! An accepted applicant's answer to their offer: accept or decline, once,
//! by the accept-by date, with a confirmation mail.

use rocket::form::Form;
use rocket::response::{Flash, Redirect};
use rocket::{post, routes, FromForm, Route, State};

use super::submit::refuse_offer_answer;
use crate::app;
use crate::app::access::owned_application;
use crate::app::applying::{self, OfferAnswer};
use crate::auth::guards::Applicant;
use crate::context::Ctx;
use crate::domain::application::ApplicationId;
use crate::web::page::Chrome;
use crate::web::{told, Result};
use rocket::http::Status;
use rocket_dyn_templates::Template;

pub fn routes() -> Vec<Route> {
    routes![answer]
}

#[derive(FromForm)]
struct AnswerForm {
    /// `accept` or `decline`.
    #[field(default = String::new())]
    answer: String,
    #[field(default = false)]
    confirm: bool,
}

#[post("/applications/<id>/offer", data = "<form>")]
async fn answer(
    who: Applicant,
    ctx: &State<Ctx>,
    chrome: Chrome,
    id: ApplicationId,
    form: Form<AnswerForm>,
) -> Result<std::result::Result<Flash<Redirect>, (Status, Template)>> {
    let back = Redirect::to(format!("/apply/applications/{id}#offer"));
    let input = OfferAnswer {
        answer: &form.answer,
        confirm: form.confirm,
    };
    match applying::answer_offer(ctx, &who, id, input).await {
        // Mistakes are shown next to their field, the choice kept.
        Err(app::Error::Invalid(errors)) => {
            let o = owned_application(ctx, &who, id).await?;
            let page = refuse_offer_answer(ctx, &o, &chrome, &form.answer, errors).await?;
            Ok(Err(page))
        }
        outcome => told(outcome, back, |accepted| {
            if accepted {
                "Thank you: you have accepted your place. A confirmation is on its way to your email."
            } else {
                "You have declined the offer. A confirmation is on its way to your email."
            }
            .into()
        })
        .map(Ok),
    }
}
