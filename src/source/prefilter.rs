//! What the Rust prefilter sees of a file before deciding to parse it: the text and, found once
//! on demand, its string literals with their values and its comments, from which a rule can read
//! the tokens before any offset (`RustText::token_before`) to tell where a literal sits. Also the
//! byte-level skips (comments, strings, char literals) that every token-free pass over Rust text
//! shares: the nesting estimate before syn and the suppression-comment scan use them too.
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
    /// Whether the file belongs to a service crate (`CrateInfo::is_service`).
    pub in_service_crate: bool,
    lexed: OnceCell<Lexed<'a>>,
}

/// What one scan finds: the string literals and the comments, each in source order.
struct Lexed<'a> {
    lits: Vec<LexLit<'a>>,
    comments: Vec<Range<usize>>,
}

/// A token as [`RustText::token_before`] sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Tok {
    /// An identifier, keyword or number (a run of identifier bytes).
    Ident(Range<usize>),
    /// The string literal with this index in [`RustText::literals`].
    Lit(usize),
    /// Any other byte: `=`, `:`, `(`, `,`...; multi-byte operators come one byte at a time.
    Punct(u8),
}

impl<'a> RustText<'a> {
    /// Wraps `text`; nothing is scanned until asked.
    pub fn new(text: &'a str) -> RustText<'a> {
        RustText {
            text,
            in_service_crate: false,
            lexed: OnceCell::new(),
        }
    }

    /// Where the path ending at `pos` starts: `String::from` → `String`, `Vec::<u8>::new` →
    /// `Vec`; `pos` itself when no `::` comes before it.
    pub fn path_start(&self, mut pos: usize) -> usize {
        loop {
            let Some((Tok::Punct(b':'), c2)) = self.token_before(pos) else {
                return pos;
            };
            let Some((Tok::Punct(b':'), c1)) = self.token_before(c2) else {
                return pos;
            };
            let seg = match self.token_before(c1) {
                Some((Tok::Punct(b'>'), gt)) => self.generic_owner(gt).map(|r| r.start),
                Some((Tok::Ident(_), s)) => Some(s),
                _ => None,
            };
            match seg {
                Some(s) if s < pos => pos = s,
                _ => return pos,
            }
        }
    }

    /// From a `>` at `gt` back to the segment its generic arguments belong to: `name` in
    /// `name::<..>` or `name<..>`; `None` when that cannot be told within a few tokens.
    pub fn generic_owner(&self, gt: usize) -> Option<Range<usize>> {
        let b = self.text.as_bytes();
        let (mut depth, mut p) = (0usize, gt + 1);
        for _ in 0..64 {
            let (t, s) = self.token_before(p)?;
            p = s;
            match t {
                // `->` in `Fn(A) -> B` is not a bracket.
                Tok::Punct(b'>') if !(s > 0 && b[s - 1] == b'-') => depth += 1,
                Tok::Punct(b'<') => {
                    depth = depth.checked_sub(1)?;
                    if depth == 0 {
                        let mut at = s;
                        if let Some((Tok::Punct(b':'), c2)) = self.token_before(at) {
                            match self.token_before(c2) {
                                Some((Tok::Punct(b':'), c1)) => at = c1,
                                _ => return None,
                            }
                        }
                        return match self.token_before(at) {
                            Some((Tok::Ident(r), _)) => Some(r),
                            _ => None,
                        };
                    }
                }
                Tok::Punct(b';' | b'{' | b'}') => return None,
                _ => {}
            }
        }
        None
    }

    /// The callee of the call whose `(` is at `open`: `f(`, `.method(`, `f::<T>(`.
    pub fn callee_before(&self, open: usize) -> Option<Range<usize>> {
        match self.token_before(open)? {
            (Tok::Ident(r), _) => Some(r),
            (Tok::Punct(b'>'), gt) => self.generic_owner(gt),
            _ => None,
        }
    }

    /// Whether `range` is one identifier token (not inside a literal or a comment).
    pub fn is_ident_token(&self, range: Range<usize>) -> bool {
        matches!(self.token_before(range.end), Some((Tok::Ident(r), _)) if r == range)
    }

    fn lexed(&self) -> &Lexed<'a> {
        self.lexed.get_or_init(|| {
            let mut comments = Vec::new();
            let lits = scan(self.text, Some(&mut comments));
            Lexed { lits, comments }
        })
    }

    /// Every string literal outside comments, in source order (scanned on first use).
    pub fn literals(&self) -> &[LexLit<'a>] {
        &self.lexed().lits
    }

    /// The token that ends at or before `pos`, with the offset where it starts; whitespace and
    /// comments are skipped and a string literal is one token. Reading backwards token by token
    /// is enough for a rule to tell the syntactic position of a literal (`name = "..."`,
    /// `.call("...")`) without a parse.
    pub fn token_before(&self, mut pos: usize) -> Option<(Tok, usize)> {
        let b = self.text.as_bytes();
        let Lexed { lits, comments } = self.lexed();
        pos = pos.min(b.len());
        loop {
            while pos > 0 && b[pos - 1].is_ascii_whitespace() {
                pos -= 1;
            }
            let p = pos.checked_sub(1)?;
            let c = comments.partition_point(|c| c.start <= p);
            if c > 0 && comments[c - 1].end > p {
                pos = comments[c - 1].start;
                continue;
            }
            let l = lits.partition_point(|l| l.span.start <= p);
            if l > 0 && lits[l - 1].span.end > p {
                return Some((Tok::Lit(l - 1), lits[l - 1].span.start));
            }
            if is_ident_byte(b[p]) {
                let start = pos
                    - b[..pos]
                        .iter()
                        .rev()
                        .take_while(|&&c| is_ident_byte(c))
                        .count();
                return Some((Tok::Ident(start..pos), start));
            }
            return Some((Tok::Punct(b[p]), p));
        }
    }
}

/// Whether `b` can be part of an identifier (any byte of a non-ASCII character counts).
pub(crate) fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

/// Every string literal in `text`, in source order. Unterminated literals and comments run to
/// the end of the text.
pub fn string_literals(text: &str) -> Vec<LexLit<'_>> {
    scan(text, None)
}

/// The string literals of `text`, and where asked its comments' ranges, in source order.
fn scan<'a>(text: &'a str, mut comments: Option<&mut Vec<Range<usize>>>) -> Vec<LexLit<'a>> {
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
                };
                if i > at + 1 {
                    if let Some(c) = comments.as_deref_mut() {
                        c.push(at..i);
                    }
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
    memchr::memchr(b'\n', &b[from..]).map_or(b.len(), |p| from + p)
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
    fn reads_tokens_backwards() {
        let src = "let x = /* c */ f::<Vec<u8>>(a) // x\n  + Cow::<str>::Borrowed(\"v\");";
        let t = RustText::new(src);
        let lit = t.literals()[0].span.start;
        let text = |r: Range<usize>| &src[r];
        // `(` of `Borrowed(`: its callee, and the path's start through the turbofish.
        let (tok, open) = t.token_before(lit).expect("token");
        assert_eq!(tok, Tok::Punct(b'('));
        let callee = t.callee_before(open).expect("callee");
        assert_eq!(text(callee.clone()), "Borrowed");
        assert_eq!(
            &src[t.path_start(callee.start)..callee.end],
            "Cow::<str>::Borrowed"
        );
        // The line comment is skipped; `f::<Vec<u8>>(`'s callee is `f`.
        let plus = src.find('+').expect("+");
        let (tok, close) = t.token_before(plus).expect("token");
        assert_eq!(tok, Tok::Punct(b')'));
        let open = src[..close].rfind('(').expect("(");
        assert_eq!(t.callee_before(open).map(text), Some("f"));
        // The block comment is skipped.
        let f = src.find("f::").expect("f");
        assert_eq!(t.token_before(f), Some((Tok::Punct(b'='), 6)));
        assert!(t.is_ident_token(f..f + 1));
        assert!(!t.is_ident_token(src.find('c').expect("c")..src.find('c').expect("c") + 1));
        assert_eq!(t.token_before(0), None);
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
