//! Validated, strided views of 2-D frames.
//!
//! A frame arrives as a flat buffer plus `width`, `height` and a row `stride`
//! counted in **elements** (not bytes). [`FrameView::new`] checks the shape
//! once — non-zero sides, `stride >= width`, no dimension above
//! [`MAX_DIMENSION`], and a buffer long enough for
//! `stride * (height - 1) + width` elements — so the per-pixel loops that
//! follow need no further checks and cannot read out of bounds.

use crate::error::CoreError;

/// Largest accepted width or height. Real thermal sensors are at most a few
/// thousand pixels per side; anything larger is treated as a corrupt header
/// or a mix-up of arguments rather than allocated and processed.
pub const MAX_DIMENSION: usize = 1 << 15;

/// Validates a frame shape against a buffer length; shared by both views.
fn check_shape(len: usize, width: usize, height: usize, stride: usize) -> Result<(), CoreError> {
    if width == 0 || height == 0 {
        return Err(CoreError::EmptyFrame { width, height });
    }
    if width > MAX_DIMENSION || height > MAX_DIMENSION {
        return Err(CoreError::FrameTooLarge {
            width,
            height,
            max: MAX_DIMENSION,
        });
    }
    if stride < width {
        return Err(CoreError::StrideTooSmall { stride, width });
    }
    let required = stride
        .checked_mul(height - 1)
        .and_then(|n| n.checked_add(width))
        .ok_or(CoreError::FrameTooLarge {
            width,
            height,
            max: MAX_DIMENSION,
        })?;
    if len < required {
        return Err(CoreError::BufferTooShort {
            len,
            required,
            width,
            height,
            stride,
        });
    }
    Ok(())
}

/// A read-only view of a `width × height` frame of `T` with a row stride.
#[derive(Clone, Copy, Debug)]
pub struct FrameView<'a, T> {
    data: &'a [T],
    width: usize,
    height: usize,
    stride: usize,
}

/// A mutable view of a `width × height` frame of `T` with a row stride.
#[derive(Debug)]
pub struct FrameViewMut<'a, T> {
    data: &'a mut [T],
    width: usize,
    height: usize,
    stride: usize,
}

impl<'a, T> FrameView<'a, T> {
    /// Wraps `data` as a frame, checking the shape once.
    ///
    /// # Errors
    /// [`CoreError::EmptyFrame`], [`CoreError::FrameTooLarge`],
    /// [`CoreError::StrideTooSmall`] or [`CoreError::BufferTooShort`], each
    /// naming the numbers that do not fit.
    pub fn new(
        data: &'a [T],
        width: usize,
        height: usize,
        stride: usize,
    ) -> Result<Self, CoreError> {
        check_shape(data.len(), width, height, stride)?;
        Ok(FrameView {
            data,
            width,
            height,
            stride,
        })
    }

    /// Wraps a tightly packed row-major buffer (`stride == width`).
    ///
    /// # Errors
    /// As [`FrameView::new`].
    pub fn packed(data: &'a [T], width: usize, height: usize) -> Result<Self, CoreError> {
        Self::new(data, width, height, width)
    }

    /// Width in pixels.
    #[must_use]
    pub const fn width(&self) -> usize {
        self.width
    }

    /// Height in pixels.
    #[must_use]
    pub const fn height(&self) -> usize {
        self.height
    }

    /// Row stride in elements.
    #[must_use]
    pub const fn stride(&self) -> usize {
        self.stride
    }

    /// Number of pixels (`width * height`).
    #[must_use]
    pub const fn pixel_count(&self) -> usize {
        self.width * self.height
    }

    /// Whether rows follow each other without padding.
    #[must_use]
    pub const fn is_packed(&self) -> bool {
        self.stride == self.width
    }

    /// Row `y` (exactly `width` elements), or `None` past the last row.
    #[must_use]
    pub fn row(&self, y: usize) -> Option<&'a [T]> {
        if y >= self.height {
            return None;
        }
        let start = y * self.stride;
        self.data.get(start..start + self.width)
    }

    /// Iterator over the rows, each exactly `width` elements.
    pub fn rows(&self) -> impl ExactSizeIterator<Item = &'a [T]> + 'a {
        let (width, data) = (self.width, self.data);
        // `check_shape` guarantees every chunk start + width is in bounds;
        // `chunks` yields exactly `height` chunks because the buffer holds at
        // least `stride * (height - 1) + width` elements (extra trailing
        // elements beyond the last row are excluded by `take`).
        data.chunks(self.stride)
            .take(self.height)
            .map(move |chunk| chunk.get(..width).unwrap_or(chunk))
    }

    /// The 3 × 3 neighbourhood centred on `(x, y)`, rows top to bottom, or
    /// `None` unless it lies wholly inside the frame (one bounds check for
    /// the nine pixels: the inner loop of window statistics).
    ///
    /// ```
    /// # use hsm_core::FrameView;
    /// let px: Vec<u16> = (0..20).collect();
    /// let f = FrameView::packed(&px, 5, 4).unwrap();
    /// assert_eq!(f.neighbourhood3(1, 1), Some([[0, 1, 2], [5, 6, 7], [10, 11, 12]]));
    /// assert_eq!(f.neighbourhood3(4, 1), None);
    /// ```
    #[must_use]
    #[inline]
    pub fn neighbourhood3(&self, x: usize, y: usize) -> Option<[[T; 3]; 3]>
    where
        T: Copy,
    {
        if x == 0 || y == 0 || x + 1 >= self.width || y + 1 >= self.height {
            return None;
        }
        let s = self.stride;
        let start = (y - 1) * s + x - 1;
        let d = self.data.get(start..start + 2 * s + 3)?;
        let row = |o: usize| d.get(o..).and_then(<[T]>::first_chunk::<3>).copied();
        Some([row(0)?, row(s)?, row(2 * s)?])
    }

    /// The pixel at `(x, y)`, or `None` outside the frame.
    #[must_use]
    pub fn get(&self, x: usize, y: usize) -> Option<&'a T> {
        if x >= self.width {
            return None;
        }
        self.row(y).and_then(|r| r.get(x))
    }

    /// The packed pixel buffer, when rows have no padding.
    #[must_use]
    pub fn as_packed_slice(&self) -> Option<&'a [T]> {
        if self.is_packed() {
            self.data.get(..self.pixel_count())
        } else {
            None
        }
    }
}

impl<'a, T> FrameViewMut<'a, T> {
    /// Wraps `data` as a mutable frame, checking the shape once.
    ///
    /// # Errors
    /// As [`FrameView::new`].
    pub fn new(
        data: &'a mut [T],
        width: usize,
        height: usize,
        stride: usize,
    ) -> Result<Self, CoreError> {
        check_shape(data.len(), width, height, stride)?;
        Ok(FrameViewMut {
            data,
            width,
            height,
            stride,
        })
    }

    /// Wraps a tightly packed row-major buffer (`stride == width`).
    ///
    /// # Errors
    /// As [`FrameView::new`].
    pub fn packed(data: &'a mut [T], width: usize, height: usize) -> Result<Self, CoreError> {
        Self::new(data, width, height, width)
    }

    /// Width in pixels.
    #[must_use]
    pub const fn width(&self) -> usize {
        self.width
    }

    /// Height in pixels.
    #[must_use]
    pub const fn height(&self) -> usize {
        self.height
    }

    /// Row stride in elements.
    #[must_use]
    pub const fn stride(&self) -> usize {
        self.stride
    }

    /// Iterator over the rows, each exactly `width` elements, mutably.
    pub fn rows_mut(&mut self) -> impl ExactSizeIterator<Item = &mut [T]> + '_ {
        let width = self.width;
        self.data
            .chunks_mut(self.stride)
            .take(self.height)
            .map(move |chunk| {
                let n = width.min(chunk.len());
                &mut chunk[..n]
            })
    }

    /// Checks that this frame has the same width and height as `other`.
    ///
    /// # Errors
    /// [`CoreError::ShapeMismatch`] naming `what` (this buffer).
    pub fn check_same_shape<U>(
        &self,
        other: &FrameView<'_, U>,
        what: &'static str,
    ) -> Result<(), CoreError> {
        if self.width == other.width && self.height == other.height {
            Ok(())
        } else {
            Err(CoreError::ShapeMismatch {
                what,
                expected_width: other.width,
                expected_height: other.height,
                actual_width: self.width,
                actual_height: self.height,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::status::StatusCode;
    use proptest::prelude::*;

    #[test]
    fn packed_and_strided_rows() {
        let data: Vec<u16> = (0..12).collect();
        let v = FrameView::new(&data, 3, 3, 4).unwrap();
        let rows: Vec<&[u16]> = v.rows().collect();
        assert_eq!(rows, vec![&[0, 1, 2][..], &[4, 5, 6][..], &[8, 9, 10][..]]);
        assert_eq!(v.get(2, 2), Some(&10));
        assert_eq!(v.get(3, 0), None);
        assert_eq!(v.get(0, 3), None);
        assert!(v.as_packed_slice().is_none());
        // The last row needs only `width` elements, not a full stride.
        assert!(FrameView::new(&data[..11], 3, 3, 4).is_ok());
        let p = FrameView::packed(&data, 4, 3).unwrap();
        assert_eq!(p.as_packed_slice().map(<[u16]>::len), Some(12));
    }

    proptest! {
        /// `neighbourhood3` equals nine `get`s wherever the 3 × 3 window
        /// lies inside the frame and is `None` elsewhere, packed or strided
        /// (the padding columns are never read: they hold a marker).
        #[test]
        fn neighbourhood3_matches_get(w in 1usize..9, h in 1usize..7, pad in 0usize..3, x in 0usize..10, y in 0usize..8) {
            let stride = w + pad;
            let data: Vec<u16> = (0..stride * h)
                .map(|i| if i % stride < w { i as u16 } else { u16::MAX })
                .collect();
            let v = FrameView::new(&data, w, h, stride).unwrap();
            let inside = x >= 1 && y >= 1 && x + 1 < w && y + 1 < h;
            let expected = inside.then(|| {
                core::array::from_fn(|r| {
                    core::array::from_fn(|c| *v.get(x + c - 1, y + r - 1).unwrap())
                })
            });
            prop_assert_eq!(v.neighbourhood3(x, y), expected);
        }
    }

    #[test]
    fn shape_errors_name_the_mismatch() {
        let data = [0u16; 10];
        let e = FrameView::new(&data, 0, 3, 3).unwrap_err();
        assert_eq!(e.code(), StatusCode::FrameShape);
        let e = FrameView::new(&data, 4, 2, 3).unwrap_err();
        assert!(
            e.to_string().contains("stride 3") && e.to_string().contains("width 4"),
            "{e}"
        );
        let e = FrameView::new(&data, 4, 3, 4).unwrap_err();
        assert!(e.to_string().contains("12 needed"), "{e}");
        let e = FrameView::new(&data, MAX_DIMENSION + 1, 1, MAX_DIMENSION + 1).unwrap_err();
        assert_eq!(e.code(), StatusCode::FrameTooLarge);
        let e = FrameView::new(&data, 1, 2, usize::MAX).unwrap_err();
        assert_eq!(e.code(), StatusCode::FrameTooLarge);
    }

    #[test]
    fn mutable_rows_and_shape_check() {
        let mut out = [0f32; 8];
        let src = [1u16; 6];
        let sv = FrameView::packed(&src, 3, 2).unwrap();
        let mut ov = FrameViewMut::new(&mut out, 3, 2, 4).unwrap();
        ov.check_same_shape(&sv, "dst").unwrap();
        for row in ov.rows_mut() {
            row.fill(1.0);
        }
        assert_eq!(out, [1.0, 1.0, 1.0, 0.0, 1.0, 1.0, 1.0, 0.0]);
        let mut small = [0f32; 4];
        let sm = FrameViewMut::packed(&mut small, 2, 2).unwrap();
        let e = sm.check_same_shape(&sv, "dst").unwrap_err();
        assert!(e.to_string().contains("dst is 2×2, expected 3×2"), "{e}");
    }

    proptest! {
        /// A view either is rejected or yields exactly `height` rows of
        /// `width` elements, all inside the buffer.
        #[test]
        fn views_never_read_out_of_bounds(len in 0usize..200, w in 0usize..20, h in 0usize..20, s in 0usize..25) {
            let data: Vec<u32> = (0..len as u32).collect();
            if let Ok(v) = FrameView::new(&data, w, h, s) {
                let rows: Vec<&[u32]> = v.rows().collect();
                prop_assert_eq!(rows.len(), h);
                for (y, r) in rows.iter().enumerate() {
                    prop_assert_eq!(r.len(), w);
                    prop_assert_eq!(r[0] as usize, y * s);
                }
            } else {
                prop_assert!(w == 0 || h == 0 || s < w || len < s * (h - 1) + w);
            }
        }
    }
}
