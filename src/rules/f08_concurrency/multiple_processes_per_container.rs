//! TC0802: several processes run in one container.

use crate::rule::prelude::*;
use crate::rules::f05_build_release_run::build_in_run_stage::{
    base_name, shown, statements, where_of, words_span, Stmt,
};
use crate::source::shell::Sep;

declare_rule! {
    /// ## What it does
    /// Flags container start commands that run several long-running processes side by side:
    /// process supervisors (`supervisord`, even with `nodaemon=true`; `s6-svscan` and the
    /// s6-overlay `/init`; `runsvdir`, `runit`, phusion's `my_init`), `pm2` in cluster mode or
    /// with an ecosystem file (`pm2 start -i max`, `pm2-runtime ecosystem.config.js`), Procfile
    /// runners (`foreman`, `honcho`, `overmind`, `hivemind`, `forego`), `concurrently` and
    /// `npm-run-all --parallel`, a command sent to the background with `&` and followed by
    /// another (`worker & web`, `nohup worker &`), and daemons started before the app
    /// (`service nginx start && ...`, `/etc/init.d/cron start; ...`, `cron && ...`,
    /// `nginx && php-fpm`, `php-fpm -D; nginx -g 'daemon off;'`, `--daemonize`).
    ///
    /// Container start commands are the final-stage `CMD`/`ENTRYPOINT` of a Dockerfile, compose
    /// `command:`/`entrypoint:`, Kubernetes container `command:`/`args:` and the entrypoint
    /// script a Dockerfile runs. In a Procfile each process type already is its own process, so
    /// only a line that itself starts several (`web: ./worker & ./web`, `web: honcho start`) is
    /// flagged; `pm2` cluster mode in a Procfile is the dyno using its cores and is not.
    ///
    /// Not flagged: one process, `exec`'d; setup commands that run to completion before
    /// `exec "$@"`; `app & wait` (one app and its shell); the app's own worker model (`gunicorn
    /// -w 4`, `puma -w 2`); development-only files (`docker-compose.override.yml`,
    /// `Dockerfile.dev`).
    ///
    /// Other files consulted: the Dockerfile decides which shell scripts are entrypoint scripts
    /// (a script is checked only when a Dockerfile of the repository runs it).
    ///
    /// ## Measured
    /// On the real-world corpus (`benches/realworld/`, 26 repositories, 2026-12-03): 1 findings, 1
    /// right, 0 wrong, 0 debatable; verdict precision 1.00.
    ///
    /// ## Why is this bad?
    /// Factor VIII: the app scales out by running more processes of each type, and the platform
    /// manages them. Several processes in one container cannot be scaled separately, a crash
    /// of one is hidden from the orchestrator (the container stays up), their logs interleave,
    /// and SIGTERM reaches only the supervisor.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// COPY . /app
    /// CMD celery -A shop worker & gunicorn shop.wsgi
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// # compose.yaml: one container per process type, scaled independently
    /// services:
    ///   web:
    ///     image: shop
    ///     command: ["gunicorn", "shop.wsgi"]
    ///   worker:
    ///     image: shop
    ///     command: ["celery", "-A", "shop", "worker"]
    /// ```
    ///
    /// ## References
    /// - <https://12factor.net/concurrency>
    /// - <https://docs.docker.com/engine/containers/multi-service_container/>
    pub MultipleProcessesPerContainer {
        code: "TC0802", name: "multiple-processes-per-container",
        factor: Concurrency, severity: Warning, preview: false, since: "0.2.0",
    }
}

/// Supervisors that run several programs; allowed in no run command.
const MANAGERS: &[&str] = &[
    "supervisord",
    "s6-svscan",
    "runsvdir",
    "runsvdir-start",
    "runit",
    "runit-init",
    "my_init",
    "foreman",
    "honcho",
    "overmind",
    "hivemind",
    "forego",
    "goreman",
    "concurrently",
    "run-p",
];

/// Commands that neither are an app nor keep one running, after a background command.
const NOT_APPS: &[&str] = &[
    "wait", "echo", "printf", "trap", "set", "export", "true", ":", "kill", "exit", "return",
    "sleep", "tail", "[", "test", "[[", "disown", "cat", "pid", "logger",
];

/// Why a command is a process manager, or `None`.
fn manager(st: &Stmt<'_>, in_container: bool) -> Option<String> {
    let app = st.app();
    let first = app.first()?;
    let p = base_name(&first.text);
    if MANAGERS.contains(&p) {
        return Some(format!("the process manager `{p}`"));
    }
    if first.text == "/init" {
        return Some("the s6-overlay `/init` supervisor".into());
    }
    if p == "npm-run-all" && app.iter().any(|w| w.text == "-p" || w.text == "--parallel") {
        return Some("`npm-run-all --parallel`".into());
    }
    if !in_container {
        return None;
    }
    let cluster = app.iter().any(|w| {
        let t = w.text.as_str();
        t == "-i" || t == "--instances" || t.starts_with("--instances=")
    });
    let ecosystem = app.iter().skip(1).any(|w| {
        let t = w.text.to_ascii_lowercase();
        t.contains("ecosystem") || t.ends_with("process.yml") || t.ends_with("process.json")
    });
    match p {
        "pm2" if (cluster || ecosystem) && app.iter().any(|w| w.text == "start") => {
            Some("`pm2` in cluster mode".into())
        }
        "pm2-runtime" | "pm2-docker" if cluster || ecosystem => {
            Some(format!("`{p}` with several instances or an ecosystem file"))
        }
        _ => None,
    }
}

/// A daemon started before the app: `service x start`, `/etc/init.d/x start`, `cron`.
fn daemon_start(st: &Stmt<'_>) -> bool {
    let app = st.app();
    let Some(first) = app.first() else {
        return false;
    };
    let p = base_name(&first.text);
    let has = |s: &str| app.iter().any(|w| w.text == s);
    match p {
        "service" | "rc-service" | "invoke-rc.d" => has("start") || has("restart"),
        "systemctl" => has("start"),
        _ if first.text.starts_with("/etc/init.d/") => has("start") || has("restart"),
        "cron" | "crond" | "atd" => !app.iter().any(|w| w.text == "-f" || w.text == "-n"),
        p if p.starts_with("php-fpm") => has("-D") || has("--daemonize"),
        "redis-server" | "memcached" | "mongod" => {
            has("-d")
                || has("--fork")
                || app
                    .windows(2)
                    .any(|w| w[0].text == "--daemonize" && w[1].text == "yes")
        }
        _ if st.function.is_none() && (has("--daemon") || has("--daemonize")) => true,
        "nginx" => !app
            .iter()
            .any(|w| w.text.contains("daemon off") || w.text == "-t" || w.text == "-s"),
        _ => false,
    }
}

/// Whether a later command of the run command is an app, not `wait` or a shell builtin.
fn app_follows(st: &Stmt<'_>, all: &[Stmt<'_>]) -> bool {
    all.iter()
        .filter(|s| s.index > st.index && !s.condition)
        .any(|s| !s.program().is_some_and(|p| NOT_APPS.contains(&p)))
}

/// Whether a background command keeps running next to another process: an app follows it,
/// and it is neither a temporary server of an init function (`docker_temp_server_start`) nor
/// killed later in the script (`"$@" & pid=$!; ...; kill "$pid"`), nor started in a loop.
fn long_running_background(st: &Stmt<'_>, all: &[Stmt<'_>]) -> bool {
    st.function.is_none()
        && st.loop_depth == 0
        && app_follows(st, all)
        && !all
            .iter()
            .any(|s| s.index > st.index && s.program() == Some("kill"))
}

impl Rule for MultipleProcessesPerContainer {
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
        let in_container = run.origin.in_container();
        let all = statements(run, &file.text);
        for st in &all {
            let app = st.app();
            let Some(span) = words_span(st.words) else {
                continue;
            };
            let found = if let Some(m) = manager(st, in_container) {
                Some((
                    format!("starts {m}"),
                    "several programs run under one supervisor",
                ))
            } else if st.sep() == Sep::Background && long_running_background(st, &all) {
                let nohup = st
                    .words
                    .first()
                    .is_some_and(|w| base_name(&w.text) == "nohup");
                Some((
                    format!(
                        "sends `{}` to the background{} and starts another process",
                        shown(app, 3),
                        if nohup { " with `nohup`" } else { "" }
                    ),
                    "background process",
                ))
            } else if in_container && !st.condition && daemon_start(st) && app_follows(st, &all) {
                Some((
                    format!("starts the daemon `{}` before the app", shown(app, 3)),
                    "daemon started next to the app",
                ))
            } else {
                None
            };
            let Some((what, label)) = found else {
                continue;
            };
            let help = if in_container {
                "run one process per container and give each process type its own container (compose service, Deployment) to scale and restart separately"
            } else {
                "declare each process as its own Procfile process type"
            };
            cx.report(
                Violation::new(span, format!("{} {what}", where_of(run)))
                    .label(label)
                    .help(help),
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
            .filter(|s| {
                manager(s, true).is_some()
                    || (s.sep() == Sep::Background && long_running_background(s, &all))
                    || (daemon_start(s) && app_follows(s, &all))
            })
            .count()
    }

    #[test]
    fn patterns() {
        assert_eq!(hits("celery worker & gunicorn app"), 1);
        assert_eq!(hits("./app & wait"), 0);
        assert_eq!(hits("trap 'kill $p' TERM; ./app & p=$!; wait $p"), 0);
        assert_eq!(hits("service nginx start && exec php-fpm"), 1);
        assert_eq!(hits("/usr/bin/supervisord -n -c /etc/supervisord.conf"), 1);
        assert_eq!(hits("pm2-runtime start ecosystem.config.js"), 1);
        assert_eq!(hits("pm2-runtime server.js"), 0);
        assert_eq!(hits("nginx -g 'daemon off;'"), 0);
        assert_eq!(hits("exec gunicorn -w 4 app:app"), 0);
        assert_eq!(hits("cron -f"), 0);
        assert_eq!(hits("php-fpm -D\nnginx -g 'daemon off;'"), 1);
        assert_eq!(hits("f() {\n if ! \"$@\" --daemonize --skip-networking; then exit 1; fi\n}\nf mysqld\nexec \"$@\""), 0);
        assert_eq!(
            hits("start() {\n  \"$@\" --skip-networking &\n  note started\n}\nstart mysqld\n"),
            0
        );
        assert_eq!(
            hits("\"$@\" & pid=$!\n./init-db\nkill \"$pid\"\nwait \"$pid\"\nexec \"$@\"\n"),
            0
        );
    }
}
