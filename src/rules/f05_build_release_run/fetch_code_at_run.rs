//! TC0503: fetching code when the process starts.

use crate::rule::prelude::*;
use crate::source::shell::{Sep, Word};

use super::build_in_run_stage::{
    base_name, shown, statements, when_of, where_of, words_span, Stmt,
};

declare_rule! {
    /// ## What it does
    /// Flags run commands that download the code they are about to run when the process
    /// starts: `git clone`/`pull`/`fetch`/`submodule update`, `svn checkout`, `hg clone`/`pull`,
    /// `curl`/`wget` of a script, archive or package (an URL or output file ending in `.sh`,
    /// `.py`, `.js`, `.jar`, `.war`, `.tar.gz`, `.tgz`, `.zip`, `.whl`, `.deb`...), a download
    /// piped into an interpreter (`curl -fsSL https://x/install | sh`), and `aws s3 cp`/
    /// `gsutil cp` of such files.
    ///
    /// Run commands are the final-stage `CMD`/`ENTRYPOINT` of a Dockerfile, Procfile lines,
    /// compose `command:`/`entrypoint:`, Kubernetes container `command:`/`args:` (init
    /// containers too) and the entrypoint script a Dockerfile runs.
    ///
    /// Not flagged: `curl` of a health endpoint or of `localhost`, `curl` calling an API
    /// (`-X POST`, `-d`, `--data`, `--json`, `-F`, `-I`), `wget -q --spider`, downloads of data
    /// files (`.json`, `.csv`, no extension), `git` commands that read the local checkout
    /// (`git rev-parse`, `git log`).
    ///
    /// Other files consulted: the Dockerfile decides which shell scripts are entrypoint scripts
    /// (a script is checked only when a Dockerfile of the repository runs it).
    ///
    /// ## Measured
    /// On the real-world corpus (`benches/realworld/`, 26 repositories, 2026-12-03): no findings.
    ///
    /// ## Why is this bad?
    /// Factor V: a release is an immutable build plus config; every start of that release must
    /// run the same code. Code fetched at start-up changes under a running release (the branch
    /// moved, the URL serves a new file), cannot be rolled back, makes start-up depend on a
    /// network service, and runs code that no build or review step saw.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// CMD git clone https://github.com/acme/shop /app && python /app/main.py
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// COPY . /app
    /// CMD ["python", "/app/main.py"]
    /// ```
    ///
    /// ## References
    /// - <https://12factor.net/build-release-run>
    /// - <https://12factor.net/codebase>
    pub FetchCodeAtRun {
        code: "TC0503", name: "fetch-code-at-run",
        factor: BuildReleaseRun, severity: Error, preview: false, since: "0.2.0",
    }
}

/// File extensions of code: scripts, archives, packages, bytecode bundles.
const CODE_EXTENSIONS: &[&str] = &[
    ".sh",
    ".bash",
    ".py",
    ".pyz",
    ".js",
    ".mjs",
    ".cjs",
    ".ts",
    ".rb",
    ".pl",
    ".php",
    ".jar",
    ".war",
    ".ear",
    ".tar.gz",
    ".tgz",
    ".tar",
    ".tar.xz",
    ".txz",
    ".tar.bz2",
    ".tbz2",
    ".zip",
    ".whl",
    ".egg",
    ".gem",
    ".deb",
    ".rpm",
    ".apk",
    ".so",
    ".ps1",
    ".lua",
    ".exe",
    ".bin",
    ".appimage",
];

/// Programs that run what they read on stdin.
const INTERPRETERS: &[&str] = &[
    "sh", "bash", "dash", "ash", "zsh", "python", "python3", "python2", "node", "perl", "ruby",
    "php", "sudo", "tar", "unzip", "bsdtar", "funzip", "busybox",
];

/// Whether a URL or path names a code file.
fn is_code_path(p: &str) -> bool {
    let p = p
        .split(['?', '#'])
        .next()
        .unwrap_or(p)
        .trim_end_matches('/')
        .to_ascii_lowercase();
    let file = p.rsplit('/').next().unwrap_or(&p);
    CODE_EXTENSIONS
        .iter()
        .any(|e| file.ends_with(e) && file.len() > e.len())
}

fn is_url(w: &str) -> bool {
    let w = w.to_ascii_lowercase();
    w.starts_with("http://")
        || w.starts_with("https://")
        || w.starts_with("ftp://")
        || w.starts_with("s3://")
        || w.starts_with("gs://")
        || w.starts_with('$') && (w.contains("url") || w.contains("uri"))
}

/// Whether a URL points at this machine or the pod (a health check, a sidecar).
fn is_local(w: &str) -> bool {
    let host = w
        .split_once("://")
        .map_or(w, |(_, rest)| rest)
        .split(['/', ':', '?'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    matches!(
        host.as_str(),
        "localhost" | "127.0.0.1" | "0.0.0.0" | "[::1]" | "::1"
    ) || host.ends_with(".localhost")
}

/// Options that make `curl`/`wget` an API call or a probe, not a download.
fn is_api_call(args: &[Word]) -> bool {
    args.iter().any(|w| {
        let t = w.text.as_str();
        matches!(
            t,
            "-d" | "--data"
                | "--data-raw"
                | "--data-binary"
                | "--data-urlencode"
                | "--json"
                | "-F"
                | "--form"
                | "-I"
                | "--head"
                | "--spider"
                | "--post-data"
                | "--post-file"
                | "-T"
                | "--upload-file"
        ) || t.starts_with("--data")
            || t.starts_with("--post-data=")
            || t.strip_prefix("--request=")
                .is_some_and(|m| !m.eq_ignore_ascii_case("GET"))
            || (t.starts_with("-X") && t.len() > 2 && !t[2..].eq_ignore_ascii_case("GET"))
            || (t.starts_with('-')
                && !t.starts_with("--")
                && t[1..].bytes().all(|b| b.is_ascii_alphabetic())
                && t.contains('I'))
    }) || args.windows(2).any(|p| {
        (p[0].text == "-X" || p[0].text == "--request") && !p[1].text.eq_ignore_ascii_case("GET")
    })
}

/// The output file of a `curl`/`wget` command (`-o f`, `-O f` for wget, `--output f`).
fn output_file(program: &str, args: &[Word]) -> Option<String> {
    let mut it = args.iter().peekable();
    while let Some(w) = it.next() {
        let t = w.text.as_str();
        let short = t.starts_with('-') && !t.starts_with("--");
        let takes = match program {
            "curl" => t == "--output" || (short && t.ends_with('o')),
            _ => t == "--output-document" || (short && t.ends_with('O')),
        };
        if takes {
            return it.peek().map(|n| n.text.clone());
        }
        if let Some(v) = t
            .strip_prefix("--output=")
            .or(t.strip_prefix("--output-document="))
        {
            return Some(v.to_string());
        }
    }
    None
}

/// Why a download fetches code, or `None`.
fn download(st: &Stmt<'_>, all: &[Stmt<'_>]) -> Option<&'static str> {
    let app = st.app();
    let program = base_name(&app.first()?.text);
    let args = app.get(1..).unwrap_or(&[]);
    let urls: Vec<&Word> = args.iter().filter(|w| is_url(&w.text)).collect();
    if urls.is_empty() || urls.iter().all(|u| is_local(&u.text)) || is_api_call(args) {
        return None;
    }
    let next = all.iter().find(|s| s.index > st.index);
    if st.sep() == Sep::Pipe {
        if let Some(n) = next {
            let np = n.program().unwrap_or("");
            if INTERPRETERS.contains(&np) {
                return Some("pipes a download into an interpreter");
            }
        }
        return None;
    }
    if urls.iter().any(|u| is_code_path(&u.text)) {
        return Some("downloads code");
    }
    if output_file(program, args).is_some_and(|f| is_code_path(&f)) {
        return Some("downloads code");
    }
    None
}

/// `git clone`/`pull`/`fetch`, `svn checkout`, `hg clone`, `aws s3 cp` of code.
fn vcs_fetch(app: &[Word]) -> Option<usize> {
    let program = base_name(&app.first()?.text);
    let mut i = 1;
    // `git -C dir pull`: options before the subcommand.
    while let Some(w) = app.get(i) {
        if !w.text.starts_with('-') {
            break;
        }
        i += if matches!(w.text.as_str(), "-C" | "-c" | "--git-dir" | "--work-tree") {
            2
        } else {
            1
        };
    }
    let sub = app.get(i).map_or("", |w| w.text.as_str());
    let hit = match program {
        "git" => {
            matches!(sub, "clone" | "pull" | "fetch")
                || (sub == "submodule" && app.iter().any(|w| w.text == "update"))
        }
        "svn" => matches!(sub, "checkout" | "co" | "update" | "up" | "export"),
        "hg" => matches!(sub, "clone" | "pull"),
        "aws" => {
            sub == "s3"
                && app
                    .get(i + 1)
                    .is_some_and(|w| w.text == "cp" || w.text == "sync")
                && app
                    .iter()
                    .any(|w| w.text.starts_with("s3://") && is_code_path(&w.text))
        }
        "gsutil" => {
            matches!(sub, "cp" | "rsync")
                && app
                    .iter()
                    .any(|w| w.text.starts_with("gs://") && is_code_path(&w.text))
        }
        _ => false,
    };
    hit.then_some(i + 1)
}

impl Rule for FetchCodeAtRun {
    fn inputs(&self) -> Inputs {
        Inputs {
            run: true,
            ..Inputs::default()
        }
    }

    fn check_run(&self, run: &RunCommand, file: &SourceFile, cx: &mut RuleCtx<'_>) {
        let all = statements(run, &file.text);
        for st in &all {
            let app = st.app();
            let (what, n) = if let Some(n) = vcs_fetch(app) {
                ("fetches code", n)
            } else if let Some(what) = download(st, &all) {
                (what, app.len())
            } else {
                continue;
            };
            let n = n.min(app.len());
            let Some(span) = words_span(&app[..n]) else {
                continue;
            };
            cx.report(
                Violation::new(
                    span,
                    format!(
                        "{} runs `{}` {}: it {what} instead of running the code of the release",
                        where_of(run),
                        shown(&app[..n], 4),
                        when_of(run)
                    ),
                )
                .label("code fetched at run time")
                .help("put the code into the image or slug at build time (`COPY`, or a build stage that fetches a pinned version)"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hits(text: &str) -> usize {
        let run = RunCommand::from_shell(Origin::Cmd, text);
        let all = statements(&run, text);
        all.iter()
            .filter(|s| vcs_fetch(s.app()).is_some() || download(s, &all).is_some())
            .count()
    }

    #[test]
    fn downloads() {
        assert_eq!(hits("curl -fsSL https://x.io/install.sh | sh && ./app"), 1);
        assert_eq!(hits("curl -fsSL https://x.io/setup | bash"), 1);
        assert_eq!(hits("wget https://x.io/app.jar && java -jar app.jar"), 1);
        assert_eq!(
            hits("curl -o /tmp/a.tgz $RELEASE_URL && tar xzf /tmp/a.tgz"),
            1
        );
        assert_eq!(hits("git -C /src pull && ./run"), 1);
        assert_eq!(hits("curl -sSLo /tmp/w.tar.gz $WORKER_URL"), 1);
        assert_eq!(hits("wget -qO- https://x.io/get | sh"), 1);
        assert_eq!(hits("curl -f http://localhost:8080/health"), 0);
        assert_eq!(
            hits("curl -X POST -H 'content-type: application/json' https://hooks.x.io/a.js"),
            0
        );
        assert_eq!(hits("wget -q --spider https://x.io/app.jar"), 0);
        assert_eq!(
            hits("curl -s https://api.x.io/v1/config -o /etc/config.json"),
            0
        );
        assert_eq!(hits("git rev-parse HEAD"), 0);
    }
}
