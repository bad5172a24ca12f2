//! TC0601: sessions stored in the memory of one process.

use std::ops::Range;

use quote::ToTokens;
use syn::spanned::Spanned;
use syn::visit::{self, Visit};

use crate::rule::prelude::*;
use crate::rules::common::words;
use crate::source::rust::{byte_range, is_test_attrs, static_macro_items};

declare_rule! {
    /// ## What it does
    /// Flags session storage kept in the memory of the process, in service crates:
    /// - the memory stores of `tower-sessions` (`tower_sessions::MemoryStore`,
    ///   `tower_sessions_memory_store::MemoryStore`, `tower_sessions_moka_store::MokaStore`),
    ///   `async-session` (also as re-exported by `tide` and `axum-sessions`), `poem`
    ///   (`MemoryStorage`), `salvo` (`MemoryStore`), `rocket_session_store`
    ///   (`memory::MemoryStore`), `axum_session`'s `SessionNullPool` (and
    ///   `SessionNullSessionStore`, also via `axum_session_auth`) and gotham's
    ///   `MemoryBackend` (also `NewSessionMiddleware::default()`, which uses it), wherever the
    ///   store is named in an expression, a turbofish (`SessionStore::<SessionNullPool>::new`) or a
    ///   `let`/`static` type;
    /// - hand-made session maps: a `HashMap`, `BTreeMap`, `IndexMap` or `DashMap` named after
    ///   sessions, keyed by a session id type or holding `Session` values, in a `static`
    ///   (`lazy_static!`, `OnceLock`, `Lazy`, `thread_local!` included), or behind a `Mutex`,
    ///   `RwLock` or `RefCell` in a struct field (router state) or a `let` handed to the router.
    ///
    /// Not flagged: `actix_session`'s `CookieSessionStore` and `RedisSessionStore`, Redis- and
    /// database-backed stores, a memory store used as the cache layer of
    /// `CachingSessionStore::new(cache, store)`, `use` lines, handler signatures
    /// (`Session<SessionNullPool>`), caches (`session_cache`, `moka`), maps of live connections,
    /// channels or processes (`HashMap<usize, Recipient<Message>>` in a WebSocket hub,
    /// `HashMap<String, SessionHandle>`), non-map fields such as `sessions: Vec<..>`, test code,
    /// and library crates.
    ///
    /// ## Measured
    /// On the real-world corpus (`benches/realworld/`, 26 repositories, 2026-12-03): 1 findings, 0
    /// right, 1 wrong, 0 debatable; verdict precision 0.00. Below the 0.90 a default-on rule needs,
    /// so it is a preview rule until it is fixed; its false-positive shapes are in
    /// `benches/realworld/RESULTS.md`.
    ///
    /// ## Why is this bad?
    /// Factor VI: twelve-factor processes are stateless and share nothing. Sessions held in one
    /// process are lost on every restart and deploy, and a second instance does not know them,
    /// which forces sticky sessions (`TC0604`) and defeats scaling out.
    ///
    /// ## Example
    /// ```rust
    /// use tower_sessions::{MemoryStore, SessionManagerLayer};
    /// let layer = SessionManagerLayer::new(MemoryStore::default());
    /// ```
    ///
    /// Use instead:
    /// ```rust
    /// use tower_sessions_redis_store::RedisStore;
    /// let layer = SessionManagerLayer::new(RedisStore::new(pool));
    /// ```
    ///
    /// ## References
    /// - <https://12factor.net/processes>
    pub InMemorySessionStore {
        code: "TC0601", name: "in-memory-session-store",
        factor: Processes, severity: Error, preview: true, since: "0.1.0",
    }
}

/// (crate, item) pairs of in-memory session stores. The crate may appear anywhere in the path
/// (re-exports: `axum_login::tower_sessions::MemoryStore`, `tide::sessions::MemoryStore`).
const STORES: &[(&str, &str)] = &[
    ("tower_sessions", "MemoryStore"),
    ("tower_sessions_memory_store", "MemoryStore"),
    ("tower_sessions_moka_store", "MokaStore"),
    ("async_session", "MemoryStore"),
    ("axum_sessions", "MemoryStore"),
    ("poem", "MemoryStorage"),
    ("salvo", "MemoryStore"),
    ("salvo_extra", "MemoryStore"),
    ("salvo_session", "MemoryStore"),
    ("saysion", "MemoryStore"),
    ("rocket_session_store", "MemoryStore"),
    ("tide", "MemoryStore"),
    ("axum_session", "SessionNullPool"),
    ("axum_session", "SessionNullSessionStore"),
    ("axum_session_auth", "SessionNullPool"),
    ("gotham", "NewMemoryBackend"),
    ("gotham", "MemoryBackend"),
];

const HELP: &str = "store sessions in a backing service: Redis, a database, or signed cookies";
const LABEL: &str = "lost on restart, invisible to other instances";

/// The in-memory store a resolved path names, if any.
fn store_in(file: &RustFile, path: &str) -> Option<(&'static str, &'static str)> {
    let segs: Vec<&str> = path.split("::").collect();
    // gotham's `NewSessionMiddleware::default()` is backed by `MemoryBackend`.
    if segs.len() >= 2
        && segs[segs.len() - 1] == "default"
        && segs[segs.len() - 2] == "NewSessionMiddleware"
        && (segs.contains(&"gotham") || file.globs.iter().any(|g| g.starts_with("gotham")))
    {
        return Some(("gotham", "NewSessionMiddleware::default"));
    }
    STORES.iter().copied().find(|(krate, item)| {
        if let Some(k) = segs.iter().position(|s| s == krate) {
            return segs[k + 1..].contains(item);
        }
        segs.first() == Some(item)
            && file
                .globs
                .iter()
                .any(|g| g.split("::").any(|s| s == *krate))
    })
}

/// The byte ranges of the first arguments of `CachingSessionStore::new(cache, store)`: a memory
/// store there is a cache in front of a shared store.
fn cache_layers(file: &RustFile) -> Vec<Range<usize>> {
    file.calls
        .iter()
        .filter(|c| !c.method && c.callee.ends_with("CachingSessionStore::new"))
        .filter_map(|c| c.args.first().cloned())
        .collect()
}

impl Rule for InMemorySessionStore {
    fn inputs(&self) -> Inputs {
        Inputs {
            rust: true,
            ..Inputs::default()
        }
    }

    fn crate_scope(&self) -> CrateScope {
        CrateScope::Service
    }

    fn rust_triggers(&self) -> &'static [&'static str] {
        &[
            "MemoryStore",
            "MemoryStorage",
            "MokaStore",
            "SessionNullPool",
            "MemoryBackend",
            "NewSessionMiddleware",
            "session",
        ]
    }

    fn check_rust(&self, file: &RustFile, cx: &mut RuleCtx<'_>) {
        if !cx.is_service() {
            return;
        }
        let mut v = Finder {
            file,
            stores: Vec::new(),
            maps: Vec::new(),
        };
        v.visit_file(&file.ast);
        // Expression paths come from the extraction, which also looks inside macros.
        let mut stores: Vec<(Range<usize>, (&str, &str))> = file
            .paths
            .iter()
            .filter_map(|p| store_in(file, &p.path).map(|s| (p.span.clone(), s)))
            .collect();
        stores.extend(v.stores);
        // One finding per line: `let s: MemoryStore = MemoryStore::default();` names it twice.
        stores.sort_by_key(|(span, _)| (span.start, span.end));
        stores.dedup_by_key(|(span, _)| file.line_of(span.start));
        let caches = cache_layers(file);
        for (span, (krate, item)) in stores {
            if caches
                .iter()
                .any(|c| c.start <= span.start && span.end <= c.end)
            {
                continue;
            }
            cx.report(
                Violation::new(
                    span,
                    format!("sessions stored in process memory (`{krate}` `{item}`)"),
                )
                .label(LABEL)
                .help(HELP),
            );
        }
        for (span, name) in v.maps {
            cx.report(
                Violation::new(span, format!("session map `{name}` kept in process memory"))
                    .label(LABEL)
                    .help(HELP),
            );
        }
    }
}

/// Walks the syntax tree for store types in turbofishes and `let`/`static` types, and for
/// hand-made session maps.
struct Finder<'a, 'f> {
    file: &'a RustFile<'f>,
    stores: Vec<(Range<usize>, (&'static str, &'static str))>,
    maps: Vec<(Range<usize>, String)>,
}

/// Where a map is declared: statics are process-global whatever their type; a local counts only
/// behind a lock or as a concurrent map (it is handed to the router as state); a field counts
/// when its types are about sessions, or when it is named after them and shared.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    Static,
    Field,
    Local,
}

const MAPS: &[&str] = &[
    "HashMap",
    "BTreeMap",
    "IndexMap",
    "DashMap",
    "FxHashMap",
    "AHashMap",
];

/// Words in a map's key or value types that make it a registry of live connections, processes
/// or agent runs rather than of user sessions: `HashMap<usize, Recipient<Message>>`,
/// `HashMap<String, SessionHandle>`, mongodb's `ClientSession`, rustls' `ServerSession`.
const OTHER_TYPE_WORDS: &[&str] = &[
    "sender",
    "recipient",
    "addr",
    "tx",
    "sink",
    "websocket",
    "socket",
    "handle",
    "connection",
    "conn",
    "channel",
    "stream",
    "client",
    "server",
    "ssh",
    "tls",
    "relay",
    "capture",
    "index",
    "identity",
    "runtime",
    "process",
    "child",
    "worker",
    "task",
    "recorder",
    "agent",
    "terminal",
    "pty",
    "shell",
    "subscription",
    "transport",
    "tunnel",
    "pool",
    "context",
    "scylla",
    "russh",
    "ssh2",
];

/// Name words that make a map something other than a session store.
const OTHER_NAMES: &[&str] = &[
    "cache",
    "cached",
    "ws",
    "websocket",
    "socket",
    "sockets",
    "conn",
    "conns",
    "connection",
    "connections",
    "peer",
    "peers",
    "ssh",
    "tls",
    "db",
    "database",
    "upstream",
    "tcp",
];

/// Splits the generic arguments of the first map type in a flattened type string.
fn map_args(ty: &str) -> Option<(String, Vec<String>)> {
    let (pos, map) = MAPS
        .iter()
        .filter_map(|m| {
            ty.match_indices(&format!("{m}<"))
                .find(|(i, _)| {
                    *i == 0
                        || !ty[..*i]
                            .chars()
                            .next_back()
                            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
                })
                .map(|(i, _)| (i, *m))
        })
        .min_by_key(|(i, _)| *i)?;
    let rest = &ty[pos + map.len() + 1..];
    let mut depth = 0usize;
    let mut args = vec![String::new()];
    for c in rest.chars() {
        match c {
            '<' | '(' | '[' => depth += 1,
            '>' | ')' | ']' if depth == 0 => break,
            '>' | ')' | ']' => depth -= 1,
            ',' if depth == 0 => {
                args.push(String::new());
                continue;
            }
            _ => {}
        }
        if let Some(a) = args.last_mut() {
            a.push(c);
        }
    }
    Some((map.to_string(), args))
}

/// The last path segment of a type, without generics: `crate::auth::SessionId` → `SessionId`.
fn type_name(ty: &str) -> &str {
    let base = ty.split('<').next().unwrap_or(ty);
    base.rsplit("::")
        .next()
        .unwrap_or(base)
        .trim_start_matches('&')
}

/// Whether a declaration named `name` with type text `ty` is a session map kept in memory.
fn is_session_map(name: &str, ty: &str, place: Place) -> bool {
    let flat: String = ty.chars().filter(|c| !c.is_whitespace()).collect();
    let Some((map, args)) = map_args(&flat) else {
        return false;
    };
    let shared = map == "DashMap"
        || ["Mutex<", "RwLock<", "RefCell<"]
            .iter()
            .any(|w| flat.contains(w));
    let name_words = words(name);
    if name_words.iter().any(|w| OTHER_NAMES.contains(&w.as_str()))
        || flat.contains("Cache")
        || flat.contains("Lru")
    {
        return false;
    }
    let type_words = args
        .iter()
        .flat_map(|a| a.split(|c: char| !c.is_ascii_alphanumeric() && c != '_'))
        .flat_map(words);
    if type_words
        .into_iter()
        .any(|w| OTHER_TYPE_WORDS.contains(&w.as_str()))
    {
        return false;
    }
    let named = name_words.iter().any(|w| w == "session" || w == "sessions");
    let keyed = args
        .first()
        .is_some_and(|k| type_name(k).starts_with("Session"));
    let holds = args.get(1).is_some_and(|v| {
        let n = type_name(v);
        n.contains("Session") || v.contains("Session>")
    });
    match place {
        Place::Static => named || keyed || holds,
        // A field typed with session ids or values is a store even when the lock is around the
        // whole struct; a map merely named `sessions` must be shared to count.
        Place::Field => keyed || holds || named && shared,
        Place::Local => (named || keyed || holds) && shared,
    }
}

impl Finder<'_, '_> {
    fn skip(&self, attrs: &[syn::Attribute]) -> bool {
        !self.file.include_tests && is_test_attrs(attrs)
    }

    /// Records in-memory stores named by the type paths inside `ty`.
    fn store_types(&mut self, ty: &syn::Type) {
        let mut paths = TypePaths(Vec::new());
        paths.visit_type(ty);
        for p in paths.0 {
            let resolved = self.file.resolve(p);
            if let Some(s) = store_in(self.file, &resolved) {
                self.stores.push((byte_range(p.span()), s));
            }
        }
    }

    fn check_static(&mut self, s: &syn::ItemStatic) {
        let name = s.ident.to_string();
        if is_session_map(&name, &s.ty.to_token_stream().to_string(), Place::Static) {
            self.maps.push((byte_range(s.ident.span()), name));
        }
        self.store_types(&s.ty);
    }
}

/// Collects every type path, generic arguments included.
struct TypePaths<'ast>(Vec<&'ast syn::Path>);

impl<'ast> Visit<'ast> for TypePaths<'ast> {
    fn visit_type_path(&mut self, t: &'ast syn::TypePath) {
        self.0.push(&t.path);
        visit::visit_type_path(self, t);
    }
}

impl<'ast> Visit<'ast> for Finder<'_, '_> {
    fn visit_item(&mut self, i: &'ast syn::Item) {
        let attrs = crate::source::rust::item_attrs(i);
        if self.skip(attrs) {
            return;
        }
        visit::visit_item(self, i);
    }

    fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
        if !self.skip(&f.attrs) {
            visit::visit_impl_item_fn(self, f);
        }
    }

    fn visit_item_static(&mut self, s: &'ast syn::ItemStatic) {
        self.check_static(s);
        visit::visit_expr(self, &s.expr);
    }

    fn visit_item_const(&mut self, c: &'ast syn::ItemConst) {
        self.store_types(&c.ty);
        visit::visit_expr(self, &c.expr);
    }

    fn visit_field(&mut self, f: &'ast syn::Field) {
        if let Some(id) = &f.ident {
            let name = id.to_string();
            if is_session_map(&name, &f.ty.to_token_stream().to_string(), Place::Field) {
                self.maps.push((byte_range(id.span()), name));
            }
        }
    }

    fn visit_local(&mut self, l: &'ast syn::Local) {
        if self.skip(&l.attrs) {
            return;
        }
        let (ident, ty) = match &l.pat {
            syn::Pat::Type(t) => match &*t.pat {
                syn::Pat::Ident(i) => (Some(&i.ident), Some(&*t.ty)),
                _ => (None, Some(&*t.ty)),
            },
            syn::Pat::Ident(i) => (Some(&i.ident), None),
            _ => (None, None),
        };
        if let Some(ty) = ty {
            self.store_types(ty);
        }
        if let Some(ident) = ident {
            // `let sessions: Arc<Mutex<HashMap<..>>> = ..` or
            // `let sessions = Arc::new(Mutex::new(HashMap::<String, Session>::new()))`.
            let mut text = ty
                .map(|t| t.to_token_stream().to_string())
                .unwrap_or_default();
            if let Some(init) = &l.init {
                text.push(' ');
                text.push_str(&init.expr.to_token_stream().to_string());
            }
            let name = ident.to_string();
            if is_session_map(&name, &init_as_type(&text), Place::Local) {
                self.maps.push((byte_range(ident.span()), name));
            }
        }
        visit::visit_local(self, l);
    }

    fn visit_expr_path(&mut self, p: &'ast syn::ExprPath) {
        // Turbofish: `SessionStore::<SessionNullPool>::new(..)`.
        for seg in &p.path.segments {
            if let syn::PathArguments::AngleBracketed(a) = &seg.arguments {
                for arg in &a.args {
                    if let syn::GenericArgument::Type(t) = arg {
                        self.store_types(t);
                    }
                }
            }
        }
        visit::visit_expr_path(self, p);
    }

    fn visit_expr_closure(&mut self, c: &'ast syn::ExprClosure) {
        if !self.skip(&c.attrs) {
            visit::visit_expr_closure(self, c);
        }
    }

    fn visit_item_macro(&mut self, m: &'ast syn::ItemMacro) {
        if let Some(items) = static_macro_items(&m.mac) {
            for item in &items {
                if let syn::Item::Static(s) = item {
                    self.check_static(s);
                }
            }
        }
    }

    fn visit_stmt_macro(&mut self, m: &'ast syn::StmtMacro) {
        if let Some(items) = static_macro_items(&m.mac) {
            for item in &items {
                if let syn::Item::Static(s) = item {
                    self.check_static(s);
                }
            }
        }
    }
}

/// Turns constructor text into type-like text so the map and lock checks see it:
/// `Mutex::new(HashMap::<String, Session>::new())` → `Mutex<(HashMap<String,Session>::new())`,
/// `RwLock::new(HashMap::new())` → `RwLock<(HashMap<_,_>(`.
fn init_as_type(text: &str) -> String {
    let mut flat: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    flat = flat.replace("::<", "<");
    for w in ["Mutex", "RwLock", "RefCell"] {
        flat = flat.replace(&format!("{w}::new("), &format!("{w}<("));
    }
    for m in MAPS {
        for ctor in ["new(", "default(", "with_capacity("] {
            flat = flat.replace(&format!("{m}::{ctor}"), &format!("{m}<_,_>("));
        }
    }
    flat
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_maps() {
        let s = Place::Static;
        let f = Place::Field;
        let l = Place::Local;
        assert!(is_session_map(
            "SESSIONS",
            "Lazy<Mutex<HashMap<String, User>>>",
            s
        ));
        assert!(is_session_map("store", "DashMap<SessionId, User>", f));
        assert!(is_session_map(
            "users",
            "Arc<RwLock<HashMap<Uuid, UserSession>>>",
            f
        ));
        assert!(!is_session_map(
            "sessions",
            "HashMap<usize, Recipient<Message>>",
            s
        ));
        assert!(!is_session_map("sessions", "Vec<Session>", s));
        assert!(!is_session_map(
            "sessions",
            "Mutex<HashMap<String, SessionHandle>>",
            f
        ));
        assert!(!is_session_map(
            "sessions",
            "Arc<Mutex<HashMap<String, Addr<ChatSession>>>>",
            f
        ));
        assert!(is_session_map(
            "sessions",
            "Arc<Mutex<HashMap<String, SessionData>>>",
            f
        ));
        assert!(!is_session_map(
            "session_cache",
            "Mutex<HashMap<String, Session>>",
            f
        ));
        assert!(is_session_map("sessions", "HashMap<String, Session>", f));
        assert!(!is_session_map("sessions", "HashMap<Date, u32>", f));
        assert!(!is_session_map("sessions", "HashMap<String, Session>", l));
        assert!(!is_session_map("users", "Mutex<HashMap<String, User>>", f));
        assert!(is_session_map(
            "sessions",
            &init_as_type("Arc :: new (Mutex :: new (HashMap :: new ()))"),
            l
        ));
        assert!(is_session_map(
            "store",
            &init_as_type("Arc::new(RwLock::new(HashMap::<String, Session>::new()))"),
            l
        ));
    }
}
