//! The rule model: factors, severities, rule metadata, the `Rule` trait and `declare_rule!`.
//!
//! A rule is a unit struct declared with [`declare_rule!`] in its own file under `src/rules/`. It
//! sees parsed files and the [`RepoIndex`](crate::engine::RepoIndex) only; it does no I/O and
//! never learns about output formats. Codes, severities and documentation links are filled in
//! centrally by [`RuleCtx::report`].

use std::fmt;
use std::ops::Range;

use crate::engine::RepoIndex;
use crate::registry::RuleId;
use crate::source::{
    compose::ComposeFile, dockerfile::DockerFile, dotenv::DotenvFile, k8s::K8sFile,
    nginx::NginxConf, prefilter::RustText, procfile::Procfile, run::RunCommand, rust::RustFile,
    structured::StructuredFile, SourceFile,
};

/// Which crates' Rust code a rule judges.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CrateScope {
    /// Every Rust file, in a crate or not.
    Any,
    /// Crates with a binary target.
    Binary,
    /// Service crates and the crates of the repository they depend on (transitively).
    ServiceOrDependency,
    /// Service crates: a binary depending on a server framework.
    Service,
}

impl CrateScope {
    /// Whether a file of `krate` (or of no crate) is in scope.
    pub fn admits(self, krate: Option<&crate::engine::CrateInfo>) -> bool {
        match self {
            CrateScope::Any => true,
            CrateScope::Binary => krate.is_some_and(|k| k.has_bin),
            CrateScope::ServiceOrDependency => krate.is_some_and(|k| k.in_service),
            CrateScope::Service => krate.is_some_and(|k| k.is_service),
        }
    }
}

/// How serious a finding is. Ordered: `Note < Warning < Error`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Worth knowing; never fails a run unless `--fail-on note`.
    Note,
    /// Likely a problem.
    Warning,
    /// A clear violation.
    Error,
}

impl Severity {
    /// The lower-case name used in every output format and in configuration.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    /// Parses `note`, `warning` or `error` (and `info`/`warn` as aliases).
    pub fn parse(s: &str) -> Option<Severity> {
        match s.to_ascii_lowercase().as_str() {
            "note" | "info" => Some(Severity::Note),
            "warning" | "warn" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The twelve factors, plus `Meta` for the tool's own rules (`TC00xx`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Factor {
    /// Rules about the tool itself (suppressions, unparsable files).
    Meta = 0,
    /// I. Codebase.
    Codebase = 1,
    /// II. Dependencies.
    Dependencies = 2,
    /// III. Config.
    Config = 3,
    /// IV. Backing services.
    BackingServices = 4,
    /// V. Build, release, run.
    BuildReleaseRun = 5,
    /// VI. Processes.
    Processes = 6,
    /// VII. Port binding.
    PortBinding = 7,
    /// VIII. Concurrency.
    Concurrency = 8,
    /// IX. Disposability.
    Disposability = 9,
    /// X. Dev/prod parity.
    DevProdParity = 10,
    /// XI. Logs.
    Logs = 11,
    /// XII. Admin processes.
    AdminProcesses = 12,
}

impl Factor {
    /// The twelve factors in order (without `Meta`).
    pub const TWELVE: [Factor; 12] = [
        Factor::Codebase,
        Factor::Dependencies,
        Factor::Config,
        Factor::BackingServices,
        Factor::BuildReleaseRun,
        Factor::Processes,
        Factor::PortBinding,
        Factor::Concurrency,
        Factor::Disposability,
        Factor::DevProdParity,
        Factor::Logs,
        Factor::AdminProcesses,
    ];

    /// The factor's number, 0 for `Meta`.
    pub fn number(self) -> u8 {
        self as u8
    }

    /// The kebab-case selector name (`port-binding`).
    pub fn name(self) -> &'static str {
        match self {
            Factor::Meta => "meta",
            Factor::Codebase => "codebase",
            Factor::Dependencies => "dependencies",
            Factor::Config => "config",
            Factor::BackingServices => "backing-services",
            Factor::BuildReleaseRun => "build-release-run",
            Factor::Processes => "processes",
            Factor::PortBinding => "port-binding",
            Factor::Concurrency => "concurrency",
            Factor::Disposability => "disposability",
            Factor::DevProdParity => "dev-prod-parity",
            Factor::Logs => "logs",
            Factor::AdminProcesses => "admin-processes",
        }
    }

    /// The human title (`VII. Port binding`).
    pub fn title(self) -> &'static str {
        match self {
            Factor::Meta => "Meta",
            Factor::Codebase => "I. Codebase",
            Factor::Dependencies => "II. Dependencies",
            Factor::Config => "III. Config",
            Factor::BackingServices => "IV. Backing services",
            Factor::BuildReleaseRun => "V. Build, release, run",
            Factor::Processes => "VI. Processes",
            Factor::PortBinding => "VII. Port binding",
            Factor::Concurrency => "VIII. Concurrency",
            Factor::Disposability => "IX. Disposability",
            Factor::DevProdParity => "X. Dev/prod parity",
            Factor::Logs => "XI. Logs",
            Factor::AdminProcesses => "XII. Admin processes",
        }
    }

    /// The factor's page on 12factor.net.
    pub fn url(self) -> &'static str {
        match self {
            Factor::Meta => "https://12factor.net",
            Factor::Codebase => "https://12factor.net/codebase",
            Factor::Dependencies => "https://12factor.net/dependencies",
            Factor::Config => "https://12factor.net/config",
            Factor::BackingServices => "https://12factor.net/backing-services",
            Factor::BuildReleaseRun => "https://12factor.net/build-release-run",
            Factor::Processes => "https://12factor.net/processes",
            Factor::PortBinding => "https://12factor.net/port-binding",
            Factor::Concurrency => "https://12factor.net/concurrency",
            Factor::Disposability => "https://12factor.net/disposability",
            Factor::DevProdParity => "https://12factor.net/dev-prod-parity",
            Factor::Logs => "https://12factor.net/logs",
            Factor::AdminProcesses => "https://12factor.net/admin-processes",
        }
    }

    /// Looks a factor up by its selector name.
    pub fn from_name(name: &str) -> Option<Factor> {
        std::iter::once(Factor::Meta)
            .chain(Factor::TWELVE)
            .find(|f| f.name() == name)
    }
}

/// Which kinds of input a rule looks at; the engine dispatches only those.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Inputs {
    /// Rust source files (parsed with syn when a trigger token is present).
    pub rust: bool,
    /// Every text file, as raw text (secret scanning).
    pub text: bool,
    /// TOML, YAML and JSON documents as key/value trees.
    pub structured: bool,
    /// Dockerfiles.
    pub dockerfile: bool,
    /// `.env` files.
    pub dotenv: bool,
    /// Procfiles.
    pub procfile: bool,
    /// docker-compose files.
    pub compose: bool,
    /// Kubernetes manifests.
    pub k8s: bool,
    /// nginx configurations.
    pub nginx: bool,
    /// Run commands: final-stage `CMD`/`ENTRYPOINT`, Procfile lines, compose and Kubernetes
    /// commands, and the entrypoint scripts a Dockerfile runs.
    pub run: bool,
    /// The repository as a whole, after the walk.
    pub repo: bool,
    /// The settings model ([`crate::settings`]), read in `check_repo`: asking for it makes the
    /// engine extract settings from every file.
    pub settings: bool,
}

/// The type of a per-rule option.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OptionKind {
    /// A list of strings.
    StringList,
    /// `true` or `false`.
    Bool,
}

impl OptionKind {
    /// How the rule pages and errors name it.
    pub fn describe(self) -> &'static str {
        match self {
            OptionKind::StringList => "list of strings",
            OptionKind::Bool => "boolean",
        }
    }
}

/// A per-rule option, set in `[rules.<name>]` of the configuration and documented on the rule
/// page.
#[derive(Debug)]
pub struct RuleOption {
    /// The key (kebab-case).
    pub name: &'static str,
    /// Its type.
    pub kind: OptionKind,
    /// The default, as TOML.
    pub default: &'static str,
    /// What it does.
    pub doc: &'static str,
}

/// A configured option value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OptionValue {
    /// A list of strings.
    StringList(Vec<String>),
    /// A boolean.
    Bool(bool),
}

/// The configured options of one rule, by key.
pub type RuleOptions = std::collections::BTreeMap<String, OptionValue>;

/// Static metadata every rule carries; produced by [`declare_rule!`].
#[derive(Debug)]
pub struct RuleMeta {
    /// `TC` + factor + serial, e.g. `TC0301`.
    pub code: &'static str,
    /// Kebab-case name of the flagged pattern.
    pub name: &'static str,
    /// The factor the rule belongs to.
    pub factor: Factor,
    /// Default severity.
    pub severity: Severity,
    /// Preview rules run only with `--preview` or when selected by exact code.
    pub preview: bool,
    /// Version that introduced the rule.
    pub since: &'static str,
    /// The user documentation (Markdown), from the rule's doc comment, one leading space per
    /// line as rustc keeps it; read it through [`RuleMeta::documentation`].
    pub docs: &'static str,
    /// The module path of the rule's file (`twelve_check::rules::f03_config::hardcoded_secret`).
    pub module: &'static str,
}

impl RuleMeta {
    /// The documentation as Markdown.
    pub fn documentation(&self) -> String {
        let mut out = String::new();
        for line in self.docs.lines() {
            out.push_str(line.strip_prefix(' ').unwrap_or(line));
            out.push('\n');
        }
        out.trim().to_string() + "\n"
    }

    /// The first paragraph of the "What it does" section, on one line.
    pub fn summary(&self) -> String {
        let docs = self.documentation();
        let body = docs
            .split("## What it does")
            .nth(1)
            .unwrap_or(&docs)
            .trim_start();
        let para = body.split("\n\n").next().unwrap_or("");
        para.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    /// The rule's source file, relative to the repository root.
    pub fn source_path(&self) -> String {
        let rel = self
            .module
            .split("::")
            .skip(1)
            .collect::<Vec<_>>()
            .join("/");
        format!("src/{rel}.rs")
    }

    /// The path of the generated rule page, relative to the repository root.
    pub fn page_path(&self) -> String {
        format!("rules/{}-{}.md", self.code, self.name)
    }

    /// The public URL of the rule page.
    pub fn url(&self) -> String {
        format!("{}/blob/main/{}", crate::REPOSITORY_URL, self.page_path())
    }
}

/// A rule: metadata plus default no-op hooks for each kind of input.
pub trait Rule: Sync + Send {
    /// The inputs the rule wants; the engine builds dispatch tables from this once.
    fn inputs(&self) -> Inputs;

    /// The rule's options (`[rules.<name>]` in the configuration); none by default.
    fn options(&self) -> &'static [RuleOption] {
        &[]
    }

    /// Tokens whose presence in a Rust file (ASCII case-insensitive) means this rule could fire.
    /// A Rust file containing no enabled rule's trigger is never parsed with syn.
    fn rust_triggers(&self) -> &'static [&'static str] {
        &[]
    }

    /// A second, finer look at a Rust file that contains one of this rule's triggers, still
    /// before any parse (a regex, a test of its string literals). Return `false` only when the
    /// rule cannot fire on this file: a `false` here is a finding nobody sees.
    fn rust_wants(&self, _text: &RustText<'_>) -> bool {
        true
    }

    /// Which crates' Rust code the rule judges; files of other crates are neither checked nor
    /// parsed for it.
    fn crate_scope(&self) -> CrateScope {
        CrateScope::Any
    }

    /// Checks one parsed Rust file.
    fn check_rust(&self, _file: &RustFile, _cx: &mut RuleCtx<'_>) {}

    /// Checks any text file as plain text (Rust files included, when they were not parsed).
    fn check_text(&self, _file: &SourceFile, _cx: &mut RuleCtx<'_>) {}

    /// Checks a TOML, YAML or JSON document.
    fn check_structured(&self, _file: &StructuredFile, _cx: &mut RuleCtx<'_>) {}

    /// Checks a Dockerfile.
    fn check_dockerfile(&self, _file: &DockerFile, _cx: &mut RuleCtx<'_>) {}

    /// Checks a `.env` file.
    fn check_dotenv(&self, _file: &DotenvFile, _cx: &mut RuleCtx<'_>) {}

    /// Checks a Procfile.
    fn check_procfile(&self, _file: &Procfile, _cx: &mut RuleCtx<'_>) {}

    /// Checks a docker-compose file (also seen by `check_structured`).
    fn check_compose(&self, _file: &ComposeFile, _cx: &mut RuleCtx<'_>) {}

    /// Checks the Kubernetes objects of a YAML/JSON file (also seen by `check_structured`).
    fn check_k8s(&self, _file: &K8sFile, _cx: &mut RuleCtx<'_>) {}

    /// Checks an nginx configuration.
    fn check_nginx(&self, _file: &NginxConf, _cx: &mut RuleCtx<'_>) {}

    /// Checks one run command. For an entrypoint script, findings are kept only when a
    /// Dockerfile of the repository runs the script.
    fn check_run(&self, _run: &RunCommand, _file: &SourceFile, _cx: &mut RuleCtx<'_>) {}

    /// Runs once after the walk with every fact gathered.
    fn check_repo(&self, _repo: &RepoIndex, _cx: &mut RepoCtx<'_>) {}
}

/// One violation as a rule reports it: a message, a primary span, optional label and help.
/// The code, severity, path and documentation link are added by the engine.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// What was found, lower-case first letter, no trailing period.
    pub message: String,
    /// Byte range of the offending text in the file.
    pub span: Range<usize>,
    /// Short text attached to the span in the rendered snippet.
    pub label: Option<String>,
    /// What to do instead, in the imperative.
    pub help: Option<String>,
    /// Whether the span holds a secret (masked in every rendering).
    pub secret: bool,
}

impl Violation {
    /// A violation at `span` with `message`.
    pub fn new(span: Range<usize>, message: impl Into<String>) -> Self {
        Violation {
            message: message.into(),
            span,
            label: None,
            help: None,
            secret: false,
        }
    }

    /// Marks the span as holding a secret value, to be masked in every output.
    pub fn secret(mut self) -> Self {
        self.secret = true;
        self
    }

    /// Adds a label shown under the snippet.
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// Adds a help line.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// What a per-file rule can reach while checking: the settings it needs and the report sink.
pub struct RuleCtx<'a> {
    pub(crate) rule: RuleId,
    pub(crate) out: &'a mut Vec<(RuleId, Violation)>,
    pub(crate) facts: &'a mut Vec<crate::engine::Fact>,
    pub(crate) path: &'a str,
    pub(crate) krate: Option<&'a crate::engine::CrateInfo>,
    pub(crate) repo: &'a RepoIndex,
    pub(crate) options: Option<&'a RuleOptions>,
}

impl RuleCtx<'_> {
    /// Reports a violation of the current rule in the current file.
    pub fn report(&mut self, v: Violation) {
        self.out.push((self.rule, v));
    }

    /// Whether the current file belongs to a crate that looks like a service.
    pub fn is_service(&self) -> bool {
        self.krate.is_some_and(|k| k.is_service)
    }

    /// The Cargo package the current file belongs to, if any.
    pub fn krate(&self) -> Option<&crate::engine::CrateInfo> {
        self.krate
    }

    /// The current file's path, relative to the checked root.
    pub fn path(&self) -> &str {
        self.path
    }

    /// A configured list option of this rule (empty when not set).
    pub fn option_list(&self, name: &str) -> &[String] {
        option_list(self.options, name)
    }

    /// A configured boolean option of this rule, or `default`.
    pub fn option_flag(&self, name: &str, default: bool) -> bool {
        match self.options.and_then(|o| o.get(name)) {
            Some(OptionValue::Bool(b)) => *b,
            _ => default,
        }
    }

    /// What is known of the repository before the file is checked: every path walked, the
    /// lockfiles present, the `.gitignore` rules and whether the root is version-controlled
    /// (manifests and crates too, except while manifests themselves are checked).
    pub fn repo(&self) -> &RepoIndex {
        self.repo
    }

    /// Records a fact for this rule's `check_repo`, located in the current file.
    pub fn fact(&mut self, kind: &'static str, span: Range<usize>, detail: impl Into<String>) {
        self.facts.push(crate::engine::Fact {
            rule: self.rule,
            kind,
            path: self.path.to_string(),
            span,
            krate: self.krate.map(|k| k.dir.clone()),
            detail: detail.into(),
        });
    }
}

/// What a repo-level rule can reach: report into any file of the repository.
pub struct RepoCtx<'a> {
    pub(crate) rule: RuleId,
    pub(crate) out: &'a mut Vec<crate::engine::RepoViolation>,
    pub(crate) options: Option<&'a RuleOptions>,
}

fn option_list<'o>(options: Option<&'o RuleOptions>, name: &str) -> &'o [String] {
    match options.and_then(|o| o.get(name)) {
        Some(OptionValue::StringList(v)) => v,
        _ => &[],
    }
}

impl RepoCtx<'_> {
    /// A configured list option of this rule (empty when not set).
    pub fn option_list(&self, name: &str) -> &[String] {
        option_list(self.options, name)
    }

    /// Reports a violation in the file at `path` (relative to the checked root).
    pub fn report(&mut self, path: &str, v: Violation) {
        self.out.push(crate::engine::RepoViolation {
            rule: self.rule,
            path: path.to_string(),
            violation: v,
        });
    }
}

/// Declares a rule: a unit struct, its [`RuleMeta`] and its documentation from the doc comment.
///
/// ```ignore
/// declare_rule! {
///     /// ## What it does
///     /// ...
///     pub HardcodedSecret {
///         code: "TC0301", name: "hardcoded-secret",
///         factor: Config, severity: Error, preview: false, since: "0.1.0",
///     }
/// }
/// ```
#[macro_export]
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        pub $ty:ident {
            code: $code:literal, name: $name:literal,
            factor: $factor:ident, severity: $sev:ident, preview: $preview:literal, since: $since:literal $(,)?
        }
    ) => {
        #[doc = concat!("`", $code, "` ", $name, ": see the rule page.")]
        #[derive(Debug, Default, Clone, Copy)]
        pub struct $ty;

        impl $ty {
            /// The rule's metadata.
            pub const META: $crate::rule::RuleMeta = $crate::rule::RuleMeta {
                code: $code,
                name: $name,
                factor: $crate::rule::Factor::$factor,
                severity: $crate::rule::Severity::$sev,
                preview: $preview,
                since: $since,
                docs: concat!($($doc, "\n"),*),
                module: module_path!(),
            };
        }
    };
}

/// Common imports for rule files.
pub mod prelude {
    pub use crate::declare_rule;
    pub use crate::engine::{Fact, RepoIndex};
    pub use crate::rule::{
        CrateScope, Inputs, OptionKind, RepoCtx, Rule, RuleCtx, RuleMeta, RuleOption, Violation,
    };
    pub use crate::source::compose::ComposeFile;
    pub use crate::source::dockerfile::DockerFile;
    pub use crate::source::dotenv::DotenvFile;
    pub use crate::source::k8s::K8sFile;
    pub use crate::source::nginx::NginxConf;
    pub use crate::source::prefilter::RustText;
    pub use crate::source::procfile::Procfile;
    pub use crate::source::run::{Origin, RunCommand};
    pub use crate::source::rust::RustFile;
    pub use crate::source::structured::StructuredFile;
    pub use crate::source::SourceFile;
}
