//! TC1202: an SSH server in a container image.

use std::collections::HashMap;
use std::ops::Range;

use parse_dockerfile::Instruction;

use crate::rule::prelude::*;
use crate::source::dockerfile::{expand, split_image};
use crate::source::shell::Command;

declare_rule! {
    /// ## What it does
    /// Flags an SSH server in the image that runs the app, so that admins log into running
    /// containers:
    /// - a `RUN` of the final image (its last stage and the stages it is built `FROM`) that
    ///   installs `openssh-server`, `openssh` (Alpine, openSUSE, Arch), Debian's `ssh`
    ///   metapackage or `dropbear`, with `apt-get`/`apt`, `apk add`, `dnf`/`yum`/`microdnf`,
    ///   `zypper` or `pacman -S` (package lists in `ARG`/`ENV` variables are expanded);
    /// - `EXPOSE 22` (or `22/tcp`) in the final image;
    /// - a final image built on an SSH-server image (`rastasheep/ubuntu-sshd`,
    ///   `linuxserver/openssh-server`);
    /// - an SSH daemon started by the container: `sshd`/`/usr/sbin/sshd -D`, `dropbear`,
    ///   `service ssh start`, `rc-service sshd start`, `/etc/init.d/ssh start`, in the Dockerfile
    ///   `CMD`/`ENTRYPOINT`, the entrypoint script it runs, compose `command:`/`entrypoint:`,
    ///   Kubernetes container commands and Procfile lines.
    ///
    /// Not flagged: Dockerfiles under `.devcontainer/` (development containers, never
    /// deployed); SSH clients (`openssh-client`, `openssh-clients`, `openssh-client-default`,
    /// `openssh-keygen`, `git` with `ssh` to fetch private dependencies); anything in a build stage
    /// the final image only copies from (`COPY --from=build`), even an SSH server; and
    /// `EXPOSE 2222` alone: 2222 is used by many services (git-over-SSH ports of Gitea/Gogs,
    /// emulators), so the port by itself says too little; the SSH server behind it (Azure App
    /// Service's `openssh-server` on 2222) is flagged where it is installed or started.
    ///
    /// Other files consulted: the entrypoint script a Dockerfile runs (`ENTRYPOINT
    /// ["docker-entrypoint.sh"]` with a `COPY` of it), whose commands count as the container's.
    /// An image whose product *is* an SSH service (a git or SFTP server) is a legitimate
    /// exception: suppress the finding with `# twelve-check: ignore[TC1202]`.
    ///
    /// ## Measured
    /// On the real-world corpus (`benches/realworld/`, 26 repositories, 2026-12-03): no findings.
    ///
    /// ## Why is this bad?
    /// Factor XII: admin and management tasks run as one-off processes, in an identical
    /// environment to the app's regular processes, against a release. Logging into a running
    /// container by SSH runs them by hand on one instance, outside any release, leaves changes
    /// that the next deploy throws away, adds a long-running daemon to a container meant to run
    /// one process (factor VIII) and opens a port with credentials to manage.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:bookworm-slim
    /// RUN apt-get update && apt-get install -y openssh-server && mkdir /run/sshd
    /// EXPOSE 22 8080
    /// CMD /usr/sbin/sshd && exec /usr/local/bin/shop
    /// ```
    ///
    /// Use instead: no SSH server; run admin tasks as one-off processes of the same image,
    /// ```sh
    /// docker run --rm shop:1.4.2 shop migrate
    /// kubectl run shop-migrate --rm -it --image=shop:1.4.2 -- shop migrate
    /// ```
    ///
    /// ## References
    /// - <https://12factor.net/admin-processes>
    /// - <https://docs.docker.com/reference/cli/docker/container/exec/>
    pub SshInContainer {
        code: "TC1202", name: "ssh-in-container",
        factor: AdminProcesses, severity: Warning, preview: false, since: "0.2.0",
    }
}

const HELP: &str = "remove the SSH server and run admin tasks as one-off processes of the same image (`docker run --rm <image> <task>`, `kubectl run`/`kubectl exec`, `heroku run`)";

/// Whether a package (any package manager's name, version suffix allowed) is an SSH server.
fn is_ssh_server_package(pkg: &str) -> bool {
    let p = crate::source::package_name(pkg);
    matches!(
        p.as_str(),
        "openssh-server"
            | "openssh-server-pam"
            | "openssh"
            | "ssh"
            | "dropbear"
            | "dropbear-bin"
            | "dropbear-run"
            | "tinysshd"
    )
}

/// The packages a command installs, with their spans; `$VAR` words are expanded from `vars`
/// (the span is then the variable's word).
pub(crate) fn installed_packages(
    cmd: &Command,
    vars: &HashMap<String, String>,
) -> Vec<(String, Range<usize>)> {
    let mut words = cmd.words.as_slice();
    while let Some(w) = words.first() {
        if matches!(
            w.text.as_str(),
            "sudo" | "env" | "command" | "nohup" | "then" | "do" | "else" | "{" | "!"
        ) {
            words = &words[1..];
        } else {
            break;
        }
    }
    let Some(prog) = words.first() else {
        return Vec::new();
    };
    let prog = prog.text.rsplit('/').next().unwrap_or(&prog.text);
    let args = &words[1..];
    // Operands: words that are not options (nor an option's value).
    let mut operands = Vec::new();
    let mut skip = false;
    for a in args {
        if skip {
            skip = false;
            continue;
        }
        let t = a.text.as_str();
        if matches!(
            t,
            "--virtual" | "-t" | "--repository" | "-X" | "--enablerepo" | "--setopt" | "-o"
        ) {
            skip = true;
            continue;
        }
        if !t.starts_with('-') {
            operands.push(a);
        }
    }
    let pkgs = match prog {
        "apt-get" | "apt" | "aptitude" | "dnf" | "yum" | "microdnf" | "tdnf"
            if operands.first().is_some_and(|o| o.text == "install") =>
        {
            &operands[1..]
        }
        "apk" if operands.first().is_some_and(|o| o.text == "add") => &operands[1..],
        "zypper"
            if operands
                .first()
                .is_some_and(|o| o.text == "install" || o.text == "in") =>
        {
            &operands[1..]
        }
        "pacman" if args.iter().any(|a| a.text.starts_with("-S")) => &operands[..],
        _ => &[],
    };
    let mut out = Vec::new();
    for w in pkgs {
        if w.text.contains('$') {
            if let Some(e) = expand(&w.text, vars) {
                for p in e.split_whitespace() {
                    out.push((p.to_string(), w.span.clone()));
                }
            }
        } else {
            out.push((w.text.clone(), w.span.clone()));
        }
    }
    out
}

/// Whether a command starts an SSH daemon.
fn starts_sshd(cmd: &Command) -> bool {
    let words: Vec<&str> = cmd
        .words
        .iter()
        .map(|w| w.text.as_str())
        .skip_while(|w| {
            matches!(
                *w,
                "sudo" | "env" | "nohup" | "command" | "then" | "do" | "else" | "{" | "!"
            )
        })
        .collect();
    let Some(first) = words.first() else {
        return false;
    };
    let prog = first.rsplit('/').next().unwrap_or(first);
    let daemon = |s: &str| matches!(s, "ssh" | "sshd" | "dropbear" | "openssh");
    match prog {
        "sshd" | "dropbear" => !words.iter().any(|w| *w == "-t" || *w == "-T"),
        "service" | "rc-service" => {
            words.get(1).is_some_and(|s| daemon(s)) && words.get(2).is_some_and(|a| *a == "start")
        }
        "ssh" | "sshd.sh" if first.starts_with("/etc/init.d/") => {
            words.get(1).is_some_and(|a| *a == "start")
        }
        _ => false,
    }
}

impl Rule for SshInContainer {
    fn inputs(&self) -> Inputs {
        Inputs {
            dockerfile: true,
            run: true,
            ..Inputs::default()
        }
    }

    fn check_dockerfile(&self, file: &DockerFile, cx: &mut RuleCtx<'_>) {
        // A development container is never deployed; editors reach it over SSH by design.
        if cx.path().split('/').any(|c| c == ".devcontainer") {
            return;
        }
        let chain = file.final_chain();
        let stages = file.stages();
        let mut vars: HashMap<String, String> = HashMap::new();
        for v in file.vars() {
            if let Some(value) = v.value {
                vars.entry(v.key).or_insert(value);
            }
        }
        // The image the final chain starts from.
        if let Some(root) = chain.last().and_then(|&i| stages.get(i)) {
            if let Some(resolved) = root.resolved.as_deref() {
                let (name, _, _) = split_image(resolved);
                let last = name.rsplit('/').next().unwrap_or(name).to_ascii_lowercase();
                if last.contains("sshd") || last == "openssh-server" {
                    cx.report(
                        Violation::new(
                            root.image_span.clone(),
                            format!("the final image is built on `{resolved}`, an SSH server image: admins would log into running containers; base it on an image without an SSH server"),
                        )
                        .label("SSH server base image")
                        .help(HELP),
                    );
                }
            }
        }
        for script in file.run_scripts() {
            if !chain.contains(&script.stage) {
                continue;
            }
            for c in &script.commands {
                for (pkg, span) in installed_packages(c, &vars) {
                    if is_ssh_server_package(&pkg) {
                        cx.report(
                            Violation::new(
                                span,
                                format!("installs an SSH server (`{pkg}`) in the image that runs the app: admin tasks would be run by logging into containers; remove it and run them as one-off processes"),
                            )
                            .label("SSH server in the runtime image")
                            .help(HELP),
                        );
                    }
                }
            }
        }
        for &i in &chain {
            let Some(stage) = stages.get(i) else { continue };
            for ins in stage.instructions {
                let Instruction::Expose(e) = ins else {
                    continue;
                };
                for port in &e.arguments {
                    let p = port.value.to_ascii_lowercase();
                    let p = expand(&p, &vars).unwrap_or(p);
                    if p == "22" || p == "22/tcp" {
                        cx.report(
                            Violation::new(
                                port.span.clone(),
                                format!("`EXPOSE {}` publishes the SSH port of the image that runs the app: admin tasks would be run by logging into containers; remove it and run them as one-off processes", port.value),
                            )
                            .label("SSH port")
                            .help(HELP),
                        );
                    }
                }
            }
        }
    }

    fn check_run(&self, run: &RunCommand, _file: &SourceFile, cx: &mut RuleCtx<'_>) {
        for c in &run.commands {
            if starts_sshd(c) {
                let daemon = c.program().is_some_and(|p| p == "sshd" || p == "dropbear");
                let prog: Vec<&str> = c
                    .words
                    .iter()
                    .take(if daemon { 1 } else { 3 })
                    .map(|w| w.text.as_str())
                    .collect();
                let prog = prog.join(" ");
                cx.report(
                    Violation::new(
                        c.span.clone(),
                        format!(
                            "{} starts an SSH daemon (`{prog}`) in the container: admin tasks would be run by logging into it; remove it and run them as one-off processes",
                            run.origin.describe()
                        ),
                    )
                    .label("SSH daemon started")
                    .help(HELP),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::shell;

    fn pkgs(s: &str) -> Vec<String> {
        shell::split(s, 0)
            .iter()
            .flat_map(|c| installed_packages(c, &HashMap::new()))
            .map(|(p, _)| p)
            .collect()
    }

    #[test]
    fn packages() {
        assert_eq!(
            pkgs(
                "apt-get update && apt-get install -y --no-install-recommends openssh-server curl"
            ),
            ["openssh-server", "curl"]
        );
        assert_eq!(
            pkgs("apk add --no-cache --virtual .d git openssh"),
            ["git", "openssh"]
        );
        assert!(is_ssh_server_package("openssh-server=1:9.2p1-2"));
        assert!(is_ssh_server_package("openssh"));
        assert!(!is_ssh_server_package("openssh-client"));
        assert!(!is_ssh_server_package("openssh-clients"));
        assert!(!is_ssh_server_package("openssh-client-default"));
    }

    #[test]
    fn daemons() {
        let starts = |s: &str| shell::split(s, 0).iter().any(starts_sshd);
        assert!(starts("/usr/sbin/sshd -D"));
        assert!(starts("service ssh start && exec app"));
        assert!(starts("/etc/init.d/ssh start"));
        assert!(!starts("sshd -t"));
        assert!(!starts("ssh -T git@github.com"));
        assert!(!starts("service nginx start"));
    }
}
