//! TC0703: a Procfile web process with a literal port.

use crate::rule::prelude::*;
use crate::source::shell::{Command, Word};

declare_rule! {
    /// ## What it does
    /// Flags a Procfile `web:` command that binds a literal port instead of the `$PORT` the
    /// platform assigns:
    /// - a port option with a number: `--port 8000`, `--port=8000`, `-p 5000`, `--http-port 80`,
    ///   `--listen-port`, `--server-port`, `--web-port`, `--bind-port`, `--app-port`,
    ///   `--server.port=8080`, `-Dserver.port=8080`, `-Dhttp.port=9000`;
    /// - a listen-address option with a port: `--bind 0.0.0.0:8000`, `-b :8000`,
    ///   `--listen=:8080`, `-l 0.0.0.0:3000`, `--addr :8080`, `--address`, uWSGI's `--http`,
    ///   `--http-socket` and `--socket`, PHP's `-S 0.0.0.0:8000`;
    /// - a listen address given as a word: `runserver 0.0.0.0:8000`, `runserver 8000`,
    ///   `python -m http.server 8000`, `:8000`, `localhost:8000`, `[::]:8000`;
    /// - a leading assignment of a port variable: `PORT=8000 ./app`, `ROCKET_PORT=8000`,
    ///   `SERVER_PORT`, `HTTP_PORT`, `APP_PORT`, `WEB_PORT`, `LISTEN_PORT`, `BIND_PORT`.
    ///
    /// Not flagged: values from the environment (`$PORT`, `${PORT}`, `${PORT:-8000}`,
    /// `0.0.0.0:$PORT`), other process types (a `worker:` connecting to `redis:6379` does not
    /// listen), addresses of other hosts (`redis:6379`, URLs), options that are not ports
    /// (`--workers 4`, `--timeout 30`, `-w 4`), version numbers, unix sockets
    /// (`--bind unix:/tmp/app.sock`), and the development Procfiles `Procfile.dev`,
    /// `Procfile.development`, `Procfile.local` and `Procfile.test` that Foreman and Overmind
    /// run on a laptop.
    ///
    /// Other files consulted: none; compose and Kubernetes files set ports in their own
    /// `ports:` and `containerPort` fields.
    ///
    /// ## Measured
    /// On the real-world corpus (`benches/realworld/`, 26 repositories, 2026-12-03): no findings.
    ///
    /// ## Why is this bad?
    /// Factor VII: the app exports HTTP by binding to a port the execution environment hands it
    /// in `$PORT`. Heroku, Dokku, Scalingo and Foreman pick the port per dyno; a web process
    /// bound to a literal port is never reached, fails its boot timeout (Heroku's R10) and is
    /// restarted in a loop.
    ///
    /// ## Example
    /// ```text
    /// web: gunicorn app:app --bind 0.0.0.0:8000 --workers 4
    /// ```
    ///
    /// Use instead:
    /// ```text
    /// web: gunicorn app:app --bind 0.0.0.0:$PORT --workers 4
    /// ```
    ///
    /// ## References
    /// - <https://12factor.net/port-binding>
    /// - <https://devcenter.heroku.com/articles/runtime-principles#web-servers>
    /// - <https://devcenter.heroku.com/articles/error-codes#r10-boot-timeout>
    pub ProcfilePortNotFromEnv {
        code: "TC0703", name: "procfile-port-not-from-env",
        factor: PortBinding, severity: Error, preview: false, since: "0.2.0",
    }
}

/// Options whose value is a port number (dashes stripped, lower case).
const PORT_FLAGS: &[&str] = &[
    "port",
    "p",
    "http-port",
    "https-port",
    "listen-port",
    "server-port",
    "web-port",
    "bind-port",
    "app-port",
    "server.port",
    "http.port",
    "dserver.port",
    "dhttp.port",
];

/// Options whose value is a listen address (`host:port`, `:port`).
const ADDR_FLAGS: &[&str] = &[
    "bind",
    "b",
    "listen",
    "l",
    "addr",
    "address",
    "http",
    "http-socket",
    "socket",
    "s",
    "listen-addr",
    "bind-addr",
    "bind-address",
    "listen-address",
    "server.address",
];

/// Environment variables that set the listen port.
const PORT_VARS: &[&str] = &[
    "PORT",
    "ROCKET_PORT",
    "SERVER_PORT",
    "HTTP_PORT",
    "APP_PORT",
    "WEB_PORT",
    "LISTEN_PORT",
    "BIND_PORT",
];

/// Words after which a bare port or address is the listen address.
const SERVE_WORDS: &[&str] = &[
    "runserver",
    "runserver_plus",
    "http.server",
    "SimpleHTTPServer",
    "runsslserver",
];

/// Procfiles used only for local development.
fn dev_procfile(name: &str) -> bool {
    matches!(
        name.strip_prefix("Procfile."),
        Some("dev" | "development" | "local" | "test" | "dev.local")
    )
}

/// A literal port number (1 to 65535).
fn port_number(s: &str) -> Option<u16> {
    if s.is_empty() || s.len() > 5 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse::<u16>().ok().filter(|p| *p > 0)
}

/// The literal port of a listen address: `:8000`, `0.0.0.0:8000`, `[::]:8000`, `*:8000`,
/// `localhost:8000`; `any_host` also accepts other host names (`web:8000`, after a listen
/// option). URLs and `$PORT` are not literal.
fn listen_port(s: &str, any_host: bool) -> Option<u16> {
    if s.contains('$') || s.contains("://") || s.starts_with("unix:") {
        return None;
    }
    let (host, port) = s.rsplit_once(':')?;
    let port = port_number(port)?;
    let listen_host = matches!(
        host,
        "" | "0.0.0.0" | "127.0.0.1" | "localhost" | "*" | "[::]" | "::" | "[::1]" | "0"
    );
    let hostname = !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-.[]:".contains(&b));
    (listen_host || (any_host && hostname)).then_some(port)
}

/// `--name=value` or `--name value` options: (name without dashes, lower case, value, span).
fn options(cmd: &Command) -> Vec<(String, &Word, Option<&Word>, String)> {
    let args = cmd.args();
    let mut out = Vec::new();
    for (i, w) in args.iter().enumerate() {
        if !w.text.starts_with('-') || w.text == "-" || w.text == "--" {
            continue;
        }
        let body = w.text.trim_start_matches('-');
        match body.split_once('=') {
            Some((name, value)) => {
                out.push((name.to_ascii_lowercase(), w, None, value.to_string()));
            }
            None => {
                let next = args.get(i + 1);
                let value = next.map(|n| n.text.clone()).unwrap_or_default();
                out.push((body.to_ascii_lowercase(), w, next, value));
            }
        }
    }
    out
}

/// Literal ports bound by one command: (span, what was found).
fn literal_ports(cmd: &Command) -> Vec<(std::ops::Range<usize>, String)> {
    let mut out = Vec::new();
    for e in &cmd.env {
        if let Some((name, value)) = e.text.split_once('=') {
            if PORT_VARS.contains(&name) && port_number(value).is_some() {
                out.push((e.span.clone(), format!("`{}`", e.text)));
            }
        }
    }
    // `env PORT=8000 ./app`
    if cmd.program() == Some("env") {
        for w in cmd.args().iter().take_while(|w| w.text.contains('=')) {
            if let Some((name, value)) = w.text.split_once('=') {
                if PORT_VARS.contains(&name) && port_number(value).is_some() {
                    out.push((w.span.clone(), format!("`{}`", w.text)));
                }
            }
        }
    }
    let mut used: Vec<std::ops::Range<usize>> = Vec::new();
    for (name, flag, next, value) in options(cmd) {
        let span = match next {
            Some(n) => flag.span.start..n.span.end,
            None => flag.span.clone(),
        };
        let shown = match next {
            Some(n) => format!("`{} {}`", flag.text, n.text),
            None => format!("`{}`", flag.text),
        };
        let found = if PORT_FLAGS.contains(&name.as_str()) {
            port_number(&value).is_some() || listen_port(&value, true).is_some()
        } else if ADDR_FLAGS.contains(&name.as_str()) {
            listen_port(&value, true).is_some()
        } else {
            false
        };
        if found {
            if let Some(n) = next {
                used.push(n.span.clone());
            }
            out.push((span, shown));
        }
    }
    // Listen addresses as words: `runserver 0.0.0.0:8000`, `http.server 8000`, `:8000`.
    let words = cmd.words.get(1..).unwrap_or(&[]);
    for (i, w) in words.iter().enumerate() {
        if w.text.starts_with('-') || used.contains(&w.span) {
            continue;
        }
        let after_serve = i > 0 && SERVE_WORDS.contains(&words[i - 1].text.as_str());
        let prev_is_option = i > 0 && words[i - 1].text.starts_with('-');
        if (after_serve && port_number(&w.text).is_some())
            || (!prev_is_option && listen_port(&w.text, false).is_some())
            || (after_serve && listen_port(&w.text, true).is_some())
        {
            out.push((w.span.clone(), format!("`{}`", w.text)));
        }
    }
    out
}

impl Rule for ProcfilePortNotFromEnv {
    fn inputs(&self) -> Inputs {
        Inputs {
            run: true,
            ..Inputs::default()
        }
    }

    fn check_run(&self, run: &RunCommand, file: &SourceFile, cx: &mut RuleCtx<'_>) {
        if run.origin != Origin::Procfile
            || run.process.as_deref() != Some("web")
            || dev_procfile(file.file_name())
        {
            return;
        }
        for cmd in &run.commands {
            for (span, what) in literal_ports(cmd) {
                cx.report(
                    Violation::new(
                        span,
                        format!("the Procfile `web:` process binds a literal port ({what}) instead of `$PORT`"),
                    )
                    .label("literal port")
                    .help("bind the port the platform assigns: `$PORT` (e.g. `--bind 0.0.0.0:$PORT`, `--port $PORT`)"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::shell::split;

    fn found(s: &str) -> Vec<String> {
        split(s, 0)
            .iter()
            .flat_map(literal_ports)
            .map(|(span, _)| s[span].to_string())
            .collect()
    }

    #[test]
    fn literal() {
        assert_eq!(found("uvicorn app:app --port 8000"), ["--port 8000"]);
        assert_eq!(found("flask run -p 5000"), ["-p 5000"]);
        assert_eq!(
            found("gunicorn --bind 0.0.0.0:8000 app:app"),
            ["--bind 0.0.0.0:8000"]
        );
        assert_eq!(found("gunicorn -b :8000 app:app"), ["-b :8000"]);
        assert_eq!(found("PORT=8000 ./app"), ["PORT=8000"]);
        assert_eq!(found("./app --listen=:8080"), ["--listen=:8080"]);
        assert_eq!(
            found("python manage.py runserver 0.0.0.0:8000"),
            ["0.0.0.0:8000"]
        );
        assert_eq!(found("python manage.py runserver 8000"), ["8000"]);
        assert_eq!(found("./server --http-port 80"), ["--http-port 80"]);
        assert_eq!(found("hypercorn app:app 0.0.0.0:8000"), ["0.0.0.0:8000"]);
        assert_eq!(
            found("java -Dserver.port=8080 -jar app.jar"),
            ["-Dserver.port=8080"]
        );
    }

    #[test]
    fn not_literal() {
        assert!(found("gunicorn --bind 0.0.0.0:$PORT app:app").is_empty());
        assert!(found("./app --port ${PORT:-8000}").is_empty());
        assert!(found("./app --port ${PORT}").is_empty());
        assert!(found("PORT=$PORT ./app").is_empty());
        assert!(found("gunicorn --workers 4 --timeout 30 -w 4 app:app").is_empty());
        assert!(found("./app --redis redis:6379 --db postgres://db:5432/x").is_empty());
        assert!(found("gunicorn --bind unix:/tmp/app.sock app:app").is_empty());
        assert!(found("node --version 18 server.js v1.2.3").is_empty());
        assert!(found("REDIS_PORT=6379 ./app").is_empty());
        assert!(found("mkdir -p logs").is_empty());
    }
}
