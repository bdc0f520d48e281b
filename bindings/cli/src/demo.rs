//! `hsm demo`: today's slices on built-in values, no files needed.

use std::time::Instant;

use hsm::core::Celsius;
use hsm::thermal::radiometry::{
    AtmosphericConstants, Converter, PlanckConstants, Radiometry, Scene,
};
use serde::Serialize;

use crate::error::CliError;
use crate::output::{self, Format};
use crate::policy::{self, StaffingReport};
use crate::thermal::{self, ConvertSummary, Row, Stats};

/// Synthetic frame size (a common uncooled-core resolution).
const WIDTH: usize = 640;
const HEIGHT: usize = 512;
/// The warm disc: centre, radius in pixels, rim and peak temperatures.
const DISC: (f64, f64, f64) = (320.0, 256.0, 80.0);
const DISC_RIM_C: f64 = 34.0;
const DISC_PEAK_C: f64 = 36.5;
/// The background gradient, left to right.
const BG_LEFT_C: f64 = 18.0;
const BG_RIGHT_C: f64 = 26.0;
/// Conversions timed to report a per-frame cost.
const REPS: u32 = 20;

/// Staffing worked example (design guide): 2000 staff, 1500 beds, 8000 visits.
const STAFFING: (u32, u32, u32) = (2000, 1500, 8000);

const HELP_LINE: &str = "run `hsm --help` to list all commands";

/// The camera model of the thermal demo.
#[derive(Clone, Debug, Serialize)]
struct DemoRadiometry {
    kind: &'static str,
    camera: &'static str,
    r1: f64,
    r2: f64,
    b: f64,
    f: f64,
    o: f64,
    emissivity: f64,
    distance_m: f64,
    reflected_c: f64,
    relative_humidity: f64,
}

/// The thermal half of the demo report.
#[derive(Clone, Debug, Serialize)]
struct DemoThermal {
    frame: String,
    radiometry: DemoRadiometry,
    #[serde(flatten)]
    summary: ConvertSummary,
    /// The hottest temperature drawn into the frame (the disc's centre).
    truth_max_c: f64,
    /// Time to build the 65 536-entry lookup table.
    lut_build_ms: f64,
    /// Mean time to convert one frame through the table.
    ms_per_frame: f64,
    /// `release` or `debug`: timings of a debug build are not representative.
    build: &'static str,
}

/// The whole demo report (`--format json`).
#[derive(Clone, Debug, Serialize)]
struct DemoReport {
    thermal: DemoThermal,
    staffing: StaffingReport,
    help: &'static str,
}

/// IR_2412.jpg's camera (a FLIR SC660) and the demo scene.
fn ir2412() -> Radiometry {
    Radiometry::Planck {
        constants: PlanckConstants {
            r1: 21106.77,
            r2: 0.012545258,
            b: 1501.0,
            f: 1.0,
            o: -7340.0,
        },
        atmosphere: AtmosphericConstants::default(),
        scene: Scene {
            emissivity: 0.95,
            distance_m: 1.0,
            reflected: Celsius(20.0),
            atmosphere: Celsius(20.0),
            window: Celsius(20.0),
            window_transmission: 1.0,
            relative_humidity: 0.5,
        },
    }
}

/// The true temperature of pixel (x, y) in the synthetic scene.
fn truth(x: usize, y: usize) -> f64 {
    let (cx, cy, r) = DISC;
    let (dx, dy) = (x as f64 - cx, y as f64 - cy);
    let d2 = (dx * dx + dy * dy) / (r * r);
    if d2 <= 1.0 {
        DISC_RIM_C + (DISC_PEAK_C - DISC_RIM_C) * (1.0 - d2)
    } else {
        BG_LEFT_C + (BG_RIGHT_C - BG_LEFT_C) * x as f64 / (WIDTH - 1) as f64
    }
}

/// Renders the synthetic scene to raw counts through the inverse map.
fn synthetic_frame(conv: &Converter) -> Result<Vec<u16>, CliError> {
    let mut frame = Vec::with_capacity(WIDTH * HEIGHT);
    for y in 0..HEIGHT {
        for x in 0..WIDTH {
            frame.push(
                conv.celsius_to_count(Celsius(truth(x, y)))
                    .map_err(|e| CliError::failure(format!("demo scene: {e}")))?,
            );
        }
    }
    Ok(frame)
}

fn run() -> Result<DemoReport, CliError> {
    let radiometry = ir2412();
    let conv = radiometry
        .compile()
        .map_err(|e| CliError::failure(format!("demo camera: {e}")))?;
    let raw = synthetic_frame(&conv)?;

    let t = Instant::now();
    let lut = conv.lut();
    let lut_build_ms = t.elapsed().as_secs_f64() * 1e3;

    let mut celsius = vec![0f32; WIDTH * HEIGHT];
    let mut stats = Stats::default();
    let t = Instant::now();
    for _ in 0..REPS {
        stats = Stats::default();
        thermal::convert_frame(&lut, &raw, &mut celsius, WIDTH, HEIGHT, &mut stats)?;
    }
    let ms_per_frame = t.elapsed().as_secs_f64() * 1e3 / f64::from(REPS);

    let Radiometry::Planck {
        constants: p,
        scene,
        ..
    } = radiometry
    else {
        return Err(CliError::failure("demo camera is not a Planck model"));
    };
    let (staff, beds, outpatients) = STAFFING;
    Ok(DemoReport {
        thermal: DemoThermal {
            frame: format!(
                "synthetic {WIDTH}×{HEIGHT} raw frame: {BG_LEFT_C}–{BG_RIGHT_C} °C gradient plus a warm disc ({DISC_RIM_C} °C rim, {DISC_PEAK_C} °C centre)"
            ),
            radiometry: DemoRadiometry {
                kind: "planck",
                camera: "IR_2412.jpg (FLIR SC660)",
                r1: p.r1,
                r2: p.r2,
                b: p.b,
                f: p.f,
                o: p.o,
                emissivity: scene.emissivity,
                distance_m: scene.distance_m,
                reflected_c: scene.reflected.get(),
                relative_humidity: scene.relative_humidity,
            },
            summary: stats.summary(1, HEIGHT, WIDTH),
            truth_max_c: DISC_PEAK_C,
            lut_build_ms,
            ms_per_frame,
            build: if cfg!(debug_assertions) {
                "debug"
            } else {
                "release"
            },
        },
        staffing: policy::staffing_report(staff, beds, outpatients),
        help: HELP_LINE,
    })
}

/// The thermal rows: the summary plus the demo's own fields.
fn thermal_rows(t: &DemoThermal) -> Vec<Row> {
    let mut rows = thermal::summary_rows(&t.summary);
    rows.extend([
        Row {
            key: "truth_max_c",
            label: "hottest drawn",
            csv: t.truth_max_c.to_string(),
            table: format!("{:.2} °C", t.truth_max_c),
        },
        Row {
            key: "lut_build_ms",
            label: "lookup table build",
            csv: format!("{:.4}", t.lut_build_ms),
            table: format!("{:.3} ms", t.lut_build_ms),
        },
        Row {
            key: "ms_per_frame",
            label: "conversion per frame",
            csv: format!("{:.4}", t.ms_per_frame),
            table: format!("{:.3} ms (mean of {REPS})", t.ms_per_frame),
        },
        Row::plain("build", "build", t.build),
    ]);
    rows
}

fn csv(r: &DemoReport) -> String {
    let mut out = String::new();
    output::csv_record(&mut out, &["section", "field", "value"]);
    for row in thermal_rows(&r.thermal) {
        output::csv_record(&mut out, &["thermal", row.key, &row.csv]);
    }
    let s = &r.staffing;
    output::csv_record(&mut out, &["staffing", "required", &s.required.to_string()]);
    output::csv_record(&mut out, &["staffing", "binding", s.binding]);
    for t in &s.terms {
        for (field, value) in [
            ("input", t.input.to_string()),
            ("ratio", t.ratio.clone()),
            ("exact_guards", t.exact_guards.to_string()),
            ("required", t.required.to_string()),
        ] {
            output::csv_record(
                &mut out,
                &["staffing", &format!("{}.{field}", t.basis), &value],
            );
        }
    }
    output::csv_record(
        &mut out,
        &[
            "staffing",
            "citation",
            &format!("{} {}", s.citation.document, s.citation.clause),
        ],
    );
    out
}

fn table(r: &DemoReport) -> String {
    let t = &r.thermal;
    let p = &t.radiometry;
    let (staff, beds, outpatients) = STAFFING;
    format!(
        "libhsm {} demo: today's slices on built-in values\n\n\
         1. Thermal: raw counts → °C\n   {}\n   \
         camera {}: R1 {}, R2 {}, B {}, F {}, O {}\n   \
         scene: emissivity {}, {} m, reflected and air {} °C, RH {} %\n{}\n\
         2. Guard staffing: {staff} on-duty staff, {beds} open beds, {outpatients} visits/day\n{}\n{}.\n",
        hsm::VERSION,
        t.frame,
        p.camera,
        p.r1,
        p.r2,
        p.b,
        p.f,
        p.o,
        p.emissivity,
        p.distance_m,
        p.reflected_c,
        p.relative_humidity * 100.0,
        thermal::render_rows(&thermal_rows(t), Format::Table),
        policy::staffing_table(&r.staffing),
        capitalise(HELP_LINE),
    )
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// Runs `hsm demo` and renders it.
pub(crate) fn demo(format: Format) -> Result<String, CliError> {
    let r = run()?;
    match format {
        Format::Json => output::json(&r),
        Format::Csv => Ok(csv(&r)),
        Format::Table => Ok(table(&r)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synthetic_scene_round_trips_through_the_camera_model() {
        let r = run().unwrap();
        let s = &r.thermal.summary;
        assert_eq!((s.width, s.height, s.invalid_pixels), (640, 512, 0));
        let max = f64::from(s.max_c.unwrap());
        // One count is about 0.01 °C near body temperature on this camera.
        assert!((max - DISC_PEAK_C).abs() < 0.05, "{max}");
        let min = f64::from(s.min_c.unwrap());
        assert!((min - BG_LEFT_C).abs() < 0.05, "{min}");
        assert_eq!(r.staffing.required, 75);
    }
}
