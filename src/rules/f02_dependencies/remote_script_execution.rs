//! TC0206: a downloaded script piped into a shell.

use std::ops::Range;

use parse_dockerfile::Instruction;

use crate::registry::RuleId;
use crate::rule::prelude::*;
use crate::source::shell::{self, Command, Sep, Word};
use crate::source::FileKind;

declare_rule! {
    /// ## What it does
    /// Flags a script downloaded from the network and run without being checked:
    /// - piped into a shell or interpreter: `curl -fsSL https://... | sh`,
    ///   `wget -qO- https://... | bash`, `curl ... | sudo -E bash -`, `curl ... | sh -s -- -y`,
    ///   `curl ... | python3 -`, `curl ... | perl`/`ruby`/`node`/`php`;
    /// - run through process or command substitution: `bash <(curl ...)`, `source <(curl ...)`,
    ///   `sh -c "$(curl -fsSL ...)"`, `eval "$(wget -qO- ...)"`;
    /// - downloaded to a file and run in the same script with no verification in between:
    ///   `curl -o /tmp/install.sh https://... && sh /tmp/install.sh`,
    ///   `wget https://.../install.sh && chmod +x install.sh && ./install.sh`; in a Dockerfile
    ///   the download and the run may be in different `RUN`s, and `ADD https://.../x.sh` (without
    ///   `--checksum`) followed by `RUN sh x.sh` counts too.
    ///
    /// Where: Dockerfile `RUN` (shell form, exec form and heredocs) and `CMD`/`ENTRYPOINT`,
    /// every shell script of the repository (`*.sh`, `*.bash`, `entrypoint`), Procfile lines,
    /// compose `command:`/`entrypoint:` and Kubernetes container commands. Development images
    /// (`Dockerfile.dev`, `Dockerfile.devcontainer`, `.devcontainer/`) are not checked, nor a
    /// script that only they copy or run (by file name): it sets up a contributor's machine,
    /// and nothing that ships runs it.
    ///
    /// Not flagged: a download verified before it runs (`sha256sum -c`, `sha512sum --check`,
    /// `shasum -a 256 -c`, `echo "<sha>  file" | sha256sum --check`, `gpg --verify`, `gpgv`,
    /// `cosign verify-blob`, `minisign -V`, or `ADD --checksum=sha256:...`); a download to a
    /// file that is not run (`curl -o app.tar.gz ...`); downloads piped into something that does
    /// not execute them (`| tar xz`, `| jq .`, `| gpg --dearmor`, `| sudo tee ...`,
    /// `| python3 -c '...'` parsing the output, `| sh -c 'cat > f'`); a shell given a script file
    /// (`curl ... | bash ./local.sh`, which ignores its input).
    ///
    /// CI workflows (`.github/workflows`, `.gitlab-ci.yml`) are not checked: they install tools
    /// on throw-away runners, not into what is deployed.
    ///
    /// Other files consulted: for a shell script, the Dockerfiles that copy or run it;
    /// Dockerfiles, Procfiles, compose files and Kubernetes manifests are each checked on their
    /// own. A download at container start is also reported by `fetch-code-at-run` (TC0503).
    ///
    /// ## Measured
    /// On the real-world corpus (`benches/realworld/`, 26 repositories, 2026-12-03): 4 findings, 4
    /// right, 0 wrong, 0 debatable; verdict precision 1.00.
    ///
    /// ## Why is this bad?
    /// Factor II: a twelve-factor app declares its dependencies completely and exactly. A script
    /// fetched at build time is an undeclared, unpinned dependency: whatever the server returns
    /// on the day is what runs (with root rights, in a Dockerfile), so two builds of the same
    /// commit can differ, and a compromised or truncated download runs unnoticed.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y
    /// ```
    ///
    /// Use instead: a pinned base image or package, or download a fixed version and check it,
    /// ```dockerfile
    /// RUN curl -fsSLo rustup-init https://static.rust-lang.org/rustup/archive/1.27.1/x86_64-unknown-linux-gnu/rustup-init \
    ///  && echo "6aeece6993e902708983b209d04c0d1dbb14ebb405ddb87def578d41f920f56d *rustup-init" | sha256sum -c - \
    ///  && chmod +x rustup-init && ./rustup-init -y --default-toolchain 1.80.0
    /// ```
    ///
    /// ## References
    /// - <https://12factor.net/dependencies>
    /// - <https://github.com/hadolint/hadolint/wiki/DL4006>
    /// - <https://docs.docker.com/reference/dockerfile/#verifying-a-remote-file-checksum-add---checksum>
    pub RemoteScriptExecution {
        code: "TC0206", name: "remote-script-execution",
        factor: Dependencies, severity: Warning, preview: false, since: "0.2.0",
    }
}

const SHELLS: &[&str] = &["sh", "bash", "dash", "ash", "zsh", "ksh", "mksh", "fish"];

/// Wrappers that run the next word as the command.
fn strip_wrappers(words: &[Word]) -> &[Word] {
    let mut i = 0;
    while let Some(w) = words.get(i) {
        let name = base(&w.text);
        match name {
            "sudo" | "doas" => {
                i += 1;
                // Options, some with a value.
                while let Some(o) = words.get(i) {
                    if !o.text.starts_with('-') {
                        break;
                    }
                    let takes = matches!(o.text.as_str(), "-u" | "-g" | "-C" | "-D" | "-h" | "-p");
                    i += if takes { 2 } else { 1 };
                }
            }
            "env" => {
                i += 1;
                while words
                    .get(i)
                    .is_some_and(|o| o.text.starts_with('-') || o.text.contains('='))
                {
                    i += 1;
                }
            }
            "command" | "nohup" | "time" | "exec" | "builtin" | "then" | "do" | "else" | "{"
            | "!" => i += 1,
            _ => break,
        }
    }
    words.get(i..).unwrap_or(&[])
}

fn base(p: &str) -> &str {
    p.rsplit('/').next().unwrap_or(p)
}

fn is_shell(p: &str) -> bool {
    SHELLS.contains(&base(p))
}

fn is_interpreter(p: &str) -> bool {
    let b = base(p);
    let python = b
        .strip_prefix("python")
        .is_some_and(|v| v.chars().all(|c| c.is_ascii_digit() || c == '.'));
    python || matches!(b, "perl" | "ruby" | "node" | "php" | "pwsh")
}

/// Whether a downloader writes what it fetches to standard output; `None` when the command is
/// not a downloader.
fn downloads_to_stdout(words: &[Word]) -> Option<bool> {
    let words = strip_wrappers(words);
    let prog = base(&words.first()?.text);
    let args = &words[1..];
    match prog {
        "curl" => {
            let mut i = 0;
            while let Some(a) = args.get(i) {
                let t = a.text.as_str();
                if t == "-o" || t == "--output" {
                    return Some(args.get(i + 1).is_some_and(|n| is_stdout(&n.text)));
                }
                if let Some(v) = t.strip_prefix("--output=") {
                    return Some(is_stdout(v));
                }
                if t == "-O" || t == "--remote-name" || t == "--remote-name-all" {
                    return Some(false);
                }
                // Combined short options: `-fsSLo`, `-sSLO`, `-Lo-`.
                if t.starts_with('-') && !t.starts_with("--") {
                    if let Some(at) = t.find('o') {
                        let rest = &t[at + 1..];
                        return Some(if rest.is_empty() {
                            args.get(i + 1).is_some_and(|n| is_stdout(&n.text))
                        } else {
                            is_stdout(rest)
                        });
                    }
                    if t.contains('O') {
                        return Some(false);
                    }
                }
                i += 1;
            }
            Some(true)
        }
        "wget" => {
            let mut i = 0;
            while let Some(a) = args.get(i) {
                let t = a.text.as_str();
                if let Some(v) = t.strip_prefix("--output-document=") {
                    return Some(is_stdout(v));
                }
                if t == "--output-document" {
                    return Some(args.get(i + 1).is_some_and(|n| is_stdout(&n.text)));
                }
                if t.starts_with('-') && !t.starts_with("--") {
                    if let Some(at) = t.find('O') {
                        let rest = &t[at + 1..];
                        return Some(if rest.is_empty() {
                            args.get(i + 1).is_some_and(|n| is_stdout(&n.text))
                        } else {
                            is_stdout(rest)
                        });
                    }
                }
                i += 1;
            }
            Some(false)
        }
        _ => None,
    }
}

fn is_stdout(p: &str) -> bool {
    matches!(p, "-" | "/dev/stdout" | "/dev/fd/1" | "/proc/self/fd/1")
}

/// Where a downloader saves a file: the `-o`/`-O` target, or the URL's file name.
fn download_target(words: &[Word]) -> Option<String> {
    let words = strip_wrappers(words);
    let prog = base(&words.first()?.text);
    let args = &words[1..];
    let url_name = || {
        args.iter()
            .rev()
            .find(|a| a.text.contains("://"))
            .and_then(|u| {
                let path = u.text.split(['?', '#']).next().unwrap_or("");
                let name = path.rsplit('/').next().unwrap_or("");
                (!name.is_empty() && !name.contains('$')).then(|| name.to_string())
            })
    };
    let value_after = |i: usize, t: &str, flag: char| -> Option<String> {
        let at = t.find(flag)?;
        let rest = &t[at + 1..];
        if rest.is_empty() {
            args.get(i + 1).map(|n| n.text.clone())
        } else {
            Some(rest.to_string())
        }
    };
    for (i, a) in args.iter().enumerate() {
        let t = a.text.as_str();
        match prog {
            "curl" => {
                if t == "--output" {
                    return args.get(i + 1).map(|n| n.text.clone());
                }
                if let Some(v) = t.strip_prefix("--output=") {
                    return Some(v.to_string());
                }
                if t == "--remote-name" {
                    return url_name();
                }
                if t.starts_with('-') && !t.starts_with("--") {
                    if t.contains('o') {
                        return value_after(i, t, 'o');
                    }
                    if t.contains('O') {
                        return url_name();
                    }
                }
            }
            "wget" => {
                if let Some(v) = t.strip_prefix("--output-document=") {
                    return Some(v.to_string());
                }
                if t == "--output-document" {
                    return args.get(i + 1).map(|n| n.text.clone());
                }
                if t.starts_with('-') && !t.starts_with("--") && t.contains('O') {
                    return value_after(i, t, 'O');
                }
            }
            _ => return None,
        }
    }
    match prog {
        "wget" => url_name(),
        _ => None,
    }
}

/// Whether a shell or interpreter command reads its program from standard input.
fn reads_stdin(words: &[Word]) -> bool {
    let words = strip_wrappers(words);
    let Some(prog) = words.first() else {
        return false;
    };
    let shell = is_shell(&prog.text);
    if !shell && !is_interpreter(&prog.text) {
        return false;
    }
    for a in &words[1..] {
        let t = a.text.as_str();
        if t == "-" || t == "--" && shell {
            return true;
        }
        if t.starts_with("--") {
            continue;
        }
        if let Some(flags) = t.strip_prefix('-').or_else(|| t.strip_prefix('+')) {
            if shell {
                if flags.contains('s') {
                    return true;
                }
                if flags.contains('c') {
                    return false;
                }
            } else if flags.contains(['c', 'e', 'm', 'r', 'E', 'p']) {
                return false;
            }
            continue;
        }
        // A script file: the input is not the program.
        return false;
    }
    true
}

/// The script file a command runs: `sh install.sh`, `bash -e /tmp/x.sh`, `./install.sh`.
fn runs_file(words: &[Word]) -> Option<&str> {
    let words = strip_wrappers(words);
    let prog = words.first()?;
    if matches!(prog.text.as_str(), "." | "source") {
        return words.get(1).map(|w| w.text.as_str());
    }
    if is_shell(&prog.text) || is_interpreter(&prog.text) {
        for a in &words[1..] {
            let t = a.text.as_str();
            if t.starts_with('-') {
                if !t.starts_with("--") && t.contains('c') {
                    return None;
                }
                continue;
            }
            return Some(t);
        }
        return None;
    }
    // `./install.sh`: run directly; a downloaded binary (`./kubectl version`) is not a script.
    (prog.text.contains('/') && looks_like_script(&prog.text)).then_some(prog.text.as_str())
}

/// Whether a file name looks like an installer script rather than a program.
fn looks_like_script(path: &str) -> bool {
    let name = base(path).to_ascii_lowercase();
    [".sh", ".bash", ".zsh", ".py", ".pl", ".rb"]
        .iter()
        .any(|e| name.ends_with(e))
        || ["install", "setup", "bootstrap", "get-", "init"]
            .iter()
            .any(|k| name.contains(k))
}

/// Whether a command checks a download: `sha256sum -c`, `gpg --verify`, ...
fn verifies(words: &[Word]) -> bool {
    let words = strip_wrappers(words);
    let Some(prog) = words.first() else {
        return false;
    };
    let p = base(&prog.text);
    let args = || words[1..].iter().map(|w| w.text.as_str());
    let check_flag = || {
        args().any(|a| {
            a == "--check"
                || a == "--verify"
                || (a.starts_with('-') && !a.starts_with("--") && a.contains('c'))
        })
    };
    match p {
        "sha256sum" | "sha512sum" | "sha384sum" | "sha224sum" | "sha1sum" | "shasum" | "b2sum"
        | "md5sum" | "cksum" => check_flag(),
        "gpg" | "gpg2" => args().any(|a| a == "--verify" || a == "--verify-files"),
        "gpgv" | "gpgv2" => true,
        "cosign" => args().any(|a| a.starts_with("verify")),
        "minisign" => args().any(|a| a == "-V"),
        "signify" | "signify-openbsd" => args().any(|a| a == "-V" || a == "-C"),
        "openssl" => args().any(|a| a == "-verify"),
        _ => false,
    }
}

/// A command substitution running a download: `$(curl ...)`, `` `wget -qO- ...` ``.
fn downloaded_substitution(text: &str) -> bool {
    let t = text.trim_start_matches(['"', '\'']);
    let inner = t
        .strip_prefix("$(")
        .or_else(|| t.strip_prefix('`'))
        .map(str::trim_start);
    inner.is_some_and(|i| {
        let first = i.split_whitespace().next().unwrap_or("");
        matches!(base(first), "curl" | "wget") || (matches!(first, "sudo") && i.contains("curl "))
    })
}

/// The URL a downloader fetches, for the message.
fn url_of(words: &[Word]) -> Option<&str> {
    words
        .iter()
        .map(|w| w.text.as_str())
        .find(|t| t.starts_with("http://") || t.starts_with("https://") || t.starts_with("ftp://"))
}

fn describe(url: Option<&str>) -> String {
    match url {
        Some(u) => format!("the script downloaded from `{u}`"),
        None => "a downloaded script".to_string(),
    }
}

const HELP: &str = "download a fixed version to a file, verify it (`echo \"<sha256>  install.sh\" | sha256sum -c -`) and run it, or install a pinned package or base image instead";

/// A finding: (span, message, label).
type Found = (Range<usize>, String, &'static str);

/// A downloaded file waiting to be run: (path, where it was downloaded, URL).
#[derive(Clone)]
struct Pending {
    path: String,
    span: Range<usize>,
    url: Option<String>,
}

/// Tracks downloads and verifications across the commands of a file (or of a Dockerfile's
/// `RUN`s), in order.
#[derive(Default)]
struct Scanner {
    pending: Vec<Pending>,
    found: Vec<Found>,
}

fn same_file(run: &str, downloaded: &str) -> bool {
    let r = run.trim_start_matches("./");
    let d = downloaded.trim_start_matches("./");
    r == d || base(r) == base(d) && !base(d).is_empty()
}

impl Scanner {
    fn scan(&mut self, commands: &[Command], text: &str) {
        for (i, c) in commands.iter().enumerate() {
            // `curl ... | [filters |] sh`
            if c.sep == Sep::Pipe && downloads_to_stdout(&c.words) == Some(true) {
                let mut j = i + 1;
                while let Some(next) = commands.get(j) {
                    if reads_stdin(&next.words) {
                        let prog = strip_wrappers(&next.words)
                            .first()
                            .map_or("", |w| base(&w.text));
                        let dl_words = strip_wrappers(&c.words);
                        let dl = dl_words.first().map_or("curl", |w| base(&w.text));
                        let from = dl_words.first().map_or(c.span.start, |w| w.span.start);
                        self.found.push((
                            from.min(c.span.end)..next.span.end,
                            format!(
                                "{} is piped from `{dl}` into `{prog}` and runs unverified; download a fixed version, check its checksum, then run it",
                                describe(url_of(&c.words))
                            ),
                            "remote script piped into a shell",
                        ));
                        break;
                    }
                    if next.sep != Sep::Pipe {
                        break;
                    }
                    j += 1;
                }
            }
            // `bash <(curl ...)`, `source <(curl ...)`
            let raw = text.get(c.span.clone()).unwrap_or("");
            let first = strip_wrappers(&c.words).first().map(|w| w.text.as_str());
            let runner = first
                .is_some_and(|p| is_shell(p) || is_interpreter(p) || p == "." || p == "source");
            if runner {
                if let Some(at) = raw.find("<(") {
                    let inner = raw[at + 2..].trim_start();
                    let w = inner.split_whitespace().next().unwrap_or("");
                    if matches!(base(w), "curl" | "wget") {
                        let url = inner
                            .split_whitespace()
                            .map(|s| s.trim_matches(['"', '\'', ')']))
                            .find(|s| s.starts_with("http://") || s.starts_with("https://"));
                        self.found.push((
                            c.span.clone(),
                            format!(
                                "{} runs through process substitution (`<(curl ...)`) unverified; download a fixed version, check its checksum, then run it",
                                describe(url)
                            ),
                            "remote script run by a shell",
                        ));
                    }
                }
            }
            // `sh -c "$(curl ...)"` (opened up: the program word is the substitution),
            // `eval "$(curl ...)"`, `python3 -c "$(curl ...)"`.
            let words = strip_wrappers(&c.words);
            let subst = match words.first() {
                Some(p) if downloaded_substitution(&p.text) => Some(p),
                Some(p)
                    if matches!(p.text.as_str(), "eval" | "." | "source")
                        || is_shell(&p.text)
                        || is_interpreter(&p.text) =>
                {
                    words[1..].iter().find(|w| downloaded_substitution(&w.text))
                }
                _ => None,
            };
            if let Some(w) = subst {
                let url = w
                    .text
                    .split_whitespace()
                    .map(|s| s.trim_matches(['"', '\'', ')', '`']))
                    .find(|s| s.starts_with("http://") || s.starts_with("https://"));
                self.found.push((
                    c.span.clone(),
                    format!(
                        "{} runs through command substitution (`$(curl ...)`) unverified; download a fixed version, check its checksum, then run it",
                        describe(url)
                    ),
                    "remote script run by a shell",
                ));
            }
            // Download to a file, run later.
            if verifies(&c.words) {
                self.pending.clear();
                continue;
            }
            if downloads_to_stdout(&c.words) == Some(false) {
                if let Some(path) = download_target(&c.words) {
                    self.pending.push(Pending {
                        path,
                        span: c.span.clone(),
                        url: url_of(&c.words).map(str::to_string),
                    });
                }
                continue;
            }
            if let Some(file) = runs_file(&c.words) {
                if let Some(p) = self.pending.iter().find(|p| same_file(file, &p.path)) {
                    let p = p.clone();
                    self.found.push((
                        c.span.clone(),
                        format!(
                            "{} is saved to `{}` and run without a checksum or signature check; verify it (`sha256sum -c`) before running it",
                            describe(p.url.as_deref()),
                            p.path
                        ),
                        "downloaded script run unverified",
                    ));
                    self.pending.retain(|q| q.span != p.span);
                }
            }
        }
    }

    /// The findings, each once (a span inside an earlier one is the same download).
    fn findings(self) -> Vec<(Range<usize>, String, &'static str)> {
        let mut seen: Vec<Range<usize>> = Vec::new();
        let mut out = Vec::new();
        for (span, message, label) in self.found {
            if seen
                .iter()
                .any(|s| s.start <= span.start && span.end <= s.end)
            {
                continue;
            }
            seen.push(span.clone());
            out.push((span, message, label));
        }
        out
    }

    fn report(self, cx: &mut RuleCtx<'_>) {
        for (span, message, label) in self.findings() {
            cx.report(Violation::new(span, message).label(label).help(HELP));
        }
    }
}

/// Fact: a download run unverified in a shell script; detail `label\nmessage`.
const SCRIPT_FINDING: &str = "script-finding";
/// Fact: a Dockerfile copies or runs a script; detail `dev|name` or `ship|name` (file name).
const SCRIPT_USE: &str = "script-use";

/// The file names of the shell scripts a Dockerfile copies in or runs.
fn scripts_used(file: &DockerFile) -> Vec<String> {
    let name = |p: &str| p.rsplit('/').next().unwrap_or(p).to_string();
    let mut out: Vec<String> = file
        .copies()
        .iter()
        .map(|(src, _)| name(src))
        .chain(file.run_scripts().iter().flat_map(|r| {
            r.commands
                .iter()
                .flat_map(|c| c.words.iter().map(|w| name(&w.text)))
                .collect::<Vec<_>>()
        }))
        .filter(|n| n.ends_with(".sh") || n.ends_with(".bash"))
        .collect();
    out.sort();
    out.dedup();
    out
}

impl Rule for RemoteScriptExecution {
    fn inputs(&self) -> Inputs {
        Inputs {
            text: true,
            dockerfile: true,
            run: true,
            repo: true,
            ..Inputs::default()
        }
    }

    fn check_text(&self, file: &SourceFile, cx: &mut RuleCtx<'_>) {
        if file.kind != FileKind::Shell {
            return;
        }
        let mut s = Scanner::default();
        s.scan(&shell::split(&file.text, 0), &file.text);
        // Reported by `check_repo`, which knows which images use the script.
        for (span, message, label) in s.findings() {
            cx.fact(SCRIPT_FINDING, span, format!("{label}\n{message}"));
        }
    }

    fn check_dockerfile(&self, file: &DockerFile, cx: &mut RuleCtx<'_>) {
        let dev = crate::source::development_file(cx.path());
        for name in scripts_used(file) {
            let role = if dev { "dev" } else { "ship" };
            cx.fact(SCRIPT_USE, 0..0, format!("{role}|{name}"));
        }
        // A developer's image is never released: what it downloads reaches no deploy.
        if dev {
            return;
        }
        let text = &file.source.text;
        let mut s = Scanner::default();
        let runs = file.run_scripts();
        // Looked up by position, not searched: a 100,000-line Dockerfile stays linear.
        let mut by_start = std::collections::HashMap::new();
        for script in &runs {
            by_start.entry(script.span.start).or_insert(script);
        }
        for ins in &file.doc.instructions {
            match ins {
                Instruction::Run(r) => {
                    if let Some(script) = by_start.get(&r.run.span.start) {
                        s.scan(&script.commands, text);
                    }
                }
                // `ADD https://.../install.sh /tmp/` is a download; `--checksum` verifies it.
                Instruction::Add(a) => {
                    if a.options.iter().any(|f| f.name.value == "checksum") {
                        continue;
                    }
                    for src in &a.src {
                        let parse_dockerfile::Source::Path(p) = src else {
                            continue;
                        };
                        if !(p.value.starts_with("http://") || p.value.starts_with("https://")) {
                            continue;
                        }
                        let name = p.value.rsplit('/').next().unwrap_or("");
                        let dest = a.dest.value.to_string();
                        let path = if dest.ends_with('/') {
                            format!("{dest}{name}")
                        } else {
                            dest
                        };
                        s.pending.push(Pending {
                            path,
                            span: a.add.span.start..a.dest.span.end,
                            url: Some(p.value.to_string()),
                        });
                    }
                }
                _ => {}
            }
        }
        s.report(cx);
    }

    fn check_repo(&self, repo: &RepoIndex, cx: &mut RepoCtx<'_>) {
        let facts: Vec<&Fact> = repo.facts(RuleId::RemoteScriptExecution).collect();
        let mut uses: std::collections::HashMap<&str, (bool, bool)> = Default::default();
        for f in facts.iter().filter(|f| f.kind == SCRIPT_USE) {
            if let Some((role, name)) = f.detail.split_once('|') {
                let e = uses.entry(name).or_default();
                if role == "dev" {
                    e.0 = true;
                } else {
                    e.1 = true;
                }
            }
        }
        for f in facts.iter().filter(|f| f.kind == SCRIPT_FINDING) {
            let name = f.path.rsplit('/').next().unwrap_or(&f.path);
            // Used by development images and by nothing that ships: a workstation set-up.
            if uses.get(name).is_some_and(|&(dev, ship)| dev && !ship) {
                continue;
            }
            let Some((label, message)) = f.detail.split_once('\n') else {
                continue;
            };
            cx.report(
                &f.path,
                Violation::new(f.span.clone(), message.to_string())
                    .label(label.to_string())
                    .help(HELP),
            );
        }
    }

    fn check_run(&self, run: &RunCommand, file: &SourceFile, cx: &mut RuleCtx<'_>) {
        // Scripts are checked whole by `check_text`, whether a Dockerfile runs them or not.
        if run.origin == Origin::Script {
            return;
        }
        let mut s = Scanner::default();
        s.scan(&run.commands, &file.text);
        s.report(cx);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(script: &str) -> usize {
        let mut s = Scanner::default();
        s.scan(&shell::split(script, 0), script);
        s.found.len()
    }

    #[test]
    fn pipes() {
        assert_eq!(found("curl -fsSL https://sh.rustup.rs | sh -s -- -y"), 1);
        assert_eq!(found("wget -qO- https://x/i.sh | bash"), 1);
        assert_eq!(
            found("curl -sL https://deb.nodesource.com/setup_20.x | sudo -E bash -"),
            1
        );
        assert_eq!(
            found("curl -sSL https://install.python-poetry.org | python3 -"),
            1
        );
        assert_eq!(found("curl -fsSL https://x/a.tgz | tar xz -C /opt"), 0);
        assert_eq!(found("curl -s https://api/x | jq .tag"), 0);
        assert_eq!(
            found("curl -s https://api/x | python3 -c 'import json,sys'"),
            0
        );
        assert_eq!(
            found("curl -fsSL https://x/key | gpg --dearmor -o /k.gpg"),
            0
        );
        assert_eq!(found("wget https://x/i.sh | sh"), 0);
        assert_eq!(found("curl https://x | bash ./local.sh"), 0);
    }

    #[test]
    fn substitutions() {
        assert_eq!(found("bash <(curl -fsSL https://x/install.sh)"), 1);
        assert_eq!(found("sh -c \"$(curl -fsSL https://x/install.sh)\""), 1);
        assert_eq!(found("eval \"$(wget -qO- https://x/env)\""), 1);
        assert_eq!(found("echo \"$(curl -s https://x/version)\""), 0);
        assert_eq!(found("V=$(curl -s https://x/version) && echo $V"), 0);
    }

    #[test]
    fn files() {
        assert_eq!(
            found("curl -fsSLo /tmp/i.sh https://x/i.sh && sh /tmp/i.sh"),
            1
        );
        assert_eq!(
            found("wget https://x/get.sh && chmod +x get.sh && ./get.sh"),
            1
        );
        assert_eq!(
            found(
                "curl -fsSLo i.sh https://x/i.sh && echo \"abc  i.sh\" | sha256sum -c - && sh i.sh"
            ),
            0
        );
        assert_eq!(
            found("curl -fsSLo app.tgz https://x/app.tgz && tar xzf app.tgz"),
            0
        );
    }
}
