//! `hsm gate …`: the gate's demo, its passage log's queries, exports and
//! retention.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand, ValueEnum};
use hsm::core::{Micros, Timestamp};
use hsm::gate::{
    Alarms, ContactScope, ExportFormat, Passage, PassageLog, Query, SiteKey, TokenExport, Way, demo,
};
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;

use crate::error::CliError;
use crate::output::{self, Format};

/// The gate: fused passages and their log.
#[derive(Debug, Subcommand)]
pub(crate) enum GateCommand {
    /// Simulate a morning at a hospital entrance, run the gate on it, write
    /// the passage log and compare with the simulation's truth.
    Demo(DemoArgs),
    /// Replay a recording of sensor streams (the layout `hsm gate demo
    /// --record` writes) through the gate into a passage log.
    Run(RunArgs),
    /// Query the passage log.
    Query(QueryArgs),
    /// Close contacts of a passage: passages within ±WINDOW seconds at the
    /// same entrance (or gate).
    Contacts(ContactsArgs),
    /// Export the passage log (streaming) to Parquet, CSV or JSON Lines.
    Export(ExportArgs),
    /// Delete passages older than N days (retention).
    Purge(PurgeArgs),
}

/// `hsm gate demo`.
#[derive(Debug, Args)]
pub(crate) struct DemoArgs {
    /// Simulated minutes.
    #[arg(long, default_value_t = 30.0)]
    minutes: f64,
    /// Seed (same seed, same passages).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// The passage log to write. Default `hsm-gate-demo.db` in the current
    /// directory, replaced on each run.
    #[arg(long)]
    db: Option<PathBuf>,
    /// Replace an existing file given with --db.
    #[arg(long)]
    force: bool,
    /// Also write every sensor stream to this directory (a recording that
    /// `hsm gate run` replays).
    #[arg(long)]
    record: Option<PathBuf>,
}

/// `hsm gate run`.
#[derive(Debug, Args)]
pub(crate) struct RunArgs {
    /// The recording directory.
    recording: PathBuf,
    /// The passage log to append to (created if missing).
    #[arg(long)]
    db: PathBuf,
}

/// `hsm gate query`.
#[derive(Debug, Args)]
pub(crate) struct QueryArgs {
    /// The passage log.
    #[arg(long)]
    db: PathBuf,
    /// Entry at or after (µs since the Unix epoch, or RFC 3339 like
    /// 2026-11-23T07:30:00+08:00).
    #[arg(long)]
    from: Option<String>,
    /// Entry before (same forms as --from).
    #[arg(long)]
    to: Option<String>,
    /// Direction.
    #[arg(long, value_enum)]
    direction: Option<DirectionArg>,
    /// Alarm kind (repeatable: any of them).
    #[arg(long, value_enum)]
    alarm: Vec<AlarmArg>,
    /// Body temperature at or above, °C.
    #[arg(long)]
    min_temp: Option<f64>,
    /// Body temperature at or below, °C.
    #[arg(long)]
    max_temp: Option<f64>,
    /// Gate id.
    #[arg(long)]
    gate: Option<String>,
    /// Entrance id.
    #[arg(long)]
    entrance: Option<String>,
    /// At most this many passages.
    #[arg(long)]
    limit: Option<u64>,
}

/// Directions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum DirectionArg {
    /// Into the building.
    In,
    /// Out of it.
    Out,
    /// No transit (metal without passage).
    Unknown,
}

/// Alarm kinds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum AlarmArg {
    /// Fever.
    Fever,
    /// Metal threat.
    Threat,
    /// Re-check by hand.
    Recheck,
    /// A sensor was faulty.
    SensorFault,
    /// Watch-list match.
    Watchlist,
}

/// `hsm gate contacts`.
#[derive(Debug, Args)]
pub(crate) struct ContactsArgs {
    /// The passage log.
    #[arg(long)]
    db: PathBuf,
    /// The index passage's id.
    #[arg(long)]
    passage: i64,
    /// Half-width of the window, seconds.
    #[arg(long)]
    window: f64,
    /// Only the same gate (default: every gate of the same entrance).
    #[arg(long)]
    same_gate: bool,
}

/// `hsm gate export`.
#[derive(Debug, Args)]
pub(crate) struct ExportArgs {
    /// The passage log.
    #[arg(long)]
    db: PathBuf,
    /// Output format.
    #[arg(long, value_enum)]
    to: ExportTo,
    /// Output file.
    #[arg(long)]
    out: PathBuf,
    /// Token column: dropped (default), the stored keyed hash, or a
    /// pseudonym under the key in `--export-key-file`.
    #[arg(long, value_enum, default_value_t = TokenArg::Drop)]
    tokens: TokenArg,
    /// File holding the export key (raw bytes, at least 32) for
    /// `--tokens pseudonym`. A file, not an argument, so the key stays out
    /// of shell history and process listings.
    #[arg(long, value_name = "PATH")]
    export_key_file: Option<PathBuf>,
}

/// Export formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum ExportTo {
    /// Apache Parquet.
    Parquet,
    /// CSV with a header.
    Csv,
    /// JSON Lines.
    Jsonl,
}

/// Token handling in exports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum TokenArg {
    /// No token column values.
    Drop,
    /// The stored keyed hash (hex).
    Hash,
    /// The stored hash hashed again under an export key: links one
    /// person's passages within the export, not to the log or another export.
    Pseudonym,
}

/// `hsm gate purge`.
#[derive(Debug, Args)]
pub(crate) struct PurgeArgs {
    /// The passage log.
    #[arg(long)]
    db: PathBuf,
    /// Delete passages that entered more than this many days before now.
    #[arg(long)]
    older_than: f64,
    /// "Now" for the cutoff (µs since the Unix epoch or RFC 3339); default
    /// the system clock.
    #[arg(long)]
    now: Option<String>,
}

/// Runs a `hsm gate` command.
pub(crate) fn run(cmd: &GateCommand, format: Format) -> Result<String, CliError> {
    match cmd {
        GateCommand::Demo(a) => run_demo(a, format),
        GateCommand::Run(a) => replay(a, format),
        GateCommand::Query(a) => query(a, format),
        GateCommand::Contacts(a) => contacts(a, format),
        GateCommand::Export(a) => export(a, format),
        GateCommand::Purge(a) => purge(a, format),
    }
}

fn gate_err(e: hsm::gate::GateError) -> CliError {
    CliError::from(hsm::Error::from(e))
}

fn remove_log(path: &Path) -> Result<(), CliError> {
    for suffix in ["", "-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let p = PathBuf::from(p);
        if p.exists() {
            std::fs::remove_file(&p)
                .map_err(|e| CliError::failure(format!("cannot remove {}: {e}", p.display())))?;
        }
    }
    Ok(())
}

#[derive(Serialize)]
struct DemoReport<'a> {
    db: String,
    summary: &'a demo::DemoSummary,
}

fn run_demo(a: &DemoArgs, format: Format) -> Result<String, CliError> {
    if !(a.minutes > 0.0 && a.minutes <= 1440.0) {
        return Err(CliError::usage(format!(
            "--minutes {}: expected 0 < minutes <= 1440",
            a.minutes
        )));
    }
    let path = match &a.db {
        Some(p) => {
            if p.exists() {
                if !a.force {
                    return Err(CliError::usage(format!("{} exists", p.display()))
                        .hint("choose another --db path, or pass --force to replace it"));
                }
                remove_log(p)?;
            }
            p.clone()
        }
        None => {
            let p = PathBuf::from("hsm-gate-demo.db");
            remove_log(&p)?;
            p
        }
    };
    let mut log = PassageLog::open(&path).map_err(gate_err)?;
    let bar = if std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        let b = ProgressBar::new(1000);
        if let Ok(style) = ProgressStyle::with_template(
            "{prefix} [{bar:40}] {percent:>3}% simulated, {elapsed} elapsed",
        ) {
            b.set_style(style.progress_chars("=> "));
        }
        b.set_prefix(format!("gate demo, {} min", a.minutes));
        b
    } else {
        ProgressBar::hidden()
    };
    let cfg = demo::DemoConfig {
        minutes: a.minutes,
        seed: a.seed,
        ..demo::DemoConfig::default()
    };
    if let Some(r) = &a.record
        && r.exists()
        && std::fs::read_dir(r)
            .map(|mut d| d.next().is_some())
            .unwrap_or(true)
    {
        return Err(CliError::usage(format!(
            "--record {}: not an empty directory",
            r.display()
        )));
    }
    let s = demo::run_recorded(&cfg, Some(&mut log), a.record.as_deref(), |f| {
        bar.set_position((f * 1000.0) as u64);
    })
    .map_err(gate_err)?;
    bar.finish_and_clear();
    let db = path.display().to_string();
    match format {
        Format::Json => output::json(&DemoReport { db, summary: &s }),
        Format::Csv => {
            let mut out = String::new();
            output::csv_record(&mut out, &["measure", "gate", "truth"]);
            for (m, g, t) in demo_rows(&s) {
                output::csv_record(&mut out, &[m, g, t]);
            }
            Ok(out)
        }
        Format::Table => {
            let mut t = output::table(&["", "gate", "truth"]);
            for (m, g, tr) in demo_rows(&s) {
                t.add_row(vec![m, g, tr]);
            }
            Ok(format!(
                "A simulated {} min at entrance outpatient-main (seed {}), {} passages written to {db}\n{t}\n\
                 ran {:.1}× faster than real time ({:.2} s for {:.0} simulated s)\n",
                s.minutes,
                s.seed,
                s.passages,
                s.speed_factor,
                s.wall_s,
                s.minutes * 60.0
            ))
        }
    }
}

fn demo_rows(s: &demo::DemoSummary) -> Vec<(String, String, String)> {
    let mut rows = vec![
        (
            "persons in".into(),
            s.passages_in.to_string(),
            s.truth_in.to_string(),
        ),
        (
            "persons out".into(),
            s.passages_out.to_string(),
            s.truth_out.to_string(),
        ),
        (
            "persons with a passage of their own".into(),
            s.matched.to_string(),
            (s.truth_in + s.truth_out).to_string(),
        ),
        (
            "persons sharing a flagged passage (two in the lane)".into(),
            s.matched_flagged.to_string(),
            String::new(),
        ),
        (
            "persons merged into an unflagged passage".into(),
            s.merged_unflagged.to_string(),
            "0".into(),
        ),
        (
            "persons without a passage".into(),
            s.unmatched_persons.to_string(),
            "0".into(),
        ),
        (
            "passages no person explains".into(),
            s.unmatched_passages.to_string(),
            "0".into(),
        ),
        (
            "fever alarms (of febrile persons)".into(),
            s.fever.alarmed.to_string(),
            s.fever.truth.to_string(),
        ),
        (
            "febrile persons sent to re-check".into(),
            s.fever.rechecked.to_string(),
            String::new(),
        ),
        (
            "fever false alarms".into(),
            s.fever.false_alarms.to_string(),
            "0".into(),
        ),
        (
            "threat alarms (of persons carrying one)".into(),
            s.threat.alarmed.to_string(),
            s.threat.truth.to_string(),
        ),
        (
            "threats sent to re-check".into(),
            s.threat.rechecked.to_string(),
            String::new(),
        ),
        (
            "threat alarms, person alone (no metal overlap)".into(),
            s.threat_alone.alarmed.to_string(),
            s.threat_alone.truth.to_string(),
        ),
    ];
    for c in &s.threat_classes {
        rows.push((
            format!("  {} alarmed", c.class),
            c.alarmed.to_string(),
            c.carried.to_string(),
        ));
    }
    rows.extend([
        (
            "  of which on innocuous items (nuisance)".to_owned(),
            s.nuisance.alarmed.to_string(),
            format!("0 of {}", s.nuisance.truth),
        ),
        (
            "    alone, no metal overlap".to_owned(),
            s.nuisance_alone.alarmed.to_string(),
            format!("0 of {}", s.nuisance_alone.truth),
        ),
        (
            "threat alarms on persons carrying no threat".into(),
            s.threat.false_alarms.to_string(),
            "0".into(),
        ),
        (
            "passages with a re-check".into(),
            s.rechecks.to_string(),
            String::new(),
        ),
        (
            "passages with a sensor fault".into(),
            s.sensor_faults.to_string(),
            "0".into(),
        ),
        (
            "metal without passage".into(),
            s.metal_without_passage.to_string(),
            "0".into(),
        ),
        ("thermal frames".into(), s.frames.to_string(), String::new()),
        (
            "metal sample frames".into(),
            s.metal_samples.to_string(),
            String::new(),
        ),
    ]);
    rows
}

#[derive(Serialize)]
struct RunReport {
    db: String,
    recording: String,
    #[serde(flatten)]
    summary: hsm::gate::recording::ReplaySummary,
}

fn replay(a: &RunArgs, format: Format) -> Result<String, CliError> {
    if !a.recording.join("gate.json").exists() {
        return Err(CliError::failure(format!(
            "{}: not a recording (no gate.json)",
            a.recording.display()
        ))
        .hint("record one with `hsm gate demo --record DIR`"));
    }
    let mut log = PassageLog::open(&a.db).map_err(gate_err)?;
    let s = hsm::gate::recording::replay(&a.recording, &mut log, |_| {}).map_err(gate_err)?;
    let r = RunReport {
        db: a.db.display().to_string(),
        recording: a.recording.display().to_string(),
        summary: s,
    };
    simple_report(
        &r,
        &[
            ("db", r.db.clone()),
            ("recording", r.recording.clone()),
            ("frames", s.frames.to_string()),
            ("metal_samples", s.metal_samples.to_string()),
            ("beam_events", s.beam_events.to_string()),
            ("detection_frames", s.detection_frames.to_string()),
            ("passages", s.passages.to_string()),
        ],
        format,
    )
}

/// Parses µs since the Unix epoch or an RFC 3339 timestamp with offset.
pub(crate) fn parse_time(flag: &str, s: &str) -> Result<Timestamp, CliError> {
    if let Ok(us) = s.parse::<i64>() {
        return Ok(Timestamp(us));
    }
    rfc3339_us(s).map(Timestamp).ok_or_else(|| {
        CliError::usage(format!("{flag} {s:?}: not a time"))
            .hint("give µs since the Unix epoch or RFC 3339, e.g. 2026-11-23T07:30:00+08:00")
    })
}

/// `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)` → µs since the Unix epoch.
fn rfc3339_us(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() < 20 || b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    let num = |r: core::ops::Range<usize>| s.get(r)?.parse::<i64>().ok();
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    if !matches!(b.get(10), Some(b'T' | b't' | b' ')) {
        return None;
    }
    let (h, mi, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    let mut i = 19;
    let mut frac_us = 0i64;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        let digits = s.get(start..i)?;
        let padded: String = digits.chars().chain("000000".chars()).take(6).collect();
        frac_us = padded.parse().ok()?;
    }
    let offset_s = match b.get(i) {
        Some(b'Z' | b'z') if i + 1 == b.len() => 0,
        Some(&sign @ (b'+' | b'-')) if i + 6 == b.len() => {
            let oh = num(i + 1..i + 3)?;
            let om = num(i + 4..i + 6)?;
            let v = oh * 3600 + om * 60;
            if sign == b'-' { -v } else { v }
        }
        _ => return None,
    };
    // Days from civil (H. Hinnant's algorithm).
    let (yy, m) = if mo <= 2 {
        (y - 1, mo + 9)
    } else {
        (y, mo - 3)
    };
    let era = yy.div_euclid(400);
    let yoe = yy - era * 400;
    let doy = (153 * m + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let secs = days * 86_400 + h * 3600 + mi * 60 + sec - offset_s;
    secs.checked_mul(1_000_000)?.checked_add(frac_us)
}

fn open_ro(path: &Path) -> Result<PassageLog, CliError> {
    if !path.exists() {
        return Err(
            CliError::failure(format!("{}: no such passage log", path.display()))
                .hint("run `hsm gate demo` to make one"),
        );
    }
    PassageLog::open_read_only(path).map_err(gate_err)
}

fn query(a: &QueryArgs, format: Format) -> Result<String, CliError> {
    let mut alarms = Alarms::NONE;
    for k in &a.alarm {
        alarms |= match k {
            AlarmArg::Fever => Alarms::FEVER,
            AlarmArg::Threat => Alarms::THREAT,
            AlarmArg::Recheck => Alarms::RECHECK,
            AlarmArg::SensorFault => Alarms::SENSOR_FAULT,
            AlarmArg::Watchlist => Alarms::WATCHLIST,
        };
    }
    for (flag, v) in [("--min-temp", a.min_temp), ("--max-temp", a.max_temp)] {
        if v.is_some_and(|v| !v.is_finite()) {
            return Err(CliError::usage(format!(
                "{flag}: expected a finite temperature in °C"
            )));
        }
    }
    let q = Query {
        from: a
            .from
            .as_deref()
            .map(|s| parse_time("--from", s))
            .transpose()?,
        to: a.to.as_deref().map(|s| parse_time("--to", s)).transpose()?,
        direction: a.direction.map(|d| match d {
            DirectionArg::In => Way::In,
            DirectionArg::Out => Way::Out,
            DirectionArg::Unknown => Way::Unknown,
        }),
        alarms,
        min_body_c: a.min_temp,
        max_body_c: a.max_temp,
        gate: a.gate.clone(),
        entrance: a.entrance.clone(),
        token: None,
        limit: a.limit,
    };
    let log = open_ro(&a.db)?;
    let rows = log.query(&q).map_err(gate_err)?;
    render_passages(&rows, format)
}

fn contacts(a: &ContactsArgs, format: Format) -> Result<String, CliError> {
    if !(a.window.is_finite() && a.window >= 0.0 && a.window <= 86_400.0 * 366.0) {
        return Err(CliError::usage(format!(
            "--window {}: expected seconds in [0, one year]",
            a.window
        )));
    }
    let log = open_ro(&a.db)?;
    let scope = if a.same_gate {
        ContactScope::SameGate
    } else {
        ContactScope::SameEntrance
    };
    let rows = log
        .contacts(a.passage, Micros((a.window * 1e6).round() as i64), scope)
        .map_err(gate_err)?;
    render_passages(&rows, format)
}

#[derive(Serialize)]
struct ExportReport {
    db: String,
    out: String,
    format: &'static str,
    rows: u64,
}

fn export(a: &ExportArgs, format: Format) -> Result<String, CliError> {
    let log = open_ro(&a.db)?;
    let fmt = match a.to {
        ExportTo::Parquet => ExportFormat::Parquet,
        ExportTo::Csv => ExportFormat::Csv,
        ExportTo::Jsonl => ExportFormat::JsonLines,
    };
    let tokens = match (a.tokens, &a.export_key_file) {
        (TokenArg::Drop, None) => TokenExport::Drop,
        (TokenArg::Hash, None) => TokenExport::Hash,
        (TokenArg::Pseudonym, Some(path)) => {
            let key = std::fs::read(path).map_err(|e| {
                CliError::failure(format!(
                    "cannot read the export key {}: {e}",
                    path.display()
                ))
            })?;
            TokenExport::Pseudonymise(SiteKey::new(&key).map_err(|e| {
                CliError::usage(format!("export key {}: {e}", path.display()))
                    .hint("use a file of at least 32 random bytes, e.g. `head -c 32 /dev/urandom > export.key`")
            })?)
        }
        (TokenArg::Pseudonym, None) => {
            return Err(CliError::usage("--tokens pseudonym needs --export-key-file PATH")
                .hint("a file of at least 32 random bytes, e.g. `head -c 32 /dev/urandom > export.key`"));
        }
        (TokenArg::Drop | TokenArg::Hash, Some(_)) => {
            return Err(CliError::usage(
                "--export-key-file is only used with --tokens pseudonym",
            ));
        }
    };
    let rows =
        hsm::gate::export(&log, &Query::default(), fmt, &tokens, &a.out).map_err(gate_err)?;
    let r = ExportReport {
        db: a.db.display().to_string(),
        out: a.out.display().to_string(),
        format: fmt.name(),
        rows,
    };
    simple_report(
        &r,
        &[
            ("db", r.db.clone()),
            ("out", r.out.clone()),
            ("format", r.format.into()),
            ("rows", rows.to_string()),
        ],
        format,
    )
}

#[derive(Serialize)]
struct PurgeReport {
    db: String,
    cutoff_us: i64,
    deleted: u64,
    remaining: u64,
}

fn purge(a: &PurgeArgs, format: Format) -> Result<String, CliError> {
    if !(a.older_than.is_finite() && a.older_than >= 0.0 && a.older_than <= 36_500.0) {
        return Err(CliError::usage(format!(
            "--older-than {}: expected days in [0, 36500]",
            a.older_than
        )));
    }
    let now = match &a.now {
        Some(s) => parse_time("--now", s)?,
        None => {
            let d = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_err(|e| CliError::failure(format!("system clock before 1970: {e}")))?;
            Timestamp(i64::try_from(d.as_micros()).unwrap_or(i64::MAX))
        }
    };
    if !a.db.exists() {
        return Err(CliError::failure(format!(
            "{}: no such passage log",
            a.db.display()
        )));
    }
    let mut log = PassageLog::open(&a.db).map_err(gate_err)?;
    let cutoff = Timestamp(
        now.0
            .saturating_sub((a.older_than * 86_400e6).round() as i64),
    );
    let deleted = log.purge_before(cutoff).map_err(gate_err)?;
    let remaining = log.len().map_err(gate_err)?;
    let r = PurgeReport {
        db: a.db.display().to_string(),
        cutoff_us: cutoff.0,
        deleted,
        remaining,
    };
    simple_report(
        &r,
        &[
            ("db", r.db.clone()),
            ("cutoff_us", cutoff.0.to_string()),
            ("deleted", deleted.to_string()),
            ("remaining", remaining.to_string()),
        ],
        format,
    )
}

fn simple_report<T: Serialize>(
    r: &T,
    fields: &[(&str, String)],
    format: Format,
) -> Result<String, CliError> {
    match format {
        Format::Json => output::json(r),
        Format::Csv => {
            let mut s = String::new();
            output::csv_record(&mut s, &fields.iter().map(|f| f.0).collect::<Vec<_>>());
            output::csv_record(
                &mut s,
                &fields.iter().map(|f| f.1.as_str()).collect::<Vec<_>>(),
            );
            Ok(s)
        }
        Format::Table => {
            let mut t = output::table(&["", ""]);
            for (k, v) in fields {
                t.add_row(vec![(*k).to_owned(), v.clone()]);
            }
            Ok(format!("{t}\n"))
        }
    }
}

fn opt(v: Option<f64>) -> String {
    v.map_or_else(String::new, |v| format!("{v:.2}"))
}

fn render_passages(rows: &[Passage], format: Format) -> Result<String, CliError> {
    match format {
        Format::Json => output::json(&rows),
        Format::Csv | Format::Table => {
            let header = [
                "id",
                "gate",
                "entrance",
                "entry_us",
                "exit_us",
                "direction",
                "persons",
                "body_c",
                "thermal",
                "metal",
                "class",
                "alarms",
                "flags",
            ];
            let cells = |p: &Passage| -> Vec<String> {
                vec![
                    p.id.to_string(),
                    p.gate.clone(),
                    p.entrance.clone(),
                    p.entry.0.to_string(),
                    p.exit.0.to_string(),
                    p.direction.name().to_owned(),
                    p.persons.to_string(),
                    opt(p.thermal.and_then(|t| t.body_c)),
                    p.thermal
                        .map_or_else(String::new, |t| t.outcome.name().to_owned()),
                    p.metal
                        .as_ref()
                        .map_or_else(String::new, |m| m.decision.clone()),
                    p.metal
                        .as_ref()
                        .and_then(|m| m.class.clone())
                        .unwrap_or_default(),
                    p.alarms.names().collect::<Vec<_>>().join("|"),
                    p.flags.names().collect::<Vec<_>>().join("|"),
                ]
            };
            if format == Format::Csv {
                let mut s = String::new();
                output::csv_record(&mut s, &header);
                for p in rows {
                    output::csv_record(&mut s, &cells(p));
                }
                Ok(s)
            } else {
                let mut t = output::table(&header);
                for p in rows {
                    t.add_row(cells(p));
                }
                Ok(format!("{t}\n{} passages\n", rows.len()))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_parses_offsets_and_fractions() {
        assert_eq!(rfc3339_us("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            rfc3339_us("2026-11-23T07:30:00+08:00"),
            Some(1_795_390_200_000_000)
        );
        assert_eq!(
            rfc3339_us("2026-11-22T23:30:00.5Z"),
            Some(1_795_390_200_500_000)
        );
        assert_eq!(rfc3339_us("2026-13-01T00:00:00Z"), None);
        assert_eq!(rfc3339_us("yesterday"), None);
    }
}
