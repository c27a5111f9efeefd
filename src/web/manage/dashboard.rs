//! A cycle's dashboard (`GET /manage/cycles/<id>`): what needs attention
//! first, each count a link to the list that shows it; the cycle's pages
//! as a grouped menu; its dates and whether applicants see it; then the
//! charts, drawn on the server ([`crate::web::chart`]), each with a summary
//! in words and the same figures as a table; and, folded away, the form
//! giving one applicant more time.
//!
//! The figures come from [`crate::app::dashboard`]; this file only words
//! and draws them.

use rocket::{get, State};
use rocket_dyn_templates::Template;
use serde::Serialize;

use crate::app::access::cycle_for_manager;
use crate::app::dashboard::{cycle_dashboard, Dashboard, LAPSE_SOON_DAYS};
use crate::auth::guards::Manager;
use crate::context::Ctx;
use crate::domain::cycle::CycleId;
use crate::domain::workflow::stage::Stage;
use crate::web::chart::{self, Bar, Bin, Chart};
use crate::web::page::{render, Chrome};
use crate::web::{Error, Result};

/// One thing that needs attention: how many, what, and where to act.
#[derive(Serialize)]
struct Item {
    count: i64,
    text: String,
    href: String,
    /// What the link opens, for the reader who wants to know first.
    opens: &'static str,
}

/// A row of a chart's figures: its heading cell (a link when the list can
/// show it) and the other cells.
#[derive(Serialize)]
struct FigureRow {
    head: String,
    href: Option<String>,
    cells: Vec<Cell>,
}

/// A cell of the figures, with its column's name (shown beside it when
/// the table's rows stack on a phone).
#[derive(Serialize)]
struct Cell {
    label: &'static str,
    value: String,
}

/// The cells of a row, named after `columns` (the first names the heading cell).
fn cells(columns: &[&'static str], values: Vec<String>) -> Vec<Cell> {
    columns
        .iter()
        .skip(1)
        .zip(values)
        .map(|(label, value)| Cell { label, value })
        .collect()
}

/// A chart with the same figures as a table.
#[derive(Serialize)]
struct Figure {
    #[serde(flatten)]
    chart: Chart,
    /// The table's caption.
    caption: String,
    columns: Vec<&'static str>,
    rows: Vec<FigureRow>,
    /// Whether the table shows beside the chart rather than folded away.
    open: bool,
}

const FUNNEL: [&str; 2] = ["Stage", "Applications"];
const PROGRESS: [&str; 3] = ["Reviews", "Number", "Share"];
const SCORES: [&str; 2] = ["Score", "Applications"];
const LENIENCY: [&str; 4] = [
    "Reviewer",
    "Reviews submitted",
    "Mean total",
    "Against the cycle",
];

#[derive(Serialize)]
struct CyclePage {
    id: CycleId,
    program_name: String,
    name: String,
    opens: String,
    closes: String,
    letters_due: String,
    time_zone: String,
    decisions_expected: String,
    published: bool,
    /// When a published or unpublished cycle opens, if that is ahead.
    opens_ahead: bool,
    closed: bool,
    uses_referees: bool,
    attention: Vec<Item>,
    figures: Vec<Figure>,
}

#[get("/cycles/<id>")]
pub(super) async fn show_cycle(
    who: Manager,
    ctx: &State<Ctx>,
    chrome: Chrome,
    id: CycleId,
) -> Result<Template> {
    let c = cycle_for_manager(ctx, &who, id).await?;
    let program = {
        let mut conn = ctx.conn().await?;
        crate::db::programs::find(conn.exec(), c.cycle.program_id)
            .await?
            .ok_or(Error::NotFound)?
    };
    let d = cycle_dashboard(ctx, id).await?;
    let page = CyclePage {
        id,
        program_name: program.name,
        name: c.cycle.name.clone(),
        opens: c.cycle.show(c.cycle.opens_at),
        closes: c.cycle.show(c.cycle.closes_at),
        letters_due: c.cycle.show(c.cycle.letters_due_at),
        time_zone: c.cycle.time_zone.name().to_owned(),
        decisions_expected: c.cycle.show(c.cycle.decision_planned_at),
        published: c.cycle.published,
        opens_ahead: c.cycle.opens_at > ctx.now(),
        closed: c.cycle.closes_at <= ctx.now(),
        uses_referees: crate::app::cycles::uses_referees(&c.form),
        attention: attention(id, &d),
        figures: vec![funnel(id, &d), progress(&d), scores(&d), leniency(&d)],
    };
    let title = format!("{} – {}", page.program_name, page.name);
    Ok(render("manage/cycle", &chrome, &title, page))
}

/// `n` and the noun, singular or plural.
fn count(n: i64, one: &str, many: &str) -> String {
    format!("{n} {}", noun(n, one, many))
}

/// The noun for `n` things, singular or plural.
fn noun<'a>(n: i64, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 {
        one
    } else {
        many
    }
}

fn attention(id: CycleId, d: &Dashboard) -> Vec<Item> {
    let a = &d.attention;
    let mut items = Vec::new();
    if a.screening > 0 {
        let started = a.screening - a.not_started;
        let text = if started > 0 {
            format!(
                "{} waiting for screening ({started} being screened)",
                noun(a.screening, "application", "applications")
            )
        } else {
            format!(
                "{} waiting for screening",
                noun(a.screening, "application", "applications")
            )
        };
        items.push(Item {
            count: a.screening,
            text,
            href: format!("/manage/cycles/{id}/applications?waiting=screening"),
            opens: "the applications list, filtered",
        });
    }
    if a.overdue > 0 {
        items.push(Item {
            count: a.overdue,
            text: format!("{} overdue", noun(a.overdue, "review", "reviews")),
            href: format!("/manage/cycles/{id}/reviewers"),
            opens: "reviewer progress, with reminders",
        });
    }
    if a.orphaned > 0 {
        items.push(Item {
            count: a.orphaned,
            text: format!(
                "{} assigned to deactivated accounts, to give to someone else",
                noun(a.orphaned, "review", "reviews")
            ),
            href: format!("/manage/cycles/{id}/reviewers"),
            opens: "reviewer progress, deactivated reviewers marked",
        });
    }
    if a.undelivered > 0 {
        items.push(Item {
            count: a.undelivered,
            text: format!(
                "{} not delivered",
                noun(a.undelivered, "decision letter", "decision letters")
            ),
            href: format!("/manage/cycles/{id}/release"),
            opens: "releasing decisions, with the letters waiting",
        });
    }
    if a.lapsing > 0 {
        items.push(Item {
            count: a.lapsing,
            text: format!(
                "{} about to lapse (within {LAPSE_SOON_DAYS} days)",
                noun(a.lapsing, "offer", "offers")
            ),
            href: format!("/manage/cycles/{id}/decisions?outcome=accepted"),
            opens: "decisions and offers, accepted",
        });
    }
    items
}

fn funnel(id: CycleId, d: &Dashboard) -> Figure {
    let total: i64 = d.stages.iter().map(|(_, n)| n).sum();
    let bars: Vec<Bar> = d
        .stages
        .iter()
        .map(|(s, n)| Bar::count(s.label(), *n))
        .collect();
    let summary = if total == 0 {
        "No applications yet.".to_owned()
    } else {
        let parts: Vec<String> = d
            .stages
            .iter()
            .filter(|(_, n)| *n > 0)
            .map(|(s, n)| format!("{} {n}", s.label()))
            .collect();
        format!(
            "{}: {}.",
            count(total, "application", "applications"),
            parts.join(", ")
        )
    };
    let rows = d
        .stages
        .iter()
        .map(|(s, n)| FigureRow {
            head: s.label().to_owned(),
            href: (*s != Stage::Draft)
                .then(|| format!("/manage/cycles/{id}/applications?stage={}", s.as_str())),
            cells: cells(&FUNNEL, vec![n.to_string()]),
        })
        .collect();
    Figure {
        chart: chart::horizontal_bars("funnel", "Applications by stage", &summary, &bars),
        caption: "Number of applications in each stage".to_owned(),
        columns: FUNNEL.to_vec(),
        rows,
        open: true,
    }
}

fn progress(d: &Dashboard) -> Figure {
    let p = &d.progress;
    let assigned = p.assigned();
    let parts = [
        ("Reviews submitted", p.submitted),
        ("In draft", p.draft),
        ("Not started", p.not_started),
        ("Overdue", p.overdue),
    ];
    let summary = if assigned == 0 {
        "No reviewer is assigned yet.".to_owned()
    } else {
        format!(
            "{} of {} submitted ({}); {} overdue, {} in draft, {} not started.",
            p.submitted,
            count(assigned, "review", "reviews"),
            percent(p.submitted, assigned),
            p.overdue,
            p.draft,
            p.not_started
        )
    };
    let bars: Vec<Bar> = parts.iter().map(|(l, n)| Bar::count(*l, *n)).collect();
    let rows = parts
        .iter()
        .map(|(l, n)| FigureRow {
            head: (*l).to_owned(),
            href: None,
            cells: cells(&PROGRESS, vec![n.to_string(), percent(*n, assigned)]),
        })
        .collect();
    Figure {
        chart: chart::horizontal_bars("progress", "Review progress", &summary, &bars),
        caption: "Assigned reviews by where they stand (overdue: past the due date, not submitted)"
            .to_owned(),
        columns: PROGRESS.to_vec(),
        rows,
        open: false,
    }
}

fn percent(n: i64, of: i64) -> String {
    if of == 0 {
        "–".to_owned()
    } else {
        format!("{}%", (n as f64 * 100.0 / of as f64).round())
    }
}

fn scores(d: &Dashboard) -> Figure {
    let bins: Vec<Bin> = d
        .scores
        .iter()
        .map(|b| Bin {
            from: b.from,
            to: b.to,
            count: b.count,
        })
        .collect();
    let scored: i64 = d.scores.iter().map(|b| b.count).sum();
    let summary = match d.scores.iter().max_by_key(|b| b.count).filter(|_| scored > 0) {
        None => "No application in review has a submitted review yet.".to_owned(),
        Some(top) => format!(
            "{} with a review in, by normalised score (out of 100: the mean of their reviews, each set on the cycle’s scale); the most ({}) score {}–{}. The mean review total is {:.1}.",
            count(scored, "application", "applications"),
            top.count,
            top.from,
            top.to,
            d.scale.mean
        ),
    };
    let rows = d
        .scores
        .iter()
        .enumerate()
        .map(|(i, b)| FigureRow {
            head: if i + 1 == d.scores.len() {
                format!("{} to {}", b.from, b.to)
            } else {
                format!("{} to under {}", b.from, b.to)
            },
            href: None,
            cells: cells(&SCORES, vec![b.count.to_string()]),
        })
        .collect();
    Figure {
        chart: chart::histogram(
            "scores",
            "Distribution of application scores",
            &summary,
            &bins,
        ),
        caption: "Applications by normalised score (out of 100)".to_owned(),
        columns: SCORES.to_vec(),
        rows,
        open: false,
    }
}

/// A signed figure with a true minus sign.
fn signed(v: f64) -> String {
    let r = (v * 100.0).round() / 100.0;
    if r > 0.0 {
        format!("+{r:.2}")
    } else if r < 0.0 {
        format!("−{:.2}", -r)
    } else {
        "0.00".to_owned()
    }
}

fn leniency(d: &Dashboard) -> Figure {
    let rated: Vec<_> = d
        .reviewers
        .iter()
        .filter_map(|r| r.relative.map(|v| (r, v)))
        .collect();
    let bars: Vec<Bar> = rated
        .iter()
        .map(|(r, v)| Bar {
            label: r.name.clone(),
            value: *v,
            shown: signed(*v),
        })
        .collect();
    let above = rated.iter().filter(|(_, v)| *v > 0.0).count();
    let below = rated.iter().filter(|(_, v)| *v < 0.0).count();
    let few = d.reviewers.len() - rated.len();
    let summary = if rated.is_empty() {
        "No reviewer has submitted enough reviews to compare yet.".to_owned()
    } else {
        let furthest = rated
            .iter()
            .max_by(|a, b| a.1.abs().total_cmp(&b.1.abs()))
            .map(|(r, v)| {
                format!(
                    " The furthest from the middle is {} at {}.",
                    r.name,
                    signed(*v)
                )
            })
            .unwrap_or_default();
        let mut s = format!(
            "{above} of {} score above the cycle’s mean (kinder), {below} below it (harsher), in standard deviations of the cycle’s totals.{furthest}",
            count(rated.len() as i64, "reviewer", "reviewers")
        );
        if few > 0 {
            s.push_str(&format!(
                " {} too few reviews to compare.",
                count(few as i64, "reviewer has", "reviewers have")
            ));
        }
        s
    };
    let rows = d
        .reviewers
        .iter()
        .map(|r| FigureRow {
            head: r.name.clone(),
            href: None,
            cells: cells(
                &LENIENCY,
                vec![
                    r.reviews.to_string(),
                    format!("{:.1}", r.mean),
                    r.relative
                        .map_or_else(|| "too few reviews".to_owned(), signed),
                ],
            ),
        })
        .collect();
    Figure {
        chart: chart::diverging_bars("leniency", "Reviewers’ leniency", &summary, &bars),
        caption:
            "Each reviewer’s mean total against the cycle’s (above 0: kinder, below 0: harsher)"
                .to_owned(),
        columns: vec![
            "Reviewer",
            "Reviews submitted",
            "Mean total",
            "Against the cycle",
        ],
        rows,
        open: false,
    }
}
