//! The command line's error: what went wrong, what to do, and the exit code.

use std::fmt;
use std::process::ExitCode;

use hsm::core::status::ErrorKind;
use hsm::thermal::ThermalError;

/// Exit code of a bad invocation: a parse error (clap's own), or an argument
/// value or input file shape/dtype the command cannot accept.
pub(crate) const EXIT_USAGE: u8 = 2;
/// Exit code of any other failure: I/O, corrupt files, internal errors.
pub(crate) const EXIT_FAILURE: u8 = 1;

/// An error the `hsm` binary reports on stderr before exiting non-zero.
#[derive(Debug)]
pub(crate) struct CliError {
    /// `EXIT_USAGE` or `EXIT_FAILURE`.
    exit: u8,
    /// What went wrong (printed after `error: `).
    message: String,
    /// What to do about it (printed after `hint: `), if anything useful.
    hint: Option<String>,
}

impl CliError {
    /// A usage error (exit 2): the arguments or the input's shape are wrong.
    pub(crate) fn usage(message: impl Into<String>) -> Self {
        CliError {
            exit: EXIT_USAGE,
            message: message.into(),
            hint: None,
        }
    }

    /// A failure (exit 1): I/O, a corrupt file, an internal problem.
    pub(crate) fn failure(message: impl Into<String>) -> Self {
        CliError {
            exit: EXIT_FAILURE,
            message: message.into(),
            hint: None,
        }
    }

    /// Adds the `hint:` line.
    #[must_use]
    pub(crate) fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Prefixes the message with context, e.g. the flag or file concerned.
    #[must_use]
    pub(crate) fn context(mut self, context: impl fmt::Display) -> Self {
        self.message = format!("{context}: {}", self.message);
        self
    }

    /// The process exit code.
    pub(crate) fn exit_code(&self) -> ExitCode {
        ExitCode::from(self.exit)
    }

    /// The numeric exit code (for tests and documentation).
    #[cfg(test)]
    pub(crate) fn exit(&self) -> u8 {
        self.exit
    }

    /// The `error:` / `hint:` lines, each ending in a newline.
    pub(crate) fn render(&self) -> String {
        let mut s = format!("error: {}\n", self.message);
        if let Some(h) = &self.hint {
            s.push_str("hint: ");
            s.push_str(h);
            s.push('\n');
        }
        s
    }
}

/// The command-line flag that sets a library field, for messages and hints.
fn flag_of(field: &str) -> Option<&'static str> {
    Some(match field {
        "emissivity" => "--emissivity",
        "distance_m" => "--distance",
        "reflected" => "--reflected",
        "atmosphere" | "atmospheric transmission" => "--atmosphere",
        "window" => "--window",
        "window_transmission" => "--window-transmission",
        "relative_humidity" => "--humidity",
        "R1" => "--r1",
        "R2" => "--r2",
        "B" => "--b",
        "F" => "--f",
        "O" => "--o",
        "gain" => "--gain",
        "offset" => "--offset",
        _ => return None,
    })
}

impl From<hsm::Error> for CliError {
    /// Invalid values and shapes caught by the library are usage errors
    /// (exit 2); I/O, format and internal errors are failures (exit 1).
    fn from(e: hsm::Error) -> Self {
        let field = match &e {
            hsm::Error::Thermal(
                ThermalError::InvalidScene { field, .. }
                | ThermalError::InvalidRadiometry { field, .. },
            ) => Some(*field),
            _ => None,
        };
        let base = match e.code().kind() {
            ErrorKind::InvalidValue | ErrorKind::Shape => CliError::usage(e.to_string()),
            ErrorKind::None | ErrorKind::Io | ErrorKind::Format | ErrorKind::Internal => {
                CliError::failure(e.to_string())
            }
        };
        match field.and_then(|f| flag_of(f).map(|flag| (f, flag))) {
            Some(("relative_humidity", flag)) => base
                .context(flag)
                .hint("--humidity takes a fraction in [0, 1]: 0.5 means 50 %"),
            Some(("atmospheric transmission", _)) => base.hint(
                "the air path absorbs everything: check --distance, --humidity and --atmosphere",
            ),
            Some((_, flag)) => base.context(flag).hint(format!(
                "pass a valid value with {flag}; see `hsm thermal convert --help`"
            )),
            None => base,
        }
    }
}

impl From<ThermalError> for CliError {
    fn from(e: ThermalError) -> Self {
        CliError::from(hsm::Error::from(e))
    }
}

impl From<hsm::core::CoreError> for CliError {
    fn from(e: hsm::core::CoreError) -> Self {
        CliError::from(hsm::Error::from(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn library_errors_map_to_exit_codes_and_name_the_flag() {
        let e = CliError::from(ThermalError::InvalidScene {
            field: "emissivity",
            value: f64::NAN,
            expected: "0 < emissivity <= 1",
        });
        assert_eq!(e.exit(), EXIT_USAGE);
        let text = e.render();
        assert!(text.starts_with("error: --emissivity: "), "{text}");
        assert!(text.contains("\nhint: "), "{text}");

        let e = CliError::from(ThermalError::InvalidScene {
            field: "relative_humidity",
            value: 50.0,
            expected: "a fraction",
        });
        assert!(e.render().contains("0.5 means 50 %"));

        let e = CliError::failure("disk on fire");
        assert_eq!(e.exit(), EXIT_FAILURE);
        assert_eq!(e.render(), "error: disk on fire\n");
    }
}
