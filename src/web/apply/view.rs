//! What the applicant's pages show of a form: questions with their current
//! answers, documents and referees, and the problems next to them.

use crate::domain::document::DocumentId;
use std::collections::BTreeMap;

use serde::Serialize;

use crate::db::documents::Document;
use crate::db::referees::Request;
use crate::domain::answers::{self, Attachments};
use crate::domain::document::{describe_accepted, human_size};
use crate::domain::form::{Answer, Answers, FormDefinition, Question, QuestionKind, Section};
use crate::domain::referee::RequestStatus;

/// One option of a choice, as shown.
#[derive(Serialize)]
pub struct OptionView {
    pub value: String,
    pub label: String,
    pub checked: bool,
}

/// A stored document, as its owner sees it.
#[derive(Serialize, Clone)]
pub struct DocumentView {
    pub id: DocumentId,
    pub name: String,
    pub size: String,
}

impl From<&Document> for DocumentView {
    fn from(d: &Document) -> Self {
        Self {
            id: d.id,
            name: d.original_name.clone(),
            size: human_size(u64::try_from(d.size_bytes).unwrap_or(0)),
        }
    }
}

/// A referee, as the applicant sees them: never the letter.
#[derive(Serialize, Clone)]
pub struct RefereeView {
    pub id: i64,
    pub position: i64,
    pub name: String,
    pub email: String,
    pub relationship: String,
    pub waived: bool,
    pub status: String,
    pub status_label: &'static str,
    pub waiting: bool,
    /// What a referee who declined wrote to the applicant.
    pub decline_note: String,
}

impl From<&Request> for RefereeView {
    fn from(r: &Request) -> Self {
        let status_label = r.status.label();
        Self {
            id: r.id,
            position: r.position,
            name: r.name.clone(),
            email: r.email.clone(),
            relationship: r.relationship.clone(),
            waived: r.waived,
            status: r.status.as_str().to_owned(),
            status_label,
            waiting: r.status == RequestStatus::Requested,
            decline_note: r.decline_note.clone(),
        }
    }
}

/// One question with what is needed to render its field.
#[derive(Serialize)]
pub struct QuestionView {
    pub key: String,
    pub label: String,
    pub help: Option<String>,
    pub required: bool,
    /// `text`, `textarea`, `radio`, `checkbox`, `document` or `referees`.
    pub widget: &'static str,
    /// The `type` of a text input.
    pub input_type: &'static str,
    /// The input's `autocomplete` token, for a detail the browser may know.
    pub autocomplete: Option<&'static str>,
    pub value: String,
    pub options: Vec<OptionView>,
    pub max_words: Option<usize>,
    pub words: usize,
    pub max_chars: Option<usize>,
    /// The limits not shown otherwise (a word limit on one line, a
    /// character limit on paragraphs), in words.
    pub limits: Option<String>,
    pub condition: Option<String>,
    /// The question and values it depends on, for the script that hides it.
    pub depends_on: Option<String>,
    pub depends_values: String,
    pub error: Option<String>,
    pub document: Option<DocumentView>,
    pub accepted: String,
    pub accept_attr: String,
    pub max_mb: u64,
    pub reusable: Vec<DocumentView>,
    pub referees: Vec<RefereeView>,
    pub referees_min: usize,
    pub referees_max: usize,
}

/// What the section's questions draw on.
pub struct Context<'a> {
    pub form: &'a FormDefinition,
    pub answers: &'a Answers,
    pub documents: &'a BTreeMap<String, DocumentView>,
    pub reusable: &'a [DocumentView],
    pub referees: &'a [Request],
    /// Problems to show, by question key.
    pub errors: &'a BTreeMap<String, String>,
}

fn one(answer: Option<&Answer>) -> String {
    match answer {
        Some(Answer::One(s)) => s.clone(),
        Some(Answer::Many(v)) => v.join(", "),
        None => String::new(),
    }
}

/// The view of one question.
pub fn question(q: &Question, ctx: &Context<'_>) -> QuestionView {
    let answer = ctx.answers.get(&q.key);
    let value = one(answer);
    let chosen: Vec<String> = match answer {
        Some(Answer::Many(v)) => v.clone(),
        Some(Answer::One(s)) => vec![s.clone()],
        None => vec![],
    };
    let options = |opts: &[crate::domain::form::Choice]| {
        opts.iter()
            .map(|o| OptionView {
                value: o.value.clone(),
                label: o.label.clone(),
                checked: chosen.contains(&o.value),
            })
            .collect::<Vec<_>>()
    };
    let condition = q.show_if.as_ref().map(|c| {
        let parent = ctx.form.question(&c.question);
        let parent_label = parent.map(|p| p.label.as_str()).unwrap_or(&c.question);
        let labels: Vec<String> = c
            .any_of
            .iter()
            .map(|v| {
                let label = parent
                    .and_then(|p| match &p.kind {
                        QuestionKind::SingleChoice { options }
                        | QuestionKind::MultipleChoice { options, .. } => options
                            .iter()
                            .find(|o| &o.value == v)
                            .map(|o| o.label.clone()),
                        QuestionKind::YesNo => Some(if v == "yes" {
                            "Yes".into()
                        } else {
                            "No".into()
                        }),
                        _ => None,
                    })
                    .unwrap_or_else(|| v.clone());
                format!("“{label}”")
            })
            .collect();
        format!(
            "Answer this only if you chose {} for “{parent_label}”.",
            labels.join(" or ")
        )
    });
    let mut v = QuestionView {
        key: q.key.clone(),
        label: q.label.clone(),
        help: q.help.clone(),
        required: q.required,
        widget: "text",
        input_type: "text",
        autocomplete: autocomplete_for(q),
        words: answers::word_count(&value),
        value,
        options: vec![],
        max_words: None,
        max_chars: None,
        limits: None,
        condition,
        depends_on: q.show_if.as_ref().map(|c| c.question.clone()),
        depends_values: q
            .show_if
            .as_ref()
            .map(|c| c.any_of.join(" "))
            .unwrap_or_default(),
        error: ctx.errors.get(&q.key).cloned(),
        document: ctx.documents.get(&q.key).cloned(),
        accepted: String::new(),
        accept_attr: String::new(),
        max_mb: 0,
        reusable: vec![],
        referees: vec![],
        referees_min: 0,
        referees_max: 0,
    };
    match &q.kind {
        QuestionKind::ShortText {
            max_chars,
            max_words,
        } => {
            // A phone number or an address asked as plain text still gets
            // the keyboard and the browser's memory of it.
            v.input_type = match v.autocomplete {
                Some("tel") => "tel",
                Some("email") => "email",
                _ => "text",
            };
            v.max_chars = Some(*max_chars);
            v.limits = max_words.map(|n| format!("Up to {n} words."));
        }
        QuestionKind::LongText {
            max_words,
            max_chars,
        } => {
            v.widget = "textarea";
            v.max_words = *max_words;
            v.limits = max_chars.map(|n| format!("Up to {n} characters."));
        }
        QuestionKind::Email => {
            v.input_type = "email";
            v.autocomplete = Some("email");
        }
        QuestionKind::Phone => {
            v.input_type = "tel";
            v.autocomplete = Some("tel");
        }
        QuestionKind::Consent => {
            v.widget = "consent";
            v.options = vec![OptionView {
                value: "yes".into(),
                label: q.label.clone(),
                checked: chosen.iter().any(|c| c == "yes"),
            }];
        }
        QuestionKind::Url => v.input_type = "url",
        QuestionKind::Date => v.input_type = "date",
        QuestionKind::Number { .. } => v.input_type = "number",
        QuestionKind::SingleChoice { options: o } => {
            v.widget = "radio";
            v.options = options(o);
        }
        QuestionKind::YesNo => {
            v.widget = "radio";
            v.options = vec![
                OptionView {
                    value: "yes".into(),
                    label: "Yes".into(),
                    checked: chosen.iter().any(|c| c == "yes"),
                },
                OptionView {
                    value: "no".into(),
                    label: "No".into(),
                    checked: chosen.iter().any(|c| c == "no"),
                },
            ];
        }
        QuestionKind::MultipleChoice { options: o, .. } => {
            v.widget = "checkbox";
            v.options = options(o);
        }
        QuestionKind::Document { accepted, max_mb } => {
            v.widget = "document";
            v.accepted = describe_accepted(accepted);
            v.accept_attr = accepted
                .iter()
                .map(|t| format!(".{}", t.extension()))
                .collect::<Vec<_>>()
                .join(",");
            v.max_mb = *max_mb;
            v.reusable = ctx
                .reusable
                .iter()
                .filter(|d| v.document.as_ref().is_none_or(|cur| cur.id != d.id))
                .cloned()
                .collect();
        }
        QuestionKind::Referees { min, max } => {
            v.widget = "referees";
            v.referees = ctx
                .referees
                .iter()
                .filter(|r| r.question_key == q.key)
                .map(RefereeView::from)
                .collect();
            v.referees_min = *min;
            v.referees_max = *max;
        }
    }
    v
}

/// The `autocomplete` token of a question about the applicant's own
/// details, known by the profile field it fills or by its key.
pub fn autocomplete_for(q: &Question) -> Option<&'static str> {
    let name = q.profile.as_deref().unwrap_or(&q.key);
    let token = match name {
        "name" | "legal_name" | "full_name" => "name",
        "preferred_name" | "nickname" => "nickname",
        "given_name" | "first_name" => "given-name",
        "family_name" | "last_name" | "surname" => "family-name",
        "email" | "email_address" => "email",
        "phone" | "phone_number" | "telephone" | "mobile" => "tel",
        "institution" | "organization" | "organisation" | "employer" => "organization",
        "street" | "street_address" | "mailing_street" | "address" | "mailing_address" => {
            "street-address"
        }
        "city" | "mailing_city" => "address-level2",
        "state" | "mailing_state" | "region" => "address-level1",
        "postal_code" | "zip" | "mailing_postal_code" | "mailing_zip" => "postal-code",
        "country" | "mailing_country" => "country-name",
        _ => return None,
    };
    Some(token)
}

/// The views of a section's questions.
pub fn section(s: &Section, ctx: &Context<'_>) -> Vec<QuestionView> {
    s.questions.iter().map(|q| question(q, ctx)).collect()
}

/// What an application has besides typed answers, for completeness checks.
pub fn attachments(
    documents: &BTreeMap<String, DocumentView>,
    referees: &[Request],
) -> Attachments {
    let mut named: BTreeMap<String, usize> = BTreeMap::new();
    for r in referees
        .iter()
        .filter(|r| r.status != RequestStatus::Declined)
    {
        *named.entry(r.question_key.clone()).or_default() += 1;
    }
    Attachments {
        documents: documents.keys().cloned().collect(),
        referees: named,
    }
}

pub use crate::domain::answers::answer_text;

/// An answer as the applicant reads it back: [`answer_text`], with a date
/// in words ("31 May 2027", not "2027-05-31").
pub fn answer_in_words(q: &Question, answer: Option<&Answer>) -> String {
    let text = answer_text(q, answer);
    match (
        &q.kind,
        chrono::NaiveDate::parse_from_str(&text, "%Y-%m-%d"),
    ) {
        (QuestionKind::Date, Ok(d)) => d.format("%-d %B %Y").to_string(),
        _ => text,
    }
}

/// A question and its answer, read-only.
#[derive(Serialize)]
pub struct AnsweredView {
    pub key: String,
    pub label: String,
    pub answer: String,
    pub document: Option<DocumentView>,
    pub referees: Vec<RefereeView>,
    pub is_referees: bool,
    pub is_document: bool,
}

/// A section read-only.
#[derive(Serialize)]
pub struct SectionSummary {
    pub key: String,
    pub title: String,
    pub questions: Vec<AnsweredView>,
    /// Problems left in this section (drafts only).
    pub problems: usize,
}

/// Every section with its shown questions and answers.
pub fn summary(
    form: &FormDefinition,
    answers: &Answers,
    documents: &BTreeMap<String, DocumentView>,
    referees: &[Request],
    problems: &[answers::Problem],
) -> Vec<SectionSummary> {
    form.sections
        .iter()
        .map(|s| SectionSummary {
            key: s.key.clone(),
            title: s.title.clone(),
            problems: problems
                .iter()
                .filter(|p| s.questions.iter().any(|q| q.key == p.key))
                .count(),
            questions: s
                .questions
                .iter()
                .filter(|q| form.is_shown(q, answers))
                .map(|q| AnsweredView {
                    key: q.key.clone(),
                    label: q.label.clone(),
                    answer: answer_in_words(q, answers.get(&q.key)),
                    document: documents.get(&q.key).cloned(),
                    referees: referees
                        .iter()
                        .filter(|r| r.question_key == q.key)
                        .map(RefereeView::from)
                        .collect(),
                    is_referees: matches!(q.kind, QuestionKind::Referees { .. }),
                    is_document: matches!(q.kind, QuestionKind::Document { .. }),
                })
                .collect(),
        })
        .collect()
}
