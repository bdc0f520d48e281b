//! Temperature units as types: [`Celsius`] and [`Kelvin`].
//!
//! Public APIs never take a bare `f64` temperature: the unit is in the type,
//! so a kelvin value cannot be passed where degrees Celsius are expected.
//! Bulk data (whole frames) are plain `f32` slices whose unit is stated in the
//! parameter name (`dst_celsius`), because arrays of newtypes do not cross
//! the C and numpy boundaries cleanly.

use crate::error::CoreError;

/// Offset between the Kelvin and Celsius scales (exact, by definition of the
/// Celsius scale since 1954/2019 SI). Note: one popular FLIR reader uses
/// 273.14; libhsm uses the exact value everywhere.
pub const KELVIN_OFFSET: f64 = 273.15;

/// A temperature in degrees Celsius.
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(transparent))]
pub struct Celsius(pub f64);

/// A temperature in kelvin.
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(transparent))]
pub struct Kelvin(pub f64);

impl Celsius {
    /// The value in degrees Celsius.
    #[must_use]
    pub const fn get(self) -> f64 {
        self.0
    }

    /// The same temperature in kelvin.
    #[must_use]
    pub fn to_kelvin(self) -> Kelvin {
        Kelvin(self.0 + KELVIN_OFFSET)
    }

    /// Checks that the value is a physical temperature: finite and above
    /// absolute zero. `field` names the parameter in the error.
    ///
    /// # Errors
    /// [`CoreError::InvalidArgument`] naming `field` and the value.
    pub fn validated(self, field: &'static str) -> Result<Self, CoreError> {
        if self.0.is_finite() && self.0 > -KELVIN_OFFSET {
            Ok(self)
        } else {
            Err(CoreError::InvalidArgument {
                field,
                value: self.0,
                expected: "a finite temperature above absolute zero (> -273.15 °C)",
            })
        }
    }

    /// Rounds to the 0.1 °C display resolution that screening standards
    /// (GB/T 19146, IEC 80601-2-59) require of a displayed reading.
    #[must_use]
    pub fn to_display_resolution(self) -> Celsius {
        Celsius((self.0 * 10.0).round() / 10.0)
    }
}

impl Kelvin {
    /// The value in kelvin.
    #[must_use]
    pub const fn get(self) -> f64 {
        self.0
    }

    /// The same temperature in degrees Celsius.
    #[must_use]
    pub fn to_celsius(self) -> Celsius {
        Celsius(self.0 - KELVIN_OFFSET)
    }
}

impl From<Celsius> for Kelvin {
    fn from(c: Celsius) -> Self {
        c.to_kelvin()
    }
}

impl From<Kelvin> for Celsius {
    fn from(k: Kelvin) -> Self {
        k.to_celsius()
    }
}

impl core::fmt::Display for Celsius {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match f.precision() {
            Some(p) => write!(f, "{:.*} °C", p, self.0),
            None => write!(f, "{} °C", self.0),
        }
    }
}

impl core::fmt::Display for Kelvin {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match f.precision() {
            Some(p) => write!(f, "{:.*} K", p, self.0),
            None => write!(f, "{} K", self.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_points() {
        assert!((Celsius(0.0).to_kelvin().get() - 273.15).abs() < 1e-12);
        assert!((Kelvin(310.15).to_celsius().get() - 37.0).abs() < 1e-12);
        assert_eq!(format!("{:.1}", Celsius(37.25)), "37.2 °C");
        assert!((Celsius(37.25).to_display_resolution().get() - 37.3).abs() < 1e-12);
    }

    #[test]
    fn validation_rejects_non_physical_values() {
        for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, -273.15, -300.0] {
            let err = Celsius(bad).validated("reflected").unwrap_err();
            assert!(err.to_string().contains("reflected"), "{err}");
        }
        assert!(Celsius(-273.0).validated("x").is_ok());
    }

    proptest! {
        #[test]
        fn celsius_kelvin_round_trip(c in -273.0f64..5000.0) {
            let back = Celsius::from(Kelvin::from(Celsius(c))).get();
            prop_assert!((back - c).abs() <= 1e-9 * c.abs().max(1.0));
        }
    }
}
