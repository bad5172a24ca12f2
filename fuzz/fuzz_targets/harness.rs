//! The fuzz harnesses, one function per target, with the invariants they check: no panic, and
//! every span a parser hands out lies within the text it was given (so rules can slice with it
//! and findings can point at it). Shared by the cargo-fuzz targets beside this file and by the
//! main crate's `tests/fuzz_regressions.rs`, which replays `fuzz/regressions/<target>/*`.

#![allow(dead_code)]

use std::ops::Range;
use std::sync::OnceLock;

use twelve_check::engine;
use twelve_check::registry::RuleId;
use twelve_check::source::compose::ComposeFile;
use twelve_check::source::depth;
use twelve_check::source::dockerfile::{self, DockerFile};
use twelve_check::source::dotenv::DotenvFile;
use twelve_check::source::k8s::{self, K8sFile};
use twelve_check::source::nginx::NginxConf;
use twelve_check::source::procfile::Procfile;
use twelve_check::source::run::{self, Origin, RunCommand};
use twelve_check::source::rust::RustFile;
use twelve_check::source::shell::{self, Command, Word};
use twelve_check::source::structured::StructuredFile;
use twelve_check::source::{FileKind, SourceFile};
use twelve_check::Settings;

/// The targets, as named in `fuzz/Cargo.toml` and `fuzz/regressions/`.
pub const TARGETS: &[&str] = &[
    "dockerfile",
    "procfile",
    "compose_k8s",
    "dotenv",
    "nginx",
    "shell",
    "pipeline",
    "yaml_json",
    "rust_nesting",
];

/// Runs the harness of `target` on `data`; `false` for an unknown target.
pub fn run_target(target: &str, data: &[u8]) -> bool {
    match target {
        "dockerfile" => dockerfile(data),
        "procfile" => procfile(data),
        "compose_k8s" => compose_k8s(data),
        "dotenv" => dotenv(data),
        "nginx" => nginx(data),
        "shell" => shell(data),
        "pipeline" => pipeline(data),
        "yaml_json" => yaml_json(data),
        "rust_nesting" => rust_nesting(data),
        _ => return false,
    }
    true
}

/// Text from fuzz bytes: invalid UTF-8 replaced, as the engine does for unknown kinds.
pub fn text(data: &[u8]) -> String {
    String::from_utf8_lossy(data).into_owned()
}

/// `span` is ordered and ends within `len`.
pub fn span_in(span: &Range<usize>, len: usize, what: &str) {
    assert!(
        span.start <= span.end && span.end <= len,
        "{what}: span {span:?} outside 0..{len}"
    );
}

/// `span` is ordered, within `text`, and on character boundaries (so `&text[span]` is safe).
pub fn slice_ok(span: &Range<usize>, text: &str, what: &str) {
    span_in(span, text.len(), what);
    assert!(
        text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
        "{what}: span {span:?} not on char boundaries"
    );
}

/// Words within `lo..hi`.
pub fn words_in(words: &[Word], lo: usize, hi: usize, what: &str) {
    for w in words {
        assert!(
            lo <= w.span.start && w.span.start <= w.span.end && w.span.end <= hi,
            "{what}: word {w:?} outside {lo}..{hi}"
        );
    }
}

/// Every command, word, assignment and redirect target within `lo..hi`.
pub fn commands_in(cmds: &[Command], lo: usize, hi: usize, what: &str) {
    for c in cmds {
        assert!(
            lo <= c.span.start && c.span.start <= c.span.end && c.span.end <= hi,
            "{what}: command span {:?} outside {lo}..{hi}",
            c.span
        );
        words_in(&c.words, lo, hi, what);
        words_in(&c.env, lo, hi, what);
        for r in &c.redirects {
            words_in(std::slice::from_ref(&r.target), lo, hi, what);
        }
        // Exercise the accessors the rules use.
        let _ = (c.program(), c.args(), c.has_word("sh"));
    }
}

/// The Dockerfile model: parse, variables, stages, RUN scripts, start commands, copies, and the
/// run commands and entry scripts taken from it.
pub fn dockerfile(data: &[u8]) {
    let source = SourceFile::new("Dockerfile", FileKind::Dockerfile, text(data));
    let text = &source.text;
    let len = text.len();
    let file = match DockerFile::parse(&source) {
        Ok(f) => f,
        Err(e) => {
            span_in(&e.span, len, "parse error");
            return;
        }
    };
    for v in file.vars() {
        slice_ok(&v.span, text, "var");
    }
    let args = file.global_args();
    let stages = file.stages();
    for s in &stages {
        slice_ok(&s.image_span, text, "stage image");
        assert!(
            s.parent.is_none_or(|p| p < stages.len()),
            "parent out of range"
        );
        let _ = dockerfile::split_image(s.image);
        if let Some(r) = &s.resolved {
            let _ = dockerfile::split_image(r);
        }
        let _ = dockerfile::expand(s.image, &args);
    }
    for i in file.final_chain() {
        assert!(i < stages.len(), "final chain index {i} out of range");
    }
    for r in file.run_scripts() {
        span_in(&r.span, len, "RUN");
        commands_in(&r.commands, 0, len, "RUN commands");
    }
    for s in file.start_commands() {
        span_in(&s.span, len, "start command");
        commands_in(&s.commands, 0, len, "start commands");
    }
    let _ = file.copies();
    for r in run::from_dockerfile(&file) {
        span_in(&r.span, len, "run command");
        commands_in(&r.commands, 0, len, "run commands");
    }
    let _ = run::entry_scripts(&file, &|_| true);
    let _ = run::entry_scripts(&file, &|_| false);
}

/// The Procfile parser and its run commands.
pub fn procfile(data: &[u8]) {
    let source = SourceFile::new("Procfile", FileKind::Procfile, text(data));
    let text = &source.text;
    let len = text.len();
    let file = match Procfile::parse(&source) {
        Ok(f) => f,
        Err(e) => {
            span_in(&e.span, len, "parse error");
            return;
        }
    };
    for p in &file.processes {
        slice_ok(&p.name_span, text, "name");
        slice_ok(&p.command_span, text, "command");
        commands_in(&p.commands, 0, len, "commands");
    }
    for r in run::from_procfile(&file) {
        span_in(&r.span, len, "run command");
        commands_in(&r.commands, 0, len, "run commands");
        let _ = (r.is_web(), r.leading().len());
    }
}

/// YAML text → `StructuredFile` → compose and Kubernetes models → run commands.
pub fn compose_k8s(data: &[u8]) {
    let source = SourceFile::new("k8s/docker-compose.yml", FileKind::Yaml, text(data));
    let text = &source.text;
    let len = text.len();
    let _ = k8s::is_helm_template(&source.path, text);
    let file = match StructuredFile::parse(&source) {
        Ok(f) => f,
        Err(e) => {
            span_in(&e.span, len, "parse error");
            return;
        }
    };
    for e in file.entries() {
        let _ = e.key();
    }
    if let Some(compose) = ComposeFile::from_structured(&file) {
        for s in &compose.services {
            span_in(&s.name_span, len, "service name");
            for c in [&s.command, &s.entrypoint].into_iter().flatten() {
                span_in(&c.span, len, "compose command");
                commands_in(&c.commands, 0, len, "compose commands");
            }
            for e in &s.environment {
                span_in(&e.span, len, "environment");
            }
            for p in &s.ports {
                span_in(&p.span, len, "port");
            }
        }
        for r in run::from_compose(&compose) {
            span_in(&r.span, len, "compose run");
            commands_in(&r.commands, 0, len, "compose run commands");
        }
    }
    if let Some(objects) = K8sFile::from_structured(&file) {
        for o in &objects.objects {
            span_in(&o.kind_span, len, "kind");
            let _ = (o.is_long_running(), o.is_one_off());
            for c in &o.containers {
                if let Some(cmd) = &c.command {
                    span_in(&cmd.span, len, "container command");
                    commands_in(&cmd.commands, 0, len, "container commands");
                }
                for e in &c.env {
                    span_in(&e.span, len, "env");
                }
            }
        }
        for r in run::from_k8s(&objects) {
            span_in(&r.span, len, "k8s run");
            commands_in(&r.commands, 0, len, "k8s run commands");
        }
    }
}

/// The `.env` parser.
pub fn dotenv(data: &[u8]) {
    let source = SourceFile::new(".env", FileKind::Dotenv, text(data));
    let text = &source.text;
    let file = DotenvFile::parse(&source);
    for e in &file.entries {
        slice_ok(&e.key_span, text, "key");
        slice_ok(&e.value_span, text, "value");
        assert_eq!(
            &text[e.key_span.clone()],
            e.key,
            "key span does not hold the key"
        );
    }
}

/// The nginx configuration parser.
pub fn nginx(data: &[u8]) {
    let source = SourceFile::new("nginx.conf", FileKind::Nginx, text(data));
    let text = &source.text;
    let len = text.len();
    let file = match NginxConf::parse(&source) {
        Ok(f) => f,
        Err(e) => {
            span_in(&e.span, len, "parse error");
            return;
        }
    };
    for d in &file.directives {
        slice_ok(&d.span, text, "directive");
        words_in(&d.args, 0, len, "args");
    }
}

/// The shell-command splitter and `RunCommand::from_shell`.
pub fn shell(data: &[u8]) {
    // The first byte picks the base offset, so offsets other than 0 are checked too.
    let (base, rest) = match data.split_first() {
        Some((b, rest)) => (usize::from(*b) * 3, rest),
        None => (0, data),
    };
    let script = text(rest);
    let hi = base + script.len();
    let cmds = shell::split(&script, base);
    commands_in(&cmds, base, hi, "split");
    for c in &cmds {
        assert!(c.depth <= 64, "depth {} runaway", c.depth);
    }

    let run = RunCommand::from_shell(Origin::Script, &script);
    commands_in(&run.commands, 0, script.len(), "from_shell");
    let _ = (run.top_level().count(), run.is_web(), run.leading().len());
    for c in &run.commands {
        let _ = RunCommand::chained(c);
    }

    // Exec form: the words of the split script as a JSON-array command line.
    let words: Vec<Word> = cmds.into_iter().flat_map(|c| c.words).collect();
    // With no words there is no position: the command sits at 0..0.
    let lo = if words.is_empty() { 0 } else { base };
    let exec = shell::from_words(words);
    commands_in(&exec, lo, hi, "from_words");
}

/// File names covering every parser and file kind; the pipeline input's first byte picks one.
pub const NAMES: &[&str] = &[
    "Dockerfile",
    "Procfile",
    "docker-compose.yml",
    "k8s/deploy.yaml",
    ".env",
    "nginx.conf",
    "Cargo.toml",
    "package.json",
    "pyproject.toml",
    "requirements.txt",
    "src/main.rs",
    "entrypoint.sh",
    "app.json",
    "config.toml",
    "Pipfile",
    "go.mod",
    "Gemfile",
    "haproxy.cfg",
    "main.tf",
    "bin/start",
    "docker-compose.prod.yaml",
    "charts/app/templates/deployment.yaml",
    "src/lib.rs",
    "config/settings.py",
];

fn settings() -> &'static Settings {
    static S: OnceLock<Settings> = OnceLock::new();
    // Every rule, the ones off by default included.
    S.get_or_init(|| Settings::for_rules(RuleId::ALL))
}

/// The whole per-file pipeline (`engine::check_bytes`: decode, parse once, every rule,
/// suppressions), with the file name picked by the first input byte.
pub fn pipeline(data: &[u8]) {
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    let rel = NAMES[usize::from(pick) % NAMES.len()];
    let findings = engine::check_bytes(rel, bytes, settings());
    for f in &findings {
        assert_eq!(f.rel_path, rel);
        assert!(f.line >= 1 && f.column >= 1, "{f:?}: line/column below 1");
        assert!(
            (f.end_line, f.end_column) >= (f.line, f.column),
            "{f:?}: end before start"
        );
        if let Some(text) = &f.source {
            slice_ok(&f.span, text, f.code());
        } else {
            span_in(&f.span, bytes.len(), f.code());
        }
    }
}

/// Names for [`yaml_json`]: the first input byte picks the kind.
pub const STRUCTURED_NAMES: &[&str] = &["a.yaml", "a.json", "a.toml", "Cargo.toml"];

/// The structured path (YAML, JSON, TOML): the depth bound before any tree, the event reader,
/// the flow-collection fallback. With a small limit (first byte picks 1..=64), a file accepted
/// is no deeper than the limit, and every entry's span is a slice of the text.
pub fn yaml_json(data: &[u8]) {
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    let name = STRUCTURED_NAMES[usize::from(pick) % STRUCTURED_NAMES.len()];
    let limit = 1 + usize::from(pick / 4) % 64;
    let source = SourceFile::new(name, FileKind::classify(name), text(bytes));
    let text = &source.text;
    match StructuredFile::parse_bounded(&source, limit) {
        Ok(file) => {
            let deepest = file.docs().map(node_depth).max().unwrap_or(0);
            assert!(deepest <= limit, "depth {deepest} over the limit {limit}");
            for e in file.entries() {
                slice_ok(&e.span, text, "entry");
                let _ = e.key();
            }
        }
        Err(e) => span_in(&e.span, text.len(), "parse error"),
    }
    // The default limit on the same text.
    if let Ok(file) = StructuredFile::parse(&source) {
        for e in file.entries() {
            slice_ok(&e.span, text, "entry");
        }
    }
}

/// Depth of a node: collections count one level each (iterative).
fn node_depth(node: twelve_check::source::structured::Node<'_>) -> usize {
    use twelve_check::source::structured::Node;
    let mut max = 0;
    let mut todo = vec![(node, 0usize)];
    while let Some((n, d)) = todo.pop() {
        match n {
            Node::Map(kv) => todo.extend(kv.iter().map(|(_, v)| (v, d + 1))),
            Node::Seq(items) => todo.extend(items.iter().map(|v| (v, d + 1))),
            _ => max = max.max(d),
        }
        if matches!(n, Node::Map(_) | Node::Seq(_)) {
            max = max.max(d + 1);
        }
    }
    max
}

/// The Rust nesting guard and syn: no crash, no stack overflow. The libFuzzer thread has the
/// default main-thread stack (8 MiB, an eighth of the engine's workers), and the limit here is
/// the default: a file the guard accepts must parse, be visited and dropped within it. The first
/// byte picks a repetition count; an input `prefix NUL open NUL middle NUL close NUL suffix`
/// becomes `prefix open×n middle close×n suffix` (deep shapes: `if `, `(`, `|x| `, `A<x, `...),
/// any other input is repeated whole.
pub fn rust_nesting(data: &[u8]) {
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    let unit = text(bytes);
    let times = 1 + usize::from(pick) * 16;
    let parts: Vec<&str> = unit.split('\u{0}').collect();
    let body = match parts.as_slice() {
        [pre, open, mid, close, post] => format!(
            "{pre}{}{mid}{}{post}",
            open.repeat(times),
            close.repeat(times)
        ),
        _ => unit.repeat(times.min(8)),
    };
    // On a thread with the engine workers' stack, as `engine::check` runs syn.
    let worker = std::thread::Builder::new()
        .stack_size(64 * 1024 * 1024)
        .spawn(move || rust_nesting_body(body))
        .expect("spawn a thread");
    if let Err(panic) = worker.join() {
        std::panic::resume_unwind(panic);
    }
}

fn rust_nesting_body(body: String) {
    let source = SourceFile::new("src/main.rs", FileKind::Rust, body);
    let len = source.text.len();
    if let Ok(tokens) = source.text.parse::<proc_macro2::TokenStream>() {
        let _ = depth::rust_depth(&tokens, engine::MAX_NESTING);
    }
    match RustFile::parse_bounded(&source, false, engine::MAX_NESTING) {
        Ok(file) => {
            for l in &file.lits {
                span_in(&l.span, len, "literal");
            }
        }
        Err(e) => span_in(&e.span, len, "parse error"),
    }
    proc_macro2::extra::invalidate_current_thread_spans();
}
