//! TC1101: the app writing its logs to files.

use crate::rule::prelude::*;
use crate::source::rust::Call;
use crate::source::structured::Node;

declare_rule! {
    /// ## What it does
    /// Flags a service that writes its logs to files instead of stdout: in Rust code,
    /// `tracing_appender::rolling::{daily, hourly, minutely, never}` and `RollingFileAppender`,
    /// log4rs `FileAppender` and `RollingFileAppender`, `fern::log_file`, flexi_logger's
    /// `log_to_file`, `simplelog::WriteLogger` and `env_logger`'s `Target::Pipe` over a `File`, and
    /// files opened at `*.log` or `/var/log/...` paths; in log4rs YAML/TOML configuration,
    /// appenders of kind `file` or `rolling_file`.
    ///
    /// Not flagged: `tracing_appender::non_blocking(std::io::stdout())`, `/dev/stdout`,
    /// `/dev/stderr`, test code, and library crates.
    ///
    /// Other files consulted: the crate's `Cargo.toml` decides whether Rust code belongs to a
    /// service.
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
        if file.names(c, "fern", "log_file") {
            return Some("fern log file");
        }
        let arg_text = |f: &RustFile| {
            call.args
                .iter()
                .map(|a| f.source.text.get(a.clone()).unwrap_or(""))
                .collect::<String>()
        };
        if file.names(c, "simplelog", "WriteLogger") && arg_text(file).contains("File") {
            return Some("simplelog WriteLogger over a file");
        }
        if file.names(c, "env_logger", "Pipe") && arg_text(file).contains("File") {
            return Some("env_logger pipe to a file");
        }
        return None;
    }
    let root = call.root.as_deref().unwrap_or("");
    if (c == "log_to_file" || c == "log_to_file_and_writer")
        && (root.starts_with("flexi_logger") || file.names(root, "flexi_logger", "Logger"))
    {
        return Some("flexi_logger file output");
    }
    if c == "build"
        && (file.names(root, "tracing_appender", "Builder")
            || file.names(root, "tracing_appender", "RollingFileAppender"))
    {
        return Some("tracing-appender rolling file");
    }
    None
}

/// Opening a path that is a log file: `File::create("app.log")`, `.open("/var/log/app")`.
fn log_path_open(call: &Call) -> bool {
    let c = call.callee.as_str();
    let opens = c.ends_with("File::create")
        || c.ends_with("File::open")
        || c == "open"
        || c == "create"
        || c.ends_with("File::options");
    opens
        && call.lit_args.iter().flatten().any(|p| {
            let p = p.trim();
            (p.ends_with(".log") || p.starts_with("/var/log/")) && !p.starts_with("/dev/")
        })
}

impl Rule for LogToFile {
    fn inputs(&self) -> Inputs {
        Inputs {
            rust: true,
            structured: true,
            ..Inputs::default()
        }
    }

    fn rust_triggers(&self) -> &'static [&'static str] {
        &[
            "tracing_appender",
            "rolling",
            "log4rs",
            "FileAppender",
            "fern",
            "log_to_file",
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
        for call in &file.calls {
            let what = if let Some(w) = file_appender(file, call) {
                w
            } else if log_path_open(call) {
                "log file opened"
            } else {
                continue;
            };
            let span = if call.method {
                call.callee_span.start..call.span.end
            } else {
                call.span.clone()
            };
            cx.report(
                Violation::new(span, format!("logs written to a file ({what})"))
                    .label("log output goes to a file")
                    .help("write logs to stdout, e.g. `tracing_appender::non_blocking(std::io::stdout())`, and let the platform route them"),
            );
        }
    }

    fn check_structured(&self, file: &StructuredFile, cx: &mut RuleCtx<'_>) {
        for doc in &file.docs {
            let Some(Node::Map(appenders)) = doc.get("appenders") else {
                continue;
            };
            if doc.get("root").is_none() && doc.get("loggers").is_none() {
                continue;
            }
            for (name, appender) in appenders {
                let Some(Node::Scalar(k, span)) = appender.get("kind") else {
                    continue;
                };
                if k == "file" || k == "rolling_file" {
                    cx.report(
                        Violation::new(span.clone(), format!("log4rs appender `{}` writes to a file", name.name))
                            .label("log output goes to a file")
                            .help("use a `console` appender writing to stdout and let the platform route logs"),
                    );
                }
            }
        }
    }
}
