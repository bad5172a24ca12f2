//! TC0401: a literal backing-service locator used directly in service code.

use crate::rule::prelude::*;
use crate::rules::f04_backing_services::locator::backing_locator;
use crate::source::rust::{Call, RustFile as File};

declare_rule! {
    /// ## What it does
    /// Flags a literal that locates a backing service, used directly in the code of a service
    /// crate: URLs with the schemes `postgres(ql)`, `mysql`, `mariadb`, `mongodb(+srv)`,
    /// `redis(s)`, `amqp(s)`, `nats`, `kafka`, `memcached`, `smtp(s)`, `ldap(s)` and `s3`; an
    /// exact `host:port` with a well-known service port (5432, 3306, 27017, 6379, 5672, 4222,
    /// 9092, 11211, ...); and literal hosts given to client builders
    /// (`SmtpTransport::relay("smtp.gmail.com")`, `PgConnectOptions::new().host("db")`).
    ///
    /// Not flagged: values read from the environment or a config file, format templates
    /// (`"postgres://{}:{}@{}/{}"`), bare schemes used for comparisons (`"redis://"`), test code,
    /// and library crates. A literal used as the fallback of an environment lookup is
    /// `TC0402` instead.
    ///
    /// ## Why is this bad?
    /// Factor IV: a twelve-factor app makes no distinction between local and third-party
    /// services; each is a resource attached through config. A hard-coded locator ties the code
    /// to one instance: moving the database, failing over or running a second environment needs a
    /// new release.
    ///
    /// ## Example
    /// ```rust
    /// let client = redis::Client::open("redis://cache.internal:6379/0")?;
    /// ```
    ///
    /// Use instead:
    /// ```rust
    /// let client = redis::Client::open(std::env::var("REDIS_URL")?)?;
    /// ```
    ///
    /// ## References
    /// - <https://12factor.net/backing-services>
    pub HardcodedBackingService {
        code: "TC0401", name: "hardcoded-backing-service",
        factor: BackingServices, severity: Error, preview: false, since: "0.1.0",
    }
}

/// Rust triggers shared with TC0402.
pub(crate) const TRIGGERS: &[&str] = &[
    "://", ":5432", ":3306", ":27017", ":6379", ":5672", ":4222", ":9092", ":11211", ":1433",
    ":9042", ":9200", "relay", ".host(",
];

/// A literal host handed to a client builder: `SmtpTransport::relay("smtp.x")`,
/// `PgConnectOptions::new().host("db")`.
pub(crate) fn builder_host(file: &File, call: &Call) -> Option<&'static str> {
    let root = call.root.as_deref()?;
    let callee = call.callee.as_str();
    let smtp = ["relay", "starttls_relay", "builder_dangerous"].contains(&callee)
        && root.split("::").any(|s| s.ends_with("SmtpTransport"));
    let db = callee == "host"
        && root.split("::").any(|s| {
            s.ends_with("ConnectOptions")
                || s == "Config"
                    && (file.names(root, "tokio_postgres", "Config")
                        || file.names(root, "postgres", "Config"))
        });
    if smtp {
        Some("SMTP relay host")
    } else if db {
        Some("database host")
    } else {
        None
    }
}

/// Calls whose literal path arguments are variable names, never locators.
pub(crate) fn is_lookup_call(call: &Call) -> bool {
    let c = call.callee.as_str();
    c.ends_with("env::var")
        || c.ends_with("env::var_os")
        || c == "var"
        || c.ends_with("::var")
        || c == "starts_with"
        || c == "strip_prefix"
        || c == "contains"
        || c == "ends_with"
}

/// Each hard-coded locator literal in `file`: (literal index, what it locates).
pub(crate) fn locators(file: &File) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (i, lit) in file.lits.iter().enumerate() {
        let call = lit.call.and_then(|c| file.calls.get(c));
        if call.is_some_and(is_lookup_call) {
            continue;
        }
        if let Some(l) = backing_locator(&lit.value) {
            out.push((i, l.what));
        } else if let Some(what) = call.and_then(|c| builder_host(file, c)) {
            if !lit.value.is_empty() {
                out.push((i, what.to_string()));
            }
        }
    }
    out
}

impl Rule for HardcodedBackingService {
    fn inputs(&self) -> Inputs {
        Inputs {
            rust: true,
            ..Inputs::default()
        }
    }

    fn rust_triggers(&self) -> &'static [&'static str] {
        TRIGGERS
    }

    fn check_rust(&self, file: &RustFile, cx: &mut RuleCtx<'_>) {
        if !cx.is_service() {
            return;
        }
        for (i, what) in locators(file) {
            let lit = &file.lits[i];
            if lit.env_fallback {
                continue;
            }
            cx.report(
                Violation::new(lit.span.clone(), format!("hard-coded {what} in service code"))
                    .label("backing service located by a literal")
                    .help("read the locator from an environment variable (for example DATABASE_URL or REDIS_URL)"),
            );
        }
    }
}
