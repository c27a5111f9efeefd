//! A cycle's rubric as its managers build it: the builder's view (the
//! current version, the reviews already written, earlier versions), one
//! change at a time (add, edit, move or remove a criterion, reword the
//! overall recommendation, or import a whole rubric), and the export.
//!
//! Every change is a new rubric version in one transaction, audited. A
//! change is refused, with nothing applied, when the page it came from
//! showed another version (a colleague changed the rubric meanwhile).
//! Once reviews exist a change must be confirmed: reviews keep the
//! version they were started under, so nothing already scored moves.

use crate::auth::guards::{ClientIp, Manager};
use crate::context::Ctx;
use crate::db::cycles::{self, CycleWithForm};
use crate::db::rubrics::{self, Version};
use crate::domain::cycle::CycleId;
use crate::domain::workflow::rubric::{Rubric, MAX_CRITERIA};
use crate::domain::workflow::rubric_edit::{
    apply, change_notice, key_from_name, read_criterion, read_recommendation, CriterionInput,
    Direction, Edit, EditError,
};

use super::{access, By, Error, FormErrors, Result};

/// What the rubric builder shows.
pub struct Builder {
    pub cycle: CycleWithForm,
    pub rubric: Rubric,
    /// The current version's number: what the builder's forms are based on.
    pub version: i64,
    /// Reviews started in the cycle (drafts and submitted).
    pub started: i64,
    /// Of those, submitted.
    pub submitted: i64,
    /// What a change does to the reviews already written, if any.
    pub notice: Option<String>,
    /// Every version, newest first.
    pub versions: Vec<Version>,
}

impl Builder {
    /// Whether criteria keep their keys when renamed: once reviews exist,
    /// their scores are stored by key.
    pub fn keys_fixed(&self) -> bool {
        self.started > 0
    }
}

/// Cycle `id`'s rubric builder, if `who` manages its program.
#[tracing::instrument(skip_all, fields(id = %id))]
pub async fn builder(ctx: &Ctx, who: &Manager, id: CycleId) -> Result<Builder> {
    let cycle = access::cycle_for_manager(ctx, who, id).await?;
    let setup = access::review_setup(ctx, id).await?;
    let mut conn = ctx.conn().await?;
    let (started, submitted) = rubrics::reviews_written(conn.exec(), id).await?;
    let versions = rubrics::of_cycle(conn.exec(), id).await?;
    Ok(Builder {
        cycle,
        rubric: setup.rubric,
        version: setup.rubric_version,
        started,
        submitted,
        notice: change_notice(started, submitted),
        versions,
    })
}

/// A rubric as a file to download.
pub struct Exported {
    pub file_name: String,
    pub json: String,
}

/// Cycle `id`'s current rubric as JSON in the format of `rubrics/*.json`.
#[tracing::instrument(skip_all, fields(id = %id))]
pub async fn export(ctx: &Ctx, who: &Manager, id: CycleId) -> Result<Exported> {
    let cycle = access::cycle_for_manager(ctx, who, id).await?;
    let setup = access::review_setup(ctx, id).await?;
    let json = to_json(&setup.rubric)?;
    let stem: String = cycle
        .cycle
        .name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    Ok(Exported {
        file_name: format!(
            "rubric-{}-v{}.json",
            stem.trim_matches('-'),
            setup.rubric_version
        ),
        json,
    })
}

fn to_json(rubric: &Rubric) -> Result<String> {
    let mut json = serde_json::to_string_pretty(rubric).map_err(anyhow::Error::from)?;
    json.push('\n');
    Ok(json)
}

/// One change asked of the builder.
pub enum Change<'a> {
    /// A new criterion at the end, its key made from its name.
    Add(CriterionInput<'a>),
    /// The criterion with `key` as typed (renamed, its key follows its
    /// name until reviews exist).
    Edit {
        key: &'a str,
        input: CriterionInput<'a>,
    },
    Move {
        key: &'a str,
        to: Direction,
    },
    Remove {
        key: &'a str,
    },
    /// A whole rubric as JSON.
    Import(&'a str),
    /// The overall recommendation's question and its four labels (in
    /// `Recommendation::ALL` order), as typed.
    Recommendation {
        question: &'a str,
        labels: [&'a str; 4],
    },
}

/// What a change did.
#[derive(Debug)]
pub enum Outcome {
    /// Applied as version `version`; `said` tells the manager.
    Applied { version: i64, said: String },
    /// The rubric would be what it is already: nothing stored.
    Unchanged,
    /// Reviews exist: nothing stored until the manager confirms, having
    /// read `notice`.
    Confirm { notice: String },
}

/// Makes `change` to cycle `id`'s rubric, which the manager's page showed
/// as version `based_on`. Refuses, against the field: a page showing
/// another version than the current one (`version`), a criterion that
/// does not read (see [`read_criterion`]), one too many criteria (`name`),
/// an import that is not a rubric (`json`), recommendation words that do
/// not read (`question`, `label_<level>`). Refuses in words a criterion
/// no longer there, removing the last one or moving one past an end.
#[tracing::instrument(skip_all, fields(id = %id))]
pub async fn change(
    ctx: &Ctx,
    who: &Manager,
    ip: &ClientIp,
    id: CycleId,
    based_on: &str,
    confirmed: bool,
    change: Change<'_>,
) -> Result<Outcome> {
    access::cycle_for_manager(ctx, who, id).await?;
    let now = ctx.now();
    let mut tx = ctx.begin().await?;
    cycles::lock(tx.exec(), id).await?;
    let setup = cycles::review_setup(tx.exec(), id)
        .await?
        .ok_or(Error::NotFound)?;
    if based_on.trim().parse::<i64>().ok() != Some(setup.rubric_version) {
        return Err(Error::invalid(
            "version",
            format!(
                "Someone changed the rubric while you had this page open (it is now version {}), so your change was not made. Look at the rubric as it is now, then make your change again.",
                setup.rubric_version
            ),
        ));
    }
    let (started, submitted) = rubrics::reviews_written(tx.exec(), id).await?;
    let current = &setup.rubric;
    let (next, said) = edited(current, started > 0, change)?;
    if &next == current {
        return Ok(Outcome::Unchanged);
    }
    if let Some(notice) = change_notice(started, submitted).filter(|_| !confirmed) {
        return Ok(Outcome::Confirm { notice });
    }
    let json = to_json(&next)?;
    let me = who.0.user().id;
    let version = rubrics::record(tx.exec(), id, &json, Some(me), Some(now)).await?;
    By::user(me, ip.as_deref())
        .audit(
            tx.exec(),
            "cycle.rubric",
            &format!("cycle:{id}"),
            &format!("version {version}: {said}"),
            now,
        )
        .await?;
    tx.commit().await?;
    Ok(Outcome::Applied {
        version,
        said: format!("{said} This is version {version} of the rubric."),
    })
}

/// The rubric `change` makes of `current`, and what it did in words.
fn edited(current: &Rubric, keys_fixed: bool, change: Change<'_>) -> Result<(Rubric, String)> {
    let invalid = |errors: Vec<(&'static str, String)>| {
        let mut form = FormErrors::default();
        for (field, message) in errors {
            form.add(field, message);
        }
        Error::Invalid(form)
    };
    let (edit, said) = match change {
        Change::Add(input) => {
            if current.criteria.len() >= MAX_CRITERIA {
                return Err(Error::invalid("name", EditError::TooMany));
            }
            let key = key_from_name(input.name, taken_by(current, None));
            let c = read_criterion(&input, key, &current.criteria).map_err(invalid)?;
            let said = format!("Criterion \u{201c}{}\u{201d} added.", c.label);
            (Edit::Add(c), said)
        }
        Change::Edit { key, input } => {
            let Some(old) = current.criterion(key) else {
                return Err(Error::refused(
                    EditError::NoSuchCriterion(key.to_owned()).to_string(),
                ));
            };
            let new_key = if keys_fixed {
                old.key.clone()
            } else {
                key_from_name(input.name, taken_by(current, Some(key)))
            };
            let others: Vec<_> = current
                .criteria
                .iter()
                .filter(|c| c.key != key)
                .cloned()
                .collect();
            let c = read_criterion(&input, new_key, &others).map_err(invalid)?;
            let said = format!("Criterion \u{201c}{}\u{201d} saved.", c.label);
            (
                Edit::Replace {
                    key: key.to_owned(),
                    with: c,
                },
                said,
            )
        }
        Change::Move { key, to } => {
            let label = label_of(current, key)?;
            let way = match to {
                Direction::Up => "up",
                Direction::Down => "down",
            };
            (
                Edit::Move {
                    key: key.to_owned(),
                    to,
                },
                format!("Criterion \u{201c}{label}\u{201d} moved {way}."),
            )
        }
        Change::Remove { key } => {
            let label = label_of(current, key)?;
            (
                Edit::Remove {
                    key: key.to_owned(),
                },
                format!("Criterion \u{201c}{label}\u{201d} removed."),
            )
        }
        Change::Import(json) => {
            if json.trim().is_empty() {
                return Err(Error::invalid(
                    "json",
                    "Paste a rubric as JSON, or choose a rubric file.",
                ));
            }
            let rubric = Rubric::parse(json).map_err(|e| Error::invalid("json", e))?;
            let n = rubric.criteria.len();
            let said = format!(
                "Rubric imported, with {n} criteri{}.",
                if n == 1 { "on" } else { "a" }
            );
            return Ok((rubric, said));
        }
        Change::Recommendation { question, labels } => {
            let text = read_recommendation(question, labels).map_err(invalid)?;
            (
                Edit::Recommendation(text),
                "The overall recommendation saved.".to_owned(),
            )
        }
    };
    let field = match &edit {
        Edit::Add(_) | Edit::Replace { .. } => Some("name"),
        _ => None,
    };
    match apply(current, edit) {
        Ok(next) => Ok((next, said)),
        Err(EditError::Rule(e)) if field.is_some() => {
            Err(Error::invalid(field.unwrap_or("name"), e))
        }
        Err(e) => Err(Error::refused(e.to_string())),
    }
}

/// Whether a key is used in `rubric` by a criterion other than `except`.
fn taken_by<'r>(rubric: &'r Rubric, except: Option<&'r str>) -> impl Fn(&str) -> bool + 'r {
    move |k| {
        rubric
            .criteria
            .iter()
            .any(|c| c.key == k && Some(c.key.as_str()) != except)
    }
}

fn label_of(rubric: &Rubric, key: &str) -> Result<String> {
    rubric
        .criterion(key)
        .map(|c| c.label.clone())
        .ok_or_else(|| Error::refused(EditError::NoSuchCriterion(key.to_owned()).to_string()))
}
