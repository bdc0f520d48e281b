//! Guard staffing: how many security guards a hospital must employ.
//!
//! Rule (豫卫医函〔2024〕10号 一(三), the same formula as 国卫医发〔2021〕28号):
//! guards ≥ the **largest** of three terms — 3 % of on-duty medical staff,
//! one guard per 20 beds, 3 ‰ of the daily average outpatient visits —
//! "就高不就低" (take the higher, not the lower).
//!
//! ## Interpretation
//! - *Rounding*: each term is rounded **up** to a whole guard. The text says
//!   "不低于" (not lower than) a ratio; a fractional guard cannot be hired, and
//!   rounding down would leave the hospital below the ratio. Computed in exact
//!   integer arithmetic (no floating-point edge cases).
//! - *Beds*: the notice says "20张病床"; libhsm uses actually open beds
//!   (实际开放床位), the basis the same notice uses for screening thresholds
//!   in 一(二). Callers holding approved-bed counts may pass those instead.
//! - *Ties*: when several terms give the same maximum, the binding term
//!   reported is the first in the order staff, beds, outpatients; every term's
//!   value is returned, so ties remain visible.

use crate::citation::{Citation, HENAN_2024};

/// The clause this rule encodes.
pub const CITATION: Citation = Citation {
    document: HENAN_2024,
    clause: "一(三)",
    quote: "遵循“就高不就低”原则，按照不低于在岗医务人员总数的3%或20张病床1名保安或日均门诊量的3‰的标准配备安保人员",
    gloss: "Following the 'take the higher, not the lower' principle, staff security personnel at no less than 3% of on-duty medical staff, or one guard per 20 beds, or 3‰ of the daily average outpatient visits.",
};

/// Which quantity a staffing term is computed from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u32)]
pub enum StaffingBasis {
    /// 3 % of on-duty medical staff (在岗医务人员总数的3%).
    MedicalStaff = 0,
    /// One guard per 20 open beds (20张病床1名保安).
    Beds = 1,
    /// 3 ‰ of daily average outpatient visits (日均门诊量的3‰).
    Outpatients = 2,
}

impl StaffingBasis {
    /// All bases, in the tie-breaking order.
    pub const ALL: [StaffingBasis; 3] = [
        StaffingBasis::MedicalStaff,
        StaffingBasis::Beds,
        StaffingBasis::Outpatients,
    ];

    /// Stable machine name: `medical_staff`, `beds`, `outpatients`.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            StaffingBasis::MedicalStaff => "medical_staff",
            StaffingBasis::Beds => "beds",
            StaffingBasis::Outpatients => "outpatients",
        }
    }

    /// The ratio as (numerator, denominator): guards per unit of the basis.
    #[must_use]
    pub const fn ratio(self) -> (u64, u64) {
        match self {
            StaffingBasis::MedicalStaff => (3, 100),
            StaffingBasis::Beds => (1, 20),
            StaffingBasis::Outpatients => (3, 1000),
        }
    }
}

/// The facts the staffing rule needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct StaffingInput {
    /// On-duty medical staff (在岗医务人员总数).
    pub medical_staff_on_duty: u32,
    /// Actually open beds (实际开放床位).
    pub open_beds: u32,
    /// Daily average outpatient visits (日均门诊量).
    pub daily_outpatient_avg: u32,
}

/// One term of the rule.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StaffingTerm {
    /// What the term is computed from.
    pub basis: StaffingBasis,
    /// The input quantity.
    pub input: u32,
    /// Exact requirement as a fraction of guards: `input · num / den`.
    pub exact_guards: f64,
    /// The requirement rounded up to whole guards.
    pub required: u32,
}

/// The staffing requirement with its derivation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StaffingRequirement {
    /// Guards required: the largest term.
    pub required: u32,
    /// The term that sets `required` (first in [`StaffingBasis::ALL`] on ties).
    pub binding: StaffingBasis,
    /// Every term, in [`StaffingBasis::ALL`] order.
    pub terms: [StaffingTerm; 3],
}

/// `ceil(n · num / den)` in exact integer arithmetic, saturating at `u32::MAX`.
fn ceil_ratio(n: u32, (num, den): (u64, u64)) -> u32 {
    let scaled = u128::from(n) * u128::from(num);
    u32::try_from(scaled.div_ceil(u128::from(den.max(1)))).unwrap_or(u32::MAX)
}

/// Computes the guards a hospital requires.
///
/// Never fails: every `u32` input is meaningful (0 means "none").
///
/// ```
/// use hsm_policy::staffing::{guard_staffing, StaffingBasis, StaffingInput};
///
/// let r = guard_staffing(&StaffingInput { medical_staff_on_duty: 2000, open_beds: 1500, daily_outpatient_avg: 8000 });
/// assert_eq!((r.required, r.binding), (75, StaffingBasis::Beds));
/// assert_eq!(r.terms.map(|t| t.required), [60, 75, 24]);
/// ```
#[must_use]
pub fn guard_staffing(input: &StaffingInput) -> StaffingRequirement {
    guard_staffing_with(input, StaffingBasis::ALL.map(StaffingBasis::ratio))
}

/// As [`guard_staffing`] with the three ratios `(numerator, denominator)`
/// supplied (in [`StaffingBasis::ALL`] order), as a rule set states them.
/// A zero denominator makes its term 0.
///
/// ```
/// use hsm_policy::staffing::{guard_staffing_with, StaffingInput};
///
/// let input = StaffingInput { medical_staff_on_duty: 2000, open_beds: 1500, daily_outpatient_avg: 8000 };
/// let r = guard_staffing_with(&input, [(3, 100), (1, 20), (3, 1000)]);
/// assert_eq!(r.required, 75);
/// ```
#[must_use]
pub fn guard_staffing_with(input: &StaffingInput, ratios: [(u64, u64); 3]) -> StaffingRequirement {
    let term = |basis: StaffingBasis, n: u32| {
        let (num, den) = ratios[basis as usize];
        if den == 0 {
            return StaffingTerm {
                basis,
                input: n,
                exact_guards: 0.0,
                required: 0,
            };
        }
        StaffingTerm {
            basis,
            input: n,
            exact_guards: f64::from(n) * num as f64 / den as f64,
            required: ceil_ratio(n, (num, den)),
        }
    };
    let terms = [
        term(StaffingBasis::MedicalStaff, input.medical_staff_on_duty),
        term(StaffingBasis::Beds, input.open_beds),
        term(StaffingBasis::Outpatients, input.daily_outpatient_avg),
    ];
    let mut binding = terms[0];
    for t in &terms[1..] {
        if t.required > binding.required {
            binding = *t;
        }
    }
    StaffingRequirement {
        required: binding.required,
        binding: binding.basis,
        terms,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn req(s: u32, b: u32, o: u32) -> StaffingRequirement {
        guard_staffing(&StaffingInput {
            medical_staff_on_duty: s,
            open_beds: b,
            daily_outpatient_avg: o,
        })
    }

    #[test]
    fn worked_example_from_design() {
        let r = req(2000, 1500, 8000);
        assert_eq!(r.required, 75);
        assert_eq!(r.binding, StaffingBasis::Beds);
        assert_eq!(r.terms.map(|t| t.required), [60, 75, 24]);
    }

    #[test]
    fn rounds_up_and_breaks_ties_in_order() {
        assert_eq!(
            req(1, 0, 0).required,
            1,
            "3 % of 1 is 0.03: a guard is still required"
        );
        assert_eq!(req(0, 21, 0).required, 2);
        assert_eq!(req(0, 20, 0).required, 1);
        assert_eq!(req(0, 0, 1001).required, 4);
        let tie = req(100, 60, 1000);
        assert_eq!(tie.terms.map(|t| t.required), [3, 3, 3]);
        assert_eq!(tie.binding, StaffingBasis::MedicalStaff);
        assert_eq!(req(0, 0, 0).required, 0);
        let max = req(u32::MAX, u32::MAX, u32::MAX);
        assert_eq!(
            (max.required, max.binding),
            (214_748_365, StaffingBasis::Beds),
            "ceil(4294967295 / 20)"
        );
    }

    proptest! {
        #[test]
        fn required_is_the_smallest_whole_number_meeting_every_ratio(s in 0u32..1_000_000, b in 0u32..100_000, o in 0u32..1_000_000) {
            let r = req(s, b, o);
            for t in r.terms {
                let (num, den) = t.basis.ratio();
                // meets the ratio…
                prop_assert!(u64::from(r.required) * den >= u64::from(t.input) * num);
                // …and the term is minimal for its own ratio.
                prop_assert!(t.required == 0 || u64::from(t.required - 1) * den < u64::from(t.input) * num);
            }
            prop_assert_eq!(r.required, r.terms.iter().map(|t| t.required).max().unwrap());
        }
    }
}
