//! Training data from the simulator, the default-model recipe, and the
//! shipped default model.
//!
//! Examples are made end to end: an object is carried through the
//! simulated gate at a random body location in a random orientation, the
//! passage is processed ([`crate::detect`]) and the features of the
//! *estimated* tensors are labelled with the object's class — so the model
//! learns the estimation noise it will meet, not clean tensors.
//!
//! The default model ([`default_model`], `models/default.json`) is
//! [`train_default`] on the default gate; regenerate it with
//! `cargo run --release -p hsm-metal --example train_default_model`.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::classify::{Example, Model, TrainConfig};
use crate::detect::{Detector, Program};
use crate::error::MetalError;
use crate::features::features;
use crate::gate::{Gate, GateConfig};
use crate::library::{LibraryObject, ObjectClass, builtin, variant};
use crate::signature::Signature;
use crate::sim::{BodyLocation, Carried, SimConfig, Simulator};

/// A labelled example with the object it came from (for whole-object
/// cross-validation) and where it was carried.
#[derive(Clone, Debug, PartialEq)]
pub struct Labelled {
    /// Features and class.
    pub example: Example,
    /// The object (group) name.
    pub group: String,
    /// Where it was carried.
    pub location: BodyLocation,
}

/// A signature to carry, with its class and group name.
#[derive(Clone, Debug, PartialEq)]
pub struct Source {
    /// Group name (unique per physical object).
    pub group: String,
    /// Class.
    pub class: ObjectClass,
    /// Signature at the gate's frequencies.
    pub signature: Signature,
}

impl Source {
    /// From a library object at the gate's frequencies.
    ///
    /// # Errors
    /// As [`LibraryObject::signature`].
    pub fn from_object(o: &LibraryObject, gate: &Gate) -> Result<Source, MetalError> {
        Ok(Source {
            group: o.name.clone(),
            class: o.class,
            signature: o.signature(gate.omegas())?,
        })
    }

    /// The built-in library at the gate's frequencies, split into
    /// `(threats, innocuous items)`: the certification trials' objects.
    ///
    /// # Errors
    /// As [`Source::from_object`].
    pub fn builtins(gate: &Gate) -> Result<(Vec<Source>, Vec<Source>), MetalError> {
        let sources = builtin()
            .iter()
            .map(|o| Source::from_object(o, gate))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(sources.into_iter().partition(|s| s.class.is_threat()))
    }
}

/// `per_class` seeded random variants of each class.
#[must_use]
pub fn variant_objects(classes: &[ObjectClass], per_class: usize, seed: u64) -> Vec<LibraryObject> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut out = Vec::with_capacity(classes.len() * per_class);
    for &c in classes {
        for i in 0..per_class {
            let mut o = variant(c, i, &mut rng);
            o.name = format!("{}_s{seed}", o.name);
            out.push(o);
        }
    }
    out
}

/// Carry each source `passes` times through a simulated gate (random body
/// location and orientation, default disturbances) and label the features
/// of the estimated tensors.
///
/// # Errors
/// As [`Simulator::passage`] and [`Detector::process`].
pub fn simulate_examples(
    gate: &Gate,
    sources: &[Source],
    passes: usize,
    seed: u64,
) -> Result<Vec<Labelled>, MetalError> {
    let mut sim = Simulator::new(gate.clone(), SimConfig::default(), seed)?;
    let mut det = Detector::new(gate, Program::named("strict")?, None)?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5EED_1F0C);
    let mut out = Vec::with_capacity(sources.len() * passes);
    for s in sources {
        for _ in 0..passes {
            let location = BodyLocation::ALL[rng.random_range(0..BodyLocation::ALL.len())];
            let (p, _) = sim.passage(&[Carried {
                signature: s.signature.clone(),
                location,
                orientation: None,
            }])?;
            let r = det.process(&p)?;
            if r.tensors.is_empty() {
                continue;
            }
            out.push(Labelled {
                example: Example {
                    features: features(&r.tensors),
                    class: s.class,
                },
                group: s.group.clone(),
                location,
            });
        }
    }
    Ok(out)
}

/// Settings of the default-model recipe.
#[derive(Clone, Debug, PartialEq)]
pub struct Recipe {
    /// Variants per class (besides the built-ins).
    pub variants_per_class: usize,
    /// Passages per object.
    pub passes: usize,
    /// Seed of the variants and the simulation.
    pub seed: u64,
    /// Classifier settings.
    pub train: TrainConfig,
}

impl Default for Recipe {
    fn default() -> Self {
        Recipe {
            variants_per_class: 64,
            passes: 12,
            seed: 2026,
            train: TrainConfig::default(),
        }
    }
}

/// Train a model on `gate` by `recipe`: the built-in objects plus seeded
/// variants of every class.
///
/// # Errors
/// As [`simulate_examples`] and [`Model::train`].
pub fn train_default(gate: &Gate, recipe: &Recipe) -> Result<Model, MetalError> {
    let mut objects = builtin();
    objects.extend(variant_objects(
        &ObjectClass::ALL,
        recipe.variants_per_class,
        recipe.seed,
    ));
    let sources = objects
        .iter()
        .map(|o| Source::from_object(o, gate))
        .collect::<Result<Vec<_>, _>>()?;
    let data = simulate_examples(gate, &sources, recipe.passes, recipe.seed)?;
    let examples: Vec<Example> = data.into_iter().map(|l| l.example).collect();
    let provenance = format!(
        "hsm-metal {} default recipe: built-ins + {} variants/class, {} passes each, seed {}, default gate; {:?}",
        env!("CARGO_PKG_VERSION"),
        recipe.variants_per_class,
        recipe.passes,
        recipe.seed,
        recipe.train
    );
    Model::train(
        &examples,
        &gate.config().frequencies_hz,
        &recipe.train,
        &provenance,
    )
}

/// The default model shipped with the crate (trained by
/// [`train_default`] on [`GateConfig::default`]).
///
/// # Errors
/// [`MetalError::Format`] if the embedded file is corrupt (a build defect).
pub fn default_model() -> Result<Model, MetalError> {
    Model::from_json(
        "models/default.json",
        include_str!("../models/default.json"),
    )
}

/// A detector for the default gate with the default model and `program`.
///
/// # Errors
/// As [`Program::named`] and [`Detector::new`].
pub fn default_detector(program: &str) -> Result<(Gate, Detector), MetalError> {
    let gate = Gate::new(GateConfig::default())?;
    let det = Detector::new(&gate, Program::named(program)?, Some(default_model()?))?;
    Ok((gate, det))
}
