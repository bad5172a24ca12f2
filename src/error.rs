//! The tool's own errors (exit code 2): bad configuration, bad usage, unreadable input.

use miette::{Diagnostic, NamedSource, SourceSpan};
use thiserror::Error;

/// A malformed configuration file, with the place to point at.
#[derive(Debug, Error, Diagnostic)]
#[error("invalid configuration: {message}")]
#[diagnostic(
    code(twelve_check::config),
    help("see the Configuration section of the README for every key")
)]
pub struct ConfigError {
    /// What is wrong.
    pub message: String,
    /// The configuration file.
    #[source_code]
    pub src: NamedSource<String>,
    /// Where.
    #[label("{label}")]
    pub span: SourceSpan,
    /// Text under the snippet.
    pub label: String,
}

/// An error that makes the whole result untrustworthy.
#[derive(Debug, Error, Diagnostic)]
pub enum Error {
    /// A configuration file is malformed or holds an unknown key or value.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Config(Box<ConfigError>),
    /// A path given on the command line cannot be read.
    #[error("cannot read `{path}`: {source}")]
    #[diagnostic(code(twelve_check::io))]
    Io {
        /// The path.
        path: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// An output file (`--output`, `--write-baseline`, `init`) cannot be written.
    #[error("cannot write {path}: {cause}")]
    #[diagnostic(code(twelve_check::io))]
    Write {
        /// The path.
        path: String,
        /// The underlying error (not a `source`: the message already says it once).
        cause: std::io::Error,
    },
    /// The command line is wrong (an unknown selector, an unknown rule for `explain`).
    #[error("{0}")]
    #[diagnostic(code(twelve_check::usage))]
    Usage(String),
}

impl Error {
    /// A configuration error at `span` of `text`.
    pub fn config(
        path: &str,
        text: &str,
        span: std::ops::Range<usize>,
        message: impl Into<String>,
        label: impl Into<String>,
    ) -> Self {
        let len = text.len();
        let start = span.start.min(len);
        let end = span.end.clamp(start, len);
        // Printed to a CI log: secrets masked in the snippet and the message, as in findings.
        let shown = crate::source::secrets::Shown::new(&text.into(), &[], true);
        let values = &shown.values;
        Error::Config(Box::new(ConfigError {
            message: crate::source::secrets::redact(&message.into(), values),
            src: NamedSource::new(path, shown.text.as_deref().unwrap_or("").to_string()),
            span: (start, end - start).into(),
            label: crate::source::secrets::redact(&label.into(), values),
        }))
    }
}
