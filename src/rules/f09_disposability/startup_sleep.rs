//! TC0903: a fixed sleep before the app starts.

use crate::rule::prelude::*;
use crate::rules::f05_build_release_run::build_in_run_stage::{
    statements, when_of, where_of, words_span, Stmt,
};
use crate::source::shell::Sep;

declare_rule! {
    /// ## What it does
    /// Flags a fixed `sleep N` that runs before the app starts (`sleep 10 && ./app`,
    /// `sleep 5; exec gunicorn app:app`) in the final-stage `CMD`/`ENTRYPOINT` of a Dockerfile,
    /// Procfile lines, compose `command:`/`entrypoint:`, Kubernetes container `command:`/
    /// `args:` and the entrypoint script a Dockerfile runs. A sleep whose length is a variable
    /// (`sleep $STARTUP_DELAY`) is flagged too.
    ///
    /// Not flagged: sleeps inside wait-for loops (`until pg_isready -h db; do sleep 1; done`),
    /// a trailing `sleep infinity` or `sleep` after the app (a keep-alive: a different problem),
    /// `sleep 0`, sleeps in health checks (not run commands), and development-only files
    /// (`docker-compose.override.yml`, `Dockerfile.dev`).
    ///
    /// Other files consulted: the Dockerfile decides which shell scripts are entrypoint scripts
    /// (a script is checked only when a Dockerfile of the repository runs it).
    ///
    /// ## Measured
    /// On the real-world corpus (`benches/realworld/`, 26 repositories, 2026-12-03): no findings.
    ///
    /// ## Why is this bad?
    /// Factor IX: processes start fast so the platform can scale and replace them at will. A
    /// fixed sleep delays every start and every crash recovery, and still races the dependency
    /// it waits for: too short under load, needlessly long otherwise. The app should retry its
    /// backing-service connections, or the start command should poll for readiness.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   web:
    ///     image: shop
    ///     command: sh -c "sleep 15 && exec ./shop"
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// services:
    ///   web:
    ///     image: shop
    ///     command: ["./shop"]
    ///     depends_on:
    ///       db:
    ///         condition: service_healthy
    /// ```
    ///
    /// ## References
    /// - <https://12factor.net/disposability>
    /// - <https://docs.docker.com/compose/how-tos/startup-order/>
    pub StartupSleep {
        code: "TC0903", name: "startup-sleep",
        factor: Disposability, severity: Note, preview: true, since: "0.2.0",
    }
}

/// The duration of a `sleep` before another command, or `None`.
fn startup_sleep<'s>(st: &'s Stmt<'_>, all: &[Stmt<'_>]) -> Option<&'s str> {
    if st.program() != Some("sleep") || st.loop_depth > 0 || st.condition {
        return None;
    }
    if !matches!(st.sep(), Sep::And | Sep::Seq) {
        return None;
    }
    let arg = st.app().get(1)?.text.as_str();
    let arg_lower = arg.to_ascii_lowercase();
    if arg_lower.starts_with("inf")
        || arg
            .trim_end_matches(['s', 'm', 'h', 'd'])
            .trim_matches('0')
            .trim_matches('.')
            .is_empty()
    {
        return None;
    }
    // Something other than sleeps and messages runs after it, in the same body.
    let follows = all
        .iter()
        .filter(|s| s.index > st.index && s.function == st.function)
        .any(|s| {
            !matches!(
                s.program(),
                Some("sleep" | "echo" | "printf" | "exit" | "true" | ":" | "wait" | "fi" | "done")
            )
        });
    follows.then_some(arg)
}

impl Rule for StartupSleep {
    fn inputs(&self) -> Inputs {
        Inputs {
            run: true,
            ..Inputs::default()
        }
    }

    fn check_run(&self, run: &RunCommand, file: &SourceFile, cx: &mut RuleCtx<'_>) {
        if crate::source::development_file(&file.path) {
            return;
        }
        let all = statements(run, &file.text);
        for st in &all {
            let Some(n) = startup_sleep(st, &all) else {
                continue;
            };
            let app = st.app();
            let Some(span) = words_span(&app[..2.min(app.len())]) else {
                continue;
            };
            let n = if n.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
                format!("{n}s")
            } else {
                format!("`{n}`")
            };
            cx.report(
                Violation::new(
                    span,
                    format!(
                        "{} sleeps {n} before starting the app {}: a fixed delay slows every start and still races the dependency",
                        where_of(run),
                        when_of(run)
                    ),
                )
                .label("fixed start-up delay")
                .help("let the app retry its connections, or poll for readiness (`until pg_isready -h db; do sleep 1; done`)"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hits(text: &str) -> usize {
        let run = RunCommand::from_shell(Origin::Cmd, text);
        let all = statements(&run, text);
        all.iter()
            .filter(|s| startup_sleep(s, &all).is_some())
            .count()
    }

    #[test]
    fn sleeps() {
        assert_eq!(hits("sleep 10 && ./app"), 1);
        assert_eq!(hits("sh -c 'sleep 5; exec ./app'"), 1);
        assert_eq!(hits("sleep $DELAY; ./app"), 1);
        assert_eq!(
            hits("until pg_isready -h db; do sleep 1; done; exec ./app"),
            0
        );
        assert_eq!(hits("./app & sleep infinity"), 0);
        assert_eq!(hits("./setup && sleep infinity"), 0);
        assert_eq!(hits("sleep 0 && ./app"), 0);
        assert_eq!(hits("./app; sleep 5"), 0);
    }
}
