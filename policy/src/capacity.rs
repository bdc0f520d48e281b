//! Beyond the notice: does a screening point's lane count keep queues short?
//!
//! An M/M/c queue (Erlang C): arrivals at the peak hour
//! `λ = daily_traffic × peak_share` per hour, `c` lanes each screening
//! `μ` persons per hour. With offered load `a = λ/μ` and utilisation
//! `ρ = a/c < 1`, the probability of waiting is
//! `C(c, a) = (aᶜ/c! · c/(c−a)) / (Σ_{k<c} aᵏ/k! + aᶜ/c! · c/(c−a))`, the mean
//! wait `W_q = C / (cμ − λ)` and the mean queue `L_q = C · a/(c − a)`.
//! `ρ ≥ 1` means the queue grows without bound during the peak.
//!
//! Assumptions (state them with the result): Poisson arrivals at the
//! peak-hour rate, exponential service times, one queue feeding all lanes.
//! Real peaks are burstier and screening times less variable, so treat the
//! result as an indication, not a guarantee.

use serde::Serialize;

use crate::error::PolicyError;

/// The inputs.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct LaneInput {
    /// Daily average passages.
    pub daily_traffic: u32,
    /// Share of the day's traffic in the peak hour, in (0, 1].
    pub peak_share: f64,
    /// Persons one lane screens per hour, > 0.
    pub lane_rate_per_hour: f64,
    /// Lanes.
    pub lanes: u32,
    /// Target mean wait in seconds, ≥ 0.
    pub target_wait_s: f64,
}

/// The result.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct LaneCapacity {
    /// Peak-hour arrivals per hour (λ).
    pub arrivals_per_hour: f64,
    /// Utilisation ρ = λ / (c μ).
    pub utilisation: f64,
    /// Whether ρ < 1 (otherwise the queue grows through the peak).
    pub stable: bool,
    /// Probability that an arriving person waits (Erlang C); 1 when unstable.
    pub p_wait: f64,
    /// Mean wait in the queue, seconds (`None` when unstable).
    pub mean_wait_s: Option<f64>,
    /// Mean number waiting (`None` when unstable).
    pub mean_queue: Option<f64>,
    /// Whether the mean wait is within the target.
    pub meets_target: bool,
    /// Fewest lanes meeting the target at this traffic (up to 1000).
    pub lanes_needed: Option<u32>,
}

/// Erlang C probability of waiting for `c` servers and offered load `a < c`,
/// computed with the stable recurrence on the Erlang B formula.
#[must_use]
pub fn erlang_c(c: u32, a: f64) -> f64 {
    if c == 0 || a.is_nan() || a < 0.0 || a >= f64::from(c) {
        return 1.0;
    }
    // Erlang B by recurrence: B(0) = 1, B(k) = a B(k−1) / (k + a B(k−1)).
    let mut b = 1.0;
    for k in 1..=c {
        b = a * b / (f64::from(k) + a * b);
    }
    let rho = a / f64::from(c);
    b / (1.0 - rho + rho * b)
}

fn check(field: &'static str, ok: bool, value: f64, expected: &str) -> Result<(), PolicyError> {
    if ok {
        Ok(())
    } else {
        Err(PolicyError::InvalidProfile {
            field,
            detail: format!("{value} is not {expected}"),
        })
    }
}

fn wait(input: &LaneInput, lanes: u32) -> (f64, f64, f64, Option<f64>, Option<f64>) {
    let lambda = f64::from(input.daily_traffic) * input.peak_share;
    let mu = input.lane_rate_per_hour;
    let c = f64::from(lanes);
    let a = lambda / mu;
    let rho = if lanes == 0 { f64::INFINITY } else { a / c };
    if lambda == 0.0 {
        return (lambda, 0.0, 0.0, Some(0.0), Some(0.0));
    }
    if rho >= 1.0 {
        return (lambda, rho, 1.0, None, None);
    }
    let p = erlang_c(lanes, a);
    let wq_h = p / (c * mu - lambda);
    (lambda, rho, p, Some(wq_h * 3600.0), Some(p * a / (c - a)))
}

/// Evaluates a screening point's lanes.
///
/// # Errors
/// [`PolicyError::InvalidProfile`] naming a non-finite or out-of-range input.
pub fn lane_capacity(input: &LaneInput) -> Result<LaneCapacity, PolicyError> {
    check(
        "peak_share",
        input.peak_share > 0.0 && input.peak_share <= 1.0,
        input.peak_share,
        "a fraction in (0, 1]",
    )?;
    check(
        "lane_rate_per_hour",
        input.lane_rate_per_hour.is_finite() && input.lane_rate_per_hour > 0.0,
        input.lane_rate_per_hour,
        "a positive rate",
    )?;
    check(
        "target_wait_s",
        input.target_wait_s.is_finite() && input.target_wait_s >= 0.0,
        input.target_wait_s,
        "a non-negative number of seconds",
    )?;
    let (lambda, rho, p, wq, lq) = wait(input, input.lanes);
    let meets = wq.is_some_and(|w| w <= input.target_wait_s);
    let lanes_needed =
        (1..=1000).find(|&c| wait(input, c).3.is_some_and(|w| w <= input.target_wait_s));
    Ok(LaneCapacity {
        arrivals_per_hour: lambda,
        utilisation: rho,
        stable: wq.is_some(),
        p_wait: p,
        mean_wait_s: wq,
        mean_queue: lq,
        meets_target: meets,
        lanes_needed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erlang_c_known_values() {
        // M/M/1: P(wait) = ρ.
        assert!((erlang_c(1, 0.5) - 0.5).abs() < 1e-12);
        // c = 2, a = 1: (1/2 · 2) / (1 + 1 + 1) = 1/3.
        assert!((erlang_c(2, 1.0) - 1.0 / 3.0).abs() < 1e-12);
        assert_eq!(erlang_c(2, 2.0), 1.0);
        assert_eq!(erlang_c(2, f64::NAN), 1.0);
    }

    #[test]
    fn mm1_wait_and_errors() {
        // λ = 1000 · 0.3 = 300/h, μ = 600/h, c = 1: Wq = ρ/(μ−λ) = 0.5/300 h = 6 s.
        let r = lane_capacity(&LaneInput {
            daily_traffic: 1000,
            peak_share: 0.3,
            lane_rate_per_hour: 600.0,
            lanes: 1,
            target_wait_s: 5.0,
        })
        .unwrap();
        assert!((r.mean_wait_s.unwrap() - 6.0).abs() < 1e-9);
        assert!(!r.meets_target);
        assert_eq!(r.lanes_needed, Some(2));
        let over = lane_capacity(&LaneInput {
            daily_traffic: 20_000,
            peak_share: 0.15,
            lane_rate_per_hour: 600.0,
            lanes: 4,
            target_wait_s: 120.0,
        })
        .unwrap();
        assert!(!over.stable && over.mean_wait_s.is_none() && !over.meets_target);
        assert!(over.lanes_needed.unwrap() >= 6);
        for bad in [0.0, 1.5, f64::NAN] {
            assert!(
                lane_capacity(&LaneInput {
                    peak_share: bad,
                    ..over_input()
                })
                .is_err()
            );
        }
    }

    fn over_input() -> LaneInput {
        LaneInput {
            daily_traffic: 1,
            peak_share: 0.1,
            lane_rate_per_hour: 1.0,
            lanes: 1,
            target_wait_s: 1.0,
        }
    }
}
