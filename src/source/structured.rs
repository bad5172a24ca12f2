//! TOML, YAML and JSON documents as one span-carrying tree.
//!
//! TOML is parsed with `toml::de::DeTable` (byte spans) after [`super::depth::toml_depth`]
//! bounds its nesting. YAML and JSON (a subset of YAML 1.2) are read from the events of saphyr's
//! parser (a state machine; serde_yaml is archived and has no positions): the tree is built here
//! without recursion, a collection deeper than `max-nesting` stops the read (TC0002), and alias
//! copies are bounded by a node budget. Byte offsets come from saphyr's line/column through the
//! file's line index. Building the compact [`Node`] tree directly also avoids saphyr's
//! `MarkedYaml` tree, which held every node twice over (memory on large one-line JSON).
//!
//! When saphyr refuses a YAML file, it is read a second time with its flow collections put on
//! one line ([`flatten_flow`], same bytes at the same offsets): saphyr's scanner rejects flow
//! collections closed at their key's indentation, which YAML 1.2 and PyYAML accept. Only when
//! that second read fails too is the file a TC0002 (with saphyr's first error).

use std::ops::Range;

use std::collections::HashMap;

use saphyr::Scalar;
use saphyr_parser::{Event, Marker, Parser};
use toml::de::{DeTable, DeValue};

use super::{FileKind, LineIndex, ParseError, SourceFile};

/// A node of a parsed document.
#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    /// A mapping: keys with their spans, in document order.
    Map(Vec<(Key, Node)>),
    /// A sequence.
    Seq(Vec<Node>),
    /// A scalar rendered as text (`true`, `8080`, `"x"` → `x`), with its byte span.
    Scalar(String, Range<usize>),
    /// Null, or a value without a representation (YAML `~`, empty value).
    Null(Range<usize>),
}

/// A mapping key with its byte span.
#[derive(Clone, Debug, PartialEq)]
pub struct Key {
    /// The key text.
    pub name: String,
    /// Byte range of the key.
    pub span: Range<usize>,
}

/// A scalar leaf and the keys that lead to it.
#[derive(Clone, Debug)]
pub struct Entry<'n> {
    /// The mapping keys from the root (sequence positions are skipped).
    pub path: Vec<&'n str>,
    /// The value text.
    pub value: &'n str,
    /// The value's byte range.
    pub span: Range<usize>,
}

impl Entry<'_> {
    /// The key directly holding the value.
    pub fn key(&self) -> Option<&str> {
        self.path.last().copied()
    }
}

/// A structured document: one tree for TOML and JSON, one per document for YAML.
pub struct StructuredFile<'a> {
    /// The file's text and path.
    pub source: &'a SourceFile,
    /// The documents.
    pub docs: Vec<Node>,
}

impl<'a> StructuredFile<'a> {
    /// Parses `source` according to its kind.
    pub fn parse(source: &'a SourceFile) -> Result<Self, ParseError> {
        Self::parse_bounded(source, crate::engine::MAX_NESTING)
    }

    /// [`StructuredFile::parse`], refusing a document nested deeper than `max_nesting` before
    /// anything recursive (the TOML parser, a tree walk, a drop) sees it.
    pub fn parse_bounded(source: &'a SourceFile, max_nesting: usize) -> Result<Self, ParseError> {
        let docs = match source.kind {
            FileKind::CargoToml | FileKind::Pyproject | FileKind::Pipfile | FileKind::Toml => {
                if super::depth::toml_depth(&source.text) > max_nesting {
                    return Err(ParseError::new(
                        format!(
                            "skipped: nesting depth over the max-nesting limit of {max_nesting}"
                        ),
                        0..0,
                    ));
                }
                vec![parse_toml(&source.text)?]
            }
            FileKind::Json | FileKind::PackageJson => match parse_json(&source.text, max_nesting) {
                Ok(doc) => doc.into_iter().collect(),
                Err(e) => {
                    // JSON with comments (`tsconfig.json`, `devcontainer.json`, `.vscode/`,
                    // `*.jsonc`): comments and trailing commas blanked, offsets unchanged.
                    let blanked = jsonc_blank(&source.text);
                    match parse_json(&blanked, max_nesting) {
                        Ok(doc) => doc.into_iter().collect(),
                        // YAML reads a superset, within the same limits, small enough that
                        // saphyr's buffering stays small.
                        Err(_) if source.text.len() <= JSON_AS_YAML_MAX => {
                            parse_yaml(source, max_nesting).map_err(|_| tried_formats(e))?
                        }
                        Err(_) => return Err(tried_formats(e)),
                    }
                }
            },
            _ => parse_yaml(source, max_nesting)?,
        };
        Ok(StructuredFile { source, docs })
    }

    /// Every scalar leaf of every document, in document order.
    pub fn entries(&self) -> Vec<Entry<'_>> {
        let mut out = Vec::new();
        for d in &self.docs {
            flatten(d, &mut Vec::new(), &mut out);
        }
        out
    }
}

impl Node {
    /// Looks up a child by key in a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match self {
            Node::Map(kv) => kv.iter().find(|(k, _)| k.name == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The scalar text, if this is a scalar.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Node::Scalar(s, _) => Some(s),
            _ => None,
        }
    }

    /// The byte span of a scalar or null (`None` for containers).
    pub fn span(&self) -> Option<Range<usize>> {
        match self {
            Node::Scalar(_, s) | Node::Null(s) => Some(s.clone()),
            _ => None,
        }
    }
}

fn flatten<'n>(node: &'n Node, path: &mut Vec<&'n str>, out: &mut Vec<Entry<'n>>) {
    match node {
        Node::Map(kv) => {
            for (k, v) in kv {
                path.push(&k.name);
                flatten(v, path, out);
                path.pop();
            }
        }
        Node::Seq(items) => {
            for v in items {
                flatten(v, path, out);
            }
        }
        Node::Scalar(s, span) => out.push(Entry {
            path: path.clone(),
            value: s,
            span: span.clone(),
        }),
        Node::Null(_) => {}
    }
}

fn parse_toml(text: &str) -> Result<Node, ParseError> {
    let table = DeTable::parse(text).map_err(|e| {
        ParseError::new(
            format!("TOML syntax error: {}", e.message().trim()),
            e.span().unwrap_or(0..0),
        )
    })?;
    Ok(toml_table(table.get_ref()))
}

fn toml_table(t: &DeTable<'_>) -> Node {
    Node::Map(
        t.iter()
            .map(|(k, v)| {
                (
                    Key {
                        name: k.get_ref().to_string(),
                        span: k.span(),
                    },
                    toml_value(v.get_ref(), v.span()),
                )
            })
            .collect(),
    )
}

fn toml_value(v: &DeValue<'_>, span: Range<usize>) -> Node {
    match v {
        DeValue::String(s) => Node::Scalar(s.to_string(), span),
        DeValue::Integer(i) => Node::Scalar(i.as_str().to_string(), span),
        DeValue::Float(f) => Node::Scalar(f.as_str().to_string(), span),
        DeValue::Boolean(b) => Node::Scalar(b.to_string(), span),
        DeValue::Datetime(d) => Node::Scalar(d.to_string(), span),
        DeValue::Array(a) => Node::Seq(
            a.iter()
                .map(|v| toml_value(v.get_ref(), v.span()))
                .collect(),
        ),
        DeValue::Table(t) => toml_table(t),
    }
}

fn parse_yaml(source: &SourceFile, max_nesting: usize) -> Result<Vec<Node>, ParseError> {
    let first = read_yaml(&source.text, &source.lines, max_nesting);
    let Err(YamlError::Syntax(error)) = first else {
        return first.map_err(YamlError::into_inner);
    };
    // saphyr rejects some flow collections that YAML 1.2 and PyYAML accept (a `]` back at its
    // key's indentation): read them again on one line each, same length, same byte offsets.
    match flatten_flow(&source.text) {
        Some(flat) => read_yaml(&flat, &LineIndex::new(&flat), max_nesting).map_err(|_| error),
        None => Err(error),
    }
}

/// Why a YAML file was not read.
enum YamlError {
    /// saphyr's scanner or parser refused it.
    Syntax(ParseError),
    /// Too deep, or too many alias copies.
    Limit(ParseError),
}

impl YamlError {
    fn into_inner(self) -> ParseError {
        match self {
            YamlError::Syntax(e) | YamlError::Limit(e) => e,
        }
    }
}

/// `text` with every line break inside a flow collection (`[..]`, `{..}`) made a space and the
/// comments there blanked, when it has any: the same bytes at the same offsets otherwise. Flow
/// collections ignore line breaks (a quoted scalar's break folds to a space), so the document
/// means the same for the rules; saphyr then has no indentation to refuse. `None` when there is
/// nothing to change.
fn flatten_flow(text: &str) -> Option<String> {
    let mut b = text.as_bytes().to_vec();
    let mut depth = 0usize;
    let mut changed = false;
    let mut i = 0;
    // Where a flow collection can start: first on a line, or after `- `, `? `, `: `.
    let mut node_start = true;
    while i < b.len() {
        let c = b[i];
        if depth == 0 {
            match c {
                b'\n' => node_start = true,
                b' ' | b'\t' => {}
                b'-' | b'?' | b':' if matches!(b.get(i + 1), Some(b' ' | b'\n') | None) => {
                    node_start = true
                }
                b'[' | b'{' if node_start => {
                    depth = 1;
                    node_start = false;
                }
                b'#' => {
                    while i < b.len() && b[i] != b'\n' {
                        i += 1;
                    }
                    continue;
                }
                _ => {
                    // A scalar in block context: its `[`, quotes and `#` do not count.
                    node_start = false;
                    while i < b.len()
                        && b[i] != b'\n'
                        && !(b[i] == b':' && b.get(i + 1) == Some(&b' '))
                    {
                        i += 1;
                    }
                    continue;
                }
            }
            i += 1;
            continue;
        }
        match c {
            b'[' | b'{' => depth += 1,
            b']' | b'}' => depth -= 1,
            b'\r' | b'\n' => {
                b[i] = b' ';
                changed = true;
            }
            b'#' if i > 0 && b[i - 1].is_ascii_whitespace() => {
                while i < b.len() && b[i] != b'\n' && b[i] != b'\r' {
                    b[i] = b' ';
                    i += 1;
                }
                continue;
            }
            b'"' | b'\'' => {
                i += 1;
                while i < b.len() && b[i] != c {
                    if c == b'"' && b[i] == b'\\' {
                        i += 1;
                    } else if b[i] == b'\n' || b[i] == b'\r' {
                        b[i] = b' ';
                        changed = true;
                    }
                    i += 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    // Only ASCII bytes were replaced by ASCII bytes: still UTF-8.
    changed.then(|| String::from_utf8(b).ok()).flatten()
}

fn read_yaml(text: &str, lines: &LineIndex, max_nesting: usize) -> Result<Vec<Node>, YamlError> {
    let offset = |m: &Marker| lines.offset(text, m.line(), m.col());
    let mut reader = YamlReader {
        stack: Vec::new(),
        docs: Vec::new(),
        root: None,
        anchors: HashMap::new(),
        alias_budget: ALIAS_BUDGET,
    };
    for event in Parser::new_from_str(text) {
        let (event, span) = event.map_err(|e| {
            let at = offset(e.marker());
            YamlError::Syntax(ParseError::new(
                format!("YAML syntax error: {}", e.info()),
                at..at,
            ))
        })?;
        let start = offset(&span.start);
        let end = offset(&span.end).max(start);
        let too_deep = |at: usize| {
            YamlError::Limit(ParseError::new(
                format!("skipped: nesting depth over the max-nesting limit of {max_nesting}"),
                at..at,
            ))
        };
        match event {
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                if reader.stack.len() >= max_nesting {
                    return Err(too_deep(start));
                }
                let map = matches!(event, Event::MappingStart(..));
                reader.stack.push(Open {
                    map,
                    items: Vec::new(),
                    entries: Vec::new(),
                    key: None,
                    anchor,
                    start,
                    depth: 1,
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(open) = reader.stack.pop() else {
                    continue;
                };
                let (depth, anchor, start) = (open.depth, open.anchor, open.start);
                reader.insert(open.into_node(), depth, anchor, start..end);
            }
            Event::Scalar(value, style, anchor, tag) => {
                // A flow scalar's event ends at the next token, past the blanks.
                let end = start + text[start..end].trim_end().len();
                let node = match Scalar::parse_from_cow_and_metadata(value, style, tag.as_ref()) {
                    Some(Scalar::Null) | None => Node::Null(start..end),
                    Some(Scalar::Boolean(b)) => Node::Scalar(b.to_string(), start..end),
                    Some(Scalar::Integer(i)) => Node::Scalar(i.to_string(), start..end),
                    Some(Scalar::FloatingPoint(f)) => Node::Scalar(f.to_string(), start..end),
                    Some(Scalar::String(s)) => Node::Scalar(s.into_owned(), start..end),
                };
                reader.insert(node, 0, anchor, start..end);
            }
            Event::Alias(id) => {
                let Some((node, depth)) = reader.anchors.get(&id) else {
                    reader.insert(Node::Null(start..end), 0, 0, start..end);
                    continue;
                };
                // A copy of the anchored node: bounded in depth like any node, and in total
                // size by the alias budget (billion laughs).
                if reader.stack.len() + depth > max_nesting {
                    return Err(too_deep(start));
                }
                let size = node.size();
                if size > reader.alias_budget {
                    return Err(YamlError::Limit(ParseError::new(
                        "YAML: alias expansion exceeded the maximum node budget (possible billion-laughs attack)",
                        start..end,
                    )));
                }
                reader.alias_budget -= size;
                let (mut node, depth) = (node.clone(), *depth);
                if let Node::Scalar(_, s) | Node::Null(s) = &mut node {
                    *s = start..end;
                }
                reader.insert(node, depth, 0, start..end);
            }
            Event::DocumentEnd => {
                let root = reader.root.take().unwrap_or(Node::Null(start..end));
                reader.docs.push(root);
            }
            _ => {}
        }
    }
    Ok(reader.docs)
}

/// A JSON file that is not strict JSON is read as YAML (a superset) only up to this size:
/// saphyr's scanner holds every token of a flow collection until it closes (a possible simple
/// key), some 200 bytes a token, so a large one-line document would cost gigabytes.
const JSON_AS_YAML_MAX: usize = 1 << 20;

/// A strict-JSON error, saying which formats were tried before giving up.
fn tried_formats(e: ParseError) -> ParseError {
    ParseError {
        message: format!(
            "{} (also tried as JSON with comments and as YAML)",
            e.message
        ),
        ..e
    }
}

/// `text` with the parts that JSON with comments (JSONC, as TypeScript, VS Code and dev
/// containers read it) adds to JSON blanked out: `//` and `/* */` comments outside strings, and
/// a comma before a closing `]` or `}`. Every other byte stays at its offset.
pub fn jsonc_blank(text: &str) -> String {
    let mut b = text.as_bytes().to_vec();
    let n = b.len();
    let mut i = 0;
    let mut in_string = false;
    // Comments first: what is left is JSON plus trailing commas.
    while i < n {
        let c = b[i];
        if in_string {
            if c == b'\\' {
                i += 2;
                continue;
            }
            in_string = c != b'"';
            i += 1;
        } else if c == b'"' {
            in_string = true;
            i += 1;
        } else if c == b'/' && i + 1 < n && b[i + 1] == b'/' {
            while i < n && b[i] != b'\n' {
                b[i] = b' ';
                i += 1;
            }
        } else if c == b'/' && i + 1 < n && b[i + 1] == b'*' {
            let end = text[i + 2..].find("*/").map_or(n, |k| i + 2 + k + 2);
            for x in &mut b[i..end] {
                if *x != b'\n' {
                    *x = b' ';
                }
            }
            i = end;
        } else {
            i += 1;
        }
    }
    in_string = false;
    let mut last_comma: Option<usize> = None;
    i = 0;
    while i < n {
        let c = b[i];
        if in_string {
            if c == b'\\' {
                i += 2;
                continue;
            }
            in_string = c != b'"';
        } else {
            match c {
                b'"' => {
                    in_string = true;
                    last_comma = None;
                }
                b',' => last_comma = Some(i),
                b']' | b'}' => {
                    if let Some(k) = last_comma.take() {
                        b[k] = b' ';
                    }
                }
                b' ' | b'\t' | b'\n' | b'\r' => {}
                _ => last_comma = None,
            }
        }
        i += 1;
    }
    // Only ASCII bytes were replaced, each by a space: still UTF-8.
    String::from_utf8(b).unwrap_or_else(|_| text.to_string())
}

/// Reads strict JSON (RFC 8259) into a [`Node`] tree, iteratively, with byte spans (strings with
/// their quotes, as the YAML reader gives them) and the same scalar text as YAML would give.
/// `None` for a file of only blanks. Linear time, and memory in proportion to the tree.
fn parse_json(text: &str, max_nesting: usize) -> Result<Option<Node>, ParseError> {
    #[derive(Clone, Copy, PartialEq)]
    enum Want {
        Value,
        ValueOrClose,
        KeyOrClose,
        Colon,
        CommaOrClose,
        End,
    }
    let b = text.as_bytes();
    let err = |msg: &str, at: usize| ParseError::new(format!("JSON syntax error: {msg}"), at..at);
    let mut stack: Vec<Open> = Vec::new();
    let mut root: Option<Node> = None;
    let mut want = Want::Value;
    let mut i = 0;
    loop {
        while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\n' | b'\r') {
            i += 1;
        }
        let Some(&c) = b.get(i) else {
            return match want {
                Want::End => Ok(root),
                Want::Value if stack.is_empty() => Ok(None),
                _ => Err(err("unexpected end of file", i)),
            };
        };
        let start = i;
        // A finished value, to insert into the open collection.
        let value: Option<(Node, usize)>;
        match (want, c) {
            (Want::End, _) => return Err(err("content after the document", i)),
            (Want::ValueOrClose | Want::CommaOrClose, b']')
            | (Want::KeyOrClose | Want::CommaOrClose, b'}') => {
                let Some(open) = stack.pop() else {
                    return Err(err("unbalanced bracket", i));
                };
                if open.map != (c == b'}') || open.key.is_some() {
                    return Err(err("unbalanced bracket", i));
                }
                i += 1;
                let depth = open.depth;
                value = Some((open.into_node(), depth));
            }
            (Want::CommaOrClose, b',') => {
                i += 1;
                want = match stack.last() {
                    Some(o) if o.map => Want::KeyOrClose,
                    _ => Want::Value,
                };
                // A comma is not followed by a close in JSON.
                if want == Want::KeyOrClose {
                    while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\n' | b'\r') {
                        i += 1;
                    }
                    if b.get(i) != Some(&b'"') {
                        return Err(err("expected a key after `,`", i));
                    }
                }
                continue;
            }
            (Want::Colon, b':') => {
                i += 1;
                want = Want::Value;
                continue;
            }
            (Want::Value | Want::ValueOrClose, b'[' | b'{') => {
                if stack.len() >= max_nesting {
                    return Err(ParseError::new(
                        format!(
                            "skipped: nesting depth over the max-nesting limit of {max_nesting}"
                        ),
                        i..i,
                    ));
                }
                stack.push(Open {
                    map: c == b'{',
                    items: Vec::new(),
                    entries: Vec::new(),
                    key: None,
                    anchor: 0,
                    start: i,
                    depth: 1,
                });
                i += 1;
                want = if c == b'{' {
                    Want::KeyOrClose
                } else {
                    Want::ValueOrClose
                };
                continue;
            }
            (Want::Value | Want::ValueOrClose | Want::KeyOrClose, b'"') => {
                let (s, end) = json_string(text, i).ok_or_else(|| err("bad string", i))?;
                i = end;
                if want == Want::KeyOrClose {
                    if let Some(top) = stack.last_mut() {
                        top.key = Some(Key {
                            name: s,
                            span: start..end,
                        });
                    }
                    want = Want::Colon;
                    continue;
                }
                value = Some((Node::Scalar(s, start..end), 0));
            }
            (Want::Value | Want::ValueOrClose, b'-' | b'0'..=b'9' | b't' | b'f' | b'n') => {
                while i < b.len()
                    && matches!(b[i], b'-' | b'+' | b'.' | b'0'..=b'9' | b'a'..=b'z' | b'E')
                {
                    i += 1;
                }
                let raw = &text[start..i];
                let node = match raw {
                    "null" => Node::Null(start..i),
                    "true" | "false" => Node::Scalar(raw.to_string(), start..i),
                    _ if json_number(raw) => match Scalar::parse_from_cow(raw.into()) {
                        Scalar::Integer(n) => Node::Scalar(n.to_string(), start..i),
                        Scalar::FloatingPoint(f) => Node::Scalar(f.to_string(), start..i),
                        _ => Node::Scalar(raw.to_string(), start..i),
                    },
                    _ => return Err(err("expected a value", start)),
                };
                value = Some((node, 0));
            }
            _ => return Err(err("unexpected character", i)),
        }
        let Some((node, depth)) = value else {
            continue;
        };
        match stack.last_mut() {
            None => {
                root = Some(node);
                want = Want::End;
            }
            Some(top) => {
                top.depth = top.depth.max(depth + 1);
                match top.key.take() {
                    Some(key) => top.entries.push((key, node)),
                    None => top.items.push(node),
                }
                want = Want::CommaOrClose;
            }
        }
    }
}

/// A JSON number (`-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`).
fn json_number(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = usize::from(b.first() == Some(&b'-'));
    let digits = |i: &mut usize| {
        let from = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i > from
    };
    match b.get(i) {
        Some(b'0') => i += 1,
        Some(b'1'..=b'9') => {
            digits(&mut i);
        }
        _ => return false,
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        if !digits(&mut i) {
            return false;
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if !digits(&mut i) {
            return false;
        }
    }
    i == b.len()
}

/// The JSON string starting at the quote at `at`: its value and the offset after its closing
/// quote; `None` when unterminated or badly escaped.
fn json_string(text: &str, at: usize) -> Option<(String, usize)> {
    let b = text.as_bytes();
    let mut i = at + 1;
    let mut escaped = false;
    loop {
        match b.get(i)? {
            b'"' => break,
            b'\\' => {
                escaped = true;
                i += 2;
            }
            _ => i += 1,
        }
    }
    let end = i + 1;
    let raw = text.get(at..end)?;
    if escaped {
        serde_json::from_str::<String>(raw).ok().map(|s| (s, end))
    } else {
        Some((raw[1..raw.len() - 1].to_string(), end))
    }
}

/// Nodes copied by alias expansion, in all, per file (saphyr's own default).
const ALIAS_BUDGET: usize = 100_000;

/// A collection being read: its children so far.
struct Open {
    map: bool,
    items: Vec<Node>,
    entries: Vec<(Key, Node)>,
    /// A mapping's key waiting for its value.
    key: Option<Key>,
    anchor: usize,
    start: usize,
    /// Depth of the deepest child plus one.
    depth: usize,
}

/// Builds [`Node`]s from saphyr's events, iteratively (no recursion on the input's nesting).
struct YamlReader {
    stack: Vec<Open>,
    docs: Vec<Node>,
    root: Option<Node>,
    /// Anchored nodes and their depths.
    anchors: HashMap<usize, (Node, usize)>,
    alias_budget: usize,
}

impl Open {
    /// The finished collection, its children's storage cut to size (a vector grown by pushes
    /// holds up to twice its length, and four slots for one child: most of a deep tree's memory).
    fn into_node(self) -> Node {
        if self.map {
            let mut entries = self.entries;
            entries.shrink_to_fit();
            Node::Map(entries)
        } else {
            let mut items = self.items;
            items.shrink_to_fit();
            Node::Seq(items)
        }
    }
}

impl YamlReader {
    fn insert(&mut self, node: Node, depth: usize, anchor: usize, span: Range<usize>) {
        if anchor > 0 {
            self.anchors.insert(anchor, (node.clone(), depth));
        }
        let Some(top) = self.stack.last_mut() else {
            self.root = Some(node);
            return;
        };
        top.depth = top.depth.max(depth + 1);
        if !top.map {
            top.items.push(node);
        } else if let Some(key) = top.key.take() {
            top.entries.push((key, node));
        } else {
            let name = match node {
                Node::Scalar(s, _) => s,
                _ => String::new(),
            };
            top.key = Some(Key { name, span });
        }
    }
}

impl Node {
    /// How many nodes this one holds, itself included (iterative).
    fn size(&self) -> usize {
        let mut n = 0;
        let mut todo = vec![self];
        while let Some(node) = todo.pop() {
            n += 1;
            match node {
                Node::Map(kv) => todo.extend(kv.iter().map(|(_, v)| v)),
                Node::Seq(items) => todo.extend(items.iter()),
                _ => {}
            }
        }
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, text: &str) -> SourceFile {
        SourceFile::new(path, FileKind::classify(path), text.into())
    }

    #[test]
    fn toml_spans() {
        let src = file("config.toml", "[db]\npassword = \"hunter2\"\n");
        let f = StructuredFile::parse(&src).expect("valid toml");
        let e = &f.entries()[0];
        assert_eq!(e.path, vec!["db", "password"]);
        assert_eq!(&src.text[e.span.clone()], "\"hunter2\"");
    }

    #[test]
    fn yaml_spans_after_multibyte() {
        let src = file("a.yaml", "name: é€\nsecret:\n  token: abcd\n");
        let f = StructuredFile::parse(&src).expect("valid yaml");
        let e = f
            .entries()
            .into_iter()
            .find(|e| e.key() == Some("token"))
            .expect("token");
        assert_eq!(&src.text[e.span.clone()], "abcd");
        assert_eq!(src.lines.line_col(&src.text, e.span.start).0, 3);
    }

    #[test]
    fn json_is_yaml() {
        let src = file("a.json", "{\n  \"api_key\": \"zzz\"\n}");
        let f = StructuredFile::parse(&src).expect("valid json");
        let e = &f.entries()[0];
        assert_eq!(&src.text[e.span.clone()], "\"zzz\"");
    }

    #[test]
    fn bad_yaml_is_an_error() {
        let src = file("a.yaml", "a: [1, 2\n");
        assert!(StructuredFile::parse(&src).is_err());
    }

    #[test]
    fn flow_sequence_closed_at_its_keys_indentation() {
        let text = "services:\n  web:\n    image: myapp:latest\n    ports: [\n      \"8080:8080\"\n    ]\n    environment:\n      DB_PASSWORD: Xk8s9Lq2Vb7Nm4Zp # [\n";
        let src = file("docker-compose.yml", text);
        let f = StructuredFile::parse(&src).expect("valid YAML 1.2");
        let entries = f.entries();
        let port = entries
            .iter()
            .find(|e| e.key() == Some("ports"))
            .expect("ports");
        assert_eq!(&text[port.span.clone()], "\"8080:8080\"");
        let pw = entries
            .iter()
            .find(|e| e.key() == Some("DB_PASSWORD"))
            .expect("pw");
        assert_eq!(&text[pw.span.clone()], "Xk8s9Lq2Vb7Nm4Zp");
        assert_eq!(src.lines.line_col(text, pw.span.start).0, 8);
    }

    #[test]
    fn nesting_is_bounded_before_any_tree() {
        let n = 100_000;
        for text in [
            format!("{}x\n", "- ".repeat(n)),
            format!("{}x\n", "? ".repeat(n)),
            format!("{}{}", "[".repeat(n), "]".repeat(n)),
            (0..2_000)
                .map(|i| format!("{}k:\n", " ".repeat(i)))
                .collect::<String>(),
        ] {
            let src = file("a.yaml", &text);
            let e = StructuredFile::parse_bounded(&src, 50)
                .err()
                .expect("too deep");
            // saphyr's scanner stops flow collections at 255 levels itself.
            assert!(
                e.message.contains("max-nesting limit of 50")
                    || e.message.contains("recursion limit exceeded"),
                "{}",
                e.message
            );
        }
        let toml = file(
            "a.toml",
            &format!("a = {}1{}\n", "[".repeat(n), "]".repeat(n)),
        );
        assert!(StructuredFile::parse_bounded(&toml, 50).is_err());
        let ok = file("a.yaml", &format!("{}x\n", "- ".repeat(49)));
        assert!(StructuredFile::parse_bounded(&ok, 50).is_ok());
    }

    #[test]
    fn json_with_comments_is_read() {
        let text = "{\n  // compiler options\n  \"compilerOptions\": {\n    \"strict\": true, /* always */\n    \"paths\": [\"a//b\", \"c/*d*/\",],\n  },\n}\n";
        let src = file("tsconfig.json", text);
        let parsed = StructuredFile::parse(&src).expect("JSONC parses");
        let opts = parsed.docs[0].get("compilerOptions").expect("key");
        assert_eq!(opts.get("strict").and_then(Node::as_str), Some("true"));
        let Some(Node::Seq(paths)) = opts.get("paths") else {
            panic!("paths")
        };
        assert_eq!(
            paths[0].as_str(),
            Some("a//b"),
            "a // in a string is not a comment"
        );
        assert_eq!(paths[1].as_str(), Some("c/*d*/"));
        assert_eq!(jsonc_blank(text).len(), text.len());
        let bad = file("bad.json", "{\"a\": [1, 2}");
        let err = StructuredFile::parse(&bad).err().expect("an error");
        assert!(
            err.message.contains("JSON with comments"),
            "{}",
            err.message
        );
    }

    #[test]
    fn strict_json_reads_like_yaml_did() {
        let text = "{\"a\": [1, -2.5e0, true, null, \"x\\u00e9\\n\"], \"b\": {}, \"c\": 1.0}";
        let src = file("a.json", text);
        let f = StructuredFile::parse(&src).expect("valid JSON");
        let entries = f.entries();
        let e: Vec<(Option<&str>, &str, &str)> = entries
            .iter()
            .map(|e| (e.key(), e.value, &text[e.span.clone()]))
            .collect();
        assert_eq!(
            e,
            vec![
                (Some("a"), "1", "1"),
                (Some("a"), "-2.5", "-2.5e0"),
                (Some("a"), "true", "true"),
                (Some("a"), "xé\n", "\"x\\u00e9\\n\""),
                (Some("c"), "1", "1.0"),
            ]
        );
        for bad in [
            "{\"a\": 1,}",
            "[1 2]",
            "{\"a\" 1}",
            "[01]",
            "{\"a\": [}",
            "[1]]",
        ] {
            let src = file("a.json", bad);
            assert!(parse_json(&src.text, 100).is_err(), "{bad}");
        }
        // Not JSON, but YAML: read as before.
        let src = file("a.json", "# comment\n{a: 1}\n");
        assert!(StructuredFile::parse(&src).is_ok());
        let deep = format!("{}{}", "[".repeat(100), "]".repeat(100));
        assert!(parse_json(&deep, 100).is_ok());
        assert!(parse_json(&deep, 99).is_err());
    }
}
