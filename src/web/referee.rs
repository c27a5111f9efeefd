//! The referee's page, reached by the private link in their mail (no
//! account): it names the applicant and the program, takes a PDF letter or
//! a "cannot write" with a note, and thanks them. Mounted at `/referee`.

use rocket::form::Form;
use rocket::http::Status;
use rocket::outcome::try_outcome;
use rocket::request::{FromRequest, Outcome};
use rocket::{get, post, routes, FromForm, Route, State};
use rocket_dyn_templates::Template;
use serde::Serialize;

use super::multipart::Multipart;
use super::page::{render, Chrome, FormErrors};
use super::upload;
use super::Result;
use crate::app;
use crate::app::applying::Staged;
use crate::app::referees::{self, Closed, OpenRequest};
use crate::context::Ctx;
use crate::domain::form::DocumentType;

/// Routes mounted at `/referee`.
pub fn routes() -> Vec<Route> {
    routes![show, upload_letter, refuse_letter, decline]
}

/// The largest letter accepted.
const LETTER_MAX_MB: u64 = 10;

#[derive(Serialize, Default)]
struct RefereePage {
    token: String,
    referee_name: String,
    applicant_name: String,
    program_name: String,
    cycle_name: String,
    /// Asking for a letter of support for a nomination.
    support: bool,
    due: String,
    max_mb: u64,
    errors: FormErrors,
    note: String,
    /// Set when the link cannot be used: heading and message.
    problem: Option<(String, String)>,
    thanks: Option<String>,
}

/// A usable request and what its page shows, or the page explaining why not.
type Loaded = std::result::Result<(OpenRequest, RefereePage), (Status, RefereePage)>;

/// Loads the request a link names and checks it can still be answered.
async fn load(ctx: &Ctx, secret: &str) -> Result<Loaded> {
    let open = match referees::open_request(ctx, secret).await? {
        Ok(open) => open,
        Err(closed) => {
            let (status, heading, message) = closed_words(closed);
            let page = RefereePage {
                problem: Some((heading.into(), message.into())),
                ..RefereePage::default()
            };
            return Ok(Err((status, page)));
        }
    };
    let page = RefereePage {
        token: secret.to_owned(),
        referee_name: open.request.name.clone(),
        applicant_name: open.applicant_name.clone(),
        program_name: open.program_name.clone(),
        cycle_name: open.cycle.name.clone(),
        support: open.support,
        due: open.cycle.show(open.cycle.letters_due_at),
        max_mb: LETTER_MAX_MB,
        ..RefereePage::default()
    };
    Ok(Ok((open, page)))
}

/// What the page says about a link that cannot be used.
fn closed_words(closed: Closed) -> (Status, &'static str, &'static str) {
    match closed {
        Closed::Unknown => (
            Status::NotFound,
            "This link is not valid",
            "Check that you opened the whole link from the email. If the applicant sent you a newer message, use the link in that one.",
        ),
        Closed::Gone => (
            Status::NotFound,
            "This link is not valid",
            "The request it belonged to no longer exists.",
        ),
        Closed::Received => (Status::Gone, "We already have your letter", "Thank you: your letter arrived and is with the selection team. There is nothing more to do."),
        Closed::Declined => (Status::Gone, "You have already answered", "You told us you cannot write this letter. Thank you for letting us know."),
        Closed::Withdrawn => (
            Status::Gone,
            "This letter is no longer needed",
            "The application it was for has been withdrawn. Thank you for your time.",
        ),
        Closed::Expired => (Status::Gone, "Letters for this cycle are closed", "The deadline for letters has passed, so this link no longer works. If you think this is a mistake, write to the program team."),
    }
}

/// The page for a request answered meanwhile (from another tab).
fn answered(chrome: &Chrome, mut page: RefereePage) -> (Status, Template) {
    page.problem = Some((
        "We already have an answer from you".into(),
        referees::ANSWERED.into(),
    ));
    show_page(chrome, Status::Gone, page)
}

fn show_page(chrome: &Chrome, status: Status, page: RefereePage) -> (Status, Template) {
    let title = match (&page.problem, &page.thanks) {
        (Some((heading, _)), _) => heading.clone(),
        (_, Some(_)) => "Thank you".into(),
        _ => format!("A letter for {}", page.applicant_name),
    };
    (status, render("referee/letter", chrome, &title, page))
}

#[get("/<secret>")]
async fn show(ctx: &State<Ctx>, chrome: Chrome, secret: &str) -> Result<(Status, Template)> {
    Ok(match load(ctx, secret).await? {
        Ok((_, page)) => show_page(&chrome, Status::Ok, page),
        Err((status, page)) => show_page(&chrome, status, page),
    })
}

/// A referee link that can still take a letter, checked before the letter
/// (up to 21 MiB) is read: a link that does not work forwards to
/// [`refuse_letter`], which explains why without reading the body.
struct OpenLink(OpenRequest, RefereePage);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for OpenLink {
    type Error = ();

    async fn from_request(req: &'r rocket::Request<'_>) -> Outcome<Self, ()> {
        let Some(Ok(secret)) = req.param::<&str>(0) else {
            return Outcome::Forward(Status::NotFound);
        };
        let ctx = try_outcome!(req
            .guard::<&State<Ctx>>()
            .await
            .map_error(|_| (Status::InternalServerError, ())));
        match load(ctx, secret).await {
            Ok(Ok((request, page))) => Outcome::Success(Self(request, page)),
            Ok(Err((status, _))) => Outcome::Forward(status),
            Err(e) => {
                tracing::error!("checking a referee link failed: {e:?}");
                Outcome::Error((Status::InternalServerError, ()))
            }
        }
    }
}

/// Takes the letter of a link that works (the link, `<_>`, is read by
/// [`OpenLink`]).
#[post("/<_>/letter", data = "<form>")]
async fn upload_letter(
    link: OpenLink,
    ctx: &State<Ctx>,
    chrome: Chrome,
    form: Multipart,
) -> Result<(Status, Template)> {
    let OpenLink(open, mut page) = link;
    let refuse = |mut page: RefereePage, status: Status, message: String| {
        page.errors.add("letter", message);
        Ok(show_page(&chrome, status, page))
    };
    let letter = form
        .files
        .into_iter()
        .find(|f| f.field == "letter" && upload::chosen(f));
    let Some(file) = letter else {
        return refuse(
            page,
            Status::UnprocessableEntity,
            "Choose your letter (a PDF file) to upload.".into(),
        );
    };
    let checked = match upload::check(&file, &[DocumentType::Pdf], LETTER_MAX_MB).await? {
        Ok(c) => c,
        Err(e) => return refuse(page, upload::status_of(&e), e.to_string()),
    };
    let stored = match upload::store(&ctx.store, file).await {
        Ok(s) => s,
        Err(e) if e.is_unavailable() => {
            tracing::warn!("document store unavailable during a letter upload: {e}");
            let message = "Our document store is unavailable for a moment, so the letter was not stored. Please try again in a few minutes.";
            return refuse(page, Status::ServiceUnavailable, message.into());
        }
        Err(e) => return Err(crate::web::Error::Internal(e.into())),
    };
    let letter = Staged {
        stored,
        name: checked.name,
        content_type: DocumentType::Pdf.mime().to_owned(),
    };
    match referees::upload_letter(ctx, &open, letter).await {
        Ok(()) => {
            page.thanks = Some(format!("Your letter for {} has arrived. It goes to the selection team only. We sent you a confirmation.", page.applicant_name));
            Ok(show_page(&chrome, Status::Ok, page))
        }
        Err(app::Error::Refused(_)) => Ok(answered(&chrome, page)),
        Err(e) => Err(e.into()),
    }
}

/// A letter sent to a link that does not work: the page says why, and the
/// letter itself is never read.
#[post("/<secret>/letter", rank = 2)]
async fn refuse_letter(
    ctx: &State<Ctx>,
    chrome: Chrome,
    secret: &str,
) -> Result<(Status, Template)> {
    show(ctx, chrome, secret).await
}

#[derive(FromForm)]
struct DeclineForm {
    #[field(default = String::new())]
    note: String,
}

#[post("/<secret>/decline", data = "<form>")]
async fn decline(
    ctx: &State<Ctx>,
    chrome: Chrome,
    secret: &str,
    form: Form<DeclineForm>,
) -> Result<(Status, Template)> {
    let (open, mut page) = match load(ctx, secret).await? {
        Ok(found) => found,
        Err((status, page)) => return Ok(show_page(&chrome, status, page)),
    };
    match referees::decline(ctx, &open, &form.note).await {
        Ok(()) => {
            page.thanks = Some(format!(
                "Thank you for letting us know. We will tell {} so they can ask someone else.",
                page.applicant_name
            ));
            Ok(show_page(&chrome, Status::Ok, page))
        }
        Err(app::Error::Invalid(errors)) => {
            page.note = form.note.trim().to_owned();
            page.errors = errors;
            Ok(show_page(&chrome, Status::UnprocessableEntity, page))
        }
        Err(app::Error::Refused(_)) => Ok(answered(&chrome, page)),
        Err(e) => Err(e.into()),
    }
}
