//! An application as staff read it: its answers, documents and referee
//! letters, filtered for who is reading. A manager sees everything; a
//! reviewer sees only questions marked "shown to reviewers", and in a
//! blind cycle none marked "identifying", with documents renamed after
//! their question and letters after their position. Demographics are
//! stored apart and never reach this module.

use crate::domain::document::DocumentId;
use std::collections::BTreeMap;

use serde::Serialize;

use crate::db::documents::{self, Document};
use crate::db::form_versions;
use crate::db::referees;
use crate::domain::application::ApplicationId;
use crate::domain::cycle::CycleId;
use crate::domain::document::{human_size, sanitise_file_name};
use crate::domain::form::{retired_questions, Answers, FormDefinition, Question, QuestionKind};
use crate::web::apply::view::answer_text;
use crate::web::download::{send, SendError, Sent};

/// Who is reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    Manager,
    Reviewer { blind: bool },
}

impl Audience {
    /// Whether this reader may see the answer to `q`.
    pub fn sees(self, q: &Question) -> bool {
        match self {
            Self::Manager => true,
            Self::Reviewer { blind } => q.shown_to_reviewers && !(blind && q.identifying),
        }
    }

    fn blind(self) -> bool {
        matches!(self, Self::Reviewer { blind: true })
    }
}

/// A document link as shown.
#[derive(Debug, Clone, Serialize)]
pub struct DocumentLink {
    pub href: String,
    pub name: String,
    pub size: String,
}

/// One answered question.
#[derive(Debug, Clone, Serialize)]
pub struct Item {
    pub label: String,
    pub answer: String,
    pub document: Option<DocumentLink>,
    pub is_document: bool,
}

/// One section with the questions this reader sees.
#[derive(Debug, Clone, Serialize)]
pub struct SectionView {
    pub key: String,
    pub title: String,
    pub items: Vec<Item>,
}

/// A referee's letter as staff see it.
#[derive(Debug, Clone, Serialize)]
pub struct LetterView {
    pub referee: String,
    pub relationship: String,
    pub status_label: &'static str,
    pub document: Option<DocumentLink>,
}

/// What staff read of an application.
#[derive(Debug, Clone, Serialize)]
pub struct Dossier {
    /// The version of the form the answers are read against (the one they
    /// were given under).
    pub form_version: i64,
    pub sections: Vec<SectionView>,
    /// Answers to questions the version shown does not have (removed
    /// since), labelled as the version that had them asked.
    pub retired: Vec<Item>,
    pub letters: Vec<LetterView>,
}

/// The file name a reader downloads a document under, always ending in
/// its type's extension: in a blind cycle the question's label (or "Letter
/// N"), never what the applicant called it.
fn file_name(audience: Audience, given: &str, label: &str, content_type: &str) -> String {
    let extension = match content_type {
        "application/pdf" => "pdf",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => "docx",
        "image/png" => "png",
        "image/jpeg" => "jpg",
        _ => "",
    };
    let name = if audience.blind() { label } else { given };
    sanitise_file_name(name, extension)
}

fn link(href_base: &str, doc: &Document, name: String) -> DocumentLink {
    DocumentLink {
        href: format!("{href_base}/{}", doc.id),
        name,
        size: human_size(u64::try_from(doc.size_bytes).unwrap_or(0)),
    }
}

/// The questions answered (or with a document attached) that `form` does
/// not have, as the newest version of cycle `cycle`'s form that had them.
async fn retired<'k>(
    ex: &mut crate::db::Conn,
    cycle: CycleId,
    form: &FormDefinition,
    answers: &Answers,
    documents: impl Iterator<Item = &'k String>,
) -> crate::db::DbResult<Vec<Question>> {
    let keys: Vec<String> = answers
        .keys()
        .cloned()
        .chain(documents.cloned())
        .filter(|k| form.question(k).is_none())
        .collect();
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let versions = form_versions::all(ex.exec(), cycle).await?;
    Ok(retired_questions(
        form,
        versions.iter().map(|v| &v.form),
        keys.iter().map(String::as_str),
    ))
}

/// Builds the dossier from `form`, version `form_version` of cycle
/// `cycle`'s form; document links start with `href_base` and end with the
/// document's id.
#[expect(
    clippy::too_many_arguments,
    reason = "what is read, against what, by whom"
)]
pub async fn build(
    ex: &mut crate::db::Conn,
    application: ApplicationId,
    cycle: CycleId,
    form_version: i64,
    form: &FormDefinition,
    answers: &Answers,
    audience: Audience,
    href_base: &str,
) -> crate::db::DbResult<Dossier> {
    let attached: BTreeMap<String, Document> = documents::attached(ex.exec(), application)
        .await?
        .into_iter()
        .collect();
    let requests = referees::for_application(ex.exec(), application).await?;
    let mut sections = Vec::new();
    for s in &form.sections {
        let items: Vec<Item> = s
            .questions
            .iter()
            .filter(|q| audience.sees(q) && form.is_shown(q, answers))
            .filter(|q| !matches!(q.kind, QuestionKind::Referees { .. }))
            .map(|q| {
                let document = attached.get(&q.key).map(|d| {
                    link(
                        href_base,
                        d,
                        file_name(audience, &d.original_name, &q.label, &d.content_type),
                    )
                });
                Item {
                    label: q.label.clone(),
                    answer: answer_text(q, answers.get(&q.key)),
                    is_document: matches!(q.kind, QuestionKind::Document { .. }),
                    document,
                }
            })
            .collect();
        if !items.is_empty() {
            sections.push(SectionView {
                key: s.key.clone(),
                title: s.title.clone(),
                items,
            });
        }
    }
    let retired = retired(ex, cycle, form, answers, attached.keys())
        .await?
        .iter()
        .filter(|q| audience.sees(q) && !matches!(q.kind, QuestionKind::Referees { .. }))
        .map(|q| {
            let document = attached.get(&q.key).map(|d| {
                link(
                    href_base,
                    d,
                    file_name(audience, &d.original_name, &q.label, &d.content_type),
                )
            });
            Item {
                label: q.label.clone(),
                answer: answer_text(q, answers.get(&q.key)),
                is_document: matches!(q.kind, QuestionKind::Document { .. }),
                document,
            }
        })
        .collect();
    let mut letters = Vec::new();
    for (n, r) in requests.iter().enumerate() {
        let position = n + 1;
        let document = match r.letter_document_id {
            Some(id) => documents::find(ex.exec(), id).await?.map(|d| {
                let label = if audience.blind() {
                    format!("Letter {position}")
                } else {
                    format!("Letter from {}", r.name)
                };
                link(
                    href_base,
                    &d,
                    file_name(audience, &label, &label, &d.content_type),
                )
            }),
            None => None,
        };
        letters.push(LetterView {
            referee: if audience.blind() {
                format!("Referee {position}")
            } else {
                r.name.clone()
            },
            // How the applicant knows the referee ("my aunt", "my
            // supervisor at Eastside Clinic") can name them both.
            relationship: if audience.blind() {
                String::new()
            } else {
                r.relationship.clone()
            },
            status_label: r.status.label(),
            document,
        });
    }
    Ok(Dossier {
        form_version,
        sections,
        retired,
        letters,
    })
}

/// A document of the application this reader may download, with the name
/// to give it; `None` when it is not the application's or not shown to
/// them.
pub async fn find_document(
    ex: &mut crate::db::Conn,
    application: ApplicationId,
    cycle: CycleId,
    form: &FormDefinition,
    answers: &Answers,
    audience: Audience,
    document: DocumentId,
) -> crate::db::DbResult<Option<(Document, String)>> {
    for (key, d) in documents::attached(ex.exec(), application).await? {
        if d.id != document {
            continue;
        }
        let shown = match form.question(&key) {
            Some(q) => form.is_shown(q, answers).then(|| q.clone()),
            // A document of a question removed since: still the staff's to read.
            None => retired(ex, cycle, form, answers, std::iter::once(&key))
                .await?
                .into_iter()
                .next(),
        };
        let Some(q) = shown.filter(|q| audience.sees(q)) else {
            return Ok(None);
        };
        let name = file_name(audience, &d.original_name, &q.label, &d.content_type);
        return Ok(Some((d, name)));
    }
    let requests = referees::for_application(ex.exec(), application).await?;
    for (n, r) in requests.iter().enumerate() {
        if r.letter_document_id != Some(document) {
            continue;
        }
        let Some(d) = documents::find(ex.exec(), document).await? else {
            return Ok(None);
        };
        let label = if audience.blind() {
            format!("Letter {}", n + 1)
        } else {
            format!("Letter from {}", r.name)
        };
        let name = file_name(audience, &label, &label, &d.content_type);
        return Ok(Some((d, name)));
    }
    Ok(None)
}

/// Sends one of the application's documents to this reader, logged as
/// theirs: 404 when it is not the application's or not shown to them; in
/// a blind review renamed and cleaned of metadata, or refused (409) when
/// it cannot be cleaned.
#[expect(
    clippy::too_many_arguments,
    reason = "who reads what, of which application"
)]
pub async fn download(
    ctx: &crate::context::Ctx,
    application: ApplicationId,
    cycle: CycleId,
    form: &FormDefinition,
    answers: &Answers,
    audience: Audience,
    document: DocumentId,
    reader: (crate::domain::user::UserId, Option<&str>),
) -> crate::web::Result<Sent> {
    use crate::web::Error;
    let mut conn = ctx.conn().await?;
    let ex = &mut conn;
    let (d, name) = find_document(ex, application, cycle, form, answers, audience, document)
        .await?
        .ok_or(Error::NotFound)?;
    let sent = match send(&ctx.store, &d, &name, audience.blind()).await {
        Ok(s) => s,
        Err(SendError::Missing) => return Err(Error::NotFound),
        Err(SendError::Unclean(why)) => {
            tracing::warn!("document {} not cleaned for blind review: {why}", d.id);
            return Err(Error::Refused(
                rocket::http::Status::Conflict,
                "This document cannot be shown in a blind review because its details could not be removed (it may be encrypted or damaged). Ask the program team for a copy.".into(),
            ));
        }
        Err(e) => return Err(Error::Internal(e.into())),
    };
    let role = match audience {
        Audience::Manager => "manager",
        Audience::Reviewer { .. } => "reviewer",
    };
    let (viewer, ip) = reader;
    documents::log_view(ex.exec(), d.id, Some(viewer), role, ip, ctx.now()).await?;
    Ok(sent)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blind_names_come_from_the_question() {
        let blind = Audience::Reviewer { blind: true };
        assert_eq!(
            file_name(blind, "Ada_Lovelace_CV.pdf", "CV", "application/pdf"),
            "CV.pdf"
        );
        let open = Audience::Reviewer { blind: false };
        assert_eq!(
            file_name(open, "Ada_Lovelace_CV.pdf", "CV", "application/pdf"),
            "Ada_Lovelace_CV.pdf"
        );
        // A letter is named after its referee, and still opens as a PDF.
        let letter = "Letter from Prof. Sam Okafor";
        assert_eq!(
            file_name(open, letter, letter, "application/pdf"),
            "Letter from Prof. Sam Okafor.pdf"
        );
        assert_eq!(
            file_name(Audience::Manager, letter, letter, "application/pdf"),
            "Letter from Prof. Sam Okafor.pdf"
        );
        assert_eq!(
            file_name(blind, letter, "Letter 2", "application/pdf"),
            "Letter 2.pdf"
        );
        // A name stored before names ended in their type.
        assert_eq!(
            file_name(Audience::Manager, "statement", "Essay", "image/jpeg"),
            "statement.jpg"
        );
    }
}
