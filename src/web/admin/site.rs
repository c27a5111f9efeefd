//! The site settings page (`/admin/site`): the organisation's name, logo,
//! contact address and footer text. A mistake is shown next to its field
//! with everything typed kept; a saved change shows at once on this
//! instance's pages.

use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use rocket::{get, post, routes, Route, State};
use rocket_dyn_templates::Template;
use serde::Serialize;

use super::super::multipart::Multipart;
use super::super::page::{invalid, render, Chrome, ClientIp, FormErrors};
use super::super::upload;
use super::super::Result;
use crate::app::site::{self, logo_path, LogoInput};
use crate::app::Error as AppError;
use crate::auth::guards::Admin;
use crate::context::Ctx;
use crate::domain::site::{SiteInput, DEFAULT_BRAND, MAX_FOOTER, MAX_LOGO};

/// Routes mounted at `/admin`.
pub fn routes() -> Vec<Route> {
    routes![show_site, save_site]
}

#[derive(Serialize, Default)]
struct SitePage {
    saved: bool,
    default_brand: &'static str,
    organisation_name: String,
    contact_email: String,
    footer_text: String,
    logo_url: Option<String>,
    max_footer: usize,
    errors: FormErrors,
}

#[get("/site")]
async fn show_site(_admin: Admin, ctx: &State<Ctx>, chrome: Chrome) -> Result<Template> {
    let saved = site::saved(ctx).await?;
    let page = match saved {
        Some(s) => SitePage {
            saved: true,
            organisation_name: s.settings.organisation_name,
            contact_email: s.settings.contact_email.to_string(),
            footer_text: s.settings.footer_text,
            logo_url: s.logo.map(|(kind, sha)| logo_path(kind, &sha)),
            ..SitePage::default()
        },
        // The form starts from what pages show today.
        None => SitePage {
            organisation_name: chrome.site.name.clone(),
            contact_email: chrome.site.contact.clone(),
            footer_text: chrome.site.footer.clone(),
            ..SitePage::default()
        },
    };
    Ok(render(
        "admin/site",
        &chrome,
        "Site settings",
        SitePage {
            default_brand: DEFAULT_BRAND,
            max_footer: MAX_FOOTER,
            ..page
        },
    ))
}

#[post("/site", data = "<form>")]
async fn save_site(
    admin: Admin,
    ctx: &State<Ctx>,
    chrome: Chrome,
    ip: ClientIp,
    form: Multipart,
) -> Result<std::result::Result<Flash<Redirect>, (Status, Template)>> {
    let text = |name: &str| form.value(name).unwrap_or("").to_owned();
    let (name, email, footer) = (
        text("organisation_name"),
        text("contact_email"),
        text("footer_text"),
    );
    let file = form
        .files
        .iter()
        .find(|f| f.field == "logo" && upload::chosen(f));
    let logo = match file {
        // Larger than allowed: refused by its size, never read.
        Some(f) if f.len > MAX_LOGO => LogoInput::Oversized(f.len),
        Some(f) => LogoInput::Upload(
            tokio::fs::read(&f.path)
                .await
                .map_err(|e| crate::web::Error::Internal(e.into()))?,
        ),
        None if form.value("remove_logo") == Some("true") => LogoInput::Remove,
        None => LogoInput::Keep,
    };
    let input = SiteInput {
        organisation_name: &name,
        contact_email: &email,
        footer_text: &footer,
    };
    match site::save(ctx, &admin, &ip, &input, logo).await {
        Ok(()) => Ok(Ok(Flash::success(
            Redirect::to("/admin/site"),
            "The site settings are saved.",
        ))),
        Err(AppError::Invalid(errors)) => {
            let current = site::saved(ctx).await?;
            let page = SitePage {
                saved: current.is_some(),
                default_brand: DEFAULT_BRAND,
                organisation_name: name,
                contact_email: email,
                footer_text: footer,
                logo_url: current.and_then(|s| s.logo.map(|(kind, sha)| logo_path(kind, &sha))),
                max_footer: MAX_FOOTER,
                errors,
            };
            let status = if page.errors.fields.contains_key("logo")
                && file.is_some_and(|f| f.len > MAX_LOGO)
            {
                Status::PayloadTooLarge
            } else {
                Status::UnprocessableEntity
            };
            let (_, template) = invalid("admin/site", &chrome, "Site settings", page);
            Ok(Err((status, template)))
        }
        Err(e) => Err(e.into()),
    }
}
