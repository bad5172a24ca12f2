//! docker-compose files: services with their image or build, run command, environment, ports
//! and labels, read from the YAML tree the file was parsed into once (saphyr, positions kept).
//!
//! A file is a compose file by name: `compose*.y*ml` or `docker-compose*.y*ml`, several per
//! repository (`docker-compose.prod.yml`, `compose.override.yaml`).

use std::ops::Range;

use super::shell::{self, Command, Word};
use super::structured::{Node, StructuredFile};

/// Whether a path names a compose file.
pub fn is_compose_path(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    // `docker-stack.yml`: a Swarm stack, deployed with `docker stack deploy`, in compose format.
    (name.starts_with("compose")
        || name.starts_with("docker-compose")
        || name.starts_with("docker-stack"))
        && (name.ends_with(".yml") || name.ends_with(".yaml"))
}

/// The environment a compose file is for, from its name: `docker-compose.prod.yml` → `prod`,
/// `compose.override.yaml` → `override`; `None` for the base file.
pub fn environment_of(path: &str) -> Option<String> {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    let stem = name
        .trim_end_matches(".yml")
        .trim_end_matches(".yaml")
        .trim_start_matches("docker-")
        .trim_start_matches("compose")
        .trim_start_matches("stack");
    let env = stem.trim_matches(|c| c == '.' || c == '-' || c == '_');
    (!env.is_empty()).then(|| env.to_string())
}

/// A scalar with its span.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Text {
    /// The value.
    pub value: String,
    /// Byte range of the value.
    pub span: Range<usize>,
}

/// `command:` or `entrypoint:` of a service.
#[derive(Clone, Debug)]
pub struct ComposeCommand {
    /// Written as one string (run by compose without a shell, but rules read it as one).
    pub string_form: bool,
    /// Byte range of the whole value.
    pub span: Range<usize>,
    /// The command split into simple commands.
    pub commands: Vec<Command>,
}

/// A variable of `environment:` (map or list form).
#[derive(Clone, Debug)]
pub struct EnvVar {
    /// The name.
    pub key: String,
    /// The value; `None` when only the name is given (taken from the host).
    pub value: Option<String>,
    /// Byte range of the value, or of the entry when there is none.
    pub span: Range<usize>,
}

/// One service.
#[derive(Clone, Debug)]
pub struct Service {
    /// The service name.
    pub name: String,
    /// Byte range of the name.
    pub name_span: Range<usize>,
    /// `image:`.
    pub image: Option<Text>,
    /// Whether the service has a `build:` section (its image is built from the repository).
    pub build: bool,
    /// `build.dockerfile` or `build.context` as written, when given.
    pub build_context: Option<String>,
    /// `command:`.
    pub command: Option<ComposeCommand>,
    /// `entrypoint:`.
    pub entrypoint: Option<ComposeCommand>,
    /// `environment:`.
    pub environment: Vec<EnvVar>,
    /// `ports:` entries as written (`"8080:80"`, `80`, or the long form's `target`).
    pub ports: Vec<Text>,
    /// `labels:` (map or `key=value` list).
    pub labels: Vec<(String, Text)>,
    /// `profiles:`.
    pub profiles: Vec<String>,
    /// `build.target`, when given.
    pub build_target: Option<String>,
    /// Whether `volumes:` bind-mounts a relative host path (`.:/app`, `./src:/code/src`): the
    /// working tree of the developer, edited while the container runs.
    pub source_mount: bool,
}

/// A parsed compose file.
#[derive(Clone, Debug)]
pub struct ComposeFile {
    /// Path relative to the checked root.
    pub path: String,
    /// The environment named by the file name, if any.
    pub environment: Option<String>,
    /// Services in file order.
    pub services: Vec<Service>,
    /// Why the file is a development-only stack (see [`development_only`]), if it is one.
    pub development_only: Option<&'static str>,
}

impl ComposeFile {
    /// Reads the compose model from a parsed YAML file, or `None` if it is not a compose file.
    pub fn from_structured(file: &StructuredFile<'_>) -> Option<ComposeFile> {
        if !is_compose_path(&file.source.path) {
            return None;
        }
        let mut services = Vec::new();
        for doc in file.docs() {
            let Some(Node::Map(entries)) = doc.get("services") else {
                continue;
            };
            for (k, v) in entries {
                services.push(service(k.name, k.span.clone(), &v, &file.source.text));
            }
        }
        let development_only = development_only(&file.source.path, &file.source.text, &services);
        Some(ComposeFile {
            path: file.source.path.clone(),
            environment: environment_of(&file.source.path),
            services,
            development_only,
        })
    }
}

/// Environment words that make a compose file (by its name or folder) a development, test or
/// CI stack: `docker-compose.dev.yml`, `compose.override.yaml`, `e2e/compose.yml`.
const DEV_WORDS: &[&str] = &[
    "dev",
    "development",
    "local",
    "test",
    "testing",
    "e2e",
    "ci",
    "override",
    "debug",
];

/// Words of a header comment that say the file is for development or testing only.
const DEV_HEADER: &[&str] = &[
    "local development",
    "local dev",
    "development only",
    "dev only",
    "for development",
    "for local",
    "for testing",
    "test harness",
    "end-to-end test",
    "e2e test",
    "dev-only",
    "not for production",
    "run this in production",
    "not meant for production",
    "do not use in production",
    "don't use in production",
];

/// Images of backing services and of the tools developers run beside them (admin UIs, mail
/// catchers, cloud emulators), by the last segment of the repository name.
const BACKING_AND_DEV_TOOLS: &[&str] = &[
    "postgres",
    "postgresql",
    "postgis",
    "mysql",
    "mariadb",
    "mongo",
    "mongodb",
    "redis",
    "valkey",
    "memcached",
    "rabbitmq",
    "elasticsearch",
    "opensearch",
    "minio",
    "localstack",
    "pgadmin4",
    "adminer",
    "phpmyadmin",
    "mongo-express",
    "redis-commander",
    "mailhog",
    "mailpit",
    "maildev",
    "kafka",
    "zookeeper",
    "nats",
    "cassandra",
    "clickhouse-server",
    "azurite",
    "fake-gcs-server",
    "dynamodb-local",
    "jaeger",
    "all-in-one",
    "otel-collector",
];

/// Whether every service of a compose file runs a backing service or a developer tool from a
/// registry, none built from the repository: the stack a developer starts beside the app (which
/// runs on the host with `cargo run`), not a description of how the app is deployed. Whether
/// the app's own code sits beside the file is for the caller to check.
pub fn only_backing_services(services: &[Service]) -> bool {
    !services.is_empty()
        && services.iter().all(|s| {
            !s.build
                && s.image.as_ref().is_some_and(|i| {
                    let (name, _, _) = crate::source::dockerfile::split_image(i.value.trim());
                    let last = name.rsplit('/').next().unwrap_or(name).to_ascii_lowercase();
                    BACKING_AND_DEV_TOOLS.contains(&last.as_str())
                })
        })
}

/// File watchers and development servers: a loop that rebuilds on every edit.
pub const WATCHERS: &[&str] = &[
    "cargo watch",
    "cargo-watch",
    "watchexec",
    "nodemon",
    "npm run dev",
    "yarn dev",
    "pnpm dev",
    "flask run",
    "--reload",
    "air -c",
];

/// Why a compose file is a development-only stack rather than a description of how the app is
/// deployed, or `None`. The evidence, in order: its name or folder is a development, test or
/// CI environment; a header comment says so; a service builds a development stage
/// (`build.target: dev`) or bind-mounts the working tree next to its `build:`; a service runs
/// a file watcher. Rules that judge what ships (secrets in deploy files, mutable images, builds
/// at run time) leave such files alone.
pub fn development_only(path: &str, text: &str, services: &[Service]) -> Option<&'static str> {
    let lower = path.to_ascii_lowercase();
    let (dirs, name) = lower.rsplit_once('/').unwrap_or(("", &lower));
    let stem = name
        .trim_end_matches(".yml")
        .trim_end_matches(".yaml")
        .trim_start_matches("docker-")
        .trim_start_matches("compose")
        .trim_start_matches("stack");
    if stem.split(['.', '-', '_']).any(|w| DEV_WORDS.contains(&w))
        || dirs.split('/').any(|d| DEV_WORDS.contains(&d))
    {
        return Some("its name marks a development, test or CI stack");
    }
    // The comment block at the top of the file, before the first key.
    let header: String = text
        .lines()
        .map(str::trim)
        .skip_while(|l| *l == "---")
        .take_while(|l| l.is_empty() || l.starts_with('#'))
        .collect::<Vec<_>>()
        .join(" ")
        .to_ascii_lowercase();
    if DEV_HEADER.iter().any(|w| header.contains(w)) {
        return Some("its header comment says it is for development or testing");
    }
    for s in services {
        if s.image
            .as_ref()
            .is_some_and(|i| is_emulator_image(&i.value))
        {
            return Some(
                "a service runs a cloud emulator, a stand-in that only tests and development use",
            );
        }
        let target = s.build_target.as_deref().map(str::to_ascii_lowercase);
        if matches!(
            target.as_deref(),
            Some("dev" | "development" | "dev-envs" | "debug" | "local")
        ) {
            return Some("a service builds a development stage");
        }
        if s.build && s.source_mount {
            return Some("a service bind-mounts the working tree over the image it builds");
        }
        let runs_watcher = [&s.command, &s.entrypoint].into_iter().flatten().any(|c| {
            let raw = text.get(c.span.clone()).unwrap_or("");
            WATCHERS.iter().any(|w| raw.contains(w))
        });
        if runs_watcher {
            return Some("a service runs a file watcher or development server");
        }
    }
    None
}

/// Local stand-ins for cloud services (`gcr.io/cloud-spanner-emulator/emulator`, LocalStack,
/// Azurite, `fake-gcs-server`, DynamoDB Local): no deploy runs them.
const EMULATORS: &[&str] = &[
    "emulator",
    "localstack",
    "azurite",
    "fake-gcs-server",
    "dynamodb-local",
];

fn is_emulator_image(image: &str) -> bool {
    let lower = image.to_ascii_lowercase();
    let repo = lower.split(['@', ':']).next().unwrap_or(&lower);
    repo.split('/').any(|seg| {
        EMULATORS
            .iter()
            .any(|e| seg == *e || seg.ends_with(&format!("-{e}")))
    })
}

fn text(n: Node<'_>) -> Option<Text> {
    match n {
        Node::Scalar(s, span) => Some(Text {
            value: s.to_string(),
            span,
        }),
        _ => None,
    }
}

/// Reads a `command:`-like value: a string or a list of words.
pub fn command_of(n: &Node, source: &str) -> Option<ComposeCommand> {
    match n {
        Node::Scalar(s, span) => {
            // Quoted YAML scalars have a span including the quotes; split the source text when
            // it is the plain value so word spans stay exact.
            let raw = source.get(span.clone()).unwrap_or("");
            // `get`, not indexing: the characters at either end may be multibyte.
            let quoted = raw.len() >= 2 && raw.get(1..raw.len() - 1) == Some(*s);
            let base = if quoted { span.start + 1 } else { span.start };
            let mut commands = shell::split(s, base);
            if raw != *s && !quoted {
                // Folded or escaped text: positions inside are approximate; pin them.
                for c in &mut commands {
                    shell::pin(c, span);
                }
            }
            Some(ComposeCommand {
                string_form: true,
                span: span.clone(),
                commands,
            })
        }
        Node::Seq(items) => {
            let words: Vec<Word> = items
                .iter()
                .filter_map(|i| match i {
                    Node::Scalar(s, span) => Some(Word {
                        text: s.to_string(),
                        span,
                    }),
                    _ => None,
                })
                .collect();
            let span = match (words.first(), words.last()) {
                (Some(a), Some(b)) => a.span.start..b.span.end,
                _ => return None,
            };
            Some(ComposeCommand {
                string_form: false,
                span,
                commands: shell::from_words(words),
            })
        }
        _ => None,
    }
}

fn service(name: &str, name_span: Range<usize>, v: &Node, source: &str) -> Service {
    let mut s = Service {
        name: name.to_string(),
        name_span,
        image: v.get("image").and_then(text),
        build: v.get("build").is_some(),
        build_context: match v.get("build") {
            Some(Node::Scalar(c, _)) => Some(c.to_string()),
            Some(b) => b
                .get("context")
                .and_then(|n| n.as_str())
                .map(str::to_string),
            None => None,
        },
        command: v.get("command").and_then(|n| command_of(&n, source)),
        entrypoint: v.get("entrypoint").and_then(|n| command_of(&n, source)),
        environment: Vec::new(),
        ports: Vec::new(),
        labels: Vec::new(),
        build_target: v
            .get("build")
            .and_then(|b| b.get("target"))
            .and_then(|n| n.as_str())
            .map(str::to_string),
        source_mount: match v.get("volumes") {
            Some(Node::Seq(items)) => items.iter().any(|i| {
                let host = match i {
                    Node::Scalar(m, _) => m.split(':').next().unwrap_or(""),
                    m => match (m.get("type").and_then(|n| n.as_str()), m.get("source")) {
                        (Some("bind"), Some(src)) => src.as_str().unwrap_or(""),
                        _ => "",
                    },
                };
                host == "." || host.starts_with("./") || host == ".." || host.starts_with("../")
            }),
            _ => false,
        },
        profiles: match v.get("profiles") {
            Some(Node::Seq(items)) => items
                .iter()
                .filter_map(|i| i.as_str().map(str::to_string))
                .collect(),
            _ => Vec::new(),
        },
    };
    match v.get("environment") {
        Some(Node::Map(kv)) => {
            for (k, val) in kv {
                s.environment.push(EnvVar {
                    key: k.name.to_string(),
                    value: val.as_str().map(str::to_string),
                    span: val.span().unwrap_or(k.span.clone()),
                });
            }
        }
        Some(Node::Seq(items)) => {
            for i in items {
                if let Node::Scalar(entry, span) = i {
                    s.environment.push(list_env(entry, &span, source));
                }
            }
        }
        _ => {}
    }
    if let Some(Node::Seq(items)) = v.get("ports") {
        for i in items {
            match i {
                Node::Scalar(..) => s.ports.extend(text(i)),
                Node::Map(_) => s.ports.extend(i.get("target").and_then(text)),
                _ => {}
            }
        }
    }
    match v.get("labels") {
        Some(Node::Map(kv)) => {
            for (k, val) in kv {
                if let Some(t) = text(val) {
                    s.labels.push((k.name.to_string(), t));
                }
            }
        }
        Some(Node::Seq(items)) => {
            for i in items {
                if let Node::Scalar(entry, span) = i {
                    let (k, val) = entry.split_once('=').unwrap_or((entry, ""));
                    s.labels.push((
                        k.to_string(),
                        Text {
                            value: val.to_string(),
                            span: span.clone(),
                        },
                    ));
                }
            }
        }
        _ => {}
    }
    s
}

/// `KEY=value` (or `KEY`) of a list-form environment; the span is narrowed to the value when the
/// entry is written plainly.
fn list_env(entry: &str, span: &Range<usize>, source: &str) -> EnvVar {
    let (key, value) = match entry.split_once('=') {
        Some((k, v)) => (k, Some(v)),
        None => (entry, None),
    };
    let raw = source.get(span.clone()).unwrap_or("");
    let value_span = match (value, raw.find('=')) {
        (Some(v), Some(eq)) if raw[eq + 1..].trim_end_matches(['"', '\'']) == v => {
            span.start + eq + 1..span.start + eq + 1 + v.len()
        }
        _ => span.clone(),
    };
    EnvVar {
        key: key.to_string(),
        value: value.map(str::to_string),
        span: value_span,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{FileKind, SourceFile};

    fn parse(path: &str, text: &str) -> ComposeFile {
        let src = SourceFile::new(path, FileKind::Yaml, text.into());
        let file = StructuredFile::parse(&src).expect("valid YAML");
        ComposeFile::from_structured(&file).expect("compose file")
    }

    #[test]
    fn names() {
        assert!(is_compose_path("deploy/docker-compose.prod.yml"));
        assert!(is_compose_path("compose.yaml"));
        assert!(!is_compose_path("composer.json"));
        assert_eq!(
            environment_of("docker-compose.prod.yml").as_deref(),
            Some("prod")
        );
        assert_eq!(environment_of("compose.yaml"), None);
        assert_eq!(
            environment_of("compose-staging.yml").as_deref(),
            Some("staging")
        );
    }

    #[test]
    fn services() {
        let text = "services:\n  web:\n    build: .\n    command: [\"./app\", \"--port\", \"80\"]\n    environment:\n      - RUST_LOG=info\n      - SECRET\n    ports: [\"8080:80\"]\n  db:\n    image: postgres:16\n    command: sh -c \"sleep 5 && ./x\"\n    environment:\n      POSTGRES_PASSWORD: hunter2\n    labels:\n      - traefik.http.services.x.loadbalancer.sticky.cookie=true\n";
        let c = parse("docker-compose.yml", text);
        assert_eq!(c.services.len(), 2);
        let web = &c.services[0];
        assert!(web.build);
        assert!(!web.command.as_ref().expect("command").string_form);
        assert_eq!(web.environment[0].value.as_deref(), Some("info"));
        assert_eq!(&text[web.environment[0].span.clone()], "info");
        assert_eq!(web.environment[1].value, None);
        assert_eq!(web.ports[0].value, "8080:80");
        let db = &c.services[1];
        assert_eq!(db.image.as_ref().expect("image").value, "postgres:16");
        let cmd = db.command.as_ref().expect("command");
        assert!(cmd.commands.iter().any(|c| c.program() == Some("sleep")));
        let sleep = cmd
            .commands
            .iter()
            .find(|c| c.program() == Some("sleep"))
            .expect("sleep");
        assert_eq!(&text[sleep.words[0].span.clone()], "sleep");
        assert_eq!(db.labels[0].1.value, "true");
    }
}

#[cfg(test)]
mod span_tests {
    use super::*;
    use crate::source::{FileKind, SourceFile};

    #[test]
    fn quoted_values_keep_exact_spans() {
        let text = "services:\n  web:\n    image: \"shop:latest\"\n    command: \"sh -c 'sleep 5 && ./app'\"\n    environment:\n      - \"DB_PASSWORD=hunter2\"\n      - API_KEY=abc\n";
        let src = SourceFile::new("docker-compose.yml", FileKind::Yaml, text.into());
        let file = StructuredFile::parse(&src).expect("valid YAML");
        let c = ComposeFile::from_structured(&file).expect("compose");
        let web = &c.services[0];
        let img = web.image.as_ref().expect("image");
        assert!(text[img.span.clone()].contains("shop:latest"));
        let cmd = web.command.as_ref().expect("command");
        let sleep = cmd
            .commands
            .iter()
            .find(|c| c.program() == Some("sleep"))
            .expect("sleep");
        assert_eq!(&text[sleep.words[0].span.clone()], "sleep");
        assert_eq!(&text[web.environment[0].span.clone()], "hunter2");
        assert_eq!(&text[web.environment[1].span.clone()], "abc");
    }

    #[test]
    fn folded_command_starting_with_multibyte() {
        // Found by fuzzing: `raw[1..]` sliced inside `é` when the source text differs from the
        // value (a folded plain scalar).
        let text = "services:\n  ui:\n    command: é\n      x\n";
        let src = SourceFile::new("docker-compose.yml", FileKind::Yaml, text.into());
        let file = StructuredFile::parse(&src).expect("valid YAML");
        let c = ComposeFile::from_structured(&file).expect("compose");
        let cmd = c.services[0].command.as_ref().expect("command");
        assert_eq!(cmd.commands[0].words[0].text, "é");
    }
}
