//! The `twelve-check` binary: parses the command line, calls the library, writes the output and
//! maps the result to an exit code (0 clean, 1 findings, 2 usage/config/I/O error or bug).

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use twelve_check::baseline::Baseline;
use twelve_check::config::{self, Overrides};
use twelve_check::registry::RuleId;
use twelve_check::report::{self, Format, RenderOptions};

// syn allocates and frees a node per token; mimalloc's thread-local free lists make that a
// fraction of glibc's cost (see README, Performance).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use twelve_check::Error;

/// Checks a repository against the Twelve-Factor App methodology.
#[derive(Parser)]
#[command(
    name = "twelve-check",
    version,
    about,
    args_conflicts_with_subcommands = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    check: CheckArgs,
}

#[derive(Subcommand)]
enum Command {
    /// Check paths (the default command).
    Check(Box<CheckArgs>),
    /// List every rule.
    Rules {
        /// Output format.
        #[arg(long, value_enum, default_value_t = RulesFormat::Table)]
        format: RulesFormat,
    },
    /// Print a rule's documentation.
    Explain {
        /// A rule code (TC0301) or name (hardcoded-secret).
        rule: String,
    },
    /// Write a commented `twelve-check.toml` with every setting and its default.
    Init {
        /// Where to write it.
        #[arg(default_value = "twelve-check.toml")]
        path: PathBuf,
        /// Overwrite an existing file.
        #[arg(long)]
        force: bool,
    },
    /// Print a shell completion script.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum RulesFormat {
    Table,
    Json,
    Markdown,
}

#[derive(Clone, Copy, ValueEnum)]
enum OutputFormat {
    Human,
    Concise,
    Json,
    /// SARIF 2.1.0 for GitHub code scanning.
    Sarif,
    /// GitHub Actions annotations (workflow commands).
    Github,
    /// GitLab Code Quality JSON.
    Gitlab,
    /// JUnit XML.
    Junit,
}

#[derive(Clone, Copy, ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, ValueEnum)]
enum FailOn {
    Error,
    Warning,
    Note,
    Never,
}

#[derive(Args, Clone)]
struct CheckArgs {
    /// Files or directories to check.
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,
    /// Output format.
    #[arg(short, long, value_enum, env = "TWELVE_CHECK_FORMAT", default_value_t = OutputFormat::Human)]
    format: OutputFormat,
    /// Write the output to a file instead of stdout.
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Rules to run: codes, names, code prefixes or factor names (replaces the configured set).
    #[arg(long, value_delimiter = ',')]
    select: Option<Vec<String>>,
    /// Rules to run in addition to the selected ones.
    #[arg(long, value_delimiter = ',')]
    extend_select: Vec<String>,
    /// Rules not to run.
    #[arg(long, value_delimiter = ',')]
    ignore: Vec<String>,
    /// Run preview rules too.
    #[arg(long)]
    preview: bool,
    /// Lowest severity that makes the exit code 1 [default: warning].
    #[arg(long, value_enum)]
    fail_on: Option<FailOn>,
    /// Exit 0 even when there are findings.
    #[arg(long)]
    exit_zero: bool,
    /// Configuration file to use instead of discovering one.
    #[arg(long, conflicts_with = "isolated")]
    config: Option<PathBuf>,
    /// Ignore every configuration file (twelve-check.toml, .twelve-check.toml, Cargo.toml
    /// metadata) and every .ignore file; .gitignore and .git/info/exclude are still respected.
    #[arg(long)]
    isolated: bool,
    /// Check tests, examples, benches and build scripts too.
    #[arg(long)]
    include_tests: bool,
    /// Parse every Rust file, also those no enabled rule could fire on (slow; for checking the
    /// prefilter).
    #[arg(long, hide_short_help = true)]
    no_prefilter: bool,
    /// Ignore every inline suppression comment (for audits).
    #[arg(long)]
    no_inline_suppressions: bool,
    /// Do not respect .gitignore and .ignore files.
    #[arg(long)]
    no_ignore: bool,
    /// Report only findings that are not in this baseline file.
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Write every current finding to this baseline file and exit 0.
    #[arg(long, value_name = "FILE")]
    write_baseline: Option<PathBuf>,
    /// Print one line per rule with its number of findings instead of the findings.
    #[arg(long)]
    statistics: bool,
    /// Print the resolved settings (configuration file, rules, severities) and exit.
    #[arg(long)]
    show_settings: bool,
    /// Deepest nesting parsed (Rust, YAML, JSON, TOML, nginx); deeper files get one TC0002 note.
    /// Only this flag can raise it: a configuration file may only lower it [default: 2000].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    max_nesting: Option<u32>,
    /// Worker threads [default: number of cores; at most 4 per core and 256].
    #[arg(short = 'j', long)]
    threads: Option<usize>,
    /// When to use colour (NO_COLOR is honoured).
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
    /// Print only the findings (no summary or scorecard).
    #[arg(short, long)]
    quiet: bool,
    /// Print the configuration file used and timings to stderr.
    #[arg(short, long)]
    verbose: bool,
}

fn main() -> ExitCode {
    std::panic::set_hook(Box::new(|info| {
        eprintln!("twelve-check: internal error, please report it: {info}");
    }));
    match std::panic::catch_unwind(|| {
        let cli = Cli::parse();
        run(cli)
    }) {
        Ok(Ok(code)) => ExitCode::from(code),
        Ok(Err(e)) => {
            eprintln!("{:?}", miette::Report::new(e));
            ExitCode::from(2)
        }
        Err(_) => ExitCode::from(2),
    }
}

fn run(cli: Cli) -> Result<u8, Error> {
    match cli.command {
        Some(Command::Check(args)) => check(*args),
        Some(Command::Rules { format }) => {
            write_stdout(&rules_listing(format));
            Ok(0)
        }
        Some(Command::Init { path, force }) => {
            if !force && twelve_check::walk::entry_exists(&path) {
                return Err(Error::Usage(format!(
                    "{} already exists; use --force to overwrite it",
                    path.display()
                )));
            }
            twelve_check::walk::write_output(&path, config::INIT_TEMPLATE.as_bytes())?;
            eprintln!("twelve-check: wrote {}", path.display());
            Ok(0)
        }
        Some(Command::Completions { shell }) => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            let mut buf = Vec::new();
            clap_complete::generate(shell, &mut cmd, "twelve-check", &mut buf);
            write_stdout(&String::from_utf8_lossy(&buf));
            Ok(0)
        }
        Some(Command::Explain { rule }) => {
            let id = RuleId::lookup(&rule).ok_or_else(|| {
                Error::Usage(format!(
                    "no rule `{rule}`: `twelve-check rules` lists every code and name"
                ))
            })?;
            write_stdout(&twelve_check::docs::rule_page(id.meta()));
            Ok(0)
        }
        None => check(cli.check),
    }
}

/// Baseline files larger than this are not read: 256 MiB.
const BASELINE_LIMIT: u64 = 256 * 1024 * 1024;

fn check(args: CheckArgs) -> Result<u8, Error> {
    let start = std::time::Instant::now();
    let overrides = Overrides {
        select: args.select.clone(),
        extend_select: args.extend_select.clone(),
        ignore: args.ignore.clone(),
        fail_on: args.fail_on.map(|f| {
            match f {
                FailOn::Error => "error",
                FailOn::Warning => "warning",
                FailOn::Note => "note",
                FailOn::Never => "never",
            }
            .to_string()
        }),
        include_tests: args.include_tests,
        no_prefilter: args.no_prefilter,
        preview: args.preview,
        no_inline_suppressions: args.no_inline_suppressions,
        no_ignore: args.no_ignore,
        threads: args.threads,
        max_nesting: args
            .max_nesting
            .map(|n| usize::try_from(n).unwrap_or(usize::MAX)),
        config: args.config.clone(),
        isolated: args.isolated,
    };
    let first = args
        .paths
        .first()
        .cloned()
        .unwrap_or_else(|| PathBuf::from("."));
    let settings = config::load(&first, &overrides)?;
    if args.show_settings {
        write_stdout(&show_settings(&settings));
        return Ok(0);
    }
    if args.verbose {
        match &settings.config_path {
            Some(p) => eprintln!("twelve-check: configuration from {}", p.display()),
            None => eprintln!("twelve-check: no configuration file"),
        }
    }
    let mut report = twelve_check::check(&args.paths, &settings)?;
    if let Some(path) = &args.write_baseline {
        let baseline = Baseline::from_report(&report);
        twelve_check::walk::write_output(path, baseline.to_json().as_bytes())?;
        eprintln!(
            "twelve-check: wrote a baseline of {} finding{} to {}",
            baseline.findings.len(),
            if baseline.findings.len() == 1 {
                ""
            } else {
                "s"
            },
            path.display()
        );
        return Ok(0);
    }
    if let Some(path) = &args.baseline {
        let text =
            twelve_check::walk::read_text(path, BASELINE_LIMIT).map_err(|source| Error::Io {
                path: path.display().to_string(),
                source,
            })?;
        let baseline = Baseline::parse(&text)
            .map_err(|e| Error::Usage(format!("{}: not a baseline file: {e}", path.display())))?;
        baseline.apply(&mut report);
    }
    let color = match args.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => {
            args.output.is_none()
                && std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    let width = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(100);
    let format = match args.format {
        OutputFormat::Human => Format::Human,
        OutputFormat::Concise => Format::Concise,
        OutputFormat::Json => Format::Json,
        OutputFormat::Sarif => Format::Sarif,
        OutputFormat::Github => Format::Github,
        OutputFormat::Gitlab => Format::Gitlab,
        OutputFormat::Junit => Format::Junit,
    };
    let text = if args.statistics {
        statistics(&report, format)
    } else {
        report::render(
            format,
            &report,
            &settings,
            &RenderOptions {
                color,
                width,
                quiet: args.quiet,
            },
        )
    };
    match &args.output {
        Some(path) => twelve_check::walk::write_output(path, text.as_bytes())?,
        None => write_stdout(&text),
    }
    if args.verbose {
        eprintln!(
            "twelve-check: {} files ({} Rust files parsed) in {:.0?}",
            report.files_checked,
            report.rust_parsed,
            start.elapsed()
        );
        let phases: Vec<String> = report
            .phases
            .iter()
            .map(|(name, d)| format!("{name} {d:.0?}"))
            .collect();
        eprintln!("twelve-check: phases: {}", phases.join(", "));
    }
    if args.exit_zero {
        return Ok(0);
    }
    Ok(twelve_check::exit_code(&report, &settings))
}

/// `--statistics`: findings counted per rule, most frequent first (JSON for `-f json`).
fn statistics(report: &twelve_check::Report, format: Format) -> String {
    let mut counts: std::collections::BTreeMap<RuleId, usize> = Default::default();
    for f in &report.findings {
        *counts.entry(f.rule).or_insert(0) += 1;
    }
    let mut rows: Vec<(RuleId, usize)> = counts.into_iter().collect();
    rows.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    if format == Format::Json {
        let v: Vec<serde_json::Value> = rows
            .iter()
            .map(|(r, n)| {
                serde_json::json!({
                    "code": r.code(), "name": r.name(), "factor": r.meta().factor.number(),
                    "severity": report.findings.iter().find(|f| f.rule == *r).map(|f| f.severity.as_str()),
                    "count": n,
                })
            })
            .collect();
        return serde_json::to_string_pretty(&v).unwrap_or_default() + "\n";
    }
    let mut out = String::new();
    for (r, n) in &rows {
        out.push_str(&format!(
            "{n:>5}  {}  {:<36} {}\n",
            r.code(),
            r.name(),
            r.meta().factor.title()
        ));
    }
    let total: usize = rows.iter().map(|r| r.1).sum();
    out.push_str(&format!(
        "{total:>5}  finding{} from {} rule{}\n",
        if total == 1 { "" } else { "s" },
        rows.len(),
        if rows.len() == 1 { "" } else { "s" }
    ));
    out
}

/// `--show-settings`: what the configuration resolved to.
fn show_settings(s: &twelve_check::Settings) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "configuration: {}\n",
        s.config_path
            .as_ref()
            .map_or("(none)".to_string(), |p| p.display().to_string())
    ));
    out.push_str(&format!(
        "fail-on: {}\n",
        s.fail_on.map_or("never", |f| f.as_str())
    ));
    out.push_str(&format!("include-tests: {}\n", s.include_tests));
    out.push_str(&format!("inline suppressions: {}\n", s.inline_suppressions));
    out.push_str(&format!("respect .gitignore: {}\n", s.respect_ignore));
    out.push_str(&format!("exclude: {:?}\n", s.exclude_patterns));
    out.push_str(&format!(
        "per-path-ignores: {} pattern{}\n",
        s.per_path_ignores.len(),
        if s.per_path_ignores.len() == 1 {
            ""
        } else {
            "s"
        }
    ));
    out.push_str(&format!("service frameworks (extra): {:?}\n", s.frameworks));
    out.push_str(&format!("port environment variables: {:?}\n", s.port_env));
    out.push_str(&format!(
        "threads: {}\n",
        if s.threads == 0 {
            "all cores".to_string()
        } else {
            twelve_check::engine::worker_threads(s.threads).to_string()
        }
    ));
    out.push_str(&format!("max file size: {} bytes\n", s.max_file_size));
    out.push_str(&format!("max nesting: {}\n", s.max_nesting));
    out.push_str(&format!("enabled rules ({}):\n", s.enabled.len()));
    for id in &s.enabled {
        let m = id.meta();
        let sev = s.severity.get(id).copied().unwrap_or(m.severity);
        let marks = match (sev != m.severity, m.preview) {
            (true, true) => " (severity overridden, preview)",
            (true, false) => " (severity overridden)",
            (false, true) => " (preview)",
            (false, false) => "",
        };
        out.push_str(&format!(
            "  {} {:<36} {:<8}{marks}\n",
            m.code,
            m.name,
            sev.as_str()
        ));
    }
    out
}

/// Writes to stdout; a closed pipe (`| head`) ends the program cleanly.
fn write_stdout(text: &str) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("twelve-check: cannot write output: {e}");
        std::process::exit(2);
    }
}

fn rules_listing(format: RulesFormat) -> String {
    match format {
        RulesFormat::Markdown => twelve_check::docs::index_page(),
        RulesFormat::Json => {
            let rules: Vec<serde_json::Value> = RuleId::ALL
                .iter()
                .map(|r| {
                    let m = r.meta();
                    serde_json::json!({
                        "code": m.code,
                        "name": m.name,
                        "factor": m.factor.number(),
                        "factor_name": m.factor.name(),
                        "severity": m.severity.as_str(),
                        "preview": m.preview,
                        "summary": m.summary(),
                        "url": m.url(),
                    })
                })
                .collect();
            serde_json::to_string_pretty(&rules).unwrap_or_default() + "\n"
        }
        RulesFormat::Table => {
            let mut out = format!(
                "{:<7} {:<28} {:<22} {:<8} {}\n",
                "code", "name", "factor", "severity", "status"
            );
            for r in RuleId::ALL {
                let m = r.meta();
                out.push_str(&format!(
                    "{:<7} {:<28} {:<22} {:<8} {}\n",
                    m.code,
                    m.name,
                    m.factor.title(),
                    m.severity.as_str(),
                    if m.preview { "preview" } else { "stable" }
                ));
            }
            out
        }
    }
}
