//! The use cases: one function per thing a person can do, shared by the
//! pages, the command line and the jobs.
//!
//! A use case takes the [`Ctx`](crate::context::Ctx), the actor as an
//! already-authorised value (an `auth::guards` role, or a token's holder)
//! and a typed input. It owns the transaction and the SQLite write lock,
//! asks the domain's rules and permission functions, records the audit
//! entry, queues the outbox rows and wakes the worker, and returns a typed
//! result or an [`Error`] saying what the person must be told. It never
//! names Rocket's request types, templates or pages.

use chrono::{DateTime, Utc};
use serde::Serialize;

pub mod access;
pub mod accounts;
pub mod admin;
pub mod applying;
pub mod assignment;
pub mod audit;
pub mod cycles;
pub mod dashboard;
pub mod decisions;
pub mod demographics;
pub mod email_change;
pub mod export;
pub mod forms;
pub mod invitations;
pub mod labels;
pub mod letters;
pub mod mail_preferences;
pub mod messages;
pub mod metrics;
pub mod notes;
pub mod offers;
pub mod outcomes;
pub mod programs;
pub mod referees;
pub mod release;
pub mod review;
pub mod rubric;
pub mod screening;
pub mod settings;
pub mod site;
pub mod stage;

use crate::db::Exec;
use crate::domain::user::UserId;

/// Why a use case did not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The thing does not exist, or the actor may not know it does.
    #[error("not found")]
    NotFound,
    /// The actor's role does not allow this.
    #[error("forbidden")]
    Forbidden,
    /// It cannot be done as things are; the words say why, for the person.
    #[error("refused: {0}")]
    Refused(String),
    /// The input has mistakes, each tied to its field.
    #[error("invalid input")]
    Invalid(FormErrors),
    /// Too many attempts; try again later.
    #[error("too many attempts")]
    Limited,
    /// Sending the mail asked for would pass one of the hourly mail
    /// limits; nothing was counted or queued.
    #[error("mail limit reached: {0:?}")]
    OverMailLimit(crate::domain::outbox::LimitScope),
    /// A failure that is not the person's to fix.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// Result of a use case.
pub type Result<T> = std::result::Result<T, Error>;

impl From<crate::db::DbError> for Error {
    fn from(e: crate::db::DbError) -> Self {
        Self::Internal(e.into())
    }
}

impl From<crate::storage::StorageError> for Error {
    fn from(e: crate::storage::StorageError) -> Self {
        Self::Internal(e.into())
    }
}

impl Error {
    /// A refusal in the person's words.
    pub fn refused(message: impl Into<String>) -> Self {
        Self::Refused(message.into())
    }

    /// One mistake against one field.
    pub fn invalid(field: &str, message: impl ToString) -> Self {
        let mut errors = FormErrors::default();
        errors.add(field, message);
        Self::Invalid(errors)
    }
}

/// One mistake, tied to the field it is about.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct FieldError {
    /// The field's `id`, for the summary's link.
    pub field: String,
    pub message: String,
}

/// The mistakes in a submitted form, in the order of the fields.
#[derive(Debug, Clone, Default, Serialize)]
pub struct FormErrors {
    /// For the summary at the top.
    pub summary: Vec<FieldError>,
    /// By field id, for the message next to each field.
    pub fields: std::collections::BTreeMap<String, String>,
}

impl FormErrors {
    /// Records a mistake (the first per field wins).
    pub fn add(&mut self, field: &str, message: impl ToString) {
        if !self.fields.contains_key(field) {
            let message = message.to_string();
            self.fields.insert(field.to_owned(), message.clone());
            self.summary.push(FieldError {
                field: field.to_owned(),
                message,
            });
        }
    }

    /// Keeps the value of `result`, or records its error against `field`.
    pub fn check<T, E: ToString>(
        &mut self,
        field: &str,
        result: std::result::Result<T, E>,
    ) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(e) => {
                self.add(field, e);
                None
            }
        }
    }

    /// Whether there is nothing to report.
    pub fn is_empty(&self) -> bool {
        self.summary.is_empty()
    }

    /// Every mistake in one sentence each, for a notice that cannot sit
    /// next to its fields.
    pub fn in_words(&self) -> String {
        self.summary
            .iter()
            .map(|e| e.message.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// `Err(Invalid)` when there is anything to report.
    pub fn into_result(self) -> Result<()> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(Error::Invalid(self))
        }
    }
}

/// Who did something, and from where: what the audit log records.
#[derive(Debug, Clone, Copy)]
pub struct By<'a> {
    pub user: Option<UserId>,
    pub ip: Option<&'a str>,
}

impl<'a> By<'a> {
    /// A signed-in person at an address.
    pub fn user(user: UserId, ip: Option<&'a str>) -> Self {
        Self {
            user: Some(user),
            ip,
        }
    }

    /// Records `action` on `subject` in the audit log, in the transaction
    /// of the change.
    #[tracing::instrument(skip_all)]
    pub async fn audit(
        &self,
        ex: Exec<'_>,
        action: &str,
        subject: &str,
        detail: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let entry = crate::db::audit::Entry {
            actor: self.user,
            action,
            subject,
            detail,
            client_ip: self.ip,
        };
        crate::db::audit::record(ex, &entry, now).await?;
        Ok(())
    }
}
