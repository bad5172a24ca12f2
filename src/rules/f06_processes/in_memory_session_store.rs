//! TC0601: sessions stored in the memory of one process.

use quote::ToTokens;

use crate::rule::prelude::*;
use crate::source::rust::{byte_range, is_test_attrs};

declare_rule! {
    /// ## What it does
    /// Flags session storage kept in the memory of the process, in service crates: the memory
    /// stores of `tower-sessions` (`tower_sessions::MemoryStore`,
    /// `tower_sessions_memory_store::MemoryStore`), `async-session`, `axum-sessions`, `poem`
    /// (`MemoryStorage`), `salvo`, `rocket_session_store`, `tide`, `axum_session`'s
    /// `SessionNullPool` and gotham's memory backend; and hand-made session maps: a `static` or a
    /// struct field named after sessions (or holding `Session` values) whose type is a
    /// `HashMap`, `BTreeMap` or `DashMap`.
    ///
    /// Not flagged: `actix_session`'s `CookieSessionStore` and `RedisSessionStore`, database- and
    /// Redis-backed stores, `use` lines, and test code.
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
        factor: Processes, severity: Error, preview: false, since: "0.1.0",
    }
}

/// (crate, item) pairs of in-memory session stores.
const STORES: &[(&str, &str)] = &[
    ("tower_sessions", "MemoryStore"),
    ("tower_sessions_memory_store", "MemoryStore"),
    ("async_session", "MemoryStore"),
    ("axum_sessions", "MemoryStore"),
    ("poem", "MemoryStorage"),
    ("salvo", "MemoryStore"),
    ("salvo_extra", "MemoryStore"),
    ("salvo_session", "MemoryStore"),
    ("rocket_session_store", "MemoryStore"),
    ("tide", "MemoryStore"),
    ("axum_session", "SessionNullPool"),
    ("gotham", "NewMemoryBackend"),
    ("gotham", "MemoryBackend"),
];

impl Rule for InMemorySessionStore {
    fn inputs(&self) -> Inputs {
        Inputs {
            rust: true,
            ..Inputs::default()
        }
    }

    fn rust_triggers(&self) -> &'static [&'static str] {
        &[
            "MemoryStore",
            "MemoryStorage",
            "SessionNullPool",
            "MemoryBackend",
            "session",
        ]
    }

    fn check_rust(&self, file: &RustFile, cx: &mut RuleCtx<'_>) {
        if !cx.is_service() {
            return;
        }
        // Report a store once per expression: `MemoryStore::default()` is one path use.
        for p in &file.paths {
            if let Some((krate, item)) = STORES.iter().find(|(k, i)| file.names(&p.path, k, i)) {
                cx.report(
                    Violation::new(
                        p.span.clone(),
                        format!("sessions stored in process memory (`{krate}` `{item}`)"),
                    )
                    .label("lost on restart, invisible to other instances")
                    .help(
                        "store sessions in a backing service: Redis, a database, or signed cookies",
                    ),
                );
            }
        }
        let mut v = SessionMaps {
            out: Vec::new(),
            include_tests: file.include_tests,
        };
        syn::visit::Visit::visit_file(&mut v, &file.ast);
        for (span, name) in v.out {
            cx.report(
                Violation::new(span, format!("session map `{name}` kept in process memory"))
                    .label("lost on restart, invisible to other instances")
                    .help(
                        "store sessions in a backing service: Redis, a database, or signed cookies",
                    ),
            );
        }
    }
}

struct SessionMaps {
    out: Vec<(std::ops::Range<usize>, String)>,
    include_tests: bool,
}

fn is_session_map(name: &str, ty: &str) -> bool {
    let ty_flat: String = ty.chars().filter(|c| !c.is_whitespace()).collect();
    let is_map = ["HashMap<", "BTreeMap<", "DashMap<", "IndexMap<"]
        .iter()
        .any(|m| ty_flat.contains(m));
    let about_sessions = name.to_ascii_lowercase().contains("session")
        || ty_flat.contains("Session>")
        || ty_flat.contains(",Session");
    is_map && about_sessions
}

impl<'ast> syn::visit::Visit<'ast> for SessionMaps {
    fn visit_item(&mut self, i: &'ast syn::Item) {
        let attrs = match i {
            syn::Item::Mod(m) => &m.attrs,
            syn::Item::Fn(f) => &f.attrs,
            syn::Item::Struct(s) => &s.attrs,
            syn::Item::Static(s) => &s.attrs,
            syn::Item::Impl(s) => &s.attrs,
            _ => return syn::visit::visit_item(self, i),
        };
        if !self.include_tests && is_test_attrs(attrs) {
            return;
        }
        syn::visit::visit_item(self, i);
    }

    fn visit_item_static(&mut self, s: &'ast syn::ItemStatic) {
        let name = s.ident.to_string();
        if is_session_map(&name, &s.ty.to_token_stream().to_string()) {
            self.out.push((byte_range(s.ident.span()), name));
        }
    }

    fn visit_field(&mut self, f: &'ast syn::Field) {
        if let Some(id) = &f.ident {
            let name = id.to_string();
            if is_session_map(&name, &f.ty.to_token_stream().to_string()) {
                self.out.push((byte_range(id.span()), name));
            }
        }
    }

    fn visit_item_macro(&mut self, m: &'ast syn::ItemMacro) {
        // `lazy_static! { static ref SESSIONS: Mutex<HashMap<..>> = ..; }` and `thread_local!`.
        let is_static_macro = m
            .mac
            .path
            .segments
            .last()
            .is_some_and(|s| s.ident == "lazy_static" || s.ident == "thread_local");
        if !is_static_macro {
            return;
        }
        let tokens: Vec<proc_macro2::TokenTree> = m.mac.tokens.clone().into_iter().collect();
        for (i, t) in tokens.iter().enumerate() {
            let proc_macro2::TokenTree::Ident(id) = t else {
                continue;
            };
            let is_colon = matches!(tokens.get(i + 1), Some(proc_macro2::TokenTree::Punct(p)) if p.as_char() == ':');
            let after_static = i > 0
                && matches!(&tokens[i - 1], proc_macro2::TokenTree::Ident(p) if p == "static" || p == "ref");
            if !(is_colon && after_static) {
                continue;
            }
            let ty: String = tokens[i + 2..]
                .iter()
                .take_while(
                    |t| !matches!(t, proc_macro2::TokenTree::Punct(p) if p.as_char() == '='),
                )
                .map(|t| t.to_string())
                .collect();
            let name = id.to_string();
            if is_session_map(&name, &ty) {
                self.out.push((byte_range(id.span()), name));
            }
        }
    }
}
