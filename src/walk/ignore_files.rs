//! Ignore files (`.gitignore`, `.ignore`, `.git/info/exclude`): read through the guarded opener
//! by the walk, matched with the `ignore` crate's gitignore matcher, and bounded.
//!
//! The `ignore` crate would open these files itself with plain opens (a FIFO blocks it, a link to
//! `/dev/zero` is read without bound) and compile one matcher per folder at about 7.7 KB of
//! memory per pattern. Here a matcher is compiled once per distinct file content and shared by
//! every folder holding that content, a file of more than [`PATTERNS_PER_FILE`] patterns is not
//! applied (a note says so), and past [`PATTERNS_TOTAL`] distinct patterns in one run the walk
//! stops and starts again without ignore files (a note says so). That last decision is the same
//! on every run: as long as the budget holds, the walk prunes exactly what full matching prunes,
//! so whether the ignore files it reaches exceed the budget does not depend on thread timing.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use ignore::Match;

/// Ignore files larger than this are not read (a note says so): 1 MiB.
pub const IGNORE_FILE_LIMIT: u64 = 1024 * 1024;

/// Patterns one ignore file may hold and still be applied.
pub const PATTERNS_PER_FILE: usize = 5_000;

/// Distinct patterns (summed over distinct file contents) one walk compiles at most.
pub const PATTERNS_TOTAL: usize = 10_000;

/// Compiled matchers shared by content, and the budget. The walk fills it; the engine compiles
/// the `.gitignore` files its rules read through the same one, so a content the walk compiled
/// costs nothing more and the budget covers both.
#[derive(Default)]
pub struct Matchers {
    state: Mutex<State>,
    over: AtomicBool,
}

#[derive(Default)]
struct State {
    by_text: HashMap<Box<str>, Arc<Gitignore>>,
    patterns: usize,
}

/// Why an ignore file's rules are not (all) applied.
pub(crate) enum NotApplied {
    /// A note for this file only.
    Note(String),
    /// The run's budget is spent: the walk starts again without ignore files.
    OverBudget,
}

/// Lines that are patterns: not blank, not comments.
fn pattern_count(text: &str) -> usize {
    text.lines()
        .filter(|l| {
            let l = l.trim();
            !l.is_empty() && !l.starts_with('#')
        })
        .count()
}

impl Matchers {
    /// The matcher for an ignore file's text, `None` when it is over a limit (the walk's notes
    /// say so).
    pub fn matcher(&self, text: &str) -> Option<Arc<Gitignore>> {
        self.compile(text).ok().map(|(g, _)| g)
    }

    /// Whether the run's pattern budget is spent.
    pub(crate) fn over_budget(&self) -> bool {
        self.over.load(Ordering::Relaxed)
    }

    /// The matcher for one ignore file's text, with a note when a line is not a valid pattern.
    pub(crate) fn compile(
        &self,
        text: &str,
    ) -> Result<(Arc<Gitignore>, Option<String>), NotApplied> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let n = pattern_count(text);
        if n > PATTERNS_PER_FILE {
            return Err(NotApplied::Note(format!(
                "ignore file not applied: {n} patterns is over the limit of {PATTERNS_PER_FILE}"
            )));
        }
        // Held while compiling: two folders with the same content compile it once, and the
        // budget is counted once per distinct content.
        let mut state = self
            .state
            .lock()
            .map_err(|_| NotApplied::Note("ignore file not applied: internal error".into()))?;
        if let Some(g) = state.by_text.get(text) {
            return Ok((g.clone(), None));
        }
        if state.patterns + n > PATTERNS_TOTAL {
            self.over.store(true, Ordering::Relaxed);
            return Err(NotApplied::OverBudget);
        }
        state.patterns += n;
        // Rooted at ".": paths are given relative to the ignore file's folder, so one matcher
        // serves every folder with the same content.
        let mut b = GitignoreBuilder::new(".");
        let mut note = None;
        for (i, line) in text.lines().enumerate() {
            if let Err(e) = b.add_line(None, line) {
                note.get_or_insert_with(|| {
                    format!(
                        "ignore file line {}: {e}; that pattern is not applied",
                        i + 1
                    )
                });
            }
        }
        let g = match b.build() {
            Ok(g) => g,
            Err(e) => return Err(NotApplied::Note(format!("ignore file not applied: {e}"))),
        };
        let g = Arc::new(g);
        state.by_text.insert(text.into(), g.clone());
        Ok((g, note))
    }
}

/// Where a folder's ignore file stands relative to the checked root.
pub(crate) enum Base {
    /// A folder inside the root: its path relative to the root with a trailing `/` ("" for the
    /// root), stripped from candidates.
    Inside(String),
    /// A folder above the root: the root's path relative to it with a trailing `/`, put in front
    /// of candidates.
    Above(String),
}

/// The ignore rules that apply in one folder: its own files, then its parent's chain.
pub(crate) struct Chain {
    pub(crate) base: Base,
    pub(crate) ignore: Option<Arc<Gitignore>>,
    pub(crate) gitignore: Option<Arc<Gitignore>>,
    pub(crate) exclude: Option<Arc<Gitignore>>,
    pub(crate) parent: Option<Arc<Chain>>,
}

impl Chain {
    /// Whether `rel` (relative to the root) is ignored.
    #[cfg(test)]
    pub(crate) fn is_ignored(&self, rel: &str, is_dir: bool) -> bool {
        self.ignored_by(rel, is_dir).is_some()
    }

    /// Which kind of file ignores `rel`, when one does, with the `ignore` crate's precedence:
    /// the nearest folder's match of each kind wins, and `.ignore` beats `.gitignore`, which
    /// beats `.git/info/exclude`; a `!` pattern that matches keeps the path. Git's patterns
    /// hide only untracked files, a `.ignore` file hides tracked ones too.
    pub(crate) fn ignored_by(&self, rel: &str, is_dir: bool) -> Option<Source> {
        let (mut m_ignore, mut m_git, mut m_exclude) = (Match::None, Match::None, Match::None);
        let mut node = Some(self);
        while let Some(n) = node {
            let path: std::borrow::Cow<'_, str> = match &n.base {
                Base::Inside(prefix) => rel.strip_prefix(prefix.as_str()).unwrap_or(rel).into(),
                Base::Above(prefix) => format!("{prefix}{rel}").into(),
            };
            let path = path.as_ref();
            if m_ignore.is_none() {
                if let Some(g) = &n.ignore {
                    m_ignore = g.matched(path, is_dir);
                }
            }
            if m_git.is_none() {
                if let Some(g) = &n.gitignore {
                    m_git = g.matched(path, is_dir);
                }
            }
            if m_exclude.is_none() {
                if let Some(g) = &n.exclude {
                    m_exclude = g.matched(path, is_dir);
                }
            }
            node = n.parent.as_deref();
        }
        if !m_ignore.is_none() {
            return m_ignore.is_ignore().then_some(Source::DotIgnore);
        }
        m_git.or(m_exclude).is_ignore().then_some(Source::Git)
    }
}

/// The kind of file whose pattern ignores a path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Source {
    /// `.gitignore` or `.git/info/exclude`.
    Git,
    /// `.ignore`.
    DotIgnore,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(m: &Matchers, base: Base, gi: &str, parent: Option<Arc<Chain>>) -> Arc<Chain> {
        let (g, _) = m.compile(gi).ok().expect("compiles");
        Arc::new(Chain {
            base,
            ignore: None,
            gitignore: Some(g),
            exclude: None,
            parent,
        })
    }

    #[test]
    fn nearest_folder_wins_and_negation_keeps() {
        let m = Matchers::default();
        let top = chain(&m, Base::Inside(String::new()), "*.log\n/build\n", None);
        let sub = chain(
            &m,
            Base::Inside("web/".into()),
            "!keep.log\n",
            Some(top.clone()),
        );
        assert!(top.is_ignored("a.log", false));
        assert!(top.is_ignored("build", true));
        assert!(!top.is_ignored("web/build", true), "anchored to its folder");
        assert!(sub.is_ignored("web/x.log", false));
        assert!(!sub.is_ignored("web/keep.log", false));
    }

    #[test]
    fn above_the_root_sees_the_root_path() {
        let m = Matchers::default();
        let above = chain(
            &m,
            Base::Above("crates/foo/".into()),
            "/crates/foo/gen\n",
            None,
        );
        assert!(above.is_ignored("gen", true));
        assert!(!above.is_ignored("src", true));
    }

    #[test]
    fn same_content_compiles_once_and_budgets_hold() {
        let m = Matchers::default();
        let text: String = (0..1000).map(|j| format!("p{j}_*.tmp\n")).collect();
        let (a, _) = m.compile(&text).ok().expect("compiles");
        let (b, _) = m.compile(&text).ok().expect("compiles");
        assert!(Arc::ptr_eq(&a, &b));
        let huge: String = (0..=PATTERNS_PER_FILE).map(|j| format!("q{j}\n")).collect();
        assert!(matches!(m.compile(&huge), Err(NotApplied::Note(_))));
        assert!(!m.over_budget());
        for i in 0.. {
            let t: String = (0..1000).map(|j| format!("r{i}_{j}_*.tmp\n")).collect();
            if let Err(e) = m.compile(&t) {
                assert!(matches!(e, NotApplied::OverBudget));
                assert!(
                    1000 + (i + 1) * 1000 > PATTERNS_TOTAL,
                    "stopped early at {i}"
                );
                break;
            }
        }
        assert!(m.over_budget());
    }
}
