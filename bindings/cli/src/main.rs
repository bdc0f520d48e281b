//! `hsm`: libhsm from a shell.
//!
//! Every command takes `--format json|csv|table` (default `table`) and prints
//! only its result on stdout. Errors go to stderr as `error: …` with a
//! `hint: …` line where one helps. Exit codes: 0 success, 1 failure (I/O,
//! corrupt file), 2 usage (bad flags, invalid values, wrong input dtype or
//! shape). See `bindings/cli/README.md` for the full contract.

use std::io::Write as _;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use serde::Serialize;

mod count;
mod demo;
mod error;
mod gate;
mod metal;
mod npy;
mod output;
mod policy;
mod policy_cmds;
mod thermal;
mod thermal_files;
mod thermal_screen;

use error::CliError;
use output::Format;

/// libhsm: fever screening, metal detection, people counting and
/// hospital-security policy for hospital entrance gates.
#[derive(Debug, Parser)]
#[command(
    name = "hsm",
    version = hsm::VERSION,
    propagate_version = true,
    after_help = "Start with `hsm demo`. Exit codes: 0 success, 1 failure (I/O, corrupt file), 2 usage (bad flags or values)."
)]
struct Cli {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table, global = true)]
    format: Format,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run today's slices on built-in values (no files needed).
    Demo,
    /// Thermal imaging: radiometric conversion, files, face screening, the simulator.
    #[command(subcommand)]
    Thermal(thermal::ThermalCommand),
    /// Hospital-security policy: obligations with citations.
    #[command(subcommand)]
    Policy(policy::PolicyCommand),
    /// People counting: beam pairs, tracked detections, the simulator.
    #[command(subcommand)]
    Count(count::CountCommand),
    /// The gate: simulate a morning, query, trace contacts, export, purge.
    #[command(subcommand)]
    Gate(gate::GateCommand),
    /// Metal detection: MPT import, the gate simulator, classification, evaluation.
    #[command(subcommand)]
    Metal(metal::MetalCommand),
    /// Print the library name and version.
    Version,
}

#[derive(Serialize)]
struct VersionReport {
    name: &'static str,
    version: &'static str,
}

fn version(format: Format) -> Result<String, CliError> {
    let v = VersionReport {
        name: "libhsm",
        version: hsm::VERSION,
    };
    Ok(match format {
        Format::Json => output::json(&v)?,
        Format::Csv => {
            let mut s = String::new();
            output::csv_record(&mut s, &["name", "version"]);
            output::csv_record(&mut s, &[v.name, v.version]);
            s
        }
        Format::Table => {
            let mut t = output::table(&["name", "version"]);
            t.add_row(vec![v.name, v.version]);
            format!("{t}\n")
        }
    })
}

fn run(cli: &Cli) -> Result<String, CliError> {
    match &cli.command {
        Command::Demo => demo::demo(cli.format),
        Command::Thermal(thermal::ThermalCommand::Convert(args)) => {
            let summary = thermal::convert(args)?;
            thermal::render_summary(&summary, cli.format)
        }
        Command::Thermal(thermal::ThermalCommand::Info(args)) => {
            thermal_files::info(args, cli.format)
        }
        Command::Thermal(thermal::ThermalCommand::Export(args)) => {
            thermal_files::export(args, cli.format)
        }
        Command::Thermal(thermal::ThermalCommand::Screen(args)) => {
            thermal_screen::screen(args, cli.format)
        }
        Command::Thermal(thermal::ThermalCommand::Simulate(args)) => {
            thermal_screen::simulate(args, cli.format)
        }
        Command::Policy(cmd) => policy::run(cmd, cli.format),
        Command::Count(count::CountCommand::Beams(args)) => {
            count::render_count(&count::beams(args)?, cli.format)
        }
        Command::Count(count::CountCommand::Tracks(args)) => {
            count::render_count(&count::tracks(args)?, cli.format)
        }
        Command::Count(count::CountCommand::Simulate(args)) => {
            count::render_simulate(&count::simulate_cmd(args)?, cli.format)
        }
        Command::Count(count::CountCommand::Flow(args)) => {
            count::render_flow(&count::flow(args)?, cli.format)
        }
        Command::Gate(cmd) => gate::run(cmd, cli.format),
        Command::Metal(metal::MetalCommand::ImportMpt(args)) => metal::import_mpt(args, cli.format),
        Command::Metal(metal::MetalCommand::Simulate(args)) => metal::simulate(args, cli.format),
        Command::Metal(metal::MetalCommand::Classify(args)) => metal::classify(args, cli.format),
        Command::Metal(metal::MetalCommand::Evaluate(args)) => metal::evaluate(args, cli.format),
        Command::Version => version(cli.format),
    }
}

fn main() -> ExitCode {
    // Parse errors exit 2, --help / --version exit 0 (clap's conventions).
    let cli = Cli::parse();
    match run(&cli).and_then(|text| output::emit(&text)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // If stderr itself is gone there is nobody left to tell.
            let _ = std::io::stderr().lock().write_all(e.render().as_bytes());
            e.exit_code()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
