//! `.env` files: `KEY=value` lines with optional `export`, quotes and comments.
//!
//! Written by hand: the dotenv crates (dotenvy) load values into the environment and keep no
//! positions, and the format is a few lines of grammar.

use std::ops::Range;

use super::SourceFile;

/// One `KEY=value` assignment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DotenvEntry {
    /// The variable name.
    pub key: String,
    /// The value with quotes removed.
    pub value: String,
    /// Byte range of the value as written (quotes included); empty at the `=` for empty values.
    pub value_span: Range<usize>,
    /// Byte range of the key.
    pub key_span: Range<usize>,
}

/// A parsed `.env` file.
pub struct DotenvFile<'a> {
    /// The file's text and path.
    pub source: &'a SourceFile,
    /// Assignments in file order; lines that are not assignments are skipped.
    pub entries: Vec<DotenvEntry>,
}

impl<'a> DotenvFile<'a> {
    /// Parses `source`. Malformed lines are ignored, as every dotenv loader does.
    pub fn parse(source: &'a SourceFile) -> Self {
        let mut entries = Vec::new();
        let mut offset = 0;
        for raw in source.text.split_inclusive('\n') {
            let line_start = offset;
            offset += raw.len();
            let line = raw.trim_end_matches(['\n', '\r']);
            let indent = line.len() - line.trim_start().len();
            let mut rest = &line[indent..];
            let mut at = line_start + indent;
            if rest.starts_with('#') || rest.is_empty() {
                continue;
            }
            if let Some(r) = rest.strip_prefix("export ") {
                at += rest.len() - r.len();
                rest = r;
            }
            let Some(eq) = rest.find('=') else { continue };
            let key = rest[..eq].trim();
            // `export   KEY=` and ` KEY =`: the span starts at the name, not at the blanks.
            let key_at = at + (rest.len() - rest.trim_start().len());
            if key.is_empty()
                || !key
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.' || b == b'-')
            {
                continue;
            }
            let key_span = key_at..key_at + key.len();
            let after = &rest[eq + 1..];
            let lead = after.len() - after.trim_start().len();
            let v = after.trim_start();
            let vstart = at + eq + 1 + lead;
            let (value, len) = if let Some(q @ ('"' | '\'')) = v.chars().next() {
                match v[1..].find(q) {
                    Some(end) => (v[1..1 + end].to_string(), end + 2),
                    None => (v[1..].to_string(), v.len()),
                }
            } else {
                let end = v.find(" #").unwrap_or(v.len());
                let val = v[..end].trim_end();
                (val.to_string(), val.len())
            };
            entries.push(DotenvEntry {
                key: key.to_string(),
                value,
                value_span: vstart..vstart + len,
                key_span,
            });
        }
        DotenvFile { source, entries }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileKind;

    #[test]
    fn parses_forms() {
        let src = SourceFile::new(
            ".env",
            FileKind::Dotenv,
            "# c\nexport A=1\nB = \"two words\" # x\nC='q'\nD=plain # comment\nE=\nnot a line\n"
                .into(),
        );
        let f = DotenvFile::parse(&src);
        let kv: Vec<_> = f
            .entries
            .iter()
            .map(|e| (e.key.as_str(), e.value.as_str()))
            .collect();
        assert_eq!(
            kv,
            vec![
                ("A", "1"),
                ("B", "two words"),
                ("C", "q"),
                ("D", "plain"),
                ("E", "")
            ]
        );
        assert_eq!(&src.text[f.entries[1].value_span.clone()], "\"two words\"");
    }

    #[test]
    fn key_span_skips_blanks() {
        // Found by fuzzing: the span covered the blanks after `export`.
        let src = SourceFile::new(
            ".env",
            FileKind::Dotenv,
            "export   DATABASE_URL=x\n\t KEY =y\n".into(),
        );
        let f = DotenvFile::parse(&src);
        for e in &f.entries {
            assert_eq!(&src.text[e.key_span.clone()], e.key);
        }
        assert_eq!(f.entries.len(), 2);
    }
}
