//! TC0301: secrets written into source, configuration or image files.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use syn::spanned::Spanned;
use syn::visit::{self, Visit};
use syn::{Expr, Lit};

use crate::rule::prelude::*;
use crate::rules::common::{
    self, find_tokens, is_doc_comment, is_doc_path, is_generated, is_template, is_test_file,
    is_translation_path, named_secret, words, SecretName,
};
use crate::settings;
use crate::source::prefilter::Tok;
use crate::source::rust::{
    byte_range, method_call_range, parse_macro_body, static_macro_items, Call, MacroBody,
    VALUE_WRAPPERS,
};
use crate::source::structured::Node;

declare_rule! {
    /// ## What it does
    /// Flags secrets written into the repository: provider tokens with a recognisable format
    /// anywhere in text (AWS access key IDs, GitHub `ghp_`/`gho_`/`ghs_`/`github_pat_`, GitLab
    /// `glpat-`, Slack `xox?-`, Stripe `sk_live_`, Google `AIza`, SendGrid, npm and PyPI tokens,
    /// PEM private keys with a key body), and a secret-named key or identifier (`password`,
    /// `secret`, `token`, `api_key`, `private_key`, `client_secret`, signing keys...) bound to a
    /// literal that looks like a real secret:
    ///
    /// - in Rust: a `const`/`static`/`let`, a struct field, an assignment, the single argument of
    ///   a method named after a secret (`.password("..")`), a `("api_key", "..")` pair or a
    ///   two-argument setter (`env::set_var("DB_PASSWORD", "..")`, `.header("x-api-key", "..")`,
    ///   `.insert(..)`), an `Authorization` header value, the password of `.basic_auth(..)` and
    ///   `Credentials::new(..)`, the token of `.bearer_auth(..)`, the single argument of a
    ///   secret-named function (`EncodingKey::from_secret(b"..")`), and byte strings bound to a
    ///   secret-named `const`, `static` or `let`; provider tokens also in comments and macro
    ///   bodies;
    /// - keys in Rust, whatever their value (a weak one, such as `"secret"` or the variable's own
    ///   name, is reported as a default key every deployment shares): a string or byte-string
    ///   literal, a byte array (`[0u8; 32]`, `&[1, 2, ..]`), a repeated literal (`"k".repeat(32)`)
    ///   or a `concat!` of literals passed to a key constructor (`EncodingKey::from_secret`,
    ///   `DecodingKey::from_secret`, cookie `Key::from(b"..")` and `Key::derive_from`,
    ///   `Hmac::<Sha256>::new_from_slice`, `Keys::new`) or in the key position of a signing call
    ///   that names a key in its path, receiver or argument types (`jsonwebtoken::encode(&header,
    ///   &claims, key)`, `decode(token, key, &validation)`, `ring::hmac::sign(key, ..)`,
    ///   `.sign_with_key(key)`, `.passphrase(..)` of a key builder); a `const`, `static` or
    ///   immutable `let` holding such a value that reaches one of these calls in the same file
    ///   (`const SECRET: &str = "secret"` passed to `encode`, `let secret =
    ///   "JWT_SECRET".to_string()` passed to `Keys::new`, also through `let key = SECRET;`); and
    ///   a secret-named `const`, `static` or immutable `let` spelled as a byte array, a repeated
    ///   literal or a `concat!`, without any call;
    /// - every setting of the settings model (`src/settings/`) under a secret-named key:
    ///   TOML/YAML/JSON (with comments), HJSON/JSON5, INI/`.cfg`/`.conf` and `.properties`
    ///   configuration files, `.env` files, compose `environment:` (map or `KEY=value` list),
    ///   Kubernetes/ECS `env: [{name, value}]` lists, ConfigMaps and Secret `stringData:`, Helm
    ///   values, platform specs, Dockerfile `ENV`/`ARG` (both `K=V` and legacy `ENV K V`), the
    ///   default of an interpolation (`${DB_PASSWORD:-postgres}`, Spring
    ///   `${DB_PASSWORD:postgres}`), and the defaults Rust code gives a setting: the fallback of
    ///   an environment lookup (`env::var("JWT_SECRET").unwrap_or_else(|_| "..".into())`), a
    ///   clap `default_value`, `set_default`, a `#[serde(default = "..")]` function and
    ///   `impl Default` of a settings type. A value that looks like a real secret is reported
    ///   wherever it is not kept out of deployments; a **weak or placeholder value** (`secret`,
    ///   `password`, `postgres`, `changeme`, `Hello world!`) is reported where the model shows it
    ///   reaches a running app: a configuration file a service loads (`File::with_name`,
    ///   `include_str!`, a path literal) or an image copies in, a Java resource packaged with
    ///   the app, a deploy manifest (a compose stack that is not for development, Kubernetes,
    ///   Helm, an image `ENV`, the env file such a stack reads), or a default compiled into a
    ///   crate a service runs. The message says which, and that every deployment that does not
    ///   override the value runs with it. A Rust default is reported only where a service runs it;
    ///   Kubernetes Secret `data:` values are decoded from base64 (base64 is an encoding, not
    ///   encryption: a committed Secret manifest is a committed secret).
    ///
    /// Not flagged: empty values and placeholders (`changeme`, `<your-token>`, `xxx`, `example`,
    /// `N/A`), references such as `${DB_PASSWORD}`, an environment variable's name, a secret
    /// manager reference (`vault:..`, `arn:..`) or an encrypted value (`ENC[..]`), file paths
    /// (`password_file = "/run/secrets/db"`, `private_key = "certs/server.key"`), values that are
    /// names rather than secrets (`const PROXY_PASSWORD: &str = "proxyPassword"`, `access_token`,
    /// `sessionId`; in Rust, unless the binding reaches a key constructor or signing call) or
    /// labels spelled from the name's own words and a version
    /// (`KANIDM_HMAC_KEY = "kanidm-hmac-key-v2"`), names whose last word before a version is
    /// not the value (`TOKEN_PREFIX_V1`), the documented default password of a local service container (`postgres`,
    /// `minioadmin`), names of documented fakes (`TEST_PASSWORD`, `example_token`), Kubernetes
    /// `secretKeyRef`/`configMapKeyRef` and `$(VAR)` references, SealedSecret `encryptedData`,
    /// a Dockerfile `ARG` without a default, a weak value in a file nothing shows ships (a
    /// configuration file no code loads and no image copies), a default in a library no
    /// service depends on, Docker `secrets:` (names and files, not values), keys with spaces
    /// (labels), words that are not values (`private`, `required`, `random`), calls that are not keys
    /// (`base64::encode("..")`, `hex::encode`, `Key::from("http.method")`: a cookie key is bytes),
    /// the message of `signing_key.sign(b"..")` or the tag of `mac.verify_slice(..)`, buffers
    /// filled at run time (`let mut key = [0u8; 32]`), masks (`"*".repeat(n)`), bindings named as
    /// documented fakes (`let test_key = b".."`), doc comments, test
    /// and example code (`#[cfg(test)]`, `#[cfg(all(feature = "x", test))]`, `tests.rs`,
    /// `foo_test.go`), templates committed with example values (`.env.example`, `.env.sample`,
    /// `config.example.toml`), development and test settings that no deployed app reads (the
    /// `development:`/`test:` sections of a configuration file such as Rails `config/secrets.yml`,
    /// files named for development (`config/development.yaml`, `local.toml`, `_dev_utils/`),
    /// cargo's `.cargo/config.toml` `[env]`, CI workflows, and compose files that are
    /// development or test stacks by their name, header comment, build target, source mount,
    /// file watcher or cloud emulator, the base of a test overlay beside it
    /// (`docker-compose.e2e.postgres.yaml` over `docker-compose.postgres.yaml`), a stack of
    /// backing services beside the app's manifest, a stack publishing only on loopback, or one
    /// that builds the app from the working tree next to databases of its own: provider tokens
    /// are still reported there), sample values
    /// of a detection table (`TestValue::Single("ghp_..")`, `TestValue::Multiple(&[..])`), translation files, dependency and feature
    /// tables of manifests, and generated files (`.cargo-checksum.json`). Provider tokens that are
    /// documented fakes (`AKIAIOSFODNN7EXAMPLE`, runs of `x` or `0`) and PEM headers without a key
    /// body are not flagged either.
    ///
    /// Other files consulted: the settings model decides where a value ships from the whole
    /// repository: the Rust files that name a configuration file, the Dockerfiles that copy it,
    /// the compose files that read an env file, the crates services depend on (see
    /// `src/settings/ships.rs`). A `.env` file that holds a secret is also reported as a whole by
    /// `TC0303`, committed-env-file.
    ///
    /// ## Measured
    /// On the real-world corpus (`benches/realworld/`, 26 repositories, 2026-12-03): 36 findings,
    /// 34 right, 1 wrong, 1 debatable; verdict precision 0.97.
    ///
    /// ## Why is this bad?
    /// Factor III: config that varies between deploys, credentials above all, is kept in the
    /// environment. A secret in the repository is shared with everyone who can read it, cannot be
    /// rotated without a release, and is the same in every environment.
    ///
    /// ## Example
    /// ```rust
    /// const JWT_SECRET: &str = "s3cr3t-signing-key-2024";
    /// ```
    ///
    /// Use instead:
    /// ```rust
    /// let jwt_secret = std::env::var("JWT_SECRET")?;
    /// ```
    ///
    /// ## References
    /// - <https://12factor.net/config>
    /// - [GitHub secret scanning patterns](https://docs.github.com/en/code-security/secret-scanning/introduction/supported-secret-scanning-patterns)
    pub HardcodedSecret {
        code: "TC0301", name: "hardcoded-secret",
        factor: Config, severity: Error, preview: false, since: "0.1.0",
    }
}

const TRIGGERS: &[&str] = &[
    "AKIA",
    "ASIA",
    "ghp_",
    "gho_",
    "ghu_",
    "ghs_",
    "ghr_",
    "github_pat_",
    "glpat-",
    "xoxb-",
    "xoxp-",
    "xoxa-",
    "xoxr-",
    "xoxs-",
    "sk_live_",
    "rk_live_",
    "AIza",
    "PRIVATE KEY",
    "SG.",
    "npm_",
    "pypi-",
    "password",
    "passwd",
    "passphrase",
    "pwd",
    "pw",
    "pass",
    "secret",
    "token",
    "api_key",
    "apikey",
    "api-key",
    "private_key",
    "privatekey",
    "signing_key",
    "signingkey",
    "access_key",
    "accesskey",
    "encryption_key",
    "auth_key",
    "master_key",
    "secret_key",
    "credential",
    "authorization",
    "basic_auth",
    "bearer",
    "hmac",
    "jwt",
    // Key constructors and signing calls whose file may hold no other trigger.
    "derive_from",
    "new_from_slice",
    "new_varkey",
    "Key::from",
    "Key::try_from",
    "Keys::new",
    "jsonwebtoken",
    "sign_with_key",
    "verify_with_key",
    // `secret_name` also takes `key` after `api`, `private`, `signing`, `access`, `encryption`,
    // `auth` or `master` as two words (`authKey`, `MASTER KEY`, `auth.key`). Each such name must
    // hold a trigger; `key` alone would send nearly every file to `rust_wants` (+12% time).
    "authkey",
    "auth-key",
    "auth key",
    "auth.key",
    "masterkey",
    "master-key",
    "master key",
    "master.key",
    "encryptionkey",
    "encryption-key",
    "encryption key",
    "encryption.key",
    "signing-key",
    "signing key",
    "signing.key",
    "access-key",
    "access key",
    "access.key",
    "private-key",
    "private key",
    "private.key",
    "api key",
    "api.key",
];

/// Two-argument calls whose first argument names the second: setters, maps, headers, env.
const PAIR_CALLS: &[&str] = &[
    "insert",
    "set",
    "set_var",
    "env",
    "header",
    "insert_header",
    "append_header",
    "append",
    "add",
    "param",
    "query_param",
    "append_pair",
    "set_override",
    "text",
    "field",
];

/// Calls whose second argument is a password: `reqwest`'s `.basic_auth(user, Some(pass))`,
/// `lettre`/AWS `Credentials::new(user_or_key, secret, ..)`. (`.bearer_auth(token)` too, whose
/// only argument is the credential.)
const CREDENTIAL_CALLS: &[&str] = &["basic_auth", "set_basic_auth", "with_basic_auth"];
const CREDENTIAL_CONSTRUCTORS: &[&str] = &["Credentials::new", "Credentials::from_keys"];

fn named(name: &str, kind: SecretName, span: Range<usize>, cx: &mut RuleCtx<'_>) {
    cx.report(
        Violation::new(span, format!("hard-coded {} in `{name}`", kind.noun()))
            .label("secret value written into the repository")
            .help(format!(
                "read `{name}` from an environment variable or a secret store, and rotate the exposed value"
            ))
            .secret(),
    );
}

fn token(kind: &str, span: Range<usize>, cx: &mut RuleCtx<'_>) {
    cx.report(
        Violation::new(span, format!("{kind} written into the repository"))
            .label("secret token")
            .help("revoke this token, then read it from the environment or a secret store")
            .secret(),
    );
}

/// Calls whose argument holds a key (checked in [`key_arg`]), and the names that send a file to
/// the parse for them.
const KEY_SINK_MARKERS: &[&str] = &[
    "from_secret",
    "from_base64_secret",
    "Key::from",
    "Key::try_from",
    "derive_from",
    "new_from_slice",
    "new_varkey",
    "Keys::new",
    "jsonwebtoken",
    "jwt::",
    "hmac::",
    "sign_with_key",
    "verify_with_key",
    "passphrase",
];

/// The last path segments and method names [`key_arg`] can accept.
const KEY_SINK_NAMES: &[&str] = &[
    "from_secret",
    "from_base64_secret",
    "from",
    "try_from",
    "derive_from",
    "new_from_slice",
    "new_varkey",
    "new",
    "encode",
    "decode",
    "sign",
    "verify",
    "sign_with_key",
    "verify_with_key",
];

/// Zero-argument methods a key passes through on its way to a constructor.
const KEY_CONVERSIONS: &[&str] = &[
    "as_bytes",
    "into_bytes",
    "as_ref",
    "as_slice",
    "as_str",
    "to_vec",
    "to_string",
    "to_owned",
    "into",
    "clone",
    "borrow",
];

/// A weak key (a pattern, a word, a name): `subject` is "in `SECRET`" or "passed to `Key::from`".
fn weak_key(subject: &str, span: Range<usize>, cx: &mut RuleCtx<'_>) {
    cx.report(
        Violation::new(
            span,
            format!("weak default key {subject}: every deployment shares it"),
        )
        .label("key written into the repository")
        .help(
            "read the key from an environment variable or a secret store, and rotate what it signed",
        )
        .secret(),
    );
}

/// Key material written in source: a string or byte-string literal, a byte array, a repeated
/// literal or a `concat!` of literals.
#[derive(Clone, Debug)]
struct Material {
    /// The text, or an array's bytes in hex.
    value: String,
    span: Range<usize>,
    /// A byte string or array, or text turned into bytes (`.as_bytes()`).
    bytes: bool,
    /// Spelled as a pattern rather than chosen: `[0u8; 32]`, `"ab".repeat(16)`.
    pattern: bool,
    /// An array of numbers.
    array: bool,
    /// Spelled with `concat!`.
    concat: bool,
}

impl Material {
    /// Whether anyone could guess it: a pattern, an array of few distinct bytes, or text that
    /// does not look like a secret (`"secret"`, `"JWT_SECRET"`).
    fn weak(&self) -> bool {
        if self.pattern {
            return true;
        }
        if self.array {
            let distinct: HashSet<&[u8]> = self.value.as_bytes().chunks(2).collect();
            return distinct.len() < 8;
        }
        !common::looks_secret(SecretName::Key, &self.value)
    }

    fn len(&self) -> usize {
        match self.array {
            true => self.value.len() / 2,
            false => self.value.len(),
        }
    }
}

/// `expr` without the references, parentheses, conversions and one-argument wrappers a key
/// passes through, and whether one of them turned text into bytes.
fn strip_key(mut expr: &Expr) -> (&Expr, bool) {
    let mut bytes = false;
    loop {
        expr = match expr {
            Expr::Reference(r) => &r.expr,
            Expr::Paren(p) => &p.expr,
            Expr::Group(g) => &g.expr,
            Expr::Index(i) if matches!(&*i.index, Expr::Range(r) if r.start.is_none() && r.end.is_none()) => {
                &i.expr
            }
            Expr::MethodCall(m) if m.args.is_empty() => {
                let name = m.method.to_string();
                if !KEY_CONVERSIONS.contains(&name.as_str()) {
                    return (expr, bytes);
                }
                bytes |= name == "as_bytes" || name == "into_bytes";
                &m.receiver
            }
            Expr::Call(c) if c.args.len() == 1 && is_value_wrapper(&c.func) => &c.args[0],
            _ => return (expr, bytes),
        };
    }
}

/// `Some(..)`, `Cow::Borrowed(..)`, `String::from(..)`, `Vec::from(..)`: calls whose value is
/// their argument's (not `Key::from`, a key constructor).
fn is_value_wrapper(func: &Expr) -> bool {
    let Expr::Path(p) = func else {
        return false;
    };
    let segs: Vec<String> = p
        .path
        .segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect();
    match segs.as_slice() {
        [.., last] if matches!(last.as_str(), "Some" | "Borrowed" | "Owned") => true,
        [.., ty, f] => {
            f == "from" && matches!(ty.as_str(), "String" | "Vec" | "Cow" | "Box" | "Arc" | "Rc")
        }
        _ => false,
    }
}

fn int_lit(e: &Expr) -> Option<u64> {
    match e {
        Expr::Lit(syn::ExprLit {
            lit: Lit::Int(i), ..
        }) => i.base10_parse().ok(),
        Expr::Paren(p) => int_lit(&p.expr),
        _ => None,
    }
}

/// The key material `expr` is, if it is spelled from literals.
fn key_material(expr: &Expr) -> Option<Material> {
    let (e, bytes) = strip_key(expr);
    let plain = |value: String, span: Range<usize>, bytes: bool| Material {
        value,
        span,
        bytes,
        pattern: false,
        array: false,
        concat: false,
    };
    match e {
        Expr::Lit(l) => match &l.lit {
            Lit::Str(s) => Some(plain(s.value(), byte_range(s.span()), bytes)),
            Lit::ByteStr(b) => Some(plain(
                String::from_utf8_lossy(&b.value()).into_owned(),
                byte_range(b.span()),
                true,
            )),
            _ => None,
        },
        // `[0u8; 32]`: the length may be a named constant.
        Expr::Repeat(r) => {
            let fill = int_lit(&r.expr).filter(|b| *b <= 0xff)?;
            let len = int_lit(&r.len).unwrap_or(32).min(1024) as usize;
            Some(Material {
                value: format!("{fill:02x}").repeat(len),
                pattern: true,
                array: true,
                ..plain(String::new(), byte_range(r.span()), true)
            })
        }
        Expr::Array(a) if !a.elems.is_empty() => {
            let bytes: Vec<u64> = a.elems.iter().map(int_lit).collect::<Option<_>>()?;
            if bytes.iter().any(|b| *b > 0xff) {
                return None;
            }
            Some(Material {
                value: bytes.iter().map(|b| format!("{b:02x}")).collect(),
                pattern: bytes.len() > 1 && bytes.iter().all(|b| *b == bytes[0]),
                array: true,
                ..plain(String::new(), byte_range(a.span()), true)
            })
        }
        // `"ab".repeat(16)`, with a literal count: a count read at run time is a mask's length.
        Expr::MethodCall(m) if m.method == "repeat" && m.args.len() == 1 => {
            let unit = key_material(&m.receiver).filter(|u| !u.array && !u.concat)?;
            let n = int_lit(&m.args[0])?.min(1024) as usize;
            if !unit.value.chars().any(char::is_alphanumeric) {
                return None;
            }
            Some(Material {
                value: unit.value.repeat(n),
                span: method_call_range(m),
                bytes: bytes || unit.bytes,
                pattern: true,
                ..unit
            })
        }
        Expr::Macro(m)
            if m.mac
                .path
                .segments
                .last()
                .is_some_and(|s| s.ident == "concat") =>
        {
            let MacroBody::Exprs(parts) = parse_macro_body(m.mac.tokens.clone()) else {
                return None;
            };
            let mut value = String::new();
            for p in &parts {
                match p {
                    Expr::Lit(l) => match &l.lit {
                        Lit::Str(s) => value.push_str(&s.value()),
                        Lit::Int(i) => value.push_str(i.base10_digits()),
                        Lit::Char(c) => value.push(c.value()),
                        _ => return None,
                    },
                    _ => return None,
                }
            }
            Some(Material {
                concat: true,
                ..plain(value, byte_range(m.span()), bytes)
            })
        }
        _ => None,
    }
}

/// The variable or constant `expr` is the value of (through the conversions of [`strip_key`]):
/// `SECRET` in `SECRET.as_ref()`, `secret` in `&secret.as_bytes()[..]`, `Self::KEY`.
fn value_path(expr: &Expr) -> Option<String> {
    let (Expr::Path(p), _) = strip_key(expr) else {
        return None;
    };
    let segs = &p.path.segments;
    match segs.len() {
        1 if p.qself.is_none() => Some(segs[0].ident.to_string()),
        2 if segs[0].ident == "Self" => Some(segs[1].ident.to_string()),
        _ => None,
    }
}

/// What a `let`, `const` or `static` holds: key material, another binding, or anything else
/// (kept so that `let secret = env::var(secret)?` shadows an earlier `let secret = ".."`).
enum Held {
    Material(Material),
    Alias(String),
    Other,
}

struct Binding {
    name: String,
    /// A `const` or `static` (visible in the whole file) rather than a `let`.
    item: bool,
    mutable: bool,
    start: usize,
    /// Where a `let` stops being visible: the end of its block.
    scope_end: usize,
    held: Held,
}

/// What an argument of a possible key sink holds.
struct KeyArg {
    material: Option<Material>,
    path: Option<String>,
    bytes: bool,
}

/// Bindings to key material, and the arguments of calls [`key_arg`] may accept, by byte range
/// (the ranges [`crate::source::rust::Call::args`] holds).
#[derive(Default)]
struct KeyScan {
    bindings: Vec<Binding>,
    args: HashMap<Range<usize>, KeyArg>,
    /// Ends of the enclosing blocks, innermost last.
    blocks: Vec<usize>,
}

impl KeyScan {
    fn new(ast: &syn::File) -> Self {
        let mut s = KeyScan::default();
        s.visit_file(ast);
        s
    }

    fn bind(&mut self, name: String, item: bool, mutable: bool, start: usize, expr: &Expr) {
        let held = match (key_material(expr), value_path(expr)) {
            (Some(m), _) => Held::Material(m),
            (None, Some(p)) => Held::Alias(p),
            (None, None) => Held::Other,
        };
        let scope_end = match item {
            true => usize::MAX,
            false => self.blocks.last().copied().unwrap_or(usize::MAX),
        };
        self.bindings.push(Binding {
            name,
            item,
            mutable,
            start,
            scope_end,
            held,
        });
    }

    fn record_args<'e>(&mut self, callee: &str, args: impl Iterator<Item = &'e Expr>) {
        if !KEY_SINK_NAMES.contains(&callee) && !is_passphrase(callee) {
            return;
        }
        for a in args {
            let material = key_material(a);
            let path = value_path(a);
            if material.is_some() || path.is_some() {
                let bytes = strip_key(a).1;
                let arg = KeyArg {
                    material,
                    path,
                    bytes,
                };
                self.args.insert(byte_range(a.span()), arg);
            }
        }
    }

    /// The binding with key material that `name`, used at `at`, reaches: the nearest `let` in
    /// scope, else a `const` or `static`, followed through `let key = SECRET;`.
    fn resolve(&self, name: &str, at: usize) -> Option<(&Binding, &Material)> {
        let (mut name, mut at) = (name, at);
        for _ in 0..4 {
            let b = self
                .bindings
                .iter()
                .filter(|b| !b.item && b.name == name && b.start < at && at < b.scope_end)
                .max_by_key(|b| b.start)
                .or_else(|| self.bindings.iter().find(|b| b.item && b.name == name))?;
            if b.mutable {
                return None;
            }
            match &b.held {
                Held::Material(m) => return Some((b, m)),
                Held::Alias(n) => (name, at) = (n.as_str(), b.start),
                Held::Other => return None,
            }
        }
        None
    }
}

impl<'ast> Visit<'ast> for KeyScan {
    fn visit_block(&mut self, b: &'ast syn::Block) {
        self.blocks.push(byte_range(b.brace_token.span.close()).end);
        visit::visit_block(self, b);
        self.blocks.pop();
    }

    fn visit_local(&mut self, l: &'ast syn::Local) {
        let pat = match &l.pat {
            syn::Pat::Type(t) => &*t.pat,
            p => p,
        };
        if let (syn::Pat::Ident(id), Some(init)) = (pat, &l.init) {
            let start = byte_range(l.let_token.span).start;
            let mutable = id.mutability.is_some();
            self.bind(id.ident.to_string(), false, mutable, start, &init.expr);
        }
        visit::visit_local(self, l);
    }

    fn visit_item_const(&mut self, i: &'ast syn::ItemConst) {
        let start = byte_range(i.const_token.span).start;
        self.bind(i.ident.to_string(), true, false, start, &i.expr);
        visit::visit_item_const(self, i);
    }

    fn visit_impl_item_const(&mut self, i: &'ast syn::ImplItemConst) {
        let start = byte_range(i.const_token.span).start;
        self.bind(i.ident.to_string(), true, false, start, &i.expr);
        visit::visit_impl_item_const(self, i);
    }

    fn visit_item_static(&mut self, i: &'ast syn::ItemStatic) {
        let start = byte_range(i.static_token.span).start;
        let mutable = matches!(i.mutability, syn::StaticMutability::Mut(_));
        self.bind(i.ident.to_string(), true, mutable, start, &i.expr);
        visit::visit_item_static(self, i);
    }

    fn visit_expr_call(&mut self, c: &'ast syn::ExprCall) {
        if let Expr::Path(p) = &*c.func {
            if let Some(last) = p.path.segments.last() {
                self.record_args(&last.ident.to_string(), c.args.iter());
            }
        }
        visit::visit_expr_call(self, c);
    }

    fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
        self.record_args(&m.method.to_string(), m.args.iter());
        visit::visit_expr_method_call(self, m);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        // The bodies the extractor reads too: `lazy_static!` items, expression and statement
        // lists (their calls are in `file.calls`).
        if let Some(items) = static_macro_items(mac) {
            items.iter().for_each(|i| self.visit_item(i));
        } else if !mac.path.is_ident("macro_rules") {
            match parse_macro_body(mac.tokens.clone()) {
                MacroBody::Exprs(exprs) => exprs.iter().for_each(|e| self.visit_expr(e)),
                MacroBody::Stmts(stmts) => stmts.iter().for_each(|s| self.visit_stmt(s)),
                MacroBody::Tokens(_) => {}
            }
        }
        visit::visit_macro(self, mac);
    }
}

/// Whether an identifier names a key type or a signing crate: `EncodingKey`, `Key`, `Keys`,
/// `PKey`, `HmacSha256`; `jsonwebtoken`, `jwt` and `hmac` only as path segments (`crate_only`).
fn key_word(w: &str, crate_only: bool) -> bool {
    (crate_only && matches!(w, "jsonwebtoken" | "jwt" | "hmac"))
        || w.starts_with("Hmac")
        || (w.starts_with(|c: char| c.is_ascii_uppercase())
            && (w.ends_with("Key") || w.ends_with("Keys")))
}

/// Whether a call names a key: in its callee path, the root of its receiver chain, or the
/// types in its arguments; a bare `encode`/`decode` counts when the file glob-imports
/// `jsonwebtoken`.
fn names_key(call: &Call, file: &RustFile) -> bool {
    let text = &file.source.text;
    let paths = call
        .callee
        .split("::")
        .chain(call.root.iter().flat_map(|r| r.split("::")));
    let args = call.args.iter().flat_map(|a| {
        text.get(a.clone())
            .unwrap_or("")
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
    });
    paths.into_iter().any(|w| key_word(w, true))
        || args.into_iter().any(|w| key_word(w, false))
        || (!call.method
            && !call.callee.contains("::")
            && file.globs.iter().any(|g| g == "jsonwebtoken"))
}

/// The argument of `call` that holds a key: key constructors (`EncodingKey::from_secret`,
/// `Key::from`, `Key::derive_from`, `Hmac::new_from_slice`, `Keys::new`), and signing calls
/// that name a key (`jsonwebtoken::encode(&header, &claims, key)` holds it last).
fn key_arg(call: &Call, file: &RustFile) -> Option<usize> {
    let segs: Vec<&str> = call.callee.split("::").collect();
    let last = *segs.last()?;
    let ty = segs.len().checked_sub(2).map(|i| segs[i]);
    let n = call.args.len();
    // The passphrase of a key builder or loader: `PKey::private_key_from_pem_passphrase(pem, ..)`.
    if is_passphrase(last) && n >= 1 && names_key(call, file) {
        return Some(n - 1);
    }
    if call.method {
        return matches!(last, "sign_with_key" | "verify_with_key" if n == 1).then_some(0);
    }
    let jsonwebtoken = segs.contains(&"jsonwebtoken");
    match (ty, last) {
        (Some("EncodingKey" | "DecodingKey"), "from_secret" | "from_base64_secret") => Some(0),
        (Some("Key"), "from" | "try_from" | "derive_from") if n == 1 => Some(0),
        // `ring::hmac::Key::new(hmac::HMAC_SHA256, key)`.
        (Some("Key"), "new") if n == 2 && segs.contains(&"hmac") => Some(1),
        (Some(_), "new_from_slice" | "new_varkey") if n == 1 => Some(0),
        (Some("Keys"), "new") if n == 1 => Some(0),
        (_, "encode") if n == 3 && names_key(call, file) => Some(2),
        (_, "decode") if n == 3 && names_key(call, file) => Some(1),
        // `jsonwebtoken::crypto::sign(message, key, alg)`; `ring::hmac::sign(&key, data)`.
        (_, "sign") if jsonwebtoken && n == 3 => Some(1),
        (_, "verify") if jsonwebtoken && n == 4 => Some(2),
        (_, "sign" | "verify") if n >= 2 && names_key(call, file) => Some(0),
        _ => None,
    }
}

fn is_passphrase(name: &str) -> bool {
    name == "passphrase" || name.ends_with("_passphrase")
}

/// Whether a call takes a key only as bytes, and text is something else: `Key::from(b"..")` is
/// a cookie key, `Key::from("http.method")` an attribute name, `Keys::new("primary")` a label.
fn bytes_only(call: &Call) -> bool {
    let mut segs = call.callee.rsplit("::");
    matches!(
        (segs.next(), segs.next()),
        (Some("from" | "try_from"), Some("Key")) | (Some("new"), Some("Key" | "Keys"))
    )
}

/// Whether `text` may hold something [`check_keys`] reports: a key sink, or a secret-named
/// binding spelled as an array, a repeated literal or a `concat!`.
fn may_hold_key(text: &str) -> bool {
    static BINDING: std::sync::OnceLock<Option<regex::Regex>> = std::sync::OnceLock::new();
    if KEY_SINK_MARKERS.iter().any(|m| text.contains(m)) {
        return true;
    }
    let Some(re) = BINDING
        .get_or_init(|| {
            regex::Regex::new(
                r#"\b(?:const|static|let)\s+(?:ref\s+)?(\w+)\s*(?::[^=]{0,80})?=\s*&?\s*(?:\[|concat!|b?"[^"\\\n]*"\s*\.\s*repeat\s*\()"#,
            )
            .ok()
        })
        .as_ref()
    else {
        return true;
    };
    re.captures_iter(text).any(|c| {
        c.get(1)
            .is_some_and(|n| common::secret_name(n.as_str()).is_some())
    })
}

/// The callee as a message names it: `EncodingKey::from_secret`, `encode`.
fn callee_name(call: &Call) -> String {
    let segs: Vec<&str> = call.callee.rsplit("::").take(2).collect();
    segs.into_iter().rev().collect::<Vec<_>>().join("::")
}

/// Keys in the positions code holds them: literals and literal-valued bindings passed to a key
/// constructor or signing call (weak ones too: a key every deployment shares), and secret-named
/// bindings spelled as byte arrays, repeated literals or `concat!`. `skip` says which offsets are
/// test code or test data.
fn check_keys(
    file: &RustFile,
    reported: &mut HashSet<usize>,
    skip: &dyn Fn(usize) -> bool,
    cx: &mut RuleCtx<'_>,
) {
    let scan = KeyScan::new(&file.ast);
    let fallbacks: HashSet<usize> = file
        .lits
        .iter()
        .filter(|l| l.env_fallback)
        .map(|l| l.span.start)
        .collect();
    // `direct`: the literal is the call's argument, not a binding's value.
    let mut report = |name: &str, direct: bool, m: &Material, cx: &mut RuleCtx<'_>| {
        let at = m.span.start;
        if m.value.is_empty() || skip(at) || fallbacks.contains(&at) || !reported.insert(at) {
            return;
        }
        if !m.weak() {
            named(name, SecretName::Key, m.span.clone(), cx);
        } else if direct {
            weak_key(&format!("passed to `{name}`"), m.span.clone(), cx);
        } else {
            weak_key(&format!("in `{name}`"), m.span.clone(), cx);
        }
    };
    for call in &file.calls {
        let Some(range) = key_arg(call, file).and_then(|k| call.args.get(k)) else {
            continue;
        };
        let Some(arg) = scan.args.get(range) else {
            continue;
        };
        let need_bytes = bytes_only(call);
        if let Some(m) = &arg.material {
            if !need_bytes || m.bytes {
                report(&callee_name(call), true, m, cx);
            }
        } else if let Some((b, m)) = arg
            .path
            .as_deref()
            .and_then(|p| scan.resolve(p, range.start))
        {
            // `let test_key = b".."`: a documented fake, as `TEST_PASSWORD` is.
            if (!need_bytes || arg.bytes || m.bytes) && !is_test_value_call(&b.name) {
                report(&b.name, false, m, cx);
            }
        }
    }
    // Without a flow, only spellings that are key material whatever their value (and as long as
    // a key, unlike `const TOKEN: [u8; 2] = [1, 2]`): a named string keeps the name-and-value
    // test of the passes above.
    for b in &scan.bindings {
        let Held::Material(m) = &b.held else { continue };
        let spelled = ((m.array || m.pattern) && m.len() >= 8) || (m.concat && !m.weak());
        if spelled && !b.mutable && common::secret_name(&b.name).is_some() {
            report(&b.name, false, m, cx);
        }
    }
}

/// The kind [`find_tokens`] gives PEM private keys.
const PEM: &str = "private key";

/// Whether the line holding `offset` is a Rust doc comment (`/// ..`, `//! ..`).
fn in_doc_comment(text: &str, offset: usize) -> bool {
    let start = text
        .get(..offset)
        .and_then(|s| s.rfind('\n'))
        .map_or(0, |i| i + 1);
    let line = text.get(start..offset).unwrap_or("").trim_start();
    line.starts_with("///") || line.starts_with("//!")
}

/// Whether a non-Rust file is out of scope: tests, generated data, and templates committed with
/// example values.
fn skip_file(path: &str) -> bool {
    is_test_file(path) || is_generated(path) || is_template(path)
}

/// Whether literal `li` of `src` could be bound to a secret name by `check_rust`, read back
/// from the literal token by token: out through the wrappers `value_lits` sees (`&`,
/// parentheses, `Some(..)`, `String::from(..)`), to `name = `, `name: `, `.name(` or the second
/// argument of a call or tuple, whose name candidates must hold a secret name or a credential
/// call. A position it cannot tell (a runaway statement, generic arguments it cannot match)
/// counts as bound, so it only drops literals the parse would not report: `println!("..")`,
/// `.expect("..")`, `#[cfg(feature = "..")]`, the third element of an array.
fn may_be_bound_to_secret(src: &RustText<'_>, li: usize) -> bool {
    // Enough tokens for any statement head or first argument a person writes.
    const MAX_TOKENS: usize = 256;
    let text = src.text;
    let bytes = text.as_bytes();
    let lits = src.literals();
    let value = lits[li].value.as_ref();
    let word = |t: &Tok| match t {
        Tok::Ident(r) => Some(&text[r.clone()]),
        Tok::Lit(k) => Some(lits[*k].value.as_ref()),
        Tok::Punct(_) => None,
    };

    // 1. Out through the wrappers, to the token that says where the value is.
    let mut pos = lits[li].span.start;
    let mut callee = None;
    let (tok, at) = loop {
        let Some((t, at)) = src.token_before(pos) else {
            return false;
        };
        match &t {
            Tok::Punct(b'&') => pos = at,
            Tok::Ident(r) if &text[r.clone()] == "mut" => pos = at,
            Tok::Punct(b'(') => match src.token_before(at) {
                // A macro's first argument is bound to nothing.
                Some((Tok::Punct(b'!'), _)) => return false,
                // After `=>` or `->`: parentheses or a tuple.
                Some((Tok::Punct(b'>'), g)) if g > 0 && matches!(bytes[g - 1], b'=' | b'-') => {
                    pos = at
                }
                // A call's `(` follows a name, a turbofish's `>`, or a call or index; after any
                // other punctuation it opens parentheses or a tuple.
                Some((Tok::Punct(c), _)) if !matches!(c, b'>' | b')' | b']') => pos = at,
                _ => match src.callee_before(at) {
                    Some(r) if VALUE_WRAPPERS.contains(&&text[r.clone()]) => {
                        pos = src.path_start(r.start)
                    }
                    Some(r) => {
                        callee = Some(r);
                        break (t, at);
                    }
                    None => return true,
                },
            },
            _ => break (t, at),
        }
    };

    // 2. The names that position could bind the value to.
    let mut names: Vec<&str> = Vec::new();
    match tok {
        Tok::Punct(b'=') => {
            match at.checked_sub(1).map(|p| bytes[p]) {
                // `==`, `!=`, `<=`, compound assignments: no binding.
                Some(
                    b'=' | b'!' | b'<' | b'+' | b'-' | b'*' | b'/' | b'%' | b'^' | b'&' | b'|',
                ) => {
                    return false;
                }
                // `>=`, or a generic type's `>` just before `=`.
                Some(b'>') => return true,
                _ => {}
            }
            // `name = `, `let name: T = `, `const NAME: T = `, `"key" = ` in a macro: every
            // word back to the start of the statement.
            let (mut p, mut depth) = (at, 0usize);
            let mut ended = false;
            for _ in 0..MAX_TOKENS {
                let Some((t, s)) = src.token_before(p) else {
                    ended = true;
                    break;
                };
                p = s;
                match t {
                    // A `}` ends the statement before: no head runs through a block.
                    Tok::Punct(b')' | b']') => depth += 1,
                    Tok::Punct(b'(' | b'[') if depth > 0 => depth -= 1,
                    Tok::Punct(b'(' | b'[' | b'{' | b'}') => {
                        ended = true;
                        break;
                    }
                    Tok::Punct(b';') if depth == 0 => {
                        ended = true;
                        break;
                    }
                    t => names.extend(word(&t)),
                }
            }
            if !ended {
                return true;
            }
        }
        Tok::Punct(b':') => {
            if at > 0 && bytes[at - 1] == b':' {
                return true;
            }
            // `name: ".."` (a field) or `"key": ".."` (in a macro).
            names.extend(src.token_before(at).and_then(|(t, _)| word(&t)));
        }
        // `.name("..")`, `from_secret(b"..")`: the callee.
        Tok::Punct(b'(') => names.extend(callee.map(|r| &text[r])),
        Tok::Punct(b',') => {
            // The second argument of a call or tuple: the callee and the first argument.
            let (mut p, mut depth, mut commas) = (at, 0usize, 1usize);
            // Generic arguments and closure parameters hold commas outside any bracket.
            let mut unsure = false;
            let mut open = None;
            for _ in 0..MAX_TOKENS {
                let Some((t, s)) = src.token_before(p) else {
                    return false;
                };
                p = s;
                match t {
                    Tok::Punct(b')' | b']' | b'}') => depth += 1,
                    Tok::Punct(b'(' | b'[' | b'{') if depth > 0 => depth -= 1,
                    Tok::Punct(b'(') => {
                        open = Some(s);
                        break;
                    }
                    // An array or block element is bound to nothing.
                    Tok::Punct(b'[' | b'{') => return false,
                    // A match arm's `=>`: the value is an arm's, bound to nothing.
                    Tok::Punct(b'>') if depth == 0 && s > 0 && bytes[s - 1] == b'=' => {
                        return false
                    }
                    Tok::Punct(b'<' | b'>' | b'|') if depth == 0 => unsure = true,
                    Tok::Punct(b',') if depth == 0 => {
                        commas += 1;
                        // A third argument or element is bound to nothing.
                        if !unsure {
                            return false;
                        }
                    }
                    t => names.extend(word(&t)),
                }
            }
            let Some(open) = open else {
                return true;
            };
            if commas != 1 && !unsure {
                return false;
            }
            if let Some(r) = src.callee_before(open) {
                // `Credentials::new`: the type too.
                let from = src.path_start(r.start);
                names.extend(
                    text[from..r.end]
                        .split("::")
                        .map(str::trim)
                        .filter(|w| !w.is_empty()),
                );
            }
        }
        _ => return false,
    }
    names.iter().any(|n| {
        // The credential calls and constructors `PairVisitor` knows (`Credentials::new` is
        // named by its type here).
        let credential = CREDENTIAL_CALLS.contains(n)
            || *n == "bearer_auth"
            || CREDENTIAL_CONSTRUCTORS
                .iter()
                .any(|c| c.split("::").next() == Some(*n));
        if credential {
            return common::looks_secret(SecretName::Password, value)
                || common::looks_secret(SecretName::Key, value);
        }
        may_name_secret(n)
            && (common::named_secret(n, value).is_some() || pair_secret(n, value).is_some())
    })
}

/// A cheap test that `name` could be one `secret_name` or `pair_secret` accepts: every such
/// name holds one of these (`pwd` and `passwd` too; `authoriz` for an `Authorization` header).
/// Names outside ASCII go to the full test (lower-casing could make ASCII of them).
fn may_name_secret(name: &str) -> bool {
    const PARTS: &[&[u8]] = &[
        b"pw",
        b"pass",
        b"secret",
        b"token",
        b"bearer",
        b"credential",
        b"key",
        b"authoriz",
    ];
    let b = name.as_bytes();
    !name.is_ascii()
        || PARTS
            .iter()
            .any(|p| b.windows(p.len()).any(|w| w.eq_ignore_ascii_case(p)))
}

/// The credential in an `Authorization` header value: `Bearer x` → `x`.
fn authorization_credential(value: &str) -> Option<&str> {
    let (scheme, cred) = value.trim().split_once(' ')?;
    ["bearer", "basic", "token", "bot", "apikey"]
        .contains(&scheme.to_ascii_lowercase().as_str())
        .then_some(cred.trim())
}

impl Rule for HardcodedSecret {
    fn inputs(&self) -> Inputs {
        Inputs {
            rust: true,
            text: true,
            structured: true,
            repo: true,
            settings: true,
            ..Inputs::default()
        }
    }

    fn rust_triggers(&self) -> &'static [&'static str] {
        debug_assert!(common::TOKEN_TRIGGERS.iter().all(|t| TRIGGERS.contains(t)));
        TRIGGERS
    }

    fn rust_wants(&self, src: &RustText<'_>) -> bool {
        // A provider token anywhere, or a literal in a position `check_rust` binds to a secret
        // name (read back from the literal, no parse).
        !find_tokens(src.text).is_empty()
            || (0..src.literals().len()).any(|i| may_be_bound_to_secret(src, i))
            || may_hold_key(src.text)
    }

    fn check_rust(&self, file: &RustFile, cx: &mut RuleCtx<'_>) {
        let tests = &file.tests;
        let text = &file.source.text;
        // Literals in scope, by start offset.
        let mut lits: Vec<usize> = (0..file.lits.len())
            .filter(|&i| !tests.contains(file.lits[i].span.start))
            .collect();
        lits.sort_by_key(|&i| file.lits[i].span.start);
        let by_start: HashMap<usize, usize> =
            lits.iter().map(|&i| (file.lits[i].span.start, i)).collect();
        let mut reported: HashSet<usize> = HashSet::new();
        // Calls building test data, nested arguments included (`TestValue::Multiple(&[..])`).
        let test_calls: Vec<&Range<usize>> = file
            .calls
            .iter()
            .filter(|c| is_test_value_call(&c.callee))
            .map(|c| &c.span)
            .collect();
        let in_test_value = |at: usize| test_calls.iter().any(|s| s.contains(&at));

        // Provider tokens: in literal values (escapes resolved), then anywhere in the text
        // (comments, macro bodies the parser could not read).
        for &i in &lits {
            let lit = &file.lits[i];
            let found = find_tokens(&lit.value);
            let Some(t) = found.first() else { continue };
            reported.insert(lit.span.start);
            let test_value = in_test_value(lit.span.start);
            if !(test_value || (t.kind == PEM && is_doc_comment(text, &lit.span))) {
                token(t.kind, lit.span.clone(), cx);
            }
        }
        for t in find_tokens(text) {
            if tests.contains(t.range.start)
                || in_test_value(t.range.start)
                || (t.kind == PEM && in_doc_comment(text, t.range.start))
            {
                continue;
            }
            let at = lits.partition_point(|&i| file.lits[i].span.start <= t.range.start);
            let within = at
                .checked_sub(1)
                .map(|k| &file.lits[lits[k]])
                .filter(|l| l.span.contains(&t.range.start));
            match within {
                Some(l) if !reported.insert(l.span.start) => {}
                Some(l) => token(t.kind, l.span.clone(), cx),
                None => token(t.kind, t.range, cx),
            }
        }

        // Secret-named bindings.
        for &i in &lits {
            let lit = &file.lits[i];
            if reported.contains(&lit.span.start)
                || lit.env_fallback
                || is_doc_comment(text, &lit.span)
            {
                continue;
            }
            let Some(name) = &lit.binding else { continue };
            if let Some(kind) = named_secret(name, &lit.value) {
                reported.insert(lit.span.start);
                named(name, kind, lit.span.clone(), cx);
            }
        }

        // `env::set_var("DB_PASSWORD", "..")`, `.header("x-api-key", "..")`.
        for &i in &lits {
            let lit = &file.lits[i];
            let Some(call) = lit.call.and_then(|c| file.calls.get(c)) else {
                continue;
            };
            if reported.contains(&lit.span.start)
                || lit.env_fallback
                || call.args.len() != 2
                || call.args[1].start != lit.span.start
            {
                continue;
            }
            let callee = call.callee.rsplit("::").next().unwrap_or(&call.callee);
            if !PAIR_CALLS.contains(&callee) {
                continue;
            }
            let first = call.args[0].clone();
            let key = match call.lit_args.first() {
                Some(Some(k)) => k.clone(),
                _ => text.get(first).unwrap_or("").to_string(),
            };
            if let Some((name, kind)) = pair_secret(&key, &lit.value) {
                reported.insert(lit.span.start);
                named(&name, kind, lit.span.clone(), cx);
            }
        }

        // `("api_key", "..")` tuples, `.basic_auth(user, Some(".."))`,
        // `EncodingKey::from_secret(b"..")` and byte-string consts.
        let mut v = PairVisitor { found: Vec::new() };
        v.visit_file(&file.ast);
        for f in v.found {
            let value = match &f.bytes {
                // Byte strings are not in `file.lits`: test code is left out here.
                Some(b) if !tests.contains(f.span.start) => b.as_str(),
                Some(_) => continue,
                None => match by_start.get(&f.span.start).map(|&i| &file.lits[i]) {
                    Some(lit) if !lit.env_fallback => lit.value.as_str(),
                    _ => continue,
                },
            };
            if reported.contains(&f.span.start) {
                continue;
            }
            let kind = match f.kind {
                Some(k) if common::looks_secret(k, value) => k,
                Some(_) => continue,
                None => match pair_secret(&f.name, value) {
                    Some((_, k)) => k,
                    None => continue,
                },
            };
            reported.insert(f.span.start);
            named(&f.name, kind, f.span, cx);
        }

        let skip = |at: usize| tests.contains(at) || in_test_value(at);
        check_keys(file, &mut reported, &skip, cx);
    }

    fn check_text(&self, file: &SourceFile, cx: &mut RuleCtx<'_>) {
        if skip_file(&file.path) {
            return;
        }
        let docs = is_doc_path(&file.path);
        for t in find_tokens(&file.text) {
            // Keys in documentation are examples; provider tokens are revoked wherever they leak.
            if !(docs && t.kind == PEM) {
                token(t.kind, t.range, cx);
            }
        }
    }

    fn check_structured(&self, file: &StructuredFile, cx: &mut RuleCtx<'_>) {
        // Every other value of a structured file is a setting of the settings model
        // (`check_repo`); a Kubernetes Secret's `data:` is base64 and is decoded here.
        let path = &file.source.path;
        if skip_file(path) || is_translation_path(path) {
            return;
        }
        for doc in file.docs() {
            let Some(data) = secret_data(&doc) else {
                continue;
            };
            for (key, value, span) in decoded_values(&data) {
                if let Some(t) = find_tokens(&value).first() {
                    token(t.kind, span, cx);
                } else if let Some(kind) = named_secret(key, &value) {
                    named(key, kind, span, cx);
                }
            }
        }
    }

    fn check_repo(&self, repo: &RepoIndex, cx: &mut RepoCtx<'_>) {
        for s in repo.settings.with_role(settings::SECRET) {
            if let Some(v) = setting_violation(s) {
                cx.report(&s.file, v);
            }
        }
    }
}

/// The finding for a secret-named setting from the settings model: a value that looks like a
/// real secret wherever it is not kept out of deployments (templates, development stacks, test
/// and CI configuration), and a weak or placeholder value where it reaches a running app.
fn setting_violation(s: &settings::Setting) -> Option<Violation> {
    if s.ships.kept_out() {
        return None;
    }
    let v = s.value.trim();
    if not_a_value(v) || !find_tokens(v).is_empty() {
        return None;
    }
    let name = s.name();
    // Keys with spaces are labels (`nav: Token Storage: ..`), not settings.
    if name.contains(' ') {
        return None;
    }
    let kind = common::secret_name(name)?;
    let strong = named_secret(name, v).is_some();
    // A Rust default that looks like a real secret is a finding only where a service runs it.
    if !s.ships.reaches_app() && (!strong || s.origin.is_rust()) {
        return None;
    }
    let message = if strong {
        format!(
            "hard-coded {} in `{}`, {} ({})",
            kind.noun(),
            s.key,
            s.origin.describe(),
            s.why
        )
    } else {
        format!(
            "weak default {} in `{}`, {} ({}): every deployment that does not override it runs with this value",
            kind.noun(),
            s.key,
            s.origin.describe(),
            s.why
        )
    };
    Some(
        Violation::new(s.span.clone(), message)
            .label(if strong {
                "secret value written into the repository"
            } else {
                "a default secret anyone can read"
            })
            .help(if strong {
                format!(
                    "read `{}` from an environment variable or a secret store, and rotate the exposed value",
                    s.key
                )
            } else {
                format!(
                    "remove the value and read `{}` from the environment or a secret store at start-up, failing when it is missing",
                    s.key
                )
            })
            .secret(),
    )
}

/// Values that are not secrets whatever their key: empty, interpolated or referenced
/// (`${DB_PASSWORD}`, `$(SECRET)`, `%(pw)s`, `vault:..`), a path to a secret file, an angle-bracket
/// placeholder, a variable name, a boolean or a number.
fn not_a_value(v: &str) -> bool {
    let lower = v.to_ascii_lowercase();
    v.is_empty()
        || v.bytes().all(|b| b == b'\'' || b == b'"')
        || v.contains("${")
        || v.contains("$(")
        || v.contains("{{")
        || v.starts_with('$')
        || v.starts_with('%')
        || (v.starts_with('<') && v.ends_with('>'))
        || v.starts_with('/')
        || v.starts_with("./")
        || v.starts_with("~/")
        || lower.starts_with("file:")
        || [
            "vault:",
            "arn:",
            "enc[",
            "sm://",
            "op://",
            "secret://",
            "gcp:",
            "azure:",
            "ref+",
        ]
        .iter()
        .any(|p| lower.starts_with(p))
        || matches!(
            lower.as_str(),
            "true"
                | "false"
                | "null"
                | "~"
                | "nil"
                | "undefined"
                | "private"
                | "public"
                | "required"
                | "optional"
                | "hidden"
                | "redacted"
                | "masked"
                | "enabled"
                | "disabled"
                | "yes"
                | "no"
                | "on"
                | "off"
                | "auto"
                | "default"
                | "random"
                | "generate"
                | "generated"
        )
        || [
            ".pem", ".key", ".crt", ".md", ".txt", ".json", ".p12", ".pfx", ".jks", ".html",
        ]
        .iter()
        .any(|e| lower.ends_with(e))
        || v.bytes().all(|b| b.is_ascii_digit()) && v.len() < 4
        || (v.contains('_')
            && v.bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_'))
        || v.contains(char::is_whitespace) && v.split_whitespace().count() > 3
}

/// The secret in a `(name, value)` pair: the name must be identifier-shaped (not `"{password}"`
/// or `"password="`); an `Authorization` header's value is checked without its scheme.
fn pair_secret(name: &str, value: &str) -> Option<(String, SecretName)> {
    let key = name.trim().trim_matches('"');
    let last = key.rsplit("::").next().unwrap_or(key);
    if last.eq_ignore_ascii_case("authorization")
        || last.eq_ignore_ascii_case("proxy-authorization")
    {
        let cred = authorization_credential(value)?;
        return common::looks_secret(SecretName::Key, cred)
            .then(|| ("Authorization".to_string(), SecretName::Key));
    }
    if last.is_empty()
        || !last
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
    {
        return None;
    }
    named_secret(last, value).map(|k| (key.to_string(), k))
}

/// A string or byte-string literal that is the value of an expression: through `&`,
/// parentheses, `.to_string()`/`.into()`/`.as_bytes()` and `Some(..)`/`String::from(..)`.
fn value_lit(expr: &Expr) -> Option<&Lit> {
    match expr {
        Expr::Lit(l) => matches!(&l.lit, Lit::Str(_) | Lit::ByteStr(_)).then_some(&l.lit),
        Expr::Reference(r) => value_lit(&r.expr),
        Expr::Paren(p) => value_lit(&p.expr),
        Expr::Group(g) => value_lit(&g.expr),
        Expr::MethodCall(m) if m.args.is_empty() => value_lit(&m.receiver),
        Expr::Call(c) if c.args.len() == 1 => match &*c.func {
            Expr::Path(p)
                if p.path.segments.last().is_some_and(|s| {
                    matches!(s.ident.to_string().as_str(), "from" | "new" | "Some")
                }) =>
            {
                value_lit(&c.args[0])
            }
            _ => None,
        },
        _ => None,
    }
}

/// A literal found by [`PairVisitor`].
struct Found {
    /// The name it is bound to.
    name: String,
    /// The kind when the position alone makes it a secret (a credential call's password).
    kind: Option<SecretName>,
    /// The literal's byte range.
    span: Range<usize>,
    /// The value of a byte string (which the extractor does not record).
    bytes: Option<String>,
}

impl Found {
    fn new(name: String, kind: Option<SecretName>, lit: &Lit) -> Option<Found> {
        let (span, bytes) = match lit {
            Lit::Str(s) => (byte_range(s.span()), None),
            Lit::ByteStr(b) => (
                byte_range(b.span()),
                Some(String::from_utf8_lossy(&b.value()).into_owned()),
            ),
            _ => return None,
        };
        Some(Found {
            name,
            kind,
            span,
            bytes,
        })
    }
}

/// Finds `(name, value)` literal pairs, credential-call passwords, single arguments of
/// secret-named functions (`EncodingKey::from_secret(..)`) and byte-string secrets bound to a
/// `const`, `static` or `let`.
struct PairVisitor {
    found: Vec<Found>,
}

impl PairVisitor {
    fn push(&mut self, name: String, kind: Option<SecretName>, expr: &Expr) {
        if let Some(f) = value_lit(expr).and_then(|l| Found::new(name, kind, l)) {
            self.found.push(f);
        }
    }

    /// Byte strings only: string literals bound to a name are the extractor's.
    fn push_bytes(&mut self, name: String, expr: &Expr) {
        if let Some(l @ Lit::ByteStr(_)) = value_lit(expr) {
            if let Some(f) = Found::new(name, None, l) {
                self.found.push(f);
            }
        }
    }
}

impl<'ast> Visit<'ast> for PairVisitor {
    fn visit_expr_tuple(&mut self, t: &'ast syn::ExprTuple) {
        if t.elems.len() == 2 {
            if let Some(Lit::Str(k)) = value_lit(&t.elems[0]) {
                self.push(k.value(), None, &t.elems[1]);
            }
        }
        visit::visit_expr_tuple(self, t);
    }

    fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
        let name = m.method.to_string();
        if CREDENTIAL_CALLS.contains(&name.as_str()) && m.args.len() == 2 {
            self.push(name, Some(SecretName::Password), &m.args[1]);
        } else if name == "bearer_auth" && m.args.len() == 1 {
            self.push(name, Some(SecretName::Key), &m.args[0]);
        } else if m.args.len() == 1 && common::secret_name(&name).is_some() {
            self.push_bytes(name, &m.args[0]);
        }
        visit::visit_expr_method_call(self, m);
    }

    fn visit_expr_call(&mut self, c: &'ast syn::ExprCall) {
        if let Expr::Path(p) = &*c.func {
            let segs: Vec<String> = p
                .path
                .segments
                .iter()
                .map(|s| s.ident.to_string())
                .collect();
            let tail = segs[segs.len().saturating_sub(2)..].join("::");
            let last = segs.last().map_or("", String::as_str);
            if CREDENTIAL_CONSTRUCTORS.contains(&tail.as_str()) && c.args.len() >= 2 {
                self.push(tail, Some(SecretName::Password), &c.args[1]);
            } else if c.args.len() == 1
                // A function, not a tuple struct or variant (`Token("ident_2")`).
                && last.starts_with(|ch: char| ch.is_ascii_lowercase())
                && common::secret_name(last).is_some()
            {
                self.push(tail, None, &c.args[0]);
            }
        }
        visit::visit_expr_call(self, c);
    }

    fn visit_item_const(&mut self, i: &'ast syn::ItemConst) {
        self.push_bytes(i.ident.to_string(), &i.expr);
        visit::visit_item_const(self, i);
    }

    fn visit_item_static(&mut self, i: &'ast syn::ItemStatic) {
        self.push_bytes(i.ident.to_string(), &i.expr);
        visit::visit_item_static(self, i);
    }

    fn visit_local(&mut self, l: &'ast syn::Local) {
        let pat = match &l.pat {
            syn::Pat::Type(t) => &*t.pat,
            p => p,
        };
        if let (syn::Pat::Ident(id), Some(init)) = (pat, &l.init) {
            self.push_bytes(id.ident.to_string(), &init.expr);
        }
        visit::visit_local(self, l);
    }
}

/// The `data:` map of a Kubernetes `Secret` object, whose values are base64-encoded.
pub(crate) fn secret_data<'d>(doc: &Node<'d>) -> Option<Node<'d>> {
    (doc.get("kind")?.as_str()? == "Secret" && doc.get("apiVersion").is_some())
        .then(|| doc.get("data"))
        .flatten()
}

/// The keys of a Secret's `data:` map with their values decoded from base64, and the spans of
/// the encoded values. Values that are not base64 of UTF-8 text are left out.
pub(crate) fn decoded_values<'d>(data: &Node<'d>) -> Vec<(&'d str, String, Range<usize>)> {
    let Node::Map(kv) = data else {
        return Vec::new();
    };
    kv.iter()
        .filter_map(|(k, v)| {
            let Node::Scalar(text, span) = v else {
                return None;
            };
            let bytes = decode_base64(text)?;
            let value = String::from_utf8(bytes).ok()?;
            Some((k.name, value, span))
        })
        .collect()
}

/// Decodes standard base64 (padding optional, whitespace ignored, as in a folded YAML scalar).
pub(crate) fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    let body = text.trim_end_matches(|c: char| c == '=' || c.is_whitespace());
    for c in body.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            c if c.is_ascii_whitespace() => continue,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    (bits < 6).then_some(out)
}

/// A call that builds test data: a path segment named like a test value (`TestValue::Single`,
/// `ExampleToken::new`, `fake_token`, `Dummy(..)`), as in a table of detection patterns with
/// sample inputs.
fn is_test_value_call(callee: &str) -> bool {
    callee.split("::").any(|seg| {
        let w = words(seg);
        w.iter().any(|x| {
            matches!(
                x.as_str(),
                "test" | "example" | "sample" | "fake" | "dummy" | "mock"
            )
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64() {
        assert_eq!(
            decode_base64("WGs5I21QMnZMcQ==").as_deref(),
            Some(&b"Xk9#mP2vLq"[..])
        );
        assert_eq!(
            decode_base64("Y2hhbmdlbWU=").as_deref(),
            Some(&b"changeme"[..])
        );
        assert_eq!(
            decode_base64("Y2hh\n  bmdlbWU").as_deref(),
            Some(&b"changeme"[..])
        );
        assert_eq!(decode_base64("").as_deref(), Some(&b""[..]));
        assert_eq!(decode_base64("${DB_PASSWORD}"), None);
        assert_eq!(decode_base64("abcde"), None);
    }

    /// The key argument [`key_arg`] picks in the outermost call of `src`, as written.
    fn key_of(src: &str) -> Option<String> {
        use crate::source::FileKind;
        let source = SourceFile::new("src/main.rs", FileKind::Rust, src.into());
        let file = RustFile::parse(&source, false).expect("test source parses");
        let call = file.calls.iter().max_by_key(|c| c.span.len())?;
        let arg = call.args.get(key_arg(call, &file)?)?;
        Some(src[arg.clone()].to_string())
    }

    #[test]
    fn key_positions() {
        let cases = [
            (
                "use jsonwebtoken::encode; fn f() { encode(&h, &c, K.as_ref()); }",
                Some("K.as_ref()"),
            ),
            (
                "use jsonwebtoken::*; fn f() { decode::<C>(&t, K, &v); }",
                Some("K"),
            ),
            (
                "fn f() { jsonwebtoken::crypto::sign(m, &k, alg); }",
                Some("&k"),
            ),
            ("fn f() { ring::hmac::sign(&k, data); }", Some("&k")),
            (
                "fn f() { ring::hmac::Key::new(HMAC_SHA256, K); }",
                Some("K"),
            ),
            ("fn f() { Hmac::<Sha256>::new_from_slice(K); }", Some("K")),
            (
                "fn f() { <HmacSha256 as Mac>::new_from_slice(K); }",
                Some("K"),
            ),
            ("fn f() { c.sign_with_key(&k); }", Some("&k")),
            (
                "fn f() { PKey::private_key_from_pem_passphrase(pem, P); }",
                Some("P"),
            ),
            ("fn f() { base64::encode(K); }", None),
            ("fn f() { serde_urlencoded::encode(a, b, c); }", None),
            ("fn f() { signing_key.sign(b\"msg\"); }", None),
            ("fn f() { codec.decode(&a, b, c); }", None),
            ("fn f() { Key::new(\"name\"); }", None),
        ];
        for (src, want) in cases {
            assert_eq!(key_of(src).as_deref(), want, "{src}");
        }
    }

    /// Whether the prefilter keeps the literal whose value is `v` in `src`.
    fn bound(src: &str, v: &str) -> bool {
        let text = RustText::new(src);
        let i = text
            .literals()
            .iter()
            .position(|l| l.value == v)
            .expect("literal in test source");
        may_be_bound_to_secret(&text, i)
    }

    #[test]
    fn positions_read_back_from_the_literal() {
        let kept = [
            ("let password = \"Xk9#mP2vLq\";", "Xk9#mP2vLq"),
            ("let mut db_password: &str = &\"Xk9#mP2vLq\";", "Xk9#mP2vLq"),
            (
                "const SIGNING_KEY: &[u8; 4] = b\"Ab12Cd34Ef\";",
                "Ab12Cd34Ef",
            ),
            ("s.password = /* c */ \"Xk9#mP2vLq\";", "Xk9#mP2vLq"),
            ("Db { password: \"Xk9#mP2vLq\" }", "Xk9#mP2vLq"),
            ("json!({\"api_key\": \"Ab12Cd34Ef\"})", "Ab12Cd34Ef"),
            ("m!(password = \"Xk9#mP2vLq\")", "Xk9#mP2vLq"),
            ("b.password(Some(\"Xk9#mP2vLq\"))", "Xk9#mP2vLq"),
            ("Key::from_secret(b\"Ab12Cd34Ef\")", "Ab12Cd34Ef"),
            ("let token = String::from(\"Ab12Cd34Ef\");", "Ab12Cd34Ef"),
            (
                "h.insert(header::AUTHORIZATION, \"Bearer Ab12Cd34Ef\")",
                "Bearer Ab12Cd34Ef",
            ),
            ("[(\"api_key\", \"Ab12Cd34Ef\")]", "Ab12Cd34Ef"),
            (
                "r.basic_auth(user(a, b), Some(\"Xk9#mP2vLq\"))",
                "Xk9#mP2vLq",
            ),
            (
                "Credentials::new(\"u\".into(), \"Xk9#mP2vLq\".into())",
                "Xk9#mP2vLq",
            ),
            ("x.password::<T>(\"Xk9#mP2vLq\")", "Xk9#mP2vLq"),
            (
                "let token = Cow::<str>::Borrowed(\"Ab12Cd34Ef\");",
                "Ab12Cd34Ef",
            ),
            // Commas outside brackets (generic arguments) leave the position open.
            (
                "Credentials::new(M::<A, B>::new(), \"Xk9#mP2vLq\")",
                "Xk9#mP2vLq",
            ),
        ];
        for (src, v) in kept {
            assert!(bound(src, v), "dropped: {src}");
        }
        let dropped = [
            ("fn password() {}\n#[cfg(feature = \"http2\")]", "http2"),
            ("let password = x;\nprintln!(\"Xk9#mP2vLq\");", "Xk9#mP2vLq"),
            ("if password == \"Xk9#mP2vLq\" {}", "Xk9#mP2vLq"),
            ("match password { _ => \"Xk9#mP2vLq\" }", "Xk9#mP2vLq"),
            ("let password = [\"a\", \"Xk9#mP2vLq\"];", "Xk9#mP2vLq"),
            ("f(password, x, \"Xk9#mP2vLq\")", "Xk9#mP2vLq"),
            ("let cfg = \"Xk9#mP2vLq\"; // password", "Xk9#mP2vLq"),
            (
                "let password = syn::parse_str::<P>(\"Xk9#mP2vLq\");",
                "Xk9#mP2vLq",
            ),
            ("token.expect(\"Xk9#mP2vLq\")", "Xk9#mP2vLq"),
            (
                "d.insert(\"username\", Arc::<str>::from(\"Xk9#mP2vLq\"))",
                "Xk9#mP2vLq",
            ),
            ("match s { \"Xk9#mP2vLq\" => 1, _ => 2 }", "Xk9#mP2vLq"),
            (
                "match s { A => (\"Xk9#mP2vLq\", 1), B => (\"b\", 2) }",
                "Xk9#mP2vLq",
            ),
            ("match s { A => 1, (\"Xk9#mP2vLq\", _) => 2 }", "Xk9#mP2vLq"),
            ("unsafe { &*(\"Xk9#mP2vLq\" as *const str) }", "Xk9#mP2vLq"),
        ];
        for (src, v) in dropped {
            assert!(!bound(src, v), "kept: {src}");
        }
    }
}
