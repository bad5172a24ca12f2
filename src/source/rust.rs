//! Rust source: a syn parse plus the facts most rules need, extracted in one pass.
//!
//! The pass resolves `use` aliases (so `MemoryStore` written after `use tower_sessions::MemoryStore`
//! is known as `tower_sessions::MemoryStore`), looks inside macro bodies that parse as
//! comma-separated expressions, skips test code unless asked, and records for every string
//! literal what it is bound to and whether it is the fallback of an environment lookup. Rules
//! needing more structure read `ast` directly.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

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
];

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
        let text = mask_shebang(&source.text);
        let ast = syn::parse_str::<syn::File>(&text).map_err(|e| {
            let span = byte_range(e.span());
            ParseError::new(format!("Rust syntax error: {e}"), span)
        })?;
        let mut aliases = HashMap::new();
        let mut globs = Vec::new();
        for item in &ast.items {
            collect_uses(item, &mut aliases, &mut globs);
        }
        let mut v = Extractor {
            aliases: &aliases,
            include_tests,
            lits: Vec::new(),
            calls: Vec::new(),
            paths: Vec::new(),
            bindings: HashMap::new(),
            item_bindings: HashSet::new(),
            fallback_depth: 0,
            fallback_names: HashSet::new(),
            lit_call: HashMap::new(),
        };
        v.visit_file(&ast);
        let Extractor {
            mut lits,
            calls,
            paths,
            fallback_names,
            ..
        } = v;
        // A const used as an env fallback is a default, not a hardcoded value.
        for lit in &mut lits {
            if lit.binding_is_item
                && lit
                    .binding
                    .as_ref()
                    .is_some_and(|b| fallback_names.contains(b))
            {
                lit.env_fallback = true;
            }
        }
        let file = RustFile {
            source,
            ast,
            aliases,
            globs,
            lits,
            calls,
            paths,
            include_tests,
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

/// Whether attributes mark test-only code: `#[cfg(test)]`, `#[test]`, `#[tokio::test]`, ...
pub fn is_test_attrs(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        let path = a.path();
        if path.segments.last().is_some_and(|s| s.ident == "test") {
            return true;
        }
        if path.is_ident("cfg") {
            if let syn::Meta::List(list) = &a.meta {
                let tokens = list.tokens.to_string();
                return tokens == "test" || tokens.starts_with("all (test");
            }
        }
        false
    })
}

struct Extractor<'f> {
    aliases: &'f HashMap<String, String>,
    include_tests: bool,
    lits: Vec<StrLit>,
    calls: Vec<Call>,
    paths: Vec<PathUse>,
    /// Literal start offset → (binding name, is const/static).
    bindings: HashMap<usize, String>,
    item_bindings: HashSet<usize>,
    fallback_depth: usize,
    /// Names referenced inside fallback arguments (consts used as defaults).
    fallback_names: HashSet<String>,
    /// Literal start offset → index of the call it is a direct argument of.
    lit_call: HashMap<usize, usize>,
}

impl Extractor<'_> {
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
                    let path = resolve_with(&self.aliases, &p.path);
                    ENV_LOOKUPS
                        .iter()
                        .any(|l| path == *l || path.ends_with(&format!("::{l}")))
                        || path == "var"
                            && self
                                .aliases
                                .get("var")
                                .is_some_and(|a| a.ends_with("env::var"))
                }
                _ => false,
            },
            Expr::MethodCall(m) => {
                let name = m.method.to_string();
                // `config.get_string("x")`, `settings.get::<String>("x")`, `env.get("X")`.
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
            _ => false,
        }
    }

    fn visit_macro_body(&mut self, mac: &syn::Macro) {
        let parser = Punctuated::<Expr, Token![,]>::parse_terminated;
        if let Ok(exprs) = mac.parse_body_with(parser) {
            for e in &exprs {
                self.visit_expr(e);
            }
        }
    }
}

/// The literals that are the value of an expression: through references, parentheses,
/// conversions (`"x".to_string()`, `.into()`) and one-argument wrappers (`String::from("x")`,
/// `Some("x")`, `SecretString::new("x")`), but not through other calls' arguments.
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
                if p.path.segments.last().is_some_and(|s| {
                    matches!(
                        s.ident.to_string().as_str(),
                        "from" | "new" | "Some" | "from_static" | "Owned" | "Borrowed"
                    )
                }) =>
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

impl<'ast> Visit<'ast> for Extractor<'_> {
    fn visit_item(&mut self, i: &'ast syn::Item) {
        let attrs: &[syn::Attribute] = match i {
            syn::Item::Fn(f) => &f.attrs,
            syn::Item::Mod(m) => &m.attrs,
            syn::Item::Impl(m) => &m.attrs,
            syn::Item::Const(m) => &m.attrs,
            syn::Item::Static(m) => &m.attrs,
            syn::Item::Struct(m) => &m.attrs,
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

    fn visit_impl_item(&mut self, i: &'ast syn::ImplItem) {
        let skip = match i {
            syn::ImplItem::Fn(f) => self.skip(&f.attrs),
            syn::ImplItem::Const(c) => {
                self.bind(&c.expr, &c.ident.to_string(), true);
                self.skip(&c.attrs)
            }
            _ => false,
        };
        if !skip {
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

    fn visit_stmt(&mut self, s: &'ast syn::Stmt) {
        if let syn::Stmt::Local(l) = s {
            if self.skip(&l.attrs) {
                return;
            }
            if let (Some(name), Some(init)) = (pat_name(&l.pat), &l.init) {
                self.bind(&init.expr, &name, false);
            }
        }
        if let syn::Stmt::Macro(m) = s {
            self.visit_macro_body(&m.mac);
        }
        visit::visit_stmt(self, s);
    }

    fn visit_field_value(&mut self, f: &'ast syn::FieldValue) {
        if let Some(name) = member_name(&f.member) {
            self.bind(&f.expr, &name, false);
        }
        visit::visit_field_value(self, f);
    }

    fn visit_expr_assign(&mut self, a: &'ast syn::ExprAssign) {
        if let Some(name) = assign_target(&a.left) {
            self.bind(&a.right, &name, false);
        }
        visit::visit_expr_assign(self, a);
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
        let path = resolve_with(&self.aliases, &p.path);
        if self.fallback_depth > 0 {
            if let Some(last) = p.path.segments.last() {
                self.fallback_names.insert(last.ident.to_string());
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
                callee: resolve_with(&self.aliases, &p.path),
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
        let mut chain = Vec::new();
        let mut recv = &*m.receiver;
        let root = loop {
            match recv {
                Expr::MethodCall(inner) => {
                    chain.push(inner.method.to_string());
                    recv = &inner.receiver;
                }
                Expr::Await(a) => recv = &a.base,
                Expr::Try(t) => recv = &t.expr,
                Expr::Paren(p) => recv = &p.expr,
                Expr::Call(c) => match &*c.func {
                    Expr::Path(p) => break Some(resolve_with(&self.aliases, &p.path)),
                    _ => break None,
                },
                Expr::Path(p) => break Some(resolve_with(&self.aliases, &p.path)),
                _ => break None,
            }
        };
        chain.reverse();
        let idx = self.calls.len();
        self.calls.push(Call {
            callee: name.clone(),
            method: true,
            root,
            chain,
            span: byte_range(m.span()),
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
        self.visit_expr(&m.receiver);
        if fallback {
            self.fallback_depth += 1;
        }
        for a in &m.args {
            self.visit_expr(a);
        }
        if fallback {
            self.fallback_depth -= 1;
        }
    }

    fn visit_lit_str(&mut self, s: &'ast syn::LitStr) {
        let span = byte_range(s.span());
        if span.is_empty() {
            return;
        }
        let binding = self.bindings.get(&span.start).cloned();
        self.lits.push(StrLit {
            value: s.value(),
            binding_is_item: self.item_bindings.contains(&span.start),
            binding,
            env_fallback: self.fallback_depth > 0,
            call: self.lit_call.get(&span.start).copied(),
            span,
        });
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
    fn spans_are_exact_after_shebang() {
        let src = "#!/usr/bin/env rust\nfn main() { let x = \"ab\"; }";
        let f = parse(src);
        let lit = &f.lits[0];
        assert_eq!(&src[lit.span.clone()], "\"ab\"");
    }
}
