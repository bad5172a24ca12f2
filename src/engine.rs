//! The engine: walk, classify, read and parse each file once, dispatch it to the enabled rules
//! for its kind, gather repository facts, run the repo-level rules, apply suppressions and
//! per-path ignores, and sort. The output does not depend on thread timing.
//!
//! Manifests are processed first (in parallel) so that every Rust file knows whether its crate
//! is a service before its rules run.

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use aho_corasick::AhoCorasick;
use rayon::prelude::*;

use crate::config::Settings;
use crate::diagnostic::{fnv1a, Finding};
use crate::error::Error;
use crate::registry::RuleId;
use crate::rule::{Inputs, RepoCtx, RuleCtx, Violation};
use crate::source::compose::ComposeFile;
use crate::source::dockerfile::DockerFile;
use crate::source::dotenv::DotenvFile;
use crate::source::k8s::{self, K8sFile};
use crate::source::manifest::Manifest;
use crate::source::nginx::NginxConf;
use crate::source::prefilter::RustText;
use crate::source::procfile::Procfile;
use crate::source::run::{self, RunCommand};
use crate::source::rust::RustFile;
use crate::source::secrets::{self, Shown};
use crate::source::structured::StructuredFile;
use crate::source::test_modules::{test_scopes, TestScope};
use crate::source::{FileKind, ParseError, SourceFile, LOCKFILES};
use crate::suppress::{self, Suppression};
use crate::walk::{self, Entry, WalkOptions};

mod scope;

/// Crates whose presence as a dependency makes a binary crate a service.
pub const SERVICE_FRAMEWORKS: &[&str] = &[
    "axum",
    "actix-web",
    "rocket",
    "warp",
    "tonic",
    "poem",
    "salvo",
    "tide",
    "ntex",
    "loco-rs",
    "pavex",
    "tiny_http",
    "gotham",
    "rouille",
    "trillium",
    "viz",
    "dropshot",
    "xitca-web",
    "ohkami",
];

/// The rules whose findings are secrets: they run on every file, enabled or not, and what they
/// find is masked in every output (see [`crate::source::secrets`]).
const SECRET_RULES: [RuleId; 2] = [RuleId::HardcodedSecret, RuleId::CredentialsInUrl];

/// Default `max-nesting`: the deepest nesting parsed (see [`crate::source::depth`]); deeper
/// files are reported, not parsed. A configuration file can only lower it, the command line
/// can raise it.
pub const MAX_NESTING: usize = 2_000;

/// Most worker threads, whatever `-j` asks: [`worker_threads`] also stops at four per core. The
/// work is parsing (CPU) and reading; more threads than that only add start-up cost (each has a
/// 64 MiB stack reservation) and contention in the walk: `-j 1000` took 50 s on an empty folder.
pub const MAX_THREADS: usize = 256;

/// The number of worker threads for `-j requested` (0: one per core): at most four per core and
/// [`MAX_THREADS`]. The output does not depend on it.
pub fn worker_threads(requested: usize) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    if requested == 0 {
        cores.min(MAX_THREADS)
    } else {
        requested.min(cores.saturating_mul(4)).min(MAX_THREADS)
    }
}

/// A Rust crate found in the repository.
#[derive(Clone, Debug)]
pub struct CrateInfo {
    /// Directory of its `Cargo.toml` (`""` at the root).
    pub dir: String,
    /// Path of its `Cargo.toml`.
    pub manifest: String,
    /// Whether it has a binary target.
    pub has_bin: bool,
    /// Whether it looks like a service: a binary depending on a server framework.
    pub is_service: bool,
    /// Whether it is a service or a crate of the repository that one depends on.
    pub in_service: bool,
    /// Whether it sits in a developer-tool folder (`tools/`, `xtask/`): a tool run by hand,
    /// never the deployed service, even with a server dependency (an OAuth test harness).
    pub is_tool: bool,
}

/// Folders holding the developer's and operator's tools rather than the deployed app.
pub const TOOL_DIRS: &[&str] = &["tools", "xtask", "dev-tools", "devtools"];

/// Whether a crate folder lies in one of [`TOOL_DIRS`].
pub fn is_tool_dir(dir: &str) -> bool {
    dir.split('/').any(|c| TOOL_DIRS.contains(&c))
}

/// Everything known about the repository after the walk, for repo-level rules.
#[derive(Default)]
pub struct RepoIndex {
    /// Every file walked, relative, sorted.
    pub files: Vec<String>,
    /// Files known to exist, including lockfiles hidden by `.gitignore`.
    pub present: HashSet<String>,
    /// Every manifest parsed.
    pub manifests: Vec<Manifest>,
    /// Every Cargo package.
    pub crates: Vec<CrateInfo>,
    /// Facts recorded by per-file rules, sorted by (rule, path, span).
    pub facts: Vec<Fact>,
    /// The `.gitignore` files of the tree, deepest folder last.
    pub gitignores: Vec<IgnoreFile>,
    /// The files git tracks, when the git index was read: `.gitignore` patterns hide only the
    /// others.
    pub tracked: Option<Arc<walk::Tracked>>,
    /// Whether the checked root is inside a git work tree.
    pub in_git: bool,
    /// How many folders above the checked root the git work tree starts (0: at the root).
    pub git_top: Option<usize>,
    /// Whether test, example and fixture files are checked (`--include-tests`).
    pub include_tests: bool,
    /// Every setting with a role and where it ships (built after the walk, when a rule asks
    /// for it).
    pub settings: crate::settings::SettingsModel,
}

/// Something a rule noticed in one file and decides on after the walk, when it has seen every
/// file: a server started in `main.rs` and a SIGTERM handler in another module, a loopback bind
/// and a Dockerfile. Each rule reads back the facts it recorded itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fact {
    /// The rule that recorded it.
    pub rule: RuleId,
    /// What kind of fact, in the rule's own terms (a constant of the rule's file).
    pub kind: &'static str,
    /// The file, relative to the root.
    pub path: String,
    /// Where in the file.
    pub span: Range<usize>,
    /// Directory of the Cargo package the file belongs to, if any.
    pub krate: Option<String>,
    /// Free detail (a tool name, an address).
    pub detail: String,
}

impl RepoIndex {
    /// The facts recorded by `rule`.
    pub fn facts(&self, rule: RuleId) -> impl Iterator<Item = &Fact> {
        let start = self.facts.partition_point(|f| f.rule < rule);
        self.facts[start..]
            .iter()
            .take_while(move |f| f.rule == rule)
    }

    /// The crate whose directory is `dir`.
    pub fn crate_at(&self, dir: &str) -> Option<&CrateInfo> {
        self.crates.iter().find(|c| c.dir == dir)
    }

    /// Whether a file exists at `path` (relative).
    pub fn exists(&self, path: &str) -> bool {
        self.present.contains(path)
    }

    /// The `.gitignore` line that ignores `path` (relative to the root), as (the `.gitignore`
    /// path, its 1-based line), when the deepest `.gitignore` with an opinion ignores it and git
    /// does not track the file (a pattern does not hide a tracked file).
    pub fn ignored_by(&self, path: &str) -> Option<(&str, usize)> {
        if self.tracked(path) == Some(true) {
            return None;
        }
        self.pattern_ignoring(path)
    }

    /// The `.gitignore` line whose pattern matches `path`, as [`RepoIndex::ignored_by`], whether
    /// or not git tracks the file.
    pub fn pattern_ignoring(&self, path: &str) -> Option<(&str, usize)> {
        for g in self.gitignores.iter().rev() {
            let within = if g.dir.is_empty() {
                path
            } else {
                match path.strip_prefix(&format!("{}/", g.dir)) {
                    Some(p) => p,
                    None => continue,
                }
            };
            match g.matcher.matched_path_or_any_parents(within, false) {
                ignore::Match::None => continue,
                ignore::Match::Whitelist(_) => return None,
                ignore::Match::Ignore(glob) => {
                    let o = glob.original();
                    let line = g
                        .text
                        .lines()
                        .position(|l| l.trim_end() == o || l.trim() == o)
                        .map_or(1, |i| i + 1);
                    return Some((&g.path, line));
                }
            }
        }
        None
    }

    /// Whether `path` is ignored by a `.gitignore` of the tree and not tracked.
    pub fn is_ignored(&self, path: &str) -> bool {
        self.ignored_by(path).is_some()
    }

    /// Whether git tracks the file `path`; `None` when not known (outside a git work tree, or
    /// its index was not read).
    pub fn tracked(&self, path: &str) -> Option<bool> {
        self.tracked.as_ref().and_then(|t| t.state(path))
    }

    /// The innermost crate containing `path`.
    pub fn crate_of(&self, path: &str) -> Option<&CrateInfo> {
        innermost_crate(&self.crates, path)
    }
}

/// The innermost crate whose folder holds `path` (no allocation: this runs per file).
fn innermost_crate<'c>(crates: &'c [CrateInfo], path: &str) -> Option<&'c CrateInfo> {
    // `crates` is sorted by folder: look each ancestor folder up, deepest first.
    let find = |dir: &str| {
        crates
            .binary_search_by(|c| c.dir.as_str().cmp(dir))
            .ok()
            .map(|i| &crates[i])
    };
    let mut end = path.len();
    while let Some(slash) = path[..end].rfind('/') {
        if let Some(c) = find(&path[..slash]) {
            return Some(c);
        }
        end = slash;
    }
    find("")
}

/// One `.gitignore` file, parsed with the `ignore` crate's matcher (no filesystem access: the
/// engine hands it the text).
pub struct IgnoreFile {
    /// Path of the `.gitignore`.
    pub path: String,
    /// Its folder (`""` at the root).
    pub dir: String,
    /// Its text.
    pub text: String,
    /// The compiled patterns (shared with every `.gitignore` of the same content).
    pub matcher: Arc<ignore::gitignore::Gitignore>,
}

impl IgnoreFile {
    /// Compiles the `.gitignore` at `path` with `text`.
    pub fn new(path: &str, text: &str) -> IgnoreFile {
        let mut b = ignore::gitignore::GitignoreBuilder::new("");
        for line in text.lines() {
            // A bad pattern is skipped, as git does.
            let _ = b.add_line(None, line);
        }
        let matcher = b
            .build()
            .unwrap_or_else(|_| ignore::gitignore::Gitignore::empty());
        IgnoreFile::with_matcher(path, text, Arc::new(matcher))
    }

    /// The `.gitignore` at `path` with `text`, already compiled.
    pub fn with_matcher(
        path: &str,
        text: &str,
        matcher: Arc<ignore::gitignore::Gitignore>,
    ) -> IgnoreFile {
        IgnoreFile {
            path: path.to_string(),
            dir: path.rsplit_once('/').map_or("", |(d, _)| d).to_string(),
            text: text.to_string(),
            matcher,
        }
    }
}

/// A violation a repo-level rule reported, before it is located.
#[derive(Debug)]
pub struct RepoViolation {
    /// The rule.
    pub rule: RuleId,
    /// The file, relative to the root.
    pub path: String,
    /// The violation.
    pub violation: Violation,
}

/// The result of checking one or more roots.
#[derive(Debug, Default)]
pub struct Report {
    /// Findings, sorted by (path, line, column, code).
    pub findings: Vec<Finding>,
    /// Files looked at.
    pub files_checked: usize,
    /// Rust files parsed with syn (no enabled rule could fire on the rest).
    pub rust_parsed: usize,
    /// Wall time of each phase of the run, summed over roots (for `-v`).
    pub phases: Vec<(&'static str, std::time::Duration)>,
    /// Findings silenced by inline suppressions.
    pub suppressed: usize,
    /// The enabled rules.
    pub enabled: Vec<RuleId>,
    /// Things the run did not check, said once at the end (Helm templates).
    pub notes: Vec<String>,
    /// Findings dropped because the baseline holds them.
    pub baselined: usize,
    /// Baseline entries that matched no finding (fixed, or their line changed).
    pub stale_baseline: usize,
}

/// Per-kind dispatch tables and the Rust prefilter, built once per run.
struct Dispatch {
    rust: Vec<RuleId>,
    text: Vec<RuleId>,
    structured: Vec<RuleId>,
    dockerfile: Vec<RuleId>,
    dotenv: Vec<RuleId>,
    procfile: Vec<RuleId>,
    compose: Vec<RuleId>,
    k8s: Vec<RuleId>,
    nginx: Vec<RuleId>,
    run: Vec<RuleId>,
    repo: Vec<RuleId>,
    /// Whether an enabled rule reads the settings model.
    settings: bool,
    /// One trigger scan per kind of crate (see [`crate_kind`]), built on first use from the
    /// rules whose crate scope admits that kind: a library's files are not searched for the
    /// triggers of service-only rules.
    scans: [std::sync::OnceLock<Option<TriggerScan>>; 8],
}

/// The trigger tokens of the Rust rules admitted for one kind of crate.
struct TriggerScan {
    /// Bit i: rule `rust[i]` is admitted.
    admitted: u64,
    ac: AhoCorasick,
    /// For each pattern, the rules it triggers (bit i is `rust[i]`), including the rules of
    /// every pattern inside it.
    masks: Vec<u64>,
}

/// The crate flags the crate scopes look at, as an index into `Dispatch::scans`.
fn crate_kind(krate: Option<&CrateInfo>) -> usize {
    krate.map_or(0, |k| {
        usize::from(k.has_bin) | usize::from(k.in_service) << 1 | usize::from(k.is_service) << 2
    })
}

impl TriggerScan {
    fn new(rust: &[RuleId], kind: usize) -> Option<TriggerScan> {
        let probe = CrateInfo {
            dir: String::new(),
            manifest: String::new(),
            has_bin: kind & 1 != 0,
            in_service: kind & 2 != 0,
            is_service: kind & 4 != 0,
            is_tool: false,
        };
        let krate = (kind != 0).then_some(&probe);
        let mut admitted = 0u64;
        let mut triggers: Vec<&str> = Vec::new();
        let mut rules: Vec<u64> = Vec::new();
        for (i, id) in rust.iter().enumerate() {
            if !id.rule().crate_scope().admits(krate) {
                continue;
            }
            admitted |= 1 << i;
            for t in id.rule().rust_triggers() {
                match triggers.iter().position(|x| x.eq_ignore_ascii_case(t)) {
                    Some(p) => rules[p] |= 1 << i,
                    None => {
                        triggers.push(t);
                        rules.push(1 << i);
                    }
                }
            }
        }
        if triggers.is_empty() {
            return None;
        }
        // The scan reports the longest match at each position; a shorter trigger starting there
        // is a prefix of it, so a pattern's mask carries the rules of every pattern inside it.
        let lower: Vec<String> = triggers.iter().map(|t| t.to_ascii_lowercase()).collect();
        let masks = lower
            .iter()
            .map(|outer| {
                lower
                    .iter()
                    .zip(&rules)
                    .filter(|(inner, _)| outer.contains(inner.as_str()))
                    .fold(0, |m, (_, r)| m | r)
            })
            .collect();
        let ac = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(aho_corasick::MatchKind::LeftmostLongest)
            .kind(Some(aho_corasick::AhoCorasickKind::DFA))
            .build(&triggers)
            .ok()?;
        Some(TriggerScan {
            admitted,
            ac,
            masks,
        })
    }
}

impl Dispatch {
    /// The Rust rules that could fire on `text` in `krate`: those its crate scope admits, with a
    /// trigger token present, whose finer check agrees. Empty means: do not parse.
    fn rust_candidates(&self, text: &str, krate: Option<&CrateInfo>) -> Vec<RuleId> {
        let kind = crate_kind(krate);
        let Some(scan) = self.scans[kind]
            .get_or_init(|| TriggerScan::new(&self.rust, kind))
            .as_ref()
        else {
            return Vec::new();
        };
        let mut seen = 0u64;
        // Every position where some trigger starts, with the longest trigger there: the same set
        // of triggers as an overlapping scan, but each search can skip ahead with the
        // automaton's prefilter instead of stepping through every byte.
        let mut input = aho_corasick::Input::new(text);
        while let Some(m) = scan.ac.find(input.clone()) {
            seen |= scan.masks[m.pattern().as_usize()];
            if seen == scan.admitted || m.start() + 1 >= text.len() {
                break;
            }
            input.set_start(m.start() + 1);
        }
        let hit = seen & scan.admitted;
        if hit == 0 {
            return Vec::new();
        }
        let mut text = RustText::new(text);
        text.in_service_crate = krate.is_some_and(|c| c.is_service);
        self.rust
            .iter()
            .enumerate()
            .filter(|&(i, id)| hit & (1 << i) != 0 && id.rule().rust_wants(&text))
            .map(|(_, id)| *id)
            .collect()
    }

    fn new(settings: &Settings) -> Self {
        // The secret rules run on every file whether they are enabled or not: what they find is
        // masked in every output (their findings are reported only when enabled).
        let pick = |f: fn(&Inputs) -> bool| -> Vec<RuleId> {
            let mut ids: Vec<RuleId> = settings
                .enabled
                .iter()
                .copied()
                .chain(SECRET_RULES.iter().copied())
                .filter(|id| f(&id.rule().inputs()))
                .collect();
            ids.sort();
            ids.dedup();
            ids
        };
        let pick_enabled = |f: fn(&Inputs) -> bool| -> Vec<RuleId> {
            settings
                .enabled
                .iter()
                .copied()
                .filter(|id| f(&id.rule().inputs()))
                .collect()
        };
        let mut rust = pick_enabled(|i| i.rust);
        // One bit per Rust rule in the prefilter's masks: more Rust rules than bits would be a
        // programming error caught by the tests, not a user error.
        debug_assert!(rust.len() <= 64, "more Rust rules than prefilter bits");
        rust.truncate(64);
        Dispatch {
            rust,
            text: pick(|i| i.text),
            structured: pick(|i| i.structured),
            dockerfile: pick(|i| i.dockerfile),
            dotenv: pick(|i| i.dotenv),
            procfile: pick_enabled(|i| i.procfile),
            compose: pick_enabled(|i| i.compose),
            k8s: pick_enabled(|i| i.k8s),
            nginx: pick_enabled(|i| i.nginx),
            run: pick_enabled(|i| i.run),
            repo: pick_enabled(|i| i.repo),
            settings: !pick_enabled(|i| i.settings).is_empty(),
            scans: Default::default(),
        }
    }
}

/// What processing one file produced.
#[derive(Default)]
struct FileOutcome {
    rel: String,
    findings: Vec<Finding>,
    suppressions: Vec<Suppression>,
    manifest: Option<Manifest>,
    facts: Vec<Fact>,
    rust_parsed: bool,
    /// Scripts in the repository that this Dockerfile's start commands run.
    entry_scripts: Vec<String>,
    /// Findings about a shell script as a container entrypoint: kept only when a Dockerfile runs
    /// the script.
    pending: Vec<Finding>,
    /// A Helm template, not parsed.
    helm_template: bool,
    /// The text, kept when the file has findings or suppressions (snippets, TC0001).
    source: Option<FileText>,
    /// Rust files this one proves to be test code (`#![cfg(test)]`, `#[cfg(test)] mod x;`).
    test_scopes: Vec<TestScope>,
    /// Its settings and what it says about other files, for the settings model.
    settings: crate::settings::FileSettings,
}

impl FileOutcome {
    /// Nothing to report, remember or correlate.
    fn is_empty(&self) -> bool {
        self.findings.is_empty()
            && self.suppressions.is_empty()
            && self.manifest.is_none()
            && self.facts.is_empty()
            && self.entry_scripts.is_empty()
            && self.pending.is_empty()
            && !self.helm_template
            && self.source.is_none()
            && self.test_scopes.is_empty()
            && self.settings.is_empty()
    }
}

/// A file's text as findings are located in it (`raw`, never shown) and as it may be shown
/// (`shown`: secrets masked, or nothing at all), with the secret values to redact from messages.
struct FileText {
    raw: Arc<str>,
    lines: crate::source::LineIndex,
    shown: Shown,
}

impl FileText {
    /// A file with no text: findings about it have no snippet.
    fn empty() -> FileText {
        let raw: Arc<str> = "".into();
        FileText {
            lines: crate::source::LineIndex::new(&raw),
            raw,
            shown: Shown::default(),
        }
    }
}

struct RootCtx<'a> {
    /// The opened root files are read from; `None` for bytes checked in memory.
    root: Option<&'a walk::Root>,
    /// What is reported, and how paths are shown.
    scope: &'a scope::Scope,
    settings: &'a Settings,
    dispatch: &'a Dispatch,
    crates: Vec<CrateInfo>,
}

/// Checks every root with `settings`.
pub fn check(roots: &[PathBuf], settings: &Settings) -> Result<Report, Error> {
    let threads = worker_threads(settings.threads);
    // syn recurses once per nesting level: parse on threads with a large stack.
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .stack_size(64 * 1024 * 1024)
        .build()
        .map_err(|e| Error::Usage(format!("cannot start worker threads: {e}")))?;
    let dispatch = Dispatch::new(settings);
    let mut report = Report {
        enabled: settings.enabled.clone(),
        ..Report::default()
    };
    let mut plans = scope::plan(roots, &mut report.notes)?;
    let mut next = 0;
    while next < plans.len() {
        let started = std::time::Instant::now();
        let plan = &plans[next];
        next += 1;
        let root = plan.root().to_path_buf();
        let opened = match walk::Root::open(&root) {
            Ok(o) => o,
            // A repository's top that cannot be listed: its given paths are checked on their own.
            Err(_) if plan.whole.is_none() => {
                let alone: Vec<scope::Plan> = plan.given.iter().map(scope::Plan::alone).collect();
                plans.extend(alone);
                continue;
            }
            Err(source) => {
                return Err(Error::Io {
                    path: root.display().to_string(),
                    source,
                })
            }
        };
        let walked = pool.install(|| {
            walk::walk(
                &opened,
                &WalkOptions {
                    respect_ignore: settings.respect_ignore,
                    dot_ignore: settings.dot_ignore,
                    exclude: &settings.exclude,
                },
            )
        });
        let (scope, alone) = plan.settle(&walked.entries, opened.is_file());
        plans.extend(alone);
        let Some(scope) = scope else {
            continue;
        };
        pool.install(|| {
            check_root(
                &opened,
                walked,
                &scope,
                settings,
                &dispatch,
                &mut report,
                started,
            )
        });
    }
    report.findings.sort_by(|a, b| {
        (&a.path, a.line, a.column, a.rule, &a.message)
            .cmp(&(&b.path, b.line, b.column, b.rule, &b.message))
    });
    assign_fingerprints(&mut report.findings);
    Ok(report)
}

/// Runs the per-file pipeline (decode, parse once, every rule that judges one file, inline
/// suppressions) on bytes held in memory, as if `rel` were a file of a service crate at the root
/// of an otherwise empty repository. Repo-level rules do not run. No I/O: for fuzzing and tests.
pub fn check_bytes(rel: &str, bytes: &[u8], settings: &Settings) -> Vec<Finding> {
    let dispatch = Dispatch::new(settings);
    let scope = scope::Scope::whole(String::new());
    let ctx = RootCtx {
        root: None,
        scope: &scope,
        settings,
        dispatch: &dispatch,
        crates: vec![CrateInfo {
            dir: String::new(),
            manifest: "Cargo.toml".into(),
            has_bin: true,
            is_service: true,
            in_service: true,
            is_tool: false,
        }],
    };
    let index = RepoIndex {
        files: vec![rel.to_string()],
        present: std::iter::once(rel.to_string()).collect(),
        include_tests: settings.include_tests,
        crates: ctx.crates.clone(),
        ..RepoIndex::default()
    };
    let kind = FileKind::classify(rel);
    let krate = ctx.crates.first();
    let outcome = process_bytes(rel, kind, krate, bytes.to_vec(), &ctx, &index);
    let mut report = Report::default();
    apply_suppressions(outcome, &ctx, &mut report);
    report.findings
}

fn display_prefix(root: &Path) -> String {
    let s = root.to_string_lossy().replace('\\', "/");
    let s = s.trim_end_matches('/');
    let s = s.strip_prefix("./").unwrap_or(s);
    if s == "." || s.is_empty() {
        String::new()
    } else {
        format!("{s}/")
    }
}

/// Files per rayon job at most. Without a bound rayon may leave a long run of files to one
/// thread at the end (1,668 files, a fifth of the wall time on the corpus, were seen so) while
/// the other waits; per-file work is large enough that small jobs cost nothing measurable.
const FILES_PER_JOB: usize = 16;

fn check_root(
    opened: &walk::Root,
    walked: walk::Walked,
    scope: &scope::Scope,
    settings: &Settings,
    dispatch: &Dispatch,
    report: &mut Report,
    started: std::time::Instant,
) {
    let mut clock = started;
    let mut phase = |report: &mut Report, name: &'static str| {
        let now = std::time::Instant::now();
        let spent = now - clock;
        clock = now;
        match report.phases.iter_mut().find(|(n, _)| *n == name) {
            Some((_, d)) => *d += spent,
            None => report.phases.push((name, spent)),
        }
    };
    let (entries, issues, matchers, tracked) = (
        walked.entries,
        walked.issues,
        walked.matchers,
        walked.tracked,
    );
    report.notes.extend(walked.notes);
    let in_scope = entries.iter().filter(|e| scope.covers(&e.rel)).count();
    report.notes.extend(scope.note(in_scope, entries.len()));
    let mut ctx = RootCtx {
        root: Some(opened),
        scope,
        settings,
        dispatch,
        crates: Vec::new(),
    };

    // Phase 0: what is known before any rule runs: the paths, `.gitignore` rules, git.
    let mut index = RepoIndex {
        files: entries.iter().map(|e| e.rel.clone()).collect(),
        git_top: opened.git_depth(),
        include_tests: settings.include_tests,
        tracked,
        ..RepoIndex::default()
    };
    index.in_git = index.git_top.is_some();
    index.present = index.files.iter().cloned().collect();
    for e in &entries {
        if FileKind::classify(&e.rel) == FileKind::Gitignore {
            if let Ok(walk::ReadOutcome::Bytes(b)) = opened.read(&e.abs, walk::IGNORE_FILE_LIMIT) {
                let text = String::from_utf8_lossy(&b);
                let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
                // Compiled by the walk already, or within its budget (the walk's notes name a
                // file over a limit).
                if let Some(m) = matchers.matcher(text) {
                    index
                        .gitignores
                        .push(IgnoreFile::with_matcher(&e.rel, text, m));
                }
            }
        }
    }
    // Shallow folders first, so that deeper `.gitignore` files win.
    index.gitignores.sort_by_key(|g| {
        (
            g.dir.matches('/').count() + usize::from(!g.dir.is_empty()),
            g.dir.clone(),
        )
    });

    phase(report, "walk and .gitignore");

    // Phase 1: manifests, so that every file knows its crate.
    let (manifest_entries, other_entries): (Vec<&Entry>, Vec<&Entry>) = entries
        .iter()
        .partition(|e| FileKind::classify(&e.rel).is_manifest());
    // Outcomes with nothing in them are dropped as they come: memory follows what the files
    // say, not how many there are.
    let parsed = std::sync::atomic::AtomicUsize::new(0);
    let keep = |o: FileOutcome| -> Option<FileOutcome> {
        if o.rust_parsed {
            parsed.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        (!o.is_empty()).then_some(o)
    };
    let manifest_outcomes: Vec<FileOutcome> = manifest_entries
        .par_iter()
        .with_max_len(FILES_PER_JOB)
        .filter_map(|e| keep(process_file(e, &ctx, &index)))
        .collect();
    index.manifests = manifest_outcomes
        .iter()
        .filter_map(|o| o.manifest.clone())
        .collect();
    ctx.crates = crates(&index, settings);
    index.crates = ctx.crates.clone();
    probe_lockfiles(opened, &mut index);

    phase(report, "manifests");

    // Phase 2: everything else.
    let other_outcomes: Vec<FileOutcome> = other_entries
        .par_iter()
        .with_max_len(FILES_PER_JOB)
        .filter_map(|e| keep(process_file(e, &ctx, &index)))
        .collect();
    report.rust_parsed += parsed.into_inner();

    let mut outcomes: Vec<FileOutcome> = manifest_outcomes;
    outcomes.extend(other_outcomes);
    drop_test_modules(&mut outcomes);
    index.facts = outcomes
        .iter_mut()
        .flat_map(|o| std::mem::take(&mut o.facts))
        .collect();
    index.facts.sort_by(|a, b| {
        (a.rule, &a.path, a.span.start, a.span.end, a.kind, &a.detail).cmp(&(
            b.rule,
            &b.path,
            b.span.start,
            b.span.end,
            b.kind,
            &b.detail,
        ))
    });
    report.files_checked += in_scope;
    if dispatch.settings {
        let found: Vec<crate::settings::FileSettings> = outcomes
            .iter_mut()
            .map(|o| std::mem::take(&mut o.settings))
            .collect();
        index.settings = crate::settings::SettingsModel::build(found, &index);
    }

    phase(report, "other files");

    // Repo-level rules.
    // Independent of each other: run side by side, gathered in rule order.
    let repo_violations: Vec<RepoViolation> = dispatch
        .repo
        .par_iter()
        .map(|&id| {
            let mut out = Vec::new();
            let mut cx = RepoCtx {
                rule: id,
                out: &mut out,
                options: settings.rule_options.get(&id),
            };
            id.rule().check_repo(&index, &mut cx);
            out
        })
        .flatten_iter()
        .collect();
    let mut by_path: HashMap<String, usize> = outcomes
        .iter()
        .enumerate()
        .map(|(i, o)| (o.rel.clone(), i))
        .collect();
    // One empty text for the findings on files whose text was not kept.
    let no_text = FileText::empty();
    for rv in repo_violations {
        let i = match by_path.get(&rv.path) {
            Some(&i) => i,
            None if index.files.binary_search(&rv.path).is_ok() => {
                outcomes.push(FileOutcome {
                    rel: rv.path.clone(),
                    ..FileOutcome::default()
                });
                by_path.insert(rv.path.clone(), outcomes.len() - 1);
                outcomes.len() - 1
            }
            None => continue,
        };
        let outcome = &mut outcomes[i];
        // Manifests always keep their text; other files only when they have something to say.
        // A finding about a file as a whole (TC1104) may land on one whose text was not kept.
        // Borrowed, not cloned: a copy of the line index per finding was quadratic.
        let text = outcome.source.as_ref().unwrap_or(&no_text);
        let f = locate(
            rv.rule,
            &rv.violation,
            &rv.path,
            &ctx.scope.shown(&rv.path),
            text,
            settings,
        );
        outcome.findings.push(f);
    }

    phase(report, "repository rules");

    for issue in issues {
        if settings.is_enabled(RuleId::UnparsableFile) && scope.covers(&issue.rel) {
            let hash = line_hash(RuleId::UnparsableFile, &issue.rel, &FileText::empty(), 1);
            report.findings.push(Finding {
                rule: RuleId::UnparsableFile,
                severity: settings.severity[&RuleId::UnparsableFile],
                path: scope.shown(&issue.rel),
                rel_path: issue.rel,
                span: 0..0,
                line: 1,
                column: 1,
                end_line: 1,
                end_column: 1,
                message: secrets::redact(&issue.message, &[]),
                label: None,
                help: Some("fix the permissions or remove the broken entry".into()),
                secret: false,
                fingerprint: String::new(),
                line_hash: hash,
                source: None,
            });
        }
    }

    // Entrypoint scripts: their run-command findings count when a Dockerfile runs them.
    let scripts: HashSet<&str> = outcomes
        .iter()
        .flat_map(|o| o.entry_scripts.iter().map(String::as_str))
        .collect();
    let scripts: HashSet<String> = scripts.into_iter().map(str::to_string).collect();
    let mut helm: Vec<&str> = Vec::new();
    for o in &outcomes {
        if o.helm_template && scope.covers(&o.rel) {
            helm.push(&o.rel);
        }
    }
    if !helm.is_empty() {
        let mut charts: Vec<&str> = helm
            .iter()
            .map(|p| p.rsplit_once("/templates/").map_or("", |(c, _)| c))
            .collect();
        charts.dedup();
        report.notes.push(format!(
            "skipped {} Helm template{} in {}: render them (`helm template`) and check the output",
            helm.len(),
            if helm.len() == 1 { "" } else { "s" },
            charts
                .iter()
                .map(|c| scope.shown(c).trim_end_matches('/').to_string())
                .map(|c| if c.is_empty() { ".".to_string() } else { c })
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }

    for mut outcome in outcomes {
        if scripts.contains(&outcome.rel) {
            let pending = std::mem::take(&mut outcome.pending);
            outcome.findings.extend(pending);
        }
        apply_suppressions(outcome, &ctx, report);
    }
    phase(report, "suppressions");
}

fn crates(index: &RepoIndex, settings: &Settings) -> Vec<CrateInfo> {
    let files: HashSet<&str> = index.files.iter().map(String::as_str).collect();
    // Folders (with their `/`) holding a `src/bin/*.rs`: one pass over the paths, not one per
    // manifest.
    let mut bin_dirs: HashSet<&str> = HashSet::new();
    for f in index.files.iter().filter(|f| f.ends_with(".rs")) {
        for (i, _) in f.match_indices("src/bin/") {
            if i == 0 || f.as_bytes()[i - 1] == b'/' {
                bin_dirs.insert(&f[..i]);
            }
        }
    }
    let packages: Vec<&Manifest> = index
        .manifests
        .iter()
        .filter(|m| m.path.ends_with("Cargo.toml") && m.is_package)
        .collect();
    let mut out: Vec<CrateInfo> = packages
        .iter()
        .map(|m| {
            let base = if m.dir.is_empty() {
                String::new()
            } else {
                format!("{}/", m.dir)
            };
            let has_bin = m.declares_bin
                || files.contains(format!("{base}src/main.rs").as_str())
                || bin_dirs.contains(base.as_str());
            let is_tool = is_tool_dir(&m.dir);
            let is_service = has_bin
                && !is_tool
                && m.dependencies.iter().any(|d| {
                    let name = d.name.replace('_', "-");
                    SERVICE_FRAMEWORKS
                        .iter()
                        .any(|f| f.replace('_', "-") == name)
                        || settings
                            .frameworks
                            .iter()
                            .any(|f| f.replace('_', "-") == name)
                        || (name == "hyper"
                            && d.features.iter().any(|f| f == "server" || f == "full"))
                });
            CrateInfo {
                dir: m.dir.clone(),
                manifest: m.path.clone(),
                has_bin,
                is_service,
                in_service: is_service,
                is_tool,
            }
        })
        .collect();
    // The crates of the repository a service depends on, transitively, by package name.
    let by_name: HashMap<&str, usize> = packages
        .iter()
        .enumerate()
        .filter_map(|(i, m)| m.name.as_deref().map(|n| (n, i)))
        .collect();
    let mut todo: Vec<usize> = (0..out.len()).filter(|&i| out[i].is_service).collect();
    while let Some(i) = todo.pop() {
        for d in &packages[i].dependencies {
            if let Some(&j) = by_name.get(d.name.as_str()) {
                if !out[j].in_service {
                    out[j].in_service = true;
                    todo.push(j);
                }
            }
        }
    }
    // Sorted by folder, for `innermost_crate`'s binary search.
    out.sort_by(|a, b| a.dir.cmp(&b.dir));
    out
}

/// Lockfiles may be hidden from the walk by `.gitignore`; they still count as present (a
/// symbolic link does not).
fn probe_lockfiles(root: &walk::Root, index: &mut RepoIndex) {
    if root.is_file() {
        return;
    }
    let mut dirs: HashSet<String> = HashSet::new();
    for m in &index.manifests {
        let mut d = m.dir.as_str();
        loop {
            dirs.insert(d.to_string());
            match d.rsplit_once('/') {
                Some((parent, _)) => d = parent,
                None if !d.is_empty() => d = "",
                None => break,
            }
        }
    }
    let probes: Vec<String> = dirs
        .iter()
        .flat_map(|d| {
            LOCKFILES.iter().map(move |name| {
                if d.is_empty() {
                    name.to_string()
                } else {
                    format!("{d}/{name}")
                }
            })
        })
        .filter(|rel| !index.present.contains(rel))
        .collect();
    // One stat each, thousands in a vendored tree: in parallel.
    let found: Vec<String> = probes
        .into_par_iter()
        .filter(|rel| root.is_regular(rel))
        .collect();
    index.present.extend(found);
}

/// Folder names whose contents are tests, test infrastructure, examples, fixtures or the
/// developer's environment (`.devcontainer/`): out of scope by default.
pub const TEST_DIRS: &[&str] = &[
    "tests",
    "test",
    "testdata",
    "test-data",
    "test_data",
    "__tests__",
    "benches",
    "examples",
    "example",
    "fixtures",
    "e2e",
    "cypress",
    "playwright",
    "integration-tests",
    "integration_tests",
    "load-tests",
    "load_tests",
    "loadtest",
    "fuzz",
    ".devcontainer",
];

/// Empties the outcomes of Rust files that other files prove to be test code (modules declared
/// only under `#[cfg(test)]`, and their submodules): known only once every file is read.
fn drop_test_modules(outcomes: &mut [FileOutcome]) {
    let scopes: Vec<TestScope> = outcomes
        .iter_mut()
        .flat_map(|o| std::mem::take(&mut o.test_scopes))
        .collect();
    if scopes.is_empty() {
        return;
    }
    for o in outcomes.iter_mut() {
        if o.rel.ends_with(".rs") && scopes.iter().any(|s| s.covers(&o.rel)) {
            *o = FileOutcome {
                rel: std::mem::take(&mut o.rel),
                ..FileOutcome::default()
            };
        }
    }
}

/// Whether a file is test, example, bench or build-script material.
pub fn is_test_path(rel: &str, krate: Option<&CrateInfo>) -> bool {
    let within = match krate {
        Some(c) if !c.dir.is_empty() => rel.strip_prefix(&format!("{}/", c.dir)).unwrap_or(rel),
        _ => rel,
    };
    within == "build.rs"
        || crate::source::is_test_file(rel)
        || rel.split('/').rev().skip(1).any(|c| TEST_DIRS.contains(&c))
}

fn process_file(entry: &Entry, ctx: &RootCtx<'_>, index: &RepoIndex) -> FileOutcome {
    let settings = ctx.settings;
    let kind = FileKind::classify(&entry.rel);
    let krate = innermost_crate(&ctx.crates, &entry.rel);
    if kind == FileKind::Lockfile || (!settings.include_tests && is_test_path(&entry.rel, krate)) {
        return FileOutcome {
            rel: entry.rel.clone(),
            ..FileOutcome::default()
        };
    }
    let unparsable = |msg: String| unparsable(&entry.rel, msg, ctx);
    let Some(root) = ctx.root else {
        return unparsable("could not read: no root".into());
    };
    let bytes = match root.read(&entry.abs, settings.max_file_size) {
        Ok(walk::ReadOutcome::Bytes(b)) => b,
        Ok(walk::ReadOutcome::Refused(why)) => return unparsable(format!("skipped: {why}")),
        Ok(walk::ReadOutcome::TooLarge(n)) => {
            if kind == FileKind::Other {
                return FileOutcome {
                    rel: entry.rel.clone(),
                    ..FileOutcome::default()
                };
            }
            return unparsable(format!(
                "skipped: {n} bytes is over the {} byte file size limit",
                settings.max_file_size
            ));
        }
        Err(e) => return unparsable(format!("could not read: {e}")),
    };
    process_bytes(&entry.rel, kind, krate, bytes, ctx, index)
}

/// A file that could not be read or parsed at all: one TC0002 finding at its top.
fn unparsable(rel: &str, msg: String, ctx: &RootCtx<'_>) -> FileOutcome {
    let mut o = FileOutcome {
        rel: rel.to_string(),
        ..FileOutcome::default()
    };
    if ctx.settings.is_enabled(RuleId::UnparsableFile) {
        o.findings.push(locate(
            RuleId::UnparsableFile,
            &Violation::new(0..0, msg),
            rel,
            &ctx.scope.shown(rel),
            &FileText::empty(),
            ctx.settings,
        ));
    }
    o
}

/// Everything after the read: decoding, parsing once, the rules, suppressions. No I/O.
fn process_bytes(
    rel: &str,
    kind: FileKind,
    krate: Option<&CrateInfo>,
    bytes: Vec<u8>,
    ctx: &RootCtx<'_>,
    index: &RepoIndex,
) -> FileOutcome {
    let settings = ctx.settings;
    let mut out = FileOutcome {
        rel: rel.to_string(),
        ..FileOutcome::default()
    };
    let unparsable = |msg: String| unparsable(rel, msg, ctx);
    if bytes[..bytes.len().min(8192)].contains(&0) {
        if kind == FileKind::Other {
            return out;
        }
        return unparsable("skipped: binary content (NUL bytes) in a file of a known kind".into());
    }
    // Text that is not what the file holds (invalid UTF-8 replaced) is never shown.
    let mut lossy = false;
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) if kind == FileKind::Other => {
            lossy = true;
            String::from_utf8_lossy(e.as_bytes()).into_owned()
        }
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let line = 1 + e.as_bytes()[..at].iter().filter(|&&b| b == b'\n').count();
            return unparsable(format!(
                "skipped: not valid UTF-8 (first bad byte on line {line}, byte offset {at})"
            ));
        }
    };
    // A script without an extension (`bin/start`) is known by its shebang.
    let bare = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let kind = if kind == FileKind::Other && crate::source::is_shell_shebang(bare) {
        FileKind::Shell
    } else {
        kind
    };
    if kind == FileKind::Rust && !settings.include_tests {
        out.test_scopes = test_scopes(rel, &text);
        // A file that is test code itself is out of scope like `tests/`.
        if out.test_scopes.iter().any(|s| s.file == rel) {
            return out;
        }
    }
    let d = ctx.dispatch;
    if kind == FileKind::Rust && d.settings {
        out.settings.evidence = crate::settings::extract::rust_loads(rel, &text);
    }
    // Most Rust files have nothing any rule looks for: decide that before building anything.
    let rust_candidates = match kind {
        FileKind::Rust if settings.rust_prefilter => d.rust_candidates(&text, krate),
        FileKind::Rust => d.rust.clone(),
        _ => Vec::new(),
    };
    // The settings model reads the defaults of the crates services run, whichever rules parse.
    let model_parse = kind == FileKind::Rust
        && d.settings
        && krate.is_some_and(|k| k.in_service && !k.is_tool)
        && crate::settings::extract::rust_may_define(&text);
    if kind == FileKind::Rust
        && rust_candidates.is_empty()
        && !model_parse
        && !(settings.inline_suppressions && text.contains("twelve-check:"))
    {
        return out;
    }
    let source = SourceFile::new(rel.to_string(), kind, text);
    let mut violations: Vec<(RuleId, Violation)> = Vec::new();
    let mut pending: Vec<(RuleId, Violation)> = Vec::new();
    let mut parse_error: Option<ParseError> = None;
    // Where the rules did not look (test code), a suppression cannot be judged unused.
    let mut test_code: Option<crate::source::rust::TestCode> = None;
    let mut facts: Vec<Fact> = Vec::new();
    let mut cx =
        |id: RuleId, out: &mut Vec<(RuleId, Violation)>, f: &mut dyn FnMut(&mut RuleCtx<'_>)| {
            let mut c = RuleCtx {
                rule: id,
                out,
                facts: &mut facts,
                path: rel,
                krate,
                repo: index,
                options: settings.rule_options.get(&id),
            };
            f(&mut c);
            // Whether the file has facts so far (it will be kept).
            !c.facts.is_empty()
        };
    match kind {
        FileKind::Rust => {
            let candidates = rust_candidates;
            if !candidates.is_empty() || model_parse {
                match RustFile::parse_bounded(&source, settings.include_tests, settings.max_nesting)
                {
                    Ok(file) => {
                        out.rust_parsed = true;
                        test_code = Some(file.tests.clone());
                        if d.settings {
                            let found = crate::settings::extract::rust(
                                &file,
                                krate.map(|k| k.dir.as_str()),
                            );
                            out.settings.settings.extend(found.settings);
                        }
                        let mut has_facts = false;
                        for &id in &candidates {
                            has_facts |=
                                cx(id, &mut violations, &mut |c| id.rule().check_rust(&file, c));
                        }
                        // The secret rules also look at a parsed file that will be kept (it
                        // has findings, facts or suppressions), for the masks.
                        let kept = has_facts
                            || !violations.is_empty()
                            || (settings.inline_suppressions
                                && source.text.contains("twelve-check:"));
                        let scanners = SECRET_RULES
                            .iter()
                            .filter(|id| kept && !candidates.contains(id));
                        for &id in scanners {
                            cx(id, &mut violations, &mut |c| id.rule().check_rust(&file, c));
                        }
                    }
                    Err(e) => parse_error = Some(e),
                }
                proc_macro2::extra::invalidate_current_thread_spans();
            }
        }
        _ => {
            let mut runs: Vec<RunCommand> = Vec::new();
            if kind.is_structured()
                && matches!(kind, FileKind::Yaml)
                && k8s::is_helm_template(rel, &source.text)
            {
                out.helm_template = true;
            } else if kind.is_structured() {
                match StructuredFile::parse_bounded(&source, settings.max_nesting) {
                    Ok(file) => {
                        if kind.is_manifest() {
                            out.manifest = Some(Manifest::from_structured(&file));
                        }
                        let mut deploy_file = false;
                        for &id in &d.structured {
                            cx(id, &mut violations, &mut |c| {
                                id.rule().check_structured(&file, c)
                            });
                        }
                        if matches!(kind, FileKind::Yaml) {
                            if let Some(compose) = ComposeFile::from_structured(&file) {
                                for &id in &d.compose {
                                    cx(id, &mut violations, &mut |c| {
                                        id.rule().check_compose(&compose, c)
                                    });
                                }
                                runs.extend(run::from_compose(&compose));
                                if d.settings {
                                    out.settings =
                                        crate::settings::extract::compose(&file, &compose);
                                }
                                deploy_file = true;
                            }
                        }
                        if matches!(kind, FileKind::Yaml | FileKind::Json) {
                            if let Some(objects) = K8sFile::from_structured(&file) {
                                for &id in &d.k8s {
                                    cx(id, &mut violations, &mut |c| {
                                        id.rule().check_k8s(&objects, c)
                                    });
                                }
                                runs.extend(run::from_k8s(&objects));
                                if d.settings && !deploy_file {
                                    out.settings = crate::settings::extract::k8s(&file);
                                }
                                deploy_file = true;
                            }
                        }
                        if d.settings && !deploy_file {
                            let sk = crate::settings::extract::structured_kind(rel);
                            out.settings = crate::settings::extract::structured(&file, sk);
                        }
                    }
                    Err(e) => parse_error = Some(e),
                }
            } else if kind.is_manifest() {
                out.manifest = Some(Manifest::from_lines(&source));
            }
            match kind {
                FileKind::Dockerfile => match DockerFile::parse(&source) {
                    Ok(file) => {
                        for &id in &d.dockerfile {
                            cx(id, &mut violations, &mut |c| {
                                id.rule().check_dockerfile(&file, c)
                            });
                        }
                        runs.extend(run::from_dockerfile(&file));
                        out.entry_scripts = run::entry_scripts(&file, &|p| index.exists(p));
                        if d.settings {
                            out.settings = crate::settings::extract::dockerfile(&file);
                        }
                    }
                    Err(e) => parse_error = Some(e),
                },
                FileKind::Dotenv => {
                    let file = DotenvFile::parse(&source);
                    if d.settings {
                        out.settings = crate::settings::extract::dotenv(&file);
                    }
                    for &id in &d.dotenv {
                        cx(id, &mut violations, &mut |c| {
                            id.rule().check_dotenv(&file, c)
                        });
                    }
                }
                FileKind::Procfile => match Procfile::parse(&source) {
                    Ok(file) => {
                        for &id in &d.procfile {
                            cx(id, &mut violations, &mut |c| {
                                id.rule().check_procfile(&file, c)
                            });
                        }
                        runs.extend(run::from_procfile(&file));
                    }
                    Err(e) => parse_error = Some(e),
                },
                FileKind::Nginx => match NginxConf::parse(&source) {
                    Ok(file) => {
                        for &id in &d.nginx {
                            cx(id, &mut violations, &mut |c| {
                                id.rule().check_nginx(&file, c)
                            });
                        }
                    }
                    Err(e) => parse_error = Some(e),
                },
                FileKind::Other if d.settings => {
                    out.settings = crate::settings::extract::key_value(&source);
                }
                FileKind::Shell if !d.run.is_empty() => {
                    let script = run::from_script(&source);
                    for &id in &d.run {
                        cx(id, &mut pending, &mut |c| {
                            id.rule().check_run(&script, &source, c)
                        });
                    }
                }
                _ => {}
            }
            for r in &runs {
                for &id in &d.run {
                    cx(id, &mut violations, &mut |c| {
                        id.rule().check_run(r, &source, c)
                    });
                }
            }
            for &id in &d.text {
                cx(id, &mut violations, &mut |c| {
                    id.rule().check_text(&source, c)
                });
            }
        }
    }
    // Secrets are known before selection, suppressions and baselines: every secret span any
    // rule found (the secret rules ran whether enabled or not) is masked; only the findings of
    // enabled rules are reported.
    let mut secret_spans: Vec<Range<usize>> = Vec::new();
    for list in [&mut violations, &mut pending] {
        list.retain(|(id, v)| {
            if v.secret {
                secret_spans.push(v.span.clone());
            }
            settings.is_enabled(*id)
        });
    }
    // Settings with a secret role are masked however the rules judge them.
    for st in &out.settings.settings {
        if st.has(crate::settings::SECRET) {
            secret_spans.push(st.span.clone());
        } else if st.has(crate::settings::CREDENTIAL_URL) {
            let raw = source.text.get(st.span.clone()).unwrap_or("");
            for u in crate::rules::common::find_urls(raw) {
                if let Some(r) = u.password_range {
                    secret_spans.push(st.span.start + r.start..st.span.start + r.end);
                }
            }
        }
    }
    if let Some(e) = parse_error.clone() {
        if settings.is_enabled(RuleId::UnparsableFile) {
            violations.push((
                RuleId::UnparsableFile,
                Violation::new(e.span, format!("{}; its rules were skipped", e.message))
                    .help("fix the syntax, or exclude the file if it is not meant to parse"),
            ));
        }
    }
    if settings.inline_suppressions {
        out.suppressions = suppress::parse(&source);
        for s in &mut out.suppressions {
            let (at, target) = s.anchors(&source);
            let skipped = |o: usize| test_code.as_ref().is_some_and(|t| t.contains(o));
            if parse_error.is_some() || skipped(at) || skipped(target) {
                s.excuse();
            }
        }
    }
    out.facts = facts;
    if violations.is_empty()
        && pending.is_empty()
        && out.suppressions.is_empty()
        && out.facts.is_empty()
        && out.settings.settings.is_empty()
        && !kind.is_manifest()
        && kind != FileKind::Gitignore
    {
        return out;
    }
    // A file that does not parse, is not UTF-8 or holds NUL bytes is never shown.
    let show = parse_error.is_none() && !lossy && !source.text.contains('\0');
    let raw: Arc<str> = source.text.into();
    let text = FileText {
        shown: Shown::new(&raw, &secret_spans, show),
        raw,
        lines: source.lines,
    };
    let shown = ctx.scope.shown(rel);
    for (id, v) in &violations {
        out.findings
            .push(locate(*id, v, rel, &shown, &text, settings));
    }
    for (id, v) in &pending {
        out.pending
            .push(locate(*id, v, rel, &shown, &text, settings));
    }
    out.source = Some(text);
    out
}

/// A violation as a finding: its position from the raw text, its texts redacted, its snippet
/// drawn from the shown text. Every finding about a file is built here.
fn locate(
    rule: RuleId,
    v: &Violation,
    rel: &str,
    shown: &str,
    file: &FileText,
    settings: &Settings,
) -> Finding {
    let text = &file.raw;
    let lines = &file.lines;
    let values = &file.shown.values;
    let span: Range<usize> =
        v.span.start.min(text.len())..v.span.end.min(text.len()).max(v.span.start.min(text.len()));
    let (line, column) = lines.line_col(text, span.start);
    let (end_line, end_column) = lines.line_col(text, span.end);
    Finding {
        rule,
        severity: settings
            .severity
            .get(&rule)
            .copied()
            .unwrap_or(rule.meta().severity),
        path: shown.to_string(),
        rel_path: rel.to_string(),
        span,
        line,
        column,
        end_line,
        end_column,
        message: secrets::redact(&v.message, values),
        label: v.label.as_deref().map(|l| secrets::redact(l, values)),
        help: v.help.as_deref().map(|h| secrets::redact(h, values)),
        secret: v.secret,
        fingerprint: String::new(),
        line_hash: line_hash(rule, rel, file, line),
        source: file.shown.text.clone(),
    }
}

fn apply_suppressions(mut outcome: FileOutcome, ctx: &RootCtx<'_>, report: &mut Report) {
    let settings = ctx.settings;
    // Outside the given paths: read for the facts, not reported.
    if !ctx.scope.covers(&outcome.rel) {
        return;
    }
    for f in std::mem::take(&mut outcome.findings) {
        if !f.rule.is_meta()
            && settings.per_path_ignores.iter().any(|(glob, sels)| {
                glob.is_match(&f.rel_path) && sels.iter().any(|s| s.matches(f.rule))
            })
        {
            continue;
        }
        let suppressed = !f.rule.is_meta()
            && outcome
                .suppressions
                .iter_mut()
                .fold(false, |hit, s| s.covers(f.rule, f.line) | hit);
        if suppressed {
            report.suppressed += 1;
        } else {
            report.findings.push(f);
        }
    }
    let Some(text) = &outcome.source else {
        return;
    };
    for s in &outcome.suppressions {
        for sel in &s.selectors {
            let (rule, message) = match &sel.selector {
                None => (
                    RuleId::UnknownRuleSelector,
                    format!("suppression names no rule: `{}`", sel.text),
                ),
                Some(selector) if !sel.used => {
                    let enabled = settings
                        .enabled
                        .iter()
                        .any(|&id| !id.is_meta() && selector.matches(id));
                    if !enabled {
                        continue;
                    }
                    (
                        RuleId::UnusedSuppression,
                        format!("suppression of `{}` matched no finding", sel.text),
                    )
                }
                Some(_) => continue,
            };
            if !settings.is_enabled(rule) {
                continue;
            }
            let help = match rule {
                RuleId::UnknownRuleSelector => "use a rule code, name, code prefix or factor name; `twelve-check rules` lists them",
                _ => "remove the suppression, or the selector that no longer matches",
            };
            report.findings.push(locate(
                rule,
                &Violation::new(s.span.clone(), message).help(help),
                &outcome.rel,
                &ctx.scope.shown(&outcome.rel),
                text,
                settings,
            ));
        }
    }
}

/// Fingerprints: code, path, the whitespace-normalised line text and the occurrence index among
/// identical ones, so a baseline survives lines moving.
fn assign_fingerprints(findings: &mut [Finding]) {
    let mut seen: HashMap<u64, usize> = HashMap::new();
    for f in findings.iter_mut() {
        let h = f.line_hash;
        let n = seen.entry(h).or_insert(0);
        f.fingerprint = format!("{:016x}", fnv1a(format!("{h:016x}:{n}").as_bytes()));
        *n += 1;
    }
}

/// The identity of a finding's line for its fingerprint: code, path and the
/// whitespace-normalised text of the line in the file as it is (a changed secret is a changed
/// line), hashed: the text itself never leaves [`locate`].
fn line_hash(rule: RuleId, rel: &str, file: &FileText, line: usize) -> u64 {
    let range = file.lines.line_range(line, file.raw.len());
    let line_text = file
        .raw
        .get(range)
        .unwrap_or("")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    fnv1a(format!("{}\0{}\0{}", rule.code(), rel, line_text).as_bytes())
}

#[cfg(test)]
mod ignore_tests {
    use super::*;

    #[test]
    fn gitignore_lines() {
        let index = RepoIndex {
            gitignores: vec![
                IgnoreFile::new(".gitignore", "# deps\n/target\nCargo.lock\n*.log\n"),
                IgnoreFile::new("web/.gitignore", "package-lock.json\n!keep.log\n"),
            ],
            ..RepoIndex::default()
        };
        assert_eq!(index.ignored_by("Cargo.lock"), Some((".gitignore", 3)));
        assert_eq!(index.ignored_by("svc/Cargo.lock"), Some((".gitignore", 3)));
        assert_eq!(
            index.ignored_by("web/package-lock.json"),
            Some(("web/.gitignore", 1))
        );
        assert_eq!(index.ignored_by("package-lock.json"), None);
        assert_eq!(index.ignored_by("logs/app.log"), Some((".gitignore", 4)));
        assert_eq!(index.ignored_by("web/keep.log"), None);
        assert!(index.is_ignored("target/debug/x"));
    }
}

#[cfg(test)]
mod bytes_tests {
    use super::*;

    #[test]
    fn check_bytes_runs_the_file_pipeline() {
        let settings = Settings::isolated();
        let found = check_bytes(
            "Dockerfile",
            b"FROM rust:latest\nCMD [\"app\"]\n",
            &settings,
        );
        assert!(
            found
                .iter()
                .any(|f| f.rule.code() == "TC0204" && f.line == 1),
            "{found:?}"
        );
        let bad = check_bytes(
            "src/main.rs",
            b"fn main() { let env = std::env::var(\"APP_ENV\"); if env == (\"production\" }",
            &settings,
        );
        assert!(
            bad.iter().any(|f| f.rule == RuleId::UnparsableFile),
            "{bad:?}"
        );
        assert!(check_bytes("src/lib.rs", b"\xff\xfe", &settings)
            .iter()
            .any(|f| f.rule == RuleId::UnparsableFile));
    }
}
