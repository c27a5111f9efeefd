//! fellowship-portal: an application portal for fellowships and
//! internships. [`build`] assembles the whole application from a
//! configuration; the binary only parses the command line and launches it.
//!
//! Modules, with dependencies pointing one way: `web` → `app` → `auth`,
//! `jobs` → `db`, `storage`, `mail` → `domain`; [`context::Ctx`] carries the
//! pool, store, mailer and clock to every use case and job.

pub mod app;
pub mod auth;
pub mod cli;
pub mod clock;
pub mod config;
pub mod context;
pub mod db;
pub mod demo;
pub mod domain;
pub mod export;
pub mod health;
pub mod jobs;
pub mod logging;
pub mod mail;
pub mod metrics;
pub mod ops;
pub mod seed;
pub mod storage;
pub mod transfer;
pub mod web;

use rocket::fairing::AdHoc;
use rocket::figment::Figment;
use rocket::{Build, Rocket};
use rocket_db_pools::Database;

/// The portal, ready to ignite, from a figment completed by [`config::load`].
pub fn build(figment: Figment) -> Rocket<Build> {
    build_with_clock(figment, clock::Clock::system())
}

/// [`build`] on a given clock: instances that share one clock (tests run
/// several on one database) see the same time.
pub fn build_with_clock(figment: Figment, clock: clock::Clock) -> Rocket<Build> {
    let static_dir = figment
        .extract_inner::<std::path::PathBuf>("portal.static_dir")
        .unwrap_or_else(|_| "static".into());
    // Read once: their hashes name them in every page.
    let assets = std::sync::Arc::new(web::assets::Assets::load(&static_dir));
    let templates = web::templates::fairing(&figment, assets.clone());
    // This instance's own counters: never shared with another instance.
    let metrics = std::sync::Arc::new(metrics::Metrics::new());
    rocket::custom(figment)
        .attach(AdHoc::try_on_ignite(
            "Configuration and storage",
            |rocket| async move {
                let config = match config::PortalConfig::from_figment(rocket.figment()) {
                    Ok(c) => c,
                    Err(e) => return seed::fail(rocket, format!("configuration: {e}")),
                };
                let store = match storage::Storage::open(&config, metrics.clone()) {
                    Ok(store) => store,
                    Err(e) => return seed::fail(rocket, format!("document storage: {e}")),
                };
                // A misconfigured object store is named at start, not at the first upload.
                if store.name() == "s3" {
                    if let Err(e) = store.check().await {
                        return seed::fail(rocket, format!("document storage (S3): {e}"));
                    }
                }
                Ok(rocket
                    .manage(config)
                    .manage(store)
                    .manage(clock)
                    .manage(metrics))
            },
        ))
        .attach(db::Db::init())
        .attach(seed::migrations())
        .attach(templates)
        .attach(mail::stage())
        .attach(AdHoc::try_on_ignite("Context", |rocket| async move {
            match context::Ctx::from_rocket(&rocket) {
                Some(ctx) => {
                    let jobs = ctx.config.mail_worker;
                    let rocket = rocket.manage(ctx);
                    Ok(if jobs {
                        rocket.attach(jobs::fairing())
                    } else {
                        rocket
                    })
                }
                None => Err(rocket),
            }
        }))
        .attach(AdHoc::on_ignite("Health", |rocket| async move {
            let every = config::PortalConfig::from_figment(rocket.figment())
                .map_or(10, |c| c.health_seconds)
                .max(1);
            rocket.attach(health::fairing(std::time::Duration::from_secs(every)))
        }))
        .attach(web::stage(assets))
        .attach(seed::first_admin())
}
