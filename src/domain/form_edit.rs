//! Changing a form in the builder, one edit at a time: sections, questions
//! and eligibility questions added, changed, moved and removed, or a whole
//! form imported. Each edit reads what the manager typed (text, as typed),
//! checks it, and returns the whole new form, checked again by
//! [`FormDefinition::check`], with a one-line summary of the change; or
//! the problems, each against the field it is about.
//!
//! What a new form would do to answers already given is in
//! [`super::form_change`].

use std::collections::HashSet;

use super::form::{
    Choice, Condition, DocumentType, EligibilityQuestion, FormDefinition, FormError, Question,
    QuestionKind, Section, MAX_DOCUMENT_MB,
};

/// A problem with what was typed, against the field (its `id`) it is about.
pub type Problems = Vec<(String, String)>;

/// A question as typed on its edit page.
#[derive(Debug, Clone, Default)]
pub struct QuestionDraft {
    /// The type's stored name (`short_text`, `long_text`, ...).
    pub kind: String,
    pub label: String,
    pub help: String,
    pub required: bool,
    /// Empty: made from the label.
    pub key: String,
    pub max_chars: String,
    pub max_words: String,
    pub min: String,
    pub max: String,
    pub integer: bool,
    /// One per line: `value | label`, or just the label.
    pub choices: String,
    pub accepted: Vec<String>,
    pub max_mb: String,
    /// The key of the earlier question it depends on; empty for none.
    pub show_if_question: String,
    /// The answers (values or labels) of that question that show it,
    /// separated by commas or lines.
    pub show_if_values: String,
    pub identifying: bool,
    pub shown_to_reviewers: bool,
}

/// An eligibility question as typed.
#[derive(Debug, Clone, Default)]
pub struct EligibilityDraft {
    pub label: String,
    pub help: String,
    pub key: String,
    /// One per line: `value | label`, or just the label.
    pub options: String,
    /// The options (values or labels) that allow applying, separated by
    /// commas or lines.
    pub eligible: String,
    pub ineligible_message: String,
}

/// Which way to move something.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Up,
    Down,
}

/// One change of a form.
#[derive(Debug, Clone)]
pub enum Edit {
    AddSection {
        title: String,
        intro: String,
    },
    EditSection {
        key: String,
        title: String,
        intro: String,
    },
    MoveSection {
        key: String,
        to: Direction,
    },
    RemoveSection {
        key: String,
    },
    /// A new question (at the end of `section`), or question `original`
    /// changed.
    SaveQuestion {
        section: String,
        original: Option<String>,
        draft: QuestionDraft,
    },
    MoveQuestion {
        key: String,
        to: Direction,
    },
    RemoveQuestion {
        key: String,
    },
    SaveEligibility {
        original: Option<String>,
        draft: EligibilityDraft,
    },
    MoveEligibility {
        key: String,
        to: Direction,
    },
    RemoveEligibility {
        key: String,
    },
    /// A whole form, as JSON (an import, or a change confirmed).
    Replace {
        json: String,
        summary: String,
    },
}

/// The types a builder offers, with their names for people.
pub const KINDS: [(&str, &str); 13] = [
    ("short_text", "Short text (one line)"),
    ("long_text", "Long text (paragraphs)"),
    ("single_choice", "Single choice"),
    ("multiple_choice", "Multiple choice"),
    ("yes_no", "Yes or no"),
    ("date", "Date"),
    ("number", "Number"),
    ("email", "Email address"),
    ("url", "Web address"),
    ("phone", "Telephone number"),
    ("document", "File upload"),
    ("referees", "Referees"),
    ("consent", "Consent (a statement to tick)"),
];

/// A key made from a label: lower-case letters, digits and underscores,
/// at most 40 characters, not one of `taken`.
pub fn key_from(label: &str, taken: &HashSet<String>) -> String {
    let mut key = String::new();
    for c in label.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            key.push(c);
        } else if !key.ends_with('_') && !key.is_empty() {
            key.push('_');
        }
        if key.len() >= 40 {
            break;
        }
    }
    let mut key = key.trim_end_matches('_').to_owned();
    if key.is_empty() || key.starts_with(|c: char| c.is_ascii_digit()) {
        key = format!("q_{key}").trim_end_matches('_').to_owned();
    }
    let base = key.clone();
    let mut n = 2;
    while taken.contains(&key) {
        key = format!("{base}_{n}");
        n += 1;
    }
    key
}

/// Every key the form uses (sections, questions, eligibility questions).
pub fn keys(form: &FormDefinition) -> HashSet<String> {
    form.eligibility
        .iter()
        .map(|q| q.key.clone())
        .chain(form.sections.iter().map(|s| s.key.clone()))
        .chain(form.questions().map(|q| q.key.clone()))
        .collect()
}

fn problem(field: &str, message: impl Into<String>) -> Problems {
    vec![(field.to_owned(), message.into())]
}

/// Reads choices, one per line: `value | label`, or a label alone (its
/// value made from it).
pub fn read_choices(text: &str, field: &str) -> Result<Vec<Choice>, Problems> {
    let mut out: Vec<Choice> = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let (value, label) = match line.split_once('|') {
            Some((v, l)) => (v.trim().to_owned(), l.trim().to_owned()),
            None => (key_from(line, &HashSet::new()), line.to_owned()),
        };
        if value.is_empty() || label.is_empty() {
            return Err(problem(
                field,
                format!("“{line}” needs both a value and a label either side of |."),
            ));
        }
        if out
            .iter()
            .any(|c| c.value == value || c.label.to_lowercase() == label.to_lowercase())
        {
            return Err(problem(
                field,
                format!("“{label}” is listed twice; each choice must be different."),
            ));
        }
        out.push(Choice { value, label });
    }
    if out.is_empty() {
        return Err(problem(field, "List at least one choice, one per line."));
    }
    Ok(out)
}

/// The choices as typed on the edit page.
pub fn choices_text(choices: &[Choice]) -> String {
    choices
        .iter()
        .map(|c| format!("{} | {}", c.value, c.label))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Reads a list of answers given as values or labels of `options`.
fn read_values(text: &str, options: &[Choice], field: &str) -> Result<Vec<String>, Problems> {
    let mut out = Vec::new();
    for part in text
        .split([',', '\n'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let found = options.iter().find(|o| {
            o.value.eq_ignore_ascii_case(part) || o.label.trim().eq_ignore_ascii_case(part)
        });
        match found {
            Some(o) if !out.contains(&o.value) => out.push(o.value.clone()),
            Some(_) => {}
            None => {
                let offered: Vec<&str> = options.iter().map(|o| o.label.as_str()).collect();
                return Err(problem(
                    field,
                    format!(
                        "“{part}” is not one of the answers offered ({}).",
                        offered.join(", ")
                    ),
                ));
            }
        }
    }
    Ok(out)
}

/// A whole number of at least 1, or none when blank.
fn limit(text: &str, field: &str, what: &str) -> Result<Option<usize>, Problems> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    match t.parse::<usize>() {
        Ok(0) => Err(problem(
            field,
            format!("A {what} of 0 would refuse every answer; enter at least 1, or leave it empty for none."),
        )),
        Ok(n) => Ok(Some(n)),
        Err(_) => Err(problem(
            field,
            format!("Enter the {what} as a whole number, for example 300."),
        )),
    }
}

fn number(text: &str, field: &str) -> Result<Option<f64>, Problems> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    t.parse::<f64>()
        .ok()
        .filter(|n| n.is_finite())
        .map(Some)
        .ok_or_else(|| problem(field, "Enter a number, for example 10."))
}

fn optional(text: &str) -> Option<String> {
    let t = text.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

impl QuestionDraft {
    /// The draft of an existing question (what its edit page shows).
    pub fn of(q: &Question) -> Self {
        let n = |v: Option<usize>| v.map(|n| n.to_string()).unwrap_or_default();
        let f = |v: Option<f64>| v.map(|n| n.to_string()).unwrap_or_default();
        let mut d = Self {
            kind: q.kind.type_name().to_owned(),
            label: q.label.clone(),
            help: q.help.clone().unwrap_or_default(),
            required: q.required,
            key: q.key.clone(),
            show_if_question: q
                .show_if
                .as_ref()
                .map(|c| c.question.clone())
                .unwrap_or_default(),
            show_if_values: q
                .show_if
                .as_ref()
                .map(|c| c.any_of.join(", "))
                .unwrap_or_default(),
            identifying: q.identifying,
            shown_to_reviewers: q.shown_to_reviewers,
            ..Self::default()
        };
        match &q.kind {
            QuestionKind::ShortText {
                max_chars,
                max_words,
            } => {
                d.max_chars = max_chars.to_string();
                d.max_words = n(*max_words);
            }
            QuestionKind::LongText {
                max_words,
                max_chars,
            } => {
                d.max_chars = n(*max_chars);
                d.max_words = n(*max_words);
            }
            QuestionKind::Number { min, max, integer } => {
                d.min = f(*min);
                d.max = f(*max);
                d.integer = *integer;
            }
            QuestionKind::SingleChoice { options } => d.choices = choices_text(options),
            QuestionKind::MultipleChoice { options, min, max } => {
                d.choices = choices_text(options);
                d.min = n(*min);
                d.max = n(*max);
            }
            QuestionKind::Document { accepted, max_mb } => {
                d.accepted = accepted.iter().map(|t| t.as_str().to_owned()).collect();
                d.max_mb = max_mb.to_string();
            }
            QuestionKind::Referees { min, max } => {
                d.min = min.to_string();
                d.max = max.to_string();
            }
            _ => {}
        }
        d
    }

    /// The kind of question typed, with its limits.
    fn kind(&self) -> Result<QuestionKind, Problems> {
        Ok(match self.kind.as_str() {
            "short_text" => QuestionKind::ShortText {
                max_chars: limit(&self.max_chars, "max_chars", "character limit")?.unwrap_or(200),
                max_words: limit(&self.max_words, "max_words", "word limit")?,
            },
            "long_text" => QuestionKind::LongText {
                max_words: limit(&self.max_words, "max_words", "word limit")?,
                max_chars: limit(&self.max_chars, "max_chars", "character limit")?,
            },
            "email" => QuestionKind::Email,
            "url" => QuestionKind::Url,
            "phone" => QuestionKind::Phone,
            "date" => QuestionKind::Date,
            "yes_no" => QuestionKind::YesNo,
            "consent" => QuestionKind::Consent,
            "number" => {
                let min = number(&self.min, "min")?;
                let max = number(&self.max, "max")?;
                if let (Some(a), Some(b)) = (min, max) {
                    if a > b {
                        return Err(problem(
                            "max",
                            "The largest number allowed is below the smallest.",
                        ));
                    }
                }
                QuestionKind::Number {
                    min,
                    max,
                    integer: self.integer,
                }
            }
            "single_choice" => QuestionKind::SingleChoice {
                options: read_choices(&self.choices, "choices")?,
            },
            "multiple_choice" => {
                let options = read_choices(&self.choices, "choices")?;
                let min = limit(&self.min, "min", "least number of choices")?;
                let max = limit(&self.max, "max", "most choices allowed")?;
                if max.is_some_and(|m| m > options.len()) {
                    return Err(problem(
                        "max",
                        format!("There are only {} choices.", options.len()),
                    ));
                }
                if let (Some(a), Some(b)) = (min, max) {
                    if a > b {
                        return Err(problem(
                            "max",
                            "The most choices allowed is below the least.",
                        ));
                    }
                }
                QuestionKind::MultipleChoice { options, min, max }
            }
            "document" => {
                let mut accepted = Vec::new();
                for t in &self.accepted {
                    match DocumentType::parse(t) {
                        Some(t) if !accepted.contains(&t) => accepted.push(t),
                        Some(_) => {}
                        None => {
                            return Err(problem("accepted", "Choose file types from the list."))
                        }
                    }
                }
                if accepted.is_empty() {
                    return Err(problem(
                        "accepted",
                        "Choose at least one type of file to accept.",
                    ));
                }
                let Some(max_mb) = limit(&self.max_mb, "max_mb", "size limit")? else {
                    return Err(problem(
                        "max_mb",
                        format!("Enter the largest file size in MiB, up to {MAX_DOCUMENT_MB}."),
                    ));
                };
                let max_mb = max_mb as u64;
                if max_mb > MAX_DOCUMENT_MB {
                    return Err(problem(
                        "max_mb",
                        format!("The portal accepts files up to {MAX_DOCUMENT_MB} MiB; enter {MAX_DOCUMENT_MB} or less."),
                    ));
                }
                QuestionKind::Document { accepted, max_mb }
            }
            "referees" => {
                let min = limit(&self.min, "min", "least number of referees")?.unwrap_or(1);
                let Some(max) = limit(&self.max, "max", "most referees")? else {
                    return Err(problem(
                        "max",
                        "Enter the most referees an applicant may name.",
                    ));
                };
                if min > max {
                    return Err(problem("max", "The most referees is below the least."));
                }
                QuestionKind::Referees { min, max }
            }
            _ => return Err(problem("kind", "Choose a type of question from the list.")),
        })
    }
}

impl EligibilityDraft {
    /// The draft of an existing eligibility question.
    pub fn of(q: &EligibilityQuestion) -> Self {
        Self {
            label: q.label.clone(),
            help: q.help.clone().unwrap_or_default(),
            key: q.key.clone(),
            options: choices_text(&q.options),
            eligible: q.eligible.join(", "),
            ineligible_message: q.ineligible_message.clone(),
        }
    }
}

/// What a form error is about, as a field of the question edit page.
fn field_of(e: &FormError) -> &'static str {
    match e {
        FormError::BadCondition { .. }
        | FormError::UnknownCondition { .. }
        | FormError::ConditionLoop(_)
        | FormError::ConditionOnText { .. } => "show_if_question",
        FormError::BadConditionValue { .. } => "show_if_values",
        FormError::DuplicateKey(_) | FormError::BadKey(_) => "key",
        FormError::NoOptions(_) | FormError::DuplicateChoice { .. } => "choices",
        FormError::TooLarge { .. } => "max_mb",
        FormError::BadEligible(_) => "eligible",
        FormError::ZeroLimit(_) | FormError::BadLimits(_) => "max",
        FormError::Syntax(_) => "json",
    }
}

fn find_question(form: &FormDefinition, key: &str) -> Option<(usize, usize)> {
    form.sections.iter().enumerate().find_map(|(s, sec)| {
        sec.questions
            .iter()
            .position(|q| q.key == key)
            .map(|i| (s, i))
    })
}

fn moved<T>(items: &mut [T], at: usize, to: Direction) -> bool {
    match to {
        Direction::Up if at > 0 => items.swap(at, at - 1),
        Direction::Down if at + 1 < items.len() => items.swap(at, at + 1),
        _ => return false,
    }
    true
}

const GONE: &str = "That is no longer part of the form (someone may have removed it). Here is the form as it is now.";

impl Edit {
    /// The form after this edit, and the change in one line; or what is
    /// wrong, by field. `fixed` holds the question keys that have answers
    /// (which cannot be renamed).
    pub fn apply(
        &self,
        form: &FormDefinition,
        fixed: &HashSet<String>,
    ) -> Result<(FormDefinition, String), Problems> {
        let mut f = form.clone();
        let summary = match self {
            Self::AddSection { title, intro } => {
                let title = title.trim();
                if title.is_empty() {
                    return Err(problem("title", "Give the section a title."));
                }
                f.sections.push(Section {
                    key: key_from(title, &keys(form)),
                    title: title.to_owned(),
                    intro: optional(intro),
                    questions: vec![],
                });
                format!("Added section “{title}”")
            }
            Self::EditSection { key, title, intro } => {
                let title = title.trim();
                if title.is_empty() {
                    return Err(problem("title", "Give the section a title."));
                }
                let s = f
                    .sections
                    .iter_mut()
                    .find(|s| &s.key == key)
                    .ok_or_else(|| problem("form", GONE))?;
                s.title = title.to_owned();
                s.intro = optional(intro);
                format!("Changed section “{title}”")
            }
            Self::MoveSection { key, to } => {
                let at = f
                    .sections
                    .iter()
                    .position(|s| &s.key == key)
                    .ok_or_else(|| problem("form", GONE))?;
                let title = f.sections[at].title.clone();
                if !moved(&mut f.sections, at, *to) {
                    return Err(problem(
                        "form",
                        format!("Section “{title}” cannot move further."),
                    ));
                }
                format!("Moved section “{title}” {}", word(*to))
            }
            Self::RemoveSection { key } => {
                let at = f
                    .sections
                    .iter()
                    .position(|s| &s.key == key)
                    .ok_or_else(|| problem("form", GONE))?;
                let s = f.sections.remove(at);
                format!(
                    "Removed section “{}” with its {} questions",
                    s.title,
                    s.questions.len()
                )
            }
            Self::SaveQuestion {
                section,
                original,
                draft,
            } => return save_question(form, section, original.as_deref(), draft, fixed),
            Self::MoveQuestion { key, to } => {
                let (s, i) = find_question(&f, key).ok_or_else(|| problem("form", GONE))?;
                let label = f.sections[s].questions[i].label.clone();
                let moved_within = moved(&mut f.sections[s].questions, i, *to);
                if !moved_within {
                    // Across into the next or previous section.
                    let q = f.sections[s].questions.remove(i);
                    match to {
                        Direction::Up if s > 0 => f.sections[s - 1].questions.push(q),
                        Direction::Down if s + 1 < f.sections.len() => {
                            f.sections[s + 1].questions.insert(0, q)
                        }
                        _ => {
                            return Err(problem(
                                "form",
                                format!("Question “{label}” cannot move further."),
                            ))
                        }
                    }
                }
                format!("Moved question “{label}” {}", word(*to))
            }
            Self::RemoveQuestion { key } => {
                let (s, i) = find_question(&f, key).ok_or_else(|| problem("form", GONE))?;
                let q = f.sections[s].questions.remove(i);
                format!("Removed question “{}”", q.label)
            }
            Self::SaveEligibility { original, draft } => {
                return save_eligibility(form, original.as_deref(), draft)
            }
            Self::MoveEligibility { key, to } => {
                let at = f
                    .eligibility
                    .iter()
                    .position(|q| &q.key == key)
                    .ok_or_else(|| problem("form", GONE))?;
                let label = f.eligibility[at].label.clone();
                if !moved(&mut f.eligibility, at, *to) {
                    return Err(problem("form", format!("“{label}” cannot move further.")));
                }
                format!("Moved eligibility question “{label}” {}", word(*to))
            }
            Self::RemoveEligibility { key } => {
                let at = f
                    .eligibility
                    .iter()
                    .position(|q| &q.key == key)
                    .ok_or_else(|| problem("form", GONE))?;
                let q = f.eligibility.remove(at);
                format!("Removed eligibility question “{}”", q.label)
            }
            Self::Replace { json, summary } => {
                let new =
                    FormDefinition::parse(json).map_err(|e| problem("json", e.to_string()))?;
                return Ok((new, summary.clone()));
            }
        };
        f.check().map_err(|e| problem("form", e.to_string()))?;
        Ok((f, summary))
    }
}

fn word(to: Direction) -> &'static str {
    match to {
        Direction::Up => "up",
        Direction::Down => "down",
    }
}

fn save_question(
    form: &FormDefinition,
    section: &str,
    original: Option<&str>,
    d: &QuestionDraft,
    fixed: &HashSet<String>,
) -> Result<(FormDefinition, String), Problems> {
    let mut f = form.clone();
    let label = d.label.trim();
    if label.is_empty() {
        return Err(problem("label", "Write the question."));
    }
    let kind = d.kind()?;
    let old = match original {
        Some(k) => Some(form.question(k).ok_or_else(|| problem("form", GONE))?),
        None => None,
    };
    let mut taken = keys(form);
    if let Some(k) = original {
        taken.remove(k);
    }
    let typed = d.key.trim();
    let key = if typed.is_empty() {
        match old {
            Some(q) => q.key.clone(),
            None => key_from(label, &taken),
        }
    } else {
        typed.to_owned()
    };
    if let Some(o) = original.filter(|o| *o != key) {
        if fixed.contains(o) {
            return Err(problem(
                "key",
                format!("The key stays “{o}”: applications have answered this question under it."),
            ));
        }
    }
    if taken.contains(&key) {
        return Err(problem(
            "key",
            format!("The key “{key}” is already used in this form; choose another."),
        ));
    }
    let show_if = match d.show_if_question.trim() {
        "" => None,
        on => {
            let Some(parent) = form.question(on) else {
                return Err(problem(
                    "show_if_question",
                    "The question it depends on is no longer part of the form; choose another.",
                ));
            };
            let offered: Vec<Choice> = match &parent.kind {
                QuestionKind::YesNo => vec![
                    Choice {
                        value: "yes".into(),
                        label: "Yes".into(),
                    },
                    Choice {
                        value: "no".into(),
                        label: "No".into(),
                    },
                ],
                QuestionKind::Consent => vec![Choice {
                    value: "yes".into(),
                    label: "Ticked".into(),
                }],
                k => k.options().to_vec(),
            };
            if offered.is_empty() {
                return Err(problem(
                    "show_if_question",
                    format!(
                        "“{}” has no choices to depend on; choose a choice or yes/no question.",
                        parent.label
                    ),
                ));
            }
            let any_of = read_values(&d.show_if_values, &offered, "show_if_values")?;
            if any_of.is_empty() {
                return Err(problem(
                    "show_if_values",
                    "Say which answers show this question.",
                ));
            }
            Some(Condition {
                question: on.to_owned(),
                any_of,
            })
        }
    };
    let q = Question {
        key: key.clone(),
        label: label.to_owned(),
        help: optional(&d.help),
        required: d.required,
        shown_to_reviewers: d.shown_to_reviewers,
        identifying: d.identifying,
        show_if,
        profile: old.and_then(|q| q.profile.clone()),
        kind,
    };
    let offers_answers = matches!(q.kind, QuestionKind::YesNo | QuestionKind::Consent)
        || !q.kind.options().is_empty();
    if let Some(dependent) = original.filter(|_| !offers_answers).and_then(|o| {
        form.questions()
            .find(|d| d.show_if.as_ref().is_some_and(|c| c.question == o))
    }) {
        return Err(problem(
            "kind",
            FormError::ConditionOnText {
                question: dependent.key.clone(),
                on: key.clone(),
            }
            .to_string(),
        ));
    }
    let summary = match original {
        Some(o) => {
            let (s, i) = find_question(&f, o).ok_or_else(|| problem("form", GONE))?;
            f.sections[s].questions[i] = q;
            if o != key {
                // Conditions on the renamed question follow it.
                for other in f.sections.iter_mut().flat_map(|s| s.questions.iter_mut()) {
                    if let Some(c) = other.show_if.as_mut().filter(|c| c.question == o) {
                        c.question = key.clone();
                    }
                }
            }
            format!("Changed question “{label}”")
        }
        None => {
            let s = f
                .sections
                .iter_mut()
                .find(|s| s.key == section)
                .ok_or_else(|| problem("form", GONE))?;
            s.questions.push(q);
            format!("Added question “{label}” to “{}”", s.title)
        }
    };
    f.check()
        .map_err(|e| problem(field_of(&e), e.to_string()))?;
    Ok((f, summary))
}

fn save_eligibility(
    form: &FormDefinition,
    original: Option<&str>,
    d: &EligibilityDraft,
) -> Result<(FormDefinition, String), Problems> {
    let mut f = form.clone();
    let label = d.label.trim();
    if label.is_empty() {
        return Err(problem("label", "Write the question."));
    }
    let options = read_choices(&d.options, "options")?;
    if options.len() < 2 {
        return Err(problem("options", "Offer at least two answers."));
    }
    let eligible = read_values(&d.eligible, &options, "eligible")?;
    if eligible.is_empty() {
        return Err(problem("eligible", "Say which answers allow applying."));
    }
    let message = d.ineligible_message.trim();
    if message.is_empty() {
        return Err(problem(
            "ineligible_message",
            "Write what someone whose answer does not allow applying is told.",
        ));
    }
    let mut taken = keys(form);
    if let Some(k) = original {
        taken.remove(k);
    }
    let key = match (d.key.trim(), original) {
        ("", Some(o)) => o.to_owned(),
        ("", None) => key_from(label, &taken),
        (k, _) => k.to_owned(),
    };
    if taken.contains(&key) {
        return Err(problem(
            "key",
            format!("The key “{key}” is already used in this form; choose another."),
        ));
    }
    let q = EligibilityQuestion {
        key,
        label: label.to_owned(),
        help: optional(&d.help),
        options,
        eligible,
        ineligible_message: message.to_owned(),
    };
    let summary = match original {
        Some(o) => {
            let at = f
                .eligibility
                .iter()
                .position(|e| e.key == o)
                .ok_or_else(|| problem("form", GONE))?;
            f.eligibility[at] = q;
            format!("Changed eligibility question “{label}”")
        }
        None => {
            f.eligibility.push(q);
            format!("Added eligibility question “{label}”")
        }
    };
    f.check()
        .map_err(|e| problem(field_of(&e), e.to_string()))?;
    Ok((f, summary))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> FormDefinition {
        FormDefinition::parse(
            r#"{"sections": [{"key": "about", "title": "About", "questions": [
                {"key": "project", "label": "Do you have a project?", "type": "yes_no", "required": true},
                {"key": "name", "label": "Name", "type": "short_text"},
                {"key": "area", "label": "Area", "type": "single_choice", "options": [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}]}
            ]}]}"#,
        )
        .unwrap()
    }

    fn essay() -> QuestionDraft {
        QuestionDraft {
            kind: "long_text".into(),
            label: "Describe your project".into(),
            max_words: "300".into(),
            required: true,
            show_if_question: "project".into(),
            show_if_values: "Yes".into(),
            ..QuestionDraft::default()
        }
    }

    fn save(
        f: &FormDefinition,
        d: QuestionDraft,
        original: Option<&str>,
    ) -> Result<(FormDefinition, String), Problems> {
        Edit::SaveQuestion {
            section: "about".into(),
            original: original.map(str::to_owned),
            draft: d,
        }
        .apply(f, &HashSet::new())
    }

    #[test]
    fn a_conditional_essay_with_a_word_limit_is_added_with_a_key_from_its_label() {
        let (f, summary) = save(&form(), essay(), None).unwrap();
        let q = f.question("describe_your_project").unwrap();
        assert_eq!(
            q.kind,
            QuestionKind::LongText {
                max_words: Some(300),
                max_chars: None
            }
        );
        assert_eq!(q.show_if.as_ref().unwrap().any_of, vec!["yes".to_owned()]);
        assert_eq!(summary, "Added question “Describe your project” to “About”");
    }

    #[test]
    fn bad_input_is_refused_against_its_field() {
        let field = |r: Result<(FormDefinition, String), Problems>| r.unwrap_err()[0].0.clone();
        let f = form();
        assert_eq!(
            field(save(
                &f,
                QuestionDraft {
                    max_words: "0".into(),
                    ..essay()
                },
                None
            )),
            "max_words"
        );
        assert_eq!(
            field(save(
                &f,
                QuestionDraft {
                    show_if_question: "area".into(),
                    show_if_values: "c".into(),
                    ..essay()
                },
                None
            )),
            "show_if_values"
        );
        assert_eq!(
            field(save(
                &f,
                QuestionDraft {
                    kind: "single_choice".into(),
                    choices: "Yes\nNo\nyes".into(),
                    ..essay()
                },
                None
            )),
            "choices"
        );
        assert_eq!(
            field(save(
                &f,
                QuestionDraft {
                    kind: "document".into(),
                    accepted: vec!["pdf".into()],
                    max_mb: "50".into(),
                    ..essay()
                },
                None
            )),
            "max_mb"
        );
        assert_eq!(
            field(save(
                &f,
                QuestionDraft {
                    label: " ".into(),
                    ..essay()
                },
                None
            )),
            "label"
        );
        // A condition on a later question: "project" made to depend on "area".
        let d = QuestionDraft {
            show_if_question: "area".into(),
            show_if_values: "A".into(),
            ..QuestionDraft::of(f.question("project").unwrap())
        };
        let problems = save(&f, d, Some("project")).unwrap_err();
        assert_eq!(problems[0].0, "show_if_question");
        assert!(
            problems[0].1.contains("not an earlier question"),
            "{}",
            problems[0].1
        );
    }

    #[test]
    fn a_loop_of_conditions_is_named() {
        let mut f = form();
        f.sections[0].questions[0].show_if = Some(Condition {
            question: "area".into(),
            any_of: vec!["a".into()],
        });
        f.sections[0].questions[2].show_if = Some(Condition {
            question: "project".into(),
            any_of: vec!["yes".into()],
        });
        assert!(matches!(f.check(), Err(FormError::ConditionLoop(_))));
    }

    #[test]
    fn a_question_others_depend_on_keeps_answers_to_choose_from() {
        let (f, _) = save(&form(), essay(), None).unwrap();
        let d = QuestionDraft {
            kind: "short_text".into(),
            ..QuestionDraft::of(f.question("project").unwrap())
        };
        let problems = save(&f, d, Some("project")).unwrap_err();
        assert!(
            problems[0].1.contains("offers no answers to choose from"),
            "{}",
            problems[0].1
        );
    }

    #[test]
    fn removing_a_question_another_depends_on_is_refused() {
        let (f, _) = save(&form(), essay(), None).unwrap();
        let problems = Edit::RemoveQuestion {
            key: "project".into(),
        }
        .apply(&f, &HashSet::new())
        .unwrap_err();
        assert!(
            problems[0].1.contains("not a question of this form"),
            "{}",
            problems[0].1
        );
    }

    #[test]
    fn a_key_with_answers_cannot_change() {
        let f = form();
        let d = QuestionDraft {
            key: "full_name".into(),
            ..QuestionDraft::of(f.question("name").unwrap())
        };
        let fixed: HashSet<String> = ["name".to_owned()].into();
        let r = Edit::SaveQuestion {
            section: "about".into(),
            original: Some("name".into()),
            draft: d.clone(),
        }
        .apply(&f, &fixed);
        assert_eq!(r.unwrap_err()[0].0, "key");
        let (renamed, _) = save(&f, d, Some("name")).unwrap();
        assert!(renamed.question("full_name").is_some());
    }

    #[test]
    fn moving_reorders_and_stops_at_the_ends() {
        let f = form();
        let (moved, _) = Edit::MoveQuestion {
            key: "area".into(),
            to: Direction::Up,
        }
        .apply(&f, &HashSet::new())
        .unwrap();
        let keys: Vec<&str> = moved.questions().map(|q| q.key.as_str()).collect();
        assert_eq!(keys, ["project", "area", "name"]);
        assert!(Edit::MoveQuestion {
            key: "project".into(),
            to: Direction::Up
        }
        .apply(&f, &HashSet::new())
        .is_err());
    }

    #[test]
    fn keys_come_from_labels_and_stay_unique() {
        let taken: HashSet<String> = ["your_name".to_owned()].into();
        assert_eq!(key_from("Your name?", &taken), "your_name_2");
        assert_eq!(key_from("2027 plans", &HashSet::new()), "q_2027_plans");
        assert_eq!(key_from("¿Qué?", &HashSet::new()), "qu");
    }
}
