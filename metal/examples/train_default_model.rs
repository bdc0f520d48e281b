//! Regenerate `metal/models/default.json` (the shipped default model) by
//! the default recipe with the current detector's estimates.
//!
//! `cargo run --release -p hsm-metal --example train_default_model`
//!
//! The shipped file was trained at commit d1ea264 (its features came from
//! that commit's trajectory fit; check it out to reproduce the file byte
//! for byte). Retrained on the current estimates by the same recipe, a model
//! missed more threats at the `hospital` program (21 of 10 800 against 8,
//! certification trial over 10 seed sets), so the shipped file was kept;
//! compare any retrained model with `probe acc` / `probe dump` (`P_MODEL`)
//! before replacing it.
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
