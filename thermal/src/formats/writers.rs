//! Writing stacks of frames: `.npy` (u16 or f32), TIFF (16-bit or 32-bit
//! float pages) and CSV, one frame at a time.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use super::error::{FileError, format_err, io_err};
use super::npy::{self, NpyDtype};
use crate::error::ThermalError;

/// Output container.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ExportFormat {
    /// NumPy `.npy`, shape `(N, H, W)`, `<u2` for raw or `<f4` for °C.
    Npy,
    /// Multi-page TIFF, one page per frame: 16-bit greyscale for raw,
    /// 32-bit float greyscale for °C.
    Tiff,
    /// CSV with a header `frame,row,c0,…,c{W-1}` and one line per image row.
    Csv,
}

enum Sink {
    Npy(BufWriter<File>),
    Tiff(tiff::encoder::TiffEncoder<BufWriter<File>>),
    Csv(BufWriter<File>),
}

/// A writer of `frames` frames of `width`×`height`, raw (u16) or °C (f32).
/// Call [`StackWriter::write_raw`] or [`StackWriter::write_celsius`] once
/// per frame, then [`StackWriter::finish`].
pub struct StackWriter {
    name: String,
    sink: Sink,
    width: usize,
    height: usize,
    frames: usize,
    written: usize,
    celsius: bool,
}

impl core::fmt::Debug for StackWriter {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("StackWriter")
            .field("name", &self.name)
            .field("written", &self.written)
            .finish_non_exhaustive()
    }
}

impl StackWriter {
    /// Creates (truncates) `path` for `frames` frames; `celsius` selects
    /// f32 °C samples instead of u16 counts.
    ///
    /// # Errors
    /// [`ThermalError::File`] when the file cannot be created.
    pub fn create(
        path: &Path,
        format: ExportFormat,
        celsius: bool,
        frames: usize,
        width: usize,
        height: usize,
    ) -> Result<StackWriter, ThermalError> {
        let name = path.display().to_string();
        let file = File::create(path).map_err(|e| io_err(&name, &e))?;
        let mut w = BufWriter::new(file);
        let sink = match format {
            ExportFormat::Npy => {
                let dtype = if celsius {
                    NpyDtype::F32
                } else {
                    NpyDtype::U16
                };
                w.write_all(&npy::header_bytes(dtype, &[frames, height, width]))
                    .map_err(|e| io_err(&name, &e))?;
                Sink::Npy(w)
            }
            ExportFormat::Tiff => Sink::Tiff(
                tiff::encoder::TiffEncoder::new(w)
                    .map_err(|e| format_err(&name, 0, format!("TIFF encoder: {e}")))?,
            ),
            ExportFormat::Csv => {
                let mut header = String::from("frame,row");
                for x in 0..width {
                    header.push_str(&format!(",c{x}"));
                }
                header.push('\n');
                w.write_all(header.as_bytes())
                    .map_err(|e| io_err(&name, &e))?;
                Sink::Csv(w)
            }
        };
        Ok(StackWriter {
            name,
            sink,
            width,
            height,
            frames,
            written: 0,
            celsius,
        })
    }

    fn check(&self, len: usize, celsius: bool) -> Result<(), ThermalError> {
        let bad = |detail: String| -> ThermalError { format_err(&self.name, 0, detail).into() };
        if celsius != self.celsius {
            return Err(bad(format!(
                "this writer was created for {} samples",
                if self.celsius { "°C" } else { "raw" }
            )));
        }
        if len != self.width * self.height {
            return Err(bad(format!(
                "a frame of {len} samples does not match {}×{}",
                self.width, self.height
            )));
        }
        if self.written >= self.frames {
            return Err(bad(format!(
                "all {} declared frames are written",
                self.frames
            )));
        }
        Ok(())
    }

    fn io(&self, e: &std::io::Error) -> ThermalError {
        io_err(&self.name, e).into()
    }

    fn tiff(&self, e: &tiff::TiffError) -> ThermalError {
        FileError::new(
            &self.name,
            None,
            super::FileErrorKind::Io,
            format!("TIFF encoder: {e}"),
        )
        .into()
    }

    fn csv_rows<T: core::fmt::Display>(&mut self, data: &[T]) -> Result<(), ThermalError> {
        let frame = self.written;
        let width = self.width;
        let Sink::Csv(w) = &mut self.sink else {
            return Ok(());
        };
        let mut line = String::new();
        let mut result = Ok(());
        for (y, row) in data.chunks(width).enumerate() {
            line.clear();
            line.push_str(&format!("{frame},{y}"));
            for v in row {
                line.push(',');
                line.push_str(&v.to_string());
            }
            line.push('\n');
            if let Err(e) = w.write_all(line.as_bytes()) {
                result = Err(e);
                break;
            }
        }
        result.map_err(|e| self.io(&e))
    }

    /// Writes one frame of raw counts.
    ///
    /// # Errors
    /// When the frame's size is wrong, all frames are written, the writer
    /// holds °C, or writing fails.
    pub fn write_raw(&mut self, data: &[u16]) -> Result<(), ThermalError> {
        self.check(data.len(), false)?;
        let (w, h) = (self.width as u32, self.height as u32);
        match &mut self.sink {
            Sink::Npy(out) => {
                let r = npy::write_u16(out, data);
                r.map_err(|e| self.io(&e))?;
            }
            Sink::Tiff(enc) => {
                let r = enc.write_image::<tiff::encoder::colortype::Gray16>(w, h, data);
                r.map_err(|e| self.tiff(&e))?;
            }
            Sink::Csv(_) => self.csv_rows(data)?,
        }
        self.written += 1;
        Ok(())
    }

    /// Writes one frame of temperatures.
    ///
    /// # Errors
    /// As [`StackWriter::write_raw`].
    pub fn write_celsius(&mut self, data: &[f32]) -> Result<(), ThermalError> {
        self.check(data.len(), true)?;
        let (w, h) = (self.width as u32, self.height as u32);
        match &mut self.sink {
            Sink::Npy(out) => {
                let r = npy::write_f32(out, data);
                r.map_err(|e| self.io(&e))?;
            }
            Sink::Tiff(enc) => {
                let r = enc.write_image::<tiff::encoder::colortype::Gray32Float>(w, h, data);
                r.map_err(|e| self.tiff(&e))?;
            }
            Sink::Csv(_) => self.csv_rows(data)?,
        }
        self.written += 1;
        Ok(())
    }

    /// Flushes the file; fails when fewer frames were written than declared
    /// (an `.npy` header would otherwise lie about its shape).
    ///
    /// # Errors
    /// On a missing frame or a failed flush.
    pub fn finish(self) -> Result<(), ThermalError> {
        if self.written != self.frames {
            return Err(format_err(
                &self.name,
                0,
                format!(
                    "{} of {} declared frames were written",
                    self.written, self.frames
                ),
            )
            .into());
        }
        let r = match self.sink {
            Sink::Npy(mut w) | Sink::Csv(mut w) => w.flush(),
            Sink::Tiff(enc) => {
                // The encoder writes each page as it comes; its writer is
                // flushed on drop, so flush explicitly through a fresh handle.
                drop(enc);
                Ok(())
            }
        };
        r.map_err(|e| io_err(&self.name, &e).into())
    }
}
