//! TC0702: a service listening on a loopback address in a repository that deploys it in a
//! container.

use std::ops::Range;

use crate::registry::RuleId;
use crate::rule::prelude::*;
use crate::rules::f07_port_binding::hardcoded_listen_port::{
    is_loco_crate, listens, loco_server, Host, Port, Via, TRIGGERS,
};
use crate::source::structured::Node;
use crate::source::FileKind;

declare_rule! {
    /// ## What it does
    /// Flags a service that listens on a loopback address (`127.0.0.1`, `localhost`, `::1`,
    /// `[127, 0, 0, 1]`, `Ipv4Addr::LOCALHOST`, `Ipv6Addr::LOCALHOST`) when the repository
    /// deploys it in a container. It sees the same listen calls as `TC0701` (std/tokio
    /// listeners, axum, hyper, actix-web, ntex, warp, tonic, poem, salvo, tide, tiny_http,
    /// explicit Rocket configuration) whatever the port, and also:
    /// - Rocket's `rocket::build()`/`rocket::ignite()`, which listen on `127.0.0.1` unless
    ///   `ROCKET_ADDRESS` is set somewhere in the repository (a Dockerfile `ENV`, a compose or
    ///   Kubernetes `env`, a script) or `Rocket.toml` sets another `address`;
    /// - `server.binding: localhost` in a loco-rs `config/<environment>.yaml` other than
    ///   `development` and `test`.
    ///
    /// Other files consulted: the repository's container deployment, which the message names:
    /// a `Dockerfile`/`Containerfile` (any variant name), a compose file (`compose*.y*ml`,
    /// `docker-compose*.y*ml`) with a service that is built or runs an image other than a
    /// well-known backing service or proxy (postgres, redis, nginx...), a Kubernetes manifest (a
    /// YAML document with `apiVersion` and a `kind` of Deployment, StatefulSet, DaemonSet,
    /// ReplicaSet, Pod, Job or CronJob) or a Helm `Chart.yaml`. Files under test, example and
    /// `.devcontainer` folders do not count, and a deployment file inside one crate's folder of a
    /// workspace counts for that crate only. Also the crate's `Cargo.toml` (service or not,
    /// loco-rs or not), `Rocket.toml` and any file setting `ROCKET_ADDRESS`.
    ///
    /// Not flagged: repositories with no container deployment (a compose file that only starts
    /// a database for local development is not one), binds on `0.0.0.0`, `::` or `[::]`,
    /// addresses read from the environment or configuration, port `0` (ephemeral test
    /// listeners), test code and library crates.
    ///
    /// ## Measured
    /// On the real-world corpus (`benches/realworld/`, 26 repositories, 2026-12-03): no findings.
    ///
    /// ## Why is this bad?
    /// Factor VII: the app exports its service by binding a port that the platform routes to.
    /// Inside a container, loopback is the container's own: a server bound to `127.0.0.1` is
    /// unreachable through the published port, the pod IP or the service, and health checks
    /// fail although the process is up.
    ///
    /// ## Example
    /// ```rust
    /// let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    /// ```
    ///
    /// Use instead:
    /// ```rust
    /// let listener = tokio::net::TcpListener::bind(("0.0.0.0", port)).await?;
    /// ```
    ///
    /// ## References
    /// - <https://12factor.net/port-binding>
    /// - <https://docs.docker.com/engine/network/#published-ports>
    /// - <https://rocket.rs/guide/v0.5/configuration/#overview>
    pub LoopbackBindInContainer {
        code: "TC0702", name: "loopback-bind-in-container",
        factor: PortBinding, severity: Warning, preview: false, since: "0.1.0",
    }
}

/// Fact: a loopback listen address in service code; detail: the address.
const LOOPBACK: &str = "loopback";
/// Fact: a loopback `server.binding` in a loco-rs configuration; detail: the address.
const LOCO_LOOPBACK: &str = "loco-loopback";
/// Fact: `rocket::build()` listening on Rocket's default address.
const ROCKET_DEFAULT: &str = "rocket-default";
/// Fact: the Rocket address is configured (`ROCKET_ADDRESS`, `Rocket.toml`, code).
const ROCKET_ADDRESS: &str = "rocket-address";
/// Fact: a compose file that runs the app.
const COMPOSE: &str = "compose";
/// Fact: a Kubernetes workload manifest.
const K8S: &str = "k8s";

/// Kubernetes kinds that run containers.
const WORKLOADS: &[&str] = &[
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "Pod",
    "Job",
    "CronJob",
];

/// Compose images that are backing services or proxies, not the app (matched as a prefix of
/// the image's last path component).
const NOT_APP_IMAGES: &[&str] = &[
    "postgres",
    "postgis",
    "timescaledb",
    "mysql",
    "mariadb",
    "mongo",
    "redis",
    "valkey",
    "keydb",
    "memcached",
    "rabbitmq",
    "nats",
    "kafka",
    "cp-kafka",
    "zookeeper",
    "cp-zookeeper",
    "redpanda",
    "elasticsearch",
    "opensearch",
    "kibana",
    "minio",
    "localstack",
    "mailhog",
    "mailpit",
    "maildev",
    "jaeger",
    "all-in-one",
    "zipkin",
    "prometheus",
    "grafana",
    "loki",
    "tempo",
    "otel",
    "opentelemetry-collector",
    "adminer",
    "pgadmin",
    "cassandra",
    "scylla",
    "clickhouse",
    "influxdb",
    "surrealdb",
    "neo4j",
    "etcd",
    "consul",
    "vault",
    "keycloak",
    "azurite",
    "nginx",
    "caddy",
    "traefik",
    "haproxy",
    "envoy",
];

/// Whether a compose image is a backing service or proxy.
fn is_not_app_image(image: &str) -> bool {
    let name = image.rsplit('/').next().unwrap_or(image);
    let name = name.split(['@', ':']).next().unwrap_or(name);
    NOT_APP_IMAGES.iter().any(|p| name.starts_with(p))
}

fn is_compose_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let yaml = lower.ends_with(".yml") || lower.ends_with(".yaml");
    yaml && (lower.starts_with("compose") || lower.starts_with("docker-compose"))
}

/// Whether a path lies in a folder whose files are not the deployment: tests, examples,
/// fixtures, a dev container.
fn outside_deployment(path: &str) -> bool {
    path.split('/')
        .rev()
        .skip(1)
        .any(|c| crate::engine::TEST_DIRS.contains(&c) || c == ".devcontainer")
}

/// A container deployment file: its path and how it relates to the container.
struct Deployment<'r> {
    path: &'r str,
    /// 0 Dockerfile, 1 compose, 2 Kubernetes.
    rank: u8,
}

impl Deployment<'_> {
    fn verb(&self) -> &'static str {
        match self.rank {
            0 => "built by",
            1 => "run by",
            _ => "deployed by",
        }
    }
}

fn deployments(repo: &RepoIndex) -> Vec<Deployment<'_>> {
    let mut out = Vec::new();
    for f in &repo.files {
        if outside_deployment(f) {
            continue;
        }
        let name = f.rsplit('/').next().unwrap_or(f);
        if FileKind::classify(f) == FileKind::Dockerfile {
            out.push(Deployment { path: f, rank: 0 });
        } else if name == "Chart.yaml" {
            out.push(Deployment { path: f, rank: 2 });
        }
    }
    for fact in repo.facts(RuleId::LoopbackBindInContainer) {
        let rank = match fact.kind {
            COMPOSE => 1,
            K8S => 2,
            _ => continue,
        };
        if !out.iter().any(|d| d.path == fact.path) {
            out.push(Deployment {
                path: &fact.path,
                rank,
            });
        }
    }
    out
}

/// The deployment most likely to run the code at `path`, of the crate at `krate`: the closest
/// one in the same or a parent folder, then Dockerfiles before compose files before manifests.
/// A deployment file inside another crate's folder belongs to that crate and is not a
/// candidate.
fn closest<'d>(
    deps: &'d [Deployment<'d>],
    owners: &[Option<&str>],
    path: &str,
    krate: Option<&str>,
) -> Option<&'d Deployment<'d>> {
    let dir_of = |p: &'d str| p.rsplit_once('/').map_or("", |(d, _)| d);
    let code_dir = path.rsplit_once('/').map_or("", |(d, _)| d);
    let applies = |(_, owner): &(&Deployment<'_>, &Option<&str>)| match owner {
        Some(owner) if !owner.is_empty() => krate == Some(*owner),
        _ => true,
    };
    deps.iter()
        .zip(owners)
        .filter(applies)
        .map(|(d, _)| d)
        .min_by_key(|d| {
            let dir = dir_of(d.path);
            let ancestor = dir.is_empty()
                || code_dir == dir
                || (code_dir.len() > dir.len()
                    && code_dir.starts_with(dir)
                    && code_dir.as_bytes()[dir.len()] == b'/');
            (
                !ancestor,
                usize::MAX - dir.len() * usize::from(ancestor),
                d.rank,
                d.path,
            )
        })
}

impl Rule for LoopbackBindInContainer {
    fn inputs(&self) -> Inputs {
        Inputs {
            rust: true,
            text: true,
            structured: true,
            repo: true,
            ..Inputs::default()
        }
    }

    fn rust_triggers(&self) -> &'static [&'static str] {
        TRIGGERS
    }

    fn crate_scope(&self) -> CrateScope {
        CrateScope::Service
    }

    fn check_rust(&self, file: &RustFile, cx: &mut RuleCtx<'_>) {
        if !cx.is_service() {
            return;
        }
        let mut seen: Vec<Range<usize>> = Vec::new();
        for l in listens(file) {
            match l.host {
                Host::Loopback { text, span } => {
                    if matches!(l.port, Port::Fixed { value: 0, .. }) || seen.contains(&span) {
                        continue;
                    }
                    seen.push(span.clone());
                    cx.fact(LOOPBACK, span, text);
                }
                // An address configured in code replaces Rocket's default.
                Host::Any | Host::Other | Host::Unknown if l.via == Via::Rocket => {
                    cx.fact(ROCKET_ADDRESS, 0..0, "");
                }
                _ => {}
            }
        }
        if file.source.text.contains("ROCKET_ADDRESS") {
            cx.fact(ROCKET_ADDRESS, 0..0, "");
        }
        for c in &file.calls {
            let default =
                !c.method && (c.callee == "rocket::build" || c.callee == "rocket::ignite");
            // `rocket::build().configure(figment)` replaces the configuration. Searched only
            // for Rocket's constructors: every call against every call is quadratic.
            let configured = || {
                file.calls.iter().any(|m| {
                    m.method && m.callee == "configure" && m.root.as_deref() == Some(&c.callee)
                })
            };
            if default && !configured() {
                cx.fact(ROCKET_DEFAULT, c.callee_span.clone(), "");
            }
        }
    }

    fn check_text(&self, file: &SourceFile, cx: &mut RuleCtx<'_>) {
        let doc = [".md", ".txt", ".rst", ".adoc", ".html"]
            .iter()
            .any(|e| file.path.to_ascii_lowercase().ends_with(e));
        if !doc && file.text.contains("ROCKET_ADDRESS") {
            cx.fact(ROCKET_ADDRESS, 0..0, "");
        }
    }

    fn check_structured(&self, file: &StructuredFile, cx: &mut RuleCtx<'_>) {
        let name = file.source.file_name();
        if name == "Rocket.toml" {
            let set = file.docs().any(|d| match d {
                Node::Map(profiles) => profiles.iter().any(|(_, p)| {
                    p.get("address")
                        .and_then(|n| n.as_str())
                        .is_some_and(|a| !is_loopback_text(a))
                }),
                _ => false,
            });
            if set {
                cx.fact(ROCKET_ADDRESS, 0..0, "");
            }
            return;
        }
        if is_compose_name(name) {
            for d in file.docs() {
                let Some(Node::Map(services)) = d.get("services") else {
                    continue;
                };
                let app = services.iter().find(|(_, s)| {
                    s.get("build").is_some()
                        || s.get("image")
                            .and_then(|n| n.as_str())
                            .is_some_and(|i| !is_not_app_image(i))
                });
                if let Some((key, _)) = app {
                    cx.fact(COMPOSE, key.span.clone(), key.name);
                    return;
                }
            }
            return;
        }
        for d in file.docs() {
            let kind = d.get("kind");
            let workload = d.get("apiVersion").and_then(|n| n.as_str()).is_some()
                && kind
                    .as_ref()
                    .and_then(|n| n.as_str())
                    .is_some_and(|k| WORKLOADS.contains(&k));
            if let (true, Some(span)) = (workload, kind.as_ref().and_then(|n| n.span())) {
                cx.fact(
                    K8S,
                    span,
                    kind.as_ref().and_then(|n| n.as_str()).unwrap_or(""),
                );
                return;
            }
        }
        if let Some(Node::Scalar(b, span)) = loco_server(file).and_then(|s| s.get("binding")) {
            if is_loopback_text(b) {
                cx.fact(LOCO_LOOPBACK, span.clone(), b);
            }
        }
    }

    fn check_repo(&self, repo: &RepoIndex, cx: &mut RepoCtx<'_>) {
        let deps = deployments(repo);
        if deps.is_empty() {
            return;
        }
        let address_set = repo
            .facts(RuleId::LoopbackBindInContainer)
            .any(|f| f.kind == ROCKET_ADDRESS);
        // The crate owning each deployment file, looked up once.
        let owners: Vec<Option<&str>> = deps
            .iter()
            .map(|d| repo.crate_of(d.path).map(|c| c.dir.as_str()))
            .collect();
        for f in repo.facts(RuleId::LoopbackBindInContainer) {
            let Some(dep) = closest(&deps, &owners, &f.path, f.krate.as_deref()) else {
                continue;
            };
            let where_ = format!("{} `{}`", dep.verb(), dep.path);
            let v = match f.kind {
                LOOPBACK => Violation::new(
                    f.span.clone(),
                    format!("listens on loopback address {}, unreachable from outside the container {where_}", f.detail),
                )
                .label("only reachable from inside the container")
                .help("listen on `0.0.0.0` (or `[::]`), or read the address from the environment"),
                LOCO_LOOPBACK if is_loco_crate(repo, f.krate.as_deref()) => Violation::new(
                    f.span.clone(),
                    format!("listens on loopback address {}, unreachable from outside the container {where_}", f.detail),
                )
                .label("only reachable from inside the container")
                .help("set `binding: 0.0.0.0`, or read it with `{{ get_env(name=\"BINDING\", default=\"0.0.0.0\") }}`"),
                ROCKET_DEFAULT if !address_set => Violation::new(
                    f.span.clone(),
                    format!("listens on Rocket's default address 127.0.0.1, unreachable from outside the container {where_}"),
                )
                .label("no ROCKET_ADDRESS set anywhere in the repository")
                .help("set `ROCKET_ADDRESS=0.0.0.0` in the container's environment, or `address = \"0.0.0.0\"` in Rocket.toml"),
                _ => continue,
            };
            cx.report(&f.path, v);
        }
    }
}

/// Whether an address written as text is a loopback address.
fn is_loopback_text(a: &str) -> bool {
    let a = a.trim().trim_start_matches('[').trim_end_matches(']');
    a.eq_ignore_ascii_case("localhost")
        || a == "::1"
        || a.parse::<std::net::Ipv4Addr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compose_images() {
        assert!(is_not_app_image("postgres:16-alpine"));
        assert!(is_not_app_image("docker.io/bitnami/redis:7.2"));
        assert!(is_not_app_image("confluentinc/cp-kafka@sha256:abc"));
        assert!(!is_not_app_image("ghcr.io/acme/shop:1.4.2"));
        assert!(!is_not_app_image("${APP_IMAGE:-shop}"));
    }

    #[test]
    fn deployment_names() {
        assert!(is_compose_name("docker-compose.yml"));
        assert!(is_compose_name("compose.prod.yaml"));
        assert!(!is_compose_name("composer.json"));
        assert!(outside_deployment("examples/docker/Dockerfile"));
        assert!(outside_deployment(".devcontainer/Dockerfile"));
        assert!(!outside_deployment("deploy/Dockerfile"));
    }

    #[test]
    fn closest_deployment() {
        let deps = [
            Deployment {
                path: "k8s/app.yaml",
                rank: 2,
            },
            Deployment {
                path: "Dockerfile",
                rank: 0,
            },
            Deployment {
                path: "api/Dockerfile",
                rank: 0,
            },
        ];
        let owners = [None, None, None];
        assert_eq!(
            closest(&deps, &owners, "api/src/main.rs", Some("api")).map(|d| d.path),
            Some("api/Dockerfile")
        );
        assert_eq!(
            closest(&deps, &owners, "web/src/main.rs", Some("web")).map(|d| d.path),
            Some("Dockerfile")
        );
    }
}
