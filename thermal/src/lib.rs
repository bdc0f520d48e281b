//! # hsm-thermal — skin temperature from thermal-camera frames
//!
//! ## Overview
//! This crate turns what a thermal camera emits into temperatures. Today it
//! provides [`radiometry`]: raw counts ⇄ °C for the four forms vendors use
//! (FLIR-style Planck constants with atmosphere and IR window, TLinear centi-
//! and deci-kelvin, a linear gain/offset map, float °C passthrough), over
//! single values and whole frames, with a lookup table for fixed parameters.
//!
//! - [`extract`]: per-frame extraction — a [`extract::FrameProcessor`]
//!   configured once finds each face in a frame of counts (segmentation and
//!   labelling in the raw domain), reads the measurement site with a robust
//!   statistic, corrects it with a tracked reference blackbody and sets
//!   quality flags (too few pixels, saturated, site on edge, glasses,
//!   several persons, dead lines, frozen frame, blackbody state), into a
//!   caller-owned result without allocating after warm-up.
//! - [`screening`]: one decision per person from their frames' readings —
//!   fixed threshold (37.3 °C default) or adaptive baseline, site-to-core
//!   offset, never nudged towards normal.
//! - [`sim`]: a seeded simulator of the gate's camera with ground truth.
//! - [`formats`]: the files analysts hold — FLIR radiometric JPEG, FFF,
//!   SEQ, CSQ (JPEG-LS), 16-bit TIFF and `.npy` stacks — read frame by frame
//!   with every offset checked, metadata (Planck, scene, camera, capture
//!   time, embedded visible image), and `.npy`/TIFF/CSV writers.
//!
//! ## Examples
//! ```
//! use hsm_core::{Celsius, FrameView, FrameViewMut};
//! use hsm_thermal::radiometry::{AtmosphericConstants, PlanckConstants, Radiometry, Scene};
//!
//! // A FLIR SC660's constants, as stored in its files.
//! let radiometry = Radiometry::Planck {
//!     constants: PlanckConstants { r1: 21106.77, r2: 0.012545258, b: 1501.0, f: 1.0, o: -7340.0 },
//!     atmosphere: AtmosphericConstants::default(),
//!     scene: Scene { emissivity: 0.95, ..Scene::default() },
//! };
//! let converter = radiometry.compile()?;
//! assert!((converter.raw_to_celsius(20218.0)?.get() - 35.2505).abs() < 1e-3);
//!
//! // Whole frames through a lookup table, into a caller-owned buffer.
//! let lut = converter.lut();
//! let raw = vec![17917u16; 640 * 512];
//! let mut celsius = vec![0f32; 640 * 512];
//! let stats = lut.convert_frame(
//!     &FrameView::packed(&raw, 640, 512)?,
//!     &mut FrameViewMut::packed(&mut celsius, 640, 512)?,
//! )?;
//! assert_eq!(stats.invalid, 0);
//! assert!((celsius[0] - 22.7359).abs() < 1e-3);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Performance
//! [`radiometry::CelsiusLut::convert_frame`] costs one table load per pixel
//! and does not allocate; the direct [`radiometry::Converter::convert_frame`]
//! costs a logarithm per pixel. See `benches/radiometry.rs` in the workspace.
//! [`extract::FrameProcessor::process`] reads each pixel once for
//! segmentation (32-pixel blocks counted in the raw domain, runs read off
//! bit masks), then only the faces' pixels again; it converts the few
//! values that matter, never the frame, and allocates nothing after
//! warm-up. See `benches/thermal_extract.rs`.
//!
//! ## Untrusted input
//! Every radiometric and scene parameter is validated by
//! [`radiometry::Radiometry::compile`] (finite, in its physical domain) and a
//! bad one is reported by name and value. Frame shapes are validated by
//! `hsm-core`'s views. A pixel value outside the model's domain becomes NaN
//! and is counted, never turned into a plausible temperature. Nothing panics.
//! Processor, blackbody, screening and simulator settings are validated
//! when built and a bad one is named with its value; a reading that fails a
//! quality check carries a flag and is never used to clear a person.
//!
//! ## Crate features
//! None yet.
#![forbid(unsafe_code)]

pub mod error;
pub mod extract;
pub mod formats;
pub mod radiometry;
pub mod screening;
pub mod sim;

pub use error::ThermalError;
