//! What the Rust prefilter sees of a file before deciding to parse it: the text and, found once
//! on demand, its string literals with their values. Also the byte-level skips (comments,
//! strings, char literals) that every token-free pass over Rust text shares: the nesting
//! estimate before syn and the suppression-comment scan use them too.
//!
//! The literal scan is a small hand-written lexer: it skips comments, char literals and
//! lifetimes, reads plain, raw, byte and C strings, and resolves escapes, building no tokens.
//! proc_macro2's tokenizer would allocate a token tree for the whole file, which is most of the
//! cost the prefilter exists to avoid. The scan finds every literal syn would (those in macro
//! bodies too), so a rule that asks "could any literal here be X?" before a parse loses nothing.

use std::borrow::Cow;
use std::cell::OnceCell;
use std::ops::Range;

/// A string literal found by the scan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LexLit<'a> {
    /// Byte range of the literal, prefix and quotes included.
    pub span: Range<usize>,
    /// The value, escapes resolved (bytes of a byte string as Latin-1 characters).
    pub value: Cow<'a, str>,
    /// Whether it is a byte string (`b".."`, `br".."`).
    pub byte: bool,
}

/// A Rust file's text as the prefilter sees it.
pub struct RustText<'a> {
    /// The whole file.
    pub text: &'a str,
    lits: OnceCell<Vec<LexLit<'a>>>,
}

impl<'a> RustText<'a> {
    /// Wraps `text`; nothing is scanned until asked.
    pub fn new(text: &'a str) -> RustText<'a> {
        RustText {
            text,
            lits: OnceCell::new(),
        }
    }

    /// Every string literal outside comments, in source order (scanned on first use).
    pub fn literals(&self) -> &[LexLit<'a>] {
        self.lits.get_or_init(|| string_literals(self.text))
    }
}

fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

/// Every string literal in `text`, in source order. Unterminated literals and comments run to
/// the end of the text.
pub fn string_literals(text: &str) -> Vec<LexLit<'_>> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    // Jump from one byte that can start a comment, a char or a string to the next; a string's
    // prefix (`r#`, `b`, `br`, `c`) is read backwards from its quote.
    while let Some(off) = memchr::memchr3(b'"', b'\'', b'/', &b[i..]) {
        let at = i + off;
        match b[at] {
            b'/' => {
                i = match b.get(at + 1) {
                    Some(b'/') => memchr_newline(b, at),
                    Some(b'*') => skip_block_comment(b, at),
                    _ => at + 1,
                }
            }
            b'\'' => i = skip_char_or_lifetime(text, at),
            _ => {
                let hashes_at = at - b[..at].iter().rev().take_while(|&&c| c == b'#').count();
                let word_start = |q: usize| q == 0 || !is_ident_byte(b[q - 1]);
                let before = |q: usize, c: &[u8]| q >= 1 && c.contains(&b[q - 1]);
                let raw_from = if before(hashes_at, b"r") && word_start(hashes_at - 1) {
                    Some(hashes_at - 1)
                } else if before(hashes_at, b"r")
                    && before(hashes_at - 1, b"bc")
                    && word_start(hashes_at - 2)
                {
                    Some(hashes_at - 2)
                } else {
                    None
                };
                if let Some(start) = raw_from {
                    if let Some((end, lit)) = raw(text, start, hashes_at, b[start] == b'b') {
                        out.push(lit);
                        i = end;
                        continue;
                    }
                }
                let start = if hashes_at == at && before(at, b"bc") && word_start(at - 1) {
                    at - 1
                } else {
                    at
                };
                let (end, lit) = quoted(text, start, at, start < at && b[start] == b'b');
                out.push(lit);
                i = end;
            }
        }
    }
    out
}

fn memchr_newline(b: &[u8], from: usize) -> usize {
    b[from..]
        .iter()
        .position(|&c| c == b'\n')
        .map_or(b.len(), |p| from + p)
}

/// Past a (nested) block comment starting at `i`.
pub(crate) fn skip_block_comment(b: &[u8], mut i: usize) -> usize {
    let mut depth = 0usize;
    while i < b.len() {
        if b[i] == b'/' && b.get(i + 1) == Some(&b'*') {
            depth += 1;
            i += 2;
        } else if b[i] == b'*' && b.get(i + 1) == Some(&b'/') {
            depth = depth.saturating_sub(1);
            i += 2;
            if depth == 0 {
                return i;
            }
        } else {
            i += 1;
        }
    }
    b.len()
}

/// Past a `"`-string whose body starts at `i` (escapes honoured).
pub(crate) fn skip_quoted(b: &[u8], mut i: usize) -> usize {
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    b.len()
}

/// Past a raw string whose body starts at `i`, closed by `"` and `hashes` `#`s.
pub(crate) fn skip_raw(b: &[u8], mut i: usize, hashes: usize) -> usize {
    while i < b.len() {
        if b[i] == b'"'
            && b[i + 1..]
                .iter()
                .take(hashes)
                .filter(|&&c| c == b'#')
                .count()
                == hashes
        {
            return i + 1 + hashes;
        }
        i += 1;
    }
    b.len()
}

/// Past a char literal (`'x'`, `'\\''`, `'\\u{1F600}'`) or a lifetime (`'a`) starting at `i`.
pub(crate) fn skip_char_or_lifetime(text: &str, i: usize) -> usize {
    let b = text.as_bytes();
    if b.get(i + 1) == Some(&b'\\') {
        // Escape: the escaped character, then up to the closing quote on the same line.
        let from = (i + 3).min(b.len());
        return b[from..]
            .iter()
            .position(|&c| c == b'\'' || c == b'\n')
            .map_or(b.len(), |p| from + p + 1);
    }
    let next = text.get(i + 1..).and_then(|t| t.chars().next());
    match next {
        Some(c) if b.get(i + 1 + c.len_utf8()) == Some(&b'\'') => i + 2 + c.len_utf8(),
        _ => i + 1,
    }
}

/// A plain (or byte, or C) string whose opening quote is at `quote`; `start` is where its
/// prefix begins.
fn quoted(text: &str, start: usize, quote: usize, byte: bool) -> (usize, LexLit<'_>) {
    let b = text.as_bytes();
    let end = skip_quoted(b, quote + 1);
    let closed = end > quote + 1 && b.get(end - 1) == Some(&b'"') && end <= b.len();
    let body_end = if closed { end - 1 } else { end };
    let body = text.get(quote + 1..body_end).unwrap_or("");
    let value = if body.contains('\\') {
        Cow::Owned(unescape(body))
    } else {
        Cow::Borrowed(body)
    };
    (
        end,
        LexLit {
            span: start..end,
            value,
            byte,
        },
    )
}

/// A raw string (`r"..."`, `r#"..."#`, `br##"..."##`) whose `r`/`#`s start at `at`; `None` for
/// a raw identifier (`r#type`).
fn raw(text: &str, start: usize, at: usize, byte: bool) -> Option<(usize, LexLit<'_>)> {
    let b = text.as_bytes();
    let hashes = b[at..].iter().take_while(|&&c| c == b'#').count();
    if b.get(at + hashes) != Some(&b'"') {
        return None;
    }
    let body_start = at + hashes + 1;
    let end = skip_raw(b, body_start, hashes);
    let body_end = end.saturating_sub(1 + hashes).max(body_start);
    let closed = end >= body_start + 1 + hashes && b.get(body_end) == Some(&b'"');
    let body = if closed {
        text.get(body_start..body_end)
    } else {
        text.get(body_start..)
    };
    Some((
        end,
        LexLit {
            span: start..end,
            value: Cow::Borrowed(body.unwrap_or("")),
            byte,
        },
    ))
}

/// Resolves Rust string escapes; anything malformed is kept as written.
fn unescape(body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            Some('0') => out.push('\0'),
            Some('\\') => out.push('\\'),
            Some('\'') => out.push('\''),
            Some('"') => out.push('"'),
            Some('x') => {
                let hex: String = chars.by_ref().take(2).collect();
                match u8::from_str_radix(&hex, 16) {
                    Ok(v) => out.push(char::from(v)),
                    Err(_) => {
                        out.push_str("\\x");
                        out.push_str(&hex);
                    }
                }
            }
            Some('u') => {
                let mut code = String::new();
                if chars.peek() == Some(&'{') {
                    chars.next();
                    for d in chars.by_ref() {
                        if d == '}' {
                            break;
                        }
                        code.push(d);
                    }
                }
                match u32::from_str_radix(&code.replace('_', ""), 16)
                    .ok()
                    .and_then(char::from_u32)
                {
                    Some(ch) => out.push(ch),
                    None => {
                        out.push_str("\\u{");
                        out.push_str(&code);
                        out.push('}');
                    }
                }
            }
            // A line continuation: the newline and the next line's leading whitespace go.
            Some('\n') => {
                while chars.peek().is_some_and(|c| c.is_whitespace()) {
                    chars.next();
                }
            }
            Some('\r') if chars.peek() == Some(&'\n') => {
                chars.next();
                while chars.peek().is_some_and(|c| c.is_whitespace()) {
                    chars.next();
                }
            }
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(text: &str) -> Vec<String> {
        string_literals(text)
            .into_iter()
            .map(|l| l.value.into_owned())
            .collect()
    }

    #[test]
    fn finds_every_kind_of_string() {
        let src = r####"
            // "not in a line comment"
            /* "nor in /* a nested */ block" */
            let a = "plain \"quoted\" \x41\u{42}";
            let b = r#"raw "with" quotes"#;
            let c = br##"bytes"##;
            let d = b"by\x74es";
            let e = c"cstr";
            let f = '"'; let g = '\''; let h: &'static str = "after lifetime";
            let r#type = 1; let i = b'"'; let j = "multi
line";
            m!("in a macro", x = "y");
            let k = "cont\
                     inued";
        "####;
        assert_eq!(
            values(src),
            vec![
                "plain \"quoted\" AB",
                "raw \"with\" quotes",
                "bytes",
                "bytes",
                "cstr",
                "after lifetime",
                "multi\nline",
                "in a macro",
                "y",
                "continued",
            ]
        );
        let lits = string_literals(src);
        assert!(lits[2].byte && lits[3].byte && !lits[0].byte);
        let first = &lits[0];
        assert!(src[first.span.clone()].starts_with("\"plain"));
        assert!(
            src[lits[1].span.clone()].starts_with("r#\"")
                && src[lits[1].span.clone()].ends_with("\"#")
        );
    }

    #[test]
    fn unterminated_input_ends_cleanly() {
        for src in [
            "\"open", "r#\"open", "/* open", "'", "b'", "r#", "\"a\\", "'\\",
        ] {
            let _ = string_literals(src);
        }
        assert_eq!(values("x = \"open"), vec!["open"]);
    }
}
