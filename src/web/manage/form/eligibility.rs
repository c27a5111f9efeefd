//! An eligibility question's page in the builder (new or changed): the
//! question, the answers offered, those that allow applying, and the
//! message for those who cannot apply.

use rocket::form::Form;
use rocket::{get, post, routes, FromForm, Route, State};
use rocket_dyn_templates::Template;
use serde::Serialize;

use super::{apply, Answer};
use crate::app::forms;
use crate::auth::guards::Manager;
use crate::context::Ctx;
use crate::domain::cycle::CycleId;
use crate::domain::form_edit::{Edit, EligibilityDraft};
use crate::web::page::{invalid, render, Chrome, ClientIp, FormErrors};
use crate::web::{Error, Result};

/// The eligibility pages' routes.
pub fn routes() -> Vec<Route> {
    routes![
        new_eligibility,
        add_eligibility,
        edit_eligibility,
        save_eligibility
    ]
}

/// An eligibility question's page.
#[derive(Serialize)]
struct EligibilityPage {
    cycle_id: CycleId,
    cycle_name: String,
    version: i64,
    action: String,
    is_new: bool,
    values: EligibilityValues,
    errors: FormErrors,
}

#[derive(Serialize, Default)]
struct EligibilityValues {
    label: String,
    help: String,
    key: String,
    options: String,
    eligible: String,
    ineligible_message: String,
}

#[derive(FromForm)]
struct EligibilityForm {
    #[field(default = String::new())]
    based_on: String,
    #[field(default = String::new())]
    label: String,
    #[field(default = String::new())]
    help: String,
    #[field(default = String::new())]
    key: String,
    #[field(default = String::new())]
    options: String,
    #[field(default = String::new())]
    eligible: String,
    #[field(default = String::new())]
    ineligible_message: String,
}

impl From<&EligibilityForm> for EligibilityDraft {
    fn from(f: &EligibilityForm) -> Self {
        Self {
            label: f.label.clone(),
            help: f.help.clone(),
            key: f.key.clone(),
            options: f.options.clone(),
            eligible: f.eligible.clone(),
            ineligible_message: f.ineligible_message.clone(),
        }
    }
}

async fn eligibility_page(
    ctx: &Ctx,
    who: &Manager,
    id: CycleId,
    original: Option<&str>,
    d: EligibilityDraft,
    errors: FormErrors,
) -> Result<(String, EligibilityPage)> {
    let c = crate::app::access::cycle_for_manager(ctx, who, id).await?;
    Ok((
        c.cycle.name.clone(),
        EligibilityPage {
            cycle_id: id,
            cycle_name: c.cycle.name,
            version: c.form_version,
            action: match original {
                Some(k) => format!("/manage/cycles/{id}/form/eligibility/{k}"),
                None => format!("/manage/cycles/{id}/form/eligibility"),
            },
            is_new: original.is_none(),
            values: EligibilityValues {
                label: d.label,
                help: d.help,
                key: d.key,
                options: d.options,
                eligible: d.eligible,
                ineligible_message: d.ineligible_message,
            },
            errors,
        },
    ))
}

#[get("/cycles/<id>/form/eligibility/new")]
async fn new_eligibility(
    who: Manager,
    ctx: &State<Ctx>,
    chrome: Chrome,
    id: CycleId,
) -> Result<Template> {
    let d = EligibilityDraft {
        options: "yes | Yes\nno | No".into(),
        eligible: "Yes".into(),
        ..EligibilityDraft::default()
    };
    let (name, page) = eligibility_page(ctx, &who, id, None, d, FormErrors::default()).await?;
    Ok(render(
        "manage/form_eligibility",
        &chrome,
        &format!("New eligibility question – {name}"),
        page,
    ))
}

#[post("/cycles/<id>/form/eligibility", data = "<form>")]
async fn add_eligibility(
    who: Manager,
    ctx: &State<Ctx>,
    chrome: Chrome,
    ip: ClientIp,
    id: CycleId,
    form: Form<EligibilityForm>,
) -> Result<Answer> {
    let draft = EligibilityDraft::from(&*form);
    let edit = Edit::SaveEligibility {
        original: None,
        draft: draft.clone(),
    };
    let again = |errors: FormErrors| async {
        let (name, page) = eligibility_page(ctx, &who, id, None, draft, errors).await?;
        Ok(invalid(
            "manage/form_eligibility",
            &chrome,
            &format!("New eligibility question – {name}"),
            page,
        ))
    };
    apply(
        ctx,
        &who,
        &ip,
        &chrome,
        id,
        &form.based_on,
        edit,
        false,
        Some(again),
    )
    .await
}

#[get("/cycles/<id>/form/eligibility/<key>", rank = 2)]
async fn edit_eligibility(
    who: Manager,
    ctx: &State<Ctx>,
    chrome: Chrome,
    id: CycleId,
    key: &str,
) -> Result<Template> {
    let b = forms::builder(ctx, &who, id).await?;
    let q = b
        .form
        .eligibility
        .iter()
        .find(|q| q.key == key)
        .ok_or(Error::NotFound)?;
    let (name, page) = eligibility_page(
        ctx,
        &who,
        id,
        Some(key),
        EligibilityDraft::of(q),
        FormErrors::default(),
    )
    .await?;
    Ok(render(
        "manage/form_eligibility",
        &chrome,
        &format!("Eligibility question – {name}"),
        page,
    ))
}

#[post("/cycles/<id>/form/eligibility/<key>", data = "<form>")]
async fn save_eligibility(
    who: Manager,
    ctx: &State<Ctx>,
    chrome: Chrome,
    ip: ClientIp,
    id: CycleId,
    key: &str,
    form: Form<EligibilityForm>,
) -> Result<Answer> {
    let draft = EligibilityDraft::from(&*form);
    let edit = Edit::SaveEligibility {
        original: Some(key.to_owned()),
        draft: draft.clone(),
    };
    let again = |errors: FormErrors| async {
        let (name, page) = eligibility_page(ctx, &who, id, Some(key), draft, errors).await?;
        Ok(invalid(
            "manage/form_eligibility",
            &chrome,
            &format!("Eligibility question – {name}"),
            page,
        ))
    };
    apply(
        ctx,
        &who,
        &ip,
        &chrome,
        id,
        &form.based_on,
        edit,
        false,
        Some(again),
    )
    .await
}
