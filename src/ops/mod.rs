//! What an operator runs beside the portal: backups that restore, the
//! schema check at start and before an upgrade, and the configuration
//! check. Reached from the command line; never from a page.

pub mod backup;
pub mod schema;
