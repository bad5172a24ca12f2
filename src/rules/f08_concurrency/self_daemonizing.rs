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
    /// - run commands (the final image's `CMD`/`ENTRYPOINT`, Procfile lines, compose
    ///   `command:`/`entrypoint:`, Kubernetes container commands, and the entrypoint scripts a
    ///   Dockerfile runs) that start a daemon. By an explicit option, wherever it runs:
    ///   `gunicorn --daemon`/`-D`, `uwsgi --daemonize`, `redis-server --daemonize yes`,
    ///   `php-fpm -D`/`--daemonize`, `memcached -d`, `mysqld --daemonize`, `mongod --fork`,
    ///   `haproxy -D`, `unicorn -D`, `thin -d`, `puma -d`, `rails server -d`,
    ///   `celery --detach`, `celery multi start`, `start-stop-daemon --background` and the
    ///   `daemonize` tool. By default, when it is the main process (nothing but a keep-alive
    ///   such as `tail -f` or `sleep infinity` runs after it): `service x start`,
    ///   `/etc/init.d/x start`, `systemctl start x`, `sshd` without `-D`, `cron`/`crond`
    ///   without `-f`, `httpd`/`apache2` without `-DFOREGROUND`, `apachectl start`, and `nginx`
    ///   (or `openresty`) without `-g 'daemon off;'`, unless an nginx configuration of the
    ///   repository says `daemon off;` or the Dockerfile's `CMD` passes `-g 'daemon off;'` to an
    ///   `ENTRYPOINT ["nginx"]`.
    ///
    /// Any crate with a binary is checked, web service or not: daemonizing is about the process,
    /// whatever it does. Library crates are not (a library offering a `daemonize` helper is not
    /// the program that calls it). Forking to run a child (`fork` then `exec`, with the parent
    /// waiting, even if it then exits with the child's status) is not flagged, nor is test code.
    ///
    /// Not flagged in run commands: a daemon started before another long-running command
    /// (`service nginx start && exec app` is several processes in one container: TC0802, like
    /// supervisord with `nodaemon=true`); a temporary server restarted in the foreground later
    /// (`mysqld --daemonize ... && exec mysqld`); plain `php-fpm` (the official images set
    /// `daemonize = no`; only `-D` is flagged); `pg_ctl start` (used by init scripts);
    /// supervisord (TC0802); nginx control commands (`nginx -t`, `nginx -s reload`); and shell
    /// scripts no Dockerfile runs.
    ///
    /// Other files consulted: the crate's `Cargo.toml` decides whether the crate has a binary;
    /// for nginx, every nginx configuration of the repository (`daemon off;`) and the
    /// Dockerfile's `CMD`; the repository's Dockerfiles decide which shell scripts are
    /// entrypoint scripts.
    ///
    /// ## Measured
    /// On the real-world corpus (`benches/realworld/`, 26 repositories, 2026-12-03): 1 findings, 0
    /// right, 1 wrong, 0 debatable; verdict precision 0.00. Below the 0.90 a default-on rule needs,
    /// so it is a preview rule until it is fixed; its false-positive shapes are in
    /// `benches/realworld/RESULTS.md`.
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
        factor: Concurrency, severity: Error, preview: true, since: "0.1.0",
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
            run: true,
            nginx: true,
            dockerfile: true,
            repo: true,
            ..Inputs::default()
        }
    }

    fn check_run(&self, run: &RunCommand, _file: &SourceFile, cx: &mut RuleCtx<'_>) {
        self.run_part(run, cx);
    }

    fn check_nginx(&self, file: &NginxConf, cx: &mut RuleCtx<'_>) {
        for d in &file.directives {
            let off = d.args.first().is_some_and(|a| a.text == "off");
            if d.name == "daemon" && off && d.context.is_empty() {
                cx.fact(NGINX_DAEMON_OFF, d.span.clone(), "conf");
            }
        }
    }

    fn check_dockerfile(&self, file: &DockerFile, cx: &mut RuleCtx<'_>) {
        let scripts = crate::source::run::entry_scripts(file, &|p| cx.repo().exists(p));
        for s in scripts {
            cx.fact(ENTRY_SCRIPT, 0..0, s);
        }
    }

    fn check_repo(&self, repo: &RepoIndex, cx: &mut RepoCtx<'_>) {
        let facts: Vec<&Fact> = repo
            .facts(crate::registry::RuleId::SelfDaemonizing)
            .collect();
        let conf_off = facts
            .iter()
            .find(|f| f.kind == NGINX_DAEMON_OFF && f.detail == "conf");
        if conf_off.is_some() {
            return;
        }
        let scripts: Vec<&str> = facts
            .iter()
            .filter(|f| f.kind == ENTRY_SCRIPT)
            .map(|f| f.detail.as_str())
            .collect();
        for f in facts.iter().filter(|f| f.kind == NGINX_RUN) {
            let (kind, origin) = f.detail.split_once('\t').unwrap_or(("run", ""));
            if kind == "script" && !scripts.contains(&f.path.as_str()) {
                continue;
            }
            // `ENTRYPOINT ["nginx"]` with `CMD ["-g", "daemon off;"]` in the same Dockerfile.
            if facts
                .iter()
                .any(|o| o.kind == NGINX_DAEMON_OFF && o.detail == "cmd" && o.path == f.path)
            {
                continue;
            }
            cx.report(
                &f.path,
                Violation::new(
                    f.span.clone(),
                    format!("{origin} starts `nginx` as a daemon: nginx forks into the background unless `daemon off;` is set, and no nginx configuration of the repository sets it"),
                )
                .label("detaches from the process manager")
                .help("run `nginx -g 'daemon off;'`, or put `daemon off;` in the nginx.conf the image uses"),
            );
        }
    }

    fn crate_scope(&self) -> CrateScope {
        CrateScope::Binary
    }

    fn rust_triggers(&self) -> &'static [&'static str] {
        &[
            "daemon", "fork", ".pid", "/run/", "pid_file", "pidfile", "pid_path", "pidlock",
        ]
    }

    fn rust_wants(&self, src: &RustText<'_>) -> bool {
        let text = src.text;
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

// ---------------------------------------------------------------------------------------------
// Run commands: daemonizing start commands.
// ---------------------------------------------------------------------------------------------

/// Shell keywords that open or close a compound command; the program follows them.
const SHELL_KEYWORDS: &[&str] = &[
    "if", "then", "else", "elif", "do", "while", "until", "!", "{", "(", "time", "fi", "done",
    "esac", "}", ")", "exec", "nohup", "setsid", "command", "builtin",
];

/// The program and its arguments as run: shell keywords (`then`, `do`), `exec`, leading
/// assignments and wrappers that run another command (`gosu user`, `su-exec user`, `tini --`,
/// `dumb-init`, `sudo -u user`, `env VAR=1`, `nice`, `stdbuf`, `chpst -u user`, `runuser -u user
/// --`, `bundle exec`, `poetry run`, `pipenv run`, `uv run`, `pdm run`, `npx`, `pnpm exec`,
/// `yarn exec`) skipped.
pub(crate) fn run_argv(cmd: &crate::source::shell::Command) -> &[crate::source::shell::Word] {
    let w = &cmd.words;
    let mut i = 0;
    let base = |i: usize| {
        w.get(i)
            .map(|x| x.text.rsplit('/').next().unwrap_or(&x.text))
    };
    let skip_flags = |mut i: usize, with_value: &[&str]| {
        while let Some(x) = w.get(i) {
            let t = x.text.as_str();
            if t == "--" {
                return i + 1;
            }
            if !t.starts_with('-') {
                break;
            }
            i += if with_value.contains(&t) { 2 } else { 1 };
        }
        i
    };
    while let Some(prog) = base(i) {
        let next = w.get(i + 1).map(|x| x.text.as_str());
        i = match prog {
            p if SHELL_KEYWORDS.contains(&p) => i + 1,
            p if p.contains('=') && !p.starts_with('-') && !p.starts_with('=') => {
                let name = p.split('=').next().unwrap_or("");
                if name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
                    i + 1
                } else {
                    break;
                }
            }
            "gosu" | "su-exec" | "s6-setuidgid" => i + 2,
            "tini" | "dumb-init" | "stdbuf" => skip_flags(i + 1, &[]),
            "sudo" => skip_flags(i + 1, &["-u", "-g", "-E"]),
            "chpst" | "runuser" => skip_flags(i + 1, &["-u", "-U", "-g"]),
            "nice" => skip_flags(i + 1, &["-n"]),
            "env" => {
                let mut j = skip_flags(i + 1, &["-u"]);
                while w.get(j).is_some_and(|x| x.text.contains('=')) {
                    j += 1;
                }
                j
            }
            "npx" | "pnpx" | "bunx" => skip_flags(i + 1, &["-p", "--package"]),
            "bundle" | "pnpm" | "yarn" if next == Some("exec") => i + 2,
            "poetry" | "pipenv" | "uv" | "pdm" | "hatch" | "rye" if next == Some("run") => i + 2,
            _ => break,
        };
    }
    w.get(i..).unwrap_or(&[])
}

/// The program name of a run command's argv, without its directory.
pub(crate) fn argv_program(a: &[crate::source::shell::Word]) -> Option<&str> {
    a.first()
        .map(|x| x.text.rsplit('/').next().unwrap_or(&x.text))
}

/// Commands that do not keep a container alive as a real process: output, tests, builtins,
/// and the keep-alives run after a daemon (`tail -f`, `sleep infinity`, `wait`).
pub(crate) fn trivial_command(a: &[crate::source::shell::Word]) -> bool {
    matches!(
        argv_program(a),
        None | Some(
            "echo"
                | "printf"
                | "true"
                | "false"
                | ":"
                | "sleep"
                | "tail"
                | "wait"
                | "read"
                | "set"
                | "trap"
                | "cd"
                | "export"
                | "unset"
                | "shift"
                | "local"
                | "exit"
                | "["
                | "[["
                | "test"
                | "cat"
                | "logger"
        )
    )
}

/// Facts of the run-command part.
const NGINX_RUN: &str = "nginx-run";
const NGINX_DAEMON_OFF: &str = "nginx-daemon-off";
const ENTRY_SCRIPT: &str = "entry-script";

/// How a command daemonizes.
struct Daemon {
    /// What is shown: `gunicorn --daemon`.
    shown: String,
    /// Why it is a daemon.
    why: &'static str,
    /// What to do.
    help: String,
    /// Whether it daemonizes by an explicit option (flagged wherever it runs) rather than by
    /// default (flagged when it is the container's or process type's main process).
    explicit: bool,
}

fn daemon(a: &[crate::source::shell::Word]) -> Option<Daemon> {
    let prog = argv_program(a)?;
    let args: Vec<&str> = a.iter().skip(1).map(|w| w.text.as_str()).collect();
    let has = |f: &str| args.contains(&f);
    let starts = |f: &str| args.iter().any(|x| x.starts_with(f));
    let explicit = |shown: &str, why: &'static str, help: &str| {
        Some(Daemon {
            shown: shown.to_string(),
            why,
            help: help.to_string(),
            explicit: true,
        })
    };
    let implicit = |shown: String, why: &'static str, help: &str| {
        Some(Daemon {
            shown,
            why,
            help: help.to_string(),
            explicit: false,
        })
    };
    match prog {
        "gunicorn" if has("--daemon") || has("-D") => explicit(
            "gunicorn --daemon",
            "gunicorn detaches from the terminal with `--daemon`",
            "remove `--daemon`; gunicorn stays in the foreground by default",
        ),
        "uwsgi" if starts("--daemonize") => explicit(
            "uwsgi --daemonize",
            "uWSGI forks into the background with `--daemonize`",
            "remove `--daemonize` and let uWSGI log to stdout",
        ),
        "redis-server" | "redis-sentinel"
            if args
                .windows(2)
                .any(|p| p[0] == "--daemonize" && p[1].eq_ignore_ascii_case("yes")) =>
        {
            explicit(
                &format!("{prog} --daemonize yes"),
                "Redis forks into the background with `--daemonize yes`",
                "use `--daemonize no` (the default) so Redis stays in the foreground",
            )
        }
        p if p.starts_with("php-fpm") && (has("-D") || has("--daemonize")) => explicit(
            &format!("{p} --daemonize"),
            "php-fpm forks into the background with `-D`/`--daemonize`",
            "run `php-fpm -F` (`--nodaemonize`) in the foreground",
        ),
        "memcached" if has("-d") || has("--daemon") => explicit(
            "memcached -d",
            "memcached runs as a daemon with `-d`",
            "remove `-d`; memcached stays in the foreground by default",
        ),
        "mysqld" | "mariadbd" if has("--daemonize") => explicit(
            &format!("{prog} --daemonize"),
            "the database server forks into the background with `--daemonize`",
            "remove `--daemonize` so the server stays in the foreground",
        ),
        "mongod" | "mongos" if has("--fork") => explicit(
            &format!("{prog} --fork"),
            "MongoDB forks into the background with `--fork`",
            "remove `--fork` so the server stays in the foreground",
        ),
        "haproxy" if has("-D") => explicit(
            "haproxy -D",
            "HAProxy daemonizes with `-D`",
            "run `haproxy -db` (or `-W` master-worker mode) in the foreground",
        ),
        "unicorn" | "unicorn_rails" if has("-D") || has("--daemonize") => explicit(
            &format!("{prog} --daemonize"),
            "unicorn daemonizes with `-D`/`--daemonize`",
            "remove `-D`; unicorn stays in the foreground by default",
        ),
        "thin" | "puma" if has("-d") || has("--daemonize") || has("--daemon") => explicit(
            &format!("{prog} -d"),
            "the server daemonizes with `-d`",
            "remove `-d`; the server stays in the foreground by default",
        ),
        "rails"
            if args.first().is_some_and(|s| matches!(*s, "s" | "server"))
                && (has("-d") || has("--daemon")) =>
        {
            explicit(
                "rails server -d",
                "`rails server` detaches with `-d`/`--daemon`",
                "remove `-d`; `rails server` stays in the foreground by default",
            )
        }
        "celery" if has("--detach") => explicit(
            "celery --detach",
            "Celery forks into the background with `--detach`",
            "remove `--detach`; run `celery worker` in the foreground",
        ),
        "celery" if has("multi") && (has("start") || has("restart")) => explicit(
            "celery multi start",
            "`celery multi` starts detached workers",
            "run `celery -A app worker` in the foreground, one process per container or process type",
        ),
        "start-stop-daemon"
            if (has("--background") || has("-b") || args.iter().any(|x| {
                x.starts_with('-') && !x.starts_with("--") && x.contains('b') && x.contains('S')
            })) =>
        {
            explicit(
                "start-stop-daemon --background",
                "`start-stop-daemon --background` forks the program away",
                "run the program itself in the foreground with `exec`",
            )
        }
        "daemonize" if !args.is_empty() => explicit(
            prog,
            "the `daemonize` tool detaches the program it runs",
            "run the program itself in the foreground with `exec`",
        ),
        "service" | "rc-service"
            if args.len() >= 2 && matches!(args[1], "start" | "restart") =>
        {
            implicit(
                format!("{prog} {} {}", args[0], args[1]),
                "init scripts start their service as a background daemon and return",
                "run the service's program itself in the foreground with `exec` (e.g. `exec nginx -g 'daemon off;'`)",
            )
        }
        "systemctl" if args.first().is_some_and(|s| matches!(*s, "start" | "restart")) => {
            implicit(
                format!("systemctl {}", args.join(" ")),
                "`systemctl start` hands the service to systemd, which a container does not run",
                "run the service's program itself in the foreground with `exec`",
            )
        }
        _ => {
            let full = a.first().map_or("", |w| w.text.as_str());
            if full.starts_with("/etc/init.d/")
                || full.starts_with("/etc/rc.d/init.d/")
                || full.starts_with("/etc/rc.d/")
            {
                if args.first().is_some_and(|s| matches!(*s, "start" | "restart")) {
                    return implicit(
                        format!("{full} {}", args[0]),
                        "init scripts start their service as a background daemon and return",
                        "run the service's program itself in the foreground with `exec`",
                    );
                }
                return None;
            }
            match prog {
                "sshd" if !has("-D") && !starts("-t") && !has("-T") => implicit(
                    "sshd".into(),
                    "sshd detaches unless started with `-D`",
                    "run `sshd -D -e` in the foreground",
                ),
                "cron" | "crond"
                    if !has("-f") && !has("-n") && !args.iter().any(|x| x.starts_with("-f")) =>
                {
                    implicit(
                        prog.into(),
                        "cron daemonizes unless started with `-f`",
                        "run `cron -f` (`crond -f` on BusyBox and Alpine, `crond -n` on cronie) in the foreground",
                    )
                }
                "httpd" | "apache2"
                    if !args.iter().any(|x| {
                        x.contains("FOREGROUND")
                            || matches!(*x, "-X" | "-t" | "-v" | "-V" | "-S" | "-M" | "-l" | "-L")
                    }) && !args.windows(2).any(|p| p[0] == "-k" && p[1] != "start") =>
                {
                    implicit(
                        prog.into(),
                        "Apache httpd daemonizes unless started with `-DFOREGROUND`",
                        "run `httpd -DFOREGROUND` (`apache2ctl -D FOREGROUND`)",
                    )
                }
                "apachectl" | "apache2ctl"
                    if args.first().is_some_and(|s| matches!(*s, "start" | "restart")) =>
                {
                    implicit(
                        format!("{prog} {}", args[0]),
                        "`apachectl start` starts Apache as a background daemon",
                        "run `apache2ctl -D FOREGROUND` (`httpd -DFOREGROUND`)",
                    )
                }
                _ => None,
            }
        }
    }
}

/// An nginx (or OpenResty) start that daemonizes: not `-g 'daemon off;'`, not a control or
/// test invocation (`-s reload`, `-t`, `-v`).
fn nginx_daemon(a: &[crate::source::shell::Word]) -> bool {
    if !matches!(argv_program(a), Some("nginx" | "openresty")) {
        return false;
    }
    let args: Vec<&str> = a.iter().skip(1).map(|w| w.text.as_str()).collect();
    if args
        .iter()
        .any(|x| matches!(*x, "-s" | "-t" | "-T" | "-v" | "-V" | "-h" | "-?" | "-q"))
    {
        return false;
    }
    !daemon_off_args(&args)
}

/// Whether nginx arguments set `daemon off;` (`-g 'daemon off;'`). Quotes kept inside an exec
/// form (`["nginx", "-g", "'daemon off;'"]`) do not hide the intent: nginx never forks there.
fn daemon_off_args(args: &[&str]) -> bool {
    args.windows(2).any(|p| {
        p[0] == "-g"
            && p[1].split(';').any(|d| {
                let d: Vec<&str> = d
                    .split(|c: char| c.is_whitespace() || c == '\'' || c == '"')
                    .filter(|w| !w.is_empty())
                    .collect();
                d == ["daemon", "off"]
            })
    }) || args.iter().any(|x| {
        x.strip_prefix("-g")
            .is_some_and(|g| g.replace(' ', "").contains("daemonoff;"))
    })
}

impl SelfDaemonizing {
    /// The index of the last command that keeps running as a real process.
    fn main_index(run: &RunCommand) -> Option<usize> {
        run.commands.iter().rposition(|c| {
            c.sep != crate::source::shell::Sep::Background && !trivial_command(run_argv(c))
        })
    }

    fn run_part(&self, run: &RunCommand, cx: &mut RuleCtx<'_>) {
        // `CMD ["-g", "daemon off;"]` passes options to an `ENTRYPOINT ["nginx"]`.
        if run.origin == Origin::Cmd {
            let words: Vec<&str> = run
                .commands
                .first()
                .map(|c| c.words.iter().map(|w| w.text.as_str()).collect())
                .unwrap_or_default();
            if words.first().is_some_and(|w| w.starts_with('-')) && daemon_off_args(&words) {
                cx.fact(NGINX_DAEMON_OFF, run.span.clone(), "cmd");
            }
        }
        let main = Self::main_index(run);
        for (i, c) in run.commands.iter().enumerate() {
            let a = run_argv(c);
            let span = match (a.first(), a.last()) {
                (Some(f), Some(l)) => f.span.start..l.span.end,
                _ => continue,
            };
            // Anything after it that keeps running makes it a side process (TC0802).
            let is_main = main.is_none_or(|m| m <= i);
            if nginx_daemon(a) {
                if is_main && c.sep != crate::source::shell::Sep::Background {
                    let script = if run.origin == Origin::Script {
                        "script"
                    } else {
                        "run"
                    };
                    cx.fact(
                        NGINX_RUN,
                        span,
                        format!("{script}\t{}", run.origin.describe()),
                    );
                }
                continue;
            }
            let Some(d) = daemon(a) else { continue };
            let scripted = run.origin == Origin::Script;
            if (!d.explicit || scripted) && !is_main {
                continue;
            }
            // A temporary server for initialisation, restarted in the foreground later
            // (`mysqld --daemonize --skip-networking && ./init.sh && exec mysqld`).
            let program = argv_program(a);
            if run.commands[i + 1..]
                .iter()
                .any(|n| argv_program(run_argv(n)) == program)
            {
                continue;
            }
            cx.report(
                Violation::new(
                    span,
                    format!(
                        "{} starts `{}` as a daemon: {}",
                        run.origin.describe(),
                        d.shown,
                        d.why
                    ),
                )
                .label("detaches from the process manager")
                .help(d.help),
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

#[cfg(test)]
mod run_tests {
    use super::*;
    use crate::source::shell::split;

    fn argv(s: &str) -> Vec<String> {
        let c = split(s, 0);
        run_argv(&c[0]).iter().map(|w| w.text.clone()).collect()
    }

    #[test]
    fn wrappers() {
        assert_eq!(argv("exec gosu app nginx"), ["nginx"]);
        assert_eq!(argv("tini -s -- gunicorn app"), ["gunicorn", "app"]);
        assert_eq!(argv("then env FOO=1 ./app serve"), ["./app", "serve"]);
        assert_eq!(argv("bundle exec rails server"), ["rails", "server"]);
    }

    #[test]
    fn daemons() {
        let d = |s: &str| daemon(run_argv(&split(s, 0)[0])).map(|d| (d.shown, d.explicit));
        assert_eq!(
            d("gunicorn app --daemon"),
            Some(("gunicorn --daemon".into(), true))
        );
        assert_eq!(d("redis-server --daemonize no"), None);
        assert_eq!(d("service nginx start").map(|x| x.1), Some(false));
        assert_eq!(d("sshd -D -e"), None);
        assert_eq!(d("crond -f"), None);
        assert_eq!(d("php-fpm"), None);
        assert_eq!(d("httpd -DFOREGROUND"), None);
        let n = |s: &str| nginx_daemon(run_argv(&split(s, 0)[0]));
        assert!(n("nginx"));
        assert!(!n("nginx -g 'daemon off;'"));
        assert!(!n("nginx -g \"daemon off; error_log /dev/stderr;\""));
        assert!(!n("nginx -s reload"));
    }
}
