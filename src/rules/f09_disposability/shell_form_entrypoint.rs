//! TC0902: a container start command that does not receive SIGTERM.

use crate::rule::prelude::*;
use crate::rules::f05_build_release_run::build_in_run_stage::{base_name, shown, statements, Stmt};
use crate::source::shell::Sep;

declare_rule! {
    /// ## What it does
    /// Flags container start commands that leave a shell as PID 1 between the container runtime
    /// and the app:
    /// - a final-stage Dockerfile `CMD` or `ENTRYPOINT` in shell form (`CMD node server.js`)
    ///   whose last command is not `exec`'d;
    /// - an exec-form `sh -c` script of several commands whose last one is not `exec`'d
    ///   (`CMD ["sh", "-c", "./migrate && ./app"]`);
    /// - an entrypoint script whose last command, the one that starts the app, is not `exec`'d
    ///   (`gunicorn app:app`, `"$@"`), or that ends with `wait` without a `trap` forwarding
    ///   signals. Calls to functions of the script are followed (`_main "$@"` in the official
    ///   postgres image ends in `exec "$@"`).
    ///
    /// Not flagged: an `exec` prefix (`CMD exec node server.js`, `./migrate && exec ./app`), the
    /// JSON (exec) form, `sh -c` with one command (the shell replaces itself), an init as the
    /// entrypoint (`tini`, `dumb-init`, `docker-init`, `catatonit`), scripts ending with
    /// `exec "$@"`, and a shell-form `CMD` under an exec-form `ENTRYPOINT`: the `CMD` is then
    /// only the argument list of the entrypoint (`/bin/sh -c "..."`), and the entrypoint is what
    /// is checked. Scripts whose last command is inside a loop or a background job (see
    /// TC0802) are left alone.
    ///
    /// Other files consulted: for a `CMD`, the Dockerfile's `ENTRYPOINT`; for a script, the
    /// Dockerfile that runs it (a script is checked only when a Dockerfile of the repository
    /// runs it).
    ///
    /// ## Measured
    /// On the real-world corpus (`benches/realworld/`, 26 repositories, 2026-12-03): 6 findings, 6
    /// right, 0 wrong, 0 debatable; verdict precision 1.00.
    ///
    /// ## Why is this bad?
    /// Factor IX: processes shut down gracefully when they receive SIGTERM. `docker stop` and
    /// Kubernetes send SIGTERM to PID 1 only. A shell as PID 1 does not forward it, and PID 1
    /// ignores signals it has no handler for, so the app never hears it: in-flight requests are
    /// cut when SIGKILL arrives after the grace period (10 s in Docker, 30 s in Kubernetes), and
    /// every stop and deploy takes that long.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22-slim
    /// COPY . /app
    /// CMD node /app/server.js
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM node:22-slim
    /// COPY . /app
    /// CMD ["node", "/app/server.js"]
    /// ```
    ///
    /// ## References
    /// - <https://12factor.net/disposability>
    /// - <https://docs.docker.com/reference/dockerfile/#shell-and-exec-form>
    /// - <https://github.com/krallin/tini>
    pub ShellFormEntrypoint {
        code: "TC0902", name: "shell-form-entrypoint",
        factor: Disposability, severity: Warning, preview: false, since: "0.2.0",
    }
}

/// Programs that are inits: they run as PID 1 and forward signals.
const INITS: &[&str] = &[
    "tini",
    "tini-static",
    "dumb-init",
    "docker-init",
    "catatonit",
    "s6-svscan",
    "supervisord",
    "runsvdir",
    "my_init",
];

/// Trailing commands skipped when looking for the app: they run after it exits.
const AFTER_APP: &[&str] = &["echo", "printf", "exit", "return", "true", ":", "logger"];

/// Commands that show a script does not end by starting an app (setup only, or a keep-alive).
const NOT_APP: &[&str] = &[
    "cd",
    "export",
    "source",
    ".",
    "set",
    "unset",
    "shift",
    "trap",
    "sleep",
    "chown",
    "chmod",
    "mkdir",
    "rm",
    "cp",
    "mv",
    "ln",
    "touch",
    "sed",
    "envsubst",
    "cat",
    "[",
    "[[",
    "test",
    "kill",
    "ulimit",
    "umask",
    "eval",
    "local",
    "readonly",
    "declare",
    "alias",
    "tail",
    "fi",
    "done",
    "esac",
    "wait",
    "curl",
    "wget",
    "grep",
    "find",
    "usermod",
    "useradd",
    "adduser",
    "addgroup",
    "groupadd",
    "read",
    "cron",
    "crond",
    "service",
    "update-ca-certificates",
];

/// What a script's last command is.
enum Ending<'s, 'r> {
    /// The app, not `exec`'d.
    App(&'s Stmt<'r>),
    /// `wait` for background jobs, no `trap`.
    Wait(&'s Stmt<'r>),
    /// Fine or unknown.
    Fine,
}

/// The last command of a body (the main script when `function` is `None`), following calls to
/// functions of the script.
fn ending<'s, 'r>(all: &'s [Stmt<'r>], function: Option<&str>, hops: usize) -> Ending<'s, 'r> {
    let trap = all.iter().any(|s| {
        s.program() == Some("trap")
            && s.words.iter().skip(2).any(|w| {
                let t = w.text.to_ascii_uppercase();
                matches!(
                    t.as_str(),
                    "TERM" | "SIGTERM" | "INT" | "SIGINT" | "15" | "EXIT" | "0"
                )
            })
    });
    for st in all
        .iter()
        .rev()
        .filter(|s| s.function.as_deref() == function && !s.condition)
    {
        let Some(first) = st.words.first() else {
            continue;
        };
        let p = base_name(&first.text);
        if AFTER_APP.contains(&p) {
            continue;
        }
        if st.exec || st.loop_depth > 0 || st.sep() == Sep::Background {
            return Ending::Fine;
        }
        if p == "wait" {
            return if trap { Ending::Fine } else { Ending::Wait(st) };
        }
        let app = st.app();
        let ap = app.first().map_or("", |w| base_name(&w.text));
        if INITS.contains(&p) || INITS.contains(&ap) || NOT_APP.contains(&p) {
            return Ending::Fine;
        }
        let called = all
            .iter()
            .any(|s| s.function.as_deref() == Some(first.text.as_str()));
        if called {
            return if hops < 4 {
                ending(all, Some(&first.text), hops + 1)
            } else {
                Ending::Fine
            };
        }
        // An assignment-only word or a test of a variable is not an app.
        if first.text.contains('=') && !first.text.starts_with('$') {
            return Ending::Fine;
        }
        return Ending::App(st);
    }
    Ending::Fine
}

/// Whether the Dockerfile's effective `ENTRYPOINT` is in exec form.
fn exec_form_entrypoint(file: &SourceFile) -> bool {
    DockerFile::parse(file).is_ok_and(|d| {
        d.start_commands()
            .iter()
            .any(|s| s.instruction == "ENTRYPOINT" && !s.shell_form)
    })
}

/// Whether the Dockerfile has a shell-form `ENTRYPOINT`, which ignores `CMD`.
fn shell_form_entrypoint(file: &SourceFile) -> bool {
    DockerFile::parse(file).is_ok_and(|d| {
        d.start_commands()
            .iter()
            .any(|s| s.instruction == "ENTRYPOINT" && s.shell_form)
    })
}

impl ShellFormEntrypoint {
    fn check_dockerfile_command(&self, run: &RunCommand, file: &SourceFile, cx: &mut RuleCtx<'_>) {
        let instruction = if run.origin == Origin::Entrypoint {
            "ENTRYPOINT"
        } else {
            "CMD"
        };
        let all = statements(run, &file.text);
        let Some(last) = all.last() else { return };
        if last.exec {
            return;
        }
        let first = all
            .first()
            .and_then(|s| s.words.first())
            .map_or("", |w| base_name(&w.text));
        if INITS.contains(&first) {
            return;
        }
        if run.shell_form {
            if run.origin == Origin::Cmd
                && (exec_form_entrypoint(file) || shell_form_entrypoint(file))
            {
                return;
            }
            let form = if instruction == "CMD" {
                "CMD [\"executable\", \"arg\"]"
            } else {
                "ENTRYPOINT [\"executable\", \"arg\"]"
            };
            cx.report(
                Violation::new(
                    run.span.clone(),
                    format!(
                        "{instruction} uses the shell form: `/bin/sh -c` runs as PID 1 and does not pass SIGTERM on to `{}`",
                        shown(last.app(), 3)
                    ),
                )
                .label("shell form")
                .help(format!(
                    "use the exec form `{form}`, or start the app with `exec` so it replaces the shell"
                )),
            );
            return;
        }
        // Exec form: `["sh", "-c", "a && b"]` keeps the shell unless the last command is exec'd.
        let inner = all.iter().filter(|s| s.cmd.depth > 0).count();
        if inner > 1 && last.cmd.depth > 0 {
            cx.report(
                Violation::new(
                    last.cmd.span.clone(),
                    format!(
                        "{instruction} runs a `sh -c` script whose last command `{}` is not `exec`'d: the shell stays PID 1 and does not pass SIGTERM on",
                        shown(last.app(), 3)
                    ),
                )
                .label("not exec'd")
                .help(format!("write `exec {}` so the app replaces the shell", shown(last.words, 3))),
            );
        }
    }
}

impl Rule for ShellFormEntrypoint {
    fn inputs(&self) -> Inputs {
        Inputs {
            run: true,
            ..Inputs::default()
        }
    }

    fn check_run(&self, run: &RunCommand, file: &SourceFile, cx: &mut RuleCtx<'_>) {
        match run.origin {
            Origin::Entrypoint | Origin::Cmd => self.check_dockerfile_command(run, file, cx),
            Origin::Script => {
                let all = statements(run, &file.text);
                match ending(&all, None, 0) {
                    Ending::App(st) => cx.report(
                        Violation::new(
                            st.cmd.span.clone(),
                            format!(
                                "the entrypoint script starts `{}` without `exec`: the shell stays PID 1 and SIGTERM never reaches the app",
                                shown(st.app(), 3)
                            ),
                        )
                        .label("not exec'd")
                        .help(format!(
                            "write `exec {}` so the app replaces the shell and receives signals",
                            shown(st.words, 3)
                        )),
                    ),
                    Ending::Wait(st) => cx.report(
                        Violation::new(
                            st.cmd.span.clone(),
                            "the entrypoint script ends with `wait` and no `trap`: the shell is PID 1 and SIGTERM never reaches its background jobs",
                        )
                        .label("no signal forwarding")
                        .help("run one process with `exec`, or `trap` TERM and INT and forward them to the background jobs"),
                    ),
                    Ending::Fine => {}
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn script_ending(text: &str) -> Option<String> {
        let run = RunCommand::from_shell(Origin::Script, text);
        let all = statements(&run, text);
        match ending(&all, None, 0) {
            Ending::App(s) => Some(s.program().unwrap_or("").to_string()),
            Ending::Wait(_) => Some("wait".into()),
            Ending::Fine => None,
        }
    }

    #[test]
    fn script_endings() {
        assert_eq!(
            script_ending("#!/bin/sh\nset -e\n./migrate\ngunicorn app:app\n").as_deref(),
            Some("gunicorn")
        );
        assert_eq!(script_ending("#!/bin/sh\nset -e\nexec \"$@\"\n"), None);
        assert_eq!(script_ending("#!/bin/sh\n\"$@\"\n").as_deref(), Some("$@"));
        assert_eq!(
            script_ending("_main() {\n  setup\n  exec \"$@\"\n}\nif ! _is_sourced; then\n  _main \"$@\"\nfi\n"),
            None
        );
        assert_eq!(
            script_ending("_main() {\n  setup\n  node server.js\n}\n_main \"$@\"\n").as_deref(),
            Some("node")
        );
        assert_eq!(
            script_ending("./a &\n./b &\nwait\n").as_deref(),
            Some("wait")
        );
        assert_eq!(
            script_ending("trap 'kill $p' TERM\n./a & p=$!\nwait $p\n"),
            None
        );
        assert_eq!(
            script_ending("./app\necho exited\nexit 1\n").as_deref(),
            Some("app")
        );
        assert_eq!(script_ending("exec tini -- ./app\n"), None);
    }
}
