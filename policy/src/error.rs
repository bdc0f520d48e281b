//! Errors raised by `hsm-policy`, each mapped to a stable [`StatusCode`].

use hsm_core::StatusCode;

/// Errors from policy evaluation.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyError {
    /// A hospital profile field is unusable.
    #[error("invalid hospital profile field {field}: {detail}")]
    InvalidProfile {
        /// The field.
        field: &'static str,
        /// What is wrong with it.
        detail: String,
    },
    /// A date is not a valid `YYYY-MM-DD` calendar date.
    #[error("invalid date {value:?}: expected YYYY-MM-DD, a real calendar date")]
    InvalidDate {
        /// The offending text.
        value: String,
    },
    /// No rule set with this id is embedded or was loaded.
    #[error("unknown rule set {id:?} (embedded: {known})")]
    UnknownRuleSet {
        /// The id asked for.
        id: String,
        /// The ids that exist, comma-separated.
        known: String,
    },
    /// A rule-set or profile document could not be parsed.
    #[error("cannot parse {what}: {detail}")]
    Parse {
        /// What was being parsed (a rule-set id, a file name, "profile").
        what: String,
        /// The parser's message, with line and column where known.
        detail: String,
    },
    /// A file could not be read.
    #[error("cannot read {path}: {detail}")]
    Io {
        /// The file.
        path: String,
        /// The system's message.
        detail: String,
    },
    /// A rule set parsed but is inconsistent (duplicate ids, a cycle in
    /// `extends`, a rule with no values).
    #[error("invalid rule set {id}: {detail}")]
    InvalidRuleSet {
        /// The rule set's id.
        id: String,
        /// What is wrong.
        detail: String,
    },
}

impl PolicyError {
    /// The stable status code of this error.
    #[must_use]
    pub const fn code(&self) -> StatusCode {
        match self {
            PolicyError::InvalidProfile { .. }
            | PolicyError::InvalidDate { .. }
            | PolicyError::UnknownRuleSet { .. } => StatusCode::InvalidProfile,
            PolicyError::Parse { .. } | PolicyError::InvalidRuleSet { .. } => StatusCode::Format,
            PolicyError::Io { .. } => StatusCode::Io,
        }
    }
}
