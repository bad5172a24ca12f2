//! twelve-check: checks a repository against the Twelve-Factor App methodology.
//!
//! # Crate map
//!
//! - [`walk`]: the only code that touches the filesystem (parallel walk, reads, probes).
//! - [`source`]: classifies files and parses each kind once into a typed model with spans
//!   (Rust with syn, TOML/YAML/JSON, Dockerfile, `.env`, manifests).
//! - [`rule`] and [`registry`]: the rule model, `declare_rule!`, the typed [`registry::RuleId`]
//!   and selectors.
//! - [`rules`]: one folder per factor, one file per rule, each with its documentation.
//! - [`engine`]: dispatches parsed files to enabled rules, runs repo-level rules, applies
//!   suppressions, sorts.
//! - [`suppress`]: inline `twelve-check: ignore[...]` comments.
//! - [`config`]: configuration files and command-line overrides resolved into settings.
//! - [`baseline`]: accepting today's findings and reporting only new ones.
//! - [`report`]: every output format; the only code that knows them.
//! - [`docs`]: the rule reference pages generated from the rules' documentation.
//!
//! # Invariants
//!
//! - Rules do no I/O and never see command-line or output types.
//! - Each file is read once and parsed once; a Rust file that no enabled rule could fire on (no
//!   trigger token, no literal its `rust_wants` accepts, another crate scope) is not parsed at all.
//! - Output is sorted and byte-identical whatever the thread count.
//! - Nothing from the checked repository is executed, and nothing touches the network.
//! - Internal types are not `Serialize`; JSON has its own versioned output types.
//! - The library never prints; the binary writes what the library renders.

#![warn(missing_docs)]
#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod baseline;
pub mod config;
pub mod diagnostic;
pub mod docs;
pub mod engine;
pub mod error;
pub mod registry;
pub mod report;
pub mod rule;
pub mod rules;
pub mod settings;
pub mod source;
pub mod suppress;
pub mod walk;

pub use config::Settings;
pub use engine::{check, Report};
pub use error::Error;

/// Where the project lives; rule pages are linked from here.
pub const REPOSITORY_URL: &str = "https://github.com/twelve-check/twelve-check";

/// The tool's version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The exit code for a finished run: 1 when a finding is at or above the failure threshold.
pub fn exit_code(report: &Report, settings: &Settings) -> u8 {
    match settings.fail_on {
        Some(threshold) => u8::from(report.findings.iter().any(|f| f.severity >= threshold)),
        None => 0,
    }
}
