//! Reading settings out of parsed files: one function per kind of file, all returning
//! [`FileSettings`]. No I/O: the engine hands over what it parsed.

use std::sync::OnceLock;

use super::{
    Evidence, FileSettings, Origin, Setting, Ships, CREDENTIAL_URL, DATA_PATH, LOCATOR, SECRET,
};
use crate::rules::common::{find_urls, secret_name, words};
use crate::rules::f04_backing_services::locator::backing_locator;
use crate::source::compose::ComposeFile;
use crate::source::dockerfile::DockerFile;
use crate::source::dotenv::DotenvFile;
use crate::source::rust::RustFile;
use crate::source::structured::{Node, StructuredFile};

/// What a structured file is, as far as its settings go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StructuredKind {
    /// An application's configuration file.
    Config,
    /// Helm chart values.
    Helm,
    /// A platform spec (`fly.toml`, `app.json`, `render.yaml`, `.do/app.yaml`).
    Platform,
    /// Not configuration: manifests, lockfiles, translations, generated data, CI workflows
    /// (read for nothing here).
    Skip,
}

/// Decides from the path what a structured file's keys are.
pub fn structured_kind(path: &str) -> StructuredKind {
    use crate::rules::common::{is_doc_path, is_generated, is_translation_path};
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    let manifest = matches!(
        name.as_str(),
        "cargo.toml"
            | "cargo.lock"
            | "package.json"
            | "package-lock.json"
            | "pyproject.toml"
            | "pipfile"
            | "pipfile.lock"
            | "composer.json"
            | "composer.lock"
            | "tsconfig.json"
            | "deno.json"
            | "renovate.json"
            | ".eslintrc.json"
            | "rust-toolchain.toml"
            | "rustfmt.toml"
            | "clippy.toml"
            | "deny.toml"
            | "dist-workspace.toml"
            | "release-plz.toml"
            | "typos.toml"
            | "netlify.toml"
            | "vercel.json"
            | "mkdocs.yml"
            | "mkdocs.yaml"
            | "_config.yml"
            | "book.toml"
            | "openapi.json"
            | "openapi.yaml"
            | "swagger.json"
            | "swagger.yaml"
    ) || name.ends_with(".lock")
        || name.ends_with("-lock.json")
        || name.ends_with(".lock.json");
    if manifest || is_translation_path(path) || is_generated(path) || is_doc_path(path) {
        return StructuredKind::Skip;
    }
    if matches!(name.as_str(), "fly.toml" | "app.json" | "render.yaml")
        || path.starts_with(".do/")
        || name == "app.yaml" && path.contains(".do/")
    {
        return StructuredKind::Platform;
    }
    let chart_values = (name.starts_with("values")
        && (name.ends_with(".yaml") || name.ends_with(".yml")))
        && path.split('/').count() >= 2;
    if chart_values {
        return StructuredKind::Helm;
    }
    StructuredKind::Config
}

/// The roles a value has under `key` (a key path or a variable name).
pub fn roles(key: &str, value: &str) -> u8 {
    let v = value.trim();
    if v.is_empty() || v.len() > 4096 {
        return 0;
    }
    let last = key
        .trim_start_matches('-')
        .rsplit(['.', ':'])
        .next()
        .unwrap_or(key);
    let mut r = 0;
    if secret_name(last).is_some() {
        r |= SECRET;
    }
    if v.contains("://")
        && find_urls(v)
            .iter()
            .any(|u| u.password.is_some_and(|p| !p.is_empty()))
    {
        r |= CREDENTIAL_URL;
    }
    if is_locator(key, v) {
        r |= LOCATOR;
    }
    if is_data_path(key, v) {
        r |= DATA_PATH;
    }
    r
}

/// Words of a key naming a backing service.
const SERVICE_WORDS: &[&str] = &[
    "db",
    "database",
    "postgres",
    "postgresql",
    "pg",
    "mysql",
    "mariadb",
    "redis",
    "mongo",
    "mongodb",
    "amqp",
    "rabbitmq",
    "rabbit",
    "kafka",
    "nats",
    "elasticsearch",
    "memcached",
    "broker",
    "smtp",
    "datasource",
];

/// Last words of a key holding a host.
const HOST_WORDS: &[&str] = &["host", "hostname", "server", "addr", "address"];

fn is_locator(key: &str, v: &str) -> bool {
    let v = v.strip_prefix("jdbc:").unwrap_or(v);
    if backing_locator(v).is_some() {
        return true;
    }
    // `database: { host: db.internal }`: a host under a service key.
    let w = words(key);
    let Some(last) = w.last() else { return false };
    if !HOST_WORDS.contains(&last.as_str())
        || !w.iter().any(|x| SERVICE_WORDS.contains(&x.as_str()))
    {
        return false;
    }
    !v.is_empty()
        && v.len() <= 253
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        && v.chars().any(|c| c.is_ascii_alphabetic())
        && !matches!(v, "true" | "false" | "null" | "none")
}

/// Words of a key naming stored data.
const DATA_WORDS: &[&str] = &[
    "upload",
    "uploads",
    "media",
    "attachment",
    "attachments",
    "storage",
    "data",
    "db",
    "database",
    "sqlite",
    "index",
    "files",
    "blob",
    "blobs",
    "persist",
    "persistence",
];

/// Last words of a key holding a location.
const LOCATION_WORDS: &[&str] = &[
    "dir",
    "directory",
    "path",
    "folder",
    "root",
    "location",
    "file",
    "uri",
    "url",
    "db",
];

/// Whether `v` is a local data location: a `sqlite:` or H2 file URL, or a path under a key that
/// names stored data (`upload_dir`, `storage.path`, `data_dir`).
pub fn is_data_path(key: &str, v: &str) -> bool {
    let lower = v.to_ascii_lowercase();
    if lower.starts_with("sqlite:") || lower.starts_with("jdbc:sqlite:") {
        return !lower.contains(":memory:") && !lower.contains("mode=memory");
    }
    if let Some(rest) = lower.strip_prefix("jdbc:h2:") {
        return !rest.starts_with("mem:") && !rest.starts_with("tcp:") && !rest.starts_with("ssl:");
    }
    let w = words(key);
    let Some(last) = w.last() else { return false };
    let data = w.iter().any(|x| DATA_WORDS.contains(&x.as_str()));
    if !data || !(LOCATION_WORDS.contains(&last.as_str()) || DATA_WORDS.contains(&last.as_str())) {
        return false;
    }
    // A data file read as input (`data/trips.csv`) is not a store: a store is a folder or a
    // database file.
    let last_part = v.rsplit('/').next().unwrap_or(v);
    if let Some((_, ext)) = last_part.rsplit_once('.') {
        let ext = ext.to_ascii_lowercase();
        let store = matches!(
            ext.as_str(),
            "db" | "sqlite" | "sqlite3" | "mdb" | "redb" | "sled" | "ms" | "data" | "lmdb"
        );
        if !store && !last_part.starts_with('.') {
            return false;
        }
    }
    // Names of files or folders, not URLs, templates or the temp dir.
    let pathlike = v.contains('/')
        || v.starts_with('.')
        || v.starts_with('~')
        || v.ends_with(".db")
        || v.ends_with(".sqlite")
        || v.ends_with(".sqlite3");
    let scratch = lower == "/tmp"
        || ["/tmp/", "/var/tmp", "/dev/", "/proc/"]
            .iter()
            .any(|p| lower.starts_with(p));
    pathlike && !v.contains("://") && !v.contains(['{', '$', '<', ' ']) && !scratch
}

/// The default of an interpolation that is the whole value (`${DB_PASSWORD:-postgres}`, Spring
/// `${DB_PASSWORD:postgres}`): what runs when the variable is unset. `None` for anything else.
fn interpolation_default(v: &str) -> Option<&str> {
    let inner = v.trim().strip_prefix("${")?.strip_suffix('}')?;
    let name_end = inner
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
        .unwrap_or(inner.len());
    let rest = &inner[name_end..];
    // `${VAR:?message}` and `${VAR?message}` fail when unset: no default.
    if rest.starts_with(":?") || rest.starts_with('?') {
        return None;
    }
    let default = rest
        .strip_prefix(":-")
        .or_else(|| rest.strip_prefix('-'))
        .or_else(|| rest.strip_prefix(':'))?;
    (name_end > 0 && !default.contains(['$', '{', '}'])).then_some(default)
}

fn setting(
    file: &str,
    text: &str,
    key: String,
    value: &str,
    span: std::ops::Range<usize>,
    origin: Origin,
) -> Option<Setting> {
    // `${VAR:-default}`: the default is the value that ships, located inside the literal.
    let (value, span) = match interpolation_default(value) {
        Some(d) if !d.is_empty() => {
            let raw = text.get(span.clone()).unwrap_or("");
            match raw.rfind(d) {
                Some(at) => (d, span.start + at..span.start + at + d.len()),
                None => (d, span),
            }
        }
        _ => (value, span),
    };
    let roles = roles(&key, value);
    (roles != 0 && !span.is_empty()).then(|| Setting {
        file: file.to_string(),
        key,
        value: value.to_string(),
        span,
        origin,
        roles,
        ships: Ships::Unknown,
        why: String::new(),
        related: None,
        krate: None,
    })
}

/// Keys of objects that pair a name with a value (`env: [{name: X, value: Y}]`, CloudFormation
/// parameters).
const NAME_VALUE: &[(&str, &str)] = &[
    ("name", "value"),
    ("Name", "Value"),
    ("key", "value"),
    ("Key", "Value"),
    ("ParameterKey", "ParameterValue"),
];

/// Keys whose contents are not settings: dependency and feature tables, encrypted or
/// referenced values.
const SKIPPED_KEYS: &[&str] = &[
    "dependencies",
    "dev-dependencies",
    "build-dependencies",
    "devDependencies",
    "peerDependencies",
    "optionalDependencies",
    "bundledDependencies",
    "optional-dependencies",
    "dependency-groups",
    "features",
    "resolutions",
    "overrides",
    "encryptedData",
    "sops",
    "valueFrom",
    "secretKeyRef",
];

/// Walks a document's leaves into settings, with key paths from the root.
fn walk(
    node: &Node,
    path: &mut Vec<String>,
    (file, text): (&str, &str),
    origin: Origin,
    out: &mut Vec<Setting>,
) {
    use crate::source::structured::{Entries, Items, Map};
    /// A mapping or sequence being walked: its remaining children and the path length to
    /// restore after each.
    enum Frame<'d> {
        Map(Map<'d>, Entries<'d>, usize),
        Seq(Items<'d>, usize),
    }
    let base = path.len();
    // An explicit stack of lazy iterators: documents can be deep and wide, and nothing is
    // copied per child (a copy of every item of a huge array cost 70 bytes each).
    let mut stack: Vec<Frame> = Vec::new();
    let mut next: Option<Node> = Some(node.clone());
    loop {
        if let Some(n) = next.take() {
            match n {
                Node::Map(m) => {
                    let node = Node::Map(m);
                    for (nk, vk) in NAME_VALUE {
                        if let (Some(Node::Scalar(name, _)), Some(Node::Scalar(value, span))) =
                            (node.get(nk), node.get(vk))
                        {
                            if let Some(s) =
                                setting(file, text, name.to_string(), value, span.clone(), origin)
                            {
                                out.push(s);
                            }
                        }
                    }
                    stack.push(Frame::Map(m, m.iter(), path.len()));
                }
                Node::Seq(items) => stack.push(Frame::Seq(items.iter(), path.len())),
                Node::Scalar(v, span) => {
                    if path.len() > base {
                        // `services.db.environment.POSTGRES_PASSWORD` is the variable
                        // `POSTGRES_PASSWORD`.
                        let from = path[base..]
                            .iter()
                            .rposition(|k| k == "environment")
                            .filter(|&i| i + 2 == path.len() - base)
                            .map_or(base, |i| base + i + 1);
                        let key = path[from..].join(".");
                        if let Some(s) = setting(file, text, key, v, span.clone(), origin) {
                            out.push(s);
                        }
                    }
                }
                Node::Null(_) => {}
            }
        }
        let Some(frame) = stack.last_mut() else { break };
        match frame {
            Frame::Map(m, entries, depth) => {
                path.truncate(*depth);
                let map = Node::Map(*m);
                let child = entries.find(|(k, _)| {
                    let paired = NAME_VALUE
                        .iter()
                        .any(|(nk, vk)| *vk == k.name && map.get(nk).is_some());
                    !paired && !SKIPPED_KEYS.contains(&k.name)
                });
                match child {
                    Some((k, v)) => {
                        path.push(k.name.to_string());
                        next = Some(v);
                    }
                    None => {
                        stack.pop();
                    }
                }
            }
            Frame::Seq(items, depth) => {
                path.truncate(*depth);
                match items.next() {
                    Some(item) => {
                        // Compose `environment: ["KEY=value"]`.
                        if let Node::Scalar(s, span) = &item {
                            if path.last().is_some_and(|k| k == "environment") {
                                if let Some((k, v)) = s.split_once('=') {
                                    let at = span.end.saturating_sub(v.len());
                                    if let Some(st) = setting(
                                        file,
                                        text,
                                        k.trim().to_string(),
                                        v,
                                        at..span.end,
                                        origin,
                                    ) {
                                        out.push(st);
                                    }
                                    continue;
                                }
                            }
                        }
                        next = Some(item);
                    }
                    None => {
                        stack.pop();
                    }
                }
            }
        }
    }
    path.truncate(base);
}

/// Settings of a configuration file, Helm values or a platform spec.
pub fn structured(file: &StructuredFile<'_>, kind: StructuredKind) -> FileSettings {
    let mut out = FileSettings::default();
    let origin = match kind {
        StructuredKind::Config => Origin::ConfigFile,
        StructuredKind::Helm => Origin::Helm,
        StructuredKind::Platform => Origin::Platform,
        StructuredKind::Skip => return out,
    };
    let path = &file.source.path;
    for doc in file.docs() {
        walk(
            &doc,
            &mut Vec::new(),
            (path, &file.source.text),
            origin,
            &mut out.settings,
        );
    }
    out
}

/// Settings of a compose file (its service environments keyed by variable name, and any other
/// value), and its `env_file:` evidence.
pub fn compose(file: &StructuredFile<'_>, compose: &ComposeFile) -> FileSettings {
    let mut out = FileSettings::default();
    let path = &file.source.path;
    let mut env_files = Vec::new();
    for doc in file.docs() {
        let mut found = Vec::new();
        walk(
            &doc,
            &mut Vec::new(),
            (path, &file.source.text),
            Origin::Compose,
            &mut found,
        );
        // `secrets:` lists and defines Docker secrets by name and file: references, not values.
        out.settings.extend(found.into_iter().filter(|s| {
            !(s.key == "secrets" || s.key.starts_with("secrets.") || s.key.contains(".secrets"))
        }));
        let Some(Node::Map(services)) = doc.get("services") else {
            continue;
        };
        for (_, svc) in services.iter() {
            match svc.get("env_file") {
                Some(Node::Scalar(s, _)) => env_files.push(s.to_string()),
                Some(Node::Seq(items)) => {
                    for i in items.iter() {
                        match &i {
                            Node::Scalar(s, _) => env_files.push(s.to_string()),
                            Node::Map(_) => {
                                if let Some(Node::Scalar(s, _)) = i.get("path") {
                                    env_files.push(s.to_string());
                                }
                            }
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
    }
    let ports: Vec<&str> = compose
        .services
        .iter()
        .flat_map(|s| s.ports.iter().map(|p| p.value.trim()))
        .collect();
    out.evidence.push(Evidence::Compose {
        file: path.clone(),
        env_files,
        dev: compose.development_only,
        backing_only: crate::source::compose::only_backing_services(&compose.services),
        builds_with_backing: compose.services.iter().any(|s| s.build)
            && compose
                .services
                .iter()
                .any(|s| crate::source::compose::only_backing_services(std::slice::from_ref(s))),
        loopback_only: !ports.is_empty()
            && ports.iter().all(|p| {
                p.starts_with("127.0.0.1:")
                    || p.starts_with("localhost:")
                    || p.starts_with("[::1]:")
            }),
    });
    out
}

/// Settings of Kubernetes objects: container `env:` values (keyed by variable name), ConfigMap
/// `data:` and any other value; Secret objects are left to the secret rules, which decode them.
pub fn k8s(file: &StructuredFile<'_>) -> FileSettings {
    let mut out = FileSettings::default();
    let path = &file.source.path;
    for doc in file.docs() {
        let kind = match doc.get("kind") {
            Some(Node::Scalar(k, _)) => k,
            _ => "",
        };
        if kind == "SealedSecret" {
            continue;
        }
        // A Secret's `data:` is base64, decoded by the secret rules; `stringData:` is as written.
        if kind == "Secret" {
            if let Some(sd) = doc.get("stringData") {
                walk(
                    &sd,
                    &mut Vec::new(),
                    (path, &file.source.text),
                    Origin::Kubernetes,
                    &mut out.settings,
                );
            }
            continue;
        }
        walk(
            &doc,
            &mut Vec::new(),
            (path, &file.source.text),
            Origin::Kubernetes,
            &mut out.settings,
        );
    }
    out
}

/// Settings of a `.env` file.
pub fn dotenv(file: &DotenvFile<'_>) -> FileSettings {
    let mut out = FileSettings::default();
    for e in &file.entries {
        if let Some(s) = setting(
            &file.source.path,
            &file.source.text,
            e.key.clone(),
            &e.value,
            e.value_span.clone(),
            Origin::EnvFile,
        ) {
            out.settings.push(s);
        }
    }
    out
}

/// Settings of a Dockerfile's `ENV` and `ARG`, and the paths it copies into images.
pub fn dockerfile(file: &DockerFile<'_>) -> FileSettings {
    let mut out = FileSettings::default();
    let path = &file.source.path;
    for v in file.vars() {
        let Some(value) = &v.value else { continue };
        let origin = if v.instruction == "ARG" {
            Origin::DockerArg
        } else {
            Origin::DockerEnv
        };
        if let Some(s) = setting(
            path,
            &file.source.text,
            v.key.clone(),
            value,
            v.span.clone(),
            origin,
        ) {
            out.settings.push(s);
        }
    }
    let dev = crate::source::development_file(path);
    for (src, _dest) in file.copies() {
        out.evidence.push(Evidence::Copies {
            file: path.clone(),
            src,
            span: 0..0,
            dev,
        });
    }
    out
}

/// Whether a Rust file may define a setting default with a role: a line with a default or
/// fallback marker and, on it or the two lines after it, a word of a role; or an
/// `impl Default` of a settings type. Decides, before any parse, whether the model needs the
/// file parsed (most files of a service have neither).
pub fn rust_may_define(text: &str) -> bool {
    const DEFAULTS: &[&str] = &[
        "unwrap_or",
        "default_value",
        "set_default",
        "default =",
        "map_or",
        "env::var",
        "var_os",
        "option_env!",
    ];
    const ROLES: &[&str] = &[
        "secret",
        "SECRET",
        "Secret",
        "password",
        "PASSWORD",
        "passwd",
        "token",
        "TOKEN",
        "_key",
        "_KEY",
        "://",
        "sqlite",
        "dsn",
        "DSN",
        "_dir",
        "_DIR",
        "_path",
        "_PATH",
        "upload",
        "storage",
        "database",
        "DATABASE",
        "host",
        "HOST",
        "_URL",
        "_url",
        "localhost",
        "127.0.0.1",
        "BROKER",
        "broker",
        "ADDR",
        "addr",
    ];
    const SETTINGS_TYPES: &[&str] = &["Config", "Settings", "Options", "Cfg", "Conf", "Env"];
    let lines: Vec<&str> = text.lines().collect();
    let has_role = |from: usize| {
        lines[from..lines.len().min(from + 3)]
            .iter()
            .any(|l| ROLES.iter().any(|r| l.contains(r)))
    };
    lines.iter().enumerate().any(|(i, l)| {
        if let Some(at) = l.find("Default for ") {
            let ty = &l[at + "Default for ".len()..];
            let ty = ty
                .split(|c: char| !c.is_alphanumeric() && c != '_')
                .next()
                .unwrap_or("");
            if SETTINGS_TYPES.iter().any(|t| ty.contains(t)) {
                return true;
            }
        }
        DEFAULTS.iter().any(|d| l.contains(d)) && has_role(i)
    })
}

/// Settings of a parsed Rust file: the literals that are defaults or fallbacks of a setting.
pub fn rust(file: &RustFile<'_>, krate: Option<&str>) -> FileSettings {
    use crate::source::rust::DefaultKind;
    let mut out = FileSettings::default();
    let path = &file.source.path;
    for lit in &file.lits {
        if !lit.env_fallback || file.tests.contains(lit.span.start) || lit.compared {
            continue;
        }
        let origin = match lit.default_kind {
            Some(DefaultKind::CliDefault) => Origin::CliDefault,
            Some(DefaultKind::ConfigSetDefault) => Origin::ConfigSetDefault,
            Some(DefaultKind::SerdeDefault) => Origin::SerdeDefault,
            Some(DefaultKind::ImplDefault) => Origin::ImplDefault,
            _ => Origin::EnvFallback,
        };
        // A fallback with no name (`env::args().nth(1).unwrap_or(..)`) still locates a service.
        let key = lit
            .setting_key
            .clone()
            .or_else(|| lit.binding.clone())
            .unwrap_or_else(|| "the looked-up value".to_string());
        if let Some(mut s) = setting(
            path,
            &file.source.text,
            key,
            &lit.value,
            lit.span.clone(),
            origin,
        ) {
            s.krate = krate.map(str::to_string);
            out.settings.push(s);
        }
    }
    out
}

/// The configuration files a Rust file names: string literals with a configuration file
/// extension, and the names given to a config loader (`File::with_name("config/default")`,
/// `.join("configuration/base")`). Read from the text, so files no rule parses count too; one
/// Aho-Corasick pass (a regex with `"` in its alternation had no useful prefilter and cost as
/// much as parsing).
pub fn rust_loads(path: &str, text: &str) -> Vec<Evidence> {
    use aho_corasick::AhoCorasick;
    const CALLS: &[&str] = &[
        "with_name(\"",
        "include_str!(\"",
        "join(\"",
        "from_path(\"",
        "File::from(\"",
        "Path::new(\"",
        "read_to_string(\"",
        "file(\"",
    ];
    const EXTS: &[&str] = &[
        ".toml\"",
        ".yaml\"",
        ".yml\"",
        ".json\"",
        ".json5\"",
        ".hjson\"",
        ".ini\"",
        ".cfg\"",
        ".conf\"",
        ".properties\"",
        ".env\"",
    ];
    static AC: OnceLock<Option<AhoCorasick>> = OnceLock::new();
    let Some(ac) = AC
        .get_or_init(|| AhoCorasick::new(CALLS.iter().chain(EXTS)).ok())
        .as_ref()
    else {
        return Vec::new();
    };
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    for m in ac.find_iter(text) {
        let range = if m.pattern().as_usize() < CALLS.len() {
            // The literal starts after the pattern's quote and runs to the next quote.
            let start = m.end();
            let len = bytes[start..]
                .iter()
                .take(201)
                .position(|&b| b == b'"' || b == b'\n');
            match len {
                Some(n) if n > 0 && bytes[start + n] == b'"' => start..start + n,
                _ => continue,
            }
        } else {
            // Back from the extension to the opening quote, within 200 bytes, no whitespace.
            let end = m.end() - 1;
            let from = end.saturating_sub(200);
            let open = bytes[from..m.start()]
                .iter()
                .rposition(|&b| b == b'"' || b.is_ascii_whitespace());
            match open {
                Some(i) if bytes[from + i] == b'"' => from + i + 1..end,
                _ => continue,
            }
        };
        let Some(name) = text.get(range.clone()) else {
            continue;
        };
        if name.is_empty() || name.contains(['{', '$', ' ', '\\']) {
            continue;
        }
        out.push(Evidence::Loads {
            file: path.to_string(),
            name: name.to_string(),
            span: range,
        });
    }
    out.sort_by_key(|e| match e {
        Evidence::Loads { span, .. } => span.start,
        _ => 0,
    });
    out.dedup_by(|a, b| match (a, b) {
        (Evidence::Loads { span: x, .. }, Evidence::Loads { span: y, .. }) => x == y,
        _ => false,
    });
    out
}

/// Settings of a `.properties`, INI/`.cfg`/`.conf` or HJSON/JSON5 file
/// ([`keyvalue`](crate::source::keyvalue) reads them with positions).
pub fn key_value(source: &crate::source::SourceFile) -> FileSettings {
    use crate::source::keyvalue::{self, Format};
    let mut out = FileSettings::default();
    let path = &source.path;
    if structured_kind(path) == StructuredKind::Skip {
        return out;
    }
    let text = source.text.as_str();
    let kvs = match keyvalue::format_for(path) {
        Some(Format::Properties) => keyvalue::parse_properties(text),
        Some(Format::Ini) if keyvalue::looks_like_ini(text) => keyvalue::parse_ini(text),
        Some(Format::RelaxedJson) => keyvalue::parse_relaxed_json(text).unwrap_or_default(),
        _ => return out,
    };
    for kv in kvs {
        if let Some(s) = setting(
            path,
            text,
            kv.key,
            &kv.value,
            kv.value_span,
            Origin::ConfigFile,
        ) {
            out.settings.push(s);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{FileKind, SourceFile};

    fn settings_of(path: &str, kind: FileKind, text: &str) -> Vec<(String, String, String)> {
        let source = SourceFile::new(path, kind, text.to_string());
        let file = StructuredFile::parse(&source).expect("parses");
        structured(&file, structured_kind(path))
            .settings
            .into_iter()
            .map(|s| {
                let at = source.text[s.span.clone()].to_string();
                (s.key, s.value, at)
            })
            .collect()
    }

    #[test]
    fn roles_of_values() {
        assert_eq!(roles("database.password", "postgres"), SECRET);
        assert_eq!(roles("password", ""), 0);
        assert_eq!(
            roles(
                "db_dsn",
                "postgresql://postgres:postgres@pgbouncer/postgres"
            ),
            CREDENTIAL_URL | LOCATOR
        );
        assert_eq!(
            roles("datasource.url", "jdbc:postgresql://db:5432/shop"),
            LOCATOR
        );
        assert_eq!(roles("database.host", "db.internal"), LOCATOR);
        assert_eq!(roles("server.host", "0.0.0.0"), 0);
        assert_eq!(roles("upload_dir", "./uploads"), DATA_PATH);
        assert_eq!(roles("DATABASE_URL", "sqlite://data/app.db"), DATA_PATH);
        assert_eq!(roles("DATABASE_URL", "sqlite::memory:"), 0);
        assert_eq!(roles("upload_dir", "/tmp/uploads"), 0);
        assert_eq!(roles("datasource.url", "jdbc:h2:~/test"), DATA_PATH);
        assert_eq!(roles("datasource.url", "jdbc:h2:mem:test"), 0);
        assert_eq!(roles("log_level", "info"), 0);
    }

    #[test]
    fn interpolation_defaults() {
        assert_eq!(
            interpolation_default("${DB_PASSWORD:-postgres}"),
            Some("postgres")
        );
        assert_eq!(
            interpolation_default("${DB_PASSWORD-postgres}"),
            Some("postgres")
        );
        assert_eq!(
            interpolation_default("${DB_PASSWORD:postgres}"),
            Some("postgres")
        );
        assert_eq!(interpolation_default("${DB_PASSWORD}"), None);
        assert_eq!(interpolation_default("${DB_PASSWORD:?set it}"), None);
        assert_eq!(interpolation_default("${A:-${B}}"), None);
        assert_eq!(interpolation_default("x${A:-b}"), None);
    }

    #[test]
    fn structured_key_paths_and_spans() {
        let got = settings_of(
            "config/default.toml",
            FileKind::Toml,
            "[database]\npassword = \"hunter2\"\nurl = \"postgres://db.internal/app\"\n[dependencies]\ntoken = \"x1y2z3w4v5\"\n",
        );
        assert_eq!(
            got,
            vec![
                (
                    "database.password".into(),
                    "hunter2".into(),
                    "\"hunter2\"".into()
                ),
                (
                    "database.url".into(),
                    "postgres://db.internal/app".into(),
                    "\"postgres://db.internal/app\"".into()
                ),
            ]
        );
        // Name/value pairs and manifests.
        let got = settings_of(
            "deploy/app.yaml",
            FileKind::Yaml,
            "env:\n  - name: API_TOKEN\n    value: s3cr3t-t0ken\n",
        );
        assert_eq!(
            got,
            vec![(
                "API_TOKEN".into(),
                "s3cr3t-t0ken".into(),
                "s3cr3t-t0ken".into()
            )]
        );
        assert!(settings_of(
            "Cargo.toml",
            FileKind::CargoToml,
            "[package]\nname = \"x\"\n[package.metadata]\npassword = \"hunter22\"\n"
        )
        .is_empty());
    }

    #[test]
    fn interpolation_default_is_located() {
        let got = settings_of(
            "src/main/resources/application.yml",
            FileKind::Yaml,
            "spring:\n  datasource:\n    password: ${DB_PASSWORD:wrz2z-7Hq}\n",
        );
        assert_eq!(
            got,
            vec![(
                "spring.datasource.password".into(),
                "wrz2z-7Hq".into(),
                "wrz2z-7Hq".into()
            )]
        );
    }

    #[test]
    fn config_files_named_in_rust() {
        let text = r#"
            const DEFAULTS: &str = include_str!("../config.default.toml");
            fn load() { File::with_name("config/default"); base.join("configuration/base"); }
            fn other() { println!("{}", "not a config"); }
        "#;
        let names: Vec<String> = rust_loads("src/cfg.rs", text)
            .into_iter()
            .map(|e| match e {
                Evidence::Loads { name, .. } => name,
                _ => String::new(),
            })
            .collect();
        assert_eq!(
            names,
            [
                "../config.default.toml",
                "config/default",
                "configuration/base"
            ]
        );
    }

    #[test]
    fn rust_files_worth_parsing() {
        assert!(rust_may_define(
            r#"env::var("JWT_SECRET").unwrap_or_else(|_| "x".into())"#
        ));
        assert!(!rust_may_define("fn main() { println!(\"hi\") }"));
    }
}
