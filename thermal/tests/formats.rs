//! The thermal file readers against the real sample files and the values
//! independent readers report for them (`../shared/data/thermal/README.md`).
//!
//! The GPL files (IR_2412.jpg, SampleSEQ.seq, SampleCSQ.csq, the `.raw`
//! references) are read from `../shared/data/thermal` beside the checkout;
//! when that folder is absent these tests fail, loudly, rather than pass.
#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    reason = "tests fail by panicking and print the measured differences"
)]

use std::path::PathBuf;

use hsm_core::StatusCode;
use hsm_thermal::formats::{
    ExportFormat, FileFormat, FrameStats, PixelEncoding, SceneOverrides, StackWriter, ThermalFile,
};

fn shared() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/data/thermal");
    assert!(
        dir.join("README.md").is_file(),
        "the sample files are missing: expected {} (shared/ beside the checkout). \
         These tests need the real FLIR files and refuse to pass without them.",
        dir.display()
    );
    dir
}

fn repo_data() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/data/thermal")
}

fn stats(file: &mut ThermalFile, i: usize) -> FrameStats {
    let lut = file.converter(&SceneOverrides::default()).unwrap().lut();
    let mut raw = Vec::new();
    let mut c = Vec::new();
    file.read_raw(i, &mut raw).unwrap();
    file.read_celsius(i, &lut, &mut c).unwrap();
    FrameStats::of(&raw, &c)
}

/// One row of the README's table.
#[allow(clippy::too_many_arguments, reason = "a table row")]
fn check_row(
    path: PathBuf,
    frame: usize,
    size: (usize, usize),
    raw: (u16, u16, f64),
    celsius: (f64, f64, f64),
) {
    let mut file = ThermalFile::open(&path).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((file.width(), file.height()), size, "{}", path.display());
    let s = stats(&mut file, frame);
    let what = format!("{} frame {frame}: {s:?}", path.display());
    assert_eq!((s.raw_min, s.raw_max), (raw.0, raw.1), "{what}");
    assert!((s.raw_mean - raw.2).abs() < 0.005, "{what}");
    assert!((s.min_c - celsius.0).abs() <= 1e-3, "{what}");
    assert!((s.max_c - celsius.1).abs() <= 1e-3, "{what}");
    assert!((s.mean_c - celsius.2).abs() <= 1e-3, "{what}");
    assert_eq!(s.invalid, 0, "{what}");
}

#[test]
fn readme_table_ir_2412() {
    check_row(
        shared().join("IR_2412.jpg"),
        0,
        (640, 480),
        (17917, 20218, 18899.35),
        (22.7359, 35.2505, 28.2590),
    );
}

#[test]
fn readme_table_sample_seq() {
    let p = shared().join("SampleSEQ.seq");
    check_row(
        p.clone(),
        0,
        (640, 480),
        (17220, 20817, 17870.48),
        (18.6013, 38.2713, 22.4574),
    );
    check_row(
        p,
        1,
        (640, 480),
        (17222, 20640, 17844.74),
        (18.6135, 37.3876, 22.3091),
    );
}

#[test]
fn readme_table_sample_csq_all_frames_decode() {
    let p = shared().join("SampleCSQ.csq");
    check_row(
        p.clone(),
        0,
        (1024, 768),
        (13721, 16295, 14504.61),
        (16.6931, 35.2927, 22.5619),
    );
    let mut file = ThermalFile::open(&p).unwrap();
    assert_eq!(file.frame_count(), 8);
    assert_eq!(file.metadata().format, FileFormat::Csq);
    assert_eq!(file.metadata().pixel_encoding, PixelEncoding::JpegLs);
    for i in 0..8 {
        let s = stats(&mut file, i);
        // Every frame is a plausible indoor scene: no wrap-around garbage.
        assert!(s.min_c > 10.0 && s.max_c < 45.0, "frame {i}: {s:?}");
    }
}

#[test]
fn readme_table_copied_files() {
    let d = repo_data();
    check_row(
        d.join("ax8.jpg"),
        0,
        (80, 60),
        (16711, 16876, 16810.62),
        (24.3597, 25.4692, 25.0308),
    );
    check_row(
        d.join("flir_example.jpg"),
        0,
        (240, 320),
        (12501, 20042, 13107.44),
        (25.9483, 62.3203, 29.1185),
    );
    check_row(
        d.join("zenmuse_xtr.jpg"),
        0,
        (640, 512),
        (3051, 4630, 3422.68),
        (15.9293, 59.7345, 27.7041),
    );
    check_row(
        d.join("frame_000000.fff"),
        0,
        (640, 512),
        (2623, 2739, 2696.63),
        (9.5571, 12.5823, 11.4880),
    );
    check_row(
        d.join("frame_000000_le.fff"),
        0,
        (320, 240),
        (17899, 19192, 18020.69),
        (22.9426, 29.4971, 23.5770),
    );
}

fn reference(name: &str) -> Vec<f32> {
    std::fs::read(shared().join(name))
        .unwrap()
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect()
}

fn max_abs_diff(file: &str, reference_name: &str) -> f64 {
    let mut f = ThermalFile::open(shared().join(file)).unwrap();
    let reference = reference(reference_name);
    let n = f.width() * f.height();
    assert_eq!(reference.len(), n * f.frame_count());
    let lut = f.converter(&SceneOverrides::default()).unwrap().lut();
    let mut c = Vec::new();
    let mut worst = 0f64;
    for i in 0..f.frame_count() {
        f.read_celsius(i, &lut, &mut c).unwrap();
        for (a, b) in c.iter().zip(&reference[i * n..(i + 1) * n]) {
            worst = worst.max((f64::from(*a) - f64::from(*b)).abs());
        }
    }
    worst
}

#[test]
fn ir_2412_matches_thermimage_raw2temp() {
    let d = max_abs_diff("IR_2412.jpg", "FLIRjpg_W640_H480_F1_I.raw");
    // The range-table path equals the LUT path bit for bit.
    let mut f = ThermalFile::open(shared().join("IR_2412.jpg")).unwrap();
    let conv = f.converter(&SceneOverrides::default()).unwrap();
    let (mut a, mut b) = (Vec::new(), Vec::new());
    f.read_celsius(0, &conv.lut(), &mut a).unwrap();
    f.read_celsius_with(0, &conv, &mut b).unwrap();
    assert!(a.iter().zip(&b).all(|(x, y)| x.to_bits() == y.to_bits()));
    println!("IR_2412.jpg max abs diff vs Thermimage: {d:e} °C");
    assert!(d <= 1e-3, "max abs diff {d}");
}

#[test]
fn sample_seq_matches_thermimage_raw2temp() {
    let d = max_abs_diff("SampleSEQ.seq", "SampleSEQ_W640_H480_F2_I3.97.raw");
    println!("SampleSEQ.seq max abs diff vs Thermimage: {d:e} °C");
    assert!(d <= 1e-3, "max abs diff {d}");
}

#[test]
fn all_eleven_files_open() {
    let d = shared();
    for name in [
        "IR_2412.jpg",
        "SampleSEQ.seq",
        "SampleCSQ.csq",
        "ax8.jpg",
        "flir_example.jpg",
        "zenmuse_xtr.jpg",
        "frame_000000.fff",
        "frame_000000_le.fff",
    ] {
        let f = ThermalFile::open(d.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(f.frame_count() >= 1, "{name}");
        assert!(f.metadata().camera.is_some(), "{name}");
    }
    // The two .raw references and the ExifTool text dump are not thermal
    // containers: they are refused with a clear error, not misread.
    for name in [
        "FLIRjpg_W640_H480_F1_I.raw",
        "SampleSEQ_W640_H480_F2_I3.97.raw",
        "frame_000000.txt",
    ] {
        let e = ThermalFile::open(d.join(name)).unwrap_err();
        assert_eq!(e.code(), StatusCode::UnsupportedFormat, "{name}: {e}");
        assert!(e.to_string().contains(name), "{e}");
    }
}

#[test]
fn metadata_matches_the_camera_table() {
    let f = ThermalFile::open(shared().join("IR_2412.jpg")).unwrap();
    let m = f.metadata();
    assert_eq!(m.format, FileFormat::FlirJpeg);
    let cam = m.camera.as_ref().unwrap();
    assert!((cam.planck.r1 - 21106.77).abs() < 1e-2);
    assert!((cam.planck.b - 1501.0).abs() < 1e-3);
    assert!((cam.planck.o + 7340.0).abs() < 1e-9);
    assert!((cam.planck.r2 - 0.012545258).abs() < 1e-8);
    assert!((cam.scene.emissivity - 0.95).abs() < 1e-6);
    assert!((cam.scene.relative_humidity - 0.5).abs() < 1e-6);
    assert!((cam.atmosphere.x - 1.9).abs() < 1e-6);
    assert!(cam.model.contains("SC660"), "{}", cam.model);
    assert!(cam.capture_time.is_some());

    let z = ThermalFile::open(repo_data().join("zenmuse_xtr.jpg")).unwrap();
    let s = z.metadata().camera.as_ref().unwrap().scene;
    assert!((s.emissivity - 0.70).abs() < 1e-6 && (s.distance_m - 20.0).abs() < 1e-6);
    assert!((s.reflected.get() - 22.0).abs() < 1e-3 && (s.atmosphere.get() - 32.0).abs() < 1e-3);

    let fff = ThermalFile::open(repo_data().join("frame_000000.fff")).unwrap();
    let s = fff.metadata().camera.as_ref().unwrap().scene;
    assert!((s.window.get() - 22.0).abs() < 1e-3 && (s.relative_humidity - 0.30).abs() < 1e-6);

    let fe = ThermalFile::open(repo_data().join("flir_example.jpg")).unwrap();
    let img = fe
        .metadata()
        .embedded_image
        .as_ref()
        .expect("embedded visible image");
    assert!(
        img.data.len() > 1000 && img.width > 0,
        "{} {}",
        img.width,
        img.height
    );
}

#[test]
fn overrides_change_the_temperature() {
    let mut f = ThermalFile::open(repo_data().join("ax8.jpg")).unwrap();
    let base = stats(&mut f, 0);
    let lut = f
        .converter(&SceneOverrides {
            emissivity: Some(0.98),
            ..SceneOverrides::default()
        })
        .unwrap()
        .lut();
    let mut c = Vec::new();
    f.read_celsius(0, &lut, &mut c).unwrap();
    let mut raw = Vec::new();
    f.read_raw(0, &mut raw).unwrap();
    let s = FrameStats::of(&raw, &c);
    assert!(s.max_c < base.max_c, "{s:?} vs {base:?}");
    let bad = f.converter(&SceneOverrides {
        emissivity: Some(-1.0),
        ..SceneOverrides::default()
    });
    assert_eq!(bad.unwrap_err().code(), StatusCode::InvalidScene);
}

#[test]
fn from_bytes_equals_open_and_names_the_buffer() {
    let p = repo_data().join("frame_000000_le.fff");
    let bytes = std::fs::read(&p).unwrap();
    let mut a = ThermalFile::open(&p).unwrap();
    let mut b = ThermalFile::from_bytes(bytes.clone(), "<memory>").unwrap();
    let (mut ra, mut rb) = (Vec::new(), Vec::new());
    a.read_raw(0, &mut ra).unwrap();
    b.read_raw(0, &mut rb).unwrap();
    assert_eq!(ra, rb);
    let e = ThermalFile::from_bytes(bytes[..1000].to_vec(), "<memory>").unwrap_err();
    assert_eq!(e.code(), StatusCode::Truncated, "{e}");
    let text = e.to_string();
    assert!(
        text.contains("<memory>") && text.contains("offset"),
        "{text}"
    );
}

#[test]
fn frame_index_past_the_end_is_an_argument_error() {
    let mut f = ThermalFile::open(repo_data().join("ax8.jpg")).unwrap();
    let mut raw = Vec::new();
    assert_eq!(
        f.read_raw(1, &mut raw).unwrap_err().code(),
        StatusCode::InvalidArgument
    );
}

/// Every prefix length (sampled) and many single-byte corruptions of each
/// small sample: an error or a frame, never a panic.
#[test]
fn truncated_and_corrupted_files_never_panic() {
    for name in ["ax8.jpg", "frame_000000_le.fff", "flir_example.jpg"] {
        let bytes = std::fs::read(repo_data().join(name)).unwrap();
        let step = (bytes.len() / 300).max(1);
        for cut in (0..bytes.len()).step_by(step) {
            if let Ok(mut f) = ThermalFile::from_bytes(bytes[..cut].to_vec(), name) {
                let mut raw = Vec::new();
                let _ = f.read_raw(0, &mut raw);
            }
        }
        let mut state = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..300 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let mut m = bytes.clone();
            let at = (state as usize) % m.len().min(4096);
            m[at] = (state >> 32) as u8;
            if let Ok(mut f) = ThermalFile::from_bytes(m, name) {
                let mut raw = Vec::new();
                let _ = f.read_raw(0, &mut raw);
            }
        }
    }
}

#[test]
fn seq_frames_are_found_by_directory_not_magic() {
    // SampleSEQ.seq holds a false "FFF\0" inside frame 0's pixels; a magic
    // search would find three frames.
    let bytes = std::fs::read(shared().join("SampleSEQ.seq")).unwrap();
    let magic = bytes.windows(4).filter(|w| w == b"FFF\0").count();
    assert_eq!(magic, 3);
    let f = ThermalFile::open(shared().join("SampleSEQ.seq")).unwrap();
    assert_eq!(f.frame_count(), 2);
    assert_eq!(f.metadata().format, FileFormat::Seq);
}

#[test]
fn writers_round_trip() {
    let dir = std::env::temp_dir().join(format!("hsm-formats-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut src = ThermalFile::open(repo_data().join("frame_000000_le.fff")).unwrap();
    let (w, h) = (src.width(), src.height());
    let mut raw = Vec::new();
    src.read_raw(0, &mut raw).unwrap();
    let lut = src.converter(&SceneOverrides::default()).unwrap().lut();
    let mut c = Vec::new();
    src.read_celsius(0, &lut, &mut c).unwrap();

    for (fmt, ext) in [(ExportFormat::Npy, "npy"), (ExportFormat::Tiff, "tif")] {
        let p = dir.join(format!("raw.{ext}"));
        let mut out = StackWriter::create(&p, fmt, false, 2, w, h).unwrap();
        out.write_raw(&raw).unwrap();
        out.write_raw(&raw).unwrap();
        assert!(out.write_raw(&raw).is_err());
        out.finish().unwrap();
        let mut back = ThermalFile::open(&p).unwrap();
        assert_eq!(back.frame_count(), 2);
        let mut r2 = Vec::new();
        back.read_raw(1, &mut r2).unwrap();
        assert_eq!(r2, raw, "{ext}");
    }
    // °C to npy: check the bytes after the header.
    let p = dir.join("c.npy");
    let mut out = StackWriter::create(&p, ExportFormat::Npy, true, 1, w, h).unwrap();
    out.write_celsius(&c).unwrap();
    out.finish().unwrap();
    let bytes = std::fs::read(&p).unwrap();
    assert_eq!((bytes.len() - w * h * 4) % 64, 0);
    let tail = &bytes[bytes.len() - 4..];
    assert_eq!(
        f32::from_le_bytes([tail[0], tail[1], tail[2], tail[3]]),
        c[w * h - 1]
    );
    // °C to float TIFF and CSV.
    let p = dir.join("c.tif");
    let mut out = StackWriter::create(&p, ExportFormat::Tiff, true, 1, w, h).unwrap();
    out.write_celsius(&c).unwrap();
    out.finish().unwrap();
    let mut dec = tiff::decoder::Decoder::new(std::fs::File::open(&p).unwrap()).unwrap();
    match dec.read_image().unwrap() {
        tiff::decoder::DecodingResult::F32(v) => assert_eq!(v, c),
        other => panic!("float TIFF decoded as {:?}", std::mem::discriminant(&other)),
    }
    let p = dir.join("c.csv");
    let mut out = StackWriter::create(&p, ExportFormat::Csv, true, 1, w, h).unwrap();
    out.write_celsius(&c).unwrap();
    out.finish().unwrap();
    let text = std::fs::read_to_string(&p).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), h + 1);
    assert!(lines[0].starts_with("frame,row,c0,c1"));
    let first: Vec<f32> = lines[1]
        .split(',')
        .skip(2)
        .map(|v| v.parse().unwrap())
        .collect();
    assert_eq!(&first[..], &c[..w]);
    // An incomplete stack is an error, not a lying header.
    let p = dir.join("short.npy");
    let out = StackWriter::create(&p, ExportFormat::Npy, false, 2, w, h).unwrap();
    assert!(out.finish().is_err());
    std::fs::remove_dir_all(&dir).unwrap();
}

/// JPEG-LS streams made by an independent encoder (CharLS 2.x through
/// pyjpegls 1.5.1) from synthetic images: 16-bit smooth, noisy and
/// run-heavy, 8-bit, lossless and near-lossless (NEAR=3). The decoder must
/// reproduce CharLS's own decoding exactly.
#[test]
fn jpegls_matches_charls_streams() {
    let dir = repo_data().join("jpegls");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("jls") {
            continue;
        }
        let stream = std::fs::read(&path).unwrap();
        let want: Vec<u16> = std::fs::read(path.with_extension("u16"))
            .unwrap()
            .chunks_exact(2)
            .map(|b| u16::from_le_bytes([b[0], b[1]]))
            .collect();
        let got = hsm_thermal::formats::fuzzing::jpegls(&stream)
            .unwrap_or_else(|| panic!("{} did not decode", path.display()));
        assert_eq!(got, want, "{}", path.display());
        // Every truncation fails cleanly.
        for cut in (0..stream.len()).step_by(7) {
            let _ = hsm_thermal::formats::fuzzing::jpegls(&stream[..cut]);
        }
        n += 1;
    }
    assert_eq!(n, 6, "expected six reference streams in {}", dir.display());
}
