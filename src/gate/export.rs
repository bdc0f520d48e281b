//! Exports of the passage log for analysts: CSV, JSON Lines and Parquet.
//!
//! All three stream: rows go from SQLite to the file one at a time (Parquet:
//! one row group of [`ROW_GROUP`] rows at a time), so a year of passages
//! never has to fit in memory. All three have the same flat columns
//! ([`ExportRow`]); Parquet types `entry_us`/`exit_us` as
//! `TIMESTAMP(MICROS, UTC)`, so pandas, Polars, DuckDB and Spark read them as
//! timestamps. Tokens are dropped by default ([`TokenExport`]).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::sync::Arc;

use parquet::basic::Compression;
use parquet::data_type::{BoolType, ByteArray, ByteArrayType, DoubleType, Int32Type, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;
use serde::Serialize;

use super::error::GateError;
use super::log::{PassageLog, Query};
use super::record::{Alarms, Passage, PassageFlags, TokenHash};
use super::token::SiteKey;

/// Rows per Parquet row group.
pub const ROW_GROUP: usize = 65_536;

/// Export file format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFormat {
    /// Comma-separated values with a header row (RFC 4180 quoting).
    Csv,
    /// One JSON object per line.
    JsonLines,
    /// Apache Parquet, Snappy-compressed.
    Parquet,
}

impl ExportFormat {
    /// `"csv"`, `"jsonl"`, `"parquet"`.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::JsonLines => "jsonl",
            ExportFormat::Parquet => "parquet",
        }
    }

    /// The inverse of [`ExportFormat::name`].
    #[must_use]
    pub fn from_name(s: &str) -> Option<Self> {
        match s {
            "csv" => Some(ExportFormat::Csv),
            "jsonl" => Some(ExportFormat::JsonLines),
            "parquet" => Some(ExportFormat::Parquet),
            _ => None,
        }
    }
}

/// What an export does with person-token hashes.
#[derive(Clone, Debug, Default)]
pub enum TokenExport {
    /// Leave the column empty (the default: an analyst rarely needs them).
    #[default]
    Drop,
    /// The stored keyed hash, hex.
    Hash,
    /// A pseudonym: the stored hash hashed again under an export key, so
    /// that the export links passages of one person to each other but not to
    /// the log or to another export.
    Pseudonymise(SiteKey),
}

/// One exported row: the passage, flattened.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ExportRow {
    /// Row id.
    pub id: i64,
    /// Gate.
    pub gate: String,
    /// Entrance.
    pub entrance: String,
    /// Entry time, µs since the Unix epoch (UTC).
    pub entry_us: i64,
    /// Exit time, µs since the Unix epoch (UTC).
    pub exit_us: i64,
    /// `in`, `out`, `unknown`.
    pub direction: &'static str,
    /// People in the record.
    pub persons: u32,
    /// Apparent site temperature, °C.
    pub site_c: Option<f64>,
    /// Blackbody-corrected site temperature, °C.
    pub corrected_c: Option<f64>,
    /// Body temperature estimate, °C.
    pub body_c: Option<f64>,
    /// `normal`, `fever`, `recheck`.
    pub thermal_outcome: Option<&'static str>,
    /// Readings.
    pub thermal_readings: Option<u32>,
    /// Thermal quality flag bits.
    pub thermal_flags: Option<u32>,
    /// Metal detected.
    pub metal_detected: Option<bool>,
    /// `pass`, `recheck`, `alarm`.
    pub metal_decision: Option<String>,
    /// Object class.
    pub metal_class: Option<String>,
    /// Class confidence.
    pub metal_confidence: Option<f64>,
    /// Threat probability.
    pub metal_threat_p: Option<f64>,
    /// Height band.
    pub metal_height_band: Option<String>,
    /// Side.
    pub metal_side: Option<String>,
    /// Alarm names joined by `|` (empty: none).
    pub alarms: String,
    /// Flag names joined by `|`.
    pub flags: String,
    /// Token hash or pseudonym (hex), per [`TokenExport`].
    pub token: Option<String>,
}

impl ExportRow {
    /// Flattens `p`, treating its token per `tokens`.
    #[must_use]
    pub fn new(p: Passage, tokens: &TokenExport) -> ExportRow {
        let t = p.thermal;
        let token = match (tokens, p.token) {
            (_, None) | (TokenExport::Drop, _) => None,
            (TokenExport::Hash, Some(h)) => Some(h.to_hex()),
            (TokenExport::Pseudonymise(k), Some(h)) => Some(k.hash(&h.0).to_hex()),
        };
        let alarms = p.alarms.names().collect::<Vec<_>>().join("|");
        let flags = p.flags.names().collect::<Vec<_>>().join("|");
        let m = p.metal;
        ExportRow {
            id: p.id,
            gate: p.gate,
            entrance: p.entrance,
            entry_us: p.entry.0,
            exit_us: p.exit.0,
            direction: p.direction.name(),
            persons: p.persons,
            site_c: t.and_then(|t| t.site_c),
            corrected_c: t.and_then(|t| t.corrected_c),
            body_c: t.and_then(|t| t.body_c),
            thermal_outcome: t.map(|t| t.outcome.name()),
            thermal_readings: t.map(|t| t.readings),
            thermal_flags: t.map(|t| t.quality_flags),
            metal_detected: m.as_ref().map(|m| m.detected),
            metal_decision: m.as_ref().map(|m| m.decision.clone()),
            metal_confidence: m.as_ref().map(|m| m.confidence),
            metal_threat_p: m.as_ref().map(|m| m.threat_probability),
            metal_class: m.as_ref().and_then(|m| m.class.clone()),
            metal_height_band: m.as_ref().and_then(|m| m.height_band.clone()),
            metal_side: m.and_then(|m| m.side),
            alarms,
            flags,
            token,
        }
    }
}

/// Exports the passages of `log` matching `q` to `path`; returns the row
/// count. The file is written to `path` directly; on error it may be
/// partial (and is removed when possible).
///
/// # Errors
/// [`GateError::Io`] for the file, [`GateError::Storage`] for the log.
pub fn export(
    log: &PassageLog,
    q: &Query,
    format: ExportFormat,
    tokens: &TokenExport,
    path: &Path,
) -> Result<u64, GateError> {
    let file = File::create(path).map_err(|e| GateError::io(path, e))?;
    let r = match format {
        ExportFormat::Csv => export_csv(log, q, tokens, file, path),
        ExportFormat::JsonLines => export_jsonl(log, q, tokens, file, path),
        ExportFormat::Parquet => export_parquet(log, q, tokens, file, path),
    };
    if r.is_err() {
        let _ = std::fs::remove_file(path);
    }
    r
}

fn export_csv(
    log: &PassageLog,
    q: &Query,
    tokens: &TokenExport,
    file: File,
    path: &Path,
) -> Result<u64, GateError> {
    let mut w = csv::Writer::from_writer(BufWriter::new(file));
    let mut n = 0u64;
    log.scan(q, |p| {
        w.serialize(ExportRow::new(p, tokens))
            .map_err(|e| GateError::io(path, e))?;
        n += 1;
        Ok(())
    })?;
    if n == 0 {
        // A header even for an empty export.
        w.write_record(EMPTY_HEADER)
            .map_err(|e| GateError::io(path, e))?;
    }
    w.flush().map_err(|e| GateError::io(path, e))?;
    Ok(n)
}

/// Column names, in order (the CSV header).
pub const EMPTY_HEADER: [&str; 23] = [
    "id",
    "gate",
    "entrance",
    "entry_us",
    "exit_us",
    "direction",
    "persons",
    "site_c",
    "corrected_c",
    "body_c",
    "thermal_outcome",
    "thermal_readings",
    "thermal_flags",
    "metal_detected",
    "metal_decision",
    "metal_class",
    "metal_confidence",
    "metal_threat_p",
    "metal_height_band",
    "metal_side",
    "alarms",
    "flags",
    "token",
];

fn export_jsonl(
    log: &PassageLog,
    q: &Query,
    tokens: &TokenExport,
    file: File,
    path: &Path,
) -> Result<u64, GateError> {
    let mut w = BufWriter::new(file);
    let mut n = 0u64;
    log.scan(q, |p| {
        serde_json::to_writer(&mut w, &ExportRow::new(p, tokens))
            .map_err(|e| GateError::io(path, e))?;
        w.write_all(b"\n").map_err(|e| GateError::io(path, e))?;
        n += 1;
        Ok(())
    })?;
    w.flush().map_err(|e| GateError::io(path, e))?;
    Ok(n)
}

const PARQUET_SCHEMA: &str = "message passage {
    REQUIRED INT64 id;
    REQUIRED BYTE_ARRAY gate (UTF8);
    REQUIRED BYTE_ARRAY entrance (UTF8);
    REQUIRED INT64 entry_us (TIMESTAMP(MICROS,true));
    REQUIRED INT64 exit_us (TIMESTAMP(MICROS,true));
    REQUIRED BYTE_ARRAY direction (UTF8);
    REQUIRED INT32 persons;
    OPTIONAL DOUBLE site_c;
    OPTIONAL DOUBLE corrected_c;
    OPTIONAL DOUBLE body_c;
    OPTIONAL BYTE_ARRAY thermal_outcome (UTF8);
    OPTIONAL INT32 thermal_readings;
    OPTIONAL INT32 thermal_flags;
    OPTIONAL BOOLEAN metal_detected;
    OPTIONAL BYTE_ARRAY metal_decision (UTF8);
    OPTIONAL BYTE_ARRAY metal_class (UTF8);
    OPTIONAL DOUBLE metal_confidence;
    OPTIONAL DOUBLE metal_threat_p;
    OPTIONAL BYTE_ARRAY metal_height_band (UTF8);
    OPTIONAL BYTE_ARRAY metal_side (UTF8);
    REQUIRED BYTE_ARRAY alarms (UTF8);
    REQUIRED BYTE_ARRAY flags (UTF8);
    OPTIONAL BYTE_ARRAY token (UTF8);
}";

/// One row group's columns.
#[derive(Default)]
struct Columns {
    rows: usize,
    id: Vec<i64>,
    gate: Vec<ByteArray>,
    entrance: Vec<ByteArray>,
    entry: Vec<i64>,
    exit: Vec<i64>,
    direction: Vec<ByteArray>,
    persons: Vec<i32>,
    site_c: Opt<f64>,
    corrected_c: Opt<f64>,
    body_c: Opt<f64>,
    outcome: Opt<ByteArray>,
    readings: Opt<i32>,
    tflags: Opt<i32>,
    detected: Opt<bool>,
    decision: Opt<ByteArray>,
    class: Opt<ByteArray>,
    confidence: Opt<f64>,
    threat_p: Opt<f64>,
    band: Opt<ByteArray>,
    side: Opt<ByteArray>,
    alarms: Vec<ByteArray>,
    flags: Vec<ByteArray>,
    token: Opt<ByteArray>,
}

/// An optional column: present values and one definition level per row.
struct Opt<T> {
    values: Vec<T>,
    def: Vec<i16>,
}

impl<T> Default for Opt<T> {
    fn default() -> Self {
        Opt {
            values: Vec::new(),
            def: Vec::new(),
        }
    }
}

impl<T> Opt<T> {
    fn push(&mut self, v: Option<T>) {
        match v {
            Some(v) => {
                self.values.push(v);
                self.def.push(1);
            }
            None => self.def.push(0),
        }
    }
    fn clear(&mut self) {
        self.values.clear();
        self.def.clear();
    }
}

fn ba(s: &str) -> ByteArray {
    ByteArray::from(s.as_bytes().to_vec())
}

impl Columns {
    fn clear(&mut self) {
        self.rows = 0;
        self.id.clear();
        self.gate.clear();
        self.entrance.clear();
        self.entry.clear();
        self.exit.clear();
        self.direction.clear();
        self.persons.clear();
        self.alarms.clear();
        self.flags.clear();
        self.site_c.clear();
        self.corrected_c.clear();
        self.body_c.clear();
        self.outcome.clear();
        self.readings.clear();
        self.tflags.clear();
        self.detected.clear();
        self.decision.clear();
        self.class.clear();
        self.confidence.clear();
        self.threat_p.clear();
        self.band.clear();
        self.side.clear();
        self.token.clear();
    }

    fn write(
        &mut self,
        w: &mut SerializedFileWriter<BufWriter<File>>,
    ) -> parquet::errors::Result<()> {
        let mut rg = w.next_row_group()?;
        let mut k = 0usize;
        while let Some(mut col) = rg.next_column()? {
            match k {
                0 => req::<Int64Type>(&mut col, &self.id)?,
                1 => req::<ByteArrayType>(&mut col, &self.gate)?,
                2 => req::<ByteArrayType>(&mut col, &self.entrance)?,
                3 => req::<Int64Type>(&mut col, &self.entry)?,
                4 => req::<Int64Type>(&mut col, &self.exit)?,
                5 => req::<ByteArrayType>(&mut col, &self.direction)?,
                6 => req::<Int32Type>(&mut col, &self.persons)?,
                7 => opt::<DoubleType>(&mut col, &self.site_c)?,
                8 => opt::<DoubleType>(&mut col, &self.corrected_c)?,
                9 => opt::<DoubleType>(&mut col, &self.body_c)?,
                10 => opt::<ByteArrayType>(&mut col, &self.outcome)?,
                11 => opt::<Int32Type>(&mut col, &self.readings)?,
                12 => opt::<Int32Type>(&mut col, &self.tflags)?,
                13 => opt::<BoolType>(&mut col, &self.detected)?,
                14 => opt::<ByteArrayType>(&mut col, &self.decision)?,
                15 => opt::<ByteArrayType>(&mut col, &self.class)?,
                16 => opt::<DoubleType>(&mut col, &self.confidence)?,
                17 => opt::<DoubleType>(&mut col, &self.threat_p)?,
                18 => opt::<ByteArrayType>(&mut col, &self.band)?,
                19 => opt::<ByteArrayType>(&mut col, &self.side)?,
                20 => req::<ByteArrayType>(&mut col, &self.alarms)?,
                21 => req::<ByteArrayType>(&mut col, &self.flags)?,
                _ => opt::<ByteArrayType>(&mut col, &self.token)?,
            }
            col.close()?;
            k += 1;
        }
        rg.close()?;
        self.clear();
        Ok(())
    }
}

fn req<T: parquet::data_type::DataType>(
    col: &mut parquet::file::writer::SerializedColumnWriter<'_>,
    values: &[T::T],
) -> parquet::errors::Result<()> {
    col.typed::<T>().write_batch(values, None, None)?;
    Ok(())
}

fn opt<T: parquet::data_type::DataType>(
    col: &mut parquet::file::writer::SerializedColumnWriter<'_>,
    o: &Opt<T::T>,
) -> parquet::errors::Result<()> {
    col.typed::<T>()
        .write_batch(&o.values, Some(&o.def), None)?;
    Ok(())
}

/// Repeated strings (gate ids, class names, alarm sets) become one shared
/// `ByteArray` each: a refcount bump per row instead of an allocation.
#[derive(Default)]
struct Interner {
    text: std::collections::HashMap<Box<[u8]>, ByteArray>,
    alarms: std::collections::HashMap<u32, ByteArray>,
    flags: std::collections::HashMap<u32, ByteArray>,
}

impl Interner {
    fn text(&mut self, b: &[u8]) -> ByteArray {
        if let Some(v) = self.text.get(b) {
            return v.clone();
        }
        let v = ByteArray::from(b.to_vec());
        self.text.insert(b.into(), v.clone());
        v
    }
}

fn text_at<'r>(row: &'r rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Option<&'r [u8]>> {
    use rusqlite::types::ValueRef;
    Ok(match row.get_ref(i)? {
        ValueRef::Text(b) | ValueRef::Blob(b) => Some(b),
        _ => None,
    })
}

impl Columns {
    /// Appends one row read straight from SQLite ([`super::log::COLUMNS`]
    /// order), with the same values [`ExportRow::new`] would give.
    fn push_row(
        &mut self,
        row: &rusqlite::Row<'_>,
        tokens: &TokenExport,
        it: &mut Interner,
    ) -> rusqlite::Result<()> {
        self.rows += 1;
        self.id.push(row.get(0)?);
        self.gate
            .push(it.text(text_at(row, 1)?.unwrap_or_default()));
        self.entrance
            .push(it.text(text_at(row, 2)?.unwrap_or_default()));
        self.entry.push(row.get(3)?);
        self.exit.push(row.get(4)?);
        self.direction
            .push(it.text(text_at(row, 5)?.unwrap_or_default()));
        self.persons
            .push(row.get::<_, i64>(6)?.clamp(0, i64::from(i32::MAX)) as i32);
        let outcome = text_at(row, 10)?;
        let has_t = outcome.is_some();
        let when = |v: Option<f64>| if has_t { v } else { None };
        self.site_c.push(when(row.get(7)?));
        self.corrected_c.push(when(row.get(8)?));
        self.body_c.push(when(row.get(9)?));
        self.outcome.push(outcome.map(|b| it.text(b)));
        self.readings.push(
            has_t
                .then(|| row.get::<_, Option<i64>>(11))
                .transpose()?
                .map(|v| v.unwrap_or(0) as i32),
        );
        self.tflags.push(
            has_t
                .then(|| row.get::<_, Option<i64>>(13))
                .transpose()?
                .map(|v| v.unwrap_or(0) as i32),
        );
        let decision = text_at(row, 15)?;
        let has_m = decision.is_some();
        self.detected.push(
            has_m
                .then(|| row.get::<_, Option<bool>>(14))
                .transpose()?
                .map(|v| v.unwrap_or(false)),
        );
        self.decision.push(decision.map(|b| it.text(b)));
        let class = if has_m { text_at(row, 16)? } else { None };
        self.class.push(class.map(|b| it.text(b)));
        self.confidence.push(
            has_m
                .then(|| row.get::<_, Option<f64>>(17))
                .transpose()?
                .map(|v| v.unwrap_or(0.0)),
        );
        self.threat_p.push(
            has_m
                .then(|| row.get::<_, Option<f64>>(18))
                .transpose()?
                .map(|v| v.unwrap_or(0.0)),
        );
        let band = if has_m { text_at(row, 19)? } else { None };
        self.band.push(band.map(|b| it.text(b)));
        let side = if has_m { text_at(row, 20)? } else { None };
        self.side.push(side.map(|b| it.text(b)));
        let a: u32 = row.get(21)?;
        let alarms = it
            .alarms
            .entry(a)
            .or_insert_with(|| ba(&Alarms(a).names().collect::<Vec<_>>().join("|")))
            .clone();
        self.alarms.push(alarms);
        let f: u32 = row.get(22)?;
        let flags = it
            .flags
            .entry(f)
            .or_insert_with(|| ba(&PassageFlags(f).names().collect::<Vec<_>>().join("|")))
            .clone();
        self.flags.push(flags);
        let token = match (tokens, text_at(row, 23)?) {
            (TokenExport::Drop, _) | (_, None) => None,
            (TokenExport::Hash, Some(b)) => <[u8; 32]>::try_from(b)
                .ok()
                .map(|h| ba(&TokenHash(h).to_hex())),
            (TokenExport::Pseudonymise(k), Some(b)) => Some(ba(&k.hash(b).to_hex())),
        };
        self.token.push(token);
        Ok(())
    }
}

fn export_parquet(
    log: &PassageLog,
    q: &Query,
    tokens: &TokenExport,
    file: File,
    path: &Path,
) -> Result<u64, GateError> {
    let pq = |e: parquet::errors::ParquetError| GateError::io(path, e);
    let schema = Arc::new(parse_message_type(PARQUET_SCHEMA).map_err(pq)?);
    let props = Arc::new(
        WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_created_by(format!("libhsm {}", crate::VERSION))
            .build(),
    );
    let mut w = SerializedFileWriter::new(BufWriter::new(file), schema, props).map_err(pq)?;
    let mut cols = Columns::default();
    let mut interner = Interner::default();
    let mut n = 0u64;
    log.scan_rows(q, |row| {
        cols.push_row(row, tokens, &mut interner)
            .map_err(super::log::storage)?;
        n += 1;
        if cols.rows >= ROW_GROUP {
            cols.write(&mut w).map_err(pq)?;
        }
        Ok(())
    })?;
    if cols.rows > 0 {
        cols.write(&mut w).map_err(pq)?;
    }
    let mut inner = w.into_inner().map_err(pq)?;
    inner.flush().map_err(|e| GateError::io(path, e))?;
    Ok(n)
}
