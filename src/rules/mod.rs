//! Every rule, one folder per factor and one file per rule. This list is the registry:
//! `register_rules!` generates [`RuleId`] from it. Keep it in code order.

pub mod f00_meta;
pub mod f02_dependencies;
pub mod f03_config;
pub mod f04_backing_services;
pub mod f06_processes;
pub mod f07_port_binding;
pub mod f08_concurrency;
pub mod f09_disposability;
pub mod f10_dev_prod_parity;
pub mod f11_logs;
pub mod f12_admin_processes;

pub(crate) mod common;

crate::register_rules! {
    UnusedSuppression => f00_meta::unused_suppression,
    UnparsableFile => f00_meta::unparsable_file,
    UnknownRuleSelector => f00_meta::unknown_rule_selector,
    MissingLockfile => f02_dependencies::missing_lockfile,
    UndeclaredSystemTool => f02_dependencies::undeclared_system_tool,
    HardcodedSecret => f03_config::hardcoded_secret,
    CredentialsInUrl => f03_config::credentials_in_url,
    EnvironmentNameBranching => f03_config::environment_name_branching,
    HardcodedBackingService => f04_backing_services::hardcoded_backing_service,
    BackingServiceFallback => f04_backing_services::backing_service_fallback,
    InMemorySessionStore => f06_processes::in_memory_session_store,
    ProcessLocalState => f06_processes::process_local_state,
    LocalFilesystemPersistence => f06_processes::local_filesystem_persistence,
    HardcodedListenPort => f07_port_binding::hardcoded_listen_port,
    LoopbackBindInContainer => f07_port_binding::loopback_bind_in_container,
    SelfDaemonizing => f08_concurrency::self_daemonizing,
    MissingSigtermHandling => f09_disposability::missing_sigterm_handling,
    DivergentBackingServices => f10_dev_prod_parity::divergent_backing_services,
    LogToFile => f11_logs::log_to_file,
    LoggingBackendCoupling => f11_logs::logging_backend_coupling,
    UnstructuredLogs => f11_logs::unstructured_logs,
    MigrationsAtStartup => f12_admin_processes::migrations_at_startup,
}
