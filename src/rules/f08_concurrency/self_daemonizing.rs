//! TC0801: a program that daemonizes itself or writes a PID file.

use std::ops::Range;
use std::sync::OnceLock;

use regex::Regex;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Expr, Token};

use crate::rule::prelude::*;
use crate::rules::common::words;
use crate::rules::f09_disposability::missing_sigterm_handling::{method_span, walk, Place, Sink};
use crate::source::flow::{trace, Scope, Value};
use crate::source::rust::byte_range;

declare_rule! {
    /// ## What it does
    /// Flags code of a crate with a binary that turns its process into a daemon or writes a PID
    /// file:
    /// - `daemonize::Daemonize::new()`, `daemonize_me::Daemon::new()`, `fork::daemon(..)`,
    ///   `nix::unistd::daemon(..)` and `libc::daemon(..)`;
    /// - fork-and-exit: a `nix::unistd::fork()` or `libc::fork()` in a function that exits
    ///   (`std::process::exit`, `libc::_exit`, or `return` from `main`) in the parent's branch
    ///   (`ForkResult::Parent { .. } =>`, `if pid > 0`, `if pid != 0`) without waiting for the
    ///   child there;
    /// - PID files: creating or writing (`fs::write`, `File::create`, `OpenOptions::..open`,
    ///   their tokio and async-std twins) a file whose path ends in `.pid` or lies in `/run/` or
    ///   `/var/run/` (followed through `let`s, consts and `format!`), or whose path variable is
    ///   named like one (`pid_file`, `pidfile`); writing `std::process::id()` into a file; the
    ///   `pidlock` and `pidfile` crates.
    ///
    /// Any crate with a binary is checked, web service or not: daemonizing is about the process,
    /// whatever it does. Library crates are not (a library offering a `daemonize` helper is not
    /// the program that calls it). Forking to run a child (`fork` then `exec`, with the parent
    /// waiting, even if it then exits with the child's status) is not flagged, nor is test code.
    ///
    /// Other files consulted: the crate's `Cargo.toml` decides whether the crate has a binary.
    ///
    /// ## Why is this bad?
    /// Factor VIII: twelve-factor processes never daemonize or write PID files; they rely on the
    /// operating system's process manager (systemd, Kubernetes, Heroku's dynos, Foreman) to
    /// manage output streams, respond to crashed processes and handle restarts and shutdowns. A
    /// process that forks away from its parent looks dead to the manager, which then restarts it
    /// or stops tracking it; a stale PID file blocks the next start.
    ///
    /// ## Example
    /// ```rust
    /// daemonize::Daemonize::new()
    ///     .pid_file("/var/run/worker.pid")
    ///     .start()?;
    /// run_worker()
    /// ```
    ///
    /// Use instead:
    /// ```rust
    /// // Stay in the foreground, log to stdout; the process manager runs and restarts it.
    /// run_worker()
    /// ```
    ///
    /// ## References
    /// - <https://12factor.net/concurrency>
    pub SelfDaemonizing {
        code: "TC0801", name: "self-daemonizing",
        factor: Concurrency, severity: Error, preview: false, since: "0.1.0",
    }
}

/// A finer look than the triggers: generated bindings mention `fork` and `daemon` in names.
const WANTS_PATTERN: &str = r#"(?i:daemoniz)|Daemon\s*::|\b(daemon|fork)\s*\(|\.pid"|/run/|(?i:pid_?file|pid_path|pidlock)"#;

const HELP: &str = "stay in the foreground and log to stdout; let the process manager (systemd, Kubernetes, the platform) start, supervise and stop the process";

fn segs(path: &str) -> (&str, &str, &str) {
    let mut it = path.rsplit("::");
    let last = it.next().unwrap_or("");
    let second = it.next().unwrap_or("");
    let first = path.split("::").next().unwrap_or("");
    (first, second, last)
}

/// Whether a branch (a `match` arm pattern or an `if` condition) is the parent's side of a fork.
fn parent_branch(text: &str) -> bool {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    compact.to_ascii_lowercase().contains("parent")
        || compact.contains(">0")
        || compact.contains("!=0")
        || compact.contains(">=1")
}

/// The names an expression reads (variables, fields, method names), for name-based hints.
fn names_in(e: &Expr, out: &mut Vec<String>) {
    match e {
        Expr::Path(p) => {
            if let Some(s) = p.path.segments.last() {
                out.push(s.ident.to_string());
            }
        }
        Expr::Field(f) => {
            if let syn::Member::Named(n) = &f.member {
                out.push(n.to_string());
            }
            names_in(&f.base, out);
        }
        Expr::MethodCall(m) => names_in(&m.receiver, out),
        Expr::Reference(r) => names_in(&r.expr, out),
        Expr::Paren(p) => names_in(&p.expr, out),
        Expr::Try(t) => names_in(&t.expr, out),
        _ => {}
    }
}

fn pid_named(name: &str) -> bool {
    let w = words(name);
    w.iter().any(|w| w == "pid" || w == "pidfile") && !w.iter().any(|w| w == "pids")
}

struct DaemonSink<'ast, 'c, 'x> {
    file: &'ast RustFile<'ast>,
    cx: &'c mut RuleCtx<'x>,
    file_scope: Scope<'ast>,
    scopes: Vec<Scope<'ast>>,
    /// Fork calls: (function, span).
    forks: Vec<(String, Range<usize>)>,
    /// Functions that exit in a parent branch.
    parent_exits: Vec<String>,
    /// Functions that wait for the child in a parent branch.
    parent_waits: Vec<String>,
    /// Spans already reported.
    reported: Vec<Range<usize>>,
}

impl DaemonSink<'_, '_, '_> {
    fn report(&mut self, span: Range<usize>, message: String, label: &str) {
        if self
            .reported
            .iter()
            .any(|r| r.start <= span.start && span.end <= r.end)
        {
            return;
        }
        self.reported.push(span.clone());
        self.cx
            .report(Violation::new(span, message).label(label).help(HELP));
    }

    fn scope(&self) -> &Scope<'_> {
        self.scopes.last().unwrap_or(&self.file_scope)
    }

    /// Why the path written to at `e` is a PID file, if it is one.
    fn pid_path(&self, e: &Expr) -> Option<String> {
        let t = trace(e, self.scope());
        for (v, _) in &t.literals {
            if let Value::Str(s) = v {
                let s = s.trim();
                if s.ends_with(".pid") || s.starts_with("/run/") || s.starts_with("/var/run/") {
                    return Some(format!("`{s}`"));
                }
            }
        }
        let mut names = Vec::new();
        names_in(e, &mut names);
        names
            .into_iter()
            .find(|n| pid_named(n))
            .map(|n| format!("at `{n}`"))
    }

    fn writes_process_id(&self, e: &Expr) -> bool {
        let text = e.to_token_stream_string();
        text.contains("process :: id") || text.contains("getpid")
    }

    fn check_write(&mut self, span: Range<usize>, path: &Expr, content: Option<&Expr>) {
        if let Some(why) = self.pid_path(path) {
            self.report(
                span,
                format!("writes a PID file ({why})"),
                "PID file written here",
            );
        } else if content.is_some_and(|c| self.writes_process_id(c)) {
            self.report(
                span,
                "writes the process id to a file (a PID file)".into(),
                "PID file written here",
            );
        }
    }
}

/// Token text of a syntax node.
trait TokenText {
    fn to_token_stream_string(&self) -> String;
}

impl<T: quote::ToTokens> TokenText for T {
    fn to_token_stream_string(&self) -> String {
        self.to_token_stream().to_string()
    }
}

/// The methods called on the receiver chain of `m`, innermost first.
fn chain(m: &syn::ExprMethodCall) -> Vec<String> {
    let mut out = Vec::new();
    let mut recv = &*m.receiver;
    loop {
        match recv {
            Expr::MethodCall(inner) => {
                out.push(inner.method.to_string());
                recv = &inner.receiver;
            }
            Expr::Await(a) => recv = &a.base,
            Expr::Try(t) => recv = &t.expr,
            Expr::Paren(p) => recv = &p.expr,
            _ => break,
        }
    }
    out.reverse();
    out
}

impl<'ast> Sink<'ast> for DaemonSink<'ast, '_, '_> {
    fn enter_fn(
        &mut self,
        _name: &syn::Ident,
        _attrs: &'ast [syn::Attribute],
        block: &'ast syn::Block,
    ) {
        let s = self.file_scope.with_block(block);
        self.scopes.push(s);
    }

    fn exit_fn(&mut self) {
        self.scopes.pop();
    }

    fn expr(&mut self, e: &Expr, place: &Place) {
        let func = place.func.clone().unwrap_or_default();
        let in_parent = place.branches.iter().any(|b| parent_branch(b));
        match e {
            Expr::Call(c) => {
                let Expr::Path(p) = &*c.func else {
                    return;
                };
                let r = self.file.resolve(&p.path);
                let (first, second, last) = segs(&r);
                let named = |k: &str, i: &str| self.file.names(&r, k, i);
                let daemon = if named("daemonize", "Daemonize") && last == "new" {
                    Some("`daemonize::Daemonize`")
                } else if named("daemonize_me", "Daemon") && last == "new" {
                    Some("`daemonize_me::Daemon`")
                } else if last == "daemon" && first == "nix" {
                    Some("`nix::unistd::daemon`")
                } else if last == "daemon" && first == "libc" {
                    Some("`libc::daemon`")
                } else if last == "daemon" && first == "fork" {
                    Some("`fork::daemon`")
                } else {
                    None
                };
                if let Some(what) = daemon {
                    self.report(
                        byte_range(c.span()),
                        format!("daemonizes the process with {what}"),
                        "the process detaches from its manager here",
                    );
                    return;
                }
                if last == "fork" && matches!(first, "nix" | "libc" | "fork") {
                    self.forks.push((func, byte_range(c.span())));
                    return;
                }
                let exits = (last == "exit"
                    && (matches!(first, "std" | "process" | "libc" | "nix") || r == "exit"))
                    || last == "_exit";
                if exits && in_parent {
                    self.parent_exits.push(func);
                    return;
                }
                // A parent that waits for its child is a supervisor (or runs a command), not a
                // daemon.
                if matches!(last, "waitpid" | "wait" | "wait4" | "waitid") && in_parent {
                    self.parent_waits.push(func);
                    return;
                }
                if matches!(first, "pidlock" | "pidfile" | "pidfile_rs" | "pidfile2")
                    && matches!(last, "new" | "create")
                {
                    self.report(
                        byte_range(c.span()),
                        format!("writes a PID file (`{first}`)"),
                        "PID file written here",
                    );
                    return;
                }
                let writes = (second == "fs" && last == "write")
                    || (second == "File" && matches!(last, "create" | "create_new"));
                if writes {
                    if let Some(path) = c.args.first() {
                        self.check_write(byte_range(c.span()), path, c.args.get(1));
                    }
                }
            }
            Expr::MethodCall(m) => {
                let name = m.method.to_string();
                if name == "open" {
                    let writes = chain(m).iter().any(|c| {
                        matches!(
                            c.as_str(),
                            "write" | "append" | "create" | "create_new" | "truncate"
                        )
                    });
                    if let (true, Some(path)) = (writes, m.args.first()) {
                        self.check_write(method_span(m), path, None);
                    }
                } else if matches!(name.as_str(), "write_all" | "write") && m.args.len() == 1 {
                    let mut names = Vec::new();
                    names_in(&m.receiver, &mut names);
                    if names.iter().any(|n| pid_named(n)) && self.writes_process_id(&m.args[0]) {
                        self.report(
                            method_span(m),
                            "writes the process id to a file (a PID file)".into(),
                            "PID file written here",
                        );
                    }
                }
            }
            Expr::Macro(mac) => {
                let last = mac.mac.path.segments.last().map(|s| s.ident.to_string());
                if !matches!(last.as_deref(), Some("write" | "writeln")) {
                    return;
                }
                let parser = Punctuated::<Expr, Token![,]>::parse_terminated;
                let Ok(args) = mac.mac.parse_body_with(parser) else {
                    return;
                };
                let mut it = args.iter();
                let Some(target) = it.next() else {
                    return;
                };
                let mut names = Vec::new();
                names_in(target, &mut names);
                if names.iter().any(|n| pid_named(n)) && it.any(|a| self.writes_process_id(a)) {
                    self.report(
                        byte_range(mac.span()),
                        "writes the process id to a file (a PID file)".into(),
                        "PID file written here",
                    );
                }
            }
            Expr::Return(_) if in_parent && func == "main" => self.parent_exits.push(func),
            _ => {}
        }
    }
}

impl Rule for SelfDaemonizing {
    fn inputs(&self) -> Inputs {
        Inputs {
            rust: true,
            ..Inputs::default()
        }
    }

    fn rust_triggers(&self) -> &'static [&'static str] {
        &[
            "daemon", "fork", ".pid", "/run/", "pid_file", "pidfile", "pid_path", "pidlock",
        ]
    }

    fn rust_wants(&self, text: &str) -> bool {
        static WANTS: OnceLock<Option<Regex>> = OnceLock::new();
        WANTS
            .get_or_init(|| Regex::new(WANTS_PATTERN).ok())
            .as_ref()
            .is_none_or(|re| re.is_match(text))
    }

    fn check_rust(&self, file: &RustFile, cx: &mut RuleCtx<'_>) {
        if !cx.krate().is_some_and(|k| k.has_bin) {
            return;
        }
        let mut sink = DaemonSink {
            file,
            cx,
            file_scope: Scope::for_file(&file.ast),
            scopes: Vec::new(),
            forks: Vec::new(),
            parent_exits: Vec::new(),
            parent_waits: Vec::new(),
            reported: Vec::new(),
        };
        walk(file, &mut sink);
        let forks = std::mem::take(&mut sink.forks);
        let mut done: Vec<String> = Vec::new();
        for (func, span) in forks {
            if done.contains(&func)
                || !sink.parent_exits.contains(&func)
                || sink.parent_waits.contains(&func)
            {
                continue;
            }
            done.push(func);
            sink.report(
                span,
                "forks and exits the parent to keep running in the background (self-daemonizing)"
                    .into(),
                "the parent exits after this fork",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parent_branches() {
        assert!(parent_branch("Ok (ForkResult :: Parent { .. })"));
        assert!(parent_branch("pid > 0"));
        assert!(parent_branch("fork () ?. is_parent ()"));
        assert!(!parent_branch("Ok (ForkResult :: Child)"));
        assert!(!parent_branch("pid == 0"));
    }

    #[test]
    fn pid_names() {
        assert!(pid_named("pid_file"));
        assert!(pid_named("pidfile"));
        assert!(pid_named("PID_PATH"));
        assert!(!pid_named("rapid_path"));
        assert!(!pid_named("child_pids"));
    }
}
