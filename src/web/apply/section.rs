//! One section of the form: shown with the saved answers, saved as a whole
//! (typed answers, uploads, reused or removed documents) without any
//! completeness check. A tampered save stores nothing; a refused upload
//! keeps everything typed.

use std::collections::BTreeMap;

use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use rocket::Either;
use rocket::{get, post, routes, Route, State};
use rocket_dyn_templates::Template;
use serde::Serialize;

use super::view::{self, DocumentView};
use super::{load_owned, Owned};
use crate::auth::guards::Applicant;
use crate::db::{applications, documents, referees, Conn, Db};
use crate::domain::access::DocumentKind;
use crate::domain::answers::{self, Attachments};
use crate::domain::form::{Answers, QuestionKind};
use crate::storage::Storage;
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
struct SectionLink {
    key: String,
    title: String,
    current: bool,
}

#[derive(Serialize)]
struct SectionPage {
    application_id: i64,
    program_name: String,
    cycle_name: String,
    closes: String,
    section_key: String,
    section_title: String,
    intro: Option<String>,
    sections: Vec<SectionLink>,
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

pub(super) async fn attached(conn: &mut Conn, application: i64) -> Result<Attached> {
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
        sections: form
            .sections
            .iter()
            .map(|s| SectionLink {
                key: s.key.clone(),
                title: s.title.clone(),
                current: s.key == section.key,
            })
            .collect(),
        has_files: questions.iter().any(|q| q.widget == "document"),
        is_last: form.sections.last().is_some_and(|s| s.key == section.key),
        questions,
        errors,
    })
}

fn not_editable(id: i64) -> Flash<Redirect> {
    Flash::error(
        Redirect::to(format!("/apply/applications/{id}")),
        "This application has been submitted, so its answers can no longer be changed.",
    )
}

#[get("/applications/<id>/sections/<key>")]
async fn show_section(
    who: Applicant,
    db: &Db,
    chrome: Chrome,
    id: i64,
    key: &str,
) -> Result<Either<Flash<Redirect>, Template>> {
    let mut conn = db.conn().await?;
    let owned = load_owned(&mut conn, &who, id).await?;
    if !owned.application.stage.is_editable() {
        return Ok(Either::Left(not_editable(id)));
    }
    let p = page(&mut conn, &who, &owned, key, FormErrors::default()).await?;
    let title = format!("{} – {}", p.section_title, p.program_name);
    Ok(Either::Right(render("apply/section", &chrome, &title, p)))
}

/// A section's form as sent.
struct SectionForm {
    /// Typed answers: `a[question]`, repeated for several choices.
    a: BTreeMap<String, Vec<String>>,
    /// Uploads: `f[question]`.
    f: Vec<(String, Upload)>,
    /// An earlier upload to attach: `reuse[question]=document id`.
    reuse: BTreeMap<String, String>,
    /// The question whose document to remove.
    remove: Option<String>,
    /// `continue` goes to the next section (the button's name is not
    /// `action`, which would shadow the form's own `action` in scripts).
    next: Option<String>,
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

type SaveResult = Result<Either<Flash<Redirect>, (Status, Template)>>;

#[post("/applications/<id>/sections/<key>", data = "<form>")]
async fn save_section(
    who: Applicant,
    db: &Db,
    storage: &State<Storage>,
    chrome: Chrome,
    id: i64,
    key: &str,
    form: Multipart,
) -> SaveResult {
    let mut form = SectionForm::from(form);
    let mut conn = db.conn().await?;
    let owned = load_owned(&mut conn, &who, id).await?;
    if !owned.application.stage.is_editable() {
        return Ok(Either::Left(not_editable(id)));
    }
    let definition = &owned.cycle.form;
    let section = definition
        .sections
        .iter()
        .find(|s| s.key == key)
        .ok_or(Error::NotFound)?;
    let in_section = |k: &str| section.questions.iter().find(|q| q.key == k);
    let title = format!("{} – {}", section.title, owned.program.name);

    // The shape of what was sent: known questions of this section, offered choices.
    let mut tampered = FormErrors::default();
    for k in form
        .a
        .keys()
        .chain(form.f.iter().map(|(k, _)| k))
        .chain(form.reuse.keys())
        .chain(form.remove.iter())
    {
        if in_section(k).is_none() {
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
    if !tampered.is_empty() {
        let p = page(&mut conn, &who, &owned, key, tampered).await?;
        return Ok(Either::Right((
            Status::UnprocessableEntity,
            render("apply/section", &chrome, &format!("Error: {title}"), p),
        )));
    }

    // Uploads are stored before the transaction; if it fails they are removed again.
    let mut upload_errors = FormErrors::default();
    let mut status = Status::UnprocessableEntity;
    let mut stored: Vec<(String, crate::storage::Stored, String, String)> = Vec::new();
    for (k, file) in std::mem::take(&mut form.f) {
        if !upload::chosen(&file) {
            continue;
        }
        let Some(QuestionKind::Document { accepted, max_mb }) = in_section(&k).map(|q| &q.kind)
        else {
            upload_errors.add(&k, "This question does not take a file.");
            continue;
        };
        match upload::check(&file, accepted, *max_mb).await? {
            Ok(checked) => match upload::store(storage, file).await {
                Ok(s) => stored.push((k.clone(), s, checked.name, checked.kind.mime().to_owned())),
                Err(e) if e.is_unavailable() => {
                    rocket::warn!("document store unavailable during an upload: {e}");
                    status = Status::ServiceUnavailable;
                    upload_errors.add(&k, upload::STORAGE_DOWN);
                }
                Err(e) => return Err(Error::Internal(e.into())),
            },
            Err(e) => {
                if upload::status_of(&e) == Status::PayloadTooLarge
                    && status != Status::ServiceUnavailable
                {
                    status = Status::PayloadTooLarge;
                }
                upload_errors.add(&k, e);
            }
        }
    }

    let result = apply_changes(
        db,
        &who,
        &owned,
        &form,
        accepted,
        &stored,
        &mut upload_errors,
    )
    .await;
    let removed_keys = match result {
        Ok(Saved::Done(keys)) => keys,
        outcome => {
            for (_, s, _, _) in &stored {
                let _ = storage.delete(&s.key).await;
            }
            // Submitted (or withdrawn) meanwhile, from another tab: nothing changed.
            outcome?;
            return Ok(Either::Left(not_editable(id)));
        }
    };
    for k in removed_keys {
        if let Err(e) = storage.delete(&k).await {
            rocket::warn!("could not delete a replaced document: {e}");
        }
    }

    if !upload_errors.is_empty() {
        let fresh = crate::db::applications::find(conn.exec(), id)
            .await?
            .ok_or(Error::NotFound)?;
        let owned = Owned {
            application: fresh,
            ..owned
        };
        let p = page(&mut conn, &who, &owned, key, upload_errors).await?;
        return Ok(Either::Right((
            status,
            render("apply/section", &chrome, &format!("Error: {title}"), p),
        )));
    }
    let next = match form.next.as_deref() {
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
    };
    Ok(Either::Left(Flash::success(
        Redirect::to(next),
        "Your answers are saved.",
    )))
}

/// What a save did.
enum Saved {
    /// Saved; the storage keys of documents no longer referenced (to
    /// delete after commit).
    Done(Vec<String>),
    /// Nothing: the application stopped being a draft (submitted or
    /// withdrawn from another tab) since the page was read.
    NotDraft,
}

/// Writes answers and document changes in one transaction. The answers
/// are merged into the application as it is inside the transaction, so two
/// sections saved at once from two tabs both keep their answers.
async fn apply_changes(
    db: &Db,
    who: &Applicant,
    owned: &Owned,
    form: &SectionForm,
    accepted: Vec<(String, Option<crate::domain::form::Answer>)>,
    stored: &[(String, crate::storage::Stored, String, String)],
    errors: &mut FormErrors,
) -> Result<Saved> {
    let now = crate::clock::now();
    let user = who.0.user().id;
    let app = owned.application.id;
    let mut tx = db.begin().await?;
    applications::lock(tx.exec(), app).await?;
    let mut merged: Answers = match applications::find(tx.exec(), app).await? {
        Some(a) if a.stage.is_editable() => a.answers,
        _ => return Ok(Saved::NotDraft),
    };
    for (k, v) in accepted {
        match v {
            Some(v) => merged.insert(k, v),
            None => merged.remove(&k),
        };
    }
    let mut dropped: Vec<i64> = Vec::new();
    for (k, s, name, mime) in stored {
        let doc = documents::NewDocument {
            owner: Some(user),
            kind: "upload",
            storage_key: &s.key,
            original_name: name,
            content_type: mime,
            size_bytes: i64::try_from(s.size).unwrap_or(i64::MAX),
            sha256: &s.sha256,
        };
        let doc_id = documents::insert(tx.exec(), &doc, now).await?;
        dropped.extend(documents::attach(tx.exec(), app, k, doc_id, now).await?);
    }
    for (k, doc) in &form.reuse {
        if doc.is_empty() || stored.iter().any(|(sk, ..)| sk == k) {
            continue;
        }
        let found = match doc.parse::<i64>() {
            Ok(d) => documents::find(tx.exec(), d).await?,
            Err(_) => None,
        };
        let accepted = match owned.cycle.form.question(k).map(|q| &q.kind) {
            Some(QuestionKind::Document { accepted, .. }) => accepted.clone(),
            _ => vec![],
        };
        match found {
            Some(d)
                if crate::domain::access::applicant_may_download(
                    d.owner_id,
                    DocumentKind::parse(&d.kind).unwrap_or(DocumentKind::Letter),
                    user,
                ) && accepted.iter().any(|t| t.mime() == d.content_type) =>
            {
                dropped.extend(documents::attach(tx.exec(), app, k, d.id, now).await?);
            }
            Some(_) => errors.add(
                k,
                "That earlier file is not of a type this question accepts.",
            ),
            None => errors.add(k, "That earlier file could not be found. Choose another."),
        }
    }
    if let Some(k) = &form.remove {
        dropped.extend(documents::detach(tx.exec(), app, k).await?);
    }
    if !applications::save_answers(tx.exec(), app, &merged, now).await? {
        return Ok(Saved::NotDraft);
    }
    let mut unreferenced = Vec::new();
    for d in dropped {
        if !documents::is_referenced(tx.exec(), d).await? {
            if let Some(doc) = documents::find(tx.exec(), d).await? {
                documents::delete(tx.exec(), d).await?;
                unreferenced.push(doc.storage_key);
            }
        }
    }
    tx.commit().await?;
    Ok(Saved::Done(unreferenced))
}
