//! The passage record: one person (or one explicitly flagged group) through
//! one gate, binding temperature, metal finding, direction and time.

use hsm_core::Timestamp;
use serde::{Deserialize, Serialize};

/// Which way a passage went.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Way {
    /// Into the building.
    In,
    /// Out of the building.
    Out,
    /// Not known: a record that no beam transit anchors (see
    /// [`PassageFlags::METAL_WITHOUT_PASSAGE`]).
    Unknown,
}

impl Way {
    /// `"in"`, `"out"` or `"unknown"`: the name stored in the log.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Way::In => "in",
            Way::Out => "out",
            Way::Unknown => "unknown",
        }
    }

    /// The inverse of [`Way::name`].
    #[must_use]
    pub fn from_name(s: &str) -> Option<Way> {
        match s {
            "in" => Some(Way::In),
            "out" => Some(Way::Out),
            "unknown" => Some(Way::Unknown),
            _ => None,
        }
    }
}

impl From<hsm_core::counting::Direction> for Way {
    fn from(d: hsm_core::counting::Direction) -> Self {
        match d {
            hsm_core::counting::Direction::In => Way::In,
            hsm_core::counting::Direction::Out => Way::Out,
        }
    }
}

macro_rules! bit_set {
    ($(#[$meta:meta])* $name:ident { $($(#[$fmeta:meta])* $flag:ident = $bit:expr, $fname:literal;)* }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub u32);

        impl $name {
            /// No bit set.
            pub const NONE: $name = $name(0);
            $($(#[$fmeta])* pub const $flag: $name = $name(1 << $bit);)*
            /// Every named bit with its name, in bit order.
            pub const ALL: &'static [($name, &'static str)] = &[$(($name::$flag, $fname)),*];

            /// Whether every bit of `other` is set.
            #[must_use]
            pub const fn contains(self, other: $name) -> bool {
                self.0 & other.0 == other.0
            }

            /// Whether any bit of `other` is set.
            #[must_use]
            pub const fn intersects(self, other: $name) -> bool {
                self.0 & other.0 != 0
            }

            /// Whether no bit is set.
            #[must_use]
            pub const fn is_empty(self) -> bool {
                self.0 == 0
            }

            /// The names of the set bits, in bit order.
            pub fn names(self) -> impl Iterator<Item = &'static str> {
                Self::ALL.iter().filter(move |(f, _)| self.contains(*f)).map(|(_, n)| *n)
            }

            /// The bit called `name`.
            #[must_use]
            pub fn from_name(name: &str) -> Option<$name> {
                Self::ALL.iter().find(|(_, n)| *n == name).map(|(f, _)| *f)
            }
        }

        impl core::ops::BitOr for $name {
            type Output = $name;
            fn bitor(self, rhs: $name) -> $name {
                $name(self.0 | rhs.0)
            }
        }

        impl core::ops::BitOrAssign for $name {
            fn bitor_assign(&mut self, rhs: $name) {
                self.0 |= rhs.0;
            }
        }
    };
}

bit_set! {
    /// What a passage alarms on: the kinds a guard acts on and a query
    /// filters by.
    Alarms {
        /// Body temperature at or above the fever line.
        FEVER = 0, "fever";
        /// The metal finding's decision is alarm (a threat).
        THREAT = 1, "threat";
        /// Screen again by hand: no trustworthy temperature, or an uncertain
        /// metal object.
        RECHECK = 2, "recheck";
        /// A sensor was faulty while this passage was measured (dead lines,
        /// frozen frame, blackbody missing or drifting, no metal data).
        SENSOR_FAULT = 3, "sensor_fault";
        /// The person token matched the watch list (风险人员监控名单).
        WATCHLIST = 4, "watchlist";
    }
}

bit_set! {
    /// How a passage was put together: the ambiguous cases the association
    /// rules never resolve silently (see the [module docs](super)).
    PassageFlags {
        /// The beams counted two people in one transit (side by side or
        /// close behind); the record stands for both.
        MULTIPLE_PERSONS = 0, "multiple_persons";
        /// More than one face was seen in the passage's approach frames; the
        /// nearest face was measured.
        MULTIPLE_FACES = 1, "multiple_faces";
        /// An inbound passage with a thermal camera configured, but no face
        /// in its approach window.
        NO_FACE = 2, "no_face";
        /// Another person's metal can reach into this passage's window
        /// (their transit completed close by, before or after): the window
        /// was cut to this person's share (see the [module docs](super)),
        /// and the finding may still be a neighbour's.
        METAL_OVERLAP = 3, "metal_overlap";
        /// Too few metal samples in the passage's window to decide.
        METAL_NO_DATA = 4, "metal_no_data";
        /// Metal detected with no beam transit to anchor it (someone reached
        /// over, or the beams failed): a record of its own.
        METAL_WITHOUT_PASSAGE = 5, "metal_without_passage";
        /// A stream lagged past the reordering bound and the passage was
        /// closed without it.
        LATE_STREAM = 6, "late_stream";
        /// A person token arrived but no site key is configured; it was
        /// dropped, never stored.
        TOKEN_DROPPED = 7, "token_dropped";
    }
}

/// The thermal screening of one passage.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct ThermalFinding {
    /// Median apparent (uncorrected) measurement-site temperature of the
    /// valid readings, °C (`None` without valid readings).
    pub site_c: Option<f64>,
    /// Median blackbody-corrected site temperature, °C (`None` without a
    /// blackbody or without valid readings).
    pub corrected_c: Option<f64>,
    /// Estimated body temperature, °C.
    pub body_c: Option<f64>,
    /// `"normal"`, `"fever"` or `"recheck"`.
    pub outcome: ThermalOutcome,
    /// Face readings collected.
    pub readings: u32,
    /// Valid readings among them.
    pub valid_readings: u32,
    /// Union of the readings' quality flags
    /// ([`hsm_thermal::extract::QualityFlags`] bits).
    pub quality_flags: u32,
}

/// The thermal decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ThermalOutcome {
    /// Below the line on enough valid readings.
    Normal,
    /// At or above the line.
    Fever,
    /// No trustworthy reading.
    Recheck,
}

impl ThermalOutcome {
    /// `"normal"`, `"fever"`, `"recheck"`.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            ThermalOutcome::Normal => "normal",
            ThermalOutcome::Fever => "fever",
            ThermalOutcome::Recheck => "recheck",
        }
    }

    /// The inverse of [`ThermalOutcome::name`].
    #[must_use]
    pub fn from_name(s: &str) -> Option<Self> {
        match s {
            "normal" => Some(ThermalOutcome::Normal),
            "fever" => Some(ThermalOutcome::Fever),
            "recheck" => Some(ThermalOutcome::Recheck),
            _ => None,
        }
    }
}

impl From<hsm_thermal::screening::Outcome> for ThermalOutcome {
    fn from(o: hsm_thermal::screening::Outcome) -> Self {
        match o {
            hsm_thermal::screening::Outcome::Normal => ThermalOutcome::Normal,
            hsm_thermal::screening::Outcome::Fever => ThermalOutcome::Fever,
            hsm_thermal::screening::Outcome::Recheck => ThermalOutcome::Recheck,
        }
    }
}

/// The metal finding of one passage.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MetalFinding {
    /// Metal above the program's threshold.
    pub detected: bool,
    /// `"pass"`, `"recheck"` or `"alarm"`.
    pub decision: String,
    /// Most probable object class, when detected and classified.
    pub class: Option<String>,
    /// Its calibrated probability.
    pub confidence: f64,
    /// Probability the object is a threat.
    pub threat_probability: f64,
    /// Height band of the strongest object (`"head"` … `"feet"`).
    pub height_band: Option<String>,
    /// Side of the strongest object (`"left"`, `"centre"`, `"right"`).
    pub side: Option<String>,
}

impl MetalFinding {
    /// From the detector's result.
    #[must_use]
    pub fn from_result(r: &hsm_metal::detect::PassageResult) -> Self {
        MetalFinding {
            detected: r.detected,
            decision: r.decision.name().to_owned(),
            class: r.class.map(|c| c.name().to_owned()),
            confidence: r.confidence,
            threat_probability: r.threat_probability,
            height_band: r.height_band.map(|b| b.name().to_owned()),
            side: r.side.map(|s| s.name().to_owned()),
        }
    }
}

/// A keyed hash of a person token (HMAC-SHA-256 under the site key): what
/// the log stores instead of the token.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TokenHash(pub [u8; 32]);

impl TokenHash {
    /// Lower-case hex.
    #[must_use]
    pub fn to_hex(&self) -> String {
        use core::fmt::Write as _;
        let mut s = String::with_capacity(64);
        for b in self.0 {
            let _ = write!(s, "{b:02x}");
        }
        s
    }

    /// From 64 hex digits.
    #[must_use]
    pub fn from_hex(s: &str) -> Option<TokenHash> {
        let b = s.as_bytes();
        if b.len() != 64 {
            return None;
        }
        let mut out = [0u8; 32];
        for (i, o) in out.iter_mut().enumerate() {
            let hi = (b[2 * i] as char).to_digit(16)?;
            let lo = (b[2 * i + 1] as char).to_digit(16)?;
            *o = (hi * 16 + lo) as u8;
        }
        Some(TokenHash(out))
    }
}

impl Serialize for TokenHash {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_hex())
    }
}

impl<'de> Deserialize<'de> for TokenHash {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        TokenHash::from_hex(&s).ok_or_else(|| serde::de::Error::custom("expected 64 hex digits"))
    }
}

/// One passage through a gate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Passage {
    /// Row id in the passage log (0 until the log acknowledges it).
    pub id: i64,
    /// The gate's id.
    pub gate: String,
    /// The entrance the gate belongs to.
    pub entrance: String,
    /// When the person entered the gate (first frame or beam edge of the
    /// passage), µs since the Unix epoch.
    pub entry: Timestamp,
    /// When the passage completed (the beams cleared).
    pub exit: Timestamp,
    /// Which way.
    pub direction: Way,
    /// People in this record: 1, or 2 with [`PassageFlags::MULTIPLE_PERSONS`].
    pub persons: u32,
    /// The thermal screening (inbound passages with a camera configured).
    pub thermal: Option<ThermalFinding>,
    /// The metal finding (with a metal detector configured and data).
    pub metal: Option<MetalFinding>,
    /// What it alarms on.
    pub alarms: Alarms,
    /// How it was assembled.
    pub flags: PassageFlags,
    /// The keyed hash of the person token, if one was given.
    pub token: Option<TokenHash>,
}
