//! A small shell-command splitter for run commands (Dockerfile `RUN`/`CMD`/`ENTRYPOINT`,
//! Procfile lines, compose `command:`, entrypoint scripts): words with quotes removed, the
//! operators `&&`, `||`, `;`, `|`, `&` and newlines between commands, redirections, an `exec`
//! prefix, leading `VAR=value` assignments, and `sh -c "..."` opened up into its own commands.
//!
//! Written by hand: the shell-parsing crates (shell-words, shlex) split one command into words
//! and keep no positions; a full POSIX parser (conch-parser) is unmaintained. Nothing here is
//! ever executed.

use std::ops::Range;

/// A word of a command, quotes and escapes removed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word {
    /// The text as the command sees it.
    pub text: String,
    /// Byte range in the source the script came from.
    pub span: Range<usize>,
}

/// How a command is joined to the next one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sep {
    /// End of the script.
    End,
    /// `;` or a newline.
    Seq,
    /// `&&`.
    And,
    /// `||`.
    Or,
    /// `|`: its output feeds the next command.
    Pipe,
    /// `&`: it runs in the background.
    Background,
}

/// A redirection such as `>> /var/log/app.log` or `2>&1`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Redirect {
    /// The operator as written (`>`, `>>`, `2>`, `&>`, `<`, `2>&1`).
    pub op: String,
    /// The target word (empty for `2>&1`-style duplications).
    pub target: Word,
}

/// One simple command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Command {
    /// Leading `NAME=value` assignments.
    pub env: Vec<Word>,
    /// The words: the program and its arguments.
    pub words: Vec<Word>,
    /// Redirections.
    pub redirects: Vec<Redirect>,
    /// Whether it was prefixed with `exec`.
    pub exec: bool,
    /// How it is joined to the next command.
    pub sep: Sep,
    /// Byte range of the whole command.
    pub span: Range<usize>,
    /// Nesting: 0 at top level, 1 inside `sh -c "..."`, ...
    pub depth: usize,
}

impl Command {
    /// The program name without its directory (`/usr/bin/curl` → `curl`).
    pub fn program(&self) -> Option<&str> {
        self.words
            .first()
            .map(|w| w.text.rsplit('/').next().unwrap_or(&w.text))
    }

    /// The arguments after the program.
    pub fn args(&self) -> &[Word] {
        self.words.get(1..).unwrap_or(&[])
    }

    /// Whether any word equals `s`.
    pub fn has_word(&self, s: &str) -> bool {
        self.words.iter().any(|w| w.text == s)
    }
}

const SHELLS: &[&str] = &["sh", "bash", "dash", "ash", "zsh"];

/// Splits `script`, whose first byte sits at `base` in the file, into commands.
pub fn split(script: &str, base: usize) -> Vec<Command> {
    split_at_depth(script, base, 0)
}

/// Splits an exec-form command (a JSON array of words, as in `CMD ["sh", "-c", "..."]`).
pub fn from_words(words: Vec<Word>) -> Vec<Command> {
    // Not first..last: the words may come from several places out of order (a Kubernetes
    // `args:` written before its `command:`), and a reversed range would panic on slicing.
    let start = words.iter().map(|w| w.span.start).min();
    let end = words.iter().map(|w| w.span.end).max();
    let span = match (start, end) {
        (Some(a), Some(b)) => a..b,
        _ => 0..0,
    };
    expand(
        Command {
            env: vec![],
            words,
            redirects: vec![],
            exec: true,
            sep: Sep::End,
            span,
            depth: 0,
        },
        0,
    )
}

fn split_at_depth(script: &str, base: usize, depth: usize) -> Vec<Command> {
    let mut out = Vec::new();
    let bytes = script.as_bytes();
    let mut i = 0;
    let mut cur: Vec<Word> = Vec::new();
    let mut redirects: Vec<Redirect> = Vec::new();
    let mut pending_redirect: Option<String> = None;
    let mut cmd_start: Option<usize> = None;
    let mut cmd_end = 0;

    let finish = |cur: &mut Vec<Word>,
                  redirects: &mut Vec<Redirect>,
                  cmd_start: &mut Option<usize>,
                  cmd_end: usize,
                  sep: Sep,
                  out: &mut Vec<Command>| {
        if cur.is_empty() && redirects.is_empty() {
            *cmd_start = None;
            return;
        }
        let mut words = std::mem::take(cur);
        let mut env = Vec::new();
        while words.first().is_some_and(|w| is_assignment(&w.text)) {
            env.push(words.remove(0));
        }
        let mut exec = false;
        if words.first().is_some_and(|w| w.text == "exec") {
            words.remove(0);
            exec = true;
        }
        let start = cmd_start.take().unwrap_or(cmd_end);
        let cmd = Command {
            env,
            words,
            redirects: std::mem::take(redirects),
            exec,
            sep,
            span: base + start..base + cmd_end,
            depth,
        };
        out.extend(expand(cmd, depth));
    };

    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b' ' | b'\t' | b'\r' => i += 1,
            b'\\' if bytes.get(i + 1) == Some(&b'\n') => i += 2,
            b'\n' | b';' => {
                finish(
                    &mut cur,
                    &mut redirects,
                    &mut cmd_start,
                    cmd_end,
                    Sep::Seq,
                    &mut out,
                );
                i += 1;
            }
            b'#' if cur.is_empty()
                || bytes
                    .get(i.wrapping_sub(1))
                    .is_some_and(|p| p.is_ascii_whitespace()) =>
            {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'&' if bytes.get(i + 1) == Some(&b'&') => {
                finish(
                    &mut cur,
                    &mut redirects,
                    &mut cmd_start,
                    cmd_end,
                    Sep::And,
                    &mut out,
                );
                i += 2;
            }
            b'|' if bytes.get(i + 1) == Some(&b'|') => {
                finish(
                    &mut cur,
                    &mut redirects,
                    &mut cmd_start,
                    cmd_end,
                    Sep::Or,
                    &mut out,
                );
                i += 2;
            }
            b'|' => {
                finish(
                    &mut cur,
                    &mut redirects,
                    &mut cmd_start,
                    cmd_end,
                    Sep::Pipe,
                    &mut out,
                );
                i += 1;
            }
            b'&' if bytes.get(i + 1) == Some(&b'>') => {
                let op_len = if bytes.get(i + 2) == Some(&b'>') {
                    3
                } else {
                    2
                };
                cmd_start.get_or_insert(i);
                pending_redirect = Some(script[i..i + op_len].to_string());
                i += op_len;
                cmd_end = i;
            }
            b'&' => {
                finish(
                    &mut cur,
                    &mut redirects,
                    &mut cmd_start,
                    cmd_end,
                    Sep::Background,
                    &mut out,
                );
                i += 1;
            }
            b'>' | b'<' => {
                cmd_start.get_or_insert(i);
                i = redirect(
                    script,
                    i,
                    i + 1,
                    base,
                    &mut redirects,
                    &mut pending_redirect,
                );
                cmd_end = i;
            }
            _ => {
                let (word, end) = read_word(script, i, base);
                // `2>` / `1>>`: a digit directly before a redirection operator is part of it.
                if matches!(bytes.get(end), Some(b'>' | b'<'))
                    && word.text.bytes().all(|c| c.is_ascii_digit())
                    && !word.text.is_empty()
                {
                    cmd_start.get_or_insert(i);
                    i = redirect(
                        script,
                        i,
                        end + 1,
                        base,
                        &mut redirects,
                        &mut pending_redirect,
                    );
                    cmd_end = i;
                    continue;
                }
                cmd_start.get_or_insert(i);
                cmd_end = end;
                i = end;
                match pending_redirect.take() {
                    Some(op) => redirects.push(Redirect { op, target: word }),
                    None => cur.push(word),
                }
            }
        }
    }
    finish(
        &mut cur,
        &mut redirects,
        &mut cmd_start,
        cmd_end,
        Sep::End,
        &mut out,
    );
    out
}

/// Reads a redirection operator that starts at `start` (a file-descriptor digit or the operator
/// itself) and whose first `>`/`<` is just before `after`: a duplication (`>&2`, `2>&1`) is
/// recorded at once, a file redirection waits for its target word. Returns where it ends.
fn redirect(
    script: &str,
    start: usize,
    after: usize,
    base: usize,
    redirects: &mut Vec<Redirect>,
    pending: &mut Option<String>,
) -> usize {
    let bytes = script.as_bytes();
    let mut j = after;
    if bytes.get(j) == Some(&b'>') {
        j += 1;
    }
    if bytes.get(j) == Some(&b'&') {
        j += 1;
        while j < bytes.len() && bytes[j].is_ascii_digit() {
            j += 1;
        }
        redirects.push(Redirect {
            op: script[start..j].to_string(),
            target: Word {
                text: String::new(),
                span: base + j..base + j,
            },
        });
    } else {
        *pending = Some(script[start..j].to_string());
    }
    j
}

fn is_assignment(w: &str) -> bool {
    match w.split_once('=') {
        Some((name, _)) => {
            !name.is_empty()
                && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
                && !name.as_bytes()[0].is_ascii_digit()
        }
        None => false,
    }
}

/// Reads one word starting at `start`; returns it and the offset after it.
fn read_word(script: &str, start: usize, base: usize) -> (Word, usize) {
    let bytes = script.as_bytes();
    let mut i = start;
    let mut text = String::new();
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b' ' | b'\t' | b'\r' | b'\n' | b';' | b'|' | b'&' | b'<' | b'>' => break,
            b'\'' => {
                let end = script[i + 1..]
                    .find('\'')
                    .map_or(bytes.len(), |e| i + 1 + e);
                text.push_str(&script[i + 1..end]);
                i = (end + 1).min(bytes.len());
            }
            b'"' => {
                let mut j = i + 1;
                while j < bytes.len() && bytes[j] != b'"' {
                    if bytes[j] == b'\\' && j + 1 < bytes.len() {
                        j += 1;
                    }
                    j += 1;
                }
                let inner = &script[i + 1..j.min(bytes.len())];
                text.push_str(&inner.replace("\\\"", "\"").replace("\\\\", "\\"));
                i = (j + 1).min(bytes.len());
            }
            b'\\' if i + 1 < bytes.len() => {
                let c = script[i + 1..].chars().next().unwrap_or(' ');
                if c != '\n' {
                    text.push(c);
                }
                i += 1 + c.len_utf8();
            }
            b'$' if bytes.get(i + 1) == Some(&b'(') => {
                // Keep `$( ... )` whole, whatever it contains.
                let mut depth = 0usize;
                let mut j = i + 1;
                while j < bytes.len() {
                    match bytes[j] {
                        b'(' => depth += 1,
                        b')' => {
                            depth -= 1;
                            if depth == 0 {
                                j += 1;
                                break;
                            }
                        }
                        _ => {}
                    }
                    j += 1;
                }
                text.push_str(&script[i..j.min(bytes.len())]);
                i = j.min(bytes.len());
            }
            _ => {
                let c = script[i..].chars().next().unwrap_or(' ');
                text.push(c);
                i += c.len_utf8();
            }
        }
    }
    (
        Word {
            text,
            span: base + start..base + i,
        },
        i,
    )
}

/// Opens up `sh -c "script"` (also `bash -lc`, `/bin/sh -ec`) into the script's commands.
fn expand(cmd: Command, depth: usize) -> Vec<Command> {
    let is_shell = cmd.program().is_some_and(|p| SHELLS.contains(&p));
    if !is_shell || depth > 4 {
        return vec![cmd];
    }
    let c_flag = cmd
        .words
        .iter()
        .position(|w| w.text.starts_with('-') && !w.text.starts_with("--") && w.text.contains('c'));
    let Some(pos) = c_flag else {
        return vec![cmd];
    };
    let Some(script) = cmd.words.get(pos + 1) else {
        return vec![cmd];
    };
    // The word's text has its quotes removed; its span still covers them.
    let inner_base = if script.span.len() > script.text.len() {
        script.span.start + 1
    } else {
        script.span.start
    };
    let mut inner = split_at_depth(&script.text, inner_base, depth + 1);
    if script.span.len() < script.text.len() {
        // The text does not fit its span (a YAML position clamped to its line): inner
        // positions would run past it, so they all point at the whole word.
        for c in &mut inner {
            pin(c, &script.span);
        }
    }
    if let Some(last) = inner.last_mut() {
        last.sep = cmd.sep;
    }
    for c in &mut inner {
        c.exec |= cmd.exec && inner_is_single(&script.text);
    }
    if inner.is_empty() {
        vec![cmd]
    } else {
        inner
    }
}

/// Points a command and all its parts at `span`: for commands whose text was opened up from a
/// word (`sh -c ".."`, a folded YAML scalar) and has no exact position of its own.
pub(crate) fn pin(c: &mut Command, span: &Range<usize>) {
    c.span = span.clone();
    for w in c.words.iter_mut().chain(c.env.iter_mut()) {
        w.span = span.clone();
    }
    for r in &mut c.redirects {
        r.target.span = span.clone();
    }
}

fn inner_is_single(script: &str) -> bool {
    split_at_depth(script, 0, 9).len() == 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn programs(s: &str) -> Vec<(String, Sep)> {
        split(s, 0)
            .into_iter()
            .map(|c| (c.program().unwrap_or("").to_string(), c.sep))
            .collect()
    }

    #[test]
    fn operators() {
        assert_eq!(
            programs("a && b || c; d | e & f"),
            vec![
                ("a".into(), Sep::And),
                ("b".into(), Sep::Or),
                ("c".into(), Sep::Seq),
                ("d".into(), Sep::Pipe),
                ("e".into(), Sep::Background),
                ("f".into(), Sep::End),
            ]
        );
    }

    #[test]
    fn quotes_exec_env_and_redirects() {
        let c = split(
            "FOO=1 exec ./app --name 'a b' \"c\\\"d\" >> /var/log/app.log 2>&1",
            0,
        );
        assert_eq!(c.len(), 1);
        let c = &c[0];
        assert!(c.exec);
        assert_eq!(c.env[0].text, "FOO=1");
        let words: Vec<_> = c.words.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(words, ["./app", "--name", "a b", "c\"d"]);
        assert_eq!(c.redirects[0].op, ">>");
        assert_eq!(c.redirects[0].target.text, "/var/log/app.log");
        assert_eq!(c.redirects[1].op, "2>&1");
    }

    #[test]
    fn sh_c_is_opened() {
        let src = "sh -c \"curl -fsSL https://x | bash && exec app\"";
        let c = split(src, 10);
        let progs: Vec<_> = c.iter().map(|c| c.program().unwrap_or("")).collect();
        assert_eq!(progs, ["curl", "bash", "app"]);
        assert!(c[2].exec);
        assert_eq!(
            &src[c[0].words[0].span.start - 10..c[0].words[0].span.end - 10],
            "curl"
        );
    }

    #[test]
    fn continuation_and_comments() {
        let c = split(
            "apt-get update \\\n && apt-get install -y curl # tools\n",
            0,
        );
        assert_eq!(c.len(), 2);
        assert_eq!(c[1].words.last().map(|w| w.text.as_str()), Some("curl"));
    }

    #[test]
    fn sh_c_text_longer_than_its_span_stays_inside() {
        // Found by fuzzing: a YAML position clamped to its line gave a word a span shorter than
        // its text, and the opened-up script ran past the end of the file.
        let words = vec![
            Word {
                text: "sh".into(),
                span: 0..2,
            },
            Word {
                text: "-c".into(),
                span: 3..5,
            },
            Word {
                text: "a && b && c".into(),
                span: 6..9,
            },
        ];
        for c in from_words(words) {
            assert!(c.span.start >= 6 && c.span.end <= 9, "{:?}", c.span);
            assert!(c.words.iter().all(|w| w.span == (6..9)));
        }
    }
}
