//! `hsm thermal screen` and `hsm thermal simulate`: per-frame face
//! extraction over a `.npy` stack, and the seeded scene simulator.

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use hsm::core::{Celsius, Micros, Rect, Timestamp};
use hsm::thermal::extract::{BlackbodyConfig, FrameProcessor, FrameResult, ProcessorConfig};
use hsm::thermal::formats::{ExportFormat, NpyStack, StackWriter, read_npy_stack};
use hsm::thermal::radiometry::{Radiometry, TLinearResolution};
use hsm::thermal::sim::{SimConfig, Simulator};
use serde::Serialize;

use crate::error::CliError;
use crate::output::{self, Format};

/// What the frames of `hsm thermal screen` hold (`--radiometry`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum ScreenRadiometry {
    /// uint16 counts of apparent temperature in 0.01 K (Lepton high resolution, Boson).
    #[value(name = "tlinear-0.01")]
    Tlinear001,
    /// uint16 counts of apparent temperature in 0.1 K (Lepton low resolution).
    #[value(name = "tlinear-0.1")]
    Tlinear01,
    /// float32 temperatures in °C.
    Celsius,
}

/// Arguments of `hsm thermal screen`.
#[derive(Debug, Args)]
pub(crate) struct ScreenArgs {
    /// Frames: a .npy of shape (N, H, W) or (H, W), uint16 counts or float32 °C.
    #[arg(value_name = "FRAMES.npy")]
    pub(crate) input: PathBuf,
    /// How the frames' values map to temperature.
    #[arg(long, value_enum)]
    pub(crate) radiometry: ScreenRadiometry,
    /// The reference blackbody's region and set-point, `X,Y,W,H@TEMP` (pixels, °C).
    #[arg(long, value_name = "X,Y,W,H@TEMP")]
    pub(crate) blackbody: Option<String>,
    /// Fever line in °C for each face's `fever` field: 34–39 in 0.1 steps.
    #[arg(long, value_name = "C", default_value_t = 37.3)]
    pub(crate) threshold: f64,
    /// Time between frames, microseconds (the blackbody tracker's clock).
    #[arg(long, value_name = "US", default_value_t = 33_333)]
    pub(crate) interval_us: i64,
}

/// Arguments of `hsm thermal simulate`.
#[derive(Debug, Args)]
pub(crate) struct SimulateArgs {
    /// Frames to render.
    #[arg(long, value_name = "N")]
    pub(crate) frames: usize,
    /// Seed: the same seed writes the same bytes.
    #[arg(long, value_name = "S", default_value_t = 1)]
    pub(crate) seed: u64,
    /// Directory for frames.npy (uint16, TLinear 0.01 K) and truth.json
    /// (created if missing; existing files are overwritten).
    #[arg(long, value_name = "DIR")]
    pub(crate) out: PathBuf,
}

/// Parses `X,Y,W,H@TEMP`.
fn parse_blackbody(s: &str) -> Result<(Rect, f64), CliError> {
    let bad = || {
        CliError::usage(format!("--blackbody: cannot read '{s}'"))
            .hint("write the region and set-point as X,Y,W,H@TEMP, e.g. 147,7,6,6@35")
    };
    let (rect, temp) = s.split_once('@').ok_or_else(bad)?;
    let v: Vec<u32> = rect
        .split(',')
        .map(|p| p.trim().parse::<u32>())
        .collect::<Result<_, _>>()
        .map_err(|_| bad())?;
    let temp: f64 = temp.trim().parse().map_err(|_| bad())?;
    match v[..] {
        [x, y, w, h] if w > 0 && h > 0 && temp.is_finite() => Ok((Rect::new(x, y, w, h), temp)),
        _ => Err(bad()),
    }
}

/// One face in the JSON output.
#[derive(Serialize)]
struct FaceOut {
    bbox: [u32; 4],
    site: [u32; 2],
    site_c: f64,
    corrected_c: f64,
    flags: Vec<&'static str>,
    /// `corrected_c ≥ --threshold`; null when there is no corrected reading.
    fever: Option<bool>,
}

/// One frame in the JSON output.
#[derive(Serialize)]
struct FrameOut {
    frame: usize,
    faces: Vec<FaceOut>,
}

fn frame_out(i: usize, r: &FrameResult, threshold: f64) -> FrameOut {
    FrameOut {
        frame: i,
        faces: r
            .faces()
            .iter()
            .map(|f| {
                let c = f.corrected_c.get();
                FaceOut {
                    bbox: [f.bbox.x, f.bbox.y, f.bbox.width, f.bbox.height],
                    site: [f.site.x, f.site.y],
                    site_c: round3(f.site_c.get()),
                    corrected_c: round3(c),
                    flags: f.flags.names().collect(),
                    fever: c.is_finite().then_some(c >= threshold),
                }
            })
            .collect(),
    }
}

fn round3(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}

/// `hsm thermal screen`: one result per frame.
pub(crate) fn screen(args: &ScreenArgs, format: Format) -> Result<String, CliError> {
    let t = args.threshold;
    if !(t.is_finite()
        && (34.0 - 1e-9..=39.0 + 1e-9).contains(&t)
        && ((t * 10.0).round() - t * 10.0).abs() < 1e-6)
    {
        return Err(CliError::usage(format!(
            "--threshold: {t} is not between 34 and 39 °C in 0.1 °C steps"
        )));
    }
    if args.interval_us <= 0 {
        return Err(CliError::usage("--interval-us: must be > 0"));
    }
    let radiometry = match args.radiometry {
        ScreenRadiometry::Tlinear001 => Radiometry::TLinear(TLinearResolution::CentiKelvin),
        ScreenRadiometry::Tlinear01 => Radiometry::TLinear(TLinearResolution::DeciKelvin),
        ScreenRadiometry::Celsius => Radiometry::Celsius,
    };
    let blackbody = match &args.blackbody {
        Some(s) => {
            let (rect, temp) = parse_blackbody(s)?;
            Some(BlackbodyConfig::new(rect, Celsius(temp)))
        }
        None => None,
    };
    let stack = read_npy_stack(&args.input).map_err(|e| {
        let msg = e.to_string();
        if msg.contains("expected dtype") || msg.contains("expected a shape") {
            CliError::usage(msg)
                .hint("FRAMES.npy must hold uint16 counts or float32 °C, shape (N, H, W)")
        } else {
            CliError::from(e)
        }
    })?;
    match (&stack, args.radiometry) {
        (NpyStack::U16 { .. }, ScreenRadiometry::Celsius) => {
            return Err(CliError::usage(
                "--radiometry celsius needs float32 °C frames; FRAMES.npy holds uint16",
            )
            .hint("pass --radiometry tlinear-0.01 or tlinear-0.1 for counts"));
        }
        (NpyStack::F32 { .. }, ScreenRadiometry::Tlinear001 | ScreenRadiometry::Tlinear01) => {
            return Err(CliError::usage(
                "--radiometry tlinear-* needs uint16 counts; FRAMES.npy holds float32",
            )
            .hint("pass --radiometry celsius for °C frames"));
        }
        _ => {}
    }
    let mut p = FrameProcessor::new(ProcessorConfig {
        radiometry,
        blackbody,
        ..ProcessorConfig::default()
    })?;
    let mut results = Vec::new();
    let shape = stack.shape();
    let interval = Micros(args.interval_us);
    match &stack {
        NpyStack::U16 { data, .. } => {
            p.process_stack(data, shape, Timestamp(0), interval, &mut results)?;
        }
        NpyStack::F32 { data, .. } => {
            p.process_stack_f32(data, shape, Timestamp(0), interval, &mut results)?;
        }
    }
    let mut s = String::new();
    match format {
        Format::Json => {
            for (i, r) in results.iter().enumerate() {
                let line = serde_json::to_string(&frame_out(i, r, t))
                    .map_err(|e| CliError::failure(format!("cannot encode JSON: {e}")))?;
                s.push_str(&line);
                s.push('\n');
            }
        }
        Format::Csv | Format::Table => {
            let header = [
                "frame",
                "face",
                "x",
                "y",
                "w",
                "h",
                "site_x",
                "site_y",
                "site_c",
                "corrected_c",
                "fever",
                "flags",
            ];
            let mut rows = Vec::new();
            for (i, r) in results.iter().enumerate() {
                for (k, f) in frame_out(i, r, t).faces.iter().enumerate() {
                    let num = |v: f64| {
                        if v.is_finite() {
                            format!("{v:.3}")
                        } else {
                            String::new()
                        }
                    };
                    rows.push(vec![
                        i.to_string(),
                        k.to_string(),
                        f.bbox[0].to_string(),
                        f.bbox[1].to_string(),
                        f.bbox[2].to_string(),
                        f.bbox[3].to_string(),
                        f.site[0].to_string(),
                        f.site[1].to_string(),
                        num(f.site_c),
                        num(f.corrected_c),
                        f.fever.map_or_else(String::new, |b| b.to_string()),
                        f.flags.join("|"),
                    ]);
                }
            }
            if format == Format::Csv {
                output::csv_record(&mut s, &header);
                for r in &rows {
                    output::csv_record(&mut s, r);
                }
            } else {
                let mut tab = output::table(&header);
                for r in rows {
                    tab.add_row(r);
                }
                let _ = writeln!(s, "{tab}");
            }
        }
    }
    Ok(s)
}

#[derive(Serialize)]
struct FaceTruthOut {
    person: u64,
    bbox: [u32; 4],
    site_c: f64,
    body_c: f64,
    fever: bool,
    glasses: bool,
}

#[derive(Serialize)]
struct FrameTruthOut {
    frame: usize,
    timestamp_us: i64,
    faces: Vec<FaceTruthOut>,
    camera_offset_c: f64,
}

#[derive(Serialize)]
struct TruthOut {
    seed: u64,
    width: usize,
    height: usize,
    radiometry: &'static str,
    netd_k: f64,
    blackbody: Option<String>,
    frames: Vec<FrameTruthOut>,
}

/// What `hsm thermal simulate` reports.
#[derive(Serialize)]
struct SimulateReport {
    dir: String,
    frames: usize,
    width: usize,
    height: usize,
    files: [&'static str; 2],
    /// The `--blackbody` value for `hsm thermal screen` (the emitter's interior).
    blackbody: Option<String>,
}

/// `hsm thermal simulate`: passages of the default scene until N frames.
pub(crate) fn simulate(args: &SimulateArgs, format: Format) -> Result<String, CliError> {
    if args.frames == 0 || args.frames > 100_000 {
        return Err(CliError::usage("--frames: must be in 1..=100000"));
    }
    let cfg = SimConfig {
        seed: args.seed,
        ..SimConfig::default()
    };
    let mut sim = Simulator::new(cfg)?;
    let (w, h) = (cfg.camera.width, cfg.camera.height);
    std::fs::create_dir_all(&args.out)
        .map_err(|e| CliError::failure(format!("cannot create {}: {e}", args.out.display())))?;
    let mut writer = StackWriter::create(
        &args.out.join("frames.npy"),
        ExportFormat::Npy,
        false,
        args.frames,
        w,
        h,
    )?;
    let bb = cfg.blackbody.map(|b| {
        let r = b.interior(2);
        format!(
            "{},{},{},{}@{}",
            r.x,
            r.y,
            r.width,
            r.height,
            b.set_point.get()
        )
    });
    let mut truth = TruthOut {
        seed: args.seed,
        width: w,
        height: h,
        radiometry: "tlinear-0.01",
        netd_k: cfg.camera.netd_k,
        blackbody: bb.clone(),
        frames: Vec::with_capacity(args.frames),
    };
    'outer: loop {
        for f in sim.passage().frames {
            writer.write_raw(&f.counts)?;
            truth.frames.push(FrameTruthOut {
                frame: truth.frames.len(),
                timestamp_us: f.truth.timestamp.0,
                camera_offset_c: f.truth.camera_offset.get(),
                faces: f
                    .truth
                    .faces
                    .iter()
                    .map(|t| FaceTruthOut {
                        person: t.person,
                        bbox: [t.bbox.x, t.bbox.y, t.bbox.width, t.bbox.height],
                        site_c: round3(t.site.get()),
                        body_c: round3(t.body.get()),
                        fever: t.fever,
                        glasses: t.glasses,
                    })
                    .collect(),
            });
            if truth.frames.len() == args.frames {
                break 'outer;
            }
        }
    }
    writer.finish()?;
    let json = serde_json::to_string_pretty(&truth)
        .map_err(|e| CliError::failure(format!("cannot encode JSON: {e}")))?;
    let tpath = args.out.join("truth.json");
    std::fs::write(&tpath, json + "\n")
        .map_err(|e| CliError::failure(format!("cannot write {}: {e}", tpath.display())))?;
    let report = SimulateReport {
        dir: args.out.display().to_string(),
        frames: args.frames,
        width: w,
        height: h,
        files: ["frames.npy", "truth.json"],
        blackbody: bb,
    };
    Ok(match format {
        Format::Json => output::json(&report)?,
        Format::Csv => {
            let mut s = String::new();
            output::csv_record(&mut s, &["dir", "frames", "width", "height", "blackbody"]);
            output::csv_record(
                &mut s,
                &[
                    report.dir.clone(),
                    report.frames.to_string(),
                    w.to_string(),
                    h.to_string(),
                    report.blackbody.clone().unwrap_or_default(),
                ],
            );
            s
        }
        Format::Table => {
            let mut t = output::table(&["dir", "frames", "size", "files", "--blackbody"]);
            t.add_row(vec![
                report.dir.clone(),
                report.frames.to_string(),
                format!("{w}×{h}"),
                "frames.npy, truth.json".to_owned(),
                report.blackbody.clone().unwrap_or_default(),
            ]);
            format!("{t}\n")
        }
    })
}
