//! A JPEG-LS (ITU-T T.87) decoder for what FLIR CSQ files hold: one
//! greyscale component, 2–16 bits per sample, lossless or near-lossless,
//! default or LSE-preset coding parameters.
//!
//! No maintained pure-Rust JPEG-LS decoder exists on crates.io (the
//! `charls` crate binds the C++ CharLS library), so this module implements
//! the decoding process of T.87 §A (context modelling, regular and run
//! modes, Golomb codes with a length limit, marker-bit stuffing). It is
//! checked against the sample CSQ file's known statistics and against
//! streams produced by an independent encoder in the tests.
//!
//! Every read is bounds-checked; a corrupt stream yields a [`JlsError`]
//! with the byte offset, never a panic, and the output size is fixed by
//! the caller before decoding starts.

/// A decoding failure at a byte offset within the JPEG-LS stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct JlsError {
    /// Byte offset in the stream.
    pub(crate) offset: usize,
    /// What was expected.
    pub(crate) detail: String,
}

fn err<T>(offset: usize, detail: impl Into<String>) -> Result<T, JlsError> {
    Err(JlsError {
        offset,
        detail: detail.into(),
    })
}

/// Run-length order table J (T.87 §A.7.1.2).
const J: [u32; 32] = [
    0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 9, 10, 11, 12, 13,
    14, 15,
];

/// Bit reader with JPEG-LS marker stuffing: after a 0xFF byte only the
/// low 7 bits of the next byte are data; a byte ≥ 0x80 there is a marker,
/// which ends the scan data. Bits are buffered MSB-first in a 64-bit
/// accumulator refilled a byte at a time.
struct Bits<'a> {
    data: &'a [u8],
    pos: usize,
    acc: u64,
    nbits: u32,
    prev_ff: bool,
    /// A marker or the end of the data was reached: no more refills.
    done: bool,
}

impl Bits<'_> {
    #[inline]
    fn refill(&mut self) {
        while self.nbits <= 56 && !self.done {
            let Some(&b) = self.data.get(self.pos) else {
                self.done = true;
                break;
            };
            let width = if self.prev_ff {
                if b & 0x80 != 0 {
                    self.done = true;
                    break;
                }
                7
            } else {
                8
            };
            self.acc |= u64::from(b) << (64 - self.nbits - width);
            self.nbits += width;
            self.prev_ff = b == 0xFF;
            self.pos += 1;
        }
    }

    fn ended(&self) -> JlsError {
        JlsError {
            offset: self.pos,
            detail: "the scan data ends (or a marker interrupts it) before the image is complete"
                .to_owned(),
        }
    }

    #[inline]
    fn bit(&mut self) -> Result<u32, JlsError> {
        self.bits(1)
    }

    #[inline]
    fn bits(&mut self, n: u32) -> Result<u32, JlsError> {
        if n == 0 {
            return Ok(0);
        }
        if self.nbits < n {
            self.refill();
            if self.nbits < n {
                return Err(self.ended());
            }
        }
        let v = (self.acc >> (64 - n)) as u32;
        self.acc <<= n;
        self.nbits -= n;
        Ok(v)
    }

    /// Golomb-decodes a mapped error value with the length limit (A.5.3).
    #[inline]
    fn golomb(&mut self, k: u32, limit: u32, qbpp: u32) -> Result<i32, JlsError> {
        let mut high = 0u32;
        loop {
            if self.nbits == 0 {
                self.refill();
                if self.nbits == 0 {
                    return Err(self.ended());
                }
            }
            let zeros = self.acc.leading_zeros().min(self.nbits);
            high += zeros;
            if high > limit {
                return err(self.pos, "a Golomb code exceeds the length limit");
            }
            if zeros < self.nbits {
                // Consume the zeros and the terminating one bit.
                self.acc = self.acc.checked_shl(zeros + 1).unwrap_or(0);
                self.nbits -= zeros + 1;
                break;
            }
            self.acc = 0;
            self.nbits = 0;
        }
        if high >= limit.saturating_sub(qbpp + 1) {
            return Ok(self.bits(qbpp)? as i32 + 1);
        }
        Ok(((high << k) | self.bits(k)?) as i32)
    }
}

/// Regular-mode context.
#[derive(Clone, Copy)]
struct Ctx {
    a: i32,
    b: i32,
    c: i32,
    n: i32,
}

/// Run-interruption context.
#[derive(Clone, Copy)]
struct RunCtx {
    a: i32,
    n: i32,
    nn: i32,
    ri_type: i32,
}

/// Parameters from the frame header, LSE segment and scan header.
struct Params {
    maxval: i32,
    t1: i32,
    t2: i32,
    t3: i32,
    reset: i32,
    near: i32,
}

fn ceil_log2(v: i32) -> u32 {
    let mut n = 0;
    while (1i64 << n) < i64::from(v) {
        n += 1;
    }
    n
}

/// Default thresholds (T.87 §C.2.4.1.1).
fn default_thresholds(maxval: i32, near: i32) -> (i32, i32, i32) {
    let clamp = |v: i32, lo: i32, hi: i32| if v > hi || v < lo { lo } else { v };
    if maxval >= 128 {
        let factor = (maxval.min(4095) + 128) / 256;
        let t1 = clamp(factor + 2 + 3 * near, near + 1, maxval);
        let t2 = clamp(factor * (7 - 3) + 3 + 5 * near, t1, maxval);
        let t3 = clamp(factor * (21 - 4) + 4 + 7 * near, t2, maxval);
        (t1, t2, t3)
    } else {
        let factor = 256 / (maxval + 1);
        let t1 = clamp((3 / factor) + 3 * near, near + 1, maxval).max(2);
        let t2 = clamp((7 / factor) + 5 * near, t1, maxval).max(3);
        let t3 = clamp((21 / factor) + 7 * near, t2, maxval).max(4);
        (t1, t2, t3)
    }
}

fn u16_at(d: &[u8], at: usize) -> Result<u16, JlsError> {
    match d.get(at..at + 2) {
        Some(b) => Ok(u16::from_be_bytes([b[0], b[1]])),
        None => err(at, "the stream ends inside a marker segment"),
    }
}

/// Decodes a JPEG-LS image of exactly `width`×`height` into `out`
/// (`out.len()` must be `width * height`).
pub(crate) fn decode(
    data: &[u8],
    width: usize,
    height: usize,
    out: &mut [u16],
) -> Result<(), JlsError> {
    if out.len() != width * height {
        return err(0, "internal: output buffer does not match the image size");
    }
    if !data.starts_with(&[0xFF, 0xD8]) {
        return err(0, "expected the JPEG-LS start-of-image marker FF D8");
    }
    let mut pos = 2usize;
    let mut bits_per_sample: Option<u32> = None;
    let mut preset: Option<(i32, i32, i32, i32, i32)> = None;
    loop {
        if data.get(pos) != Some(&0xFF) {
            return err(pos, "expected a JPEG-LS marker");
        }
        while data.get(pos + 1) == Some(&0xFF) {
            pos += 1;
        }
        let Some(&marker) = data.get(pos + 1) else {
            return err(pos, "the stream ends before the scan");
        };
        let len = usize::from(u16_at(data, pos + 2)?);
        let seg_start = pos + 4;
        let seg_end = pos + 2 + len;
        if len < 2 || seg_end > data.len() {
            return err(
                pos + 2,
                format!("marker segment FF {marker:02x} declares {len} bytes past the end"),
            );
        }
        let seg = &data[seg_start..seg_end];
        match marker {
            0xF7 => {
                // SOF55: P, Y, X, Nf, components.
                if seg.len() < 6 {
                    return err(seg_start, "the JPEG-LS frame header is too short");
                }
                let p = u32::from(seg[0]);
                let y = usize::from(u16::from_be_bytes([seg[1], seg[2]]));
                let x = usize::from(u16::from_be_bytes([seg[3], seg[4]]));
                let nf = seg[5];
                if !(2..=16).contains(&p) {
                    return err(
                        seg_start,
                        format!("expected 2 to 16 bits per sample, found {p}"),
                    );
                }
                if nf != 1 {
                    return err(
                        seg_start + 5,
                        format!("expected one greyscale component, found {nf}"),
                    );
                }
                if (x, y) != (width, height) {
                    return err(
                        seg_start + 1,
                        format!("expected a {width}×{height} image, the frame header says {x}×{y}"),
                    );
                }
                bits_per_sample = Some(p);
            }
            0xF8 => {
                // LSE: id 1 holds preset coding parameters.
                match seg.first() {
                    Some(1) if seg.len() >= 11 => {
                        let v = |i: usize| i32::from(u16::from_be_bytes([seg[i], seg[i + 1]]));
                        preset = Some((v(1), v(3), v(5), v(7), v(9)));
                    }
                    Some(id) => {
                        return err(
                            seg_start,
                            format!("unsupported JPEG-LS LSE segment id {id}"),
                        );
                    }
                    None => return err(seg_start, "empty LSE segment"),
                }
            }
            0xDA => {
                let Some(p) = bits_per_sample else {
                    return err(
                        pos,
                        "the scan comes before the JPEG-LS frame header (SOF55)",
                    );
                };
                if seg.len() < 6 || seg[0] != 1 {
                    return err(seg_start, "expected a scan of one component");
                }
                if seg[2] != 0 {
                    return err(seg_start + 2, "mapping tables are not supported");
                }
                let near = i32::from(seg[3]);
                let default_max = (1i32 << p) - 1;
                let (mut maxval, mut t1, mut t2, mut t3, mut reset) =
                    preset.unwrap_or((0, 0, 0, 0, 0));
                if maxval == 0 {
                    maxval = default_max;
                }
                if maxval > default_max || maxval < 1 || near > (maxval / 2).min(255) {
                    return err(seg_start, format!("invalid MAXVAL {maxval} or NEAR {near}"));
                }
                let (d1, d2, d3) = default_thresholds(maxval, near);
                if t1 == 0 {
                    t1 = d1;
                }
                if t2 == 0 {
                    t2 = d2;
                }
                if t3 == 0 {
                    t3 = d3;
                }
                if reset == 0 {
                    reset = 64;
                }
                if !(near < t1 && t1 <= t2 && t2 <= t3 && t3 <= maxval) || reset < 3 {
                    return err(seg_start, "invalid JPEG-LS thresholds");
                }
                let params = Params {
                    maxval,
                    t1,
                    t2,
                    t3,
                    reset,
                    near,
                };
                return scan(&data[seg_end..], seg_end, &params, width, height, out);
            }
            0xD8 | 0xD9 => return err(pos, "unexpected marker before the scan"),
            _ => {} // APPn, COM and others: skipped.
        }
        pos = seg_end;
    }
}

#[inline]
fn quantize(d: i32, p: &Params) -> i32 {
    if d <= -p.t3 {
        -4
    } else if d <= -p.t2 {
        -3
    } else if d <= -p.t1 {
        -2
    } else if d < -p.near {
        -1
    } else if d <= p.near {
        0
    } else if d < p.t1 {
        1
    } else if d < p.t2 {
        2
    } else if d < p.t3 {
        3
    } else {
        4
    }
}

/// Decodes the scan data (T.87 §A, decoder side).
#[allow(
    clippy::too_many_lines,
    reason = "one pass of the T.87 decoding procedure"
)]
fn scan(
    data: &[u8],
    base: usize,
    p: &Params,
    width: usize,
    height: usize,
    out: &mut [u16],
) -> Result<(), JlsError> {
    let near = p.near;
    let step = 2 * near + 1;
    let range = (p.maxval + 2 * near) / step + 1;
    let qbpp = ceil_log2(range);
    let bpp = ceil_log2(p.maxval + 1).max(2);
    let limit = 2 * (bpp + bpp.max(8));
    let a_init = ((range + 32) / 64).max(2);
    let mut ctx = vec![
        Ctx {
            a: a_init,
            b: 0,
            c: 0,
            n: 1
        };
        365
    ];
    let mut run_ctx = [
        RunCtx {
            a: a_init,
            n: 1,
            nn: 0,
            ri_type: 0,
        },
        RunCtx {
            a: a_init,
            n: 1,
            nn: 0,
            ri_type: 1,
        },
    ];
    let mut run_index = 0usize;
    let mut bits = Bits {
        data,
        pos: 0,
        acc: 0,
        nbits: 0,
        prev_ff: false,
        done: false,
    };
    let fix = |v: i32| -> i32 {
        let v = if v < -near {
            v + range * step
        } else if v > p.maxval + near {
            v - range * step
        } else {
            v
        };
        v.clamp(0, p.maxval)
    };
    let at = |b: &Bits<'_>| base + b.pos;
    // Lines with one guard sample on each side: index x + 1.
    let mut prev = vec![0i32; width + 2];
    let mut cur = vec![0i32; width + 2];
    for y in 0..height {
        prev[width + 1] = prev[width];
        cur[0] = prev[1];
        let mut x = 0usize;
        while x < width {
            let ra = cur[x];
            let rb = prev[x + 1];
            let rc = prev[x];
            let rd = prev[x + 2];
            let q1 = quantize(rd - rb, p);
            let q2 = quantize(rb - rc, p);
            let q3 = quantize(rc - ra, p);
            if q1 == 0 && q2 == 0 && q3 == 0 {
                // Run mode (A.7).
                let remaining = width - x;
                let mut count = 0usize;
                let mut reached_end = false;
                while bits.bit()? == 1 {
                    let full = 1usize << J[run_index];
                    let n = full.min(remaining - count);
                    count += n;
                    if n == full {
                        run_index = (run_index + 1).min(31);
                    }
                    if count == remaining {
                        reached_end = true;
                        break;
                    }
                }
                if !reached_end {
                    let jr = J[run_index];
                    if jr > 0 {
                        count += bits.bits(jr)? as usize;
                    }
                    if count >= remaining {
                        return err(at(&bits), "a run extends past the end of the line");
                    }
                }
                for v in &mut cur[x + 1..x + 1 + count] {
                    *v = ra;
                }
                x += count;
                if reached_end {
                    break;
                }
                // Run interruption sample.
                let rb = prev[x + 1];
                let ri = usize::from((ra - rb).abs() <= near);
                let rc_ = &mut run_ctx[ri];
                let temp = rc_.a + (rc_.n >> 1) * rc_.ri_type;
                let mut k = 0u32;
                while (rc_.n << k) < temp {
                    k += 1;
                    if k > 31 {
                        return err(at(&bits), "corrupt run-interruption context");
                    }
                }
                let emap = bits.golomb(k, limit - J[run_index] - 1, qbpp)?;
                let t = emap + rc_.ri_type;
                let map = t & 1 == 1;
                let abs = (t + i32::from(map)) / 2;
                let errval = if (k != 0 || 2 * rc_.nn >= rc_.n) == map {
                    -abs
                } else {
                    abs
                };
                if errval < 0 {
                    rc_.nn += 1;
                }
                rc_.a += (emap + 1 - rc_.ri_type) >> 1;
                if rc_.n == p.reset {
                    rc_.a >>= 1;
                    rc_.n >>= 1;
                    rc_.nn >>= 1;
                }
                rc_.n += 1;
                let value = if ri == 1 {
                    fix(ra + errval * step)
                } else {
                    let sign = if rb < ra { -1 } else { 1 };
                    fix(rb + errval * sign * step)
                };
                cur[x + 1] = value;
                run_index = run_index.saturating_sub(1);
                x += 1;
                continue;
            }
            // Regular mode (A.4–A.6).
            let mut q = 81 * q1 + 9 * q2 + q3;
            let sign = if q < 0 { -1 } else { 1 };
            q *= sign;
            let c = &mut ctx[q as usize];
            let px = if rc >= ra.max(rb) {
                ra.min(rb)
            } else if rc <= ra.min(rb) {
                ra.max(rb)
            } else {
                ra + rb - rc
            };
            let px = (px + sign * c.c).clamp(0, p.maxval);
            let mut k = 0u32;
            while (c.n << k) < c.a {
                k += 1;
                if k > 31 {
                    return err(at(&bits), "corrupt regular-mode context");
                }
            }
            let m = bits.golomb(k, limit, qbpp)?;
            let mut errval = (m >> 1) ^ -(m & 1);
            if k == 0 && near == 0 && 2 * c.b + c.n - 1 < 0 {
                errval = !errval;
            }
            if errval.abs() > 65535 {
                return err(at(&bits), "error value out of range");
            }
            // Context update (A.6.1, A.6.2).
            c.a += errval.abs();
            c.b += errval * step;
            if c.n == p.reset {
                c.a >>= 1;
                c.b >>= 1;
                c.n >>= 1;
            }
            c.n += 1;
            if c.b <= -c.n {
                c.b += c.n;
                if c.c > -128 {
                    c.c -= 1;
                }
                if c.b <= -c.n {
                    c.b = -c.n + 1;
                }
            } else if c.b > 0 {
                c.b -= c.n;
                if c.c < 127 {
                    c.c += 1;
                }
                if c.b > 0 {
                    c.b = 0;
                }
            }
            cur[x + 1] = fix(px + sign * errval * step);
            x += 1;
        }
        for (o, v) in out[y * width..(y + 1) * width]
            .iter_mut()
            .zip(&cur[1..=width])
        {
            *o = *v as u16;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_garbage_without_panicking() {
        let mut out = vec![0u16; 4];
        assert!(decode(&[], 2, 2, &mut out).is_err());
        assert!(decode(&[0xFF, 0xD8, 0xFF], 2, 2, &mut out).is_err());
        assert!(decode(&[0xFF, 0xD8, 0xFF, 0xF7, 0, 3, 1], 2, 2, &mut out).is_err());
    }

    #[test]
    fn default_thresholds_match_t87_table() {
        // T.87 Table C.3 for 8-bit and 16-bit lossless.
        assert_eq!(default_thresholds(255, 0), (3, 7, 21));
        assert_eq!(default_thresholds(65535, 0), (18, 67, 276));
        assert_eq!(default_thresholds(4095, 0), (18, 67, 276));
    }
}
