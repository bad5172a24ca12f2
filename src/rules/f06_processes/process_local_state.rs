//! TC0602: application data kept in the memory of one process.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::ops::Range;

use syn::spanned::Spanned;
use syn::visit::{self, Visit};
use syn::Expr;

use crate::registry::RuleId;
use crate::rule::prelude::*;
use crate::rules::common::words;
use crate::source::flow::{Binding, Scope};
use crate::source::rust::{byte_range, flat_tokens as flat, is_test_attrs, static_macro_items};

declare_rule! {
    /// ## What it does
    /// Flags application data kept in the memory of a service process:
    /// - a `static` (also `static mut`, `lazy_static!`, `thread_local!`, and statics wrapped in
    ///   `OnceLock`, `OnceCell`, `Lazy` or `LazyLock`) holding a `Mutex`, `RwLock` or `RefCell`
    ///   (std, parking_lot or tokio) of a collection (`HashMap`, `BTreeMap`, `HashSet`,
    ///   `BTreeSet`, `Vec`, `VecDeque`, `IndexMap`, ...), or a `DashMap`/`DashSet`, directly or
    ///   through a type alias; and such a collection in a field of a struct held in a static;
    /// - router state holding such a collection: a locked collection or `DashMap` in a field of
    ///   a router-state struct, a type alias used as router state
    ///   (`type Db = Arc<RwLock<HashMap<Uuid, Todo>>>`), a plain collection field of a state
    ///   struct that is itself shared behind a lock (`Arc<RwLock<AppState>>`), and a locked
    ///   collection built in place and handed to the router
    ///   (`web::Data::new(Mutex::new(Vec::new()))`).
    ///
    /// A type is router state when its name ends in `State`, or when the crate hands it to the
    /// framework anywhere: axum `State<T>`, `Extension<T>`, `Router<T>`, `.with_state(..)`,
    /// `Extension(..)`; actix-web and poem `Data<T>`, `web::Data::new(..)`, `.app_data(..)`,
    /// `.data(..)`; rocket `&State<T>`, `.manage(..)`; tide `Request<T>`, `tide::with_state(..)`;
    /// ntex `State<T>`, `.state(..)`; salvo `affix::inject(..)`; warp
    /// `Filter<Extract = (T,)>`; a tonic service given to `XxxServer::new(..)`. Type aliases are
    /// followed, across the files of the crate.
    ///
    /// Not flagged (by a word of the name or a type in the declaration): caches (`moka`,
    /// `cached`, `lru`, `quick_cache`, `mini_moka`, `*Cache*`, names with `cache`/`memo`),
    /// configuration (`*Config*`, `*Settings*`, names with `config`/`settings`/`options`),
    /// metrics (`prometheus`, `metrics`, atomics, `*Counter*`, names with
    /// `metric`/`counter`/`count`/`stats`/`hits`), connection pools (`*Pool`, `bb8`,
    /// `deadpool`, `r2d2`), rate limiting (`governor`, `*Limiter`, names with
    /// `limit`/`rate`/`throttle`/`quota`/`attempts`), session maps (names or types about
    /// sessions: `TC0601` reports them), registries of connections, channels and tasks
    /// (`Sender`, `Recipient`, `Addr`, `WebSocket`, `Client`, `JoinHandle`..., names such as
    /// `clients`, `peers`, `subscribers`), registries of code and templates (`fn`, `dyn`,
    /// `Regex`, `Tera`, names such as `handlers`, `routes`, `templates`), byte buffers
    /// (`Vec<u8>`, names with `buf`/`scratch`), a lock around something that is not a
    /// collection (`Mutex<i32>`, `RwLock<Db>`), structs and variables never handed to the
    /// framework nor held in a static, test code, and library crates.
    ///
    /// Other files consulted: the other Rust files of the crate (a state type or alias declared
    /// in one file and handed to the router in another), and the crate's `Cargo.toml`, which
    /// decides whether it is a service.
    ///
    /// ## Measured
    /// On the real-world corpus (`benches/realworld/`, 26 repositories, 2026-12-03): 3 findings, 3
    /// right, 0 wrong, 0 debatable; verdict precision 1.00.
    ///
    /// ## Why is this bad?
    /// Factor VI: twelve-factor processes are stateless and share nothing; data that must
    /// outlive a request lives in a backing service. Data kept in a process is lost on every
    /// restart and deploy, and each instance sees its own copy, so the app cannot be scaled out
    /// (factor VIII) or restarted freely (factor IX).
    ///
    /// ## Example
    /// ```rust
    /// type Db = Arc<RwLock<HashMap<Uuid, Todo>>>;
    /// let app = Router::new().route("/todos", get(list)).with_state(Db::default());
    /// ```
    ///
    /// Use instead:
    /// ```rust
    /// let pool = PgPool::connect(&std::env::var("DATABASE_URL")?).await?;
    /// let app = Router::new().route("/todos", get(list)).with_state(pool);
    /// ```
    ///
    /// ## References
    /// - <https://12factor.net/processes>
    pub ProcessLocalState {
        code: "TC0602", name: "process-local-state",
        factor: Processes, severity: Warning, preview: false, since: "0.1.0",
    }
}

const HELP: &str = "keep the data in a backing service (a database, Redis) so every instance sees it and it survives restarts";
const LABEL: &str = "lost on restart, not shared with other instances";

/// A struct field holding a collection: `owner \t field \t type`.
const FIELD: &str = "field";
/// A type alias: `name \t type`.
const ALIAS: &str = "alias";
/// A type or expression handed to the framework as state.
const STATE: &str = "state";
/// A static whose type is not a shared collection by itself: `name \t type`.
const STATIC: &str = "static";

const LOCKS: &[&str] = &["Mutex", "RwLock", "RefCell", "ReentrantMutex", "FairMutex"];

const COLLECTIONS: &[&str] = &[
    "HashMap",
    "BTreeMap",
    "HashSet",
    "BTreeSet",
    "Vec",
    "VecDeque",
    "LinkedList",
    "BinaryHeap",
    "IndexMap",
    "IndexSet",
    "FxHashMap",
    "FxHashSet",
    "AHashMap",
    "AHashSet",
    "Slab",
    "vec",
];

/// Concurrent maps: shared mutable collections without a lock.
const CONCURRENT: &[&str] = &["DashMap", "DashSet", "SkipMap", "SkipSet"];

/// Generic wrappers whose type argument is the state handed to the framework.
const STATE_WRAPPERS: &[&str] = &["State", "Data", "Extension", "Router"];

/// Calls whose argument is handed to the framework as state.
const STATE_METHODS: &[&str] = &["with_state", "app_data", "data", "manage", "state"];

/// Identifiers that wrap a state type without being it.
const WRAPPER_NAMES: &[&str] = &[
    "Arc",
    "Rc",
    "Box",
    "Mutex",
    "RwLock",
    "RefCell",
    "Cell",
    "Option",
    "State",
    "Data",
    "Extension",
    "Router",
    "Lazy",
    "LazyLock",
    "OnceLock",
    "OnceCell",
    "Some",
    "Default",
    "ReentrantMutex",
    "Request",
    "Server",
    "Self",
];

/// Name words of data that is not application state.
const EXCLUDED_WORDS: &[&str] = &[
    "cache",
    "caches",
    "cached",
    "caching",
    "memo",
    "memos",
    "memoize",
    "memoized",
    "lru",
    "config",
    "configs",
    "configuration",
    "settings",
    "setting",
    "conf",
    "cfg",
    "options",
    "metric",
    "metrics",
    "counter",
    "counters",
    "count",
    "counts",
    "stats",
    "stat",
    "statistics",
    "histogram",
    "histograms",
    "gauge",
    "gauges",
    "telemetry",
    "usage",
    "bandwidth",
    "pool",
    "pools",
    "limiter",
    "limiters",
    "limit",
    "limits",
    "ratelimit",
    "ratelimiter",
    "rate",
    "throttle",
    "throttler",
    "quota",
    "quotas",
    "session",
    "sessions",
    "buf",
    "buffer",
    "buffers",
    "scratch",
    "intern",
    "interner",
    "interned",
    "registry",
    "handlers",
    "plugins",
    "routes",
    "templates",
    "regex",
    "regexes",
    "clients",
    "subscribers",
    "subscriptions",
    "listeners",
    "peers",
    "connections",
    "conns",
    "sockets",
    "ws",
    "websocket",
    "websockets",
    "channels",
    "senders",
    "receivers",
    "tasks",
    "handles",
    "workers",
    "waiters",
    "watchers",
    "shutdown",
    "semaphores",
    "locks",
    "hits",
    "attempts",
    "jwks",
];

/// Whether a type identifier marks the data as something other than application state.
fn excluded_type_ident(id: &str) -> bool {
    let lower = id.to_ascii_lowercase();
    [
        "cache",
        "lru",
        "moka",
        "cached",
        "config",
        "settings",
        "atomic",
        "counter",
        "histogram",
        "gauge",
        "prometheus",
        "metrics",
        "pool",
        "bb8",
        "deadpool",
        "r2d2",
        "governor",
        "limiter",
        "session",
        "sender",
        "recipient",
        "websocket",
        "socket",
        "joinhandle",
        "aborthandle",
        "waker",
        "notify",
        "oneshot",
        "mpsc",
        "broadcast",
        "sink",
        "stream",
        "connection",
        "channel",
        "client",
        "regex",
        "tera",
        "handlebars",
        "registry",
        "semaphore",
        "jwk",
        "decodingkey",
    ]
    .iter()
    .any(|k| lower.contains(k))
        || matches!(
            id,
            "fn" | "dyn" | "Fn" | "FnMut" | "FnOnce" | "Addr" | "Tx" | "Rx"
        )
        || id.ends_with("Tx")
        || id.ends_with("Handle")
}

/// Splits flattened type or expression text into identifiers with their byte offsets.
fn idents(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        let ident = c.is_alphanumeric() || c == '_';
        match (ident, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push((s, &text[s..i]));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, &text[s..]));
    }
    out
}

/// The end (exclusive) of the bracketed region opening just before `from`.
fn region_end(text: &str, from: usize) -> usize {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = from;
    while i < bytes.len() {
        match bytes[i] {
            b'<' | b'(' | b'[' | b'{' => depth += 1,
            b'>' if i > 0 && matches!(bytes[i - 1], b'-' | b'=') => {}
            b'>' | b')' | b']' | b'}' => {
                if depth == 0 {
                    return i;
                }
                depth -= 1;
            }
            _ => {}
        }
        i += 1;
    }
    bytes.len()
}

/// The text opened by the identifier at `pos` (`Mutex<..>` or `Mutex::new(..)`), if any.
fn opened(text: &str, pos: usize, id: &str) -> Option<Range<usize>> {
    let after = pos + id.len();
    let rest = &text[after..];
    let open = if rest.starts_with('<') {
        after + 1
    } else if rest.starts_with("::<") {
        // `Mutex::<Vec<T>>::new(..)`
        after + 3
    } else if rest.starts_with("::new(") || rest.starts_with("::const_new(") {
        after + rest.find('(')? + 1
    } else {
        return None;
    };
    Some(open..region_end(text, open))
}

/// A collection identifier at `pos` used as a type or constructor (`Vec<`, `Vec::new`, `vec!`).
fn is_collection_at(text: &str, pos: usize, id: &str) -> bool {
    if !COLLECTIONS.contains(&id) {
        return false;
    }
    let rest = &text[pos + id.len()..];
    if id == "vec" {
        return rest.starts_with('!');
    }
    let before_ok = pos == 0 || !text[..pos].ends_with('.');
    before_ok
        && (rest.starts_with('<')
            || rest.starts_with("::")
            || rest.is_empty()
            || rest.starts_with('>')
            || rest.starts_with(','))
}

/// The collection inside a lock (`RwLock<HashMap<..>>`, `Mutex::new(Vec::new())`) or a
/// concurrent map, described for messages; byte buffers (`Vec<u8>`) do not count.
fn shared_collection(text: &str) -> Option<String> {
    let ids = idents(text);
    for &(pos, id) in &ids {
        if CONCURRENT.contains(&id) {
            return Some(format!("{id}<..>"));
        }
        if !LOCKS.contains(&id) {
            continue;
        }
        let Some(inner) = opened(text, pos, id) else {
            continue;
        };
        for &(p, c) in &ids {
            if p >= inner.start && p < inner.end && is_collection_at(text, p, c) {
                if is_byte_buffer(text, p, c) {
                    continue;
                }
                let c = if c == "vec" { "Vec" } else { c };
                return Some(format!("{id}<{c}<..>>"));
            }
        }
    }
    None
}

/// Whether a collection is a plain one (no lock), for fields of a state shared behind a lock.
fn bare_collection(text: &str) -> Option<String> {
    idents(text)
        .into_iter()
        .find(|&(p, c)| is_collection_at(text, p, c) && !is_byte_buffer(text, p, c))
        .map(|(_, c)| format!("{c}<..>"))
}

/// `Vec<u8>` and `vec![0u8; n]`: byte buffers, not data records.
fn is_byte_buffer(text: &str, pos: usize, id: &str) -> bool {
    let rest = &text[pos + id.len()..];
    id == "Vec" && (rest.starts_with("<u8>") || rest.starts_with("::<u8>"))
}

/// Whether a declaration is data of an excluded kind, by its name words or type identifiers.
fn excluded(names: &[&str], text: &str) -> bool {
    names
        .iter()
        .flat_map(|n| words(n))
        .any(|w| EXCLUDED_WORDS.contains(&w.as_str()))
        || idents(text).iter().any(|(_, id)| excluded_type_ident(id))
}

/// The type names a state text mentions (not the wrappers around them).
fn state_names(text: &str) -> Vec<&str> {
    idents(text)
        .into_iter()
        .map(|(_, id)| id)
        .filter(|id| {
            id.starts_with(|c: char| c.is_ascii_uppercase())
                && !WRAPPER_NAMES.contains(id)
                && !COLLECTIONS.contains(id)
        })
        .collect()
}

/// The type names a state text mentions inside a lock (`Arc<RwLock<AppState>>`).
fn locked_names(text: &str) -> Vec<&str> {
    let ids = idents(text);
    let mut out = Vec::new();
    for &(pos, id) in &ids {
        if !LOCKS.contains(&id) {
            continue;
        }
        let Some(inner) = opened(text, pos, id) else {
            continue;
        };
        out.extend(
            ids.iter()
                .filter(|(p, _)| *p >= inner.start && *p < inner.end)
                .map(|(_, n)| *n),
        );
    }
    out
}

/// Collects what a file says about state: statics found directly, facts for the crate.
struct Finder<'a, 'f> {
    file: &'a RustFile<'f>,
    file_scope: Scope<'a>,
    /// The scope of the function being walked.
    scope: Option<Scope<'a>>,
    reports: Vec<(Range<usize>, String)>,
    facts: Vec<(&'static str, Range<usize>, String)>,
}

impl<'a> Finder<'a, '_> {
    fn skip(&self, attrs: &[syn::Attribute]) -> bool {
        !self.file.include_tests && is_test_attrs(attrs)
    }

    fn check_static(&mut self, s: &syn::ItemStatic) {
        let name = s.ident.to_string();
        let ty = flat(&s.ty);
        if excluded(&[&name], &ty) {
            return;
        }
        let found = shared_collection(&ty).or_else(|| {
            matches!(s.mutability, syn::StaticMutability::Mut(_))
                .then(|| bare_collection(&ty))
                .flatten()
        });
        match found {
            Some(what) => self.reports.push((
                byte_range(s.ident.span()),
                format!("static `{name}` keeps application data in process memory (`{what}`)"),
            )),
            // `static DB: Lazy<Db>` with `type Db = RwLock<HashMap<..>>` elsewhere, or
            // `static APP: Lazy<Mutex<AppState>>`: decided with the crate's aliases and structs.
            None => self
                .facts
                .push((STATIC, byte_range(s.ident.span()), format!("{name}\t{ty}"))),
        }
    }

    /// Records the state types named by wrapper types inside `ty` (`State<Db>`, `Data<&T>`,
    /// `Filter<Extract = (Db,)>`, tide's `Request<T>`).
    fn state_types(&mut self, ty: &syn::Type) {
        let mut v = StateTypes {
            file: self.file,
            found: Vec::new(),
        };
        v.visit_type(ty);
        for (span, text) in v.found {
            self.facts.push((STATE, span, text));
        }
    }

    fn signature(&mut self, sig: &syn::Signature) {
        for input in &sig.inputs {
            if let syn::FnArg::Typed(t) = input {
                self.state_types(&t.ty);
            }
        }
        if let syn::ReturnType::Type(_, ty) = &sig.output {
            self.state_types(ty);
        }
        for p in &sig.generics.params {
            if let syn::GenericParam::Type(t) = p {
                for b in &t.bounds {
                    let mut v = StateTypes {
                        file: self.file,
                        found: Vec::new(),
                    };
                    v.visit_type_param_bound(b);
                    for (span, text) in v.found {
                        self.facts.push((STATE, span, text));
                    }
                }
            }
        }
    }

    /// The text of a state argument, with a variable replaced by what it was bound to, and the
    /// variable's name and binding span when there was one.
    fn state_arg(&self, e: &Expr) -> (String, Option<(String, Range<usize>)>) {
        let mut e = e;
        let mut var = None;
        for _ in 0..4 {
            let inner = match e {
                Expr::Reference(r) => &*r.expr,
                Expr::Paren(p) => &*p.expr,
                Expr::MethodCall(m) if m.method == "clone" && m.args.is_empty() => &*m.receiver,
                Expr::Path(p) if p.path.segments.len() == 1 => {
                    let name = p.path.segments[0].ident.to_string();
                    let at = byte_range(p.span()).start;
                    match self.scope.as_ref().and_then(|s| s.lookup(&name, at)) {
                        Some(Binding::Expr(init)) => {
                            var = Some((name, byte_range(init.span())));
                            init
                        }
                        _ => break,
                    }
                }
                _ => break,
            };
            e = inner;
        }
        (flat(e), var)
    }

    /// Whether a handed value is a struct literal, possibly wrapped (`Arc::new(AppState { .. })`):
    /// its fields are judged where the struct is declared.
    fn is_struct_literal(&self, e: &Expr) -> bool {
        let mut e = e;
        for _ in 0..6 {
            e = match e {
                Expr::Struct(_) => return true,
                Expr::Reference(r) => &r.expr,
                Expr::Paren(p) => &p.expr,
                Expr::Call(c) if c.args.len() == 1 => &c.args[0],
                Expr::MethodCall(m) if m.method == "clone" && m.args.is_empty() => &m.receiver,
                Expr::Path(p) if p.path.segments.len() == 1 => {
                    match self.scope.as_ref().and_then(|s| s.resolve(p)) {
                        Some(init) => init,
                        None => return false,
                    }
                }
                _ => return false,
            };
        }
        false
    }

    /// A value handed to the framework: a locked collection built in place is reported, the
    /// text is recorded as a state use for the crate.
    fn handed(&mut self, arg: &Expr) {
        let (text, var) = self.state_arg(arg);
        let span = var
            .as_ref()
            .map_or_else(|| byte_range(arg.span()), |(_, s)| s.clone());
        let name = var.as_ref().map(|(n, _)| n.as_str()).unwrap_or("");
        if let Some(what) = shared_collection(&text) {
            if !excluded(&[name], &text) && !self.is_struct_literal(arg) {
                let message = if name.is_empty() {
                    format!("`{what}` handed to the router as state keeps application data in process memory")
                } else {
                    format!("`{name}` (`{what}`) is handed to the router as state and keeps application data in process memory")
                };
                self.reports.push((span, message));
            }
            return;
        }
        self.facts.push((STATE, span, text));
    }
}

/// Finds state wrapper types and their arguments.
struct StateTypes<'a, 'f> {
    file: &'a RustFile<'f>,
    found: Vec<(Range<usize>, String)>,
}

impl<'v> Visit<'v> for StateTypes<'_, '_> {
    fn visit_type_path(&mut self, t: &'v syn::TypePath) {
        if let Some(last) = t.path.segments.last() {
            let id = last.ident.to_string();
            let tide = id == "Request" && self.file.resolve(&t.path).starts_with("tide");
            if STATE_WRAPPERS.contains(&id.as_str()) || tide {
                if let syn::PathArguments::AngleBracketed(a) = &last.arguments {
                    for arg in &a.args {
                        if let syn::GenericArgument::Type(ty) = arg {
                            self.found.push((byte_range(ty.span()), flat(ty)));
                        }
                    }
                }
            }
        }
        visit::visit_type_path(self, t);
    }

    fn visit_assoc_type(&mut self, a: &'v syn::AssocType) {
        // warp: `impl Filter<Extract = (Db,), Error = Infallible>`.
        if a.ident == "Extract" {
            self.found.push((byte_range(a.ty.span()), flat(&a.ty)));
        }
        visit::visit_assoc_type(self, a);
    }
}

impl<'a> Visit<'a> for Finder<'a, '_> {
    fn visit_item(&mut self, i: &'a syn::Item) {
        let attrs = crate::source::rust::item_attrs(i);
        if self.skip(attrs) {
            return;
        }
        visit::visit_item(self, i);
    }

    fn visit_item_fn(&mut self, f: &'a syn::ItemFn) {
        self.signature(&f.sig);
        let outer = self.scope.replace(self.file_scope.with_block(&f.block));
        self.visit_block(&f.block);
        self.scope = outer;
    }

    fn visit_impl_item_fn(&mut self, f: &'a syn::ImplItemFn) {
        if self.skip(&f.attrs) {
            return;
        }
        self.signature(&f.sig);
        let outer = self.scope.replace(self.file_scope.with_block(&f.block));
        self.visit_block(&f.block);
        self.scope = outer;
    }

    fn visit_trait_item_fn(&mut self, f: &'a syn::TraitItemFn) {
        if self.skip(&f.attrs) {
            return;
        }
        self.signature(&f.sig);
        if let Some(block) = &f.default {
            let outer = self.scope.replace(self.file_scope.with_block(block));
            self.visit_block(block);
            self.scope = outer;
        }
    }

    fn visit_item_static(&mut self, s: &'a syn::ItemStatic) {
        self.check_static(s);
        self.visit_expr(&s.expr);
    }

    fn visit_item_struct(&mut self, s: &'a syn::ItemStruct) {
        let owner = s.ident.to_string();
        for (i, f) in s.fields.iter().enumerate() {
            let name = f
                .ident
                .as_ref()
                .map_or_else(|| i.to_string(), |id| id.to_string());
            let ty = flat(&f.ty);
            if bare_collection(&ty).is_none() && shared_collection(&ty).is_none() {
                continue;
            }
            if excluded(&[&owner, &name], &ty) {
                continue;
            }
            let span = f
                .ident
                .as_ref()
                .map_or_else(|| byte_range(f.ty.span()), |id| byte_range(id.span()));
            self.facts
                .push((FIELD, span, format!("{owner}\t{name}\t{ty}")));
        }
    }

    fn visit_item_type(&mut self, t: &'a syn::ItemType) {
        let name = t.ident.to_string();
        self.facts.push((
            ALIAS,
            byte_range(t.ident.span()),
            format!("{name}\t{}", flat(&t.ty)),
        ));
        self.state_types(&t.ty);
    }

    fn visit_item_macro(&mut self, m: &'a syn::ItemMacro) {
        for item in static_macro_items(&m.mac).unwrap_or_default() {
            if let syn::Item::Static(s) = item {
                self.check_static(&s);
            }
        }
    }

    fn visit_stmt_macro(&mut self, m: &'a syn::StmtMacro) {
        if self.skip(&m.attrs) {
            return;
        }
        for item in static_macro_items(&m.mac).unwrap_or_default() {
            if let syn::Item::Static(s) = item {
                self.check_static(&s);
            }
        }
    }

    fn visit_local(&mut self, l: &'a syn::Local) {
        if !self.skip(&l.attrs) {
            visit::visit_local(self, l);
        }
    }

    fn visit_expr_closure(&mut self, c: &'a syn::ExprClosure) {
        if self.skip(&c.attrs) {
            return;
        }
        for input in &c.inputs {
            if let syn::Pat::Type(t) = input {
                self.state_types(&t.ty);
            }
        }
        visit::visit_expr_closure(self, c);
    }

    fn visit_expr_method_call(&mut self, m: &'a syn::ExprMethodCall) {
        let name = m.method.to_string();
        if STATE_METHODS.contains(&name.as_str()) && m.args.len() == 1 {
            self.handed(&m.args[0]);
        }
        visit::visit_expr_method_call(self, m);
    }

    fn visit_expr_call(&mut self, c: &'a syn::ExprCall) {
        if let Expr::Path(p) = &*c.func {
            let resolved = self.file.resolve(&p.path);
            let segs: Vec<&str> = resolved.split("::").collect();
            let last = segs.last().copied().unwrap_or("");
            let owner = segs.len().checked_sub(2).map_or("", |i| segs[i]);
            let hands = match (owner, last) {
                (_, "Extension") => true,
                ("Data" | "AddExtensionLayer", "new") => true,
                (_, "with_state") => true,
                ("affix" | "affix_state", "inject") => true,
                (o, "new" | "with_interceptor") => {
                    o.ends_with("Server") && o != "HttpServer" && o != "Server"
                }
                _ => false,
            };
            if hands && c.args.len() == 1 {
                self.handed(&c.args[0]);
            }
        }
        visit::visit_expr_call(self, c);
    }
}

impl Rule for ProcessLocalState {
    fn inputs(&self) -> Inputs {
        Inputs {
            rust: true,
            repo: true,
            ..Inputs::default()
        }
    }

    fn rust_triggers(&self) -> &'static [&'static str] {
        &[
            "Mutex",
            "RwLock",
            "RefCell",
            "DashMap",
            "DashSet",
            "SkipMap",
            "State",
            "Data",
            "Extension",
            "app_data",
            "manage(",
            "Extract",
            "Server::new",
            "inject(",
        ]
    }

    fn crate_scope(&self) -> CrateScope {
        CrateScope::Service
    }

    fn check_rust(&self, file: &RustFile, cx: &mut RuleCtx<'_>) {
        if !cx.is_service() {
            return;
        }
        let mut f = Finder {
            file,
            file_scope: Scope::for_file(&file.ast),
            scope: None,
            reports: Vec::new(),
            facts: Vec::new(),
        };
        f.visit_file(&file.ast);
        let mut reports = f.reports;
        reports.sort_by_key(|(s, _)| (s.start, s.end));
        // One finding per line: a value and the `let` it came from.
        reports.dedup_by_key(|(s, _)| file.line_of(s.start));
        for (span, message) in reports {
            cx.report(Violation::new(span, message).label(LABEL).help(HELP));
        }
        for (kind, span, detail) in f.facts {
            cx.fact(kind, span, detail);
        }
    }

    fn check_repo(&self, repo: &RepoIndex, cx: &mut RepoCtx<'_>) {
        let mut by_crate: HashMap<Option<&str>, Vec<&Fact>> = HashMap::new();
        for f in repo.facts(RuleId::ProcessLocalState) {
            by_crate.entry(f.krate.as_deref()).or_default().push(f);
        }
        let mut crates: Vec<_> = by_crate.into_iter().collect();
        crates.sort_by_key(|(k, _)| *k);
        for (_, facts) in crates {
            check_crate(&facts, cx);
        }
    }
}

/// Decides, for one crate, which fields and aliases are router state holding data.
fn check_crate(facts: &[&Fact], cx: &mut RepoCtx<'_>) {
    let mut aliases: HashMap<&str, (&str, &Fact)> = HashMap::new();
    for f in facts.iter().filter(|f| f.kind == ALIAS) {
        if let Some((name, ty)) = f.detail.split_once('\t') {
            aliases.entry(name).or_insert((ty, f));
        }
    }
    // Every type named as router state or held in a static, through aliases; and those
    // shared behind a lock.
    let mut state: BTreeSet<&str> = BTreeSet::new();
    let mut global: BTreeSet<&str> = BTreeSet::new();
    let mut locked: HashSet<&str> = HashSet::new();
    let mut reported: HashSet<(&str, usize)> = HashSet::new();
    let mut queue: Vec<(&str, usize, bool)> = facts
        .iter()
        .filter(|f| f.kind == STATE)
        .map(|f| (f.detail.as_str(), 0, false))
        .collect();
    for f in facts.iter().filter(|f| f.kind == STATIC) {
        let Some((name, ty)) = f.detail.split_once('\t') else {
            continue;
        };
        let texts = through_aliases(ty, &aliases);
        let all = texts.join(" ");
        let found = texts.iter().find_map(|t| shared_collection(t));
        match found {
            Some(what) if !excluded(&[name], &all) => {
                reported.insert((f.path.as_str(), f.span.start));
                cx.report(
                    &f.path,
                    Violation::new(
                        f.span.clone(),
                        format!(
                            "static `{name}` keeps application data in process memory (`{what}`)"
                        ),
                    )
                    .label(LABEL)
                    .help(HELP),
                );
            }
            Some(_) => {}
            None => queue.push((ty, 0, true)),
        }
    }
    let mut seen: HashSet<(&str, bool)> = HashSet::new();
    while let Some((text, depth, in_static)) = queue.pop() {
        if depth > 6 || !seen.insert((text, in_static)) {
            continue;
        }
        locked.extend(locked_names(text));
        for name in state_names(text) {
            if in_static {
                global.insert(name);
            } else {
                state.insert(name);
            }
            if let Some((ty, _)) = aliases.get(name) {
                queue.push((ty, depth + 1, in_static));
            }
        }
    }
    // A lock around an alias locks what the alias names.
    for name in locked.clone() {
        if let Some((ty, _)) = aliases.get(name) {
            locked.extend(state_names(ty));
        }
    }
    for name in &state {
        let Some((ty, fact)) = aliases.get(name) else {
            continue;
        };
        let Some(what) = shared_collection(ty) else {
            continue;
        };
        if excluded(&[name], ty) || !reported.insert((fact.path.as_str(), fact.span.start)) {
            continue;
        }
        cx.report(
            &fact.path,
            Violation::new(
                fact.span.clone(),
                format!(
                    "router state `{name}` keeps application data in process memory (`{what}`)"
                ),
            )
            .label(LABEL)
            .help(HELP),
        );
    }
    for f in facts.iter().filter(|f| f.kind == FIELD) {
        let mut parts = f.detail.splitn(3, '\t');
        let (Some(owner), Some(field), Some(ty)) = (parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        let kind = if state.contains(owner) || owner.ends_with("State") {
            "router state"
        } else if global.contains(owner) {
            "global state"
        } else {
            continue;
        };
        let message = if let Some(what) = shared_collection(ty) {
            format!("field `{field}` of {kind} `{owner}` keeps application data in process memory (`{what}`)")
        } else if locked.contains(owner) {
            let Some(what) = bare_collection(ty) else {
                continue;
            };
            format!("field `{field}` of {kind} `{owner}`, shared behind a lock, keeps application data in process memory (`{what}`)")
        } else {
            continue;
        };
        if !reported.insert((f.path.as_str(), f.span.start)) {
            continue;
        }
        cx.report(
            &f.path,
            Violation::new(f.span.clone(), message)
                .label(LABEL)
                .help(HELP),
        );
    }
}

/// `ty` and the texts of the aliases it names, transitively.
fn through_aliases<'t>(ty: &'t str, aliases: &HashMap<&str, (&'t str, &Fact)>) -> Vec<&'t str> {
    let mut out = vec![ty];
    let mut i = 0;
    while i < out.len() && out.len() < 8 {
        for name in state_names(out[i]) {
            if let Some((t, _)) = aliases.get(name) {
                if !out.contains(t) {
                    out.push(t);
                }
            }
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_collections() {
        let s = |t: &str| shared_collection(t);
        assert_eq!(
            s("Arc<RwLock<HashMap<Uuid,Todo>>>").as_deref(),
            Some("RwLock<HashMap<..>>")
        );
        assert_eq!(
            s("Lazy<Mutex<Vec<String>>>").as_deref(),
            Some("Mutex<Vec<..>>")
        );
        assert_eq!(
            s("Arc::new(Mutex::new(HashMap::new()))").as_deref(),
            Some("Mutex<HashMap<..>>")
        );
        assert_eq!(s("Mutex::new(vec![])").as_deref(), Some("Mutex<Vec<..>>"));
        assert_eq!(s("DashMap<String,User>").as_deref(), Some("DashMap<..>"));
        assert_eq!(s("Mutex<i32>"), None);
        assert_eq!(s("RefCell<Vec<u8>>"), None);
        assert_eq!(
            s("Mutex<Option<Vec<T>>>").as_deref(),
            Some("Mutex<Vec<..>>")
        );
        assert_eq!(s("Arc<RwLock<AppState>>"), None);
        assert_eq!(
            bare_collection("HashMap<String,Bytes>").as_deref(),
            Some("HashMap<..>")
        );
        assert_eq!(locked_names("Arc<RwLock<AppState>>"), vec!["AppState"]);
        assert_eq!(state_names("Arc<RwLock<AppState>>"), vec!["AppState"]);
    }

    #[test]
    fn exclusions() {
        assert!(excluded(&["user_cache"], "Mutex<HashMap<String,User>>"));
        assert!(excluded(
            &["users"],
            "Arc<RwLock<HashMap<usize,mpsc::UnboundedSender<Message>>>>"
        ));
        assert!(excluded(&["HANDLERS"], "Mutex<HashMap<String,fn(&str)>>"));
        assert!(excluded(&["REQUEST_COUNTS"], "Mutex<HashMap<String,u64>>"));
        assert!(!excluded(&["todos"], "Mutex<Vec<Todo>>"));
    }
}
