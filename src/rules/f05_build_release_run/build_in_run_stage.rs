//! TC0501: building or installing when the process starts.
//!
//! Also home of the run-command helpers shared by the start-up rules (TC0503, TC0802, TC0902,
//! TC0903): a light reading of shell structure (`if`/`case`/loops/functions/here-documents) on
//! top of [`crate::source::shell`], wrapper stripping (`gosu`, `tini`, `bundle exec`...) and the
//! wording that names where a run command comes from.

use std::ops::Range;

use crate::rule::prelude::*;
use crate::source::shell::{Command, Sep, Word};

declare_rule! {
    /// ## What it does
    /// Flags run commands that compile, build or install when the process starts instead of
    /// when the release is built: `cargo run`/`build`/`install`, `npm install`/`ci`/`run build`,
    /// `yarn`/`yarn install`/`yarn build`, `pnpm install`, `bun install`, `pip install`,
    /// `python setup.py install`, `poetry install`, `pipenv install`, `uv sync`, `go run`/
    /// `build`/`install`/`get`, `bundle install`, `gem install`, `composer install`, `mvn`/
    /// `./mvnw`, `gradle`/`./gradlew`, `sbt`, `make`, `dotnet run`/`build`/`publish`/`restore`,
    /// `mix deps.get`/`compile`, `tsc`, `next build`, `vite build`, `rake assets:precompile`,
    /// `manage.py collectstatic` and system package installs (`apt-get install`, `apk add`).
    ///
    /// Run commands are the final-stage `CMD`/`ENTRYPOINT` of a Dockerfile, Procfile lines
    /// (the `release:` phase too: its file-system changes are thrown away), compose `command:`/
    /// `entrypoint:`, Kubernetes container `command:`/`args:` (Jobs and init containers too: an
    /// init container that installs into a shared volume is the same problem) and the entrypoint
    /// script a Dockerfile runs.
    ///
    /// Not flagged: `npm start`, `npm run start`, `yarn start`, running a built binary,
    /// `bundle exec puma`, `dotnet app.dll`, `java -jar app.jar`, and development-only files
    /// (`docker-compose.override.yml`, `docker-compose.dev.yml`, `Dockerfile.dev`,
    /// `.devcontainer/`), where a build-and-watch loop is the point, and file watchers and
    /// development servers anywhere (`cargo watch -x run`, `nodemon`, `--reload`): a loop that
    /// rebuilds on every edit is a development process, not a release.
    ///
    /// Other files consulted: the Dockerfile decides which shell scripts are entrypoint scripts
    /// (a script is checked only when a Dockerfile of the repository runs it).
    ///
    /// ## Measured
    /// On the real-world corpus (`benches/realworld/`, 26 repositories, 2026-12-03): no findings.
    ///
    /// ## Why is this bad?
    /// Factor V: the build stage turns code into an executable bundle, the release combines it
    /// with config, and the run stage only runs it. Building at start-up makes every start slow
    /// and fallible (a registry outage stops a restart), lets two instances of one release run
    /// different dependency versions, and ships the toolchain into production.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM rust:1.82
    /// COPY . /app
    /// WORKDIR /app
    /// CMD ["cargo", "run", "--release"]
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM rust:1.82 AS build
    /// COPY . /app
    /// WORKDIR /app
    /// RUN cargo build --release --locked
    ///
    /// FROM debian:bookworm-slim
    /// COPY --from=build /app/target/release/shop /usr/local/bin/shop
    /// CMD ["shop"]
    /// ```
    ///
    /// ## References
    /// - <https://12factor.net/build-release-run>
    /// - <https://docs.docker.com/build/building/multi-stage/>
    /// - <https://devcenter.heroku.com/articles/release-phase>
    pub BuildInRunStage {
        code: "TC0501", name: "build-in-run-stage",
        factor: BuildReleaseRun, severity: Error, preview: false, since: "0.2.0",
    }
}

// ---------------------------------------------------------------------------------------------
// Shared run-command helpers (used by TC0503, TC0802, TC0902 and TC0903).
// ---------------------------------------------------------------------------------------------

/// One simple command of a run command, read with its shell structure.
#[derive(Clone, Debug)]
pub(crate) struct Stmt<'r> {
    /// Index of the command in [`RunCommand::commands`].
    pub index: usize,
    /// The command as split.
    pub cmd: &'r Command,
    /// Its words with leading shell keywords (`then`, `do`, `!`, a `case` pattern) and `exec`
    /// removed.
    pub words: &'r [Word],
    /// Run with `exec` (also `then exec ...`).
    pub exec: bool,
    /// Nesting in `while`/`until`/`for` loops.
    pub loop_depth: usize,
    /// The enclosing function definition, if any.
    pub function: Option<String>,
    /// The condition of an `if`/`elif`/`while`/`until`.
    pub condition: bool,
}

impl Stmt<'_> {
    /// How the command is joined to the next one.
    pub fn sep(&self) -> Sep {
        self.cmd.sep
    }

    /// The words after wrappers (`gosu user`, `tini --`, `env X=1`, `bundle exec`...).
    pub fn app(&self) -> &[Word] {
        unwrap_wrappers(self.words)
    }

    /// The program of [`Stmt::app`], without its directory.
    pub fn program(&self) -> Option<&str> {
        self.app().first().map(|w| base_name(&w.text))
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Block {
    If,
    Case,
    Loop,
    Brace,
    Function(String),
}

/// The program name without its directory.
pub(crate) fn base_name(w: &str) -> &str {
    w.rsplit('/').next().unwrap_or(w)
}

/// The simple commands of a run command with their shell structure: control keywords stripped,
/// block and loop nesting, function bodies, and here-document bodies left out.
pub(crate) fn statements<'r>(run: &'r RunCommand, text: &str) -> Vec<Stmt<'r>> {
    let heredocs = heredoc_bodies(run, text);
    let mut out = Vec::new();
    let mut stack: Vec<Block> = Vec::new();
    let mut pending_fn: Option<String> = None;
    // Inside the condition of an `if`/`while`, until its `then`/`do` (`if a || b; then`).
    let mut condition = false;
    let cmds = &run.commands;
    for (i, cmd) in cmds.iter().enumerate() {
        if heredocs.iter().any(|r| r.contains(&cmd.span.start)) {
            continue;
        }
        let mut words: &[Word] = &cmd.words;
        let mut exec = cmd.exec;
        // A `case` pattern continued over `|`: `web|api) ...`.
        if stack.last() == Some(&Block::Case)
            && cmd.sep == Sep::Pipe
            && words.len() == 1
            && cmds
                .get(i + 1)
                .and_then(|n| n.words.first())
                .is_some_and(|w| is_case_pattern(&w.text))
        {
            continue;
        }
        while let Some(first) = words.first() {
            let t = first.text.as_str();
            match t {
                "if" | "while" | "until" => {
                    stack.push(if t == "if" { Block::If } else { Block::Loop });
                    condition = true;
                }
                "elif" => condition = true,
                "then" | "else" | "do" => condition = false,
                "!" => {}
                "(" => stack.push(Block::Brace),
                ")" => {
                    stack.pop();
                }
                "{" => stack.push(match pending_fn.take() {
                    Some(name) => Block::Function(name),
                    None => Block::Brace,
                }),
                "fi" | "done" | "esac" | "}" => {
                    stack.pop();
                }
                "for" | "select" => {
                    stack.push(Block::Loop);
                    words = &[];
                    break;
                }
                "case" => {
                    stack.push(Block::Case);
                    words = &[];
                    break;
                }
                "function" => {
                    pending_fn = words
                        .get(1)
                        .map(|w| w.text.trim_end_matches("()").to_string());
                    words = words.get(2..).unwrap_or(&[]);
                    if words.first().is_some_and(|w| w.text == "()") {
                        words = &words[1..];
                    }
                    continue;
                }
                "exec" if words.len() > 1 => exec = true,
                _ if stack.last() == Some(&Block::Case) && is_case_pattern(t) => {}
                _ if t.ends_with("()") && t.len() > 2 => {
                    pending_fn = Some(t.trim_end_matches("()").to_string());
                }
                _ if words.get(1).is_some_and(|w| w.text == "()") => {
                    pending_fn = Some(t.to_string());
                    words = &words[1..];
                }
                _ => break,
            }
            words = &words[1..];
        }
        if words.is_empty() {
            continue;
        }
        let function = stack.iter().rev().find_map(|b| match b {
            Block::Function(n) => Some(n.clone()),
            _ => None,
        });
        out.push(Stmt {
            index: i,
            cmd,
            words,
            exec,
            loop_depth: stack.iter().filter(|b| **b == Block::Loop).count(),
            function,
            condition,
        });
    }
    out
}

fn is_case_pattern(t: &str) -> bool {
    t.ends_with(')') && !t.starts_with("$(") && !t.ends_with("()")
}

/// Byte ranges of here-document bodies (with their closing delimiter line).
fn heredoc_bodies(run: &RunCommand, text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    for c in &run.commands {
        let Some(src) = text.get(c.span.clone()) else {
            continue;
        };
        let Some(at) = src.find("<<") else { continue };
        if src[at..].starts_with("<<<") {
            continue;
        }
        let rest = src[at + 2..].trim_start_matches('-').trim_start();
        let delim: String = rest
            .trim_start_matches(['\'', '"', '\\'])
            .chars()
            .take_while(|ch| ch.is_ascii_alphanumeric() || *ch == '_')
            .collect();
        if delim.is_empty() {
            continue;
        }
        let body_start = match text[c.span.end.min(text.len())..].find('\n') {
            Some(n) => c.span.end + n + 1,
            None => continue,
        };
        let mut pos = body_start;
        let mut end = text.len();
        for line in text[body_start..].split_inclusive('\n') {
            pos += line.len();
            if line.trim() == delim {
                end = pos;
                break;
            }
        }
        out.push(body_start..end);
    }
    out
}

/// Wrappers that run the next words as the real program.
fn unwrap_wrappers(mut w: &[Word]) -> &[Word] {
    for _ in 0..6 {
        let Some(first) = w.first() else { return w };
        let p = base_name(&first.text);
        let skip = match p {
            "exec" | "nice" | "ionice" | "time" | "nohup" | "stdbuf" | "setsid" => {
                1 + w[1..]
                    .iter()
                    .take_while(|x| x.text.starts_with('-'))
                    .count()
            }
            "gosu" | "su-exec" | "setuidgid" | "s6-setuidgid" | "chroot" => 2,
            "chpst" => {
                1 + w[1..]
                    .iter()
                    .take_while(|x| x.text.starts_with('-'))
                    .count()
                    * 2
            }
            "tini" | "dumb-init" | "docker-init" | "catatonit" | "tini-static" => {
                1 + w[1..]
                    .iter()
                    .take_while(|x| x.text.starts_with('-'))
                    .count()
            }
            "env" => {
                1 + w[1..]
                    .iter()
                    .take_while(|x| x.text.starts_with('-') || x.text.contains('='))
                    .count()
            }
            "timeout" => {
                1 + w[1..]
                    .iter()
                    .take_while(|x| x.text.starts_with('-'))
                    .count()
                    + 1
            }
            "sudo" => {
                let mut n = 1;
                while let Some(x) = w.get(n) {
                    if x.text == "-u" || x.text == "-g" {
                        n += 2;
                    } else if x.text.starts_with('-') {
                        n += 1;
                    } else {
                        break;
                    }
                }
                n
            }
            "bundle" | "poetry" | "pipenv" | "uv" | "pdm" | "rye" | "hatch"
                if w.get(1)
                    .is_some_and(|x| x.text == "exec" || x.text == "run") =>
            {
                2
            }
            "doppler" | "dotenv" | "op" | "infisical" | "chamber"
                if w.iter().any(|x| x.text == "--") =>
            {
                w.iter().position(|x| x.text == "--").map_or(1, |i| i + 1)
            }
            _ => 0,
        };
        if skip == 0 {
            return w;
        }
        w = w.get(skip..).unwrap_or(&[]);
        if w.first().is_some_and(|x| x.text == "--") {
            w = &w[1..];
        }
    }
    w
}

/// How messages name a run command: `CMD`, `ENTRYPOINT`, `the Procfile \`web\` process`...
pub(crate) fn where_of(run: &RunCommand) -> String {
    let name = run.process.as_deref().unwrap_or("");
    match run.origin {
        Origin::Entrypoint => "ENTRYPOINT".into(),
        Origin::Cmd => "CMD".into(),
        Origin::Procfile => format!("the Procfile `{name}` process"),
        Origin::Compose => format!("the compose service `{name}`"),
        Origin::Kubernetes => format!("the Kubernetes container `{name}`"),
        Origin::Script => "the entrypoint script".into(),
    }
}

/// When a run command runs, for messages.
pub(crate) fn when_of(run: &RunCommand) -> &'static str {
    match run.origin {
        Origin::Procfile if run.one_off => "in the release phase",
        Origin::Procfile => "when the process starts",
        _ if run.one_off => "each time it runs",
        _ => "when the container starts",
    }
}

/// The words of a statement joined for a message, shortened.
pub(crate) fn shown(words: &[Word], max: usize) -> String {
    let mut s = words
        .iter()
        .take(max)
        .map(|w| w.text.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    if words.len() > max {
        s.push_str(" ...");
    }
    s
}

/// The span from the first to the last of some words.
pub(crate) fn words_span(words: &[Word]) -> Option<Range<usize>> {
    Some(words.first()?.span.start..words.last()?.span.end)
}

// ---------------------------------------------------------------------------------------------
// TC0501 itself.
// ---------------------------------------------------------------------------------------------

/// What a build step does, for the message.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Step {
    Build,
    Install,
    BuildAndRun,
    System,
}

/// Whether the app words build or install; the number of words to show.
fn build_step(w: &[Word]) -> Option<(Step, usize)> {
    let p = base_name(&w.first()?.text);
    let a = |i: usize| w.get(i).map_or("", |x| x.text.as_str());
    // The first argument that is not an option (`npm --prefix web install`).
    let sub_at = |from: usize| {
        let mut i = from;
        while let Some(x) = w.get(i) {
            if !x.text.starts_with('-') {
                return Some(i);
            }
            i += 1;
            // Options that take a value.
            if matches!(
                w.get(i - 1).map(|x| x.text.as_str()),
                Some("--prefix" | "-C" | "--cwd" | "--manifest-path" | "--dir" | "--filter")
            ) {
                i += 1;
            }
        }
        None
    };
    let sub = |from: usize| sub_at(from).map_or("", |i| a(i));
    match p {
        "cargo" => match sub(1) {
            "run" | "r" => Some((Step::BuildAndRun, 2)),
            "build" | "b" | "install" | "watch" => Some((Step::Build, 2)),
            "leptos" | "shuttle" if matches!(sub(2), "build" | "watch" | "serve") => {
                Some((Step::Build, 3))
            }
            _ => None,
        },
        "npm" | "pnpm" | "bun" | "yarn" | "cnpm" => {
            let s = sub(1);
            let i = sub_at(1).unwrap_or(1);
            match s {
                "install" | "i" | "ci" | "add" | "rebuild" => Some((Step::Install, i + 1)),
                "" if p == "yarn" => Some((Step::Install, 1)),
                "run" | "run-script" if is_build_script(a(i + 1)) => Some((Step::Build, i + 2)),
                s if p != "npm" && is_build_script(s) => Some((Step::Build, i + 1)),
                _ => None,
            }
        }
        "pip" | "pip3" | "uv" if sub(1) == "install" || (sub(1) == "pip" && a(2) == "install") => {
            Some((Step::Install, if sub(1) == "pip" { 3 } else { 2 }))
        }
        "uv" if sub(1) == "sync" => Some((Step::Install, 2)),
        "python" | "python3" | "python2" if a(1) == "-m" && a(2).starts_with("pip") => {
            (a(3) == "install").then_some((Step::Install, 4))
        }
        "python" | "python3" | "python2"
            if base_name(a(1)) == "setup.py"
                && matches!(a(2), "install" | "build" | "develop" | "bdist_wheel") =>
        {
            Some((Step::Build, 3))
        }
        "python" | "python3" if base_name(a(1)) == "manage.py" && a(2) == "collectstatic" => {
            Some((Step::Build, 3))
        }
        "poetry" | "pipenv" | "pdm" if matches!(sub(1), "install" | "sync") => {
            Some((Step::Install, 2))
        }
        "go" => match sub(1) {
            "run" => Some((Step::BuildAndRun, 2)),
            "build" | "install" | "get" | "generate" => Some((Step::Build, 2)),
            "mod" if a(2) == "download" => Some((Step::Install, 3)),
            _ => None,
        },
        "bundle" => match sub(1) {
            "" | "install" => Some((Step::Install, 2.min(w.len()))),
            _ => None,
        },
        "gem" | "composer" if sub(1) == "install" => Some((Step::Install, 2)),
        "composer" if sub(1) == "update" => Some((Step::Install, 2)),
        "mvn" | "mvnw" | "gradle" | "gradlew" | "sbt" | "lein" | "ant" => {
            let bare = w.len() == 1;
            let version = w.iter().any(|x| x.text == "--version" || x.text == "-v");
            (!version).then_some((
                if bare
                    || [
                        "run",
                        "bootRun",
                        "spring-boot:run",
                        "jetty:run",
                        "exec:java",
                        "quarkus:dev",
                    ]
                    .iter()
                    .any(|g| w.iter().any(|x| x.text == *g))
                {
                    Step::BuildAndRun
                } else {
                    Step::Build
                },
                2.min(w.len()),
            ))
        }
        "make" | "gmake" | "cmake" | "ninja" | "meson" => Some((Step::Build, 2.min(w.len()))),
        "dotnet" => match sub(1) {
            "run" | "watch" => Some((Step::BuildAndRun, 2)),
            "build" | "publish" | "restore" | "msbuild" => Some((Step::Build, 2)),
            _ => None,
        },
        "mix" => match sub(1) {
            "deps.get" | "compile" | "deps.compile" | "release" | "assets.deploy" => {
                Some((Step::Build, 2))
            }
            _ => None,
        },
        "tsc" | "webpack" | "rollup" | "esbuild" | "parcel" | "javac" | "rustc" | "gcc" | "g++"
        | "cc" | "clang" => {
            let serve = w.iter().any(|x| {
                matches!(
                    x.text.as_str(),
                    "serve" | "--watch" | "-w" | "--serve" | "--version"
                )
            });
            (!serve).then_some((Step::Build, 1))
        }
        "next" | "vite" | "nuxt" | "ng" | "remix" | "astro" | "gatsby" | "svelte-kit"
            if a(1) == "build" =>
        {
            Some((Step::Build, 2))
        }
        "rake" | "rails" if w.iter().any(|x| x.text == "assets:precompile") => {
            Some((Step::Build, 2))
        }
        "apt-get" | "apt" | "yum" | "dnf" | "microdnf" | "zypper" if sub(1) == "install" => {
            Some((Step::System, 2))
        }
        "apk" if sub(1) == "add" => Some((Step::System, 2)),
        _ => None,
    }
}

/// `build`, `build:prod`, `compile`, `tsc` as package.json script names.
fn is_build_script(s: &str) -> bool {
    let s = s.split(':').next().unwrap_or(s);
    matches!(s, "build" | "compile" | "tsc" | "bundle" | "prebuild")
}

impl Rule for BuildInRunStage {
    fn inputs(&self) -> Inputs {
        Inputs {
            run: true,
            ..Inputs::default()
        }
    }

    fn check_run(&self, run: &RunCommand, file: &SourceFile, cx: &mut RuleCtx<'_>) {
        // A file watcher rebuilding on every edit is a development loop, not a release that
        // builds at start-up (dev-mode process definitions are a factor X matter).
        let raw = file.text.get(run.span.clone()).unwrap_or("");
        if crate::source::development_file(&file.path)
            || crate::source::compose::WATCHERS
                .iter()
                .any(|w| raw.contains(w))
        {
            return;
        }
        for st in statements(run, &file.text) {
            let app = st.app();
            let Some((step, n)) = build_step(app) else {
                continue;
            };
            let Some(span) = words_span(&app[..n.min(app.len())]) else {
                continue;
            };
            let cmd = shown(app, n);
            let (what, help) = match step {
                Step::Build => (
                    "builds",
                    "build in a Dockerfile stage or the platform's build step and run the built artifact",
                ),
                Step::BuildAndRun => (
                    "compiles and runs",
                    "build in a Dockerfile stage or the platform's build step and run the built artifact",
                ),
                Step::Install => (
                    "installs dependencies",
                    "install dependencies at build time (a Dockerfile `RUN` or the buildpack) from the lockfile",
                ),
                Step::System => (
                    "installs system packages",
                    "install system packages in the image with a Dockerfile `RUN`",
                ),
            };
            cx.report(
                Violation::new(
                    span,
                    format!(
                        "{} runs `{cmd}` {}: it {what} at run time",
                        where_of(run),
                        when_of(run)
                    ),
                )
                .label("build step in the run stage")
                .help(help),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn script(text: &str) -> RunCommand {
        RunCommand::from_shell(Origin::Script, text)
    }

    fn steps(text: &str) -> Vec<String> {
        let run = script(text);
        statements(&run, text)
            .iter()
            .filter(|s| build_step(s.app()).is_some())
            .map(|s| s.program().unwrap_or("").to_string())
            .collect()
    }

    #[test]
    fn build_steps() {
        assert_eq!(
            steps("npm ci && npm run build && npm start"),
            ["npm", "npm"]
        );
        assert_eq!(steps("npm run start"), Vec::<String>::new());
        assert_eq!(
            steps("bundle exec puma -C config/puma.rb"),
            Vec::<String>::new()
        );
        assert_eq!(steps("gosu app cargo run --release"), ["cargo"]);
        assert_eq!(steps("yarn && yarn start"), ["yarn"]);
        assert_eq!(steps("./target/release/app"), Vec::<String>::new());
        assert_eq!(steps("python -m pip install -r req.txt"), ["python"]);
    }

    #[test]
    fn structure() {
        let text = "#!/bin/sh\nset -e\nmain() {\n  if [ \"$1\" = web ]; then\n    exec ./app\n  fi\n}\ncat > /etc/x <<EOF\nnpm install\nEOF\ncase \"$1\" in\n  web|api) exec ./app ;;\n  *) echo no ;;\nesac\nwhile ! nc -z db 5432; do sleep 1; done\nmain \"$@\"\n";
        let run = script(text);
        let st = statements(&run, text);
        let progs: Vec<_> = st.iter().map(|s| s.program().unwrap_or("")).collect();
        assert_eq!(
            progs,
            ["set", "[", "app", "cat", "app", "echo", "nc", "sleep", "main"]
        );
        assert_eq!(st[2].function.as_deref(), Some("main"));
        assert!(st[2].exec);
        assert!(st[1].condition);
        assert!(st[4].exec);
        assert_eq!(st[7].loop_depth, 1);
        assert!(st[8].function.is_none());
        let text = "if [ -z \"$1\" ] || { [ -f x ] && ! [ -x y ]; }; then\n  set -- node\nfi\n( cd web && npm ci )\nexec \"$@\"\n";
        let run = script(text);
        let st = statements(&run, text);
        let cond: Vec<_> = st.iter().map(|s| s.condition).collect();
        assert_eq!(cond, [true, true, true, false, false, false, false]);
        assert_eq!(steps(text), ["npm"]);
    }
}
