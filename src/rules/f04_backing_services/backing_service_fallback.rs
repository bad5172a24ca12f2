//! TC0402: a backing-service locator used as the fallback of an environment lookup.

use crate::rule::prelude::*;
use crate::rules::common::find_urls;
use crate::rules::f04_backing_services::hardcoded_backing_service::OPTIONS;
use crate::rules::f04_backing_services::locator;
use crate::settings;

declare_rule! {
    /// ## What it does
    /// Flags a backing-service locator (the same literals `TC0401` recognises, JDBC URLs too,
    /// and a host under a service key such as `database.host`) that a service falls back to
    /// when the deploy does not provide one. It reads the settings model (`src/settings/`):
    /// - defaults in Rust code of a crate a service runs (the service's own crate or a crate it
    ///   depends on): `env::var("DATABASE_URL").unwrap_or("postgres://db.internal/dev".into())`,
    ///   with `unwrap_or_else(|_| ..)`, `.ok().unwrap_or(..)`, `map_or`, `match`/`if let`/
    ///   `let .. else` on the lookup, through `dotenvy::var`, `env::args()` and `option_env!`, a
    ///   `const` or variable used only as such a fallback, command-line defaults
    ///   (`#[arg(env = "DATABASE_URL", default_value = "..")]`), `config`'s `set_default`,
    ///   `#[serde(default = "..")]` functions and `impl Default` of a settings type;
    /// - values of a configuration file the service loads (`File::with_name("config/default")`,
    ///   `include_str!("../config.default.toml")`) or an image copies in, and Java resources
    ///   packaged with the app (`src/main/resources/application.yml`).
    ///
    /// Not flagged: a loopback default without credentials in Rust code (`redis://127.0.0.1`
    /// behind an env lookup is a developer's convenience; with a password it is `TC0302`),
    /// locators set by deploy manifests (compose, Kubernetes, Helm: that is how resources are
    /// attached), placeholder hosts (`example.com`, `*.invalid`), values that are not locators
    /// (`"8080"`, `"info"`, format templates), development, test and template files, a
    /// configuration file nothing loads, test code, and crates no service uses.
    ///
    /// Other files consulted: the settings model decides from the whole repository whether a
    /// default ships (see `src/settings/ships.rs`); the crates' `Cargo.toml` decide which crates a
    /// service runs.
    ///
    /// ## Measured
    /// On the real-world corpus (`benches/realworld/`, 26 repositories, 2026-12-03): 5 findings, 5
    /// right, 0 wrong, 0 debatable; verdict precision 1.00.
    ///
    /// ## Why is this bad?
    /// The lookup is right, but the fallback means a deploy that forgot to set the variable
    /// silently talks to whatever the literal names, usually a developer's local database,
    /// instead of failing at start-up. It is a note: a local default can be a deliberate choice.
    ///
    /// ## Example
    /// ```rust
    /// let url = std::env::var("AMQP_URL").unwrap_or_else(|_| "amqp://localhost:5672/%2f".into());
    /// ```
    ///
    /// Use instead:
    /// ```rust
    /// let url = std::env::var("AMQP_URL").context("AMQP_URL must be set")?;
    /// ```
    ///
    /// ## References
    /// - <https://12factor.net/backing-services>
    pub BackingServiceFallback {
        code: "TC0402", name: "backing-service-fallback",
        factor: BackingServices, severity: Note, preview: false, since: "0.1.0",
    }
}

impl Rule for BackingServiceFallback {
    fn options(&self) -> &'static [RuleOption] {
        OPTIONS
    }

    fn inputs(&self) -> Inputs {
        // Rust defaults come from the settings model, which parses the files that define them.
        Inputs {
            repo: true,
            settings: true,
            ..Inputs::default()
        }
    }

    fn check_repo(&self, repo: &RepoIndex, cx: &mut RepoCtx<'_>) {
        let allowed = cx.option_list("allowed-hosts").to_vec();
        for s in repo.settings.with_role(settings::LOCATOR) {
            if let Some(v) = setting_violation(s, &allowed) {
                cx.report(&s.file, v);
            }
        }
    }
}

/// Hosts that are placeholders, never a service anyone runs.
fn placeholder_host(h: &str) -> bool {
    let h = h.to_ascii_lowercase();
    h == "example.com"
        || h == "example.org"
        || h == "example.net"
        || h.ends_with(".example.com")
        || h.ends_with(".example.org")
        || h.ends_with(".example")
        || h.ends_with(".invalid")
        || h.contains("your")
}

fn loopback(h: &str) -> bool {
    let h = h
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_ascii_lowercase();
    h == "localhost" || h.starts_with("127.") || h == "::1" || h.ends_with(".localhost")
}

/// The finding for a locator setting: a default in Rust code a service runs, or a value in a
/// configuration file the app loads. Locators set by deploy manifests are how resources are
/// attached, and are not reported.
fn setting_violation(s: &settings::Setting, allowed: &[String]) -> Option<Violation> {
    if s.ships != settings::Ships::Runtime {
        return None;
    }
    let value = s.value.trim();
    let bare = value.strip_prefix("jdbc:").unwrap_or(value);
    let (what, hosts) = match locator::backing_locator(bare) {
        Some(l) => (l.what, l.hosts),
        None => (
            "backing-service host".to_string(),
            vec![value.to_ascii_lowercase()],
        ),
    };
    if hosts.iter().any(|h| placeholder_host(h))
        || (!hosts.is_empty()
            && hosts
                .iter()
                .all(|h| allowed.iter().any(|a| a.eq_ignore_ascii_case(h))))
    {
        return None;
    }
    let credentials = find_urls(bare)
        .iter()
        .any(|u| u.password.is_some_and(|p| !p.is_empty()));
    // A loopback default behind a lookup is a developer's convenience; one with credentials is
    // a secret (TC0302).
    if s.origin.is_rust() && !credentials && hosts.iter().all(|h| loopback(h)) {
        return None;
    }
    let (message, label) = if s.origin.is_rust() {
        (
            format!(
                "{what} as {} of `{}` ({})",
                s.origin.describe(),
                s.key,
                s.why
            ),
            "used when the setting is missing",
        )
    } else {
        (
            format!("{what} in `{}`, {} ({})", s.key, s.origin.describe(), s.why),
            "used unless the environment overrides it",
        )
    };
    Some(
        Violation::new(s.span.clone(), message)
            .label(label)
            .help("leave the locator out of the defaults and fail at start-up when the deploy does not provide it"),
    )
}
