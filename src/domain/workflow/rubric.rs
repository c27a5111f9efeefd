//! A cycle's review rubric, and the reading of one reviewer's scores.
//!
//! A rubric is stored per cycle as JSON (seeded from `rubrics/*.json`);
//! [`Rubric::parse`] reads it and checks every rule, with messages for the
//! program manager who edits it. [`read_scores`] turns a review form's raw
//! values into [`Scores`], with messages for the reviewer. Figures built
//! from scores live in `scoring`.
//!
//! Pure rules over plain data: imports no rocket, sqlx, aws or lettre.

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::ops::RangeInclusive;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The most criteria a rubric may have.
pub const MAX_CRITERIA: usize = 20;
/// The longest a criterion key may be, in characters.
pub const MAX_KEY_CHARS: usize = 40;
/// The longest a criterion label may be, in characters.
pub const MAX_LABEL_CHARS: usize = 120;
/// The most a scale may span (highest minus lowest score).
pub const MAX_SCALE_SPAN: i32 = 10;
/// The largest weight a criterion may carry.
pub const MAX_WEIGHT: f64 = 100.0;
/// The longest a label for an end of a scale may be, in characters.
pub const MAX_END_LABEL_CHARS: usize = 60;

/// The criteria reviewers score, in the order the review form shows them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rubric {
    /// The criteria, in order.
    pub criteria: Vec<Criterion>,
    /// How the overall recommendation is put to reviewers; `None` for the
    /// default question and labels (see [`Rubric::recommendation_label`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recommendation: Option<RecommendationText>,
}

/// The longest the recommendation's question may be, in characters.
pub const MAX_QUESTION_CHARS: usize = 200;
/// The longest a recommendation level's label may be, in characters.
pub const MAX_RECOMMENDATION_LABEL_CHARS: usize = 60;
/// The question reviewers are asked when a rubric names none.
pub const DEFAULT_QUESTION: &str = "Your recommendation";

/// The words of a rubric's overall recommendation: the question and a
/// label for each of the four levels. The stored value of a review stays
/// the level's key, so figures and exports do not depend on the words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecommendationText {
    /// The question reviewers answer (the legend of the choices).
    #[serde(default = "default_question")]
    pub question: String,
    /// A label by level; a level left out keeps its default label.
    #[serde(default)]
    pub labels: BTreeMap<Recommendation, String>,
}

fn default_question() -> String {
    DEFAULT_QUESTION.to_owned()
}

impl RecommendationText {
    /// The words as given: `None` when they are the defaults.
    pub fn new(question: &str, labels: [&str; 4]) -> Option<Self> {
        let text = Self {
            question: question.to_owned(),
            labels: Recommendation::ALL
                .into_iter()
                .zip(labels)
                .map(|(r, l)| (r, l.to_owned()))
                .collect(),
        };
        (!text.is_default()).then_some(text)
    }

    /// The label of `level`: the one given, or the default.
    pub fn label(&self, level: Recommendation) -> &str {
        self.labels
            .get(&level)
            .map_or_else(|| level.label(), String::as_str)
    }

    fn is_default(&self) -> bool {
        self.question == DEFAULT_QUESTION
            && Recommendation::ALL
                .into_iter()
                .all(|r| self.label(r) == r.label())
    }

    /// Checks the question and every label, reporting the first problem.
    pub fn check(&self) -> Result<(), RubricError> {
        if let Some(e) = question_problem(&self.question) {
            return Err(e);
        }
        let mut seen = HashSet::new();
        for level in Recommendation::ALL {
            let label = self.label(level);
            if let Some(e) = label_problem(level, label) {
                return Err(e);
            }
            if !seen.insert(label.trim().to_lowercase()) {
                return Err(RubricError::RecommendationLabelTwice(label.to_owned()));
            }
        }
        Ok(())
    }
}

/// What is wrong with the recommendation's question, if anything.
pub fn question_problem(question: &str) -> Option<RubricError> {
    if question.trim().is_empty() {
        Some(RubricError::QuestionEmpty)
    } else if question.chars().count() > MAX_QUESTION_CHARS {
        Some(RubricError::QuestionTooLong)
    } else {
        None
    }
}

/// What is wrong with the label of one level, if anything (a label used
/// twice is found only over all four).
pub fn label_problem(level: Recommendation, label: &str) -> Option<RubricError> {
    if label.trim().is_empty() {
        Some(RubricError::RecommendationLabelEmpty(level.label()))
    } else if label.chars().count() > MAX_RECOMMENDATION_LABEL_CHARS {
        Some(RubricError::RecommendationLabelTooLong(level.label()))
    } else {
        None
    }
}

/// One thing reviewers score, on a whole-number scale.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Criterion {
    /// Stable name in stored scores: `[a-z0-9_]+`, unique, 1 to 40 characters.
    pub key: String,
    /// What reviewers see: not blank, at most 120 characters.
    pub label: String,
    /// What the criterion asks reviewers to look for.
    #[serde(default)]
    pub description: String,
    /// The lowest score (0 or more).
    pub min: i32,
    /// The highest score (above `min`, at most 10 above it).
    pub max: i32,
    /// What the lowest score means ("Weak"), shown at that end of the
    /// scale; empty for none.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub min_label: String,
    /// What the highest score means ("Exceptional"); empty for none.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub max_label: String,
    /// Relative weight in the weighted total: above 0, at most 100.
    pub weight: f64,
    /// Whether a reviewer may answer "not applicable".
    #[serde(default)]
    pub allow_na: bool,
    /// Guidance for some or all of the score levels.
    #[serde(default)]
    pub levels: Vec<Level>,
}

/// Guidance for one score of a criterion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Level {
    /// The score described, on the criterion's scale.
    pub score: i32,
    /// What an application given this score looks like.
    pub text: String,
}

/// Why a rubric is not usable, in words for the program manager editing it.
/// Criteria are numbered from 1.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RubricError {
    #[error("The rubric is not valid JSON: {0}.")]
    Json(String),
    #[error("This is not a rubric: a rubric is a JSON object with a list of \"criteria\" (see the files in rubrics/, or download this cycle's rubric to see one).")]
    NotARubric,
    #[error("The rubric needs at least one criterion.")]
    NoCriteria,
    #[error("The rubric has {0} criteria; it may have at most 20.")]
    TooManyCriteria(usize),
    #[error(
        "Criterion {position}: the key {key:?} may use only lower-case letters, digits and _."
    )]
    KeyCharacters { position: usize, key: String },
    #[error("Criterion {position}: the key {key:?} must be from 1 to 40 characters long.")]
    KeyLength { position: usize, key: String },
    #[error("Two criteria use the key {0:?}; each needs its own.")]
    DuplicateKey(String),
    #[error("Criterion {position} ({key:?}): the label is empty; give the criterion a name reviewers will see.")]
    LabelEmpty { position: usize, key: String },
    #[error("Criterion {position} ({key:?}): the label may be at most 120 characters long.")]
    LabelTooLong { position: usize, key: String },
    #[error("Criterion {position} ({key:?}): a label for an end of the scale may be at most 60 characters long.")]
    EndLabelTooLong { position: usize, key: String },
    #[error("Criterion {position} ({key:?}): the lowest score may not be below 0.")]
    NegativeMin { position: usize, key: String },
    #[error("Criterion {position} ({key:?}): the lowest score must be below the highest.")]
    MinNotBelowMax { position: usize, key: String },
    #[error(
        "Criterion {position} ({key:?}): the highest score may be at most 10 above the lowest."
    )]
    ScaleTooLong { position: usize, key: String },
    #[error(
        "Criterion {position} ({key:?}): the weight must be a number above 0 and at most 100."
    )]
    BadWeight { position: usize, key: String },
    #[error("Criterion {position} ({key:?}): there is guidance for the score {score}, which is not on the scale from {min} to {max}.")]
    LevelOffScale {
        position: usize,
        key: String,
        score: i32,
        min: i32,
        max: i32,
    },
    #[error("Criterion {position} ({key:?}): the score {score} has guidance twice; give it once.")]
    LevelTwice {
        position: usize,
        key: String,
        score: i32,
    },
    #[error("Criterion {position} ({key:?}): the guidance for the score {score} is empty.")]
    LevelEmpty {
        position: usize,
        key: String,
        score: i32,
    },
    #[error(
        "The question for the overall recommendation is empty; write what reviewers are asked."
    )]
    QuestionEmpty,
    #[error("The question for the overall recommendation may be at most 200 characters long.")]
    QuestionTooLong,
    #[error("The label for \u{201c}{0}\u{201d} is empty; give each level of the recommendation a label.")]
    RecommendationLabelEmpty(&'static str),
    #[error("The label for \u{201c}{0}\u{201d} may be at most 60 characters long.")]
    RecommendationLabelTooLong(&'static str),
    #[error("Two levels of the recommendation are labelled {0:?}; give each its own label.")]
    RecommendationLabelTwice(String),
}

impl Rubric {
    /// Parses a rubric and checks it (see [`Rubric::check`]).
    pub fn parse(json: &str) -> Result<Self, RubricError> {
        // Valid JSON without a list of criteria (a form, say) is named as
        // such rather than by the first field serde trips on.
        if let Ok(value) = serde_json::from_str::<serde_json::Value>(json) {
            if !value
                .get("criteria")
                .is_some_and(serde_json::Value::is_array)
            {
                return Err(RubricError::NotARubric);
            }
        }
        let mut rubric: Self = serde_json::from_str(json).map_err(|e| json_error(&e))?;
        rubric.check()?;
        // The default words are stored as none, so a rubric reads the same
        // whether or not its file spells them out.
        if rubric
            .recommendation
            .as_ref()
            .is_some_and(RecommendationText::is_default)
        {
            rubric.recommendation = None;
        }
        Ok(rubric)
    }

    /// Checks every rule, reporting the first broken one in rubric order.
    pub fn check(&self) -> Result<(), RubricError> {
        if self.criteria.is_empty() {
            return Err(RubricError::NoCriteria);
        }
        if self.criteria.len() > MAX_CRITERIA {
            return Err(RubricError::TooManyCriteria(self.criteria.len()));
        }
        let mut keys = HashSet::new();
        for (i, c) in self.criteria.iter().enumerate() {
            c.check(i + 1)?;
            if !keys.insert(c.key.as_str()) {
                return Err(RubricError::DuplicateKey(c.key.clone()));
            }
        }
        if let Some(text) = &self.recommendation {
            text.check()?;
        }
        Ok(())
    }

    /// The question reviewers are asked for their overall recommendation.
    pub fn recommendation_question(&self) -> &str {
        self.recommendation
            .as_ref()
            .map_or(DEFAULT_QUESTION, |t| t.question.as_str())
    }

    /// What reviewers of this rubric see for `level`.
    pub fn recommendation_label(&self, level: Recommendation) -> &str {
        self.recommendation
            .as_ref()
            .map_or_else(|| level.label(), |t| t.label(level))
    }

    /// The criterion with this key.
    pub fn criterion(&self, key: &str) -> Option<&Criterion> {
        self.criteria.iter().find(|c| c.key == key)
    }
}

impl Criterion {
    /// The guidance for `score`, if the rubric gives any.
    pub fn guidance(&self, score: i32) -> Option<&str> {
        self.levels
            .iter()
            .find(|l| l.score == score)
            .map(|l| l.text.as_str())
    }

    /// The label of `score` when it is an end of the scale and has one.
    pub fn end_label(&self, score: i32) -> Option<&str> {
        let label = if score == self.min {
            &self.min_label
        } else if score == self.max {
            &self.max_label
        } else {
            return None;
        };
        (!label.is_empty()).then_some(label.as_str())
    }

    /// Every score a reviewer may give, lowest first.
    pub fn scores(&self) -> RangeInclusive<i32> {
        self.min..=self.max
    }

    fn check(&self, position: usize) -> Result<(), RubricError> {
        let key = || self.key.clone();
        let key_ok = self
            .key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !key_ok {
            return Err(RubricError::KeyCharacters {
                position,
                key: key(),
            });
        }
        if self.key.is_empty() || self.key.len() > MAX_KEY_CHARS {
            return Err(RubricError::KeyLength {
                position,
                key: key(),
            });
        }
        if self.label.trim().is_empty() {
            return Err(RubricError::LabelEmpty {
                position,
                key: key(),
            });
        }
        if self.label.chars().count() > MAX_LABEL_CHARS {
            return Err(RubricError::LabelTooLong {
                position,
                key: key(),
            });
        }
        let too_long = |l: &str| l.chars().count() > MAX_END_LABEL_CHARS;
        if too_long(&self.min_label) || too_long(&self.max_label) {
            return Err(RubricError::EndLabelTooLong {
                position,
                key: key(),
            });
        }
        if self.min < 0 {
            return Err(RubricError::NegativeMin {
                position,
                key: key(),
            });
        }
        if self.min >= self.max {
            return Err(RubricError::MinNotBelowMax {
                position,
                key: key(),
            });
        }
        // min >= 0 and max > min, so the subtraction cannot overflow.
        if self.max - self.min > MAX_SCALE_SPAN {
            return Err(RubricError::ScaleTooLong {
                position,
                key: key(),
            });
        }
        if !(self.weight.is_finite() && self.weight > 0.0 && self.weight <= MAX_WEIGHT) {
            return Err(RubricError::BadWeight {
                position,
                key: key(),
            });
        }
        let mut seen = HashSet::new();
        for level in &self.levels {
            let score = level.score;
            if !self.scores().contains(&score) {
                return Err(RubricError::LevelOffScale {
                    position,
                    key: key(),
                    score,
                    min: self.min,
                    max: self.max,
                });
            }
            if !seen.insert(score) {
                return Err(RubricError::LevelTwice {
                    position,
                    key: key(),
                    score,
                });
            }
            if level.text.trim().is_empty() {
                return Err(RubricError::LevelEmpty {
                    position,
                    key: key(),
                    score,
                });
            }
        }
        Ok(())
    }
}

/// Rewords serde's message for a person: quotes instead of backticks, and
/// "at line 4, column 7" instead of "at line 4 column 7".
fn json_error(e: &serde_json::Error) -> RubricError {
    let full = e.to_string();
    let place = format!(" at line {} column {}", e.line(), e.column());
    let message = full.strip_suffix(&place).unwrap_or(&full).replace('`', "'");
    if e.line() == 0 {
        RubricError::Json(message)
    } else {
        RubricError::Json(format!(
            "{message} at line {}, column {}",
            e.line(),
            e.column()
        ))
    }
}

/// One reviewer's answer for one criterion.
///
/// Stored as a JSON integer, or the string `"na"` for "not applicable".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Score {
    /// A score on the criterion's scale.
    Points(i32),
    /// The reviewer judged the criterion not applicable.
    NotApplicable,
}

/// The text that stands for [`Score::NotApplicable`], in forms and in JSON.
pub const NOT_APPLICABLE: &str = "na";

impl Serialize for Score {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Points(p) => serializer.serialize_i32(*p),
            Self::NotApplicable => serializer.serialize_str(NOT_APPLICABLE),
        }
    }
}

impl<'de> Deserialize<'de> for Score {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ScoreVisitor)
    }
}

struct ScoreVisitor;

impl serde::de::Visitor<'_> for ScoreVisitor {
    type Value = Score;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "a whole-number score or \"{NOT_APPLICABLE}\"")
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Score, E> {
        i32::try_from(v)
            .map(Score::Points)
            .map_err(|_| E::invalid_value(serde::de::Unexpected::Signed(v), &self))
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Score, E> {
        i32::try_from(v)
            .map(Score::Points)
            .map_err(|_| E::invalid_value(serde::de::Unexpected::Unsigned(v), &self))
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Score, E> {
        if v == NOT_APPLICABLE {
            Ok(Score::NotApplicable)
        } else {
            Err(E::invalid_value(serde::de::Unexpected::Str(v), &self))
        }
    }
}

/// One reviewer's scores, by criterion key.
pub type Scores = BTreeMap<String, Score>;

/// A reviewer's overall recommendation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Recommendation {
    StronglySupport,
    Support,
    Neutral,
    DoNotSupport,
}

impl Recommendation {
    /// Every recommendation, strongest support first (the order forms show).
    pub const ALL: [Recommendation; 4] = [
        Self::StronglySupport,
        Self::Support,
        Self::Neutral,
        Self::DoNotSupport,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::StronglySupport => "strongly_support",
            Self::Support => "support",
            Self::Neutral => "neutral",
            Self::DoNotSupport => "do_not_support",
        }
    }

    /// Reads the stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// The default name shown to people (a rubric may name it otherwise:
    /// see [`Rubric::recommendation_label`]).
    pub fn label(self) -> &'static str {
        match self {
            Self::StronglySupport => "Strongly support",
            Self::Support => "Support",
            Self::Neutral => "Neutral",
            Self::DoNotSupport => "Do not support",
        }
    }
}

/// How sure a reviewer is of their review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    Low,
    Medium,
    High,
}

impl Confidence {
    /// Every level, lowest first.
    pub const ALL: [Confidence; 3] = [Self::Low, Self::Medium, Self::High];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
        }
    }

    /// Reads the stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// The name shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Self::Low => "Low",
            Self::Medium => "Medium",
            Self::High => "High",
        }
    }
}

/// One problem with a reviewer's scores, in words for the reviewer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScoreError {
    #[error("There is no criterion {0:?} in this cycle's rubric; reload the page and try again.")]
    UnknownCriterion(String),
    #[error("Choose one of the scores for {label}.")]
    NotAScore { label: String },
    #[error("Choose a score from {min} to {max} for {label}.")]
    OffScale { label: String, min: i32, max: i32 },
    #[error("{label} must be scored; \"not applicable\" is not offered for it.")]
    NotApplicableRefused { label: String },
    #[error("Give a score for {label}.")]
    Missing { label: String },
    #[error("Score at least one criterion; they cannot all be \"not applicable\".")]
    AllNotApplicable,
}

/// Every problem with a reviewer's scores, in rubric order, each with the
/// key of its criterion (`""` when it concerns the form as a whole).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", join(.errors))]
pub struct ScoreErrors {
    /// (criterion key or `""`, problem).
    pub errors: Vec<(String, ScoreError)>,
}

impl ScoreErrors {
    /// Each problem as (criterion key or `""`, message), for a form page.
    pub fn messages(&self) -> impl Iterator<Item = (&str, String)> + '_ {
        self.errors.iter().map(|(k, e)| (k.as_str(), e.to_string()))
    }
}

fn join(errors: &[(String, ScoreError)]) -> String {
    let messages: Vec<String> = errors.iter().map(|(_, e)| e.to_string()).collect();
    messages.join(" ")
}

/// Reads the raw form values (criterion key -> text: "" = not given,
/// "na" = not applicable, else an integer).
///
/// With `complete` (a submission) every criterion must be given and at
/// least one scored with points; without it (a draft) criteria not given
/// are left out of the result. A key the rubric does not know refuses the
/// whole input, since the page was built from another rubric.
pub fn read_scores(
    rubric: &Rubric,
    raw: &BTreeMap<String, String>,
    complete: bool,
) -> Result<Scores, ScoreErrors> {
    let unknown: Vec<(String, ScoreError)> = raw
        .keys()
        .filter(|k| rubric.criterion(k).is_none())
        .map(|k| (String::new(), ScoreError::UnknownCriterion(k.clone())))
        .collect();
    if !unknown.is_empty() {
        return Err(ScoreErrors { errors: unknown });
    }
    let mut scores = Scores::new();
    let mut errors = Vec::new();
    for c in &rubric.criteria {
        let label = || c.label.clone();
        let text = raw.get(&c.key).map_or("", |t| t.trim());
        let problem = if text.is_empty() {
            complete.then(|| ScoreError::Missing { label: label() })
        } else if text.eq_ignore_ascii_case(NOT_APPLICABLE) {
            if c.allow_na {
                scores.insert(c.key.clone(), Score::NotApplicable);
                None
            } else {
                Some(ScoreError::NotApplicableRefused { label: label() })
            }
        } else {
            match text.parse::<i32>() {
                Ok(p) if c.scores().contains(&p) => {
                    scores.insert(c.key.clone(), Score::Points(p));
                    None
                }
                Ok(_) => Some(ScoreError::OffScale {
                    label: label(),
                    min: c.min,
                    max: c.max,
                }),
                Err(_) => Some(ScoreError::NotAScore { label: label() }),
            }
        };
        if let Some(p) = problem {
            errors.push((c.key.clone(), p));
        }
    }
    // Only worth saying once everything else is right: a criterion still
    // in error may yet be given points.
    let any_points = scores.values().any(|s| matches!(s, Score::Points(_)));
    if complete && errors.is_empty() && !any_points {
        errors.push((String::new(), ScoreError::AllNotApplicable));
    }
    if errors.is_empty() {
        Ok(scores)
    } else {
        Err(ScoreErrors { errors })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn criterion(key: &str, label: &str, allow_na: bool) -> Criterion {
        Criterion {
            key: key.into(),
            label: label.into(),
            description: String::new(),
            min: 1,
            max: 5,
            min_label: String::new(),
            max_label: String::new(),
            weight: 1.0,
            allow_na,
            levels: Vec::new(),
        }
    }

    fn rubric() -> Rubric {
        Rubric {
            criteria: vec![
                criterion("impact", "Impact", false),
                criterion("experience", "Prior experience", true),
            ],
            recommendation: None,
        }
    }

    fn raw(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn messages(e: &ScoreErrors) -> Vec<(String, String)> {
        e.messages().map(|(k, m)| (k.to_owned(), m)).collect()
    }

    fn json_with(criterion: &str) -> String {
        format!(
            r#"{{"criteria": [{{"key": "clarity", "label": "Clarity", "min": 1, "max": 5, "weight": 1}}, {criterion}]}}"#
        )
    }

    fn parse_error(json: &str) -> String {
        Rubric::parse(json).unwrap_err().to_string()
    }

    #[test]
    fn default_rubrics_parse() {
        for json in [
            include_str!("../../../rubrics/health-justice.json"),
            include_str!("../../../rubrics/voices-for-change.json"),
            include_str!("../../../rubrics/summer-internship.json"),
        ] {
            let r = Rubric::parse(json).unwrap();
            assert!((4..=6).contains(&r.criteria.len()));
            assert!(r.criteria.iter().filter(|c| c.allow_na).count() <= 1);
            for c in &r.criteria {
                assert!(c.weight >= 1.0 && c.weight <= 3.0, "{}", c.key);
                assert_eq!(c.scores(), 1..=5);
                for s in [1, 3, 5] {
                    assert!(c.guidance(s).is_some(), "{} has no guidance for {s}", c.key);
                }
            }
        }
    }

    #[test]
    fn lookups_find_criteria_and_guidance() {
        let r = Rubric::parse(&json_with(
            r#"{"key": "impact", "label": "Impact", "min": 0, "max": 4, "weight": 2.5, "levels": [{"score": 4, "text": "Changes lives"}]}"#,
        ))
        .unwrap();
        let c = r.criterion("impact").unwrap();
        assert_eq!(c.guidance(4), Some("Changes lives"));
        assert_eq!(c.guidance(3), None);
        assert_eq!(c.scores(), 0..=4);
        assert!(!c.allow_na);
        assert_eq!(c.description, "");
        assert!(r.criterion("nope").is_none());
    }

    #[test]
    fn json_errors_name_the_place_in_words() {
        let json = "{\n  \"criteria\": [\n    {\"key\": \"a\"\n      \"label\": \"A\"}\n  ]\n}";
        assert_eq!(
            parse_error(json),
            "The rubric is not valid JSON: expected ',' or '}' at line 4, column 7."
        );
        assert!(parse_error(r#"{"criteria": [], "extra": 1}"#)
            .starts_with("The rubric is not valid JSON: unknown field 'extra'"));
    }

    #[test]
    fn each_rule_has_its_own_message() {
        let bad = |c: &str| parse_error(&json_with(c));
        assert_eq!(
            parse_error(r#"{"criteria": []}"#),
            "The rubric needs at least one criterion."
        );
        let many: Vec<String> = (0..21)
            .map(|i| format!(r#"{{"key": "c{i}", "label": "C", "min": 1, "max": 5, "weight": 1}}"#))
            .collect();
        assert_eq!(
            parse_error(&format!(r#"{{"criteria": [{}]}}"#, many.join(","))),
            "The rubric has 21 criteria; it may have at most 20."
        );
        let cases = [
            (r#"{"key": "Impact!", "label": "I", "min": 1, "max": 5, "weight": 1}"#,
             "Criterion 2: the key \"Impact!\" may use only lower-case letters, digits and _."),
            (r#"{"key": "", "label": "I", "min": 1, "max": 5, "weight": 1}"#,
             "Criterion 2: the key \"\" must be from 1 to 40 characters long."),
            (r#"{"key": "clarity", "label": "I", "min": 1, "max": 5, "weight": 1}"#,
             "Two criteria use the key \"clarity\"; each needs its own."),
            (r#"{"key": "impact", "label": "  ", "min": 1, "max": 5, "weight": 1}"#,
             "Criterion 2 (\"impact\"): the label is empty; give the criterion a name reviewers will see."),
            (r#"{"key": "impact", "label": "I", "min": -1, "max": 5, "weight": 1}"#,
             "Criterion 2 (\"impact\"): the lowest score may not be below 0."),
            (r#"{"key": "impact", "label": "I", "min": 5, "max": 5, "weight": 1}"#,
             "Criterion 2 (\"impact\"): the lowest score must be below the highest."),
            (r#"{"key": "impact", "label": "I", "min": 0, "max": 11, "weight": 1}"#,
             "Criterion 2 (\"impact\"): the highest score may be at most 10 above the lowest."),
            (r#"{"key": "impact", "label": "I", "min": 1, "max": 5, "weight": 0}"#,
             "Criterion 2 (\"impact\"): the weight must be a number above 0 and at most 100."),
            (r#"{"key": "impact", "label": "I", "min": 1, "max": 5, "weight": 100.5}"#,
             "Criterion 2 (\"impact\"): the weight must be a number above 0 and at most 100."),
            (r#"{"key": "impact", "label": "I", "min": 1, "max": 5, "weight": 1, "levels": [{"score": 6, "text": "t"}]}"#,
             "Criterion 2 (\"impact\"): there is guidance for the score 6, which is not on the scale from 1 to 5."),
            (r#"{"key": "impact", "label": "I", "min": 1, "max": 5, "weight": 1, "levels": [{"score": 2, "text": "t"}, {"score": 2, "text": "u"}]}"#,
             "Criterion 2 (\"impact\"): the score 2 has guidance twice; give it once."),
            (r#"{"key": "impact", "label": "I", "min": 1, "max": 5, "weight": 1, "levels": [{"score": 2, "text": " "}]}"#,
             "Criterion 2 (\"impact\"): the guidance for the score 2 is empty."),
        ];
        for (criterion, message) in cases {
            assert_eq!(bad(criterion), message);
        }
        let long_key = "k".repeat(41);
        assert_eq!(
            bad(&format!(
                r#"{{"key": "{long_key}", "label": "I", "min": 1, "max": 5, "weight": 1}}"#
            )),
            format!("Criterion 2: the key \"{long_key}\" must be from 1 to 40 characters long.")
        );
        let long_label = "é".repeat(121);
        assert_eq!(
            bad(&format!(
                r#"{{"key": "impact", "label": "{long_label}", "min": 1, "max": 5, "weight": 1}}"#
            )),
            "Criterion 2 (\"impact\"): the label may be at most 120 characters long."
        );
        // The limits themselves are allowed.
        let ok = format!(
            r#"{{"key": "{}", "label": "{}", "min": 0, "max": 10, "weight": 100}}"#,
            "k".repeat(40),
            "é".repeat(120)
        );
        assert!(Rubric::parse(&json_with(&ok)).is_ok());
    }

    #[test]
    fn something_that_is_not_a_rubric_says_so() {
        let form = include_str!("../../../forms/health-justice.json");
        for json in [form, "[1, 2]", r#""criteria""#, r#"{"criteria": {}}"#] {
            assert_eq!(Rubric::parse(json).unwrap_err(), RubricError::NotARubric);
        }
        assert!(parse_error("{").starts_with("The rubric is not valid JSON"));
    }

    #[test]
    fn end_labels_are_optional_short_and_round_trip() {
        let r = Rubric::parse(&json_with(
            r#"{"key": "impact", "label": "Impact", "min": 0, "max": 4, "min_label": "Weak", "max_label": "Exceptional", "weight": 1}"#,
        ))
        .unwrap();
        let c = r.criterion("impact").unwrap();
        assert_eq!(
            (c.end_label(0), c.end_label(4)),
            (Some("Weak"), Some("Exceptional"))
        );
        assert_eq!(r.criterion("clarity").unwrap().end_label(1), None);
        // Written only when given, and read back the same.
        let json = serde_json::to_string(&r).unwrap();
        assert_eq!(json.matches("min_label").count(), 1);
        assert_eq!(Rubric::parse(&json).unwrap(), r);
        let long = "w".repeat(61);
        assert_eq!(
            bad_end_label(&long),
            "Criterion 2 (\"impact\"): a label for an end of the scale may be at most 60 characters long."
        );
    }

    fn bad_end_label(label: &str) -> String {
        parse_error(&json_with(&format!(
            r#"{{"key": "impact", "label": "I", "min": 1, "max": 5, "max_label": "{label}", "weight": 1}}"#
        )))
    }

    #[test]
    fn a_non_finite_weight_is_refused() {
        let mut r = rubric();
        r.criteria[1].weight = f64::NAN;
        assert!(matches!(
            r.check(),
            Err(RubricError::BadWeight { position: 2, .. })
        ));
        r.criteria[1].weight = f64::INFINITY;
        assert!(r.check().is_err());
    }

    #[test]
    fn scores_round_trip_through_json() {
        let mut s = Scores::new();
        s.insert("impact".into(), Score::Points(4));
        s.insert("experience".into(), Score::NotApplicable);
        s.insert("zero".into(), Score::Points(0));
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(json, r#"{"experience":"na","impact":4,"zero":0}"#);
        assert_eq!(serde_json::from_str::<Scores>(&json).unwrap(), s);
        for bad in [r#""NA""#, r#""4""#, "4.5", "null", "4294967296"] {
            assert!(serde_json::from_str::<Score>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn recommendation_and_confidence_names_round_trip() {
        assert_eq!(Recommendation::ALL[0], Recommendation::StronglySupport);
        for r in Recommendation::ALL {
            assert_eq!(Recommendation::parse(r.as_str()), Some(r));
            let json = serde_json::to_string(&r).unwrap();
            assert_eq!(json, format!("\"{}\"", r.as_str()));
        }
        assert_eq!(Recommendation::DoNotSupport.label(), "Do not support");
        assert_eq!(Recommendation::parse("Support"), None);
        for c in Confidence::ALL {
            assert_eq!(Confidence::parse(c.as_str()), Some(c));
        }
        assert_eq!(Confidence::High.label(), "High");
    }

    #[test]
    fn a_complete_review_reads_points_and_not_applicable() {
        let s = read_scores(
            &rubric(),
            &raw(&[("impact", " 4 "), ("experience", "na")]),
            true,
        )
        .unwrap();
        assert_eq!(s["impact"], Score::Points(4));
        assert_eq!(s["experience"], Score::NotApplicable);
    }

    #[test]
    fn a_draft_leaves_out_what_is_not_given() {
        let s = read_scores(
            &rubric(),
            &raw(&[("impact", "2"), ("experience", "")]),
            false,
        )
        .unwrap();
        assert_eq!(s.len(), 1);
        assert_eq!(s["impact"], Score::Points(2));
        assert_eq!(read_scores(&rubric(), &raw(&[]), false).unwrap().len(), 0);
    }

    #[test]
    fn an_unknown_criterion_refuses_the_whole_input() {
        let e = read_scores(&rubric(), &raw(&[("impact", "x"), ("xyz", "3")]), true).unwrap_err();
        assert_eq!(
            messages(&e),
            [(
                String::new(),
                "There is no criterion \"xyz\" in this cycle's rubric; reload the page and try again."
                    .to_owned()
            )]
        );
    }

    #[test]
    fn bad_values_are_named_in_rubric_order() {
        let e = read_scores(
            &rubric(),
            &raw(&[("impact", "na"), ("experience", "3.5")]),
            false,
        )
        .unwrap_err();
        assert_eq!(
            messages(&e),
            [
                (
                    "impact".to_owned(),
                    "Impact must be scored; \"not applicable\" is not offered for it.".to_owned()
                ),
                (
                    "experience".to_owned(),
                    "Choose one of the scores for Prior experience.".to_owned()
                ),
            ]
        );
        let e = read_scores(
            &rubric(),
            &raw(&[("impact", "6"), ("experience", "0")]),
            false,
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "Choose a score from 1 to 5 for Impact. Choose a score from 1 to 5 for Prior experience."
        );
    }

    #[test]
    fn a_submission_needs_every_criterion_and_some_points() {
        let e = read_scores(&rubric(), &raw(&[("experience", "na")]), true).unwrap_err();
        assert_eq!(
            messages(&e),
            [("impact".to_owned(), "Give a score for Impact.".to_owned())]
        );
        let mut r = rubric();
        r.criteria[0].allow_na = true;
        let all_na = raw(&[("impact", "na"), ("experience", "na")]);
        let e = read_scores(&r, &all_na, true).unwrap_err();
        assert_eq!(
            messages(&e),
            [(
                String::new(),
                "Score at least one criterion; they cannot all be \"not applicable\".".to_owned()
            )]
        );
        // A draft may be all "not applicable" for now.
        assert_eq!(read_scores(&r, &all_na, false).unwrap().len(), 2);
    }

    #[test]
    fn a_rubric_without_recommendation_words_has_the_defaults() {
        let r = Rubric::parse(&json_with(
            r#"{"key": "a", "label": "A", "min": 1, "max": 3, "weight": 1}"#,
        ))
        .unwrap();
        assert_eq!(r.recommendation, None);
        assert_eq!(r.recommendation_question(), DEFAULT_QUESTION);
        for level in Recommendation::ALL {
            assert_eq!(r.recommendation_label(level), level.label());
        }
        assert!(!serde_json::to_string(&r)
            .unwrap()
            .contains("recommendation"));
    }

    #[test]
    fn recommendation_words_parse_and_round_trip() {
        let json = r#"{"criteria": [{"key": "a", "label": "A", "min": 1, "max": 3, "weight": 1}],
            "recommendation": {"question": "Fund it?", "labels": {"neutral": "Undecided"}}}"#;
        let r = Rubric::parse(json).unwrap();
        assert_eq!(r.recommendation_question(), "Fund it?");
        assert_eq!(r.recommendation_label(Recommendation::Neutral), "Undecided");
        assert_eq!(r.recommendation_label(Recommendation::Support), "Support");
        let again = Rubric::parse(&serde_json::to_string(&r).unwrap()).unwrap();
        assert_eq!(again, r);
        // Spelling out the defaults is the same as leaving them out.
        let defaults = r#"{"criteria": [{"key": "a", "label": "A", "min": 1, "max": 3, "weight": 1}],
            "recommendation": {"question": "Your recommendation", "labels": {"neutral": "Neutral"}}}"#;
        assert_eq!(Rubric::parse(defaults).unwrap().recommendation, None);
    }

    #[test]
    fn bad_recommendation_words_are_refused() {
        let with = |rec: &str| {
            parse_error(&format!(
                r#"{{"criteria": [{{"key": "a", "label": "A", "min": 1, "max": 3, "weight": 1}}], "recommendation": {rec}}}"#
            ))
        };
        assert_eq!(
            with(r#"{"labels": {"support": " "}}"#),
            "The label for \u{201c}Support\u{201d} is empty; give each level of the recommendation a label."
        );
        assert_eq!(
            with(&format!(
                r#"{{"labels": {{"support": "{}"}}}}"#,
                "x".repeat(61)
            )),
            "The label for \u{201c}Support\u{201d} may be at most 60 characters long."
        );
        assert_eq!(
            with(r#"{"labels": {"neutral": "support"}}"#),
            "Two levels of the recommendation are labelled \"support\"; give each its own label."
        );
        assert_eq!(
            with(&format!(r#"{{"question": "{}"}}"#, "q".repeat(201))),
            "The question for the overall recommendation may be at most 200 characters long."
        );
        assert!(
            with(r#"{"labels": {"maybe": "Maybe"}}"#).starts_with("The rubric is not valid JSON")
        );
    }
}
