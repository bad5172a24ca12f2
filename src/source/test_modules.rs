//! Whole files of Rust test code, found by a cheap text scan before any parse.
//!
//! A module file is test code when its leading inner attributes include `#![cfg(test)]` (or
//! `cfg(all(test, ..))`; not `cfg(any(test, ..))`, see [`requires_test`]), or
//! when a parent file declares it only as `#[cfg(test)] mod x;`. The second is cross-file: each
//! Rust file reports the [`TestScope`]s it proves, and the engine drops the Rust files under
//! them once every file is processed, so rules never need to know.
//!
//! The scan reads text, not a syntax tree: a `#[cfg(test)] mod x;` written inside a string or a
//! comment counts, and a file also declared without `cfg(test)` elsewhere is still dropped. Both
//! are rare, and the scan runs only on files that contain `cfg(`.

/// Rust files that are test code: one file and the folder its submodules live in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TestScope {
    /// The module file, relative to the root.
    pub file: String,
    /// The folder of its submodules, with a trailing `/`; `None` when it has none of its own.
    pub dir: Option<String>,
}

impl TestScope {
    /// Whether the Rust file `rel` is in this scope.
    pub fn covers(&self, rel: &str) -> bool {
        rel == self.file || self.dir.as_deref().is_some_and(|d| rel.starts_with(d))
    }
}

/// The test scopes the Rust file `rel` with text `text` proves: itself when it opens with
/// `#![cfg(test)]`, and each module it declares with `#[cfg(test)] mod x;`.
pub fn test_scopes(rel: &str, text: &str) -> Vec<TestScope> {
    let mut out = Vec::new();
    if !text.contains("cfg(") {
        return out;
    }
    let (parent_dir, sub_dir) = module_dirs(rel);
    if inner_cfg_test(text) {
        out.push(TestScope {
            file: rel.to_string(),
            dir: Some(sub_dir.clone()),
        });
    }
    for (name, path) in cfg_test_mods(text) {
        match path {
            // A `#[path]` file's submodules are beside it, as for `mod.rs`.
            Some(p) => {
                let file = normalize(&format!("{parent_dir}{p}"));
                let dir = file
                    .rsplit_once('/')
                    .map_or(String::new(), |(d, _)| format!("{d}/"));
                let dir = (file.ends_with("/mod.rs") || file == "mod.rs").then_some(dir);
                out.push(TestScope { file, dir });
            }
            None => {
                let dir = format!("{sub_dir}{name}/");
                out.push(TestScope {
                    file: format!("{sub_dir}{name}.rs"),
                    dir: Some(dir.clone()),
                });
                out.push(TestScope {
                    file: format!("{dir}mod.rs"),
                    dir: Some(dir),
                });
            }
        }
    }
    out
}

/// The folder of `rel` and the folder its `mod x;` files live in, each with a trailing `/` (or
/// empty): `src/lib.rs` → `src/`, `src/`; `src/foo.rs` → `src/`, `src/foo/`.
fn module_dirs(rel: &str) -> (String, String) {
    let (dir, name) = match rel.rsplit_once('/') {
        Some((d, n)) => (format!("{d}/"), n),
        None => (String::new(), rel),
    };
    let sub = match name {
        "mod.rs" | "lib.rs" | "main.rs" => dir.clone(),
        _ => format!("{dir}{}/", name.strip_suffix(".rs").unwrap_or(name)),
    };
    (dir, sub)
}

/// `a/./b/../c.rs` → `a/c.rs`.
fn normalize(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for p in path.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

/// Whether the leading inner attributes (after comments, a shebang and `//!` docs) include a
/// `cfg` that mentions `test`.
fn inner_cfg_test(text: &str) -> bool {
    let mut rest = text.strip_prefix('\u{feff}').unwrap_or(text);
    if rest.starts_with("#!") && !rest.starts_with("#![") {
        rest = rest.find('\n').map_or("", |i| &rest[i..]);
    }
    loop {
        rest = skip_trivia(rest);
        let Some(attr) = rest.strip_prefix("#![") else {
            return false;
        };
        let Some(end) = bracket_end(attr) else {
            return false;
        };
        if cfg_is_test(&attr[..end]) {
            return true;
        }
        rest = &attr[end + 1..];
    }
}

/// Each `mod name;` whose outer attributes include a test `cfg`, with its `#[path]` if any.
fn cfg_test_mods(text: &str) -> Vec<(String, Option<String>)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = text[from..].find("#[") {
        let start = from + i;
        // A run of outer attributes, then the item.
        let mut rest = &text[start..];
        let mut test = false;
        let mut path = None;
        while let Some(attr) = rest.strip_prefix("#[") {
            let Some(end) = bracket_end(attr) else {
                return out;
            };
            let body = &attr[..end];
            test |= cfg_is_test(body);
            if let Some(p) = path_value(body) {
                path = Some(p);
            }
            rest = skip_trivia(&attr[end + 1..]);
        }
        from = text.len() - rest.len();
        if !test {
            continue;
        }
        if let Some(name) = mod_decl(rest) {
            out.push((name, path));
        }
    }
    out
}

/// `pub(crate) mod name;` at the start of `s` → `name`; `None` for an inline `mod name { .. }`.
fn mod_decl(s: &str) -> Option<String> {
    let mut s = s;
    if let Some(r) = s.strip_prefix("pub") {
        s = skip_trivia(r);
        if let Some(r) = s.strip_prefix('(') {
            s = skip_trivia(&r[r.find(')')? + 1..]);
        }
    }
    let r = s.strip_prefix("mod")?;
    if !r.starts_with(char::is_whitespace) {
        return None;
    }
    let r = skip_trivia(r);
    let r = r.strip_prefix("r#").unwrap_or(r);
    let len = r
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(r.len());
    let name = &r[..len];
    (!name.is_empty() && skip_trivia(&r[len..]).starts_with(';')).then(|| name.to_string())
}

/// `cfg(..)` that mentions `test` outside a `not(..)`, as for items.
fn cfg_is_test(body: &str) -> bool {
    let Some(args) = body.trim().strip_prefix("cfg") else {
        return false;
    };
    let Ok(tokens) = args.trim().parse::<proc_macro2::TokenStream>() else {
        return false;
    };
    match tokens.into_iter().next() {
        Some(proc_macro2::TokenTree::Group(g)) => requires_test(g.stream()),
        _ => false,
    }
}

/// Whether `cfg(..)` tokens hold only under `test`: `test`, or `all(..)` with such an arm.
/// Unlike an item's, a module's `cfg(any(test, feature = ".."))` is often the feature's real code
/// that tests also build (kanidm's `rlm_kanidm` `error` and `logic`), so it stays checked.
fn requires_test(tokens: proc_macro2::TokenStream) -> bool {
    use proc_macro2::TokenTree as T;
    let list: Vec<T> = tokens.into_iter().collect();
    match list.as_slice() {
        [T::Ident(id)] => id == "test",
        [T::Ident(id), T::Group(g)] if id == "all" => {
            let arms: Vec<Vec<T>> = g
                .stream()
                .into_iter()
                .collect::<Vec<T>>()
                .split(|t| matches!(t, T::Punct(p) if p.as_char() == ','))
                .map(<[T]>::to_vec)
                .collect();
            arms.into_iter()
                .any(|arm| requires_test(arm.into_iter().collect()))
        }
        _ => false,
    }
}

/// `path = "x.rs"` → `x.rs`, when the value is a plain string.
fn path_value(body: &str) -> Option<String> {
    let r = body
        .trim()
        .strip_prefix("path")?
        .trim_start()
        .strip_prefix('=')?;
    let v = r.trim().strip_prefix('"')?.strip_suffix('"')?;
    (!v.contains(['\\', '"'])).then(|| v.to_string())
}

/// Index of the `]` that closes an attribute whose `[` was just stripped.
fn bracket_end(s: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut in_str = false;
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        if in_str {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_str = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_str = true,
            '[' | '(' | '{' => depth += 1,
            ']' if depth == 0 => return Some(i),
            ']' | ')' | '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// `s` after leading whitespace and comments (doc comments included).
fn skip_trivia(s: &str) -> &str {
    let mut s = s;
    loop {
        s = s.trim_start();
        if s.starts_with("//") {
            s = s.find('\n').map_or("", |i| &s[i..]);
        } else if let Some(r) = s.strip_prefix("/*") {
            s = r.find("*/").map_or("", |i| &r[i + 2..]);
        } else {
            return s;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(rel: &str, text: &str) -> Vec<String> {
        test_scopes(rel, text).into_iter().map(|s| s.file).collect()
    }

    #[test]
    fn inner_cfg_test_marks_the_file_and_its_folder() {
        let s = test_scopes(
            "src/helpers.rs",
            "//! Helpers.\n#![allow(dead_code)]\n#![cfg(test)]\n",
        );
        assert_eq!(s.len(), 1);
        assert!(s[0].covers("src/helpers.rs") && s[0].covers("src/helpers/more.rs"));
        assert!(!s[0].covers("src/main.rs"));
        assert!(files("src/a.rs", "#![cfg(all(test, feature = \"x\"))]").len() == 1);
        assert!(files("src/a.rs", "#![cfg(not(test))]").is_empty());
        assert!(files("src/a.rs", "#![cfg(any(test, feature = \"x\"))]").is_empty());
        assert!(files("src/a.rs", "fn f() {}\n#![cfg(test)]").is_empty());
    }

    #[test]
    fn cfg_test_mods_resolve_as_rustc_does() {
        assert_eq!(
            files("src/main.rs", "#[cfg(test)]\nmod helpers;\nmod real;"),
            ["src/helpers.rs", "src/helpers/mod.rs"]
        );
        assert_eq!(
            files("src/api.rs", "#[cfg(test)] pub(crate) mod mock;"),
            ["src/api/mock.rs", "src/api/mock/mod.rs"]
        );
        assert_eq!(
            files(
                "src/lib.rs",
                "#[cfg(test)]\n#[path = \"../testing/fake.rs\"]\nmod fake;"
            ),
            ["testing/fake.rs"]
        );
        assert!(files("src/lib.rs", "#[cfg(test)]\nmod tests { }").is_empty());
        assert!(files("src/lib.rs", "#[cfg(not(test))]\nmod real;").is_empty());
        assert!(files("src/lib.rs", "#[cfg(feature = \"x\")]\nmod real;").is_empty());
    }
}
