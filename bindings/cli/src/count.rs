//! `hsm count …`: people counting from beam events or detections, and the
//! simulator that makes both.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use hsm::core::counting::sim::{SimConfig, SimOutput, simulate};
use hsm::core::counting::{
    Beam, BeamConfig, BeamDecoder, BeamEvent, BeamFault, CountingLine, Detection, Direction,
    Evaluation, LineConfig, LineCounter, Source, Transit, evaluate, flags,
};
use hsm::core::{Micros, Timestamp};
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;

use crate::error::CliError;
use crate::output::{self, Format};

/// `hsm count` subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum CountCommand {
    /// Count people from a lane's two infrared beams.
    ///
    /// EVENTS.csv has a header row and the columns `t_us,beam,blocked`
    /// (µs, `A` outer or `B` inner, `1` blocked or `0` clear), in time order.
    Beams(BeamsArgs),
    /// Count people crossing a line from per-frame detections.
    ///
    /// DETECTIONS.csv has a header row and the columns
    /// `frame,t_us,x,y,w,h[,score]` (box top-left and size in pixels). A row
    /// with empty x,y,w,h marks a frame without detections; missing frame
    /// numbers are empty frames at interpolated times.
    Tracks(TracksArgs),
    /// Simulate a lane: writes beams.csv, detections.csv and truth.csv.
    Simulate(SimulateArgs),
    /// Flow statistics from transits: counts per bin, peak hour, daily averages.
    ///
    /// TRANSITS.csv has a header row and the columns `t_us,direction[,persons]`
    /// — the CSV output of `hsm count beams|tracks --format csv`, or truth.csv.
    Flow(FlowArgs),
}

/// Bin width of `hsm count flow`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Bin {
    /// One minute.
    Minute,
    /// One hour.
    Hour,
    /// One day.
    Day,
}

/// Arguments of `hsm count flow`.
#[derive(Debug, Args)]
#[command(allow_negative_numbers = true)]
pub(crate) struct FlowArgs {
    /// Transits: `t_us,direction[,persons]`.
    #[arg(value_name = "TRANSITS.csv")]
    pub(crate) transits: PathBuf,
    /// Bin width.
    #[arg(long, value_enum, default_value_t = Bin::Hour)]
    pub(crate) bin: Bin,
    /// Bins (and days) start at this time, µs in the recording's epoch
    /// (e.g. local midnight).
    #[arg(long, value_name = "T_US", default_value_t = 0)]
    pub(crate) origin_us: i64,
    /// Days to average over (default: the calendar days spanned).
    #[arg(long, value_name = "N")]
    pub(crate) days: Option<u64>,
}

/// One bin of `hsm count flow`.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct FlowRowReport {
    /// Bin start, µs.
    pub(crate) start_us: i64,
    /// People in.
    #[serde(rename = "in")]
    pub(crate) inbound: u64,
    /// People out.
    #[serde(rename = "out")]
    pub(crate) outbound: u64,
    /// In − out accumulated to the end of the bin.
    pub(crate) occupancy: i64,
}

/// The summary of `hsm count flow`.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct FlowSummaryReport {
    /// People in.
    pub(crate) total_in: u64,
    /// People out.
    pub(crate) total_out: u64,
    /// Days averaged over.
    pub(crate) days: u64,
    /// Average entries per day (the traffic the equipment table is keyed on).
    pub(crate) daily_avg_in: f64,
    /// Average exits per day.
    pub(crate) daily_avg_out: f64,
    /// Average passages per day.
    pub(crate) daily_avg_total: f64,
    /// Start of the busiest clock hour, µs (null without transits).
    pub(crate) peak_hour_start_us: Option<i64>,
    /// Passages in that hour.
    pub(crate) peak_hour_total: u64,
    /// Occupancy at the end.
    pub(crate) final_occupancy: i64,
    /// Highest occupancy.
    pub(crate) max_occupancy: i64,
}

/// `hsm count flow` output.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct FlowReport {
    /// `minute`, `hour` or `day`.
    pub(crate) bin: &'static str,
    /// Every bin from the first transit's to the last's.
    pub(crate) rows: Vec<FlowRowReport>,
    /// Totals and averages.
    pub(crate) summary: FlowSummaryReport,
}

/// Evaluation flags shared by `beams` and `tracks`.
#[derive(Debug, Args)]
pub(crate) struct TruthArgs {
    /// Ground truth (`truth.csv` from `hsm count simulate`): adds an
    /// `evaluation` with missed and double counts.
    #[arg(long, value_name = "TRUTH.csv")]
    pub(crate) truth: Option<PathBuf>,
    /// Matching window for --truth, milliseconds either side.
    #[arg(long, value_name = "MS", default_value_t = 1500)]
    pub(crate) window_ms: u32,
}

/// Arguments of `hsm count beams`.
#[derive(Debug, Args)]
pub(crate) struct BeamsArgs {
    /// Beam events: `t_us,beam,blocked`.
    #[arg(value_name = "EVENTS.csv")]
    pub(crate) events: PathBuf,
    /// Debounce: a level must hold this long, milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 30)]
    pub(crate) min_dwell_ms: u32,
    /// A beam blocked longer than this is a sensor fault, seconds.
    #[arg(long, value_name = "S", default_value_t = 30)]
    pub(crate) fault_after_s: u32,
    #[command(flatten)]
    pub(crate) truth: TruthArgs,
}

/// Arguments of `hsm count tracks`.
#[derive(Debug, Args)]
#[command(allow_negative_numbers = true)]
pub(crate) struct TracksArgs {
    /// Detections: `frame,t_us,x,y,w,h[,score]`.
    #[arg(value_name = "DETECTIONS.csv")]
    pub(crate) detections: PathBuf,
    /// The counting line X1,Y1,X2,Y2 (pixels, y down). Crossing from its
    /// left to its right, as seen looking from (X1,Y1) to (X2,Y2) on the
    /// screen, is "in".
    #[arg(long, value_name = "X1,Y1,X2,Y2", allow_hyphen_values = true)]
    pub(crate) line: String,
    /// Half-width of the hysteresis band around the line, pixels.
    #[arg(long, value_name = "PX", default_value_t = 12.0)]
    pub(crate) band: f32,
    /// Frames a track may coast through a detector dropout.
    #[arg(long, value_name = "FRAMES", default_value_t = 10)]
    pub(crate) max_coast: u32,
    /// Matching gate, pixels.
    #[arg(long, value_name = "PX", default_value_t = 40.0)]
    pub(crate) gate: f32,
    #[command(flatten)]
    pub(crate) truth: TruthArgs,
}

/// Arguments of `hsm count simulate`.
#[derive(Debug, Args)]
pub(crate) struct SimulateArgs {
    /// Length of the recording, minutes.
    #[arg(long, value_name = "M")]
    pub(crate) minutes: f64,
    /// Seed: the same seed writes the same bytes.
    #[arg(long, value_name = "S", default_value_t = 1)]
    pub(crate) seed: u64,
    /// Directory to write beams.csv, detections.csv and truth.csv into
    /// (created if missing; existing files are overwritten).
    #[arg(long, value_name = "DIR")]
    pub(crate) out: PathBuf,
    /// People pass strictly one at a time (no pairs, groups, tailgaters).
    #[arg(long)]
    pub(crate) single_file: bool,
    /// Probability a detector dropout (1..=5 frames) starts, per person-frame.
    #[arg(long, value_name = "P", default_value_t = 0.05)]
    pub(crate) dropout: f64,
    /// Camera frame rate.
    #[arg(long, value_name = "FPS", default_value_t = 15.0)]
    pub(crate) fps: f64,
}

/// One transit in the JSON output.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct EventReport {
    /// µs since the recording's epoch.
    pub(crate) t_us: i64,
    /// `in` or `out`.
    pub(crate) direction: &'static str,
    /// People (2 only for a flagged estimate).
    pub(crate) persons: u32,
    /// `beams` or `tracks`.
    pub(crate) source: &'static str,
    /// Flag names.
    pub(crate) flags: Vec<&'static str>,
    /// Track id (tracks only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) track_id: Option<u32>,
}

impl From<&Transit> for EventReport {
    fn from(t: &Transit) -> Self {
        EventReport {
            t_us: t.t.0,
            direction: t.direction.name(),
            persons: t.persons,
            source: t.source.name(),
            flags: flags::names(t.flags).collect(),
            track_id: (t.source == Source::Tracks).then_some(t.track_id),
        }
    }
}

/// One fault in the JSON output.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct FaultReport {
    /// When.
    pub(crate) t_us: i64,
    /// `A` or `B`.
    pub(crate) beam: &'static str,
    /// `stuck` or `recovered`.
    pub(crate) kind: &'static str,
    /// When the beam became blocked.
    pub(crate) blocked_since_us: i64,
}

impl From<&BeamFault> for FaultReport {
    fn from(f: &BeamFault) -> Self {
        FaultReport {
            t_us: f.t.0,
            beam: f.beam.name(),
            kind: f.kind.name(),
            blocked_since_us: f.blocked_since.0,
        }
    }
}

/// The evaluation in the JSON output.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct EvalReport {
    /// Matching window, ms.
    pub(crate) window_ms: f64,
    /// True people.
    pub(crate) truth: u64,
    /// Matched people.
    pub(crate) matched: u64,
    /// Missed people.
    pub(crate) missed: u64,
    /// Double or phantom counts.
    pub(crate) double: u64,
    /// `200 · (missed + double) / truth`.
    pub(crate) errors_per_200: f64,
}

impl From<&Evaluation> for EvalReport {
    fn from(e: &Evaluation) -> Self {
        EvalReport {
            window_ms: e.window_us as f64 / 1000.0,
            truth: e.truth(),
            matched: e.inbound.matched + e.outbound.matched,
            missed: e.missed(),
            double: e.double(),
            errors_per_200: e.errors_per_200(),
        }
    }
}

/// `hsm count beams|tracks` output.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct CountReport {
    /// People counted in.
    #[serde(rename = "in")]
    pub(crate) inbound: u64,
    /// People counted out.
    #[serde(rename = "out")]
    pub(crate) outbound: u64,
    /// Sensor faults (beams only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) faults: Option<Vec<FaultReport>>,
    /// Every transit in order.
    pub(crate) events: Vec<EventReport>,
    /// Against --truth, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) evaluation: Option<EvalReport>,
}

/// `hsm count simulate` output.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct SimulateReport {
    /// Output directory.
    pub(crate) dir: String,
    /// Minutes simulated.
    pub(crate) minutes: f64,
    /// Seed.
    pub(crate) seed: u64,
    /// True transits.
    pub(crate) transits: usize,
    /// Of which in.
    #[serde(rename = "in")]
    pub(crate) inbound: usize,
    /// Of which out.
    #[serde(rename = "out")]
    pub(crate) outbound: usize,
    /// Beam edges written.
    pub(crate) beam_events: usize,
    /// Frames written.
    pub(crate) frames: usize,
    /// Detections written.
    pub(crate) detections: usize,
    /// Files written.
    pub(crate) files: Vec<String>,
}

// ------------------------------------------------------------------ CSV input

/// A parsed CSV: header names and rows of fields, with 1-based line numbers.
struct Csv {
    path: String,
    header: Vec<String>,
    rows: Vec<(usize, Vec<String>)>,
}

fn read_text(path: &Path) -> Result<String, CliError> {
    std::fs::read_to_string(path)
        .map_err(|e| CliError::failure(format!("cannot read {}: {e}", path.display())))
}

fn parse_csv(path: &Path) -> Result<Csv, CliError> {
    let text = read_text(path)?;
    let shown = path.display().to_string();
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let Some((_, head)) = lines.next() else {
        return Err(CliError::failure(format!(
            "{shown}: empty file, expected a header row"
        )));
    };
    let header = head
        .split(',')
        .map(|s| s.trim().to_ascii_lowercase())
        .collect();
    let rows = lines
        .map(|(i, l)| (i + 1, l.split(',').map(|s| s.trim().to_owned()).collect()))
        .collect();
    Ok(Csv {
        path: shown,
        header,
        rows,
    })
}

impl Csv {
    fn column(&self, name: &str, hint: &str) -> Result<usize, CliError> {
        self.header.iter().position(|h| h == name).ok_or_else(|| {
            CliError::failure(format!("{}: no `{name}` column in the header", self.path))
                .hint(hint.to_owned())
        })
    }

    fn bad(&self, line: usize, what: &str) -> CliError {
        CliError::failure(format!("{}:{line}: {what}", self.path))
    }

    fn field<'a>(&self, row: &'a [String], col: usize, line: usize) -> Result<&'a str, CliError> {
        row.get(col).map(String::as_str).ok_or_else(|| {
            self.bad(
                line,
                &format!("missing field {} (`{}`)", col + 1, self.header[col]),
            )
        })
    }

    fn num<T: std::str::FromStr>(
        &self,
        row: &[String],
        col: usize,
        line: usize,
    ) -> Result<T, CliError> {
        let s = self.field(row, col, line)?;
        s.parse().map_err(|_| {
            self.bad(
                line,
                &format!("`{}` = {s:?} is not a valid number", self.header[col]),
            )
        })
    }
}

const BEAMS_HINT: &str = "expected a header row `t_us,beam,blocked` (beam A or B, blocked 1 or 0)";
const TRACKS_HINT: &str = "expected a header row `frame,t_us,x,y,w,h[,score]`";

fn read_beam_events(path: &Path) -> Result<Vec<BeamEvent>, CliError> {
    let csv = parse_csv(path)?;
    let (ct, cb, cx) = (
        csv.column("t_us", BEAMS_HINT)?,
        csv.column("beam", BEAMS_HINT)?,
        csv.column("blocked", BEAMS_HINT)?,
    );
    let mut out = Vec::with_capacity(csv.rows.len());
    for (line, row) in &csv.rows {
        let t: i64 = csv.num(row, ct, *line)?;
        let beam = match csv.field(row, cb, *line)? {
            "A" | "a" => Beam::A,
            "B" | "b" => Beam::B,
            other => return Err(csv.bad(*line, &format!("beam {other:?} is neither A nor B"))),
        };
        let blocked = match csv.field(row, cx, *line)? {
            "1" | "true" => true,
            "0" | "false" => false,
            other => return Err(csv.bad(*line, &format!("blocked {other:?} is neither 1 nor 0"))),
        };
        if let Some(prev) = out.last().map(|e: &BeamEvent| e.t.0)
            && t < prev
        {
            return Err(csv.bad(
                *line,
                &format!(
                    "t_us {t} is earlier than the previous row's {prev}; rows must be in time order"
                ),
            ));
        }
        out.push(BeamEvent {
            t: Timestamp(t),
            beam,
            blocked,
        });
    }
    Ok(out)
}

/// Frames: (frame number, time, detections).
type Frames = Vec<(u64, i64, Vec<Detection>)>;

fn read_detections(path: &Path) -> Result<Frames, CliError> {
    let csv = parse_csv(path)?;
    let cols: Vec<usize> = ["frame", "t_us", "x", "y", "w", "h"]
        .iter()
        .map(|c| csv.column(c, TRACKS_HINT))
        .collect::<Result<_, _>>()?;
    let score_col = csv.header.iter().position(|h| h == "score");
    let mut frames: Frames = Vec::new();
    for (line, row) in &csv.rows {
        let frame: u64 = csv.num(row, cols[0], *line)?;
        let t: i64 = csv.num(row, cols[1], *line)?;
        match frames.last() {
            Some(&(f, pt, _)) if frame < f || t < pt => {
                return Err(csv.bad(*line, &format!("frame {frame} at t_us {t} goes back before frame {f} at {pt}; rows must be in frame order")));
            }
            Some(&(f, pt, _)) if frame == f && t != pt => {
                return Err(csv.bad(*line, &format!("frame {frame} has two times, {pt} and {t}")));
            }
            Some(&(f, _, _)) if frame == f => {}
            _ => frames.push((frame, t, Vec::new())),
        }
        let empty = cols[2..]
            .iter()
            .all(|&c| row.get(c).is_none_or(String::is_empty));
        if empty {
            continue;
        }
        let x: f32 = csv.num(row, cols[2], *line)?;
        let y: f32 = csv.num(row, cols[3], *line)?;
        let w: f32 = csv.num(row, cols[4], *line)?;
        let h: f32 = csv.num(row, cols[5], *line)?;
        let score = match score_col {
            Some(c) if row.get(c).is_some_and(|s| !s.is_empty()) => csv.num(row, c, *line)?,
            _ => 1.0,
        };
        let det = Detection { x, y, w, h, score };
        det.validate(0).map_err(|e| {
            csv.bad(
                *line,
                &e.to_string().replace("detections[0]", "this detection"),
            )
        })?;
        if let Some(last) = frames.last_mut() {
            last.2.push(det);
        }
    }
    // Missing frame numbers are empty frames at interpolated times.
    let mut filled: Frames = Vec::with_capacity(frames.len());
    for (frame, t, dets) in frames {
        if let Some(&(pf, pt, _)) = filled.last() {
            let gap = frame.saturating_sub(pf);
            if gap > 1 && gap < 100_000 {
                for k in 1..gap {
                    let tk = pt + (t - pt) * k as i64 / gap as i64;
                    filled.push((pf + k, tk, Vec::new()));
                }
            }
        }
        filled.push((frame, t, dets));
    }
    Ok(filled)
}

fn read_truth(path: &Path) -> Result<Vec<Transit>, CliError> {
    let csv = parse_csv(path)?;
    let hint = "expected truth.csv from `hsm count simulate`: `t_us,direction,persons,...`";
    let (ct, cd) = (csv.column("t_us", hint)?, csv.column("direction", hint)?);
    let cp = csv.header.iter().position(|h| h == "persons");
    let mut out = Vec::with_capacity(csv.rows.len());
    for (line, row) in &csv.rows {
        let direction = match csv.field(row, cd, *line)? {
            "in" => Direction::In,
            "out" => Direction::Out,
            other => {
                return Err(csv.bad(*line, &format!("direction {other:?} is neither in nor out")));
            }
        };
        let persons = match cp {
            Some(c) => csv.num(row, c, *line)?,
            None => 1,
        };
        out.push(Transit {
            t: Timestamp(csv.num(row, ct, *line)?),
            direction,
            persons,
            source: Source::Truth,
            flags: 0,
            track_id: 0,
        });
    }
    Ok(out)
}

fn evaluation(truth: &TruthArgs, transits: &[Transit]) -> Result<Option<EvalReport>, CliError> {
    let Some(path) = &truth.truth else {
        return Ok(None);
    };
    let t = read_truth(path)?;
    let e = evaluate(
        transits,
        &t,
        Micros::from_millis(i64::from(truth.window_ms)),
    )?;
    Ok(Some(EvalReport::from(&e)))
}

fn progress(len: usize, unit: &str) -> ProgressBar {
    if len < 10_000 {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len as u64);
    if let Ok(style) =
        ProgressStyle::with_template(&format!("{{bar:40}} {{pos}}/{{len}} {unit}, eta {{eta}}"))
    {
        bar.set_style(style);
    }
    bar
}

// ------------------------------------------------------------------ commands

/// Runs `hsm count beams`.
pub(crate) fn beams(args: &BeamsArgs) -> Result<CountReport, CliError> {
    let config = BeamConfig {
        min_dwell: Micros::from_millis(i64::from(args.min_dwell_ms)),
        fault_after: Micros::from_secs(i64::from(args.fault_after_s)),
        ..BeamConfig::default()
    };
    let mut decoder = BeamDecoder::new(config).map_err(|e| {
        CliError::from(e).hint("--min-dwell-ms takes 0..=10000 and --fault-after-s at least 1")
    })?;
    let events = read_beam_events(&args.events)?;
    let (mut transits, mut faults) = (Vec::new(), Vec::new());
    for ev in &events {
        decoder.push(*ev)?;
        transits.extend(decoder.drain_transits());
        faults.extend(decoder.drain_faults());
    }
    decoder.flush();
    transits.extend(decoder.drain_transits());
    faults.extend(decoder.drain_faults());
    Ok(CountReport {
        inbound: decoder.count(Direction::In),
        outbound: decoder.count(Direction::Out),
        faults: Some(faults.iter().map(FaultReport::from).collect()),
        events: transits.iter().map(EventReport::from).collect(),
        evaluation: evaluation(&args.truth, &transits)?,
    })
}

/// Runs `hsm count tracks`.
pub(crate) fn tracks(args: &TracksArgs) -> Result<CountReport, CliError> {
    let numbers: Vec<f32> = args
        .line
        .split(',')
        .map(|s| s.trim().parse::<f32>())
        .collect::<Result<_, _>>()
        .map_err(|_| {
            CliError::usage(format!("--line {:?} is not four numbers", args.line))
                .hint("pass the line as X1,Y1,X2,Y2 in pixels, e.g. --line 0,120,320,120")
        })?;
    let [x1, y1, x2, y2] = numbers[..] else {
        return Err(CliError::usage(format!(
            "--line takes exactly four numbers X1,Y1,X2,Y2, got {}",
            numbers.len()
        ))
        .hint("e.g. --line 0,120,320,120"));
    };
    let mut config = LineConfig::new(CountingLine::new(x1, y1, x2, y2));
    config.band = args.band;
    config.tracker.max_coast = args.max_coast;
    config.tracker.gate_px = args.gate;
    config.queue_capacity = 1 << 16;
    let mut counter = LineCounter::new(config).map_err(|e| {
        let flag = match &e {
            hsm::core::CoreError::InvalidArgument { field, .. } if field.starts_with("line") => {
                "--line"
            }
            hsm::core::CoreError::InvalidArgument { field: "band", .. } => "--band",
            hsm::core::CoreError::InvalidArgument {
                field: "gate_px", ..
            } => "--gate",
            hsm::core::CoreError::InvalidArgument {
                field: "max_coast", ..
            } => "--max-coast",
            _ => "settings",
        };
        CliError::from(e).context(flag)
    })?;
    let frames = read_detections(&args.detections)?;
    let bar = progress(frames.len(), "frames");
    let mut transits = Vec::new();
    for (frame, t, dets) in &frames {
        counter.push_frame(Timestamp(*t), dets).map_err(|e| {
            CliError::failure(format!("{}: frame {frame}: {e}", args.detections.display()))
        })?;
        transits.extend(counter.drain());
        bar.inc(1);
    }
    bar.finish_and_clear();
    Ok(CountReport {
        inbound: counter.count(Direction::In),
        outbound: counter.count(Direction::Out),
        faults: None,
        events: transits.iter().map(EventReport::from).collect(),
        evaluation: evaluation(&args.truth, &transits)?,
    })
}

fn write_file(dir: &Path, name: &str, text: &str) -> Result<String, CliError> {
    let path = dir.join(name);
    std::fs::write(&path, text)
        .map_err(|e| CliError::failure(format!("cannot write {}: {e}", path.display())))?;
    Ok(path.display().to_string())
}

/// The three CSV files of a simulation.
pub(crate) fn simulation_csv(sim: &SimOutput) -> (String, String, String) {
    let mut beams = String::from("t_us,beam,blocked\n");
    for e in &sim.beam_events {
        let _ = writeln!(beams, "{},{},{}", e.t.0, e.beam.name(), u8::from(e.blocked));
    }
    let mut dets = String::from("frame,t_us,x,y,w,h,score\n");
    for (k, f) in sim.frames.iter().enumerate() {
        let d = sim.frame_detections(k);
        if d.is_empty() {
            let _ = writeln!(dets, "{},{},,,,,", f.frame, f.t.0);
        }
        for det in d {
            let _ = writeln!(
                dets,
                "{},{},{:.2},{:.2},{:.2},{:.2},{:.3}",
                f.frame, f.t.0, det.x, det.y, det.w, det.h, det.score
            );
        }
    }
    let mut truth = String::from("t_us,direction,persons,behaviour,person\n");
    for (t, b) in sim.truth.iter().zip(&sim.truth_behaviour) {
        let _ = writeln!(
            truth,
            "{},{},{},{},{}",
            t.t.0,
            t.direction.name(),
            t.persons,
            b.name(),
            t.track_id
        );
    }
    (beams, dets, truth)
}

/// Runs `hsm count flow`.
pub(crate) fn flow(args: &FlowArgs) -> Result<FlowReport, CliError> {
    use hsm::core::counting::flow::{DAY, HOUR, MINUTE, flow_rows, flow_summary};
    let (name, width) = match args.bin {
        Bin::Minute => ("minute", MINUTE),
        Bin::Hour => ("hour", HOUR),
        Bin::Day => ("day", DAY),
    };
    let transits = read_truth(&args.transits)?;
    let origin = Timestamp(args.origin_us);
    let rows = flow_rows(&transits, origin, width)
        .map_err(|e| CliError::from(e).hint("use a wider --bin for recordings this long"))?;
    let s = flow_summary(&transits, origin, args.days)
        .map_err(|e| CliError::from(e).context("--days"))?;
    Ok(FlowReport {
        bin: name,
        rows: rows
            .iter()
            .map(|r| FlowRowReport {
                start_us: r.start.0,
                inbound: r.inbound,
                outbound: r.outbound,
                occupancy: r.occupancy,
            })
            .collect(),
        summary: FlowSummaryReport {
            total_in: s.total_in,
            total_out: s.total_out,
            days: s.days,
            daily_avg_in: s.daily_avg_in,
            daily_avg_out: s.daily_avg_out,
            daily_avg_total: s.daily_avg_total,
            peak_hour_start_us: s.peak_hour_start.map(|t| t.0),
            peak_hour_total: s.peak_hour_total,
            final_occupancy: s.final_occupancy,
            max_occupancy: s.max_occupancy,
        },
    })
}

/// Renders a flow report.
pub(crate) fn render_flow(r: &FlowReport, format: Format) -> Result<String, CliError> {
    match format {
        Format::Json => output::json(r),
        Format::Csv => {
            let mut s = String::new();
            output::csv_record(&mut s, &["start_us", "in", "out", "occupancy"]);
            for row in &r.rows {
                output::csv_record(
                    &mut s,
                    &[
                        row.start_us.to_string(),
                        row.inbound.to_string(),
                        row.outbound.to_string(),
                        row.occupancy.to_string(),
                    ],
                );
            }
            Ok(s)
        }
        Format::Table => {
            let mut t = output::table(&[r.bin, "in", "out", "occupancy"]);
            for row in &r.rows {
                t.add_row(vec![
                    format!("{:.0} s", row.start_us as f64 * 1e-6),
                    row.inbound.to_string(),
                    row.outbound.to_string(),
                    row.occupancy.to_string(),
                ]);
            }
            let m = &r.summary;
            Ok(format!(
                "{t}\nin: {}  out: {}  over {} day(s): {:.1} in/day, {:.1} out/day, {:.1} passages/day\n\
                 peak hour: {} passages starting at {}\noccupancy: {} at the end, {} at most\n",
                m.total_in,
                m.total_out,
                m.days,
                m.daily_avg_in,
                m.daily_avg_out,
                m.daily_avg_total,
                m.peak_hour_total,
                m.peak_hour_start_us
                    .map_or_else(|| "-".to_owned(), |t| format!("{:.0} s", t as f64 * 1e-6)),
                m.final_occupancy,
                m.max_occupancy
            ))
        }
    }
}

/// Runs `hsm count simulate`.
pub(crate) fn simulate_cmd(args: &SimulateArgs) -> Result<SimulateReport, CliError> {
    let cfg = SimConfig {
        seed: args.seed,
        minutes: args.minutes,
        fps: args.fps,
        single_file: args.single_file,
        p_dropout: args.dropout,
        ..SimConfig::default()
    };
    let sim = simulate(&cfg).map_err(|e| {
        let flag = match &e {
            hsm::core::CoreError::InvalidArgument {
                field: "minutes", ..
            } => "--minutes",
            hsm::core::CoreError::InvalidArgument { field: "fps", .. } => "--fps",
            hsm::core::CoreError::InvalidArgument {
                field: "p_dropout", ..
            } => "--dropout",
            _ => "settings",
        };
        CliError::from(e).context(flag)
    })?;
    std::fs::create_dir_all(&args.out)
        .map_err(|e| CliError::failure(format!("cannot create {}: {e}", args.out.display())))?;
    let (beams, dets, truth) = simulation_csv(&sim);
    let files = vec![
        write_file(&args.out, "beams.csv", &beams)?,
        write_file(&args.out, "detections.csv", &dets)?,
        write_file(&args.out, "truth.csv", &truth)?,
    ];
    let inbound = sim
        .truth
        .iter()
        .filter(|t| t.direction == Direction::In)
        .count();
    Ok(SimulateReport {
        dir: args.out.display().to_string(),
        minutes: args.minutes,
        seed: args.seed,
        transits: sim.truth.len(),
        inbound,
        outbound: sim.truth.len() - inbound,
        beam_events: sim.beam_events.len(),
        frames: sim.frames.len(),
        detections: sim.detections.len(),
        files,
    })
}

// ------------------------------------------------------------------ rendering

/// Renders a count report.
pub(crate) fn render_count(r: &CountReport, format: Format) -> Result<String, CliError> {
    match format {
        Format::Json => output::json(r),
        Format::Csv => {
            let mut s = String::new();
            output::csv_record(
                &mut s,
                &[
                    "t_us",
                    "direction",
                    "persons",
                    "source",
                    "flags",
                    "track_id",
                ],
            );
            for e in &r.events {
                output::csv_record(
                    &mut s,
                    &[
                        e.t_us.to_string(),
                        e.direction.to_owned(),
                        e.persons.to_string(),
                        e.source.to_owned(),
                        e.flags.join("|"),
                        e.track_id.map(|t| t.to_string()).unwrap_or_default(),
                    ],
                );
            }
            Ok(s)
        }
        Format::Table => {
            let mut t = output::table(&["t (s)", "direction", "persons", "flags"]);
            for e in &r.events {
                t.add_row(vec![
                    format!("{:.3}", e.t_us as f64 * 1e-6),
                    e.direction.to_owned(),
                    e.persons.to_string(),
                    e.flags.join(" "),
                ]);
            }
            let mut s = format!("{t}\nin: {}  out: {}\n", r.inbound, r.outbound);
            if let Some(faults) = &r.faults {
                for f in faults {
                    let _ = writeln!(
                        s,
                        "fault: beam {} {} at {:.3} s",
                        f.beam,
                        f.kind,
                        f.t_us as f64 * 1e-6
                    );
                }
            }
            if let Some(e) = &r.evaluation {
                let _ = writeln!(
                    s,
                    "against truth (±{} ms): {} people, {} matched, {} missed, {} double → {:.3} errors per 200 people",
                    e.window_ms, e.truth, e.matched, e.missed, e.double, e.errors_per_200
                );
            }
            Ok(s)
        }
    }
}

/// Renders a simulation report.
pub(crate) fn render_simulate(r: &SimulateReport, format: Format) -> Result<String, CliError> {
    let fields = [
        ("dir", r.dir.clone()),
        ("minutes", r.minutes.to_string()),
        ("seed", r.seed.to_string()),
        ("transits", r.transits.to_string()),
        ("in", r.inbound.to_string()),
        ("out", r.outbound.to_string()),
        ("beam_events", r.beam_events.to_string()),
        ("frames", r.frames.to_string()),
        ("detections", r.detections.to_string()),
    ];
    match format {
        Format::Json => output::json(r),
        Format::Csv => {
            let mut s = String::new();
            output::csv_record(&mut s, &["field", "value"]);
            for (k, v) in &fields {
                output::csv_record(&mut s, &[*k, v.as_str()]);
            }
            Ok(s)
        }
        Format::Table => {
            let mut t = output::table(&["field", "value"]);
            for (k, v) in &fields {
                t.add_row(vec![(*k).to_owned(), v.clone()]);
            }
            Ok(format!("{t}\nfiles: {}\n", r.files.join(", ")))
        }
    }
}
