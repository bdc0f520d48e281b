//! Object signatures — `M(ω)` sampled at angular frequencies — and import
//! of folders written by MPT-Calculator.
//!
//! # MPT-Calculator folders
//! - `Frequencies.csv`: angular frequencies in rad/s, one per row,
//!   increasing;
//! - `Tensors.csv`: per row the 9 entries of the 3×3 tensor, row-major,
//!   comma-separated, each a Python complex literal such as
//!   `(1.2e-06+3.4e-07j)` (numpy's `savetxt` may write `+-` for a negative
//!   imaginary part; both are accepted);
//! - `N0.csv` (optional): the 3×3 real magnetostatic tensor.
//!
//! The tensors are taken as complete (`N0 + R + iI`, MPT-Calculator's
//! convention); asymmetric rounding is symmetrised. At most
//! [`MAX_FREQUENCIES`] rows are read.
//!
//! # Interpolation
//! [`Signature::at`] interpolates real and imaginary parts linearly in
//! `log ω` between the two neighbouring samples; a frequency outside the
//! sampled range is an error, never an extrapolation.

use std::path::Path;

use num_complex::Complex64;
use serde::{Deserialize, Serialize};

use crate::error::MetalError;
use crate::shapes::Composite;
use crate::tensor::Tensor3;

/// The most frequency rows an imported signature may have.
pub const MAX_FREQUENCIES: usize = 10_000;

/// The object-file format version this build writes and reads.
pub const OBJECT_FILE_VERSION: u32 = 1;

/// An object's tensor spectrum.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Signature {
    /// A name (the object or class).
    pub label: String,
    /// Angular frequencies (rad/s), strictly increasing, > 0.
    pub omegas: Vec<f64>,
    /// `M(ω)` at each frequency (m³).
    pub tensors: Vec<Tensor3>,
    /// The magnetostatic tensor if known (MPT-Calculator's `N0`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub n0: Option<[[f64; 3]; 3]>,
}

impl Signature {
    /// A signature from samples, checked.
    ///
    /// # Errors
    /// [`MetalError::Shape`] when the lengths differ or are empty;
    /// [`MetalError::InvalidParameter`] for a non-increasing or non-positive
    /// frequency or a non-finite tensor.
    pub fn new(
        label: impl Into<String>,
        omegas: Vec<f64>,
        tensors: Vec<Tensor3>,
    ) -> Result<Signature, MetalError> {
        let s = Signature {
            label: label.into(),
            omegas,
            tensors,
            n0: None,
        };
        s.validate()?;
        Ok(s)
    }

    /// Sample a composite model at the given frequencies.
    ///
    /// # Errors
    /// As [`Composite::tensor`] and [`Signature::new`].
    pub fn from_model(
        label: impl Into<String>,
        model: &Composite,
        omegas: &[f64],
    ) -> Result<Signature, MetalError> {
        let tensors = omegas
            .iter()
            .map(|&w| model.tensor(w))
            .collect::<Result<Vec<_>, _>>()?;
        Signature::new(label, omegas.to_vec(), tensors)
    }

    /// Check the invariants (used after deserialising too).
    ///
    /// # Errors
    /// As [`Signature::new`].
    pub fn validate(&self) -> Result<(), MetalError> {
        if self.omegas.is_empty() || self.omegas.len() != self.tensors.len() {
            return Err(MetalError::Shape {
                what: "signature tensors per frequency",
                expected: self.omegas.len().max(1),
                got: self.tensors.len(),
            });
        }
        let mut prev = 0.0;
        for &w in &self.omegas {
            if !(w.is_finite() && w > prev) {
                return Err(MetalError::InvalidParameter {
                    field: "omega",
                    value: w,
                    expected: "finite, > 0 and strictly increasing rad/s",
                });
            }
            prev = w;
        }
        if let Some(t) = self.tensors.iter().find(|t| !t.is_finite()) {
            return Err(MetalError::InvalidParameter {
                field: "tensor",
                value: t.norm(),
                expected: "finite tensor entries",
            });
        }
        Ok(())
    }

    /// `M(ω)` interpolated linearly in `log ω`.
    ///
    /// # Errors
    /// [`MetalError::InvalidParameter`] if `omega` lies outside the sampled
    /// range (a relative tolerance of 1e-9 is allowed at the ends).
    pub fn at(&self, omega: f64) -> Result<Tensor3, MetalError> {
        let n = self.omegas.len();
        let (lo, hi) = (self.omegas[0], self.omegas[n - 1]);
        if !(omega.is_finite() && omega >= lo * (1.0 - 1e-9) && omega <= hi * (1.0 + 1e-9)) {
            return Err(MetalError::InvalidParameter {
                field: "omega",
                value: omega,
                expected: "within the signature's sampled frequency range",
            });
        }
        if n == 1 || omega <= lo {
            return Ok(self.tensors[0]);
        }
        if omega >= hi {
            return Ok(self.tensors[n - 1]);
        }
        let k = self.omegas.partition_point(|&w| w <= omega).clamp(1, n - 1);
        let (w0, w1) = (self.omegas[k - 1].ln(), self.omegas[k].ln());
        let f = (omega.ln() - w0) / (w1 - w0);
        Ok(self.tensors[k - 1]
            .scaled(1.0 - f)
            .plus(&self.tensors[k].scaled(f)))
    }

    /// The signature resampled at `omegas`.
    ///
    /// # Errors
    /// As [`Signature::at`].
    pub fn resampled(&self, omegas: &[f64]) -> Result<Signature, MetalError> {
        let tensors = omegas
            .iter()
            .map(|&w| self.at(w))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Signature {
            label: self.label.clone(),
            omegas: omegas.to_vec(),
            tensors,
            n0: self.n0,
        })
    }

    /// The same object with every length × `s`: `s³ M(s² ω)`, i.e. the
    /// samples move to `ω / s²` and scale by `s³`.
    #[must_use]
    pub fn size_scaled(&self, s: f64) -> Signature {
        Signature {
            label: self.label.clone(),
            omegas: self.omegas.iter().map(|w| w / (s * s)).collect(),
            tensors: self.tensors.iter().map(|t| t.scaled(s.powi(3))).collect(),
            n0: self.n0.map(|m| m.map(|r| r.map(|v| v * s.powi(3)))),
        }
    }

    /// The same object with conductivity × `c`: `M(c ω)`, i.e. the samples
    /// move to `ω / c`.
    #[must_use]
    pub fn conductivity_scaled(&self, c: f64) -> Signature {
        Signature {
            label: self.label.clone(),
            omegas: self.omegas.iter().map(|w| w / c).collect(),
            tensors: self.tensors.clone(),
            n0: self.n0,
        }
    }
}

/// A signature saved as a self-describing JSON object file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ObjectFile {
    /// Always `"hsm-metal-object"`.
    pub format: String,
    /// [`OBJECT_FILE_VERSION`].
    pub version: u32,
    /// Whether the object is a threat, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threat: Option<bool>,
    /// The signature.
    pub signature: Signature,
}

impl ObjectFile {
    /// Wrap a signature.
    #[must_use]
    pub fn new(signature: Signature, threat: Option<bool>) -> ObjectFile {
        ObjectFile {
            format: "hsm-metal-object".to_owned(),
            version: OBJECT_FILE_VERSION,
            threat,
            signature,
        }
    }

    /// Parse and validate JSON text.
    ///
    /// # Errors
    /// [`MetalError::Format`] for malformed JSON or a wrong `format`;
    /// [`MetalError::UnsupportedVersion`]; the signature's own checks.
    pub fn from_json(name: &str, text: &str) -> Result<ObjectFile, MetalError> {
        let f: ObjectFile = serde_json::from_str(text)
            .map_err(|e| MetalError::format(name, e.line(), e.to_string()))?;
        if f.format != "hsm-metal-object" {
            return Err(MetalError::format(
                name,
                0,
                format!("format is {:?}, not \"hsm-metal-object\"", f.format),
            ));
        }
        if f.version != OBJECT_FILE_VERSION {
            return Err(MetalError::UnsupportedVersion {
                what: "object file",
                found: f.version,
                supported: OBJECT_FILE_VERSION,
            });
        }
        f.signature.validate()?;
        Ok(f)
    }

    /// Pretty JSON text.
    ///
    /// # Errors
    /// [`MetalError::Format`] if serialisation fails (non-finite numbers).
    pub fn to_json(&self) -> Result<String, MetalError> {
        serde_json::to_string_pretty(self)
            .map_err(|e| MetalError::format("object file", 0, e.to_string()))
    }
}

/// Parse one Python complex literal: `(a+bj)`, `(a-bj)`, `(a+-bj)`, `bj`,
/// `a`, with optional surrounding spaces and parentheses; `nan`/`inf` are
/// rejected by the caller's finiteness check.
#[must_use]
pub fn parse_complex(s: &str) -> Option<Complex64> {
    let mut t = s.trim();
    if let Some(inner) = t.strip_prefix('(').and_then(|x| x.strip_suffix(')')) {
        t = inner.trim();
    }
    if t.is_empty() {
        return None;
    }
    let Some(body) = t.strip_suffix('j').or_else(|| t.strip_suffix('J')) else {
        return t.parse::<f64>().ok().map(|re| Complex64::new(re, 0.0));
    };
    // Split at the last sign that is not part of an exponent and not the
    // first character.
    let bytes = body.as_bytes();
    let mut split = None;
    for i in (1..bytes.len()).rev() {
        if (bytes[i] == b'+' || bytes[i] == b'-') && !matches!(bytes[i - 1], b'e' | b'E') {
            // numpy's "+-": the split is at the '+'.
            split = Some(if bytes[i] == b'-' && bytes[i - 1] == b'+' && i > 1 {
                i - 1
            } else {
                i
            });
            break;
        }
    }
    match split {
        None => {
            let im = if body.is_empty() || body == "+" {
                1.0
            } else if body == "-" {
                -1.0
            } else {
                body.parse::<f64>().ok()?
            };
            Some(Complex64::new(0.0, im))
        }
        Some(i) => {
            let (re_s, mut im_s) = body.split_at(i);
            // numpy's "+-" for a negative imaginary part.
            let mut sign = 1.0;
            if let Some(rest) = im_s.strip_prefix('+') {
                im_s = rest;
                if let Some(rest) = im_s.strip_prefix('-') {
                    im_s = rest;
                    sign = -1.0;
                }
            } else if let Some(rest) = im_s.strip_prefix('-') {
                im_s = rest;
                sign = -1.0;
            }
            let re = re_s.trim().parse::<f64>().ok()?;
            let im = if im_s.is_empty() {
                1.0
            } else {
                im_s.trim().parse::<f64>().ok()?
            };
            Some(Complex64::new(re, sign * im))
        }
    }
}

fn data_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'))
}

fn split_fields(line: &str) -> Vec<&str> {
    if line.contains(',') {
        line.split(',').map(str::trim).collect()
    } else {
        line.split_whitespace().collect()
    }
}

/// Parse `Frequencies.csv` text (one angular frequency per row).
///
/// # Errors
/// [`MetalError::Format`] naming the line of a bad number, a non-increasing
/// or non-positive frequency, too many rows, or an empty file.
pub fn parse_frequencies(name: &str, text: &str) -> Result<Vec<f64>, MetalError> {
    let mut out = Vec::new();
    for (line, l) in data_lines(text) {
        let fields = split_fields(l);
        if fields.len() != 1 {
            return Err(MetalError::format(
                name,
                line,
                format!("expected one frequency, found {} fields", fields.len()),
            ));
        }
        let w = fields[0].parse::<f64>().map_err(|_| {
            MetalError::format(name, line, format!("not a number: {:?}", fields[0]))
        })?;
        if !(w.is_finite() && w > out.last().copied().unwrap_or(0.0)) {
            return Err(MetalError::format(
                name,
                line,
                format!("frequency {w} must be finite, > 0 and increasing"),
            ));
        }
        if out.len() == MAX_FREQUENCIES {
            return Err(MetalError::format(
                name,
                line,
                format!("more than {MAX_FREQUENCIES} frequencies"),
            ));
        }
        out.push(w);
    }
    if out.is_empty() {
        return Err(MetalError::format(name, 0, "no frequencies"));
    }
    Ok(out)
}

/// Parse `Tensors.csv` text (9 complex literals per row, row-major).
///
/// # Errors
/// [`MetalError::Format`] naming the line and column of a bad entry.
pub fn parse_tensors(name: &str, text: &str) -> Result<Vec<Tensor3>, MetalError> {
    let mut out = Vec::new();
    for (line, l) in data_lines(text) {
        let fields = split_fields(l);
        if fields.len() != 9 {
            return Err(MetalError::format(
                name,
                line,
                format!("expected 9 tensor entries, found {}", fields.len()),
            ));
        }
        let mut t = Tensor3::ZERO;
        for (k, f) in fields.iter().enumerate() {
            let v = parse_complex(f).filter(|v| v.is_finite()).ok_or_else(|| {
                MetalError::format(
                    name,
                    line,
                    format!("entry {}: not a finite complex number: {f:?}", k + 1),
                )
            })?;
            t.0[k / 3][k % 3] = v;
        }
        if out.len() == MAX_FREQUENCIES {
            return Err(MetalError::format(
                name,
                line,
                format!("more than {MAX_FREQUENCIES} tensors"),
            ));
        }
        out.push(t.symmetrised());
    }
    Ok(out)
}

/// Parse `N0.csv` text (a 3×3 real matrix; 3 rows of 3, or one row of 9).
///
/// # Errors
/// [`MetalError::Format`] for anything else.
pub fn parse_n0(name: &str, text: &str) -> Result<[[f64; 3]; 3], MetalError> {
    let mut vals = Vec::new();
    for (line, l) in data_lines(text) {
        for f in split_fields(l) {
            let v = parse_complex(f)
                .filter(|v| v.is_finite() && v.im == 0.0)
                .ok_or_else(|| {
                    MetalError::format(name, line, format!("not a finite real number: {f:?}"))
                })?;
            vals.push(v.re);
            if vals.len() > 9 {
                return Err(MetalError::format(name, line, "more than 9 entries"));
            }
        }
    }
    if vals.len() != 9 {
        return Err(MetalError::format(
            name,
            0,
            format!("expected 9 entries, found {}", vals.len()),
        ));
    }
    Ok([
        [vals[0], vals[1], vals[2]],
        [vals[3], vals[4], vals[5]],
        [vals[6], vals[7], vals[8]],
    ])
}

fn read(path: &Path) -> Result<String, MetalError> {
    // Guard against pathological inputs before reading them whole.
    const MAX_BYTES: u64 = 64 << 20;
    let meta = std::fs::metadata(path).map_err(|e| MetalError::Io {
        path: path.display().to_string(),
        reason: e.to_string(),
    })?;
    if meta.len() > MAX_BYTES {
        return Err(MetalError::format(
            &path.display().to_string(),
            0,
            format!("file larger than {MAX_BYTES} bytes"),
        ));
    }
    std::fs::read_to_string(path).map_err(|e| MetalError::Io {
        path: path.display().to_string(),
        reason: e.to_string(),
    })
}

/// Import an MPT-Calculator result folder.
///
/// # Errors
/// [`MetalError::Io`] if a required file cannot be read;
/// [`MetalError::Format`] for malformed content or when the number of
/// tensors differs from the number of frequencies.
pub fn import_mpt_dir(dir: &Path, label: &str) -> Result<Signature, MetalError> {
    let fpath = dir.join("Frequencies.csv");
    let tpath = dir.join("Tensors.csv");
    let fname = fpath.display().to_string();
    let tname = tpath.display().to_string();
    let omegas = parse_frequencies(&fname, &read(&fpath)?)?;
    let tensors = parse_tensors(&tname, &read(&tpath)?)?;
    if tensors.len() != omegas.len() {
        return Err(MetalError::format(
            &tname,
            0,
            format!(
                "{} tensors for {} frequencies in Frequencies.csv",
                tensors.len(),
                omegas.len()
            ),
        ));
    }
    let npath = dir.join("N0.csv");
    let n0 = if npath.exists() {
        Some(parse_n0(&npath.display().to_string(), &read(&npath)?)?)
    } else {
        None
    };
    let mut s = Signature::new(label, omegas, tensors)?;
    s.n0 = n0;
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_complex_literals() {
        let cases = [
            ("(1.2e-06+3.4e-07j)", (1.2e-6, 3.4e-7)),
            (" (1.2e-06-3.4e-07j) ", (1.2e-6, -3.4e-7)),
            ("(-1.5E+00+-2.5e-01j)", (-1.5, -0.25)),
            ("(-0-1j)", (0.0, -1.0)),
            ("2j", (0.0, 2.0)),
            ("-3.5", (-3.5, 0.0)),
            ("(1e-3+0j)", (1e-3, 0.0)),
            ("(1+j)", (1.0, 1.0)),
        ];
        for (s, (re, im)) in cases {
            let v = parse_complex(s).unwrap_or_else(|| panic!("{s}"));
            assert!(
                (v.re - re).abs() < 1e-18 && (v.im - im).abs() < 1e-18,
                "{s} → {v}"
            );
        }
        for bad in ["", "()", "(1+2i)", "abc", "(1+2j", "1e-3e4j"] {
            assert!(parse_complex(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn tensors_errors_name_line_and_entry() {
        let e = parse_tensors("T.csv", "(1+0j),(0j),(0j),(0j),(1+0j),(0j),(0j),(0j),(1+0j)\n(1+0j),x,(0j),(0j),(1+0j),(0j),(0j),(0j),(1+0j)\n")
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "T.csv:2: entry 2: not a finite complex number: \"x\""
        );
        let e = parse_tensors("T.csv", "(1+0j),(0j)\n").unwrap_err();
        assert!(e.to_string().contains("expected 9"));
        let e = parse_frequencies("F.csv", "10\n5\n").unwrap_err();
        assert!(e.to_string().starts_with("F.csv:2:"));
        assert!(parse_frequencies("F.csv", "\n").is_err());
    }

    #[test]
    fn interpolation_is_linear_in_log_omega_and_refuses_extrapolation() {
        let a = Tensor3::isotropic(Complex64::new(1.0, 0.0));
        let b = Tensor3::isotropic(Complex64::new(3.0, 2.0));
        let s = Signature::new("x", vec![100.0, 10_000.0], vec![a, b]).unwrap();
        let m = s.at(1000.0).unwrap();
        assert!((m.0[0][0] - Complex64::new(2.0, 1.0)).norm() < 1e-12);
        assert_eq!(s.at(100.0).unwrap(), a);
        assert!(s.at(99.0).is_err() && s.at(10_001.0).is_err() && s.at(f64::NAN).is_err());
    }

    #[test]
    fn object_file_round_trip_and_version_check() {
        let a = Tensor3::isotropic(Complex64::new(-1e-6, 2e-7));
        let s = Signature::new("coin", vec![1e3, 1e4], vec![a, a]).unwrap();
        let f = ObjectFile::new(s, Some(false));
        let text = f.to_json().unwrap();
        assert_eq!(ObjectFile::from_json("o.json", &text).unwrap(), f);
        let bumped = text.replace("\"version\": 1", "\"version\": 99");
        assert!(matches!(
            ObjectFile::from_json("o.json", &bumped),
            Err(MetalError::UnsupportedVersion { found: 99, .. })
        ));
        assert!(ObjectFile::from_json("o.json", "{").is_err());
    }
}
