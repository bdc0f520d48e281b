//! Policy: guard staffing (豫卫医函〔2024〕10号 一(三)).

use hsm::policy::staffing::{StaffingBasis, StaffingInput, guard_staffing};

use crate::error::hsm_status;
use crate::panic::status_of;
use crate::slice::as_mut;

/// The quantity a staffing term is computed from.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum hsm_staffing_basis {
    /// 3 % of on-duty medical staff.
    MedicalStaff = 0,
    /// One guard per 20 open beds.
    Beds = 1,
    /// 3 per mille of daily average outpatient visits.
    Outpatients = 2,
}

impl From<StaffingBasis> for hsm_staffing_basis {
    fn from(b: StaffingBasis) -> Self {
        match b {
            StaffingBasis::MedicalStaff => hsm_staffing_basis::MedicalStaff,
            StaffingBasis::Beds => hsm_staffing_basis::Beds,
            StaffingBasis::Outpatients => hsm_staffing_basis::Outpatients,
        }
    }
}

/// One term of the staffing rule.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct hsm_staffing_term {
    /// What the term is computed from.
    pub basis: hsm_staffing_basis,
    /// The input quantity.
    pub input: u32,
    /// The exact (fractional) number of guards the ratio gives.
    pub exact_guards: f64,
    /// The term rounded up to whole guards.
    pub required: u32,
}

/// The staffing requirement and its derivation.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct hsm_staffing {
    /// Guards required: the largest term.
    pub required: u32,
    /// The term that sets `required` (first of medical staff, beds,
    /// outpatients on ties).
    pub binding: hsm_staffing_basis,
    /// Every term, in the order medical staff, beds, outpatients.
    pub terms: [hsm_staffing_term; 3],
}

/// Computes the guards a hospital requires under 豫卫医函〔2024〕10号 一(三):
/// the largest of 3 % of on-duty medical staff, one per 20 open beds and
/// 3 per mille of daily average outpatient visits, each rounded up.
///
/// Errors: `HSM_STATUS_NULL_POINTER` when `out` is NULL. Thread-safe.
///
/// # Safety
/// Each pointer argument is NULL or valid for the reads or writes described
/// above, for the duration of the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hsm_guard_staffing(
    medical_staff_on_duty: u32,
    open_beds: u32,
    daily_outpatient_avg: u32,
    out: *mut hsm_staffing,
) -> hsm_status {
    status_of(|| {
        // SAFETY: the caller guarantees `out` is NULL or valid.
        let out = unsafe { as_mut(out, "out") }?;
        let r = guard_staffing(&StaffingInput {
            medical_staff_on_duty,
            open_beds,
            daily_outpatient_avg,
        });
        *out = hsm_staffing {
            required: r.required,
            binding: r.binding.into(),
            terms: r.terms.map(|t| hsm_staffing_term {
                basis: t.basis.into(),
                input: t.input,
                exact_guards: t.exact_guards,
                required: t.required,
            }),
        };
        Ok(())
    })
}
