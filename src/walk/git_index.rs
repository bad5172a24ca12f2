//! The files git tracks, from the git index (`.git/index`) of the work tree the root is in: read
//! through the guarded opener at most [`INDEX_LIMIT`] bytes and decoded from those bytes with
//! `gix-index` (git itself is never run).
//!
//! In a git work tree the tracked files are the codebase: the walk checks them whatever
//! `.gitignore` says, and ignore patterns hide only untracked files, as in git (issue 16).
//!
//! Never fatal: when the index cannot be used (a `.git` file whose git directory is outside the
//! work tree, as in linked worktrees and submodules; a split index; an index over the limit or
//! that does not decode) the walk falls back to the ignore patterns alone and the reason is
//! returned for a note. A work tree with no index yet (`git init`, nothing added) tracks nothing.

use std::path::{Component, Path, PathBuf};

use super::open::{Anchor, ReadOutcome};

/// Git indexes larger than this are not read (a note says so): 64 MiB, about 600,000 files.
pub const INDEX_LIMIT: u64 = 64 * 1024 * 1024;

/// A `.git` file (`gitdir: PATH`) larger than this is not a `.git` file.
const GIT_FILE_LIMIT: u64 = 4096;

/// The paths git tracks under the checked root, relative to it.
#[derive(Debug, Default)]
pub struct Tracked {
    /// Sorted, deduplicated, forward slashes.
    paths: Vec<Box<str>>,
    /// Submodules (their files are tracked by their own index), sorted.
    submodules: Vec<Box<str>>,
}

impl Tracked {
    /// A set of tracked paths and submodule folders (relative to the root).
    pub fn new(mut paths: Vec<Box<str>>, mut submodules: Vec<Box<str>>) -> Tracked {
        paths.sort_unstable();
        paths.dedup();
        submodules.sort_unstable();
        submodules.dedup();
        Tracked { paths, submodules }
    }

    /// Whether git tracks the file `rel`.
    pub fn contains(&self, rel: &str) -> bool {
        self.paths.binary_search_by(|p| (**p).cmp(rel)).is_ok()
    }

    /// Whether git tracks the file `rel`; `None` inside a submodule, whose own index knows.
    pub fn state(&self, rel: &str) -> Option<bool> {
        let in_submodule = rel.match_indices('/').any(|(i, _)| {
            self.submodules
                .binary_search_by(|s| (**s).cmp(&rel[..i]))
                .is_ok()
        });
        (!in_submodule).then(|| self.contains(rel))
    }

    /// Whether git tracks a file under the folder `rel` (`""`: anywhere).
    pub fn has_under(&self, rel: &str) -> bool {
        if rel.is_empty() {
            return !self.paths.is_empty();
        }
        let prefix = format!("{rel}/");
        let i = self.paths.partition_point(|p| **p < *prefix);
        self.paths.get(i).is_some_and(|p| p.starts_with(&prefix))
    }

    /// How many paths.
    pub fn len(&self) -> usize {
        self.paths.len()
    }

    /// Whether nothing is tracked.
    pub fn is_empty(&self) -> bool {
        self.paths.is_empty()
    }
}

/// Why the index was not used.
pub(crate) struct NotRead {
    /// For the note.
    pub(crate) why: String,
    /// The usual case of a linked worktree or a submodule, whose git directory lives outside
    /// the work tree: worth a note only where the ignore patterns hid something.
    pub(crate) elsewhere: bool,
}

impl NotRead {
    fn bad(why: String) -> NotRead {
        NotRead {
            why: format!("git index not read: {why}"),
            elsewhere: false,
        }
    }
}

/// Where the git index of a work tree is, relative to its top: the git directory's `index`.
fn index_path(top: &Anchor, top_path: &Path, owner: Option<u32>) -> Result<PathBuf, NotRead> {
    use rustix::fs::FileType;
    match top.file_type(Path::new(".git")) {
        Some(FileType::Directory) => return Ok(PathBuf::from(".git/index")),
        Some(FileType::RegularFile) => {}
        Some(FileType::Symlink) => {
            return Err(NotRead::bad(
                "`.git` is a symbolic link, not followed".into(),
            ))
        }
        _ => return Err(NotRead::bad("`.git` is not a folder or a file".into())),
    }
    // A linked worktree or a submodule: `.git` is a file naming the git directory.
    let text = match top.read(Path::new(".git"), GIT_FILE_LIMIT, owner) {
        Ok(ReadOutcome::Bytes(b)) => String::from_utf8(b).unwrap_or_default(),
        Ok(ReadOutcome::TooLarge(_)) => String::new(),
        Ok(ReadOutcome::Refused(why)) => return Err(NotRead::bad(format!("`.git` {why}"))),
        Err(e) => return Err(NotRead::bad(format!("`.git` could not be read: {e}"))),
    };
    let Some(dir) = text
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("gitdir:"))
        .map(str::trim)
        .filter(|d| !d.is_empty())
    else {
        return Err(NotRead::bad(
            "`.git` is a file without a `gitdir:` line".into(),
        ));
    };
    let dir = Path::new(dir);
    let rel = if dir.is_absolute() {
        dir.strip_prefix(top_path).ok().map(Path::to_path_buf)
    } else {
        Some(dir.to_path_buf())
    };
    match rel.and_then(|r| beneath(&r)) {
        Some(r) => Ok(r.join("index")),
        None => Err(NotRead {
            why: "git index not read: `.git` names a git directory outside the work tree (a linked worktree or a submodule), which is never read".into(),
            elsewhere: true,
        }),
    }
}

/// `rel` with `.` and `..` resolved lexically, when it stays beneath its start and is not empty.
fn beneath(rel: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for c in rel.components() {
        match c {
            Component::Normal(p) => out.push(p),
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    (!out.as_os_str().is_empty()).then_some(out)
}

/// Reads the index of the work tree whose top is `top` (at `top_path`) and keeps the paths under
/// `root_in_top`, relative to it. Files above the root must belong to `owner`.
pub(crate) fn read(
    top: &Anchor,
    top_path: &Path,
    root_in_top: &Path,
    owner: Option<u32>,
) -> Result<Tracked, NotRead> {
    let not_read = NotRead::bad;
    let index = index_path(top, top_path, owner)?;
    let bytes = match top.read(&index, INDEX_LIMIT, owner) {
        Ok(ReadOutcome::Bytes(b)) => b,
        // A repository where nothing was ever added has no index: nothing is tracked.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Tracked::default()),
        Ok(ReadOutcome::TooLarge(n)) => {
            return Err(not_read(format!(
                "{n} bytes is over the {INDEX_LIMIT} byte limit"
            )))
        }
        Ok(ReadOutcome::Refused(why)) => return Err(not_read(why.to_string())),
        Err(e) => return Err(not_read(format!("could not read: {e}"))),
    };
    let (paths, submodules) = decode(&bytes).map_err(not_read)?;
    let prefix = super::relative(Path::new(""), root_in_top);
    let under = |list: Vec<Box<str>>| -> Vec<Box<str>> {
        if prefix.is_empty() {
            return list;
        }
        let prefix = format!("{prefix}/");
        list.into_iter()
            .filter_map(|p| p.strip_prefix(prefix.as_str()).map(Into::into))
            .collect()
    };
    Ok(Tracked::new(under(paths), under(submodules)))
}

/// The file paths and the submodule paths of an index file's bytes.
type Paths = (Vec<Box<str>>, Vec<Box<str>>);

/// The paths of an index file's bytes.
fn decode(bytes: &[u8]) -> Result<Paths, String> {
    let options = gix_index::decode::Options {
        thread_limit: Some(1),
        min_extension_block_in_bytes_for_threading: usize::MAX,
        expected_checksum: None,
        // The decoder sizes its buffers from counts in the file: bound them by what a file of
        // the size limit can hold.
        alloc_limit_bytes: Some(4 * INDEX_LIMIT as usize),
    };
    let (state, _) = gix_index::State::from_bytes(
        bytes,
        filetime::FileTime::zero(),
        gix_index::hash::Kind::Sha1,
        options,
    )
    .map_err(|e| format!("it does not decode ({e})"))?;
    // A split index (`core.splitIndex`) keeps most entries in a shared file beside it.
    if state.link().is_some() {
        return Err("a split index (`core.splitIndex`) is not supported".into());
    }
    let mut paths = Vec::with_capacity(state.entries().len());
    let mut submodules = Vec::new();
    for e in state.entries() {
        let p = String::from_utf8_lossy(e.path(&state));
        // A sparse index lists a folder that is not checked out as `dir/`.
        let p: Box<str> = p.trim_end_matches('/').into();
        if e.mode == gix_index::entry::Mode::COMMIT {
            submodules.push(p);
        } else {
            paths.push(p);
        }
    }
    Ok((paths, submodules))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tracked_lookups() {
        let t = Tracked::new(
            vec!["a/b.rs".into(), "a-b".into(), "z".into(), "a/b.rs".into()],
            vec!["vendor/sub".into()],
        );
        assert_eq!(t.len(), 3);
        assert!(t.contains("a/b.rs") && t.contains("z") && !t.contains("a"));
        assert!(t.has_under("a") && !t.has_under("a-") && !t.has_under("z"));
        assert!(t.has_under(""));
        assert_eq!(t.state("a/b.rs"), Some(true));
        assert_eq!(t.state("a/c.rs"), Some(false));
        assert_eq!(t.state("vendor/sub/.env"), None);
        assert!(!Tracked::default().has_under(""));
    }

    #[test]
    fn gitdir_paths_stay_beneath() {
        assert_eq!(beneath(Path::new("x/./y")), Some(PathBuf::from("x/y")));
        assert_eq!(beneath(Path::new("x/../y")), Some(PathBuf::from("y")));
        assert_eq!(beneath(Path::new("../y")), None);
        assert_eq!(beneath(Path::new("x/../../y")), None);
        assert_eq!(beneath(Path::new("/etc")), None);
        assert_eq!(beneath(Path::new(".")), None);
    }

    #[test]
    fn garbage_never_panics() {
        assert!(decode(b"").is_err());
        assert!(decode(b"DIRC").is_err());
        let mut header = b"DIRC\0\0\0\x02\xff\xff\xff\xff".to_vec();
        header.extend([0u8; 20]);
        assert!(decode(&header).is_err());
        // Every truncation and one-byte change of a small valid index.
        let valid = tiny_index();
        assert_eq!(
            decode(&valid).map(|(p, _)| p.into_iter().map(String::from).collect::<Vec<_>>()),
            Ok(vec!["a.env".to_string(), "src/main.rs".to_string()])
        );
        for n in 0..valid.len() {
            let _ = decode(&valid[..n]);
            for b in [0u8, 0x7f, 0xff] {
                let mut v = valid.clone();
                v[n] = b;
                let _ = decode(&v);
            }
        }
    }

    /// A version 2 index of two files, written as git writes it (the trailing checksum is not
    /// checked by the decoder: zeros).
    pub(crate) fn tiny_index() -> Vec<u8> {
        let paths = ["a.env", "src/main.rs"];
        let mut out = b"DIRC".to_vec();
        out.extend(2u32.to_be_bytes());
        out.extend((paths.len() as u32).to_be_bytes());
        for p in paths {
            let start = out.len();
            // ctime, mtime, dev, ino, mode, uid, gid, size, object id, flags: 62 bytes.
            out.extend([0u8; 62]);
            out[start + 24..start + 28].copy_from_slice(&0o100644u32.to_be_bytes());
            out[start + 60..start + 62].copy_from_slice(&(p.len() as u16).to_be_bytes());
            out.extend(p.as_bytes());
            // NUL-padded to a multiple of 8 bytes, at least one NUL.
            let len = out.len() - start;
            let padded = (len + 8) & !7;
            out.extend(std::iter::repeat_n(0u8, padded - len));
        }
        out.extend([0u8; 20]);
        out
    }
}
