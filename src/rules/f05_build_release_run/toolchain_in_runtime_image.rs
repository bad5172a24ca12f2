//! TC0504: compiling and running in the same single-stage image.

use crate::rule::prelude::*;
use crate::source::shell::Command;

declare_rule! {
    /// ## What it does
    /// Flags a Dockerfile whose final image both compiles the app and runs it: a `RUN` in the
    /// final stage, or in a stage the final stage is built `FROM` (`FROM builder`), that
    /// compiles, while the file gives the image a `CMD` or `ENTRYPOINT`. Compiling means
    /// `cargo build`/`install`/`rustc`, `go build`/`install`, `mvn`/`./mvnw` `package`/`install`/
    /// `verify`/`compile`, `gradle`/`./gradlew` `build`/`assemble`/`bootJar`/`jar`/`shadowJar`/
    /// `installDist`, `npm`/`yarn`/`pnpm run build` (and `yarn build`, `pnpm build`),
    /// `dotnet build`/`publish`, `gcc`/`g++`/`clang`/`cc`/`c++`, `make`, `cmake --build` and
    /// `ninja`.
    ///
    /// Not flagged: a multi-stage build whose final stage copies the artefacts
    /// (`COPY --from=build ...`) onto a runtime base; a Dockerfile with no `CMD`/`ENTRYPOINT`
    /// (a base or CI image, not something that runs); an image whose `CMD`/`ENTRYPOINT` itself
    /// runs the toolchain (`cargo test`, `go run`: a test-runner or development image, and
    /// building at start-up is `build-in-run-stage`, TC0501); development Dockerfiles
    /// (`Dockerfile.dev`, `dev.Dockerfile`, `Dockerfile.test`, `Dockerfile.ci`, `.devcontainer/`);
    /// installing dependencies without compiling (`npm ci`, `pip install`); and the pattern of
    /// the official images (`python`, `postgres`, `redis`), where one `RUN` installs a C
    /// toolchain, runs `make`/`gcc` and removes the toolchain again (`apk del .build-deps`,
    /// `apt-get purge --auto-remove`), so that it never reaches the image.
    ///
    /// Other files consulted: none; the stages of the Dockerfile itself decide.
    ///
    /// ## Measured
    /// On the real-world corpus (`benches/realworld/`, 26 repositories, 2026-12-03): no findings.
    ///
    /// ## Why is this bad?
    /// Factor V: build, release and run are strictly separate stages. An image that compiles
    /// and runs in one stage ships the build stage into production: the compiler, package
    /// caches, sources and dev dependencies make it several times larger, slower to pull on
    /// every deploy and scale-out, and give an attacker a full toolchain. A multi-stage build
    /// keeps the build in its own stage and releases only the artefact.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM rust:1.80
    /// WORKDIR /app
    /// COPY . .
    /// RUN cargo build --release
    /// CMD ["./target/release/shop"]
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM rust:1.80-slim AS build
    /// WORKDIR /app
    /// COPY . .
    /// RUN cargo build --release
    ///
    /// FROM debian:bookworm-slim
    /// COPY --from=build /app/target/release/shop /usr/local/bin/shop
    /// CMD ["shop"]
    /// ```
    ///
    /// ## References
    /// - <https://12factor.net/build-release-run>
    /// - <https://docs.docker.com/build/building/multi-stage/>
    pub ToolchainInRuntimeImage {
        code: "TC0504", name: "toolchain-in-runtime-image",
        factor: BuildReleaseRun, severity: Note, preview: true, since: "0.2.0",
    }
}

/// The words of a command with wrappers (`sudo`, `env`, `time`) skipped.
fn words(c: &Command) -> Vec<&str> {
    c.words
        .iter()
        .map(|w| w.text.as_str())
        .skip_while(|w| {
            matches!(
                *w,
                "sudo" | "env" | "time" | "nice" | "command" | "then" | "do" | "else" | "{" | "!"
            )
        })
        .collect()
}

fn base(p: &str) -> &str {
    p.rsplit('/').next().unwrap_or(p)
}

/// The compile command a shell command is, as shown in the message (`cargo build`).
fn compiles(c: &Command) -> Option<String> {
    let w = words(c);
    let prog = base(w.first()?);
    let ops: Vec<&str> = w[1..]
        .iter()
        .copied()
        .filter(|a| !a.starts_with('-') && !a.starts_with('+'))
        .collect();
    let first = ops.first().copied().unwrap_or("");
    let hit = match prog {
        "cargo" => matches!(first, "build" | "install" | "b" | "rustc" | "auditable"),
        "rustc" | "gcc" | "g++" | "cc" | "c++" | "clang" | "clang++" | "javac" | "ninja" => true,
        "go" => matches!(first, "build" | "install"),
        "mvn" | "mvnw" => ops.iter().any(|o| {
            matches!(
                *o,
                "compile" | "package" | "install" | "verify" | "deploy" | "spring-boot:repackage"
            )
        }),
        "gradle" | "gradlew" => ops.iter().any(|o| {
            let t = o.rsplit(':').next().unwrap_or(o);
            matches!(
                t,
                "build"
                    | "assemble"
                    | "bootJar"
                    | "bootWar"
                    | "jar"
                    | "war"
                    | "shadowJar"
                    | "installDist"
                    | "distTar"
                    | "compileJava"
                    | "classes"
            )
        }),
        "npm" | "yarn" | "pnpm" | "bun" => {
            (first == "run" && ops.get(1).is_some_and(|s| s.starts_with("build")))
                || (prog != "npm" && first.starts_with("build"))
        }
        "dotnet" => matches!(first, "build" | "publish"),
        "make" | "gmake" => !matches!(first, "clean" | "help"),
        "cmake" => w.contains(&"--build"),
        _ => false,
    };
    hit.then(|| {
        let mut shown = vec![prog];
        match prog {
            "cargo" | "go" | "dotnet" => shown.push(first),
            "npm" | "yarn" | "pnpm" | "bun" => {
                shown.extend(ops.iter().take(if first == "run" { 2 } else { 1 }))
            }
            "mvn" | "mvnw" | "gradle" | "gradlew" => shown.extend(
                ops.iter()
                    .find(|o| !o.contains('=') && !matches!(**o, "clean")),
            ),
            "cmake" => shown.push("--build"),
            _ => {}
        }
        shown.join(" ")
    })
}

/// Whether a command runs a C toolchain (`make`, `gcc`, `cmake`).
fn is_c_toolchain(c: &Command) -> bool {
    let w = words(c);
    w.first().is_some_and(|p| {
        matches!(
            base(p),
            "make"
                | "gmake"
                | "gcc"
                | "g++"
                | "cc"
                | "c++"
                | "clang"
                | "clang++"
                | "cmake"
                | "ninja"
        )
    })
}

/// Whether a command removes packages (`apk del`, `apt-get purge`, `dnf remove`).
fn removes_packages(c: &Command) -> bool {
    let w = words(c);
    let Some(prog) = w.first().map(|p| base(p)) else {
        return false;
    };
    let sub = w.iter().skip(1).find(|a| !a.starts_with('-')).copied();
    match prog {
        "apk" => sub == Some("del"),
        "apt-get" | "apt" => matches!(sub, Some("purge" | "remove" | "autoremove")),
        "dnf" | "yum" | "microdnf" | "tdnf" | "zypper" => {
            matches!(sub, Some("remove" | "erase" | "rm" | "autoremove"))
        }
        _ => false,
    }
}

/// Whether a start command runs the toolchain itself (`cargo test`, `go run`).
fn runs_toolchain(c: &Command) -> bool {
    let w = words(c);
    let Some(prog) = w.first().map(|p| base(p)) else {
        return false;
    };
    matches!(
        prog,
        "cargo" | "go" | "mvn" | "mvnw" | "gradle" | "gradlew" | "make" | "rustc" | "dotnet"
    ) && !(prog == "dotnet" && w.get(1).is_some_and(|a| a.ends_with(".dll")))
}

impl Rule for ToolchainInRuntimeImage {
    fn inputs(&self) -> Inputs {
        Inputs {
            dockerfile: true,
            ..Inputs::default()
        }
    }

    fn check_dockerfile(&self, file: &DockerFile, cx: &mut RuleCtx<'_>) {
        if crate::source::development_file(cx.path()) {
            return;
        }
        let start = file.start_commands();
        if start.is_empty() || start.iter().flat_map(|s| &s.commands).any(runs_toolchain) {
            return;
        }
        let chain = file.final_chain();
        let stages = file.stages();
        let Some(&last) = chain.first() else { return };
        for script in file.run_scripts() {
            if !chain.contains(&script.stage) {
                continue;
            }
            let Some((at, c, shown)) = script
                .commands
                .iter()
                .enumerate()
                .find_map(|(i, c)| compiles(c).map(|s| (i, c, s)))
            else {
                continue;
            };
            // The official-image pattern: build deps installed, used and removed in one `RUN`.
            if is_c_toolchain(c) && script.commands[at..].iter().any(removes_packages) {
                continue;
            }
            let start_kind = start.first().map_or("CMD", |s| s.instruction);
            let message = if script.stage == last {
                format!("the image that runs the app also compiles it (`{shown}` and `{start_kind}` in the same stage), so the toolchain and sources ship to production; build in a separate stage and copy only the artefact into a slim runtime stage")
            } else {
                let name = |i: usize| {
                    stages
                        .get(i)
                        .and_then(|s| s.name.clone())
                        .unwrap_or_else(|| format!("stage {i}"))
                };
                let final_stage = match stages.get(last).and_then(|s| s.name.as_deref()) {
                    Some(n) => format!("the final stage `{n}`"),
                    None => "the final stage".to_string(),
                };
                let build = name(script.stage);
                format!("{final_stage} is built FROM `{build}`, which compiles (`{shown}`), so the toolchain and sources ship to production; start the final stage from a runtime image and `COPY --from={build}` only the artefact")
            };
            cx.report(
                Violation::new(c.span.clone(), message)
                    .label("compiled in the runtime image")
                    .help("use a multi-stage build: compile in a `FROM rust:... AS build` stage, then `FROM debian:bookworm-slim` (or distroless) and `COPY --from=build` the binary"),
            );
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::shell;

    fn c(s: &str) -> Option<String> {
        shell::split(s, 0).iter().find_map(compiles)
    }

    #[test]
    fn compile_commands() {
        assert_eq!(
            c("cargo build --release --locked").as_deref(),
            Some("cargo build")
        );
        assert_eq!(
            c("npm ci && npm run build").as_deref(),
            Some("npm run build")
        );
        assert_eq!(
            c("./mvnw -B package -DskipTests").as_deref(),
            Some("mvnw package")
        );
        assert_eq!(
            c("./gradlew :app:bootJar").as_deref(),
            Some("gradlew :app:bootJar")
        );
        assert!(c("npm ci --omit=dev").is_none());
        assert!(c("pip install -r requirements.txt").is_none());
        assert!(c("go mod download").is_none());
    }
}
