//! TC1102: the app shipping its own logs to a specific backend.

use crate::rule::prelude::*;
use crate::source::manifest::Dependency;

declare_rule! {
    /// ## What it does
    /// Flags a service crate whose `Cargo.toml` depends on a crate that sends log events
    /// straight to a log backend instead of writing them to stdout:
    ///
    /// | crate | backend |
    /// |---|---|
    /// | `syslog`, `slog-syslog`, `log4rs-syslog` | syslog |
    /// | `fern` with a `syslog-*` feature, `flexi_logger` with `syslog_writer` | syslog |
    /// | `tracing-journald`, `systemd-journal-logger`, `slog-journald` | the systemd journal |
    /// | `tracing-loki` | Grafana Loki |
    /// | `tracing-gelf` | Graylog (GELF) |
    /// | `tracing-cloudwatch` | AWS CloudWatch Logs |
    /// | `dd-tracing-layer` | Datadog |
    /// | `tracing-gcloud-layer` | Google Cloud Logging |
    ///
    /// The finding is on the dependency's line in `Cargo.toml` (target-specific dependencies
    /// included, dev- and build-dependencies not), once per backend and manifest: `syslog`
    /// next to `fern` with `syslog-7` is one coupling. An opt-in backend (syslog enabled by an
    /// environment variable) is still reported: the routing code ships in the app.
    ///
    /// Not flagged:
    /// - formatters that write JSON to stdout for the platform to collect:
    ///   `tracing-stackdriver`, `tracing-bunyan-formatter`, `json_env_logger`, `slog-json`,
    ///   and `tracing-logstash` (it formats Logstash JSON onto a writer; it opens no connection);
    /// - OpenTelemetry (`opentelemetry-appender-tracing`, `opentelemetry-appender-log`,
    ///   `opentelemetry-otlp`): the exporter speaks a vendor-neutral protocol to a collector
    ///   whose address comes from the environment (`OTEL_EXPORTER_OTLP_ENDPOINT`), so the
    ///   routing stays outside the app;
    /// - APM and error trackers (`tracing-elastic-apm`, `sentry`): they ship traces and errors,
    ///   not the event stream;
    /// - library crates and binaries that are not services.
    ///
    /// Other files consulted: each crate's `src/main.rs` / `src/bin/` and its dependencies decide
    /// whether it is a service.
    ///
    /// ## Measured
    /// On the real-world corpus (`benches/realworld/`, 26 repositories, 2026-12-03): 1 findings, 0
    /// right, 1 wrong, 0 debatable; verdict precision 0.00. Below the 0.90 a default-on rule needs,
    /// so it is a preview rule until it is fixed; its false-positive shapes are in
    /// `benches/realworld/RESULTS.md`.
    ///
    /// ## Why is this bad?
    /// Factor XI: a twelve-factor app never concerns itself with routing or storage of its
    /// output stream. An app that talks to syslog, journald or a log service itself fixes the
    /// destination at build time, fails or blocks when the backend is down, loses logs it had
    /// not yet sent, and runs differently on a laptop and in production. Writing to stdout lets
    /// the execution environment route logs wherever it wants, and change that without a
    /// release.
    ///
    /// ## Example
    /// ```toml
    /// [dependencies]
    /// tracing-loki = "0.2"
    /// ```
    ///
    /// Use instead:
    /// ```toml
    /// [dependencies]
    /// tracing-subscriber = { version = "0.3", features = ["json"] }
    /// # and ship stdout with the platform's collector (Promtail, Vector, Fluent Bit)
    /// ```
    ///
    /// ## References
    /// - <https://12factor.net/logs>
    pub LoggingBackendCoupling {
        code: "TC1102", name: "logging-backend-coupling",
        factor: Logs, severity: Warning, preview: true, since: "0.1.0",
    }
}

/// Crates whose whole purpose is to ship log events to one backend: (crate, backend).
const BACKEND_CRATES: &[(&str, &str)] = &[
    ("syslog", "syslog"),
    ("slog-syslog", "syslog"),
    ("log4rs-syslog", "syslog"),
    ("tracing-journald", "the systemd journal"),
    ("systemd-journal-logger", "the systemd journal"),
    ("slog-journald", "the systemd journal"),
    ("tracing-loki", "Grafana Loki"),
    ("tracing-gelf", "Graylog (GELF)"),
    ("tracing-cloudwatch", "AWS CloudWatch Logs"),
    ("dd-tracing-layer", "Datadog"),
    ("tracing-gcloud-layer", "Google Cloud Logging"),
];

/// The backend a dependency ships logs to, if it is a backend shipper.
fn backend(dep: &Dependency) -> Option<&'static str> {
    let name = dep.name.replace('_', "-").to_ascii_lowercase();
    if let Some((_, b)) = BACKEND_CRATES.iter().find(|(c, _)| *c == name) {
        return Some(b);
    }
    let has = |pred: &dyn Fn(&str) -> bool| dep.features.iter().any(|f| pred(f));
    match name.as_str() {
        "fern" if has(&|f| f.starts_with("syslog")) => Some("syslog"),
        "flexi-logger" if has(&|f| f == "syslog_writer") => Some("syslog"),
        _ => None,
    }
}

impl Rule for LoggingBackendCoupling {
    fn inputs(&self) -> Inputs {
        Inputs {
            repo: true,
            ..Inputs::default()
        }
    }

    fn check_repo(&self, repo: &RepoIndex, cx: &mut RepoCtx<'_>) {
        for m in &repo.manifests {
            if !m.path.ends_with("Cargo.toml") || !m.is_package {
                continue;
            }
            if !repo
                .crates
                .iter()
                .any(|c| c.manifest == m.path && c.is_service)
            {
                continue;
            }
            let mut seen = Vec::new();
            for dep in &m.dependencies {
                let Some(backend) = backend(dep) else {
                    continue;
                };
                // `syslog` and `fern` with `syslog-7` are one coupling: report the first.
                if seen.contains(&backend) {
                    continue;
                }
                seen.push(backend);
                cx.report(
                    &m.path,
                    Violation::new(
                        dep.span.clone(),
                        format!(
                            "service ships its logs to {backend} itself (`{}`); write them to stdout and let the platform route them",
                            dep.name
                        ),
                    )
                    .label("logs sent to a backend by the app")
                    .help("log to stdout (e.g. `tracing_subscriber::fmt().json()`) and have the platform's log router (Vector, Fluent Bit, Promtail, the journald of the host) ship the stream"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dep(name: &str, features: &[&str]) -> Dependency {
        Dependency {
            name: name.into(),
            features: features.iter().map(|f| f.to_string()).collect(),
            span: 0..0,
        }
    }

    #[test]
    fn backends() {
        assert_eq!(backend(&dep("tracing-loki", &[])), Some("Grafana Loki"));
        assert_eq!(
            backend(&dep("tracing_journald", &[])),
            Some("the systemd journal")
        );
        assert_eq!(backend(&dep("fern", &["syslog-6"])), Some("syslog"));
        assert_eq!(backend(&dep("fern", &["colored"])), None);
        assert_eq!(
            backend(&dep("flexi_logger", &["syslog_writer"])),
            Some("syslog")
        );
        assert_eq!(backend(&dep("tracing-stackdriver", &[])), None);
        assert_eq!(backend(&dep("tracing-logstash", &[])), None);
        assert_eq!(backend(&dep("opentelemetry-appender-tracing", &[])), None);
    }
}
