//! TC0603: service code persisting data on the local disk at run time.

use std::ops::Range;

use parse_dockerfile::{Instruction, JsonOrStringArray};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::visit::{self, Visit};
use syn::{Expr, Lit, Token};

use crate::rule::prelude::*;
use crate::settings;
use crate::source::flow::{self, Binding, Piece, Scope};
use crate::source::rust::{byte_range, is_test_attrs, static_macro_items};

declare_rule! {
    /// ## What it does
    /// Flags service code that keeps data on the local disk at run time, when the path is a
    /// literal written in the code (followed through `let`s, `const`s, `format!`,
    /// `Path::new(..).join(..)` and the like within a function):
    /// - file writes: `std::fs::write`, `File::create`, `OpenOptions`/`File::options()` opened
    ///   with `write`, `append`, `create` or `truncate`, `fs::create_dir(_all)("uploads")`,
    ///   `fs::copy`/`fs::rename` to a literal destination, `NamedTempFile::persist(..)`, and the
    ///   same calls of `tokio::fs` and `async_std::fs`;
    /// - embedded file databases: `rusqlite::Connection::open("app.db")` (also `tokio_rusqlite`),
    ///   `sled::open`, `redb::Database::create`/`open`, `rocksdb::DB::open*`, heed's
    ///   `EnvOpenOptions::open`, diesel `SqliteConnection::establish`, r2d2_sqlite
    ///   `SqliteConnectionManager::file`, `SqliteConnectOptions::new().filename(..)`, and SQLite
    ///   URLs with a file (`"sqlite://data.db"`) given to `connect`, `connect_lazy`, `from_str`,
    ///   `establish` or sea-orm's `Database::connect`;
    /// - data locations a service defaults to, from the settings model (`src/settings/`): a
    ///   `sqlite:` or H2 file URL, or a path under a data-named key (`upload_dir`,
    ///   `storage.path`, `data_dir`, `media_root`), given as a Rust default (env fallback, clap
    ///   `default_value`, serde default, `impl Default`) in a crate a service runs, or in a
    ///   configuration file the service loads or an image copies in;
    /// - Dockerfile `VOLUME` instructions (in any repository), except volumes for `/tmp` and
    ///   `/var/log` and `VOLUME`s of images built on a backing-service base image (SQL Server, `postgres`,
    ///   `redis`, ...).
    ///
    /// Not flagged: `std::env::temp_dir()`, the `tempfile` crate, paths under `/tmp`,
    /// `/var/tmp`, `/dev`, `/run`; in-memory databases (`:memory:`, `sqlite::memory:`,
    /// `mode=memory`); log files (`*.log`, `/var/log`, `logs/`: that is `TC1101`); PID files
    /// (`TC0801`); paths set by a deploy manifest (a volume chosen on purpose); paths from the
    /// environment, a function argument or anything else whose origin is unknown; reads; test
    /// code, development configuration and library crates.
    ///
    /// Other files consulted: the crate's `Cargo.toml` decides whether Rust code belongs to a
    /// service; the settings model decides from the whole repository whether a default ships
    /// (see `src/settings/ships.rs`).
    ///
    /// ## Measured
    /// On the real-world corpus (`benches/realworld/`, 26 repositories, 2026-12-03): 4 findings, 4
    /// right, 0 wrong, 0 debatable; verdict precision 1.00.
    ///
    /// ## Why is this bad?
    /// Factor VI: twelve-factor processes are stateless and share nothing. The local disk of a
    /// process is ephemeral: it disappears on restart, redeploy or rescheduling, and other
    /// instances of the app cannot see it. Uploaded files, databases and anything that must
    /// outlive a request belong in a backing service: object storage, a database, a cache.
    ///
    /// ## Example
    /// ```rust
    /// tokio::fs::write(format!("uploads/{}", name), &bytes).await?;
    /// let conn = rusqlite::Connection::open("app.db")?;
    /// ```
    ///
    /// Use instead:
    /// ```rust
    /// s3.put_object().bucket(&bucket).key(&name).body(bytes.into()).send().await?;
    /// let pool = sqlx::PgPool::connect(&std::env::var("DATABASE_URL")?).await?;
    /// ```
    ///
    /// ## References
    /// - <https://12factor.net/processes>
    /// - <https://12factor.net/backing-services>
    pub LocalFilesystemPersistence {
        code: "TC0603", name: "local-filesystem-persistence",
        factor: Processes, severity: Warning, preview: false, since: "0.1.0",
    }
}

const FILE_HELP: &str = "store the data in a backing service (object storage such as S3, or a database); the local disk is lost on restart and not shared between instances";
const DB_HELP: &str = "use a database attached as a backing service, located by an environment variable such as DATABASE_URL";
const LABEL: &str = "lost on restart, invisible to other instances";

/// Embedded storage engines: a service built on one is a datastore itself.
const STORAGE_ENGINES: &[&str] = &[
    "heed", "lmdb", "lmdb-rkv", "rocksdb", "sled", "redb", "tantivy", "fjall", "milli", "persy",
];

/// Methods that keep the path of their receiver (`Path::new("uploads").join(name)`).
const PATH_KEEPING_METHODS: &[&str] = &[
    "join",
    "to_string",
    "to_owned",
    "into",
    "as_str",
    "as_path",
    "as_ref",
    "clone",
    "to_path_buf",
    "into_os_string",
    "with_extension",
    "with_file_name",
    "display",
];

/// Calls whose literal SQLite URL argument opens a database file.
const SQLITE_URL_CALLS: &[&str] = &[
    "connect",
    "connect_lazy",
    "from_str",
    "from_url",
    "establish",
    "create_database",
    "new",
    "open",
    "parse",
];

/// Base images of backing services: their `VOLUME`s are the service's own data directory.
const SERVICE_IMAGES: &[&str] = &[
    "postgres",
    "postgresql",
    "postgis",
    "mysql",
    "mariadb",
    "mongo",
    "mongodb",
    "redis",
    "valkey",
    "memcached",
    "rabbitmq",
    "elasticsearch",
    "opensearch",
    "minio",
    "cassandra",
    "clickhouse-server",
    "influxdb",
    "neo4j",
    "nats",
    "kafka",
    "zookeeper",
    "keycloak",
    "vault",
    "consul",
    "etcd",
    "registry",
    "grafana",
    "prometheus",
    // SQL Server (`mcr.microsoft.com/mssql/server` is matched by its `mssql/` path).
    "mssql-server-linux",
    "mssql-server-windows-express",
    "mssql-server-windows-developer",
];

/// Where a path value comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Base {
    /// A literal written in the code (or the template of a `format!`).
    Lit(String),
    /// A temporary directory.
    Temp,
    /// The environment, a config value, an argument: not the code's decision.
    Unknown,
}

/// What a call does with the disk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    /// Writes files; the path is the argument at this index.
    Write(&'static str, usize),
    /// Opens an embedded database file; the path is any argument.
    Database(&'static str),
    /// Any call whose literal SQLite URL argument opens a file.
    SqliteUrl,
}

/// Whether a literal path is persistent local storage: not temporary, not a device, not a log
/// file, not in memory, not a template whose directory is unknown.
fn persistent(path: &str) -> bool {
    let p = path.trim();
    let lower = p.to_ascii_lowercase();
    if p.is_empty() || p == "." || p.starts_with('{') || p.starts_with('$') {
        return false;
    }
    if lower.contains(":memory:") || lower.contains("mode=memory") {
        return false;
    }
    let under = |dir: &str| lower == dir || lower.starts_with(&format!("{dir}/"));
    if [
        "/tmp", "/var/tmp", "/dev", "/proc", "/sys", "/run", "/var/run", "/var/log",
    ]
    .iter()
    .any(|d| under(d))
    {
        return false;
    }
    let rel = lower.trim_start_matches("./");
    let first = rel.split('/').next().unwrap_or("");
    if ["log", "logs", "tmp", "temp"].contains(&first) {
        return false;
    }
    let file = lower.split('?').next().unwrap_or(&lower);
    !(file.ends_with(".log")
        || file.contains(".log.")
        || file.ends_with(".pid")
        || file.ends_with(".sock"))
}

/// The file part of a SQLite URL (`sqlite://data.db?mode=rwc` → `data.db?mode=rwc`), when the
/// literal is one.
fn sqlite_file(url: &str) -> Option<&str> {
    let rest = url.trim().strip_prefix("sqlite:")?;
    Some(rest.strip_prefix("//").unwrap_or(rest))
}

/// What a call does with the disk, from its resolved callee.
fn classify(file: &RustFile, call: &CallShape<'_>) -> Option<Op> {
    match call {
        CallShape::Path(callee) => {
            let segs: Vec<&str> = callee.split("::").collect();
            let last = *segs.last()?;
            let prev = segs.len().checked_sub(2).map_or("", |i| segs[i]);
            let fs = segs.contains(&"fs");
            let has = |k: &str| {
                segs.contains(&k) || file.globs.iter().any(|g| g.split("::").any(|s| s == k))
            };
            match (prev, last) {
                (_, "write") if fs => return Some(Op::Write("`fs::write`", 0)),
                (_, "create_dir_all" | "create_dir") if fs => {
                    return Some(Op::Write("`fs::create_dir_all`", 0))
                }
                (_, "copy") if fs => return Some(Op::Write("`fs::copy`", 1)),
                (_, "rename") if fs => return Some(Op::Write("`fs::rename`", 1)),
                ("File", "create" | "create_new") => return Some(Op::Write("`File::create`", 0)),
                ("Connection", "open" | "open_with_flags" | "open_with_flags_and_vfs")
                    if has("rusqlite") || has("tokio_rusqlite") || has("async_sqlite") =>
                {
                    return Some(Op::Database("SQLite"))
                }
                ("sled", "open") => return Some(Op::Database("sled")),
                ("Database", "create" | "open") if has("redb") => {
                    return Some(Op::Database("redb"))
                }
                ("DB" | "DBWithThreadMode" | "TransactionDB" | "OptimisticTransactionDB", l)
                    if l.starts_with("open") && has("rocksdb") =>
                {
                    return Some(Op::Database("RocksDB"))
                }
                ("SqliteConnection", "establish") => return Some(Op::Database("SQLite")),
                ("SqliteConnectionManager", "file") => return Some(Op::Database("SQLite")),
                _ => {}
            }
            SQLITE_URL_CALLS.contains(&last).then_some(Op::SqliteUrl)
        }
        CallShape::Method { name, root, chain } => {
            let root = root.unwrap_or("");
            let root_has = |k: &str| root.split("::").any(|s| s.ends_with(k));
            match *name {
                "open" if root_has("EnvOpenOptions") => return Some(Op::Database("LMDB")),
                "open"
                    if (root.ends_with("OpenOptions::new")
                        || root.ends_with("OpenOptions::default")
                        || root.ends_with("File::options"))
                        && chain.iter().any(|m| {
                            matches!(
                                m.as_str(),
                                "write" | "append" | "create" | "create_new" | "truncate"
                            )
                        }) =>
                {
                    return Some(Op::Write("`OpenOptions::open`", 0))
                }
                "filename" if root_has("SqliteConnectOptions") => {
                    return Some(Op::Database("SQLite"))
                }
                "path" if root.starts_with("sled::") => return Some(Op::Database("sled")),
                "create" | "open" if root.starts_with("redb::") => {
                    return Some(Op::Database("redb"))
                }
                "persist" | "persist_noclobber" => return Some(Op::Write("`persist`", 0)),
                _ => {}
            }
            SQLITE_URL_CALLS.contains(name).then_some(Op::SqliteUrl)
        }
    }
}

/// The shape of a call, enough to classify it.
enum CallShape<'s> {
    Path(String),
    Method {
        name: &'s str,
        root: Option<&'s str>,
        chain: &'s [String],
    },
}

/// What one function can see: the file's consts and the function's bindings.
struct FnCtx<'a, 'f> {
    file: &'a RustFile<'f>,
    scope: Scope<'a>,
}

impl FnCtx<'_, '_> {
    /// Follows the name `name` used at byte offset `at`.
    fn name(&self, name: &str, at: usize, depth: usize) -> Base {
        match self.scope.lookup(name, at) {
            Some(Binding::Expr(e)) => self.base(e, depth + 1),
            _ => Base::Unknown,
        }
    }

    /// Where the path value `e` comes from.
    fn base(&self, e: &Expr, depth: usize) -> Base {
        if depth > 12 {
            return Base::Unknown;
        }
        let d = depth + 1;
        match e {
            Expr::Lit(l) => match &l.lit {
                Lit::Str(s) => Base::Lit(s.value()),
                _ => Base::Unknown,
            },
            Expr::Reference(r) => self.base(&r.expr, d),
            Expr::Paren(p) => self.base(&p.expr, d),
            Expr::Group(g) => self.base(&g.expr, d),
            Expr::Try(t) => self.base(&t.expr, d),
            Expr::Await(a) => self.base(&a.base, d),
            Expr::Cast(c) => self.base(&c.expr, d),
            Expr::Binary(b) if matches!(b.op, syn::BinOp::Add(_)) => self.base(&b.left, d),
            Expr::Path(p) => match self.scope.resolve(p) {
                Some(init) => self.base(init, d),
                None => Base::Unknown,
            },
            Expr::MethodCall(m) if m.method == "join" && m.args.len() == 1 => {
                // `Path::new("uploads").join(name)` → `uploads/{}`.
                match self.base(&m.receiver, d) {
                    Base::Lit(dir) => {
                        let file = match self.base(&m.args[0], d) {
                            Base::Lit(f) => f,
                            _ => "{}".to_string(),
                        };
                        Base::Lit(format!("{}/{file}", dir.trim_end_matches('/')))
                    }
                    other => other,
                }
            }
            Expr::MethodCall(m) => {
                let name = m.method.to_string();
                if PATH_KEEPING_METHODS.contains(&name.as_str()) {
                    self.base(&m.receiver, d)
                } else {
                    Base::Unknown
                }
            }
            Expr::Call(c) => {
                let Expr::Path(p) = &*c.func else {
                    return Base::Unknown;
                };
                let callee = self.file.resolve(&p.path);
                let lower = callee.to_ascii_lowercase();
                if lower.ends_with("temp_dir")
                    || lower.starts_with("tempfile")
                    || lower.contains("tempdir")
                {
                    return Base::Temp;
                }
                let segs: Vec<&str> = callee.split("::").collect();
                let last = segs.last().copied().unwrap_or("");
                let owner = segs.len().checked_sub(2).map_or("", |i| segs[i]);
                let wraps = matches!(last, "new" | "from")
                    && matches!(
                        owner,
                        "Path" | "PathBuf" | "String" | "OsString" | "OsStr" | "Cow"
                    );
                match c.args.first() {
                    Some(a) if wraps && c.args.len() == 1 => self.base(a, d),
                    _ => Base::Unknown,
                }
            }
            Expr::Macro(m) => {
                let last = m
                    .mac
                    .path
                    .segments
                    .last()
                    .map(|s| s.ident.to_string())
                    .unwrap_or_default();
                if !matches!(last.as_str(), "format" | "concat") {
                    return Base::Unknown;
                }
                let Some(args) = flow::format_args(&m.mac) else {
                    return Base::Unknown;
                };
                if last == "concat" {
                    return Base::Lit(args.template);
                }
                // The directory is the first piece: text, or a placeholder to follow.
                let pieces = flow::format_pieces(&args.template);
                let rest: String = pieces
                    .iter()
                    .skip(1)
                    .map(|p| match p {
                        Piece::Text(t) => t.as_str(),
                        _ => "{}",
                    })
                    .collect();
                let head = match pieces.first() {
                    Some(Piece::Text(_)) | None => return Base::Lit(args.template),
                    Some(Piece::Next) | Some(Piece::Index(0)) => match args.positional.first() {
                        Some(a) => self.base(a, d),
                        None => Base::Unknown,
                    },
                    Some(Piece::Index(_)) => Base::Unknown,
                    Some(Piece::Name(n)) => match args.named.iter().find(|(k, _)| k == n) {
                        Some((_, e)) => self.base(e, d),
                        None => self.name(n, args.span.start, d),
                    },
                };
                match head {
                    Base::Lit(dir) => Base::Lit(format!("{dir}{rest}")),
                    other => other,
                }
            }
            Expr::Block(b) => match b.block.stmts.last() {
                Some(syn::Stmt::Expr(e, None)) => self.base(e, d),
                _ => Base::Unknown,
            },
            _ => Base::Unknown,
        }
    }
}

/// A finding before it is reported.
struct Found {
    span: Range<usize>,
    message: String,
    help: &'static str,
}

/// Checks the calls of one function body (or one static initialiser).
struct Calls<'c, 'a, 'f> {
    cx: &'c FnCtx<'a, 'f>,
    out: &'c mut Vec<Found>,
}

impl Calls<'_, '_, '_> {
    fn check(&mut self, shape: CallShape<'_>, args: &[&Expr], span: Range<usize>) {
        let file = self.cx.file;
        let Some(op) = classify(file, &shape) else {
            return;
        };
        let lit_of = |a: &Expr| -> Option<String> {
            if flow::trace(a, &self.cx.scope).env {
                return None;
            }
            match self.cx.base(a, 0) {
                Base::Lit(s) => Some(s),
                Base::Temp | Base::Unknown => None,
            }
        };
        let found = match op {
            Op::Write(what, idx) => args.get(idx).and_then(|a| lit_of(a)).and_then(|p| {
                if sqlite_file(&p).is_some() || !persistent(&p) {
                    return None;
                }
                Some(Found {
                    span: span.clone(),
                    message: format!("{what} persists data on the local disk at `{p}`"),
                    help: FILE_HELP,
                })
            }),
            Op::Database(db) => args.iter().find_map(|a| {
                let p = lit_of(a)?;
                let path = sqlite_file(&p).unwrap_or(&p);
                persistent(path).then(|| Found {
                    span: span.clone(),
                    message: format!("embedded {db} database file `{p}` on the local disk"),
                    help: DB_HELP,
                })
            }),
            Op::SqliteUrl => args.iter().find_map(|a| {
                let p = lit_of(a)?;
                let path = sqlite_file(&p)?;
                persistent(path).then(|| Found {
                    span: span.clone(),
                    message: format!("embedded SQLite database file `{p}` on the local disk"),
                    help: DB_HELP,
                })
            }),
        };
        self.out.extend(found);
    }

    fn visit_macro_tokens(&mut self, mac: &syn::Macro) {
        let name = mac
            .path
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .unwrap_or_default();
        if name == "macro_rules" {
            return;
        }
        let exprs = Punctuated::<Expr, Token![,]>::parse_terminated;
        if let Ok(exprs) = mac.parse_body_with(exprs) {
            for e in &exprs {
                self.visit_expr(e);
            }
        } else if let Ok(stmts) = mac.parse_body_with(syn::Block::parse_within) {
            for s in &stmts {
                self.visit_stmt(s);
            }
        }
    }
}

impl<'v> Visit<'v> for Calls<'_, '_, '_> {
    fn visit_expr_call(&mut self, c: &'v syn::ExprCall) {
        if let Expr::Path(p) = &*c.func {
            let callee = self.cx.file.resolve(&p.path);
            let args: Vec<&Expr> = c.args.iter().collect();
            self.check(CallShape::Path(callee), &args, byte_range(c.span()));
        }
        visit::visit_expr_call(self, c);
    }

    fn visit_expr_method_call(&mut self, m: &'v syn::ExprMethodCall) {
        let file = self.cx.file;
        let (root, chain) = crate::source::rust::receiver_chain(m, &|p| file.resolve(p));
        let name = m.method.to_string();
        let args: Vec<&Expr> = m.args.iter().collect();
        let span = byte_range(m.method.span()).start..byte_range(m.span()).end;
        self.check(
            CallShape::Method {
                name: &name,
                root: root.as_deref(),
                chain: &chain,
            },
            &args,
            span,
        );
        visit::visit_expr_method_call(self, m);
    }

    fn visit_expr_macro(&mut self, m: &'v syn::ExprMacro) {
        self.visit_macro_tokens(&m.mac);
    }

    fn visit_stmt_macro(&mut self, m: &'v syn::StmtMacro) {
        if !self.cx.file.include_tests && is_test_attrs(&m.attrs) {
            return;
        }
        self.visit_macro_tokens(&m.mac);
    }

    fn visit_expr_closure(&mut self, c: &'v syn::ExprClosure) {
        if self.cx.file.include_tests || !is_test_attrs(&c.attrs) {
            visit::visit_expr_closure(self, c);
        }
    }

    fn visit_local(&mut self, l: &'v syn::Local) {
        if self.cx.file.include_tests || !is_test_attrs(&l.attrs) {
            visit::visit_local(self, l);
        }
    }

    // Nested items are checked on their own by the item walk.
    fn visit_item(&mut self, _: &'v syn::Item) {}
}

/// Walks the items of a file and checks each function body and static initialiser.
struct Items<'a, 'f> {
    file: &'a RustFile<'f>,
    file_scope: Scope<'a>,
    out: Vec<Found>,
}

impl<'a> Items<'a, '_> {
    fn skip(&self, attrs: &[syn::Attribute]) -> bool {
        !self.file.include_tests && is_test_attrs(attrs)
    }

    fn check_block(&mut self, block: &'a syn::Block) {
        let cx = FnCtx {
            file: self.file,
            scope: self.file_scope.with_block(block),
        };
        let mut out = Vec::new();
        Calls {
            cx: &cx,
            out: &mut out,
        }
        .visit_block(block);
        self.out.extend(out);
        // Functions nested in the body.
        for stmt in &block.stmts {
            if let syn::Stmt::Item(item) = stmt {
                self.visit_item(item);
            }
        }
    }

    fn check_expr(&mut self, e: &Expr) {
        let cx = FnCtx {
            file: self.file,
            scope: self.file_scope.clone(),
        };
        let mut out = Vec::new();
        Calls {
            cx: &cx,
            out: &mut out,
        }
        .visit_expr(e);
        self.out.extend(out);
    }
}

impl<'a> Visit<'a> for Items<'a, '_> {
    fn visit_item(&mut self, i: &'a syn::Item) {
        if self.skip(crate::source::rust::item_attrs(i)) {
            return;
        }
        match i {
            syn::Item::Fn(f) => self.check_block(&f.block),
            syn::Item::Static(s) => self.check_expr(&s.expr),
            syn::Item::Macro(m) => {
                for item in static_macro_items(&m.mac).unwrap_or_default() {
                    if let syn::Item::Static(s) = item {
                        self.check_expr(&s.expr);
                    }
                }
            }
            _ => visit::visit_item(self, i),
        }
    }

    fn visit_impl_item_fn(&mut self, f: &'a syn::ImplItemFn) {
        if !self.skip(&f.attrs) {
            self.check_block(&f.block);
        }
    }

    fn visit_trait_item_fn(&mut self, f: &'a syn::TraitItemFn) {
        if let Some(block) = &f.default {
            if !self.skip(&f.attrs) {
                self.check_block(block);
            }
        }
    }
}

/// The image name of a `FROM` without registry, namespace, tag or digest:
/// `docker.io/bitnami/postgresql:16` → `postgresql`.
fn image_name(image: &str) -> &str {
    let no_digest = image.split('@').next().unwrap_or(image);
    let last = no_digest.rsplit('/').next().unwrap_or(no_digest);
    last.split(':').next().unwrap_or(last)
}

impl Rule for LocalFilesystemPersistence {
    fn inputs(&self) -> Inputs {
        Inputs {
            rust: true,
            dockerfile: true,
            repo: true,
            settings: true,
            ..Inputs::default()
        }
    }

    fn rust_triggers(&self) -> &'static [&'static str] {
        &[
            "fs::write",
            "fs::copy",
            "fs::rename",
            "File::create",
            "File::options",
            "OpenOptions",
            "create_dir",
            "persist",
            "rusqlite",
            "sled",
            "redb",
            "rocksdb",
            "sqlite",
        ]
    }

    fn crate_scope(&self) -> CrateScope {
        CrateScope::Service
    }

    fn check_repo(&self, repo: &RepoIndex, cx: &mut RepoCtx<'_>) {
        // A repository that builds a storage engine into its service is a datastore: its data
        // directory is its purpose (meilisearch's `db_path`, sonic's store), not app state.
        let datastore = repo.manifests.iter().any(|m| {
            m.dependencies
                .iter()
                .any(|d| STORAGE_ENGINES.contains(&d.name.as_str()))
        });
        if datastore {
            return;
        }
        for s in repo.settings.with_role(settings::DATA_PATH) {
            // A default the running app uses when nothing else is configured; deploy manifests
            // that set a path choose a volume on purpose.
            if s.ships != settings::Ships::Runtime {
                continue;
            }
            let message = format!(
                "`{}` defaults to a local data location, {} ({}): every instance keeps its own copy, lost when the process is replaced",
                s.key,
                s.origin.describe(),
                s.why
            );
            cx.report(
                &s.file,
                Violation::new(s.span.clone(), message)
                    .label("data on the local disk")
                    .help("keep the data in a backing service (object storage, a database) and take its locator from the environment"),
            );
        }
    }

    fn check_rust(&self, file: &RustFile, cx: &mut RuleCtx<'_>) {
        if !cx.is_service() {
            return;
        }
        let mut items = Items {
            file,
            file_scope: Scope::for_file(&file.ast),
            out: Vec::new(),
        };
        for item in &file.ast.items {
            items.visit_item(item);
        }
        let mut found = items.out;
        found.sort_by_key(|f| (f.span.start, f.span.end));
        found.dedup_by_key(|f| f.span.start);
        for f in found {
            cx.report(Violation::new(f.span, f.message).label(LABEL).help(f.help));
        }
    }

    fn check_dockerfile(&self, file: &DockerFile, cx: &mut RuleCtx<'_>) {
        let mut base = String::new();
        for ins in &file.doc.instructions {
            match ins {
                Instruction::From(f) => {
                    let full = f.image.value.to_ascii_lowercase();
                    base = if full.contains("/mssql/") || full.starts_with("mssql/") {
                        "mssql-server-linux".to_string()
                    } else {
                        image_name(&f.image.value).to_ascii_lowercase()
                    };
                }
                Instruction::Volume(v) => {
                    if SERVICE_IMAGES.contains(&base.as_str()) {
                        continue;
                    }
                    let paths: Vec<(&str, Range<usize>)> = match &v.arguments {
                        JsonOrStringArray::Json(a) => a
                            .value
                            .iter()
                            .map(|s| (s.value.as_ref(), s.span.clone()))
                            .collect(),
                        JsonOrStringArray::String(a) => a
                            .iter()
                            .map(|s| (s.value.as_ref(), s.span.clone()))
                            .collect(),
                    };
                    let kept: Vec<&str> = paths
                        .iter()
                        .map(|(p, _)| *p)
                        .filter(|p| {
                            let p = p.trim_end_matches('/');
                            persistent(p) || p.starts_with('$')
                        })
                        .collect();
                    if kept.is_empty() {
                        continue;
                    }
                    let span =
                        v.volume.span.start..paths.last().map_or(v.volume.span.end, |(_, s)| s.end);
                    cx.report(
                        Violation::new(
                            span,
                            format!(
                                "`VOLUME {}` keeps application data on the container's local disk",
                                kept.join(" ")
                            ),
                        )
                        .label("tied to one host, not shared between instances")
                        .help("keep the data in a backing service (a database, object storage) and drop the VOLUME"),
                    );
                }
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn persistent_paths() {
        for p in [
            "uploads",
            "./data/app.db",
            "uploads/{}",
            "/srv/files",
            "/data",
        ] {
            assert!(persistent(p), "{p}");
        }
        for p in [
            "/tmp/x",
            "/tmp",
            "/var/log/app",
            "app.log",
            "logs/{}.txt",
            ":memory:",
            "file::memory:?cache=shared",
            "{}/x",
            "/run/app.pid",
            "/dev/stdout",
            "",
        ] {
            assert!(!persistent(p), "{p}");
        }
        assert_eq!(
            sqlite_file("sqlite://data.db?mode=rwc"),
            Some("data.db?mode=rwc")
        );
        assert_eq!(sqlite_file("sqlite::memory:"), Some(":memory:"));
        assert_eq!(
            image_name("docker.io/bitnami/postgresql:16@sha256:ab"),
            "postgresql"
        );
    }
}
