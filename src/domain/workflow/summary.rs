//! Score summaries kept as sums: what one application's, one reviewer's
//! and one cycle's stored rows hold, and the figures read from them.
//!
//! An application's normalised score is the average over its reviews of
//! `cycle mean + cycle sd × z` (or the raw total while the reviewer has
//! too few reviews for a z, see [`super::scoring::normalised`]); kept as
//! `raw_sum`, `z_sum` and `z_count` it is
//! `(raw_sum + z_count × cycle mean + cycle sd × z_sum) / reviewed`, so a
//! change of the cycle's scale refreshes every stored score in one step.
//!
//! Pure arithmetic over plain data: imports no rocket or sqlx.

use serde::Serialize;

use super::scoring::Stats;

/// One submitted review as an application's sums take it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Contribution {
    /// The review's plain mean (0–100).
    pub mean: f64,
    /// The review's weighted total (0–100).
    pub total: f64,
    /// The total's z among its reviewer's totals, if they have enough.
    pub z: Option<f64>,
}

/// Where an application stands in the ranking's groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Group {
    /// As many reviews in as reviewers assigned (and at least one).
    Complete,
    /// Fewer reviews in than assigned, at least one in.
    Incomplete,
    /// No review in yet.
    NoneIn,
}

impl Group {
    /// The number stored (and sorted on).
    pub fn code(self) -> i64 {
        match self {
            Self::Complete => 0,
            Self::Incomplete => 1,
            Self::NoneIn => 2,
        }
    }
}

/// Whether an application with `reviewed` reviews in of `assigned` is complete.
pub fn is_complete(assigned: i64, reviewed: i64) -> bool {
    assigned > 0 && reviewed >= assigned
}

/// An application's stored sums.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Sums {
    /// Reviewers assigned (removed ones not counted).
    pub assigned: i64,
    /// Submitted reviews.
    pub reviewed: i64,
    /// Sum of the reviews' plain means.
    pub sum_mean: f64,
    /// Sum of the reviews' totals.
    pub sum_total: f64,
    /// Sum of the squares of the totals.
    pub sum_square: f64,
    /// Highest total minus lowest (`None` without reviews).
    pub spread: Option<f64>,
    /// Sum of the totals of reviews without a z.
    pub raw_sum: f64,
    /// Sum of the z of reviews that have one.
    pub z_sum: f64,
    /// How many reviews have a z.
    pub z_count: i64,
}

impl Sums {
    /// The sums of an application with `assigned` reviewers and these reviews.
    pub fn of(assigned: i64, reviews: &[Contribution]) -> Self {
        let mut s = Self {
            assigned,
            reviewed: i64::try_from(reviews.len()).unwrap_or(i64::MAX),
            ..Self::default()
        };
        let mut high = f64::NEG_INFINITY;
        let mut low = f64::INFINITY;
        for r in reviews {
            s.sum_mean += r.mean;
            s.sum_total += r.total;
            s.sum_square += r.total * r.total;
            high = high.max(r.total);
            low = low.min(r.total);
            match r.z {
                Some(z) => {
                    s.z_sum += z;
                    s.z_count += 1;
                }
                None => s.raw_sum += r.total,
            }
        }
        s.spread = (!reviews.is_empty()).then_some(high - low);
        s
    }

    /// The application's group.
    pub fn group(&self) -> Group {
        if is_complete(self.assigned, self.reviewed) {
            Group::Complete
        } else if self.reviewed > 0 {
            Group::Incomplete
        } else {
            Group::NoneIn
        }
    }

    fn per_review(&self, sum: f64) -> Option<f64> {
        (self.reviewed > 0).then(|| sum / self.reviewed as f64)
    }

    /// The average of the reviews' plain means.
    pub fn mean(&self) -> Option<f64> {
        self.per_review(self.sum_mean)
    }

    /// The average of the reviews' totals.
    pub fn total(&self) -> Option<f64> {
        self.per_review(self.sum_total)
    }

    /// The population variance of the totals.
    pub fn variance(&self) -> Option<f64> {
        let mean = self.total()?;
        Some((self.sum_square / self.reviewed as f64 - mean * mean).max(0.0))
    }

    /// The normalised score against the cycle's scale.
    pub fn normalised(&self, cycle: &Stats) -> Option<f64> {
        self.per_review(normalised_sum(
            self.raw_sum,
            self.z_sum,
            self.z_count,
            cycle,
        ))
    }
}

/// The sum of an application's normalised totals from its stored parts.
pub fn normalised_sum(raw_sum: f64, z_sum: f64, z_count: i64, cycle: &Stats) -> f64 {
    raw_sum + z_count as f64 * cycle.mean + cycle.sd * z_sum
}

/// Count, mean and population standard deviation from a count, a sum and
/// a sum of squares (rounding can make the variance a hair below 0).
pub fn stats_of_sums(count: i64, sum: f64, sum_square: f64) -> Stats {
    if count <= 0 {
        return Stats::default();
    }
    let n = count as f64;
    let mean = sum / n;
    Stats {
        count: usize::try_from(count).unwrap_or(0),
        mean,
        sd: (sum_square / n - mean * mean).max(0.0).sqrt(),
    }
}

/// How lenient a reviewer is: their mean total's distance from the
/// cycle's mean, in the cycle's standard deviations (`None` without
/// reviews, or when the cycle's totals do not spread).
pub fn leniency(reviewer: &Stats, cycle: &Stats) -> Option<f64> {
    (reviewer.count > 0 && cycle.sd > 1e-9).then(|| (reviewer.mean - cycle.mean) / cycle.sd)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::workflow::scoring;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn sums_give_the_figures_of_the_pure_aggregation() {
        let cycle = Stats {
            count: 10,
            mean: 60.0,
            sd: 12.0,
        };
        let reviews = [
            Contribution {
                mean: 50.0,
                total: 40.0,
                z: None,
            },
            Contribution {
                mean: 70.0,
                total: 80.0,
                z: Some(1.5),
            },
        ];
        let s = Sums::of(3, &reviews);
        assert_eq!(s.group(), Group::Incomplete);
        assert!(close(s.mean().unwrap(), 60.0));
        assert!(close(s.total().unwrap(), 60.0));
        assert!(close(s.spread.unwrap(), 40.0));
        assert!(close(
            s.variance().unwrap().sqrt(),
            scoring::stats(&[40.0, 80.0]).sd
        ));
        // (40 + (60 + 12 * 1.5)) / 2 = (40 + 78) / 2 = 59.
        assert!(close(s.normalised(&cycle).unwrap(), 59.0));
    }

    #[test]
    fn groups_follow_reviews_in_against_assigned() {
        let one = [Contribution {
            mean: 1.0,
            total: 1.0,
            z: None,
        }];
        assert_eq!(Sums::of(1, &one).group(), Group::Complete);
        assert_eq!(Sums::of(2, &one).group(), Group::Incomplete);
        assert_eq!(Sums::of(2, &[]).group(), Group::NoneIn);
        assert_eq!(Sums::of(0, &[]).group(), Group::NoneIn);
        assert_eq!(Sums::of(0, &[]).normalised(&Stats::default()), None);
    }

    #[test]
    fn sums_of_squares_give_the_population_spread() {
        let s = stats_of_sums(4, 2.0 + 4.0 + 4.0 + 6.0, 4.0 + 16.0 + 16.0 + 36.0);
        assert!(close(s.mean, 4.0));
        assert!(close(s.sd, scoring::stats(&[2.0, 4.0, 4.0, 6.0]).sd));
        assert_eq!(stats_of_sums(0, 0.0, 0.0), Stats::default());
        let cycle = Stats {
            count: 4,
            mean: 4.0,
            sd: 2.0,
        };
        assert_eq!(leniency(&Stats::default(), &cycle), None);
        assert!(close(
            leniency(
                &Stats {
                    count: 2,
                    mean: 5.0,
                    sd: 0.0
                },
                &cycle
            )
            .unwrap(),
            0.5
        ));
    }
}
