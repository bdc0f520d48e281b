//! What a thermal file says about itself.

use crate::radiometry::{AtmosphericConstants, PlanckConstants, Radiometry, Scene};
use hsm_core::Celsius;

/// The container a file was recognised as.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FileFormat {
    /// FLIR radiometric JPEG (FFF block in APP1 "FLIR" segments).
    FlirJpeg,
    /// A single FLIR FFF block (`.fff`).
    Fff,
    /// FLIR SEQ: concatenated FFF blocks with raw or PNG pixels.
    Seq,
    /// FLIR CSQ: concatenated FFF blocks with JPEG-LS pixels.
    Csq,
    /// NumPy `.npy` array of u16, `(H, W)` or `(N, H, W)`.
    Npy,
    /// TIFF of one or more 16-bit greyscale pages.
    Tiff,
}

impl FileFormat {
    /// A short lower-case name (`"flir-jpeg"`, `"seq"`, …), stable for JSON.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            FileFormat::FlirJpeg => "flir-jpeg",
            FileFormat::Fff => "fff",
            FileFormat::Seq => "seq",
            FileFormat::Csq => "csq",
            FileFormat::Npy => "npy",
            FileFormat::Tiff => "tiff",
        }
    }
}

/// How the raw pixels are stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PixelEncoding {
    /// u16 little-endian.
    U16Le,
    /// u16 big-endian (big-endian `.npy`).
    U16Be,
    /// 16-bit greyscale PNG whose samples are byte-swapped.
    PngByteSwapped,
    /// JPEG-LS (ITU-T T.87), lossless.
    JpegLs,
    /// TIFF strips or tiles (any compression the `tiff` crate reads).
    Tiff,
}

impl PixelEncoding {
    /// A short lower-case name, stable for JSON.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            PixelEncoding::U16Le => "u16le",
            PixelEncoding::U16Be => "u16be",
            PixelEncoding::PngByteSwapped => "png-byteswapped",
            PixelEncoding::JpegLs => "jpeg-ls",
            PixelEncoding::Tiff => "tiff",
        }
    }
}

/// Capture time as the camera stored it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CaptureTime {
    /// Seconds since 1970-01-01 UTC.
    pub unix_seconds: u32,
    /// Milliseconds within the second.
    pub milliseconds: u32,
    /// The camera's time-zone offset in minutes, as stored.
    pub utc_offset_minutes: i16,
}

/// The CameraInfo record of a FLIR file: calibration, scene and identity.
#[derive(Clone, Debug, PartialEq)]
pub struct CameraInfo {
    /// PlanckR1, R2, B, F, O.
    pub planck: PlanckConstants,
    /// Atmospheric transmission constants X, α1, α2, β1, β2.
    pub atmosphere: AtmosphericConstants,
    /// Emissivity, object distance, reflected, atmospheric and IR-window
    /// temperatures, window transmission and relative humidity, as stored.
    pub scene: Scene,
    /// Camera model.
    pub model: String,
    /// Camera part number.
    pub part_number: String,
    /// Camera serial number.
    pub serial: String,
    /// Camera software version.
    pub software: String,
    /// Lens model.
    pub lens_model: String,
    /// Capture time, when the record is long enough to hold it.
    pub capture_time: Option<CaptureTime>,
    /// Frame rate in Hz, when stored (non-zero).
    pub frame_rate: Option<f64>,
}

impl CameraInfo {
    /// The radiometric model these constants describe.
    #[must_use]
    pub fn radiometry(&self) -> Radiometry {
        Radiometry::Planck {
            constants: self.planck,
            atmosphere: self.atmosphere,
            scene: self.scene,
        }
    }
}

/// Encoding of an embedded visible-light image.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ImageEncoding {
    /// JPEG.
    Jpeg,
    /// PNG.
    Png,
    /// Something else (the bytes are returned as stored).
    Other,
}

/// The visible-light photo a camera stored beside the thermal data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmbeddedImage {
    /// Width in pixels, as the record states.
    pub width: u32,
    /// Height in pixels, as the record states.
    pub height: u32,
    /// Encoding of [`EmbeddedImage::data`].
    pub encoding: ImageEncoding,
    /// The encoded image.
    pub data: Vec<u8>,
}

/// Everything a file says about itself, read once when it is opened.
#[derive(Clone, Debug, PartialEq)]
pub struct Metadata {
    /// The container.
    pub format: FileFormat,
    /// Frame width in pixels.
    pub width: usize,
    /// Frame height in pixels.
    pub height: usize,
    /// Number of frames.
    pub frame_count: usize,
    /// How the raw pixels of the first frame are stored.
    pub pixel_encoding: PixelEncoding,
    /// The CameraInfo record (FLIR files; for sequences, the first frame's).
    pub camera: Option<CameraInfo>,
    /// The embedded visible-light image, where present.
    pub embedded_image: Option<EmbeddedImage>,
}

/// Scene parameters to use instead of the file's own; `None` keeps the file's.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct SceneOverrides {
    /// Emissivity in `(0, 1]`.
    pub emissivity: Option<f64>,
    /// Object distance in metres.
    pub distance_m: Option<f64>,
    /// Reflected apparent temperature.
    pub reflected: Option<Celsius>,
    /// Air temperature.
    pub atmosphere: Option<Celsius>,
    /// Relative humidity as a fraction in `[0, 1]`.
    pub relative_humidity: Option<f64>,
}

impl SceneOverrides {
    /// `scene` with these overrides applied.
    #[must_use]
    pub fn apply(&self, scene: Scene) -> Scene {
        Scene {
            emissivity: self.emissivity.unwrap_or(scene.emissivity),
            distance_m: self.distance_m.unwrap_or(scene.distance_m),
            reflected: self.reflected.unwrap_or(scene.reflected),
            atmosphere: self.atmosphere.unwrap_or(scene.atmosphere),
            relative_humidity: self.relative_humidity.unwrap_or(scene.relative_humidity),
            ..scene
        }
    }
}
