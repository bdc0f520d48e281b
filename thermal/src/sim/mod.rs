//! A seeded simulator of a gate's thermal camera, with ground truth.
//!
//! The simulator draws people walking towards the camera, renders each frame
//! as a temperature field, passes it through a camera model and the inverse
//! radiometric map into u16 counts, and returns the truth beside every
//! frame: each face's box, measurement-site temperature, body temperature
//! and fever yes/no, and the blackbody.
//!
//! ## The scene
//! - **Background**: a wall at the ambient temperature with a gentle
//!   vertical gradient (+0.5 °C from top to bottom).
//! - **People** at a distance `d`: the face is an ellipse `0.15–0.17 m` wide
//!   and 1.3 times as tall, projected with a pinhole camera
//!   (`width_px = focal_px · width_m / d`). Its temperature field, relative
//!   to the inner-canthus (site) temperature `T_site`: inner canthi (two
//!   discs of radius 0.065 face widths beside the nose bridge) at `T_site`,
//!   blending over 0.05 face widths into their surroundings; the eyes
//!   `T_site − 0.4`; forehead `T_site − 0.7`; cheeks `T_site − 1.2`; nose
//!   `T_site − 2.0`. Hair covers the top of the head and the hairline at
//!   `ambient + 0.35·(T_site − ambient)`; glasses are two cold lenses
//!   (`ambient + 4 °C`) covering the eyes and most of each canthus; a mask
//!   covers the lower face at `ambient + 0.6·(T_site − ambient)`. A neck
//!   (`T_site − 1.5`) joins the face to clothing at `ambient + 6 °C`.
//! - **Body temperature** `T_core` is drawn per person;
//!   `T_site = T_core − site_to_core`, where the offset is drawn per person
//!   around [`Population::site_to_core`]. The person is febrile when
//!   `T_core >= 37.3 °C`.
//! - **Distractors**: a hot cup (default 65 °C, 8 × 10 cm) held beside the
//!   face at face height, and ceiling lamps (default 70 °C discs).
//! - **Blackbody**: a square at its set-point (emissivity taken as the
//!   scene's), optionally occluded by clothing.
//!
//! ## The camera
//! The scene's temperatures plus the camera's own offset (a constant plus a
//! linear drift, what a blackbody corrects) are mapped to fractional raw
//! counts through [`Converter::celsius_to_raw`] (tabulated at 0.01 °C and
//! interpolated), blurred by a Gaussian point-spread function of
//! `blur_sigma_px` (optics: a small face's canthus is averaged with its
//! cooler surroundings and reads low — the size-of-source effect), then
//! noise is added in counts scaled by the local slope of the map: temporal
//! noise of standard deviation NETD (default 50 mK) and a per-pixel
//! fixed-pattern offset (default 30 mK), drawn once. Dead pixels read 0 and
//! hot pixels 65 535, at positions drawn once. Counts are rounded and
//! clamped to `0..=65535`.
//!
//! ## Determinism
//! One [`rand_chacha::ChaCha8Rng`] seeded from [`SimConfig::seed`] drives
//! everything, and only its raw 64-bit outputs are used: uniforms are
//! formed from the top 53 bits and normal deviates as a rescaled
//! Irwin–Hall sum of four 16-bit uniforms (bounded at ±3.46 σ), so no
//! floating-point library routine decides a random draw. The same seed
//! gives the same bytes.

use hsm_core::{Celsius, CoreError, Micros, Point, Rect, Timestamp};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::error::ThermalError;
use crate::radiometry::{Converter, Radiometry, TLinearResolution};

/// The fever line of the simulated truth: a person is febrile when their
/// body temperature is at or above it.
pub const FEVER_LINE: Celsius = Celsius(37.3);

/// The simulated camera.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CameraModel {
    /// Width in pixels.
    pub width: usize,
    /// Height in pixels.
    pub height: usize,
    /// Focal length in pixels (pinhole model).
    pub focal_px: f64,
    /// How counts map to temperature; the simulator renders through its inverse.
    pub radiometry: Radiometry,
    /// Temporal noise: noise-equivalent temperature difference in kelvin.
    pub netd_k: f64,
    /// Standard deviation of the fixed per-pixel offset, in kelvin.
    pub fpn_k: f64,
    /// Standard deviation of the optical point-spread function, in pixels (0: none).
    pub blur_sigma_px: f64,
    /// Pixels stuck at 0.
    pub dead_pixels: usize,
    /// Pixels stuck at 65 535.
    pub hot_pixels: usize,
    /// The camera's systematic error: what it adds to every temperature.
    pub offset: Celsius,
    /// Drift of that error, in °C per minute.
    pub drift_c_per_min: f64,
}

impl Default for CameraModel {
    /// A 160 × 120 TLinear (centi-kelvin) camera with a 35° field of view,
    /// NETD 50 mK, 30 mK fixed pattern, blur σ 0.5 px, two dead and two hot
    /// pixels, no offset.
    fn default() -> Self {
        CameraModel {
            width: 160,
            height: 120,
            focal_px: 250.0,
            radiometry: Radiometry::TLinear(TLinearResolution::CentiKelvin),
            netd_k: 0.05,
            fpn_k: 0.03,
            blur_sigma_px: 0.5,
            dead_pixels: 2,
            hot_pixels: 2,
            offset: Celsius(0.0),
            drift_c_per_min: 0.0,
        }
    }
}

/// Who walks through the gate.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Population {
    /// Fraction of febrile persons, in `[0, 1]`, realised exactly by
    /// systematic sampling: person `k` is febrile when
    /// `⌊(k + 1)·p + φ⌋ > ⌊k·p + φ⌋` for a phase `φ` drawn once, so any `N`
    /// consecutive persons hold `N·p` febrile ones, rounded up or down.
    pub fever_fraction: f64,
    /// Body temperature of afebrile persons: uniform in this range (°C).
    pub normal_core: (f64, f64),
    /// Body temperature of febrile persons: uniform in this range (°C).
    pub fever_core: (f64, f64),
    /// Mean of body minus inner-canthus temperature, °C.
    pub site_to_core: f64,
    /// Person-to-person standard deviation of that offset, °C.
    pub site_to_core_sd: f64,
    /// Fraction wearing glasses.
    pub glasses_fraction: f64,
    /// Fraction wearing a mask.
    pub mask_fraction: f64,
    /// Fraction with hair on the head (the rest are bald).
    pub hair_fraction: f64,
}

impl Default for Population {
    /// 5 % febrile; afebrile bodies uniform in 36.2–37.0 °C, febrile in
    /// 37.8–39.5 °C; site 0.4 °C below the body (σ 0.05 °C between
    /// persons); no glasses, no masks; 70 % with hair.
    fn default() -> Self {
        Population {
            fever_fraction: 0.05,
            normal_core: (36.2, 37.0),
            fever_core: (37.8, 39.5),
            site_to_core: 0.4,
            site_to_core_sd: 0.05,
            glasses_fraction: 0.0,
            mask_fraction: 0.0,
            hair_fraction: 0.7,
        }
    }
}

/// The reference blackbody in the scene.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BlackbodySpec {
    /// Where it appears in the image.
    pub rect: Rect,
    /// Its temperature.
    pub set_point: Celsius,
}

impl BlackbodySpec {
    /// The emitter's interior, `margin` pixels in from each side (at least
    /// one pixel): what a processor should measure, since optical blur mixes
    /// the emitter's edge with its surroundings.
    #[must_use]
    pub fn interior(&self, margin: u32) -> Rect {
        let r = self.rect;
        let mx = margin.min(r.width.saturating_sub(1) / 2);
        let my = margin.min(r.height.saturating_sub(1) / 2);
        Rect::new(r.x + mx, r.y + my, r.width - 2 * mx, r.height - 2 * my)
    }
}

/// Configuration of a simulation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SimConfig {
    /// Seed: same seed, same bytes.
    pub seed: u64,
    /// The camera.
    pub camera: CameraModel,
    /// The population.
    pub population: Population,
    /// Ambient (wall and air) temperature.
    pub ambient: Celsius,
    /// The blackbody, if one is in view.
    pub blackbody: Option<BlackbodySpec>,
    /// Frames per passage.
    pub frames_per_person: usize,
    /// Distance range at a passage's first frame, metres.
    pub start_distance_m: (f64, f64),
    /// Distance range at a passage's last frame, metres.
    pub end_distance_m: (f64, f64),
    /// Time between frames.
    pub frame_interval: Micros,
    /// Probability that a passage's person holds a hot cup beside the face.
    pub cup_probability: f64,
    /// Ceiling lamps in view (hot discs near the top of the frame).
    pub lamps: usize,
}

impl Default for SimConfig {
    /// Seed 1, the default camera and population, 22 °C ambient, a 35 °C
    /// blackbody of 10 × 10 px in the top-right corner, 8 frames per passage
    /// from 2.4–2.8 m to 0.75–0.95 m at 30 frames per second, no
    /// distractors.
    fn default() -> Self {
        let camera = CameraModel::default();
        SimConfig {
            seed: 1,
            camera,
            population: Population::default(),
            ambient: Celsius(22.0),
            blackbody: Some(default_blackbody(camera.width, camera.height)),
            frames_per_person: 8,
            start_distance_m: (2.4, 2.8),
            end_distance_m: (0.75, 0.95),
            frame_interval: Micros(33_333),
            cup_probability: 0.0,
            lamps: 0,
        }
    }
}

/// A blackbody of 1/16 of the width (at least 8 px) in the top-right corner
/// at 35 °C: the placement the simulator uses by default.
#[must_use]
pub fn default_blackbody(width: usize, height: usize) -> BlackbodySpec {
    let side = (width / 16).max(8).min(width).min(height) as u32;
    let margin = (side / 2).max(1);
    BlackbodySpec {
        rect: Rect::new(
            (width as u32).saturating_sub(side + margin),
            margin.min((height as u32).saturating_sub(side)),
            side,
            side,
        ),
        set_point: Celsius(35.0),
    }
}

/// The speed bars' scene (issue 3): `n` TLinear frames of `width × height`
/// with three faces side by side at 1.10, 1.25 and 1.40 m, the default
/// blackbody, and the default camera otherwise (focal length scaled with the
/// width: 1.25 px per pixel of width). The same three persons in every
/// frame; the noise differs, so consecutive frames are never identical.
/// Returns the frames (row-major counts) and the configuration used
/// (radiometry, blackbody). Used by the benches, the golden vectors and the
/// doors' comparisons so that all measure the same frames.
///
/// # Errors
/// As [`Simulator::new`] (a frame too small for the camera model).
pub fn bench_scene(
    width: usize,
    height: usize,
    n: usize,
    seed: u64,
) -> Result<(Vec<Vec<u16>>, SimConfig), ThermalError> {
    let camera = CameraModel {
        width,
        height,
        focal_px: width as f64 * 1.25,
        ..CameraModel::default()
    };
    let cfg = SimConfig {
        seed,
        camera,
        blackbody: Some(default_blackbody(width, height)),
        ..SimConfig::default()
    };
    let mut sim = Simulator::new(cfg)?;
    let people: Vec<Person> = (0..3).map(|_| sim.draw_person()).collect();
    let scene = Scene {
        people: people
            .iter()
            .enumerate()
            .map(|(k, &person)| Placement {
                person,
                x: width as f64 * (0.2 + 0.3 * k as f64),
                y: height as f64 * 0.45,
                distance_m: 1.1 + 0.15 * k as f64,
            })
            .collect(),
        ..Scene::default()
    };
    let frames = (0..n).map(|_| sim.render(&scene).counts).collect();
    Ok((frames, cfg))
}

/// One person, as drawn from the population.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Person {
    /// Sequential id (the track id a tracker would assign).
    pub id: u64,
    /// Body (core) temperature.
    pub core: Celsius,
    /// Inner-canthus (measurement-site) temperature.
    pub site: Celsius,
    /// Whether the body temperature is at or above [`FEVER_LINE`].
    pub fever: bool,
    /// Face width in metres.
    pub face_width_m: f64,
    /// Wears glasses.
    pub glasses: bool,
    /// Wears a mask.
    pub mask: bool,
    /// Has hair.
    pub hair: bool,
}

/// A person placed in a frame.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Placement {
    /// The person.
    pub person: Person,
    /// Face centre, image column (pixels).
    pub x: f64,
    /// Face centre, image row (pixels).
    pub y: f64,
    /// Distance from the camera, metres (> 0).
    pub distance_m: f64,
}

/// A hot object (a cup, a lamp) in a frame.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct HotObject {
    /// Box in the image.
    pub rect: Rect,
    /// Temperature.
    pub temperature: Celsius,
    /// Round (lamp) or rectangular (cup).
    pub round: bool,
}

/// Everything in one frame, for [`Simulator::render`].
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Scene {
    /// People, drawn far to near.
    pub people: Vec<Placement>,
    /// Hot objects, drawn after the people.
    pub hot_objects: Vec<HotObject>,
    /// Whether something (clothing) covers the blackbody.
    pub occlude_blackbody: bool,
    /// Extra pixels stuck at 65 535 in this frame only (adversarial tests).
    pub extra_hot_pixels: Vec<(u32, u32)>,
}

/// Truth about one face in a frame.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FaceTruth {
    /// The person's id.
    pub person: u64,
    /// The face ellipse's bounding box, clipped to the frame.
    pub bbox: Rect,
    /// Face width in pixels at this distance.
    pub width_px: f64,
    /// The two inner canthi, image coordinates.
    pub canthi: [Point; 2],
    /// Measurement-site (inner-canthus) temperature.
    pub site: Celsius,
    /// Body temperature.
    pub body: Celsius,
    /// Febrile (body at or above [`FEVER_LINE`]).
    pub fever: bool,
    /// Wears glasses.
    pub glasses: bool,
}

/// Truth about one frame.
#[derive(Clone, Debug, PartialEq)]
pub struct FrameTruth {
    /// The frame's timestamp.
    pub timestamp: Timestamp,
    /// Faces whose centre lies in the frame.
    pub faces: Vec<FaceTruth>,
    /// The blackbody's region and set-point, when in view and not occluded.
    pub blackbody: Option<BlackbodySpec>,
    /// The camera's offset at this frame (what a blackbody should measure).
    pub camera_offset: Celsius,
}

/// One simulated frame: counts and truth.
#[derive(Clone, Debug, PartialEq)]
pub struct SimFrame {
    /// Counts, row-major, `width × height`.
    pub counts: Vec<u16>,
    /// The truth.
    pub truth: FrameTruth,
}

/// A person's walk towards the camera.
#[derive(Clone, Debug, PartialEq)]
pub struct Passage {
    /// The person.
    pub person: Person,
    /// The frames, in time order.
    pub frames: Vec<SimFrame>,
}

/// Tabulated inverse radiometry: raw count (fractional) of a temperature.
#[derive(Clone, Debug)]
struct RawTable {
    t0: f64,
    inv_step: f64,
    raw: Vec<f64>,
    /// Counts per kelvin at each grid point.
    slope: Vec<f64>,
}

impl RawTable {
    const T0: f64 = -40.0;
    const T1: f64 = 200.0;
    const STEP: f64 = 0.01;

    fn new(conv: &Converter) -> Result<Self, ThermalError> {
        let n = ((Self::T1 - Self::T0) / Self::STEP).round() as usize + 1;
        let mut raw = Vec::with_capacity(n);
        let mut last = None;
        for i in 0..n {
            let t = Self::T0 + i as f64 * Self::STEP;
            let r = conv.celsius_to_raw(Celsius(t)).ok().or(last);
            raw.push(r.unwrap_or(0.0));
            last = r.or(last);
        }
        if last.is_none() {
            return Err(ThermalError::OutOfRange {
                what: "simulated scene temperature °C",
                value: Self::T0,
                detail: "the radiometric map represents no temperature between -40 and 200 °C",
            });
        }
        // Central differences over ±0.5 K (50 grid steps).
        let slope = (0..n)
            .map(|i| {
                let a = raw.get(i.saturating_sub(50)).copied().unwrap_or(0.0);
                let b = raw.get((i + 50).min(n - 1)).copied().unwrap_or(a);
                let span = ((i + 50).min(n - 1) - i.saturating_sub(50)) as f64 * Self::STEP;
                (b - a).abs() / span
            })
            .collect();
        Ok(RawTable {
            t0: Self::T0,
            inv_step: 1.0 / Self::STEP,
            raw,
            slope,
        })
    }

    /// Raw value of `t`, interpolated; clamped at the table's ends.
    fn raw(&self, t: f64) -> f64 {
        let x = ((t - self.t0) * self.inv_step).clamp(0.0, (self.raw.len() - 1) as f64);
        let i = (x as usize).min(self.raw.len().saturating_sub(2));
        let f = x - i as f64;
        let a = self.raw.get(i).copied().unwrap_or(0.0);
        let b = self.raw.get(i + 1).copied().unwrap_or(a);
        a + (b - a) * f
    }

    /// Counts per kelvin near `t`.
    fn slope(&self, t: f64) -> f64 {
        let x = ((t - self.t0) * self.inv_step + 0.5).clamp(0.0, (self.slope.len() - 1) as f64);
        self.slope.get(x as usize).copied().unwrap_or(0.0)
    }
}

/// Uniform in `[0, 1)` from the top 53 bits.
fn unit(rng: &mut ChaCha8Rng) -> f64 {
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

fn uniform(rng: &mut ChaCha8Rng, (lo, hi): (f64, f64)) -> f64 {
    lo + (hi - lo) * unit(rng)
}

/// A standard normal deviate, approximately: the Irwin–Hall sum of four
/// 16-bit uniforms, centred and scaled to unit variance.
fn normal(rng: &mut ChaCha8Rng) -> f64 {
    let r = rng.next_u64();
    let s = (r & 0xFFFF) + ((r >> 16) & 0xFFFF) + ((r >> 32) & 0xFFFF) + (r >> 48);
    // Sum of four uniform integers in 0..=65535: mean 131070, variance
    // 4·(65536² − 1)/12.
    (s as f64 - 131_070.0) / 37_837.226_7
}

fn check_param(
    ok: bool,
    field: &'static str,
    value: f64,
    expected: &'static str,
) -> Result<(), ThermalError> {
    if ok {
        Ok(())
    } else {
        Err(ThermalError::Core(CoreError::InvalidArgument {
            field,
            value,
            expected,
        }))
    }
}

/// The simulator. Construct once, then draw passages or render scenes.
#[derive(Clone, Debug)]
pub struct Simulator {
    cfg: SimConfig,
    rng: ChaCha8Rng,
    table: RawTable,
    fpn: Vec<f32>,
    dead: Vec<usize>,
    hot: Vec<usize>,
    temp: Vec<f64>,
    scratch: Vec<f64>,
    raw: Vec<f64>,
    kernel: Vec<f64>,
    clock: Timestamp,
    next_id: u64,
    phase: f64,
}

impl Simulator {
    /// Validates the configuration and draws what is fixed for the whole
    /// run (fixed pattern, dead and hot pixel positions).
    ///
    /// # Errors
    /// [`ThermalError::Core`] with `InvalidArgument` naming a bad parameter,
    /// or the radiometry's own error.
    pub fn new(cfg: SimConfig) -> Result<Self, ThermalError> {
        let c = &cfg.camera;
        let (w, h) = (c.width, c.height);
        check_param(
            (8..=4096).contains(&w) && (8..=4096).contains(&h),
            "camera.width/height",
            w.min(h) as f64,
            "8..=4096 pixels per side",
        )?;
        let nonneg = |v: f64| v.is_finite() && v >= 0.0;
        check_param(
            c.focal_px.is_finite() && c.focal_px > 0.0,
            "camera.focal_px",
            c.focal_px,
            "a finite focal length > 0 px",
        )?;
        check_param(
            nonneg(c.netd_k) && c.netd_k <= 5.0,
            "camera.netd_k",
            c.netd_k,
            "0..=5 K",
        )?;
        check_param(
            nonneg(c.fpn_k) && c.fpn_k <= 5.0,
            "camera.fpn_k",
            c.fpn_k,
            "0..=5 K",
        )?;
        check_param(
            nonneg(c.blur_sigma_px) && c.blur_sigma_px <= 5.0,
            "camera.blur_sigma_px",
            c.blur_sigma_px,
            "0..=5 px",
        )?;
        check_param(
            c.offset.get().is_finite() && c.offset.get().abs() <= 20.0,
            "camera.offset",
            c.offset.get(),
            "a finite offset within ±20 °C",
        )?;
        check_param(
            c.drift_c_per_min.is_finite() && c.drift_c_per_min.abs() <= 10.0,
            "camera.drift_c_per_min",
            c.drift_c_per_min,
            "within ±10 °C per minute",
        )?;
        check_param(
            c.dead_pixels + c.hot_pixels <= w * h / 100,
            "camera.dead_pixels + hot_pixels",
            (c.dead_pixels + c.hot_pixels) as f64,
            "at most 1 % of the pixels",
        )?;
        let p = &cfg.population;
        for (field, v) in [
            ("population.fever_fraction", p.fever_fraction),
            ("population.glasses_fraction", p.glasses_fraction),
            ("population.mask_fraction", p.mask_fraction),
            ("population.hair_fraction", p.hair_fraction),
            ("cup_probability", cfg.cup_probability),
        ] {
            check_param((0.0..=1.0).contains(&v), field, v, "a fraction in [0, 1]")?;
        }
        for (field, (lo, hi)) in [
            ("population.normal_core", p.normal_core),
            ("population.fever_core", p.fever_core),
        ] {
            check_param(
                lo.is_finite()
                    && hi.is_finite()
                    && (25.0..=45.0).contains(&lo)
                    && lo <= hi
                    && hi <= 45.0,
                field,
                lo,
                "a range lo <= hi within 25..=45 °C",
            )?;
        }
        check_param(
            p.site_to_core.is_finite() && p.site_to_core.abs() <= 5.0,
            "population.site_to_core",
            p.site_to_core,
            "within ±5 °C",
        )?;
        check_param(
            nonneg(p.site_to_core_sd) && p.site_to_core_sd <= 2.0,
            "population.site_to_core_sd",
            p.site_to_core_sd,
            "0..=2 °C",
        )?;
        check_param(
            cfg.ambient.get().is_finite() && (-20.0..=45.0).contains(&cfg.ambient.get()),
            "ambient",
            cfg.ambient.get(),
            "-20..=45 °C",
        )?;
        for (field, (lo, hi)) in [
            ("start_distance_m", cfg.start_distance_m),
            ("end_distance_m", cfg.end_distance_m),
        ] {
            check_param(
                lo.is_finite() && hi.is_finite() && lo > 0.05 && lo <= hi && hi <= 50.0,
                field,
                lo,
                "a range 0.05 < lo <= hi <= 50 m",
            )?;
        }
        check_param(
            (1..=10_000).contains(&cfg.frames_per_person),
            "frames_per_person",
            cfg.frames_per_person as f64,
            "1..=10000",
        )?;
        check_param(
            cfg.frame_interval.0 > 0,
            "frame_interval",
            cfg.frame_interval.0 as f64,
            "> 0 µs",
        )?;
        check_param(cfg.lamps <= 16, "lamps", cfg.lamps as f64, "0..=16")?;
        if let Some(bb) = cfg.blackbody {
            check_param(
                bb.rect.width > 0
                    && bb.rect.height > 0
                    && bb.rect.right() as usize <= w
                    && bb.rect.bottom() as usize <= h,
                "blackbody.rect",
                f64::from(bb.rect.width),
                "a non-empty rectangle inside the frame",
            )?;
            check_param(
                bb.set_point.get().is_finite() && (0.0..=100.0).contains(&bb.set_point.get()),
                "blackbody.set_point",
                bb.set_point.get(),
                "0..=100 °C",
            )?;
        }
        let conv = c.radiometry.compile()?;
        let table = RawTable::new(&conv)?;
        let mut rng = ChaCha8Rng::seed_from_u64(cfg.seed);
        let n = w * h;
        let fpn = (0..n)
            .map(|_| (normal(&mut rng) * c.fpn_k) as f32)
            .collect();
        let mut pick = |count: usize, taken: &[usize]| {
            let mut v: Vec<usize> = Vec::with_capacity(count);
            while v.len() < count {
                let i = (rng.next_u64() % n as u64) as usize;
                if !v.contains(&i) && !taken.contains(&i) {
                    v.push(i);
                }
            }
            v
        };
        let dead = pick(c.dead_pixels, &[]);
        let hot = pick(c.hot_pixels, &dead);
        let kernel = gaussian_kernel(c.blur_sigma_px);
        let phase = unit(&mut rng);
        Ok(Simulator {
            cfg,
            rng,
            table,
            fpn,
            dead,
            hot,
            temp: vec![0.0; n],
            scratch: vec![0.0; n],
            raw: vec![0.0; n],
            kernel,
            clock: Timestamp(0),
            next_id: 0,
            phase,
        })
    }

    /// The configuration.
    #[must_use]
    pub const fn config(&self) -> &SimConfig {
        &self.cfg
    }

    /// Positions `(x, y)` of the dead pixels (reading 0).
    #[must_use]
    pub fn dead_pixels(&self) -> Vec<(u32, u32)> {
        let w = self.cfg.camera.width;
        self.dead
            .iter()
            .map(|i| ((i % w) as u32, (i / w) as u32))
            .collect()
    }

    /// Positions `(x, y)` of the hot pixels (reading 65 535).
    #[must_use]
    pub fn hot_pixels(&self) -> Vec<(u32, u32)> {
        let w = self.cfg.camera.width;
        self.hot
            .iter()
            .map(|i| ((i % w) as u32, (i / w) as u32))
            .collect()
    }

    /// Draws the next person from the population.
    pub fn draw_person(&mut self) -> Person {
        let p = self.cfg.population;
        let k = self.next_id as f64;
        let fever = ((k + 1.0) * p.fever_fraction + self.phase).floor()
            > (k * p.fever_fraction + self.phase).floor();
        let core = if fever {
            uniform(&mut self.rng, p.fever_core)
        } else {
            uniform(&mut self.rng, p.normal_core)
        };
        let offset = p.site_to_core + p.site_to_core_sd * normal(&mut self.rng);
        let face_width_m = uniform(&mut self.rng, (0.15, 0.17));
        let glasses = unit(&mut self.rng) < p.glasses_fraction;
        let mask = unit(&mut self.rng) < p.mask_fraction;
        let hair = unit(&mut self.rng) < p.hair_fraction;
        let id = self.next_id;
        self.next_id += 1;
        Person {
            id,
            core: Celsius(core),
            site: Celsius(core - offset),
            fever: core >= FEVER_LINE.get(),
            face_width_m,
            glasses,
            mask,
            hair,
        }
    }

    /// A person walking straight towards the camera: draws the person,
    /// where they walk, and renders [`SimConfig::frames_per_person`] frames.
    pub fn passage(&mut self) -> Passage {
        let person = self.draw_person();
        let cam = self.cfg.camera;
        let (w, h) = (cam.width as f64, cam.height as f64);
        let d0 = uniform(&mut self.rng, self.cfg.start_distance_m);
        let d1 = uniform(&mut self.rng, self.cfg.end_distance_m);
        // Lateral and vertical offsets from the optical axis, metres.
        let lateral = uniform(&mut self.rng, (-0.12, 0.12));
        let height = uniform(&mut self.rng, (-0.06, 0.06));
        let cup = unit(&mut self.rng) < self.cfg.cup_probability;
        let cup_side = if unit(&mut self.rng) < 0.5 { -1.0 } else { 1.0 };
        let lamps: Vec<HotObject> = (0..self.cfg.lamps)
            .map(|k| {
                let r = (w / 40.0).max(2.0);
                let x = w * (0.15 + 0.7 * (k as f64 + 0.5) / self.cfg.lamps as f64);
                HotObject {
                    rect: rect_clip(x - r, 1.0, 2.0 * r, 2.0 * r, w, h),
                    temperature: Celsius(70.0),
                    round: true,
                }
            })
            .collect();
        let n = self.cfg.frames_per_person;
        let mut frames = Vec::with_capacity(n);
        for k in 0..n {
            let s = if n == 1 {
                1.0
            } else {
                k as f64 / (n - 1) as f64
            };
            let d = d0 + (d1 - d0) * s;
            let f = cam.focal_px / d;
            let x = w / 2.0 + lateral * f;
            let y = h * 0.42 + height * f;
            let mut scene = Scene {
                people: vec![Placement {
                    person,
                    x,
                    y,
                    distance_m: d,
                }],
                hot_objects: lamps.clone(),
                ..Scene::default()
            };
            if cup {
                let fw = person.face_width_m * f;
                let (cw, ch) = (0.08 * f, 0.10 * f);
                let cx = x + cup_side * (fw * 0.5 + 0.06 * f + cw / 2.0);
                scene.hot_objects.push(HotObject {
                    rect: rect_clip(cx - cw / 2.0, y - ch / 2.0, cw, ch, w, h),
                    temperature: Celsius(65.0),
                    round: false,
                });
            }
            frames.push(self.render(&scene));
        }
        Passage { person, frames }
    }

    /// Renders one frame of `scene` at the simulator's clock, then advances
    /// the clock by one frame interval.
    pub fn render(&mut self, scene: &Scene) -> SimFrame {
        let mut counts = vec![0u16; self.cfg.camera.width * self.cfg.camera.height];
        let truth = self.render_into(scene, &mut counts);
        SimFrame { counts, truth }
    }

    /// As [`Simulator::render`], into a caller's buffer of at least
    /// `width × height` counts (row-major, packed); extra elements are left
    /// untouched.
    pub fn render_into(&mut self, scene: &Scene, counts: &mut [u16]) -> FrameTruth {
        let cam = self.cfg.camera;
        let (w, h) = (cam.width, cam.height);
        let ambient = self.cfg.ambient.get();
        // 1. Background.
        for (y, row) in self.temp.chunks_mut(w).enumerate() {
            row.fill(ambient + 0.5 * y as f64 / h as f64);
        }
        // 2. People, far to near.
        let mut order: Vec<&Placement> = scene.people.iter().collect();
        order.sort_by(|a, b| b.distance_m.total_cmp(&a.distance_m));
        let mut faces = Vec::with_capacity(order.len());
        for pl in order {
            if let Some(t) = self.draw_person_at(pl) {
                faces.push(t);
            }
        }
        // 3. Hot objects.
        for obj in &scene.hot_objects {
            let r = obj.rect;
            let (cx, cy) = (
                f64::from(r.x) + f64::from(r.width) / 2.0,
                f64::from(r.y) + f64::from(r.height) / 2.0,
            );
            for y in r.y..r.bottom().min(h as u32) {
                for x in r.x..r.right().min(w as u32) {
                    let inside = !obj.round || {
                        let dx = (f64::from(x) + 0.5 - cx) / (f64::from(r.width) / 2.0);
                        let dy = (f64::from(y) + 0.5 - cy) / (f64::from(r.height) / 2.0);
                        dx * dx + dy * dy <= 1.0
                    };
                    if inside {
                        self.temp[y as usize * w + x as usize] = obj.temperature.get();
                    }
                }
            }
        }
        // 4. Blackbody.
        let mut bb_truth = None;
        if let Some(bb) = self.cfg.blackbody {
            let t = if scene.occlude_blackbody {
                ambient + 6.0
            } else {
                bb.set_point.get()
            };
            let r = bb.rect;
            for y in r.y..r.bottom() {
                let row = y as usize * w;
                self.temp[row + r.x as usize..row + r.right() as usize].fill(t);
            }
            if !scene.occlude_blackbody {
                bb_truth = Some(bb);
            }
        }
        // 5. Camera: offset, inverse radiometry, blur, noise, defects.
        let minutes = self.clock.as_secs_f64() / 60.0;
        let offset = cam.offset.get() + cam.drift_c_per_min * minutes;
        for (r, t) in self.raw.iter_mut().zip(&self.temp) {
            *r = self.table.raw(*t + offset);
        }
        blur(&mut self.raw, &mut self.scratch, w, h, &self.kernel);
        for (i, c) in counts.iter_mut().take(w * h).enumerate() {
            let t = self.temp[i] + offset;
            let sigma_k = cam.netd_k * normal(&mut self.rng) + f64::from(self.fpn[i]);
            let v = self.raw[i] + self.table.slope(t) * sigma_k;
            // Round half up; `as` saturates, and clamping first keeps it exact.
            *c = (v.clamp(0.0, 65535.0) + 0.5) as u16;
        }
        for &i in &self.dead {
            if let Some(c) = counts.get_mut(i) {
                *c = 0;
            }
        }
        for &i in &self.hot {
            if let Some(c) = counts.get_mut(i) {
                *c = u16::MAX;
            }
        }
        for &(x, y) in &scene.extra_hot_pixels {
            if (x as usize) < w && (y as usize) < h {
                counts[y as usize * w + x as usize] = u16::MAX;
            }
        }
        let truth = FrameTruth {
            timestamp: self.clock,
            faces,
            blackbody: bb_truth,
            camera_offset: Celsius(offset),
        };
        self.clock = self
            .clock
            .checked_add(self.cfg.frame_interval)
            .unwrap_or(self.clock);
        truth
    }

    /// Paints one person into the temperature field; the truth of the face
    /// when its centre is in the frame.
    fn draw_person_at(&mut self, pl: &Placement) -> Option<FaceTruth> {
        let cam = self.cfg.camera;
        let (w, h) = (cam.width as f64, cam.height as f64);
        if !(pl.distance_m.is_finite()
            && pl.distance_m > 0.05
            && pl.x.is_finite()
            && pl.y.is_finite())
        {
            return None;
        }
        let p = pl.person;
        let f = cam.focal_px / pl.distance_m;
        let fw = p.face_width_m * f; // face width, px
        let fh = 1.3 * fw;
        let ts = p.site.get();
        let amb = self.cfg.ambient.get();
        let hair_t = amb + 0.35 * (ts - amb);
        let clothing = amb + 6.0;
        let (cx, cy) = (pl.x, pl.y);
        let wi = cam.width;
        // Torso (clothing) and neck.
        let torso_top = cy + 0.5 * fh + 0.2 * fw;
        let neck_top = cy + 0.35 * fh;
        paint_rect(
            &mut self.temp,
            wi,
            cx - 1.4 * fw,
            torso_top,
            2.8 * fw,
            h,
            clothing,
        );
        paint_rect(
            &mut self.temp,
            wi,
            cx - 0.22 * fw,
            neck_top,
            0.44 * fw,
            torso_top - neck_top,
            ts - 1.5,
        );
        // Head: hair (or bald scalp) ellipse, slightly larger and higher.
        let head_t = if p.hair { hair_t } else { ts - 0.8 };
        paint_ellipse(
            &mut self.temp,
            wi,
            cx,
            cy - 0.08 * fh,
            0.54 * fw,
            0.56 * fh,
            |_, _| head_t,
        );
        // Face.
        let mask_t = amb + 0.6 * (ts - amb);
        let lens_t = amb + 4.0;
        paint_ellipse(&mut self.temp, wi, cx, cy, 0.5 * fw, 0.5 * fh, |dx, dy| {
            // Coordinates in face widths from the face centre.
            let (xw, yw) = (dx / fw, dy / fw);
            face_temperature(xw, yw, ts, p, hair_t, mask_t, lens_t)
        });
        let bbox = rect_clip(cx - 0.5 * fw, cy - 0.5 * fh, fw, fh, w, h);
        let inside = cx >= 0.0 && cx < w && cy >= 0.0 && cy < h;
        inside.then(|| FaceTruth {
            person: p.id,
            bbox,
            width_px: fw,
            canthi: [
                Point::new((cx - CANTHUS_X * fw) as f32, (cy + CANTHUS_Y * fw) as f32),
                Point::new((cx + CANTHUS_X * fw) as f32, (cy + CANTHUS_Y * fw) as f32),
            ],
            site: p.site,
            body: p.core,
            fever: p.fever,
            glasses: p.glasses,
        })
    }
}

/// Inner canthus centres, face widths from the face centre (x: ±, y: down).
const CANTHUS_X: f64 = 0.075;
const CANTHUS_Y: f64 = -0.10;
const CANTHUS_R: f64 = 0.065;
const CANTHUS_BLEND: f64 = 0.05;

/// The face's temperature at `(xw, yw)` face widths from its centre.
fn face_temperature(
    xw: f64,
    yw: f64,
    ts: f64,
    p: Person,
    hair_t: f64,
    mask_t: f64,
    lens_t: f64,
) -> f64 {
    let ax = xw.abs();
    if p.hair && yw < -0.42 {
        return hair_t;
    }
    if p.mask && yw > 0.08 {
        return mask_t;
    }
    if p.glasses && (0.03..=0.34).contains(&ax) && (-0.19..=-0.01).contains(&yw) {
        return lens_t;
    }
    // Surroundings.
    let mut t = if yw < -0.2 { ts - 0.7 } else { ts - 1.2 };
    if ax < 0.065 && (-0.05..=0.2).contains(&yw) {
        t = ts - 2.0;
    }
    let (ex, ey) = ((ax - 0.2) / 0.1, (yw - CANTHUS_Y) / 0.06);
    if ex * ex + ey * ey <= 1.0 {
        t = ts - 0.4;
    }
    // Inner canthus: a plateau at the site temperature, blending out.
    let d = (ax - CANTHUS_X).hypot(yw - CANTHUS_Y);
    if d <= CANTHUS_R {
        ts
    } else if d < CANTHUS_R + CANTHUS_BLEND {
        let s = (d - CANTHUS_R) / CANTHUS_BLEND;
        ts + (t - ts) * s
    } else {
        t
    }
}

/// A rectangle from float bounds, clipped to the frame.
fn rect_clip(x: f64, y: f64, w: f64, h: f64, fw: f64, fh: f64) -> Rect {
    let x0 = x.floor().clamp(0.0, fw);
    let y0 = y.floor().clamp(0.0, fh);
    let x1 = (x + w).ceil().clamp(0.0, fw);
    let y1 = (y + h).ceil().clamp(0.0, fh);
    Rect::new(x0 as u32, y0 as u32, (x1 - x0) as u32, (y1 - y0) as u32)
}

fn paint_rect(temp: &mut [f64], w: usize, x: f64, y: f64, rw: f64, rh: f64, t: f64) {
    let h = temp.len() / w;
    let r = rect_clip(x, y, rw, rh, w as f64, h as f64);
    for yy in r.y..r.bottom() {
        let row = yy as usize * w;
        if let Some(s) = temp.get_mut(row + r.x as usize..row + r.right() as usize) {
            s.fill(t);
        }
    }
}

/// Paints pixels whose centre lies in the ellipse; `f(dx, dy)` gives the
/// temperature at offset `(dx, dy)` pixels from the centre.
fn paint_ellipse(
    temp: &mut [f64],
    w: usize,
    cx: f64,
    cy: f64,
    rx: f64,
    ry: f64,
    f: impl Fn(f64, f64) -> f64,
) {
    let h = temp.len() / w;
    let r = rect_clip(cx - rx, cy - ry, 2.0 * rx, 2.0 * ry, w as f64, h as f64);
    for y in r.y..r.bottom() {
        for x in r.x..r.right() {
            let dx = f64::from(x) + 0.5 - cx;
            let dy = f64::from(y) + 0.5 - cy;
            if (dx / rx).powi(2) + (dy / ry).powi(2) <= 1.0 {
                temp[y as usize * w + x as usize] = f(dx, dy);
            }
        }
    }
}

/// A normalised Gaussian kernel of radius `ceil(3σ)` (just `[1]` for σ = 0).
fn gaussian_kernel(sigma: f64) -> Vec<f64> {
    if sigma <= 0.0 {
        return vec![1.0];
    }
    let r = (3.0 * sigma).ceil() as i64;
    let k: Vec<f64> = (-r..=r)
        .map(|i| (-(i * i) as f64 / (2.0 * sigma * sigma)).exp())
        .collect();
    let s: f64 = k.iter().sum();
    k.into_iter().map(|v| v / s).collect()
}

/// Separable convolution with edge replication.
fn blur(img: &mut [f64], tmp: &mut [f64], w: usize, h: usize, k: &[f64]) {
    if k.len() <= 1 || img.len() < w * h || tmp.len() < w * h {
        return;
    }
    let r = k.len() / 2;
    let clampi = |v: i64, n: usize| v.clamp(0, n as i64 - 1) as usize;
    for (src, dst) in img.chunks_exact(w).zip(tmp.chunks_exact_mut(w)).take(h) {
        for (x, d) in dst.iter_mut().enumerate() {
            *d = if x >= r && x + r < w {
                src[x - r..=x + r].iter().zip(k).map(|(a, b)| a * b).sum()
            } else {
                k.iter()
                    .enumerate()
                    .map(|(j, kv)| kv * src[clampi(x as i64 + j as i64 - r as i64, w)])
                    .sum()
            };
        }
    }
    for y in 0..h {
        let out = &mut img[y * w..(y + 1) * w];
        out.fill(0.0);
        for (j, kv) in k.iter().enumerate() {
            let sy = clampi(y as i64 + j as i64 - r as i64, h);
            for (o, s) in out.iter_mut().zip(&tmp[sy * w..(sy + 1) * w]) {
                *o += kv * s;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::radiometry::{AtmosphericConstants, PlanckConstants, Scene as RScene};

    #[test]
    fn same_seed_same_bytes_and_different_seed_differs() {
        let cfg = SimConfig::default();
        let a = Simulator::new(cfg).unwrap().passage();
        let b = Simulator::new(cfg).unwrap().passage();
        assert_eq!(a, b);
        let c = Simulator::new(SimConfig { seed: 2, ..cfg })
            .unwrap()
            .passage();
        assert_ne!(a.frames[0].counts, c.frames[0].counts);
    }

    #[test]
    fn the_fever_fraction_is_exact() {
        let mut sim = Simulator::new(SimConfig::default()).unwrap();
        let fevers: Vec<bool> = (0..1000).map(|_| sim.draw_person().fever).collect();
        assert_eq!(fevers.iter().filter(|&&f| f).count(), 50);
        for w in fevers.chunks(100) {
            let n = w.iter().filter(|&&f| f).count();
            assert!((4..=6).contains(&n), "{n}");
        }
    }

    #[test]
    fn normal_deviates_have_unit_variance() {
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let n = 20_000;
        let v: Vec<f64> = (0..n).map(|_| normal(&mut rng)).collect();
        let mean = v.iter().sum::<f64>() / n as f64;
        let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64;
        assert!(
            mean.abs() < 0.03 && (var - 1.0).abs() < 0.05,
            "{mean} {var}"
        );
    }

    #[test]
    fn canthus_reads_site_temperature_in_counts_without_noise() {
        for radiometry in [
            Radiometry::TLinear(TLinearResolution::CentiKelvin),
            Radiometry::Planck {
                constants: PlanckConstants {
                    r1: 21106.77,
                    r2: 0.012545258,
                    b: 1501.0,
                    f: 1.0,
                    o: -7340.0,
                },
                atmosphere: AtmosphericConstants::default(),
                scene: RScene::default(),
            },
        ] {
            let cfg = SimConfig {
                camera: CameraModel {
                    radiometry,
                    netd_k: 0.0,
                    fpn_k: 0.0,
                    blur_sigma_px: 0.0,
                    dead_pixels: 0,
                    hot_pixels: 0,
                    ..CameraModel::default()
                },
                ..SimConfig::default()
            };
            let mut sim = Simulator::new(cfg).unwrap();
            let person = sim.draw_person();
            let frame = sim.render(&Scene {
                people: vec![Placement {
                    person,
                    x: 80.0,
                    y: 55.0,
                    distance_m: 0.8,
                }],
                ..Scene::default()
            });
            let conv = radiometry.compile().unwrap();
            let face = frame.truth.faces[0];
            let c = face.canthi[0];
            let v = frame.counts[c.y as usize * 160 + c.x as usize];
            let t = conv.raw_to_celsius(f64::from(v)).unwrap().get();
            assert!(
                (t - person.site.get()).abs() < 0.02,
                "{t} vs {:?}",
                person.site
            );
            // The hottest face pixel is the canthus temperature.
            let max = frame
                .counts
                .iter()
                .copied()
                .filter(|&c| c < u16::MAX)
                .max()
                .unwrap();
            let tmax = conv.raw_to_celsius(f64::from(max)).unwrap().get();
            assert!((tmax - person.site.get()).abs() < 0.02, "{tmax}");
            // The blackbody is at its set-point.
            let bb = frame.truth.blackbody.unwrap();
            let v = frame.counts[bb.rect.y as usize * 160 + bb.rect.x as usize];
            assert!((conv.raw_to_celsius(f64::from(v)).unwrap().get() - 35.0).abs() < 0.02);
        }
    }

    #[test]
    fn noise_has_the_stated_netd() {
        let cfg = SimConfig {
            camera: CameraModel {
                fpn_k: 0.0,
                blur_sigma_px: 0.0,
                dead_pixels: 0,
                hot_pixels: 0,
                ..CameraModel::default()
            },
            blackbody: None,
            ..SimConfig::default()
        };
        let mut sim = Simulator::new(cfg).unwrap();
        let a = sim.render(&Scene::default());
        let b = sim.render(&Scene::default());
        // Difference of two frames of a static scene: variance 2·NETD².
        let n = a.counts.len() as f64;
        let var = a
            .counts
            .iter()
            .zip(&b.counts)
            .map(|(x, y)| (f64::from(*x) - f64::from(*y)).powi(2))
            .sum::<f64>()
            / n;
        let netd = (var / 2.0).sqrt() * 0.01; // centi-kelvin counts
        assert!((netd - 0.05).abs() < 0.003, "{netd}");
    }

    #[test]
    fn small_faces_read_low_through_blur() {
        let cfg = SimConfig {
            camera: CameraModel {
                netd_k: 0.0,
                fpn_k: 0.0,
                blur_sigma_px: 1.0,
                dead_pixels: 0,
                hot_pixels: 0,
                ..CameraModel::default()
            },
            ..SimConfig::default()
        };
        let mut sim = Simulator::new(cfg).unwrap();
        let person = sim.draw_person();
        let conv = cfg.camera.radiometry.compile().unwrap();
        let mut peak = |d: f64| {
            let f = sim.render(&Scene {
                people: vec![Placement {
                    person,
                    x: 80.0,
                    y: 55.0,
                    distance_m: d,
                }],
                ..Scene::default()
            });
            let max = f.counts.iter().copied().max().unwrap();
            person.site.get() - conv.raw_to_celsius(f64::from(max)).unwrap().get()
        };
        let (near, far) = (peak(0.8), peak(4.0));
        assert!(
            near < 0.05 && far > 0.2,
            "near deficit {near}, far deficit {far}"
        );
    }

    #[test]
    fn bad_parameters_are_named() {
        let e = Simulator::new(SimConfig {
            camera: CameraModel {
                netd_k: f64::NAN,
                ..CameraModel::default()
            },
            ..SimConfig::default()
        })
        .unwrap_err();
        assert!(e.to_string().contains("netd_k"), "{e}");
        let e = Simulator::new(SimConfig {
            frames_per_person: 0,
            ..SimConfig::default()
        })
        .unwrap_err();
        assert!(e.to_string().contains("frames_per_person"), "{e}");
    }
}
