//! Timestamps in microseconds since an epoch the caller states.
//!
//! Library code never reads a clock: every time enters through a
//! [`Timestamp`], so a recording replays bit-for-bit.

/// A point in time, in microseconds since an epoch chosen by the caller
/// (device boot, Unix epoch, start of a recording — it is stated by whoever
/// creates the values, and libhsm never mixes epochs on its own).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(transparent))]
pub struct Timestamp(pub i64);

/// A signed span of time in microseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(transparent))]
pub struct Micros(pub i64);

impl Timestamp {
    /// Creates a timestamp from microseconds since the caller's epoch.
    #[must_use]
    pub const fn from_micros(us: i64) -> Self {
        Timestamp(us)
    }

    /// Microseconds since the caller's epoch.
    #[must_use]
    pub const fn as_micros(self) -> i64 {
        self.0
    }

    /// Seconds since the caller's epoch, as a float (for display and statistics).
    #[must_use]
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 * 1e-6
    }

    /// The span from `earlier` to `self`, or `None` on overflow.
    #[must_use]
    pub const fn checked_since(self, earlier: Timestamp) -> Option<Micros> {
        match self.0.checked_sub(earlier.0) {
            Some(d) => Some(Micros(d)),
            None => None,
        }
    }

    /// `self + span`, or `None` on overflow.
    #[must_use]
    pub const fn checked_add(self, span: Micros) -> Option<Timestamp> {
        match self.0.checked_add(span.0) {
            Some(t) => Some(Timestamp(t)),
            None => None,
        }
    }
}

impl Micros {
    /// A span of whole seconds.
    #[must_use]
    pub const fn from_secs(s: i64) -> Self {
        Micros(s.saturating_mul(1_000_000))
    }

    /// A span of milliseconds.
    #[must_use]
    pub const fn from_millis(ms: i64) -> Self {
        Micros(ms.saturating_mul(1_000))
    }

    /// The span in seconds, as a float.
    #[must_use]
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 * 1e-6
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic_is_checked() {
        let t = Timestamp::from_micros(1_500_000);
        assert_eq!(
            t.checked_since(Timestamp(500_000)),
            Some(Micros::from_secs(1))
        );
        assert_eq!(
            t.checked_add(Micros::from_millis(250)),
            Some(Timestamp(1_750_000))
        );
        assert_eq!(Timestamp(i64::MAX).checked_add(Micros(1)), None);
        assert_eq!(Timestamp(i64::MIN).checked_since(Timestamp(1)), None);
        assert!((t.as_secs_f64() - 1.5).abs() < 1e-12);
    }
}
