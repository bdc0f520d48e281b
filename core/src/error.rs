//! Errors raised by `hsm-core`, each mapped to a stable [`StatusCode`].

use crate::status::StatusCode;

/// Errors from the core vocabulary: invalid arguments and frame shapes.
///
/// Every variant names the offending field and value, so a caller (or a
/// person reading a log) knows what to fix without reading the source.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum CoreError {
    /// An argument is outside its documented domain.
    #[error("invalid {field} = {value}: expected {expected}")]
    InvalidArgument {
        /// Name of the argument.
        field: &'static str,
        /// The rejected value.
        value: f64,
        /// What the argument must be.
        expected: &'static str,
    },
    /// A frame with zero width or height.
    #[error("frame is empty: width {width} × height {height}; both must be at least 1")]
    EmptyFrame {
        /// Width in pixels.
        width: usize,
        /// Height in pixels.
        height: usize,
    },
    /// The row stride is smaller than the width.
    #[error(
        "row stride {stride} is smaller than the width {width} (stride counts elements, not bytes)"
    )]
    StrideTooSmall {
        /// Row stride in elements.
        stride: usize,
        /// Width in pixels.
        width: usize,
    },
    /// The buffer holds fewer elements than the shape needs.
    #[error(
        "buffer of {len} elements is too short for a {width}×{height} frame with row stride {stride}: {required} needed"
    )]
    BufferTooShort {
        /// Elements in the buffer.
        len: usize,
        /// Elements the shape needs: `stride * (height - 1) + width`.
        required: usize,
        /// Width in pixels.
        width: usize,
        /// Height in pixels.
        height: usize,
        /// Row stride in elements.
        stride: usize,
    },
    /// A dimension exceeds [`crate::frame::MAX_DIMENSION`].
    #[error("frame of {width}×{height} exceeds the maximum dimension {max} per side")]
    FrameTooLarge {
        /// Width in pixels.
        width: usize,
        /// Height in pixels.
        height: usize,
        /// The maximum per side.
        max: usize,
    },
    /// Two frames that must have the same shape do not.
    #[error(
        "shape mismatch: {what} is {actual_width}×{actual_height}, expected {expected_width}×{expected_height}"
    )]
    ShapeMismatch {
        /// Which buffer is wrong.
        what: &'static str,
        /// Expected width.
        expected_width: usize,
        /// Expected height.
        expected_height: usize,
        /// Actual width.
        actual_width: usize,
        /// Actual height.
        actual_height: usize,
    },
    /// A value inside a batch (a detection, an event) is unusable; names the
    /// item's index and field.
    #[error("invalid {field} of {what}[{index}] = {value}: expected {expected}")]
    InvalidItem {
        /// What the batch holds, e.g. `"detections"`.
        what: &'static str,
        /// Index of the offending item in the batch.
        index: usize,
        /// Name of the field, e.g. `"x"`.
        field: &'static str,
        /// The rejected value.
        value: f64,
        /// What the field must be.
        expected: &'static str,
    },
    /// A timestamp or sequence number goes backwards.
    #[error(
        "{field} = {value} goes backwards: the previous one was {previous}; {field} must not decrease"
    )]
    OutOfOrder {
        /// Name of the field, e.g. `"t_us"`.
        field: &'static str,
        /// The rejected value.
        value: i64,
        /// The last accepted value.
        previous: i64,
    },
    /// More items than a configured capacity allows.
    #[error("{field} = {value} exceeds the configured capacity {max}")]
    CapacityExceeded {
        /// What was counted, e.g. `"detections"`.
        field: &'static str,
        /// How many were given.
        value: usize,
        /// The capacity.
        max: usize,
    },
}

impl CoreError {
    /// The stable status code of this error.
    #[must_use]
    pub const fn code(&self) -> StatusCode {
        match self {
            CoreError::InvalidArgument { .. } | CoreError::InvalidItem { .. } => {
                StatusCode::InvalidArgument
            }
            CoreError::OutOfOrder { .. } => StatusCode::OutOfOrder,
            CoreError::CapacityExceeded { .. } => StatusCode::CapacityExceeded,
            CoreError::EmptyFrame { .. }
            | CoreError::StrideTooSmall { .. }
            | CoreError::BufferTooShort { .. } => StatusCode::FrameShape,
            CoreError::FrameTooLarge { .. } => StatusCode::FrameTooLarge,
            CoreError::ShapeMismatch { .. } => StatusCode::ShapeMismatch,
        }
    }
}
