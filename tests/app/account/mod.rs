//! Registering, confirming, logging in and out, passwords, sessions.

mod passwords;
mod registration;
mod sessions;
mod throttle;
