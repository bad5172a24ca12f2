//! Classifying files and parsing each kind once into a typed model with byte spans.
//!
//! [`SourceFile`] is the text of one file plus its line index; the submodules parse it into the
//! models the rules see. Every parser returns a [`ParseError`] on malformed input instead of
//! panicking: the engine turns it into a `TC0002` note and the run goes on.

pub mod compose;
pub mod depth;
pub mod dockerfile;
pub mod dotenv;
pub mod flow;
pub mod k8s;
pub mod keyvalue;
pub mod manifest;
pub mod nginx;
pub mod prefilter;
pub mod procfile;
pub mod run;
pub mod rust;
pub mod secrets;
pub mod shell;
pub mod structured;
pub mod test_modules;

use std::ops::Range;

/// What kind of file a path is, decided from its name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FileKind {
    /// `*.rs`.
    Rust,
    /// `Cargo.toml`.
    CargoToml,
    /// `package.json`.
    PackageJson,
    /// `pyproject.toml`.
    Pyproject,
    /// `Pipfile`.
    Pipfile,
    /// `requirements*.txt`.
    Requirements,
    /// `go.mod`.
    GoMod,
    /// `Gemfile`.
    Gemfile,
    /// Any other `*.toml`.
    Toml,
    /// `*.yml`, `*.yaml`.
    Yaml,
    /// `*.json` (not a lockfile).
    Json,
    /// `Dockerfile`, `*.Dockerfile`, `Dockerfile.*`, `Containerfile`, any case.
    Dockerfile,
    /// `.env`, `.env.*`, `*.env`.
    Dotenv,
    /// A lockfile: read for presence only, never scanned.
    Lockfile,
    /// `Procfile`, `Procfile.*`.
    Procfile,
    /// A shell script: `*.sh`, `*.bash`, `entrypoint`, `docker-entrypoint`.
    Shell,
    /// An nginx configuration: `nginx.conf`, `*.nginx`, or `*.conf` under a folder named like
    /// nginx.
    Nginx,
    /// An HAProxy configuration: `haproxy.cfg`, or `*.cfg` under a folder named like haproxy.
    Haproxy,
    /// Terraform: `*.tf`.
    Terraform,
    /// `.gitignore`: read before the other files, for the ignore rules.
    Gitignore,
    /// Any other file: scanned as text for high-confidence secrets when it is text.
    Other,
}

/// Lockfile names, never scanned as text (their content is generated).
pub const LOCKFILES: &[&str] = &[
    "Cargo.lock",
    "package-lock.json",
    "npm-shrinkwrap.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "bun.lock",
    "bun.lockb",
    "poetry.lock",
    "pdm.lock",
    "uv.lock",
    "Pipfile.lock",
    "go.sum",
    "Gemfile.lock",
];

/// Whether a Dockerfile or compose file is for development only, by its path: compose
/// overrides and `dev`/`local`/`test` variants, `Dockerfile.dev`, `dev.Dockerfile`,
/// `Dockerfile.devcontainer`, anything under `.devcontainer/`. Rules that judge what ships
/// ask this one place.
pub fn development_file(path: &str) -> bool {
    const DEV: &[&str] = &[
        "dev",
        "develop",
        "development",
        "local",
        "override",
        "test",
        "tests",
        "testing",
        "ci",
        "debug",
        "e2e",
        "devcontainer",
    ];
    if path.split('/').any(|c| c == ".devcontainer") {
        return true;
    }
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    if let Some(env) = compose::environment_of(&name) {
        if compose::is_compose_path(&name) {
            return env.split(['.', '-', '_']).any(|part| DEV.contains(&part));
        }
    }
    if name.contains("dockerfile") {
        return name
            .split(['.', '-', '_'])
            .filter(|p| *p != "dockerfile")
            .any(|part| DEV.contains(&part));
    }
    false
}

/// Extensions that make `Dockerfile.<ext>` a file about Dockerfiles rather than one
/// (`dockerfile.rs`, `Dockerfile.md`); `Dockerfile.prod` and `Dockerfile.dev` are Dockerfiles.
const NOT_DOCKERFILE_EXTENSIONS: &[&str] = &[
    "rs", "md", "py", "go", "js", "ts", "json", "yaml", "yml", "toml", "txt", "sh", "html", "rb",
    "java", "kt", "c", "h", "cpp", "lock", "log", "j2", "jinja", "tmpl", "tpl", "template", "erb",
    "mustache", "hbs", "snap", "orig", "rej", "bak", "swp",
];

impl FileKind {
    /// Classifies a path (relative, forward slashes) by its file name.
    pub fn classify(path: &str) -> FileKind {
        let name = path.rsplit('/').next().unwrap_or(path);
        let lower = name.to_ascii_lowercase();
        if LOCKFILES.contains(&name) {
            return FileKind::Lockfile;
        }
        match name {
            "Cargo.toml" => return FileKind::CargoToml,
            "package.json" => return FileKind::PackageJson,
            "pyproject.toml" => return FileKind::Pyproject,
            "Pipfile" => return FileKind::Pipfile,
            "go.mod" => return FileKind::GoMod,
            "Gemfile" => return FileKind::Gemfile,
            _ => {}
        }
        let variant = |prefix: &str| {
            lower
                .strip_prefix(prefix)
                .is_some_and(|ext| !NOT_DOCKERFILE_EXTENSIONS.contains(&ext))
        };
        if lower == "dockerfile"
            || lower == "containerfile"
            || lower.ends_with(".dockerfile")
            || variant("dockerfile.")
            || variant("containerfile.")
        {
            return FileKind::Dockerfile;
        }
        if lower == ".env" || lower.starts_with(".env.") || lower.ends_with(".env") {
            return FileKind::Dotenv;
        }
        if name == "Procfile" || name.starts_with("Procfile.") {
            return FileKind::Procfile;
        }
        if name == ".gitignore" {
            return FileKind::Gitignore;
        }
        let lower_path = path.to_ascii_lowercase();
        let ext = lower.rsplit_once('.').map(|(_, e)| e);
        if matches!(ext, Some("sh" | "bash"))
            || matches!(lower.as_str(), "entrypoint" | "docker-entrypoint")
        {
            return FileKind::Shell;
        }
        if lower == "nginx.conf"
            || ext == Some("nginx")
            || (ext == Some("conf") && lower_path.contains("nginx"))
        {
            return FileKind::Nginx;
        }
        if lower == "haproxy.cfg" || (ext == Some("cfg") && lower_path.contains("haproxy")) {
            return FileKind::Haproxy;
        }
        if ext == Some("tf") {
            return FileKind::Terraform;
        }
        if lower.starts_with("requirements") && lower.ends_with(".txt") {
            return FileKind::Requirements;
        }
        match lower.rsplit_once('.').map(|(_, ext)| ext) {
            Some("rs") => FileKind::Rust,
            Some("toml") => FileKind::Toml,
            Some("yml" | "yaml") => FileKind::Yaml,
            Some("json") => FileKind::Json,
            _ => FileKind::Other,
        }
    }

    /// Whether the file is parsed as a TOML/YAML/JSON key/value document.
    pub fn is_structured(self) -> bool {
        matches!(
            self,
            FileKind::CargoToml
                | FileKind::PackageJson
                | FileKind::Pyproject
                | FileKind::Pipfile
                | FileKind::Toml
                | FileKind::Yaml
                | FileKind::Json
        )
    }

    /// Whether the file is a dependency manifest read before the other files.
    pub fn is_manifest(self) -> bool {
        matches!(
            self,
            FileKind::CargoToml
                | FileKind::PackageJson
                | FileKind::Pyproject
                | FileKind::Pipfile
                | FileKind::Requirements
                | FileKind::GoMod
                | FileKind::Gemfile
        )
    }

    /// The comment leader used for suppressions and expectation markers in this kind of file.
    pub fn comment_leader(self) -> Option<&'static str> {
        match self {
            FileKind::Rust => Some("//"),
            FileKind::PackageJson | FileKind::Json | FileKind::Lockfile => None,
            _ => Some("#"),
        }
    }
}

/// Resolves `.` and `..` in a relative path (forward slashes); `None` when it climbs above the
/// root it is relative to.
pub fn normalize_path(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for c in path.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            c => parts.push(c),
        }
    }
    Some(parts.join("/"))
}

/// The bare name of a package as written in an install command: quotes, a version
/// (`=1.2`, `>=1`, `~1`) and an architecture (`:amd64`) removed, lower-cased.
pub fn package_name(pkg: &str) -> String {
    pkg.trim_matches(|c| c == '"' || c == '\'')
        .split(['=', '<', '>', '~'])
        .next()
        .unwrap_or("")
        .split(':')
        .next()
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// Whether a text starts with a shell's shebang (`#!/bin/sh`, `#!/usr/bin/env bash`).
pub fn is_shell_shebang(text: &str) -> bool {
    let Some(first) = text.strip_prefix("#!").and_then(|t| t.lines().next()) else {
        return false;
    };
    let mut words = first.split_whitespace();
    let prog = words.next().unwrap_or("");
    let prog = if prog.ends_with("/env") {
        words.find(|w| !w.starts_with('-')).unwrap_or("")
    } else {
        prog
    };
    matches!(
        prog.rsplit('/').next().unwrap_or(""),
        "sh" | "bash" | "dash" | "ash" | "zsh" | "ksh"
    )
}

/// Whether a file's name marks it as a test or a test snapshot, whatever its folder:
/// `tests.rs`, `foo_test.go`, `test_foo.py`, `foo.test.js`, `foo.spec.ts`, `x509_test.cc`,
/// `*.snap`.
pub fn is_test_file(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    let stem = name.split_once('.').map_or(name.as_str(), |(s, _)| s);
    stem == "tests"
        || stem == "test"
        || stem == "conftest"
        || stem.starts_with("test_")
        || stem.ends_with("_test")
        || stem.ends_with("_tests")
        || stem.ends_with("_spec")
        || name.contains(".test.")
        || name.contains(".spec.")
        || name.ends_with(".snap")
}

/// A file that failed to parse: why, and where when known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// What the parser said.
    pub message: String,
    /// Where, as a byte range into the file.
    pub span: Range<usize>,
}

impl ParseError {
    /// A parse error at `span`.
    pub fn new(message: impl Into<String>, span: Range<usize>) -> Self {
        ParseError {
            message: message.into(),
            span,
        }
    }
}

/// One file's text with its location in the repository.
#[derive(Debug)]
pub struct SourceFile {
    /// Path relative to the checked root, forward slashes.
    pub path: String,
    /// The kind decided from the name.
    pub kind: FileKind,
    /// The text (a leading BOM removed; invalid UTF-8 replaced).
    pub text: String,
    /// Line starts, for byte offset ↔ line/column conversion.
    pub lines: LineIndex,
    /// A same-length rewrite of `text` that a parser reads instead, when it needs one (a
    /// Dockerfile's `ENTRYPOINT []`); set once, by that parser.
    pub parse_text: std::sync::OnceLock<String>,
}

impl SourceFile {
    /// Builds a source file from its text.
    pub fn new(path: impl Into<String>, kind: FileKind, text: String) -> Self {
        let text = match text.strip_prefix('\u{feff}') {
            Some(rest) => rest.to_string(),
            None => text,
        };
        let lines = LineIndex::new(&text);
        SourceFile {
            path: path.into(),
            kind,
            text,
            lines,
            parse_text: std::sync::OnceLock::new(),
        }
    }

    /// The file name (last path component).
    pub fn file_name(&self) -> &str {
        self.path.rsplit('/').next().unwrap_or(&self.path)
    }

    /// The directory part of the path, `""` at the root.
    pub fn dir(&self) -> &str {
        self.path.rsplit_once('/').map(|(d, _)| d).unwrap_or("")
    }

    /// The text of the 1-based `line`, without its line break.
    pub fn line_text(&self, line: usize) -> &str {
        let range = self.lines.line_range(line, self.text.len());
        self.text[range].trim_end_matches(['\n', '\r'])
    }
}

/// Byte offsets of line starts.
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
    /// The whole text is ASCII: columns are byte offsets (the common case, checked once).
    ascii: bool,
}

impl LineIndex {
    /// Indexes `text`. A line ends at `\n`, `\r\n` or a bare `\r`, as YAML (and so saphyr,
    /// whose line numbers become byte offsets here) reads them: one convention for every
    /// parser's positions and for the snippets drawn from them.
    pub fn new(text: &str) -> Self {
        let b = text.as_bytes();
        let mut starts = vec![0];
        starts.extend(
            b.iter()
                .enumerate()
                .filter(|&(i, &c)| c == b'\n' || (c == b'\r' && b.get(i + 1) != Some(&b'\n')))
                .map(|(i, _)| i + 1),
        );
        LineIndex {
            starts,
            ascii: text.is_ascii(),
        }
    }

    /// Number of lines.
    pub fn len(&self) -> usize {
        self.starts.len()
    }

    /// Whether the index is empty (never: an empty text has one line).
    pub fn is_empty(&self) -> bool {
        false
    }

    /// 1-based line and 1-based column (in characters) of a byte offset.
    pub fn line_col(&self, text: &str, offset: usize) -> (usize, usize) {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let line = self.starts.partition_point(|&s| s <= offset);
        let start = self.starts[line - 1];
        let col = if self.ascii {
            offset - start + 1
        } else {
            text[start..offset].chars().count() + 1
        };
        (line, col)
    }

    /// Byte offset of a 1-based line and 0-based character column (clamped to the line).
    pub fn offset(&self, text: &str, line: usize, col0: usize) -> usize {
        let range = self.line_range(line, text.len());
        if self.ascii {
            // Without this, a long one-line JSON document costs a scan of the line per node.
            return range.start + col0.min(range.len());
        }
        let line_text = &text[range.clone()];
        let within = line_text
            .char_indices()
            .nth(col0)
            .map(|(i, _)| i)
            .unwrap_or(line_text.len());
        range.start + within
    }

    /// Byte range of the 1-based `line`, including its line break.
    pub fn line_range(&self, line: usize, text_len: usize) -> Range<usize> {
        let line = line.clamp(1, self.starts.len());
        let start = self.starts[line - 1];
        let end = self.starts.get(line).copied().unwrap_or(text_len);
        start..end
    }
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classify_names() {
        assert_eq!(FileKind::classify("a/Dockerfile"), FileKind::Dockerfile);
        assert_eq!(FileKind::classify("api.Dockerfile"), FileKind::Dockerfile);
        assert_eq!(FileKind::classify("Dockerfile.prod"), FileKind::Dockerfile);
        assert_eq!(FileKind::classify("Containerfile"), FileKind::Dockerfile);
        assert_eq!(
            FileKind::classify("src/source/dockerfile.rs"),
            FileKind::Rust
        );
        assert_eq!(FileKind::classify("Dockerfile.j2"), FileKind::Other);
        assert_eq!(FileKind::classify(".env.production"), FileKind::Dotenv);
        assert_eq!(FileKind::classify("Cargo.lock"), FileKind::Lockfile);
        assert_eq!(
            FileKind::classify("requirements-dev.txt"),
            FileKind::Requirements
        );
        assert_eq!(FileKind::classify("src/main.rs"), FileKind::Rust);
    }

    #[test]
    fn development_files() {
        for dev in [
            "docker-compose.override.yml",
            "compose.dev.yaml",
            "Dockerfile.dev",
            "docker/dev.Dockerfile",
            ".devcontainer/Dockerfile",
            "scripts/Dockerfile.devcontainer",
        ] {
            assert!(development_file(dev), "{dev}");
        }
        for shipped in [
            "docker-compose.yml",
            "docker-compose.prod.yml",
            "Dockerfile",
            "deploy/Dockerfile.prod",
            "devices/Dockerfile",
        ] {
            assert!(!development_file(shipped), "{shipped}");
        }
    }

    #[test]
    fn line_col_roundtrip() {
        let text = "ab\nçd\n\nx";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_col(text, 0), (1, 1));
        assert_eq!(idx.line_col(text, 5), (2, 2));
        assert_eq!(idx.offset(text, 2, 1), 5);
        assert_eq!(idx.line_col(text, text.len()), (4, 2));
        // The ASCII fast path agrees with the general one, clamping included.
        let ascii = "ab\ncd\n\nx";
        let idx = LineIndex::new(ascii);
        assert_eq!(idx.line_col(ascii, 4), (2, 2));
        assert_eq!(idx.offset(ascii, 2, 1), 4);
        assert_eq!(idx.offset(ascii, 2, 99), 6);
        assert_eq!(idx.offset(ascii, 9, 0), 7);
        // A bare CR ends a line, as in YAML; CRLF is one break.
        let cr = "a: 1\rb: 2\r\nc: 3";
        let idx = LineIndex::new(cr);
        assert_eq!(idx.line_col(cr, 5), (2, 1));
        assert_eq!(idx.line_col(cr, 11), (3, 1));
        assert_eq!(idx.offset(cr, 2, 3), 8);
    }
}
