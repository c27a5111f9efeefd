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
use crate::auth::token;
use crate::db::referees::Request;
use crate::db::{applications, cycles, documents, programs, referees, users, Db};
use crate::domain::form::DocumentType;
use crate::domain::referee::RequestStatus;
use crate::mail::{messages, Mail};
use crate::storage::Storage;

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
    due: String,
    max_mb: u64,
    errors: FormErrors,
    note: String,
    /// Set when the link cannot be used: heading and message.
    problem: Option<(String, String)>,
    thanks: Option<String>,
}

/// A usable request and what its page shows, or the page explaining why not.
type Loaded = std::result::Result<(Request, RefereePage), (Status, RefereePage)>;

/// Loads the request a link names and checks it can still be answered.
async fn load(db: &Db, secret: &str) -> Result<Loaded> {
    let mut conn = db.conn().await?;
    let problem = |status, heading: &str, message: &str| {
        let page = RefereePage {
            problem: Some((heading.into(), message.into())),
            ..RefereePage::default()
        };
        Ok(Err((status, page)))
    };
    let Some(r) = referees::find_by_token(conn.exec(), &token::hash(secret)).await? else {
        return problem(
            Status::NotFound,
            "This link is not valid",
            "Check that you opened the whole link from the email. If the applicant sent you a newer message, use the link in that one.",
        );
    };
    let Some(app) = applications::find(conn.exec(), r.application_id).await? else {
        return problem(
            Status::NotFound,
            "This link is not valid",
            "The request it belonged to no longer exists.",
        );
    };
    let c = cycles::find(conn.exec(), app.cycle_id)
        .await?
        .ok_or(crate::web::Error::NotFound)?;
    let program = programs::find(conn.exec(), c.cycle.program_id)
        .await?
        .ok_or(crate::web::Error::NotFound)?;
    let applicant = users::find(conn.exec(), app.applicant_id)
        .await?
        .ok_or(crate::web::Error::NotFound)?;
    match r.status {
        RequestStatus::Received => return problem(Status::Gone, "We already have your letter", "Thank you: your letter arrived and is with the selection team. There is nothing more to do."),
        RequestStatus::Declined => return problem(Status::Gone, "You have already answered", "You told us you cannot write this letter. Thank you for letting us know."),
        RequestStatus::Requested => {}
    }
    if app.stage == crate::domain::workflow::stage::Stage::Withdrawn {
        return problem(
            Status::Gone,
            "This letter is no longer needed",
            "The application it was for has been withdrawn. Thank you for your time.",
        );
    }
    if crate::clock::now() >= r.token_expires_at {
        return problem(Status::Gone, "Letters for this cycle are closed", "The deadline for letters has passed, so this link no longer works. If you think this is a mistake, write to the program team.");
    }
    let page = RefereePage {
        token: secret.to_owned(),
        referee_name: r.name.clone(),
        applicant_name: applicant.name,
        program_name: program.name,
        cycle_name: c.cycle.name.clone(),
        due: c.cycle.show(c.cycle.letters_due_at),
        max_mb: LETTER_MAX_MB,
        ..RefereePage::default()
    };
    Ok(Ok((r, page)))
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
async fn show(db: &Db, chrome: Chrome, secret: &str) -> Result<(Status, Template)> {
    Ok(match load(db, secret).await? {
        Ok((_, page)) => show_page(&chrome, Status::Ok, page),
        Err((status, page)) => show_page(&chrome, status, page),
    })
}

/// A referee link that can still take a letter, checked before the letter
/// (up to 21 MiB) is read: a link that does not work forwards to
/// [`refuse_letter`], which explains why without reading the body.
struct OpenLink(Request, RefereePage);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for OpenLink {
    type Error = ();

    async fn from_request(req: &'r rocket::Request<'_>) -> Outcome<Self, ()> {
        let Some(Ok(secret)) = req.param::<&str>(0) else {
            return Outcome::Forward(Status::NotFound);
        };
        let db = try_outcome!(req
            .guard::<&Db>()
            .await
            .map_error(|_| (Status::InternalServerError, ())));
        match load(db, secret).await {
            Ok(Ok((request, page))) => Outcome::Success(Self(request, page)),
            Ok(Err((status, _))) => Outcome::Forward(status),
            Err(e) => {
                rocket::error!("checking a referee link failed: {e:?}");
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
    db: &Db,
    storage: &State<Storage>,
    mail: &State<Mail>,
    chrome: Chrome,
    form: Multipart,
) -> Result<(Status, Template)> {
    let OpenLink(request, mut page) = link;
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
    let stored = match upload::store(storage, file).await {
        Ok(s) => s,
        Err(e) if e.is_unavailable() => {
            rocket::warn!("document store unavailable during a letter upload: {e}");
            let message = "Our document store is unavailable for a moment, so the letter was not stored. Please try again in a few minutes.";
            return refuse(page, Status::ServiceUnavailable, message.into());
        }
        Err(e) => return Err(crate::web::Error::Internal(e.into())),
    };
    let now = crate::clock::now();
    let outcome: Result<bool> = async {
        let mut tx = db.begin().await?;
        let doc = documents::NewDocument {
            owner: None,
            kind: "letter",
            storage_key: &stored.key,
            original_name: &checked.name,
            content_type: DocumentType::Pdf.mime(),
            size_bytes: i64::try_from(stored.size).unwrap_or(i64::MAX),
            sha256: &stored.sha256,
        };
        let doc_id = documents::insert(tx.exec(), &doc, now).await?;
        if !referees::record_letter(tx.exec(), request.id, doc_id, now).await? {
            return Ok(false);
        }
        let thanks = messages::RefereeThanks {
            referee_name: &request.name,
            applicant_name: &page.applicant_name,
            program: &page.program_name,
            declined: false,
        };
        messages::referee_thanks(tx.exec(), mail, request.id, &request.email, &thanks, now).await?;
        tx.commit().await?;
        Ok(true)
    }
    .await;
    match outcome {
        Ok(true) => {
            mail.wake();
            page.thanks = Some(format!("Your letter for {} has arrived. It goes to the selection team only. We sent you a confirmation.", page.applicant_name));
            Ok(show_page(&chrome, Status::Ok, page))
        }
        Ok(false) | Err(_) => {
            let _ = storage.delete(&stored.key).await;
            match outcome {
                Err(e) => Err(e),
                _ => {
                    page.problem = Some((
                        "We already have an answer from you".into(),
                        "Thank you: this request was already answered.".into(),
                    ));
                    Ok(show_page(&chrome, Status::Gone, page))
                }
            }
        }
    }
}

/// A letter sent to a link that does not work: the page says why, and the
/// letter itself is never read.
#[post("/<secret>/letter", rank = 2)]
async fn refuse_letter(db: &Db, chrome: Chrome, secret: &str) -> Result<(Status, Template)> {
    show(db, chrome, secret).await
}

#[derive(FromForm)]
struct DeclineForm {
    #[field(default = String::new())]
    note: String,
}

#[post("/<secret>/decline", data = "<form>")]
async fn decline(
    db: &Db,
    mail: &State<Mail>,
    chrome: Chrome,
    secret: &str,
    form: Form<DeclineForm>,
) -> Result<(Status, Template)> {
    let (request, mut page) = match load(db, secret).await? {
        Ok(found) => found,
        Err((status, page)) => return Ok(show_page(&chrome, status, page)),
    };
    let note: String = form.note.trim().to_owned();
    if note.chars().count() > 2000 {
        page.note = note;
        page.errors
            .add("note", "Shorten your note to 2000 characters.");
        return Ok(show_page(&chrome, Status::UnprocessableEntity, page));
    }
    let now = crate::clock::now();
    let mut tx = db.begin().await?;
    if !referees::record_decline(tx.exec(), request.id, &note, now).await? {
        page.problem = Some((
            "We already have an answer from you".into(),
            "Thank you: this request was already answered.".into(),
        ));
        return Ok(show_page(&chrome, Status::Gone, page));
    }
    let thanks = messages::RefereeThanks {
        referee_name: &request.name,
        applicant_name: &page.applicant_name,
        program: &page.program_name,
        declined: true,
    };
    messages::referee_thanks(tx.exec(), mail, request.id, &request.email, &thanks, now).await?;
    tx.commit().await?;
    mail.wake();
    page.thanks = Some(format!(
        "Thank you for letting us know. We will tell {} so they can ask someone else.",
        page.applicant_name
    ));
    Ok(show_page(&chrome, Status::Ok, page))
}
