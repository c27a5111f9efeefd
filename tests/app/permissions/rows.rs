//! The table of expectations: one row per mounted route (method and URI
//! exactly as Rocket names them), saying who the route is for (which fixes
//! what each column must get), what an allowed caller gets, how each
//! column fills the route's dynamic segments, and what a POST sends (the
//! same fields for every column: those that make the request succeed for
//! an allowed caller).

mod applicant;
mod apply;
mod cycles;
mod desk;
mod forms;
mod manage;
mod outcomes;
mod people;
mod programs;
mod rubric;
mod scores;
mod site;

use rocket::http::Method;

use super::roles::{Audience, Col};
use super::world::{Owner, World, NEW_PASSWORD};
use crate::fixtures::review_fields;
use crate::helpers::{pdf, PASSWORD};

/// Form fields, computed from the world.
pub type Fields = fn(&World) -> Vec<(String, String)>;

/// What a POST sends after its CSRF token.
#[derive(Clone, Copy)]
pub enum Body {
    Empty,
    Form(Fields),
    /// Multipart text fields, and a PDF in this file field if named.
    Multipart(Fields, Option<&'static str>),
    /// The release form confirming the counts the release page shows when
    /// the row runs.
    Release,
    /// The automatic assignment form with the preview's fingerprint when
    /// the row runs.
    AutoAssign,
}

/// When a row runs: GET rows first, then POST rows, in the table's order;
/// rows that end sessions last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Turn {
    Normal,
    /// Logging out ends every session of each column's user.
    EndsSessions,
    /// Logging in (as Lou, for every column) leaves no browser as it was.
    EndsAll,
}

/// One route and what each column gets from it.
pub struct Row {
    pub method: Method,
    /// As mounted, with the query (`/admin/users?<q>&<page>`).
    pub uri: &'static str,
    pub who: Audience,
    pub ok: u16,
    pub path: fn(&World, Col) -> String,
    pub body: Body,
    pub by: Owner,
    pub turn: Turn,
    /// Authenticated by a token in the path alone, with no CSRF token (a
    /// mailbox provider's one-click unsubscribe carries no cookie): a POST
    /// without one must succeed instead of getting 403.
    pub token_only: bool,
}

impl Row {
    /// `METHOD /path`: the key mounted routes are matched on, and the
    /// README's row.
    pub fn key(&self) -> String {
        format!("{} {}", self.method, self.uri)
    }

    fn by_sol(mut self) -> Self {
        self.by = Owner::Sol;
        self
    }

    fn token_only(mut self) -> Self {
        self.token_only = true;
        self
    }

    fn turn(mut self, turn: Turn) -> Self {
        self.turn = turn;
        self
    }
}

fn get(uri: &'static str, who: Audience, ok: u16, path: fn(&World, Col) -> String) -> Row {
    Row {
        method: Method::Get,
        uri,
        who,
        ok,
        path,
        body: Body::Empty,
        by: Owner::Ana,
        turn: Turn::Normal,
        token_only: false,
    }
}

fn post(
    uri: &'static str,
    who: Audience,
    ok: u16,
    path: fn(&World, Col) -> String,
    body: Body,
) -> Row {
    Row {
        method: Method::Post,
        body,
        ..get(uri, who, ok, path)
    }
}

fn owned(fields: &[(&str, &str)]) -> Vec<(String, String)> {
    fields
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// Every route's row, grouped by audience.
pub fn rows() -> Vec<Row> {
    use Audience::*;
    use Body::{Empty, Form, Multipart};
    let mut rows = vec![
        get("/", Public, 200, |_, _| "/".into()),
        get("/healthz", Public, 200, |_, _| "/healthz".into()),
        // For a scraper on this machine or holding the metrics token, and
        // nobody's browser: the same 404 as an unknown page for everyone here.
        get("/metrics", Public, 404, |_, _| "/metrics".into()),
        get("/static/<path..>", Public, 200, |_, _| {
            "/static/portal.css".into()
        }),
        get("/<_..>", Public, 404, |_, _| "/no-such-page".into()),
        post("/<_..>", Public, 404, |_, _| "/no-such-form".into(), Empty),
        // The fairing's own answer: a 403 for everyone.
        post(
            "/csrf-rejected",
            Public,
            403,
            |_, _| "/csrf-rejected".into(),
            Empty,
        ),
        get("/account/register", Public, 200, |_, _| {
            "/account/register".into()
        }),
        post(
            "/account/register",
            Public,
            303,
            |_, _| "/account/register".into(),
            Form(|_| {
                owned(&[
                    ("name", "Nell Newcomer"),
                    ("email", "nell@student.example.edu"),
                    ("password", PASSWORD),
                    ("password_confirm", PASSWORD),
                ])
            }),
        ),
        get("/account/confirm/<secret>", Public, 303, |w, c| {
            format!(
                "/account/confirm/{}",
                World::account_link(&w.links.confirm, c)
            )
        }),
        post(
            "/account/confirm/resend",
            Public,
            303,
            |_, _| "/account/confirm/resend".into(),
            Form(|w| vec![("email".into(), w.targets.uma_email.clone())]),
        ),
        get("/account/login?<next>", Public, 200, |_, _| {
            "/account/login".into()
        }),
        post(
            "/account/login",
            Public,
            303,
            |_, _| "/account/login".into(),
            Form(|w| {
                vec![
                    ("email".into(), w.targets.lou_email.clone()),
                    ("password".into(), PASSWORD.into()),
                    ("next".into(), "/".into()),
                ]
            }),
        )
        .turn(Turn::EndsAll),
        post(
            "/account/logout",
            Public,
            303,
            |_, _| "/account/logout".into(),
            Empty,
        )
        .turn(Turn::EndsSessions),
        get("/account/forgot", Public, 200, |_, _| {
            "/account/forgot".into()
        }),
        post(
            "/account/forgot",
            Public,
            303,
            |_, _| "/account/forgot".into(),
            Form(|w| vec![("email".into(), w.targets.rob_email.clone())]),
        ),
        get("/account/email", SignedIn, 200, |_, _| {
            "/account/email".into()
        }),
        post(
            "/account/email",
            SignedIn,
            422,
            |_, _| "/account/email".into(),
            Form(|_| {
                owned(&[
                    ("email", "moving@new.example.edu"),
                    ("current_password", ""),
                ])
            }),
        ),
        get("/account/email/<secret>", Public, 200, |w, _| {
            format!("/account/email/{}", w.links.email_change_peek)
        }),
        post(
            "/account/email/<secret>",
            Public,
            303,
            |w, c| {
                format!(
                    "/account/email/{}",
                    World::account_link(&w.links.email_change, c)
                )
            },
            Form(|_| vec![]),
        ),
        get("/account/reset/<secret>", Public, 200, |w, _| {
            format!("/account/reset/{}", w.links.reset_peek)
        }),
        post(
            "/account/reset/<secret>",
            Public,
            303,
            |w, c| format!("/account/reset/{}", World::account_link(&w.links.reset, c)),
            Form(|_| {
                owned(&[
                    ("password", NEW_PASSWORD),
                    ("password_confirm", NEW_PASSWORD),
                ])
            }),
        ),
        get("/account/password", SignedIn, 200, |_, _| {
            "/account/password".into()
        }),
        post(
            "/account/password",
            SignedIn,
            303,
            |_, _| "/account/password".into(),
            Form(|_| {
                owned(&[
                    ("current_password", PASSWORD),
                    ("password", NEW_PASSWORD),
                    ("password_confirm", NEW_PASSWORD),
                ])
            }),
        ),
    ];
    rows.extend(cycles::rows());
    rows.extend(apply::rows());
    rows.extend([
        get("/referee/<secret>", Referee, 200, |w, c| {
            format!("/referee/{}", w.link(c, &w.links.show))
        }),
        post(
            "/referee/<_>/letter",
            Referee,
            200,
            |w, c| format!("/referee/{}/letter", w.link(c, &w.links.letter)),
            Multipart(|_| vec![], Some("letter")),
        ),
        // Reached only when the link cannot take a letter (the first route
        // forwards), so the working link has no cell here.
        post(
            "/referee/<secret>/letter",
            DeadLink,
            200,
            |w, c| format!("/referee/{}/letter", w.link(c, &w.links.letter)),
            Multipart(|_| vec![], Some("letter")),
        ),
        post(
            "/referee/<secret>/decline",
            Referee,
            200,
            |w, c| format!("/referee/{}/decline", w.link(c, &w.links.decline)),
            Form(|_| owned(&[("note", "I am on leave this term.")])),
        ),
        get("/mail/reminders/<token>", Public, 200, |w, _| {
            format!("/mail/reminders/{}", w.links.stop)
        }),
        post(
            "/mail/reminders/<token>",
            Public,
            303,
            |w, _| format!("/mail/reminders/{}", w.links.stop),
            Form(|_| owned(&[("reminders", "off")])),
        )
        .token_only(),
        post(
            "/review/institution",
            Reviewer,
            303,
            |_, _| "/review/institution".into(),
            Form(|_| owned(&[("institution", "Northfield Institute of Health")])),
        ),
        get("/review/applications/<id>", Reviewed, 200, |w, c| {
            format!("/review/applications/{}", w.reviewed(c, w.apps.a))
        }),
        post(
            "/review/applications/<id>",
            Reviewed,
            303,
            |w, c| format!("/review/applications/{}", w.reviewed(c, w.apps.a)),
            Form(|w| review_fields(&w.programs.hj, "3", "save")),
        ),
        post(
            "/review/applications/<id>/conflict",
            Reviewed,
            303,
            |w, c| {
                format!(
                    "/review/applications/{}/conflict",
                    w.reviewed(c, w.apps.declare)
                )
            },
            Form(|_| owned(&[("reason", "I taught her last year.")])),
        ),
        get(
            "/review/applications/<id>/documents/<doc>",
            Reviewed,
            200,
            |w, c| {
                let (a, d) = w.reviewed_document(c);
                format!("/review/applications/{a}/documents/{d}")
            },
        ),
    ]);
    rows.extend(manage::rows());
    rows.extend(rubric::rows());
    rows.extend(forms::rows());
    rows.extend(outcomes::rows());
    rows.extend(applicant::rows());
    rows.extend(scores::rows());
    rows.extend(desk::rows());
    rows.extend([
        get("/admin", Admin, 303, |_, _| "/admin".into()),
        get("/admin/users?<q>&<page>", Admin, 200, |_, _| {
            "/admin/users".into()
        }),
        post(
            "/admin/users/<user_id>/grant",
            Admin,
            303,
            |w, _| format!("/admin/users/{}/grant", w.targets.gus),
            Form(|w| {
                vec![
                    ("program".into(), w.programs.p3.to_string()),
                    ("role".into(), "reviewer".into()),
                    ("back".into(), "/admin/users".into()),
                ]
            }),
        ),
        post(
            "/admin/users/<user_id>/revoke",
            Admin,
            303,
            |w, _| format!("/admin/users/{}/revoke", w.targets.gus),
            Form(|w| {
                vec![
                    ("program".into(), w.programs.p2.to_string()),
                    ("role".into(), "reviewer".into()),
                    ("back".into(), "/admin/users".into()),
                ]
            }),
        ),
        post(
            "/admin/users/<user_id>/deactivate",
            Admin,
            303,
            |w, _| format!("/admin/users/{}/deactivate", w.targets.gus),
            Form(|_| owned(&[("back", "/admin/users")])),
        ),
        post(
            "/admin/users/<user_id>/reactivate",
            Admin,
            303,
            |w, _| format!("/admin/users/{}/reactivate", w.targets.gus),
            Form(|_| owned(&[("back", "/admin/users")])),
        ),
        get("/admin/outbox?<status>&<page>", Admin, 200, |_, _| {
            "/admin/outbox".into()
        }),
        post(
            "/admin/outbox/<id>/resend",
            Admin,
            303,
            |w, _| format!("/admin/outbox/{}/resend", w.targets.failed_message),
            Empty,
        ),
    ]);
    rows.extend(programs::rows());
    rows.extend(site::rows());
    rows.extend(people::rows());
    rows.push(people::accept());
    rows.push(people::new_account());
    rows
}

/// The PDF a multipart row sends in its file field.
pub fn letter() -> Vec<u8> {
    pdf("a strong letter")
}
