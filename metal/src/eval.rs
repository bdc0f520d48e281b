//! The evaluation harness, modelled on walk-through detector certification
//! (NIJ 0601 style; GB 15210-2018 body positions): every test object ×
//! body location × orientation, N passes each → detection probability per
//! cell, nuisance-alarm rate on innocuous items, localisation accuracy; and
//! whole-object cross-validation of the classifier (no object is ever in
//! both the training and the test folds) with a confusion matrix.
//!
//! A pass counts as *detected* when the decision is alarm **or** re-check
//! (both stop the person); the nuisance rate counts the same for innocuous
//! items, so re-checks are never hidden.

use std::collections::BTreeMap;

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::classify::{Example, Model, TrainConfig};
use crate::detect::{Decision, Detector};
use crate::error::MetalError;
use crate::gate::Gate;
use crate::library::ObjectClass;
use crate::sim::{BodyLocation, Carried, SimConfig, Simulator};
use crate::tensor::Rotation;
use crate::train::{Labelled, Source, simulate_examples, variant_objects};

/// A test orientation of the object's own axes in the gate frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Orientation {
    /// Object x axis across the walkway.
    Across,
    /// Object x axis along the walking direction.
    Along,
    /// Object x axis vertical.
    Vertical,
    /// Uniformly random per pass.
    Random,
}

impl Orientation {
    /// All test orientations.
    pub const ALL: [Orientation; 4] = [
        Orientation::Across,
        Orientation::Along,
        Orientation::Vertical,
        Orientation::Random,
    ];

    fn rotation(self) -> Option<Rotation> {
        match self {
            Orientation::Across => Some(Rotation::IDENTITY),
            Orientation::Along => Some(Rotation::about_axis(
                [0.0, 0.0, 1.0],
                core::f64::consts::FRAC_PI_2,
            )),
            Orientation::Vertical => Some(Rotation::about_axis(
                [0.0, 1.0, 0.0],
                core::f64::consts::FRAC_PI_2,
            )),
            Orientation::Random => None,
        }
    }
}

/// One cell of the detection trial.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Cell {
    /// Object (group) name.
    pub object: String,
    /// Its class.
    pub class: ObjectClass,
    /// Where it was carried.
    pub location: BodyLocation,
    /// How it was held.
    pub orientation: Orientation,
    /// Passes.
    pub passes: usize,
    /// Passes decided alarm or re-check.
    pub stopped: usize,
    /// Passes decided alarm.
    pub alarms: usize,
    /// Detected passes whose height band was right.
    pub band_correct: usize,
    /// Detected passes whose side was right.
    pub side_correct: usize,
    /// Detected passes whose class was right.
    pub class_correct: usize,
    /// Passes where anything was detected (localisation denominators).
    pub detected: usize,
}

/// The detection trial's result.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DetectionReport {
    /// Program name.
    pub program: String,
    /// Every cell.
    pub cells: Vec<Cell>,
    /// Fraction of threat passes stopped.
    pub threat_detection: f64,
    /// Lowest per-location threat detection, and that location.
    pub worst_location: Option<(BodyLocation, f64)>,
    /// Fraction of innocuous passes stopped (nuisance alarms).
    pub nuisance_rate: f64,
    /// Height band correct among detected passes.
    pub height_band_accuracy: f64,
    /// Side correct among detected passes.
    pub side_accuracy: f64,
}

/// The certification trial over the built-in library: every built-in
/// threat and every built-in innocuous item at every body location in
/// `orientations`, `passes.0` and `passes.1` passes each (seeds `seeds.0`
/// and `seeds.1`); returns `(threats, innocuous)` reports.
///
/// # Errors
/// As [`Source::builtins`] and [`detection_trial`].
pub fn builtin_trials(
    gate: &Gate,
    detector: &mut Detector,
    orientations: &[Orientation],
    passes: (usize, usize),
    seeds: (u64, u64),
) -> Result<(DetectionReport, DetectionReport), MetalError> {
    let (threats, innocuous) = Source::builtins(gate)?;
    let mut trial = |objects: &[Source], passes, seed| {
        detection_trial(
            gate,
            detector,
            objects,
            &BodyLocation::ALL,
            orientations,
            passes,
            seed,
        )
    };
    Ok((
        trial(&threats, passes.0, seeds.0)?,
        trial(&innocuous, passes.1, seeds.1)?,
    ))
}

/// A model on objects it never saw: `per_class` fresh variants of every
/// class (variant seed `seeds.0`), `passes` passages each at random body
/// locations and orientations (simulation seed `seeds.1`), features from
/// the detector's estimates; returns `(threat probability, is threat)` per
/// passage, as [`threat_detection_at_false_alarms`] takes them.
///
/// # Errors
/// As [`Source::from_object`], [`simulate_examples`] and [`Model::predict`].
pub fn held_out_scores(
    gate: &Gate,
    model: &Model,
    per_class: usize,
    passes: usize,
    seeds: (u64, u64),
) -> Result<Vec<(f64, bool)>, MetalError> {
    let sources = variant_objects(&ObjectClass::ALL, per_class, seeds.0)
        .iter()
        .map(|o| Source::from_object(o, gate))
        .collect::<Result<Vec<_>, _>>()?;
    simulate_examples(gate, &sources, passes, seeds.1)?
        .iter()
        .map(|l| {
            let p = model.predict(&l.example.features)?;
            Ok((p.threat_probability, l.example.class.is_threat()))
        })
        .collect()
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// Run every object × location × orientation `passes` times.
///
/// # Errors
/// As [`Simulator::passage`] and [`Detector::process`].
pub fn detection_trial(
    gate: &Gate,
    detector: &mut Detector,
    objects: &[Source],
    locations: &[BodyLocation],
    orientations: &[Orientation],
    passes: usize,
    seed: u64,
) -> Result<DetectionReport, MetalError> {
    let mut sim = Simulator::new(gate.clone(), SimConfig::default(), seed)?;
    let mut cells = Vec::new();
    for o in objects {
        for &location in locations {
            for &orientation in orientations {
                let mut c = Cell {
                    object: o.group.clone(),
                    class: o.class,
                    location,
                    orientation,
                    passes,
                    stopped: 0,
                    alarms: 0,
                    band_correct: 0,
                    side_correct: 0,
                    class_correct: 0,
                    detected: 0,
                };
                for _ in 0..passes {
                    let (p, _) = sim.passage(&[Carried {
                        signature: o.signature.clone(),
                        location,
                        orientation: orientation.rotation(),
                    }])?;
                    let r = detector.process(&p)?;
                    c.stopped += usize::from(r.decision != Decision::Pass);
                    c.alarms += usize::from(r.decision == Decision::Alarm);
                    if r.detected {
                        c.detected += 1;
                        c.band_correct +=
                            usize::from(r.height_band == Some(location.height_band()));
                        c.side_correct += usize::from(r.side == Some(location.side()));
                        c.class_correct += usize::from(r.class == Some(o.class));
                    }
                }
                cells.push(c);
            }
        }
    }
    let sum = |f: &dyn Fn(&Cell) -> bool, g: &dyn Fn(&Cell) -> usize| -> usize {
        cells.iter().filter(|c| f(c)).map(g).sum()
    };
    let threat = |c: &Cell| c.class.is_threat();
    let innocuous = |c: &Cell| !c.class.is_threat();
    let mut per_loc: BTreeMap<BodyLocation, (usize, usize)> = BTreeMap::new();
    for c in cells.iter().filter(|c| threat(c)) {
        let e = per_loc.entry(c.location).or_default();
        e.0 += c.stopped;
        e.1 += c.passes;
    }
    let worst_location = per_loc
        .iter()
        .map(|(l, (s, n))| (*l, ratio(*s, *n)))
        .min_by(|a, b| a.1.total_cmp(&b.1));
    Ok(DetectionReport {
        program: detector.program().name.clone(),
        threat_detection: ratio(sum(&threat, &|c| c.stopped), sum(&threat, &|c| c.passes)),
        worst_location,
        nuisance_rate: ratio(
            sum(&innocuous, &|c| c.stopped),
            sum(&innocuous, &|c| c.passes),
        ),
        height_band_accuracy: ratio(
            sum(&|_| true, &|c| c.band_correct),
            sum(&|_| true, &|c| c.detected),
        ),
        side_accuracy: ratio(
            sum(&|_| true, &|c| c.side_correct),
            sum(&|_| true, &|c| c.detected),
        ),
        cells,
    })
}

impl DetectionReport {
    /// A plain-text table: detection per object × location (all
    /// orientations pooled), then the summary.
    #[must_use]
    pub fn table(&self) -> String {
        let mut by: BTreeMap<(String, BodyLocation), (usize, usize)> = BTreeMap::new();
        for c in &self.cells {
            let e = by.entry((c.object.clone(), c.location)).or_default();
            e.0 += c.stopped;
            e.1 += c.passes;
        }
        let mut s = format!(
            "{:<32} {:<13} {:>7} {:>6}\n",
            "object", "location", "stopped", "passes"
        );
        for ((o, l), (st, n)) in &by {
            s += &format!("{o:<32} {:<13} {st:>7} {n:>6}\n", l.name());
        }
        s += &format!(
            "threat detection {:.4}; worst location {:?}; nuisance {:.4}; height band {:.4}; side {:.4}\n",
            self.threat_detection,
            self.worst_location,
            self.nuisance_rate,
            self.height_band_accuracy,
            self.side_accuracy
        );
        s
    }
}

/// Whole-object cross-validation result.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CvReport {
    /// Folds.
    pub folds: usize,
    /// Held-out examples scored.
    pub examples: usize,
    /// Class accuracy.
    pub accuracy: f64,
    /// Threat detection at the alarm threshold used.
    pub threat_detection: f64,
    /// False alarms (innocuous examples with threat probability ≥ threshold).
    pub false_alarm_rate: f64,
    /// The threshold on the threat probability.
    pub threshold: f64,
    /// Threat detection at the largest threshold keeping false alarms ≤ 5 %.
    pub threat_detection_at_5pct_fa: f64,
    /// Classes in confusion-matrix order.
    pub classes: Vec<ObjectClass>,
    /// `confusion[true][predicted]` counts.
    pub confusion: Vec<Vec<usize>>,
}

/// The ROC point: the fraction of threat scores above the lowest threshold
/// that keeps the false alarms (innocuous scores above it) at or below
/// `fa` — innocuous scores are sorted descending and the threshold is the
/// `⌊fa · n⌋`-th highest (threats must score strictly above it). `scores`
/// are `(threat probability, is threat)`; 0 without threat scores.
#[must_use]
pub fn threat_detection_at_false_alarms(scores: &[(f64, bool)], fa: f64) -> f64 {
    let mut neg_scores: Vec<f64> = scores.iter().filter(|s| !s.1).map(|s| s.0).collect();
    neg_scores.sort_by(|a, b| b.total_cmp(a));
    let allowed = (fa * neg_scores.len() as f64).floor() as usize;
    let t = neg_scores.get(allowed).copied().unwrap_or(0.0);
    let pos = scores.iter().filter(|s| s.1).count();
    ratio(scores.iter().filter(|s| s.1 && s.0 > t).count(), pos)
}

/// Group k-fold over whole objects: groups are shuffled (seeded) and dealt
/// to folds; each fold's model is trained on the others.
///
/// # Errors
/// [`MetalError::InvalidParameter`] for fewer than 2 folds or more folds
/// than groups; as [`Model::train`].
pub fn cross_validate(
    data: &[Labelled],
    frequencies_hz: &[f64],
    folds: usize,
    threshold: f64,
    config: &TrainConfig,
    seed: u64,
) -> Result<CvReport, MetalError> {
    let mut groups: Vec<&str> = data.iter().map(|l| l.group.as_str()).collect();
    groups.sort_unstable();
    groups.dedup();
    if folds < 2 || folds > groups.len() {
        return Err(MetalError::InvalidParameter {
            field: "folds",
            value: folds as f64,
            expected: "2 <= folds <= number of objects",
        });
    }
    groups.shuffle(&mut ChaCha8Rng::seed_from_u64(seed));
    let fold_of: BTreeMap<&str, usize> = groups
        .iter()
        .enumerate()
        .map(|(i, g)| (*g, i % folds))
        .collect();
    let classes: Vec<ObjectClass> = ObjectClass::ALL.to_vec();
    let mut confusion = vec![vec![0usize; classes.len()]; classes.len()];
    let mut scores: Vec<(f64, bool)> = Vec::new();
    let mut correct = 0;
    for k in 0..folds {
        let train: Vec<Example> = data
            .iter()
            .filter(|l| fold_of.get(l.group.as_str()) != Some(&k))
            .map(|l| l.example.clone())
            .collect();
        let model = Model::train(&train, frequencies_hz, config, "cross-validation fold")?;
        for l in data
            .iter()
            .filter(|l| fold_of.get(l.group.as_str()) == Some(&k))
        {
            let p = model.predict(&l.example.features)?;
            confusion[l.example.class.index()][p.class.index()] += 1;
            correct += usize::from(p.class == l.example.class);
            scores.push((p.threat_probability, l.example.class.is_threat()));
        }
    }
    let n = scores.len();
    let pos = scores.iter().filter(|s| s.1).count();
    let neg = n - pos;
    let tp = scores.iter().filter(|s| s.1 && s.0 >= threshold).count();
    let fp = scores.iter().filter(|s| !s.1 && s.0 >= threshold).count();
    let td5 = threat_detection_at_false_alarms(&scores, 0.05);
    Ok(CvReport {
        folds,
        examples: n,
        accuracy: ratio(correct, n),
        threat_detection: ratio(tp, pos),
        false_alarm_rate: ratio(fp, neg),
        threshold,
        threat_detection_at_5pct_fa: td5,
        classes,
        confusion,
    })
}

/// An object of a user's library: its signature, a free-text label (the
/// class to recognise), its group (one physical object: never in both the
/// training and the test folds) and whether it is a threat.
#[derive(Clone, Debug, PartialEq)]
pub struct LabelledObject {
    /// The signature (any frequencies covering the gate's).
    pub signature: crate::signature::Signature,
    /// Class label.
    pub label: String,
    /// Group (whole-object folds).
    pub group: String,
    /// Threat (1) or innocuous (0).
    pub threat: bool,
}

impl LabelledObject {
    /// Load `path` — an object file (JSON) or an MPT-Calculator folder —
    /// with its label, group and threat flag.
    ///
    /// # Errors
    /// [`MetalError::Io`] for an unreadable file; as
    /// [`crate::signature::ObjectFile::from_json`] and
    /// [`crate::signature::import_mpt_dir`].
    pub fn load(
        path: &std::path::Path,
        label: &str,
        group: &str,
        threat: bool,
    ) -> Result<LabelledObject, MetalError> {
        let signature = if path.is_dir() {
            crate::signature::import_mpt_dir(path, label)?
        } else {
            let shown = path.display().to_string();
            let text = std::fs::read_to_string(path).map_err(|e| MetalError::Io {
                path: shown.clone(),
                reason: e.to_string(),
            })?;
            crate::signature::ObjectFile::from_json(&shown, &text)?.signature
        };
        Ok(LabelledObject {
            signature,
            label: label.to_owned(),
            group: group.to_owned(),
            threat,
        })
    }
}

/// Whole-object cross-validation of a user's library, by label.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ObjectCvReport {
    /// Folds.
    pub folds: usize,
    /// Objects (rows of the list).
    pub objects: usize,
    /// Groups (whole objects held out together).
    pub groups: usize,
    /// Passages simulated per object.
    pub passes: usize,
    /// Held-out passages scored.
    pub examples: usize,
    /// Fraction of held-out passages whose label was right.
    pub accuracy: f64,
    /// Fraction of held-out threat passages with threat probability ≥ `threshold`.
    pub threat_detection_rate: f64,
    /// Fraction of held-out innocuous passages with threat probability ≥ `threshold`.
    pub false_alarm_rate: f64,
    /// The threshold on the threat probability.
    pub threshold: f64,
    /// Threat detection at the largest threshold keeping false alarms ≤ 5 %.
    pub threat_detection_at_5pct_fa: f64,
    /// Labels in confusion-matrix order (threat labels first).
    pub labels: Vec<String>,
    /// `confusion[true][predicted]` counts over `labels`.
    pub confusion: Vec<Vec<usize>>,
}

/// Assign each distinct label a class slot of its threat kind: a label
/// that names a class of that kind keeps it, the others take the free
/// slots in order.
fn label_slots(objects: &[LabelledObject]) -> Result<Vec<(String, ObjectClass)>, MetalError> {
    let mut labels: Vec<(String, bool)> = objects
        .iter()
        .map(|o| (o.label.clone(), o.threat))
        .collect();
    labels.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    labels.dedup();
    for w in labels.windows(2) {
        if w[0].0 == w[1].0 {
            return Err(MetalError::InvalidParameter {
                field: "threat",
                value: f64::NAN,
                expected: "the same threat value for every object of a label",
            });
        }
    }
    let mut used: Vec<ObjectClass> = Vec::new();
    let mut out: Vec<(String, Option<ObjectClass>)> = labels
        .iter()
        .map(|(l, t)| {
            let c = ObjectClass::from_name(l).filter(|c| c.is_threat() == *t);
            if let Some(c) = c {
                used.push(c);
            }
            (l.clone(), c)
        })
        .collect();
    for (i, (_, slot)) in out.iter_mut().enumerate() {
        if slot.is_none() {
            let threat = labels[i].1;
            let free = ObjectClass::ALL
                .into_iter()
                .find(|c| c.is_threat() == threat && !used.contains(c));
            let Some(c) = free else {
                return Err(MetalError::InvalidParameter {
                    field: "labels",
                    value: labels.iter().filter(|l| l.1 == threat).count() as f64,
                    expected: "at most 7 threat labels and 9 innocuous labels",
                });
            };
            used.push(c);
            *slot = Some(c);
        }
    }
    Ok(out
        .into_iter()
        .filter_map(|(l, c)| c.map(|c| (l, c)))
        .collect())
}

/// Whole-object cross-validation of a user's object library: every object
/// is carried `passes` times through the simulated `gate` (random body
/// location and orientation), and the classifier is trained and tested on
/// whole-object folds of the estimated signatures (groups never split).
///
/// # Errors
/// [`MetalError::InvalidParameter`] for fewer than 2 folds, more folds than
/// groups, too many labels, inconsistent threat values or a signature that
/// does not cover the gate's frequencies; as [`cross_validate`].
pub fn evaluate_objects(
    gate: &Gate,
    objects: &[LabelledObject],
    folds: usize,
    passes: usize,
    config: &TrainConfig,
    seed: u64,
) -> Result<ObjectCvReport, MetalError> {
    if passes == 0 {
        return Err(MetalError::InvalidParameter {
            field: "passes",
            value: 0.0,
            expected: "at least one pass per object",
        });
    }
    let slots = label_slots(objects)?;
    let slot_of = |l: &str| slots.iter().position(|(s, _)| s == l).unwrap_or(0);
    let sources = objects
        .iter()
        .map(|o| {
            Ok(Source {
                group: o.group.clone(),
                class: slots[slot_of(&o.label)].1,
                signature: o.signature.resampled(gate.omegas())?,
            })
        })
        .collect::<Result<Vec<_>, MetalError>>()?;
    let data = crate::train::simulate_examples(gate, &sources, passes, seed)?;
    let r = cross_validate(
        &data,
        &gate.config().frequencies_hz,
        folds,
        0.5,
        config,
        seed ^ 0xC0FF_EE00,
    )?;
    let n = slots.len();
    let mut confusion = vec![vec![0usize; n]; n];
    for (i, (_, ci)) in slots.iter().enumerate() {
        for (j, (_, cj)) in slots.iter().enumerate() {
            confusion[i][j] = r.confusion[ci.index()][cj.index()];
        }
    }
    let mut groups: Vec<&str> = objects.iter().map(|o| o.group.as_str()).collect();
    groups.sort_unstable();
    groups.dedup();
    Ok(ObjectCvReport {
        folds,
        objects: objects.len(),
        groups: groups.len(),
        passes,
        examples: r.examples,
        accuracy: r.accuracy,
        threat_detection_rate: r.threat_detection,
        false_alarm_rate: r.false_alarm_rate,
        threshold: r.threshold,
        threat_detection_at_5pct_fa: r.threat_detection_at_5pct_fa,
        labels: slots.into_iter().map(|(l, _)| l).collect(),
        confusion,
    })
}
