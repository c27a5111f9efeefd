//! Programs as their admins and managers change them: an admin creates a
//! program and archives or brings it back; an admin, or a manager of the
//! program, edits its details (only an admin its short name). Each change
//! is audited with the old and new values in words. Also what the public
//! pages read: the listed programs with their calls, and one program's
//! page, with the contact address applicants are shown.

use crate::auth::guards::{Admin, ClientIp, CurrentUser};
use crate::context::Ctx;
use crate::db::programs::{Call, Overview};
use crate::db::{self, programs};
use crate::domain::program::{
    may_edit, Program, ProgramError, ProgramFields, ProgramId, ProgramInput,
};

use super::{By, Error, FormErrors, Result};

/// The mistakes of a program form, each against its field.
fn field_errors(errors: Vec<(&'static str, ProgramError)>) -> Error {
    let mut out = FormErrors::default();
    for (field, e) in errors {
        out.add(field, e);
    }
    Error::Invalid(out)
}

/// A taken short name, against its field.
fn slug_taken(slug: &str) -> Error {
    Error::invalid("slug", ProgramError::SlugTaken(slug.to_owned()))
}

/// Program `id`, if `who` may edit it (an admin, or one of its managers);
/// not found otherwise, as for a program that does not exist.
#[tracing::instrument(skip_all, fields(id = %id))]
pub async fn program_for_editor(ctx: &Ctx, who: &CurrentUser, id: ProgramId) -> Result<Program> {
    if !may_edit(who.roles(), id) {
        return Err(Error::NotFound);
    }
    let mut conn = ctx.conn().await?;
    programs::find(conn.exec(), id)
        .await?
        .ok_or(Error::NotFound)
}

/// Every program with its number of cycles, for the admin's list.
#[tracing::instrument(skip_all)]
pub async fn overview(ctx: &Ctx, _who: &Admin) -> Result<Vec<Overview>> {
    let mut conn = ctx.conn().await?;
    Ok(programs::overview(conn.exec()).await?)
}

/// Creates a program from `input` (which must have a short name).
/// Refuses, field by field, what [`ProgramFields::read`] does not accept
/// and a short name another program has.
#[tracing::instrument(skip_all)]
pub async fn create(
    ctx: &Ctx,
    who: &Admin,
    ip: &ClientIp,
    input: &ProgramInput<'_>,
) -> Result<Program> {
    let input = ProgramInput {
        slug: Some(input.slug.unwrap_or("")),
        ..*input
    };
    let fields = ProgramFields::read(&input).map_err(field_errors)?;
    let slug = fields.slug.clone().unwrap_or_default();
    let now = ctx.now();
    let mut tx = ctx.begin().await?;
    let id = match programs::insert(tx.exec(), &slug, &fields).await {
        Ok(id) => id,
        Err(e) if db::is_unique_violation(&e) => return Err(slug_taken(&slug)),
        Err(e) => return Err(e.into()),
    };
    let detail = format!(
        "{} ({}), {}, {}",
        fields.name,
        slug,
        fields.kind.label(),
        crate::domain::program::listing(fields.public)
    );
    By::user(who.0.user().id, ip.as_deref())
        .audit(
            tx.exec(),
            "program.create",
            &format!("program:{id}"),
            &detail,
            now,
        )
        .await?;
    let program = programs::find(tx.exec(), id)
        .await?
        .ok_or(Error::NotFound)?;
    tx.commit().await?;
    Ok(program)
}

/// Saves program `id`'s details from `input`. An admin or a manager of
/// the program may (anyone else: not found); a short name only an admin
/// (a manager's form has none, and one sent is refused against its field).
/// Refuses, field by field, what [`ProgramFields::read`] does not accept
/// and a short name another program has. Returns the program as saved and
/// whether anything changed.
#[tracing::instrument(skip_all, fields(id = %id))]
pub async fn edit(
    ctx: &Ctx,
    who: &CurrentUser,
    ip: &ClientIp,
    id: ProgramId,
    input: &ProgramInput<'_>,
) -> Result<(Program, bool)> {
    program_for_editor(ctx, who, id).await?;
    let fields = ProgramFields::read(input).map_err(field_errors)?;
    if fields.slug.is_some() && !who.roles().admin {
        return Err(Error::invalid(
            "slug",
            "Only an admin can change the short name.",
        ));
    }
    let now = ctx.now();
    let mut tx = ctx.begin().await?;
    programs::lock(tx.exec(), id).await?;
    let old = programs::find(tx.exec(), id)
        .await?
        .ok_or(Error::NotFound)?;
    let changes = fields.changes_from(&old);
    if changes.is_empty() {
        return Ok((old, false));
    }
    match programs::update(tx.exec(), id, &fields).await {
        Ok(()) => {}
        Err(e) if db::is_unique_violation(&e) => {
            return Err(slug_taken(fields.slug.as_deref().unwrap_or_default()))
        }
        Err(e) => return Err(e.into()),
    }
    By::user(who.user().id, ip.as_deref())
        .audit(
            tx.exec(),
            "program.edit",
            &format!("program:{id}"),
            &changes.join("; "),
            now,
        )
        .await?;
    let program = programs::find(tx.exec(), id)
        .await?
        .ok_or(Error::NotFound)?;
    tx.commit().await?;
    Ok((program, true))
}

/// Archives program `id` (`archive`), or brings it back. Archiving an
/// archived program, or bringing back one that is not, changes nothing
/// and is refused in words.
#[tracing::instrument(skip_all, fields(id = %id))]
pub async fn set_archived(
    ctx: &Ctx,
    who: &Admin,
    ip: &ClientIp,
    id: ProgramId,
    archive: bool,
) -> Result<Program> {
    let now = ctx.now();
    let mut tx = ctx.begin().await?;
    programs::lock(tx.exec(), id).await?;
    let old = programs::find(tx.exec(), id)
        .await?
        .ok_or(Error::NotFound)?;
    if old.is_archived() == archive {
        return Err(Error::refused(if archive {
            "That program is already archived."
        } else {
            "That program is not archived."
        }));
    }
    programs::set_archived(tx.exec(), id, archive.then_some(now)).await?;
    let (action, detail) = if archive {
        ("program.archive", "archived: no → yes")
    } else {
        ("program.unarchive", "archived: yes → no")
    };
    By::user(who.0.user().id, ip.as_deref())
        .audit(tx.exec(), action, &format!("program:{id}"), detail, now)
        .await?;
    let program = programs::find(tx.exec(), id)
        .await?
        .ok_or(Error::NotFound)?;
    tx.commit().await?;
    Ok(program)
}

/// The contact address applicants are shown for `program`: its own, else
/// the portal's (as its mail footer gives it).
pub fn contact_for(ctx: &Ctx, program: &Program) -> String {
    if program.contact_email.is_empty() {
        crate::mail::layout::Sender::from_config(&ctx.config).contact
    } else {
        program.contact_email.clone()
    }
}

/// The calls on the home page: each listed, unarchived program with its
/// current or next cycle.
#[tracing::instrument(skip_all)]
pub async fn public_calls(ctx: &Ctx) -> Result<Vec<Call>> {
    let mut conn = ctx.conn().await?;
    Ok(programs::public_calls(conn.exec(), ctx.now()).await?)
}

/// The program whose short name is `slug`, with its current or next
/// cycle and the contact address applicants are shown. Hidden and
/// archived programs are found too (the page says what it may).
#[tracing::instrument(skip_all)]
pub async fn public_program(ctx: &Ctx, slug: &str) -> Result<(Call, String)> {
    let mut conn = ctx.conn().await?;
    let call = programs::call_by_slug(conn.exec(), slug, ctx.now())
        .await?
        .ok_or(Error::NotFound)?;
    let contact = contact_for(ctx, &call.program);
    Ok((call, contact))
}
