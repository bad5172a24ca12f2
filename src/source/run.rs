//! Run commands: how a process of the app is started, whatever file says it. One model for the
//! final-stage `CMD`/`ENTRYPOINT` of a Dockerfile, Procfile lines, compose `command:` and
//! `entrypoint:`, Kubernetes container `command:`/`args:`, and the entrypoint scripts a
//! Dockerfile runs, so that rules about start-up (build at run time, fetching code, daemons,
//! several processes, sleeps, log redirects, migrations) are written once.

use std::ops::Range;

use super::compose::ComposeFile;
use super::dockerfile::DockerFile;
use super::k8s::K8sFile;
use super::procfile::Procfile;
use super::shell::{self, Command, Sep};
use super::SourceFile;

/// Where a run command comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// The final image's `ENTRYPOINT`.
    Entrypoint,
    /// The final image's `CMD`.
    Cmd,
    /// A Procfile process type.
    Procfile,
    /// A compose service's `command:` or `entrypoint:`.
    Compose,
    /// A Kubernetes container's `command:`/`args:`.
    Kubernetes,
    /// An entrypoint script run by a Dockerfile of the repository.
    Script,
}

impl Origin {
    /// How messages name it.
    pub fn describe(self) -> &'static str {
        match self {
            Origin::Entrypoint => "the Dockerfile ENTRYPOINT",
            Origin::Cmd => "the Dockerfile CMD",
            Origin::Procfile => "the Procfile command",
            Origin::Compose => "the compose command",
            Origin::Kubernetes => "the Kubernetes container command",
            Origin::Script => "the entrypoint script",
        }
    }

    /// Whether the command starts a container (everything but a Procfile line).
    pub fn in_container(self) -> bool {
        self != Origin::Procfile
    }
}

/// One way a process is started.
#[derive(Clone, Debug)]
pub struct RunCommand {
    /// Where it comes from.
    pub origin: Origin,
    /// The process name: Procfile type, compose service, Kubernetes container.
    pub process: Option<String>,
    /// Shell form: the command line is a shell script (Dockerfile shell form, a compose string,
    /// a Procfile line, a script).
    pub shell_form: bool,
    /// A one-off process: Procfile `release:`, a Kubernetes Job/CronJob or init container.
    pub one_off: bool,
    /// Byte range of the whole command in its file.
    pub span: Range<usize>,
    /// The simple commands, `sh -c` scripts opened up.
    pub commands: Vec<Command>,
}

impl RunCommand {
    /// A shell-form command line of the given origin, split from `text` (whose first byte is at
    /// offset 0): for tests and for callers that hold a bare script.
    pub fn from_shell(origin: Origin, text: &str) -> RunCommand {
        RunCommand {
            origin,
            process: None,
            shell_form: true,
            one_off: false,
            span: 0..text.len(),
            commands: shell::split(text, 0),
        }
    }

    /// The top-level commands (not inside `sh -c`).
    pub fn top_level(&self) -> impl Iterator<Item = &Command> {
        self.commands.iter().filter(|c| c.depth == 0)
    }

    /// Whether this is a web process: Procfile `web`, or any container start command (the
    /// rules cannot tell a compose/k8s web container from a worker).
    pub fn is_web(&self) -> bool {
        match self.origin {
            Origin::Procfile => self.process.as_deref() == Some("web"),
            _ => !self.one_off,
        }
    }

    /// The commands that run in sequence before the last one: for `a && b; c`, `a` and `b`.
    pub fn leading(&self) -> &[Command] {
        match self.commands.len() {
            0 => &[],
            n => &self.commands[..n - 1],
        }
    }

    /// Whether a command is followed by another that runs after it (`&&`, `;`, `||`).
    pub fn chained(c: &Command) -> bool {
        matches!(c.sep, Sep::And | Sep::Seq | Sep::Or)
    }
}

/// The start commands of a Dockerfile's final image.
pub fn from_dockerfile(file: &DockerFile<'_>) -> Vec<RunCommand> {
    file.start_commands()
        .into_iter()
        .map(|s| RunCommand {
            origin: if s.instruction == "ENTRYPOINT" {
                Origin::Entrypoint
            } else {
                Origin::Cmd
            },
            process: None,
            shell_form: s.shell_form,
            one_off: false,
            span: s.span,
            commands: s.commands,
        })
        .collect()
}

/// The process types of a Procfile.
pub fn from_procfile(file: &Procfile<'_>) -> Vec<RunCommand> {
    file.processes
        .iter()
        .map(|p| RunCommand {
            origin: Origin::Procfile,
            process: Some(p.name.clone()),
            shell_form: true,
            one_off: p.name == "release",
            span: p.command_span.clone(),
            commands: p.commands.clone(),
        })
        .collect()
}

/// The `entrypoint:` and `command:` of every compose service.
pub fn from_compose(file: &ComposeFile) -> Vec<RunCommand> {
    let mut out = Vec::new();
    for s in &file.services {
        for c in [&s.entrypoint, &s.command].into_iter().flatten() {
            out.push(RunCommand {
                origin: Origin::Compose,
                process: Some(s.name.clone()),
                shell_form: c.string_form,
                one_off: false,
                span: c.span.clone(),
                commands: c.commands.clone(),
            });
        }
    }
    out
}

/// The container commands of Kubernetes workloads.
pub fn from_k8s(file: &K8sFile) -> Vec<RunCommand> {
    let mut out = Vec::new();
    for o in &file.objects {
        for c in &o.containers {
            let Some(cmd) = &c.command else { continue };
            out.push(RunCommand {
                origin: Origin::Kubernetes,
                process: Some(c.name.clone()),
                shell_form: cmd.string_form,
                one_off: c.init || o.is_one_off(),
                span: cmd.span.clone(),
                commands: cmd.commands.clone(),
            });
        }
    }
    out
}

/// A whole shell script, as the entrypoint of a container.
pub fn from_script(source: &SourceFile) -> RunCommand {
    RunCommand::from_shell(Origin::Script, &source.text)
}

const SHELLS: &[&str] = &["sh", "bash", "dash", "ash", "zsh"];

/// The repository paths of the scripts a Dockerfile's start commands run: the program of the
/// `ENTRYPOINT`/`CMD` (or the script given to `sh`/`bash`), matched against what the Dockerfile
/// copies into the image, resolved from the Dockerfile's folder (the usual build context) and
/// then from the root. `exists` says whether a repository path is present.
pub fn entry_scripts(file: &DockerFile<'_>, exists: &dyn Fn(&str) -> bool) -> Vec<String> {
    let dir = file.source.dir();
    let copies = file.copies();
    let mut out = Vec::new();
    for start in file.start_commands() {
        let Some(first) = start.commands.iter().find(|c| c.depth == 0) else {
            continue;
        };
        let mut words = first.words.iter().map(|w| w.text.as_str());
        let program = match words.next() {
            Some(p) if SHELLS.contains(&p.rsplit('/').next().unwrap_or(p)) => {
                match words.find(|w| !w.starts_with('-')) {
                    Some(s) => s,
                    None => continue,
                }
            }
            Some(p) => p,
            None => continue,
        };
        let base = program.rsplit('/').next().unwrap_or(program);
        if base.is_empty() {
            continue;
        }
        let mut candidates: Vec<String> = Vec::new();
        for (src, dest) in &copies {
            // `COPY . /app` then `ENTRYPOINT ["/app/bin/start"]`: map the path back through the
            // copied folder.
            let folder = src == "." || src == "./" || src.ends_with('/') || !src.contains('.');
            let dest_dir = if dest.ends_with('/') {
                dest.clone()
            } else {
                format!("{dest}/")
            };
            if folder && program.starts_with('/') {
                if let Some(rest) = program.strip_prefix(&dest_dir) {
                    let src = src.trim_start_matches("./").trim_end_matches('/');
                    let src = if src == "." { "" } else { src };
                    candidates.push(if src.is_empty() {
                        rest.to_string()
                    } else {
                        format!("{src}/{rest}")
                    });
                    continue;
                }
            }
            let src_base = src.trim_end_matches('/').rsplit('/').next().unwrap_or(src);
            let dest_base = dest
                .trim_end_matches('/')
                .rsplit('/')
                .next()
                .unwrap_or(dest);
            if src_base == base || (dest_base == base && !dest.ends_with('/')) {
                candidates.push(src.trim_start_matches("./").to_string());
            } else if !src.contains('*') && !src.contains('.') || src == "." || src == "./" {
                // A folder copied whole: the script may be inside it.
                let folder = src.trim_start_matches("./").trim_end_matches('/');
                let folder = if folder == "." { "" } else { folder };
                candidates.push(if folder.is_empty() {
                    base.to_string()
                } else {
                    format!("{folder}/{base}")
                });
            }
        }
        let relative = program.trim_start_matches("./");
        if !program.starts_with('/') {
            candidates.push(relative.to_string());
        }
        for c in candidates {
            // The build context is the Dockerfile's folder or one of its ancestors.
            let mut contexts: Vec<&str> = vec![dir];
            let mut d = dir;
            while let Some((parent, _)) = d.rsplit_once('/') {
                contexts.push(parent);
                d = parent;
            }
            if !dir.is_empty() {
                contexts.push("");
            }
            let found = contexts
                .iter()
                .filter_map(|ctx| {
                    if ctx.is_empty() {
                        super::normalize_path(&c)
                    } else {
                        super::normalize_path(&format!("{ctx}/{c}"))
                    }
                })
                .find(|p| exists(p));
            if let Some(p) = found {
                if !out.contains(&p) {
                    out.push(p);
                }
                break;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileKind;

    #[test]
    fn dockerfile_entry_scripts() {
        let text = "FROM alpine:3.20\nCOPY docker/entrypoint.sh /usr/local/bin/\nENTRYPOINT [\"entrypoint.sh\"]\nCMD [\"./app\"]\n";
        let src = SourceFile::new("svc/Dockerfile", FileKind::Dockerfile, text.into());
        let f = DockerFile::parse(&src).expect("valid");
        let exists = |p: &str| p == "svc/docker/entrypoint.sh";
        assert_eq!(entry_scripts(&f, &exists), ["svc/docker/entrypoint.sh"]);
        let runs = from_dockerfile(&f);
        assert_eq!(runs.len(), 2);
        assert_eq!(runs[0].origin, Origin::Entrypoint);

        let text = "FROM ruby:3.3\nWORKDIR /rails\nCOPY . .\nENTRYPOINT [\"/rails/bin/docker-entrypoint\"]\n";
        let src = SourceFile::new("Dockerfile", FileKind::Dockerfile, text.into());
        let f = DockerFile::parse(&src).expect("valid");
        let exists = |p: &str| p == "bin/docker-entrypoint";
        assert_eq!(entry_scripts(&f, &exists), ["bin/docker-entrypoint"]);

        let text = "FROM alpine:3.20\nCOPY . /app\nCMD sh ./start.sh\n";
        let src = SourceFile::new("Dockerfile", FileKind::Dockerfile, text.into());
        let f = DockerFile::parse(&src).expect("valid");
        assert_eq!(entry_scripts(&f, &|p| p == "start.sh"), ["start.sh"]);
        assert!(entry_scripts(&f, &|_| false).is_empty());

        // Built with an ancestor folder as the context (`docker build -f tests/mssql/Dockerfile tests`).
        let text = "FROM mcr.microsoft.com/mssql/server:2022-latest\nCOPY mssql/entrypoint.sh /usr/src/app/\nCMD [\"/usr/src/app/entrypoint.sh\"]\n";
        let src = SourceFile::new("tests/mssql/Dockerfile", FileKind::Dockerfile, text.into());
        let f = DockerFile::parse(&src).expect("valid");
        let exists = |p: &str| p == "tests/mssql/entrypoint.sh";
        assert_eq!(entry_scripts(&f, &exists), ["tests/mssql/entrypoint.sh"]);
    }
}
