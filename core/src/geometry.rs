//! Pixel-space geometry: [`Point`] and [`Rect`].
//!
//! Image coordinates: x grows to the right, y grows **down**, origin at the
//! top-left pixel's top-left corner.

/// A point in pixel coordinates (sub-pixel precision).
#[derive(Clone, Copy, Debug, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Point {
    /// Column coordinate, growing to the right.
    pub x: f32,
    /// Row coordinate, growing down.
    pub y: f32,
}

/// An axis-aligned rectangle of whole pixels: columns `x..x+width`, rows
/// `y..y+height`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Rect {
    /// Left column (inclusive).
    pub x: u32,
    /// Top row (inclusive).
    pub y: u32,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
}

impl Point {
    /// Creates a point.
    #[must_use]
    pub const fn new(x: f32, y: f32) -> Self {
        Point { x, y }
    }

    /// Euclidean distance to `other`.
    #[must_use]
    pub fn distance(self, other: Point) -> f32 {
        (self.x - other.x).hypot(self.y - other.y)
    }
}

impl Rect {
    /// Creates a rectangle.
    #[must_use]
    pub const fn new(x: u32, y: u32, width: u32, height: u32) -> Self {
        Rect {
            x,
            y,
            width,
            height,
        }
    }

    /// Number of pixels covered.
    #[must_use]
    pub const fn area(self) -> u64 {
        self.width as u64 * self.height as u64
    }

    /// Exclusive right edge, saturating at `u32::MAX`.
    #[must_use]
    pub const fn right(self) -> u32 {
        self.x.saturating_add(self.width)
    }

    /// Exclusive bottom edge, saturating at `u32::MAX`.
    #[must_use]
    pub const fn bottom(self) -> u32 {
        self.y.saturating_add(self.height)
    }

    /// Centre of the rectangle.
    #[must_use]
    pub fn center(self) -> Point {
        Point::new(
            self.x as f32 + self.width as f32 / 2.0,
            self.y as f32 + self.height as f32 / 2.0,
        )
    }

    /// Whether pixel `(x, y)` lies inside.
    #[must_use]
    pub const fn contains(self, x: u32, y: u32) -> bool {
        x >= self.x && x < self.right() && y >= self.y && y < self.bottom()
    }

    /// Overlap of two rectangles, `None` when they do not overlap.
    #[must_use]
    pub fn intersection(self, other: Rect) -> Option<Rect> {
        let x0 = self.x.max(other.x);
        let y0 = self.y.max(other.y);
        let x1 = self.right().min(other.right());
        let y1 = self.bottom().min(other.bottom());
        (x1 > x0 && y1 > y0).then(|| Rect::new(x0, y0, x1 - x0, y1 - y0))
    }

    /// Intersection over union, in `[0, 1]`; 0 for two empty rectangles.
    #[must_use]
    pub fn iou(self, other: Rect) -> f64 {
        let inter = self.intersection(other).map_or(0, Rect::area);
        let union = self.area() + other.area() - inter;
        if union == 0 {
            0.0
        } else {
            inter as f64 / union as f64
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rect_set_operations() {
        let a = Rect::new(0, 0, 10, 10);
        let b = Rect::new(5, 5, 10, 10);
        assert_eq!(a.intersection(b), Some(Rect::new(5, 5, 5, 5)));
        assert!((a.iou(b) - 25.0 / 175.0).abs() < 1e-12);
        assert_eq!(a.intersection(Rect::new(10, 0, 5, 5)), None);
        assert!((a.iou(a) - 1.0).abs() < 1e-12);
        assert!(a.contains(9, 9) && !a.contains(10, 9));
        assert_eq!(Rect::default().iou(Rect::default()), 0.0);
        assert_eq!(Rect::new(u32::MAX, 0, 5, 1).right(), u32::MAX);
    }

    #[test]
    fn point_distance() {
        assert!((Point::new(0.0, 0.0).distance(Point::new(3.0, 4.0)) - 5.0).abs() < 1e-6);
    }
}
