//! `hsm metal …`: MPT-Calculator import, the gate simulator, passage
//! classification and whole-object evaluation.
//!
//! Passage files are NumPy `.npy` arrays of complex128 samples of shape
//! `(N, T, Z, F)` (or `(T, Z, F)` for one passage): N passages of T frames
//! of Z zones × F frequencies, as `numpy.load` reads them, for the default
//! gate (18 zones, 4 frequencies 1/3/9/27 kHz, 200 Hz).

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read as _, Write as _};
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand, ValueEnum};
use hsm::metal::classify::TrainConfig;
use hsm::metal::detect::{Decision, Detector, PassageResult, Program};
use hsm::metal::eval::{LabelledObject, ObjectCvReport, evaluate_objects};
use hsm::metal::gate::{Gate, GateConfig, MAX_FRAMES, Passage};
use hsm::metal::library::{ObjectClass, builtin};
use hsm::metal::sim::{BodyLocation, Carried, SimConfig, Simulator};
use hsm::metal::train::default_model;
use hsm::metal::{MetalError, ObjectFile, Signature, import_mpt_dir};
use ndarray_npy::npy::header::{Header, Layout};
use num_complex::Complex64;
use py_literal::Value as PyValue;
use serde::Serialize;

use crate::error::CliError;
use crate::npy::shape_string;
use crate::output::{self, Format};

/// The most passages one file may hold.
const MAX_PASSES: usize = 100_000;

/// `hsm metal` subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum MetalCommand {
    /// Import an MPT-Calculator folder (Frequencies.csv, Tensors.csv, optional N0.csv) as an object file.
    ImportMpt(ImportArgs),
    /// Simulate passages carrying an object: writes a complex128 .npy (N, T, Z, F).
    Simulate(SimulateArgs),
    /// Classify every passage of a .npy passage file (one result per passage).
    Classify(ClassifyArgs),
    /// Whole-object cross-validation of an object list (LIST.csv: path,label,group,threat).
    Evaluate(EvaluateArgs),
}

/// Arguments of `hsm metal import-mpt`.
#[derive(Debug, Args)]
pub(crate) struct ImportArgs {
    /// The MPT-Calculator output folder.
    #[arg(value_name = "DIR")]
    pub(crate) dir: PathBuf,
    /// The object's label.
    #[arg(long, value_name = "NAME")]
    pub(crate) label: String,
    /// Mark the object as a threat (1) or innocuous (0) in the file.
    #[arg(long, value_name = "0|1")]
    pub(crate) threat: Option<u8>,
    /// Object file to write.
    #[arg(long, value_name = "OBJ.json")]
    pub(crate) out: PathBuf,
}

/// Where the simulated object is carried.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum LocationArg {
    /// A random body location per passage.
    Random,
    /// Head.
    Head,
    /// Neck.
    Neck,
    /// Chest.
    Chest,
    /// Belt, front.
    WaistFront,
    /// Belt, back.
    WaistBack,
    /// Left wrist.
    LeftWrist,
    /// Right wrist.
    RightWrist,
    /// Left trouser pocket.
    LeftPocket,
    /// Right trouser pocket.
    RightPocket,
    /// Left thigh.
    LeftThigh,
    /// Right thigh.
    RightThigh,
    /// Left ankle.
    LeftAnkle,
    /// Right ankle.
    RightAnkle,
    /// Left shoe.
    LeftShoe,
    /// Right shoe.
    RightShoe,
}

impl LocationArg {
    fn location(self) -> Option<BodyLocation> {
        use BodyLocation as B;
        Some(match self {
            LocationArg::Random => return None,
            LocationArg::Head => B::Head,
            LocationArg::Neck => B::Neck,
            LocationArg::Chest => B::Chest,
            LocationArg::WaistFront => B::WaistFront,
            LocationArg::WaistBack => B::WaistBack,
            LocationArg::LeftWrist => B::LeftWrist,
            LocationArg::RightWrist => B::RightWrist,
            LocationArg::LeftPocket => B::LeftPocket,
            LocationArg::RightPocket => B::RightPocket,
            LocationArg::LeftThigh => B::LeftThigh,
            LocationArg::RightThigh => B::RightThigh,
            LocationArg::LeftAnkle => B::LeftAnkle,
            LocationArg::RightAnkle => B::RightAnkle,
            LocationArg::LeftShoe => B::LeftShoe,
            LocationArg::RightShoe => B::RightShoe,
        })
    }
}

/// Arguments of `hsm metal simulate`.
#[derive(Debug, Args)]
pub(crate) struct SimulateArgs {
    /// A built-in object name (see `hsm metal simulate --object list`), a
    /// class name (its first built-in object), `none` (empty passages), or
    /// an object file (OBJ.json).
    #[arg(long, value_name = "BUILTIN|OBJ.json")]
    pub(crate) object: String,
    /// Passages to simulate.
    #[arg(long, value_name = "N")]
    pub(crate) passes: usize,
    /// Seed: the same seed writes the same bytes.
    #[arg(long, value_name = "S", default_value_t = 1)]
    pub(crate) seed: u64,
    /// Where the object is carried.
    #[arg(long, value_enum, default_value_t = LocationArg::Random)]
    pub(crate) location: LocationArg,
    /// The passage file to write (.npy, complex128, shape (N, T, Z, F)).
    #[arg(long, value_name = "FILE")]
    pub(crate) out: PathBuf,
}

/// Sensitivity program of `hsm metal classify`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum ProgramArg {
    /// Threats alarm, uncertain objects are re-checked, everyday items pass.
    Hospital,
    /// Any metal above the threshold alarms.
    Strict,
}

/// Arguments of `hsm metal classify`.
#[derive(Debug, Args)]
pub(crate) struct ClassifyArgs {
    /// The passage file (.npy complex128, (N, T, Z, F) or (T, Z, F)).
    #[arg(value_name = "FILE")]
    pub(crate) file: PathBuf,
    /// Sensitivity program.
    #[arg(long, value_enum, default_value_t = ProgramArg::Hospital)]
    pub(crate) program: ProgramArg,
    /// A classifier model file (default: the shipped model).
    #[arg(long, value_name = "MODEL.json")]
    pub(crate) model: Option<PathBuf>,
}

/// Arguments of `hsm metal evaluate`.
#[derive(Debug, Args)]
pub(crate) struct EvaluateArgs {
    /// The object list: a header row and the columns `path,label,group,threat`.
    #[arg(long, value_name = "LIST.csv")]
    pub(crate) objects: PathBuf,
    /// Folds (whole groups are held out together).
    #[arg(long, value_name = "K", default_value_t = 5)]
    pub(crate) folds: usize,
    /// Seed of the simulation and the fold split.
    #[arg(long, value_name = "S", default_value_t = 1)]
    pub(crate) seed: u64,
    /// Simulated passages per object.
    #[arg(long, value_name = "N", default_value_t = 8)]
    pub(crate) passes: usize,
}

fn default_gate() -> Result<Gate, CliError> {
    Ok(Gate::new(GateConfig::default()).map_err(hsm::Error::from)?)
}

fn metal_err(e: MetalError) -> CliError {
    CliError::from(hsm::Error::from(e))
}

fn read_text(path: &Path) -> Result<String, CliError> {
    std::fs::read_to_string(path).map_err(|e| {
        let err = CliError::failure(format!("cannot read {}: {e}", path.display()));
        if e.kind() == io::ErrorKind::NotFound {
            err.hint("check the path")
        } else {
            err
        }
    })
}

/// Writes `bytes` to a temporary file beside `dest` and renames it into place.
fn write_atomic(
    dest: &Path,
    write: impl FnOnce(&mut BufWriter<File>) -> io::Result<()>,
) -> Result<(), CliError> {
    let shown = dest.display().to_string();
    if dest.is_dir() {
        return Err(CliError::failure(format!(
            "cannot write {shown}: it is a directory"
        )));
    }
    let mut name = dest.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".{}.partial", std::process::id()));
    let tmp = dest.with_file_name(name);
    let res = (|| {
        let file = File::create(&tmp)?;
        let mut w = BufWriter::new(file);
        write(&mut w)?;
        let file = w.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&tmp, dest)
    })();
    res.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        let err = CliError::failure(format!("cannot write {shown}: {e}"));
        if e.kind() == io::ErrorKind::NotFound {
            err.hint("the output's directory must exist")
        } else {
            err
        }
    })
}

// ---------------------------------------------------------------- import-mpt

/// The result of `hsm metal import-mpt`.
#[derive(Debug, Serialize)]
pub(crate) struct ImportReport {
    /// The label written.
    pub(crate) label: String,
    /// Frequency rows imported.
    pub(crate) frequencies: usize,
    /// Lowest angular frequency (rad/s).
    pub(crate) omega_min: f64,
    /// Highest angular frequency (rad/s).
    pub(crate) omega_max: f64,
    /// Whether N0.csv was present.
    pub(crate) n0: bool,
    /// Threat flag written, if any.
    pub(crate) threat: Option<bool>,
    /// The object file written.
    pub(crate) out: String,
}

/// `hsm metal import-mpt`.
pub(crate) fn import_mpt(args: &ImportArgs, format: Format) -> Result<String, CliError> {
    let threat = match args.threat {
        None => None,
        Some(0) => Some(false),
        Some(1) => Some(true),
        Some(v) => {
            return Err(CliError::usage(format!("--threat: {v} is not 0 or 1")));
        }
    };
    let sig = import_mpt_dir(&args.dir, &args.label).map_err(metal_err)?;
    let file = ObjectFile::new(sig, threat);
    let text = file.to_json().map_err(metal_err)?;
    write_atomic(&args.out, |w| w.write_all(text.as_bytes()))?;
    let s = &file.signature;
    let r = ImportReport {
        label: s.label.clone(),
        frequencies: s.omegas.len(),
        omega_min: s.omegas.first().copied().unwrap_or(f64::NAN),
        omega_max: s.omegas.last().copied().unwrap_or(f64::NAN),
        n0: s.n0.is_some(),
        threat,
        out: args.out.display().to_string(),
    };
    let head = [
        "label",
        "frequencies",
        "omega_min",
        "omega_max",
        "n0",
        "threat",
        "out",
    ];
    let row = vec![
        r.label.clone(),
        r.frequencies.to_string(),
        r.omega_min.to_string(),
        r.omega_max.to_string(),
        r.n0.to_string(),
        r.threat.map_or(String::new(), |t| u8::from(t).to_string()),
        r.out.clone(),
    ];
    render(&r, &head, &[row], format)
}

fn render<T: Serialize>(
    value: &T,
    head: &[&str],
    rows: &[Vec<String>],
    format: Format,
) -> Result<String, CliError> {
    Ok(match format {
        Format::Json => output::json(value)?,
        Format::Csv => {
            let mut s = String::new();
            output::csv_record(&mut s, head);
            for r in rows {
                output::csv_record(&mut s, r);
            }
            s
        }
        Format::Table => {
            let mut t = output::table(head);
            for r in rows {
                t.add_row(r.clone());
            }
            format!("{t}\n")
        }
    })
}

// ------------------------------------------------------------------ simulate

/// What is carried in `hsm metal simulate`.
fn resolve_object(spec: &str, gate: &Gate) -> Result<Option<Signature>, CliError> {
    if spec == "none" {
        return Ok(None);
    }
    let lib = builtin();
    if let Some(o) = lib
        .iter()
        .find(|o| o.name == spec)
        .or_else(|| ObjectClass::from_name(spec).and_then(|c| lib.iter().find(|o| o.class == c)))
    {
        return Ok(Some(o.signature(gate.omegas()).map_err(metal_err)?));
    }
    let path = Path::new(spec);
    if path.extension().is_some_and(|e| e == "json") || path.exists() {
        let text = read_text(path)?;
        let f = ObjectFile::from_json(spec, &text).map_err(metal_err)?;
        return Ok(Some(
            f.signature.resampled(gate.omegas()).map_err(metal_err)?,
        ));
    }
    let names: Vec<&str> = lib.iter().map(|o| o.name.as_str()).collect();
    Err(CliError::usage(format!(
        "--object: {spec:?} is not a built-in object, a class, `none` or an object file"
    ))
    .hint(format!("built-in objects: {}", names.join(", "))))
}

/// One simulated passage's truth.
#[derive(Debug, Serialize)]
pub(crate) struct SimRow {
    /// Passage index.
    pub(crate) passage: usize,
    /// Object label (empty for none).
    pub(crate) object: String,
    /// Body location (empty for none).
    pub(crate) location: String,
    /// Walking speed (m/s).
    pub(crate) speed_m_s: f64,
    /// Crossing time (s from the passage start).
    pub(crate) crossing_s: f64,
    /// Object height when crossing (m).
    pub(crate) height_m: Option<f64>,
}

/// The result of `hsm metal simulate`.
#[derive(Debug, Serialize)]
pub(crate) struct SimReport {
    /// File written.
    pub(crate) out: String,
    /// Array shape (N, T, Z, F).
    pub(crate) shape: [usize; 4],
    /// Seed.
    pub(crate) seed: u64,
    /// Truth per passage.
    pub(crate) passages: Vec<SimRow>,
}

/// The complex128 `.npy` header for `shape`.
fn write_header(w: &mut impl io::Write, shape: &[usize]) -> io::Result<()> {
    Header {
        type_descriptor: PyValue::String("<c16".into()),
        layout: Layout::Standard,
        shape: shape.to_vec(),
    }
    .write(w)
    .map_err(io::Error::other)
}

/// `hsm metal simulate`.
pub(crate) fn simulate(args: &SimulateArgs, format: Format) -> Result<String, CliError> {
    if args.passes == 0 || args.passes > MAX_PASSES {
        return Err(CliError::usage(format!(
            "--passes: {} is not between 1 and {MAX_PASSES}",
            args.passes
        )));
    }
    let gate = default_gate()?;
    let sig = resolve_object(&args.object, &gate)?;
    let mut sim =
        Simulator::new(gate.clone(), SimConfig::default(), args.seed).map_err(metal_err)?;
    let mut loc_rng = hsm::core::rng::SplitMix64::new(args.seed ^ 0x10CA_7105);
    let (z, f) = (gate.zones(), gate.frequencies());
    let mut rows = Vec::with_capacity(args.passes);
    let mut frames = 0;
    let mut data: Vec<u8> = Vec::new();
    for i in 0..args.passes {
        let location = args.location.location().unwrap_or_else(|| {
            let k = (loc_rng.next_u64() % BodyLocation::ALL.len() as u64) as usize;
            BodyLocation::ALL[k]
        });
        let items: Vec<Carried> = sig
            .iter()
            .map(|s| Carried {
                signature: s.clone(),
                location,
                orientation: None,
            })
            .collect();
        let (p, truth) = sim.passage(&items).map_err(metal_err)?;
        frames = p.frames();
        for v in p.samples() {
            data.extend_from_slice(&v.re.to_le_bytes());
            data.extend_from_slice(&v.im.to_le_bytes());
        }
        rows.push(SimRow {
            passage: i,
            object: sig.as_ref().map_or(String::new(), |s| s.label.clone()),
            location: if sig.is_some() {
                location.name().to_owned()
            } else {
                String::new()
            },
            speed_m_s: truth.speed_m_s,
            crossing_s: truth.crossing_s,
            height_m: truth.objects.first().map(|o| o.2),
        });
    }
    let shape = [args.passes, frames, z, f];
    write_atomic(&args.out, |w| {
        write_header(w, &shape)?;
        w.write_all(&data)
    })?;
    let r = SimReport {
        out: args.out.display().to_string(),
        shape,
        seed: args.seed,
        passages: rows,
    };
    let head = [
        "passage",
        "object",
        "location",
        "speed_m_s",
        "crossing_s",
        "height_m",
    ];
    let rows: Vec<Vec<String>> = r
        .passages
        .iter()
        .map(|p| {
            vec![
                p.passage.to_string(),
                p.object.clone(),
                p.location.clone(),
                format!("{:.3}", p.speed_m_s),
                format!("{:.3}", p.crossing_s),
                p.height_m.map_or(String::new(), |h| format!("{h:.3}")),
            ]
        })
        .collect();
    render(&r, &head, &rows, format)
}

// ------------------------------------------------------------------ classify

/// A validated complex128 passage file.
struct PassageFile {
    reader: BufReader<File>,
    passes: usize,
    frames: usize,
    big_endian: bool,
}

const PASSAGE_EXPECTED: &str = "expected a complex128 array of shape (N, T, Z, F) or (T, Z, F) as written by `hsm metal simulate` (default gate: Z = 18 zones, F = 4 frequencies)";

fn open_passages(path: &Path, gate: &Gate) -> Result<PassageFile, CliError> {
    let crate::npy::NpyOpen {
        shown,
        reader,
        header,
        file_len,
        data_start: start,
    } = crate::npy::open_npy(path)?;
    let big_endian = match &header.type_descriptor {
        PyValue::String(s) if s == "<c16" => false,
        PyValue::String(s) if s == ">c16" => true,
        other => {
            return Err(
                CliError::usage(format!("{shown} holds {other}, not complex128 samples"))
                    .hint(PASSAGE_EXPECTED),
            );
        }
    };
    if header.layout == Layout::Fortran {
        return Err(CliError::usage(format!("{shown} is in Fortran order"))
            .hint("save a C-ordered array (numpy.ascontiguousarray)"));
    }
    let shape = header.shape.clone();
    let (n, t, z, f) = match shape[..] {
        [t, z, f] => (1, t, z, f),
        [n, t, z, f] => (n, t, z, f),
        _ => {
            return Err(
                CliError::usage(format!("{shown} has shape {}", shape_string(&shape)))
                    .hint(PASSAGE_EXPECTED),
            );
        }
    };
    if z != gate.zones()
        || f != gate.frequencies()
        || t == 0
        || t > MAX_FRAMES
        || n == 0
        || n > MAX_PASSES
    {
        return Err(CliError::usage(format!(
            "{shown} has shape {}: not 1..{MAX_PASSES} passages of 1..{MAX_FRAMES} frames × {} zones × {} frequencies",
            shape_string(&shape),
            gate.zones(),
            gate.frequencies()
        ))
        .hint(PASSAGE_EXPECTED));
    }
    let want = (n * t * z * f) as u64 * 16;
    let have = file_len.saturating_sub(start);
    if want != have {
        return Err(CliError::failure(format!(
            "{shown} is corrupt: its header promises {want} bytes of samples for shape {}, but {have} follow",
            shape_string(&shape)
        )));
    }
    Ok(PassageFile {
        reader,
        passes: n,
        frames: t,
        big_endian,
    })
}

impl PassageFile {
    fn read(&mut self, gate: &Gate, buf: &mut Vec<u8>) -> Result<Passage, CliError> {
        let (z, f) = (gate.zones(), gate.frequencies());
        buf.resize(self.frames * z * f * 16, 0);
        self.reader
            .read_exact(buf)
            .map_err(|e| CliError::failure(format!("cannot read the passage file: {e}")))?;
        let mut samples = Vec::with_capacity(self.frames * z * f);
        for c in buf.chunks_exact(16) {
            let mut a = [0u8; 8];
            let mut b = [0u8; 8];
            a.copy_from_slice(&c[..8]);
            b.copy_from_slice(&c[8..]);
            let (re, im) = if self.big_endian {
                (f64::from_be_bytes(a), f64::from_be_bytes(b))
            } else {
                (f64::from_le_bytes(a), f64::from_le_bytes(b))
            };
            samples.push(Complex64::new(re, im));
        }
        if let Some(k) = samples.iter().position(|v| !v.is_finite()) {
            return Err(CliError::usage(format!(
                "sample {k} of a passage is not finite (NaN or infinite)"
            )));
        }
        Passage::new(z, f, samples).map_err(metal_err)
    }
}

/// One classified passage.
#[derive(Debug, Serialize)]
pub(crate) struct ClassifyRow {
    /// Passage index in the file.
    pub(crate) passage: usize,
    /// The decision is alarm.
    pub(crate) alarm: bool,
    /// `pass`, `recheck` or `alarm`.
    pub(crate) decision: &'static str,
    /// Most probable class (null when nothing is detected or not classified).
    pub(crate) class: Option<&'static str>,
    /// Its calibrated probability.
    pub(crate) confidence: f64,
    /// Probability that the object is a threat.
    pub(crate) threat: f64,
    /// Height band (null when nothing is detected).
    pub(crate) height_band: Option<&'static str>,
    /// Side (null when nothing is detected).
    pub(crate) side: Option<&'static str>,
    /// Metal above the program's threshold was found.
    pub(crate) detected: bool,
    /// Largest estimated tensor norm (m³).
    pub(crate) size_m3: f64,
    /// Estimated position [x, z] in the coil plane (m).
    pub(crate) position_m: [f64; 2],
    /// Time of the peak (s from the passage start).
    pub(crate) peak_s: f64,
}

fn row_of(i: usize, r: &PassageResult) -> ClassifyRow {
    ClassifyRow {
        passage: i,
        alarm: r.decision == Decision::Alarm,
        decision: r.decision.name(),
        class: r.class.map(ObjectClass::name),
        confidence: r.confidence,
        threat: r.threat_probability,
        height_band: r.height_band.map(|h| h.name()),
        side: r.side.map(|s| s.name()),
        detected: r.detected,
        size_m3: r.size_m3,
        position_m: r.position_m,
        peak_s: r.peak_s,
    }
}

/// `hsm metal classify`.
pub(crate) fn classify(args: &ClassifyArgs, format: Format) -> Result<String, CliError> {
    let gate = default_gate()?;
    let model = match &args.model {
        Some(p) => hsm::metal::classify::Model::from_json(&p.display().to_string(), &read_text(p)?)
            .map_err(metal_err)?,
        None => default_model().map_err(metal_err)?,
    };
    let program = Program::named(match args.program {
        ProgramArg::Hospital => "hospital",
        ProgramArg::Strict => "strict",
    })
    .map_err(metal_err)?;
    let mut det = Detector::new(&gate, program, Some(model)).map_err(metal_err)?;
    let mut file = open_passages(&args.file, &gate)?;
    let mut buf = Vec::new();
    let mut rows = Vec::with_capacity(file.passes);
    for i in 0..file.passes {
        let p = file.read(&gate, &mut buf)?;
        let r = det.process(&p).map_err(metal_err)?;
        rows.push(row_of(i, &r));
    }
    let head = [
        "passage",
        "alarm",
        "decision",
        "class",
        "confidence",
        "threat",
        "height_band",
        "side",
    ];
    let table: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.passage.to_string(),
                r.alarm.to_string(),
                r.decision.to_owned(),
                r.class.unwrap_or("").to_owned(),
                format!("{:.4}", r.confidence),
                format!("{:.4}", r.threat),
                r.height_band.unwrap_or("").to_owned(),
                r.side.unwrap_or("").to_owned(),
            ]
        })
        .collect();
    render(&rows, &head, &table, format)
}

// ------------------------------------------------------------------ evaluate

fn read_list(path: &Path) -> Result<Vec<LabelledObject>, CliError> {
    let shown = path.display().to_string();
    let text = read_text(path)?;
    let base = path.parent().unwrap_or(Path::new("."));
    let mut rdr = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = rdr
        .headers()
        .map_err(|e| CliError::failure(format!("{shown}: {e}")))?
        .clone();
    let col = |name: &str| {
        headers.iter().position(|h| h == name).ok_or_else(|| {
            CliError::usage(format!("{shown}: no column {name:?}"))
                .hint("LIST.csv needs a header row with the columns path,label,group,threat")
        })
    };
    let (cp, cl, cg, ct) = (col("path")?, col("label")?, col("group")?, col("threat")?);
    let mut out = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let line = i + 2;
        let rec = rec.map_err(|e| CliError::failure(format!("{shown}:{line}: {e}")))?;
        let field = |c: usize| rec.get(c).unwrap_or("");
        let threat = match field(ct) {
            "1" => true,
            "0" => false,
            v => {
                return Err(CliError::usage(format!(
                    "{shown}:{line}: threat is {v:?}, not 1 or 0"
                )));
            }
        };
        let (label, group) = (field(cl).to_owned(), field(cg).to_owned());
        if label.is_empty() || group.is_empty() {
            return Err(CliError::usage(format!(
                "{shown}:{line}: empty label or group"
            )));
        }
        let p = base.join(field(cp));
        if !p.exists() {
            return Err(CliError::failure(format!(
                "{shown}:{line}: {} does not exist",
                p.display()
            ))
            .hint("paths are relative to the list's folder"));
        }
        out.push(LabelledObject::load(&p, &label, &group, threat).map_err(metal_err)?);
    }
    if out.is_empty() {
        return Err(CliError::usage(format!("{shown}: no objects listed")));
    }
    Ok(out)
}

/// `hsm metal evaluate`.
pub(crate) fn evaluate(args: &EvaluateArgs, format: Format) -> Result<String, CliError> {
    let gate = default_gate()?;
    let objects = read_list(&args.objects)?;
    let r: ObjectCvReport = evaluate_objects(
        &gate,
        &objects,
        args.folds,
        args.passes,
        &TrainConfig::default(),
        args.seed,
    )
    .map_err(metal_err)?;
    let head = [
        "objects",
        "groups",
        "folds",
        "examples",
        "threat_detection_rate",
        "false_alarm_rate",
        "accuracy",
        "threat_detection_at_5pct_fa",
    ];
    let row = vec![
        r.objects.to_string(),
        r.groups.to_string(),
        r.folds.to_string(),
        r.examples.to_string(),
        format!("{:.4}", r.threat_detection_rate),
        format!("{:.4}", r.false_alarm_rate),
        format!("{:.4}", r.accuracy),
        format!("{:.4}", r.threat_detection_at_5pct_fa),
    ];
    render(&r, &head, &[row], format)
}
