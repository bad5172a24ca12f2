//! The only code that touches the filesystem: one parallel directory walk with the `ignore`
//! crate, reading a file, and the few existence probes the repo rules need.
//!
//! `.gitignore` is respected (also outside a git work tree), hidden files are walked (`.env`,
//! `.github/`), symbolic links are never followed (one pointing outside the root, a loop or a
//! broken one is reported), FIFOs, sockets and devices are reported and never opened, and
//! `.git/`, `target/` and `node_modules/` are skipped.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use globset::GlobSet;
use ignore::{ParallelVisitor, ParallelVisitorBuilder, WalkBuilder, WalkState};

/// A regular file found by the walk.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Entry {
    /// Path relative to the root, forward slashes.
    pub rel: String,
    /// Path to open.
    pub abs: PathBuf,
}

/// Something the walk could not look at.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct WalkIssue {
    /// Path relative to the root, when known.
    pub rel: String,
    /// What went wrong.
    pub message: String,
}

/// Walk settings.
pub struct WalkOptions<'a> {
    /// Respect `.gitignore`, `.ignore` and git's exclude files.
    pub respect_ignore: bool,
    /// Worker threads.
    pub threads: usize,
    /// Paths (relative to the root) to leave out.
    pub exclude: &'a GlobSet,
}

const SKIPPED_DIRS: &[&str] = &[".git", "target", "node_modules"];

/// Lists every regular file under `root`, sorted by relative path.
pub fn walk(root: &Path, opts: &WalkOptions<'_>) -> (Vec<Entry>, Vec<WalkIssue>) {
    if root.exists() && !root.is_dir() {
        let rel = root
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        return match std::fs::metadata(root) {
            Ok(m) if !m.is_file() => (
                vec![],
                vec![WalkIssue {
                    rel,
                    message: format!(
                        "skipped: {}, not a regular file",
                        special_kind(&m.file_type())
                    ),
                }],
            ),
            _ => (
                vec![Entry {
                    rel,
                    abs: root.to_path_buf(),
                }],
                vec![],
            ),
        };
    }
    let entries = Mutex::new(Vec::new());
    let issues = Mutex::new(Vec::new());
    let root_owned = root.to_path_buf();
    let exclude = opts.exclude.clone();
    let walker = WalkBuilder::new(root)
        .hidden(false)
        .follow_links(false)
        .git_ignore(opts.respect_ignore)
        .git_global(false)
        .git_exclude(opts.respect_ignore)
        .ignore(opts.respect_ignore)
        .parents(opts.respect_ignore)
        .require_git(false)
        .threads(opts.threads)
        .filter_entry(move |e| {
            let is_dir = e.file_type().is_some_and(|t| t.is_dir());
            if is_dir && e.depth() > 0 {
                let name = e.file_name().to_string_lossy();
                if SKIPPED_DIRS.contains(&name.as_ref()) {
                    return false;
                }
            }
            exclude.is_empty() || {
                let rel = relative(&root_owned, e.path());
                let dir_match = is_dir && exclude.is_match(format!("{rel}/"));
                !exclude.is_match(&rel) && !dir_match
            }
        })
        .build_parallel();
    let mut builder = CollectorBuilder {
        root,
        entries: &entries,
        issues: &issues,
    };
    walker.visit(&mut builder);
    let mut entries = entries.into_inner().unwrap_or_default();
    let mut issues = issues.into_inner().unwrap_or_default();
    entries.sort();
    issues.sort();
    (entries, issues)
}

struct CollectorBuilder<'s> {
    root: &'s Path,
    entries: &'s Mutex<Vec<Entry>>,
    issues: &'s Mutex<Vec<WalkIssue>>,
}

impl<'s> ParallelVisitorBuilder<'s> for CollectorBuilder<'s> {
    fn build(&mut self) -> Box<dyn ParallelVisitor + 's> {
        Box::new(Collector {
            root: self.root,
            entries: self.entries,
            issues: self.issues,
            files: Vec::new(),
            errs: Vec::new(),
        })
    }
}

/// Per-thread collector: no lock on the hot path, merged once when the thread's visitor drops.
struct Collector<'s> {
    root: &'s Path,
    entries: &'s Mutex<Vec<Entry>>,
    issues: &'s Mutex<Vec<WalkIssue>>,
    files: Vec<Entry>,
    errs: Vec<WalkIssue>,
}

impl ParallelVisitor for Collector<'_> {
    fn visit(&mut self, res: Result<ignore::DirEntry, ignore::Error>) -> WalkState {
        match res {
            Ok(e) => {
                let Some(t) = e.file_type() else {
                    return WalkState::Continue;
                };
                if t.is_file() {
                    self.files.push(Entry {
                        rel: relative(self.root, e.path()),
                        abs: e.into_path(),
                    });
                } else if t.is_symlink() {
                    if let Some(why) = symlink_issue(self.root, e.path()) {
                        self.errs.push(WalkIssue {
                            rel: relative(self.root, e.path()),
                            message: why,
                        });
                    }
                } else if !t.is_dir() {
                    // Opening a FIFO blocks until a writer comes; devices and sockets are not
                    // source files either.
                    self.errs.push(WalkIssue {
                        rel: relative(self.root, e.path()),
                        message: format!("skipped: {}, not a regular file", special_kind(&t)),
                    });
                }
            }
            Err(err) => self.errs.push(WalkIssue {
                rel: error_path(&err)
                    .map(|p| relative(self.root, &p))
                    .unwrap_or_default(),
                message: format!("could not read: {err}"),
            }),
        }
        WalkState::Continue
    }
}

impl Drop for Collector<'_> {
    fn drop(&mut self) {
        if let Ok(mut e) = self.entries.lock() {
            e.append(&mut self.files);
        }
        if let Ok(mut i) = self.issues.lock() {
            i.append(&mut self.errs);
        }
    }
}

/// Why a symbolic link deserves a note, or `None` when it points at a file or folder inside the
/// root: that target is checked under its own path, so the link adds nothing. Links are never
/// followed; this only resolves the target's path (no open).
fn symlink_issue(root: &Path, link: &Path) -> Option<String> {
    let target = match std::fs::canonicalize(link) {
        Ok(t) => t,
        Err(e) if e.raw_os_error() == Some(ELOOP) => {
            return Some("skipped: symbolic link loop".into())
        }
        Err(_) => return Some("skipped: broken symbolic link".into()),
    };
    let root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    if target.starts_with(&root) {
        None
    } else {
        Some("skipped: symbolic link to a path outside the checked root, not followed".into())
    }
}

/// `ELOOP` on Linux and the BSDs (macOS included).
#[cfg(target_os = "linux")]
const ELOOP: i32 = 40;
#[cfg(not(target_os = "linux"))]
const ELOOP: i32 = 62;

fn special_kind(t: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_block_device() || t.is_char_device() {
            return "a device";
        }
    }
    let _ = t;
    "a special file"
}

fn error_path(err: &ignore::Error) -> Option<PathBuf> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        _ => None,
    }
}

/// `path` relative to `root` with forward slashes.
pub fn relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let mut out = String::new();
    for (i, c) in rel.components().enumerate() {
        if i > 0 {
            out.push('/');
        }
        out.push_str(&c.as_os_str().to_string_lossy());
    }
    out
}

/// What reading a file gave.
pub enum ReadOutcome {
    /// The bytes.
    Bytes(Vec<u8>),
    /// The file is larger than the limit.
    TooLarge(u64),
}

/// Reads a file, refusing it when it is larger than `limit` bytes.
pub fn read(path: &Path, limit: u64) -> std::io::Result<ReadOutcome> {
    let (file, len) = open_regular(path)?;
    if len > limit {
        return Ok(ReadOutcome::TooLarge(len));
    }
    let mut buf = Vec::with_capacity(len as usize);
    // The size from the open file bounds the read: one `read` call for most files, and no
    // extra call to find the end. A file that reports no size (some special file systems) is
    // read to its end, within the limit.
    let bound = if len == 0 { limit + 1 } else { len };
    file.take(bound).read_to_end(&mut buf)?;
    if buf.len() as u64 > limit {
        return Ok(ReadOutcome::TooLarge(buf.len() as u64));
    }
    Ok(ReadOutcome::Bytes(buf))
}

/// Opens `path` if it is a regular file, with its size. On Unix the open does not block (a
/// FIFO put in place of a walked file would block a plain open until a writer came) and the
/// type and size come from the open file, one `fstat`; elsewhere the type is checked before
/// the open.
fn open_regular(path: &Path) -> std::io::Result<(std::fs::File, u64)> {
    let not_regular =
        || std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a regular file");
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        let file = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(path)?;
        let meta = file.metadata()?;
        if !meta.is_file() {
            return Err(not_regular());
        }
        Ok((file, meta.len()))
    }
    #[cfg(not(unix))]
    {
        if !std::fs::metadata(path)?.is_file() {
            return Err(not_regular());
        }
        let file = std::fs::File::open(path)?;
        let len = file.metadata()?.len();
        Ok((file, len))
    }
}

/// Whether a regular file exists at `root/rel` (used for lockfiles that `.gitignore` hides).
pub fn exists(root: &Path, rel: &str) -> bool {
    root.join(rel).is_file()
}

/// Reads a configuration file (the only other file the tool reads).
pub fn read_config(path: &Path) -> std::io::Result<String> {
    std::fs::read_to_string(path)
}

/// Writes an output file (`--output`, `--write-baseline`, `init`): the only write the tool makes.
/// The bytes go to a temporary file in the same folder, renamed over `path` once complete, so a
/// reader (or a concurrent run writing the same path) sees one whole output or the previous one,
/// never a mix or a truncated file.
pub fn write_output(path: &Path, bytes: &[u8]) -> Result<(), crate::error::Error> {
    use std::io::Write;
    let fail = |cause| crate::error::Error::Write {
        path: path.display().to_string(),
        cause,
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".twelve-check-").suffix(".tmp");
    // Same mode as a plain create (0666 less the umask), not the temporary file's 0600.
    #[cfg(unix)]
    let mode = {
        use std::os::unix::fs::PermissionsExt;
        std::fs::Permissions::from_mode(0o666)
    };
    #[cfg(unix)]
    builder.permissions(mode);
    let mut tmp = builder.tempfile_in(dir).map_err(fail)?;
    tmp.write_all(bytes).map_err(fail)?;
    tmp.flush().map_err(fail)?;
    tmp.persist(path).map_err(|e| fail(e.error))?;
    Ok(())
}

/// How many folders above `root` the git work tree starts (0: at `root`), when `root` is inside
/// one: the nearest folder holding a `.git` directory or file (worktrees and submodules use a
/// file).
pub fn git_work_tree_depth(root: &Path) -> Option<usize> {
    let start = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let start = if start.is_file() {
        start.parent().map(Path::to_path_buf).unwrap_or(start)
    } else {
        start
    };
    start.ancestors().position(|d| d.join(".git").exists())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_takes_regular_files_only_and_never_blocks() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("a.txt");
        std::fs::write(&file, "hello").expect("write");
        assert!(matches!(read(&file, 100), Ok(ReadOutcome::Bytes(b)) if b == b"hello"));
        assert!(matches!(read(&file, 4), Ok(ReadOutcome::TooLarge(5))));
        assert!(read(dir.path(), 100).is_err(), "a folder is not read");
        #[cfg(unix)]
        {
            let fifo = dir.path().join("pipe");
            let made = std::process::Command::new("mkfifo")
                .arg(&fifo)
                .status()
                .is_ok_and(|s| s.success());
            if made {
                // A plain open would wait here for a writer.
                let err = read(&fifo, 100).err().expect("a FIFO is refused");
                assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
            }
        }
    }
}
