//! `hsm thermal …`: radiometric conversion of `.npy` frame stacks.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};
use hsm::core::{Celsius, FrameView, FrameViewMut};
use hsm::thermal::radiometry::{
    AtmosphericConstants, CelsiusLut, PlanckConstants, Radiometry, Scene, TLinearResolution,
};
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;

use crate::error::CliError;
use crate::npy::{F32Writer, FrameReader};
use crate::output::{self, Format};

/// `hsm thermal` subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum ThermalCommand {
    /// Convert a .npy stack of raw u16 counts into a .npy stack of f32 °C.
    ///
    /// IN.npy holds uint16 counts shaped (H, W) or (N, H, W); OUT.npy gets
    /// float32 °C with the same shape, NaN where a pixel is outside the
    /// radiometric model's domain. Prints a summary (frames, size, invalid
    /// pixels, min/max/mean °C over valid pixels).
    Convert(Box<ConvertArgs>),
    /// Metadata and per-frame statistics of a radiometric file (FLIR JPEG, FFF, SEQ, CSQ, TIFF, .npy).
    Info(crate::thermal_files::InfoArgs),
    /// Export a radiometric file's frames as °C (or raw counts) to .npy, TIFF or CSV.
    Export(crate::thermal_files::ExportArgs),
    /// Find faces in each frame of a .npy stack: bounding box, measurement
    /// site, its temperature, the blackbody-corrected temperature and
    /// quality flags.
    ///
    /// With --format json, prints one JSON object per frame and line:
    /// `{"frame": i, "faces": [{"bbox": [x,y,w,h], "site": [x,y], "site_c": ..,
    /// "corrected_c": .., "flags": [..], "fever": ..}]}`.
    Screen(crate::thermal_screen::ScreenArgs),
    /// Simulate people walking to a thermal camera: writes frames.npy
    /// (uint16, TLinear 0.01 K) and truth.json into DIR.
    Simulate(crate::thermal_screen::SimulateArgs),
}

/// How the camera's counts map to temperature (`--radiometry`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum RadiometryKind {
    /// Raw detector counts with FLIR-style Planck constants (--r1 --r2 --b --o [--f]) and scene corrections.
    Planck,
    /// Counts are apparent temperature in 0.01 K (Lepton high resolution, Boson).
    #[value(name = "tlinear-0.01")]
    Tlinear001,
    /// Counts are apparent temperature in 0.1 K (Lepton low resolution).
    #[value(name = "tlinear-0.1")]
    Tlinear01,
    /// °C = gain · count + offset (--gain --offset).
    Linear,
}

/// Arguments of `hsm thermal convert`.
#[derive(Debug, Args)]
#[command(allow_negative_numbers = true)]
pub(crate) struct ConvertArgs {
    /// Input .npy: uint16 counts, shape (H, W) or (N, H, W).
    #[arg(value_name = "IN.npy")]
    pub(crate) input: PathBuf,
    /// Output .npy: float32 °C, same shape (overwritten if it exists).
    #[arg(value_name = "OUT.npy")]
    pub(crate) output: PathBuf,
    /// How counts map to temperature.
    #[arg(long, value_enum)]
    pub(crate) radiometry: RadiometryKind,

    /// PlanckR1 (planck; required).
    #[arg(long, help_heading = "Planck constants (--radiometry planck)")]
    pub(crate) r1: Option<f64>,
    /// PlanckR2 (planck; required).
    #[arg(long, help_heading = "Planck constants (--radiometry planck)")]
    pub(crate) r2: Option<f64>,
    /// PlanckB in kelvin (planck; required).
    #[arg(long, help_heading = "Planck constants (--radiometry planck)")]
    pub(crate) b: Option<f64>,
    /// PlanckF (planck) [default: 1].
    #[arg(long, help_heading = "Planck constants (--radiometry planck)")]
    pub(crate) f: Option<f64>,
    /// PlanckO in counts (planck; required).
    #[arg(long, help_heading = "Planck constants (--radiometry planck)")]
    pub(crate) o: Option<f64>,

    /// Object emissivity in (0, 1] [default: 0.98, human skin].
    #[arg(long, help_heading = "Scene (--radiometry planck)")]
    pub(crate) emissivity: Option<f64>,
    /// Object distance in metres [default: 1.0].
    #[arg(long, value_name = "M", help_heading = "Scene (--radiometry planck)")]
    pub(crate) distance: Option<f64>,
    /// Reflected apparent temperature in °C [default: 20].
    #[arg(long, value_name = "C", help_heading = "Scene (--radiometry planck)")]
    pub(crate) reflected: Option<f64>,
    /// Air temperature in °C [default: the --reflected value].
    #[arg(long, value_name = "C", help_heading = "Scene (--radiometry planck)")]
    pub(crate) atmosphere: Option<f64>,
    /// IR window temperature in °C [default: the --reflected value].
    #[arg(long, value_name = "C", help_heading = "Scene (--radiometry planck)")]
    pub(crate) window: Option<f64>,
    /// IR window transmission in (0, 1]; 1 means no window [default: 1.0].
    #[arg(long, value_name = "F", help_heading = "Scene (--radiometry planck)")]
    pub(crate) window_transmission: Option<f64>,
    /// Relative humidity as a fraction in [0, 1] (0.5 = 50 %) [default: 0.5].
    #[arg(
        long,
        value_name = "FRACTION",
        help_heading = "Scene (--radiometry planck)"
    )]
    pub(crate) humidity: Option<f64>,

    /// °C per count (linear; required).
    #[arg(long, help_heading = "Linear map (--radiometry linear)")]
    pub(crate) gain: Option<f64>,
    /// °C at count 0 (linear; required).
    #[arg(long, help_heading = "Linear map (--radiometry linear)")]
    pub(crate) offset: Option<f64>,
}

/// What `thermal convert` (and the demo) report about a conversion.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct ConvertSummary {
    /// Input path (absent in the demo).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) input: Option<String>,
    /// Output path (absent in the demo).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) output: Option<String>,
    /// Frames converted (1 for a 2-D input).
    pub(crate) frames: usize,
    /// Frame height.
    pub(crate) height: usize,
    /// Frame width.
    pub(crate) width: usize,
    /// All pixels, over all frames.
    pub(crate) pixels: usize,
    /// Pixels outside the model's domain (written as NaN).
    pub(crate) invalid_pixels: usize,
    /// Minimum °C over valid pixels, `null` when none is valid.
    pub(crate) min_c: Option<f32>,
    /// Maximum °C over valid pixels.
    pub(crate) max_c: Option<f32>,
    /// Mean °C over valid pixels.
    pub(crate) mean_c: Option<f64>,
}

/// Running min / max / mean over the valid pixels of converted frames.
#[derive(Clone, Debug, Default)]
pub(crate) struct Stats {
    pixels: usize,
    invalid: usize,
    min: Option<f32>,
    max: Option<f32>,
    sum: f64,
}

impl Stats {
    /// Adds one converted frame.
    pub(crate) fn add(&mut self, frame: &[f32]) {
        self.pixels += frame.len();
        let (mut lo, mut hi, mut sum, mut valid) = (f32::INFINITY, f32::NEG_INFINITY, 0.0, 0);
        for &v in frame {
            if v.is_nan() {
                continue;
            }
            lo = lo.min(v);
            hi = hi.max(v);
            sum += f64::from(v);
            valid += 1;
        }
        self.invalid += frame.len() - valid;
        if valid > 0 {
            self.min = Some(self.min.map_or(lo, |m| m.min(lo)));
            self.max = Some(self.max.map_or(hi, |m| m.max(hi)));
            self.sum += sum;
        }
    }

    /// The summary fields, for frames of `height × width`.
    pub(crate) fn summary(&self, frames: usize, height: usize, width: usize) -> ConvertSummary {
        let valid = self.pixels - self.invalid;
        ConvertSummary {
            input: None,
            output: None,
            frames,
            height,
            width,
            pixels: self.pixels,
            invalid_pixels: self.invalid,
            min_c: self.min,
            max_c: self.max,
            mean_c: (valid > 0).then(|| self.sum / valid as f64),
        }
    }
}

fn missing_flags(kind: &str, flags: &[(&str, bool)]) -> Result<(), CliError> {
    let missing: Vec<&str> = flags
        .iter()
        .filter(|(_, given)| !given)
        .map(|(f, _)| *f)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let all: Vec<&str> = flags.iter().map(|(f, _)| *f).collect();
    let err = CliError::usage(format!(
        "--radiometry {kind} needs {}; missing: {}",
        all.join(" "),
        missing.join(" ")
    ));
    Err(if kind == "planck" {
        err.hint(
            "the Planck constants are in the camera's metadata, e.g. `exiftool -Planck* IR.jpg`",
        )
    } else {
        err.hint("pass the camera's linear map: °C = gain · count + offset")
    })
}

fn unused_flags(kind: &str, flags: &[(&str, bool)], applies_to: &str) -> Result<(), CliError> {
    let given: Vec<&str> = flags
        .iter()
        .filter(|(_, given)| *given)
        .map(|(f, _)| *f)
        .collect();
    if given.is_empty() {
        Ok(())
    } else {
        let verb = if given.len() == 1 { "applies" } else { "apply" };
        Err(CliError::usage(format!(
            "{} {verb} only to --radiometry {applies_to}, not {kind}",
            given.join(" ")
        ))
        .hint("remove them, or pick the radiometry your camera uses"))
    }
}

impl ConvertArgs {
    /// The radiometric model the flags describe (not yet validated by the
    /// library: [`Radiometry::compile`] does that).
    ///
    /// # Errors
    /// Exit 2 when a flag the model needs is missing, or a flag is given
    /// that the model does not use.
    pub(crate) fn radiometry(&self) -> Result<Radiometry, CliError> {
        let planck_flags = [
            ("--r1", self.r1.is_some()),
            ("--r2", self.r2.is_some()),
            ("--b", self.b.is_some()),
            ("--f", self.f.is_some()),
            ("--o", self.o.is_some()),
        ];
        let scene_flags = [
            ("--emissivity", self.emissivity.is_some()),
            ("--distance", self.distance.is_some()),
            ("--reflected", self.reflected.is_some()),
            ("--atmosphere", self.atmosphere.is_some()),
            ("--window", self.window.is_some()),
            ("--window-transmission", self.window_transmission.is_some()),
            ("--humidity", self.humidity.is_some()),
        ];
        let linear_flags = [
            ("--gain", self.gain.is_some()),
            ("--offset", self.offset.is_some()),
        ];
        let kind = self
            .radiometry
            .to_possible_value()
            .map_or_else(String::new, |v| v.get_name().to_owned());
        if self.radiometry != RadiometryKind::Planck {
            unused_flags(&kind, &planck_flags, "planck")?;
            unused_flags(&kind, &scene_flags, "planck")?;
        }
        if self.radiometry != RadiometryKind::Linear {
            unused_flags(&kind, &linear_flags, "linear")?;
        }
        Ok(match self.radiometry {
            RadiometryKind::Planck => {
                let (Some(r1), Some(r2), Some(b), Some(o)) = (self.r1, self.r2, self.b, self.o)
                else {
                    missing_flags(
                        &kind,
                        &[
                            ("--r1", self.r1.is_some()),
                            ("--r2", self.r2.is_some()),
                            ("--b", self.b.is_some()),
                            ("--o", self.o.is_some()),
                        ],
                    )?;
                    return Err(CliError::usage("missing Planck constants"));
                };
                let defaults = Scene::default();
                let reflected = self.reflected.unwrap_or(defaults.reflected.get());
                Radiometry::Planck {
                    constants: PlanckConstants {
                        r1,
                        r2,
                        b,
                        f: self.f.unwrap_or(1.0),
                        o,
                    },
                    atmosphere: AtmosphericConstants::default(),
                    scene: Scene {
                        emissivity: self.emissivity.unwrap_or(defaults.emissivity),
                        distance_m: self.distance.unwrap_or(defaults.distance_m),
                        reflected: Celsius(reflected),
                        atmosphere: Celsius(self.atmosphere.unwrap_or(reflected)),
                        window: Celsius(self.window.unwrap_or(reflected)),
                        window_transmission: self
                            .window_transmission
                            .unwrap_or(defaults.window_transmission),
                        relative_humidity: self.humidity.unwrap_or(defaults.relative_humidity),
                    },
                }
            }
            RadiometryKind::Tlinear001 => Radiometry::TLinear(TLinearResolution::CentiKelvin),
            RadiometryKind::Tlinear01 => Radiometry::TLinear(TLinearResolution::DeciKelvin),
            RadiometryKind::Linear => {
                let (Some(gain), Some(offset)) = (self.gain, self.offset) else {
                    missing_flags(&kind, &linear_flags)?;
                    return Err(CliError::usage("missing linear map"));
                };
                Radiometry::Linear { gain, offset }
            }
        })
    }
}

/// Converts one frame through the table, into `dst`, and adds it to `stats`.
pub(crate) fn convert_frame(
    lut: &CelsiusLut,
    src: &[u16],
    dst: &mut [f32],
    width: usize,
    height: usize,
    stats: &mut Stats,
) -> Result<(), CliError> {
    let view = FrameView::packed(src, width, height)?;
    let mut out = FrameViewMut::packed(dst, width, height)?;
    lut.convert_frame(&view, &mut out)?;
    stats.add(dst);
    Ok(())
}

/// A progress bar on stderr for stacks of more than one frame; indicatif
/// hides it when stderr is not a terminal.
fn progress(frames: usize) -> ProgressBar {
    if frames <= 1 {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(frames as u64);
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} frames, eta {eta}") {
        bar.set_style(style);
    }
    bar
}

/// Runs `hsm thermal convert`.
pub(crate) fn convert(args: &ConvertArgs) -> Result<ConvertSummary, CliError> {
    // Arguments first: a bad value is reported before any file is touched.
    let converter = args.radiometry()?.compile()?;
    let lut = converter.lut();

    let shown_in = args.input.display().to_string();
    let mut reader = FrameReader::open(&args.input)?;
    let (frames, height, width) = (reader.frames(), reader.height(), reader.width());
    let mut writer = F32Writer::create(&args.output, reader.shape())?;

    let mut raw = vec![0u16; height * width];
    let mut celsius = vec![0f32; height * width];
    let mut stats = Stats::default();
    let bar = progress(frames);
    for _ in 0..frames {
        reader.read_frame(&mut raw, &shown_in)?;
        convert_frame(&lut, &raw, &mut celsius, width, height, &mut stats)?;
        writer.write_frame(&celsius)?;
        bar.inc(1);
    }
    bar.finish_and_clear();
    writer.finish()?;

    let mut summary = stats.summary(frames, height, width);
    summary.input = Some(shown_in);
    summary.output = Some(args.output.display().to_string());
    Ok(summary)
}

/// One line of a summary: JSON key, table label, CSV value, table value.
#[derive(Clone, Debug)]
pub(crate) struct Row {
    /// Key (JSON field name, CSV column).
    pub(crate) key: &'static str,
    /// Label in the table.
    pub(crate) label: &'static str,
    /// Value in CSV (empty for null).
    pub(crate) csv: String,
    /// Value in the table (with units).
    pub(crate) table: String,
}

impl Row {
    /// A row whose value reads the same in CSV and in the table.
    pub(crate) fn plain(key: &'static str, label: &'static str, value: impl ToString) -> Row {
        let v = value.to_string();
        Row {
            key,
            label,
            csv: v.clone(),
            table: v,
        }
    }

    /// A temperature row: full precision in CSV, 0.01 °C in the table.
    fn celsius<T: Into<f64> + ToString + Copy>(
        key: &'static str,
        label: &'static str,
        value: Option<T>,
    ) -> Row {
        Row {
            key,
            label,
            csv: value.map_or_else(String::new, |v| v.to_string()),
            table: value.map_or_else(
                || "none (no valid pixel)".to_owned(),
                |v| format!("{:.2} °C", v.into()),
            ),
        }
    }
}

/// The rows of a conversion summary, in JSON field order.
pub(crate) fn summary_rows(s: &ConvertSummary) -> Vec<Row> {
    let mut rows = Vec::with_capacity(10);
    if let Some(p) = &s.input {
        rows.push(Row::plain("input", "input", p));
    }
    if let Some(p) = &s.output {
        rows.push(Row::plain("output", "output", p));
    }
    rows.extend([
        Row::plain("frames", "frames", s.frames),
        Row::plain("height", "height (px)", s.height),
        Row::plain("width", "width (px)", s.width),
        Row::plain("pixels", "pixels", s.pixels),
        Row::plain("invalid_pixels", "invalid pixels (NaN)", s.invalid_pixels),
        Row::celsius("min_c", "min", s.min_c),
        Row::celsius("max_c", "max", s.max_c),
        Row::celsius("mean_c", "mean", s.mean_c),
    ]);
    rows
}

/// Renders rows as CSV (a header of keys, one record of values) or as a
/// two-column table.
pub(crate) fn render_rows(rows: &[Row], format: Format) -> String {
    match format {
        Format::Csv => {
            let mut out = String::new();
            output::csv_record(&mut out, &rows.iter().map(|r| r.key).collect::<Vec<_>>());
            output::csv_record(
                &mut out,
                &rows.iter().map(|r| r.csv.as_str()).collect::<Vec<_>>(),
            );
            out
        }
        Format::Table | Format::Json => {
            let mut t = output::table(&["field", "value"]);
            for r in rows {
                t.add_row(vec![r.label.to_owned(), r.table.clone()]);
            }
            format!("{t}\n")
        }
    }
}

/// Renders the summary of `hsm thermal convert`.
pub(crate) fn render_summary(s: &ConvertSummary, format: Format) -> Result<String, CliError> {
    match format {
        Format::Json => output::json(s),
        Format::Csv | Format::Table => Ok(render_rows(&summary_rows(s), format)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stats_skip_nan_and_report_none_when_all_invalid() {
        let mut s = Stats::default();
        s.add(&[f32::NAN, 1.0, 3.0]);
        s.add(&[f32::NAN, 5.0]);
        let r = s.summary(2, 1, 3);
        assert_eq!((r.pixels, r.invalid_pixels), (5, 2));
        assert_eq!((r.min_c, r.max_c), (Some(1.0), Some(5.0)));
        assert_eq!(r.mean_c, Some(3.0));
        let mut s = Stats::default();
        s.add(&[f32::NAN]);
        let r = s.summary(1, 1, 1);
        assert_eq!((r.min_c, r.max_c, r.mean_c), (None, None, None));
    }
}
