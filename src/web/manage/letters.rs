//! Decision letter templates per cycle and outcome: edited in the browser
//! with a preview for a sample application; a template the letter check
//! refuses (see `domain::letter`) is refused on save with the reason next
//! to its field, and a stored one that no longer passes shows the reason
//! when opened.

use rocket::form::Form;
use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use rocket::{get, post, routes, FromForm, Route};
use rocket_dyn_templates::Template;
use serde::Serialize;

use super::{audit_action, load_cycle};
use crate::auth::guards::Manager;
use crate::db::cycles::CycleWithForm;
use crate::db::{decisions, programs, Db};
use crate::domain::letter::{self, LetterError, LetterFacts, Part, FIELDS};
use crate::domain::workflow::decision::Outcome;
use crate::web::page::{invalid, render, Chrome, ClientIp, FormErrors};
use crate::web::{Error, Result};

pub fn routes() -> Vec<Route> {
    routes![list_letters, show_letter, save_letter]
}

#[derive(Serialize)]
struct LetterRow {
    outcome: &'static str,
    label: &'static str,
    subject: String,
    custom: bool,
}

#[derive(Serialize)]
struct ListPage {
    cycle_id: i64,
    cycle_name: String,
    letters: Vec<LetterRow>,
}

/// The stored template for an outcome, or the shipped one.
async fn current(db: &Db, cycle: i64, outcome: Outcome) -> Result<(String, String, bool)> {
    let mut conn = db.conn().await?;
    Ok(
        match decisions::template(conn.exec(), cycle, outcome.as_str()).await? {
            Some((s, b)) => (s, b, true),
            None => {
                let (s, b) = letter::default_for(outcome);
                (s.to_owned(), b.to_owned(), false)
            }
        },
    )
}

#[get("/cycles/<id>/letters")]
async fn list_letters(who: Manager, db: &Db, chrome: Chrome, id: i64) -> Result<Template> {
    let c = load_cycle(&who, db, id).await?;
    let mut letters = Vec::new();
    for o in Outcome::ALL {
        let (subject, _, custom) = current(db, id, o).await?;
        letters.push(LetterRow {
            outcome: o.as_str(),
            label: o.label(),
            subject,
            custom,
        });
    }
    let page = ListPage {
        cycle_id: id,
        cycle_name: c.cycle.name.clone(),
        letters,
    };
    let title = format!("Decision letters – {}", c.cycle.name);
    Ok(render("manage/letters", &chrome, &title, page))
}

#[derive(Serialize)]
struct Field {
    name: &'static str,
    meaning: &'static str,
}

#[derive(Serialize)]
struct Preview {
    subject: String,
    text: String,
}

#[derive(Serialize)]
struct EditPage {
    cycle_id: i64,
    cycle_name: String,
    outcome: &'static str,
    label: &'static str,
    subject: String,
    body: String,
    fields: Vec<Field>,
    preview: Option<Preview>,
    errors: FormErrors,
}

async fn program_name(db: &Db, c: &CycleWithForm) -> Result<String> {
    let mut conn = db.conn().await?;
    Ok(programs::name_of(conn.exec(), c.cycle.program_id).await?)
}

fn edit_page(
    c: &CycleWithForm,
    outcome: Outcome,
    subject: String,
    body: String,
    preview: Option<Preview>,
    errors: FormErrors,
) -> EditPage {
    EditPage {
        cycle_id: c.cycle.id,
        cycle_name: c.cycle.name.clone(),
        outcome: outcome.as_str(),
        label: outcome.label(),
        subject,
        body,
        fields: FIELDS
            .iter()
            .map(|f| Field {
                name: f.name,
                meaning: f.meaning,
            })
            .collect(),
        preview,
        errors,
    }
}

/// Where a template problem is shown.
fn field_of(e: &LetterError) -> &'static str {
    match e.part() {
        Part::Subject => "subject",
        Part::Letter => "body",
    }
}

/// The problem with a template, recorded against its field.
fn errors_of(e: LetterError) -> FormErrors {
    let mut errors = FormErrors::default();
    errors.add(field_of(&e), e);
    errors
}

#[get("/cycles/<id>/letters/<outcome>")]
async fn show_letter(
    who: Manager,
    db: &Db,
    chrome: Chrome,
    id: i64,
    outcome: &str,
) -> Result<Template> {
    let c = load_cycle(&who, db, id).await?;
    let outcome = Outcome::parse(outcome).ok_or(Error::NotFound)?;
    let (subject, body, _) = current(db, id, outcome).await?;
    let program = program_name(db, &c).await?;
    // A template stored before a rule existed opens with the reason it
    // would now be refused (and would stop a release).
    let (preview, errors) = match letter::render(
        &subject,
        &body,
        &LetterFacts::sample(&program, &c.cycle.name),
    ) {
        Ok(r) => (
            Some(Preview {
                subject: r.subject,
                text: r.text,
            }),
            FormErrors::default(),
        ),
        Err(e) => (None, errors_of(e)),
    };
    let title = format!("{} letter – {}", outcome.label(), c.cycle.name);
    Ok(render(
        "manage/letter",
        &chrome,
        &title,
        edit_page(&c, outcome, subject, body, preview, errors),
    ))
}

#[derive(FromForm)]
struct LetterForm {
    #[field(default = String::new())]
    subject: String,
    #[field(default = String::new())]
    body: String,
    /// `preview` or `save`.
    #[field(default = String::new())]
    action: String,
}

#[post("/cycles/<id>/letters/<outcome>", data = "<form>")]
async fn save_letter(
    who: Manager,
    db: &Db,
    chrome: Chrome,
    ip: ClientIp,
    id: i64,
    outcome: &str,
    form: Form<LetterForm>,
) -> Result<std::result::Result<Flash<Redirect>, (Status, Template)>> {
    let c = load_cycle(&who, db, id).await?;
    let outcome = Outcome::parse(outcome).ok_or(Error::NotFound)?;
    let program = program_name(db, &c).await?;
    let title = format!("{} letter – {}", outcome.label(), c.cycle.name);
    let checked = letter::render(
        &form.subject,
        &form.body,
        &LetterFacts::sample(&program, &c.cycle.name),
    );
    let rendered = match checked {
        Ok(r) => r,
        Err(e) => {
            let errors = errors_of(e);
            return Ok(Err(invalid(
                "manage/letter",
                &chrome,
                &title,
                edit_page(
                    &c,
                    outcome,
                    form.subject.clone(),
                    form.body.clone(),
                    None,
                    errors,
                ),
            )));
        }
    };
    if form.action != "save" {
        let preview = Preview {
            subject: rendered.subject,
            text: rendered.text,
        };
        return Ok(Err((
            Status::Ok,
            render(
                "manage/letter",
                &chrome,
                &title,
                edit_page(
                    &c,
                    outcome,
                    form.subject.clone(),
                    form.body.clone(),
                    Some(preview),
                    FormErrors::default(),
                ),
            ),
        )));
    }
    let now = crate::clock::now();
    let mut tx = db.begin().await?;
    decisions::put_template(
        tx.exec(),
        id,
        outcome.as_str(),
        form.subject.trim(),
        &form.body,
        who.0.user().id,
        now,
    )
    .await?;
    audit_action(
        tx.exec(),
        &who,
        &ip,
        "letter.save",
        &format!("cycle:{id}"),
        outcome.as_str(),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Ok(Flash::success(
        Redirect::to(format!("/manage/cycles/{id}/letters/{}", outcome.as_str())),
        "Letter saved. It is used for every letter of this outcome released from now on.",
    )))
}
