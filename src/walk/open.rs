//! The guarded opener: every file twelve-check reads from a checked repository (walked files,
//! configuration, ignore files, lockfile probes) and every folder it lists is opened here,
//! relative to a directory descriptor ([`Anchor`]) and never outside it.
//!
//! Guarantees, on Linux and the BSDs (macOS included):
//! - the path is resolved beneath the anchor without following any symbolic link, in any
//!   component: `openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS)` where the kernel has it (Linux
//!   5.6), otherwise one `openat(O_NOFOLLOW)` per component; `..` and absolute paths are refused
//!   before any system call. What is checked is the opened descriptor, not the path, so a file
//!   swapped for a symbolic link between the walk and the read is refused, not followed;
//! - files are opened `O_NONBLOCK | O_NOCTTY | O_CLOEXEC`, so a FIFO or a terminal put in place
//!   of a file never blocks the run or becomes its terminal; the type and size come from `fstat`
//!   on the descriptor, and only regular files are read, never more than the caller's limit.
//!
//! Unix only: there is no path-based fallback that could not be raced.

use std::io::Read;
use std::path::{Component, Path};

/// What reading a file gave.
pub enum ReadOutcome {
    /// The bytes.
    Bytes(Vec<u8>),
    /// The file is larger than the limit.
    TooLarge(u64),
    /// Not read: a symbolic link, not a regular file, or not owned by the repository's owner.
    /// The text says which, for a note ("symbolic link, not followed").
    Refused(&'static str),
}

/// Why a read was refused, as said in notes.
pub(crate) const SYMLINK: &str = "symbolic link, not followed";

/// A folder that reads stay beneath: its descriptor, opened once.
pub(crate) struct Anchor {
    fd: std::os::fd::OwnedFd,
}

/// A relative path with only normal components, or an error before any system call.
fn checked(rel: &Path) -> std::io::Result<&Path> {
    for c in rel.components() {
        match c {
            Component::Normal(_) | Component::CurDir => {}
            _ => {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    "path leaves the checked root",
                ))
            }
        }
    }
    Ok(rel)
}

/// Reads at most `limit` bytes of an open regular file of `len` bytes (0: unknown, as on some
/// special file systems).
fn read_bounded(mut file: impl Read, len: u64, limit: u64) -> std::io::Result<ReadOutcome> {
    if len > limit {
        return Ok(ReadOutcome::TooLarge(len));
    }
    let mut buf = Vec::with_capacity(len as usize);
    // The size from the open file bounds the read: one `read` call for most files, and no
    // extra call to find the end.
    let bound = if len == 0 { limit + 1 } else { len };
    file.by_ref().take(bound).read_to_end(&mut buf)?;
    if buf.len() as u64 > limit {
        return Ok(ReadOutcome::TooLarge(buf.len() as u64));
    }
    Ok(ReadOutcome::Bytes(buf))
}

mod imp {
    use std::os::fd::{AsFd, OwnedFd};
    use std::path::Path;
    use std::sync::atomic::{AtomicBool, Ordering};

    use rustix::fs::{self as rfs, FileType, Mode, OFlags};
    use rustix::io::Errno;

    use super::{checked, read_bounded, Anchor, ReadOutcome, SYMLINK};

    /// Longest relative path opened, in bytes (Linux's `PATH_MAX`).
    const PATH_MAX: usize = 4096;

    /// Cleared when the kernel has no `openat2` (before Linux 5.6, or a seccomp filter that
    /// refuses it): the component walk is used from then on.
    #[cfg(any(target_os = "linux", target_os = "android"))]
    static OPENAT2: AtomicBool = AtomicBool::new(true);

    /// Opens `rel` beneath `dir` with `flags`, following no symbolic link in any component. A
    /// final component that is a symbolic link gives `ELOOP`, or with `O_PATH` a descriptor of
    /// the link itself (its `fstat` says so).
    pub(crate) fn open_beneath(
        dir: impl AsFd,
        rel: &Path,
        flags: OFlags,
    ) -> std::io::Result<OwnedFd> {
        let rel = checked(rel)?;
        // As a plain open would: the component walk could go deeper, at a cost quadratic in
        // the depth of a hostile tree.
        if rel.as_os_str().len() >= PATH_MAX {
            return Err(Errno::NAMETOOLONG.into());
        }
        let rel = if rel.as_os_str().is_empty() {
            Path::new(".")
        } else {
            rel
        };
        let flags = flags | OFlags::NOFOLLOW | OFlags::CLOEXEC;
        #[cfg(any(target_os = "linux", target_os = "android"))]
        if OPENAT2.load(Ordering::Relaxed) {
            use rustix::fs::ResolveFlags;
            let how =
                ResolveFlags::BENEATH | ResolveFlags::NO_SYMLINKS | ResolveFlags::NO_MAGICLINKS;
            match rfs::openat2(dir.as_fd(), rel, flags, Mode::empty(), how) {
                Err(Errno::NOSYS) => OPENAT2.store(false, Ordering::Relaxed),
                // EPERM: a seccomp filter; EAGAIN: a concurrent rename the kernel would not
                // vouch for. The component walk handles both.
                Err(Errno::PERM | Errno::AGAIN) => {}
                other => return other.map_err(Into::into),
            }
        }
        open_by_components(dir, rel, flags)
    }

    /// The fallback: one `openat(O_NOFOLLOW)` per component, each folder checked on its
    /// descriptor.
    pub(crate) fn open_by_components(
        dir: impl AsFd,
        rel: &Path,
        flags: OFlags,
    ) -> std::io::Result<OwnedFd> {
        let parts: Vec<&std::ffi::OsStr> = checked(rel)?
            .components()
            .filter_map(|c| match c {
                std::path::Component::Normal(p) => Some(p),
                _ => None,
            })
            .collect();
        let Some((last, folders)) = parts.split_last() else {
            return Ok(rfs::openat(
                dir,
                ".",
                flags | OFlags::NOFOLLOW | OFlags::CLOEXEC,
                Mode::empty(),
            )?);
        };
        let mut cur: Option<OwnedFd> = None;
        for part in folders {
            let base = match &cur {
                Some(fd) => fd.as_fd(),
                None => dir.as_fd(),
            };
            let next = rfs::openat(
                base,
                *part,
                OFlags::PATH | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
                Mode::empty(),
            )?;
            // O_PATH | O_NOFOLLOW may hand back the link itself: check what was opened.
            let ty = FileType::from_raw_mode(rfs::fstat(&next)?.st_mode);
            if ty == FileType::Symlink {
                return Err(Errno::LOOP.into());
            }
            if ty != FileType::Directory {
                return Err(Errno::NOTDIR.into());
            }
            cur = Some(next);
        }
        let base = match &cur {
            Some(fd) => fd.as_fd(),
            None => dir.as_fd(),
        };
        Ok(rfs::openat(
            base,
            *last,
            flags | OFlags::NOFOLLOW | OFlags::CLOEXEC,
            Mode::empty(),
        )?)
    }

    /// What a non-regular file is, for notes.
    pub(crate) fn kind(ty: FileType) -> &'static str {
        match ty {
            FileType::Symlink => SYMLINK,
            FileType::Directory => "a folder, not a regular file",
            FileType::Fifo => "a named pipe (FIFO), not a regular file",
            FileType::Socket => "a socket, not a regular file",
            FileType::CharacterDevice | FileType::BlockDevice => "a device, not a regular file",
            _ => "a special file, not a regular file",
        }
    }

    impl Anchor {
        /// Opens the folder `path` (the user's argument: symbolic links in it are followed) for
        /// listing: fails when it cannot be read.
        pub(crate) fn open_dir(path: &Path) -> std::io::Result<Anchor> {
            let fd = rfs::open(
                path,
                OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
                Mode::empty(),
            )?;
            Ok(Anchor { fd })
        }

        /// Opens the folder `path` (the user's argument) as a place to open files from, without
        /// needing to list it.
        pub(crate) fn open_path(path: &Path) -> std::io::Result<Anchor> {
            let fd = rfs::open(
                path,
                OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC,
                Mode::empty(),
            )?;
            Ok(Anchor { fd })
        }

        /// Opens the folder `rel` beneath this one for listing.
        pub(crate) fn open_subdir(&self, rel: &Path) -> std::io::Result<OwnedFd> {
            open_beneath(&self.fd, rel, OFlags::RDONLY | OFlags::DIRECTORY)
        }

        /// The folder's descriptor.
        #[cfg(test)]
        pub(crate) fn fd(&self) -> std::os::fd::BorrowedFd<'_> {
            self.fd.as_fd()
        }

        /// The owner of the anchor folder.
        pub(crate) fn owner(&self) -> Option<u32> {
            rfs::fstat(&self.fd).ok().map(|s| s.st_uid)
        }

        /// Reads the regular file `rel` beneath this folder, at most `limit` bytes. With
        /// `owner`, a file owned by anyone else is refused.
        pub(crate) fn read(
            &self,
            rel: &Path,
            limit: u64,
            owner: Option<u32>,
        ) -> std::io::Result<ReadOutcome> {
            let fd = match open_beneath(
                &self.fd,
                rel,
                OFlags::RDONLY | OFlags::NONBLOCK | OFlags::NOCTTY,
            ) {
                Ok(fd) => fd,
                Err(e) if e.raw_os_error() == Some(Errno::LOOP.raw_os_error()) => {
                    return Ok(ReadOutcome::Refused(SYMLINK))
                }
                // Opening a socket gives ENXIO.
                Err(e) if e.raw_os_error() == Some(Errno::NXIO.raw_os_error()) => {
                    return Ok(ReadOutcome::Refused(kind(FileType::Socket)))
                }
                Err(e) => return Err(e),
            };
            let st = rfs::fstat(&fd)?;
            let ty = FileType::from_raw_mode(st.st_mode);
            if ty != FileType::RegularFile {
                return Ok(ReadOutcome::Refused(kind(ty)));
            }
            if owner.is_some_and(|o| o != st.st_uid) {
                return Ok(ReadOutcome::Refused(
                    "owned by another user than the repository",
                ));
            }
            read_bounded(std::fs::File::from(fd), st.st_size.max(0) as u64, limit)
        }

        /// The type of `rel` beneath this folder, without following a link or opening the
        /// file itself (`O_PATH`): `None` when it does not exist or cannot be reached.
        pub(crate) fn file_type(&self, rel: &Path) -> Option<FileType> {
            let fd = open_beneath(&self.fd, rel, OFlags::PATH).ok()?;
            Some(FileType::from_raw_mode(rfs::fstat(&fd).ok()?.st_mode))
        }

        /// Whether `rel` is a regular file beneath this folder (a symbolic link is not).
        pub(crate) fn is_regular(&self, rel: &Path) -> bool {
            self.file_type(rel) == Some(FileType::RegularFile)
        }
    }
}

pub(crate) use imp::kind;
#[cfg(test)]
pub(crate) use imp::{open_beneath, open_by_components};
