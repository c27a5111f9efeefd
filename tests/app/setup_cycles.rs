//! Setting cycles up in the browser: creating a cycle for a program (each
//! bad input told next to its field, nothing stored), publishing it (an
//! unpublished cycle is unknown to applicants), changing its dates (each
//! change recorded, mail only when asked, a concurrent change told), and
//! copying it to next year (exactly the form, rubric, letters and review
//! settings). One module per action; the forms' helpers here.

mod copy;
mod create;
mod dates;
mod publish;

use rocket::http::Status;

use crate::fixtures::Staff;
use crate::helpers::{Browser, Page, TestApp};

/// Fields to change in a form, by name.
pub type Changes<'a> = Vec<(&'a str, &'a str)>;

/// A cycle's fields, far in the future, with `changes` applied.
pub fn fields<'a>(changes: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut all = vec![
        ("name", "2099 cohort"),
        ("time_zone", "America/New_York"),
        ("opens_date", "2099-01-04"),
        ("opens_time", "09:00"),
        ("closes_date", "2099-03-02"),
        ("closes_time", "17:00"),
        ("letters_due_date", "2099-03-16"),
        ("letters_due_time", "17:00"),
        ("decisions_date", "2099-05-01"),
        ("decisions_time", "12:00"),
        ("grace_hours", "72"),
    ];
    for (k, v) in changes {
        match all.iter_mut().find(|(n, _)| n == k) {
            Some(field) => field.1 = v,
            None => all.push((k, v)),
        }
    }
    all
}

/// The values of a page's form inputs (text, date, time, hidden), by
/// name, HTML escapes undone.
pub fn form_values(body: &str) -> Vec<(String, String)> {
    let attr = |tag: &str, name: &str| {
        let key = format!(" {name}=\"");
        tag.find(&key).map(|i| {
            let rest = &tag[i + key.len()..];
            unescape(&rest[..rest.find('"').unwrap_or(rest.len())])
        })
    };
    body.split("<input")
        .skip(1)
        .filter_map(|t| {
            let tag = &t[..t.find('>').unwrap_or(t.len())];
            let kind = attr(tag, "type").unwrap_or_default();
            if kind == "checkbox" || kind == "radio" {
                return None;
            }
            let name = attr(tag, "name")?;
            (name != "csrf_token").then(|| (name, attr(tag, "value").unwrap_or_default()))
        })
        .collect()
}

fn unescape(s: &str) -> String {
    s.replace("&#x2F;", "/")
        .replace("&#x3D;", "=")
        .replace("&#x27;", "'")
        .replace("&#x60;", "`")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// `values` with `changes` applied.
pub fn with(values: &[(String, String)], changes: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut all = values.to_vec();
    for (k, v) in changes {
        match all.iter_mut().find(|(n, _)| n == k) {
            Some(field) => field.1 = (*v).to_owned(),
            None => all.push(((*k).to_owned(), (*v).to_owned())),
        }
    }
    all
}

pub async fn post_owned(b: &Browser, uri: &str, fields: &[(String, String)]) -> Page {
    let borrowed: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    b.post(uri, &borrowed).await
}

/// The id a redirect to `/manage/cycles/<id>` names.
pub fn cycle_in(page: &Page) -> i64 {
    assert_eq!(page.status, Status::SeeOther, "{}", page.body);
    let to = page.location.clone().unwrap();
    to.trim_start_matches("/manage/cycles/").parse().unwrap()
}

/// Health Justice's cycle and Mo, who manages the program.
pub async fn health_justice_with_mo(app: &TestApp) -> (crate::fixtures::Cycle, Staff) {
    let c = app.with_cycle().await;
    let mo = app
        .with_manager(&c, "Mo Manager", "mo@alliance.example.org")
        .await;
    (c, mo)
}

pub fn new_cycle(c: &crate::fixtures::Cycle) -> String {
    format!("/manage/programs/{}/cycles/new", c.program)
}
