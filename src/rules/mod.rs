//! Every rule, one folder per factor and one file per rule. This list is the registry:
//! `register_rules!` generates [`RuleId`] from it. Keep it in code order.

pub mod f00_meta;
pub mod f02_dependencies;
pub mod f03_config;
pub mod f04_backing_services;
pub mod f06_processes;
pub mod f11_logs;

pub(crate) mod common;

crate::register_rules! {
    UnusedSuppression => f00_meta::unused_suppression,
    UnparsableFile => f00_meta::unparsable_file,
    UnknownRuleSelector => f00_meta::unknown_rule_selector,
    MissingLockfile => f02_dependencies::missing_lockfile,
    HardcodedSecret => f03_config::hardcoded_secret,
    CredentialsInUrl => f03_config::credentials_in_url,
    HardcodedBackingService => f04_backing_services::hardcoded_backing_service,
    BackingServiceFallback => f04_backing_services::backing_service_fallback,
    InMemorySessionStore => f06_processes::in_memory_session_store,
    LogToFile => f11_logs::log_to_file,
}
