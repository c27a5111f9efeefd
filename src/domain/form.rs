//! Application forms as data: eligibility questions answered first, then
//! sections of questions of many types, with required flags, help text,
//! show-if conditions and the flags reviewers' pages obey.
//!
//! A form is stored per cycle as JSON (seeded from `forms/*.json`). This
//! module parses it, checks it is coherent, and judges answers.

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};

/// A whole application form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormDefinition {
    /// Answered before the form; a disqualifying answer stops the applicant.
    #[serde(default)]
    pub eligibility: Vec<EligibilityQuestion>,
    pub sections: Vec<Section>,
}

/// A question that decides whether someone may apply at all.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EligibilityQuestion {
    pub key: String,
    pub label: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    pub options: Vec<Choice>,
    /// The option values that allow applying.
    pub eligible: Vec<String>,
    /// Shown, in plain words, to someone whose answer is not eligible.
    pub ineligible_message: String,
}

/// A titled group of questions, shown as one part of the form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Section {
    pub key: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intro: Option<String>,
    pub questions: Vec<Question>,
}

/// One question. (Unknown keys are refused by [`FormDefinition::parse`]:
/// serde cannot deny them through the flattened kind.)
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Question {
    pub key: String,
    pub label: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    #[serde(default)]
    pub required: bool,
    /// Reviewers see the answer (demographic and contact details are not).
    #[serde(default)]
    pub shown_to_reviewers: bool,
    /// Hidden from reviewers of a blind cycle (names, emails, institutions).
    #[serde(default)]
    pub identifying: bool,
    /// Asked only when another answer has a given value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub show_if: Option<Condition>,
    /// A profile field that pre-fills this answer in a new application.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    #[serde(flatten)]
    pub kind: QuestionKind,
}

/// What kind of answer a question takes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum QuestionKind {
    /// One line; at most `max_chars` characters and, if given, `max_words`
    /// words.
    ShortText {
        #[serde(default = "default_max_chars")]
        max_chars: usize,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_words: Option<usize>,
    },
    /// Paragraphs; a word limit, a character limit, or both.
    LongText {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_words: Option<usize>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_chars: Option<usize>,
    },
    Email,
    /// A telephone number, as people write them (digits, spaces, `+`, `-`,
    /// brackets and dots).
    Phone,
    Url,
    Date,
    Number {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        min: Option<f64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max: Option<f64>,
        #[serde(default)]
        integer: bool,
    },
    SingleChoice {
        options: Vec<Choice>,
    },
    MultipleChoice {
        options: Vec<Choice>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        min: Option<usize>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max: Option<usize>,
    },
    YesNo,
    Document {
        accepted: Vec<DocumentType>,
        max_mb: u64,
    },
    Referees {
        min: usize,
        max: usize,
    },
    /// A statement the applicant ticks (the label is the statement); when
    /// required, it must be ticked. Stored as `"yes"` when ticked.
    Consent,
}

/// The largest file a question may accept, in MiB: the portal's own upload
/// limit (`file` in `Rocket.toml`'s limits).
pub const MAX_DOCUMENT_MB: u64 = 20;

impl QuestionKind {
    /// The name of the type as stored (`type` in the JSON).
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::ShortText { .. } => "short_text",
            Self::LongText { .. } => "long_text",
            Self::Email => "email",
            Self::Phone => "phone",
            Self::Url => "url",
            Self::Date => "date",
            Self::Number { .. } => "number",
            Self::SingleChoice { .. } => "single_choice",
            Self::MultipleChoice { .. } => "multiple_choice",
            Self::YesNo => "yes_no",
            Self::Document { .. } => "document",
            Self::Referees { .. } => "referees",
            Self::Consent => "consent",
        }
    }

    /// The options a choice question offers (empty for other types).
    pub fn options(&self) -> &[Choice] {
        match self {
            Self::SingleChoice { options } | Self::MultipleChoice { options, .. } => options,
            _ => &[],
        }
    }
}

fn default_max_chars() -> usize {
    200
}

/// One option of a choice question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    pub value: String,
    pub label: String,
}

/// A condition on another answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    /// The key of the question it depends on (asked earlier in the form).
    pub question: String,
    /// The answer values that make this question appear.
    pub any_of: Vec<String>,
}

/// Document formats recognised by their content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DocumentType {
    Pdf,
    Docx,
    Png,
    Jpeg,
}

impl DocumentType {
    /// The MIME type served with it.
    pub fn mime(self) -> &'static str {
        match self {
            Self::Pdf => "application/pdf",
            Self::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            Self::Png => "image/png",
            Self::Jpeg => "image/jpeg",
        }
    }

    /// The usual file extension.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Pdf => "pdf",
            Self::Docx => "docx",
            Self::Png => "png",
            Self::Jpeg => "jpg",
        }
    }

    /// The name shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Self::Pdf => "PDF",
            Self::Docx => "Word (.docx)",
            Self::Png => "PNG image",
            Self::Jpeg => "JPEG image",
        }
    }

    /// Reads the stored name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "pdf" => Some(Self::Pdf),
            "docx" => Some(Self::Docx),
            "png" => Some(Self::Png),
            "jpeg" => Some(Self::Jpeg),
            _ => None,
        }
    }

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pdf => "pdf",
            Self::Docx => "docx",
            Self::Png => "png",
            Self::Jpeg => "jpeg",
        }
    }
}

/// Why a form definition is not usable, in words a program manager reads.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormError {
    #[error("This is not a form in the portal's format: {0}")]
    Syntax(String),
    #[error("The key “{0}” is used twice; every question and section needs a key of its own.")]
    DuplicateKey(String),
    #[error("The key “{0}” must be lower-case letters, digits and underscores.")]
    BadKey(String),
    #[error("Question “{question}” depends on “{on}”, which is not an earlier question: a question can only be shown depending on one asked before it.")]
    BadCondition { question: String, on: String },
    #[error("Question “{question}” depends on “{on}”, which is not a question of this form (was it removed?).")]
    UnknownCondition { question: String, on: String },
    #[error("Question “{0}” depends on itself through its conditions (a loop); remove one of the conditions.")]
    ConditionLoop(String),
    #[error("Question “{question}” is shown for “{value}”, which is not an answer “{on}” offers.")]
    BadConditionValue {
        question: String,
        on: String,
        value: String,
    },
    #[error("Question “{question}” depends on “{on}”, which offers no answers to choose from: a question can only depend on a choice, yes/no or consent question.")]
    ConditionOnText { question: String, on: String },
    #[error("Question “{0}” has no options.")]
    NoOptions(String),
    #[error("Question “{question}” offers “{value}” twice; each choice must be different.")]
    DuplicateChoice { question: String, value: String },
    #[error("Question “{0}” has limits that cannot be met.")]
    BadLimits(String),
    #[error("Question “{0}” has a limit of 0; a limit must be at least 1.")]
    ZeroLimit(String),
    #[error(
        "Question “{question}” accepts files up to {max_mb} MiB; the portal's maximum is {} MiB.",
        MAX_DOCUMENT_MB
    )]
    TooLarge { question: String, max_mb: u64 },
    #[error("Eligibility question “{0}” names an eligible answer that is not one of its options.")]
    BadEligible(String),
}

impl FormDefinition {
    /// Parses and checks a form.
    pub fn parse(json: &str) -> Result<Self, FormError> {
        let value: serde_json::Value =
            serde_json::from_str(json).map_err(|e| FormError::Syntax(e.to_string()))?;
        check_question_keys(&value)?;
        let form: Self =
            serde_json::from_value(value).map_err(|e| FormError::Syntax(e.to_string()))?;
        form.check()?;
        Ok(form)
    }

    /// Checks keys, conditions, options and limits.
    pub fn check(&self) -> Result<(), FormError> {
        let mut seen = HashSet::new();
        let mut key = |k: &str| -> Result<(), FormError> {
            let ok = !k.is_empty()
                && k.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            if !ok {
                return Err(FormError::BadKey(k.to_owned()));
            }
            if !seen.insert(k.to_owned()) {
                return Err(FormError::DuplicateKey(k.to_owned()));
            }
            Ok(())
        };
        for q in &self.eligibility {
            key(&q.key)?;
            if q.options.is_empty() {
                return Err(FormError::NoOptions(q.key.clone()));
            }
            distinct_choices(&q.key, &q.options)?;
            if q.eligible.is_empty()
                || !q
                    .eligible
                    .iter()
                    .all(|e| q.options.iter().any(|o| &o.value == e))
            {
                return Err(FormError::BadEligible(q.key.clone()));
            }
        }
        let all: HashSet<&str> = self.questions().map(|q| q.key.as_str()).collect();
        let mut earlier: HashSet<&str> = HashSet::new();
        for s in &self.sections {
            key(&s.key)?;
            for q in &s.questions {
                key(&q.key)?;
                if let Some(c) = &q.show_if {
                    self.check_condition(q, c, &earlier, &all)?;
                }
                check_kind(q)?;
                earlier.insert(&q.key);
            }
        }
        Ok(())
    }

    fn check_condition(
        &self,
        q: &Question,
        c: &Condition,
        earlier: &HashSet<&str>,
        all: &HashSet<&str>,
    ) -> Result<(), FormError> {
        // A loop: following the conditions from `q` comes back to `q`.
        let mut on = Some(c.question.as_str());
        let mut steps = 0;
        while let Some(k) = on {
            if k == q.key {
                return Err(FormError::ConditionLoop(q.key.clone()));
            }
            steps += 1;
            if steps > 64 {
                break;
            }
            on = self
                .question(k)
                .and_then(|p| p.show_if.as_ref())
                .map(|c| c.question.as_str());
        }
        if !earlier.contains(c.question.as_str()) {
            return Err(if all.contains(c.question.as_str()) {
                FormError::BadCondition {
                    question: q.key.clone(),
                    on: c.question.clone(),
                }
            } else {
                FormError::UnknownCondition {
                    question: q.key.clone(),
                    on: c.question.clone(),
                }
            });
        }
        let parent = self.question(&c.question);
        let offered: Option<Vec<&str>> = parent.and_then(|p| match &p.kind {
            QuestionKind::SingleChoice { options }
            | QuestionKind::MultipleChoice { options, .. } => {
                Some(options.iter().map(|o| o.value.as_str()).collect())
            }
            QuestionKind::YesNo => Some(vec!["yes", "no"]),
            QuestionKind::Consent => Some(vec!["yes"]),
            _ => None,
        });
        // A condition on a text answer (allowed in files, never made by the
        // builder) is left to match the text.
        let Some(offered) = offered else {
            return Ok(());
        };
        if let Some(v) = c.any_of.iter().find(|v| !offered.contains(&v.as_str())) {
            return Err(FormError::BadConditionValue {
                question: q.key.clone(),
                on: c.question.clone(),
                value: v.clone(),
            });
        }
        Ok(())
    }

    /// Every question, in order.
    pub fn questions(&self) -> impl Iterator<Item = &Question> {
        self.sections.iter().flat_map(|s| s.questions.iter())
    }

    /// The question with this key.
    pub fn question(&self, key: &str) -> Option<&Question> {
        self.questions().find(|q| q.key == key)
    }

    /// Whether `q` is asked, given the other answers (its condition, and
    /// that of the question it depends on, hold).
    pub fn is_shown(&self, q: &Question, answers: &Answers) -> bool {
        let mut current = q;
        let mut depth = 0;
        while let Some(c) = &current.show_if {
            let holds = match answers.get(&c.question) {
                Some(Answer::One(v)) => c.any_of.iter().any(|a| a == v),
                Some(Answer::Many(vs)) => vs.iter().any(|v| c.any_of.contains(v)),
                None => false,
            };
            if !holds {
                return false;
            }
            match self.question(&c.question) {
                Some(parent) if depth < 16 => {
                    current = parent;
                    depth += 1;
                }
                _ => break,
            }
        }
        true
    }

    /// Judges eligibility answers: `Err(messages)` for every disqualifying
    /// answer; `Ok` when all are eligible. Unanswered questions are listed in
    /// `missing`.
    pub fn judge_eligibility(&self, answers: &BTreeMap<String, String>) -> Eligibility {
        let mut missing = Vec::new();
        let mut reasons = Vec::new();
        for q in &self.eligibility {
            match answers.get(&q.key) {
                None => missing.push(q.key.clone()),
                Some(a) if !q.options.iter().any(|o| &o.value == a) => missing.push(q.key.clone()),
                Some(a) if !q.eligible.contains(a) => reasons.push(q.ineligible_message.clone()),
                Some(_) => {}
            }
        }
        if !missing.is_empty() {
            Eligibility::Incomplete(missing)
        } else if !reasons.is_empty() {
            Eligibility::Ineligible(reasons)
        } else {
            Eligibility::Eligible
        }
    }
}

/// The questions of `keys` (answered, or with a document attached) that
/// `shown` does not have (removed in a later version, or added in one the
/// answers were not given under), each as the newest of `versions` that had
/// it: "retired questions". In the order of `keys`, once each.
pub fn retired_questions<'a, 'k>(
    shown: &FormDefinition,
    versions: impl IntoIterator<Item = &'a FormDefinition> + Clone,
    keys: impl IntoIterator<Item = &'k str>,
) -> Vec<Question> {
    let mut out: Vec<Question> = Vec::new();
    for k in keys {
        if shown.question(k).is_some() || out.iter().any(|q| q.key == k) {
            continue;
        }
        if let Some(q) = versions.clone().into_iter().find_map(|f| f.question(k)) {
            out.push(q.clone());
        }
    }
    out
}

/// Refuses a choice list that offers a value or a label twice.
fn distinct_choices(key: &str, options: &[Choice]) -> Result<(), FormError> {
    let mut values = HashSet::new();
    let mut labels = HashSet::new();
    for o in options {
        if !values.insert(o.value.as_str()) {
            return Err(FormError::DuplicateChoice {
                question: key.to_owned(),
                value: o.value.clone(),
            });
        }
        if !labels.insert(o.label.trim().to_lowercase()) {
            return Err(FormError::DuplicateChoice {
                question: key.to_owned(),
                value: o.label.clone(),
            });
        }
    }
    Ok(())
}

/// Checks what a question of its type needs: options, limits that can be
/// met, a file size within the portal's maximum.
fn check_kind(q: &Question) -> Result<(), FormError> {
    let zero = || Err(FormError::ZeroLimit(q.key.clone()));
    match &q.kind {
        QuestionKind::SingleChoice { options } => {
            if options.is_empty() {
                return Err(FormError::NoOptions(q.key.clone()));
            }
            distinct_choices(&q.key, options)?;
        }
        QuestionKind::MultipleChoice { options, min, max } => {
            if options.is_empty() {
                return Err(FormError::NoOptions(q.key.clone()));
            }
            distinct_choices(&q.key, options)?;
            if *max == Some(0) {
                return zero();
            }
            let lo = min.unwrap_or(0);
            let hi = max.unwrap_or(options.len());
            if lo > hi || lo > options.len() {
                return Err(FormError::BadLimits(q.key.clone()));
            }
        }
        QuestionKind::Referees { min, max } => {
            if *max == 0 {
                return zero();
            }
            if min > max {
                return Err(FormError::BadLimits(q.key.clone()));
            }
        }
        QuestionKind::Document { accepted, max_mb } => {
            if *max_mb == 0 {
                return zero();
            }
            if accepted.is_empty() {
                return Err(FormError::BadLimits(q.key.clone()));
            }
            if *max_mb > MAX_DOCUMENT_MB {
                return Err(FormError::TooLarge {
                    question: q.key.clone(),
                    max_mb: *max_mb,
                });
            }
        }
        QuestionKind::ShortText {
            max_chars,
            max_words,
        } if *max_chars == 0 || *max_words == Some(0) => return zero(),
        QuestionKind::LongText {
            max_words,
            max_chars,
        } if *max_chars == Some(0) || *max_words == Some(0) => return zero(),
        QuestionKind::Number {
            min: Some(lo),
            max: Some(hi),
            ..
        } if lo > hi => return Err(FormError::BadLimits(q.key.clone())),
        _ => {}
    }
    Ok(())
}

/// Refuses keys a question of its type does not have (a typo such as
/// `"requried"` must not silently make a question optional).
fn check_question_keys(form: &serde_json::Value) -> Result<(), FormError> {
    const COMMON: [&str; 10] = [
        "key",
        "label",
        "help",
        "required",
        "shown_to_reviewers",
        "identifying",
        "show_if",
        "profile",
        "type",
        "options",
    ];
    let sections = form
        .get("sections")
        .and_then(|s| s.as_array())
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    for q in sections
        .iter()
        .filter_map(|s| s.get("questions")?.as_array())
        .flatten()
    {
        let Some(obj) = q.as_object() else { continue };
        let kind = obj.get("type").and_then(|t| t.as_str()).unwrap_or("");
        let own: &[&str] = match kind {
            "short_text" | "long_text" => &["max_chars", "max_words"],
            "number" => &["min", "max", "integer"],
            "multiple_choice" => &["min", "max"],
            "document" => &["accepted", "max_mb"],
            "referees" => &["min", "max"],
            _ => &[],
        };
        let takes_options = matches!(kind, "single_choice" | "multiple_choice");
        for k in obj.keys() {
            let known = (COMMON.contains(&k.as_str()) && (k != "options" || takes_options))
                || own.contains(&k.as_str());
            if !known {
                let key = obj.get("key").and_then(|v| v.as_str()).unwrap_or("?");
                return Err(FormError::Syntax(format!(
                    "question {key:?} has an unknown field `{k}`"
                )));
            }
        }
    }
    Ok(())
}

/// The outcome of the eligibility questions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Eligibility {
    Eligible,
    /// These questions have no valid answer.
    Incomplete(Vec<String>),
    /// The plain messages for each disqualifying answer.
    Ineligible(Vec<String>),
}

/// A stored answer: one value, or several for a multiple choice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Answer {
    One(String),
    Many(Vec<String>),
}

/// An application's answers by question key (documents and referees are
/// kept apart, in their own tables).
pub type Answers = BTreeMap<String, Answer>;

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn sample() -> FormDefinition {
        FormDefinition::parse(
            r#"{
              "eligibility": [{"key": "enrolled", "label": "Are you enrolled?", "options": [{"value": "yes", "label": "Yes"}, {"value": "no", "label": "No"}], "eligible": ["yes"], "ineligible_message": "You must be enrolled."}],
              "sections": [{"key": "about", "title": "About you", "questions": [
                {"key": "name", "label": "Name", "type": "short_text", "required": true, "identifying": true},
                {"key": "discipline", "label": "Discipline", "type": "single_choice", "required": true, "options": [{"value": "medicine", "label": "Medicine"}, {"value": "other", "label": "Other"}]},
                {"key": "discipline_other", "label": "Which?", "type": "short_text", "required": true, "show_if": {"question": "discipline", "any_of": ["other"]}},
                {"key": "detail", "label": "More", "type": "short_text", "show_if": {"question": "discipline_other", "any_of": ["x"]}},
                {"key": "essay", "label": "Essay", "type": "long_text", "max_words": 5, "required": true},
                {"key": "cv", "label": "CV", "type": "document", "accepted": ["pdf", "docx"], "max_mb": 5, "required": true},
                {"key": "refs", "label": "Referees", "type": "referees", "min": 2, "max": 3}
              ]}]
            }"#,
        )
        .unwrap()
    }

    #[test]
    fn a_coherent_form_parses() {
        let f = sample();
        assert_eq!(f.questions().count(), 7);
        assert!(matches!(
            f.question("essay").unwrap().kind,
            QuestionKind::LongText {
                max_words: Some(5),
                max_chars: None
            }
        ));
    }

    #[test]
    fn incoherent_forms_are_refused_with_the_reason() {
        let bad = |json: &str| FormDefinition::parse(json).unwrap_err();
        assert!(matches!(bad("{"), FormError::Syntax(_)));
        assert!(matches!(
            bad(r#"{"sections": [], "extra": 1}"#),
            FormError::Syntax(_)
        ));
        let dup = r#"{"sections": [{"key": "a", "title": "A", "questions": [{"key": "q", "label": "Q", "type": "email"}, {"key": "q", "label": "Q", "type": "url"}]}]}"#;
        assert_eq!(bad(dup), FormError::DuplicateKey("q".into()));
        let cond = r#"{"sections": [{"key": "a", "title": "A", "questions": [{"key": "q", "label": "Q", "type": "email", "show_if": {"question": "later", "any_of": ["x"]}}, {"key": "later", "label": "L", "type": "yes_no"}]}]}"#;
        assert!(matches!(bad(cond), FormError::BadCondition { .. }));
        let limits = r#"{"sections": [{"key": "a", "title": "A", "questions": [{"key": "r", "label": "R", "type": "referees", "min": 3, "max": 2}]}]}"#;
        assert_eq!(bad(limits), FormError::BadLimits("r".into()));
        let key = r#"{"sections": [{"key": "A b", "title": "A", "questions": []}]}"#;
        assert_eq!(bad(key), FormError::BadKey("A b".into()));
        let kind = r#"{"sections": [{"key": "a", "title": "A", "questions": [{"key": "q", "label": "Q", "type": "telepathy"}]}]}"#;
        assert!(matches!(bad(kind), FormError::Syntax(_)));
        let typo = r#"{"sections": [{"key": "a", "title": "A", "questions": [{"key": "q", "label": "Q", "type": "email", "requried": true}]}]}"#;
        assert_eq!(
            bad(typo),
            FormError::Syntax("question \"q\" has an unknown field `requried`".into())
        );
        let foreign = r#"{"sections": [{"key": "a", "title": "A", "questions": [{"key": "q", "label": "Q", "type": "email", "max_words": 5}]}]}"#;
        assert!(matches!(bad(foreign), FormError::Syntax(_)));
    }

    #[test]
    fn conditions_follow_their_chain() {
        let f = sample();
        let q = f.question("discipline_other").unwrap();
        let detail = f.question("detail").unwrap();
        let mut a = Answers::new();
        assert!(!f.is_shown(q, &a));
        a.insert("discipline".into(), Answer::One("other".into()));
        assert!(f.is_shown(q, &a));
        a.insert("discipline_other".into(), Answer::One("x".into()));
        assert!(f.is_shown(detail, &a));
        a.insert("discipline".into(), Answer::One("medicine".into()));
        assert!(!f.is_shown(q, &a));
        assert!(!f.is_shown(detail, &a), "hidden when its parent is hidden");
    }

    #[test]
    fn eligibility_is_judged_in_plain_words() {
        let f = sample();
        let mut a = BTreeMap::new();
        assert_eq!(
            f.judge_eligibility(&a),
            Eligibility::Incomplete(vec!["enrolled".into()])
        );
        a.insert("enrolled".into(), "maybe".into());
        assert_eq!(
            f.judge_eligibility(&a),
            Eligibility::Incomplete(vec!["enrolled".into()])
        );
        a.insert("enrolled".into(), "no".into());
        assert_eq!(
            f.judge_eligibility(&a),
            Eligibility::Ineligible(vec!["You must be enrolled.".into()])
        );
        a.insert("enrolled".into(), "yes".into());
        assert_eq!(f.judge_eligibility(&a), Eligibility::Eligible);
    }

    mod fuzz {
        //! The parser on what a cycle's form could hold: any text, any JSON,
        //! and the shipped forms with parts removed, copied or replaced.

        use super::*;
        use proptest::prelude::*;
        use serde_json::{json, Value};

        pub(crate) const REAL: [&str; 3] = [
            include_str!("../../forms/health-justice.json"),
            include_str!("../../forms/summer-internship.json"),
            include_str!("../../forms/voices-for-change.json"),
        ];

        /// The words of a form, so that arbitrary JSON often looks like one.
        const WORDS: &[&str] = &[
            "sections",
            "eligibility",
            "questions",
            "key",
            "label",
            "title",
            "intro",
            "help",
            "type",
            "options",
            "value",
            "required",
            "show_if",
            "question",
            "any_of",
            "min",
            "max",
            "max_chars",
            "max_words",
            "integer",
            "accepted",
            "max_mb",
            "eligible",
            "ineligible_message",
            "profile",
            "identifying",
            "shown_to_reviewers",
            "short_text",
            "long_text",
            "email",
            "url",
            "date",
            "number",
            "single_choice",
            "multiple_choice",
            "yes_no",
            "document",
            "referees",
            "phone",
            "consent",
            "pdf",
            "docx",
            "png",
            "jpeg",
            "name",
            "a",
            "",
        ];

        fn scalar() -> impl Strategy<Value = Value> {
            prop_oneof![
                Just(Value::Null),
                any::<bool>().prop_map(Value::Bool),
                any::<i64>().prop_map(Value::from),
                any::<u64>().prop_map(Value::from),
                any::<f64>().prop_map(Value::from),
                prop::sample::select(vec![
                    json!(0),
                    json!(1),
                    json!(-1),
                    json!(u64::MAX),
                    json!(1e308),
                    json!(-1e308),
                    json!(0.5)
                ]),
                prop::sample::select(WORDS).prop_map(Value::from),
                any::<String>().prop_map(Value::from),
            ]
        }

        fn value() -> impl Strategy<Value = Value> {
            scalar().prop_recursive(5, 64, 6, |inner| {
                prop_oneof![
                    prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                    prop::collection::vec((prop::sample::select(WORDS), inner), 0..6).prop_map(
                        |kv| Value::Object(
                            kv.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
                        )
                    ),
                ]
            })
        }

        /// One change at one node of a form's JSON.
        #[derive(Debug, Clone)]
        enum Mutation {
            Replace(Value),
            RemoveChild(usize),
            CopyChild(usize),
            Insert(&'static str, Value),
        }

        fn mutation() -> impl Strategy<Value = (usize, Mutation)> {
            (
                any::<usize>(),
                prop_oneof![
                    2 => value().prop_map(Mutation::Replace),
                    2 => any::<usize>().prop_map(Mutation::RemoveChild),
                    1 => any::<usize>().prop_map(Mutation::CopyChild),
                    1 => (prop::sample::select(WORDS), value()).prop_map(|(k, v)| Mutation::Insert(k, v)),
                ],
            )
        }

        fn nodes(v: &Value) -> usize {
            1 + match v {
                Value::Array(a) => a.iter().map(nodes).sum(),
                Value::Object(o) => o.values().map(nodes).sum(),
                _ => 0,
            }
        }

        /// Applies `m` at the `target`-th node in document order.
        fn apply(v: &mut Value, target: &mut usize, m: &Mutation) -> bool {
            if *target == 0 {
                match (m, &mut *v) {
                    (Mutation::Replace(x), v) => *v = x.clone(),
                    (Mutation::RemoveChild(i), Value::Array(a)) if !a.is_empty() => {
                        a.remove(i % a.len());
                    }
                    (Mutation::RemoveChild(i), Value::Object(o)) if !o.is_empty() => {
                        let k = o.keys().nth(i % o.len()).cloned().unwrap();
                        o.remove(&k);
                    }
                    (Mutation::CopyChild(i), Value::Array(a)) if !a.is_empty() => {
                        let copy = a[i % a.len()].clone();
                        a.push(copy);
                    }
                    (Mutation::Insert(k, x), Value::Object(o)) => {
                        o.insert((*k).to_owned(), x.clone());
                    }
                    (Mutation::Insert(_, x), Value::Array(a)) => a.push(x.clone()),
                    _ => {}
                }
                return true;
            }
            *target -= 1;
            match v {
                Value::Array(a) => a.iter_mut().any(|c| apply(c, target, m)),
                Value::Object(o) => o.values_mut().any(|c| apply(c, target, m)),
                _ => false,
            }
        }

        /// What every parse must keep to: a form, or a reason in words; and a
        /// form that parses is one that parses again as stored.
        fn assert_parses_or_says_why(json: &str) {
            match FormDefinition::parse(json) {
                Ok(form) => {
                    assert_eq!(form.check(), Ok(()));
                    let stored = serde_json::to_string(&form).unwrap();
                    let again =
                        FormDefinition::parse(&stored).unwrap_or_else(|e| panic!("{e}: {stored}"));
                    let keys = |f: &FormDefinition| {
                        f.questions().map(|q| q.key.clone()).collect::<Vec<_>>()
                    };
                    assert_eq!(keys(&again), keys(&form));
                    assert_eq!(again.eligibility.len(), form.eligibility.len());
                }
                Err(e) => assert!(!e.to_string().is_empty()),
            }
        }

        proptest! {
            #[test]
            fn fuzz_form_definition_parser_never_panics_on_text(
                text in prop_oneof![
                    any::<String>(),
                    prop::collection::vec(
                        prop_oneof![
                            prop::sample::select(WORDS).prop_map(|w| format!("\"{w}\"")),
                            prop::sample::select(&["{", "}", "[", "]", ":", ",", "0", "-1", "1e999", "true", "null", "\"", "\\u0000", " "][..]).prop_map(str::to_owned),
                        ],
                        0..80,
                    ).prop_map(|t| t.concat()),
                ],
            ) {
                assert_parses_or_says_why(&text);
            }

            #[test]
            fn fuzz_form_definition_parser_never_panics_on_json(v in value()) {
                assert_parses_or_says_why(&v.to_string());
                assert_parses_or_says_why(&json!({ "sections": [v] }).to_string());
            }

            #[test]
            fn fuzz_form_definition_parser_never_panics_on_changed_real_forms(
                which in 0..REAL.len(),
                mutations in prop::collection::vec(mutation(), 1..4),
                cut in any::<prop::sample::Index>(),
            ) {
                let mut form: Value = serde_json::from_str(REAL[which]).unwrap();
                for (at, m) in &mutations {
                    let mut target = at % nodes(&form);
                    apply(&mut form, &mut target, m);
                }
                let text = form.to_string();
                assert_parses_or_says_why(&text);
                // And cut short anywhere, as a half-written file would be.
                let mut end = cut.index(text.len() + 1);
                while !text.is_char_boundary(end) {
                    end -= 1;
                }
                assert_parses_or_says_why(&text[..end]);
            }
        }

        #[test]
        fn the_shipped_forms_parse() {
            for f in REAL {
                assert_parses_or_says_why(f);
                assert!(FormDefinition::parse(f).is_ok());
            }
        }
    }
}
