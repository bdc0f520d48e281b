//! Regenerate `metal/models/default.json` (the shipped default model).
//!
//! `cargo run --release -p hsm-metal --example train_default_model`
#![allow(clippy::print_stdout, reason = "command-line tool")]

use hsm_metal::MetalError;
use hsm_metal::gate::{Gate, GateConfig};
use hsm_metal::train::{Recipe, train_default};

fn main() -> Result<(), MetalError> {
    let gate = Gate::new(GateConfig::default())?;
    let model = train_default(&gate, &Recipe::default())?;
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/models/default.json");
    std::fs::write(path, model.to_json()? + "\n").map_err(|e| MetalError::Io {
        path: path.to_owned(),
        reason: e.to_string(),
    })?;
    println!("wrote {path} (temperature {:.3})", model.temperature);
    Ok(())
}
