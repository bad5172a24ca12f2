//! Dockerfiles, parsed with the `parse-dockerfile` crate (correct lines, heredocs, escape
//! directive), plus the `ENV`/`ARG` key/value split that crate leaves to its users.

use std::ops::Range;

use parse_dockerfile::{Dockerfile, Instruction};

use super::{ParseError, SourceFile};

/// A parsed Dockerfile.
pub struct DockerFile<'a> {
    /// The file's text and path.
    pub source: &'a SourceFile,
    /// The parsed instructions.
    pub doc: Dockerfile<'a>,
}

/// One variable set by `ENV` or `ARG`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DockerVar {
    /// `ENV` or `ARG`.
    pub instruction: &'static str,
    /// The variable name.
    pub key: String,
    /// The value (quotes removed); `None` for `ARG NAME` without a default.
    pub value: Option<String>,
    /// Byte range of the value as written, or of the key when there is no value.
    pub span: Range<usize>,
}

impl<'a> DockerFile<'a> {
    /// Parses `source`.
    pub fn parse(source: &'a SourceFile) -> Result<Self, ParseError> {
        let doc = parse_dockerfile::parse(&source.text).map_err(|e| {
            let at = source
                .lines
                .offset(&source.text, e.line(), e.column().saturating_sub(1));
            ParseError::new(format!("Dockerfile syntax error: {e}"), at..at)
        })?;
        Ok(DockerFile { source, doc })
    }

    /// Every `ENV` and `ARG` variable in file order.
    pub fn vars(&self) -> Vec<DockerVar> {
        let mut out = Vec::new();
        for ins in &self.doc.instructions {
            let (kind, args) = match ins {
                Instruction::Env(e) => ("ENV", &e.arguments),
                Instruction::Arg(a) => ("ARG", &a.arguments),
                _ => continue,
            };
            let raw = &self.source.text[args.span.clone()];
            split_vars(raw, args.span.start, kind, &mut out);
        }
        out
    }
}

/// Splits `K=V K2="v 2"` (or the legacy `K value with spaces`) into variables.
fn split_vars(raw: &str, base: usize, kind: &'static str, out: &mut Vec<DockerVar>) {
    let trimmed = raw.trim_start();
    let mut i = raw.len() - trimmed.len();
    let first_word_end = trimmed.find(char::is_whitespace).unwrap_or(trimmed.len());
    if !trimmed[..first_word_end].contains('=') {
        // Legacy form: `ENV KEY the rest of the line`, or `ARG NAME`.
        let key = &trimmed[..first_word_end];
        let rest = trimmed[first_word_end..].trim();
        let value_start = i
            + first_word_end
            + (trimmed[first_word_end..].len() - trimmed[first_word_end..].trim_start().len());
        out.push(DockerVar {
            instruction: kind,
            key: key.to_string(),
            value: (!rest.is_empty() || kind == "ENV").then(|| unquote(rest)),
            span: if rest.is_empty() {
                base + i..base + i + key.len()
            } else {
                base + value_start..base + value_start + rest.len()
            },
        });
        return;
    }
    let bytes = raw.as_bytes();
    while i < raw.len() {
        while i < raw.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b'\\') {
            i += 1;
        }
        if i >= raw.len() {
            break;
        }
        let key_start = i;
        while i < raw.len() && bytes[i] != b'=' && !bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let key = &raw[key_start..i];
        if i >= raw.len() || bytes[i] != b'=' {
            out.push(DockerVar {
                instruction: kind,
                key: key.to_string(),
                value: None,
                span: base + key_start..base + i,
            });
            continue;
        }
        i += 1;
        let v_start = i;
        let mut quote = None;
        while i < raw.len() {
            let b = bytes[i];
            match quote {
                Some(q) if b == q => quote = None,
                Some(_) => {}
                None if b == b'"' || b == b'\'' => quote = Some(b),
                None if b.is_ascii_whitespace() => break,
                None if b == b'\\' => i += 1,
                None => {}
            }
            i += 1;
        }
        let i_end = i.min(raw.len());
        out.push(DockerVar {
            instruction: kind,
            key: key.to_string(),
            value: Some(unquote(&raw[v_start..i_end])),
            span: base + v_start..base + i_end,
        });
        i = i_end;
    }
}

fn unquote(s: &str) -> String {
    let s = s.trim();
    for q in ['"', '\''] {
        if s.len() >= 2 && s.starts_with(q) && s.ends_with(q) {
            return s[1..s.len() - 1].to_string();
        }
    }
    s.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileKind;

    #[test]
    fn env_forms() {
        let src = SourceFile::new(
            "Dockerfile",
            FileKind::Dockerfile,
            "FROM rust:1.80\nENV A=1 B=\"two words\"\nENV LEGACY some value\nARG TOKEN\nARG V=3\n"
                .into(),
        );
        let f = DockerFile::parse(&src).expect("valid dockerfile");
        let v: Vec<_> = f.vars().into_iter().map(|v| (v.key, v.value)).collect();
        assert_eq!(
            v,
            vec![
                ("A".into(), Some("1".into())),
                ("B".into(), Some("two words".into())),
                ("LEGACY".into(), Some("some value".into())),
                ("TOKEN".into(), None),
                ("V".into(), Some("3".into())),
            ]
        );
        let b = &f.vars()[1];
        assert_eq!(&src.text[b.span.clone()], "\"two words\"");
    }
}
