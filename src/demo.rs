//! Demo data for trying the portal and measuring it at scale
//! (`fellowship-portal seed-demo`): in one program's seeded cycle, a
//! program manager, reviewers with institutions, and applicants whose
//! submitted applications went through screening to review, with
//! reviewers assigned by the portal's own plan and scored reviews.
//!
//! Everything is written through `db` functions, in transactions of a few
//! hundred rows, from a fixed random seed, so two runs on empty databases
//! give the same data. Every demo account has an `@demo.example` address
//! and one shared password, hashed once. Imports no web layer.

use crate::domain::cycle::CycleId;
use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, Utc};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

use crate::db::{applications, assignments, audit, cycles, profiles, programs, reviews, roles};
use crate::db::{users, PortalPool};
use crate::domain::application::ApplicationId;
use crate::domain::form::{Answer, Answers, FormDefinition, QuestionKind};
use crate::domain::profile::Profile;
use crate::domain::role::ProgramRole;
use crate::domain::user::UserId;
use crate::domain::workflow::assignment::{plan, same_institution, Input};
use crate::domain::workflow::review::IneligibleReason;
use crate::domain::workflow::rubric::{Confidence, Recommendation, Rubric, Score, Scores};
use crate::domain::workflow::scoring::review_figures;
use crate::domain::workflow::stage::{Actor, Move, Stage};

/// The domain of every demo account's email address.
pub const DEMO_DOMAIN: &str = "demo.example";
/// The demo program manager's email address.
pub const MANAGER_EMAIL: &str = "manager@demo.example";
/// Rows written per transaction.
const BATCH: usize = 250;
/// The random seed: the same seed gives the same demo data.
const SEED: u64 = 20_270_301;

/// What to seed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Applicants, each with one submitted application.
    pub applications: usize,
    /// Reviewer accounts.
    pub reviewers: usize,
    /// The slug of the program whose seeded cycle is filled.
    pub program: String,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            applications: 200,
            reviewers: 12,
            program: "health-justice".into(),
        }
    }
}

/// What was seeded, and the one password of every demo account.
#[derive(Debug, Clone)]
pub struct Report {
    /// The program filled.
    pub program_name: String,
    /// The cycle filled.
    pub cycle_name: String,
    /// Its id, as in `/manage/cycles/<id>`.
    pub cycle_id: CycleId,
    /// Applications by stage, in pipeline order.
    pub stages: Vec<(Stage, usize)>,
    /// Reviewer accounts made.
    pub reviewers: usize,
    /// Reviewer assignments made.
    pub assignments: usize,
    /// Assignments with a submitted review.
    pub submitted_reviews: usize,
    /// Assignments with a draft review.
    pub draft_reviews: usize,
    /// The password of every demo account, to be shown once.
    pub password: String,
}

/// Why nothing was seeded.
#[derive(Debug, thiserror::Error)]
pub enum SeedDemoError {
    #[error("there is no program {0:?} (the seeded ones are health-justice, voices-for-change and summer-internship)")]
    UnknownProgram(String),
    #[error("the program {0} has no cycle")]
    NoCycle(String),
    #[error("the cycle {0} already has demo data; seed-demo fills a cycle once (start from an empty database to seed again)")]
    AlreadySeeded(String),
    #[error("this database already has demo accounts (@{DEMO_DOMAIN}) from a run on another cycle; seed-demo runs on a database without them")]
    DemoAccountsExist,
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl From<sqlx::Error> for SeedDemoError {
    fn from(e: sqlx::Error) -> Self {
        Self::Other(e.into())
    }
}

/// An applicant's application as seeded, kept for assignment and reviews.
struct Seeded {
    id: ApplicationId,
    institution: String,
    /// How strong the application is, in score steps around the middle.
    quality: f64,
    /// When it reached review, for those that did.
    in_review_at: Option<DateTime<Utc>>,
}

/// Seeds the demo data described by `o` (see the module documentation).
pub async fn seed(
    pool: &PortalPool,
    o: &Options,
    now: DateTime<Utc>,
) -> Result<Report, SeedDemoError> {
    let mut rng = StdRng::seed_from_u64(SEED);
    let mut conn = pool.conn().await?;
    let program = programs::list(conn.exec())
        .await?
        .into_iter()
        .find(|p| p.slug == o.program)
        .ok_or_else(|| SeedDemoError::UnknownProgram(o.program.clone()))?;
    // The seeded cycle is the program's first.
    let cycle_id = cycles::for_programs(conn.exec(), &[program.id])
        .await?
        .iter()
        .map(|c| c.id)
        .min()
        .ok_or_else(|| SeedDemoError::NoCycle(program.name.clone()))?;
    let cycle = cycles::find(conn.exec(), cycle_id)
        .await?
        .ok_or_else(|| SeedDemoError::NoCycle(program.name.clone()))?;
    let setup = cycles::review_setup(conn.exec(), cycle_id)
        .await?
        .ok_or_else(|| SeedDemoError::NoCycle(program.name.clone()))?;
    let label = format!("{} – {}", program.name, cycle.cycle.name);
    if users::search(conn.exec(), &format!("@{DEMO_DOMAIN}"), 1, 0)
        .await?
        .1
        > 0
    {
        let first = users::find_by_email(conn.exec(), "applicant1@demo.example").await?;
        if let Some((u, _)) = first {
            if applications::find_for(conn.exec(), cycle_id, u.id)
                .await?
                .is_some()
            {
                return Err(SeedDemoError::AlreadySeeded(label));
            }
        }
        return Err(SeedDemoError::DemoAccountsExist);
    }
    drop(conn);

    let password = crate::seed::one_time_password();
    let hash = crate::auth::password::hash(&password).await?;

    // The manager and the reviewers, each reviewer at an institution and
    // with a habit: harsh (negative) or lenient (positive).
    let mut tx = pool.begin().await?;
    let manager = users::insert(
        tx.exec(),
        &account(MANAGER_EMAIL, "Morgan Avery", &hash),
        now,
    )
    .await?;
    roles::grant(
        tx.exec(),
        manager,
        program.id,
        ProgramRole::Manager,
        manager,
        now,
    )
    .await?;
    let mut reviewers: Vec<(UserId, String, f64)> = Vec::new();
    for i in 1..=o.reviewers {
        let name = format!("Dr. {}", person_name(&mut rng));
        let institution = INSTITUTIONS[rng.gen_range(0..INSTITUTIONS.len())].0;
        let email = format!("reviewer{i}@{DEMO_DOMAIN}");
        let id = users::insert(tx.exec(), &account(&email, &name, &hash), now).await?;
        roles::grant(
            tx.exec(),
            id,
            program.id,
            ProgramRole::Reviewer,
            manager,
            now,
        )
        .await?;
        let profile = Profile {
            institution: institution.into(),
            ..Profile::default()
        };
        profiles::put(tx.exec(), id, &profile, now).await?;
        reviewers.push((id, institution.to_owned(), rng.gen_range(-0.8..0.8)));
    }
    tx.commit().await?;

    // Applicants and their applications, moved through the pipeline.
    let form = &cycle.form;
    let eligibility: BTreeMap<&str, &str> = form
        .eligibility
        .iter()
        .filter_map(|q| Some((q.key.as_str(), q.eligible.first()?.as_str())))
        .collect();
    let eligibility = serde_json::to_string(&eligibility).map_err(anyhow::Error::from)?;
    let window_end = now - Duration::days(2);
    let window_start = cycle
        .cycle
        .opens_at
        .max(now - Duration::days(60))
        .min(window_end - Duration::days(1));
    let window = (window_end - window_start).num_minutes().max(1) as f64;
    let mut seeded: Vec<Seeded> = Vec::with_capacity(o.applications);
    let mut stage_counts: BTreeMap<&str, usize> = BTreeMap::new();
    let mut tx = pool.begin().await?;
    for i in 1..=o.applications {
        let name = person_name(&mut rng);
        let email = format!("applicant{i}@{DEMO_DOMAIN}");
        let (institution, city, state) = INSTITUTIONS[rng.gen_range(0..INSTITUTIONS.len())];
        let answers = answers(
            form,
            &mut rng,
            (&name, &email),
            (institution, city, state),
            now.date_naive(),
        );
        // One draw whatever the window, so the data do not depend on the day.
        let started = window_start + Duration::minutes((rng.gen::<f64>() * window * 0.8) as i64);
        let mut at = started;
        let mut step = |rng: &mut StdRng, hours: i64| {
            at = (at + Duration::minutes(rng.gen_range(30..hours * 60))).min(now);
            at
        };
        let applicant = users::insert(tx.exec(), &account(&email, &name, &hash), started).await?;
        let id = applications::create(
            tx.exec(),
            cycle_id,
            applicant,
            &answers,
            &eligibility,
            started,
        )
        .await?;
        let roll: f64 = rng.gen();
        let path: &[(Stage, Move)] = match roll {
            r if r < 0.80 => &[
                (Stage::Screening, Move::StartScreening),
                (Stage::Review, Move::MarkEligible),
            ],
            r if r < 0.85 => &[
                (Stage::Screening, Move::StartScreening),
                (Stage::Ineligible, Move::MarkIneligible),
            ],
            r if r < 0.93 => &[(Stage::Screening, Move::StartScreening)],
            _ => &[],
        };
        let submitted_at = step(&mut rng, 96);
        let mut from = Stage::Draft;
        let moves = std::iter::once((Stage::Submitted, Move::Submit)).chain(path.iter().copied());
        for (to, mv) in moves {
            let (actor, role, when) = match mv {
                Move::Submit => (applicant, Actor::Applicant, submitted_at),
                _ => (manager, Actor::Manager, step(&mut rng, 72)),
            };
            let note = if mv == Move::MarkIneligible {
                "Not enrolled in a health-professions program this year."
            } else {
                ""
            };
            applications::move_stage(tx.exec(), id, from, to, mv, Some(actor), role, note, when)
                .await?;
            if mv == Move::Submit {
                applications::set_institution(tx.exec(), id, institution).await?;
            }
            if mv == Move::MarkIneligible {
                let reason = IneligibleReason::NotEnrolled.as_str();
                applications::set_screening(tx.exec(), id, reason, note, true).await?;
            }
            from = to;
        }
        *stage_counts.entry(from.as_str()).or_default() += 1;
        seeded.push(Seeded {
            id,
            institution: institution.to_owned(),
            quality: rng.gen_range(-1.6..1.6),
            in_review_at: (from == Stage::Review).then_some(at),
        });
        if i % BATCH == 0 {
            tx.commit().await?;
            tx = pool.begin().await?;
        }
    }
    tx.commit().await?;

    // Reviewers for every application in review, as the portal's automatic
    // assignment would choose them (by institution: the demo domain, like a
    // public mail provider's, names no organisation).
    let in_review: Vec<&Seeded> = seeded.iter().filter(|s| s.in_review_at.is_some()).collect();
    let mut conn = pool.conn().await?;
    let existing: BTreeSet<(ApplicationId, UserId)> = assignments::pairs_in(conn.exec(), cycle_id)
        .await?
        .into_iter()
        .collect();
    let mut conflicts: BTreeSet<(ApplicationId, UserId)> =
        assignments::conflicts_in(conn.exec(), cycle_id)
            .await?
            .into_iter()
            .collect();
    drop(conn);
    for a in &in_review {
        for (r, institution, _) in &reviewers {
            if same_institution(institution, "", &a.institution, "") {
                conflicts.insert((a.id, *r));
            }
        }
    }
    let planned = plan(&Input {
        applications: in_review.iter().map(|a| a.id).collect(),
        reviewers: reviewers.iter().map(|r| r.0).collect(),
        per_application: setup.settings.reviewers_per_application as usize,
        cap: setup.settings.reviewer_cap.map(|c| c as usize),
        conflicts,
        existing,
    });
    let by_id: BTreeMap<ApplicationId, &Seeded> = in_review.iter().map(|a| (a.id, *a)).collect();
    let bias: BTreeMap<UserId, f64> = reviewers.iter().map(|r| (r.0, r.2)).collect();
    let (mut submitted, mut drafts) = (0, 0);
    let mut tx = pool.begin().await?;
    for (n, (app, reviewer)) in planned.assign.iter().enumerate() {
        let a = by_id[app];
        let assigned_at = a.in_review_at.unwrap_or(now).min(now);
        let due = assigned_at + Duration::days(21);
        assignments::assign(
            tx.exec(),
            *app,
            *reviewer,
            cycle_id,
            manager,
            due,
            assigned_at,
        )
        .await?;
        let roll: f64 = rng.gen();
        if roll < 0.80 {
            let Some(held) = assignments::find(tx.exec(), *app, *reviewer).await? else {
                continue;
            };
            let scores = scores(&setup.rubric, a.quality + bias[reviewer], &mut rng);
            let figures = review_figures(&setup.rubric, &scores);
            let submit = roll < 0.70;
            let when = (assigned_at + Duration::hours(rng.gen_range(6..500))).min(now);
            let total = figures.map_or(50.0, |f| f.total);
            let comments = comments(&setup.rubric, &mut rng);
            let scores_json = serde_json::to_string(&scores).map_err(anyhow::Error::from)?;
            let comments_json = serde_json::to_string(&comments).map_err(anyhow::Error::from)?;
            let written = reviews::Written {
                assignment_id: held.id,
                application_id: *app,
                reviewer_id: *reviewer,
                cycle_id,
                scores_json: &scores_json,
                comments_json: &comments_json,
                overall_comment: OVERALL[rng.gen_range(0..OVERALL.len())],
                recommendation: recommendation(total).as_str(),
                confidence: Confidence::ALL[rng.gen_range(0..Confidence::ALL.len())].as_str(),
                rubric_version: setup.rubric_version,
            };
            let figures = figures.filter(|_| submit).map(|f| (f.mean, f.total));
            reviews::save(tx.exec(), &written, figures, when).await?;
            if submit {
                submitted += 1;
            } else {
                drafts += 1;
            }
        }
        if (n + 1) % BATCH == 0 {
            tx.commit().await?;
            tx = pool.begin().await?;
        }
    }
    for (reviewer, _, _) in &reviewers {
        reviews::recompute_z(tx.exec(), cycle_id, *reviewer).await?;
    }
    let detail = format!(
        "{} applications, {} reviewers, {} assignments",
        o.applications,
        o.reviewers,
        planned.assign.len()
    );
    let entry = audit::Entry {
        actor: None,
        action: "demo.seed",
        subject: &format!("cycle:{cycle_id}"),
        detail: &detail,
        client_ip: None,
    };
    audit::record(tx.exec(), &entry, now).await?;
    tx.commit().await?;

    Ok(Report {
        program_name: program.name,
        cycle_name: cycle.cycle.name,
        cycle_id,
        stages: Stage::ALL
            .iter()
            .filter_map(|s| Some((*s, *stage_counts.get(s.as_str())?)))
            .collect(),
        reviewers: o.reviewers,
        assignments: planned.assign.len(),
        submitted_reviews: submitted,
        draft_reviews: drafts,
        password,
    })
}

/// A confirmed demo account that may log in at once.
fn account<'a>(email: &'a str, name: &'a str, hash: &'a str) -> users::NewUser<'a> {
    users::NewUser {
        email,
        name,
        password_hash: hash,
        confirmed: true,
        is_admin: false,
        must_change_password: false,
    }
}

fn person_name(rng: &mut StdRng) -> String {
    let first = FIRST_NAMES[rng.gen_range(0..FIRST_NAMES.len())];
    let last = LAST_NAMES[rng.gen_range(0..LAST_NAMES.len())];
    format!("{first} {last}")
}

/// Plausible answers to every question of `form` that is asked, in form
/// order (so conditions see earlier answers); optional ones half the time.
/// Documents and referees are not seeded.
fn answers(
    form: &FormDefinition,
    rng: &mut StdRng,
    (name, email): (&str, &str),
    (institution, city, state): (&str, &str, &str),
    today: chrono::NaiveDate,
) -> Answers {
    let mut out = Answers::new();
    for q in form.questions() {
        if !form.is_shown(q, &out) || (!q.required && rng.gen_bool(0.5)) {
            continue;
        }
        let first = name.split(' ').next().unwrap_or(name);
        let text = |s: &str| Some(Answer::One(s.to_owned()));
        let answer = match (&q.kind, q.profile.as_deref(), q.key.as_str()) {
            (QuestionKind::Document { .. } | QuestionKind::Referees { .. }, _, _) => None,
            (_, Some("name"), _) => text(name),
            (_, Some("preferred_name"), _) => text(first),
            (_, Some("pronouns"), _) => text(PRONOUNS[rng.gen_range(0..PRONOUNS.len())]),
            (_, Some("email"), _) | (QuestionKind::Email, _, _) => text(email),
            (_, Some("phone"), _) => text(&format!("(505) 555-{:04}", rng.gen_range(100..10000))),
            (_, Some("institution"), _) => text(institution),
            (_, Some("degree"), _) => {
                let discipline = match out.get("discipline") {
                    Some(Answer::One(d)) => d.as_str(),
                    _ => "other",
                };
                let degrees = DEGREES
                    .iter()
                    .find(|(d, _)| *d == discipline)
                    .map_or(&["MS"][..], |(_, list)| list);
                text(degrees[rng.gen_range(0..degrees.len())])
            }
            (_, _, k) if k.contains("city") => text(city),
            (_, _, k) if k.contains("state") => text(state),
            (QuestionKind::Phone, _, _) => {
                text(&format!("(505) 555-{:04}", rng.gen_range(100..10000)))
            }
            (QuestionKind::Consent, _, _) => text("yes"),
            (QuestionKind::ShortText { max_chars, .. }, _, _) => {
                let t = SHORT_ANSWERS[rng.gen_range(0..SHORT_ANSWERS.len())];
                text(&t.chars().take(*max_chars).collect::<String>())
            }
            (QuestionKind::LongText { max_words, .. }, _, key) => {
                let max_words = max_words.unwrap_or(300);
                let bank: &[&str] = if key.contains("project") {
                    &PROJECT
                } else {
                    &EXPERIENCE
                };
                let target = max_words * rng.gen_range(40..85) / 100;
                text(&essay(bank, target.max(20).min(max_words), rng))
            }
            (QuestionKind::Url, _, _) => text(&format!(
                "https://portfolio.example.org/{}",
                email.split('@').next().unwrap_or("me")
            )),
            (QuestionKind::Date, _, _) => {
                let d = today + Duration::days(rng.gen_range(90..1100));
                text(&d.format("%Y-%m-%d").to_string())
            }
            (QuestionKind::Number { min, max, integer }, _, _) => {
                let (lo, hi) = (
                    min.unwrap_or(0.0),
                    max.unwrap_or(100.0).max(min.unwrap_or(0.0)),
                );
                let v = lo + (hi - lo) * rng.gen::<f64>();
                text(&if *integer {
                    format!("{}", v.round())
                } else {
                    format!("{v:.1}")
                })
            }
            (QuestionKind::SingleChoice { options }, _, _) => {
                // "Other" is rarer than any named option.
                let pick = options
                    .choose(rng)
                    .filter(|o| o.value != "other" || rng.gen_bool(0.3));
                pick.or_else(|| options.first())
                    .map(|o| Answer::One(o.value.clone()))
            }
            (QuestionKind::MultipleChoice { options, min, max }, _, _) => {
                let lo = min.unwrap_or(1).max(1).min(options.len());
                let hi = max.unwrap_or(options.len()).clamp(lo, options.len());
                let n = rng.gen_range(lo..=hi);
                let chosen: BTreeSet<usize> = rand::seq::index::sample(rng, options.len(), n)
                    .into_iter()
                    .collect();
                let values = chosen.iter().map(|i| options[*i].value.clone()).collect();
                Some(Answer::Many(values))
            }
            (QuestionKind::YesNo, _, _) => text(if rng.gen_bool(0.9) { "yes" } else { "no" }),
        };
        if let Some(a) = answer {
            out.insert(q.key.clone(), a);
        }
    }
    out
}

/// Paragraphs of sentences from `bank`, about `words` words long.
fn essay(bank: &[&str], words: usize, rng: &mut StdRng) -> String {
    let mut order: Vec<&str> = bank.to_vec();
    order.shuffle(rng);
    let mut out = String::new();
    let (mut count, mut n) = (0, 0);
    for sentence in order.iter().cycle() {
        let w = sentence.split_whitespace().count();
        if count + w > words && count > 0 {
            break;
        }
        if n > 0 {
            out.push_str(if n % 4 == 0 { "\n\n" } else { " " });
        }
        out.push_str(sentence);
        count += w;
        n += 1;
    }
    out
}

/// Scores around the middle of each scale, moved by `lean` steps (the
/// application's strength plus the reviewer's habit) and by chance; now
/// and then "not applicable" where the rubric allows it.
fn scores(rubric: &Rubric, lean: f64, rng: &mut StdRng) -> Scores {
    // One reviewer in ten reads an application very differently.
    let spread = if rng.gen_bool(0.1) { 2.5 } else { 0.8 };
    rubric
        .criteria
        .iter()
        .map(|c| {
            let score = if c.allow_na && rng.gen_bool(0.1) {
                Score::NotApplicable
            } else {
                let step = f64::from(c.max - c.min) / 4.0;
                let middle = f64::from(c.min + c.max) / 2.0;
                let raw = middle + step * (lean + rng.gen_range(-spread..spread));
                Score::Points((raw.round() as i32).clamp(c.min, c.max))
            };
            (c.key.clone(), score)
        })
        .collect()
}

/// A comment on some criteria, as reviewers leave them.
fn comments(rubric: &Rubric, rng: &mut StdRng) -> BTreeMap<String, String> {
    rubric
        .criteria
        .iter()
        .filter_map(|c| {
            let text = CRITERION_COMMENTS[rng.gen_range(0..CRITERION_COMMENTS.len())];
            rng.gen_bool(0.3).then(|| (c.key.clone(), text.to_owned()))
        })
        .collect()
}

fn recommendation(total: f64) -> Recommendation {
    match total {
        t if t >= 75.0 => Recommendation::StronglySupport,
        t if t >= 55.0 => Recommendation::Support,
        t if t >= 35.0 => Recommendation::Neutral,
        _ => Recommendation::DoNotSupport,
    }
}

const FIRST_NAMES: [&str; 40] = [
    "Amara", "Diego", "Mei", "Kwame", "Priya", "Tomás", "Aisha", "Jordan", "Lena", "Mateo", "Nia",
    "Samuel", "Yuki", "Fatima", "Elijah", "Sofia", "Hana", "Marcus", "Imani", "Luis", "Grace",
    "Omar", "Zoe", "Tariq", "Camila", "Daniel", "Leilani", "Hassan", "Rosa", "Wei", "Chloe",
    "Andrés", "Kiara", "Noah", "Ayesha", "Malik", "Elena", "Tyrone", "Ana", "Jamal",
];

const LAST_NAMES: [&str; 40] = [
    "Okafor",
    "García",
    "Chen",
    "Mensah",
    "Patel",
    "Rodríguez",
    "Hassan",
    "Williams",
    "Nguyen",
    "Johnson",
    "Begay",
    "Kim",
    "Santos",
    "Yazzie",
    "Ali",
    "Thompson",
    "Hernández",
    "Osei",
    "Singh",
    "Martínez",
    "Brown",
    "Tanaka",
    "Jackson",
    "Lopez",
    "Abdi",
    "Washington",
    "Morales",
    "Kahananui",
    "Cohen",
    "Rivera",
    "Davis",
    "Nakamura",
    "Ortiz",
    "Mohamed",
    "Lee",
    "Castillo",
    "Robinson",
    "Ahmed",
    "Flores",
    "Bennett",
];

/// Institutions with their city and state or territory.
const INSTITUTIONS: [(&str, &str, &str); 20] = [
    (
        "Howard University College of Medicine",
        "Washington",
        "District of Columbia",
    ),
    ("Morehouse School of Medicine", "Atlanta", "Georgia"),
    (
        "University of New Mexico School of Medicine",
        "Albuquerque",
        "New Mexico",
    ),
    (
        "Johns Hopkins Bloomberg School of Public Health",
        "Baltimore",
        "Maryland",
    ),
    (
        "University of Washington School of Nursing",
        "Seattle",
        "Washington",
    ),
    ("Meharry Medical College", "Nashville", "Tennessee"),
    (
        "University of California, San Francisco",
        "San Francisco",
        "California",
    ),
    (
        "University of Puerto Rico Medical Sciences Campus",
        "San Juan",
        "Puerto Rico",
    ),
    (
        "University of Michigan School of Social Work",
        "Ann Arbor",
        "Michigan",
    ),
    (
        "Xavier University of Louisiana College of Pharmacy",
        "New Orleans",
        "Louisiana",
    ),
    (
        "University of Texas Rio Grande Valley School of Medicine",
        "Edinburg",
        "Texas",
    ),
    ("Emory University School of Nursing", "Atlanta", "Georgia"),
    (
        "University of Minnesota School of Public Health",
        "Minneapolis",
        "Minnesota",
    ),
    (
        "Charles R. Drew University of Medicine and Science",
        "Los Angeles",
        "California",
    ),
    (
        "University of Hawaii John A. Burns School of Medicine",
        "Honolulu",
        "Hawaii",
    ),
    (
        "Boston University School of Social Work",
        "Boston",
        "Massachusetts",
    ),
    (
        "University of North Carolina Adams School of Dentistry",
        "Chapel Hill",
        "North Carolina",
    ),
    (
        "Northern Arizona University Physician Assistant Program",
        "Phoenix",
        "Arizona",
    ),
    (
        "Columbia University Mailman School of Public Health",
        "New York",
        "New York",
    ),
    (
        "University of Illinois Chicago College of Nursing",
        "Chicago",
        "Illinois",
    ),
];

const PRONOUNS: [&str; 4] = ["she/her", "he/him", "they/them", "she/they"];

/// Degrees by the discipline values of the seeded forms.
const DEGREES: [(&str, &[&str]); 8] = [
    ("medicine", &["MD", "DO"]),
    ("nursing", &["BSN", "MSN", "DNP"]),
    ("physician_assistant", &["MPAS", "MSPA"]),
    ("dentistry", &["DDS", "DMD"]),
    ("pharmacy", &["PharmD"]),
    ("public_health", &["MPH", "DrPH"]),
    ("social_work", &["MSW", "BSW"]),
    ("other", &["MOT", "MS", "MSc"]),
];

const SHORT_ANSWERS: [&str; 6] = [
    "Occupational therapy",
    "Community health work",
    "Midwifery",
    "Language access in clinics",
    "Maternal health",
    "Housing and health",
];

const EXPERIENCE: [&str; 14] = [
    "During my second year I volunteered at a free clinic that serves farmworker families.",
    "Many of our patients waited months for a specialist because the nearest one was three hours away.",
    "I grew up translating for my grandmother at her appointments, and I saw how much was lost between what she said and what the doctor heard.",
    "At first I thought the problem was that patients missed appointments; I later learned that the bus schedule made the morning slots impossible.",
    "A community health worker taught me to ask what a family needed before telling them what they should do.",
    "We started a small reminder program in Spanish and Navajo, and no-show rates fell over the following months.",
    "I learned that insurance rules and clinic hours shape health as much as any prescription does.",
    "One patient told me she rationed her insulin because her pharmacy benefit reset in January.",
    "That conversation changed how I take a history: I now ask about cost, transport and work schedules.",
    "I also saw how racism shows up in small decisions, such as whose pain is believed and whose is doubted.",
    "I do not have all the answers, but I have learned to listen longer and to bring what I hear back to the team.",
    "Our student group organised a health fair with the tenants' association instead of for it, and far more people came.",
    "I want to keep learning how policy decisions reach the exam room, and how clinicians can push back.",
    "Working night shifts as a nursing assistant showed me how understaffing falls hardest on patients with the least support.",
];

const PROJECT: [&str; 14] = [
    "I propose to work with the Southside Tenants Union on asthma triggers in older apartment buildings.",
    "Residents have told the union for years that mould and pests make their children sick, and that complaints go unanswered.",
    "In the first three months I would join their meetings and listen before suggesting anything.",
    "Together we would map which buildings have the most emergency visits for asthma, using data the county already publishes.",
    "Community members would lead the home visits; my role would be to connect them with the clinic and with legal aid.",
    "A mentor in environmental health could help us read the housing code and document violations properly.",
    "By the end of the year we hope to have a simple referral path from the pediatric clinic to the tenants' union.",
    "Success would mean fewer missed school days and landlords who answer repair requests within the legal time.",
    "The plan is small on purpose: about five hours a month is enough for meetings, visits and one training.",
    "I have already spoken with two organisers, who said they would welcome a student who shows up regularly.",
    "We would share what we learn at a community meeting, not only in a report to the clinic.",
    "If the referral path works, the clinic has said it could continue it after the fellowship ends.",
    "The biggest risk is that residents fear retaliation, so every step would be agreed with the union first.",
    "I would measure progress with the organisers, counting repairs made as well as clinic visits avoided.",
];

const CRITERION_COMMENTS: [&str; 6] = [
    "Thoughtful and specific; the essay links what they saw to its causes.",
    "Promising, but the plan needs clearer first steps.",
    "Strong evidence of listening to the community.",
    "Early in training; little to go on here, which is fine.",
    "The referee letter confirms this clearly.",
    "Somewhat general; I would like to hear more about their own role.",
];

const OVERALL: [&str; 5] = [
    "A strong applicant who would make good use of the mentoring.",
    "Solid application; the project is realistic for one year.",
    "Sincere, though the goals for the fellowship are vague.",
    "I would support this applicant if there is room in the cohort.",
    "Not yet ready; encourage them to apply again next year.",
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::answers::{check_one, Attachments};

    #[test]
    fn answers_pass_the_forms_own_checks() {
        let mut rng = StdRng::seed_from_u64(1);
        for (slug, json) in crate::seed::SEEDED_FORMS {
            let form = FormDefinition::parse(json).unwrap();
            for _ in 0..50 {
                let a = answers(
                    &form,
                    &mut rng,
                    ("Ana Rivera", "a@demo.example"),
                    ("Meharry Medical College", "Nashville", "Tennessee"),
                    Utc::now().date_naive(),
                );
                for q in form.questions() {
                    if !form.is_shown(q, &a)
                        || matches!(
                            q.kind,
                            QuestionKind::Document { .. } | QuestionKind::Referees { .. }
                        )
                    {
                        continue;
                    }
                    let problem = check_one(q, a.get(&q.key), &Attachments::default());
                    assert!(problem.is_none(), "{slug}: {}: {problem:?}", q.key);
                }
            }
        }
    }

    #[test]
    fn scores_stay_on_each_scale() {
        let mut rng = StdRng::seed_from_u64(2);
        for (_, json) in crate::seed::SEEDED_RUBRICS {
            let rubric = Rubric::parse(json).unwrap();
            for lean in [-5.0, 0.0, 5.0] {
                let s = scores(&rubric, lean, &mut rng);
                assert!(review_figures(&rubric, &s).is_some());
                for c in &rubric.criteria {
                    match s[&c.key] {
                        Score::Points(p) => assert!(c.scores().contains(&p)),
                        Score::NotApplicable => assert!(c.allow_na),
                    }
                }
            }
        }
    }

    #[tokio::test]
    async fn seeds_a_cycle_once() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("demo.sqlite").display());
        let pool = PortalPool::connect(&url, 2, std::time::Duration::from_secs(5))
            .await
            .unwrap();
        crate::seed::migrate_and_seed(&pool, Utc::now())
            .await
            .unwrap();
        let o = Options {
            applications: 60,
            reviewers: 5,
            ..Options::default()
        };
        let report = seed(&pool, &o, Utc::now()).await.unwrap();
        assert_eq!(report.stages.iter().map(|s| s.1).sum::<usize>(), 60);
        let in_review = report
            .stages
            .iter()
            .find(|s| s.0 == Stage::Review)
            .unwrap()
            .1;
        assert!(in_review > 35, "{:?}", report.stages);
        assert!(
            report.assignments >= in_review * 2,
            "conflicts aside, K each"
        );
        assert!(report.submitted_reviews > 0);
        let mut conn = pool.conn().await.unwrap();
        let scale = reviews::cycle_scale(conn.exec(), report.cycle_id)
            .await
            .unwrap();
        assert_eq!(scale.count, report.submitted_reviews);
        drop(conn);
        let again = seed(&pool, &o, Utc::now()).await.unwrap_err();
        assert!(matches!(again, SeedDemoError::AlreadySeeded(_)), "{again}");
        let other = Options {
            program: "voices-for-change".into(),
            ..o
        };
        assert!(matches!(
            seed(&pool, &other, Utc::now()).await,
            Err(SeedDemoError::DemoAccountsExist)
        ));
    }
}
