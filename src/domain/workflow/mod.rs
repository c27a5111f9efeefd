//! The review workflow as pure rules: stages and the moves between them.

pub mod assignment;
pub mod stage;
