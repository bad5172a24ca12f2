//! TC0401: a literal backing-service locator used directly in service code.

use crate::rule::prelude::*;
use crate::rules::f04_backing_services::locator::backing_locator;
use crate::source::rust::{Call, RustFile as File};

declare_rule! {
    /// ## What it does
    /// Flags a literal that locates a backing service, used directly in the code of a service
    /// crate:
    /// - URLs with the schemes `postgres(ql)`, `mysql`, `mariadb`, `mssql`/`sqlserver`,
    ///   `mongodb(+srv)`, `redis(s)`, `amqp(s)`, `nats`, `kafka`, `pulsar(+ssl)`, `mqtt(s)`,
    ///   `memcache(d)`, `smtp(s)`, `ldap(s)`, `neo4j(+s)`, `bolt`, `s3` and `gs`, and `http(s)`
    ///   URLs on Elasticsearch's or Neo4j's port;
    /// - an exact `host:port` (or a comma-separated list of them) with a well-known service port:
    ///   5432, 3306, 27017, 6379, 5672, 4222, 9092, 11211, 1433, 9042, 9200, 6650, 1883, 7687;
    /// - literal hosts given to client builders: `SmtpTransport::relay("smtp.gmail.com")`,
    ///   `PgConnectOptions::new().host("db")`, `tokio_postgres::Config::new().host(..)`,
    ///   `OptsBuilder::ip_or_hostname(..)`, `async_nats::connect("nats.internal")`.
    ///
    /// Literals inside macros whose body parses as expressions (`format!`, `vec!`, `json!`-like
    /// macros, `lazy_static!`) are checked too, and `use` aliases are resolved.
    ///
    /// Not flagged: values read from the environment or a config file, format templates
    /// (`"postgres://{}:{}@{}/{}"`), text that merely mentions a URL, bare schemes and literals
    /// used in comparisons (`url.starts_with("redis://")`, `match` patterns), addresses the
    /// service listens on (`bind`), constants named as documentation (`EXAMPLE_DATABASE_URL`),
    /// test code, and library crates. A literal used as the fallback of an environment or config
    /// lookup is `TC0402` instead.
    ///
    /// ## Measured
    /// On the real-world corpus (`benches/realworld/`, 26 repositories, 2026-12-03): no findings.
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
    "://",
    ":5432",
    ":3306",
    ":27017",
    ":6379",
    ":5672",
    ":4222",
    ":9092",
    ":11211",
    ":1433",
    ":9042",
    ":9200",
    ":6650",
    ":1883",
    ":7687",
    "relay",
    "builder_dangerous",
    ".host(",
    "hostname(",
    "nats::connect",
];

/// A literal host handed to a client builder: `SmtpTransport::relay("smtp.x")`,
/// `PgConnectOptions::new().host("db")`, `async_nats::connect("nats.internal")`.
pub(crate) fn builder_host(file: &File, call: &Call) -> Option<&'static str> {
    let callee = call.callee.as_str();
    if !call.method {
        let mut segs = callee.rsplit("::");
        let last = segs.next().unwrap_or("");
        let owner = segs.next().unwrap_or("");
        if ["relay", "starttls_relay", "builder_dangerous"].contains(&last)
            && owner.ends_with("SmtpTransport")
        {
            return Some("SMTP relay host");
        }
        if last == "connect" && (owner == "async_nats" || owner == "nats") {
            return Some("NATS server");
        }
        return None;
    }
    let root = call.root.as_deref()?;
    if ["relay", "starttls_relay", "builder_dangerous"].contains(&callee)
        && root.split("::").any(|s| s.ends_with("SmtpTransport"))
    {
        return Some("SMTP relay host");
    }
    let db_builder = root.split("::").any(|s| {
        s.ends_with("ConnectOptions")
            || s == "OptsBuilder"
            || s == "Config"
                && [
                    "tokio_postgres",
                    "postgres",
                    "deadpool_postgres",
                    "mysql_async",
                ]
                .iter()
                .any(|k| file.names(root, k, "Config"))
    });
    if matches!(callee, "host" | "hostname" | "ip_or_hostname") && db_builder {
        return Some("database host");
    }
    None
}

/// Calls whose literal arguments are never locators: variable names of lookups, comparisons,
/// and addresses the service itself listens on.
pub(crate) fn is_lookup_call(call: &Call) -> bool {
    let c = call.callee.as_str();
    let last = c.rsplit("::").next().unwrap_or(c);
    c.ends_with("env::var")
        || c.ends_with("env::var_os")
        || last == "var"
        || matches!(
            last,
            "starts_with"
                | "strip_prefix"
                | "ends_with"
                | "strip_suffix"
                | "contains"
                | "eq"
                | "ne"
                | "eq_ignore_ascii_case"
                | "find"
                | "split"
                | "replace"
                | "trim_start_matches"
                | "listen"
                | "serve"
        )
        || last == "bind"
        || last.starts_with("bind_")
}

/// Bindings whose value documents a locator rather than using it: `EXAMPLE_URL`, `url_hint`.
fn is_documentation_binding(name: &str) -> bool {
    crate::rules::common::words(name).iter().any(|w| {
        matches!(
            w.as_str(),
            "example"
                | "examples"
                | "sample"
                | "placeholder"
                | "hint"
                | "help"
                | "usage"
                | "doc"
                | "docs"
                | "description"
                | "pattern"
                | "regex"
                | "prefix"
                | "scheme"
                | "format"
                | "template"
                | "expect"
        )
    })
}

/// Whether a literal looks like a host name or address handed to a builder.
fn is_host_like(v: &str) -> bool {
    let v = v.trim();
    !v.is_empty() && !v.contains(char::is_whitespace) && !v.contains(['{', '$', '<'])
}

/// A hard-coded locator literal: the literal's index, what it locates, the hosts it names.
pub(crate) struct Found {
    /// Index into `file.lits`.
    pub index: usize,
    /// What it locates (`postgres URL`).
    pub what: String,
    /// The hosts, lower-case.
    pub hosts: Vec<String>,
}

impl Found {
    /// Whether every host it names is in the rule's `allowed-hosts` option.
    pub fn allowed(&self, allowed: &[String]) -> bool {
        !self.hosts.is_empty()
            && self
                .hosts
                .iter()
                .all(|h| allowed.iter().any(|a| a.eq_ignore_ascii_case(h)))
    }
}

/// The options of TC0401 and TC0402.
pub(crate) const OPTIONS: &[RuleOption] = &[RuleOption {
    name: "allowed-hosts",
    kind: OptionKind::StringList,
    default: "[]",
    doc: "hosts whose literal locators are accepted (for a tool that only ever talks to \
          `localhost`, say); a locator is accepted when every host it names is listed",
}];

/// Each hard-coded locator literal in `file`.
pub(crate) fn locators(file: &File) -> Vec<Found> {
    let mut out = Vec::new();
    for (i, lit) in file.lits.iter().enumerate() {
        if lit.compared {
            continue;
        }
        let call = lit.call.and_then(|c| file.calls.get(c));
        if call.is_some_and(is_lookup_call) {
            continue;
        }
        if lit.binding.as_deref().is_some_and(is_documentation_binding) {
            continue;
        }
        if let Some(l) = backing_locator(&lit.value) {
            out.push(Found {
                index: i,
                what: l.what,
                hosts: l.hosts,
            });
        } else if let Some(what) = call.and_then(|c| builder_host(file, c)) {
            // Only the host argument: the first one.
            let first = call.and_then(|c| c.args.first());
            if is_host_like(&lit.value) && first.is_some_and(|a| a.start == lit.span.start) {
                out.push(Found {
                    index: i,
                    what: what.to_string(),
                    hosts: vec![lit.value.trim().to_ascii_lowercase()],
                });
            }
        }
    }
    out
}

impl Rule for HardcodedBackingService {
    fn options(&self) -> &'static [RuleOption] {
        OPTIONS
    }

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
        TRIGGERS
    }

    fn check_rust(&self, file: &RustFile, cx: &mut RuleCtx<'_>) {
        if !cx.is_service() {
            return;
        }
        let allowed = cx.option_list("allowed-hosts").to_vec();
        for found in locators(file) {
            let (i, what) = (found.index, &found.what);
            let lit = &file.lits[i];
            if lit.env_fallback || found.allowed(&allowed) {
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
