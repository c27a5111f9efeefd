//! Pages for everyone: the home page with the programs, `/healthz`, and the
//! answer to a form without a valid CSRF token.

use rocket::http::Status;
use rocket::serde::json::Json;
use rocket::{get, post, routes, Route, State};
use rocket_dyn_templates::Template;
use serde::Serialize;

use super::page::{render, Chrome};
use super::Result;
use crate::db::{programs, Db};
use crate::domain::program::Program;
use crate::mail::Mail;
use crate::storage::Storage;

/// Routes mounted at `/`.
pub fn routes() -> Vec<Route> {
    routes![home, healthz, csrf_rejected]
}

#[derive(Serialize)]
struct HomePage {
    programs: Vec<Program>,
}

#[get("/")]
async fn home(db: &Db, chrome: Chrome) -> Result<Template> {
    let mut conn = db.conn().await?;
    let programs = programs::list(conn.exec()).await?;
    Ok(render(
        "public/home",
        &chrome,
        "Fellowships and internships in health equity",
        HomePage { programs },
    ))
}

#[derive(Serialize)]
struct Component {
    backend: &'static str,
    ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

#[derive(Serialize)]
struct Health {
    status: &'static str,
    database: Component,
    storage: Component,
    mail: Component,
}

/// 200 when the database answers (storage or mail trouble is reported but
/// does not take the instance out of a load balancer), 503 when it does not.
#[get("/healthz")]
async fn healthz(db: &Db, storage: &State<Storage>, mail: &State<Mail>) -> (Status, Json<Health>) {
    let limit = std::time::Duration::from_secs(3);
    let (db_ok, storage_ok, mail_ok) = tokio::join!(
        tokio::time::timeout(limit, db.ping()),
        tokio::time::timeout(limit, storage.check()),
        tokio::time::timeout(limit, mail.transport.check()),
    );
    let db_ok = db_ok.unwrap_or(false);
    let storage_result =
        storage_ok.unwrap_or_else(|_| Err(crate::storage::StorageError::S3("timed out".into())));
    let mail_ok = mail_ok.unwrap_or(false);
    let storage_ok = storage_result.is_ok();
    let health = Health {
        status: if !db_ok {
            "down"
        } else if storage_ok && mail_ok {
            "ok"
        } else {
            "degraded"
        },
        database: Component {
            backend: db.backend().as_str(),
            ok: db_ok,
            error: None,
        },
        storage: Component {
            backend: storage.name(),
            ok: storage_ok,
            error: storage_result.err().map(|e| e.to_string()),
        },
        mail: Component {
            backend: mail.transport.name(),
            ok: mail_ok,
            error: None,
        },
    };
    (
        if db_ok {
            Status::Ok
        } else {
            Status::ServiceUnavailable
        },
        Json(health),
    )
}

#[derive(Serialize)]
struct Rejected {}

/// Where the CSRF fairing sends a state-changing request without a valid
/// token: nothing has been done.
#[post("/csrf-rejected")]
fn csrf_rejected(chrome: Chrome) -> (Status, Template) {
    (
        Status::Forbidden,
        render("errors/csrf", &chrome, "This form has expired", Rejected {}),
    )
}
