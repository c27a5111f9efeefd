//! The admin area: users and their reviewer and manager roles per program,
//! the programs ([`programs`]), the mail outbox and the site settings
//! ([`site`]).
//! Mounted at `/admin`; every route takes the `Admin` guard.

mod audit;
mod invitations;
mod outbox;
mod programs;
mod site;
mod user;

use crate::domain::program::ProgramId;
use rocket::form::Form;
use rocket::response::{Flash, Redirect};
use rocket::{get, post, routes, uri, FromForm, Route, State};
use rocket_dyn_templates::Template;
use serde::Serialize;

use super::page::{render, safe_next, Chrome, ClientIp};
use super::pager::{position, Pager};
use super::{told, Result};
use crate::app::admin::{self, RoleChange};
use crate::auth::guards::Admin;
use crate::context::Ctx;
use crate::db::{self, roles, users};
use crate::domain::program::Program;
use crate::domain::role::ProgramRole;
use crate::domain::user::UserId;

/// Routes mounted at `/admin`.
pub fn routes() -> Vec<Route> {
    let mut all = routes![
        index,
        list_users,
        grant_role,
        revoke_role,
        deactivate_user,
        reactivate_user
    ];
    all.extend(audit::routes());
    all.extend(invitations::routes());
    all.extend(outbox::routes());
    all.extend(programs::routes());
    all.extend(site::routes());
    all.extend(user::routes());
    all
}

/// Users per page.
const PAGE_SIZE: i64 = 25;

#[get("/")]
fn index(_admin: Admin) -> Redirect {
    Redirect::to(uri!(
        "/admin",
        list_users(q = Option::<&str>::None, page = Option::<i64>::None)
    ))
}

#[derive(Serialize)]
struct RoleView {
    program_id: ProgramId,
    program_name: String,
    role: &'static str,
    role_label: &'static str,
}

#[derive(Serialize)]
struct UserRow {
    id: UserId,
    name: String,
    email: String,
    is_admin: bool,
    confirmed: bool,
    active: bool,
    roles: Vec<RoleView>,
}

#[derive(Serialize)]
struct UsersPage {
    q: String,
    users: Vec<UserRow>,
    programs: Vec<Program>,
    #[serde(flatten)]
    pager: Pager,
    here: String,
}

#[get("/users?<q>&<page>")]
async fn list_users(
    _admin: Admin,
    ctx: &State<Ctx>,
    chrome: Chrome,
    q: Option<&str>,
    page: Option<i64>,
) -> Result<Template> {
    let q = q.unwrap_or("").trim();
    let (page, offset) = position(page, PAGE_SIZE);
    let mut conn = ctx.conn().await?;
    let (found, total) = users::search(conn.exec(), q, PAGE_SIZE, offset).await?;
    let ids: Vec<UserId> = found.iter().map(|u| u.id).collect();
    let grants = roles::for_users(conn.exec(), &ids).await?;
    let programs = db::programs::list(conn.exec()).await?;
    let program_name = |id: ProgramId| {
        programs
            .iter()
            .find(|p| p.id == id)
            .map(|p| p.name.clone())
            .unwrap_or_else(|| format!("Program {id}"))
    };
    let rows = found
        .into_iter()
        .map(|u| UserRow {
            roles: grants
                .iter()
                .filter(|(uid, _)| *uid == u.id)
                .map(|(_, g)| RoleView {
                    program_id: g.program_id,
                    program_name: program_name(g.program_id),
                    role: g.role.as_str(),
                    role_label: g.role.label(),
                })
                .collect(),
            id: u.id,
            name: u.name,
            email: u.email,
            is_admin: u.is_admin,
            confirmed: u.email_confirmed,
            active: u.active,
        })
        .collect();
    let link = |p: i64| uri!("/admin", list_users(q = Some(q), page = Some(p))).to_string();
    let view = UsersPage {
        q: q.to_owned(),
        users: rows,
        programs,
        pager: Pager::new(page, total, PAGE_SIZE, link),
        here: link(page),
    };
    Ok(render("admin/users", &chrome, "Users and roles", view))
}

#[derive(FromForm)]
struct RoleForm {
    #[field(default = ProgramId(0))]
    program: ProgramId,
    #[field(default = String::new())]
    role: String,
    #[field(default = String::new())]
    back: String,
}

async fn change_role(
    admin: &Admin,
    ctx: &Ctx,
    ip: &ClientIp,
    user_id: UserId,
    form: &RoleForm,
    grant: bool,
) -> Result<Flash<Redirect>> {
    let back = Redirect::to(safe_next(Some(&form.back)));
    let Some(role) = ProgramRole::parse(&form.role) else {
        return Ok(Flash::error(
            back,
            "Choose a role: reviewer or program manager.",
        ));
    };
    let input = RoleChange {
        program: form.program,
        role,
        grant,
    };
    let outcome = admin::change_role(ctx, admin, ip, user_id, input).await;
    told(outcome, back, |done| {
        let (verb, unchanged) = if grant {
            ("is now", "already was")
        } else {
            ("is no longer", "was not")
        };
        format!(
            "{} ({}) {} {} of the {}.",
            done.user.name,
            done.user.email,
            if done.changed { verb } else { unchanged },
            done.role.label().to_lowercase(),
            done.program.name
        )
    })
}

#[post("/users/<user_id>/grant", data = "<form>")]
async fn grant_role(
    admin: Admin,
    ctx: &State<Ctx>,
    ip: ClientIp,
    user_id: UserId,
    form: Form<RoleForm>,
) -> Result<Flash<Redirect>> {
    change_role(&admin, ctx, &ip, user_id, &form, true).await
}

#[post("/users/<user_id>/revoke", data = "<form>")]
async fn revoke_role(
    admin: Admin,
    ctx: &State<Ctx>,
    ip: ClientIp,
    user_id: UserId,
    form: Form<RoleForm>,
) -> Result<Flash<Redirect>> {
    change_role(&admin, ctx, &ip, user_id, &form, false).await
}

#[derive(FromForm)]
struct BackForm {
    #[field(default = String::new())]
    back: String,
}

async fn set_active(
    admin: &Admin,
    ctx: &Ctx,
    ip: &ClientIp,
    user_id: UserId,
    form: &BackForm,
    active: bool,
) -> Result<Flash<Redirect>> {
    let back = Redirect::to(safe_next(Some(&form.back)));
    let outcome = admin::set_active(ctx, admin, ip, user_id, active).await;
    told(outcome, back, |done| {
        let who = format!("{} ({})", done.user.name, done.user.email);
        match (active, done.changed) {
            (false, true) if done.open_reviews > 0 => format!(
                "{who} is deactivated and logged out everywhere. {} review{} assigned to them {} not submitted: \
                 the cycles' dashboards list them for reassignment.",
                done.open_reviews,
                if done.open_reviews == 1 { "" } else { "s" },
                if done.open_reviews == 1 { "is" } else { "are" }
            ),
            (false, true) => format!("{who} is deactivated and logged out everywhere."),
            (false, false) => format!("{who} was already deactivated."),
            (true, true) => format!("{who} is active again and can log in."),
            (true, false) => format!("{who} was already active."),
        }
    })
}

#[post("/users/<user_id>/deactivate", data = "<form>")]
async fn deactivate_user(
    admin: Admin,
    ctx: &State<Ctx>,
    ip: ClientIp,
    user_id: UserId,
    form: Form<BackForm>,
) -> Result<Flash<Redirect>> {
    set_active(&admin, ctx, &ip, user_id, &form, false).await
}

#[post("/users/<user_id>/reactivate", data = "<form>")]
async fn reactivate_user(
    admin: Admin,
    ctx: &State<Ctx>,
    ip: ClientIp,
    user_id: UserId,
    form: Form<BackForm>,
) -> Result<Flash<Redirect>> {
    set_active(&admin, ctx, &ip, user_id, &form, true).await
}
