//! Configuration: user-facing [`Options`] (serde, every field optional, unknown keys rejected
//! with a span) resolved with the command-line [`Overrides`] into validated [`Settings`].
//!
//! Discovery: `twelve-check.toml`, `.twelve-check.toml`, or `[workspace.metadata.twelve-check]` /
//! `[package.metadata.twelve-check]` in `Cargo.toml`, in the checked root's folder or its nearest
//! ancestor that has one, up to the top of the root's git work tree and never above it (outside a
//! work tree, the root's folder only; see [`crate::walk`] for how the top is found). Every file is
//! read through the walk's guarded opener: a configuration file that is a symbolic link, not a
//! regular file, larger than [`crate::walk::CONFIG_LIMIT`] or not UTF-8 is an error that quotes
//! none of it. `--config FILE` names the file; `--isolated` reads none (and no `.ignore` file).

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use globset::{Glob, GlobMatcher, GlobSet, GlobSetBuilder};
use serde::Deserialize;
use toml::Spanned;

use crate::error::Error;
use crate::registry::{RuleId, Selector};
use crate::rule::Severity;

/// The options a configuration file may set.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Options {
    /// Rules to run (codes, names, prefixes, factor names). Default: every stable rule.
    pub select: Option<Vec<Spanned<String>>>,
    /// Rules to run in addition to `select`.
    pub extend_select: Option<Vec<Spanned<String>>>,
    /// Rules not to run.
    pub ignore: Option<Vec<Spanned<String>>>,
    /// Glob patterns of paths not to check, relative to the checked root (the top of the
    /// repository that holds the checked paths).
    pub exclude: Option<Vec<Spanned<String>>>,
    /// Lowest severity that makes the run fail: `error`, `warning`, `note` or `never`.
    pub fail_on: Option<Spanned<String>>,
    /// Check test, example and bench code too.
    pub include_tests: Option<bool>,
    /// Run preview rules.
    pub preview: Option<bool>,
    /// Files larger than this many bytes are not read (one TC0002 note each). Default 8 MiB.
    pub max_file_size: Option<Spanned<u64>>,
    /// Files nested deeper than this are not parsed (one TC0002 note each): the parsers recurse
    /// once per level. Default 2000, and a configuration file can only lower it.
    pub max_nesting: Option<Spanned<usize>>,
    /// Severity overrides by rule or factor selector.
    pub severity: Option<BTreeMap<Spanned<String>, Spanned<String>>>,
    /// Rules to ignore under given paths: glob → selectors.
    pub per_path_ignores: Option<BTreeMap<Spanned<String>, Vec<Spanned<String>>>>,
    /// How service crates are recognised.
    pub service: Option<ServiceOptions>,
    /// Per-rule options: `[rules.<code or name>]` tables.
    pub rules: Option<RuleTables>,
}

/// `[rules.<code or name>]` tables: option name → value, with spans for errors.
pub type RuleTables = BTreeMap<Spanned<String>, BTreeMap<Spanned<String>, Spanned<toml::Value>>>;

/// `[service]`: extends the built-in service detection.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ServiceOptions {
    /// More crate names that make a binary crate a service.
    pub frameworks: Option<Vec<String>>,
    /// Environment variables a port may be read from (default `PORT`).
    pub port_env: Option<Vec<String>>,
}

/// Settings given on the command line; they win over the file.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    /// `--select`: replaces the file's `select`.
    pub select: Option<Vec<String>>,
    /// `--extend-select`.
    pub extend_select: Vec<String>,
    /// `--ignore`: added to the file's `ignore`.
    pub ignore: Vec<String>,
    /// `--fail-on`.
    pub fail_on: Option<String>,
    /// `--include-tests`.
    pub include_tests: bool,
    /// `--no-prefilter`.
    pub no_prefilter: bool,
    /// `--preview`.
    pub preview: bool,
    /// `--no-inline-suppressions`.
    pub no_inline_suppressions: bool,
    /// `--no-ignore`.
    pub no_ignore: bool,
    /// `--threads`.
    pub threads: Option<usize>,
    /// `--max-nesting`: the only way to raise the limit (a configuration file may lower it).
    pub max_nesting: Option<usize>,
    /// `--config`.
    pub config: Option<PathBuf>,
    /// `--isolated`.
    pub isolated: bool,
}

/// Default `max-file-size`: 8 MiB.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 8 * 1024 * 1024;

/// What `twelve-check init` writes: every key, commented, with its default.
pub const INIT_TEMPLATE: &str = r#"# twelve-check configuration: https://github.com/twelve-check/twelve-check#configuration
# Selectors accept a code (TC0701), a name (hardcoded-listen-port), a code prefix (TC07 = a whole
# factor) or a factor name (port-binding). Command-line flags override this file.

# Rules to run. Default: every stable rule.
# select = ["TC"]
# Rules to run in addition to `select` (preview rules can be selected by code).
# extend-select = ["TC0504"]
# Rules not to run.
# ignore = ["TC1103"]

# Lowest severity that makes the exit code 1: "error", "warning", "note" or "never".
# fail-on = "warning"

# Paths not to check: globs relative to the checked root, the top of the repository (git work
# tree, else Cargo workspace) that holds the checked paths, also when only part of it is checked.
# exclude = ["vendor/**", "deploy/legacy/**"]

# Check tests, examples, benches and build scripts too.
# include-tests = false

# Run preview rules.
# preview = false

# Limits that keep a hostile or generated file from stalling the run; a file over a limit gets
# one TC0002 note and is not checked. Files larger than this many bytes are not read:
# max-file-size = 8388608
# Files nested deeper than this are not parsed (Rust: each bracket, operator or nesting keyword
# counts one level; YAML, JSON, TOML: each collection). A configuration file can only lower it;
# only `--max-nesting` on the command line can raise it (far: risks a stack overflow):
# max-nesting = 2000

# Severity by rule or factor.
# [severity]
# TC0602 = "error"
# logs = "warning"

# Options of one rule, named by code or name; each rule page lists its options.
# [rules.hardcoded-backing-service]
# allowed-hosts = ["localhost"]

# Rules ignored under some paths.
# [per-path-ignores]
# "scripts/**" = ["TC0301"]

# How service crates are recognised: server frameworks besides the built-in list.
# [service]
# frameworks = ["my_http_framework"]
# port-env = ["PORT", "HTTP_PORT"]
"#;

/// Validated, resolved settings: no `Option`s past this point.
#[derive(Debug)]
pub struct Settings {
    /// Enabled rules in code order.
    pub enabled: Vec<RuleId>,
    /// Effective severity of each enabled rule.
    pub severity: HashMap<RuleId, Severity>,
    /// Lowest severity that fails the run; `None` for `never`.
    pub fail_on: Option<Severity>,
    /// Check test code.
    pub include_tests: bool,
    /// Skip Rust files that no enabled rule could fire on; off only to check the prefilter.
    pub rust_prefilter: bool,
    /// Paths left out of the walk.
    pub exclude: GlobSet,
    /// The `exclude` patterns as written (for `--show-settings`).
    pub exclude_patterns: Vec<String>,
    /// Per-path ignores.
    pub per_path_ignores: Vec<(GlobMatcher, Vec<Selector>)>,
    /// Extra service frameworks.
    pub frameworks: Vec<String>,
    /// Port environment variables.
    pub port_env: Vec<String>,
    /// Honour inline suppression comments.
    pub inline_suppressions: bool,
    /// Respect `.gitignore`.
    pub respect_ignore: bool,
    /// Respect `.ignore` files (not with `--isolated`).
    pub dot_ignore: bool,
    /// Worker threads.
    pub threads: usize,
    /// Files larger than this many bytes are skipped with a note.
    pub max_file_size: u64,
    /// Rust files nested deeper than this are reported, not parsed.
    pub max_nesting: usize,
    /// The configuration file that was read, if any.
    pub config_path: Option<PathBuf>,
    /// Per-rule options, validated against each rule's declared options.
    pub rule_options: HashMap<RuleId, crate::rule::RuleOptions>,
}

impl Settings {
    /// Whether `id` is enabled.
    pub fn is_enabled(&self, id: RuleId) -> bool {
        self.enabled.binary_search(&id).is_ok()
    }

    /// Settings with every stable rule and no file: what tests and `--isolated` start from.
    pub fn isolated() -> Settings {
        resolve(Options::default(), &Overrides::default(), None).unwrap_or_else(|_| unreachable!())
    }

    /// Settings that run exactly the given rules (and the meta rules).
    pub fn for_rules(rules: &[RuleId]) -> Settings {
        let mut s = Settings::isolated();
        s.enabled = rules
            .iter()
            .copied()
            .chain(RuleId::ALL.iter().copied().filter(|r| r.is_meta()))
            .collect();
        s.enabled.sort();
        s.enabled.dedup();
        s.severity = s.enabled.iter().map(|r| (*r, r.meta().severity)).collect();
        s
    }
}

/// Where a configuration file was found, and its text.
pub struct ConfigSource {
    /// The file.
    pub path: PathBuf,
    /// Its text.
    pub text: String,
}

/// Finds the configuration for `root` (unless `--isolated`), parses and resolves it.
pub fn load(root: &Path, overrides: &Overrides) -> Result<Settings, Error> {
    let source = if overrides.isolated {
        None
    } else if let Some(p) = &overrides.config {
        let text = crate::walk::read_config(p).map_err(|source| Error::Io {
            path: p.display().to_string(),
            source,
        })?;
        Some(ConfigSource {
            path: p.clone(),
            text,
        })
    } else {
        discover(root)?
    };
    let Some(source) = source else {
        return resolve(Options::default(), overrides, None);
    };
    let options = parse(&source)?;
    resolve(options, overrides, Some(&source))
}

/// The nearest configuration file, read through the guarded opener. A root that cannot be
/// opened has none here; checking it reports the error.
fn discover(root: &Path) -> Result<Option<ConfigSource>, Error> {
    let Ok(root) = crate::walk::Root::open(root) else {
        return Ok(None);
    };
    let limit = crate::walk::CONFIG_LIMIT;
    for dir in root.lookup_dirs() {
        for name in ["twelve-check.toml", ".twelve-check.toml", "Cargo.toml"] {
            let path = dir.path.join(name);
            let shown = path.display().to_string();
            let cargo = name == "Cargo.toml";
            let refused = |why: String| Error::Io {
                path: shown.clone(),
                source: std::io::Error::new(std::io::ErrorKind::InvalidInput, why),
            };
            let bytes = match root.read_in(&dir, name, limit) {
                Ok(crate::walk::ReadOutcome::Bytes(b)) => b,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                // A `Cargo.toml` that cannot be read holds no configuration (the walk reports it).
                _ if cargo => continue,
                Ok(crate::walk::ReadOutcome::TooLarge(n)) => {
                    return Err(refused(format!(
                        "configuration file not read: {n} bytes is over the {limit} byte limit"
                    )))
                }
                Ok(crate::walk::ReadOutcome::Refused(why)) => {
                    return Err(refused(format!("configuration file not read: {why}")))
                }
                Err(e) => {
                    return Err(Error::Io {
                        path: shown,
                        source: e,
                    })
                }
            };
            let Ok(text) = String::from_utf8(bytes) else {
                if cargo {
                    continue;
                }
                return Err(refused(
                    "configuration file not read: not valid UTF-8".into(),
                ));
            };
            if cargo && !text.contains("metadata.twelve-check]") {
                continue;
            }
            return Ok(Some(ConfigSource { path, text }));
        }
    }
    Ok(None)
}

#[derive(Deserialize)]
struct CargoWrapper {
    workspace: Option<MetaWrapper>,
    package: Option<MetaWrapper>,
}

#[derive(Deserialize)]
struct MetaWrapper {
    metadata: Option<ToolWrapper>,
}

#[derive(Deserialize)]
struct ToolWrapper {
    #[serde(rename = "twelve-check")]
    twelve_check: Option<Options>,
}

/// Parses a configuration file: a `twelve-check.toml` or the metadata table of a `Cargo.toml`.
pub fn parse(source: &ConfigSource) -> Result<Options, Error> {
    let shown = source.path.display().to_string();
    let err = |e: toml::de::Error| {
        Error::config(
            &shown,
            &source.text,
            e.span().unwrap_or(0..0),
            e.message().trim().to_string(),
            "here",
        )
    };
    if source.path.file_name().is_some_and(|n| n == "Cargo.toml") {
        let w: CargoWrapper = toml::from_str(&source.text).map_err(err)?;
        let pick = |m: Option<MetaWrapper>| m.and_then(|m| m.metadata).and_then(|t| t.twelve_check);
        Ok(pick(w.workspace).or(pick(w.package)).unwrap_or_default())
    } else {
        toml::from_str(&source.text).map_err(err)
    }
}

/// Resolves options and overrides into settings, validating every selector and value.
pub fn resolve(
    options: Options,
    overrides: &Overrides,
    source: Option<&ConfigSource>,
) -> Result<Settings, Error> {
    let shown = source
        .map(|s| s.path.display().to_string())
        .unwrap_or_default();
    let text = source.map(|s| s.text.as_str()).unwrap_or("");
    let bad = |span: std::ops::Range<usize>, msg: String, label: &str| {
        Error::config(&shown, text, span, msg, label)
    };
    let file_selectors = |list: Option<Vec<Spanned<String>>>| -> Result<Vec<Selector>, Error> {
        list.unwrap_or_default()
            .into_iter()
            .map(|s| {
                Selector::parse(s.get_ref()).ok_or_else(|| {
                    bad(
                        s.span(),
                        format!("unknown rule selector `{}`", s.get_ref()),
                        "not a rule code, name, code prefix or factor",
                    )
                })
            })
            .collect()
    };
    let cli_selectors = |list: &[String]| -> Result<Vec<Selector>, Error> {
        list.iter()
            .map(|s| {
                Selector::parse(s).ok_or_else(|| {
                    Error::Usage(format!(
                        "unknown rule selector `{s}`: use a code (TC0301), a name (hardcoded-secret), a code prefix (TC03) or a factor (config); `twelve-check rules` lists them"
                    ))
                })
            })
            .collect()
    };

    let select = match &overrides.select {
        Some(s) => cli_selectors(s)?,
        None => match options.select {
            Some(s) => file_selectors(Some(s))?,
            None => vec![Selector::All],
        },
    };
    let mut extend = file_selectors(options.extend_select)?;
    extend.extend(cli_selectors(&overrides.extend_select)?);
    let mut ignore = file_selectors(options.ignore)?;
    ignore.extend(cli_selectors(&overrides.ignore)?);
    let preview = overrides.preview || options.preview.unwrap_or(false);

    let mut enabled = Vec::new();
    for &id in RuleId::ALL {
        let on = select
            .iter()
            .chain(&extend)
            .filter(|s| s.matches(id))
            .map(Selector::specificity)
            .max();
        let off = ignore
            .iter()
            .filter(|s| s.matches(id))
            .map(Selector::specificity)
            .max();
        let exact = select
            .iter()
            .chain(&extend)
            .any(|s| s.is_exact() && s.matches(id));
        let wanted = if id.is_meta() {
            off != Some(100)
        } else {
            match (on, off) {
                (Some(_), None) => true,
                (Some(a), Some(b)) => a > b,
                _ => false,
            }
        };
        let allowed = !id.meta().preview || preview || exact;
        if wanted && allowed {
            enabled.push(id);
        }
    }

    let mut severity: HashMap<RuleId, Severity> =
        enabled.iter().map(|id| (*id, id.meta().severity)).collect();
    let mut overrides_by_rule: HashMap<RuleId, (u8, Severity)> = HashMap::new();
    for (sel, sev) in options.severity.unwrap_or_default() {
        let selector = Selector::parse(sel.get_ref()).ok_or_else(|| {
            bad(
                sel.span(),
                format!("unknown rule selector `{}`", sel.get_ref()),
                "not a rule or factor",
            )
        })?;
        let level = Severity::parse(sev.get_ref()).ok_or_else(|| {
            bad(
                sev.span(),
                format!("unknown severity `{}`", sev.get_ref()),
                "expected `error`, `warning` or `note`",
            )
        })?;
        for &id in &enabled {
            if selector.matches(id) {
                let spec = selector.specificity();
                let e = overrides_by_rule.entry(id).or_insert((spec, level));
                if spec >= e.0 {
                    *e = (spec, level);
                }
            }
        }
    }
    for (id, (_, level)) in overrides_by_rule {
        severity.insert(id, level);
    }

    let fail_on = match (&overrides.fail_on, options.fail_on) {
        (Some(s), _) => parse_fail_on(s).ok_or_else(|| {
            Error::Usage(format!(
                "unknown --fail-on value `{s}`: expected error, warning, note or never"
            ))
        })?,
        (None, Some(s)) => parse_fail_on(s.get_ref()).ok_or_else(|| {
            bad(
                s.span(),
                format!("unknown fail-on value `{}`", s.get_ref()),
                "expected `error`, `warning`, `note` or `never`",
            )
        })?,
        (None, None) => Some(Severity::Warning),
    };

    let mut exclude = GlobSetBuilder::new();
    let exclude_patterns: Vec<String> = options
        .exclude
        .iter()
        .flatten()
        .map(|p| p.get_ref().clone())
        .collect();
    for pat in options.exclude.unwrap_or_default() {
        exclude.add(
            glob(pat.get_ref())
                .map_err(|e| bad(pat.span(), format!("invalid glob: {e}"), "here"))?,
        );
    }
    let exclude = exclude
        .build()
        .map_err(|e| Error::Usage(format!("invalid exclude patterns: {e}")))?;

    let mut per_path_ignores = Vec::new();
    for (pat, sels) in options.per_path_ignores.unwrap_or_default() {
        let m = glob(pat.get_ref())
            .map_err(|e| bad(pat.span(), format!("invalid glob: {e}"), "here"))?
            .compile_matcher();
        per_path_ignores.push((m, file_selectors(Some(sels))?));
    }

    let mut rule_options: HashMap<RuleId, crate::rule::RuleOptions> = HashMap::new();
    for (sel, table) in options.rules.unwrap_or_default() {
        let id = RuleId::lookup(sel.get_ref()).ok_or_else(|| {
            bad(
                sel.span(),
                format!("`[rules.{}]` names no rule", sel.get_ref()),
                "a rule code or name",
            )
        })?;
        let declared = id.rule().options();
        let mut values = crate::rule::RuleOptions::new();
        for (key, value) in table {
            let Some(opt) = declared.iter().find(|o| o.name == key.get_ref()) else {
                let known: Vec<&str> = declared.iter().map(|o| o.name).collect();
                return Err(bad(
                    key.span(),
                    format!(
                        "{} ({}) has no option `{}`; {}",
                        id.code(),
                        id.name(),
                        key.get_ref(),
                        if known.is_empty() {
                            "it has no options".to_string()
                        } else {
                            format!("its options: {}", known.join(", "))
                        }
                    ),
                    "unknown option",
                ));
            };
            let span = value.span();
            let v = match (opt.kind, value.into_inner()) {
                (crate::rule::OptionKind::Bool, toml::Value::Boolean(b)) => {
                    crate::rule::OptionValue::Bool(b)
                }
                (crate::rule::OptionKind::StringList, toml::Value::Array(items)) => {
                    let mut out = Vec::new();
                    for i in items {
                        match i {
                            toml::Value::String(s) => out.push(s),
                            _ => {
                                return Err(bad(
                                    span,
                                    format!("`{}` is a list of strings", opt.name),
                                    "not a string",
                                ))
                            }
                        }
                    }
                    crate::rule::OptionValue::StringList(out)
                }
                (kind, _) => {
                    return Err(bad(
                        span,
                        format!("`{}` is a {}", opt.name, kind.describe()),
                        "wrong type",
                    ))
                }
            };
            values.insert(opt.name.to_string(), v);
        }
        rule_options.insert(id, values);
    }

    let positive = |v: Option<Spanned<u64>>, default: u64| match v {
        Some(v) if *v.get_ref() == 0 => {
            Err(bad(v.span(), "a limit of 0".into(), "must be at least 1"))
        }
        Some(v) => Ok(*v.get_ref()),
        None => Ok(default),
    };
    let max_file_size = positive(options.max_file_size, DEFAULT_MAX_FILE_SIZE)?;
    // The configuration file may be the checked repository's own: it can lower the limit, never
    // raise it past the default (a deeper limit risks a stack overflow). Only the command line can.
    let configured = positive(
        options
            .max_nesting
            .map(|v| Spanned::new(v.span(), *v.get_ref() as u64)),
        crate::engine::MAX_NESTING as u64,
    )?;
    let max_nesting = match overrides.max_nesting {
        Some(n) => n,
        None => usize::try_from(configured)
            .unwrap_or(usize::MAX)
            .min(crate::engine::MAX_NESTING),
    };

    let service = options.service.unwrap_or_default();
    Ok(Settings {
        enabled,
        severity,
        fail_on,
        include_tests: overrides.include_tests || options.include_tests.unwrap_or(false),
        rust_prefilter: !overrides.no_prefilter,
        exclude,
        exclude_patterns,
        per_path_ignores,
        frameworks: service.frameworks.unwrap_or_default(),
        port_env: service.port_env.unwrap_or_else(|| vec!["PORT".to_string()]),
        inline_suppressions: !overrides.no_inline_suppressions,
        respect_ignore: !overrides.no_ignore,
        dot_ignore: !overrides.isolated,
        threads: overrides.threads.unwrap_or(0),
        max_file_size,
        max_nesting,
        config_path: source.map(|s| s.path.clone()),
        rule_options,
    })
}

fn glob(pat: &str) -> Result<Glob, globset::Error> {
    globset::GlobBuilder::new(pat.trim_end_matches('/'))
        .literal_separator(false)
        .build()
}

fn parse_fail_on(s: &str) -> Option<Option<Severity>> {
    if s.eq_ignore_ascii_case("never") {
        Some(None)
    } else {
        Severity::parse(s).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(toml_text: &str) -> Result<Settings, Error> {
        let src = ConfigSource {
            path: "twelve-check.toml".into(),
            text: toml_text.into(),
        };
        resolve(parse(&src)?, &Overrides::default(), Some(&src))
    }

    #[test]
    fn defaults_enable_stable_rules() {
        let s = settings("").expect("empty config is valid");
        assert!(s.is_enabled(RuleId::CommittedEnvFile));
        // Preview rules need `--preview` or their exact code.
        assert!(!s.is_enabled(RuleId::InMemorySessionStore));
        assert_eq!(s.fail_on, Some(Severity::Warning));
    }

    #[test]
    fn more_specific_selector_wins() {
        let s =
            settings("select = [\"config\"]\nignore = [\"TC03\"]\nextend-select = [\"TC0302\"]")
                .expect("valid");
        assert!(!s.is_enabled(RuleId::HardcodedSecret));
        assert!(s.is_enabled(RuleId::CredentialsInUrl));
        assert!(!s.is_enabled(RuleId::MissingLockfile));
        assert!(s.is_enabled(RuleId::UnparsableFile));
    }

    #[test]
    fn unknown_key_is_an_error_with_a_span() {
        let Err(Error::Config(e)) = settings("selekt = []") else {
            panic!("expected a config error");
        };
        assert_eq!(e.span.offset(), 0);
    }

    #[test]
    fn unknown_selector_points_at_the_value() {
        let text = "ignore = [\"TC0301\", \"TC9999\"]";
        let Err(Error::Config(e)) = settings(text) else {
            panic!("expected a config error");
        };
        let span = e.span;
        assert_eq!(
            &text[span.offset()..span.offset() + span.len()],
            "\"TC9999\""
        );
    }

    #[test]
    fn severity_overrides() {
        let s = settings("[severity]\nconfig = \"note\"\nTC0303 = \"warning\"").expect("valid");
        assert_eq!(s.severity[&RuleId::CommittedEnvFile], Severity::Warning);
        assert_eq!(
            s.severity[&RuleId::EnvironmentNameBranching],
            Severity::Note
        );
    }
}
