//! The integration suite: one test binary, one module per audience or flow.
//! Every test spawns the app on its own database (a temp SQLite file, or a
//! fresh PostgreSQL database when `TEST_DATABASE_URL` is set).

mod account;
mod admin;
mod applicant_progress;
mod apply;
mod audit;
mod browser;
mod dashboard;
mod decisions;
mod desk;
mod fixtures;
mod helpers;
mod invitations;
mod labels;
mod lists;
mod mail;
mod messages;
mod notes;
mod observe;
mod operate;
mod permissions;
mod platform;
mod proxy;
mod ranking_workspace;
mod referee;
mod review;
mod s3;
mod security;
mod self_review;
mod setup_cycles;
mod setup_forms;
mod setup_outcomes;
mod setup_programs;
mod setup_rubric;
mod site;
mod unsubscribe;
