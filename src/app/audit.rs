//! The audit log, readable: an admin reads every entry, a manager the
//! entries filed under their programs; each entry in words ("Mo Manager
//! released decisions for 2027 cohort (Health Justice Fellowship)"),
//! filtered by person, kind of action, program, application and dates,
//! a page at a time, or all that match as CSV (itself recorded). And an
//! application's own history and who downloaded its documents, for its
//! page. Names no page or response type.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use tokio::io::AsyncWriteExt;

use super::export::{rewound, temp_file, CsvFile};
use super::{By, FormErrors, Result};
use crate::auth::guards::ClientIp;
use crate::context::Ctx;
use crate::db::audit::{self, Filter, Row};
use crate::db::{users, Conn};
use crate::domain::application::ApplicationId;
use crate::domain::audit::{is_kind, phrase, Subject};
use crate::domain::email::EmailAddress;
use crate::domain::program::ProgramId;
use crate::domain::user::UserId;

/// Who reads the log.
#[derive(Debug, Clone)]
pub enum Reader {
    /// Every entry.
    Admin,
    /// The entries filed under the programs they manage, but for those
    /// about their own application (as everywhere, a manager who applied
    /// sees nothing of its review).
    Manager {
        programs: Vec<ProgramId>,
        me: UserId,
    },
}

impl Reader {
    fn scope(&self) -> Filter {
        match self {
            Self::Admin => Filter::default(),
            Self::Manager { programs, me } => Filter {
                scope: Some(programs.clone()),
                hide_applicant: Some(*me),
                ..Filter::default()
            },
        }
    }

    /// Whether the reader may ask for program `id`'s entries.
    pub fn may_see(&self, id: ProgramId) -> bool {
        match self {
            Self::Admin => true,
            Self::Manager { programs, .. } => programs.contains(&id),
        }
    }
}

/// The filters as typed (each may be empty).
#[derive(Debug, Clone, Default)]
pub struct Asked<'a> {
    pub who: &'a str,
    pub kind: &'a str,
    pub program: &'a str,
    pub application: &'a str,
    pub from: &'a str,
    pub until: &'a str,
}

/// The filter `asked` means for `reader`, and what is wrong with it (each
/// mistake against its field; a wrong filter is left out, not guessed).
pub async fn filter(ctx: &Ctx, reader: &Reader, asked: &Asked<'_>) -> Result<(Filter, FormErrors)> {
    let mut errors = FormErrors::default();
    let mut f = reader.scope();
    let who = asked.who.trim();
    if !who.is_empty() {
        match EmailAddress::parse(who) {
            Err(_) => errors.add(
                "who",
                "Enter the person’s email address, such as mo@alliance.org.",
            ),
            Ok(email) => {
                let mut conn = ctx.conn().await?;
                match users::find_by_email(conn.exec(), email.as_str()).await? {
                    Some((user, _)) => f.actor = Some(user.id),
                    None => errors.add("who", format!("No account has the address {email}.")),
                }
            }
        }
    }
    let kind = asked.kind.trim();
    if !kind.is_empty() {
        if is_kind(kind) {
            f.kind = Some(kind.to_owned());
        } else {
            errors.add("kind", "Choose a kind of action from the list.");
        }
    }
    let program = asked.program.trim();
    if !program.is_empty() {
        match program.parse::<i64>().map(ProgramId) {
            Ok(id) if reader.may_see(id) => f.program = Some(id),
            _ => errors.add("program", "Choose one of the programs in the list."),
        }
    }
    let application = asked.application.trim().trim_start_matches('#');
    if !application.is_empty() {
        match application.parse::<i64>() {
            Ok(id) if id > 0 => f.application = Some(ApplicationId(id)),
            _ => errors.add(
                "application",
                "Enter an application’s number, such as 12 (as in “Application #12”).",
            ),
        }
    }
    let day = |field: &str, text: &str, errors: &mut FormErrors| -> Option<NaiveDate> {
        let text = text.trim();
        if text.is_empty() {
            return None;
        }
        let parsed = NaiveDate::parse_from_str(text, "%Y-%m-%d");
        if parsed.is_err() {
            errors.add(field, "Enter a date such as 2027-05-31.");
        }
        parsed.ok()
    };
    let from = day("from", asked.from, &mut errors);
    let until = day("until", asked.until, &mut errors);
    if let (Some(a), Some(b)) = (from, until) {
        if b < a {
            errors.add("until", "The last day is before the first day.");
        }
    }
    let start = |d: NaiveDate| d.and_hms_opt(0, 0, 0).map(|t| t.and_utc());
    f.from = from.and_then(start);
    // Up to the end of the last day.
    f.until = until.and_then(|d| d.succ_opt()).and_then(start);
    Ok((f, errors))
}

/// An entry in words.
#[derive(Debug, Clone)]
pub struct Line {
    pub id: i64,
    pub at: DateTime<Utc>,
    /// Who did it (their name), or "The portal".
    pub who: String,
    pub who_email: Option<String>,
    /// The sentence, after the name: "released decisions for 2027 cohort
    /// (Health Justice Fellowship)".
    pub what: String,
    pub action: String,
    pub detail: String,
    pub client_ip: Option<String>,
    pub program: Option<String>,
    pub application: Option<i64>,
}

/// Entry `r` in words; `names` holds the accounts entries are about.
fn line(r: &Row, names: &HashMap<UserId, String>) -> Line {
    let object = match Subject::parse(&r.subject) {
        Subject::Application(id) => Some(match &r.applicant_name {
            Some(name) => format!("application #{id} ({name})"),
            None => format!("application #{id}"),
        }),
        Subject::Cycle(_) => r.cycle_name.as_ref().map(|c| match &r.program_name {
            Some(p) => format!("{c} ({p})"),
            None => c.clone(),
        }),
        Subject::Program(_) => r.program_name.clone(),
        Subject::Invitation(_) => Some(match &r.program_name {
            Some(p) => format!("an invitation to {p}"),
            None => "an invitation".to_owned(),
        }),
        // An account made from an invitation is its own subject.
        Subject::User(_) if r.action == "account.create" => None,
        Subject::User(id) => names.get(&UserId(id)).cloned(),
        Subject::Other => None,
    };
    let what = match object {
        Some(o) => format!("{} {o}", phrase(&r.action)),
        None => phrase(&r.action).to_owned(),
    };
    Line {
        id: r.id,
        at: r.created_at,
        who: r
            .actor_name
            .clone()
            .unwrap_or_else(|| "The portal".to_owned()),
        who_email: r.actor_email.clone(),
        what,
        action: r.action.clone(),
        detail: r.detail.clone(),
        client_ip: r.client_ip.clone(),
        program: r.program_name.clone(),
        application: r.application_id,
    }
}

/// Rows in words, with the names of the accounts they are about.
async fn lines(conn: &mut Conn, rows: &[Row]) -> Result<Vec<Line>> {
    let mut about: Vec<UserId> = rows
        .iter()
        .filter_map(|r| match Subject::parse(&r.subject) {
            Subject::User(id) => Some(UserId(id)),
            _ => None,
        })
        .collect();
    about.sort_unstable();
    about.dedup();
    let names: HashMap<UserId, String> = audit::user_names(conn.exec(), &about)
        .await?
        .into_iter()
        .collect();
    Ok(rows.iter().map(|r| line(r, &names)).collect())
}

/// One page of the log.
pub struct Page {
    pub lines: Vec<Line>,
    /// Where the next (older) page starts, when there is one.
    pub older: Option<i64>,
}

/// Up to `size` entries matching `f` older than entry `before`.
pub async fn page(ctx: &Ctx, f: &Filter, before: Option<i64>, size: i64) -> Result<Page> {
    let mut conn = ctx.conn().await?;
    page_on(&mut conn, f, before, size).await
}

async fn page_on(conn: &mut Conn, f: &Filter, before: Option<i64>, size: i64) -> Result<Page> {
    let mut rows = audit::page(conn.exec(), f, before, size + 1).await?;
    let older = if rows.len() as i64 > size {
        rows.truncate(size as usize);
        rows.last().map(|r| r.id)
    } else {
        None
    };
    Ok(Page {
        lines: lines(conn, &rows).await?,
        older,
    })
}

/// Entries read and written at a time for the CSV.
const BATCH: i64 = 500;

/// Every entry matching `f` as CSV (newest first), written a batch at a
/// time to a temporary file; the download is itself recorded, with its
/// filter in words (`described`). Addresses are in it for admins only.
pub async fn csv(
    ctx: &Ctx,
    reader: &Reader,
    me: UserId,
    ip: &ClientIp,
    f: &Filter,
    described: &str,
) -> Result<CsvFile> {
    let admin = matches!(reader, Reader::Admin);
    let mut file = temp_file().await?;
    let mut text = String::from(crate::export::BOM);
    let mut heads = vec![
        "When (UTC)",
        "Who",
        "Email",
        "What",
        "Action",
        "Program",
        "Application",
        "Detail",
    ];
    if admin {
        heads.push("From address");
    }
    crate::export::line(&mut text, heads.iter().map(|h| (*h, false)));
    let (mut before, mut count) = (None, 0u64);
    let mut conn = ctx.conn().await?;
    loop {
        let rows = audit::page(conn.exec(), f, before, BATCH).await?;
        for l in lines(&mut conn, &rows).await? {
            let when = l.at.format("%Y-%m-%d %H:%M:%S").to_string();
            let application = l.application.map(|a| a.to_string()).unwrap_or_default();
            let mut fields = vec![
                (when.as_str(), false),
                (l.who.as_str(), true),
                (l.who_email.as_deref().unwrap_or(""), true),
                (l.what.as_str(), true),
                (l.action.as_str(), false),
                (l.program.as_deref().unwrap_or(""), true),
                (application.as_str(), false),
                (l.detail.as_str(), true),
            ];
            if admin {
                fields.push((l.client_ip.as_deref().unwrap_or(""), false));
            }
            crate::export::line(&mut text, fields);
        }
        file.write_all(text.as_bytes())
            .await
            .map_err(|e| super::Error::Internal(e.into()))?;
        text.clear();
        count += rows.len() as u64;
        match rows.last() {
            Some(last) if rows.len() as i64 == BATCH => before = Some(last.id),
            _ => break,
        }
    }
    file.flush()
        .await
        .map_err(|e| super::Error::Internal(e.into()))?;
    let file = rewound(file).await?;
    let noun = if count == 1 { "entry" } else { "entries" };
    By::user(me, ip.as_deref())
        .audit(
            conn.exec(),
            "audit.export",
            "audit",
            &format!("{count} {noun} as CSV; {described}"),
            ctx.now(),
        )
        .await?;
    Ok(CsvFile {
        file,
        file_name: format!("Audit log {}.csv", ctx.now().format("%Y-%m-%d")),
    })
}

/// How many of an application's latest entries and downloads its page
/// shows (the rest are in the audit log, filtered by its number).
pub const HISTORY: i64 = 20;

/// Application `id`'s latest entries and document downloads, for its
/// page (the caller has checked that the reader may see it), on the
/// page's connection.
pub async fn history(conn: &mut Conn, id: ApplicationId) -> Result<(Page, Vec<audit::Download>)> {
    let f = Filter {
        application: Some(id),
        ..Filter::default()
    };
    let recorded = page_on(conn, &f, None, HISTORY).await?;
    let downloads = audit::downloads(conn.exec(), id, HISTORY).await?;
    Ok((recorded, downloads))
}
