//! The passage log: an embedded SQLite database (bundled; nothing to
//! install) that keeps every passage for tracing (溯源查询), close-contact
//! screening (密切接触人群排查) and flow statistics.
//!
//! # Durability
//! The database runs in write-ahead-log mode with `synchronous = FULL`: a
//! transaction is durable — it survives a process kill *and* a power cut —
//! once `COMMIT` returns, and [`PassageLog::append`] returns only after its
//! commit. "Acknowledged" means exactly that. `tests/gate_crash.rs` kills a
//! writer process at random points over and over and checks that every
//! acknowledged record is there and that `PRAGMA integrity_check` passes.
//!
//! # Concurrency
//! One writer (the gate) and any number of readers (queries, exports), in
//! this process or others: WAL readers see the last committed state and do
//! not block the writer. A busy timeout of 5 s absorbs checkpoints.
//!
//! # Schema and migrations
//! `PRAGMA user_version` holds the schema version; [`MIGRATIONS`] lists the
//! steps, each applied in its own transaction. Opening a log written by a
//! newer libhsm fails with [`GateError::SchemaTooNew`] rather than touching
//! it. The schema is documented in `docs/passage-log.md`.
//!
//! # Privacy
//! Person tokens are stored only as keyed hashes (see [`super::token`]);
//! `secure_delete` is on, so [`PassageLog::purge_before`] overwrites what it
//! deletes, and the WAL is checkpointed and truncated afterwards: a purged
//! passage leaves no bytes in the database files.

use std::path::Path;

use rusqlite::{Connection, OpenFlags, OptionalExtension, Row, params, params_from_iter};

use super::error::GateError;
use super::record::{
    Alarms, MetalFinding, Passage, PassageFlags, ThermalFinding, ThermalOutcome, TokenHash, Way,
};
use super::token::SiteKey;
use hsm_core::{Micros, Timestamp};

/// The schema steps: `MIGRATIONS[k]` takes the database from version `k` to
/// `k + 1`.
pub const MIGRATIONS: &[&str] = &[
    // 0 → 1: passages.
    "CREATE TABLE passages (
        id INTEGER PRIMARY KEY,
        gate TEXT NOT NULL,
        entrance TEXT NOT NULL,
        entry_us INTEGER NOT NULL,
        exit_us INTEGER NOT NULL,
        direction TEXT NOT NULL CHECK (direction IN ('in', 'out', 'unknown')),
        persons INTEGER NOT NULL CHECK (persons >= 1),
        site_c REAL,
        corrected_c REAL,
        body_c REAL,
        thermal_outcome TEXT CHECK (thermal_outcome IN ('normal', 'fever', 'recheck')),
        thermal_readings INTEGER,
        thermal_valid INTEGER,
        thermal_flags INTEGER,
        metal_detected INTEGER,
        metal_decision TEXT CHECK (metal_decision IN ('pass', 'recheck', 'alarm')),
        metal_class TEXT,
        metal_confidence REAL,
        metal_threat_p REAL,
        metal_height_band TEXT,
        metal_side TEXT,
        alarms INTEGER NOT NULL,
        flags INTEGER NOT NULL,
        token BLOB CHECK (token IS NULL OR length(token) = 32)
    );
    CREATE INDEX passages_entry ON passages (entry_us);
    CREATE INDEX passages_entrance_entry ON passages (entrance, entry_us);",
    // 1 → 2: metadata (creator version, site-key fingerprint) and a token
    // index for watch-list tracing.
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE INDEX passages_token ON passages (token) WHERE token IS NOT NULL;",
];

/// The schema version this libhsm writes.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// The passages table's columns, in the order every `SELECT` reads them.
pub(crate) const COLUMNS: &str = "id, gate, entrance, entry_us, exit_us, direction, persons, site_c, \
     corrected_c, body_c, thermal_outcome, thermal_readings, thermal_valid, thermal_flags, \
     metal_detected, metal_decision, metal_class, metal_confidence, metal_threat_p, \
     metal_height_band, metal_side, alarms, flags, token";

/// A filter over passages; every set field must match.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Query {
    /// Entry at or after.
    pub from: Option<Timestamp>,
    /// Entry before.
    pub to: Option<Timestamp>,
    /// Direction.
    pub direction: Option<Way>,
    /// Any of these alarms (empty: no alarm filter).
    pub alarms: Alarms,
    /// Body temperature at or above, °C.
    pub min_body_c: Option<f64>,
    /// Body temperature at or below, °C.
    pub max_body_c: Option<f64>,
    /// Gate id.
    pub gate: Option<String>,
    /// Entrance id.
    pub entrance: Option<String>,
    /// Token hash.
    pub token: Option<TokenHash>,
    /// At most this many rows (in entry order).
    pub limit: Option<u64>,
}

/// Which passages count as contacts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContactScope {
    /// Only the same gate.
    SameGate,
    /// Any gate of the same entrance.
    SameEntrance,
}

/// Flow statistics bucket width.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bucket {
    /// One hour.
    Hour,
    /// One (local) day.
    Day,
}

/// Passages of one entrance in one bucket.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct FlowRow {
    /// The entrance.
    pub entrance: String,
    /// Bucket start, µs since the Unix epoch (local midnight or hour, as the
    /// UTC offset given).
    pub start: i64,
    /// Persons in.
    pub persons_in: u64,
    /// Persons out.
    pub persons_out: u64,
    /// Passages with a fever alarm.
    pub fever: u64,
    /// Passages with a threat alarm.
    pub threat: u64,
    /// Passages with a re-check.
    pub recheck: u64,
}

/// An open passage log.
#[derive(Debug)]
pub struct PassageLog {
    conn: Connection,
}

pub(crate) fn storage(e: rusqlite::Error) -> GateError {
    GateError::Storage(e.to_string())
}

impl PassageLog {
    /// Opens (creating if needed) the log at `path` for reading and writing,
    /// migrating it to [`SCHEMA_VERSION`].
    ///
    /// # Errors
    /// [`GateError::Storage`] when SQLite fails; [`GateError::SchemaTooNew`]
    /// for a log written by a newer libhsm.
    pub fn open(path: impl AsRef<Path>) -> Result<PassageLog, GateError> {
        let conn = Connection::open(path.as_ref()).map_err(storage)?;
        let mut log = PassageLog { conn };
        log.configure()?;
        log.migrate(SCHEMA_VERSION)?;
        Ok(log)
    }

    /// Opens an existing log read-only (for queries and exports while a gate
    /// writes). No migration is attempted.
    ///
    /// # Errors
    /// As [`PassageLog::open`]; also when the file does not exist or its
    /// schema is older than this libhsm reads.
    pub fn open_read_only(path: impl AsRef<Path>) -> Result<PassageLog, GateError> {
        let conn = Connection::open_with_flags(
            path.as_ref(),
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(storage)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(storage)?;
        let log = PassageLog { conn };
        let v = log.schema_version()?;
        if v > SCHEMA_VERSION {
            return Err(GateError::SchemaTooNew {
                found: v,
                supported: SCHEMA_VERSION,
            });
        }
        if v < SCHEMA_VERSION {
            return Err(GateError::Storage(format!(
                "passage log schema version {v} is older than {SCHEMA_VERSION}; open it read-write once to migrate"
            )));
        }
        Ok(log)
    }

    /// Opens at a given schema version (migrations up to `version` only):
    /// for testing migrations.
    #[doc(hidden)]
    pub fn open_at_version(path: impl AsRef<Path>, version: u32) -> Result<PassageLog, GateError> {
        let conn = Connection::open(path.as_ref()).map_err(storage)?;
        let mut log = PassageLog { conn };
        log.configure()?;
        log.migrate(version.min(SCHEMA_VERSION))?;
        Ok(log)
    }

    fn configure(&mut self) -> Result<(), GateError> {
        let c = &self.conn;
        c.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(storage)?;
        let mode: String = c
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .map_err(storage)?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(GateError::Storage(format!(
                "could not enable write-ahead logging (journal_mode is {mode})"
            )));
        }
        c.execute_batch(
            "PRAGMA synchronous = FULL;
             PRAGMA secure_delete = ON;
             PRAGMA foreign_keys = ON;",
        )
        .map_err(storage)?;
        Ok(())
    }

    /// The database's schema version.
    ///
    /// # Errors
    /// [`GateError::Storage`].
    pub fn schema_version(&self) -> Result<u32, GateError> {
        self.conn
            .query_row("PRAGMA user_version", [], |r| r.get::<_, u32>(0))
            .map_err(storage)
    }

    fn migrate(&mut self, target: u32) -> Result<(), GateError> {
        let v = self.schema_version()?;
        if v > SCHEMA_VERSION {
            return Err(GateError::SchemaTooNew {
                found: v,
                supported: SCHEMA_VERSION,
            });
        }
        for step in v..target {
            let sql = MIGRATIONS
                .get(step as usize)
                .ok_or_else(|| GateError::Storage(format!("no migration from version {step}")))?;
            let tx = self.conn.transaction().map_err(storage)?;
            tx.execute_batch(sql).map_err(storage)?;
            tx.pragma_update(None, "user_version", step + 1)
                .map_err(storage)?;
            if step + 1 >= 2 {
                tx.execute(
                    "INSERT OR REPLACE INTO meta (key, value) VALUES ('created_by', ?1)",
                    params![format!("libhsm {}", crate::VERSION)],
                )
                .map_err(storage)?;
            }
            tx.commit().map_err(storage)?;
        }
        Ok(())
    }

    /// Binds the log to a site key: stores the key's fingerprint on first
    /// use and refuses a different key afterwards (hashes made under two keys
    /// could never be matched against each other).
    ///
    /// # Errors
    /// [`GateError::KeyMismatch`] for a different key; [`GateError::Storage`].
    pub fn bind_key(&mut self, key: &SiteKey) -> Result<(), GateError> {
        let fp = key.fingerprint().to_hex();
        let stored: Option<String> = self
            .conn
            .query_row(
                "SELECT value FROM meta WHERE key = 'key_fingerprint'",
                [],
                |r| r.get(0),
            )
            .optional()
            .map_err(storage)?;
        match stored {
            Some(s) if s == fp => Ok(()),
            Some(_) => Err(GateError::KeyMismatch),
            None => {
                self.conn
                    .execute(
                        "INSERT INTO meta (key, value) VALUES ('key_fingerprint', ?1)",
                        params![fp],
                    )
                    .map_err(storage)?;
                Ok(())
            }
        }
    }

    /// Appends one passage; returns its id once the commit is durable (the
    /// acknowledgement). `p.id` is set too.
    ///
    /// # Errors
    /// [`GateError::Storage`]; nothing is written then.
    pub fn append(&mut self, p: &mut Passage) -> Result<i64, GateError> {
        self.append_all(core::slice::from_mut(p))?;
        Ok(p.id)
    }

    /// Appends passages in one transaction (one durable commit for all);
    /// sets each `id`.
    ///
    /// # Errors
    /// [`GateError::Storage`]; nothing is written then (ids untouched).
    pub fn append_all(&mut self, ps: &mut [Passage]) -> Result<(), GateError> {
        let tx = self.conn.transaction().map_err(storage)?;
        let mut ids = Vec::with_capacity(ps.len());
        {
            let mut st = tx
                .prepare_cached(
                    "INSERT INTO passages (gate, entrance, entry_us, exit_us, direction, persons, \
                     site_c, corrected_c, body_c, thermal_outcome, thermal_readings, thermal_valid, \
                     thermal_flags, metal_detected, metal_decision, metal_class, metal_confidence, \
                     metal_threat_p, metal_height_band, metal_side, alarms, flags, token) VALUES \
                     (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, \
                     ?18, ?19, ?20, ?21, ?22, ?23)",
                )
                .map_err(storage)?;
            for p in ps.iter() {
                let t = p.thermal.as_ref();
                let m = p.metal.as_ref();
                st.execute(params![
                    p.gate,
                    p.entrance,
                    p.entry.0,
                    p.exit.0,
                    p.direction.name(),
                    p.persons.max(1),
                    t.and_then(|t| t.site_c),
                    t.and_then(|t| t.corrected_c),
                    t.and_then(|t| t.body_c),
                    t.map(|t| t.outcome.name()),
                    t.map(|t| t.readings),
                    t.map(|t| t.valid_readings),
                    t.map(|t| t.quality_flags),
                    m.map(|m| m.detected),
                    m.map(|m| m.decision.as_str()),
                    m.and_then(|m| m.class.as_deref()),
                    m.map(|m| m.confidence),
                    m.map(|m| m.threat_probability),
                    m.and_then(|m| m.height_band.as_deref()),
                    m.and_then(|m| m.side.as_deref()),
                    p.alarms.0,
                    p.flags.0,
                    p.token.map(|h| h.0.to_vec()),
                ])
                .map_err(storage)?;
                ids.push(tx.last_insert_rowid());
            }
        }
        tx.commit().map_err(storage)?;
        for (p, id) in ps.iter_mut().zip(ids) {
            p.id = id;
        }
        Ok(())
    }

    /// The passage with id `id`.
    ///
    /// # Errors
    /// [`GateError::NotFound`]; [`GateError::Storage`].
    pub fn get(&self, id: i64) -> Result<Passage, GateError> {
        self.conn
            .query_row(
                &format!("SELECT {COLUMNS} FROM passages WHERE id = ?1"),
                params![id],
                read_row,
            )
            .optional()
            .map_err(storage)?
            .ok_or(GateError::NotFound { id })
    }

    /// Number of passages.
    ///
    /// # Errors
    /// [`GateError::Storage`].
    pub fn len(&self) -> Result<u64, GateError> {
        self.conn
            .query_row("SELECT count(*) FROM passages", [], |r| r.get::<_, i64>(0))
            .map(|n| n.max(0) as u64)
            .map_err(storage)
    }

    /// Whether the log holds no passage.
    ///
    /// # Errors
    /// [`GateError::Storage`].
    pub fn is_empty(&self) -> Result<bool, GateError> {
        Ok(self.len()? == 0)
    }

    /// Calls `f` on each passage matching `q`, in entry order, streaming
    /// (one row in memory at a time). `f` returning an error stops the scan.
    ///
    /// # Errors
    /// [`GateError::InvalidArgument`] for a NaN or infinite temperature
    /// bound; [`GateError::Storage`], or `f`'s error.
    pub fn scan(
        &self,
        q: &Query,
        mut f: impl FnMut(Passage) -> Result<(), GateError>,
    ) -> Result<(), GateError> {
        self.scan_rows(q, |row| f(read_row(row).map_err(storage)?))
    }

    /// As [`PassageLog::scan`], handing `f` the raw SQLite row (columns in
    /// [`COLUMNS`] order): for exporters that copy values straight into
    /// columns without building a [`Passage`].
    pub(crate) fn scan_rows(
        &self,
        q: &Query,
        mut f: impl FnMut(&Row<'_>) -> Result<(), GateError>,
    ) -> Result<(), GateError> {
        for (field, v) in [("min_body_c", q.min_body_c), ("max_body_c", q.max_body_c)] {
            if v.is_some_and(|v| !v.is_finite()) {
                return Err(GateError::InvalidArgument {
                    field,
                    value: v.unwrap_or(f64::NAN),
                    expected: "a finite temperature in °C",
                });
            }
        }
        let mut sql = format!("SELECT {COLUMNS} FROM passages WHERE 1 = 1");
        let mut args: Vec<rusqlite::types::Value> = Vec::new();
        use rusqlite::types::Value as V;
        if let Some(t) = q.from {
            sql.push_str(" AND entry_us >= ?");
            args.push(V::Integer(t.0));
        }
        if let Some(t) = q.to {
            sql.push_str(" AND entry_us < ?");
            args.push(V::Integer(t.0));
        }
        if let Some(d) = q.direction {
            sql.push_str(" AND direction = ?");
            args.push(V::Text(d.name().to_owned()));
        }
        if !q.alarms.is_empty() {
            sql.push_str(" AND (alarms & ?) != 0");
            args.push(V::Integer(i64::from(q.alarms.0)));
        }
        if let Some(v) = q.min_body_c {
            sql.push_str(" AND body_c >= ?");
            args.push(V::Real(v));
        }
        if let Some(v) = q.max_body_c {
            sql.push_str(" AND body_c <= ?");
            args.push(V::Real(v));
        }
        if let Some(g) = &q.gate {
            sql.push_str(" AND gate = ?");
            args.push(V::Text(g.clone()));
        }
        if let Some(e) = &q.entrance {
            sql.push_str(" AND entrance = ?");
            args.push(V::Text(e.clone()));
        }
        if let Some(h) = &q.token {
            sql.push_str(" AND token = ?");
            args.push(V::Blob(h.0.to_vec()));
        }
        sql.push_str(" ORDER BY entry_us, id");
        if let Some(n) = q.limit {
            sql.push_str(" LIMIT ?");
            args.push(V::Integer(i64::try_from(n).unwrap_or(i64::MAX)));
        }
        let mut st = self.conn.prepare(&sql).map_err(storage)?;
        let mut rows = st.query(params_from_iter(args)).map_err(storage)?;
        while let Some(row) = rows.next().map_err(storage)? {
            f(row)?;
        }
        Ok(())
    }

    /// The passages matching `q`, in entry order.
    ///
    /// # Errors
    /// [`GateError::Storage`].
    pub fn query(&self, q: &Query) -> Result<Vec<Passage>, GateError> {
        let mut out = Vec::new();
        self.scan(q, |p| {
            out.push(p);
            Ok(())
        })?;
        Ok(out)
    }

    /// Close contacts of passage `id`: every other passage whose entry lies
    /// within ±`window` of its entry, at the same gate or the same entrance,
    /// in entry order. Uses the `(entrance, entry_us)` index: logarithmic in
    /// the log's size.
    ///
    /// # Errors
    /// [`GateError::NotFound`]; [`GateError::Storage`];
    /// [`GateError::InvalidArgument`] for a negative window.
    pub fn contacts(
        &self,
        id: i64,
        window: Micros,
        scope: ContactScope,
    ) -> Result<Vec<Passage>, GateError> {
        if window.0 < 0 {
            return Err(GateError::InvalidArgument {
                field: "window",
                value: window.0 as f64,
                expected: "a non-negative duration",
            });
        }
        let p = self.get(id)?;
        let lo = p.entry.0.saturating_sub(window.0);
        let hi = p.entry.0.saturating_add(window.0);
        let sql = format!(
            "SELECT {COLUMNS} FROM passages WHERE entrance = ?1 AND entry_us BETWEEN ?2 AND ?3 \
             AND id != ?4 {} ORDER BY entry_us, id",
            match scope {
                ContactScope::SameGate => "AND gate = ?5",
                ContactScope::SameEntrance => "AND ?5 IS NOT NULL",
            }
        );
        let mut st = self.conn.prepare_cached(&sql).map_err(storage)?;
        let rows = st
            .query_map(params![p.entrance, lo, hi, id, p.gate], read_row)
            .map_err(storage)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(storage)
    }

    /// Flow statistics per entrance and bucket, between `from` and `to`
    /// (entry times), with buckets aligned to local time at
    /// `utc_offset_min` (China: +480).
    ///
    /// # Errors
    /// [`GateError::Storage`]; [`GateError::InvalidArgument`] for an offset
    /// beyond ±14 h.
    pub fn flow(
        &self,
        from: Timestamp,
        to: Timestamp,
        bucket: Bucket,
        utc_offset_min: i32,
    ) -> Result<Vec<FlowRow>, GateError> {
        if utc_offset_min.unsigned_abs() > 14 * 60 {
            return Err(GateError::InvalidArgument {
                field: "utc_offset_min",
                value: f64::from(utc_offset_min),
                expected: "-840 ..= 840 minutes",
            });
        }
        let width: i64 = match bucket {
            Bucket::Hour => 3_600_000_000,
            Bucket::Day => 86_400_000_000,
        };
        let off = i64::from(utc_offset_min) * 60_000_000;
        let alarm = |a: Alarms| i64::from(a.0);
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT entrance, ((entry_us + ?3) / ?4) * ?4 - ?3 AS b, \
                 sum(CASE WHEN direction = 'in' THEN persons ELSE 0 END), \
                 sum(CASE WHEN direction = 'out' THEN persons ELSE 0 END), \
                 sum((alarms & ?5) != 0), sum((alarms & ?6) != 0), sum((alarms & ?7) != 0) \
                 FROM passages WHERE entry_us >= ?1 AND entry_us < ?2 \
                 GROUP BY entrance, b ORDER BY entrance, b",
            )
            .map_err(storage)?;
        let rows = st
            .query_map(
                params![
                    from.0,
                    to.0,
                    off,
                    width,
                    alarm(Alarms::FEVER),
                    alarm(Alarms::THREAT),
                    alarm(Alarms::RECHECK)
                ],
                |r| {
                    Ok(FlowRow {
                        entrance: r.get(0)?,
                        start: r.get(1)?,
                        persons_in: r.get::<_, i64>(2)?.max(0) as u64,
                        persons_out: r.get::<_, i64>(3)?.max(0) as u64,
                        fever: r.get::<_, i64>(4)?.max(0) as u64,
                        threat: r.get::<_, i64>(5)?.max(0) as u64,
                        recheck: r.get::<_, i64>(6)?.max(0) as u64,
                    })
                },
            )
            .map_err(storage)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(storage)
    }

    /// Deletes every passage that entered before `cutoff`; returns how many.
    /// Deleted content is overwritten (`secure_delete`) and the WAL is
    /// checkpointed and truncated, so no byte of a purged passage remains in
    /// the database files.
    ///
    /// # Errors
    /// [`GateError::Storage`].
    pub fn purge_before(&mut self, cutoff: Timestamp) -> Result<u64, GateError> {
        let n = self
            .conn
            .execute(
                "DELETE FROM passages WHERE entry_us < ?1",
                params![cutoff.0],
            )
            .map_err(storage)?;
        self.conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .map_err(storage)?;
        Ok(n as u64)
    }

    /// `PRAGMA integrity_check`: `Ok` when SQLite reports `ok`.
    ///
    /// # Errors
    /// [`GateError::Storage`] with SQLite's report otherwise.
    pub fn check_integrity(&self) -> Result<(), GateError> {
        let r: String = self
            .conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .map_err(storage)?;
        if r == "ok" {
            Ok(())
        } else {
            Err(GateError::Storage(format!("integrity check: {r}")))
        }
    }

    /// The underlying connection, for SQL of your own (read it; write
    /// through the API).
    #[must_use]
    pub fn connection(&self) -> &Connection {
        &self.conn
    }
}

fn read_row(r: &Row<'_>) -> rusqlite::Result<Passage> {
    let direction: String = r.get(5)?;
    let outcome: Option<String> = r.get(10)?;
    let thermal = match outcome.as_deref().and_then(ThermalOutcome::from_name) {
        Some(outcome) => Some(ThermalFinding {
            site_c: r.get(7)?,
            corrected_c: r.get(8)?,
            body_c: r.get(9)?,
            outcome,
            readings: r.get::<_, Option<u32>>(11)?.unwrap_or(0),
            valid_readings: r.get::<_, Option<u32>>(12)?.unwrap_or(0),
            quality_flags: r.get::<_, Option<u32>>(13)?.unwrap_or(0),
        }),
        None => None,
    };
    let decision: Option<String> = r.get(15)?;
    let metal = match decision {
        Some(decision) => Some(MetalFinding {
            detected: r.get::<_, Option<bool>>(14)?.unwrap_or(false),
            decision,
            class: r.get(16)?,
            confidence: r.get::<_, Option<f64>>(17)?.unwrap_or(0.0),
            threat_probability: r.get::<_, Option<f64>>(18)?.unwrap_or(0.0),
            height_band: r.get(19)?,
            side: r.get(20)?,
        }),
        None => None,
    };
    let token: Option<Vec<u8>> = r.get(23)?;
    Ok(Passage {
        id: r.get(0)?,
        gate: r.get(1)?,
        entrance: r.get(2)?,
        entry: Timestamp(r.get(3)?),
        exit: Timestamp(r.get(4)?),
        direction: Way::from_name(&direction).unwrap_or(Way::Unknown),
        persons: r.get(6)?,
        thermal,
        metal,
        alarms: Alarms(r.get(21)?),
        flags: PassageFlags(r.get(22)?),
        token: token.and_then(|b| <[u8; 32]>::try_from(b.as_slice()).ok().map(TokenHash)),
    })
}
