//! TC1101: the app writing its logs to files.

use std::ops::Range;
use std::sync::OnceLock;

use regex::Regex;

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
    /// - in run commands (Dockerfile `CMD`/`ENTRYPOINT`, Procfile, compose `command:` and
    ///   `entrypoint:`): output redirected (`>`, `>>`, `2>`, `&>`, `| tee`) to a `*.log` file or
    ///   under `/var/log/`.
    ///
    /// Not flagged: `tracing_appender::non_blocking(std::io::stdout())`, appenders and files
    /// pointing at `/dev/stdout`, `/dev/stderr` or `/dev/fd/1`, reading a log file
    /// (`File::open("app.log")`), files that only contain `.log` in their name
    /// (`catalog.log.json`), a log4rs configuration with console appenders only, test code, and
    /// library crates.
    ///
    /// Other files consulted: the crate's `Cargo.toml` decides whether Rust code and log4rs
    /// configuration belong to a service.
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

/// Shell redirections and `tee` into a log file, in a run command: (byte range in `cmd`, target).
fn log_redirects(cmd: &str) -> Vec<(Range<usize>, String)> {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        Regex::new(
            r#"(?:(?:^|[\s;&|(\["'])(?:[0-9]?>>?|&>>?)|\btee(?:\s+-a|\s+--append)?\s)\s*([^\s;&|()<>"'\],]+)"#,
        )
        .unwrap_or_else(|e| unreachable!("constant regex: {e}"))
    });
    re.captures_iter(cmd)
        .filter_map(|c| {
            let target = c.get(1)?;
            let all = c.get(0)?;
            let start = all.start() + (all.as_str().len() - all.as_str().trim_start().len());
            is_log_path(target.as_str()).then(|| (start..target.end(), target.as_str().to_string()))
        })
        .collect()
}

fn redirect_violation(span: Range<usize>, target: &str) -> Violation {
    Violation::new(
        span,
        format!("run command redirects output to the log file `{target}`"),
    )
    .label("log output goes to a file")
    .help("let the process write to stdout and the platform capture it; remove the redirection")
}

impl Rule for LogToFile {
    fn inputs(&self) -> Inputs {
        Inputs {
            rust: true,
            structured: true,
            dockerfile: true,
            text: true,
            ..Inputs::default()
        }
    }

    fn service_only(&self) -> bool {
        true
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
        for doc in &file.docs {
            // docker-compose: `command:` / `entrypoint:` of each service.
            if let Some(Node::Map(services)) = doc.get("services") {
                for (_, service) in services {
                    for key in ["command", "entrypoint"] {
                        let scalars: Vec<&Node> = match service.get(key) {
                            Some(Node::Seq(items)) => items.iter().collect(),
                            Some(n @ Node::Scalar(..)) => vec![n],
                            _ => continue,
                        };
                        for n in scalars {
                            let Node::Scalar(cmd, span) = n else { continue };
                            if let Some((_, target)) = log_redirects(cmd).into_iter().next() {
                                cx.report(redirect_violation(span.clone(), &target));
                            }
                        }
                    }
                }
            }
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
                    .and_then(Node::as_str)
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

    fn check_dockerfile(&self, file: &DockerFile, cx: &mut RuleCtx<'_>) {
        use parse_dockerfile::{Command, Instruction};
        for ins in &file.doc.instructions {
            let cmd = match ins {
                Instruction::Cmd(c) => &c.arguments,
                Instruction::Entrypoint(e) => &e.arguments,
                _ => continue,
            };
            let span = match cmd {
                Command::Exec(e) => e.span.clone(),
                Command::Shell(s) => s.span.clone(),
                _ => continue,
            };
            let Some(text) = file.source.text.get(span.clone()) else {
                continue;
            };
            for (r, target) in log_redirects(text) {
                cx.report(redirect_violation(
                    span.start + r.start..span.start + r.end,
                    &target,
                ));
            }
        }
    }

    fn check_text(&self, file: &SourceFile, cx: &mut RuleCtx<'_>) {
        let name = file.file_name();
        if name != "Procfile" && !name.starts_with("Procfile.") {
            return;
        }
        let mut offset = 0;
        for line in file.text.split_inclusive('\n') {
            let trimmed = line.trim_start();
            if !trimmed.starts_with('#') {
                for (r, target) in log_redirects(line) {
                    cx.report(redirect_violation(
                        offset + r.start..offset + r.end,
                        &target,
                    ));
                }
            }
            offset += line.len();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirects() {
        let t = |s: &str| {
            log_redirects(s)
                .into_iter()
                .map(|(_, t)| t)
                .collect::<Vec<_>>()
        };
        assert_eq!(t("./app > /var/log/app.log 2>&1"), ["/var/log/app.log"]);
        assert_eq!(t("./app >>app.log"), ["app.log"]);
        assert_eq!(t("./app 2>errors.log"), ["errors.log"]);
        assert_eq!(t("./app &> out.log"), ["out.log"]);
        assert_eq!(
            t("./app | tee -a /var/log/app/out.txt"),
            ["/var/log/app/out.txt"]
        );
        assert_eq!(t(r#"["sh", "-c", "./app > app.log"]"#), ["app.log"]);
        assert!(t("./app > /dev/stdout 2>&1").is_empty());
        assert!(t("./app 2>&1 | tee /dev/stderr").is_empty());
        assert!(t("./app --out catalog.log.json > data.json").is_empty());
        assert!(t("./app --level=info").is_empty());
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
