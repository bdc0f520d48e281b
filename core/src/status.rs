//! The workspace's one table of stable numeric status codes.
//!
//! Every error in libhsm, whichever crate raises it, maps to exactly one
//! [`StatusCode`]. The numbers are part of the C ABI and of the Python
//! exception mapping, so they are **stable**: a code is never renumbered and a
//! retired code is never reused.
//!
//! | range       | owner                         |
//! |-------------|-------------------------------|
//! | 0           | success                       |
//! | 1000–1999   | `hsm-core` (units, frames)    |
//! | 2000–2999   | `hsm-thermal`                 |
//! | 3000–3999   | `hsm-metal`                   |
//! | 4000–4999   | `hsm-policy`                  |
//! | 5000–5999   | input/output and file formats |
//! | 6000–6999   | the gate and its passage log (`hsm::gate`) |
//! | 9000–9999   | the binding layers (C, Python)|
//!
//! | code | name | meaning |
//! |-----:|------|---------|
//! | 0    | `Ok` | success |
//! | 1001 | `InvalidArgument` | an argument is outside its documented domain (NaN, negative, …) |
//! | 1002 | `FrameShape` | width, height, stride and buffer length do not describe a frame |
//! | 1003 | `FrameTooLarge` | a frame dimension exceeds [`crate::frame::MAX_DIMENSION`] |
//! | 1004 | `ShapeMismatch` | two buffers that must have the same shape do not |
//! | 1005 | `OutOfOrder` | a timestamp or frame number goes backwards in a stream that must be ordered |
//! | 1006 | `CapacityExceeded` | more items (detections, tracks, events) than a configured capacity allows |
//! | 2001 | `InvalidRadiometry` | camera radiometric constants are unusable |
//! | 2002 | `InvalidScene` | scene parameters (emissivity, distance, humidity, …) are unusable |
//! | 2003 | `OutOfRange` | a temperature or signal lies outside what the radiometric map can represent |
//! | 3001 | `InvalidMetalParameter` | a metal-detector or object parameter is unusable |
//! | 4001 | `InvalidProfile` | a hospital profile or policy input is unusable |
//! | 5001 | `Io` | reading or writing a file failed |
//! | 5002 | `Format` | a file's contents are not in the expected format |
//! | 5003 | `Truncated` | a file ends before a record, field or frame it declares |
//! | 5004 | `UnsupportedFormat` | a file uses a format or encoding variant libhsm does not read |
//! | 5005 | `LimitExceeded` | a size declared by a file exceeds libhsm's resource limits |
//! | 6001 | `Storage` | the passage log's database failed (locked, corrupt, full disk, read-only) |
//! | 6002 | `SchemaTooNew` | the passage log was written by a newer libhsm whose schema this one does not know |
//! | 6003 | `NotFound` | no record with the given id |
//! | 9001 | `NullPointer` | a required pointer argument was NULL (C only) |
//! | 9002 | `BufferTooSmall` | a caller-supplied buffer is too small (C only) |
//! | 9003 | `Panic` | an internal panic was caught at the boundary (a bug: please report) |
//! | 9004 | `InvalidUtf8` | a string argument is not valid UTF-8 (C only) |

/// Stable numeric status code shared by all crates and all bindings.
///
/// See the [module documentation](self) for the table of ranges and codes.
#[repr(u32)]
/// The enum is deliberately *not* `#[non_exhaustive]`: the bindings match
/// on it exhaustively, so adding a code fails to compile until every door
/// maps it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StatusCode {
    /// Success.
    Ok = 0,
    /// An argument is outside its documented domain.
    InvalidArgument = 1001,
    /// Width, height, stride and buffer length do not describe a frame.
    FrameShape = 1002,
    /// A frame dimension exceeds the supported maximum.
    FrameTooLarge = 1003,
    /// Two buffers that must have the same shape do not.
    ShapeMismatch = 1004,
    /// A timestamp or frame number goes backwards in a stream that must be ordered.
    OutOfOrder = 1005,
    /// More items than a configured capacity allows.
    CapacityExceeded = 1006,
    /// Camera radiometric constants are unusable.
    InvalidRadiometry = 2001,
    /// Scene parameters are unusable.
    InvalidScene = 2002,
    /// A value lies outside what the radiometric map can represent.
    OutOfRange = 2003,
    /// A metal-detector or object parameter is unusable.
    InvalidMetalParameter = 3001,
    /// A hospital profile or policy input is unusable.
    InvalidProfile = 4001,
    /// Reading or writing a file failed.
    Io = 5001,
    /// A file's contents are not in the expected format.
    Format = 5002,
    /// A file ends before a record, field or frame it declares.
    Truncated = 5003,
    /// A file uses a format or encoding variant libhsm does not read.
    UnsupportedFormat = 5004,
    /// A size declared by a file exceeds libhsm's resource limits.
    LimitExceeded = 5005,
    /// The passage log's database failed (locked, corrupt, full disk, read-only).
    Storage = 6001,
    /// The passage log was written by a newer libhsm.
    SchemaTooNew = 6002,
    /// No record with the given id.
    NotFound = 6003,
    /// A required pointer argument was NULL.
    NullPointer = 9001,
    /// A caller-supplied buffer is too small.
    BufferTooSmall = 9002,
    /// An internal panic was caught at the boundary.
    Panic = 9003,
    /// A string argument is not valid UTF-8.
    InvalidUtf8 = 9004,
}

/// Broad class of a [`StatusCode`], used by bindings to pick an exception type.
/// Not `#[non_exhaustive]`, for the same reason as [`StatusCode`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// Not an error.
    None,
    /// A value is outside its domain (Python: `ValueError`).
    InvalidValue,
    /// Array or buffer shapes are wrong (Python: `ValueError`).
    Shape,
    /// A file could not be read or written (Python: `OSError`).
    Io,
    /// A file is malformed (Python: `ValueError`).
    Format,
    /// A bug inside libhsm.
    Internal,
}

impl StatusCode {
    /// Every code, in numeric order. Useful for exhaustive tests and tables.
    pub const ALL: [StatusCode; 24] = [
        StatusCode::Ok,
        StatusCode::InvalidArgument,
        StatusCode::FrameShape,
        StatusCode::FrameTooLarge,
        StatusCode::ShapeMismatch,
        StatusCode::OutOfOrder,
        StatusCode::CapacityExceeded,
        StatusCode::InvalidRadiometry,
        StatusCode::InvalidScene,
        StatusCode::OutOfRange,
        StatusCode::InvalidMetalParameter,
        StatusCode::InvalidProfile,
        StatusCode::Io,
        StatusCode::Format,
        StatusCode::Truncated,
        StatusCode::UnsupportedFormat,
        StatusCode::LimitExceeded,
        StatusCode::Storage,
        StatusCode::SchemaTooNew,
        StatusCode::NotFound,
        StatusCode::NullPointer,
        StatusCode::BufferTooSmall,
        StatusCode::Panic,
        StatusCode::InvalidUtf8,
    ];

    /// The numeric value of this code.
    #[must_use]
    pub const fn as_u32(self) -> u32 {
        self as u32
    }

    /// The code with this number, if one exists.
    #[must_use]
    pub fn from_u32(value: u32) -> Option<StatusCode> {
        StatusCode::ALL
            .iter()
            .copied()
            .find(|c| c.as_u32() == value)
    }

    /// The stable name of the code (the variant name, e.g. `"FrameShape"`),
    /// used by bindings (Python's `HsmError.status`). Part of the contract:
    /// a name never changes once released.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            StatusCode::Ok => "Ok",
            StatusCode::InvalidArgument => "InvalidArgument",
            StatusCode::FrameShape => "FrameShape",
            StatusCode::FrameTooLarge => "FrameTooLarge",
            StatusCode::ShapeMismatch => "ShapeMismatch",
            StatusCode::OutOfOrder => "OutOfOrder",
            StatusCode::CapacityExceeded => "CapacityExceeded",
            StatusCode::InvalidRadiometry => "InvalidRadiometry",
            StatusCode::InvalidScene => "InvalidScene",
            StatusCode::OutOfRange => "OutOfRange",
            StatusCode::InvalidMetalParameter => "InvalidMetalParameter",
            StatusCode::InvalidProfile => "InvalidProfile",
            StatusCode::Io => "Io",
            StatusCode::Format => "Format",
            StatusCode::Truncated => "Truncated",
            StatusCode::UnsupportedFormat => "UnsupportedFormat",
            StatusCode::LimitExceeded => "LimitExceeded",
            StatusCode::Storage => "Storage",
            StatusCode::SchemaTooNew => "SchemaTooNew",
            StatusCode::NotFound => "NotFound",
            StatusCode::NullPointer => "NullPointer",
            StatusCode::BufferTooSmall => "BufferTooSmall",
            StatusCode::Panic => "Panic",
            StatusCode::InvalidUtf8 => "InvalidUtf8",
        }
    }

    /// A short, static, human-readable description of the code.
    #[must_use]
    pub const fn message(self) -> &'static str {
        match self {
            StatusCode::Ok => "success",
            StatusCode::InvalidArgument => "an argument is outside its documented domain",
            StatusCode::FrameShape => {
                "width, height, stride and buffer length do not describe a frame"
            }
            StatusCode::FrameTooLarge => "a frame dimension exceeds the supported maximum",
            StatusCode::ShapeMismatch => "two buffers that must have the same shape do not",
            StatusCode::OutOfOrder => {
                "a timestamp or frame number goes backwards in a stream that must be ordered"
            }
            StatusCode::CapacityExceeded => {
                "more items (detections, tracks, events) than a configured capacity allows"
            }
            StatusCode::InvalidRadiometry => "camera radiometric constants are unusable",
            StatusCode::InvalidScene => {
                "scene parameters (emissivity, distance, temperatures, humidity) are unusable"
            }
            StatusCode::OutOfRange => "a value lies outside what the radiometric map can represent",
            StatusCode::InvalidMetalParameter => "a metal-detector or object parameter is unusable",
            StatusCode::InvalidProfile => "a hospital profile or policy input is unusable",
            StatusCode::Io => "reading or writing a file failed",
            StatusCode::Format => "a file's contents are not in the expected format",
            StatusCode::Truncated => "a file ends before a record, field or frame it declares",
            StatusCode::UnsupportedFormat => {
                "a file uses a format or encoding variant libhsm does not read"
            }
            StatusCode::LimitExceeded => {
                "a size declared by a file exceeds libhsm's resource limits"
            }
            StatusCode::Storage => {
                "the passage log's database failed (locked, corrupt, full disk, read-only)"
            }
            StatusCode::SchemaTooNew => {
                "the passage log was written by a newer libhsm whose schema this one does not know"
            }
            StatusCode::NotFound => "no record with the given id",
            StatusCode::NullPointer => "a required pointer argument was NULL",
            StatusCode::BufferTooSmall => "a caller-supplied buffer is too small",
            StatusCode::Panic => {
                "internal panic caught at the library boundary (a bug: please report it)"
            }
            StatusCode::InvalidUtf8 => "a string argument is not valid UTF-8",
        }
    }

    /// The broad class of this code.
    #[must_use]
    pub const fn kind(self) -> ErrorKind {
        match self {
            StatusCode::Ok => ErrorKind::None,
            StatusCode::InvalidArgument
            | StatusCode::InvalidRadiometry
            | StatusCode::InvalidScene
            | StatusCode::OutOfRange
            | StatusCode::InvalidMetalParameter
            | StatusCode::InvalidProfile
            | StatusCode::OutOfOrder
            | StatusCode::NullPointer
            | StatusCode::InvalidUtf8 => ErrorKind::InvalidValue,
            StatusCode::FrameShape
            | StatusCode::FrameTooLarge
            | StatusCode::ShapeMismatch
            | StatusCode::CapacityExceeded
            | StatusCode::BufferTooSmall => ErrorKind::Shape,
            StatusCode::Io | StatusCode::Storage => ErrorKind::Io,
            StatusCode::Format
            | StatusCode::Truncated
            | StatusCode::UnsupportedFormat
            | StatusCode::LimitExceeded
            | StatusCode::SchemaTooNew => ErrorKind::Format,
            StatusCode::NotFound => ErrorKind::InvalidValue,
            StatusCode::Panic => ErrorKind::Internal,
        }
    }

    /// Whether this code reports a problem with the input data or arguments
    /// (as opposed to success, I/O or an internal bug).
    #[must_use]
    pub const fn is_input_error(self) -> bool {
        matches!(
            self.kind(),
            ErrorKind::InvalidValue | ErrorKind::Shape | ErrorKind::Format
        )
    }
}

impl core::fmt::Display for StatusCode {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{} ({})", self.message(), self.as_u32())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_sorted_and_round_trip() {
        for pair in StatusCode::ALL.windows(2) {
            assert!(
                pair[0].as_u32() < pair[1].as_u32(),
                "{pair:?} not strictly increasing"
            );
        }
        for code in StatusCode::ALL {
            assert_eq!(StatusCode::from_u32(code.as_u32()), Some(code));
            assert!(!code.message().is_empty());
            assert_eq!(code.name(), format!("{code:?}"));
        }
        assert_eq!(StatusCode::from_u32(1), None);
        assert_eq!(StatusCode::from_u32(u32::MAX), None);
    }

    #[test]
    fn codes_live_in_their_crate_ranges() {
        let range = |c: StatusCode| c.as_u32() / 1000;
        assert_eq!(range(StatusCode::FrameShape), 1);
        assert_eq!(range(StatusCode::InvalidRadiometry), 2);
        assert_eq!(range(StatusCode::InvalidMetalParameter), 3);
        assert_eq!(range(StatusCode::InvalidProfile), 4);
        assert_eq!(range(StatusCode::Format), 5);
        assert_eq!(range(StatusCode::Storage), 6);
        assert_eq!(range(StatusCode::Panic), 9);
    }

    #[test]
    fn only_ok_is_not_an_error() {
        for code in StatusCode::ALL {
            assert_eq!(code.kind() == ErrorKind::None, code == StatusCode::Ok);
        }
    }
}
