//! Rust source: a syn parse plus the facts most rules need, extracted in one pass.
//!
//! The pass resolves `use` aliases per module (so `MemoryStore` written after
//! `use tower_sessions::MemoryStore` is known as `tower_sessions::MemoryStore`, but a
//! `struct MemoryStore` of a nested module is not); looks inside macro bodies: as comma-separated
//! expressions (`format!`, `vec!`), as statements, as the items of `lazy_static!`/`thread_local!`,
//! and otherwise token by token, parsing each bracketed group again (`json!({"k": ".."})`,
//! `tokio::select!` arms); skips test code and doc comments unless asked; and records for every
//! string literal what it is bound to, whether it is only compared against, and whether it is the
//! fallback of an environment lookup (`unwrap_or*`, `map_or*`, `match`/`if let`/`let else` on
//! the lookup, `if env::var(..).is_err()`) or a configuration default (clap `default_value`,
//! `set_default`, `#[serde(default = "..")]` functions, `impl Default` of a settings type).
//! Rules needing more structure read `ast` directly.

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::str::FromStr;

use proc_macro2::Span;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::visit::{self, Visit};
use syn::{Expr, Lit, Token};

use super::{ParseError, SourceFile};

/// A parsed Rust file.
pub struct RustFile<'a> {
    /// The file's text and path.
    pub source: &'a SourceFile,
    /// The full syntax tree.
    pub ast: syn::File,
    /// `use` aliases: local name → full path.
    pub aliases: HashMap<String, String>,
    /// Crates or modules imported with a glob (`use tower_sessions::*`).
    pub globs: Vec<String>,
    /// Every string literal outside test code, in source order.
    pub lits: Vec<StrLit>,
    /// Every function and method call outside test code, in source order.
    pub calls: Vec<Call>,
    /// Every expression path (`MemoryStore::default`, `FOO`) outside test code, resolved.
    pub paths: Vec<PathUse>,
    /// Whether test code is in scope (rules walking `ast` themselves honour it).
    pub include_tests: bool,
    /// Where the test code is, for rules that walk `ast` themselves.
    pub tests: TestCode,
}

/// A string literal and what surrounds it.
#[derive(Clone, Debug)]
pub struct StrLit {
    /// The literal's value (escapes resolved).
    pub value: String,
    /// Byte range of the literal, quotes included.
    pub span: Range<usize>,
    /// The name the literal is the value of: a `let`, `const`, `static`, struct field, assignment
    /// target or the method it is the single argument of (`.password("..")`).
    pub binding: Option<String>,
    /// Whether `binding` names a `const` or `static` item.
    pub binding_is_item: bool,
    /// Whether the literal is the fallback of an environment or config lookup.
    pub env_fallback: bool,
    /// Index into [`RustFile::calls`] of the call this literal is a direct argument of.
    pub call: Option<usize>,
    /// Whether the fallback is a configuration default rather than an environment lookup's:
    /// a command-line `default_value`, `set_default`, a `#[serde(default = "..")]` function or
    /// `impl Default` of a settings type (`env_fallback` is set too).
    pub config_default: bool,
    /// Whether the literal is only compared against: a `match`/`if let` pattern or an operand
    /// of `==`/`!=`.
    pub compared: bool,
    /// The setting the literal is the default of: the variable of the environment lookup
    /// (`JWT_SECRET` in `env::var("JWT_SECRET").unwrap_or("..")`), a command-line argument's
    /// `env` name or else `--<long>`, the key of `set_default("database.url", "..")`, the field a
    /// `#[serde(default = "..")]` function or an `impl Default` fills. `None` when unknown.
    pub setting_key: Option<String>,
    /// What kind of default the literal is; set exactly when `env_fallback` is. Nested defaults
    /// take the innermost: an env fallback inside `impl Default` is an `EnvFallback`.
    pub default_kind: Option<DefaultKind>,
}

/// Where a literal default comes from (see [`StrLit::default_kind`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DefaultKind {
    /// The fallback of an environment or configuration lookup (`unwrap_or`, `match`, `if let`,
    /// `let else`), or a `const` used only as such a fallback.
    EnvFallback,
    /// A command-line parser's `default_value` (attribute or builder).
    CliDefault,
    /// The value of `set_default(key, value)`.
    ConfigSetDefault,
    /// The body of a function named by `#[serde(default = "..")]`.
    SerdeDefault,
    /// A field set in `impl Default` of a settings type.
    ImplDefault,
}

/// A call expression.
#[derive(Clone, Debug)]
pub struct Call {
    /// For `path(..)` calls the resolved path (`tracing_appender::rolling::daily`); for method
    /// calls the method name.
    pub callee: String,
    /// Whether this is a method call.
    pub method: bool,
    /// For method calls: the resolved path at the root of the receiver chain
    /// (`sqlx::postgres::PgPoolOptions::new` for `PgPoolOptions::new().max_connections(5).connect(..)`).
    pub root: Option<String>,
    /// For method calls: the methods called on the receiver before this one, innermost first.
    pub chain: Vec<String>,
    /// Byte range of the whole call.
    pub span: Range<usize>,
    /// Byte range of the callee path or method name.
    pub callee_span: Range<usize>,
    /// The arguments' byte ranges.
    pub args: Vec<Range<usize>>,
    /// Literal string arguments, by position (`None` where the argument is not a literal).
    pub lit_args: Vec<Option<String>>,
}

/// A path used in an expression.
#[derive(Clone, Debug)]
pub struct PathUse {
    /// The resolved path.
    pub path: String,
    /// Byte range of the path as written.
    pub span: Range<usize>,
}

/// Functions whose result is an environment or configuration lookup.
const ENV_LOOKUPS: &[&str] = &[
    "std::env::var",
    "std::env::var_os",
    "env::var",
    "env::var_os",
    "dotenvy::var",
    "dotenv::var",
    "std::env::args",
    "std::env::args_os",
    "env::args",
    "env::args_os",
];

/// Methods whose literal arguments are defaults of a configuration lookup: clap's
/// `Arg::default_value`, the `config` crate's `set_default`.
const DEFAULT_METHODS: &[&str] = &[
    "default_value",
    "default_values",
    "default_value_os",
    "default_missing_value",
    "set_default",
];

/// Attribute paths of command-line parsers whose `default_value = ".."` is a config default.
const ARG_ATTRS: &[&str] = &["arg", "clap", "structopt", "argh", "option", "bpaf"];

/// Methods that supply a fallback when a lookup failed.
const FALLBACK_METHODS: &[&str] = &[
    "unwrap_or",
    "unwrap_or_else",
    "unwrap_or_default",
    "or",
    "or_else",
    "map_or",
    "map_or_else",
];

impl<'a> RustFile<'a> {
    /// Parses `source`; test code is left out of the extracted facts unless `include_tests`.
    pub fn parse(source: &'a SourceFile, include_tests: bool) -> Result<Self, ParseError> {
        Self::parse_bounded(source, include_tests, crate::engine::MAX_NESTING)
    }

    /// [`RustFile::parse`], refusing a file nested deeper than `max_nesting` (see
    /// [`crate::source::depth::rust_depth`]) before syn sees it: syn recurses once per level.
    pub fn parse_bounded(
        source: &'a SourceFile,
        include_tests: bool,
        max_nesting: usize,
    ) -> Result<Self, ParseError> {
        let text = mask_shebang(&source.text);
        let syntax = |e: syn::Error| {
            let span = byte_range(e.span());
            ParseError::new(format!("Rust syntax error: {e}"), span)
        };
        // The same lexer syn::parse_str runs, once: the depth bound reads its tokens.
        let tokens = proc_macro2::TokenStream::from_str(&text).map_err(|e| syntax(e.into()))?;
        let depth = crate::source::depth::rust_depth(&tokens, max_nesting);
        if depth > max_nesting {
            return Err(ParseError::new(
                format!("skipped: nesting depth over the max-nesting limit of {max_nesting}"),
                0..0,
            ));
        }
        let ast = syn::parse2::<syn::File>(tokens).map_err(syntax)?;
        let mut aliases = HashMap::new();
        let mut globs = Vec::new();
        for item in &ast.items {
            collect_uses(item, &mut aliases, &mut globs);
        }
        let mut v = Extractor::new(module_uses(&ast.items), include_tests);
        v.visit_file(&ast);
        let lits = v.finish();
        let Extractor { calls, paths, .. } = v;
        let tests = if include_tests {
            TestCode::default()
        } else {
            TestCode::find(&ast)
        };
        let file = RustFile {
            source,
            ast,
            aliases,
            globs,
            lits,
            calls,
            paths,
            include_tests,
            tests,
        };
        Ok(file)
    }

    /// Resolves a path written in this file through its `use` aliases.
    pub fn resolve(&self, path: &syn::Path) -> String {
        resolve_with(&self.aliases, path)
    }

    /// Whether `path` (already resolved) names `item` from crate `krate`: the first segment is the
    /// crate and the last is the item, or the path is the bare item and the file glob-imports from
    /// the crate.
    pub fn names(&self, path: &str, krate: &str, item: &str) -> bool {
        let mut segs = path.split("::");
        let first = segs.next().unwrap_or("");
        if first == krate {
            return path.split("::").any(|s| s == item);
        }
        first == item
            && self
                .globs
                .iter()
                .any(|g| g.split("::").next() == Some(krate))
    }

    /// The 1-based line of a byte offset.
    pub fn line_of(&self, offset: usize) -> usize {
        self.source.lines.line_col(&self.source.text, offset).0
    }
}

/// Replaces a leading `#!` line (not `#![`) with spaces so byte offsets stay exact.
fn mask_shebang(text: &str) -> std::borrow::Cow<'_, str> {
    if text.starts_with("#!") && !text.starts_with("#![") {
        let end = text.find('\n').unwrap_or(text.len());
        let mut s = " ".repeat(end);
        s.push_str(&text[end..]);
        s.into()
    } else {
        text.into()
    }
}

/// The byte range of a span in the file it came from.
pub fn byte_range(span: Span) -> Range<usize> {
    span.byte_range()
}

/// The `use` aliases visible in a module: its own `use` items and those at the top of its
/// functions' bodies, but not those of nested modules (Rust imports are not inherited).
fn module_uses(items: &[syn::Item]) -> HashMap<String, String> {
    fn add(item: &syn::Item, aliases: &mut HashMap<String, String>, globs: &mut Vec<String>) {
        match item {
            syn::Item::Use(u) => use_tree(&u.tree, String::new(), aliases, globs),
            syn::Item::Fn(f) => {
                for stmt in &f.block.stmts {
                    if let syn::Stmt::Item(item) = stmt {
                        add(item, aliases, globs);
                    }
                }
            }
            _ => {}
        }
    }
    let mut aliases = HashMap::new();
    let mut globs = Vec::new();
    for item in items {
        add(item, &mut aliases, &mut globs);
    }
    aliases
}

fn collect_uses(item: &syn::Item, aliases: &mut HashMap<String, String>, globs: &mut Vec<String>) {
    match item {
        syn::Item::Use(u) => use_tree(&u.tree, String::new(), aliases, globs),
        syn::Item::Mod(m) => {
            for item in m.content.iter().flat_map(|(_, items)| items) {
                collect_uses(item, aliases, globs);
            }
        }
        syn::Item::Fn(f) => {
            for stmt in &f.block.stmts {
                if let syn::Stmt::Item(item) = stmt {
                    collect_uses(item, aliases, globs);
                }
            }
        }
        _ => {}
    }
}

fn use_tree(
    tree: &syn::UseTree,
    prefix: String,
    aliases: &mut HashMap<String, String>,
    globs: &mut Vec<String>,
) {
    let join = |name: &str| {
        if prefix.is_empty() {
            name.to_string()
        } else {
            format!("{prefix}::{name}")
        }
    };
    match tree {
        syn::UseTree::Path(p) => use_tree(&p.tree, join(&p.ident.to_string()), aliases, globs),
        syn::UseTree::Name(n) => {
            let name = n.ident.to_string();
            if name == "self" {
                if let Some(last) = prefix.rsplit("::").next() {
                    aliases.insert(last.to_string(), prefix.clone());
                }
            } else {
                aliases.insert(name.clone(), join(&name));
            }
        }
        syn::UseTree::Rename(r) => {
            let target = if r.ident == "self" {
                prefix.clone()
            } else {
                join(&r.ident.to_string())
            };
            aliases.insert(r.rename.to_string(), target);
        }
        syn::UseTree::Glob(_) => globs.push(prefix),
        syn::UseTree::Group(g) => {
            for t in &g.items {
                use_tree(t, prefix.clone(), aliases, globs);
            }
        }
    }
}

fn resolve_with(aliases: &HashMap<String, String>, path: &syn::Path) -> String {
    let mut segs = path.segments.iter().map(|s| s.ident.to_string());
    let Some(first) = segs.next() else {
        return String::new();
    };
    let mut out = aliases.get(&first).cloned().unwrap_or(first);
    for s in segs {
        out.push_str("::");
        out.push_str(&s);
    }
    out
}

/// A macro's input as syn can read it: comma-separated expressions (`format!`, `vec!`,
/// `json!`), statements (`tokio::select!` arms, `thread_local!` bodies), or neither.
pub enum MacroBody {
    /// `a, b, c`.
    Exprs(Punctuated<Expr, Token![,]>),
    /// `let x = ..; f(x);`.
    Stmts(Vec<syn::Stmt>),
    /// Anything else, left to the caller's own token walk.
    Tokens(proc_macro2::TokenStream),
}

/// Reads a macro's input (tried as expressions, then statements).
pub fn parse_macro_body(tokens: proc_macro2::TokenStream) -> MacroBody {
    let exprs = Punctuated::<Expr, Token![,]>::parse_terminated;
    if let Ok(exprs) = syn::parse::Parser::parse2(exprs, tokens.clone()) {
        return MacroBody::Exprs(exprs);
    }
    if let Ok(stmts) = syn::parse::Parser::parse2(syn::Block::parse_within, tokens.clone()) {
        return MacroBody::Stmts(stmts);
    }
    MacroBody::Tokens(tokens)
}

/// Token text without whitespace except between words: `Arc < Mutex < Vec < T > > >` →
/// `Arc<Mutex<Vec<T>>>`, `Box < dyn Fn () >` → `Box<dyn Fn()>`.
pub fn flat_tokens(tokens: &impl quote::ToTokens) -> String {
    let text = tokens.to_token_stream().to_string();
    let word = |c: char| c.is_alphanumeric() || c == '_';
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if !c.is_whitespace() {
            out.push(c);
            continue;
        }
        // Keep one space between two words: `dyn Handler`, `impl Trait`.
        let before = out.chars().next_back().is_some_and(word);
        let after = chars.peek().copied().is_some_and(word);
        if before && after {
            out.push(' ');
        }
    }
    out
}

/// Whether attributes mark test code: `#[cfg(test)]`, `#[cfg(all(.., test))]`,
/// `#[cfg(any(test, feature = "mock"))]` (test support a feature also builds), `#[test]`,
/// `#[tokio::test]`, `#[rstest]`, `#[test_case(..)]`, `#[bench]`; not `#[cfg(not(test))]`.
pub fn is_test_attrs(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        let path = a.path();
        if path.segments.last().is_some_and(|s| {
            s.ident == "test" || s.ident == "rstest" || s.ident == "test_case" || s.ident == "bench"
        }) {
            return true;
        }
        if path.is_ident("cfg") {
            if let syn::Meta::List(list) = &a.meta {
                return cfg_mentions_test(list.tokens.clone());
            }
        }
        false
    })
}

/// Where test code is in a parsed Rust file (items, statements, closures and arms marked by
/// [`is_test_attrs`]); empty when the run includes tests. Computed once per file.
#[derive(Clone, Debug, Default)]
pub struct TestCode {
    /// Byte ranges of test items, functions, statements and closures.
    pub ranges: Vec<Range<usize>>,
}

impl TestCode {
    fn find(ast: &syn::File) -> Self {
        let mut v = TestRanges { ranges: Vec::new() };
        v.visit_file(ast);
        TestCode { ranges: v.ranges }
    }

    /// Whether the byte offset lies in test code.
    pub fn contains(&self, offset: usize) -> bool {
        self.ranges.iter().any(|r| r.contains(&offset))
    }
}

/// Whether `cfg(..)` tokens switch code on under `test`: a bare `test` that is not inside
/// `not(..)` and not a `key = value` name.
fn cfg_mentions_test(tokens: proc_macro2::TokenStream) -> bool {
    use proc_macro2::TokenTree as T;
    let list: Vec<T> = tokens.into_iter().collect();
    for (i, t) in list.iter().enumerate() {
        match t {
            T::Ident(id) if id == "test" => {
                let assigned = matches!(list.get(i + 1), Some(T::Punct(p)) if p.as_char() == '=');
                if !assigned {
                    return true;
                }
            }
            T::Group(g) => {
                let negated = i > 0 && matches!(&list[i - 1], T::Ident(id) if id == "not");
                if !negated && cfg_mentions_test(g.stream()) {
                    return true;
                }
            }
            _ => {}
        }
    }
    false
}

struct TestRanges {
    ranges: Vec<Range<usize>>,
}

impl TestRanges {
    fn check(&mut self, attrs: &[syn::Attribute], node: &dyn Spanned) -> bool {
        if is_test_attrs(attrs) {
            self.ranges.push(byte_range(node.span()));
            true
        } else {
            false
        }
    }
}

/// The root path (resolved by `resolve`) and the inner method names, innermost first, of a
/// method call's receiver chain: `PgPoolOptions::new().max_connections(5).connect(..)` gives
/// `(Some("…PgPoolOptions::new"), ["max_connections"])`. At most [`MAX_CHAIN`] names, those nearest
/// the root.
pub fn receiver_chain(
    m: &syn::ExprMethodCall,
    resolve: &dyn Fn(&syn::Path) -> String,
) -> (Option<String>, Vec<String>) {
    let mut chain: Vec<&syn::Ident> = Vec::new();
    let mut recv = &*m.receiver;
    let root = loop {
        match recv {
            Expr::MethodCall(inner) => {
                chain.push(&inner.method);
                recv = &inner.receiver;
            }
            Expr::Await(a) => recv = &a.base,
            Expr::Try(t) => recv = &t.expr,
            Expr::Paren(p) => recv = &p.expr,
            Expr::Reference(r) => recv = &r.expr,
            Expr::Call(c) => match &*c.func {
                Expr::Path(p) => break Some(resolve(&p.path)),
                _ => break None,
            },
            Expr::Path(p) => break Some(resolve(&p.path)),
            _ => break None,
        }
    };
    // Every call of a chain gets its own copy: keep the methods nearest the root (where a
    // builder is configured), so that a chain of thousands of calls costs linear memory.
    let kept = chain.len().saturating_sub(MAX_CHAIN);
    let chain = chain[kept..].iter().rev().map(|i| i.to_string()).collect();
    (root, chain)
}

/// Methods of a receiver chain kept per call.
const MAX_CHAIN: usize = 64;

/// The byte range of a method call, from its leftmost token to its closing parenthesis.
/// `m.span()` would print the whole receiver chain back to tokens at every call of a chain:
/// cubic in the chain's length.
pub fn method_call_range(m: &syn::ExprMethodCall) -> Range<usize> {
    left_start(&m.receiver)..byte_range(m.paren_token.span.close()).end
}

/// Where an expression starts, walking down the left edge of postfix expressions instead of
/// spanning the whole tree.
fn left_start(e: &Expr) -> usize {
    match e {
        Expr::MethodCall(m) => left_start(&m.receiver),
        Expr::Field(f) => left_start(&f.base),
        Expr::Await(a) => left_start(&a.base),
        Expr::Try(t) => left_start(&t.expr),
        Expr::Index(i) => left_start(&i.expr),
        Expr::Call(c) => left_start(&c.func),
        e => byte_range(e.span()).start,
    }
}

/// The attributes of an item, for the kinds that can carry test markers.
pub fn item_attrs(i: &syn::Item) -> &[syn::Attribute] {
    match i {
        syn::Item::Fn(x) => &x.attrs,
        syn::Item::Mod(x) => &x.attrs,
        syn::Item::Impl(x) => &x.attrs,
        syn::Item::Const(x) => &x.attrs,
        syn::Item::Static(x) => &x.attrs,
        syn::Item::Struct(x) => &x.attrs,
        syn::Item::Enum(x) => &x.attrs,
        syn::Item::Use(x) => &x.attrs,
        syn::Item::Macro(x) => &x.attrs,
        syn::Item::Trait(x) => &x.attrs,
        syn::Item::Type(x) => &x.attrs,
        _ => &[],
    }
}

impl<'ast> Visit<'ast> for TestRanges {
    fn visit_item(&mut self, i: &'ast syn::Item) {
        if !self.check(item_attrs(i), i) {
            visit::visit_item(self, i);
        }
    }

    fn visit_impl_item(&mut self, i: &'ast syn::ImplItem) {
        let attrs: &[syn::Attribute] = match i {
            syn::ImplItem::Fn(f) => &f.attrs,
            syn::ImplItem::Const(c) => &c.attrs,
            syn::ImplItem::Macro(m) => &m.attrs,
            _ => &[],
        };
        if !self.check(attrs, i) {
            visit::visit_impl_item(self, i);
        }
    }

    fn visit_trait_item(&mut self, i: &'ast syn::TraitItem) {
        let attrs: &[syn::Attribute] = match i {
            syn::TraitItem::Fn(f) => &f.attrs,
            syn::TraitItem::Const(c) => &c.attrs,
            _ => &[],
        };
        if !self.check(attrs, i) {
            visit::visit_trait_item(self, i);
        }
    }

    fn visit_local(&mut self, l: &'ast syn::Local) {
        if !self.check(&l.attrs, l) {
            visit::visit_local(self, l);
        }
    }

    fn visit_stmt_macro(&mut self, m: &'ast syn::StmtMacro) {
        if !self.check(&m.attrs, m) {
            visit::visit_stmt_macro(self, m);
        }
    }

    fn visit_expr_closure(&mut self, c: &'ast syn::ExprClosure) {
        if !self.check(&c.attrs, c) {
            visit::visit_expr_closure(self, c);
        }
    }

    fn visit_arm(&mut self, a: &'ast syn::Arm) {
        if !self.check(&a.attrs, a) {
            visit::visit_arm(self, a);
        }
    }

    fn visit_field_value(&mut self, f: &'ast syn::FieldValue) {
        if !self.check(&f.attrs, f) {
            visit::visit_field_value(self, f);
        }
    }
}

struct Extractor {
    /// `use` aliases of the enclosing modules, innermost last.
    scopes: Vec<HashMap<String, String>>,
    include_tests: bool,
    lits: Vec<StrLit>,
    calls: Vec<Call>,
    paths: Vec<PathUse>,
    /// Literal start offset → binding name.
    bindings: HashMap<usize, String>,
    /// Literals bound to a `const` or `static` item.
    item_bindings: HashSet<usize>,
    /// Literals bound to a `let` variable.
    let_bindings: HashSet<usize>,
    fallback_depth: usize,
    /// The defaults being visited, innermost last: the setting's key and the kind of default.
    defaults: Vec<(Option<String>, DefaultKind)>,
    /// Names referenced inside fallback arguments (consts used as defaults), with the setting
    /// key of the lookup they are the fallback of (`None` when unknown or when several differ).
    fallback_names: HashMap<String, Option<String>>,
    /// Names referenced outside fallbacks.
    direct_names: HashSet<String>,
    /// Literal start offset → index of the call it is a direct argument of.
    lit_call: HashMap<usize, usize>,
    /// Literals that are operands of `==`/`!=`.
    compared: HashSet<usize>,
    /// Depth of patterns being visited.
    pat_depth: usize,
    /// Enclosing function names, innermost last.
    fn_stack: Vec<String>,
    /// The enclosing function of each literal in `lits`.
    lit_fn: Vec<Option<String>>,
    /// Functions named by `#[serde(default = "..")]`: their literals are config defaults of the
    /// field that names them (`None` when several fields do).
    serde_default_fns: HashMap<String, Option<String>>,
    /// Literals that are the value of a struct field expression (`Self { url: ".." }`).
    field_bindings: HashSet<usize>,
    /// Depth of `impl Default for <a config type>` blocks.
    config_default_depth: usize,
    /// Depth of configuration defaults being visited (a subset of `fallback_depth`).
    config_depth: usize,
}

impl Extractor {
    fn new(root_aliases: HashMap<String, String>, include_tests: bool) -> Self {
        Extractor {
            scopes: vec![root_aliases],
            include_tests,
            lits: Vec::new(),
            calls: Vec::new(),
            paths: Vec::new(),
            bindings: HashMap::new(),
            item_bindings: HashSet::new(),
            let_bindings: HashSet::new(),
            fallback_depth: 0,
            defaults: Vec::new(),
            fallback_names: HashMap::new(),
            direct_names: HashSet::new(),
            lit_call: HashMap::new(),
            compared: HashSet::new(),
            pat_depth: 0,
            fn_stack: Vec::new(),
            lit_fn: Vec::new(),
            serde_default_fns: HashMap::new(),
            field_bindings: HashSet::new(),
            config_default_depth: 0,
            config_depth: 0,
        }
    }

    /// The `use` aliases in scope.
    fn aliases(&self) -> &HashMap<String, String> {
        static EMPTY: std::sync::OnceLock<HashMap<String, String>> = std::sync::OnceLock::new();
        self.scopes
            .last()
            .unwrap_or_else(|| EMPTY.get_or_init(HashMap::new))
    }

    /// The literals, with fallbacks through named defaults resolved, in source order.
    fn finish(&mut self) -> Vec<StrLit> {
        let mut lits = std::mem::take(&mut self.lits);
        for (lit, func) in lits.iter_mut().zip(&self.lit_fn) {
            // A const or variable used only as a fallback is a default, not a hardcoded value.
            let start = lit.span.start;
            let is_var = self.item_bindings.contains(&start) || self.let_bindings.contains(&start);
            let fallback_only = lit
                .binding
                .as_ref()
                .filter(|b| is_var && !self.direct_names.contains(*b))
                .and_then(|b| self.fallback_names.get(b));
            if let Some(key) = fallback_only {
                if !lit.env_fallback {
                    lit.env_fallback = true;
                    lit.default_kind = Some(DefaultKind::EnvFallback);
                    lit.setting_key = key.clone();
                }
            }
            // `#[serde(default = "default_url")] fn default_url() -> String { ".." }`.
            if let Some(field) = func.as_ref().and_then(|f| self.serde_default_fns.get(f)) {
                // An env fallback inside the function is the innermost default.
                if lit.default_kind.is_none() {
                    lit.default_kind = Some(DefaultKind::SerdeDefault);
                    lit.setting_key = field.clone();
                }
                lit.env_fallback = true;
                lit.config_default = true;
            }
        }
        lits.sort_by_key(|l| l.span.start);
        lits.dedup_by_key(|l| l.span.start);
        lits
    }

    fn skip(&self, attrs: &[syn::Attribute]) -> bool {
        !self.include_tests && is_test_attrs(attrs)
    }

    /// Records `name` as the binding of every literal that is the value of `expr`.
    fn bind(&mut self, expr: &Expr, name: &str, is_item: bool) {
        for lit in value_lits(expr) {
            let start = byte_range(lit.span()).start;
            self.bindings.insert(start, name.to_string());
            if is_item {
                self.item_bindings.insert(start);
            }
        }
    }

    fn is_env_lookup(&self, expr: &Expr) -> bool {
        match expr {
            Expr::Call(c) => match &*c.func {
                Expr::Path(p) => {
                    let path = resolve_with(self.aliases(), &p.path);
                    ENV_LOOKUPS
                        .iter()
                        .any(|l| path == *l || path.ends_with(&format!("::{l}")))
                }
                _ => false,
            },
            Expr::MethodCall(m) => {
                let name = m.method.to_string();
                // `config.get_string("x")`, `settings.get_int("x")`.
                matches!(name.as_str(), "get_string" | "get_int" | "get_str")
                    || self.is_env_lookup(&m.receiver)
            }
            Expr::Macro(m) => m
                .mac
                .path
                .segments
                .last()
                .is_some_and(|s| s.ident == "option_env"),
            Expr::Try(t) => self.is_env_lookup(&t.expr),
            Expr::Paren(p) => self.is_env_lookup(&p.expr),
            Expr::Await(a) => self.is_env_lookup(&a.base),
            Expr::Reference(r) => self.is_env_lookup(&r.expr),
            _ => false,
        }
    }

    /// The name an environment lookup reads, written as a literal: `X` in `env::var("X")`,
    /// `option_env!("X")`, `config.get_string("x")`, through the methods called on the result.
    fn lookup_key(&self, expr: &Expr) -> Option<String> {
        match expr {
            Expr::Call(c) if self.is_env_lookup(expr) => c.args.first().and_then(lit_str),
            Expr::MethodCall(m) => match m.method.to_string().as_str() {
                "get_string" | "get_int" | "get_str" => m.args.first().and_then(lit_str),
                _ => self.lookup_key(&m.receiver),
            },
            Expr::Macro(m) if self.is_env_lookup(expr) => {
                match parse_macro_body(m.mac.tokens.clone()) {
                    MacroBody::Exprs(args) => args.first().and_then(lit_str),
                    _ => None,
                }
            }
            Expr::Try(t) => self.lookup_key(&t.expr),
            Expr::Paren(p) => self.lookup_key(&p.expr),
            Expr::Await(a) => self.lookup_key(&a.base),
            Expr::Reference(r) => self.lookup_key(&r.expr),
            _ => None,
        }
    }

    /// Whether a condition holds when an environment lookup failed: `env::var("X").is_err()`,
    /// `!env::var("X").is_ok()`, `if let Err(_) = env::var("X")`.
    fn is_lookup_failure(&self, cond: &Expr) -> bool {
        match cond {
            Expr::MethodCall(m) => {
                matches!(m.method.to_string().as_str(), "is_err" | "is_none")
                    && self.is_env_lookup(&m.receiver)
            }
            Expr::Unary(u) if matches!(u.op, syn::UnOp::Not(_)) => match &*u.expr {
                Expr::MethodCall(m) => {
                    matches!(m.method.to_string().as_str(), "is_ok" | "is_some")
                        && self.is_env_lookup(&m.receiver)
                }
                _ => false,
            },
            Expr::Let(l) => {
                let failure = match &*l.pat {
                    syn::Pat::TupleStruct(t) => {
                        t.path.segments.last().is_some_and(|s| s.ident == "Err")
                    }
                    syn::Pat::Ident(i) => i.ident == "None",
                    syn::Pat::Path(p) => p.path.is_ident("None"),
                    _ => false,
                };
                failure && self.is_env_lookup(&l.expr)
            }
            Expr::Paren(p) => self.is_lookup_failure(&p.expr),
            _ => false,
        }
    }

    /// Enters a default of the setting `key`; every literal visited until [`Self::leave_default`]
    /// is a fallback.
    fn enter_default(&mut self, key: Option<String>, kind: DefaultKind) {
        self.fallback_depth += 1;
        self.defaults.push((key, kind));
    }

    fn leave_default(&mut self) {
        self.fallback_depth -= 1;
        self.defaults.pop();
    }

    /// Visits `e` as the fallback of the lookup of `key`.
    fn visit_fallback(&mut self, e: &Expr, key: Option<String>) {
        self.enter_default(key, DefaultKind::EnvFallback);
        self.visit_expr(e);
        self.leave_default();
    }

    /// Visits `e` as a configuration default of `key`.
    fn visit_config_default(&mut self, e: &Expr, key: Option<String>, kind: DefaultKind) {
        self.config_depth += 1;
        self.enter_default(key, kind);
        self.visit_expr(e);
        self.leave_default();
        self.config_depth -= 1;
    }

    /// Looks inside a macro body: as comma-separated expressions, as statements, as the items
    /// of `lazy_static!`/`thread_local!`, or token by token (`json!({"url": ".."})`,
    /// `tokio::select!` arms).
    fn visit_macro_body(&mut self, mac: &syn::Macro) {
        let name = mac
            .path
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .unwrap_or_default();
        if name == "macro_rules" {
            return;
        }
        if let Some(items) = static_macro_items(mac) {
            for item in &items {
                self.visit_item(item);
            }
            return;
        }
        self.visit_tokens(mac.tokens.clone());
    }

    /// Parses a token stream as expressions or statements where it can, and otherwise walks it
    /// token by token, trying each bracketed group again.
    fn visit_tokens(&mut self, tokens: proc_macro2::TokenStream) {
        let tokens = match parse_macro_body(tokens) {
            MacroBody::Exprs(exprs) => return exprs.iter().for_each(|e| self.visit_expr(e)),
            MacroBody::Stmts(stmts) => return stmts.iter().for_each(|s| self.visit_stmt(s)),
            MacroBody::Tokens(tokens) => tokens,
        };
        let tokens: Vec<proc_macro2::TokenTree> = tokens.into_iter().collect();
        for (i, t) in tokens.iter().enumerate() {
            match t {
                proc_macro2::TokenTree::Group(g) => self.visit_tokens(g.stream()),
                proc_macro2::TokenTree::Literal(l) => {
                    let Lit::Str(s) = Lit::new(l.clone()) else {
                        continue;
                    };
                    // `"key": "value"` (json!) or `key = "value"`.
                    if let Some(name) = token_binding(&tokens[..i]) {
                        self.bindings.insert(byte_range(s.span()).start, name);
                    }
                    self.visit_lit_str(&s);
                }
                _ => {}
            }
        }
    }

    /// Records the literal defaults of a command-line parser attribute
    /// (`#[arg(long, env = "DATABASE_URL", default_value = "postgres://localhost/app")]`) and the
    /// functions named by `#[serde(default = "..")]`.
    fn visit_field_attrs(&mut self, attrs: &[syn::Attribute], field: Option<&str>) {
        let mut parsed = Vec::new();
        for a in attrs {
            let Some(last) = a.path().segments.last().map(|s| s.ident.to_string()) else {
                continue;
            };
            let syn::Meta::List(list) = &a.meta else {
                continue;
            };
            let parser = Punctuated::<syn::Meta, Token![,]>::parse_terminated;
            if let Ok(metas) = list.parse_args_with(parser) {
                parsed.push((last, metas));
            }
        }
        // The argument's name may sit in another attribute than its default
        // (`#[arg(long)] #[arg(default_value = "..")]`).
        let arg_metas = parsed
            .iter()
            .filter(|(last, _)| ARG_ATTRS.contains(&last.as_str()))
            .flat_map(|(_, metas)| metas);
        let key = field.and_then(|f| cli_arg_key(arg_metas, f));
        for (last, metas) in &parsed {
            for m in metas {
                let syn::Meta::NameValue(nv) = m else {
                    continue;
                };
                let name = nv.path.segments.last().map(|s| s.ident.to_string());
                let name = name.as_deref().unwrap_or("");
                if last == "serde" && name == "default" {
                    if let Some(s) = value_lits(&nv.value).first() {
                        let f = s.value();
                        let f = f.rsplit("::").next().unwrap_or(&f).to_string();
                        let field = field.map(str::to_string);
                        self.serde_default_fns
                            .entry(f)
                            .and_modify(|k| {
                                if *k != field {
                                    *k = None;
                                }
                            })
                            .or_insert(field);
                    }
                } else if ARG_ATTRS.contains(&last.as_str()) && name.starts_with("default") {
                    if let Some(name) = field {
                        self.bind(&nv.value, name, false);
                    }
                    self.visit_config_default(&nv.value, key.clone(), DefaultKind::CliDefault);
                }
            }
        }
    }

    /// The key of the environment lookup a failed-lookup condition tests
    /// (`env::var("X").is_err()`, `!env::var("X").is_ok()`, `if let Err(_) = env::var("X")`).
    fn failed_lookup_key(&self, cond: &Expr) -> Option<String> {
        match cond {
            Expr::Unary(u) => self.failed_lookup_key(&u.expr),
            Expr::Paren(p) => self.failed_lookup_key(&p.expr),
            Expr::Let(l) => self.lookup_key(&l.expr),
            e => self.lookup_key(e),
        }
    }
}

/// The setting a command-line argument's attributes name: `env = "X"` (or a bare `env`, the
/// field's name in upper case, as clap derives it), else `--<long>`: `long = "x"`, or a bare
/// `long` (argh: `option`) for the field's name in kebab case.
fn cli_arg_key<'m>(metas: impl Iterator<Item = &'m syn::Meta>, field: &str) -> Option<String> {
    let field = field.trim_start_matches("r#");
    let (mut env, mut long) = (None, None);
    for m in metas {
        match m {
            syn::Meta::Path(p) if p.is_ident("env") => {
                env = env.or_else(|| Some(field.to_ascii_uppercase()));
            }
            syn::Meta::Path(p) if p.is_ident("long") || p.is_ident("option") => {
                long = long.or_else(|| Some(field.replace('_', "-")));
            }
            syn::Meta::NameValue(nv) if nv.path.is_ident("env") => {
                env = value_lits(&nv.value).first().map(|s| s.value());
            }
            syn::Meta::NameValue(nv) if nv.path.is_ident("long") => {
                long = value_lits(&nv.value).first().map(|s| s.value());
            }
            _ => {}
        }
    }
    env.or_else(|| long.map(|l| format!("--{l}")))
}

/// The setting a builder's `.default_value(..)` belongs to, read from the methods called before
/// it: `.env("X")`, else `.long("x")` as `--x` (clap's `Arg::new("x").long("x").env("X")`).
fn builder_arg_key(receiver: &Expr) -> Option<String> {
    let (mut env, mut long) = (None, None);
    let mut e = receiver;
    while let Expr::MethodCall(m) = e {
        match m.method.to_string().as_str() {
            "env" => env = m.args.first().and_then(lit_str),
            "long" => long = m.args.first().and_then(lit_str),
            _ => {}
        }
        e = &m.receiver;
    }
    env.or_else(|| long.map(|l| format!("--{l}")))
}

/// The `static` items declared by a `lazy_static!` or `thread_local!` invocation, parsed as
/// ordinary items (`static ref X: T = e;` becomes `static X: T = e;`); `None` for other macros or
/// bodies that do not parse.
pub fn static_macro_items(mac: &syn::Macro) -> Option<Vec<syn::Item>> {
    let name = mac.path.segments.last()?.ident.to_string();
    if name != "lazy_static" && name != "thread_local" {
        return None;
    }
    syn::parse2::<syn::File>(strip_static_ref(mac.tokens.clone()))
        .ok()
        .map(|f| f.items)
}

/// `lazy_static! { static ref X: T = e; }` → `static X: T = e;`, which parses as an item.
fn strip_static_ref(tokens: proc_macro2::TokenStream) -> proc_macro2::TokenStream {
    let mut out = Vec::new();
    let mut prev_static = false;
    for t in tokens {
        let is_ref = matches!(&t, proc_macro2::TokenTree::Ident(i) if i == "ref");
        if prev_static && is_ref {
            prev_static = false;
            continue;
        }
        prev_static = matches!(&t, proc_macro2::TokenTree::Ident(i) if i == "static");
        out.push(t);
    }
    out.into_iter().collect()
}

/// The key a literal token is the value of: `"key": "value"`, `key: "value"`, `key = "value"`.
fn token_binding(before: &[proc_macro2::TokenTree]) -> Option<String> {
    use proc_macro2::TokenTree as T;
    let n = before.len();
    let (T::Punct(p), key) = (
        before.get(n.checked_sub(1)?)?,
        before.get(n.checked_sub(2)?)?,
    ) else {
        return None;
    };
    let sep = p.as_char();
    if sep != ':' && sep != '=' {
        return None;
    }
    // Not `::`, `==`, `<=`, `!=`, `=>`.
    if n >= 3 {
        if let T::Punct(q) = &before[n - 3] {
            if q.spacing() == proc_macro2::Spacing::Joint {
                return None;
            }
        }
    }
    match key {
        T::Ident(i) => Some(i.to_string()),
        T::Literal(l) => match Lit::new(l.clone()) {
            Lit::Str(s) => Some(s.value()),
            _ => None,
        },
        T::Punct(_) | T::Group(_) => None,
    }
}

/// Whether a pattern matches the success case of a lookup: `Ok(..)`, `Some(..)`.
fn is_success_pat(p: &syn::Pat) -> bool {
    match p {
        syn::Pat::TupleStruct(t) => t
            .path
            .segments
            .last()
            .is_some_and(|s| s.ident == "Ok" || s.ident == "Some"),
        syn::Pat::Ident(i) => i.subpat.as_ref().is_some_and(|(_, p)| is_success_pat(p)),
        syn::Pat::Paren(p) => is_success_pat(&p.pat),
        _ => false,
    }
}

/// Whether a type name is a configuration type whose `Default` holds config defaults.
fn is_config_type(ty: &syn::Type) -> bool {
    let syn::Type::Path(p) = ty else {
        return false;
    };
    p.path.segments.last().is_some_and(|s| {
        let n = s.ident.to_string();
        [
            "Config", "Settings", "Options", "Opts", "Conf", "Cfg", "Args", "Cli",
        ]
        .iter()
        .any(|k| n.ends_with(k))
    })
}

/// The literals that are the value of an expression: through references, parentheses,
/// conversions (`"x".to_string()`, `.into()`) and one-argument wrappers (`String::from("x")`,
/// `Some("x")`, `SecretString::new("x")`), but not through other calls' arguments.
/// Single-argument calls whose value is their argument's (`String::from("..")`, `Some("..")`):
/// `value_lits` looks through them, and so does TC0301's prefilter.
pub(crate) const VALUE_WRAPPERS: &[&str] =
    &["from", "new", "Some", "from_static", "Owned", "Borrowed"];

fn value_lits(expr: &Expr) -> Vec<&syn::LitStr> {
    match expr {
        Expr::Lit(l) => match &l.lit {
            Lit::Str(s) => vec![s],
            _ => vec![],
        },
        Expr::Reference(r) => value_lits(&r.expr),
        Expr::Paren(p) => value_lits(&p.expr),
        Expr::Group(g) => value_lits(&g.expr),
        Expr::Cast(c) => value_lits(&c.expr),
        Expr::MethodCall(m) if m.args.is_empty() => value_lits(&m.receiver),
        Expr::Call(c) if c.args.len() == 1 => match &*c.func {
            Expr::Path(p)
                if p.path
                    .segments
                    .last()
                    .is_some_and(|s| VALUE_WRAPPERS.contains(&s.ident.to_string().as_str())) =>
            {
                value_lits(&c.args[0])
            }
            _ => vec![],
        },
        _ => vec![],
    }
}

fn member_name(m: &syn::Member) -> Option<String> {
    match m {
        syn::Member::Named(i) => Some(i.to_string()),
        syn::Member::Unnamed(_) => None,
    }
}

fn assign_target(e: &Expr) -> Option<String> {
    match e {
        Expr::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        Expr::Field(f) => member_name(&f.member),
        _ => None,
    }
}

fn pat_name(p: &syn::Pat) -> Option<String> {
    match p {
        syn::Pat::Ident(i) => Some(i.ident.to_string()),
        syn::Pat::Type(t) => pat_name(&t.pat),
        _ => None,
    }
}

impl<'ast> Visit<'ast> for Extractor {
    fn visit_attribute(&mut self, a: &'ast syn::Attribute) {
        // Doc comments are prose, not values.
        if a.path().is_ident("doc") {
            return;
        }
        visit::visit_attribute(self, a);
    }

    fn visit_item(&mut self, i: &'ast syn::Item) {
        let attrs: &[syn::Attribute] = match i {
            syn::Item::Fn(f) => &f.attrs,
            syn::Item::Mod(m) => &m.attrs,
            syn::Item::Impl(m) => &m.attrs,
            syn::Item::Const(m) => &m.attrs,
            syn::Item::Static(m) => &m.attrs,
            syn::Item::Struct(m) => &m.attrs,
            syn::Item::Enum(m) => &m.attrs,
            syn::Item::Use(m) => &m.attrs,
            syn::Item::Macro(m) => &m.attrs,
            syn::Item::Trait(m) => &m.attrs,
            _ => &[],
        };
        if self.skip(attrs) {
            return;
        }
        match i {
            syn::Item::Const(c) => self.bind(&c.expr, &c.ident.to_string(), true),
            syn::Item::Static(s) => self.bind(&s.expr, &s.ident.to_string(), true),
            _ => {}
        }
        visit::visit_item(self, i);
    }

    fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
        let Some((_, items)) = &m.content else {
            return;
        };
        self.scopes.push(module_uses(items));
        visit::visit_item_mod(self, m);
        self.scopes.pop();
    }

    fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
        self.fn_stack.push(f.sig.ident.to_string());
        visit::visit_item_fn(self, f);
        self.fn_stack.pop();
    }

    fn visit_item_impl(&mut self, i: &'ast syn::ItemImpl) {
        let config_default = i
            .trait_
            .as_ref()
            .is_some_and(|(p, _)| p.segments.last().is_some_and(|s| s.ident == "Default"))
            && is_config_type(&i.self_ty);
        if config_default {
            self.config_default_depth += 1;
        }
        visit::visit_item_impl(self, i);
        if config_default {
            self.config_default_depth -= 1;
        }
    }

    fn visit_impl_item(&mut self, i: &'ast syn::ImplItem) {
        let skip = match i {
            syn::ImplItem::Fn(f) => self.skip(&f.attrs),
            syn::ImplItem::Const(c) => {
                self.bind(&c.expr, &c.ident.to_string(), true);
                self.skip(&c.attrs)
            }
            _ => false,
        };
        if skip {
            return;
        }
        if let syn::ImplItem::Fn(f) = i {
            self.fn_stack.push(f.sig.ident.to_string());
            // `impl Default for Settings { fn default() .. }`: every literal is a config default.
            let default = self.config_default_depth > 0 && f.sig.ident == "default";
            if default {
                // The key is each literal's field, read when the literal is visited.
                self.enter_default(None, DefaultKind::ImplDefault);
                self.config_depth += 1;
            }
            visit::visit_impl_item(self, i);
            if default {
                self.leave_default();
                self.config_depth -= 1;
            }
            self.fn_stack.pop();
        } else {
            visit::visit_impl_item(self, i);
        }
    }

    fn visit_trait_item(&mut self, i: &'ast syn::TraitItem) {
        if let syn::TraitItem::Fn(f) = i {
            if self.skip(&f.attrs) {
                return;
            }
        }
        visit::visit_trait_item(self, i);
    }

    fn visit_field(&mut self, f: &'ast syn::Field) {
        let name = f.ident.as_ref().map(|i| i.to_string());
        self.visit_field_attrs(&f.attrs, name.as_deref());
        visit::visit_field(self, f);
    }

    fn visit_stmt(&mut self, s: &'ast syn::Stmt) {
        match s {
            syn::Stmt::Local(l) => {
                if self.skip(&l.attrs) {
                    return;
                }
                if let (Some(name), Some(init)) = (pat_name(&l.pat), &l.init) {
                    self.bind(&init.expr, &name, false);
                    for lit in value_lits(&init.expr) {
                        self.let_bindings.insert(byte_range(lit.span()).start);
                    }
                }
                // `let Ok(url) = env::var("X") else { .. }`: the `else` block is the fallback.
                if let Some(init) = &l.init {
                    if let Some((_, diverge)) = &init.diverge {
                        if self.is_env_lookup(&init.expr) {
                            self.visit_pat(&l.pat);
                            self.visit_expr(&init.expr);
                            self.visit_fallback(diverge, self.lookup_key(&init.expr));
                            return;
                        }
                    }
                }
                visit::visit_stmt(self, s);
            }
            syn::Stmt::Macro(m) => {
                if self.skip(&m.attrs) {
                    return;
                }
                self.visit_macro_body(&m.mac);
            }
            _ => visit::visit_stmt(self, s),
        }
    }

    fn visit_field_value(&mut self, f: &'ast syn::FieldValue) {
        if let Some(name) = member_name(&f.member) {
            self.bind(&f.expr, &name, false);
            for lit in value_lits(&f.expr) {
                self.field_bindings.insert(byte_range(lit.span()).start);
            }
        }
        visit::visit_field_value(self, f);
    }

    fn visit_expr_assign(&mut self, a: &'ast syn::ExprAssign) {
        if let Some(name) = assign_target(&a.left) {
            self.bind(&a.right, &name, false);
        }
        visit::visit_expr_assign(self, a);
    }

    fn visit_expr_binary(&mut self, b: &'ast syn::ExprBinary) {
        if matches!(b.op, syn::BinOp::Eq(_) | syn::BinOp::Ne(_)) {
            for lit in value_lits(&b.left).into_iter().chain(value_lits(&b.right)) {
                self.compared.insert(byte_range(lit.span()).start);
            }
        }
        visit::visit_expr_binary(self, b);
    }

    fn visit_pat(&mut self, p: &'ast syn::Pat) {
        self.pat_depth += 1;
        visit::visit_pat(self, p);
        self.pat_depth -= 1;
    }

    fn visit_expr_match(&mut self, m: &'ast syn::ExprMatch) {
        // `match env::var("X") { Ok(v) => v, Err(_) => "redis://..".into() }`.
        if !self.is_env_lookup(&m.expr) {
            return visit::visit_expr_match(self, m);
        }
        self.visit_expr(&m.expr);
        let key = self.lookup_key(&m.expr);
        for arm in &m.arms {
            self.visit_pat(&arm.pat);
            if is_success_pat(&arm.pat) {
                self.visit_expr(&arm.body);
            } else {
                self.visit_fallback(&arm.body, key.clone());
            }
        }
    }

    fn visit_expr_if(&mut self, i: &'ast syn::ExprIf) {
        // `if env::var("X").is_err() { env::set_var("X", "redis://..") }`: the branch is the
        // fallback.
        if self.is_lookup_failure(&i.cond) {
            self.visit_expr(&i.cond);
            self.enter_default(self.failed_lookup_key(&i.cond), DefaultKind::EnvFallback);
            self.visit_block(&i.then_branch);
            self.leave_default();
            if let Some((_, e)) = &i.else_branch {
                self.visit_expr(e);
            }
            return;
        }
        // `if let Ok(v) = env::var("X") { v } else { "redis://..".into() }`.
        let lookup = match &*i.cond {
            Expr::Let(l) => is_success_pat(&l.pat) && self.is_env_lookup(&l.expr),
            _ => false,
        };
        let Some((_, else_branch)) = i.else_branch.as_ref().filter(|_| lookup) else {
            return visit::visit_expr_if(self, i);
        };
        self.visit_expr(&i.cond);
        self.visit_block(&i.then_branch);
        let key = match &*i.cond {
            Expr::Let(l) => self.lookup_key(&l.expr),
            _ => None,
        };
        self.visit_fallback(else_branch, key);
    }

    fn visit_expr_closure(&mut self, c: &'ast syn::ExprClosure) {
        if self.skip(&c.attrs) {
            return;
        }
        visit::visit_expr_closure(self, c);
    }

    fn visit_expr_macro(&mut self, m: &'ast syn::ExprMacro) {
        self.visit_macro_body(&m.mac);
        visit::visit_expr_macro(self, m);
    }

    fn visit_item_macro(&mut self, m: &'ast syn::ItemMacro) {
        self.visit_macro_body(&m.mac);
        visit::visit_item_macro(self, m);
    }

    fn visit_expr_path(&mut self, p: &'ast syn::ExprPath) {
        let path = resolve_with(self.aliases(), &p.path);
        if let Some(last) = p.path.segments.last() {
            let name = last.ident.to_string();
            if self.fallback_depth > 0 {
                let key = self.defaults.last().and_then(|(k, _)| k.clone());
                self.fallback_names
                    .entry(name)
                    .and_modify(|k| {
                        if *k != key {
                            *k = None;
                        }
                    })
                    .or_insert(key);
            } else {
                self.direct_names.insert(name);
            }
        }
        self.paths.push(PathUse {
            path,
            span: byte_range(p.span()),
        });
        visit::visit_expr_path(self, p);
    }

    fn visit_expr_call(&mut self, c: &'ast syn::ExprCall) {
        if let Expr::Path(p) = &*c.func {
            let idx = self.calls.len();
            self.calls.push(Call {
                callee: resolve_with(self.aliases(), &p.path),
                method: false,
                root: None,
                chain: Vec::new(),
                span: byte_range(c.span()),
                callee_span: byte_range(p.span()),
                args: c.args.iter().map(|a| byte_range(a.span())).collect(),
                lit_args: c.args.iter().map(lit_str).collect(),
            });
            for a in &c.args {
                if let Expr::Lit(syn::ExprLit {
                    lit: Lit::Str(s), ..
                }) = a
                {
                    self.lit_call.insert(byte_range(s.span()).start, idx);
                }
            }
        }
        visit::visit_expr_call(self, c);
    }

    fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
        let name = m.method.to_string();
        let aliases = self.aliases();
        let (root, chain) = receiver_chain(m, &|p| resolve_with(aliases, p));
        let idx = self.calls.len();
        self.calls.push(Call {
            callee: name.clone(),
            method: true,
            root,
            chain,
            span: method_call_range(m),
            callee_span: byte_range(m.method.span()),
            args: m.args.iter().map(|a| byte_range(a.span())).collect(),
            lit_args: m.args.iter().map(lit_str).collect(),
        });
        for a in &m.args {
            if let Expr::Lit(syn::ExprLit {
                lit: Lit::Str(s), ..
            }) = a
            {
                self.lit_call.insert(byte_range(s.span()).start, idx);
            }
        }
        if m.args.len() == 1 {
            self.bind(&m.args[0], &name, false);
        }
        let fallback = FALLBACK_METHODS.contains(&name.as_str()) && self.is_env_lookup(&m.receiver);
        let config_default = DEFAULT_METHODS.contains(&name.as_str());
        let set_default = name == "set_default";
        let (key, kind) = if set_default {
            let key = m.args.first().and_then(lit_str);
            (key, DefaultKind::ConfigSetDefault)
        } else if config_default {
            (builder_arg_key(&m.receiver), DefaultKind::CliDefault)
        } else {
            (self.lookup_key(&m.receiver), DefaultKind::EnvFallback)
        };
        self.visit_expr(&m.receiver);
        for (i, a) in m.args.iter().enumerate() {
            if config_default && !(set_default && i == 0) {
                // `set_default("key", value)`: only the value is a default.
                self.visit_config_default(a, key.clone(), kind);
            } else if fallback {
                self.visit_fallback(a, key.clone());
            } else {
                self.visit_expr(a);
            }
        }
    }

    fn visit_lit_str(&mut self, s: &'ast syn::LitStr) {
        let span = byte_range(s.span());
        if span.is_empty() {
            return;
        }
        let binding = self.bindings.get(&span.start).cloned();
        let (setting_key, default_kind) = match self.defaults.last() {
            // `impl Default`: the field the literal fills.
            Some((_, DefaultKind::ImplDefault)) => (
                binding
                    .clone()
                    .filter(|_| self.field_bindings.contains(&span.start)),
                Some(DefaultKind::ImplDefault),
            ),
            Some((key, kind)) => (key.clone(), Some(*kind)),
            None => (None, None),
        };
        self.lits.push(StrLit {
            value: s.value(),
            binding_is_item: self.item_bindings.contains(&span.start),
            binding,
            env_fallback: self.fallback_depth > 0,
            config_default: self.config_depth > 0,
            call: self.lit_call.get(&span.start).copied(),
            compared: self.pat_depth > 0 || self.compared.contains(&span.start),
            setting_key,
            default_kind,
            span,
        });
        self.lit_fn.push(self.fn_stack.last().cloned());
    }
}

fn lit_str(e: &Expr) -> Option<String> {
    match e {
        Expr::Lit(syn::ExprLit {
            lit: Lit::Str(s), ..
        }) => Some(s.value()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{FileKind, SourceFile};

    fn parse(src: &str) -> RustFile<'static> {
        let source = Box::leak(Box::new(SourceFile::new(
            "src/main.rs",
            FileKind::Rust,
            src.into(),
        )));
        RustFile::parse(source, false).expect("test source parses")
    }

    #[test]
    fn long_method_chains_stay_linear() {
        // syn recurses once per call of the chain: the engine's threads have a large stack.
        let run = || {
            let chain = format!("fn f() {{ let _a = x{}; }}", ".m()".repeat(3_000));
            // Deeper than the default max-nesting: a command-line limit, as `--max-nesting`.
            let source = Box::leak(Box::new(SourceFile::new(
                "src/main.rs",
                FileKind::Rust,
                chain.clone(),
            )));
            let file = RustFile::parse_bounded(source, false, 10_000).expect("parses");
            assert_eq!(file.calls.len(), 3_000);
            assert!(file.calls.iter().all(|c| c.chain.len() <= MAX_CHAIN));
            let last = file
                .calls
                .iter()
                .max_by_key(|c| c.span.end)
                .map(|c| c.span.clone());
            assert_eq!(last, Some(18..chain.len() - 3));
        };
        let worker = std::thread::Builder::new()
            .stack_size(256 * 1024 * 1024)
            .spawn(run)
            .expect("spawn a test thread");
        assert!(worker.join().is_ok());
    }

    #[test]
    fn resolves_aliases() {
        let f = parse("use tower_sessions::{MemoryStore, SessionManagerLayer as L};\nfn main() { let s = MemoryStore::default(); let l = L::new(s); }");
        assert!(f
            .calls
            .iter()
            .any(|c| c.callee == "tower_sessions::MemoryStore::default"));
        assert!(f
            .calls
            .iter()
            .any(|c| c.callee == "tower_sessions::SessionManagerLayer::new"));
    }

    #[test]
    fn aliases_are_scoped_to_their_module() {
        let f = parse(
            "use tower_sessions::MemoryStore;\nfn a() { MemoryStore::default(); }\nmod local {\n    pub struct MemoryStore;\n    fn b() { MemoryStore::new(); }\n    mod inner { use redis::Client as C; fn c() { C::open(); } }\n}",
        );
        let callees: Vec<&str> = f.calls.iter().map(|c| c.callee.as_str()).collect();
        assert!(callees.contains(&"tower_sessions::MemoryStore::default"));
        assert!(callees.contains(&"MemoryStore::new"));
        assert!(callees.contains(&"redis::Client::open"));
    }

    #[test]
    fn bindings_and_fallbacks() {
        let f = parse(
            r#"const DEFAULT: &str = "postgres://localhost/dev";
fn main() {
    let password = "hunter2".to_string();
    let url = std::env::var("DATABASE_URL").unwrap_or_else(|_| "redis://x".into());
    let u2 = env::var("X").unwrap_or(DEFAULT.to_string());
    let s = Settings { api_key: String::from("k"), ..Default::default() };
    println!("{}", "in macro");
}
#[cfg(test)]
mod tests { const T: &str = "test-only"; }"#,
        );
        let by = |v: &str| f.lits.iter().find(|l| l.value == v).cloned();
        assert_eq!(
            by("hunter2").and_then(|l| l.binding).as_deref(),
            Some("password")
        );
        assert!(by("redis://x").is_some_and(|l| l.env_fallback));
        assert!(by("DATABASE_URL").is_some_and(|l| !l.env_fallback && l.call.is_some()));
        assert!(by("postgres://localhost/dev").is_some_and(|l| l.env_fallback));
        assert_eq!(by("k").and_then(|l| l.binding).as_deref(), Some("api_key"));
        assert!(by("in macro").is_some());
        assert!(by("test-only").is_none());
    }

    #[test]
    fn match_if_let_and_let_else_fallbacks() {
        let f = parse(
            r#"fn main() {
    let a = match std::env::var("A") { Ok(v) => v, Err(_) => "redis://a".into() };
    let b = if let Ok(v) = env::var("B") { v } else { "redis://b".to_string() };
    let Ok(c) = dotenvy::var("C") else { panic!("{}", "redis://c") };
    let d = env::args().nth(1).unwrap_or_else(|| "redis://d".into());
    let e = match other() { Ok(v) => v, Err(_) => "redis://e".into() };
    let f = std::env::var("F").ok().unwrap_or(String::from("redis://f"));
    if std::env::var("G").is_err() { std::env::set_var("G", "redis://g"); }
    if let Err(_) = env::var("H") { std::env::set_var("H", "redis://h"); }
}"#,
        );
        let fb = |v: &str| f.lits.iter().find(|l| l.value == v).map(|l| l.env_fallback);
        for v in [
            "redis://a",
            "redis://b",
            "redis://c",
            "redis://d",
            "redis://f",
        ] {
            assert_eq!(fb(v), Some(true), "{v}");
        }
        assert_eq!(fb("redis://e"), Some(false));
    }

    #[test]
    fn defaults_only_used_as_fallbacks() {
        let f = parse(
            r#"const FALLBACK: &str = "redis://fallback";
const DIRECT: &str = "redis://direct";
const BOTH: &str = "redis://both";
fn main() {
    let a = env::var("A").unwrap_or(FALLBACK.to_string());
    let b = env::var("B").unwrap_or(BOTH.to_string());
    let c = redis::Client::open(DIRECT);
    let d = redis::Client::open(BOTH);
}
#[derive(clap::Parser)]
struct Args {
    #[arg(long, env = "DATABASE_URL", default_value = "postgres://clap")]
    database_url: String,
    #[serde(default = "default_url")]
    url: String,
}
fn default_url() -> String { "postgres://serde".into() }
impl Default for Settings { fn default() -> Self { Self { url: "postgres://settings".into() } } }
impl Default for Handler { fn default() -> Self { Self { url: "postgres://handler".into() } } }"#,
        );
        let fb = |v: &str| f.lits.iter().find(|l| l.value == v).map(|l| l.env_fallback);
        assert_eq!(fb("redis://fallback"), Some(true));
        assert_eq!(fb("redis://direct"), Some(false));
        assert_eq!(fb("redis://both"), Some(false));
        assert_eq!(fb("postgres://clap"), Some(true));
        assert_eq!(fb("postgres://serde"), Some(true));
        assert_eq!(fb("postgres://settings"), Some(true));
        assert_eq!(fb("postgres://handler"), Some(false));
    }

    #[test]
    fn setting_keys_and_default_kinds() {
        let f = parse(
            r#"const FALLBACK: &str = "const-lit";
const SHARED: &str = "shared-lit";
fn main() {
    let a = env::var("JWT_SECRET").unwrap_or("a-lit".into());
    let b = std::env::var("B_KEY").unwrap_or_else(|_| "b-lit".into());
    let c = std::env::var("C_KEY").ok().unwrap_or(String::from("c-lit"));
    let d = dotenvy::var("D_KEY").map_or_else(|_| "d-lit".to_string(), |v| v);
    let e = option_env!("E_KEY").unwrap_or("e-lit");
    let f = match env::var("F_KEY") { Ok(v) => v, Err(_) => "f-lit".into() };
    let g = if let Ok(v) = env::var("G_KEY") { v } else { "g-lit".into() };
    let Ok(h) = env::var("H_KEY") else { panic!("{}", "h-lit") };
    if env::var("I_KEY").is_err() { env::set_var("I_KEY", "i-lit"); }
    let j = config.get_string("j.key").unwrap_or("j-lit".into());
    let k = env::var("K_KEY").unwrap_or(FALLBACK.to_string());
    let l = env::args().nth(1).unwrap_or_else(|| "l-lit".into());
    let o = env::var("O_KEY").unwrap_or_else(|_| env::var("P_KEY").unwrap_or("p-lit".into()));
    let s1 = env::var("S1").unwrap_or(SHARED.into());
    let s2 = env::var("S2").unwrap_or(SHARED.into());
    settings.set_default("database.url", "set-lit");
    let m = Arg::new("port").long("port").env("PORT").default_value("m-lit");
    let n = Arg::new("host").long("host").default_value("n-lit");
    let plain = "plain-lit";
}
#[derive(clap::Parser)]
struct Args {
    #[arg(long, env = "DATABASE_URL", default_value = "clap-env")]
    database_url: String,
    #[arg(long, default_value = "clap-long")]
    listen_addr: String,
    #[clap(long = "db")]
    #[clap(default_value = "clap-named")]
    db_path: String,
    #[arg(env, default_value = "clap-bare-env")]
    redis_url: String,
    #[structopt(short, default_value = "clap-positional")]
    mode: String,
}
#[derive(serde::Deserialize)]
struct Settings {
    #[serde(default = "default_url")]
    url: String,
    #[serde(default = "Self::default_secret")]
    jwt_secret: String,
}
fn default_url() -> String { "serde-lit".into() }
impl Settings { fn default_secret() -> String { "serde-self-lit".into() } }
impl Default for Config {
    fn default() -> Self {
        Self {
            jwt_secret: "impl-lit".into(),
            inner: Inner { host: String::from("impl-nested") },
            token: env::var("TOKEN").unwrap_or("impl-env".into()),
        }
    }
}"#,
        );
        use DefaultKind::*;
        let by = |v: &str| {
            let l = f.lits.iter().find(|l| l.value == v).expect(v);
            assert_eq!(l.env_fallback, l.default_kind.is_some(), "{v}");
            (l.setting_key.as_deref(), l.default_kind)
        };
        let cases = [
            ("a-lit", Some("JWT_SECRET"), Some(EnvFallback)),
            ("b-lit", Some("B_KEY"), Some(EnvFallback)),
            ("c-lit", Some("C_KEY"), Some(EnvFallback)),
            ("d-lit", Some("D_KEY"), Some(EnvFallback)),
            ("e-lit", Some("E_KEY"), Some(EnvFallback)),
            ("f-lit", Some("F_KEY"), Some(EnvFallback)),
            ("g-lit", Some("G_KEY"), Some(EnvFallback)),
            ("h-lit", Some("H_KEY"), Some(EnvFallback)),
            ("i-lit", Some("I_KEY"), Some(EnvFallback)),
            ("j-lit", Some("j.key"), Some(EnvFallback)),
            ("const-lit", Some("K_KEY"), Some(EnvFallback)),
            ("l-lit", None, Some(EnvFallback)),
            ("p-lit", Some("P_KEY"), Some(EnvFallback)),
            ("shared-lit", None, Some(EnvFallback)),
            ("set-lit", Some("database.url"), Some(ConfigSetDefault)),
            ("database.url", None, None),
            ("m-lit", Some("PORT"), Some(CliDefault)),
            ("n-lit", Some("--host"), Some(CliDefault)),
            ("clap-env", Some("DATABASE_URL"), Some(CliDefault)),
            ("clap-long", Some("--listen-addr"), Some(CliDefault)),
            ("clap-named", Some("--db"), Some(CliDefault)),
            ("clap-bare-env", Some("REDIS_URL"), Some(CliDefault)),
            ("clap-positional", None, Some(CliDefault)),
            ("serde-lit", Some("url"), Some(SerdeDefault)),
            ("serde-self-lit", Some("jwt_secret"), Some(SerdeDefault)),
            ("impl-lit", Some("jwt_secret"), Some(ImplDefault)),
            ("impl-nested", Some("host"), Some(ImplDefault)),
            ("impl-env", Some("TOKEN"), Some(EnvFallback)),
            ("plain-lit", None, None),
            ("JWT_SECRET", None, None),
        ];
        for (v, key, kind) in cases {
            assert_eq!(by(v), (key, kind), "{v}");
        }
    }

    #[test]
    fn macro_bodies() {
        let f = parse(
            r#"lazy_static! { static ref CLIENT: Client = Client::open("redis://lazy").unwrap(); }
thread_local! { static LOCAL: RefCell<String> = RefCell::new(String::new()); }
macro_rules! m { () => { "redis://template" } }
fn main() {
    let v = json!({"database_url": "postgres://json", "n": 1});
    tokio::select! {
        r = listener.accept() => { connect("redis://select"); }
        _ = shutdown() => {}
    }
    let s = vec!["redis://vec"];
}
/// redis://doc
fn documented() {}"#,
        );
        let by = |v: &str| f.lits.iter().find(|l| l.value == v).cloned();
        assert!(by("redis://lazy").is_some_and(|l| l.call.is_some()));
        assert!(by("redis://template").is_none());
        assert_eq!(
            by("postgres://json").and_then(|l| l.binding).as_deref(),
            Some("database_url")
        );
        assert!(by("redis://select").is_some_and(|l| l.call.is_some()));
        assert!(by("redis://vec").is_some());
        assert!(f.lits.iter().all(|l| !l.value.contains("doc")));
        assert!(f.calls.iter().any(|c| c.callee == "Client::open"));
    }

    #[test]
    fn comparisons() {
        let f = parse(
            r#"fn main() {
    if url == "redis://cmp" {}
    match url.as_str() { "redis://pat" => {}, _ => {} }
    let x = "redis://used";
}"#,
        );
        let cmp = |v: &str| f.lits.iter().find(|l| l.value == v).map(|l| l.compared);
        assert_eq!(cmp("redis://cmp"), Some(true));
        assert_eq!(cmp("redis://pat"), Some(true));
        assert_eq!(cmp("redis://used"), Some(false));
    }

    #[test]
    fn test_cfgs() {
        let attrs = |s: &str| {
            syn::parse_str::<syn::ItemMod>(&format!("{s} mod m {{}}"))
                .map(|m| is_test_attrs(&m.attrs))
                .unwrap_or(false)
        };
        assert!(attrs("#[cfg(test)]"));
        assert!(attrs("#[cfg(all(test, unix))]"));
        assert!(attrs("#[cfg(all(feature = \"it\", test))]"));
        assert!(attrs("#[tokio::test]"));
        assert!(!attrs("#[cfg(not(test))]"));
        // Test-support code that a feature also compiles (mocks) is still test code.
        assert!(attrs("#[cfg(any(test, feature = \"mock\"))]"));
        assert!(!attrs("#[cfg(feature = \"test\")]"));
    }

    #[test]
    fn spans_are_exact_after_shebang() {
        let src = "#!/usr/bin/env rust\nfn main() { let x = \"ab\"; }";
        let f = parse(src);
        let lit = &f.lits[0];
        assert_eq!(&src[lit.span.clone()], "\"ab\"");
    }
}
