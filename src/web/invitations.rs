//! The invitations page, in two places: an admin's, for every program
//! (`/admin/invitations`), and a program's managers', for theirs
//! (`/manage/programs/<id>/invitations`). Each shows the form to invite
//! someone by email as a reviewer or manager, and the invitations not yet
//! answered, a page at a time, each with "Send again" and "Revoke".
//! The work is `app::invitations`'.

use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use rocket::FromForm;
use rocket_dyn_templates::Template;
use serde::Serialize;

use super::page::{invalid, render, safe_next, Chrome, ClientIp, FormErrors};
use super::pager::{position, Pager};
use super::{told, Result};
use crate::app::invitations::{self, Invite};
use crate::app::Error as AppError;
use crate::auth::guards::CurrentUser;
use crate::context::Ctx;
use crate::db::invitations::Invitation;
use crate::domain::cycle::show_in;
use crate::domain::email::EmailAddress;
use crate::domain::invitation::InvitationId;
use crate::domain::program::{Program, ProgramId};
use crate::domain::role::ProgramRole;

/// Invitations a page.
const PAGE_SIZE: i64 = 25;

/// Which invitations page: every program's (an admin's) or one's.
pub struct Desk {
    /// The one program (a manager's page); `None`: every program.
    pub program: Option<Program>,
    /// The page's address (the form posts to it too).
    pub base: String,
    /// Where "Send again" and "Revoke" post (`<base>/<id>/resend`).
    pub actions: &'static str,
}

#[derive(Serialize)]
struct Choice {
    value: String,
    label: String,
    selected: bool,
}

#[derive(Serialize)]
struct Row {
    id: InvitationId,
    email: String,
    program: String,
    role: &'static str,
    standing: &'static str,
    expired: bool,
    sent: String,
    sends: i64,
    expires: String,
    invited_by: String,
}

#[derive(Serialize)]
struct InvitationsPage {
    /// The one program's name (a manager's page).
    program: Option<String>,
    program_id: Option<ProgramId>,
    programs: Vec<Choice>,
    roles: Vec<Choice>,
    email: String,
    errors: FormErrors,
    invitations: Vec<Row>,
    #[serde(flatten)]
    pager: Pager,
    base: String,
    actions: &'static str,
    here: String,
}

/// The invitation form as sent.
#[derive(FromForm)]
pub struct InviteForm {
    #[field(default = String::new())]
    email: String,
    /// Text, so that an empty or odd choice is told next to the field.
    #[field(default = String::new())]
    program: String,
    #[field(default = String::new())]
    role: String,
}

impl InviteForm {
    fn empty() -> Self {
        Self {
            email: String::new(),
            program: String::new(),
            role: String::new(),
        }
    }
}

/// Shows the page: the form (empty, or as sent with its mistakes) and the
/// waiting invitations' page `page`.
async fn page(
    ctx: &Ctx,
    chrome: &Chrome,
    desk: &Desk,
    page: Option<i64>,
    form: &InviteForm,
    errors: FormErrors,
) -> Result<Template> {
    let now = ctx.now();
    let (page, offset) = position(page, PAGE_SIZE);
    let mut conn = ctx.conn().await?;
    let of = desk.program.as_ref().map(|p| p.id);
    let (found, total) =
        crate::db::invitations::unanswered(conn.exec(), of, offset, PAGE_SIZE).await?;
    let programs = match &desk.program {
        Some(_) => Vec::new(),
        None => crate::db::programs::list(conn.exec())
            .await?
            .into_iter()
            .map(|p| Choice {
                selected: p.id.to_string() == form.program,
                value: p.id.to_string(),
                label: p.name,
            })
            .collect(),
    };
    let roles = [ProgramRole::Reviewer, ProgramRole::Manager]
        .into_iter()
        .map(|r| Choice {
            value: r.as_str().into(),
            label: r.label().into(),
            selected: r.as_str() == form.role,
        })
        .collect();
    let rows = found.iter().map(|i| row(i, now)).collect();
    let base = desk.base.clone();
    let link = |p: i64| format!("{base}?page={p}");
    let view = InvitationsPage {
        program: desk.program.as_ref().map(|p| p.name.clone()),
        program_id: of,
        programs,
        roles,
        email: form.email.trim().to_owned(),
        invitations: rows,
        here: link(page),
        pager: Pager::new(page, total, PAGE_SIZE, link),
        base: desk.base.clone(),
        actions: desk.actions,
        errors,
    };
    let title = match &desk.program {
        Some(p) => format!("Invitations: {}", p.name),
        None => "Invitations".to_owned(),
    };
    Ok(if view.errors.is_empty() {
        render("shared/invitations", chrome, &title, view)
    } else {
        invalid("shared/invitations", chrome, &title, view).1
    })
}

fn row(i: &Invitation, now: chrono::DateTime<chrono::Utc>) -> Row {
    let standing = i.standing(now);
    let day = |at| show_in(chrono_tz::UTC, at);
    Row {
        id: i.id,
        email: i.email.clone(),
        program: i.program_name.clone(),
        role: i.role().label(),
        standing: standing.label(),
        expired: standing == crate::domain::invitation::Standing::Expired,
        sent: day(i.sent_at),
        sends: i.sends,
        expires: day(i.expires_at),
        invited_by: i.invited_by_name.clone().unwrap_or_default(),
    }
}

/// The page as first shown.
pub async fn show(ctx: &Ctx, chrome: &Chrome, desk: &Desk, p: Option<i64>) -> Result<Template> {
    page(
        ctx,
        chrome,
        desk,
        p,
        &InviteForm::empty(),
        FormErrors::default(),
    )
    .await
}

/// Sends an invitation: back to the page with a message, or the page
/// again (422) with the form's mistakes next to its fields.
pub async fn invite(
    ctx: &Ctx,
    who: &CurrentUser,
    ip: &ClientIp,
    chrome: &Chrome,
    desk: &Desk,
    form: &InviteForm,
) -> Result<std::result::Result<Flash<Redirect>, (Status, Template)>> {
    let mut errors = FormErrors::default();
    let email = if form.email.trim().is_empty() {
        errors.add("email", "Enter the email address of the person to invite.");
        None
    } else {
        errors.check("email", EmailAddress::parse(&form.email))
    };
    let program = match &desk.program {
        Some(p) => Some(p.id),
        None => match form.program.trim().parse::<i64>() {
            Ok(id) if id > 0 => Some(ProgramId(id)),
            _ => {
                errors.add("program", "Choose the program to invite them to.");
                None
            }
        },
    };
    let role = ProgramRole::parse(&form.role);
    if role.is_none() {
        errors.add("role", "Choose a role: reviewer or program manager.");
    }
    let again = |errors| async move {
        let shown = page(ctx, chrome, desk, None, form, errors).await?;
        Ok(Err((Status::UnprocessableEntity, shown)))
    };
    let (Some(email), Some(program), Some(role)) = (email, program, role) else {
        return again(errors).await;
    };
    let input = Invite {
        email,
        program,
        role,
    };
    match invitations::invite(ctx, who, ip, input).await {
        Ok(sent) => Ok(Ok(Flash::success(
            Redirect::to(desk.base.clone()),
            format!(
                "Invitation sent to {} to be a {} of the {}. The link works for 14 days.",
                sent.email,
                sent.role().label().to_lowercase(),
                sent.program_name
            ),
        ))),
        Err(AppError::Invalid(errors)) => again(errors).await,
        Err(AppError::NotFound) if desk.program.is_none() => {
            errors.add("program", "Choose one of the programs.");
            again(errors).await
        }
        Err(AppError::OverMailLimit(limit)) => {
            errors.add("email", limit.message());
            again(errors).await
        }
        Err(e) => Err(e.into()),
    }
}

/// Where to go back to after "Send again" or "Revoke".
#[derive(FromForm)]
pub struct BackForm {
    #[field(default = String::new())]
    back: String,
}

/// Sends an invitation again, or revokes it; back to the page it was
/// asked from.
pub async fn answer(
    ctx: &Ctx,
    who: &CurrentUser,
    ip: &ClientIp,
    id: InvitationId,
    form: &BackForm,
    resend: bool,
) -> Result<Flash<Redirect>> {
    let back = Redirect::to(safe_next(Some(&form.back)));
    if resend {
        let outcome = invitations::resend(ctx, who, ip, id).await;
        told(outcome, back, |i| {
            format!(
                "Invitation sent again to {}, with a new link that works for 14 days; the earlier link no longer works.",
                i.email
            )
        })
    } else {
        let outcome = invitations::revoke(ctx, who, ip, id).await;
        told(outcome, back, |i| {
            format!(
                "The invitation to {} is revoked: its link no longer works.",
                i.email
            )
        })
    }
}
