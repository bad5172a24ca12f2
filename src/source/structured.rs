//! TOML, YAML and JSON documents as one span-carrying tree.
//!
//! TOML is parsed with `toml::de::DeTable` (byte spans). YAML and JSON (a subset of YAML 1.2) are
//! parsed with saphyr's `MarkedYaml`, which keeps correct line/column positions with anchors
//! present; serde_yaml is archived and has no positions. saphyr reports character indices, so
//! byte offsets are computed from its line/column through the file's line index. Alias expansion
//! is bounded by saphyr's node budget.

use std::ops::Range;

use saphyr::{LoadableYamlNode, MarkedYaml, Scalar, YamlData};
use toml::de::{DeTable, DeValue};

use super::{FileKind, ParseError, SourceFile};

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
        let docs = match source.kind {
            FileKind::CargoToml | FileKind::Pyproject | FileKind::Pipfile | FileKind::Toml => {
                vec![parse_toml(&source.text)?]
            }
            _ => parse_yaml(source)?,
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

fn parse_yaml(source: &SourceFile) -> Result<Vec<Node>, ParseError> {
    let text = &source.text;
    let docs = MarkedYaml::load_from_str(text).map_err(|e| {
        let m = e.marker();
        let at = source.lines.offset(text, m.line(), m.col());
        ParseError::new(format!("YAML syntax error: {}", e.info()), at..at)
    })?;
    Ok(docs.iter().map(|d| yaml_node(d, source)).collect())
}

fn yaml_span(y: &MarkedYaml<'_>, source: &SourceFile) -> Range<usize> {
    let text = &source.text;
    let s = y.span.start;
    let e = y.span.end;
    let start = source.lines.offset(text, s.line(), s.col());
    let end = source.lines.offset(text, e.line(), e.col()).max(start);
    start..end
}

fn yaml_node(y: &MarkedYaml<'_>, source: &SourceFile) -> Node {
    let span = yaml_span(y, source);
    match &y.data {
        YamlData::Mapping(m) => Node::Map(
            m.iter()
                .map(|(k, v)| {
                    let name = match yaml_node(k, source) {
                        Node::Scalar(s, _) => s,
                        _ => String::new(),
                    };
                    (
                        Key {
                            name,
                            span: yaml_span(k, source),
                        },
                        yaml_node(v, source),
                    )
                })
                .collect(),
        ),
        YamlData::Sequence(s) => Node::Seq(s.iter().map(|v| yaml_node(v, source)).collect()),
        YamlData::Value(v) => match v {
            Scalar::Null => Node::Null(span),
            Scalar::Boolean(b) => Node::Scalar(b.to_string(), span),
            Scalar::Integer(i) => Node::Scalar(i.to_string(), span),
            Scalar::FloatingPoint(f) => Node::Scalar(f.to_string(), span),
            Scalar::String(s) => Node::Scalar(s.to_string(), span),
        },
        YamlData::Representation(s, _, _) => Node::Scalar(s.to_string(), span),
        YamlData::Tagged(_, inner) => yaml_node(inner, source),
        _ => Node::Null(span),
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
}
