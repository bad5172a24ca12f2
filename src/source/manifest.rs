//! Dependency manifests: Cargo.toml, package.json, pyproject.toml, Pipfile, requirements*.txt,
//! go.mod and Gemfile, reduced to what the dependency and service rules need.
//!
//! TOML and JSON manifests reuse the [`StructuredFile`] tree the file was parsed into once; the
//! line formats (requirements, go.mod, Gemfile) are read line by line here.

use std::ops::Range;

use super::structured::{Node, StructuredFile};
use super::{FileKind, SourceFile};

/// A dependency declared in a manifest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dependency {
    /// The package name (Cargo's `package = ".."` rename applied).
    pub name: String,
    /// Enabled features (Cargo).
    pub features: Vec<String>,
    /// Byte range of the declaration.
    pub span: Range<usize>,
}

/// Which Python tool manages a pyproject.toml.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PyTool {
    /// `[tool.poetry]` → `poetry.lock`.
    Poetry,
    /// `[tool.pdm]` → `pdm.lock`.
    Pdm,
    /// `[tool.uv]` → `uv.lock`.
    Uv,
}

/// What a manifest says, for the repo-level rules.
#[derive(Clone, Debug, Default)]
pub struct Manifest {
    /// Path relative to the checked root.
    pub path: String,
    /// Its directory (`""` at the root).
    pub dir: String,
    /// Where a finding about the manifest as a whole is anchored (`[package]`, the first line).
    pub anchor: Range<usize>,
    /// Runtime dependencies (not dev/build).
    pub dependencies: Vec<Dependency>,
    /// Cargo: has a `[package]` table.
    pub is_package: bool,
    /// Cargo: has a `[workspace]` table; npm: has `workspaces`.
    pub is_workspace: bool,
    /// Cargo: `package.workspace = ".."`, the explicit workspace root.
    pub workspace_path: Option<String>,
    /// Cargo: `workspace.members`, as written (globs not expanded).
    pub workspace_members: Vec<String>,
    /// Cargo: `workspace.exclude`, as written.
    pub workspace_exclude: Vec<String>,
    /// Cargo: the package inherits from a workspace (`x.workspace = true` in `[package]`, a
    /// dependency or `[lints]`), so it is a member of some workspace even when none is in sight.
    pub inherits_workspace: bool,
    /// Cargo: declares `[[bin]]` targets.
    pub declares_bin: bool,
    /// Cargo: `package.name`.
    pub name: Option<String>,
    /// pyproject: the managing tool, when one is named.
    pub py_tool: Option<PyTool>,
    /// Gemfile: loads a gemspec (`gemspec`), so it is the Gemfile of a gem library.
    pub gemspec: bool,
}

impl Manifest {
    fn new(source: &SourceFile) -> Self {
        Manifest {
            path: source.path.clone(),
            dir: source.dir().to_string(),
            anchor: first_line(source),
            ..Manifest::default()
        }
    }

    /// Builds the manifest model of a TOML/JSON manifest from its parsed tree.
    pub fn from_structured(file: &StructuredFile<'_>) -> Self {
        let source = file.source;
        let mut m = Manifest::new(source);
        let Some(root) = file.docs.first() else {
            return m;
        };
        match source.kind {
            FileKind::CargoToml => cargo(root, source, &mut m),
            FileKind::PackageJson => {
                m.dependencies = table_deps(root.get("dependencies"));
                m.is_workspace = root.get("workspaces").is_some();
            }
            FileKind::Pyproject => {
                let tool = root.get("tool");
                let has = |t: &str| tool.and_then(|n| n.get(t)).is_some();
                // `[tool.pdm.build]` and `[tool.pdm.version]` configure the pdm-backend build
                // backend only; any other `[tool.pdm]` key means PDM manages the project.
                let pdm_manages = match tool.and_then(|n| n.get("pdm")) {
                    Some(Node::Map(kv)) => kv
                        .iter()
                        .any(|(k, _)| !matches!(k.name.as_str(), "build" | "version")),
                    Some(_) => true,
                    None => false,
                };
                m.py_tool = if has("poetry") {
                    Some(PyTool::Poetry)
                } else if pdm_manages {
                    Some(PyTool::Pdm)
                } else if has("uv") {
                    Some(PyTool::Uv)
                } else {
                    None
                };
                m.dependencies = table_deps(
                    tool.and_then(|t| t.get("poetry"))
                        .and_then(|p| p.get("dependencies")),
                );
                if let Some(Node::Seq(items)) =
                    root.get("project").and_then(|p| p.get("dependencies"))
                {
                    m.dependencies.extend(items.iter().filter_map(|n| match n {
                        Node::Scalar(s, span) => Some(Dependency {
                            name: s.clone(),
                            features: vec![],
                            span: span.clone(),
                        }),
                        _ => None,
                    }));
                }
            }
            FileKind::Pipfile => m.dependencies = table_deps(root.get("packages")),
            _ => {}
        }
        m
    }

    /// Builds the manifest model of a line-based manifest (requirements, go.mod, Gemfile, Pipfile).
    pub fn from_lines(source: &SourceFile) -> Self {
        let mut m = Manifest::new(source);
        let mut offset = 0;
        let mut in_require_block = false;
        for line in source.text.split_inclusive('\n') {
            let start = offset;
            offset += line.len();
            let t = line.trim();
            let span = start..start + line.trim_end().len();
            let name = match source.kind {
                FileKind::Requirements => {
                    (!t.is_empty() && !t.starts_with('#') && !t.starts_with('-')).then(|| {
                        t.split(|c: char| "=<>!~[; ".contains(c))
                            .next()
                            .unwrap_or(t)
                            .to_string()
                    })
                }
                FileKind::GoMod => {
                    let opens_block = t
                        .strip_prefix("require")
                        .is_some_and(|r| r.trim_start().starts_with('('));
                    if opens_block {
                        in_require_block = true;
                        None
                    } else if in_require_block && t == ")" {
                        in_require_block = false;
                        None
                    } else if in_require_block && !t.is_empty() && !t.starts_with("//") {
                        t.split_whitespace().next().map(str::to_string)
                    } else {
                        t.strip_prefix("require ")
                            .and_then(|r| r.split_whitespace().next())
                            .map(str::to_string)
                    }
                }
                FileKind::Gemfile => {
                    if t == "gemspec" || t.starts_with("gemspec ") || t.starts_with("gemspec(") {
                        m.gemspec = true;
                    }
                    t.strip_prefix("gem ")
                        .and_then(|r| r.trim().split(['\'', '"']).nth(1))
                        .map(str::to_string)
                }
                _ => None,
            };
            if let Some(name) = name {
                m.dependencies.push(Dependency {
                    name,
                    features: vec![],
                    span,
                });
            }
        }
        m
    }
}

fn first_line(source: &SourceFile) -> Range<usize> {
    let end = source.text.find('\n').unwrap_or(source.text.len());
    0..source.text[..end].trim_end().len()
}

fn cargo(root: &Node, source: &SourceFile, m: &mut Manifest) {
    if let Some(pkg) = root.get("package") {
        m.is_package = true;
        m.name = pkg.get("name").and_then(Node::as_str).map(str::to_string);
        m.workspace_path = pkg
            .get("workspace")
            .and_then(Node::as_str)
            .map(str::to_string);
    }
    if let Some(ws) = root.get("workspace") {
        m.is_workspace = true;
        m.workspace_members = strings(ws.get("members"));
        m.workspace_exclude = strings(ws.get("exclude"));
    }
    m.inherits_workspace = ["package", "lints"]
        .iter()
        .filter_map(|t| root.get(t))
        .chain(
            ["dependencies", "dev-dependencies", "build-dependencies"]
                .iter()
                .filter_map(|t| match root.get(t) {
                    Some(Node::Map(deps)) => Some(deps.iter().map(|(_, d)| d)),
                    _ => None,
                })
                .flatten(),
        )
        .any(inherits);
    m.declares_bin = matches!(root.get("bin"), Some(Node::Seq(items)) if !items.is_empty());
    if let Node::Map(top) = root {
        if let Some((k, _)) = top.iter().find(|(k, _)| k.name == "package") {
            m.anchor = header_span(source, "[package]").unwrap_or(k.span.clone());
        }
    }
    m.dependencies = table_deps(root.get("dependencies"));
    if let Some(Node::Map(targets)) = root.get("target") {
        for (_, t) in targets {
            m.dependencies.extend(table_deps(t.get("dependencies")));
        }
    }
}

/// Whether a Cargo table says `workspace = true` itself or in one of its values
/// (`edition.workspace = true`, `serde = { workspace = true }`).
fn inherits(node: &Node) -> bool {
    let is_true = |n: Option<&Node>| n.and_then(Node::as_str) == Some("true");
    match node {
        Node::Map(kv) => {
            is_true(node.get("workspace")) || kv.iter().any(|(_, v)| is_true(v.get("workspace")))
        }
        _ => false,
    }
}

/// The strings of a TOML array.
fn strings(node: Option<&Node>) -> Vec<String> {
    match node {
        Some(Node::Seq(items)) => items
            .iter()
            .filter_map(Node::as_str)
            .map(str::to_string)
            .collect(),
        _ => vec![],
    }
}

/// The span of a `[table]` header line, which the TOML tree does not keep.
fn header_span(source: &SourceFile, header: &str) -> Option<Range<usize>> {
    let mut offset = 0;
    for line in source.text.split_inclusive('\n') {
        if line.trim_start().starts_with(header) {
            let lead = line.len() - line.trim_start().len();
            return Some(offset + lead..offset + lead + header.len());
        }
        offset += line.len();
    }
    None
}

fn table_deps(node: Option<&Node>) -> Vec<Dependency> {
    let Some(Node::Map(kv)) = node else {
        return vec![];
    };
    kv.iter()
        .map(|(k, v)| {
            let name = v
                .get("package")
                .and_then(Node::as_str)
                .unwrap_or(&k.name)
                .to_string();
            let features = match v.get("features") {
                Some(Node::Seq(f)) => f
                    .iter()
                    .filter_map(Node::as_str)
                    .map(str::to_string)
                    .collect(),
                _ => vec![],
            };
            Dependency {
                name,
                features,
                span: k.span.clone(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cargo_manifest() {
        let src = SourceFile::new(
            "svc/Cargo.toml",
            FileKind::CargoToml,
            "[package]\nname = \"svc\"\n\n[dependencies]\naxum = \"0.7\"\nweb = { package = \"actix-web\", version = \"4\" }\nhyper = { version = \"1\", features = [\"server\"] }\n".into(),
        );
        let f = StructuredFile::parse(&src).expect("valid");
        let m = Manifest::from_structured(&f);
        assert!(m.is_package);
        let names: Vec<_> = m.dependencies.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(names, ["axum", "actix-web", "hyper"]);
        assert_eq!(m.dependencies[2].features, ["server"]);
        assert_eq!(&src.text[m.anchor.clone()], "[package]");
    }

    #[test]
    fn cargo_workspace_facts() {
        let src = SourceFile::new(
            "Cargo.toml",
            FileKind::CargoToml,
            "[workspace]\nmembers = [\"crates/*\"]\nexclude = [\"tools\"]\n".into(),
        );
        let f = StructuredFile::parse(&src).expect("valid");
        let m = Manifest::from_structured(&f);
        assert!(m.is_workspace && !m.is_package);
        assert_eq!(m.workspace_members, ["crates/*"]);
        assert_eq!(m.workspace_exclude, ["tools"]);
        for (text, inherits) in [
            ("[package]\nname = \"a\"\nedition.workspace = true\n", true),
            (
                "[package]\nname = \"a\"\n[dependencies]\nserde = { workspace = true }\n",
                true,
            ),
            ("[package]\nname = \"a\"\n[lints]\nworkspace = true\n", true),
            ("[package]\nname = \"a\"\nworkspace = \"..\"\n", false),
            (
                "[package]\nname = \"a\"\n[dependencies]\nserde = \"1\"\n",
                false,
            ),
        ] {
            let src = SourceFile::new("a/Cargo.toml", FileKind::CargoToml, text.into());
            let f = StructuredFile::parse(&src).expect("valid");
            assert_eq!(
                Manifest::from_structured(&f).inherits_workspace,
                inherits,
                "{text}"
            );
        }
    }

    #[test]
    fn pyproject_tools() {
        let tool = |text: &str| {
            let src = SourceFile::new("pyproject.toml", FileKind::Pyproject, text.into());
            let f = StructuredFile::parse(&src).expect("valid");
            Manifest::from_structured(&f).py_tool
        };
        assert_eq!(tool("[tool.poetry]\nname = \"a\"\n"), Some(PyTool::Poetry));
        assert_eq!(
            tool("[tool.pdm.dev-dependencies]\nt = []\n"),
            Some(PyTool::Pdm)
        );
        assert_eq!(tool("[tool.pdm.build]\nincludes = []\n"), None);
        assert_eq!(tool("[tool.uv]\npackage = false\n"), Some(PyTool::Uv));
        assert_eq!(tool("[project]\nname = \"a\"\n"), None);
    }

    #[test]
    fn gemfile_gemspec() {
        let src = SourceFile::new(
            "Gemfile",
            FileKind::Gemfile,
            "source \"https://rubygems.org\"\ngemspec\ngem \"rake\"\n".into(),
        );
        let m = Manifest::from_lines(&src);
        assert!(m.gemspec);
        assert_eq!(m.dependencies.len(), 1);
    }

    #[test]
    fn go_mod_requires() {
        let src = SourceFile::new(
            "go.mod",
            FileKind::GoMod,
            "module x\n\nrequire (\n\tgithub.com/a/b v1.0.0\n)\nrequire c.io/d v2\nrequire(\n\te.io/f v1 // indirect\n)\n".into(),
        );
        let m = Manifest::from_lines(&src);
        assert_eq!(m.dependencies.len(), 3);
    }
}
