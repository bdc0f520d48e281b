//! Quality flags carried by every reading.

/// A set of quality flags, as a bit set (stable bit numbers: they cross the
/// C ABI and appear in files).
///
/// Every flag marks a reading that a screening standard would not accept
/// as a valid measurement; [`QualityFlags::is_valid`] is true only when no
/// flag is set. A flagged reading still carries its numbers (so an operator
/// can see what was measured), but a decision never clears a person on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct QualityFlags(pub u32);

impl QualityFlags {
    /// No flag: a valid reading.
    pub const NONE: QualityFlags = QualityFlags(0);
    /// Fewer pixels on the face than the configured minimum.
    pub const TOO_FEW_PIXELS: QualityFlags = QualityFlags(1 << 0);
    /// Pixels at the sensor's limits (0 or 65 535) or outside the
    /// radiometric map's domain on the face, more than the configured few.
    pub const SATURATED: QualityFlags = QualityFlags(1 << 1);
    /// The measurement site touches the region's edge or the frame border.
    pub const SITE_ON_EDGE: QualityFlags = QualityFlags(1 << 2);
    /// Cold occlusion inside the face (glasses): the inner canthus is hidden.
    pub const GLASSES: QualityFlags = QualityFlags(1 << 3);
    /// More than one face in the field while the mode requires one.
    pub const MULTIPLE_PERSONS: QualityFlags = QualityFlags(1 << 4);
    /// Sensor fault: a dead (constant) row or column in the frame.
    pub const DEAD_LINES: QualityFlags = QualityFlags(1 << 5);
    /// Sensor fault: the frame repeats the previous one (frozen stream).
    pub const FROZEN_FRAME: QualityFlags = QualityFlags(1 << 6);
    /// No reference blackbody is configured: the reading is uncorrected.
    pub const NO_BLACKBODY: QualityFlags = QualityFlags(1 << 7);
    /// The blackbody is configured but not visible (occluded, absent), or
    /// no valid blackbody measurement has been made yet.
    pub const BLACKBODY_MISSING: QualityFlags = QualityFlags(1 << 8);
    /// The blackbody reads further from its set-point than the configured band.
    pub const BLACKBODY_OUT_OF_BAND: QualityFlags = QualityFlags(1 << 9);
    /// The blackbody offset changes faster than the configured rate.
    pub const BLACKBODY_DRIFTING: QualityFlags = QualityFlags(1 << 10);
    /// The blackbody region is not uniform (partly occluded, not a blackbody).
    pub const BLACKBODY_NON_UNIFORM: QualityFlags = QualityFlags(1 << 11);

    /// Every flag with its stable name, in bit order.
    pub const ALL: [(QualityFlags, &'static str); 12] = [
        (Self::TOO_FEW_PIXELS, "too_few_pixels"),
        (Self::SATURATED, "saturated"),
        (Self::SITE_ON_EDGE, "site_on_edge"),
        (Self::GLASSES, "glasses"),
        (Self::MULTIPLE_PERSONS, "multiple_persons"),
        (Self::DEAD_LINES, "dead_lines"),
        (Self::FROZEN_FRAME, "frozen_frame"),
        (Self::NO_BLACKBODY, "no_blackbody"),
        (Self::BLACKBODY_MISSING, "blackbody_missing"),
        (Self::BLACKBODY_OUT_OF_BAND, "blackbody_out_of_band"),
        (Self::BLACKBODY_DRIFTING, "blackbody_drifting"),
        (Self::BLACKBODY_NON_UNIFORM, "blackbody_non_uniform"),
    ];

    /// The bits.
    #[must_use]
    pub const fn bits(self) -> u32 {
        self.0
    }

    /// Whether every flag of `other` is set.
    #[must_use]
    pub const fn contains(self, other: QualityFlags) -> bool {
        self.0 & other.0 == other.0
    }

    /// Whether any flag of `other` is set.
    #[must_use]
    pub const fn intersects(self, other: QualityFlags) -> bool {
        self.0 & other.0 != 0
    }

    /// Sets the flags of `other`.
    pub fn insert(&mut self, other: QualityFlags) {
        self.0 |= other.0;
    }

    /// Both sets together.
    #[must_use]
    pub const fn union(self, other: QualityFlags) -> QualityFlags {
        QualityFlags(self.0 | other.0)
    }

    /// No flag set: the reading is valid.
    #[must_use]
    pub const fn is_valid(self) -> bool {
        self.0 == 0
    }

    /// The names of the set flags, in bit order.
    pub fn names(self) -> impl Iterator<Item = &'static str> {
        Self::ALL
            .into_iter()
            .filter(move |(f, _)| self.contains(*f))
            .map(|(_, n)| n)
    }

    /// The flag with this name.
    #[must_use]
    pub fn from_name(name: &str) -> Option<QualityFlags> {
        Self::ALL.iter().find(|(_, n)| *n == name).map(|(f, _)| *f)
    }
}

impl core::ops::BitOr for QualityFlags {
    type Output = QualityFlags;
    fn bitor(self, rhs: QualityFlags) -> QualityFlags {
        self.union(rhs)
    }
}

impl core::ops::BitOrAssign for QualityFlags {
    fn bitor_assign(&mut self, rhs: QualityFlags) {
        self.insert(rhs);
    }
}

impl core::fmt::Display for QualityFlags {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        if self.is_valid() {
            return f.write_str("valid");
        }
        for (i, n) in self.names().enumerate() {
            if i > 0 {
                f.write_str("|")?;
            }
            f.write_str(n)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_are_distinct_and_names_round_trip() {
        let mut all = 0u32;
        for (f, n) in QualityFlags::ALL {
            assert_eq!(f.bits().count_ones(), 1);
            assert_eq!(all & f.bits(), 0, "{n}");
            all |= f.bits();
            assert_eq!(QualityFlags::from_name(n), Some(f));
        }
        let f = QualityFlags::GLASSES | QualityFlags::NO_BLACKBODY;
        assert_eq!(f.to_string(), "glasses|no_blackbody");
        assert!(!f.is_valid() && QualityFlags::NONE.is_valid());
        assert_eq!(QualityFlags::NONE.to_string(), "valid");
    }
}
