//! One section of the form: shown with the saved answers, saved as a whole
//! (typed answers, uploads, reused or removed documents) without any
//! completeness check. A tampered save stores nothing; a refused upload
//! keeps everything typed.

use std::collections::BTreeMap;

use rocket::http::{CookieJar, Status};
use rocket::response::{Flash, Redirect};
use rocket::Either;
use rocket::{get, post, routes, Route, State};
use rocket_dyn_templates::Template;
use serde::Serialize;

use super::progress::{progress, Progress};
use super::stash::{self, EndedSession};
use super::view::{self, DocumentView};
use super::Owned;
use crate::app;
use crate::app::access::owned_application;
use crate::app::applying::{self, SectionSave, Staged};
use crate::auth::guards::{Applicant, SecureCookies};
use crate::context::Ctx;
use crate::db::{documents, referees, Conn};
use crate::domain::answers::{self, Attachments};
use crate::domain::application::ApplicationId;
use crate::domain::form::{Answer, FormDefinition, QuestionKind, Section};
use crate::web::multipart::{index_of, Multipart, Upload};
use crate::web::page::{render, Chrome, FormErrors};
use crate::web::upload;
use crate::web::{Error, Result};

pub fn routes() -> Vec<Route> {
    routes![show_section, save_section]
}

/// How many earlier uploads are offered for reuse.
const REUSABLE: i64 = 20;

#[derive(Serialize)]
struct SectionPage {
    application_id: ApplicationId,
    program_name: String,
    cycle_name: String,
    closes: String,
    section_key: String,
    section_title: String,
    intro: Option<String>,
    /// The section list, "Section N of M" and the progress bar.
    #[serde(flatten)]
    progress: Progress,
    questions: Vec<view::QuestionView>,
    errors: FormErrors,
    has_files: bool,
    is_last: bool,
}

/// Everything attached to an application, for its pages.
pub(super) struct Attached {
    pub documents: BTreeMap<String, DocumentView>,
    pub referees: Vec<referees::Request>,
}

pub(super) async fn attached(conn: &mut Conn, application: ApplicationId) -> Result<Attached> {
    let documents = documents::attached(conn.exec(), application)
        .await?
        .iter()
        .map(|(k, d)| (k.clone(), DocumentView::from(d)))
        .collect();
    let referees = referees::for_application(conn.exec(), application).await?;
    Ok(Attached {
        documents,
        referees,
    })
}

async fn page(
    conn: &mut Conn,
    who: &Applicant,
    owned: &Owned,
    section_key: &str,
    mut errors: FormErrors,
) -> Result<SectionPage> {
    let form = &owned.cycle.form;
    let section = form
        .sections
        .iter()
        .find(|s| s.key == section_key)
        .ok_or(Error::NotFound)?;
    let att = attached(conn, owned.application.id).await?;
    let reusable: Vec<DocumentView> = documents::uploads_of(conn.exec(), who.0.user().id, REUSABLE)
        .await?
        .iter()
        .map(DocumentView::from)
        .collect();
    // Answers already given that break a limit are pointed out at once.
    let none = Attachments::default();
    for q in &section.questions {
        if owned.application.answers.contains_key(&q.key)
            && form.is_shown(q, &owned.application.answers)
        {
            if let Some(p) = answers::check_one(q, owned.application.answers.get(&q.key), &none) {
                errors.add(&p.key, p.message);
            }
        }
    }
    let ctx = view::Context {
        form,
        answers: &owned.application.answers,
        documents: &att.documents,
        reusable: &reusable,
        referees: &att.referees,
        errors: &errors.fields,
    };
    let questions = view::section(section, &ctx);
    Ok(SectionPage {
        application_id: owned.application.id,
        program_name: owned.program.name.clone(),
        cycle_name: owned.cycle.cycle.name.clone(),
        closes: owned.cycle.cycle.show(
            owned
                .application
                .deadline_extended_to
                .unwrap_or(owned.cycle.cycle.closes_at)
                .max(owned.cycle.cycle.closes_at),
        ),
        section_key: section.key.clone(),
        section_title: section.title.clone(),
        intro: section.intro.clone(),
        progress: progress(
            form,
            &owned.application.answers,
            &att.documents,
            &att.referees,
            Some(&section.key),
        ),
        has_files: questions.iter().any(|q| q.widget == "document"),
        is_last: form.sections.last().is_some_and(|s| s.key == section.key),
        questions,
        errors,
    })
}

fn not_editable(id: ApplicationId) -> Flash<Redirect> {
    Flash::error(
        Redirect::to(format!("/apply/applications/{id}")),
        applying::NOT_EDITABLE,
    )
}

#[get("/applications/<id>/sections/<key>")]
async fn show_section(
    who: Applicant,
    ctx: &State<Ctx>,
    chrome: Chrome,
    id: ApplicationId,
    key: &str,
) -> Result<Either<Flash<Redirect>, Template>> {
    let owned = owned_application(ctx, &who, id).await?;
    let mut conn = ctx.conn().await?;
    if !owned.application.stage.is_editable() {
        return Ok(Either::Left(not_editable(id)));
    }
    let p = page(&mut conn, &who, &owned, key, FormErrors::default()).await?;
    let title = format!("{} – {}", p.section_title, p.program_name);
    Ok(Either::Right(render("apply/section", &chrome, &title, p)))
}

/// A section's form as sent.
pub(super) struct SectionForm {
    /// Typed answers: `a[question]`, repeated for several choices.
    pub(super) a: BTreeMap<String, Vec<String>>,
    /// Uploads: `f[question]`.
    pub(super) f: Vec<(String, Upload)>,
    /// An earlier upload to attach: `reuse[question]=document id`.
    reuse: BTreeMap<String, String>,
    /// The question whose document to remove.
    remove: Option<String>,
    /// `continue` goes to the next section (the button's name is not
    /// `action`, which would shadow the form's own `action` in scripts).
    next: Option<String>,
}

impl SectionForm {
    /// Typed answers alone (a save kept while its applicant logged in
    /// again: never files).
    pub(super) fn typed(a: BTreeMap<String, Vec<String>>) -> Self {
        Self {
            a,
            f: Vec::new(),
            reuse: BTreeMap::new(),
            remove: None,
            next: None,
        }
    }
}

impl From<Multipart> for SectionForm {
    fn from(m: Multipart) -> Self {
        let reuse = m
            .indexed("reuse")
            .into_iter()
            .filter_map(|(k, v)| Some((k, v.last()?.clone())))
            .collect();
        let a = m.indexed("a");
        let remove = m.value("remove").map(str::to_owned);
        let next = m.value("next").map(str::to_owned);
        let f = m
            .files
            .into_iter()
            .map(|u| (index_of(&u.field, "f").unwrap_or(&u.field).to_owned(), u))
            .collect();
        Self {
            a,
            f,
            reuse,
            remove,
            next,
        }
    }
}

type SaveResult = Result<Either<Flash<Redirect>, Either<(Status, Template), Status>>>;

/// Saves a section. After the session ended (the browser still sends its
/// cookie), what was typed is kept while the applicant logs in again (see
/// [`super::stash`]); without any session, to the login page as ever.
#[expect(clippy::too_many_arguments, reason = "one guard per concern")]
#[post("/applications/<id>/sections/<key>", data = "<form>")]
async fn save_section(
    ended: EndedSession,
    who: std::result::Result<Applicant, ()>,
    ctx: &State<Ctx>,
    chrome: Chrome,
    cookies: &CookieJar<'_>,
    secure: SecureCookies,
    id: ApplicationId,
    key: &str,
    form: Multipart,
) -> SaveResult {
    let mut form = SectionForm::from(form);
    let who = match who {
        Ok(who) => who,
        Err(()) if ended.0 => {
            let kept = stash::keep_section(ctx, cookies, secure.0, id, key, &form).await?;
            return Ok(Either::Left(kept));
        }
        Err(()) => return Ok(Either::Right(Either::Right(Status::Unauthorized))),
    };
    let owned = owned_application(ctx, &who, id).await?;
    let mut conn = ctx.conn().await?;
    if !owned.application.stage.is_editable() {
        return Ok(Either::Left(not_editable(id)));
    }
    let section = owned
        .cycle
        .form
        .sections
        .iter()
        .find(|s| s.key == key)
        .ok_or(Error::NotFound)?;
    let title = format!("Error: {} – {}", section.title, owned.program.name);
    let accepted = match accept_shape(&owned.cycle.form, section, &form) {
        Ok(accepted) => accepted,
        Err(tampered) => {
            let p = page(&mut conn, &who, &owned, key, tampered).await?;
            return Ok(Either::Right(Either::Left((
                Status::UnprocessableEntity,
                render("apply/section", &chrome, &title, p),
            ))));
        }
    };
    let files = std::mem::take(&mut form.f);
    let (uploads, mut errors, status) = stage_uploads(ctx, section, files).await?;
    let input = SectionSave {
        accepted,
        uploads,
        reuse: std::mem::take(&mut form.reuse),
        remove: form.remove.take(),
    };
    // Refused only when the draft was submitted (or withdrawn) meanwhile,
    // from another tab: then nothing changed.
    match applying::save_section(ctx, &who, &owned, input).await {
        Ok(problems) => {
            for e in problems.summary {
                errors.add(&e.field, e.message);
            }
        }
        Err(app::Error::Refused(_)) => return Ok(Either::Left(not_editable(id))),
        Err(e) => return Err(e.into()),
    }
    if !errors.is_empty() {
        let fresh = crate::db::applications::find(conn.exec(), id)
            .await?
            .ok_or(Error::NotFound)?;
        let owned = Owned {
            application: fresh,
            ..owned
        };
        let p = page(&mut conn, &who, &owned, key, errors).await?;
        return Ok(Either::Right(Either::Left((
            status,
            render("apply/section", &chrome, &title, p),
        ))));
    }
    let next = next_page(&owned.cycle.form, id, key, form.next.as_deref());
    Ok(Either::Left(Flash::success(
        Redirect::to(next),
        "Your answers are saved.",
    )))
}

/// The shape of what was sent: only questions of this section, only
/// offered choices. The answers to store, or what was wrong (then nothing
/// is stored).
pub(super) fn accept_shape(
    definition: &FormDefinition,
    section: &Section,
    form: &SectionForm,
) -> std::result::Result<Vec<(String, Option<Answer>)>, FormErrors> {
    let mut tampered = FormErrors::default();
    for k in form
        .a
        .keys()
        .chain(form.f.iter().map(|(k, _)| k))
        .chain(form.reuse.keys())
        .chain(form.remove.iter())
    {
        if !section.questions.iter().any(|q| q.key == *k) {
            let message = if definition.question(k).is_some() {
                "This form sent an answer to a question that is not on this page. Reload the page and try again."
            } else {
                "This form sent an answer to a question that does not exist. Reload the page and try again."
            };
            tampered.add(k, message);
        }
    }
    let accepted = match answers::accept_save(definition, &form.a) {
        Ok(a) => a,
        Err(problems) => {
            for p in problems {
                tampered.add(&p.key, p.message);
            }
            Vec::new()
        }
    };
    if tampered.is_empty() {
        Ok(accepted)
    } else {
        Err(tampered)
    }
}

/// Checks each chosen file against its question and puts it into storage
/// (before the transaction; the use case removes them again if it
/// fails). The staged files, the mistakes, and the status of the page
/// that shows them: 503 when storage is down, 413 for a file too large.
async fn stage_uploads(
    ctx: &Ctx,
    section: &Section,
    files: Vec<(String, Upload)>,
) -> Result<(Vec<(String, Staged)>, FormErrors, Status)> {
    let mut errors = FormErrors::default();
    let mut status = Status::UnprocessableEntity;
    let mut staged = Vec::new();
    for (k, file) in files {
        if !upload::chosen(&file) {
            continue;
        }
        let kind = section
            .questions
            .iter()
            .find(|q| q.key == k)
            .map(|q| &q.kind);
        let Some(QuestionKind::Document { accepted, max_mb }) = kind else {
            errors.add(&k, "This question does not take a file.");
            continue;
        };
        match upload::check(&file, accepted, *max_mb).await? {
            Ok(checked) => match upload::store(&ctx.store, file).await {
                Ok(stored) => staged.push((
                    k.clone(),
                    Staged {
                        stored,
                        name: checked.name,
                        content_type: checked.kind.mime().to_owned(),
                    },
                )),
                Err(e) if e.is_unavailable() => {
                    tracing::warn!("document store unavailable during an upload: {e}");
                    status = Status::ServiceUnavailable;
                    errors.add(&k, upload::STORAGE_DOWN);
                }
                Err(e) => return Err(Error::Internal(e.into())),
            },
            Err(e) => {
                if upload::status_of(&e) == Status::PayloadTooLarge
                    && status != Status::ServiceUnavailable
                {
                    status = Status::PayloadTooLarge;
                }
                errors.add(&k, e);
            }
        }
    }
    Ok((staged, errors, status))
}

/// Where a save goes: the next section (or the review page after the
/// last) for `continue`, otherwise the same section again.
fn next_page(
    definition: &FormDefinition,
    id: ApplicationId,
    key: &str,
    next: Option<&str>,
) -> String {
    match next {
        Some("continue") => {
            let pos = definition
                .sections
                .iter()
                .position(|s| s.key == key)
                .unwrap_or(0);
            match definition.sections.get(pos + 1) {
                Some(s) => format!("/apply/applications/{id}/sections/{}", s.key),
                None => format!("/apply/applications/{id}/review"),
            }
        }
        _ => format!("/apply/applications/{id}/sections/{key}"),
    }
}
