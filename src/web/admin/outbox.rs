//! The mail outbox as an admin sees it: messages by status with their
//! attempts and last error, and a resend button for failed ones.

use rocket::response::{Flash, Redirect};
use rocket::{get, post, routes, Route, State};
use rocket_dyn_templates::Template;
use serde::Serialize;

use crate::app;
use crate::auth::guards::Admin;
use crate::context::Ctx;
use crate::db::outbox;
use crate::web::page::{render, Chrome, ClientIp};
use crate::web::pager::{position, Pager};
use crate::web::{told, Result};

pub fn routes() -> Vec<Route> {
    routes![list_outbox, resend_message]
}

const PAGE: i64 = 50;
const STATUSES: [(&str, &str); 6] = [
    ("", "All"),
    ("failed", "Failed"),
    ("pending", "Waiting"),
    ("sending", "Being sent"),
    ("sent", "Sent"),
    ("superseded", "Replaced by a newer letter"),
];

#[derive(Serialize)]
struct Row {
    id: i64,
    kind: String,
    recipient: String,
    subject: String,
    status: String,
    attempts: i64,
    last_error: String,
    created: String,
    sent: String,
    failed: bool,
}

#[derive(Serialize)]
struct Tab {
    href: String,
    label: &'static str,
    current: bool,
}

#[derive(Serialize)]
struct OutboxPage {
    tabs: Vec<Tab>,
    rows: Vec<Row>,
    #[serde(flatten)]
    pager: Pager,
}

fn when(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

#[get("/outbox?<status>&<page>")]
async fn list_outbox(
    _admin: Admin,
    ctx: &State<Ctx>,
    chrome: Chrome,
    status: Option<String>,
    page: Option<i64>,
) -> Result<Template> {
    let status = status
        .filter(|s| STATUSES.iter().any(|(v, _)| v == s))
        .unwrap_or_default();
    let (page, offset) = position(page, PAGE);
    let mut conn = ctx.conn().await?;
    let (rows, total) = outbox::page(conn.exec(), &status, offset, PAGE).await?;
    let href = |p: i64| format!("/admin/outbox?status={status}&page={p}");
    let view = OutboxPage {
        tabs: STATUSES
            .iter()
            .map(|(v, l)| Tab {
                href: format!("/admin/outbox?status={v}"),
                label: l,
                current: *v == status,
            })
            .collect(),
        rows: rows
            .into_iter()
            .map(|m| Row {
                failed: m.status == crate::domain::outbox::MailStatus::Failed,
                id: m.id,
                kind: m.kind,
                recipient: m.recipient,
                subject: m.subject,
                status: m.status.as_str().to_owned(),
                attempts: m.attempts,
                last_error: m.last_error.unwrap_or_default(),
                created: when(m.created_at),
                sent: m.sent_at.map(when).unwrap_or_default(),
            })
            .collect(),
        pager: Pager::new(page, total, PAGE, href),
    };
    Ok(render("admin/outbox", &chrome, "Mail outbox", view))
}

/// Gives a failed message a fresh round of attempts (recorded).
#[post("/outbox/<id>/resend")]
async fn resend_message(
    admin: Admin,
    ctx: &State<Ctx>,
    ip: ClientIp,
    id: i64,
) -> Result<Flash<Redirect>> {
    let back = Redirect::to("/admin/outbox?status=failed");
    let outcome = app::admin::resend_message(ctx, &admin, &ip, id).await;
    told(outcome, back, |()| "The message is queued again.".into())
}
