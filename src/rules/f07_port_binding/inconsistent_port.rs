//! TC0704: code, Dockerfile, compose and Kubernetes disagreeing on the port.

use std::collections::BTreeSet;
use std::ops::Range;
use std::sync::OnceLock;

use crate::registry::RuleId;
use crate::rule::prelude::*;
use crate::rules::f07_port_binding::hardcoded_listen_port::{listens, Port, TRIGGERS};
use crate::source::dockerfile::split_image;

declare_rule! {
    /// ## What it does
    /// Flags the declarations of one app that disagree on the port it listens on inside its
    /// container:
    /// - the port the code listens on by default (a literal bind, or the literal fallback of
    ///   `env::var("PORT")`), or the Dockerfile's `ENV PORT=..`, against the Dockerfile's
    ///   `EXPOSE`;
    /// - the container side of a compose service's `ports:` (`80` in `"8080:80"`, `target:` of
    ///   the long form) against the app's port;
    /// - `containerPort` of a Kubernetes container against the app's port.
    ///
    /// The app's port is, in order: the `PORT` variable the declaration itself sets (compose
    /// `environment:`, Kubernetes `env:`), the Dockerfile's `ENV PORT`, the code's port, and
    /// last the Dockerfile's `EXPOSE`. "One app" is a Dockerfile and what clearly belongs to
    /// it: the Cargo package in the Dockerfile's folder, the compose services whose `build:`
    /// context is that folder, and the Kubernetes containers whose image name is the `image:`
    /// of such a compose service or the folder's name. The finding is on the disagreeing
    /// declaration and names the file and line it disagrees with.
    ///
    /// Not flagged: declarations that share a port (`EXPOSE 8080 9090` for the app and its
    /// metrics); ports given by variables; a compose service or container that sets `PORT`
    /// to its own container port; images and Dockerfiles that cannot be tied to one another;
    /// Kubernetes Service `targetPort`s (the selector is not followed yet).
    ///
    /// Other files consulted: the Rust code and `Cargo.toml` of the package next to the
    /// Dockerfile, the Dockerfile, every compose file and Kubernetes manifest.
    ///
    /// ## Measured
    /// On the real-world corpus (`benches/realworld/`, 26 repositories, 2026-12-03): 2 findings, 1
    /// right, 1 wrong, 0 debatable; verdict precision 0.50. Below the 0.90 a default-on rule needs,
    /// so it is a preview rule until it is fixed; its false-positive shapes are in
    /// `benches/realworld/RESULTS.md`.
    ///
    /// ## Why is this bad?
    /// Factor VII: the app exports its service by binding a port, and the platform routes to
    /// it. When the code listens on 8080 while the compose file publishes container port 80
    /// and the Deployment declares 3000, requests reach nothing: health checks fail, the
    /// Service has no endpoint, and the mismatch shows only at deploy time.
    ///
    /// ## Example
    /// ```dockerfile
    /// ENV PORT=8080
    /// EXPOSE 80
    /// ```
    /// ```yaml
    /// services:
    ///   web:
    ///     build: .
    ///     ports: ["8080:80"]
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// ENV PORT=8080
    /// EXPOSE 8080
    /// ```
    /// ```yaml
    /// services:
    ///   web:
    ///     build: .
    ///     ports: ["8080:8080"]
    /// ```
    ///
    /// ## References
    /// - <https://12factor.net/port-binding>
    /// - <https://docs.docker.com/reference/dockerfile/#expose>
    /// - <https://docs.docker.com/reference/compose-file/services/#ports>
    pub InconsistentPort {
        code: "TC0704", name: "inconsistent-port",
        factor: PortBinding, severity: Warning, preview: true, since: "0.2.0",
    }
}

const CODE: &str = "code";
const DOCKER: &str = "dockerfile";
const COMPOSE: &str = "compose";
const K8S: &str = "k8s";
const SEP: char = '\u{1f}';

fn env_default_regex() -> &'static regex::Regex {
    static RE: OnceLock<regex::Regex> = OnceLock::new();
    RE.get_or_init(|| {
        regex::Regex::new(
            r#""(?:[A-Z]+_)?PORT"\s*\)[^;]{0,160}?unwrap_or(?:_else)?\(\s*(?:\|[^|]*\|\s*)?"?(\d{2,5})\b"#,
        )
        .unwrap_or_else(|e| unreachable!("constant regex: {e}"))
    })
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

fn dir_of(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(d, _)| d)
}

/// Joins a relative path to a folder, resolving `.` and `..`.
fn join(dir: &str, rel: &str) -> String {
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for p in rel.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

/// The container port of a compose `ports:` entry: `80` of `"127.0.0.1:8080:80/tcp"`.
fn container_port(entry: &str) -> Option<u16> {
    let last = entry.rsplit(':').next()?;
    let last = last.split('/').next()?;
    last.trim().parse().ok()
}

fn image_name(image: &str) -> String {
    let (name, _, _) = split_image(image.trim());
    name.rsplit('/').next().unwrap_or(name).to_ascii_lowercase()
}

fn ports_text(ports: &BTreeSet<u16>) -> String {
    ports
        .iter()
        .map(u16::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// A declaration decoded from a fact.
struct Decl<'a> {
    kind: &'a str,
    path: &'a str,
    span: Range<usize>,
    line: &'a str,
    /// Dockerfile folder (Dockerfile, compose) or crate folder (code), or the image name (k8s).
    key: String,
    /// The ports declared.
    ports: BTreeSet<u16>,
    /// `PORT` set by the declaration itself (`ENV PORT`, compose/k8s environment).
    env_port: Option<u16>,
    /// The compose image name, or the Kubernetes container name.
    name: &'a str,
}

fn parse_ports(s: &str) -> BTreeSet<u16> {
    s.split(',').filter_map(|p| p.parse().ok()).collect()
}

impl Rule for InconsistentPort {
    fn inputs(&self) -> Inputs {
        Inputs {
            rust: true,
            dockerfile: true,
            compose: true,
            k8s: true,
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
        let text = &file.source.text;
        let mut found: Vec<(Range<usize>, u16)> = Vec::new();
        for l in listens(file) {
            if let Port::Fixed { value, span } = l.port {
                if value != 0 {
                    found.push((span, value));
                }
            }
        }
        for c in env_default_regex().captures_iter(text) {
            if let Some(m) = c.get(1) {
                if let Ok(p) = m.as_str().parse::<u16>() {
                    found.push((m.range(), p));
                }
            }
        }
        for (span, port) in found {
            let line = line_of(text, span.start);
            cx.fact(CODE, span, format!("{line}{SEP}{port}"));
        }
    }

    fn check_dockerfile(&self, file: &DockerFile, cx: &mut RuleCtx<'_>) {
        let text = &file.source.text;
        // EXPOSE of the last stage: after the last FROM.
        let mut exposes: Vec<(Range<usize>, BTreeSet<u16>)> = Vec::new();
        let mut offset = 0;
        for line in text.split_inclusive('\n') {
            let trimmed = line.trim_start();
            let upper: String = trimmed
                .chars()
                .take(7)
                .collect::<String>()
                .to_ascii_uppercase();
            if upper.starts_with("FROM ") {
                exposes.clear();
            } else if upper.starts_with("EXPOSE ") {
                let start = offset + (line.len() - trimmed.len());
                let ports: BTreeSet<u16> = trimmed[7..]
                    .split_whitespace()
                    .filter_map(|w| w.split('/').next()?.parse().ok())
                    .collect();
                if !ports.is_empty() {
                    exposes.push((start..start + trimmed.trim_end().len(), ports));
                }
            }
            offset += line.len();
        }
        let env_port = file
            .vars()
            .into_iter()
            .rev()
            .find(|v| v.instruction == "ENV" && v.key == "PORT")
            .and_then(|v| Some((v.span.clone(), v.value?.parse::<u16>().ok()?)));
        let all: BTreeSet<u16> = exposes
            .iter()
            .flat_map(|(_, p)| p.iter().copied())
            .collect();
        let (span, _) = match (exposes.first(), &env_port) {
            (Some((s, _)), _) => (s.clone(), ()),
            (None, Some((s, _))) => (s.clone(), ()),
            (None, None) => return,
        };
        let line = line_of(text, span.start);
        let env = env_port
            .as_ref()
            .map(|(_, p)| p.to_string())
            .unwrap_or_default();
        let env_line = env_port
            .as_ref()
            .map(|(s, _)| line_of(text, s.start).to_string())
            .unwrap_or_default();
        cx.fact(
            DOCKER,
            span,
            format!(
                "{line}{SEP}{}{SEP}{env}{SEP}{env_line}",
                ports_text(&all).replace(", ", ",")
            ),
        );
    }

    fn check_compose(&self, file: &ComposeFile, cx: &mut RuleCtx<'_>) {
        let dir = dir_of(&file.path);
        for s in &file.services {
            if !s.build {
                continue;
            }
            let context = join(dir, s.build_context.as_deref().unwrap_or("."));
            let env_port = s
                .environment
                .iter()
                .find(|e| e.key == "PORT")
                .and_then(|e| e.value.as_deref()?.parse::<u16>().ok());
            let image = s
                .image
                .as_ref()
                .map(|i| image_name(&i.value))
                .unwrap_or_default();
            for p in &s.ports {
                let Some(port) = container_port(&p.value) else {
                    continue;
                };
                cx.fact(
                    COMPOSE,
                    p.span.clone(),
                    format!(
                        "{context}{SEP}{port}{SEP}{}{SEP}{image}",
                        env_port.map(|p| p.to_string()).unwrap_or_default()
                    ),
                );
            }
        }
    }

    fn check_k8s(&self, file: &K8sFile, cx: &mut RuleCtx<'_>) {
        for o in &file.objects {
            for c in &o.containers {
                let Some(image) = &c.image else { continue };
                let env_port = c
                    .env
                    .iter()
                    .find(|e| e.key == "PORT")
                    .and_then(|e| e.value.as_deref()?.parse::<u16>().ok());
                for p in &c.ports {
                    let Ok(port) = p.value.parse::<u16>() else {
                        continue;
                    };
                    cx.fact(
                        K8S,
                        p.span.clone(),
                        format!(
                            "{}{SEP}{port}{SEP}{}{SEP}{}",
                            image_name(&image.value),
                            env_port.map(|p| p.to_string()).unwrap_or_default(),
                            c.name
                        ),
                    );
                }
            }
        }
    }

    fn check_repo(&self, repo: &RepoIndex, cx: &mut RepoCtx<'_>) {
        let facts: Vec<&Fact> = repo.facts(RuleId::InconsistentPort).collect();
        let mut dockers = Vec::new();
        let mut codes: Vec<(&Fact, u16, &str)> = Vec::new();
        let mut composes = Vec::new();
        let mut k8s = Vec::new();
        for f in &facts {
            let p: Vec<&str> = f.detail.split(SEP).collect();
            match (f.kind, p.as_slice()) {
                (CODE, [line, port]) => {
                    if let Ok(port) = port.parse() {
                        codes.push((f, port, line));
                    }
                }
                (DOCKER, [line, ports, env, env_line]) => dockers.push((
                    Decl {
                        kind: DOCKER,
                        path: &f.path,
                        span: f.span.clone(),
                        line,
                        key: dir_of(&f.path).to_string(),
                        ports: parse_ports(ports),
                        env_port: env.parse().ok(),
                        name: "",
                    },
                    *env_line,
                )),
                (COMPOSE, [context, port, env, image]) => composes.push(Decl {
                    kind: COMPOSE,
                    path: &f.path,
                    span: f.span.clone(),
                    line: "",
                    key: context.to_string(),
                    ports: parse_ports(port),
                    env_port: env.parse().ok(),
                    name: image,
                }),
                (K8S, [image, port, env, name]) => k8s.push(Decl {
                    kind: K8S,
                    path: &f.path,
                    span: f.span.clone(),
                    line: "",
                    key: image.to_string(),
                    ports: parse_ports(port),
                    env_port: env.parse().ok(),
                    name,
                }),
                _ => {}
            }
        }
        for (d, env_line) in &dockers {
            let file_name = d.path.rsplit('/').next().unwrap_or(d.path);
            if file_name != "Dockerfile" {
                // Only the default Dockerfile of a folder is what `build: <folder>` builds.
                continue;
            }
            // The code's ports: the package in the Dockerfile's folder.
            let krate = repo.crates.iter().find(|c| c.dir == d.key);
            let code: Vec<&(&Fact, u16, &str)> = codes
                .iter()
                .filter(|(f, _, _)| {
                    krate.is_some_and(|k| f.krate.as_deref() == Some(k.dir.as_str()))
                })
                .collect();
            let code_ports: BTreeSet<u16> = code.iter().map(|(_, p, _)| *p).collect();
            let code_at = code
                .first()
                .map(|(f, _, l)| format!("{}:{l}", f.path))
                .unwrap_or_default();
            // The app's port and where it is said, without the EXPOSE.
            let (app, app_at): (BTreeSet<u16>, String) = if let Some(p) = d.env_port {
                (
                    BTreeSet::from([p]),
                    format!("`ENV PORT={p}` ({}:{env_line})", d.path),
                )
            } else if !code_ports.is_empty() && code_ports.len() <= 2 {
                (
                    code_ports.clone(),
                    format!(
                        "the code listens on {} by default ({code_at})",
                        ports_text(&code_ports)
                    ),
                )
            } else {
                (BTreeSet::new(), String::new())
            };
            if !app.is_empty() && !d.ports.is_empty() && app.is_disjoint(&d.ports) {
                cx.report(
                    d.path,
                    Violation::new(
                        d.span.clone(),
                        format!(
                            "EXPOSE declares {} but {app_at}; expose the port the app listens on",
                            ports_text(&d.ports)
                        ),
                    )
                    .label("not the app's port")
                    .help("make EXPOSE, the compose and Kubernetes container ports and the app's default port the same"),
                );
            }
            // The reference for compose and Kubernetes.
            let (reference, reference_at) = if !app.is_empty() {
                (app.clone(), app_at.clone())
            } else if !d.ports.is_empty() {
                (
                    d.ports.clone(),
                    format!(
                        "the Dockerfile exposes {} ({}:{})",
                        ports_text(&d.ports),
                        d.path,
                        d.line
                    ),
                )
            } else {
                continue;
            };
            let folder = d.key.rsplit('/').next().unwrap_or("").to_ascii_lowercase();
            let mut images: BTreeSet<String> = BTreeSet::new();
            if !folder.is_empty() {
                images.insert(folder);
            }
            let members = composes.iter().filter(|c| c.key == d.key);
            for c in members.clone() {
                if !c.name.is_empty() {
                    images.insert(c.name.to_string());
                }
            }
            let others = members.chain(k8s.iter().filter(|k| images.contains(&k.key)));
            for o in others {
                let (expected, why) = match o.env_port {
                    Some(p) => (BTreeSet::from([p]), format!("it sets `PORT={p}`")),
                    None => (reference.clone(), reference_at.clone()),
                };
                if expected.is_disjoint(&o.ports) {
                    let what = match o.kind {
                        COMPOSE => "the compose service publishes container port",
                        _ => "containerPort is",
                    };
                    cx.report(
                        o.path,
                        Violation::new(
                            o.span.clone(),
                            format!(
                                "{what} {} but {why}; use the port the app listens on",
                                ports_text(&o.ports)
                            ),
                        )
                        .label("not the app's port")
                        .help("make EXPOSE, the compose and Kubernetes container ports and the app's default port the same"),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers() {
        assert_eq!(container_port("8080:80"), Some(80));
        assert_eq!(container_port("127.0.0.1:8080:80/tcp"), Some(80));
        assert_eq!(container_port("3000"), Some(3000));
        assert_eq!(container_port("8000-8010:8000-8010"), None);
        assert_eq!(join("deploy", "../api"), "api");
        assert_eq!(join("", "."), "");
        let re = env_default_regex();
        let caps = re
            .captures(r#"let port = env::var("PORT").unwrap_or_else(|_| "8080".into());"#)
            .and_then(|c| c.get(1))
            .map(|m| m.as_str());
        assert_eq!(caps, Some("8080"));
        let caps = re
            .captures(r#"let port: u16 = env::var("APP_PORT").ok().and_then(|p| p.parse().ok()).unwrap_or(3000);"#)
            .and_then(|c| c.get(1))
            .map(|m| m.as_str());
        assert_eq!(caps, Some("3000"));
    }
}
