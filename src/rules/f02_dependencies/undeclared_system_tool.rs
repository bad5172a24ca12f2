//! TC0205: an external tool run by the code that no Dockerfile in the repository installs.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use parse_dockerfile::{Command as DockerCommand, Instruction, Source};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::visit::{self, Visit};
use syn::{Expr, Token};

use crate::registry::RuleId;
use crate::rule::prelude::*;
use crate::source::dockerfile::expand;
use crate::source::flow::{trace, Scope, Value};
use crate::source::rust::byte_range;
use crate::source::rust::TestCode;
use crate::source::FileKind;

declare_rule! {
    /// ## What it does
    /// Flags Rust code of a crate with a binary that runs a well-known external tool when no
    /// Dockerfile in the repository puts that tool into the image. The tools:
    ///
    /// | tools | package installing them (Debian name) |
    /// |---|---|
    /// | `curl`, `wget`, `git`, `git-lfs`, `rsync`, `openssl`, `gpg`, `jq` | same name (`gnupg` for `gpg`) |
    /// | `ssh`, `scp`, `sftp`, `ssh-keygen`, `ssh-keyscan` | `openssh-client` |
    /// | `convert`, `magick`, `identify`, `mogrify`, `montage`, `composite` | `imagemagick` |
    /// | `ffmpeg`, `ffprobe` | `ffmpeg` |
    /// | `gs`; `pdftoppm`, `pdftotext`, `pdfinfo`, `pdftocairo` | `ghostscript`; `poppler-utils` |
    /// | `wkhtmltopdf`, `wkhtmltoimage`; `libreoffice`, `soffice`; `tesseract`; `pandoc`; `exiftool` | `wkhtmltopdf`; `libreoffice`; `tesseract-ocr`; `pandoc`; `libimage-exiftool-perl` |
    /// | `zip`, `unzip`, `7z` | `zip`, `unzip`, `p7zip-full` |
    /// | `psql`, `pg_dump`, `pg_restore`, `pg_dumpall`, `pg_isready` | `postgresql-client` |
    /// | `mysql`, `mysqldump`, `mariadb`, `mariadb-dump` | `default-mysql-client`, `mariadb-client` |
    /// | `redis-cli`, `mongosh`, `mongodump`, `mongorestore`, `sqlite3` | `redis-tools`, `mongodb-mongosh`, `mongodb-database-tools`, `sqlite3` |
    /// | `aws`, `gcloud`, `gsutil`, `az`, `kubectl`, `helm`, `docker`, `terraform`, `rclone` | `awscli`, `google-cloud-cli`, `azure-cli`, `kubectl`, `helm`, `docker.io`, `terraform`, `rclone` |
    /// | `chromium`, `chromium-browser`, `google-chrome`, `google-chrome-stable`, `yt-dlp`, `youtube-dl`, `dot`, `inkscape`, `sox`, `lame` | `chromium`, `google-chrome-stable`, `yt-dlp`, `youtube-dl`, `graphviz`, ... |
    ///
    /// Runs are `std::process::Command::new(..)`, `tokio::process::Command`,
    /// `async_process::Command`, `async_std::process::Command`, `smol::process::Command`,
    /// `duct::cmd(..)`/`cmd!(..)`, `xshell::cmd!(..)` and cmd_lib's `run_cmd!`/`run_fun!`/
    /// `spawn!`/`spawn_with_output!`, with the program name given by a
    /// literal, a `const` or a local `let` (an absolute path such as `/usr/bin/ffmpeg` counts by
    /// its file name). `Command::new("sh" | "bash")` with `-c` is looked into: each command of the
    /// script (split on `&&`, `||`, `;`, `|` and new lines) counts by its first word.
    ///
    /// A Dockerfile declares a tool when it:
    /// - installs a package providing it with `apt-get`/`apt install`, `apk add`,
    ///   `dnf`/`yum`/`microdnf install`, `zypper install`, `pacman -S` or `pip install`
    ///   (`awscli`, `yt-dlp`); package lists held in `ARG`/`ENV` variables are expanded;
    /// - downloads, copies or moves it into a `bin` directory (`curl -o /usr/local/bin/kubectl`,
    ///   `tar -C /usr/local/bin ... helm`, `COPY --from=... /usr/local/bin/kubectl`,
    ///   `ADD https://... /usr/local/bin/kubectl`), or runs a known installer (AWS CLI
    ///   `aws/install`, `get-helm`, the Google Cloud SDK and Azure CLI install scripts,
    ///   `get.docker.com`), or builds it from source (`make install` in a `RUN` that names the
    ///   package, as in `curl .../ImageMagick.tar.gz | tar xz && ./configure && make install`);
    /// - starts the final image from a base image that ships the tool: an image named after it or
    ///   its package (`alpine/git`, `curlimages/curl`, `bitnami/kubectl`, `amazon/aws-cli`,
    ///   `google/cloud-sdk`, `postgres` for the PostgreSQL client tools, `mysql`, `mongo`,
    ///   `redis`), Alpine and BusyBox images (`wget` and `unzip` are BusyBox applets), Fedora,
    ///   CentOS, Rocky, Alma, Amazon Linux and UBI images (`curl`), and the full `rust` and
    ///   `buildpack-deps` images (`curl`, `wget`, `gpg`, `git`, `ssh`, ImageMagick, `unzip`).
    ///
    /// An `Aptfile` (Heroku's apt buildpack) declares the tools of the Debian packages it lists,
    /// as an `apt-get install` in a Dockerfile does; it counts as the declaration of a
    /// repository deployed with buildpacks.
    ///
    /// Only the images a Dockerfile can produce count: its final stage, every other stage no
    /// stage uses (built `FROM` or copied `--from`: the targets of a multi-target Dockerfile,
    /// `docker build --target watcher`), and the stages those are built `FROM`. A tool
    /// installed only in a build stage does not reach an image that runs, and the finding says
    /// so. When the repository has no Dockerfile at all, the tools of service crates (and of the
    /// crates they use) are still reported (nothing declares them) with a message saying that no
    /// Dockerfile exists; a command-line tool's are not, as it runs on its user's machine.
    ///
    /// Not flagged: library crates (the application that uses the library declares the tool),
    /// crates in developer-tool folders (`xtask/`, `tools/`: never deployed),
    /// program names read from the environment or configuration (`env::var("FFMPEG_PATH")`),
    /// paths relative to the app (`./bin/ffmpeg`, a tool shipped with it), programs not in the
    /// list above (`sh`, `ls`, `cargo`, ...), `clap::Command::new`, test code, and every
    /// finding when what the final image holds cannot be known: its base is an unresolved
    /// `ARG` (`FROM ${BASE}` without a default), it installs packages listed outside the
    /// Dockerfile (`apt-get install $(cat packages.txt)`, `xargs apk add`), or a Dockerfile
    /// does not parse.
    ///
    /// Other files consulted: every Dockerfile and `Aptfile` in the repository, and each crate's `Cargo.toml`
    /// and `src/main.rs`/`src/bin/` (whether it has a binary).
    ///
    /// ## Measured
    /// On the real-world corpus (`benches/realworld/`, 26 repositories, 2026-12-03): 1 findings, 1
    /// right, 0 wrong, 0 debatable; verdict precision 1.00.
    ///
    /// ## Why is this bad?
    /// Factor II: a twelve-factor app never relies on the implicit existence of system-wide
    /// tools. Shelling out to `ffmpeg` or `curl` works on the developer's laptop and fails in
    /// production (or in a slim image) with "No such file or directory", at the first request
    /// that needs it. Installing the tool in the image declares the dependency where the build
    /// can see and pin it.
    ///
    /// ## Example
    /// ```rust
    /// let status = std::process::Command::new("ffmpeg").args(["-i", input, output]).status()?;
    /// ```
    ///
    /// Use instead: install the tool in the final stage of the Dockerfile,
    /// ```dockerfile
    /// FROM debian:bookworm-slim
    /// RUN apt-get update && apt-get install -y --no-install-recommends ffmpeg && rm -rf /var/lib/apt/lists/*
    /// ```
    /// or do the work with a Rust crate (`image`, `reqwest`, `git2`/`gix`, `aws-sdk-s3`, ...).
    ///
    /// ## References
    /// - <https://12factor.net/dependencies>
    pub UndeclaredSystemTool {
        code: "TC0205", name: "undeclared-system-tool",
        factor: Dependencies, severity: Warning, preview: false, since: "0.1.0",
    }
}

/// A tool run by Rust code (detail: the tool).
const USES: &str = "uses";
/// The repository has a Dockerfile (detail: empty).
const DOCKERFILE: &str = "dockerfile";
/// A tool present in a Dockerfile's final image (detail: the tool).
const PROVIDED: &str = "provided";
/// A tool installed only in a build stage (detail: the tool).
const BUILD_STAGE: &str = "build-stage";
/// A final image whose content cannot be known (unresolved base, packages listed elsewhere).
const UNKNOWN: &str = "unknown";

/// The tools this rule knows, with the Debian package that installs each (for the help).
const TOOLS: &[(&str, &str)] = &[
    ("curl", "curl"),
    ("wget", "wget"),
    ("git", "git"),
    ("git-lfs", "git-lfs"),
    ("rsync", "rsync"),
    ("openssl", "openssl"),
    ("gpg", "gnupg"),
    ("jq", "jq"),
    ("ssh", "openssh-client"),
    ("scp", "openssh-client"),
    ("sftp", "openssh-client"),
    ("ssh-keygen", "openssh-client"),
    ("ssh-keyscan", "openssh-client"),
    ("convert", "imagemagick"),
    ("magick", "imagemagick"),
    ("identify", "imagemagick"),
    ("mogrify", "imagemagick"),
    ("montage", "imagemagick"),
    ("composite", "imagemagick"),
    ("ffmpeg", "ffmpeg"),
    ("ffprobe", "ffmpeg"),
    ("gs", "ghostscript"),
    ("pdftoppm", "poppler-utils"),
    ("pdftotext", "poppler-utils"),
    ("pdfinfo", "poppler-utils"),
    ("pdftocairo", "poppler-utils"),
    ("wkhtmltopdf", "wkhtmltopdf"),
    ("wkhtmltoimage", "wkhtmltopdf"),
    ("libreoffice", "libreoffice"),
    ("soffice", "libreoffice"),
    ("tesseract", "tesseract-ocr"),
    ("pandoc", "pandoc"),
    ("exiftool", "libimage-exiftool-perl"),
    ("zip", "zip"),
    ("unzip", "unzip"),
    ("7z", "p7zip-full"),
    ("psql", "postgresql-client"),
    ("pg_dump", "postgresql-client"),
    ("pg_restore", "postgresql-client"),
    ("pg_dumpall", "postgresql-client"),
    ("pg_isready", "postgresql-client"),
    ("mysql", "default-mysql-client"),
    ("mysqldump", "default-mysql-client"),
    ("mariadb", "mariadb-client"),
    ("mariadb-dump", "mariadb-client"),
    ("redis-cli", "redis-tools"),
    ("mongosh", "mongodb-mongosh"),
    ("mongodump", "mongodb-database-tools"),
    ("mongorestore", "mongodb-database-tools"),
    ("sqlite3", "sqlite3"),
    ("aws", "awscli"),
    ("gcloud", "google-cloud-cli"),
    ("gsutil", "google-cloud-cli"),
    ("az", "azure-cli"),
    ("kubectl", "kubectl"),
    ("helm", "helm"),
    ("docker", "docker.io"),
    ("terraform", "terraform"),
    ("rclone", "rclone"),
    ("chromium", "chromium"),
    ("chromium-browser", "chromium"),
    ("google-chrome", "google-chrome-stable"),
    ("google-chrome-stable", "google-chrome-stable"),
    ("yt-dlp", "yt-dlp"),
    ("youtube-dl", "youtube-dl"),
    ("dot", "graphviz"),
    ("inkscape", "inkscape"),
    ("sox", "sox"),
    ("lame", "lame"),
];

const IMAGEMAGICK: &[&str] = &[
    "convert",
    "magick",
    "identify",
    "mogrify",
    "montage",
    "composite",
];
const POSTGRES: &[&str] = &["psql", "pg_dump", "pg_restore", "pg_dumpall", "pg_isready"];
const MYSQL: &[&str] = &["mysql", "mysqldump", "mariadb", "mariadb-dump"];
const SSH: &[&str] = &["ssh", "scp", "sftp", "ssh-keygen", "ssh-keyscan"];

/// The tool named `name`, as the static string of the table.
fn tool(name: &str) -> Option<&'static str> {
    TOOLS.iter().find(|(t, _)| *t == name).map(|(t, _)| *t)
}

/// The tools a package (apt, apk, dnf, zypper, pacman or pip name) installs.
fn package_tools(pkg: &str) -> Vec<&'static str> {
    let p = crate::source::package_name(pkg);
    let p = p.trim_end_matches('*');
    let mut out: Vec<&'static str> = Vec::new();
    let family: &[&'static str] = match p {
        "curl-minimal" => &["curl"],
        "git-core" | "git-all" => &["git"],
        "openssh-client" | "openssh-clients" | "openssh" | "openssh-server" | "ssh-client" => SSH,
        "gnupg" | "gnupg2" | "gnupg1" => &["gpg"],
        "ffmpeg-free" | "ffmpeg-full" => &["ffmpeg", "ffprobe"],
        "ffmpeg" => &["ffmpeg", "ffprobe"],
        "ghostscript" => &["gs"],
        "poppler-utils" | "poppler" => &["pdftoppm", "pdftotext", "pdfinfo", "pdftocairo"],
        "wkhtmltopdf" => &["wkhtmltopdf", "wkhtmltoimage"],
        "pandoc-cli" => &["pandoc"],
        "libimage-exiftool-perl" | "perl-image-exiftool" => &["exiftool"],
        "p7zip-full" | "p7zip" | "7zip" | "p7zip-plugins" => &["7z"],
        "mysql-client"
        | "default-mysql-client"
        | "mysql-community-client"
        | "mariadb-client"
        | "mariadb-client-core"
        | "mariadb" => MYSQL,
        "redis-tools" | "redis" | "valkey" => &["redis-cli"],
        "mongodb-database-tools" | "mongodb-org-tools" | "mongodb-tools" => {
            &["mongodump", "mongorestore"]
        }
        "mongodb-mongosh" => &["mongosh"],
        "sqlite" => &["sqlite3"],
        "awscli" | "aws-cli" | "awscli2" => &["aws"],
        "google-cloud-sdk" | "google-cloud-cli" | "cloud-sdk" => &["gcloud", "gsutil"],
        "azure-cli" => &["az"],
        "kubernetes-client" => &["kubectl"],
        "docker.io" | "docker-ce-cli" | "docker-cli" | "docker-ce" | "moby-engine" | "moby-cli"
        | "podman-docker" => &["docker"],
        "chromium" | "chromium-browser" | "chromium-headless-shell" => {
            &["chromium", "chromium-browser"]
        }
        "google-chrome-stable" => &["google-chrome", "google-chrome-stable"],
        "graphviz" => &["dot"],
        _ => &[],
    };
    out.extend(family);
    if p.starts_with("imagemagick") || p == "graphicsmagick-imagemagick-compat" {
        out.extend(IMAGEMAGICK);
    }
    if p.starts_with("postgresql") && !p.contains("dev") && !p.contains("libs") {
        out.extend(POSTGRES);
    }
    if p.starts_with("libreoffice") {
        out.extend(["libreoffice", "soffice"]);
    }
    if p.starts_with("tesseract") {
        out.push("tesseract");
    }
    if let Some(t) = tool(p) {
        out.push(t);
    }
    out
}

/// The tools a base image ships, from its name and tag.
fn image_tools(image: &str) -> Vec<&'static str> {
    let image = image
        .split('@')
        .next()
        .unwrap_or(image)
        .to_ascii_lowercase();
    let (repo, tag) = match image.rfind(':') {
        Some(i) if !image[i..].contains('/') => (&image[..i], &image[i + 1..]),
        _ => (image.as_str(), ""),
    };
    let last = repo.rsplit('/').next().unwrap_or(repo);
    let mut out = package_tools(last);
    match last {
        "postgres" | "postgis" | "timescaledb" => out.extend(POSTGRES),
        "mysql" | "percona" => out.extend(MYSQL),
        "mongo" => out.extend(["mongosh", "mongodump", "mongorestore"]),
        "static-ffmpeg" => out.extend(["ffmpeg", "ffprobe"]),
        "alpine" | "busybox" => out.extend(["wget", "unzip"]),
        "fedora" | "centos" | "rockylinux" | "almalinux" | "amazonlinux" | "ubi" | "ubi8"
        | "ubi9" | "ubi-minimal" | "ubi8-minimal" | "ubi9-minimal" => out.push("curl"),
        "rust" | "buildpack-deps" if !tag.contains("slim") && !tag.contains("alpine") => {
            out.extend(["curl", "wget", "gpg"]);
            if !tag.ends_with("curl") {
                out.extend(["git"]);
                out.extend(SSH);
            }
            if !tag.ends_with("curl") && !tag.ends_with("scm") {
                out.extend(IMAGEMAGICK);
                out.push("unzip");
            }
        }
        _ => {}
    }
    if tag.contains("alpine") {
        out.extend(["wget", "unzip"]);
    }
    out
}

/// Splits shell text into simple commands, each a list of words (quotes removed).
fn shell_commands(text: &str) -> Vec<Vec<String>> {
    let text = text.replace("\\\r\n", " ").replace("\\\n", " ");
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = text.chars().peekable();
    let mut quote: Option<char> = None;
    let flush = |cur: &mut String, out: &mut Vec<Vec<String>>| {
        let words: Vec<String> = cur.split_whitespace().map(str::to_string).collect();
        if !words.is_empty() {
            out.push(words);
        }
        cur.clear();
    };
    while let Some(c) = chars.next() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => cur.push(c),
            None => match c {
                '\'' | '"' => quote = Some(c),
                '&' if chars.peek() == Some(&'&') => {
                    chars.next();
                    flush(&mut cur, &mut out);
                }
                '|' | ';' | '\n' | '(' | ')' | '`' => flush(&mut cur, &mut out),
                '$' if chars.peek() == Some(&'(') => {
                    chars.next();
                    flush(&mut cur, &mut out);
                }
                _ => cur.push(c),
            },
        }
    }
    flush(&mut cur, &mut out);
    out
}

/// The command word of a simple command: leading variable assignments and wrappers skipped.
fn command_word(words: &[String]) -> Option<(usize, &str)> {
    let mut i = 0;
    while i < words.len() {
        let w = words[i].as_str();
        let assignment = w.split_once('=').is_some_and(|(k, _)| {
            !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        });
        if assignment
            || matches!(
                w,
                "sudo"
                    | "exec"
                    | "command"
                    | "time"
                    | "nohup"
                    | "env"
                    | "then"
                    | "do"
                    | "else"
                    | "!"
            )
        {
            i += 1;
            continue;
        }
        return Some((i, w));
    }
    None
}

/// The tool a program name or path runs: `ffmpeg`, `/usr/bin/ffmpeg`, `ffmpeg.exe`.
fn program_tool(program: &str) -> Option<&'static str> {
    let p = program.trim();
    if p.is_empty() || p.contains(char::is_whitespace) {
        return None;
    }
    let name = if p.contains('/') || p.contains('\\') {
        // A tool shipped with the app (`./bin/ffmpeg`, `vendor/ffmpeg`) is declared by the repo.
        let system = [
            "/usr/bin/",
            "/bin/",
            "/usr/local/bin/",
            "/usr/sbin/",
            "/opt/homebrew/bin/",
        ];
        if !system.iter().any(|d| p.starts_with(d)) {
            return None;
        }
        p.rsplit('/').next().unwrap_or(p)
    } else {
        p
    };
    tool(name.strip_suffix(".exe").unwrap_or(name))
}

/// The tools the commands of a shell script run.
fn script_tools(script: &str) -> Vec<&'static str> {
    shell_commands(script)
        .iter()
        .filter_map(|words| command_word(words).and_then(|(_, w)| program_tool(w)))
        .collect()
}

/// Interpreters whose `-c` argument is a script.
fn is_shell(program: &str) -> bool {
    let name = program.rsplit('/').next().unwrap_or(program);
    matches!(name, "sh" | "bash" | "zsh" | "dash" | "ash")
}

// ---------------------------------------------------------------------------------------------
// Dockerfiles

/// Whether a `RUN` command installs packages whose names are not in the Dockerfile:
/// `apt-get install -y $(cat packages.txt)`, `xargs apk add < packages`.
fn opaque_install(text: &str) -> bool {
    let text = text.replace("\\\r\n", " ").replace("\\\n", " ");
    let installers = [
        "apt-get install",
        "apt install",
        "apk add",
        "dnf install",
        "yum install",
        "microdnf install",
        "zypper install",
    ];
    text.lines().any(|line| {
        installers.iter().any(|i| {
            line.match_indices(i).any(|(at, _)| {
                let rest = &line[at..];
                let end = rest
                    .find("&&")
                    .or_else(|| rest.find(';'))
                    .unwrap_or(rest.len());
                let args = &rest[..end];
                let before = &line[..at];
                args.contains("$(")
                    || args.contains('`')
                    || before.trim_end().ends_with("xargs")
                    || before.contains("xargs ") && !before.contains("&&")
            })
        })
    })
}

/// The tools a `RUN` command installs.
fn run_installs(text: &str, vars: &HashMap<String, String>) -> Vec<&'static str> {
    let mut out = Vec::new();
    let lower = text.to_ascii_lowercase();
    for (needle, tools) in [
        ("aws/install", &["aws"][..]),
        ("awscli", &["aws"]),
        ("get-helm", &["helm"]),
        ("get.helm.sh", &["helm"]),
        ("sdk.cloud.google.com", &["gcloud", "gsutil"]),
        ("installazurecli", &["az"]),
        ("get.docker.com", &["docker"]),
        ("rclone.org/install", &["rclone"]),
    ] {
        if lower.contains(needle) {
            out.extend(tools);
        }
    }
    // Built from source: `curl .../ImageMagick.tar.gz | tar xz && ./configure && make install`.
    let from_source = lower.contains("make install")
        || lower.contains("cmake --install")
        || lower.contains("ninja install");
    if from_source {
        for (t, package) in TOOLS {
            if package.len() >= 4 && lower.contains(package) {
                out.push(*t);
            }
        }
    }
    for words in shell_commands(text) {
        // Expand `$PKGS` words from ARG/ENV values.
        let words: Vec<String> = words
            .iter()
            .flat_map(|w| {
                if w.contains('$') {
                    expand(w, vars)
                        .map(|e| e.split_whitespace().map(str::to_string).collect())
                        .unwrap_or_default()
                } else {
                    vec![w.clone()]
                }
            })
            .collect();
        let Some((ci, cmd)) = command_word(&words) else {
            continue;
        };
        let cmd = cmd.rsplit('/').next().unwrap_or(cmd);
        let args: Vec<&str> = words[ci + 1..].iter().map(String::as_str).collect();
        let operands: Vec<&str> = {
            let mut v = Vec::new();
            let mut skip = false;
            for a in &args {
                if skip {
                    skip = false;
                    continue;
                }
                if matches!(
                    *a,
                    "--virtual" | "-t" | "--repository" | "-X" | "--enablerepo" | "--setopt"
                ) {
                    skip = true;
                    continue;
                }
                if !a.starts_with('-') {
                    v.push(*a);
                }
            }
            v
        };
        let packages: &[&str] = match cmd {
            "apt-get" | "apt" | "aptitude" | "dnf" | "yum" | "microdnf" | "tdnf" | "pip"
            | "pip3" | "pipx"
                if operands.first() == Some(&"install") =>
            {
                &operands[1..]
            }
            "apk" if operands.first() == Some(&"add") => &operands[1..],
            "zypper" if matches!(operands.first(), Some(&"install") | Some(&"in")) => {
                &operands[1..]
            }
            "pacman" if args.iter().any(|a| a.starts_with("-S")) => &operands[..],
            _ => &[],
        };
        for p in packages {
            out.extend(package_tools(p));
        }
        // Files put into a `bin` directory: `-o /usr/local/bin/kubectl`, `mv helm /usr/bin/`,
        // `tar -C /usr/local/bin ... linux-amd64/helm`.
        let into_bin = args
            .iter()
            .any(|a| a.trim_end_matches('/').ends_with("/bin") || a.contains("/bin/"));
        if into_bin {
            for a in &args {
                let base = a.trim_end_matches('/').rsplit('/').next().unwrap_or(a);
                if let Some(t) = tool(base) {
                    out.push(t);
                }
            }
        }
    }
    out
}

/// The tools a `COPY`/`ADD` puts into the image: source or destination file names.
fn copied_tools<'a>(paths: impl Iterator<Item = &'a str>) -> Vec<&'static str> {
    paths
        .filter_map(|p| {
            let p = p.trim_end_matches('/');
            tool(p.rsplit('/').next().unwrap_or(p))
        })
        .collect()
}

/// A tool a Dockerfile provides: (tool, where, whether it is in the final image).
type Provided = (&'static str, Range<usize>, bool);

/// Everything a Dockerfile tells about tools, and whether what its image holds cannot be known
/// (a base image from an unresolved `ARG`, packages listed outside the Dockerfile).
fn dockerfile_tools(file: &DockerFile) -> (Vec<Provided>, bool) {
    let mut vars: HashMap<String, String> = HashMap::new();
    for v in file.vars() {
        if let Some(value) = v.value {
            vars.entry(v.key).or_insert(value);
        }
    }
    let stages: Vec<_> = file.doc.stages().collect();
    let Some(last) = stages.len().checked_sub(1) else {
        return (Vec::new(), false);
    };
    let name_of = |i: usize| {
        stages[i]
            .from
            .as_
            .as_ref()
            .map(|(_, n)| n.value.to_ascii_lowercase())
    };
    // Every stage no other stage uses (built `FROM` or copied `--from`) is an image that can
    // run: the final one, and the other targets of a multi-target Dockerfile (`docker build
    // --target watcher`). Those and the stages they are built from count.
    let used: HashSet<String> = stages
        .iter()
        .flat_map(|st| {
            let from = std::iter::once(st.from.image.value.to_ascii_lowercase());
            let copies = st.instructions.iter().filter_map(|ins| match ins {
                Instruction::Copy(c) => c
                    .options
                    .iter()
                    .find(|f| f.name.value == "from")
                    .and_then(|f| f.value.as_ref())
                    .map(|v| v.value.to_ascii_lowercase()),
                _ => None,
            });
            from.chain(copies).collect::<Vec<_>>()
        })
        .collect();
    let leaves: Vec<usize> = (0..=last)
        .filter(|&i| {
            i == last
                || !(name_of(i).is_some_and(|n| used.contains(&n)) || used.contains(&i.to_string()))
        })
        .collect();
    // Stage names to their positions, ascending: the nearest earlier stage of a name is found
    // by a binary search, so 40,000 stages stay linear.
    let mut named: HashMap<String, Vec<usize>> = HashMap::new();
    for i in 0..=last {
        if let Some(n) = name_of(i) {
            named.entry(n).or_default().push(i);
        }
    }
    let earlier = |name: &str, before: usize| {
        let at = named.get(name)?;
        let k = at.partition_point(|&j| j < before);
        k.checked_sub(1).map(|k| at[k])
    };
    let mut runtime: HashSet<usize> = HashSet::new();
    let mut unknown = false;
    let mut bases: Vec<(String, Range<usize>)> = Vec::new();
    for leaf in leaves {
        let mut i = leaf;
        loop {
            if !runtime.insert(i) {
                break;
            }
            let img = &stages[i].from.image;
            let Some(expanded) = expand(&img.value, &vars) else {
                unknown = true;
                break;
            };
            let lower = expanded.to_ascii_lowercase();
            match earlier(&lower, i) {
                Some(j) => i = j,
                None => {
                    bases.push((expanded, img.span.clone()));
                    break;
                }
            }
        }
    }
    let mut out = Vec::new();
    for (image, span) in bases {
        for t in image_tools(&image) {
            out.push((t, span.clone(), true));
        }
    }
    for (si, stage) in stages.iter().enumerate() {
        let in_final = runtime.contains(&si);
        for ins in stage.instructions {
            let (tools, span) = match ins {
                Instruction::Run(r) => {
                    let mut text = match &r.arguments {
                        DockerCommand::Shell(s) => s.value.to_string(),
                        DockerCommand::Exec(v) => v
                            .value
                            .iter()
                            .map(|s| s.value.as_ref())
                            .collect::<Vec<_>>()
                            .join(" "),
                        _ => String::new(),
                    };
                    for h in &r.here_docs {
                        text.push('\n');
                        text.push_str(&h.value);
                    }
                    let span = r.run.span.clone();
                    unknown |= in_final && opaque_install(&text);
                    (run_installs(&text, &vars), span)
                }
                Instruction::Copy(c) => {
                    let srcs = c.src.iter().filter_map(|s| match s {
                        Source::Path(p) => Some(p.value.as_ref()),
                        _ => None,
                    });
                    (
                        copied_tools(srcs.chain(std::iter::once(c.dest.value.as_ref()))),
                        c.copy.span.clone(),
                    )
                }
                Instruction::Add(a) => {
                    let srcs = a.src.iter().filter_map(|s| match s {
                        Source::Path(p) => Some(p.value.as_ref()),
                        _ => None,
                    });
                    (
                        copied_tools(srcs.chain(std::iter::once(a.dest.value.as_ref()))),
                        a.add.span.clone(),
                    )
                }
                _ => continue,
            };
            for t in tools {
                out.push((t, span.clone(), in_final));
            }
        }
    }
    (out, unknown)
}

// ---------------------------------------------------------------------------------------------
// Rust

/// Whether a resolved callee is a process builder's constructor.
fn is_process_new(file: &RustFile, callee: &str) -> bool {
    if callee.ends_with("process::Command::new") || callee == "async_process::Command::new" {
        return true;
    }
    callee == "Command::new"
        && file
            .globs
            .iter()
            .any(|g| g.ends_with("process") || g == "async_process")
}

/// One argument given to a command: an expression, or `None` when the list is not known.
type ArgList<'a> = Vec<Option<&'a Expr>>;

/// The arguments a `.arg(..)`/`.args(..)` call adds.
fn method_args<'a>(name: &str, args: &'a Punctuated<Expr, Token![,]>) -> ArgList<'a> {
    match (name, args.first()) {
        ("arg", Some(a)) => vec![Some(a)],
        ("args", Some(a)) => match list_elems(a) {
            Some(v) => v.into_iter().map(Some).collect(),
            None => vec![None],
        },
        _ => Vec::new(),
    }
}

/// The elements of `[a, b]`, `&[a, b]`, `vec![a, b]`.
fn list_elems(e: &Expr) -> Option<Vec<&Expr>> {
    match e {
        Expr::Array(a) => Some(a.elems.iter().collect()),
        Expr::Reference(r) => list_elems(&r.expr),
        Expr::Paren(p) => list_elems(&p.expr),
        _ => None,
    }
}

struct Finder<'a, 'f> {
    file: &'f RustFile<'f>,
    tests: &'f TestCode,
    file_scope: Scope<'a>,
    scope: Scope<'a>,
    /// Local variables holding a shell command, with the arguments given so far.
    shell_vars: HashMap<String, (Range<usize>, ArgList<'a>)>,
    uses: Vec<(&'static str, Range<usize>)>,
    seen: HashSet<(usize, &'static str)>,
}

impl<'a, 'f> Finder<'a, 'f> {
    fn record(&mut self, tool: &'static str, span: Range<usize>) {
        if self.tests.contains(span.start) || !self.seen.insert((span.start, tool)) {
            return;
        }
        self.uses.push((tool, span));
    }

    /// The string literals an expression is built from, unless it comes from the environment or
    /// from something unknown.
    fn literal_strings(&self, e: &Expr) -> Vec<String> {
        let t = trace(e, &self.scope);
        if t.env || t.unknown {
            return Vec::new();
        }
        t.literals
            .into_iter()
            .filter_map(|(v, _)| match v {
                Value::Str(s) => Some(s),
                Value::Int(_) => None,
            })
            .collect()
    }

    /// The shell script parts of an expression: its literals even when some parts are unknown
    /// (`format!("curl -sf {}", url)` starts with `curl`).
    fn script_strings(&self, e: &Expr) -> Vec<String> {
        let t = trace(e, &self.scope);
        t.literals
            .into_iter()
            .filter_map(|(v, _)| match v {
                Value::Str(s) => Some(s),
                Value::Int(_) => None,
            })
            .take(1)
            .collect()
    }

    /// Checks a program expression; returns whether it is a shell.
    fn program(&mut self, e: &Expr, span: Range<usize>) -> bool {
        let mut shell = false;
        for s in self.literal_strings(e) {
            if let Some(t) = program_tool(&s) {
                self.record(t, span.clone());
            }
            shell |= is_shell(s.trim());
        }
        shell
    }

    /// Checks the arguments of a shell command for `-c SCRIPT`.
    fn shell_args(&mut self, args: &ArgList<'a>) {
        let mut i = 0;
        while i + 1 < args.len() {
            let flag = args[i].map(|a| self.literal_strings(a)).unwrap_or_default();
            let is_c = flag
                .first()
                .is_some_and(|f| f.starts_with('-') && !f.starts_with("--") && f.ends_with('c'));
            if is_c {
                if let Some(script) = args[i + 1] {
                    let span = byte_range(script.span());
                    for s in self.script_strings(script) {
                        for t in script_tools(&s) {
                            self.record(t, span.clone());
                        }
                    }
                }
                i += 2;
            } else {
                i += 1;
            }
        }
    }

    /// A `Command::new(..)` call: (program expression, call span).
    fn command_new(&self, e: &'a Expr) -> Option<(&'a Expr, Range<usize>)> {
        let Expr::Call(c) = e else {
            return None;
        };
        let Expr::Path(p) = &*c.func else {
            return None;
        };
        let callee = self.file.resolve(&p.path);
        if is_process_new(self.file, &callee) {
            return c.args.first().map(|a| (a, byte_range(c.span())));
        }
        None
    }

    /// Walks a method chain down to its root: (root, [(method, args)] innermost first).
    fn chain(e: &'a syn::ExprMethodCall) -> (&'a Expr, Vec<&'a syn::ExprMethodCall>) {
        let mut methods = vec![e];
        let mut recv = &*e.receiver;
        loop {
            match recv {
                Expr::MethodCall(m) => {
                    methods.push(m);
                    recv = &m.receiver;
                }
                Expr::Paren(p) => recv = &p.expr,
                Expr::Reference(r) => recv = &r.expr,
                _ => break,
            }
        }
        methods.reverse();
        (recv, methods)
    }

    fn chain_args(methods: &[&'a syn::ExprMethodCall]) -> ArgList<'a> {
        methods
            .iter()
            .flat_map(|m| method_args(&m.method.to_string(), &m.args))
            .collect()
    }

    fn is_shell_new(&self, e: &'a Expr) -> bool {
        self.command_new(e).is_some_and(|(prog, _)| {
            self.literal_strings(prog)
                .iter()
                .any(|s| is_shell(s.trim()))
        })
    }

    fn with_block<R>(&mut self, block: &'a syn::Block, f: impl FnOnce(&mut Self) -> R) -> R {
        let saved = self.scope.clone();
        self.scope = self.scope.with_block(block);
        let r = f(self);
        self.scope = saved;
        r
    }

    fn function(&mut self, block: &'a syn::Block) {
        let scope = self.file_scope.with_block(block);
        let saved_scope = std::mem::replace(&mut self.scope, scope);
        let saved_vars = std::mem::take(&mut self.shell_vars);
        visit::visit_block(self, block);
        let vars = std::mem::replace(&mut self.shell_vars, saved_vars);
        let mut vars: Vec<_> = vars.into_values().collect();
        vars.sort_by_key(|(span, _)| span.start);
        for (_, args) in vars {
            self.shell_args(&args);
        }
        self.scope = saved_scope;
    }
}

impl<'a> Visit<'a> for Finder<'a, '_> {
    fn visit_item_fn(&mut self, f: &'a syn::ItemFn) {
        self.function(&f.block);
    }

    fn visit_impl_item_fn(&mut self, f: &'a syn::ImplItemFn) {
        self.function(&f.block);
    }

    fn visit_trait_item_fn(&mut self, f: &'a syn::TraitItemFn) {
        if let Some(b) = &f.default {
            self.function(b);
        }
    }

    fn visit_block(&mut self, b: &'a syn::Block) {
        self.with_block(b, |s| visit::visit_block(s, b));
    }

    fn visit_local(&mut self, l: &'a syn::Local) {
        // `let mut cmd = Command::new("sh");` (possibly with `.arg("-c")` already chained).
        if let (syn::Pat::Ident(id), Some(init)) = (strip_type(&l.pat), &l.init) {
            let (root, args) = match &*init.expr {
                Expr::MethodCall(m) => {
                    let (root, methods) = Self::chain(m);
                    (root, Self::chain_args(&methods))
                }
                e => (e, Vec::new()),
            };
            if self.is_shell_new(root) {
                self.shell_vars
                    .insert(id.ident.to_string(), (byte_range(l.span()), args));
                // The chain's own arguments are now the variable's; visit the parts only.
                self.visit_expr(root);
                if let Expr::MethodCall(m) = &*init.expr {
                    let (_, methods) = Self::chain(m);
                    for m in methods {
                        for a in &m.args {
                            self.visit_expr(a);
                        }
                    }
                }
                return;
            }
        }
        visit::visit_local(self, l);
    }

    fn visit_expr_call(&mut self, c: &'a syn::ExprCall) {
        if let Expr::Path(p) = &*c.func {
            let callee = self.file.resolve(&p.path);
            let span = byte_range(c.span());
            if is_process_new(self.file, &callee) || callee == "duct::cmd" {
                if let Some(prog) = c.args.first() {
                    self.program(prog, span);
                }
            }
        }
        visit::visit_expr_call(self, c);
    }

    fn visit_expr_method_call(&mut self, m: &'a syn::ExprMethodCall) {
        let (root, methods) = Self::chain(m);
        let args = Self::chain_args(&methods);
        if !args.is_empty() {
            match root {
                Expr::Path(p) if p.path.segments.len() == 1 => {
                    let name = p.path.segments[0].ident.to_string();
                    if let Some((_, list)) = self.shell_vars.get_mut(&name) {
                        list.extend(args);
                    }
                }
                e if self.is_shell_new(e) => self.shell_args(&args),
                _ => {}
            }
        }
        // Visit the chain's parts without visiting its inner method calls as chains again.
        self.visit_expr(root);
        for m in methods {
            for a in &m.args {
                self.visit_expr(a);
            }
        }
    }

    fn visit_macro(&mut self, mac: &'a syn::Macro) {
        let path = self.file.resolve(&mac.path);
        let span = byte_range(mac.span());
        // cmd_lib's `run_cmd!(git pull; ls)`: the body is a shell script written as tokens.
        if let Some(("cmd_lib", name)) = path.split_once("::") {
            if matches!(name, "run_cmd" | "run_fun" | "spawn" | "spawn_with_output") {
                for t in script_tools(&mac.tokens.to_string()) {
                    self.record(t, span.clone());
                }
            }
            return;
        }
        let Ok(body) = mac.parse_body_with(Punctuated::<Expr, Token![,]>::parse_terminated) else {
            return;
        };
        // The body lives shorter than the file's tree: walk it with a finder of its own that
        // sees the same names.
        let mut sub = Finder {
            file: self.file,
            tests: self.tests,
            file_scope: self.file_scope.clone(),
            scope: self.scope.clone(),
            shell_vars: HashMap::new(),
            uses: Vec::new(),
            seen: std::mem::take(&mut self.seen),
        };
        match path.as_str() {
            "duct::cmd" => {
                if let Some(prog) = body.first() {
                    sub.program(prog, span.clone());
                }
            }
            "xshell::cmd" => {
                if let Some(cmdline) = body.iter().nth(1) {
                    for s in sub.literal_strings(cmdline) {
                        if let Some(t) = s.split_whitespace().next().and_then(program_tool) {
                            sub.record(t, span.clone());
                        }
                    }
                }
            }
            _ => {}
        }
        for e in &body {
            sub.visit_expr(e);
        }
        self.seen = std::mem::take(&mut sub.seen);
        self.uses.append(&mut sub.uses);
    }
}

fn strip_type(p: &syn::Pat) -> &syn::Pat {
    match p {
        syn::Pat::Type(t) => strip_type(&t.pat),
        p => p,
    }
}

impl Rule for UndeclaredSystemTool {
    fn inputs(&self) -> Inputs {
        Inputs {
            rust: true,
            dockerfile: true,
            text: true,
            repo: true,
            ..Inputs::default()
        }
    }

    fn crate_scope(&self) -> CrateScope {
        CrateScope::Binary
    }

    fn rust_triggers(&self) -> &'static [&'static str] {
        &["Command", "duct", "xshell", "cmd_lib"]
    }

    fn rust_wants(&self, src: &RustText<'_>) -> bool {
        // Whole words: `duct` inside `product` or `conduct` is not the crate.
        static WORDS: std::sync::OnceLock<Option<regex::Regex>> = std::sync::OnceLock::new();
        let text = src.text;
        (text.contains("Command") && text.contains("process"))
            || WORDS
                .get_or_init(|| regex::Regex::new(r"\b(duct|xshell|cmd_lib)\b").ok())
                .as_ref()
                .is_none_or(|re| re.is_match(text))
    }

    fn check_rust(&self, file: &RustFile, cx: &mut RuleCtx<'_>) {
        // Developer tools (`xtask/`, `tools/`) are never deployed.
        let deployable = cx.krate().is_some_and(|k| k.has_bin && !k.is_tool);
        if !deployable {
            return;
        }
        let tests = &file.tests;
        let file_scope = Scope::for_file(&file.ast);
        let mut f = Finder {
            file,
            tests,
            scope: file_scope.clone(),
            file_scope,
            shell_vars: HashMap::new(),
            uses: Vec::new(),
            seen: HashSet::new(),
        };
        f.visit_file(&file.ast);
        let uses = std::mem::take(&mut f.uses);
        drop(f);
        for (tool, span) in uses {
            cx.fact(USES, span, tool);
        }
    }

    fn check_text(&self, file: &SourceFile, cx: &mut RuleCtx<'_>) {
        // Heroku's apt buildpack installs the Debian packages an `Aptfile` lists into the slug
        // that runs: the declaration a buildpack deploy has instead of a Dockerfile.
        if file.file_name() != "Aptfile" {
            return;
        }
        cx.fact(DOCKERFILE, 0..0, "");
        let mut offset = 0;
        for line in file.text.split_inclusive('\n') {
            let start = offset;
            offset += line.len();
            let word = line.split('#').next().unwrap_or("").trim();
            // `:repo:` lines add apt sources; URLs are .deb downloads of unknown content.
            if word.is_empty() || word.starts_with(':') || word.contains("://") {
                continue;
            }
            for tool in package_tools(word) {
                cx.fact(PROVIDED, start..start + word.len(), tool);
            }
        }
    }

    fn check_dockerfile(&self, file: &DockerFile, cx: &mut RuleCtx<'_>) {
        cx.fact(DOCKERFILE, 0..0, "");
        let (tools, unknown) = dockerfile_tools(file);
        if unknown {
            cx.fact(UNKNOWN, 0..0, "");
        }
        for (tool, span, in_final) in tools {
            cx.fact(if in_final { PROVIDED } else { BUILD_STAGE }, span, tool);
        }
    }

    fn check_repo(&self, repo: &RepoIndex, cx: &mut RepoCtx<'_>) {
        let facts: Vec<&Fact> = repo.facts(RuleId::UndeclaredSystemTool).collect();
        let any = |kind: &str| facts.iter().any(|f| f.kind == kind);
        // A Dockerfile that could not be parsed may install anything: no verdict.
        let parsed: HashSet<&str> = facts
            .iter()
            .filter(|f| f.kind == DOCKERFILE)
            .map(|f| f.path.as_str())
            .collect();
        let unparsed = repo.files.iter().any(|p| {
            FileKind::classify(p) == FileKind::Dockerfile
                && !parsed.contains(p.as_str())
                && !p
                    .split('/')
                    .rev()
                    .skip(1)
                    .any(|c| crate::engine::TEST_DIRS.contains(&c))
        });
        if any(UNKNOWN) || unparsed {
            return;
        }
        let has_dockerfile = any(DOCKERFILE);
        let provided: HashSet<&str> = facts
            .iter()
            .filter(|f| f.kind == PROVIDED)
            .map(|f| f.detail.as_str())
            .collect();
        let build_only: HashSet<&str> = facts
            .iter()
            .filter(|f| f.kind == BUILD_STAGE)
            .map(|f| f.detail.as_str())
            .collect();
        // With no Dockerfile, only code that serves (a service or a crate one uses) is held to
        // it: a command-line tool runs on its user's machine, where the tool may well be.
        let serves = |dir: Option<&String>| {
            repo.crates
                .iter()
                .any(|c| Some(&c.dir) == dir && c.in_service)
        };
        for f in facts.iter().filter(|f| f.kind == USES) {
            let tool = f.detail.as_str();
            if provided.contains(tool) || (!has_dockerfile && !serves(f.krate.as_ref())) {
                continue;
            }
            let package = TOOLS
                .iter()
                .find(|(t, _)| *t == tool)
                .map_or(tool, |(_, p)| p);
            let (message, help) = if !has_dockerfile {
                (
                    format!("runs external tool `{tool}`, and no Dockerfile exists in the repository to declare it; install it in the image the app runs in, or use a Rust crate"),
                    format!("add a Dockerfile that installs it (e.g. `RUN apt-get install -y --no-install-recommends {package}`), or replace the call with a Rust crate"),
                )
            } else if build_only.contains(tool) {
                (
                    format!("runs external tool `{tool}` that the Dockerfile installs only in a build stage, not in the final image; install it in the final stage or use a Rust crate"),
                    format!("install it in the stage that runs the app (e.g. `RUN apt-get install -y --no-install-recommends {package}`)"),
                )
            } else {
                (
                    format!("runs external tool `{tool}` that no Dockerfile in the repository installs; declare it (install it in the image) or use a Rust crate"),
                    format!("install it in the final stage of the Dockerfile (e.g. `RUN apt-get install -y --no-install-recommends {package}`), or replace the call with a Rust crate"),
                )
            };
            cx.report(
                &f.path,
                Violation::new(f.span.clone(), message)
                    .label("undeclared system dependency")
                    .help(help),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packages_map_to_tools() {
        assert!(package_tools("imagemagick").contains(&"convert"));
        assert!(package_tools("postgresql-client-16").contains(&"pg_dump"));
        assert!(package_tools("postgresql16-client").contains(&"psql"));
        assert!(package_tools("curl=7.88.1-10").contains(&"curl"));
        assert!(package_tools("ffmpeg").contains(&"ffprobe"));
        assert!(package_tools("libpq-dev").is_empty());
        assert!(package_tools("postgresql-dev").is_empty());
    }

    #[test]
    fn images() {
        assert!(image_tools("alpine/git:2.43.0").contains(&"git"));
        assert!(image_tools("curlimages/curl:8.5.0").contains(&"curl"));
        assert!(image_tools("rust:1.80").contains(&"git"));
        assert!(!image_tools("rust:1.80-slim").contains(&"git"));
        assert!(image_tools("alpine:3.20").contains(&"wget"));
        assert!(image_tools("postgres:16").contains(&"pg_dump"));
        assert!(image_tools("debian:bookworm-slim").is_empty());
    }

    #[test]
    fn scripts() {
        assert_eq!(
            script_tools("curl -sf http://x | jq .a"),
            vec!["curl", "jq"]
        );
        assert_eq!(
            script_tools("set -e; PGPASSWORD=x pg_dump -h db > /tmp/d.sql && gzip /tmp/d.sql"),
            vec!["pg_dump"]
        );
        assert_eq!(script_tools("echo 'curl is not run'"), Vec::<&str>::new());
    }

    #[test]
    fn run_lines() {
        let vars = HashMap::from([("PKGS".to_string(), "ffmpeg git".to_string())]);
        let t = run_installs(
            "apt-get update \\\n && apt-get install -y --no-install-recommends $PKGS curl=7.* \\\n && rm -rf /var/lib/apt/lists/*",
            &vars,
        );
        assert!(t.contains(&"ffmpeg") && t.contains(&"git") && t.contains(&"curl"));
        let t = run_installs(
            "curl -fsSL -o /usr/local/bin/kubectl https://dl.k8s.io/release/v1.30.0/bin/linux/amd64/kubectl",
            &HashMap::new(),
        );
        assert!(t.iter().all(|x| *x == "kubectl") && !t.is_empty(), "{t:?}");
        let t = run_installs(
            "curl -fsSL https://example.org/x.tar.gz | tar -xz -C /opt",
            &HashMap::new(),
        );
        assert!(t.is_empty(), "{t:?}");
        let t = run_installs(
            "apt -y install curl build-essential \\\n  && curl https://imagemagick.org/archive/ImageMagick.tar.gz | tar xz \\\n  && cd ImageMagick-7* && ./configure && make \\\n  && make install",
            &HashMap::new(),
        );
        assert!(t.contains(&"magick") && t.contains(&"curl"), "{t:?}");
        let t = run_installs(
            "apk add --no-cache --virtual .deps git openssh",
            &HashMap::new(),
        );
        assert!(t.contains(&"git") && t.contains(&"ssh"));
    }

    #[test]
    fn opaque_installs() {
        assert!(opaque_install(
            "apt-get update && apt-get install -y $(cat /tmp/packages.txt)"
        ));
        assert!(opaque_install("cat packages | xargs apk add --no-cache"));
        assert!(!opaque_install(
            "apt-get install -y ffmpeg && echo $(date) > /built-at"
        ));
    }

    #[test]
    fn copies() {
        let t = copied_tools(["/ffmpeg", "/usr/local/bin/"].into_iter());
        assert_eq!(t, vec!["ffmpeg"]);
        let t = copied_tools(["/app/target/release/shop", "/usr/local/bin/shop"].into_iter());
        assert!(t.is_empty());
    }

    #[test]
    fn programs() {
        assert_eq!(program_tool("/usr/bin/ffmpeg"), Some("ffmpeg"));
        assert_eq!(program_tool("ffmpeg.exe"), Some("ffmpeg"));
        assert_eq!(program_tool("./bin/ffmpeg"), None);
        assert_eq!(program_tool("cargo"), None);
    }
}
