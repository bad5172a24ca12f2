//! Java `.properties`, INI-style files and relaxed JSON (HJSON, JSON5) read into flat settings
//! with exact byte spans.
//!
//! Each parser turns a file into [`KeyValue`]s: a dotted key path, the value with its quoting
//! undone, and the byte ranges of the key and the value in the original text, so a rule can point
//! at the value as written.
//!
//! Written by hand: the crates that read these formats (`java-properties`, `rust-ini`, `json5`,
//! `deser-hjson`) return values without positions, and a finding needs the span.
//!
//! What is read:
//!
//! - `.properties` ([`parse_properties`]), as `java.util.Properties.load` reads it: `k=v`,
//!   `k: v`, `k v`, `#`/`!` comment lines, `\` line continuations (the next line's indentation
//!   dropped), escapes (`\t` `\n` `\r` `\f` `\uXXXX`, and `\` before any other character keeps
//!   that character, so `\=` `\:` `\ ` and `\#` can be part of a key). A key without a value reads
//!   as the value `""`. `${VAR:default}` is plain text to Java and stays verbatim.
//! - INI, `.cfg`, `.conf` ([`parse_ini`]): `[section]` (also `[a.b]`, TOML's `[[a]]` and git's
//!   `[remote "origin"]` as `remote.origin`), `k = v` and `k: v`, `;`/`#` comment lines, `;` or `#`
//!   after whitespace starting an inline comment, `"..."` and `'...'` values (inside double quotes
//!   only `\"` and `\\` are escapes, so Windows paths stay intact), `"quoted keys"`.
//! - HJSON and JSON5 ([`parse_relaxed_json`]): unquoted keys, `"` and `'` strings with JSON5's
//!   escapes, HJSON quoteless strings (to the end of the line, comments included, as HJSON
//!   says), `'''` multi-line strings (indentation removed as hjson-js does), `#` `//` `/* */`
//!   comments, commas or newlines between members, trailing commas, a root without braces, and
//!   numbers (hex, `+1`, `.5`, `Infinity`, `NaN`), `true`, `false` and `null` with their text as
//!   the value.
//!
//! What is not:
//!
//! - INI multi-line values (indented continuation lines): each such line is read on its own, and
//!   a line without `=` or `:` (my.cnf's bare `skip-name-resolve`) yields nothing.
//! - INI has no standard: values are not interpolated (`%(x)s`, `${x}` stay verbatim), duplicate
//!   keys and sections are all returned in file order (so are duplicate `.properties` keys, where
//!   Java keeps the last).
//! - Objects and arrays are not settings of their own: only scalars are returned (`list.0`).
//!   A JSON root that is a lone scalar holds no setting and reads as `Some(vec![])`.
//!
//! Hostile input: every parser is linear in time and memory, none recurses (relaxed JSON keeps an
//! explicit stack and gives up past [`MAX_DEPTH`] levels), and none panics on any text. Key paths
//! are copied into each setting, so a long section name or a deep path repeated over many values
//! could multiply the input: the key bytes returned are capped at [`KEY_BUDGET_FACTOR`] times the
//! input size (plus 64 KiB), and a file that reaches the cap (only a crafted one does) is read up
//! to that point.

use std::ops::Range;

/// One setting read from a key-value configuration file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyValue {
    /// Dotted key path: `spring.datasource.password`, `[database] url` -> `database.url`,
    /// HJSON `{db: {password: x}}` -> `db.password`; array items as `list.0`.
    pub key: String,
    /// The value with quotes removed and escapes resolved (for .properties: `\uXXXX`, `\:` ...).
    pub value: String,
    /// Byte range of the value text in the file (inside the quotes when quoted; for a
    /// multi-line .properties continuation, from the value's start to its end).
    pub value_span: Range<usize>,
    /// Byte range of the key text.
    pub key_span: Range<usize>,
}

/// Which of this module's parsers reads a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// Java `.properties`: [`parse_properties`].
    Properties,
    /// INI, `.cfg`, `.conf`: [`parse_ini`].
    Ini,
    /// HJSON and JSON5: [`parse_relaxed_json`].
    RelaxedJson,
}

/// Deepest object/array nesting [`parse_relaxed_json`] accepts; deeper text reads as `None`.
pub const MAX_DEPTH: usize = 256;

/// Key-path bytes returned per input byte at most (see the module docs). A real file stays far
/// below: even a long path over an array of one-digit numbers is about 20.
pub const KEY_BUDGET_FACTOR: usize = 32;

/// Key-path bytes every file may return whatever its size.
const KEY_BUDGET_BASE: usize = 1 << 16;

/// Path fragments of `.cfg`/`.conf` files that have their own non-INI syntax.
const NOT_INI_PATHS: &[&str] = &["nginx", "apache", "httpd", "haproxy", "supervisor"];

/// The format of a file by its name, `None` for names this module does not read.
///
/// `*.properties` -> Properties; `*.ini`, `*.cfg`, `*.conf` -> Ini unless the path names nginx,
/// Apache (`httpd`), HAProxy or supervisord; `*.hjson`, `*.json5` -> RelaxedJson. The name alone
/// cannot tell an INI `.conf` from redis, HOCON or logrotate syntax: for `.conf` (and `.cfg`)
/// confirm with [`looks_like_ini`] before reading.
pub fn format_for(path: &str) -> Option<Format> {
    let lower = path.to_ascii_lowercase();
    let name = lower.rsplit('/').next().unwrap_or(&lower);
    let (_, ext) = name.rsplit_once('.')?;
    match ext {
        "properties" => Some(Format::Properties),
        "hjson" | "json5" => Some(Format::RelaxedJson),
        "ini" => Some(Format::Ini),
        "cfg" | "conf" => (!NOT_INI_PATHS.iter().any(|w| lower.contains(w))).then_some(Format::Ini),
        _ => None,
    }
}

/// Whether a text reads as INI: `key = value` lines and `[sections]`, no blocks.
///
/// `false` for nginx, Apache, HOCON and logrotate blocks (a line ending in `{`, starting with `}`
/// or `<`), for supervisord files (INI syntax, `[program:x]` sections, kept out on purpose), and
/// for directive-per-line files (redis, HAProxy, resolv.conf: `name value`) where fewer than four
/// in five deciding lines are assignments or sections. Bare one-word lines (my.cnf flags) and
/// indented lines after an assignment (continuations) do not decide.
pub fn looks_like_ini(text: &str) -> bool {
    let (mut ini, mut other) = (0usize, 0usize);
    let mut after_assignment = false;
    for (_, line) in lines(text) {
        let t = line.trim();
        if t.is_empty() || t.starts_with([';', '#']) {
            continue;
        }
        if t.ends_with('{') || t.starts_with('}') || t.starts_with('<') {
            return false;
        }
        if t.starts_with('[') && t.ends_with(']') {
            if is_supervisord_section(t) {
                return false;
            }
            ini += 1;
            after_assignment = false;
            continue;
        }
        if after_assignment && line.starts_with([' ', '\t']) {
            continue;
        }
        after_assignment = is_ini_assignment(t);
        if after_assignment {
            ini += 1;
        } else if t.contains(char::is_whitespace) || t.ends_with(';') {
            other += 1;
        }
    }
    ini > 0 && other * 4 <= ini
}

fn is_supervisord_section(t: &str) -> bool {
    let inner = t.trim_start_matches('[').trim_end_matches(']').trim();
    matches!(
        inner,
        "supervisord" | "supervisorctl" | "unix_http_server" | "inet_http_server"
    ) || [
        "program:",
        "fcgi-program:",
        "eventlistener:",
        "rpcinterface:",
        "group:",
    ]
    .iter()
    .any(|p| inner.starts_with(p))
}

/// `key = value` or `key: value` with a plausible key: words (`=` only) or one token, or a quoted
/// key. Apache's `ServerName host:80` and nginx's `set $a "b=c";` are not.
fn is_ini_assignment(t: &str) -> bool {
    let Some(sep) = t.find(['=', ':']) else {
        return false;
    };
    let key = t[..sep].trim();
    let quoted = key.len() >= 2 && key.starts_with('"') && key.ends_with('"');
    let plain = key.bytes().all(|c| {
        c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.' | b'/' | b'@' | b'*' | b' ')
    });
    let spaced = key.contains(' ');
    !key.is_empty() && (quoted || (plain && (t.as_bytes()[sep] == b'=' || !spaced)))
}

/// The lines of `text` with their start offsets, breaks removed (`\n`, `\r\n` or a bare `\r`,
/// as `LineIndex` reads them).
fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let b = text.as_bytes();
    let mut pos = 0;
    std::iter::from_fn(move || {
        if pos >= b.len() {
            return None;
        }
        let start = pos;
        let end = memchr::memchr2(b'\n', b'\r', &b[start..]).map_or(b.len(), |i| start + i);
        pos = match (b.get(end), b.get(end + 1)) {
            (Some(b'\r'), Some(b'\n')) => end + 2,
            (Some(_), _) => end + 1,
            (None, _) => end,
        };
        text.get(start..end).map(|line| (start, line))
    })
}

/// The first character at byte `i`, `None` at the end or off a character boundary.
fn char_at(text: &str, i: usize) -> Option<char> {
    text.get(i..)?.chars().next()
}

/// The offset of the next line break at or after `i` (or the text's end).
fn eol(b: &[u8], i: usize) -> usize {
    let i = i.min(b.len());
    memchr::memchr2(b'\n', b'\r', &b[i..]).map_or(b.len(), |e| i + e)
}

/// Four hex digits at `at`.
fn hex(b: &[u8], at: usize, n: usize) -> Option<u32> {
    let digits = b.get(at..at.checked_add(n)?)?;
    digits.iter().try_fold(0u32, |acc, &c| {
        let d = (c as char).to_digit(16)?;
        Some(acc * 16 + d)
    })
}

/// Decodes the `\uXXXX` escape whose backslash is at `at` (a UTF-16 surrogate pair written as two
/// escapes makes one character; a lone surrogate becomes U+FFFD): the character and the bytes it
/// took. Without four hex digits, the escape is just `u`, as for any other escaped letter.
fn unicode_escape(b: &[u8], at: usize) -> (char, usize) {
    let Some(unit) = hex(b, at + 2, 4) else {
        return ('u', 2);
    };
    if (0xD800..0xDC00).contains(&unit) && b.get(at + 6..at + 8) == Some(&b"\\u"[..]) {
        if let Some(low @ 0xDC00..=0xDFFF) = hex(b, at + 8, 4) {
            let c = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
            return (char::from_u32(c).unwrap_or(char::REPLACEMENT_CHARACTER), 12);
        }
    }
    (
        char::from_u32(unit).unwrap_or(char::REPLACEMENT_CHARACTER),
        6,
    )
}

/// The settings read so far and what is left of the key-path budget.
struct Out {
    items: Vec<KeyValue>,
    budget: usize,
    full: bool,
}

impl Out {
    fn new(text_len: usize) -> Self {
        Out {
            items: Vec::new(),
            budget: KEY_BUDGET_BASE.saturating_add(text_len.saturating_mul(KEY_BUDGET_FACTOR)),
            full: false,
        }
    }

    /// Charges a key of `len` bytes; `false` (and the parser stops) once the budget is spent.
    fn take(&mut self, len: usize) -> bool {
        if len > self.budget {
            self.full = true;
            return false;
        }
        self.budget -= len;
        true
    }
}

// ---------------------------------------------------------------------------------------------
// .properties

/// One character of a logical `.properties` line, continuations removed.
#[derive(Clone, Copy)]
struct PropChar {
    c: char,
    /// Written with a backslash: never a separator or whitespace.
    escaped: bool,
    start: usize,
    end: usize,
}

/// Reads a logical line character by character: `\` + line break is skipped with the next
/// line's indentation, escapes are resolved, and `None` marks the line's end.
struct PropReader<'a> {
    text: &'a str,
    pos: usize,
}

fn is_prop_blank(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\x0c')
}

impl PropReader<'_> {
    fn next_char(&mut self) -> Option<PropChar> {
        let b = self.text.as_bytes();
        loop {
            let start = self.pos;
            match *b.get(start)? {
                b'\n' => {
                    self.pos += 1;
                    return None;
                }
                b'\r' => {
                    self.pos += if b.get(start + 1) == Some(&b'\n') {
                        2
                    } else {
                        1
                    };
                    return None;
                }
                b'\\' => match b.get(start + 1) {
                    None => {
                        // A continuation onto nothing.
                        self.pos += 1;
                        return None;
                    }
                    Some(b'\n' | b'\r') => {
                        let crlf = b.get(start + 1..start + 3) == Some(&b"\r\n"[..]);
                        self.pos = start + if crlf { 3 } else { 2 };
                        while b.get(self.pos).is_some_and(|&c| is_prop_blank(c)) {
                            self.pos += 1;
                        }
                    }
                    Some(b'u') => {
                        let (c, len) = unicode_escape(b, start);
                        self.pos = start + len;
                        return Some(PropChar {
                            c,
                            escaped: true,
                            start,
                            end: self.pos,
                        });
                    }
                    Some(_) => {
                        let raw = char_at(self.text, start + 1)?;
                        self.pos = start + 1 + raw.len_utf8();
                        let c = match raw {
                            't' => '\t',
                            'n' => '\n',
                            'r' => '\r',
                            'f' => '\x0c',
                            c => c,
                        };
                        return Some(PropChar {
                            c,
                            escaped: true,
                            start,
                            end: self.pos,
                        });
                    }
                },
                _ => {
                    let c = char_at(self.text, start)?;
                    self.pos += c.len_utf8();
                    return Some(PropChar {
                        c,
                        escaped: false,
                        start,
                        end: self.pos,
                    });
                }
            }
        }
    }
}

/// Reads a Java `.properties` file (see the module docs); every key in file order.
pub fn parse_properties(text: &str) -> Vec<KeyValue> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut r = PropReader { text, pos: 0 };
    loop {
        while b
            .get(r.pos)
            .is_some_and(|&c| is_prop_blank(c) || c == b'\n' || c == b'\r')
        {
            r.pos += 1;
        }
        let Some(&first) = b.get(r.pos) else { break };
        if first == b'#' || first == b'!' {
            // A comment line never continues, whatever it ends with.
            r.pos = eol(b, r.pos);
            continue;
        }
        let key_start = r.pos;
        let mut key = String::new();
        let mut key_end = key_start;
        let mut last_end = key_start;
        let mut has_sep = false;
        let mut cur = r.next_char();
        // The key ends at the first unescaped `=`, `:` or blank.
        while let Some(ch) = cur {
            cur = r.next_char();
            last_end = ch.end;
            if !ch.escaped && matches!(ch.c, '=' | ':') {
                has_sep = true;
                break;
            }
            if !ch.escaped && matches!(ch.c, ' ' | '\t' | '\x0c') {
                break;
            }
            key.push(ch.c);
            key_end = ch.end;
        }
        // Blanks, at most one `=`/`:`, blanks.
        while let Some(ch) = cur {
            let blank = matches!(ch.c, ' ' | '\t' | '\x0c');
            if ch.escaped || !(blank || (!has_sep && matches!(ch.c, '=' | ':'))) {
                break;
            }
            has_sep |= !blank;
            last_end = ch.end;
            cur = r.next_char();
        }
        let value_start = cur.map_or(last_end, |ch| ch.start);
        let mut value_end = value_start;
        let mut value = String::new();
        while let Some(ch) = cur {
            value.push(ch.c);
            value_end = ch.end;
            cur = r.next_char();
        }
        out.push(KeyValue {
            key,
            value,
            value_span: value_start..value_end,
            key_span: key_start..key_end,
        });
    }
    out
}

// ---------------------------------------------------------------------------------------------
// INI

/// Reads an INI-style file (see the module docs): `section.key` paths in file order.
pub fn parse_ini(text: &str) -> Vec<KeyValue> {
    let mut out = Out::new(text.len());
    let mut section = String::new();
    for (start, line) in lines(text) {
        let body = line.trim_start();
        let at = start + (line.len() - body.len());
        match body.as_bytes().first() {
            None | Some(b';' | b'#') => continue,
            Some(b'[') => {
                // A `[` line that does not close is not a section: the previous one goes on.
                if let Some(name) = section_name(body) {
                    section = name;
                }
                continue;
            }
            Some(_) => {}
        }
        let Some((key, key_span, value, value_span)) = ini_line(body, at) else {
            continue;
        };
        let dot = usize::from(!section.is_empty());
        if !out.take(section.len() + dot + key.len()) {
            break;
        }
        let key = if section.is_empty() {
            key
        } else {
            format!("{section}.{key}")
        };
        out.items.push(KeyValue {
            key,
            value,
            value_span,
            key_span,
        });
    }
    out.items
}

/// The path of a `[section]` line: `[a.b]` and `[[a.b]]` -> `a.b`, `[remote "origin"]` ->
/// `remote.origin`.
fn section_name(body: &str) -> Option<String> {
    let inner = body.strip_prefix('[')?;
    let name = inner[..inner.find(']')?].trim();
    let name = name.strip_prefix('[').unwrap_or(name).trim();
    if let Some((head, sub)) = name.split_once(char::is_whitespace) {
        let sub = sub.trim();
        if let Some(sub) = sub.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
            return Some(format!("{head}.{sub}"));
        }
    }
    Some(name.to_string())
}

/// One `key = value` line (leading blanks removed, starting at byte `at`): key, key span, value,
/// value span.
fn ini_line(body: &str, at: usize) -> Option<(String, Range<usize>, String, Range<usize>)> {
    let bytes = body.as_bytes();
    let (key, key_span, sep) = match *bytes.first()? {
        q @ (b'"' | b'\'') => {
            let close = 1 + body.get(1..)?.find(q as char)?;
            let after = &body[close + 1..];
            let sep = close + 1 + (after.len() - after.trim_start().len());
            if !matches!(bytes.get(sep), Some(b'=' | b':')) {
                return None;
            }
            (body[1..close].to_string(), at + 1..at + close, sep)
        }
        _ => {
            let sep = body.find(['=', ':'])?;
            let key = body[..sep].trim_end();
            if key.is_empty() {
                return None;
            }
            (key.to_string(), at..at + key.len(), sep)
        }
    };
    let rest = &body[sep + 1..];
    let lead = rest.len() - rest.trim_start().len();
    let v = &rest[lead..];
    let vstart = at + sep + 1 + lead;
    if let Some(&q @ (b'"' | b'\'')) = v.as_bytes().first() {
        // An unterminated quote is read as a plain value below.
        if let Some((value, len)) = ini_quoted(&v[1..], q) {
            return Some((key, key_span, value, vstart + 1..vstart + 1 + len));
        }
    }
    // `#` or `;` after a blank starts a comment; `color=#fff` and `a=b;c` keep theirs.
    let rb = rest.as_bytes();
    let cut = (1..rb.len())
        .find(|&i| matches!(rb[i], b';' | b'#') && matches!(rb[i - 1], b' ' | b'\t'))
        .unwrap_or(rb.len());
    let raw = &rest[..cut];
    let value = raw.trim();
    let vstart = at + sep + 1 + (raw.len() - raw.trim_start().len());
    Some((
        key,
        key_span,
        value.to_string(),
        vstart..vstart + value.len(),
    ))
}

/// The quoted text at the start of `s` (just after the opening quote `q`): its value and raw
/// length, `None` when it does not close on this line.
fn ini_quoted(s: &str, q: u8) -> Option<(String, usize)> {
    if q == b'\'' {
        let end = s.find('\'')?;
        return Some((s[..end].to_string(), end));
    }
    let mut value = String::new();
    let mut chars = s.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((value, i)),
            '\\' => match chars.clone().next() {
                Some((_, n @ ('"' | '\\'))) => {
                    value.push(n);
                    chars.next();
                }
                _ => value.push('\\'),
            },
            c => value.push(c),
        }
    }
    None
}

// ---------------------------------------------------------------------------------------------
// HJSON and JSON5

/// Reads an HJSON or JSON5 document (see the module docs): `None` when the text is not one (a
/// syntax error, or nesting deeper than [`MAX_DEPTH`]).
///
/// A text that fails is read once more with quoteless strings also ending at `,`, `]` and `}`, so
/// one-liners such as `{db: {password: x}}` (not HJSON: `x}}` would be the string) still read.
pub fn parse_relaxed_json(text: &str) -> Option<Vec<KeyValue>> {
    Json::new(text, false)
        .run()
        .or_else(|| Json::new(text, true).run())
}

/// An open object or array.
enum Frame {
    Object {
        /// `false` for HJSON's root without braces, closed by the end of the text.
        braced: bool,
        /// Length of the key path up to this container.
        path_len: usize,
    },
    Array {
        path_len: usize,
        /// The next item's index.
        index: usize,
        /// The key the array is the value of: the key span of its items.
        key_span: Option<Range<usize>>,
    },
}

/// What the parser reads next.
#[derive(Clone, Copy)]
enum Want {
    /// A member of the innermost object, or its end.
    Member,
    /// An item of the innermost array, or its end.
    Item,
    /// A value.
    Value,
    /// A separator, or the end of the innermost container.
    After,
}

struct Json<'a> {
    text: &'a str,
    b: &'a [u8],
    pos: usize,
    /// Quoteless strings also end at `,`, `]` and `}` (the second, lenient reading).
    lenient: bool,
    out: Out,
    /// The dotted key path of the value being read.
    path: String,
    /// Column bookkeeping for `'''` strings: the character column at byte `col_at`, advanced
    /// forward only so that many strings on one long line stay linear.
    col_at: usize,
    col: usize,
}

impl<'a> Json<'a> {
    fn new(text: &'a str, lenient: bool) -> Self {
        Json {
            text,
            b: text.as_bytes(),
            pos: 0,
            lenient,
            out: Out::new(text.len()),
            path: String::new(),
            col_at: 0,
            col: 0,
        }
    }

    fn run(mut self) -> Option<Vec<KeyValue>> {
        self.skip()?;
        let Some(&first) = self.b.get(self.pos) else {
            return Some(Vec::new());
        };
        let mut stack: Vec<Frame> = Vec::new();
        let mut want = Want::Value;
        if first != b'{' && first != b'[' && self.braceless_root() {
            stack.push(Frame::Object {
                braced: false,
                path_len: 0,
            });
            want = Want::Member;
        }
        // The key of the value being read; `None` for items of a root array.
        let mut key_span: Option<Range<usize>> = None;
        loop {
            if self.out.full {
                return Some(self.out.items);
            }
            match want {
                Want::Member => {
                    self.skip()?;
                    let Some(&Frame::Object { braced, path_len }) = stack.last() else {
                        return None;
                    };
                    match self.b.get(self.pos) {
                        None if !braced => {
                            stack.pop();
                            want = Want::After;
                        }
                        Some(b'}') if braced => {
                            self.pos += 1;
                            stack.pop();
                            want = Want::After;
                        }
                        None | Some(b'}') => return None,
                        Some(_) => {
                            let (key, span) = self.key()?;
                            self.skip()?;
                            if self.b.get(self.pos) != Some(&b':') {
                                return None;
                            }
                            self.pos += 1;
                            self.path.truncate(path_len);
                            push_segment(&mut self.path, &key);
                            key_span = Some(span);
                            want = Want::Value;
                        }
                    }
                }
                Want::Item => {
                    self.skip()?;
                    let Some(Frame::Array {
                        path_len,
                        index,
                        key_span: array_key,
                    }) = stack.last_mut()
                    else {
                        return None;
                    };
                    if self.b.get(self.pos) == Some(&b']') {
                        self.pos += 1;
                        stack.pop();
                        want = Want::After;
                        continue;
                    }
                    self.path.truncate(*path_len);
                    push_segment(&mut self.path, &index.to_string());
                    *index += 1;
                    key_span = array_key.clone();
                    want = Want::Value;
                }
                Want::Value => {
                    self.skip()?;
                    let c = *self.b.get(self.pos)?;
                    match c {
                        b'{' | b'[' => {
                            if stack.len() >= MAX_DEPTH {
                                return None;
                            }
                            self.pos += 1;
                            let path_len = self.path.len();
                            if c == b'{' {
                                stack.push(Frame::Object {
                                    braced: true,
                                    path_len,
                                });
                                want = Want::Member;
                            } else {
                                stack.push(Frame::Array {
                                    path_len,
                                    index: 0,
                                    key_span: key_span.take(),
                                });
                                want = Want::Item;
                            }
                        }
                        b'}' | b']' | b',' | b':' => return None,
                        _ => {
                            let (value, span) = self.scalar()?;
                            // A root scalar has no key: valid, but no setting.
                            if !stack.is_empty() {
                                self.emit(value, span, key_span.take());
                            }
                            want = Want::After;
                        }
                    }
                }
                Want::After => {
                    self.skip()?;
                    let Some(top) = stack.last() else {
                        return (self.pos == self.b.len()).then_some(self.out.items);
                    };
                    // The comma is optional: HJSON separates by line breaks.
                    if self.b.get(self.pos) == Some(&b',') {
                        self.pos += 1;
                    }
                    want = match top {
                        Frame::Object { .. } => Want::Member,
                        Frame::Array { .. } => Want::Item,
                    };
                }
            }
        }
    }

    /// Whether the text starts with `key:` (HJSON's root object without braces).
    fn braceless_root(&mut self) -> bool {
        let start = self.pos;
        let found =
            self.key().is_some() && self.skip().is_some() && self.b.get(self.pos) == Some(&b':');
        self.pos = start;
        found
    }

    fn emit(&mut self, value: String, value_span: Range<usize>, key_span: Option<Range<usize>>) {
        if !self.out.take(self.path.len()) {
            return;
        }
        let key_span = key_span.unwrap_or(value_span.start..value_span.start);
        self.out.items.push(KeyValue {
            key: self.path.clone(),
            value,
            value_span,
            key_span,
        });
    }

    /// Skips whitespace and comments; `None` on an unterminated `/*`.
    fn skip(&mut self) -> Option<()> {
        loop {
            let Some(&c) = self.b.get(self.pos) else {
                return Some(());
            };
            match c {
                b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c => self.pos += 1,
                b'#' => self.pos = eol(self.b, self.pos),
                b'/' if self.b.get(self.pos + 1) == Some(&b'/') => self.pos = eol(self.b, self.pos),
                b'/' if self.b.get(self.pos + 1) == Some(&b'*') => {
                    let body = self.b.get(self.pos + 2..)?;
                    self.pos += 2 + memchr::memmem::find(body, b"*/")? + 2;
                }
                0x80.. => match char_at(self.text, self.pos) {
                    Some(ch) if ch.is_whitespace() || ch == '\u{feff}' => self.pos += ch.len_utf8(),
                    _ => return Some(()),
                },
                _ => return Some(()),
            }
        }
    }

    /// A member's key: a quoted string or a run of anything but whitespace and `,:[]{}`.
    fn key(&mut self) -> Option<(String, Range<usize>)> {
        match *self.b.get(self.pos)? {
            q @ (b'"' | b'\'') => self.string(q),
            _ => {
                let start = self.pos;
                while let Some(ch) = char_at(self.text, self.pos) {
                    if ch.is_whitespace() || matches!(ch, ',' | ':' | '[' | ']' | '{' | '}') {
                        break;
                    }
                    self.pos += ch.len_utf8();
                }
                let key = self.text.get(start..self.pos).filter(|k| !k.is_empty())?;
                Some((key.to_string(), start..self.pos))
            }
        }
    }

    /// A string, `'''` string, literal or quoteless string at the current position.
    fn scalar(&mut self) -> Option<(String, Range<usize>)> {
        match self.b.get(self.pos..)? {
            [b'\'', b'\'', b'\'', ..] => self.multiline(),
            [q @ (b'"' | b'\''), ..] => self.string(*q),
            _ => self.bare(),
        }
    }

    /// A `"` or `'` string with JSON5's escapes; `None` when a line break or the end comes first.
    fn string(&mut self, q: u8) -> Option<(String, Range<usize>)> {
        let b = self.b;
        let start = self.pos + 1;
        let mut i = start;
        let mut s = String::new();
        loop {
            match *b.get(i)? {
                c if c == q => {
                    self.pos = i + 1;
                    return Some((s, start..i));
                }
                b'\n' | b'\r' => return None,
                b'\\' => {
                    let (c, len) = match *b.get(i + 1)? {
                        // A line continuation.
                        b'\n' => (None, 2),
                        b'\r' => (None, if b.get(i + 2) == Some(&b'\n') { 3 } else { 2 }),
                        b'u' => {
                            let (c, len) = unicode_escape(b, i);
                            (Some(c), len)
                        }
                        b'x' => match hex(b, i + 2, 2).and_then(char::from_u32) {
                            Some(c) => (Some(c), 4),
                            None => (Some('x'), 2),
                        },
                        b'b' => (Some('\u{8}'), 2),
                        b'f' => (Some('\u{c}'), 2),
                        b'n' => (Some('\n'), 2),
                        b'r' => (Some('\r'), 2),
                        b't' => (Some('\t'), 2),
                        b'v' => (Some('\u{b}'), 2),
                        b'0' => (Some('\0'), 2),
                        _ => {
                            let c = char_at(self.text, i + 1)?;
                            (Some(c), 1 + c.len_utf8())
                        }
                    };
                    s.extend(c);
                    i += len;
                }
                _ => {
                    let c = char_at(self.text, i)?;
                    s.push(c);
                    i += c.len_utf8();
                }
            }
        }
    }

    /// HJSON's `'''` string, as hjson-js reads it: the rest of the opening line is dropped when
    /// blank, each line loses up to the opening quotes' column of indentation, the last line break
    /// is dropped. The span is the raw text between the quotes.
    fn multiline(&mut self) -> Option<(String, Range<usize>)> {
        let b = self.b;
        let indent = self.column(self.pos);
        let start = self.pos + 3;
        let mut i = start;
        while b.get(i).is_some_and(|&c| c <= b' ' && c != b'\n') {
            i += 1;
        }
        if b.get(i) == Some(&b'\n') {
            i = skip_indent(b, i + 1, indent);
        } else {
            i = start;
        }
        let mut s = String::new();
        let mut quotes = 0;
        loop {
            let c = *b.get(i)?;
            if c == b'\'' {
                quotes += 1;
                i += 1;
                if quotes == 3 {
                    if s.ends_with('\n') {
                        s.pop();
                    }
                    self.pos = i;
                    return Some((s, start..i - 3));
                }
                continue;
            }
            s.extend(std::iter::repeat_n('\'', quotes));
            quotes = 0;
            match c {
                b'\n' => {
                    s.push('\n');
                    i = skip_indent(b, i + 1, indent);
                }
                b'\r' => i += 1,
                _ => {
                    let ch = char_at(self.text, i)?;
                    s.push(ch);
                    i += ch.len_utf8();
                }
            }
        }
    }

    /// The character column of byte `pos` (a character boundary at or after the last one asked).
    fn column(&mut self, pos: usize) -> usize {
        if pos < self.col_at {
            (self.col_at, self.col) = (0, 0);
        }
        let seen = &self.b[self.col_at..pos];
        let count = |from: usize| self.text.get(from..pos).map_or(0, |s| s.chars().count());
        self.col = match memchr::memrchr(b'\n', seen) {
            Some(nl) => count(self.col_at + nl + 1),
            None => self.col + count(self.col_at),
        };
        self.col_at = pos;
        self.col
    }

    /// A number, `true`, `false` or `null` followed by the end of the value (line end, `,`, `]`,
    /// `}` or a comment); otherwise HJSON's quoteless string, to the end of the line.
    fn bare(&mut self) -> Option<(String, Range<usize>)> {
        let b = self.b;
        let start = self.pos;
        let mut i = start;
        while b
            .get(i)
            .is_some_and(|&c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'-' | b'.'))
        {
            i += 1;
        }
        let token_end = i;
        while matches!(b.get(i), Some(b' ' | b'\t')) {
            i += 1;
        }
        let ends = match b.get(i) {
            None | Some(b'\n' | b'\r' | b',' | b']' | b'}' | b'#') => true,
            Some(b'/') => matches!(b.get(i + 1), Some(b'/' | b'*')),
            _ => false,
        };
        let token = &self.text[start..token_end];
        let (end, value) = if ends && is_literal(token) {
            (token_end, token)
        } else {
            let mut end = eol(b, start);
            if self.lenient {
                end = memchr::memchr3(b',', b']', b'}', &b[start..end]).map_or(end, |e| start + e);
            }
            let value = self.text.get(start..end)?.trim_end();
            (end, value)
        };
        self.pos = end;
        Some((value.to_string(), start..start + value.len()))
    }
}

/// Skips up to `indent` blanks (not line breaks) from `i`.
fn skip_indent(b: &[u8], mut i: usize, indent: usize) -> usize {
    let limit = i.saturating_add(indent);
    while i < limit && b.get(i).is_some_and(|&c| c <= b' ' && c != b'\n') {
        i += 1;
    }
    i
}

fn push_segment(path: &mut String, segment: &str) {
    if !path.is_empty() {
        path.push('.');
    }
    path.push_str(segment);
}

/// `true`, `false`, `null`, or a JSON5 number: `1`, `-1.5e3`, `.5`, `5.`, `+1`, `0x1F`,
/// `Infinity`, `NaN`.
fn is_literal(token: &str) -> bool {
    if matches!(token, "true" | "false" | "null") {
        return true;
    }
    let t = token.strip_prefix(['+', '-']).unwrap_or(token);
    if t == "Infinity" || t == "NaN" {
        return true;
    }
    if let Some(h) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        return !h.is_empty() && h.bytes().all(|c| c.is_ascii_hexdigit());
    }
    let digits = |s: &str| s.bytes().all(|c| c.is_ascii_digit());
    let (mantissa, exponent) = match t.find(['e', 'E']) {
        Some(e) => (&t[..e], Some(&t[e + 1..])),
        None => (t, None),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if !digits(int) || !digits(frac) || (int.is_empty() && frac.is_empty()) {
        return false;
    }
    exponent.is_none_or(|e| {
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        !e.is_empty() && digits(e)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `(key, value)` pairs, after checking that every value span holds the value as written
    /// (the cases passed here are all simple values) and every key span lies in the text.
    fn pairs<'a>(text: &str, kvs: &'a [KeyValue]) -> Vec<(&'a str, &'a str)> {
        for kv in kvs {
            assert_eq!(&text[kv.value_span.clone()], kv.value, "{kv:?}");
            assert!(text.get(kv.key_span.clone()).is_some(), "{kv:?}");
        }
        kvs.iter()
            .map(|kv| (kv.key.as_str(), kv.value.as_str()))
            .collect()
    }

    fn key_text<'t>(text: &'t str, kv: &KeyValue) -> &'t str {
        &text[kv.key_span.clone()]
    }

    #[test]
    fn properties_forms() {
        let text =
            "# comment\n! also a comment\n  spring.datasource.url=jdbc:postgresql://db:5432/app\n\
                    user.name : admin\npassword  s3cret\nempty=\nflag\n\ttabbed\t=\t v \n";
        let kvs = parse_properties(text);
        assert_eq!(
            pairs(text, &kvs),
            vec![
                ("spring.datasource.url", "jdbc:postgresql://db:5432/app"),
                ("user.name", "admin"),
                ("password", "s3cret"),
                ("empty", ""),
                ("flag", ""),
                ("tabbed", "v "),
            ]
        );
        for kv in &kvs {
            assert_eq!(key_text(text, kv), kv.key);
        }
        // `k = = v`: only one separator is skipped, the second is the value's.
        let text = "k = = v";
        assert_eq!(pairs(text, &parse_properties(text)), vec![("k", "= v")]);
    }

    #[test]
    fn properties_placeholders_verbatim() {
        let text = "db.password=${DB_PASSWORD:changeme}\nurl = ${DB_URL:jdbc:h2:mem:test}\n";
        let kvs = parse_properties(text);
        assert_eq!(
            pairs(text, &kvs),
            vec![
                ("db.password", "${DB_PASSWORD:changeme}"),
                ("url", "${DB_URL:jdbc:h2:mem:test}"),
            ]
        );
    }

    #[test]
    fn properties_continuations() {
        let text = "list = a,\\\n       b,\\\r\n\tc\nnext=1\n";
        let kvs = parse_properties(text);
        assert_eq!(kvs.len(), 2);
        assert_eq!(kvs[0].key, "list");
        assert_eq!(kvs[0].value, "a,b,c");
        // The span runs from the value's first character to its last, across the lines.
        assert_eq!(&text[kvs[0].value_span.clone()], "a,\\\n       b,\\\r\n\tc");
        assert_eq!(pairs(text, &kvs[1..]), vec![("next", "1")]);
        // A comment line does not continue; a blank line after a continuation ends the value.
        let text = "# note \\\nk=v\\\n\nother=x\nlast=y\\";
        let kvs = parse_properties(text);
        assert_eq!(
            pairs(text, &kvs),
            vec![("k", "v"), ("other", "x"), ("last", "y")]
        );
        // Continued separators and keys.
        let text = "ke\\\n  y \\\n  = \\\n  value";
        let kvs = parse_properties(text);
        assert_eq!(kvs[0].key, "key");
        assert_eq!(kvs[0].value, "value");
        assert_eq!(&text[kvs[0].value_span.clone()], "value");
    }

    #[test]
    fn properties_escapes() {
        let text = "a\\=b\\:c\\ d = x\\=y\nuni=caf\\u00e9 \\uD83D\\uDE00\\t|\nbad=\\uZZ\\q\n";
        let kvs = parse_properties(text);
        assert_eq!(kvs[0].key, "a=b:c d");
        assert_eq!(key_text(text, &kvs[0]), "a\\=b\\:c\\ d");
        assert_eq!(kvs[0].value, "x=y");
        assert_eq!(&text[kvs[0].value_span.clone()], "x\\=y");
        assert_eq!(kvs[1].value, "café 😀\t|");
        assert_eq!(kvs[2].value, "uZZq");
        // Non-ASCII text and other line breaks keep exact spans.
        let text = "clé=vâlue\rnext:ü\r\nz=1";
        assert_eq!(
            pairs(text, &parse_properties(text)),
            vec![("clé", "vâlue"), ("next", "ü"), ("z", "1")]
        );
    }

    #[test]
    fn ini_sections_and_comments() {
        let text = "top = 1\n; comment\n# comment\n[database]\nurl = postgres://db/app ; inline\n\
                    password: hunter2 # inline\ncolor=#fff\nsemi=a;b\n\n[a.b]\n  nested = yes\n\
                    [[servers]]\nhost=x\n[remote \"origin\"]\nurl = git@host:r.git\n\
                    [broken\nafter=z\n";
        let kvs = parse_ini(text);
        assert_eq!(
            pairs(text, &kvs),
            vec![
                ("top", "1"),
                ("database.url", "postgres://db/app"),
                ("database.password", "hunter2"),
                ("database.color", "#fff"),
                ("database.semi", "a;b"),
                ("a.b.nested", "yes"),
                ("servers.host", "x"),
                ("remote.origin.url", "git@host:r.git"),
                ("remote.origin.after", "z"),
            ]
        );
        assert_eq!(key_text(text, &kvs[1]), "url");
        assert_eq!(key_text(text, &kvs[5]), "nested");
    }

    #[test]
    fn ini_duplicates_and_quotes() {
        let text = "[s]\nk = 1\nk = 2\n[s]\nk = 3\n\
                    pw = \"p#ss; word\" ; comment\nsq = 'it''s'\nesc = \"a\\\"b\\\\c\\n\"\n\
                    \"quoted key\" = v\nempty =\n\
                    open = \"unterminated # c\n  spaced key  =  v w  \r\n";
        let kvs = parse_ini(text);
        let got: Vec<_> = kvs
            .iter()
            .map(|kv| (kv.key.as_str(), kv.value.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("s.k", "1"),
                ("s.k", "2"),
                ("s.k", "3"),
                ("s.pw", "p#ss; word"),
                ("s.sq", "it"),
                ("s.esc", "a\"b\\c\\n"),
                ("s.quoted key", "v"),
                ("s.empty", ""),
                ("s.open", "\"unterminated"),
                ("s.spaced key", "v w"),
            ]
        );
        assert_eq!(&text[kvs[3].value_span.clone()], "p#ss; word");
        assert_eq!(&text[kvs[5].value_span.clone()], "a\\\"b\\\\c\\n");
        assert_eq!(key_text(text, &kvs[6]), "quoted key");
        assert!(kvs[7].value_span.is_empty());
        for kv in [&kvs[0], &kvs[4], &kvs[8], &kvs[9]] {
            assert_eq!(&text[kv.value_span.clone()], kv.value);
        }
        // A TOML-looking .cfg reads as INI.
        let text = "[tool.x]\nname = \"app\"\nport = 8080\n";
        assert_eq!(
            pairs(text, &parse_ini(text)),
            vec![("tool.x.name", "app"), ("tool.x.port", "8080")]
        );
    }

    #[test]
    fn hjson_document() {
        let text = "# config\n{\n  // the database\n  db: {\n    host: db.internal  \n    \
                    password: p@ss, # not a comment\n    port: 5432 # a comment\n    \
                    /* block */\n    \
                    ssl: true\n  }\n  hosts: [\n    a.example.com\n    'b'\n    3\n  ]\n  \
                    \"quoted key\": \"x\\ty\"\n  empty: ''\n}\n";
        let kvs = parse_relaxed_json(text).expect("valid HJSON");
        let got: Vec<_> = kvs
            .iter()
            .map(|kv| (kv.key.as_str(), kv.value.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("db.host", "db.internal"),
                ("db.password", "p@ss, # not a comment"),
                ("db.port", "5432"),
                ("db.ssl", "true"),
                ("hosts.0", "a.example.com"),
                ("hosts.1", "b"),
                ("hosts.2", "3"),
                ("quoted key", "x\ty"),
                ("empty", ""),
            ]
        );
        for kv in kvs.iter().filter(|kv| kv.key != "quoted key") {
            assert_eq!(&text[kv.value_span.clone()], kv.value, "{kv:?}");
        }
        assert_eq!(&text[kvs[7].value_span.clone()], "x\\ty");
        assert_eq!(key_text(text, &kvs[7]), "quoted key");
        assert_eq!(key_text(text, &kvs[1]), "password");
        // Array items point at the array's key.
        assert_eq!(key_text(text, &kvs[5]), "hosts");
    }

    #[test]
    fn hjson_braceless_root_and_literals() {
        let text =
            "name: my app\ncount: 3 apples\nratio: -1.5e3\nnone: null\nurl: http://x/y?a=b\n\
                    list: [1, 2,]\n";
        let kvs = parse_relaxed_json(text).expect("valid HJSON");
        assert_eq!(
            pairs(text, &kvs),
            vec![
                ("name", "my app"),
                ("count", "3 apples"),
                ("ratio", "-1.5e3"),
                ("none", "null"),
                ("url", "http://x/y?a=b"),
                ("list.0", "1"),
                ("list.1", "2"),
            ]
        );
    }

    #[test]
    fn hjson_multiline_strings() {
        let text = "{\n  key:\n    '''\n    first\n      second\n    '''\n  one: '''inline'''\n  \
                    q: '''it's ''ok'''\n}";
        let kvs = parse_relaxed_json(text).expect("valid HJSON");
        assert_eq!(kvs[0].key, "key");
        assert_eq!(kvs[0].value, "first\n  second");
        assert_eq!(
            &text[kvs[0].value_span.clone()],
            "\n    first\n      second\n    "
        );
        assert_eq!(kvs[1].value, "inline");
        assert_eq!(&text[kvs[1].value_span.clone()], "inline");
        assert_eq!(kvs[2].value, "it's ''ok");
        // Unterminated.
        assert_eq!(parse_relaxed_json("a: '''never"), None);
    }

    #[test]
    fn json5_document() {
        let text = "// JSON5\n{\n  unquoted: 'single \"quoted\"',\n  $id_1: 0x1F,\n  \
                    pos: +Infinity, half: .5, trail: 5.,\n  'esc': 'a\\'b\\x41\\u00e9\\\n c',\n  \
                    nested: {deep: [null, {x: \"y\"},],},\n}\n";
        let kvs = parse_relaxed_json(text).expect("valid JSON5");
        let got: Vec<_> = kvs
            .iter()
            .map(|kv| (kv.key.as_str(), kv.value.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("unquoted", "single \"quoted\""),
                ("$id_1", "0x1F"),
                ("pos", "+Infinity"),
                ("half", ".5"),
                ("trail", "5."),
                ("esc", "a'bAé c"),
                ("nested.deep.0", "null"),
                ("nested.deep.1.x", "y"),
            ]
        );
        for kv in kvs.iter().filter(|kv| kv.key != "esc") {
            assert_eq!(&text[kv.value_span.clone()], kv.value, "{kv:?}");
        }
        assert_eq!(key_text(text, &kvs[5]), "esc");
        assert_eq!(key_text(text, &kvs[1]), "$id_1");
        // Plain JSON is JSON5; a root array's items have no key text.
        let text = "[{\"a\": [1, \"two\"]}, true]";
        let kvs = parse_relaxed_json(text).expect("JSON");
        assert_eq!(
            pairs(text, &kvs),
            vec![("0.a.0", "1"), ("0.a.1", "two"), ("1", "true")]
        );
        assert!(kvs[2].key_span.is_empty());
    }

    #[test]
    fn relaxed_json_one_liners_and_failures() {
        // Not HJSON (`x}}` would be the string), read by the lenient second pass.
        let text = "{db: {password: x}}";
        assert_eq!(
            pairs(text, &parse_relaxed_json(text).expect("lenient")),
            vec![("db.password", "x")]
        );
        for bad in [
            "{a: 1",
            "]",
            "{\"a\": \"unterminated}",
            "{a: 'line\nbreak'}",
            "{a: 1} extra",
            "[section]\nkey = value\n",
            "{a: /* open",
            "{,}",
            "{\"a\" 1}",
        ] {
            assert_eq!(parse_relaxed_json(bad), None, "{bad:?}");
        }
        for empty in [
            "",
            "  // nothing\n",
            "\"just a string\"",
            "42",
            "hello world",
        ] {
            assert_eq!(parse_relaxed_json(empty), Some(vec![]), "{empty:?}");
        }
        let ok = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert_eq!(parse_relaxed_json(&ok), Some(vec![]));
        let deep = format!("{}{}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
        assert_eq!(parse_relaxed_json(&deep), None);
    }

    #[test]
    fn formats_by_name() {
        assert_eq!(
            format_for("src/main/resources/application.properties"),
            Some(Format::Properties)
        );
        assert_eq!(format_for("config/App.INI"), Some(Format::Ini));
        assert_eq!(format_for("setup.cfg"), Some(Format::Ini));
        assert_eq!(format_for("etc/php-fpm.conf"), Some(Format::Ini));
        assert_eq!(format_for("a/config.hjson"), Some(Format::RelaxedJson));
        assert_eq!(format_for("settings.json5"), Some(Format::RelaxedJson));
        for other in [
            "nginx/site.conf",
            "etc/httpd/conf/httpd.conf",
            "haproxy.cfg",
            "deploy/supervisord.conf",
            "a.json",
            "Makefile",
            "conf",
        ] {
            assert_eq!(format_for(other), None, "{other}");
        }
    }

    #[test]
    fn ini_by_content() {
        for ini in [
            "[global]\npid = run/php-fpm.pid\nerror_log = log/php-fpm.log\n",
            "listen_addresses = '*'  # comment\nmax_connections = 100\n",
            "[mysqld]\nskip-name-resolve\nport = 3306\n",
            "[Service]\nEnvironment=FOO=bar\nExecStart=/usr/bin/app\n",
            "[app]\nhosts =\n  a\n  b\n",
        ] {
            assert!(looks_like_ini(ini), "{ini:?}");
        }
        for not in [
            "worker_processes 1;\nevents {\n  worker_connections 1024;\n}\n",
            "ServerRoot \"/etc/httpd\"\nListen 80\n<Directory />\n</Directory>\n",
            "global\n    daemon\n    maxconn 256\nfrontend http\n    bind *:80\n",
            "[supervisord]\nnodaemon=true\n[program:web]\ncommand=gunicorn app\n",
            "akka {\n  loglevel = \"DEBUG\"\n}\n",
            "port 6379\nbind 127.0.0.1\nsave 900 1\nmaxmemory 2gb\nappendonly = no\n",
            "",
        ] {
            assert!(!looks_like_ini(not), "{not:?}");
        }
    }

    #[test]
    fn key_paths_stay_linear() {
        // A long section name repeated over many keys would copy it once per key.
        let budget = |text: &str| KEY_BUDGET_BASE + KEY_BUDGET_FACTOR * text.len();
        let key_bytes = |kvs: &[KeyValue]| kvs.iter().map(|kv| kv.key.len()).sum::<usize>();
        let text = format!("[{}]\n{}", "s".repeat(100_000), "a=1\n".repeat(200_000));
        let kvs = parse_ini(&text);
        assert!(!kvs.is_empty() && kvs.len() < 200_000);
        assert!(key_bytes(&kvs) <= budget(&text));
        let text = format!(
            "{}: {{\n{}}}",
            "k".repeat(100_000),
            "a: 1\n".repeat(200_000)
        );
        let kvs = parse_relaxed_json(&text).expect("valid, read up to the cap");
        assert!(!kvs.is_empty() && kvs.len() < 200_000);
        assert!(key_bytes(&kvs) <= budget(&text));
    }

    #[test]
    fn short_random_inputs_never_panic() {
        // Short texts reach every end-of-input branch; multi-byte characters every boundary.
        let pieces = [
            "{", "}", "[", "]", "'", "\"", "'''", "\\", "\\u", "\\uD83D", "\\x4", ":", "=", ",",
            "#", "!", ";", "/", "*", "\n", "\r", "\t", " ", "a", "0x", "1", ".", "é", "😀",
        ];
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        for _ in 0..20_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let mut bits = seed;
            let mut text = String::new();
            for _ in 0..(bits % 12) {
                bits /= 29;
                text.push_str(pieces[(bits % pieces.len() as u64) as usize]);
            }
            let json = parse_relaxed_json(&text).unwrap_or_default();
            for kv in parse_properties(&text)
                .iter()
                .chain(&parse_ini(&text))
                .chain(&json)
            {
                assert!(text.get(kv.value_span.clone()).is_some(), "{text:?} {kv:?}");
                assert!(text.get(kv.key_span.clone()).is_some(), "{text:?} {kv:?}");
            }
            let _ = looks_like_ini(&text);
            let _ = format_for(&text);
        }
    }

    #[test]
    fn hostile_inputs_return_quickly() {
        const MIB: usize = 1 << 20;
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let alphabet = b"{}[]'\"\\:=,#!/*\n\r\t ;ab0.u";
        let structured: Vec<u8> = (0..MIB)
            .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
            .collect();
        let random: Vec<u8> = (0..MIB).map(|_| next() as u8).collect();
        let inputs = [
            "{".repeat(MIB),
            "[".repeat(MIB),
            "'''".repeat(MIB / 3),
            "\\".repeat(MIB),
            "\\\n".repeat(MIB / 2),
            "a:[".repeat(MIB / 3),
            "a: '''\n".repeat(MIB / 7),
            "\\u".repeat(MIB / 2),
            "{a:".repeat(MIB / 3),
            String::from_utf8_lossy(&structured).into_owned(),
            String::from_utf8_lossy(&random).into_owned(),
        ];
        let started = std::time::Instant::now();
        for text in &inputs {
            let json = parse_relaxed_json(text).unwrap_or_default();
            for kv in parse_properties(text)
                .iter()
                .chain(&parse_ini(text))
                .chain(&json)
            {
                // Spans are always sliceable: on character boundaries, inside the text.
                assert!(text.get(kv.value_span.clone()).is_some(), "{kv:?}");
                assert!(text.get(kv.key_span.clone()).is_some(), "{kv:?}");
            }
            let _ = looks_like_ini(text);
        }
        // Linear work is well under a second here even unoptimised; quadratic would be hours.
        let elapsed = started.elapsed();
        assert!(elapsed.as_secs() < 20, "{elapsed:?}");
    }
}
