//! Output formats and the one place that writes to stdout.

use std::io::{self, Write as _};

use clap::ValueEnum;
use comfy_table::{Table, modifiers, presets};
use serde::Serialize;

use crate::error::CliError;

/// How a command prints its result (`--format`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    // One JSON document (pretty-printed), for programs.
    Json,
    // Comma-separated values with a header row (RFC 4180 quoting).
    Csv,
    // A human-readable table.
    Table,
}

/// Serialises `value` as pretty JSON followed by a newline.
pub(crate) fn json<T: Serialize>(value: &T) -> Result<String, CliError> {
    let mut s = serde_json::to_string_pretty(value)
        .map_err(|e| CliError::failure(format!("cannot encode the result as JSON: {e}")))?;
    s.push('\n');
    Ok(s)
}

/// One CSV field, quoted when it contains a comma, quote or line break.
pub(crate) fn csv_field(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_owned()
    }
}

/// Appends one CSV record (and its line break) to `out`.
pub(crate) fn csv_record<S: AsRef<str>>(out: &mut String, fields: &[S]) {
    let line: Vec<String> = fields.iter().map(|f| csv_field(f.as_ref())).collect();
    out.push_str(&line.join(","));
    out.push('\n');
}

/// A table in the house style, with a header row.
pub(crate) fn table<S: ToString>(header: &[S]) -> Table {
    let mut t = Table::new();
    t.load_preset(presets::UTF8_FULL_CONDENSED)
        .apply_modifier(modifiers::UTF8_ROUND_CORNERS)
        .set_header(header.iter().map(ToString::to_string).collect::<Vec<_>>());
    t
}

/// Writes the result to stdout.
///
/// A closed pipe (e.g. `hsm … | head -1`) is not an error: the reader has all
/// it wanted, so the command ends quietly with success.
pub(crate) fn emit(text: &str) -> Result<(), CliError> {
    let mut out = io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(CliError::failure(format!("cannot write to stdout: {e}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_only_when_needed() {
        assert_eq!(csv_field("beds"), "beds");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        let mut s = String::new();
        csv_record(&mut s, &["x", "1,5", ""]);
        assert_eq!(s, "x,\"1,5\",\n");
    }
}
