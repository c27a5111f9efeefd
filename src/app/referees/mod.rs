//! Referees: the applicant names them (each gets a mail with a private
//! link), sends a link again or removes a referee until they answer; the
//! referee, holding only the link, uploads a letter or declines (see
//! [`letter`]).

mod letter;

pub use letter::{decline, open_request, upload_letter, Closed, OpenRequest, ANSWERED};

use chrono::{DateTime, Utc};

use crate::auth::guards::{Applicant, ClientIp};
use crate::auth::token;
use crate::context::Ctx;
use crate::db::referees::{self, Request};
use crate::db::Tx;
use crate::domain::application::ApplicationId;
use crate::domain::email::{EmailAddress, EmailError};
use crate::domain::form::QuestionKind;
use crate::domain::referee::RequestStatus;
use crate::domain::user::{NameError, PersonName};
use crate::mail::limits::{self, Ask};
use crate::mail::messages::{self, RefereeMessage};

use super::access::{self, Owned};
use super::{Error, FormErrors, Result};
/// Whether referees of the application may still be named or changed at
/// `now`.
pub fn may_change_referees(owned: &Owned, now: DateTime<Utc>) -> bool {
    !owned.application.stage.is_final() && now < owned.cycle.cycle.letters_close_at()
}

/// A referee as typed into one slot of a referee question.
pub struct RefereeInput<'a> {
    pub question: &'a str,
    /// 1-based slot in the question.
    pub position: usize,
    pub name: &'a str,
    pub email: &'a str,
    pub relationship: &'a str,
    /// `yes` or `no`: whether the applicant waives reading the letter.
    pub waiver: &'a str,
}

/// The referee a request went to.
pub struct Requested {
    pub name: String,
    pub email: String,
}

/// Names (or changes) the referee in a slot of application `id` and mails
/// them a request with a fresh link. Refused when referees can no longer
/// be changed or this one has answered; not found for a slot the form
/// does not have; `Invalid` (fields `<question>-<position>-name`, `-email`,
/// `-relationship`, `-waiver-yes`) for mistakes; over the mail limit
/// when it is reached (nothing stored).
#[tracing::instrument(skip_all, fields(id = %id))]
pub async fn name_referee(
    ctx: &Ctx,
    who: &Applicant,
    ip: &ClientIp,
    id: ApplicationId,
    input: RefereeInput<'_>,
) -> Result<Requested> {
    let o = access::owned_application(ctx, who, id).await?;
    if !may_change_referees(&o, ctx.now()) {
        return Err(Error::refused(
            "Referees can no longer be named or changed for this application.",
        ));
    }
    let max = match o.cycle.form.question(input.question).map(|q| &q.kind) {
        Some(QuestionKind::Referees { max, .. }) => *max,
        _ => return Err(Error::NotFound),
    };
    if input.position == 0 || input.position > max {
        return Err(Error::NotFound);
    }
    let prefix = format!("{}-{}", input.question, input.position);
    let mut errors = FormErrors::default();
    let name = errors.check(
        &format!("{prefix}-name"),
        PersonName::parse(input.name).map_err(|e| match e {
            NameError::Empty => "Enter the referee’s full name.",
            NameError::TooLong => "The referee’s name is too long (at most 200 characters).",
            NameError::ControlCharacters => {
                "The referee’s name cannot contain invisible control characters."
            }
        }),
    );
    let email = errors.check(
        &format!("{prefix}-email"),
        EmailAddress::parse(input.email).map_err(|e| match e {
            EmailError::Empty => "Enter the referee’s email address.".to_owned(),
            other => other.to_string(),
        }),
    );
    let applicant = who.0.user();
    if email
        .as_ref()
        .is_some_and(|e| e.as_str() == applicant.email)
    {
        errors.add(
            &format!("{prefix}-email"),
            "A referee must be someone else: enter their email address, not yours.",
        );
    }
    let relationship = input.relationship.trim();
    if relationship.is_empty() {
        errors.add(
            &format!("{prefix}-relationship"),
            "Say how you know this referee, for example “Clinical supervisor”.",
        );
    } else if relationship.chars().count() > 200 {
        errors.add(
            &format!("{prefix}-relationship"),
            "Shorten the relationship to 200 characters.",
        );
    }
    let waived = match input.waiver {
        "yes" => Some(true),
        "no" => Some(false),
        _ => {
            errors.add(
                &format!("{prefix}-waiver-yes"),
                "Choose whether you waive your right to read this letter.",
            );
            None
        }
    };
    let (Some(name), Some(email), Some(waived), true) = (name, email, waived, errors.is_empty())
    else {
        return Err(Error::Invalid(errors));
    };
    let now = ctx.now();
    let secret = token::generate();
    let mut tx = ctx.begin().await?;
    let request = referees::NewRequest {
        application_id: id,
        question_key: input.question,
        position: input.position as i64,
        name: name.as_str(),
        email: email.as_str(),
        relationship,
        waived,
        token_hash: &token::hash(&secret),
        token_expires_at: o.cycle.cycle.letters_close_at(),
    };
    let Some(request_id) = referees::put(tx.exec(), &request, now).await? else {
        return Err(Error::refused(
            "This referee has already answered, so they can no longer be changed.",
        ));
    };
    let to = Recipient {
        request_id,
        email: email.as_str(),
        name: name.as_str(),
    };
    send_request(ctx, &mut tx, &o, (who, ip), to, &secret, now).await?;
    tx.commit().await?;
    ctx.wake();
    Ok(Requested {
        name: name.as_str().to_owned(),
        email: email.as_str().to_owned(),
    })
}

/// Who a request mail goes to.
struct Recipient<'a> {
    request_id: i64,
    email: &'a str,
    name: &'a str,
}

/// Queues the request mail with its link in the caller's transaction,
/// unless the hourly limit of the referee's address, the applicant or the
/// client address is reached (then the caller must drop the transaction).
async fn send_request(
    ctx: &Ctx,
    tx: &mut Tx,
    o: &Owned,
    who: (&Applicant, &ClientIp),
    to: Recipient<'_>,
    secret: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let (applicant, ip) = who;
    let ask = Ask {
        recipient: to.email,
        account: Some(applicant.0.user().id),
        address: ip.as_deref(),
    };
    if let Err(limit) = limits::take(tx.exec(), &ask, now).await? {
        return Err(Error::OverMailLimit(limit));
    }
    let due = o.cycle.cycle.show(o.cycle.cycle.letters_due_at);
    let facts = messages::RefereeRequest {
        referee_name: to.name,
        applicant_name: &applicant.0.user().name,
        program: &o.program.name,
        due: &due,
        support: o.program.kind == crate::domain::program::ProgramKind::Nomination,
    };
    messages::referee_request(
        tx.exec(),
        &ctx.mail,
        RefereeMessage::Request,
        to.request_id,
        to.email,
        secret,
        &facts,
        now,
    )
    .await?;
    Ok(())
}

/// Request `rid`, if it belongs to application `o`.
async fn request_of(ctx: &Ctx, o: &Owned, rid: i64) -> Result<Request> {
    let mut conn = ctx.conn().await?;
    let r = referees::find(conn.exec(), rid)
        .await?
        .ok_or(Error::NotFound)?;
    if r.application_id != o.application.id {
        return Err(Error::NotFound);
    }
    Ok(r)
}

/// Sends referee `rid` of application `id` a new link (the earlier one
/// stops working). Returns the referee's name. Refused once they answered
/// or referees can no longer be changed; over the mail limit when it is
/// reached.
#[tracing::instrument(skip_all, fields(id = %id))]
pub async fn resend_request(
    ctx: &Ctx,
    who: &Applicant,
    ip: &ClientIp,
    id: ApplicationId,
    rid: i64,
) -> Result<String> {
    let o = access::owned_application(ctx, who, id).await?;
    let r = request_of(ctx, &o, rid).await?;
    let now = ctx.now();
    if !may_change_referees(&o, now) || r.status != RequestStatus::Requested {
        return Err(Error::refused("This request can no longer be sent again."));
    }
    let secret = token::generate();
    let mut tx = ctx.begin().await?;
    if !referees::renew_token(
        tx.exec(),
        rid,
        &token::hash(&secret),
        o.cycle.cycle.letters_close_at(),
        now,
    )
    .await?
    {
        return Err(Error::refused("This referee has already answered."));
    }
    let to = Recipient {
        request_id: rid,
        email: &r.email,
        name: &r.name,
    };
    send_request(ctx, &mut tx, &o, (who, ip), to, &secret, now).await?;
    tx.commit().await?;
    ctx.wake();
    Ok(r.name)
}

/// Removes referee `rid` of application `id` (their link stops working).
/// Returns their name. Refused once they answered or referees can no
/// longer be changed.
#[tracing::instrument(skip_all, fields(id = %id))]
pub async fn remove_referee(
    ctx: &Ctx,
    who: &Applicant,
    id: ApplicationId,
    rid: i64,
) -> Result<String> {
    let o = access::owned_application(ctx, who, id).await?;
    let r = request_of(ctx, &o, rid).await?;
    let refused =
        || Error::refused("This referee has already answered, so they cannot be removed.");
    if !may_change_referees(&o, ctx.now()) {
        return Err(refused());
    }
    let mut conn = ctx.conn().await?;
    if !referees::remove(conn.exec(), rid).await? {
        return Err(refused());
    }
    Ok(r.name)
}
