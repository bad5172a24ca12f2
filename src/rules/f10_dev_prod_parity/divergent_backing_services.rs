//! TC1001: development and production using different backing services.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::ops::Range;

use proc_macro2::{Delimiter, TokenStream, TokenTree};
use quote::ToTokens;
use syn::spanned::Spanned;
use syn::visit::{self, Visit};
use syn::{Expr, Lit};

use crate::registry::RuleId;
use crate::rule::prelude::*;
use crate::rules::common::words;
use crate::source::rust::{byte_range, flat_tokens as flat, is_test_attrs};
use crate::source::structured::Node;
use crate::source::FileKind;

declare_rule! {
    /// ## What it does
    /// Flags a service whose development and production builds or environments use different
    /// kinds of database:
    /// - `cfg` alternatives of the same item (a type alias, `use`, function, const, `impl`, or a
    ///   `let` in a function) that pick different databases: `#[cfg(debug_assertions)] type Pool
    ///   = SqlitePool;` next to `#[cfg(not(debug_assertions))] type Pool = PgPool;`, or
    ///   `#[cfg(feature = "sqlite")]` next to `#[cfg(feature = "postgres")]`; also the branches
    ///   of `cfg_if!`;
    /// - `if cfg!(debug_assertions) { sqlite } else { postgres }` (any `cfg!` condition);
    /// - a `match` or `if` on an environment name (`"production"`, `"development"`, `"local"`,
    ///   `Environment::Production`, `is_production()`...) whose branches pick different
    ///   databases;
    /// - in `Cargo.toml` of a binary crate: a development-like feature (`dev`, `local`, `test`,
    ///   `debug`...) or the `default` feature enabling one database (`sqlx/sqlite`,
    ///   `diesel/sqlite`, `sea-orm/sqlx-sqlite`, `rusqlite`...) while a production-like feature,
    ///   the other database features or the always-on dependencies enable another
    ///   (`sqlx/postgres`, `tokio-postgres`, `mysql_async`...).
    ///
    /// Databases are recognised by type and crate names (`SqlitePool`, `rusqlite`, `PgPool`,
    /// `tokio_postgres`, `MySqlPool`, sea-orm's `DbBackend::Sqlite`...) and by URL literals
    /// (`sqlite:`, `postgres://`, `mysql://`, `mongodb://`...).
    ///
    /// Not flagged: one database everywhere; alternatives that pick the same database or where
    /// one side names none (`if cfg!(debug_assertions) { "sqlite://dev.db" } else { env::var(..) }`
    /// cannot be judged); a default feature enabling every backend (a tool supporting them all);
    /// a default feature enabling a server database next to features for other server
    /// databases (`default = ["mysql"]`, `postgres = [..]`: alternative backends, not a
    /// development shortcut; a SQLite default is one);
    /// library crates offering several backends as features (sqlx, sea-orm, diesel); test code.
    ///
    /// In deployment files, it flags one backing service run as different products or major
    /// versions in different environments:
    /// - compose files of different environments (`docker-compose.yml`,
    ///   `docker-compose.override.yml`, `docker-compose.prod.yml`, `compose.staging.yaml`, or
    ///   `dev/docker-compose.yml` next to `prod/docker-compose.yml`) where the service of the
    ///   same name runs another product (`db` is `mysql:8` in one and `postgres:16` in the
    ///   other) or another major version (`postgres:13` against `postgres:16`); services of
    ///   different names are matched by product when each file has only one of it;
    /// - a Kubernetes workload (Deployment, StatefulSet...) running a backing service at another
    ///   major version than the repository's compose files (`postgres:15` in a StatefulSet,
    ///   `postgres:16` in `docker-compose.yml`).
    ///
    /// Backing services are recognised by image name: PostgreSQL (`postgres`, `postgis`,
    /// `bitnami/postgresql`), MySQL, MariaDB, Redis, Valkey, KeyDB, MongoDB, RabbitMQ,
    /// Memcached, Elasticsearch, OpenSearch, Cassandra, ClickHouse, SQL Server, NATS, Kafka.
    /// The finding is on the production side (a file named for `prod`/`staging`/`live`, else the
    /// base compose file, else the Kubernetes manifest) and names the other file and line.
    ///
    /// Not flagged: one service, one version everywhere; minor and patch differences (`16.1`
    /// against `16.3`); variants of one major version (`16-alpine` against `16`); tags that are
    /// unknown until deploy (`postgres:${PG_VERSION}`) or missing (see TC0502); images built
    /// from the repository (`build:`); compose files of unrelated folders; several services of
    /// one product in a file (which one corresponds is unknown); compose files named for a
    /// backend or a stack rather than an environment (`docker-compose.mysql.yaml` next to
    /// `docker-compose.postgres.yaml`: a product that supports both, one per deployment).
    ///
    /// Other files consulted: the `Cargo.toml` of the crate, which decides whether it is a
    /// service (Rust code) or a binary (its `[features]`); every compose file and Kubernetes
    /// manifest of the repository, compared with each other.
    ///
    /// ## Measured
    /// On the real-world corpus (`benches/realworld/`, 26 repositories, 2026-12-03): no findings.
    ///
    /// ## Why is this bad?
    /// Factor X: keep development, staging and production as similar as possible. Databases
    /// differ in SQL dialect, types, locking, transactions and migrations; code that passes on
    /// SQLite in development fails on PostgreSQL in production. Running the same database
    /// everywhere is cheap with containers.
    ///
    /// ## Example
    /// ```rust
    /// #[cfg(debug_assertions)]
    /// pub type Pool = sqlx::SqlitePool;
    /// #[cfg(not(debug_assertions))]
    /// pub type Pool = sqlx::PgPool;
    /// ```
    ///
    /// Use instead:
    /// ```rust
    /// pub type Pool = sqlx::PgPool; // PostgreSQL everywhere; locally in a container
    /// ```
    ///
    /// ## References
    /// - <https://12factor.net/dev-prod-parity>
    pub DivergentBackingServices {
        code: "TC1001", name: "divergent-backing-services",
        factor: DevProdParity, severity: Warning, preview: false, since: "0.1.0",
    }
}

const HELP: &str = "pick one database for every environment and run it locally in a container (for example with docker compose), located by DATABASE_URL";

/// A Cargo feature split found in a manifest, reported once the crate is known to be a binary.
const FEATURES: &str = "features";

/// A kind of database.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Kind {
    Sqlite,
    Postgres,
    Mysql,
    SqlServer,
    Mongo,
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Kind::Sqlite => "SQLite",
            Kind::Postgres => "PostgreSQL",
            Kind::Mysql => "MySQL",
            Kind::SqlServer => "SQL Server",
            Kind::Mongo => "MongoDB",
        })
    }
}

type Kinds = BTreeSet<Kind>;

fn show(kinds: &Kinds) -> String {
    kinds
        .iter()
        .map(Kind::to_string)
        .collect::<Vec<_>>()
        .join("/")
}

/// The database a crate, feature or identifier name stands for.
fn kind_of_name(name: &str) -> Option<Kind> {
    let lower = name.to_ascii_lowercase();
    if lower.contains("sqlite") {
        return Some(Kind::Sqlite);
    }
    if lower.contains("postgres") {
        return Some(Kind::Postgres);
    }
    if lower.contains("mysql") || lower.contains("mariadb") {
        return Some(Kind::Mysql);
    }
    if lower.contains("mssql") || lower.contains("tiberius") || lower.contains("sqlserver") {
        return Some(Kind::SqlServer);
    }
    if lower.contains("mongo") {
        return Some(Kind::Mongo);
    }
    // `PgPool`, `PgConnection`, `pg_pool`, `deadpool-pg`.
    let pg_camel =
        name.starts_with("Pg") && name[2..].starts_with(|c: char| c.is_ascii_uppercase());
    if pg_camel || words(name).iter().any(|w| w == "pg") {
        return Some(Kind::Postgres);
    }
    None
}

/// The database a string literal locates: a URL scheme or a SQLite file name.
fn kind_of_literal(value: &str) -> Option<Kind> {
    let v = value.trim().to_ascii_lowercase();
    let scheme = v.split("://").next().unwrap_or("");
    if v.starts_with("sqlite:") {
        return Some(Kind::Sqlite);
    }
    if v.contains("://") {
        return match scheme {
            "postgres" | "postgresql" => Some(Kind::Postgres),
            "mysql" | "mariadb" => Some(Kind::Mysql),
            "mongodb" | "mongodb+srv" => Some(Kind::Mongo),
            "sqlserver" | "mssql" => Some(Kind::SqlServer),
            _ => None,
        };
    }
    let file = v.split('?').next().unwrap_or(&v);
    let looks_like_file = !file.contains(char::is_whitespace) && !file.contains('{');
    (looks_like_file
        && [".db", ".sqlite", ".sqlite3", ".db3"]
            .iter()
            .any(|e| file.ends_with(e)))
    .then_some(Kind::Sqlite)
}

/// The databases named in a token stream, attributes (`#[..]`, doc comments) left out.
fn kinds_in(tokens: TokenStream) -> Kinds {
    let mut out = Kinds::new();
    let mut it = tokens.into_iter().peekable();
    while let Some(t) = it.next() {
        match t {
            TokenTree::Punct(p) if p.as_char() == '#' => {
                if let Some(TokenTree::Punct(bang)) = it.peek() {
                    if bang.as_char() == '!' {
                        it.next();
                    }
                }
                if matches!(it.peek(), Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Bracket)
                {
                    it.next();
                }
            }
            TokenTree::Ident(i) => out.extend(kind_of_name(&i.to_string())),
            TokenTree::Literal(l) => {
                if let Lit::Str(s) = Lit::new(l) {
                    out.extend(kind_of_literal(&s.value()));
                }
            }
            TokenTree::Group(g) => out.extend(kinds_in(g.stream())),
            TokenTree::Punct(_) => {}
        }
    }
    out
}

/// Which side of the dev/prod divide a condition or name stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Side {
    Dev,
    Test,
    Prod,
}

const DEV_WORDS: &[&str] = &[
    "dev",
    "development",
    "develop",
    "local",
    "debug",
    "localhost",
];
const TEST_WORDS: &[&str] = &["test", "tests", "testing"];
const PROD_WORDS: &[&str] = &[
    "prod",
    "production",
    "staging",
    "stage",
    "live",
    "release",
    "deploy",
    "cloud",
];

/// The side named by words of an identifier, literal or feature name.
fn side_of_words(text: &str) -> Option<Side> {
    let w = words(text);
    let has = |list: &[&str]| w.iter().any(|x| list.contains(&x.as_str()));
    if has(PROD_WORDS) {
        Some(Side::Prod)
    } else if has(TEST_WORDS) {
        Some(Side::Test)
    } else if has(DEV_WORDS) {
        Some(Side::Dev)
    } else {
        None
    }
}

/// The side a `cfg` predicate (flattened text) switches on.
fn side_of_cfg(cfg: &str) -> Option<Side> {
    let negated = cfg.contains("not(") || cfg.starts_with('!');
    let side = if cfg.contains("debug_assertions") {
        Some(Side::Dev)
    } else if cfg.contains("test") && !cfg.contains("feature") {
        Some(Side::Test)
    } else {
        cfg.split('"').skip(1).step_by(2).find_map(side_of_words)
    };
    match (side, negated) {
        (Some(Side::Dev | Side::Test), true) => Some(Side::Prod),
        (Some(Side::Prod), true) => Some(Side::Dev),
        (s, _) => s,
    }
}

/// One alternative: where it is, what selects it, which databases it names.
struct Alt {
    span: Range<usize>,
    side: Option<Side>,
    kinds: Kinds,
}

/// The message for two alternatives with disjoint databases; `dev` and `prod` ordered when the
/// sides are known or guessed (SQLite is the development side by convention).
fn verdict(alts: &[Alt], how: &str) -> Option<(Range<usize>, String)> {
    for (i, a) in alts.iter().enumerate() {
        for b in &alts[i + 1..] {
            if a.kinds.is_empty() || b.kinds.is_empty() || !a.kinds.is_disjoint(&b.kinds) {
                continue;
            }
            let (dev, prod) = match (a.side, b.side) {
                (Some(Side::Dev | Side::Test), _) | (_, Some(Side::Prod)) => (a, b),
                (_, Some(Side::Dev | Side::Test)) | (Some(Side::Prod), _) => (b, a),
                _ => {
                    // Nothing says which side is development (`feature = "sqlite"` against
                    // `feature = "postgres"`): name both without guessing.
                    let (x, y) = if b.kinds.contains(&Kind::Sqlite) {
                        (b, a)
                    } else {
                        (a, b)
                    };
                    let msg = format!(
                        "builds switch between {} and {} ({how}); run the same database everywhere (a container locally)",
                        show(&x.kinds),
                        show(&y.kinds)
                    );
                    let first = if a.span.start <= b.span.start { a } else { b };
                    return Some((first.span.clone(), msg));
                }
            };
            let who = if dev.side == Some(Side::Test) {
                "tests use"
            } else {
                "development uses"
            };
            let msg = format!(
                "{who} {} while production uses {} ({how}); run the same database everywhere (a container locally)",
                show(&dev.kinds),
                show(&prod.kinds)
            );
            return Some((dev.span.clone(), msg));
        }
    }
    None
}

/// The `cfg(..)` predicates of attributes, flattened; empty when there is none.
fn cfg_text(attrs: &[syn::Attribute]) -> String {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("cfg"))
        .filter_map(|a| match &a.meta {
            syn::Meta::List(l) => Some(flat(&l.tokens)),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// The names an item declares (several for a grouped `use`).
fn item_names(item: &syn::Item) -> Vec<(String, Range<usize>)> {
    let one = |i: &syn::Ident| vec![(i.to_string(), byte_range(i.span()))];
    match item {
        syn::Item::Fn(f) => one(&f.sig.ident),
        syn::Item::Type(t) => one(&t.ident),
        syn::Item::Const(c) => one(&c.ident),
        syn::Item::Static(s) => one(&s.ident),
        syn::Item::Struct(s) => one(&s.ident),
        syn::Item::Enum(e) => one(&e.ident),
        syn::Item::Mod(m) => one(&m.ident),
        syn::Item::Impl(i) => vec![(
            format!(
                "impl {}{}",
                // The whole trait path: `impl From<PgRow> for User` and
                // `impl From<SqliteRow> for User` coexist, they are not alternatives.
                i.trait_
                    .as_ref()
                    .map(|(p, _)| format!("{} for ", flat(p)))
                    .unwrap_or_default(),
                flat(&i.self_ty)
            ),
            byte_range(i.impl_token.span),
        )],
        syn::Item::Use(u) => {
            let mut out = Vec::new();
            use_names(&u.tree, &mut out);
            out
        }
        _ => Vec::new(),
    }
}

fn use_names(tree: &syn::UseTree, out: &mut Vec<(String, Range<usize>)>) {
    match tree {
        syn::UseTree::Path(p) => use_names(&p.tree, out),
        syn::UseTree::Name(n) => out.push((n.ident.to_string(), byte_range(n.ident.span()))),
        syn::UseTree::Rename(r) => out.push((r.rename.to_string(), byte_range(r.rename.span()))),
        syn::UseTree::Group(g) => g.items.iter().for_each(|t| use_names(t, out)),
        syn::UseTree::Glob(_) => {}
    }
}

/// Alternatives declared side by side under different `cfg`s, by name.
#[derive(Default)]
struct Groups {
    by_name: BTreeMap<String, Vec<(String, Alt)>>,
}

impl Groups {
    fn add(&mut self, name: String, cfg: String, span: Range<usize>, tokens: TokenStream) {
        if cfg.is_empty() {
            return;
        }
        let side = side_of_cfg(&cfg);
        self.by_name.entry(name).or_default().push((
            cfg,
            Alt {
                span,
                side,
                kinds: kinds_in(tokens),
            },
        ));
    }

    /// Reports each group whose alternatives pick disjoint databases, once per switch: the
    /// items of one `cfg` split (`DbPool`, `DbPoolOptions`, `create_pool`...) are one finding.
    fn verdicts(self, seen: &mut BTreeSet<String>, out: &mut Vec<(Range<usize>, String)>) {
        // In source order, so a switch is reported at its first item.
        let mut groups: Vec<_> = self.by_name.into_iter().collect();
        groups.sort_by_key(|(_, m)| m.iter().map(|(_, a)| a.span.start).min());
        for (name, members) in groups {
            let cfgs: BTreeSet<&str> = members.iter().map(|(c, _)| c.as_str()).collect();
            if cfgs.len() < 2 {
                continue;
            }
            let key = cfgs.iter().copied().collect::<Vec<_>>().join("|");
            if seen.contains(&key) {
                continue;
            }
            let alts: Vec<Alt> = members.into_iter().map(|(_, a)| a).collect();
            let how = if name.starts_with('<') {
                "chosen by `cfg`".to_string()
            } else {
                format!("`{name}` chosen by `cfg`")
            };
            if let Some(v) = verdict(&alts, &how) {
                seen.insert(key);
                out.push(v);
            }
        }
    }
}

/// Walks a file for the three code patterns.
struct Finder {
    include_tests: bool,
    out: Vec<(Range<usize>, String)>,
    /// The `cfg` splits already reported in this file.
    seen: BTreeSet<String>,
}

impl Finder {
    fn skip(&self, attrs: &[syn::Attribute]) -> bool {
        !self.include_tests && is_test_attrs(attrs)
    }

    /// `cfg` alternatives among sibling items.
    fn items<'i>(&mut self, items: impl IntoIterator<Item = &'i syn::Item>) {
        let mut g = Groups::default();
        for item in items {
            let attrs = crate::source::rust::item_attrs(item);
            if self.skip(attrs) {
                continue;
            }
            let cfg = cfg_text(attrs);
            for (name, span) in item_names(item) {
                g.add(name, cfg.clone(), span, item.to_token_stream());
            }
        }
        g.verdicts(&mut self.seen, &mut self.out);
    }

    /// `cfg` alternatives among the statements of a block.
    fn stmts(&mut self, stmts: &[syn::Stmt]) {
        let mut g = Groups::default();
        for s in stmts {
            let (attrs, name, span): (&[syn::Attribute], String, Range<usize>) = match s {
                syn::Stmt::Local(l) => {
                    let name = match &l.pat {
                        syn::Pat::Ident(i) => i.ident.to_string(),
                        syn::Pat::Type(t) => flat(&t.pat),
                        p => flat(p),
                    };
                    (&l.attrs, name, byte_range(l.pat.span()))
                }
                syn::Stmt::Macro(m) => (&m.attrs, "<expr>".into(), after_attrs(m)),
                syn::Stmt::Expr(e, _) => match expr_attrs(e) {
                    Some(a) => (a, "<expr>".into(), after_attrs(e)),
                    None => continue,
                },
                syn::Stmt::Item(_) => continue,
            };
            if self.skip(attrs) {
                continue;
            }
            g.add(name, cfg_text(attrs), span, s.to_token_stream());
        }
        g.verdicts(&mut self.seen, &mut self.out);
        self.items(stmts.iter().filter_map(|s| match s {
            syn::Stmt::Item(i) => Some(i),
            _ => None,
        }));
    }

    /// `cfg_if! { if #[cfg(a)] { .. } else if #[cfg(b)] { .. } else { .. } }`.
    fn cfg_if(&mut self, mac: &syn::Macro) {
        if mac.path.segments.last().is_none_or(|s| s.ident != "cfg_if") {
            return;
        }
        let mut alts = Vec::new();
        let mut cfg: Option<String> = None;
        let mut all_cfgs = Vec::new();
        let mut it = mac.tokens.clone().into_iter().peekable();
        while let Some(t) = it.next() {
            match t {
                TokenTree::Punct(p) if p.as_char() == '#' => {
                    if let Some(TokenTree::Group(g)) = it.next() {
                        let text = flat(&g.stream());
                        let pred = text
                            .strip_prefix("cfg(")
                            .and_then(|r| r.strip_suffix(')'))
                            .unwrap_or(&text)
                            .to_string();
                        all_cfgs.push(pred.clone());
                        cfg = Some(pred);
                    }
                }
                TokenTree::Group(g) if g.delimiter() == Delimiter::Brace => {
                    let side = match cfg.take() {
                        Some(c) => side_of_cfg(&c),
                        // The final `else`: the opposite of the first condition.
                        None => all_cfgs
                            .first()
                            .and_then(|c| side_of_cfg(&format!("not({c})"))),
                    };
                    alts.push(Alt {
                        span: byte_range(mac.path.span()),
                        side,
                        kinds: kinds_in(g.stream()),
                    });
                }
                _ => {}
            }
        }
        self.out.extend(verdict(&alts, "chosen by `cfg_if!`"));
    }

    /// `if cfg!(..) { a } else { b }` and `if <environment name> { a } else { b }`.
    fn if_expr(&mut self, i: &syn::ExprIf) {
        let Some((_, else_branch)) = &i.else_branch else {
            return;
        };
        let cond = flat(&i.cond);
        let side_then = if cond.contains("cfg!") {
            side_of_cfg(&cond.replace("cfg!", ""))
        } else {
            let Some(s) = env_side(&i.cond) else {
                return;
            };
            let negated = cond.starts_with('!') || cond.contains("!=");
            Some(match (s, negated) {
                (Side::Prod, true) => Side::Dev,
                (Side::Dev | Side::Test, true) => Side::Prod,
                (s, false) => s,
            })
        };
        if !cond.contains("cfg!") && side_then.is_none() {
            return;
        }
        let opposite = side_then.map(|s| match s {
            Side::Prod => Side::Dev,
            Side::Dev | Side::Test => Side::Prod,
        });
        let span = byte_range(i.if_token.span);
        let alts = [
            Alt {
                span: span.clone(),
                side: side_then,
                kinds: kinds_in(i.then_branch.to_token_stream()),
            },
            Alt {
                span,
                side: opposite,
                kinds: kinds_in(else_branch.to_token_stream()),
            },
        ];
        let how = if cond.contains("cfg!") {
            "chosen by `cfg!`"
        } else {
            "chosen by the environment name"
        };
        self.out.extend(verdict(&alts, how));
    }

    /// `match env { "production" => .., "development" => .. }`.
    fn match_expr(&mut self, m: &syn::ExprMatch) {
        let span = byte_range(m.match_token.span);
        let mut alts = Vec::new();
        let mut named = false;
        for arm in &m.arms {
            let side = pat_side(&arm.pat);
            named |= side.is_some();
            alts.push(Alt {
                span: span.clone(),
                side,
                kinds: kinds_in(arm.body.to_token_stream()),
            });
        }
        if named {
            self.out
                .extend(verdict(&alts, "chosen by the environment name"));
        }
    }
}

/// The span of the first token after the outer attributes of `node`.
fn after_attrs(node: &impl ToTokens) -> Range<usize> {
    let mut it = node.to_token_stream().into_iter().peekable();
    while let Some(t) = it.next() {
        match t {
            TokenTree::Punct(p) if p.as_char() == '#' => {
                if matches!(it.peek(), Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Bracket)
                {
                    it.next();
                }
            }
            t => return byte_range(t.span()),
        }
    }
    0..0
}

/// The attributes of an expression statement that can carry `#[cfg]`.
fn expr_attrs(e: &Expr) -> Option<&[syn::Attribute]> {
    let attrs = match e {
        Expr::Block(b) => &b.attrs,
        Expr::Call(c) => &c.attrs,
        Expr::MethodCall(m) => &m.attrs,
        Expr::Macro(m) => &m.attrs,
        Expr::Assign(a) => &a.attrs,
        Expr::Return(r) => &r.attrs,
        Expr::Path(p) => &p.attrs,
        Expr::Struct(s) => &s.attrs,
        Expr::Await(a) => &a.attrs,
        Expr::Try(t) => &t.attrs,
        _ => return None,
    };
    (!attrs.is_empty()).then_some(attrs.as_slice())
}

/// The side an `if` condition names: a string literal or identifier with an environment word.
fn env_side(cond: &Expr) -> Option<Side> {
    let mut v = Words(Vec::new());
    v.visit_expr(cond);
    v.0.iter().find_map(|w| side_of_env_word(w))
}

/// Like [`side_of_words`] for environment names only: `debug` and `release` name build
/// profiles, which `cfg!` covers.
fn side_of_env_word(text: &str) -> Option<Side> {
    let w = words(text);
    let has = |list: &[&str]| w.iter().any(|x| list.contains(&x.as_str()));
    if has(&["prod", "production", "staging", "stage", "live"]) {
        Some(Side::Prod)
    } else if has(&["dev", "development", "develop", "local"]) {
        Some(Side::Dev)
    } else if has(&["test", "testing"]) {
        Some(Side::Test)
    } else {
        None
    }
}

/// The side a `match` arm pattern names.
fn pat_side(p: &syn::Pat) -> Option<Side> {
    let mut v = Words(Vec::new());
    v.visit_pat(p);
    v.0.iter().find_map(|w| side_of_env_word(w))
}

/// String literals and identifiers of an expression or pattern.
struct Words(Vec<String>);

impl<'v> Visit<'v> for Words {
    fn visit_lit_str(&mut self, s: &'v syn::LitStr) {
        self.0.push(s.value());
    }

    fn visit_ident(&mut self, i: &'v proc_macro2::Ident) {
        self.0.push(i.to_string());
    }
}

impl<'v> Visit<'v> for Finder {
    fn visit_file(&mut self, f: &'v syn::File) {
        self.items(&f.items);
        visit::visit_file(self, f);
    }

    fn visit_item(&mut self, i: &'v syn::Item) {
        if self.skip(crate::source::rust::item_attrs(i)) {
            return;
        }
        if let syn::Item::Mod(m) = i {
            if let Some((_, items)) = &m.content {
                self.items(items);
            }
        }
        if let syn::Item::Macro(m) = i {
            self.cfg_if(&m.mac);
        }
        visit::visit_item(self, i);
    }

    fn visit_item_impl(&mut self, i: &'v syn::ItemImpl) {
        let mut g = Groups::default();
        for it in &i.items {
            let (attrs, name, span) = match it {
                syn::ImplItem::Fn(f) => (
                    &f.attrs,
                    f.sig.ident.to_string(),
                    byte_range(f.sig.ident.span()),
                ),
                syn::ImplItem::Const(c) => {
                    (&c.attrs, c.ident.to_string(), byte_range(c.ident.span()))
                }
                syn::ImplItem::Type(t) => {
                    (&t.attrs, t.ident.to_string(), byte_range(t.ident.span()))
                }
                _ => continue,
            };
            if self.skip(attrs) {
                continue;
            }
            g.add(name, cfg_text(attrs), span, it.to_token_stream());
        }
        g.verdicts(&mut self.seen, &mut self.out);
        visit::visit_item_impl(self, i);
    }

    fn visit_impl_item_fn(&mut self, f: &'v syn::ImplItemFn) {
        if !self.skip(&f.attrs) {
            visit::visit_impl_item_fn(self, f);
        }
    }

    fn visit_block(&mut self, b: &'v syn::Block) {
        self.stmts(&b.stmts);
        visit::visit_block(self, b);
    }

    fn visit_stmt(&mut self, s: &'v syn::Stmt) {
        match s {
            syn::Stmt::Local(l) if self.skip(&l.attrs) => {}
            syn::Stmt::Macro(m) if self.skip(&m.attrs) => {}
            syn::Stmt::Macro(m) => {
                self.cfg_if(&m.mac);
                visit::visit_stmt(self, s);
            }
            _ => visit::visit_stmt(self, s),
        }
    }

    fn visit_expr_if(&mut self, i: &'v syn::ExprIf) {
        self.if_expr(i);
        visit::visit_expr_if(self, i);
    }

    fn visit_expr_match(&mut self, m: &'v syn::ExprMatch) {
        self.match_expr(m);
        visit::visit_expr_match(self, m);
    }

    fn visit_expr_closure(&mut self, c: &'v syn::ExprClosure) {
        if !self.skip(&c.attrs) {
            visit::visit_expr_closure(self, c);
        }
    }
}

/// The databases a Cargo dependency declaration brings: its name and its enabled features.
fn dep_kinds(name: &str, features: &[String]) -> Kinds {
    kind_of_name(name)
        .into_iter()
        .chain(features.iter().filter_map(|f| kind_of_name(f)))
        .collect()
}

/// A Cargo dependency: optional or not, and its features.
struct Dep {
    optional: bool,
    features: Vec<String>,
}

fn cargo_deps(root: &Node) -> BTreeMap<String, Dep> {
    let mut out = BTreeMap::new();
    let mut tables: Vec<Node<'_>> = root.get("dependencies").into_iter().collect();
    if let Some(Node::Map(targets)) = root.get("target") {
        tables.extend(targets.iter().filter_map(|(_, t)| t.get("dependencies")));
    }
    for t in tables {
        let Node::Map(kv) = t else { continue };
        for (k, v) in kv {
            let features = match v.get("features") {
                Some(Node::Seq(f)) => f
                    .iter()
                    .filter_map(|n| n.as_str())
                    .map(str::to_string)
                    .collect(),
                _ => Vec::new(),
            };
            let optional = v.get("optional").and_then(|n| n.as_str()) == Some("true");
            out.insert(k.name.to_string(), Dep { optional, features });
        }
    }
    out
}

/// The features of a Cargo manifest: name → (key span, entries).
fn cargo_features(root: &Node) -> BTreeMap<String, (Range<usize>, Vec<String>)> {
    let mut out = BTreeMap::new();
    if let Some(Node::Map(kv)) = root.get("features") {
        for (k, v) in kv {
            let entries = match v {
                Node::Seq(items) => items
                    .iter()
                    .filter_map(|n| n.as_str())
                    .map(str::to_string)
                    .collect(),
                _ => Vec::new(),
            };
            out.insert(k.name.to_string(), (k.span, entries));
        }
    }
    out
}

/// The databases a feature enables, following the features it enables.
fn feature_kinds(
    name: &str,
    features: &BTreeMap<String, (Range<usize>, Vec<String>)>,
    deps: &BTreeMap<String, Dep>,
    depth: usize,
) -> Kinds {
    let mut out = Kinds::new();
    let Some((_, entries)) = features.get(name) else {
        return out;
    };
    if depth > 8 {
        return out;
    }
    for e in entries {
        if let Some(dep) = e.strip_prefix("dep:") {
            if let Some(d) = deps.get(dep) {
                out.extend(dep_kinds(dep, &d.features));
            }
        } else if let Some((dep, feat)) = e.split_once('/') {
            let dep = dep.trim_end_matches('?');
            out.extend(kind_of_name(feat));
            if let Some(d) = deps.get(dep).filter(|d| d.optional) {
                out.extend(dep_kinds(dep, &d.features));
            }
        } else if features.contains_key(e) && e != name {
            out.extend(feature_kinds(e, features, deps, depth + 1));
        } else if let Some(d) = deps.get(e.as_str()) {
            out.extend(dep_kinds(e, &d.features));
        }
    }
    out
}

/// A development-side feature (or `default`) enabling one database while the production side
/// enables another: the span of the feature's key and the message.
fn feature_split(root: &Node) -> Option<(Range<usize>, String)> {
    let features = cargo_features(root);
    if features.is_empty() {
        return None;
    }
    let deps = cargo_deps(root);
    let base: Kinds = deps
        .iter()
        .filter(|(_, d)| !d.optional)
        .flat_map(|(n, d)| dep_kinds(n, &d.features))
        .collect();
    let kinds: BTreeMap<&str, Kinds> = features
        .keys()
        .map(|f| (f.as_str(), feature_kinds(f, &features, &deps, 0)))
        .collect();
    let side = |f: &str| {
        if f == "default" {
            None
        } else {
            side_of_words(f)
        }
    };
    let prod: Kinds = kinds
        .iter()
        .filter(|(f, _)| side(f) == Some(Side::Prod))
        .flat_map(|(_, k)| k.iter().copied())
        .collect();
    // The development side: features named so, else `default`.
    let mut dev: Vec<&str> = kinds
        .keys()
        .copied()
        .filter(|f| matches!(side(f), Some(Side::Dev | Side::Test)))
        .collect();
    if dev.is_empty() && features.contains_key("default") {
        dev.push("default");
    }
    for d in dev {
        let dk = &kinds[d];
        if dk.is_empty() || !dk.is_disjoint(&base) {
            continue;
        }
        // A default build on a server database next to features for other server databases
        // is a product supporting several backends (one per deployment), not a development
        // shortcut: only an embedded default (SQLite) is.
        if d == "default" && side(d).is_none() && dk.iter().any(|k| *k != Kind::Sqlite) {
            continue;
        }
        // Production: the production-named features, else every other database feature.
        let others: Vec<&str> = if prod.is_empty() {
            kinds
                .iter()
                .filter(|(f, k)| **f != d && **f != "default" && !k.is_empty() && k.is_disjoint(dk))
                .map(|(f, _)| *f)
                .collect()
        } else {
            Vec::new()
        };
        let other: Kinds = others
            .iter()
            .flat_map(|f| kinds[f].iter().copied())
            .chain(prod.iter().copied())
            .chain(base.iter().copied())
            .collect();
        if other.is_empty() || !other.is_disjoint(dk) {
            continue;
        }
        let span = features.get(d).map(|(s, _)| s.clone())?;
        let this = match side(d) {
            Some(Side::Test) => format!("tests use {} (feature `{d}`)", show(dk)),
            Some(_) => format!("development uses {} (feature `{d}`)", show(dk)),
            None => format!("the default build uses {}", show(dk)),
        };
        let that = if others.is_empty() {
            format!("production uses {}", show(&other))
        } else {
            let names: Vec<String> = others.iter().map(|f| format!("`{f}`")).collect();
            let (noun, verb) = if names.len() == 1 {
                ("feature", "uses")
            } else {
                ("features", "use")
            };
            format!("{noun} {} {verb} {}", names.join(", "), show(&other))
        };
        return Some((
            span,
            format!("{this} while {that}; run the same database everywhere (a container locally)"),
        ));
    }
    None
}

/// Cheap count of the databases a text mentions, to rule files out before parsing.
fn kinds_mentioned(text: &str) -> usize {
    let lower = text.to_ascii_lowercase();
    [
        lower.contains("sqlite"),
        lower.contains("postgres")
            || lower.contains("pgpool")
            || lower.contains("pgconnect")
            || lower.contains("pg::"),
        lower.contains("mysql") || lower.contains("mariadb"),
        lower.contains("mongodb"),
        lower.contains("mssql") || lower.contains("tiberius"),
    ]
    .iter()
    .filter(|b| **b)
    .count()
}

impl Rule for DivergentBackingServices {
    fn inputs(&self) -> Inputs {
        Inputs {
            rust: true,
            structured: true,
            repo: true,
            ..Inputs::default()
        }
    }

    fn rust_triggers(&self) -> &'static [&'static str] {
        &[
            "sqlite",
            "postgres",
            "mysql",
            "mariadb",
            "mongodb",
            "mssql",
            "PgPool",
            "PgConnect",
        ]
    }

    fn rust_wants(&self, src: &RustText<'_>) -> bool {
        let text = src.text;
        kinds_mentioned(text) >= 2
    }

    fn crate_scope(&self) -> CrateScope {
        CrateScope::Service
    }

    fn check_rust(&self, file: &RustFile, cx: &mut RuleCtx<'_>) {
        if !cx.is_service() {
            return;
        }
        let mut f = Finder {
            include_tests: file.include_tests,
            out: Vec::new(),
            seen: BTreeSet::new(),
        };
        f.visit_file(&file.ast);
        let mut out = f.out;
        out.sort_by_key(|(s, _)| (s.start, s.end));
        out.dedup_by_key(|(s, _)| file.line_of(s.start));
        for (span, message) in out {
            cx.report(
                Violation::new(span, message)
                    .label("the database differs between environments")
                    .help(HELP),
            );
        }
    }

    fn check_structured(&self, file: &StructuredFile, cx: &mut RuleCtx<'_>) {
        if matches!(file.source.kind, FileKind::Yaml | FileKind::Json) {
            deploy::record(file, cx);
            return;
        }
        if file.source.kind != FileKind::CargoToml {
            return;
        }
        let Some(root) = file.docs().next() else {
            return;
        };
        if root.get("package").is_none() {
            return;
        }
        if let Some((span, message)) = feature_split(&root) {
            cx.fact(FEATURES, span, message);
        }
    }

    fn check_repo(&self, repo: &RepoIndex, cx: &mut RepoCtx<'_>) {
        deploy::decide(repo, cx);
        for f in repo.facts(RuleId::DivergentBackingServices) {
            if f.kind != FEATURES {
                continue;
            }
            // Libraries offer backends as features; only binaries choose one.
            let is_bin = repo
                .crates
                .iter()
                .any(|c| c.manifest == f.path && c.has_bin);
            if !is_bin {
                continue;
            }
            cx.report(
                &f.path,
                Violation::new(f.span.clone(), f.detail.clone())
                    .label("the database differs between builds")
                    .help(HELP),
            );
        }
    }
}

/// The compose and Kubernetes part: backing service images compared across environments.
mod deploy {
    use std::collections::BTreeMap;

    use crate::registry::RuleId;
    use crate::rule::prelude::*;
    use crate::source::compose::environment_of;
    use crate::source::dockerfile::split_image;

    /// Fact kind: a backing service image of a compose file or Kubernetes manifest.
    const IMAGE: &str = "image";
    const SEP: char = '\u{1f}';

    /// A backing service product, from an image name: (key, display name).
    pub(super) fn product(image: &str) -> Option<(&'static str, &'static str)> {
        let (name, _, _) = split_image(image.trim());
        let name = name.to_ascii_lowercase();
        let last = name.rsplit('/').next().unwrap_or(&name);
        let owner = name.rsplit('/').nth(1).unwrap_or("");
        Some(match last {
            "postgres" | "postgresql" | "postgis" | "postgresql-repmgr" => {
                ("postgres", "PostgreSQL")
            }
            "mysql" | "mysql-server" => ("mysql", "MySQL"),
            "mariadb" | "mariadb-galera" => ("mariadb", "MariaDB"),
            "redis" | "redis-stack" | "redis-stack-server" => ("redis", "Redis"),
            "valkey" => ("valkey", "Valkey"),
            "keydb" => ("keydb", "KeyDB"),
            "mongo" | "mongodb" | "mongodb-community-server" => ("mongo", "MongoDB"),
            "rabbitmq" => ("rabbitmq", "RabbitMQ"),
            "memcached" => ("memcached", "Memcached"),
            "elasticsearch" => ("elasticsearch", "Elasticsearch"),
            "opensearch" => ("opensearch", "OpenSearch"),
            "cassandra" => ("cassandra", "Cassandra"),
            "clickhouse-server" | "clickhouse" => ("clickhouse", "ClickHouse"),
            "server" if owner == "mssql" => ("mssql", "SQL Server"),
            "nats" => ("nats", "NATS"),
            "kafka" if owner != "cp-kafka" => ("kafka", "Kafka"),
            _ => return None,
        })
    }

    /// The major version of an image's tag; `None` when unknown (no tag, `latest`, a variable).
    pub(super) fn major(image: &str) -> Option<u32> {
        let (_, tag, _) = split_image(image.trim());
        let tag = tag?;
        if tag.contains('$') || tag.contains('{') {
            return None;
        }
        let t = tag.strip_prefix('v').unwrap_or(tag);
        let digits: String = t.chars().take_while(char::is_ascii_digit).collect();
        digits.parse().ok()
    }

    /// Environment words a folder may be named after.
    const ENV_DIRS: &[&str] = &[
        "dev",
        "development",
        "local",
        "test",
        "testing",
        "ci",
        "prod",
        "production",
        "staging",
        "stage",
        "live",
        "qa",
        "uat",
    ];

    /// The environment of a compose file and the folder its siblings share: from the file name
    /// (`docker-compose.prod.yml`), else from its folder (`deploy/prod/docker-compose.yml`).
    pub(super) fn environment(path: &str) -> (Option<String>, String) {
        let (dir, _) = path.rsplit_once('/').unwrap_or(("", path));
        if let Some(env) = environment_of(path) {
            return (Some(env), dir.to_string());
        }
        let (parent, name) = dir.rsplit_once('/').unwrap_or(("", dir));
        if ENV_DIRS.contains(&name.to_ascii_lowercase().as_str()) {
            return (Some(name.to_ascii_lowercase()), format!("{parent}/"));
        }
        (None, dir.to_string())
    }

    /// Backing products a compose file may be named after (`docker-compose.mysql.yaml`).
    const PRODUCT_WORDS: &[&str] = &[
        "mysql",
        "mariadb",
        "postgres",
        "postgresql",
        "pg",
        "sqlite",
        "spanner",
        "mongo",
        "mongodb",
        "redis",
        "valkey",
        "mssql",
        "sqlserver",
        "cockroach",
        "cockroachdb",
        "cassandra",
        "dynamodb",
        "memcached",
    ];

    /// Whether a compose file's name marks a variant of the stack rather than an environment:
    /// `docker-compose.postgres.yaml` next to `docker-compose.mysql.yaml` are two supported
    /// backends (each deployment picks one), and `compose.monitoring.yml` is another stack.
    /// Only environment words (`dev`, `prod`, `override`...) make two files two environments.
    fn is_variant(env: Option<&str>) -> bool {
        let Some(env) = env else { return false };
        let words: Vec<&str> = env.split(['.', '-', '_']).collect();
        words.iter().any(|w| PRODUCT_WORDS.contains(w))
            || !words
                .iter()
                .any(|w| ENV_DIRS.contains(w) || *w == "override" || *w == "e2e")
    }

    /// How production-like an environment is: the finding goes on the higher one.
    fn prod_rank(env: Option<&str>) -> u8 {
        match env {
            Some(e)
                if [
                    "prod",
                    "production",
                    "staging",
                    "stage",
                    "live",
                    "release",
                    "deploy",
                    "uat",
                ]
                .iter()
                .any(|w| e.split(['.', '-', '_']).any(|p| p == *w)) =>
            {
                3
            }
            None => 2,
            Some(_) => 1,
        }
    }

    /// Records the backing service images of a compose file or Kubernetes manifest.
    pub(super) fn record(file: &StructuredFile, cx: &mut RuleCtx<'_>) {
        let src = file.source;
        let mut found: Vec<(&str, String, String, std::ops::Range<usize>)> = Vec::new();
        if let Some(c) = ComposeFile::from_structured(file) {
            for s in &c.services {
                if s.build {
                    continue;
                }
                if let Some(i) = &s.image {
                    found.push(("compose", s.name.clone(), i.value.clone(), i.span.clone()));
                }
            }
        } else if let Some(k) = K8sFile::from_structured(file) {
            for o in &k.objects {
                if !o.is_long_running() {
                    continue;
                }
                for c in o.containers.iter().filter(|c| !c.init) {
                    if let Some(i) = &c.image {
                        let who = format!("{} `{}`", o.kind, o.name.as_deref().unwrap_or(&c.name));
                        found.push((
                            "k8s",
                            format!("{}{SEP}{who}", c.name),
                            i.value.clone(),
                            i.span.clone(),
                        ));
                    }
                }
            }
        }
        for (origin, name, image, span) in found {
            if product(&image).is_none() {
                continue;
            }
            let (line, _) = src.lines.line_col(&src.text, span.start);
            let detail = format!("{origin}{SEP}{line}{SEP}{image}{SEP}{name}");
            cx.fact(IMAGE, span, detail);
        }
    }

    /// One recorded image.
    struct Img<'a> {
        path: &'a str,
        span: std::ops::Range<usize>,
        compose: bool,
        line: &'a str,
        image: &'a str,
        /// The compose service, or the container name for Kubernetes.
        name: &'a str,
        /// How a Kubernetes workload is named in messages.
        who: &'a str,
        product: (&'static str, &'static str),
        major: Option<u32>,
    }

    impl Img<'_> {
        fn show(&self) -> String {
            match self.major {
                Some(m) => format!("{} {m} (`{}`)", self.product.1, self.image.trim()),
                None => format!("{} (`{}`)", self.product.1, self.image.trim()),
            }
        }

        fn at(&self) -> String {
            format!("{}:{}", self.path, self.line)
        }
    }

    /// Why two images of one service differ, if they do.
    fn differ(a: &Img<'_>, b: &Img<'_>) -> bool {
        if a.product.0 != b.product.0 {
            return true;
        }
        matches!((a.major, b.major), (Some(x), Some(y)) if x != y)
    }

    pub(super) fn decide(repo: &RepoIndex, cx: &mut RepoCtx<'_>) {
        let imgs: Vec<Img<'_>> = repo
            .facts(RuleId::DivergentBackingServices)
            .filter(|f| f.kind == IMAGE)
            .filter_map(|f| {
                let mut parts = f.detail.split(SEP);
                let origin = parts.next()?;
                let line = parts.next()?;
                let image = parts.next()?;
                let name = parts.next()?;
                let who = parts.next().unwrap_or("");
                Some(Img {
                    path: &f.path,
                    span: f.span.clone(),
                    compose: origin == "compose",
                    line,
                    image,
                    name,
                    who,
                    product: product(image)?,
                    major: major(image),
                })
            })
            .collect();
        let mut by_file: BTreeMap<&str, Vec<&Img<'_>>> = BTreeMap::new();
        for i in imgs.iter().filter(|i| i.compose) {
            by_file.entry(i.path).or_default().push(i);
        }
        let count = |file: &[&Img<'_>], product: &str| {
            file.iter().filter(|i| i.product.0 == product).count()
        };
        let files: Vec<(&str, &Vec<&Img<'_>>)> = by_file.iter().map(|(k, v)| (*k, v)).collect();
        let mut reported = std::collections::BTreeSet::new();
        // Compose against compose, within one set of environment files.
        for (ai, (pa, a)) in files.iter().enumerate() {
            let (ea, ga) = environment(pa);
            for (pb, b) in &files[ai + 1..] {
                let (eb, gb) = environment(pb);
                if ga != gb || ea == eb || is_variant(ea.as_deref()) || is_variant(eb.as_deref()) {
                    continue;
                }
                for x in a.iter() {
                    for y in b.iter() {
                        let same_name = x.name == y.name;
                        let same_product = x.product.0 == y.product.0
                            && count(a, x.product.0) == 1
                            && count(b, y.product.0) == 1;
                        if !(same_name || same_product) || !differ(x, y) {
                            continue;
                        }
                        let (here, there) = if prod_rank(eb.as_deref()) > prod_rank(ea.as_deref()) {
                            (y, x)
                        } else {
                            (x, y)
                        };
                        if !reported.insert((here.path, here.span.start)) {
                            continue;
                        }
                        let other = if same_name {
                            String::new()
                        } else {
                            format!("service `{}` runs ", there.name)
                        };
                        let msg = format!(
                            "service `{}` runs {} here but {other}{} in {}; run the same backing service and major version in every environment",
                            here.name,
                            here.show(),
                            there.show(),
                            there.at()
                        );
                        cx.report(here.path, violation(here, msg));
                    }
                }
            }
        }
        // Kubernetes against compose.
        for k in imgs.iter().filter(|i| !i.compose) {
            let other = files.iter().find_map(|(_, f)| {
                f.iter().copied().find(|c| {
                    (c.name == k.name && c.product.0 != k.product.0)
                        || (c.product.0 == k.product.0
                            && count(f, c.product.0) == 1
                            && differ(k, c))
                })
            });
            let Some(c) = other else { continue };
            let msg = format!(
                "{} runs {} while {} runs {}; run the same backing service and major version in development and production",
                k.who,
                k.show(),
                c.at(),
                c.show()
            );
            cx.report(k.path, violation(k, msg));
        }
    }

    fn violation(at: &Img<'_>, msg: String) -> Violation {
        Violation::new(at.span.clone(), msg)
            .label("the backing service differs between environments")
            .help("pin one product and major version for the service in every compose file and manifest, and upgrade them together")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images() {
        assert_eq!(
            deploy::product("postgres:16-alpine").map(|p| p.0),
            Some("postgres")
        );
        assert_eq!(
            deploy::product("bitnami/postgresql:16.2.0").map(|p| p.0),
            Some("postgres")
        );
        assert_eq!(
            deploy::product("mcr.microsoft.com/mssql/server:2022-latest").map(|p| p.0),
            Some("mssql")
        );
        assert_eq!(deploy::product("acme/api:1.0"), None);
        assert_eq!(deploy::major("postgres:16-alpine"), Some(16));
        assert_eq!(deploy::major("postgres:16.3"), Some(16));
        assert_eq!(deploy::major("postgres:${PG}"), None);
        assert_eq!(deploy::major("postgres"), None);
        assert_eq!(
            deploy::environment("docker-compose.prod.yml"),
            (Some("prod".into()), String::new())
        );
        assert_eq!(
            deploy::environment("deploy/prod/docker-compose.yml"),
            (Some("prod".into()), "deploy/".into())
        );
        assert_eq!(
            deploy::environment("docker/docker-compose.yml"),
            (None, "docker".into())
        );
    }

    #[test]
    fn kinds() {
        assert_eq!(kind_of_name("SqlitePool"), Some(Kind::Sqlite));
        assert_eq!(kind_of_name("PgPool"), Some(Kind::Postgres));
        assert_eq!(kind_of_name("tokio_postgres"), Some(Kind::Postgres));
        assert_eq!(kind_of_name("MySqlPool"), Some(Kind::Mysql));
        assert_eq!(kind_of_name("Page"), None);
        assert_eq!(kind_of_name("pg_pool"), Some(Kind::Postgres));
        assert_eq!(kind_of_literal("sqlite://dev.db"), Some(Kind::Sqlite));
        assert_eq!(kind_of_literal("dev.db"), Some(Kind::Sqlite));
        assert_eq!(kind_of_literal("postgres://db/app"), Some(Kind::Postgres));
        assert_eq!(kind_of_literal("https://x"), None);
        assert_eq!(side_of_cfg("debug_assertions"), Some(Side::Dev));
        assert_eq!(side_of_cfg("not(debug_assertions)"), Some(Side::Prod));
        assert_eq!(side_of_cfg("feature=\"local-dev\""), Some(Side::Dev));
        assert_eq!(side_of_cfg("feature=\"postgres\""), None);
    }
}
