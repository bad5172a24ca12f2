//! Running the binary as a child process for the hostile-input tests (`tests/hostile*.rs`):
//! a hang is killed after a limit and fails the test, and the JSON findings are read back.
//! Included with `#[path]` by each test file that uses it.

#![allow(dead_code)]

use std::io::Read;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

pub struct Run {
    pub code: i32,
    pub stdout: Vec<u8>,
    pub stderr: String,
    /// Peak resident memory of the child, in KiB.
    pub max_rss_kib: i64,
    /// Wall time of the run.
    pub took: Duration,
}

impl Run {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }
}

/// Runs the binary in `cwd`; a run longer than `limit` is killed and fails the test as a hang.
// The child is reaped by `wait4` below, which clippy cannot see.
#[allow(clippy::zombie_processes)]
pub fn run(args: &[&str], cwd: &Path, limit: Duration) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_twelve-check"));
    cmd.args(args).current_dir(cwd);
    run_cmd(cmd, limit)
}

/// Runs `cmd` (the binary, with its arguments and folder set); a run longer than `limit` is
/// killed and fails the test as a hang.
// The child is reaped by `wait4` below, which clippy cannot see.
#[allow(clippy::zombie_processes)]
pub fn run_cmd(mut cmd: Command, limit: Duration) -> Run {
    let mut child = cmd
        .env_remove("TWELVE_CHECK_FORMAT")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("binary runs");
    // Drain the pipes on threads so a large output cannot block the child.
    let mut out = child.stdout.take().expect("stdout");
    let mut err = child.stderr.take().expect("stderr");
    let out = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = out.read_to_end(&mut b);
        b
    });
    let err = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = err.read_to_end(&mut b);
        b
    });
    let start = Instant::now();
    let pid = child.id() as libc::pid_t;
    // wait4 gives this child's own peak memory (getrusage would mix every test's children).
    let (status, max_rss_kib) = loop {
        let mut status = 0;
        // SAFETY: an all-zero rusage is a valid value of the plain C struct.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: plain out-parameters; the pid is our own unreaped child.
        let r = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        if r == pid {
            break (ExitStatus::from_raw(status), usage.ru_maxrss);
        }
        assert!(r == 0, "wait4 failed");
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("hang: {cmd:?} ran longer than {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let took = start.elapsed();
    let stderr = String::from_utf8_lossy(&err.join().expect("stderr thread")).into_owned();
    assert!(!stderr.contains("panicked"), "panic in {cmd:?}:\n{stderr}");
    Run {
        code: status
            .code()
            .unwrap_or_else(|| panic!("killed by a signal: {status:?}\n{stderr}")),
        stdout: out.join().expect("stdout thread"),
        stderr,
        max_rss_kib,
        took,
    }
}

pub const LIMIT: Duration = Duration::from_secs(60);

pub fn write(root: &Path, rel: impl AsRef<Path>, bytes: impl AsRef<[u8]>) -> PathBuf {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(&p, bytes).expect("write");
    p
}

/// One finding from the JSON output.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct F {
    pub path: String,
    pub code: String,
    pub line: u64,
    pub column: u64,
    pub message: String,
}

pub fn findings(run: &Run) -> Vec<F> {
    let v: serde_json::Value = serde_json::from_slice(&run.stdout)
        .unwrap_or_else(|e| panic!("JSON output does not parse: {e}\n{}", run.text()));
    v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| F {
            path: f["path"].as_str().unwrap_or_default().to_string(),
            code: f["code"].as_str().unwrap_or_default().to_string(),
            line: f["line"].as_u64().unwrap_or_default(),
            column: f["column"].as_u64().unwrap_or_default(),
            message: f["message"].as_str().unwrap_or_default().to_string(),
        })
        .collect()
}

pub fn has(fs: &[F], path: &str, code: &str, fragment: &str) -> bool {
    fs.iter()
        .any(|f| f.path == path && f.code == code && f.message.contains(fragment))
}

#[track_caller]
pub fn expect(fs: &[F], path: &str, code: &str, fragment: &str) {
    assert!(
        has(fs, path, code, fragment),
        "no {code} containing {fragment:?} on {path:?}; findings:\n{}",
        fs.iter()
            .map(|f| format!("{} {}:{} {}", f.code, f.path, f.line, f.message))
            .collect::<Vec<_>>()
            .join("\n")
    );
}
