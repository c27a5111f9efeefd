//! One account, for admins (`/admin/users/<id>`): who it is, its roles
//! (granted and revoked here, back to this page), deactivation, a change
//! of its email address (confirmed from the new address, see
//! `app::email_change`), its latest sign-ins and its latest actions (all
//! of them in the audit log, filtered by the person).

use rocket::form::Form;
use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use rocket::{get, post, routes, Either, FromForm, Route, State};
use rocket_dyn_templates::Template;
use serde::Serialize;

use super::RoleView;
use crate::app::email_change::{self, VALID_HOURS};
use crate::app::{self};
use crate::auth::guards::Admin;
use crate::context::Ctx;
use crate::db::{self, roles, sign_ins, users};
use crate::domain::program::Program;
use crate::domain::user::UserId;
use crate::web::page::{invalid, render, Chrome, ClientIp, FormErrors};
use crate::web::{Error, Result};

pub fn routes() -> Vec<Route> {
    routes![show_user, change_email]
}

/// How many sign-ins and actions the page lists.
const LATEST: i64 = 10;

#[derive(Serialize)]
struct Line {
    when: String,
    text: String,
    detail: String,
}

#[derive(Serialize)]
struct UserPage {
    id: UserId,
    name: String,
    email: String,
    is_admin: bool,
    confirmed: bool,
    active: bool,
    created: String,
    roles: Vec<RoleView>,
    programs: Vec<Program>,
    sign_ins: Vec<Line>,
    actions: Vec<Line>,
    all_actions: String,
    here: String,
    hours: i64,
    new_email: String,
    errors: FormErrors,
}

/// Times on the page: UTC, short.
fn when(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%-d %b %Y %H:%M UTC").to_string()
}

async fn page(ctx: &Ctx, id: UserId, new_email: &str, errors: FormErrors) -> Result<UserPage> {
    let mut conn = ctx.conn().await?;
    let user = users::find(conn.exec(), id).await?.ok_or(Error::NotFound)?;
    let programs = db::programs::list(conn.exec()).await?;
    let grants = roles::for_user(conn.exec(), id).await?;
    let signed = sign_ins::latest(conn.exec(), id, LATEST).await?;
    drop(conn);
    let f = db::audit::Filter {
        actor: Some(id),
        ..db::audit::Filter::default()
    };
    let acted = crate::app::audit::page(ctx, &f, None, LATEST).await?;
    let program_name = |pid| {
        programs
            .iter()
            .find(|p: &&Program| p.id == pid)
            .map_or_else(|| format!("Program {pid}"), |p| p.name.clone())
    };
    let all_actions = {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        q.append_pair("who", &user.email);
        format!("/admin/audit?{}", q.finish())
    };
    Ok(UserPage {
        id,
        roles: grants
            .iter()
            .map(|g| RoleView {
                program_id: g.program_id,
                program_name: program_name(g.program_id),
                role: g.role.as_str(),
                role_label: g.role.label(),
            })
            .collect(),
        sign_ins: signed
            .iter()
            .map(|s| Line {
                when: when(s.signed_in_at),
                text: s
                    .client_ip
                    .clone()
                    .unwrap_or_else(|| "address not known".into()),
                detail: String::new(),
            })
            .collect(),
        actions: acted
            .lines
            .iter()
            .map(|l| Line {
                when: when(l.at),
                text: l.what.clone(),
                detail: l.detail.clone(),
            })
            .collect(),
        all_actions,
        here: format!("/admin/users/{id}"),
        hours: VALID_HOURS,
        new_email: new_email.trim().to_owned(),
        errors,
        created: when(user.created_at),
        name: user.name,
        email: user.email,
        is_admin: user.is_admin,
        confirmed: user.email_confirmed,
        active: user.active,
        programs,
    })
}

#[get("/users/<id>")]
async fn show_user(
    _admin: Admin,
    ctx: &State<Ctx>,
    chrome: Chrome,
    id: UserId,
) -> Result<Template> {
    let view = page(ctx, id, "", FormErrors::default()).await?;
    let title = view.name.clone();
    Ok(render("admin/user", &chrome, &title, view))
}

#[derive(FromForm)]
struct EmailForm {
    #[field(default = String::new())]
    email: String,
}

/// Mails the link to the new address; the page again with the mistake
/// next to the field otherwise.
#[post("/users/<id>/email", data = "<form>")]
async fn change_email(
    admin: Admin,
    ctx: &State<Ctx>,
    chrome: Chrome,
    ip: ClientIp,
    id: UserId,
    form: Form<EmailForm>,
) -> Result<Either<Flash<Redirect>, (Status, Template)>> {
    let me = admin.0.user().id;
    let typed = form.email.as_str();
    let refused = |status: Status, errors: FormErrors| async move {
        let view = page(ctx, id, typed, errors).await?;
        let title = view.name.clone();
        let (_, template) = invalid("admin/user", &chrome, &title, view);
        Ok::<_, Error>(Either::Right((status, template)))
    };
    match email_change::ask_for(ctx, me, ip.as_deref(), id, typed).await {
        Ok(asked) => Ok(Either::Left(Flash::success(
            Redirect::to(format!("/admin/users/{id}")),
            format!(
                "We sent a link to {}. The address changes when it is opened (within {VALID_HOURS} hours).",
                asked.to
            ),
        ))),
        Err(app::Error::Invalid(errors)) => refused(Status::UnprocessableEntity, errors).await,
        Err(app::Error::OverMailLimit(limit)) => {
            let mut errors = FormErrors::default();
            errors.add("email", limit.message());
            refused(Status::TooManyRequests, errors).await
        }
        Err(e) => Err(e.into()),
    }
}
