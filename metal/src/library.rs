//! The built-in object library: threats and innocuous items as composite
//! models, and seeded families of variants (other shapes, sizes and
//! materials of the same class) for training and held-out evaluation.

use rand::RngExt;
use serde::{Deserialize, Serialize};

use crate::error::MetalError;
use crate::shapes::{Composite, Material, Shape};
use crate::signature::Signature;
use crate::tensor::Rotation;

/// What an object is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjectClass {
    /// Fixed-blade or folding knife.
    Knife,
    /// Handgun.
    Firearm,
    /// Aerosol or other pressurised can.
    PressurisedCan,
    /// Knuckle duster.
    KnuckleDuster,
    /// Screwdriver.
    Screwdriver,
    /// Scissors.
    Scissors,
    /// Hammer.
    Hammer,
    /// Mobile phone.
    Phone,
    /// Key ring.
    Keys,
    /// Coins.
    Coins,
    /// Belt buckle.
    BeltBuckle,
    /// Wrist watch.
    Watch,
    /// Spectacles.
    Glasses,
    /// Rings, chains.
    Jewellery,
    /// Steel shoe shank.
    ShoeShank,
    /// Zipper.
    Zipper,
}

impl ObjectClass {
    /// Every class, threats first.
    pub const ALL: [ObjectClass; 16] = [
        ObjectClass::Knife,
        ObjectClass::Firearm,
        ObjectClass::PressurisedCan,
        ObjectClass::KnuckleDuster,
        ObjectClass::Screwdriver,
        ObjectClass::Scissors,
        ObjectClass::Hammer,
        ObjectClass::Phone,
        ObjectClass::Keys,
        ObjectClass::Coins,
        ObjectClass::BeltBuckle,
        ObjectClass::Watch,
        ObjectClass::Glasses,
        ObjectClass::Jewellery,
        ObjectClass::ShoeShank,
        ObjectClass::Zipper,
    ];

    /// Whether the default threat policy treats the class as a threat.
    #[must_use]
    pub fn is_threat(self) -> bool {
        (self as usize) < 7
    }

    /// Index in [`ObjectClass::ALL`].
    #[must_use]
    pub fn index(self) -> usize {
        self as usize
    }

    /// snake_case name.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            ObjectClass::Knife => "knife",
            ObjectClass::Firearm => "firearm",
            ObjectClass::PressurisedCan => "pressurised_can",
            ObjectClass::KnuckleDuster => "knuckle_duster",
            ObjectClass::Screwdriver => "screwdriver",
            ObjectClass::Scissors => "scissors",
            ObjectClass::Hammer => "hammer",
            ObjectClass::Phone => "phone",
            ObjectClass::Keys => "keys",
            ObjectClass::Coins => "coins",
            ObjectClass::BeltBuckle => "belt_buckle",
            ObjectClass::Watch => "watch",
            ObjectClass::Glasses => "glasses",
            ObjectClass::Jewellery => "jewellery",
            ObjectClass::ShoeShank => "shoe_shank",
            ObjectClass::Zipper => "zipper",
        }
    }

    /// The class with this snake_case name.
    #[must_use]
    pub fn from_name(name: &str) -> Option<ObjectClass> {
        ObjectClass::ALL.into_iter().find(|c| c.name() == name)
    }
}

/// A named object model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LibraryObject {
    /// Unique name.
    pub name: String,
    /// Class.
    pub class: ObjectClass,
    /// Model in the object's own frame.
    pub model: Composite,
}

impl LibraryObject {
    /// The object's signature at `omegas`.
    ///
    /// # Errors
    /// As [`Composite::tensor`].
    pub fn signature(&self, omegas: &[f64]) -> Result<Signature, MetalError> {
        Signature::from_model(self.class.name(), &self.model, omegas)
    }
}

fn rot_z(deg: f64) -> Rotation {
    Rotation::about_axis([0.0, 0.0, 1.0], deg.to_radians())
}

fn rot_y(deg: f64) -> Rotation {
    Rotation::about_axis([0.0, 1.0, 0.0], deg.to_radians())
}

/// Size and material knobs of one object instance; `s` scales lengths.
struct Knobs {
    s: f64,
    aspect: f64,
    material: Material,
    alt: bool,
}

fn build(class: ObjectClass, k: &Knobs) -> Composite {
    let s = k.s;
    let a = k.aspect;
    let m = k.material;
    use ObjectClass as C;
    match class {
        C::Knife => {
            let blade = Shape::plate(0.14 * s * a, 0.028 * s, 0.0022 * s, m);
            let c = Composite::single(blade);
            if k.alt {
                // Folding knife: liners and a pivot.
                let liner = Shape::plate(
                    0.11 * s,
                    0.024 * s,
                    0.0010 * s,
                    Material::AUSTENITIC_STAINLESS,
                );
                c.with(liner.clone(), Rotation::IDENTITY)
                    .with(liner, Rotation::IDENTITY)
                    .with(Shape::rod(0.012 * s, 0.006 * s, m), rot_y(90.0))
            } else {
                // Fixed blade: full tang with rivets.
                c.with(
                    Shape::plate(0.10 * s, 0.018 * s, 0.0022 * s, m),
                    Rotation::IDENTITY,
                )
            }
        }
        C::Firearm => Composite::single(Shape::Ellipsoid {
            semi_axes: [0.09 * s * a, 0.016 * s, 0.013 * s],
            material: m,
        })
        .with(Shape::rod(0.10 * s * a, 0.013 * s, m), Rotation::IDENTITY)
        .with(
            Shape::can(0.11 * s, 0.030 * s, 0.0010 * s, Material::CARBON_STEEL),
            rot_y(75.0),
        )
        .with(Shape::plate(0.06 * s, 0.03 * s, 0.004 * s, m), rot_z(10.0)),
        C::PressurisedCan => Composite::single(Shape::can(
            0.17 * s * a,
            0.053 * s,
            if k.alt { 0.00025 * s } else { 0.0004 * s },
            m,
        )),
        C::KnuckleDuster => Composite::single(Shape::plate(0.10 * s * a, 0.040 * s, 0.007 * s, m))
            .with(Shape::rod(0.10 * s * a, 0.012 * s, m), Rotation::IDENTITY),
        C::Screwdriver => Composite::single(Shape::rod(0.15 * s * a, 0.0065 * s, m)).with(
            Shape::plate(0.010 * s, 0.006 * s, 0.0012 * s, m),
            Rotation::IDENTITY,
        ),
        C::Scissors => {
            let blade = Shape::plate(0.10 * s * a, 0.016 * s, 0.0022 * s, m);
            Composite::single(blade.clone())
                .with(blade, rot_z(12.0))
                .with(Shape::disc(0.016 * s, 0.003 * s, m), Rotation::IDENTITY)
        }
        C::Hammer => Composite::single(Shape::rod(0.11 * s * a, 0.026 * s, m))
            .with(Shape::rod(0.05 * s, 0.02 * s, m), rot_z(90.0)),
        C::Phone => {
            let board = Shape::plate(0.13 * s * a, 0.064 * s, 0.00020 * s, Material::COPPER);
            Composite::single(board)
                .with(
                    Shape::plate(0.09 * s * a, 0.055 * s, 0.0004 * s, m),
                    Rotation::IDENTITY,
                )
                .with(
                    Shape::plate(0.03 * s, 0.02 * s, 0.0002 * s, Material::CARBON_STEEL),
                    Rotation::IDENTITY,
                )
        }
        C::Keys => {
            let key = Shape::plate(0.055 * s * a, 0.021 * s, 0.0022 * s, m);
            let n = if k.alt { 4 } else { 2 };
            let mut c =
                Composite::single(Shape::disc(0.013 * s, 0.0015 * s, Material::CARBON_STEEL));
            for i in 0..n {
                c = c.with(
                    key.clone(),
                    rot_z(40.0 * i as f64).then_after(&rot_y(15.0 * i as f64)),
                );
            }
            c
        }
        C::Coins => {
            let coin = Shape::disc(0.0115 * s * a, 0.0021 * s, m);
            let n = if k.alt { 5 } else { 2 };
            let mut c = Composite::single(coin.clone());
            for i in 1..n {
                c = c.with(coin.clone(), rot_y(20.0 * i as f64));
            }
            c
        }
        C::BeltBuckle => Composite::single(Shape::plate(0.060 * s * a, 0.040 * s, 0.0040 * s, m))
            .with(
                Shape::rod(0.04 * s, 0.004 * s, Material::CARBON_STEEL),
                rot_z(90.0),
            ),
        C::Watch => Composite::single(Shape::disc(0.019 * s * a, 0.009 * s, m)).with(
            Shape::plate(
                0.07 * s,
                0.018 * s,
                0.0012 * s,
                Material::AUSTENITIC_STAINLESS,
            ),
            Rotation::IDENTITY,
        ),
        C::Glasses => Composite::single(Shape::rod(0.13 * s * a, 0.0025 * s, m))
            .with(Shape::rod(0.13 * s, 0.0020 * s, m), rot_z(90.0))
            .with(Shape::rod(0.13 * s, 0.0020 * s, m), rot_z(90.0)),
        C::Jewellery => Composite::single(Shape::disc(0.010 * s * a, 0.002 * s, m))
            .with(Shape::rod(0.02 * s, 0.0016 * s, m), rot_y(60.0)),
        C::ShoeShank => Composite::single(Shape::plate(0.11 * s * a, 0.014 * s, 0.0012 * s, m)),
        C::Zipper => Composite::single(Shape::plate(0.020 * s * a, 0.010 * s, 0.0025 * s, m)).with(
            Shape::rod(0.15 * s, 0.003 * s, Material::BRASS),
            Rotation::IDENTITY,
        ),
    }
}

/// Materials an instance of `class` may be made of.
fn materials(class: ObjectClass) -> &'static [Material] {
    use ObjectClass as C;
    const STEELS: &[Material] = &[
        Material::MARTENSITIC_STAINLESS,
        Material::CARBON_STEEL,
        Material::AUSTENITIC_STAINLESS,
    ];
    match class {
        C::Knife | C::Scissors => STEELS,
        C::Firearm | C::Hammer | C::Screwdriver => {
            &[Material::CARBON_STEEL, Material::MARTENSITIC_STAINLESS]
        }
        C::PressurisedCan => &[Material::ALUMINIUM, Material::CARBON_STEEL],
        C::KnuckleDuster => &[
            Material::BRASS,
            Material::CARBON_STEEL,
            Material::ZINC_ALLOY,
        ],
        C::Phone => &[Material::ALUMINIUM],
        C::Keys => &[Material::BRASS, Material::CUPRONICKEL],
        C::Coins => &[
            Material::CUPRONICKEL,
            Material::BRASS,
            Material::CARBON_STEEL,
        ],
        C::BeltBuckle => &[
            Material::ZINC_ALLOY,
            Material::BRASS,
            Material::AUSTENITIC_STAINLESS,
        ],
        C::Watch => &[Material::AUSTENITIC_STAINLESS, Material::TITANIUM],
        C::Glasses => &[Material::TITANIUM, Material::CUPRONICKEL],
        C::Jewellery => &[Material::GOLD, Material::SILVER],
        C::ShoeShank => &[Material::CARBON_STEEL],
        C::Zipper => &[Material::BRASS, Material::ZINC_ALLOY],
    }
}

/// The built-in library: 2–3 named instances per class (nominal sizes,
/// first materials) — the objects the detection bars are measured on.
#[must_use]
pub fn builtin() -> Vec<LibraryObject> {
    let mut out = Vec::new();
    // (name, size factor, aspect factor, material index, variant flag)
    type Spec = (&'static str, f64, f64, usize, bool);
    let specs: &[(ObjectClass, &[Spec])] = &[
        (
            ObjectClass::Knife,
            &[
                ("kitchen_knife_20cm_stainless", 1.35, 1.0, 0, false),
                ("fixed_blade_12cm_carbon", 0.9, 0.95, 1, false),
                ("folding_knife_8cm_stainless", 0.75, 0.8, 0, true),
                ("folding_knife_6cm_304", 0.6, 0.8, 2, true),
            ],
        ),
        (
            ObjectClass::Firearm,
            &[("pistol_steel", 1.0, 1.0, 0, false)],
        ),
        (
            ObjectClass::PressurisedCan,
            &[
                ("aerosol_can_aluminium_200ml", 1.0, 1.0, 0, false),
                ("aerosol_can_tinplate_100ml", 0.8, 0.9, 1, true),
            ],
        ),
        (
            ObjectClass::KnuckleDuster,
            &[
                ("knuckle_duster_brass", 1.0, 1.0, 0, false),
                ("knuckle_duster_steel", 0.95, 1.0, 1, false),
            ],
        ),
        (
            ObjectClass::Screwdriver,
            &[("screwdriver_15cm", 1.0, 1.0, 0, false)],
        ),
        (
            ObjectClass::Scissors,
            &[("scissors_steel", 1.0, 1.0, 0, false)],
        ),
        (ObjectClass::Hammer, &[("hammer_claw", 1.0, 1.0, 0, false)]),
        (ObjectClass::Phone, &[("smartphone", 1.0, 1.0, 0, false)]),
        (
            ObjectClass::Keys,
            &[
                ("keys_two", 1.0, 1.0, 0, false),
                ("keys_bunch", 1.0, 1.0, 0, true),
            ],
        ),
        (
            ObjectClass::Coins,
            &[
                ("coins_two", 1.0, 1.0, 0, false),
                ("coins_handful", 1.0, 1.0, 1, true),
            ],
        ),
        (
            ObjectClass::BeltBuckle,
            &[("belt_buckle", 1.0, 1.0, 0, false)],
        ),
        (
            ObjectClass::Watch,
            &[("wrist_watch_steel", 1.0, 1.0, 0, false)],
        ),
        (
            ObjectClass::Glasses,
            &[("glasses_titanium", 1.0, 1.0, 0, false)],
        ),
        (
            ObjectClass::Jewellery,
            &[("ring_and_chain_gold", 1.0, 1.0, 0, false)],
        ),
        (
            ObjectClass::ShoeShank,
            &[("shoe_shank_steel", 1.0, 1.0, 0, false)],
        ),
        (ObjectClass::Zipper, &[("zipper_brass", 1.0, 1.0, 0, false)]),
    ];
    for (class, items) in specs {
        for &(name, s, aspect, mat, alt) in *items {
            let mats = materials(*class);
            let material = mats[mat.min(mats.len() - 1)];
            out.push(LibraryObject {
                name: name.to_owned(),
                class: *class,
                model: build(
                    *class,
                    &Knobs {
                        s,
                        aspect,
                        material,
                        alt,
                    },
                ),
            });
        }
    }
    out
}

/// A random instance of `class`: size × U(0.7, 1.4) (knives 0.5–1.5),
/// aspect × U(0.8, 1.25), a material and variant drawn from the class's
/// options. Used to make training objects and held-out test objects.
#[must_use]
pub fn variant<R: rand::Rng>(class: ObjectClass, index: usize, rng: &mut R) -> LibraryObject {
    let (lo, hi) = match class {
        ObjectClass::Knife => (0.5, 1.5),
        _ => (0.7, 1.4),
    };
    let mats = materials(class);
    let knobs = Knobs {
        s: rng.random_range(lo..hi),
        aspect: rng.random_range(0.8..1.25),
        material: mats[rng.random_range(0..mats.len())],
        alt: rng.random_bool(0.5),
    };
    LibraryObject {
        name: format!("{}_variant_{index}", class.name()),
        class,
        model: build(class, &knobs),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_class_has_a_builtin_and_names_are_unique() {
        let lib = builtin();
        for c in ObjectClass::ALL {
            assert!(lib.iter().any(|o| o.class == c), "{c:?}");
            assert_eq!(ObjectClass::from_name(c.name()), Some(c));
        }
        let mut names: Vec<_> = lib.iter().map(|o| o.name.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), lib.len());
        assert_eq!(ObjectClass::ALL.iter().filter(|c| c.is_threat()).count(), 7);
    }

    #[test]
    fn builtin_signatures_are_finite_and_threats_are_large() {
        let w: Vec<f64> = [1e3, 3e3, 9e3, 27e3]
            .iter()
            .map(|f| 2.0 * core::f64::consts::PI * f)
            .collect();
        let mut smallest_threat = f64::INFINITY;
        for o in builtin() {
            let s = o.signature(&w).unwrap();
            let n = s
                .tensors
                .iter()
                .map(crate::tensor::Tensor3::norm)
                .fold(0.0, f64::max);
            assert!(n.is_finite() && n > 0.0, "{}", o.name);
            if o.class.is_threat() {
                smallest_threat = smallest_threat.min(n);
            }
        }
        assert!(smallest_threat > 1e-7, "{smallest_threat}");
    }
}
