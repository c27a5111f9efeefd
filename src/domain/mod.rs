//! Pure types and rules of the portal: identifiers, email addresses,
//! passwords, programs, roles and permissions, login throttling and the mail
//! retry schedule.
//!
//! Nothing here may import rocket, sqlx, aws or lettre: every rule takes its
//! inputs (including the clock) as parameters, so it is tested with plain
//! unit and property tests.

pub mod access;
pub mod answers;
pub mod application;
pub mod audit;
pub mod cycle;
pub mod demographics;
pub mod document;
pub mod email;
pub mod form;
pub mod form_change;
pub mod form_edit;
pub mod forwarded;
#[cfg(test)]
mod fuzzing;
pub mod id;
pub mod image_metadata;
pub mod invitation;
pub mod letter;
pub mod message;
pub mod metadata;
pub mod outbox;
pub mod password;
pub mod pdf_metadata;
pub mod profile;
pub mod program;
pub mod referee;
pub mod role;
pub mod schedule;
pub mod site;
pub mod starter;
pub mod throttle;
pub mod user;
pub mod workflow;
