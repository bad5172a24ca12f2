//! Hostile input: a tree generated at test time with every kind of bad file next to healthy
//! files with known findings. The run must end (no hang), exit 0 or 1 (never 2, never a panic),
//! name each bad file in a TC0002 note, and still report the healthy files' findings. Also: the
//! limits are configurable, every output format stays safe and well-formed whatever the file
//! names and contents, and CRLF or a BOM changes no finding.

use std::collections::BTreeSet;
use std::ffi::OsStr;
use std::io::Read;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

#[path = "common/child.rs"]
mod child;
use child::*;

fn mkfifo(path: &Path) {
    let ok = Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo runs")
        .success();
    assert!(ok, "mkfifo {path:?}");
}

fn chmod(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

const HEALTHY_DOCKERFILE: &str = "FROM rust:latest\nCMD [\"app\"]\n";

/// A Rust expression `depth` levels deep of one shape, in a file that the prefilter sends to
/// syn (it binds a hard-coded port).
fn deep_rust(shape: &str, depth: usize) -> String {
    let body = match shape {
        "parens" => format!("let x = {}1{};", "(".repeat(depth), ")".repeat(depth)),
        "method-chain" => format!("let x = a.b(){};", ".c()".repeat(depth)),
        "closures" => format!("let f = {}1;", "|x| ".repeat(depth)),
        "generics" => format!(
            "let x: {}u8{} = None;",
            "Option<".repeat(depth),
            ">".repeat(depth)
        ),
        "assignments" => format!("{}1;", "a = ".repeat(depth)),
        "unary" => format!("let x = {}1;", "-".repeat(depth)),
        "binary" => format!("let x = {}1;", "1 + ".repeat(depth)),
        "else-if" => format!(
            "let x = if a {{ 1 }}{} else {{ 2 }};",
            " else if a { 1 }".repeat(depth)
        ),
        "blocks" => format!("{}{}", "{ ".repeat(depth), " }".repeat(depth)),
        _ => unreachable!(),
    };
    format!(
        "fn main() {{\n    let l = std::net::TcpListener::bind(\"0.0.0.0:8080\");\n    {body}\n}}\n"
    )
}

const SHAPES: &[&str] = &[
    "parens",
    "method-chain",
    "closures",
    "generics",
    "assignments",
    "unary",
    "binary",
    "else-if",
    "blocks",
];

/// Builds the hostile tree under `root`; `outside` is a folder beside it. `heavy` adds the
/// large and deep files (slow in a debug build, and of no interest to the output formats).
/// Returns whether the unreadable files turned out readable (running as root).
fn hostile_tree(root: &Path, outside: &Path, heavy: bool) -> bool {
    std::fs::create_dir_all(root.join(".git")).expect("mkdir .git");
    write(root, "svc/Dockerfile", HEALTHY_DOCKERFILE);

    // Undecodable and binary files of known kinds.
    write(root, "utf8/Dockerfile", HEALTHY_DOCKERFILE);
    write(
        root,
        "utf8/api.Dockerfile",
        b"FROM rust:1.80\nRUN echo \xff\xfe\n",
    );
    write(root, "utf8/config.yaml", b"a: \xc3\x28\n");
    write(root, "nul/Dockerfile", HEALTHY_DOCKERFILE);
    write(root, "nul/Procfile", b"web: ./app\0--port 8080\n");
    let mut blob: Vec<u8> = (0..65_536u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    blob[100] = 0;
    write(root, "blob/Dockerfile", HEALTHY_DOCKERFILE);
    write(root, "blob/main.rs", &blob);
    write(root, "blob/worker.Dockerfile", &blob);

    // 200 MB, sparse: cheap to make, and refused from its size without being read.
    write(root, "huge/Dockerfile", HEALTHY_DOCKERFILE);
    let big = std::fs::File::create(root.join("huge/generated.rs")).expect("create");
    big.set_len(200 * 1024 * 1024).expect("set_len");

    if heavy {
        heavy_files(root);
    }

    // Unreadable file and folder (root reads them anyway).
    write(root, "perm/Dockerfile", HEALTHY_DOCKERFILE);
    let locked = write(root, "perm/locked.Dockerfile", HEALTHY_DOCKERFILE);
    chmod(&locked, 0o000);
    let locked_dir = root.join("perm/vault");
    write(root, "perm/vault/Dockerfile", HEALTHY_DOCKERFILE);
    chmod(&locked_dir, 0o000);
    let readable = std::fs::File::open(&locked)
        .and_then(|mut f| f.read(&mut [0u8; 4]))
        .is_ok();

    // Symbolic links: a loop, one to itself, a folder cycle, out of the root, broken, inside.
    write(outside, "outside.Dockerfile", HEALTHY_DOCKERFILE);
    write(root, "links/Dockerfile", HEALTHY_DOCKERFILE);
    let link = |target: &Path, rel: &str| {
        std::os::unix::fs::symlink(target, root.join(rel)).expect("symlink")
    };
    link(Path::new("b.env"), "links/a.env");
    link(Path::new("a.env"), "links/b.env");
    link(Path::new("self.yaml"), "links/self.yaml");
    link(Path::new(".."), "links/up");
    link(&outside.join("outside.Dockerfile"), "links/out.Dockerfile");
    link(outside, "links/outdir");
    link(Path::new("/etc/passwd"), "links/passwd.env");
    link(Path::new("nowhere.yaml"), "links/broken.yaml");
    link(Path::new("../svc/Dockerfile"), "links/inside.Dockerfile");

    // A FIFO of a known kind: opening it would block forever.
    write(root, "fifo/Dockerfile", HEALTHY_DOCKERFILE);
    mkfifo(&root.join("fifo/.env"));
    mkfifo(&root.join("fifo/app.Dockerfile"));

    // Names: a newline, bytes that are not UTF-8, a terminal escape sequence.
    write(root, "names/a\nb.Dockerfile", HEALTHY_DOCKERFILE);
    write(
        root,
        OsStr::from_bytes(b"names/\xff\xfe.Dockerfile"),
        HEALTHY_DOCKERFILE,
    );
    write(
        root,
        "names/\x1b[31mred\x1b[0m.Dockerfile",
        HEALTHY_DOCKERFILE,
    );
    // Escape sequences inside a file: the snippet must not carry them to the terminal.
    write(
        root,
        "names/Dockerfile",
        "FROM rust:latest\nLABEL x=\"\x1b]0;pwned\x07\x1b[2J\u{202e}\"\nCMD [\"app\"]\n",
    );
    readable
}

/// Deep Rust in every shape, 100,000 lines of Dockerfile, a YAML bomb, deep JSON/TOML/YAML,
/// nginx and shell nesting.
fn heavy_files(root: &Path) {
    // Deep Rust, in a service crate whose healthy main.rs binds a hard-coded port (TC0701).
    write(
        root,
        "rs/Cargo.toml",
        "[package]\nname = \"rs\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\naxum = \"0.7\"\n",
    );
    write(root, "rs/Cargo.lock", "version = 3\n");
    write(
        root,
        "rs/src/main.rs",
        "fn main() {\n    let l = std::net::TcpListener::bind(\"0.0.0.0:8080\");\n}\n",
    );
    for shape in SHAPES {
        write(
            root,
            format!("rs/src/deep_{}.rs", shape.replace('-', "_")),
            deep_rust(shape, 50_000),
        );
    }

    // 100,000 lines of Dockerfile: its one real finding is still reported.
    let mut long = String::from("FROM rust:latest\n");
    for i in 0..100_000 {
        long.push_str(&format!("RUN echo step {i}\n"));
    }
    write(root, "long/Dockerfile", long);

    // Billion laughs, and nesting 100,000 deep in each structured format.
    let mut bomb = String::from(
        "a: &a [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]\n",
    );
    let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"];
    for w in names.windows(2) {
        let refs = vec![format!("*{}", w[0]); 9].join(", ");
        bomb.push_str(&format!("{}: &{} [{refs}]\n", w[1], w[1]));
    }
    write(root, "yaml/Dockerfile", HEALTHY_DOCKERFILE);
    write(root, "yaml/docker-compose.yml", bomb);
    write(root, "nested/Dockerfile", HEALTHY_DOCKERFILE);
    let n = 100_000;
    write(
        root,
        "nested/data.json",
        format!("{}{}", "[".repeat(n), "]".repeat(n)),
    );
    write(
        root,
        "nested/data.toml",
        format!("a = {}{}\n", "[".repeat(n), "]".repeat(n)),
    );
    write(
        root,
        "nested/data.yaml",
        format!("a: {}{}\n", "[".repeat(n), "]".repeat(n)),
    );
    write(
        root,
        "nested/nginx.conf",
        format!("{}{}", "location / { ".repeat(n), "}".repeat(n)),
    );
    write(
        root,
        "nested/entrypoint.sh",
        format!("#!/bin/sh\necho {}x{}\n", "$(".repeat(n), ")".repeat(n)),
    );
}

fn hostile_dirs(heavy: bool) -> (tempfile::TempDir, PathBuf, bool) {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("repo");
    let outside = dir.path().join("outside");
    let readable = hostile_tree(&root, &outside, heavy);
    (dir, root, readable)
}

/// Every path under `dir` (links not followed) with its size and modification time.
fn listing(dir: &Path) -> BTreeSet<(PathBuf, u64, Option<std::time::SystemTime>)> {
    let mut out = BTreeSet::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let Ok(meta) = std::fs::symlink_metadata(e.path()) else {
                continue;
            };
            if meta.is_dir() {
                stack.push(e.path());
            }
            out.insert((e.path(), meta.len(), meta.modified().ok()));
        }
    }
    out
}

/// Restores permissions so the temporary folder can be removed.
fn unlock(root: &Path) {
    chmod(&root.join("perm/vault"), 0o755);
    chmod(&root.join("perm/locked.Dockerfile"), 0o644);
}

#[test]
fn hostile_tree_is_reported_file_by_file() {
    let (_dir, root, readable) = hostile_dirs(true);
    let before = listing(root.parent().expect("temp dir"));
    let start = Instant::now();
    let r = run(&["--isolated", "-f", "json", "."], &root, LIMIT);
    let took = start.elapsed();
    assert_eq!(
        before,
        listing(root.parent().expect("temp dir")),
        "the run changed files"
    );
    unlock(&root);
    assert!(r.code == 0 || r.code == 1, "exit {}: {}", r.code, r.stderr);
    let fs = findings(&r);

    // Healthy neighbours keep their findings.
    for dir in [
        "svc", "utf8", "nul", "blob", "huge", "yaml", "nested", "perm", "links", "fifo", "names",
    ] {
        expect(&fs, &format!("{dir}/Dockerfile"), "TC0204", "rust:latest");
    }
    expect(&fs, "long/Dockerfile", "TC0204", "rust:latest");
    expect(&fs, "rs/src/main.rs", "TC0701", "8080");

    // Each bad file: one TC0002 naming it.
    expect(&fs, "utf8/api.Dockerfile", "TC0002", "not valid UTF-8");
    expect(&fs, "utf8/config.yaml", "TC0002", "not valid UTF-8");
    expect(&fs, "nul/Procfile", "TC0002", "binary content");
    expect(&fs, "blob/main.rs", "TC0002", "binary content");
    expect(&fs, "blob/worker.Dockerfile", "TC0002", "binary content");
    expect(
        &fs,
        "huge/generated.rs",
        "TC0002",
        "over the 8388608 byte file size limit",
    );
    for shape in SHAPES {
        let path = format!("rs/src/deep_{}.rs", shape.replace('-', "_"));
        expect(&fs, &path, "TC0002", "over the max-nesting limit of 2000");
    }
    expect(&fs, "yaml/docker-compose.yml", "TC0002", "alias expansion");
    for f in ["data.json", "data.toml", "data.yaml"] {
        expect(&fs, &format!("nested/{f}"), "TC0002", "");
    }
    assert!(
        !fs.iter()
            .any(|f| f.path == "long/Dockerfile" && f.code == "TC0002"),
        "the long Dockerfile parses"
    );
    expect(&fs, "links/a.env", "TC0002", "symbolic link loop");
    expect(&fs, "links/b.env", "TC0002", "symbolic link loop");
    expect(&fs, "links/self.yaml", "TC0002", "symbolic link loop");
    expect(
        &fs,
        "links/out.Dockerfile",
        "TC0002",
        "outside the checked root",
    );
    expect(&fs, "links/outdir", "TC0002", "outside the checked root");
    expect(
        &fs,
        "links/passwd.env",
        "TC0002",
        "outside the checked root",
    );
    expect(&fs, "links/broken.yaml", "TC0002", "broken symbolic link");
    // Never followed: nothing is reported through a link.
    assert!(
        !fs.iter().any(|f| f.path.starts_with("links/")
            && f.path != "links/Dockerfile"
            && f.code != "TC0002"),
        "a finding came through a symbolic link: {fs:#?}"
    );
    assert!(!fs.iter().any(|f| f.path.starts_with("links/up/")));
    expect(&fs, "fifo/.env", "TC0002", "named pipe");
    expect(&fs, "fifo/app.Dockerfile", "TC0002", "named pipe");
    expect(&fs, "names/a\nb.Dockerfile", "TC0204", "rust:latest");
    expect(
        &fs,
        "names/\u{1b}[31mred\u{1b}[0m.Dockerfile",
        "TC0204",
        "rust:latest",
    );
    expect(
        &fs,
        "names/\u{fffd}\u{fffd}.Dockerfile",
        "TC0204",
        "rust:latest",
    );
    if readable {
        // Running as root: permissions do not stop the read, so the file is checked.
        expect(&fs, "perm/locked.Dockerfile", "TC0204", "rust:latest");
        expect(&fs, "perm/vault/Dockerfile", "TC0204", "rust:latest");
    } else {
        expect(&fs, "perm/locked.Dockerfile", "TC0002", "ermission denied");
        expect(&fs, "perm/vault", "TC0002", "ermission denied");
    }
    // A FIFO named on the command line is not opened either.
    let r = run(&["--isolated", "-f", "json", "fifo/.env"], &root, LIMIT);
    assert_eq!(r.code, 0, "{}", r.stderr);
    expect(&findings(&r), "fifo/.env", "TC0002", "named pipe");

    // Generous for a debug build on a busy machine; the point is "no hang, nothing quadratic".
    assert!(took < Duration::from_secs(30), "took {took:?}");
}

/// Control characters of file names and file text never reach a terminal raw, and every
/// machine format stays well-formed.
#[test]
fn every_format_is_safe_with_hostile_names() {
    let (_dir, root, _) = hostile_dirs(false);
    let mut outputs = Vec::new();
    for format in [
        "human", "concise", "json", "sarif", "github", "gitlab", "junit",
    ] {
        let r = run(&["--isolated", "-f", format, "."], &root, LIMIT);
        assert!(
            r.code == 0 || r.code == 1,
            "{format}: exit {}: {}",
            r.code,
            r.stderr
        );
        outputs.push((format, r));
    }
    unlock(&root);
    let concise =
        regex::Regex::new(r"^.+:\d+:\d+: TC\d{4} (error|warning|note) .+$").expect("regex");
    for (format, r) in &outputs {
        let text = std::str::from_utf8(&r.stdout)
            .unwrap_or_else(|e| panic!("{format}: output is not UTF-8: {e}"));
        match *format {
            "human" | "concise" | "github" => {
                // Only line breaks separate findings; no escape sequence, no bidi override.
                let bad: Vec<char> = text
                    .chars()
                    .filter(|&c| {
                        (c.is_control() && c != '\n')
                            || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
                    })
                    .collect();
                assert!(bad.is_empty(), "{format}: raw control characters {bad:?}");
                assert!(
                    text.contains("\\u{1b}[31mred"),
                    "{format}: escape not shown"
                );
                if *format != "github" {
                    assert!(
                        text.contains("names/a\\nb.Dockerfile"),
                        "{format}: newline not shown"
                    );
                }
            }
            _ => {}
        }
        match *format {
            "concise" => {
                for line in text.lines() {
                    assert!(concise.is_match(line), "concise: bad line {line:?}");
                }
            }
            "github" => {
                for line in text.lines() {
                    assert!(line.starts_with("::"), "github: bad line {line:?}");
                }
                assert!(
                    text.contains("names/a%0Ab.Dockerfile"),
                    "github: newline not escaped"
                );
            }
            "json" | "sarif" | "gitlab" => {
                let v: serde_json::Value = serde_json::from_str(text)
                    .unwrap_or_else(|e| panic!("{format}: not JSON: {e}"));
                assert!(!v.is_null());
            }
            "junit" => check_xml(text),
            _ => {}
        }
        if *format == "sarif" {
            validate_sarif(text);
        }
    }
}

/// XML 1.0 allows tab, LF and CR and nothing else below U+0020; python3's parser (when there is
/// one) checks the rest.
fn check_xml(text: &str) {
    let bad: Vec<char> = text
        .chars()
        .filter(|&c| {
            ((c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r'))
                || matches!(c, '\u{FFFE}' | '\u{FFFF}')
        })
        .collect();
    assert!(
        bad.is_empty(),
        "junit: characters illegal in XML 1.0: {bad:?}"
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let file = write(dir.path(), "junit.xml", text);
    match Command::new("python3")
        .args([
            "-c",
            "import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])",
        ])
        .arg(&file)
        .output()
    {
        Ok(o) => assert!(
            o.status.success(),
            "junit: not well-formed XML: {}",
            String::from_utf8_lossy(&o.stderr)
        ),
        Err(e) => eprintln!("python3 not available ({e}): XML checked by characters only"),
    }
}

/// The SARIF validator of the project's tooling, when present; otherwise the fields GitHub
/// needs are checked here.
fn validate_sarif(text: &str) {
    let v: serde_json::Value = serde_json::from_str(text).expect("SARIF is JSON");
    assert_eq!(v["version"], "2.1.0");
    for r in v["runs"][0]["results"].as_array().expect("results") {
        let uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .expect("uri");
        assert!(
            uri.bytes().all(|b| b.is_ascii_graphic()),
            "SARIF uri not percent-encoded: {uri:?}"
        );
    }
    let tool = Path::new("/work/shared/tools/validate-sarif");
    if tool.exists() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = write(dir.path(), "out.sarif", text);
        let o = Command::new(tool)
            .arg(&file)
            .output()
            .expect("validator runs");
        assert!(
            o.status.success(),
            "SARIF invalid: {}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
    } else {
        eprintln!("validate-sarif not available: SARIF checked for JSON and URIs only");
    }
}

/// Both limits are read from the configuration file.
#[test]
fn limits_are_configurable() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    std::fs::create_dir(root.join(".git")).expect("mkdir");
    write(
        root,
        "twelve-check.toml",
        "max-file-size = 1000\nmax-nesting = 10\n",
    );
    write(root, "Dockerfile", HEALTHY_DOCKERFILE);
    let mut long = String::from("FROM rust:latest\n");
    long.push_str(&"# padding\n".repeat(100));
    write(root, "big/Dockerfile", long);
    write(
        root,
        "Cargo.toml",
        "[package]\nname = \"x\"\nversion = \"0.1.0\"\n\n[dependencies]\naxum = \"0.7\"\n",
    );
    write(root, "Cargo.lock", "version = 3\n");
    write(root, "src/main.rs", deep_rust("parens", 12));
    let r = run(&["-f", "json", "."], root, LIMIT);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let fs = findings(&r);
    expect(&fs, "Dockerfile", "TC0204", "rust:latest");
    expect(
        &fs,
        "big/Dockerfile",
        "TC0002",
        "over the 1000 byte file size limit",
    );
    expect(
        &fs,
        "src/main.rs",
        "TC0002",
        "over the max-nesting limit of 10",
    );

    let settings = run(&["--show-settings", "."], root, LIMIT);
    assert!(
        settings.text().contains("max nesting: 10"),
        "{}",
        settings.text()
    );

    write(root, "twelve-check.toml", "max-nesting = 0\n");
    let r = run(&["."], root, LIMIT);
    assert_eq!(r.code, 2, "a zero limit is a configuration error");
    assert!(r.stderr.contains("twelve-check.toml:1:"), "{}", r.stderr);
}

/// A big flat file with a finding on every line stays linear: no rule may compare every call
/// with every other (10,000 lines took 25 s in a debug build when one did; now about 1 s).
#[test]
fn many_calls_in_one_file_stay_linear() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    std::fs::create_dir(root.join(".git")).expect("mkdir");
    write(
        root,
        "Cargo.toml",
        "[package]\nname = \"x\"\nversion = \"0.1.0\"\n\n[dependencies]\naxum = \"0.7\"\n",
    );
    write(root, "Cargo.lock", "version = 3\n");
    let mut text =
        String::from("fn main() {\n    let l = std::net::TcpListener::bind(\"0.0.0.0:8080\");\n");
    for i in 0..10_000 {
        text.push_str(&format!(
            "    let x{i} = std::env::var(\"A\").unwrap_or(\"redis://cache{i}:6379\".to_string());\n"
        ));
    }
    text.push_str("}\n");
    write(root, "src/main.rs", text);
    let start = Instant::now();
    let r = run(&["--isolated", "-f", "concise", "."], root, LIMIT);
    let took = start.elapsed();
    assert_eq!(r.code, 1, "{}", r.stderr);
    let n = r.text().lines().count();
    assert!(n > 10_000, "{n} findings");
    assert!(took < Duration::from_secs(12), "took {took:?}");
}

/// Files just under the default nesting limit are parsed and checked (no stack overflow there
/// either): the guard is not a blanket skip. Closures (`|x|`) and generics (`Option<..>`) count
/// two tokens a level, so they reach the limit at fewer levels.
#[test]
fn nesting_just_under_the_limit_is_checked() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    std::fs::create_dir(root.join(".git")).expect("mkdir");
    write(
        root,
        "Cargo.toml",
        "[package]\nname = \"x\"\nversion = \"0.1.0\"\n\n[dependencies]\naxum = \"0.7\"\n",
    );
    write(root, "Cargo.lock", "version = 3\n");
    write(root, "src/main.rs", "mod parens;\nfn main() {}\n");
    for shape in SHAPES {
        let depth = match *shape {
            "closures" => 990,
            "generics" => 1_300,
            _ => 1_990,
        };
        write(
            root,
            format!("src/{}.rs", shape.replace('-', "_")),
            deep_rust(shape, depth),
        );
    }
    let r = run(&["--isolated", "-f", "json", "."], root, LIMIT);
    let fs = findings(&r);
    for shape in SHAPES {
        let path = format!("src/{}.rs", shape.replace('-', "_"));
        assert!(
            !has(&fs, &path, "TC0002", ""),
            "{path} refused just under the limit: {fs:#?}"
        );
        expect(&fs, &path, "TC0701", "8080");
    }
}

/// Fixture trees of every file kind, as checked-in (LF), with CRLF line ends, with a UTF-8 BOM,
/// and with both: the same findings on the same lines and columns.
#[test]
fn crlf_and_bom_change_no_finding() {
    let sources = [
        "fixtures/apps",
        "fixtures/f11_logs/log-to-file/fail-run-commands",
        "fixtures/f11_logs/log-to-file/fail-k8s-and-entrypoint-script",
        "fixtures/f02_dependencies/remote-script-execution/fail-procfile-and-compose",
        "fixtures/f06_processes/sticky-sessions/fail-terraform",
        "fixtures/f06_processes/sticky-sessions/fail-haproxy",
        "fixtures/f06_processes/sticky-sessions/fail-nginx",
        "fixtures/f00_meta/unused-suppression/fail-nothing-to-suppress",
        "fixtures/f02_dependencies/missing-lockfile/fail-pdm-no-lock",
    ];
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut kinds_seen = BTreeSet::new();
    let mut baseline: Option<Vec<(String, String, u64, u64)>> = None;
    for (crlf, bom) in [(false, false), (true, false), (false, true), (true, true)] {
        let dir = tempfile::tempdir().expect("tempdir");
        for (i, src) in sources.iter().enumerate() {
            copy_tree(
                &manifest.join(src),
                &dir.path().join(format!("t{i}")),
                &mut |rel, b| {
                    let name = Path::new(rel)
                        .file_name()
                        .and_then(OsStr::to_str)
                        .unwrap_or("");
                    let kind = match Path::new(rel).extension().and_then(OsStr::to_str) {
                        Some(ext) if !name.starts_with('.') => ext,
                        _ => name,
                    };
                    kinds_seen.insert(kind.to_string());
                    let mut b = b.to_vec();
                    if crlf {
                        let text = String::from_utf8_lossy(&b).replace("\r\n", "\n");
                        b = text.replace('\n', "\r\n").into_bytes();
                    }
                    if bom {
                        b.splice(0..0, [0xEF, 0xBB, 0xBF]);
                    }
                    b
                },
            );
        }
        let r = run(&["--isolated", "-f", "json", "."], dir.path(), LIMIT);
        assert!(r.code == 0 || r.code == 1, "{}", r.stderr);
        let got: Vec<(String, String, u64, u64)> = findings(&r)
            .into_iter()
            .map(|f| (f.path, f.code, f.line, f.column))
            .collect();
        assert!(got.len() > 20, "too few findings to compare: {got:?}");
        match &baseline {
            None => baseline = Some(got),
            Some(lf) => {
                let lf_set: BTreeSet<_> = lf.iter().collect();
                let got_set: BTreeSet<_> = got.iter().collect();
                assert_eq!(
                    lf_set.difference(&got_set).collect::<Vec<_>>(),
                    got_set.difference(&lf_set).collect::<Vec<_>>(),
                    "crlf={crlf} bom={bom}: findings differ from LF (left: only in LF, right: only here)"
                );
            }
        }
    }
    for kind in [
        "rs",
        "toml",
        "yml",
        "yaml",
        "json",
        "sh",
        "tf",
        "cfg",
        ".env",
        "Dockerfile",
        "Procfile",
        "conf",
    ] {
        assert!(
            kinds_seen.contains(kind),
            "no {kind} file in the CRLF/BOM corpus"
        );
    }
}

fn copy_tree(from: &Path, to: &Path, transform: &mut dyn FnMut(&str, &[u8]) -> Vec<u8>) {
    let mut stack = vec![from.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read_dir") {
            let e = e.expect("entry");
            let p = e.path();
            if e.file_type().expect("type").is_dir() {
                stack.push(p);
                continue;
            }
            let rel = p
                .strip_prefix(from)
                .expect("under")
                .to_string_lossy()
                .into_owned();
            if rel.ends_with("case.toml") {
                continue;
            }
            let bytes = std::fs::read(&p).expect("read");
            write(to, &rel, transform(&rel, &bytes));
        }
    }
}
