//! The only code that touches the filesystem: opening a checked root, one parallel directory
//! walk, every read of a file from the repository, the probes the repo rules need, and the
//! configuration and ignore-file lookups.
//!
//! Guarantees:
//! - Every read of a file from a checked repository (walked files, `twelve-check.toml`,
//!   `Cargo.toml` configuration probes, `.gitignore`, `.ignore`, `.git/info/exclude`, lockfile
//!   probes) and every folder listed goes through one guarded opener (`open.rs`): resolved
//!   beneath a folder descriptor without following any symbolic link, `O_NONBLOCK`, regular files
//!   only (checked with `fstat` on the opened descriptor), never more than a size bound. A refused
//!   read becomes a note ("skipped: symbolic link, not followed"), never a hang or an unbounded
//!   read.
//! - A root given as a symbolic link is resolved once ([`Root::link_target`] says to what);
//!   everything after that is opened relative to the root's descriptor. A root that cannot be
//!   listed is an error. `-` is a folder named `-`, never standard input.
//! - Configuration and ignore files are looked up in the root's folder and its ancestors up to
//!   the top of the git work tree the root is in, and no further: the work tree's top is the
//!   nearest ancestor holding `.git`, counted only while every folder on the way and that `.git`
//!   belong to the root's owner; outside a work tree only the root's folder is searched. A file
//!   found above the root is used only when the root's owner owns it.
//! - `.gitignore` and `.ignore` are respected (also outside a git work tree), with a bounded
//!   cost (`ignore_files.rs`); `.git/info/exclude` is read at the work tree's top when `.git` is a
//!   folder (a worktree's or submodule's lives outside the tree and is not read).
//! - Hidden files are walked (`.env`, `.github/`); symbolic links are never followed (one out of
//!   the root, a loop or a broken one is reported); FIFOs, sockets and devices are reported and
//!   never opened; `.git/`, `target/` and `node_modules/` are skipped.
//!
//! Unix only.

mod git_index;
mod ignore_files;
mod open;
mod scope;

use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use globset::GlobSet;
use rustix::fs::{Dir, FileType};

pub use git_index::{Tracked, INDEX_LIMIT};
pub use ignore_files::{Matchers, IGNORE_FILE_LIMIT, PATTERNS_PER_FILE, PATTERNS_TOTAL};
pub use open::ReadOutcome;
pub use scope::{Enclosing, EnclosingKind};

use ignore_files::{Base, Chain, NotApplied, Source};
use open::Anchor;

/// Configuration files larger than this are not read: 1 MiB.
pub const CONFIG_LIMIT: u64 = 1024 * 1024;

/// A regular file found by the walk.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Entry {
    /// Path relative to the root, forward slashes.
    pub rel: String,
    /// The path under the resolved root; read it with [`Root::read`].
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
    /// Respect `.gitignore`, `.ignore` and git's exclude file.
    pub respect_ignore: bool,
    /// Respect `.ignore` files (off with `--isolated`).
    pub dot_ignore: bool,
    /// Paths (relative to the root) to leave out.
    pub exclude: &'a GlobSet,
}

/// What a walk found.
#[derive(Default)]
pub struct Walked {
    /// Regular files, sorted by relative path.
    pub entries: Vec<Entry>,
    /// Entries that could not be looked at, sorted.
    pub issues: Vec<WalkIssue>,
    /// Things said once about the whole walk.
    pub notes: Vec<String>,
    /// The ignore-file matchers compiled, for the rules that read `.gitignore`.
    pub matchers: Matchers,
    /// The files git tracks under the root, when the root is in a git work tree whose index
    /// was read.
    pub tracked: Option<Arc<Tracked>>,
    /// Files and folders skipped because a git ignore pattern matched them (and git does not
    /// track them, when that is known).
    pub git_skipped: usize,
}

const SKIPPED_DIRS: &[&str] = &[".git", "target", "node_modules"];

/// A checked root, opened once: every later read is relative to its descriptor.
pub struct Root {
    /// The resolved folder the walk lists: the root, or the folder of a root that is a file.
    dir: PathBuf,
    /// The file's name, when the root is a file.
    file: Option<OsString>,
    anchor: Anchor,
    link: Option<PathBuf>,
    tree: WorkTree,
}

/// Where configuration and ignore files are looked up.
struct WorkTree {
    /// The top folder of the lookups (the work tree's top, else the root's folder), when it is
    /// above the root's folder.
    top: Option<Anchor>,
    /// The path of that top folder (the root's folder when not above it).
    top_path: PathBuf,
    /// The root's folder relative to the top.
    root_in_top: PathBuf,
    /// Folders between the root's folder and the work tree's top, when in one.
    git_depth: Option<usize>,
    /// The root folder's owner.
    owner: Option<u32>,
    /// Whether the top holds a `.git` folder (for `info/exclude`).
    git_dir: bool,
}

/// A folder where configuration files are looked up.
pub struct LookupDir {
    /// Its path, to show.
    pub path: PathBuf,
    /// Relative to the lookup top.
    rel: PathBuf,
    /// Above the root's folder: files there must belong to the root's owner.
    above: bool,
}

impl Root {
    /// Opens `path`: a folder to walk or a single file. A symbolic link is resolved here, once.
    /// Fails when the path does not exist or the folder cannot be listed.
    pub fn open(path: &Path) -> std::io::Result<Root> {
        let resolved = std::fs::canonicalize(path)?;
        let link = std::fs::symlink_metadata(path)
            .is_ok_and(|m| m.file_type().is_symlink())
            .then(|| resolved.clone());
        let meta = std::fs::metadata(&resolved)?;
        let (dir, file) = if meta.is_dir() {
            (resolved, None)
        } else {
            let name = resolved.file_name().map(|n| n.to_os_string());
            let parent = resolved.parent().map(Path::to_path_buf);
            match (parent, name) {
                (Some(p), Some(n)) => (p, Some(n)),
                _ => {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::InvalidInput,
                        "not a file or folder",
                    ))
                }
            }
        };
        let anchor = if file.is_some() {
            Anchor::open_path(&dir)?
        } else {
            Anchor::open_dir(&dir)?
        };
        let tree = WorkTree::find(&dir, &anchor);
        Ok(Root {
            dir,
            file,
            anchor,
            link,
            tree,
        })
    }

    /// What the root resolved to, when the path given was a symbolic link.
    pub fn link_target(&self) -> Option<&Path> {
        self.link.as_deref()
    }

    /// The resolved path of the root (the file, for a root that is a file).
    pub fn resolved(&self) -> PathBuf {
        match &self.file {
            Some(name) => self.dir.join(name),
            None => self.dir.clone(),
        }
    }

    /// Whether the root is a single file.
    pub fn is_file(&self) -> bool {
        self.file.is_some()
    }

    /// How many folders above the root's folder the git work tree starts (0: at it), when the
    /// root is inside one.
    pub fn git_depth(&self) -> Option<usize> {
        self.tree.git_depth
    }

    /// Reads a walked file (an [`Entry::abs`], or a path relative to the root) through the
    /// guarded opener, at most `limit` bytes.
    pub fn read(&self, path: &Path, limit: u64) -> std::io::Result<ReadOutcome> {
        let rel = path.strip_prefix(&self.dir).unwrap_or(path);
        self.anchor.read(rel, limit, None)
    }

    /// Whether `rel` (relative to the root) is a regular file; a symbolic link is not.
    pub fn is_regular(&self, rel: &str) -> bool {
        self.anchor.is_regular(Path::new(rel))
    }

    /// The folders where configuration is looked up, nearest first.
    pub fn lookup_dirs(&self) -> Vec<LookupDir> {
        let mut out = Vec::new();
        let mut rel = self.tree.root_in_top.clone();
        let mut path = self.dir.clone();
        loop {
            out.push(LookupDir {
                path: path.clone(),
                above: !out.is_empty(),
                rel: rel.clone(),
            });
            if rel.as_os_str().is_empty() {
                break;
            }
            rel = rel.parent().map(Path::to_path_buf).unwrap_or_default();
            path = path.parent().map(Path::to_path_buf).unwrap_or_default();
        }
        out
    }

    /// Reads `name` in a lookup folder through the guarded opener.
    pub fn read_in(&self, dir: &LookupDir, name: &str, limit: u64) -> std::io::Result<ReadOutcome> {
        let owner = if dir.above { self.tree.owner } else { None };
        self.top().read(&dir.rel.join(name), limit, owner)
    }

    fn top(&self) -> &Anchor {
        self.tree.top.as_ref().unwrap_or(&self.anchor)
    }

    /// The files git tracks under the root (from the index of its work tree), or why they are
    /// not known; `None` outside a git work tree.
    fn tracked(&self) -> Option<Result<Tracked, git_index::NotRead>> {
        let depth = self.tree.git_depth?;
        if depth > 0 && self.tree.top.is_none() {
            return Some(Err(git_index::NotRead {
                why: "git index not read: the work tree's top folder could not be opened".into(),
                elsewhere: false,
            }));
        }
        // Above the root, as for configuration files: only the root owner's.
        let owner = if depth > 0 { self.tree.owner } else { None };
        Some(git_index::read(
            self.top(),
            &self.tree.top_path,
            &self.tree.root_in_top,
            owner,
        ))
    }
}

impl WorkTree {
    fn find(dir: &Path, anchor: &Anchor) -> WorkTree {
        let owner = anchor.owner();
        let mut git_depth = None;
        for (depth, folder) in dir.ancestors().enumerate() {
            let Ok(meta) = std::fs::symlink_metadata(folder) else {
                break;
            };
            if depth > 0 && Some(meta.uid()) != owner {
                break;
            }
            if let Ok(git) = std::fs::symlink_metadata(folder.join(".git")) {
                if Some(git.uid()) == owner {
                    git_depth = Some(depth);
                }
                break;
            }
        }
        let depth = git_depth.unwrap_or(0);
        let top_path = dir.ancestors().nth(depth).unwrap_or(dir);
        let root_in_top = dir
            .strip_prefix(top_path)
            .unwrap_or(Path::new(""))
            .to_path_buf();
        let top = if depth > 0 {
            Anchor::open_path(top_path).ok()
        } else {
            None
        };
        // Without a descriptor of the top, look up nothing above the root.
        let (top, root_in_top, top_path) = match top {
            None if depth > 0 => (None, PathBuf::new(), dir.to_path_buf()),
            t => (t, root_in_top, top_path.to_path_buf()),
        };
        let base = top.as_ref().unwrap_or(anchor);
        let git_dir = git_depth.is_some()
            && base
                .file_type(Path::new(".git"))
                .is_some_and(|t| t == FileType::Directory);
        WorkTree {
            top,
            top_path,
            root_in_top,
            git_depth,
            owner,
            git_dir,
        }
    }
}

/// Lists every regular file under `root`, sorted by relative path.
pub fn walk(root: &Root, opts: &WalkOptions<'_>) -> Walked {
    if let Some(name) = &root.file {
        return single_file(root, name);
    }
    let (tracked, not_read) = match root.tracked() {
        Some(Ok(t)) => (Some(Arc::new(t)), None),
        Some(Err(n)) => (None, Some(n)),
        None => (None, None),
    };
    let mut w = walk_with_budget(root, opts, &tracked);
    if let Some(n) = not_read {
        // Without the index, a tracked file that a pattern matches is not told apart.
        if !n.elsewhere || w.git_skipped > 0 {
            w.notes.push(format!(
                "{}; .gitignore patterns alone decided what was checked ({} path{} skipped by them)",
                n.why,
                w.git_skipped,
                if w.git_skipped == 1 { "" } else { "s" }
            ));
        }
    }
    w.tracked = tracked;
    w
}

/// The walk with ignore files, or without them when their pattern budget ran out.
fn walk_with_budget(root: &Root, opts: &WalkOptions<'_>, tracked: &Option<Arc<Tracked>>) -> Walked {
    // One budget for the run: after a walk that spent it, the engine's `.gitignore` rules get
    // only what was compiled.
    let mut matchers = Matchers::default();
    if opts.respect_ignore {
        match walk_tree(root, opts, true, matchers, tracked.clone()) {
            Ok(w) => return w,
            Err(m) => matchers = m,
        }
    }
    let mut w = match walk_tree(root, opts, false, matchers, tracked.clone()) {
        Ok(w) => w,
        Err(m) => Walked {
            matchers: m,
            ..Walked::default()
        },
    };
    if opts.respect_ignore {
        w.notes.push(format!(
            "ignore files not applied: together they hold more than {PATTERNS_TOTAL} distinct patterns, so every file was walked"
        ));
    }
    w
}

fn single_file(root: &Root, name: &OsString) -> Walked {
    let rel = name.to_string_lossy().into_owned();
    let abs = root.dir.join(name);
    match root.anchor.file_type(Path::new(name)) {
        Some(FileType::RegularFile) | None => Walked {
            entries: vec![Entry { rel, abs }],
            ..Walked::default()
        },
        Some(t) => Walked {
            issues: vec![WalkIssue {
                rel,
                message: format!("skipped: {}", open::kind(t)),
            }],
            ..Walked::default()
        },
    }
}

/// State shared by the walk's tasks.
struct Shared<'a> {
    root: &'a Root,
    opts: &'a WalkOptions<'a>,
    matchers: Matchers,
    with_ignores: bool,
    tracked: Option<Arc<Tracked>>,
    git_skipped: std::sync::atomic::AtomicUsize,
    out: Mutex<(Vec<Entry>, Vec<WalkIssue>)>,
}

/// One walk; the matchers back when the ignore files' pattern budget ran out.
fn walk_tree(
    root: &Root,
    opts: &WalkOptions<'_>,
    with_ignores: bool,
    matchers: Matchers,
    tracked: Option<Arc<Tracked>>,
) -> Result<Walked, Matchers> {
    let sh = Shared {
        root,
        opts,
        matchers,
        with_ignores,
        tracked,
        git_skipped: Default::default(),
        out: Mutex::new((Vec::new(), Vec::new())),
    };
    let mut issues = Vec::new();
    let chain = if with_ignores {
        ancestor_chain(&sh, &mut issues)
    } else {
        None
    };
    rayon::scope(|s| visit(s, &sh, String::new(), PathBuf::new(), chain, false));
    if with_ignores && sh.matchers.over_budget() {
        return Err(sh.matchers);
    }
    let (mut entries, mut more) = sh.out.into_inner().unwrap_or_default();
    issues.append(&mut more);
    entries.sort();
    issues.sort();
    Ok(Walked {
        entries,
        issues,
        notes: Vec::new(),
        matchers: sh.matchers,
        tracked: None,
        git_skipped: sh.git_skipped.into_inner(),
    })
}

/// The ignore rules of the folders above the root, up to the work tree's top, and the top's
/// `.git/info/exclude`.
fn ancestor_chain(sh: &Shared<'_>, issues: &mut Vec<WalkIssue>) -> Option<Arc<Chain>> {
    let tree = &sh.root.tree;
    let mut chain: Option<Arc<Chain>> = None;
    let dirs = sh.root.lookup_dirs();
    if tree.git_dir {
        let top_rel = "../".repeat(dirs.len() - 1);
        let exclude = load(
            sh,
            sh.root.top(),
            Path::new(".git/info/exclude"),
            &format!("{top_rel}.git/info/exclude"),
            if dirs.len() > 1 { tree.owner } else { None },
            issues,
        );
        if exclude.is_some() {
            chain = Some(Arc::new(Chain {
                base: base_above(&dirs, dirs.len() - 1),
                ignore: None,
                gitignore: None,
                exclude,
                parent: None,
            }));
        }
    }
    // From the top down to the root's parent; the root's own files are the walk's.
    for i in (1..dirs.len()).rev() {
        let up = "../".repeat(i);
        let mut file = |name: &str| {
            load(
                sh,
                sh.root.top(),
                &dirs[i].rel.join(name),
                &format!("{up}{name}"),
                tree.owner,
                issues,
            )
        };
        let ignore = if sh.opts.dot_ignore {
            file(".ignore")
        } else {
            None
        };
        let gitignore = file(".gitignore");
        if ignore.is_some() || gitignore.is_some() {
            chain = Some(Arc::new(Chain {
                base: base_above(&dirs, i),
                ignore,
                gitignore,
                exclude: None,
                parent: chain,
            }));
        }
    }
    chain
}

/// How paths under the root look from lookup folder `i` (0 is the root's folder).
fn base_above(dirs: &[LookupDir], i: usize) -> Base {
    if i == 0 {
        return Base::Inside(String::new());
    }
    let from = &dirs[i].rel;
    let root = &dirs[0].rel;
    let rest = root.strip_prefix(from).unwrap_or(root);
    let mut s = relative(Path::new(""), rest);
    s.push('/');
    Base::Above(s)
}

/// Reads and compiles one ignore file; a missing file is `None` without a note.
fn load(
    sh: &Shared<'_>,
    anchor: &Anchor,
    rel: &Path,
    shown: &str,
    owner: Option<u32>,
    issues: &mut Vec<WalkIssue>,
) -> Option<Arc<ignore::gitignore::Gitignore>> {
    let mut note = |message: String| {
        issues.push(WalkIssue {
            rel: shown.to_string(),
            message,
        })
    };
    let bytes = match anchor.read(rel, IGNORE_FILE_LIMIT, owner) {
        Ok(ReadOutcome::Bytes(b)) => b,
        Ok(ReadOutcome::TooLarge(n)) => {
            note(format!(
                "ignore file not applied: {n} bytes is over the {IGNORE_FILE_LIMIT} byte limit"
            ));
            return None;
        }
        Ok(ReadOutcome::Refused(why)) => {
            note(format!("ignore file not applied: {why}"));
            return None;
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
        Err(e) => {
            note(format!("ignore file not applied: could not read: {e}"));
            return None;
        }
    };
    match sh.matchers.compile(&String::from_utf8_lossy(&bytes)) {
        Ok((g, bad_line)) => {
            if let Some(m) = bad_line {
                note(m);
            }
            Some(g)
        }
        Err(NotApplied::Note(m)) => {
            note(m);
            None
        }
        Err(NotApplied::OverBudget) => None,
    }
}

/// Lists one folder (`raw`, relative to the root) and queues its subfolders. In a folder that a
/// git pattern ignores (`ignored`), only what git tracks is kept.
fn visit<'s>(
    s: &rayon::Scope<'s>,
    sh: &'s Shared<'s>,
    rel: String,
    raw: PathBuf,
    chain: Option<Arc<Chain>>,
    ignored: bool,
) {
    if sh.with_ignores && sh.matchers.over_budget() {
        return;
    }
    let mut issues = Vec::new();
    let mut files = Vec::new();
    let listed = sh
        .root
        .anchor
        .open_subdir(&raw)
        .and_then(|fd| Ok(Dir::new(fd)?));
    let mut dir = match listed {
        Ok(d) => d,
        Err(e) => {
            let message = if e.raw_os_error() == Some(rustix::io::Errno::LOOP.raw_os_error()) {
                format!("skipped: {}", open::kind(FileType::Symlink))
            } else {
                format!("could not read: {e}")
            };
            push(sh, Vec::new(), vec![WalkIssue { rel, message }]);
            return;
        }
    };
    let mut list: Vec<(OsString, FileType)> = Vec::new();
    while let Some(item) = dir.read() {
        match item {
            Ok(e) => {
                let name = e.file_name().to_bytes();
                if name == b"." || name == b".." {
                    continue;
                }
                let name = OsString::from_vec(name.to_vec());
                let mut ty = e.file_type();
                if ty == FileType::Unknown {
                    // Some file systems do not say in the listing.
                    if let Ok(fd) = dir.fd() {
                        if let Ok(st) =
                            rustix::fs::statat(fd, &name, rustix::fs::AtFlags::SYMLINK_NOFOLLOW)
                        {
                            ty = FileType::from_raw_mode(st.st_mode);
                        }
                    }
                }
                list.push((name, ty));
            }
            Err(e) => {
                issues.push(WalkIssue {
                    rel: rel.clone(),
                    message: format!("could not read: {}", std::io::Error::from(e)),
                });
                break;
            }
        }
    }
    drop(dir);

    let mut chain = chain;
    // Inside an ignored folder every untracked path is ignored: its own ignore files change
    // nothing.
    if sh.with_ignores && !ignored {
        let has = |n: &str| {
            list.iter()
                .any(|(name, t)| name == n && *t == FileType::RegularFile)
        };
        let mut file = |name: &str| {
            let shown = if rel.is_empty() {
                name.to_string()
            } else {
                format!("{rel}/{name}")
            };
            load(
                sh,
                &sh.root.anchor,
                &raw.join(name),
                &shown,
                None,
                &mut issues,
            )
        };
        let ignore = if sh.opts.dot_ignore && has(".ignore") {
            file(".ignore")
        } else {
            None
        };
        let gitignore = if has(".gitignore") {
            file(".gitignore")
        } else {
            None
        };
        if ignore.is_some() || gitignore.is_some() {
            chain = Some(Arc::new(Chain {
                base: Base::Inside(if rel.is_empty() {
                    String::new()
                } else {
                    format!("{rel}/")
                }),
                ignore,
                gitignore,
                exclude: None,
                parent: chain,
            }));
        }
        if sh.matchers.over_budget() {
            return;
        }
    }

    let exclude = sh.opts.exclude;
    for (name, ty) in list {
        let shown = name.to_string_lossy();
        let child_rel = if rel.is_empty() {
            shown.clone().into_owned()
        } else {
            format!("{rel}/{shown}")
        };
        let is_dir = ty == FileType::Directory;
        if is_dir && SKIPPED_DIRS.contains(&shown.as_ref()) {
            continue;
        }
        if !exclude.is_empty()
            && (exclude.is_match(&child_rel)
                || (is_dir && exclude.is_match(format!("{child_rel}/"))))
        {
            continue;
        }
        let by = chain
            .as_ref()
            .and_then(|c| c.ignored_by(&child_rel, is_dir));
        let child_ignored = match by {
            Some(Source::DotIgnore) => continue,
            Some(Source::Git) => true,
            None => ignored,
        };
        // Git's patterns hide untracked files only: what git tracks is checked (issue 16).
        if child_ignored && !is_tracked(sh, &child_rel, is_dir) {
            sh.git_skipped
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            continue;
        }
        let child_raw = raw.join(&name);
        match ty {
            FileType::Directory => {
                let c = chain.clone();
                s.spawn(move |s| visit(s, sh, child_rel, child_raw, c, child_ignored));
            }
            FileType::RegularFile => files.push(Entry {
                rel: child_rel,
                abs: sh.root.dir.join(child_raw),
            }),
            FileType::Symlink => {
                if let Some(why) = symlink_issue(&sh.root.dir, &sh.root.dir.join(&child_raw)) {
                    issues.push(WalkIssue {
                        rel: child_rel,
                        message: why,
                    });
                }
            }
            // Opening a FIFO blocks until a writer comes; devices and sockets are not source
            // files either.
            other => issues.push(WalkIssue {
                rel: child_rel,
                message: format!("skipped: {}", open::kind(other)),
            }),
        }
    }
    push(sh, files, issues);
}

/// Whether git tracks the file `rel`, or a file under the folder `rel`.
fn is_tracked(sh: &Shared<'_>, rel: &str, is_dir: bool) -> bool {
    sh.tracked.as_ref().is_some_and(|t| {
        if is_dir {
            t.has_under(rel)
        } else {
            t.contains(rel)
        }
    })
}

fn push(sh: &Shared<'_>, mut files: Vec<Entry>, mut issues: Vec<WalkIssue>) {
    if files.is_empty() && issues.is_empty() {
        return;
    }
    if let Ok(mut out) = sh.out.lock() {
        out.0.append(&mut files);
        out.1.append(&mut issues);
    }
}

/// Why a symbolic link deserves a note, or `None` when it points at a file or folder inside the
/// root: that target is checked under its own path, so the link adds nothing. Links are never
/// followed; this only resolves the target's path (no open).
fn symlink_issue(root: &Path, link: &Path) -> Option<String> {
    let target = match std::fs::canonicalize(link) {
        Ok(t) => t,
        Err(e) if e.raw_os_error() == Some(rustix::io::Errno::LOOP.raw_os_error()) => {
            return Some("skipped: symbolic link loop".into())
        }
        Err(_) => return Some("skipped: broken symbolic link".into()),
    };
    if target.starts_with(root) {
        None
    } else {
        Some("skipped: symbolic link to a path outside the checked root, not followed".into())
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

/// Reads a file named on the command line (`--config`, `--baseline`) as text, at most `limit`
/// bytes: its folder is the user's choice, but the file itself must be a regular file, not a
/// symbolic link, a FIFO or a device.
pub fn read_text(path: &Path, limit: u64) -> std::io::Result<String> {
    let refused = |why: String| std::io::Error::new(std::io::ErrorKind::InvalidInput, why);
    let (Some(name), parent) = (path.file_name(), path.parent()) else {
        return Err(refused("not a file".into()));
    };
    let parent = match parent {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    match Anchor::open_path(parent)?.read(Path::new(name), limit, None)? {
        ReadOutcome::Bytes(b) => {
            String::from_utf8(b).map_err(|_| refused("not valid UTF-8".into()))
        }
        ReadOutcome::TooLarge(n) => {
            Err(refused(format!("{n} bytes is over the {limit} byte limit")))
        }
        ReadOutcome::Refused(why) => Err(refused(format!("not read: {why}"))),
    }
}

/// Whether anything (a link included) is at `path`: `init` does not overwrite it.
pub fn entry_exists(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok()
}

/// Reads a configuration file named on the command line, at most [`CONFIG_LIMIT`] bytes.
pub fn read_config(path: &Path) -> std::io::Result<String> {
    read_text(path, CONFIG_LIMIT)
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    fn mkfifo(path: &Path) -> bool {
        std::process::Command::new("mkfifo")
            .arg(path)
            .status()
            .is_ok_and(|s| s.success())
    }

    fn bytes(o: std::io::Result<ReadOutcome>) -> Option<Vec<u8>> {
        match o {
            Ok(ReadOutcome::Bytes(b)) => Some(b),
            _ => None,
        }
    }

    fn refused(o: std::io::Result<ReadOutcome>) -> &'static str {
        match o {
            Ok(ReadOutcome::Refused(why)) => why,
            Ok(ReadOutcome::Bytes(_)) => panic!("read"),
            Ok(ReadOutcome::TooLarge(_)) => panic!("too large"),
            Err(e) => panic!("error: {e}"),
        }
    }

    #[test]
    fn read_takes_regular_files_only_and_never_blocks() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("a.txt"), "hello").expect("write");
        let root = Root::open(dir.path()).expect("root");
        assert_eq!(
            bytes(root.read(Path::new("a.txt"), 100)).as_deref(),
            Some(&b"hello"[..])
        );
        assert!(matches!(
            root.read(&dir.path().join("a.txt"), 4),
            Ok(ReadOutcome::TooLarge(5))
        ));
        assert!(refused(root.read(Path::new(""), 100)).contains("folder"));
        if mkfifo(&dir.path().join("pipe")) {
            // A plain open would wait here for a writer.
            assert!(refused(root.read(Path::new("pipe"), 100)).contains("FIFO"));
        }
        // Bounded even when the size says nothing (/proc files report 0).
        symlink("/dev/zero", dir.path().join("zero")).expect("symlink");
        assert_eq!(refused(root.read(Path::new("zero"), 100)), open::SYMLINK);
    }

    #[test]
    fn no_symbolic_link_is_followed_in_any_component() {
        let dir = tempfile::tempdir().expect("temp dir");
        let outside = tempfile::tempdir().expect("temp dir");
        std::fs::write(outside.path().join("secret"), "s3cret").expect("write");
        std::fs::create_dir(dir.path().join("real")).expect("mkdir");
        std::fs::write(dir.path().join("real/f"), "ok").expect("write");
        symlink(outside.path(), dir.path().join("out")).expect("symlink");
        symlink("real", dir.path().join("in")).expect("symlink");
        symlink(outside.path().join("secret"), dir.path().join("leaf")).expect("symlink");
        let root = Root::open(dir.path()).expect("root");
        assert_eq!(
            bytes(root.read(Path::new("real/f"), 100)).as_deref(),
            Some(&b"ok"[..])
        );
        for p in ["out/secret", "in/f", "leaf"] {
            assert_eq!(refused(root.read(Path::new(p), 100)), open::SYMLINK, "{p}");
        }
        for p in ["../x", "/etc/passwd", "real/../../x"] {
            assert!(root.read(Path::new(p), 100).is_err(), "{p}");
        }
        assert!(!root.is_regular("leaf"));
        assert!(root.is_regular("real/f"));
        // The fallback for kernels without openat2 refuses the same.
        let a = Anchor::open_dir(dir.path()).expect("anchor");
        for p in ["out/secret", "in/f", "leaf"] {
            let r = open::open_by_components(
                a.fd(),
                Path::new(p),
                rustix::fs::OFlags::RDONLY | rustix::fs::OFlags::NONBLOCK,
            );
            assert!(r.is_err(), "{p}");
        }
        assert!(
            open::open_by_components(a.fd(), Path::new("real/f"), rustix::fs::OFlags::RDONLY)
                .is_ok()
        );
        assert!(
            open::open_beneath(a.fd(), Path::new("real/f"), rustix::fs::OFlags::RDONLY).is_ok()
        );
    }

    /// A file swapped for a symbolic link after the walk listed it is refused, not followed:
    /// the check is on the descriptor (issue 13, r15).
    #[test]
    fn a_file_swapped_for_a_link_after_the_walk_is_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        let outside = tempfile::tempdir().expect("temp dir");
        std::fs::write(outside.path().join("evil"), "FROM outsidesecret\n").expect("write");
        std::fs::write(dir.path().join("Dockerfile"), "FROM rust:1.80\n").expect("write");
        let root = Root::open(dir.path()).expect("root");
        let none = GlobSet::empty();
        let w = walk(
            &root,
            &WalkOptions {
                respect_ignore: true,
                dot_ignore: true,
                exclude: &none,
            },
        );
        assert_eq!(w.entries.len(), 1);
        std::fs::remove_file(dir.path().join("Dockerfile")).expect("rm");
        symlink(outside.path().join("evil"), dir.path().join("Dockerfile")).expect("symlink");
        assert_eq!(refused(root.read(&w.entries[0].abs, 100)), open::SYMLINK);
    }

    #[test]
    fn lookups_stop_at_the_work_tree_top() {
        let dir = tempfile::tempdir().expect("temp dir");
        let repo = dir.path().join("repo");
        std::fs::create_dir_all(repo.join(".git")).expect("mkdir");
        std::fs::create_dir_all(repo.join("a/b")).expect("mkdir");
        let root = Root::open(&repo.join("a/b")).expect("root");
        assert_eq!(root.git_depth(), Some(2));
        let dirs: Vec<PathBuf> = root.lookup_dirs().into_iter().map(|d| d.path).collect();
        let repo = std::fs::canonicalize(&repo).expect("canonical");
        assert_eq!(dirs, vec![repo.join("a/b"), repo.join("a"), repo.clone()]);
        // Not in a work tree: only the root's folder.
        let plain = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir(plain.path().join("sub")).expect("mkdir");
        let root = Root::open(&plain.path().join("sub")).expect("root");
        assert_eq!(root.lookup_dirs().len(), 1);
    }

    #[test]
    fn a_root_link_is_resolved_once_and_a_dash_is_a_folder() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir(dir.path().join("-")).expect("mkdir");
        std::fs::write(dir.path().join("-/Dockerfile"), "FROM x\n").expect("write");
        symlink("-", dir.path().join("link")).expect("symlink");
        let root = Root::open(&dir.path().join("link")).expect("root");
        assert!(root.link_target().is_some_and(|t| t.ends_with("-")));
        let none = GlobSet::empty();
        let w = walk(
            &root,
            &WalkOptions {
                respect_ignore: true,
                dot_ignore: true,
                exclude: &none,
            },
        );
        assert_eq!(w.entries.len(), 1);
        assert!(Root::open(&dir.path().join("missing")).is_err());
    }
}
