//! TC1103: a service whose logging setup emits plain text.

use std::collections::BTreeMap;

use syn::visit::{self, Visit};

use crate::rule::prelude::*;
use crate::source::rust::TestCode;
use crate::source::rust::{byte_range, Call};

declare_rule! {
    /// ## What it does
    /// **Preview.** On the real-world corpus (`benches/realworld/`, 26 repositories) its 12
    /// findings were judged 0 right, 3 wrong and 9 debatable: 12factor.net/logs names plain
    /// text, one event per line on stdout, as the normal form of logs, so this is a logging
    /// practice rather than a twelve-factor violation. It runs only when selected
    /// (`--preview`, `--extend-select TC1103`).
    ///
    /// Flags a service crate whose logging setup writes plain-text lines, once per crate, at the
    /// setup call:
    /// - `tracing_subscriber::fmt()`, `fmt::init()`, `fmt::layer()`, `fmt::Layer::new()`,
    ///   `FmtSubscriber::builder()` (and `fmt::Subscriber`) when no `.json()` formatter is
    ///   configured anywhere in the crate;
    /// - `env_logger` (`init`, `try_init`, `Builder`), `pretty_env_logger`, `simple_logger`,
    ///   simplelog's `TermLogger` and `SimpleLogger`, `stderrlog`, `flexi_logger`'s `Logger`
    ///   without `json_format`, `fern::Dispatch`, `slog_term`, `tracing_tree`;
    /// - a service with no logging crate at all in its `Cargo.toml` that prints with
    ///   `println!`/`eprintln!`/`print!`/`eprint!` (reported at the first such line).
    ///
    /// A crate counts as structured, and is not flagged, as soon as one of these appears in its
    /// code (a JSON switch chosen at run time counts too): `.json()` on a tracing-subscriber
    /// builder or layer, `fmt::format::json()`/`Json`/`JsonFields`, `.flatten_event(..)`,
    /// `tracing_bunyan_formatter`, `tracing_stackdriver`, `json_subscriber`, `tracing_logstash`,
    /// `tracing_logfmt` (logfmt is structured key=value), `json_env_logger`, `slog_json`,
    /// `slog_bunyan`, `femme`, `ecs_logger`, log4rs's `JsonEncoder` or flexi_logger's
    /// `json_format`.
    ///
    /// The `println!` fallback is skipped for services built on frameworks that set up their own
    /// logging (Rocket, loco-rs, Shuttle, Dropshot, Pavex). Library crates, binaries that are not
    /// services, and test code are not looked at.
    ///
    /// Other files consulted: every Rust file of the crate (the JSON formatter may be configured
    /// in another module than the setup call) and the crate's `Cargo.toml` (logging dependencies,
    /// whether it is a service).
    ///
    /// ## Measured
    /// On the real-world corpus (`benches/realworld/`, 26 repositories, 2026-12-03): 11 findings, 0
    /// right, 2 wrong, 9 debatable; verdict precision 0.00. Below the 0.90 a default-on rule needs,
    /// so it is a preview rule until it is fixed; its false-positive shapes are in
    /// `benches/realworld/RESULTS.md`.
    ///
    /// ## Why is this bad?
    /// Factor XI treats logs as an event stream that the environment collects, indexes and
    /// analyses. Plain-text lines have to be re-parsed with fragile patterns before anyone can
    /// filter by level, request id or user; multi-line messages get split; fields are lost.
    /// One JSON object per line keeps the event's structure all the way to the log store.
    ///
    /// ## Example
    /// ```rust
    /// tracing_subscriber::fmt().with_env_filter(EnvFilter::from_default_env()).init();
    /// ```
    ///
    /// Use instead:
    /// ```rust
    /// // tracing-subscriber with its `json` feature
    /// tracing_subscriber::fmt().json().with_env_filter(EnvFilter::from_default_env()).init();
    /// ```
    ///
    /// ## References
    /// - <https://12factor.net/logs>
    /// - [tracing-subscriber JSON format](https://docs.rs/tracing-subscriber/latest/tracing_subscriber/fmt/format/struct.Json.html)
    pub UnstructuredLogs {
        code: "TC1103", name: "unstructured-logs",
        factor: Logs, severity: Note, preview: true, since: "0.1.0",
    }
}

/// A plain-text logging setup call.
const PLAIN: &str = "plain";
/// A JSON (or other structured) formatter.
const JSON: &str = "json";
/// The first `println!`-like macro of a file.
const PRINT: &str = "print";

/// Crates that format log events as JSON (or logfmt) lines.
const STRUCTURED_CRATES: &[&str] = &[
    "tracing_bunyan_formatter",
    "tracing_stackdriver",
    "json_subscriber",
    "tracing_logstash",
    "tracing_logfmt",
    "json_env_logger",
    "slog_json",
    "slog_bunyan",
    "femme",
    "ecs_logger",
];

/// Dependencies that mean the crate has a logging setup (so `println!` is not its logging).
const LOGGING_CRATES: &[&str] = &[
    "log",
    "tracing",
    "tracing-subscriber",
    "tracing-log",
    "slog",
    "env_logger",
    "pretty_env_logger",
    "json_env_logger",
    "simple_logger",
    "simplelog",
    "fern",
    "log4rs",
    "flexi_logger",
    "stderrlog",
    "femme",
    "logforth",
    "spdlog-rs",
    "ftlog",
    "fast_log",
    // Frameworks that install their own logger.
    "rocket",
    "loco-rs",
    "shuttle-runtime",
    "dropshot",
    "pavex",
];

/// Builder methods only tracing-subscriber's fmt builders and layers have.
const FMT_METHODS: &[&str] = &[
    "with_env_filter",
    "with_max_level",
    "with_target",
    "with_level",
    "with_thread_ids",
    "with_thread_names",
    "with_file",
    "with_line_number",
    "with_span_events",
    "with_ansi",
    "with_timer",
    "without_time",
    "with_writer",
    "event_format",
    "fmt_fields",
    "with_current_span",
    "with_span_list",
];

/// What a plain-text setup call is, for the message.
fn plain_setup(file: &RustFile, call: &Call) -> Option<&'static str> {
    if call.method {
        return None;
    }
    let c = call.callee.as_str();
    if let Some(rest) = c.strip_prefix("tracing_subscriber::") {
        return match rest {
            "fmt" | "fmt::fmt" => Some("`tracing_subscriber::fmt()`"),
            "fmt::init" | "fmt::try_init" => Some("`tracing_subscriber::fmt::init()`"),
            "fmt::layer" | "fmt::Layer::new" | "fmt::Layer::default" => {
                Some("`tracing_subscriber::fmt::layer()`")
            }
            "FmtSubscriber::builder"
            | "FmtSubscriber::new"
            | "FmtSubscriber::default"
            | "fmt::Subscriber::builder"
            | "fmt::Subscriber::new"
            | "fmt::Subscriber::default"
            | "fmt::SubscriberBuilder::default" => Some("`tracing_subscriber::FmtSubscriber`"),
            _ => None,
        };
    }
    let last = c.rsplit("::").next().unwrap_or(c);
    let first = c.split("::").next().unwrap_or(c);
    let in_crate =
        |k: &str, items: &[&str]| (first == k || file.names(c, k, last)) && items.contains(&last);
    if in_crate(
        "env_logger",
        &[
            "init",
            "try_init",
            "init_from_env",
            "try_init_from_env",
            "builder",
            "from_env",
            "from_default_env",
        ],
    ) || (first == "env_logger" && c.contains("Builder"))
    {
        return Some("`env_logger`");
    }
    if first == "pretty_env_logger" {
        return Some("`pretty_env_logger`");
    }
    if first == "simple_logger" {
        return Some("`simple_logger`");
    }
    if first == "simplelog"
        && (c.contains("TermLogger") || c.contains("SimpleLogger"))
        && matches!(last, "init" | "new")
    {
        return Some("simplelog's terminal logger");
    }
    if first == "stderrlog" && last == "new" {
        return Some("`stderrlog`");
    }
    if first == "flexi_logger" && c.contains("Logger::") && last.starts_with("try_with") {
        return Some("`flexi_logger`");
    }
    if first == "fern" && c.ends_with("Dispatch::new") {
        return Some("`fern::Dispatch`");
    }
    if first == "slog_term" && (c.contains("Decorator") || c.contains("Format")) {
        return Some("`slog_term`");
    }
    if first == "tracing_tree" && c.contains("HierarchicalLayer") {
        return Some("`tracing_tree`");
    }
    None
}

/// Whether a call or path configures a structured formatter.
fn structured(file: &RustFile, call: &Call) -> bool {
    let c = call.callee.as_str();
    if !call.method {
        return is_structured_path(c);
    }
    let root = call.root.as_deref().unwrap_or("");
    let first = root.split("::").next().unwrap_or("");
    match c {
        "json" | "flatten_event" => {
            let on_fmt = root.starts_with("tracing_subscriber")
                || root.split("::").any(|s| s == "fmt")
                || call.chain.iter().any(|m| FMT_METHODS.contains(&m.as_str()));
            // `let layer = fmt::layer(); layer.json()`: a bare `.json()` on a local, in a file
            // that sets up tracing-subscriber and is not an HTTP client's response.
            let on_local = call.args.is_empty()
                && !root.contains("::")
                && !root.is_empty()
                && file.source.text.contains("tracing_subscriber")
                && !call
                    .chain
                    .iter()
                    .any(|m| matches!(m.as_str(), "send" | "get" | "post" | "call" | "fetch"));
            on_fmt || on_local
        }
        // A custom env_logger/fern format that writes JSON: `.format(|buf, r| writeln!(buf,
        // "{}", serde_json::json!({..})))`.
        "format" => {
            matches!(first, "env_logger" | "pretty_env_logger" | "fern")
                && call.args.iter().any(|a| {
                    file.source
                        .text
                        .get(a.clone())
                        .is_some_and(|t| t.to_ascii_lowercase().contains("json"))
                })
        }
        _ => false,
    }
}

/// Whether a resolved path names a structured formatter.
fn is_structured_path(p: &str) -> bool {
    let first = p.split("::").next().unwrap_or(p);
    if STRUCTURED_CRATES.contains(&first) {
        return true;
    }
    let segs: Vec<&str> = p.split("::").collect();
    (first == "tracing_subscriber"
        && segs
            .iter()
            .any(|s| matches!(*s, "json" | "Json" | "JsonFields")))
        || (first == "log4rs" && segs.contains(&"JsonEncoder"))
        || (first == "flexi_logger" && segs.contains(&"json_format"))
        || segs.last() == Some(&"JsonEncoder")
}

/// Finds the first print macro outside test code.
struct Prints<'t> {
    tests: &'t TestCode,
    first: Option<(std::ops::Range<usize>, String)>,
}

impl<'ast> Visit<'ast> for Prints<'_> {
    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        if self.first.is_some() {
            return;
        }
        let name = m
            .path
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .unwrap_or_default();
        if matches!(name.as_str(), "println" | "eprintln" | "print" | "eprint") {
            let span = byte_range(
                m.path
                    .segments
                    .last()
                    .map_or_else(proc_macro2::Span::call_site, |s| s.ident.span()),
            );
            if !self.tests.contains(span.start) {
                let end = byte_range(m.delimiter.span().join()).end;
                self.first = Some((span.start..end.max(span.end), format!("{name}!")));
            }
        }
        visit::visit_macro(self, m);
    }
}

impl Rule for UnstructuredLogs {
    fn inputs(&self) -> Inputs {
        Inputs {
            rust: true,
            repo: true,
            ..Inputs::default()
        }
    }

    fn rust_triggers(&self) -> &'static [&'static str] {
        &[
            "tracing_subscriber",
            "FmtSubscriber",
            "env_logger",
            "simple_logger",
            "simplelog",
            "stderrlog",
            "tracing_tree",
            "slog_term",
            "flexi_logger",
            "fern",
            "println!",
            "print!",
            "bunyan",
            "stackdriver",
            "slog_json",
            "json_subscriber",
            "tracing_logstash",
            "tracing_logfmt",
            "femme",
            "ecs_logger",
            "JsonEncoder",
        ]
    }

    fn crate_scope(&self) -> CrateScope {
        CrateScope::Service
    }

    fn check_rust(&self, file: &RustFile, cx: &mut RuleCtx<'_>) {
        if !cx.is_service() {
            return;
        }
        for call in &file.calls {
            if structured(file, call) {
                cx.fact(JSON, call.span.clone(), call.callee.clone());
            } else if let Some(what) = plain_setup(file, call) {
                cx.fact(PLAIN, call.span.clone(), what);
            }
        }
        for p in &file.paths {
            if is_structured_path(&p.path) {
                cx.fact(JSON, p.span.clone(), p.path.clone());
            }
        }
        let text = &file.source.text;
        if text.contains("print!") || text.contains("println!") {
            let tests = &file.tests;
            let mut v = Prints { tests, first: None };
            v.visit_file(&file.ast);
            if let Some((span, name)) = v.first {
                cx.fact(PRINT, span, name);
            }
        }
    }

    fn check_repo(&self, repo: &RepoIndex, cx: &mut RepoCtx<'_>) {
        // Per crate: (structured?, first plain setup, first print).
        let mut crates: BTreeMap<&str, (bool, Option<&Fact>, Option<&Fact>)> = BTreeMap::new();
        for f in repo.facts(crate::registry::RuleId::UnstructuredLogs) {
            let Some(k) = f.krate.as_deref() else {
                continue;
            };
            let e = crates.entry(k).or_insert((false, None, None));
            match f.kind {
                JSON => e.0 = true,
                PLAIN if e.1.is_none() => e.1 = Some(f),
                PRINT if e.2.is_none() => e.2 = Some(f),
                _ => {}
            }
        }
        for (dir, (json, plain, print)) in crates {
            if json {
                continue;
            }
            if let Some(f) = plain {
                cx.report(
                    &f.path,
                    Violation::new(
                        f.span.clone(),
                        format!(
                            "service logs plain text ({}, no JSON formatter in the crate); emit structured log lines",
                            f.detail
                        ),
                    )
                    .label("plain-text log output")
                    .help("format events as JSON, e.g. `tracing_subscriber::fmt().json()` (feature `json`) or `json_env_logger`; keep the text format for local runs behind a setting if you like"),
                );
                continue;
            }
            let Some(f) = print else {
                continue;
            };
            let has_logging = repo
                .crate_at(dir)
                .and_then(|c| repo.manifests.iter().find(|m| m.path == c.manifest))
                .is_some_and(|m| {
                    m.dependencies.iter().any(|d| {
                        let n = d.name.replace('_', "-");
                        LOGGING_CRATES.iter().any(|l| l.replace('_', "-") == n)
                    })
                });
            if has_logging {
                continue;
            }
            cx.report(
                &f.path,
                Violation::new(
                    f.span.clone(),
                    format!(
                        "service logs with `{}` only: plain-text lines with no level or fields; emit structured log lines",
                        f.detail
                    ),
                )
                .label("unstructured output")
                .help("log through `tracing` with `tracing_subscriber::fmt().json()` (feature `json`) so each event is one JSON object on stdout"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{FileKind, SourceFile};

    fn any_structured(src: &str) -> bool {
        let source = SourceFile::new("src/main.rs", FileKind::Rust, src.into());
        let file = RustFile::parse(&source, false).expect("test source parses");
        file.calls.iter().any(|c| structured(&file, c))
            || file.paths.iter().any(|p| is_structured_path(&p.path))
    }

    #[test]
    fn json_detection() {
        assert!(any_structured(
            "fn main() { tracing_subscriber::fmt().json().init(); }"
        ));
        assert!(any_structured(
            "use tracing_subscriber::fmt; fn main() { let l = fmt::layer().with_target(false); let j = l.json(); }"
        ));
        assert!(any_structured(
            "fn main() { let layer = BunyanFormattingLayer::new(); } use tracing_bunyan_formatter::BunyanFormattingLayer;"
        ));
        assert!(any_structured(
            "fn main() { env_logger::Builder::new().format(|buf, r| writeln!(buf, \"{}\", serde_json::json!({\"msg\": r.args().to_string()}))).init(); }"
        ));
        assert!(!any_structured(
            "async fn f() { let v = reqwest::get(\"http://x\").await?.json::<V>().await?; }"
        ));
        assert!(!any_structured(
            "async fn f(client: Client) { let v = client.get(u).send().await?.json().await?; tracing_subscriber::fmt().init(); }"
        ));
        assert!(!any_structured(
            "fn main() { tracing_subscriber::fmt().pretty().init(); }"
        ));
        assert!(is_structured_path("tracing_subscriber::fmt::format::json"));
        assert!(!is_structured_path("tracing_subscriber::fmt::format"));
    }
}
