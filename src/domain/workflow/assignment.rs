//! Automatic reviewer assignment: K reviewers per application, loads kept
//! level, an optional cap per reviewer, never a conflicted reviewer, and
//! the same answer for the same input (so a preview is what gets applied).
//!
//! Greedy and deterministic: applications with the fewest possible
//! reviewers are served first; each takes the least-loaded eligible
//! reviewers (ties by id). Without conflicts or caps this levels the loads
//! exactly (largest minus smallest at most 1); with them it does the best
//! the constraints allow and reports every application left short.

use std::collections::{BTreeMap, BTreeSet};

use crate::domain::application::ApplicationId;
use crate::domain::user::UserId;

/// What the assignment works from.
#[derive(Debug, Clone, Default)]
pub struct Input {
    /// Applications to staff.
    pub applications: Vec<ApplicationId>,
    /// Reviewers who may be assigned.
    pub reviewers: Vec<UserId>,
    /// Reviewers each application needs in all (existing ones count).
    pub per_application: usize,
    /// The most applications one reviewer may hold in all, if limited.
    pub cap: Option<usize>,
    /// (application, reviewer) pairs that must never be made.
    pub conflicts: BTreeSet<(ApplicationId, UserId)>,
    /// (application, reviewer) pairs that already exist.
    pub existing: BTreeSet<(ApplicationId, UserId)>,
}

/// The proposal: new pairs, and applications that could not get enough.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Plan {
    /// New (application, reviewer) pairs, ordered.
    pub assign: Vec<(ApplicationId, UserId)>,
    /// Applications left with fewer than K reviewers, and how many they have.
    pub short: Vec<(ApplicationId, usize)>,
    /// Each reviewer's load after the plan (existing plus new).
    pub loads: BTreeMap<UserId, usize>,
}

/// Proposes assignments for `input`.
pub fn plan(input: &Input) -> Plan {
    let reviewers: BTreeSet<UserId> = input.reviewers.iter().copied().collect();
    let mut loads: BTreeMap<UserId, usize> = reviewers.iter().map(|r| (*r, 0)).collect();
    let mut held: BTreeMap<ApplicationId, BTreeSet<UserId>> = BTreeMap::new();
    for (a, r) in &input.existing {
        held.entry(*a).or_default().insert(*r);
        if let Some(l) = loads.get_mut(r) {
            *l += 1;
        }
    }
    let applications: BTreeSet<ApplicationId> = input.applications.iter().copied().collect();
    let eligible = |a: ApplicationId,
                    held: &BTreeMap<ApplicationId, BTreeSet<UserId>>|
     -> Vec<UserId> {
        reviewers
            .iter()
            .copied()
            .filter(|r| {
                !input.conflicts.contains(&(a, *r)) && !held.get(&a).is_some_and(|h| h.contains(r))
            })
            .collect()
    };
    // Most constrained first, so that scarce reviewers go where they are needed.
    let mut order: Vec<(usize, ApplicationId)> = applications
        .iter()
        .map(|a| (eligible(*a, &held).len(), *a))
        .collect();
    order.sort();
    let mut plan = Plan::default();
    for (_, a) in order {
        let have = held.get(&a).map_or(0, BTreeSet::len);
        let need = input.per_application.saturating_sub(have);
        let mut candidates: Vec<UserId> = eligible(a, &held)
            .into_iter()
            .filter(|r| input.cap.is_none_or(|cap| loads[r] < cap))
            .collect();
        candidates.sort_by_key(|r| (loads[r], *r));
        let chosen: Vec<UserId> = candidates.into_iter().take(need).collect();
        for r in &chosen {
            *loads.get_mut(r).expect("a known reviewer") += 1;
            held.entry(a).or_default().insert(*r);
            plan.assign.push((a, *r));
        }
        if chosen.len() < need {
            plan.short.push((a, have + chosen.len()));
        }
    }
    plan.assign.sort();
    plan.short.sort();
    plan.loads = loads;
    plan
}

/// An institution's name reduced for comparison: lower case, letters and
/// digits only, "&" read as "and", a leading "the" dropped.
pub fn normalise_institution(name: &str) -> String {
    let lowered = name.to_lowercase().replace('&', " and ");
    let words: Vec<String> = lowered
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect();
    let words = match words.first().map(String::as_str) {
        Some("the") => &words[1..],
        _ => &words[..],
    };
    words.join(" ")
}

/// The organisation part of an email domain: `med.jhu.edu` and `jhu.edu`
/// both give `jhu.edu`; `ox.ac.uk` stays whole.
pub fn organisation_domain(email: &str) -> String {
    let domain = email
        .rsplit_once('@')
        .map_or(email, |(_, d)| d)
        .to_lowercase();
    let labels: Vec<&str> = domain.split('.').filter(|l| !l.is_empty()).collect();
    let keep = match labels.as_slice() {
        [.., second, tld]
            if tld.len() == 2
                && ["ac", "co", "edu", "gov", "org", "com", "net"].contains(second) =>
        {
            3
        }
        _ => 2,
    };
    labels[labels.len().saturating_sub(keep)..].join(".")
}

/// Whether a reviewer and an applicant share an institution (same
/// normalised name) or an organisation's email domain.
pub fn same_institution(
    reviewer_institution: &str,
    reviewer_email: &str,
    applicant_institution: &str,
    applicant_email: &str,
) -> bool {
    let (a, b) = (
        normalise_institution(reviewer_institution),
        normalise_institution(applicant_institution),
    );
    let same_name = !a.is_empty() && a == b;
    // Mail domains shared by people of many organisations; `demo.example`
    // is the one every `seed-demo` account has.
    let generic = [
        "demo.example",
        "gmail.com",
        "outlook.com",
        "hotmail.com",
        "yahoo.com",
        "icloud.com",
        "proton.me",
        "aol.com",
    ];
    let (d1, d2) = (
        organisation_domain(reviewer_email),
        organisation_domain(applicant_email),
    );
    let same_domain = !d1.is_empty() && d1 == d2 && !generic.contains(&d1.as_str());
    same_name || same_domain
}

/// A person as the conflict check sees them.
#[derive(Debug, Clone, Copy)]
pub struct Person<'a> {
    pub id: UserId,
    pub email: &'a str,
    pub institution: &'a str,
}

/// Why a reviewer must never review an application, found from who they
/// and the applicant are (besides conflicts someone recorded).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detected {
    /// It is their own application.
    OwnApplication,
    /// They are one of the applicant's referees (same email address).
    Referee,
    /// They are at the applicant's institution.
    SameInstitution,
}

impl Detected {
    /// Whether it holds wherever the reviewer meets the application, not
    /// only when reviewers are assigned: nobody reviews their own
    /// application or one they wrote a letter for, whenever they were
    /// assigned.
    pub fn is_absolute(self) -> bool {
        matches!(self, Self::OwnApplication | Self::Referee)
    }
}

/// Why `reviewer` must stay away from the application of `applicant`
/// whose referees have `referee_emails`, if they must.
pub fn detect_conflict(
    reviewer: Person<'_>,
    applicant: Person<'_>,
    referee_emails: &[&str],
) -> Option<Detected> {
    if reviewer.id == applicant.id {
        Some(Detected::OwnApplication)
    } else if referee_emails
        .iter()
        .any(|e| !e.is_empty() && e.trim().eq_ignore_ascii_case(reviewer.email.trim()))
    {
        Some(Detected::Referee)
    } else if same_institution(
        reviewer.institution,
        reviewer.email,
        applicant.institution,
        applicant.email,
    ) {
        Some(Detected::SameInstitution)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn input(apps: usize, reviewers: usize, k: usize) -> Input {
        Input {
            applications: (1..=apps as i64).map(ApplicationId).collect(),
            reviewers: (101..=100 + reviewers as i64).map(UserId).collect(),
            per_application: k,
            ..Input::default()
        }
    }

    #[test]
    fn nobody_reviews_their_own_application_or_one_they_wrote_for() {
        let person = |id, email, institution| Person {
            id,
            email,
            institution,
        };
        let maya = person(UserId(7), "maya@gmail.com", "Lakeside University");
        let rosa = person(UserId(9), "Rosa@Clinic.org", "Eastside Clinic");
        let sam = person(UserId(11), "sam@faculty.org", "Hill College");
        assert_eq!(
            detect_conflict(maya, maya, &[]),
            Some(Detected::OwnApplication)
        );
        assert_eq!(
            detect_conflict(rosa, maya, &["rosa@clinic.org"]),
            Some(Detected::Referee)
        );
        assert_eq!(detect_conflict(sam, maya, &["rosa@clinic.org"]), None);
        let colleague = person(UserId(12), "lee@lakeside.edu", "Lakeside University");
        assert_eq!(
            detect_conflict(colleague, maya, &[]),
            Some(Detected::SameInstitution)
        );
        assert!(Detected::OwnApplication.is_absolute() && Detected::Referee.is_absolute());
        assert!(!Detected::SameInstitution.is_absolute());
    }

    #[test]
    fn every_application_gets_k_and_loads_are_level() {
        let p = plan(&input(10, 4, 3));
        assert!(p.short.is_empty());
        assert_eq!(p.assign.len(), 30);
        let loads: Vec<usize> = p.loads.values().copied().collect();
        assert_eq!(
            loads.iter().max().unwrap() - loads.iter().min().unwrap(),
            1,
            "{loads:?}"
        );
        for a in (1..=10).map(ApplicationId) {
            assert_eq!(p.assign.iter().filter(|(x, _)| *x == a).count(), 3);
        }
    }

    #[test]
    fn conflicts_caps_and_existing_pairs_are_respected() {
        let mut i = input(3, 3, 2);
        i.conflicts.insert((ApplicationId(1), UserId(101)));
        i.existing.insert((ApplicationId(2), UserId(102)));
        i.cap = Some(2);
        let p = plan(&i);
        assert!(!p.assign.contains(&(ApplicationId(1), UserId(101))));
        assert!(
            !p.assign.contains(&(ApplicationId(2), UserId(102))),
            "not assigned twice"
        );
        assert_eq!(
            p.assign
                .iter()
                .filter(|(a, _)| *a == ApplicationId(2))
                .count(),
            1,
            "the existing one counts"
        );
        assert!(p.loads.values().all(|l| *l <= 2));
        assert!(p.short.is_empty());
    }

    #[test]
    fn too_few_reviewers_are_reported_not_hidden() {
        let mut i = input(2, 2, 3);
        i.conflicts.insert((ApplicationId(2), UserId(101)));
        let p = plan(&i);
        assert_eq!(p.short, vec![(ApplicationId(1), 2), (ApplicationId(2), 1)]);
    }

    #[test]
    fn institutions_and_domains_are_compared_loosely() {
        assert_eq!(
            normalise_institution("The Johns Hopkins University"),
            "johns hopkins university"
        );
        assert_eq!(
            normalise_institution("Texas A&M"),
            normalise_institution("texas a and m")
        );
        assert_eq!(organisation_domain("ana@med.jhu.edu"), "jhu.edu");
        assert_eq!(organisation_domain("ana@ox.ac.uk"), "ox.ac.uk");
        assert!(same_institution(
            "Johns Hopkins University",
            "r@jhu.edu",
            "the johns hopkins university",
            "a@x.org"
        ));
        assert!(same_institution(
            "",
            "r@med.jhu.edu",
            "Somewhere",
            "a@nursing.jhu.edu"
        ));
        assert!(
            !same_institution("", "r@gmail.com", "", "a@gmail.com"),
            "a shared webmail is no institution"
        );
        assert!(
            !same_institution(
                "UCSF",
                "reviewer1@demo.example",
                "Howard University",
                "applicant9@demo.example"
            ),
            "nor the demo domain"
        );
        assert!(same_institution(
            "UCSF",
            "reviewer1@demo.example",
            "ucsf",
            "applicant9@demo.example"
        ));
        assert!(!same_institution(
            "Howard University",
            "r@howard.edu",
            "Morehouse",
            "a@msm.edu"
        ));
    }

    fn any_input() -> impl Strategy<Value = Input> {
        (
            1usize..25,
            1usize..10,
            1usize..5,
            proptest::option::of(1usize..12),
            proptest::collection::vec((1i64..25, 101i64..110), 0..30),
        )
            .prop_map(|(apps, reviewers, k, cap, conflicts)| Input {
                applications: (1..=apps as i64).map(ApplicationId).collect(),
                reviewers: (101..=100 + reviewers as i64).map(UserId).collect(),
                per_application: k,
                cap,
                conflicts: conflicts
                    .into_iter()
                    .map(|(a, r)| (ApplicationId(a), UserId(r)))
                    .collect(),
                existing: BTreeSet::new(),
            })
    }

    proptest! {
        #[test]
        fn never_a_conflict_never_twice_never_over_k_or_cap(i in any_input()) {
            let p = plan(&i);
            let pairs: BTreeSet<(ApplicationId, UserId)> = p.assign.iter().copied().collect();
            prop_assert_eq!(pairs.len(), p.assign.len(), "no pair twice");
            for pair in &p.assign {
                prop_assert!(!i.conflicts.contains(pair));
            }
            for a in &i.applications {
                let n = p.assign.iter().filter(|(x, _)| x == a).count();
                prop_assert!(n <= i.per_application);
                let short = p.short.iter().find(|(x, _)| x == a).map(|(_, have)| *have);
                prop_assert_eq!(short.is_some(), n < i.per_application);
            }
            if let Some(cap) = i.cap {
                prop_assert!(p.loads.values().all(|l| *l <= cap));
            }
            prop_assert_eq!(plan(&i), p, "deterministic");
        }

        #[test]
        fn without_conflicts_or_caps_loads_differ_by_at_most_one(apps in 1usize..40, reviewers in 1usize..12, k in 1usize..5) {
            let i = input(apps, reviewers, k.min(reviewers));
            let p = plan(&i);
            prop_assert!(p.short.is_empty());
            let loads: Vec<usize> = p.loads.values().copied().collect();
            prop_assert!(loads.iter().max().unwrap() - loads.iter().min().unwrap() <= 1, "{:?}", loads);
        }
    }
}
