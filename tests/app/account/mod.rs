//! Registering, confirming, logging in and out, passwords, sessions.

mod email;
mod passwords;
mod registration;
mod sessions;
mod throttle;
