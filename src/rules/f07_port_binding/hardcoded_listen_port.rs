//! TC0701: a service listening on a port written in its code.
//!
//! Also home of the listen-site analysis shared with TC0702: which calls make a service listen,
//! and what their address is made of (host and port, followed through `let`s and consts).

use std::ops::Range;

use proc_macro2::TokenStream;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::visit::{self, Visit};
use syn::{Expr, Lit, Token};

use crate::rule::prelude::*;
use crate::source::flow::{self, Binding, Piece, Scope, Value};
use crate::source::rust::{byte_range, is_test_attrs, parse_macro_body, MacroBody};
use crate::source::structured::Node;

declare_rule! {
    /// ## What it does
    /// Flags a service that listens on a port written in its code:
    /// - `TcpListener::bind("0.0.0.0:8080")` of std, tokio, async-std, smol, poem and
    ///   actix-web's re-export (which also serves axum 0.7+ `axum::serve(listener, app)` and
    ///   hyper 1.x), salvo's `TcpListener::new("0.0.0.0:5800")`, `QuinnListener::new` and
    ///   `.quinn("0.0.0.0:443")`;
    /// - `axum::Server::bind(&addr)` (axum 0.6), hyper 0.14 `Server::bind`/`try_bind`,
    ///   `axum_server::bind`;
    /// - actix-web and ntex `HttpServer::new(..).bind(("0.0.0.0", 8080))` and the other
    ///   `bind_*` methods, actix-server's `.bind("name", addr, ..)`;
    /// - warp `serve(..).run(([127, 0, 0, 1], 3030))` and `.bind(..)`, tonic
    ///   `Server::builder()..serve(addr)`/`serve_with_shutdown`, tide `app.listen("127.0.0.1:8080")`,
    ///   tiny_http `Server::http("0.0.0.0:8000")`, rouille `start_server`, gotham `start`,
    ///   trillium `with_port(8080)`, dropshot `ConfigDropshot { bind_address }`, and the
    ///   Prometheus exporter's `with_http_listener(([0, 0, 0, 0], 9000))`;
    /// - an explicit Rocket port: `rocket::Config { port: 8000, .. }`, `.merge(("port", 8000))`
    ///   on Rocket's figment, Rocket 0.4 `Config::build(..).port(8000)`: each overrides
    ///   `ROCKET_PORT`;
    /// - `server.port: 5150` in a loco-rs `config/<environment>.yaml` other than `development`
    ///   and `test`, unless the crate is deployed on Shuttle (`shuttle-runtime`), which binds the
    ///   socket itself.
    ///
    /// The address is followed through `let`s, `for` loops over literal lists, consts,
    /// `SocketAddr::from`/`new`, `Ipv4Addr::new`, `.parse()`, `.into()` and `format!` (inline
    /// `{port}` captures too): `let addr = SocketAddr::from(([0, 0, 0, 0], PORT))` is reported at
    /// `PORT`'s literal, also when `PORT` is a const of another file of the crate (a const whose
    /// name says port, addr, bind or listen). A parameter is followed to the calls of its
    /// function in the same file (`serve(app, 3000)`). The finding is on the literal port: the
    /// integer, or the string literal holding it.
    ///
    /// Not flagged: a port read from the environment (`PORT`, `HTTP_PORT`, `APP_PORT`,
    /// `SERVER_PORT` or any other variable), even with a literal fallback
    /// (`env::var("PORT").unwrap_or("8080".into())`); ports from config structs, command-line
    /// arguments, function parameters or helper functions (their origin is unknown); port `0`
    /// (an ephemeral port, for tests and tools); Rocket's own `rocket::build().launch()`, which
    /// reads `ROCKET_PORT`, and `.join(("port", 8000))`, which the environment still overrides;
    /// UDP and Unix sockets; test code and library crates.
    ///
    /// Other files consulted: the crate's `Cargo.toml` decides whether the code belongs to a
    /// service and whether a `config/*.yaml` is a loco-rs configuration; the crate's other Rust
    /// files, for the consts a listen call uses.
    ///
    /// ## Measured
    /// On the real-world corpus (`benches/realworld/`, 26 repositories, 2026-12-03): 4 findings, 4
    /// right, 0 wrong, 0 debatable; verdict precision 1.00.
    ///
    /// ## Why is this bad?
    /// Factor VII: a twelve-factor app exports its service by binding to a port it is given.
    /// Platforms (Heroku, Cloud Run, Fly, Kubernetes with several containers per pod, a second
    /// instance on the same host for a blue/green switch) assign the port through the `PORT`
    /// environment variable; a port fixed in the code cannot follow them without a new release.
    ///
    /// ## Example
    /// ```rust
    /// let listener = tokio::net::TcpListener::bind("0.0.0.0:8080").await?;
    /// axum::serve(listener, app).await?;
    /// ```
    ///
    /// Use instead:
    /// ```rust
    /// let port: u16 = std::env::var("PORT").ok().and_then(|p| p.parse().ok()).unwrap_or(8080);
    /// let listener = tokio::net::TcpListener::bind(("0.0.0.0", port)).await?;
    /// axum::serve(listener, app).await?;
    /// ```
    ///
    /// ## References
    /// - <https://12factor.net/port-binding>
    /// - <https://devcenter.heroku.com/articles/dynos#local-environment-variables>
    /// - <https://rocket.rs/guide/v0.5/configuration/>
    pub HardcodedListenPort {
        code: "TC0701", name: "hardcoded-listen-port",
        factor: PortBinding, severity: Error, preview: false, since: "0.1.0",
    }
}

/// Rust triggers shared with TC0702.
pub(crate) const TRIGGERS: &[&str] = &[
    "bind",
    "listen",
    "serve(",
    "serve_with",
    "::http(",
    "::https(",
    "start_server",
    "gotham",
    "rocket",
    "figment",
    "with_port",
    "with_host",
];

/// TC0701's triggers: the listen calls, plus the consts of files that may only define a port.
const TRIGGERS_WITH_CONSTS: &[&str] = &[
    "bind",
    "listen",
    "serve(",
    "serve_with",
    "::http(",
    "::https(",
    "start_server",
    "gotham",
    "rocket",
    "figment",
    "with_port",
    "with_host",
    "const ",
    "static ",
];

/// Fact kind: `server.port` of a loco-rs configuration file, decided in `check_repo`.
const LOCO_PORT: &str = "loco-port";
/// Fact kind: a port const of another file used to listen; detail: the const's name.
const CONST_USE: &str = "const-use";
/// Fact kind: a port const defined in this file; detail: `NAME=port`.
const CONST_DEF: &str = "const-def";

fn regex(cell: &'static std::sync::OnceLock<regex::Regex>, pattern: &str) -> &'static regex::Regex {
    cell.get_or_init(|| {
        regex::Regex::new(pattern).unwrap_or_else(|e| unreachable!("constant regex: {e}"))
    })
}

/// The host part of a listen address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Host {
    /// A loopback address (`127.0.0.1`, `localhost`, `::1`, `Ipv4Addr::LOCALHOST`).
    Loopback {
        /// The address as written or as the constant stands for.
        text: String,
        /// Where it is written.
        span: Range<usize>,
    },
    /// Every interface (`0.0.0.0`, `::`, `Ipv4Addr::UNSPECIFIED`, an empty host).
    Any,
    /// Another fixed host or address.
    Other,
    /// Not known from the code (the environment, a config struct, a parameter).
    Unknown,
    /// Not set by this site (a configuration that sets only the port).
    Unset,
}

/// The port part of a listen address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Port {
    /// A port fixed in the code, and the literal holding it.
    Fixed {
        /// The port number (`0` is an ephemeral port).
        value: u16,
        /// The integer literal, or the string literal holding it.
        span: Range<usize>,
    },
    /// Not known from the code.
    Unknown,
    /// A const this file does not define (`use crate::config::PORT`): decided across files.
    Const {
        /// The const's name.
        name: String,
        /// Where it is used.
        span: Range<usize>,
    },
}

/// Which API a listen site goes through: it changes what to advise.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Via {
    /// A socket or server bind call.
    Bind,
    /// An explicit Rocket configuration (overrides `ROCKET_PORT`/`ROCKET_ADDRESS`).
    Rocket,
}

/// A place where a service listens, with what its address is made of.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Listen {
    /// The host part.
    pub host: Host,
    /// The port part.
    pub port: Port,
    /// The API used.
    pub via: Via,
}

/// Owners of `bind`-like functions that are not listeners.
const NOT_LISTENERS: &[&str] = &[
    "UdpSocket",
    "UnixListener",
    "UnixDatagram",
    "UnixStream",
    "TcpStream",
];

/// Methods that pass an address through unchanged (`"0.0.0.0:80".parse().unwrap()`).
const TRANSPARENT: &[&str] = &[
    "parse",
    "into",
    "try_into",
    "unwrap",
    "expect",
    "to_string",
    "to_owned",
    "clone",
    "as_str",
    "as_ref",
    "to_socket_addrs",
    "next",
    "borrow",
];

/// Every place in `file` where the service listens, with its address as far as the code says.
/// Functions are analysed one at a time with their own `let`s and the file's consts; a
/// parameter is followed to the calls of its function in the same file. Test code is skipped
/// unless the run includes tests.
pub(crate) fn listens(file: &RustFile) -> Vec<Listen> {
    let mut bodies = Bodies {
        include_tests: file.include_tests,
        fns: Vec::new(),
        exprs: Vec::new(),
    };
    bodies.visit_file(&file.ast);
    let file_scope = Scope::for_file(&file.ast);
    // Macro bodies parsed once, so that calls inside `tokio::join!(serve(app, 3000))` count.
    let mut parsed: Vec<(usize, Expr)> = Vec::new();
    for (i, f) in bodies.fns.iter().enumerate() {
        let mut m = MacroBodies {
            block: i,
            out: &mut parsed,
        };
        m.visit_block(f.block);
    }
    let mut calls = Vec::new();
    for (i, f) in bodies.fns.iter().enumerate() {
        CallSites {
            block: i,
            out: &mut calls,
        }
        .visit_block(f.block);
    }
    for (i, e) in &parsed {
        CallSites {
            block: *i,
            out: &mut calls,
        }
        .visit_expr(e);
    }
    let mut scopes: Vec<Scope<'_>> = bodies
        .fns
        .iter()
        .map(|f| file_scope.with_block(f.block))
        .collect();
    scopes.push(file_scope.clone());
    let ctx = Ctx {
        file,
        scopes,
        fns: &bodies.fns,
        calls,
    };
    let mut out = Vec::new();
    for (i, f) in bodies.fns.iter().enumerate() {
        Walker {
            ctx: &ctx,
            block: i,
            out: &mut out,
        }
        .visit_block(f.block);
    }
    for e in &bodies.exprs {
        Walker {
            ctx: &ctx,
            block: bodies.fns.len(),
            out: &mut out,
        }
        .visit_expr(e);
    }
    out
}

/// A function of the file: its name, parameters and body.
struct FnBody<'a> {
    name: String,
    /// Parameter names (`None` for patterns), without `self`.
    params: Vec<Option<String>>,
    /// Whether it takes `self` (its calls are method calls, not followed).
    method: bool,
    block: &'a syn::Block,
}

impl<'a> FnBody<'a> {
    fn new(sig: &syn::Signature, block: &'a syn::Block) -> Self {
        let mut method = false;
        let params = sig
            .inputs
            .iter()
            .filter_map(|a| match a {
                syn::FnArg::Receiver(_) => {
                    method = true;
                    None
                }
                syn::FnArg::Typed(t) => Some(match &*t.pat {
                    syn::Pat::Ident(i) => Some(i.ident.to_string()),
                    _ => None,
                }),
            })
            .collect();
        FnBody {
            name: sig.ident.to_string(),
            params,
            method,
            block,
        }
    }
}

/// A call of a function by path (`serve(app, 3000)`, `Self::run(addr)`), in body `block`.
struct CallSite<'x> {
    callee: String,
    args: Vec<&'x Expr>,
    block: usize,
}

/// What the analysis of one file knows: a scope per body (the last one is the file's), the
/// functions and the calls between them.
struct Ctx<'x> {
    file: &'x RustFile<'x>,
    scopes: Vec<Scope<'x>>,
    fns: &'x [FnBody<'x>],
    calls: Vec<CallSite<'x>>,
}

/// Collects the function bodies and item initialisers of a file, skipping test code.
struct Bodies<'a> {
    include_tests: bool,
    fns: Vec<FnBody<'a>>,
    exprs: Vec<&'a Expr>,
}

/// Parses the macro bodies of one function (nested macros too) into expressions.
struct MacroBodies<'o> {
    block: usize,
    out: &'o mut Vec<(usize, Expr)>,
}

impl MacroBodies<'_> {
    fn tokens(&mut self, tokens: TokenStream) {
        let exprs = Punctuated::<Expr, Token![,]>::parse_terminated;
        let parsed: Vec<Expr> = if let Ok(exprs) = syn::parse::Parser::parse2(exprs, tokens.clone())
        {
            exprs.into_iter().collect()
        } else if let Ok(stmts) =
            syn::parse::Parser::parse2(syn::Block::parse_within, tokens.clone())
        {
            vec![Expr::Block(syn::ExprBlock {
                attrs: Vec::new(),
                label: None,
                block: syn::Block {
                    brace_token: Default::default(),
                    stmts,
                },
            })]
        } else {
            for t in tokens {
                if let proc_macro2::TokenTree::Group(g) = t {
                    self.tokens(g.stream());
                }
            }
            return;
        };
        for e in parsed {
            self.visit_expr(&e);
            self.out.push((self.block, e));
        }
    }
}

impl<'ast> Visit<'ast> for MacroBodies<'_> {
    fn visit_item(&mut self, _: &'ast syn::Item) {}

    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        if !m.path.is_ident("macro_rules") {
            self.tokens(m.tokens.clone());
        }
    }
}

/// Collects the calls by path of one body (macro bodies are handled by [`MacroBodies`]).
struct CallSites<'o, 'x> {
    block: usize,
    out: &'o mut Vec<CallSite<'x>>,
}

impl<'x> Visit<'x> for CallSites<'_, 'x> {
    fn visit_item(&mut self, _: &'x syn::Item) {}

    fn visit_macro(&mut self, _: &'x syn::Macro) {}

    fn visit_expr_call(&mut self, c: &'x syn::ExprCall) {
        if let Expr::Path(p) = &*c.func {
            if let Some(last) = p.path.segments.last() {
                self.out.push(CallSite {
                    callee: last.ident.to_string(),
                    args: c.args.iter().collect(),
                    block: self.block,
                });
            }
        }
        visit::visit_expr_call(self, c);
    }
}

impl Bodies<'_> {
    fn skip(&self, attrs: &[syn::Attribute]) -> bool {
        !self.include_tests && is_test_attrs(attrs)
    }
}

impl<'a> Visit<'a> for Bodies<'a> {
    fn visit_item_fn(&mut self, f: &'a syn::ItemFn) {
        if self.skip(&f.attrs) {
            return;
        }
        self.fns.push(FnBody::new(&f.sig, &f.block));
        visit::visit_item_fn(self, f);
    }

    fn visit_impl_item_fn(&mut self, f: &'a syn::ImplItemFn) {
        if self.skip(&f.attrs) {
            return;
        }
        self.fns.push(FnBody::new(&f.sig, &f.block));
        visit::visit_impl_item_fn(self, f);
    }

    fn visit_trait_item_fn(&mut self, f: &'a syn::TraitItemFn) {
        if self.skip(&f.attrs) {
            return;
        }
        if let Some(b) = &f.default {
            self.fns.push(FnBody::new(&f.sig, b));
        }
        visit::visit_trait_item_fn(self, f);
    }

    fn visit_item_mod(&mut self, m: &'a syn::ItemMod) {
        if !self.skip(&m.attrs) {
            visit::visit_item_mod(self, m);
        }
    }

    fn visit_item_impl(&mut self, i: &'a syn::ItemImpl) {
        if !self.skip(&i.attrs) {
            visit::visit_item_impl(self, i);
        }
    }

    fn visit_item_const(&mut self, c: &'a syn::ItemConst) {
        if !self.skip(&c.attrs) {
            self.exprs.push(&c.expr);
        }
    }

    fn visit_item_static(&mut self, s: &'a syn::ItemStatic) {
        if !self.skip(&s.attrs) {
            self.exprs.push(&s.expr);
        }
    }
}

/// Walks one body and records its listen sites. Nested items are walked on their own.
struct Walker<'s, 'x> {
    ctx: &'s Ctx<'x>,
    /// Index of the body in `ctx.scopes`.
    block: usize,
    out: &'s mut Vec<Listen>,
}

impl<'x> Walker<'_, 'x> {
    fn eval(&self) -> Eval<'_, 'x> {
        Eval {
            ctx: self.ctx,
            block: self.block,
            depth: 0,
        }
    }

    fn push_addrs(&mut self, e: &Expr, via: Via) {
        let addrs = self.eval().addrs(e);
        self.out.extend(
            addrs
                .into_iter()
                .map(|(host, port)| Listen { host, port, via }),
        );
    }

    fn check_call(&mut self, c: &syn::ExprCall) {
        let Expr::Path(p) = &*c.func else {
            return;
        };
        let callee = self.ctx.file.resolve(&p.path);
        let mut segs = callee.rsplit("::");
        let last = segs.next().unwrap_or("");
        let owner = segs.next().unwrap_or("");
        if NOT_LISTENERS.contains(&owner) {
            return;
        }
        let listens = last == "bind"
            || last == "try_bind"
            || (last.starts_with("bind_") && !is_unix(last))
            || (owner.ends_with("Listener") && last == "new")
            || (owner == "TcpIncoming" && last == "new")
            || (owner == "Server" && (last == "http" || last == "https"))
            || (callee.starts_with("rouille::") && (last == "start_server" || last == "new"))
            || (callee.starts_with("gotham::")
                && (last.starts_with("start") || last == "init_server"));
        if listens {
            for a in &c.args {
                self.push_addrs(a, Via::Bind);
            }
        }
    }

    fn check_method(&mut self, m: &syn::ExprMethodCall) {
        let name = m.method.to_string();
        let root = self.root(&m.receiver).to_ascii_lowercase();
        // `sqlx::query("..").bind(..)` binds a query parameter.
        if root
            .rsplit("::")
            .next()
            .is_some_and(|r| r.starts_with("query"))
            || root.starts_with("sqlx")
        {
            return;
        }
        let listens = name == "bind"
            || name == "try_bind"
            || ((name.starts_with("bind_") || name.starts_with("try_bind_")) && !is_unix(&name))
            || name == "listen"
            || name == "run"
            || name == "serve"
            || name.starts_with("serve_with")
            || name == "quinn"
            || name == "with_http_listener";
        if listens {
            for a in &m.args {
                self.push_addrs(a, Via::Bind);
            }
            return;
        }
        let rocket = root.contains("rocket") || root.contains("figment");
        // Figment: `merge` overrides the environment, `join` does not.
        if name == "merge" && rocket {
            if let Some(Expr::Tuple(t)) = m.args.first().map(strip) {
                let key = match t.elems.first() {
                    Some(Expr::Lit(syn::ExprLit {
                        lit: Lit::Str(s), ..
                    })) => s.value(),
                    _ => return,
                };
                if let Some(v) = t.elems.iter().nth(1) {
                    self.config_value(&key, v, Via::Rocket);
                }
            }
            return;
        }
        let key = match name.as_str() {
            "port" | "address" if rocket => Some((name.as_str(), Via::Rocket)),
            "with_port" if root.contains("trillium") => Some(("port", Via::Bind)),
            "with_host" if root.contains("trillium") => Some(("address", Via::Bind)),
            _ => None,
        };
        if let (Some((key, via)), Some(v)) = (key, m.args.first()) {
            self.config_value(key, v, via);
        }
    }

    /// A `port` or `address` set in a framework's configuration.
    fn config_value(&mut self, key: &str, v: &Expr, via: Via) {
        let mut ev = self.eval();
        match key {
            "port" => {
                let ports = ev.ports(v);
                self.out.extend(ports.into_iter().map(|port| Listen {
                    host: Host::Unset,
                    port,
                    via,
                }));
            }
            "address" => {
                let host = ev.host(v);
                self.out.extend(host.map(|host| Listen {
                    host,
                    port: Port::Unknown,
                    via,
                }));
            }
            _ => {}
        }
    }

    fn check_struct(&mut self, s: &syn::ExprStruct) {
        let path = self.ctx.file.resolve(&s.path);
        let last = path.rsplit("::").next().unwrap_or("");
        let rocket = self.ctx.file.names(&path, "rocket", "Config");
        for f in &s.fields {
            let syn::Member::Named(field) = &f.member else {
                continue;
            };
            let field = field.to_string();
            if rocket && (field == "port" || field == "address") {
                self.config_value(&field, &f.expr, Via::Rocket);
            } else if last == "ConfigDropshot" && field == "bind_address" {
                self.push_addrs(&f.expr, Via::Bind);
            }
        }
    }

    /// The resolved path at the root of a method receiver chain (`""` when there is none).
    fn root(&self, mut e: &Expr) -> String {
        loop {
            match e {
                Expr::MethodCall(m) => e = &m.receiver,
                Expr::Await(a) => e = &a.base,
                Expr::Try(t) => e = &t.expr,
                Expr::Paren(p) => e = &p.expr,
                Expr::Reference(r) => e = &r.expr,
                Expr::Call(c) => match &*c.func {
                    Expr::Path(p) => return self.ctx.file.resolve(&p.path),
                    _ => return String::new(),
                },
                Expr::Path(p) => return self.ctx.file.resolve(&p.path),
                _ => return String::new(),
            }
        }
    }

    /// Looks inside a macro body: as expressions, as statements, or group by group.
    fn visit_tokens(&mut self, tokens: TokenStream) {
        let tokens = match parse_macro_body(tokens) {
            MacroBody::Exprs(exprs) => return exprs.iter().for_each(|e| self.visit_expr(e)),
            MacroBody::Stmts(stmts) => return stmts.iter().for_each(|s| self.visit_stmt(s)),
            MacroBody::Tokens(tokens) => tokens,
        };
        for t in tokens {
            if let proc_macro2::TokenTree::Group(g) = t {
                self.visit_tokens(g.stream());
            }
        }
    }
}

fn is_unix(name: &str) -> bool {
    name.contains("uds") || name.contains("unix")
}

impl<'ast> Visit<'ast> for Walker<'_, '_> {
    fn visit_item(&mut self, _: &'ast syn::Item) {}

    fn visit_expr_closure(&mut self, c: &'ast syn::ExprClosure) {
        if self.ctx.file.include_tests || !is_test_attrs(&c.attrs) {
            visit::visit_expr_closure(self, c);
        }
    }

    fn visit_expr_call(&mut self, c: &'ast syn::ExprCall) {
        self.check_call(c);
        visit::visit_expr_call(self, c);
    }

    fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
        self.check_method(m);
        visit::visit_expr_method_call(self, m);
    }

    fn visit_expr_struct(&mut self, s: &'ast syn::ExprStruct) {
        self.check_struct(s);
        visit::visit_expr_struct(self, s);
    }

    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        if !m.path.is_ident("macro_rules") {
            self.visit_tokens(m.tokens.clone());
        }
    }
}

/// `(x)`, `&x` and invisible groups around an expression.
fn strip(e: &Expr) -> &Expr {
    match e {
        Expr::Paren(p) => strip(&p.expr),
        Expr::Group(g) => strip(&g.expr),
        Expr::Reference(r) => strip(&r.expr),
        _ => e,
    }
}

/// Evaluates addresses, hosts and ports within a function's scope.
struct Eval<'s, 'x> {
    ctx: &'s Ctx<'x>,
    /// Index of the body being evaluated in `ctx.scopes`.
    block: usize,
    depth: usize,
}

impl<'s, 'x> Eval<'s, 'x> {
    fn scope(&self) -> &'s Scope<'x> {
        &self.ctx.scopes[self.block]
    }

    /// For a parameter of the current function, the matching argument of each call of the
    /// function in the file, with the body the call is in.
    fn param_args(&self, e: &Expr) -> Vec<(usize, &'x Expr)> {
        let Expr::Path(p) = strip(e) else {
            return Vec::new();
        };
        let Some(name) = p.path.get_ident().map(|i| i.to_string()) else {
            return Vec::new();
        };
        let Some(f) = self.ctx.fns.get(self.block) else {
            return Vec::new();
        };
        // A `let` or pattern of that name shadows the parameter.
        if f.method
            || self
                .scope()
                .lookup(&name, byte_range(p.span()).start)
                .is_some()
        {
            return Vec::new();
        }
        let Some(i) = f.params.iter().position(|n| n.as_deref() == Some(&name)) else {
            return Vec::new();
        };
        self.ctx
            .calls
            .iter()
            .filter(|c| c.callee == f.name && c.args.len() == f.params.len())
            .map(|c| (c.block, c.args[i]))
            .collect()
    }

    /// Evaluates `f` on each argument given to parameter `e` by the calls in this file.
    fn through_params<T>(&mut self, e: &Expr, f: impl Fn(&mut Eval<'s, 'x>, &Expr) -> T) -> Vec<T> {
        if self.depth > 8 {
            return Vec::new();
        }
        self.param_args(e)
            .into_iter()
            .map(|(block, arg)| {
                let mut ev = Eval {
                    ctx: self.ctx,
                    block,
                    depth: self.depth + 4,
                };
                f(&mut ev, arg)
            })
            .collect()
    }

    /// The socket addresses an expression may stand for: `"0.0.0.0:8080"`, `("0.0.0.0", 8080)`,
    /// `([0, 0, 0, 0], 8080)`, `SocketAddr::new(ip, port)`, `format!("0.0.0.0:{port}")`... Empty
    /// when it is not recognisably an address.
    fn addrs(&mut self, e: &Expr) -> Vec<(Host, Port)> {
        if self.depth > 16 {
            return Vec::new();
        }
        self.depth += 1;
        let out = self.addrs_inner(e);
        self.depth -= 1;
        out
    }

    fn addrs_inner(&mut self, e: &Expr) -> Vec<(Host, Port)> {
        match e {
            Expr::Lit(syn::ExprLit {
                lit: Lit::Str(s), ..
            }) => parse_addr(&s.value(), byte_range(s.span()))
                .into_iter()
                .collect(),
            Expr::Tuple(t) if t.elems.len() == 2 => {
                let (h, p) = (&t.elems[0], &t.elems[1]);
                match self.host(h) {
                    Some(h) => self.ports(p).into_iter().map(|p| (h.clone(), p)).collect(),
                    None => Vec::new(),
                }
            }
            Expr::Paren(x) => self.addrs(&x.expr),
            Expr::Group(x) => self.addrs(&x.expr),
            Expr::Reference(x) => self.addrs(&x.expr),
            Expr::Try(x) => self.addrs(&x.expr),
            Expr::Await(x) => self.addrs(&x.base),
            Expr::Cast(x) => self.addrs(&x.expr),
            Expr::Path(p) => match self.scope().resolve(p) {
                Some(init) => self.addrs(init),
                None => match foreign_const(p, self.scope()) {
                    Some(name) => vec![(
                        Host::Unknown,
                        Port::Const {
                            name,
                            span: byte_range(p.span()),
                        },
                    )],
                    None => self
                        .through_params(e, |ev, a| ev.addrs(a))
                        .into_iter()
                        .flatten()
                        .collect(),
                },
            },
            Expr::Array(a) => a.elems.iter().flat_map(|e| self.addrs(e)).collect(),
            Expr::MethodCall(m) => {
                let name = m.method.to_string();
                if TRANSPARENT.contains(&name.as_str()) {
                    self.addrs(&m.receiver)
                } else {
                    Vec::new()
                }
            }
            Expr::Call(c) => {
                let Expr::Path(p) = &*c.func else {
                    return Vec::new();
                };
                let callee = self.ctx.file.resolve(&p.path);
                let mut segs = callee.rsplit("::");
                let last = segs.next().unwrap_or("");
                let owner = segs.next().unwrap_or("");
                let args: Vec<&Expr> = c.args.iter().collect();
                if owner.starts_with("SocketAddr") && last == "new" && args.len() >= 2 {
                    return match self.host(args[0]) {
                        Some(h) => self
                            .ports(args[1])
                            .into_iter()
                            .map(|p| (h.clone(), p))
                            .collect(),
                        None => Vec::new(),
                    };
                }
                let wrapper = matches!(last, "from" | "V4" | "V6" | "Some" | "Ok" | "new")
                    && !flow::path_is_env(&p.path);
                if wrapper && args.len() == 1 {
                    return self.addrs(args[0]);
                }
                Vec::new()
            }
            Expr::Macro(m) if m.mac.path.is_ident("vec") => m
                .mac
                .parse_body_with(Punctuated::<Expr, Token![,]>::parse_terminated)
                .map(|es| es.iter().flat_map(|e| self.addrs(e)).collect())
                .unwrap_or_default(),
            Expr::Macro(m) => self.format_addr(&m.mac),
            Expr::Block(b) => match b.block.stmts.last() {
                Some(syn::Stmt::Expr(e, None)) => self.addrs(e),
                _ => Vec::new(),
            },
            Expr::If(i) => {
                let mut out = match i.then_branch.stmts.last() {
                    Some(syn::Stmt::Expr(e, None)) => self.addrs(e),
                    _ => Vec::new(),
                };
                if let Some((_, e)) = &i.else_branch {
                    out.extend(self.addrs(e));
                }
                out
            }
            Expr::Match(m) => m.arms.iter().flat_map(|a| self.addrs(&a.body)).collect(),
            _ => Vec::new(),
        }
    }

    /// `format!("0.0.0.0:{}", port)`, `format!("{host}:{port}")`, `format!("{}", addr)`.
    fn format_addr(&mut self, mac: &syn::Macro) -> Vec<(Host, Port)> {
        let name = mac.path.segments.last().map(|s| s.ident.to_string());
        if name.as_deref() != Some("format") {
            return Vec::new();
        }
        let Some(f) = flow::format_args(mac) else {
            return Vec::new();
        };
        let pieces = flow::format_pieces(&f.template);
        if pieces.len() == 1 && !matches!(pieces[0], Piece::Text(_)) {
            return match self.format_arg(&f, &pieces, 0) {
                Some(e) => self.addrs(&e),
                None => Vec::new(),
            };
        }
        // Split at the last `:` of the template's text: host before, port after.
        let Some((i, colon)) = pieces.iter().enumerate().rev().find_map(|(i, p)| match p {
            Piece::Text(t) => t.rfind(':').map(|c| (i, c)),
            _ => None,
        }) else {
            return Vec::new();
        };
        let Piece::Text(split) = &pieces[i] else {
            return Vec::new();
        };
        let (before, after) = (&split[..colon], &split[colon + 1..]);
        let ports = match &pieces[i + 1..] {
            [] => {
                let digits = after.split('/').next().unwrap_or("");
                if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                    return Vec::new();
                }
                match digits.parse::<u16>() {
                    Ok(value) => vec![Port::Fixed {
                        value,
                        span: f.span.clone(),
                    }],
                    Err(_) => return Vec::new(),
                }
            }
            [p] | [p, Piece::Text(_)] if after.is_empty() && !matches!(p, Piece::Text(_)) => {
                match self.format_arg(&f, &pieces, i + 1) {
                    Some(e) => self.ports(&e),
                    None => vec![Port::Unknown],
                }
            }
            _ => return Vec::new(),
        };
        let host = match (&pieces[..i], before) {
            ([], t) => match classify_host(strip_scheme(t), f.span.clone()) {
                Some(h) => h,
                None => return Vec::new(),
            },
            ([p], "") if !matches!(p, Piece::Text(_)) => match self.format_arg(&f, &pieces, 0) {
                Some(e) => self.host(&e).unwrap_or(Host::Unknown),
                None => Host::Unknown,
            },
            _ => Host::Unknown,
        };
        ports.into_iter().map(|p| (host.clone(), p)).collect()
    }

    /// The argument of the placeholder at `pieces[idx]`: positional (counting the `{}` before
    /// it), named, or an inline capture followed through the scope.
    fn format_arg(&self, f: &flow::FormatArgs, pieces: &[Piece], idx: usize) -> Option<Expr> {
        match pieces.get(idx)? {
            Piece::Next => {
                let n = pieces[..idx]
                    .iter()
                    .filter(|p| matches!(p, Piece::Next))
                    .count();
                f.positional.get(n).cloned()
            }
            Piece::Index(i) => f.positional.get(*i).cloned(),
            Piece::Name(n) => match f.named.iter().find(|(k, _)| k == n) {
                Some((_, e)) => Some(e.clone()),
                None => match self.scope().lookup(n, f.span.start) {
                    Some(Binding::Expr(e)) => Some(e.clone()),
                    _ => None,
                },
            },
            Piece::Text(_) => None,
        }
    }

    /// The host an expression stands for; `None` when it is clearly not a host (a number, a
    /// sentence).
    fn host(&mut self, e: &Expr) -> Option<Host> {
        if self.depth > 16 {
            return Some(Host::Unknown);
        }
        self.depth += 1;
        let out = self.host_inner(e);
        self.depth -= 1;
        out
    }

    fn host_inner(&mut self, e: &Expr) -> Option<Host> {
        let span = byte_range(e.span());
        match e {
            Expr::Lit(syn::ExprLit { lit, .. }) => match lit {
                Lit::Str(s) => classify_host(&s.value(), byte_range(s.span())),
                _ => None,
            },
            Expr::Array(a) => Some(octets(a.elems.iter(), span)),
            Expr::Paren(x) => self.host(&x.expr),
            Expr::Group(x) => self.host(&x.expr),
            Expr::Reference(x) => self.host(&x.expr),
            Expr::Try(x) => self.host(&x.expr),
            Expr::Path(p) => {
                let segs: Vec<String> = p
                    .path
                    .segments
                    .iter()
                    .map(|s| s.ident.to_string())
                    .collect();
                let last = segs.last().map(String::as_str).unwrap_or("");
                let owner = if segs.len() > 1 {
                    segs[segs.len() - 2].as_str()
                } else {
                    ""
                };
                match (owner, last) {
                    ("Ipv4Addr", "LOCALHOST") => Some(Host::Loopback {
                        text: "127.0.0.1".into(),
                        span,
                    }),
                    ("Ipv6Addr", "LOCALHOST") => Some(Host::Loopback {
                        text: "::1".into(),
                        span,
                    }),
                    (_, "UNSPECIFIED") => Some(Host::Any),
                    ("Ipv4Addr" | "Ipv6Addr", _) => Some(Host::Other),
                    _ => match self.scope().resolve(p) {
                        Some(init) => self.host(init),
                        None => {
                            let hosts = self.through_params(e, |ev, a| ev.host(a));
                            Some(
                                hosts
                                    .into_iter()
                                    .flatten()
                                    .find(|h| matches!(h, Host::Loopback { .. }))
                                    .unwrap_or(Host::Unknown),
                            )
                        }
                    },
                }
            }
            Expr::Call(c) => {
                let Expr::Path(p) = &*c.func else {
                    return Some(Host::Unknown);
                };
                let callee = self.ctx.file.resolve(&p.path);
                let mut segs = callee.rsplit("::");
                let last = segs.next().unwrap_or("");
                let owner = segs.next().unwrap_or("");
                if owner.starts_with("Ipv") && last == "new" {
                    return Some(octets(c.args.iter(), span));
                }
                if matches!(last, "V4" | "V6" | "from" | "Some" | "Ok") && c.args.len() == 1 {
                    return self.host(&c.args[0]);
                }
                Some(Host::Unknown)
            }
            Expr::MethodCall(m) if TRANSPARENT.contains(&m.method.to_string().as_str()) => {
                self.host(&m.receiver)
            }
            _ => Some(Host::Unknown),
        }
    }

    /// The port an expression stands for; `None` when it is clearly not a port.
    /// The ports an expression may stand for (one per call when it is a parameter); empty
    /// when it is clearly not a port.
    fn ports(&mut self, e: &Expr) -> Vec<Port> {
        // A const of another file, possibly through `let`s: `let port = config::PORT;`.
        let mut v = strip(e);
        for _ in 0..8 {
            let Expr::Path(p) = v else {
                break;
            };
            match self.scope().resolve(p) {
                Some(init) if p.path.segments.len() == 1 => v = strip(init),
                Some(_) => break,
                None => {
                    if let Some(name) = foreign_const(p, self.scope()) {
                        return vec![Port::Const {
                            name,
                            span: byte_range(p.span()),
                        }];
                    }
                    break;
                }
            }
        }
        let from_calls = self.through_params(e, |ev, a| ev.ports(a));
        if !from_calls.is_empty() {
            let mut out: Vec<Port> = from_calls.into_iter().flatten().collect();
            if out.is_empty() {
                out.push(Port::Unknown);
            }
            return out;
        }
        let t = flow::trace(e, self.scope());
        if t.env || t.unknown || t.literals.is_empty() {
            return vec![Port::Unknown];
        }
        t.literals
            .iter()
            .find_map(|(v, span)| {
                let value = match v {
                    Value::Int(i) => u16::try_from(*i).ok()?,
                    Value::Str(s) => s.trim().parse::<u16>().ok()?,
                };
                Some(Port::Fixed {
                    value,
                    span: span.clone(),
                })
            })
            .into_iter()
            .collect()
    }
}

/// The name of a const that `p` refers to but the file does not define: an upper-case path
/// that is not a local binding (`PORT` imported with `use`, `config::PORT`, `crate::PORT`).
fn foreign_const(p: &syn::ExprPath, scope: &Scope<'_>) -> Option<String> {
    let last = p.path.segments.last()?.ident.to_string();
    let upper = last
        .chars()
        .all(|c| c.is_ascii_uppercase() || c == '_' || c.is_ascii_digit())
        && last.chars().any(|c| c.is_ascii_uppercase());
    let owner = p
        .path
        .segments
        .iter()
        .rev()
        .nth(1)
        .map(|s| s.ident.to_string());
    // `Ipv4Addr::LOCALHOST`, `u16::MAX`, `Self::PORT` are not consts of another file.
    let type_owner = owner.as_deref().is_some_and(|o| {
        o.starts_with(|c: char| c.is_ascii_uppercase())
            || o.starts_with(['u', 'i']) && o[1..].bytes().all(|b| b.is_ascii_digit())
            || o == "usize"
            || o == "isize"
    });
    let local =
        p.path.segments.len() == 1 && scope.lookup(&last, byte_range(p.span()).start).is_some();
    (upper && !type_owner && !local).then_some(last)
}

/// The port consts and statics a file defines at its top level or in inline modules, whose
/// names say they are a port or an address (`PORT`, `LISTEN_ADDR`): name, port and the literal
/// holding it. Their uses in other files of the crate are matched in `check_repo`.
pub(crate) fn port_consts(file: &RustFile) -> Vec<(String, u16, Range<usize>)> {
    fn collect<'a>(items: &'a [syn::Item], include_tests: bool, out: &mut Vec<(String, &'a Expr)>) {
        for item in items {
            match item {
                syn::Item::Const(c) if include_tests || !is_test_attrs(&c.attrs) => {
                    out.push((c.ident.to_string(), &c.expr));
                }
                syn::Item::Static(c) if include_tests || !is_test_attrs(&c.attrs) => {
                    out.push((c.ident.to_string(), &c.expr));
                }
                syn::Item::Mod(m) if include_tests || !is_test_attrs(&m.attrs) => {
                    if let Some((_, inner)) = &m.content {
                        collect(inner, include_tests, out);
                    }
                }
                _ => {}
            }
        }
    }
    let mut defs = Vec::new();
    collect(&file.ast.items, file.include_tests, &mut defs);
    let scope = Scope::for_file(&file.ast);
    let mut out = Vec::new();
    for (name, e) in defs {
        if !is_port_const_name(&name) {
            continue;
        }
        let t = flow::trace(e, &scope);
        if !t.is_hardcoded() {
            continue;
        }
        let found = t.literals.iter().find_map(|(v, span)| match v {
            Value::Int(i) => u16::try_from(*i).ok().map(|p| (p, span.clone())),
            Value::Str(s) => match parse_addr(s, span.clone()) {
                Some((_, Port::Fixed { value, span })) => Some((value, span)),
                _ => s.trim().parse::<u16>().ok().map(|p| (p, span.clone())),
            },
        });
        if let Some((port, span)) = found.filter(|(p, _)| *p != 0) {
            out.push((name, port, span));
        }
    }
    out
}

/// Whether a const's name says it holds a port or a listen address.
fn is_port_const_name(name: &str) -> bool {
    crate::rules::common::words(name)
        .iter()
        .any(|w| matches!(w.as_str(), "port" | "addr" | "address" | "bind" | "listen"))
}

/// An address from an array or constructor of octets (`[127, 0, 0, 1]`,
/// `Ipv6Addr::new(0, 0, 0, 0, 0, 0, 0, 1)`).
fn octets<'e>(elems: impl Iterator<Item = &'e Expr>, span: Range<usize>) -> Host {
    let mut v = Vec::new();
    for e in elems {
        match e {
            Expr::Lit(syn::ExprLit {
                lit: Lit::Int(i), ..
            }) => match i.base10_parse::<u32>() {
                Ok(n) => v.push(n),
                Err(_) => return Host::Unknown,
            },
            _ => return Host::Unknown,
        }
    }
    match v.as_slice() {
        [127, _, _, _] => Host::Loopback {
            text: v.iter().map(u32::to_string).collect::<Vec<_>>().join("."),
            span,
        },
        [0, 0, 0, 0] | [0, 0, 0, 0, 0, 0, 0, 0] => Host::Any,
        [0, 0, 0, 0, 0, 0, 0, 1] => Host::Loopback {
            text: "::1".into(),
            span,
        },
        [_, _, _, _] | [_, _, _, _, _, _, _, _] => Host::Other,
        _ => Host::Unknown,
    }
}

fn strip_scheme(s: &str) -> &str {
    ["tcp://", "http://", "https://", "tls://", "ws://"]
        .iter()
        .find_map(|p| s.strip_prefix(p))
        .unwrap_or(s)
}

/// Classifies a host written as text; `None` when it is not a host.
fn classify_host(h: &str, span: Range<usize>) -> Option<Host> {
    let h = h.trim();
    let bare = h.trim_start_matches('[').trim_end_matches(']');
    if bare.is_empty() || bare == "0.0.0.0" || bare == "::" || bare == "*" {
        return Some(Host::Any);
    }
    let loopback = bare.eq_ignore_ascii_case("localhost")
        || bare == "::1"
        || bare == "0:0:0:0:0:0:0:1"
        || bare
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|a| a.is_loopback());
    if loopback {
        return Some(Host::Loopback {
            text: bare.to_string(),
            span,
        });
    }
    bare.chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ':'))
        .then_some(Host::Other)
}

/// Parses `"0.0.0.0:8080"`, `"[::1]:50051"`, `"localhost:3000"`, `":3000"`,
/// `"tcp://127.0.0.1:80"`: the host and the port, both located at the literal.
fn parse_addr(s: &str, span: Range<usize>) -> Option<(Host, Port)> {
    let rest = strip_scheme(s.trim());
    let rest = rest.split('/').next().unwrap_or(rest);
    let (host, port) = if rest.starts_with('[') {
        let end = rest.find("]:")?;
        (&rest[..=end], &rest[end + 2..])
    } else {
        let (h, p) = rest.rsplit_once(':')?;
        if h.contains(':') {
            return None;
        }
        (h, p)
    };
    if port.is_empty() || port.len() > 5 || !port.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let value = port.parse::<u16>().ok()?;
    let host = classify_host(host, span.clone())?;
    Some((host, Port::Fixed { value, span }))
}

/// Whether `path` is a loco-rs configuration file that applies outside development and tests:
/// `config/<environment>.yaml`.
fn loco_deploy_config(path: &str) -> bool {
    let mut parts = path.rsplit('/');
    let name = parts.next().unwrap_or("");
    let dir = parts.next().unwrap_or("");
    let Some(stem) = name
        .strip_suffix(".yaml")
        .or_else(|| name.strip_suffix(".yml"))
    else {
        return false;
    };
    dir == "config" && !LOCAL_CONFIGS.contains(&stem)
}

/// loco-rs configuration files for local runs: their ports are a developer's convenience.
const LOCAL_CONFIGS: &[&str] = &[
    "development",
    "dev",
    "test",
    "local",
    "development.local",
    "test.local",
];

/// The `server` mapping of a loco-rs configuration document.
pub(crate) fn loco_server<'f>(file: &'f StructuredFile<'_>) -> Option<Node<'f>> {
    if !loco_deploy_config(&file.source.path) {
        return None;
    }
    file.docs().find_map(|d| d.get("server"))
}

/// Whether the Cargo package at `dir` depends on loco-rs.
pub(crate) fn is_loco_crate(repo: &RepoIndex, dir: Option<&str>) -> bool {
    let Some(dir) = dir else {
        return false;
    };
    repo.crate_at(dir).is_some_and(|c| c.is_service)
        && repo.manifests.iter().any(|m| {
            m.dir == dir
                && m.path.ends_with("Cargo.toml")
                && m.dependencies.iter().any(|d| d.name == "loco-rs")
        })
}

impl Rule for HardcodedListenPort {
    fn inputs(&self) -> Inputs {
        Inputs {
            rust: true,
            structured: true,
            repo: true,
            ..Inputs::default()
        }
    }

    fn rust_triggers(&self) -> &'static [&'static str] {
        TRIGGERS_WITH_CONSTS
    }

    fn rust_wants(&self, src: &RustText<'_>) -> bool {
        let text = src.text;
        static LISTEN: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
        static CONST: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
        regex(&LISTEN, r"(?i)bind|listen|serve\(|serve_with|::https?\(|start_server|gotham|rocket|figment|with_port|with_host").is_match(text)
            || regex(&CONST, r"\b(?:const|static)\s+(?:ref\s+)?[A-Z0-9_]*(?:PORT|ADDR|BIND|LISTEN)[A-Z0-9_]*\s*:").is_match(text)
    }

    fn crate_scope(&self) -> CrateScope {
        CrateScope::Service
    }

    fn check_rust(&self, file: &RustFile, cx: &mut RuleCtx<'_>) {
        if !cx.is_service() {
            return;
        }
        let mut seen: Vec<Range<usize>> = Vec::new();
        for l in listens(file) {
            let (value, span) = match l.port {
                Port::Fixed { value, span } => (value, span),
                Port::Const { name, span } => {
                    if !seen.contains(&span) {
                        seen.push(span.clone());
                        cx.fact(CONST_USE, span, name);
                    }
                    continue;
                }
                Port::Unknown => continue,
            };
            if value == 0 || seen.contains(&span) {
                continue;
            }
            seen.push(span.clone());
            let (label, help) = match l.via {
                Via::Bind => (
                    "port fixed in code",
                    format!("read the port from `PORT` (`std::env::var(\"PORT\")`), keeping {value} only as the fallback"),
                ),
                Via::Rocket => (
                    "overrides ROCKET_PORT",
                    format!("drop the explicit port and let Rocket read `ROCKET_PORT`, or set {value} with `Figment::join` so the environment still wins"),
                ),
            };
            let message = match l.via {
                Via::Bind => format!("listens on hard-coded port {value}; read the port from the PORT environment variable"),
                Via::Rocket => format!("listens on hard-coded port {value}, overriding ROCKET_PORT; let Rocket read the port from the environment"),
            };
            cx.report(Violation::new(span, message).label(label).help(help));
        }
        for (name, port, span) in port_consts(file) {
            if !seen.contains(&span) {
                cx.fact(CONST_DEF, span, format!("{name}={port}"));
            }
        }
    }

    fn check_structured(&self, file: &StructuredFile, cx: &mut RuleCtx<'_>) {
        let Some(port) = loco_server(file).and_then(|s| s.get("port")) else {
            return;
        };
        // Deployed on Shuttle (`shuttle-runtime`), the platform hands the app its socket and
        // `server.port` is never bound.
        let shuttle = cx.krate().is_some_and(|k| {
            cx.repo().manifests.iter().any(|m| {
                m.path == k.manifest
                    && m.dependencies
                        .iter()
                        .any(|d| d.name.starts_with("shuttle-"))
            })
        });
        if shuttle {
            return;
        }
        if let Node::Scalar(v, span) = port {
            if v.parse::<u16>().is_ok_and(|p| p != 0) {
                cx.fact(LOCO_PORT, span.clone(), v);
            }
        }
    }

    fn check_repo(&self, repo: &RepoIndex, cx: &mut RepoCtx<'_>) {
        let facts: Vec<&Fact> = repo
            .facts(crate::registry::RuleId::HardcodedListenPort)
            .collect();
        // Port consts of one file used to listen in another file of the same crate; a name
        // defined twice in the crate is ambiguous and left alone.
        for def in facts.iter().filter(|f| f.kind == CONST_DEF) {
            let Some((name, port)) = def.detail.split_once('=') else {
                continue;
            };
            let same_name =
                |f: &&&Fact| f.krate == def.krate && f.detail.split('=').next() == Some(name);
            let Some(used_in) = facts
                .iter()
                .filter(|f| f.kind == CONST_USE && f.path != def.path)
                .find(same_name)
            else {
                continue;
            };
            if facts
                .iter()
                .filter(|f| f.kind == CONST_DEF)
                .filter(same_name)
                .count()
                != 1
            {
                continue;
            }
            cx.report(
                &def.path,
                Violation::new(
                    def.span.clone(),
                    format!("listens on hard-coded port {port}; read the port from the PORT environment variable"),
                )
                .label(format!("port fixed in code, listened on in `{}`", used_in.path))
                .help(format!("read the port from `PORT` (`std::env::var(\"PORT\")`), keeping {port} only as the fallback")),
            );
        }
        for f in &facts {
            if f.kind != LOCO_PORT || !is_loco_crate(repo, f.krate.as_deref()) {
                continue;
            }
            cx.report(
                &f.path,
                Violation::new(
                    f.span.clone(),
                    format!("listens on hard-coded port {}; read the port from the PORT environment variable", f.detail),
                )
                .label("port fixed in the deployed configuration")
                .help(format!("write `port: {{{{ get_env(name=\"PORT\", default={}) }}}}`", f.detail)),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{FileKind, SourceFile};

    fn listens_in(src: &str) -> Vec<Listen> {
        let source = SourceFile::new("src/main.rs", FileKind::Rust, src.into());
        let file = RustFile::parse(&source, false).expect("test source parses");
        listens(&file)
    }

    fn ports(src: &str) -> Vec<u16> {
        listens_in(src)
            .into_iter()
            .filter_map(|l| match l.port {
                Port::Fixed { value, .. } => Some(value),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn address_strings() {
        let any = |s: &str| parse_addr(s, 0..0).map(|(h, p)| (h == Host::Any, p));
        assert_eq!(
            any("0.0.0.0:8080"),
            Some((
                true,
                Port::Fixed {
                    value: 8080,
                    span: 0..0
                }
            ))
        );
        assert!(any("[::]:3000").is_some_and(|(a, _)| a));
        assert!(any(":3000").is_some_and(|(a, _)| a));
        assert!(matches!(
            parse_addr("[::1]:50051", 0..0),
            Some((Host::Loopback { .. }, _))
        ));
        assert!(matches!(
            parse_addr("tcp://localhost:8000", 0..0),
            Some((Host::Loopback { .. }, _))
        ));
        for not in [
            "alice",
            "1ms",
            "statement_timeout",
            "http+unix://socket",
            "a b:80",
            "::1",
        ] {
            assert!(parse_addr(not, 0..0).is_none(), "{not}");
        }
    }

    #[test]
    fn framework_forms() {
        assert_eq!(
            ports("fn main() { let l = TcpListener::bind(\"0.0.0.0:8080\"); }"),
            vec![8080]
        );
        assert_eq!(
            ports("fn main() { HttpServer::new(f).bind((\"0.0.0.0\", 8081))?.run(); }"),
            vec![8081]
        );
        assert_eq!(
            ports("fn main() { warp::serve(r).run(([127, 0, 0, 1], 3030)).await; }"),
            vec![3030]
        );
        assert_eq!(
            ports("fn main() { let addr = SocketAddr::from(([0, 0, 0, 0], 3000)); axum::Server::bind(&addr).serve(s); }"),
            vec![3000]
        );
        assert_eq!(
            ports("fn main() { let addr = \"[::1]:50051\".parse().unwrap(); Server::builder().add_service(s).serve(addr).await?; }"),
            vec![50051]
        );
        assert_eq!(
            ports(
                "fn main() { let s = Server::build().bind(\"echo\", (\"127.0.0.1\", 8082), f); }"
            ),
            vec![8082]
        );
        assert_eq!(ports("const PORT: u16 = 4000; fn main() { let a = format!(\"0.0.0.0:{}\", PORT); TcpListener::bind(a); }"), vec![4000]);
        assert_eq!(
            ports("fn main() { let port = 4001; TcpListener::bind(format!(\"0.0.0.0:{port}\")); }"),
            vec![4001]
        );
        assert_eq!(
            ports("fn main() { TcpListener::bind(format!(\"{}:4002\", host)); }"),
            vec![4002]
        );
    }

    #[test]
    fn parameters_follow_calls_in_the_file() {
        // axum's examples: `serve(app, 3001)` inside `tokio::join!`.
        assert_eq!(
            ports("async fn serve(app: Router, port: u16) { let addr = SocketAddr::from(([127, 0, 0, 1], port)); let l = tokio::net::TcpListener::bind(addr).await.unwrap(); }\n#[tokio::main] async fn main() { tokio::join!(serve(a(), 3001), serve(b(), 3002)); }"),
            vec![3001, 3002]
        );
        // async-std's chat server: the whole address is an argument.
        assert_eq!(
            ports("fn main() { task::block_on(accept_loop(\"127.0.0.1:8080\")) }\nasync fn accept_loop(addr: impl ToSocketAddrs) { let l = TcpListener::bind(addr).await; }"),
            vec![8080]
        );
        // A caller reading the environment, a test caller, a method.
        assert_eq!(
            ports("fn main() { serve(std::env::var(\"PORT\").unwrap().parse().unwrap()) }\nfn serve(port: u16) { TcpListener::bind((\"0.0.0.0\", port)); }\n#[test] fn t() { serve(1234) }\nimpl S { fn run(&self, port: u16) { TcpListener::bind((\"0.0.0.0\", port)); } }"),
            Vec::<u16>::new()
        );
    }

    #[test]
    fn other_frameworks() {
        assert_eq!(
            ports("fn main() { app.listen(vec![\"localhost:8000\", \"localhost:8081\"]).await; }"),
            vec![8000, 8081]
        );
        assert_eq!(
            ports("fn main() { trillium_smol::config().with_port(8082).run(handler); }"),
            vec![8082]
        );
        assert_eq!(ports("fn main() { let c = ConfigDropshot { bind_address: \"127.0.0.1:8083\".parse().unwrap(), ..Default::default() }; }"), vec![8083]);
        assert_eq!(
            ports("fn main() { rouille::start_server(\"0.0.0.0:8084\", move |r| r); }"),
            vec![8084]
        );
        assert_eq!(
            ports("fn main() { gotham::start(\"127.0.0.1:7878\", router()); }"),
            vec![7878]
        );
        assert_eq!(
            ports("fn main() { axum_server::bind(\"0.0.0.0:8085\".parse().unwrap()).serve(app); }"),
            vec![8085]
        );
        assert_eq!(ports("use rocket::config::{Config, Environment};\nfn main() { Config::build(Environment::Staging).address(\"1.2.3.4\").port(9234).finalize(); }"), vec![9234]);
    }

    #[test]
    fn not_hardcoded() {
        for src in [
            "fn main() { let port = std::env::var(\"PORT\").unwrap_or(\"8080\".into()); TcpListener::bind(format!(\"0.0.0.0:{port}\")); }",
            "fn main() { TcpListener::bind((\"0.0.0.0\", cfg.port)); }",
            "fn run(port: u16) { TcpListener::bind((\"0.0.0.0\", port)); }",
            "fn main() { sqlx::query(\"x\").bind(\"127.0.0.1:8080\"); }",
            "fn main() { UdpSocket::bind(\"0.0.0.0:8125\"); }",
            "fn main() { let addr = std::env::args().nth(1).unwrap_or_else(|| \"127.0.0.1:8080\".to_string()); TcpListener::bind(&addr); }",
            "fn main() { Figment::from(rocket::Config::default()).join((\"port\", 8000)); }",
        ] {
            assert_eq!(ports(src), Vec::<u16>::new(), "{src}");
        }
    }

    #[test]
    fn loopback_hosts() {
        let hosts = |src: &str| -> Vec<String> {
            listens_in(src)
                .into_iter()
                .filter_map(|l| match l.host {
                    Host::Loopback { text, .. } => Some(text),
                    _ => None,
                })
                .collect()
        };
        assert_eq!(
            hosts("fn main() { TcpListener::bind((Ipv4Addr::LOCALHOST, port)); }"),
            vec!["127.0.0.1"]
        );
        assert_eq!(
            hosts("fn main() { let ip = IpAddr::V6(Ipv6Addr::new(0, 0, 0, 0, 0, 0, 0, 1)); Server::bind(&SocketAddr::new(ip, port)); }"),
            vec!["::1"]
        );
        assert_eq!(
            hosts("fn main() { TcpListener::bind((\"0.0.0.0\", 80)); }"),
            Vec::<String>::new()
        );
    }
}
