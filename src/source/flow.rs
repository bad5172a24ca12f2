//! Following a value inside one function: which literals an expression is built from, and
//! whether an environment lookup takes part.
//!
//! Deliberately small (issue 3: "follow consts and simple lets; do not guess beyond"): it follows
//! `let` bindings of the function being checked, `const`/`static` items of the file, conversions,
//! tuples, struct literals, `format!`-like macros and both arms of `if`/`match`. Anything else
//! (a field of a config struct, a function's result) is "unknown", never "hard-coded".

use std::collections::HashMap;
use std::ops::Range;

use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Expr, Lit, Token};

use super::rust::byte_range;

/// Functions and macros whose result comes from the environment.
const ENV_CALLS: &[&str] = &["env::var", "env::var_os", "dotenvy::var", "dotenv::var"];

/// Methods that supply a default when a lookup failed: their literal arguments are defaults.
const FALLBACKS: &[&str] = &[
    "unwrap_or",
    "unwrap_or_else",
    "unwrap_or_default",
    "or",
    "or_else",
    "map_or",
    "map_or_else",
];

/// The names a function can see: the file's consts and statics, and its own `let`s.
#[derive(Clone, Default)]
pub struct Scope<'a> {
    consts: HashMap<String, &'a Expr>,
    locals: HashMap<String, &'a Expr>,
}

impl<'a> Scope<'a> {
    /// The `const` and `static` items of a file (including those in inline modules and impls).
    pub fn for_file(file: &'a syn::File) -> Self {
        let mut s = Scope::default();
        s.add_items(&file.items);
        s
    }

    fn add_items(&mut self, items: &'a [syn::Item]) {
        for item in items {
            match item {
                syn::Item::Const(c) => {
                    self.consts.insert(c.ident.to_string(), &c.expr);
                }
                syn::Item::Static(c) => {
                    self.consts.insert(c.ident.to_string(), &c.expr);
                }
                syn::Item::Mod(m) => {
                    if let Some((_, items)) = &m.content {
                        self.add_items(items);
                    }
                }
                syn::Item::Impl(i) => {
                    for it in &i.items {
                        if let syn::ImplItem::Const(c) = it {
                            self.consts.insert(c.ident.to_string(), &c.expr);
                        }
                    }
                }
                _ => {}
            }
        }
    }

    /// This scope plus the `let` bindings anywhere in `block` (a later `let` of a name wins).
    pub fn with_block(&self, block: &'a syn::Block) -> Scope<'a> {
        let mut s = self.clone();
        s.add_block(block);
        s
    }

    fn add_block(&mut self, block: &'a syn::Block) {
        for stmt in &block.stmts {
            match stmt {
                syn::Stmt::Local(l) => {
                    if let (Some(name), Some(init)) = (pat_ident(&l.pat), &l.init) {
                        self.locals.insert(name, &init.expr);
                    }
                    if let Some(init) = &l.init {
                        self.add_expr_blocks(&init.expr);
                    }
                }
                syn::Stmt::Expr(e, _) => self.add_expr_blocks(e),
                _ => {}
            }
        }
    }

    fn add_expr_blocks(&mut self, e: &'a Expr) {
        match e {
            Expr::Block(b) => self.add_block(&b.block),
            Expr::Async(b) => self.add_block(&b.block),
            Expr::Unsafe(b) => self.add_block(&b.block),
            Expr::If(i) => {
                self.add_block(&i.then_branch);
                if let Some((_, e)) = &i.else_branch {
                    self.add_expr_blocks(e);
                }
            }
            Expr::Loop(l) => self.add_block(&l.body),
            Expr::While(l) => self.add_block(&l.body),
            Expr::ForLoop(l) => self.add_block(&l.body),
            _ => {}
        }
    }

    fn lookup(&self, name: &str) -> Option<&'a Expr> {
        self.locals
            .get(name)
            .or_else(|| self.consts.get(name))
            .copied()
    }
}

fn pat_ident(p: &syn::Pat) -> Option<String> {
    match p {
        syn::Pat::Ident(i) => Some(i.ident.to_string()),
        syn::Pat::Type(t) => pat_ident(&t.pat),
        _ => None,
    }
}

/// A literal reached while tracing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    /// A string literal's value.
    Str(String),
    /// An integer literal's value.
    Int(u64),
}

/// What an expression is made of.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Trace {
    /// Literals the value is built from, with their byte ranges (not counting defaults).
    pub literals: Vec<(Value, Range<usize>)>,
    /// Literals used only as the fallback of a lookup.
    pub defaults: Vec<(Value, Range<usize>)>,
    /// An environment lookup takes part.
    pub env: bool,
    /// Some part could not be followed (a function result, a struct field, an argument).
    pub unknown: bool,
}

impl Trace {
    /// Whether the value is fixed in the code: built from literals, with no environment lookup
    /// and nothing unknown.
    pub fn is_hardcoded(&self) -> bool {
        !self.env && !self.unknown && !self.literals.is_empty()
    }
}

/// Traces `expr` within `scope`.
pub fn trace(expr: &Expr, scope: &Scope<'_>) -> Trace {
    let mut t = Trace::default();
    Tracer {
        scope,
        depth: 0,
        in_default: false,
    }
    .expr(expr, &mut t);
    t
}

struct Tracer<'s, 'a> {
    scope: &'s Scope<'a>,
    depth: usize,
    in_default: bool,
}

fn path_is_env(path: &syn::Path) -> bool {
    let s: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
    let joined = s.join("::");
    ENV_CALLS
        .iter()
        .any(|e| joined == *e || joined.ends_with(&format!("::{e}")))
        || joined == "var" // `use std::env::var;`
}

impl Tracer<'_, '_> {
    fn lit(&self, value: Value, span: Range<usize>, t: &mut Trace) {
        if self.in_default {
            t.defaults.push((value, span));
        } else {
            t.literals.push((value, span));
        }
    }

    fn expr(&mut self, e: &Expr, t: &mut Trace) {
        if self.depth > 16 {
            t.unknown = true;
            return;
        }
        self.depth += 1;
        match e {
            Expr::Lit(l) => match &l.lit {
                Lit::Str(s) => self.lit(Value::Str(s.value()), byte_range(s.span()), t),
                Lit::Int(i) => match i.base10_parse::<u64>() {
                    Ok(v) => self.lit(Value::Int(v), byte_range(i.span()), t),
                    Err(_) => t.unknown = true,
                },
                _ => {}
            },
            Expr::Path(p) => {
                let name = p
                    .path
                    .segments
                    .last()
                    .map(|s| s.ident.to_string())
                    .unwrap_or_default();
                match self.scope.lookup(&name) {
                    Some(init)
                        if p.path.segments.len() == 1
                            || name
                                .chars()
                                .all(|c| c.is_uppercase() || c == '_' || c.is_ascii_digit()) =>
                    {
                        self.expr(init, t)
                    }
                    // `Ipv4Addr::UNSPECIFIED`, `Ipv4Addr::LOCALHOST`: constants, not values to follow.
                    _ if p.path.segments.len() > 1 => {}
                    _ => t.unknown = true,
                }
            }
            Expr::Call(c) => {
                if let Expr::Path(p) = &*c.func {
                    if path_is_env(&p.path) {
                        t.env = true;
                        self.depth -= 1;
                        return;
                    }
                }
                if c.args.is_empty() {
                    t.unknown = true;
                }
                for a in &c.args {
                    self.expr(a, t);
                }
            }
            Expr::MethodCall(m) => {
                let name = m.method.to_string();
                self.expr(&m.receiver, t);
                let was = self.in_default;
                if FALLBACKS.contains(&name.as_str()) {
                    self.in_default = true;
                }
                for a in &m.args {
                    self.expr(a, t);
                }
                self.in_default = was;
            }
            Expr::Macro(m) => {
                let last = m
                    .mac
                    .path
                    .segments
                    .last()
                    .map(|s| s.ident.to_string())
                    .unwrap_or_default();
                if last == "env" || last == "option_env" {
                    t.env = true;
                } else if let Ok(args) = m
                    .mac
                    .parse_body_with(Punctuated::<Expr, Token![,]>::parse_terminated)
                {
                    for a in &args {
                        self.expr(a, t);
                    }
                } else {
                    t.unknown = true;
                }
            }
            Expr::Tuple(x) => x.elems.iter().for_each(|e| self.expr(e, t)),
            Expr::Array(x) => x.elems.iter().for_each(|e| self.expr(e, t)),
            Expr::Struct(s) => s.fields.iter().for_each(|f| self.expr(&f.expr, t)),
            Expr::Paren(x) => self.expr(&x.expr, t),
            Expr::Group(x) => self.expr(&x.expr, t),
            Expr::Reference(x) => self.expr(&x.expr, t),
            Expr::Cast(x) => self.expr(&x.expr, t),
            Expr::Try(x) => self.expr(&x.expr, t),
            Expr::Await(x) => self.expr(&x.base, t),
            Expr::Unary(x) => self.expr(&x.expr, t),
            Expr::Binary(x) => {
                self.expr(&x.left, t);
                self.expr(&x.right, t);
            }
            Expr::Closure(x) => self.expr(&x.body, t),
            Expr::Block(b) => match b.block.stmts.last() {
                Some(syn::Stmt::Expr(e, None)) => self.expr(e, t),
                _ => t.unknown = true,
            },
            Expr::If(i) => {
                match i.then_branch.stmts.last() {
                    Some(syn::Stmt::Expr(e, None)) => self.expr(e, t),
                    _ => t.unknown = true,
                }
                match &i.else_branch {
                    Some((_, e)) => self.expr(e, t),
                    None => t.unknown = true,
                }
            }
            Expr::Match(m) => {
                self.expr(&m.expr, t);
                for arm in &m.arms {
                    self.expr(&arm.body, t);
                }
            }
            _ => t.unknown = true,
        }
        self.depth -= 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trace_last_arg(src: &str) -> Trace {
        let file: syn::File = syn::parse_str(src).expect("valid rust");
        let scope = Scope::for_file(&file);
        let syn::Item::Fn(f) = file
            .items
            .iter()
            .find(|i| matches!(i, syn::Item::Fn(_)))
            .expect("a fn")
        else {
            unreachable!()
        };
        let scope = scope.with_block(&f.block);
        let Some(syn::Stmt::Expr(Expr::Call(c), _)) = f.block.stmts.last() else {
            panic!("last statement is a call");
        };
        trace(c.args.last().expect("an argument"), &scope)
    }

    #[test]
    fn literal_through_let_and_const() {
        let t = trace_last_arg(
            "const PORT: u16 = 8080; fn main() { let addr = (\"0.0.0.0\", PORT); bind(addr) }",
        );
        assert!(t.is_hardcoded());
        assert!(t.literals.iter().any(|(v, _)| *v == Value::Int(8080)));
    }

    #[test]
    fn env_with_default_is_not_hardcoded() {
        let t = trace_last_arg(
            "fn main() { let port: u16 = std::env::var(\"PORT\").ok().and_then(|p| p.parse().ok()).unwrap_or(3000); bind((\"0.0.0.0\", port)) }",
        );
        assert!(t.env && !t.is_hardcoded());
        assert!(t.defaults.iter().any(|(v, _)| *v == Value::Int(3000)));
    }

    #[test]
    fn format_with_unknown_is_not_hardcoded() {
        let t = trace_last_arg("fn main() { let a = format!(\"0.0.0.0:{}\", cfg.port); bind(a) }");
        assert!(!t.is_hardcoded());
        let t = trace_last_arg("fn main() { bind(format!(\"0.0.0.0:{}\", 8080)) }");
        assert!(t.is_hardcoded());
    }
}
