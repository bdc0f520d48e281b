//! Seeded simulator: persons walking through the gate carrying objects.
//!
//! Each passage draws (from a `ChaCha8` stream seeded by the caller): the
//! person's height (1.60–1.90 m), walking speed (0.5–1.8 m/s), lateral
//! position in the walkway (±8 cm) and the moment they cross the coil plane
//! (0.8–1.2 s into a 2 s recording). Objects sit at body locations (scaled
//! to the person's height) in the orientation given or a uniformly random
//! one; wrist items swing with the arms, ankle and shoe items with the feet.
//! The recording adds, per zone and frequency: the body's own weak
//! conductive response (three moving segments, `Im M ∝ ω`, ±50 % per
//! person for build and clothing), a large static coupling offset, slow
//! linear drift plus a slow sinusoidal wander, mains interference at
//! [`GateConfig::mains_hz`] ± 0.05 Hz with a per-zone amplitude and phase,
//! and white complex Gaussian noise.
//!
//! [`Background`] is those gate disturbances alone as one continuous
//! stream, for timelines of many people (see there).
//!
//! [`GateConfig::mains_hz`]: crate::gate::GateConfig::mains_hz

use num_complex::Complex64;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;
use serde::{Deserialize, Serialize};

use crate::error::MetalError;
use crate::gate::{Gate, Passage};
use crate::signature::Signature;
use crate::tensor::{Rotation, Tensor3};

/// Where on the body an object is carried.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BodyLocation {
    /// Hat, hair clip.
    Head,
    /// Necklace, collar.
    Neck,
    /// Inside jacket pocket, chest.
    Chest,
    /// Belt, front.
    WaistFront,
    /// Belt, back (small of the back).
    WaistBack,
    /// Left wrist or hand.
    LeftWrist,
    /// Right wrist or hand.
    RightWrist,
    /// Left trouser pocket.
    LeftPocket,
    /// Right trouser pocket.
    RightPocket,
    /// Strapped to the left thigh.
    LeftThigh,
    /// Strapped to the right thigh.
    RightThigh,
    /// Left ankle (sock, boot).
    LeftAnkle,
    /// Right ankle.
    RightAnkle,
    /// Left shoe.
    LeftShoe,
    /// Right shoe.
    RightShoe,
}

/// Height band on the body, as reported by the detector.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HeightBand {
    /// Below 0.35 m.
    Ankle,
    /// 0.35–0.76 m.
    Thigh,
    /// 0.76–1.15 m.
    Waist,
    /// 1.15–1.40 m.
    Torso,
    /// Above 1.40 m.
    Head,
}

impl HeightBand {
    /// Band boundaries (m) between consecutive bands, bottom up.
    pub const EDGES_M: [f64; 4] = [0.35, 0.76, 1.15, 1.40];

    /// The band containing height `z` (m).
    #[must_use]
    pub fn of_height(z: f64) -> HeightBand {
        let e = HeightBand::EDGES_M;
        if z < e[0] {
            HeightBand::Ankle
        } else if z < e[1] {
            HeightBand::Thigh
        } else if z < e[2] {
            HeightBand::Waist
        } else if z < e[3] {
            HeightBand::Torso
        } else {
            HeightBand::Head
        }
    }

    /// snake_case name.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            HeightBand::Ankle => "ankle",
            HeightBand::Thigh => "thigh",
            HeightBand::Waist => "waist",
            HeightBand::Torso => "torso",
            HeightBand::Head => "head",
        }
    }
}

/// Side of the walkway (a walker's left and right).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// `x < −0.07 m`.
    Left,
    /// Within 7 cm of the centre line.
    Centre,
    /// `x > 0.07 m`.
    Right,
}

impl Side {
    /// Half-width of the centre band (m).
    pub const CENTRE_HALF_WIDTH_M: f64 = 0.07;

    /// The side of lateral position `x` (m).
    #[must_use]
    pub fn of_x(x: f64) -> Side {
        if x < -Side::CENTRE_HALF_WIDTH_M {
            Side::Left
        } else if x > Side::CENTRE_HALF_WIDTH_M {
            Side::Right
        } else {
            Side::Centre
        }
    }

    /// snake_case name.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Side::Left => "left",
            Side::Centre => "centre",
            Side::Right => "right",
        }
    }
}

/// How a location moves while walking.
#[derive(Clone, Copy, PartialEq)]
enum Motion {
    Body,
    Arm,
    Foot,
}

impl BodyLocation {
    /// Every location.
    pub const ALL: [BodyLocation; 15] = [
        BodyLocation::Head,
        BodyLocation::Neck,
        BodyLocation::Chest,
        BodyLocation::WaistFront,
        BodyLocation::WaistBack,
        BodyLocation::LeftWrist,
        BodyLocation::RightWrist,
        BodyLocation::LeftPocket,
        BodyLocation::RightPocket,
        BodyLocation::LeftThigh,
        BodyLocation::RightThigh,
        BodyLocation::LeftAnkle,
        BodyLocation::RightAnkle,
        BodyLocation::LeftShoe,
        BodyLocation::RightShoe,
    ];

    /// snake_case name.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            BodyLocation::Head => "head",
            BodyLocation::Neck => "neck",
            BodyLocation::Chest => "chest",
            BodyLocation::WaistFront => "waist_front",
            BodyLocation::WaistBack => "waist_back",
            BodyLocation::LeftWrist => "left_wrist",
            BodyLocation::RightWrist => "right_wrist",
            BodyLocation::LeftPocket => "left_pocket",
            BodyLocation::RightPocket => "right_pocket",
            BodyLocation::LeftThigh => "left_thigh",
            BodyLocation::RightThigh => "right_thigh",
            BodyLocation::LeftAnkle => "left_ankle",
            BodyLocation::RightAnkle => "right_ankle",
            BodyLocation::LeftShoe => "left_shoe",
            BodyLocation::RightShoe => "right_shoe",
        }
    }

    /// Offset from the person's centre line at floor level for a 1.75 m
    /// person (x across, y forwards, z up), and how it moves.
    fn nominal(self) -> ([f64; 3], Motion) {
        use BodyLocation as L;
        match self {
            L::Head => ([0.0, 0.0, 1.66], Motion::Body),
            L::Neck => ([0.0, 0.04, 1.50], Motion::Body),
            L::Chest => ([0.06, 0.11, 1.28], Motion::Body),
            L::WaistFront => ([0.0, 0.13, 1.00], Motion::Body),
            L::WaistBack => ([0.0, -0.13, 1.00], Motion::Body),
            L::LeftWrist => ([-0.27, 0.0, 0.86], Motion::Arm),
            L::RightWrist => ([0.27, 0.0, 0.86], Motion::Arm),
            L::LeftPocket => ([-0.17, 0.05, 0.90], Motion::Body),
            L::RightPocket => ([0.17, 0.05, 0.90], Motion::Body),
            L::LeftThigh => ([-0.11, 0.08, 0.62], Motion::Body),
            L::RightThigh => ([0.11, 0.08, 0.62], Motion::Body),
            L::LeftAnkle => ([-0.11, 0.0, 0.13], Motion::Foot),
            L::RightAnkle => ([0.11, 0.0, 0.13], Motion::Foot),
            L::LeftShoe => ([-0.11, 0.06, 0.03], Motion::Foot),
            L::RightShoe => ([0.11, 0.06, 0.03], Motion::Foot),
        }
    }

    /// The height band the location belongs to (the localisation truth).
    #[must_use]
    pub fn height_band(self) -> HeightBand {
        use BodyLocation as L;
        match self {
            L::Head | L::Neck => HeightBand::Head,
            L::Chest => HeightBand::Torso,
            L::WaistFront
            | L::WaistBack
            | L::LeftWrist
            | L::RightWrist
            | L::LeftPocket
            | L::RightPocket => HeightBand::Waist,
            L::LeftThigh | L::RightThigh => HeightBand::Thigh,
            L::LeftAnkle | L::RightAnkle | L::LeftShoe | L::RightShoe => HeightBand::Ankle,
        }
    }

    /// The side the location is on (the localisation truth; the chest
    /// pocket counts as centre).
    #[must_use]
    pub fn side(self) -> Side {
        let x = self.nominal().0[0];
        if x < -0.1 {
            Side::Left
        } else if x > 0.1 {
            Side::Right
        } else {
            Side::Centre
        }
    }
}

/// An object carried through the gate.
#[derive(Clone, Debug, PartialEq)]
pub struct Carried {
    /// The object's signature at the gate's frequencies.
    pub signature: Signature,
    /// Where it is carried.
    pub location: BodyLocation,
    /// Its orientation; `None` draws a uniformly random one per passage.
    pub orientation: Option<Rotation>,
}

/// Disturbances added to every passage.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Disturbances {
    /// White noise standard deviation per sample component (signal units).
    pub noise: f64,
    /// Static coupling offset scale (per channel, signal units).
    pub offset: f64,
    /// Linear drift scale (signal units per second).
    pub drift_per_s: f64,
    /// Slow wander amplitude (signal units): per channel a sinusoid of
    /// 0.1–0.5 Hz with random phase, the part of drift a straight line
    /// does not remove.
    pub walk: f64,
    /// Mains interference amplitude scale (signal units).
    pub mains: f64,
    /// Body-effect scale: `Im M` per segment = `body · ω` (m³·s/rad).
    pub body: f64,
}

impl Default for Disturbances {
    fn default() -> Self {
        Disturbances {
            noise: 0.002,
            offset: 5.0,
            drift_per_s: 0.02,
            walk: 0.002,
            mains: 0.05,
            body: 2.0e-13,
        }
    }
}

impl Disturbances {
    /// No disturbances at all, the body's own response included: a quiet
    /// lab gate, or recordings meant to be added onto one [`Background`].
    pub const NONE: Disturbances = Disturbances {
        noise: 0.0,
        offset: 0.0,
        drift_per_s: 0.0,
        walk: 0.0,
        mains: 0.0,
        body: 0.0,
    };

    /// Every scale finite and `>= 0`.
    ///
    /// # Errors
    /// [`MetalError::InvalidParameter`] naming the first one that is not.
    pub fn validate(&self) -> Result<(), MetalError> {
        for (field, v) in [
            ("noise", self.noise),
            ("offset", self.offset),
            ("drift_per_s", self.drift_per_s),
            ("walk", self.walk),
            ("mains", self.mains),
            ("body", self.body),
        ] {
            if !(v.is_finite() && v >= 0.0) {
                return Err(MetalError::InvalidParameter {
                    field,
                    value: v,
                    expected: "a finite disturbance scale >= 0",
                });
            }
        }
        Ok(())
    }
}

/// The gate's own disturbances per zone and frequency, drawn once: static
/// offset, linear drift, slow wander, mains hum; white noise is drawn per
/// sample. One definition for [`Simulator::passage`] and [`Background`].
#[derive(Clone, Debug)]
struct ChannelDisturbances {
    nf: usize,
    fs: f64,
    noise: f64,
    base: Vec<Complex64>,
    slope: Vec<Complex64>,
    /// Per channel: amplitude, angular step per sample, phase.
    wander: Vec<(Complex64, f64, f64)>,
    mains_f: f64,
    /// Per zone.
    mains: Vec<Complex64>,
    mains_phase: f64,
}

impl ChannelDisturbances {
    /// Draw the per-channel terms (this order of draws is part of every
    /// seeded passage: changing it changes them all).
    fn draw(
        rng: &mut ChaCha8Rng,
        d: &Disturbances,
        nz: usize,
        nf: usize,
        fs: f64,
        mains_hz: f64,
    ) -> ChannelDisturbances {
        let nch = nz * nf;
        let mut base = Vec::with_capacity(nch);
        let mut slope = Vec::with_capacity(nch);
        let mut wander = Vec::with_capacity(nch);
        for _ in 0..nch {
            base.push(complex_gaussian(rng) * d.offset);
            slope.push(complex_gaussian(rng) * (d.drift_per_s / fs));
            let w = core::f64::consts::TAU * rng.random_range(0.1..0.5) / fs;
            let ph = rng.random_range(0.0..core::f64::consts::TAU);
            wander.push((complex_gaussian(rng) * d.walk, w, ph));
        }
        let mains_f = mains_hz + rng.random_range(-0.05..0.05);
        let mut mains = Vec::with_capacity(nz);
        for _ in 0..nz {
            let a = d.mains * rng.random_range(0.0..1.0);
            let th = rng.random_range(0.0..core::f64::consts::TAU);
            mains.push(Complex64::from_polar(a, th));
        }
        let mains_phase = rng.random_range(0.0..core::f64::consts::TAU);
        ChannelDisturbances {
            nf,
            fs,
            noise: d.noise,
            base,
            slope,
            wander,
            mains_f,
            mains,
            mains_phase,
        }
    }

    /// Append sample `ti`'s disturbances, one per channel (zone-major).
    /// `wander(k)` is channel `k`'s `sin(ω_k · ti + φ_k)`; `noise()` draws
    /// one complex standard normal.
    fn push_frame(
        &self,
        ti: f64,
        wander: impl Fn(usize) -> f64,
        mut noise: impl FnMut() -> Complex64,
        out: &mut Vec<Complex64>,
    ) {
        let t = ti / self.fs;
        let hum = (core::f64::consts::TAU * self.mains_f * t + self.mains_phase).cos();
        for (k, &(wa, _, _)) in self.wander.iter().enumerate() {
            let z = k / self.nf;
            out.push(
                self.base[k]
                    + self.slope[k] * ti
                    + wa * wander(k)
                    + self.mains[z] * hum
                    + noise() * self.noise,
            );
        }
    }
}

/// A gate's own disturbances as one continuous stream, frame after frame:
/// what the coils deliver with nobody in the walkway, for as long as the
/// gate runs.
///
/// [`Simulator::passage`] adds a fresh set of disturbances to every
/// recording. Recordings of people close behind one another, added onto
/// one timeline, would then carry two noise floors, two hums and two
/// wanders where a real gate has one; build them with
/// [`Disturbances::NONE`] (keeping the body's own response) and a fade
/// ([`SimConfig::fade_s`], so that their cut ends are not steps), and add
/// them onto one `Background` instead.
///
/// ```
/// use hsm_metal::gate::{Gate, GateConfig};
/// use hsm_metal::sim::{Background, Disturbances};
///
/// let gate = Gate::new(GateConfig::default())?;
/// let mut bg = Background::new(&gate, &Disturbances::default(), 7)?;
/// let mut frame = Vec::new();
/// bg.next_frame(&mut frame);
/// assert_eq!(frame.len(), gate.zones() * gate.frequencies());
/// # Ok::<(), hsm_metal::MetalError>(())
/// ```
#[derive(Clone, Debug)]
pub struct Background {
    terms: ChannelDisturbances,
    rng: ChaCha8Rng,
    next: u64,
    /// Per channel `e^{i(ω·n + φ)}` for the wander, advanced by `rotor`
    /// each frame (one complex product instead of a sine per sample).
    phasor: Vec<Complex64>,
    rotor: Vec<Complex64>,
}

impl Background {
    /// A stream for `gate`, a pure function of `seed`.
    ///
    /// The disturbances are [`Simulator::passage`]'s, drawn once; the
    /// white noise is drawn with the ziggurat method (`rand_distr`'s
    /// `StandardNormal`) rather than Box–Muller, which costs a logarithm
    /// and a sine per pair: a day's stream at 200 Hz is 2.5 × 10⁹ normals.
    ///
    /// # Errors
    /// [`MetalError::InvalidParameter`] for a disturbance scale that is not
    /// finite and `>= 0` ([`Disturbances::validate`]).
    pub fn new(
        gate: &Gate,
        disturbances: &Disturbances,
        seed: u64,
    ) -> Result<Background, MetalError> {
        disturbances.validate()?;
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let c = gate.config();
        let terms = ChannelDisturbances::draw(
            &mut rng,
            disturbances,
            gate.zones(),
            gate.frequencies(),
            c.sample_rate_hz,
            c.mains_hz,
        );
        let phasor = terms
            .wander
            .iter()
            .map(|&(_, _, wp)| Complex64::from_polar(1.0, wp))
            .collect();
        let rotor = terms
            .wander
            .iter()
            .map(|&(_, ww, _)| Complex64::from_polar(1.0, ww))
            .collect();
        Ok(Background {
            terms,
            rng,
            next: 0,
            phasor,
            rotor,
        })
    }

    /// The next frame (`Z × F` samples, zone-major) into `frame`, which is
    /// cleared first.
    pub fn next_frame(&mut self, frame: &mut Vec<Complex64>) {
        frame.clear();
        let rng = &mut self.rng;
        let phasor = &self.phasor;
        self.terms.push_frame(
            self.next as f64,
            |k| phasor.get(k).map_or(0.0, |p| p.im),
            || {
                let (re, im): (f64, f64) = (rng.sample(StandardNormal), rng.sample(StandardNormal));
                Complex64::new(re, im)
            },
            frame,
        );
        for (p, r) in self.phasor.iter_mut().zip(&self.rotor) {
            *p *= r;
        }
        self.next += 1;
        if self.next.is_multiple_of(4096) {
            // Keep the phasors on the unit circle (rounding drifts ~1e-16
            // per step).
            for p in &mut self.phasor {
                *p /= p.norm();
            }
        }
    }

    /// Frames delivered so far.
    #[must_use]
    pub fn frames(&self) -> u64 {
        self.next
    }
}

/// What really happened in a simulated passage.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PassageTruth {
    /// Walking speed (m/s).
    pub speed_m_s: f64,
    /// Person height (m).
    pub person_height_m: f64,
    /// Lateral offset of the person's centre line (m).
    pub person_x_m: f64,
    /// Time the person's centre line crosses `y = 0` (s from the start).
    pub crossing_s: f64,
    /// Per object: label, location, height (m) when crossing.
    pub objects: Vec<(String, BodyLocation, f64)>,
}

/// Recording length and disturbances.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SimConfig {
    /// Recording length (s).
    pub duration_s: f64,
    /// Walking speed range (m/s).
    pub speed_m_s: (f64, f64),
    /// Disturbances.
    pub disturbances: Disturbances,
    /// The passage fades in and out over this long at each end (s; a
    /// raised cosine, rounded to whole samples: under half a sample is no
    /// fade; default 0: none). A recording is cut from a stream and its
    /// ends are whatever the coils saw there; a passage meant to be *added*
    /// onto a continuous stream ([`Background`]) must start and end at
    /// zero, or its cut ends become steps in that stream — with a large
    /// object at a 3.5 s passage's end (0.7 m to several metres from the
    /// coils, by walking speed) a few times and up to a few hundred times
    /// the noise — that no real gate sees as someone walks up. The fade
    /// scales whole frames, the passage's own disturbances too: use it
    /// with [`Disturbances::NONE`] (the body's response kept) and a
    /// [`Background`] underneath. Choose the duration so the fades lie well
    /// away from the crossing (it falls 40–60 % of the way through the
    /// passage).
    #[serde(default)]
    pub fade_s: f64,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            duration_s: 2.0,
            speed_m_s: (0.5, 1.8),
            disturbances: Disturbances::default(),
            fade_s: 0.0,
        }
    }
}

/// The weight of frame `j` of `n` under a raised-cosine fade of `k` frames
/// at each end (1 in between).
fn fade_weight(j: usize, n: usize, k: usize) -> f64 {
    let e = j.min(n.saturating_sub(1).saturating_sub(j));
    if e >= k {
        1.0
    } else {
        0.5 - 0.5 * (core::f64::consts::PI * (e as f64 + 0.5) / k as f64).cos()
    }
}

/// A seeded simulator bound to one gate.
#[derive(Clone, Debug)]
pub struct Simulator {
    gate: Gate,
    config: SimConfig,
    rng: ChaCha8Rng,
}

/// Two independent standard normal numbers (Box–Muller; u1 in (0, 1]).
fn complex_gaussian(rng: &mut ChaCha8Rng) -> Complex64 {
    let u1: f64 = 1.0 - rng.random::<f64>();
    let u2: f64 = rng.random();
    let r = (-2.0 * u1.ln()).sqrt();
    let (s, c) = (2.0 * core::f64::consts::PI * u2).sin_cos();
    Complex64::new(r * c, r * s)
}

impl Simulator {
    /// A simulator whose passages are a pure function of `seed` and the
    /// sequence of calls.
    ///
    /// # Errors
    /// [`MetalError::InvalidParameter`] for a duration outside 0.5–60 s, a
    /// speed range outside 0.1–5 m/s, a disturbance scale that is not
    /// finite and `>= 0`, or a fade that is not finite and `>= 0` or
    /// whose two ends (in whole samples) overlap.
    pub fn new(gate: Gate, config: SimConfig, seed: u64) -> Result<Simulator, MetalError> {
        let d = config.duration_s;
        if !(d.is_finite() && (0.5..=60.0).contains(&d)) {
            return Err(MetalError::InvalidParameter {
                field: "duration_s",
                value: d,
                expected: "0.5 to 60 s",
            });
        }
        config.disturbances.validate()?;
        let f = config.fade_s;
        let fs = gate.config().sample_rate_hz;
        if !(f.is_finite() && f >= 0.0 && 2.0 * (f * fs).round() <= (d * fs).round()) {
            return Err(MetalError::InvalidParameter {
                field: "fade_s",
                value: f,
                expected: "0 <= fade <= half the duration",
            });
        }
        let (lo, hi) = config.speed_m_s;
        if !(lo.is_finite() && hi.is_finite() && 0.1 <= lo && lo <= hi && hi <= 5.0) {
            return Err(MetalError::InvalidParameter {
                field: "speed_m_s",
                value: if lo.is_finite() { hi } else { lo },
                expected: "0.1 <= min <= max <= 5 m/s",
            });
        }
        Ok(Simulator {
            gate,
            config,
            rng: ChaCha8Rng::seed_from_u64(seed),
        })
    }

    /// The gate.
    #[must_use]
    pub fn gate(&self) -> &Gate {
        &self.gate
    }

    /// A uniformly random orientation from the simulator's stream.
    pub fn random_orientation(&mut self) -> Rotation {
        let (a, b, c) = (self.rng.random(), self.rng.random(), self.rng.random());
        Rotation::uniform(a, b, c)
    }

    /// One passage of a person carrying `items` (possibly none).
    ///
    /// # Errors
    /// [`MetalError::Shape`] if a signature does not have one tensor per
    /// gate frequency.
    pub fn passage(&mut self, items: &[Carried]) -> Result<(Passage, PassageTruth), MetalError> {
        let g = &self.gate;
        let (nz, nf) = (g.zones(), g.frequencies());
        for it in items {
            if it.signature.tensors.len() != nf {
                return Err(MetalError::Shape {
                    what: "signature tensors (one per gate frequency)",
                    expected: nf,
                    got: it.signature.tensors.len(),
                });
            }
        }
        let rng = &mut self.rng;
        let fs = g.config().sample_rate_hz;
        let nt = (self.config.duration_s * fs).round().max(1.0) as usize;
        let (vlo, vhi) = self.config.speed_m_s;
        let speed = if vhi > vlo {
            rng.random_range(vlo..vhi)
        } else {
            vlo
        };
        let height = rng.random_range(1.60..1.90);
        let scale = height / 1.75;
        let px = rng.random_range(-0.08..0.08);
        let dur = nt as f64 / fs;
        let tc = dur * rng.random_range(0.4..0.6);
        let cadence = speed / 1.4;
        let phase = rng.random_range(0.0..core::f64::consts::TAU);
        // Object tensors in the gate frame, per frequency.
        struct Obj {
            t: Vec<Tensor3>,
            off: [f64; 3],
            motion: Motion,
        }
        let mut objs = Vec::with_capacity(items.len() + 3);
        let mut truth_objs = Vec::with_capacity(items.len());
        for it in items {
            let q = match it.orientation {
                Some(q) => q,
                None => {
                    let (a, b, c) = (rng.random(), rng.random(), rng.random());
                    Rotation::uniform(a, b, c)
                }
            };
            let (off, motion) = it.location.nominal();
            let off = [off[0], off[1], off[2] * scale];
            truth_objs.push((it.signature.label.clone(), it.location, off[2]));
            objs.push(Obj {
                t: it.signature.tensors.iter().map(|m| m.rotated(&q)).collect(),
                off,
                motion,
            });
        }
        let d = &self.config.disturbances;
        let body = d.body * rng.random_range(0.5..1.5);
        for z in [0.5, 1.0, 1.35] {
            objs.push(Obj {
                t: g.omegas()
                    .iter()
                    .map(|w| {
                        Tensor3::diagonal([
                            Complex64::new(0.0, body * w),
                            Complex64::new(0.0, body * w),
                            Complex64::new(0.0, 1.3 * body * w),
                        ])
                    })
                    .collect(),
                off: [0.0, 0.0, z * scale],
                motion: Motion::Body,
            });
        }
        // Per-channel disturbances.
        let nch = nz * nf;
        let gate_noise = ChannelDisturbances::draw(rng, d, nz, nf, fs, g.config().mains_hz);
        let mut out = Vec::with_capacity(nt * nch);
        for ti in 0..nt {
            let t = ti as f64 / fs;
            let y_body = speed * (t - tc);
            let swing = (core::f64::consts::TAU * cadence * t + phase).sin();
            let start = out.len();
            let tf = ti as f64;
            let wander = |k: usize| {
                gate_noise
                    .wander
                    .get(k)
                    .map_or(0.0, |&(_, ww, wp)| (ww * tf + wp).sin())
            };
            gate_noise.push_frame(tf, wander, || complex_gaussian(rng), &mut out);
            for o in &objs {
                let (dy, dz) = match o.motion {
                    Motion::Body => (0.0, 0.0),
                    // Arms swing opposite to the same-side leg.
                    Motion::Arm => (0.22 * swing * o.off[0].signum(), 0.0),
                    Motion::Foot => (
                        -0.30 * swing * o.off[0].signum(),
                        0.04 * (swing * o.off[0].signum()).max(0.0),
                    ),
                };
                let p = [px + o.off[0], y_body + o.off[1] + dy, o.off[2] + dz];
                for zi in 0..nz {
                    let s = g.sensitivity(zi, p);
                    let row = &mut out[start + zi * nf..start + (zi + 1) * nf];
                    for (v, m) in row.iter_mut().zip(&o.t) {
                        let m6 = m.to_six();
                        *v += m6[0] * s[0]
                            + m6[1] * s[1]
                            + m6[2] * s[2]
                            + m6[3] * s[3]
                            + m6[4] * s[4]
                            + m6[5] * s[5];
                    }
                }
            }
        }
        let k = (self.config.fade_s * fs).round() as usize;
        if k > 0 {
            for (j, frame) in out.chunks_exact_mut(nch).enumerate() {
                let w = fade_weight(j, nt, k);
                if w < 1.0 {
                    frame.iter_mut().for_each(|v| *v *= w);
                }
            }
        }
        let truth = PassageTruth {
            speed_m_s: speed,
            person_height_m: height,
            person_x_m: px,
            crossing_s: tc,
            objects: truth_objs,
        };
        Ok((Passage::new(nz, nf, out)?, truth))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gate::GateConfig;
    use crate::library::builtin;

    fn sim(seed: u64) -> Simulator {
        Simulator::new(
            Gate::new(GateConfig::default()).unwrap(),
            SimConfig::default(),
            seed,
        )
        .unwrap()
    }

    #[test]
    fn same_seed_same_passage_other_seed_other_passage() {
        let lib = builtin();
        let sig = lib[0].signature(sim(0).gate().omegas()).unwrap();
        let item = Carried {
            signature: sig,
            location: BodyLocation::RightPocket,
            orientation: None,
        };
        let (a, ta) = sim(7).passage(std::slice::from_ref(&item)).unwrap();
        let (b, tb) = sim(7).passage(std::slice::from_ref(&item)).unwrap();
        let (c, _) = sim(8).passage(&[item]).unwrap();
        assert_eq!(a, b);
        assert_eq!(ta, tb);
        assert_ne!(a, c);
        assert_eq!((a.frames(), a.zones(), a.freqs()), (400, 18, 4));
        assert!((0.5..1.8).contains(&ta.speed_m_s));
    }

    #[test]
    fn an_object_shows_up_above_the_empty_passage_in_its_zones() {
        let lib = builtin();
        let mut s = sim(3);
        let sig = lib[0].signature(s.gate().omegas()).unwrap();
        let quiet = SimConfig {
            disturbances: Disturbances::NONE,
            ..SimConfig::default()
        };
        let mut s2 = Simulator::new(s.gate().clone(), quiet, 3).unwrap();
        let (p, _) = s2
            .passage(&[Carried {
                signature: sig,
                location: BodyLocation::LeftAnkle,
                orientation: Some(Rotation::IDENTITY),
            }])
            .unwrap();
        // Peak per zone: the lowest left zone sees the most.
        let mut peak = vec![0.0f64; p.zones()];
        for t in 0..p.frames() {
            for (z, pk) in peak.iter_mut().enumerate() {
                *pk = pk.max(p.frame(t).unwrap()[z * p.freqs()].norm());
            }
        }
        let best = (0..peak.len())
            .max_by(|&a, &b| peak[a].total_cmp(&peak[b]))
            .unwrap();
        assert_eq!(best, 0, "{peak:?}");
        assert!(peak[0] > 50.0 * peak[17]);
        // A passage without objects still carries the offsets.
        let (e, _) = s.passage(&[]).unwrap();
        assert!(e.samples()[0].norm() > 0.0);
    }

    #[test]
    fn background_is_seeded_continuous_and_carries_the_stated_noise() {
        let g = Gate::new(GateConfig::default()).unwrap();
        let noise = Disturbances {
            noise: 0.01,
            ..Disturbances::NONE
        };
        let take = |d: &Disturbances, seed, n| {
            let mut bg = Background::new(&g, d, seed).unwrap();
            let mut f = Vec::new();
            let mut all = Vec::new();
            for _ in 0..n {
                bg.next_frame(&mut f);
                all.extend_from_slice(&f);
            }
            assert_eq!(bg.frames(), n as u64);
            all
        };
        let a = take(&noise, 5, 1000);
        assert_eq!(a.len(), 1000 * g.zones() * g.frequencies());
        assert_eq!(a, take(&noise, 5, 1000));
        assert_ne!(a, take(&noise, 6, 1000));
        // 144 000 Gaussian components: the sample standard deviation is
        // within 2 % of 0.01 (its own relative error is 1/sqrt(2N) = 0.2 %).
        let var = a.iter().map(|c| c.norm_sqr()).sum::<f64>() / (2 * a.len()) as f64;
        assert!((var.sqrt() / 0.01 - 1.0).abs() < 0.02, "{}", var.sqrt());
        // Offset and drift alone: every channel is a straight line, frame
        // after frame, for as long as the stream runs.
        let drift = Disturbances {
            offset: 5.0,
            drift_per_s: 0.02,
            ..Disturbances::NONE
        };
        let d = take(&drift, 5, 3000);
        let nch = g.zones() * g.frequencies();
        for c in 0..nch {
            let (x0, x1, xn) = (d[c], d[nch + c], d[2999 * nch + c]);
            let line = x0 + (x1 - x0) * 2999.0;
            assert!((xn - line).norm() < 1e-9 * (1.0 + xn.norm()), "channel {c}");
        }
        // Nothing at all is exactly nothing; a person with nothing carried
        // and no body response adds nothing either.
        assert!(
            take(&Disturbances::NONE, 5, 10)
                .iter()
                .all(|c| c.norm() == 0.0)
        );
        let quiet = SimConfig {
            disturbances: Disturbances::NONE,
            ..SimConfig::default()
        };
        let (p, _) = Simulator::new(g.clone(), quiet, 1)
            .unwrap()
            .passage(&[])
            .unwrap();
        assert!(p.samples().iter().all(|c| c.norm() == 0.0));
    }

    #[test]
    fn background_wander_is_the_passage_wander() {
        // The stream advances each channel's wander by a rotating phasor;
        // over 200 000 steps (1000 s at 200 Hz) it stays the sine the
        // passages use.
        let g = Gate::new(GateConfig::default()).unwrap();
        let walk = Disturbances {
            walk: 1.0,
            ..Disturbances::NONE
        };
        let mut bg = Background::new(&g, &walk, 9).unwrap();
        let terms = bg.terms.clone();
        let mut f = Vec::new();
        let mut worst = 0.0f64;
        for n in 0..200_000u64 {
            bg.next_frame(&mut f);
            if n % 997 == 0 || n == 199_999 {
                for (k, &(wa, ww, wp)) in terms.wander.iter().enumerate() {
                    let want = wa * (ww * n as f64 + wp).sin();
                    worst = worst.max((f[k] - want).norm() / wa.norm().max(1e-300));
                }
            }
        }
        assert!(worst < 1e-9, "{worst}");
    }

    #[test]
    fn a_faded_passage_starts_and_ends_at_zero_and_is_untouched_between() {
        let lib = builtin();
        let g = Gate::new(GateConfig::default()).unwrap();
        let sig = lib[0].signature(g.omegas()).unwrap();
        let item = Carried {
            signature: sig,
            location: BodyLocation::LeftAnkle,
            orientation: None,
        };
        let cfg = |fade_s| SimConfig {
            duration_s: 4.5,
            fade_s,
            ..SimConfig::default()
        };
        let (cut, _) = Simulator::new(g.clone(), cfg(0.0), 7)
            .unwrap()
            .passage(core::slice::from_ref(&item))
            .unwrap();
        let (faded, _) = Simulator::new(g, cfg(0.5), 7)
            .unwrap()
            .passage(&[item])
            .unwrap();
        let n = cut.frames();
        let k = 100; // 0.5 s at 200 Hz
        let norm = |f: &[Complex64]| f.iter().map(|c| c.norm_sqr()).sum::<f64>().sqrt();
        let mut last_w = 0.0;
        for j in 0..n {
            let (a, b) = (cut.frame(j).unwrap(), faded.frame(j).unwrap());
            if (k..n - k).contains(&j) {
                // Untouched: the same random draws, bit for bit.
                assert_eq!(a, b, "frame {j}");
                continue;
            }
            // Scaled by one weight per frame, rising from ~0 over the fade.
            let w = norm(b) / norm(a);
            for (x, y) in a.iter().zip(b) {
                assert!(
                    (y - x * w).norm() <= 1e-12 * x.norm().max(1e-300),
                    "frame {j}"
                );
            }
            if j < k {
                assert!(w > last_w && w < 1.0, "frame {j}: weight {w}");
                last_w = w;
            }
        }
        // The ends are ~0: (1 - cos(π/200)) / 2 = 6.2e-5 of the cut ones.
        for j in [0, n - 1] {
            let r = norm(faded.frame(j).unwrap()) / norm(cut.frame(j).unwrap());
            assert!((r - 6.17e-5).abs() < 1e-6, "frame {j}: {r}");
        }
        // Bad fades are refused: NaN, negative, longer than half the passage.
        for fade_s in [f64::NAN, -0.1, 2.3, f64::INFINITY] {
            assert!(matches!(
                Simulator::new(Gate::new(GateConfig::default()).unwrap(), cfg(fade_s), 0),
                Err(MetalError::InvalidParameter {
                    field: "fade_s",
                    ..
                })
            ));
        }
    }

    #[test]
    fn disturbances_must_be_finite_and_non_negative() {
        let g = Gate::new(GateConfig::default()).unwrap();
        for bad in [
            Disturbances {
                noise: f64::NAN,
                ..Disturbances::default()
            },
            Disturbances {
                mains: -1.0,
                ..Disturbances::default()
            },
            Disturbances {
                drift_per_s: f64::INFINITY,
                ..Disturbances::default()
            },
        ] {
            assert!(matches!(
                Background::new(&g, &bad, 0),
                Err(MetalError::InvalidParameter { .. })
            ));
            let cfg = SimConfig {
                disturbances: bad,
                ..SimConfig::default()
            };
            assert!(matches!(
                Simulator::new(g.clone(), cfg, 0),
                Err(MetalError::InvalidParameter { .. })
            ));
        }
    }

    #[test]
    fn bad_settings_are_refused() {
        let g = Gate::new(GateConfig::default()).unwrap();
        let bad = SimConfig {
            duration_s: 0.0,
            ..SimConfig::default()
        };
        assert!(Simulator::new(g.clone(), bad, 0).is_err());
        let mut s = Simulator::new(g, SimConfig::default(), 0).unwrap();
        let wrong = Carried {
            signature: Signature::new("x", vec![1.0], vec![Tensor3::ZERO]).unwrap(),
            location: BodyLocation::Head,
            orientation: None,
        };
        assert!(matches!(s.passage(&[wrong]), Err(MetalError::Shape { .. })));
    }
}
