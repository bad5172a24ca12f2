//! TC1201: schema migrations run on the start-up path of the process that serves traffic.

use std::collections::{HashMap, HashSet};

use syn::spanned::Spanned;
use syn::Expr;

use crate::registry::RuleId;
use crate::rule::prelude::*;
use crate::rules::common::words;
use crate::rules::f08_concurrency::self_daemonizing::{argv_program, run_argv, trivial_command};
use crate::rules::f09_disposability::missing_sigterm_handling::{
    bin_of, bins_of, chain_root, declared_bins, method_span, server_start, walk, FileHints, Place,
    Sink, BIN,
};
use crate::source::rust::byte_range;
use crate::source::shell::{Sep, Word};

declare_rule! {
    /// ## What it does
    /// Flags a service binary that runs schema migrations on the start-up path of the process
    /// that serves traffic: `sqlx::migrate!(..).run(..)` (and a `Migrator` or `MIGRATOR` static's
    /// `.run(..)`), diesel's `run_pending_migrations` and `embedded_migrations::run`, refinery's
    /// `embedded::migrations::runner().run(..)`, and sea-orm's `Migrator::up(..)` (`fresh`,
    /// `refresh`).
    ///
    /// In run commands of a web process (Procfile `web:`, the final image's `CMD`/`ENTRYPOINT`,
    /// compose `command:`/`entrypoint:`, Kubernetes containers that are not init containers or
    /// Jobs, and the entrypoint scripts a Dockerfile runs), a migration followed by another
    /// long-running command (`&&`, `;`, the next line of a script, `exec "$@"`):
    /// `sqlx migrate run`, `diesel migration run`, `diesel database setup`,
    /// `sea-orm-cli migrate`, `refinery migrate`, `./app migrate`, `python manage.py migrate`,
    /// `django-admin migrate`, `alembic upgrade`, `flask db upgrade`, `rails`/`rake db:migrate`
    /// (`db:prepare`, `db:setup`), `prisma migrate deploy`, `prisma db push`,
    /// `knex migrate:latest`, `sequelize db:migrate`, `typeorm migration:run`, `goose up`,
    /// golang-migrate `migrate -path .. up`, `dbmate up`, `flyway migrate`,
    /// `liquibase update`, `atlas migrate apply`, `php artisan migrate`,
    /// `doctrine:migrations:migrate`, `mix ecto.migrate`, `yoyo apply`, and `npm run migrate`
    /// style package scripts; through `bundle exec`, `npx`, `poetry run`, `gosu`, `tini` and
    /// the like.
    ///
    /// "Start-up path" is decided per crate: from the function holding the migration call, the
    /// rule follows callers by name (up to six levels) to the functions nothing in the crate calls
    /// (`main`, framework hooks), and does the same from each server start-up (see TC0901 for the
    /// servers recognised, plus actix-web, ntex, Rocket's `rocket::build()`/`#[launch]`, loco-rs
    /// and shuttle's `#[shuttle_runtime::main]`). The migration is flagged when both reach the
    /// same entry point of the same binary, or an entry point the rule cannot see the callers of.
    /// In a service crate where no start-up was recognised, a migration reached from the main
    /// binary is flagged.
    ///
    /// Not flagged:
    /// - a separate binary: `src/bin/migrate.rs`, `src/bin/migrate/main.rs`, or a `[[bin]]`
    ///   whose name contains `migrat`;
    /// - a `migrate` subcommand or option: the call (or a call on its way up) sits in a `match`
    ///   arm or an `if` branch whose pattern or condition names `migrat`
    ///   (`Commands::Migrate =>`, `if args.migrate`, `Some("migrate") =>`), unless it is a
    ///   `skip`/`disable`/`no_migrat` switch; or in the arm of another subcommand
    ///   (`Commands::Worker =>`, an enum named `*Command`, `*Cmd` or `Action`) that does not serve
    ///   (`Serve`, `Server`, `Start`, `Run`, `Web`, `Api`, `Http` do);
    /// - in run commands: Procfile `release:` and other non-web process types, Kubernetes Jobs,
    ///   CronJobs and init containers, a command whose only long-running part is the migration
    ///   (a compose `migrate:` service with `command: sqlx migrate run`), commands that author
    ///   or inspect migrations (`sqlx migrate add`, `alembic current`), and a script's
    ///   migration guarded by its own arguments (`if [ "$1" = "migrate" ]`);
    /// - test code, and test helpers outside it (a function or file named `test`, `testing`,
    ///   `fixture`: `setup_test_db`, `src/test_utils.rs`), and library crates.
    ///
    /// Other files consulted: the crate's `Cargo.toml` (is it a service; `[[bin]]` names and
    /// paths) and the other Rust files of the crate (callers and servers); for run commands,
    /// the repository's Dockerfiles decide which shell scripts are entrypoint scripts.
    ///
    /// ## Measured
    /// On the real-world corpus (`benches/realworld/`, 26 repositories, 2026-12-03): 12 findings,
    /// 11 right, 1 wrong, 0 debatable; verdict precision 0.92.
    ///
    /// ## Why is this bad?
    /// Factor XII: admin tasks such as schema migrations run as one-off processes against a
    /// release, not inside the web process. Run at start-up, every web process (and every
    /// restart, and every instance of a scale-out) races to migrate the same database; a slow or
    /// failing migration blocks or crash-loops the whole fleet, and a rollback cannot be done
    /// separately from a deploy.
    ///
    /// ## Example
    /// ```rust
    /// let pool = PgPool::connect(&std::env::var("DATABASE_URL")?).await?;
    /// sqlx::migrate!().run(&pool).await?;
    /// axum::serve(listener, app(pool)).await?;
    /// ```
    ///
    /// Use instead:
    /// ```rust
    /// match cli.command {
    ///     Command::Migrate => sqlx::migrate!().run(&pool).await?,
    ///     Command::Serve => axum::serve(listener, app(pool)).await?,
    /// }
    /// ```
    /// and run `app migrate` as a release step (Procfile `release:`, a Kubernetes Job, a
    /// separate `migrate` binary).
    ///
    /// ## References
    /// - <https://12factor.net/admin-processes>
    pub MigrationsAtStartup {
        code: "TC1201", name: "migrations-at-startup",
        factor: AdminProcesses, severity: Warning, preview: false, since: "0.1.0",
    }
}

const MIGRATION: &str = "migration";
const SERVE: &str = "serve";
const CALL: &str = "call";

/// How far callers are followed up from a migration or a server.
const MAX_DEPTH: usize = 6;

/// Calls too common to be the way to a user function; not recorded.
const COMMON_CALLS: &[&str] = &[
    "unwrap",
    "expect",
    "clone",
    "into",
    "to_string",
    "to_owned",
    "as_str",
    "as_ref",
    "map",
    "map_err",
    "ok",
    "ok_or",
    "ok_or_else",
    "and_then",
    "unwrap_or",
    "unwrap_or_else",
    "unwrap_or_default",
    "iter",
    "collect",
    "len",
    "is_empty",
    "push",
    "get",
    "insert",
    "from",
    "new",
    "default",
    "format",
    "context",
    "with_context",
    "Ok",
    "Err",
    "Some",
    "Box",
    "Arc",
    "await",
    "parse",
    "lock",
    "borrow",
    "as_deref",
    "is_some",
    "is_none",
    "contains",
];

/// What runs migrations at `e`, if anything.
fn migration_call(file: &RustFile, e: &Expr) -> Option<String> {
    match e {
        Expr::MethodCall(m) => {
            let name = m.method.to_string();
            if name == "run_pending_migrations" {
                return Some("diesel `run_pending_migrations`".into());
            }
            if !matches!(name.as_str(), "run" | "run_async") {
                return None;
            }
            let mut recv = &*m.receiver;
            loop {
                match recv {
                    Expr::Await(a) => recv = &a.base,
                    Expr::Try(t) => recv = &t.expr,
                    Expr::Paren(p) => recv = &p.expr,
                    Expr::Reference(r) => recv = &r.expr,
                    _ => break,
                }
            }
            match recv {
                Expr::Macro(mac)
                    if mac
                        .mac
                        .path
                        .segments
                        .last()
                        .is_some_and(|s| s.ident == "migrate") =>
                {
                    return Some("`sqlx::migrate!().run`".into());
                }
                Expr::Path(p) => {
                    let name = p
                        .path
                        .segments
                        .last()
                        .map(|s| s.ident.to_string())
                        .unwrap_or_default();
                    if name.to_ascii_lowercase().contains("migrat") {
                        return Some(format!("`{name}.{}`", m.method));
                    }
                }
                Expr::Call(c) => {
                    if let Expr::Path(p) = &*c.func {
                        let r = file.resolve(&p.path);
                        if r.ends_with("Migrator::new") {
                            return Some("sqlx `Migrator::run`".into());
                        }
                    }
                }
                _ => {}
            }
            let root = chain_root(file, m)?;
            let refinery = root.ends_with("::runner") && root.contains("migrations");
            refinery.then(|| format!("refinery `runner().{}`", m.method))
        }
        Expr::Call(c) => {
            let Expr::Path(p) = &*c.func else {
                return None;
            };
            let r = file.resolve(&p.path);
            let mut segs = r.rsplit("::");
            let last = segs.next().unwrap_or("");
            let owner = segs.next().unwrap_or("");
            if last == "run_pending_migrations" {
                Some("diesel `run_pending_migrations`".into())
            } else if r.contains("embedded_migrations") && matches!(last, "run" | "run_with_output")
            {
                Some(format!("diesel `embedded_migrations::{last}`"))
            } else if owner.ends_with("Migrator") && matches!(last, "up" | "fresh" | "refresh") {
                Some(format!("sea-orm `{owner}::{last}`"))
            } else {
                None
            }
        }
        _ => None,
    }
}

/// Whether a branch (a `match` arm pattern or an `if` condition, as tokens) is a migration
/// command or another subcommand that does not serve.
fn admin_branch(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    let compact: String = lower.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.contains("migrat") {
        return !["skip", "disable", "no_migrat", "nomigrat", "without"]
            .iter()
            .any(|w| compact.contains(w));
    }
    // `Commands::Worker { .. }`, `Some(Cmd::Seed)`, `Action::Import(args)`.
    let mut rest = compact.as_str();
    while let Some(i) = rest.find("::") {
        let owner: String = rest[..i]
            .chars()
            .rev()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        let variant: String = rest[i + 2..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let command = [
            "command",
            "commands",
            "cmd",
            "cmds",
            "subcommand",
            "subcommands",
            "action",
        ]
        .iter()
        .any(|k| owner.ends_with(k));
        if command && !variant.is_empty() {
            let serves = ["serve", "server", "start", "run", "web", "api", "http"]
                .iter()
                .any(|k| variant.contains(k));
            return !serves;
        }
        rest = &rest[i + 2..];
    }
    false
}

/// Test helpers kept outside test code: a function or file named for tests
/// (`setup_test_db`, `src/test_utils.rs`, `src/testing/mod.rs`).
fn test_support(func: &str, path: &str) -> bool {
    let testy = |name: &str| {
        words(name).iter().any(|w| {
            matches!(
                w.as_str(),
                "test" | "tests" | "testing" | "fixture" | "fixtures"
            )
        })
    };
    testy(func)
        || path
            .split('/')
            .any(|part| testy(part.trim_end_matches(".rs")))
}

fn is_admin(place: &Place) -> bool {
    place.branches.iter().any(|b| admin_branch(b))
}

struct MigrationSink<'f, 'c, 'x> {
    file: &'f RustFile<'f>,
    cx: &'c mut RuleCtx<'x>,
    hints: FileHints,
}

impl<'ast> Sink<'ast> for MigrationSink<'_, '_, '_> {
    fn expr(&mut self, e: &Expr, place: &Place) {
        let func = place.func.as_deref().unwrap_or("");
        let admin = u8::from(is_admin(place));
        if let Some(what) = migration_call(self.file, e) {
            let span = match e {
                Expr::MethodCall(m) => byte_range(m.receiver.span()).start..method_span(m).end,
                _ => byte_range(e.span()),
            };
            self.cx
                .fact(MIGRATION, span, format!("{what}\t{func}\t{admin}"));
        }
        if let Some(start) = server_start(self.file, e, place, self.hints) {
            self.cx.fact(SERVE, start.span, format!("{func}\t{admin}"));
        }
        if func.is_empty() {
            return;
        }
        let callee = match e {
            Expr::Call(c) => match &*c.func {
                Expr::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
                _ => None,
            },
            Expr::MethodCall(m) => Some(m.method.to_string()),
            _ => None,
        };
        if let Some(callee) = callee {
            if callee != func && !COMMON_CALLS.contains(&callee.as_str()) {
                self.cx.fact(
                    CALL,
                    byte_range(e.span()),
                    format!("{callee}\t{func}\t{admin}"),
                );
            }
        }
    }

    fn enter_fn(
        &mut self,
        name: &syn::Ident,
        attrs: &'ast [syn::Attribute],
        _block: &'ast syn::Block,
    ) {
        // Entry points a framework calls: Rocket's `#[launch]`, shuttle's `#[shuttle_runtime::main]`.
        let serves = attrs.iter().any(|a| {
            let p: Vec<String> = a
                .path()
                .segments
                .iter()
                .map(|s| s.ident.to_string())
                .collect();
            p.last().is_some_and(|l| l == "launch")
                || (p.len() == 2
                    && p[1] == "main"
                    && (p[0] == "shuttle_runtime" || p[0] == "rocket"))
        });
        if serves {
            self.cx
                .fact(SERVE, byte_range(name.span()), format!("{name}\t0"));
        }
    }
}

impl Rule for MigrationsAtStartup {
    fn inputs(&self) -> Inputs {
        Inputs {
            rust: true,
            structured: true,
            repo: true,
            run: true,
            ..Inputs::default()
        }
    }

    fn check_run(&self, run: &RunCommand, file: &SourceFile, cx: &mut RuleCtx<'_>) {
        self.run_part(run, file, cx);
    }

    fn rust_triggers(&self) -> &'static [&'static str] {
        &[
            "migrat",
            "serve",
            "accept(",
            "incoming(",
            "listen(",
            "disable_signals",
            "shutdown_signal",
            "HttpServer",
            "start_server",
            "rocket",
            "loco_rs",
            "launch",
            "shuttle_runtime",
        ]
    }

    fn crate_scope(&self) -> CrateScope {
        CrateScope::Service
    }

    fn check_rust(&self, file: &RustFile, cx: &mut RuleCtx<'_>) {
        if !cx.is_service() {
            return;
        }
        let mut sink = MigrationSink {
            file,
            hints: FileHints::of(file),
            cx,
        };
        walk(file, &mut sink);
    }

    fn check_structured(&self, file: &StructuredFile, cx: &mut RuleCtx<'_>) {
        for (name, path, span) in declared_bins(file) {
            cx.fact(BIN, span, format!("{name}\t{path}"));
        }
    }

    fn check_repo(&self, repo: &RepoIndex, cx: &mut RepoCtx<'_>) {
        let facts: Vec<&Fact> = repo.facts(RuleId::MigrationsAtStartup).collect();
        if !facts.iter().any(|f| f.kind == MIGRATION) {
            return;
        }
        for krate in repo.crates.iter().filter(|c| c.is_service) {
            let of_crate: Vec<&Fact> = facts
                .iter()
                .copied()
                .filter(|f| f.krate.as_deref() == Some(krate.dir.as_str()))
                .collect();
            let migrations: Vec<&Fact> = of_crate
                .iter()
                .copied()
                .filter(|f| f.kind == MIGRATION)
                .collect();
            if migrations.is_empty() {
                continue;
            }
            let bins = bins_of(&facts, &krate.manifest);
            let graph = Graph::new(krate, &bins, &of_crate);
            let serve_roots: Vec<Root> = of_crate
                .iter()
                .filter(|f| f.kind == SERVE)
                .flat_map(|f| {
                    let mut d = f.detail.split('\t');
                    let func = d.next().unwrap_or("");
                    let admin = d.next() == Some("1");
                    graph.roots(func, &f.path, admin)
                })
                .collect();
            let any_serve = of_crate.iter().any(|f| f.kind == SERVE);
            for m in migrations {
                let mut d = m.detail.split('\t');
                let what = d.next().unwrap_or("");
                let func = d.next().unwrap_or("");
                let admin = d.next() == Some("1");
                let roots = graph.roots(func, &m.path, admin);
                let hit = roots.iter().find(|r| {
                    if any_serve {
                        serve_roots.iter().any(|s| r.meets(s))
                    } else {
                        r.unit.is_none()
                    }
                });
                let Some(root) = hit else {
                    continue;
                };
                let via = if root.func.is_empty() || root.func == func {
                    String::new()
                } else {
                    format!(", reached from `{}`", root.func)
                };
                cx.report(
                    &m.path,
                    Violation::new(
                        m.span.clone(),
                        format!("runs schema migrations ({what}) on the start-up path of the process that serves traffic{via}"),
                    )
                    .label("runs every time a web process starts")
                    .help("run migrations as a one-off admin process: a `migrate` subcommand or binary run as a release step (Procfile `release:`, a Kubernetes Job)"),
                );
            }
        }
    }
}

/// A function the rule could not follow further up: an entry point of a binary (`main`) or a
/// function whose callers it cannot see.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Root {
    func: String,
    /// The binary it belongs to: `None` for the crate's main binary and library, a `src/bin`
    /// or `[[bin]]` name otherwise.
    unit: Option<String>,
    /// Whether it is `main`: a real entry point rather than a function with unseen callers.
    entry: bool,
}

impl Root {
    /// Whether two roots can be the same start-up path.
    fn meets(&self, other: &Root) -> bool {
        let same_unit = self.unit == other.unit
            || (self.unit.is_none() && !self.entry)
            || (other.unit.is_none() && !other.entry);
        same_unit && (self.func == other.func || !self.entry || !other.entry)
    }
}

/// The calls of one crate, by callee name.
struct Graph<'a> {
    crate_dir: &'a str,
    bins: &'a [(String, String)],
    callers: HashMap<&'a str, Vec<(&'a str, &'a str, bool)>>,
}

impl<'a> Graph<'a> {
    fn new(
        krate: &'a crate::engine::CrateInfo,
        bins: &'a [(String, String)],
        facts: &[&'a Fact],
    ) -> Self {
        let mut callers: HashMap<&str, Vec<(&str, &str, bool)>> = HashMap::new();
        for f in facts.iter().filter(|f| f.kind == CALL) {
            let mut d = f.detail.split('\t');
            let (Some(callee), Some(caller)) = (d.next(), d.next()) else {
                continue;
            };
            let admin = d.next() == Some("1");
            callers
                .entry(callee)
                .or_default()
                .push((caller, f.path.as_str(), admin));
        }
        Graph {
            crate_dir: &krate.dir,
            bins,
            callers,
        }
    }

    /// The binary a file of the crate belongs to: `None` for the main binary and the library.
    fn unit(&self, path: &str) -> Option<String> {
        bin_of(self.crate_dir, path, self.bins)
    }

    fn is_migrate_bin(unit: Option<&str>) -> bool {
        unit.is_some_and(|u| u.to_ascii_lowercase().contains("migrat"))
    }

    /// The roots reached going up from a call in `func` of the file at `path`, skipping call
    /// sites in admin branches and migration binaries.
    fn roots(&self, func: &str, path: &str, admin: bool) -> Vec<Root> {
        let unit = self.unit(path);
        if admin || Self::is_migrate_bin(unit.as_deref()) || test_support(func, path) {
            return Vec::new();
        }
        let mut out = Vec::new();
        let mut seen: HashSet<(String, Option<String>)> = HashSet::new();
        let mut todo = vec![(func.to_string(), unit, 0usize)];
        while let Some((func, unit, depth)) = todo.pop() {
            if !seen.insert((func.clone(), unit.clone())) {
                continue;
            }
            let sites = self.callers.get(func.as_str());
            let sites: Vec<_> = sites
                .map(|s| s.iter().filter(|(caller, _, _)| *caller != func).collect())
                .unwrap_or_default();
            if func.is_empty() || func == "main" || sites.is_empty() || depth >= MAX_DEPTH {
                out.push(Root {
                    entry: func == "main",
                    func,
                    unit,
                });
                continue;
            }
            for (caller, site_path, site_admin) in sites {
                let site_unit = self.unit(site_path);
                if *site_admin || Self::is_migrate_bin(site_unit.as_deref()) {
                    continue;
                }
                todo.push((caller.to_string(), site_unit, depth + 1));
            }
        }
        out
    }
}

// ---------------------------------------------------------------------------------------------
// Run commands: a migration chained before the server.
// ---------------------------------------------------------------------------------------------

/// Subcommands that inspect or author migrations rather than apply them.
const NOT_APPLY: &[&str] = &[
    "create",
    "generate",
    "new",
    "make",
    "status",
    "add",
    "revert",
    "down",
    "rollback",
    "list",
    "info",
    "validate",
    "init",
    "--help",
    "-h",
    "help",
    "redo",
    "undo",
    "reset",
    "show",
    "history",
    "current",
    "heads",
    "check",
    "version",
    "make:migration",
    "migrate:make",
];

/// The migration a command applies, as shown in messages.
fn migration_command(a: &[Word]) -> Option<String> {
    let prog = argv_program(a)?;
    let args: Vec<&str> = a.iter().skip(1).map(|w| w.text.as_str()).collect();
    let pos: Vec<&str> = args
        .iter()
        .copied()
        .filter(|x| !x.starts_with('-'))
        .collect();
    let seq = |words: &[&str]| pos.windows(words.len()).any(|w| w == words);
    let authoring = pos.iter().any(|x| NOT_APPLY.contains(x));
    let shown = |s: &str| Some(s.to_string());
    match prog {
        "sqlx" if seq(&["migrate", "run"]) => shown("sqlx migrate run"),
        "cargo" if seq(&["sqlx", "migrate", "run"]) => shown("cargo sqlx migrate run"),
        "diesel" if seq(&["migration", "run"]) => shown("diesel migration run"),
        "diesel" if seq(&["database", "setup"]) => shown("diesel database setup"),
        "sea-orm-cli" if pos.first() == Some(&"migrate") && !authoring => {
            shown("sea-orm-cli migrate")
        }
        "refinery" if pos.first() == Some(&"migrate") => shown("refinery migrate"),
        "alembic" if pos.first() == Some(&"upgrade") => shown("alembic upgrade"),
        "flask" if seq(&["db", "upgrade"]) => shown("flask db upgrade"),
        "django-admin" if pos.first() == Some(&"migrate") => shown("django-admin migrate"),
        p if (p.starts_with("python") || p == "manage.py")
            && args.iter().any(|x| x.ends_with("manage.py"))
            && pos.iter().skip_while(|x| !x.ends_with("manage.py")).nth(1) == Some(&"migrate") =>
        {
            shown("manage.py migrate")
        }
        "manage.py" if pos.first() == Some(&"migrate") => shown("manage.py migrate"),
        "rails" | "rake"
            if pos
                .iter()
                .any(|x| matches!(*x, "db:migrate" | "db:prepare" | "db:setup")) =>
        {
            let t = pos
                .iter()
                .find(|x| x.starts_with("db:"))
                .copied()
                .unwrap_or("db:migrate");
            Some(format!("{prog} {t}"))
        }
        "prisma" if seq(&["migrate", "deploy"]) || seq(&["migrate", "dev"]) => {
            shown("prisma migrate deploy")
        }
        "prisma" if seq(&["db", "push"]) => shown("prisma db push"),
        "knex"
            if pos
                .iter()
                .any(|x| matches!(*x, "migrate:latest" | "migrate:up")) =>
        {
            shown("knex migrate:latest")
        }
        "sequelize" | "sequelize-cli" if pos.first() == Some(&"db:migrate") => {
            shown("sequelize db:migrate")
        }
        "typeorm" | "typeorm-ts-node-commonjs" | "typeorm-ts-node-esm"
            if pos.first() == Some(&"migration:run") =>
        {
            shown("typeorm migration:run")
        }
        "goose"
            if pos
                .iter()
                .any(|x| matches!(*x, "up" | "up-by-one" | "up-to")) =>
        {
            shown("goose up")
        }
        "migrate"
            if pos.contains(&"up")
                && args.iter().any(|x| {
                    x.starts_with("-path") || x.starts_with("-source") || x.starts_with("-database")
                }) =>
        {
            shown("migrate up")
        }
        "dbmate" if pos.iter().any(|x| matches!(*x, "up" | "migrate")) => shown("dbmate up"),
        "flyway" if pos.contains(&"migrate") => shown("flyway migrate"),
        "liquibase" if pos.iter().any(|x| *x == "update" || *x == "update-count") => {
            shown("liquibase update")
        }
        "atlas" if seq(&["migrate", "apply"]) || seq(&["schema", "apply"]) => {
            shown("atlas migrate apply")
        }
        "php" if pos.iter().any(|x| x.ends_with("artisan")) && pos.contains(&"migrate") => {
            shown("php artisan migrate")
        }
        "artisan" if pos.first() == Some(&"migrate") => shown("artisan migrate"),
        "console" | "php" if pos.contains(&"doctrine:migrations:migrate") => {
            shown("doctrine:migrations:migrate")
        }
        "mix" if pos.first() == Some(&"ecto.migrate") => shown("mix ecto.migrate"),
        "yoyo" if pos.first() == Some(&"apply") => shown("yoyo apply"),
        "npm" | "yarn" | "pnpm" | "bun" => {
            let script = match pos.first() {
                Some(&"run") | Some(&"run-script") => pos.get(1),
                other => other,
            }?;
            let lower = script.to_ascii_lowercase();
            let applies = lower.contains("migrat")
                && ![
                    "make", "create", "generate", "new", "status", "rollback", "down", "undo",
                ]
                .iter()
                .any(|k| lower.contains(k));
            applies.then(|| format!("{prog} run {script}"))
        }
        _ => {
            // `./app migrate`, `/usr/local/bin/shop migrate up`, `app db migrate`.
            let first = pos.first()?;
            let is_migrate = matches!(*first, "migrate" | "migrations" | "migration")
                || (*first == "db" && pos.get(1) == Some(&"migrate"));
            let sub = pos.get(1).copied().unwrap_or("");
            let trivial = trivial_command(a);
            (is_migrate && !trivial && !NOT_APPLY.contains(&sub)).then(|| {
                let name = a.first().map_or(prog, |w| w.text.as_str());
                format!("{name} {first}")
            })
        }
    }
}

/// Whether a shell condition dispatches on the script's arguments to a migration subcommand
/// (`if [ "$1" = "migrate" ]`, `case "$1" in migrate)`).
fn admin_dispatch(cond: &str) -> bool {
    let lower = cond.to_ascii_lowercase();
    lower.contains("migrat")
        && ["$1", "${1", "$@", "$*", "\"$1", "${@"]
            .iter()
            .any(|k| lower.contains(k))
}

impl MigrationsAtStartup {
    fn run_part(&self, run: &RunCommand, file: &SourceFile, cx: &mut RuleCtx<'_>) {
        if run.one_off || !run.is_web() {
            return;
        }
        // Conditions of the enclosing `if`/`case` blocks of a script, innermost last.
        let mut conds: Vec<String> = Vec::new();
        let text = |c: &crate::source::shell::Command| {
            file.text.get(c.span.clone()).unwrap_or("").to_string()
        };
        let cmds = &run.commands;
        for (i, c) in cmds.iter().enumerate() {
            let first = c.words.first().map(|w| w.text.as_str());
            match first {
                Some("if") => conds.push(text(c)),
                Some("elif") => {
                    conds.pop();
                    conds.push(text(c));
                }
                Some("case") => conds.push(text(c)),
                _ => {}
            }
            // `migrate)` opens a `case` arm: it belongs to the `case` condition.
            if let (Some(w), Some(last)) = (first, conds.last_mut()) {
                if w.ends_with(')') && last.starts_with("case") {
                    last.push(' ');
                    last.push_str(w);
                }
            }
            let closes = c
                .words
                .iter()
                .filter(|w| matches!(w.text.as_str(), "fi" | "esac"))
                .count();
            let a = run_argv(c);
            let migration = migration_command(a);
            for _ in 0..closes {
                conds.pop();
            }
            let Some(what) = migration else { continue };
            if conds.iter().any(|c| admin_dispatch(c)) {
                continue;
            }
            if matches!(c.sep, Sep::Pipe | Sep::Background) {
                continue;
            }
            // A later command that keeps running: the server it starts before.
            let server = cmds[i + 1..].iter().find(|n| {
                let na = run_argv(n);
                !trivial_command(na) && migration_command(na).is_none()
            });
            let Some(server) = server else { continue };
            let server_name = run_argv(server)
                .first()
                .map_or(String::new(), |w| w.text.clone());
            let span = match (a.first(), a.last()) {
                (Some(f), Some(l)) => f.span.start..l.span.end,
                _ => continue,
            };
            let process = match (run.origin, run.process.as_deref()) {
                (Origin::Procfile, Some(p)) => format!("the Procfile `{p}:` process"),
                (Origin::Compose, Some(p)) => format!("the compose service `{p}`"),
                (Origin::Kubernetes, Some(p)) => format!("the Kubernetes container `{p}`"),
                (o, _) => o.describe().to_string(),
            };
            cx.report(
                Violation::new(
                    span,
                    if server_name.starts_with('$') {
                    format!("{process} runs schema migrations (`{what}`) before starting the container's command")
                } else {
                    format!("{process} runs schema migrations (`{what}`) before starting `{server_name}`")
                },
                )
                .label("runs every time a web process starts")
                .help("run migrations as a one-off release step: a Procfile `release:` process, a Kubernetes Job or init container, or a separate compose service"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::f09_disposability::missing_sigterm_handling::SERVE_TRIGGERS;

    #[test]
    fn admin_branches() {
        assert!(admin_branch("Commands :: Migrate"));
        assert!(admin_branch("Some (\"migrate\")"));
        assert!(admin_branch("args . migrate"));
        assert!(admin_branch("Some (Command :: Worker { .. })"));
        assert!(!admin_branch("Commands :: Serve { port }"));
        assert!(!admin_branch("! config . skip_migrations"));
        assert!(!admin_branch("Ok (pool)"));
        assert!(!admin_branch("x > 0"));
    }

    #[test]
    fn triggers_cover_servers() {
        let t = MigrationsAtStartup.rust_triggers();
        assert!(SERVE_TRIGGERS.iter().all(|s| t.contains(s)));
    }

    #[test]
    fn roots_meet() {
        let main = |u: Option<&str>| Root {
            func: "main".into(),
            unit: u.map(str::to_string),
            entry: true,
        };
        let hook = Root {
            func: "before_run".into(),
            unit: None,
            entry: false,
        };
        assert!(main(None).meets(&main(None)));
        assert!(!main(Some("worker")).meets(&main(None)));
        assert!(hook.meets(&main(Some("api"))));
    }
}

#[cfg(test)]
mod run_tests {
    use super::*;
    use crate::source::shell::split;

    fn what(s: &str) -> Option<String> {
        split(s, 0)
            .iter()
            .find_map(|c| migration_command(run_argv(c)))
    }

    #[test]
    fn migration_commands() {
        assert_eq!(
            what("sqlx migrate run").as_deref(),
            Some("sqlx migrate run")
        );
        assert_eq!(
            what("bundle exec rake db:migrate").as_deref(),
            Some("rake db:migrate")
        );
        assert_eq!(
            what("npx prisma migrate deploy").as_deref(),
            Some("prisma migrate deploy")
        );
        assert_eq!(
            what("python3 manage.py migrate --noinput").as_deref(),
            Some("manage.py migrate")
        );
        assert_eq!(what("./app migrate").as_deref(), Some("./app migrate"));
        assert_eq!(
            what("goose -dir db postgres \"$DSN\" up").as_deref(),
            Some("goose up")
        );
        assert!(what("sqlx migrate add users").is_none());
        assert!(what("alembic current").is_none());
        assert!(what("echo migrate").is_none());
        assert!(what("python manage.py collectstatic").is_none());
        assert!(what("npm run migrate:make users").is_none());
        assert!(admin_dispatch("if [ \"$1\" = \"migrate\" ]"));
        assert!(!admin_dispatch("if [ \"$RUN_MIGRATIONS\" = true ]"));
    }
}
