//! The audit log page, in two places: an admin's (`/admin/audit`, every
//! entry) and managers' (`/manage/audit`, their programs' entries). Filters
//! in one bar (a GET form, so a filtered page can be bookmarked), the
//! entries newest first, 50 a page ("Older entries" continues after the
//! page's last entry), and the same entries as CSV. The work is
//! `app::audit`'s.

use rocket::http::Status;
use rocket::{Either, FromForm};
use rocket_dyn_templates::Template;
use serde::Serialize;

use super::download::Download;
use super::page::{invalid, render, Chrome, ClientIp};
use super::Result;
use crate::app::audit::{self, Asked, Line, Reader};
use crate::app::FormErrors;
use crate::context::Ctx;
use crate::domain::audit::KINDS;
use crate::domain::user::UserId;

/// Entries a page.
const PAGE_SIZE: i64 = 50;

/// The filters as sent: text, so that every mistake is told next to its
/// field.
#[derive(FromForm, Default, Debug)]
pub struct AuditQuery {
    who: Option<String>,
    kind: Option<String>,
    program: Option<String>,
    application: Option<String>,
    from: Option<String>,
    until: Option<String>,
    /// The entry the page continues after.
    before: Option<String>,
}

impl AuditQuery {
    fn asked(&self) -> Asked<'_> {
        fn text(v: &Option<String>) -> &str {
            v.as_deref().unwrap_or("")
        }
        Asked {
            who: text(&self.who),
            kind: text(&self.kind),
            program: text(&self.program),
            application: text(&self.application),
            from: text(&self.from),
            until: text(&self.until),
        }
    }

    /// The filters as a query string (without `before`), for links.
    fn query(&self) -> String {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        for (name, value) in [
            ("who", &self.who),
            ("kind", &self.kind),
            ("program", &self.program),
            ("application", &self.application),
            ("from", &self.from),
            ("until", &self.until),
        ] {
            if let Some(v) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
                q.append_pair(name, v);
            }
        }
        q.finish()
    }

    /// The filters in words, for the record of a download.
    fn described(&self) -> String {
        let q = self.query();
        if q.is_empty() {
            "no filter".to_owned()
        } else {
            format!("filter {q}")
        }
    }
}

#[derive(Serialize)]
struct Choice {
    value: String,
    label: String,
    selected: bool,
}

#[derive(Serialize)]
struct Entry {
    when: String,
    who: String,
    what: String,
    detail: String,
    client_ip: String,
}

#[derive(Serialize)]
struct AuditPage {
    admin: bool,
    base: &'static str,
    who: String,
    application: String,
    from: String,
    until: String,
    kinds: Vec<Choice>,
    programs: Vec<Choice>,
    errors: FormErrors,
    entries: Vec<Entry>,
    filtered: bool,
    /// The filters' query string, for the download and the pages.
    query: String,
    older: Option<String>,
    newest: Option<String>,
    download: String,
}

fn entry(l: &Line, admin: bool) -> Entry {
    Entry {
        when: l.at.format("%-d %b %Y %H:%M").to_string(),
        who: l.who.clone(),
        what: l.what.clone(),
        detail: l.detail.clone(),
        client_ip: if admin {
            l.client_ip.clone().unwrap_or_default()
        } else {
            String::new()
        },
    }
}

/// The programs the reader may filter by.
async fn programs(ctx: &Ctx, reader: &Reader, chosen: &str) -> Result<Vec<Choice>> {
    let mut conn = ctx.conn().await?;
    Ok(crate::db::programs::list(conn.exec())
        .await?
        .into_iter()
        .filter(|p| reader.may_see(p.id))
        .map(|p| Choice {
            selected: p.id.to_string() == chosen.trim(),
            value: p.id.to_string(),
            label: p.name,
        })
        .collect())
}

/// The page at `base` for `reader`: the filters as sent, and the entries
/// they match (none, and the mistakes next to their fields, when a filter
/// is wrong: 422).
pub async fn show(
    ctx: &Ctx,
    chrome: &Chrome,
    reader: &Reader,
    base: &'static str,
    q: &AuditQuery,
) -> Result<(Status, Template)> {
    let asked = q.asked();
    let (filter, errors) = audit::filter(ctx, reader, &asked).await?;
    let admin = matches!(reader, Reader::Admin);
    let before = q
        .before
        .as_deref()
        .and_then(|b| b.trim().parse::<i64>().ok());
    let found = if errors.is_empty() {
        Some(audit::page(ctx, &filter, before, PAGE_SIZE).await?)
    } else {
        None
    };
    let query = q.query();
    let link = |extra: Option<i64>| {
        let mut parts: Vec<String> = Vec::new();
        if !query.is_empty() {
            parts.push(query.clone());
        }
        if let Some(b) = extra {
            parts.push(format!("before={b}"));
        }
        if parts.is_empty() {
            base.to_owned()
        } else {
            format!("{base}?{}", parts.join("&"))
        }
    };
    let view = AuditPage {
        admin,
        base,
        who: asked.who.trim().to_owned(),
        application: asked.application.trim().to_owned(),
        from: asked.from.trim().to_owned(),
        until: asked.until.trim().to_owned(),
        kinds: KINDS
            .iter()
            .map(|(k, label)| Choice {
                value: (*k).to_owned(),
                label: (*label).to_owned(),
                selected: *k == asked.kind.trim(),
            })
            .collect(),
        programs: programs(ctx, reader, asked.program).await?,
        entries: found
            .as_ref()
            .map(|p| p.lines.iter().map(|l| entry(l, admin)).collect())
            .unwrap_or_default(),
        filtered: !query.is_empty(),
        older: found.as_ref().and_then(|p| p.older).map(|b| link(Some(b))),
        newest: before.map(|_| link(None)),
        download: if query.is_empty() {
            format!("{base}.csv")
        } else {
            format!("{base}.csv?{query}")
        },
        query,
        errors,
    };
    let title = "Audit log";
    Ok(if view.errors.is_empty() {
        (Status::Ok, render("shared/audit", chrome, title, view))
    } else {
        invalid("shared/audit", chrome, title, view)
    })
}

/// Every entry the filters match, as CSV; the page with the mistakes when
/// a filter is wrong.
pub async fn download(
    ctx: &Ctx,
    chrome: &Chrome,
    reader: &Reader,
    base: &'static str,
    me: UserId,
    ip: &ClientIp,
    q: &AuditQuery,
) -> Result<Either<Download, (Status, Template)>> {
    let (filter, errors) = audit::filter(ctx, reader, &q.asked()).await?;
    if !errors.is_empty() {
        return Ok(Either::Right(show(ctx, chrome, reader, base, q).await?));
    }
    let csv = audit::csv(ctx, reader, me, ip, &filter, &q.described()).await?;
    Ok(Either::Left(Download {
        reader: Box::pin(csv.file),
        content_type: "text/csv; charset=utf-8".into(),
        file_name: csv.file_name,
    }))
}
