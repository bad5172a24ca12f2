//! TC0901: a service that serves traffic with no SIGTERM handling anywhere in its crate.
//!
//! Also home of what TC1201 and TC0801 share with it: a walk over a file's code that knows the
//! function, loop and branch around each expression (looking into macro bodies, `select!` arms
//! included), and the recognition of server start-ups.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::ops::Range;
use std::sync::OnceLock;

use proc_macro2::{Spacing, TokenStream, TokenTree};
use quote::ToTokens;
use regex::Regex;
use syn::spanned::Spanned;
use syn::visit::{self, Visit};
use syn::Expr;

use crate::registry::RuleId;
use crate::rule::prelude::*;
use crate::source::manifest::Manifest;
use crate::source::rust::{
    byte_range, is_test_attrs, parse_macro_body, static_macro_items, MacroBody,
};
use crate::source::structured::Node;
use crate::source::FileKind;

declare_rule! {
    /// ## What it does
    /// Flags a service binary that serves traffic while nothing in its crate handles SIGTERM.
    ///
    /// Servers recognised: axum (`axum::serve`, 0.6 `axum::Server::bind(..).serve(..)`),
    /// hyper (0.14 `Server::bind`/`Server::builder`, 1.x `serve_connection`), `axum_server`,
    /// tonic (`Server::builder()`), warp (`warp::serve`), poem and salvo (`Server::new`), tide
    /// (`app.listen(..)`), tiny_http, rouille, viz, and plain accept loops (`listener.accept()`
    /// in a loop, `for stream in listener.incoming()`).
    ///
    /// SIGTERM handling is any of: `tokio::signal::unix::signal(SignalKind::terminate())` (also
    /// through `actix_rt`), signal-hook registrations naming `SIGTERM` or `TERM_SIGNALS`
    /// (`signal_hook_tokio::Signals::new([SIGTERM, ..])`, `flag::register(SIGTERM, ..)`),
    /// async-signal's `Signal::Term`, nix or libc `sigaction`/`signal` of `SIGTERM`, `ctrlc`
    /// with its `termination` feature, tokio-graceful-shutdown's `catch_signals()`,
    /// tokio-graceful's default signal and loco-rs's `shutdown_signal()`. One handler anywhere in
    /// the crate (in any module or file), or in a crate of the same repository it depends on,
    /// clears the crate's servers; a handler in one `src/bin/*` binary does not clear the servers
    /// of another binary. Naming `SIGTERM` only to send it (`kill(pid, Signal::SIGTERM)`) is not
    /// handling it. One finding per function that starts servers.
    ///
    /// When the crate handles Ctrl-C only (`tokio::signal::ctrl_c()`, `ctrlc` without
    /// `termination`, `SIGINT`), the message says so: that works on a laptop and fails on every
    /// platform, which sends SIGTERM.
    ///
    /// Not flagged: frameworks that stop gracefully on SIGTERM by themselves, as their sources
    /// show:
    /// - actix-web and actix-server: the server's `OsSignals` listens for SIGINT, SIGTERM and
    ///   SIGQUIT, unless `.disable_signals()` or `.shutdown_signal(..)` (which replaces OS
    ///   signals with the given future) is called; those two are flagged when nothing else
    ///   handles SIGTERM;
    /// - ntex: ntex-server's signal thread registers SIGHUP, SIGINT, SIGTERM and SIGQUIT, unless
    ///   `.disable_signals()` (flagged likewise);
    /// - Rocket 0.5: `config::Shutdown::signals` defaults to `{Sig::Term}` (a `Rocket.toml` that
    ///   removes it is not checked);
    /// - loco-rs: `Hooks::serve` awaits `boot::shutdown_signal()`, which selects on Ctrl-C and
    ///   SIGTERM.
    ///
    /// Nor are test code and library crates. axum, hyper, tonic, warp, poem, salvo, tide and
    /// tiny_http have graceful-shutdown hooks but install no signal handler of their own.
    ///
    /// Other files consulted: the crate's `Cargo.toml` (is it a service; `ctrlc` features), the
    /// workspace `Cargo.toml` (`[workspace.dependencies]` features), and the other Rust files of
    /// the crate and of the repository crates it depends on (the handler is often in another
    /// module than the server).
    ///
    /// ## Measured
    /// On the real-world corpus (`benches/realworld/`, 26 repositories, 2026-12-03): 8 findings, 8
    /// right, 0 wrong, 0 debatable; verdict precision 1.00.
    ///
    /// ## Why is this bad?
    /// Factor IX: processes shut down gracefully when they receive SIGTERM. Kubernetes,
    /// `docker stop`, systemd, Heroku and every other process manager stop a process with SIGTERM;
    /// without a handler the process dies at once, cutting off in-flight requests and leaving
    /// work half done on every deploy and scale-down.
    ///
    /// ## Example
    /// ```rust
    /// let listener = tokio::net::TcpListener::bind(addr).await?;
    /// axum::serve(listener, app)
    ///     .with_graceful_shutdown(async { tokio::signal::ctrl_c().await.ok(); })
    ///     .await?;
    /// ```
    ///
    /// Use instead:
    /// ```rust
    /// use tokio::signal::unix::{signal, SignalKind};
    ///
    /// async fn shutdown_signal() {
    ///     let mut term = signal(SignalKind::terminate()).expect("SIGTERM handler");
    ///     tokio::select! {
    ///         _ = term.recv() => {}
    ///         _ = tokio::signal::ctrl_c() => {}
    ///     }
    /// }
    ///
    /// axum::serve(listener, app)
    ///     .with_graceful_shutdown(shutdown_signal())
    ///     .await?;
    /// ```
    ///
    /// ## References
    /// - <https://12factor.net/disposability>
    /// - <https://docs.rs/tokio/latest/tokio/signal/unix/struct.SignalKind.html#method.terminate>
    pub MissingSigtermHandling {
        code: "TC0901", name: "missing-sigterm-handling",
        factor: Disposability, severity: Error, preview: false, since: "0.1.0",
    }
}

// ---------------------------------------------------------------------------------------------
// The walk shared by TC0901, TC1201 and TC0801.

/// Where an expression sits in its file.
#[derive(Clone, Debug, Default)]
pub(crate) struct Place {
    /// The innermost named function (`fn`, method) around it.
    pub func: Option<String>,
    /// Whether it is inside a loop of that function (a loop body, a `while` condition, a `for`
    /// head).
    pub in_loop: bool,
    /// The text of each enclosing `match` arm pattern (with its guard) and of each `if`
    /// condition whose then-branch holds it, outermost first, as tokens (`Commands :: Migrate`).
    pub branches: Vec<String>,
    /// The last path segment, method name or macro name of each call around it, whose
    /// arguments or receiver hold it, outermost first.
    pub calls: Vec<String>,
}

/// What a rule does with the code a [`walk`] visits.
pub(crate) trait Sink<'ast> {
    /// Every expression outside test code, macro bodies included, outermost first.
    fn expr(&mut self, e: &Expr, place: &Place);

    /// Entering a function (or method) with a body.
    fn enter_fn(
        &mut self,
        _name: &syn::Ident,
        _attrs: &'ast [syn::Attribute],
        _block: &'ast syn::Block,
    ) {
    }

    /// Leaving the function last entered.
    fn exit_fn(&mut self) {}
}

/// Walks the code of `file` outside test code (unless the file includes tests), with the
/// [`Place`] of each expression.
pub(crate) fn walk<'ast>(file: &'ast RustFile, sink: &mut dyn Sink<'ast>) {
    let mut w = Walker {
        include_tests: file.include_tests,
        sink,
        place: Place::default(),
        depth: 0,
    };
    w.visit_file(&file.ast);
}

struct Walker<'s, 'ast> {
    include_tests: bool,
    sink: &'s mut dyn Sink<'ast>,
    place: Place,
    /// Nesting of macro bodies being parsed (bounded: each level re-parses tokens).
    depth: usize,
}

fn tokens_text<T: ToTokens>(t: &T) -> String {
    t.to_token_stream().to_string()
}

impl<'ast> Walker<'_, 'ast> {
    fn skip(&self, attrs: &[syn::Attribute]) -> bool {
        !self.include_tests && is_test_attrs(attrs)
    }

    fn in_fn(
        &mut self,
        name: &'ast syn::Ident,
        attrs: &'ast [syn::Attribute],
        block: &'ast syn::Block,
    ) {
        self.sink.enter_fn(name, attrs, block);
        let saved = std::mem::replace(
            &mut self.place,
            Place {
                func: Some(name.to_string()),
                ..Place::default()
            },
        );
        self.visit_block(block);
        self.place = saved;
        self.sink.exit_fn();
    }

    fn visit_macro_body(&mut self, mac: &syn::Macro) {
        let name = mac
            .path
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .unwrap_or_default();
        if name == "macro_rules" || self.depth > 8 {
            return;
        }
        if let Some(items) = static_macro_items(mac) {
            for item in &items {
                self.visit_owned_item(item);
            }
            return;
        }
        self.depth += 1;
        self.place.calls.push(name);
        self.visit_tokens(mac.tokens.clone());
        self.place.calls.pop();
        self.depth -= 1;
    }

    /// Statics parsed out of `lazy_static!`: only their initialisers matter.
    fn visit_owned_item(&mut self, item: &syn::Item) {
        if let syn::Item::Static(s) = item {
            self.visit_owned_expr(&s.expr);
        }
    }

    /// Visits an expression parsed out of a macro body (it does not live as long as the file).
    fn visit_owned_expr(&mut self, e: &Expr) {
        let mut inner = OwnedWalker { outer: self };
        inner.visit_expr(e);
    }

    fn visit_owned_stmt(&mut self, s: &syn::Stmt) {
        let mut inner = OwnedWalker { outer: self };
        inner.visit_stmt(s);
    }

    /// Parses a macro body as comma-separated expressions or as statements; failing that (as in
    /// `tokio::select! { res = listener.accept() => { .. } }`), splits it at top-level `,`, `;`,
    /// `=` and `=>` and parses each piece, or walks the bracketed groups of pieces that do not
    /// parse.
    fn visit_tokens(&mut self, tokens: TokenStream) {
        let tokens = match parse_macro_body(tokens) {
            MacroBody::Exprs(exprs) => return exprs.iter().for_each(|e| self.visit_owned_expr(e)),
            MacroBody::Stmts(stmts) => return stmts.iter().for_each(|s| self.visit_owned_stmt(s)),
            MacroBody::Tokens(tokens) => tokens,
        };
        for chunk in split_tokens(tokens) {
            if chunk.is_empty() {
                continue;
            }
            let stream: TokenStream = chunk.iter().cloned().collect();
            if let Ok(e) = syn::parse2::<Expr>(stream) {
                self.visit_owned_expr(&e);
                continue;
            }
            for t in &chunk {
                if let TokenTree::Group(g) = t {
                    self.visit_tokens(g.stream());
                }
            }
        }
    }
}

/// Splits a token list at top-level `,`, `;`, `=>` and a lone `=`.
fn split_tokens(tokens: TokenStream) -> Vec<Vec<TokenTree>> {
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    let mut out = vec![Vec::new()];
    let mut i = 0;
    while i < tokens.len() {
        let t = &tokens[i];
        if let TokenTree::Punct(p) = t {
            let prev_joint = matches!(
                i.checked_sub(1).and_then(|j| tokens.get(j)),
                Some(TokenTree::Punct(q)) if q.spacing() == Spacing::Joint
            );
            let c = p.as_char();
            let arrow = c == '='
                && p.spacing() == Spacing::Joint
                && matches!(tokens.get(i + 1), Some(TokenTree::Punct(q)) if q.as_char() == '>');
            if arrow {
                out.push(Vec::new());
                i += 2;
                continue;
            }
            if c == ',' || c == ';' || (c == '=' && p.spacing() == Spacing::Alone && !prev_joint) {
                out.push(Vec::new());
                i += 1;
                continue;
            }
        }
        if let Some(last) = out.last_mut() {
            last.push(t.clone());
        }
        i += 1;
    }
    out
}

/// The shared expression logic of the walk, for expressions of any lifetime.
macro_rules! walk_exprs {
    ($w:ident, $l:lifetime) => {
        fn visit_attribute(&mut self, _a: &$l syn::Attribute) {}

        fn visit_expr(&mut self, e: &$l Expr) {
            $w!(self).sink.expr(e, &$w!(self).place);
            visit::visit_expr(self, e);
        }

        fn visit_expr_loop(&mut self, l: &$l syn::ExprLoop) {
            let was = std::mem::replace(&mut $w!(self).place.in_loop, true);
            visit::visit_expr_loop(self, l);
            $w!(self).place.in_loop = was;
        }

        fn visit_expr_while(&mut self, l: &$l syn::ExprWhile) {
            let was = std::mem::replace(&mut $w!(self).place.in_loop, true);
            visit::visit_expr_while(self, l);
            $w!(self).place.in_loop = was;
        }

        fn visit_expr_for_loop(&mut self, l: &$l syn::ExprForLoop) {
            let was = std::mem::replace(&mut $w!(self).place.in_loop, true);
            visit::visit_expr_for_loop(self, l);
            $w!(self).place.in_loop = was;
        }

        fn visit_expr_match(&mut self, m: &$l syn::ExprMatch) {
            self.visit_expr(&m.expr);
            for arm in &m.arms {
                // The pattern includes its guard.
                $w!(self).place.branches.push(tokens_text(&arm.pat));
                self.visit_pat(&arm.pat);
                self.visit_expr(&arm.body);
                $w!(self).place.branches.pop();
            }
        }

        fn visit_expr_if(&mut self, i: &$l syn::ExprIf) {
            self.visit_expr(&i.cond);
            $w!(self).place.branches.push(tokens_text(&i.cond));
            self.visit_block(&i.then_branch);
            $w!(self).place.branches.pop();
            if let Some((_, e)) = &i.else_branch {
                self.visit_expr(e);
            }
        }

        fn visit_expr_call(&mut self, c: &$l syn::ExprCall) {
            let name = match &*c.func {
                Expr::Path(p) => p
                    .path
                    .segments
                    .last()
                    .map(|s| s.ident.to_string())
                    .unwrap_or_default(),
                _ => String::new(),
            };
            $w!(self).place.calls.push(name);
            visit::visit_expr_call(self, c);
            $w!(self).place.calls.pop();
        }

        fn visit_expr_method_call(&mut self, m: &$l syn::ExprMethodCall) {
            $w!(self).place.calls.push(m.method.to_string());
            visit::visit_expr_method_call(self, m);
            $w!(self).place.calls.pop();
        }

        fn visit_expr_closure(&mut self, c: &$l syn::ExprClosure) {
            if $w!(self).skip(&c.attrs) {
                return;
            }
            visit::visit_expr_closure(self, c);
        }

        fn visit_local(&mut self, l: &$l syn::Local) {
            if $w!(self).skip(&l.attrs) {
                return;
            }
            visit::visit_local(self, l);
        }

        fn visit_expr_macro(&mut self, m: &$l syn::ExprMacro) {
            $w!(self).visit_macro_body(&m.mac);
        }

        fn visit_stmt_macro(&mut self, m: &$l syn::StmtMacro) {
            if $w!(self).skip(&m.attrs) {
                return;
            }
            $w!(self).visit_macro_body(&m.mac);
        }
    };
}

macro_rules! this {
    ($s:expr) => {
        $s
    };
}

macro_rules! outer {
    ($s:expr) => {
        $s.outer
    };
}

impl<'ast> Visit<'ast> for Walker<'_, 'ast> {
    walk_exprs!(this, 'ast);

    fn visit_item(&mut self, i: &'ast syn::Item) {
        if self.skip(crate::source::rust::item_attrs(i)) {
            return;
        }
        visit::visit_item(self, i);
    }

    fn visit_item_macro(&mut self, m: &'ast syn::ItemMacro) {
        self.visit_macro_body(&m.mac);
    }

    fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
        self.in_fn(&f.sig.ident, &f.attrs, &f.block);
    }

    fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
        if self.skip(&f.attrs) {
            return;
        }
        self.in_fn(&f.sig.ident, &f.attrs, &f.block);
    }

    fn visit_trait_item_fn(&mut self, f: &'ast syn::TraitItemFn) {
        if self.skip(&f.attrs) {
            return;
        }
        if let Some(block) = &f.default {
            self.in_fn(&f.sig.ident, &f.attrs, block);
        }
    }
}

/// Walks expressions parsed out of macro bodies, with the state of the walk around them.
struct OwnedWalker<'w, 's, 'ast> {
    outer: &'w mut Walker<'s, 'ast>,
}

impl<'o> Visit<'o> for OwnedWalker<'_, '_, '_> {
    walk_exprs!(outer, 'o);

    fn visit_item(&mut self, _i: &'o syn::Item) {}
}

// ---------------------------------------------------------------------------------------------
// Servers.

/// Who stops a server on SIGTERM.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Handling {
    /// Nobody but the application: its crate must handle SIGTERM.
    App,
    /// The framework (actix-web, ntex, Rocket, loco-rs).
    Framework,
    /// The framework would, but the code turned it off (the method that did it).
    TurnedOff(&'static str),
}

/// A server start-up found in code.
#[derive(Clone, Debug)]
pub(crate) struct Start {
    /// The framework (`axum`, `hyper`, `accept loop`).
    pub framework: &'static str,
    /// Who handles SIGTERM for it.
    pub handling: Handling,
    /// Where to report it.
    pub span: Range<usize>,
}

/// Facts about a whole file that decide how some calls read.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct FileHints {
    /// The file builds a tide app (`tide::new()`, `tide::with_state(..)`): `.listen(..)` starts it.
    pub tide: bool,
}

impl FileHints {
    /// Hints for `file`.
    pub(crate) fn of(file: &RustFile) -> Self {
        FileHints {
            tide: file.calls.iter().any(|c| {
                !c.method
                    && c.callee.starts_with("tide::")
                    && (c.callee.ends_with("::new") || c.callee.ends_with("::with_state"))
            }),
        }
    }
}

fn segs(path: &str) -> (&str, &str, &str) {
    let mut it = path.rsplit("::");
    let last = it.next().unwrap_or("");
    let second = it.next().unwrap_or("");
    let first = path.split("::").next().unwrap_or("");
    (first, second, last)
}

/// The framework a path call starts a server of, and who handles SIGTERM for it.
fn path_start(file: &RustFile, r: &str) -> Option<(&'static str, Handling)> {
    let (first, _, last) = segs(r);
    let named = |krate: &str, item: &str| file.names(r, krate, item);
    let start = if named("axum", "serve") && last == "serve" {
        ("axum", Handling::App)
    } else if named("warp", "serve") && last == "serve" {
        ("warp", Handling::App)
    } else if named("viz", "serve") && last == "serve" {
        ("viz", Handling::App)
    } else if named("tonic", "Server") && last == "builder" {
        ("tonic", Handling::App)
    } else if matches!(last, "bind" | "try_bind" | "from_tcp" | "builder")
        && (named("axum", "Server") || named("hyper", "Server"))
    {
        (
            if first == "axum" { "axum" } else { "hyper" },
            Handling::App,
        )
    } else if first == "axum_server"
        && matches!(
            last,
            "bind" | "bind_rustls" | "bind_openssl" | "from_tcp" | "from_tcp_rustls" | "new"
        )
    {
        ("axum-server", Handling::App)
    } else if named("poem", "Server") && matches!(last, "new" | "new_with_acceptor") {
        ("poem", Handling::App)
    } else if named("salvo", "Server") && last == "new" {
        ("salvo", Handling::App)
    } else if named("tiny_http", "Server")
        && matches!(last, "http" | "https" | "new" | "from_listener")
    {
        ("tiny_http", Handling::App)
    } else if (named("rouille", "start_server") && last == "start_server")
        || (named("rouille", "Server") && last == "new")
    {
        ("rouille", Handling::App)
    } else if named("actix_web", "HttpServer") && last == "new" {
        ("actix-web", Handling::Framework)
    } else if named("ntex", "HttpServer") && last == "new" {
        ("ntex", Handling::Framework)
    } else if named("actix_server", "Server") && last == "build" {
        ("actix-server", Handling::Framework)
    } else if first == "rocket" && matches!(last, "build" | "custom") {
        ("rocket", Handling::Framework)
    } else if first == "loco_rs" && r.contains("::cli::") && last == "main" {
        ("loco-rs", Handling::Framework)
    } else {
        return None;
    };
    Some(start)
}

/// The resolved path at the root of a method chain (`HttpServer::new` for
/// `HttpServer::new(..).bind(..)?.disable_signals()`).
pub(crate) fn chain_root(file: &RustFile, m: &syn::ExprMethodCall) -> Option<String> {
    let mut recv = &*m.receiver;
    loop {
        match recv {
            Expr::MethodCall(inner) => recv = &inner.receiver,
            Expr::Await(a) => recv = &a.base,
            Expr::Try(t) => recv = &t.expr,
            Expr::Paren(p) => recv = &p.expr,
            Expr::Reference(r) => recv = &r.expr,
            Expr::Call(c) => {
                return match &*c.func {
                    Expr::Path(p) => Some(file.resolve(&p.path)),
                    _ => None,
                }
            }
            Expr::Path(p) => return Some(file.resolve(&p.path)),
            _ => return None,
        }
    }
}

/// The span from a method's name to the end of its call: `serve(app)` in `x.serve(app)`.
pub(crate) fn method_span(m: &syn::ExprMethodCall) -> Range<usize> {
    byte_range(m.method.span()).start..byte_range(m.span()).end
}

/// A server start-up at `e`, if it is one.
pub(crate) fn server_start(
    file: &RustFile,
    e: &Expr,
    place: &Place,
    hints: FileHints,
) -> Option<Start> {
    match e {
        Expr::Call(c) => {
            let Expr::Path(p) = &*c.func else {
                return None;
            };
            let (framework, handling) = path_start(file, &file.resolve(&p.path))?;
            Some(Start {
                framework,
                handling,
                span: byte_range(c.span()),
            })
        }
        Expr::MethodCall(m) => {
            let name = m.method.to_string();
            let root = chain_root(file, m);
            let root = root.as_deref().unwrap_or("");
            let actix = |r: &str| -> Option<&'static str> {
                if file.names(r, "ntex", "HttpServer") || r.starts_with("ntex::") {
                    Some("ntex")
                } else if file.names(r, "actix_server", "Server") {
                    Some("actix-server")
                } else if file.names(r, "actix_web", "HttpServer") {
                    Some("actix-web")
                } else {
                    None
                }
            };
            let (framework, handling) = match name.as_str() {
                "serve_connection" | "serve_connection_with_upgrades" => ("hyper", Handling::App),
                "listen" if m.args.len() == 1 && (root.starts_with("tide::") || hints.tide) => {
                    ("tide", Handling::App)
                }
                "disable_signals" if m.args.is_empty() => (
                    actix(root).unwrap_or("actix-web"),
                    Handling::TurnedOff("disable_signals"),
                ),
                "shutdown_signal" if m.args.len() == 1 => {
                    (actix(root)?, Handling::TurnedOff("shutdown_signal"))
                }
                "accept" if m.args.is_empty() && place.in_loop => ("accept loop", Handling::App),
                "incoming" if m.args.is_empty() => ("accept loop", Handling::App),
                _ => return None,
            };
            Some(Start {
                framework,
                handling,
                span: method_span(m),
            })
        }
        _ => None,
    }
}

/// Rust tokens that can start a server: the prefilter triggers of every rule that needs
/// [`server_start`] must include them (checked by the rules' tests).
#[cfg(test)]
pub(crate) const SERVE_TRIGGERS: &[&str] = &[
    "serve",
    "accept(",
    "incoming(",
    "listen(",
    "disable_signals",
    "shutdown_signal",
    "HttpServer",
    "start_server",
];

// ---------------------------------------------------------------------------------------------
// Binaries of a crate.

/// The `[[bin]]` targets a Cargo manifest declares: (name, path as written, span of the name).
pub(crate) fn declared_bins(file: &StructuredFile) -> Vec<(String, String, Range<usize>)> {
    if file.source.kind != FileKind::CargoToml {
        return Vec::new();
    }
    let Some(Node::Seq(bins)) = file.docs().next().and_then(|d| d.get("bin")) else {
        return Vec::new();
    };
    bins.iter()
        .filter_map(|bin| match bin.get("name") {
            Some(Node::Scalar(name, span)) => Some((
                name.to_string(),
                bin.get("path")
                    .and_then(|n| n.as_str())
                    .unwrap_or("")
                    .to_string(),
                span.clone(),
            )),
            _ => None,
        })
        .collect()
}

/// The binary a file of a crate belongs to: a `[[bin]]` declared at that path or a
/// `src/bin/<name>.rs` / `src/bin/<name>/..` target; `None` for the main binary, the library and
/// their modules, which every binary may use.
pub(crate) fn bin_of(crate_dir: &str, path: &str, bins: &[(String, String)]) -> Option<String> {
    let rel = if crate_dir.is_empty() {
        path
    } else {
        path.strip_prefix(crate_dir)
            .and_then(|p| p.strip_prefix('/'))
            .unwrap_or(path)
    };
    if let Some((name, _)) = bins.iter().find(|(_, p)| p.trim_start_matches("./") == rel) {
        return Some(name.clone());
    }
    let rest = rel.strip_prefix("src/bin/")?;
    let name = rest.split('/').next().unwrap_or(rest);
    Some(name.trim_end_matches(".rs").to_string())
}

/// The declared binaries of the crate whose manifest is at `manifest`, from `BIN` facts.
pub(crate) fn bins_of(facts: &[&Fact], manifest: &str) -> Vec<(String, String)> {
    facts
        .iter()
        .filter(|f| f.kind == BIN && f.path == manifest)
        .map(|f| {
            let (name, path) = f.detail.split_once('\t').unwrap_or((&f.detail, ""));
            (name.to_string(), path.to_string())
        })
        .collect()
}

/// Fact kind of a declared `[[bin]]` (detail: name, tab, path).
pub(crate) const BIN: &str = "bin";

// ---------------------------------------------------------------------------------------------
// Signals.

const SERVE: &str = "serve";
const SIGTERM: &str = "sigterm";
const SIGINT: &str = "sigint";
const CTRLC: &str = "ctrlc";
const WORKSPACE_CTRLC_TERMINATION: &str = "workspace-ctrlc-termination";

/// Calls that send a signal rather than handle it.
const SENDERS: &[&str] = &[
    "kill",
    "killpg",
    "raise",
    "send_signal",
    "pidfd_send_signal",
    "tgkill",
    "tkill",
    "sigqueue",
];

/// A finer look than the triggers (`reserve(`, `terminate` and `interrupt` are everywhere):
/// server start-ups and signal names as they are written in code.
const WANTS_PATTERN: &str = r"\bserve(_connection\w*|_with\w*)?\s*\(|\bServer\s*::|Server\s+as\b|HttpServer|axum_server|\.(listen|incoming)\s*\(|\.accept\s*\(\s*\)|disable_signals|shutdown_signal|start_server|SIGTERM|SIGINT|TERM_SIGNALS|SignalKind|Signal::(Term|Int)\b|catch_signals|ctrlc|ctrl_c|tokio_graceful|loco_rs";

/// Outside a service crate only signal handling is recorded (server start-ups are facts of
/// services alone): the signal names of [`signal_use`].
const SIGNAL_WANTS_PATTERN: &str = r"shutdown_signal|SIGTERM|SIGINT|TERM_SIGNALS|SignalKind|Signal::(Term|Int)\b|catch_signals|ctrlc|ctrl_c|tokio_graceful|loco_rs";

/// What a signal-related expression does.
fn signal_use(file: &RustFile, e: &Expr, place: &Place) -> Option<&'static str> {
    match e {
        Expr::Path(p) => {
            let r = file.resolve(&p.path);
            let (first, second, last) = segs(&r);
            let sends = place.calls.iter().any(|c| SENDERS.contains(&c.as_str()));
            let term = last == "SIGTERM"
                || last == "TERM_SIGNALS"
                || (second == "Signal" && last == "Term")
                || (second == "SignalKind" && last == "terminate")
                || (first == "loco_rs" && last == "shutdown_signal")
                || (first == "tokio_graceful"
                    && (last == "default_signal" || (second == "Shutdown" && last == "default")));
            let int = last == "SIGINT"
                || last == "ctrl_c"
                || (second == "Signal" && last == "Int")
                || (second == "SignalKind" && last == "interrupt");
            if term && !sends {
                Some(SIGTERM)
            } else if int && !sends {
                Some(SIGINT)
            } else if first == "ctrlc" && matches!(last, "set_handler" | "try_set_handler") {
                Some(CTRLC)
            } else {
                None
            }
        }
        Expr::MethodCall(m) if m.method == "catch_signals" => Some(SIGTERM),
        _ => None,
    }
}

struct SigtermSink<'f, 'c, 'x> {
    file: &'f RustFile<'f>,
    cx: &'c mut RuleCtx<'x>,
    service: bool,
    hints: FileHints,
}

impl Sink<'_> for SigtermSink<'_, '_, '_> {
    fn expr(&mut self, e: &Expr, place: &Place) {
        if self.service {
            if let Some(start) = server_start(self.file, e, place, self.hints) {
                let how = match start.handling {
                    Handling::App => "",
                    Handling::Framework => return,
                    Handling::TurnedOff(how) => how,
                };
                let func = place.func.as_deref().unwrap_or("");
                self.cx.fact(
                    SERVE,
                    start.span,
                    format!("{}\t{func}\t{how}", start.framework),
                );
            }
        }
        if let Some(kind) = signal_use(self.file, e, place) {
            self.cx.fact(kind, byte_range(e.span()), "");
        }
    }
}

/// Whether `features` of the `ctrlc` dependency include `termination`.
fn termination(features: &[String]) -> bool {
    features.iter().any(|f| f == "termination")
}

impl Rule for MissingSigtermHandling {
    fn inputs(&self) -> Inputs {
        Inputs {
            rust: true,
            structured: true,
            repo: true,
            ..Inputs::default()
        }
    }

    fn crate_scope(&self) -> CrateScope {
        CrateScope::ServiceOrDependency
    }

    fn rust_triggers(&self) -> &'static [&'static str] {
        &[
            "serve",
            "accept(",
            "incoming(",
            "listen(",
            "disable_signals",
            "shutdown_signal",
            "HttpServer",
            "start_server",
            "SIGTERM",
            "terminate",
            "TERM_SIGNALS",
            "Signal::Term",
            "catch_signals",
            "ctrlc",
            "ctrl_c",
            "SIGINT",
            "interrupt",
            "tokio_graceful",
        ]
    }

    fn rust_wants(&self, src: &RustText<'_>) -> bool {
        static WANTS: OnceLock<Option<Regex>> = OnceLock::new();
        static SIGNAL_WANTS: OnceLock<Option<Regex>> = OnceLock::new();
        let (cell, pattern) = if src.in_service_crate {
            (&WANTS, WANTS_PATTERN)
        } else {
            (&SIGNAL_WANTS, SIGNAL_WANTS_PATTERN)
        };
        cell.get_or_init(|| Regex::new(pattern).ok())
            .as_ref()
            .is_none_or(|re| re.is_match(src.text))
    }

    // Not service-only: a SIGTERM handler often lives in a library crate of the same workspace
    // (`common::shutdown_signal()`), and it clears the services that depend on it.
    fn check_rust(&self, file: &RustFile, cx: &mut RuleCtx<'_>) {
        if cx.krate().is_none() {
            return;
        }
        let mut sink = SigtermSink {
            file,
            service: cx.is_service(),
            hints: FileHints::of(file),
            cx,
        };
        walk(file, &mut sink);
    }

    fn check_structured(&self, file: &StructuredFile, cx: &mut RuleCtx<'_>) {
        for (name, path, span) in declared_bins(file) {
            cx.fact(BIN, span, format!("{name}\t{path}"));
        }
        if file.source.kind != FileKind::CargoToml {
            return;
        }
        let Some(root) = file.docs().next() else {
            return;
        };
        let Some(Node::Map(deps)) = root.get("workspace").and_then(|w| w.get("dependencies"))
        else {
            return;
        };
        for (k, v) in deps {
            let name = v.get("package").and_then(|n| n.as_str()).unwrap_or(k.name);
            let features: Vec<String> = match v.get("features") {
                Some(Node::Seq(f)) => f
                    .iter()
                    .filter_map(|n| n.as_str())
                    .map(str::to_string)
                    .collect(),
                _ => vec![],
            };
            if name == "ctrlc" && termination(&features) {
                cx.fact(WORKSPACE_CTRLC_TERMINATION, k.span.clone(), "");
            }
        }
    }

    fn check_repo(&self, repo: &RepoIndex, cx: &mut RepoCtx<'_>) {
        let facts: Vec<&Fact> = repo.facts(RuleId::MissingSigtermHandling).collect();
        if !facts.iter().any(|f| f.kind == SERVE) {
            return;
        }
        // Indexes, so that the work is linear in facts and crates: serves and handlers by
        // crate, binaries by manifest, manifests by folder and package name.
        let mut serves_of: HashMap<&str, Vec<&Fact>> = HashMap::new();
        let mut handlers_of: HashMap<&str, Vec<&Fact>> = HashMap::new();
        let mut bin_facts: HashMap<&str, Vec<&Fact>> = HashMap::new();
        for &f in &facts {
            match (f.kind, f.krate.as_deref()) {
                (SERVE, Some(k)) => serves_of.entry(k).or_default().push(f),
                (SIGTERM | SIGINT | CTRLC, Some(k)) => handlers_of.entry(k).or_default().push(f),
                (BIN, _) => bin_facts.entry(f.path.as_str()).or_default().push(f),
                _ => {}
            }
        }
        let mut manifest_by_dir: HashMap<&str, &Manifest> = HashMap::new();
        let mut dir_of_package: HashMap<&str, &str> = HashMap::new();
        for m in repo
            .manifests
            .iter()
            .filter(|m| m.path.ends_with("Cargo.toml") && m.is_package)
        {
            manifest_by_dir.entry(m.dir.as_str()).or_insert(m);
            if let Some(n) = m.name.as_deref() {
                dir_of_package.insert(n, m.dir.as_str());
            }
        }
        let workspace_termination: Vec<String> = facts
            .iter()
            .filter(|f| f.kind == WORKSPACE_CTRLC_TERMINATION)
            .map(|f| f.path.rsplit_once('/').map_or("", |(d, _)| d).to_string())
            .collect();

        for krate in repo.crates.iter().filter(|c| c.is_service) {
            let Some(serves) = serves_of.get(krate.dir.as_str()) else {
                continue;
            };
            // The crate and the repository crates it depends on, transitively.
            let mut scope: BTreeSet<&str> = BTreeSet::new();
            let mut todo = vec![krate.dir.as_str()];
            while let Some(d) = todo.pop() {
                if !scope.insert(d) {
                    continue;
                }
                for dep in manifest_by_dir
                    .get(d)
                    .map(|m| m.dependencies.as_slice())
                    .unwrap_or(&[])
                {
                    if let Some(&dd) = dir_of_package.get(dep.name.as_str()) {
                        todo.push(dd);
                    }
                }
            }
            let bins = bins_of(
                bin_facts
                    .get(krate.manifest.as_str())
                    .map_or(&[][..], Vec::as_slice),
                &krate.manifest,
            );
            let unit = |path: &str| bin_of(&krate.dir, path, &bins);
            let ctrlc_terminates = scope.iter().any(|d| {
                manifest_by_dir.get(d).is_some_and(|m| {
                    m.dependencies
                        .iter()
                        .any(|dep| dep.name == "ctrlc" && termination(&dep.features))
                })
            }) || workspace_termination.iter().any(|w| {
                w.is_empty() || krate.dir == *w || krate.dir.starts_with(&format!("{w}/"))
            });
            // Handlers in the crates it depends on count for every server; those in its own
            // crate count when they are in the same binary or in code every binary shares.
            let mut elsewhere: HashSet<&str> = HashSet::new();
            let mut own: Vec<(&str, Option<String>)> = Vec::new();
            for d in &scope {
                for h in handlers_of.get(d).map_or(&[][..], Vec::as_slice) {
                    if *d == krate.dir {
                        own.push((h.kind, unit(&h.path)));
                    } else {
                        elsewhere.insert(h.kind);
                    }
                }
            }
            let mut seen: HashSet<(&str, &str)> = HashSet::new();
            for f in serves {
                let server_bin = unit(&f.path);
                let has = |kind: &str| {
                    elsewhere.contains(kind)
                        || own
                            .iter()
                            .any(|(k, b)| *k == kind && (b.is_none() || *b == server_bin))
                };
                if has(SIGTERM) || (has(CTRLC) && ctrlc_terminates) {
                    continue;
                }
                let sigint_only = has(SIGINT) || has(CTRLC);
                let mut parts = f.detail.split('\t');
                let framework = parts.next().unwrap_or("");
                let func = parts.next().unwrap_or("");
                let how = parts.next().unwrap_or("");
                // One finding per function: an accept loop handing connections to hyper is one
                // server.
                if !func.is_empty() && !seen.insert((f.path.as_str(), func)) {
                    continue;
                }
                cx.report(
                    &f.path,
                    violation(f.span.clone(), framework, how, sigint_only),
                );
            }
        }
    }
}

fn violation(span: Range<usize>, framework: &str, how: &str, sigint_only: bool) -> Violation {
    let only_ctrl_c = if sigint_only {
        "; it handles only Ctrl-C (SIGINT)"
    } else {
        ""
    };
    match how {
        "disable_signals" => Violation::new(
            span,
            format!(
                "`.disable_signals()` turns off {framework}'s SIGTERM handling and nothing else in the crate handles SIGTERM{only_ctrl_c}"
            ),
        )
        .label("SIGTERM handling turned off here")
        .help("remove `.disable_signals()`, or wait for SIGTERM yourself and stop the server with `ServerHandle::stop(true)`"),
        "shutdown_signal" => Violation::new(
            span,
            format!(
                "`.shutdown_signal(..)` replaces {framework}'s SIGTERM handling and nothing in the crate handles SIGTERM{only_ctrl_c}"
            ),
        )
        .label("the server stops only when this future resolves")
        .help("make the shutdown future also wait for `tokio::signal::unix::signal(SignalKind::terminate())`"),
        _ if sigint_only => Violation::new(
            span,
            format!(
                "serves traffic ({framework}) but handles only Ctrl-C (SIGINT); also handle SIGTERM, which is what the platform sends on shutdown"
            ),
        )
        .label("server started here")
        .help("wait for `tokio::signal::unix::signal(SignalKind::terminate())` next to `ctrl_c()` and shut the server down gracefully"),
        _ => Violation::new(
            span,
            format!(
                "serves traffic ({framework}) but nothing handles SIGTERM, so every deploy and scale-down cuts requests off"
            ),
        )
        .label("server started here")
        .help("wait for `tokio::signal::unix::signal(SignalKind::terminate())` (or signal-hook's SIGTERM) and shut the server down gracefully"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;

    struct Collect(Vec<(String, Place)>);

    impl Sink<'_> for Collect {
        fn expr(&mut self, e: &Expr, place: &Place) {
            if let Expr::MethodCall(m) = e {
                self.0.push((m.method.to_string(), place.clone()));
            }
        }
    }

    fn methods(src: &str) -> Vec<(String, Place)> {
        let source = SourceFile::new("src/main.rs", FileKind::Rust, src.into());
        let file = RustFile::parse(&source, false).expect("parses");
        let mut c = Collect(Vec::new());
        walk(&file, &mut c);
        c.0
    }

    #[test]
    fn select_arms_loops_and_branches() {
        let found = methods(
            r#"async fn run() {
    loop {
        tokio::select! {
            res = listener.accept() => { handle(res).await; }
            _ = term.recv() => break,
        }
    }
    match cli.command {
        Commands::Migrate => db.migrate().await,
        _ => {}
    }
}
#[cfg(test)]
mod tests { fn t() { x.accept(); } }"#,
        );
        let accept: Vec<_> = found.iter().filter(|(m, _)| m == "accept").collect();
        assert_eq!(accept.len(), 1);
        assert!(accept[0].1.in_loop);
        assert_eq!(accept[0].1.func.as_deref(), Some("run"));
        let migrate = found.iter().find(|(m, _)| m == "migrate").expect("migrate");
        assert_eq!(migrate.1.branches, ["Commands :: Migrate"]);
        assert!(!migrate.1.in_loop);
    }

    #[test]
    fn triggers_cover_servers() {
        let t = MissingSigtermHandling.rust_triggers();
        assert!(SERVE_TRIGGERS.iter().all(|s| t.contains(s)));
    }

    #[test]
    fn splits_select_bodies() {
        let ts: TokenStream = "a = b.c() => { d }, e == f => g".parse().expect("tokens");
        let chunks = split_tokens(ts);
        assert_eq!(chunks.len(), 5);
    }
}
