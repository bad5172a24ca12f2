//! TC0303: a committed `.env` file holding real configuration.

use crate::rule::prelude::*;
use crate::rules::common::{find_tokens, find_urls, is_template, named_secret};
use crate::source::dotenv::DotenvEntry;

declare_rule! {
    /// ## What it does
    /// Flags a `.env` file (`.env`, `.env.local`, `.env.production`, `prod.env`, ...) that is in
    /// the repository and holds real configuration: a
    /// secret-named key (`DB_PASSWORD`, `API_TOKEN`, `SECRET_KEY_BASE`, ...) with a value that
    /// looks like a real secret, a provider token (`ghp_...`, `sk_live_...`, `AKIA...`), or a URL
    /// with a password (`DATABASE_URL=postgres://app:hunter2@db/app`). The file is reported once,
    /// on the first such line, and the message names its key; the values themselves are
    /// reported by `TC0301` and `TC0302`.
    ///
    /// Not flagged: templates committed on purpose (`.env.example`, `.env.sample`,
    /// `.env.template`, `.env.dist`, `.env.defaults`, `example.env`); test settings
    /// (`.env.test`, `.env.testing`, and any `.env` under a test or example folder); a `.env`
    /// that holds only non-secret local settings (`RUST_LOG=debug`, `PORT=8080`,
    /// `DATABASE_URL=sqlite://data.db`), empty values, placeholders (`changeme`, `<token>`,
    /// `xxx`), `${VAR}` references, and the documented default password of a local service
    /// container (`POSTGRES_PASSWORD=postgres`, `guest:guest` URLs); and a `.env` that git does
    /// not track and a `.gitignore` ignores.
    ///
    /// "In the repository" means tracked by git, whatever `.gitignore` says: a `.env` committed
    /// before `.env` was added to `.gitignore` is still in every clone, and the help says so.
    /// A `.env` that git does not track yet and no `.gitignore` excludes is flagged too (the next
    /// `git add .` commits it). Outside a git work tree, or when its index cannot be read, a file
    /// counts as in the repository unless a `.gitignore` pattern matches it.
    ///
    /// Other files consulted: the git index (is the file tracked?), every `.gitignore` of the
    /// tree (is it ignored?), and the `.env.example`-style template next to the file (the help
    /// points to it, or suggests one).
    ///
    /// ## Measured
    /// On the real-world corpus (`benches/realworld/`, 26 repositories, 2026-12-03): 1 findings, 1
    /// right, 0 wrong, 0 debatable; verdict precision 1.00.
    ///
    /// ## Why is this bad?
    /// Factor III: config is stored in the environment, and "a litmus test for whether an app
    /// has all config correctly factored out of the code is whether the codebase could be made
    /// open source at any moment, without compromising any credentials". A committed `.env`
    /// shares its credentials with every reader of the repository and its history, ties every
    /// checkout to one deploy's values, and invites the next developer to add more.
    ///
    /// ## Example
    /// ```sh
    /// # .env, committed
    /// RUST_LOG=info
    /// DATABASE_URL=postgres://shop:Xk9mP2vLq@db.internal/shop
    /// STRIPE_SECRET_KEY=sk_live_...
    /// ```
    ///
    /// Use instead:
    /// ```sh
    /// # .gitignore
    /// .env
    /// .env.*
    /// !.env.example
    ///
    /// # .env.example, committed
    /// RUST_LOG=info
    /// DATABASE_URL=postgres://shop:<password>@localhost/shop
    /// STRIPE_SECRET_KEY=
    /// ```
    ///
    /// ## References
    /// - <https://12factor.net/config>
    /// - [dotenv: should I commit my .env file?](https://github.com/motdotla/dotenv#should-i-commit-my-env-file)
    pub CommittedEnvFile {
        code: "TC0303", name: "committed-env-file",
        factor: Config, severity: Error, preview: false, since: "0.2.0",
    }
}

/// Template suffixes probed next to a `.env` file, in the order they are suggested.
const TEMPLATES: &[&str] = &[
    ".env.example",
    ".env.sample",
    ".env.template",
    ".env.dist",
    ".env.defaults",
];

/// Whether a dotenv file holds settings for test runs: `.env.test`, `.env.testing`,
/// `.env.test.local`, `test.env`.
fn is_test_env(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower
        .split('.')
        .any(|p| matches!(p, "test" | "testing" | "tests"))
}

/// Why an entry makes the file hold real configuration: a description for the message.
fn real_config(e: &DotenvEntry) -> Option<&'static str> {
    if let Some(t) = find_tokens(&e.value).first() {
        return Some(t.kind);
    }
    if let Some(kind) = named_secret(&e.key, &e.value) {
        return Some(kind.noun());
    }
    if find_urls(&e.value).iter().any(|u| u.has_credential()) {
        return Some("URL with a password");
    }
    None
}

impl Rule for CommittedEnvFile {
    fn inputs(&self) -> Inputs {
        Inputs {
            dotenv: true,
            ..Inputs::default()
        }
    }

    fn check_dotenv(&self, file: &DotenvFile, cx: &mut RuleCtx<'_>) {
        let path = file.source.path.as_str();
        let name = file.source.file_name();
        if is_template(path) || is_test_env(name) || cx.repo().is_ignored(path) {
            return;
        }
        let Some((entry, what)) = file
            .entries
            .iter()
            .find_map(|e| real_config(e).map(|w| (e, w)))
        else {
            return;
        };
        let dir = file.source.dir();
        let sibling = |n: &str| {
            if dir.is_empty() {
                n.to_string()
            } else {
                format!("{dir}/{n}")
            }
        };
        let template = TEMPLATES
            .iter()
            .map(|t| sibling(t))
            .find(|p| cx.repo().exists(p));
        let keep = match &template {
            Some(t) => format!("keep the placeholders in `{t}`"),
            None => "commit a `.env.example` with placeholders instead".to_string(),
        };
        let what = match what {
            "password" | "secret" => format!("a {what}"),
            "URL with a password" => "a URL with a password".to_string(),
            token => format!("a {token}"),
        };
        let repo = cx.repo();
        let (state, label, help) = match (repo.tracked(path), repo.pattern_ignoring(path)) {
            // Ignored after it was added: the pattern does not take it out of git.
            (Some(true), Some((gitignore, line))) => (
                "is committed with real configuration",
                "real value in a file git tracks",
                format!(
                    "remove `{path}` from the repository (`git rm --cached {path}`): the pattern on line {line} of `{gitignore}` does not apply to a file git already tracks; rotate its secrets and {keep}"
                ),
            ),
            (Some(false), _) => (
                "holds real configuration and is not git-ignored",
                "real value in a file that no .gitignore excludes",
                format!("add `{path}` to .gitignore before it is committed and {keep}"),
            ),
            _ => (
                "is committed with real configuration",
                "real value in a file that no .gitignore excludes",
                format!(
                    "remove `{path}` from the repository (`git rm --cached {path}`), add it to .gitignore, rotate its secrets and {keep}"
                ),
            ),
        };
        cx.report(
            Violation::new(
                entry.key_span.clone(),
                format!("`{name}` {state}: `{}` holds {what}", entry.key),
            )
            .label(label)
            .help(help),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::dotenv::DotenvFile;
    use crate::source::{FileKind, SourceFile};

    fn first(text: &str) -> Option<(String, &'static str)> {
        let src = SourceFile::new(".env", FileKind::Dotenv, text.into());
        let f = DotenvFile::parse(&src);
        f.entries
            .iter()
            .find_map(|e| real_config(e).map(|w| (e.key.clone(), w)))
    }

    #[test]
    fn judges_entries() {
        assert_eq!(
            first("RUST_LOG=info\nPORT=8080\nDB_PASSWORD=Xk9#mP2vLq\n"),
            Some(("DB_PASSWORD".into(), "password"))
        );
        assert_eq!(
            first("DATABASE_URL=postgres://shop:Tr0ub4dor3@db/shop\n"),
            Some(("DATABASE_URL".into(), "URL with a password"))
        );
        assert_eq!(
            first("RUST_LOG=debug\nDATABASE_URL=sqlite://data.db\n"),
            None
        );
        assert_eq!(
            first("DB_PASSWORD=\nAPI_TOKEN=${API_TOKEN}\nSECRET_KEY=changeme\n"),
            None
        );
        assert_eq!(
            first("DATABASE_URL=\"postgresql://app:!ChangeMe!@127.0.0.1:5432/app\"\n"),
            None
        );
        assert_eq!(first("POSTGRES_PASSWORD=postgres\n"), None);
    }

    #[test]
    fn test_env_names() {
        assert!(is_test_env(".env.test"));
        assert!(is_test_env(".env.testing"));
        assert!(is_test_env(".env.test.local"));
        assert!(!is_test_env(".env.production"));
        assert!(!is_test_env(".env"));
    }

    #[test]
    fn ignored_file_seen_with_no_ignore_is_not_flagged() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
        let write = |p: &str, t: &str| {
            std::fs::write(dir.path().join(p), t).unwrap_or_else(|e| panic!("{p}: {e}"));
        };
        write(".gitignore", ".env\n");
        write(".env", "DB_PASSWORD=Xk9#mP2vLq\n");
        write("prod.env", "DB_PASSWORD=Xk9#mP2vLq\n");
        let mut settings =
            crate::config::Settings::for_rules(&[crate::registry::RuleId::CommittedEnvFile]);
        settings.respect_ignore = false;
        let report = crate::engine::check(&[dir.path().to_path_buf()], &settings)
            .unwrap_or_else(|e| panic!("check: {e}"));
        let flagged: Vec<&str> = report
            .findings
            .iter()
            .map(|f| f.rel_path.as_str())
            .collect();
        assert_eq!(flagged, vec!["prod.env"]);
    }
}
