//! TC0002: a file of a known kind that could not be read or parsed (reported by the engine).

use crate::rule::prelude::*;

declare_rule! {
    /// ## What it does
    /// Reports a file of a kind twelve-check understands (Rust, TOML, YAML, JSON, Dockerfile,
    /// manifests) that it could not read or parse, and says why. That file's rules were skipped;
    /// every other file was still checked.
    ///
    /// Causes include syntax errors, invalid UTF-8, binary content, files over the size limit
    /// (8 MiB) and Rust nested deeper than 2,000 brackets. A syntax error is reported at the
    /// line where the parser stopped; a file that could not be decoded, at line 1.
    ///
    /// A Rust file is parsed only when one of the enabled rules could fire in it (the file holds
    /// one of its trigger tokens), so a syntax error in a file no rule needs goes unreported. Files out of scope (under
    /// `tests/`, `examples/`, ... without `--include-tests`) are not read.
    ///
    /// ## Why is this bad?
    /// A file that is not checked can hide any violation. The note makes the gap visible instead
    /// of passing silently.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   web: [image: app
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// services:
    ///   web:
    ///     image: app
    /// ```
    ///
    /// Files that are not meant to parse (compile-fail test fixtures, templates) can be left out
    /// with `exclude` in the configuration.
    pub UnparsableFile {
        code: "TC0002", name: "unparsable-file",
        factor: Meta, severity: Note, preview: false, since: "0.1.0",
    }
}

impl Rule for UnparsableFile {
    fn inputs(&self) -> Inputs {
        Inputs::default()
    }
}
