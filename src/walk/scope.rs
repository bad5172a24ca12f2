//! The repository a checked path belongs to, found the way cargo finds a workspace: the top of
//! the git work tree the path is in, else the Cargo workspace (or package) holding it (issue 16).
//!
//! Walking up is guarded as configuration lookups are: a folder counts only while it and every
//! folder on the way belong to the owner of the checked path's folder, and a `Cargo.toml` above
//! that folder is read (through the guarded opener, at most [`super::CONFIG_LIMIT`] bytes) only
//! when the same owner owns it.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use super::open::{Anchor, ReadOutcome};
use super::Root;

/// What holds a checked path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EnclosingKind {
    /// A git work tree.
    Git,
    /// A Cargo workspace or package, outside any git work tree.
    Cargo,
}

/// The repository a checked path belongs to.
#[derive(Clone, Debug)]
pub struct Enclosing {
    /// Its top folder, resolved.
    pub top: PathBuf,
    /// The checked path relative to the top, forward slashes (`""`: the top itself).
    pub within: String,
    /// What was found.
    pub kind: EnclosingKind,
}

impl Root {
    /// The repository the root belongs to: the top of its git work tree, else the Cargo
    /// workspace or package holding it; `None` when neither is found.
    pub fn enclosing(&self) -> Option<Enclosing> {
        let (top, kind) = match self.tree.git_depth {
            Some(d) => (
                self.dir.ancestors().nth(d)?.to_path_buf(),
                EnclosingKind::Git,
            ),
            None => (
                cargo_root(&self.dir, &self.anchor, self.tree.owner)?,
                EnclosingKind::Cargo,
            ),
        };
        let mut within = super::relative(&top, &self.dir);
        if let Some(name) = &self.file {
            if !within.is_empty() {
                within.push('/');
            }
            within.push_str(&name.to_string_lossy());
        }
        Some(Enclosing { top, within, kind })
    }
}

/// The nearest Cargo workspace holding `dir`'s package, else that package's folder.
fn cargo_root(dir: &Path, anchor: &Anchor, owner: Option<u32>) -> Option<PathBuf> {
    let mut package: Option<PathBuf> = None;
    for (depth, folder) in dir.ancestors().enumerate() {
        let above = depth > 0;
        if above && std::fs::symlink_metadata(folder).map(|m| m.uid()).ok() != owner {
            break;
        }
        let opened;
        let base = if above {
            let Ok(a) = Anchor::open_path(folder) else {
                break;
            };
            opened = a;
            &opened
        } else {
            anchor
        };
        let limit = super::CONFIG_LIMIT;
        let owner = if above { owner } else { None };
        let Ok(ReadOutcome::Bytes(bytes)) = base.read(Path::new("Cargo.toml"), limit, owner) else {
            continue;
        };
        let Ok(manifest) = toml::from_str::<toml::Table>(&String::from_utf8_lossy(&bytes)) else {
            continue;
        };
        if let Some(ws) = manifest.get("workspace").and_then(toml::Value::as_table) {
            return match &package {
                Some(p) if !is_member(ws, folder, p) => package,
                _ => Some(folder.to_path_buf()),
            };
        }
        if package.is_none() && manifest.contains_key("package") {
            package = Some(folder.to_path_buf());
        }
    }
    package
}

/// Whether the package at `package` is a member of the workspace `ws` at `root`, as cargo
/// decides: its folder matches a `members` glob (each `*` within one folder name) and no
/// `exclude` path holds it.
fn is_member(ws: &toml::Table, root: &Path, package: &Path) -> bool {
    let Ok(rel) = package.strip_prefix(root) else {
        return false;
    };
    if rel.as_os_str().is_empty() {
        return true;
    }
    let rel = super::relative(Path::new(""), rel);
    let list = |key: &str| -> Vec<String> {
        ws.get(key)
            .and_then(toml::Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(toml::Value::as_str)
                    .map(|s| s.trim_start_matches("./").trim_end_matches('/').to_string())
                    .collect()
            })
            .unwrap_or_default()
    };
    let excluded = list("exclude")
        .iter()
        .any(|e| rel == *e || rel.starts_with(&format!("{e}/")));
    let member = list("members").iter().any(|m| {
        globset::GlobBuilder::new(m)
            .literal_separator(true)
            .build()
            .is_ok_and(|g| g.compile_matcher().is_match(&rel))
    });
    member && !excluded
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ws(text: &str) -> toml::Table {
        let t: toml::Table = toml::from_str(text).expect("toml");
        t.get("workspace")
            .and_then(toml::Value::as_table)
            .cloned()
            .expect("workspace")
    }

    #[test]
    fn members_as_cargo_matches_them() {
        let w = ws(
            "[workspace]\nmembers = [\"crates/*\", \"./tools/cli/\"]\nexclude = [\"crates/old\"]\n",
        );
        let root = Path::new("/r");
        assert!(is_member(&w, root, Path::new("/r")));
        assert!(is_member(&w, root, Path::new("/r/crates/api")));
        assert!(is_member(&w, root, Path::new("/r/tools/cli")));
        assert!(!is_member(&w, root, Path::new("/r/crates/a/b")));
        assert!(!is_member(&w, root, Path::new("/r/crates/old")));
        assert!(!is_member(&w, root, Path::new("/r/other")));
        assert!(!is_member(&w, root, Path::new("/elsewhere")));
    }

    #[test]
    fn finds_the_workspace_then_the_package() {
        let dir = tempfile::tempdir().expect("temp dir");
        let d = dir.path();
        std::fs::create_dir_all(d.join("crates/api/src")).expect("mkdir");
        std::fs::create_dir_all(d.join("alone/src")).expect("mkdir");
        std::fs::write(
            d.join("Cargo.toml"),
            "[workspace]\nmembers = [\"crates/*\"]\n",
        )
        .expect("write");
        std::fs::write(
            d.join("crates/api/Cargo.toml"),
            "[package]\nname = \"api\"\n",
        )
        .expect("write");
        std::fs::write(d.join("alone/Cargo.toml"), "[package]\nname = \"alone\"\n").expect("write");
        std::fs::write(d.join("crates/api/src/main.rs"), "fn main() {}\n").expect("write");
        let d = std::fs::canonicalize(d).expect("canonical");
        let at = |p: &str| Root::open(&d.join(p)).expect("root").enclosing();
        // A temporary folder is in no git work tree.
        let e = at("crates/api/src/main.rs").expect("found");
        assert_eq!(
            (e.top.as_path(), e.within.as_str(), e.kind),
            (d.as_path(), "crates/api/src/main.rs", EnclosingKind::Cargo)
        );
        let e = at("alone/src").expect("found");
        assert_eq!((e.top, e.within), (d.join("alone"), "src".to_string()));
        assert_eq!(at("crates").map(|e| e.within), Some("crates".to_string()));
    }
}
