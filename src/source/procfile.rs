//! Procfiles: `name: command` lines (Heroku, Foreman, Honcho, Dokku).
//!
//! Written by hand: the format is one line per process type, and no crate parses it with
//! positions.

use std::ops::Range;

use super::shell::{self, Command};
use super::{ParseError, SourceFile};

/// One process type.
#[derive(Clone, Debug)]
pub struct ProcessType {
    /// The name (`web`, `worker`, `release`).
    pub name: String,
    /// Byte range of the name.
    pub name_span: Range<usize>,
    /// The command line as written.
    pub command: String,
    /// Byte range of the command line.
    pub command_span: Range<usize>,
    /// The command split into simple commands.
    pub commands: Vec<Command>,
}

/// A parsed Procfile.
pub struct Procfile<'a> {
    /// The file's text and path.
    pub source: &'a SourceFile,
    /// Process types in file order.
    pub processes: Vec<ProcessType>,
}

impl<'a> Procfile<'a> {
    /// Parses `source`; a non-blank, non-comment line without `name:` is an error.
    pub fn parse(source: &'a SourceFile) -> Result<Self, ParseError> {
        let mut processes = Vec::new();
        let mut offset = 0;
        for raw in source.text.split_inclusive('\n') {
            let start = offset;
            offset += raw.len();
            let line = raw.trim_end_matches(['\n', '\r']);
            let trimmed = line.trim_start();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            let lead = line.len() - trimmed.len();
            let Some(colon) = trimmed.find(':') else {
                return Err(ParseError::new(
                    "Procfile line is not `name: command`",
                    start + lead..start + line.len(),
                ));
            };
            let name = &trimmed[..colon];
            if name.is_empty()
                || !name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
            {
                return Err(ParseError::new(
                    format!("Procfile process name `{name}` is not alphanumeric"),
                    start + lead..start + lead + colon,
                ));
            }
            let after = &trimmed[colon + 1..];
            let cmd = after.trim();
            let cmd_start = start + lead + colon + 1 + (after.len() - after.trim_start().len());
            processes.push(ProcessType {
                name: name.to_string(),
                name_span: start + lead..start + lead + colon,
                command: cmd.to_string(),
                command_span: cmd_start..cmd_start + cmd.len(),
                commands: shell::split(cmd, cmd_start),
            });
        }
        Ok(Procfile { source, processes })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileKind;

    #[test]
    fn parses_process_types() {
        let src = SourceFile::new(
            "Procfile",
            FileKind::Other,
            "# processes\nweb: ./target/release/app --port $PORT\nrelease: ./migrate && echo done\n".into(),
        );
        let p = Procfile::parse(&src).expect("valid Procfile");
        assert_eq!(p.processes.len(), 2);
        assert_eq!(p.processes[0].name, "web");
        assert_eq!(
            &src.text[p.processes[0].command_span.clone()],
            "./target/release/app --port $PORT"
        );
        assert_eq!(p.processes[1].commands.len(), 2);
        let w = &p.processes[0].commands[0].words[2];
        assert_eq!(&src.text[w.span.clone()], "$PORT");
    }

    #[test]
    fn rejects_garbage() {
        let src = SourceFile::new("Procfile", FileKind::Other, "web ./app\n".into());
        assert!(Procfile::parse(&src).is_err());
    }
}
