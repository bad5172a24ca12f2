//! Following a value inside one function: which literals an expression is built from, and
//! whether an environment lookup takes part.
//!
//! Deliberately small (issue 3: "follow consts and simple lets; do not guess beyond"): it follows
//! `let` bindings of the function being checked (the one in force where the name is used, so
//! shadowing works), `const`/`static` items of the file and of the function, conversions, tuples,
//! struct literals, constructors (`SocketAddr::new`, `Some`), `format!` (inline captures
//! included) and both arms of `if`/`match`. Anything else (a field of a config struct, a
//! function's result, a closure parameter, an `if let` binding) is "unknown", never "hard-coded".

use std::collections::HashMap;
use std::ops::Range;

use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::visit::{self, Visit};
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

/// Methods whose arguments are messages or error mappers, not part of the value.
const MESSAGE_METHODS: &[&str] = &[
    "expect",
    "expect_err",
    "context",
    "with_context",
    "wrap_err",
    "wrap_err_with",
    "map_err",
    "ok_or",
    "ok_or_else",
    "inspect",
    "inspect_err",
];

/// Associated functions that build a value out of their arguments (`SocketAddr::new`,
/// `String::from`); other functions' results are unknown.
const CONSTRUCTORS: &[&str] = &[
    "new",
    "from",
    "from_str",
    "try_from",
    "from_static",
    "to_string",
    "to_owned",
];

/// Macros that format their arguments into a string (inline `{name}` captures are followed).
const FORMAT_MACROS: &[&str] = &["format", "format_args", "concat"];

/// Types whose associated constants are fixed values with nothing to follow
/// (`Ipv4Addr::LOCALHOST`, `u16::MAX`).
const STD_CONST_OWNERS: &[&str] = &[
    "Ipv4Addr", "Ipv6Addr", "IpAddr", "u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16",
    "i32", "i64", "i128", "isize", "f32", "f64",
];

/// A `let` (or other pattern) binding and where it starts being in force.
#[derive(Clone, Copy)]
struct Local<'a> {
    /// Byte offset from which uses of the name refer to this binding.
    from: usize,
    /// Byte offset where the binding goes out of scope (the end of its block, closure or arm).
    until: usize,
    /// The bound expression; `None` when the pattern cannot be followed (a closure parameter,
    /// `if let Some(x) = ..`, `let Ok(x) = .. else`).
    init: Option<&'a Expr>,
}

/// What a name refers to at some point of a function.
#[derive(Clone, Copy)]
pub enum Binding<'a> {
    /// A `let`, `const` or `static` whose value is this expression.
    Expr(&'a Expr),
    /// A binding whose value cannot be followed (a parameter, a pattern).
    Opaque,
}

/// The names a function can see: the file's consts and statics, and its own bindings.
#[derive(Clone, Default)]
pub struct Scope<'a> {
    consts: HashMap<String, &'a Expr>,
    locals: HashMap<String, Vec<Local<'a>>>,
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

    /// This scope plus the bindings anywhere in `block`: `let`s (in nested blocks, closures and
    /// async blocks too), `const`/`static` items declared in it, and the opaque bindings of
    /// closure parameters, `if let`/`while let`/`match` patterns and `for` loops (a `for` variable
    /// stands for its whole collection). A use of a name
    /// refers to the last binding in force before it.
    pub fn with_block(&self, block: &'a syn::Block) -> Scope<'a> {
        let mut s = self.clone();
        let mut c = Collector {
            scope: &mut s,
            ends: Vec::new(),
            assigned: Vec::new(),
        };
        c.visit_block(block);
        let assigned = c.assigned;
        for (name, v) in s.locals.iter_mut() {
            v.sort_by_key(|l| l.from);
            // A `let mut` assigned later (`port = p.parse()?` in a `match env::var(..)`) has
            // more than one value: it is not followed.
            for l in v.iter_mut() {
                if assigned
                    .iter()
                    .any(|(n, at)| n == name && l.from <= *at && *at < l.until)
                {
                    l.init = None;
                }
            }
        }
        s
    }

    fn local(&mut self, name: String, from: usize, until: usize, init: Option<&'a Expr>) {
        self.locals
            .entry(name)
            .or_default()
            .push(Local { from, until, init });
    }

    /// What `name` refers to at byte offset `at`: the last local binding in force there, or
    /// else a `const`/`static` of that name.
    pub fn lookup(&self, name: &str, at: usize) -> Option<Binding<'a>> {
        if let Some(l) = self
            .locals
            .get(name)
            .and_then(|ls| ls.iter().rev().find(|l| l.from <= at && at < l.until))
        {
            return Some(l.init.map_or(Binding::Opaque, Binding::Expr));
        }
        self.consts.get(name).map(|e| Binding::Expr(e))
    }

    /// The expression a path used in an expression stands for: a local binding or const for a
    /// one-segment path, a const of the file for `module::NAME`. `None` when it cannot be
    /// followed.
    pub fn resolve(&self, p: &syn::ExprPath) -> Option<&'a Expr> {
        let last = p.path.segments.last()?.ident.to_string();
        if p.path.segments.len() == 1 {
            return match self.lookup(&last, byte_range(p.span()).start)? {
                Binding::Expr(e) => Some(e),
                Binding::Opaque => None,
            };
        }
        if is_const_name(&last) {
            return self.consts.get(&last).copied();
        }
        None
    }
}

fn is_const_name(name: &str) -> bool {
    name.chars()
        .all(|c| c.is_ascii_uppercase() || c == '_' || c.is_ascii_digit())
        && name.chars().any(|c| c.is_ascii_uppercase())
}

/// Gathers the bindings of a function body.
struct Collector<'s, 'a> {
    scope: &'s mut Scope<'a>,
    /// End offsets of the blocks being visited, innermost last.
    ends: Vec<usize>,
    /// Names assigned to (`x = ..`, `x += ..`) and where.
    assigned: Vec<(String, usize)>,
}

impl Collector<'_, '_> {
    fn block_end(&self) -> usize {
        self.ends.last().copied().unwrap_or(usize::MAX)
    }

    /// Every identifier a pattern binds, as an opaque binding in force over `from..until`.
    fn opaque(&mut self, pat: &syn::Pat, from: usize, until: usize) {
        struct Idents(Vec<String>);
        impl<'p> Visit<'p> for Idents {
            fn visit_pat_ident(&mut self, i: &'p syn::PatIdent) {
                self.0.push(i.ident.to_string());
                visit::visit_pat_ident(self, i);
            }
        }
        let mut ids = Idents(Vec::new());
        ids.visit_pat(pat);
        for name in ids.0 {
            self.scope.local(name, from, until, None);
        }
    }

    /// Records an assignment to a local name.
    fn assignment(&mut self, target: &Expr) {
        if let Expr::Path(p) = strip(target) {
            if let Some(id) = p.path.get_ident() {
                self.assigned
                    .push((id.to_string(), byte_range(p.span()).start));
            }
        }
    }

    /// The `let` patterns of an `if`/`while` condition (`let` chains included).
    fn cond_lets(&mut self, cond: &Expr, until: usize) {
        match cond {
            Expr::Let(l) => self.opaque(&l.pat, byte_range(l.pat.span()).start, until),
            Expr::Binary(b) => {
                self.cond_lets(&b.left, until);
                self.cond_lets(&b.right, until);
            }
            Expr::Paren(p) => self.cond_lets(&p.expr, until),
            _ => {}
        }
    }
}

impl<'a> Collector<'_, 'a> {
    fn bind(&mut self, pat: &'a syn::Pat, init: Option<&'a Expr>, from: usize) {
        let until = self.block_end();
        match pat {
            syn::Pat::Ident(i) if i.subpat.is_none() => {
                self.scope.local(i.ident.to_string(), from, until, init);
            }
            syn::Pat::Type(t) => self.bind(&t.pat, init, from),
            syn::Pat::Paren(p) => self.bind(&p.pat, init, from),
            syn::Pat::Reference(r) => self.bind(&r.pat, init, from),
            syn::Pat::Tuple(t) => match init.map(strip) {
                Some(Expr::Tuple(e)) if e.elems.len() == t.elems.len() => {
                    for (p, e) in t.elems.iter().zip(&e.elems) {
                        self.bind(p, Some(e), from);
                    }
                }
                _ => self.opaque(pat, from, until),
            },
            _ => self.opaque(pat, from, until),
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

impl<'a> Visit<'a> for Collector<'_, 'a> {
    fn visit_block(&mut self, b: &'a syn::Block) {
        self.ends.push(byte_range(b.brace_token.span.join()).end);
        visit::visit_block(self, b);
        self.ends.pop();
    }

    fn visit_local(&mut self, l: &'a syn::Local) {
        // The binding is in force after the whole statement (`let port = port.parse()` reads
        // the previous `port`) until the end of its block.
        let from = byte_range(l.span()).end;
        match &l.init {
            Some(init) if init.diverge.is_none() => self.bind(&l.pat, Some(&init.expr), from),
            _ => {
                let until = self.block_end();
                self.opaque(&l.pat, from, until);
            }
        }
        visit::visit_local(self, l);
    }

    fn visit_item(&mut self, i: &'a syn::Item) {
        // Items declared in a body: their consts are visible, their functions are not walked.
        match i {
            syn::Item::Const(c) => {
                self.scope.consts.insert(c.ident.to_string(), &c.expr);
            }
            syn::Item::Static(c) => {
                self.scope.consts.insert(c.ident.to_string(), &c.expr);
            }
            _ => {}
        }
    }

    fn visit_expr_closure(&mut self, c: &'a syn::ExprClosure) {
        let span = byte_range(c.span());
        for p in &c.inputs {
            self.opaque(p, span.start, span.end);
        }
        visit::visit_expr_closure(self, c);
    }

    fn visit_expr_if(&mut self, i: &'a syn::ExprIf) {
        let until = byte_range(i.then_branch.brace_token.span.join()).end;
        self.cond_lets(&i.cond, until);
        visit::visit_expr_if(self, i);
    }

    fn visit_expr_while(&mut self, w: &'a syn::ExprWhile) {
        let until = byte_range(w.body.brace_token.span.join()).end;
        self.cond_lets(&w.cond, until);
        visit::visit_expr_while(self, w);
    }

    fn visit_expr_assign(&mut self, a: &'a syn::ExprAssign) {
        self.assignment(&a.left);
        visit::visit_expr_assign(self, a);
    }

    fn visit_expr_binary(&mut self, b: &'a syn::ExprBinary) {
        use syn::BinOp as B;
        if matches!(
            b.op,
            B::AddAssign(_)
                | B::SubAssign(_)
                | B::MulAssign(_)
                | B::DivAssign(_)
                | B::RemAssign(_)
                | B::BitXorAssign(_)
                | B::BitAndAssign(_)
                | B::BitOrAssign(_)
                | B::ShlAssign(_)
                | B::ShrAssign(_)
        ) {
            self.assignment(&b.left);
        }
        visit::visit_expr_binary(self, b);
    }

    fn visit_arm(&mut self, a: &'a syn::Arm) {
        let span = byte_range(a.span());
        self.opaque(&a.pat, span.start, span.end);
        visit::visit_arm(self, a);
    }

    fn visit_expr_for_loop(&mut self, f: &'a syn::ExprForLoop) {
        // `for addr in &["[::1]:50051", "[::1]:50052"]`: the variable is one of the elements,
        // so it is traced as the whole collection; other patterns are opaque.
        let span = byte_range(f.span());
        match &*f.pat {
            syn::Pat::Ident(i) if i.subpat.is_none() => {
                self.scope
                    .local(i.ident.to_string(), span.start, span.end, Some(&f.expr));
            }
            _ => self.opaque(&f.pat, span.start, span.end),
        }
        visit::visit_expr_for_loop(self, f);
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

/// Whether a called path reads the environment (`std::env::var`, `dotenvy::var`, a `var`
/// imported from `std::env`).
pub fn path_is_env(path: &syn::Path) -> bool {
    let s: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
    let joined = s.join("::");
    ENV_CALLS
        .iter()
        .any(|e| joined == *e || joined.ends_with(&format!("::{e}")))
        || joined == "var" // `use std::env::var;`
}

/// Whether a called path builds a value from its arguments: a tuple struct or enum variant
/// (`Some(x)`, `SocketAddr::V4(x)`) or a constructor of a type (`SocketAddr::new`,
/// `String::from`).
pub fn is_constructor(path: &syn::Path) -> bool {
    let mut segs = path.segments.iter().rev().map(|s| s.ident.to_string());
    let Some(last) = segs.next() else {
        return false;
    };
    if last.starts_with(|c: char| c.is_ascii_uppercase()) {
        return true;
    }
    let owner = segs.next().unwrap_or_default();
    CONSTRUCTORS.contains(&last.as_str())
        && (owner.starts_with(|c: char| c.is_ascii_uppercase())
            || STD_CONST_OWNERS.contains(&owner.as_str()))
}

/// A piece of a `format!` template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Piece {
    /// Literal text (`{{`/`}}` unescaped).
    Text(String),
    /// The next positional argument (`{}`, `{:?}`).
    Next,
    /// A positional argument by index (`{0}`).
    Index(usize),
    /// A named argument or an inline capture (`{port}`).
    Name(String),
}

/// Splits a `format!` template into text and placeholders.
pub fn format_pieces(template: &str) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut text = String::new();
    let mut chars = template.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                text.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                text.push('}');
            }
            '{' => {
                let mut inner = String::new();
                for c in chars.by_ref() {
                    if c == '}' {
                        break;
                    }
                    inner.push(c);
                }
                if !text.is_empty() {
                    out.push(Piece::Text(std::mem::take(&mut text)));
                }
                let arg = inner.split(':').next().unwrap_or("").trim();
                out.push(if arg.is_empty() {
                    Piece::Next
                } else if let Ok(i) = arg.parse::<usize>() {
                    Piece::Index(i)
                } else {
                    Piece::Name(arg.to_string())
                });
            }
            _ => text.push(c),
        }
    }
    if !text.is_empty() {
        out.push(Piece::Text(text));
    }
    out
}

/// The arguments of a `format!`-like macro: the template (value and span), the positional
/// arguments and the named ones (`name = expr`). `None` when the body is not a template
/// followed by expressions.
pub fn format_args(mac: &syn::Macro) -> Option<FormatArgs> {
    let args = mac
        .parse_body_with(Punctuated::<Expr, Token![,]>::parse_terminated)
        .ok()?;
    let mut it = args.into_iter();
    let Expr::Lit(syn::ExprLit {
        lit: Lit::Str(template),
        ..
    }) = it.next()?
    else {
        return None;
    };
    let mut positional = Vec::new();
    let mut named = Vec::new();
    for a in it {
        match a {
            Expr::Assign(a) => {
                if let Expr::Path(p) = &*a.left {
                    if let Some(id) = p.path.get_ident() {
                        named.push((id.to_string(), *a.right));
                        continue;
                    }
                }
                return None;
            }
            e => positional.push(e),
        }
    }
    Some(FormatArgs {
        template: template.value(),
        span: byte_range(template.span()),
        positional,
        named,
    })
}

/// A parsed `format!` invocation.
pub struct FormatArgs {
    /// The template's value.
    pub template: String,
    /// The template literal's byte range.
    pub span: Range<usize>,
    /// Positional arguments.
    pub positional: Vec<Expr>,
    /// Named arguments.
    pub named: Vec<(String, Expr)>,
}

impl Tracer<'_, '_> {
    fn lit(&self, value: Value, span: Range<usize>, t: &mut Trace) {
        if self.in_default {
            t.defaults.push((value, span));
        } else {
            t.literals.push((value, span));
        }
    }

    /// Follows a name used at `at` (an inline `format!` capture).
    fn name(&mut self, name: &str, at: usize, t: &mut Trace) {
        match self.scope.lookup(name, at) {
            Some(Binding::Expr(e)) => self.expr(e, t),
            _ => t.unknown = true,
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
                let segs = &p.path.segments;
                let owner = segs
                    .iter()
                    .rev()
                    .nth(1)
                    .map(|s| s.ident.to_string())
                    .unwrap_or_default();
                match self.scope.resolve(p) {
                    Some(init) => self.expr(init, t),
                    // `Ipv4Addr::LOCALHOST`, `u16::MAX`: fixed constants, nothing to follow.
                    None if segs.len() > 1 && STD_CONST_OWNERS.contains(&owner.as_str()) => {}
                    None => t.unknown = true,
                }
            }
            Expr::Call(c) => {
                let func = match &*c.func {
                    Expr::Path(p) => Some(&p.path),
                    _ => None,
                };
                if func.is_some_and(path_is_env) {
                    t.env = true;
                    self.depth -= 1;
                    return;
                }
                // Another function's result is unknown; its arguments may still read the
                // environment.
                if !func.is_some_and(is_constructor) || c.args.is_empty() {
                    t.unknown = true;
                }
                for a in &c.args {
                    self.expr(a, t);
                }
            }
            Expr::MethodCall(m) => {
                let name = m.method.to_string();
                self.expr(&m.receiver, t);
                if !MESSAGE_METHODS.contains(&name.as_str()) {
                    let was = self.in_default;
                    if FALLBACKS.contains(&name.as_str()) {
                        self.in_default = true;
                    }
                    for a in &m.args {
                        self.expr(a, t);
                    }
                    self.in_default = was;
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
                if last == "env" || last == "option_env" {
                    t.env = true;
                } else if FORMAT_MACROS.contains(&last.as_str()) {
                    match format_args(&m.mac) {
                        Some(f) => self.format(&f, t),
                        None => self.macro_exprs(&m.mac, t),
                    }
                } else {
                    self.macro_exprs(&m.mac, t);
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

    fn macro_exprs(&mut self, mac: &syn::Macro, t: &mut Trace) {
        match mac.parse_body_with(Punctuated::<Expr, Token![,]>::parse_terminated) {
            Ok(args) => args.iter().for_each(|a| self.expr(a, t)),
            Err(_) => t.unknown = true,
        }
    }

    fn format(&mut self, f: &FormatArgs, t: &mut Trace) {
        self.lit(Value::Str(f.template.clone()), f.span.clone(), t);
        for a in &f.positional {
            self.expr(a, t);
        }
        for (_, a) in &f.named {
            self.expr(a, t);
        }
        for piece in format_pieces(&f.template) {
            if let Piece::Name(name) = piece {
                if !f.named.iter().any(|(n, _)| *n == name) {
                    self.name(&name, f.span.start, t);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Traces the last argument of the last `bind(..)` call in the first function of `src`.
    fn trace_last_arg(src: &str) -> Trace {
        struct Last<'a>(Option<&'a syn::ExprCall>);
        impl<'a> Visit<'a> for Last<'a> {
            fn visit_expr_call(&mut self, c: &'a syn::ExprCall) {
                if matches!(&*c.func, Expr::Path(p) if p.path.is_ident("bind")) {
                    self.0 = Some(c);
                }
                visit::visit_expr_call(self, c);
            }
        }
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
        let mut last = Last(None);
        last.visit_block(&f.block);
        let c = last.0.expect("a bind(..) call");
        trace(c.args.last().expect("an argument"), &scope)
    }

    fn ints(t: &Trace) -> Vec<u64> {
        t.literals
            .iter()
            .filter_map(|(v, _)| match v {
                Value::Int(i) => Some(*i),
                Value::Str(_) => None,
            })
            .collect()
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

    #[test]
    fn shadowing_reads_the_binding_in_force() {
        // The second `port` is parsed from the first, which comes from the environment.
        let t = trace_last_arg(
            "fn main() { let port = std::env::var(\"PORT\").unwrap_or_else(|_| \"8080\".into()); let port: u16 = port.parse().expect(\"PORT is a number\"); bind((\"0.0.0.0\", port)) }",
        );
        assert!(t.env && !t.is_hardcoded());
        assert!(t
            .literals
            .iter()
            .all(|(v, _)| *v != Value::Str("PORT is a number".into())));
        // A later `let` of the same name does not change what an earlier use saw.
        let t = trace_last_arg(
            "fn main() { let port = 8080; let a = (\"0.0.0.0\", port); let port = cfg.port; bind(a) }",
        );
        assert!(t.is_hardcoded());
        assert_eq!(ints(&t), vec![8080]);
    }

    #[test]
    fn lets_in_nested_blocks_and_local_consts() {
        let t = trace_last_arg(
            "fn main() { rt.block_on(async move { let addr = \"0.0.0.0:3000\"; bind(addr).await }) }",
        );
        assert!(t.is_hardcoded());
        // A binding does not outlive its block.
        let t = trace_last_arg("fn main() { { let addr = \"0.0.0.0:3000\"; } bind(addr) }");
        assert!(t.unknown);
        let t = trace_last_arg("fn main() { const PORT: u16 = 4000; bind((\"0.0.0.0\", PORT)) }");
        assert_eq!(ints(&t), vec![4000]);
    }

    #[test]
    fn reassigned_mut_bindings_are_opaque() {
        let t = trace_last_arg(
            "fn main() { let mut port: u16 = 8080; match env::var(\"PORT\") { Ok(p) => { port = p.parse().unwrap(); } Err(_) => {} } bind(([0, 0, 0, 0], port)) }",
        );
        assert!(t.unknown && !t.is_hardcoded());
        let t = trace_last_arg("fn main() { let mut port = 8080; port += 1; bind(port) }");
        assert!(t.unknown);
        let t = trace_last_arg("fn main() { let mut port = 8080; bind(port) }");
        assert!(t.is_hardcoded());
    }

    #[test]
    fn for_loops_over_literals() {
        let t = trace_last_arg(
            "fn main() { let addrs = [\"[::1]:50051\", \"[::1]:50052\"]; for addr in &addrs { let addr = addr.parse().unwrap(); bind(addr) } }",
        );
        assert!(t.is_hardcoded());
        assert_eq!(t.literals.len(), 2);
        let t = trace_last_arg("fn main() { for port in cfg.ports.iter() { bind(port) } }");
        assert!(t.unknown);
        let t = trace_last_arg(
            "fn main() { for (i, port) in ports.iter().enumerate() { bind(port) } }",
        );
        assert!(t.unknown);
    }

    #[test]
    fn tuple_patterns() {
        let t = trace_last_arg(
            "fn main() { let (host, port) = (\"0.0.0.0\", 8080); bind((host, port)) }",
        );
        assert!(t.is_hardcoded());
        assert_eq!(ints(&t), vec![8080]);
        let t = trace_last_arg("fn main() { let (host, port) = split(cfg); bind((host, port)) }");
        assert!(t.unknown);
    }

    #[test]
    fn pattern_bindings_are_opaque() {
        // `if let`, closure parameters and match arms shadow outer bindings with unknowns.
        let t = trace_last_arg(
            "fn main() { let port = 8080; if let Ok(port) = std::env::var(\"PORT\") { bind(port) } }",
        );
        assert!(t.unknown && !t.is_hardcoded());
        let t = trace_last_arg("fn main() { let port = 8080; let f = |port: u16| bind(port); }");
        assert!(t.unknown);
        // ... but only inside the closure, arm or block they belong to.
        let t = trace_last_arg(
            "fn main() { let port = 8080; let f = |port: u16| port; if let Some(port) = x {} bind(port) }",
        );
        assert!(t.is_hardcoded());
    }

    #[test]
    fn inline_format_captures() {
        let t = trace_last_arg(
            "fn main() { let port = std::env::var(\"PORT\").unwrap(); bind(format!(\"0.0.0.0:{port}\")) }",
        );
        assert!(t.env && !t.is_hardcoded());
        let t = trace_last_arg("fn main() { let port = 8080; bind(format!(\"0.0.0.0:{port}\")) }");
        assert!(t.is_hardcoded());
        assert_eq!(ints(&t), vec![8080]);
        let t = trace_last_arg("fn main() { bind(format!(\"0.0.0.0:{port}\")) }");
        assert!(t.unknown);
        let t =
            trace_last_arg("fn main() { bind(format!(\"{h}:{p}\", h = \"0.0.0.0\", p = 9000)) }");
        assert!(t.is_hardcoded());
        assert_eq!(ints(&t), vec![9000]);
    }

    #[test]
    fn function_results_are_unknown() {
        // A helper reading the environment must not turn its literal default into a value.
        let t = trace_last_arg("fn main() { bind((\"0.0.0.0\", env_or(\"PORT\", 8080))) }");
        assert!(t.unknown && !t.is_hardcoded());
        let t = trace_last_arg(
            "fn main() { bind(SocketAddr::new(IpAddr::V4(Ipv4Addr::new(0, 0, 0, 0)), 8080)) }",
        );
        assert!(t.is_hardcoded());
        let t = trace_last_arg("fn main() { bind((Ipv4Addr::UNSPECIFIED, 8080)) }");
        assert!(t.is_hardcoded());
        let t = trace_last_arg("fn main() { bind((\"0.0.0.0\", config::PORT)) }");
        assert!(t.unknown);
    }

    #[test]
    fn format_templates() {
        assert_eq!(
            format_pieces("0.0.0.0:{}"),
            vec![Piece::Text("0.0.0.0:".into()), Piece::Next]
        );
        assert_eq!(
            format_pieces("{host}:{0:>5}{{x}}"),
            vec![
                Piece::Name("host".into()),
                Piece::Text(":".into()),
                Piece::Index(0),
                Piece::Text("{x}".into()),
            ]
        );
    }
}
