//! TOML, YAML and JSON documents as one span-carrying tree.
//!
//! TOML is parsed with `toml::de::DeTable` (byte spans) after [`super::depth::toml_depth`]
//! bounds its nesting. YAML and JSON (a subset of YAML 1.2) are read from the events of saphyr's
//! parser (a state machine; serde_yaml is archived and has no positions): the tree is built here
//! without recursion, a collection deeper than `max-nesting` stops the read (TC0002), and alias
//! copies are bounded by a node budget. Byte offsets come from saphyr's line/column through the
//! file's line index. Strict JSON has a reader of its own: saphyr's scanner holds every token of
//! a flow collection that starts where a key may start until it closes, so in a YAML file such a
//! collection over 64 KiB is read by the JSON reader when the file is JSON, and is a TC0002
//! otherwise (`held_flow_over`).
//!
//! The tree is stored flat, for bounded memory on large files (issue 13): one 16-byte slot per
//! node in document order, a collection's slot holding the index after its last descendant and a
//! mapping's children alternating key and value. A scalar's text is not copied when it is the
//! source's own bytes (a plain scalar, a string without escapes between its quotes); only text
//! that differs (escapes, folded and block scalars, `1.0` read as `1`) is kept, in one buffer.
//! [`Node`], [`Map`] and [`Seq`] are views into it, made when asked for. A strict JSON file
//! reserves its slots up front from a count of its `[{,:` bytes (an upper bound, never touched
//! beyond what is used), so the slots are not copied as they grow; a YAML file reserves a bound
//! counted the same way (`yaml_slots_bound`). An 8 MiB one-line JSON array of digits peaked at
//! 38× to 44× its size as a tree of vectors and owned strings, 10× now.
//!
//! When saphyr refuses a YAML file, it is read a second time with its flow collections put on
//! one line ([`flatten_flow`], same bytes at the same offsets): saphyr's scanner rejects flow
//! collections closed at their key's indentation, which YAML 1.2 and PyYAML accept. Only when
//! that second read fails too is the file a TC0002 (with saphyr's first error).

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::ops::Range;

use saphyr::Scalar;
use saphyr_parser::{Event, Marker, Parser};
use toml::de::{DeTable, DeValue};

use super::{FileKind, LineIndex, ParseError, SourceFile};

/// A node of a parsed document: a view into its [`StructuredFile`], made when asked for.
#[derive(Clone, Debug)]
pub enum Node<'d> {
    /// A mapping: keys with their spans, in document order.
    Map(Map<'d>),
    /// A sequence.
    Seq(Seq<'d>),
    /// A scalar rendered as text (`true`, `8080`, `"x"` → `x`), with its byte span.
    Scalar(&'d str, Range<usize>),
    /// Null, or a value without a representation (YAML `~`, empty value).
    Null(Range<usize>),
}

/// A mapping key with its byte span.
#[derive(Clone, Debug, PartialEq)]
pub struct Key<'d> {
    /// The key text (empty for a key that is not a scalar).
    pub name: &'d str,
    /// Byte range of the key.
    pub span: Range<usize>,
}

/// A mapping: its entries are read from the document as they are iterated.
#[derive(Clone, Copy)]
pub struct Map<'d> {
    tape: &'d Tape<'d>,
    at: u32,
}

/// A sequence: its items are read from the document as they are iterated.
#[derive(Clone, Copy)]
pub struct Seq<'d> {
    tape: &'d Tape<'d>,
    at: u32,
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
    tape: Tape<'a>,
}

impl<'a> StructuredFile<'a> {
    /// Parses `source` according to its kind.
    pub fn parse(source: &'a SourceFile) -> Result<Self, ParseError> {
        Self::parse_bounded(source, crate::engine::MAX_NESTING)
    }

    /// [`StructuredFile::parse`], refusing a document nested deeper than `max_nesting` before
    /// anything recursive (the TOML parser, a tree walk) sees it.
    pub fn parse_bounded(source: &'a SourceFile, max_nesting: usize) -> Result<Self, ParseError> {
        let text = source.text.as_str();
        // Offsets and slot indexes are `u32`; the default size bound is 8 MiB.
        if text.len() > MAX_LEN {
            return Err(ParseError::new(
                "skipped: over 1 GiB, too large to read as a document",
                0..0,
            ));
        }
        let tape = match source.kind {
            FileKind::CargoToml | FileKind::Pyproject | FileKind::Pipfile | FileKind::Toml => {
                if super::depth::toml_depth(text) > max_nesting {
                    return Err(ParseError::new(
                        format!(
                            "skipped: nesting depth over the max-nesting limit of {max_nesting}"
                        ),
                        0..0,
                    ));
                }
                parse_toml(text)?
            }
            FileKind::Json | FileKind::PackageJson => match parse_json(text, text, max_nesting) {
                Ok(tape) => tape,
                Err(e) => {
                    // JSON with comments (`tsconfig.json`, `devcontainer.json`, `.vscode/`,
                    // `*.jsonc`): comments and trailing commas blanked, offsets unchanged.
                    let blanked = jsonc_blank(text);
                    match parse_json(&blanked, text, max_nesting) {
                        Ok(tape) => tape,
                        // YAML reads a superset, within the same limits, small enough that
                        // saphyr's buffering stays small.
                        Err(_) if text.len() <= JSON_AS_YAML_MAX => {
                            parse_yaml(source, max_nesting).map_err(|_| tried_formats(e))?
                        }
                        Err(_) => return Err(tried_formats(e)),
                    }
                }
            },
            _ => parse_yaml(source, max_nesting)?,
        };
        Ok(StructuredFile { source, tape })
    }

    /// The root of each document, in order (none for a JSON file of only blanks).
    pub fn docs(&self) -> impl Iterator<Item = Node<'_>> + '_ {
        let tape: &Tape<'_> = &self.tape;
        tape.roots.iter().map(move |&at| tape.node(at))
    }

    /// Every scalar leaf of every document, in document order.
    pub fn entries(&self) -> Vec<Entry<'_>> {
        let mut out = Vec::new();
        for d in self.docs() {
            flatten(d, &mut Vec::new(), &mut out);
        }
        out
    }
}

impl<'d> Node<'d> {
    /// Looks up a child by key in a mapping.
    pub fn get(&self, key: &str) -> Option<Node<'d>> {
        match self {
            Node::Map(m) => m.get(key),
            _ => None,
        }
    }

    /// The scalar text, if this is a scalar.
    pub fn as_str(&self) -> Option<&'d str> {
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

impl<'d> Map<'d> {
    /// The entries, in document order.
    pub fn iter(&self) -> Entries<'d> {
        Entries {
            tape: self.tape,
            at: self.at + 1,
            end: self.tape.next(self.at),
        }
    }

    /// The value of the first entry with this key.
    pub fn get(&self, key: &str) -> Option<Node<'d>> {
        // The rules look keys up often: compare without making the entries.
        let tape = self.tape;
        let end = tape.next(self.at);
        let mut k = self.at + 1;
        while k < end {
            let v = tape.next(k);
            if v >= end {
                break;
            }
            if tape.key_is(k, key) {
                return Some(tape.node(v));
            }
            k = tape.next(v);
        }
        None
    }

    /// The number of entries (a walk over them).
    pub fn len(&self) -> usize {
        self.iter().count()
    }

    /// Whether the mapping has no entry.
    pub fn is_empty(&self) -> bool {
        self.at + 1 >= self.tape.next(self.at)
    }
}

impl<'d> Seq<'d> {
    /// The items, in document order.
    pub fn iter(&self) -> Items<'d> {
        Items {
            tape: self.tape,
            at: self.at + 1,
            end: self.tape.next(self.at),
        }
    }

    /// The number of items (a walk over them).
    pub fn len(&self) -> usize {
        self.iter().count()
    }

    /// Whether the sequence has no item.
    pub fn is_empty(&self) -> bool {
        self.at + 1 >= self.tape.next(self.at)
    }

    /// The first item.
    pub fn first(&self) -> Option<Node<'d>> {
        self.iter().next()
    }
}

/// The entries of a [`Map`].
#[derive(Clone)]
pub struct Entries<'d> {
    tape: &'d Tape<'d>,
    at: u32,
    end: u32,
}

impl<'d> Iterator for Entries<'d> {
    type Item = (Key<'d>, Node<'d>);

    fn next(&mut self) -> Option<Self::Item> {
        let key = self.at;
        let value = self.tape.next(key);
        if value >= self.end {
            return None;
        }
        self.at = self.tape.next(value);
        Some((self.tape.key(key), self.tape.node(value)))
    }
}

/// The items of a [`Seq`].
#[derive(Clone)]
pub struct Items<'d> {
    tape: &'d Tape<'d>,
    at: u32,
    end: u32,
}

impl<'d> Iterator for Items<'d> {
    type Item = Node<'d>;

    fn next(&mut self) -> Option<Node<'d>> {
        if self.at >= self.end {
            return None;
        }
        let item = self.at;
        self.at = self.tape.next(item);
        Some(self.tape.node(item))
    }
}

impl<'d> IntoIterator for Map<'d> {
    type Item = (Key<'d>, Node<'d>);
    type IntoIter = Entries<'d>;

    fn into_iter(self) -> Entries<'d> {
        self.iter()
    }
}

impl<'d> IntoIterator for &Map<'d> {
    type Item = (Key<'d>, Node<'d>);
    type IntoIter = Entries<'d>;

    fn into_iter(self) -> Entries<'d> {
        self.iter()
    }
}

impl<'d> IntoIterator for Seq<'d> {
    type Item = Node<'d>;
    type IntoIter = Items<'d>;

    fn into_iter(self) -> Items<'d> {
        self.iter()
    }
}

impl<'d> IntoIterator for &Seq<'d> {
    type Item = Node<'d>;
    type IntoIter = Items<'d>;

    fn into_iter(self) -> Items<'d> {
        self.iter()
    }
}

impl fmt::Debug for Map<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.iter().map(|(k, v)| (k.name, v)))
            .finish()
    }
}

impl fmt::Debug for Seq<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

fn flatten<'n>(node: Node<'n>, path: &mut Vec<&'n str>, out: &mut Vec<Entry<'n>>) {
    match node {
        Node::Map(kv) => {
            for (k, v) in kv {
                path.push(k.name);
                flatten(v, path, out);
                path.pop();
            }
        }
        Node::Seq(items) => {
            for v in items {
                flatten(v, path, out);
            }
        }
        Node::Scalar(value, span) => out.push(Entry {
            path: path.clone(),
            value,
            span,
        }),
        Node::Null(_) => {}
    }
}

/// The largest file read as a document: its offsets and slot indexes (at most three slots a
/// byte) fit in `u32`.
const MAX_LEN: usize = (u32::MAX / 4) as usize;

/// The nodes of a file, flat, in document order (see the module doc).
struct Tape<'a> {
    /// The file's text: an unchanged scalar's text is a slice of it.
    text: &'a str,
    slots: Vec<Slot>,
    /// The texts of scalars that differ from their source bytes, one after the other.
    owned: String,
    /// Where each text in `owned` ends.
    owned_ends: Vec<u32>,
    /// The slot of each document's root.
    roots: Vec<u32>,
}

/// One node: 16 bytes whatever its kind (a test holds it to that).
#[derive(Clone, Copy, Debug)]
struct Slot {
    kind: Kind,
    /// A mapping's key (every other child of a mapping, from the first).
    key: bool,
    start: u32,
    end: u32,
    /// `Map`, `Seq`: the index after the collection's last slot. `Owned`: the index of its text
    /// in `owned_ends`. `Alias`: the slot whose text it repeats.
    aux: u32,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    Map,
    Seq,
    Null,
    /// A scalar whose text is its span's bytes.
    Plain,
    /// A scalar whose text is its span's bytes less the first and the last (the quotes).
    Quoted,
    /// A scalar whose text is kept in `owned`.
    Owned,
    /// An alias of a scalar: its own span, the text of the anchored slot.
    Alias,
}

impl<'a> Tape<'a> {
    fn new(text: &'a str) -> Self {
        Tape {
            text,
            slots: Vec::new(),
            owned: String::new(),
            owned_ends: Vec::new(),
            roots: Vec::new(),
        }
    }

    #[inline]
    fn slot(&self, at: u32) -> Slot {
        self.slots.get(at as usize).copied().unwrap_or(Slot {
            kind: Kind::Null,
            key: false,
            start: 0,
            end: 0,
            aux: 0,
        })
    }

    /// The index after the node at `at` and its descendants.
    #[inline]
    fn next(&self, at: u32) -> u32 {
        let s = self.slot(at);
        match s.kind {
            Kind::Map | Kind::Seq => s.aux.max(at + 1),
            _ => at + 1,
        }
    }

    fn text_of(&self, at: u32) -> &str {
        let s = self.slot(at);
        let (start, end) = (s.start as usize, s.end as usize);
        let text = match s.kind {
            Kind::Plain => self.text.get(start..end),
            Kind::Quoted if end > start => self.text.get(start + 1..end - 1),
            Kind::Owned => {
                let i = s.aux as usize;
                let from = match i {
                    0 => 0,
                    _ => self.owned_ends.get(i - 1).copied().unwrap_or(0) as usize,
                };
                let to = self.owned_ends.get(i).copied().unwrap_or(0) as usize;
                self.owned.get(from..to)
            }
            // The anchored slot is never an alias itself.
            Kind::Alias if s.aux != at => return self.text_of(s.aux),
            _ => None,
        };
        text.unwrap_or("")
    }

    fn node(&self, at: u32) -> Node<'_> {
        let s = self.slot(at);
        let span = s.start as usize..s.end as usize;
        match s.kind {
            Kind::Map => Node::Map(Map { tape: self, at }),
            Kind::Seq => Node::Seq(Seq { tape: self, at }),
            Kind::Null => Node::Null(span),
            _ => Node::Scalar(self.text_of(at), span),
        }
    }

    /// Whether the key at `at` is `name` ([`Tape::key`]'s name), most often told by its length.
    fn key_is(&self, at: u32, name: &str) -> bool {
        let s = self.slot(at);
        let len = s.end.saturating_sub(s.start) as usize;
        match s.kind {
            Kind::Map | Kind::Seq | Kind::Null => name.is_empty(),
            Kind::Plain if len != name.len() => false,
            Kind::Quoted if len != name.len() + 2 => false,
            _ => self.text_of(at) == name,
        }
    }

    fn key(&self, at: u32) -> Key<'_> {
        let s = self.slot(at);
        let name = match s.kind {
            Kind::Map | Kind::Seq | Kind::Null => "",
            _ => self.text_of(at),
        };
        Key {
            name,
            span: s.start as usize..s.end as usize,
        }
    }

    /// The nodes an alias of the node at `at` copies, as the alias budget counts them: the node
    /// and every slot under it but the scalar keys.
    fn size(&self, at: u32) -> usize {
        let end = (self.next(at) as usize).min(self.slots.len());
        let inner = self.slots.get(at as usize + 1..end).unwrap_or_default();
        1 + inner
            .iter()
            .filter(|s| !s.key || matches!(s.kind, Kind::Map | Kind::Seq))
            .count()
    }
}

/// A collection being read.
struct Open {
    /// Its slot.
    at: u32,
    map: bool,
    /// A mapping's next child is a key.
    key_next: bool,
    anchor: usize,
    /// Depth of the deepest child plus one.
    depth: usize,
}

/// Writes a [`Tape`] from a parser's nodes in document order, without recursion.
struct Builder<'a> {
    tape: Tape<'a>,
    stack: Vec<Open>,
    /// The current document's root, once read.
    root: Option<u32>,
}

impl<'a> Builder<'a> {
    fn new(text: &'a str) -> Self {
        Builder {
            tape: Tape::new(text),
            stack: Vec::new(),
            root: None,
        }
    }

    fn push(&mut self, kind: Kind, span: Range<usize>, aux: u32) -> u32 {
        let at = self.tape.slots.len() as u32;
        self.tape.slots.push(Slot {
            kind,
            key: self.stack.last().is_some_and(|o| o.map && o.key_next),
            start: span.start as u32,
            end: span.end as u32,
            aux,
        });
        at
    }

    /// A finished node of nesting `depth` at slot `at` takes its place in its parent.
    fn placed(&mut self, at: u32, depth: usize) {
        match self.stack.last_mut() {
            Some(top) => {
                top.depth = top.depth.max(depth + 1);
                if top.map {
                    top.key_next = !top.key_next;
                }
            }
            None => self.root = Some(at),
        }
    }

    fn open(&mut self, map: bool, start: usize, anchor: usize) {
        let kind = if map { Kind::Map } else { Kind::Seq };
        let at = self.push(kind, start..start, 0);
        self.stack.push(Open {
            at,
            map,
            key_next: true,
            anchor,
            depth: 1,
        });
    }

    /// Closes the innermost collection: its slot, depth and anchor.
    fn close(&mut self, end: usize) -> Option<(u32, usize, usize)> {
        if self.stack.last().is_some_and(|o| o.map && !o.key_next) {
            // A key without a value (the readers never leave one): give it a null.
            self.null(end..end);
        }
        let open = self.stack.pop()?;
        let next = self.tape.slots.len() as u32;
        if let Some(s) = self.tape.slots.get_mut(open.at as usize) {
            s.end = (end as u32).max(s.start);
            s.aux = next;
        }
        self.placed(open.at, open.depth);
        Some((open.at, open.depth, open.anchor))
    }

    fn null(&mut self, span: Range<usize>) -> u32 {
        let at = self.push(Kind::Null, span, 0);
        self.placed(at, 0);
        at
    }

    /// A scalar whose text is `value`: a slice of the source when it is the same text.
    fn scalar(&mut self, value: &str, span: Range<usize>) -> u32 {
        let text = self.tape.text;
        let (start, end) = (span.start, span.end);
        let (kind, aux) = if text.get(start..end) == Some(value) {
            (Kind::Plain, 0)
        } else if end >= start + 2 && text.get(start + 1..end - 1) == Some(value) {
            (Kind::Quoted, 0)
        } else {
            self.tape.owned.push_str(value);
            self.tape.owned_ends.push(self.tape.owned.len() as u32);
            (Kind::Owned, self.tape.owned_ends.len() as u32 - 1)
        };
        let at = self.push(kind, span, aux);
        self.placed(at, 0);
        at
    }

    /// A copy of the node at `from` (an alias of it, at `span`): its slots appended, the
    /// collections' ends moved with them.
    fn copy(&mut self, from: u32, depth: usize, span: Range<usize>) {
        let key = self.stack.last().is_some_and(|o| o.map && o.key_next);
        let base = self.tape.slots.len();
        if from as usize >= base {
            // Anchors only name finished slots; never reached.
            self.null(span);
            return;
        }
        let to = (self.tape.next(from) as usize).min(base);
        self.tape.slots.extend_from_within(from as usize..to);
        let shift = base as u32 - from;
        for s in &mut self.tape.slots[base..] {
            if matches!(s.kind, Kind::Map | Kind::Seq) {
                s.aux += shift;
            }
        }
        if let Some(root) = self.tape.slots.get_mut(base) {
            root.key = key;
            root.start = span.start as u32;
            root.end = span.end as u32;
            if matches!(root.kind, Kind::Plain | Kind::Quoted) {
                root.kind = Kind::Alias;
                root.aux = from;
            }
        }
        self.placed(base as u32, depth);
    }
}

fn parse_toml(text: &str) -> Result<Tape<'_>, ParseError> {
    let table = DeTable::parse(text).map_err(|e| {
        ParseError::new(
            format!("TOML syntax error: {}", e.message().trim()),
            e.span().unwrap_or(0..0),
        )
    })?;
    let mut b = Builder::new(text);
    // Recursive, on a tree whose depth `toml_depth` bounded.
    toml_table(&mut b, table.get_ref(), 0..text.len());
    if let Some(root) = b.root {
        b.tape.roots.push(root);
    }
    Ok(b.tape)
}

fn toml_table(b: &mut Builder<'_>, t: &DeTable<'_>, span: Range<usize>) {
    b.open(true, span.start, 0);
    for (k, v) in t.iter() {
        b.scalar(k.get_ref(), k.span());
        toml_value(b, v.get_ref(), v.span());
    }
    b.close(span.end);
}

fn toml_value(b: &mut Builder<'_>, v: &DeValue<'_>, span: Range<usize>) {
    match v {
        DeValue::String(s) => {
            b.scalar(s, span);
        }
        DeValue::Integer(i) => {
            b.scalar(i.as_str(), span);
        }
        DeValue::Float(f) => {
            b.scalar(f.as_str(), span);
        }
        DeValue::Boolean(v) => {
            b.scalar(if *v { "true" } else { "false" }, span);
        }
        DeValue::Datetime(d) => {
            b.scalar(&d.to_string(), span);
        }
        DeValue::Array(a) => {
            b.open(false, span.start, 0);
            for v in a.iter() {
                toml_value(b, v.get_ref(), v.span());
            }
            b.close(span.end);
        }
        DeValue::Table(t) => toml_table(b, t, span),
    }
}

fn parse_yaml(source: &SourceFile, max_nesting: usize) -> Result<Tape<'_>, ParseError> {
    let text = source.text.as_str();
    if let Some(at) = held_flow_over(text, HELD_FLOW_MAX) {
        // JSON is YAML, and the JSON reader does not hold tokens: a large JSON document in a
        // YAML file is still read.
        return match parse_json(text, text, max_nesting) {
            Err(e) if !e.message.starts_with("skipped") => Err(ParseError::new(
                format!(
                    "skipped: a flow collection (`[..]`, `{{..}}`) of over {} KiB where a key \
                     may start, which the YAML scanner would hold whole in memory",
                    HELD_FLOW_MAX >> 10
                ),
                at..at,
            )),
            read => read,
        };
    }
    let first = read_yaml(text, text, &source.lines, max_nesting);
    let Err(YamlError::Syntax(error)) = first else {
        return first.map_err(YamlError::into_inner);
    };
    // saphyr rejects some flow collections that YAML 1.2 and PyYAML accept (a `]` back at its
    // key's indentation): read them again on one line each, same length, same byte offsets.
    match flatten_flow(text) {
        Some(flat) => {
            read_yaml(&flat, text, &LineIndex::new(&flat), max_nesting).map_err(|_| error)
        }
        None => Err(error),
    }
}

/// The longest flow collection the YAML scanner may hold whole, in bytes: some 300 to 600 bytes
/// of memory a token, so at most some 20 MB.
const HELD_FLOW_MAX: usize = 64 << 10;

/// Where the first flow collection (`[..]`, `{..}`) starts that is longer than `limit` bytes and
/// that saphyr's scanner would hold whole. One that starts where a key may start (first on a
/// line, after `- `, `? ` or a line's leading `: `, or inside a flow collection after `[`, `{`,
/// `,`) may be an implicit key, and the scanner keeps every token until it closes (it never
/// drops a possible key inside a flow collection); a value after `key: ` is streamed. Comments,
/// quoted scalars and block scalars are skipped; an unclosed collection runs to the end.
fn held_flow_over(text: &str, limit: usize) -> Option<usize> {
    let b = text.as_bytes();
    let blank_or_end = |i: usize| matches!(b.get(i), None | Some(b' ' | b'\t' | b'\n' | b'\r'));
    // The open flow collections: where each starts, and whether it is held.
    let mut open: Vec<(usize, bool)> = Vec::new();
    // Block context: a collection may start here; a key may; only indicators precede on the
    // line; the line's indentation; a block scalar's header indentation while in it.
    let (mut node_start, mut key_here, mut line_lead) = (true, true, true);
    let mut indent = 0;
    let mut block_scalar: Option<usize> = None;
    // Flow context: a key may start here.
    let mut flow_key = false;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if open.is_empty() {
            match c {
                b'\n' => {
                    i += 1;
                    let n = b[i..].iter().take_while(|&&c| c == b' ').count();
                    let blank = matches!(b.get(i + n), None | Some(b'\n' | b'\r'));
                    if let Some(h) = block_scalar {
                        if blank || n > h {
                            while i < b.len() && b[i] != b'\n' {
                                i += 1;
                            }
                            continue;
                        }
                        block_scalar = None;
                    }
                    (indent, node_start, key_here, line_lead) = (n, true, true, true);
                    i += n;
                    continue;
                }
                b' ' | b'\t' | b'\r' => {}
                b'-' | b'?' if blank_or_end(i + 1) => (node_start, key_here) = (true, true),
                b':' if blank_or_end(i + 1) => {
                    (node_start, key_here, line_lead) = (true, line_lead, false);
                }
                b'[' | b'{' if node_start => {
                    open.push((i, key_here));
                    (flow_key, line_lead) = (true, false);
                }
                b'#' => {
                    while i < b.len() && b[i] != b'\n' {
                        i += 1;
                    }
                    continue;
                }
                _ => {
                    if node_start && matches!(c, b'|' | b'>') {
                        block_scalar = Some(indent);
                    }
                    (node_start, line_lead) = (false, false);
                    // A scalar in block context: its `[`, quotes and `#` do not count.
                    while i < b.len() && b[i] != b'\n' && !(b[i] == b':' && blank_or_end(i + 1)) {
                        i += 1;
                    }
                    continue;
                }
            }
            i += 1;
            continue;
        }
        match c {
            b'[' | b'{' => {
                open.push((i, flow_key));
                flow_key = true;
            }
            b']' | b'}' => {
                if let Some((start, true)) = open.pop() {
                    if i + 1 - start > limit {
                        return Some(start);
                    }
                }
                flow_key = false;
                node_start = false;
            }
            b',' => flow_key = true,
            b'?' if blank_or_end(i + 1) => flow_key = true,
            b'#' if b[i - 1].is_ascii_whitespace() => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'"' | b'\'' => {
                i += 1;
                while i < b.len() && b[i] != c {
                    i += if c == b'"' && b[i] == b'\\' { 2 } else { 1 };
                }
            }
            b' ' | b'\t' | b'\r' | b'\n' => {}
            _ => flow_key = false,
        }
        i += 1;
    }
    open.iter()
        .find(|&&(start, held)| held && b.len() - start > limit)
        .map(|&(start, _)| start)
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

/// Reads the YAML `text` (the file's own, or the same with its flow collections on one line,
/// `original`) into a tape over `original`.
fn read_yaml<'a>(
    text: &str,
    original: &'a str,
    lines: &LineIndex,
    max_nesting: usize,
) -> Result<Tape<'a>, YamlError> {
    let offset = |m: &Marker| lines.offset(text, m.line(), m.col());
    let mut b = Builder::new(original);
    b.tape.slots.reserve_exact(yaml_slots_bound(text));
    // Anchored nodes: their slots and depths.
    let mut anchors: HashMap<usize, (u32, usize)> = HashMap::new();
    let mut alias_budget = ALIAS_BUDGET;
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
                if b.stack.len() >= max_nesting {
                    return Err(too_deep(start));
                }
                b.open(matches!(event, Event::MappingStart(..)), start, anchor);
            }
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some((at, depth, anchor)) = b.close(end) {
                    if anchor > 0 {
                        anchors.insert(anchor, (at, depth));
                    }
                }
            }
            Event::Scalar(value, style, anchor, tag) => {
                // A flow scalar's event ends at the next token, past the blanks.
                let end = start + text[start..end].trim_end().len();
                let at = match Scalar::parse_from_cow_and_metadata(value, style, tag.as_ref()) {
                    Some(Scalar::Null) | None => b.null(start..end),
                    Some(Scalar::Boolean(v)) => {
                        b.scalar(if v { "true" } else { "false" }, start..end)
                    }
                    Some(Scalar::Integer(i)) => b.scalar(&i.to_string(), start..end),
                    Some(Scalar::FloatingPoint(f)) => b.scalar(&float_text(f.0), start..end),
                    Some(Scalar::String(s)) => b.scalar(&s, start..end),
                };
                if anchor > 0 {
                    anchors.insert(anchor, (at, 0));
                }
            }
            Event::Alias(id) => {
                let Some(&(from, depth)) = anchors.get(&id) else {
                    b.null(start..end);
                    continue;
                };
                // A copy of the anchored node: bounded in depth like any node, and in total
                // size by the alias budget (billion laughs).
                if b.stack.len() + depth > max_nesting {
                    return Err(too_deep(start));
                }
                let size = b.tape.size(from);
                if size > alias_budget {
                    return Err(YamlError::Limit(ParseError::new(
                        "YAML: alias expansion exceeded the maximum node budget (possible billion-laughs attack)",
                        start..end,
                    )));
                }
                alias_budget -= size;
                b.copy(from, depth, start..end);
            }
            Event::DocumentEnd => {
                if b.root.is_none() {
                    b.null(start..end);
                }
                if let Some(root) = b.root.take() {
                    b.tape.roots.push(root);
                }
            }
            _ => {}
        }
    }
    Ok(b.tape)
}

/// An upper bound on the slots of a YAML text but alias copies, reserved up front so that the
/// slots are not copied to grow (the capacity beyond what is used is never touched): every node
/// follows a line start or one of `-?:,[{`, and a collection and its first child may follow the
/// same one.
fn yaml_slots_bound(text: &str) -> usize {
    let marks = text
        .bytes()
        .filter(|c| matches!(c, b'\n' | b'\r' | b'-' | b'?' | b':' | b',' | b'[' | b'{'))
        .count();
    2 * (marks + 1)
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

/// Reads strict JSON (RFC 8259) into a tape over `original` (`text` itself, or `text` with its
/// comments blanked), iteratively, with byte spans (strings with their quotes, as the YAML reader
/// gives them) and the same scalar text as YAML would give. No document for a file of only
/// blanks. Linear time, and memory in proportion to the nodes.
fn parse_json<'a>(
    text: &str,
    original: &'a str,
    max_nesting: usize,
) -> Result<Tape<'a>, ParseError> {
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
    let mut out = Builder::new(original);
    // Every node but the root follows one of these bytes: an upper bound on the slots, so they
    // are never copied to grow (the capacity beyond what is used is never touched).
    let bound = 1 + b
        .iter()
        .filter(|&&c| matches!(c, b'[' | b'{' | b',' | b':'))
        .count();
    out.tape.slots.reserve_exact(bound);
    let mut want = Want::Value;
    let mut i = 0;
    loop {
        while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\n' | b'\r') {
            i += 1;
        }
        let Some(&c) = b.get(i) else {
            return match want {
                Want::End | Want::Value if out.stack.is_empty() => {
                    out.tape.roots.extend(out.root);
                    Ok(out.tape)
                }
                _ => Err(err("unexpected end of file", i)),
            };
        };
        let start = i;
        match (want, c) {
            (Want::End, _) => return Err(err("content after the document", i)),
            (Want::ValueOrClose | Want::CommaOrClose, b']')
            | (Want::KeyOrClose | Want::CommaOrClose, b'}') => {
                match out.stack.last() {
                    Some(open) if open.map == (c == b'}') && (!open.map || open.key_next) => {}
                    _ => return Err(err("unbalanced bracket", i)),
                }
                i += 1;
                out.close(i);
            }
            (Want::CommaOrClose, b',') => {
                i += 1;
                want = match out.stack.last() {
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
                if out.stack.len() >= max_nesting {
                    return Err(ParseError::new(
                        format!(
                            "skipped: nesting depth over the max-nesting limit of {max_nesting}"
                        ),
                        i..i,
                    ));
                }
                out.open(c == b'{', i, 0);
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
                out.scalar(&s, start..end);
                if want == Want::KeyOrClose {
                    want = Want::Colon;
                    continue;
                }
            }
            (Want::Value | Want::ValueOrClose, b'-' | b'0'..=b'9' | b't' | b'f' | b'n') => {
                while i < b.len()
                    && matches!(b[i], b'-' | b'+' | b'.' | b'0'..=b'9' | b'a'..=b'z' | b'E')
                {
                    i += 1;
                }
                let raw = &text[start..i];
                match raw {
                    "null" => {
                        out.null(start..i);
                    }
                    "true" | "false" => {
                        out.scalar(raw, start..i);
                    }
                    _ if json_number(raw) => {
                        out.scalar(&json_number_text(raw), start..i);
                    }
                    _ => return Err(err("expected a value", start)),
                }
            }
            _ => return Err(err("unexpected character", i)),
        }
        want = if out.stack.is_empty() {
            Want::End
        } else {
            Want::CommaOrClose
        };
    }
}

/// A JSON number's text as YAML reads it (`1.0` → `1`, `-2.5e0` → `-2.5`): most integers are
/// their own text, without an allocation.
fn json_number_text(raw: &str) -> Cow<'_, str> {
    let digits = raw.strip_prefix('-').unwrap_or(raw);
    if digits.len() < 18 && digits.bytes().all(|c| c.is_ascii_digit()) && raw != "-0" {
        return Cow::Borrowed(raw);
    }
    match Scalar::parse_from_cow(raw.into()) {
        Scalar::Integer(n) => Cow::Owned(n.to_string()),
        Scalar::FloatingPoint(f) => Cow::Owned(float_text(f.0)),
        _ => Cow::Borrowed(raw),
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

/// A float's text as YAML reads it (`1.0` → `1`), in exponent form when the decimal form is
/// long: `1e300` would be 301 digits, 60 times its source, and a file of them 60 times its size.
fn float_text(f: f64) -> String {
    let text = f.to_string();
    if text.len() > 24 {
        format!("{f:e}")
    } else {
        text
    }
}

/// The JSON string starting at the quote at `at`: its value and the offset after its closing
/// quote; `None` when unterminated or badly escaped.
fn json_string(text: &str, at: usize) -> Option<(Cow<'_, str>, usize)> {
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
        serde_json::from_str::<String>(raw)
            .ok()
            .map(|s| (Cow::Owned(s), end))
    } else {
        Some((Cow::Borrowed(&raw[1..raw.len() - 1]), end))
    }
}

/// Nodes copied by alias expansion, in all, per file (saphyr's own default).
const ALIAS_BUDGET: usize = 100_000;

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
    fn a_node_is_sixteen_bytes() {
        // Issue 13: the slots are most of a large document's memory.
        assert_eq!(std::mem::size_of::<Slot>(), 16);
    }

    #[test]
    fn aliases_copy_their_anchors() {
        let text = "a: &x {b: 1, c: [2, &y 3]}\nd: *x\ne: *y\n*y : z\n? [k, l]\n: v\nf: 'it''s'\n";
        let src = file("a.yaml", text);
        let f = StructuredFile::parse(&src).expect("valid YAML");
        let entries = f.entries();
        let of = |key: &str| -> Vec<(Vec<&str>, &str, Range<usize>)> {
            entries
                .iter()
                .filter(|e| e.path[0] == key)
                .map(|e| (e.path[1..].to_vec(), e.value, e.span.clone()))
                .collect()
        };
        // A copied collection keeps its anchor's spans.
        assert_eq!(of("d"), of("a"));
        assert_eq!(of("a").len(), 3);
        // A copied scalar has the alias's span and the anchor's text.
        let e = &of("e")[0];
        assert_eq!((e.1, &text[e.2.clone()]), ("3", "*y"));
        let Some(Node::Map(root)) = f.docs().next() else {
            panic!("a mapping")
        };
        let keys: Vec<(&str, &str)> = root.iter().map(|(k, _)| (k.name, &text[k.span])).collect();
        assert_eq!(
            keys,
            vec![
                ("a", "a"),
                ("d", "d"),
                ("e", "e"),
                ("3", "*y"),
                ("", "[k, l]"),
                ("f", "f")
            ]
        );
        assert_eq!(root.get("3").and_then(|n| n.as_str()), Some("z"));
        assert_eq!(root.get("").and_then(|n| n.as_str()), Some("v"));
        assert_eq!(root.get("f").and_then(|n| n.as_str()), Some("it's"));
        assert_eq!(root.get("g").map(|_| ()), None);
    }

    #[test]
    fn long_floats_keep_their_exponent() {
        for (name, text) in [
            ("a.json", "[1e300, -1.5e-300, 1e3, 0.5]"),
            ("a.yaml", "- 1e300\n- -1.5e-300\n- 1e3\n- 0.5\n"),
        ] {
            let src = file(name, text);
            let f = StructuredFile::parse(&src).expect("valid");
            let values: Vec<&str> = f.entries().iter().map(|e| e.value).collect();
            assert_eq!(values, ["1e300", "-1.5e-300", "1000", "0.5"], "{name}");
        }
    }

    #[test]
    fn held_flow_collections_are_bounded() {
        let items = |unit: &str| vec![unit; 50_000].join(",");
        let parse = |text: String| {
            let src = file("a.yaml", &text);
            StructuredFile::parse(&src).map(|f| f.entries().len())
        };
        // Where a key may start, saphyr's scanner would hold every token: not read.
        for text in [
            format!("[{}]\n", items("a")),
            format!("- [{}]\n", items("a")),
            format!("k:\n  [{}]\n", items("a")),
            format!("k: [[{}]]\n", items("a")),
            format!("[{}\n", items("a")),
        ] {
            let e = parse(text).expect_err("refused");
            assert!(e.message.contains("flow collection"), "{}", e.message);
        }
        // JSON is read by the JSON reader; a value after `key: ` is streamed; small ones and
        // brackets in block scalars and comments are read as before.
        assert_eq!(parse(format!("[{}]\n", items("1"))), Ok(50_000));
        assert_eq!(parse(format!("k: [{}]\n", items("a"))), Ok(50_000));
        assert_eq!(parse(format!("k: {{a: [{}]}}\n", items("a"))), Ok(50_000));
        assert_eq!(
            parse(format!("- [{}]\n", items("a").get(..60_000).unwrap_or(""))),
            Ok(30_000)
        );
        let block = format!("s: |\n  [ -f x\n{}# [\nk: v\n", "  a\n".repeat(50_000));
        assert_eq!(parse(block), Ok(2));
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
        let root = parsed.docs().next().expect("a document");
        let opts = root.get("compilerOptions").expect("key");
        assert_eq!(opts.get("strict").and_then(|n| n.as_str()), Some("true"));
        let Some(Node::Seq(paths)) = opts.get("paths") else {
            panic!("paths")
        };
        let paths: Vec<Node<'_>> = paths.iter().collect();
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
            assert!(parse_json(&src.text, &src.text, 100).is_err(), "{bad}");
        }
        // Not JSON, but YAML: read as before.
        let src = file("a.json", "# comment\n{a: 1}\n");
        assert!(StructuredFile::parse(&src).is_ok());
        let deep = format!("{}{}", "[".repeat(100), "]".repeat(100));
        assert!(parse_json(&deep, &deep, 100).is_ok());
        assert!(parse_json(&deep, &deep, 99).is_err());
    }
}
