//! The trainable classifier: standardised signature features → a small
//! neural network (one `tanh` hidden layer, or none for a softmax
//! regression) → class probabilities, calibrated by temperature scaling on
//! a held-back part of the training set.
//!
//! Training is full-batch Adam with L2 weight decay and class-balanced
//! weights, seeded, so a model is a pure function of its data and
//! [`TrainConfig`]. The model is a versioned serde file
//! ([`MODEL_FORMAT`], [`MODEL_VERSION`]).

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::error::MetalError;
use crate::library::ObjectClass;

/// The `format` field of a model file.
pub const MODEL_FORMAT: &str = "hsm-metal-model";
/// The model file version this build reads and writes.
pub const MODEL_VERSION: u32 = 1;
/// The widest hidden layer supported (classification uses a stack buffer).
pub const MAX_HIDDEN: usize = 64;
/// The most features a model may take.
pub const MAX_FEATURES: usize = 208;

/// One labelled example.
#[derive(Clone, Debug, PartialEq)]
pub struct Example {
    /// Features ([`crate::features`]).
    pub features: Vec<f64>,
    /// The true class.
    pub class: ObjectClass,
}

/// Training settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrainConfig {
    /// Hidden units (0: softmax regression).
    pub hidden: usize,
    /// Full-batch epochs.
    pub epochs: usize,
    /// Adam step size.
    pub learning_rate: f64,
    /// L2 weight decay.
    pub l2: f64,
    /// Fraction of examples (every k-th) held back to fit the temperature.
    pub calibration_fraction: f64,
    /// Seed of the weight initialisation.
    pub seed: u64,
    /// Extra weight of threat-class examples (missing a threat costs more
    /// than a re-check).
    #[serde(default = "one")]
    pub threat_weight: f64,
}

fn one() -> f64 {
    1.0
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            hidden: 32,
            epochs: 600,
            learning_rate: 0.02,
            l2: 1e-4,
            calibration_fraction: 0.15,
            seed: 1,
            threat_weight: 2.0,
        }
    }
}

/// A trained classifier.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Model {
    /// [`MODEL_FORMAT`].
    pub format: String,
    /// [`MODEL_VERSION`].
    pub version: u32,
    /// The gate frequencies (Hz) the features were computed at.
    pub frequencies_hz: Vec<f64>,
    /// Output classes, in output order.
    pub classes: Vec<ObjectClass>,
    /// Feature means.
    pub mean: Vec<f64>,
    /// Feature standard deviations.
    pub scale: Vec<f64>,
    /// Hidden units (0: none).
    pub hidden: usize,
    /// Hidden weights, `hidden × features`, row-major.
    pub w1: Vec<f64>,
    /// Hidden biases.
    pub b1: Vec<f64>,
    /// Output weights, `classes × (hidden or features)`, row-major.
    pub w2: Vec<f64>,
    /// Output biases.
    pub b2: Vec<f64>,
    /// Softmax temperature (calibration).
    pub temperature: f64,
    /// Free text: how the model was made.
    pub provenance: String,
}

/// Classification output.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Prediction {
    /// The most probable class.
    pub class: ObjectClass,
    /// Its probability.
    pub confidence: f64,
    /// Total probability of the threat classes.
    pub threat_probability: f64,
}

/// Dot product with eight independent accumulators (vectorises; the
/// summation order differs from a left fold only by rounding).
#[inline]
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut acc = [0.0f64; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for k in 0..8 {
            acc[k] += x[k] * y[k];
        }
    }
    let tail: f64 = ra.iter().zip(rb).map(|(x, y)| x * y).sum();
    ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7])) + tail
}

/// `tanh` through one `exp` (`(1 − e)/(1 + e)`, `e = exp(−2|x|)`): within
/// a few 1e-16 of the library's `tanh` (absolute), at a third of the cost.
#[inline]
fn tanh_fast(x: f64) -> f64 {
    let e = (-2.0 * x.abs()).exp();
    ((1.0 - e) / (1.0 + e)).copysign(x)
}

fn softmax(z: &mut [f64]) {
    let m = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut s = 0.0;
    for v in z.iter_mut() {
        *v = (*v - m).exp();
        s += *v;
    }
    for v in z.iter_mut() {
        *v /= s;
    }
}

impl Model {
    /// Feature count.
    #[must_use]
    pub fn features(&self) -> usize {
        self.mean.len()
    }

    /// Check the shapes and numbers (after loading).
    ///
    /// # Errors
    /// [`MetalError::Format`] describing the first inconsistency;
    /// [`MetalError::UnsupportedVersion`].
    pub fn validate(&self) -> Result<(), MetalError> {
        let bad = |r: String| Err(MetalError::format("model", 0, r));
        if self.format != MODEL_FORMAT {
            return bad(format!("format is {:?}, not {MODEL_FORMAT:?}", self.format));
        }
        if self.version != MODEL_VERSION {
            return Err(MetalError::UnsupportedVersion {
                what: "model file",
                found: self.version,
                supported: MODEL_VERSION,
            });
        }
        let (d, h, c) = (self.mean.len(), self.hidden, self.classes.len());
        if d == 0
            || d > MAX_FEATURES
            || h > MAX_HIDDEN
            || !(2..=ObjectClass::ALL.len()).contains(&c)
        {
            return bad(format!(
                "unsupported sizes: {d} features, {h} hidden, {c} classes"
            ));
        }
        let inner = if h == 0 { d } else { h };
        let sizes = [
            (self.scale.len(), d, "scale"),
            (self.w1.len(), h * d, "w1"),
            (self.b1.len(), h, "b1"),
            (self.w2.len(), c * inner, "w2"),
            (self.b2.len(), c, "b2"),
        ];
        for (got, want, what) in sizes {
            if got != want {
                return bad(format!("{what} has {got} values, expected {want}"));
            }
        }
        let all = self
            .mean
            .iter()
            .chain(&self.scale)
            .chain(&self.w1)
            .chain(&self.b1)
            .chain(&self.w2)
            .chain(&self.b2);
        if all.clone().any(|v| !v.is_finite()) || self.scale.iter().any(|&s| s <= 0.0) {
            return bad("non-finite weight or non-positive scale".to_owned());
        }
        if !(self.temperature.is_finite() && self.temperature > 0.0) {
            return bad(format!("temperature {} must be > 0", self.temperature));
        }
        Ok(())
    }

    /// Parse and validate a model file.
    ///
    /// # Errors
    /// [`MetalError::Format`], [`MetalError::UnsupportedVersion`].
    pub fn from_json(name: &str, text: &str) -> Result<Model, MetalError> {
        let m: Model = serde_json::from_str(text)
            .map_err(|e| MetalError::format(name, e.line(), e.to_string()))?;
        m.validate()?;
        Ok(m)
    }

    /// The model as JSON.
    ///
    /// # Errors
    /// [`MetalError::Format`] if a number cannot be written.
    pub fn to_json(&self) -> Result<String, MetalError> {
        serde_json::to_string(self).map_err(|e| MetalError::format("model", 0, e.to_string()))
    }

    /// Raw logits (before temperature) into `out` (length = classes).
    fn logits(&self, x: &[f64], out: &mut [f64]) {
        let d = self.mean.len();
        let mut xs = [0.0; MAX_FEATURES];
        for i in 0..d {
            xs[i] = (x[i] - self.mean[i]) / self.scale[i];
        }
        let xs = &xs[..d];
        if self.hidden == 0 {
            for (c, o) in out.iter_mut().enumerate() {
                let w = &self.w2[c * d..(c + 1) * d];
                *o = self.b2[c] + dot(w, xs);
            }
            return;
        }
        let h = self.hidden;
        let mut hid = [0.0; MAX_HIDDEN];
        // Four hidden units at a time: four rows of w1 against one load of
        // the features (independent accumulators).
        let mut rows4 = self.w1.chunks_exact(4 * d);
        let mut j = 0;
        for w in &mut rows4 {
            let (w0, rest) = w.split_at(d);
            let (w1, rest) = rest.split_at(d);
            let (w2, w3) = rest.split_at(d);
            let mut acc = [0.0f64; 4];
            for ((((&x, &a), &b), &c), &e) in xs.iter().zip(w0).zip(w1).zip(w2).zip(w3) {
                acc[0] += a * x;
                acc[1] += b * x;
                acc[2] += c * x;
                acc[3] += e * x;
            }
            for (k, a) in acc.iter().enumerate() {
                hid[j + k] = tanh_fast(self.b1[j + k] + a);
            }
            j += 4;
        }
        for (w, hv) in rows4.remainder().chunks_exact(d).zip(&mut hid[j..h]) {
            *hv = tanh_fast(self.b1[j] + dot(w, xs));
            j += 1;
        }
        for (c, o) in out.iter_mut().enumerate() {
            let w = &self.w2[c * h..(c + 1) * h];
            *o = self.b2[c] + dot(w, &hid[..h]);
        }
    }

    /// Calibrated class probabilities into `probs` (length = classes).
    ///
    /// # Errors
    /// [`MetalError::Shape`] for a wrong feature or output length.
    pub fn probabilities(&self, x: &[f64], probs: &mut [f64]) -> Result<(), MetalError> {
        if x.len() != self.mean.len() {
            return Err(MetalError::Shape {
                what: "model features",
                expected: self.mean.len(),
                got: x.len(),
            });
        }
        if probs.len() != self.classes.len() {
            return Err(MetalError::Shape {
                what: "class probabilities",
                expected: self.classes.len(),
                got: probs.len(),
            });
        }
        self.logits(x, probs);
        let t = self.temperature;
        probs.iter_mut().for_each(|v| *v /= t);
        softmax(probs);
        Ok(())
    }

    /// The most probable class, its probability and the threat probability.
    ///
    /// # Errors
    /// [`MetalError::Shape`] for a wrong feature length.
    pub fn predict(&self, x: &[f64]) -> Result<Prediction, MetalError> {
        let mut buf = [0.0; 16];
        let probs = &mut buf[..self.classes.len().min(16)];
        self.probabilities(x, probs)?;
        let mut best = 0;
        let mut threat = 0.0;
        for (k, &p) in probs.iter().enumerate() {
            if p > probs[best] {
                best = k;
            }
            if self.classes[k].is_threat() {
                threat += p;
            }
        }
        Ok(Prediction {
            class: self.classes[best],
            confidence: probs[best],
            threat_probability: threat,
        })
    }

    /// Train on labelled examples.
    ///
    /// # Errors
    /// [`MetalError::InvalidParameter`] for fewer than two classes, an
    /// unusable setting, or inconsistent / non-finite features.
    pub fn train(
        examples: &[Example],
        frequencies_hz: &[f64],
        config: &TrainConfig,
        provenance: &str,
    ) -> Result<Model, MetalError> {
        let invalid = |field, value: f64, expected| MetalError::InvalidParameter {
            field,
            value,
            expected,
        };
        let d = examples.first().map_or(0, |e| e.features.len());
        if d == 0 || d > MAX_FEATURES {
            return Err(invalid(
                "features",
                d as f64,
                "1 to 208 features per example",
            ));
        }
        if examples
            .iter()
            .any(|e| e.features.len() != d || e.features.iter().any(|v| !v.is_finite()))
        {
            return Err(invalid(
                "features",
                d as f64,
                "the same number of finite features in every example",
            ));
        }
        if config.hidden > MAX_HIDDEN {
            return Err(invalid(
                "hidden",
                config.hidden as f64,
                "at most 64 hidden units",
            ));
        }
        if !(0.0..0.5).contains(&config.calibration_fraction) {
            return Err(invalid(
                "calibration_fraction",
                config.calibration_fraction,
                "0 <= fraction < 0.5",
            ));
        }
        let mut classes: Vec<ObjectClass> = examples.iter().map(|e| e.class).collect();
        classes.sort_unstable();
        classes.dedup();
        if classes.len() < 2 {
            return Err(invalid(
                "classes",
                classes.len() as f64,
                "examples of at least two classes",
            ));
        }
        let c = classes.len();
        let label: Vec<usize> = examples
            .iter()
            .map(|e| classes.iter().position(|&k| k == e.class).unwrap_or(0))
            .collect();
        // Split: every k-th example calibrates.
        let every = if config.calibration_fraction > 0.0 {
            (1.0 / config.calibration_fraction).round().max(2.0) as usize
        } else {
            usize::MAX
        };
        let (mut fit, mut cal) = (Vec::new(), Vec::new());
        for i in 0..examples.len() {
            if i % every == every - 1 {
                cal.push(i)
            } else {
                fit.push(i)
            }
        }
        // Standardise.
        let n = fit.len() as f64;
        let mut mean = vec![0.0; d];
        for &i in &fit {
            for (m, v) in mean.iter_mut().zip(&examples[i].features) {
                *m += v / n;
            }
        }
        let mut scale = vec![0.0; d];
        for &i in &fit {
            for k in 0..d {
                scale[k] += (examples[i].features[k] - mean[k]).powi(2) / n;
            }
        }
        scale.iter_mut().for_each(|s| *s = s.sqrt().max(1e-6));
        let xs: Vec<Vec<f64>> = examples
            .iter()
            .map(|e| {
                e.features
                    .iter()
                    .zip(&mean)
                    .zip(&scale)
                    .map(|((v, m), s)| (v - m) / s)
                    .collect()
            })
            .collect();
        // Class-balanced weights.
        let mut counts = vec![0usize; c];
        for &i in &fit {
            counts[label[i]] += 1;
        }
        if !(config.threat_weight.is_finite() && config.threat_weight > 0.0) {
            return Err(invalid(
                "threat_weight",
                config.threat_weight,
                "a weight > 0",
            ));
        }
        let weight: Vec<f64> = counts
            .iter()
            .zip(&classes)
            .map(|(&k, cl)| {
                let w = if cl.is_threat() {
                    config.threat_weight
                } else {
                    1.0
                };
                if k == 0 {
                    0.0
                } else {
                    w * n / (c as f64 * k as f64)
                }
            })
            .collect();
        let h = config.hidden;
        let inner = if h == 0 { d } else { h };
        let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
        let mut init = |len: usize, fan_in: usize| -> Vec<f64> {
            let s = (1.0 / fan_in as f64).sqrt();
            (0..len).map(|_| rng.random_range(-s..s)).collect()
        };
        // Parameters packed: w1, b1, w2, b2.
        let mut w1 = init(h * d, d);
        let mut b1 = vec![0.0; h];
        let mut w2 = init(c * inner, inner);
        let mut b2 = vec![0.0; c];
        let sizes = [h * d, h, c * inner, c];
        let total: usize = sizes.iter().sum();
        let (mut m1, mut v1) = (vec![0.0; total], vec![0.0; total]);
        let (beta1, beta2, eps): (f64, f64, f64) = (0.9, 0.999, 1e-8);
        let mut grad = vec![0.0; total];
        let mut hid = vec![0.0; inner];
        let mut z = vec![0.0; c];
        let mut dh = vec![0.0; inner];
        for epoch in 1..=config.epochs {
            grad.iter_mut().for_each(|g| *g = 0.0);
            for &i in &fit {
                let x = &xs[i];
                if h == 0 {
                    hid.copy_from_slice(x);
                } else {
                    for j in 0..h {
                        let w = &w1[j * d..(j + 1) * d];
                        hid[j] = (b1[j] + w.iter().zip(x).map(|(a, b)| a * b).sum::<f64>()).tanh();
                    }
                }
                for k in 0..c {
                    let w = &w2[k * inner..(k + 1) * inner];
                    z[k] = b2[k] + w.iter().zip(&hid).map(|(a, b)| a * b).sum::<f64>();
                }
                softmax(&mut z);
                let wt = weight[label[i]] / n;
                z[label[i]] -= 1.0;
                let (g1, rest) = grad.split_at_mut(h * d);
                let (gb1, rest) = rest.split_at_mut(h);
                let (g2, gb2) = rest.split_at_mut(c * inner);
                dh.iter_mut().for_each(|v| *v = 0.0);
                for k in 0..c {
                    let e = z[k] * wt;
                    gb2[k] += e;
                    let w = &w2[k * inner..(k + 1) * inner];
                    for j in 0..inner {
                        g2[k * inner + j] += e * hid[j];
                        dh[j] += e * w[j];
                    }
                }
                if h > 0 {
                    for j in 0..h {
                        let e = dh[j] * (1.0 - hid[j] * hid[j]);
                        gb1[j] += e;
                        for (g, xv) in g1[j * d..(j + 1) * d].iter_mut().zip(x) {
                            *g += e * xv;
                        }
                    }
                }
            }
            // Weight decay on weights (not biases), then Adam.
            let lr = config.learning_rate;
            let (bc1, bc2) = (
                1.0 - beta1.powi(epoch as i32),
                1.0 - beta2.powi(epoch as i32),
            );
            let mut off = 0;
            for (part, params) in [&mut w1, &mut b1, &mut w2, &mut b2].into_iter().enumerate() {
                let decay = if part % 2 == 0 { config.l2 } else { 0.0 };
                for (k, p) in params.iter_mut().enumerate() {
                    let g = grad[off + k] + decay * *p;
                    let (m, v) = (&mut m1[off + k], &mut v1[off + k]);
                    *m = beta1 * *m + (1.0 - beta1) * g;
                    *v = beta2 * *v + (1.0 - beta2) * g * g;
                    *p -= lr * (*m / bc1) / ((*v / bc2).sqrt() + eps);
                }
                off += params.len();
            }
        }
        let mut model = Model {
            format: MODEL_FORMAT.to_owned(),
            version: MODEL_VERSION,
            frequencies_hz: frequencies_hz.to_vec(),
            classes,
            mean,
            scale,
            hidden: h,
            w1,
            b1,
            w2,
            b2,
            temperature: 1.0,
            provenance: provenance.to_owned(),
        };
        // Temperature: golden-section search on the calibration NLL.
        if !cal.is_empty() {
            let raw: Vec<(Vec<f64>, usize)> = cal
                .iter()
                .map(|&i| {
                    let mut l = vec![0.0; c];
                    model.logits(&examples[i].features, &mut l);
                    (l, label[i])
                })
                .collect();
            let nll = |t: f64| -> f64 {
                raw.iter()
                    .map(|(l, y)| {
                        let mut p: Vec<f64> = l.iter().map(|v| v / t).collect();
                        softmax(&mut p);
                        -(p[*y].max(1e-300)).ln()
                    })
                    .sum()
            };
            let (mut a, mut b) = (0.2f64.ln(), 10.0f64.ln());
            let g = 0.618_033_988_749_894_9;
            for _ in 0..40 {
                let (x1, x2) = (b - g * (b - a), a + g * (b - a));
                if nll(x1.exp()) < nll(x2.exp()) {
                    b = x2
                } else {
                    a = x1
                }
            }
            model.temperature = ((a + b) / 2.0).exp();
        }
        Ok(model)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tanh_fast_matches_tanh() {
        for i in -2000..=2000 {
            let x = f64::from(i) * 0.01;
            assert!((tanh_fast(x) - x.tanh()).abs() <= 4e-16, "{x}");
        }
        assert_eq!(tanh_fast(0.0), 0.0);
        assert_eq!(tanh_fast(1e3), 1.0);
        assert_eq!(tanh_fast(-1e3), -1.0);
    }

    fn blobs(n: usize, seed: u64) -> Vec<Example> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut out = Vec::new();
        for i in 0..n {
            let (class, cx) = match i % 3 {
                0 => (ObjectClass::Knife, [2.0, 0.0]),
                1 => (ObjectClass::Coins, [-2.0, 0.0]),
                _ => (ObjectClass::Keys, [0.0, 2.5]),
            };
            out.push(Example {
                features: vec![
                    cx[0] + rng.random_range(-1.0..1.0),
                    cx[1] + rng.random_range(-1.0..1.0),
                ],
                class,
            });
        }
        out
    }

    #[test]
    fn learns_separable_blobs_and_round_trips() {
        for hidden in [0, 8] {
            let cfg = TrainConfig {
                hidden,
                epochs: 300,
                threat_weight: 1.0,
                ..TrainConfig::default()
            };
            let m = Model::train(&blobs(300, 1), &[1000.0], &cfg, "test").unwrap();
            let test = blobs(300, 2);
            let ok = test
                .iter()
                .filter(|e| m.predict(&e.features).unwrap().class == e.class)
                .count();
            assert!(ok >= 290, "hidden {hidden}: {ok}/300");
            let p = m.predict(&[3.0, 0.0]).unwrap();
            assert_eq!(p.class, ObjectClass::Knife);
            assert!(p.threat_probability > 0.9 && p.confidence <= 1.0);
            let back = Model::from_json("m", &m.to_json().unwrap()).unwrap();
            assert_eq!(
                back.predict(&[0.1, 2.0]).unwrap(),
                m.predict(&[0.1, 2.0]).unwrap()
            );
        }
    }

    #[test]
    fn training_is_deterministic_and_inputs_are_checked() {
        let cfg = TrainConfig {
            epochs: 20,
            ..TrainConfig::default()
        };
        let a = Model::train(&blobs(60, 1), &[1000.0], &cfg, "t").unwrap();
        let b = Model::train(&blobs(60, 1), &[1000.0], &cfg, "t").unwrap();
        assert_eq!(a, b);
        assert!(a.predict(&[1.0]).is_err());
        let one: Vec<Example> = blobs(30, 1)
            .into_iter()
            .filter(|e| e.class == ObjectClass::Knife)
            .collect();
        assert!(Model::train(&one, &[1000.0], &cfg, "t").is_err());
        let mut bad = a.clone();
        bad.version = 2;
        assert!(matches!(
            bad.validate(),
            Err(MetalError::UnsupportedVersion { .. })
        ));
        let mut bad = a;
        bad.w2.pop();
        assert!(bad.validate().unwrap_err().to_string().contains("w2"));
    }
}
