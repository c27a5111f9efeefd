//! Score aggregation: one review's figures, each application's figures
//! over its reviews, and normalisation for harsh and lenient reviewers.
//!
//! Every figure is on a 0–100 points scale except the per-criterion means,
//! which stay on the criterion's own scale. Normalisation maps each
//! reviewer's totals onto the cycle's spread (see [`normalised`]), so raw
//! and normalised figures can be read side by side.
//!
//! Pure arithmetic over plain data: imports no rocket, sqlx, aws or lettre.

use std::collections::BTreeMap;

use serde::Serialize;

use super::rubric::{Criterion, Rubric, Score, Scores};
use crate::domain::application::ApplicationId;
use crate::domain::user::UserId;

/// A reviewer needs this many submitted reviews in the cycle before their
/// totals are normalised; fewer say too little about their habits.
pub const MIN_REVIEWS_TO_NORMALISE: usize = 3;

/// The spread of totals (population standard deviation, in points) above
/// which an application's reviewers are said to disagree.
pub const DEFAULT_DISAGREEMENT_THRESHOLD: f64 = 15.0;

/// A reviewer whose totals spread less than this (in points) is treated as
/// giving every application the same total: totals that are equal in exact
/// arithmetic can differ by rounding, and dividing by that noise would fling
/// them to the ends of the scale.
const SAME_TOTAL_SPREAD: f64 = 1e-9;

/// One review's figures, in points.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ReviewFigures {
    /// The plain average of the criteria scored with points.
    pub mean: f64,
    /// The weighted average of the criteria scored with points.
    pub total: f64,
}

/// A criterion score as points: its lowest score is 0, its highest 100.
/// A score off the scale (a rubric narrowed after scoring) counts as the
/// nearest end, so figures stay within 0–100.
fn points(c: &Criterion, score: i32) -> f64 {
    let s = score.clamp(c.min, c.max);
    f64::from(s - c.min) / f64::from(c.max - c.min) * 100.0
}

/// A review's mean and weighted total, or `None` when no criterion is
/// scored with points. "Not applicable" leaves a criterion (and its weight)
/// out rather than counting it as zero; keys the rubric does not know are
/// ignored.
pub fn review_figures(rubric: &Rubric, scores: &Scores) -> Option<ReviewFigures> {
    let mut count = 0_u32;
    let mut sum = 0.0;
    let mut weighted = 0.0;
    let mut weights = 0.0;
    for c in &rubric.criteria {
        if let Some(Score::Points(s)) = scores.get(&c.key) {
            let p = points(c, *s);
            count += 1;
            sum += p;
            weighted += c.weight * p;
            weights += c.weight;
        }
    }
    if count == 0 || weights <= 0.0 {
        return None;
    }
    // Averages of values in 0..=100 are within it; the clamp only removes rounding.
    Some(ReviewFigures {
        mean: (sum / f64::from(count)).clamp(0.0, 100.0),
        total: (weighted / weights).clamp(0.0, 100.0),
    })
}

/// How many values, their mean and their population standard deviation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Stats {
    /// How many values.
    pub count: usize,
    /// Their mean (0 when there are none).
    pub mean: f64,
    /// Their standard deviation, dividing by `count` (0 when there are none).
    pub sd: f64,
}

/// The count, mean and population standard deviation of `values`.
pub fn stats(values: &[f64]) -> Stats {
    if values.is_empty() {
        return Stats::default();
    }
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let variance = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
    Stats {
        count: values.len(),
        mean,
        sd: variance.sqrt(),
    }
}

/// Where `total` stands among its reviewer's totals, in standard
/// deviations from their mean: `None` when the reviewer has fewer than
/// [`MIN_REVIEWS_TO_NORMALISE`] reviews (their totals are kept raw), and 0
/// when they give every application the same total (that says nothing
/// about order). `reviewer` covers all that reviewer's submitted totals in
/// the cycle. Storing this lets SQL compute [`normalised`] with one `AVG`.
pub fn z_score(total: f64, reviewer: &Stats) -> Option<f64> {
    if reviewer.count < MIN_REVIEWS_TO_NORMALISE {
        None
    } else if reviewer.sd <= SAME_TOTAL_SPREAD {
        Some(0.0)
    } else {
        Some((total - reviewer.mean) / reviewer.sd)
    }
}

/// A review's total as it would be from a reviewer of the cycle's typical
/// spread: `cycle.mean + cycle.sd * z`, with `z` from [`z_score`], or the
/// raw total when the reviewer has too few reviews (so a reviewer who gives
/// every application the same total counts as the cycle mean). `cycle`
/// covers all submitted totals of the cycle. The result may fall a little
/// outside 0–100 for a reviewer's extreme totals.
pub fn normalised(total: f64, reviewer: &Stats, cycle: &Stats) -> f64 {
    z_score(total, reviewer).map_or(total, |z| cycle.mean + cycle.sd * z)
}

/// A submitted review, as aggregation needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct SubmittedReview {
    /// The application reviewed.
    pub application: ApplicationId,
    /// Who reviewed it.
    pub reviewer: UserId,
    /// The scores given.
    pub scores: Scores,
    /// The review's weighted total, as recorded at submission.
    pub total: f64,
    /// The review's plain mean, as recorded at submission.
    pub mean: f64,
}

/// One application's figures over its submitted reviews.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ApplicationFigures {
    /// How many submitted reviews.
    pub review_count: usize,
    /// The average of the reviews' plain means.
    pub mean: f64,
    /// The average of the reviews' weighted totals.
    pub weighted_total: f64,
    /// Highest total minus lowest.
    pub range: f64,
    /// The population standard deviation of the totals.
    pub sd: f64,
    /// Two or more reviews whose totals spread more than the threshold.
    pub disagreement: bool,
    /// The average of the reviews' normalised totals.
    pub normalised: f64,
    /// Each criterion's average score on its own scale, in rubric order;
    /// `None` when nobody scored it with points.
    pub criterion_means: Vec<(String, Option<f64>)>,
}

/// Figures for every application with a submitted review in the cycle,
/// normalising against reviewer and cycle statistics taken from `reviews`.
pub fn aggregate(
    rubric: &Rubric,
    threshold: f64,
    reviews: &[SubmittedReview],
) -> BTreeMap<ApplicationId, ApplicationFigures> {
    let mut by_reviewer: BTreeMap<UserId, Vec<f64>> = BTreeMap::new();
    for r in reviews {
        by_reviewer.entry(r.reviewer).or_default().push(r.total);
    }
    let reviewer_stats: BTreeMap<UserId, Stats> = by_reviewer
        .iter()
        .map(|(id, totals)| (*id, stats(totals)))
        .collect();
    let all: Vec<f64> = reviews.iter().map(|r| r.total).collect();
    let cycle = stats(&all);
    let mut sorted = reviews.to_vec();
    sorted.sort_by_key(|r| r.application);
    sorted
        .chunk_by(|a, b| a.application == b.application)
        .filter_map(|of_application| {
            let figures =
                aggregate_one(rubric, threshold, of_application, &reviewer_stats, &cycle)?;
            Some((of_application[0].application, figures))
        })
        .collect()
}

/// Figures for one application from its submitted reviews, or `None` when
/// it has none. A reviewer missing from `reviewer_stats` counts as having
/// too few reviews to normalise.
pub fn aggregate_one(
    rubric: &Rubric,
    threshold: f64,
    of_application: &[SubmittedReview],
    reviewer_stats: &BTreeMap<UserId, Stats>,
    cycle: &Stats,
) -> Option<ApplicationFigures> {
    if of_application.is_empty() {
        return None;
    }
    let n = of_application.len() as f64;
    let totals: Vec<f64> = of_application.iter().map(|r| r.total).collect();
    let spread = stats(&totals);
    let highest = totals.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let lowest = totals.iter().copied().fold(f64::INFINITY, f64::min);
    let normalised_sum: f64 = of_application
        .iter()
        .map(|r| {
            let reviewer = reviewer_stats.get(&r.reviewer).copied().unwrap_or_default();
            normalised(r.total, &reviewer, cycle)
        })
        .sum();
    let criterion_means = rubric
        .criteria
        .iter()
        .map(|c| {
            let given: Vec<f64> = of_application
                .iter()
                .filter_map(|r| match r.scores.get(&c.key) {
                    Some(Score::Points(s)) => Some(f64::from((*s).clamp(c.min, c.max))),
                    _ => None,
                })
                .collect();
            let mean = (!given.is_empty()).then(|| given.iter().sum::<f64>() / given.len() as f64);
            (c.key.clone(), mean)
        })
        .collect();
    Some(ApplicationFigures {
        review_count: of_application.len(),
        mean: of_application.iter().map(|r| r.mean).sum::<f64>() / n,
        weighted_total: spread.mean,
        range: highest - lowest,
        sd: spread.sd,
        disagreement: of_application.len() >= 2 && spread.sd > threshold,
        normalised: normalised_sum / n,
        criterion_means,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn criterion(key: &str, min: i32, max: i32, weight: f64, allow_na: bool) -> Criterion {
        Criterion {
            key: key.into(),
            label: key.into(),
            description: String::new(),
            min,
            max,
            min_label: String::new(),
            max_label: String::new(),
            weight,
            allow_na,
            levels: Vec::new(),
        }
    }

    /// Two criteria on 1–5, weights 1 and 3.
    fn rubric() -> Rubric {
        Rubric {
            criteria: vec![
                criterion("a", 1, 5, 1.0, true),
                criterion("b", 1, 5, 3.0, true),
            ],
            recommendation: None,
        }
    }

    fn scores(pairs: &[(&str, Score)]) -> Scores {
        pairs.iter().map(|(k, s)| ((*k).to_owned(), *s)).collect()
    }

    fn review(application: i64, reviewer: i64, total: f64) -> SubmittedReview {
        SubmittedReview {
            application: ApplicationId(application),
            reviewer: UserId(reviewer),
            scores: Scores::new(),
            total,
            mean: total,
        }
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn a_review_has_a_plain_mean_and_a_weighted_total() {
        // a = 5 -> (5-1)/4*100 = 100; b = 3 -> (3-1)/4*100 = 50.
        // mean = (100 + 50) / 2 = 75; total = (1*100 + 3*50) / (1+3) = 250/4 = 62.5.
        let s = scores(&[("a", Score::Points(5)), ("b", Score::Points(3))]);
        assert_eq!(
            review_figures(&rubric(), &s),
            Some(ReviewFigures {
                mean: 75.0,
                total: 62.5
            })
        );
    }

    #[test]
    fn not_applicable_drops_the_criterion_and_its_weight() {
        // b = 3 -> 50 alone: total = 3*50/3 = 50 (counting "na" as zero would give 150/4 = 37.5).
        let s = scores(&[("a", Score::NotApplicable), ("b", Score::Points(3))]);
        let f = review_figures(&rubric(), &s).unwrap();
        assert_eq!((f.mean, f.total), (50.0, 50.0));
        // a = 2 -> 25 alone; the unknown key is ignored.
        let s = scores(&[
            ("a", Score::Points(2)),
            ("b", Score::NotApplicable),
            ("zzz", Score::Points(5)),
        ]);
        let f = review_figures(&rubric(), &s).unwrap();
        assert_eq!((f.mean, f.total), (25.0, 25.0));
    }

    #[test]
    fn a_review_without_points_has_no_figures() {
        let all_na = scores(&[("a", Score::NotApplicable), ("b", Score::NotApplicable)]);
        assert_eq!(review_figures(&rubric(), &all_na), None);
        assert_eq!(review_figures(&rubric(), &Scores::new()), None);
    }

    #[test]
    fn rounding_never_lifts_a_total_above_100() {
        // 87.73001033603158 * 100 / 87.73001033603158 rounds to just above 100.
        let r = Rubric {
            criteria: vec![criterion("a", 0, 1, 87.730_010_336_031_58, false)],
            recommendation: None,
        };
        let f = review_figures(&r, &scores(&[("a", Score::Points(1))])).unwrap();
        assert_eq!((f.mean, f.total), (100.0, 100.0));
    }

    #[test]
    fn stats_use_the_population_standard_deviation() {
        assert_eq!(stats(&[]), Stats::default());
        // mean 5; squared deviations 9+1+1+1+0+0+4+16 = 32; 32/8 = 4; sd 2.
        let s = stats(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]);
        assert_eq!((s.count, s.mean, s.sd), (8, 5.0, 2.0));
    }

    #[test]
    fn a_harsh_and_a_lenient_reviewer_agree_after_normalisation() {
        // Reviewer 1 gives 20, 30, 40 and reviewer 2 gives 60, 70, 80 to applications 1, 2, 3.
        let reviews = [
            review(1, 1, 20.0),
            review(2, 1, 30.0),
            review(3, 1, 40.0),
            review(1, 2, 60.0),
            review(2, 2, 70.0),
            review(3, 2, 80.0),
        ];
        // Cycle: mean (20+30+40+60+70+80)/6 = 50;
        // sd = sqrt(((30²+20²+10²)*2)/6) = sqrt(2800/6) = 21.602...
        let c_mean = 50.0;
        let c_sd = (2800.0_f64 / 6.0).sqrt();
        assert!(close(c_sd, 21.602_468_994_692_867));
        // Each reviewer: mean 30 (or 70), sd sqrt((100+0+100)/3) = 8.1649...,
        // so z = -1.2247..., 0, +1.2247... for applications 1, 2, 3.
        let r_sd = (200.0_f64 / 3.0).sqrt();
        let z = [-10.0 / r_sd, 0.0, 10.0 / r_sd];
        let cycle = stats(&reviews.iter().map(|r| r.total).collect::<Vec<_>>());
        let harsh = stats(&[20.0, 30.0, 40.0]);
        let lenient = stats(&[60.0, 70.0, 80.0]);
        for (i, app) in [1_i64, 2, 3].into_iter().enumerate() {
            let by_harsh = normalised(reviews[i].total, &harsh, &cycle);
            let by_lenient = normalised(reviews[i + 3].total, &lenient, &cycle);
            assert_eq!(by_harsh, by_lenient, "application {app}");
            assert!(close(by_harsh, c_mean + c_sd * z[i]), "application {app}");
        }
        // C.sd * 1.2247... = sqrt(2800/6 * 1.5) = sqrt(700) = 26.4575...
        let figures = aggregate(&rubric(), DEFAULT_DISAGREEMENT_THRESHOLD, &reviews);
        let expected = [50.0 - 700.0_f64.sqrt(), 50.0, 50.0 + 700.0_f64.sqrt()];
        for (app, want) in [1_i64, 2, 3].into_iter().zip(expected) {
            let f = &figures[&ApplicationId(app)];
            assert!(
                close(f.normalised, want),
                "{app}: {} != {want}",
                f.normalised
            );
            // Raw figures still show the disagreement: 40 points apart, sd 20.
            assert_eq!((f.review_count, f.range, f.sd), (2, 40.0, 20.0));
            assert!(f.disagreement);
        }
        assert_eq!(figures[&ApplicationId(1)].weighted_total, 40.0);
    }

    #[test]
    fn a_reviewer_with_two_reviews_keeps_raw_totals() {
        let reviews = [
            review(1, 1, 20.0),
            review(2, 1, 90.0),
            review(1, 2, 50.0),
            review(2, 2, 60.0),
            review(3, 2, 70.0),
        ];
        let figures = aggregate(&rubric(), DEFAULT_DISAGREEMENT_THRESHOLD, &reviews);
        // Cycle: mean 290/5 = 58; reviewer 2: mean 60, sd sqrt(200/3).
        // Application 3 has only reviewer 2's 70: z = 10/sqrt(200/3) = 1.2247...
        let c = stats(&[20.0, 90.0, 50.0, 60.0, 70.0]);
        assert!(close(
            figures[&ApplicationId(3)].normalised,
            58.0 + c.sd * 1.224_744_871_391_589
        ));
        // Application 2: reviewer 1's raw 90 and reviewer 2's normalised 58.
        assert!(close(
            figures[&ApplicationId(2)].normalised,
            (90.0 + 58.0) / 2.0
        ));
        let two = stats(&[20.0, 90.0]);
        assert_eq!(normalised(20.0, &two, &c), 20.0);
    }

    #[test]
    fn a_reviewer_who_gives_equal_totals_counts_as_the_cycle_mean() {
        // 0.1 three times: the computed mean is 0.10000000000000002, not 0.1,
        // so the sd is rounding noise and must still count as zero.
        let same = stats(&[0.1, 0.1, 0.1]);
        let cycle = Stats {
            count: 10,
            mean: 55.0,
            sd: 12.0,
        };
        assert_eq!(normalised(0.1, &same, &cycle), 55.0);
        let flat = stats(&[70.0, 70.0, 70.0]);
        assert_eq!(normalised(70.0, &flat, &cycle), 55.0);
    }

    #[test]
    fn z_scores_follow_the_same_rules() {
        // 20, 30, 40: mean 30, sd sqrt(200/3); 40 is 10/sqrt(200/3) = 1.2247... above.
        let s = stats(&[20.0, 30.0, 40.0]);
        assert!(close(z_score(40.0, &s).unwrap(), 1.224_744_871_391_589));
        assert_eq!(z_score(40.0, &stats(&[20.0, 40.0])), None);
        assert_eq!(z_score(0.1, &stats(&[0.1, 0.1, 0.1])), Some(0.0));
    }

    #[test]
    fn disagreement_is_a_spread_above_the_threshold() {
        let cycle = Stats::default();
        let none = BTreeMap::new();
        let one = |totals: &[f64], threshold: f64| {
            let reviews: Vec<SubmittedReview> = totals
                .iter()
                .enumerate()
                .map(|(i, t)| review(1, i as i64, *t))
                .collect();
            aggregate_one(&rubric(), threshold, &reviews, &none, &cycle).unwrap()
        };
        // 50 and 80: mean 65, deviations ±15, sd exactly 15: not above 15.
        let at = one(&[50.0, 80.0], 15.0);
        assert_eq!((at.sd, at.range, at.disagreement), (15.0, 30.0, false));
        // 50 and 81: sd 15.5.
        assert!(one(&[50.0, 81.0], 15.0).disagreement);
        // One review never disagrees, whatever the threshold.
        assert!(!one(&[50.0], -1.0).disagreement);
        assert!(aggregate_one(&rubric(), 15.0, &[], &none, &cycle).is_none());
    }

    #[test]
    fn criterion_means_stay_on_the_criterion_scale() {
        let r = Rubric {
            criteria: vec![
                criterion("a", 1, 5, 1.0, true),
                criterion("b", 0, 10, 1.0, false),
                criterion("c", 1, 5, 1.0, true),
            ],
            recommendation: None,
        };
        let mut first = review(1, 1, 0.0);
        first.scores = scores(&[
            ("a", Score::Points(3)),
            ("b", Score::Points(7)),
            ("c", Score::NotApplicable),
        ]);
        first.mean = 60.0;
        let mut second = review(1, 2, 0.0);
        second.scores = scores(&[
            ("a", Score::Points(4)),
            ("b", Score::NotApplicable),
            ("c", Score::NotApplicable),
        ]);
        second.mean = 75.0;
        let f = aggregate(&r, 15.0, &[first, second]);
        // a: (3+4)/2 = 3.5 of 1–5; b: 7 of 0–10 (the "na" is left out); c: nobody.
        assert_eq!(
            f[&ApplicationId(1)].criterion_means,
            [
                ("a".to_owned(), Some(3.5)),
                ("b".to_owned(), Some(7.0)),
                ("c".to_owned(), None)
            ]
        );
        // mean = (60 + 75) / 2.
        assert_eq!(f[&ApplicationId(1)].mean, 67.5);
    }

    fn any_rubric_and_scores() -> impl Strategy<Value = (Rubric, Scores)> {
        let one = (
            0i32..=5,
            1i32..=10,
            0.01f64..=100.0,
            any::<bool>(),
            any::<prop::sample::Index>(),
            any::<bool>(),
        );
        proptest::collection::vec(one, 1..8).prop_map(|cs| {
            let mut rubric = Rubric {
                criteria: Vec::new(),
                recommendation: None,
            };
            let mut scores = Scores::new();
            for (i, (min, span, weight, allow_na, pick, na)) in cs.into_iter().enumerate() {
                let c = criterion(&format!("c{i}"), min, min + span, weight, allow_na);
                let score = if allow_na && na {
                    Score::NotApplicable
                } else {
                    Score::Points(min + pick.index(span as usize + 1) as i32)
                };
                scores.insert(c.key.clone(), score);
                rubric.criteria.push(c);
            }
            (rubric, scores)
        })
    }

    /// Per reviewer, per application: a total, or nothing when not reviewed.
    fn any_cycle() -> impl Strategy<Value = Vec<Vec<Option<u8>>>> {
        (3usize..8).prop_flat_map(|apps| {
            let reviewer =
                proptest::collection::vec(proptest::option::weighted(0.8, 0u8..=100), apps)
                    .prop_filter("3+ reviews with some spread", |totals| {
                        let given: Vec<u8> = totals.iter().flatten().copied().collect();
                        given.len() >= MIN_REVIEWS_TO_NORMALISE
                            && given.iter().any(|t| *t != given[0])
                    });
            proptest::collection::vec(reviewer, 1..5)
        })
    }

    proptest! {
        #[test]
        fn a_review_total_is_always_on_the_points_scale((rubric, scores) in any_rubric_and_scores()) {
            prop_assert!(rubric.check().is_ok());
            let any_points = scores.values().any(|s| matches!(s, Score::Points(_)));
            match review_figures(&rubric, &scores) {
                Some(f) => {
                    prop_assert!((0.0..=100.0).contains(&f.total), "total {}", f.total);
                    prop_assert!((0.0..=100.0).contains(&f.mean), "mean {}", f.mean);
                }
                None => prop_assert!(!any_points),
            }
        }

        #[test]
        fn normalised_order_is_average_z_score_order(cycle in any_cycle()) {
            let mut reviews = Vec::new();
            for (reviewer, totals) in cycle.iter().enumerate() {
                for (app, total) in totals.iter().enumerate() {
                    if let Some(t) = total {
                        reviews.push(review(app as i64, reviewer as i64, f64::from(*t)));
                    }
                }
            }
            let figures = aggregate(&rubric(), DEFAULT_DISAGREEMENT_THRESHOLD, &reviews);
            // Average z-score per application, computed separately.
            let mut z: BTreeMap<ApplicationId, Vec<f64>> = BTreeMap::new();
            for r in &reviews {
                let own: Vec<f64> = reviews.iter().filter(|o| o.reviewer == r.reviewer).map(|o| o.total).collect();
                let s = stats(&own);
                z.entry(r.application).or_default().push((r.total - s.mean) / s.sd);
            }
            let z: BTreeMap<ApplicationId, f64> = z.into_iter().map(|(a, v)| (a, v.iter().sum::<f64>() / v.len() as f64)).collect();
            prop_assert_eq!(figures.len(), z.len());
            for (a, za) in &z {
                for (b, zb) in &z {
                    let (na, nb) = (figures[a].normalised, figures[b].normalised);
                    if za - zb > 1e-9 {
                        prop_assert!(na > nb, "{} vs {}: z {} > {} but {} <= {}", a, b, za, zb, na, nb);
                    } else if (za - zb).abs() <= 1e-12 {
                        prop_assert!((na - nb).abs() < 1e-6);
                    }
                }
            }
        }
    }
}
