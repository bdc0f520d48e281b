//! Per-frame extraction: from a frame of counts to face readings.
//!
//! A [`FrameProcessor`] is configured once ([`ProcessorConfig`]: radiometry,
//! segmentation band, minimum face pixels, site statistic, blackbody) and
//! then called per frame with a [`FrameView<u16>`] and a [`Timestamp`]. It
//! writes one [`FaceReading`] per warm region that qualifies as a face into
//! a caller-owned [`FrameResult`], with the blackbody's state and the
//! frame's sensor checks. Frames of °C (`f32`) go through
//! [`FrameProcessor::process_f32`] (quantised to the counts of a linear map,
//! centi-kelvin under `Radiometry::Celsius`, then the same extraction).
//!
//! ## Algorithm
//! 1. **Segmentation in the raw domain.** The band (default 30–43 °C) is
//!    converted once to counts through the monotonic radiometric map; a
//!    pixel is in band when `lo ≤ count ≤ hi` (one wrapping subtraction and
//!    one comparison). Every `s`-th row is tested for any pixel in band
//!    (`s = 5` for the default `min_region_pixels` of 40); the rows between
//!    two sampled rows are scanned only when one of them has one — a region
//!    confined between two cold sampled rows is too small to qualify, so
//!    this is exact (see `row_step`). Rows are scanned in blocks of 32
//!    pixels: a block wholly outside the band (or wholly inside a run) is
//!    skipped after one vectorised test.
//! 2. **Labelling by runs.** Each row's in-band runs are joined to the
//!    previous row's runs they touch (8-connectivity) with a union–find
//!    whose root is always the earliest run, so regions are numbered in
//!    raster order of their first pixel. No per-pixel label image is
//!    written. The blackbody's region is excluded.
//! 3. **Regions that qualify as faces**: at least `min_region_pixels`,
//!    filling at least 35 % of their bounding box, and between half and
//!    three times as tall as wide (a hot cup's blurred rim, a lamp's halo
//!    and noise specks do not qualify). A face below `min_face_pixels` is
//!    reported with `TOO_FEW_PIXELS`.
//! 4. **Measurement site.** The region's `candidates` hottest pixels
//!    (ties in raster order) are collected. First a guess: the same face
//!    slot's hottest pixel in the last frame minus its spread then (to the
//!    k-th hottest) and a margin gives a floor; one vectorised pass over the
//!    region's runs gathers the pixels at or above it in raster order, and
//!    a stable counting sort by value orders them. When the pass finds at
//!    least enough pixels the k best are provably among them (exact);
//!    otherwise the runs are visited hottest first, stopping at the first
//!    run cooler than the list's floor. Each is scored by the mean of
//!    the in-band pixels of its 3 × 3 window **without the window's hottest
//!    one**; a window with two or more pixels above the band (a hot object
//!    beside the face) or fewer than five in band is rejected. The best
//!    score wins (ties: the earlier pixel in raster order). A single hot
//!    pixel therefore can neither be the site's value nor pull the site
//!    towards it: in its own window it is the dropped maximum, and in its
//!    neighbours' windows it is dropped too. The score (a mean of counts) is
//!    converted to °C: `site_c`, the apparent temperature.
//! 5. **Blackbody correction**: `corrected_c = site_c − offset`, with the
//!    offset tracked by [`blackbody::BlackbodyTracker`]; NaN when no
//!    blackbody is configured or none has been measured yet (and the reading
//!    is flagged).
//! 6. **Quality flags** ([`QualityFlags`]): too few pixels; more than
//!    `max_bad_pixels` pixels at 0/65 535 or outside the map's domain in the
//!    face box (`SATURATED`); site window touching cold pixels or the frame
//!    border (`SITE_ON_EDGE`); cold pixels enclosed inside the face rows
//!    amounting to at least `glasses_fraction` of its area (`GLASSES`); more
//!    than one face of at least `min_face_pixels` while `single_person`
//!    (`MULTIPLE_PERSONS`); and the frame's flags: dead rows/columns
//!    (constant across the row/column; sampled at 5 points per row and
//!    8 rows per column, then confirmed), a frozen frame (the 8 sampled rows
//!    identical to the previous frame's), and the blackbody's flags.
//!
//! ## Allocation
//! Buffers (runs, union–find, region table, sampled rows, the gathered
//! pixels: as many as the largest region's) grow during the first frames
//! and are reused; [`FrameResult`] holds at most its capacity
//! of faces (extra faces are counted in [`FrameResult::dropped_faces`]). In
//! steady state a call allocates nothing.

pub mod blackbody;
mod flags;

pub use blackbody::{BlackbodyConfig, BlackbodyReading, BlackbodyTracker};
pub use flags::QualityFlags;

use hsm_core::{Celsius, CoreError, FrameView, Micros, Point, Rect, Timestamp};

use crate::error::ThermalError;
use crate::radiometry::{Converter, Radiometry};
use wide::{CmpEq, i8x16, i16x8, i16x16, u16x8};

/// How the measurement-site temperature is computed from the face's pixels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SiteStatistic {
    /// The robust statistic described in the [module docs](self): the best
    /// 3 × 3 window (hottest pixel dropped) around one of the `candidates`
    /// hottest pixels. `candidates` in `1..=64`; default 24.
    TrimmedWindow {
        /// How many of the hottest pixels are tried as the site.
        candidates: u16,
    },
    /// The single hottest pixel (ties: raster order). Not robust: one hot
    /// pixel sets it. For comparison only.
    Max,
}

/// A pixel position (column, row).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Pixel {
    /// Column.
    pub x: u32,
    /// Row.
    pub y: u32,
}

/// Everything a [`FrameProcessor`] needs, given once.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ProcessorConfig {
    /// How counts map to temperature (must increase with the count).
    pub radiometry: Radiometry,
    /// Skin band: pixels in `[lo, hi]` °C are segmented. Default 30–43 °C.
    pub band: (Celsius, Celsius),
    /// Smallest face, in pixels, whose reading is valid (default 800: a face
    /// about 32 pixels wide, so that each inner canthus covers at least a
    /// 3 × 3 window after optical blur — the premise of the site statistic;
    /// IEC 80601-2-59 likewise asks that the canthus be resolved by several
    /// pixels).
    pub min_face_pixels: u32,
    /// Smallest warm region reported at all (smaller ones are noise). Default 40.
    pub min_region_pixels: u32,
    /// The site statistic.
    pub site: SiteStatistic,
    /// The reference blackbody, if one is in view.
    pub blackbody: Option<BlackbodyConfig>,
    /// Whether one person at a time is required (flags `MULTIPLE_PERSONS`).
    pub single_person: bool,
    /// Pixels at the sensor's limits tolerated in a face box before
    /// `SATURATED` (isolated defective pixels are handled by the site
    /// statistic). Default 2.
    pub max_bad_pixels: u32,
    /// Enclosed cold pixels, as a fraction of the face area, that mean
    /// glasses. Default 0.04.
    pub glasses_fraction: f64,
}

impl Default for ProcessorConfig {
    /// TLinear centi-kelvin, 30–43 °C, 800/40 pixels, trimmed window over
    /// 24 candidates, no blackbody, single person, 2 bad pixels, 4 % glasses.
    fn default() -> Self {
        ProcessorConfig {
            radiometry: Radiometry::TLinear(crate::radiometry::TLinearResolution::CentiKelvin),
            band: (Celsius(30.0), Celsius(43.0)),
            min_face_pixels: 800,
            min_region_pixels: 40,
            site: SiteStatistic::TrimmedWindow { candidates: 24 },
            blackbody: None,
            single_person: true,
            max_bad_pixels: 2,
            glasses_fraction: 0.04,
        }
    }
}

/// One face in one frame.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FaceReading {
    /// Bounding box of the warm region.
    pub bbox: Rect,
    /// Centroid of the region's pixel centres.
    pub centroid: Point,
    /// Pixels in the region.
    pub area: u32,
    /// The measurement site.
    pub site: Pixel,
    /// Apparent (calibration-mode) temperature at the site.
    pub site_c: Celsius,
    /// `site_c` corrected with the blackbody offset; NaN without one.
    pub corrected_c: Celsius,
    /// Quality flags (the frame's flags included).
    pub flags: QualityFlags,
}

/// The result of one frame, in a caller-owned buffer reused across frames.
#[derive(Clone, Debug, PartialEq)]
pub struct FrameResult {
    /// The frame's timestamp.
    pub timestamp: Timestamp,
    faces: Vec<FaceReading>,
    capacity: usize,
    /// Faces found beyond the capacity (not reported).
    pub dropped_faces: u32,
    /// The blackbody this frame.
    pub blackbody: BlackbodyReading,
    /// Flags of the whole frame (sensor faults, blackbody), also set on every face.
    pub frame_flags: QualityFlags,
    /// Dead (constant) rows found.
    pub dead_rows: u32,
    /// Dead (constant) columns found.
    pub dead_columns: u32,
}

impl FrameResult {
    /// A result buffer for at most `max_faces` faces.
    #[must_use]
    pub fn with_capacity(max_faces: usize) -> Self {
        FrameResult {
            timestamp: Timestamp(0),
            faces: Vec::with_capacity(max_faces),
            capacity: max_faces,
            dropped_faces: 0,
            blackbody: BlackbodyReading::default(),
            frame_flags: QualityFlags::NONE,
            dead_rows: 0,
            dead_columns: 0,
        }
    }

    /// The faces, in raster order of their first pixel.
    #[must_use]
    pub fn faces(&self) -> &[FaceReading] {
        &self.faces
    }

    /// How many faces this buffer can hold.
    #[must_use]
    pub const fn capacity(&self) -> usize {
        self.capacity
    }
}

impl Default for FrameResult {
    /// Room for 16 faces.
    fn default() -> Self {
        FrameResult::with_capacity(16)
    }
}

#[derive(Clone, Copy, Debug)]
struct Run {
    y: u32,
    x0: u32,
    /// Exclusive.
    x1: u32,
}

#[derive(Clone, Copy, Debug)]
struct Region {
    area: u32,
    sum_x2: u64,
    sum_y: u64,
    x0: u32,
    y0: u32,
    x1: u32,
    y1: u32,
    first_run: u32,
    last_run: u32,
}

const NO_RUN: u32 = u32::MAX;
const MAX_CANDIDATES: usize = 64;
/// Face slots with a spread hint ([`FrameProcessor::measure`]).
const GAP_HINTS: usize = 8;

/// The per-frame extractor. Configure once, call [`FrameProcessor::process`]
/// per frame. Holds state across frames (blackbody tracking, the previous
/// frame's samples), so one processor serves one camera stream; it is
/// `Send` and may move between threads.
#[derive(Clone, Debug)]
pub struct FrameProcessor {
    cfg: ProcessorConfig,
    conv: Converter,
    lo: u16,
    span: u16,
    valid: (u16, u16),
    tracker: Option<BlackbodyTracker>,
    runs: Vec<Run>,
    parent: Vec<u32>,
    next: Vec<u32>,
    region_of: Vec<u32>,
    regions: Vec<Region>,
    samples: Vec<u16>,
    prev_samples: Vec<u16>,
    run_max: Vec<(u16, u32)>,
    top: Vec<u64>,
    /// Scratch for [`keep_best_counting`].
    top_sorted: Vec<u64>,
    /// Per face slot (the i-th face measured in a frame), the last
    /// spread between its hottest pixel and its k-th hottest (counts): a
    /// guess for the next frame's (speed only; results do not depend on it).
    gap_hint: [u16; GAP_HINTS],
    /// Per face slot: the hottest pixel's count in the last frame.
    hint_hottest: [u16; GAP_HINTS],
    /// Faces whose guess held / failed (tests check both paths run).
    guesses: [u32; 2],
    hot_rows: Vec<bool>,
    row_step: usize,
    /// Tests only: always take the exhaustive site path.
    exhaustive_sites: bool,
    celsius_input: bool,
    affine: Option<(f64, f64)>,
    f32_counts: Vec<u16>,
    have_prev: bool,
    last_t: Option<Timestamp>,
    shape: (usize, usize),
}

fn invalid(field: &'static str, value: f64, expected: &'static str) -> ThermalError {
    ThermalError::Core(CoreError::InvalidArgument {
        field,
        value,
        expected,
    })
}

impl FrameProcessor {
    /// Validates the configuration and converts the band to counts.
    ///
    /// # Errors
    /// The radiometry's errors; [`ThermalError::Core`] (`InvalidArgument`)
    /// naming a bad parameter: a band not inside `(0, 100)` °C with
    /// `lo < hi`, a map that does not increase with the count, a band that
    /// no count represents, `candidates` outside `1..=64`, a non-finite or
    /// negative tolerance, a zero smoothing time.
    pub fn new(cfg: ProcessorConfig) -> Result<Self, ThermalError> {
        // °C frames (radiometry `Celsius`) are quantised to centi-kelvin
        // counts and processed as TLinear frames (see `process_f32`).
        let celsius_input = matches!(cfg.radiometry, Radiometry::Celsius);
        let conv = if celsius_input {
            Radiometry::TLinear(crate::radiometry::TLinearResolution::CentiKelvin).compile()?
        } else {
            cfg.radiometry.compile()?
        };
        // The affine map from °C to counts, for `process_f32`.
        let affine = match conv.radiometry() {
            Radiometry::TLinear(res) => Some((res.kelvin_per_count(), -273.15)),
            Radiometry::Linear { gain, offset } => Some((*gain, *offset)),
            _ => None,
        };
        let (lo_c, hi_c) = (cfg.band.0.get(), cfg.band.1.get());
        if !(lo_c.is_finite() && hi_c.is_finite() && lo_c > 0.0 && hi_c < 100.0 && lo_c < hi_c) {
            return Err(invalid("band", lo_c, "finite 0 < lo < hi < 100 °C"));
        }
        let valid = conv.valid_counts().ok_or(invalid(
            "radiometry",
            0.0,
            "a map under which some u16 count is a temperature",
        ))?;
        let (vlo, vhi) = (*valid.start(), *valid.end());
        let (clo, chi) = (
            conv.celsius_of(f64::from(vlo))
                .map_or(f64::NAN, Celsius::get),
            conv.celsius_of(f64::from(vhi))
                .map_or(f64::NAN, Celsius::get),
        );
        if chi.is_nan() || clo.is_nan() || chi <= clo {
            return Err(invalid(
                "radiometry",
                clo,
                "a map whose temperature increases with the count (a linear map needs gain > 0)",
            ));
        }
        // Smallest count at or above lo_c, largest at or below hi_c.
        let lo = first_count(&conv, vlo, vhi, |t| t >= lo_c);
        let hi = first_count(&conv, vlo, vhi, |t| t > hi_c).map_or(Some(vhi), |c| c.checked_sub(1));
        let (lo, hi) = match (lo, hi) {
            (Some(l), Some(h)) if l <= h && l >= vlo => (l, h),
            _ => {
                return Err(invalid(
                    "band",
                    lo_c,
                    "a band that some u16 count represents under this radiometry",
                ));
            }
        };
        if let SiteStatistic::TrimmedWindow { candidates } = cfg.site
            && !(1..=MAX_CANDIDATES as u16).contains(&candidates)
        {
            return Err(invalid("site.candidates", f64::from(candidates), "1..=64"));
        }
        if !(cfg.glasses_fraction.is_finite() && (0.0..=1.0).contains(&cfg.glasses_fraction)) {
            return Err(invalid(
                "glasses_fraction",
                cfg.glasses_fraction,
                "a fraction in [0, 1]",
            ));
        }
        if cfg.min_region_pixels == 0 {
            return Err(invalid("min_region_pixels", 0.0, ">= 1"));
        }
        if let Some(bb) = cfg.blackbody {
            for (field, v) in [
                ("blackbody.band_c", bb.band_c),
                ("blackbody.missing_c", bb.missing_c),
                ("blackbody.non_uniform_c", bb.non_uniform_c),
                ("blackbody.max_drift_c_per_min", bb.max_drift_c_per_min),
            ] {
                if !(v.is_finite() && v > 0.0) {
                    return Err(invalid(field, v, "a finite value > 0"));
                }
            }
            if !(bb.set_point.get().is_finite() && conv.celsius_to_count(bb.set_point).is_ok()) {
                return Err(invalid(
                    "blackbody.set_point",
                    bb.set_point.get(),
                    "a temperature this radiometry represents in u16 counts",
                ));
            }
            if bb.smoothing.0 <= 0 {
                return Err(invalid(
                    "blackbody.smoothing",
                    bb.smoothing.0 as f64,
                    "> 0 µs",
                ));
            }
            if bb.rect.width == 0 || bb.rect.height == 0 {
                return Err(invalid(
                    "blackbody.rect",
                    f64::from(bb.rect.width.min(bb.rect.height)),
                    "a non-empty rectangle",
                ));
            }
        }
        Ok(FrameProcessor {
            cfg,
            conv,
            lo,
            span: hi - lo,
            valid: (vlo, vhi),
            tracker: cfg.blackbody.map(BlackbodyTracker::new),
            runs: Vec::new(),
            parent: Vec::new(),
            next: Vec::new(),
            region_of: Vec::new(),
            regions: Vec::new(),
            samples: Vec::new(),
            prev_samples: Vec::new(),
            run_max: Vec::new(),
            top: Vec::new(),
            top_sorted: Vec::new(),
            gap_hint: [0; GAP_HINTS],
            hint_hottest: [0; GAP_HINTS],
            guesses: [0; 2],
            hot_rows: Vec::new(),
            row_step: row_step(cfg.min_region_pixels),
            exhaustive_sites: false,
            celsius_input,
            affine,
            f32_counts: Vec::new(),
            have_prev: false,
            last_t: None,
            shape: (0, 0),
        })
    }

    /// The configuration.
    #[must_use]
    pub const fn config(&self) -> &ProcessorConfig {
        &self.cfg
    }

    /// The converter compiled from the configured radiometry.
    #[must_use]
    pub const fn converter(&self) -> &Converter {
        &self.conv
    }

    /// The band in counts, `(lo, hi)` inclusive.
    #[must_use]
    pub const fn band_counts(&self) -> (u16, u16) {
        (self.lo, self.lo + self.span)
    }

    /// Forgets the stream's history (blackbody tracking, previous frame).
    pub fn reset(&mut self) {
        if let Some(t) = &mut self.tracker {
            t.reset();
        }
        self.have_prev = false;
        self.last_t = None;
    }

    /// Processes one frame into `out` (cleared first).
    ///
    /// # Errors
    /// [`ThermalError::Core`]: `OutOfOrder` when `t` is before the previous
    /// frame's timestamp; `InvalidArgument` when the blackbody region does
    /// not lie inside the frame. `out` is left cleared on error.
    pub fn process(
        &mut self,
        frame: &FrameView<'_, u16>,
        t: Timestamp,
        out: &mut FrameResult,
    ) -> Result<(), ThermalError> {
        if self.celsius_input {
            out.faces.clear();
            return Err(invalid(
                "radiometry",
                0.0,
                "u16 counts under a TLinear, Linear or Planck map (radiometry Celsius takes f32 frames: process_f32)",
            ));
        }
        self.process_counts(frame, t, out)
    }

    /// Processes one frame of temperatures in °C (`f32`) into `out`, with
    /// the semantics of [`FrameProcessor::process`].
    ///
    /// Each temperature is mapped to the count the configured linear map
    /// gives it (rounded; under `Radiometry::Celsius` a TLinear
    /// centi-kelvin count, so the quantisation is 0.01 °C, a fifth of the
    /// NETD); NaN, infinite or unrepresentable temperatures become the
    /// sensor's limits 0 / 65 535 and count as bad pixels, as a dead or hot
    /// pixel would. The counts go to a buffer reused across frames, then
    /// through the same extraction as `process`.
    ///
    /// # Errors
    /// [`ThermalError::Core`] `InvalidArgument` when the configured
    /// radiometry is Planck (not linear in °C); then as `process`.
    pub fn process_f32(
        &mut self,
        frame: &FrameView<'_, f32>,
        t: Timestamp,
        out: &mut FrameResult,
    ) -> Result<(), ThermalError> {
        let Some((gain, offset)) = self.affine else {
            out.faces.clear();
            return Err(invalid(
                "radiometry",
                0.0,
                "a map linear in °C (Celsius, TLinear or Linear) for f32 °C frames",
            ));
        };
        let (w, h) = (frame.width(), frame.height());
        let mut counts = core::mem::take(&mut self.f32_counts);
        counts.clear();
        let (inv, off) = ((1.0 / gain) as f32, offset as f32);
        for row in frame.rows() {
            // `as u16` saturates (and maps NaN to 0).
            counts.extend(row.iter().map(|&c| ((c - off) * inv + 0.5) as u16));
        }
        let result = FrameView::packed(&counts, w, h)
            .map_err(ThermalError::from)
            .and_then(|view| self.process_counts(&view, t, out));
        self.f32_counts = counts;
        result
    }

    fn process_counts(
        &mut self,
        frame: &FrameView<'_, u16>,
        t: Timestamp,
        out: &mut FrameResult,
    ) -> Result<(), ThermalError> {
        out.faces.clear();
        out.dropped_faces = 0;
        out.timestamp = t;
        out.dead_rows = 0;
        out.dead_columns = 0;
        out.frame_flags = QualityFlags::NONE;
        out.blackbody = BlackbodyReading::default();
        if let Some(prev) = self.last_t
            && t < prev
        {
            return Err(ThermalError::Core(CoreError::OutOfOrder {
                field: "timestamp",
                value: t.0,
                previous: prev.0,
            }));
        }
        let (w, h) = (frame.width(), frame.height());
        if let Some(bb) = self.cfg.blackbody
            && (bb.rect.right() as usize > w || bb.rect.bottom() as usize > h)
        {
            return Err(invalid(
                "blackbody.rect",
                f64::from(bb.rect.right()),
                "a rectangle inside the frame",
            ));
        }
        if self.shape != (w, h) {
            self.shape = (w, h);
            self.have_prev = false;
        }
        self.last_t = Some(t);

        // Frame checks: dead lines, frozen frame.
        let (dead_rows, dead_cols, frozen) = self.sensor_checks(frame);
        out.dead_rows = dead_rows;
        out.dead_columns = dead_cols;
        if dead_rows + dead_cols > 0 {
            out.frame_flags |= QualityFlags::DEAD_LINES;
        }
        if frozen {
            out.frame_flags |= QualityFlags::FROZEN_FRAME;
        }
        // Blackbody.
        let conv = self.conv;
        out.blackbody = match &mut self.tracker {
            Some(tr) => tr.update(frame, &conv, t),
            None => BlackbodyReading::default(),
        };
        out.frame_flags |= out.blackbody.flags;
        let offset = out.blackbody.offset.get();

        // Segmentation and labelling.
        self.label(frame);
        // Faces.
        let min_face = self.cfg.min_face_pixels;
        let mut big = 0usize;
        for r in &self.regions {
            if qualifies(r, self.cfg.min_region_pixels) && r.area >= min_face {
                big += 1;
            }
        }
        for ri in 0..self.regions.len() {
            let r = self.regions[ri];
            if !qualifies(&r, self.cfg.min_region_pixels) {
                continue;
            }
            if out.faces.len() >= out.capacity {
                out.dropped_faces += 1;
                continue;
            }
            let slot = out.faces.len() % GAP_HINTS;
            let mut reading = self.measure(frame, &r, slot);
            reading.flags |= out.frame_flags;
            if r.area < min_face {
                reading.flags |= QualityFlags::TOO_FEW_PIXELS;
            }
            if self.cfg.single_person && big > 1 {
                reading.flags |= QualityFlags::MULTIPLE_PERSONS;
            }
            reading.corrected_c = Celsius(reading.site_c.get() - offset);
            out.faces.push(reading);
        }
        Ok(())
    }

    /// Processes a stack of packed frames of shape `(n, height, width)`, the
    /// `k`-th at `first + k · interval`, into `out`, which then holds one
    /// result per frame. The results already in `out` are reused (their
    /// face buffers keep their capacity; new ones get
    /// [`FrameResult::default`]'s 16 faces), so a caller that keeps `out`
    /// from one stack to the next allocates nothing once it has held `n`.
    ///
    /// # Errors
    /// A shape error when `stack.len() != n · height · width` (or the sizes
    /// are zero), `out` unchanged; then as [`FrameProcessor::process`],
    /// stopping at the first failing frame with `out` holding the results
    /// of the frames before it.
    pub fn process_stack(
        &mut self,
        stack: &[u16],
        shape: (usize, usize, usize),
        first: Timestamp,
        interval: Micros,
        out: &mut Vec<FrameResult>,
    ) -> Result<(), ThermalError> {
        stack_each(stack, shape, first, interval, out, |view, t, r| {
            self.process(view, t, r)
        })
    }

    /// As [`FrameProcessor::process_stack`] for a stack of °C frames
    /// ([`FrameProcessor::process_f32`]).
    ///
    /// # Errors
    /// As `process_stack`, then as `process_f32`.
    pub fn process_stack_f32(
        &mut self,
        stack: &[f32],
        shape: (usize, usize, usize),
        first: Timestamp,
        interval: Micros,
        out: &mut Vec<FrameResult>,
    ) -> Result<(), ThermalError> {
        stack_each(stack, shape, first, interval, out, |view, t, r| {
            self.process_f32(view, t, r)
        })
    }

    /// Dead rows, dead columns, frozen frame.
    fn sensor_checks(&mut self, frame: &FrameView<'_, u16>) -> (u32, u32, bool) {
        let (w, h) = (frame.width(), frame.height());
        let mut dead_rows = 0;
        if w >= 8 {
            for row in frame.rows() {
                let v = row[0];
                if row[w / 4] == v
                    && row[w / 2] == v
                    && row[3 * w / 4] == v
                    && row[w - 1] == v
                    && row.iter().all(|&p| p == v)
                {
                    dead_rows += 1;
                }
            }
        }
        // Eight sampled rows: column check and frozen-frame signature.
        let k = 8.min(h);
        self.samples.clear();
        for i in 0..k {
            if let Some(row) = frame.row((2 * i + 1) * h / (2 * k)) {
                self.samples.extend_from_slice(row);
            }
        }
        let mut dead_cols = 0;
        if h >= 8 {
            let (first, rest) = self.samples.split_at(w.min(self.samples.len()));
            // A column is a candidate when the sampled rows agree on it:
            // eight columns at a time, the lanes equal in every sampled row.
            let (groups, _) = first.as_chunks::<8>();
            let same = |x: usize| rest.chunks_exact(w).all(|row| row.get(x) == first.get(x));
            let mut candidates = |x0: usize, mask: u32| {
                let mut mask = mask;
                while mask != 0 {
                    let x = x0 + mask.trailing_zeros() as usize;
                    let v = frame.get(x, 0).copied();
                    if (0..h).all(|y| frame.get(x, y).copied() == v) {
                        dead_cols += 1;
                    }
                    mask &= mask - 1;
                }
            };
            for (gi, g) in groups.iter().enumerate() {
                let fv = u16x8::new(*g);
                let mut eq = u16x8::splat(u16::MAX);
                for row in rest.chunks_exact(w) {
                    if let Some(c) = row.get(8 * gi..).and_then(|r| r.first_chunk::<8>()) {
                        eq &= fv.cmp_eq(u16x8::new(*c));
                    }
                }
                let mask = bytemuck::cast::<u16x8, i16x8>(eq).move_mask() as u32;
                candidates(8 * gi, mask);
            }
            let tail_mask = (8 * groups.len()..w)
                .enumerate()
                .fold(0u32, |m, (i, x)| m | (u32::from(same(x)) << i));
            candidates(8 * groups.len(), tail_mask);
        }
        let frozen = self.have_prev && self.samples == self.prev_samples;
        core::mem::swap(&mut self.samples, &mut self.prev_samples);
        self.have_prev = true;
        (dead_rows, dead_cols, frozen)
    }

    /// Finds the in-band runs, joins them into regions.
    fn label(&mut self, frame: &FrameView<'_, u16>) {
        self.runs.clear();
        self.parent.clear();
        let (lo, span) = (self.lo, self.span);
        let w = frame.width() as u32;
        let bb = self.tracker.as_ref().map(|t| {
            let r = t.excluded();
            Rect::new(r.x, r.y, r.width.min(w.saturating_sub(r.x)), r.height)
        });
        // Rows sampled every `step`: a gap between two sampled rows is
        // scanned only when one of them has an in-band pixel (see
        // `row_step`).
        let step = self.row_step;
        let segments = |y: u32| match bb {
            Some(r) if y >= r.y && y < r.bottom() => [(0, r.x), (r.right(), w)],
            _ => [(0, w), (w, w)],
        };
        self.hot_rows.clear();
        for y in (0..frame.height()).step_by(step) {
            let hot = frame.row(y).is_some_and(|row| {
                segments(y as u32)
                    .iter()
                    .any(|&(a, b)| a < b && any_in_band(row, a, b, lo, span))
            });
            self.hot_rows.push(hot);
        }
        let mut prev = 0usize..0usize;
        // `g` = y / step and `in_gap` = y % step != 0, counted, not divided.
        let (mut g, mut phase) = (0usize, 0usize);
        for (y, row) in frame.rows().enumerate() {
            let in_gap = phase != 0;
            let g_here = g;
            phase += 1;
            if phase == step {
                (g, phase) = (g + 1, 0);
            }
            let g = g_here;
            let here = self.hot_rows.get(g).copied().unwrap_or(false);
            let below = in_gap && self.hot_rows.get(g + 1).copied().unwrap_or(false);
            if !(here || below) {
                prev = self.runs.len()..self.runs.len();
                continue;
            }
            let y = y as u32;
            let start = self.runs.len();
            for (a, b) in segments(y) {
                if a < b {
                    scan(row, a, b, y, lo, span, &mut self.runs);
                }
            }
            let cur = start..self.runs.len();
            // Join each new run to the previous row's runs it touches.
            // `root` is the root of the new run's set: the run itself until
            // it joins an earlier one (every earlier root is smaller), so
            // only the touched run's root has to be found.
            let mut j = prev.start;
            for i in cur.clone() {
                self.parent.push(i as u32);
                let r = self.runs[i];
                while j < prev.end && self.runs[j].x1 < r.x0 {
                    j += 1;
                }
                let mut root = i as u32;
                let mut k = j;
                while k < prev.end && self.runs[k].x0 <= r.x1 {
                    let rk = find(&mut self.parent, k as u32);
                    if rk < root {
                        self.parent[root as usize] = rk;
                        root = rk;
                    } else if rk > root {
                        self.parent[rk as usize] = root;
                    }
                    k += 1;
                }
            }
            prev = cur;
        }
        // Resolve regions; roots are the earliest run of each region.
        let n = self.runs.len();
        self.region_of.clear();
        self.region_of.resize(n, NO_RUN);
        self.next.clear();
        self.next.resize(n, NO_RUN);
        self.regions.clear();
        for i in 0..n {
            // A run's parent is an earlier run (or itself), whose parent is
            // already its root: one step resolves every run, in order.
            let p = self.parent[i] as usize;
            let root = if p == i { i } else { self.parent[p] as usize };
            self.parent[i] = root as u32;
            let run = self.runs[i];
            let len = run.x1 - run.x0;
            if root == i {
                self.region_of[i] = self.regions.len() as u32;
                self.regions.push(Region {
                    area: 0,
                    sum_x2: 0,
                    sum_y: 0,
                    x0: run.x0,
                    y0: run.y,
                    x1: run.x1,
                    y1: run.y + 1,
                    first_run: i as u32,
                    last_run: i as u32,
                });
            } else {
                let ri = self.region_of[root];
                self.region_of[i] = ri;
                if let Some(reg) = self.regions.get_mut(ri as usize) {
                    self.next[reg.last_run as usize] = i as u32;
                    reg.last_run = i as u32;
                }
            }
            if let Some(reg) = self.regions.get_mut(self.region_of[i] as usize) {
                reg.area += len;
                // Sum of (2x + 1) over the run: twice the pixel centres.
                reg.sum_x2 += u64::from(len) * u64::from(run.x0 + run.x1);
                reg.sum_y += u64::from(len) * u64::from(run.y);
                reg.x0 = reg.x0.min(run.x0);
                reg.x1 = reg.x1.max(run.x1);
                reg.y1 = reg.y1.max(run.y + 1);
            }
        }
    }

    /// Site, temperature and the region's own flags.
    fn measure(&mut self, frame: &FrameView<'_, u16>, r: &Region, slot: usize) -> FaceReading {
        let lo = self.lo;
        let m = match self.cfg.site {
            SiteStatistic::TrimmedWindow { candidates } => usize::from(candidates),
            SiteStatistic::Max => 1,
        };
        // The m hottest pixels whose window is acceptable, sorted by value
        // descending then raster order: (value, x, y, score, edge). First
        // the `k` hottest pixels by value alone: gathered at or above a
        // floor guessed from this face slot's last frame in one pass over
        // the region, or else (no guess, or it gathered fewer than k) with
        // the runs visited hottest first, the visit stopping at the first
        // run whose maximum is below the list's floor.
        // Then their windows, in that order, until m are accepted. When
        // fewer than m of the k are accepted and the region has more
        // pixels, the exhaustive scan decides (same result, slower; rare).
        let k = (m + 8).min(MAX_CANDIDATES);
        // Cold pixels enclosed between two runs of this region on one row.
        let mut cold_gaps = 0u32;
        let mut prev_run: Option<Run> = None;
        for (_, run) in region_runs(&self.runs, &self.next, r.first_run) {
            if let Some(p) = prev_run
                && p.y == run.y
                && let Some(gap) = frame
                    .row(run.y as usize)
                    .and_then(|row| row.get(p.x1 as usize..run.x0 as usize))
            {
                cold_gaps += gap.iter().filter(|&&v| v < lo).count() as u32;
            }
            prev_run = Some(run);
        }
        // First a guess: the k best pixels are at least as hot as this
        // face slot's hottest pixel in the last frame minus its spread then
        // (the hottest minus the k-th hottest), plus 1/16 and 2 counts. The
        // region's pixels at or above that floor are gathered in one
        // vectorised pass, in raster order; when there are at least k, the
        // guess was safe (the k best are among them), otherwise the exact
        // search below runs.
        // Sized once for the largest region seen: no reallocation later.
        self.top.clear();
        self.top.reserve(r.area as usize);
        let mut guessed = false;
        let (hint, hint_hottest) = (self.gap_hint[slot], self.hint_hottest[slot]);
        let mut g = 0;
        if hint > 0 && r.area as usize >= k {
            g = hint_hottest.saturating_sub(hint + hint / 16 + 2);
            self.top.clear();
            for (_, run) in region_runs(&self.runs, &self.next, r.first_run) {
                if let Some(row) = frame.row(run.y as usize) {
                    gather(row, run, g, &mut self.top);
                }
            }
            guessed = self.top.len() >= k;
            let i = usize::from(!guessed);
            self.guesses[i] = self.guesses[i].wrapping_add(1);
        }
        if !guessed {
            self.run_max.clear();
            // Sized once for the most runs a frame had.
            self.run_max.reserve(self.runs.len());
            for (run_i, run) in region_runs(&self.runs, &self.next, r.first_run) {
                if let Some(px) = run_pixels(frame, run) {
                    self.run_max.push((max_u16(px), run_i));
                }
            }
            // The runs are visited hottest first, but the visit usually ends
            // within the first dozen: they are ordered lazily, in three
            // segments sorted when reached — the hottest `HEAD`, the rest of
            // the hottest `k`, the others — each partitioned from the next by a
            // linear-time selection.
            const HEAD: usize = 16;
            let by_max = |a: &(u16, u32)| core::cmp::Reverse(a.0);
            let n_runs = self.run_max.len();
            let (seg_k, seg_head) = (k.min(n_runs), HEAD.min(k).min(n_runs));
            if n_runs > seg_k {
                self.run_max.select_nth_unstable_by_key(seg_k - 1, by_max);
            }
            if seg_k > seg_head && seg_head > 0 {
                self.run_max[..seg_k].select_nth_unstable_by_key(seg_head - 1, by_max);
            }
            self.run_max[..seg_head].sort_unstable_by_key(by_max);
            // Pixels at or above the floor are gathered unsorted as packed keys
            // (`!value` above the row and column, `!v << 40 | y << 20 | x`, frames
            // being at most 32 768 wide: ascending = better); every 4k
            // of them the best k are kept and the floor rises to the k-th
            // value. The floor starts at the k-th largest run maximum: those k
            // maxima are k pixels at least that hot, so no cooler pixel can be
            // among the k best.
            let mut floor = if n_runs >= k {
                self.run_max[..k].iter().map(|r| r.0).min().unwrap_or(0)
            } else {
                0
            };
            let mut full = false;
            self.top.clear();
            for i in 0..n_runs {
                if i == seg_head {
                    self.run_max[seg_head..seg_k].sort_unstable_by_key(by_max);
                }
                if i == seg_k {
                    self.run_max[seg_k..].sort_unstable_by_key(by_max);
                }
                let (run_max, ri) = self.run_max[i];
                if full && run_max < floor {
                    break;
                }
                if run_max < floor {
                    continue;
                }
                let run = self.runs[ri as usize];
                let Some(row) = frame.row(run.y as usize) else {
                    continue;
                };
                gather(row, run, floor, &mut self.top);
                if self.top.len() >= 4 * k {
                    (floor, full) = keep_best(&mut self.top, k);
                }
            }
        }
        // The hottest pixel: the smallest key.
        let hottest = self
            .top
            .iter()
            .min()
            .map_or(0, |&key| !((key >> 40) as u16));
        if guessed && hottest - g < COUNTING_SPAN {
            // `top` is in raster order with values in a narrow band: a
            // stable counting sort by value sorts it.
            keep_best_counting(&mut self.top, k, hottest, g, &mut self.top_sorted);
        } else {
            keep_best(&mut self.top, k);
        }
        let nt = self.top.len();
        if nt == k
            && let Some(&last) = self.top.last()
        {
            self.gap_hint[slot] = hottest
                .saturating_sub(!((last >> 40) as u16))
                .clamp(1, u16::MAX / 2);
            self.hint_hottest[slot] = hottest;
        }
        let mut cand = [(0u16, 0u32, 0u32, 0f64, false); MAX_CANDIDATES];
        let mut nc = 0usize;
        let mut rejected_hottest: Option<(u16, u32, u32)> = None;
        for &packed in &self.top {
            if nc == m {
                break;
            }
            let (v, key) = (!((packed >> 40) as u16), packed & ((1 << 40) - 1));
            let (x, y) = ((key & 0xF_FFFF) as u32, (key >> 20) as u32);
            match self.window(frame, x, y, v) {
                Some((score, edge)) => {
                    cand[nc] = (v, x, y, score, edge);
                    nc += 1;
                }
                None => {
                    if rejected_hottest.is_none() {
                        rejected_hottest = Some((v, x, y));
                    }
                }
            }
        }
        if (nc < m && nt == k && r.area as usize > k) || (cfg!(test) && self.exhaustive_sites) {
            (nc, rejected_hottest) = self.candidates_exhaustive(frame, r, m, &mut cand);
        }
        // Bad pixels in the face box: outside `ok_lo..=ok_hi`, the valid
        // counts without the sensor's limits 0 and 65 535.
        let (vlo, vhi) = self.valid;
        let (ok_lo, ok_hi) = (vlo.max(1), vhi.min(u16::MAX - 1));
        let ok_span = ok_hi.saturating_sub(ok_lo);
        let mut counter = OutsideCounter::new(ok_lo, ok_span);
        for y in r.y0..r.y1 {
            if let Some(px) = frame
                .row(y as usize)
                .and_then(|row| row.get(r.x0 as usize..r.x1 as usize))
            {
                counter.row(px);
            }
        }
        let bad = counter.outside();
        let mut flags = QualityFlags::NONE;
        if bad > self.cfg.max_bad_pixels {
            flags |= QualityFlags::SATURATED;
        }
        if cold_gaps > 0 && f64::from(cold_gaps) >= self.cfg.glasses_fraction * f64::from(r.area) {
            flags |= QualityFlags::GLASSES;
        }
        // The best score; ties go to the earlier pixel in raster order.
        let mut best: Option<(f64, u64, usize)> = None;
        for (i, c) in cand.iter().take(nc).enumerate() {
            let key = (u64::from(c.2) << 20) | u64::from(c.1);
            let better = match best {
                None => true,
                Some((bs, bk, _)) => c.3 > bs || (c.3 == bs && key < bk),
            };
            if better {
                best = Some((c.3, key, i));
            }
        }
        let (raw, site, edge) = match best.and_then(|(_, _, i)| cand.get(i)) {
            Some(&(_, x, y, score, edge)) => (score, Pixel { x, y }, edge),
            // Every window was rejected (a hot object covers the face):
            // report the hottest pixel, flagged.
            None => {
                let (v, x, y) = rejected_hottest.unwrap_or((0, r.x0, r.y0));
                (f64::from(v), Pixel { x, y }, true)
            }
        };
        if edge {
            flags |= QualityFlags::SITE_ON_EDGE;
        }
        let site_c = self.conv.celsius_of(raw).unwrap_or(Celsius(f64::NAN));
        let area = r.area.max(1);
        FaceReading {
            bbox: Rect::new(r.x0, r.y0, r.x1 - r.x0, r.y1 - r.y0),
            centroid: Point::new(
                (r.sum_x2 as f64 / (2.0 * f64::from(area))) as f32,
                (r.sum_y as f64 / f64::from(area) + 0.5) as f32,
            ),
            area: r.area,
            site,
            site_c,
            corrected_c: Celsius(f64::NAN),
            flags,
        }
    }

    /// The `m` hottest pixels of region `r` whose window is acceptable, by
    /// value descending then raster order, into `cand`; their number and
    /// the hottest rejected pixel. Every pixel that could enter the list has
    /// its window evaluated: the reference for [`FrameProcessor::measure`]'s
    /// fast path, used when that path cannot decide.
    fn candidates_exhaustive(
        &self,
        frame: &FrameView<'_, u16>,
        r: &Region,
        m: usize,
        cand: &mut [(u16, u32, u32, f64, bool); MAX_CANDIDATES],
    ) -> (usize, Option<(u16, u32, u32)>) {
        let mut nc = 0usize;
        let mut rejected_hottest: Option<(u16, u32, u32)> = None;
        for (_, run) in region_runs(&self.runs, &self.next, r.first_run) {
            if let Some(px) = run_pixels(frame, run) {
                for (dx, &v) in px.iter().enumerate() {
                    if nc == m && v <= cand[m - 1].0 {
                        continue;
                    }
                    let x = run.x0 + dx as u32;
                    let Some((score, edge)) = self.window(frame, x, run.y, v) else {
                        if rejected_hottest.is_none_or(|(b, ..)| v > b) {
                            rejected_hottest = Some((v, x, run.y));
                        }
                        continue;
                    };
                    let mut pos = nc.min(m - 1);
                    while pos > 0 && cand[pos - 1].0 < v {
                        cand[pos] = cand[pos - 1];
                        pos -= 1;
                    }
                    cand[pos] = (v, x, run.y, score, edge);
                    nc = (nc + 1).min(m);
                }
            }
        }
        (nc, rejected_hottest)
    }

    /// The site statistic at `(x, y)` (value `v`): `(score in counts, on
    /// edge)`, or `None` when the window is rejected.
    #[inline(always)]
    fn window(&self, frame: &FrameView<'_, u16>, x: u32, y: u32, v: u16) -> Option<(f64, bool)> {
        let SiteStatistic::TrimmedWindow { .. } = self.cfg.site else {
            return Some((f64::from(v), false));
        };
        let (lo, span) = (self.lo, self.span);
        let (x, y) = (x as usize, y as usize);
        if let Some([a, b, c]) = frame.neighbourhood3(x, y) {
            // Interior: nine pixels; all in band is the common case.
            let px = [a[0], a[1], a[2], b[0], b[1], b[2], c[0], c[1], c[2]];
            let (mn, mx) = px
                .iter()
                .fold((u16::MAX, 0u16), |(mn, mx), &p| (mn.min(p), mx.max(p)));
            if mn >= lo && mx.wrapping_sub(lo) <= span {
                let s: u32 = px.iter().map(|&p| u32::from(p)).sum();
                return Some((f64::from(s - u32::from(mx)) / 8.0, false));
            }
        }
        let (mut n_in, mut n_lo, mut n_hi, mut sum, mut max) = (0u32, 0u32, 0u32, 0u64, 0u16);
        let (fw, fh) = (frame.width(), frame.height());
        let clipped = x == 0 || y == 0 || x + 1 >= fw || y + 1 >= fh;
        let (x0, x1) = (x.saturating_sub(1), (x + 2).min(fw));
        for yy in y.saturating_sub(1)..(y + 2).min(fh) {
            let Some(row) = frame.row(yy) else { continue };
            for &p in row.get(x0..x1).unwrap_or(&[]) {
                if p.wrapping_sub(lo) <= span {
                    n_in += 1;
                    sum += u64::from(p);
                    max = max.max(p);
                } else if p < lo {
                    n_lo += 1;
                } else {
                    n_hi += 1;
                }
            }
        }
        if n_hi >= 2 || n_in < 5 {
            return None;
        }
        let score = (sum - u64::from(max)) as f64 / f64::from(n_in - 1);
        Some((score, clipped || n_lo >= 2))
    }
}

/// Runs `f` on each frame of a packed `(n, height, width)` stack, the
/// `k`-th at `first + k · interval`, into `out` resized to `n` (its
/// results reused), truncated to the frames done on an error.
fn stack_each<T>(
    stack: &[T],
    (n, height, width): (usize, usize, usize),
    first: Timestamp,
    interval: Micros,
    out: &mut Vec<FrameResult>,
    mut f: impl FnMut(&FrameView<'_, T>, Timestamp, &mut FrameResult) -> Result<(), ThermalError>,
) -> Result<(), ThermalError> {
    let per = width.saturating_mul(height);
    if n == 0 || per == 0 || per == usize::MAX || n.checked_mul(per) != Some(stack.len()) {
        return Err(ThermalError::Core(CoreError::ShapeMismatch {
            what: "frame stack",
            expected_width: width,
            expected_height: height.saturating_mul(n),
            actual_width: width,
            actual_height: stack.len().checked_div(width).unwrap_or(0),
        }));
    }
    out.resize_with(n, FrameResult::default);
    for (k, (frame, r)) in stack.chunks_exact(per).zip(out.iter_mut()).enumerate() {
        let t = first
            .checked_add(Micros(interval.0.saturating_mul(k as i64)))
            .unwrap_or(Timestamp(i64::MAX));
        let done = FrameView::packed(frame, width, height)
            .map_err(ThermalError::from)
            .and_then(|view| f(&view, t, r));
        if let Err(e) = done {
            out.truncate(k);
            return Err(e);
        }
    }
    Ok(())
}

/// The row-sampling step of the scan for a smallest reported region of
/// `min_region_pixels`: the largest `s ≤ 8` with `2·(s − 1)² <
/// min_region_pixels` (5 for the default 40).
///
/// Rows `0, s, 2s, …` are tested for any in-band pixel; the `s − 1` rows
/// between two sampled rows are scanned only when one of the two has one.
/// A region lying wholly in an unscanned gap touches no in-band pixel of
/// the rows around it, so it is at most `s − 1` rows tall and — to qualify
/// ([`qualifies`]: at most twice as wide as tall) — at most `2·(s − 1)`
/// wide: smaller than `min_region_pixels`, so it could never be reported.
/// Every region that can be reported is therefore labelled exactly as by a
/// full scan.
fn row_step(min_region_pixels: u32) -> usize {
    let mut s = 1usize;
    while s < 8 && 2 * (s as u64) * (s as u64) < u64::from(min_region_pixels) {
        s += 1;
    }
    s
}

/// Appends the packed keys (see [`FrameProcessor::measure`]) of the
/// pixels at or above `floor` of the run `run` of `row`, in order: 16
/// pixels at a time, a mask of those at or above the floor (`floor − v`
/// saturating to zero, narrowed by a signed saturating pack, one movemask)
/// whose set bits within the run are read off. The 16 pixels are read from
/// the row even past the run's end (masked off), or, at the row's end,
/// from its last 16 (shifted), so a short run costs one vector too.
#[inline(always)]
fn gather(row: &[u16], run: Run, floor: u16, top: &mut Vec<u64>) {
    let fv = u16x8::splat(floor);
    let ge_mask = |c: &[u16; 16]| -> u32 {
        let (lanes, _) = c.as_chunks::<8>();
        let d = |l: &[u16; 8]| bytemuck::cast::<u16x8, i16x8>(fv.saturating_sub(u16x8::new(*l)));
        let pair = bytemuck::cast::<[i16x8; 2], i16x16>([d(&lanes[0]), d(&lanes[1])]);
        i8x16::from_i16x16_saturate(pair)
            .cmp_eq(i8x16::ZERO)
            .move_mask() as u32
    };
    let row_key = u64::from(run.y) << 20;
    let (x1, w) = (run.x1 as usize, row.len());
    let mut x = run.x0 as usize;
    while x < x1 {
        let n = (x1 - x).min(16);
        let in_run = (1u32 << n) - 1;
        let mut mask = match row.get(x..).and_then(<[u16]>::first_chunk::<16>) {
            Some(c) => ge_mask(c) & in_run,
            None => match row.last_chunk::<16>() {
                // Lane `i` is pixel `w − 16 + i`; pixel `x` is lane `x + 16 − w`.
                Some(c) => (ge_mask(c) >> (x + 16 - w)) & in_run,
                None => row
                    .get(x..x + n)
                    .unwrap_or(&[])
                    .iter()
                    .enumerate()
                    .fold(0u32, |m, (i, &v)| m | (u32::from(v >= floor) << i)),
            },
        };
        while mask != 0 {
            let i = x + mask.trailing_zeros() as usize;
            if let Some(&v) = row.get(i) {
                top.push((u64::from(!v) << 40) | row_key | i as u64);
            }
            mask &= mask - 1;
        }
        x += n;
    }
}

/// Keeps the best `k` of the packed keys `v` (`!value << 40 | raster`: the
/// smallest is the hottest, earliest pixel), sorted; returns the k-th value
/// and whether there were at least `k`.
fn keep_best(v: &mut Vec<u64>, k: usize) -> (u16, bool) {
    if v.len() > k {
        v.select_nth_unstable(k - 1);
        v.truncate(k);
    }
    v.sort_unstable();
    match v.get(k - 1) {
        Some(&packed) => (!((packed >> 40) as u16), true),
        None => (0, false),
    }
}

/// Widest value band (`hottest - floor + 1`) [`keep_best_counting`] sorts.
const COUNTING_SPAN: u16 = 256;

/// As [`keep_best`] for at least `k` keys in raster order whose values lie
/// in `floor..=hottest` (`hottest - floor < COUNTING_SPAN`): a stable
/// counting sort by value (raster order kept within a value, which is the
/// keys' order), writing only the first `k` places, through `scratch`.
fn keep_best_counting(
    v: &mut Vec<u64>,
    k: usize,
    hottest: u16,
    floor: u16,
    scratch: &mut Vec<u64>,
) {
    let span = usize::from(hottest - floor) + 1;
    let mut start = [0u32; COUNTING_SPAN as usize + 1];
    let bucket = |key: u64| usize::from(hottest.wrapping_sub(!((key >> 40) as u16)));
    for &key in v.iter() {
        if let Some(c) = start.get_mut(bucket(key) + 1) {
            *c += 1;
        }
    }
    for i in 1..=span {
        start[i] += start[i - 1];
    }
    scratch.clear();
    scratch.resize(k, 0);
    for &key in v.iter() {
        if let Some(o) = start.get_mut(bucket(key)) {
            if let Some(slot) = scratch.get_mut(*o as usize) {
                *slot = key;
            }
            *o += 1;
        }
    }
    core::mem::swap(v, scratch);
}

/// Whether a region is face-like enough to report.
fn qualifies(r: &Region, min_pixels: u32) -> bool {
    let (bw, bh) = (u64::from(r.x1 - r.x0), u64::from(r.y1 - r.y0));
    let box_area = bw * bh;
    r.area >= min_pixels && u64::from(r.area) * 100 >= box_area * 35 && 2 * bh >= bw && bh <= 3 * bw
}

/// The smallest count in `lo..=hi` whose temperature satisfies `pred`
/// (monotonic: binary search), or `None`.
fn first_count(conv: &Converter, lo: u16, hi: u16, pred: impl Fn(f64) -> bool) -> Option<u16> {
    let test = |c: u16| conv.celsius_of(f64::from(c)).is_some_and(|t| pred(t.get()));
    if !test(hi) {
        return None;
    }
    let (mut a, mut b) = (lo, hi);
    while a < b {
        let mid = a + (b - a) / 2;
        if test(mid) {
            b = mid;
        } else {
            a = mid + 1;
        }
    }
    Some(a)
}

/// The largest value of `px` (0 when empty). x86-64's baseline SIMD (SSE2)
/// has a signed 16-bit maximum only, so the sign bit is flipped around it.
#[inline]
fn max_u16(px: &[u16]) -> u16 {
    // Signed lanes after flipping the top bit (SSE2 has a signed i16 max
    // only); a tail shorter than a vector is covered by an overlapping last
    // vector.
    let flipped = |c: &[u16; 8]| bytemuck::cast::<[u16; 8], i16x8>(*c) ^ i16x8::splat(i16::MIN);
    let (chunks, _) = px.as_chunks::<8>();
    let m = match px.last_chunk::<8>() {
        Some(last) => chunks
            .iter()
            .fold(flipped(last), |m, c| m.max(flipped(c)))
            .reduce_max(),
        None => px.iter().fold(i16::MIN, |m, &v| {
            m.max(i16::from_ne_bytes((v ^ 0x8000).to_ne_bytes()))
        }),
    };
    u16::from_ne_bytes(m.to_ne_bytes()) ^ 0x8000
}

/// Counts pixels outside `lo..=lo + span` over rows of a box, eight at a
/// time: in-range lanes add `-1` to 16-bit lane counters (folded into the
/// total every 4096 vectors, before they could overflow); a row's last
/// partial vector is read overlapping the previous one, its lanes already
/// counted masked off.
struct OutsideCounter {
    range: (u16, u16),
    lo: u16x8,
    span: u16x8,
    acc: i16x8,
    vectors: u32,
    inside: u32,
    pixels: u32,
}

impl OutsideCounter {
    fn new(lo: u16, span: u16) -> Self {
        OutsideCounter {
            range: (lo, span),
            lo: u16x8::splat(lo),
            span: u16x8::splat(span),
            acc: i16x8::ZERO,
            vectors: 0,
            inside: 0,
            pixels: 0,
        }
    }

    #[inline(always)]
    fn in_range(&self, c: &[u16; 8]) -> i16x8 {
        let ok = (u16x8::new(*c) - self.lo)
            .saturating_sub(self.span)
            .cmp_eq(u16x8::ZERO);
        bytemuck::cast::<u16x8, i16x8>(ok)
    }

    fn flush(&mut self) {
        let lanes: [i16; 8] = self.acc.to_array();
        self.inside += lanes
            .iter()
            .map(|&l| u32::from(l.unsigned_abs()))
            .sum::<u32>();
        self.acc = i16x8::ZERO;
        self.vectors = 0;
    }

    #[inline]
    fn row(&mut self, px: &[u16]) {
        self.pixels += px.len() as u32;
        let (chunks, tail) = px.as_chunks::<8>();
        for c in chunks {
            self.acc += self.in_range(c);
        }
        self.vectors += chunks.len() as u32 + 1;
        match px.last_chunk::<8>() {
            Some(last) if !tail.is_empty() => {
                // Lanes `8 - tail.len()..` are the tail.
                let keep = i16x8::from(TAIL_LANES[tail.len()]);
                self.acc += self.in_range(last) & keep;
            }
            _ => {
                let (lo, span) = self.range;
                let n = tail.iter().filter(|&&v| v.wrapping_sub(lo) <= span);
                self.inside += n.count() as u32;
            }
        }
        if self.vectors >= 4096 {
            self.flush();
        }
    }

    fn outside(mut self) -> u32 {
        self.flush();
        self.pixels - self.inside
    }
}

/// Lane masks for a row's overlapping last vector: `TAIL_LANES[t]` keeps
/// the last `t` lanes.
const TAIL_LANES: [[i16; 8]; 8] = {
    let mut m = [[0i16; 8]; 8];
    let mut t = 0;
    while t < 8 {
        let mut l = 8 - t;
        while l < 8 {
            m[t][l] = -1;
            l += 1;
        }
        t += 1;
    }
    m
};

/// Pixels per block of the row scan.
const LANES: usize = 32;

/// The in-band mask of a block (bit `i` for pixel `i`): one wrapping and one
/// saturating subtraction per pixel (`0` exactly in band), eight pixels at a
/// time with `wide`'s portable vectors; two vectors are narrowed into one
/// with a signed saturating pack (zero stays zero, anything else stays
/// non-zero), compared with zero and gathered by one movemask per 16 pixels.
#[inline]
fn block_mask(block: &[u16; LANES], lo: u16, span: u16) -> u32 {
    let (lo, span) = (u16x8::splat(lo), u16x8::splat(span));
    let d =
        |l: &[u16; 8]| bytemuck::cast::<u16x8, i16x8>((u16x8::new(*l) - lo).saturating_sub(span));
    let (lanes, _) = block.as_chunks::<8>();
    let mut mask = 0u32;
    for (i, pair) in lanes.chunks_exact(2).enumerate() {
        let pair = bytemuck::cast::<[i16x8; 2], i16x16>([d(&pair[0]), d(&pair[1])]);
        let packed = i8x16::from_i16x16_saturate(pair);
        let bits = packed.cmp_eq(i8x16::ZERO).move_mask();
        mask |= (bits as u32) << (16 * i);
    }
    mask
}

/// Whether `row[x_from..x_to]` has a pixel in band (stops at the first
/// block that has one).
#[inline]
fn any_in_band(row: &[u16], x_from: u32, x_to: u32, lo: u16, span: u16) -> bool {
    let Some(seg) = row.get(x_from as usize..x_to as usize) else {
        return false;
    };
    let (blocks, rest) = seg.as_chunks::<LANES>();
    blocks.iter().any(|b| block_mask(b, lo, span) != 0)
        || rest.iter().any(|&v| v.wrapping_sub(lo) <= span)
}

/// Appends the in-band runs of `row[x_from..x_to]`.
///
/// Each block of [`LANES`] pixels becomes a bit mask (vectorised compares
/// and a movemask). A run starts or ends where a pixel's in-band bit
/// differs from its left neighbour's: `mask ^ (mask << 1 | carry)` marks
/// those transitions, which alternate start, end, start, … along the row
/// and are read off with `trailing_zeros`. A block without a transition —
/// all outside band, or all inside a run — costs one compare.
#[inline]
fn scan(row: &[u16], x_from: u32, x_to: u32, y: u32, lo: u16, span: u16, runs: &mut Vec<Run>) {
    let Some(seg) = row.get(x_from as usize..x_to as usize) else {
        return;
    };
    // `open`: the pixel left of the block is in band (a run is open at `start`).
    let (mut open, mut start) = (false, 0u32);
    let mut base = x_from;
    let (blocks, rest) = seg.as_chunks::<LANES>();
    for block in blocks {
        let mask = block_mask(block, lo, span);
        transitions(mask, LANES as u32, base, y, &mut open, &mut start, runs);
        base += LANES as u32;
    }
    let mut mask = 0u32;
    for (i, &v) in rest.iter().enumerate() {
        mask |= u32::from(v.wrapping_sub(lo) <= span) << i;
    }
    transitions(
        mask,
        rest.len() as u32,
        base,
        y,
        &mut open,
        &mut start,
        runs,
    );
    if open {
        runs.push(Run {
            y,
            x0: start,
            x1: x_to,
        });
    }
}

/// Reads the run starts and ends off the low `n` (≤ 32) bits of `mask`
/// (pixel `base` is bit 0); `open` and `start` carry a run across blocks.
#[inline]
fn transitions(
    mask: u32,
    n: u32,
    base: u32,
    y: u32,
    open: &mut bool,
    start: &mut u32,
    runs: &mut Vec<Run>,
) {
    let (mask, carry) = (u64::from(mask), u64::from(*open));
    let mut t = (mask ^ ((mask << 1) | carry)) & ((1u64 << n) - 1);
    while t != 0 {
        let x = base + t.trailing_zeros();
        if *open {
            runs.push(Run {
                y,
                x0: *start,
                x1: x,
            });
        } else {
            *start = x;
        }
        *open = !*open;
        t &= t - 1;
    }
}

/// The runs of the region whose first run is `first`, in raster order
/// (its chain through `next`), with their indices.
fn region_runs<'a>(
    runs: &'a [Run],
    next: &'a [u32],
    first: u32,
) -> impl Iterator<Item = (u32, Run)> + 'a {
    let mut i = first;
    core::iter::from_fn(move || {
        let run = *runs.get(i as usize)?;
        let here = i;
        i = next.get(i as usize).copied().unwrap_or(NO_RUN);
        Some((here, run))
    })
}

/// The pixels of `run`.
fn run_pixels<'a>(frame: &FrameView<'a, u16>, run: Run) -> Option<&'a [u16]> {
    frame
        .row(run.y as usize)
        .and_then(|row| row.get(run.x0 as usize..run.x1 as usize))
}

fn find(parent: &mut [u32], mut i: u32) -> u32 {
    while parent[i as usize] != i {
        let p = parent[i as usize];
        parent[i as usize] = parent[p as usize];
        i = p;
    }
    i
}

#[cfg(test)]
mod tests;
