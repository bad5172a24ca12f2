//! Issue 13, class 2: a secret is never printed, by any path. The attack reproducers r02-r06
//! (`../shared/attacks/`) as tests of the binary, and a randomised test that places secrets in
//! every kind of file the tool reads, in the positions rules quote in their messages, and greps
//! every output format, the baseline file and `--statistics` for them.
//!
//! The randomised test uses a seeded xorshift generator rather than `proptest`: the inputs are
//! built from templates, so shrinking would buy little, and a fixed seed keeps every run (and
//! every failure) reproducible without a new dependency to compile on a shared machine. Set
//! `SECRETS_SEED` to try another seed and `SECRETS_CASES` for more cases.

#[path = "common/child.rs"]
mod child;

use std::path::Path;
use std::time::Duration;

use twelve_check::baseline::Baseline;
use twelve_check::config::{self, Overrides};
use twelve_check::report::{self, Format, RenderOptions};

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// The secret rules are preview (corpus precision under 0.90); these tests turn them on by exact
/// code, as a user who wants them does, and judge their findings and masks.
const SECRETS: &str = "--extend-select=TC0301,TC0302";

/// Runs the binary in `cwd` through the shared harness; longer than ten seconds is a hang.
fn run(args: &[&str], cwd: &Path) -> Run {
    let r = child::run(args, cwd, Duration::from_secs(10));
    Run {
        code: r.code,
        stdout: r.text(),
        stderr: r.stderr,
    }
}

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    if let Some(d) = p.parent() {
        std::fs::create_dir_all(d).expect("mkdir");
    }
    std::fs::write(p, text).expect("write");
}

/// What an output must not hold of each secret: any 8 characters after the first four (what
/// the masking convention may keep), searched for all at once.
struct Leaks {
    windows: Vec<String>,
    ac: aho_corasick::AhoCorasick,
}

impl Leaks {
    fn new(secrets: &[&str]) -> Leaks {
        let mut windows = Vec::new();
        for s in secrets {
            let chars: Vec<char> = s.chars().collect();
            for i in 4..chars.len().saturating_sub(7) {
                windows.push(chars[i..i + 8].iter().collect::<String>());
            }
        }
        let ac = aho_corasick::AhoCorasick::new(&windows).expect("automaton");
        Leaks { windows, ac }
    }

    fn check(&self, what: &str, output: &str) {
        if let Some(m) = self.ac.find(output) {
            panic!(
                "{what} leaks `{}` of a secret:\n{output}",
                self.windows[m.pattern().as_usize()]
            );
        }
    }
}

fn assert_no_leak(what: &str, output: &str, secrets: &[&str]) {
    Leaks::new(secrets).check(what, output);
}

const FORMATS: [&str; 7] = [
    "human", "concise", "json", "sarif", "github", "gitlab", "junit",
];

/// Every output of the binary for `root`: each format, `--statistics`, `-v` (stderr too) and
/// the baseline file, each also with the secret rules ignored.
fn every_output(root: &Path, extra: &[&str]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for ignore in [None, Some("TC0301,TC0302")] {
        let mut base: Vec<&str> = vec!["--isolated"];
        base.extend_from_slice(extra);
        match ignore {
            Some(i) => base.extend(["--ignore", i]),
            None => base.push(SECRETS),
        }
        for f in FORMATS {
            let mut args = base.clone();
            args.extend(["-f", f, "-v", "."]);
            let r = run(&args, root);
            assert!(r.code <= 1, "exit {}: {}", r.code, r.stderr);
            out.push((format!("{f} {ignore:?}"), r.stdout + &r.stderr));
        }
        let mut args = base.clone();
        args.extend(["--statistics", "."]);
        let r = run(&args, root);
        out.push((format!("--statistics {ignore:?}"), r.stdout + &r.stderr));
        let baseline = root.join("baseline.json");
        let b = baseline.to_str().expect("utf-8 path");
        let mut args = base.clone();
        args.extend(["--write-baseline", b, "."]);
        let r = run(&args, root);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let text = std::fs::read_to_string(&baseline).expect("baseline written");
        std::fs::remove_file(&baseline).expect("remove baseline");
        out.push((format!("baseline {ignore:?}"), text + &r.stdout + &r.stderr));
    }
    out
}

#[test]
fn r02_secrets_quoted_by_other_rules_are_masked_in_every_format() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    write(
        root,
        "Dockerfile",
        "FROM rust:1.80\nRUN curl -fsSL https://deploy:Zq9SecretPassw0rd@get.example.com/install.sh | sh\nCMD ./app --stripe-key=sk_live_4eC39HqLyjWDarjtT1zdp7dc --serve\n",
    );
    write(
        root,
        "proc/Procfile",
        "web --token=ghp_16C7e42F292c6912E7710c838347Ae178B4a: ./app\n",
    );
    write(
        root,
        "Procfile",
        "worker: ./worker --api-secret=W0rkerSecretLeak555 & ./other & wait\n",
    );
    write(
        root,
        "svc/Cargo.toml",
        "[package]\nname=\"svc\"\nversion=\"0.1.0\"\n[dependencies]\nprivate = { git = \"https://ci:ghp_TokenWith/Slash123456789@github.com/acme/p.git\" }\np2 = { git = \"https://github.com/acme/p2.git?access_token=ghp_QueryStringToken0123456789abcdefAB\" }\n",
    );
    let secrets = [
        "Zq9SecretPassw0rd",
        "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
        "ghp_16C7e42F292c6912E7710c838347Ae178B4a",
        "W0rkerSecretLeak555",
        "ghp_TokenWith/Slash123456789",
        "ghp_QueryStringToken0123456789abcdefAB",
    ];
    for (what, text) in every_output(root, &[]) {
        assert_no_leak(&what, &text, &secrets);
    }
    // The findings that quoted them are still there.
    let r = run(&["--isolated", SECRETS, "-f", "concise", "."], root);
    for code in ["TC0206", "TC0902", "TC0802", "TC0002", "TC0203"] {
        assert!(r.stdout.contains(code), "{code} missing:\n{}", r.stdout);
    }
}

#[test]
fn r03_a_secret_stays_masked_once_its_finding_is_baselined_ignored_or_suppressed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    let token = "ghp_16C7e42F292c6912E7710c838347Ae178B4a";
    write(
        root,
        "Dockerfile",
        &format!("FROM rust:latest\nENV API_TOKEN={token}\nCMD [\"app\"]\n"),
    );
    let b = root.join("b.json");
    let b = b.to_str().expect("utf-8 path");
    let w = run(
        &[
            "--isolated",
            SECRETS,
            "--select",
            "TC0301",
            "--write-baseline",
            b,
            ".",
        ],
        root,
    );
    assert_eq!(w.code, 0, "{}", w.stderr);
    for args in [
        vec!["--isolated", SECRETS, "-q", "."],
        vec!["--isolated", SECRETS, "-q", "--baseline", b, "."],
        vec!["--isolated", SECRETS, "-q", "--ignore", "TC0301", "."],
    ] {
        let r = run(&args, root);
        // The neighbouring TC0204 finding shows line 2 as context, masked.
        assert!(
            r.stdout.contains("API_TOKEN=ghp_"),
            "{args:?}:\n{}",
            r.stdout
        );
        assert_no_leak(&format!("{args:?}"), &r.stdout, &[token]);
    }
    write(
        root,
        "Dockerfile",
        &format!(
            "# twelve-check: ignore-file[TC0301]\nFROM rust:latest\nENV API_TOKEN={token}\nCMD [\"app\"]\n"
        ),
    );
    let r = run(&["--isolated", SECRETS, "-q", "."], root);
    assert!(r.stdout.contains("API_TOKEN=ghp_"), "{}", r.stdout);
    assert_no_leak("ignore-file", &r.stdout, &[token]);
}

#[test]
fn r04_bare_cr_line_breaks_put_the_mask_on_the_secret() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    let password = "Cr0nlyFullLeakD1b2C3d4E5";
    write(
        root,
        "config.yaml",
        &format!(
            "description: this service handles payments for the shop\rDB_PASSWORD: {password}\r"
        ),
    );
    let r = run(&["--isolated", SECRETS, "-f", "concise", "."], root);
    assert!(
        r.stdout.contains("config.yaml:2:14: TC0301"),
        "{}",
        r.stdout
    );
    let r = run(&["--isolated", SECRETS, "."], root);
    assert!(r.stdout.contains(" 2 │ DB_PASSWORD: Cr0n"), "{}", r.stdout);
    assert!(
        r.stdout.contains("description: this service handles"),
        "{}",
        r.stdout
    );
    for (what, text) in every_output(root, &[]) {
        assert_no_leak(&what, &text, &[password]);
    }
}

#[test]
fn r05_a_pem_key_is_masked_from_begin_to_end() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    let body = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjEnvPemBodyLeak0123456789";
    write(
        root,
        ".env",
        &format!(
            "PORT=8080\nPRIVATE_KEY=\"-----BEGIN PRIVATE KEY-----\n{body}\n-----END PRIVATE KEY-----\"\n"
        ),
    );
    let r = run(&["--isolated", SECRETS, "-f", "concise", "."], root);
    assert!(r.stdout.contains("TC0301"), "{}", r.stdout);
    for (what, text) in every_output(root, &[]) {
        assert_no_leak(&what, &text, &[body]);
    }
}

#[test]
fn r06_a_file_that_does_not_parse_is_never_shown() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    write(
        root,
        "config.yaml",
        "database:\n  password: \"Sup3rS3cretDbPassw0rd!\"\n  host: [unclosed\n",
    );
    write(
        root,
        "settings.toml",
        "password = \"Xk8s9Lq2Vb7Nm4Zp\"\nport = = 8080\n",
    );
    // Not UTF-8, and NUL after the first 8 KiB: never shown either.
    let mut bad = b"FROM rust:latest\nENV TOKEN_NOTE=Zr7\xff\xfeQk2Lm9Np4Vx8\n".to_vec();
    bad.extend_from_slice(b"CMD [\"app\"]\n");
    std::fs::write(root.join("Dockerfile"), &bad).expect("write");
    let mut nul = "FROM rust:latest\n".repeat(600);
    nul.push_str("ENV API_SECRET_NOTE=Wq4Zr7Tn2Mk8Pv6Lx0\n\0\n");
    write(root, "svc/Dockerfile", &nul);
    let r = run(&["--isolated", SECRETS, "-f", "concise", "."], root);
    assert!(r.stdout.contains("config.yaml:4:1: TC0002"), "{}", r.stdout);
    assert!(r.stdout.contains("settings.toml:2"), "{}", r.stdout);
    let secrets = [
        "Sup3rS3cretDbPassw0rd!",
        "Xk8s9Lq2Vb7Nm4Zp",
        "Qk2Lm9Np4Vx8",
        "Wq4Zr7Tn2Mk8Pv6Lx0",
    ];
    for (what, text) in every_output(root, &[]) {
        assert_no_leak(&what, &text, &secrets);
    }
    let r = run(&["--isolated", SECRETS, "."], root);
    for line in ["password", "port = =", "ENV API_SECRET_NOTE"] {
        assert!(
            !r.stdout
                .lines()
                .any(|l| l.contains('│') && l.contains(line)),
            "snippet of a file that must not be shown:\n{}",
            r.stdout
        );
    }
}

#[test]
fn configuration_errors_mask_secrets_on_stderr() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    let token = "ghp_16C7e42F292c6912E7710c838347Ae178B4a";
    write(
        root,
        "twelve-check.toml",
        &format!("# deploy token {token}\napi_key = \"{token}\"\nselect = \"TC0301\"\n"),
    );
    let r = run(&["."], root);
    assert_eq!(r.code, 2, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("twelve-check.toml"), "{}", r.stderr);
    assert_no_leak("stderr", &(r.stdout + &r.stderr), &[token]);
}

// ---------------------------------------------------------------------------------------------
// Randomised placement.

/// xorshift64*: small, seeded, reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn chars(&mut self, alphabet: &[u8], n: usize) -> String {
        (0..n)
            .map(|_| char::from(alphabet[self.below(alphabet.len())]))
            .collect()
    }

    /// Random letters and digits that read as no placeholder or documented fake.
    fn alnum(&mut self, n: usize) -> String {
        const A: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";
        loop {
            let s = self.chars(A, n);
            let l = s.to_ascii_lowercase();
            let fake = [
                "test", "example", "fake", "mock", "dummy", "sample", "your", "todo",
            ]
            .iter()
            .any(|f| l.contains(f));
            if !fake && s.chars().any(|c| c.is_ascii_digit()) {
                return s;
            }
        }
    }
}

/// A secret as it is written into a file, with the raw values that must never be printed.
struct Secret {
    expr: String,
    raw: Vec<String>,
}

fn token(rng: &mut Rng) -> Secret {
    let t = match rng.below(8) {
        0 => format!("ghp_{}", rng.alnum(36)),
        1 => format!("github_pat_{}", rng.alnum(60)),
        2 => format!("glpat-{}", rng.alnum(20)),
        3 => format!("xoxb-{}-{}", rng.chars(b"123456789", 11), rng.alnum(24)),
        4 => format!("sk_live_{}", rng.alnum(24)),
        5 => format!("AKIA{}", rng.chars(b"ABCDEFGHJKLMNPQRSTUVWXYZ234567", 16)),
        6 => format!("AIza{}", rng.alnum(35)),
        _ => format!("npm_{}", rng.alnum(36)),
    };
    Secret {
        expr: t.clone(),
        raw: vec![t],
    }
}

fn url(rng: &mut Rng, git: bool) -> Secret {
    let path = if git { "acme/p.git" } else { "install.sh" };
    if rng.below(2) == 0 {
        let p = rng.alnum(18);
        Secret {
            expr: format!("https://deploy:{p}@get.example.com/{path}"),
            raw: vec![p],
        }
    } else {
        let v = rng.alnum(32);
        let name = rng.pick(&["access_token", "token", "key", "api_key", "secret", "sig"]);
        Secret {
            expr: format!("https://get.example.com/{path}?{name}={v}"),
            raw: vec![v],
        }
    }
}

fn arg(rng: &mut Rng) -> Secret {
    let v = rng.alnum(20);
    let expr = match rng.below(6) {
        0 => format!("--stripe-key={v}"),
        1 => format!("--api-secret={v}"),
        2 => format!("--token={v}"),
        3 => format!("--db-password={v}"),
        4 => format!("--auth-token={v}"),
        _ => format!("--password {v}"),
    };
    Secret { expr, raw: vec![v] }
}

fn pem(rng: &mut Rng) -> Secret {
    const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let lines: Vec<String> = (0..3).map(|_| rng.chars(B64, 64)).collect();
    Secret {
        expr: format!(
            "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----",
            lines.join("\n")
        ),
        raw: lines,
    }
}

/// A self-identifying secret: recognisable without a name.
fn free(rng: &mut Rng) -> Secret {
    match rng.below(3) {
        0 => token(rng),
        1 => url(rng, false),
        _ => arg(rng),
    }
}

/// Any secret, for a position that binds it to a secret name.
fn named(rng: &mut Rng) -> Secret {
    match rng.below(3) {
        0 => token(rng),
        1 => {
            let p = rng.alnum(16);
            Secret {
                expr: p.clone(),
                raw: vec![p],
            }
        }
        _ => url(rng, false),
    }
}

const NAMES: &[&str] = &[
    "DB_PASSWORD",
    "API_TOKEN",
    "STRIPE_SECRET_KEY",
    "CLIENT_SECRET",
    "API_KEY",
    "JWT_SECRET",
];

const SERVICE_MANIFEST: &str = "[package]\nname = \"svc\"\nversion = \"0.1.0\"\n\n[dependencies]\naxum = \"0.7\"\ntokio = { version = \"1\", features = [\"full\"] }\n";

/// One file (or a few) holding a secret, in a position some rule reads; returns the files.
fn placement(rng: &mut Rng, out: &mut Vec<String>) -> Vec<(String, String)> {
    let name = *rng.pick(NAMES);
    let lower = name.to_ascii_lowercase();
    let kind = rng.below(30);
    let (s, files): (Secret, Vec<(&str, String)>) = match kind {
        // Named positions.
        0 => {
            let s = named(rng);
            let f = format!(
                "FROM rust:latest\nENV {name}={}\nCMD ./app --port 8080\n",
                s.expr
            );
            (s, vec![("Dockerfile", f)])
        }
        1 => {
            let s = named(rng);
            let f = format!(
                "FROM node:latest\nARG {name}={0}\nENV {name} {0}\nRUN npm install\nCMD node app.js & node worker.js\n",
                s.expr
            );
            (s, vec![("Dockerfile", f)])
        }
        2 => {
            let s = named(rng);
            let f = format!("PORT=8080\n{name}={}\nDEBUG=true\n", s.expr);
            (s, vec![(".env", f)])
        }
        3 => {
            let s = named(rng);
            let f = format!(
                "services:\n  web:\n    image: app:latest\n    environment:\n      {name}: \"{}\"\n    command: ./app & ./worker\n",
                s.expr
            );
            (s, vec![("docker-compose.yml", f)])
        }
        4 => {
            let s = named(rng);
            let f = format!(
                "services:\n  web:\n    image: redis\n    environment:\n      - {name}={}\n    ports:\n      - \"8080:8080\"\n",
                s.expr
            );
            (s, vec![("compose.yaml", f)])
        }
        5 => {
            let s = named(rng);
            let f = format!(
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: web:latest\n          env:\n            - name: {name}\n              value: \"{}\"\n          command: [\"sh\", \"-c\", \"./app & ./worker\"]\n",
                s.expr
            );
            (s, vec![("k8s/deploy.yaml", f)])
        }
        6 => {
            let s = named(rng);
            let f = format!("server:\n  port: 8080\n  {lower}: \"{}\"\n", s.expr);
            (s, vec![("config/app.yaml", f)])
        }
        7 => {
            let s = named(rng);
            let f = format!("[server]\nport = 8080\n{lower} = \"{}\"\n", s.expr);
            (s, vec![("config/app.toml", f)])
        }
        8 => {
            let s = named(rng);
            let f = format!("{{\"port\": 8080, \"{lower}\": \"{}\"}}\n", s.expr);
            (s, vec![("config/app.json", f)])
        }
        9 => {
            let s = named(rng);
            let f = format!(
                "use std::net::TcpListener;\n\nconst {name}: &str = \"{}\";\n\nfn main() {{\n    let l = TcpListener::bind(\"127.0.0.1:8080\").unwrap();\n    std::fs::write(\"/var/log/app.log\", {name}).ok();\n    drop(l);\n}}\n",
                s.expr
            );
            (
                s,
                vec![
                    ("Cargo.toml", SERVICE_MANIFEST.to_string()),
                    ("src/main.rs", f),
                ],
            )
        }
        10 => {
            let s = named(rng);
            let f = format!(
                "#!/bin/sh\nexport {name}={}\n./app &\nsleep 5\nexec ./server\n",
                s.expr
            );
            let d = "FROM rust:latest\nCOPY start.sh /start.sh\nENTRYPOINT [\"/start.sh\"]\n";
            (s, vec![("start.sh", f), ("Dockerfile", d.to_string())])
        }
        11 => {
            let s = named(rng);
            let f = format!(
                "[package]\nname = \"x\"\nversion = \"0.1.0\"\n\n[package.metadata.deploy]\n{lower} = \"{}\"\n\n[dependencies]\nserde = \"*\"\n",
                s.expr
            );
            (s, vec![("Cargo.toml", f)])
        }
        12 => {
            let s = named(rng);
            let f = format!(
                "{{\"name\": \"x\", \"config\": {{\"{lower}\": \"{}\"}}, \"dependencies\": {{\"left-pad\": \"*\"}}}}\n",
                s.expr
            );
            (s, vec![("package.json", f)])
        }
        13 => {
            let s = named(rng);
            let f = format!(
                "server {{\n  listen 8080;\n  set ${lower} \"{}\";\n  location / {{ proxy_pass http://127.0.0.1:9000; }}\n}}\n",
                s.expr
            );
            (s, vec![("nginx.conf", f)])
        }
        // Command lines and other quoted positions.
        14 => {
            let s = free(rng);
            let f = format!("FROM rust:1.80\nCMD ./app {} --serve\n", s.expr);
            (s, vec![("Dockerfile", f)])
        }
        15 => {
            let s = free(rng);
            let f = format!(
                "FROM rust:1.80\nRUN ./install.sh {} && cargo build --release\nENTRYPOINT ./app\n",
                s.expr
            );
            (s, vec![("Dockerfile", f)])
        }
        16 => {
            let s = free(rng);
            let f = format!("web: ./app {} & ./other & wait\nworker: ./worker\n", s.expr);
            (s, vec![("Procfile", f)])
        }
        17 => {
            let s = free(rng);
            let f = format!("web {}: ./app\n", s.expr);
            (s, vec![("Procfile", f)])
        }
        18 => {
            let s = free(rng);
            let f = format!(
                "services:\n  web:\n    image: app:1.0\n    command: sh -c \"./app {} & ./worker\"\n",
                s.expr
            );
            (s, vec![("docker-compose.yml", f)])
        }
        19 => {
            let s = free(rng);
            let f = format!(
                "#!/bin/sh\n# deploy with {0}\n./app {0} &\nnohup ./worker > /var/log/w.log &\n",
                s.expr
            );
            let d = "FROM rust:latest\nCOPY run.sh /run.sh\nCMD /run.sh\n";
            (s, vec![("run.sh", f), ("Dockerfile", d.to_string())])
        }
        20 => {
            let s = free(rng);
            let f = format!(
                "use std::process::Command;\n\n// {0}\nfn main() {{\n    let _ = Command::new(\"sh\").arg(\"-c\").arg(\"./tool {0}\").spawn();\n    let _ = std::net::TcpListener::bind(\"0.0.0.0:8080\");\n}}\n",
                s.expr
            );
            (
                s,
                vec![
                    ("Cargo.toml", SERVICE_MANIFEST.to_string()),
                    ("src/main.rs", f),
                ],
            )
        }
        21 => {
            let s = free(rng);
            let f = format!(
                "{{\"name\": \"x\", \"scripts\": {{\"start\": \"node app.js {} & node w.js\"}}, \"dependencies\": {{\"express\": \"^4\"}}}}\n",
                s.expr
            );
            (s, vec![("package.json", f)])
        }
        // URLs.
        22 => {
            let s = url(rng, false);
            let f = format!("FROM rust:1.80\nRUN curl -fsSL {} | sh\n", s.expr);
            (s, vec![("Dockerfile", f)])
        }
        23 => {
            let s = url(rng, true);
            let f = format!(
                "[package]\nname = \"x\"\nversion = \"0.1.0\"\n\n[dependencies]\nprivate = {{ git = \"{}\" }}\n",
                s.expr
            );
            (s, vec![("Cargo.toml", f)])
        }
        24 => {
            let s = url(rng, true);
            let f = format!("requests\nprivate @ git+{}\nflask\n", s.expr);
            (s, vec![("requirements.txt", f)])
        }
        25 => {
            let s = url(rng, true);
            let f = format!(
                "{{\"name\": \"x\", \"dependencies\": {{\"p\": \"git+{}\", \"q\": \"*\"}}}}\n",
                s.expr
            );
            (s, vec![("package.json", f)])
        }
        26 => {
            let s = url(rng, false);
            let f = format!(
                "server {{\n  listen 127.0.0.1:8080;\n  location / {{ proxy_pass {}; }}\n}}\n",
                s.expr
            );
            (s, vec![("nginx.conf", f)])
        }
        27 => {
            let s = url(rng, false);
            let f = format!("#!/bin/sh\ncurl -fsSL {} | sh\n./app &\n", s.expr);
            let d = "FROM rust:latest\nCOPY entry.sh /entry.sh\nENTRYPOINT [\"/entry.sh\"]\n";
            (s, vec![("entry.sh", f), ("Dockerfile", d.to_string())])
        }
        // PEM keys across lines.
        28 => {
            let s = pem(rng);
            let f = format!("PORT=8080\nPRIVATE_KEY=\"{}\"\n", s.expr);
            (s, vec![(".env", f)])
        }
        _ => {
            let s = pem(rng);
            let body = s.expr.replace('\n', "\n    ");
            let f = format!("server:\n  port: 8080\n  tls_key: |\n    {body}\n");
            (s, vec![("config/tls.yaml", f)])
        }
    };
    out.extend(s.raw);
    // Now and then a suppression of the secret rules above the file's lines.
    let suppress = rng.below(4) == 0;
    files
        .into_iter()
        .map(|(p, text)| {
            let comment = match p.rsplit('.').next() {
                _ if !suppress => None,
                Some("json") => None,
                Some("rs") => Some("// twelve-check: ignore-file[TC0301,TC0302]\n"),
                _ if p.ends_with("Procfile") => None,
                _ => Some("# twelve-check: ignore-file[TC0301,TC0302]\n"),
            };
            let text = match comment {
                // A shebang stays first.
                Some(c) if text.starts_with("#!") => {
                    let (first, rest) = text.split_once('\n').unwrap_or((&text, ""));
                    format!("{first}\n{c}{rest}")
                }
                Some(c) => format!("{c}{text}"),
                None => text,
            };
            (p.to_string(), text)
        })
        .collect()
}

fn outputs(root: &Path, secrets: &[String]) -> (usize, usize) {
    let settings = |select: Option<&str>, ignore: &[&str]| {
        let o = Overrides {
            isolated: true,
            preview: true,
            select: select.map(|s| s.split(',').map(str::to_string).collect()),
            ignore: ignore.iter().map(|s| s.to_string()).collect(),
            ..Overrides::default()
        };
        config::load(root, &o).expect("settings")
    };
    let roots = [root.to_path_buf()];
    // The baseline of the secret findings alone, applied to a full run.
    let secret_only = settings(Some("TC0301,TC0302"), &[]);
    let b = Baseline::from_report(&twelve_check::check(&roots, &secret_only).expect("run"));
    let b = Baseline::parse(&b.to_json()).expect("baseline parses");
    let variants = [
        ("all", settings(None, &[]), false),
        ("ignore", settings(None, &["TC0301", "TC0302"]), false),
        (
            "select",
            settings(Some("TC00,TC02,TC04,TC05,TC07,TC08,TC09,TC11"), &[]),
            false,
        ),
        ("baseline", settings(None, &[]), true),
    ];
    let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
    let leaks = Leaks::new(&secrets);
    let (mut findings, mut snippets) = (0, 0);
    for (name, s, baseline) in variants {
        let mut report = twelve_check::check(&roots, &s).expect("run");
        if baseline {
            b.apply(&mut report);
        }
        findings += report.findings.len();
        let opts = RenderOptions::default();
        for f in FORMATS {
            let format = Format::parse(f).expect("format");
            let text = report::render(format, &report, &s, &opts);
            if f == "human" {
                snippets += text.matches(" │ ").count();
            }
            leaks.check(&format!("{name} {f} in {}", root.display()), &text);
        }
        let baseline = Baseline::from_report(&report).to_json();
        leaks.check(&format!("{name} baseline"), &baseline);
    }
    (findings, snippets)
}

#[test]
fn random_secrets_in_every_file_kind_never_reach_any_output() {
    let seed: u64 = std::env::var("SECRETS_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed_1213);
    let cases: usize = std::env::var("SECRETS_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(80);
    let mut rng = Rng(seed | 1);
    let (mut findings, mut snippets) = (0, 0);
    let mut last = None;
    for case in 0..cases {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path();
        let mut secrets = Vec::new();
        for i in 0..1 + rng.below(4) {
            for (p, text) in placement(&mut rng, &mut secrets) {
                write(root, &format!("p{i}/{p}"), &text);
            }
        }
        let (f, s) = outputs(root, &secrets);
        assert!(f > 0, "case {case} (seed {seed}): no finding at all");
        findings += f;
        snippets += s;
        last = Some(dir);
    }
    assert!(
        findings > cases * 4 && snippets > cases * 4,
        "{findings} {snippets}"
    );
    // Through the binary once too: `--statistics`, `-v`, stderr, the baseline file.
    let dir = last.expect("a case ran");
    let mut secrets = Vec::new();
    for i in 0..30 {
        for (p, text) in placement(&mut rng, &mut secrets) {
            write(dir.path(), &format!("q{i}/{p}"), &text);
        }
    }
    let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
    for (what, text) in every_output(dir.path(), &["--preview"]) {
        assert_no_leak(&what, &text, &secrets);
    }
}
