//! `hsm.policy.guard_staffing` and its `StaffingResult`.

use hsm::policy::PolicyError;
use hsm::policy::staffing::{
    CITATION, StaffingInput, StaffingRequirement, StaffingTerm, guard_staffing as staffing,
};
use pyo3::exceptions::{PyOverflowError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use crate::errors::to_py;

/// The guards a hospital requires under 豫卫医函〔2024〕10号 一(三), with the
/// derivation: `required` (the largest term), `binding` (which term sets
/// it: "medical_staff", "beds" or "outpatients", the first on ties), every
/// term, and the clause cited. Immutable.
#[pyclass(frozen, module = "hsm.policy", name = "StaffingResult")]
pub(crate) struct PyStaffingResult {
    inner: StaffingRequirement,
}

/// One term as `{"basis", "input", "ratio", "exact_guards", "required"}`.
fn term_dict<'py>(py: Python<'py>, term: &StaffingTerm) -> PyResult<Bound<'py, PyDict>> {
    let (num, den) = term.basis.ratio();
    let dict = PyDict::new(py);
    dict.set_item("basis", term.basis.name())?;
    dict.set_item("input", term.input)?;
    dict.set_item("ratio", format!("{num}/{den}"))?;
    dict.set_item("exact_guards", term.exact_guards)?;
    dict.set_item("required", term.required)?;
    Ok(dict)
}

#[pymethods]
impl PyStaffingResult {
    /// Guards required: the largest of the three terms.
    #[getter]
    fn required(&self) -> u32 {
        self.inner.required
    }

    /// The term that sets `required`: "medical_staff", "beds" or
    /// "outpatients" (the first in that order on ties).
    #[getter]
    fn binding(&self) -> &'static str {
        self.inner.binding.name()
    }

    /// Every term, in the order staff, beds, outpatients, each a dict with
    /// `basis`, `input`, `ratio` (guards per unit, e.g. "3/100"),
    /// `exact_guards` (the unrounded requirement) and `required` (rounded
    /// up to whole guards). A new list on each access.
    #[getter]
    fn terms<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let terms = self
            .inner
            .terms
            .iter()
            .map(|t| term_dict(py, t))
            .collect::<PyResult<Vec<_>>>()?;
        PyList::new(py, terms)
    }

    /// The clause this rule encodes: `document`, `clause`, `quote` (the
    /// original Chinese) and `gloss` (in English).
    #[getter]
    fn citation<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(py);
        dict.set_item("document", CITATION.document)?;
        dict.set_item("clause", CITATION.clause)?;
        dict.set_item("quote", CITATION.quote)?;
        dict.set_item("gloss", CITATION.gloss)?;
        Ok(dict)
    }

    /// Everything as plain Python data: `required`, `binding`, `terms`,
    /// `citation` (JSON-serialisable).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(py);
        dict.set_item("required", self.required())?;
        dict.set_item("binding", self.binding())?;
        dict.set_item("terms", self.terms(py)?)?;
        dict.set_item("citation", self.citation(py)?)?;
        Ok(dict)
    }

    fn __repr__(&self) -> String {
        let [staff, beds, outpatients] = self.inner.terms.map(|t| t.required);
        format!(
            "StaffingResult(required={}, binding='{}', terms=[{staff}, {beds}, {outpatients}])",
            self.inner.required,
            self.inner.binding.name()
        )
    }
}

/// A count argument as `u32`; an integer outside `0..=2**32-1` is an
/// InvalidValueError naming the argument, a non-integer a TypeError.
fn count(py: Python<'_>, name: &'static str, value: &Bound<'_, PyAny>) -> PyResult<u32> {
    match value.extract::<u32>() {
        Ok(n) => Ok(n),
        // PyO3 reports an integer that does not fit (negative, too large)
        // as OverflowError, and a non-integer as TypeError.
        Err(e) if e.is_instance_of::<PyOverflowError>(py) => Err(to_py(
            py,
            PolicyError::InvalidProfile {
                field: name,
                detail: format!("{value} is not a count in 0..=4294967295"),
            },
        )),
        Err(e) => Err(PyTypeError::new_err(format!(
            "argument '{name}' must be an int: {}",
            e.value(py)
        ))),
    }
}

/// Guards a hospital must employ: the largest of 3 % of on-duty medical
/// `staff`, one per 20 open `beds` and 3 ‰ of daily average `outpatients`
/// visits, each rounded up (豫卫医函〔2024〕10号 一(三), "就高不就低").
/// Each argument is an integer in 0..=2**32-1; anything else outside that
/// range raises InvalidValueError naming the argument.
#[pyfunction]
#[pyo3(signature = (*, staff, beds, outpatients))]
fn guard_staffing(
    py: Python<'_>,
    staff: &Bound<'_, PyAny>,
    beds: &Bound<'_, PyAny>,
    outpatients: &Bound<'_, PyAny>,
) -> PyResult<PyStaffingResult> {
    let input = StaffingInput {
        medical_staff_on_duty: count(py, "staff", staff)?,
        open_beds: count(py, "beds", beds)?,
        daily_outpatient_avg: count(py, "outpatients", outpatients)?,
    };
    Ok(PyStaffingResult {
        inner: staffing(&input),
    })
}

/// Adds the policy function and class to the native module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyStaffingResult>()?;
    m.add_function(wrap_pyfunction!(guard_staffing, m)?)
}
