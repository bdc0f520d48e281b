//! Minimum-cost assignment (Hungarian / Kuhn–Munkres with potentials, O(n²m)).
//!
//! **Decision.** A gate sees at most a few dozen detections per frame, so a
//! small dense solver is the right tool. `pathfinding::kuhn_munkres` is well
//! kept but works on integer weights (costs would have to be scaled) and
//! allocates its matrix and work vectors on every call; `lapjv`-style crates
//! also allocate per call. The ~60 lines below are the textbook
//! shortest-augmenting-path Hungarian algorithm with row/column potentials
//! (as in Jonker & Volgenant's formulation without the initialisation
//! heuristics), run in `f64` on `f32` costs, on work vectors sized once at
//! construction: no allocation per frame. Cost `>= UNASSIGNED` marks a pair
//! that must not be matched (gated out); the solver then maximises the number
//! of real matches first and minimises their cost second.

use crate::error::CoreError;

/// Cost of a forbidden pair. Any cost at or above this value (or NaN) is
/// treated as "do not match".
pub const UNASSIGNED: f32 = 1.0e7;

/// A reusable solver for matrices up to `capacity` rows and columns.
#[derive(Clone, Debug)]
pub struct Hungarian {
    capacity: usize,
    u: Vec<f64>,
    v: Vec<f64>,
    p: Vec<usize>,
    way: Vec<usize>,
    minv: Vec<f64>,
    used: Vec<bool>,
}

impl Hungarian {
    /// A solver for up to `capacity` × `capacity` matrices (1 ..= 4096).
    pub fn new(capacity: usize) -> Result<Self, CoreError> {
        if capacity == 0 || capacity > 4096 {
            return Err(CoreError::InvalidArgument {
                field: "capacity",
                value: capacity as f64,
                expected: "1 ..= 4096",
            });
        }
        let n = capacity + 1;
        Ok(Hungarian {
            capacity,
            u: vec![0.0; n],
            v: vec![0.0; n],
            p: vec![0; n],
            way: vec![0; n],
            minv: vec![0.0; n],
            used: vec![false; n],
        })
    }

    /// Solves the `rows` × `cols` problem in row-major `cost`; writes for each
    /// row the matched column, or `usize::MAX` when the row is unmatched or
    /// only matched at a cost `>= UNASSIGNED`, into `row_to_col[..rows]`.
    ///
    /// Errors: `CapacityExceeded` when a dimension exceeds the capacity;
    /// `ShapeMismatch` when `cost` or `row_to_col` is too short.
    #[allow(
        clippy::needless_range_loop,
        reason = "the textbook algorithm indexes several arrays by the same column"
    )]
    pub fn solve(
        &mut self,
        cost: &[f32],
        rows: usize,
        cols: usize,
        row_to_col: &mut [usize],
    ) -> Result<(), CoreError> {
        for (field, value) in [("rows", rows), ("cols", cols)] {
            if value > self.capacity {
                return Err(CoreError::CapacityExceeded {
                    field,
                    value,
                    max: self.capacity,
                });
            }
        }
        let needed = rows * cols;
        if cost.len() < needed || row_to_col.len() < rows {
            return Err(CoreError::ShapeMismatch {
                what: "cost matrix",
                expected_width: cols,
                expected_height: rows,
                actual_width: cost.len(),
                actual_height: row_to_col.len(),
            });
        }
        for r in row_to_col.iter_mut().take(rows) {
            *r = usize::MAX;
        }
        if rows == 0 || cols == 0 {
            return Ok(());
        }
        // The algorithm needs n <= m: transpose when there are more rows.
        let transposed = rows > cols;
        let (n, m) = if transposed {
            (cols, rows)
        } else {
            (rows, cols)
        };
        let at = |i: usize, j: usize| -> f64 {
            let c = if transposed {
                cost[j * cols + i]
            } else {
                cost[i * cols + j]
            };
            if c.is_nan() || c > UNASSIGNED {
                f64::from(UNASSIGNED)
            } else {
                f64::from(c)
            }
        };
        let (u, v, p, way, minv, used) = (
            &mut self.u,
            &mut self.v,
            &mut self.p,
            &mut self.way,
            &mut self.minv,
            &mut self.used,
        );
        u[..=n].fill(0.0);
        v[..=m].fill(0.0);
        p[..=m].fill(0);
        way[..=m].fill(0);
        for i in 1..=n {
            p[0] = i;
            let mut j0 = 0usize;
            minv[..=m].fill(f64::INFINITY);
            used[..=m].fill(false);
            // Each pass marks one more column used, so at most m + 1 passes.
            for _ in 0..=m {
                used[j0] = true;
                let i0 = p[j0];
                let mut delta = f64::INFINITY;
                let mut j1 = 0usize;
                for j in 1..=m {
                    if !used[j] {
                        let cur = at(i0 - 1, j - 1) - u[i0] - v[j];
                        if cur < minv[j] {
                            minv[j] = cur;
                            way[j] = j0;
                        }
                        if minv[j] < delta {
                            delta = minv[j];
                            j1 = j;
                        }
                    }
                }
                if j1 == 0 {
                    break; // cannot happen with n <= m and finite costs
                }
                for j in 0..=m {
                    if used[j] {
                        u[p[j]] += delta;
                        v[j] -= delta;
                    } else {
                        minv[j] -= delta;
                    }
                }
                j0 = j1;
                if p[j0] == 0 {
                    break;
                }
            }
            // Augment along the alternating path.
            for _ in 0..=m {
                let j1 = way[j0];
                p[j0] = p[j1];
                j0 = j1;
                if j0 == 0 {
                    break;
                }
            }
        }
        for j in 1..=m {
            let i = p[j];
            if i == 0 {
                continue;
            }
            let (row, col) = if transposed {
                (j - 1, i - 1)
            } else {
                (i - 1, j - 1)
            };
            if at(i - 1, j - 1) < f64::from(UNASSIGNED) {
                row_to_col[row] = col;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn brute(cost: &[f32], rows: usize, cols: usize) -> f32 {
        // Minimum over all injective maps rows -> cols (rows <= cols <= 4).
        fn rec(cost: &[f32], cols: usize, r: usize, rows: usize, used: &mut Vec<bool>) -> f32 {
            if r == rows {
                return 0.0;
            }
            let mut best = f32::INFINITY;
            for c in 0..cols {
                if !used[c] {
                    used[c] = true;
                    best = best.min(cost[r * cols + c] + rec(cost, cols, r + 1, rows, used));
                    used[c] = false;
                }
            }
            best
        }
        rec(cost, cols, 0, rows, &mut vec![false; cols])
    }

    #[test]
    fn matches_brute_force_on_small_matrices() {
        let mut h = Hungarian::new(8).unwrap();
        let mut seed = 12345u64;
        for _ in 0..300 {
            let rows = 1 + (seed % 4) as usize;
            let cols = rows + ((seed >> 8) % 2) as usize;
            let mut cost = vec![0f32; rows * cols];
            for c in &mut cost {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                *c = ((seed >> 33) % 1000) as f32 / 10.0;
            }
            let mut out = vec![0usize; rows];
            h.solve(&cost, rows, cols, &mut out).unwrap();
            let total: f32 = out
                .iter()
                .enumerate()
                .map(|(r, &c)| cost[r * cols + c])
                .sum();
            assert!((total - brute(&cost, rows, cols)).abs() < 1e-3);
            // Transposed problem agrees.
            let mut t = vec![0f32; rows * cols];
            for r in 0..rows {
                for c in 0..cols {
                    t[c * rows + r] = cost[r * cols + c];
                }
            }
            let mut out_t = vec![0usize; cols];
            h.solve(&t, cols, rows, &mut out_t).unwrap();
            let total_t: f32 = out_t
                .iter()
                .enumerate()
                .filter(|(_, c)| **c != usize::MAX)
                .map(|(r, &c)| t[r * rows + c])
                .sum();
            assert!((total_t - total).abs() < 1e-3);
        }
    }

    #[test]
    fn gated_pairs_stay_unmatched() {
        let mut h = Hungarian::new(4).unwrap();
        let cost = [1.0, UNASSIGNED, UNASSIGNED, UNASSIGNED];
        let mut out = [0usize; 2];
        h.solve(&cost, 2, 2, &mut out).unwrap();
        assert_eq!(out, [0, usize::MAX]);
        let nan = [f32::NAN; 4];
        h.solve(&nan, 2, 2, &mut out).unwrap();
        assert_eq!(out, [usize::MAX, usize::MAX]);
        assert!(h.solve(&cost, 5, 1, &mut out).is_err());
        assert!(h.solve(&cost[..3], 2, 2, &mut out).is_err());
        h.solve(&[], 0, 3, &mut out).unwrap();
    }
}
