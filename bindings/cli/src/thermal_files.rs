//! `hsm thermal info` and `hsm thermal export`: radiometric files.
//!
//! The JSON of `info` is a contract: top-level `file`, `format`, `width`,
//! `height`, `pixel_encoding`, `camera` (or null), `embedded_image` (or
//! null), `frame_count` and `frames`, a list holding for each frame
//! `index`, `raw_min`, `raw_max`, `raw_mean`, `min_c`, `max_c`, `mean_c`
//! (°C with the file's own parameters, or the overrides given; null when
//! the file carries no radiometric constants).

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use hsm::core::Celsius;
use hsm::thermal::formats::{
    CameraInfo, ExportFormat, FrameStats, Metadata, SceneOverrides, StackWriter, ThermalFile,
};
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;

use crate::error::CliError;
use crate::output::{self, Format};

/// Scene overrides shared by `info` and `export`.
#[derive(Debug, Args)]
#[command(allow_negative_numbers = true)]
pub(crate) struct Overrides {
    /// Emissivity instead of the file's, in (0, 1].
    #[arg(long)]
    emissivity: Option<f64>,
    /// Object distance in metres instead of the file's.
    #[arg(long)]
    distance: Option<f64>,
    /// Reflected apparent temperature in °C instead of the file's.
    #[arg(long)]
    reflected: Option<f64>,
    /// Air temperature in °C instead of the file's.
    #[arg(long)]
    atmosphere: Option<f64>,
    /// Relative humidity as a fraction in [0, 1] instead of the file's.
    #[arg(long)]
    humidity: Option<f64>,
}

impl Overrides {
    fn get(&self) -> SceneOverrides {
        SceneOverrides {
            emissivity: self.emissivity,
            distance_m: self.distance,
            reflected: self.reflected.map(Celsius),
            atmosphere: self.atmosphere.map(Celsius),
            relative_humidity: self.humidity,
        }
    }
}

/// `hsm thermal info FILE`.
#[derive(Debug, Args)]
pub(crate) struct InfoArgs {
    /// A FLIR radiometric JPEG, .fff, .seq or .csq file, a 16-bit TIFF or a .npy stack.
    file: PathBuf,
    #[command(flatten)]
    overrides: Overrides,
}

/// Container of `hsm thermal export --to`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum To {
    /// NumPy .npy, shape (N, H, W): float32 °C, or uint16 with --raw.
    Npy,
    /// Multi-page TIFF: 32-bit float °C, or 16-bit counts with --raw.
    Tiff,
    /// CSV: header `frame,row,c0,…`, one line per image row.
    Csv,
}

/// `hsm thermal export FILE --to FORMAT --out PATH [--raw]`.
#[derive(Debug, Args)]
pub(crate) struct ExportArgs {
    /// The thermal file to read.
    file: PathBuf,
    /// Output container.
    #[arg(long, value_enum)]
    to: To,
    /// Output path (overwritten).
    #[arg(long)]
    out: PathBuf,
    /// Export raw counts instead of °C.
    #[arg(long)]
    raw: bool,
    #[command(flatten)]
    overrides: Overrides,
}

#[derive(Serialize)]
struct Planck {
    r1: f64,
    r2: f64,
    b: f64,
    f: f64,
    o: f64,
}

#[derive(Serialize)]
struct Atmospheric {
    x: f64,
    alpha1: f64,
    alpha2: f64,
    beta1: f64,
    beta2: f64,
}

#[derive(Serialize)]
struct Capture {
    unix_seconds: u32,
    milliseconds: u32,
    utc_offset_minutes: i16,
}

#[derive(Serialize)]
struct Camera {
    model: String,
    part_number: String,
    serial: String,
    software: String,
    lens_model: String,
    planck: Planck,
    atmospheric: Atmospheric,
    emissivity: f64,
    object_distance_m: f64,
    reflected_c: f64,
    atmosphere_c: f64,
    window_c: f64,
    window_transmission: f64,
    relative_humidity: f64,
    capture_time: Option<Capture>,
    frame_rate: Option<f64>,
}

impl From<&CameraInfo> for Camera {
    fn from(c: &CameraInfo) -> Self {
        Camera {
            model: c.model.clone(),
            part_number: c.part_number.clone(),
            serial: c.serial.clone(),
            software: c.software.clone(),
            lens_model: c.lens_model.clone(),
            planck: Planck {
                r1: c.planck.r1,
                r2: c.planck.r2,
                b: c.planck.b,
                f: c.planck.f,
                o: c.planck.o,
            },
            atmospheric: Atmospheric {
                x: c.atmosphere.x,
                alpha1: c.atmosphere.alpha1,
                alpha2: c.atmosphere.alpha2,
                beta1: c.atmosphere.beta1,
                beta2: c.atmosphere.beta2,
            },
            emissivity: c.scene.emissivity,
            object_distance_m: c.scene.distance_m,
            reflected_c: c.scene.reflected.get(),
            atmosphere_c: c.scene.atmosphere.get(),
            window_c: c.scene.window.get(),
            window_transmission: c.scene.window_transmission,
            relative_humidity: c.scene.relative_humidity,
            capture_time: c.capture_time.map(|t| Capture {
                unix_seconds: t.unix_seconds,
                milliseconds: t.milliseconds,
                utc_offset_minutes: t.utc_offset_minutes,
            }),
            frame_rate: c.frame_rate,
        }
    }
}

#[derive(Serialize)]
struct Embedded {
    width: u32,
    height: u32,
    encoding: &'static str,
    bytes: usize,
}

#[derive(Serialize)]
struct FrameRow {
    index: usize,
    raw_min: u16,
    raw_max: u16,
    raw_mean: f64,
    min_c: Option<f64>,
    max_c: Option<f64>,
    mean_c: Option<f64>,
}

#[derive(Serialize)]
struct Info {
    file: String,
    format: &'static str,
    width: usize,
    height: usize,
    pixel_encoding: &'static str,
    camera: Option<Camera>,
    embedded_image: Option<Embedded>,
    frame_count: usize,
    frames: Vec<FrameRow>,
}

fn header(file: &str, m: &Metadata) -> Info {
    Info {
        file: file.to_owned(),
        format: m.format.name(),
        width: m.width,
        height: m.height,
        pixel_encoding: m.pixel_encoding.name(),
        camera: m.camera.as_ref().map(Camera::from),
        embedded_image: m.embedded_image.as_ref().map(|e| Embedded {
            width: e.width,
            height: e.height,
            encoding: match e.encoding {
                hsm::thermal::formats::ImageEncoding::Jpeg => "jpeg",
                hsm::thermal::formats::ImageEncoding::Png => "png",
                hsm::thermal::formats::ImageEncoding::Other => "other",
            },
            bytes: e.data.len(),
        }),
        frame_count: m.frame_count,
        frames: Vec::new(),
    }
}

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

fn finite(v: f64) -> Option<f64> {
    v.is_finite().then_some(v)
}

/// Runs `hsm thermal info`.
pub(crate) fn info(args: &InfoArgs, format: Format) -> Result<String, CliError> {
    let mut file = ThermalFile::open(&args.file)?;
    let mut info = header(&args.file.display().to_string(), file.metadata());
    let lut = match file.metadata().camera {
        Some(_) => Some(file.converter(&args.overrides.get())?.lut()),
        None => None,
    };
    let (mut raw, mut celsius) = (Vec::new(), Vec::new());
    let bar = progress(file.frame_count());
    for i in 0..file.frame_count() {
        file.read_raw(i, &mut raw)?;
        celsius.clear();
        if let Some(lut) = &lut {
            celsius.extend(raw.iter().map(|&r| lut.get(r)));
        }
        let s = FrameStats::of(&raw, &celsius);
        info.frames.push(FrameRow {
            index: i,
            raw_min: s.raw_min,
            raw_max: s.raw_max,
            raw_mean: s.raw_mean,
            min_c: finite(s.min_c),
            max_c: finite(s.max_c),
            mean_c: finite(s.mean_c),
        });
        bar.inc(1);
    }
    bar.finish_and_clear();
    render(&info, format)
}

fn opt(v: Option<f64>) -> String {
    v.map_or_else(String::new, |v| format!("{v:.4}"))
}

fn render(info: &Info, format: Format) -> Result<String, CliError> {
    let header = [
        "frame", "raw_min", "raw_max", "raw_mean", "min_c", "max_c", "mean_c",
    ];
    let rows = info.frames.iter().map(|f| {
        vec![
            f.index.to_string(),
            f.raw_min.to_string(),
            f.raw_max.to_string(),
            format!("{:.2}", f.raw_mean),
            opt(f.min_c),
            opt(f.max_c),
            opt(f.mean_c),
        ]
    });
    Ok(match format {
        Format::Json => output::json(info)?,
        Format::Csv => {
            let mut s = String::new();
            output::csv_record(&mut s, &header);
            for r in rows {
                output::csv_record(&mut s, &r);
            }
            s
        }
        Format::Table => {
            let mut s = format!(
                "{}: {} {}×{}, {} frame(s), pixels {}",
                info.file,
                info.format,
                info.width,
                info.height,
                info.frame_count,
                info.pixel_encoding
            );
            if let Some(c) = &info.camera {
                s.push_str(&format!(
                    "\ncamera {} (serial {}), E {:.2}, distance {} m, reflected {:.2} °C, air {:.2} °C, RH {:.2}",
                    c.model,
                    c.serial,
                    c.emissivity,
                    c.object_distance_m,
                    c.reflected_c,
                    c.atmosphere_c,
                    c.relative_humidity
                ));
            }
            let mut t = output::table(&header);
            for r in rows {
                t.add_row(r);
            }
            format!("{s}\n{t}\n")
        }
    })
}

#[derive(Serialize)]
struct ExportReport {
    file: String,
    out: String,
    to: &'static str,
    samples: &'static str,
    frame_count: usize,
    width: usize,
    height: usize,
}

/// Runs `hsm thermal export`.
pub(crate) fn export(args: &ExportArgs, format: Format) -> Result<String, CliError> {
    let mut file = ThermalFile::open(&args.file)?;
    let lut = if args.raw {
        None
    } else {
        Some(
            file.converter(&args.overrides.get())
                .map_err(|e| {
                    let no_constants = matches!(&e, hsm::thermal::ThermalError::File(_));
                    let err = CliError::from(e);
                    if no_constants {
                        err.hint("this file holds raw counts only: export them with --raw")
                    } else {
                        err
                    }
                })?
                .lut(),
        )
    };
    let (n, w, h) = (file.frame_count(), file.width(), file.height());
    let to = match args.to {
        To::Npy => ExportFormat::Npy,
        To::Tiff => ExportFormat::Tiff,
        To::Csv => ExportFormat::Csv,
    };
    let mut out = StackWriter::create(&args.out, to, lut.is_some(), n, w, h)?;
    let (mut raw, mut celsius) = (Vec::new(), Vec::new());
    let bar = progress(n);
    for i in 0..n {
        match &lut {
            Some(lut) => {
                file.read_celsius(i, lut, &mut celsius)?;
                out.write_celsius(&celsius)?;
            }
            None => {
                file.read_raw(i, &mut raw)?;
                out.write_raw(&raw)?;
            }
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    out.finish()?;
    let report = ExportReport {
        file: args.file.display().to_string(),
        out: args.out.display().to_string(),
        to: match args.to {
            To::Npy => "npy",
            To::Tiff => "tiff",
            To::Csv => "csv",
        },
        samples: if args.raw { "raw" } else { "celsius" },
        frame_count: n,
        width: w,
        height: h,
    };
    Ok(match format {
        Format::Json => output::json(&report)?,
        Format::Csv => {
            let mut s = String::new();
            output::csv_record(
                &mut s,
                &[
                    "file",
                    "out",
                    "to",
                    "samples",
                    "frame_count",
                    "width",
                    "height",
                ],
            );
            output::csv_record(
                &mut s,
                &[
                    report.file.clone(),
                    report.out.clone(),
                    report.to.to_owned(),
                    report.samples.to_owned(),
                    n.to_string(),
                    w.to_string(),
                    h.to_string(),
                ],
            );
            s
        }
        Format::Table => format!(
            "wrote {n} frame(s) of {w}×{h} {} to {} ({})\n",
            report.samples, report.out, report.to
        ),
    })
}
