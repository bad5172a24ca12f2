//! Dockerfiles, parsed with the `parse-dockerfile` crate (correct lines, heredocs, escape
//! directive), plus the `ENV`/`ARG` key/value split that crate leaves to its users.

use std::collections::HashMap;
use std::ops::Range;

use parse_dockerfile::{Command as DockerCommand, Dockerfile, Instruction, Source};

use super::shell::{self, Command, Word};
use super::{ParseError, SourceFile};

/// A parsed Dockerfile.
pub struct DockerFile<'a> {
    /// The file's text and path.
    pub source: &'a SourceFile,
    /// The parsed instructions.
    pub doc: Dockerfile<'a>,
}

/// `text` with each line that is exactly `ENTRYPOINT []` or `CMD []` (any case, any spaces)
/// commented out in place; `None` when there is none.
fn cleared_exec_forms(text: &str) -> Option<String> {
    let mut out: Option<String> = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let t = line.trim();
        let Some((keyword, rest)) = t.split_once(|c: char| c.is_whitespace() || c == '[') else {
            continue;
        };
        let rest = if t.as_bytes().get(keyword.len()) == Some(&b'[') {
            &t[keyword.len()..]
        } else {
            rest
        };
        let empty = rest
            .trim()
            .strip_prefix('[')
            .and_then(|r| r.strip_suffix(']'));
        if (keyword.eq_ignore_ascii_case("entrypoint") || keyword.eq_ignore_ascii_case("cmd"))
            && empty.is_some_and(|inner| inner.trim().is_empty())
        {
            let at = start + (line.len() - line.trim_start().len());
            let o = out.get_or_insert_with(|| text.to_string());
            o.replace_range(at..at + 1, "#");
        }
    }
    out
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
    /// Parses `source`. `ENTRYPOINT []` and `CMD []`, which clear what the base image set and
    /// which BuildKit accepts, are refused by parse-dockerfile; they are read as absent (the
    /// keyword turned into a comment, same length, so spans hold), and rules judge the stage's
    /// remaining `CMD` as what it runs.
    pub fn parse(source: &'a SourceFile) -> Result<Self, ParseError> {
        let text: &'a str = match cleared_exec_forms(&source.text) {
            Some(t) => source.parse_text.get_or_init(|| t).as_str(),
            None => &source.text,
        };
        let doc = parse_dockerfile::parse(text).map_err(|e| {
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

/// One build stage.
pub struct Stage<'d, 'a> {
    /// Position among the stages.
    pub index: usize,
    /// `AS name`, lower-cased (stage names are case-insensitive).
    pub name: Option<String>,
    /// The `FROM` image as written.
    pub image: &'d str,
    /// The image with global `ARG` defaults substituted; `None` when a variable has no default.
    pub resolved: Option<String>,
    /// Byte range of the image in `FROM`.
    pub image_span: Range<usize>,
    /// The earlier stage this one is built `FROM`, if any.
    pub parent: Option<usize>,
    /// The instructions after `FROM`.
    pub instructions: &'d [Instruction<'a>],
}

/// A `RUN` instruction's script split into commands (shell form, exec form and heredocs).
pub struct RunScript {
    /// The stage holding it.
    pub stage: usize,
    /// Byte range of the `RUN` keyword to the end of its arguments.
    pub span: Range<usize>,
    /// The commands.
    pub commands: Vec<Command>,
}

/// The command a container of the final stage starts with.
pub struct StartCommand {
    /// `ENTRYPOINT` or `CMD`.
    pub instruction: &'static str,
    /// Shell form (run by `/bin/sh -c`).
    pub shell_form: bool,
    /// Byte range of the arguments.
    pub span: Range<usize>,
    /// The commands.
    pub commands: Vec<Command>,
}

impl<'a> DockerFile<'a> {
    /// Global `ARG` defaults (those before the first `FROM`), used to resolve `FROM` lines.
    pub fn global_args(&self) -> HashMap<String, String> {
        let mut out = HashMap::new();
        for ins in &self.doc.instructions {
            match ins {
                Instruction::Arg(a) => {
                    let raw = &self.source.text[a.arguments.span.clone()];
                    let mut vars = Vec::new();
                    split_vars(raw, a.arguments.span.start, "ARG", &mut vars);
                    for v in vars {
                        if let Some(value) = v.value {
                            out.insert(v.key, value);
                        }
                    }
                }
                Instruction::From(_) => break,
                _ => {}
            }
        }
        out
    }

    /// The build stages in order, with names, resolved images and parent stages.
    pub fn stages(&self) -> Vec<Stage<'_, 'a>> {
        let args = self.global_args();
        let mut out: Vec<Stage<'_, 'a>> = Vec::new();
        // The latest stage of each name: a lookup per stage, not a scan (thousands of stages).
        let mut named: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
        for (index, st) in self.doc.stages().enumerate() {
            let image: &str = &st.from.image.value;
            let resolved = expand(image, &args);
            let lower = resolved.as_deref().map(str::to_ascii_lowercase);
            let parent = lower.as_deref().and_then(|l| named.get(l).copied());
            if let Some((_, n)) = &st.from.as_ {
                named.insert(n.value.to_ascii_lowercase(), index);
            }
            out.push(Stage {
                index,
                name: st
                    .from
                    .as_
                    .as_ref()
                    .map(|(_, n)| n.value.to_ascii_lowercase()),
                image,
                resolved,
                image_span: st.from.image.span.clone(),
                parent,
                instructions: st.instructions,
            });
        }
        out
    }

    /// The stages the final image is made of: the last stage and the stages it is built from,
    /// last first.
    pub fn final_chain(&self) -> Vec<usize> {
        let stages = self.stages();
        let mut chain = Vec::new();
        let mut seen = vec![false; stages.len()];
        let mut at = stages.len().checked_sub(1);
        while let Some(i) = at {
            if std::mem::replace(&mut seen[i], true) {
                break;
            }
            chain.push(i);
            at = stages[i].parent;
        }
        chain
    }

    /// Every `RUN` instruction split into commands.
    pub fn run_scripts(&self) -> Vec<RunScript> {
        let mut out = Vec::new();
        for (stage, st) in self.doc.stages().enumerate() {
            for ins in st.instructions {
                let Instruction::Run(r) = ins else { continue };
                let mut commands = command_of(&r.arguments, &self.source.text);
                for h in &r.here_docs {
                    // The heredoc body starts after its first line (the delimiter line).
                    let body = &self.source.text[h.span.clone()];
                    let skip = body.find('\n').map_or(0, |n| n + 1);
                    commands.extend(shell::split(&body[skip..], h.span.start + skip));
                }
                let end = match &r.arguments {
                    DockerCommand::Exec(e) => e.span.end,
                    DockerCommand::Shell(s) => s.span.end,
                    _ => r.run.span.end,
                };
                out.push(RunScript {
                    stage,
                    span: r.run.span.start..end,
                    commands,
                });
            }
        }
        out
    }

    /// The effective `ENTRYPOINT` and `CMD` of the final image (the last of each along the final
    /// stage chain), `ENTRYPOINT` first.
    pub fn start_commands(&self) -> Vec<StartCommand> {
        let stages = self.stages();
        let mut entry: Option<StartCommand> = None;
        let mut cmd: Option<StartCommand> = None;
        for i in self.final_chain() {
            for ins in stages[i].instructions.iter().rev() {
                let (name, args, slot) = match ins {
                    Instruction::Entrypoint(e) => ("ENTRYPOINT", &e.arguments, &mut entry),
                    Instruction::Cmd(c) => ("CMD", &c.arguments, &mut cmd),
                    _ => continue,
                };
                if slot.is_some() {
                    continue;
                }
                let span = match args {
                    DockerCommand::Exec(e) => e.span.clone(),
                    DockerCommand::Shell(s) => s.span.clone(),
                    _ => continue,
                };
                *slot = Some(StartCommand {
                    instruction: name,
                    shell_form: matches!(args, DockerCommand::Shell(_)),
                    span,
                    commands: command_of(args, &self.source.text),
                });
            }
        }
        entry.into_iter().chain(cmd).collect()
    }

    /// Paths copied into the image by `COPY`/`ADD` (not `--from` another stage), with the
    /// destination: `(source, destination)`. A relative destination is resolved against the
    /// `WORKDIR` in effect (`COPY . .` after `WORKDIR /app` gives `/app/`).
    pub fn copies(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let mut workdir = String::from("/");
        for ins in &self.doc.instructions {
            let (options, src, dest) = match ins {
                Instruction::Copy(c) => (&c.options, &c.src, &c.dest),
                Instruction::Add(a) => (&a.options, &a.src, &a.dest),
                Instruction::From(_) => {
                    workdir = String::from("/");
                    continue;
                }
                Instruction::Workdir(w) => {
                    let dir = w.arguments.value.trim_end_matches('/');
                    workdir = if dir.starts_with('/') {
                        format!("{dir}/")
                    } else {
                        format!("{workdir}{dir}/")
                    };
                    continue;
                }
                _ => continue,
            };
            let dest = if dest.value.starts_with('/') || dest.value.starts_with('$') {
                dest.value.to_string()
            } else {
                let rel = dest.value.trim_start_matches("./");
                let rel = if rel == "." { "" } else { rel };
                format!("{workdir}{rel}")
            };
            if options.iter().any(|f| f.name.value == "from") {
                continue;
            }
            for s in src {
                if let Source::Path(p) = s {
                    out.push((p.value.to_string(), dest.clone()));
                }
            }
        }
        out
    }
}

fn command_of(args: &DockerCommand<'_>, text: &str) -> Vec<Command> {
    match args {
        DockerCommand::Shell(s) => {
            let raw = text.get(s.span.clone()).unwrap_or("");
            shell::split(raw, s.span.start)
        }
        DockerCommand::Exec(e) => shell::from_words(
            e.value
                .iter()
                .map(|w| Word {
                    text: w.value.to_string(),
                    span: w.span.clone(),
                })
                .collect(),
        ),
        _ => Vec::new(),
    }
}

/// Substitutes `$VAR`, `${VAR}`, `${VAR:-default}` and `${VAR-default}` from `vars`; `None` when a
/// variable is unknown and has no default.
pub fn expand(s: &str, vars: &HashMap<String, String>) -> Option<String> {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let (name, default, len) = if let Some(body) = after.strip_prefix('{') {
            let end = body.find('}')?;
            let inner = &body[..end];
            match inner.split_once(":-").or_else(|| inner.split_once('-')) {
                Some((n, d)) => (n, Some(d), end + 2),
                None => (inner, None, end + 2),
            }
        } else {
            let end = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            (&after[..end], None, end)
        };
        match vars.get(name).map(String::as_str).or(default) {
            Some(v) => out.push_str(v),
            None => return None,
        }
        rest = &after[len..];
    }
    out.push_str(rest);
    Some(out)
}

/// Splits an image reference into (name, tag, digest): `rust:1.80-slim@sha256:..` →
/// (`rust`, `Some("1.80-slim")`, `Some("sha256:..")`). A registry port is not a tag.
pub fn split_image(image: &str) -> (&str, Option<&str>, Option<&str>) {
    let (rest, digest) = match image.split_once('@') {
        Some((r, d)) => (r, Some(d)),
        None => (image, None),
    };
    let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
    match rest[last_slash..].rfind(':') {
        Some(c) => (
            &rest[..last_slash + c],
            Some(&rest[last_slash + c + 1..]),
            digest,
        ),
        None => (rest, None, digest),
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
    fn cleared_entrypoint_is_not_a_syntax_error() {
        let text = "FROM nginx:1.27\nENTRYPOINT []\n  cmd [ ]\nENTRYPOINT[]\nCMD [\"nginx\", \"-g\", \"daemon off;\"]\n";
        let src = SourceFile::new("Dockerfile", FileKind::Dockerfile, text.into());
        let df = DockerFile::parse(&src).expect("BuildKit accepts it");
        let cmd = df.start_commands();
        assert_eq!(cmd.len(), 1);
        // Spans still index the file as written.
        assert_eq!(
            &text[cmd[0].span.clone()],
            "[\"nginx\", \"-g\", \"daemon off;\"]"
        );
        assert!(cleared_exec_forms("FROM a\nENTRYPOINT [\"x\"]\nRUN echo []\n").is_none());
    }

    #[test]
    fn stages_and_commands() {
        let text = "ARG RUST=1.80\nFROM rust:${RUST} AS Build\nRUN cargo build --release && \\\n    strip app\nCMD [\"./x\"]\nFROM build AS dev\nCOPY entry.sh /usr/local/bin/\nENTRYPOINT [\"entry.sh\"]\nCMD ./app --port 80\n";
        let src = SourceFile::new("Dockerfile", FileKind::Dockerfile, text.into());
        let f = DockerFile::parse(&src).expect("valid");
        let st = f.stages();
        assert_eq!(st.len(), 2);
        assert_eq!(st[0].resolved.as_deref(), Some("rust:1.80"));
        assert_eq!(st[0].name.as_deref(), Some("build"));
        assert_eq!(st[1].parent, Some(0));
        assert_eq!(f.final_chain(), [1, 0]);
        let runs = f.run_scripts();
        assert_eq!(runs[0].commands.len(), 2);
        assert_eq!(runs[0].commands[1].program(), Some("strip"));
        let start = f.start_commands();
        assert_eq!(start.len(), 2);
        assert_eq!(start[0].instruction, "ENTRYPOINT");
        assert!(start[1].shell_form);
        assert_eq!(&text[start[1].commands[0].words[0].span.clone()], "./app");
        assert_eq!(f.copies(), [("entry.sh".into(), "/usr/local/bin/".into())]);
        assert_eq!(split_image("reg:5000/a/b"), ("reg:5000/a/b", None, None));
        assert_eq!(
            split_image("rust:1.80@sha256:ab"),
            ("rust", Some("1.80"), Some("sha256:ab"))
        );
    }

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
