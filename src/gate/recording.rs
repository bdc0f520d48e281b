//! Recorded sensor streams on disk, and their replay through a gate.
//!
//! A recording is a directory (written by `hsm gate demo --record DIR` or by
//! an integrator's logger, read by `hsm gate run DIR`):
//!
//! | file | contents |
//! |---|---|
//! | `gate.json` | the manifest: `{"format": "libhsm-gate-recording", "version": 1, "gate_id", "entrance_id", "thermal": {"radiometry": "tlinear-0.01"\|"tlinear-0.1", "width", "height", "blackbody": {"x","y","w","h","set_point_c"} \| null, "threshold_c"} \| null, "metal": {"program": "hospital"\|"strict", "zones", "frequencies"} \| null, "line": {"x1","y1","x2","y2"} \| null}` |
//! | `thermal.npy` | raw frames, `(N, H, W)` `<u2` |
//! | `thermal_times.csv` | `t_us`: one row per frame |
//! | `metal.f64le` | metal sample frames, little-endian `f64`, `(T, Z, F, 2)` (in-phase, quadrature); `numpy.fromfile(p, "<f8").reshape(-1, Z, F, 2)` |
//! | `metal_times.csv` | `t_us`: one row per sample frame |
//! | `beams.csv` | `t_us,beam,blocked`: beam `A`/`B`, blocked `1`/`0` |
//! | `detections.csv` | `frame,t_us,x,y,w,h,score`: overhead-camera detections; a frame without any is one row with the box fields empty |
//!
//! Times are µs since the Unix epoch. Streams absent from the manifest have
//! no files. Replay merges the streams in time order (on equal times:
//! metal, beams, detections, thermal) and feeds a [`GateSession`].

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use hsm_core::counting::{Beam, BeamEvent, CountingLine, Detection, LineConfig};
use hsm_core::{FrameView, Rect, Timestamp};
use hsm_metal::detect::Program;
use hsm_thermal::extract::{BlackbodyConfig, ProcessorConfig};
use hsm_thermal::formats::ThermalFile;
use hsm_thermal::formats::{ExportFormat as StackFormat, StackWriter};
use hsm_thermal::radiometry::{Radiometry, TLinearResolution};
use hsm_thermal::screening::ScreeningConfig;
use num_complex::Complex64;
use serde::{Deserialize, Serialize};

use super::error::GateError;
use super::log::PassageLog;
use super::record::Passage;
use super::session::{GateSession, MetalSetup, SessionConfig, ThermalSetup};

/// The manifest's `format` value.
pub const FORMAT: &str = "libhsm-gate-recording";

/// `gate.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// Always [`FORMAT`].
    pub format: String,
    /// 1.
    pub version: u32,
    /// Gate id.
    pub gate_id: String,
    /// Entrance id.
    pub entrance_id: String,
    /// The thermal camera, if recorded.
    pub thermal: Option<ThermalManifest>,
    /// The metal detector, if recorded.
    pub metal: Option<MetalManifest>,
    /// The overhead counting line, if recorded.
    pub line: Option<LineManifest>,
}

/// The thermal camera in a manifest.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ThermalManifest {
    /// `tlinear-0.01` or `tlinear-0.1`.
    pub radiometry: String,
    /// Frame width.
    pub width: usize,
    /// Frame height.
    pub height: usize,
    /// The blackbody's measured region and set-point.
    pub blackbody: Option<BlackbodyManifest>,
    /// Fever line, °C.
    pub threshold_c: f64,
}

/// A blackbody in a manifest.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct BlackbodyManifest {
    /// Region left.
    pub x: u32,
    /// Region top.
    pub y: u32,
    /// Region width.
    pub w: u32,
    /// Region height.
    pub h: u32,
    /// Set-point, °C.
    pub set_point_c: f64,
}

/// The metal detector in a manifest (default coils).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MetalManifest {
    /// `hospital` or `strict`.
    pub program: String,
    /// Zones per sample frame.
    pub zones: usize,
    /// Frequencies per zone.
    pub frequencies: usize,
}

/// The counting line in a manifest.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct LineManifest {
    /// First end, x.
    pub x1: f32,
    /// First end, y.
    pub y1: f32,
    /// Second end, x.
    pub x2: f32,
    /// Second end, y.
    pub y2: f32,
}

fn fmt_err(path: &Path, message: impl Into<String>) -> GateError {
    GateError::Format {
        path: path.display().to_string(),
        message: message.into(),
    }
}

impl Manifest {
    /// The session configuration the manifest describes.
    ///
    /// # Errors
    /// [`GateError::Format`] for an unknown radiometry or program name.
    pub fn session_config(&self, path: &Path) -> Result<SessionConfig, GateError> {
        let thermal = match &self.thermal {
            Some(t) => {
                let radiometry = match t.radiometry.as_str() {
                    "tlinear-0.01" => Radiometry::TLinear(TLinearResolution::CentiKelvin),
                    "tlinear-0.1" => Radiometry::TLinear(TLinearResolution::DeciKelvin),
                    other => {
                        return Err(fmt_err(
                            path,
                            format!(
                                "thermal.radiometry {other:?}: expected tlinear-0.01 or tlinear-0.1"
                            ),
                        ));
                    }
                };
                Some(ThermalSetup {
                    processor: ProcessorConfig {
                        radiometry,
                        blackbody: t.blackbody.map(|b| {
                            BlackbodyConfig::new(
                                Rect::new(b.x, b.y, b.w, b.h),
                                hsm_core::Celsius(b.set_point_c),
                            )
                        }),
                        ..ProcessorConfig::default()
                    },
                    screening: ScreeningConfig {
                        threshold: hsm_core::Celsius(t.threshold_c),
                        ..ScreeningConfig::default()
                    },
                    ..ThermalSetup::default()
                })
            }
            None => None,
        };
        let metal = match &self.metal {
            Some(m) => Some(MetalSetup {
                program: Some(
                    Program::named(&m.program).map_err(|e| fmt_err(path, e.to_string()))?,
                ),
                ..MetalSetup::default()
            }),
            None => None,
        };
        let line = self.line.map(|l| {
            let mut c = LineConfig::new(CountingLine::new(l.x1, l.y1, l.x2, l.y2));
            c.queue_capacity = 4096;
            c
        });
        Ok(SessionConfig {
            gate_id: self.gate_id.clone(),
            entrance_id: self.entrance_id.clone(),
            thermal,
            metal,
            line,
            ..SessionConfig::default()
        })
    }
}

/// Writes a recording as the streams go by.
pub struct RecordingWriter {
    dir: PathBuf,
    frames: Option<StackWriter>,
    frame_times: Option<csv::Writer<BufWriter<File>>>,
    metal: Option<BufWriter<File>>,
    metal_times: Option<csv::Writer<BufWriter<File>>>,
    beams: csv::Writer<BufWriter<File>>,
    detections: Option<csv::Writer<BufWriter<File>>>,
    det_frame: u64,
}

impl core::fmt::Debug for RecordingWriter {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RecordingWriter")
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

fn csv_writer(path: &Path, header: &[&str]) -> Result<csv::Writer<BufWriter<File>>, GateError> {
    let f = File::create(path).map_err(|e| GateError::io(path, e))?;
    let mut w = csv::Writer::from_writer(BufWriter::new(f));
    w.write_record(header).map_err(|e| GateError::io(path, e))?;
    Ok(w)
}

impl RecordingWriter {
    /// Creates `dir` (it must not exist or be empty) with `manifest`;
    /// `frames` is the number of thermal frames that will be written.
    ///
    /// # Errors
    /// [`GateError::Io`].
    pub fn create(dir: &Path, manifest: &Manifest, frames: usize) -> Result<Self, GateError> {
        std::fs::create_dir_all(dir).map_err(|e| GateError::io(dir, e))?;
        let text = serde_json::to_string_pretty(manifest).map_err(|e| GateError::io(dir, e))?;
        std::fs::write(dir.join("gate.json"), text).map_err(|e| GateError::io(dir, e))?;
        let (frames_w, frame_times) = match &manifest.thermal {
            Some(t) => (
                Some(StackWriter::create(
                    &dir.join("thermal.npy"),
                    StackFormat::Npy,
                    false,
                    frames,
                    t.width,
                    t.height,
                )?),
                Some(csv_writer(&dir.join("thermal_times.csv"), &["t_us"])?),
            ),
            None => (None, None),
        };
        let (metal, metal_times) = match &manifest.metal {
            Some(_) => {
                let p = dir.join("metal.f64le");
                let f = File::create(&p).map_err(|e| GateError::io(&p, e))?;
                (
                    Some(BufWriter::new(f)),
                    Some(csv_writer(&dir.join("metal_times.csv"), &["t_us"])?),
                )
            }
            None => (None, None),
        };
        let detections = match &manifest.line {
            Some(_) => Some(csv_writer(
                &dir.join("detections.csv"),
                &["frame", "t_us", "x", "y", "w", "h", "score"],
            )?),
            None => None,
        };
        Ok(RecordingWriter {
            dir: dir.to_path_buf(),
            frames: frames_w,
            frame_times,
            metal,
            metal_times,
            beams: csv_writer(&dir.join("beams.csv"), &["t_us", "beam", "blocked"])?,
            detections,
            det_frame: 0,
        })
    }

    fn err(&self, name: &str, e: impl core::fmt::Display) -> GateError {
        GateError::io(&self.dir.join(name), e)
    }

    /// Records a thermal frame (packed counts).
    ///
    /// # Errors
    /// [`GateError::Io`]; [`GateError::InvalidArgument`] without a camera.
    pub fn frame(&mut self, t: Timestamp, counts: &[u16]) -> Result<(), GateError> {
        let (Some(w), Some(times)) = (&mut self.frames, &mut self.frame_times) else {
            return Err(GateError::InvalidArgument {
                field: "thermal frame",
                value: 0.0,
                expected: "a recording with a thermal camera",
            });
        };
        w.write_raw(counts)?;
        times
            .write_record([t.0.to_string()])
            .map_err(|e| GateError::io(Path::new("thermal_times.csv"), e))
    }

    /// Records a metal sample frame.
    ///
    /// # Errors
    /// [`GateError::Io`]; [`GateError::InvalidArgument`] without a detector.
    pub fn metal(&mut self, t: Timestamp, frame: &[Complex64]) -> Result<(), GateError> {
        let (Some(w), Some(times)) = (&mut self.metal, &mut self.metal_times) else {
            return Err(GateError::InvalidArgument {
                field: "metal samples",
                value: 0.0,
                expected: "a recording with a metal detector",
            });
        };
        let mut bytes = Vec::with_capacity(frame.len() * 16);
        for c in frame {
            bytes.extend_from_slice(&c.re.to_le_bytes());
            bytes.extend_from_slice(&c.im.to_le_bytes());
        }
        w.write_all(&bytes)
            .map_err(|e| GateError::io(Path::new("metal.f64le"), e))?;
        times
            .write_record([t.0.to_string()])
            .map_err(|e| GateError::io(Path::new("metal_times.csv"), e))
    }

    /// Records a beam edge.
    ///
    /// # Errors
    /// [`GateError::Io`].
    pub fn beam(&mut self, ev: &BeamEvent) -> Result<(), GateError> {
        let r = self.beams.write_record([
            ev.t.0.to_string(),
            ev.beam.name().to_owned(),
            u8::from(ev.blocked).to_string(),
        ]);
        r.map_err(|e| self.err("beams.csv", e))
    }

    /// Records one overhead-camera frame's detections.
    ///
    /// # Errors
    /// [`GateError::Io`]; [`GateError::InvalidArgument`] without a line.
    pub fn detections(&mut self, t: Timestamp, dets: &[Detection]) -> Result<(), GateError> {
        let frame = self.det_frame;
        self.det_frame += 1;
        let Some(w) = &mut self.detections else {
            return Err(GateError::InvalidArgument {
                field: "detections",
                value: 0.0,
                expected: "a recording with a counting line",
            });
        };
        let p = Path::new("detections.csv");
        if dets.is_empty() {
            w.write_record([
                frame.to_string(),
                t.0.to_string(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
            ])
            .map_err(|e| GateError::io(p, e))?;
        }
        for d in dets {
            w.write_record([
                frame.to_string(),
                t.0.to_string(),
                d.x.to_string(),
                d.y.to_string(),
                d.w.to_string(),
                d.h.to_string(),
                d.score.to_string(),
            ])
            .map_err(|e| GateError::io(p, e))?;
        }
        Ok(())
    }

    /// Flushes and closes every file.
    ///
    /// # Errors
    /// [`GateError::Io`].
    pub fn finish(self) -> Result<(), GateError> {
        let dir = self.dir.clone();
        if let Some(w) = self.frames {
            w.finish()?;
        }
        for w in [
            self.frame_times,
            self.metal_times,
            self.detections,
            Some(self.beams),
        ]
        .into_iter()
        .flatten()
        {
            w.into_inner()
                .map_err(|e| GateError::io(&dir, e.to_string()))?
                .flush()
                .map_err(|e| GateError::io(&dir, e))?;
        }
        if let Some(mut w) = self.metal {
            w.flush().map_err(|e| GateError::io(&dir, e))?;
        }
        Ok(())
    }
}

/// What a replay did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ReplaySummary {
    /// Thermal frames fed.
    pub frames: u64,
    /// Metal sample frames fed.
    pub metal_samples: u64,
    /// Beam edges fed.
    pub beam_events: u64,
    /// Overhead frames fed.
    pub detection_frames: u64,
    /// Passages written.
    pub passages: u64,
}

fn read_times(path: &Path) -> Result<Vec<i64>, GateError> {
    let mut r = csv::Reader::from_path(path).map_err(|e| GateError::io(path, e))?;
    let mut out = Vec::new();
    for (i, rec) in r.records().enumerate() {
        let rec = rec.map_err(|e| fmt_err(path, e.to_string()))?;
        let t = rec
            .get(0)
            .and_then(|s| s.trim().parse::<i64>().ok())
            .ok_or_else(|| fmt_err(path, format!("row {}: t_us is not an integer", i + 2)))?;
        out.push(t);
    }
    Ok(out)
}

fn read_beams(path: &Path) -> Result<Vec<BeamEvent>, GateError> {
    let mut r = csv::Reader::from_path(path).map_err(|e| GateError::io(path, e))?;
    let mut out = Vec::new();
    for (i, rec) in r.records().enumerate() {
        let rec = rec.map_err(|e| fmt_err(path, e.to_string()))?;
        let row = i + 2;
        let t = rec.get(0).and_then(|s| s.trim().parse::<i64>().ok());
        let beam = match rec.get(1).map(str::trim) {
            Some("A" | "a") => Some(Beam::A),
            Some("B" | "b") => Some(Beam::B),
            _ => None,
        };
        let blocked = match rec.get(2).map(str::trim) {
            Some("1") => Some(true),
            Some("0") => Some(false),
            _ => None,
        };
        match (t, beam, blocked) {
            (Some(t), Some(beam), Some(blocked)) => out.push(BeamEvent {
                t: Timestamp(t),
                beam,
                blocked,
            }),
            _ => return Err(fmt_err(path, format!("row {row}: expected t_us,A|B,1|0"))),
        }
    }
    Ok(out)
}

/// (t, detections) per overhead frame.
fn read_detections(path: &Path) -> Result<Vec<(i64, Vec<Detection>)>, GateError> {
    let mut r = csv::Reader::from_path(path).map_err(|e| GateError::io(path, e))?;
    let mut out: Vec<(u64, i64, Vec<Detection>)> = Vec::new();
    for (i, rec) in r.records().enumerate() {
        let rec = rec.map_err(|e| fmt_err(path, e.to_string()))?;
        let row = i + 2;
        let bad = || {
            fmt_err(
                path,
                format!("row {row}: expected frame,t_us,x,y,w,h,score"),
            )
        };
        let frame: u64 = rec
            .get(0)
            .and_then(|s| s.trim().parse().ok())
            .ok_or_else(bad)?;
        let t: i64 = rec
            .get(1)
            .and_then(|s| s.trim().parse().ok())
            .ok_or_else(bad)?;
        if out.last().is_none_or(|l| l.0 != frame) {
            out.push((frame, t, Vec::new()));
        }
        if rec.get(2).is_some_and(|s| !s.trim().is_empty()) {
            let f = |k: usize| -> Result<f32, GateError> {
                rec.get(k)
                    .and_then(|s| s.trim().parse().ok())
                    .ok_or_else(bad)
            };
            let d = Detection {
                x: f(2)?,
                y: f(3)?,
                w: f(4)?,
                h: f(5)?,
                score: f(6)?,
            };
            if let Some(last) = out.last_mut() {
                last.2.push(d);
            }
        }
    }
    Ok(out.into_iter().map(|(_, t, d)| (t, d)).collect())
}

/// Replays the recording in `dir` through a gate built from its manifest,
/// appending every passage to `log`; `on_passage` sees each (after the log
/// acknowledged it).
///
/// # Errors
/// [`GateError::Io`] / [`GateError::Format`] for a missing or malformed
/// file (naming it and the row); the session's and the log's errors.
pub fn replay(
    dir: &Path,
    log: &mut PassageLog,
    mut on_passage: impl FnMut(&Passage),
) -> Result<ReplaySummary, GateError> {
    let mpath = dir.join("gate.json");
    let text = std::fs::read_to_string(&mpath).map_err(|e| GateError::io(&mpath, e))?;
    let manifest: Manifest =
        serde_json::from_str(&text).map_err(|e| fmt_err(&mpath, e.to_string()))?;
    if manifest.format != FORMAT || manifest.version != 1 {
        return Err(fmt_err(
            &mpath,
            format!(
                "format {:?} version {}: expected {FORMAT:?} version 1",
                manifest.format, manifest.version
            ),
        ));
    }
    let mut session = GateSession::new(manifest.session_config(&mpath)?)?;

    // Thermal: frames read one at a time.
    let (mut thermal, frame_times) = match &manifest.thermal {
        Some(t) => {
            let file = ThermalFile::open(dir.join("thermal.npy"))?;
            let times = read_times(&dir.join("thermal_times.csv"))?;
            if times.len() != file.frame_count() {
                return Err(fmt_err(
                    &dir.join("thermal_times.csv"),
                    format!("{} times for {} frames", times.len(), file.frame_count()),
                ));
            }
            (Some((file, t.width, t.height)), times)
        }
        None => (None, Vec::new()),
    };
    // Metal: sample frames read one at a time.
    let (mut metal, metal_times, per) = match &manifest.metal {
        Some(m) => {
            let p = dir.join("metal.f64le");
            let f = File::open(&p).map_err(|e| GateError::io(&p, e))?;
            let len = f.metadata().map_err(|e| GateError::io(&p, e))?.len();
            let per = m.zones * m.frequencies;
            let times = read_times(&dir.join("metal_times.csv"))?;
            if per == 0 || len != times.len() as u64 * per as u64 * 16 {
                return Err(fmt_err(
                    &p,
                    format!(
                        "{len} bytes for {} sample frames of {per} complex samples",
                        times.len()
                    ),
                ));
            }
            (Some(BufReader::new(f)), times, per)
        }
        None => (None, Vec::new(), 0),
    };
    let beams = read_beams(&dir.join("beams.csv"))?;
    let detections = match &manifest.line {
        Some(_) => read_detections(&dir.join("detections.csv"))?,
        None => Vec::new(),
    };

    let mut s = ReplaySummary::default();
    let (mut mi, mut bi, mut di, mut fi) = (0usize, 0usize, 0usize, 0usize);
    let mut raw = Vec::new();
    let mut sample = vec![Complex64::new(0.0, 0.0); per];
    let mut bytes = vec![0u8; per * 16];
    let mut out = Vec::new();
    loop {
        let cands = [
            metal_times.get(mi).copied(),
            beams.get(bi).map(|e| e.t.0),
            detections.get(di).map(|d| d.0),
            frame_times.get(fi).copied(),
        ];
        let Some((k, _)) = cands
            .iter()
            .enumerate()
            .filter_map(|(k, t)| t.map(|t| (k, t)))
            .min_by_key(|&(k, t)| (t, k))
        else {
            break;
        };
        match k {
            0 => {
                if let Some(r) = &mut metal {
                    r.read_exact(&mut bytes)
                        .map_err(|e| GateError::io(&dir.join("metal.f64le"), e))?;
                    for (c, b) in sample.iter_mut().zip(bytes.chunks_exact(16)) {
                        let re = f64::from_le_bytes(b[..8].try_into().unwrap_or([0; 8]));
                        let im = f64::from_le_bytes(b[8..].try_into().unwrap_or([0; 8]));
                        *c = Complex64::new(re, im);
                    }
                    session.push_metal(Timestamp(metal_times[mi]), &sample)?;
                }
                mi += 1;
                s.metal_samples += 1;
            }
            1 => {
                session.push_beam(beams[bi])?;
                bi += 1;
                s.beam_events += 1;
            }
            2 => {
                let (t, d) = &detections[di];
                session.push_detections(Timestamp(*t), d)?;
                di += 1;
                s.detection_frames += 1;
            }
            _ => {
                if let Some((file, w, h)) = &mut thermal {
                    file.read_raw(fi, &mut raw)?;
                    let view = FrameView::packed(&raw, *w, *h)?;
                    session.push_frame(Timestamp(frame_times[fi]), &view)?;
                }
                fi += 1;
                s.frames += 1;
            }
        }
        if session.ready() > 0 {
            out.clear();
            session.poll(&mut out);
            log.append_all(&mut out)?;
            out.iter().for_each(&mut on_passage);
            s.passages += out.len() as u64;
        }
    }
    session.finish()?;
    out.clear();
    session.poll(&mut out);
    log.append_all(&mut out)?;
    out.iter().for_each(&mut on_passage);
    s.passages += out.len() as u64;
    Ok(s)
}
