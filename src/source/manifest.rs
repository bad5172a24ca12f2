//! Dependency manifests: Cargo.toml, package.json, pyproject.toml, Pipfile, requirements*.txt,
//! go.mod and Gemfile, reduced to what the dependency and service rules need.
//!
//! TOML and JSON manifests reuse the [`StructuredFile`] tree the file was parsed into once; the
//! line formats (requirements, go.mod, Gemfile) are read line by line here.
//!
//! Besides the runtime dependency names ([`Manifest::dependencies`], which the service and
//! lockfile rules use), every declaration of every group is kept as a [`DependencySpec`]: the
//! version requirement as written, where the package comes from (registry, git with its
//! rev/tag/branch, a local path, a URL, the workspace) and the span to flag. Cargo `[patch.*]`
//! and `[replace]`, go.mod `replace` and `[tool.uv.sources]` are specs of group
//! [`DepGroup::Patch`]. requirements files also record their `-r`/`-c` includes.

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

/// Which table or group declared a dependency.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DepGroup {
    /// Runtime dependencies (`[dependencies]`, `dependencies`, `[packages]`, requirements lines).
    Normal,
    /// Development and test dependencies (`[dev-dependencies]`, `devDependencies`,
    /// `[dev-packages]`, Poetry groups, PEP 735 `dependency-groups`, PDM dev-dependencies).
    Dev,
    /// Cargo `[build-dependencies]`.
    Build,
    /// `optionalDependencies`, PEP 621 `optional-dependencies`.
    Optional,
    /// npm `peerDependencies`: ranges the host application chooses from, never installed here.
    Peer,
    /// Cargo `[workspace.dependencies]`.
    Workspace,
    /// An override of where a package comes from: Cargo `[patch.*]` and `[replace]`, go.mod
    /// `replace`, `[tool.uv.sources]`.
    Patch,
}

/// Where a dependency comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DepSource {
    /// A package registry (crates.io, npm, PyPI, ...), chosen by the version requirement.
    Registry,
    /// A git repository.
    Git {
        /// The repository URL as written (npm `github:u/r` and Gemfile `github:` included).
        url: String,
        /// A commit (`rev =`, a hex `#fragment`, `@<sha>`).
        rev: Option<String>,
        /// A tag (`tag =`, a version-like `#v1.2.3` or `@v1.2.3`).
        tag: Option<String>,
        /// A branch (`branch =`, or a ref that is neither a commit nor version-like).
        branch: Option<String>,
    },
    /// A local directory or archive: Cargo/Poetry/uv/Pipfile `path`, npm `file:`/`link:`/
    /// `portal:`, pip `-e ../x`, `../x` and `file://` requirements, Gemfile `path:`, go.mod
    /// `replace => ../x`. The path as written without its `file:`/`link:` scheme, and PDM's
    /// `${PROJECT_ROOT}` replaced by `.`.
    Path(String),
    /// An archive URL (`https://.../x.tar.gz`).
    Url(String),
    /// Inherited from the workspace (Cargo `workspace = true`, npm `workspace:`, uv
    /// `{ workspace = true }`).
    Workspace,
}

/// One dependency declaration, of any group, with what the dependency rules need.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DependencySpec {
    /// The package name as declared (Cargo's `package = ".."` rename applied).
    pub name: String,
    /// The table or group that declared it.
    pub group: DepGroup,
    /// The version requirement as written (`^1.2`, `>=2,<3`, `*`, `latest`, `==1.0`), trimmed;
    /// `None` when none is given.
    pub req: Option<String>,
    /// Where the package comes from.
    pub source: DepSource,
    /// Byte range of the declaration (the key, or the whole line in line formats).
    pub span: Range<usize>,
    /// Byte range of the part a finding flags: the version string, the git URL, the path.
    pub value_span: Range<usize>,
    /// requirements: the line carries `--hash=` options (hash-checking mode pins it).
    pub hashed: bool,
}

/// What a `-r`/`-c` line of a requirements file pulls in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IncludeKind {
    /// `-r file` / `--requirement file`: more requirements.
    Requirements,
    /// `-c file` / `--constraint file`: versions that constrain every requirement.
    Constraints,
}

/// A `-r`/`-c` line of a requirements file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Include {
    /// Requirements or constraints.
    pub kind: IncludeKind,
    /// The file as written (relative to the including file's directory, or a URL).
    pub path: String,
    /// Byte range of the file name.
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
    /// Every dependency declaration of every group, with its requirement and source.
    pub specs: Vec<DependencySpec>,
    /// requirements: the `-r`/`-c` includes, in file order.
    pub includes: Vec<Include>,
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
        let Some(root) = file.docs().next() else {
            return m;
        };
        match source.kind {
            FileKind::CargoToml => cargo(&root, source, &mut m),
            FileKind::PackageJson => {
                m.dependencies = table_deps(root.get("dependencies"));
                m.is_workspace = root.get("workspaces").is_some();
            }
            FileKind::Pyproject => {
                let tool = root.get("tool");
                let has = |t: &str| tool.as_ref().and_then(|n| n.get(t)).is_some();
                // `[tool.pdm.build]` and `[tool.pdm.version]` configure the pdm-backend build
                // backend only; any other `[tool.pdm]` key means PDM manages the project.
                let pdm_manages = match tool.as_ref().and_then(|n| n.get("pdm")) {
                    Some(Node::Map(kv)) => kv
                        .iter()
                        .any(|(k, _)| !matches!(k.name, "build" | "version")),
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
                    tool.as_ref()
                        .and_then(|t| t.get("poetry"))
                        .and_then(|p| p.get("dependencies")),
                );
                if let Some(Node::Seq(items)) =
                    root.get("project").and_then(|p| p.get("dependencies"))
                {
                    m.dependencies.extend(items.iter().filter_map(|n| match n {
                        Node::Scalar(s, span) => Some(Dependency {
                            name: s.to_string(),
                            features: vec![],
                            span,
                        }),
                        _ => None,
                    }));
                }
            }
            FileKind::Pipfile => m.dependencies = table_deps(root.get("packages")),
            _ => {}
        }
        m.specs = match source.kind {
            FileKind::CargoToml => cargo_specs(&root),
            FileKind::PackageJson => npm_specs(&root),
            FileKind::Pyproject => pyproject_specs(&root),
            FileKind::Pipfile => pipfile_specs(&root),
            _ => vec![],
        };
        m
    }

    /// Builds the manifest model of a line-based manifest (requirements, go.mod, Gemfile, Pipfile).
    pub fn from_lines(source: &SourceFile) -> Self {
        let mut m = Manifest::new(source);
        match source.kind {
            FileKind::Requirements => requirements_specs(source, &mut m),
            FileKind::GoMod => m.specs = go_specs(source),
            FileKind::Gemfile => m.specs = gem_specs(source),
            _ => {}
        }
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
        m.name = pkg.get("name").and_then(|n| n.as_str()).map(str::to_string);
        m.workspace_path = pkg
            .get("workspace")
            .and_then(|n| n.as_str())
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
fn inherits(node: Node<'_>) -> bool {
    let is_true = |n: Option<Node<'_>>| n.and_then(|n| n.as_str()) == Some("true");
    match &node {
        Node::Map(kv) => {
            is_true(node.get("workspace")) || kv.iter().any(|(_, v)| is_true(v.get("workspace")))
        }
        _ => false,
    }
}

/// The strings of a TOML array.
fn strings(node: Option<Node<'_>>) -> Vec<String> {
    match node {
        Some(Node::Seq(items)) => items
            .iter()
            .filter_map(|n| n.as_str())
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

fn table_deps(node: Option<Node<'_>>) -> Vec<Dependency> {
    let Some(Node::Map(kv)) = node else {
        return vec![];
    };
    kv.iter()
        .map(|(k, v)| {
            let name = v
                .get("package")
                .and_then(|n| n.as_str())
                .unwrap_or(k.name)
                .to_string();
            let features = match v.get("features") {
                Some(Node::Seq(f)) => f
                    .iter()
                    .filter_map(|n| n.as_str())
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

// ---------------------------------------------------------------------------------------------
// Dependency specs: requirement, source and span of every declaration.

/// A spec with a registry source.
fn registry(
    name: &str,
    group: DepGroup,
    req: Option<String>,
    span: Range<usize>,
) -> DependencySpec {
    DependencySpec {
        name: name.to_string(),
        group,
        req,
        source: DepSource::Registry,
        value_span: span.clone(),
        span,
        hashed: false,
    }
}

/// Sorts a git ref into commit, tag or branch by its shape: 7 to 40 hex digits are a commit, a
/// version (`v1.2.3`, `1.2`, `release-1.0`, `semver:1.2.3`) a tag, anything else a branch.
pub fn classify_ref(r: &str) -> (Option<String>, Option<String>, Option<String>) {
    let r = r.trim();
    if r.is_empty() {
        return (None, None, None);
    }
    if (7..=40).contains(&r.len()) && r.chars().all(|c| c.is_ascii_hexdigit()) {
        return (Some(r.to_string()), None, None);
    }
    if is_version_tag(r) {
        return (None, Some(r.to_string()), None);
    }
    (None, None, Some(r.to_string()))
}

/// Whether a ref looks like a release tag: digits after an optional `v`/`release-`-like prefix,
/// or an exact `semver:` version.
fn is_version_tag(r: &str) -> bool {
    if let Some(v) = r.strip_prefix("semver:") {
        let v = v.trim_start_matches(['v', '=']);
        return v.chars().next().is_some_and(|c| c.is_ascii_digit())
            && v.chars()
                .all(|c| c.is_ascii_alphanumeric() || ".-+".contains(c));
    }
    let r = r.rsplit('/').next().unwrap_or(r);
    let digits = r.trim_start_matches(|c: char| c.is_ascii_alphabetic() || c == '-' || c == '_');
    let prefix = &r[..r.len() - digits.len()];
    let numeric = digits.chars().next().is_some_and(|c| c.is_ascii_digit());
    numeric
        && (prefix.is_empty()
            || prefix.eq_ignore_ascii_case("v")
            || (prefix.len() <= 12 && digits.contains('.')))
}

/// A git source from a URL and its three possible ref keys.
fn git(url: &str, rev: Option<&str>, tag: Option<&str>, branch: Option<&str>) -> DepSource {
    DepSource::Git {
        url: url.to_string(),
        rev: rev.map(str::to_string),
        tag: tag.map(str::to_string),
        branch: branch.map(str::to_string),
    }
}

/// A local path as written, without a `file:`/`link:`/`portal:` scheme; PDM's
/// `${PROJECT_ROOT}` stands for the manifest's directory.
pub fn local_path(p: &str) -> String {
    let p = p.trim();
    let p = p
        .strip_prefix("file://")
        .or_else(|| p.strip_prefix("file:"))
        .or_else(|| p.strip_prefix("link:"))
        .or_else(|| p.strip_prefix("portal:"))
        .unwrap_or(p);
    let p = p
        .replace("/${PROJECT_ROOT}", ".")
        .replace("${PROJECT_ROOT}", ".");
    // `file://localhost/abs` is `/abs`.
    p.strip_prefix("localhost/")
        .map_or(p.clone(), |rest| format!("/{rest}"))
}

fn cargo_specs(root: &Node) -> Vec<DependencySpec> {
    let mut out = Vec::new();
    let tables: [(&str, DepGroup); 5] = [
        ("dependencies", DepGroup::Normal),
        ("dev-dependencies", DepGroup::Dev),
        ("dev_dependencies", DepGroup::Dev),
        ("build-dependencies", DepGroup::Build),
        ("build_dependencies", DepGroup::Build),
    ];
    let mut scopes = vec![root.clone()];
    if let Some(Node::Map(targets)) = root.get("target") {
        scopes.extend(targets.iter().map(|(_, t)| t));
    }
    for scope in scopes {
        for (table, group) in tables {
            cargo_table(scope.get(table), group, &mut out);
        }
    }
    cargo_table(
        root.get("workspace").and_then(|w| w.get("dependencies")),
        DepGroup::Workspace,
        &mut out,
    );
    if let Some(Node::Map(registries)) = root.get("patch") {
        for (_, deps) in registries {
            cargo_table(Some(deps), DepGroup::Patch, &mut out);
        }
    }
    cargo_table(root.get("replace"), DepGroup::Patch, &mut out);
    out
}

fn cargo_table(node: Option<Node<'_>>, group: DepGroup, out: &mut Vec<DependencySpec>) {
    let Some(Node::Map(kv)) = node else {
        return;
    };
    for (k, v) in kv {
        let name = v.get("package").and_then(|n| n.as_str()).unwrap_or(k.name);
        // `[replace]` keys are `name:version`.
        let name = name.split(':').next().unwrap_or(name);
        let mut spec = registry(name, group, None, k.span.clone());
        match v {
            Node::Scalar(req, span) => {
                spec.req = Some(req.trim().to_string());
                spec.value_span = span.clone();
            }
            Node::Map(_) => {
                let s = |key: &str| v.get(key).and_then(|n| n.as_str());
                let span_of = |key: &str| v.get(key).and_then(|n| n.span());
                spec.req = s("version").map(|r| r.trim().to_string());
                if let Some(sp) = span_of("version") {
                    spec.value_span = sp;
                }
                if let Some(p) = s("path") {
                    spec.source = DepSource::Path(p.to_string());
                    spec.value_span = span_of("path").unwrap_or(spec.value_span);
                } else if let Some(url) = s("git") {
                    spec.source = git(url, s("rev"), s("tag"), s("branch"));
                    spec.value_span = span_of("git").unwrap_or(spec.value_span);
                } else if s("workspace") == Some("true") {
                    spec.source = DepSource::Workspace;
                }
            }
            _ => {}
        }
        out.push(spec);
    }
}

fn npm_specs(root: &Node) -> Vec<DependencySpec> {
    let mut out = Vec::new();
    for (table, group) in [
        ("dependencies", DepGroup::Normal),
        ("devDependencies", DepGroup::Dev),
        ("optionalDependencies", DepGroup::Optional),
        ("peerDependencies", DepGroup::Peer),
    ] {
        let Some(Node::Map(kv)) = root.get(table) else {
            continue;
        };
        for (k, v) in kv {
            let Node::Scalar(value, span) = v else {
                continue;
            };
            let (req, source) = npm_value(value);
            out.push(DependencySpec {
                name: k.name.to_string(),
                group,
                req,
                source,
                span: k.span.clone(),
                value_span: span.clone(),
                hashed: false,
            });
        }
    }
    out
}

/// The requirement and source of a package.json dependency value.
pub fn npm_value(value: &str) -> (Option<String>, DepSource) {
    let v = value.trim();
    let lower = v.to_ascii_lowercase();
    if let Some(rest) = ["file:", "link:", "portal:"]
        .iter()
        .find_map(|p| lower.starts_with(p).then(|| &v[p.len()..]))
    {
        return (None, DepSource::Path(local_path(rest)));
    }
    if lower.starts_with("workspace:") {
        return (None, DepSource::Workspace);
    }
    if let Some(alias) = v.strip_prefix("npm:") {
        // `npm:name@range`; the name may be scoped (`npm:@scope/name@^1`).
        let req = alias
            .get(1..)
            .and_then(|a| a.split_once('@'))
            .map_or(String::new(), |(_, r)| r.to_string());
        return (Some(req), DepSource::Registry);
    }
    let is_git = [
        "git+",
        "git://",
        "git@",
        "github:",
        "gitlab:",
        "bitbucket:",
        "gist:",
    ]
    .iter()
    .any(|p| lower.starts_with(p))
        || (lower.starts_with("http://") || lower.starts_with("https://"))
            && lower.split('#').next().is_some_and(|u| u.ends_with(".git"))
        || is_github_shorthand(v);
    if is_git {
        let (url, frag) = v.split_once('#').unwrap_or((v, ""));
        let (rev, tag, branch) = classify_ref(frag);
        return (
            None,
            DepSource::Git {
                url: url.to_string(),
                rev,
                tag,
                branch,
            },
        );
    }
    if lower.starts_with("http://") || lower.starts_with("https://") {
        return (None, DepSource::Url(v.to_string()));
    }
    if v.starts_with("./") || v.starts_with("../") || v.starts_with('/') || v.starts_with("~/") {
        return (None, DepSource::Path(v.to_string()));
    }
    (Some(v.to_string()), DepSource::Registry)
}

/// `user/repo` or `user/repo#ref`: npm's GitHub shorthand.
fn is_github_shorthand(v: &str) -> bool {
    let base = v.split('#').next().unwrap_or(v);
    let Some((user, repo)) = base.split_once('/') else {
        return false;
    };
    let ok = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
    };
    !user.starts_with('.') && !user.starts_with('@') && ok(user) && ok(repo)
}

fn pyproject_specs(root: &Node) -> Vec<DependencySpec> {
    let mut out = Vec::new();
    let project = root.get("project");
    pep508_seq(
        project.as_ref().and_then(|p| p.get("dependencies")),
        DepGroup::Normal,
        &mut out,
    );
    for (table, group) in [
        (
            project
                .as_ref()
                .and_then(|p| p.get("optional-dependencies")),
            DepGroup::Optional,
        ),
        (root.get("dependency-groups"), DepGroup::Dev),
        (
            root.get("tool")
                .and_then(|t| t.get("pdm"))
                .and_then(|p| p.get("dev-dependencies")),
            DepGroup::Dev,
        ),
    ] {
        if let Some(Node::Map(groups)) = table {
            for (_, items) in groups {
                pep508_seq(Some(items), group, &mut out);
            }
        }
    }
    let tool = root.get("tool");
    let poetry = tool.as_ref().and_then(|t| t.get("poetry"));
    poetry_table(
        poetry.as_ref().and_then(|p| p.get("dependencies")),
        DepGroup::Normal,
        &mut out,
    );
    poetry_table(
        poetry.as_ref().and_then(|p| p.get("dev-dependencies")),
        DepGroup::Dev,
        &mut out,
    );
    if let Some(Node::Map(groups)) = poetry.as_ref().and_then(|p| p.get("group")) {
        for (_, g) in groups {
            poetry_table(g.get("dependencies"), DepGroup::Dev, &mut out);
        }
    }
    poetry_table(
        tool.as_ref()
            .and_then(|t| t.get("uv"))
            .and_then(|u| u.get("sources")),
        DepGroup::Patch,
        &mut out,
    );
    out
}

/// A list of PEP 508 strings (`"requests>=2"`, `"x @ git+https://..."`, PDM's `"-e file:///..."`).
fn pep508_seq(node: Option<Node<'_>>, group: DepGroup, out: &mut Vec<DependencySpec>) {
    let Some(Node::Seq(items)) = node else {
        return;
    };
    for item in items {
        let Node::Scalar(text, span) = item else {
            continue;
        };
        if let Some(mut spec) = requirement(text, 0, group) {
            spec.span = span.clone();
            spec.value_span = span.clone();
            out.push(spec);
        }
    }
}

/// Poetry, uv-sources and Pipfile tables: `name = "^1"` or `name = { version, git, rev, tag,
/// branch, ref, path, url, file }`.
fn poetry_table(node: Option<Node<'_>>, group: DepGroup, out: &mut Vec<DependencySpec>) {
    let Some(Node::Map(kv)) = node else {
        return;
    };
    for (k, v) in kv {
        if k.name == "python" && group != DepGroup::Patch {
            continue;
        }
        let mut spec = registry(k.name, group, None, k.span.clone());
        // Poetry allows a list of constraint tables (one per Python version): use the first.
        let v = match v {
            Node::Seq(items) => items.first().unwrap_or(v),
            _ => v,
        };
        match v {
            Node::Scalar(req, span) => {
                spec.req = Some(req.trim().to_string());
                spec.value_span = span.clone();
            }
            Node::Map(_) => {
                let s = |key: &str| v.get(key).and_then(|n| n.as_str());
                let span_of = |key: &str| v.get(key).and_then(|n| n.span());
                spec.req = s("version").map(|r| r.trim().to_string());
                if let Some(sp) = span_of("version") {
                    spec.value_span = sp;
                }
                if let Some(url) = s("git") {
                    let (r_rev, r_tag, r_branch) = s("ref").map(classify_ref).unwrap_or_default();
                    let rev = s("rev").map(str::to_string).or(r_rev);
                    let tag = s("tag").map(str::to_string).or(r_tag);
                    let branch = s("branch").map(str::to_string).or(r_branch);
                    spec.source = DepSource::Git {
                        url: url.to_string(),
                        rev,
                        tag,
                        branch,
                    };
                    spec.value_span = span_of("git").unwrap_or(spec.value_span);
                } else if let Some((key, p)) = ["path", "file"]
                    .iter()
                    .find_map(|key| s(key).map(|p| (*key, p)))
                {
                    if p.contains("://") && !p.starts_with("file:") {
                        spec.source = DepSource::Url(p.to_string());
                    } else {
                        spec.source = DepSource::Path(local_path(p));
                    }
                    spec.value_span = span_of(key).unwrap_or(spec.value_span);
                } else if let Some(u) = s("url") {
                    spec.source = DepSource::Url(u.to_string());
                    spec.value_span = span_of("url").unwrap_or(spec.value_span);
                } else if s("workspace") == Some("true") {
                    spec.source = DepSource::Workspace;
                }
            }
            _ => {}
        }
        out.push(spec);
    }
}

fn pipfile_specs(root: &Node) -> Vec<DependencySpec> {
    let mut out = Vec::new();
    poetry_table(root.get("packages"), DepGroup::Normal, &mut out);
    poetry_table(root.get("dev-packages"), DepGroup::Dev, &mut out);
    out
}

/// Parses one requirement (a requirements line without its comment, or a PEP 508 string) that
/// starts at byte `base` of its file. `-e`/`--editable` lines are included; other options are
/// not requirements.
fn requirement(text: &str, base: usize, group: DepGroup) -> Option<DependencySpec> {
    let lead = text.len() - text.trim_start().len();
    let t = text.trim();
    let mut start = base + lead;
    let mut body = t;
    for opt in ["--editable=", "--editable ", "-e "] {
        if let Some(rest) = t.strip_prefix(opt) {
            let skip = rest.len() - rest.trim_start().len();
            start += opt.len() + skip;
            body = rest.trim_start();
            break;
        }
    }
    if body.starts_with('-') || body.is_empty() {
        return None;
    }
    // Per-requirement options (`--hash=...`, `--config-settings`) follow the requirement.
    let hashed = body.contains("--hash");
    let body = match body.find(" --").or_else(|| body.find("\t--")) {
        Some(i) => body[..i].trim_end(),
        None => body,
    };
    let full = start..start + body.len();
    // `name @ url` and bare URLs or paths.
    let (named, target) = match body.split_once(" @ ").or_else(|| {
        body.split_once('@')
            .filter(|(n, u)| !n.contains("://") && !n.contains('/') && u.contains("://"))
    }) {
        Some((n, u)) => (Some(n.trim()), u.trim()),
        None => (None, body),
    };
    let lower = target.to_ascii_lowercase();
    let is_url = target.contains("://") || lower.starts_with("file:");
    let looks_path = target.starts_with('.')
        || target.starts_with('/')
        || target.starts_with('~')
        || (named.is_none()
            && target.contains('/')
            && !target.contains("://")
            && !target.contains(['=', '<', '>', '~', '!']));
    if named.is_some() || is_url || looks_path {
        // Drop an environment marker: for URLs it must follow whitespace.
        let target = target.split(" ;").next().unwrap_or(target);
        let target = target.split("; ").next().unwrap_or(target).trim();
        let t_start = base
            + (target.as_ptr() as usize)
                .saturating_sub(text.as_ptr() as usize)
                .min(text.len());
        let value_span = t_start..t_start + target.len();
        let (url_part, frag) = target.split_once('#').unwrap_or((target, ""));
        let egg = frag
            .split('&')
            .find_map(|kv| kv.strip_prefix("egg="))
            .map(str::to_string);
        let scheme = lower.split("://").next().unwrap_or("");
        let source = if ["git+", "hg+", "svn+", "bzr+"]
            .iter()
            .any(|p| lower.starts_with(p))
            || lower.starts_with("git://")
        {
            let (url, r) = split_vcs_ref(url_part);
            let (rev, tag, branch) = r.map(classify_ref).unwrap_or_default();
            DepSource::Git {
                url: url.to_string(),
                rev,
                tag,
                branch,
            }
        } else if lower.starts_with("file:") || (!is_url && looks_path) || scheme.is_empty() {
            DepSource::Path(local_path(url_part))
        } else {
            DepSource::Url(url_part.to_string())
        };
        let name = named
            .map(|n| n.split('[').next().unwrap_or(n).trim().to_string())
            .or(egg)
            .unwrap_or_else(|| {
                url_part
                    .trim_end_matches('/')
                    .rsplit(['/', ':'])
                    .next()
                    .unwrap_or(url_part)
                    .trim_end_matches(".git")
                    .to_string()
            });
        return Some(DependencySpec {
            name,
            group,
            req: None,
            source,
            span: full,
            value_span,
            hashed,
        });
    }
    // `name[extra] (>=1, <2) ; marker`
    let spec = body.split(';').next().unwrap_or(body).trim();
    let name_end = spec
        .find(|c: char| !(c.is_ascii_alphanumeric() || "-_.".contains(c)))
        .unwrap_or(spec.len());
    let name = &spec[..name_end];
    if name.is_empty() {
        return None;
    }
    let mut rest = spec[name_end..].trim_start();
    if rest.starts_with('[') {
        rest = rest.split_once(']').map_or("", |(_, r)| r).trim_start();
    }
    let req = rest
        .trim_start_matches('(')
        .trim_end_matches(')')
        .trim()
        .to_string();
    Some(DependencySpec {
        name: name.to_string(),
        group,
        req: Some(req),
        source: DepSource::Registry,
        span: full.clone(),
        value_span: full,
        hashed,
    })
}

/// Splits `git+https://host/repo.git@ref` into the URL and the ref; an `@` in the user part
/// (`git+ssh://git@host/...`) is not a ref.
fn split_vcs_ref(url: &str) -> (&str, Option<&str>) {
    let path_start = match url.find("://") {
        Some(i) => url[i + 3..].find('/').map_or(url.len(), |j| i + 3 + j),
        None => url.find(':').map_or(0, |i| i + 1),
    };
    match url[path_start..].rfind('@') {
        Some(j) => (&url[..path_start + j], Some(&url[path_start + j + 1..])),
        None => (url, None),
    }
}

/// The logical lines of a requirements file: `\\`-continued lines joined, comments dropped.
/// Each is (text, byte offset of its first character). Joined lines keep the first line's
/// offset; their text is only used for options and hashes.
fn logical_lines(text: &str) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    let mut offset = 0;
    let mut current: Option<(String, usize)> = None;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let body = line.trim_end_matches(['\n', '\r']);
        // A comment starts at `#` at the line start or after whitespace.
        let code = match body
            .char_indices()
            .find(|&(i, c)| c == '#' && (i == 0 || body[..i].ends_with([' ', '\t'])))
        {
            Some((i, _)) => &body[..i],
            None => body,
        };
        let (code, continued) = match code.trim_end().strip_suffix('\\') {
            Some(c) => (c, true),
            None => (code, false),
        };
        match current.as_mut() {
            Some((acc, _)) => {
                acc.push(' ');
                acc.push_str(code.trim());
            }
            None => current = Some((code.to_string(), start)),
        }
        if !continued {
            if let Some(c) = current.take() {
                out.push(c);
            }
        }
    }
    out.extend(current);
    out
}

fn requirements_specs(source: &SourceFile, m: &mut Manifest) {
    for (line, start) in logical_lines(&source.text) {
        let t = line.trim();
        let lead = line.len() - line.trim_start().len();
        let include = [
            ("--requirement", IncludeKind::Requirements),
            ("-r", IncludeKind::Requirements),
            ("--constraint", IncludeKind::Constraints),
            ("-c", IncludeKind::Constraints),
        ]
        .iter()
        .find_map(|(opt, kind)| {
            let rest = t.strip_prefix(opt)?;
            let rest2 = rest.strip_prefix('=').unwrap_or(rest);
            (rest2.len() < rest.len() || rest.starts_with([' ', '\t'])).then_some((rest2, *kind))
        });
        if let Some((rest, kind)) = include {
            let path = rest.trim();
            let path = path.split_whitespace().next().unwrap_or(path);
            let at = t.find(path).unwrap_or(0);
            let s = start + lead + at;
            m.includes.push(Include {
                kind,
                path: path.to_string(),
                span: s..s + path.len(),
            });
            continue;
        }
        if let Some(spec) = requirement(&line, start, DepGroup::Normal) {
            // A continued line's span ends on its first physical line.
            let first_end = source.text[start..]
                .find('\n')
                .map_or(source.text.len(), |i| start + i);
            let mut spec = spec;
            spec.span.end = spec.span.end.min(first_end).max(spec.span.start);
            spec.value_span.end = spec
                .value_span
                .end
                .min(first_end)
                .max(spec.value_span.start);
            m.specs.push(spec);
        }
    }
}

fn go_specs(source: &SourceFile) -> Vec<DependencySpec> {
    let mut out = Vec::new();
    let mut offset = 0;
    let mut block: Option<&str> = None;
    for line in source.text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let code = line.split("//").next().unwrap_or(line);
        let t = code.trim();
        let lead = line.len() - line.trim_start().len();
        if t == ")" {
            block = None;
            continue;
        }
        let mut entry = None;
        for kw in ["require", "replace"] {
            if let Some(rest) = t.strip_prefix(kw) {
                let rest = rest.trim_start();
                if rest.starts_with('(') {
                    block = Some(kw);
                } else if rest.len() < t.len() - kw.len() || rest.is_empty() {
                    entry = Some((kw, rest));
                }
            }
        }
        let (kw, body) = match (entry, block) {
            (Some(e), _) => e,
            (None, Some(kw)) if !t.is_empty() && !t.ends_with('(') => (kw, t),
            _ => continue,
        };
        let body_at = start + lead + t.len() - body.len();
        let line_span = start + lead..start + lead + t.len();
        if kw == "require" {
            let mut words = body.split_whitespace();
            let (Some(name), version) = (words.next(), words.next()) else {
                continue;
            };
            let mut spec = registry(
                name,
                DepGroup::Normal,
                version.map(str::to_string),
                line_span,
            );
            if let Some(v) = version {
                let at = body_at + body.find(v).unwrap_or(0);
                spec.value_span = at..at + v.len();
            }
            out.push(spec);
        } else if let Some((old, new)) = body.split_once("=>") {
            let name = old.split_whitespace().next().unwrap_or("");
            let target = new.split_whitespace().next().unwrap_or("");
            if name.is_empty() || target.is_empty() {
                continue;
            }
            let local = target.starts_with("./")
                || target.starts_with("../")
                || target.starts_with(".\\")
                || target.starts_with("..\\")
                || target.starts_with('/')
                || target == "."
                || target == "..";
            let at = body_at + body.find("=>").unwrap_or(0) + 2;
            let at = at + source.text[at..].find(target).unwrap_or(0);
            let mut spec = registry(
                name,
                DepGroup::Patch,
                new.split_whitespace().nth(1).map(str::to_string),
                line_span,
            );
            spec.value_span = at..at + target.len();
            if local {
                spec.source = DepSource::Path(target.to_string());
            }
            out.push(spec);
        }
    }
    out
}

fn gem_specs(source: &SourceFile) -> Vec<DependencySpec> {
    let mut out = Vec::new();
    let mut offset = 0;
    for line in source.text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let code = line.split(" #").next().unwrap_or(line);
        let t = code.trim();
        let lead = line.len() - line.trim_start().len();
        let Some(rest) = t.strip_prefix("gem ").or_else(|| t.strip_prefix("gem(")) else {
            continue;
        };
        let Some(name) = rest.trim().split(['\'', '"']).nth(1) else {
            continue;
        };
        let line_span = start + lead..start + lead + t.len();
        let mut spec = registry(name, DepGroup::Normal, None, line_span);
        let opt = |key: &str| -> Option<(String, Range<usize>)> {
            for pat in [format!("{key}:"), format!(":{key} =>"), format!(":{key}=>")] {
                if let Some(i) = t.find(&pat) {
                    let after = &t[i + pat.len()..];
                    let q = after.find(['\'', '"'])?;
                    let quote = after[q..].chars().next()?;
                    let val = &after[q + 1..];
                    let end = val.find(quote)?;
                    let s = start + lead + i + pat.len() + q;
                    return Some((val[..end].to_string(), s..s + end + 2));
                }
            }
            None
        };
        if let Some((p, span)) = opt("path") {
            spec.source = DepSource::Path(p);
            spec.value_span = span;
        } else if let Some((url, span)) = opt("git")
            .or_else(|| opt("github").map(|(r, s)| (format!("https://github.com/{r}"), s)))
        {
            let r = |k: &str| opt(k).map(|(v, _)| v);
            let (ref_rev, ref_tag, ref_branch) =
                r("ref").map(|v| classify_ref(&v)).unwrap_or_default();
            spec.source = DepSource::Git {
                url,
                rev: ref_rev,
                tag: r("tag").or(ref_tag),
                branch: r("branch").or(ref_branch),
            };
            spec.value_span = span;
        } else {
            // The first version string after the name, when any.
            let after_name = rest.trim().splitn(3, ['\'', '"']).nth(2).unwrap_or("");
            if let Some(v) = after_name
                .split(['\'', '"'])
                .nth(1)
                .filter(|v| v.chars().any(|c| c.is_ascii_digit()))
            {
                spec.req = Some(v.to_string());
            }
        }
        out.push(spec);
    }
    out
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

    fn structured(path: &str, text: &str) -> Manifest {
        let src = SourceFile::new(path, FileKind::classify(path), text.into());
        let f = StructuredFile::parse(&src).expect("valid");
        Manifest::from_structured(&f)
    }

    fn lines(path: &str, text: &str) -> Manifest {
        let src = SourceFile::new(path, FileKind::classify(path), text.into());
        Manifest::from_lines(&src)
    }

    #[test]
    fn cargo_specs_sources() {
        let text = "[package]\nname = \"a\"\n[dependencies]\nany = \"*\"\nlocal = { path = \"../x\", version = \"1\" }\ng = { git = \"https://e/g\", branch = \"main\" }\nw = { workspace = true }\n[dev-dependencies.t]\ngit = \"https://e/t\"\ntag = \"v1\"\n[patch.crates-io]\np = { path = \"../../p\" }\n[replace]\n\"r:1.0.0\" = { path = \"vendor/r\" }\n";
        let m = structured("Cargo.toml", text);
        let by = |n: &str| m.specs.iter().find(|s| s.name == n).expect(n);
        assert_eq!(by("any").req.as_deref(), Some("*"));
        assert_eq!(&text[by("any").value_span.clone()], "\"*\"");
        assert_eq!(by("local").source, DepSource::Path("../x".into()));
        assert_eq!(&text[by("local").value_span.clone()], "\"../x\"");
        assert!(
            matches!(&by("g").source, DepSource::Git { branch: Some(b), rev: None, tag: None, .. } if b == "main")
        );
        assert_eq!(by("w").source, DepSource::Workspace);
        assert_eq!(by("t").group, DepGroup::Dev);
        assert!(matches!(
            &by("t").source,
            DepSource::Git { tag: Some(_), .. }
        ));
        assert_eq!(by("p").group, DepGroup::Patch);
        assert_eq!(by("r").source, DepSource::Path("vendor/r".into()));
        // The runtime names are unchanged.
        assert_eq!(m.dependencies.len(), 4);
    }

    #[test]
    fn npm_values() {
        assert_eq!(npm_value("^1.2").0.as_deref(), Some("^1.2"));
        assert_eq!(npm_value("file:../lib").1, DepSource::Path("../lib".into()));
        assert_eq!(npm_value("link:../lib").1, DepSource::Path("../lib".into()));
        assert_eq!(npm_value("workspace:*").1, DepSource::Workspace);
        assert_eq!(npm_value("npm:@s/x@^2").0.as_deref(), Some("^2"));
        let git = |v: &str| match npm_value(v).1 {
            DepSource::Git {
                rev, tag, branch, ..
            } => (rev.is_some(), tag.is_some(), branch.is_some()),
            other => panic!("{v}: {other:?}"),
        };
        assert_eq!(git("github:u/r"), (false, false, false));
        assert_eq!(git("u/r#main"), (false, false, true));
        assert_eq!(git("git+https://e/u/r.git#4f1c2ab"), (true, false, false));
        assert_eq!(
            git("https://github.com/u/r.git#v1.2.0"),
            (false, true, false)
        );
        assert_eq!(
            git("git+ssh://git@github.com:u/r.git#semver:^1"),
            (false, false, true)
        );
        assert!(matches!(npm_value("https://e/x.tgz").1, DepSource::Url(_)));
    }

    #[test]
    fn requirements_lines() {
        let text = "-r base.txt\n--constraint=constraints.txt\nflask==2.0  # web\nrequests>=2 ; python_version > \"3\"\n-e ../shared\n-e git+https://e/u/r.git@main#egg=r\nx @ git+ssh://git@e/u/x.git@4f1c2ab9\nnumpy \\\n    --hash=sha256:abc\n./local/pkg\nfile:///opt/w.whl\n--index-url https://pypi.example\n";
        let m = lines("requirements.txt", text);
        assert_eq!(m.includes.len(), 2);
        assert_eq!(m.includes[1].kind, IncludeKind::Constraints);
        assert_eq!(&text[m.includes[1].span.clone()], "constraints.txt");
        let by = |n: &str| m.specs.iter().find(|s| s.name == n).expect(n);
        assert_eq!(by("flask").req.as_deref(), Some("==2.0"));
        assert_eq!(&text[by("flask").span.clone()], "flask==2.0");
        assert_eq!(by("requests").req.as_deref(), Some(">=2"));
        assert_eq!(by("shared").source, DepSource::Path("../shared".into()));
        assert_eq!(&text[by("shared").value_span.clone()], "../shared");
        assert!(matches!(
            &by("r").source,
            DepSource::Git {
                branch: Some(_),
                ..
            }
        ));
        assert!(matches!(
            &by("x").source,
            DepSource::Git { rev: Some(_), .. }
        ));
        assert!(by("numpy").hashed);
        assert_eq!(&text[by("numpy").span.clone()], "numpy");
        assert_eq!(by("pkg").source, DepSource::Path("./local/pkg".into()));
        assert_eq!(by("w.whl").source, DepSource::Path("/opt/w.whl".into()));
        assert_eq!(m.specs.len(), 8);
    }

    #[test]
    fn python_tables() {
        let m = structured(
            "pyproject.toml",
            "[project]\ndependencies = [\"a>=1\", \"b @ git+https://e/b@v1.0\"]\n[tool.poetry.dependencies]\npython = \"^3.11\"\nc = \"*\"\nd = { path = \"../d\", develop = true }\n[tool.uv.sources]\ne = { git = \"https://e/e\", branch = \"dev\" }\n[tool.pdm.dev-dependencies]\nt = [\"-e file:///${PROJECT_ROOT}/../t#egg=t\"]\n",
        );
        let by = |n: &str| m.specs.iter().find(|s| s.name == n).expect(n);
        assert_eq!(by("a").req.as_deref(), Some(">=1"));
        assert!(matches!(
            &by("b").source,
            DepSource::Git { tag: Some(_), .. }
        ));
        assert_eq!(by("c").req.as_deref(), Some("*"));
        assert_eq!(by("d").source, DepSource::Path("../d".into()));
        assert_eq!(by("e").group, DepGroup::Patch);
        assert_eq!(by("t").source, DepSource::Path("./../t".into()));
        assert!(!m.specs.iter().any(|s| s.name == "python"));
        let p = structured(
            "Pipfile",
            "[packages]\nflask = \"*\"\nlib = { path = \"../lib\", editable = true }\ng = { git = \"https://e/g.git\", ref = \"0a1b2c3d\" }\n",
        );
        assert_eq!(p.specs.len(), 3);
        assert!(matches!(
            &p.specs[2].source,
            DepSource::Git { rev: Some(_), .. }
        ));
    }

    #[test]
    fn go_and_gem_specs() {
        let text = "module m\nrequire a.io/b v1.0.0\nreplace a.io/b => ../b\nreplace (\n\tc.io/d v1 => ./d\n\te.io/f => e.io/g v2\n)\n";
        let m = lines("go.mod", text);
        let local: Vec<_> = m
            .specs
            .iter()
            .filter(|s| matches!(s.source, DepSource::Path(_)))
            .collect();
        assert_eq!(local.len(), 2);
        assert_eq!(&text[local[0].value_span.clone()], "../b");
        let text = "gem 'rails', github: 'rails/rails', branch: 'main'\ngem \"x\", path: \"../x\"\ngem 'y', '~> 1.0'\ngem 'z', git: 'https://e/z.git', ref: 'abcdef1'\n";
        let g = lines("Gemfile", text);
        assert!(matches!(
            &g.specs[0].source,
            DepSource::Git {
                branch: Some(_),
                ..
            }
        ));
        assert_eq!(g.specs[1].source, DepSource::Path("../x".into()));
        assert_eq!(&text[g.specs[1].value_span.clone()], "\"../x\"");
        assert_eq!(g.specs[2].req.as_deref(), Some("~> 1.0"));
        assert!(matches!(
            &g.specs[3].source,
            DepSource::Git { rev: Some(_), .. }
        ));
    }

    #[test]
    fn refs() {
        assert!(classify_ref("4f1c2ab").0.is_some());
        assert!(classify_ref("v1.2.3").1.is_some());
        assert!(classify_ref("1.0").1.is_some());
        assert!(classify_ref("release-1.4").1.is_some());
        assert!(classify_ref("main").2.is_some());
        assert!(classify_ref("feature/x").2.is_some());
        assert!(classify_ref("semver:1.2.3").1.is_some());
    }
}
