//! The review workflow as pure rules: stages and the moves between them.

pub mod assignment;
pub mod decision;
pub mod outcomes;
pub mod review;
pub mod rubric;
pub mod rubric_edit;
pub mod scoring;
pub mod stage;
pub mod summary;
