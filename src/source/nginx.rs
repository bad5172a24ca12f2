//! nginx configurations: directives with their arguments, block nesting and byte spans.
//!
//! Written by hand: the nginx-config crates on crates.io are unmaintained or keep no positions,
//! and the grammar needed here is small (words, quotes, `;`, `{`, `}`, `#` comments). Unbalanced
//! braces and unterminated quotes are parse errors.

use std::ops::Range;

use super::shell::Word;
use super::{ParseError, SourceFile};

/// One directive: `name arg1 arg2;` or `name args { ... }`.
#[derive(Clone, Debug)]
pub struct Directive {
    /// The directive name.
    pub name: String,
    /// The arguments, quotes removed.
    pub args: Vec<Word>,
    /// Byte range from the name to the `;` or `{`.
    pub span: Range<usize>,
    /// The names of the enclosing blocks, outermost first (`["http", "upstream"]`).
    pub context: Vec<String>,
}

/// A parsed nginx configuration: its directives in file order.
pub struct NginxConf<'a> {
    /// The file's text and path.
    pub source: &'a SourceFile,
    /// Every directive, blocks flattened (see [`Directive::context`]).
    pub directives: Vec<Directive>,
}

/// Deepest block nesting accepted. Real configurations nest a handful of levels; without a
/// bound, each directive's [`Directive::context`] makes deep nesting quadratic in time and memory.
pub const MAX_DEPTH: usize = 100;

impl<'a> NginxConf<'a> {
    /// Parses `source`.
    pub fn parse(source: &'a SourceFile) -> Result<Self, ParseError> {
        let text = &source.text;
        let bytes = text.as_bytes();
        let mut directives = Vec::new();
        let mut stack: Vec<(String, usize)> = Vec::new();
        let mut words: Vec<Word> = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'#' => {
                    while i < bytes.len() && bytes[i] != b'\n' {
                        i += 1;
                    }
                }
                b if b.is_ascii_whitespace() => i += 1,
                b';' | b'{' => {
                    let open = bytes[i] == b'{';
                    if words.is_empty() {
                        return Err(ParseError::new(
                            format!("nginx: `{}` without a directive name", bytes[i] as char),
                            i..i + 1,
                        ));
                    }
                    let name = words.remove(0);
                    let context = stack.iter().map(|(n, _)| n.clone()).collect();
                    directives.push(Directive {
                        span: name.span.start..i + 1,
                        name: name.text.clone(),
                        args: std::mem::take(&mut words),
                        context,
                    });
                    if open {
                        if stack.len() >= MAX_DEPTH {
                            return Err(ParseError::new(
                                format!("nginx: blocks nested deeper than {MAX_DEPTH} levels"),
                                i..i + 1,
                            ));
                        }
                        stack.push((name.text, i));
                    }
                    i += 1;
                }
                b'}' => {
                    if !words.is_empty() {
                        let w = &words[0];
                        return Err(ParseError::new(
                            format!("nginx: directive `{}` is missing its `;`", w.text),
                            w.span.clone(),
                        ));
                    }
                    if stack.pop().is_none() {
                        return Err(ParseError::new("nginx: unexpected `}`", i..i + 1));
                    }
                    i += 1;
                }
                q @ (b'"' | b'\'') => {
                    let start = i;
                    i += 1;
                    let mut value = String::new();
                    loop {
                        match bytes.get(i) {
                            None => {
                                return Err(ParseError::new(
                                    "nginx: unterminated quoted string",
                                    start..start + 1,
                                ))
                            }
                            Some(b'\\') if i + 1 < bytes.len() => {
                                let ch = text[i + 1..].chars().next().unwrap_or('\\');
                                value.push(ch);
                                i += 1 + ch.len_utf8();
                            }
                            Some(&b) if b == q => {
                                i += 1;
                                break;
                            }
                            Some(_) => {
                                let ch = text[i..].chars().next().unwrap_or(' ');
                                value.push(ch);
                                i += ch.len_utf8();
                            }
                        }
                    }
                    words.push(Word {
                        text: value,
                        span: start..i,
                    });
                }
                _ => {
                    let start = i;
                    while i < bytes.len()
                        && !bytes[i].is_ascii_whitespace()
                        && !matches!(bytes[i], b';' | b'{' | b'}' | b'"' | b'\'')
                    {
                        i += 1;
                    }
                    words.push(Word {
                        text: text[start..i].to_string(),
                        span: start..i,
                    });
                }
            }
        }
        if let Some(w) = words.first() {
            return Err(ParseError::new(
                format!("nginx: directive `{}` is missing its `;`", w.text),
                w.span.clone(),
            ));
        }
        if let Some((name, at)) = stack.pop() {
            return Err(ParseError::new(
                format!("nginx: block `{name}` is not closed"),
                at..at + 1,
            ));
        }
        Ok(NginxConf { source, directives })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileKind;

    #[test]
    fn directives_and_context() {
        let text = "daemon off;\nhttp {\n  upstream app { ip_hash; server a:80; }\n  # comment ; {\n  log_format main '$remote_addr \"x\"';\n}\n";
        let src = SourceFile::new("nginx.conf", FileKind::Nginx, text.into());
        let c = NginxConf::parse(&src).expect("valid");
        let names: Vec<_> = c.directives.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "daemon",
                "http",
                "upstream",
                "ip_hash",
                "server",
                "log_format"
            ]
        );
        let ip = &c.directives[3];
        assert_eq!(ip.context, ["http", "upstream"]);
        assert_eq!(&text[ip.span.clone()], "ip_hash;");
        assert_eq!(c.directives[5].args[1].text, "$remote_addr \"x\"");
    }

    #[test]
    fn errors() {
        for bad in ["http {\n", "}", "listen 80", "a 'b;"] {
            let src = SourceFile::new("nginx.conf", FileKind::Nginx, bad.into());
            assert!(NginxConf::parse(&src).is_err(), "{bad}");
        }
    }

    #[test]
    fn deep_nesting_is_an_error() {
        // Found by a hand-written fuzz input: 5000 nested blocks took seconds and hundreds of MB.
        let deep = SourceFile::new("nginx.conf", FileKind::Nginx, "a {".repeat(5000));
        let err = NginxConf::parse(&deep).err().expect("too deep");
        assert!(err.message.contains("nested deeper"), "{}", err.message);
        let ok = format!("{}{}", "a {".repeat(MAX_DEPTH), "}".repeat(MAX_DEPTH));
        let ok = SourceFile::new("nginx.conf", FileKind::Nginx, ok);
        assert_eq!(
            NginxConf::parse(&ok).map(|c| c.directives.len()),
            Ok(MAX_DEPTH)
        );
    }
}
