//! What a check covers: each path given on the command line is checked as part of the
//! repository that holds it (the top of its git work tree, else its Cargo workspace), so that
//! `twelve-check src` builds the same facts as `twelve-check .` and reports the findings under
//! `src` (issue 16). Paths of one repository are checked together, once.
//!
//! A given path is checked on its own, as a root, when it is the repository's top, when no
//! repository holds it, when it is test, example or fixture material of the repository (a
//! fixture is a small repository of its own, and the repository's check leaves it out), or when
//! the repository's walk does not reach it (ignored or excluded).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::walk;

use super::is_test_path;

/// One check: a root opened and walked once, and what it reports on.
pub(super) struct Plan {
    /// The resolved path that identifies the root: the repository's top, or a given path checked
    /// on its own.
    pub(super) key: PathBuf,
    /// The path typed for the whole root, when one was: opened and shown as typed.
    pub(super) whole: Option<PathBuf>,
    /// Paths inside the top that are reported on (when not `whole`).
    pub(super) given: Vec<Given>,
}

/// A given path inside a repository.
#[derive(Clone, Debug)]
pub(super) struct Given {
    /// As typed.
    pub(super) typed: PathBuf,
    /// Relative to the repository's top, forward slashes, not empty.
    pub(super) within: String,
    /// A file, not a folder.
    pub(super) file: bool,
}

impl Plan {
    /// A given path checked on its own, as typed.
    pub(super) fn alone(g: &Given) -> Plan {
        Plan {
            key: g.typed.clone(),
            whole: Some(g.typed.clone()),
            given: Vec::new(),
        }
    }

    /// What the check reports on, once the root's walk listed `entries`, and the given paths
    /// that the walk does not reach (ignored, excluded): those are checked on their own, as
    /// given. `None`: nothing left to report on here.
    pub(super) fn settle(
        &self,
        entries: &[walk::Entry],
        root_is_file: bool,
    ) -> (Option<Scope>, Vec<Plan>) {
        if let Some(typed) = &self.whole {
            let prefix = if root_is_file {
                super::display_prefix(typed.parent().unwrap_or(Path::new("")))
            } else {
                super::display_prefix(typed)
            };
            return (Some(Scope::whole(prefix)), Vec::new());
        }
        let (reached, missed): (Vec<Given>, Vec<Given>) = self
            .given
            .iter()
            .cloned()
            .partition(|g| reached(entries, &g.within));
        // One check for a folder and what is under it.
        let alone = missed
            .iter()
            .filter(|g| {
                !missed
                    .iter()
                    .any(|o| !o.file && g.within.starts_with(&format!("{}/", o.within)))
            })
            .map(Plan::alone)
            .collect();
        let scope = (!reached.is_empty()).then(|| Scope::partial(&reached, &self.key));
        (scope, alone)
    }

    /// The path to open.
    pub(super) fn root(&self) -> &Path {
        self.whole.as_deref().unwrap_or(&self.key)
    }
}

fn open(path: &Path) -> Result<walk::Root, Error> {
    walk::Root::open(path).map_err(|source| Error::Io {
        path: path.display().to_string(),
        source,
    })
}

/// Groups the given paths by the repository that holds them, in the order given. A root that
/// cannot be opened is an error, not an empty pass.
pub(super) fn plan(paths: &[PathBuf], notes: &mut Vec<String>) -> Result<Vec<Plan>, Error> {
    let mut plans: Vec<Plan> = Vec::new();
    for path in paths {
        let opened = open(path)?;
        if let Some(target) = opened.link_target() {
            notes.push(format!(
                "{} is a symbolic link: checked {} once resolved",
                path.display(),
                target.display()
            ));
        }
        let part = opened
            .enclosing()
            .filter(|e| !e.within.is_empty() && !is_test_material(&e.within, opened.is_file()));
        let (key, given) = match part {
            Some(e) => (
                e.top,
                Some(Given {
                    typed: path.clone(),
                    within: e.within,
                    file: opened.is_file(),
                }),
            ),
            None => (opened.resolved(), None),
        };
        let at = match plans.iter().position(|p| p.key == key) {
            Some(i) => i,
            None => {
                plans.push(Plan {
                    key,
                    whole: None,
                    given: Vec::new(),
                });
                plans.len() - 1
            }
        };
        let p = &mut plans[at];
        match given {
            Some(g) if !p.given.iter().any(|o| o.within == g.within) => p.given.push(g),
            Some(_) => {}
            None => {
                if p.whole.is_none() {
                    p.whole = Some(path.clone());
                }
            }
        }
    }
    Ok(plans)
}

/// Whether a path inside a repository is test, example or fixture material there.
fn is_test_material(within: &str, file: bool) -> bool {
    if file {
        is_test_path(within, None)
    } else {
        is_test_path(&format!("{within}/_"), None)
    }
}

/// Whether the walk found something at or under `within`.
fn reached(entries: &[walk::Entry], within: &str) -> bool {
    let exact = entries
        .binary_search_by(|e| e.rel.as_str().cmp(within))
        .is_ok();
    let prefix = format!("{within}/");
    let i = entries.partition_point(|e| e.rel < prefix);
    exact || entries.get(i).is_some_and(|e| e.rel.starts_with(&prefix))
}

/// What a check reports on, and how paths are shown.
pub(super) struct Scope {
    /// Given paths by their path within the root (`""`: the whole root), with the prefix they
    /// are shown with (a file: its path as typed).
    given: HashMap<String, (String, bool)>,
    /// The repository's top as shown, for a partial check.
    partial: Option<String>,
}

impl Scope {
    /// The whole root, its files shown under `prefix`.
    pub(super) fn whole(prefix: String) -> Scope {
        Scope {
            given: HashMap::from([(String::new(), (prefix, false))]),
            partial: None,
        }
    }

    /// The given paths of a repository whose top is `top`.
    pub(super) fn partial(given: &[Given], top: &Path) -> Scope {
        let map = given
            .iter()
            .map(|g| {
                let shown = if g.file {
                    g.typed.to_string_lossy().replace('\\', "/")
                } else {
                    super::display_prefix(&g.typed)
                };
                (g.within.clone(), (shown, g.file))
            })
            .collect();
        let first = &given[0];
        Scope {
            given: map,
            partial: Some(top_shown(&first.typed, &first.within, top)),
        }
    }

    /// The outermost given path holding `rel`, with its shown prefix.
    fn holder<'a>(&'a self, rel: &'a str) -> Option<(&'a str, &'a (String, bool))> {
        if let Some(g) = self.given.get("") {
            return Some(("", g));
        }
        let ends = rel
            .match_indices('/')
            .map(|(i, _)| i)
            .chain(std::iter::once(rel.len()));
        for end in ends {
            if let Some(g) = self.given.get(&rel[..end]) {
                return Some((&rel[..end], g));
            }
        }
        None
    }

    /// Whether findings about `rel` are reported.
    pub(super) fn covers(&self, rel: &str) -> bool {
        self.holder(rel).is_some()
    }

    /// How `rel` is shown: under the given path that holds it, as the user typed that.
    pub(super) fn shown(&self, rel: &str) -> String {
        match self.holder(rel) {
            Some(("", (prefix, _))) => format!("{prefix}{rel}"),
            Some((_, (typed, true))) => typed.clone(),
            Some((within, (prefix, false))) => format!("{prefix}{}", &rel[within.len() + 1..]),
            None => rel.to_string(),
        }
    }

    /// For a partial check, the note that says so.
    pub(super) fn note(&self, in_scope: usize, total: usize) -> Option<String> {
        let top = self.partial.as_ref()?;
        let mut paths: Vec<&str> = self
            .given
            .values()
            .map(|(shown, _)| shown.trim_end_matches('/'))
            .map(|s| if s.is_empty() { "." } else { s })
            .collect();
        paths.sort_unstable();
        let more = paths.len().saturating_sub(3);
        paths.truncate(3);
        let mut list = paths
            .iter()
            .map(|p| format!("`{p}`"))
            .collect::<Vec<_>>()
            .join(", ");
        if more > 0 {
            list.push_str(&format!(" and {more} more"));
        }
        Some(format!(
            "partial check: findings are reported under {list} only ({in_scope} of {total} files); the facts they depend on (crates, services, lockfiles, deployment files) come from the whole repository at `{top}`, and the scorecard counts only these findings"
        ))
    }
}

/// The repository's top as the user would name it: the given path with `within`'s components
/// taken off its end when they are there, else the top's resolved path.
fn top_shown(typed: &Path, within: &str, top: &Path) -> String {
    let typed = typed.to_string_lossy().replace('\\', "/");
    let mut parts: Vec<&str> = typed
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    for w in within.split('/').rev() {
        if parts.last() == Some(&w) {
            parts.pop();
        } else {
            return top.display().to_string();
        }
    }
    let lead = if typed.starts_with('/') { "/" } else { "" };
    match (lead, parts.is_empty()) {
        ("", true) => ".".to_string(),
        _ => format!("{lead}{}", parts.join("/")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn given(typed: &str, within: &str, file: bool) -> Given {
        Given {
            typed: PathBuf::from(typed),
            within: within.to_string(),
            file,
        }
    }

    #[test]
    fn shown_as_typed_under_the_outermost_given_path() {
        let s = Scope::partial(
            &[
                given("./src/", "src", false),
                given("src/main.rs", "src/main.rs", true),
                given("deploy/Dockerfile", "deploy/Dockerfile", true),
            ],
            Path::new("/r"),
        );
        assert_eq!(s.shown("src/main.rs"), "src/main.rs");
        assert_eq!(s.shown("src/a/b.rs"), "src/a/b.rs");
        assert_eq!(s.shown("deploy/Dockerfile"), "deploy/Dockerfile");
        assert!(s.covers("src/x") && !s.covers("srcx/y") && !s.covers("deploy/x"));
        assert!(!s.covers("Cargo.toml"));
        let w = Scope::whole("app/".into());
        assert_eq!(w.shown("src/main.rs"), "app/src/main.rs");
        assert!(w.covers("anything") && w.note(1, 1).is_none());
    }

    #[test]
    fn top_as_the_user_would_name_it() {
        let top = Path::new("/abs/repo");
        assert_eq!(top_shown(Path::new("src"), "src", top), ".");
        assert_eq!(top_shown(Path::new("./a/b/"), "b", top), "a");
        assert_eq!(
            top_shown(Path::new("/abs/repo/src"), "src", top),
            "/abs/repo"
        );
        assert_eq!(top_shown(Path::new("."), "services/api", top), "/abs/repo");
    }

    #[test]
    fn reached_by_the_walk() {
        let e = |r: &str| walk::Entry {
            rel: r.to_string(),
            abs: PathBuf::from(r),
        };
        let entries = vec![e("src-x/a"), e("src/a.rs"), e("z")];
        assert!(reached(&entries, "src"));
        assert!(reached(&entries, "z"));
        assert!(!reached(&entries, "sr"));
        assert!(!reached(&entries, "zz"));
    }
}
