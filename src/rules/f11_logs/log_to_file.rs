//! TC1101: the app writing its logs to files.

use std::ops::Range;

use crate::rule::prelude::*;
use crate::source::rust::Call;
use crate::source::structured::Node;

declare_rule! {
    /// ## What it does
    /// Flags an app that writes its logs to files instead of stdout:
    /// - in the Rust code of a service crate: `tracing_appender::rolling::{daily, hourly,
    ///   minutely, never}`, `RollingFileAppender` and `rolling::Builder`; log4rs
    ///   `FileAppender` and `RollingFileAppender`; `fern::log_file`, `fern::log_reopen` and
    ///   `fern::DateBased`; flexi_logger's `log_to_file`, `log_to_file_and_writer`,
    ///   `FileLogWriter` and `LogTarget::File`; `simplelog::WriteLogger` and `env_logger`'s
    ///   `Target::Pipe` over a file; and files created or opened for writing at `*.log` or
    ///   `/var/log/...` paths (`File::create("app.log")`, `OpenOptions::new().append(true)
    ///   .open(..)`, `create_dir_all("/var/log/app")`);
    /// - in log4rs YAML/TOML configuration of a service crate: appenders of kind `file` or
    ///   `rolling_file`;
    /// - in run commands (the final image's `CMD`/`ENTRYPOINT`, Procfile lines, compose
    ///   `command:`/`entrypoint:`, Kubernetes container `command:`/`args:`, and the entrypoint
    ///   scripts a Dockerfile runs): output redirected (`>`, `>>`, `2>`, `&>`, `exec >> file`)
    ///   or piped through `tee [-a]` to a `*.log` file or under `/var/log/`.
    ///
    /// Not flagged: `tracing_appender::non_blocking(std::io::stdout())`, appenders and files
    /// pointing at `/dev/stdout`, `/dev/stderr` or `/dev/fd/1`, reading a log file
    /// (`File::open("app.log")`), files that only contain `.log` in their name
    /// (`catalog.log.json`), a log4rs configuration with console appenders only, test code, and
    /// library crates; input redirections (`< app.log`), `tail -f /var/log/..`, commands of
    /// earlier Dockerfile build stages, and shell scripts no Dockerfile runs.
    ///
    /// Other files consulted: the crate's `Cargo.toml` decides whether Rust code and log4rs
    /// configuration belong to a service; the repository's Dockerfiles decide which shell
    /// scripts are entrypoint scripts (`COPY docker-entrypoint.sh` + `ENTRYPOINT`), and only
    /// those are checked.
    ///
    /// ## Measured
    /// On the real-world corpus (`benches/realworld/`, 26 repositories, 2026-12-03): no findings.
    ///
    /// ## Why is this bad?
    /// Factor XI: a twelve-factor app never concerns itself with routing or storing its output
    /// stream. Log files fill disks, vanish with the container, need rotation and shipping agents
    /// per host, and cannot be seen by the platform's log router.
    ///
    /// ## Example
    /// ```rust
    /// let appender = tracing_appender::rolling::daily("/var/log/shop", "shop.log");
    /// ```
    ///
    /// Use instead:
    /// ```rust
    /// let (writer, _guard) = tracing_appender::non_blocking(std::io::stdout());
    /// ```
    ///
    /// ## References
    /// - <https://12factor.net/logs>
    pub LogToFile {
        code: "TC1101", name: "log-to-file",
        factor: Logs, severity: Error, preview: false, since: "0.1.0",
    }
}

const HELP: &str = "write logs to stdout, e.g. `tracing_appender::non_blocking(std::io::stdout())`, and let the platform route them";

/// Whether a path names the process's standard streams.
fn is_std_stream(p: &str) -> bool {
    let p = p.trim();
    matches!(
        p,
        "/dev/stdout" | "/dev/stderr" | "/dev/fd/1" | "/dev/fd/2" | "/proc/self/fd/1"
    ) || p == "/proc/self/fd/2"
}

/// Whether a path is a log file: `*.log` or under `/var/log/`.
fn is_log_path(p: &str) -> bool {
    let p = p.trim();
    !is_std_stream(p)
        && !p.starts_with("/dev/")
        && (p.ends_with(".log") || p.starts_with("/var/log/") || p == "/var/log")
}

/// The source text of a call's arguments.
fn args_text<'t>(file: &'t RustFile, call: &Call) -> Vec<&'t str> {
    call.args
        .iter()
        .map(|a| file.source.text.get(a.clone()).unwrap_or(""))
        .collect()
}

/// Whether argument text writes to a file rather than a standard stream.
fn mentions_file(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    lower.contains("file") && !lower.contains("stdout") && !lower.contains("stderr")
}

/// A logging library writing to a file, by call.
fn file_appender(file: &RustFile, call: &Call) -> Option<&'static str> {
    let c = call.callee.as_str();
    if !call.method {
        let rolling = ["daily", "hourly", "minutely", "never"]
            .iter()
            .any(|f| file.names(c, "tracing_appender", f) && c.contains("rolling"));
        if rolling || file.names(c, "tracing_appender", "RollingFileAppender") {
            return Some("tracing-appender rolling file");
        }
        if file.names(c, "log4rs", "FileAppender") {
            return Some("log4rs file appender");
        }
        if file.names(c, "log4rs", "RollingFileAppender") {
            return Some("log4rs rolling file appender");
        }
        if ["log_file", "log_reopen", "log_reopen1", "DateBased"]
            .iter()
            .any(|f| file.names(c, "fern", f))
        {
            return Some("fern log file");
        }
        if file.names(c, "flexi_logger", "FileLogWriter") {
            return Some("flexi_logger file output");
        }
        let args = args_text(file, call).join(",");
        if file.names(c, "simplelog", "WriteLogger") && mentions_file(&args) {
            return Some("simplelog WriteLogger over a file");
        }
        if file.names(c, "env_logger", "Pipe") && mentions_file(&args) {
            return Some("env_logger pipe to a file");
        }
        return None;
    }
    let root = call.root.as_deref().unwrap_or("");
    let flexi_root = root.starts_with("flexi_logger") || file.names(root, "flexi_logger", "Logger");
    if (c == "log_to_file" || c == "log_to_file_and_writer")
        && (flexi_root || args_text(file, call).iter().any(|a| a.contains("FileSpec")))
    {
        return Some("flexi_logger file output");
    }
    if c == "log_target"
        && args_text(file, call)
            .iter()
            .any(|a| a.replace(' ', "").ends_with("LogTarget::File"))
    {
        return Some("flexi_logger file output");
    }
    if c == "build" && file.names(root, "tracing_appender", "Builder") {
        return Some("tracing-appender rolling file");
    }
    None
}

/// Writing to a log path: `File::create("app.log")`, `OpenOptions::new().append(true)
/// .open("/var/log/app")`, `create_dir_all("/var/log/app")`. Reading (`File::open`) is not.
fn log_path_write(file: &RustFile, call: &Call) -> bool {
    let c = call.callee.as_str();
    let last = c.rsplit("::").next().unwrap_or(c);
    let writes = if call.method {
        last == "open"
            && call.chain.iter().any(|m| {
                matches!(
                    m.as_str(),
                    "write" | "append" | "create" | "create_new" | "truncate"
                )
            })
    } else {
        c.ends_with("File::create")
            || c.ends_with("File::create_new")
            || c.ends_with("fs::create_dir_all")
            || c.ends_with("fs::create_dir")
            || c.ends_with("fs::write")
    };
    if !writes {
        return false;
    }
    // The path argument: a literal anywhere inside it (`format!("{dir}/app.log")`).
    let Some(path_arg) = call.args.first() else {
        return false;
    };
    file.lits
        .iter()
        .filter(|l| path_arg.start <= l.span.start && l.span.end <= path_arg.end)
        .any(|l| is_log_path(&l.value) || l.value.trim_end().ends_with(".log"))
}

/// Whether the builder chain around a flagged call points the appender at a standard stream:
/// `FileAppender::builder().build("/dev/stdout")`, `rolling::never("/dev", "stdout")`.
fn targets_std_stream(file: &RustFile, call: &Call) -> bool {
    let own = &call.lit_args;
    let dir = own.first().cloned().flatten();
    let name = own.get(1).cloned().flatten();
    if let (Some(d), Some(n)) = (dir, name) {
        if is_std_stream(&format!("{}/{}", d.trim_end_matches('/'), n)) {
            return true;
        }
    }
    if own.iter().flatten().any(|a| is_std_stream(a)) {
        return true;
    }
    // The outermost method call of the chain rooted at this call.
    let chain = file
        .calls
        .iter()
        .filter(|m| {
            m.method
                && m.root.as_deref() == Some(call.callee.as_str())
                && m.span.start <= call.span.start
                && call.span.end <= m.span.end
        })
        .max_by_key(|m| m.span.len());
    chain.is_some_and(|m| {
        file.lits
            .iter()
            .filter(|l| m.span.start <= l.span.start && l.span.end <= m.span.end)
            .any(|l| is_std_stream(&l.value))
    })
}

/// Output redirections and `tee` into a log file, in a run command: (span, target, how).
fn log_redirects(run: &RunCommand, text: &str) -> Vec<(Range<usize>, String)> {
    let mut out = Vec::new();
    let mut after_pipe = false;
    for c in &run.commands {
        for r in &c.redirects {
            // `<` reads; `2>&1` and `>&2` duplicate a stream (their target is empty).
            if !r.op.contains('>') || r.target.text.is_empty() || !is_log_path(&r.target.text) {
                continue;
            }
            // The span starts at the operator when it sits just before the target.
            let t = &r.target.span;
            let start = text
                .get(c.span.start.min(t.start)..t.start)
                .and_then(|before| before.rfind(r.op.as_str()))
                .map_or(t.start, |i| c.span.start.min(t.start) + i);
            out.push((start..t.end, r.target.text.clone()));
        }
        // `... | tee [-a] file`: the files tee copies its input into.
        if after_pipe && c.program() == Some("tee") {
            for w in c.args().iter().filter(|w| !w.text.starts_with('-')) {
                if is_log_path(&w.text) {
                    let start = c.words.first().map_or(w.span.start, |p| p.span.start);
                    out.push((start..w.span.end, w.text.clone()));
                }
            }
        }
        after_pipe = c.sep == crate::source::shell::Sep::Pipe;
    }
    out
}

fn redirect_violation(span: Range<usize>, target: &str, run: &RunCommand) -> Violation {
    Violation::new(
        span,
        format!(
            "{} redirects output to the log file `{target}`",
            run.origin.describe()
        ),
    )
    .label("log output goes to a file")
    .help("let the process write to stdout and the platform capture it; remove the redirection")
}

impl Rule for LogToFile {
    fn inputs(&self) -> Inputs {
        Inputs {
            rust: true,
            structured: true,
            run: true,
            ..Inputs::default()
        }
    }

    fn crate_scope(&self) -> CrateScope {
        CrateScope::Service
    }

    fn rust_triggers(&self) -> &'static [&'static str] {
        &[
            "tracing_appender",
            "rolling",
            "log4rs",
            "FileAppender",
            "fern",
            "log_to_file",
            "flexi_logger",
            "FileLogWriter",
            "WriteLogger",
            "Pipe",
            ".log",
            "/var/log",
        ]
    }

    fn check_rust(&self, file: &RustFile, cx: &mut RuleCtx<'_>) {
        if !cx.is_service() {
            return;
        }
        let mut reported: Vec<Range<usize>> = Vec::new();
        for call in &file.calls {
            let what = if let Some(w) = file_appender(file, call) {
                if targets_std_stream(file, call) {
                    continue;
                }
                w
            } else if log_path_write(file, call) {
                "log file opened for writing"
            } else {
                continue;
            };
            let span = if call.method {
                call.callee_span.start..call.span.end
            } else {
                call.span.clone()
            };
            // `WriteLogger::new(.., File::create("app.log")?)` is one finding.
            if reported
                .iter()
                .any(|r| r.start <= span.start && span.end <= r.end)
            {
                continue;
            }
            reported.push(span.clone());
            cx.report(
                Violation::new(span, format!("logs written to a file ({what})"))
                    .label("log output goes to a file")
                    .help(HELP),
            );
        }
    }

    fn check_structured(&self, file: &StructuredFile, cx: &mut RuleCtx<'_>) {
        for doc in file.docs() {
            // log4rs configuration, in a service crate only.
            let Some(Node::Map(appenders)) = doc.get("appenders") else {
                continue;
            };
            if !cx.is_service() || (doc.get("root").is_none() && doc.get("loggers").is_none()) {
                continue;
            }
            for (name, appender) in appenders {
                let Some(Node::Scalar(k, span)) = appender.get("kind") else {
                    continue;
                };
                if k != "file" && k != "rolling_file" {
                    continue;
                }
                if appender
                    .get("path")
                    .and_then(|n| n.as_str())
                    .is_some_and(is_std_stream)
                {
                    continue;
                }
                cx.report(
                    Violation::new(
                        span.clone(),
                        format!("log4rs appender `{}` writes to a file", name.name),
                    )
                    .label("log output goes to a file")
                    .help("use a `console` appender writing to stdout and let the platform route logs"),
                );
            }
        }
    }

    fn check_run(&self, run: &RunCommand, file: &SourceFile, cx: &mut RuleCtx<'_>) {
        for (span, target) in log_redirects(run, &file.text) {
            cx.report(redirect_violation(span, &target, run));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn targets(script: &str) -> Vec<String> {
        let file = SourceFile::new("Procfile", crate::source::FileKind::Procfile, script.into());
        let run = crate::source::run::from_script(&file);
        log_redirects(&run, &file.text)
            .into_iter()
            .map(|(span, t)| {
                assert!(file.text[span].ends_with(t.as_str()));
                t
            })
            .collect()
    }

    #[test]
    fn redirects() {
        let t = targets;
        assert_eq!(t("./app > /var/log/app.log 2>&1"), ["/var/log/app.log"]);
        assert_eq!(t("./app >>app.log"), ["app.log"]);
        assert_eq!(t("./app 2>errors.log"), ["errors.log"]);
        assert_eq!(t("./app &> out.log"), ["out.log"]);
        assert_eq!(t("exec >> /var/log/entry.log 2>&1"), ["/var/log/entry.log"]);
        assert_eq!(
            t("./app | tee -a /var/log/app/out.txt"),
            ["/var/log/app/out.txt"]
        );
        assert_eq!(t("sh -c \"./app > app.log\""), ["app.log"]);
        assert!(t("./app > /dev/stdout 2>&1").is_empty());
        assert!(t("./app 2>&1 | tee /dev/stderr").is_empty());
        assert!(t("./app --out catalog.log.json > data.json").is_empty());
        assert!(t("./app --level=info").is_empty());
        assert!(t("tail -f /var/log/app.log").is_empty());
        assert!(t("grep error < /var/log/app.log").is_empty());
        assert!(t("tee app.log < input").is_empty());
    }

    #[test]
    fn log_paths() {
        assert!(is_log_path("app.log"));
        assert!(is_log_path("/var/log/app/out"));
        assert!(!is_log_path("catalog.log.json"));
        assert!(!is_log_path("/dev/stdout"));
        assert!(is_std_stream("/dev/stderr"));
    }
}
