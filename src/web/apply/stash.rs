//! Answers that survive an ended session. A section save or a referee
//! form that arrives after the session idled out (the browser still sends
//! its session cookie, but the server no longer knows it) is kept for an
//! hour in `answer_stashes`, under the hash of a random token held in a
//! private cookie; the browser is sent to the login page. When the
//! application's owner logs in again from that browser, the kept save goes
//! through the same checks and use case as a normal save and they land on
//! the section it came from. Anybody else logging in never sees it: it is
//! discarded. Uploads are never kept.
//!
//! CSRF: the token cookie is a browser-session cookie of its own, not tied
//! to the server's session row, so a save that arrives after the session
//! ended still carries a matching token and passes the CSRF fairing; a
//! save without one is refused (403) before it gets here, and nothing is
//! kept. A visitor without any session cookie is sent to log in as
//! before, keeping nothing.

use std::collections::BTreeMap;

use chrono::Duration;
use rocket::http::CookieJar;
use rocket::response::{Flash, Redirect};
use serde::{Deserialize, Serialize};

use super::section::{accept_shape, SectionForm};
use crate::app::access::owned_application;
use crate::app::applying::{self, SectionSave};
use crate::app::referees::{self, RefereeInput};
pub use crate::auth::guards::EndedSession;
use crate::auth::guards::{Applicant, ClientIp, CurrentUser, SessionUser};
use crate::auth::{session, token};
use crate::context::Ctx;
use crate::db::stashes::{self, NewStash, Stash};
use crate::db::{roles, sessions};
use crate::domain::application::ApplicationId;
use crate::domain::role::Roles;
use crate::domain::user::User;
use crate::web::page::url_encode;
use crate::web::Result;

/// The private cookie holding the token of a kept save.
pub const COOKIE: &str = "portal_stash";
/// How long a kept save waits for its owner to log in again.
pub const KEEP: Duration = Duration::hours(1);
/// What the login page says when a save was kept.
pub const KEPT: &str = "Your session ended. Log in again and your answers will be saved.";
/// What the section says once the kept save is saved.
pub const SAVED: &str = "Your answers were saved.";
/// What the login says when the kept save waited too long.
pub const TOO_LATE: &str =
    "Your answers from before your session ended were kept for one hour only, and that hour has passed. Please type them again.";

/// A kept section save: the typed answers only.
#[derive(Serialize, Deserialize)]
struct SectionPayload {
    a: BTreeMap<String, Vec<String>>,
    /// Files were chosen; they are not kept.
    had_files: bool,
}

/// A kept referee form.
#[derive(Serialize, Deserialize)]
pub(super) struct RefereePayload {
    pub question: String,
    pub position: usize,
    pub name: String,
    pub email: String,
    pub relationship: String,
    pub waiver: String,
}

async fn keep(
    ctx: &Ctx,
    cookies: &CookieJar<'_>,
    secure: bool,
    stash: (ApplicationId, &str, &str, String),
    back_to: &str,
) -> Result<Flash<Redirect>> {
    let (application, kind, target, payload_json) = stash;
    let t = token::generate();
    let now = ctx.now();
    let mut conn = ctx.conn().await?;
    stashes::purge(conn.exec(), now - KEEP).await?;
    let row = NewStash {
        token_hash: &token::hash(&t),
        application,
        kind,
        target,
        payload_json: &payload_json,
    };
    stashes::insert(conn.exec(), &row, now).await?;
    cookies.add_private(session::cookie(COOKIE, t, secure));
    Ok(Flash::warning(
        Redirect::to(format!("/account/login?next={}", url_encode(back_to))),
        KEPT,
    ))
}

/// Keeps a section save that arrived after the session ended, and sends
/// the browser to log in.
pub(super) async fn keep_section(
    ctx: &Ctx,
    cookies: &CookieJar<'_>,
    secure: bool,
    id: ApplicationId,
    key: &str,
    form: &SectionForm,
) -> Result<Flash<Redirect>> {
    let payload = SectionPayload {
        a: form.a.clone(),
        had_files: form.f.iter().any(|(_, u)| crate::web::upload::chosen(u)),
    };
    let json = serde_json::to_string(&payload).map_err(anyhow::Error::from)?;
    let back = format!("/apply/applications/{id}/sections/{key}");
    keep(ctx, cookies, secure, (id, "section", key, json), &back).await
}

/// Keeps a referee form that arrived after the session ended, and sends
/// the browser to log in.
pub(super) async fn keep_referee(
    ctx: &Ctx,
    cookies: &CookieJar<'_>,
    secure: bool,
    id: ApplicationId,
    form: RefereePayload,
) -> Result<Flash<Redirect>> {
    let json = serde_json::to_string(&form).map_err(anyhow::Error::from)?;
    let back = format!("/apply/applications/{id}/referees");
    keep(ctx, cookies, secure, (id, "referee", "", json), &back).await
}

/// What became of a kept save at login.
pub enum Restored {
    /// Saved: go there and say so.
    Saved { to: String, message: String },
    /// Refused whole (tampered, no longer editable, a mistake): go there
    /// and say why.
    Refused { to: String, message: String },
    /// Kept too long: discarded.
    TooLate,
}

/// After a successful login (session `session_token` of `user`): saves
/// the save kept in this browser, if any, when `user` owns its
/// application; otherwise discards it. The cookie goes either way.
pub async fn restore(
    ctx: &Ctx,
    cookies: &CookieJar<'_>,
    ip: &ClientIp,
    user: &User,
    session_token: &str,
) -> Result<Option<Restored>> {
    let Some(t) = cookies.get_private(COOKIE).map(|c| c.value().to_owned()) else {
        return Ok(None);
    };
    cookies.remove_private(rocket::http::Cookie::build(COOKIE).path("/"));
    let mut conn = ctx.conn().await?;
    let Some(stash) = stashes::take(conn.exec(), &token::hash(&t)).await? else {
        return Ok(None);
    };
    if stash.created_at + KEEP <= ctx.now() {
        return Ok(Some(Restored::TooLate));
    }
    let Some(s) = sessions::find(conn.exec(), &token::hash(session_token)).await? else {
        return Ok(None);
    };
    let grants = roles::for_user(conn.exec(), user.id).await?;
    drop(conn);
    let who = Applicant(CurrentUser(SessionUser {
        user: user.clone(),
        roles: Roles {
            admin: user.is_admin,
            grants,
        },
        session_id: s.id,
    }));
    // Somebody else's application: discarded, and nothing said.
    if owned_application(ctx, &who, stash.application_id)
        .await
        .is_err()
    {
        return Ok(None);
    }
    match stash.kind.as_str() {
        "section" => restore_section(ctx, &who, stash).await.map(Some),
        _ => restore_referee(ctx, &who, ip, stash).await.map(Some),
    }
}

async fn restore_section(ctx: &Ctx, who: &Applicant, stash: Stash) -> Result<Restored> {
    let id = stash.application_id;
    let to = format!("/apply/applications/{id}/sections/{}", stash.target);
    let payload: SectionPayload =
        serde_json::from_str(&stash.payload_json).map_err(anyhow::Error::from)?;
    let owned = owned_application(ctx, who, id).await?;
    let refused = |message: &str| Restored::Refused {
        to: format!("/apply/applications/{id}"),
        message: message.to_owned(),
    };
    if !owned.application.stage.is_editable() {
        return Ok(refused(applying::NOT_EDITABLE));
    }
    let Some(section) = owned
        .cycle
        .form
        .sections
        .iter()
        .find(|s| s.key == stash.target)
    else {
        return Ok(refused("The form changed meanwhile, so your answers could not be saved. Please type them again."));
    };
    let form = SectionForm::typed(payload.a);
    let accepted = match accept_shape(&owned.cycle.form, section, &form) {
        Ok(accepted) => accepted,
        Err(tampered) => {
            let why: Vec<String> = tampered.summary.into_iter().map(|e| e.message).collect();
            return Ok(Restored::Refused {
                to,
                message: format!("Your answers could not be saved: {}", why.join(" ")),
            });
        }
    };
    let input = SectionSave {
        accepted,
        uploads: Vec::new(),
        reuse: BTreeMap::new(),
        remove: None,
    };
    match applying::save_section(ctx, who, &owned, input).await {
        Ok(_) => {}
        Err(crate::app::Error::Refused(m)) => return Ok(refused(&m)),
        Err(e) => return Err(e.into()),
    }
    let message = if payload.had_files {
        format!("{SAVED} Files you had chosen were not kept: please choose them again.")
    } else {
        SAVED.to_owned()
    };
    Ok(Restored::Saved { to, message })
}

async fn restore_referee(
    ctx: &Ctx,
    who: &Applicant,
    ip: &ClientIp,
    stash: Stash,
) -> Result<Restored> {
    let id = stash.application_id;
    let to = format!("/apply/applications/{id}/referees");
    let p: RefereePayload =
        serde_json::from_str(&stash.payload_json).map_err(anyhow::Error::from)?;
    let input = RefereeInput {
        question: &p.question,
        position: p.position,
        name: &p.name,
        email: &p.email,
        relationship: &p.relationship,
        waiver: &p.waiver,
    };
    let message = match referees::name_referee(ctx, who, ip, id, input).await {
        Ok(r) => {
            return Ok(Restored::Saved {
                to,
                message: format!(
                    "{SAVED} We sent {} a request for a letter, at {}.",
                    r.name, r.email
                ),
            })
        }
        Err(crate::app::Error::Refused(m)) => m,
        Err(crate::app::Error::Invalid(errors)) => {
            let why: Vec<String> = errors.summary.into_iter().map(|e| e.message).collect();
            format!("Your referee could not be named: {}", why.join(" "))
        }
        Err(crate::app::Error::OverMailLimit(limit)) => limit.message().to_owned(),
        Err(crate::app::Error::NotFound) => {
            "This referee could not be named: the form changed meanwhile.".to_owned()
        }
        Err(e) => return Err(e.into()),
    };
    Ok(Restored::Refused { to, message })
}
