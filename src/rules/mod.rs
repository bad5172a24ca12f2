//! Every rule, one folder per factor and one file per rule. This list is the registry:
//! `register_rules!` generates [`RuleId`] from it. Keep it in code order.

pub mod f00_meta;
pub mod f01_codebase;
pub mod f02_dependencies;
pub mod f03_config;
pub mod f04_backing_services;
pub mod f05_build_release_run;
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
    NotVersionControlled => f01_codebase::not_version_controlled,
    DependencyOutsideRepository => f01_codebase::dependency_outside_repository,
    MultipleAppsInCodebase => f01_codebase::multiple_apps_in_codebase,
    MissingLockfile => f02_dependencies::missing_lockfile,
    LockfileGitignored => f02_dependencies::lockfile_gitignored,
    UnpinnedDependency => f02_dependencies::unpinned_dependency,
    UnpinnedBaseImage => f02_dependencies::unpinned_base_image,
    UndeclaredSystemTool => f02_dependencies::undeclared_system_tool,
    RemoteScriptExecution => f02_dependencies::remote_script_execution,
    HardcodedSecret => f03_config::hardcoded_secret,
    CredentialsInUrl => f03_config::credentials_in_url,
    CommittedEnvFile => f03_config::committed_env_file,
    EnvironmentNameBranching => f03_config::environment_name_branching,
    HardcodedBackingService => f04_backing_services::hardcoded_backing_service,
    BackingServiceFallback => f04_backing_services::backing_service_fallback,
    BuildInRunStage => f05_build_release_run::build_in_run_stage,
    MutableReleaseImage => f05_build_release_run::mutable_release_image,
    FetchCodeAtRun => f05_build_release_run::fetch_code_at_run,
    ToolchainInRuntimeImage => f05_build_release_run::toolchain_in_runtime_image,
    InMemorySessionStore => f06_processes::in_memory_session_store,
    ProcessLocalState => f06_processes::process_local_state,
    LocalFilesystemPersistence => f06_processes::local_filesystem_persistence,
    StickySessions => f06_processes::sticky_sessions,
    HardcodedListenPort => f07_port_binding::hardcoded_listen_port,
    LoopbackBindInContainer => f07_port_binding::loopback_bind_in_container,
    ProcfilePortNotFromEnv => f07_port_binding::procfile_port_not_from_env,
    InconsistentPort => f07_port_binding::inconsistent_port,
    SelfDaemonizing => f08_concurrency::self_daemonizing,
    MultipleProcessesPerContainer => f08_concurrency::multiple_processes_per_container,
    MissingSigtermHandling => f09_disposability::missing_sigterm_handling,
    ShellFormEntrypoint => f09_disposability::shell_form_entrypoint,
    StartupSleep => f09_disposability::startup_sleep,
    DivergentBackingServices => f10_dev_prod_parity::divergent_backing_services,
    LogToFile => f11_logs::log_to_file,
    LoggingBackendCoupling => f11_logs::logging_backend_coupling,
    UnstructuredLogs => f11_logs::unstructured_logs,
    CommittedLogFile => f11_logs::committed_log_file,
    MigrationsAtStartup => f12_admin_processes::migrations_at_startup,
    SshInContainer => f12_admin_processes::ssh_in_container,
}
