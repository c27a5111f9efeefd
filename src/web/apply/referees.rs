//! Naming referees: each gets a mail with a private link; the applicant can
//! send it again, change or remove a referee until a letter arrives, and
//! sees only whether each letter was requested, received or declined.

use rocket::form::Form;
use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use rocket::Either;
use rocket::{get, post, routes, FromForm, Route, State};
use rocket_dyn_templates::Template;
use serde::Serialize;

use super::view::RefereeView;
use super::{load_owned, Owned};
use crate::auth::guards::Applicant;
use crate::auth::token;
use crate::db::{referees, Db, Tx};
use crate::domain::email::{EmailAddress, EmailError};
use crate::domain::form::QuestionKind;
use crate::domain::outbox::LimitScope;
use crate::domain::referee::RequestStatus;
use crate::domain::user::{NameError, PersonName};
use crate::mail::limits::{self, Ask};
use crate::mail::messages::{self, RefereeMessage};
use crate::mail::Mail;
use crate::web::page::{render, Chrome, ClientIp, FormErrors};
use crate::web::{Error, Result};

pub fn routes() -> Vec<Route> {
    routes![show_referees, name_referee, resend, remove]
}

#[derive(Serialize, Default, Clone)]
struct SlotView {
    question: String,
    position: usize,
    prefix: String,
    request: Option<RefereeView>,
    name: String,
    email: String,
    relationship: String,
    waived: Option<bool>,
    name_id: String,
    email_id: String,
    relationship_id: String,
    waiver_id: String,
    name_error: Option<String>,
    email_error: Option<String>,
    relationship_error: Option<String>,
    waiver_error: Option<String>,
}

#[derive(Serialize)]
struct QuestionSlots {
    key: String,
    label: String,
    help: Option<String>,
    min: usize,
    slots: Vec<SlotView>,
}

#[derive(Serialize)]
struct RefereesPage {
    application_id: i64,
    program_name: String,
    letters_due: String,
    open: bool,
    questions: Vec<QuestionSlots>,
    errors: FormErrors,
}

/// Whether referees may still be named or changed.
fn open(o: &Owned) -> bool {
    !o.application.stage.is_final() && crate::clock::now() < o.cycle.cycle.letters_close_at()
}

async fn page(
    db: &Db,
    o: &Owned,
    errors: FormErrors,
    typed: Option<&RefereeForm>,
) -> Result<RefereesPage> {
    let mut conn = db.conn().await?;
    let requests = referees::for_application(conn.exec(), o.application.id).await?;
    let questions = o
        .cycle
        .form
        .questions()
        .filter_map(|q| match q.kind {
            QuestionKind::Referees { min, max } => Some((q, min, max)),
            _ => None,
        })
        .map(|(q, min, max)| QuestionSlots {
            key: q.key.clone(),
            label: q.label.clone(),
            help: q.help.clone(),
            min,
            slots: (1..=max)
                .map(|position| {
                    let request = requests
                        .iter()
                        .find(|r| r.question_key == q.key && r.position == position as i64);
                    let prefix = format!("{}-{position}", q.key);
                    let id = |field: &str| format!("{prefix}-{field}");
                    let error = |field: &str| errors.fields.get(&id(field)).cloned();
                    let mut slot = SlotView {
                        question: q.key.clone(),
                        position,
                        name_id: id("name"),
                        email_id: id("email"),
                        relationship_id: id("relationship"),
                        waiver_id: id("waiver-yes"),
                        name_error: error("name"),
                        email_error: error("email"),
                        relationship_error: error("relationship"),
                        waiver_error: error("waiver-yes"),
                        prefix: prefix.clone(),
                        request: request.map(RefereeView::from),
                        name: request.map(|r| r.name.clone()).unwrap_or_default(),
                        email: request.map(|r| r.email.clone()).unwrap_or_default(),
                        relationship: request.map(|r| r.relationship.clone()).unwrap_or_default(),
                        waived: request.map(|r| r.waived),
                    };
                    if let Some(t) = typed.filter(|t| t.question == q.key && t.position == position)
                    {
                        slot.name = t.name.clone();
                        slot.email = t.email.clone();
                        slot.relationship = t.relationship.clone();
                        slot.waived = match t.waiver.as_str() {
                            "yes" => Some(true),
                            "no" => Some(false),
                            _ => None,
                        };
                    }
                    slot
                })
                .collect(),
        })
        .collect();
    Ok(RefereesPage {
        application_id: o.application.id,
        program_name: o.program.name.clone(),
        letters_due: o.cycle.cycle.show(o.cycle.cycle.letters_due_at),
        open: open(o),
        questions,
        errors,
    })
}

#[get("/applications/<id>/referees")]
async fn show_referees(who: Applicant, db: &Db, chrome: Chrome, id: i64) -> Result<Template> {
    let mut conn = db.conn().await?;
    let o = load_owned(&mut conn, &who, id).await?;
    let p = page(db, &o, FormErrors::default(), None).await?;
    Ok(render("apply/referees", &chrome, "Your referees", p))
}

#[derive(FromForm)]
struct RefereeForm {
    #[field(default = String::new())]
    question: String,
    #[field(default = 0)]
    position: usize,
    #[field(default = String::new())]
    name: String,
    #[field(default = String::new())]
    email: String,
    #[field(default = String::new())]
    relationship: String,
    #[field(default = String::new())]
    waiver: String,
}

/// Who a request mail goes to.
struct Recipient<'a> {
    request_id: i64,
    email: &'a str,
    name: &'a str,
}

/// Sends the request mail with a fresh link, in the caller's transaction,
/// unless the hourly limit of the referee's address, the applicant or the
/// client address is reached (then the caller drops the transaction).
async fn send_request(
    tx: &mut Tx,
    mail: &Mail,
    o: &Owned,
    who: (&Applicant, &ClientIp),
    to: Recipient<'_>,
    secret: &str,
) -> Result<std::result::Result<(), LimitScope>> {
    let Recipient {
        request_id,
        email: to,
        name: referee_name,
    } = to;
    let (applicant, ip) = who;
    let applicant_name = &applicant.0.user().name;
    let ask = Ask {
        recipient: to,
        account: Some(applicant.0.user().id),
        address: ip.0.as_deref(),
    };
    if let Err(limit) = limits::take(tx.exec(), &ask, crate::clock::now()).await? {
        return Ok(Err(limit));
    }
    let due = o.cycle.cycle.show(o.cycle.cycle.letters_due_at);
    let ctx = messages::RefereeRequest {
        referee_name,
        applicant_name,
        program: &o.program.name,
        due: &due,
    };
    let now = crate::clock::now();
    messages::referee_request(
        tx.exec(),
        mail,
        RefereeMessage::Request,
        request_id,
        to,
        secret,
        &ctx,
        now,
    )
    .await?;
    Ok(Ok(()))
}

#[post("/applications/<id>/referees", data = "<form>")]
async fn name_referee(
    who: Applicant,
    db: &Db,
    mail: &State<Mail>,
    chrome: Chrome,
    ip: ClientIp,
    id: i64,
    form: Form<RefereeForm>,
) -> Result<Either<Flash<Redirect>, (Status, Template)>> {
    let mut conn = db.conn().await?;
    let o = load_owned(&mut conn, &who, id).await?;
    drop(conn);
    let back = Redirect::to(format!("/apply/applications/{id}/referees"));
    if !open(&o) {
        return Ok(Either::Left(Flash::error(
            back,
            "Referees can no longer be named or changed for this application.",
        )));
    }
    let max = match o.cycle.form.question(&form.question).map(|q| &q.kind) {
        Some(QuestionKind::Referees { max, .. }) => *max,
        _ => return Err(Error::NotFound),
    };
    if form.position == 0 || form.position > max {
        return Err(Error::NotFound);
    }
    let prefix = format!("{}-{}", form.question, form.position);
    let mut errors = FormErrors::default();
    let name = errors.check(
        &format!("{prefix}-name"),
        PersonName::parse(&form.name).map_err(|e| match e {
            NameError::Empty => "Enter the referee’s full name.",
            NameError::TooLong => "The referee’s name is too long (at most 200 characters).",
            NameError::ControlCharacters => {
                "The referee’s name cannot contain invisible control characters."
            }
        }),
    );
    let email = errors.check(
        &format!("{prefix}-email"),
        EmailAddress::parse(&form.email).map_err(|e| match e {
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
    let relationship = form.relationship.trim();
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
    let waived = match form.waiver.as_str() {
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
        let p = page(db, &o, errors, Some(&form)).await?;
        return Ok(Either::Right((
            Status::UnprocessableEntity,
            render("apply/referees", &chrome, "Error: Your referees", p),
        )));
    };
    let now = crate::clock::now();
    let secret = token::generate();
    let mut tx = db.begin().await?;
    let request = referees::NewRequest {
        application_id: id,
        question_key: &form.question,
        position: form.position as i64,
        name: name.as_str(),
        email: email.as_str(),
        relationship,
        waived,
        token_hash: &token::hash(&secret),
        token_expires_at: o.cycle.cycle.letters_close_at(),
    };
    let Some(request_id) = referees::put(tx.exec(), &request, now).await? else {
        return Ok(Either::Left(Flash::error(
            back,
            "This referee has already answered, so they can no longer be changed.",
        )));
    };
    let sent = send_request(
        &mut tx,
        mail,
        &o,
        (&who, &ip),
        Recipient {
            request_id,
            email: email.as_str(),
            name: name.as_str(),
        },
        &secret,
    )
    .await?;
    if let Err(limit) = sent {
        drop(tx);
        errors.add(&format!("{prefix}-email"), limit.message());
        let p = page(db, &o, errors, Some(&form)).await?;
        return Ok(Either::Right((
            Status::TooManyRequests,
            render("apply/referees", &chrome, "Error: Your referees", p),
        )));
    }
    tx.commit().await?;
    mail.wake();
    Ok(Either::Left(Flash::success(
        back,
        format!(
            "We sent {} a request for a letter, at {}.",
            name.as_str(),
            email.as_str()
        ),
    )))
}

async fn waiting_request(db: &Db, o: &Owned, rid: i64) -> Result<referees::Request> {
    let mut conn = db.conn().await?;
    let r = referees::find(conn.exec(), rid)
        .await?
        .ok_or(Error::NotFound)?;
    if r.application_id != o.application.id {
        return Err(Error::NotFound);
    }
    Ok(r)
}

#[post("/applications/<id>/referees/<rid>/resend")]
async fn resend(
    who: Applicant,
    db: &Db,
    mail: &State<Mail>,
    ip: ClientIp,
    id: i64,
    rid: i64,
) -> Result<Flash<Redirect>> {
    let mut conn = db.conn().await?;
    let o = load_owned(&mut conn, &who, id).await?;
    drop(conn);
    let back = Redirect::to(format!("/apply/applications/{id}/referees"));
    let r = waiting_request(db, &o, rid).await?;
    if !open(&o) || r.status != RequestStatus::Requested {
        return Ok(Flash::error(
            back,
            "This request can no longer be sent again.",
        ));
    }
    let now = crate::clock::now();
    let secret = token::generate();
    let mut tx = db.begin().await?;
    if !referees::renew_token(
        tx.exec(),
        rid,
        &token::hash(&secret),
        o.cycle.cycle.letters_close_at(),
        now,
    )
    .await?
    {
        return Ok(Flash::error(back, "This referee has already answered."));
    }
    let sent = send_request(
        &mut tx,
        mail,
        &o,
        (&who, &ip),
        Recipient {
            request_id: rid,
            email: &r.email,
            name: &r.name,
        },
        &secret,
    )
    .await?;
    if let Err(limit) = sent {
        drop(tx);
        return Ok(Flash::error(back, limit.message()));
    }
    tx.commit().await?;
    mail.wake();
    Ok(Flash::success(
        back,
        format!(
            "We sent {} a new link. The earlier one no longer works.",
            r.name
        ),
    ))
}

#[post("/applications/<id>/referees/<rid>/remove")]
async fn remove(who: Applicant, db: &Db, id: i64, rid: i64) -> Result<Flash<Redirect>> {
    let mut conn = db.conn().await?;
    let o = load_owned(&mut conn, &who, id).await?;
    drop(conn);
    let back = Redirect::to(format!("/apply/applications/{id}/referees"));
    let r = waiting_request(db, &o, rid).await?;
    let mut conn = db.conn().await?;
    if !open(&o) || !referees::remove(conn.exec(), rid).await? {
        return Ok(Flash::error(
            back,
            "This referee has already answered, so they cannot be removed.",
        ));
    }
    Ok(Flash::success(
        back,
        format!(
            "{} is no longer a referee; their link no longer works.",
            r.name
        ),
    ))
}
