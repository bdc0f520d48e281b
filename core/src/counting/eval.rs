//! Evaluation: predicted transits against ground truth.
//!
//! Per direction, each person (a transit with `persons = k` stands for `k`
//! people at the same instant) is matched to at most one true crossing of
//! the same direction within ±`window`. Sorted by time, a greedy sweep is an
//! optimal (maximum) matching for equal windows. Unmatched truths are
//! **missed**, unmatched predictions **double** counts (or phantom counts);
//! they are reported separately and never netted against each other.
//! Accuracy is stated as errors per 200 people:
//! `200 · (missed + double) / true people`.

use crate::counting::{Direction, Transit};
use crate::error::CoreError;
use crate::time::Micros;

/// Scores for one direction.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct DirectionScore {
    /// People in the truth.
    pub truth: u64,
    /// People predicted.
    pub predicted: u64,
    /// Predictions matched to a true crossing.
    pub matched: u64,
    /// True crossings nobody predicted.
    pub missed: u64,
    /// Predictions with no true crossing (double or phantom counts).
    pub double: u64,
}

/// The evaluation of one run.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Evaluation {
    /// Scores for "in".
    pub inbound: DirectionScore,
    /// Scores for "out".
    pub outbound: DirectionScore,
    /// The matching window, µs.
    pub window_us: i64,
}

impl Evaluation {
    /// True people, both directions.
    #[must_use]
    pub fn truth(&self) -> u64 {
        self.inbound.truth + self.outbound.truth
    }

    /// Missed people, both directions.
    #[must_use]
    pub fn missed(&self) -> u64 {
        self.inbound.missed + self.outbound.missed
    }

    /// Double (or phantom) counts, both directions.
    #[must_use]
    pub fn double(&self) -> u64 {
        self.inbound.double + self.outbound.double
    }

    /// `200 · (missed + double) / truth`; 0 when there is no truth and no
    /// prediction, infinite when predictions exist without any truth.
    #[must_use]
    pub fn errors_per_200(&self) -> f64 {
        let errors = (self.missed() + self.double()) as f64;
        match self.truth() {
            0 if errors == 0.0 => 0.0,
            0 => f64::INFINITY,
            n => 200.0 * errors / n as f64,
        }
    }
}

/// Largest number of people accepted on either side (guards the expansion
/// of `persons`).
pub const MAX_EVAL_PEOPLE: u64 = 100_000_000;

fn expand(transits: &[Transit], direction: Direction, out: &mut Vec<i64>) -> Result<(), CoreError> {
    out.clear();
    let mut total = 0u64;
    for tx in transits.iter().filter(|t| t.direction == direction) {
        total += u64::from(tx.persons);
        if total > MAX_EVAL_PEOPLE {
            return Err(CoreError::CapacityExceeded {
                field: "persons",
                value: usize::try_from(total).unwrap_or(usize::MAX),
                max: MAX_EVAL_PEOPLE as usize,
            });
        }
        for _ in 0..tx.persons {
            out.push(tx.t.0);
        }
    }
    out.sort_unstable();
    Ok(())
}

fn score(truth: &[i64], pred: &[i64], window: i64) -> DirectionScore {
    let (mut i, mut j) = (0, 0);
    let mut s = DirectionScore {
        truth: truth.len() as u64,
        predicted: pred.len() as u64,
        ..DirectionScore::default()
    };
    while i < truth.len() && j < pred.len() {
        if pred[j] < truth[i].saturating_sub(window) {
            s.double += 1;
            j += 1;
        } else if pred[j] > truth[i].saturating_add(window) {
            s.missed += 1;
            i += 1;
        } else {
            s.matched += 1;
            i += 1;
            j += 1;
        }
    }
    s.missed += (truth.len() - i) as u64;
    s.double += (pred.len() - j) as u64;
    s
}

/// Matches `predicted` to `truth` per direction within ±`window` (inputs in
/// any order). Errors: `InvalidArgument` for a negative window;
/// `CapacityExceeded` beyond [`MAX_EVAL_PEOPLE`] people.
pub fn evaluate(
    predicted: &[Transit],
    truth: &[Transit],
    window: Micros,
) -> Result<Evaluation, CoreError> {
    if window.0 < 0 {
        return Err(CoreError::InvalidArgument {
            field: "window",
            value: window.0 as f64,
            expected: "a window >= 0 µs",
        });
    }
    let (mut t, mut p) = (Vec::new(), Vec::new());
    let mut eval = Evaluation {
        window_us: window.0,
        ..Evaluation::default()
    };
    for direction in [Direction::In, Direction::Out] {
        expand(truth, direction, &mut t)?;
        expand(predicted, direction, &mut p)?;
        let s = score(&t, &p, window.0);
        match direction {
            Direction::In => eval.inbound = s,
            Direction::Out => eval.outbound = s,
        }
    }
    Ok(eval)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::counting::Source;
    use crate::time::Timestamp;

    fn tx(ms: i64, direction: Direction, persons: u32) -> Transit {
        Transit {
            t: Timestamp(ms * 1000),
            direction,
            persons,
            source: Source::Truth,
            flags: 0,
            track_id: 0,
        }
    }

    #[test]
    fn misses_and_doubles_do_not_cancel() {
        let truth = [
            tx(1000, Direction::In, 1),
            tx(5000, Direction::In, 1),
            tx(9000, Direction::Out, 1),
        ];
        // One miss at 5 s and one double near 1 s: net count right, 2 errors.
        let pred = [
            tx(1100, Direction::In, 1),
            tx(1200, Direction::In, 1),
            tx(9050, Direction::Out, 1),
        ];
        let e = evaluate(&pred, &truth, Micros::from_millis(500)).unwrap();
        assert_eq!(
            e.inbound,
            DirectionScore {
                truth: 2,
                predicted: 2,
                matched: 1,
                missed: 1,
                double: 1
            }
        );
        assert_eq!(e.outbound.matched, 1);
        assert!((e.errors_per_200() - 200.0 * 2.0 / 3.0).abs() < 1e-9);
        // A wrong direction is a miss and a double.
        let e = evaluate(&[tx(9000, Direction::In, 1)], &truth[2..], Micros(0)).unwrap();
        assert_eq!((e.missed(), e.double()), (1, 1));
        // persons = 2 is two people.
        let e = evaluate(
            &[tx(0, Direction::In, 2)],
            &[tx(0, Direction::In, 1), tx(10, Direction::In, 1)],
            Micros::from_millis(100),
        )
        .unwrap();
        assert_eq!(e.inbound.matched, 2);
        assert!(evaluate(&[], &[], Micros(-1)).is_err());
        assert_eq!(evaluate(&[], &[], Micros(0)).unwrap().errors_per_200(), 0.0);
    }
}
