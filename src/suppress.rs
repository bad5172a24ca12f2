//! Inline suppression comments: `// twelve-check: ignore[TC0701] reason` at the end of the line
//! it silences or alone on the line above it, and `twelve-check: ignore-file[TC1101]` anywhere in
//! a comment for the whole file. Every suppression is tracked so that one matching nothing
//! becomes `TC0001`, and one naming no rule becomes `TC0003`.
//!
//! Only real comments count: each file kind is scanned with its own comment syntax, so a
//! directive inside a string literal (`"// twelve-check: ignore[..]"`, `key: "# twelve-check: .."`)
//! or a Rust doc comment suppresses nothing.
//!
//! | kind | comments |
//! |---|---|
//! | Rust | `//` and `/* */` (nested), outside string, raw string and char literals; not `///`, `//!`, `/** */`, `/*! */` |
//! | TOML (`Cargo.toml`, `pyproject.toml`, `Pipfile`, `*.toml`) | `#` outside basic, literal and multi-line strings |
//! | `go.mod` | `//` |
//! | Markdown, HTML, XML | `<!-- -->` only (a `# twelve-check: ..` line in a fenced code block is an example) |
//! | reStructuredText, AsciiDoc | none |
//! | other files | `#` (and `//` in files of no known kind) at the start of a line or after whitespace, outside a quoted string opened on that line |
//! | JSON | none |

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::sync::OnceLock;

use regex::Regex;

use crate::registry::Selector;
use crate::source::prefilter::{skip_char_or_lifetime, skip_quoted, skip_raw};
use crate::source::{FileKind, SourceFile};

/// One suppression comment.
#[derive(Clone, Debug)]
pub struct Suppression {
    /// 1-based line of the directive.
    pub line: usize,
    /// The last line it covers: its own line for a comment after code; for a comment alone on
    /// its line, the next line that is not itself only a comment (so stacked comments above a
    /// line all apply to it).
    pub last_line: usize,
    /// Whether it covers the whole file.
    pub file_wide: bool,
    /// Each selector as written, parsed (`None` for an unknown one), and whether it was used. A
    /// malformed directive (`ignore TC0301`, `ignore[]`, `ignore-line[..]`) holds one unknown
    /// selector: the directive as written.
    pub selectors: Vec<SuppressionSelector>,
    /// The stated reason (may be empty).
    pub reason: String,
    /// Byte range of the `twelve-check: ...` directive.
    pub span: Range<usize>,
}

/// One selector inside `ignore[...]`.
#[derive(Clone, Debug)]
pub struct SuppressionSelector {
    /// As written.
    pub text: String,
    /// Parsed.
    pub selector: Option<Selector>,
    /// Whether it suppressed at least one finding.
    pub used: bool,
}

/// `twelve-check:` followed by a word starting with `ignore`, an optional `[list]` and the reason.
fn directive() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"twelve-check:[ \t]*(ignore[A-Za-z0-9_-]*)(?:[ \t]*\[([^\]\r\n]*)\])?[ \t]*([^\r\n]*)",
        )
        .unwrap_or_else(|e| unreachable!("constant regex: {e}"))
    })
}

/// A comment found in a file.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Comment {
    /// Byte offset of the comment leader.
    start: usize,
    /// Byte range of the text after the leader, up to the end of the line or the `*/`.
    body: Range<usize>,
    /// A documentation comment (Rust `///`, `//!`, `/** */`, `/*! */`): never a suppression.
    doc: bool,
}

/// Finds the suppression comments of a file.
pub fn parse(source: &SourceFile) -> Vec<Suppression> {
    let text = source.text.as_str();
    if !text.contains("twelve-check:") {
        return vec![];
    }
    let (comments, leaders): (Vec<Comment>, &[&str]) = match source.kind {
        FileKind::PackageJson | FileKind::Json | FileKind::Lockfile => return vec![],
        FileKind::Rust => (rust_comments(text), &["//", "/*"]),
        FileKind::CargoToml | FileKind::Pyproject | FileKind::Pipfile | FileKind::Toml => {
            (toml_comments(text), &["#"])
        }
        FileKind::GoMod => (line_comments(text, &["//"]), &["//"]),
        FileKind::Other => match extension(&source.path).as_str() {
            "md" | "markdown" | "mdx" | "html" | "htm" | "xml" => (html_comments(text), &["<!--"]),
            "rst" | "adoc" | "asciidoc" => return vec![],
            _ => (line_comments(text, &["#", "//"]), &["#", "//"]),
        },
        _ => (line_comments(text, &["#"]), &["#"]),
    };
    let line_of = |offset: usize| source.lines.line_col(text, offset).0;
    let own_line = |c: &Comment| {
        let line_start = text[..c.start].rfind('\n').map_or(0, |i| i + 1);
        text[line_start..c.start].trim().is_empty()
    };
    // Lines holding nothing but one comment.
    let comment_only: HashSet<usize> = comments
        .iter()
        .filter(|c| {
            let rest = &text[c.body.end..line_end(text.as_bytes(), c.body.end)];
            own_line(c) && matches!(rest.trim(), "" | "*/" | "-->")
        })
        .map(|c| line_of(c.start))
        .collect();
    // For each comment-only line, the first line after its run of comment-only lines: computed
    // once from the last line up (a scan per suppression was quadratic in the run's length).
    let mut sorted: Vec<usize> = comment_only.iter().copied().collect();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    let mut run_end: HashMap<usize, usize> = HashMap::with_capacity(sorted.len());
    for l in sorted {
        let end = run_end.get(&(l + 1)).copied().unwrap_or(l + 1);
        run_end.insert(l, end);
    }
    let mut out = Vec::new();
    for c in comments.iter().filter(|c| !c.doc) {
        let body = &text[c.body.clone()];
        for m in directive().captures_iter(body) {
            let (Some(all), Some(kind)) = (m.get(0), m.get(1)) else {
                continue;
            };
            let file_wide = kind.as_str() == "ignore-file";
            // `ignore[..]` starts the comment (or follows a nested leader, `// note // twelve-check:`);
            // `ignore-file[..]` may sit anywhere in a comment.
            let before = body[..all.start()].trim_end();
            if !file_wide && !before.is_empty() && !leaders.iter().any(|l| before.ends_with(l)) {
                continue;
            }
            let span = c.body.start + all.start()..c.body.start + all.end();
            let head_end = m.get(2).map_or(kind.end(), |l| l.end() + 1);
            let head = body[all.start()..head_end.min(body.len())].trim_end();
            let selectors = match m.get(2) {
                Some(list) if matches!(kind.as_str(), "ignore" | "ignore-file") => {
                    let sels: Vec<SuppressionSelector> = list
                        .as_str()
                        .split(|ch: char| ch == ',' || ch.is_whitespace())
                        .filter(|s| !s.is_empty())
                        .map(|s| SuppressionSelector {
                            text: s.to_string(),
                            selector: Selector::parse(s),
                            used: false,
                        })
                        .collect();
                    if sels.is_empty() {
                        vec![unknown(head)]
                    } else {
                        sels
                    }
                }
                _ => vec![unknown(head)],
            };
            let line = line_of(span.start);
            let mut last_line = line;
            if own_line(c) {
                last_line = run_end.get(&(line + 1)).copied().unwrap_or(line + 1);
            }
            out.push(Suppression {
                line,
                last_line,
                file_wide,
                selectors,
                reason: m
                    .get(3)
                    .map(|r| r.as_str().trim().to_string())
                    .unwrap_or_default(),
                span,
            });
        }
    }
    out
}

/// The selector of a malformed directive: the directive as written, naming no rule.
fn unknown(head: &str) -> SuppressionSelector {
    SuppressionSelector {
        text: head.to_string(),
        selector: None,
        used: false,
    }
}

impl Suppression {
    /// Marks every selector that names a rule as used, so that it is not reported as unused
    /// (`TC0001`) where that cannot be judged: in a file that failed to parse, or in test code
    /// that the rules skipped. Selectors naming no rule are still reported (`TC0003`).
    pub fn excuse(&mut self) {
        for s in &mut self.selectors {
            s.used |= s.selector.is_some();
        }
    }

    /// Byte offsets of the directive and of the first non-blank character of the last line it
    /// covers, to ask whether either lies in code out of scope.
    pub fn anchors(&self, source: &SourceFile) -> (usize, usize) {
        let text = &source.text;
        let range = source.lines.line_range(self.last_line, text.len());
        let line = &text[range.clone()];
        let indent = line.len() - line.trim_start().len();
        (self.span.start, range.start + indent)
    }

    /// Whether this suppression covers a finding of `rule` at `line`; marks the selector used.
    pub fn covers(&mut self, rule: crate::registry::RuleId, line: usize) -> bool {
        if !(self.file_wide || (self.line..=self.last_line).contains(&line)) {
            return false;
        }
        let mut hit = false;
        for s in &mut self.selectors {
            if s.selector.as_ref().is_some_and(|sel| sel.matches(rule)) {
                s.used = true;
                hit = true;
            }
        }
        hit
    }
}

/// The end of the line containing byte `from` (before its `\n` or `\r\n`).
fn line_end(b: &[u8], from: usize) -> usize {
    let end = b[from..]
        .iter()
        .position(|&c| c == b'\n')
        .map_or(b.len(), |i| from + i);
    if end > from && b[end - 1] == b'\r' {
        end - 1
    } else {
        end
    }
}

/// Rust comments, found with a small lexer that knows string, raw string, byte string, char
/// and lifetime tokens and nested block comments.
fn rust_comments(text: &str) -> Vec<Comment> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'/' if b.get(i + 1) == Some(&b'/') => {
                let end = line_end(b, i);
                let doc = (b.get(i + 2) == Some(&b'/') && b.get(i + 3) != Some(&b'/'))
                    || b.get(i + 2) == Some(&b'!');
                out.push(Comment {
                    start: i,
                    body: (i + 2).min(end)..end,
                    doc,
                });
                i = end;
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                let mut depth = 1;
                let mut j = i + 2;
                while j < b.len() && depth > 0 {
                    if b[j] == b'/' && b.get(j + 1) == Some(&b'*') {
                        depth += 1;
                        j += 2;
                    } else if b[j] == b'*' && b.get(j + 1) == Some(&b'/') {
                        depth -= 1;
                        j += 2;
                    } else {
                        j += 1;
                    }
                }
                let j = j.min(b.len());
                let body_end = if depth == 0 { j - 2 } else { j };
                let doc = (b.get(i + 2) == Some(&b'*')
                    && !matches!(b.get(i + 3), Some(b'*' | b'/')))
                    || b.get(i + 2) == Some(&b'!');
                out.push(Comment {
                    start: i,
                    body: (i + 2).min(body_end)..body_end,
                    doc,
                });
                i = j;
            }
            b'"' => i = skip_quoted(b, i + 1),
            b'\'' => i = skip_char_or_lifetime(text, i),
            c if c == b'_' || c.is_ascii_alphabetic() => {
                let s = i;
                while i < b.len() && (b[i] == b'_' || b[i].is_ascii_alphanumeric()) {
                    i += 1;
                }
                match (&b[s..i], b.get(i)) {
                    (b"r" | b"br" | b"cr", Some(b'"' | b'#')) => {
                        let hashes = b[i..].iter().take_while(|&&c| c == b'#').count();
                        if b.get(i + hashes) == Some(&b'"') {
                            i = skip_raw(b, i + hashes + 1, hashes);
                        }
                    }
                    (b"b" | b"c", Some(b'"')) => i = skip_quoted(b, i + 1),
                    (b"b", Some(b'\'')) => i = skip_char_or_lifetime(text, i),
                    _ => {}
                }
            }
            _ => i += 1,
        }
    }
    out
}

/// TOML comments: `#` outside basic, literal and multi-line strings.
fn toml_comments(text: &str) -> Vec<Comment> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'#' => {
                let end = line_end(b, i);
                out.push(Comment {
                    start: i,
                    body: i + 1..end.max(i + 1),
                    doc: false,
                });
                i = end.max(i + 1);
            }
            b'"' if b[i..].starts_with(b"\"\"\"") => {
                let mut j = i + 3;
                i = b.len();
                while j < b.len() {
                    if b[j] == b'\\' {
                        j += 2;
                    } else if b[j..].starts_with(b"\"\"\"") {
                        // Up to two quotes may end the content right before the delimiter.
                        let run = b[j..].iter().take_while(|&&c| c == b'"').count().min(5);
                        i = j + run;
                        break;
                    } else {
                        j += 1;
                    }
                }
            }
            b'\'' if b[i..].starts_with(b"'''") => {
                i = match text[i + 3..].find("'''") {
                    Some(p) => {
                        let j = i + 3 + p;
                        j + b[j..].iter().take_while(|&&c| c == b'\'').count().min(5)
                    }
                    None => b.len(),
                };
            }
            b'"' => {
                let end = line_end(b, i);
                i = skip_quoted(&b[..end], i + 1);
            }
            b'\'' => {
                let end = line_end(b, i);
                i = b[i + 1..end]
                    .iter()
                    .position(|&c| c == b'\'')
                    .map_or(end, |p| i + 1 + p + 1);
            }
            _ => i += 1,
        }
    }
    out
}

/// The lower-case extension of a path's file name (`""` when it has none).
fn extension(path: &str) -> String {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default()
}

/// HTML comments (`<!-- -->`), the only comments of Markdown: a `#` there is a heading and a
/// `//` or `#` line inside a fenced code block is an example, not a directive.
fn html_comments(text: &str) -> Vec<Comment> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(p) = text[from..].find("<!--") {
        let start = from + p;
        let body_start = start + 4;
        let body_end = text[body_start..]
            .find("-->")
            .map_or(text.len(), |q| body_start + q);
        out.push(Comment {
            start,
            body: body_start..body_end,
            doc: false,
        });
        from = (body_end + 3).min(text.len());
    }
    out
}

/// Line comments of the `#` family (YAML, Dockerfile, `.env`, Procfile, shell, Ruby, pip,
/// `go.mod` with `//`): a leader at the start of a line or after whitespace, outside a quoted
/// string opened on that line. A quote opens a string only where a value can start (after
/// whitespace, `:`, `=`, `,`, `(`, `[`, `{`), so the apostrophe of `don't` does not.
fn line_comments(text: &str, leaders: &[&str]) -> Vec<Comment> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    while start < b.len() {
        let end = line_end(b, start);
        let next = b[end..]
            .iter()
            .position(|&c| c == b'\n')
            .map_or(b.len(), |p| end + p + 1);
        let mut quote: Option<u8> = None;
        let mut prev: Option<u8> = None;
        let mut j = start;
        while j < end {
            let c = b[j];
            if let Some(q) = quote {
                if c == b'\\' && q == b'"' {
                    j += 2;
                    continue;
                }
                if c == q {
                    quote = None;
                }
            } else {
                let after_space = prev.is_none_or(|p| p == b' ' || p == b'\t');
                if let Some(l) = leaders
                    .iter()
                    .find(|l| after_space && b[j..end].starts_with(l.as_bytes()))
                {
                    out.push(Comment {
                        start: j,
                        body: j + l.len()..end,
                        doc: false,
                    });
                    break;
                }
                let opens = prev.is_none_or(|p| b" \t:=,([{".contains(&p));
                if (c == b'"' || c == b'\'') && opens {
                    quote = Some(c);
                }
            }
            prev = Some(c);
            j += 1;
        }
        start = next;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::RuleId;

    fn parse_as(path: &str, text: &str) -> Vec<Suppression> {
        parse(&SourceFile::new(
            path,
            FileKind::classify(path),
            text.into(),
        ))
    }

    fn lines(s: &[Suppression]) -> Vec<usize> {
        s.iter().map(|s| s.line).collect()
    }

    #[test]
    fn finds_comments_only() {
        let text = concat!(
            "let a = 1; // twelve-check: ignore[TC0301, nope] local only\n",
            "/// // twelve-check: ignore[TC0301]\n",
            "let s = \"twelve-check: ignore[TC0301]\";\n",
            "// twelve-check: ignore-file[logs]\n",
        );
        let mut s = parse_as("a.rs", text);
        assert_eq!(lines(&s), [1, 4]);
        assert_eq!(s[0].reason, "local only");
        assert!(s[0].selectors[1].selector.is_none());
        assert!(s[0].covers(RuleId::HardcodedSecret, 1));
        // A comment after code covers its own line only.
        assert!(!s[0].covers(RuleId::HardcodedSecret, 2));
        assert!(s[1].file_wide);
        assert!(s[1].covers(RuleId::LogToFile, 99));
    }

    #[test]
    fn rust_strings_are_not_comments() {
        let text = concat!(
            "let a = \"// twelve-check: ignore[TC0301]\";\n",
            "let b = r#\"x \" // twelve-check: ignore[TC0301]\"#;\n",
            "let c = b\"// twelve-check: ignore[TC0301]\";\n",
            "let d = '\"'; // twelve-check: ignore[TC0301] after a quote char\n",
            "fn f<'a>(x: &'a str) {} // twelve-check: ignore[TC0301] after lifetimes\n",
            "/* twelve-check: ignore[TC0301] block */ let e = 1;\n",
            "/** twelve-check: ignore[TC0301] doc block */\n",
            "//! twelve-check: ignore[TC0301] inner doc\n",
            "//// twelve-check: ignore[TC0301] not a doc comment\n",
            "let s = \"a // b\"; let t = 1; // see // twelve-check: ignore[TC0301] nested\n",
        );
        let s = parse_as("a.rs", text);
        assert_eq!(lines(&s), [4, 5, 6, 9, 10]);
        assert_eq!(s[2].reason, "block");
    }

    #[test]
    fn own_line_covers_next_code_line() {
        let text = concat!(
            "// twelve-check: ignore[TC0301] first\n",
            "// twelve-check: ignore[TC0302] second\n",
            "// why: rotated daily\n",
            "let x = 1;\n",
            "let y = 2;\n",
        );
        let mut s = parse_as("a.rs", text);
        assert_eq!(s[0].last_line, 4);
        assert_eq!(s[1].last_line, 4);
        assert!(s[0].covers(RuleId::HardcodedSecret, 4));
        assert!(!s[0].covers(RuleId::HardcodedSecret, 5));
    }

    #[test]
    fn malformed_directives_name_no_rule() {
        let text = concat!(
            "# twelve-check: ignore[] empty\n",
            "# twelve-check: ignore TC0301 no brackets\n",
            "# twelve-check: ignore-line[TC0301]\n",
            "# twelve-check: ignore[TC0301 TC0302] spaces\n",
            "# twelve-check is great\n",
        );
        let s = parse_as("app.yaml", text);
        assert_eq!(lines(&s), [1, 2, 3, 4]);
        assert_eq!(s[0].selectors[0].text, "twelve-check: ignore[]");
        assert!(s[0].selectors[0].selector.is_none());
        assert_eq!(s[1].selectors[0].text, "twelve-check: ignore");
        assert_eq!(s[2].selectors[0].text, "twelve-check: ignore-line[TC0301]");
        assert_eq!(s[3].selectors.len(), 2);
        assert!(s[3].selectors.iter().all(|s| s.selector.is_some()));
    }

    #[test]
    fn hash_comments_per_kind() {
        let yaml = concat!(
            "a: \"x # twelve-check: ignore[TC0301]\"\n",
            "b: don't # twelve-check: ignore[TC0301] apostrophe\n",
            "c: x#twelve-check: ignore[TC0301]\n",
            "  # twelve-check: ignore[TC0301] indented\n",
        );
        assert_eq!(lines(&parse_as("k8s/app.yaml", yaml)), [2, 4]);
        let toml = concat!(
            "a = \"# twelve-check: ignore[TC0301]\"\n",
            "b = '''\n# twelve-check: ignore[TC0301]\n'''\n",
            "c = \"\"\"\n# twelve-check: ignore[TC0301]\n\"\"\"\n",
            "d = 'x' # twelve-check: ignore[TC0301] literal\n",
        );
        assert_eq!(lines(&parse_as("config.toml", toml)), [8]);
        let go = "module x\n// twelve-check: ignore[TC0201]\n# twelve-check: ignore[TC0201]\n";
        assert_eq!(lines(&parse_as("go.mod", go)), [2]);
        let json = "{\"a\": \"# twelve-check: ignore[TC0301]\"}\n";
        assert!(parse_as("package.json", json).is_empty());
        let other = "web: run http://twelve-check: # twelve-check: ignore[TC0301]\n";
        assert_eq!(lines(&parse_as("Procfile", other)), [1]);
    }

    #[test]
    fn markdown_uses_html_comments() {
        let md = concat!(
            "# twelve-check: ignore[TC0301] a heading\n",
            "```rust\n",
            "let a = 1; // twelve-check: ignore[TC0701] an example\n",
            "```\n",
            "<!-- twelve-check: ignore[TC0301] sample key -->\n",
            "key: ghp_example\n",
        );
        let s = parse_as("docs/README.md", md);
        assert_eq!(lines(&s), [5]);
        assert_eq!(s[0].reason, "sample key");
        assert_eq!(s[0].last_line, 6);
        assert!(parse_as("docs/a.rst", "# twelve-check: ignore[TC0301]\n").is_empty());
    }

    #[test]
    fn excuse_and_anchors() {
        let text = "fn a() {}\n    // twelve-check: ignore[TC0301, nope] x\n    #[test]\n";
        let src = SourceFile::new("a.rs", FileKind::Rust, text.into());
        let mut s = parse(&src);
        assert_eq!(s[0].anchors(&src), (17, text.find("#[test]").unwrap_or(0)));
        s[0].excuse();
        assert!(s[0].selectors[0].used);
        assert!(!s[0].selectors[1].used);
    }

    #[test]
    fn crlf_reason() {
        let s = parse_as(
            "a.rs",
            "// twelve-check: ignore[TC0301] local\r\nlet x = 1;\r\n",
        );
        assert_eq!(s[0].reason, "local");
        assert_eq!(s[0].last_line, 2);
    }
}
